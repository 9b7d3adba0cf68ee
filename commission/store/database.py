"""Open the batch store (SQLite file or PostgreSQL URL) and bring its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def open_store(url: str) -> Engine:
    """An engine on the store at `url`, its schema created or upgraded to the latest revision.

    SQLite transactions start with BEGIN IMMEDIATE, so concurrent writers (two `batch create` at
    once) queue instead of interleaving; PostgreSQL serializes upgrades with an advisory lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _):
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below open transactions
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(727272)"))
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine
