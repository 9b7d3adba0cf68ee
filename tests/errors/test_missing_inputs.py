"""`commission run` on the bundled sample with inputs left out or unreadable: every missing or unreadable
input of the run is named in one message (README: every problem is printed at once), each naming the
option to give and what reads it, never a follow-on problem of an input that is not there."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from commission.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data"
PLANS = REPO / "policies"
EVENTS = ("--events: needed for 2026-09 and not given: give --events, a file with event_id, collector_id, date, "
          "type, severity, score: plan card-bucket-rates reads it for conduct; plan card-tiered reads it for "
          "conduct, conduct-quarter, quality, q-holdback")
TARGETS = ("--targets: needed for 2026-09 and not given: give --targets, a file with collector_id, period, target: "
           "plan card-tiered reads it for quarter-target")


def run(tmp_path: Path, *args, policy: Path = PLANS) -> list[str]:
    """The run's problems (stderr lines), after checking it wrote nothing and exited with 2."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(policy), "--ledger", str(SAMPLE / "ledger.csv"),
                                       "--period", "2026-09", "--out", str(out), *map(str, args)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    return result.stderr.splitlines()


def test_every_missing_input_is_named_in_one_run(tmp_path):
    """No --targets and no --events (the sample plans read both in September): both at once."""
    assert run(tmp_path, "--roster", SAMPLE / "roster.csv", "--assignments", SAMPLE / "assignments.csv",
               "--state", SAMPLE / "state-2026-08.json") == [TARGETS, EVENTS, "error: 2 problems; nothing was written"]


def test_missing_and_unreadable_inputs_and_options_come_together(tmp_path):
    """A missing state, roster and events, and a ledger and a targets file that cannot be read: one message."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(PLANS), "--ledger", str(tmp_path / "no-ledger.csv"),
                                       "--targets", str(tmp_path / "no-targets.csv"), "--period", "2026-09",
                                       "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines() == [
        "--state: pay carries balances from period to period (negative balances after clawbacks, and any "
        "holdbacks, draws or held pay): give --state with the state.json of the previous period's run, or "
        "--first-period if balances start from zero now",
        "--roster: needed for 2026-09 and not given: give --roster, a file with collector_id, name, team, "
        "employee_id, manager_id, plan: several plans were given (card-bucket-rates, card-tiered); its plan column "
        "says which plan pays each collector; plan card-tiered reads it for lead-override",
        EVENTS,
        f"{tmp_path / 'no-ledger.csv'}: cannot read file: No such file or directory",
        f"{tmp_path / 'no-targets.csv'}: cannot read file: No such file or directory",
        "error: 5 problems; nothing was written"]


def test_no_roster_with_several_plans_asks_for_the_roster(tmp_path):
    assert run(tmp_path, "--targets", SAMPLE / "targets.csv", "--events", SAMPLE / "events.csv",
               "--state", SAMPLE / "state-2026-08.json") == [
        "--roster: needed for 2026-09 and not given: give --roster, a file with collector_id, name, team, "
        "employee_id, manager_id, plan: several plans were given (card-bucket-rates, card-tiered); its plan column "
        "says which plan pays each collector; plan card-tiered reads it for lead-override",
        "error: 1 problem; nothing was written"]


def test_no_roster_with_one_plan_paying_team_leads_asks_for_the_roster(tmp_path):
    assert run(tmp_path, "--targets", SAMPLE / "targets.csv", "--events", SAMPLE / "events.csv", "--first-period",
               policy=PLANS / "tiered.yaml") == [
        "--roster: needed for 2026-09 and not given: give --roster, a file with collector_id, name, team, "
        "employee_id, manager_id, plan: plan card-tiered reads it for lead-override",
        "error: 1 problem; nothing was written"]


def test_one_plan_without_team_leads_needs_no_roster(tmp_path):
    """Control: bucket-rates reads only events, so with them given (no roster, no targets) it pays."""
    result = CliRunner().invoke(main, [
        "run", "--policy", str(PLANS / "bucket-rates.yaml"), "--ledger", str(SAMPLE / "ledger.csv"), "--events",
        str(SAMPLE / "events.csv"), "--period", "2026-09", "--out", str(tmp_path / "out"), "--first-period"])
    assert result.exit_code == 0, result.output


def test_an_input_read_only_at_the_quarter_end_is_not_needed_before(tmp_path):
    """The quarter's target bonus pays in September, not in August: August's run needs no targets."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "run", "--policy", str(PLANS), "--ledger", str(SAMPLE / "ledger.csv"), "--roster", str(SAMPLE / "roster.csv"),
        "--period", "2026-08", "--out", str(out), "--first-period"])
    assert result.exit_code == 2
    assert [line.split(":")[0] for line in result.stderr.splitlines()[:-1]] == ["--events"]


def test_a_wrong_file_given_is_one_problem_not_one_per_missing_column(tmp_path):
    """The roster given as --events lacks event_id, date and type: one mistake, one line."""
    roster = SAMPLE / "roster.csv"
    assert run(tmp_path, "--roster", roster, "--targets", SAMPLE / "targets.csv", "--events", roster,
               "--state", SAMPLE / "state-2026-08.json") == [
        f"{roster}:row 1: event_id, date, type: are required columns, missing from the header (found: collector_id, "
        "name, team, employee_id, manager_id, start_date, end_date, plan)",
        "error: 1 problem; nothing was written"]


def test_a_ledger_and_a_roster_missing_columns_say_so_once_each(tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("payment_id,collector_id,account_id,payment_date,amount\nP1,C1,A1,2026-09-01,10.00\n",
                      encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("collector_id,name\nC1,王芳\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(PLANS / "bucket-rates.yaml"), "--ledger", str(ledger),
                                       "--roster", str(roster), "--events", str(SAMPLE / "events.csv"),
                                       "--first-period", "--period", "2026-09", "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines() == [
        f"{ledger}:row 1: days_past_due, balance: are required columns, missing from the header (found: payment_id, "
        "collector_id, account_id, payment_date, amount)",
        f"{roster}:row 1: team, employee_id: are required roster columns, missing from the header (found: "
        "collector_id, name)",
        "error: 2 problems; nothing was written"]
