"""Regression tests for the review of simulation against today (issue 15), each worked by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from commission.engine import SideInputs
from commission.inputs import load_ledger
from commission.money import MAX_AMOUNT
from commission.periods import Period
from commission.simulation import prepare_history
from commission.simulation.behaviour import PPM, scaled_history


def ledger_frame(folder: Path, text: str, columns=("reverses",)):
    path = folder / "ledger.csv"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_ledger([path], 2, columns).frame


def test_scaled_reversal_of_the_largest_payment_is_exact(tmp_path):
    """A factor of 1.5 on a payment of MAX_AMOUNT (9,999,999,999,999.99): amount x parts per million is
    1.5 x 10**21, past int64. The payment scales half-up to 1,499,999,999,999,998.5 -> ...999; its
    reversal toward zero to -...998 (never more than the payment)."""
    big = f"{MAX_AMOUNT // 100}.{MAX_AMOUNT % 100:02d}"
    frame = ledger_frame(tmp_path, f"""\
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        P1,C1,A0001,2026-07-01,{big},10,{big},
        R1,C1,A0001,2026-07-20,-{big},10,{big},P1
        """)
    history = prepare_history(frame, None, SideInputs(), "CNY", 2)
    scaled = scaled_history(history, [Period.parse("2026-07")], np.array([[3 * PPM // 2]], dtype=np.int64))
    amounts = dict(zip(scaled.ledger["payment_id"], scaled.ledger["amount"].tolist()))
    assert amounts == {"P1": 1_499_999_999_999_999, "R1": -1_499_999_999_999_998}
