"""KPIs per collector over a window, exact: attainment, recovery rate, recovered, QA score (and, kept
beside them, the other measures of tiers and bonuses: engine.rules.measures).

A KPI is kept as a numerator and a denominator per collector (integers), so comparing it with
a threshold p/q is ``numerator * q >= p * denominator``: no float, no rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..money import apply_ratio, at_least, format_minor, sum_by
from ..periods import Period
from ..policy.measures import COUNT, unit
from .context import RunContext

SCORE_SCALE = 100  # QA scores are held in hundredths of a point


@dataclass(frozen=True)
class KpiValues:
    """numerator / denominator per collector; `known` is False where the KPI cannot be computed."""

    kpi: str
    numerator: np.ndarray
    denominator: np.ndarray
    known: np.ndarray
    minor_units: int

    def reaches(self, threshold: Fraction) -> np.ndarray:
        return self.known & at_least(self.numerator, self.denominator, threshold)

    def highest(self, thresholds) -> np.ndarray:
        """Index of the highest threshold reached (thresholds ascending), -1 for none."""
        index = np.full(len(self.numerator), -1, dtype=np.int64)
        for k, threshold in enumerate(thresholds):
            index[self.reaches(threshold)] = k
        return index

    def text(self, who: int) -> str:
        """The KPI for one collector as the items' rate column says it: 'attainment 107.68%'."""
        if not self.known[who]:
            return f"{self.kpi} unknown"
        value = Fraction(int(self.numerator[who]), int(self.denominator[who]))
        if self.kpi in ("attainment", "recovery_rate"):
            return f"{self.kpi} {_two_decimals(value * 100)}%"
        if self.kpi == "qa_score":
            return f"QA score {_two_decimals(value)}"
        if unit(self.kpi) == COUNT:
            return f"{self.kpi} {int(self.numerator[who])}"
        return f"{self.kpi} {format_minor(int(self.numerator[who]), self.minor_units)}"


def _two_decimals(value: Fraction) -> str:
    """Display only (decisions use the exact fraction), cut toward zero, never rounded up, the one rule
    every screen shows a ratio by: 107.6817.. -> '107.68', 99.9999.. -> '99.99', so a collector just below
    a band edge never reads the edge itself."""
    hundredths = int(value * 100)
    return f"{'-' if hundredths < 0 else ''}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


def prorate(ctx: RunContext, amount: int, window: Period) -> np.ndarray:
    """A fixed amount for each collector, scaled by the days employed in `window` (rounded per the plan)."""
    return _prorate(ctx, np.full(ctx.n, amount, dtype=np.int64), window)


def kpi_values(ctx: RunContext, kpi: str, window: Period) -> KpiValues:
    """The KPI per collector over `window`, computed once per run and kept for the result (statements
    show each collector's attainment)."""
    key = (kpi, str(window))
    if key not in ctx.kpis:
        ctx.kpis[key] = _compute_kpi(ctx, kpi, window)
    return ctx.kpis[key]


def kpi_frame(ctx: RunContext):
    """Every KPI the run computed: collector_id, kpi, window, numerator, denominator (known ones only)."""
    parts = [pd.DataFrame({"collector_id": np.asarray(ctx.collectors, dtype=object)[values.known], "kpi": kpi,
                           "window": window, "numerator": values.numerator[values.known],
                           "denominator": values.denominator[values.known]})
             for (kpi, window), values in sorted(ctx.kpis.items())]
    if parts:
        return pd.concat(parts, ignore_index=True)
    # typed even when empty: beside another plan's KPIs in one run, an untyped empty frame would make the
    # numerators and denominators Python objects
    return pd.DataFrame({"collector_id": pd.Series(dtype=object), "kpi": pd.Series(dtype=object),
                         "window": pd.Series(dtype=object), "numerator": pd.Series(dtype=np.int64),
                         "denominator": pd.Series(dtype=np.int64)})


def _compute_kpi(ctx: RunContext, kpi: str, window: Period) -> KpiValues:
    recovered = ctx.recovered(window)
    minor = ctx.policy.minor_units
    if kpi == "recovered":
        return KpiValues(kpi, recovered, np.ones(ctx.n, dtype=np.int64), np.ones(ctx.n, dtype=bool), minor)
    if kpi == "attainment":
        target = period_values(ctx, "targets", "target", window, prorated=True)
        return KpiValues(kpi, recovered, np.where(target > 0, target, 1), target > 0, minor)
    if kpi == "recovery_rate":
        assigned = period_values(ctx, "assignments", "assigned_balance", window)
        return KpiValues(kpi, recovered, np.where(assigned > 0, assigned, 1), assigned > 0, minor)
    total, count = qa_scores(ctx, window)
    return KpiValues(kpi, total, np.where(count > 0, count * SCORE_SCALE, 1), count > 0, minor)


def period_values(ctx: RunContext, name: str, column: str, window: Period, prorated: bool = False) -> np.ndarray:
    """Each collector's value for `window` from a side table: its own row for the window, else the
    sum of its months' rows (a month the collector was not employed at all needs none).

    `prorated` (targets) scales each row by the days employed in its period, month by month, so a
    joiner's monthly target counts only for the days worked. A collector employed in the window
    with neither an own row nor complete months is an error naming them.
    """
    table = getattr(ctx.side, name)
    if table is None:
        raise InputError([Problem("", "", f"the plan needs {name} (a {name} file with collector_id, "
                                  f"period, {column}) for {window}", role=name)])
    # One row per collector and period (the loader refuses repeats), placed by position with masks for
    # the rows present: values stay int64 throughout (a reindex would hold missing rows as NaN, in float64).
    own_present, own_values = _by_collector(ctx, table, column, [str(window)])
    has_own = own_present[:, 0]
    own_values = own_values[:, 0]
    if prorated:
        own_values = _prorate(ctx, own_values, window)
    months = window.months()
    present, month_values = _by_collector(ctx, table, column, [str(m) for m in months])
    employed = np.stack([ctx.employed_days(m) > 0 for m in months], axis=1)
    complete = (present | ~employed).all(axis=1) & employed.any(axis=1)
    if prorated:
        month_values = np.stack([_prorate(ctx, month_values[:, k], m) for k, m in enumerate(months)], axis=1)
    month_sums = sum_by(month_values.ravel(), np.repeat(np.arange(ctx.n), len(months)), ctx.n,
                        what=f"{column} over the months of {window}", minor_units=ctx.policy.minor_units,
                        names=ctx.collectors, role=name)
    absent = ~has_own & ~complete
    missing = [c for c, v in zip(ctx.collectors, absent) if v and _needs_value(ctx, c, window)]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise InputError([Problem("", column, f"no {column} for {window} (nor for each month of it the "
                                  f"collector was employed) for collector(s) {shown}", role=name)])
    return np.where(has_own, own_values, np.where(complete, month_sums, 0))


def _by_collector(ctx: RunContext, table: pd.DataFrame, column: str, periods: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(present, values): n x len(periods) arrays of whether each collector of the run has a row for each
    period, and its `column` (int64, 0 where absent). Rows of other collectors or periods are left out."""
    rows = table.loc[table["period"].isin(periods)]
    who = pd.Index(ctx.collectors).get_indexer(rows["collector_id"].astype(str))
    which = pd.Index(periods).get_indexer(rows["period"].astype(str))
    keep = who >= 0
    present = np.zeros((ctx.n, len(periods)), dtype=bool)
    values = np.zeros((ctx.n, len(periods)), dtype=np.int64)
    present[who[keep], which[keep]] = True
    values[who[keep], which[keep]] = rows[column].to_numpy(dtype=np.int64)[keep]
    return present, values


def _prorate(ctx: RunContext, values: np.ndarray, period: Period) -> np.ndarray:
    return apply_ratio(values, ctx.employed_days(period), np.full(ctx.n, period.days, dtype=np.int64),
                       ctx.policy.rounding.mode)


def _needs_value(ctx: RunContext, collector: str, window: Period) -> bool:
    """Someone not employed at all in the window needs no target."""
    return bool(ctx.employed_days(window)[ctx.collectors.index(collector)] > 0)


def qa_scores(ctx: RunContext, window: Period) -> tuple[np.ndarray, np.ndarray]:
    """Sum (hundredths) and count of each collector's QA scores in `window`."""
    events = window_events(ctx, window)
    scored = events.loc[(events["type"] == "qa") & (events["score"] >= 0)]
    who = np.searchsorted(np.asarray(ctx.collectors, dtype=object), scored["collector_id"].to_numpy(dtype=object))
    total = sum_by(scored["score"].to_numpy(dtype=np.int64), who, ctx.n, what=f"QA scores in {window}",
                   minor_units=2, names=ctx.collectors, role="events")  # hundredths of a point
    return total, np.bincount(who, minlength=ctx.n).astype(np.int64)


def window_events(ctx: RunContext, window: Period):
    """Events of this run's collectors dated within `window`, in date order."""
    events = ctx.side.events
    if events is None:
        raise InputError([Problem("", "", f"the plan needs compliance events (an events file) for {window}",
                                  role="events")])
    dates = events["date"].to_numpy().astype("datetime64[D]")
    inside = (dates >= np.datetime64(window.start)) & (dates <= np.datetime64(window.end))
    mine = events["collector_id"].isin(set(ctx.collectors)).to_numpy()
    return events.loc[inside & mine].sort_values(["date", "event_id"], kind="stable")
