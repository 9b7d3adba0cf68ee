"""Line-level commission: each credited repayment times the rate of the first rule it matches.

The rule lookup is one table over every combination of the key columns' values (bucket x
band x product ...), filled by a small loop over rules, then gathered for all rows at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..money import apply_rate, common_denominator
from ..policy import LineRate, RateRule

NO_LIMIT, LIMIT_MIN, LIMIT_MAX = 0, 1, 2
LIMIT_LABELS = ["", "min", "max"]
#: Above this many key combinations the lookup table would be too large; rules are matched row-wise by mask.
_MAX_TABLE = 1_000_000


@dataclass(frozen=True)
class KeyColumn:
    """A rate-table key: integer codes for every row and the value each code stands for."""

    codes: np.ndarray
    values: tuple[str, ...]


@dataclass(frozen=True)
class LineBase:
    """What each row's rate applies to, exactly: values x numerators / denominator (the repayment x 1 / 1,
    the repayment x its fee rate, or a ledger money column), the base as a line shows it (the fee rounded
    by the plan's rule), and the fee rate's text per row ('' when the base is no fee from rates)."""

    kind: str
    values: np.ndarray
    numerators: np.ndarray
    denominator: int
    shown: np.ndarray
    fee_rate: pd.Categorical


@dataclass(frozen=True)
class LineAmounts:
    """Per row of the component's window: the rule matched, the exact commission and limits applied;
    `numerators / denominator` is each row's rate times its base's fee rate (the rate alone on amount)."""

    rules: tuple[RateRule, ...]
    rule_index: np.ndarray  # int16 index into rules
    computed: np.ndarray  # amount x rate, rounded
    amount: np.ndarray  # after per-payment min / max
    limit: np.ndarray  # NO_LIMIT, LIMIT_MIN or LIMIT_MAX
    numerators: np.ndarray  # the rate of each row exactly: numerators / denominator
    denominator: int
    base: Optional[LineBase] = None  # None: the repayment (amount)


def key_columns(frame: pd.DataFrame, classifier_codes: dict, classifier_labels: dict,
                names: tuple[str, ...]) -> dict[str, KeyColumn]:
    """Codes for each column the rules look at: classifier codes, or ledger values factorized in sorted order."""
    keys = {}
    for name in names:
        if name in classifier_codes:
            keys[name] = KeyColumn(classifier_codes[name].astype(np.int64), tuple(classifier_labels[name]))
        else:
            codes, uniques = pd.factorize(frame[name], sort=True)
            keys[name] = KeyColumn(codes.astype(np.int64), tuple(str(u) for u in uniques))
    return keys


def match_rules(component: LineRate, keys: dict[str, KeyColumn], n_rows: int) -> np.ndarray:
    """Index of the first rule each row matches (the default's index when none does, -1 without default)."""
    rules = list(component.rules)
    names = list(keys)
    sizes = [max(len(keys[n].values), 1) for n in names]
    table_size = int(np.prod(sizes)) if names else 1
    default = len(rules) if component.default is not None else -1
    if table_size <= _MAX_TABLE:
        combos = np.indices(sizes).reshape(len(names), -1) if names else np.zeros((0, 1), dtype=np.int64)
        table = np.full(table_size, -1, dtype=np.int16)
        for index, rule in enumerate(rules):
            hit = table < 0
            for column, accepted in rule.conditions:
                position = names.index(column)
                wanted = [keys[column].values.index(v) for v in accepted if v in keys[column].values]
                hit &= np.isin(combos[position], wanted)
            table[hit] = index
        table[table < 0] = default
        flat = np.zeros(n_rows, dtype=np.int64)
        for name, size in zip(names, sizes):
            flat = flat * size + keys[name].codes
        return table[flat]
    result = np.full(n_rows, -1, dtype=np.int16)
    for index, rule in enumerate(rules):
        hit = result < 0
        for column, accepted in rule.conditions:
            wanted = [keys[column].values.index(v) for v in accepted if v in keys[column].values]
            hit &= np.isin(keys[column].codes, wanted)
        result[hit] = index
    result[result < 0] = default
    return result


def compute_lines(component: LineRate, frame: pd.DataFrame, keys: dict[str, KeyColumn], rounding_mode: str,
                  problems: ProblemCollector, base: Optional[LineBase] = None) -> LineAmounts | None:
    """Rate every row of `frame` on `base` (the repayment when None), rounded once per row; rows no rule
    matches (and no default) are reported and None returned."""
    rules = (*component.rules, component.default) if component.default is not None else tuple(component.rules)
    rule_index = match_rules(component, keys, len(frame))
    unmatched = np.flatnonzero(rule_index < 0)
    if len(unmatched):
        for index in unmatched[: problems.limit]:
            described = ", ".join(f"{name} {keys[name].values[keys[name].codes[index]]}" for name in keys)
            problems.add(f"{frame['source'].iat[index]}:row {frame['row'].iat[index]}", component.id,
                         f"no rate rule matches ({described}) and the component has no default")
        problems.extend_hidden(max(len(unmatched) - problems.limit, 0))
        return None
    rule_numerators, denominator = common_denominator([r.rate for r in rules])
    numerators = rule_numerators[rule_index]
    amounts = frame["amount"].to_numpy()
    if base is not None:  # rate x fee rate: each below RATE_SCALE, so the product fits int64
        numerators, denominator, amounts = numerators * base.numerators, denominator * base.denominator, base.values
    computed = apply_rate(amounts, numerators, denominator, rounding_mode)
    final, limit = _per_payment_limits(component, amounts, numerators, computed)
    return LineAmounts(rules=rules, rule_index=rule_index.astype(np.int16), computed=computed, amount=final,
                       limit=limit, numerators=numerators, denominator=denominator, base=base)


def _per_payment_limits(component: LineRate, amounts, numerators, computed):
    """Clamp each line's commission magnitude to [min, max]; a reversal mirrors its payment.

    The minimum applies only to repayments (positive amounts) that earn at a non-zero rate, so a 0%
    rule never creates commission. A negative row rated at its own terms (a reversal whose payment
    is not in the ledgers, under reversals: {unmatched: own_attributes}) gets the maximum mirrored
    but never the minimum: the minimum rewards collecting a small payment, and nothing says the
    unknown payment was paid it (mirrored, a -10.00 part of a large payment would take back 25.00).
    A matched reversal is rated here at its original's positive amount, and gives back what it earned.
    """
    limit = np.zeros(len(computed), dtype=np.int8)
    if component.per_payment_min is None and component.per_payment_max is None:
        return computed, limit
    magnitude = np.abs(computed)
    if component.per_payment_min is not None:
        raise_to_min = (magnitude < component.per_payment_min) & (numerators != 0) & (amounts > 0)
        magnitude[raise_to_min] = component.per_payment_min
        limit[raise_to_min] = LIMIT_MIN
    if component.per_payment_max is not None:
        cut_to_max = magnitude > component.per_payment_max
        magnitude[cut_to_max] = component.per_payment_max
        limit[cut_to_max] = LIMIT_MAX
    np.negative(magnitude, out=magnitude, where=amounts < 0)
    return magnitude, limit
