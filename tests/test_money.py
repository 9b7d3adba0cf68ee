"""Exact money: parsing, rounding, formatting, allocation. Expected values worked out by hand."""

from fractions import Fraction

import numpy as np
import pytest

from commission.money import (
    HALF_EVEN,
    HALF_UP,
    MoneyError,
    apply_rate,
    common_denominator,
    format_minor,
    format_rate,
    parse_money,
    parse_rate,
)


@pytest.mark.parametrize("text, minor", [("1234.50", 123450), ("0.01", 1), ("-7", -700), ("12.5", 1250),
                                         (" 3.00 ", 300)])
def test_parse_money_to_minor_units(text, minor):
    assert parse_money(text, 2) == minor


@pytest.mark.parametrize("text", ["12.345", "abc", "1e3", "1,000.00", "", "1_000.10"])
def test_parse_money_rejects_inexact_or_malformed(text):
    with pytest.raises(MoneyError):
        parse_money(text, 2)


def test_rates_parse_exactly_from_percent_or_decimal():
    assert parse_rate("5%") == Fraction(1, 20)
    assert parse_rate("0.05") == Fraction(1, 20)
    assert parse_rate("12.5%") == Fraction(1, 8)
    # 0.1 + 0.2 style float noise cannot happen: the text is the value.
    assert parse_rate("0.3") == Fraction(3, 10)
    assert format_rate(Fraction(1, 8)) == "12.5%"
    assert format_rate(Fraction(1, 20)) == "5%"


def test_half_up_rounds_halves_away_from_zero_for_payments_and_reversals():
    # 14.50 x 1% = 0.145 -> 0.15 (a float64 round() gives 0.14: the DESIGN.md example)
    assert apply_rate(np.array([1450]), 1, 100, HALF_UP).tolist() == [15]
    # the reversal of that payment claws back exactly the same cent
    assert apply_rate(np.array([-1450]), 1, 100, HALF_UP).tolist() == [-15]
    # 0.144 -> 0.14 ; 0.146 -> 0.15
    assert apply_rate(np.array([1440, 1460]), 1, 100, HALF_UP).tolist() == [14, 15]


def test_half_even_rounds_halves_to_the_even_cent():
    # 14.50 x 1% = 0.145 -> 0.14 (4 is even); 15.50 x 1% = 0.155 -> 0.16 (6 is even)
    assert apply_rate(np.array([1450, 1550, -1450]), 1, 100, HALF_EVEN).tolist() == [14, 16, -14]


def test_common_denominator_keeps_rates_exact():
    numerators, denominator = common_denominator([Fraction(3, 100), Fraction(1, 20), Fraction(1, 8)])
    assert (numerators.tolist(), denominator) == ([6, 10, 25], 200)
    # 1000.00 at 12.5% = 125.00 computed as 100000 x 25 / 200
    assert apply_rate(np.array([100000]), numerators[2], denominator).tolist() == [12500]


def test_apply_rate_is_exact_where_amount_x_numerator_would_pass_int64():
    # 2**62 x 3 does not fit int64; the product is never formed: 2**62 x 3 / 100 = 138350580552821637.12 -> ...37
    assert apply_rate(np.array([2**62, -2**62]), 3, 100).tolist() == [138350580552821637, -138350580552821637]


def test_format_minor_has_exactly_the_currency_digits():
    assert format_minor(123450, 2) == "1234.50"
    assert format_minor(-5, 2) == "-0.05"
    assert format_minor(1234, 0) == "1234"
    assert format_minor(1, 3) == "0.001"
