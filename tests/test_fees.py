"""Pay on the agency's fee and on other ledger money columns (issue 13, section 1), each a small
scenario with the arithmetic worked out by hand; a property checks every line against Python fractions."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.cli import main
from commission.errors import InputError
from commission.policy import parse_policy
from commission.statements.plan_words import describe_plan
from conftest import payout, plan

FEE_SHARE = plan("""
    fees:
      rates:
        - {bucket: [M1, M2], rate: 20%}
        - {bucket: M3, rate: 30%}
      default: 40%
    components:
      - id: share
        kind: line_rate
        base: fee
        rates:
          - {id: early, bucket: M1, rate: 50%}
          - {id: other, rate: 60%}
""")
FEE_HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"


def lines_of(result) -> dict:
    """{payment_id: (base_amount, amount)} of the run's lines."""
    lines = result.lines
    return {p: (int(b), int(a)) for p, b, a in zip(lines["payment_id"], lines["base_amount"], lines["amount"])}


def test_share_of_fee_is_rounded_once_from_the_exact_product(run_plan):
    result = run_plan(FEE_SHARE, """
        P1,C1,A1,2026-10-05,1234.56,75,5000.00
        P2,C1,A2,2026-10-06,0.85,75,5000.00
        P3,C1,A3,2026-10-07,1000.00,10,5000.00
        P4,C1,A4,2026-10-08,5000.00,100,20000.00
    """)
    # P1 M3: fee 1234.56 x 30% = 370.368 -> 370.37 shown; share 1234.56 x 0.3 x 0.6 = 222.2208 -> 222.22
    # P2 M3: fee 0.255 -> 0.26 shown; share 0.85 x 0.18 = 0.153 -> 0.15 (0.26 x 60% would be 0.16)
    # P3 M1: fee 20% = 200.00; rule early 50%: 1000.00 x 0.1 = 100.00
    # P4 M4-6: fee default 40% = 2000.00; 60%: 1200.00
    assert lines_of(result) == {"P1": (37037, 22222), "P2": (26, 15), "P3": (20000, 10000), "P4": (200000, 120000)}
    assert result.lines["fee_rate"].astype(str).tolist() == ["30%", "30%", "20%", "40%"]
    assert result.lines["base_kind"].astype(str).tolist() == ["fee"] * 4
    assert result.lines["base"].tolist() == [123456, 85, 100000, 500000]  # base stays the repayment
    assert payout(result, "C1") == 22222 + 15 + 10000 + 120000
    assert payout(result, "C1", "recovered") == 123456 + 85 + 100000 + 500000


def test_half_even_applies_once_to_the_share(run_plan):
    plan_text = plan("""
        rounding: {mode: half_even}
        fees: {default: 30%}
        components:
          - {id: share, kind: line_rate, base: fee, rates: [{rate: 60%}]}
    """)
    result = run_plan(plan_text, "P1,C1,A1,2026-10-05,0.25,75,5000.00")
    # fee 0.25 x 30% = 0.075 -> 0.08 (half to even: 7.5 -> 8); share 0.25 x 0.18 = 0.045 -> 0.04 (4.5 -> 4),
    # where rounding the shown fee again (0.08 x 60% = 0.048) would give 0.05
    assert lines_of(result) == {"P1": (8, 4)}


def test_fee_column_is_split_like_the_amount(run_plan):
    plan_text = plan("""
        fees: {column: agency_fee}
        components:
          - {id: share, kind: line_rate, base: fee, rates: [{rate: 60%}]}
    """)
    result = run_plan(plan_text, f"""
        {FEE_HEADER},agency_fee,credit_share
        P1,C1,A1,2026-10-05,100.00,75,5000.00,33.33,0.5
        P1,C2,A1,2026-10-05,100.00,75,5000.00,33.33,0.5
        P2,C1,A2,2026-10-06,10.00,75,5000.00,2.50,
    """)
    # P1's fee 33.33 split in halves: 16.665 each -> 16.66 + 16.66, the cent left to the first (C1): 16.67 / 16.66
    # shares: 16.67 x 60% = 10.002 -> 10.00; 16.66 x 60% = 9.996 -> 10.00; P2: 2.50 x 60% = 1.50
    rows = {(p, c): (int(b), int(a)) for p, c, b, a in zip(result.lines["payment_id"], result.lines["collector_id"],
                                                           result.lines["base_amount"], result.lines["amount"])}
    assert rows == {("P1", "C1"): (1667, 1000), ("P1", "C2"): (1666, 1000), ("P2", "C1"): (250, 150)}
    assert result.lines["fee_rate"].astype(str).tolist() == ["ledger"] * 3
    assert payout(result, "C1") == 1150 and payout(result, "C2") == 1000


def test_rate_on_principal_and_its_reversal_claws_back_in_proportion(run_plan):
    plan_text = plan("""
        components:
          - {id: on-principal, kind: line_rate, base: principal, rates: [{rate: 10%}]}
    """)
    result = run_plan(plan_text, f"""
        {FEE_HEADER},principal,reverses
        P1,C1,A1,2026-09-05,1000.00,75,5000.00,800.00,
        R1,C1,A1,2026-10-05,-500.00,75,5000.00,0.00,P1
        P2,C1,A2,2026-10-06,300.00,75,5000.00,123.45,
    """)
    # R1 reverses half of September's P1: 10% of 800.00 = 80.00 earned, half of it back: -40.00, on -400.00
    # P2: 123.45 x 10% = 12.345 -> 12.35
    assert lines_of(result) == {"R1": (-40000, -4000), "P2": (12345, 1235)}
    assert result.lines["base_kind"].astype(str).tolist() == ["principal"] * 2
    assert payout(result, "C1", "line_commission") == -4000 + 1235  # net negative: carried, not paid


def test_fee_reversal_gives_back_exactly_what_the_payment_earned(run_plan):
    result = run_plan(FEE_SHARE, f"""
        {FEE_HEADER},reverses
        P1,C1,A1,2026-09-05,1234.56,75,5000.00,
        R1,C1,A1,2026-10-02,-1000.00,75,5000.00,P1
        R2,C1,A1,2026-10-03,-234.56,75,5000.00,P1
        P2,C1,A2,2026-10-04,100.00,75,5000.00,
    """)
    # 222.22 earned in September; R1 takes back round(222.22 x 1000/1234.56) = 180.00 (180.0006),
    # R2 the rest: 222.22 - 180.00 = 42.22; fees likewise 370.37 -> 300.00 (300.0016) and 70.37
    # P2: 100.00 x 0.18 = 18.00 (fee 30.00)
    assert lines_of(result) == {"R1": (-30000, -18000), "R2": (-7037, -4222), "P2": (3000, 1800)}
    assert payout(result, "C1", "line_commission") == -18000 - 4222 + 1800


def test_other_plans_lines_have_no_fee_columns(run_plan):
    result = run_plan(plan("""
        components:
          - {id: base, kind: line_rate, rates: [{rate: 5%}]}
    """), "P1,C1,A1,2026-10-05,100.00,75,5000.00")
    assert "base_amount" not in result.lines and "fee_rate" not in result.lines


@pytest.mark.parametrize("snippet, message", [
    ("components:\n  - {id: s, kind: line_rate, base: fee, rates: [{rate: 60%}]}\n",
     "components[0].base: base: fee needs the plan's fees: block"),
    ("fees: {default: 130%}\ncomponents:\n  - {id: s, kind: line_rate, base: fee, rates: [{rate: 60%}]}\n",
     "fees.default: 130% is above 100%"),
    ("fees: {default: 30%}\ncomponents:\n  - {id: s, kind: line_rate, base: fee, rates: [{rate: 160%}]}\n",
     "components[0].rates[0].rate: 160% is above 100%"),
    ("fees: {default: 30%, column: fee}\ncomponents:\n  - {id: s, kind: line_rate, rates: [{rate: 6%}]}\n",
     "fees: give the fee as rates (and/or a default rate) or as a ledger column"),
    ("components:\n  - {id: a, kind: line_rate, rates: [{rate: 6%}]}\n"
     "  - {id: s, kind: line_rate, base: 'component:a', rates: [{rate: 6%}]}\n",
     "use a tier schedule or a bonus with measure: component:a"),
    ("components:\n  - {id: s, kind: line_rate, base: payment_id, rates: [{rate: 6%}]}\n",
     "components[0].base: 'payment_id' is not a ledger money column"),
    ("components:\n  - {id: s, kind: line_rate, base: '=cmd()', rates: [{rate: 6%}]}\n",
     "components[0].base: '=cmd()' is not a ledger money column"),
    ("rounding: {at: component}\nfees: {default: 30%}\n"
     "components:\n  - {id: s, kind: line_rate, base: fee, rates: [{rate: 60%}]}\n",
     "a line rate on fee is rounded once per line from its exact value; rounding.at: component"),
])
def test_plan_mistakes_with_fees_are_one_clear_line(snippet, message):
    with pytest.raises(InputError) as caught:
        parse_policy("plan: p\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\n" + snippet)
    assert any(message in str(problem) for problem in caught.value.problems), caught.value.problems


def test_lint_refuses_a_share_of_a_fee_above_100_percent(tmp_path: Path):
    path = tmp_path / "plan.yaml"
    path.write_text("plan: p\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\nfees: {default: 30%}\n"
                    "components:\n  - {id: s, kind: line_rate, base: fee, rates: [{rate: 120%}]}\n", encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(FEE_HEADER + "\nP1,C1,A1,2026-10-05,100.00,75,5000.00\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path), "--ledger", str(ledger)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "plan.yaml:7: components[0].rates[0].rate: 120% is above 100%" in result.output


def test_a_missing_fee_column_names_the_column(run_plan):
    with pytest.raises(InputError) as caught:
        run_plan(plan("""
            fees: {column: agency_fee}
            components:
              - {id: s, kind: line_rate, base: fee, rates: [{rate: 60%}]}
        """), "P1,C1,A1,2026-10-05,100.00,75,5000.00")
    assert "agency_fee: is a money column the plan reads (a fee, a base, a sum: measure) but is missing from " \
        "the header" in str(caught.value)


@pytest.mark.parametrize("cell, message", [
    ("=1+2", "'=1+2' is not a number"),
    ("1e5", "'1e5' is not a number"),
    ("12.345", "12.345 has more than 2 decimal places"),
    ("99999999999999999", "is too large"),
    ("", "is empty; an amount is required"),
])
def test_hostile_fee_cells_are_refused_with_their_row(run_plan, cell, message):
    with pytest.raises(InputError) as caught:
        run_plan(plan("""
            fees: {column: agency_fee}
            components:
              - {id: s, kind: line_rate, base: fee, rates: [{rate: 60%}]}
        """), f"{FEE_HEADER},agency_fee\nP1,C1,A1,2026-10-05,100.00,75,5000.00,{cell}")
    text = str(caught.value)
    assert "ledger.csv:row 2: agency_fee:" in text and message in text, text


def test_plan_in_words_says_fee_and_share_in_english_and_chinese():
    policy = parse_policy(FEE_SHARE)
    en = {rule: text for rule, _, text in describe_plan(policy, "en")}
    zh = {rule: text for rule, _, text in describe_plan(policy, "zh")}
    assert en["fee#2"] == "the agency's fee: bucket M3: 30% of each repayment"
    assert en["fee#default"] == "the agency's fee where no fee rule matches: 40% of each repayment"
    assert en["other"] == ("any other repayment: 60% of the agency's fee on each repayment (the repayment x the "
                           "fee rate x 60%, rounded once)")
    assert zh["fee#2"] == "机构服务费：账龄 M3：每笔回款的 30%"
    assert zh["early"] == "账龄 M1：每笔回款机构服务费的 50%（回款额 × 服务费率 × 50%，只取整一次）"


PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RATES = st.sampled_from(["30%", "33.33%", "12.5%", "7%", "0.125"])


@PROPERTY
@given(amounts=st.lists(st.integers(1, 10**9), min_size=1, max_size=8), fee=RATES, share=RATES)
def test_each_line_is_the_exact_product_rounded_once_and_lines_add_up(run_plan, amounts, fee, share):
    plan_text = plan(f"""
        fees: {{default: {fee}}}
        components:
          - {{id: s, kind: line_rate, base: fee, rates: [{{rate: {share}}}]}}
    """)
    rows = "\n".join(f"P{i:02d},C1,A{i},2026-10-05,{a // 100}.{a % 100:02d},75,5000.00" for i, a in enumerate(amounts))
    result = run_plan(plan_text, rows)

    def rate(text):
        return Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)

    def half_up(value: Fraction) -> int:
        return int((value + Fraction(1, 2)) // 1)

    expected = [half_up(a * rate(fee) * rate(share)) for a in amounts]
    assert result.lines["amount"].tolist() == expected
    assert result.lines["base_amount"].tolist() == [half_up(a * rate(fee)) for a in amounts]
    assert payout(result, "C1") == sum(expected)


def test_explain_and_statement_show_repayment_fee_and_share(tmp_path: Path):
    (tmp_path / "plan.yaml").write_text(FEE_SHARE, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(f"{FEE_HEADER},reverses\nP1,C1,A1,2026-10-05,1234.56,75,5000.00,\n"
                                         "R1,C1,A1,2026-10-06,-234.56,75,5000.00,P1\n", encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    ran = runner.invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger", str(tmp_path / "ledger.csv"),
                               "--period", "2026-10", "--out", str(out), "--first-period"])
    assert ran.exit_code == 0, ran.output
    paid = runner.invoke(main, ["explain", "--run", str(out), "--collector", "C1", "--payment", "P1", "--lang", "en"])
    assert ": 1,234.56 x fee rate 30% = fee 370.37; share x 60% = 222.22 (rounded once from 1,234.56 x 30% x 60%)\n" \
        in paid.output
    # R1 takes back 222.22 x 234.56 / 1234.56 = 42.2208 -> 42.22 of the share, 70.37 (70.3694) of the fee
    reversed_ = runner.invoke(main, ["explain", "--run", str(out), "--collector", "C1", "--payment", "R1", "--lang",
                                     "en"])
    assert ": -234.56 x fee rate 30% = fee -70.37; share x 60% = -42.22 (its payment's share" in reversed_.output
    whole = runner.invoke(main, ["explain", "--run", str(out), "--collector", "C1", "--lang", "en"])
    assert ": 1 repayment, fees 300.00 x 60% = 180.00 (1 reversed, clawed back)\n" in whole.output  # P1, and R1 apart
    written = runner.invoke(main, ["statements", "--run", str(out), "--lang", "zh", "--jobs", "1"])
    assert written.exit_code == 0, written.output
    import openpyxl
    sheet = openpyxl.load_workbook(next((out / "statements").glob("*.xlsx")))["回款明细"]
    rows = list(sheet.iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1]))
    assert {k: first[k] for k in ("计入本人回款", "服务费率", "服务费 / 计提基数", "提成比例", "金额")} == \
        {"计入本人回款": 1234.56, "服务费率": 0.3, "服务费 / 计提基数": 370.37, "提成比例": 0.6, "金额": 222.22}  # rates as numbers


def test_a_float_money_column_is_refused_like_a_float_amount(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from commission.inputs import load_ledger
    table = pa.table({"payment_id": ["P1"], "collector_id": ["C1"], "account_id": ["A1"],
                      "payment_date": ["2026-10-05"], "amount": ["100.00"], "days_past_due": [75],
                      "balance": ["900.00"], "principal": pa.array([80.1], pa.float64())})
    pq.write_table(table, tmp_path / "ledger.parquet")
    with pytest.raises(InputError) as caught:
        load_ledger([tmp_path / "ledger.parquet"], 2, money_columns=["principal"])
    assert "principal: is stored as floating point, which cannot hold money exactly" in str(caught.value)


def test_simulate_compares_a_fee_column_plan_with_counts(tmp_path: Path):
    today = tmp_path / "today.yaml"
    today.write_text(FEE_SHARE, encoding="utf-8")
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text("plan: agency-col\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\n"
                         "fees: {column: agency_fee}\ncomponents:\n"
                         "  - {id: share, kind: line_rate, base: fee, rates: [{rate: 60%}]}\n"
                         "  - {id: s, kind: bonus, measure: accounts_settled, steps: [{at_least: 1, amount: 5.00}]}\n",
                         encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(f"{FEE_HEADER},agency_fee,settled\nP1,C1,A1,2026-10-01,1234.56,75,5000.00,300.00,yes\n"
                      "P2,C2,A2,2026-10-02,100.00,10,5000.00,20.00,no\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", "--policy", str(today), "--candidate", str(candidate),
                                       "--ledger", str(ledger), "--out", str(tmp_path / "sim")])
    assert result.exit_code == 0, result.output
    # today: C1 M3 1234.56 x 30% x 60% = 222.22, C2 M1 100.00 x 20% x 50% = 10.00: 232.22
    # candidate: 300.00 x 60% + 5.00 = 185.00 and 20.00 x 60% = 12.00: 197.00 (curves leave out what a
    # synthetic ledger cannot feed: the fee column and the count)
    assert "today: cost 232.22 CNY" in result.output
    assert "agency-col v1: cost 197.00 CNY" in result.output


def test_lint_warns_when_a_rate_on_repayments_is_above_the_fee_rate():
    from commission.policy import load_policy
    from commission.simulation.lint import lint_policy
    fixture = Path(__file__).resolve().parent / "fixtures" / "lint" / "pays_above_fee.yaml"
    warnings = [w for w in lint_policy(load_policy(fixture)) if w.code == "pays-above-fee"]
    assert len(warnings) == 1
    assert warnings[0].where.endswith("pays_above_fee.yaml:21")
    assert warnings[0].message.startswith(
        "component base: 12% of the repayment where the fee is 10% (bucket M1, portfolio bank-b); 12% of the "
        "repayment where the fee is 10% (bucket M1, portfolio (any other)); 25% of the repayment where the fee is "
        "20% (bucket M2, portfolio bank-b). The agency pays out more than it earns")
