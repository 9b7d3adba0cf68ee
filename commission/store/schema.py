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
    Column("team", String(200), nullable=False, server_default=""),  # the roster's, so a manager sees their team
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

#: A user's password (an Argon2 hash, never the password), whether it is a one-time password to be
#: changed at the next sign-in, and the failed sign-ins that lock the account for a while.
credentials = Table(
    "credentials", metadata,
    Column("name", String(64), ForeignKey("users.name"), primary_key=True),
    Column("hash", Text, nullable=False),
    Column("must_change", Boolean, nullable=False),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

#: Signed-in sessions, by the SHA-256 of their cookie (a stolen copy of the table signs nobody in),
#: with the CSRF secret of their forms; several workers or hosts share them through the store.
sessions = Table(
    "sessions", metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("name", String(64), ForeignKey("users.name"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("client", String(64), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

#: Long work started from a page (creating a batch, a comparison): its progress and outcome, so the
#: page can be closed and reopened.
jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("message", Text, nullable=False, server_default=""),  # problems, one a line, when failed
    Column("result", Text, nullable=False, server_default="{}"),  # JSON, e.g. {"batch_id": 3}
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

#: A collector's question on a line (a payment) or an item of a batch, and HR's answer.
questions = Table(
    "questions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("collector_id", String(64), nullable=False),
    Column("about", String(128), nullable=False),  # "payment P0001" or "item 12"
    Column("text", Text, nullable=False),
    Column("asked_by", String(64), nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # open | correct | accepted
    Column("answer", Text, nullable=False, server_default=""),
    Column("corrected_in", Integer, ForeignKey("batches.id")),
    Column("answered_by", String(64)),
    Column("answered_at", DateTime(timezone=True)),
)
Index("questions_by_collector", questions.c.collector_id)
Index("payouts_by_collector", payouts.c.collector_id)

#: Statements already made, by batch, collector, language and the SHA-256 of the store's facts they show
#: (status, pay date, year to date...): the workbook and its cells for a page, as blobs. A change of
#: those facts makes a new entry, so a copy is never out of date.
statement_copies = Table(
    "statement_copies", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("collector_id", String(64), primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("facts_sha256", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("xlsx_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("cells_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
)
