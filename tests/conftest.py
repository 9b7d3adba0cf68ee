"""Shared helpers: plans and ledgers written inline in the test, the way a person reads them."""

from __future__ import annotations

import os
import textwrap
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from commission.engine import SideInputs, pay_plan
from commission.inputs import load_events, load_ledger, load_period_values, load_roster, plan_columns
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


def flat_plan(plan_id: str = "flat", rate: str = "5%", extra: str = "") -> str:
    """The smallest plan: `rate` on every repayment, in CNY from 2026-01-01, then the `extra` YAML lines."""
    return (f"plan: {plan_id}\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\ncomponents:\n  - id: base\n"
            f"    kind: line_rate\n    rates:\n      - {{rate: {rate}}}\n") + textwrap.dedent(extra)


def plan(text: str) -> str:
    """PLAN_HEAD followed by the test's own components (dedented)."""
    return PLAN_HEAD + textwrap.dedent(text)


@pytest.fixture
def run_plan(tmp_path: Path):
    """run_plan(plan_yaml, ledger_rows, period='2026-10', roster=None) -> RunResult.

    ledger_rows is CSV text without the header line, e.g. "P1,C1,A0001,2026-10-03,50.00,10,4000".
    A first line starting with 'payment_id' replaces the default header (extra key columns).
    """

    def run(plan_yaml: str, ledger_rows: str, period: str = "2026-10", roster: str | None = None,
            targets: str | None = None, assignments: str | None = None, events: str | None = None,
            previous=None):
        """`previous` is the RunResult of the period before, whose state this run continues."""
        policy = parse_policy(plan_yaml, source="plan.yaml")
        body = textwrap.dedent(ledger_rows).strip()
        text = body if body.startswith("payment_id") else f"{LEDGER_HEADER}\n{body}"
        ledger_path = tmp_path / "ledger.csv"
        ledger_path.write_text(text + "\n", encoding="utf-8")
        ledger = load_ledger([ledger_path], policy.minor_units, **plan_columns([policy]))
        roster_frame = None
        if roster is not None:
            roster_path = tmp_path / "roster.csv"
            roster_path.write_text(textwrap.dedent(roster).strip() + "\n", encoding="utf-8")
            roster_frame = load_roster(roster_path).frame
        side = SideInputs(
            targets=load_period_values(_file(tmp_path, "targets.csv", targets), "targets", "target", 2).frame
            if targets else None,
            assignments=load_period_values(_file(tmp_path, "assignments.csv", assignments), "assignments",
                                           "assigned_balance", 2).frame if assignments else None,
            events=load_events(_file(tmp_path, "events.csv", events)).frame if events else None,
            state=previous.state if previous is not None else None,
            state_period=previous.period if previous is not None else None)
        return pay_plan(policy, ledger.frame, Period.parse(period), roster_frame, side=side)

    return run


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


def item_amounts(result, collector: str) -> dict[str, int]:
    """{rule: amount} of one collector's items (amounts of repeated rules added up)."""
    rows = result.items.loc[result.items["collector_id"] == collector]
    return {rule: int(amount) for rule, amount in rows.groupby("rule", sort=False)["amount"].sum().items()}


def balance(result, collector: str, name: str) -> int:
    rows = result.state.loc[(result.state["collector_id"] == collector) & (result.state["balance"] == name)]
    return int(rows["amount"].sum())


def payout(result, collector: str, column: str = "net_payout") -> int:
    """One collector's payout column, in minor units."""
    row = result.payouts.loc[result.payouts["collector_id"] == collector]
    assert len(row) == 1, f"no payout row for {collector}"
    return int(row[column].iloc[0])


# -- the batch store, on SQLite and (when CI starts one) PostgreSQL -------------------------------

PG_URL = os.environ.get("COMMISSION_TEST_PG_URL")


def databases():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="COMMISSION_TEST_PG_URL is not set (.ci/run starts a PostgreSQL server and sets it)"))


@pytest.fixture(params=list(databases()))
def blank_store(request, tmp_path):
    """A fresh, empty store: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))


def as_user(monkeypatch, name: str) -> None:
    """Act as login `name` from now on: the CLI's identity is the operating system's user, looked up when a
    command runs (commission.cli.common.login_name)."""
    monkeypatch.setattr("commission.cli.common.login_name", lambda: name)
