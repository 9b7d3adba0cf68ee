"""What carries from one period to the next: holdbacks, negative balances, draws and held pay.

Balances come in with the run (the previous run's state) and go out in the result's state;
every change is an item, so the payout still adds up from its items.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import add_checked, apply_fraction, sum_by
from ..policy.model import CLEARANCE
from .book import ItemBook
from .context import RunContext
from .kpis import prorate

CARRIED = "carried"  # owed because clawbacks exceeded earnings
DRAW = "draw"  # owed because a recoverable draw topped pay up
HELD = "held"  # pay held for a leaver


class Balances:
    """Per-collector balances for this run: opened from the state, updated by the rules, saved as state."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.values: dict[str, np.ndarray] = {}
        state = ctx.side.state
        if state is not None:
            mine = state.loc[state["collector_id"].isin(set(ctx.collectors))]
            for name, rows in mine.groupby("balance"):
                position = np.searchsorted(np.asarray(ctx.collectors, dtype=object),
                                           rows["collector_id"].to_numpy(dtype=object))
                self.values[name] = sum_by(rows["amount"].to_numpy(dtype=np.int64), position, ctx.n,
                                           what=f"the {name} balance", minor_units=ctx.policy.minor_units,
                                           names=ctx.collectors, role="state")

    def get(self, name: str) -> np.ndarray:
        return self.values.setdefault(name, np.zeros(self.ctx.n, dtype=np.int64))

    def add(self, name: str, amounts, who=None) -> np.ndarray:
        """Add `amounts` to one balance (of every collector, or of those at positions `who`), in place,
        each result checked against MAX_TOTAL; returns the balance."""
        ctx, balance = self.ctx, self.get(name)
        what = f"the {name} balance"
        change = amounts if who is None else sum_by(amounts, who, ctx.n, what=what,
                                                    minor_units=ctx.policy.minor_units, names=ctx.collectors)
        balance[:] = add_checked(balance, change, what=what, minor_units=ctx.policy.minor_units, names=ctx.collectors)
        return balance

    def frame(self) -> pd.DataFrame:
        """The state to carry forward: one row per collector and non-zero balance."""
        rows = [pd.DataFrame({"collector_id": np.asarray(self.ctx.collectors, dtype=object)[who], "balance": name,
                              "amount": values[who]})
                for name, values in sorted(self.values.items()) if len(who := np.flatnonzero(values))]
        if not rows:
            return pd.DataFrame({"collector_id": pd.Series([], dtype="str"), "balance": pd.Series([], dtype="str"),
                                 "amount": pd.Series([], dtype=np.int64)})
        return pd.concat(rows, ignore_index=True).sort_values(["collector_id", "balance"], kind="stable") \
            .reset_index(drop=True)


def book_leavers(ctx: RunContext, book: ItemBook, balances: Balances) -> list[str]:
    """Collectors who left before the period's last day: their positive pay is forfeited or held.
    Held pay is released by a clearance event (hand-over signed off), see _release_held; returns
    warnings about clearances that release nothing."""
    rule = ctx.policy.leavers
    if rule != "pay":
        net = book.net()
        who = np.flatnonzero(~ctx.employed_at_end() & (net > 0))
        book.add(who, component="leavers", kind="leaver", rule=f"leavers:{rule}", base=net[who], rate="",
                 amount=-net[who], pay_code=_pay_code(ctx), window=str(ctx.period), counts_toward="leavers")
        if rule == "hold":
            balances.add(HELD, net[who], who)
    return _release_held(ctx, book, balances)


def _release_held(ctx: RunContext, book: ItemBook, balances: Balances) -> list[str]:
    """Pay a leaver's whole held balance in the first run whose period ends on or after their
    clearance event, which must be dated on or after the day they left (an older one is from
    before they left)."""
    events = ctx.side.events
    if events is None:
        return []
    cleared = events.loc[(events["type"] == CLEARANCE) & (events["date"] <= pd.Timestamp(ctx.period.end))]
    at = pd.Index(ctx.collectors).get_indexer(cleared["collector_id"])  # -1: not paid by this plan
    held = balances.values.get(HELD)
    if held is None or not held.any():
        return []
    left = ctx.end_dates()
    valid = at >= 0
    valid[valid] = cleared["date"].to_numpy(dtype="datetime64[D]")[valid] >= left[at[valid]]  # NaT: never left
    early = (at >= 0) & ~valid & ~np.isin(at, at[valid])  # a later, valid clearance releases the pay
    warnings = [f"clearance {event_id} of {collector} is dated before they left (or they have not left): it "
                "releases nothing" for event_id, collector, position in zip(
                    cleared["event_id"].to_numpy()[early], cleared["collector_id"].to_numpy()[early], at[early])
                if held[position] > 0]  # per clearance event
    cleared = cleared.loc[valid].assign(at=at[valid]).sort_values(["date", "event_id"], kind="stable")
    cleared = cleared.drop_duplicates("at")
    who, event_ids = cleared["at"].to_numpy(dtype=np.int64), cleared["event_id"].to_numpy(dtype=object)
    releasing = held[who] > 0
    who, event_ids = who[releasing], event_ids[releasing]
    book.add(who, component="leavers", kind="leaver", rule="leavers:released", base=held[who], rate="",
             amount=held[who], pay_code=_pay_code(ctx), window=str(ctx.period), event=event_ids,
             counts_toward="leavers")
    held[who] = 0
    return warnings


def clearance_warnings(side, period, paid: set) -> list[str]:
    """Clearances that name a collector the run does not pay release nothing: one warning for a
    collector with held pay, one for a clearance dated in the period (a typo'd collector id)."""
    events, state = side.events, side.state
    if events is None:
        return []
    cleared = events.loc[(events["type"] == CLEARANCE) & (events["date"] <= pd.Timestamp(period.end))
                         & ~events["collector_id"].isin(paid)]
    held = set() if state is None else set(state.loc[(state["balance"] == HELD) & (state["amount"] > 0),
                                                      "collector_id"])
    warnings = [f"{collector} has held pay and a clearance event but is not in this run (keep them on the roster "
                "until it is paid): the pay stays held" for collector in sorted(set(cleared["collector_id"]) & held)]
    recent = cleared.loc[(cleared["date"] >= pd.Timestamp(period.start)) & ~cleared["collector_id"].isin(held)]
    return warnings + [f"clearance {event_id} names {collector}, who is not in this run"
                       for event_id, collector in zip(recent["event_id"], recent["collector_id"])]


def book_carried_and_draw(ctx: RunContext, book: ItemBook, balances: Balances) -> None:
    """Repay carried balances and recoverable draws from pay above the draw, carry a negative total
    forward instead of paying it, and top pay up to the draw.

    Repayment in one period is at most balances.recover_at_most (a share of the pay, or an amount).
    """
    policy = ctx.policy
    pay_code, window = _pay_code(ctx), str(ctx.period)
    net = book.net()
    carried, owed = balances.get(CARRIED), balances.get(DRAW)
    guarantee = prorate(ctx, policy.draw.amount, ctx.period) if policy.draw else np.zeros(ctx.n, dtype=np.int64)
    budget = _recovery_budget(ctx, np.maximum(net - guarantee, 0))
    draw_code = policy.draw.pay_code if policy.draw else pay_code
    for name, balance, code in ((CARRIED, carried, pay_code), (DRAW, owed, draw_code)):
        repay = np.minimum(balance, np.minimum(np.maximum(net - guarantee, 0), budget))
        who = np.flatnonzero(repay)
        book.add(who, component="balances", kind="balance", rule=f"{name}:repaid", base=balance[who], rate="",
                 amount=-repay[who], pay_code=code, window=window, counts_toward="balances")
        balance -= repay
        budget -= repay
        net = net - repay
    # A negative total is owed whatever the draw: carried first, so a top-up never forgives a clawback.
    negative = np.flatnonzero(net < 0)
    book.add(negative, component="balances", kind="balance", rule=f"{CARRIED}:carried", base=net[negative],
             rate="", amount=-net[negative], pay_code=pay_code, window=window, counts_toward="balances")
    balances.add(CARRIED, -net[negative], negative)
    net = np.maximum(net, 0)
    if policy.draw:
        top_up = np.maximum(guarantee - net, 0) * ctx.employed_at_end()
        who = np.flatnonzero(top_up)
        book.add(who, component="draw", kind="balance", rule="draw:paid", base=net[who], rate="",
                 amount=top_up[who], pay_code=policy.draw.pay_code, window=window, counts_toward="balances")
        if policy.draw.recoverable:
            balances.add(DRAW, top_up)


def _recovery_budget(ctx: RunContext, pay: np.ndarray) -> np.ndarray:
    limits = ctx.policy.balances
    budget = pay.copy()
    if limits.recover_rate is not None:
        budget = np.minimum(budget, apply_fraction(pay, limits.recover_rate, ctx.policy.rounding.mode))
    if limits.recover_amount is not None:
        budget = np.minimum(budget, limits.recover_amount)
    return budget


def _pay_code(ctx: RunContext) -> str:
    """The pay code of the plan's first component that pays money (a raise or benefit in kind has none)."""
    return next((c.pay_code for c in ctx.policy.components if hasattr(c, "pay_code")), "commission")
