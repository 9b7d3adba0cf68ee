"""Shared helpers: plans and ledgers written inline in the test, the way a person reads them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from commission.engine import compute
from commission.inputs import load_ledger, load_roster
from commission.periods import Period
from commission.policy import parse_policy

LEDGER_HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"

#: A plan header reused by scenarios: CNY, half_up per line, the field's usual buckets and bands.
PLAN_HEAD = """\
plan: test-plan
version: 1
effective: 2026-01-01
currency: CNY
classify:
  bucket:
    M1: "[1, 30]"
    M2: "[31, 60]"
    M3: "[61, 90]"
    M4-6: "[91, 180]"
    M7+: "[181, inf)"
  band:
    small: "[0, 5000)"
    medium: "[5000, 50000)"
    large: "[50000, inf)"
"""


def plan(text: str) -> str:
    """PLAN_HEAD followed by the test's own components (dedented)."""
    return PLAN_HEAD + textwrap.dedent(text)


@pytest.fixture
def run_plan(tmp_path: Path):
    """run_plan(plan_yaml, ledger_rows, period='2026-10', roster=None) -> RunResult.

    ledger_rows is CSV text without the header line, e.g. "P1,C1,A0001,2026-10-03,50.00,10,4000".
    A first line starting with 'payment_id' replaces the default header (extra key columns).
    """

    def run(plan_yaml: str, ledger_rows: str, period: str = "2026-10", roster: str | None = None):
        policy = parse_policy(plan_yaml, source="plan.yaml")
        body = textwrap.dedent(ledger_rows).strip()
        text = body if body.startswith("payment_id") else f"{LEDGER_HEADER}\n{body}"
        ledger_path = tmp_path / "ledger.csv"
        ledger_path.write_text(text + "\n", encoding="utf-8")
        ledger = load_ledger([ledger_path], policy.minor_units, policy.ledger_columns())
        roster_frame = None
        if roster is not None:
            roster_path = tmp_path / "roster.csv"
            roster_path.write_text(textwrap.dedent(roster).strip() + "\n", encoding="utf-8")
            roster_frame = load_roster(roster_path).frame
        return compute(policy, ledger.frame, Period.parse(period), roster_frame)

    return run


def payout(result, collector: str, column: str = "net_payout") -> int:
    """One collector's payout column, in minor units."""
    row = result.payouts.loc[result.payouts["collector_id"] == collector]
    assert len(row) == 1, f"no payout row for {collector}"
    return int(row[column].iloc[0])
