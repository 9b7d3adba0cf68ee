"""Reversals (bounced payments) and split credit, worked by hand."""

import pytest

from commission.errors import InputError
from conftest import payout, plan

FLAT = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {id: early, bucket: [M1, M2], rate: 5%}
          - {id: late, bucket: [M3, M4-6, M7+], rate: 10%}
""")
HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"


def test_reversal_of_an_earlier_month_claws_back_at_the_original_terms(run_plan):
    result = run_plan(FLAT, f"""
        {HEADER}
        P1,C1,A1,2026-09-20,1000.00,45,3000,
        P2,C1,A1,2026-10-05,-1000.00,120,3000,P1
        P3,C1,A2,2026-10-06,2000.00,10,3000,
    """)
    # P1 was paid in September in M2 at 5% (50.00). Its reversal is booked in October, at P1's
    # terms (M2, rule early, 5%) although its own row says 120 days past due: -50.00.
    # P3 2,000.00 x 5% = 100.00. October: 100.00 - 50.00 = 50.00; recovered 2,000 - 1,000 = 1,000.
    lines = result.lines.set_index("payment_id")
    assert lines.loc["P2", ["bucket", "rule", "rate", "amount", "reverses"]].tolist() == ["M2", "early", "5%", -5000,
                                                                                            "P1"]
    assert "P1" not in lines.index  # paid in September, not in this run
    assert payout(result, "C1") == 5000
    assert payout(result, "C1", "recovered") == 100000


def test_partial_reversals_give_back_exactly_what_was_earned(run_plan):
    result = run_plan(FLAT, f"""
        {HEADER}
        P1,C1,A1,2026-10-01,1.00,10,3000,
        P2,C1,A1,2026-10-10,-0.50,10,3000,P1
        P3,C1,A1,2026-10-20,-0.50,10,3000,P1
    """)
    # P1 1.00 x 5% = 0.05. First half back: round(0.05 x 0.50/1.00) = round(0.025) = 0.03;
    # second: round(0.05 x 1.00/1.00) - 0.03 = 0.02. Together exactly 0.05: net 0.00.
    assert result.lines["amount"].tolist() == [5, -3, -2]
    assert payout(result, "C1") == 0


def test_reversing_more_than_was_paid_is_an_error(run_plan):
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, f"""
            {HEADER}
            P1,C1,A1,2026-10-01,100.00,10,3000,
            P2,C1,A1,2026-10-10,-60.00,10,3000,P1
            P3,C1,A1,2026-10-20,-60.00,10,3000,P1
        """)
    (problem,) = caught.value.problems
    assert problem.where.endswith("ledger.csv:row 4")
    assert problem.message == "reverses more than payment 'P1' paid: 120.00 reversed in all, of 100.00"


def test_a_reversal_whose_original_is_missing_is_an_error_unless_the_plan_allows(run_plan):
    ledger = f"""
        {HEADER}
        P2,C1,A1,2026-10-10,-100.00,100,3000,P0
        P3,C1,A1,2026-10-20,500.00,10,3000,
    """
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, ledger)
    (problem,) = caught.value.problems
    assert problem.where.endswith("ledger.csv:row 2") and problem.key == "reverses"
    assert problem.message.startswith("payment 'P0' of collector C1 is not in the ledgers given")

    lenient = FLAT.replace("components:", "reversals: {unmatched: own_attributes}\ncomponents:")
    result = run_plan(lenient, ledger)
    # At its own terms: 100 days past due is M4-6 at 10%: -10.00 ; P3 500.00 x 5% = 25.00
    assert result.lines["amount"].tolist() == [-1000, 2500]
    assert payout(result, "C1") == 1500
    assert any("clawed back at their own bucket" in w for w in result.warnings)


def test_a_negative_amount_must_name_what_it_reverses(run_plan):
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, "P1,C1,A1,2026-10-01,-100.00,10,3000")
    assert "must say which payment it reverses" in caught.value.problems[0].message


def test_a_reversal_must_be_negative(run_plan):
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, f"""
            {HEADER}
            P1,C1,A1,2026-10-01,100.00,10,3000,
            P2,C1,A1,2026-10-02,100.00,10,3000,P1
        """)
    assert caught.value.problems[0].message.startswith("a reversal's amount must be negative")


SPLIT_HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,credit_share"


def test_split_credit_splits_money_exactly(run_plan):
    result = run_plan(FLAT, f"""
        {SPLIT_HEADER}
        P1,C2,A1,2026-10-01,100.01,10,3000,0.5
        P1,C1,A1,2026-10-01,100.01,10,3000,0.5
        P2,C1,A2,2026-10-02,100.00,70,3000,0.333334
        P2,C2,A2,2026-10-02,100.00,70,3000,0.333333
        P2,C3,A2,2026-10-02,100.00,70,3000,0.333333
        P3,C3,A3,2026-10-03,10.00,10,3000,
    """)
    # P1 100.01 half each: 50.005 -> 50.00 each, 0.01 left goes to the earliest collector (tie): C1 50.01, C2 50.00
    #   at 5%: 2.5005 -> 2.50 and 2.50
    # P2 100.00 in thirds: 33.3334 / 33.3333 / 33.3333 -> 33.33 each, 0.01 to the largest remainder (C1): 33.34
    #   at 10% (M3): 3.334 -> 3.33, 3.33, 3.33
    # P3 sole credit 10.00 at 5% = 0.50
    lines = result.lines
    assert lines[["payment_id", "collector_id", "base", "credit_share"]].astype(str).values.tolist() == [
        ["P1", "C1", "5001", "0.5"], ["P1", "C2", "5000", "0.5"],
        ["P2", "C1", "3334", "0.333334"], ["P2", "C2", "3333", "0.333333"], ["P2", "C3", "3333", "0.333333"],
        ["P3", "C3", "1000", "1"]]
    assert payout(result, "C1", "recovered") == 5001 + 3334
    assert payout(result, "C2", "recovered") == 5000 + 3333
    assert payout(result, "C3", "recovered") == 3333 + 1000
    assert payout(result, "C1") == 250 + 333
    assert payout(result, "C3") == 333 + 50


def test_split_shares_must_add_up_to_one_and_describe_one_payment(run_plan):
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, f"""
            {SPLIT_HEADER}
            P1,C1,A1,2026-10-01,100.00,10,3000,0.5
            P1,C2,A1,2026-10-01,100.00,10,3000,0.4
            P2,C1,A2,2026-10-01,100.00,10,3000,0.5
            P2,C2,A2,2026-10-01,90.00,10,3000,0.5
        """)
    messages = [str(p) for p in caught.value.problems]
    assert any("row 2: credit_share: the shares of payment 'P1' add up to 0.9, not 1" in m for m in messages)
    assert any("row 5: amount: payment 'P2' is split between collectors, but this row's amount differs" in m
               for m in messages)


def test_a_payment_on_one_row_with_a_share_below_one_is_refused(run_plan):
    """A lone row credited 0.3 of 100.00 was paid on 30.01: the 70.00 left over went looking for the
    collectors of the rest, found none, and gave this one a cent. The shares of a payment add up to 1."""
    with pytest.raises(InputError) as caught:
        run_plan(FLAT, f"""
            {SPLIT_HEADER}
            P1,C1,A1,2026-10-01,100.00,10,3000,0.3
            P2,C1,A2,2026-10-01,100.00,10,3000,
        """)
    assert [str(p).rsplit("/", 1)[-1] for p in caught.value.problems] == [
        "ledger.csv:row 2: credit_share: the shares of payment 'P1' add up to 0.3, not 1; it has this one row: "
        "give each collector's row with their share, or leave credit_share empty for sole credit"]


@pytest.mark.parametrize("rows, credited", [
    # one collector of P1 100.01 split in halves: floor(50.005) = 50.00 (with C2's row, C1 gets the cent)
    ([("P1", "C1", 10001, 500000)], [5000]),
    # two of P2's three collectors, 100.00 at 0.333334 + 0.333333: floor(66.6667) = 66.66, the parts 33.33 each
    ([("P2", "C1", 10000, 333334), ("P2", "C2", 10000, 333333)], [3333, 3333]),
    # a half of 100.00 is 50.00 exactly: no cent added
    ([("P3", "C1", 10000, 500000)], [5000]),
    # a reversal's part is split the same way, with its sign
    ([("R1", "C1", -10001, 500000)], [-5000]),
])
def test_some_collectors_of_a_split_payment_get_no_cent_of_the_others(rows, credited):
    """A team's simulation or a collector's what-if pays the rows of some collectors of a split payment:
    they share floor(payment x their shares), never a minor unit of a collector not given."""
    import pandas as pd

    from commission.engine.credit import credited_amounts

    frame = pd.DataFrame(rows, columns=["payment_id", "collector_id", "amount", "credit_share"])
    assert credited_amounts(frame).tolist() == credited


def test_split_credit_through_the_command_line_is_applied_once(tmp_path):
    """The single-plan path of a real run (regression: shares were applied twice)."""
    import csv

    from click.testing import CliRunner

    from commission.cli import main

    (tmp_path / "plan.yaml").write_text(FLAT, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(f"{SPLIT_HEADER}\nP1,C1,A1,2026-10-01,2045.00,10,3000,0.7\n"
                                         "P1,C2,A1,2026-10-01,2045.00,10,3000,0.3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                       str(tmp_path / "ledger.csv"), "--period", "2026-10", "--out",
                                       str(tmp_path / "out"), "--first-period"])
    assert result.exit_code == 0, result.output
    rows = {r["collector_id"]: r for r in csv.DictReader(open(tmp_path / "out" / "payouts.csv", encoding="utf-8"))}
    # 2,045.00 x 0.7 = 1,431.50 and x 0.3 = 613.50 ; at 5%: 71.575 -> 71.58 and 30.675 -> 30.68
    assert (rows["C1"]["recovered"], rows["C2"]["recovered"]) == ("1431.50", "613.50")
    assert (rows["C1"]["net_payout"], rows["C2"]["net_payout"]) == ("71.58", "30.68")
