"""raise: recommends a raise (加薪) to collectors whose KPI reaches a step over the window (a quarter or a
year), or in enough of its parts; pays nothing in the period and books no item, so no payout, pay code
or net can include it. Its recommendations go to the run's awards (raises.csv)."""

from __future__ import annotations

from datetime import date, timedelta

from ...money import format_rate
from ...periods import Period
from ...policy import Raise
from .awards import award_conduct, award_lint, award_rows, conditions_words, decide, measure_words
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, rule: Raise) -> RuleOutput:
    """The highest step each collector reaches recommends its raise, from the rule's effective date."""
    decision = decide(job, rule)
    effective = effective_from(rule, decision.window)
    warnings = ()
    if rule.effective_from is not None and effective <= decision.window.end:
        warnings = (f"raise {rule.id}: effective_from {effective} is not after {decision.window} "
                    f"({decision.window.start} to {decision.window.end}), the period it is decided on: the raise "
                    "recommended is backdated",)

    def columns(step) -> dict:
        return {"raise_percent": format_rate(step.rate) if step.rate is not None else "",
                "raise_amount": step.amount or 0, "effective_from": str(effective)}

    return RuleOutput(awards=award_rows(job.ctx, rule, decision, columns), warnings=warnings)


def effective_from(rule: Raise, window: Period) -> date:
    """The date the plan gives; or the first `effective_day` (month, day) after the window; or the day
    after the window."""
    if rule.effective_from is not None:
        return rule.effective_from
    after = window.end + timedelta(days=1)
    if rule.effective_day is None:
        return after
    month, day = rule.effective_day
    this_year = date(after.year, month, day)
    return this_year if this_year >= after else date(after.year + 1, month, day)


def words(rule: Raise, policy, say) -> list[tuple[str, str, str]]:
    """Each step: what must be reached, the raise, from when, and when it is decided."""
    if rule.effective_from is not None:
        when = say("effective_date", date=str(rule.effective_from))
    elif rule.effective_day is not None:
        when = say("effective_day", day=f"{rule.effective_day[0]:02d}-{rule.effective_day[1]:02d}",
                   period=say.term("periods", rule.pays))
    else:
        when = say("effective_next", period=say.term("periods", rule.pays))
    decided = say("decided", pays=say.term("cadences", rule.pays))
    conditions = conditions_words(rule, say)
    rows = []
    for k, step in enumerate(rule.steps):
        measure = measure_words(rule, policy, say, step.at_least)
        text = say("raise_rate", measure=measure, rate=format_rate(step.rate)) if step.rate is not None \
            else say("raise_amount", measure=measure, amount=say.money(step.amount))
        rows.append((f"{rule.id}#{k + 1}", rule.id, f"{text}{when}{conditions}{decided}"))
    return rows


register(RuleKind("raise", book, words=words, conduct=award_conduct, lint=award_lint, awards=True,
                  measures_recovery=True))
