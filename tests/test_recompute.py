"""reversals: {earlier_periods: keep | recompute}: what a reversal of an earlier period's payment takes back
from the tiers and bonuses that payment helped reach. Worked by hand."""

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.errors import InputError
from conftest import balance, item_amounts, payout, plan

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
            items.loc["target-bonus#2:recomputed", "window"]) == (-100000, "fixed (attainment 120.00%)", "2026-09")
    assert payout(october, "C1", "bonus") == 50000 - 100000
    # October's attainment in kpis.csv is the one the bonus used: 11,000 / 10,000
    kpi = october.kpis.set_index("window").loc["2026-10"]
    assert (kpi["numerator"], kpi["denominator"]) == (1100000, 1000000)
    # September's targets are needed to recompute September
    with pytest.raises(InputError) as missing:
        run_plan(bonus, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10",
                 targets="collector_id,period,target\nC1,2026-10,10000.00")
    assert [p.message for p in missing.value.problems][-1] == (
        "while recomputing 2026-09 (plan test-plan version 1), for the reversals booked in 2026-10 of its "
        "payments (reversals: earlier_periods: recompute): give the inputs of 2026-09 as well")


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
    # keep: October's recovery 11,000 - 4,000 = 7,000 fails the gate: the gate takes back October's
    # 550.00 - 200.00 = 350.00, net 0.00
    kept = run_plan(gated.replace("earlier_periods: recompute", "earlier_periods: keep"),
                    SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    assert payout(kept, "C1") == 0
    # recompute: October's own 11,000 passes the gate, and pays 550.00. R1 is September's: its claw-back
    # 4,000.00 x 5% = -200.00 is an item of September, which October's gate does not act on. September
    # paid 600.00 (12,000 passed the gate); without P2 it recovers 8,000, fails the gate, and pays 0.00:
    # besides the line's -200.00, the gate takes back the other 400.00 (gate:recomputed)
    october = run_plan(gated, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    items = october.items.set_index(["rule", "window"])["amount"].to_dict()
    assert items == {("base", "2026-10"): 55000, ("base", "2026-09"): -20000, ("gate:recomputed", "2026-09"): -40000,
                     ("carried:carried", "2026-10"): 5000}
    # 550.00 - 200.00 - 400.00 = -50.00, carried: September and October pay 600.00 - 50.00 = 550.00, what
    # they pay had P2 never been made (September 0.00, October 550.00)
    assert payout(october, "C1") == 0
    assert balance(october, "C1", "carried") == 5000  # owed


def volume_with(adjustment: str) -> str:
    """The volume plan under recompute, with one adjustment on both components."""
    return volume_plan("recompute") + "adjustments:\n" + textwrap.indent(textwrap.dedent(adjustment), "  ")


def bounce_with_october(amount: str) -> str:
    return SEPTEMBER_BOUNCES_IN_OCTOBER.replace("2026-10-20,11000.00", f"2026-10-20,{amount}")


def test_a_gate_that_paid_nothing_in_the_earlier_period_claws_back_nothing(run_plan):
    gated = volume_with("""
        - id: gate
          kind: threshold
          recovered_at_least: 15000.00
    """)
    # September: 12,000 is below the gate: base 600.00 and volume 200.00 are taken back, September paid 0.00
    september = run_plan(gated, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-09")
    assert payout(september, "C1") == 0
    # October's own: P3 16,000.00: base 800.00, volume (16,000 - 10,000) x 10% = 600.00; 16,000 passes the gate.
    # R1 bounces P2: at the line 4,000.00 x 5% = -200.00 (September's). September recomputed without P2:
    # base 400.00, volume 0.00 (8,000), still gated: 0.00 again. So what September paid changes by 0.00:
    # volume#2 -200.00, the gate takes back 200.00 less of base (-400.00 instead of -600.00) and 200.00 less
    # of volume (nothing instead of -200.00): -200.00 + 200.00 + 200.00 = +200.00, with the line's -200.00: 0.00
    october = run_plan(gated, bounce_with_october("16000.00"), period="2026-10")
    items = october.items
    recomputed = items.loc[items["rule"].str.endswith(":recomputed")].set_index(["rule", "applies_to"])["amount"]
    assert recomputed.to_dict() == {("volume#2:recomputed", ""): -20000, ("gate:recomputed", "base"): 20000,
                                    ("gate:recomputed", "volume"): 20000}
    assert set(items.loc[items["rule"].str.endswith(":recomputed"), "window"]) == {"2026-09"}
    assert items.loc[(items["rule"] == "base") & (items["window"] == "2026-09"), "amount"].tolist() == [-20000]
    # 800.00 + 600.00 - 200.00 + 200.00 = 1,400.00: October's own pay, nothing taken back
    assert payout(october, "C1") == 140000


def test_a_cap_that_bound_the_earlier_pay_takes_back_only_what_it_let_through(run_plan):
    capped = volume_with("""
        - id: limit
          kind: cap_floor
          cap: 700.00
    """)
    # September: base 600.00 + volume 200.00 = 800.00, capped at 700.00 (limit -100.00).
    # Without P2: base 400.00 + volume 0.00 = 400.00, under the cap: September paid 300.00 too much.
    # Taken back now: the line's -200.00, volume#2 -200.00, and the cap's -100.00 undone: +100.00
    october = run_plan(capped, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10")
    assert item_amounts(october, "C1")["volume#2:recomputed"] == -20000
    assert item_amounts(october, "C1")["limit:recomputed"] == 10000
    # October's own: base 550.00 + volume 100.00 = 650.00, under the cap; net 650.00 - 300.00 = 350.00.
    # September 700.00 + October 350.00 = 1,050.00: September without P2 400.00 + October 650.00
    assert payout(october, "C1") == 35000
    # October's own 15,000.00 (base 750.00 + volume 500.00 = 1,250.00) is capped at 700.00 by October's cap,
    # which acts on October's own pay only: the -300.00 for September is taken back in full, 400.00.
    # (The line's -200.00 inside October's capped total would have been lost under the cap.)
    october = run_plan(capped, bounce_with_october("15000.00"), period="2026-10")
    assert item_amounts(october, "C1")["limit"] == 70000 - 125000
    assert payout(october, "C1") == 40000
    # September 700.00 + October 400.00 = 1,100.00: September without P2 400.00 + October 700.00


def test_the_earlier_period_is_recomputed_under_the_version_then_in_force(tmp_path):
    from commission.engine import pay_period
    from commission.inputs import load_ledger
    from commission.periods import Period
    from commission.policy import parse_policy

    # version 1 (all year): base 5%, volume 10% above 10,000; version 2 from October: base 6%, volume 20%
    v1 = parse_policy(volume_plan("recompute"), source="v1.yaml")
    v2_text = volume_plan("recompute").replace("version: 1", "version: 2").replace(
        "effective: 2026-01-01", "effective: 2026-10-01").replace("{rate: 5%}", "{rate: 6%}").replace(
        "{from: 10000, rate: 10%}", "{from: 10000, rate: 20%}")
    v2 = parse_policy(v2_text, source="v2.yaml")
    path = tmp_path / "ledger.csv"
    path.write_text(textwrap.dedent(SEPTEMBER_BOUNCES_IN_OCTOBER).strip() + "\n", encoding="utf-8")
    ledger = load_ledger([path], 2, v1.ledger_columns()).frame
    # September paid under version 1: base 600.00, volume 200.00. October, under version 2: own base
    # 11,000.00 x 6% = 660.00, volume 1,000.00 x 20% = 200.00; R1 clawed back at the line at version 2's
    # rate, -4,000.00 x 6% = -240.00. September recomputed under version 1 without P2: base 400.00 (-200.00,
    # of which the line took -240.00: base:recomputed +40.00), volume 0.00 (volume#2:recomputed -200.00;
    # under version 2 it would have been -400.00)
    october = pay_period([v1, v2], ledger, Period.parse("2026-10"))
    assert item_amounts(october, "C1") == {"base": 66000 - 24000, "volume#1": 0, "volume#2": 20000,
                                           "base:recomputed": 4000, "volume#2:recomputed": -20000}
    # 660.00 + 200.00 - 240.00 + 40.00 - 200.00 = 460.00; September 800.00 + October 460.00 = 1,260.00, what
    # the two versions pay had P2 never been made (September 400.00, October 860.00)
    assert payout(october, "C1") == 46000
    # without version 1, September cannot be recomputed as it was paid
    with pytest.raises(InputError) as refused:
        pay_period([v2], ledger, Period.parse("2026-10"))
    assert [str(p) for p in refused.value.problems] == [
        "period: the reversals booked in 2026-10 change what 2026-09 paid (reversals: earlier_periods: recompute), "
        "and no version of plan test-plan in force on 2026-09-30 was given: give that version too, so 2026-09 is "
        "recomputed as it was paid"]


def test_a_leads_override_on_the_teams_commission_is_recomputed_with_it(run_plan):
    overridden = volume_plan("recompute") + """  - id: lead
    kind: override
    base: team_commission
    rate: 10%
"""
    roster = """
        collector_id,name,team,employee_id,manager_id,start_date,end_date
        C1,Wang,T1,E1,L1,,
        L1,Li,T1,E2,,,
    """
    # September: C1 600.00 + 200.00 = 800.00; L1 10% of it, 80.00. Without P2: C1 400.00, L1 40.00.
    # October: C1's own 550.00 + 100.00 = 650.00, L1 65.00 (C1's -200.00 for September is not October's
    # team commission); September's L1 -40.00 (lead:recomputed), C1 -200.00 at the line and -200.00 volume
    october = run_plan(overridden, SEPTEMBER_BOUNCES_IN_OCTOBER, period="2026-10", roster=roster)
    assert item_amounts(october, "L1") == {"lead": 6500, "lead:recomputed": -4000}
    assert payout(october, "C1") == 65000 - 20000 - 20000
    # L1 over the two months: 80.00 + 65.00 - 40.00 = 105.00, as without P2 (40.00 + 65.00)


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
    # Q3 (given: September only) paid 31,000.00 at 1% = 310.00 in September's run. R1 is booked in November:
    # November's run recomputes September's: without R1's 2,000.00, 29,000.00 falls in the 0% tier:
    # qvolume#2 -31,000.00 x 1% = -310.00 (qvolume#1 pays 0.00 either way: no difference, not booked).
    # -310.00 is more than November pays, so it is carried (section 7.3)
    november = run_plan(quarterly, ledger, period="2026-11")
    assert november.items.set_index("rule")["window"].to_dict() == {"qvolume#2:recomputed": "2026-Q3",
                                                                    "carried:carried": "2026-11"}
    assert item_amounts(november, "C1") == {"qvolume#2:recomputed": -31000, "carried:carried": 31000}
    assert any(w.startswith("recomputing 2026-09 (reversals: earlier_periods: recompute) needs the ledgers of all "
                            "the windows it paid (2026-07-01 to 2026-09-30), but the ledgers start on 2026-09-05")
               for w in november.warnings)
    # December pays Q4 (1,000.00, whole-tier 0%); R1, booked in November and counted in Q3, is not counted again
    assert item_amounts(run_plan(quarterly, ledger, period="2026-12"), "C1") == {"qvolume#1": 0}


def test_lint_warns_about_a_holdback_that_forfeits_what_recompute_counts_as_paid():
    from commission.policy import parse_policy
    from commission.simulation.lint import lint_policy

    text = volume_plan("recompute") + """adjustments:
  - id: limit
    kind: cap_floor
    cap: 1000.00
  - id: held
    kind: holdback
    percent: 20%
    release: quarterly
    only_if: no_serious_violation
"""
    found = [(w.code, w.where, w.message) for w in lint_policy(parse_policy(text, source="plan.yaml"), text)
             if w.code.startswith("recompute")]
    # a cap is recomputed with the earlier period (no warning); a holdback that can forfeit is not
    assert found == [("recompute-holdback", "plan.yaml:33",
                      "holdback held withholds part of base, volume and forfeits it unless no_serious_violation. "
                      "Under reversals: {earlier_periods: recompute}, a payment that bounces later has what it made "
                      "an earlier period pay taken back in full, the part withheld counted as paid (it is released "
                      "later): when the holdback is forfeited instead, the collector loses that part twice. Use "
                      "earlier_periods: keep with a holdback that forfeits, or say why it is accepted.")]
    for kept in (text.replace("earlier_periods: recompute", "earlier_periods: keep"),
                 text.replace("    only_if: no_serious_violation\n", "")):
        assert not [w for w in lint_policy(parse_policy(kept, source="plan.yaml"), kept)
                    if w.code.startswith("recompute")]


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
    explained = CliRunner().invoke(main, ["explain", "--run", str(tmp_path / "out"), "--collector", "C1", "--lang",
                                          "en"])
    assert "  2026-09 recomputed without its payments reversed since: Tier commission, tier 2 (10,000.00 and above): " \
           "-2,000.00 x 10% = -200.00 (Commission)\n" in explained.output
    # the line's claw-back of September's P2 is September's, apart from October's adjustments
    # October: P3 11,000.00 and R1 -4,000.00, one repayment and one reversal (counted apart)
    assert "  any other repayment: 5% of each repayment: 1 repayment, 7,000.00 x 5% = 350.00 (1 reversed, clawed " \
           "back)\n  = 350.00 (Commission)\n  2026-09's payments reversed since, clawed back at their rate apart from " \
           "this period's adjustments = -200.00 (Commission)\n" in explained.output
    statements = CliRunner().invoke(main, ["statements", "--run", str(tmp_path / "out"), "--lang", "en", "--out",
                                           str(tmp_path / "st"), "--jobs", "1"])
    assert statements.exit_code == 0, statements.output
    summary = load_workbook(tmp_path / "st" / "C1-2026-10.xlsx").worksheets[0]
    (row,) = [r for r in summary.iter_rows(values_only=True) if r[0] and r[0].startswith("2026-09 recomputed")]
    assert row[:2] == ("2026-09 recomputed without its payments reversed since: Tier commission, tier 2 (10,000.00 and "
                       "above): -2,000.00 x 10%", -200)
    base_rows = [(r[0], r[1]) for r in summary.iter_rows(values_only=True)
                 if r[0] and r[0].startswith(("Commission on repayments", "2026-09's payments reversed"))]
    assert [amount for _, amount in base_rows] == [550, -200]
    assert base_rows[0][0].endswith("1 repayment of 11,000.00, at its bucket's rate (see Detail)")
    assert base_rows[1][0] == "2026-09's payments reversed since, clawed back at their rate apart from this " \
                              "period's adjustments"


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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p1=st.integers(1, 20_000), p2=st.integers(1, 20_000), p3=st.integers(1, 20_000),
       back=st.integers(1, 100), gate=st.integers(0, 20_000), cap=st.integers(100, 3_000))
def test_two_periods_pay_what_they_would_without_the_part_reversed(run_plan, p1, p2, p3, back, gate, cap):
    """Under recompute, September and October together pay what they pay had the part of P2 that R1
    reverses never been paid, whatever gate and cap bind in either month (money before any carry)."""
    plan_text = volume_with(f"""
        - id: gate
          kind: threshold
          recovered_at_least: {gate}.00
        - id: limit
          kind: cap_floor
          cap: {cap}.00
    """)
    reversed_part = p2 * back // 100 or 1  # whole yuan, 1 to p2
    rows = [f"P1,C1,A1,2026-09-05,{p1}.00,10,90000,", f"P2,C1,A2,2026-09-20,{p2}.00,10,90000,",
            f"P3,C1,A3,2026-10-20,{p3}.00,10,90000,"]
    bounced = "\n".join([HEADER, *rows, f"R1,C1,A2,2026-10-15,-{reversed_part}.00,10,90000,P2"])
    never = "\n".join([HEADER, rows[0], f"P2,C1,A2,2026-09-20,{p2 - reversed_part}.00,10,90000,", rows[2]]) \
        if reversed_part < p2 else "\n".join([HEADER, rows[0], rows[2]])

    def money(result) -> int:  # the period's pay before a negative is carried
        return int(result.items.loc[result.items["kind"] != "balance", "amount"].sum())

    paid = money(run_plan(plan_text, bounced, period="2026-09")) + money(run_plan(plan_text, bounced, period="2026-10"))
    assert paid == money(run_plan(plan_text, never, period="2026-09")) + money(run_plan(plan_text, never,
                                                                                         period="2026-10"))
