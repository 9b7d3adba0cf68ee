"""`commission batch ...`, `history` and `opening-ytd`: HR's payout batches. Each command parses its
options, calls one app function (which checks roles and the two-person rules against the login
name running it) and prints what it returns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import day
from ..money import format_minor
from .common import (BATCH_ID, actor, amount, db_option, lang, note_option, now, reports_user_errors, show_table,
                     store_url, t)
from .runs import lines_formats, print_run, run_options, run_request, state_options


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@click.group()
def batch():
    """HR payout batches in a database: create, review, approve, lock, export, mark paid."""


@batch.command("create")
@run_options
@state_options
@db_option
@click.option("--pay-date", callback=_date, help="When payroll pays the batch, YYYY-MM-DD (default: the 15th "
              "of the month after the period).")
@note_option
@reports_user_errors
def batch_create(db, pay_date, note, state_path, state_edited, first_period, **options):
    """Run PERIOD and store it as a draft batch; a period already paid gets an adjustment batch of differences.

    Balances carried into PERIOD come from the stored batch of the period before; the store's first
    batch needs --state (the previous run's state.json) or --first-period, as `run` does."""
    from ..app.batches import create_payout_batch

    created = create_payout_batch(run_request(options, state_path, state_edited, first_period), store_url(db),
                                  options["out_dir"], actor(), now(), pay_date, note, **lines_formats(options))
    print_run(created.run.result, created.folder)
    new = created.batch
    key = "cli.batch.created_adjustment" if new.kind == "adjustment" else "cli.batch.created"
    click.echo(t(key, id=new.id, pay_date=day(created.pay_date, lang()), count=new.rows))


def _transition(action: str, summary: str):
    @batch.command(action, help=f"{summary} (recorded with who ran it and when).")
    @click.argument("batch_id", type=BATCH_ID)
    @db_option
    @note_option
    @reports_user_errors
    def command(batch_id, db, note):
        from ..app.batches import act_on_batch

        status = act_on_batch(store_url(db), batch_id, action, actor(), now(), note)
        click.echo(t("cli.batch.now", id=batch_id, status=t(f"web.status.{status}")))

    return command


for _action, _summary in (("approve", "Approve draft batch ID; an approver other than who prepared it"),
                          ("send-back", "Send draft batch ID back to be prepared again; say why with --note"),
                          ("lock", "Lock approved batch ID for payroll (payer)"),
                          ("mark-paid", "Confirm locked batch ID was paid (payer, not who prepared it)"),
                          ("discard", "Discard draft or approved batch ID")):
    _transition(_action, _summary)


@batch.command("list")
@db_option
@reports_user_errors(writes=False)
def batch_list(db):
    """Every batch: period, kind, status, net payout, who created it and when."""
    from ..app.batches import batches

    listed = batches(store_url(db), actor())
    listed["pays"] = [format_minor(int(v), int(m)) for v, m in zip(listed["pays"], listed["minor_units"])]
    show_table(listed.drop(columns="minor_units"))


@batch.command("show")
@click.argument("batch_id", type=BATCH_ID)
@db_option
@reports_user_errors(writes=False)
def batch_show(batch_id, db):
    """A batch's record, every collector's pay (and why any is zero), and its history of events in words."""
    from ..app.batches import batch_details, total_rows
    from ..store import format_time

    details = batch_details(store_url(db), batch_id, actor(), lang())
    record, minor = details.record, details.record.minor_units
    pay_date = day(record.pay_date, lang()) if record.pay_date else t("cli.batch.no_date")
    click.echo(t("cli.batch.header", id=record.id, kind=t(f"web.kind.{record.kind}"), period=record.period,
                 status=t(f"web.status.{record.status}"), pay_date=pay_date, by=record.created_by,
                 at=format_time(record.created_at), reports=record.reports))
    if details.controls_note:
        click.echo(details.controls_note)
    click.echo(t("cli.batch.plans", plans=", ".join(f"{p['id']} v{p['version']} (sha256 {p['sha256'][:12]}...)"
                                                    for p in details.plans)))
    click.echo(t("cli.batch.computed", totals=t("cli.separator").join(
        f"{words} {amount(value, minor)}" for words, value in total_rows(details.totals, minor, lang()))))
    key = "cli.batch.pays_adjustment" if record.kind == "adjustment" else "cli.batch.pays"
    click.echo(t(key, amount=amount(details.pays, minor), currency=record.currency,
                 count=len(details.collectors)))
    money = [c for c in details.collectors.columns if c not in ("collector_id", "employee_id", "name", "why")]
    show_table(details.collectors, money, minor)
    click.echo(t("cli.batch.events"))
    show_table(details.events)


@batch.command("diff")
@click.argument("first", type=BATCH_ID)
@click.argument("second", type=BATCH_ID, required=False)
@db_option
@reports_user_errors(writes=False)
def batch_diff(first, second, db):
    """Differences per collector and pay code between two batches, or between one and what was paid."""
    from ..app.batches import batch_difference

    diff = batch_difference(store_url(db), actor(), first, second, lang())
    click.echo(diff.how)
    show_table(diff.table.rename(columns=diff.headers), [diff.headers[c] for c in diff.money], diff.minor_units)


@batch.command("export")
@click.argument("batch_id", type=BATCH_ID)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Payroll file to write; a control file (count and totals) is written beside it.")
@db_option
@note_option
@reports_user_errors
def batch_export(batch_id, file_format, out_path, db, note):
    """Write the payroll file of an approved, locked or paid batch, with a control total and count."""
    from ..app.batches import export_batch

    done = export_batch(store_url(db), batch_id, file_format, out_path, actor(), now(), note)
    # count and total as the control file writes them, so a person can compare the two by eye
    click.echo(t("cli.batch.exported", path=done.path, count=done.control["count"], total=done.control["total"],
                 currency=done.currency, control=done.control["control_file"]))
    if done.reexport:
        click.echo(t("cli.note", text=done.reexport))


@click.command("history")
@click.option("--collector", required=True, help="collector_id")
@db_option
@reports_user_errors(writes=False)
def history(collector, db):
    """A collector's payouts across periods, from the batch store."""
    from ..app.batches import collector_history

    show_table(collector_history(store_url(db), actor(), collector), ("amount",))


@click.command("opening-ytd")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--year", required=True, type=click.IntRange(1900, 2199))
@click.option("--currency", default="CNY", show_default=True)
@db_option
@note_option
@reports_user_errors
def opening_ytd(file, year, currency, db, note):
    """Load the pay of YEAR made before the store existed (collector_id, pay_code, amount), once, so
    statements' year to date is right from the first month."""
    from ..app.batches import load_opening_year

    loaded = load_opening_year(store_url(db), actor(), year, file, currency, now(), note)
    click.echo(t("cli.opening_ytd", count=loaded, year=year))
