"""What every command shares: one error handler (problems as one line each, exit code 2), the names of
options (the CLI names a problem's role by its flag), who is acting, the language of the CLI's own
messages (`--lang` / COMMISSION_LANG, words from the one catalogue) and small printing helpers."""

from __future__ import annotations

import functools
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from .. import i18n
from ..errors import InputError, with_names
from ..money import format_minor
from ..periods import Period, PeriodError

EXIT_INPUT = 2
#: Batch ids as the store numbers them (a PostgreSQL INTEGER).
BATCH_ID = click.IntRange(1, 2**31 - 1)
#: Where the top-level group keeps the language chosen by --lang (click's meta is shared by every
#: context of one invocation).
LANG_KEY = "commission.lang"


def lang() -> str:
    """The language of the CLI's own messages: the top-level --lang (or COMMISSION_LANG), else English
    (a command invoked on its own, as tests do)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(LANG_KEY, "en") if ctx is not None else "en"


def t(key: str, **values) -> str:
    """The catalogue's message `key` in the CLI's language."""
    return i18n.t(key, lang(), **values)


def amount(minor: int, minor_units: int) -> str:
    """Money people read in the CLI's language: integer minor units, grouped ('12,345.50')."""
    return i18n.money(minor, minor_units, lang())


def count(value: int) -> str:
    """A count people read, grouped as the CLI's language writes it ('2,718')."""
    return i18n.money(value, 0, lang())


def flag(role: str) -> str:
    """The CLI's name for an input or option a problem is about: its flag."""
    return f"--{role}"


def reports_user_errors(command=None, *, writes: bool = True):
    """Problems the user can fix (bad inputs, a wrong period, an unwritable folder, a workflow rule of
    the batch store, a store that refuses a change) print as one clear message with exit code 2,
    never a traceback. A command that writes nothing (`@reports_user_errors(writes=False)`: explain,
    list, show) does not say that nothing was written."""
    if command is None:
        return functools.partial(reports_user_errors, writes=writes)
    problems = "cli.problems_nothing_written" if writes else "cli.problems"

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.render(flag), err=True)
            click.echo(t(problems, count=len(exc.problems) + exc.hidden), err=True)
            sys.exit(EXIT_INPUT)
        except PeriodError as exc:
            click.echo(f"--period: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:  # a folder that cannot be written, a file that cannot be read
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(t("cli.error", text=f"{where}{exc.strerror or exc}"), err=True)
            sys.exit(EXIT_INPUT)
        except Exception as exc:
            message = _store_problem(exc)
            if message is None:
                raise
            click.echo(t("cli.error", text=message), err=True)
            sys.exit(EXIT_INPUT)

    return wrapper


def _store_problem(exc: Exception) -> str | None:
    """The message of a batch-store problem (a workflow rule, or a database that refuses a change), None
    for anything else. Imported here, when it happens, so commands without a store start fast."""
    from sqlalchemy.exc import DBAPIError

    from ..store import StoreError

    if isinstance(exc, StoreError):
        return with_names(str(exc), flag)
    if isinstance(exc, DBAPIError):
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return t("cli.store_refused", detail=detail)
    return None


def period_option(ctx, param, value):
    """--period as a Period, or click's usage error."""
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


def db_option(command):
    return click.option("--db", "db", help="Batch store: an SQLite file or a database URL (postgresql://...). "
                        "Default: $COMMISSION_DB, else db: in ./commission.yaml, else ./commission.db.")(command)


def store_url(db: str | None, create: bool = False) -> str:
    from ..app.config import store_url as configured

    return configured(db, create)


def login_name() -> str:
    """The operating system's user running this process, by its effective user id (not an environment
    variable or an option, which anyone could set to any name)."""
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a user id with no name on this machine
        return f"uid-{uid}"


def actor() -> str:
    """Who is acting at the terminal: the login name (looked up when the command runs)."""
    return login_name()


def note_option(command):
    return click.option("--note", default="", help="A note recorded beside who acted (e.g. 'on behalf of X', "
                        "'ticket 123'); never instead of it.")(command)


def now() -> datetime:
    return datetime.now(timezone.utc)


#: The catalogue's header for each column the CLI's tables show (batches, a batch's collectors and
#: events, a collector's history); a pay code's column is named by the pay code's word.
HEADERS = {"id": "web.batch.batch", "batch_id": "web.batch.batch", "period": "common.period",
           "kind": "web.batch.kind", "status": "common.status", "pays": "web.batch.pays",
           "created_by": "web.batch.created_by", "created_at": "web.batch.created_at",
           "collector_id": "payouts.column.collector_id", "employee_id": "payouts.column.employee_id",
           "name": "payouts.column.name", "total": "common.total", "why": "web.batch.why",
           "pay_code": "cli.column.pay_code", "amount": "cli.column.amount", "at": "cli.column.at",
           "who": "cli.column.who", "what": "cli.column.what", "note": "cli.column.note"}


def header(column: str) -> str:
    """A table column's header in the CLI's language (a column it does not know keeps its name)."""
    return t(HEADERS[column]) if column in HEADERS else i18n.word("pay_code", column, lang())


def show_table(frame, money=(), minor: int = 2) -> None:
    """Print a small table as data: headers in words, values as stored (ids, codes, money as plain
    decimal text a script can read back); an empty one as the catalogue's word for nothing. Columns are
    aligned by display width, so Chinese headers and names line up over their values."""
    import pandas as pd

    shown = frame.copy()
    for column in money:
        shown[column] = [format_minor(int(v), minor) for v in shown[column]]
    shown.columns = [header(str(c)) for c in shown.columns]
    with pd.option_context("display.unicode.east_asian_width", True):
        click.echo(shown.to_string(index=False) if len(shown) else t("cli.nothing"))


def list_folder(folder: Path) -> None:
    click.echo(t("cli.reports_written", folder=folder))
    for name in sorted(p.name for p in folder.iterdir()):
        click.echo(f"  {folder / name}")
