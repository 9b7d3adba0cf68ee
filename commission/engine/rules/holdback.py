"""holdback: withhold a share of the listed components each period; at the end of each release period
pay the balance back if every condition holds, else forfeit it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...money import apply_fraction, format_rate
from ...policy import Holdback
from ..context import RunContext
from ..kpis import window_events
from .registry import Booking, RuleKind, RuleOutput, register


def book(job: Booking, holdback: Holdback) -> RuleOutput:
    """Withhold `rate` of the targets' positive total; at the end of the release period, pay the balance
    back if every condition holds, else forfeit it (a 0.00 item records the forfeit)."""
    ctx, book, targets = job.ctx, job.book, job.targets(holdback)
    first = targets[0]
    window = max((ctx.window(c.pays) for c in targets), key=lambda p: p.days)
    subject = np.maximum(book.total([c.id for c in targets]), 0)
    withheld = apply_fraction(subject, holdback.rate, ctx.policy.rounding.mode)
    who = np.flatnonzero(withheld)
    book.add(who, component=holdback.id, kind="holdback", rule=f"{holdback.id}:withheld", applies_to=first.id,
             base=subject[who], rate=format_rate(holdback.rate), amount=-withheld[who], pay_code=first.pay_code,
             window=str(window), counts_toward=first.id)
    balance = job.balances.add(f"holdback:{holdback.id}", withheld)
    if not ctx.period.pays(holdback.release):
        return RuleOutput()
    release_window = ctx.period.enclosing(holdback.release)
    keeps, cause = _conditions_hold(ctx, holdback, release_window)
    who = np.flatnonzero(balance)
    book.add(who, component=holdback.id, kind="holdback",
             rule=np.where(keeps[who], f"{holdback.id}:released", f"{holdback.id}:forfeited"),
             applies_to=first.id, base=balance[who], rate="", amount=np.where(keeps[who], balance[who], 0),
             pay_code=first.pay_code, window=str(release_window), counts_toward=first.id, event=cause[who])
    balance[:] = 0
    return RuleOutput()


def _conditions_hold(ctx: RunContext, holdback: Holdback, window) -> tuple[np.ndarray, np.ndarray]:
    """Who keeps the held-back pay, and for those who lose it to a serious violation, the event (the
    first one in the window), so the statement can say what was lost and why."""
    keeps = np.ones(ctx.n, dtype=bool)
    cause = np.full(ctx.n, "", dtype=object)
    if "still_employed" in holdback.conditions:
        keeps &= ctx.employed_at_end()
    if "no_serious_violation" in holdback.conditions:
        events = window_events(ctx, window)
        serious = events.loc[events["severity"] == "serious"].drop_duplicates("collector_id")
        at = pd.Index(ctx.collectors).get_indexer(serious["collector_id"])
        keeps[at] = False
        cause[at] = serious["event_id"].to_numpy(dtype=object)
    return keeps, cause


def words(holdback: Holdback, policy, say) -> list[tuple[str, str, str]]:
    names = [say.term("conditions", c) for c in holdback.conditions]
    conditions = say("conditions", conditions=say("condition_and").join(names)) if names else ""
    return [(holdback.id, holdback.id, say("holdback", rate=format_rate(holdback.rate),
                                           release=say.term("periods", holdback.release), conditions=conditions))]


def conduct(holdback: Holdback) -> set:
    """Held pay forfeited on a serious violation makes its components depend on conduct."""
    return set(holdback.applies_to) if "no_serious_violation" in holdback.conditions else set()


register(RuleKind("holdback", book, adjusts=True, words=words, conduct=conduct))
