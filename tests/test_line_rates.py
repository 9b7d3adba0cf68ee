"""Line-rate constructs, each a small scenario with the arithmetic worked out by hand."""

import pytest

from commission.errors import InputError
from conftest import payout, plan

BUCKET_RATES = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {id: early, bucket: [M1, M2], rate: 5%}
          - {id: m3, bucket: M3, rate: 8%}
          - {id: late-large, bucket: [M4-6, M7+], band: large, rate: 12%}
          - {id: late, bucket: [M4-6, M7+], rate: 0.10}
""")


def test_rate_by_bucket_and_band_first_match_wins(run_plan):
    result = run_plan(BUCKET_RATES, """
        P1,C1,A00001111,2026-10-01,1000.00,15,3000.00
        P2,C1,A00002222,2026-10-02,333.33,45,8000.00
        P3,C1,A00003333,2026-10-03,200.00,75,8000.00
        P4,C1,A00004444,2026-10-04,5000.00,200,60000.00
        P5,C1,A00005555,2026-10-05,5000.00,200,10000.00
    """)
    # P1 M1 5%: 1000.00 x 0.05 = 50.00
    # P2 M2 5%: 333.33 x 0.05 = 16.6665 -> 16.67 (half up)
    # P3 M3 8%: 200.00 x 0.08 = 16.00
    # P4 M7+ large 12%: 5000.00 x 0.12 = 600.00
    # P5 M7+ medium -> 'late' 10%: 500.00
    # total 50.00 + 16.67 + 16.00 + 600.00 + 500.00 = 1182.67
    lines = result.lines.set_index("payment_id")
    assert lines["rule"].astype(str).to_dict() == {"P1": "early", "P2": "early", "P3": "m3", "P4": "late-large",
                                                    "P5": "late"}
    assert lines["amount"].tolist() == [5000, 1667, 1600, 60000, 50000]
    assert payout(result, "C1", "line_commission") == 118267
    assert payout(result, "C1") == 118267
    assert payout(result, "C1", "recovered") == 1153333


def test_rate_keyed_by_another_ledger_column_with_default(run_plan):
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {bucket: M1, product: cash_loan, rate: 6%}
              - {bucket: M1, rate: 4%}
            default: 9%
    """)
    result = run_plan(policy, """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,product
        P1,C1,A1,2026-10-01,100.00,10,500,cash_loan
        P2,C1,A2,2026-10-01,100.00,10,500,credit_card
        P3,C1,A3,2026-10-01,100.00,100,500,credit_card
    """)
    # P1 6.00 (rule base#1), P2 4.00 (base#2), P3 matches no rule -> default 9% = 9.00; total 19.00
    lines = result.lines.set_index("payment_id")
    assert lines["rule"].astype(str).tolist() == ["base#1", "base#2", "base#default"]
    assert lines["rate"].astype(str).tolist() == ["6%", "4%", "9%"]
    assert payout(result, "C1") == 1900


def test_row_matching_no_rule_without_default_names_the_row(run_plan):
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {bucket: M1, rate: 5%}
    """)
    with pytest.raises(InputError) as caught:
        run_plan(policy, """
            P1,C1,A1,2026-10-01,100.00,10,500
            P2,C1,A2,2026-10-01,100.00,45,500
        """)
    (problem,) = caught.value.problems
    assert problem.where.endswith("ledger.csv:row 3")
    assert "no rate rule matches (bucket M2)" in problem.message


def test_published_per_payment_minimum(run_plan):
    """Published example: a payment of 50.00 at 35% = 17.50, with a 25.00 per-payment minimum -> 25.00."""
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 35%}
            per_payment: {min: 25.00}
    """)
    result = run_plan(policy, "P1,C1,A1,2026-10-01,50.00,10,500")
    line = result.lines.iloc[0]
    assert (line["commission"], line["amount"], line["limit"]) == (1750, 2500, "min")
    assert payout(result, "C1") == 2500


def test_per_payment_maximum_and_mirrored_reversal(run_plan):
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 10%}
            per_payment: {max: 100.00}
    """)
    result = run_plan(policy, """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        P1,C1,A1,2026-10-01,5000.00,10,9000,
        P2,C1,A1,2026-10-20,-5000.00,10,9000,P1
        P3,C1,A2,2026-10-21,300.00,10,9000,
    """)
    # P1 500.00 capped at 100.00 ; P2 reverses P1 in full: claws back what P1 earned, -100.00 ; P3 30.00
    assert result.lines["amount"].tolist() == [10000, -10000, 3000]
    assert payout(result, "C1") == 3000


def test_zero_rate_never_triggers_the_minimum(run_plan):
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {bucket: M1, rate: 0%}
            default: 5%
            per_payment: {min: 10.00}
    """)
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,50.00,10,500
        P2,C1,A2,2026-10-01,50.00,100,500
    """)
    # P1 at 0% stays 0.00; P2 5% of 50.00 = 2.50 raised to the 10.00 minimum
    assert result.lines["amount"].tolist() == [0, 1000]


def test_half_even_rounding_on_request(run_plan):
    policy = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 1%}
    """).replace("currency: CNY", "currency: CNY\nrounding: {mode: half_even}")
    result = run_plan(policy, """
        P1,C1,A1,2026-10-01,14.50,10,500
        P2,C1,A1,2026-10-01,15.50,10,500
    """)
    # 0.145 -> 0.14 (even), 0.155 -> 0.16 (even)
    assert result.lines["amount"].tolist() == [14, 16]


def test_rows_outside_the_period_are_left_out_and_counted(run_plan):
    result = run_plan(BUCKET_RATES, """
        P1,C1,A1,2026-09-30,1000.00,15,3000
        P2,C1,A2,2026-10-01,1000.00,15,3000
        P3,C1,A3,2026-10-31,1000.00,15,3000
        P4,C1,A4,2026-11-01,1000.00,15,3000
    """)
    assert result.lines["payment_id"].tolist() == ["P2", "P3"]
    assert result.counts["rows_read"] == 4
    assert result.counts["rows_in_period"] == 2
    assert result.counts["rows_excluded"] == 2
    assert payout(result, "C1") == 10000  # 2 x 50.00


def test_lineage_masks_account_numbers(run_plan):
    result = run_plan(BUCKET_RATES, "P1,C1,6222021234567890,2026-10-01,10.00,15,3000")
    assert result.lines["account"].tolist() == ["****7890"]
    assert "account_id" not in result.lines.columns


UNMATCHED_LIMITS = plan("""
    reversals: {unmatched: own_attributes}
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
        per_payment: {min: 25.00, max: 100.00}
""")


def test_a_reversal_of_an_unknown_payment_never_takes_the_minimum(run_plan):
    """A negative row whose payment is not in the ledgers is rated at its own terms: the maximum is
    mirrored (no payment ever earned more), the minimum is not (nothing says its payment was paid it)."""
    result = run_plan(UNMATCHED_LIMITS, """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        R1,C1,A1,2026-10-05,-10.00,10,900,P0
        R2,C1,A2,2026-10-06,-3000.00,10,900,P9
        N1,C1,A3,2026-10-07,-20.00,10,900,
        P1,C1,A4,2026-10-08,100.00,10,900,
    """)
    lines = result.lines.set_index("payment_id")
    # R1 -10.00 x 5% = -0.50: below the 25.00 minimum, but a clawback of an unknown payment stays -0.50
    assert lines.loc["R1", ["commission", "limit", "amount"]].tolist() == [-50, "", -50]
    # R2 -3,000.00 x 5% = -150.00: past the 100.00 maximum, mirrored: -100.00
    assert lines.loc["R2", ["commission", "limit", "amount"]].tolist() == [-15000, "max", -10000]
    # N1, a negative row naming no payment: -20.00 x 5% = -1.00, no minimum either
    assert lines.loc["N1", ["commission", "limit", "amount"]].tolist() == [-100, "", -100]
    # P1 100.00 x 5% = 5.00, raised to the minimum 25.00
    assert lines.loc["P1", ["commission", "limit", "amount"]].tolist() == [500, "min", 2500]
    assert payout(result, "C1", "line_commission") == -50 - 10000 - 100 + 2500  # -76.50, carried (section 7.3)


def test_a_reversal_of_a_known_payment_still_gives_back_the_minimum_it_was_paid(run_plan):
    result = run_plan(UNMATCHED_LIMITS, """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        P1,C1,A1,2026-09-05,100.00,10,900,
        R1,C1,A1,2026-10-05,-100.00,10,900,P1
        R2,C1,A1,2026-10-06,-10.00,10,900,P0
    """)
    lines = result.lines.set_index("payment_id")
    # P1 earned 100.00 x 5% = 5.00 raised to 25.00 in September: its full reversal gives back 25.00
    assert lines.loc["R1", "amount"] == -2500
    # R2's payment is unknown: -10.00 x 5% = -0.50
    assert lines.loc["R2", "amount"] == -50
    assert payout(result, "C1", "line_commission") == -2550
