"""Pay periods: a month ('2026-09'), a quarter ('2026-Q3') or a year ('2026').

Components pay monthly, quarterly or yearly; a run for a period pays every cadence whose
period ends when the run's period ends (September pays monthly, Q3 and nothing yearly;
December pays all three).

There are no weekly periods, by design: a week does not nest in a month (an ISO week may
straddle two months, two quarters, even two years), and every rule that spans periods (targets
by month, proration by days in the month, holdbacks released at a quarter's end, yearly tiers,
a payout batch per period) is built on periods that nest. A week given is refused with a
message that says so (docs/policy-language.md, "Pay periods: months, quarters and years").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"
CADENCES = (MONTHLY, QUARTERLY, YEARLY)
#: How many months the period of each cadence spans.
MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}

_KIND_FOR_CADENCE = {MONTHLY: "month", QUARTERLY: "quarter", YEARLY: "year"}
_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "month"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)
_WEEK = re.compile(r"^\d{4}-?[Ww]\d{1,2}(-?\d)?$")  # ISO week (2026-W40, 2026W40, 2026-W40-1): refused


#: Years a pay period may fall in: anything else is a typo (0000-01) or a date no payroll means.
FIRST_YEAR, LAST_YEAR = 1900, 2199


class PeriodError(ValueError):
    """The text is not a period; the message shows the accepted forms."""


@dataclass(frozen=True, order=True)
class Period:
    """A calendar pay period. `index` is the month (1-12), quarter (1-4) or 1 for a year."""

    year: int
    kind: str
    index: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        cleaned = str(text).strip()
        for pattern, kind in _PATTERNS:
            match = pattern.match(cleaned)
            if match:
                index = int(match.group(2)) if kind != "year" else 1
                year = int(match.group(1))
                if not FIRST_YEAR <= year <= LAST_YEAR:
                    raise PeriodError(f"{text!r} is not a period: the year must be {FIRST_YEAR} to {LAST_YEAR}")
                return cls(year, kind, index)
        if _WEEK.match(cleaned):
            raise PeriodError(f"{text!r} is a week: the engine pays monthly, quarterly and yearly periods only; "
                              "write a month 2026-09, a quarter 2026-Q3 or a year 2026 (an agency that pays "
                              "weekly pays advances in its payroll and settles each month with a monthly run)")
        raise PeriodError(f"{text!r} is not a period; write a month 2026-09, a quarter 2026-Q3 or a year 2026")

    @classmethod
    def of_month(cls, year: int, month: int, cadence: str = MONTHLY) -> "Period":
        """The period of the given cadence that contains this month."""
        kind = _KIND_FOR_CADENCE[cadence]
        index = {"month": month, "quarter": (month - 1) // 3 + 1, "year": 1}[kind]
        return cls(year, kind, index)

    @property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_IN[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + _MONTHS_IN[self.kind] - 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list["Period"]:
        return [Period(self.year, "month", m) for m in range(self.first_month, self.last_month + 1)]

    def parts(self, cadence: str) -> list["Period"]:
        """The periods of `cadence` this one is made of, in order (the four quarters of a year)."""
        step = MONTHS_IN[cadence]
        if step > _MONTHS_IN[self.kind]:
            raise ValueError(f"{self} has no {cadence} parts")
        return [Period.of_month(self.year, month, cadence) for month in range(self.first_month, self.last_month + 1,
                                                                              step)]

    def enclosing(self, cadence: str) -> "Period":
        """The period of `cadence` that ends in this period's last month."""
        return Period.of_month(self.year, self.last_month, cadence)

    def pays(self, cadence: str) -> bool:
        """Does a run for this period pay components of `cadence`? Only if that period ends here.

        A monthly run pays monthly components; a quarterly run has no month of its own, so it
        pays quarterly ones (and yearly ones in Q4); a yearly run pays only yearly ones.
        """
        if _MONTHS_IN[_KIND_FOR_CADENCE[cadence]] < _MONTHS_IN[self.kind]:
            return False
        return self.enclosing(cadence).end == self.end

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"
