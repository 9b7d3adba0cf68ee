"""Run every scenario over the same months: today (the baseline) and the candidates compared with it.

Today and replacements run through the engine's `pay_period`, month by month, the way `commission run`
pays a period: the roster's plan column says who is on which plan, each plan's version in force on the
month's last day pays them, the engine checks the balances carried in and carries those of collectors
it does not pay. A candidate for everyone runs through `replay.run_plan`.

Opening balances (a state file: what the run for the month before the first simulated month left)
start today's run. A candidate starts from the opening balances its plans keep (carried negatives,
draws owed and held pay always; a holdback only when the plan has one of the same id); the others
are left out of its run and listed in the notes, since no rule of the candidate could pay or settle
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from ..engine import PAYOUT_MONEY_COLUMNS, kept_balances, pay_period
from ..errors import InputError, Problem, option
from ..money import format_minor
from ..periods import Period
from ..policy import Policy, plan_in_force
from .replay import (EVERYONE, REPLACE, TODAY, History, PlanRun, Progress, Scenario, _bucket_costs, _cap_cuts,
                     _plan_run, as_scenario, no_progress, run_plan, scenario_ages)


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


def simulate(scenarios: Sequence, history: History, months: Sequence[Period], report_of: dict,
             notes: Sequence[str] = (), opening: Optional[Opening] = None,
             progress: Progress = no_progress) -> Simulation:
    """Run every scenario (Scenario, or a Candidate for everyone) over the same months."""
    scenarios = [as_scenario(s) for s in scenarios]
    window = [p for s in scenarios if s.kind == EVERYONE for p in s.policies]
    runs, more_notes = [], []
    for scenario in scenarios:
        run, dropped = run_scenario(scenario, history, months, opening, window, progress)
        runs.append(run)
        if dropped:
            more_notes.append(dropped)
    return Simulation(runs=tuple(runs), months=tuple(months), report_of=dict(report_of), history=history,
                      notes=(*notes, *more_notes), opening=opening)


def run_scenario(scenario: Scenario, history: History, months: Sequence[Period], opening: Optional[Opening] = None,
                 window: Sequence[Policy] = (), progress: Progress = no_progress) -> tuple[PlanRun, str]:
    """The scenario's run, and a note on the opening balances it had to leave out ('' when none)."""
    state, dropped = opening_state(scenario, history, months[0], opening)
    if scenario.kind == EVERYONE:
        run = run_plan(scenario, history, months, window, state, opening.period if opening else None, progress)
    else:
        run = run_roster(scenario, history, months, state, opening, progress)
    return run, dropped


def run_roster(scenario: Scenario, history: History, months: Sequence[Period], state: Optional[pd.DataFrame] = None,
               opening: Optional[Opening] = None, progress: Progress = no_progress) -> PlanRun:
    """Pay the roster month after month with the engine's `pay_period`, as `commission run` would: each
    month reads every row given up to its last day (reversals find their originals in earlier months),
    starting from `state` (the opening balances, else zero) and carrying the balances each month leaves."""
    side_without_state = history.side_for(_replaced_collectors(scenario, history))
    ages = scenario_ages(scenario.policies)
    state_period = opening.period if opening is not None and state is not None else None
    source = opening.source if opening is not None else ""
    payouts, buckets, caps, warnings = [], [], [], []
    for done, month in enumerate(months):
        progress(f"simulating {scenario.label}", done, len(months))
        if state_period is not None and state_period.end + timedelta(days=1) != month.start:
            state, state_period = None, None  # a gap in the months asked for: balances start again from zero
        side = replace(side_without_state, state=state, state_period=state_period, state_source=source)
        try:
            result = pay_period(scenario.policies, history.given_until(month.end), month, history.roster, side,
                                allow_no_repayments=history.roster is not None)
        except InputError as exc:
            raise InputError([Problem(p.where, p.key, f"{p.message} (simulating {_named(scenario)} in {month})",
                                      role=p.role) for p in exc.problems], exc.hidden) from None
        warnings.extend(result.warnings)
        paid = result.payouts[["collector_id", "plan", *PAYOUT_MONEY_COLUMNS]].copy()
        paid.insert(0, "month", str(month))
        payouts.append(paid)
        buckets.append(_bucket_costs(result, history.rows_between(month.start, month.end), month, ages))
        caps.append(_cap_cuts(result, month))
        state, state_period, source = result.state, month, f"the balances simulated for {month}"
    progress(f"simulating {scenario.label}", len(months), len(months))
    return _plan_run(scenario, payouts, buckets, caps, state, warnings, ages)


def _named(scenario: Scenario) -> str:
    if scenario.kind == TODAY:
        return "what is paid today"
    return f"{scenario.label} ({scenario.new_plan.source})" if scenario.kind == REPLACE else scenario.label


def _replaced_collectors(scenario: Scenario, history: History) -> Optional[list]:
    """Who the replacement pays (they get the targets a simulation adds); today: no one."""
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
