"""Simulation and lint for managers: what is paid today compared with candidate plans on the same real
history, and plans health-checked, with inputs loaded once through app.inputs.

A simulation request names the plans in force today (`inputs.policies`, as for a run: the roster's plan
column and the plans' effective dates say who is paid by which), the candidates to compare with today
(each paid to everyone), and replacements (`PLAN=FILE`: the collectors on PLAN paid by FILE, everyone
else as today). Without candidates or replacements, several plans and a roster that names no plan, the
request reads as it always did: each plan paid to everyone, the first the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import AbstractSet, Mapping, Optional, Sequence

from ..errors import InputError, Names, Problem, named_as, option, plain, with_names
from ..inputs import load_state
from ..money import MoneyError, parse_decimal, parse_money, parse_rate
from ..outputs.owners import only_files
from ..periods import Period
from ..policy import Policy, load_policy, plan_files
from ..simulation import Comparison, build_comparison
from ..simulation.lint import LintWarning, evidence_from, lint_policy
from ..simulation.replay import (REPLACE, Candidate, History, Progress, Scenario, always_in_force, candidates_of,
                                 everyone, no_progress, prepare_history, replacement, simulated_months,
                                 today_scenario)
from ..simulation.report_files import REPORT_FILES, Written, write_comparison
from ..simulation.scenarios import Opening, check_scenarios, run_scenario
from ..simulation.sweep import parse_sweeps
from .cluster import Engine, task_map
from .inputs import InputPaths, load_inputs, rows_of


@dataclass(frozen=True)
class SimulationRequest:
    """What a simulation reads: the plans in force today and the history files (`inputs`), the candidates
    (files or folders, each plan paid to everyone), replacements ('PLAN=FILE'), the state file the run for
    the month before the first simulated month left (opening balances), and which months to report how."""

    inputs: InputPaths
    periods: Sequence[Period] = ()
    by: str = "month"
    candidates: Sequence[Path] = ()
    replacements: Sequence[str] = ()
    state: Optional[Path] = None
    #: Inputs people know by another name than their path ({path: name}: a server's restored copies, by
    #: the names they were uploaded with): the notes and warnings written name them so.
    known_as: Mapping[str, str] = field(default_factory=dict)
    #: Only these collectors' rows of the ledger, roster and side files (a manager's team); None: everyone.
    collectors: Optional[AbstractSet[str]] = None


@dataclass(frozen=True, eq=False)
class SimulationInputs:
    """The scenarios (the first is the baseline) and the history every one of them is run on, the months
    and how they are reported, the opening balances, and notes on the assumptions made."""

    scenarios: list[Scenario]
    history: History
    months: list[Period]
    report_of: dict
    notes: list[str]
    opening: Optional[Opening] = None
    today: tuple[Policy, ...] = ()
    legacy: bool = False

    @property
    def candidates(self) -> list[Candidate]:
        """The scenarios that pay one plan to everyone, as candidates."""
        return [s.candidate for s in self.scenarios if s.candidate is not None]

    @property
    def texts(self) -> dict:
        return {p.source: p.text for s in self.scenarios for p in s.written}


def load_plans(paths: Sequence[Path], role: str = "policy") -> list[Policy]:
    """Every plan file given (folders expanded). All must pay in one currency."""
    files = plan_files(paths)
    if not files:
        raise InputError([Problem(", ".join(map(str, paths)), "", "no plan files (.yaml) found", role=role)])
    problems, policies = [], []
    for path in files:
        try:
            policies.append(load_policy(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    check_currency(policies)
    return policies


def check_currency(policies: Sequence[Policy]) -> None:
    currencies = sorted({(p.currency, p.minor_units) for p in policies})
    if len(currencies) > 1:
        raise InputError([Problem(", ".join(p.source for p in policies), "currency", "plans compared must pay in one "
                                  "currency; found " + ", ".join(c for c, _ in currencies))])


def plan_text(policy: Policy) -> str:
    if policy.text:
        return policy.text
    try:
        return Path(policy.source).read_text(encoding="utf-8")
    except OSError:
        return ""


def parse_replacement(text: str) -> tuple[str, Path]:
    plan, sep, file = text.partition("=")
    if not sep or not plan.strip() or not file.strip():
        raise InputError([Problem("", "", f"{text!r}: write PLAN=FILE, e.g. card-tiered=new-tiers.yaml (the "
                                  "collectors the roster puts on plan card-tiered are paid by new-tiers.yaml)",
                                  role="replace")])
    return plan.strip(), Path(file.strip())


@dataclass(frozen=True)
class _Plans:
    today: list[Policy]
    candidates: list[Policy]
    replacements: list[tuple[str, Policy]]

    @property
    def every(self) -> list[Policy]:
        return [*self.today, *self.candidates, *(p for _, p in self.replacements)]


def _load_all_plans(request: SimulationRequest) -> _Plans:
    problems = []
    today, candidates, replacements = [], [], []
    for paths, role, into in ((request.inputs.policies, "policy", today),
                              (request.candidates, "candidate", candidates)):
        if not paths:
            continue
        try:
            into.extend(load_plans(paths, role))
        except InputError as exc:
            problems.extend(exc.problems)
    for text in request.replacements:
        try:
            plan, path = parse_replacement(text)
            replacements.append((plan, load_policy(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    plans = _Plans(today, candidates, replacements)
    check_currency(plans.every)
    return plans


def _is_legacy(request: SimulationRequest, plans: _Plans, roster) -> bool:
    """The request as simulate read it before today was a scenario: several plans, no candidate, and no
    roster plan column that could say who is on which."""
    if request.candidates or request.replacements or len({p.plan for p in plans.today}) < 2:
        return False
    return roster is None or not (roster["plan"] != "").any()


def _history(request: SimulationRequest, policies: Sequence[Policy], progress: Progress = no_progress):
    """(history, months, report_of) from the request's files: the same inputs for today and every candidate."""
    progress("loading inputs", 0, 1)
    inputs = load_inputs(request.inputs, policies)
    history = prepare_history(inputs.ledger.frame, inputs.roster_frame, inputs.side(), policies[0].currency,
                              policies[0].minor_units)
    months, report_of = simulated_months(history, request.periods, request.by)
    progress("loading inputs", 1, 1)
    return history, months, report_of


def _only(history: History, collectors: AbstractSet[str]) -> History:
    """The history of these collectors alone (a manager's team): their rows of the ledger as given, of the
    roster and of the side inputs. Split credit is applied again to their rows alone, so a payment split
    with someone outside `collectors` may differ by one minor unit where its remainder went."""
    roster, side = history.roster, history.side
    return prepare_history(rows_of(history.source, collectors).reset_index(drop=True),
                           roster.loc[roster.index.isin(collectors)] if roster is not None else None,
                           replace(side, targets=rows_of(side.targets, collectors),
                                   assignments=rows_of(side.assignments, collectors),
                                   events=rows_of(side.events, collectors)),
                           history.currency, history.minor_units)


def _opening(request: SimulationRequest, policies: Sequence[Policy], first: Period) -> tuple[Optional[Opening], list]:
    if request.state is None:
        return None, []
    loaded = load_state(request.state, policies[0].minor_units, policies[0].currency)
    if loaded.period.end + timedelta(days=1) != first.start:
        raise InputError([Problem(str(request.state), "period", f"holds the balances left by the run for "
                                  f"{loaded.period}, but the first month simulated is {first}: give the state.json "
                                  f"of the run for the month before {first}, or simulate from the month after "
                                  f"{loaded.period}", role="state")])
    notes = [] if loaded.intact else [f"the state file {request.state} was changed after its run wrote it: "
                                      f"{loaded.changed}"]
    frame = loaded.frame if request.collectors is None else rows_of(loaded.frame, request.collectors)
    return Opening(loaded.period, frame, str(request.state)), notes


def load_simulation(request: SimulationRequest, progress: Progress = no_progress) -> SimulationInputs:
    """Load the plans, the ledger and the side inputs once, work out the months, and set up the scenarios:
    today first (the baseline), then each candidate and each replacement."""
    plans = _load_all_plans(request)
    if not plans.today:
        raise InputError([Problem("", "", "give the plans in force today", role="policy")])
    history, months, report_of = _history(request, plans.every, progress)
    opening, state_notes = _opening(request, plans.today, months[0])
    legacy = _is_legacy(request, plans, history.roster)
    if legacy:
        scenarios = [everyone(c) for c in candidates_of(plans.today)]
        head = [f"every plan given with {option('policy')} is paid to everyone and taken as in force on every day; "
                f"the first ({scenarios[0].label}) is the baseline. The roster names no plan, so what is paid today "
                f"cannot be worked out: to compare with today, give the roster's plan column, and the other plans "
                f"with {option('candidate')}"]
    else:
        scenarios = [today_scenario(plans.today)]
        labels = [scenarios[0].label]
        for candidate in candidates_of(plans.candidates) if plans.candidates else []:
            labels.append(candidate.label)
            scenarios.append(everyone(candidate))
        for plan, new in plans.replacements:
            scenario = replacement(plans.today, plan, new)
            labels.append(scenario.label)
            scenarios.append(scenario)
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise InputError([Problem("", "", f"{duplicates[0]} is given twice; give each candidate once",
                                      role="candidate")])
        check_scenarios(scenarios, history)
        head = ["today (the baseline) is what the roster's plan column and the plans' effective dates pay: each "
                "month paid as `commission run` pays it (the version of each plan in force on the month's last "
                "day)" if history.roster is not None and (history.plans() != "").any() else
                "today (the baseline) is what the plan given pays everyone, each month paid as `commission run` "
                "pays it"]
        if plans.candidates:
            head.append("a candidate pays every collector (the roster's plan column is not used) and is taken as in "
                        "force on every day (effective dates are not used)")
        if plans.replacements:
            head.append("a replacement (PLAN \u2192 new plan) pays the collectors on PLAN by the new plan, taken as in "
                        "force on every day; everyone else is paid as today")
    balances = (f"balances (holdbacks, carried negatives, draws) start from those the run for {opening.period} left "
                f"({opening.source}) and carry from month to month" if opening is not None else
                "balances (holdbacks, carried negatives, draws) start from zero in the first month simulated and "
                f"carry from month to month (give {option('state')} to start from the balances a run left)")
    if request.collectors is not None:  # checked and months worked out on everyone; run on the team alone
        history = _only(history, request.collectors)
    return SimulationInputs(scenarios=scenarios, history=history, months=months, report_of=report_of,
                            notes=[*head, balances, *state_notes], opening=opening, today=tuple(plans.today),
                            legacy=legacy)


def sweep_base(loaded: SimulationInputs) -> Scenario:
    """The scenario whose plan a sweep varies: the first candidate or replacement; else the baseline's one plan."""
    if len(loaded.scenarios) > 1:
        return loaded.scenarios[1]
    base = loaded.scenarios[0]
    if base.kind != "today":
        return base
    plans = sorted({p.plan for p in base.policies})
    if len(plans) > 1:
        raise InputError([Problem("", "", f"varies one plan: today has several ({', '.join(plans)}); give the plan to "
                                  f"vary with {option('candidate')} FILE or {option('replace')} PLAN=FILE",
                                  role="sweep")])
    last = loaded.months[-1].end
    current = max((p for p in base.policies if p.effective_from <= last), key=lambda p: (p.effective_from, p.version),
                  default=base.policies[0])
    return Scenario(f"{current.plan} v{current.version}", REPLACE,
                    (always_in_force(current),), replaced=current.plan, new_plan=current)


@dataclass(frozen=True, eq=False)
class SimulationReport:
    """A comparison and the files written for it."""

    comparison: Comparison
    written: Written
    legacy: bool = False

    @property
    def folder(self) -> Path:
        return self.written.folder


def simulate_plans(request: SimulationRequest, out_dir: Path, sweeps: Sequence[str] = (),
                   elasticity: Optional[str] = None, base_salary: Optional[str] = None, lang: str = "en+zh",
                   title: Optional[str] = None, progress: Progress = no_progress,
                   engine: Engine = Engine(), names: Names = plain) -> SimulationReport:
    """Compare today with the candidates on the history and write the report (workbook, HTML, charts,
    lint.txt) to `out_dir`; the folder and the options are checked before the work. The scenarios and the
    sweep's points run as independent tasks where `engine` says (here, or on a Dask cluster). The notes
    name inputs and options as the interface that asked does (`names`: the CLI its flags)."""
    only_files(REPORT_FILES)(Path(out_dir))
    factor = parse_elasticity(elasticity)
    loaded = load_simulation(request, progress)
    salary = parse_amount(base_salary, "base-salary", loaded.history.minor_units)
    base = sweep_base(loaded) if sweeps else None
    parsed_sweeps = parse_sweeps(sweeps, base.written[0]) if sweeps else []
    with task_map(engine) as tasks:
        comparison = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of,
                                      sweeps=parsed_sweeps, elasticity=factor, base_salary=salary,
                                      notes=[named_as(with_names(note, names), request.known_as)
                                             for note in loaded.notes],
                                      opening=loaded.opening, sweep_base=base, progress=progress,
                                      tasks=tasks)
    if request.known_as:
        comparison = replace(comparison, known_as=dict(request.known_as), lint=tuple(
            replace(w, where=named_as(w.where, request.known_as)) for w in comparison.lint))
    written = write_comparison(comparison, out_dir, lang, title, progress=progress)
    return SimulationReport(comparison, written, loaded.legacy)


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
    """Health-check each plan; with ledgers, each plan is first simulated on them, paid to everyone (for the
    checks that need real pay: cap-binds, variable-pay-share)."""
    plans = load_plans(request.inputs.policies)
    share = parse_share(max_variable_share, "max-variable-share")
    salary = parse_amount(base_salary, "base-salary", plans[0].minor_units)
    evidence = {}
    if request.inputs.ledgers:
        history, months, _ = _history(request, plans)
        for candidate in candidates_of(plans):
            run, _ = run_scenario(everyone(candidate), history, months)
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
