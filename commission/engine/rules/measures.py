"""The measure a tier schedule or bonus looks at (policy.measures), per collector over a window, exact.

Recovered, attainment, recovery_rate and qa_score are the KPIs of engine.kpis. The others are computed
here and kept beside them (kpis.csv shows what each rule measured):
- fees: the agency's fee on each line of the window (rounded per line by the plan's rule, reversals
  taking back their part of their payment's fee, as line rates do, in the window they are booked in,
  also under reversals: {earlier_periods: recompute}), or the sum of the fee column;
- sum:<column>: the column's credited values in the window (reversal rows carry their own, negative);
- component:<id>: the component's total so far in this run (components are booked in plan order);
- accounts_paying[:<label>]: accounts whose repayments in the window (of that class) add up to more
  than nothing, net of reversals; accounts_settled / accounts_brought_current: accounts with a
  repayment (a positive amount) marked true in the settled / brought_current column; promises_kept:
  repayments marked true in promise_kept. An account is counted once per collector.
Not a module of a rule kind: it registers nothing.
"""

from __future__ import annotations

import numpy as np

from ...errors import InputError, Problem, ProblemCollector
from ...money import sum_by
from ...periods import Period
from ...policy.measures import flag_column, split
from ..kpis import KpiValues, kpi_values
from .line_rate import window_lines
from .registry import Booking

KPI_MEASURES = ("recovered", "attainment", "recovery_rate", "qa_score")


def measure_values(job: Booking, measure: str, window: Period) -> KpiValues:
    """The measure per collector over `window` (numerator / denominator; 1 for money and counts)."""
    ctx = job.ctx
    if measure in KPI_MEASURES:
        return kpi_values(ctx, measure, window)
    key = (measure, str(window))
    if key not in ctx.kpis:
        name, argument = split(measure)
        if name == "component":
            values = job.book.total((argument,))
        elif name in ("fees", "sum"):
            values = _money(job, argument if name == "sum" else "", window)
        else:
            values = _count(ctx, name, argument, window)
        ctx.kpis[key] = KpiValues(measure, values, np.ones(ctx.n, dtype=np.int64), np.ones(ctx.n, dtype=bool),
                                  ctx.policy.minor_units)
    return ctx.kpis[key]


def _money(job: Booking, column: str, window: Period) -> np.ndarray:
    """A sum:<column> measure, or (no column) the fees: the fee column's sum, or the fee table's lines."""
    ctx = job.ctx
    fees = ctx.policy.fees
    column = column or fees.column
    if column:
        mask = ctx.measured_rows(window)
        return ctx.sum_by_collector(ctx.frame[column].to_numpy()[mask], f"{column} in {window}", mask)
    problems = ProblemCollector()
    parts, _, _, _ = window_lines(ctx, fees.table, window, problems)
    problems.raise_if_any()
    if not parts:
        return np.zeros(ctx.n, dtype=np.int64)
    rows = np.concatenate([p.index.to_numpy() for p in parts])
    fee = np.concatenate([p["amount"].to_numpy() for p in parts])
    return ctx.sum_by_collector(fee, f"fees in {window}", rows)


def _count(ctx, name: str, label: str, window: Period) -> np.ndarray:
    """A count per collector, as exact integers (see the module's docstring)."""
    mask = ctx.measured_rows(window).copy()
    amounts = ctx.frame["amount"].to_numpy()
    if name == "promises_kept":
        counted = mask & ctx.frame[flag_column(name)].to_numpy() & (amounts > 0)
        return np.bincount(ctx.collector_of_row[counted], minlength=ctx.n).astype(np.int64)
    if label:
        classifier = next(c for c in ctx.policy.classifiers if label in c.labels)
        mask &= ctx.classes[classifier.name] == classifier.labels.index(label)
    if "account_key" not in ctx.frame:
        raise InputError([Problem("", "", f"{name} counts accounts: load the ledger with account codes "
                                  "(load_ledger(..., account_codes=True))", role="ledger")])
    accounts = ctx.frame["account_key"].to_numpy()
    pairs = ctx.collector_of_row[mask].astype(np.int64) * (int(accounts.max(initial=0)) + 1) + accounts[mask]
    unique, group = np.unique(pairs, return_inverse=True)
    if name == "accounts_paying":  # net of reversals, per account
        net = sum_by(amounts[mask], group, len(unique), what=f"repayments per account in {window}",
                     minor_units=ctx.policy.minor_units)
        counted = net > 0
    else:
        marked = ctx.frame[flag_column(name)].to_numpy()[mask] & (amounts[mask] > 0)
        counted = np.bincount(group[marked], minlength=len(unique)) > 0
    who = unique[counted] // (int(accounts.max(initial=0)) + 1)
    return np.bincount(who, minlength=ctx.n).astype(np.int64)
