"""The measures a tier schedule or a bonus can name (`measure:`), in one place: each measure's name, its
unit (money, a share of a target or balance, a count, points) and the ledger column it reads.

A measure is what the engine sums or counts per collector over a component's window:
- recovered: credited repayments net of reversals (money; the default);
- fees: the agency's fee on those repayments, by the plan's `fees:` block (money);
- sum:<column>: a ledger money column such as principal or written_off, summed (money);
- component:<id>: an earlier component's total for the collector (money);
- attainment: recovered / target, recovery_rate: recovered / assigned balance (shares, 1 = 100%);
- accounts_paying: accounts with net positive repayments in the window; accounts_paying:<label>: the
  same among repayments in one class (an overdue bucket, a band...) (counts);
- accounts_settled, accounts_brought_current: accounts with a repayment marked in the ledger's
  `settled` / `brought_current` column; promises_kept: repayments marked `promise_kept` (counts);
- qa_score: the average QA score of the collector's QA events (points; bonuses only).
Counts are exact integers, their thresholds whole numbers; money thresholds are amounts.
"""

from __future__ import annotations

from typing import Optional

from ..errors import shown

MONEY, SHARE, COUNT, POINTS = "money", "share", "count", "points"

#: Measures without an argument, and their unit.
MEASURES = {"recovered": MONEY, "fees": MONEY, "attainment": SHARE, "recovery_rate": SHARE,
            "accounts_paying": COUNT, "accounts_settled": COUNT, "accounts_brought_current": COUNT,
            "promises_kept": COUNT, "qa_score": POINTS}
#: Measures written `name:<argument>`, and their unit: a ledger money column, a component id, a class label.
ARGUMENT_MEASURES = {"sum": MONEY, "component": MONEY, "accounts_paying": COUNT}
#: Count measures read from an optional true/false ledger column, and that column.
FLAG_COLUMNS = {"accounts_settled": "settled", "accounts_brought_current": "brought_current",
                "promises_kept": "promise_kept"}
#: Measures that count accounts (they need each repayment's account, never shown: a code per account).
ACCOUNT_COUNTS = ("accounts_paying", "accounts_settled", "accounts_brought_current")


def split(measure: str) -> tuple[str, str]:
    """('sum', 'principal') for sum:principal; (name, '') for a measure without an argument."""
    name, _, argument = measure.partition(":")
    return name, argument


def unit(measure: str) -> str:
    name, argument = split(measure)
    return ARGUMENT_MEASURES[name] if argument else MEASURES[name]


#: How each measure with an argument is written, for messages.
WRITTEN = ("sum:<column>", "component:<id>", "accounts_paying:<label>")


def problem(measure: str) -> Optional[str]:
    """Why `measure` is not a measure (None when it is one)."""
    name, argument = split(measure)
    if (name in ARGUMENT_MEASURES) if argument else (name in MEASURES):
        return None
    return f"{shown(measure)!r} is not a measure; one of: {', '.join([*MEASURES, *WRITTEN])}"


def flag_column(measure: str) -> Optional[str]:
    """The ledger column a count measure reads (settled, brought_current, promise_kept), or None."""
    return FLAG_COLUMNS.get(measure)


def money_column(measure: str) -> Optional[str]:
    """The ledger money column a sum:<column> measure reads, or None."""
    name, argument = split(measure)
    return argument if name == "sum" else None


def component_of(measure: str) -> Optional[str]:
    """The component a component:<id> measure reads, or None."""
    name, argument = split(measure)
    return argument if name == "component" else None


def measure_of(component) -> Optional[str]:
    """The measure of a tier schedule (its `base`) or a bonus (its `kpi`); None for any other component."""
    return component.base if component.kind == "tiers" else component.kpi if component.kind == "bonus" else None


def counts_accounts(measure: str) -> bool:
    return split(measure)[0] in ACCOUNT_COUNTS
