"""Period-level rules over per-collector arrays: tier schedules, threshold gates, caps and floors.

Each rule reads the collectors' totals and books its items; loops run over tiers, components
or adjustments, never over ledger rows.
"""

from __future__ import annotations

import numpy as np

from ..money import apply_fraction, format_rate
from ..policy import CapFloor, Threshold, Tiers
from .book import ItemBook
from .context import RunContext
from .kpis import kpi_values


def book_tiers(ctx: RunContext, component: Tiers, book: ItemBook) -> None:
    """Marginal or whole-tier schedule on the collector's recovered amount in the component's window.

    Tiers are [from, to), in money or (base attainment) as shares of the collector's target. Marginal: each tier pays its rate on the part of the base inside it,
    or its fixed amount once a positive base reaches it. Whole: the tier holding the base pays
    its rate on the whole base, or its fixed amount. Each tier row is rounded on its own, so
    the component total is the sum of its rounded rows.
    """
    window = ctx.window(component.pays)
    base = ctx.recovered(window)
    bound, scheduled = _tier_bounds(ctx, component, window)
    for tier in component.tiers:
        low, high = bound(tier.low), None if tier.high is None else bound(tier.high)
        if component.mode == "marginal":
            ceiling = base if high is None else np.minimum(base, high)
            tier_base = np.clip(ceiling - low, 0, None) * scheduled
            reached = (base >= low) & scheduled
        else:
            reached = ((base >= low) if high is None else (base >= low) & (base < high)) & scheduled
            tier_base = np.where(reached, base, 0)
        if tier.rate is not None:
            amount = apply_fraction(tier_base, tier.rate, ctx.policy.rounding.mode)
            pays = reached & (tier_base != 0)
            rate_text = format_rate(tier.rate)
        else:
            pays = reached & (base > 0)  # a fixed amount rewards recovery; none for nothing recovered
            amount = np.full(ctx.n, tier.amount, dtype=np.int64)
            rate_text = "fixed"
        who = np.flatnonzero(pays)
        book.add(who, component=component.id, kind="tier", rule=tier.id, base=tier_base[who], rate=rate_text,
                 amount=amount[who], pay_code=component.pay_code, window=str(window))


def _tier_bounds(ctx: RunContext, component: Tiers, window):
    """(tier bound -> money per collector, who the schedule applies to). On `attainment`, a bound is
    that share of each collector's target for the window, rounded per the plan; a collector with
    no positive target has no attainment, so the schedule pays them nothing."""
    if component.base != "attainment":
        return (lambda value: value), np.ones(ctx.n, dtype=bool)
    attainment = kpi_values(ctx, "attainment", window)  # kept for the reports, like a bonus's KPI
    target = np.where(attainment.known, attainment.denominator, 0)
    return (lambda share: attainment_bound(target, share, ctx.policy.rounding.mode)), attainment.known


def attainment_bound(target: np.ndarray, share, rounding_mode: str) -> np.ndarray:
    """A tier bound on attainment in money: that share of each target, rounded by the plan's rule
    (statements measure progress with the same bounds)."""
    return apply_fraction(target, share, rounding_mode)


def book_threshold(ctx: RunContext, gate: Threshold, targets: list, book: ItemBook) -> None:
    """A collector whose recovery over the targets' window is below the gate loses what each target paid.

    The take-back is booked per target component that paid something, under its pay code.
    """
    window = max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)
    recovered = ctx.recovered(window)
    failed = recovered < gate.recovered_at_least
    for component in targets:
        paid = book.total([component.id])
        who = np.flatnonzero(failed & (paid != 0))
        book.add(who, component=gate.id, kind="threshold", rule=gate.id, applies_to=component.id,
                 base=recovered[who], rate="", amount=-paid[who], pay_code=component.pay_code, window=str(window),
                 counts_toward=component.id)


def book_cap_floor(ctx: RunContext, limits: CapFloor, targets: list, book: ItemBook) -> None:
    """Bring the targets' total so far down to the cap or up to the floor."""
    subject = book.total([c.id for c in targets])
    bounded = subject
    if limits.cap is not None:
        bounded = np.minimum(bounded, limits.cap)
    if limits.floor is not None:
        bounded = np.maximum(bounded, limits.floor)
    change = bounded - subject
    who = np.flatnonzero(change)
    window = max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)
    book.add(who, component=limits.id, kind="cap_floor", rule=limits.id, applies_to=" ".join(c.id for c in targets),
             base=subject[who], rate="", amount=change[who], pay_code=limits.pay_code, window=str(window),
             counts_toward=targets[0].id)
