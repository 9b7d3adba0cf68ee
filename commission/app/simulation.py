"""Wiring for `commission simulate` and `commission lint`: read the files the options name, once, into a
simulation History. No business rules here (commission.simulation holds them)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Optional, Sequence

from ..engine import SideInputs
from ..errors import InputError, Problem
from ..inputs import check_roster_covers, load_events, load_ledger, load_period_values, load_roster
from ..money import MoneyError, parse_decimal, parse_money, parse_rate
from ..periods import Period
from ..policy import Policy, load_policy, plan_files
from ..simulation.replay import (Candidate, History, candidates_of, fill_months_not_employed, prepare_history,
                             simulated_months)


@dataclass(frozen=True)
class SimulationRequest:
    """The files and settings a simulation reads, as the user named them."""

    policies: Sequence[Path]
    ledgers: Sequence[Path]
    roster: Optional[Path] = None
    targets: Optional[Path] = None
    assignments: Optional[Path] = None
    events: Optional[Path] = None
    periods: Sequence[Period] = ()
    by: str = "month"


@dataclass(frozen=True, eq=False)
class Loaded:
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


def load_simulation(request: SimulationRequest, policies: Optional[Sequence[Policy]] = None) -> Loaded:
    """Load the plans, the ledger and the side inputs once, and work out the months to simulate."""
    policies = list(policies) if policies is not None else load_plans(request.policies)
    candidates = candidates_of(policies)
    minor, currency = policies[0].minor_units, policies[0].currency
    key_columns = list(dict.fromkeys(column for p in policies for column in p.ledger_columns()))
    ledger = load_ledger(request.ledgers, minor, key_columns)
    roster = load_roster(request.roster) if request.roster else None
    if roster is not None:
        check_roster_covers(ledger, roster)
    targets = load_period_values(request.targets, "targets", "target", minor).frame if request.targets else None
    assignments = load_period_values(request.assignments, "assignments", "assigned_balance", minor).frame \
        if request.assignments else None
    events = load_events(request.events).frame if request.events else None
    roster_frame = roster.frame if roster is not None else None
    side = SideInputs(targets=targets, assignments=assignments, events=events)
    history = prepare_history(ledger.frame, roster_frame, side, currency, minor)
    months, report_of = simulated_months(history, request.periods, request.by)
    notes = ["every plan pays every collector (the roster's plan column is not used) and is taken as in force "
             "on every day (effective dates are not used)",
             "balances (holdbacks, carried negatives, draws) start from zero in the first month simulated and "
             "carry from month to month"]
    filled = {}
    targets, filled["targets"] = fill_months_not_employed(targets, "target", roster_frame, months)
    assignments, filled["assigned balances"] = fill_months_not_employed(assignments, "assigned_balance",
                                                                        roster_frame, months)
    if any(filled.values()):
        history = prepare_history(ledger.frame, roster_frame, SideInputs(targets=targets, assignments=assignments,
                                                                         events=events), currency, minor)
        for what, count in filled.items():
            if count:
                notes.append(f"{count} monthly {what} added for months in which the collector was not employed at "
                             "all (the value of their nearest earlier month, else the next later one), so that "
                             "quarterly targets can be built and prorated for joiners and leavers")
    texts = {c.label: plan_text(p) for c, p in zip(candidates, policies)}
    return Loaded(candidates=candidates, texts=texts, history=history, months=months, report_of=report_of,
                  notes=notes)


def parse_elasticity(text: Optional[str]) -> Optional[Fraction]:
    if text is None:
        return None
    try:
        return Fraction(parse_decimal(text))
    except MoneyError:
        raise InputError([Problem("", "", f"{text!r} is not a number; write e.g. 0.5 or 2 (percent "
                                  "more recovery per percentage point of marginal rate)", role="elasticity")]) from None


def parse_amount(text: Optional[str], option: str, minor_units: int) -> Optional[int]:
    if text is None:
        return None
    try:
        amount = parse_money(text, minor_units)
    except MoneyError as exc:
        raise InputError([Problem(option, "", f"{exc}; write an amount such as 6000.00")]) from None
    if amount < 0:
        raise InputError([Problem(option, "", "must not be negative")])
    return amount


def parse_share(text: str, option: str) -> Fraction:
    try:
        share = parse_rate(text)
    except MoneyError as exc:
        raise InputError([Problem(option, "", f"{exc}; write a percentage such as 50%")]) from None
    if not 0 < share <= 1:
        raise InputError([Problem(option, "", "must be above 0% and at most 100%")])
    return share
