"""Hostile amounts, rates and sums: every number has a documented bound, is refused past it with
file and row (or file:line), and money never wraps. Expected figures are worked out by hand or
recomputed here with Python integers, never with the engine's own helpers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commission.cli import main
from commission.errors import InputError, ProblemCollector
from commission.inputs import columns, load_ledger, load_period_values
from commission.inputs.tables import RawTable
from commission.money import (HALF_EVEN, HALF_UP, MAX_AMOUNT, MAX_FACTOR, MAX_TOTAL, RATE_SCALE, OutOfBounds,
                              TotalTooLarge, add_checked, apply_fraction, apply_rate, apply_ratio, parse_money,
                              parse_rate, sum_by, total)
from commission.policy import parse_policy
from conftest import LEDGER_HEADER, payout, plan

LIMIT = "too large (the limit is 9999999999999.99)"
TOTAL_LIMIT = "too large (the limit for a total is 999999999999999.99)"
FIVE_PERCENT = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
    """)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def cents(minor: int) -> str:
    """Minor units as the decimal text a ledger holds (written here, not with the engine's formatter)."""
    sign, whole, frac = "-" if minor < 0 else "", abs(minor) // 100, abs(minor) % 100
    return f"{sign}{whole}.{frac:02d}"


def run_cli(tmp_path: Path, plan_text: str, ledger_rows: list[str], header: str = LEDGER_HEADER):
    (tmp_path / "plan.yaml").write_text(plan_text, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text("\n".join([header, *ledger_rows]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                       str(tmp_path / "ledger.csv"), "--period", "2026-10", "--out", str(out),
                                       "--first-period"])
    return result, out


def refused(result, out: Path) -> list[str]:
    """Exit 2 cleanly: no traceback, nothing written; the problem lines (without the closing count)."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert not out.exists()
    return result.stderr.splitlines()[:-1]


def validate(tmp_path: Path, plan_text: str) -> list[str]:
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.stderr.splitlines()[:-1]


# -- the examples -------------------------------------------------------------------

def test_100_rows_of_999_999_999_999_999_99_for_one_collector_are_refused_row_by_row(tmp_path):
    rows = [f"P{i:03d},C1,A0001,2026-10-03,999999999999999.99,10,100.00" for i in range(100)]
    lines = refused(*run_cli(tmp_path, FIVE_PERCENT, rows))
    ledger = tmp_path / "ledger.csv"
    assert lines[:2] == [f"{ledger}:row 2: amount: 999999999999999.99 is {LIMIT}",
                         f"{ledger}:row 3: amount: 999999999999999.99 is {LIMIT}"]
    assert lines[-1] == "... and 50 more problems of the same kinds"


def test_a_long_run_of_digits_is_too_large_not_not_a_number(tmp_path):
    lines = refused(*run_cli(tmp_path, FIVE_PERCENT, ["P1,C1,A0001,2026-10-03,9999999999999999.99,10,100.00"]))
    assert lines == [f"{tmp_path / 'ledger.csv'}:row 2: amount: 9999999999999999.99 is {LIMIT}"]


CAP = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
    adjustments:
      - {id: limits, kind: cap_floor, cap: 99999999999999999999999999999.99}
    """)
RATE_400_DIGITS = "0." + "1" * 398 + "%"
PASTED_FLOAT = "0.1000000000000000055511151231257827"


@pytest.mark.parametrize(("plan_text", "message"), [
    (CAP, "plan.yaml:23: adjustments[0].cap: '99999999999999999999999999999.99' is " + LIMIT),
    (FIVE_PERCENT.replace("5%", RATE_400_DIGITS), "plan.yaml:21: components[0].rates[0].rate: "
     "'0.11111111111111111111111111111111111111... (401 characters)' has too many decimals (at most 8 decimal "
     "places, or 6 in a percentage)"),
    (FIVE_PERCENT.replace("5%", PASTED_FLOAT), f"plan.yaml:21: components[0].rates[0].rate: '{PASTED_FLOAT}' has too "
     "many decimals (at most 8 decimal places, or 6 in a percentage)"),
], ids=["huge-cap", "400-digit-rate", "pasted-float-rate"])
def test_what_validate_refuses_run_refuses_with_the_same_message(tmp_path, plan_text, message):
    assert validate(tmp_path, plan_text) == [f"{tmp_path}/{message}"]
    lines = refused(*run_cli(tmp_path, plan_text, ["P1,C1,A0001,2026-10-03,100.00,10,100.00"]))
    assert lines == [f"{tmp_path}/{message}"]


def test_every_kind_of_plan_amount_and_factor_has_its_bound():
    big = "10000000000000.00"
    text = plan(f"""
        components:
          - id: base
            kind: line_rate
            rates:
              - {{rate: 5%}}
            per_payment: {{min: 0.01, max: {big}}}
          - id: volume
            kind: tiers
            tiers:
              - {{from: 0, to: {big}, rate: 1%}}
              - {{from: {big}, amount: {big}}}
            mode: marginal
          - id: target-bonus
            kind: bonus
            kpi: attainment
            steps:
              - {{at_least: 1001%, amount: {big}}}
        adjustments:
          - {{id: gate, kind: threshold, recovered_at_least: {big}}}
          - {{id: boost, kind: multiplier, bands: [{{from: 0, multiplier: 10.5}}]}}
          - id: conduct
            kind: compliance
            events: {{complaint: {{deduct: {big}}}}}
        balances: {{recover_at_most: {big}}}
        draw: {{amount: {big}, recoverable: true}}
        """)
    with pytest.raises(InputError) as raised:
        parse_policy(text, source="plan.yaml")
    messages = sorted(f"{p.key}: {p.message}" for p in raised.value.problems)
    assert messages == sorted([
        f"components[0].per_payment.max: '{big}' is {LIMIT}",
        f"components[1].tiers[0].to: '{big}' is {LIMIT}",
        f"components[1].tiers[1].from: '{big}' is {LIMIT}",
        f"components[1].tiers[1].amount: '{big}' is {LIMIT}",
        "components[2].steps[0].at_least: '1001%' is too large (the limit is 10, or 1000%)",
        f"components[2].steps[0].amount: '{big}' is {LIMIT}",
        f"adjustments[0].recovered_at_least: '{big}' is {LIMIT}",
        "adjustments[1].bands[0].multiplier: '10.5' is too large (the limit is 10, or 1000%)",
        "adjustments[1].bands: give bands of {from, multiplier}, the first from 0",
        f"adjustments[2].events.complaint.deduct: '{big}' is {LIMIT}",
        f"balances.recover_at_most: '{big}' is {LIMIT}",
        f"draw.amount: '{big}' is {LIMIT}",
    ])


def test_amounts_at_the_bound_are_paid_exactly(run_plan):
    # 9,999,999,999,999.99 x 5% = 499,999,999,999.9995 -> 500,000,000,000.00; its reversal gives it back.
    result = run_plan(FIVE_PERCENT + "reversals: {unmatched: own_attributes}\n",
                      "P1,C1,A0001,2026-10-03,9999999999999.99,10,9999999999999.99\n"
                      "P2,C2,A0002,2026-10-03,-9999999999999.99,10,9999999999999.99")
    assert payout(result, "C1", "line_commission") == 50_000_000_000_000
    assert payout(result, "C2", "line_commission") == -50_000_000_000_000


def test_100_amounts_at_the_bound_make_a_total_within_it_and_101_stop_the_run(run_plan, tmp_path):
    rows = [f"P{i:03d},C1,A0001,2026-10-03,9999999999999.99,10,100.00" for i in range(101)]
    result = run_plan(FIVE_PERCENT, "\n".join(rows[:100]))
    assert payout(result, "C1", "recovered") == 100 * MAX_AMOUNT  # 999,999,999,999,999.00
    assert payout(result, "C1", "line_commission") == 100 * 50_000_000_000_000
    with pytest.raises(TotalTooLarge) as raised:
        run_plan(FIVE_PERCENT, "\n".join(rows))
    assert str(raised.value) == f"ledger: recovered in 2026-10 of C1 is {TOTAL_LIMIT}"  # the CLI says --ledger
    assert refused(*run_cli(tmp_path, FIVE_PERCENT, rows)) == [f"--ledger: recovered in 2026-10 of C1 is {TOTAL_LIMIT}"]


def test_a_multiplier_of_ten_on_the_largest_commission_stops_the_run_instead_of_wrapping(run_plan):
    text = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 100%}
        adjustments:
          - {id: boost, kind: multiplier, kpi: recovered, bands: [{from: 0, multiplier: 10}]}
        """)
    rows = "\n".join(f"P{i:03d},C1,A0001,2026-10-03,9999999999999.99,10,100.00" for i in range(100))
    with pytest.raises(TotalTooLarge, match=re.escape(f"the total of base of C1 is {TOTAL_LIMIT}")):
        run_plan(text, rows)


def test_parquet_integer_and_decimal_columns_past_the_bound_are_refused_by_row(tmp_path):
    path = tmp_path / "ledger.parquet"
    table = pa.table({
        "payment_id": ["P1", "P2", "P3"], "collector_id": ["C1", "C1", "C1"], "account_id": ["A1", "A2", "A3"],
        "payment_date": pa.array([date(2026, 10, 3)] * 3, pa.date32()),
        "amount": pa.array([Decimal("1.00"), Decimal("-99999999999999999999999999.99"), Decimal("9999999999999.99")],
                           pa.decimal128(38, 2)),
        "days_past_due": pa.array([10, 10, 10], pa.int64()),
        "balance": pa.array([1, 2**64 - 1, 10_000_000_000_000], pa.uint64()),
    })
    pq.write_table(table, path)
    with pytest.raises(InputError) as raised:
        load_ledger([path], 2)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:row 2: amount: -99999999999999999999999999.99 is {LIMIT}",
        f"{path}:row 2: balance: 18446744073709551615 is {LIMIT}",
        f"{path}:row 3: balance: 10000000000000 is {LIMIT}",
    ]


def test_targets_past_the_bound_are_refused_by_row(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("collector_id,period,target\nC1,2026-10,10000000000000.00\nC2,2026-10,9999999999999.99\n")
    with pytest.raises(InputError) as raised:
        load_period_values(path, "targets", "target", 2)
    assert [str(p) for p in raised.value.problems] == [f"{path}:row 2: target: 10000000000000.00 is {LIMIT}"]


def test_parse_money_enforces_the_bound_it_is_given():
    assert parse_money("9999999999999.99", 2) == MAX_AMOUNT
    assert parse_money("999999999999999", 0) == MAX_AMOUNT
    with pytest.raises(OutOfBounds, match=r"is too large \(the limit is 9999999999999.99\)"):
        parse_money("10000000000000.00", 2)
    with pytest.raises(OutOfBounds, match=r"is too large \(the limit is 999999999999999.99\)"):
        parse_money("99999999999999999999.00", 2, limit=MAX_TOTAL)
    assert parse_money("-999999999999999.99", 2, limit=MAX_TOTAL) == -MAX_TOTAL


def test_split_credit_of_the_largest_payment_is_exact(run_plan):
    # 999,999,999,999,999 minor x 0.333333 = 333,332,999,999,999.666667 (twice), x 0.333334 = ...999.666666:
    # floors add up to 2 short; the two largest remainders (C1, C2) get one each.
    result = run_plan(FIVE_PERCENT, """\
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,credit_share
        P1,C1,A0001,2026-10-03,9999999999999.99,10,100.00,0.333333
        P1,C2,A0001,2026-10-03,9999999999999.99,10,100.00,0.333333
        P1,C3,A0001,2026-10-03,9999999999999.99,10,100.00,0.333334
        """)
    assert [payout(result, c, "recovered") for c in ("C1", "C2", "C3")] == \
        [333_333_000_000_000, 333_333_000_000_000, 333_333_999_999_999]


def test_kpi_levels_are_compared_exactly_where_the_products_pass_int64(run_plan):
    # target 1,000,000,000,000.00; level 99.999999%: reached from exactly 999,999,990,000.00 recovered.
    # recovered x 10**8 (about 10**22) would wrap int64.
    text = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 0%}
          - id: hit
            kind: bonus
            kpi: attainment
            steps:
              - {at_least: 99.999999%, amount: 100.00}
        """)
    result = run_plan(text, "P1,C1,A0001,2026-10-03,999999990000.00,10,100.00\n"
                            "P2,C2,A0002,2026-10-03,999999989999.99,10,100.00",
                      targets="collector_id,period,target\nC1,2026-10,1000000000000.00\nC2,2026-10,1000000000000.00")
    assert payout(result, "C1", "bonus") == 10_000
    assert payout(result, "C2", "bonus") == 0


# -- properties -----------------------------------------------------------------------------

near_bound = st.one_of(st.integers(MAX_AMOUNT - 300, MAX_AMOUNT + 300),
                       st.integers(-MAX_AMOUNT - 300, -MAX_AMOUNT + 300),
                       st.integers(-10**22, 10**22), st.integers(-10**6, 10**6))


def raw(array: pa.Array) -> RawTable:
    return RawTable("t.csv", pa.table({"amount": array}), 2, "", ("amount",))


@settings(max_examples=60, deadline=None)
@given(st.lists(near_bound, min_size=1, max_size=20))
def test_ledger_amounts_are_accepted_exactly_up_to_the_bound_in_every_column_type(values):
    wanted = [v if abs(v) <= MAX_AMOUNT else None for v in values]
    text = pa.array([cents(v) for v in values])
    decimal = pa.array([Decimal(cents(v)) for v in values], pa.decimal128(38, 2))
    whole = pa.array([v // 100 for v in values if abs(v // 100) < 2**63], pa.int64())  # whole units
    for column in (text, decimal):
        problems = ProblemCollector()
        got = columns.money(raw(column), "amount", 2, problems)
        flagged = [int(p.where.split("row ")[1]) - 2 for p in problems.problems]
        assert flagged == [i for i, v in enumerate(wanted) if v is None]
        assert all(p.message.endswith(f"is {LIMIT}") for p in problems.problems)
        assert [int(g) for g, w in zip(got, wanted) if w is not None] == [w for w in wanted if w is not None]
    problems = ProblemCollector()
    got = columns.money(raw(whole), "amount", 2, problems)
    units = whole.to_pylist()
    assert [int(p.where.split("row ")[1]) - 2 for p in problems.problems] == \
        [i for i, u in enumerate(units) if abs(u * 100) > MAX_AMOUNT]
    assert [int(g) for g, u in zip(got, units) if abs(u * 100) <= MAX_AMOUNT] == \
        [u * 100 for u in units if abs(u * 100) <= MAX_AMOUNT]


@settings(max_examples=40, deadline=None)
@given(st.integers(MAX_AMOUNT - 200, MAX_AMOUNT + 200))
def test_plan_amounts_are_accepted_exactly_up_to_the_bound(minor):
    text = FIVE_PERCENT + f"adjustments:\n  - {{id: limits, kind: cap_floor, cap: {cents(minor)}}}\n"
    if minor <= MAX_AMOUNT:
        assert parse_policy(text, source="plan.yaml").adjustments[0].cap == minor
    else:
        with pytest.raises(InputError, match=r"adjustments\[0\].cap"):
            parse_policy(text, source="plan.yaml")


def rounded(numerator: int, denominator: int, mode: str) -> int:
    """round(numerator / denominator), halves away from zero (half_up) or to even, by hand."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    twice = 2 * remainder
    if twice > abs(denominator) or (twice == abs(denominator) and (mode == HALF_UP or quotient % 2 == 1)):
        quotient += 1
    return sign * quotient


denominators = st.builds(lambda a, b: 2**a * 5**b, st.integers(0, 8), st.integers(0, 8))  # every one divides 10**8
modes = st.sampled_from([HALF_UP, HALF_EVEN])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-MAX_TOTAL, MAX_TOTAL), min_size=1, max_size=8), denominators, st.data(), modes)
def test_apply_rate_is_fraction_rounding_up_to_the_bounds(amounts, denominator, data, mode):
    numerator = data.draw(st.integers(0, denominator * MAX_FACTOR))
    got = apply_rate(np.array(amounts, dtype=np.int64), numerator, denominator, mode)
    assert got.tolist() == [rounded(a * numerator, denominator, mode) for a in amounts]
    rate = Fraction(numerator, denominator)
    assert apply_fraction(np.array(amounts), rate, mode).tolist() == \
        [rounded(a * rate.numerator, rate.denominator, mode) for a in amounts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-MAX_TOTAL, MAX_TOTAL), denominators), min_size=1, max_size=8), st.data(), modes)
def test_apply_ratio_is_fraction_rounding_for_factors_up_to_the_bounds(rows, data, mode):
    """Multipliers: total x (factor - 1), factor up to MAX_FACTOR, numerators negative below 1."""
    numerators = [data.draw(st.integers(-d, d * (MAX_FACTOR - 1))) for _, d in rows]
    got = apply_ratio(np.array([v for v, _ in rows]), np.array(numerators), np.array([d for _, d in rows]), mode)
    assert got.tolist() == [rounded(v * n, d, mode) for (v, d), n in zip(rows, numerators)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-MAX_AMOUNT, MAX_AMOUNT), st.integers(1, MAX_AMOUNT)), min_size=1, max_size=8),
       st.data(), modes)
def test_apply_ratio_is_fraction_rounding_for_partial_reversals_of_the_largest_payments(rows, data, mode):
    """Clawbacks: commission x reversed / paid, reversed up to paid, each up to MAX_AMOUNT."""
    reversed_ = [data.draw(st.integers(0, paid)) for _, paid in rows]
    got = apply_ratio(np.array([c for c, _ in rows]), np.array(reversed_), np.array([p for _, p in rows]), mode)
    assert got.tolist() == [rounded(c * r, p, mode) for (c, p), r in zip(rows, reversed_)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-MAX_TOTAL, MAX_TOTAL)), max_size=250))
def test_sums_are_exact_and_a_sum_past_max_total_raises_the_user_error(rows):
    groups, values = np.array([g for g, _ in rows], dtype=np.int64), np.array([v for _, v in rows], dtype=np.int64)
    expected = [sum(v for g, v in rows if g == k) for k in range(4)]
    if any(abs(e) > MAX_TOTAL for e in expected):
        with pytest.raises(TotalTooLarge, match="recovered of C"):
            sum_by(values, groups, 4, what="recovered", minor_units=2, names=["C0", "C1", "C2", "C3"])
    else:
        assert sum_by(values, groups, 4, what="recovered", minor_units=2).tolist() == expected
    positive, negative = sum(v for _, v in rows if v > 0), sum(v for _, v in rows if v < 0)
    if positive > MAX_TOTAL or negative < -MAX_TOTAL:
        with pytest.raises(TotalTooLarge):
            total(values, what="net_payout", minor_units=2)
    else:
        assert total(values, what="net_payout", minor_units=2) == positive + negative


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-2**63, 2**63 - 1), st.integers(-2**63, 2**63 - 1)), min_size=1, max_size=6))
def test_element_wise_sums_never_wrap(pairs):
    left, right = (np.array(side, dtype=np.int64) for side in zip(*pairs))
    if any(abs(a + b) > MAX_TOTAL for a, b in pairs):
        with pytest.raises(TotalTooLarge):
            add_checked(left, right, what="the net pay", minor_units=2)
    else:
        assert add_checked(left, right, what="the net pay", minor_units=2).tolist() == [a + b for a, b in pairs]


def test_rates_keep_at_most_the_precision_they_can_be_honoured_with():
    assert parse_rate("12.345678%") * RATE_SCALE == 12_345_678
    assert parse_rate("0.12345678") * RATE_SCALE == 12_345_678
    for text in ("12.3456789%", "0.123456789", PASTED_FLOAT):
        with pytest.raises(OutOfBounds, match="too many decimals"):
            parse_rate(text)


some_rows = st.lists(st.tuples(st.sampled_from(["C1", "C2"]),
                               st.one_of(st.integers(-MAX_AMOUNT, MAX_AMOUNT), st.integers(-10**7, 10**7)),
                               st.integers(1, 400)), min_size=1, max_size=30)
# ... and up to 130 rows at the bound for C1, so the recovered total is sometimes past MAX_TOTAL
ledger_rows = st.builds(lambda at_bound, days, rows: [("C1", MAX_AMOUNT, days)] * at_bound + rows,
                        st.integers(0, 130), st.integers(1, 400), some_rows)
percent = st.integers(0, 100 * 10**6).map(lambda micro: (micro, f"{micro // 10**6}.{micro % 10**6:06d}%"))


@PROPERTY
@given(ledger_rows, percent, percent)
def test_random_ledgers_pay_what_python_integers_say_or_stop_past_max_total(run_plan, rows, early, late):
    """Per line: amount x rate rounded half up; per collector: the sum of lines; a total past MAX_TOTAL
    stops the run. Recomputed here with Python integers, whatever their size."""
    text = plan(f"""
        reversals: {{unmatched: own_attributes}}
        components:
          - id: base
            kind: line_rate
            rates:
              - {{bucket: M1, rate: "{early[1]}"}}
            default: "{late[1]}"
        """)
    ledger = "\n".join(f"P{i:03d},{c},A{i:04d},2026-10-03,{cents(a)},{d},100.00" for i, (c, a, d) in enumerate(rows))
    recovered, commission = {}, {}
    for collector, amount, days in rows:
        micro = early[0] if days <= 30 else late[0]  # rate in millionths of a percent: micro / 10**8
        recovered[collector] = recovered.get(collector, 0) + amount
        commission[collector] = commission.get(collector, 0) + rounded(amount * micro, 10**8, HALF_UP)
    if any(abs(v) > MAX_TOTAL for v in (*recovered.values(), *commission.values())):
        event("a total past MAX_TOTAL")
        with pytest.raises(TotalTooLarge):
            run_plan(text, ledger)
        return
    result = run_plan(text, ledger)
    for collector in recovered:
        assert payout(result, collector, "recovered") == recovered[collector]
        assert payout(result, collector, "line_commission") == commission[collector]
        assert payout(result, collector, "net_payout") == max(commission[collector], 0)
