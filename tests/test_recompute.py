"""reversals: {earlier_periods: keep | recompute}: what a reversal of an earlier period's payment takes back
from the tiers and bonuses that payment helped reach. Worked by hand."""

import pytest

from commission.errors import InputError
from conftest import item_amounts, payout, plan

HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"


VOLUME = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
      - id: volume
        kind: tiers
        mode: marginal
        tiers:
          - {from: 0, to: 10000, rate: 0%}
          - {from: 10000, rate: 10%}
""")


def volume_plan(earlier: str = "") -> str:
    setting = f"reversals: {{earlier_periods: {earlier}}}\n" if earlier else ""
    return VOLUME.replace("components:", setting + "components:")


SEPTEMBER_BOUNCES_IN_OCTOBER = f"""
    {HEADER}
    P1,C1,A1,2026-09-05,8000.00,10,90000,
    P2,C1,A2,2026-09-20,4000.00,10,90000,
    R1,C1,A2,2026-10-15,-4000.00,10,90000,P2
    P3,C1,A3,2026-10-20,11000.00,10,90000,
"""


def test_keep_claws_back_the_line_commission_only(run_plan):
    # September paid line 12,000.00 x 5% = 600.00 and volume (12,000 - 10,000) x 10% = 200.00.
    september = run_plan(volume_plan(), SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-09")
    assert item_amounts(september, "C1") == {"base": 60000, "volume#1": 0, "volume#2": 20000}
    # October, keep (the default): R1 claws back P2's line commission, 4,000.00 x 5% = -200.00, and lowers
    # October's recovery: 11,000 - 4,000 = 7,000, below the 10% tier. September's 200.00 stays paid.
    october = run_plan(volume_plan(), SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    assert item_amounts(october, "C1") == {"base": 55000 - 20000, "volume#1": 0}
    assert payout(october, "C1") == 35000
    assert run_plan(volume_plan("keep"), SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10").payouts.equals(
        october.payouts)


def test_recompute_takes_back_the_tier_the_reversed_payment_reached(run_plan):
    october = run_plan(volume_plan("recompute"), SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    items = october.items.set_index("rule")
    # October's own recovery, as the tiers measure it, is its own payments: 11,000.00, 10% above 10,000 = 100.00
    assert (items.loc["volume#2", "base"], items.loc["volume#2", "amount"], items.loc["volume#2", "window"]) == \
        (100000, 10000, "2026-10")
    # September recomputed without P2: 8,000.00, no 10% tier: 200.00 -> 0.00, booked now, naming September
    recomputed = items.loc["volume#2:recomputed"]
    assert (recomputed["base"], recomputed["rate"], recomputed["amount"], recomputed["window"],
            recomputed["kind"], recomputed["component"]) == (-200000, "10%", -20000, "2026-09", "tier", "volume")
    # line 550.00 - 200.00 = 350.00; volume 100.00; recomputed -200.00: 250.00
    assert payout(october, "C1", "line_commission") == 35000
    assert payout(october, "C1", "tier_commission") == 10000 - 20000
    assert payout(october, "C1") == 25000
    # the payout's recovered is still the period's ledger: 11,000 - 4,000
    assert payout(october, "C1", "recovered") == 700000
    # September 800.00 + October 250.00 = 1,050.00: what the plan pays had P2 never been made
    # (September 8,000: 400.00; October 11,000: 550.00 + 100.00)
    assert 80000 + payout(october, "C1") == 40000 + 55000 + 10000


def test_recompute_is_cumulative_over_several_reversals(run_plan):
    ledger = f"""
        {HEADER}
        P1,C1,A1,2026-09-05,8000.00,10,90000,
        P2,C1,A2,2026-09-20,2500.00,10,90000,
        P3,C1,A3,2026-09-25,1500.00,10,90000,
        R1,C1,A3,2026-10-15,-1500.00,10,90000,P3
        R2,C1,A2,2026-11-03,-2500.00,10,90000,P2
    """
    # September: 12,000.00, volume 200.00. October: without P3, 10,500.00 -> 50.00: -150.00.
    october = run_plan(volume_plan("recompute"), ledger, period="2026-10")
    assert item_amounts(october, "C1")["volume#2:recomputed"] == -15000
    # November: before (R1 only) 10,500.00 -> 50.00; after (R1 and R2) 8,000.00 -> 0.00: -50.00.
    november = run_plan(volume_plan("recompute"), ledger, period="2026-11")
    assert item_amounts(november, "C1")["volume#2:recomputed"] == -5000
    assert november.items.set_index("rule").loc["volume#2:recomputed", "window"] == "2026-09"
    # -150.00 - 50.00: exactly the 200.00 September paid


def test_a_reversal_inside_the_window_needs_no_recompute(run_plan):
    quarterly = plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: qvolume
            kind: tiers
            pays: quarterly
            mode: whole
            tiers:
              - {from: 0, to: 30000, rate: 0%}
              - {from: 30000, rate: 1%}
    """)
    ledger = f"""
        {HEADER}
        P1,C1,A1,2026-10-05,20000.00,10,90000,
        P2,C1,A2,2026-10-20,15000.00,10,90000,
        R1,C1,A2,2026-11-15,-5000.00,10,90000,P2
        P3,C1,A3,2026-12-01,1000.00,10,90000,
    """
    result = run_plan(quarterly, ledger, period="2026-12")
    # Q4: 20,000 + 15,000 - 5,000 + 1,000 = 31,000.00 at 1% = 310.00; the reversal is in its payment's quarter
    assert item_amounts(result, "C1") == {"qvolume#2": 31000}


def test_recompute_of_a_bonus_step(run_plan):
    bonus = plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: target-bonus
            kind: bonus
            kpi: attainment
            steps:
              - {at_least: 100%, amount: 500.00}
              - {at_least: 120%, amount: 1000.00}
    """)
    targets = "collector_id,period,target\nC1,2026-09,10000.00\nC1,2026-10,10000.00"
    # September: 12,000 / 10,000 = 120%: 1,000.00. Without P2 (4,000): 80%, nothing: -1,000.00 in October.
    # October: 11,000 / 10,000 = 110% (R1 counts in September): 500.00.
    october = run_plan(bonus, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10", targets=targets)
    items = october.items.set_index("rule")
    assert items.loc["target-bonus#1", "amount"] == 50000
    assert (items.loc["target-bonus#2:recomputed", "amount"], items.loc["target-bonus#2:recomputed", "rate"],
            items.loc["target-bonus#2:recomputed", "window"]) == (-100000, "fixed (attainment 120.0%)", "2026-09")
    assert payout(october, "C1", "bonus") == 50000 - 100000
    # October's attainment in kpis.csv is the one the bonus used: 11,000 / 10,000
    kpi = october.kpis.set_index("window").loc["2026-10"]
    assert (kpi["numerator"], kpi["denominator"]) == (1100000, 1000000)
    # September's targets are needed to recompute September
    with pytest.raises(InputError) as missing:
        run_plan(bonus, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10",
                 targets="collector_id,period,target\nC1,2026-10,10000.00")
    assert [p.message for p in missing.value.problems][-1] == (
        "while recomputing target-bonus for 2026-09, for the reversals booked in 2026-10 of its payments "
        "(reversals: earlier_periods: recompute): give the inputs of 2026-09 as well")


def test_under_recompute_a_gate_measures_the_period_without_earlier_reversals(run_plan):
    gated = plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 5%}
        adjustments:
          - id: gate
            kind: threshold
            recovered_at_least: 10000.00
    """)
    # keep: October's recovery 11,000 - 4,000 = 7,000 fails the gate; recompute: 11,000 passes it
    october = run_plan(gated, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    assert payout(october, "C1") == 55000 - 20000
    kept = run_plan(gated.replace("earlier_periods: recompute", "earlier_periods: keep"),
                    SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    assert payout(kept, "C1") == 0


def test_a_reversal_of_an_unknown_payment_counts_where_it_is_booked(run_plan):
    ledger = f"""
        {HEADER}
        R1,C1,A2,2026-10-15,-4000.00,10,90000,P2
        P3,C1,A3,2026-10-20,11000.00,10,90000,
    """
    lenient = volume_plan("recompute").replace("reversals: {earlier_periods: recompute}",
                                               "reversals: {earlier_periods: recompute, unmatched: own_attributes}")
    # P2 is not in the ledgers: R1 is clawed back at its own terms, counts in October (11,000 - 4,000 = 7,000,
    # below the tier), and there is no earlier window to recompute
    result = run_plan(lenient, ledger, period="2026-10")
    assert item_amounts(result, "C1") == {"base": 55000 - 20000, "volume#1": 0}


def test_recompute_warns_when_the_earlier_window_is_not_all_in_the_ledgers(run_plan):
    quarterly = plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: qvolume
            kind: tiers
            pays: quarterly
            mode: whole
            tiers:
              - {from: 0, to: 30000, rate: 0%}
              - {from: 30000, rate: 1%}
    """)
    ledger = f"""
        {HEADER}
        P1,C1,A1,2026-09-05,31000.00,10,90000,
        R1,C1,A1,2026-11-15,-2000.00,10,90000,P1
        P2,C1,A2,2026-12-01,1000.00,10,90000,
    """
    # Q3 (given: September only) was 31,000.00 at 1% = 310.00; without R1's 2,000.00, 29,000.00: 0.00
    result = run_plan(quarterly, ledger, period="2026-12")
    # Q4: 1,000.00 (R1 counts in Q3): whole-tier 0%; Q3 recomputed: qvolume#2 -31,000.00 x 1% = -310.00 (the
    # 0% tier that 29,000.00 now falls in pays 0.00, a difference of nothing, not booked)
    # 0% tier that 29,000.00 now falls in pays 0.00, a difference of nothing, not booked); -310.00 is more
    # than December pays, so it is carried (section 7.3)
    assert item_amounts(result, "C1") == {"qvolume#1": 0, "qvolume#2:recomputed": -31000, "carried:carried": 31000}
    assert any(w.startswith("recomputing qvolume for 2026-Q3 (reversals: earlier_periods: recompute) needs the "
                            "ledgers of the whole 2026-Q3 (2026-07-01 to 2026-09-30), but the ledgers start on "
                            "2026-09-05") for w in result.warnings)


def test_lint_warns_about_a_cap_on_what_recompute_recomputes():
    from commission.policy import parse_policy
    from commission.simulation.lint import lint_policy

    text = volume_plan("recompute") + """adjustments:
  - id: limit
    kind: cap_floor
    cap: 1000.00
"""
    found = [(w.code, w.where, w.message) for w in lint_policy(parse_policy(text, source="plan.yaml"), text)
             if w.code == "recompute-past-cap"]
    assert found == [("recompute-past-cap", "plan.yaml:30",
                      "cap limit (1000.00) applies to volume, which reversals: {earlier_periods: recompute} "
                      "recomputes for an earlier period when one of its payments bounces later. The difference is "
                      "booked in the later period and the earlier period's cap is not applied to it again: a "
                      "collector whose pay the cap had cut can have tier or bonus pay taken back that was never "
                      "paid. Use earlier_periods: keep with a cap, or say why it is accepted.")]
    kept = text.replace("earlier_periods: recompute", "earlier_periods: keep")
    assert not [w for w in lint_policy(parse_policy(kept, source="plan.yaml"), kept) if w.code == "recompute-past-cap"]


def test_explain_and_the_statement_name_the_earlier_period_recomputed(tmp_path):
    import textwrap

    from click.testing import CliRunner
    from openpyxl import load_workbook

    from commission.cli import main

    (tmp_path / "plan.yaml").write_text(volume_plan("recompute"), encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(textwrap.dedent(SEPTEMBER_BOUNCES_IN_OCTOBER).strip() + "\n",
                                         encoding="utf-8")
    run = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                    str(tmp_path / "ledger.csv"), "--period", "2026-10", "--first-period", "--out",
                                    str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    explained = CliRunner().invoke(main, ["explain", "--run", str(tmp_path / "out"), "--collector", "C1"])
    assert "  volume#2:recomputed: -2000.00 x 10% = -200.00 (commission) - 2026-09 recomputed without its payments " \
           "reversed since: 10,000.00 and above: 10% on the part in this tier" in explained.output
    statements = CliRunner().invoke(main, ["statements", "--run", str(tmp_path / "out"), "--lang", "en", "--out",
                                           str(tmp_path / "st"), "--jobs", "1"])
    assert statements.exit_code == 0, statements.output
    summary = load_workbook(tmp_path / "st" / "C1-2026-10.xlsx").worksheets[0]
    (row,) = [r for r in summary.iter_rows(values_only=True) if r[0] and r[0].startswith("2026-09 recomputed")]
    assert row[:2] == ("2026-09 recomputed without its payments reversed since: Tier bonus, tier 2 (10,000.00 and "
                       "above): -2,000.00 x 10%", -200)


def test_under_recompute_a_part_of_a_window_counts_the_reversals_of_its_payments(run_plan):
    """A quarterly benefit measured by months: a September reversal of a July payment counts in July."""
    monthly_parts = plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: leave
            kind: benefit
            pays: quarterly
            kpi: recovered
            measured: monthly
            in_at_least: 3
            unit: days of leave
            steps:
              - {at_least: 10000.00, quantity: 1}
    """)
    ledger = f"""
        {HEADER}
        P1,C1,A1,2026-07-05,12000.00,10,90000,
        P2,C1,A2,2026-08-05,10000.00,10,90000,
        P3,C1,A3,2026-09-05,10000.00,10,90000,
        R1,C1,A1,2026-09-20,-3000.00,10,90000,P1
    """
    # keep: July 12,000, August 10,000, September 10,000 - 3,000 = 7,000: two months of three, no leave
    kept = run_plan(monthly_parts.replace("recompute", "keep"), ledger, period="2026-09")
    assert kept.awards.empty
    # recompute: July 12,000 - 3,000 = 9,000, August 10,000, September 10,000: still two months, no leave
    result = run_plan(monthly_parts, ledger, period="2026-09")
    assert result.awards.empty
    recovered = result.kpis.loc[result.kpis["kpi"] == "recovered"].set_index("window")["numerator"].to_dict()
    assert recovered == {"2026-07": 900000, "2026-08": 1000000, "2026-09": 1000000}
