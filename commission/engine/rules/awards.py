"""What raises and benefits in kind share (rules raises.py and benefit.py): the step each collector reaches
on a KPI, over the window or over each of its parts, the conditions that must also hold, the evidence
as facts (no words: the engine holds none), and the award rows. Registers no kind of its own.

A step is reached when the KPI over the window is at least its level, or, for a rule `measured` by
parts (the quarters of a year), when at least `in_at_least` parts reach it on their own KPI; the
highest step reached wins, as for a bonus. A collector for whom a part's KPI is unknown (no target
for a quarter they were not employed in) does not reach any level in that part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ...periods import MONTHS_IN, Period
from ..context import RunContext
from ..kpis import KpiValues, kpi_values, window_events
from ..result import AWARD_COLUMNS
from .bonus import kpi_level
from .registry import Booking

#: The `only_if` conditions evidence records as held, in this order.
CONDITIONS = ("no_serious_violation", "still_employed")


@dataclass(frozen=True)
class Decision:
    """Who reached which step of one rule: `reached` is the step index per collector (-1 none)."""

    window: Period
    parts: list[Period]
    values: list[KpiValues]  # the KPI over each part (the window itself when not measured by parts)
    counts: np.ndarray  # (steps, collectors): how many parts reach each step's level
    need: int
    reached: np.ndarray


def decide(job: Booking, rule) -> Decision:
    """The highest step each collector reaches in at least `need` parts, where the rule's conditions hold."""
    ctx = job.ctx
    window = ctx.window(rule.pays)
    parts = window.parts(rule.measured) if rule.measured else [window]
    values = [kpi_values(ctx, rule.kpi, part) for part in parts]
    need = rule.in_at_least if rule.measured else 1
    counts = np.zeros((len(rule.steps), ctx.n), dtype=np.int64)
    reached = np.full(ctx.n, -1, dtype=np.int64)
    for k, step in enumerate(rule.steps):
        for value in values:
            counts[k] += value.reaches(step.at_least)
        reached[counts[k] >= need] = k
    reached[~conditions_hold(ctx, rule.only_if, window)] = -1
    return Decision(window, parts, values, counts, need, reached)


def conditions_hold(ctx: RunContext, conditions, window: Period) -> np.ndarray:
    """Who meets every `only_if` condition: still employed on the window's last day, no event of
    serious severity dated in the window (the holdback's conditions, read the same way)."""
    keeps = np.ones(ctx.n, dtype=bool)
    if "still_employed" in conditions:
        keeps &= ctx.employed_at_end()
    if "no_serious_violation" in conditions:
        events = window_events(ctx, window)
        serious = set(events.loc[events["severity"] == "serious", "collector_id"])
        keeps &= ~np.isin(np.asarray(ctx.collectors, dtype=object), list(serious))
    return keeps


def evidence(rule, decision: Decision, who: int) -> str:
    """Why one collector reached their step, as facts a person or a program can check, in no language
    (statements and explain word them in the reader's: statements.evidence). Compact JSON, keys sorted:
    the KPI, the window and the step's level (an exact fraction), the parts the window was measured by
    (the window itself when not by parts) with each part's numerator and denominator (integers: minor
    units for money; null where the KPI is unknown), how many parts met the level and how many were
    needed, and the conditions that also held:
    {"at_least":"11/10","conditions":["no_serious_violation"],"kpi":"attainment","measured":"quarterly",
     "met":3,"needed":3,"parts":[["2026-Q1",1100000,1000000],...],"window":"2026"}."""
    k = int(decision.reached[who])
    parts = [[str(part), *((int(value.numerator[who]), int(value.denominator[who])) if value.known[who]
                           else (None, None))] for part, value in zip(decision.parts, decision.values)]
    facts = {"kpi": rule.kpi, "window": str(decision.window), "at_least": str(Fraction(rule.steps[k].at_least)),
             "measured": rule.measured or "", "parts": parts, "met": int(decision.counts[k, who]),
             "needed": decision.need, "conditions": [c for c in CONDITIONS if c in rule.only_if]}
    return json.dumps(facts, sort_keys=True, separators=(",", ":"))


def award_rows(ctx: RunContext, rule, decision: Decision, columns) -> pd.DataFrame:
    """One row per collector who reached a step (collector order), with AWARD_COLUMNS; `columns(step)`
    gives the kind's own values for a step (raise_percent, raise_amount, effective_from, quantity, unit)."""
    who = np.flatnonzero(decision.reached >= 0)
    if not len(who):
        return None
    roster = ctx.roster
    rows = []
    for position in who:
        collector = ctx.collectors[position]
        k = int(decision.reached[position])
        identity = {name: str(roster[name].get(collector, "")) if roster is not None else ""
                    for name in ("employee_id", "name")}
        rows.append({"collector_id": collector, **identity, "period": str(ctx.period), "plan": ctx.policy.plan,
                     "version": ctx.policy.version, "kind": rule.kind, "component": rule.id,
                     "rule": f"{rule.id}#{k + 1}", "window": str(decision.window), "kpi": rule.kpi,
                     "evidence": evidence(rule, decision, position), "raise_percent": "", "raise_amount": 0,
                     "effective_from": "", "quantity": "", "unit": "", **columns(rule.steps[k])})
    frame = pd.DataFrame(rows, columns=list(AWARD_COLUMNS))
    return frame.astype({c: "str" for c in AWARD_COLUMNS if c not in ("version", "raise_amount")}
                        | {"version": np.int64, "raise_amount": np.int64})


def measure_words(rule, policy, say, at_least) -> str:
    """The condition of a step in words: over the window, or in at least N of its parts."""
    kpi, level = say.term("kpis", rule.kpi), kpi_level(rule.kpi, at_least, policy.minor_units)
    if not rule.measured:
        return say("award_over", kpi=kpi, at_least=level, period=say.term("periods", rule.pays))
    parts = MONTHS_IN[rule.pays] // MONTHS_IN[rule.measured]
    key = "award_each" if rule.in_at_least == parts else "award_parts"
    return say(key, kpi=kpi, at_least=level, count=rule.in_at_least, parts=parts,
               part_names=say.term("parts", rule.measured), period=say.term("periods", rule.pays))


def conditions_words(rule, say) -> str:
    """The rule's `only_if` conditions in words ('' when it has none)."""
    names = [say.term("conditions", c) for c in rule.only_if]
    return say("conditions", conditions=say("condition_and").join(names)) if names else ""


def award_conduct(rule) -> set:
    """A raise or benefit withheld after a serious violation depends on conduct."""
    return {rule.id} if "no_serious_violation" in rule.only_if else set()


def award_lint(rule, policy) -> list[tuple[str, int, str]]:
    """award-never-decided: the plan version is in force on no day that ends the rule's window (a yearly
    raise in a version that ends in June), so no run under it ever decides the rule: a run pays each
    collector under the version in force on its period's last day."""
    kind = rule.kind
    start, end = policy.effective_from, policy.effective_to
    if end is None:
        return []
    month = Period.of_month(start.year, start.month)
    while month.start <= end:
        if start <= month.end <= end and month.pays(rule.pays):
            return []
        month = Period.of_month(month.year + month.index // 12, month.index % 12 + 1)
    return [("award-never-decided", rule.line,
             f"{kind} {rule.id} is decided at the end of each {PERIOD_WORDS[rule.pays]}, but plan {policy.plan} "
             f"version {policy.version} is in force only from {start} to {end}, when no {PERIOD_WORDS[rule.pays]} "
             f"ends: a run pays each collector under the version in force on its period's last day, so no run "
             f"ever decides this {kind}. Move it to the version in force when the {PERIOD_WORDS[rule.pays]} ends, "
             f"or decide it more often (pays).")]


PERIOD_WORDS = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
