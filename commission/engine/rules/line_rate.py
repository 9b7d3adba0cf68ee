"""line_rate: a rate on every credited payment in the component's window, reversals clawed back at
their original's terms; one item per collector, and the payment-level lineage."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from itertools import product

from ...errors import ProblemCollector
from ...inputs.columns import share_text
from ...money import format_rate, round_at_total
from ...policy import LineRate
from ...periods import Period
from ...policy.model import AT_COMPONENT, EARLIER_RECOMPUTE, UNMATCHED_OWN_ATTRIBUTES
from ..classify import classify_frame, labels
from ..context import RunContext
from ..line_bases import has_other_bases, line_base
from ..line_rates import LIMIT_LABELS, NO_LIMIT, LineAmounts, compute_lines, key_columns
from ..reversals import clawbacks, find_originals, report_chained, report_orphans, report_unmatched
from .registry import Booking, RuleKind, RuleOutput, register


#: Warnings that start with a count of rows ("3 negative row(s) ..."): a partitioned run adds up its
#: partitions' counts (engine.partitions).
ORPHANS_CLAWED = ("negative row(s) name no payment they reverse; clawed back at their own bucket, band and rate "
                  "(reversals: unmatched: own_attributes)")
UNMATCHED_CLAWED = ("reversal(s) name a payment not in the ledgers given; clawed back at their own bucket, band and "
                    "rate (reversals: unmatched: own_attributes)")
COUNTED_WARNINGS = (ORPHANS_CLAWED, UNMATCHED_CLAWED)


def book(job: Booking, component: LineRate) -> RuleOutput:
    """Lines for the component's window (payments at their own terms, reversals at their original's)."""
    ctx, problems = job.ctx, job.problems
    window = ctx.window(component.pays)
    parts, rates, warnings, paid_on = window_lines(ctx, component, window, problems)
    if problems or not parts:
        return RuleOutput(warnings=tuple(warnings))
    lines = pd.concat(parts).sort_index(kind="stable") if len(parts) > 1 else parts[0]
    if ctx.policy.rounding.at == AT_COMPONENT:
        _round_at_component(ctx, lines, parts, rates, f"{component.id} in {window}")
    at = lines.index.to_numpy()
    earlier = paid_on[at] < np.datetime64(window.start)  # under recompute: clawed back for an earlier window
    own = ctx.sum_by_collector(lines["amount"].to_numpy()[~earlier], f"{component.id} in {window}", at[~earlier])
    who = np.flatnonzero(ctx.has_rows(window))
    base = ctx.recovered(window) - ctx.sum_by_collector(lines["base"].to_numpy()[earlier], f"recovered in {window}",
                                                        at[earlier])
    job.book.add(who, component=component.id, kind="line_rate", rule=component.id, base=base[who],
                 rate="by line", amount=own[who], pay_code=component.pay_code, window=str(window))
    if earlier.any():
        _book_earlier(job, component, lines.loc[earlier], paid_on[at[earlier]])
    return RuleOutput(lines=lines.reset_index(drop=True), warnings=tuple(warnings))


def _book_earlier(job: Booking, component: LineRate, lines: pd.DataFrame, paid_on: np.ndarray) -> None:
    """Under reversals: {earlier_periods: recompute}, the claw-back of payments made before the window, one
    item per collector and window of the payments: it belongs to the run that paid them (engine.recompute
    books what else that run pays less), so it counts toward no total this run's adjustments act on."""
    ctx = job.ctx
    months = pd.PeriodIndex(paid_on, freq="M")
    windows = np.array([str(Period.of_month(m.year, m.month, component.pays)) for m in months.unique()],
                       dtype=object)[months.unique().get_indexer(months)]
    claws = pd.DataFrame({"who": ctx.collector_of_row[lines.index.to_numpy()], "window": windows,
                          "base": lines["base"].to_numpy(), "amount": lines["amount"].to_numpy()})
    claws = claws.groupby(["who", "window"], sort=True).sum().reset_index()  # int64 sums: exact
    job.book.add(claws["who"].to_numpy(), component=component.id, kind="line_rate", rule=component.id,
                 base=claws["base"].to_numpy(), rate="by line", amount=claws["amount"].to_numpy(),
                 pay_code=component.pay_code, window=claws["window"].to_numpy(dtype=object),
                 counts_toward=f"{component.id}:earlier")


def window_lines(ctx: RunContext, component: LineRate, window, problems: ProblemCollector
                 ) -> tuple[list[pd.DataFrame], list[LineAmounts], list[str], np.ndarray]:
    """The lines of `window` in parts (reversals at their original's terms, the rest at their own; each
    indexed by position in the run's frame), each part's LineAmounts, warnings, and (under reversals:
    {earlier_periods: recompute}) the day each reversed payment was paid, by position (NaT elsewhere).
    Also rates the plan's fee table (a LineRate) for the fees measure."""
    warnings: list[str] = []
    in_window = ctx.rows_in(window)
    reversal = in_window & ctx.is_reversal
    own_terms = in_window & ~ctx.is_reversal
    parts, rates = [], []  # the lines of each part, and each line's exact rate (numerators over one denominator)
    paid_on = np.full(len(ctx.frame), np.datetime64("NaT"), dtype="datetime64[ns]")  # a reversal's payment's day
    orphans = own_terms & (ctx.frame["amount"].to_numpy() < 0)  # negative, but says not what it reverses
    if orphans.any():
        if ctx.policy.unmatched_reversals == UNMATCHED_OWN_ATTRIBUTES:
            warnings.append(f"{int(orphans.sum())} {ORPHANS_CLAWED}")
        else:
            report_orphans(ctx.frame.loc[orphans], problems)
    if reversal.any():
        reversals = ctx.frame.loc[reversal]
        original = find_originals(ctx.history, reversals)
        chained = report_chained(ctx.history, reversals, original, problems)
        unmatched = original < 0
        if unmatched.any() and ctx.policy.unmatched_reversals == UNMATCHED_OWN_ATTRIBUTES:
            own_rows = np.flatnonzero(reversal)[unmatched]
            classify_frame(ctx.frame.iloc[own_rows], ctx.policy.classifiers, problems)  # own terms: need a bucket
            own_terms[own_rows] = True
            warnings.append(f"{int(unmatched.sum())} {UNMATCHED_CLAWED}")
        elif unmatched.any():
            report_unmatched(reversals, unmatched, problems)
        matched = ~unmatched & ~chained
        if ctx.policy.earlier_periods == EARLIER_RECOMPUTE:  # reversals of payments made before the window
            paid_on[np.flatnonzero(reversal)[matched]] = ctx.history["payment_date"].to_numpy()[original[matched]]
        if matched.any():
            clawed = _reversal_lines(ctx, component, reversals.loc[matched], original[matched], problems)
            if clawed is not None:
                parts.append(clawed[0])
                rates.append(clawed[1])
    if own_terms.any():
        rows = ctx.frame.loc[own_terms]
        classes = {name: codes[own_terms] for name, codes in ctx.classes.items()}
        computed = _rate(ctx, component, rows, classes, problems)
        if computed is not None:
            parts.append(_lines(ctx, component, rows, classes, computed, computed.computed, computed.amount,
                                computed.limit, _shown(computed, rows)))
            rates.append(computed)
    return parts, rates, warnings, paid_on


def _rate(ctx: RunContext, component: LineRate, rows: pd.DataFrame, classes: dict,
          problems: ProblemCollector) -> Optional[LineAmounts]:
    classifier_labels = {c.name: c.labels for c in ctx.policy.classifiers}
    keys = key_columns(rows, classes, classifier_labels, component.key_columns())
    if component.base == "amount":
        return compute_lines(component, rows, keys, ctx.policy.rounding.mode, problems)
    base = line_base(ctx.policy, component.base, rows, classes, problems)
    return None if base is None else compute_lines(component, rows, keys, ctx.policy.rounding.mode, problems, base)


def _shown(computed: LineAmounts, rows: pd.DataFrame) -> np.ndarray:
    """The base each line shows: the fee (rounded by the plan's rule), the column's value, or the repayment."""
    return rows["amount"].to_numpy() if computed.base is None else computed.base.shown


def _reversal_lines(ctx: RunContext, component: LineRate, reversals: pd.DataFrame, original: np.ndarray,
                    problems: ProblemCollector) -> Optional[tuple[pd.DataFrame, LineAmounts]]:
    """Rate each reversed payment as it was paid, then claw back its commission in proportion; the lines,
    and the terms of each reversal's original (row by row)."""
    originals = ctx.history.iloc[original]
    classes = classify_frame(originals, ctx.policy.classifiers, problems)
    computed = _rate(ctx, component, originals, classes, problems)
    if computed is None:
        return None
    claw = clawbacks(ctx.history, reversals, original, computed.amount, ctx.policy.rounding.mode,
                     ctx.policy.minor_units, problems)
    shown = _shown(computed, originals)
    if computed.base is not None:  # the part of the original's fee (or column) the reversal takes back
        shown = clawbacks(ctx.history, reversals, original, shown, ctx.policy.rounding.mode, ctx.policy.minor_units,
                          ProblemCollector())  # reversing more than was paid is reported above
    return _lines(ctx, component, reversals, classes, computed, claw, claw,
                  np.full(len(reversals), NO_LIMIT, dtype=np.int8), shown), computed


def _round_at_component(ctx: RunContext, lines: pd.DataFrame, parts: list, rates: list, what: str) -> None:
    """rounding.at: component: each collector's total is the exact sum of its lines' exact values (a
    payment's amount x its rate; a reversal's amount x its original's rate), rounded once by the plan's
    mode; the lines show that total shared out (`money.round_at_total`), so they still add up to it.

    `lines` (index: positions in the run's frame) is `parts` merged; `rates` the LineAmounts of each part.
    A tie between equal fractions goes to the smaller payment_id, whatever order the rows come in (a
    simulation orders them by date), so the same payments always get the same lines. Every part's rates share one denominator (the same rate table). Per-payment limits are
    refused with this setting when the plan is read, so `commission` and `amount` are the same here.
    """
    numerators = np.concatenate([r.numerators for r in rates])
    if len(parts) > 1:
        numerators = numerators[np.argsort(np.concatenate([p.index.to_numpy() for p in parts]), kind="stable")]
    positions = lines.index.to_numpy()
    _, by_payment_id = np.unique(ctx.frame["payment_id"].to_numpy(dtype=object)[positions], return_inverse=True)
    amounts, _ = round_at_total(lines["base"].to_numpy(), numerators, rates[0].denominator,
                                ctx.collector_of_row[positions], ctx.n, ctx.policy.rounding.mode,
                                what=what, minor_units=ctx.policy.minor_units, names=ctx.collectors,
                                ties=by_payment_id)
    lines["commission"] = amounts
    lines["amount"] = amounts


def _lines(ctx: RunContext, component: LineRate, rows: pd.DataFrame, classes: dict, computed: LineAmounts,
           commission: np.ndarray, amount: np.ndarray, limit: np.ndarray, shown: np.ndarray) -> pd.DataFrame:
    """Lineage rows: the payment (`rows`), the terms it was rated at (`classes`, `computed`), the result.
    In a plan with a line rate on anything but the repayment, every line also shows what its rate is paid
    on (base_kind: amount, fee or a column), the fee rate and that base (`shown`: the fee, rounded).

    The index is kept (positions in the run's frame) so reversal and payment lines merge in ledger order.
    """
    rate_texts = list(dict.fromkeys(r.rate_text for r in computed.rules))
    rate_of_rule = np.array([rate_texts.index(r.rate_text) for r in computed.rules], dtype=np.int16)
    lines = _payment_columns(ctx, rows, classes, component.key_columns())
    size = len(rows)
    lines["component"] = pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[component.id])
    lines["rule"] = pd.Categorical.from_codes(computed.rule_index, categories=[r.id for r in computed.rules])
    lines["base"] = rows["amount"].to_numpy()
    lines["rate"] = pd.Categorical.from_codes(rate_of_rule[computed.rule_index], categories=rate_texts)
    if has_other_bases(ctx.policy):
        kind = computed.base.kind if computed.base is not None else "amount"
        lines["base_kind"] = pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[kind])
        lines["fee_rate"] = computed.base.fee_rate if computed.base is not None else \
            pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[""])
        lines["base_amount"] = shown
    lines["commission"] = commission
    lines["limit"] = pd.Categorical.from_codes(limit, categories=LIMIT_LABELS)
    lines["amount"] = amount
    return lines


def _payment_columns(ctx: RunContext, rows: pd.DataFrame, classes: dict, key_columns=()) -> pd.DataFrame:
    """The lineage's payment side: which payment, whose, when, the masked account, its classes, and
    any key columns, credit share and reversal mark."""
    lines = pd.DataFrame({"payment_id": rows["payment_id"], "collector_id": rows["collector_id"],
                          "payment_date": rows["payment_date"], "account": rows["account"]}, copy=False)
    for classifier in ctx.policy.classifiers:
        lines[classifier.name] = labels(classes[classifier.name], classifier)
    for name in key_columns:
        if name not in lines:
            lines[name] = rows[name].to_numpy()
    if "credit_share" in rows:
        values, codes = np.unique(rows["credit_share"].to_numpy(), return_inverse=True)
        lines["credit_share"] = pd.Categorical.from_codes(codes.astype(np.int32),
                                                          categories=[share_text(v) for v in values])
    if "reverses" in rows:
        lines["reverses"] = rows["reverses"].to_numpy()
    return lines


def recovery_lines(ctx: RunContext) -> pd.DataFrame:
    """For a run that pays no line-rate component: every repayment credited in the period, with no
    rule, rate or amount, so the lineage (and a collector's statement) still lists what the tiers,
    bonuses and gates measured."""
    in_period = ctx.rows_in(ctx.period)
    rows = ctx.frame.loc[in_period]
    lines = _payment_columns(ctx, rows, {name: codes[in_period] for name, codes in ctx.classes.items()})
    blank = pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=[""])
    zero = np.zeros(len(rows), dtype=np.int64)
    lines = lines.assign(component=blank, rule=blank, base=rows["amount"].to_numpy(), rate=blank)
    if has_other_bases(ctx.policy):
        lines = lines.assign(base_kind=blank, fee_rate=blank, base_amount=zero)
    lines = lines.assign(commission=zero, limit=blank, amount=zero)
    return lines.reset_index(drop=True)


def words(component: LineRate, policy, say) -> list[tuple[str, str, str]]:
    """Each rate rule, the default and the per-payment limits, in words."""
    rows = []
    for rule in component.rules:
        conditions = ", ".join(f"{say.term('keys', k)} {'/'.join(say.term('values', x) for x in v)}"
                               for k, v in rule.conditions) or say("any")
        text = say("rate_rule", conditions=conditions, rate=rule.rate_text) if component.base == "amount" else \
            say("conditioned", conditions=conditions, what=_on_base(component, rule, say))
        rows.append((rule.id, component.id, text))
    if component.default:
        rule = component.default
        text = say("default", rate=rule.rate_text) if component.base == "amount" else \
            say("conditioned", conditions=say("no_rule"), what=_on_base(component, rule, say))
        rows.append((rule.id, component.id, text))
    limits = [say(key, amount=say.money(value)) for key, value in
              (("min", component.per_payment_min), ("max", component.per_payment_max)) if value is not None]
    if limits:
        rows.append((component.id, component.id, say("per_payment", limits=say("and").join(limits))))
    return rows


def _on_base(component: LineRate, rule, say) -> str:
    """A rate on the fee or on a ledger money column, in words."""
    if component.base == "fee":
        return say("on_fee", rate=rule.rate_text)
    return say("on_column", rate=rule.rate_text, column=component.base)


def lint(component: LineRate, policy) -> list[tuple[str, int, str]]:
    """rates-fall-with-age, and pays-above-fee."""
    return [*_rates_fall_with_age(component, policy), *_pays_above_fee(component, policy)]


def _domains(keys, policy, tables) -> list[tuple[str, ...]]:
    """The values each key can take: a classifier's labels, or the values the `tables` name and any other."""
    domains = []
    for key in keys:
        classifier = policy.classifier(key)
        if classifier is not None:
            domains.append(tuple(classifier.labels))
        else:
            named = dict.fromkeys(v for t in tables for r in t.rules for c, vs in r.conditions if c == key for v in vs)
            domains.append((*named, "(any other)"))
    return domains


def _pays_above_fee(component: LineRate, policy) -> list[tuple[str, int, str]]:
    """pays-above-fee: a rate on repayments above the agency's fee rate on the same repayments (the
    plan's `fees:` rates), so the agency pays out more than it earns on them."""
    fees = policy.fees.table if policy.fees is not None else None
    if fees is None or component.base != "amount":
        return []
    keys = list(dict.fromkeys([*component.key_columns(), *fees.key_columns()]))
    above = []
    for combination in product(*_domains(keys, policy, (component, fees))):
        values = dict(zip(keys, combination))
        paid, fee = _first_rule(component, values), _first_rule(fees, values)
        if paid is not None and fee is not None and paid.rate > fee.rate:
            where = ", ".join(f"{k} {v}" for k, v in values.items())
            above.append((paid.line, f"{format_rate(paid.rate)} of the repayment where the fee is "
                          f"{format_rate(fee.rate)}" + (f" ({where})" if where else "")))
    return _finding("pays-above-fee", component, above, "The agency pays out more than it earns on these "
                    "repayments. Pay a share of the fee instead (base: fee, a rate up to 100% of it), or lower the "
                    "rate.")


def _rates_fall_with_age(component: LineRate, policy) -> list[tuple[str, int, str]]:
    """rates-fall-with-age: with other keys alike, a later overdue bucket paying a lower rate than an
    earlier one (steering effort to the easy, early money)."""
    ages = next((c for c in policy.classifiers if c.field == "days_past_due"), None)
    if ages is None or ages.name not in component.key_columns():
        return []
    others = [k for k in component.key_columns() if k != ages.name]
    domains = _domains(others, policy, (component,))
    falls = []
    for combination in product(*domains):
        values = dict(zip(others, combination))
        rates = [(label, _first_rule(component, {**values, ages.name: label})) for label in ages.labels]
        for (early, a), (late, b) in zip(rates, rates[1:]):
            if a is not None and b is not None and b.rate < a.rate:
                where = ", ".join(f"{k} {v}" for k, v in values.items())
                falls.append((b.line, f"{late} pays {format_rate(b.rate)} but {early} pays {format_rate(a.rate)}"
                              + (f" ({where})" if where else "")))
    return _finding("rates-fall-with-age", component, falls, "Later buckets are harder to collect; paying less "
                    "for them steers effort to the easy, early-stage money that would often have come in anyway. "
                    "Pay later buckets at least as much.")


def _finding(code: str, component: LineRate, found: list[tuple[int, str]], advice: str) -> list:
    """One lint finding for the (plan line, case) pairs `found`: at the first line, the first four cases."""
    if not found:
        return []
    shown = list(dict.fromkeys(text for _, text in found))
    return [(code, min(line for line, _ in found), f"component {component.id}: {'; '.join(shown[:4])}"
             + (f"; and {len(shown) - 4} more" if len(shown) > 4 else "") + f". {advice}")]


def _first_rule(component: LineRate, values: dict):
    for rule in component.rules:
        if all(values.get(column, "(any other)") in accepted for column, accepted in rule.conditions):
            return rule
    return component.default


register(RuleKind("line_rate", book, words=words, lint=lint))
