"""The engine entry point: (policy, ledger rows, period[, roster]) -> RunResult. Pure: no files, no clock.

A run pays every component whose cadence ends with the period, each over its own window
(a quarterly component in a September run covers July-September), then applies the plan's
adjustments in the order written.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector
from ..periods import Period
from ..policy import LineRate, Policy, Threshold, Tiers
from .book import ItemBook
from .classify import classify_frame
from .context import RunContext
from .credit import credited_amounts
from .line_component import book_line_rate
from .period_rules import book_cap_floor, book_threshold, book_tiers
from .result import RunResult

ROSTER_FIELDS = ("name", "team", "employee_id")
LINE_KINDS = ("line_rate",)
TIER_KINDS = ("tier",)


def compute(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame] = None) -> RunResult:
    """Pay every component of `policy` whose cadence ends with `period`, from ledger rows in its window.

    `ledger` is a validated ledger frame (see `commission.inputs.Ledger`); `roster`, when given,
    is indexed by collector_id and adds collectors with no payments (floors still pay them).
    Raises InputError for problems the user can fix (plan not in force, no rows in the period,
    rows no bucket or rate rule covers).
    """
    _check_in_force(policy, period)
    if "credit_share" in ledger:
        ledger = ledger.assign(amount=credited_amounts(ledger))
    ctx = _context(policy, ledger, period, roster)
    book = ItemBook(ctx.collectors)
    problems = ProblemCollector()
    paid = [c for c in policy.components if period.pays(c.pays)]
    line_frames = []
    for component in paid:
        if isinstance(component, LineRate):
            lines = book_line_rate(ctx, component, book, problems)
            if lines is not None:
                line_frames.append(lines)
        elif isinstance(component, Tiers):
            book_tiers(ctx, component, book)
    problems.raise_if_any()
    for adjustment in policy.adjustments:
        targets = [c for c in paid if c.id in adjustment.applies_to]
        if not targets:
            continue
        if isinstance(adjustment, Threshold):
            book_threshold(ctx, adjustment, targets, book)
        else:
            book_cap_floor(ctx, adjustment, targets, book)

    items = book.frame()
    in_period = ctx.rows_in(period)
    counts = {"rows_read": int(len(ledger)), "rows_in_period": int(in_period.sum()),
              "rows_used": int(len(ctx.frame)), "rows_excluded": int(len(ledger) - len(ctx.frame)),
              "collectors": ctx.n}
    return RunResult(period=period, policy=policy, payouts=_payouts(ctx, items),
                     items=items, lines=pd.concat(line_frames, ignore_index=True) if line_frames else _no_lines(),
                     counts=counts, warnings=tuple(_coverage_warnings(ledger, paid, period)) + tuple(ctx.warnings))


def _check_in_force(policy: Policy, period: Period) -> None:
    """The plan version that applies is the one in force on the period's last day."""
    if policy.effective_from > period.end or (policy.effective_to is not None and policy.effective_to < period.end):
        until = f" until {policy.effective_to}" if policy.effective_to else ""
        raise InputError([Problem(f"{policy.source}:{policy.effective_line}", "effective",
                                  f"plan {policy.plan} version {policy.version} is in force from "
                                  f"{policy.effective_from}{until}, not on {period.end} (the last day of {period})")])


def _context(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame]) -> RunContext:
    """Keep the rows the run needs, classify them, and number the collectors it pays."""
    windows = [period.enclosing(c.pays) for c in policy.components if period.pays(c.pays)]
    earliest = min([w.start for w in windows] + [period.start])
    dates = ledger["payment_date"].to_numpy()
    in_run = (dates >= np.datetime64(earliest)) & (dates <= np.datetime64(period.end))
    frame = ledger if in_run.all() else ledger.loc[in_run].reset_index(drop=True)
    in_period = (frame["payment_date"].to_numpy() >= np.datetime64(period.start))
    if not in_period.any():
        covers = (f"the ledger covers {ledger['payment_date'].min().date()} to {ledger['payment_date'].max().date()}"
                  if len(ledger) else "the ledger has no rows")
        raise InputError([Problem("--period", "", f"no ledger rows fall in {period} ({period.start} to "
                                  f"{period.end}); {covers}")])
    problems = ProblemCollector()
    classes = classify_frame(frame, policy.classifiers, problems)
    problems.raise_if_any()
    ledger_ids = frame["collector_id"].cat.categories
    collectors = sorted(set(ledger_ids) | (set(roster.index) if roster is not None else set()))
    position = np.searchsorted(np.asarray(collectors, dtype=object), np.asarray(ledger_ids, dtype=object))
    collector_of_row = position.astype(np.int64)[frame["collector_id"].cat.codes.to_numpy()]
    is_reversal = (frame["reverses"] != "").to_numpy() if "reverses" in frame else np.zeros(len(frame), bool)
    return RunContext(policy=policy, period=period, frame=frame, collectors=collectors,
                      collector_of_row=collector_of_row, classes=classes, history=ledger, is_reversal=is_reversal,
                      roster=roster)


def _coverage_warnings(ledger: pd.DataFrame, paid, period: Period):
    """A quarterly or yearly component run on a ledger that starts after its window began is underpaid."""
    if not len(ledger):
        return
    first = ledger["payment_date"].min().date()
    for component in paid:
        window = period.enclosing(component.pays)
        if first > window.start:
            yield (f"component {component.id} pays {component.pays} over {window} ({window.start} to {window.end}) "
                   f"but the ledger starts on {first}: give the ledgers of the whole {window}")


def _no_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("payment_id", "collector_id", "component", "rule")}
                        | {c: pd.Series([], dtype=np.int64) for c in ("base", "commission", "amount")})


def _payouts(ctx: RunContext, items: pd.DataFrame) -> pd.DataFrame:
    """One row per collector: who, plan, recovered in the period, component sums, per pay code, net."""
    policy, collectors = ctx.policy, ctx.collectors
    payouts = pd.DataFrame({"collector_id": pd.Series(collectors, dtype="str")})
    if ctx.roster is not None:
        for name in ROSTER_FIELDS:
            payouts[name] = ctx.roster[name].reindex(collectors).fillna("").to_numpy()
    payouts["period"] = str(ctx.period)
    payouts["plan"] = policy.plan
    payouts["version"] = policy.version
    payouts["currency"] = policy.currency
    payouts["recovered"] = ctx.recovered(ctx.period)
    index = pd.Index(collectors)

    def total(mask) -> np.ndarray:
        sums = items.loc[mask].groupby("collector_id")["amount"].sum()
        return sums.reindex(index, fill_value=0).to_numpy(dtype=np.int64)

    kinds = items["kind"]
    payouts["line_commission"] = total(kinds.isin(LINE_KINDS))
    payouts["tier_commission"] = total(kinds.isin(TIER_KINDS))
    payouts["adjustment"] = total(~kinds.isin(LINE_KINDS + TIER_KINDS))
    payouts["net_payout"] = total(slice(None))
    for code in policy.pay_codes:
        payouts[f"pay_{code}"] = total(items["pay_code"] == code)
    return payouts
