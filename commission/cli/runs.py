"""`commission run`, `validate` and `sample-data`: parse options, call the app, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import day
from .cluster import engine_of, engine_options
from .common import EXIT_INPUT, amount, count, lang, list_folder, period_option, reports_user_errors, t


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
        click.option("--period", required=True, callback=period_option,
                     help="Pay period: 2026-10, 2026-Q3 or 2026."),
        click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for the reports (replaced whole, atomically)."),
        click.option("--targets", "targets_path", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Targets (collector_id, period, target), for attainment bonuses, multipliers and tiers; "
                          "repeatable (e.g. a file a month)."),
        click.option("--assignments", "assignments_path", multiple=True,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Assigned balances (collector_id, period, assigned_balance), for recovery-rate KPIs; "
                          "repeatable."),
        click.option("--events", "events_path", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Compliance and QA events, and leavers' clearances (event_id, collector_id, date, "
                          "type, severity, score); repeatable."),
        click.option("--lines", "lines_format", type=click.Choice(["csv", "parquet", "both"]), default="csv",
                     show_default=True, help="Format of the payment-level lineage."),
        click.option("--allow-no-repayments", is_flag=True,
                     help="Pay a period in which the ledgers hold no repayment (only draws or balances are due); "
                          "without it such a period is refused as a likely wrong period or ledger."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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


def run_request(options: dict, state_path=None, state_edited=None, first_period: bool = False):
    from ..app.inputs import InputPaths
    from ..app.runs import RunRequest

    return RunRequest(InputPaths(policies=options["policy_paths"], ledgers=options["ledgers"],
                                 roster=options["roster_path"], targets=options["targets_path"],
                                 assignments=options["assignments_path"], events=options["events_path"]),
                      period=options["period"], state=state_path, state_edited=state_edited,
                      first_period=first_period, allow_no_repayments=options["allow_no_repayments"])


def lines_formats(options: dict) -> dict:
    lines = options["lines_format"]
    return {"lines_csv": lines in ("csv", "both"), "lines_parquet": lines in ("parquet", "both")}


def print_run(result, folder: Path) -> None:
    """Warnings, then what was paid, then where the reports are."""
    for warning in result.warnings:
        click.echo(t("cli.warning", text=warning), err=True)
    totals, minor, currency, counts = result.totals(), result.minor_units, result.currency, result.counts
    plans = ", ".join(f"{p.plan} v{p.version}" for p in result.policies)
    skipped = counts.get("rows_skipped", 0)
    click.echo(t("cli.run.summary", period=result.period, plans=plans, count=int(counts["collectors"]),
                 read=count(counts["rows_read"]), in_period=count(counts["rows_in_period"]),
                 excluded=count(counts["rows_excluded"]))
               + (t("cli.run.skipped", skipped=count(skipped)) if skipped else ""))
    click.echo(t("cli.run.totals", recovered=amount(totals["recovered"], minor),
                 net=amount(totals["net_payout"], minor), currency=currency))
    list_folder(folder)


def partitions_option(ctx, param, value):
    """--partitions: a number of partitions (1 or more) or 'auto'."""
    if value is None or value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"{value!r} is neither a number of partitions (1 or more) nor 'auto'")
    return int(value)


@click.command()
@run_options
@state_options
@click.option("--partitions", callback=partitions_option, metavar="N|auto",
              help="Pay collectors N partitions at a time, so memory stays bounded whatever the ledger's size "
                   "(a folder of monthly Parquet files for a year, say); 'auto': one partition per 5 million "
                   "ledger rows. The reports are the same bytes as without it.")
@engine_options
@reports_user_errors
def run(state_path, state_edited, first_period, partitions, **options):
    """Compute every collector's payout for PERIOD and write payouts, lineage, state and manifest. With
    --engine dask or --cluster, the partitions are paid side by side on a Dask cluster's workers."""
    from ..app.runs import statements_replaced

    engine = engine_of(options)
    request = run_request(options, state_path, state_edited, first_period)
    replaced = statements_replaced(options["out_dir"], request.period)
    if engine.kind == "dask":
        from ..app.cluster import run_on_cluster

        done, folder = run_on_cluster(engine, request, options["out_dir"], partitions, **lines_formats(options))
    elif partitions is None:
        from ..app.runs import run_period

        done, folder = run_period(request, options["out_dir"], **lines_formats(options))
    else:
        from ..app.partitioned import run_partitioned

        done, folder = run_partitioned(request, options["out_dir"], partitions, **lines_formats(options))
    print_run(done.result, folder)
    if replaced:
        click.echo(t("cli.run.statements_replaced", count=replaced, folder=folder))


@click.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(policies):
    """Check plan files (or folders of them); print every problem as file:line: key: message."""
    from ..app.plans import check_plans
    from .common import flag

    problems = 0
    for check in check_plans(policies):
        if check.problems is not None:
            click.echo(check.problems.render(flag), err=True)
            problems += len(check.problems.problems) + check.problems.hidden
            continue
        policy = check.policy
        click.echo(t("cli.validate.ok", path=check.path, plan=policy.plan, version=policy.version,
                     effective=day(policy.effective_from, lang()), components=count(len(policy.components)),
                     adjustments=count(len(policy.adjustments))))
    if problems:
        click.echo(t("cli.problems", count=problems), err=True)
        sys.exit(EXIT_INPUT)


@click.command("sample-data")
@click.option("--collectors", type=click.IntRange(1, 100_000),
              help="Collectors on the new roster (teams of about 8 with a lead; a few join or leave) "
                   "[default: 40]. Not with --continue: a continued data set keeps its roster.")
@click.option("--months", type=click.IntRange(1, 36),
              help="How many months to generate [default: 3; 1 with --continue].")
@click.option("--seed", default=7, show_default=True, type=click.IntRange(0),
              help="Random seed: the same seed (and, with --continue, the same data set) writes identical files.")
@click.option("--first-month", metavar="YYYY-MM",
              help="First month generated [default: 2026-07]. With --continue it is the month after the last "
                   "one the data set holds, and any other month is refused.")
@click.option("--continue", "continue_from", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Continue a data set instead of starting one: its folder (as sample-data wrote it: ledger, "
                   "roster, targets, assignments, events), then the folder of each month continued from it, "
                   "in order (repeat the option). The new months follow the last one it holds, for the same "
                   "roster and collectors, with payment and event ids numbered on; --out gets their ledger, "
                   "targets, assignments and events (the roster stays where it is).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (an earlier sample there is replaced whole).")
@reports_user_errors
def sample_data(collectors, months, seed, first_month, continue_from, out_dir):
    """Generate a synthetic data set (no real people) for demos and tests, or its next months.

    \b
    A new data set:      commission sample-data --out data
    Its next month:      commission sample-data --continue data --out data/2026-10
    And the month after: commission sample-data --continue data --continue data/2026-10
                             --out data/2026-11
    """
    from ..app.samples import make_sample

    data, folder = make_sample(collectors, months, seed, first_month, out_dir, continue_from)
    ledger = data.ledger
    payments = int((ledger["payment_id"] != ledger["payment_id"].shift()).sum())  # split rows share an id
    first, last = ledger["payment_date"].min()[:7], ledger["payment_date"].max()[:7]
    span = first if first == last else t("cli.span", first=first, last=last)
    if not continue_from:
        click.echo(t("cli.sample.new", payments=t("cli.sample.payments", count=payments),
                     collectors=t("cli.sample.collectors", count=len(data.roster)), span=span, folder=folder))
        return
    click.echo(t("cli.sample.continued", payments=t("cli.sample.payments", count=payments),
                 collectors=t("cli.sample.collectors", count=int(ledger["collector_id"].nunique())),
                 ids=t("cli.span", first=ledger["payment_id"].iat[0], last=ledger["payment_id"].iat[-1]), span=span,
                 folder=folder, roster=Path(continue_from[0]) / "roster.csv"))
