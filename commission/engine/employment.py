"""Ledger rows dated outside their collector's employment (the roster's start_date to end_date, both days
included) are refused, unless the collector's own plan says to pay or to skip them
(`leavers: {after_end: ..., before_start: ...}`).

A reversal (a negative row) is never refused: a bounce booked after someone left still claws back what
they were paid. A reversal of a payment that is skipped is skipped with it: nothing was paid, so there
is nothing to claw back.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..policy.model import OUTSIDE_EMPLOYMENT_RULES, REFUSE, SKIP
from .result import SKIPPED_COLUMNS, no_skipped

_REFUSE, _SKIP = OUTSIDE_EMPLOYMENT_RULES.index(REFUSE), OUTSIDE_EMPLOYMENT_RULES.index(SKIP)


def outside_employment(ledger: pd.DataFrame, roster: Optional[pd.DataFrame], plans, first_day: date,
                       last_day: date, history: Optional[pd.DataFrame] = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(the ledger without the rows skipped, the skipped rows as SKIPPED_COLUMNS, warnings naming them).

    `plans` are (collectors, policy) pairs, collectors None for everyone: each collector's own plan
    decides. Rows dated from `first_day` to `last_day` (those the run reads) are checked; rows refused
    raise InputError, one problem per row (file, row, collector, the dates), up to the usual limit.
    A reversal's payment is looked for in `history` (all rows given; by default the ledger).
    """
    if roster is None or not len(ledger) or (roster["start_date"].isna().all() and roster["end_date"].isna().all()):
        return ledger, no_skipped(), []
    rows = _Judged(ledger, roster, plans)
    read = (rows.day >= np.datetime64(first_day)) & (rows.day <= np.datetime64(last_day))
    refused = read & ~rows.reversal & rows.outside(_REFUSE)
    _refuse(ledger, np.flatnonzero(refused), rows)

    skip = read & ~rows.reversal & rows.outside(_SKIP)
    of_skipped = np.zeros(len(ledger), dtype=bool)
    candidates = np.flatnonzero(read & rows.names_payment)
    earlier = rows if history is None or history is ledger else _Judged(history, roster, plans)
    skipped_payments = np.flatnonzero(~earlier.reversal & earlier.outside(_SKIP))  # any date: a bounce comes later
    if len(candidates) and len(skipped_payments):
        payments = pd.MultiIndex.from_arrays([earlier.text("payment_id", skipped_payments),
                                              earlier.collector(skipped_payments)])
        named = payments.get_indexer(pd.MultiIndex.from_arrays([rows.text("reverses", candidates),
                                                                rows.collector(candidates)]))
        of_skipped[candidates[named >= 0]] = True
    skip |= of_skipped
    if not skip.any():
        return ledger, no_skipped(), []
    at = np.flatnonzero(skip)
    reason = np.where(of_skipped, "reverses_skipped", np.where(rows.after, "after_end", "before_start"))[at]
    skipped = pd.DataFrame({
        "payment_id": rows.text("payment_id", at),
        "collector_id": rows.collector(at),
        "payment_date": rows.day[at].astype("datetime64[s]"),
        "amount": ledger["amount"].to_numpy(dtype=np.int64)[at],
        "reverses": rows.text("reverses", at),
        "reason": reason.astype(object),
        "start_date": rows.start[at].astype("datetime64[s]"),
        "end_date": rows.end[at].astype("datetime64[s]"),
        "plan": rows.plan(at),
        "file": rows.text("source", at).astype(str).astype(object),
        "row": ledger["row"].to_numpy(dtype=np.int64)[at] if "row" in ledger else at.astype(np.int64) + 1,
    }, columns=list(SKIPPED_COLUMNS))
    for name in ("payment_id", "collector_id", "reverses", "reason", "plan", "file"):
        skipped[name] = skipped[name].astype("str")
    skipped = skipped.sort_values(["collector_id", "payment_date", "payment_id"], kind="stable").reset_index(drop=True)
    return ledger.loc[~skip].reset_index(drop=True), skipped, employment_warnings(skipped)


class _Judged:
    """Per row of a ledger frame: its day, employment dates and its collector's plan's rules (arrays,
    never a loop over rows; text columns are read only for the few rows a message or report needs)."""

    def __init__(self, frame: pd.DataFrame, roster: pd.DataFrame, plans):
        self.frame = frame
        self.categories = frame["collector_id"].cat.categories
        self.codes = codes = frame["collector_id"].cat.codes.to_numpy()
        after_rule = np.full(len(self.categories), _REFUSE, dtype=np.int8)
        before_rule = np.full(len(self.categories), _REFUSE, dtype=np.int8)
        self.plans = np.full(len(self.categories), "", dtype=object)
        for members, policy in plans:  # one pass per plan
            at = np.ones(len(self.categories), dtype=bool) if members is None \
                else np.asarray(self.categories.isin(list(members)))
            after_rule[at] = OUTSIDE_EMPLOYMENT_RULES.index(policy.rows_after_end)
            before_rule[at] = OUTSIDE_EMPLOYMENT_RULES.index(policy.rows_before_start)
            self.plans[at] = policy.plan
        self.after_rule, self.before_rule = after_rule[codes], before_rule[codes]
        self.start = roster["start_date"].reindex(self.categories).to_numpy().astype("datetime64[D]")[codes]
        self.end = roster["end_date"].reindex(self.categories).to_numpy().astype("datetime64[D]")[codes]
        self.day = frame["payment_date"].to_numpy().astype("datetime64[D]")
        self.after = ~np.isnat(self.end) & (self.day > self.end)
        self.before = ~np.isnat(self.start) & (self.day < self.start)
        self.names_payment = (frame["reverses"] != "").to_numpy(dtype=bool) if "reverses" in frame \
            else np.zeros(len(frame), dtype=bool)
        self.reversal = (frame["amount"].to_numpy() < 0) | self.names_payment

    def outside(self, rule: int) -> np.ndarray:
        """Rows dated outside their collector's employment whose plan's rule for that side is `rule`."""
        return (self.after & (self.after_rule == rule)) | (self.before & (self.before_rule == rule))

    def collector(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.categories, dtype=object)[self.codes[rows]]

    def plan(self, rows: np.ndarray) -> np.ndarray:
        return self.plans[self.codes[rows]]

    def text(self, column: str, rows: np.ndarray) -> np.ndarray:
        """A text column's values at `rows` ('' for a column the frame lacks)."""
        if column not in self.frame:
            return np.full(len(rows), "", dtype=object)
        return self.frame[column].take(rows).to_numpy(dtype=object)


def _refuse(ledger: pd.DataFrame, refused: np.ndarray, rows: _Judged) -> None:
    """One problem per row refused, in ledger order, each saying what to do."""
    problems = ProblemCollector()
    for row in refused[: problems.limit]:
        collector, dated = rows.collector(np.array([row]))[0], rows.day[row]
        key, fact = ("after_end", f"after collector {collector}'s end_date {rows.end[row]}") if rows.after[row] \
            else ("before_start", f"before collector {collector}'s start_date {rows.start[row]}")
        problems.add(_where(ledger, row), "payment_date",
                     f"{dated} is {fact} (roster): a row dated outside a collector's employment is refused. "
                     f"Correct its collector or date, or the roster, or say in plan {rows.plan(np.array([row]))[0]} what to do "
                     f"with such rows: leavers: {{{key}: pay}} or {{{key}: skip}}")
    problems.extend_hidden(max(len(refused) - problems.limit, 0))
    problems.raise_if_any()


def _where(ledger: pd.DataFrame, row: int) -> str:
    if "source" in ledger and "row" in ledger:
        return f"{ledger['source'].iat[row]}:row {ledger['row'].iat[row]}"
    return f"ledger:row {row + 1}"


def employment_warnings(skipped: pd.DataFrame) -> list[str]:
    """One warning per collector and reason: what was skipped, and by which plan's rule."""
    warnings = []
    counted = skipped.groupby(["collector_id", "reason"], sort=True, observed=True).agg(
        rows=("payment_id", "size"), start=("start_date", "first"), end=("end_date", "first"), plan=("plan", "first"))
    for (collector, reason), row in counted.iterrows():
        rows = f"{row['rows']} ledger row{'s' if row['rows'] != 1 else ''}"
        if reason == "reverses_skipped":
            what = (f"{row['rows']} reversal{'s' if row['rows'] != 1 else ''} of skipped payments skipped with them "
                    "(nothing was paid to claw back)")
        else:
            side, day = ("after their end_date", row["end"]) if reason == "after_end" \
                else ("before their start_date", row["start"])
            what = (f"{rows} dated {side} {day.date()} skipped, as plan {row['plan']} says (leavers: {reason}: skip): "
                    "paid nothing")
        warnings.append(f"{collector}: {what}; listed with the run's skipped rows")
    return warnings
