"""Simulation and lint for managers: candidate plans run on the same real history and compared, and
plans health-checked, with inputs loaded once through app.inputs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError, Problem, option
from ..money import MoneyError, parse_decimal, parse_money, parse_rate
from ..outputs.owners import only_files
from ..periods import Period
from ..policy import Policy, load_policy, plan_files
from ..simulation import Comparison, build_comparison
from ..simulation.lint import LintWarning, evidence_from, lint_policy
from ..simulation.replay import (Candidate, History, candidates_of, fill_months_not_employed, prepare_history,
                                 run_plan, simulated_months)
from ..simulation.report_files import REPORT_FILES, write_comparison
from ..simulation.sweep import parse_sweeps
from .inputs import InputPaths, load_inputs


@dataclass(frozen=True)
class SimulationRequest:
    """What a simulation reads: the candidate plans and history files, and which months to report how."""

    inputs: InputPaths
    periods: Sequence[Period] = ()
    by: str = "month"


@dataclass(frozen=True, eq=False)
class SimulationInputs:
    """The candidates and the history every one of them is run on, the months and how they are reported,
    and notes on the assumptions made."""

    candidates: list[Candidate]
    texts: dict  # plan label -> the plan file's text (for lint silencing comments)
    history: History
    months: list[Period]
    report_of: dict
    notes: list[str]


def load_plans(paths: Sequence[Path]) -> list[Policy]:
    """Every plan file given (folders expanded); each is one candidate. All must pay in one currency."""
    files = plan_files(paths)
    if not files:
        raise InputError([Problem(", ".join(map(str, paths)), "", "no plan files (.yaml) found", role="policy")])
    problems, policies = [], []
    for path in files:
        try:
            policies.append(load_policy(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    currencies = sorted({(p.currency, p.minor_units) for p in policies})
    if len(currencies) > 1:
        raise InputError([Problem(", ".join(p.source for p in policies), "currency", "plans compared must pay in one "
                                  "currency; found " + ", ".join(c for c, _ in currencies))])
    return policies


def plan_text(policy: Policy) -> str:
    try:
        return Path(policy.source).read_text(encoding="utf-8")
    except OSError:
        return ""


def load_simulation(request: SimulationRequest, policies: Optional[Sequence[Policy]] = None) -> SimulationInputs:
    """Load the plans, the ledger and the side inputs once, and work out the months to simulate."""
    policies = list(policies) if policies is not None else load_plans(request.inputs.policies)
    candidates = candidates_of(policies)
    inputs = load_inputs(request.inputs, policies)
    minor, currency = policies[0].minor_units, policies[0].currency
    side, roster = inputs.side(), inputs.roster_frame
    history = prepare_history(inputs.ledger.frame, roster, side, currency, minor)
    months, report_of = simulated_months(history, request.periods, request.by)
    notes = ["every plan pays every collector (the roster's plan column is not used) and is taken as in force "
             "on every day (effective dates are not used)",
             "balances (holdbacks, carried negatives, draws) start from zero in the first month simulated and "
             "carry from month to month"]
    filled = {}
    targets, filled["targets"] = fill_months_not_employed(side.targets, "target", roster, months)
    assignments, filled["assigned balances"] = fill_months_not_employed(side.assignments, "assigned_balance",
                                                                        roster, months)
    if any(filled.values()):
        history = prepare_history(inputs.ledger.frame, roster, replace(side, targets=targets, assignments=assignments),
                                  currency, minor)
        for what, count in filled.items():
            if count:
                notes.append(f"{count} monthly {what} added for months in which the collector was not employed at "
                             "all (the value of their nearest earlier month, else the next later one), so that "
                             "quarterly targets can be built and prorated for joiners and leavers")
    texts = {c.label: plan_text(p) for c, p in zip(candidates, policies)}
    return SimulationInputs(candidates=candidates, texts=texts, history=history, months=months,
                            report_of=report_of, notes=notes)


def simulate_plans(request: SimulationRequest, out_dir: Path, sweeps: Sequence[str] = (),
                   elasticity: Optional[str] = None, base_salary: Optional[str] = None, lang: str = "en+zh",
                   title: Optional[str] = None) -> tuple[Comparison, Path]:
    """Compare the candidate plans on the history and write the report (workbook, HTML, charts) to
    `out_dir`; the folder is checked before the work."""
    only_files(REPORT_FILES)(Path(out_dir))
    policies = load_plans(request.inputs.policies)
    parsed_sweeps = parse_sweeps(sweeps, policies[0])
    factor = parse_elasticity(elasticity)
    salary = parse_amount(base_salary, "base-salary", policies[0].minor_units)
    loaded = load_simulation(request, policies)
    comparison = build_comparison(loaded.candidates, loaded.history, loaded.months, loaded.report_of,
                                  texts=loaded.texts, sweeps=parsed_sweeps, elasticity=factor, base_salary=salary,
                                  notes=loaded.notes)
    return comparison, write_comparison(comparison, out_dir, lang, title)


@dataclass(frozen=True)
class LintReport:
    """Every warning on the plans (silenced ones marked), and which checks could not run and why."""

    plans: int
    warnings: list[LintWarning]
    not_checked: list[str] = field(default_factory=list)

    @property
    def active(self) -> list[LintWarning]:
        return [w for w in self.warnings if not w.silenced]


def lint_plans(request: SimulationRequest, max_variable_share: str = "50%",
               base_salary: Optional[str] = None) -> LintReport:
    """Health-check each plan; with ledgers, each plan is first simulated on them (for the checks that
    need real pay: cap-binds, variable-pay-share)."""
    plans = load_plans(request.inputs.policies)
    share = parse_share(max_variable_share, "max-variable-share")
    salary = parse_amount(base_salary, "base-salary", plans[0].minor_units)
    evidence = {}
    if request.inputs.ledgers:
        loaded = load_simulation(request, plans)
        for candidate in loaded.candidates:
            run = run_plan(candidate, loaded.history, loaded.months, [c.policy for c in loaded.candidates])
            evidence[candidate.policy.source] = evidence_from(run)
    elif request.inputs.side_files_given() or request.periods:
        raise InputError([Problem("", "", "the other input files are read only with a ledger; give "
                                  f"{option('ledger')}", role="ledger")])
    warnings = [warning for policy in plans
                for warning in lint_policy(policy, plan_text(policy), evidence.get(policy.source), salary, share)]
    not_checked = ([f"variable-pay-share not checked (give {option('base-salary')})"] if salary is None else []) + \
        ([f"cap-binds not checked (give {option('ledger')})"] if not request.inputs.ledgers else [])
    return LintReport(len(plans), warnings, not_checked)


def parse_elasticity(text: Optional[str]) -> Optional[Fraction]:
    if text is None:
        return None
    try:
        return Fraction(parse_decimal(text))
    except MoneyError:
        raise InputError([Problem("", "", f"{text!r} is not a number; write e.g. 0.5 or 2 (percent "
                                  "more recovery per percentage point of marginal rate)", role="elasticity")]) from None


def parse_amount(text: Optional[str], role: str, minor_units: int) -> Optional[int]:
    if text is None:
        return None
    try:
        amount = parse_money(text, minor_units)
    except MoneyError as exc:
        raise InputError([Problem("", "", f"{exc}; write an amount such as 6000.00", role=role)]) from None
    if amount < 0:
        raise InputError([Problem("", "", "must not be negative", role=role)])
    return amount


def parse_share(text: str, role: str) -> Fraction:
    try:
        share = parse_rate(text)
    except MoneyError as exc:
        raise InputError([Problem("", "", f"{exc}; write a percentage such as 50%", role=role)]) from None
    if not 0 < share <= 1:
        raise InputError([Problem("", "", "must be above 0% and at most 100%", role=role)])
    return share
