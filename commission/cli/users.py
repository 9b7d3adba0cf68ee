"""`commission setup` and `commission users ...`: how the store is controlled, and who may act on it."""

from __future__ import annotations

import click

from ..i18n import day
from .common import actor, db_option, lang, note_option, now, reports_user_errors, store_url, t

_ROLES = click.Choice(["preparer", "approver", "payer", "auditor", "admin", "manager", "collector"])


@click.command()
@db_option
@click.option("--single-operator", is_flag=True,
              help="One person may prepare, approve, export and mark paid (a small agency with one HR person); "
                   "recorded once, and shown on every batch, control file and statement. Default: two people.")
@reports_user_errors
def setup(db, single_operator):
    """Set up the batch store once: two people per payout (or a single operator), you as its first admin."""
    from ..app.users import set_up_store

    from ..app.accounts import issue_password

    url = store_url(db, create=True)
    done = set_up_store(url, actor(), single_operator, now())
    click.echo(t("cli.setup.single" if single_operator else "cli.setup.two", mode=t(f"cli.mode.{done.mode}"),
                 by=done.by))
    _one_time(done.by, issue_password(url, actor(), done.by, now()))


def _one_time(name: str, password: str) -> None:
    click.echo(t("cli.users.one_time", name=name, password=password))


@click.group()
def users():
    """Users of the batch store and their roles (admins change them; every change is logged)."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=_ROLES, help="A role; repeatable.")
@click.option("--collector", default="", help="For a collector user: their collector_id.")
@click.option("--team", default="", help="For a manager user: the team they manage.")
@db_option
@note_option
@reports_user_errors
def add(name, roles, collector, team, db, note):
    """Add user NAME (their login name) with roles."""
    from ..app.users import add as add_user

    from ..app.accounts import issue_password

    url = store_url(db)
    user = add_user(url, actor(), name, roles, now(), collector, team, note)
    click.echo(t("cli.users.added", name=user.name, roles=", ".join(user.roles)))
    _one_time(user.name, issue_password(url, actor(), user.name, now()))


@users.command("password")
@click.argument("name")
@db_option
@reports_user_errors
def password(name, db):
    """Give user NAME a new one-time password for the web app (their sessions end)."""
    from ..app.accounts import issue_password

    _one_time(name, issue_password(store_url(db), actor(), name, now()))


@users.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=_ROLES, help="A role; repeatable.")
@db_option
@note_option
@reports_user_errors
def roles(name, roles, db, note):
    """Give user NAME exactly these roles."""
    from ..app.users import change_roles

    user = change_roles(store_url(db), actor(), name, roles, now(), note)
    click.echo(t("cli.users.roles", name=user.name, roles=", ".join(user.roles)))


@users.command("disable")
@click.argument("name")
@db_option
@note_option
@reports_user_errors
def disable(name, db, note):
    """Disable user NAME: they can no longer act (their past actions stay in the log)."""
    from ..app.users import disable as disable_user

    disable_user(store_url(db), actor(), name, now(), note)
    click.echo(t("cli.users.disabled", name=name))


@users.command("list")
@db_option
@reports_user_errors(writes=False)
def list_users(db):
    """How the store is controlled, and every user with their roles."""
    from ..app.users import users as all_users

    mode, people = all_users(store_url(db), actor())
    click.echo(t("cli.users.mode", mode=t(f"cli.mode.{mode.mode}"), by=mode.by, on=day(mode.at, lang())))
    for user in people:
        extra = "".join(t(key, value=value) for key, value in (("cli.users.collector", user.collector_id),
                                                                ("cli.users.team", user.team)) if value)
        click.echo(f"  {user.name}: {', '.join(user.roles)}{extra}" + ("" if user.active else t("cli.users.inactive")))
