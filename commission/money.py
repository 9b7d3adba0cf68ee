"""Exact money: int64 minor units, exact decimal rates, one explicit rounding rule.

Amounts never pass through a float. Text becomes integer minor units (cents, fen);
rates are `fractions.Fraction` built from decimal text; a commission is
``round(amount * numerator / denominator)`` in integer arithmetic, with the rounding
mode the plan names. Rounding is sign-aware: half_up rounds halves away from zero so that
a reversal (negative amount) cancels its original payment to the cent.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

HALF_UP = "half_up"
HALF_EVEN = "half_even"
ROUNDING_MODES = (HALF_UP, HALF_EVEN)

#: ISO 4217 minor units of the currencies collection departments usually pay in.
#: A plan may state `minor_units` itself for any other currency.
CURRENCY_MINOR_UNITS = {
    "CNY": 2, "HKD": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2, "MYR": 2,
    "THB": 2, "PHP": 2, "INR": 2, "IDR": 2, "VND": 0, "JPY": 0, "KRW": 0, "AUD": 2,
    "CAD": 2, "CHF": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "AED": 2, "SAR": 2, "KWD": 3,
    "BHD": 3,
}

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INT64_MAX = np.iinfo(np.int64).max


class MoneyError(ValueError):
    """A value the user wrote is not exact money or not a rate; the message says why."""


def parse_decimal(text: str) -> Decimal:
    """Parse plain decimal text (no exponent, no thousands separators) exactly."""
    cleaned = text.strip()
    if not _DECIMAL_TEXT.match(cleaned):
        raise MoneyError(f"{text!r} is not a decimal number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise MoneyError(f"{text!r} is not a decimal number") from exc


def to_minor(value: Decimal, minor_units: int) -> int:
    """Decimal currency units to integer minor units; more decimals than the currency has is an error."""
    scaled = value.scaleb(minor_units)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more than {minor_units} decimal places")
    return int(scaled)


def parse_money(text: str, minor_units: int) -> int:
    """Decimal text such as '1234.50' to minor units (123450 for 2 minor digits)."""
    return to_minor(parse_decimal(text), minor_units)


def parse_rate(text: str) -> Fraction:
    """A rate written '5%', '0.05' or '12.5%' as an exact fraction (never through a float)."""
    raw = text.strip()
    percent = raw.endswith("%")
    number = parse_decimal(raw[:-1] if percent else raw)
    rate = Fraction(number)
    return rate / 100 if percent else rate


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
    """
    denominator = math.lcm(*(Fraction(r).denominator for r in rates)) if rates else 1
    numerators = [Fraction(r).numerator * (denominator // Fraction(r).denominator) for r in rates]
    return np.array(numerators, dtype=np.int64), denominator


def apply_rate(amounts, numerators, denominator: int, mode: str = HALF_UP) -> np.ndarray:
    """Exact ``round(amount * numerator / denominator)`` on int64 arrays, halves rounded per `mode`.

    `numerators` (>= 0) is one value or one per amount; `denominator` is one positive integer.
    Works on magnitudes and restores the sign, so -x rounds to exactly -(round(x)) and a reversal
    cancels its payment to the cent. Raises OverflowError (never wraps silently) if
    amount x numerator would not fit in int64.
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    numerators = np.asarray(numerators, dtype=np.int64)
    if amounts.size == 0:
        return amounts.copy()
    product = np.abs(amounts)
    if int(product.max()) * int(numerators.max(initial=0)) > _INT64_MAX // 2:
        raise OverflowError("amount x rate numerator exceeds int64; amounts or rate precision too large")
    product *= numerators  # in place: fresh 10M-row buffers cost more than the arithmetic
    # Unsigned division of the non-negative product lets numpy use its fast constant divisor.
    quotient = (product.view(np.uint64) // np.uint64(denominator)).view(np.int64)
    twice_remainder = product
    twice_remainder -= quotient * denominator
    twice_remainder *= 2
    if mode == HALF_UP:
        quotient += twice_remainder >= denominator
    elif mode == HALF_EVEN:
        quotient += (twice_remainder > denominator) | ((twice_remainder == denominator) & (quotient % 2 == 1))
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    np.negative(quotient, out=quotient, where=amounts < 0)
    return quotient


def apply_fraction(amounts, rate: Fraction, mode: str = HALF_UP) -> np.ndarray:
    """`apply_rate` with one exact fraction for every amount."""
    return apply_rate(amounts, rate.numerator, rate.denominator, mode)


def apply_ratio(values, numerators, denominators, mode: str = HALF_UP) -> np.ndarray:
    """Exact ``round(value * numerator / denominator)`` with a denominator per row.

    For the few rows that need it (partial reversals: commission x reversed / paid). Rows whose
    product could overflow int64 are computed with Python integers, never approximated.
    """
    values = np.asarray(values, dtype=np.int64)
    numerators = np.asarray(numerators, dtype=np.int64)
    denominators = np.asarray(denominators, dtype=np.int64)
    if values.size == 0:
        return values.copy()
    fits = int(np.abs(values).max()) * int(np.abs(numerators).max()) <= _INT64_MAX // 2
    dtype = np.int64 if fits else object
    product = np.abs(values).astype(dtype) * np.abs(numerators).astype(dtype)
    quotient, remainder = product // denominators.astype(dtype), product % denominators.astype(dtype)
    twice = 2 * remainder
    if mode == HALF_UP:
        quotient = quotient + (twice >= denominators)
    elif mode == HALF_EVEN:
        quotient = quotient + ((twice > denominators) | ((twice == denominators) & (quotient % 2 == 1)))
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    negative = (values < 0) != (numerators < 0)
    return np.where(negative, -quotient, quotient).astype(np.int64)
