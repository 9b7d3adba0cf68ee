"""Behavioural what-if: recovery that responds to the change in marginal pay (an ASSUMPTION, shown beside
the static result, never instead of it).

For each collector and month, the effective marginal rate of a plan is the slope of its payout curve
(extra pay per extra unit recovered, over the grid step holding the collector's recovery that month,
whole-tier jumps included). With elasticity E, the collector's recovery that month is scaled by

    factor = 1 + E x (marginal rate under the plan - marginal rate under the baseline)

(E = 2: two percent more recovery per percentage point of marginal rate; never below zero), and the plan
is simulated again on that ledger. Every payment is scaled by its collector-month's factor, exactly in
integer parts per million (half-up); a reversal by its original payment's factor, rounded toward zero,
so a payment reversed in parts is never reversed by more than it paid. Both through `money.apply_rate`,
so no product wraps past int64 whatever the amount.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Sequence

import numpy as np
import pandas as pd

from ..engine.reversals import find_originals
from ..money import DOWN, apply_rate, apply_ratio
from ..periods import Period
from .curves import Curves, slopes
from .replay import EVERYONE, History, PlanRun, Scenario
from .scenarios import run_scenario

PPM = 1_000_000


@dataclass(frozen=True, eq=False)
class Behavioural:
    """A plan's static run and its run with recovery scaled by the assumed response."""

    elasticity: Fraction
    static: PlanRun
    scaled: PlanRun
    mean_factor_ppm: int  # the recovery-weighted mean factor, parts per million (display)


def factors_ppm(curves: Curves, baseline: str, plan: str, elasticity: Fraction) -> tuple[np.ndarray, np.ndarray]:
    """(grid levels, factor per grid step in parts per million) for curve `plan` against curve `baseline`."""
    levels, base_pay, steps = slopes(curves.points, baseline)
    _, plan_pay, _ = slopes(curves.points, plan)
    # factor - 1 = E x (plan_pay - base_pay) / (3 x step): pay differences are per quarter, levels per month
    change = apply_ratio(plan_pay - base_pay, np.full(len(steps), elasticity.numerator * PPM, dtype=np.int64),
                         3 * steps * elasticity.denominator)
    return levels, np.maximum(PPM + change, 0)


def factor_table(curves: Curves, pairs: pd.DataFrame, months: Sequence[Period], recovered: pd.DataFrame,
                 categories: pd.Index, elasticity: Fraction) -> np.ndarray:
    """Months x collectors (`categories`) factors in parts per million.

    `pairs`: collector_id, base (the curve of the plan that pays the collector today), plan (the curve of
    the plan that would pay them); a collector whose two curves are the same, or who is not listed, keeps
    factor 1. `recovered`: month, collector_id, recovered (the static run) picks each collector-month's
    grid step (recovery below the grid uses the first step, above it the last)."""
    month_names = [str(m) for m in months]
    table = np.full((len(months), len(categories)), PPM, dtype=np.int64)
    month_index = pd.Index(month_names).get_indexer(recovered["month"])
    collector_index = categories.get_indexer(recovered["collector_id"])
    curve_of = pairs.set_index("collector_id")
    base = curve_of["base"].reindex(recovered["collector_id"]).to_numpy(dtype=object)
    plan = curve_of["plan"].reindex(recovered["collector_id"]).to_numpy(dtype=object)
    levels_of_recovery = recovered["recovered"].to_numpy()
    for (base_curve, plan_curve) in pairs[["base", "plan"]].drop_duplicates().itertuples(index=False):
        if base_curve == plan_curve:
            continue
        levels, factor = factors_ppm(curves, base_curve, plan_curve, elasticity)
        step = np.clip(np.searchsorted(levels, levels_of_recovery, side="right") - 1, 0, len(factor) - 1)
        rows = (month_index >= 0) & (collector_index >= 0) & (base == base_curve) & (plan == plan_curve)
        table[month_index[rows], collector_index[rows]] = factor[step[rows]]
    return table


def scaled_history(history: History, months: Sequence[Period], table: np.ndarray) -> History:
    """The history with every payment in `months` scaled by its collector-month's factor (`table`: months x
    the ledger's collector categories, parts per million); the rows as given (`source`) alike."""
    ledger = history.ledger
    dates = ledger["payment_date"].to_numpy()
    row_month = np.full(len(ledger), -1, dtype=np.int64)
    for index, month in enumerate(months):  # a loop over months, not rows
        lo = np.searchsorted(dates, np.datetime64(month.start), side="left")
        hi = np.searchsorted(dates, np.datetime64(month.end) + np.timedelta64(1, "D"), side="left")
        row_month[lo:hi] = index
    codes = ledger["collector_id"].cat.codes.to_numpy()
    row_ppm = np.where(row_month >= 0, table[np.maximum(row_month, 0), codes], PPM)
    reversal = np.flatnonzero((ledger["reverses"] != "").to_numpy()) if "reverses" in ledger else np.array([], int)
    if len(reversal):
        original = find_originals(ledger, ledger.iloc[reversal])
        reversal_ppm = np.where(original >= 0, row_ppm[np.maximum(original, 0)], row_ppm[reversal])

    def scaled(frame: pd.DataFrame) -> pd.DataFrame:
        amounts = frame["amount"].to_numpy()
        result = apply_rate(amounts, row_ppm, PPM)
        if len(reversal):
            result[reversal] = apply_rate(amounts[reversal], reversal_ppm, PPM, DOWN)
        return frame.assign(amount=result)

    source = history.source
    return replace(history, ledger=scaled(ledger), source=scaled(source) if source is not None else None)


def curve_pairs(sim_baseline: PlanRun, scenario: Scenario, curve_of: dict) -> pd.DataFrame:
    """collector_id, base, plan: the payout curve of each collector's plan in the baseline run and in
    `scenario` (`curve_of`: (scenario label, plan id) -> curve label)."""
    payouts = sim_baseline.payouts
    last = payouts.drop_duplicates("collector_id", keep="last")
    base = [curve_of.get((sim_baseline.label, plan), curve_of.get((sim_baseline.label, ""), ""))
            for plan in last["plan"]]
    if scenario.kind == EVERYONE:
        plan = [curve_of[(scenario.label, "")]] * len(last)
    else:  # a replacement pays the collectors on the plan it replaces; everyone else keeps their curve
        plan = [curve_of[(scenario.label, "")] if p == scenario.replaced else b for p, b in zip(last["plan"], base)]
    return pd.DataFrame({"collector_id": last["collector_id"].to_numpy(dtype=object), "base": base, "plan": plan})


def behavioural_run(scenario: Scenario, static: PlanRun, baseline: PlanRun, curves: Curves, curve_of: dict,
                    history: History, months: Sequence[Period], elasticity: Fraction, recovered: pd.DataFrame,
                    opening=None) -> Behavioural:
    """The scenario simulated on recovery scaled by the assumed response to its marginal rates."""
    if scenario.label == baseline.label or elasticity == 0:
        return Behavioural(elasticity, static, static, PPM)
    pairs = curve_pairs(baseline, scenario, curve_of)
    table = factor_table(curves, pairs, months, recovered, history.ledger["collector_id"].cat.categories, elasticity)
    scaled = scaled_history(history, months, table)
    run, _ = run_scenario(scenario, scaled, months, opening)
    before = int(static.payouts["recovered"].sum())
    after = int(run.payouts["recovered"].sum())
    mean = int(apply_ratio(np.array([after]), np.array([PPM]), np.array([before]))[0]) if before else PPM
    return Behavioural(elasticity, static, run, mean)
