"""Tiers and bonuses on any measure (issue 13, section 2): fees, sums of a ledger column, a component's
total, counts of accounts and promises, recovery rate. Numbers worked out by hand; a property counts
accounts with Python sets."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.errors import InputError
from commission.policy import parse_policy
from commission.statements.plan_words import describe_plan
from conftest import item_amounts, payout, plan

HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"


def kpi(result, collector: str, measure: str) -> int:
    rows = result.kpis.loc[(result.kpis["collector_id"] == collector) & (result.kpis["kpi"] == measure)]
    assert len(rows) == 1 and int(rows["denominator"].iloc[0]) == 1
    return int(rows["numerator"].iloc[0])


def test_whole_tiers_on_fees_pay_on_all_the_fees(run_plan):
    result = run_plan(plan("""
        fees: {default: 30%}
        components:
          - id: breakeven
            kind: tiers
            measure: fees
            mode: whole
            tiers:
              - {from: 0, to: 14000, rate: 0%}
              - {from: 14000, rate: 20%}
    """), """
        P1,C1,A1,2026-10-05,35000.00,120,90000.00
        P2,C1,A2,2026-10-20,25000.00,120,90000.00
        P3,C2,A3,2026-10-06,46666.65,120,90000.00
    """)
    # C1: fees 18,000.00 in the top tier: 20% of all of it = 3,600.00
    # C2: fees 13,999.995 -> 14,000.00 (the line's fee, rounded half up): the top tier too, 2,800.00
    assert kpi(result, "C1", "fees") == 1800000 and kpi(result, "C2", "fees") == 1400000
    assert payout(result, "C1") == 360000 and payout(result, "C2") == 280000


def test_bonus_on_the_sum_of_a_ledger_column(run_plan):
    result = run_plan(plan("""
        components:
          - id: principal-bonus
            kind: bonus
            measure: sum:principal
            steps:
              - {at_least: 1000.00, amount: 100.00}
              - {at_least: 5000.00, rate: 1%}
    """), f"""
        {HEADER},principal
        P1,C1,A1,2026-10-05,6000.00,75,9000.00,4000.00
        P2,C1,A2,2026-10-06,2000.00,75,9000.00,1000.00
        P3,C2,A3,2026-10-06,2000.00,75,9000.00,1500.00
    """)
    # C1: principal 5,000.00 reaches the second step: 1% of recovered 8,000.00 = 80.00; C2: 1,500.00: 100.00
    assert kpi(result, "C1", "sum:principal") == 500000
    assert payout(result, "C1") == 8000 and payout(result, "C2") == 10000
    assert result.items.loc[result.items["collector_id"] == "C2", "rate"].tolist() == \
        ["fixed (sum:principal 1500.00)"]


def test_tiers_on_an_earlier_components_total(run_plan):
    result = run_plan(plan("""
        components:
          - {id: base, kind: line_rate, rates: [{rate: 10%}]}
          - id: kicker
            kind: tiers
            measure: component:base
            mode: marginal
            tiers:
              - {from: 0, to: 1000, rate: 0%}
              - {from: 1000, rate: 50%}
    """), "P1,C1,A1,2026-10-05,15000.00,75,90000.00")
    # base: 1,500.00; kicker: 50% of the 500.00 above 1,000.00 = 250.00
    assert item_amounts(result, "C1") == {"base": 150000, "kicker#1": 0, "kicker#2": 25000}


def test_counts_of_accounts_paying_net_of_reversals_and_by_bucket(run_plan):
    result = run_plan(plan("""
        components:
          - id: paying
            kind: bonus
            measure: accounts_paying
            steps: [{at_least: 2, amount: 100.00}]
          - id: paying-m3
            kind: bonus
            measure: accounts_paying:M3
            steps: [{at_least: 1, amount: 50.00}, {at_least: 2, amount: 80.00}]
    """), f"""
        {HEADER},reverses
        P1,C1,A1,2026-10-01,100.00,75,900.00,
        R1,C1,A1,2026-10-02,-100.00,75,900.00,P1
        P2,C1,A2,2026-10-03,100.00,10,900.00,
        P3,C1,A2,2026-10-04,100.00,10,900.00,
        P4,C1,A3,2026-10-05,100.00,75,900.00,
        P5,C2,A3,2026-10-05,100.00,75,900.00,
    """)
    # C1: A1 paid and reversed in full (net 0: not paying), A2 twice (once), A3: 2 accounts; in M3 only A3
    # C2: A3 (the same account counts for each collector it pays through): 1, and 1 in M3
    assert kpi(result, "C1", "accounts_paying") == 2 and kpi(result, "C1", "accounts_paying:M3") == 1
    assert kpi(result, "C2", "accounts_paying") == 1
    assert item_amounts(result, "C1") == {"paying#1": 10000, "paying-m3#1": 5000}
    assert item_amounts(result, "C2") == {"paying-m3#1": 5000}
    assert result.kpis["numerator"].dtype == "int64"


def test_promises_kept_and_accounts_brought_current(run_plan):
    result = run_plan(plan("""
        components:
          - id: promises
            kind: bonus
            measure: promises_kept
            steps: [{at_least: 2, amount: 30.00}]
          - id: current
            kind: tiers
            measure: accounts_brought_current
            mode: whole
            tiers:
              - {from: 0, to: 3, each: 10.00}
              - {from: 3, each: 20.00}
    """), f"""
        {HEADER},promise_kept,brought_current,reverses
        P1,C1,A1,2026-10-01,100.00,40,900.00,true,yes,
        P2,C1,A2,2026-10-02,100.00,40,900.00,TRUE,Y,
        R2,C1,A2,2026-10-03,-50.00,40,900.00,true,yes,P2
        P3,C1,A3,2026-10-04,100.00,40,900.00,no,1,
        P4,C1,A4,2026-10-05,100.00,40,900.00,,true,
        P5,C2,A5,2026-10-05,100.00,40,900.00,1,no,
    """)
    # C1: promises kept P1, P2 (a reversal row never counts): 2 -> 30.00; brought current A1..A4: 4, whole
    # tier from 3: 4 x 20.00 = 80.00. C2: one promise, no account brought current.
    assert kpi(result, "C1", "promises_kept") == 2 and kpi(result, "C1", "accounts_brought_current") == 4
    assert item_amounts(result, "C1") == {"promises#1": 3000, "current#2": 8000}
    assert item_amounts(result, "C2") == {}
    row = result.items.loc[result.items["rule"] == "current#2"].iloc[0]
    assert (int(row["base"]), row["rate"]) == (2000, "x 4 (accounts_brought_current)")


def test_tiers_on_recovery_rate_bound_by_the_assigned_balance(run_plan):
    result = run_plan(plan("""
        components:
          - id: rr
            kind: tiers
            measure: recovery_rate
            mode: marginal
            tiers:
              - {from: 0%, to: 10%, rate: 1%}
              - {from: 10%, rate: 3%}
    """), "P1,C1,A1,2026-10-05,15000.00,75,90000.00",
        assignments="collector_id,period,assigned_balance\nC1,2026-10,100000.00")
    # bound 10% of 100,000.00 = 10,000.00: 1% of 10,000.00 = 100.00, 3% of 5,000.00 = 150.00
    assert item_amounts(result, "C1") == {"rr#1": 10000, "rr#2": 15000}


@pytest.mark.parametrize("snippet, message", [
    ("  - {id: b, kind: bonus, measure: accounts_settled, steps: [{at_least: 10.00, amount: 5.00}]}\n",
     "components[0].steps[0].at_least: '10.00': accounts_settled counts, so write a whole number such as 10"),
    ("  - {id: t, kind: tiers, measure: promises_kept, mode: marginal, tiers: [{from: 0, rate: 5%}]}\n",
     "give exactly one of amount (fixed) or each (an amount per one counted): promises_kept is a count"),
    ("  - {id: t, kind: tiers, measure: recovered, mode: marginal, tiers: [{from: 0, each: 5.00}]}\n",
     "give exactly one of rate (on the base in the tier) or amount (fixed)"),
    ("  - {id: t, kind: tiers, measure: qa_score, mode: marginal, tiers: [{from: 0, rate: 5%}]}\n",
     "components[0].measure: qa_score cannot be the measure here"),
    ("  - {id: t, kind: tiers, measure: fees, mode: marginal, tiers: [{from: 0, rate: 5%}]}\n",
     "components[0].measure: measure fees needs the plan's fees: block"),
    ("  - {id: b, kind: bonus, measure: 'accounts_paying:M9', steps: [{at_least: 1, amount: 5.00}]}\n",
     "'M9' is not a class label of the plan"),
    ("  - {id: b, kind: bonus, measure: 'component:b', steps: [{at_least: 1.00, amount: 5.00}]}\n",
     "component:b: 'b' is this component itself (a cycle)"),
    ("  - {id: b, kind: bonus, measure: 'component:later', steps: [{at_least: 1.00, amount: 5.00}]}\n"
     "  - {id: later, kind: line_rate, rates: [{rate: 5%}]}\n",
     "'later' is not listed before it (components are computed in plan order)"),
    ("  - {id: b, kind: bonus, measure: 'component:nope', steps: [{at_least: 1.00, amount: 5.00}]}\n",
     "'nope' is not a component of the plan"),
    ("  - {id: b, kind: bonus, measure: 'sum:payment_id', steps: [{at_least: 1.00, amount: 5.00}]}\n",
     "'payment_id' is not a ledger money column"),
    ("  - {id: b, kind: bonus, measure: attendance, steps: [{at_least: 1, amount: 5.00}]}\n",
     "'attendance' is not a measure; one of: recovered, fees"),
])
def test_measure_mistakes_are_one_clear_line(snippet, message):
    with pytest.raises(InputError) as caught:
        parse_policy(plan("components:\n" + snippet))
    assert any(message in str(problem) for problem in caught.value.problems), caught.value.problems


def test_a_count_measure_needs_its_column_and_true_or_false_cells(run_plan):
    settled = plan("""
        components:
          - {id: b, kind: bonus, measure: accounts_settled, steps: [{at_least: 1, amount: 5.00}]}
    """)
    with pytest.raises(InputError) as caught:
        run_plan(settled, "P1,C1,A1,2026-10-05,100.00,75,900.00")
    assert "settled: is read by the plan's count measure but is missing from the header" in str(caught.value)
    with pytest.raises(InputError) as caught:
        run_plan(settled, f"{HEADER},settled\nP1,C1,A1,2026-10-05,100.00,75,900.00,maybe\n"
                          "P2,C1,A2,2026-10-05,100.00,75,900.00,=1+1")
    text = str(caught.value)
    assert "ledger.csv:row 2: settled: 'maybe' is not true or false" in text
    assert "ledger.csv:row 3: settled: '=1+1' is not true or false" in text


def test_measures_in_words_in_english_and_chinese():
    policy = parse_policy(plan("""
        fees: {default: 30%}
        components:
          - id: settled
            kind: tiers
            measure: accounts_settled
            mode: marginal
            tiers:
              - {from: 2, to: 4, each: 100.00}
              - {from: 4, amount: 150.00}
          - id: breakeven
            kind: tiers
            measure: fees
            mode: marginal
            tiers:
              - {from: 0, to: 14000, rate: 0%}
              - {from: 14000, rate: 20%}
          - {id: m3, kind: bonus, measure: 'accounts_paying:M3', steps: [{at_least: 5, amount: 50.00}]}
    """))
    en = {rule: text for rule, _, text in describe_plan(policy, "en")}
    zh = {rule: text for rule, _, text in describe_plan(policy, "zh")}
    assert en["settled"] == "marginal tiers on accounts settled (paid monthly)"
    assert en["settled#1"] == "2 to 4: 100.00 for each one"
    assert en["breakeven"] == "marginal tiers on the agency's fees (paid monthly)"
    assert en["breakeven#2"] == "14,000.00 and above: 20% on the part in this tier"
    assert en["m3#1"] == "accounts paying in M3 at least 5: 50.00 (paid monthly)"
    assert zh["settled"] == "结清户数超额累进阶梯（月度发放）"
    assert zh["settled#1"] == "2 至 4：每个奖励 100.00"
    assert zh["breakeven"] == "机构服务费超额累进阶梯（月度发放）"
    assert zh["m3#1"] == "M3还款户数达到 5：奖励 50.00（月度发放）"


PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ROWS = st.lists(st.tuples(st.sampled_from(["C1", "C2"]), st.integers(1, 6), st.integers(1, 10**6), st.booleans()),
                min_size=1, max_size=12)


@PROPERTY
@given(rows=ROWS)
def test_counts_are_exact_integers_of_distinct_accounts(run_plan, rows):
    result = run_plan(plan("""
        components:
          - {id: p, kind: bonus, measure: accounts_paying, steps: [{at_least: 1, amount: 1.00}]}
          - {id: s, kind: bonus, measure: accounts_settled, steps: [{at_least: 1, amount: 1.00}]}
          - {id: k, kind: bonus, measure: promises_kept, steps: [{at_least: 1, amount: 1.00}]}
    """), f"{HEADER},settled,promise_kept\n" + "\n".join(
        f"P{i:02d},{c},A{a},2026-10-05,{m // 100}.{m % 100:02d},40,900.00,{str(f).lower()},{int(f)}"
        for i, (c, a, m, f) in enumerate(rows)))
    for collector in sorted({c for c, _, _, _ in rows}):
        mine = [(a, f) for c, a, _, f in rows if c == collector]
        assert kpi(result, collector, "accounts_paying") == len({a for a, _ in mine})
        assert kpi(result, collector, "accounts_settled") == len({a for a, f in mine if f})
        assert kpi(result, collector, "promises_kept") == sum(f for _, f in mine)
    assert str(result.kpis["numerator"].dtype) == "int64"


def test_lint_names_a_measure_no_input_provides(tmp_path):
    from click.testing import CliRunner

    from commission.cli import main
    path = tmp_path / "plan.yaml"
    path.write_text("plan: p\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\ncomponents:\n"
                    "  - {id: b, kind: bonus, measure: accounts_settled, steps: [{at_least: 1, amount: 5.00}]}\n",
                    encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEADER + "\nP1,C1,A1,2026-10-05,100.00,75,900.00\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path), "--ledger", str(ledger)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{ledger}:row 1: settled: is read by the plan's count measure but is missing from the header" \
        in result.output


def test_a_count_of_an_earlier_month_is_recomputed_without_its_reversed_payment(run_plan):
    result = run_plan(plan("""
        reversals: {earlier_periods: recompute}
        components:
          - id: paying
            kind: bonus
            measure: accounts_paying
            steps: [{at_least: 2, amount: 100.00}]
    """), f"""
        {HEADER},reverses
        P1,C1,A1,2026-09-05,100.00,40,900.00,
        P2,C1,A2,2026-09-06,100.00,40,900.00,
        R1,C1,A1,2026-10-03,-100.00,40,900.00,P1
        P3,C1,A3,2026-10-04,100.00,40,900.00,
    """)
    # September paid the bonus on 2 accounts (A1, A2); R1 reverses all of A1 in October, so September has 1:
    # its 100.00 is taken back now. October counts only A3 (R1 counts with its payment): no bonus.
    assert item_amounts(result, "C1")["paying#1:recomputed"] == -10000
    assert payout(result, "C1", "bonus") == -10000  # net negative: carried, not paid


def test_a_sweep_varies_a_count_bound_as_a_whole_number():
    from commission.simulation.sweep import parse_sweep
    policy = parse_policy(plan("""
        components:
          - id: settled
            kind: tiers
            measure: accounts_settled
            mode: marginal
            tiers:
              - {from: 0, to: 10, amount: 0.00}
              - {from: 10, each: 50.00}
    """))
    sweep = parse_sweep("components.settled.tiers[1].from=8..10:1", policy)
    assert (sweep.values, sweep.texts, sweep.current) == ((8, 9, 10), ("8", "9", "10"), "10")
    with pytest.raises(InputError) as caught:
        parse_sweep("components.settled.tiers[1].from=8.00,9.00", policy)
    assert "8.00 is not a whole number (a count)" in str(caught.value)
