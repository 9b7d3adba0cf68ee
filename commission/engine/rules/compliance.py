"""compliance: what each complaint, violation or QA event in the window does to the listed components:
deduct a fixed amount or a share, or forfeit everything they paid."""

from __future__ import annotations

import numpy as np

from ...money import apply_fraction, format_minor, format_rate
from ...policy import Compliance
from ..book import ItemBook
from ..context import RunContext
from ..kpis import window_events
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, rule: Compliance) -> RuleOutput:
    """One item per event that has an effect, naming the event.

    Each event counts once, against the target components whose window holds it (a July complaint
    reduces July's monthly pay; in September it touches only the quarter's components). A
    deduction (fixed, or a percentage of those components' total) comes off the first of them,
    never below zero in all; a forfeiting event takes back everything they paid.
    """
    ctx, book = job.ctx, job.book
    by_window: dict = {}
    for component in job.targets(rule):
        by_window.setdefault(ctx.window(component.pays), []).append(component)
    for window, group in by_window.items():
        _book_events(ctx, rule, group, window, book)
    return RuleOutput()


def effect_for(effects: dict, event_type: str, severity: str, source: str):
    """The effect the plan gives an event (`effects`: {(type, severity, source): effect}), or None.

    A forfeit the plan writes for the event's severity (type/severity, type/severity@source) wins
    whatever else matches: a serious violation forfeits even when a rule for its source deducts less.
    Otherwise the most specific rule wins: type/severity@source, type@source, type/severity, type.
    """
    matching = [effects[key] for key in ((event_type, severity, source), (event_type, "", source),
                                         (event_type, severity, ""), (event_type, "", "")) if key in effects]
    forfeits = [e for e in matching if e.forfeit and e.severity]
    return (forfeits or matching or [None])[0]


def lint(rule: Compliance, policy) -> list[tuple[str, int, str]]:
    """A rule for a source (type@source) that takes, for one severity, the place of the plan's own rule for
    that severity (type/severity): an event of that severity from that source gets the source's effect."""
    effects = {(e.type, e.severity, e.source): e for e in rule.effects}
    return [("conduct-shadowed", by_source.line,
             f"{rule.id}: {by_source.label} ({_effect_words(by_source, policy.minor_units)}) takes the place of "
             f"{by_severity.label} ({_effect_words(by_severity, policy.minor_units)}) for a {by_severity.severity} {by_source.type} "
             f"raised by {by_source.source}: write {by_severity.type}/{by_severity.severity}@{by_source.source} "
             "to say what such an event costs")
            for by_source in rule.effects if by_source.source and not by_source.severity
            for by_severity in rule.effects
            if by_severity.type == by_source.type and by_severity.severity and not by_severity.source
            and not by_severity.forfeit and (by_source.type, by_severity.severity, by_source.source) not in effects]


def _effect_words(effect, minor_units: int) -> str:
    if effect.forfeit:
        return "forfeit"
    return "deduct " + (format_minor(effect.deduct_amount, minor_units) if effect.deduct_amount is not None
                        else format_rate(effect.deduct_rate))


def _book_events(ctx: RunContext, rule: Compliance, targets: list, window, book: ItemBook) -> None:
    events = window_events(ctx, window)
    positions = np.searchsorted(np.asarray(ctx.collectors, dtype=object), events["collector_id"].to_numpy(dtype=object))
    effects = {(e.type, e.severity, e.source): e for e in rule.effects}
    first = targets[0]
    for (collector, event_id, event_type, severity, source) in zip(positions, events["event_id"], events["type"],
                                                                   events["severity"], events["source"]):
        effect = effect_for(effects, event_type, severity, source)
        if effect is None:
            continue
        who = np.array([collector])
        if effect.forfeit:
            for component in targets:
                paid = book.total([component.id])[who]
                if paid[0] > 0:
                    book.add(who, component=rule.id, kind="compliance", rule=f"{rule.id}:{effect.label}",
                             applies_to=component.id, base=paid, rate="forfeit", amount=-paid,
                             pay_code=component.pay_code, window=str(window), event=event_id,
                             counts_toward=component.id)
            continue
        subject = book.total([c.id for c in targets])[who]
        if effect.deduct_rate is not None:
            wanted, rate = apply_fraction(subject, effect.deduct_rate, ctx.policy.rounding.mode), \
                format_rate(effect.deduct_rate)
        else:
            wanted, rate = np.array([effect.deduct_amount]), format_minor(effect.deduct_amount, ctx.policy.minor_units)
        deduction = np.minimum(wanted, np.maximum(subject, 0))
        if deduction[0] > 0:
            book.add(who, component=rule.id, kind="compliance", rule=f"{rule.id}:{effect.label}",
                     applies_to=first.id, base=subject, rate=rate, amount=-deduction, pay_code=first.pay_code,
                     window=str(window), event=event_id, counts_toward=first.id)


def words(rule: Compliance, policy, say) -> list[tuple[str, str, str]]:
    rows = []
    for effect in rule.effects:
        event = say("event_severity", event=say.term("events", effect.type),
                    severity=say.term("severities", effect.severity)) if effect.severity \
            else say.term("events", effect.type)
        if effect.forfeit:
            rows.append((f"{rule.id}:{effect.label}", rule.id, say("forfeit", event=event)))
        else:
            amount = say.money(effect.deduct_amount) if effect.deduct_amount is not None \
                else format_rate(effect.deduct_rate)
            rows.append((f"{rule.id}:{effect.label}", rule.id, say("deduct", event=event, amount=amount)))
    return rows


def conduct(rule: Compliance) -> set:
    return set(rule.applies_to) if rule.effects else set()


register(RuleKind("compliance", book, adjusts=True, words=words, conduct=conduct, lint=lint))
