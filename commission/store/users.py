"""Who may act on the store: users with roles, and the store's one-time setting of how payouts are
controlled (two people, or a single operator). The rules that use them are in app/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .errors import StoreError
from .events import log
from .schema import settings, users

#: Every role a user may hold.
ROLES = ("preparer", "approver", "payer", "auditor", "admin", "manager", "collector")
TWO_PERSON, SINGLE_OPERATOR = "two-person", "single-operator"


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]
    collector_id: str = ""
    team: str = ""
    active: bool = True


@dataclass(frozen=True)
class Setup:
    mode: str  # TWO_PERSON or SINGLE_OPERATOR
    by: str
    at: datetime


def setup(connection: Connection) -> Optional[Setup]:
    row = connection.execute(select(settings).where(settings.c.key == "mode")).first()
    return Setup(row.value, row.set_by, row.set_at) if row else None


def set_up(connection: Connection, mode: str, admin: str, roles: tuple[str, ...], now: datetime) -> None:
    """Record, once, how payouts are controlled, and make `admin` the first user."""
    if setup(connection) is not None:
        raise StoreError("the store is already set up; how payouts are controlled is chosen once")
    connection.execute(insert(settings).values(key="mode", value=mode, set_by=admin, set_at=now))
    log(connection, "setup", admin, now, subject="mode", detail={"mode": mode})
    add_user(connection, User(admin, roles), admin, now)


def add_user(connection: Connection, user: User, actor: str, now: datetime, note: str = "") -> None:
    try:
        connection.execute(insert(users).values(name=user.name, roles=",".join(user.roles),
                                                collector_id=user.collector_id, team=user.team, active=True,
                                                created_by=actor, created_at=now))
    except IntegrityError:
        raise StoreError(f"there is already a user {user.name}; change their roles with `users roles`") from None
    log(connection, "user-added", actor, now, subject=f"user:{user.name}", note=note,
        detail={"name": user.name, "roles": list(user.roles), "collector": user.collector_id, "team": user.team})


def get_user(connection: Connection, name: str) -> Optional[User]:
    row = connection.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        return None
    return User(row.name, tuple(r for r in row.roles.split(",") if r), row.collector_id, row.team, bool(row.active))


def all_users(connection: Connection) -> list[User]:
    return [User(r.name, tuple(x for x in r.roles.split(",") if x), r.collector_id, r.team, bool(r.active))
            for r in connection.execute(select(users).order_by(users.c.name)).all()]


def set_roles(connection: Connection, name: str, roles: tuple[str, ...], actor: str, now: datetime,
              note: str = "") -> None:
    _change(connection, name, {"roles": ",".join(roles)})
    log(connection, "user-roles", actor, now, subject=f"user:{name}", note=note,
        detail={"name": name, "roles": list(roles)})


def disable_user(connection: Connection, name: str, actor: str, now: datetime, note: str = "") -> None:
    _change(connection, name, {"active": False})
    log(connection, "user-disabled", actor, now, subject=f"user:{name}", note=note, detail={"name": name})


def _change(connection: Connection, name: str, values: dict) -> None:
    if connection.execute(update(users).where(users.c.name == name).values(**values)).rowcount != 1:
        raise StoreError(f"there is no user {name}")
