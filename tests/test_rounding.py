"""Rounding as rule books write it: five modes, per line or once per component total.

The expected figures are worked out by hand from the exact products (every published float trap
below is exactly half a cent); the properties compare with rounding done on Python `Fraction`s.
"""

from __future__ import annotations

import math
import tempfile
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.engine import pay_plan
from commission.errors import InputError
from commission.inputs import load_ledger
from commission.money import (DOWN, HALF_DOWN, HALF_EVEN, HALF_UP, MAX_AMOUNT, MAX_FACTOR, MAX_TOTAL,
                              ROUNDING_MODES, UP, apply_fraction, apply_rate, apply_ratio, common_denominator, format_minor,
                              round_at_total)
from commission.periods import Period
from commission.policy import parse_policy
from commission.simulation.lint import lint_policy
from commission.statements.plan_words import describe_plan
from conftest import flat_plan, item_amounts, payout

MODES = (HALF_UP, HALF_EVEN, HALF_DOWN, DOWN, UP)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_every_mode_is_known():
    assert set(ROUNDING_MODES) == set(MODES)


# -- the published float traps, by hand ---------------------------------------------------------------------

#: (amount in cents, rate, exact commission in cents) and, per mode, the cents it rounds to.
#: 14.50 x 1% = 0.145; 2.80 x 1.25% = 0.035; 11.00 x 1.5% = 0.165; 7.25 x 2% = 0.145: each a half cent.
TRAPS = [
    (1450, "1%", {HALF_UP: 15, HALF_EVEN: 14, HALF_DOWN: 14, DOWN: 14, UP: 15}),
    (280, "1.25%", {HALF_UP: 4, HALF_EVEN: 4, HALF_DOWN: 3, DOWN: 3, UP: 4}),
    (1100, "1.5%", {HALF_UP: 17, HALF_EVEN: 16, HALF_DOWN: 16, DOWN: 16, UP: 17}),
    (725, "2%", {HALF_UP: 15, HALF_EVEN: 14, HALF_DOWN: 14, DOWN: 14, UP: 15}),
]
TRAP_CASES = [pytest.param(amount, rate, mode, cents, id=f"{amount}x{rate}-{mode}")
              for amount, rate, results in TRAPS for mode, cents in results.items()]


@pytest.mark.parametrize("amount, rate, mode, cents", TRAP_CASES)
def test_published_float_traps_under_every_mode(amount, rate, mode, cents):
    fraction = Fraction(rate[:-1]) / 100
    # a payment, and its reversal: the same cents with the sign flipped
    assert apply_fraction(np.array([amount, -amount]), fraction, mode).tolist() == [cents, -cents]
    # through a rate table's shared denominator (1%, 1.25%, 1.5%, 2% -> [4, 5, 6, 8] / 400)
    numerators, denominator = common_denominator([Fraction(1, 100), Fraction(1, 80), Fraction(3, 200),
                                                  Fraction(1, 50)])
    assert (numerators.tolist(), denominator) == ([4, 5, 6, 8], 400)
    which = [t[0] for t in TRAPS].index(amount)
    assert apply_rate(np.array([amount, -amount]), numerators[which], denominator, mode).tolist() == [cents, -cents]
    # and through apply_ratio (a row-wise denominator), with the sign on either side
    assert apply_ratio(np.array([amount, -amount, amount]), np.array([fraction.numerator] * 2 + [-fraction.numerator]),
                       np.full(3, fraction.denominator), mode).tolist() == [cents, -cents, -cents]


@pytest.mark.parametrize("mode, cents", [(HALF_UP, [333, 14, 15]), (HALF_EVEN, [333, 14, 15]),
                                         (HALF_DOWN, [333, 14, 15]), (DOWN, [333, 14, 14]), (UP, [334, 15, 15])])
def test_fractions_other_than_a_half(mode, cents):
    # 333.33 x 1% = 3.3333; 14.40 x 1% = 0.144; 14.60 x 1% = 0.146
    amounts = np.array([33333, 1440, 1460])
    assert apply_fraction(amounts, Fraction(1, 100), mode).tolist() == cents
    assert apply_fraction(-amounts, Fraction(1, 100), mode).tolist() == [-c for c in cents]


def test_half_even_looks_at_the_even_cent():
    # 15.50 x 1% = 0.155 -> 0.16 (6 is even); 14.50 x 1% = 0.145 -> 0.14; half_down gives 0.15 and 0.14
    assert apply_fraction(np.array([1550, 1450]), Fraction(1, 100), HALF_EVEN).tolist() == [16, 14]
    assert apply_fraction(np.array([1550, 1450]), Fraction(1, 100), HALF_DOWN).tolist() == [15, 14]


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        apply_fraction(np.array([100]), Fraction(1, 2), "bankers")


# -- properties against Fraction rounding --------------------------------------------------------------------

def reference(value: Fraction, mode: str) -> int:
    """`value` rounded per `mode` with Fractions: the magnitude rounded, the sign restored."""
    magnitude = abs(value)
    low = math.floor(magnitude)
    rest = magnitude - low
    up = {HALF_UP: rest >= Fraction(1, 2), HALF_DOWN: rest > Fraction(1, 2), DOWN: False, UP: rest > 0,
          HALF_EVEN: round(magnitude) > low}[mode]  # Python rounds a Fraction half to even
    return (low + up) * (1 if value >= 0 else -1)


modes = st.sampled_from(MODES)
#: Rates as the plan language holds them: 0 to 100%, at most 8 decimal places.
plan_rates = st.integers(min_value=0, max_value=10**8).map(lambda n: Fraction(n, 10**8))
amounts = st.one_of(st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT),
                    st.integers(min_value=-100_000, max_value=100_000))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(amounts, min_size=1, max_size=20), rate=plan_rates, mode=modes)
def test_apply_fraction_rounds_like_fractions(values, rate, mode):
    got = apply_fraction(np.array(values, dtype=np.int64), rate, mode).tolist()
    assert got == [reference(v * rate, mode) for v in values]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.integers(min_value=-MAX_TOTAL, max_value=MAX_TOTAL), min_size=1, max_size=10),
       rate=plan_rates, mode=modes)
def test_apply_rate_rounds_totals_like_fractions(values, rate, mode):
    """Totals up to MAX_TOTAL times any rate: the path that never forms amount x numerator."""
    got = apply_rate(np.array(values, dtype=np.int64), rate.numerator, rate.denominator, mode).tolist()
    assert got == [reference(v * rate, mode) for v in values]


#: (numerator, denominator) pairs within the documented bound on a factor.
ratios = st.integers(min_value=1, max_value=MAX_AMOUNT).flatmap(
    lambda d: st.tuples(st.integers(min_value=-MAX_FACTOR * d, max_value=MAX_FACTOR * d),
                        st.just(d)))


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(amounts, ratios), min_size=1, max_size=20), mode=modes)
def test_apply_ratio_rounds_like_fractions(rows, mode):
    """Ratios as the engine forms them: |numerator / denominator| <= MAX_FACTOR (multipliers,
    partial reversals, proration by days)."""
    rows = [(v, n, d) for v, (n, d) in rows]
    values, numerators, denominators = (np.array(column, dtype=np.int64) for column in zip(*rows))
    got = apply_ratio(values, numerators, denominators, mode).tolist()
    assert got == [reference(Fraction(v * n, d), mode) for v, n, d in rows]


line_rows = st.lists(st.tuples(st.integers(min_value=0, max_value=3),  # group
                               st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT) | st.integers(-9999, 9999),
                               st.sampled_from([Fraction(1, 100), Fraction(1, 80), Fraction(3, 200), Fraction(1, 50),
                                                Fraction(33333333, 10**8), Fraction(0), Fraction(1)])),
                     max_size=40)


@settings(max_examples=300, deadline=None)
@given(rows=line_rows, mode=modes)
def test_round_at_total_rounds_each_exact_total_once_and_lines_add_up_to_it(rows, mode):
    groups = np.array([g for g, _, _ in rows], dtype=np.int64)
    values = np.array([a for _, a, _ in rows], dtype=np.int64)
    numerators, denominator = common_denominator(sorted({r for _, _, r in rows}))
    rate_at = {r: n for r, n in zip(sorted({r for _, _, r in rows}), numerators.tolist())}
    lines, totals = round_at_total(values, np.array([rate_at[r] for _, _, r in rows], dtype=np.int64), denominator,
                                   groups, 4, mode, what="test", minor_units=2)
    for group in range(4):
        exact = sum((a * r for g, a, r in rows if g == group), Fraction(0))
        assert totals[group] == reference(exact, mode)
        assert sum(int(line) for line, g in zip(lines.tolist(), groups.tolist()) if g == group) == totals[group]
    for line, (_, a, r) in zip(lines.tolist(), rows):
        assert math.floor(a * r) <= line <= math.ceil(a * r)  # each line is its exact value, a neighbour cent


def test_round_at_total_gives_leftover_cents_to_the_largest_fractions_then_the_earlier_line():
    # 0.035 three times (fraction 0.5 each, cut down to 0.03): half_up total 0.105 -> 0.11, two cents over 0.09
    lines, totals = round_at_total(np.array([280, 280, 280]), 125, 10000, np.zeros(3, dtype=np.int64), 1, HALF_UP,
                                   what="test", minor_units=2)
    assert (lines.tolist(), totals.tolist()) == ([4, 4, 3], [11])
    # 0.1375, 0.090625, -0.1375: cut down 0.13 (0.75), 0.09 (0.0625), -0.14 (0.25); up: 0.10 -> P1 and P3
    lines, totals = round_at_total(np.array([1100, 725, -1100]), 125, 10000, np.zeros(3, dtype=np.int64), 1, UP,
                                   what="test", minor_units=2)
    assert (lines.tolist(), totals.tolist()) == ([14, 9, -13], [10])


# -- plans: modes per line and at the component --------------------------------------------------------------

TRAP_LEDGER = """\
    payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,product,reverses
    T1,C1,A0001,2026-10-02,14.50,10,500.00,a,
    T2,C1,A0002,2026-10-02,2.80,10,500.00,b,
    T3,C1,A0003,2026-10-02,11.00,10,500.00,c,
    T4,C1,A0004,2026-10-02,7.25,10,500.00,d,
    T5,C2,A0005,2026-10-03,14.50,10,500.00,a,
    R5,C2,A0005,2026-10-20,-14.50,10,500.00,a,T5
    T6,C2,A0006,2026-10-03,2.80,10,500.00,b,
    R6,C2,A0006,2026-10-20,-2.80,10,500.00,b,T6
    T7,C2,A0007,2026-10-03,11.00,10,500.00,c,
    R7,C2,A0007,2026-10-20,-11.00,10,500.00,c,T7
    T8,C2,A0008,2026-10-03,7.25,10,500.00,d,
    R8,C2,A0008,2026-10-20,-7.25,10,500.00,d,T8
"""


def trap_plan(mode: str, at: str = "line") -> str:
    return f"""plan: traps
version: 1
effective: 2026-01-01
currency: CNY
rounding: {{mode: {mode}, at: {at}}}
components:
  - id: base
    kind: line_rate
    rates:
      - {{product: a, rate: 1%}}
      - {{product: b, rate: 1.25%}}
      - {{product: c, rate: 1.5%}}
      - {{product: d, rate: 2%}}
"""


def line_amount(result, payment: str) -> int:
    return int(result.lines.loc[result.lines["payment_id"] == payment, "amount"].iloc[0])


@pytest.mark.parametrize("mode", MODES)
def test_float_traps_per_line_in_a_run_and_reversals_cancel(run_plan, mode):
    result = run_plan(trap_plan(mode), TRAP_LEDGER)
    expected = [cents[mode] for _, _, cents in TRAPS]
    assert [line_amount(result, p) for p in ("T1", "T2", "T3", "T4")] == expected
    assert [line_amount(result, p) for p in ("T5", "T6", "T7", "T8")] == expected
    assert [line_amount(result, p) for p in ("R5", "R6", "R7", "R8")] == [-c for c in expected]
    assert payout(result, "C1") == sum(expected)
    assert payout(result, "C2") == 0  # every payment and its reversal cancel to the cent


#: C1: three payments of 2.80 at 1.25% (0.035 each, 0.105 in all). C2: 11.00 (0.1375), 7.25 (0.090625),
#: and the reversal of the 11.00 (-0.1375): 0.090625 in all.
THIRDS = """\
    payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
    P1,C1,A0001,2026-10-02,2.80,10,500.00,
    P2,C1,A0002,2026-10-05,2.80,10,500.00,
    P3,C1,A0003,2026-10-09,2.80,10,500.00,
    P4,C2,A0004,2026-10-03,11.00,10,500.00,
    P5,C2,A0005,2026-10-06,7.25,10,500.00,
    P6,C2,A0004,2026-10-20,-11.00,10,500.00,P4
"""

#: mode -> (C1 lines P1-P3, C1 total, C2 lines P4-P6, C2 total), at the component, by hand:
#: C1 cut down 0.03 x 3 = 0.09 (fractions 0.5 each); C2 cut down 0.13 + 0.09 - 0.14 = 0.08
#: (fractions 0.75, 0.0625, 0.25). The cents of the rounded total above those go to the largest fractions.
AT_COMPONENT = {
    HALF_UP: ([4, 4, 3], 11, [14, 9, -14], 9),     # 0.105 -> 0.11; 0.090625 -> 0.09
    HALF_EVEN: ([4, 3, 3], 10, [14, 9, -14], 9),   # 0.105 -> 0.10 (0 is even)
    HALF_DOWN: ([4, 3, 3], 10, [14, 9, -14], 9),
    DOWN: ([4, 3, 3], 10, [14, 9, -14], 9),
    UP: ([4, 4, 3], 11, [14, 9, -13], 10),
}
#: The same per line: C1 0.035 x 3; C2 0.1375 -> 0.14 (0.13 down), 0.090625 -> 0.09 (0.10 up), -0.14.
AT_LINE = {HALF_UP: (12, 9), HALF_EVEN: (12, 9), HALF_DOWN: (9, 9), DOWN: (9, 9), UP: (12, 10)}


@pytest.mark.parametrize("mode", MODES)
def test_rounding_at_the_component_total(run_plan, mode):
    c1_lines, c1_total, c2_lines, c2_total = AT_COMPONENT[mode]
    result = run_plan(flat_plan(rate="1.25%").replace("components:", f"rounding: {{mode: {mode}, at: component}}\n"
                                                                     "components:"), THIRDS)
    assert [line_amount(result, p) for p in ("P1", "P2", "P3")] == c1_lines
    assert [line_amount(result, p) for p in ("P4", "P5", "P6")] == c2_lines
    assert item_amounts(result, "C1") == {"base": c1_total}
    assert (payout(result, "C1"), payout(result, "C2")) == (c1_total, c2_total)
    lines = result.lines
    assert (lines["commission"] == lines["amount"]).all()
    per_line = run_plan(flat_plan(rate="1.25%").replace("components:", f"rounding: {{mode: {mode}}}\ncomponents:"),
                        THIRDS)
    assert (payout(per_line, "C1"), payout(per_line, "C2")) == AT_LINE[mode]


def thirds_frame():
    """THIRDS loaded as `commission run` loads it (rows in payment_id order)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        path.write_text(textwrap.dedent(THIRDS), encoding="utf-8")
        return load_ledger([path], 2, ("reverses",)).frame


THIRDS_FRAME = thirds_frame()


@SETTINGS
@given(order=st.permutations(range(6)))
def test_at_the_component_ties_go_by_payment_id_whatever_the_row_order(order):
    """A simulation hands the engine rows in date order, a test or another caller in any order: the cents
    over the cut-down sum still go to the smaller payment_id among equal fractions. C1: 0.035 x 3 half_up,
    total 0.11 over 0.09 cut down: P1 and P2 get 0.04, P3 0.03; C2 as in AT_COMPONENT."""
    policy = parse_policy(flat_plan(rate="1.25%").replace("components:", "rounding: {mode: half_up, at: component}\n"
                                                          "components:"), source="plan.yaml")
    result = pay_plan(policy, THIRDS_FRAME.take(list(order)).reset_index(drop=True), Period.parse("2026-10"))
    assert [line_amount(result, p) for p in ("P1", "P2", "P3", "P4", "P5", "P6")] == [4, 4, 3, 14, 9, -14]
    assert (payout(result, "C1"), payout(result, "C2")) == (11, 9)


def test_a_reversal_in_a_later_period_takes_back_its_exact_value_in_that_periods_total(run_plan):
    """September: 2.80 x 1.25% twice = 0.07 exactly. October: 2.80 x 1.25% = 0.035 and the reversal of
    one September payment, -0.035: October's exact total is 0.00 in every mode."""
    ledger = """\
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        S1,C1,A0001,2026-09-02,2.80,10,500.00,
        S2,C1,A0002,2026-09-05,2.80,10,500.00,
        P1,C1,A0003,2026-10-02,2.80,10,500.00,
        R1,C1,A0001,2026-10-08,-2.80,10,500.00,S1
    """
    for mode in MODES:
        text = flat_plan(rate="1.25%").replace("components:", f"rounding: {{mode: {mode}, at: component}}\ncomponents:")
        september = run_plan(text, ledger, period="2026-09")
        assert payout(september, "C1") == 7
        october = run_plan(text, ledger, previous=september)
        assert payout(october, "C1") == 0
        # cut down: P1 0.03 (fraction 0.5), R1 -0.04 (0.5); the one cent over -0.01 goes to the earlier line
        assert (line_amount(october, "P1"), line_amount(october, "R1")) == (4, -4)


payments = st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.integers(min_value=1, max_value=2_000_000),
                              st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=31),
                              st.integers(min_value=0, max_value=3)),  # reversed: 0 no, 1 in full, 2-3 in part
                    min_size=1, max_size=30)
rates = st.integers(min_value=0, max_value=2_000_000).map(lambda n: Fraction(n, 10**7))  # 0% .. 20%, 5 decimals


def rate_text(rate: Fraction) -> str:
    return f"{format_minor(int(rate * 10**9), 7)}%"  # exact: 7 decimals of a percentage cover 10**-9


@SETTINGS
@given(rows=payments, m1=rates, m2=rates, late=rates, mode=modes)
def test_at_component_lines_add_up_to_a_total_rounded_once_from_the_exact_sum(rows, m1, m2, late, mode):
    policy = parse_policy(f"""plan: p
version: 1
effective: 2026-01-01
currency: CNY
rounding: {{mode: {mode}, at: component}}
classify:
  bucket: {{M1: "[1, 30]", M2: "[31, 60]", M3: "[61, inf)"}}
components:
  - id: base
    kind: line_rate
    rates:
      - {{bucket: M1, rate: "{rate_text(m1)}"}}
      - {{bucket: M2, rate: "{rate_text(m2)}"}}
    default: "{rate_text(late)}"
""", source="plan.yaml")
    csv = ["payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"]
    exact = {"C1": Fraction(0), "C2": Fraction(0), "C3": Fraction(0)}
    for index, (collector, amount, dpd, day, reversed_) in enumerate(rows):
        rate = m1 if dpd <= 30 else m2 if dpd <= 60 else late
        csv.append(f"P{index},{collector},A{index},2026-10-{day:02d},{format_minor(amount, 2)},{dpd},1000.00,")
        exact[collector] += amount * rate
        if reversed_:
            back = amount if reversed_ == 1 else max(1, amount * reversed_ // 5)
            csv.append(f"R{index},{collector},A{index},2026-10-{day:02d},{format_minor(-back, 2)},{dpd},1000.00,P{index}")
            exact[collector] -= back * rate  # a reversal's exact value: its amount at its original's rate
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        path.write_text("\n".join(csv) + "\n", encoding="utf-8")
        result = pay_plan(policy, load_ledger([path], 2).frame, Period.parse("2026-10"))
        path.write_text("\n".join([csv[0], *reversed(csv[1:])]) + "\n", encoding="utf-8")
        backwards = pay_plan(policy, load_ledger([path], 2).frame, Period.parse("2026-10"))
    pd.testing.assert_frame_equal(result.lines, backwards.lines)  # ties never depend on the files' row order
    lines = result.lines.groupby("collector_id", observed=True)["amount"].sum()
    for collector, value in exact.items():
        if collector not in set(result.payouts["collector_id"]):
            continue
        total = reference(value, mode)
        assert payout(result, collector, "line_commission") == total
        assert int(lines.get(collector, 0)) == total
    for line in result.lines.itertuples():
        exact = int(line.base) * Fraction(line.rate[:-1]) / 100
        assert math.floor(exact) <= line.amount <= math.ceil(exact)


# -- the plan language: refusals, lint, words ----------------------------------------------------------------

def test_per_payment_limits_are_refused_with_rounding_at_the_component():
    text = (flat_plan() + "    per_payment: {min: 1.00}\n").replace("components:", "rounding: {mode: half_up, at: component}\ncomponents:")
    with pytest.raises(InputError) as caught:
        parse_policy(text, source="plan.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "plan.yaml:11: components[0].per_payment: a per-payment minimum or maximum needs each payment's commission "
        "rounded on its own, but the plan rounds at the component total (rounding.at: component, line 5); use "
        "rounding.at: line, or drop per_payment"]
    parse_policy(text.replace("at: component", "at: line"), source="plan.yaml")  # per line it is fine


def test_an_unknown_place_to_round_is_refused():
    with pytest.raises(InputError, match=r"plan.yaml:5: rounding.at: 'total' is not one of: line, component"):
        parse_policy(flat_plan().replace("components:", "rounding: {at: total}\ncomponents:"), source="plan.yaml")


@pytest.mark.parametrize("mode, at, warned", [(DOWN, "line", True), (UP, "line", True), (DOWN, "component", False),
                                              (UP, "component", False), (HALF_UP, "line", False),
                                              (HALF_EVEN, "line", False), (HALF_DOWN, "line", False)])
def test_lint_warns_when_every_line_is_rounded_the_same_way(mode, at, warned):
    text = flat_plan().replace("components:", f"rounding: {{mode: {mode}, at: {at}}}\ncomponents:")
    found = [w for w in lint_policy(parse_policy(text, source="plan.yaml"), text) if w.code == "rounding-per-line"]
    assert bool(found) == warned
    if warned:
        assert found[0].where == "plan.yaml:5"
        assert "at: component" in found[0].message and "about 10.00" in found[0].message  # 2,000 x half a cent


def test_the_plan_in_words_says_how_it_rounds():
    component = parse_policy(flat_plan().replace("components:", "rounding: {mode: down, at: component}\ncomponents:"))
    assert ("rounding", "rounding", "each repayment's commission is added up exactly and the total rounded down, "
            "once; each repayment line shows its share of that total") in describe_plan(component, "en")
    assert ("rounding", "rounding", "每笔回款的提成先精确累加，合计按舍去取整一次；每笔明细显示其在合计中的份额") in \
        describe_plan(component, "zh")
    per_line = parse_policy(flat_plan().replace("components:", "rounding: {mode: half_even}\ncomponents:"))
    assert ("rounding", "rounding", "commission is rounded half to even") in describe_plan(per_line, "en")
    assert not [row for row in describe_plan(parse_policy(flat_plan()), "en") if row[0] == "rounding"]
