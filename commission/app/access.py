"""Who may do what with the store: roles, and the two-person rules an auditor expects.

- The actor of every action is the authenticated identity of whoever runs it (the login name for
  the terminal, the signed-in user for the web app), never a free-text name; a note may be
  recorded beside it.
- Roles: a preparer creates batches; an approver approves or sends back a batch; a payer locks it,
  exports the payroll file and marks it paid; an auditor reads everything and changes nothing; an
  admin manages users and roles and never prepares, approves or pays: in a two-person store nobody holds
  admin with any of those roles. A person may hold several roles.
- Two people per payout, unless the store was set up for a single operator: whoever prepared a batch
  cannot approve it, and cannot confirm it was paid (mark it paid); so a payout is always seen by a
  second person before money moves, and its payment confirmed by someone other than its author.
- A store set up for a single operator (a small agency with one HR person) lets one person do all of
  it; that choice is made once, recorded with who made it and when, and every action that a second
  person would otherwise have done is recorded "without a second person", as every batch view,
  payroll control file and statement says.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy.engine import Connection

from sqlalchemy import select

from ..i18n import day, t
from ..store import (EXPORTABLE, SINGLE_OPERATOR, NotFound, StoreError, User, all_users, get_batch, get_user,
                     open_store, setup)
from ..store.schema import payouts


class Refused(StoreError):
    """The person's roles, or a two-person rule, do not allow the action (the web app answers 403)."""

#: Each action and the roles that may do it.
ACTIONS = {
    "create": ("preparer",),
    "approve": ("approver",),
    "send-back": ("approver",),
    "discard": ("preparer", "approver"),
    "lock": ("payer",),
    "export": ("payer",),
    "mark-paid": ("payer",),
    "opening-ytd": ("preparer",),
    "read": ("preparer", "approver", "payer", "auditor", "admin"),
    "users": ("admin",),
    "answer": ("preparer",),
    "ask": ("collector",),
    "plans": ("manager",),
}
#: Who sees which collectors' pay: these roles every collector's, a manager their team's, a collector
#: their own (and only in batches approved or later: a draft may still change).
READ_ALL = ACTIONS["read"]
#: Actions the person who prepared a batch may not do to it, and the rule each breaks.
SECOND_PERSON = {
    "approve": "a batch is approved by someone other than who prepared it",
    "mark-paid": "a payment is confirmed (marked paid) by someone other than who prepared the batch",
}
#: The roles a single operator holds: every HR role, and admin.
SINGLE_OPERATOR_ROLES = ("admin", "preparer", "approver", "payer")
#: The roles that move money (prepare, approve or pay a batch). In a two-person store an admin holds none
#: of them: whoever gives roles could otherwise give themselves every step of a payout.
MONEY_ROLES = ("preparer", "approver", "payer")


def check(connection: Connection, actor: str, action: str, batch=None) -> dict:
    """Refuse, naming the rule and the roles that may (never who holds them: a refusal is shown to
    whoever tried, a collector too), unless `actor` may do `action` (to `batch`); returns what to record
    about how it was allowed ({"without_second_person": True} in a single-operator store)."""
    mode = setup(connection)
    if mode is None:
        raise Refused("the store is not set up: run `commission setup` once (it records whether payouts need "
                         "two people, and makes you its first admin)")
    user = get_user(connection, actor)
    allowed = ACTIONS[action]
    if user is None or not user.active or not set(user.roles) & set(allowed):
        held = "is not a user of this store" if user is None else ("is disabled" if not user.active else
                                                                   f"holds {', '.join(user.roles) or 'no role'}")
        raise Refused(f"{action} needs the {' or '.join(allowed)} role; {actor} {held}"
                      + ("" if _holders(connection, allowed) else
                         " (no user holds it yet: an admin adds one with `users add`)"))
    if mode.mode != SINGLE_OPERATOR and "admin" in user.roles and set(allowed) <= set(MONEY_ROLES):
        raise Refused(f"{action} refused: {actor} is an admin, and an admin manages users and never prepares, "
                      f"approves or pays; give admin or {' and '.join(allowed)} to someone else (users roles)")
    if batch is None or action not in SECOND_PERSON or batch.created_by != actor:
        return {}
    if mode.mode == SINGLE_OPERATOR:
        return {"without_second_person": True}
    others = [name for name in _holders(connection, allowed) if name != actor]
    who = (f"another user with the {' or '.join(allowed)} role may" if others else
           "no one else holds the role yet: an admin adds them")
    raise Refused(f"{action} refused: {actor} prepared batch {batch.id}, and {SECOND_PERSON[action]} ({who})")


def _holders(connection: Connection, roles) -> list[str]:
    return [u.name for u in all_users(connection) if u.active and set(u.roles) & set(roles)]


def single_operator(connection: Connection) -> Optional[tuple[str, date]]:
    """Who set the store up for a single operator, and when; None in a two-person store."""
    mode = setup(connection)
    if mode is None or mode.mode != SINGLE_OPERATOR:
        return None
    return mode.by, mode.at.date()


def single_operator_note(connection: Connection, lang: str = "en") -> Optional[str]:
    """The line every batch view and control file carries in a single-operator store (statements word
    the same fact in their own language: statements.model)."""
    single = single_operator(connection)
    return t("controls.single_operator", lang, by=single[0], date=day(single[1], lang)) if single else None


def active_user(connection: Connection, actor: str) -> User:
    """The acting user, refused when they are not a user of the store or are disabled."""
    user = get_user(connection, actor)
    if user is None or not user.active:
        raise Refused(f"{actor} {'is not a user of this store' if user is None else 'is disabled'}")
    return user


def check_collector(connection: Connection, actor: str, collector: str, batch_id: Optional[int] = None) -> User:
    """Refuse as not found unless `actor` may see `collector`'s pay (in `batch_id`): readers every
    collector's, a manager the collectors of their team, a collector their own; those two only in a
    batch that is approved or later. Returns the acting user."""
    user = active_user(connection, actor)
    if set(user.roles) & set(READ_ALL):
        return user
    batch = get_batch(connection, batch_id) if batch_id is not None else None
    visible = batch is None or batch.status in EXPORTABLE
    own = "collector" in user.roles and user.collector_id == collector
    team = "manager" in user.roles and collector in team_collectors(connection, user.team, batch_id)
    if not (visible and (own or team)):
        raise NotFound(f"there is no collector {collector} you may see" +
                       (f" in batch {batch_id}" if batch_id is not None else ""))
    return user


def team_collectors(connection: Connection, team: str, batch_id: Optional[int] = None) -> set[str]:
    """The collectors the store's batches (or one batch) place in `team`, from the roster they were paid by."""
    query = select(payouts.c.collector_id).where(payouts.c.team == team).distinct()
    if batch_id is not None:
        query = query.where(payouts.c.batch_id == batch_id)
    return {row[0] for row in connection.execute(query).all()} if team else set()


def team_batches(connection: Connection, team: str, collector: str) -> set[int]:
    """The batches that paid `collector` as a member of `team`: what their manager sees of them (a
    collector who moved teams is their new manager's from the batch that moved them, and no longer
    their old manager's)."""
    query = select(payouts.c.batch_id).where(payouts.c.team == team, payouts.c.collector_id == collector).distinct()
    return {int(row[0]) for row in connection.execute(query).all()} if team else set()


def stayed_in_team(connection: Connection, team: str, batch_ids) -> set[str]:
    """The collectors these batches pay in `team` and in no other team: a team's comparison leaves out a
    collector who moved teams in those periods, whose pay of the other team's months it would show."""
    batch_ids = [int(b) for b in batch_ids]
    rows = connection.execute(select(payouts.c.collector_id, payouts.c.team)
                              .where(payouts.c.batch_id.in_(batch_ids)).distinct()).all()
    inside = {collector for collector, their_team in rows if their_team == team}
    return inside - {collector for collector, their_team in rows if their_team != team} if team else set()


def require(store_url: str, actor: str, action: str) -> None:
    """Refuse unless `actor` may do `action` at all: for a page that offers it (the form of a new batch)."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, action)
