"""Executable documentation: every plan and worked example in docs/policy-language.md runs here.

The reference for plan authors promises figures computed by hand. This test keeps them honest:

- every fenced ```yaml block that is a complete plan (a top-level `plan:` key) must parse with
  `parse_policy`, unless an example comment says it is meant to fail;
- a worked example is an HTML comment right after its ```yaml block::

      <!-- example: name=published-marginal ledger=eleven-thousand period=2026-10
           expect: C1.net_payout=900.00 item:C1/volume#3.amount=150.00 -->

  Settings (before `expect:`):
    ledger=NAME   the ```csv ledger=NAME block to run the plan on (anywhere in the document)
    roster=NAME   a ```csv roster=NAME block, passed as --roster
    period=TEXT   the pay period (default 2026-10)
    name=NAME     lets a ```csv file=payouts.csv of=NAME block show that run's exact output file
    error=TEXT    the run (or, without a ledger, `commission validate`) must fail with exit code 2 and
                  print TEXT; may be repeated, every one must appear
  Expectations (after `expect:`), each TARGET=VALUE, compared as the text the CSV reports hold:
    C1.net_payout                a column of payouts.csv for collector C1
    item:C1/volume#1.amount      a column of items.csv for collector C1 and rule volume#1
    line:P1.amount               a column of lines.csv for payment P1 (P1/base.amount names the component)
    item:C1/volume#3=absent      no such row exists (also line:P1=absent)
    item:C1/gate@volume.amount   the row of rule gate that applies to component volume

The example runs through the real command line (`commission run` / `commission validate`) in a
temporary folder holding plan.yaml, ledger.csv and roster.csv, so messages in the document read
exactly as a plan author sees them.
"""

from __future__ import annotations

import csv
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
        elif key in ("ledger", "roster", "period", "name"):
            example.settings[key] = value
        else:
            raise AssertionError(f"{DOC.name}:{line}: unknown example setting {key!r}")
    return example


BLOCKS, EXAMPLES = read_doc() if DOC.exists() else ([], [])
LEDGERS = {b.info["ledger"]: b.text for b in BLOCKS if b.lang == "csv" and "ledger" in b.info}
ROSTERS = {b.info["roster"]: b.text for b in BLOCKS if b.lang == "csv" and "roster" in b.info}
OUTPUTS = [b for b in BLOCKS if b.lang == "csv" and "file" in b.info]
PLANS = [b for b in BLOCKS if b.lang == "yaml" and _IS_PLAN.search(b.text)]
MEANT_TO_FAIL = {e.plan_line for e in EXAMPLES if e.errors and "ledger" not in e.settings}


def test_the_document_has_examples():
    assert DOC.exists(), f"{DOC} is missing"
    assert len(PLANS) >= 20, "fewer complete plans than expected: is the fence pattern still right?"
    assert len([e for e in EXAMPLES if e.expect]) >= 20, "fewer worked examples than expected"
    names = [e.settings["name"] for e in EXAMPLES if "name" in e.settings]
    assert len(names) == len(set(names)), "example names must be unique"
    for example in EXAMPLES:
        for kind, table in (("ledger", LEDGERS), ("roster", ROSTERS)):
            if kind in example.settings:
                assert example.settings[kind] in table, \
                    f"{DOC.name}:{example.line}: no ```csv {kind}={example.settings[kind]} block"
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
    """Write the example's files into `folder` and run the CLI there; returns the click Result."""
    (folder / "plan.yaml").write_text(example.plan, encoding="utf-8")
    if "ledger" not in example.settings:
        args = ["validate", "plan.yaml"]
    else:
        (folder / "ledger.csv").write_text(LEDGERS[example.settings["ledger"]], encoding="utf-8")
        args = ["run", "--policy", "plan.yaml", "--ledger", "ledger.csv",
                "--period", example.settings.get("period", "2026-10"), "--out", "out"]
        if "roster" in example.settings:
            (folder / "roster.csv").write_text(ROSTERS[example.settings["roster"]], encoding="utf-8")
            args += ["--roster", "roster.csv"]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _select(target: str, folder: Path):
    """(rows matching target, column or None, where) for an expectation target."""
    kind, _, rest = target.partition(":") if target.startswith(("item:", "line:")) else ("payout", "", target)
    selector, column = (rest.rsplit(".", 1) + [None])[:2] if "." in rest else (rest, None)
    if kind == "payout":
        rows = [r for r in _rows(folder / "out" / "payouts.csv") if r["collector_id"] == selector]
    elif kind == "item":
        collector, _, rule = selector.partition("/")
        rule, _, applies_to = rule.partition("@")  # gate@volume: the gate's row for component volume
        rows = [r for r in _rows(folder / "out" / "items.csv") if r["collector_id"] == collector and r["rule"] == rule
                and (not applies_to or r["applies_to"] == applies_to)]
    else:
        payment, _, component = selector.partition("/")
        rows = [r for r in _rows(folder / "out" / "lines.csv")
                if r["payment_id"] == payment and (not component or r["component"] == component)]
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
    """A ```csv file=X of=NAME block is exactly the file X that example NAME writes."""
    monkeypatch.chdir(tmp_path)
    example = next(e for e in EXAMPLES if e.settings.get("name") == block.info["of"])
    result = run_example(example, tmp_path)
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out" / block.info["file"]).read_text(encoding="utf-8")
    assert written == block.text, f"{DOC.name}:{block.line}: {block.info['file']} differs:\n{written}"
