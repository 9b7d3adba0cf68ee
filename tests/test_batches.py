"""HR payout batches in the store: workflow, never paying twice, carried balances, safety.

Run against SQLite always, and against PostgreSQL when COMMISSION_TEST_PG_URL names a server
(.ci/run starts one); without it the PostgreSQL cases are skipped, saying why.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import as_user, flat_plan
from commission.cli import main

REPO = Path(__file__).resolve().parents[1]

PLAN = flat_plan("batch-demo", extra="draw: {amount: 100.00, recoverable: true}\n")
LEDGER = """
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-07-05,1000.00,10,5000
P2,C2,A2,2026-07-06,4000.00,10,5000
P3,C1,A1,2026-08-05,1200.00,10,5000
P4,C2,A2,2026-08-06,3000.00,10,5000
"""
ROSTER = """
collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team A,E2
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


#: The people of a two-person store: who prepares, who approves, who pays.
PEOPLE = {"hr": "preparer", "checker": "approver", "payer": "payer"}


@pytest.fixture
def store(blank_store, monkeypatch):
    """A store set up for two people by `admin`, with a preparer (hr), an approver (checker) and a payer."""
    as_user(monkeypatch, "admin")
    assert cli("setup", "--db", blank_store).exit_code == 0
    for name, role in PEOPLE.items():
        assert cli("users", "add", name, "--role", role, "--db", blank_store).exit_code == 0
    as_user(monkeypatch, "hr")
    return blank_store


@pytest.fixture
def files(tmp_path):
    return {"plan": write(tmp_path / "plan.yaml", PLAN), "ledger": write(tmp_path / "ledger.csv", LEDGER),
            "roster": write(tmp_path / "roster.csv", ROSTER), "folder": tmp_path}


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def create(files, store, period, ledger=None, out=None, carried=False, state=None):
    """batch create; the store's first batch starts from zero (--first-period) unless `state` is given,
    later ones (`carried`) take their balances from the batch before."""
    folder = files["folder"]
    start = [] if carried else ["--state", state] if state else ["--first-period"]
    return cli("batch", "create", "--policy", files["plan"], "--ledger", ledger or files["ledger"],
               "--roster", files["roster"], "--period", period, "--out", out or folder / f"out-{period}-{time.time()}",
               "--db", store, *start)


def act(monkeypatch, store, action, batch_id, user=None):
    """A batch action by the person whose role it is (approve: checker; lock, mark-paid: payer)."""
    as_user(monkeypatch, user or {"approve": "checker", "lock": "payer", "mark-paid": "payer",
                                  "export": "payer"}.get(action, "hr"))
    result = cli("batch", action, batch_id, "--db", store)
    as_user(monkeypatch, "hr")
    return result


def lock(monkeypatch, store, batch_id):
    """Approve and lock a batch: its balances may then carry into the next period."""
    for action in ("approve", "lock"):
        assert act(monkeypatch, store, action, batch_id).exit_code == 0


def stored(store, sql):
    with sa.create_engine(store).connect() as connection:
        return connection.execute(sa.text(sql)).all()


def test_workflow_records_who_and_when_and_a_locked_batch_never_changes(files, store, monkeypatch):
    result = create(files, store, "2026-07")
    assert result.exit_code == 0, result.output
    assert "stored as draft batch 1, to be paid on Aug 15, 2026" in result.output
    assert act(monkeypatch, store, "export", 1).exit_code == 2  # a draft is not exported
    for action in ("approve", "lock", "mark-paid"):
        assert act(monkeypatch, store, action, 1).exit_code == 0
    refused = act(monkeypatch, store, "discard", 1)
    assert refused.exit_code == 2 and "batch 1 is paid; discard needs a batch that is draft or approved" in \
        refused.output
    assert [tuple(r) for r in stored(store, "SELECT action, actor FROM events WHERE batch_id = 1 ORDER BY id")] == [
        ("created", "hr"), ("approve", "checker"), ("lock", "payer"), ("mark-paid", "payer")]
    record = stored(store, "SELECT status, approved_by, locked_by, paid_by FROM batches WHERE id = 1")[0]
    assert tuple(record) == ("paid", "checker", "payer", "payer")
    # July: C1 1,000 x 5% = 50.00, below the 100.00 draw: topped up by 50.00 ; C2 4,000 x 5% = 200.00
    amounts = stored(store, "SELECT collector_id, pay_code, amount FROM payouts WHERE batch_id = 1 ORDER BY 1")
    assert [tuple(r) for r in amounts] == [("C1", "commission", 10000), ("C2", "commission", 20000)]


def test_export_writes_payroll_rows_and_a_control_file(files, store, monkeypatch):
    create(files, store, "2026-07")
    act(monkeypatch, store, "approve", 1)
    out = files["folder"] / "payroll" / "july.csv"
    as_user(monkeypatch, "payer")
    result = cli("batch", "export", 1, "--out", out, "--db", store, "--note", "ticket 42")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [(r["employee_id"], r["collector_id"], r["pay_code"], r["amount"], r["period"], r["batch_id"],
             r["pay_date"]) for r in rows] == [("E1", "C1", "commission", "100.00", "2026-07", "1", "2026-08-15"),
                                               ("E2", "C2", "commission", "200.00", "2026-07", "1", "2026-08-15")]
    control = {r["item"]: r["value"] for r in csv.DictReader(open(out.with_name("july.control.csv"), encoding="utf-8"))}
    assert (control["count"], control["total"], control["pay date"]) == ("2", "300.00", "2026-08-15")
    assert "controls" not in control  # a two-person store says nothing more
    last = stored(store, "SELECT action, actor, note FROM events WHERE batch_id = 1 ORDER BY id")[-1]
    assert tuple(last) == ("exported", "payer", "ticket 42")


def test_a_paid_period_is_never_paid_twice_a_correction_is_an_adjustment(files, store, monkeypatch):
    create(files, store, "2026-07")
    lock(monkeypatch, store, 1)
    again = create(files, store, "2026-07")
    assert again.exit_code == 0, again.output
    assert "adjustment batch (differences from what was paid) 2, to be paid on Aug 15, 2026: 0 payout rows" in \
        again.output
    assert act(monkeypatch, store, "discard", 2).exit_code == 0
    corrected = write(files["folder"] / "corrected.csv", LEDGER + "P5,C1,A3,2026-07-20,3000.00,10,5000\n")
    result = create(files, store, "2026-07", ledger=corrected)
    assert result.exit_code == 0, result.output
    # C1 now earns 50.00 + 150.00 = 200.00 (no top-up): 100.00 more than paid; C2 unchanged: no row
    rows = stored(store, "SELECT collector_id, pay_code, amount FROM payouts WHERE batch_id = 3")
    assert [tuple(r) for r in rows] == [("C1", "commission", 10000)]
    assert stored(store, "SELECT kind, corrects FROM batches WHERE id = 3")[0] == ("adjustment", "1")
    # What each batch pays: July 300.00 (C1 100.00, C2 200.00); the discarded empty adjustment nothing; 100.00
    listing = cli("batch", "list", "--db", store).output.splitlines()
    assert [line.split()[:5] for line in listing[1:]] == [["1", "2026-07", "payout", "locked", "300.00"],
                                                          ["2", "2026-07", "adjustment", "discarded", "0.00"],
                                                          ["3", "2026-07", "adjustment", "draft", "100.00"]]
    # Against what was paid: the locked batch itself differs in nothing, the adjustment by C1's 100.00
    assert cli("batch", "diff", 1, "--db", store).output.splitlines()[1:] == ["(nothing)"]
    diff = cli("batch", "diff", 3, "--db", store).output.splitlines()
    assert diff[0] == "difference = the period with batch 3 - what was paid for it (locked or paid batches)"
    assert diff[2].split() == ["C1", "commission", "100.00", "200.00", "100.00"]
    assert len(diff) == 3
    between = cli("batch", "diff", 1, 3, "--db", store).output.splitlines()  # batch 3 counts with what it corrects
    assert between[0] == "difference = the period with batch 3 - the period with batch 1"
    assert between[2].split() == ["C1", "commission", "100.00", "200.00", "100.00"] and len(between) == 3
    # C1's statement from the adjustment: the period recomputed (200.00), 100.00 paid before, 100.00 now
    result = cli("statements", "--batch", 3, "--db", store, "--lang", "en", "--collector", "C1", "--out",
                 files["folder"] / "st")
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    summary = load_workbook(files["folder"] / "st" / "C1-2026-07.xlsx").worksheets[0]
    rows = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert "Correction of an earlier payout" in rows
    assert "Previously paid 100.00, now due 200.00, this correction pays 100.00." in rows
    assert Decimal(str(rows["Previously paid"][0])) == Decimal("100.00")
    assert Decimal(str(rows["This correction pays"][0])) == Decimal("100.00")
    assert Decimal(str(rows["Now due for 2026-07"][0])) == Decimal("200.00")  # the period recomputed
    # the first rows: what this statement pays (the difference), still a draft, not yet counted in the year
    assert (summary["A2"].value, Decimal(str(summary["B2"].value))) == ("Net pay", Decimal("100.00"))
    assert rows["Status"][0] == "draft: not approved yet" and rows["Pay date"][0] == "Aug 15, 2026"
    assert rows["Statement no."][0] == "2026-07-C1-B3"
    header = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Pay code")
    assert header[1:3] == ("Now due for 2026-07", "Year to date (approved batches)")
    assert [Decimal(str(v)) for v in rows["Commission"][:2]] == [Decimal("200.00"), Decimal("100.00")]
    # explain says it as the statement does: the period recomputed, then what the correction pays
    for lang, net, says in (
            ("en", "= net pay 200.00", "Correction of an earlier payout (batch 3): Previously paid 100.00, now due "
                                       "200.00, this correction pays 100.00."),
            ("zh", "= 实发金额 200.00", "更正此前发放（批次 3）：此前已发 100.00，重新计算应发 200.00，本次更正发放 100.00。")):
        explained = cli("explain", "--batch", 3, "--db", store, "--collector", "C1", "--lang", lang).output.splitlines()
        net_line = next(k for k, line in enumerate(explained) if line.endswith(net))
        assert explained[net_line + 1] == says


def test_one_open_batch_per_period(files, store):
    assert create(files, store, "2026-07").exit_code == 0
    second = create(files, store, "2026-07")
    assert second.exit_code == 2
    assert "batch 1 for 2026-07 is still draft; lock it, or discard it" in second.output
    assert len(stored(store, "SELECT id FROM batches")) == 1


def test_balances_carry_forward_from_the_store(files, store, monkeypatch):
    create(files, store, "2026-07")
    lock(monkeypatch, store, 1)
    august = create(files, store, "2026-08", carried=True)
    assert august.exit_code == 0, august.output
    # Draw owed: July topped C1 up by 50.00; August C1 earns 1,200 x 5% = 60.00: topped up 40.00 -> owes 90.00
    owed = stored(store, "SELECT batch_id, collector_id, amount FROM balances WHERE balance = 'draw' ORDER BY 1")
    assert [tuple(r) for r in owed] == [(1, "C1", 5000), (2, "C1", 9000)]


def test_the_first_batch_says_where_its_balances_come_from(files, store, monkeypatch):
    missing = create(files, store, "2026-07", carried=True)
    assert missing.exit_code == 2 and "give --state with the state.json" in missing.output
    assert stored(store, "SELECT id FROM batches") == []
    # A run of July outside the store hands its state to the store's first batch, August
    july = cli("run", "--policy", files["plan"], "--ledger", files["ledger"], "--roster", files["roster"],
               "--period", "2026-07", "--first-period", "--out", files["folder"] / "july-run")
    assert july.exit_code == 0, july.output
    assert create(files, store, "2026-08", state=files["folder"] / "july-run" / "state.json").exit_code == 0
    owed = stored(store, "SELECT collector_id, amount FROM balances WHERE balance = 'draw'")
    assert [tuple(r) for r in owed] == [("C1", 9000)]  # 50.00 owed from July + 40.00 topped up in August
    # Correcting August (after it is locked) must start from the same July state, not from zero
    lock(monkeypatch, store, 1)
    from_zero = create(files, store, "2026-08")
    assert from_zero.exit_code == 2
    assert "batch 1 (locked) for 2026-08 started from a state file with SHA-256" in from_zero.output
    again = create(files, store, "2026-08", state=files["folder"] / "july-run" / "state.json")
    assert again.exit_code == 0 and "0 payout rows" in again.output, again.output
    twice = create(files, store, "2026-09", state=files["folder"] / "july-run" / "state.json")
    assert twice.exit_code == 2
    assert "come from the stored batch for 2026-08; leave out --state and --first-period" in twice.output


def test_reading_commands_refuse_a_missing_store_and_an_unknown_collector(files, store):
    missing = files["folder"] / "nope.db"
    for args in (("history", "--collector", "C1"), ("batch", "list"), ("batch", "show", 1)):
        result = cli(*args, "--db", missing)
        assert result.exit_code == 2 and f"there is no batch store {missing}" in result.output
    assert not missing.exists()
    folder = cli("batch", "list", "--db", files["folder"])  # a folder, not a database: a message, no traceback
    assert folder.exit_code == 2 and "cannot open the batch store" in folder.output
    create(files, store, "2026-07")
    unknown = cli("history", "--collector", "C9", "--db", store)
    assert unknown.exit_code == 2 and "no batch in the store pays C9" in unknown.output


def test_balances_carry_only_from_a_locked_batch_of_the_period_just_before(files, store, monkeypatch):
    create(files, store, "2026-07")
    draft = create(files, store, "2026-08", carried=True)
    assert draft.exit_code == 2
    assert "batch 1 for 2026-07 is still draft; approve and lock it (or discard it) first: its balances carry " \
           "into 2026-08" in draft.output
    lock(monkeypatch, store, 1)
    state = files["folder"] / "state.json"
    state.write_text('{"period": "2026-08", "currency": "CNY", "balances": []}', encoding="utf-8")
    for start in ({"carried": True}, {}, {"state": state}):  # September without August: refused, however begun
        gap = create(files, store, "2026-09", **start)
        assert gap.exit_code == 2
        assert "the store has no batch for the period just before 2026-09 (its latest earlier batch is for " \
               "2026-07)" in gap.output
    assert [tuple(r) for r in stored(store, "SELECT id FROM batches")] == [(1,)]
    # Nor can a period before the store's first be added: July's batch began from other balances
    june = create(files, store, "2026-06")
    assert june.exit_code == 2 and "the store already holds later periods (2026-07)" in june.output


def test_history_lists_a_collector_across_periods(files, store, monkeypatch):
    create(files, store, "2026-07")
    lock(monkeypatch, store, 1)
    create(files, store, "2026-08", carried=True)
    result = cli("history", "--collector", "C2", "--db", store)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "2026-07" in lines[1] and "200.00" in lines[1]
    assert "2026-08" in lines[2] and "150.00" in lines[2]


def login() -> str:
    """The real login name of this process, which a child process's commands act as."""
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _child(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_batch_creates_at_once_make_one_draft(files, store, monkeypatch):
    as_user(monkeypatch, "admin")
    assert cli("users", "add", login(), "--role", "preparer", "--db", store).exit_code == 0  # the children's login
    code = textwrap.dedent("""
        import sys
        from commission.cli import main
        sys.argv = ["commission", "batch", "create", "--policy", sys.argv[1], "--ledger", sys.argv[2],
                    "--period", "2026-07", "--out", sys.argv[3], "--db", sys.argv[4], "--first-period"]
        main()
    """)
    children = [_child(code, str(files["plan"]), str(files["ledger"]), str(files["folder"] / f"race-{i}"), store)
                for i in range(2)]
    codes = sorted(child.wait(timeout=120) for child in children)
    assert codes == [0, 2], [child.stderr.read() for child in children]
    assert len(stored(store, "SELECT id FROM batches")) == 1


def test_killing_a_write_midway_leaves_the_store_as_it_was(files, store):
    code = textwrap.dedent("""
        import sys, time
        from datetime import datetime, timezone
        from commission.periods import Period
        from commission.app.inputs import InputPaths
        from commission.app.runs import RunRequest, compute_period
        from commission.store import create_batch, open_store
        computed = compute_period(RunRequest(InputPaths(policies=[sys.argv[1]], ledgers=[sys.argv[2]]),
                                             period=Period.parse("2026-07"), first_period=True))
        engine = open_store(sys.argv[3])
        with engine.begin() as connection:
            create_batch(connection, computed.result, [], "reports", "", "killed", datetime.now(timezone.utc),
                         datetime.now(timezone.utc).date())
            print("written, not committed", flush=True)
            time.sleep(60)
    """)
    child = _child(code, str(files["plan"]), str(files["ledger"]), store)
    assert child.stdout.readline().strip() == "written, not committed", child.stderr.read()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    for table in ("batches", "payouts", "items", "balances"):
        assert stored(store, f"SELECT count(*) FROM {table}")[0][0] == 0, table
    assert stored(store, "SELECT count(*) FROM events WHERE batch_id IS NOT NULL")[0][0] == 0
    assert create(files, store, "2026-07").exit_code == 0  # and the store still works


def test_a_quarter_cannot_be_batched_over_its_months(files, store):
    assert create(files, store, "2026-07").exit_code == 0
    quarter = create(files, store, "2026-Q3")
    assert quarter.exit_code == 2
    assert "batch 1 pays 2026-07, which overlaps 2026-Q3" in quarter.output


def test_statements_from_a_batch_show_the_year_to_date(files, store, monkeypatch):
    from openpyxl import load_workbook

    create(files, store, "2026-07", out=files["folder"] / "july")
    lock(monkeypatch, store, 1)
    create(files, store, "2026-08", out=files["folder"] / "august", carried=True)
    act(monkeypatch, store, "approve", 2)  # the year to date counts approved batches only
    result = cli("statements", "--batch", 2, "--db", store, "--lang", "en", "--out", files["folder"] / "st",
                 "--jobs", 1)
    assert result.exit_code == 0, result.output
    summary = load_workbook(files["folder"] / "st" / "C2-2026-08.xlsx").worksheets[0]
    rows = [[c.value for c in row] for row in summary.iter_rows()]
    header = next(r for r in rows if r[:3] == ["Pay code", "Amount", "Year to date (approved batches)"])
    commission = rows[rows.index(header) + 1]
    # C2: July 4,000 x 5% = 200.00, August 3,000 x 5% = 150.00: year to date 350.00
    assert commission[0] == "Commission"
    assert (Decimal(str(commission[1])), Decimal(str(commission[2]))) == (Decimal("150.00"), Decimal("350.00"))
