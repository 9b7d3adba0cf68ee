"""Command line: thin click commands that wire files to the layers. No business logic here.

Problems the user can fix print as ``file:line: key: message`` on stderr with exit code 2.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import InputError, Problem, with_names
from ..money import format_minor
from ..periods import Period, PeriodError

EXIT_INPUT = 2
#: Batch ids as the store numbers them (a PostgreSQL INTEGER).
BATCH_ID = click.IntRange(1, 2**31 - 1)


def reports_user_errors(command):
    """Problems the user can fix (bad inputs, a wrong period, an unwritable folder, a workflow rule of
    the batch store, a store that refuses a change) print as one clear message with exit code 2,
    never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.render(flag), err=True)
            click.echo(f"error: {len(exc.problems) + exc.hidden} problem(s); nothing was written", err=True)
            sys.exit(EXIT_INPUT)
        except PeriodError as exc:
            click.echo(f"--period: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:  # a folder that cannot be written, a file that cannot be read
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_INPUT)
        except Exception as exc:
            message = _store_problem(exc)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper


def flag(role: str) -> str:
    """The CLI's name for an input or option a problem is about: its flag."""
    return f"--{role}"


def _store_problem(exc: Exception) -> str | None:
    """The message of a batch-store problem (a workflow rule, or a database that refuses a change), None
    for anything else. Imported here, when it happens, so commands without a store start fast."""
    from sqlalchemy.exc import DBAPIError

    from ..store import StoreError

    if isinstance(exc, StoreError):
        return with_names(str(exc), flag)
    if isinstance(exc, DBAPIError):
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return f"the batch store refused the change: {detail}"
    return None


def _period(ctx, param, value):
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commission")
def main():
    """Collector commission engine: YAML plans in, exact and auditable payouts out."""


def run_options(command):
    """The options that name a run's inputs, shared by `run` and `batch create`."""
    options = [
        click.option("--policy", "policy_paths", required=True, multiple=True, type=click.Path(path_type=Path),
                     help="Plan file (YAML), or a folder of them; repeatable. The version in force on the period's "
                          "last day applies; with several plans, the roster's plan column says who is on which."),
        click.option("--ledger", "ledgers", required=True, multiple=True, type=click.Path(path_type=Path),
                     help="Recovery ledger: CSV, XLSX or Parquet file, or a folder of them. Repeatable."),
        click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Roster (collector_id, name, team, employee_id); every ledger collector must be on it."),
        click.option("--period", required=True, callback=_period, help="Pay period: 2026-10, 2026-Q3 or 2026."),
        click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for the reports (replaced whole, atomically)."),
        click.option("--targets", "targets_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Targets (collector_id, period, target), for attainment bonuses, multipliers and tiers."),
        click.option("--assignments", "assignments_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Assigned balances (collector_id, period, assigned_balance), for recovery-rate KPIs."),
        click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Compliance and QA events, and leavers' clearances (event_id, collector_id, date, "
                          "type, severity, score)."),
        click.option("--lines", "lines_format", type=click.Choice(["csv", "parquet", "both"]), default="csv",
                     show_default=True, help="Format of the payment-level lineage."),
        click.option("--allow-no-repayments", is_flag=True,
                     help="Pay a period in which the ledgers hold no repayment (only draws or balances are due); "
                          "without it such a period is refused as a likely wrong period or ledger."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _request(options: dict, state_path=None, state_edited=None):
    from ..app.runs import RunRequest

    return RunRequest(policies=options["policy_paths"], ledgers=options["ledgers"], period=options["period"],
                      roster=options["roster_path"], targets=options["targets_path"],
                      assignments=options["assignments_path"], events=options["events_path"], state=state_path,
                      state_edited=state_edited, allow_no_repayments=options["allow_no_repayments"])


def _lines_formats(options: dict) -> dict:
    lines = options["lines_format"]
    return {"lines_csv": lines in ("csv", "both"), "lines_parquet": lines in ("parquet", "both")}


def _summary(result, folder: Path) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    totals, minor, currency, counts = result.totals(), result.minor_units, result.currency, result.counts
    plans = ", ".join(f"{p.plan} v{p.version}" for p in result.policies)
    click.echo(f"period {result.period}, plan {plans}: {counts['collectors']} collectors; ledger rows: "
               f"{counts['rows_read']} read, {counts['rows_in_period']} in {result.period}, "
               f"{counts['rows_excluded']} outside every window paid")
    click.echo(f"recovered {format_minor(totals['recovered'], minor)} {currency}, "
               f"net payout {format_minor(totals['net_payout'], minor)} {currency}")
    click.echo(f"reports written to {folder}/")
    for name in sorted(p.name for p in folder.iterdir()):
        click.echo(f"  {folder / name}")


def state_options(command):
    """Where balances carried into the period come from, when no batch store keeps them."""
    command = click.option("--first-period", is_flag=True,
                           help="No previous state: holdbacks, carried balances and draws start from zero.")(command)
    command = click.option("--state-edited", "state_edited", metavar="REASON",
                           help="The --state file was changed by hand after its run wrote it, and why; without "
                                "it such a file is refused. The reason is recorded in the manifest.")(command)
    return click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
                        help="state.json of the previous period's run: holdbacks, carried balances, draws owed."
                        )(command)


@main.command()
@run_options
@state_options
@reports_user_errors
def run(state_path, state_edited, first_period, **options):
    """Compute every collector's payout for PERIOD and write payouts, lineage, state and manifest."""
    from ..outputs.owners import run_folder
    from ..outputs.run_report import REPORT_FILES, write_run
    from ..app.runs import compute_request

    may_replace = run_folder(str(options["period"]), REPORT_FILES)
    may_replace(options["out_dir"])  # before the work, not after it
    computed = compute_request(_request(options, state_path, state_edited), first_period=first_period)
    folder = write_run(computed.result, computed.policies, computed.inputs, options["out_dir"],
                       may_replace=may_replace, notes=computed.notes, **_lines_formats(options))
    _summary(computed.result, folder)


@main.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(policies):
    """Check plan files (or folders of them); print every problem as file:line: key: message."""
    from ..policy import load_policy, plan_files

    problems = 0
    for path in plan_files(policies):
        try:
            policy = load_policy(path)
        except InputError as exc:
            click.echo(exc.render(flag), err=True)
            problems += len(exc.problems) + exc.hidden
            continue
        click.echo(f"{path}: ok (plan {policy.plan} version {policy.version}, effective {policy.effective_from}, "
                   f"components: {len(policy.components)}, adjustments: {len(policy.adjustments)})")
    if problems:
        click.echo(f"error: {problems} problem(s)", err=True)
        sys.exit(EXIT_INPUT)


@main.command("sample-data")
@click.option("--collectors", default=40, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--months", default=3, show_default=True, type=click.IntRange(1, 36))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--first-month", default="2026-07", show_default=True, help="First month of the ledger.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@reports_user_errors
def sample_data(collectors, months, seed, first_month, out_dir):
    """Generate a synthetic ledger and roster (no real people) for demos and tests."""
    from ..sample.files import write_sample
    from ..sample.generator import generate

    Period.parse(first_month)
    data = generate(collectors=collectors, months=months, seed=seed, first_month=first_month)
    folder = write_sample(data, out_dir)
    click.echo(f"{len(data.ledger)} payments by {collectors} collectors over {months} months written to {folder}/")


# -- HR payout batches -----------------------------------------------------------------------

def db_option(command):
    return click.option("--db", "db", help="Batch store: an SQLite file or a database URL (postgresql://...). "
                        "Default: $COMMISSION_DB, else db: in ./commission.yaml, else ./commission.db.")(command)


def _store_url(db: str | None, create: bool = False) -> str:
    """--db, else the environment, else the settings file, else the default. Only `create` (batch
    create) may start a new SQLite file: elsewhere a misspelt path would silently read an empty store."""
    from ..app.config import DEFAULT_DB, setting

    value = str(setting("db", db) or DEFAULT_DB)
    if "://" in value:
        return value
    if not create and not Path(value).exists():
        from ..store import StoreError

        raise StoreError(f"there is no batch store {value}; check --db (batch create starts one)")
    return f"sqlite:///{Path(value).resolve()}"


def _actor(by: str | None) -> str:
    import getpass

    try:
        return by or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _show(frame, money=(), minor: int = 2) -> None:
    """Print a small table; money columns as decimal text."""
    shown = frame.copy()
    for column in money:
        shown[column] = [format_minor(int(v), minor) for v in shown[column]]
    click.echo(shown.to_string(index=False) if len(shown) else "(nothing)")


@main.group()
def batch():
    """HR payout batches in a database: create, review, approve, lock, mark paid, export."""


@batch.command("create")
@run_options
@state_options
@db_option
@click.option("--by", help="Who creates the batch (default: the login name).")
@reports_user_errors
def batch_create(db, by, state_path, state_edited, first_period, **options):
    """Run PERIOD and store it as a draft batch; a period already paid gets an adjustment batch of differences.

    Balances carried into PERIOD come from the stored batch of the period before; the store's first
    batch needs --state (the previous run's state.json) or --first-period, as `run` does."""
    from ..app.batches import create_payout_batch

    created = create_payout_batch(_request(options, state_path, state_edited), _store_url(db, create=True),
                                  options["out_dir"], _actor(by), _now(), first_period, **_lines_formats(options))
    _summary(created.computed.result, created.folder)
    new = created.batch
    what = "adjustment batch (differences from what was paid)" if new.kind == "adjustment" else "batch"
    click.echo(f"stored as draft {what} {new.id}: {new.rows} payout rows; next: commission batch approve {new.id}")


def _transition(action: str):
    @batch.command(action, help=f"{action.replace('-', ' ').capitalize()} batch ID (recorded with who and when).")
    @click.argument("batch_id", type=BATCH_ID)
    @db_option
    @click.option("--by", help="Who does it (default: the login name).")
    @reports_user_errors
    def command(batch_id, db, by):
        from ..store import open_store, transition

        with open_store(_store_url(db)).begin() as connection:
            status = transition(connection, batch_id, action, _actor(by), _now())
        click.echo(f"batch {batch_id} is {status}")

    return command


for _action in ("approve", "lock", "mark-paid", "discard"):
    _transition(_action)


@batch.command("list")
@db_option
@reports_user_errors
def batch_list(db):
    """Every batch: period, kind, status, net payout, who created it and when."""
    from ..store import list_batches, open_store

    with open_store(_store_url(db)).connect() as connection:
        _show(list_batches(connection))


@batch.command("show")
@click.argument("batch_id", type=BATCH_ID)
@db_option
@reports_user_errors
def batch_show(batch_id, db):
    """A batch's record, payouts per collector and pay code, and its history of events."""
    from ..store import batch_events, batch_payouts, format_time, get_batch, open_store

    with open_store(_store_url(db)).connect() as connection:
        record = get_batch(connection, batch_id)
        click.echo(f"batch {record.id}: {record.kind} for {record.period}, {record.status}; created by "
                   f"{record.created_by} at {format_time(record.created_at)}; reports in {record.reports}")
        plans = ", ".join(f"{p['id']} v{p['version']} (sha256 {p['sha256'][:12]}...)" for p in json.loads(record.plans))
        totals = ", ".join(f"{name} {value}" for name, value in json.loads(record.totals).items())
        click.echo(f"plans: {plans}")
        click.echo(f"the period as computed: {totals}")
        rows = batch_payouts(connection, batch_id).drop(columns="batch_id")
        what = "differences from what was paid" if record.kind == "adjustment" else "the period's pay"
        click.echo(f"this batch pays ({what}): {format_minor(int(rows['amount'].sum()), record.minor_units)} "
                   f"{record.currency}")
        _show(rows, ("amount",), record.minor_units)
        _show(batch_events(connection, batch_id))


@batch.command("diff")
@click.argument("first", type=BATCH_ID)
@click.argument("second", type=BATCH_ID, required=False)
@db_option
@reports_user_errors
def batch_diff(first, second, db):
    """Differences per collector and pay code between two batches, or between one and what was paid."""
    from ..store import diff_batches, diff_paid, get_batch, open_store

    with open_store(_store_url(db)).connect() as connection:
        minor = get_batch(connection, first).minor_units
        table = diff_batches(connection, first, second) if second else diff_paid(connection, first)
        _show(table, [c for c in table.columns if c.startswith("amount") or c == "difference"], minor)


@batch.command("export")
@click.argument("batch_id", type=BATCH_ID)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Payroll file to write; a control file (count and totals) is written beside it.")
@db_option
@click.option("--by", help="Who exports (default: the login name).")
@reports_user_errors
def batch_export(batch_id, file_format, out_path, db, by):
    """Write the payroll file of an approved, locked or paid batch, with a control total and count."""
    from ..outputs.payroll import write_payroll
    from ..store import export_rows, get_batch, open_store, record_export

    engine = open_store(_store_url(db))
    with engine.connect() as connection:
        record = get_batch(connection, batch_id)
        rows = export_rows(connection, batch_id)
    control = write_payroll(rows, out_path, file_format, record.minor_units)
    with engine.begin() as connection:
        record_export(connection, batch_id, _actor(by), _now(), {"file": str(out_path), **control})
    click.echo(f"{out_path}: {control['count']} rows, total {control['total']} {record.currency}; "
               f"control in {control['control_file']}")


@main.command("history")
@click.option("--collector", required=True, help="collector_id")
@db_option
@reports_user_errors
def history_command(collector, db):
    """A collector's payouts across periods, from the batch store."""
    from ..store import StoreError, history, open_store

    with open_store(_store_url(db)).connect() as connection:
        rows = history(connection, collector)
    if not len(rows):
        raise StoreError(f"no batch in the store pays {collector}; check the collector id")
    _show(rows, ("amount",))


# -- statements and explain --------------------------------------------------------------------

def _report_folder(run_dir, batch_id, db) -> Path:
    """A run folder, given directly or as a stored batch's reports."""
    if run_dir is None and batch_id is None:
        raise click.UsageError("give --run DIR (a run's --out folder) or --batch ID (a stored batch)")
    if run_dir is not None and batch_id is not None:
        raise click.UsageError("give only one of --run and --batch")
    if run_dir is not None:
        return Path(run_dir)
    from ..store import get_batch, open_store

    with open_store(_store_url(db)).connect() as connection:
        return Path(get_batch(connection, batch_id).reports)


@main.command()
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path), help="A run's --out folder.")
@click.option("--batch", "batch_id", type=BATCH_ID, help="A stored batch (its reports folder).")
@db_option
@click.option("--collector", help="One collector (default: everyone in the run).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language (default: Chinese for CNY plans).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the workbooks (default: statements/ in the run folder); replaced whole, "
                   "or, with --collector, only that collector's workbook is written in it.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes to use (default: the machine's cores).")
@reports_user_errors
def statements(run_dir, batch_id, db, collector, lang, out_dir, jobs):
    """Write each collector's Excel statement: summary, every payment, and the plan in words."""
    from ..statements.statement import StoreFacts, write_statements

    folder = _report_folder(run_dir, batch_id, db)
    store, source = None, {"run": str(folder.resolve())}
    if batch_id is not None:  # the store knows the year's earlier batches, and what a correction pays
        from ..store import correction_amounts, get_batch, open_store, year_to_date

        with open_store(_store_url(db)).connect() as connection:
            record = get_batch(connection, batch_id)
            store = StoreFacts(year_to_date(connection, record.period),
                               batch_id if record.kind == "adjustment" else None,
                               correction_amounts(connection, batch_id))
            source = {"batch_id": batch_id, "token": record.reports_token}
    target = out_dir or folder / "statements"
    if sys.stderr.isatty():  # a progress bar for people; nothing for scripts and logs
        with click.progressbar(length=0, label="statements", file=sys.stderr) as bar:
            written = write_statements(folder, target, source, collector=collector, lang=lang, jobs=jobs,
                                       store=store,
                                       progress=lambda total, done: (setattr(bar, "length", total), bar.update(done)))
    else:
        written = write_statements(folder, target, source, collector=collector, lang=lang, jobs=jobs, store=store)
    click.echo(f"{written} statement(s) written to {target}/")


@main.command("explain")
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path), help="A run's --out folder.")
@click.option("--batch", "batch_id", type=BATCH_ID, help="A stored batch (its reports folder).")
@db_option
@click.option("--collector", required=True)
@click.option("--payment", help="Explain one payment of the collector instead.")
@reports_user_errors
def explain_command(run_dir, batch_id, db, collector, payment):
    """How a collector's payout was built: each rule, base x rate = amount, events, and the net."""
    from ..statements.explain import explain
    from ..outputs.report_reader import load_report

    for line in explain(load_report(_report_folder(run_dir, batch_id, db)), collector, payment):
        click.echo(line)

from . import simulate as _sim; main.add_command(_sim.simulate); main.add_command(_sim.lint)  # noqa: E402,E702
