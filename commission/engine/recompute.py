"""reversals: {earlier_periods: recompute}: a reversal takes back what its payment made an earlier run pay,
after that run's adjustments, not only the payment's line commission.

Under this setting a reversal counts in the period of the payment it reverses:

- the kinds that measure recovery (registry flag `measures_recovery`: tiers, bonuses, gates, multipliers,
  raises, benefits) count it in the window of its payment (`measuring_view`), so it lowers no later
  window's recovery;
- its line commission is clawed back at the line as always, but as an item of its payment's window that
  this run's adjustments do not act on (rules.line_rate);
- each earlier run whose pay a reversal booked in this run's period changes (the run that paid a window
  holding the reversed payment) is computed twice, under the plan version in force on its last day, as
  that run paid it: counting the reversals booked before this period, and counting those booked up to its
  end (each dated on its payment's day). Every item but line commission (clawed back at the line) is
  compared, tiers and bonuses as well as gates, caps, floors, multipliers and compliance rules, and each
  difference is booked now, after this run's adjustments (which measure this run's own pay), as an item
  `<rule>:recomputed` naming the earlier window.

So the line claw-back and the recomputed items add up to exactly what the earlier run would have paid
less (or more), after its adjustments, had the payments never been made; each reversal is accounted once,
in the run of the period it is booked in. Holdbacks are not recomputed: what a holdback withheld counts
as paid (it is released later). Raises and benefits in kind pay no money. An override on the team's
commission is recomputed with it; one on the team's recovery measures the ledger as booked, so its earlier
pay does not change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector
from ..periods import CADENCES, Period
from ..policy import Policy, plan_in_force
from .balances import Balances
from .book import ItemBook
from .classify import classify_frame
from .context import RunContext
from .reversals import find_originals
from .rules import Booking, book_rules, rule_kind

#: The items compared between an earlier run as paid and as recomputed: one per these keys.
_KEYS = ["collector_id", "component", "kind", "rule", "applies_to", "window", "pay_code", "event"]


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


def book_recomputed(job: Booking) -> list[str]:
    """Book, after this run's adjustments, what each earlier run pays differently once the reversals
    booked in this run's period count with their payments. Returns warnings."""
    ctx = job.ctx
    paid_on = reversed_dates(ctx.history, ctx.frame)
    now = ctx.rows_in(ctx.period) & (paid_on < np.datetime64(ctx.period.start))
    if not now.any():
        return []
    affected = set(np.asarray(ctx.collectors, dtype=object)[np.unique(ctx.collector_of_row[now])])
    items = job.book.frame()
    clawed = items.loc[(items["kind"] == "line_rate") & (items["window"] != str(ctx.period))]
    ends = clawed["window"].map(lambda text: Period.parse(text).end)  # a few windows: one parse per item
    history = ctx.history
    booked = history["payment_date"].to_numpy().astype("datetime64[D]")
    payments_on = reversed_dates(history, history)
    counted_on = np.where(np.isnat(payments_on), booked, payments_on)  # each reversal on its payment's day
    warnings = []
    for run in _earlier_runs(ctx.period, np.unique(paid_on[now]).astype(object)):
        policy = _version(ctx, run)
        # a team kind pays on others' results: then every collector's rows, so a lead's limits see their pay
        rows = (booked, counted_on, None if any(rule_kind(c.kind).team for c in policy.components) else affected)
        warnings.extend(_book_run(job, policy, run, rows, clawed.loc[(ends >= run.start) & (ends <= run.end)]))
    return warnings


def _earlier_runs(period: Period, days) -> list[Period]:
    """The runs before `period` (of its kind) that paid a window, of any cadence, holding one of `days`."""
    runs = set()
    kind = next(c for c in CADENCES if period.enclosing(c) == period)  # monthly runs, or quarterly ones...
    for day in days:
        for cadence in CADENCES:
            window = Period.of_month(day.year, day.month, cadence)
            run = Period.of_month(window.end.year, window.end.month, kind)
            if run.end < period.start:
                runs.add(run)
    return sorted(runs, key=lambda p: p.start)


def _version(ctx: RunContext, run: Period) -> Policy:
    """The version of the plan in force on the earlier run's last day, or a one-line error naming both."""
    plan = ctx.policy.plan
    policy = plan_in_force(ctx.versions or (ctx.policy,), plan, run.end)
    if policy is None:
        raise InputError([Problem("", "", f"the reversals booked in {ctx.period} change what {run} paid (reversals: "
                                  f"earlier_periods: recompute), and no version of plan {plan} in force on "
                                  f"{run.end} was given: give that version too, so {run} is recomputed as it was "
                                  "paid", role="period")])
    return policy


def _book_run(job: Booking, policy: Policy, run: Period, rows: tuple, clawed: pd.DataFrame) -> list[str]:
    """Recompute the earlier `run` (under `policy`) before and after the reversals booked in this run's
    period, and book the differences, less what this run clawed back at the line for the windows it paid
    (`clawed`, the line-rate items of those windows): nothing, unless the earlier version's rates or a
    rounding at the component made the line's claw-back differ from the earlier run's."""
    ctx = job.ctx
    before = _items(ctx, policy, run, ctx.period.start - timedelta(days=1), rows)
    after = _items(ctx, policy, run, ctx.period.end, rows)
    change = pd.concat([after, *(frame.assign(amount=-frame["amount"], base=-frame["base"])
                                 for frame in (before, clawed))], ignore_index=True)
    # after's rows come first, so a rule's rate text is as recomputed (sums stay int64: exact)
    change = change.groupby(_KEYS, sort=False).agg(rate=("rate", "first"), base=("base", "sum"),
                                                   amount=("amount", "sum")).reset_index()
    change = change.loc[change["amount"] != 0]
    _check_pay_codes(ctx, policy, run, change)
    positions = pd.Index(ctx.collectors).get_indexer(change["collector_id"])
    for component in dict.fromkeys(change["component"]):
        mine = (change["component"] == component).to_numpy()
        rows = change.loc[mine]
        job.book.add(positions[mine], component=component, kind=rows["kind"].to_numpy(dtype=object),
                     rule=(rows["rule"] + ":recomputed").to_numpy(dtype=object),
                     applies_to=rows["applies_to"].to_numpy(dtype=object), base=rows["base"].to_numpy(),
                     rate=rows["rate"].to_numpy(dtype=object), amount=rows["amount"].to_numpy(),
                     pay_code=rows["pay_code"].to_numpy(dtype=object), window=rows["window"].to_numpy(dtype=object),
                     event=rows["event"].to_numpy(dtype=object), counts_toward=f"{component}:recomputed")
    first_day = _first_day(policy, run)
    first = ctx.history["payment_date"].min()
    if len(ctx.history) and first.date() > Period.of_month(first_day.year, first_day.month).end:
        return [f"recomputing {run} (reversals: earlier_periods: recompute) needs the ledgers of all the windows "
                f"it paid ({first_day} to {run.end}), but the ledgers start on {first.date()}: give them, or the "
                "difference booked is wrong"]
    return []


def _check_pay_codes(ctx: RunContext, policy: Policy, run: Period, change: pd.DataFrame) -> None:
    """A difference is paid under its earlier pay code, which this run's version must still have."""
    missing = sorted(set(change["pay_code"]) - set(ctx.policy.pay_codes))
    if missing:
        raise InputError([Problem("", "", f"recomputing {run} (reversals: earlier_periods: recompute): plan "
                                  f"{policy.plan} version {policy.version} paid it under pay code "
                                  f"{', '.join(missing)}, which version {ctx.policy.version} has not, so a "
                                  "difference booked now would be in no payroll column", role="period")])


def _first_day(policy: Policy, run: Period):
    """The first day of the widest window the earlier run paid."""
    return min([run.start] + [run.enclosing(c.pays).start for c in policy.components if run.pays(c.pays)])


def _items(ctx: RunContext, policy: Policy, run: Period, cutoff, rows: tuple) -> pd.DataFrame:
    """The items the earlier `run` books under `policy`, counting the reversals booked up to `cutoff`
    with their payments; holdbacks aside (what they hold counts as paid), and awards aside."""
    sub = _context(ctx, policy, run, cutoff, rows)
    rules = [c for c in policy.components if run.pays(c.pays) and not rule_kind(c.kind).awards]
    job = Booking(sub, ItemBook(sub.collectors, policy.minor_units), Balances(sub), tuple(rules))
    try:
        book_rules(job, (*rules, *(a for a in policy.adjustments if a.kind != "holdback")))
        job.problems.raise_if_any()
    except InputError as exc:
        raise InputError([*exc.problems, Problem(
            "", "", f"while recomputing {run} (plan {policy.plan} version {policy.version}), for the reversals "
            f"booked in {ctx.period} of its payments (reversals: earlier_periods: recompute): give the inputs of "
            f"{run} as well", role="period")]) from None
    return job.book.frame()


def _context(ctx: RunContext, policy: Policy, run: Period, cutoff, rows: tuple) -> RunContext:
    """The earlier `run` as it would be paid knowing the reversals booked up to `cutoff`: the rows of the
    windows it paid, each reversal dated on its payment's day (so it counts in that payment's windows, and
    only there). `rows`: each history row's day booked and day it counts on, and the collectors whose rows
    are read (None: all). Same collectors, in the same positions, as `ctx`: the others have no rows, so
    they book the same before and after."""
    history = ctx.history
    booked, counted_on, affected = rows
    keep = (booked <= np.datetime64(cutoff)) & (counted_on >= np.datetime64(_first_day(policy, run))) \
        & (counted_on <= np.datetime64(run.end))
    if affected is not None:
        keep &= history["collector_id"].isin(affected).to_numpy()
    frame = history.loc[keep].reset_index(drop=True)
    frame["payment_date"] = pd.Series(counted_on[keep]).astype(history["payment_date"].dtype)
    is_reversal = (frame["reverses"] != "").to_numpy() if "reverses" in frame else np.zeros(len(frame), bool)
    problems = ProblemCollector()
    classes = classify_frame(frame, policy.classifiers, problems, skip=is_reversal)
    problems.raise_if_any()
    collector_of_row = pd.Index(ctx.collectors).get_indexer(frame["collector_id"].to_numpy(dtype=object))
    return RunContext(policy=policy, period=run, frame=frame, collectors=ctx.collectors,
                      collector_of_row=collector_of_row.astype(np.int64), classes=classes, history=history,
                      is_reversal=is_reversal, roster=ctx.roster, versions=ctx.versions,
                      side=replace(ctx.side, state=None, state_period=None))
