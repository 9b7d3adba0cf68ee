"""What a simulation runs on and what it keeps of each run: scenarios, the history loaded once, the
months simulated, and each scenario's run reduced to small aggregates.

A scenario is what would be paid:

- **today** (the baseline): what the roster's plan column and the plans' effective dates pay;
- **a candidate for everyone** ("what if everyone were on plan B"): one plan pays every collector (the
  roster's plan column is not used), taken as in force on every day (a plan written for next year is
  simulated on last year's ledger);
- **today with one plan replaced**: the collectors the roster puts on plan P are paid by the candidate
  instead, everyone else as today.

`scenarios.run_scenario` pays each of them the same way, month after month, through the engine's
`pay_period`. The ledger is credited (split credit applied) and put in date order once; each run is
reduced at once to small per-collector and per-bucket aggregates (int64 minor units); its
payment-level lineage is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Callable, Optional, Protocol, Sequence

import numpy as np
import pandas as pd

from ..engine import SideInputs
from ..engine.credit import credited_amounts
from ..errors import InputError, Problem
from ..periods import Period
from ..policy import Policy

#: Report groupings of the simulated months.
GROUPINGS = ("month", "quarter", "year")
#: Balances a plan owes the collector at the end (withheld, not yet paid) and those the collector owes.
OWED_TO_COLLECTOR = ("held",)
OWED_BY_COLLECTOR = ("carried", "draw")
NO_BUCKET = "(all)"
#: Effective dates are ignored in a simulation: every candidate is in force on every day.
_ALWAYS = date(1, 1, 1)


@dataclass(frozen=True)
class Candidate:
    """A plan to simulate for everyone: its label in reports, and the plan in force on every day."""

    label: str
    policy: Policy


#: Kinds of scenario.
TODAY, EVERYONE, REPLACE = "today", "everyone", "replace"
#: The label of what is paid today, in every table (reports show it in their language).
TODAY_LABEL = "today"


@dataclass(frozen=True)
class Scenario:
    """What a run pays: `policies` are the plans given to the engine. today: the plans in force today
    (the roster says who is on which); everyone: one plan, in force on every day; replace: today's plans
    with `replaced` paid by `new_plan` (its id taken over, in force on every day)."""

    label: str
    kind: str
    policies: tuple[Policy, ...]
    replaced: str = ""
    new_plan: Optional[Policy] = None

    @property
    def candidate(self) -> Optional[Candidate]:
        """The plan applied to everyone (None for today and replacements)."""
        return Candidate(self.label, self.policies[0]) if self.kind == EVERYONE else None

    @property
    def written(self) -> tuple[Policy, ...]:
        """The plans as written that this scenario stands for (for lint, curves and the About sheet):
        today's plans, the candidate, or the replacement."""
        if self.kind == REPLACE:
            return (self.new_plan,)
        return self.policies


def everyone(candidate: Candidate) -> Scenario:
    return Scenario(candidate.label, EVERYONE, (candidate.policy,))


def as_scenario(item) -> Scenario:
    """A Scenario as it is; a Candidate as the scenario that pays it to everyone."""
    return item if isinstance(item, Scenario) else everyone(item)


def today_scenario(policies: Sequence[Policy]) -> Scenario:
    return Scenario(TODAY_LABEL, TODAY, tuple(policies))


def replacement(today: Sequence[Policy], plan: str, new: Policy, label: Optional[str] = None) -> Scenario:
    """Today, with the collectors on `plan` paid by `new` (every version of `plan` leaves; `new` takes its id
    and is in force on every day)."""
    if not any(p.plan == plan for p in today):
        raise InputError([Problem("", "", f"{plan}={new.source}: plan {plan!r} is not among the plans in force "
                                  f"today ({', '.join(sorted({p.plan for p in today}))})", role="replace")])
    label = label or f"{plan} \u2192 {new.plan} v{new.version}"
    stands_in = replace(always_in_force(new), plan=plan)
    return Scenario(label, REPLACE, (*[p for p in today if p.plan != plan], stands_in), replaced=plan, new_plan=new)


def candidates_of(policies: Sequence[Policy]) -> list[Candidate]:
    """Label each plan `plan vN`; when two would read the same, add the file name to tell them apart."""
    labels = [f"{p.plan} v{p.version}" for p in policies]
    result = []
    for policy, label in zip(policies, labels):
        if labels.count(label) > 1:
            label = f"{label} ({policy.source.rsplit('/', 1)[-1] or policy.source})"
        result.append(Candidate(label, always_in_force(policy)))
    seen = [c.label for c in result]
    duplicates = sorted({label for label in seen if seen.count(label) > 1})
    if duplicates:
        raise InputError([Problem("", "", f"{duplicates[0]} is given twice; give each plan once", role="policy")])
    return result


def always_in_force(policy: Policy) -> Policy:
    return replace(policy, effective_from=_ALWAYS, effective_to=None)


@dataclass(frozen=True, eq=False)
class History:
    """What every scenario runs on: credited ledger rows in date order (`ledger`, the `history` reversals
    and overrides look in), the same rows as given (`source`, uncredited: the engine's `pay_period`
    credits them itself), the roster (indexed by collector_id) and the side inputs as given (no state):
    today and every candidate read exactly these."""

    ledger: pd.DataFrame
    roster: Optional[pd.DataFrame]
    side: SideInputs
    currency: str
    minor_units: int
    source: Optional[pd.DataFrame] = None

    def rows_between(self, first: date, last: date, ledger: Optional[pd.DataFrame] = None) -> pd.DataFrame:
        """Ledger rows dated first..last (both included), numbered from 0 as the engine expects: a contiguous
        slice (copy-on-write: the ledger's data is not copied)."""
        ledger = self.ledger if ledger is None else ledger
        dates = ledger["payment_date"].to_numpy()
        lo = int(np.searchsorted(dates, np.datetime64(first), side="left"))
        hi = int(np.searchsorted(dates, np.datetime64(last + timedelta(days=1)), side="left"))
        return ledger.iloc[lo:hi].reset_index(drop=True)

    def given_until(self, last: date) -> pd.DataFrame:
        """Every row as given (uncredited) dated up to `last`: what `commission run` reads for a period
        ending on `last` (later rows are outside every window it pays)."""
        source = self.source if self.source is not None else self.ledger
        return self.rows_between(date.min, last, source)

    def teams(self) -> pd.Series:
        """collector_id -> team ('' without a roster)."""
        if self.roster is None:
            return pd.Series(dtype="str")
        return self.roster["team"]

    def names(self) -> pd.Series:
        if self.roster is None:
            return pd.Series(dtype="str")
        return self.roster["name"]

    def plans(self) -> pd.Series:
        """collector_id -> the plan the roster puts them on ('' for none, or without a roster)."""
        if self.roster is None or "plan" not in self.roster:
            return pd.Series(dtype="str")
        return self.roster["plan"]


def prepare_history(ledger: pd.DataFrame, roster: Optional[pd.DataFrame], side: SideInputs, currency: str,
                    minor_units: int) -> History:
    """Order the rows by payment date (stable, so ties keep ledger order) and apply split credit once."""
    dates = ledger["payment_date"].to_numpy()
    if len(dates) > 1 and not (dates[1:] >= dates[:-1]).all():
        ledger = ledger.take(np.argsort(dates, kind="stable")).reset_index(drop=True)
    source = ledger
    if "credit_share" in ledger:
        ledger = ledger.assign(amount=credited_amounts(ledger))
    return History(ledger=ledger, roster=roster, side=replace(side, state=None, state_period=None),
                   currency=currency, minor_units=minor_units, source=source)


def month_range(first: date, last: date) -> list[Period]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(Period(year, "month", month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def simulated_months(history: History, periods: Sequence[Period] = (), by: str = "month") \
        -> tuple[list[Period], dict[Period, Period]]:
    """The months to run, and the report period each belongs to.

    With `periods` given (months, quarters or years), each is reported as given and run month by
    month (a quarter's run on its own would pay only quarterly components). Without, every month
    the ledger spans is run, reported by month, quarter or year (`by`).
    """
    if by not in GROUPINGS:
        raise InputError([Problem("", "", f"{by!r} is not one of: {', '.join(GROUPINGS)}", role="by")])
    ledger = history.ledger
    if not len(ledger):
        raise InputError([Problem("", "", "the ledger has no rows", role="ledger")])
    report_of: dict[Period, Period] = {}
    if periods:
        for period in periods:
            for month in period.months():
                if month in report_of:
                    raise InputError([Problem("", "", f"{period} and {report_of[month]} overlap (both hold "
                                              f"{month}); give periods that do not overlap", role="period")])
                report_of[month] = period
    else:
        first, last = ledger["payment_date"].iat[0].date(), ledger["payment_date"].iat[-1].date()
        for month in month_range(first, last):
            report_of[month] = month if by == "month" else month.enclosing("quarterly" if by == "quarter"
                                                                           else "yearly")
    months = sorted(report_of)
    dates = ledger["payment_date"].to_numpy()
    for period in dict.fromkeys(report_of[m] for m in months):
        lo = np.searchsorted(dates, np.datetime64(period.start), side="left")
        hi = np.searchsorted(dates, np.datetime64(period.end + timedelta(days=1)), side="left")
        if hi <= lo:
            raise InputError([Problem("", "", f"no ledger rows fall in {period} ({period.start} to "
                                      f"{period.end}); the ledger covers {ledger['payment_date'].iat[0].date()} to "
                                      f"{ledger['payment_date'].iat[-1].date()}", role="period")])
    return months, report_of


@dataclass(frozen=True, eq=False)
class PlanRun:
    """One scenario over the simulated months, reduced to what the comparison needs.

    payouts: month, collector_id, plan (the plan that paid them that month), and the payout money
        columns (int64 minor units) per month.
    buckets: month, bucket, recovered (credited rows of the month by the scenario's overdue bucket),
        line_commission (line-rate amounts booked in the month, by the bucket they were rated in).
    caps: month, rule, collector_id for every cap that cut someone's pay.
    end_state: the balances left after the last month (collector_id, balance, amount).
    """

    scenario: Scenario
    payouts: pd.DataFrame
    buckets: pd.DataFrame
    caps: pd.DataFrame
    end_state: pd.DataFrame
    warnings: tuple[str, ...] = ()
    bucket_order: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.scenario.label

    @property
    def candidate(self) -> Optional[Candidate]:
        return self.scenario.candidate

    def owed_at_end(self) -> tuple[int, int]:
        """(owed to collectors: holdbacks withheld and pay held; owed by collectors: carried, draws)."""
        state = self.end_state
        if not len(state):
            return 0, 0
        to_collector = state["balance"].str.startswith("holdback:") | state["balance"].isin(OWED_TO_COLLECTOR)
        by_collector = state["balance"].isin(OWED_BY_COLLECTOR)
        return int(state.loc[to_collector, "amount"].sum()), int(state.loc[by_collector, "amount"].sum())

    def withheld_by_collector(self) -> pd.Series:
        """Each collector's holdbacks and held pay still owed after the last month (earned, not yet paid)."""
        state = self.end_state
        if not len(state):
            return pd.Series(dtype=np.int64)
        owed = state.loc[state["balance"].str.startswith("holdback:") | state["balance"].isin(OWED_TO_COLLECTOR)]
        return owed.groupby("collector_id")["amount"].sum().astype(np.int64)

    def of_plan(self, plan: str) -> "PlanRun":
        """This run restricted to the collector-months paid by `plan` (for a plan's own health check)."""
        mine = self.payouts.loc[self.payouts["plan"] == plan]
        keys = pd.MultiIndex.from_arrays([mine["month"], mine["collector_id"]])
        caps = self.caps.loc[pd.MultiIndex.from_arrays([self.caps["month"], self.caps["collector_id"]]).isin(keys)] \
            if len(self.caps) else self.caps
        return replace(self, payouts=mine.reset_index(drop=True), caps=caps.reset_index(drop=True))


def age_classifier(policy: Policy):
    """The plan's overdue-bucket classifier: the first one on days_past_due (None when it has none)."""
    return next((c for c in policy.classifiers if c.field == "days_past_due"), None)


def scenario_ages(policies: Sequence[Policy]):
    """The overdue-bucket classifier of the first plan that has one (None when none has)."""
    return next((a for a in map(age_classifier, policies) if a is not None), None)


#: A progress callback: (what is being done, how many of its steps are done, how many there are).
Progress = Callable[[str, int, int], None]


def no_progress(what: str, done: int, total: int) -> None:
    return None


class TaskMap(Protocol):
    """Runs independent tasks and returns their results in the tasks' order: `fn(item)` for each item, or
    `fn(shared, item)` when `shared` is given (the large inputs every task reads, sent once), and
    `done(k)` after the k-th finishes. `here` says whether the tasks run in this process (in order), so a
    caller may hand them its progress callback; app.cluster maps them over a Dask cluster instead."""

    here: bool

    def __call__(self, fn: Callable, items: Sequence, shared: object = None,
                 done: Optional[Callable[[int], None]] = None) -> list: ...


class InProcess:
    """Every task here, one after the other: what a simulation does without a cluster."""

    here = True

    def __call__(self, fn: Callable, items: Sequence, shared: object = None,
                 done: Optional[Callable[[int], None]] = None) -> list:
        results = []
        for item in items:
            results.append(fn(item) if shared is None else fn(shared, item))
            if done is not None:
                done(len(results))
        return results


in_process = InProcess()
