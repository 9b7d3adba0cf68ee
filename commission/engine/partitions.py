"""Partitioned runs: collectors paid a partition at a time, and the partitions' results put together as
the run over the whole ledger would have them. Pure, like the rest of the engine: the app layer
(app.partitioned) reads each partition's rows and writes the files.

Pay is per collector but for three things, which decide how collectors are grouped:
- split credit: one payment_id on several collectors' rows, checked together (shares add up to 1, the
  same amount and date) and a repeated payment_id is a duplicate only when all its rows are seen;
- team-lead overrides: a lead's override reads the team's recovery or commission;
- warnings, counts and balances of the whole run (made here from the partitions' parts).
So collectors joined by a payment_id, and a lead whose plan pays an override in the period with each
member they lead, are kept in one partition (union-find over this small table of links); the
partitions then take whole groups, largest first, each to the partition with the fewest rows so far.
A group is never cut, so a partition is as large as the largest group at least: a hierarchy in which
leads paid overrides lead other such leads is one group. The alternative, a second stage paying the
leads from members' aggregates handed over, would pay every partition with a lead twice (nearly all
of them, with teams of eight); grouping pays each collector once, with the same code as the
in-memory run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ..periods import Period
from .context import SideInputs
from .employment import employment_warnings
from .payroll import PaidGroups, coverage_warnings, finished, merge_results, paid_groups, plan_groups, with_skipped
from .result import RunResult, no_awards
from .rules.line_rate import COUNTED_WARNINGS


def groups_of(collectors: Sequence[str], links: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A group number per collector (positions in `collectors`), joined by `links` (two arrays of
    positions): the smallest position in each group, found by label propagation, vectorized."""
    label = np.arange(len(collectors), dtype=np.int64)
    first, second = (np.asarray(side, dtype=np.int64) for side in links)
    while len(first):
        low = np.minimum(label[first], label[second])
        before = label.copy()
        np.minimum.at(label, first, low)
        np.minimum.at(label, second, low)
        label = label[label]  # pointer jumping: a label's own label
        if np.array_equal(label, before):
            break
    return label


def plan_partitions(collectors: Sequence[str], rows: np.ndarray, links: tuple[np.ndarray, np.ndarray],
                    count: int) -> list[list[str]]:
    """At most `count` lists of collectors (sorted), none empty, each a union of whole groups (`groups_of`),
    their ledger rows (`rows`, per collector) shared out evenly: largest group first, to the partition
    with the fewest rows so far (ties: the lowest numbered). The same inputs give the same partitions."""
    label = groups_of(collectors, links)
    groups, member_of = np.unique(label, return_inverse=True)
    sizes = np.ones(len(groups), dtype=np.int64)  # 1 + the rows: a collector without rows counts too
    np.add.at(sizes, member_of, np.asarray(rows, dtype=np.int64))
    order = np.lexsort((groups, -sizes))  # largest first, then by first member
    load = np.zeros(max(1, min(count, len(groups))), dtype=np.int64)
    partition = np.empty(len(groups), dtype=np.int64)
    for group in order:  # a loop over groups of collectors, never over ledger rows
        target = int(np.argmin(load))
        partition[group] = target
        load[target] += sizes[group]
    names = np.asarray(collectors, dtype=object)
    of_collector = partition[member_of]
    return [sorted(names[of_collector == p]) for p in range(len(load)) if (of_collector == p).any()]


def team_links(roster: Optional[pd.DataFrame], policies, period: Period) -> list[tuple[str, str]]:
    """(member, lead) for each collector whose lead (roster manager_id) is on a plan that pays an override
    in `period`: the lead's pay reads the member's results."""
    if roster is None or "manager_id" not in roster:
        return []
    groups = plan_groups(policies, roster.iloc[:0], roster, period)
    leads_paid = set()
    for _, members, policy in groups:
        if any(c.kind == "override" and period.pays(c.pays) for c in policy.components):
            leads_paid |= set(roster.index) if members is None else set(members)
    managers = roster["manager_id"]
    led = managers.loc[managers.isin(leads_paid).to_numpy()]
    return list(zip(led.index, led.to_numpy()))


@dataclass(frozen=True)
class PartPay:
    """One partition's pay, before the run is put together: each plan group's result by plan id (lines
    kept: the app layer writes them to part files and drops them), rows skipped, counts."""

    results: dict  # plan id -> RunResult
    skipped: pd.DataFrame
    rows_read: int
    rows_used: int
    single: bool
    first_days: dict  # plan id -> first payment_date of its rows in this partition (None: none)


def pay_part(policies, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame],
             side: SideInputs) -> PartPay:
    """Pay one partition's collectors: `ledger` their rows (a validated ledger frame), `roster` and `side`
    theirs. The checks of the whole run (a period without repayments, the state's balances) are the
    caller's, before (`put_together` does the rest)."""
    groups = plan_groups(policies, ledger, roster, period)
    paid: PaidGroups = paid_groups(ledger, period, roster, side, groups, tuple(policies), coverage=False)
    if paid.single:
        results = {groups[0][0]: paid.results[0]}
    else:
        results = {plan: result for (plan, _, _), result in zip(groups, paid.results)}
    return PartPay(results=results, skipped=paid.skipped, rows_read=paid.rows_read, rows_used=paid.rows_used,
                   single=paid.single, first_days={plan: day for (plan, _, _), day in zip(groups, paid.first_days)})


def put_together(parts: Sequence[PartPay], policies, period: Period, roster: Optional[pd.DataFrame],
                 side: SideInputs, no_rows_warning: Optional[str]) -> RunResult:
    """The run's result from its partitions' (`parts`, lines aside: the caller merges them), as
    pay_period gives it for the whole ledger: the same rows in the same order, counts, warnings and
    balances. `side` and `roster` are the whole run's."""
    groups = plan_groups(policies, pd.DataFrame({"collector_id": pd.Series([], dtype="str")}), roster, period)
    single = parts[0].single
    by_plan = []
    for plan, _, policy in groups:
        mine = [part.results[plan] for part in parts if plan in part.results]
        firsts = [part.first_days[plan] for part in parts if part.first_days.get(plan) is not None]
        paid = tuple(c for c in policy.components if period.pays(c.pays))
        coverage = tuple(coverage_warnings(min(firsts) if firsts else None, paid, period))
        by_plan.append(_plan_together(mine, single, coverage))
    rows_used = sum(part.rows_used for part in parts)
    result = by_plan[0] if single else merge_results(by_plan, rows_read=rows_used)
    skipped = [part.skipped for part in parts if len(part.skipped)]
    skipped = pd.concat(skipped, ignore_index=True).sort_values(
        ["collector_id", "payment_date", "payment_id"], kind="stable").reset_index(drop=True) if skipped \
        else parts[0].skipped
    result = with_skipped(result, skipped, employment_warnings(skipped) if len(skipped) else [],
                           sum(part.rows_read for part in parts))
    return finished(result, side, period, groups, no_rows_warning)


def _plan_together(results: list[RunResult], single: bool, coverage: tuple) -> RunResult:
    """One plan's results over the partitions as the plan's run over them all: collectors in order, the
    KPIs in the order the plan's run lists them, counts summed, warnings merged (`merged_warnings`)."""
    first = results[0]
    counts = {key: sum(r.counts[key] for r in results) for key in first.counts}
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    if len(kpis):  # one plan's run lists them by KPI and window, then collector
        kpis = kpis.sort_values(["kpi", "window", "collector_id"] if single else ["collector_id", "kpi", "window"],
                                kind="stable").reset_index(drop=True)
    awards = [r.awards for r in results if len(r.awards)]
    return replace(
        first,
        payouts=_by_collector(pd.concat([r.payouts for r in results], ignore_index=True)),
        items=_by_collector(pd.concat([r.items for r in results], ignore_index=True)),
        lines=first.lines.iloc[:0], counts=counts,
        warnings=(*coverage, *merged_warnings([r.warnings for r in results])),
        state=pd.concat([r.state for r in results], ignore_index=True).sort_values(
            ["collector_id", "balance"], kind="stable").reset_index(drop=True),
        kpis=kpis,
        events=pd.concat([r.events for r in results], ignore_index=True).drop_duplicates("event_id").sort_values(
            ["date", "event_id"], kind="stable").reset_index(drop=True),
        awards=_by_collector(pd.concat(awards, ignore_index=True)) if awards else no_awards())


def _by_collector(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("collector_id", kind="stable").reset_index(drop=True)


_COUNTED = re.compile(r"^(\d+) (.*)$", re.S)


def merged_warnings(lists: Sequence[Sequence[str]]) -> list[str]:
    """Partitions' warnings of one plan as its run over all of them gives them: each once, where it first
    appears; a warning that counts rows (rules.line_rate.COUNTED_WARNINGS) with the partitions' counts summed."""
    merged: dict[str, int] = {}
    for warnings in lists:
        for warning in warnings:
            found = _COUNTED.match(warning)
            if found and found[2].startswith(COUNTED_WARNINGS):
                key = "\0" + found[2]
                merged[key] = merged.get(key, 0) + int(found[1])
            else:
                merged.setdefault(warning, 0)
    return [f"{count} {key[1:]}" if key.startswith("\0") else key for key, count in merged.items()]
