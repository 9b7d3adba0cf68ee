"""Everything a comparison report shows, computed from a simulation (pure: no files, no clock).

`build_comparison` runs the scenarios over the history (the first, today, is the baseline), then derives
every table: cost per scenario and period, the per-collector and per-team comparison with today,
winners and losers, the pay distribution, cost by bucket, the payout curves, the plan health check, an
optional sweep and an optional behavioural what-if. `report_files` turns it into a workbook, an HTML
page, charts and lint.txt.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Optional, Sequence

import pandas as pd

from ..periods import Period
from ..policy import Policy, plan_in_force
from . import compare
from .behaviour import Behavioural, behavioural_run
from .curves import Curves, payout_curves
from .lint import LintWarning, evidence_from, lint_policy
from .replay import (EVERYONE, REPLACE, TODAY, Candidate, History, PlanRun, Progress, Scenario, TaskMap,
                     always_in_force, as_scenario, in_process, no_progress)
from .scenarios import Opening, Simulation, run_scenario, simulate
from .sweep import Sweep, Variant, grid


@dataclass(frozen=True, eq=False)
class SweepResult:
    """One row per grid point: the swept values (text), recovered, cost, cost-to-collect, the change in
    cost from the baseline; with an elasticity also the behavioural recovered, cost and cost-to-collect."""

    plan: str
    sweeps: tuple[Sweep, ...]
    table: pd.DataFrame
    baseline_cost: int = 0


@dataclass(frozen=True, eq=False)
class Comparison:
    simulation: Simulation
    summary: pd.DataFrame
    costs: pd.DataFrame
    collectors: pd.DataFrame
    winners: pd.DataFrame
    teams: pd.DataFrame
    largest: pd.DataFrame
    distribution: pd.DataFrame
    buckets: pd.DataFrame
    curves: Optional[Curves]
    lint: tuple[LintWarning, ...]
    sweep: Optional[SweepResult] = None
    elasticity: Optional[Fraction] = None
    behaviour: Optional[pd.DataFrame] = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    today_plans: Optional[pd.DataFrame] = None
    #: curve label -> the scenario it belongs to (the curves of today's plans all belong to today)
    curve_scenario: dict = field(default_factory=dict)
    #: Inputs people know by another name than their path ({path: name}): the About rows name them so.
    known_as: dict = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.simulation.history.currency

    @property
    def minor_units(self) -> int:
        return self.simulation.history.minor_units

    @property
    def labels(self) -> list[str]:
        return self.simulation.labels

    @property
    def baseline_is_today(self) -> bool:
        return self.simulation.baseline.scenario.kind == TODAY

    @property
    def engine_warnings(self) -> list[tuple[str, str]]:
        """(scenario, warning) of every engine warning, each once."""
        return [(run.label, message) for run in self.simulation.runs for message in run.warnings]


def recovered_by_collector_month(run: PlanRun) -> pd.DataFrame:
    return run.payouts[["month", "collector_id", "recovered"]]


def curve_plans(sim: Simulation) -> tuple[list[Candidate], dict, dict]:
    """The plans the payout curves draw, as (label, plan) pairs: each plan of today in force at the end of
    the simulated months (`today: plan vN`), each candidate, each replacement's new plan. Also
    (scenario label, plan id or '') -> curve label, and curve label -> scenario label."""
    last_day = sim.months[-1].end
    plans, curve_of, scenario_of = [], {}, {}
    for run in sim.runs:
        scenario = run.scenario
        if scenario.kind == EVERYONE:
            items = [("", scenario.label, scenario.policies[0])]
        elif scenario.kind == REPLACE:
            items = [("", scenario.label, scenario.new_plan)]
        else:
            paid = list(dict.fromkeys(run.payouts["plan"]))
            items = []
            for plan in paid:
                policy = plan_in_force(scenario.policies, plan, last_day) or \
                    max((p for p in scenario.policies if p.plan == plan), key=lambda p: p.effective_from)
                items.append((plan, f"{scenario.label}: {policy.plan} v{policy.version}", policy))
        for plan, label, policy in items:
            curve_of[(scenario.label, plan)] = label
            if label not in scenario_of:
                scenario_of[label] = scenario.label
                plans.append(Candidate(label, always_in_force(policy)))
    return plans, curve_of, scenario_of


def lint_scenarios(sim: Simulation, base_salary: Optional[int], texts: Optional[dict] = None) -> list[LintWarning]:
    """Every plan of every scenario, checked once (with the evidence of the collector-months it paid)."""
    texts = texts or {}
    warnings, seen_plans, seen = [], set(), set()
    for run in sim.runs:
        scenario = run.scenario
        for policy in scenario.written:
            key = (policy.plan, policy.version, policy.sha256)  # the same plan given twice is checked once
            if key in seen_plans:
                continue
            seen_plans.add(key)
            paid_as = scenario.replaced if scenario.kind == REPLACE else policy.plan
            text = policy.text or texts.get(policy.source, "") or texts.get(run.label, "")
            for warning in lint_policy(policy, text, evidence_from(run.of_plan(paid_as)), base_salary):
                if (warning.code, warning.where, warning.message) not in seen:
                    seen.add((warning.code, warning.where, warning.message))
                    warnings.append(warning)
    return warnings


def build_comparison(scenarios: Sequence, history: History, months: Sequence[Period], report_of: dict,
                     *, texts: Optional[dict] = None, sweeps: Sequence[Sweep] = (),
                     elasticity: Optional[Fraction] = None, base_salary: Optional[int] = None,
                     notes: Sequence[str] = (), opening: Optional[Opening] = None,
                     sweep_base: Optional[Scenario] = None, progress: Progress = no_progress,
                     tasks: TaskMap = in_process) -> Comparison:
    """Simulate the scenarios (the first is the baseline; Candidates are paid to everyone) and compute
    every table of the report. `sweep_base` is the scenario whose plan `sweeps` vary (default: the
    first candidate, else the baseline). The scenarios' runs and the sweep's points are independent tasks
    of `tasks`: here, one after the other, or on a cluster (app.cluster)."""
    scenarios = [as_scenario(s) for s in scenarios]
    sim = simulate(scenarios, history, months, report_of, notes, opening, progress, tasks)
    winners, teams, largest = compare.winners_losers(sim)
    recovered = recovered_by_collector_month(sim.baseline)
    plans, curve_of, scenario_of = curve_plans(sim)
    progress("payout curves", 0, 1)
    curves = payout_curves(plans, history, months, recovered["recovered"].to_numpy())
    progress("payout curves", 1, 1)
    warnings = lint_scenarios(sim, base_salary, texts)
    behaviour = None
    if elasticity is not None and curves is not None:
        runs = []
        for done, run in enumerate(sim.runs):
            progress("what-if with response", done, len(sim.runs))
            runs.append(behavioural_run(run.scenario, run, sim.baseline, curves, curve_of, history, months,
                                        elasticity, recovered, opening))
        progress("what-if with response", len(sim.runs), len(sim.runs))
        behaviour = behaviour_table(runs)
    sweep = None
    if sweeps:
        base = sweep_base or next((s for s in scenarios[1:]), scenarios[0])
        sweep = run_sweep(base, sweeps, history, months, elasticity, recovered, sim=sim, opening=opening,
                          progress=progress, tasks=tasks)
    return Comparison(simulation=sim, summary=compare.plan_summary(sim), costs=compare.cost_table(sim),
                      collectors=compare.collector_table(sim), winners=winners, teams=teams, largest=largest,
                      distribution=compare.distribution(sim), buckets=compare.bucket_table(sim), curves=curves,
                      lint=tuple(warnings), sweep=sweep, elasticity=elasticity, behaviour=behaviour,
                      notes=tuple(sim.notes) + (curves.notes if curves is not None else ()),
                      today_plans=compare.plans_of(sim.baseline) if sim.baseline.scenario.kind == TODAY else None,
                      curve_scenario=scenario_of)


def behaviour_table(results: Sequence[Behavioural]) -> pd.DataFrame:
    """Static beside behavioural, per scenario: recovered, cost and cost-to-collect under each."""
    rows = []
    for result in results:
        static_recovered = int(result.static.payouts["recovered"].sum())
        static_cost = int(result.static.payouts["net_payout"].sum())
        recovered = int(result.scaled.payouts["recovered"].sum())
        cost = int(result.scaled.payouts["net_payout"].sum())
        rows.append({"plan": result.static.label, "static_recovered": static_recovered, "static_cost": static_cost,
                     "static_cost_to_collect": compare.ratio(static_cost, static_recovered),
                     "behavioural_recovered": recovered, "behavioural_cost": cost,
                     "behavioural_cost_to_collect": compare.ratio(cost, recovered),
                     "recovery_change": compare.ratio(recovered - static_recovered, static_recovered)})
    return pd.DataFrame(rows)


def variant_scenario(base: Scenario, label: str, policy: Policy) -> Scenario:
    """A sweep point: the base scenario with its plan changed (for everyone, or as the same replacement)."""
    if base.kind == REPLACE:
        others = tuple(p for p in base.policies if p.plan != base.replaced)
        return Scenario(label, REPLACE, (*others, replace(always_in_force(policy), plan=base.replaced)),
                        base.replaced, policy)
    return Scenario(label, EVERYONE, (always_in_force(policy),))


@dataclass(frozen=True, eq=False)
class SweepInputs:
    """What every sweep point reads (sent once to each worker of a cluster): the scenario whose plan is
    varied, the history and months, the opening balances; with a simulation, the baseline's run, its cost
    and the recovery the behavioural what-if scales."""

    base: Scenario
    history: History
    months: tuple[Period, ...]
    opening: Optional[Opening] = None
    elasticity: Optional[Fraction] = None
    baseline: Optional[PlanRun] = None
    baseline_cost: Optional[int] = None
    report_of: dict = field(default_factory=dict)
    recovered: Optional[pd.DataFrame] = None


def sweep_point(inputs: SweepInputs, variant: Variant) -> dict:
    """One grid point's row of the sweep table, an independent task (top-level, so a cluster's workers find
    it by name): the point simulated over the months, its totals, and with an elasticity its what-if."""
    base, history, months = inputs.base, inputs.history, inputs.months
    scenario = variant_scenario(base, f"{base.label} [{variant.label}]", variant.policy)
    run, _ = run_scenario(scenario, history, months, inputs.opening)
    row = {f"value{i + 1}": text for i, text in enumerate(variant.texts)}
    row.update(_totals(run))
    if inputs.baseline_cost is not None:
        row["change_in_cost"] = row["cost"] - inputs.baseline_cost
    if inputs.elasticity is not None and inputs.baseline is not None:
        point = Simulation(runs=(inputs.baseline, run), months=months, report_of=inputs.report_of, history=history)
        plans, curve_of, _ = curve_plans(point)
        curves = payout_curves(plans, history, months, inputs.recovered["recovered"].to_numpy())
        if curves is not None:
            result = behavioural_run(scenario, run, inputs.baseline, curves, curve_of, history, months,
                                     inputs.elasticity, inputs.recovered, inputs.opening)
            row.update({f"behavioural_{k}": v for k, v in _totals(result.scaled).items()})
    row["values"] = variant.values
    return row


def run_sweep(base, sweeps: Sequence[Sweep], history: History, months: Sequence[Period],
              elasticity: Optional[Fraction], recovered: Optional[pd.DataFrame], *, sim: Optional[Simulation] = None,
              opening: Optional[Opening] = None, progress: Progress = no_progress,
              tasks: TaskMap = in_process) -> SweepResult:
    """Simulate every grid point of the sweeps on the base scenario's plan, each point an independent task
    of `tasks`; with a simulation, each point's change in cost from its baseline."""
    base = as_scenario(base)
    variants = grid(base.written[0], sweeps)
    baseline_cost = int(sim.baseline.payouts["net_payout"].sum()) if sim is not None else None
    inputs = SweepInputs(base, history, tuple(months), opening, elasticity,
                         sim.baseline if sim is not None else None, baseline_cost,
                         dict(sim.report_of) if sim is not None else {}, recovered)
    progress("sweep", 0, len(variants))
    rows = tasks(sweep_point, variants, shared=inputs, done=lambda k: progress("sweep", k, len(variants)))
    return SweepResult(plan=base.label, sweeps=tuple(sweeps), table=pd.DataFrame(rows),
                       baseline_cost=baseline_cost or 0)


def _totals(run: PlanRun) -> dict:
    recovered = int(run.payouts["recovered"].sum())
    cost = int(run.payouts["net_payout"].sum())
    return {"recovered": recovered, "cost": cost, "cost_to_collect": compare.ratio(cost, recovered)}
