"""Exact money: int64 minor units, exact decimal rates, one explicit rounding rule.

Amounts never pass through a float. Text becomes integer minor units (cents, fen);
rates are `fractions.Fraction` built from decimal text; a commission is
``round(amount * numerator / denominator)`` in integer arithmetic, with the rounding
mode the plan names (half_up, half_even, half_down, down, up). Rounding is sign-aware: every
mode rounds the magnitude and restores the sign (half_up rounds halves away from zero, down
toward zero, up away from zero), so a reversal (negative amount) cancels its original payment to
the cent. `round_at_total` rounds a group's exact sum once and shares it out to its lines.

Every number has a documented bound (MAX_AMOUNT, MAX_TOTAL, RATE_SCALE, MAX_FACTOR), chosen so
that nothing the inputs may hold can overflow int64: amounts past the bound are refused where
they are read, and every total is summed by `sum_by` / `add_checked` / `total`, which refuse a
total past MAX_TOTAL with a `TotalTooLarge` naming it. Money never wraps.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

from .errors import InputError, Problem

HALF_UP = "half_up"
HALF_EVEN = "half_even"
HALF_DOWN = "half_down"
DOWN = "down"
UP = "up"
#: Every rounding mode, each applied to the magnitude (the sign is restored after): half_up (a half
#: rounds away from zero), half_even (a half rounds to the even neighbour), half_down (a half rounds
#: toward zero), down (any fraction is dropped: toward zero, 舍去), up (any fraction rounds away from zero).
ROUNDING_MODES = (HALF_UP, HALF_EVEN, HALF_DOWN, DOWN, UP)

#: ISO 4217 minor units of the currencies collection departments usually pay in.
#: A plan may state `minor_units` itself for any other currency.
CURRENCY_MINOR_UNITS = {
    "CNY": 2, "HKD": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2, "MYR": 2,
    "THB": 2, "PHP": 2, "INR": 2, "IDR": 2, "VND": 0, "JPY": 0, "KRW": 0, "AUD": 2,
    "CAD": 2, "CHF": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "AED": 2, "SAR": 2, "KWD": 3,
    "BHD": 3,
}

#: The largest single amount any input may hold (a repayment, a balance, a target, an assigned
#: balance, every amount of a plan), in minor units: 9,999,999,999,999.99 in a 2-decimal currency,
#: 999,999,999,999,999 in a 0-decimal one. Far above any real repayment or payroll figure, and
#: 9,000 times inside int64, so sums of many amounts and amount x rate stay exact in int64. (Totals
#: reach past 2**53, where float64 stops holding every integer: nothing here relies on a float; a value
#: missing from a table is a mask, never a NaN.)
MAX_AMOUNT = 10**15 - 1
#: The largest total (a collector's recovered amount, a component's total, a balance, a payroll
#: total), in minor units: 999,999,999,999,999.99 in a 2-decimal currency (a hundred amounts at
#: MAX_AMOUNT). MAX_TOTAL x MAX_FACTOR (10**18) still fits int64, so scaling any total by any rate
#: or factor a plan may hold is exact.
MAX_TOTAL = 10**17 - 1
#: Rates, shares and factors are whole multiples of 1 / RATE_SCALE: at most 8 decimal places as a
#: fraction (0.12345678), 6 in a percentage (12.345678%). So every rate's denominator, and a rate
#: table's common denominator, divides 10**8, and remainder x numerator (< 10**8 x 10**9) fits int64.
RATE_SCALE = 10**8
#: The largest multiplier or share of a target (these may exceed 100%, unlike a rate): 10, or 1000%.
MAX_FACTOR = 10

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INT64_MAX = np.iinfo(np.int64).max


class MoneyError(ValueError):
    """A value the user wrote is not exact money or not a rate; the message says why."""


class OutOfBounds(MoneyError):
    """A value past a documented bound. The message completes a sentence about the value:
    'is too large (the limit is 9999999999999.99)'."""


class TotalTooLarge(InputError):
    """A total past MAX_TOTAL: the run stops naming the total (and whose), instead of wrapping."""

    def __init__(self, what: str, minor_units: int, who: str | None = None, role: str = "ledger"):
        whose = f" of {who}" if who is not None else ""
        super().__init__([Problem("", "", f"{what}{whose} is too large (the limit for a total is "
                                  f"{format_minor(MAX_TOTAL, minor_units)})", role=role)])


def too_large_message(limit: int, minor_units: int) -> str:
    """The one wording of every amount refused for its size: 'too large (the limit is 9999999999999.99)'."""
    return f"too large (the limit is {format_minor(limit, minor_units)})"


def parse_decimal(text: str) -> Decimal:
    """Parse plain decimal text (no exponent, no thousands separators) exactly."""
    cleaned = text.strip()
    if not _DECIMAL_TEXT.match(cleaned):
        raise MoneyError(f"{text!r} is not a decimal number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise MoneyError(f"{text!r} is not a decimal number") from exc


def to_minor(value: Decimal, minor_units: int, limit: int = MAX_AMOUNT) -> int:
    """Decimal currency units to integer minor units, at most `limit` in size; more decimals than the
    currency has is an error. The size is compared first, exactly, before any digit is rounded."""
    if abs(value) > Decimal(limit).scaleb(-minor_units):
        raise OutOfBounds(f"is {too_large_message(limit, minor_units)}")
    scaled = value.scaleb(minor_units)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more than {minor_units} decimal places")
    return int(scaled)


def parse_money(text: str, minor_units: int, limit: int = MAX_AMOUNT) -> int:
    """Decimal text such as '1234.50' to minor units (123450 for 2 minor digits), at most `limit`
    (MAX_AMOUNT; MAX_TOTAL for a total such as a carried balance)."""
    return to_minor(parse_decimal(text), minor_units, limit)


def parse_rate(text: str) -> Fraction:
    """A rate written '5%', '0.05' or '12.5%' as an exact fraction (never through a float), with at
    most the precision RATE_SCALE holds: a pasted float such as 0.1000000000000000055511 is refused."""
    raw = text.strip()
    percent = raw.endswith("%")
    number = parse_decimal(raw[:-1] if percent else raw)
    rate = Fraction(number) / 100 if percent else Fraction(number)
    if (rate * RATE_SCALE).denominator != 1:
        raise OutOfBounds("has too many decimals (at most 8 decimal places, or 6 in a percentage)")
    return rate


def format_rate(rate: Fraction) -> str:
    """A rate as percent text, exact: Fraction(1, 20) -> '5%', Fraction(1, 8) -> '12.5%'."""
    percent = rate * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    # Rates come from decimal text, so the denominator has only factors 2 and 5: finite decimal.
    text = format(Decimal(percent.numerator) / Decimal(percent.denominator), "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def format_minor(value: int, minor_units: int, grouped: bool = False) -> str:
    """Minor units to decimal text with exactly the currency's digits: 123450 -> '1234.50'
    (or '1,234.50' `grouped`, for text people read)."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10**minor_units)
    whole_text = f"{whole:,}" if grouped else f"{whole}"
    return f"{sign}{whole_text}.{frac:0{minor_units}d}" if minor_units else f"{sign}{whole_text}"


def common_denominator(rates) -> tuple[np.ndarray, int]:
    """Exact rates as integer numerators over one shared denominator (5%, 8% -> [5, 8] / 100).

    One scalar divisor lets numpy divide a whole column at once (much faster than a divisor per row).
    Rates from `parse_rate` have denominators dividing RATE_SCALE, so the shared one does too.
    """
    denominator = math.lcm(*(Fraction(r).denominator for r in rates)) if rates else 1
    numerators = [Fraction(r).numerator * (denominator // Fraction(r).denominator) for r in rates]
    return np.array(numerators, dtype=np.int64), denominator


def apply_rate(amounts, numerators, denominator: int, mode: str = HALF_UP) -> np.ndarray:
    """Exact ``round(amount * numerator / denominator)`` on int64 arrays, halves rounded per `mode`.

    `numerators` (>= 0) is one value or one per amount; `denominator` is one positive integer.
    Works on magnitudes and restores the sign, so -x rounds to exactly -(round(x)) and a reversal
    cancels its payment to the cent. When amount x numerator could pass int64 (large amounts, rates
    with many decimals) it is never formed: see `_scaled`. Exact and overflow-free for every amount
    up to MAX_TOTAL and every rate or factor the plan language accepts.
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    numerators = np.asarray(numerators, dtype=np.int64)
    _check_mode(mode)
    if amounts.size == 0:
        return amounts.copy()
    product = np.abs(amounts)
    if int(product.max()) * int(numerators.max(initial=0)) > _INT64_MAX // 2:
        quotient = _scaled(product, numerators, np.int64(denominator), mode)
    else:
        product *= numerators  # in place: fresh 10M-row buffers cost more than the arithmetic
        # Unsigned division of the non-negative product lets numpy use its fast constant divisor.
        quotient = (product.view(np.uint64) // np.uint64(denominator)).view(np.int64)
        remainder = product
        remainder -= quotient * denominator
        quotient += _carry(quotient, remainder, int(denominator), mode)
    np.negative(quotient, out=quotient, where=amounts < 0)
    return quotient


def apply_fraction(amounts, rate: Fraction, mode: str = HALF_UP) -> np.ndarray:
    """`apply_rate` with one exact fraction for every amount."""
    return apply_rate(amounts, rate.numerator, rate.denominator, mode)


def apply_ratio(values, numerators, denominators, mode: str = HALF_UP) -> np.ndarray:
    """Exact ``round(value * numerator / denominator)`` with a denominator (> 0) per row; numerators
    may be negative (a multiplier below 1 lowers pay).

    For the few rows that need it (partial reversals: commission x reversed / paid; multipliers;
    proration by days). Never approximated, never wrapped: see `_scaled`.
    """
    values = np.asarray(values, dtype=np.int64)
    numerators = np.asarray(numerators, dtype=np.int64)
    denominators = np.asarray(denominators, dtype=np.int64)
    _check_mode(mode)
    if values.size == 0:
        return values.copy()
    quotient = _scaled(np.abs(values), np.abs(numerators), denominators, mode)
    return np.where((values < 0) != (numerators < 0), -quotient, quotient)


def _check_mode(mode: str) -> None:
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")


def _scaled(magnitudes: np.ndarray, numerators: np.ndarray, denominators, mode: str) -> np.ndarray:
    """``round(m * n / d)`` for m, n >= 0 and d > 0 (arrays or scalars), exact, as int64.

    m x n is formed only when it fits int64. Otherwise q, r = divmod(m, d) and the result is
    q x n + round(r x n / d): within the documented bounds q x n <= MAX_TOTAL x MAX_FACTOR and
    r x n < RATE_SCALE x RATE_SCALE x MAX_FACTOR, both inside int64. Anything larger still (a
    partial reversal of a huge payment: d is the payment) is computed with Python integers.
    """
    m_peak, n_peak = int(magnitudes.max()), int(np.max(numerators, initial=0))
    d_least, d_peak = int(np.min(denominators)), int(np.max(denominators))
    if m_peak * n_peak <= _INT64_MAX // 2:
        return _round_div(magnitudes * numerators, denominators, mode)
    if (m_peak // d_least) * n_peak + n_peak <= _INT64_MAX and d_peak * n_peak <= _INT64_MAX // 2:
        quotient = magnitudes // denominators
        remainder = magnitudes - quotient * denominators
        return _round_div(remainder * numerators, denominators, mode, whole=quotient * numerators)
    exact = _round_div(magnitudes.astype(object) * np.asarray(numerators).astype(object),
                       np.asarray(denominators).astype(object), mode)
    return np.asarray(exact, dtype=np.int64)


def _round_div(products, denominators, mode: str, whole=0):
    """``whole + round(p / d)`` for p >= 0, d > 0, rounded per `mode` (half_even looks at the parity of
    the whole result); int64 or Python-int (object) arrays."""
    part = products // denominators
    quotient = whole + part
    return quotient + _carry(quotient, products - part * denominators, denominators, mode)


def _carry(quotient, remainder, denominators, mode: str):
    """Whether the magnitude ``quotient + remainder / d`` (0 <= remainder < d) rounds up to quotient + 1
    under `mode`, per element (the one place each mode is defined). Compares the remainder with halves
    of d, never forms 2 x remainder, so it cannot overflow whatever d is."""
    if mode == DOWN:
        return np.zeros(np.shape(remainder), dtype=bool)
    if mode == UP:
        return remainder > 0
    if mode == HALF_UP:
        return remainder >= (denominators + 1) // 2  # 2r >= d
    above_half = remainder > denominators // 2  # 2r > d
    if mode == HALF_DOWN:
        return above_half
    tie = (denominators % 2 == 0) & (remainder == denominators // 2)  # HALF_EVEN
    return above_half | (tie & (quotient % 2 == 1))


def round_signed(whole, remainder, denominator: int, mode: str) -> np.ndarray:
    """The signed value ``whole + remainder / denominator`` (whole any sign, 0 <= remainder < denominator)
    rounded to an integer per `mode`, sign-aware like `apply_rate`: its magnitude is rounded and the sign
    restored, so -x rounds to exactly -(round(x)) (a negative value whole + r/d has the magnitude
    (-whole - 1) + (d - r)/d)."""
    whole = np.asarray(whole, dtype=np.int64)
    remainder = np.asarray(remainder, dtype=np.int64)
    positive = whole + _carry(whole, remainder, denominator, mode)
    magnitude_up = _carry(-whole - 1, denominator - remainder, denominator, mode)
    negative = whole + 1 - magnitude_up
    return np.where(remainder == 0, whole, np.where(whole >= 0, positive, negative)).astype(np.int64)


def exact_parts(amounts, numerators, denominator: int) -> tuple[np.ndarray, np.ndarray]:
    """``amount x numerator / denominator`` per row, exactly, as (floor, remainder): the floor (toward
    minus infinity, so a negative value's floor is below it) and the remainder over the denominator,
    0 <= remainder < denominator; value = floor + remainder / denominator.

    `numerators` >= 0 (one, or one per amount), `denominator` > 0 dividing RATE_SCALE. Never forms
    amount x numerator: with q, r = divmod(|amount|, d), |amount| x n / d = q x n + r x n / d, where
    q x n <= MAX_TOTAL x MAX_FACTOR and r x n < RATE_SCALE x RATE_SCALE x MAX_FACTOR both fit int64.
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    numerators = np.asarray(numerators, dtype=np.int64)
    magnitude = np.abs(amounts)
    if amounts.size and int(magnitude.max()) * int(numerators.max(initial=0)) <= _INT64_MAX:
        product = magnitude * numerators  # fits: one division (unsigned, numpy's fast constant divisor)
        floor = (product.view(np.uint64) // np.uint64(denominator)).view(np.int64)
        remainder = product
        remainder -= floor * denominator
    else:
        whole, part = np.divmod(magnitude, denominator)
        part *= numerators
        floor = whole * numerators + part // denominator
        remainder = part % denominator
    return _signed_parts(amounts, floor, remainder, denominator)


def _signed_parts(amounts, floor, remainder, denominator: int) -> tuple[np.ndarray, np.ndarray]:
    """(floor, remainder) of the magnitudes made (floor, remainder) of the signed values, in place: a
    negative value with a remainder r has the floor -floor - 1 and the remainder d - r."""
    negative = amounts < 0
    np.negative(floor, out=floor, where=negative)
    inexact = negative & (remainder != 0)
    floor -= inexact
    np.subtract(denominator, remainder, out=remainder, where=inexact)
    return floor, remainder


def round_at_total(amounts, numerators, denominator: int, groups, size: int, mode: str, *, what: str,
                   minor_units: int, names=None, ties=None) -> tuple[np.ndarray, np.ndarray]:
    """Round each group's exact total once and share it out to its lines: (line amounts, group totals).

    Each line's exact value is ``amount x numerator / denominator``; a group's total (`groups`: positions
    0..size-1) is the exact sum of its lines' values, rounded once per `mode` (sign-aware). Each line shows
    its value's floor, and the minor units the rounded total has above the sum of floors go one each to
    the lines with the largest remainders, so the lines add up to the total exactly and each is its
    exact value rounded down or up, never further off. Equal remainders go to the line with the
    smaller `ties` key (the engine passes each payment's rank by payment_id, so the split does not
    depend on the order rows arrive in), then to the earlier row of `amounts`.
    Integer arithmetic throughout; sums are checked like `sum_by` (`what`, `names`).
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.intp)
    _check_mode(mode)
    floors, remainders = exact_parts(amounts, numerators, denominator)
    floor_sums = sum_by(floors, groups, size, what=what, minor_units=minor_units, names=names)
    # each remainder < denominator <= RATE_SCALE: their sum fits int64 for any number of rows a run holds
    remainder_sums = np.zeros(size, dtype=np.int64)
    np.add.at(remainder_sums, groups, remainders)
    carried, left = np.divmod(remainder_sums, denominator)
    totals = round_signed(floor_sums + carried, left, denominator, mode)
    _check_totals(totals, what, minor_units, names)
    leftover = totals - floor_sums  # 0 <= leftover <= lines of the group with a remainder
    # by group, then largest remainder first, then `ties`, then row order: rows put in `ties` order
    # first (stable), then one stable sort on the int64 key group x d + (d - 1 - remainder) when it
    # fits, which sorts much faster than several keys
    first = np.arange(len(amounts)) if ties is None else np.argsort(np.asarray(ties), kind="stable")
    if size * denominator <= _INT64_MAX:
        key = groups[first].astype(np.int64) * denominator
        key += denominator - 1
        key -= remainders[first]
        order = first[np.argsort(key, kind="stable")]
    else:
        order = first[np.lexsort((np.arange(len(amounts)), -remainders[first], groups[first]))]
    ordered_groups = groups[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered_groups, ordered_groups, side="left")
    bump = np.zeros(len(amounts), dtype=bool)
    bump[order] = rank < leftover[ordered_groups]
    return floors + bump, totals


def sum_by(values, groups, size: int, *, what: str, minor_units: int, names=None,
           role: str = "ledger") -> np.ndarray:
    """Exact int64 sum of `values` per group (`groups`: positions 0..size-1), each checked against
    MAX_TOTAL; a total past it raises TotalTooLarge naming `what`, the group (from `names`) and the
    input it came from (`role`).

    When len x max|value| fits int64 no sum can wrap and int64 addition is exact. Otherwise each
    value is split into 32-bit halves, whose sums cannot wrap, and the groups' totals are put
    together as Python integers (a few per collector), so the check sees the true total.
    """
    values = np.asarray(values, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.intp)
    sums = np.zeros(size, dtype=np.int64)
    if values.size == 0:
        return sums
    if max(int(values.max()), -int(values.min())) * values.size <= _INT64_MAX:
        np.add.at(sums, groups, values)
        _check_totals(sums, what, minor_units, names, role)
        return sums
    high = np.zeros(size, dtype=np.int64)
    np.add.at(high, groups, values >> 32)
    np.add.at(sums, groups, values & 0xFFFFFFFF)
    exact = high.astype(object) * 2**32 + sums.astype(object)
    _check_totals(exact, what, minor_units, names, role)
    return np.asarray(exact, dtype=np.int64)


def add_checked(left, right, *, what: str, minor_units: int, names=None) -> np.ndarray:
    """Element-wise ``left + right`` of int64 arrays, each result checked against MAX_TOTAL (a sum
    that wrapped past int64 is caught too: its sign differs from both operands')."""
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    result = left + right
    wrapped = ((left ^ result) & (right ^ result)) < 0
    _check_totals(np.where(wrapped, MAX_TOTAL + 1, result), what, minor_units, names)
    return result


def total(values, *, what: str, minor_units: int) -> int:
    """The sum of `values` as a Python int. Its positive and its negative parts are each checked
    against MAX_TOTAL, so every subtotal of these values a report may print is within it too."""
    values = np.asarray(values, dtype=np.int64)
    parts = sum_by(values, values < 0, 2, what=what, minor_units=minor_units)
    return int(parts[0]) + int(parts[1])


def _check_totals(totals: np.ndarray, what: str, minor_units: int, names, role: str = "ledger") -> None:
    past = np.flatnonzero((totals > MAX_TOTAL) | (totals < -MAX_TOTAL))  # abs() of int64's least is itself
    if len(past):
        raise TotalTooLarge(what, minor_units, None if names is None else str(names[int(past[0])]), role)


def at_least(numerators, denominators, level: Fraction) -> np.ndarray:
    """``numerator / denominator >= level`` per row, exactly (denominators > 0): compared as
    numerator x q >= p x denominator, in int64 when both products fit, else in Python integers
    (these are per-collector arrays: KPIs against bonus steps and multiplier bands)."""
    numerators = np.asarray(numerators, dtype=np.int64)
    denominators = np.asarray(denominators, dtype=np.int64)
    p, q = level.numerator, level.denominator
    if numerators.size == 0:
        return np.zeros(0, dtype=bool)
    n_peak = max(int(numerators.max()), -int(numerators.min()))
    if n_peak * q <= _INT64_MAX and abs(p) * int(denominators.max()) <= _INT64_MAX:
        return numerators * q >= p * denominators
    return np.asarray(numerators.astype(object) * q >= denominators.astype(object) * p, dtype=bool)
