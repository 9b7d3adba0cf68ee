"""`commission run` with inputs a user can get wrong: exit code 2, a file:row / file:line message,
no traceback, and nothing written to --out (not even a half-written or temporary folder)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.errors import MAX_LISTED_PROBLEMS

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "tests" / "fixtures" / "bad_policies" / "valid_plan.yaml"  # stable, unlike the bundled plans
BAD_LEDGERS = REPO / "tests" / "fixtures" / "bad_ledgers"
VALID = BAD_LEDGERS / "valid.csv"  # 4 payments by C01 and C02, 2026-10-03 to 2026-10-15
HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"



def run(tmp_path: Path, *args: str, policy: Path = POLICY, ledger: Path = VALID, period: str = "2026-10",
        out: Path | None = None):
    out = out or tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(policy), "--ledger", str(ledger), "--period", period,
                                       "--out", str(out), "--first-period", *args])
    return result, out


def assert_user_error(result, out: Path, tmp_path: Path) -> list[str]:
    """Exit 2 cleanly (SystemExit, no traceback), nothing on stdout, no report folder; return stderr lines."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not out.exists()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert leftovers == [], "temporary folders left behind"
    return result.stderr.splitlines()


def test_a_good_run_writes_reports(tmp_path):
    """Control: with good inputs the same command succeeds, so each failure below is the fault's doing."""
    result, out = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert (out / "payouts.csv").is_file() and (out / "manifest.json").is_file()


# -- bad ledgers -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    pytest.param("amount_too_many_decimals", ["{ledger}:row 3: amount: 12.345 has more than 2 decimal places"],
                 id="decimals"),
    pytest.param("amount_decimal_comma", ["{ledger}:row 4: amount: '12,50' is not a number "
                                          "(write e.g. 1234.50, no separators)"], id="decimal-comma"),
    pytest.param("duplicate_payment_id", ["{ledger}:row 5: payment_id: duplicate payment_id 'P0001' "
                                          "(also at {ledger}:row 3); to split one payment between collectors, give "
                                          "each a row with a credit_share column"], id="duplicate-id"),
    pytest.param("missing_column", ["{ledger}:row 1: days_past_due: is a required column, missing from the header "
                                    "(found: payment_id, collector_id, account_id, payment_date, amount, balance)"],
                 id="missing-column"),
    pytest.param("balance_negative", ["{ledger}:row 3: balance: -100.00 is negative"], id="negative-balance"),
])
def test_bad_ledger_row_is_named_and_nothing_is_written(tmp_path, name, expected):
    ledger = BAD_LEDGERS / f"{name}.csv"
    result, out = run(tmp_path, ledger=ledger)
    lines = assert_user_error(result, out, tmp_path)
    assert lines == [line.format(ledger=ledger) for line in expected] + \
        ["error: 1 problem; nothing was written"]


def test_many_bad_rows_are_listed_to_the_limit_and_counted(tmp_path):
    ledger = BAD_LEDGERS / "many_bad_amounts.csv"
    result, out = run(tmp_path, ledger=ledger)
    lines = assert_user_error(result, out, tmp_path)
    limit = MAX_LISTED_PROBLEMS
    assert len(lines) == limit + 2
    assert lines[0] == f"{ledger}:row 2: amount: 1.015 has more than 2 decimal places"
    assert lines[limit - 1] == f"{ledger}:row {limit + 1}: amount: {limit}.{limit:02d}5 has more than 2 decimal places"
    assert lines[limit:] == [f"... and {80 - limit} more problems of the same kinds",
                             "error: 80 problems; nothing was written"]


def test_row_no_bucket_covers_is_named(tmp_path):
    """A problem found by the engine (days_past_due 0 is in no bucket) is still a row-level user error."""
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(f"{HEADER}\nP0001,C01,6222000011112222,2026-10-03,1200.00,12,4800.00\n"
                      "P0002,C01,6222000011113333,2026-10-05,300.50,0,12000.00\n", encoding="utf-8")
    result, out = run(tmp_path, ledger=ledger)
    lines = assert_user_error(result, out, tmp_path)
    assert lines[0] == (f"{ledger}:row 3: days_past_due: days_past_due 0 falls in no bucket "
                        "(M1 [1, 30], M2 [31, 60], M3 [61, 90], M4-6 [91, 180], M7+ [181, inf))")


def test_missing_ledger_file(tmp_path):
    ledger = tmp_path / "no_such_ledger.csv"
    result, out = run(tmp_path, ledger=ledger)
    lines = assert_user_error(result, out, tmp_path)
    assert lines[0] == f"{ledger}: cannot read file: No such file or directory"


def test_real_process_prints_the_row_on_stderr_without_traceback(tmp_path):
    """The installed-script path end to end: real stderr, real exit status."""
    ledger = BAD_LEDGERS / "amount_too_many_decimals.csv"
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "cli.py", "run", "--first-period", "--policy", str(POLICY),
                           "--ledger", str(ledger), "--period", "2026-10", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"{ledger}:row 3: amount: 12.345 has more than 2 decimal places\n"
                           "error: 1 problem; nothing was written\n")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# -- period ------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "10/2026", "2026-1"])
def test_malformed_period(tmp_path, period):
    result, out = run(tmp_path, period=period)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"Invalid value for '--period': '{period}' is not a period; write a month 2026-09, a quarter 2026-Q3 " \
           "or a year 2026" in result.stderr
    assert not out.exists()


def test_period_with_no_ledger_rows(tmp_path):
    result, out = run(tmp_path, period="2026-05")  # the plan is in force, the ledger is all October
    lines = assert_user_error(result, out, tmp_path)
    assert re.fullmatch(r"--period: (period: )?no ledger rows fall in 2026-05 \(2026-05-01 to 2026-05-31\); "
                        r"the ledger covers 2026-10-03 to 2026-10-15", lines[0]), lines[0]


def test_period_with_no_ledger_rows_names_the_option_once(tmp_path):
    result, _ = run(tmp_path, period="2026-05")
    assert result.stderr.startswith("--period: no ledger rows fall in 2026-05")


def test_period_before_the_plan_starts_reports_the_plan_not_the_ledger(tmp_path):
    """2025-01 is both before the plan and outside the ledger; the plan is checked first."""
    result, out = run(tmp_path, period="2025-01")
    lines = assert_user_error(result, out, tmp_path)
    assert lines[0].endswith("effective: no version of plan card-bucket-rates is in force on 2025-01-31 (the last "
                             "day of 2025-01): version 1 from 2026-01-01")


# -- plan not in force -------------------------------------------------------------

@pytest.fixture
def future_policy(tmp_path) -> Path:
    text = POLICY.read_text(encoding="utf-8")
    assert "\neffective: 2026-01-01\n" in text
    path = tmp_path / "future.yaml"
    path.write_text(text.replace("\neffective: 2026-01-01\n", "\neffective: 2027-01-01\n"), encoding="utf-8")
    return path


def test_plan_not_in_force(tmp_path, future_policy):
    result, out = run(tmp_path, policy=future_policy)
    lines = assert_user_error(result, out, tmp_path)
    assert re.fullmatch(re.escape(str(future_policy)) + r":\d+: effective: no version of plan card-bucket-rates is "
                        r"in force on 2026-10-31 \(the last day of 2026-10\): version 1 from 2027-01-01", lines[0]), lines[0]


def test_plan_not_in_force_points_at_the_effective_line(tmp_path, future_policy):
    result, _ = run(tmp_path, policy=future_policy)
    assert result.stderr.startswith(f"{future_policy}:4: effective: ")


# -- roster --------------------------------------------------------------------------

def test_collector_not_on_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("collector_id,name,team,employee_id\nC01,Li Lei,T1,E001\n", encoding="utf-8")
    result, out = run(tmp_path, "--roster", str(roster))
    lines = assert_user_error(result, out, tmp_path)
    # valid.csv: C02's first payment is P0003, the third record (row 4).
    assert lines == [f"{VALID}:row 4: collector_id: collector 'C02' is not on the roster {roster}",
                     "error: 1 problem; nothing was written"]


# -- --out ---------------------------------------------------------------------------

def test_out_folder_holding_other_files_is_refused_and_untouched(tmp_path):
    busy = tmp_path / "busy"
    (busy / "sub").mkdir(parents=True)
    (busy / "notes.txt").write_text("keep me\n", encoding="utf-8")
    (busy / "payouts.csv").write_text("an earlier run's report\n", encoding="utf-8")
    (busy / "sub" / "x.csv").write_text("x\n", encoding="utf-8")
    before = {p.relative_to(busy): p.read_bytes() for p in busy.rglob("*") if p.is_file()}
    result, _ = run(tmp_path, out=busy)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{busy}: --out: exists and holds other files (notes.txt, payouts.csv, sub); choose a new or empty "
        "folder",
        "error: 1 problem; nothing was written"]
    after = {p.relative_to(busy): p.read_bytes() for p in busy.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]  # no temporary folder left beside it


def test_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder\n", encoding="utf-8")
    result, _ = run(tmp_path, out=target)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "not a folder\n"


def test_commands_that_write_nothing_do_not_say_nothing_was_written(tmp_path):
    """explain and lint only read: their problems end with the count alone, while run's (a writer) say
    that nothing was written."""
    result, out = run(tmp_path)
    assert result.exit_code == 0, result.output
    explained = CliRunner().invoke(main, ["explain", "--run", str(out), "--collector", "C99"])
    assert explained.exit_code == 2
    assert explained.stderr.splitlines() == ["--collector: 'C99' is not in the run for 2026-10",
                                             "error: 1 problem"]
    bad = REPO / "tests" / "fixtures" / "bad_policies" / "bucket_gap.yaml"
    linted = CliRunner().invoke(main, ["lint", str(bad)])
    assert linted.exit_code == 2 and linted.stderr.splitlines()[-1] == "error: 1 problem"
    written, _ = run(tmp_path, policy=bad, out=tmp_path / "other")
    assert written.exit_code == 2 and written.stderr.splitlines()[-1] == "error: 1 problem; nothing was written"
