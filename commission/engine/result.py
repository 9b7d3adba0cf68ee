"""What a run produces: payouts, lineage and counts. Plain data; outputs format it, nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pandas as pd

from ..money import total
from ..periods import Period
from ..policy import Policy

#: Payout columns that hold money (int64 minor units), in report order.
PAYOUT_MONEY_COLUMNS = ("recovered", "line_commission", "tier_commission", "bonus", "adjustment", "holdback", "balance",
                        "net_payout")
#: Lineage columns that hold money.
LINE_MONEY_COLUMNS = ("base", "base_amount", "commission", "amount")  # base_amount: a fee or other base (line_bases)
ITEM_MONEY_COLUMNS = ("base", "amount")
#: Skipped rows: ledger rows dated outside their collector's employment that the collector's plan says
#: to skip (leavers: {after_end: skip} / {before_start: skip}), or reversals of such rows. `amount` is
#: what the row credits the collector (their share of a split payment), `file` and `row` where it is.
SKIPPED_COLUMNS = ("payment_id", "collector_id", "payment_date", "amount", "reverses", "reason", "start_date",
                   "end_date", "plan", "file", "row")
SKIPPED_MONEY_COLUMNS = ("amount",)
#: Why a row was skipped: dated after the collector's end_date, before their start_date, or a reversal
#: of a payment skipped for one of these reasons (it claws back nothing: nothing was paid).
SKIP_REASONS = ("after_end", "before_start", "reverses_skipped")
#: What a run keeps of each event an item names: when, what, how bad, who raised it, what happened.
EVENT_COLUMNS = ("event_id", "collector_id", "date", "type", "severity", "source", "description")


def events_named(events: Optional[pd.DataFrame], items: pd.DataFrame) -> pd.DataFrame:
    """The events (of the events file given) that `items` name, in date order."""
    if events is None or not len(items):
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in EVENT_COLUMNS})
    named = events.loc[events["event_id"].isin(set(items["event"]) - {""}), list(EVENT_COLUMNS)]
    return named.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


#: Awards: what a run decides besides pay, one row per collector and raise or benefit rule reached. A
#: raise recommended (kind raise: raise_percent of base salary, or raise_amount added to it, from
#: effective_from) or a benefit in kind granted (kind benefit: quantity of unit). `rule` is the step
#: reached (<id>#<n>), `window` the period decided on, `evidence` the facts that decided it, as
#: JSON in no language (rules/awards.py: evidence), worded for people by statements.evidence. Never
#: money paid: no payout, pay code or total includes them.
AWARD_COLUMNS = ("collector_id", "employee_id", "name", "period", "plan", "version", "kind", "component", "rule",
                 "window", "kpi", "evidence", "raise_percent", "raise_amount", "effective_from", "quantity", "unit")
#: The award column that holds money (int64 minor units; 0 for a raise given as a percentage, and for benefits).
AWARD_MONEY_COLUMNS = ("raise_amount",)


def no_awards() -> pd.DataFrame:
    """The awards of a run that decided none: the columns, no rows."""
    types = {"version": "int64", "raise_amount": "int64"}
    return pd.DataFrame({c: pd.Series([], dtype=types.get(c, "str")) for c in AWARD_COLUMNS})


def no_skipped() -> pd.DataFrame:
    """The skipped rows of a run that skipped none: the columns, no rows."""
    types = {"payment_date": "datetime64[s]", "start_date": "datetime64[s]", "end_date": "datetime64[s]",
             "amount": "int64", "row": "int64"}
    return pd.DataFrame({c: pd.Series([], dtype=types.get(c, "str")) for c in SKIPPED_COLUMNS})


@dataclass(frozen=True)
class RunResult:
    """One plan run over one period.

    payouts: one row per collector: identity, period, plan, version, currency, the money
        columns above and one ``pay_<code>`` column per pay code; int64 minor units.
    items: the period-level lineage: one row per collector and rule (a line-rate component's
        total, each tier, each gate, cap or floor that acted), with base, rate and amount.
    lines: the payment-level lineage: one row per ledger row and line-rate rule.
    events: the compliance, QA and clearance events the items name (EVENT_COLUMNS), so a statement
        says what each was, not only its id.
    skipped: ledger rows the run paid nothing for because they fall outside their collector's
        employment and the collector's plan says to skip them (SKIPPED_COLUMNS); they count in
        no total, KPI or override. counts: rows_read = rows_used + rows_excluded (outside every
        window paid) + rows_skipped.
    awards: raises recommended and benefits in kind granted (AWARD_COLUMNS): decided with the
        run, paid by nobody in it; no item, payout or total includes them.
    Every payout amount is the sum of its items; every line-rate item the sum of its lines.
    """

    period: Period
    policies: tuple[Policy, ...]  # the plan versions that paid someone, in plan order
    payouts: pd.DataFrame
    items: pd.DataFrame
    lines: pd.DataFrame
    counts: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    state: pd.DataFrame = field(default_factory=pd.DataFrame)  # balances carried to the next run
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)  # KPIs the rules looked at, exact ratios
    skipped: pd.DataFrame = field(default_factory=no_skipped)  # rows outside employment, paid nothing
    events: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVENT_COLUMNS))  # events items name
    awards: pd.DataFrame = field(default_factory=no_awards)  # raises and benefits in kind: never paid, never totalled

    @property
    def currency(self) -> str:
        return self.policies[0].currency

    @property
    def minor_units(self) -> int:
        return self.policies[0].minor_units

    def totals(self) -> dict[str, int]:
        """Total of each money column of the payouts, in minor units; TotalTooLarge if one is past
        MAX_TOTAL (its positive or its negative part: then no subtotal a report prints can wrap)."""
        money = [*PAYOUT_MONEY_COLUMNS, *(c for c in self.payouts.columns if c.startswith("pay_"))]
        return {column: total(self.payouts[column].to_numpy(), what=f"the payroll's {column}",
                              minor_units=self.minor_units) for column in money}
