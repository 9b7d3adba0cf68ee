"""Real-plan constructs (targets, KPI bonuses, compliance, holdbacks, balances, draws, overrides,
proration, leavers), each a small scenario worked out by hand."""

from conftest import balance, item_amounts, payout, plan

ROSTER = """
    collector_id,name,team,employee_id,manager_id,start_date,end_date
    L1,组长,Team A,E0,,2020-01-01,
    C1,王芳,Team A,E1,L1,2020-01-01,
    C2,李强,Team A,E2,L1,2026-08-01,
"""

BASE = """
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
"""


def test_attainment_multiplier_accelerates_and_decelerates(run_plan):
    policy = plan(BASE + """
    adjustments:
      - id: accelerator
        kind: multiplier
        kpi: attainment
        bands:
          - {from: 0%, multiplier: 0.8}
          - {from: 100%, multiplier: 1.2}
          - {from: 120%, multiplier: 1.5}
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,12000.00,10,50000
        P2,C2,A2,2026-10-01,7000.00,10,50000
    """, targets="""
        collector_id,period,target
        C1,2026-10,10000.00
        C2,2026-10,10000.00
    """)
    # C1: 12,000 / 10,000 = 120% -> x1.5: base 600.00, +300.00 -> 900.00
    # C2: 7,000 / 10,000 = 70% -> x0.8: base 350.00, -70.00 -> 280.00
    assert item_amounts(result, "C1") == {"base": 60000, "accelerator#3": 30000}
    assert payout(result, "C1") == 90000
    assert payout(result, "C2") == 28000
    c1 = result.items.loc[(result.items["collector_id"] == "C1") & (result.items["kind"] == "multiplier")].iloc[0]
    assert c1["rate"] == "x1.5 (attainment 120.00%)"


QUARTER_BONUS = plan(BASE + """
      - id: q-bonus
        kind: bonus
        pays: quarterly
        pay_code: bonus
        kpi: attainment
        steps:
          - {at_least: 100%, amount: 3000.00}
""")
Q3_LEDGER = """
    P1,C1,A1,2026-07-15,10000.00,10,50000
    P2,C1,A1,2026-08-15,10000.00,10,50000
    P3,C1,A1,2026-09-15,10000.00,10,50000
    P4,C2,A2,2026-08-15,10000.00,10,50000
    P5,C2,A2,2026-09-15,10000.00,10,50000
"""
Q3_TARGETS = """
    collector_id,period,target
    C1,2026-07,10000.00
    C1,2026-08,10000.00
    C1,2026-09,10000.00
    C2,2026-07,10000.00
    C2,2026-08,10000.00
    C2,2026-09,10000.00
    L1,2026-Q3,5000.00
"""


def test_quarterly_bonus_in_the_quarters_last_month_with_proration(run_plan):
    result = run_plan(QUARTER_BONUS, Q3_LEDGER, period="2026-09", roster=ROSTER, targets=Q3_TARGETS)
    # C1: Q3 recovered 30,000 against 30,000 -> 100%: the bonus, 3,000.00; monthly base 10,000 x 5% = 500.00
    assert item_amounts(result, "C1") == {"base": 50000, "q-bonus#1": 300000}
    assert payout(result, "C1", "pay_bonus") == 300000
    # C2 joined 1 August: employed 61 of Q3's 92 days. Target 30,000 x 61/92 = 19,891.30 (19,891.304..);
    # recovered 20,000 -> 100.5%: bonus 3,000 x 61/92 = 1,989.13 (1,989.1304..)
    assert item_amounts(result, "C2") == {"base": 50000, "q-bonus#1": 198913}
    # L1 (a quarterly target of 5,000 in one row) recovered nothing: 0% -> no bonus
    assert "q-bonus#1" not in item_amounts(result, "L1")
    # An August run pays no quarterly component
    august = run_plan(QUARTER_BONUS, Q3_LEDGER, period="2026-08", roster=ROSTER, targets=Q3_TARGETS)
    assert "q-bonus#1" not in set(august.items["rule"])


def test_recovery_rate_bonus_pays_a_rate_on_recovered(run_plan):
    policy = plan("""
    components:
      - id: rr-bonus
        kind: bonus
        kpi: recovery_rate
        steps:
          - {at_least: 10%, rate: 1%}
          - {at_least: 20%, rate: 2%}
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,25000.00,10,50000
        P2,C2,A2,2026-10-01,9000.00,10,50000
    """, assignments="""
        collector_id,period,assigned_balance
        C1,2026-10,100000.00
        C2,2026-10,100000.00
    """)
    # C1: 25,000 / 100,000 = 25% -> step 2: 2% of 25,000 = 500.00 ; C2: 9% -> nothing
    assert payout(result, "C1") == 50000
    assert payout(result, "C2") == 0


def test_compliance_deductions_and_forfeiture_name_their_events(run_plan):
    policy = plan(BASE + """
    adjustments:
      - id: conduct
        kind: compliance
        events:
          complaint: {deduct: 200.00}
          complaint/major: {deduct: 10%}
          violation/serious: {forfeit: true}
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,20000.00,10,50000
        P2,C2,A2,2026-10-01,20000.00,10,50000
    """, events="""
        event_id,collector_id,date,type,severity,score
        E1,C1,2026-10-03,complaint,minor,
        E2,C1,2026-10-09,complaint,major,
        E3,C2,2026-10-12,violation,serious,
        E4,C2,2026-09-30,complaint,minor,
    """)
    # C1 base 1,000.00; E1 complaint (any severity) -200.00 -> 800.00; E2 complaint/major:
    # 10% of 800.00 = -80.00 -> 720.00 (complaint/major is more specific than complaint)
    assert item_amounts(result, "C1") == {"base": 100000, "conduct:complaint": -20000, "conduct:complaint/major": -8000}
    events = result.items.loc[result.items["kind"] == "compliance", "event"].tolist()
    assert events == ["E1", "E2", "E3"]  # E4 is dated September, outside the run
    # C2 base 1,000.00 forfeited by the serious violation
    assert payout(result, "C2") == 0


def test_qa_score_band_multiplies_pay(run_plan):
    policy = plan(BASE + """
    adjustments:
      - id: quality
        kind: multiplier
        kpi: qa_score
        bands:
          - {from: 0, multiplier: 0.9}
          - {from: 80, multiplier: 1}
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,10000.00,10,50000
        P2,C2,A2,2026-10-01,10000.00,10,50000
    """, events="""
        event_id,collector_id,date,type,severity,score
        Q1,C1,2026-10-05,qa,,70
        Q2,C1,2026-10-20,qa,,75.5
        Q3,C2,2026-10-05,qa,,90
    """)
    # C1 average (70 + 75.5) / 2 = 72.75 < 80 -> x0.9: 500.00 - 50.00 = 450.00 ; C2 90 -> x1: 500.00
    assert payout(result, "C1") == 45000
    assert payout(result, "C2") == 50000


HOLDBACK = plan(BASE + """
    adjustments:
      - id: q-holdback
        kind: holdback
        percent: 20%
        release: quarterly
        only_if: [still_employed]
""")


def test_holdback_withheld_monthly_and_released_at_quarter_end(run_plan):
    roster = """
        collector_id,name,team,employee_id,manager_id,start_date,end_date
        C1,王芳,Team A,E1,,2020-01-01,
        C2,李强,Team A,E2,,2020-01-01,2026-09-20
    """
    ledger = """
        P1,C1,A1,2026-07-10,10000.00,10,50000
        P2,C1,A1,2026-08-10,20000.00,10,50000
        P3,C1,A1,2026-09-10,30000.00,10,50000
        P4,C2,A2,2026-07-10,10000.00,10,50000
        P5,C2,A2,2026-09-10,10000.00,10,50000
    """
    july = run_plan(HOLDBACK, ledger, period="2026-07", roster=roster)
    # July: C1 base 500.00, 20% withheld = 100.00 -> pays 400.00, balance 100.00
    assert payout(july, "C1") == 40000 and balance(july, "C1", "holdback:q-holdback") == 10000
    august = run_plan(HOLDBACK, ledger, period="2026-08", roster=roster, previous=july)
    # August: 1,000.00, 200.00 withheld -> pays 800.00, balance 300.00 ; C2 no payments: balance stays 100.00
    assert payout(august, "C1") == 80000 and balance(august, "C1", "holdback:q-holdback") == 30000
    assert balance(august, "C2", "holdback:q-holdback") == 10000
    september = run_plan(HOLDBACK, ledger, period="2026-09", roster=roster, previous=august)
    # September: 1,500.00, 300.00 withheld, then the quarter's 600.00 released: pays 1,800.00, balance 0
    assert item_amounts(september, "C1") == {"base": 150000, "q-holdback:withheld": -30000,
                                             "q-holdback:released": 60000}
    assert payout(september, "C1") == 180000 and balance(september, "C1", "holdback:q-holdback") == 0
    # C2 left on 20 September: 500.00 - 100.00 withheld = 400.00; the 200.00 balance is forfeited
    assert item_amounts(september, "C2") == {"base": 50000, "q-holdback:withheld": -10000,
                                             "q-holdback:forfeited": 0}
    assert payout(september, "C2") == 40000 and balance(september, "C2", "holdback:q-holdback") == 0


def test_published_recoverable_draw(run_plan):
    """Published: a recoverable draw of 1,000 with earnings 500, 700, 400 pays 1,000 each period and
    leaves 500, 800, 1,400 owed."""
    policy = plan(BASE + """
    draw: {amount: 1000.00, recoverable: true}
    """)
    ledger = """
        P1,C1,A1,2026-07-10,10000.00,10,50000
        P2,C1,A1,2026-08-10,14000.00,10,50000
        P3,C1,A1,2026-09-10,8000.00,10,50000
        P4,C1,A1,2026-10-10,30000.00,10,50000
    """
    previous, paid, owed = None, [], []
    for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
        previous = run_plan(policy, ledger, period=month, previous=previous)
        paid.append(payout(previous, "C1"))
        owed.append(balance(previous, "C1", "draw"))
    # earnings 500, 700, 400 (5% of 10,000 / 14,000 / 8,000), then 1,500: the 500 above the draw repays
    assert paid == [100000, 100000, 100000, 100000]
    assert owed == [50000, 80000, 140000, 90000]


def test_negative_balance_is_carried_and_repaid_at_most_half_a_period(run_plan):
    policy = plan(BASE + """
    balances: {recover_at_most: 50%}
    """)
    header = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"
    ledger = f"""
        {header}
        P1,C1,A1,2026-09-10,40000.00,10,50000,
        P2,C1,A1,2026-10-05,-40000.00,10,50000,P1
        P3,C1,A2,2026-10-06,10000.00,10,50000,
        P4,C1,A2,2026-11-06,20000.00,10,50000,
    """
    september = run_plan(policy, ledger, period="2026-09")
    october = run_plan(policy, ledger, period="2026-10", previous=september)
    # October: P3 +500.00, P2 claws back P1's 2,000.00: -1,500.00 is carried, pays 0.00
    assert payout(october, "C1") == 0 and balance(october, "C1", "carried") == 150000
    november = run_plan(policy, ledger, period="2026-11", previous=october)
    # November: 1,000.00 earned, at most 50% (500.00) repays: pays 500.00, 1,000.00 still carried
    assert payout(november, "C1") == 50000 and balance(november, "C1", "carried") == 100000


def test_team_lead_override_on_team_recovery(run_plan):
    policy = plan(BASE + """
      - id: lead-override
        kind: override
        base: team_recovered
        rate: 2%
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,10000.00,10,50000
        P2,C2,A2,2026-10-01,5000.00,10,50000
        P3,L1,A3,2026-10-01,1000.00,10,50000
    """, roster=ROSTER)
    # L1 leads C1 and C2: 2% of (10,000 + 5,000) = 300.00, plus own base 1,000 x 5% = 50.00
    assert item_amounts(result, "L1") == {"base": 5000, "lead-override": 30000}
    assert "lead-override" not in item_amounts(result, "C1")


def test_leavers_pay_can_be_forfeited_or_held(run_plan):
    roster = """
        collector_id,name,team,employee_id,manager_id,start_date,end_date
        C1,王芳,Team A,E1,,2020-01-01,2026-10-15
    """
    ledger = "P1,C1,A1,2026-10-01,10000.00,10,50000"
    forfeit = run_plan(plan(BASE + "    leavers: forfeit\n"), ledger, roster=roster)
    assert payout(forfeit, "C1") == 0 and balance(forfeit, "C1", "held") == 0
    held = run_plan(plan(BASE + "    leavers: hold\n"), ledger, roster=roster)
    assert payout(held, "C1") == 0 and balance(held, "C1", "held") == 50000
    paid = run_plan(plan(BASE), ledger, roster=roster)
    assert payout(paid, "C1") == 50000


def test_a_joiners_monthly_targets_are_prorated_month_by_month(run_plan):
    roster = """
        collector_id,name,team,employee_id,manager_id,start_date,end_date
        C3,赵敏,Team B,E3,,2026-08-16,
    """
    # C3 joined 16 August: no July row needed. Target: August 10,000 x 16/31 = 5,161.29 (5,161.290..)
    # + September 10,000 = 15,161.29. Recovered 15,161.29 -> exactly 100%: the bonus,
    # 3,000 x 46/92 days employed in Q3 = 1,500.00
    result = run_plan(QUARTER_BONUS, """
        P1,C3,A1,2026-08-20,5161.29,10,50000
        P2,C3,A1,2026-09-20,10000.00,10,50000
    """, period="2026-09", roster=roster, targets="""
        collector_id,period,target
        C3,2026-08,10000.00
        C3,2026-09,10000.00
    """)
    assert item_amounts(result, "C3")["q-bonus#1"] == 150000
    kpi = result.kpis.loc[result.kpis["kpi"] == "attainment"].iloc[0]
    assert (kpi["numerator"], kpi["denominator"]) == (1516129, 1516129)
