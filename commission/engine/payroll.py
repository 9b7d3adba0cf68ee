"""The engine entry point: (policy, ledger rows, period[, roster]) -> RunResult. Pure: no files, no clock.

A run pays every component whose cadence ends with the period, each over its own window
(a quarterly component in a September run covers July-September), then applies the plan's
adjustments in the order written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector, option
from ..money import format_minor, sum_by
from ..periods import Period
from ..policy import Policy, plan_in_force
from ..policy.model import EARLIER_RECOMPUTE
from .balances import CARRIED, DRAW, HELD, Balances, book_carried_and_draw, book_leavers, clearance_warnings
from .book import ItemBook
from .classify import classify_frame
from .context import RunContext, SideInputs, Teams
from .credit import credited_amounts
from .employment import outside_employment
from .kpis import kpi_frame
from .recompute import book_recomputed, measuring_view
from .result import RunResult, events_named, no_awards
from .rules import Booking, book_rules, rule_kind
from .rules.line_rate import recovery_lines

ROSTER_FIELDS = ("name", "team", "employee_id")
#: payouts.csv columns, each the sum of the items of these kinds.
PAYOUT_KINDS = {
    "line_commission": ("line_rate",),
    "tier_commission": ("tier",),
    "bonus": ("bonus", "override"),
    "adjustment": ("threshold", "cap_floor", "multiplier", "compliance", "leaver"),
    "holdback": ("holdback",),
    "balance": ("balance",),
}


def pay_period(policies, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame] = None,
                    side: SideInputs = SideInputs(), allow_no_repayments: bool = False) -> RunResult:
    """Pay everyone for `period`: each collector under the version of their plan in force on its last day.

    The roster's plan column says who is on which plan; without one, all plans given must be
    versions of one plan. Results of the plans are put together, collectors in order. A period
    without a single repayment is most likely a wrong period or ledger, so it is paid only when
    `allow_no_repayments` says it is meant (a month with only draws or balances to pay).

    Ledger rows dated outside a collector's employment are refused unless their plan says to pay or
    skip them (engine.employment); balances carried in must be ones the collectors' plans keep, and a
    balance of a collector the run does not pay is never dropped: carried with a warning, or, in
    the period that settles it (a holdback's release), refused.
    """
    groups = plan_groups(policies, ledger, roster, period)
    dates = ledger["payment_date"]
    in_period = dates.between(pd.Timestamp(period.start), pd.Timestamp(period.end)).any()
    no_rows_warning = repayments_check(period, bool(in_period), len(ledger), dates.min(), dates.max(),
                                       roster is not None, allow_no_repayments)
    check_state(side, period, groups)
    return finished(_compute_groups(ledger, period, roster, side, groups, tuple(policies)), side, period, groups,
                    no_rows_warning)


def plan_groups(policies, ledger: pd.DataFrame, roster: Optional[pd.DataFrame], period: Period) -> list:
    """(plan id, its collectors or None for everyone, the version in force) for each plan that pays someone."""
    return [(plan, members, _in_force(policies, plan, period))
            for plan, members in _plan_groups(policies, ledger, roster)]


def repayments_check(period: Period, any_in_period: bool, rows: int, first, last, has_roster: bool,
                     allow_no_repayments: bool) -> Optional[str]:
    """A period without a single repayment (`first` and `last`: the ledger's first and last payment dates) is
    refused, or paid with a warning (returned) when meant; None when it has repayments."""
    if any_in_period:
        return None
    covers = f"the ledger covers {first.date()} to {last.date()}" if rows else "the ledger has no rows"
    if not has_roster or not allow_no_repayments:  # most likely a wrong period or ledger file
        hint = "" if not has_roster else (": a period with no repayments is paid only when that is meant "
                                          f"({option('allow-no-repayments')}, for draws or balances still due)")
        raise InputError([Problem("", "", f"no ledger rows fall in {period} ({period.start} to "
                                  f"{period.end}); {covers}{hint}", role="period")])
    return f"no ledger rows fall in {period}; {covers}: the roster is paid on no recovery"


def finished(result: RunResult, side: SideInputs, period: Period, groups, no_rows_warning: Optional[str]) -> RunResult:
    """Everyone's result, checked and completed with what only the whole run knows: totals within bounds,
    balances of collectors it does not pay, clearances naming them, a period without repayments."""
    result.totals()  # a total past MAX_TOTAL stops the run here, before any report is written
    result, warnings = _balances_of_the_missing(result, side, period, groups)
    warnings += clearance_warnings(side, period, set(result.payouts["collector_id"]))
    if no_rows_warning:
        warnings.insert(0, no_rows_warning)
    return replace(result, warnings=(*warnings, *result.warnings)) if warnings else result


def _compute_groups(ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame], side: SideInputs,
                    groups, versions: tuple = ()) -> RunResult:
    paid = paid_groups(ledger, period, roster, side, groups, versions)
    result = paid.results[0] if paid.single else merge_results(paid.results, rows_read=paid.rows_used)
    return with_skipped(result, paid.skipped, paid.warnings, paid.rows_read)


@dataclass(frozen=True)
class PaidGroups:
    """Each plan group's result before they are put together (`single`: one plan pays everyone, no roster
    plan column), the rows skipped outside employment and their warnings, and the rows read and used."""

    results: list
    skipped: pd.DataFrame
    warnings: list
    rows_read: int
    rows_used: int  # rows read less those skipped
    single: bool
    first_days: list  # per group, the first payment_date of its rows (None: no rows), for coverage warnings


def paid_groups(ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame], side: SideInputs, groups,
                versions: tuple = (), coverage: bool = True) -> PaidGroups:
    """Split credit applied, rows outside employment dealt with, then every plan group paid. Without
    `coverage` no group warns of a ledger starting after a window began (a partitioned run judges that
    on the whole ledger: engine.partitions)."""
    rows_read = len(ledger)
    if "credit_share" in ledger:
        ledger = _credited(ledger, [policy for _, _, policy in groups])  # before any row is skipped: shares stay exact
    ledger, skipped, warnings = outside_employment(ledger, roster, [(members, policy) for _, members, policy in groups],
                                                   _first_day([policy for _, _, policy in groups], period), period.end)
    single = len(groups) == 1 and groups[0][1] is None
    if single:
        results = [_pay_plan(groups[0][2], ledger, period, roster, history=ledger, side=side, versions=versions,
                             coverage=coverage)]
    else:
        results = _pay_groups(ledger, period, roster, side, groups, versions, coverage)
    dates = ledger["payment_date"]
    firsts = [dates.min() if single else dates.loc[ledger["collector_id"].isin(members).to_numpy()].min()
              for _, members, _ in groups]
    return PaidGroups(results, skipped, warnings, rows_read, len(ledger), single,
                      [None if pd.isna(first) else first.date() for first in firsts])


def _pay_groups(ledger: pd.DataFrame, period: Period, roster: pd.DataFrame, side: SideInputs, groups,
                versions, coverage: bool = True) -> list:
    """Each plan's collectors paid under it, overrides counting team members on every plan (`Teams`): a
    plan whose override pays on the team's commission is paid again once every plan has paid its
    collectors, with what each earned under their own plan (the second stage)."""
    teams = Teams(managers=roster["manager_id"])

    def pay(members, policy, teams):
        mine = ledger["collector_id"].isin(members).to_numpy()
        part = ledger if mine.all() else ledger.loc[mine].reset_index(drop=True)
        return _pay_plan(policy, part, period, roster.loc[sorted(members)], history=ledger,
                         side=replace(side, teams=teams), versions=versions, coverage=coverage)

    results = [pay(members, policy, teams) for _, members, policy in groups]
    again = [i for i, (_, _, policy) in enumerate(groups)
             if any(c.kind == "override" and c.base == "team_commission" and period.pays(c.pays)
                    for c in policy.components)]
    if again:
        teams = replace(teams, commission=_own_commission(results, period))
        for i in again:
            results[i] = pay(groups[i][1], groups[i][2], teams)
    return results


def _own_commission(results: list[RunResult], period: Period) -> pd.Series:
    """Each collector's commission under their own plan: their items of the components paid that do not
    pay on a team (no override, no adjustment), in minor units by collector_id."""
    parts = []
    for result in results:
        (policy,) = result.policies
        own = [c.id for c in policy.components if period.pays(c.pays) and not rule_kind(c.kind).team]
        parts.append(result.items.loc[result.items["component"].isin(own), ["collector_id", "amount"]])
    items = pd.concat(parts, ignore_index=True)
    collectors = sorted(c for result in results for c in result.payouts["collector_id"])
    sums = sum_by(items["amount"].to_numpy(), pd.Index(collectors).get_indexer(items["collector_id"]),
                  len(collectors), what="a team member's commission", minor_units=results[0].minor_units,
                  names=collectors)
    return pd.Series(sums, index=pd.Index(collectors, dtype="str"), dtype=np.int64)


def _credited(ledger: pd.DataFrame, policies) -> pd.DataFrame:
    """Split credit applied to the amount and to every other money column the plans read (a fee, principal)."""
    money = ["amount", *dict.fromkeys(c for p in policies for c in p.money_columns() if c in ledger)]
    return ledger.assign(**{column: credited_amounts(ledger, column) for column in money})


def _first_day(policies, period: Period):
    """The first day the run reads: the period's, or the first of the widest window a component paid in
    it covers (a quarter's first day for a quarterly component in the quarter's last month)."""
    return min([period.start] + [period.enclosing(c.pays).start for p in policies for c in p.components
                                 if period.pays(c.pays)])


def with_skipped(result: RunResult, skipped: pd.DataFrame, warnings: list[str], rows_read: int) -> RunResult:
    """The result with the rows skipped outside employment, counted so that rows_read = rows_used +
    rows_excluded (outside every window paid) + rows_skipped."""
    counts = dict(result.counts, rows_read=rows_read, rows_skipped=len(skipped))
    counts["rows_excluded"] = rows_read - counts["rows_used"] - len(skipped)
    return replace(result, skipped=skipped, counts=counts, warnings=(*warnings, *result.warnings))


def kept_balances(policy: Policy) -> set[str]:
    """The balances a plan keeps from one run to the next: carried negatives, draws owed, held leaver
    pay, and one per holdback."""
    return {CARRIED, DRAW, HELD} | {f"holdback:{a.id}" for a in policy.adjustments if a.kind == "holdback"}


def check_state(side: SideInputs, period: Period, groups) -> None:
    """Balances must come from the run just before this one, so nothing is skipped or counted twice, and
    each must be one its collector's plan keeps (a holdback a new version dropped, a misspelt name):
    else no rule would ever pay or settle it. Whatever the balances' source (a state file, the batch
    store)."""
    if side.state_period is not None and side.state_period.end.toordinal() + 1 != period.start.toordinal():
        raise InputError([Problem("", "period", f"the state given is the one left by the run for "
                                  f"{side.state_period}; the run for {period} needs the state of the period just "
                                  f"before it", role="state")])
    state = side.state
    if state is None or not len(state):
        return
    policies = [policy for _, _, policy in groups]
    known = np.zeros(len(state), dtype=bool)
    whose = np.full(len(state), "", dtype=object)  # the plan that judges each balance; '' the collector is in none
    collectors = state["collector_id"].to_numpy(dtype=object)
    for _, members, policy in groups:
        mine = np.ones(len(state), dtype=bool) if members is None else np.isin(collectors, list(members))
        known[mine] = state["balance"].isin(kept_balances(policy)).to_numpy()[mine]
        whose[mine] = f"plan {policy.plan} version {policy.version} (in force on {period.end}) keeps"
    elsewhere = whose == ""
    every = set().union(*(kept_balances(p) for p in policies))
    known[elsewhere] = state["balance"].isin(every).to_numpy()[elsewhere]
    problems = ProblemCollector()
    minor = policies[0].minor_units
    unknown = pd.DataFrame({"balance": state["balance"].to_numpy(dtype=object), "whose": whose,
                            "collector_id": collectors, "amount": state["amount"].to_numpy()}).loc[~known]
    for (name, judge), rows in unknown.groupby(["balance", "whose"], sort=False):  # one problem per mistake
        first = rows["collector_id"].iat[0]
        keeps = (f"{judge} {', '.join(sorted(kept_balances(_plan_of(groups, first))))}" if judge
                 else f"the plans of this run keep {', '.join(sorted(every))}")
        held = [f"{c} holds {format_minor(int(a), minor)} of it" if i == 0 else f"{c} {format_minor(int(a), minor)}"
                for i, (c, a) in enumerate(zip(rows["collector_id"].iloc[:5], rows["amount"]))]
        more = f" and {len(rows) - 5} more collectors" if len(rows) > 5 else ""
        problems.add(side.state_source, "balance",
                     f"{name}: not a balance the plans given keep: {', '.join(held)}{more}, and {keeps}. "
                     "A balance is never carried unpaid: settle it under the plan version that keeps it, or "
                     "correct the balances (a misspelt name)", role="state")
    problems.raise_if_any()


def _plan_of(groups, collector: str) -> Policy:
    return next(policy for _, members, policy in groups if members is None or collector in members)


#: What each kind of balance is, for the warnings about collectors a run does not pay.
_OWED = {CARRIED: "a negative balance they owe", DRAW: "draws they owe", HELD: "leaver pay held for them"}


def _balances_of_the_missing(result: RunResult, side: SideInputs, period: Period, groups) -> tuple[RunResult, list]:
    """Balances of collectors this run does not pay (not on the roster and no payments) are never dropped
    silently. A holdback this run settles (the end of its release period) is refused: only a run that
    pays the collector can release or forfeit it. Any other balance is carried unchanged, with a
    warning naming the collector and each balance."""
    if side.state is None or not len(side.state):
        return result, []
    missing = side.state.loc[~side.state["collector_id"].isin(set(result.payouts["collector_id"]))]
    if not len(missing):
        return result, []
    minor = result.minor_units
    releases = {}  # holdback balance -> the release period it is settled at the end of
    settled = set()  # holdback balances this run releases or forfeits
    for _, _, policy in groups:
        for rule in policy.adjustments:
            if rule.kind == "holdback":
                releases.setdefault(f"holdback:{rule.id}", period.enclosing(rule.release))
                if period.pays(rule.release) and any(period.pays(c.pays) for c in policy.components
                                                     if c.id in rule.applies_to):
                    settled.add(f"holdback:{rule.id}")
    problems = ProblemCollector()
    refused = missing.loc[missing["balance"].isin(settled)]
    for collector, name, amount in list(zip(refused["collector_id"], refused["balance"],
                                            refused["amount"]))[: problems.limit]:
        problems.add("", "", f"{collector} holds {format_minor(int(amount), minor)} of {name} but is not in this "
                     f"run, which settles it (the end of {releases[name]}: released or forfeited): keep {collector} "
                     "on the roster, with their end_date if they left, so their plan releases or forfeits it",
                     role="roster")
    problems.extend_hidden(max(len(refused) - problems.limit, 0))
    problems.raise_if_any()
    warnings = []
    for collector, rows in missing.groupby("collector_id", sort=True):
        held = "; ".join(f"{name} {format_minor(int(amount), minor)} ("
                         + (_OWED.get(name) or f"settled at the end of {releases.get(name, 'its release period')}") + ")"
                         for name, amount in zip(rows["balance"], rows["amount"]))
        warnings.append(f"{collector} is not in this run but holds balances, carried unchanged: {held}; keep them "
                        "on the roster (with their end_date if they left) until their plan settles these")
    state = pd.concat([result.state, missing], ignore_index=True).sort_values(
        ["collector_id", "balance"], kind="stable").reset_index(drop=True)
    return replace(result, state=state), warnings


def _plan_groups(policies, ledger: pd.DataFrame, roster: Optional[pd.DataFrame]) -> list[tuple[str, Optional[set]]]:
    """(plan id, its collectors) pairs; collectors None means everyone."""
    plans = sorted({p.plan for p in policies})
    named = roster is not None and (roster["plan"] != "").any()
    if not named:
        if len(plans) > 1:
            needs = "no roster was given" if roster is None else "the roster needs a plan column"
            raise InputError([Problem("", "plan", f"several plans were given ({', '.join(plans)}); {needs} "
                                      "saying which plan pays each collector", role="roster")])
        return [(plans[0], None)]
    chosen = roster["plan"].where(roster["plan"] != "", plans[0] if len(plans) == 1 else "")
    problems = ProblemCollector()
    for collector, plan in chosen.items():
        if plan not in plans:
            problems.add("", "plan", f"collector {collector}: " + (
                f"plan {plan!r} is not among the plans given ({', '.join(plans)})" if plan
                else "no plan named, and several plans were given"), role="roster")
    problems.raise_if_any()
    return [(plan, set(chosen.index[chosen == plan])) for plan in plans if (chosen == plan).any()]


def _in_force(policies, plan: str, period: Period) -> Policy:
    """The version of `plan` in force on the period's last day, or a clear error listing the versions."""
    policy = plan_in_force(policies, plan, period.end)
    if policy is None:
        versions = [p for p in policies if p.plan == plan]
        first = min(versions, key=lambda p: p.effective_from)
        spans = "; ".join(f"version {p.version} from {p.effective_from}"
                          + (f" until {p.effective_to}" if p.effective_to else "") for p in versions)
        raise InputError([Problem(f"{first.source}:{first.effective_line}", "effective",
                                  f"no version of plan {plan} is in force on {period.end} (the last day of "
                                  f"{period}): {spans}")])
    return policy


def merge_results(results: list[RunResult], rows_read: int) -> RunResult:
    """Several plans' results as one: payouts and items in collector order, lines plan after plan."""
    # A pay code one plan lacks is 0 for its collectors; filled before concat, never through a float64 NaN.
    pay_columns = list(dict.fromkeys(c for r in results for c in r.payouts.columns if c.startswith("pay_")))
    payouts = pd.concat([r.payouts.assign(**{c: np.int64(0) for c in pay_columns if c not in r.payouts})
                         for r in results], ignore_index=True)
    order = payouts["collector_id"].argsort(kind="stable").to_numpy()
    items = pd.concat([r.items for r in results], ignore_index=True)
    counts = {key: sum(r.counts.get(key, 0) for r in results)
              for key in ("rows_in_period", "rows_used", "rows_skipped", "collectors")}
    counts["rows_read"] = rows_read
    counts["rows_excluded"] = rows_read - counts["rows_used"] - counts["rows_skipped"]
    skipped = [r.skipped for r in results if len(r.skipped)]
    awards = [r.awards for r in results if len(r.awards)]
    return RunResult(period=results[0].period, policies=tuple(p for r in results for p in r.policies),
                     payouts=payouts.take(order).reset_index(drop=True),
                     items=items.sort_values("collector_id", kind="stable").reset_index(drop=True),
                     lines=_merged_lines([r.lines for r in results if len(r.lines)] or [results[0].lines]),
                     counts=counts, warnings=tuple(dict.fromkeys(w for r in results for w in r.warnings)),
                     events=pd.concat([r.events for r in results], ignore_index=True).drop_duplicates(
                         "event_id").sort_values(["date", "event_id"], kind="stable").reset_index(drop=True),
                     kpis=pd.concat([r.kpis for r in results], ignore_index=True).sort_values(
                         ["collector_id", "kpi", "window"], kind="stable").reset_index(drop=True),
                     state=pd.concat([r.state for r in results], ignore_index=True).sort_values(
                         ["collector_id", "balance"], kind="stable").reset_index(drop=True),
                     skipped=pd.concat(skipped, ignore_index=True).sort_values(
                         ["collector_id", "payment_date", "payment_id"], kind="stable").reset_index(drop=True)
                     if skipped else results[0].skipped,
                     awards=pd.concat(awards, ignore_index=True).sort_values("collector_id", kind="stable")
                     .reset_index(drop=True) if awards else no_awards())


def _merged_lines(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Plans' lines as one frame. A column only some plans have (the base and fee of a plan paying on fees)
    is filled before the concat: 0 for money, '' for text, so money never passes through a float64 NaN."""
    columns = {c: f[c].dtype for f in frames for c in f.columns}
    filled = [f.assign(**{c: np.int64(0) if dtype == np.int64 else "" for c, dtype in columns.items() if c not in f})
              for f in frames]
    return pd.concat(filled, ignore_index=True)


def pay_plan(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame] = None,
            history: Optional[pd.DataFrame] = None, side: SideInputs = SideInputs()) -> RunResult:
    """Pay every component of `policy` whose cadence ends with `period`, from ledger rows in its window.

    `ledger` is a validated ledger frame (see `commission.inputs.Ledger`) of the collectors on
    this plan; `history` all rows given, split credit already applied (where reversals find their
    originals). Without `history`, `ledger` is all there is and its split credit is applied here.
    `roster`, when given, is indexed by collector_id and adds collectors with no payments
    (floors still pay them). Raises InputError for problems the user can fix (plan not in
    force, rows no bucket or rate rule covers, rows outside a collector's employment that the plan
    does not say to pay or skip). Rows skipped are left out of `ledger` and `history` alike.
    """
    _in_force([policy], policy.plan, period)
    rows_read = len(ledger)
    if "credit_share" in ledger and history is None:
        ledger = _credited(ledger, [policy])
    ledger, skipped, warnings = outside_employment(ledger, roster, [(None, policy)], _first_day([policy], period),
                                                   period.end, history=history)
    history = ledger if history is None else _without(history, skipped) if len(skipped) else history
    return with_skipped(_pay_plan(policy, ledger, period, roster, history, side), skipped, warnings, rows_read)


def _without(history: pd.DataFrame, skipped: pd.DataFrame) -> pd.DataFrame:
    """`history` without the rows skipped (a payment and collector name one row)."""
    keys = pd.MultiIndex.from_arrays([history["payment_id"].to_numpy(dtype=object),
                                      history["collector_id"].to_numpy(dtype=object)])
    gone = keys.isin(pd.MultiIndex.from_arrays([skipped["payment_id"].to_numpy(dtype=object),
                                                skipped["collector_id"].to_numpy(dtype=object)]))
    return history.loc[~gone].reset_index(drop=True)


def _pay_plan(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame],
              history: pd.DataFrame, side: SideInputs, versions: tuple = (), coverage: bool = True) -> RunResult:
    """pay_plan once split credit is applied and the rows outside employment are dealt with; `versions`
    the plans given to the run (an earlier period is recomputed under the version then in force)."""
    ctx = _context(policy, ledger, period, roster, history, side,
                   versions=tuple(p for p in versions if p.plan == policy.plan))
    paid = tuple(c for c in policy.components if period.pays(c.pays))
    job = Booking(ctx, ItemBook(ctx.collectors, policy.minor_units), Balances(ctx), paid)
    recompute = policy.earlier_periods == EARLIER_RECOMPUTE
    measuring = measuring_view(ctx) if recompute else ctx
    line_frames, warnings, awards = book_rules(job, paid, measuring)
    job.problems.raise_if_any()  # rows no rate rule covers: before any adjustment acts on the totals
    more_lines, more_warnings, _ = book_rules(job, policy.adjustments, measuring)
    line_frames, warnings = [*line_frames, *more_lines], [*warnings, *more_warnings]
    if recompute:  # what earlier runs pay less for the payments reversed now: after this run's adjustments
        warnings.extend(book_recomputed(job))
    if not any(c.kind == "line_rate" for c in paid):
        line_frames.append(recovery_lines(ctx))
    warnings.extend(book_leavers(ctx, job.book, job.balances))
    book_carried_and_draw(ctx, job.book, job.balances)

    items = job.book.frame()
    in_period = ctx.rows_in(period)
    counts = {"rows_read": int(len(ledger)), "rows_in_period": int(in_period.sum()),
              "rows_used": int(len(ctx.frame)), "rows_excluded": int(len(ledger) - len(ctx.frame)),
              "rows_skipped": 0, "collectors": ctx.n}
    return RunResult(period=period, policies=(policy,), payouts=_payouts(ctx, items),
                     items=items, lines=pd.concat(line_frames, ignore_index=True) if line_frames else _no_lines(),
                     counts=counts,
                     warnings=(*(coverage_warnings(_first_date(ledger), paid, period) if coverage else ()), *warnings),
                     state=job.balances.frame(), kpis=kpi_frame(ctx), events=events_named(ctx.side.events, items),
                     awards=pd.concat(awards, ignore_index=True).sort_values("collector_id", kind="stable")
                     .reset_index(drop=True) if awards else no_awards())


def _context(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame],
             history: pd.DataFrame, side: SideInputs, versions: tuple) -> RunContext:
    """Keep the rows the run needs, classify them, and number the collectors it pays."""
    windows = [period.enclosing(c.pays) for c in policy.components if period.pays(c.pays)]
    earliest = min([w.start for w in windows] + [period.start])
    dates = ledger["payment_date"].to_numpy()
    in_run = (dates >= np.datetime64(earliest)) & (dates <= np.datetime64(period.end))
    frame = ledger if in_run.all() and isinstance(ledger.index, pd.RangeIndex) and ledger.index.start == 0 \
        else ledger.loc[in_run].reset_index(drop=True)  # positions index every per-row array
    problems = ProblemCollector()
    is_reversal = (frame["reverses"] != "").to_numpy() if "reverses" in frame else np.zeros(len(frame), bool)
    classes = classify_frame(frame, policy.classifiers, problems, skip=is_reversal)  # reversals: original's terms
    problems.raise_if_any()
    categories = frame["collector_id"].cat.categories
    codes = frame["collector_id"].cat.codes.to_numpy()
    present = categories[np.bincount(codes, minlength=len(categories)) > 0]
    collectors = sorted(set(present) | (set(roster.index) if roster is not None else set()))
    position = np.searchsorted(np.asarray(collectors, dtype=object), np.asarray(categories, dtype=object))
    collector_of_row = position.astype(np.int64)[codes]
    return RunContext(policy=policy, period=period, frame=frame, collectors=collectors,
                      collector_of_row=collector_of_row, classes=classes, history=history, is_reversal=is_reversal,
                      roster=roster, side=side, versions=versions)


def _first_date(ledger: pd.DataFrame):
    return ledger["payment_date"].min().date() if len(ledger) else None


def coverage_warnings(first, paid, period: Period):
    """A quarterly or yearly component run on a ledger that starts after its window began (on `first`, a
    date; None: no rows) is underpaid."""
    if first is None:
        return
    for component in paid:
        window = period.enclosing(component.pays)
        if first > window.months()[0].end:
            yield (f"component {component.id} pays {component.pays} over {window} ({window.start} to {window.end}) "
                   f"but the ledger starts on {first}: give the ledgers of the whole {window}")


def _no_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("payment_id", "collector_id", "component", "rule")}
                        | {c: pd.Series([], dtype=np.int64) for c in ("base", "commission", "amount")})


def _payouts(ctx: RunContext, items: pd.DataFrame) -> pd.DataFrame:
    """One row per collector: who, plan, recovered in the period, component sums, per pay code, net."""
    policy, collectors = ctx.policy, ctx.collectors
    payouts = pd.DataFrame({"collector_id": pd.Series(collectors, dtype="str")})
    if ctx.roster is not None:
        for name in ROSTER_FIELDS:
            payouts[name] = ctx.roster[name].reindex(collectors).fillna("").to_numpy()
    payouts["period"] = str(ctx.period)
    payouts["plan"] = policy.plan
    payouts["version"] = policy.version
    payouts["currency"] = policy.currency
    payouts["recovered"] = ctx.recovered(ctx.period)
    who = pd.Index(collectors).get_indexer(items["collector_id"])
    amounts = items["amount"].to_numpy()

    def total(mask: np.ndarray, column: str) -> np.ndarray:
        return sum_by(amounts[mask], who[mask], len(collectors), what=column, minor_units=policy.minor_units,
                      names=collectors)

    for column, kinds in PAYOUT_KINDS.items():
        payouts[column] = total(items["kind"].isin(kinds).to_numpy(), column)
    payouts["net_payout"] = total(np.ones(len(items), dtype=bool), "net_payout")
    for code in policy.pay_codes:
        payouts[f"pay_{code}"] = total((items["pay_code"] == code).to_numpy(), f"pay_{code}")
    return payouts
