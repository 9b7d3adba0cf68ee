"""Everything a comparison report shows, computed from a simulation (pure: no files, no clock).

`build_comparison` runs the candidates over the history, then derives every table: cost per plan and
period, the per-collector comparison, winners and losers, the pay distribution, cost by bucket, the
payout curves, the plan health check, an optional sweep and an optional behavioural what-if. The
outputs layer (commission.outputs.comparison) turns it into a workbook, an HTML page and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional, Sequence

import pandas as pd

from ..periods import Period
from . import compare
from .behaviour import Behavioural, behavioural_run
from .curves import Curves, payout_curves
from .lint import LintWarning, evidence_from, lint_policy
from .replay import Candidate, History, PlanRun, Simulation, run_plan, simulate
from .sweep import Sweep, grid


@dataclass(frozen=True, eq=False)
class SweepResult:
    """One row per grid point: the swept values (text), recovered, cost, cost-to-collect; with an
    elasticity also the behavioural recovered, cost and cost-to-collect."""

    plan: str
    sweeps: tuple[Sweep, ...]
    table: pd.DataFrame


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

    @property
    def currency(self) -> str:
        return self.simulation.history.currency

    @property
    def minor_units(self) -> int:
        return self.simulation.history.minor_units

    @property
    def labels(self) -> list[str]:
        return self.simulation.labels


def recovered_by_collector_month(run: PlanRun) -> pd.DataFrame:
    return run.payouts[["month", "collector_id", "recovered"]]


def build_comparison(candidates: Sequence[Candidate], history: History, months: Sequence[Period], report_of: dict,
                     *, texts: Optional[dict] = None, sweeps: Sequence[Sweep] = (),
                     elasticity: Optional[Fraction] = None, base_salary: Optional[int] = None,
                     notes: Sequence[str] = ()) -> Comparison:
    """Simulate the candidates (the first is the baseline) and compute every table of the report."""
    sim = simulate(candidates, history, months, report_of, notes)
    winners, teams, largest = compare.winners_losers(sim)
    recovered = recovered_by_collector_month(sim.baseline)
    curves = payout_curves(candidates, history, months, recovered["recovered"].to_numpy())
    texts = texts or {}
    warnings = []
    for run in sim.runs:
        warnings += lint_policy(run.candidate.policy, texts.get(run.label, ""), evidence_from(run), base_salary)
    behaviour = None
    if elasticity is not None and curves is not None:
        behaviour = behaviour_table([behavioural_run(c, r, sim.labels[0], curves, history, months, elasticity,
                                                     recovered) for c, r in zip(candidates, sim.runs)])
    sweep = run_sweep(candidates[0], sweeps, history, months, elasticity, recovered) if sweeps else None
    return Comparison(simulation=sim, summary=compare.plan_summary(sim), costs=compare.cost_table(sim),
                      collectors=compare.collector_table(sim), winners=winners, teams=teams, largest=largest,
                      distribution=compare.distribution(sim), buckets=compare.bucket_table(sim), curves=curves,
                      lint=tuple(warnings), sweep=sweep, elasticity=elasticity, behaviour=behaviour,
                      notes=tuple(notes) + (curves.notes if curves is not None else ()))


def behaviour_table(results: Sequence[Behavioural]) -> pd.DataFrame:
    """Static beside behavioural, per plan: recovered, cost and cost-to-collect under each."""
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


def run_sweep(base: Candidate, sweeps: Sequence[Sweep], history: History, months: Sequence[Period],
              elasticity: Optional[Fraction], recovered: pd.DataFrame) -> SweepResult:
    """Simulate every grid point of the sweeps on the base plan (the first --policy)."""
    rows = []
    for variant in grid(base.policy, sweeps):
        candidate = Candidate(f"{base.label} [{variant.label}]", variant.policy)
        run = run_plan(candidate, history, months, [base.policy])
        row = {f"value{i + 1}": text for i, text in enumerate(variant.texts)}
        row.update(_totals(run))
        if elasticity is not None:
            curves = payout_curves([base, candidate], history, months, recovered["recovered"].to_numpy())
            if curves is not None:
                result = behavioural_run(candidate, run, base.label, curves, history, months, elasticity, recovered)
                row.update({f"behavioural_{k}": v for k, v in _totals(result.scaled).items()})
        row["values"] = variant.values
        rows.append(row)
    return SweepResult(plan=base.label, sweeps=tuple(sweeps), table=pd.DataFrame(rows))


def _totals(run: PlanRun) -> dict:
    recovered = int(run.payouts["recovered"].sum())
    cost = int(run.payouts["net_payout"].sum())
    return {"recovered": recovered, "cost": cost, "cost_to_collect": compare.ratio(cost, recovered)}
