"""cap_floor: bring the listed components' total down to a cap or up to a floor."""

from __future__ import annotations

import numpy as np

from ...policy import CapFloor
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, limits: CapFloor) -> RuleOutput:
    """Bring the targets' total so far down to the cap or up to the floor."""
    ctx, targets = job.ctx, job.targets(limits)
    subject = job.book.total([c.id for c in targets])
    bounded = subject
    if limits.cap is not None:
        bounded = np.minimum(bounded, limits.cap)
    if limits.floor is not None:
        bounded = np.maximum(bounded, limits.floor)
    change = bounded - subject
    who = np.flatnonzero(change)
    window = max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)
    job.book.add(who, component=limits.id, kind="cap_floor", rule=limits.id,
                 applies_to=" ".join(c.id for c in targets), base=subject[who], rate="", amount=change[who],
                 pay_code=limits.pay_code, window=str(window),
                 counts_toward=targets[0].id)
    return RuleOutput()


def words(limits: CapFloor, policy, say) -> list[tuple[str, str, str]]:
    parts = ([say("cap", amount=say.money(limits.cap))] if limits.cap is not None else []) + \
        ([say("floor", amount=say.money(limits.floor))] if limits.floor is not None else [])
    return [(limits.id, limits.id, "; ".join(parts))]


register(RuleKind("cap_floor", book, adjusts=True, words=words))
