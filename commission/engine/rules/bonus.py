"""bonus: the highest step of its measure (a KPI, fees, a count...: policy.measures) a collector reaches
pays a fixed amount (prorated by days employed) or a rate on recovered or on listed components' totals."""

from __future__ import annotations

import numpy as np

from ...money import apply_fraction, format_minor, format_rate
from ...periods import MONTHS_IN
from ...policy import Bonus
from ...policy.measures import COUNT, MONEY, unit
from ..kpis import prorate
from .measures import measure_values
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, bonus: Bonus) -> RuleOutput:
    """The highest step each collector's KPI reaches pays: a fixed amount prorated by days employed,
    or a rate on `of` (the window's recovered amount, or the listed components' totals)."""
    ctx = job.ctx
    window = ctx.window(bonus.pays)
    kpi = measure_values(job, bonus.kpi, window)
    reached = kpi.highest([step.at_least for step in bonus.steps])
    base = ctx.recovered(window) if bonus.of == ("recovered",) else job.book.total(bonus.of)
    for k, step in enumerate(bonus.steps):
        who = np.flatnonzero(reached == k)
        if step.amount is not None:
            amount, rate, step_base = prorate(ctx, step.amount, window)[who], "fixed", np.zeros(len(who), np.int64)
        else:
            amount, rate, step_base = apply_fraction(base[who], step.rate, ctx.policy.rounding.mode), \
                format_rate(step.rate), base[who]
        job.book.add(who, component=bonus.id, kind="bonus", rule=f"{bonus.id}#{k + 1}", base=step_base,
                     rate=np.array([f"{rate} ({kpi.text(c)})" for c in who], dtype=object), amount=amount,
                     pay_code=bonus.pay_code, window=str(window))
    return RuleOutput()


def words(bonus: Bonus, policy, say) -> list[tuple[str, str, str]]:
    when = say("pays", pays=say.term("cadences", bonus.pays))
    rows = []
    for k, step in enumerate(bonus.steps):
        at_least = kpi_level(bonus.kpi, step.at_least, policy.minor_units)
        kpi = say.measure(bonus.kpi)
        text = say("bonus_amount", kpi=kpi, at_least=at_least, amount=say.money(step.amount)) \
            if step.amount is not None else say("bonus_rate", kpi=kpi, at_least=at_least, rate=format_rate(step.rate))
        rows.append((f"{bonus.id}#{k + 1}", bonus.id, text + when))
    return rows


def kpi_level(kpi: str, value, minor: int) -> str:
    """A KPI level as written in the plan: 100%, 80 (points), a count or an amount."""
    if unit(kpi) == MONEY:
        return format_minor(int(value), minor, grouped=True)
    if unit(kpi) == COUNT:
        return str(int(value))
    if kpi == "qa_score":
        return format_rate(value / 100)[:-1]
    return format_rate(value)


def conduct(bonus: Bonus) -> set:
    """A bonus on the QA score makes its own pay depend on call quality."""
    return {bonus.id} if bonus.kpi == "qa_score" else set()


def kinks(bonus: Bonus, policy, target: int) -> list[int]:
    """Steps on recovered (as monthly recovery) or on attainment (shares of the monthly target)."""
    months = MONTHS_IN.get(bonus.pays, 1)
    if months > 3:
        return []
    if bonus.kpi == "recovered":
        return [int(-(-s.at_least // months)) for s in bonus.steps if s.at_least > 0]
    if bonus.kpi == "attainment" and target > 0:
        return [int(-(-(s.at_least * target) // 1)) for s in bonus.steps if s.at_least > 0]
    return []


register(RuleKind("bonus", book, words=words, conduct=conduct, kinks=kinks, measures_recovery=True))
