"""override: a team lead's share of the team's result (recovered, or this plan's commission) over the
window; the one kind that pays on other collectors' results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ...money import apply_fraction, format_rate, sum_by
from ...policy import Override
from .registry import Booking, RuleKind, RuleOutput, register, rule_kind


def book(job: Booking, override: Override) -> RuleOutput:
    """A lead (someone's manager_id on the roster) earns `rate` on the team's recovered amount over the
    window or on the team's commission, members on every plan of the run counted: a member on another
    plan with what they earned under it (`Teams`, the run's second stage)."""
    ctx, book, teams = job.ctx, job.book, job.ctx.side.teams
    managers = teams.managers if teams is not None else ctx.roster["manager_id"] if ctx.roster is not None else None
    if managers is None or not (managers != "").any():
        raise InputError([Problem("", "manager_id", f"component {override.id} pays team leads: the roster "
                                  "needs a manager_id column naming each collector's lead", role="roster")])
    window = ctx.window(override.pays)
    minor = ctx.policy.minor_units
    if override.base == "team_recovered":
        rows = ctx.history.loc[ctx.history["payment_date"].between(pd.Timestamp(window.start),
                                                                   pd.Timestamp(window.end))]
        codes, members = rows["collector_id"].cat.codes.to_numpy(), rows["collector_id"].cat.categories
        recovered = sum_by(rows["amount"].to_numpy(), codes, len(members), what=f"recovered in {window}",
                           minor_units=minor, names=members)
        present = np.bincount(codes, minlength=len(members)) > 0  # collectors with rows in the window
        members, per_collector = members[present], recovered[present]
    else:
        own = [c.id for c in job.paid if not rule_kind(c.kind).team]  # this plan's components, overrides aside
        members, per_collector = pd.Index(ctx.collectors), book.total(own)
        if teams is not None and teams.commission is not None:  # members paid under the run's other plans
            others = teams.commission.drop(members, errors="ignore")
            members, per_collector = members.append(others.index), np.concatenate([per_collector, others.to_numpy()])
    lead_at = pd.Index(ctx.collectors).get_indexer(managers.reindex(members).fillna(""))
    led = lead_at >= 0  # members whose lead this plan pays
    team = sum_by(per_collector[led], lead_at[led], ctx.n, what=f"the team's {override.base} in {window}",
                  minor_units=minor, names=ctx.collectors)
    who = np.flatnonzero(np.bincount(lead_at[led], minlength=ctx.n) > 0)
    base = team[who]
    book.add(who, component=override.id, kind="override", rule=override.id, base=base,
             rate=format_rate(override.rate), amount=apply_fraction(base, override.rate, ctx.policy.rounding.mode),
             pay_code=override.pay_code, window=str(window))
    return RuleOutput()


def words(override: Override, policy, say) -> list[tuple[str, str, str]]:
    when = say("pays", pays=say.term("cadences", override.pays))
    return [(override.id, override.id, say("override", rate=format_rate(override.rate), base=say(override.base))
             + when)]


register(RuleKind("override", book, words=words, team=True))
