"""The batch store's tables (SQLAlchemy Core). Money is BIGINT minor units, as everywhere else.

Alembic migrations in migrations/ create and upgrade these tables; this module is what the
code reads and writes through, and the first migration is generated from the same shapes.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Table, Text, text, true)

metadata = MetaData()

#: A batch is open (draft or approved) until it is locked, paid or discarded; one open batch a period.
OPEN_STATUSES = ("draft", "approved")
STATUSES = ("draft", "approved", "locked", "paid", "discarded", "returned")

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
    Column("pay_date", Date),  # when payroll pays it
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

#: Append-only (database triggers refuse UPDATE and DELETE): every change of a batch, a user or a
#: setting, who made it (the authenticated identity), when, and an optional free-text note beside it.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id")),  # empty for a change of users or settings
    Column("action", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("subject", String(128), nullable=False, server_default=""),  # the user or setting changed
    Column("note", Text, nullable=False, server_default=""),
)

#: Set once: how payouts are controlled ("mode": two-person or single-operator), who chose it, when.
settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("set_by", String(128), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

#: People who act on the store: their login name, roles (comma-separated), and for a collector or a
#: manager the collector or team they may see.
users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("roles", Text, nullable=False),
    Column("collector_id", String(64), nullable=False, server_default=""),
    Column("team", String(200), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Content-addressed file contents (zlib-compressed), stored once however many batches use them.
blobs = Table(
    "blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

#: A batch's files: its reports folder ("report", by path inside it) and its inputs ("input", by role).
batch_files = Table(
    "batch_files", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
)

#: Amounts paid in a year before the store existed, per collector and pay code (statements' year to date).
opening_ytd = Table(
    "opening_ytd", metadata,
    Column("year", Integer, primary_key=True),
    Column("collector_id", String(64), primary_key=True),
    Column("pay_code", String(64), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("loaded_by", String(128), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)
