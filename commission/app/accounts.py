"""Signing in to the web app: Argon2-hashed passwords, a one-time password that must be changed at the
first sign-in, lockout with back-off after repeated failures, sessions that expire, and the event log
of every sign-in, failure and sign-out with the client's address.

A session's cookie is a random token; the store keeps only its SHA-256, with the CSRF secret of the
session's forms. Passwords are never stored, logged or shown, except a one-time password shown once to
the admin who issued it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import InputError, Problem
from ..store import User, get_user, log, open_store
from ..store.accounts import (add_session, end_sessions, get_credential, get_session, rehash, set_credential,
                              set_failures)
from .access import check

#: Sessions end this long after sign-in, however active.
SESSION_LIFETIME = timedelta(hours=8)
#: Failures in a row before the account locks; each further failure doubles the lock, up to the maximum.
FREE_FAILURES, FIRST_LOCK, LONGEST_LOCK = 5, timedelta(minutes=1), timedelta(hours=1)
MIN_PASSWORD = 12
_HASHER = PasswordHasher()
#: Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


class SignInRefused(Exception):
    """Wrong name or password, or a locked account, told apart to nobody: a page answers each with the same
    words (web.error.sign_in), so they never say which of name or password was wrong, nor that a name
    exists (only users' accounts lock)."""


@dataclass(frozen=True)
class Session:
    token: str  # the cookie's value: only here, never stored
    user: User
    csrf: str
    must_change: bool
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_password(store_url: str, actor: str, name: str, now: datetime, client: str = "") -> str:
    """A new one-time password for user `name` (admins only), shown once and changed at the first
    sign-in; the user's sessions end."""
    password = secrets.token_urlsafe(12)
    with open_store(store_url).begin() as connection:
        check(connection, actor, "users")
        if get_user(connection, name) is None:
            raise InputError([Problem("", "", f"there is no user {name}", role="user")])
        set_credential(connection, name, _HASHER.hash(password), True, now)
        end_sessions(connection, name=name)
        log(connection, "password-issued", actor, now, subject=f"user:{name}", detail={"client": client})
    return password


def sign_in(store_url: str, name: str, password: str, client: str, now: datetime) -> Session:
    """A new session for `name`, or SignInRefused (each failure counted and logged, the account locked
    with back-off). A locked account, an unknown name and a wrong password get the same answer after the
    same work (a password is always checked), so neither the words nor the time tell which users exist."""
    refused = False
    with open_store(store_url).begin() as connection:  # failures are committed, then refused
        user = get_user(connection, name)
        credential = get_credential(connection, name) if user is not None and user.active else None
        verified = _verify(credential.hash if credential else _DUMMY, password) and credential is not None
        if credential is not None and credential.locked_until is not None and credential.locked_until > now:
            log(connection, "sign-in-locked", name[:128], now, subject=f"user:{name[:64]}", detail={"client": client})
            refused = True
        elif not verified:
            if credential is not None:
                failures = credential.failures + 1
                set_failures(connection, name, failures, _lock(failures, now))
            log(connection, "sign-in-failed", name[:128], now, subject=f"user:{name[:64]}", detail={"client": client})
            refused = True
        else:
            set_failures(connection, name, 0, None)
            if _HASHER.check_needs_rehash(credential.hash):
                rehash(connection, name, _HASHER.hash(password))
            session = _new_session(connection, user, credential.must_change, client, now)
            log(connection, "signed-in", name, now, subject=f"user:{name}", detail={"client": client})
    if refused:
        raise SignInRefused()
    return session


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _lock(failures: int, now: datetime) -> Optional[datetime]:
    if failures < FREE_FAILURES:
        return None
    return now + min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), LONGEST_LOCK)


def _new_session(connection, user: User, must_change: bool, client: str, now: datetime) -> Session:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    end_sessions(connection, before=now)  # expired sessions of anyone go
    add_session(connection, token_hash(token), user.name, csrf, client, now, now + SESSION_LIFETIME)
    return Session(token, user, csrf, must_change, now + SESSION_LIFETIME)


def current_session(store_url: str, token: str, now: datetime) -> Optional[Session]:
    """The session of a cookie, None when there is none, it expired, or its user was disabled."""
    if not token or len(token) > 128:
        return None
    with open_store(store_url).connect() as connection:
        row = get_session(connection, token_hash(token))
        if row is None or row.expires_at <= now:
            return None
        user = get_user(connection, row.name)
        credential = get_credential(connection, row.name)
        if user is None or not user.active or credential is None:
            return None
        return Session(token, user, row.csrf, credential.must_change, row.expires_at)


def sign_out(store_url: str, session: Session, client: str, now: datetime) -> None:
    with open_store(store_url).begin() as connection:
        end_sessions(connection, token_sha256=token_hash(session.token))
        log(connection, "signed-out", session.user.name, now, subject=f"user:{session.user.name}",
            detail={"client": client})


def change_password(store_url: str, session: Session, old: str, new: str, client: str, now: datetime) -> Session:
    """Set a new password (the old one checked); every session of the user ends and a new one begins."""
    name = session.user.name
    problems = []
    if len(new) < MIN_PASSWORD:
        problems.append(Problem("", "", f"a password has at least {MIN_PASSWORD} characters", role="new"))
    if new == old or new.lower() == name.lower():
        problems.append(Problem("", "", "choose a password other than the old one and your name", role="new"))
    with open_store(store_url).begin() as connection:
        credential = get_credential(connection, name)
        if credential is None or not _verify(credential.hash, old):
            problems.insert(0, Problem("", "", "the current password is wrong", role="old"))
        if problems:
            raise InputError(problems)
        set_credential(connection, name, _HASHER.hash(new), False, now)
        end_sessions(connection, name=name)
        fresh = _new_session(connection, session.user, False, client, now)
        log(connection, "password-changed", name, now, subject=f"user:{name}", detail={"client": client})
    return fresh


def record_request(store_url: str, actor: str, what: str, client: str, now: datetime, outcome: str) -> None:
    """One line in the event log for a change asked from a page: who, the page, the client's address and
    how it ended; the workflow it called logs what it changed."""
    with open_store(store_url).begin() as connection:
        log(connection, "web", actor, now, subject=what[:128], detail={"client": client, "outcome": outcome[:200]})
