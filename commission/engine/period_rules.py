"""Period-level rules over per-collector arrays: tier schedules, threshold gates, caps and floors.

Each function takes one int64 value per collector and returns the amounts plus the item
rows (lineage) that explain them. Loops run over tiers or adjustments, never over rows.
"""

from __future__ import annotations

import numpy as np

from ..money import apply_fraction, format_rate
from ..policy import CapFloor, Threshold, Tiers


def tier_items(component: Tiers, base: np.ndarray, rounding_mode: str) -> list[dict]:
    """Item rows (one per collector and tier that pays) for a marginal or whole-tier schedule.

    Tiers are [from, to). Marginal: each tier pays its rate on the part of the base inside it,
    or its fixed amount once the base reaches it. Whole: the tier holding the base pays its rate
    on the whole base, or its fixed amount. Each tier's amount is rounded on its own, so the
    component total is the sum of its rounded rows.
    """
    rows = []
    for tier in component.tiers:
        if component.mode == "marginal":
            ceiling = base if tier.high is None else np.minimum(base, tier.high)
            tier_base = np.clip(ceiling - tier.low, 0, None)
            reached = base >= tier.low
        else:
            reached = (base >= tier.low) & (True if tier.high is None else base < tier.high)
            tier_base = np.where(reached, base, 0)
        if tier.rate is not None:
            amount = apply_fraction(tier_base, tier.rate, rounding_mode)
            pays = reached & (tier_base != 0)
            rate_text = format_rate(tier.rate)
        else:
            amount = np.where(reached, tier.amount, 0)
            pays = reached
            rate_text = "fixed"
        for collector in np.flatnonzero(pays):
            rows.append({"collector": int(collector), "rule": tier.id, "base": int(tier_base[collector]),
                         "rate": rate_text, "amount": int(amount[collector])})
    return rows


def threshold_items(adjustment: Threshold, recovered: np.ndarray, subject: np.ndarray) -> list[dict]:
    """A gate that failed takes back everything the listed components paid (the subject)."""
    failed = recovered < adjustment.recovered_at_least
    return [{"collector": int(c), "rule": adjustment.id, "base": int(recovered[c]), "rate": "",
             "amount": -int(subject[c])} for c in np.flatnonzero(failed)]


def cap_floor_items(adjustment: CapFloor, subject: np.ndarray) -> list[dict]:
    """Bring the subject (the listed components' total so far) down to the cap or up to the floor."""
    target = subject
    if adjustment.cap is not None:
        target = np.minimum(target, adjustment.cap)
    if adjustment.floor is not None:
        target = np.maximum(target, adjustment.floor)
    change = target - subject
    return [{"collector": int(c), "rule": adjustment.id, "base": int(subject[c]), "rate": "",
             "amount": int(change[c])} for c in np.flatnonzero(change)]
