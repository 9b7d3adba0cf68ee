"""A command only ever replaces a folder it owns, and a refused command changes nothing; leftovers of
dead commands are cleaned up by the next one; a period without repayments is refused unless meant."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from conftest import flat_plan
from commission.cli import main
from commission.outputs.atomic import _HOST

PLAN = flat_plan()
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-09-05,1000.00,10,5000
P2,C1,A1,2026-10-05,2000.00,10,5000
"""
ROSTER = "collector_id,name,team,employee_id\nC1,王芳,Team A,E1\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def cli(folder, *args):
    return CliRunner().invoke(main, [str(a) for a in args])


def store(path):
    """A store set up for one operator (whoever runs the tests), as a small agency would."""
    assert cli(None, "setup", "--single-operator", "--db", path).exit_code == 0
    return path


def inputs(folder, period):
    return ["--policy", folder / "plan.yaml", "--ledger", folder / "ledger.csv", "--roster", folder / "roster.csv",
            "--period", period, "--first-period"]


def snapshot(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_a_rerun_replaces_its_own_reports_but_never_another_periods(folder):
    out = folder / "reports"
    assert cli(folder, "run", *inputs(folder, "2026-10"), "--out", out).exit_code == 0
    assert cli(folder, "run", *inputs(folder, "2026-10"), "--out", out).exit_code == 0  # the same run again
    before = snapshot(out)
    other = cli(folder, "run", *inputs(folder, "2026-09"), "--out", out)
    assert other.exit_code == 2
    assert other.output.splitlines()[0] == (f"{out}: --out: holds the reports of a run for 2026-10; choose another "
                                            "folder for this run of 2026-09")
    assert snapshot(out) == before


def test_a_batchs_reports_are_never_replaced_by_a_run_or_another_batch(folder):
    db, reports = store(folder / "store.db"), folder / "batches" / "2026-10"
    assert cli(folder, "batch", "create", *inputs(folder, "2026-10"), "--out", reports, "--db", db).exit_code == 0
    for action in ("approve", "lock", "mark-paid"):
        assert cli(folder, "batch", action, 1, "--db", db).exit_code == 0
    before = snapshot(reports)
    run = cli(folder, "run", *inputs(folder, "2026-10"), "--out", reports)
    assert run.exit_code == 2 and "holds the reports of batch 1" in run.output
    again = cli(folder, "batch", "create", *inputs(folder, "2026-10"), "--out", reports, "--db", db)
    assert again.exit_code == 2
    assert again.output.splitlines()[0] == (f"{reports}: --out: holds the reports of batch 1; a batch's reports go "
                                            "into a new or empty folder")
    assert snapshot(reports) == before


def test_a_refused_batch_create_leaves_the_folder_it_was_given(folder):
    db = store(folder / "store.db")
    assert cli(folder, "batch", "create", *inputs(folder, "2026-10"), "--out", folder / "b1", "--db", db).exit_code == 0
    waiting = folder / "b2"
    waiting.mkdir()  # an empty folder made ready for the batch: it may be written, and must survive a refusal
    overlapping = cli(folder, "batch", "create", *inputs(folder, "2026-Q4"), "--out", waiting, "--db", db)
    assert overlapping.exit_code == 2
    assert "batch 1 pays 2026-10, which overlaps 2026-Q4" in overlapping.output
    assert waiting.is_dir() and not any(waiting.iterdir())


def test_statements_of_another_source_are_never_replaced(folder):
    for period in ("2026-09", "2026-10"):
        assert cli(folder, "run", *inputs(folder, period), "--out", folder / period).exit_code == 0
    shared = folder / "statements"
    assert cli(folder, "statements", "--run", folder / "2026-09", "--out", shared).exit_code == 0
    before = snapshot(shared)
    other = cli(folder, "statements", "--run", folder / "2026-10", "--out", shared)
    assert other.exit_code == 2
    assert f"holds the statements of the run in {(folder / '2026-09').resolve()}" in other.output
    assert snapshot(shared) == before
    assert cli(folder, "statements", "--run", folder / "2026-09", "--out", shared, "--lang", "en").exit_code == 0


def test_leftovers_of_dead_commands_are_removed_and_a_live_ones_kept(folder):
    dead, live = 2**22 + 12345, os.getpid()  # a pid above the kernel's default limit is never in use
    for pid, what in ((dead, "tmp"), (dead, "old"), (live, "tmp")):
        (folder / f".reports.{what}-{_HOST}-{pid}-0123abcd").mkdir()
    assert cli(folder, "run", *inputs(folder, "2026-10"), "--out", folder / "reports").exit_code == 0
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert left == [f".reports.tmp-{_HOST}-{live}-0123abcd"]


def test_a_period_without_repayments_is_refused_unless_meant(folder):
    store(folder / "s.db")
    refused = cli(folder, "batch", "create", *inputs(folder, "2026-11"), "--out", folder / "b", "--db",
                  folder / "s.db")
    assert refused.exit_code == 2
    assert refused.output.splitlines()[0] == (
        "--period: no ledger rows fall in 2026-11 (2026-11-01 to 2026-11-30); the ledger covers 2026-09-05 to "
        "2026-10-05: a period with no repayments is paid only when that is meant (--allow-no-repayments, for "
        "draws or balances still due)")
    assert not (folder / "b").exists()
    meant = cli(folder, "batch", "create", *inputs(folder, "2026-11"), "--allow-no-repayments", "--out", folder / "b",
                "--db", folder / "s.db")
    assert meant.exit_code == 0, meant.output
    assert "the roster is paid on no recovery" in meant.output
