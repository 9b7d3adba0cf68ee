"""Adjustments that scale or reduce pay: KPI multipliers (accelerators, decelerators, QA bands) and
compliance effects of complaints and violations."""

from __future__ import annotations

import numpy as np

from ..money import apply_fraction, apply_ratio, format_minor, format_rate
from ..policy import Compliance, Multiplier
from .book import ItemBook
from .context import RunContext
from .kpis import kpi_values, window_events


def _window(ctx: RunContext, targets):
    return max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)


def book_multiplier(ctx: RunContext, multiplier: Multiplier, targets: list, book: ItemBook) -> None:
    """Each target component changes by total x (multiplier - 1), under its own pay code.

    A collector whose KPI cannot be computed (no QA events for a QA band) is left unchanged.
    """
    window = _window(ctx, targets)
    kpi = kpi_values(ctx, multiplier.kpi, window)
    band = kpi.highest([low for low, _ in multiplier.bands])
    for k, (low, factor) in enumerate(multiplier.bands):
        if factor == 1:
            continue
        members = band == k
        for component in targets:
            total = book.total([component.id])
            who = np.flatnonzero(members & (total != 0))
            change = apply_ratio(total[who], np.full(len(who), factor.numerator - factor.denominator),
                                 np.full(len(who), factor.denominator), ctx.policy.rounding.mode)
            book.add(who, component=multiplier.id, kind="multiplier", rule=f"{multiplier.id}#{k + 1}",
                     applies_to=component.id, base=total[who],
                     rate=np.array([f"x{_factor(factor)} ({kpi.text(c)})" for c in who], dtype=object),
                     amount=change, pay_code=component.pay_code, window=str(window), counts_toward=component.id)


def _factor(value) -> str:
    """A multiplier as written: Fraction(6, 5) -> '1.2'."""
    return format_rate(value / 100)[:-1]


def book_compliance(ctx: RunContext, rule: Compliance, targets: list, book: ItemBook) -> None:
    """One item per event that has an effect, naming the event.

    Each event counts once, against the target components whose window holds it (a July complaint
    reduces July's monthly pay; in September it touches only the quarter's components). A
    deduction (fixed, or a percentage of those components' total) comes off the first of them,
    never below zero in all; a forfeiting event takes back everything they paid.
    """
    by_window: dict = {}
    for component in targets:
        by_window.setdefault(ctx.window(component.pays), []).append(component)
    for window, group in by_window.items():
        _book_events(ctx, rule, group, window, book)


def _book_events(ctx: RunContext, rule: Compliance, targets: list, window, book: ItemBook) -> None:
    events = window_events(ctx, window)
    effect_of = {(e.type, e.severity): e for e in rule.effects}
    positions = np.searchsorted(np.asarray(ctx.collectors, dtype=object), events["collector_id"].to_numpy(dtype=object))
    first = targets[0]
    for (collector, event_id, event_type, severity) in zip(positions, events["event_id"], events["type"],
                                                           events["severity"]):
        effect = effect_of.get((event_type, severity)) or effect_of.get((event_type, ""))
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
