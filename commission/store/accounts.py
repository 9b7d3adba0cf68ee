"""Passwords and sessions of the store's users, as rows: hashes and lockouts in `credentials`, signed-in
sessions by the SHA-256 of their cookie in `sessions`. How passwords are hashed and checked, and when
an account locks, is the application's rule (app/accounts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from .schema import credentials, sessions


@dataclass(frozen=True)
class Credential:
    hash: str
    must_change: bool
    failures: int
    locked_until: Optional[datetime]


@dataclass(frozen=True)
class SessionRow:
    name: str
    csrf: str
    expires_at: datetime


def utc(value: Optional[datetime]) -> Optional[datetime]:
    """A stored time as an aware UTC time (SQLite drops the zone; times are stored in UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def get_credential(connection: Connection, name: str) -> Optional[Credential]:
    row = connection.execute(select(credentials).where(credentials.c.name == name)).first()
    return None if row is None else Credential(row.hash, bool(row.must_change), row.failures, utc(row.locked_until))


def set_credential(connection: Connection, name: str, hashed: str, must_change: bool, now: datetime) -> None:
    """A new password: failures and any lock are cleared."""
    values = dict(hash=hashed, must_change=must_change, failures=0, locked_until=None, set_at=now)
    if connection.execute(update(credentials).where(credentials.c.name == name).values(**values)).rowcount == 0:
        connection.execute(insert(credentials).values(name=name, **values))


def set_failures(connection: Connection, name: str, failures: int, locked_until: Optional[datetime]) -> None:
    connection.execute(update(credentials).where(credentials.c.name == name)
                       .values(failures=failures, locked_until=locked_until))


def rehash(connection: Connection, name: str, hashed: str) -> None:
    connection.execute(update(credentials).where(credentials.c.name == name).values(hash=hashed))


def add_session(connection: Connection, token_sha256: str, name: str, csrf: str, client: str, now: datetime,
                expires_at: datetime) -> None:
    connection.execute(insert(sessions).values(token_sha256=token_sha256, name=name, csrf=csrf, client=client[:64],
                                               created_at=now, expires_at=expires_at))


def get_session(connection: Connection, token_sha256: str) -> Optional[SessionRow]:
    row = connection.execute(select(sessions.c.name, sessions.c.csrf, sessions.c.expires_at)
                             .where(sessions.c.token_sha256 == token_sha256)).first()
    return None if row is None else SessionRow(row.name, row.csrf, utc(row.expires_at))


def end_sessions(connection: Connection, *, token_sha256: Optional[str] = None, name: Optional[str] = None,
                 before: Optional[datetime] = None) -> None:
    """Delete one session, every session of a user, or every session that expired before a time."""
    query = delete(sessions)
    if token_sha256 is not None:
        query = query.where(sessions.c.token_sha256 == token_sha256)
    if name is not None:
        query = query.where(sessions.c.name == name)
    if before is not None:
        query = query.where(sessions.c.expires_at < before)
    connection.execute(query)
