"""`commission batch ...` and `history`: HR's payout batches. Each command parses its options, calls one
app function and prints what it returns."""

from __future__ import annotations

from pathlib import Path

import click

from ..money import format_minor
from .common import BATCH_ID, actor, db_option, now, reports_user_errors, show_table, store_url
from .runs import lines_formats, print_run, run_options, run_request, state_options


@click.group()
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

    created = create_payout_batch(run_request(options, state_path, state_edited, first_period),
                                  store_url(db, create=True), options["out_dir"], actor(by), now(),
                                  **lines_formats(options))
    print_run(created.run.result, created.folder)
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
        from ..app.batches import act_on_batch

        click.echo(f"batch {batch_id} is {act_on_batch(store_url(db), batch_id, action, actor(by), now())}")

    return command


for _action in ("approve", "lock", "mark-paid", "discard"):
    _transition(_action)


@batch.command("list")
@db_option
@reports_user_errors
def batch_list(db):
    """Every batch: period, kind, status, net payout, who created it and when."""
    from ..app.batches import batches

    show_table(batches(store_url(db)))


@batch.command("show")
@click.argument("batch_id", type=BATCH_ID)
@db_option
@reports_user_errors
def batch_show(batch_id, db):
    """A batch's record, payouts per collector and pay code, and its history of events."""
    from ..app.batches import batch_details
    from ..store import format_time

    details = batch_details(store_url(db), batch_id)
    record = details.record
    click.echo(f"batch {record.id}: {record.kind} for {record.period}, {record.status}; created by "
               f"{record.created_by} at {format_time(record.created_at)}; reports in {record.reports}")
    click.echo("plans: " + ", ".join(f"{p['id']} v{p['version']} (sha256 {p['sha256'][:12]}...)" for p in details.plans))
    click.echo("the period as computed: " + ", ".join(f"{name} {value}" for name, value in details.totals.items()))
    what = "differences from what was paid" if record.kind == "adjustment" else "the period's pay"
    click.echo(f"this batch pays ({what}): {format_minor(details.pays, record.minor_units)} {record.currency}")
    show_table(details.rows, ("amount",), record.minor_units)
    show_table(details.events)


@batch.command("diff")
@click.argument("first", type=BATCH_ID)
@click.argument("second", type=BATCH_ID, required=False)
@db_option
@reports_user_errors
def batch_diff(first, second, db):
    """Differences per collector and pay code between two batches, or between one and what was paid."""
    from ..app.batches import batch_difference

    table, minor = batch_difference(store_url(db), first, second)
    show_table(table, [c for c in table.columns if c.startswith("amount") or c == "difference"], minor)


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
    from ..app.batches import export_batch

    done = export_batch(store_url(db), batch_id, file_format, out_path, actor(by), now())
    click.echo(f"{done.path}: {done.control['count']} rows, total {done.control['total']} {done.currency}; "
               f"control in {done.control['control_file']}")


@click.command("history")
@click.option("--collector", required=True, help="collector_id")
@db_option
@reports_user_errors
def history(collector, db):
    """A collector's payouts across periods, from the batch store."""
    from ..app.batches import collector_history

    show_table(collector_history(store_url(db), collector), ("amount",))
