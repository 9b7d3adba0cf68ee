"""multiplier: scales the listed components by the band a KPI falls in (accelerators above target,
decelerators below, QA bands)."""

from __future__ import annotations

import numpy as np

from ...money import apply_ratio, format_rate
from ...policy import Multiplier
from ..context import RunContext
from ..kpis import kpi_values
from .registry import Booking, RuleKind, RuleOutput, register
from .bonus import kpi_level


def _window(ctx: RunContext, targets):
    return max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)


def book(job: Booking, multiplier: Multiplier) -> RuleOutput:
    """Each target component changes by total x (multiplier - 1), under its own pay code.

    A collector whose KPI cannot be computed (no QA events for a QA band) is left unchanged.
    """
    ctx, book, targets = job.ctx, job.book, job.targets(multiplier)
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
    return RuleOutput()


def _factor(value) -> str:
    """A multiplier as written: Fraction(6, 5) -> '1.2'."""
    return format_rate(value / 100)[:-1]


def words(multiplier: Multiplier, policy, say) -> list[tuple[str, str, str]]:
    return [(f"{multiplier.id}#{k + 1}", multiplier.id,
             say("multiplier", kpi=say.term("kpis", multiplier.kpi),
                 low=kpi_level(multiplier.kpi, low, policy.minor_units), factor=_factor(factor)))
            for k, (low, factor) in enumerate(multiplier.bands)]


def conduct(multiplier: Multiplier) -> set:
    """A QA band that changes pay makes its components depend on call quality."""
    if multiplier.kpi == "qa_score" and any(factor != 1 for _, factor in multiplier.bands):
        return set(multiplier.applies_to)
    return set()


register(RuleKind("multiplier", book, adjusts=True, words=words, conduct=conduct, measures_recovery=True))
