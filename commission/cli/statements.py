"""`commission statements` and `explain`: parse options, call the app, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import BATCH_ID, actor, db_option, reports_user_errors, store_url, t

_SOURCE = [click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="A run's --out folder."),
           click.option("--batch", "batch_id", type=BATCH_ID, help="A stored batch (its reports folder).")]


def source_options(command):
    for option in reversed(_SOURCE):
        command = option(command)
    return db_option(command)


def _store(run_dir, batch_id, db):
    """The store to read when a batch is named; --run and --batch exclude each other."""
    if run_dir is None and batch_id is None:
        raise click.UsageError("give --run DIR (a run's --out folder) or --batch ID (a stored batch)")
    if run_dir is not None and batch_id is not None:
        raise click.UsageError("give only one of --run and --batch")
    return store_url(db) if batch_id is not None else None


@click.command()
@source_options
@click.option("--collector", help="One collector (default: everyone in the run).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language (default: Chinese for CNY plans).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the workbooks (default: statements/ in the run folder); replaced whole, "
                   "or, with --collector, only that collector's workbook is written in it.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes to use (default: the machine's cores).")
@reports_user_errors
def statements(run_dir, batch_id, db, collector, lang, out_dir, jobs):
    """Write each collector's Excel statement: summary, every payment, and the plan in words."""
    from ..app.statements import make_statements

    store = _store(run_dir, batch_id, db)
    arguments = dict(out_dir=out_dir, collector=collector, lang=lang, jobs=jobs, actor=actor())
    if sys.stderr.isatty():  # a progress bar for people; nothing for scripts and logs
        with click.progressbar(length=0, label="statements", file=sys.stderr) as bar:
            written, target = make_statements(
                run_dir, batch_id, store, **arguments,
                progress=lambda total, done: (setattr(bar, "length", total), bar.update(done)))
    else:
        written, target = make_statements(run_dir, batch_id, store, **arguments)
    click.echo(t("cli.statements.written", count=written, folder=target))


@click.command("explain")
@source_options
@click.option("--collector", required=True)
@click.option("--payment", help="Explain one payment of the collector instead.")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language (default: Chinese for CNY plans).")
@reports_user_errors(writes=False)
def explain(run_dir, batch_id, db, collector, payment, lang):
    """How a collector's payout was built: each rule, base x rate = amount, events, and the net."""
    from ..app.statements import explain_payout

    for line in explain_payout(run_dir, batch_id, _store(run_dir, batch_id, db), collector, payment, actor(), lang):
        click.echo(line)
