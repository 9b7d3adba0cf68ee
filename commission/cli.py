"""Command line: thin click commands that wire files to the layers. No business logic here.

Problems the user can fix print as ``file:line: key: message`` on stderr with exit code 2.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .money import format_minor
from .periods import Period, PeriodError

EXIT_INPUT = 2


def reports_user_errors(command):
    """Turn InputError / PeriodError into a clear message and exit code 2 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.render(), err=True)
            click.echo(f"error: {len(exc.problems) + exc.hidden} problem(s); nothing was written", err=True)
            sys.exit(EXIT_INPUT)
        except PeriodError as exc:
            click.echo(f"--period: {exc}", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper


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
                     help="Targets (collector_id, period, target), for attainment bonuses and multipliers."),
        click.option("--assignments", "assignments_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Assigned balances (collector_id, period, assigned_balance), for recovery-rate KPIs."),
        click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Compliance and QA events (event_id, collector_id, date, type, severity, score)."),
        click.option("--lines", "lines_format", type=click.Choice(["csv", "parquet", "both"]), default="csv",
                     show_default=True, help="Format of the payment-level lineage."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _request(options: dict, state_path=None):
    from .runner import RunRequest

    return RunRequest(policies=options["policy_paths"], ledgers=options["ledgers"], period=options["period"],
                      roster=options["roster_path"], targets=options["targets_path"],
                      assignments=options["assignments_path"], events=options["events_path"], state=state_path)


def _write_reports(computed, options: dict):
    from .outputs import write_run

    lines = options["lines_format"]
    return write_run(computed.result, computed.policies, computed.inputs, options["out_dir"],
                     lines_csv=lines in ("csv", "both"), lines_parquet=lines in ("parquet", "both"))


def _summary(result, folder: Path) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    totals, minor, currency, counts = result.totals(), result.minor_units, result.currency, result.counts
    plans = ", ".join(f"{p.plan} v{p.version}" for p in result.policies)
    click.echo(f"period {result.period}, plan {plans}: {counts['collectors']} collectors, "
               f"{counts['rows_in_period']} payments in period ({counts['rows_excluded']} ledger rows outside it)")
    click.echo(f"recovered {format_minor(totals['recovered'], minor)} {currency}, "
               f"net payout {format_minor(totals['net_payout'], minor)} {currency}")
    click.echo(f"reports written to {folder}/")
    for name in sorted(p.name for p in folder.iterdir()):
        click.echo(f"  {folder / name}")


@main.command()
@run_options
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="state.json of the previous period's run: holdbacks, carried balances, draws owed.")
@reports_user_errors
def run(state_path, **options):
    """Compute every collector's payout for PERIOD and write payouts, lineage, state and manifest."""
    from .runner import compute_request

    computed = compute_request(_request(options, state_path))
    folder = _write_reports(computed, options)
    if state_path is None and any(p.stateful for p in computed.result.policies):
        click.echo("warning: no --state given: holdbacks, carried balances and draws start from zero "
                   "(right for the first period only)", err=True)
    _summary(computed.result, folder)


@main.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(policies):
    """Check plan files; print every problem as file:line: key: message."""
    from .policy import load_policy

    problems = 0
    for path in policies:
        try:
            policy = load_policy(path)
        except InputError as exc:
            click.echo(exc.render(), err=True)
            problems += len(exc.problems) + exc.hidden
            continue
        click.echo(f"{path}: ok (plan {policy.plan} version {policy.version}, effective {policy.effective_from}, "
                   f"{len(policy.components)} components, {len(policy.adjustments)} adjustments)")
    if problems:
        click.echo(f"error: {problems} problem(s)", err=True)
        sys.exit(EXIT_INPUT)


@main.command("sample-data")
@click.option("--collectors", default=40, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--months", default=3, show_default=True, type=click.IntRange(1, 36))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--first-month", default="2026-08", show_default=True, help="First month of the ledger.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@reports_user_errors
def sample_data(collectors, months, seed, first_month, out_dir):
    """Generate a synthetic ledger and roster (no real people) for demos and tests."""
    from .outputs.sample import write_sample
    from .sample_data import generate

    Period.parse(first_month)
    data = generate(collectors=collectors, months=months, seed=seed, first_month=first_month)
    folder = write_sample(data, out_dir)
    click.echo(f"{len(data.ledger)} payments by {collectors} collectors over {months} months written to {folder}/")
