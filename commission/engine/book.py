"""The item book: every period-level amount, one row per collector and rule, kept as it is booked.

Components, bonuses and adjustments add blocks of items (arrays over collectors, never a
loop over ledger rows); the book keeps each component's running total per collector, which
later rules (gates, caps, holdbacks) act on. Payouts are sums of items, so they always
reconcile to the lineage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..money import add_checked, sum_by

ITEM_COLUMNS = ("collector_id", "component", "kind", "rule", "applies_to", "base", "rate", "amount", "pay_code",
                "window", "event")


@dataclass
class ItemBook:
    """Items booked so far for `collectors` (a sorted list; positions index every array). Every
    running total is checked against MAX_TOTAL as it changes (`minor_units` to say the limit)."""

    collectors: list[str]
    minor_units: int
    blocks: list[dict] = field(default_factory=list)
    running: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.collectors)

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n, dtype=np.int64)

    def add(self, who: np.ndarray, *, component: str, kind: str, rule, base, rate, amount, pay_code: str,
            window: str, applies_to: str = "", event="", counts_toward: str | None = None) -> None:
        """Book items for collectors at positions `who`; scalars apply to all of them.

        `counts_toward` names the component whose running total these amounts change
        (by default `component` itself; an adjustment's take-back counts toward its target).
        """
        who = np.asarray(who, dtype=np.int64)
        amount = np.broadcast_to(np.asarray(amount, dtype=np.int64), who.shape)
        self.blocks.append({"who": who, "component": component, "kind": kind, "rule": rule,
                            "applies_to": applies_to, "base": base, "rate": rate, "amount": amount,
                            "pay_code": pay_code, "window": window, "event": event})
        target = counts_toward or component
        what = f"the total of {target}"
        change = sum_by(amount, who, self.n, what=what, minor_units=self.minor_units, names=self.collectors)
        self.running[target] = add_checked(self.running.get(target, self.zeros()), change, what=what,
                                           minor_units=self.minor_units, names=self.collectors)

    def net(self) -> np.ndarray:
        """Each collector's pay so far: everything booked."""
        return self.total(list(self.running), what="the net pay")

    def total(self, components, what: str = "") -> np.ndarray:
        """Per-collector running total of the given components (including adjustments booked to them)."""
        result = self.zeros()
        for component in components:
            if component in self.running:
                result = add_checked(result, self.running[component], minor_units=self.minor_units,
                                     what=what or f"the total of {', '.join(components)}", names=self.collectors)
        return result

    def frame(self) -> pd.DataFrame:
        """All items in collector order, keeping booking order within a collector."""
        if not self.blocks:
            return pd.DataFrame({c: pd.Series([], dtype=np.int64 if c in ("base", "amount") else "str")
                                 for c in ITEM_COLUMNS})
        parts = []
        for block in self.blocks:
            size = len(block["who"])
            parts.append(pd.DataFrame({
                "who": block["who"],
                **{c: np.broadcast_to(np.asarray(block[c], dtype=object if c not in ("base", "amount") else np.int64),
                                      (size,)) for c in ITEM_COLUMNS[1:]},
            }))
        items = pd.concat(parts, ignore_index=True)
        items = items.sort_values("who", kind="stable").reset_index(drop=True)
        items.insert(0, "collector_id", np.asarray(self.collectors, dtype=object)[items.pop("who").to_numpy()])
        return items.astype({c: "str" for c in ITEM_COLUMNS if c not in ("base", "amount")}
                            | {"base": np.int64, "amount": np.int64})
