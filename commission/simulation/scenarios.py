"""Run every scenario over the same months: today (the baseline) and the candidates compared with it.

Every scenario runs through the engine's `pay_period`, month by month, the way `commission run` pays a
period (`run_scenario`, the one loop): the roster's plan column says who is on which plan (a candidate
for everyone puts every collector on its plan), each plan's version in force on the month's last day
pays them, the engine checks the balances carried in and carries those of collectors it does not pay.
Today and the candidates read the same inputs, so they differ only by their plans.

Opening balances (a state file: what the run for the month before the first simulated month left)
start today's run. A candidate starts from the opening balances its plans keep (carried negatives,
draws owed and held pay always; a holdback only when the plan has one of the same id); the others
are left out of its run and listed in the notes, since no rule of the candidate could pay or settle
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ..engine import PAYOUT_MONEY_COLUMNS, kept_balances, pay_period
from ..engine.classify import classify
from ..errors import InputError, Problem, option
from ..money import format_minor
from ..periods import Period
from ..policy import plan_in_force
from .replay import (EVERYONE, NO_BUCKET, REPLACE, TODAY, History, PlanRun, Progress, Scenario, TaskMap, as_scenario,
                     in_process, month_range, no_progress, scenario_ages)


@dataclass(frozen=True)
class Opening:
    """Balances carried into the first simulated month: those the run for `period` left, from `source`."""

    period: Period
    state: pd.DataFrame
    source: str = ""


@dataclass(frozen=True, eq=False)
class Simulation:
    """Every scenario's run over the same months (the first is the baseline), and how months group into
    report periods."""

    runs: tuple[PlanRun, ...]
    months: tuple[Period, ...]
    report_of: dict
    history: History
    notes: tuple[str, ...] = field(default_factory=tuple)
    opening: Optional[Opening] = None

    @property
    def baseline(self) -> PlanRun:
        return self.runs[0]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.runs]

    @property
    def report_periods(self) -> list[str]:
        return [str(p) for p in dict.fromkeys(self.report_of[m] for m in self.months)]

    def period_of_month(self) -> dict[str, str]:
        return {str(m): str(self.report_of[m]) for m in self.months}


@dataclass(frozen=True, eq=False)
class ScenarioInputs:
    """What every scenario's run reads (sent once to each worker of a cluster), and where its month-by-month
    progress goes when it runs in this process."""

    history: History
    months: tuple[Period, ...]
    opening: Optional[Opening] = None
    progress: Progress = no_progress


def scenario_task(inputs: ScenarioInputs, scenario: Scenario) -> tuple[PlanRun, str]:
    """One scenario's run as an independent task (top-level, so a cluster's workers find it by name)."""
    return run_scenario(scenario, inputs.history, inputs.months, inputs.opening, inputs.progress)


def simulate(scenarios: Sequence, history: History, months: Sequence[Period], report_of: dict,
             notes: Sequence[str] = (), opening: Optional[Opening] = None,
             progress: Progress = no_progress, tasks: TaskMap = in_process) -> Simulation:
    """Run every scenario (Scenario, or a Candidate for everyone) over the same months, each an independent
    task of `tasks` (here one after the other, or on a cluster's workers)."""
    scenarios = [as_scenario(s) for s in scenarios]
    inputs = ScenarioInputs(history, tuple(months), opening, progress if tasks.here else no_progress)
    done = None if tasks.here else (lambda k: progress("simulating the scenarios", k, len(scenarios)))
    results = tasks(scenario_task, scenarios, shared=inputs, done=done)
    return Simulation(runs=tuple(run for run, _ in results), months=tuple(months), report_of=dict(report_of),
                      history=history, notes=(*notes, *(dropped for _, dropped in results if dropped)),
                      opening=opening)


def run_scenario(scenario: Scenario, history: History, months: Sequence[Period], opening: Optional[Opening] = None,
                 progress: Progress = no_progress) -> tuple[PlanRun, str]:
    """Pay the scenario month after month with the engine's `pay_period`, as `commission run` would, and
    a note on the opening balances it had to leave out ('' when none).

    Every scenario, today and candidates alike, runs here on the same inputs, so a candidate identical to
    today pays exactly what today pays. Each month reads every row given up to its last day (reversals
    find their originals in earlier months) and starts from the balances the month before left (the
    first from the opening balances, else zero). Months between two of `months` that are not shown (a
    `--period` list with a gap) are run too, for their balances only: a holdback or a draw carried
    across the gap is then the one production would carry."""
    state, dropped = opening_state(scenario, history, months[0], opening)
    shown = set(months)
    every = month_range(months[0].start, months[-1].end)
    roster = paid_roster(scenario, history.roster)
    ages = scenario_ages(scenario.policies)
    state_period = opening.period if opening is not None and state is not None else None
    source = opening.source if opening is not None else ""
    payouts, buckets, caps, warnings = [], [], [], []
    for done, month in enumerate(every):
        progress(f"simulating {scenario.label}", done, len(every))
        rows = history.given_until(month.end)
        if roster is None and not rows["payment_date"].between(pd.Timestamp(month.start),
                                                               pd.Timestamp(month.end)).any():
            continue  # no roster and no repayment: no one to pay this month, balances carry as they are
        side = replace(history.side, state=state, state_period=state_period, state_source=source)
        try:
            result = pay_period(scenario.policies, rows, month, roster, side, allow_no_repayments=roster is not None)
        except InputError as exc:
            raise InputError([Problem(p.where, p.key, f"{p.message} (simulating {_named(scenario)} in {month})",
                                      role=p.role) for p in exc.problems], exc.hidden) from None
        if month in shown:
            warnings.extend(result.warnings)
            paid = result.payouts[["collector_id", "plan", *PAYOUT_MONEY_COLUMNS]].copy()
            paid.insert(0, "month", str(month))
            payouts.append(paid)
            buckets.append(bucket_costs(result, history.rows_between(month.start, month.end), month, ages))
            caps.append(cap_cuts(result, month))
        state, state_period, source = result.state, month, f"the balances simulated for {month}"
    progress(f"simulating {scenario.label}", len(every), len(every))
    return plan_run(scenario, payouts, buckets, caps, state, warnings, ages), dropped


def paid_roster(scenario: Scenario, roster: Optional[pd.DataFrame]) -> Optional[pd.DataFrame]:
    """The roster the engine pays the scenario by: as given, or for a candidate for everyone with every
    collector on its plan."""
    if scenario.kind != EVERYONE or roster is None:
        return roster
    return roster.assign(plan=scenario.policies[0].plan)


def cap_cuts(result, month: Period) -> pd.DataFrame:
    """Every cap that cut someone's pay in the month: rule, collector_id, month."""
    cut = result.items.loc[(result.items["kind"] == "cap_floor") & (result.items["amount"] < 0),
                           ["rule", "collector_id"]]
    return cut.assign(month=str(month))


def plan_run(scenario: Scenario, payouts, buckets, caps, state, warnings, ages) -> PlanRun:
    """The months' frames of a scenario put together."""
    empty_state = pd.DataFrame({"collector_id": pd.Series([], dtype="str"), "balance": pd.Series([], dtype="str"),
                                "amount": pd.Series([], dtype=np.int64)})
    return PlanRun(scenario=scenario, payouts=pd.concat(payouts, ignore_index=True),
                   buckets=pd.concat(buckets, ignore_index=True), caps=pd.concat(caps, ignore_index=True),
                   end_state=state if state is not None else empty_state,
                   warnings=tuple(dict.fromkeys(warnings)),
                   bucket_order=tuple(ages.labels) if ages is not None else (NO_BUCKET,))


def bucket_costs(result, rows: pd.DataFrame, month: Period, ages) -> pd.DataFrame:
    """The month's recovered amount and line commission per overdue bucket of the scenario's plans.

    `rows` are the credited ledger rows dated in the month; those the engine skipped (outside a
    collector's employment, as their plan says) are left out, so the buckets' recovered amounts add up to
    the run's recovered amount and their commission to its line commission, to the cent."""
    if len(result.skipped):
        skipped = pd.MultiIndex.from_arrays([result.skipped["payment_id"].to_numpy(dtype=object),
                                             result.skipped["collector_id"].to_numpy(dtype=object)])
        keys = pd.MultiIndex.from_arrays([rows["payment_id"].to_numpy(dtype=object),
                                          rows["collector_id"].to_numpy(dtype=object)])
        rows = rows.loc[~keys.isin(skipped)]
    amounts = rows["amount"].to_numpy()
    lines = result.lines
    if ages is None:
        recovered = pd.Series([int(amounts.sum())], index=[NO_BUCKET])
        commission = pd.Series([int(lines["amount"].sum()) if len(lines) else 0], index=[NO_BUCKET])
    else:
        codes = classify(rows[ages.field].to_numpy(), ages)
        per_bucket = np.zeros(len(ages.labels), dtype=np.int64)
        np.add.at(per_bucket, codes[codes >= 0], amounts[codes >= 0])
        recovered = pd.Series(per_bucket, index=list(ages.labels))
        if len(lines) and ages.name in lines:
            commission = lines.groupby(lines[ages.name].astype("str"), sort=False)["amount"].sum()
        else:
            commission = pd.Series(dtype=np.int64)
    index = list(dict.fromkeys([*recovered.index, *commission.index]))
    return pd.DataFrame({"month": str(month), "bucket": index,
                         "recovered": recovered.reindex(index, fill_value=0).to_numpy(dtype=np.int64),
                         "line_commission": commission.reindex(index, fill_value=0).to_numpy(dtype=np.int64)})


def _named(scenario: Scenario) -> str:
    if scenario.kind == TODAY:
        return "what is paid today"
    return f"{scenario.label} ({scenario.new_plan.source})" if scenario.kind == REPLACE else scenario.label


def _replaced_collectors(scenario: Scenario, history: History) -> Optional[list]:
    """Who the replacement pays (None: everyone, when the roster names no plan); today: no one."""
    if scenario.kind != REPLACE:
        return []
    plans = history.plans()
    if not len(plans) or not (plans != "").any():
        return None  # no plan column: the one plan replaced pays everyone
    return list(plans.index[plans == scenario.replaced])


def opening_state(scenario: Scenario, history: History, first: Period,
                  opening: Optional[Opening]) -> tuple[Optional[pd.DataFrame], str]:
    """The opening balances this scenario's run starts from, and a note on those it leaves out.

    Today takes them all (the engine refuses a balance no plan keeps, as `commission run` does). A
    candidate keeps, for each collector, the balances the plan that would pay them keeps."""
    if opening is None or not len(opening.state):
        return None if opening is None else opening.state, ""
    state = opening.state
    if scenario.kind == TODAY:
        return state, ""
    if scenario.kind == EVERYONE:
        keeps = np.asarray(state["balance"].isin(kept_balances(scenario.policies[0])).to_numpy())
    else:
        keeps = np.ones(len(state), dtype=bool)
        mine = _replaced_collectors(scenario, history)
        on_it = np.ones(len(state), bool) if mine is None else state["collector_id"].isin(set(mine)).to_numpy()
        new = plan_in_force(scenario.policies, scenario.replaced, first.end)
        keeps[on_it] = state["balance"].isin(kept_balances(new)).to_numpy()[on_it]
    if keeps.all():
        return state, ""
    left = state.loc[~keeps]
    minor = history.minor_units
    kinds = "; ".join(f"{name} {format_minor(int(amount), minor)} ({count} collector(s))"
                      for name, (amount, count) in left.groupby("balance", sort=True)["amount"].agg(["sum", "count"])
                      .iterrows())
    return state.loc[keeps].reset_index(drop=True), (
        f"{scenario.label}: opening balances its plan does not keep are left out of its run (no rule of it could "
        f"pay or settle them): {kinds}")


def check_scenarios(scenarios: Sequence[Scenario], history: History) -> None:
    """Problems with the scenarios themselves, before any run: a plan given as in force today that no
    collector on the roster is on (most likely meant as a candidate)."""
    today = next((s for s in scenarios if s.kind == TODAY), None)
    if today is None:
        return
    plans = history.plans()
    named = set(plans[plans != ""]) if len(plans) else set()
    if not named:
        return
    unused = sorted({p.plan for p in today.policies} - named)
    if unused:
        files = ", ".join(sorted({p.source for p in today.policies if p.plan in unused}))
        raise InputError([Problem("", "", f"{', '.join(unused)} ({files}): given as in force today, but no collector "
                                  "on the roster is on it. A plan to compare with today is a candidate: give it with "
                                  f"{option('candidate')} FILE (paid to everyone) or {option('replace')} PLAN=FILE "
                                  "(paid to the collectors on PLAN)", role="policy")])
