"""Reversals (bounced or returned payments) claw back commission at the original payment's terms.

A reversal row has a negative amount and names the payment it reverses. It claws back, in the
period it is booked, the original's commission in proportion to the part reversed, at the
original's rule, rate, bucket and band, also when the original was paid in an earlier period.
Clawbacks are cumulative: the k-th reversal of a payment claws back
round(C x reversed_so_far / paid) - round(C x reversed_before / paid), so a payment reversed in
full, in one go or in parts, gives back exactly the commission C it earned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..inputs.ledger import chained_reversal
from ..money import apply_ratio, format_minor, sum_by


def find_originals(history: pd.DataFrame, reversals: pd.DataFrame) -> np.ndarray:
    """Position in `history` of the payment each reversal names (same collector), or -1."""
    keys = pd.MultiIndex.from_arrays([history["payment_id"].to_numpy(),
                                      history["collector_id"].cat.codes.to_numpy()])
    wanted = pd.MultiIndex.from_arrays([reversals["reverses"].to_numpy(),
                                        reversals["collector_id"].cat.codes.to_numpy()])
    return keys.get_indexer(wanted)


def report_chained(history: pd.DataFrame, reversals: pd.DataFrame, original: np.ndarray,
                   problems: ProblemCollector) -> np.ndarray:
    """Which reversals name a row that is itself a reversal or a negative amount, each reported.
    The loader refuses these; checked again here, where a clawback takes its original's terms."""
    found = original >= 0
    at = np.where(found, original, 0)
    its_original = history["reverses"].to_numpy()[at]
    chained = found & ((its_original != "") | (history["amount"].to_numpy()[at] < 0))
    for index in np.flatnonzero(chained)[: problems.limit]:
        problems.add(f"{reversals['source'].iat[index]}:row {reversals['row'].iat[index]}", "reverses",
                     chained_reversal(str(reversals["reverses"].iat[index]), str(its_original[index])))
    problems.extend_hidden(max(int(chained.sum()) - problems.limit, 0))
    return chained


def report_unmatched(reversals: pd.DataFrame, unmatched: np.ndarray, problems: ProblemCollector) -> None:
    for index in np.flatnonzero(unmatched)[: problems.limit]:
        problems.add(f"{reversals['source'].iat[index]}:row {reversals['row'].iat[index]}", "reverses",
                     f"payment {reversals['reverses'].iat[index]!r} of collector "
                     f"{reversals['collector_id'].iat[index]} is not in the ledgers given; add the ledger of the "
                     "month it was paid, or set reversals: {unmatched: own_attributes} in the plan")
    problems.extend_hidden(max(int(unmatched.sum()) - problems.limit, 0))


def report_orphans(rows: pd.DataFrame, problems: ProblemCollector) -> None:
    """Negative amounts that name no payment: a clawback needs the terms of what it reverses."""
    for index in range(min(len(rows), problems.limit)):
        problems.add(f"{rows['source'].iat[index]}:row {rows['row'].iat[index]}", "amount",
                     "a negative amount must say which payment it reverses (a reverses column with that "
                     "payment_id), or the plan must set reversals: {unmatched: own_attributes}")
    problems.extend_hidden(max(len(rows) - problems.limit, 0))


def clawbacks(history: pd.DataFrame, reversals: pd.DataFrame, original: np.ndarray, commission: np.ndarray,
              rounding_mode: str, minor_units: int, problems: ProblemCollector) -> np.ndarray:
    """The (negative) clawback of each reversal row, given each original's commission.

    `original` is each reversal's position in `history`; `commission` the original's commission.
    Every reversal of the same payments in the history counts toward "reversed so far", in
    booking order (date, then payment_id). Reversing more than was paid is an error.
    """
    paid = history["amount"].to_numpy()[original]
    everything = history.loc[history["reverses"].isin(set(reversals["reverses"]))]
    earlier = find_originals(history, everything)
    keep = np.isin(earlier, original)
    everything, earlier = everything.loc[keep], earlier[keep]
    booked = pd.DataFrame({"original": earlier, "date": everything["payment_date"].to_numpy(),
                           "payment_id": everything["payment_id"].to_numpy(),
                           "reversed": -everything["amount"].to_numpy()}).sort_values(
        ["original", "date", "payment_id"], kind="stable")
    # Checked first, so the running sums below cannot wrap: each payment's reversals, in all.
    group, originals = pd.factorize(booked["original"])
    sum_by(booked["reversed"].to_numpy(), group, len(originals), what="the reversals", minor_units=minor_units,
           names=history["payment_id"].to_numpy()[originals])
    booked["after"] = booked.groupby("original")["reversed"].cumsum()
    after = booked.set_index(["original", "payment_id"])["after"]
    key = pd.MultiIndex.from_arrays([original, reversals["payment_id"].to_numpy()])
    reversed_after = after.reindex(key).to_numpy(dtype=np.int64)
    reversed_before = reversed_after + reversals["amount"].to_numpy()
    too_much = reversed_after > np.abs(paid)
    for index in np.flatnonzero(too_much)[: problems.limit]:
        problems.add(f"{reversals['source'].iat[index]}:row {reversals['row'].iat[index]}", "amount",
                     f"reverses more than payment {reversals['reverses'].iat[index]!r} paid: "
                     f"{format_minor(reversed_after[index], minor_units)} reversed in all, of "
                     f"{format_minor(abs(int(paid[index])), minor_units)}")
    denominator = np.where(paid == 0, 1, np.abs(paid))
    return -(apply_ratio(commission, reversed_after, denominator, rounding_mode)
             - apply_ratio(commission, reversed_before, denominator, rounding_mode))
