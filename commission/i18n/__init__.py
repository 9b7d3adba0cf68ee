"""Every word people read, in their language, from one catalogue (`messages.yaml`): statements,
explain, charts, the comparison report, the web pages and the CLI's messages for people. Numbers,
percentages and dates are written by Babel from CLDR's data for each language's locale, so "1,234.50",
"107.68%" and "2026年10月15日" come out the same wherever they are shown.

Money is formatted from integer minor units through `Decimal`, never a float; a ratio is written with
two decimals cut toward zero, the one rule every screen uses (234,746.21 of 218,000.00 is 107.68%,
never 107.69% nor 107.7%).
"""

from __future__ import annotations

import numbers
import string
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

#: The languages people can choose, and the CLDR locale each is formatted by.
LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
LANGUAGES = tuple(LOCALES)
#: Decimals of a ratio shown as a percentage (cut toward zero).
PERCENT_PLACES = 2


#: CLDR's plural categories, the forms a message may have (English uses one and other, Chinese other).
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


@cache
def catalogue() -> dict[str, dict]:
    """messages.yaml: key -> {language: text}, checked once: every key in every language, with the
    same placeholders in each (a translation that drops {amount} would show a sentence without it).
    A language's text may be a mapping of plural forms ({one: ..., other: ...}) chosen by {count}."""
    text = resources.files(__package__).joinpath("messages.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    for key, texts in entries.items():
        if set(texts) != set(LANGUAGES):
            raise ValueError(f"messages.yaml: {key} has {sorted(texts)}, needs {list(LANGUAGES)}")
        for lang, value in texts.items():
            if isinstance(value, dict) and ("other" not in value or not set(value) <= set(PLURAL_FORMS)
                                            or "count" not in placeholders(value)):
                raise ValueError(f"messages.yaml: {key} in {lang} has plural forms {sorted(value)}; give 'other' "
                                 f"and any of {', '.join(PLURAL_FORMS)}, each filling in {{count}}")
        fields = {lang: placeholders(texts[lang]) for lang in LANGUAGES}
        if len(set(map(frozenset, fields.values()))) != 1:
            raise ValueError(f"messages.yaml: {key} has different placeholders per language: {fields}")
    return entries


def placeholders(text: str | dict) -> set[str]:
    """The {names} a message fills in (for plural forms: those every form fills in alike, or a
    ValueError)."""
    if isinstance(text, dict):
        found = {frozenset(placeholders(form)) for form in text.values()}
        if len(found) != 1:
            raise ValueError(f"plural forms fill in different placeholders: {text}")
        return set(found.pop())
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str, **values) -> str:
    """The message `key` in `lang`, filled with `values` (already formatted: see `money`, `percent`,
    `day`), except `count`: an integer, written grouped ("2,718"), that chooses the message's plural
    form ("1 repayment", "2 repayments"). A key missing from the catalogue is our bug and raises
    KeyError."""
    text = catalogue()[key][check_language(lang)]
    count = values.get("count")
    if isinstance(count, numbers.Integral) and not isinstance(count, bool):
        values["count"] = money(int(count), 0, lang)
    if isinstance(text, dict):
        if not isinstance(count, numbers.Integral):
            raise TypeError(f"{key} has plural forms: give count as an integer, not {count!r}")
        text = text.get(plural_form(int(count), lang), text["other"])
    return text.format(**values)


def plural_form(count: int, lang: str) -> str:
    """CLDR's plural category of `count` in `lang`: 'one' for 1 in English, 'other' for every count in Chinese."""
    return _locale(lang).plural_form(abs(count))


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[check_language(lang)])


def word(prefix: str, name: str, lang: str) -> str:
    """The catalogue's word for a name from the data (a pay code, an event type: `prefix`.`name`), or the
    name itself when the catalogue has none (a plan's own pay code)."""
    try:
        return t(f"{prefix}.{name}", lang)
    except KeyError:
        return name


def named(prefix: str) -> tuple[str, ...]:
    """The names from the data the catalogue has words for under `prefix` (`pay_code`: the engine's
    commission, bonus and benefit)."""
    return tuple(key.removeprefix(f"{prefix}.") for key in catalogue() if key.startswith(f"{prefix}."))


def default_language(currency: str) -> str:
    """The language people read a plan's statements and workbooks in unless they choose: Chinese for a
    CNY plan, English otherwise."""
    return "zh" if currency == "CNY" else "en"


def check_language(lang: str) -> str:
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def money(minor: int, minor_units: int, lang: str) -> str:
    """An amount of integer minor units, grouped: 1234550 with 2 units -> '12,345.50'."""
    pattern = "#,##0" + ("." + "0" * minor_units if minor_units else "")
    return format_decimal(Decimal(int(minor)).scaleb(-minor_units), format=pattern,
                          locale=LOCALES[check_language(lang)])


def ratio_hundredths(numerator: int, denominator: int) -> int:
    """numerator / denominator in hundredths of a percent, cut toward zero (exact integers)."""
    scaled = abs(int(numerator)) * 100 * 10 ** PERCENT_PLACES // abs(int(denominator))
    return -scaled if (numerator < 0) != (denominator < 0) and scaled else scaled


def percent(numerator: int, denominator: int, lang: str) -> str:
    """A ratio as a percentage with two decimals cut toward zero: 23474621/21800000 -> '107.68%'."""
    value = Decimal(ratio_hundredths(numerator, denominator)).scaleb(-PERCENT_PLACES)
    return format_decimal(value, format="#,##0.00", locale=LOCALES[check_language(lang)]) + "%"


def day(value: date, lang: str) -> str:
    """A date as people write it: 'Oct 15, 2026' or '2026年10月15日'."""
    return format_date(value, format="medium", locale=LOCALES[check_language(lang)])
