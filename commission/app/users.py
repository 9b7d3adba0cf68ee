"""Setting the store up, once, and managing its users and their roles (admins only); every change
goes into the append-only event log."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Sequence

from ..errors import InputError, Problem
from ..identifiers import WHITE_SPACE, identifier_problem, text_problem
from ..store import (ROLES, SINGLE_OPERATOR, TWO_PERSON, Setup, StoreError, User, add_user, all_users, disable_user,
                     get_user, open_store, set_roles, set_up, setup)
from .access import MONEY_ROLES, SINGLE_OPERATOR_ROLES, check


def set_up_store(store_url: str, actor: str, single_operator: bool, now: datetime) -> Setup:
    """Record, once, whether payouts need two people or one operator does all, and make `actor` the first
    admin (in a single-operator store, also preparer, approver and payer)."""
    _check_name(actor, "the login name")
    with open_store(store_url).begin() as connection:
        set_up(connection, SINGLE_OPERATOR if single_operator else TWO_PERSON, actor,
               SINGLE_OPERATOR_ROLES if single_operator else ("admin",), now)
        return setup(connection)


def add(store_url: str, actor: str, name: str, roles: Sequence[str], now: datetime, collector: str = "",
        team: str = "", note: str = "") -> User:
    """Add user `name`, refused when the name, collector id or team breaks the id rules, or when the name
    reads the same as an existing user's (the event log would show two look-alike actors)."""
    team = team.strip(WHITE_SPACE)
    _check_name(name, "a user's name")
    with open_store(store_url).begin() as connection:
        check(connection, actor, "users")
        user = User(name, _roles(connection, roles, collector, team), collector, team)
        _refuse_lookalike(connection, name)
        add_user(connection, user, actor, now, note)
    return user


def change_roles(store_url: str, actor: str, name: str, roles: Sequence[str], now: datetime, note: str = "") -> User:
    with open_store(store_url).begin() as connection:
        check(connection, actor, "users")
        user = _existing(connection, name)
        roles = _roles(connection, roles, user.collector_id, user.team)
        if "admin" in user.roles and "admin" not in roles:
            _keep_an_admin(connection, name)
        set_roles(connection, name, roles, actor, now, note)
        return get_user(connection, name)


def disable(store_url: str, actor: str, name: str, now: datetime, note: str = "") -> None:
    with open_store(store_url).begin() as connection:
        check(connection, actor, "users")
        if "admin" in _existing(connection, name).roles:
            _keep_an_admin(connection, name)
        disable_user(connection, name, actor, now, note)


def users(store_url: str, actor: str) -> tuple[Setup, list[User]]:
    """How the store is controlled, and every user (admins and auditors may look)."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        return setup(connection), all_users(connection)


def _roles(connection, roles: Sequence[str], collector: str, team: str) -> tuple[str, ...]:
    """The roles, checked: known ones, what a collector or manager user needs (a collector id and a team
    that follow the id rules), and, in a two-person store, admin never with a role that moves money."""
    unknown = [r for r in roles if r not in ROLES]
    problems = [Problem("", "", f"{r!r} is not a role; roles: {', '.join(ROLES)}", role="role") for r in unknown]
    if not roles:
        problems.append(Problem("", "", f"give at least one role ({', '.join(ROLES)})", role="role"))
    if "collector" in roles and not collector:
        problems.append(Problem("", "", "a collector user says which collector they are", role="collector"))
    if collector and (problem := identifier_problem(collector)) is not None:
        problems.append(Problem("", "", f"the collector id {problem}", role="collector"))
    if "manager" in roles and not team:
        problems.append(Problem("", "", "a manager user says which team they manage", role="team"))
    if team and (problem := text_problem(team)) is not None:
        problems.append(Problem("", "", f"the team {problem}", role="team"))
    money = [r for r in MONEY_ROLES if r in roles]
    if "admin" in roles and money and setup(connection).mode != SINGLE_OPERATOR:
        problems.append(Problem("", "", f"an admin manages users and never prepares, approves or pays: give admin "
                                        f"and {' and '.join(money)} to different people", role="role"))
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(roles))


#: Scripts with letters that look alike (Latin a, Cyrillic а, Greek α): a user's name mixes none of them.
LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _check_name(name: str, what: str) -> None:
    """A user's name follows the id rules and mixes no look-alike scripts ('аbe' with a Cyrillic а)."""
    if (problem := identifier_problem(name)) is not None:
        raise InputError([Problem("", "", f"{what} {problem}", role="user")])
    scripts = sorted({unicodedata.name(c, "").split(" ")[0] for c in _folded(name) if c.isalpha()}
                     & set(LOOKALIKE_SCRIPTS))
    if len(scripts) > 1:
        raise InputError([Problem("", "", f"{what} mixes {' and '.join(s.title() for s in scripts)} letters, "
                                          "which look alike: write it in one script", role="user")])


def _folded(name: str) -> str:
    """A name as people read it: NFKC-normalised with case folded ('Abe', 'ABE' and a full-width 'Ａbe' are one)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _refuse_lookalike(connection, name: str) -> None:
    same = [u.name for u in all_users(connection) if u.name != name and _folded(u.name) == _folded(name)]
    if same:
        raise InputError([Problem("", "", f"a user's name {name!r} reads the same as the existing user {same[0]!r} "
                                          "(ignoring case and Unicode forms); the event log would show two "
                                          "look-alike actors: choose another name", role="user")])


def _existing(connection, name: str) -> User:
    user = get_user(connection, name)
    if user is None:
        raise StoreError(f"there is no user {name}")
    return user


def _keep_an_admin(connection, leaving: str) -> None:
    if not [u for u in all_users(connection) if u.active and "admin" in u.roles and u.name != leaving]:
        raise StoreError(f"{leaving} is the store's last admin; add another admin first")
