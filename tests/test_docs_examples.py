"""Executable documentation: every plan and worked example in docs/policy-language.md runs here.

The reference for plan authors promises figures computed by hand. This test keeps them honest:

- every fenced ```yaml block that is a complete plan (a top-level `plan:` key) must parse with
  `parse_policy`, unless an example comment says it is meant to fail;
- a worked example is an HTML comment right after its ```yaml block::

      <!-- example: name=published-marginal ledger=eleven-thousand period=2026-10
           expect: C1.net_payout=900.00 item:C1/volume#3.amount=150.00 -->

  Settings (before `expect:`):
    ledger=NAME   the ```csv ledger=NAME block to run the plan on (anywhere in the document);
                  ledger=A,B,... runs on a folder ledgers/ holding A.csv, B.csv, ... (--ledger ledgers)
    roster=NAME   a ```csv roster=NAME block, passed as --roster roster.csv
    targets=NAME, assignments=NAME, events=NAME
                  a ```csv targets=NAME (assignments=NAME, events=NAME) block, passed as --targets
                  targets.csv (--assignments assignments.csv, --events events.csv)
    policies=A,B  several plans: --policy is a folder policies/ holding the example's own plan
                  (plan.yaml) and each ```yaml policy=A block as A.yaml
    after=P1,P2   state chaining: first run the periods P1, then P2, ... (same files), each with the
                  state.json of the run before it (--state); the example's own run then gets the
                  state.json of the last one. Those earlier runs must succeed. A run given no state
                  (P1, or the example's own run without after=) is a first period (--first-period).
    period=TEXT   the pay period (default 2026-10)
    flags=A,B     extra flags for every run of the example: --A, --B (e.g. flags=allow-no-repayments)
    name=NAME     lets a ```csv file=payouts.csv of=NAME block (or ```json file=state.json of=NAME)
                  show that run's exact output file
    error=TEXT    the run (or, without a ledger, `commission validate`) must fail with exit code 2 and
                  print TEXT; may be repeated, every one must appear
    warning=TEXT  the run must succeed and print TEXT (a warning); may be repeated
  Expectations (after `expect:`), each TARGET=VALUE, compared as the text the reports hold:
    C1.net_payout                a column of payouts.csv for collector C1
    item:C1/volume#1.amount      a column of items.csv for collector C1 and rule volume#1
    line:P1.amount               a column of lines.csv for payment P1 (P1/base.amount names the component,
                                 P1@C2.amount the collector's row of a split payment)
    state:C1/draw.amount         the amount of balance `draw` of collector C1 in state.json
    raise:C1/annual#1.raise_percent   a column of raises.csv for collector C1 and rule annual#1 (a step
                                 of a raise rule); benefit:C1/leave#2.quantity the same in benefits.csv.
                                 A file the run did not write has no rows
    item:C1/volume#3=absent      no such row exists (also line:P1=absent, state:C1/draw=absent)
    item:C1/gate@volume.amount   the row of rule gate that applies to component volume

The example runs through the real command line (`commission run` / `commission validate`) in a
temporary folder holding plan.yaml, ledger.csv, roster.csv and the other files named, so messages in
the document read exactly as a plan author sees them.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.errors import InputError
from commission.policy import parse_policy

DOC = Path(__file__).resolve().parents[1] / "docs" / "policy-language.md"
_FENCE = re.compile(r"^```([A-Za-z0-9_-]*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
_COMMENT = re.compile(r"\s*<!--\s*example:(.*?)-->", re.S)
_IS_PLAN = re.compile(r"^plan:", re.M)


@dataclass
class Block:
    lang: str
    info: dict
    text: str
    line: int


@dataclass
class Example:
    line: int  # of the comment
    plan: str
    plan_line: int  # of the ```yaml fence
    settings: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    expect: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.settings.get("name") or f"line{self.line}"


def _info(text: str) -> dict:
    return dict(part.split("=", 1) for part in text.split() if "=" in part)


def read_doc():
    """(blocks, examples) of the document; a malformed example comment fails loudly."""
    source = DOC.read_text(encoding="utf-8")
    blocks, examples = [], []
    for match in _FENCE.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        block = Block(match.group(1), _info(match.group(2)), match.group(3), line)
        blocks.append(block)
        position = match.end()
        while comment := _COMMENT.match(source, position):  # one or more runs of the same plan
            position = comment.end()
            if block.lang != "yaml":
                raise AssertionError(f"{DOC.name}:{line}: an example comment must follow a ```yaml block")
            opening = comment.start() + comment.group(0).index("<!--")
            examples.append(_example(comment.group(1), block, source.count("\n", 0, opening) + 1))
    return blocks, examples


def _example(body: str, block: Block, line: int) -> Example:
    example = Example(line=line, plan=block.text, plan_line=block.line)
    in_expect = False
    for token in shlex.split(body):
        if token == "expect:":
            in_expect = True
            continue
        if "=" not in token:
            raise AssertionError(f"{DOC.name}:{line}: example token {token!r} is not KEY=VALUE")
        key, value = token.split("=", 1)
        if in_expect:
            example.expect.append((key, value))
        elif key == "error":
            example.errors.append(value)
        elif key == "warning":
            example.warnings.append(value)
        elif key in SETTINGS:
            example.settings[key] = value
        else:
            raise AssertionError(f"{DOC.name}:{line}: unknown example setting {key!r}")
    return example


#: Input files an example can name: setting -> (file written in the run's folder, CLI option).
SIDE_FILES = {"roster": ("roster.csv", "--roster"), "targets": ("targets.csv", "--targets"),
              "assignments": ("assignments.csv", "--assignments"), "events": ("events.csv", "--events")}
SETTINGS = ("ledger", "period", "name", "policies", "after", *SIDE_FILES, "flags")

BLOCKS, EXAMPLES = read_doc() if DOC.exists() else ([], [])
#: kind -> {name: csv text} for ```csv ledger=NAME, roster=NAME, targets=NAME, ... blocks
TABLES = {kind: {b.info[kind]: b.text for b in BLOCKS if b.lang == "csv" and kind in b.info}
          for kind in ("ledger", *SIDE_FILES)}
LEDGERS = TABLES["ledger"]
POLICIES = {b.info["policy"]: b.text for b in BLOCKS if b.lang == "yaml" and "policy" in b.info}
OUTPUTS = [b for b in BLOCKS if b.lang in ("csv", "json") and "file" in b.info]
PLANS = [b for b in BLOCKS if b.lang == "yaml" and _IS_PLAN.search(b.text)]
MEANT_TO_FAIL = {e.plan_line for e in EXAMPLES if e.errors and "ledger" not in e.settings}


def test_the_document_has_examples():
    assert DOC.exists(), f"{DOC} is missing"
    assert len(PLANS) >= 20, "fewer complete plans than expected: is the fence pattern still right?"
    assert len([e for e in EXAMPLES if e.expect]) >= 20, "fewer worked examples than expected"
    names = [e.settings["name"] for e in EXAMPLES if "name" in e.settings]
    assert len(names) == len(set(names)), "example names must be unique"
    for example in EXAMPLES:
        for kind, table in TABLES.items():
            for wanted in example.settings.get(kind, "").split(",") if kind in example.settings else ():
                assert wanted in table, f"{DOC.name}:{example.line}: no ```csv {kind}={wanted} block"
        for wanted in example.settings["policies"].split(",") if "policies" in example.settings else ():
            assert wanted in POLICIES, f"{DOC.name}:{example.line}: no ```yaml policy={wanted} block"
    for block in OUTPUTS:
        assert block.info.get("of") in names, f"{DOC.name}:{block.line}: output block names no example"


@pytest.mark.parametrize("block", PLANS, ids=[f"line{b.line}" for b in PLANS])
def test_every_plan_in_the_document_parses(block):
    if block.line in MEANT_TO_FAIL:
        with pytest.raises(InputError):
            parse_policy(block.text, source="plan.yaml")
    else:
        parse_policy(block.text, source="plan.yaml")


def run_example(example: Example, folder: Path):
    """Write the example's files into `folder` and run the CLI there; returns the click Result
    of the example's own run (after the runs its `after=` setting names, which must succeed)."""
    (folder / "plan.yaml").write_text(example.plan, encoding="utf-8")
    if "ledger" not in example.settings:
        return CliRunner().invoke(main, ["validate", "plan.yaml"], catch_exceptions=False)
    args = ["--policy", "plan.yaml"]
    if "policies" in example.settings:
        plans = folder / "policies"
        plans.mkdir()
        (plans / "plan.yaml").write_text(example.plan, encoding="utf-8")
        for name in example.settings["policies"].split(","):
            (plans / f"{name}.yaml").write_text(POLICIES[name], encoding="utf-8")
        args = ["--policy", "policies"]
    names = example.settings["ledger"].split(",")
    if len(names) == 1:
        (folder / "ledger.csv").write_text(LEDGERS[names[0]], encoding="utf-8")
        args += ["--ledger", "ledger.csv"]
    else:
        (folder / "ledgers").mkdir()
        for name in names:
            (folder / "ledgers" / f"{name}.csv").write_text(LEDGERS[name], encoding="utf-8")
        args += ["--ledger", "ledgers"]
    for kind, (file_name, option) in SIDE_FILES.items():
        if kind in example.settings:
            (folder / file_name).write_text(TABLES[kind][example.settings[kind]], encoding="utf-8")
            args += [option, file_name]
    args += [f"--{flag}" for flag in example.settings["flags"].split(",")] if "flags" in example.settings else []
    state = ["--first-period"]
    for period in example.settings["after"].split(",") if "after" in example.settings else ():
        earlier = CliRunner().invoke(main, ["run", *args, *state, "--period", period, "--out", f"out-{period}"],
                                     catch_exceptions=False)
        assert earlier.exit_code == 0, f"{DOC.name}:{example.line}: the run for {period} failed:\n{earlier.output}"
        state = ["--state", f"out-{period}/state.json"]
    return CliRunner().invoke(main, ["run", *args, *state, "--period", example.settings.get("period", "2026-10"),
                                     "--out", "out"], catch_exceptions=False)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _select(target: str, folder: Path):
    """(rows matching target, column or None, where) for an expectation target."""
    kind, _, rest = target.partition(":") if target.startswith(("item:", "line:", "state:", "raise:", "benefit:")) \
        else ("payout", "", target)
    selector, column = (rest.rsplit(".", 1) + [None])[:2] if "." in rest else (rest, None)
    if kind == "payout":
        rows = [r for r in _rows(folder / "out" / "payouts.csv") if r["collector_id"] == selector]
    elif kind == "item":
        collector, _, rule = selector.partition("/")
        items = [r for r in _rows(folder / "out" / "items.csv") if r["collector_id"] == collector]
        rows = [r for r in items if r["rule"] == rule]  # a rule may hold '@' itself: complaint@regulator
        if not rows:
            rule, _, applies_to = rule.rpartition("@")  # gate@volume: the gate's row for component volume
            rows = [r for r in items if r["rule"] == rule and r["applies_to"] == applies_to]
    elif kind in ("raise", "benefit"):
        collector, _, rule = selector.partition("/")
        path = folder / "out" / f"{kind}s.csv"
        rows = [r for r in _rows(path) if r["collector_id"] == collector and r["rule"] == rule] if path.exists() \
            else []
    elif kind == "state":
        collector, _, balance = selector.partition("/")
        document = json.loads((folder / "out" / "state.json").read_text(encoding="utf-8"))
        rows = [r for r in document["balances"] if r["collector_id"] == collector and r["balance"] == balance]
    else:
        payment, _, component = selector.partition("/")
        payment, _, collector = payment.partition("@")  # P1@C2: collector C2's row of split payment P1
        rows = [r for r in _rows(folder / "out" / "lines.csv")
                if r["payment_id"] == payment and (not component or r["component"] == component)
                and (not collector or r["collector_id"] == collector)]
    return rows, column


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_worked_example(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_example(example, tmp_path)
    where = f"{DOC.name}:{example.line}"
    if example.errors:
        assert result.exit_code == 2, f"{where}: expected exit code 2, got {result.exit_code}\n{result.output}"
        for text in example.errors:
            assert text in result.output, f"{where}: expected {text!r} in:\n{result.output}"
        return
    assert result.exit_code == 0, f"{where}: the run failed:\n{result.output}"
    for text in example.warnings:
        assert text in result.output, f"{where}: expected the warning {text!r} in:\n{result.output}"
    for target, expected in example.expect:
        rows, column = _select(target, tmp_path)
        if expected == "absent" and column is None:
            assert not rows, f"{where}: {target} should not exist, found {rows}"
            continue
        assert len(rows) == 1, f"{where}: {target} matches {len(rows)} rows, expected exactly one"
        assert column in rows[0], f"{where}: {target}: no column {column!r} (have {', '.join(rows[0])})"
        assert rows[0][column] == expected, f"{where}: {target} is {rows[0][column]!r}, the document says {expected!r}"


@pytest.mark.parametrize("block", OUTPUTS, ids=[f"{b.info.get('of')}:{b.info['file']}" for b in OUTPUTS])
def test_documented_output_files(block, tmp_path, monkeypatch):
    """A ```csv (or ```json) file=X of=NAME block is exactly the file X that example NAME writes."""
    monkeypatch.chdir(tmp_path)
    example = next(e for e in EXAMPLES if e.settings.get("name") == block.info["of"])
    result = run_example(example, tmp_path)
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out" / block.info["file"]).read_text(encoding="utf-8")
    assert written == block.text, f"{DOC.name}:{block.line}: {block.info['file']} differs:\n{written}"
