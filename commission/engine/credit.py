"""Split credit: one payment credited to several collectors, split to the exact minor unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.columns import SHARE_SCALE


def credited_amounts(frame: pd.DataFrame, column: str = "amount") -> np.ndarray:
    """Each row's credited amount: the payment, or for a split payment the collector's share of it
    (another money column of the payment, a fee or principal, is split the same way: `column`).

    Shares are exact (parts per million). Each part is floor(amount x share); the minor units
    left over go one each to the largest remainders, ties to the collector that sorts first,
    so the parts of a payment always add up to the payment exactly. amount x share (up to
    10**15 x 10**6) is never formed: with q, r = divmod(amount, 10**6) it is q x share x 10**6 + r x share.

    The rows of some of a payment's collectors only (a team's simulation, a collector's what-if) share
    out floor(amount x their shares' sum): never a minor unit that belongs to a collector not given.
    """
    amounts = frame[column].to_numpy()
    if "credit_share" not in frame:
        return amounts
    shares = frame["credit_share"].to_numpy()
    split = np.flatnonzero(shares != SHARE_SCALE)
    if not len(split):
        return amounts
    magnitude = np.abs(amounts[split])
    whole, rest = np.divmod(magnitude, SHARE_SCALE)
    carry, remainder = np.divmod(rest * shares[split], SHARE_SCALE)
    parts = whole * shares[split] + carry  # at most the payment: shares are at most 1
    ids = frame["payment_id"].to_numpy()[split]  # split rows of one payment are adjacent (canonical order)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(ids)]))
    present = np.add.reduceat(shares[split], starts)  # SHARE_SCALE when every collector's row is here
    whole_start, rest_start = np.divmod(magnitude[starts], SHARE_SCALE)
    due = whole_start * present + rest_start * present // SHARE_SCALE  # floor(payment x the shares here)
    leftover = due - np.add.reduceat(parts, starts)
    order = np.lexsort((np.arange(len(split)), -remainder, group))
    rank = np.arange(len(split)) - starts[group[order]]
    bonus = np.zeros(len(split), dtype=np.int64)
    bonus[order] = rank < leftover[group[order]]
    credited = amounts.copy()
    credited[split] = np.sign(amounts[split]) * (parts + bonus)
    return credited
