"""tiers: a schedule on a measure of the collector's window (recovered by default, attainment, fees, a
count...: policy.measures), marginal (each rate on the part inside its tier) or whole (the tier holding
the total pays on all of it)."""

from __future__ import annotations

import numpy as np

from fractions import Fraction

from ...money import apply_fraction, format_minor, format_rate
from ...periods import MONTHS_IN
from ...policy import Tiers
from ...policy.measures import COUNT, SHARE, unit
from .measures import measure_values
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, component: Tiers) -> RuleOutput:
    """Marginal or whole-tier schedule on the collector's recovered amount in the component's window.

    Tiers are [from, to), in money or (base attainment) as shares of the collector's target.
    Marginal: each tier pays its rate on the part of the base inside it, or its fixed amount once a
    positive base reaches it. Whole: the tier holding the base pays
    its rate on the whole base, or its fixed amount. Each tier row is rounded on its own, so
    the component total is the sum of its rounded rows.
    """
    ctx = job.ctx
    window = ctx.window(component.pays)
    base, bound, scheduled = _measured(job, component, window)
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
        elif tier.each is not None:  # a count: the units in the tier (or all, whole), each paying `each`
            amount = apply_fraction(tier_base, Fraction(tier.each))
            pays = reached & (tier_base != 0)
            who = np.flatnonzero(pays)
            job.book.add(who, component=component.id, kind="tier", rule=tier.id, base=np.full(len(who), tier.each),
                         rate=np.array([f"x {n} ({component.base})" for n in tier_base[who]], dtype=object),
                         amount=amount[who], pay_code=component.pay_code, window=str(window))
            continue
        else:
            pays = reached & (base > 0)  # a fixed amount rewards recovery; none for nothing recovered
            amount = np.full(ctx.n, tier.amount, dtype=np.int64)
            rate_text = "fixed"
            if unit(component.base) == COUNT:  # the item's base is money: a count is not shown as one
                tier_base = np.zeros(ctx.n, dtype=np.int64)
        who = np.flatnonzero(pays)
        job.book.add(who, component=component.id, kind="tier", rule=tier.id, base=tier_base[who], rate=rate_text,
                     amount=amount[who], pay_code=component.pay_code, window=str(window))
    return RuleOutput()


def _measured(job: Booking, component: Tiers, window):
    """(the measure per collector, tier bound -> the measure's units per collector, who the schedule
    applies to). On a share (attainment, recovery_rate) the measure is the recovered amount and a bound
    is that share of each collector's target (assigned balance) for the window, rounded per the plan; a
    collector with none has no attainment, so the schedule pays them nothing. On recovered, the
    recovery this run measures (ctx.recovered: under recompute, the view's)."""
    ctx = job.ctx
    if component.base == "recovered":
        return ctx.recovered(window), (lambda value: value), np.ones(ctx.n, dtype=bool)
    measured = measure_values(job, component.base, window)  # kept for the reports, like a bonus's KPI
    if unit(component.base) != SHARE:
        return measured.numerator, (lambda value: value), measured.known
    of = np.where(measured.known, measured.denominator, 0)
    return measured.numerator, (lambda share: attainment_bound(of, share, ctx.policy.rounding.mode)), measured.known


def attainment_bound(target: np.ndarray, share, rounding_mode: str) -> np.ndarray:
    """A tier bound on attainment in money: that share of each target, rounded by the plan's rule
    (statements measure progress with the same bounds)."""
    return apply_fraction(target, share, rounding_mode)


def words(component: Tiers, policy, say) -> list[tuple[str, str, str]]:
    """The schedule, then each tier's range and what it pays."""
    when = say("pays", pays=say.term("cadences", component.pays))
    if component.base in ("recovered", "attainment"):
        schedule = say(component.mode) + (say("on_attainment") if component.base == "attainment" else "")
    else:
        schedule = say(f"{component.mode}_on", measure=say.measure(component.base))
    rows = [(component.id, component.id, schedule + when)]
    kind = unit(component.base)
    bound = (lambda share: say("of_target" if component.base == "attainment" else "of_assigned",
                               share=format_rate(share))) if kind == SHARE else str if kind == COUNT else say.money
    for tier in component.tiers:
        span = say("range", low=bound(tier.low), high=bound(tier.high)) if tier.high is not None \
            else say("range_open", low=bound(tier.low))
        if tier.each is not None:
            text = say("tier_each", range=span, amount=say.money(tier.each))
        elif tier.amount is not None:
            text = say("tier_amount", range=span, amount=say.money(tier.amount))
        else:
            text = say("tier_rate" if component.mode == "marginal" else "tier_whole_rate", range=span,
                       rate=format_rate(tier.rate))
        rows.append((tier.id, component.id, text))
    return rows


def lint(component: Tiers, policy) -> list[tuple[str, int, str]]:
    """whole-tier-cliff: edges where one minor unit more recovery changes tier pay by more than one
    currency unit (a whole-tier schedule, or a fixed-amount tier)."""
    if component.base != "recovered":  # on attainment the edges differ by collector
        return []
    findings = []
    unit = 10**policy.minor_units
    money = lambda value: format_minor(int(value), policy.minor_units)  # noqa: E731
    for below, tier in zip(component.tiers, component.tiers[1:]):
        edge = tier.low
        if component.mode == "whole":
            before, after = _tier_pay(policy, below, edge - 1, "whole"), _tier_pay(policy, tier, edge, "whole")
        elif tier.amount is not None:
            before, after = 0, tier.amount
        else:
            continue
        jump = after - before
        if abs(jump) <= unit:
            continue
        kind = "whole-tier (全额累进) schedule" if component.mode == "whole" else "fixed-amount tier"
        if jump > 0:
            effect = (f"pay jumps from {money(before)} to {money(after)} (+{money(jump)}) for {money(1)} more "
                      "recovered. A collector just below the line gains more from moving a payment into this "
                      "period (or out of the next) than from any honest effort, and one far from it gets no pull "
                      "at all")
        else:
            effect = (f"pay falls from {money(before)} to {money(after)} ({money(jump)}) for {money(1)} more "
                      "recovered: recovering more pays less, so collectors near the line hold payments back")
        findings.append(("whole-tier-cliff", tier.line,
                         f"component {component.id}: {kind}: at {money(edge)} recovered ({component.pays}), "
                         f"{effect}. Use mode: marginal (超额累进), where each rate applies only to the part inside "
                         "its tier, or smaller steps."))
    return findings


def _tier_pay(policy, tier, base: int, mode: str) -> int:
    """What a tier pays a collector whose base is `base` and falls in it (whole) or reaches it (marginal)."""
    if tier.amount is not None:
        return tier.amount
    taxed = base if mode == "whole" else base - tier.low
    return int(apply_fraction(np.array([taxed]), tier.rate, policy.rounding.mode)[0])


def kinks(component: Tiers, policy, target: int) -> list[int]:
    """Tier edges as monthly recovery (a quarterly edge L is reached at L / 3 a month)."""
    months = MONTHS_IN.get(component.pays, 1)
    if months > 3 or component.base not in ("recovered", "attainment"):  # edges in recovery only
        return []
    if component.base == "attainment":
        return [int(-(-(t.low * target) // 1)) for t in component.tiers if t.low > 0 and target > 0]
    return [-(-t.low // months) for t in component.tiers if t.low > 0]


register(RuleKind("tiers", book, words=words, lint=lint, kinks=kinks, measures_recovery=True))
