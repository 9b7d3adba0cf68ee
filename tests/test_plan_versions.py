"""Effective dating and several plans in one run: who is paid under which version, worked by hand."""

import csv
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.engine import pay_period
from commission.errors import InputError
from commission.inputs import load_ledger
from commission.periods import Period
from commission.policy import load_policies


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def flat_plan(plan: str, version: int, effective: str, rate: str) -> str:
    return f"""
        plan: {plan}
        version: {version}
        effective: {effective}
        currency: CNY
        components:
          - id: base
            kind: line_rate
            rates:
              - {{rate: {rate}}}
    """


@pytest.fixture
def files(tmp_path):
    plans = tmp_path / "policies"
    plans.mkdir()
    write(plans / "a-v1.yaml", flat_plan("plan-a", 1, "2026-01-01", "5%"))
    write(plans / "a-v2.yaml", flat_plan("plan-a", 2, "2026-10-01", "6%"))
    write(plans / "b-v1.yaml", flat_plan("plan-b", 1, "2026-01-01", "10%"))
    ledger = write(tmp_path / "ledger.csv", """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
        P1,C1,A1,2026-09-10,1000.00,10,5000
        P2,C1,A2,2026-10-10,1000.00,10,5000
        P3,C2,A3,2026-10-11,1000.00,10,5000
    """)
    roster = write(tmp_path / "roster.csv", """
        collector_id,name,team,employee_id,plan
        C1,王芳,Team A,E1,plan-a
        C2,李强,Team A,E2,plan-b
    """)
    return tmp_path, plans, ledger, roster


def run(folder: Path, *args: str):
    """Each period's reports in a folder of their own (a run never replaces another period's reports)."""
    out = folder / f"out-{args[args.index('--period') + 1]}"
    result = CliRunner().invoke(main, ["run", *args, "--out", str(out), "--first-period"])
    rows = list(csv.DictReader(open(out / "payouts.csv", encoding="utf-8"))) if result.exit_code == 0 else []
    return result, {row["collector_id"]: row for row in rows}


def test_the_version_in_force_on_the_last_day_applies_and_the_roster_says_which_plan(files):
    folder, plans, ledger, roster = files
    # September: plan-a v1 (5%): C1 1,000.00 x 5% = 50.00
    result, payouts = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--roster", str(roster),
                          "--period", "2026-09")
    assert result.exit_code == 0, result.output
    assert (payouts["C1"]["version"], payouts["C1"]["net_payout"]) == ("1", "50.00")
    assert payouts["C2"]["net_payout"] == "0.00"  # on the roster, plan-b, nothing recovered in September
    # October: plan-a v2 (6%) for C1: 60.00 ; plan-b v1 (10%) for C2: 100.00
    result, payouts = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--roster", str(roster),
                          "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert [(c, r["plan"], r["version"], r["net_payout"]) for c, r in payouts.items()] == [
        ("C1", "plan-a", "2", "60.00"), ("C2", "plan-b", "1", "100.00")]
    manifest = (folder / "out-2026-10" / "manifest.json").read_text(encoding="utf-8")
    assert '"id": "plan-a"' in manifest and '"id": "plan-b"' in manifest


def test_several_plans_need_the_roster_to_say_who_is_on_which(files):
    folder, plans, ledger, _ = files
    result, _ = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--period", "2026-10")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "--roster: needed for 2026-10 and not given: give --roster, a file with collector_id, name, team, "
        "employee_id, manager_id, plan: several plans were given (plan-a, plan-b); its plan column says which plan "
        "pays each collector")


def test_several_plans_and_a_roster_without_a_plan_column_ask_for_the_column(files):
    folder, plans, ledger, _ = files
    roster = write(folder / "no-plans.csv", """
        collector_id,name,team,employee_id
        C1,王芳,Team A,E1
        C2,李强,Team A,E2
    """)
    result, _ = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--roster", str(roster),
                    "--period", "2026-10")
    assert result.stderr.splitlines()[0] == ("--roster: plan: several plans were given (plan-a, plan-b); the roster "
                                             "needs a plan column saying which plan pays each collector")


def test_the_engine_without_a_roster_says_none_was_given(files):
    """Callers of the engine (not through a run's input checks) hear that the roster is missing, not its column."""
    folder, plans, ledger, _ = files
    policies = load_policies([plans])
    frame = load_ledger([ledger], 2).frame
    with pytest.raises(InputError) as caught:
        pay_period(policies, frame, Period.parse("2026-10"))
    assert str(caught.value) == ("roster: plan: several plans were given (plan-a, plan-b); no roster was given "
                                 "saying which plan pays each collector")


def test_a_roster_naming_an_unknown_plan_is_an_error(files):
    folder, plans, ledger, _ = files
    roster = write(folder / "other.csv", """
        collector_id,name,team,employee_id,plan
        C1,王芳,Team A,E1,plan-z
        C2,李强,Team A,E2,plan-b
    """)
    result, _ = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--roster", str(roster),
                    "--period", "2026-10")
    assert result.exit_code == 2
    assert "collector C1: plan 'plan-z' is not among the plans given (plan-a, plan-b)" in result.output


def test_two_files_with_the_same_plan_version_are_refused(files):
    folder, plans, ledger, _ = files
    write(plans / "a-v2-copy.yaml", flat_plan("plan-a", 2, "2026-11-01", "7%"))
    result, _ = run(folder, "--policy", str(plans), "--ledger", str(ledger), "--period", "2026-10")
    assert result.exit_code == 2
    assert "plan plan-a version 2 is also defined in" in result.output
