"""What a line rate is paid on, per ledger row: the repayment (`amount`), the agency's fee on it (`fee`),
or another ledger money column (principal, written_off...).

A base is kept exact, as values x numerators / denominator per row: a fee from the plan's fee rates is
the repayment x the fee rate, so a collector's share of the fee is repayment x fee rate x share rate,
rounded once by the plan's rule (1,234.56 x 30% x 60% = 222.2208 -> 222.22), never a rounded fee
rounded again. `shown` is the base as a line shows it: the fee rounded by the plan's rule (370.37), or
the column's value.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..policy import Policy
from .line_rates import LineBase, compute_lines, key_columns

#: The lineage columns a plan with a line rate on anything but amount adds to every line.
BASE_COLUMNS = ("base_kind", "fee_rate", "base_amount")


def line_base(policy: Policy, kind: str, rows: pd.DataFrame, classes: dict, problems: ProblemCollector
              ) -> Optional[LineBase]:
    """The base `kind` for `rows` (`classes`: their classifier codes); None when a row matches no fee rule
    (reported, naming the row)."""
    if kind == "amount":
        amounts = rows["amount"].to_numpy()
        return LineBase("amount", amounts, np.ones(len(rows), dtype=np.int64), 1, amounts, _blank(len(rows)))
    column = policy.fees.column if kind == "fee" else kind
    if column:  # a ledger money column: the fee column, principal...
        values = rows[column].to_numpy()
        return LineBase(kind, values, np.ones(len(rows), dtype=np.int64), 1, values,
                        _blank(len(rows), "ledger" if kind == "fee" else ""))
    fee = fee_lines(policy, rows, classes, problems)
    if fee is None:
        return None
    texts = list(dict.fromkeys(r.rate_text for r in fee.rules))
    of_rule = np.array([texts.index(r.rate_text) for r in fee.rules], dtype=np.int16)
    return LineBase("fee", rows["amount"].to_numpy(), fee.numerators, fee.denominator, fee.amount,
                    pd.Categorical.from_codes(of_rule[fee.rule_index], categories=texts))


def fee_lines(policy: Policy, rows: pd.DataFrame, classes: dict, problems: ProblemCollector):
    """Each row rated by the plan's fee table (its `computed` is the fee, rounded by the plan's rule)."""
    table = policy.fees.table
    keys = key_columns(rows, classes, {c.name: c.labels for c in policy.classifiers}, table.key_columns())
    return compute_lines(table, rows, keys, policy.rounding.mode, problems)


def has_other_bases(policy: Policy) -> bool:
    """Does any line rate of the plan pay on something else than the repayment (so lines show the base)?"""
    return any(getattr(c, "base", "amount") != "amount" for c in policy.components if c.kind == "line_rate")


def _blank(size: int, text: str = "") -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[text])
