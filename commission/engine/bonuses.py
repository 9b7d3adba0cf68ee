"""Period components beyond rates and tiers: KPI bonuses and team-lead overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..money import apply_fraction, format_rate, sum_by
from ..policy import Bonus, Override
from .book import ItemBook
from .context import RunContext
from .kpis import kpi_values, prorate


def book_bonus(ctx: RunContext, bonus: Bonus, book: ItemBook) -> None:
    """The highest step each collector's KPI reaches pays: a fixed amount prorated by days employed,
    or a rate on `of` (the window's recovered amount, or the listed components' totals)."""
    window = ctx.window(bonus.pays)
    kpi = kpi_values(ctx, bonus.kpi, window)
    reached = kpi.highest([step.at_least for step in bonus.steps])
    base = ctx.recovered(window) if bonus.of == ("recovered",) else book.total(bonus.of)
    for k, step in enumerate(bonus.steps):
        who = np.flatnonzero(reached == k)
        if step.amount is not None:
            amount, rate, step_base = prorate(ctx, step.amount, window)[who], "fixed", np.zeros(len(who), np.int64)
        else:
            amount, rate, step_base = apply_fraction(base[who], step.rate, ctx.policy.rounding.mode), \
                format_rate(step.rate), base[who]
        book.add(who, component=bonus.id, kind="bonus", rule=f"{bonus.id}#{k + 1}", base=step_base,
                 rate=np.array([f"{rate} ({kpi.text(c)})" for c in who], dtype=object), amount=amount,
                 pay_code=bonus.pay_code, window=str(window))


def book_override(ctx: RunContext, override: Override, book: ItemBook, team_components) -> None:
    """A lead (someone's manager_id on the roster) earns `rate` on the team's recovered amount over the
    window (every plan's collectors) or on the team's commission (components of this plan)."""
    if ctx.roster is None or not (ctx.roster["manager_id"] != "").any():
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
        members, per_collector = pd.Index(ctx.collectors), book.total(team_components)
    lead_at = pd.Index(ctx.collectors).get_indexer(ctx.roster["manager_id"].reindex(members).fillna(""))
    led = lead_at >= 0  # members whose lead this plan pays
    team = sum_by(per_collector[led], lead_at[led], ctx.n, what=f"the team's {override.base} in {window}",
                  minor_units=minor, names=ctx.collectors)
    who = np.flatnonzero(np.bincount(lead_at[led], minlength=ctx.n) > 0)
    base = team[who]
    book.add(who, component=override.id, kind="override", rule=override.id, base=base,
             rate=format_rate(override.rate), amount=apply_fraction(base, override.rate, ctx.policy.rounding.mode),
             pay_code=override.pay_code, window=str(window))
