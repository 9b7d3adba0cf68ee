from datetime import date

import pytest

from commission.periods import MONTHLY, QUARTERLY, YEARLY, Period, PeriodError


def test_parse_month_quarter_year():
    assert str(Period.parse("2026-09")) == "2026-09"
    quarter = Period.parse("2026-Q3")
    assert (quarter.start, quarter.end) == (date(2026, 7, 1), date(2026, 9, 30))
    year = Period.parse("2026")
    assert (year.start, year.end, year.days) == (date(2026, 1, 1), date(2026, 12, 31), 365)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-01", "2026/09", "September"])
def test_bad_periods_say_which_forms_are_accepted(text):
    with pytest.raises(PeriodError, match="2026-Q3"):
        Period.parse(text)


def test_a_month_pays_the_cadences_that_end_with_it():
    september, october, december = (Period.parse(p) for p in ("2026-09", "2026-10", "2026-12"))
    assert september.pays(MONTHLY) and september.pays(QUARTERLY) and not september.pays(YEARLY)
    assert october.pays(MONTHLY) and not october.pays(QUARTERLY)
    assert december.pays(YEARLY)
    assert str(september.enclosing(QUARTERLY)) == "2026-Q3"
    assert str(december.enclosing(YEARLY)) == "2026"


def test_a_quarter_run_pays_quarterly_not_monthly():
    q4 = Period.parse("2026-Q4")
    assert q4.pays(QUARTERLY) and q4.pays(YEARLY) and not q4.pays(MONTHLY)
    assert not Period.parse("2026-Q3").pays(YEARLY)


@pytest.mark.parametrize("text", ["2026-W40", "2026-w40", "2026W40", "2026-W40-1"])
def test_a_week_is_refused_saying_the_engine_pays_months_quarters_and_years(text):
    with pytest.raises(PeriodError) as refused:
        Period.parse(text)
    assert str(refused.value) == (
        f"{text!r} is a week: the engine pays monthly, quarterly and yearly periods only; write a month 2026-09, "
        "a quarter 2026-Q3 or a year 2026 (an agency that pays weekly pays advances in its payroll and settles "
        "each month with a monthly run)")
