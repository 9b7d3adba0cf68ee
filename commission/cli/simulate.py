"""`commission simulate` and `lint`, for managers designing plans: parse options, call the app, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..money import format_minor
from ..periods import Period, PeriodError
from .common import reports_user_errors

#: `commission lint --strict` exits with this code when a warning is not silenced.
EXIT_WARNINGS = 1


def _periods(ctx, param, values):
    try:
        return tuple(Period.parse(v) for v in values)
    except PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


def input_options(command):
    """The options naming a simulation's inputs, shared by `simulate` and `lint`."""
    file = click.Path(dir_okay=False, path_type=Path)
    options = [
        click.option("--roster", "roster_path", type=file,
                     help="Roster (collector_id, name, team, employee_id): teams for the comparison, employment "
                          "dates, team leads. Its plan column is not used: every plan pays everyone."),
        click.option("--targets", "targets_path", multiple=True, type=file,
                     help="Targets, for attainment bonuses; repeatable."),
        click.option("--assignments", "assignments_path", multiple=True, type=file,
                     help="Assigned balances, for recovery-rate KPIs."),
        click.option("--events", "events_path", multiple=True, type=file,
                     help="Compliance and QA events; repeatable."),
        click.option("--period", "periods", multiple=True, callback=_periods,
                     help="A month, quarter or year to simulate (repeatable); each is run month by month. "
                          "Default: every month the ledger spans."),
        click.option("--by", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True,
                     help="Without --period: report the months by month, quarter or year."),
        click.option("--base-salary", "base_salary",
                     help="Fixed monthly pay beside the plan (e.g. 6000.00), for the variable-pay-share check. "
                          "An assumption for the health check only; it is not part of any plan."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def simulation_request(policies, ledgers, options):
    from ..app.inputs import InputPaths
    from ..app.simulation import SimulationRequest

    return SimulationRequest(InputPaths(policies=policies, ledgers=ledgers, roster=options["roster_path"],
                                        targets=options["targets_path"], assignments=options["assignments_path"],
                                        events=options["events_path"]),
                             periods=options["periods"], by=options["by"])


@click.command()
@click.option("--policy", "policy_paths", required=True, multiple=True, type=click.Path(path_type=Path),
              help="A candidate plan (YAML), or a folder of them; repeatable. The first is the baseline every "
                   "other plan is compared with.")
@click.option("--ledger", "ledgers", required=True, multiple=True, type=click.Path(path_type=Path),
              help="Recovery ledger(s) of the history to simulate on: files or folders, repeatable.")
@input_options
@click.option("--sweep", "sweeps", multiple=True,
              help="Vary a number of the first plan over a grid, e.g. components.base.rates.m3.rate=3%..8%:0.5% "
                   "(START..STOP:STEP or V1,V2,...). Give it twice for a two-way grid. See docs/simulation.md.")
@click.option("--elasticity",
              help="ASSUMPTION for a behavioural what-if: recovery scales by 1 + E x the change in effective "
                   "marginal rate (E = 2: 2% more recovery per percentage point). Shown beside the static result.")
@click.option("--lang", type=click.Choice(["en", "zh", "en+zh"]), default="en+zh", show_default=True,
              help="Language of the report's labels.")
@click.option("--title", help="Title of the report (default: Plan comparison).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for comparison.xlsx, comparison.html and charts/ (replaced whole, atomically).")
@reports_user_errors
def simulate(policy_paths, ledgers, sweeps, elasticity, lang, title, out_dir, base_salary, **options):
    """Run candidate plans on the same history and compare cost, cost-to-collect, who gains and who loses."""
    from ..app.simulation import simulate_plans

    comparison, folder = simulate_plans(simulation_request(policy_paths, ledgers, options), out_dir, sweeps,
                                        elasticity, base_salary, lang, title)
    _print_summary(comparison, folder)


def _print_summary(comparison, folder: Path) -> None:
    minor, currency = comparison.minor_units, comparison.currency
    sim = comparison.simulation
    click.echo(f"simulated {len(sim.months)} month(s), {sim.months[0]} to {sim.months[-1]}, "
               f"{len(comparison.collectors)} collectors; baseline {sim.labels[0]}")
    for row in comparison.summary.itertuples(index=False):
        change = "" if row.plan == sim.labels[0] else \
            f", {'+' if row.change_in_cost >= 0 else ''}{format_minor(row.change_in_cost, minor)} vs baseline"
        ratio = f"{row.cost_to_collect * 100:.2f}%" if row.cost_to_collect is not None else "n/a"
        click.echo(f"  {row.plan}: cost {format_minor(row.cost, minor)} {currency} on "
                   f"{format_minor(row.recovered, minor)} recovered, cost-to-collect {ratio}{change}")
    for warning in comparison.lint:
        if not warning.silenced:
            click.echo(str(warning), err=True)
    for run in sim.runs:
        for message in run.warnings:
            click.echo(f"warning: {run.label}: {message}", err=True)
    click.echo(f"report written to {folder}/")
    for name in sorted(p.name for p in folder.iterdir()):
        click.echo(f"  {folder / name}")


@click.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--ledger", "ledgers", multiple=True, type=click.Path(path_type=Path),
              help="Ledger(s) to check the plan against (needed for cap-binds, and for variable-pay-share on "
                   "real pay): each plan is simulated on them.")
@input_options
@click.option("--max-variable-share", default="50%", show_default=True,
              help="variable-pay-share warns above this share of total pay.")
@click.option("--show-silenced", is_flag=True, help="Also list warnings the plan silences, with their reasons.")
@click.option("--strict", is_flag=True, help=f"Exit with code {EXIT_WARNINGS} when a warning is not silenced.")
@reports_user_errors
def lint(policies, ledgers, max_variable_share, show_silenced, strict, base_salary, **options):
    """Health-check plans: incentive cliffs, missing conduct rules, falling rates, variable share, binding caps."""
    from ..app.simulation import lint_plans
    from ..errors import with_names
    from .common import flag

    report = lint_plans(simulation_request(policies, ledgers, options), max_variable_share, base_salary)
    for warning in report.warnings:
        if show_silenced or not warning.silenced:
            click.echo(str(warning))
    notes = "; ".join(with_names(note, flag) for note in report.not_checked)
    click.echo(f"{report.plans} plan(s): {len(report.active)} warning(s), "
               f"{len(report.warnings) - len(report.active)} silenced" + (f"; {notes}" if notes else ""), err=True)
    if strict and report.active:
        sys.exit(EXIT_WARNINGS)
