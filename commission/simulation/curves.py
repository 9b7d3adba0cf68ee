"""Payout curves: what a plan pays a collector as a function of what the collector recovers.

The curve is drawn for a synthetic "typical" collector who recovers R in every month of a quarter
with the population's payment mix: the simulated ledger's payments are grouped into cells that
every candidate classifies alike (the intersection of all plans' buckets and bands, and the rate
keys such as product); R is split over the cells in proportion to the population's recovery in
each (exactly, largest remainder), and each cell's share is paid as payments of the cell's median
size, so per-payment caps and minimums act as they do on real payments. The collector has the
population's median monthly target and assigned balance, no compliance or QA events, is employed
throughout, and leads no team (overrides are left out).

The value plotted is pay per month, averaged over the quarter: the three months' net payouts plus
whatever a holdback still withholds at the end, divided by 3, so monthly and quarterly components
both show (yearly ones do not). Jumps at whole-tier boundaries, gates and bonus steps are located
exactly: the grid holds each boundary and the minor unit just below it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ..engine import SideInputs
from ..engine.classify import classify
from ..engine.rules import rule_kind
from ..money import format_minor
from ..periods import Period
from ..policy import Policy
from ..policy.measures import COUNT, component_of, measure_of, money_column, unit
from .compare import nearest_rank
from .replay import Candidate, History, everyone
from .scenarios import run_scenario

#: About this many uniform grid steps between 0 and the top of the curve (twice the 90th percentile of
#: monthly recovery, or past the last boundary; the step is a round number).
GRID_STEPS = 60
EVENT_COLUMNS = {"event_id": "str", "collector_id": "str", "date": "datetime64[s]", "type": "str",
                 "severity": "str", "score": np.int64, "source": "str", "description": "str", "file": "str",
                 "row": np.int64}


@dataclass(frozen=True, eq=False)
class Basket:
    """The population's payment mix: one row per cell with its recovered total (`weight`), the median
    payment size (`typical`) and a representative value of each classified field and rate key."""

    cells: pd.DataFrame
    fields: tuple[str, ...]
    keys: tuple[str, ...]


def lower_median(values: pd.Series, groups: np.ndarray) -> np.ndarray:
    """Per group (0..k-1, every one present), the lower median: an actual int64 value of the group, the
    ((n - 1) // 2)-th smallest of its n values. Integer arithmetic only: values are sorted within their
    group and picked by position, never averaged or passed through a float."""
    numbers = np.asarray(values, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    counts = np.bincount(groups)
    pick = np.cumsum(counts) - counts + (counts - 1) // 2
    if not len(numbers):
        return numbers
    low = int(numbers.min())
    span = int(numbers.max()) - low + 1
    if len(counts) * span < 2**62:  # one int64 key per row, (group, value) in order: a single fast sort
        keys = np.sort(groups * span + (numbers - low))
        return keys[pick] - np.arange(len(counts), dtype=np.int64) * span + low
    return numbers[np.lexsort((numbers, groups))][pick]


def population_basket(history: History, months: Sequence[Period], policies: Sequence[Policy]) -> Optional[Basket]:
    """Cells of the simulated months' payments (reversals left out) that every plan classifies alike."""
    rows = history.rows_between(months[0].start, months[-1].end)
    if "reverses" in rows:
        rows = rows.loc[(rows["reverses"] == "").to_numpy()]
    rows = rows.loc[(rows["amount"] > 0).to_numpy()]
    if not len(rows):
        return None
    codes, sizes, fields, keys = [], [], {}, {}
    for policy in policies:
        for classifier in policy.classifiers:
            codes.append(classify(rows[classifier.field].to_numpy(), classifier).astype(np.int64) + 1)
            sizes.append(len(classifier.labels) + 1)
            fields[classifier.field] = None
        for column in policy.ledger_columns():
            keys[column] = None
    for column in keys:
        column_codes, uniques = pd.factorize(rows[column], sort=True)
        codes.append(column_codes.astype(np.int64))
        sizes.append(max(len(uniques), 1))
    cell = np.zeros(len(rows), dtype=np.int64)
    for part, size in zip(codes, sizes):
        cell = cell * size + part
    uniques, group = np.unique(cell, return_inverse=True)
    amounts = rows["amount"]
    weight = np.zeros(len(uniques), dtype=np.int64)
    np.add.at(weight, group, amounts.to_numpy())
    cells = pd.DataFrame({"weight": weight, "typical": np.maximum(lower_median(amounts, group), 1)})
    for name in fields:
        if name != "amount":
            cells[name] = lower_median(rows[name], group)
    first = np.unique(group, return_index=True)[1]
    for column in keys:
        cells[column] = rows[column].to_numpy()[first]
    return Basket(cells=cells, fields=tuple(f for f in fields if f != "amount"), keys=tuple(keys))


def split_exactly(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each total split over the cells in proportion to `weights`, parts adding up to the total exactly
    (largest remainder; ties to the first cell). Returns totals x cells, int64."""
    whole = int(weights.sum())
    exact = np.outer(totals.astype(object), weights.astype(object))  # Python ints: no overflow
    parts = (exact // whole).astype(np.int64)
    # each remainder is below `whole`, itself an int64 total: exact as int64, compared without a float
    remainder = (exact % whole).astype(np.int64)
    leftover = totals - parts.sum(axis=1)
    order = np.argsort(-remainder, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(weights.size)[None, :].repeat(len(totals), axis=0), axis=1)
    return parts + (rank < leftover[:, None])


def synthetic_ledger(basket: Basket, recovered: np.ndarray, months: Sequence[Period]) -> pd.DataFrame:
    """A ledger of one synthetic collector per recovery level (collector k recovers recovered[k] in each month)."""
    cells = basket.cells
    shares = split_exactly(recovered, cells["weight"].to_numpy())  # levels x cells
    typical = cells["typical"].to_numpy()
    counts = np.where(shares > 0, -(-shares // typical[None, :]), 0)
    flat_shares, flat_counts = shares.ravel(), counts.ravel()
    level = np.repeat(np.repeat(np.arange(len(recovered)), len(cells)), flat_counts)
    cell = np.repeat(np.tile(np.arange(len(cells)), len(recovered)), flat_counts)
    starts = np.cumsum(flat_counts) - flat_counts
    position = np.arange(int(flat_counts.sum())) - np.repeat(starts, flat_counts)
    base = np.repeat(flat_shares // np.maximum(flat_counts, 1), flat_counts)
    extra = np.repeat(flat_shares % np.maximum(flat_counts, 1), flat_counts)
    amount = base + (position < extra)
    n = len(amount)
    parts = []
    width = len(str(max(len(recovered) - 1, 0)))
    labels = [f"R{k:0{width}d}" for k in range(len(recovered))]  # one per level, not per row
    for index, month in enumerate(months):
        day = np.datetime64(month.start) + (position % 28).astype("timedelta64[D]")
        frame = pd.DataFrame({
            "payment_id": pd.Series(np.arange(n) + index * n, dtype=np.int64).astype("str").str.zfill(12),
            "collector_id": pd.Categorical.from_codes(level.astype(np.int32), categories=pd.Index(labels, dtype="str")),
            "account": "****0000", "payment_date": day.astype("datetime64[s]"), "amount": amount.astype(np.int64),
        })
        for name in basket.fields:
            frame[name] = cells[name].to_numpy()[cell]
        if "days_past_due" not in frame:
            frame["days_past_due"] = np.int64(1)
        if "balance" not in frame:
            frame["balance"] = amount.astype(np.int64)
        for name in basket.keys:
            frame[name] = cells[name].to_numpy()[cell]
        parts.append(frame)
    ledger = pd.concat(parts, ignore_index=True)
    ledger["source"] = pd.Categorical.from_codes(np.zeros(len(ledger), dtype=np.int8), categories=["payout curve"])
    ledger["row"] = np.arange(len(ledger), dtype=np.int64)
    return ledger


def curve_policy(policy: Policy) -> Policy:
    """The plan as it pays a collector who leads no team: rules that pay on a team's results left out, and
    rules a synthetic ledger (amounts, classes, rate keys) cannot feed: a line rate on a ledger column or a
    fee column, a measure of a ledger column, a count (accounts, promises), or of a component left out."""
    kept: list = []
    for component in policy.components:
        if not rule_kind(component.kind).team and _synthetic_can_pay(policy, component, {c.id for c in kept}):
            kept.append(component)
    kept = tuple(kept)
    ids = {c.id for c in kept}
    adjustments = tuple(replace(a, applies_to=tuple(t for t in a.applies_to if t in ids)) for a in policy.adjustments)
    return replace(policy, components=kept, adjustments=adjustments)


def _synthetic_can_pay(policy: Policy, component, kept: set) -> bool:
    fee_column = bool(policy.fees and policy.fees.column)
    base = getattr(component, "base", "amount")
    if component.kind == "line_rate":
        return base == "amount" or (base == "fee" and not fee_column)
    if component.kind not in ("tiers", "bonus"):
        return True
    measure = measure_of(component)
    if unit(measure) == COUNT or money_column(measure) or (measure == "fees" and fee_column):
        return False
    return component_of(measure) is None or component_of(measure) in kept


def boundaries(policy: Policy, target: int) -> list[int]:
    """Monthly recovery levels where the plan's pay may jump (each kind says where it may: tier edges,
    gates, bonus steps on recovery or attainment), for a collector with this monthly target."""
    return [point for rule in (*policy.components, *policy.adjustments)
            for point in rule_kind(rule.kind).kinks(rule, policy, target)]


def nice_step(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 x 10^k (in minor units) at or above `value`."""
    value = max(int(value), 1)
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for factor in (Fraction(1), Fraction(2), Fraction(5, 2), Fraction(5), Fraction(10)):
        step = factor * magnitude
        if step >= value and step.denominator == 1:
            return int(step)
    return magnitude * 10


@dataclass(frozen=True, eq=False)
class Curves:
    """points: plan, recovered (per month, minor units), pay (per quarter, exact), regular (on the uniform
    grid); jumps: plan, recovered, before, after (per quarter) where pay jumps at a boundary."""

    points: pd.DataFrame
    jumps: pd.DataFrame
    quarter: Period
    target: int
    assigned: int
    step: int
    notes: tuple[str, ...] = ()
    mix: tuple[tuple[str, int], ...] = ()  # (overdue bucket, recovered in it) of the payments the curve mixes


def bucket_mix(basket: Basket, policies: Sequence[Policy]) -> tuple[tuple[str, int], ...]:
    """The population's recovery by overdue bucket (of the first plan that has buckets), as the curve mixes
    it: every cell lies in one bucket of every plan, so each cell's weight goes to the bucket of its
    representative days past due."""
    ages = next((c for p in policies for c in p.classifiers if c.field == "days_past_due"), None)
    if ages is None or "days_past_due" not in basket.cells:
        return ()
    codes = classify(basket.cells["days_past_due"].to_numpy(), ages)
    weights = basket.cells["weight"].to_numpy(dtype=np.int64)
    return tuple((label, int(weights[codes == k].sum())) for k, label in enumerate(ages.labels)
                 if (codes == k).any())


def median_month_value(table: Optional[pd.DataFrame], column: str, months: Sequence[Period]) -> int:
    """The lower median of the monthly values given for the simulated months (0 when there are none)."""
    if table is None or not len(table):
        return 0
    wanted = table.loc[table["period"].isin([str(m) for m in months]), column]
    if not len(wanted):
        wanted = table.loc[table["period"].str.len() == 7, column]
    values = np.sort(wanted.to_numpy(dtype=np.int64))
    return int(values[(len(values) - 1) // 2]) if len(values) else 0


def payout_curves(candidates: Sequence[Candidate], history: History, months: Sequence[Period],
                  recovered: np.ndarray) -> Optional[Curves]:
    """Every candidate's curve on one grid; `recovered` is the population's recovery per collector-month
    (it sets how far the curve runs: about twice the 90th percentile, and past every boundary)."""
    policies = [c.policy for c in candidates]
    basket = population_basket(history, months, policies)
    if basket is None:
        return None
    quarter = months[0].enclosing("quarterly")
    target = median_month_value(history.side.targets, "target", months)
    assigned = median_month_value(history.side.assignments, "assigned_balance", months)
    positive = np.sort(recovered[recovered > 0])
    p90 = nearest_rank(positive, 90) if len(positive) else 10**history.minor_units
    edges = sorted({b for p in policies for b in boundaries(p, target)})
    step = nice_step(-(-2 * p90 // GRID_STEPS))
    top = max(2 * p90, edges[-1] * 5 // 4 if edges else 0)
    steps = int(min(max(-(-top // step), GRID_STEPS // 2), 2 * GRID_STEPS))
    regular = np.arange(steps + 1, dtype=np.int64) * step
    extra = np.array(sorted({v for e in edges for v in (e - 1, e) if 0 < v < regular[-1]} - set(regular.tolist())),
                     dtype=np.int64)
    levels = np.concatenate([regular, extra])
    order = np.argsort(levels, kind="stable")
    levels, is_regular = levels[order], np.r_[np.ones(len(regular), bool), np.zeros(len(extra), bool)][order]
    ledger = synthetic_ledger(basket, levels, quarter.months())
    collectors = ledger["collector_id"].cat.categories
    side = SideInputs(
        targets=_per_collector(collectors, quarter, "target", target),
        assignments=_per_collector(collectors, quarter, "assigned_balance", assigned),
        events=pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in EVENT_COLUMNS.items()}))
    synthetic = History(ledger=ledger, roster=None, side=side, currency=history.currency,
                        minor_units=history.minor_units)
    frames, jumps = [], []
    for candidate in candidates:
        run, _ = run_scenario(everyone(Candidate(candidate.label, curve_policy(candidate.policy))), synthetic,
                              quarter.months())
        paid = run.payouts.groupby("collector_id", observed=True)["net_payout"].sum()
        withheld = run.withheld_by_collector()
        pay = (paid.reindex(collectors, fill_value=0) + withheld.reindex(collectors, fill_value=0)).to_numpy(
            dtype=np.int64)
        frames.append(pd.DataFrame({"plan": candidate.label, "recovered": levels, "pay": pay,
                                    "regular": is_regular}))
        below = {int(v): int(p) for v, p in zip(levels, pay)}
        for edge in edges:
            if edge - 1 in below and edge in below and abs(below[edge] - below[edge - 1]) > 3 * 10**history.minor_units:
                jumps.append({"plan": candidate.label, "recovered": edge, "before": below[edge - 1],
                              "after": below[edge]})
    notes = [f"a collector who recovers R in each month of {quarter}, with the population's mix of buckets, "
             f"bands and payment sizes; median monthly target {format_minor(target, history.minor_units)}, "
             f"median assigned balance {format_minor(assigned, history.minor_units)}; no complaints, violations "
             "or QA scores; overrides, yearly components and components on other ledger columns or counts left out"]
    return Curves(points=pd.concat(frames, ignore_index=True),
                  jumps=pd.DataFrame(jumps, columns=["plan", "recovered", "before", "after"]),
                  quarter=quarter, target=target, assigned=assigned, step=int(step), notes=tuple(notes),
                  mix=bucket_mix(basket, policies))


def _per_collector(collectors, quarter: Period, column: str, value: int) -> pd.DataFrame:
    months = [str(m) for m in quarter.months()]
    ids = np.repeat(np.asarray(collectors, dtype=object), len(months))
    return pd.DataFrame({"collector_id": pd.Series(ids, dtype="str"),
                         "period": pd.Series(np.tile(np.asarray(months, dtype=object), len(collectors)), dtype="str"),
                         column: np.full(len(ids), value, dtype=np.int64)})


def monthly_pay_exact(pay_per_quarter: int, minor_units: int) -> Decimal:
    """The quarter's pay / 3, rounded half-up to the minor unit, for tables."""
    whole, rest = divmod(abs(int(pay_per_quarter)), 3)
    whole += 2 * rest >= 3
    return Decimal(whole if pay_per_quarter >= 0 else -whole).scaleb(-minor_units)


def slopes(points: pd.DataFrame, plan: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(levels, pay differences per quarter, level differences) between consecutive regular grid points."""
    mine = points.loc[(points["plan"] == plan) & points["regular"]].sort_values("recovered")
    levels = mine["recovered"].to_numpy(dtype=np.int64)
    pay = mine["pay"].to_numpy(dtype=np.int64)
    return levels, np.diff(pay), np.diff(levels)
