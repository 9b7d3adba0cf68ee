"""Behavioural what-if: recovery that responds to the change in marginal pay (an ASSUMPTION, shown beside
the static result, never instead of it).

For each collector and month, the effective marginal rate of a plan is the slope of its payout curve
(extra pay per extra unit recovered, over the grid step holding the collector's recovery that month,
whole-tier jumps included). With elasticity E, the collector's recovery that month is scaled by

    factor = 1 + E x (marginal rate under the plan - marginal rate under the baseline)

(E = 2: two percent more recovery per percentage point of marginal rate; never below zero), and the plan
is simulated again on that ledger. Every payment is scaled by its collector-month's factor, exactly in
integer parts per million (half-up); a reversal by its original payment's factor, rounded toward zero,
so a payment reversed in parts is never reversed by more than it paid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Sequence

import numpy as np
import pandas as pd

from ..engine.reversals import find_originals
from ..money import apply_rate, apply_ratio
from ..periods import Period
from .curves import Curves, slopes
from .replay import Candidate, History, PlanRun, run_plan

PPM = 1_000_000


@dataclass(frozen=True, eq=False)
class Behavioural:
    """A plan's static run and its run with recovery scaled by the assumed response."""

    elasticity: Fraction
    static: PlanRun
    scaled: PlanRun
    mean_factor_ppm: int  # the recovery-weighted mean factor, parts per million (display)


def factors_ppm(curves: Curves, baseline: str, plan: str, elasticity: Fraction) -> tuple[np.ndarray, np.ndarray]:
    """(grid levels, factor per grid step in parts per million) for `plan` against `baseline`."""
    levels, base_pay, steps = slopes(curves.points, baseline)
    _, plan_pay, _ = slopes(curves.points, plan)
    # factor - 1 = E x (plan_pay - base_pay) / (3 x step): pay differences are per quarter, levels per month
    change = apply_ratio(plan_pay - base_pay, np.full(len(steps), elasticity.numerator * PPM, dtype=np.int64),
                         3 * steps * elasticity.denominator)
    return levels, np.maximum(PPM + change, 0)


def scaled_history(history: History, months: Sequence[Period], recovered: pd.DataFrame, levels: np.ndarray,
                   factor: np.ndarray) -> History:
    """The history with every payment in `months` scaled by its collector-month's factor.

    `recovered`: month, collector_id, recovered (from the static run) selects each collector-month's
    grid step (recovery below the grid uses the first step, above it the last).
    """
    ledger = history.ledger
    month_names = [str(m) for m in months]
    categories = ledger["collector_id"].cat.categories
    table = np.full((len(months), len(categories)), PPM, dtype=np.int64)
    step = np.clip(np.searchsorted(levels, recovered["recovered"].to_numpy(), side="right") - 1, 0, len(factor) - 1)
    month_index = pd.Index(month_names).get_indexer(recovered["month"])
    collector_index = categories.get_indexer(recovered["collector_id"])
    known = (month_index >= 0) & (collector_index >= 0)
    table[month_index[known], collector_index[known]] = factor[step[known]]
    dates = ledger["payment_date"].to_numpy()
    row_month = np.full(len(ledger), -1, dtype=np.int64)
    for index, month in enumerate(months):  # a loop over months, not rows
        lo = np.searchsorted(dates, np.datetime64(month.start), side="left")
        hi = np.searchsorted(dates, np.datetime64(month.end) + np.timedelta64(1, "D"), side="left")
        row_month[lo:hi] = index
    codes = ledger["collector_id"].cat.codes.to_numpy()
    row_ppm = np.where(row_month >= 0, table[np.maximum(row_month, 0), codes], PPM)
    amounts = ledger["amount"].to_numpy()
    scaled = apply_rate(amounts, row_ppm, PPM)
    if "reverses" in ledger:
        reversal = np.flatnonzero((ledger["reverses"] != "").to_numpy())
        if len(reversal):
            original = find_originals(ledger, ledger.iloc[reversal])
            ppm = np.where(original >= 0, row_ppm[np.maximum(original, 0)], row_ppm[reversal])
            scaled[reversal] = -((np.abs(amounts[reversal]) * ppm) // PPM)
    return replace(history, ledger=ledger.assign(amount=scaled))


def behavioural_run(candidate: Candidate, static: PlanRun, baseline: str, curves: Curves, history: History,
                    months: Sequence[Period], elasticity: Fraction, recovered: pd.DataFrame) -> Behavioural:
    """The candidate simulated on recovery scaled by the assumed response to its marginal rate."""
    if candidate.label == baseline or elasticity == 0:
        return Behavioural(elasticity, static, static, PPM)
    levels, factor = factors_ppm(curves, baseline, candidate.label, elasticity)
    scaled = scaled_history(history, months, recovered, levels, factor)
    run = run_plan(candidate, scaled, months)
    before = int(static.payouts["recovered"].sum())
    after = int(run.payouts["recovered"].sum())
    mean = int(apply_ratio(np.array([after]), np.array([PPM]), np.array([before]))[0]) if before else PPM
    return Behavioural(elasticity, static, run, mean)
