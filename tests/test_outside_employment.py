"""Ledger rows dated outside a collector's employment (roster start_date / end_date): refused by default,
or paid or skipped as each collector's own plan says (leavers: {after_end, before_start}). Every number
is worked out by hand from the plan."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import flat_plan, payout
from commission.cli import main
from commission.engine import SideInputs, pay_period, pay_plan
from commission.engine.credit import credited_amounts
from commission.errors import InputError
from commission.inputs import load_ledger, load_roster
from commission.periods import Period
from commission.policy import parse_policy

HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"
#: C1 left on 15 October, C2 joined on 10 October, C3 is employed throughout.
ROSTER = """
collector_id,name,team,employee_id,start_date,end_date
C1,王芳,Team A,E1001,2020-01-01,2026-10-15
C2,李强,Team A,E1002,2026-10-10,
C3,张伟,Team B,E1003,2020-01-01,
"""
#: File rows: P1 is row 2, P2 row 3, P3 row 4 ... R2 row 8.
OUTSIDE = """
P1,C1,A0001,2026-10-05,10000.00,20,50000.00,
P2,C1,A0002,2026-10-20,4000.00,20,50000.00,
P3,C2,A0003,2026-10-06,2000.00,20,50000.00,
P4,C2,A0004,2026-10-12,6000.00,20,50000.00,
P5,C3,A0005,2026-10-08,8000.00,20,50000.00,
R1,C1,A0001,2026-10-25,-1000.00,20,50000.00,P1
R2,C1,A0002,2026-10-28,-1000.00,20,50000.00,P2
"""
SKIP = "leavers: {after_end: skip, before_start: skip}\n"
PAY = "leavers: {after_end: pay, before_start: pay}\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


def run(folder: Path, plans, rows: str, roster: str = ROSTER, period: str = "2026-10", header: str = HEADER,
        side: SideInputs = SideInputs()):
    """pay_period, as a run calls it, on the plans (YAML texts), ledger rows and roster given."""
    policies = tuple(parse_policy(text, source=f"plan{i}.yaml") for i, text in enumerate([plans] if isinstance(
        plans, str) else plans))
    ledger = load_ledger([_write(folder, "ledger.csv", f"{header}\n{textwrap.dedent(rows).strip()}")], 2)
    return pay_period(policies, ledger.frame, Period.parse(period), load_roster(_write(folder, "roster.csv",
                                                                                        roster)).frame, side)


def line(result, payment_id: str) -> int:
    rows = result.lines.loc[result.lines["payment_id"] == payment_id, "amount"]
    assert len(rows) == 1, f"{payment_id}: {len(rows)} lines"
    return int(rows.iloc[0])


# --- refuse, the default ----------------------------------------------------------------------------------

def test_by_default_rows_outside_employment_are_refused_with_file_row_collector_and_dates(tmp_path):
    with pytest.raises(InputError) as caught:
        run(tmp_path, flat_plan("outside"), OUTSIDE)
    problems = caught.value.problems
    assert [p.where.rsplit("/", 1)[-1] for p in problems] == ["ledger.csv:row 3", "ledger.csv:row 4"]
    assert {p.key for p in problems} == {"payment_date"}
    assert problems[0].message.startswith("2026-10-20 is after collector C1's end_date 2026-10-15 (roster)")
    assert "say in plan outside what to do with such rows: leavers: {after_end: pay} or {after_end: skip}" \
        in problems[0].message
    assert problems[1].message.startswith("2026-10-06 is before collector C2's start_date 2026-10-10 (roster)")
    assert problems[1].message.endswith("leavers: {before_start: pay} or {before_start: skip}")
    # R1 and R2 are dated after C1 left too, but a reversal is never refused for its date


def test_one_problem_per_row_up_to_the_usual_limit(tmp_path):
    rows = "\n".join(f"P{i:02d},C1,A0001,2026-10-{16 + i % 15:02d},100.00,20,5000.00," for i in range(60))
    with pytest.raises(InputError) as caught:
        run(tmp_path, flat_plan(), rows)
    assert len(caught.value.problems) == 50 and caught.value.hidden == 10


def test_the_last_day_employed_and_the_first_are_inside(tmp_path):
    # Both dates are days employed: a row on 15 October (C1's end_date) and on 10 October (C2's start)
    result = run(tmp_path, flat_plan(), """
        P1,C1,A0001,2026-10-15,1000.00,20,5000.00,
        P2,C2,A0002,2026-10-10,2000.00,20,5000.00,
    """)
    assert payout(result, "C1") == 5000 and payout(result, "C2") == 10000  # 1,000.00 and 2,000.00 x 5%


def test_a_bounce_booked_after_leaving_still_claws_back(tmp_path):
    # September: P0 20,000.00 x 5% = 1,000.00 paid. C1 leaves on 15 September; P0 bounces in full on
    # 5 October: the clawback of 1,000.00 is booked, and with nothing to set it against it is carried.
    roster = ROSTER.replace("2026-10-15", "2026-09-15")
    rows = """
        P0,C1,A0001,2026-09-10,20000.00,20,50000.00,
        R0,C1,A0001,2026-10-05,-20000.00,20,50000.00,P0
        P5,C3,A0005,2026-10-08,8000.00,20,50000.00,
    """
    result = run(tmp_path, flat_plan(), rows, roster=roster)
    assert line(result, "R0") == -100000
    assert payout(result, "C1") == 0
    assert result.state.loc[result.state["collector_id"] == "C1", "amount"].tolist() == [100000]


# --- skip ----------------------------------------------------------------------------------------------------

def test_skipped_rows_are_paid_nothing_and_listed(tmp_path):
    result = run(tmp_path, flat_plan("outside", extra=SKIP), OUTSIDE)
    # C1: P1 10,000.00 x 5% = 500.00; R1 claws back 500.00 x 1,000 / 10,000 = 50.00; P2 and R2 skipped
    assert line(result, "P1") == 50000 and line(result, "R1") == -5000
    assert not result.lines["payment_id"].isin(["P2", "R2", "P3"]).any()
    assert payout(result, "C1", "recovered") == 900000 and payout(result, "C1") == 45000
    # C2: P3 skipped (before joining), P4 6,000.00 x 5% = 300.00; C3: 8,000.00 x 5% = 400.00
    assert payout(result, "C2", "recovered") == 600000 and payout(result, "C2") == 30000
    assert payout(result, "C3") == 40000
    skipped = result.skipped
    assert skipped[["payment_id", "collector_id", "reason", "reverses", "plan", "row"]].values.tolist() == [
        ["P2", "C1", "after_end", "", "outside", 3],
        ["R2", "C1", "reverses_skipped", "P2", "outside", 8],
        ["P3", "C2", "before_start", "", "outside", 4]]
    assert skipped["amount"].tolist() == [400000, -100000, 200000]
    assert [str(d.date()) for d in skipped["payment_date"]] == ["2026-10-20", "2026-10-28", "2026-10-06"]
    assert [str(d.date()) for d in skipped["end_date"][:2]] == ["2026-10-15", "2026-10-15"]
    assert str(skipped["start_date"].iat[2].date()) == "2026-10-10" and pd.isna(skipped["end_date"].iat[2])
    assert result.counts["rows_read"] == 7 and result.counts["rows_used"] == 4
    assert result.counts["rows_skipped"] == 3 and result.counts["rows_excluded"] == 0
    assert any(w.startswith("C1: 1 ledger row dated after their end_date 2026-10-15 skipped, as plan outside says")
               for w in result.warnings)
    assert any(w.startswith("C2: 1 ledger row dated before their start_date 2026-10-10 skipped")
               for w in result.warnings)


def test_counts_reconcile_with_rows_outside_every_window(tmp_path):
    # A September row is read and excluded (outside the October run's window); it is not skipped
    rows = OUTSIDE + "P9,C3,A0009,2026-09-30,500.00,20,50000.00,\n"
    counts = run(tmp_path, flat_plan(extra=SKIP), rows).counts
    assert (counts["rows_read"], counts["rows_used"], counts["rows_skipped"], counts["rows_excluded"]) == (8, 4, 3, 1)


def test_pay_pays_them_as_before(tmp_path):
    result = run(tmp_path, flat_plan(extra=PAY), OUTSIDE)
    # C1: 500.00 + 200.00 - 50.00 - (200.00 x 1,000 / 4,000 = 50.00) = 600.00; C2: 100.00 + 300.00
    assert line(result, "R2") == -5000
    assert payout(result, "C1") == 60000 and payout(result, "C2") == 40000 and payout(result, "C3") == 40000
    assert not len(result.skipped) and result.counts["rows_skipped"] == 0


def test_after_end_and_before_start_are_separate_choices(tmp_path):
    # Skip after leaving, refuse before joining: P3 is refused, P2 is not
    with pytest.raises(InputError) as caught:
        run(tmp_path, flat_plan(extra="leavers: {after_end: skip}\n"), OUTSIDE)
    assert [p.where.rsplit("/", 1)[-1] for p in caught.value.problems] == ["ledger.csv:row 4"]
    # Pay before joining, skip after leaving: C2 100.00 + 300.00, C1 450.00
    result = run(tmp_path, flat_plan(extra="leavers: {after_end: skip, before_start: pay}\n"), OUTSIDE)
    assert payout(result, "C2") == 40000 and payout(result, "C1") == 45000
    assert result.skipped["payment_id"].tolist() == ["P2", "R2"]


def test_the_last_period_rule_still_applies_to_what_is_paid(tmp_path):
    # C1 left before 31 October: with last_period: hold the 450.00 (P1 less R1) is held; P2 is skipped
    result = run(tmp_path, flat_plan(extra="leavers: {last_period: hold, after_end: skip, before_start: skip}\n"),
                 OUTSIDE)
    assert payout(result, "C1") == 0
    assert result.state.loc[(result.state["collector_id"] == "C1") & (result.state["balance"] == "held"),
                            "amount"].tolist() == [45000]


TEAM_PLAN = """
plan: {plan}
version: 1
effective: 2026-01-01
currency: CNY
{leavers}
components:
  - id: volume
    kind: tiers
    mode: whole
    tiers:
      - {{from: 0, to: 10000, rate: 0%}}
      - {{from: 10000, rate: 2%}}
  - id: big
    kind: bonus
    kpi: recovered
    steps:
      - {{at_least: 10000.00, rate: 1%}}
  - id: lead
    kind: override
    base: team_recovered
    rate: 1%
"""
TEAM_ROSTER = """
collector_id,name,team,employee_id,manager_id,start_date,end_date,plan
L1,赵敏,Team A,E1000,,2020-01-01,,{lead_plan}
C1,王芳,Team A,E1001,L1,2020-01-01,2026-10-15,{plan}
"""
TEAM_ROWS = """
P1,C1,A0001,2026-10-05,8000.00,20,50000.00,
P2,C1,A0002,2026-10-20,4000.00,20,50000.00,
"""


@pytest.mark.parametrize("rule, c1, l1", [
    # skip: C1 recovered 8,000.00: below the 10,000.00 tier (0%) and the bonus step; L1: 1% of 8,000.00
    ("skip", 0, 8000),
    # pay: C1 recovered 12,000.00: whole tier 2% = 240.00, bonus 1% = 120.00; L1: 1% of 12,000.00
    ("pay", 36000, 12000),
])
def test_skipped_rows_count_in_no_tier_kpi_or_override(tmp_path, rule, c1, l1):
    plan = TEAM_PLAN.format(plan="team", leavers=f"leavers: {{after_end: {rule}}}")
    result = run(tmp_path, plan, TEAM_ROWS, roster=TEAM_ROSTER.format(plan="team", lead_plan="team"))
    assert payout(result, "C1") == c1 and payout(result, "L1") == l1


def test_each_collectors_own_plan_decides(tmp_path):
    # C1 and C2 on a plan that skips rows outside employment, C3 on one that refuses them
    plans = [flat_plan("skipping", extra=SKIP), flat_plan("refusing", rate="10%")]
    roster = ROSTER.replace("start_date,end_date", "start_date,end_date,plan").replace("2026-10-15", "2026-10-15,skipping")
    roster = roster.replace("2026-10-10,", "2026-10-10,,skipping").replace("2020-01-01,\n", "2020-01-01,,refusing\n")
    result = run(tmp_path, plans, OUTSIDE, roster=roster)
    assert payout(result, "C1") == 45000 and payout(result, "C2") == 30000
    assert payout(result, "C3") == 80000  # 8,000.00 x 10%
    assert result.skipped["plan"].tolist() == ["skipping"] * 3
    # A row of C3 dated before they joined is refused by C3's plan, alone
    late = roster.replace("C3,张伟,Team B,E1003,2020-01-01", "C3,张伟,Team B,E1003,2026-10-09")
    with pytest.raises(InputError) as caught:
        run(tmp_path, plans, OUTSIDE, roster=late)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].message.startswith("2026-10-08 is before collector C3's start_date 2026-10-09")
    assert "say in plan refusing what to do" in caught.value.problems[0].message


def test_a_reversal_of_a_payment_skipped_in_an_earlier_month_is_skipped(tmp_path):
    # C1 left on 15 September; P9 of 20 September was skipped in September's run (paid nothing), so
    # its reversal in October claws back nothing (else C1 would owe 50.00 never paid)
    roster = ROSTER.replace("2026-10-15", "2026-09-15")
    rows = """
        P9,C1,A0001,2026-09-20,1000.00,20,50000.00,
        R9,C1,A0001,2026-10-05,-1000.00,20,50000.00,P9
        P5,C3,A0005,2026-10-08,8000.00,20,50000.00,
    """
    result = run(tmp_path, flat_plan(extra=SKIP), rows, roster=roster)
    assert payout(result, "C1") == 0 and not len(result.state)
    assert result.skipped[["payment_id", "reason"]].values.tolist() == [["R9", "reverses_skipped"]]
    counts = result.counts
    assert (counts["rows_read"], counts["rows_used"], counts["rows_skipped"], counts["rows_excluded"]) == (3, 1, 1, 1)
    # pay_plan alone (as a simulation month calls it: this month's rows, every row as history) agrees
    policy = parse_policy(flat_plan(extra=SKIP))
    ledger = load_ledger([tmp_path / "ledger.csv"], 2).frame
    history = ledger.assign(amount=credited_amounts(ledger))
    october = history.loc[history["payment_date"] >= pd.Timestamp("2026-10-01")].reset_index(drop=True)
    alone = pay_plan(policy, october, Period.parse("2026-10"), load_roster(tmp_path / "roster.csv").frame,
                     history=history)
    assert alone.skipped["payment_id"].tolist() == ["R9"] and payout(alone, "C1") == 0


def test_a_split_payment_skips_only_the_share_of_the_collector_who_left(tmp_path):
    # P1 10,000.00 split half and half on 20 October: C1 (left on 15 October) is skipped 5,000.00,
    # C3 is paid 5,000.00 x 5% = 250.00
    rows = "P1,C1,A0001,2026-10-20,10000.00,20,50000.00,0.5\nP1,C3,A0001,2026-10-20,10000.00,20,50000.00,0.5"
    result = run(tmp_path, flat_plan(extra=SKIP), rows, header=HEADER.replace("reverses", "credit_share"))
    assert payout(result, "C3") == 25000 and payout(result, "C3", "recovered") == 500000
    assert payout(result, "C1") == 0
    assert result.skipped[["collector_id", "amount"]].values.tolist() == [["C1", 500000]]


def test_a_quarterly_component_checks_the_whole_quarter(tmp_path):
    # The September run of a quarterly component reads July: C1's row of 20 July, after leaving on
    # 15 July, is refused there (a monthly run of September would not read it)
    quarterly = flat_plan(extra="").replace("    kind: line_rate\n", "    kind: line_rate\n    pays: quarterly\n")
    roster = ROSTER.replace("2026-10-15", "2026-07-15")
    rows = """
        P1,C1,A0001,2026-07-20,1000.00,20,50000.00,
        P5,C3,A0005,2026-09-08,8000.00,20,50000.00,
    """
    with pytest.raises(InputError) as caught:
        run(tmp_path, quarterly, rows, roster=roster, period="2026-09")
    assert "2026-07-20 is after collector C1's end_date 2026-07-15" in caught.value.problems[0].message
    assert payout(run(tmp_path, flat_plan(), rows, roster=roster, period="2026-09"), "C3") == 40000


def test_without_employment_dates_nothing_is_outside(tmp_path):
    roster = "collector_id,name,team,employee_id\nC1,王芳,Team A,E1001\nC2,李强,Team A,E1002\nC3,张伟,Team B,E1003"
    result = run(tmp_path, flat_plan(), OUTSIDE, roster=roster)
    assert payout(result, "C1") == 60000 and not len(result.skipped)


# --- the plan language ---------------------------------------------------------------------------------------

def test_leavers_as_a_single_value_keeps_its_meaning():
    policy = parse_policy(flat_plan(extra="leavers: hold\n"))
    assert (policy.leavers, policy.rows_after_end, policy.rows_before_start) == ("hold", "refuse", "refuse")
    policy = parse_policy(flat_plan(extra="leavers: {last_period: forfeit, after_end: skip, before_start: pay}\n"))
    assert (policy.leavers, policy.rows_after_end, policy.rows_before_start) == ("forfeit", "skip", "pay")
    assert parse_policy(flat_plan()).rows_after_end == "refuse"


@pytest.mark.parametrize("leavers, message", [
    ("{after_end: ignore}", "plan.yaml:10: leavers.after_end: 'ignore' is not one of: refuse, pay, skip"),
    ("{before_start: hold}", "plan.yaml:10: leavers.before_start: 'hold' is not one of: refuse, pay, skip"),
    ("{last_period: skip}", "plan.yaml:10: leavers.last_period: 'skip' is not one of: pay, hold, forfeit"),
    ("{after_ends: skip}", "plan.yaml:10: leavers.after_ends: unknown key; did you mean after_end?"),
    ("skip", "plan.yaml:10: leavers: 'skip' is not one of: pay, hold, forfeit"),
    ("[hold]", "plan.yaml:10: leavers: expected one of pay, hold, forfeit, or a mapping such as"),
])
def test_leavers_mistakes_are_reported_with_their_line(leavers, message):
    with pytest.raises(InputError) as caught:
        parse_policy(flat_plan(extra=f"leavers: {leavers}\n"), source="plan.yaml")
    assert message in str(caught.value)


# --- the report file -----------------------------------------------------------------------------------------

def cli_run(folder: Path, extra: str, rows: str = OUTSIDE):
    _write(folder, "plan.yaml", flat_plan("outside", extra=extra))
    _write(folder, "ledger.csv", f"{HEADER}\n{textwrap.dedent(rows).strip()}")
    _write(folder, "roster.csv", ROSTER)
    return CliRunner().invoke(main, ["run", "--policy", str(folder / "plan.yaml"), "--ledger", str(folder / "ledger.csv"),
                                     "--roster", str(folder / "roster.csv"), "--period", "2026-10", "--first-period",
                                     "--out", str(folder / "out")])


def test_skipped_csv_is_written_only_when_rows_are_skipped(tmp_path):
    refused = cli_run(tmp_path, "")
    assert refused.exit_code == 2 and not (tmp_path / "out").exists()
    assert "ledger.csv:row 3: payment_date: 2026-10-20 is after collector C1's end_date" in refused.output
    skipped = cli_run(tmp_path, SKIP)
    assert skipped.exit_code == 0, skipped.output
    lines = (tmp_path / "out" / "skipped.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ('"payment_id","collector_id","payment_date","amount","reverses","reason","start_date",'
                        '"end_date","plan","file","row"')
    assert lines[1].startswith('"P2","C1",2026-10-20,4000.00,"","after_end",2020-01-01,2026-10-15,"outside",')
    assert len(lines) == 4
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["rows_read"] == counts["rows_used"] + counts["rows_excluded"] + counts["rows_skipped"] == 7
    assert "skipped.csv" in manifest["outputs"]
    # The same folder, rerun with rows paid: replaced, and no skipped.csv is left behind
    paid = cli_run(tmp_path, PAY)
    assert paid.exit_code == 0, paid.output
    assert not (tmp_path / "out" / "skipped.csv").exists()
