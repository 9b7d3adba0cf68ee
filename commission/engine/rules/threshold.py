"""threshold: a gate; a collector whose recovery over its components' window is below it loses what
each of them paid."""

from __future__ import annotations

import numpy as np

from ...periods import MONTHS_IN
from ...policy import Threshold
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, gate: Threshold) -> RuleOutput:
    """A collector whose recovery over the targets' window is below the gate loses what each target paid.

    The take-back is booked per target component that paid something, under its pay code.
    """
    ctx, targets = job.ctx, job.targets(gate)
    window = max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)
    recovered = ctx.recovered(window)
    failed = recovered < gate.recovered_at_least
    for component in targets:
        paid = job.book.total([component.id])
        who = np.flatnonzero(failed & (paid != 0))
        job.book.add(who, component=gate.id, kind="threshold", rule=gate.id, applies_to=component.id,
                     base=recovered[who], rate="", amount=-paid[who], pay_code=component.pay_code, window=str(window),
                     counts_toward=component.id)
    return RuleOutput()


def words(gate: Threshold, policy, say) -> list[tuple[str, str, str]]:
    return [(gate.id, gate.id, say("threshold", amount=say.money(gate.recovered_at_least)))]


def kinks(gate: Threshold, policy, target: int) -> list[int]:
    """The gate as monthly recovery, over the longest window of its components (up to a quarter)."""
    months = max((MONTHS_IN.get(c.pays, 1) for c in policy.components if c.id in gate.applies_to), default=1)
    return [-(-gate.recovered_at_least // months)] if gate.recovered_at_least > 0 and months <= 3 else []


register(RuleKind("threshold", book, adjusts=True, words=words, kinks=kinks, measures_recovery=True))
