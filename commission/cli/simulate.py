"""`commission simulate` and `lint`, for managers designing plans: parse options, call the app, print."""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import click

from ..periods import Period, PeriodError
from .cluster import engine_of, engine_options
from .common import amount, count, flag, lang, reports_user_errors, t

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
                     help="Roster (collector_id, name, team, employee_id; plan, start_date, end_date): who is on "
                          "which plan today, teams, employment dates, team leads."),
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


def simulation_request(policies, ledgers, options, candidates=(), replacements=(), state=None):
    from ..app.inputs import InputPaths
    from ..app.simulation import SimulationRequest

    return SimulationRequest(InputPaths(policies=policies, ledgers=ledgers, roster=options["roster_path"],
                                        targets=options["targets_path"], assignments=options["assignments_path"],
                                        events=options["events_path"]),
                             periods=options["periods"], by=options["by"], candidates=candidates,
                             replacements=replacements, state=state)


class ProgressLine:
    """Progress on stderr, one line rewritten in place, only on a terminal (never in a log or a pipe) and
    never with --quiet."""

    def __init__(self, enabled: bool, stream=None):
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.shown = False

    @classmethod
    def for_stream(cls, stream, quiet: bool) -> "ProgressLine":
        is_terminal = getattr(stream, "isatty", None)
        return cls(enabled=not quiet and bool(is_terminal and is_terminal()), stream=stream)

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        text = f"{what}: {done}/{total}" if total > 1 else f"{what}..."
        self.stream.write("\r\x1b[K" + text[:120])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


@click.command()
@click.option("--policy", "policy_paths", required=True, multiple=True, type=click.Path(path_type=Path),
              help="The plans in force today, as for `commission run` (files or folders, repeatable): the "
                   "roster's plan column and the plans' effective dates say who is paid by which. What they "
                   "pay is the baseline every candidate is compared with.")
@click.option("--candidate", "candidates", multiple=True, type=click.Path(path_type=Path),
              help="A candidate plan paid to every collector (a file, or a folder of them); repeatable.")
@click.option("--replace", "replacements", multiple=True, metavar="PLAN=FILE",
              help="A candidate that pays the collectors the roster puts on PLAN (everyone else as today), "
                   "e.g. card-tiered=new-tiers.yaml; repeatable.")
@click.option("--ledger", "ledgers", required=True, multiple=True, type=click.Path(path_type=Path),
              help="Recovery ledger(s) of the history to simulate on: files or folders, repeatable.")
@input_options
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The state.json the run for the month before the first simulated month left: the balances "
                   "(holdbacks, carried negatives, draws) today starts from. Default: zero.")
@click.option("--sweep", "sweeps", multiple=True,
              help="Vary a number of the first candidate (or of today's one plan) over a grid, e.g. "
                   "components.base.rates.m3.rate=3%..8%:0.5% (START..STOP:STEP or V1,V2,...). Give it twice for a "
                   "two-way grid. See docs/simulation.md.")
@click.option("--elasticity",
              help="ASSUMPTION for a behavioural what-if: recovery scales by 1 + E x the change in effective "
                   "marginal rate (E = 2: 2% more recovery per percentage point). Shown beside the static result.")
@click.option("--lang", type=click.Choice(["en", "zh", "en+zh"]), default="en+zh", show_default=True,
              help="Language of the report's labels and charts.")
@click.option("--title", help="Title of the report (default: Plan comparison).")
@click.option("--quiet", is_flag=True, help="No progress on stderr (there is none when stderr is not a terminal).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for comparison.xlsx, comparison.html, charts/ and lint.txt (replaced whole, atomically).")
@engine_options
@reports_user_errors
def simulate(policy_paths, candidates, replacements, ledgers, state_path, sweeps, elasticity, lang, title, quiet,
             out_dir, base_salary, **options):
    """Compare what is paid today with candidate plans on the same history: cost, cost-to-collect, per
    collector and team, who gains and who loses. With --engine dask or --cluster, the plans and the sweep's
    points are simulated side by side on a Dask cluster."""
    from ..app.simulation import simulate_plans

    engine = engine_of(options)
    progress = ProgressLine.for_stream(sys.stderr, quiet)
    try:
        report = simulate_plans(simulation_request(policy_paths, ledgers, options, candidates, replacements,
                                                   state_path), out_dir, sweeps, elasticity, base_salary, lang, title,
                                progress, engine, names=flag)
    finally:
        progress.clear()
    _print_summary(report)


def _signed(value: int, minor: int) -> str:
    return ("+" if value >= 0 else "") + amount(int(value), minor)


def _percent(value, sign: bool = False) -> str:
    if value is None:
        return t("cli.not_available")
    shown = (Decimal(value) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{'+' if sign and shown >= 0 else ''}{shown}%"


def _print_summary(report) -> None:
    """The result on one screen: what was simulated, one line per scenario, then one line on the warnings."""
    from ..simulation.labels import shown_label
    from ..simulation.report_files import lint_counts

    comparison, folder = report.comparison, report.folder
    minor, currency = comparison.minor_units, comparison.currency
    sim = comparison.simulation
    months = t("cli.simulate.months", count=len(sim.months), first=sim.months[0], last=sim.months[-1])
    if comparison.today_plans is not None:
        plans = t("cli.separator").join(t("cli.simulate.plan_for", plan=r.plan, count=r.collectors)
                          for r in comparison.today_plans.itertuples(index=False))
        click.echo(t("cli.simulate.today", months=months, count=len(comparison.collectors), plans=plans))
    else:
        click.echo(t("cli.simulate.baseline", months=months, count=len(comparison.collectors), label=sim.labels[0]))
    winners = comparison.winners.set_index("plan") if len(comparison.winners) else None
    for row in comparison.summary.itertuples(index=False):
        line = t("cli.simulate.row", label=shown_label(row.plan, lang()), cost=amount(int(row.cost), minor),
                 currency=currency, ratio=_percent(row.cost_to_collect))
        if row.plan == sim.labels[0]:
            line += t("cli.simulate.recovered", recovered=amount(int(row.recovered), minor))
        else:
            line += t("cli.simulate.versus", change=_signed(row.change_in_cost, minor),
                      share=_percent(row.change_in_cost_share, True),
                      points=_percent(row.change_in_cost_to_collect, True).removesuffix("%"),
                      baseline=shown_label(sim.labels[0], lang()))
            if winners is not None and row.plan in winners.index:
                counts = winners.loc[row.plan]
                line += t("cli.simulate.winners", gain=count(counts["winners"]), lose=count(counts["losers"]))
        click.echo(line)
    active, silenced, engine = lint_counts(comparison)
    parts = [t("cli.simulate.warnings", count=active)
             + (t("cli.simulate.silenced", count=silenced) if silenced else "")]
    if engine:
        parts.append(t("cli.simulate.engine", count=engine))
    click.echo(t("cli.simulate.see_lint", counts=t("cli.simulate.and").join(parts), file=report.written.lint_file))
    if report.written.chart_warning:
        click.echo(report.written.chart_warning, err=True)
    if report.legacy:
        click.echo(t("cli.note", text=comparison.notes[0]), err=True)
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    click.echo(t("cli.simulate.written", folder=folder, names=", ".join(names)))

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
@reports_user_errors(writes=False)
def lint(policies, ledgers, max_variable_share, show_silenced, strict, base_salary, **options):
    """Health-check plans: incentive cliffs, missing conduct rules, falling rates, variable share, binding caps."""
    from ..app.simulation import lint_plans
    from ..errors import with_names

    report = lint_plans(simulation_request(policies, ledgers, options), max_variable_share, base_salary)
    for warning in report.warnings:
        if show_silenced or not warning.silenced:
            click.echo(str(warning))
    notes = "; ".join(with_names(note, flag) for note in report.not_checked)
    click.echo(t("cli.lint.summary", count=report.plans, warnings=t("cli.simulate.warnings", count=len(report.active)),
                 silenced=count(len(report.warnings) - len(report.active))) + (f"; {notes}" if notes else ""), err=True)
    if strict and report.active:
        sys.exit(EXIT_WARNINGS)
