"""Period components beyond rates and tiers: KPI bonuses and team-lead overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..money import apply_fraction, format_rate
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
        raise InputError([Problem("--roster", "manager_id", f"component {override.id} pays team leads: the roster "
                                  "needs a manager_id column naming each collector's lead")])
    window = ctx.window(override.pays)
    managers = ctx.roster["manager_id"]
    if override.base == "team_recovered":
        rows = ctx.history.loc[ctx.history["payment_date"].between(pd.Timestamp(window.start),
                                                                   pd.Timestamp(window.end))]
        per_collector = rows.groupby("collector_id", observed=True)["amount"].sum()
    else:
        per_collector = pd.Series(book.total(team_components), index=ctx.collectors)
    lead_of = managers.reindex(per_collector.index).fillna("")
    team = per_collector.groupby(lead_of.to_numpy()).sum()
    team = team.loc[team.index != ""].reindex(ctx.collectors)
    who = np.flatnonzero(team.notna().to_numpy())
    base = team.fillna(0).to_numpy(dtype=np.int64)[who]
    book.add(who, component=override.id, kind="override", rule=override.id, base=base,
             rate=format_rate(override.rate), amount=apply_fraction(base, override.rate, ctx.policy.rounding.mode),
             pay_code=override.pay_code, window=str(window))
