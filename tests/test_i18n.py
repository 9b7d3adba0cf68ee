"""The catalogue and the formats people read, worked by hand."""

import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.i18n import LANGUAGES, catalogue, day, money, percent, placeholders, ratio_hundredths, t


def test_every_message_in_every_language_with_the_same_placeholders():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert placeholders(texts["en"]) == placeholders(texts["zh"]), key


def test_a_message_in_each_language():
    assert t("common.net_pay", "en") == "Net pay"
    assert t("common.net_pay", "zh") == "实发金额"


def test_an_unknown_key_or_language_is_our_bug():
    with pytest.raises(KeyError):
        t("no.such.key", "en")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        t("common.net_pay", "fr")


@pytest.mark.parametrize("minor, units, text", [
    (1234550, 2, "12,345.50"), (-5, 2, "-0.05"), (0, 2, "0.00"), (1234, 0, "1,234"), (1234567, 3, "1,234.567"),
    (2**53 + 1, 2, "90,071,992,547,409.93"), (10**17 - 1, 2, "999,999,999,999,999.99")])
def test_money_is_exact_and_grouped(minor, units, text):
    assert money(minor, units, "en") == text
    assert money(minor, units, "zh") == text


@pytest.mark.parametrize("numerator, denominator, text", [
    (23474621, 21800000, "107.68%"),  # 107.6817...: cut, not rounded up to 107.7
    (2, 3, "66.66%"), (-2, 3, "-66.66%"), (1, 1, "100.00%"), (0, 5, "0.00%"), (1, 30000, "0.00%"),
    (12345678, 1000, "1,234,567.80%")])
def test_percentages_are_cut_toward_zero_to_two_decimals(numerator, denominator, text):
    assert percent(numerator, denominator, "en") == text


@given(st.integers(-10**18, 10**18), st.integers(1, 10**18))
def test_ratio_hundredths_never_rounds_away_from_zero(numerator, denominator):
    exact = Fraction(numerator * 10000, denominator)
    assert ratio_hundredths(numerator, denominator) == math.trunc(exact)


def test_dates_as_people_write_them():
    assert day(date(2026, 10, 15), "en") == "Oct 15, 2026"
    assert day(date(2026, 10, 15), "zh") == "2026年10月15日"


@pytest.mark.parametrize("count, en, zh", [
    (1, "error: 1 problem", "错误：共 1 个问题"), (0, "error: 0 problems", "错误：共 0 个问题"),
    (2, "error: 2 problems", "错误：共 2 个问题"), (2718, "error: 2,718 problems", "错误：共 2,718 个问题")])
def test_a_count_chooses_the_plural_form_and_is_grouped(count, en, zh):
    """English has one and other (CLDR), Chinese one form for every count."""
    assert t("cli.problems", "en", count=count) == en
    assert t("cli.problems", "zh", count=count) == zh


def test_a_message_with_plural_forms_needs_an_integer_count():
    with pytest.raises(TypeError, match="give count as an integer"):
        t("cli.problems", "en", count="1")
    with pytest.raises(ValueError, match="different placeholders"):
        placeholders({"one": "{count} row", "other": "{count} rows of {total}"})
