"""The whole tool driven as a user would, with hostile ids, names and amounts: run, statements,
explain, batch create, approve, export. Whatever the inputs, every command exits 0 or 2 with no
traceback, writes nothing outside its own output folder, writes no formula into any workbook and
no runnable text into any CSV, and pays what Python integers say the plan pays.
"""

from __future__ import annotations

import csv
import re
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import flat_plan
from commission.cli import main
from commission.money import MAX_AMOUNT

PLAN = flat_plan()
#: Ids and names from another system at its worst: path parts, formula starters, quotes, control
#: characters, CJK and emoji, and long runs.
ALPHABET = ["a", "Z", "7", ".", "..", "/", "\\", "=", "+", "-", "@", "'", '"', ",", " ", "\t", "\x00", "\x1f",
            "\r", "\u202e", "催", "😀", "&", "<", ">", "|", "%", "~"]
hostile_text = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=12).map("".join)
#: Mostly ids the grammar accepts but that still hold quotes, formula characters (not first), dots,
#: CJK and emoji, so most examples get through every command; some it refuses.
acceptable = st.lists(st.sampled_from(["a", "Z", "7", ".", "_", "=", "+", "-", "@", "'", '"', ",", "#", "催", "😀",
                                       "&", "<", "%"]), min_size=1, max_size=12).map(lambda t: "C" + "".join(t))
ids = st.one_of(acceptable, acceptable, acceptable, hostile_text,
                st.sampled_from(["../../x", "/tmp/abs/x", "x" * 300, '=HYPERLINK("http://x","y")',
                                 "=cmd|' /C calc'!A0", "=E6", "C1", "催收员甲"]))
#: Names hold anything printable (formula starters first, quotes, markup, CJK), now and then a control character.
PRINTABLE = [c for c in ALPHABET if len(c) == 1 and c.isprintable()] + ["(", ")"]
names = st.one_of(*[st.text(alphabet=st.sampled_from(PRINTABLE), max_size=20)] * 3, hostile_text)
#: Amounts in minor units: mostly ordinary ones, some at and just past the bound.
amounts = st.one_of(*[st.integers(1, 10**7)] * 4, st.sampled_from([MAX_AMOUNT - 1, MAX_AMOUNT, MAX_AMOUNT + 1,
                                                                   10**17]))
TRIGGER = re.compile(r"[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def money_text(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def invoke(*args) -> object:
    """Run one command in-process; exit 0 or 2 and never a traceback, whatever the inputs."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in (0, 2), f"{args[0]}: exit {result.exit_code}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def assert_inert(folder: Path) -> None:
    """No workbook under `folder` holds a formula or an error value; no CSV text cell would run."""
    for path in folder.rglob("*.xlsx"):
        workbook = load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type not in ("f", "e"), f"{path.name} {sheet.title}!{cell.coordinate}"
    for path in folder.rglob("*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for value in row:
                    assert not TRIGGER.match(value) or PLAIN_NUMBER.fullmatch(value), (path.name, value)


def expected_pay(rows: list[tuple[str, int]]) -> dict[str, tuple[int, int]]:
    """{collector: (recovered, net payout)} by hand: 5% of each payment, half up, per line."""
    pay: dict[str, tuple[int, int]] = {}
    for collector, amount in rows:
        commission = int(Fraction(amount * 5, 100) + Fraction(1, 2))
        recovered, net = pay.get(collector, (0, 0))
        pay[collector] = (recovered + amount, net + commission)
    return pay


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(st.tuples(ids, names, amounts), min_size=1, max_size=4))
def test_hostile_inputs_through_every_command(tmp_path_factory, people):
    folder = tmp_path_factory.mktemp("hostile")
    inputs = folder / "inputs"
    inputs.mkdir()
    (inputs / "plan.yaml").write_text(PLAN, encoding="utf-8")
    ledger = ["payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"]
    ledger += [f"P{i},{csv_field(c)},6222000011112222,2026-10-0{i % 9 + 1},{money_text(a)},5,5000"
               for i, (c, _, a) in enumerate(people)]
    roster = ["collector_id,name,team,employee_id"]
    roster += [f"{csv_field(c)},{csv_field(n)},{csv_field(n)},{csv_field(c)}"
               for c, n in {c: n for c, n, _ in people}.items()]
    (inputs / "ledger.csv").write_text("\n".join(ledger) + "\n", encoding="utf-8")
    (inputs / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    given_inputs = ["--policy", inputs / "plan.yaml", "--ledger", inputs / "ledger.csv", "--roster",
                    inputs / "roster.csv", "--period", "2026-10", "--first-period"]
    outputs = folder / "outputs"
    outputs.mkdir()

    def only_under(before: set[str], *own: str) -> None:
        """Everything the command created is one of `own` or inside it."""
        created = listing(folder) - before
        assert all(any(p == o or p.startswith(o + "/") for o in own) for p in created), sorted(created)

    before = listing(folder)
    run = invoke("run", *given_inputs, "--out", outputs / "run")
    only_under(before, "outputs/run")
    if run.exit_code == 2:
        event("refused at the door")
        assert not (outputs / "run").exists()
        return
    event("paid")
    expected = expected_pay([(c, a) for c, _, a in people])
    with open(outputs / "run" / "payouts.csv", newline="", encoding="utf-8") as handle:
        paid = {row["collector_id"]: (row["recovered"], row["net_payout"]) for row in csv.DictReader(handle)}
    assert len(paid) == len(expected)
    for collector, (recovered, net) in expected.items():
        shown = collector if collector in paid else f"'{collector}"  # a neutralised id keeps its quote
        assert paid[shown] == (money_text(recovered), money_text(net))

    before = listing(folder)
    invoke("statements", "--run", outputs / "run", "--out", outputs / "statements", "--jobs", 1)
    only_under(before, "outputs/statements")
    first = people[0][0]
    explained = invoke("explain", "--run", outputs / "run", "--collector", first, "--lang", "en")
    assert explained.exit_code == 0 and "= net pay " in explained.output

    db = outputs / "store.db"
    assert invoke("setup", "--single-operator", "--db", db).exit_code == 0
    before = listing(folder)
    created = invoke("batch", "create", *given_inputs, "--out", outputs / "batch", "--db", db)
    assert created.exit_code == 0, created.output
    only_under(before, "outputs/store.db", "outputs/batch")
    invoke("batch", "approve", 1, "--db", db)
    before = listing(folder)
    for file_format in ("csv", "xlsx"):
        exported = invoke("batch", "export", 1, "--format", file_format, "--out", outputs / "payroll" /
                          f"2026-10.{file_format}", "--db", db)
        assert exported.exit_code == 0, exported.output
    only_under(before, "outputs/payroll")
    assert_inert(outputs)
