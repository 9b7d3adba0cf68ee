"""reversals: {earlier_periods: recompute}: a reversal takes back what its payment helped a tier or a bonus
pay in an earlier window, not only the payment's line commission.

Under this setting, every rule that measures recovery (its kind says `measures_recovery`: tiers, bonuses,
gates, multipliers, raises, benefits) counts a reversal in the window of the payment it reverses. So a
reversal booked in October of a September payment does not lower October's recovery as tiers and bonuses
measure it (it still lowers the payout's `recovered`, which is the period's ledger, and is clawed back
at the line as always). Instead, in the run that pays a component of such a kind, each earlier window
whose payments were reversed in the component's current window is computed twice, as the plan pays it:

- before: the earlier window's payments, net of their reversals booked before the current window (what
  the runs so far paid for it);
- after: net of their reversals booked up to the end of this run's period;

and the difference, per collector and rule, is booked now: an item of the component, rule
`<rule>:recomputed`, window the earlier period. The adjustments of this run (gates, caps, multipliers,
compliance, holdbacks) then act on it like on the rest of the component's pay; the adjustments of the
earlier period are not recomputed. Raises and benefits in kind, which pay no money, are not recomputed.

The earlier windows are recomputed from the ledgers given to this run (the history), under this run's
plan version, with the side inputs given (targets for a September attainment bonus must include
September's). A run that does not hold the whole earlier window's ledger gets a warning.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector
from ..periods import Period
from ..policy.measures import component_of, measure_of
from .balances import Balances
from .book import ItemBook
from .classify import classify_frame
from .context import RunContext
from .reversals import find_originals
from .rules import Booking, rule_kind


def measuring_view(ctx: RunContext) -> RunContext:
    """The view of `ctx` for the kinds that measure recovery: reversals count with their payments."""
    return ctx.counting_reversals_with_their_payments(reversed_dates(ctx.history, ctx.frame))


def reversed_dates(history: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Per row of `frame`: the date of the payment (in `history`) a reversal reverses; NaT for any other
    row and for a reversal whose payment is not in the history."""
    dates = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]")
    if "reverses" not in frame:
        return dates
    reversal = (frame["reverses"] != "").to_numpy()
    if reversal.any():
        original = find_originals(history, frame.loc[reversal])
        found = original >= 0
        paid_on = history["payment_date"].to_numpy().astype("datetime64[D]")
        positions = np.flatnonzero(reversal)[found]
        dates[positions] = paid_on[original[found]]
    return dates


def book_recomputed(job: Booking, measuring: RunContext, paid) -> list[str]:
    """Book, for each component paid now whose kind measures recovery, the difference its earlier windows
    make once the reversals booked in its current window are taken out of them. Returns warnings."""
    ctx = job.ctx
    warnings = []
    recomputed = [c for c in paid if rule_kind(c.kind).measures_recovery and not rule_kind(c.kind).awards]
    for cadence in dict.fromkeys(c.pays for c in recomputed):
        components = [c for c in recomputed if c.pays == cadence]
        window = ctx.window(cadence)
        moved = ctx.rows_in(window) & (measuring.reversed_dates < np.datetime64(window.start))
        if not moved.any():
            continue
        days = np.unique(measuring.reversed_dates[moved]).astype("datetime64[D]").astype(object)
        earlier = sorted({Period.of_month(day.year, day.month, cadence) for day in days})
        for before_window in earlier:
            warnings.extend(_book_window(job, components, before_window, window))
    return warnings


def _book_window(job: Booking, components, earlier: Period, window: Period) -> list[str]:
    """Recompute `components` over the `earlier` window before and after the reversals booked in `window`,
    and book the differences now."""
    ctx = job.ctx
    before = _items(ctx, components, earlier, window.start - timedelta(days=1), window)
    after = _items(ctx, components, earlier, ctx.period.end, window)
    ids = [c.id for c in components]
    change = pd.concat([after.loc[after["component"].isin(ids)],
                        before.loc[before["component"].isin(ids)].assign(amount=lambda f: -f["amount"],
                                                                          base=lambda f: -f["base"])],
                       ignore_index=True)
    keys = ["collector_id", "component", "rule"]
    # after's rows come first, so a rule's kind and rate text are as recomputed (sums stay int64: exact)
    change = change.groupby(keys, sort=False).agg(kind=("kind", "first"), rate=("rate", "first"),
                                                  base=("base", "sum"), amount=("amount", "sum")).reset_index()
    change = change.loc[change["amount"] != 0]
    positions = pd.Index(ctx.collectors).get_indexer(change["collector_id"])
    for component in components:
        mine = (change["component"] == component.id).to_numpy()
        if not mine.any():
            continue
        rows = change.loc[mine]
        job.book.add(positions[mine], component=component.id, kind=rows["kind"].to_numpy(dtype=object),
                     rule=(rows["rule"] + ":recomputed").to_numpy(dtype=object), base=rows["base"].to_numpy(),
                     rate=rows["rate"].to_numpy(dtype=object), amount=rows["amount"].to_numpy(),
                     pay_code=component.pay_code, window=str(earlier))
    first = ctx.history["payment_date"].min()
    if len(ctx.history) and first.date() > earlier.months()[0].end:  # as the run's own coverage warning judges
        return [f"recomputing {', '.join(ids)} for {earlier} (reversals: earlier_periods: recompute) needs the "
                f"ledgers of the whole {earlier} ({earlier.start} to {earlier.end}), but the ledgers start on "
                f"{first.date()}: give them, or the difference booked is wrong"]
    return []


def _items(ctx: RunContext, components, earlier: Period, cutoff, window: Period) -> pd.DataFrame:
    """The items `components` book for the `earlier` window, counting the reversals of its payments booked
    up to `cutoff`, as a run for the month that ends `earlier` books them (with the components they are
    paid on, `of`)."""
    policy = ctx.policy
    period = Period(earlier.end.year, "month", earlier.end.month)
    wanted = {c.id for c in components} | {name for c in components for name in getattr(c, "of", ())} \
        | {component_of(measure_of(c) or "") for c in components} - {None}
    rules = [c for c in policy.components if c.id in wanted and period.pays(c.pays)]
    sub = _context(ctx, period, earlier, cutoff, min([period.enclosing(c.pays).start for c in rules]))
    measuring = measuring_view(sub)
    job = Booking(sub, ItemBook(sub.collectors, policy.minor_units), Balances(sub), tuple(rules))
    try:
        for rule in rules:
            kind = rule_kind(rule.kind)
            kind.book(Booking(measuring if kind.measures_recovery else sub, job.book, job.balances, job.paid,
                              job.problems), rule)
        job.problems.raise_if_any()
    except InputError as exc:
        raise InputError([*exc.problems, Problem(
            "", "", f"while recomputing {', '.join(c.id for c in components)} for {earlier}, for the reversals "
            f"booked in {window} of its payments (reversals: earlier_periods: recompute): give the inputs of "
            f"{earlier} as well", role="period")]) from None
    return job.book.frame()


def _context(ctx: RunContext, period: Period, earlier: Period, cutoff, first_day) -> RunContext:
    """A run for `period` over the history's rows from `first_day` to the end of `earlier`, with the
    reversals of the payments made in `earlier` booked after it, up to `cutoff`, dated on its last day
    (so they count in it). Same collectors, in the same positions, as `ctx`."""
    history = ctx.history
    dates = history["payment_date"].to_numpy().astype("datetime64[D]")
    paid_on = reversed_dates(history, history)
    mine = history["collector_id"].isin(set(ctx.collectors)).to_numpy()
    in_span = (dates >= np.datetime64(first_day)) & (dates <= np.datetime64(earlier.end))
    later = (dates > np.datetime64(earlier.end)) & (dates <= np.datetime64(cutoff)) \
        & (paid_on >= np.datetime64(earlier.start)) & (paid_on <= np.datetime64(earlier.end))
    keep = mine & (in_span | later)
    frame = history.loc[keep].copy()
    frame.loc[later[keep], "payment_date"] = pd.Timestamp(earlier.end)
    frame = frame.reset_index(drop=True)
    is_reversal = (frame["reverses"] != "").to_numpy() if "reverses" in frame else np.zeros(len(frame), bool)
    problems = ProblemCollector()
    classes = classify_frame(frame, ctx.policy.classifiers, problems, skip=is_reversal)
    problems.raise_if_any()
    collector_of_row = pd.Index(ctx.collectors).get_indexer(frame["collector_id"].to_numpy(dtype=object))
    return RunContext(policy=ctx.policy, period=period, frame=frame, collectors=ctx.collectors,
                      collector_of_row=collector_of_row.astype(np.int64), classes=classes, history=history,
                      is_reversal=is_reversal, roster=ctx.roster,
                      side=replace(ctx.side, state=None, state_period=None))
