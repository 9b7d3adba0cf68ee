"""The batch store's tables (SQLAlchemy Core). Money is BIGINT minor units, as everywhere else.

Alembic migrations in migrations/ create and upgrade these tables; this module is what the
code reads and writes through, and the first migration is generated from the same shapes.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        text)

metadata = MetaData()

#: A batch is open (draft or approved) until it is locked, paid or discarded; one open batch a period.
OPEN_STATUSES = ("draft", "approved")
STATUSES = ("draft", "approved", "locked", "paid", "discarded")

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # payout | adjustment
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("minor_units", Integer, nullable=False),
    Column("plans", Text, nullable=False),  # JSON: [{id, version, sha256, source}]
    Column("inputs", Text, nullable=False),  # JSON: [{role, path, sha256, rows}]
    Column("engine_version", String(32), nullable=False),
    Column("totals", Text, nullable=False),  # JSON: {column: decimal text}
    Column("reports", Text, nullable=False),  # folder of the run's reports (lineage lines)
    Column("lines_sha256", String(64), nullable=False),
    Column("reports_token", String(32), nullable=False, server_default=""),  # also in the folder's manifest
    Column("corrects", Text, nullable=False, server_default=""),  # ids of the batches an adjustment corrects
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(128)),
    Column("approved_at", DateTime(timezone=True)),
    Column("locked_by", String(128)),
    Column("locked_at", DateTime(timezone=True)),
    Column("paid_by", String(128)),
    Column("paid_at", DateTime(timezone=True)),
)
Index("one_open_batch_per_period", batches.c.period, unique=True,
      sqlite_where=text("status IN ('draft', 'approved')"),
      postgresql_where=text("status IN ('draft', 'approved')"))

payouts = Table(
    "payouts", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("collector_id", String(64), primary_key=True),
    Column("pay_code", String(64), primary_key=True),
    Column("employee_id", String(64), nullable=False, server_default=""),
    Column("name", String(128), nullable=False, server_default=""),
    Column("plan", String(64), nullable=False),
    Column("plan_version", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
)

items = Table(
    "items", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("collector_id", String(64), nullable=False),
    Column("component", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("rule", String(128), nullable=False),
    Column("applies_to", String(256), nullable=False),
    Column("base", BigInteger, nullable=False),
    Column("rate", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("pay_code", String(64), nullable=False),
    Column("window", String(16), nullable=False),
    Column("event", String(64), nullable=False),
)

balances = Table(
    "balances", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("collector_id", String(64), primary_key=True),
    Column("balance", String(128), primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

#: Append-only: every state change of every batch, who and when.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
)
