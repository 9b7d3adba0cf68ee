"""One registry of rule kinds: each kind of component or adjustment registers, in its own module, the
one function that books it and what the rest of the tool needs to know about it.

A rule function takes the run's `Booking` (context, item book, balances, the components paid) and the
rule, books its items and returns a `RuleOutput` (its payment-level lines and warnings); it never
appends to shared state. An unknown kind is an error, never booked as something else.

Besides booking, a kind says
- `words`: the rule in plain words for statements and explain, as (rule id, component, text) rows
  composed with `say(key, **values)`, the statements' translation function;
- `conduct`: the components whose pay it makes depend on conduct or quality (for lint);
- `lint`: checks of the plan that concern this kind, as (code, line, message) findings;
- `kinks`: the monthly recovery levels where it may make pay jump (for payout curves);
- `team`: whether it pays on a team's results (team-lead overrides), which partitioned runs and
  payout curves treat apart;
- `awards`: whether it pays no money and decides awards instead (a raise recommended, a benefit in
  kind granted): it books no item and returns its awards in `RuleOutput.awards`, so no payout, pay
  code or net can ever include them;
- `measures_recovery`: whether it measures the collector's recovery over its window (tiers, bonuses,
  gates, multipliers, raises, benefits). Under `reversals: {earlier_periods: recompute}` such a kind
  counts a reversal in the window of the payment it reverses (the earlier run, every kind that pays
  money, is recomputed: engine.recompute).
`book_rules` books a run's rules through their kinds, in plan order.
Adding a kind: its model and grammar in policy/, and one module in engine/rules/ that registers it here
(see docs/contributing.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Optional

import pandas as pd

from ...errors import ProblemCollector
from ..balances import Balances
from ..book import ItemBook
from ..context import RunContext


@dataclass(frozen=True)
class RuleOutput:
    """What booking a rule produced besides its items: payment-level lines, warnings to show, and the
    awards (raises, benefits in kind) of a kind that pays no money."""

    lines: Optional[pd.DataFrame] = None
    warnings: tuple[str, ...] = ()
    awards: Optional[pd.DataFrame] = None  # a kind that `awards`: its raises or benefits (engine.result)


@dataclass
class Booking:
    """What a rule may read and book into, in one run of one plan."""

    ctx: RunContext
    book: ItemBook
    balances: Balances
    paid: tuple  # the plan's components paid in this run, in plan order
    problems: ProblemCollector = field(default_factory=ProblemCollector)

    def targets(self, adjustment) -> list:
        """The paid components an adjustment applies to, in plan order."""
        return [c for c in self.paid if c.id in adjustment.applies_to]


Finding = tuple[str, int, str]  # (lint code, plan line, message)


@dataclass(frozen=True)
class RuleKind:
    kind: str
    book: Callable[[Booking, object], RuleOutput]
    adjusts: bool = False  # an adjustment (acts on components' totals) rather than a component
    words: Callable = lambda rule, policy, say: []
    conduct: Callable[[object], set] = lambda rule: set()
    lint: Callable[[object, object], list] = lambda rule, policy: []
    kinks: Callable[[object, object, int], list] = lambda rule, policy, target: []
    team: bool = False
    awards: bool = False  # pays no money: decides raises or benefits in kind, never items
    measures_recovery: bool = False  # measures the recovery of its window (see the module's docstring)


_KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> None:
    if kind.kind in _KINDS:
        raise RuntimeError(f"rule kind {kind.kind!r} registered twice")
    _KINDS[kind.kind] = kind


def rule_kind(kind: str) -> RuleKind:
    """The registered kind; an unknown one is a programming error (the plan grammar knows every kind)."""
    try:
        return _KINDS[kind]
    except KeyError:
        raise RuntimeError(f"no rule kind {kind!r} is registered") from None


def kinds() -> tuple[str, ...]:
    return tuple(_KINDS)


def book_rules(job: Booking, rules, measuring: Optional[RunContext] = None) -> tuple[
        list[pd.DataFrame], list[str], list[pd.DataFrame]]:
    """Book each rule through its kind's function, in plan order; an adjustment that applies to no
    component paid in the run books nothing. A kind that measures recovery sees the run through
    `measuring` when given (under reversals: {earlier_periods: recompute}, the view in which reversals
    count with their payments). Returns the rules' lines, warnings and awards (raises and benefits in
    kind, which never reach the item book)."""
    lines, warnings, awards = [], [], []
    measured = replace(job, ctx=measuring) if measuring is not None and measuring is not job.ctx else job
    for rule in rules:
        kind = rule_kind(rule.kind)
        if kind.adjusts and not job.targets(rule):
            continue
        output = kind.book(measured if kind.measures_recovery else job, rule)
        if output.lines is not None:
            lines.append(output.lines)
        if output.awards is not None and len(output.awards):
            awards.append(output.awards)
        warnings.extend(output.warnings)
    return lines, warnings, awards

