"""Open the batch store (SQLite file or PostgreSQL URL) and bring its schema up to date with Alembic."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from .errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def open_store(url: str) -> Engine:
    """An engine on the store at `url`, its schema created or upgraded to the latest revision.

    SQLite transactions start with BEGIN IMMEDIATE, so concurrent writers (two `batch create` at
    once) queue instead of interleaving; PostgreSQL serializes upgrades with an advisory lock.
    """
    known = _OPENED.get(url)
    if known is not None and _still_there(known):
        return known
    try:
        engine = _OPENED[url] = _open(_with_driver(url))
        return engine
    except (DBAPIError, ArgumentError) as exc:  # not a database, a folder, a wrong URL, a server down
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"cannot open the batch store {_shown(url)}: {detail}") from None
    except ImportError as exc:
        raise StoreError(f"cannot open the batch store {_shown(url)}: its database driver is not installed "
                         f"({exc.name}); for PostgreSQL: pip install 'collector-commission[postgresql]'") from None


#: Engines already opened and upgraded in this process, by URL: a server opens its store once, not on
#: every request (an upgrade check costs a transaction, and each engine keeps its own pool).
_OPENED: dict[str, Engine] = {}


def _still_there(engine: Engine) -> bool:
    """An SQLite file deleted since it was opened is opened (created and upgraded) again."""
    database = engine.url.database
    return engine.dialect.name != "sqlite" or not database or database == ":memory:" or Path(database).exists()


def _with_driver(url: str) -> str:
    """postgresql://... with the driver this package installs (psycopg2); SQLAlchemy 2.1 would pick psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # create_engine reports it
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    return url


def _create_private(database: str | None) -> None:
    """Create a new SQLite store file readable by its owner only (0600, whatever the umask): it holds
    every collector's pay and the batches' ledgers. SQLite gives its journal files the same mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # it exists (and keeps the mode its owner gave it), or cannot be made: opening says so
        pass


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


def _open(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})
        _create_private(engine.url.database)

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
