"""Tier schedules, threshold gates, caps and floors: scenarios worked out by hand."""

from conftest import payout, plan

PUBLISHED_TIERS = """
    components:
      - id: volume
        kind: tiers
        mode: {mode}
        tiers:
          - {{from: 0, to: 5000, rate: 5%}}
          - {{from: 5000, to: 10000, rate: 10%}}
          - {{from: 10000, rate: 15%}}
"""


def test_published_marginal_tiers(run_plan):
    """Published: 0-5,000 at 5%, 5,000-10,000 at 10%, above at 15%; recovered 11,000 -> marginal 900.00."""
    result = run_plan(plan(PUBLISHED_TIERS.format(mode="marginal")), """
        P1,C1,A1,2026-10-01,6000.00,10,9000
        P2,C1,A2,2026-10-02,5000.00,40,9000
    """)
    # 5,000 x 5% = 250 ; 5,000 x 10% = 500 ; 1,000 x 15% = 150 ; total 900.00
    assert result.items["amount"].tolist() == [25000, 50000, 15000]
    assert result.items["base"].tolist() == [500000, 500000, 100000]
    assert payout(result, "C1", "tier_commission") == 90000
    assert payout(result, "C1") == 90000


def test_published_whole_tier(run_plan):
    """Published: the same schedule whole-tier (retroactive): 11,000 x 15% = 1,650.00."""
    result = run_plan(plan(PUBLISHED_TIERS.format(mode="whole")), "P1,C1,A1,2026-10-01,11000.00,10,20000")
    assert result.items["rule"].tolist() == ["volume#3"]
    assert payout(result, "C1") == 165000


def test_tier_lower_bound_is_included(run_plan):
    # whole-tier at exactly 10,000 falls in the third tier: 10,000 x 15% = 1,500.00
    result = run_plan(plan(PUBLISHED_TIERS.format(mode="whole")), "P1,C1,A1,2026-10-01,10000.00,10,20000")
    assert payout(result, "C1") == 150000
    # marginal at exactly 10,000: 250 + 500 = 750.00, with no 15% row
    result = run_plan(plan(PUBLISHED_TIERS.format(mode="marginal")), "P1,C1,A1,2026-10-01,10000.00,10,20000")
    assert payout(result, "C1") == 75000
    assert len(result.items) == 2


def test_fixed_amount_tiers(run_plan):
    policy = plan("""
        components:
          - id: ladder
            kind: tiers
            mode: {mode}
            tiers:
              - {{from: 0, to: 20000, rate: 0%}}
              - {{from: 20000, to: 50000, amount: 300.00}}
              - {{from: 50000, amount: 800.00}}
    """)
    ledger = "P1,C1,A1,2026-10-01,60000.00,10,90000"
    # marginal: every fixed tier reached pays once: 300 + 800 = 1,100.00
    assert payout(run_plan(policy.format(mode="marginal"), ledger), "C1") == 110000
    # whole: only the tier holding 60,000 pays: 800.00
    assert payout(run_plan(policy.format(mode="whole"), ledger), "C1") == 80000


GATED = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
    adjustments:
      - id: gate
        kind: threshold
        recovered_at_least: 10000.00
      - id: limits
        kind: cap_floor
        cap: 1000.00
        floor: 100.00
""")


def test_threshold_cap_and_floor(run_plan):
    result = run_plan(GATED, """
        P1,C1,A1,2026-10-01,9999.99,10,90000
        P2,C2,A2,2026-10-01,10000.00,10,90000
        P3,C3,A3,2026-10-01,30000.00,10,90000
    """)
    # C1: 9,999.99 < 10,000 gate -> 500.00 taken back -> 0; floor lifts to 100.00
    # C2: exactly 10,000 passes: 500.00, inside [100, 1000]
    # C3: 1,500.00 capped to 1,000.00 (adjustment -500.00)
    assert payout(result, "C1") == 10000
    assert payout(result, "C1", "adjustment") == -50000 + 10000
    assert payout(result, "C2") == 50000
    assert payout(result, "C3") == 100000
    assert payout(result, "C3", "adjustment") == -50000
    c1 = result.items[result.items["collector_id"] == "C1"]
    assert c1["rule"].tolist() == ["base", "gate", "limits"]
    assert c1["amount"].tolist() == [50000, -50000, 10000]


def test_floor_pays_roster_collectors_with_no_payments(run_plan):
    result = run_plan(GATED, "P1,C1,A1,2026-10-01,20000.00,10,90000", roster="""
        collector_id,name,team,employee_id
        C1,王芳,Team A,E1
        C2,李强,Team A,E2
    """)
    # C2 recovered nothing: no line items, the floor pays 100.00
    assert payout(result, "C2") == 10000
    assert payout(result, "C2", "recovered") == 0
    assert result.payouts.set_index("collector_id").loc["C2", "name"] == "李强"


def test_payouts_reconcile_items_and_lines(run_plan):
    result = run_plan(GATED, """
        P1,C1,A1,2026-10-01,333.33,10,90000
        P2,C1,A1,2026-10-02,20000.00,10,90000
        P3,C2,A3,2026-10-01,30000.00,10,90000
    """)
    by_collector = result.items.groupby("collector_id")["amount"].sum()
    assert by_collector.to_dict() == result.payouts.set_index("collector_id")["net_payout"].to_dict()
    line_items = result.items[result.items["kind"] == "line_rate"].set_index("collector_id")["amount"]
    assert result.lines.groupby("collector_id")["amount"].sum().to_dict() == line_items.to_dict()
