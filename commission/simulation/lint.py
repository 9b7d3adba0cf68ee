"""Plan health check: warnings a compensation designer would raise about a plan's incentives.

Each warning has a stable code, says where in the plan it comes from (file:line), and explains itself:
what the plan does, why it invites a bad behaviour, and what would fix it.

- whole-tier-cliff: a whole-tier (全额累进) schedule, or a fixed-amount tier, where a minor unit more
  recovery jumps pay (or drops it). Needs the plan only.
- no-conduct-effect: pay that no complaint, violation or QA score can change, for the whole plan or a
  component. Needs the plan only.
- rates-fall-with-age: a later overdue bucket paying a lower rate than an earlier one (rewarding the
  easy money). Needs the plan only.
- variable-pay-share: variable pay that is a very large share of total pay. Needs a base salary, and a
  ledger (or the plan's cap).
- cap-binds: a cap that cuts the pay of most collector-months. Needs a ledger.
- rounding-per-line: line-rate commission rounded down (or up) on every line, which moves pay the same
  way on every repayment. Needs the plan only.
- award-never-decided: a raise or benefit in kind whose window never ends while the plan version is in
  force (a yearly raise in a version that ends in June). Needs the plan only.
- pays-above-fee: in a plan with the agency's fee rates (`fees:`), a line rate on the repayment above
  the fee rate on the same repayments: the agency pays out more than it earns. Needs the plan only.
- conduct-shadowed: a compliance rule for an event's source (complaint@regulator) that takes the place
  of the plan's rule for the event's severity (complaint/major). Needs the plan only.
- recompute-holdback: under reversals: {earlier_periods: recompute}, a holdback that can forfeit what it
  withheld, which recomputing an earlier period counts as paid. Needs the plan only.

A warning is silenced, for the whole plan, by a comment in the plan file that gives a reason::

    # lint: ignore=whole-tier-cliff reason: the step is the agreed retention bonus (HR 2026-03)

Several codes may be listed, comma-separated. A comment without a reason silences nothing and is
reported itself. Silenced warnings still appear in reports, with their reason. (A plan key
`lint: {ignore: {code: reason}}` is read too, once the plan language accepts it: `Policy.lint_ignore`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Optional

import numpy as np

from ..engine.rules import rule_kind
from ..money import DOWN, UP, format_minor, format_rate
from ..policy import CapFloor, Holdback, Policy
from ..policy.model import AT_COMPONENT, AT_LINE, EARLIER_RECOMPUTE

CODES = {
    "whole-tier-cliff": "a minor unit more recovery jumps pay",
    "no-conduct-effect": "pay that conduct and quality cannot change",
    "rates-fall-with-age": "later overdue buckets paying less",
    "variable-pay-share": "variable pay a very large share of total pay",
    "cap-binds": "a cap binding for most collectors",
    "rounding-per-line": "every line rounded down, or up",
    "award-never-decided": "a raise or benefit no run under the plan version decides",
    "pays-above-fee": "a rate on repayments above the agency's fee rate on them",
    "conduct-shadowed": "a rule for a source taking the place of the rule for a severity",
    "recompute-holdback": "a holdback that forfeits what recompute counts as paid",
}
#: Problems with the silencing comments themselves (cannot be silenced).
BAD_IGNORE = "lint-ignore"
#: Default limits.
MAX_VARIABLE_SHARE = Fraction(1, 2)
CAP_BINDS_SHARE = Fraction(1, 2)

_IGNORE = re.compile(r"#\s*lint:\s*ignore\s*=\s*(?P<codes>[A-Za-z0-9_,\s-]+?)\s*(?:reason:\s*(?P<reason>.*?))?\s*$")


@dataclass(frozen=True)
class LintWarning:
    """One lint finding. `silenced` holds the reason a plan gives for accepting it ('' when active)."""

    code: str
    plan: str
    where: str
    message: str
    silenced: str = ""

    def __str__(self) -> str:
        if self.silenced:
            return f"{self.where}: silenced {self.code} ({self.silenced}): {self.message}"
        return f"{self.where}: warning {self.code}: {self.message}"



@dataclass(frozen=True)
class Evidence:
    """What a simulation on a ledger shows about one plan (for the checks that need data).

    collector_months: how many collector-months recovered something; cap_cuts: cap id -> how many of
    them the cap cut; variable_median / variable_p90: variable pay per collector-month (minor units)
    among those collector-months.
    """

    collector_months: int
    cap_cuts: dict
    variable_median: int
    variable_p90: int


def silences(text: str, policy: Optional[Policy] = None) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """({code: reason}, [(line, problem)]) from `# lint: ignore=...` comments (and a `lint_ignore` plan key)."""
    reasons: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(line)
        if not match:
            continue
        codes = [c.strip() for c in match.group("codes").split(",") if c.strip()]
        reason = (match.group("reason") or "").strip()
        unknown = [c for c in codes if c not in CODES]
        if unknown:
            problems.append((number, f"{', '.join(unknown)}: not a lint code (codes: {', '.join(CODES)})"))
        if not reason:
            problems.append((number, "a lint ignore needs a reason: # lint: ignore=CODE reason: why the plan "
                                     "accepts it"))
            continue
        for code in codes:
            if code in CODES:
                reasons[code] = reason
    for code, reason in getattr(policy, "lint_ignore", ()) or ():
        reasons.setdefault(code, reason)
    return reasons, problems


def lint_policy(policy: Policy, text: str = "", evidence: Optional[Evidence] = None,
                base_salary: Optional[int] = None, max_variable_share: Fraction = MAX_VARIABLE_SHARE,
                cap_binds_share: Fraction = CAP_BINDS_SHARE) -> list[LintWarning]:
    """Every warning for `policy`, silenced ones marked with their reason.

    `text` is the plan file's text (for silencing comments); `evidence` a simulation's findings on a
    ledger; `base_salary` the fixed monthly pay assumed beside the plan (minor units).
    """
    found = [*rule_findings(policy), *no_conduct_effect(policy), *recompute_holdback(policy),
             *variable_pay_share(policy, evidence, base_salary, max_variable_share),
             *caps_that_bind(policy, evidence, cap_binds_share), *rounding_per_line(policy)]
    reasons, problems = silences(text, policy)
    result = [replace(w, silenced=reasons.get(w.code, "")) for w in found]
    result += [LintWarning(BAD_IGNORE, policy.plan, f"{policy.source}:{line}", message)
               for line, message in problems]
    return result


def _where(policy: Policy, line: int) -> str:
    return f"{policy.source}:{line or 1}"


def _money(policy: Policy, amount: int) -> str:
    return format_minor(int(amount), policy.minor_units)


def rule_findings(policy: Policy) -> list[LintWarning]:
    """What each rule kind finds wrong with its own rules (whole-tier cliffs, rates falling with age...)."""
    return [LintWarning(code, policy.plan, _where(policy, line), message)
            for rule in (*policy.components, *policy.adjustments)
            for code, line, message in rule_kind(rule.kind).lint(rule, policy)]


def no_conduct_effect(policy: Policy) -> list[LintWarning]:
    """Pay that no complaint, violation or QA score can change: the components no rule makes depend on
    conduct (each kind says which components it makes so)."""
    covered = set().union(*(rule_kind(rule.kind).conduct(rule) for rule in (*policy.components, *policy.adjustments)))
    uncovered = [c for c in policy.components if c.id not in covered]
    if not uncovered:
        return []
    if not covered:
        return [LintWarning("no-conduct-effect", policy.plan, _where(policy, 1),
                            "nothing in the plan changes pay for complaints (投诉), compliance violations (违规) or "
                            "call quality (质检): a collector who recovers by abusive collection is paid exactly "
                            "like one who does not. Add a compliance adjustment (deduct per substantiated complaint, "
                            "forfeit on a serious violation) or a QA multiplier; regulators expect that abusive "
                            "collection never pays.")]
    return [LintWarning("no-conduct-effect", policy.plan, _where(policy, c.line), _unconditional(c, covered))
            for c in uncovered]


def _unconditional(component, covered: set) -> str:
    """What is wrong with a component no conduct rule touches, and how to fix it: a money component joins a
    compliance rule; a raise or benefit in kind (no adjustment acts on it) gets a condition of its own."""
    others = f"(others do: {', '.join(sorted(covered))})"
    if rule_kind(component.kind).awards:
        return (f"{component.kind} {component.id} is decided whatever the collector's conduct {others}: a collector "
                "with a serious violation is recommended the same raise or granted the same benefit. Add only_if: "
                "no_serious_violation to it, or say why it is exempt.")
    return (f"component {component.id} pays whatever the collector's conduct: no compliance adjustment, QA "
            f"multiplier or holdback condition applies to it {others}. Add it to a compliance rule's applies_to, "
            "or say why it is exempt.")


def recompute_holdback(policy: Policy) -> list[LintWarning]:
    """A holdback that can forfeit, under reversals: {earlier_periods: recompute}: an earlier period is
    recomputed as if what the holdback withheld were paid (it is released later), so a forfeit of it and
    the recomputed difference take the same pay twice."""
    if policy.earlier_periods != EARLIER_RECOMPUTE:
        return []
    return [LintWarning("recompute-holdback", policy.plan, _where(policy, a.line),
                        f"holdback {a.id} withholds part of {', '.join(a.applies_to)} and forfeits it unless "
                        f"{' and '.join(a.conditions)}. Under reversals: {{earlier_periods: recompute}}, a payment "
                        "that bounces later has what it made an earlier period pay taken back in full, the part "
                        "withheld counted as paid (it is released later): when the holdback is forfeited instead, "
                        "the collector loses that part twice. Use earlier_periods: keep with a holdback that "
                        "forfeits, or say why it is accepted.")
            for a in policy.adjustments if isinstance(a, Holdback) and a.conditions]


def variable_pay_share(policy: Policy, evidence: Optional[Evidence], base_salary: Optional[int],
                       limit: Fraction) -> list[LintWarning]:
    """Variable pay above `limit` of total pay (base salary + variable) for the median collector-month, or,
    without a ledger, at the plan's monthly cap."""
    if base_salary is None:
        return []
    if evidence is not None and evidence.collector_months:
        variable, basis = evidence.variable_median, "the median collector-month on the ledger given"
        p90 = f"; at the 90th percentile {_share_text(evidence.variable_p90, base_salary)}"
    else:
        caps = [a for a in policy.adjustments if isinstance(a, CapFloor) and a.cap is not None
                and set(a.applies_to) == {c.id for c in policy.components}]
        if not caps:
            return []
        variable, basis, p90 = min(a.cap for a in caps), "the plan's cap (give a ledger to check real pay)", ""
    total = base_salary + variable
    if total <= 0 or Fraction(variable, total) <= limit:
        return []
    return [LintWarning("variable-pay-share", policy.plan, _where(policy, 1),
                        f"variable pay is {_share_text(variable, base_salary)} of total pay for {basis} "
                        f"(variable {_money(policy, variable)} a month beside a base salary of "
                        f"{_money(policy, base_salary)}){p90}; above {format_rate(limit)}. When most pay depends "
                        "on what is collected, the pressure to collect at any cost is strongest: regulators "
                        "expect the strictest controls (caps, deferral, clawback) there. Raise the fixed share, "
                        "or cap and defer the variable part.")]


def _share_text(variable: int, base: int) -> str:
    return _percent(variable, variable + base)


def _percent(part: int, whole: int) -> str:
    """part / whole as a percentage with one decimal, half-up (display only)."""
    if whole <= 0:
        return "0%"
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def caps_that_bind(policy: Policy, evidence: Optional[Evidence], limit: Fraction) -> list[LintWarning]:
    if evidence is None or not evidence.collector_months:
        return []
    warnings = []
    for adjustment in policy.adjustments:
        if not isinstance(adjustment, CapFloor) or adjustment.cap is None:
            continue
        cut = int(evidence.cap_cuts.get(adjustment.id, 0))
        if Fraction(cut, evidence.collector_months) <= limit:
            continue
        warnings.append(LintWarning(
            "cap-binds", policy.plan, _where(policy, adjustment.line),
            f"cap {adjustment.id} ({_money(policy, adjustment.cap)}) cut the pay of {cut} of "
            f"{evidence.collector_months} collector-months on the ledger given "
            f"({_percent(cut, evidence.collector_months)}). Past the cap, more recovery earns nothing, so "
            "most collectors stop being paid for effort partway through the period (and gain by pushing "
            "payments into the next). Raise the cap, or replace it with a decelerator (a lower rate above a level)."))
    return warnings


#: Repayments a month of a busy collector, for the size of the drift in words.
BUSY_MONTH_LINES = 2000


def rounding_per_line(policy: Policy) -> list[LintWarning]:
    """Rounding `down` or `up` at every line of a line-rate component: unlike the half modes, whose
    errors cancel out over many lines, each line moves the same way (up to one minor unit, half of one
    on average), so the drift grows with the number of repayments. Rounding once at the component
    total moves a collector's pay by less than one minor unit."""
    rounding = policy.rounding
    if rounding.at != AT_LINE or rounding.mode not in (DOWN, UP) or \
            not any(c.kind == "line_rate" for c in policy.components):
        return []
    less = rounding.mode == DOWN
    unit, drift = _money(policy, 1), _money(policy, BUSY_MONTH_LINES // 2)
    return [LintWarning("rounding-per-line", policy.plan, _where(policy, rounding.line),
                        f"rounding {{mode: {rounding.mode}, at: {AT_LINE}}} rounds every repayment's commission "
                        f"{'down' if less else 'up'}: each line pays up to {unit} {'less' if less else 'more'} "
                        f"than its rate says ({'dropping' if less else 'adding'} half of that on average), always "
                        f"the same way, so a collector with {BUSY_MONTH_LINES:,} repayments a month is paid about "
                        f"{drift} {'less' if less else 'more'} than the rates. If the rule book rounds the total, "
                        f"write rounding: {{mode: {rounding.mode}, at: {AT_COMPONENT}}} (the total then moves by "
                        f"less than {unit}); if it means every line, say so in a lint ignore with the reason.")]


def evidence_from(run) -> Evidence:
    """Evidence from a simulated PlanRun: collector-months that recovered something, cap cuts among them,
    and the median and 90th-percentile net payout (the variable pay) of those collector-months."""
    from .compare import nearest_rank

    payouts = run.payouts
    active = payouts.loc[payouts["recovered"] > 0]
    keys = set(zip(active["month"], active["collector_id"]))
    cuts: dict[str, int] = {}
    for rule, part in run.caps.groupby("rule"):
        cuts[rule] = len(set(zip(part["month"], part["collector_id"])) & keys)
    pay = np.sort(active["net_payout"].to_numpy(dtype=np.int64))
    return Evidence(collector_months=len(active), cap_cuts=cuts,
                    variable_median=nearest_rank(pay, 50) if len(pay) else 0,
                    variable_p90=nearest_rank(pay, 90) if len(pay) else 0)
