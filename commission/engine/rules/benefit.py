"""benefit: grants a benefit in kind (福利: days of leave, vouchers), counted in its own unit, to collectors
whose KPI reaches a step, like a bonus; pays no money and books no item. Its grants go to the run's
awards (benefits.csv). A quantity is not prorated: half a voucher is no voucher."""

from __future__ import annotations

from ...policy import Benefit
from .awards import award_conduct, award_lint, award_rows, conditions_words, decide, measure_words
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, rule: Benefit) -> RuleOutput:
    """The highest step each collector reaches grants its quantity of the rule's unit."""
    decision = decide(job, rule)
    return RuleOutput(awards=award_rows(job.ctx, rule, decision,
                                        lambda step: {"quantity": str(step.quantity), "unit": rule.unit}))


def words(rule: Benefit, policy, say) -> list[tuple[str, str, str]]:
    when = say("granted", pays=say.term("cadences", rule.pays))
    conditions = conditions_words(rule, say)
    return [(f"{rule.id}#{k + 1}", rule.id,
             say("benefit", measure=measure_words(rule, policy, say, step.at_least), quantity=str(step.quantity),
                 unit=rule.unit) + f"{conditions}{when}")
            for k, step in enumerate(rule.steps)]


register(RuleKind("benefit", book, words=words, conduct=award_conduct, lint=award_lint, awards=True,
                  measures_recovery=True))
