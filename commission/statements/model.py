"""A collector's statement as plain data, free of any file format: the Excel renderer (`statement`) and
the web app draw the same facts, so a workbook and a page can never disagree.

The first screen answers what a collector asks first (net pay, pay date, period, status, statement
number, employee id, team); `made` says in sentences how the pay was made (rule ids never appear:
each component and rule is named by the plan's label or its kind's default from the catalogue);
`lost` lists what was held back, forfeited or clawed back, with the amount not paid and the event
behind it; `progress` measures the next tier and the target with the one ratio rule (i18n.percent).
Every amount stays integer minor units; words come from the catalogue (commission/i18n).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from types import SimpleNamespace
from typing import Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engine.rules.tiers import attainment_bound
from ..i18n import day, money, percent, t, word
from ..periods import Period
from ..policy import Tiers
from ..policy.model import EARLIER_RECOMPUTE, KPIS
from ..policy.measures import COUNT, MONEY, SHARE, unit
from ..outputs.report_reader import RunReport
from .evidence import evidence_words
from .plan_words import Words, describe_plan

RECOMPUTED = ":recomputed"  # the rule of an earlier window's item recomputed (reversals: {earlier_periods: recompute})
#: Pay-code columns of payouts.csv start with this.
PAY_PREFIX = "pay_"
#: At most this many reversed payments are listed one by one under what was lost; the rest in one line.
REVERSALS_LISTED = 10
#: KPIs that are ratios (shown as percentages), and the one that is money.
RATIO_KPIS = ("attainment", "recovery_rate")


@dataclass(frozen=True)
class StoreFacts:
    """What only the batch store knows, for statements made from a stored batch."""

    ytd: dict  # {collector: {pay code: amount}}, the year to date (approved batches only)
    adjustment_batch: Optional[int] = None  # the batch is an adjustment: it pays differences
    corrections: dict = field(default_factory=dict)  # {collector: (paid before it, paid by it)}
    batch: Optional[int] = None
    status: str = ""  # draft, approved, locked, paid
    pay_date: str = ""
    single_operator: Optional[tuple] = None  # (who, date) set the store up for one person: no second approver
    history: dict = field(default_factory=dict)  # {collector: [(period, {pay code: amount})]}, approved batches


@dataclass(frozen=True)
class Header:
    """The first screen: what, when, for whom."""

    statement_id: str
    collector: str
    name: str
    employee_id: str
    team: str
    period: str
    pay_date: str  # in words, or the catalogue's "not set yet"
    status: str  # in words
    status_key: str  # preview, draft, approved, locked, paid
    batch: Optional[int]
    plan: str
    currency: str
    net_pay: int  # what this statement pays: for a correction, the difference it pays
    controls_note: str = ""


@dataclass(frozen=True)
class Made:
    """One sentence of how the pay was made, and the amount it adds (negative: takes away)."""

    text: str
    amount: int
    pay_code: str


@dataclass(frozen=True)
class Lost:
    """Something not paid now: held back (paid later), forfeited, reduced or clawed back."""

    what: str
    kind: str  # held, forfeited, reduced, clawed_back (words: kind_text)
    kind_text: str
    amount: int  # positive: the amount not paid now
    date: str = ""
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class PayCode:
    code: str
    name: str
    amount: int
    ytd: Optional[int] = None


@dataclass(frozen=True)
class Correction:
    """A period paid again: previously paid X, now due Y, this correction pays Y - X."""

    batch: int
    previously_paid: int
    now_due: int
    pays: int
    sentence: str


@dataclass(frozen=True)
class Bucket:
    """A bucket's repayments, the reversals of payments in it (counted apart, as the sentences count
    them), and what it recovered net of them."""

    name: str
    payments: int
    recovered: int
    reversed: int = 0


@dataclass(frozen=True)
class Award:
    what: str
    evidence: str
    given: str


@dataclass(frozen=True)
class Statement:
    """Everything one collector's statement shows, in its language."""

    lang: str
    minor_units: int
    header: Header
    made: tuple[Made, ...]
    lost: tuple[Lost, ...]
    progress: tuple[str, ...]
    pay_codes: tuple[PayCode, ...]
    buckets: tuple[Bucket, ...]
    recovered: int
    payments: int  # repayments, reversals not counted
    reversed: int  # reversals of payments
    balances: tuple[tuple[str, int], ...]
    awards: tuple[Award, ...]
    history: tuple[tuple[str, dict], ...]  # (period, {pay code name: amount}), oldest first
    plan_words: tuple[tuple[str, str], ...]  # (what, the rule in words)
    correction: Optional[Correction] = None


def build_statement(report: RunReport, collector: str, lang: str, store: Optional[StoreFacts] = None) -> Statement:
    """One collector's statement from a run's reports and, for a stored batch, the store's facts."""
    payout = report.records_of("payouts", collector)[0]
    policy = report.plan_of(collector)
    lines = report.line_table(collector)
    names = Names(policy, lang, report.minor_units)
    measured = {(kpi["kpi"], kpi["window"]): (int(kpi["numerator"]), int(kpi["denominator"]))
                for kpi in report.records_of("kpis", collector)}
    made, lost = _made(report, collector, names, measured, lines)
    payments = _payments(lines)
    buckets = tuple(_recovered_by_bucket(payments, policy))
    correction = _correction(store, collector, str(report.period), names) if store and store.adjustment_batch \
        else None
    header = _header(report, payout, policy, store, lang, correction)
    ytd = store.ytd.get(collector, {}) if store is not None else None
    pay_codes = tuple(PayCode(code, names.pay_code(code), int(payout[PAY_PREFIX + code]),
                              None if ytd is None else int(ytd.get(code, 0)))
                      for code in (c.removeprefix(PAY_PREFIX) for c in report.payouts.columns
                                   if c.startswith(PAY_PREFIX)))
    history = tuple((period, {names.pay_code(code): amount for code, amount in codes.items()})
                    for period, codes in (store.history.get(collector, []) if store else []))
    return Statement(
        lang=lang, minor_units=report.minor_units, header=header, made=tuple(made), lost=tuple(lost),
        progress=tuple(_progress(report, policy, collector, names, measured)), pay_codes=pay_codes,
        buckets=buckets, recovered=int(payout["recovered"]), payments=sum(b.payments for b in buckets),
        reversed=sum(b.reversed for b in buckets),
        balances=tuple((names.balance(row["balance"]), int(row["amount"]))
                       for row in report.records_of("state", collector)),
        awards=tuple(_awards(report, collector, names)), history=history,
        plan_words=_plan_words(policy, lang, report.minor_units),
        correction=correction)


@lru_cache(maxsize=32)
def _plan_words(policy, lang: str, minor_units: int) -> tuple[tuple[str, str], ...]:
    """The plan in words, each rule by its label: the same for every statement of a plan in a language, so
    made once (a policy is immutable, and hashable)."""
    names = Names(policy, lang, minor_units)
    return tuple((names.rule(rule) if rule != what else names.component(rule), text)
                 for rule, what, text in describe_plan(policy, lang))


class Names:
    """How a statement names things in its language: a plan's components and rules by their label
    (the plan's own, else its kind's default), and the words for KPIs, events, pay codes, bands."""

    def __init__(self, policy, lang: str, minor_units: int):
        self.policy, self.lang, self.minor_units = policy, lang, minor_units
        self.kinds = {rule.id: rule.kind for rule in (*policy.components, *policy.adjustments)}
        self.owners = {inner.id: component.id for component in policy.components  # a tier or rate row -> its component
                       for inner in (*getattr(component, "tiers", ()), *getattr(component, "rules", ()))}
        self.labels = getattr(policy, "labels", {}) or {}

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def word(self, prefix: str, name: str) -> str:
        """The catalogue's word for `name` under `prefix` (event.complaint), or `name` itself."""
        return word(prefix, name, self.lang)

    def component(self, component_id: str) -> str:
        own = self.labels.get(component_id, {}).get(self.lang)
        return own or self.word("label", self.kinds.get(component_id, component_id))

    def rule(self, rule_id: str) -> str:
        """A rule inside a component (a tier, a rate row): its own label, else its component's."""
        own = self.labels.get(rule_id, {}).get(self.lang)
        return own or self.component(self.owners.get(rule_id) or rule_id.split("#")[0].split(":")[0])

    def pay_code(self, code: str) -> str:
        return self.word("pay_code", code)

    def money(self, minor: int) -> str:
        return money(minor, self.minor_units, self.lang)

    def event(self, kind: str, severity: str = "") -> str:
        event = self.word("event", kind)
        return self.t("event.with_severity", severity=self.word("severity", severity), event=event) if severity \
            else event

    def balance(self, balance: str) -> str:
        kind, _, holdback = balance.partition(":")  # holdback:<id>
        if kind == "holdback":
            release = next((h.release for h in self.policy.adjustments if h.id == holdback), "quarterly")
            return self.t("statement.balance.holdback", release=self.word("period_name", release))
        return self.word("statement.balance", kind)

    def kpi(self, kpi: str) -> str:
        """A KPI or measure in words: the catalogue's, else the plan language's (fees, a sum of a column...)."""
        return self.word("kpi", kpi) if kpi in KPIS else Words(self.lang, self.minor_units).measure(kpi)

    def kpi_value(self, kpi: str, numerator: int, denominator: int) -> str:
        if kpi in RATIO_KPIS or unit(kpi) == SHARE:
            return percent(numerator, denominator, self.lang)
        if kpi == "recovered" or unit(kpi) == MONEY:
            return self.money(numerator)
        if unit(kpi) == COUNT:
            return str(numerator)
        return percent(numerator, denominator * 100, self.lang).removesuffix("%")  # a score: two decimals, cut

    def kpi_with_amounts(self, kpi: str, numerator: int, denominator: int) -> str:
        """A KPI's value and, for a ratio, the amounts it is made of, so it can be checked by hand:
        '107.68% (234,746.21 / 218,000.00)'."""
        value = self.kpi_value(kpi, numerator, denominator)
        if kpi not in RATIO_KPIS:
            return value
        return self.t("common.ratio_of", value=value, numerator=self.money(int(numerator)),
                      denominator=self.money(int(denominator)))

    def at_least(self, kpi: str, value: Fraction) -> str:
        """A step's level as the KPI's values are written: 100.00%, 30,000.00, a count, a score."""
        if kpi in RATIO_KPIS or unit(kpi) == SHARE:
            return percent(value.numerator, value.denominator, self.lang)
        if kpi == "recovered" or unit(kpi) == MONEY:
            return self.money(int(value))
        if unit(kpi) == COUNT:
            return str(int(value))
        return percent(value.numerator, value.denominator * 100, self.lang).removesuffix("%")


def _header(report: RunReport, payout, policy, store: Optional[StoreFacts], lang: str,
            correction: Optional[Correction]) -> Header:
    batch = store.batch if store is not None else None
    status = (store.status if store is not None and store.status else "preview")
    pay_date = store.pay_date if store is not None else ""
    statement_id = f"{report.period}-{payout['collector_id']}" + (f"-B{batch}" if batch else "")
    return Header(
        statement_id=statement_id, collector=str(payout["collector_id"]), name=str(payout.get("name", "") or ""),
        employee_id=str(payout.get("employee_id", "") or ""), team=str(payout.get("team", "") or ""),
        period=str(report.period),
        pay_date=day(date.fromisoformat(pay_date), lang) if pay_date else t("statement.not_set", lang),
        status=t(f"statement.status.{status}", lang), status_key=status, batch=batch,
        plan=f"{policy.plan} v{policy.version}", currency=report.currency,
        net_pay=correction.pays if correction else int(payout["net_payout"]),
        controls_note=t("controls.single_operator", lang, by=store.single_operator[0],
                        date=day(store.single_operator[1], lang)) if store and store.single_operator else "")


def _correction(store: StoreFacts, collector: str, period: str, names: Names) -> Correction:
    before, pays = store.corrections.get(collector, (0, 0))
    now = before + pays
    key = "statement.correction_sentence" if pays >= 0 else "statement.correction_takes_back"
    return Correction(store.adjustment_batch, before, now, pays, names.t(
        key, before=names.money(before), now=names.money(now), difference=names.money(abs(pays))))


def _made(report: RunReport, collector: str, names: Names, kpis: dict,
          lines: pa.Table) -> tuple[list[Made], list[Lost]]:
    """A sentence per item of the pay (a collector's few items, not ledger rows), and what was lost."""
    made, lost = [], []
    policy = names.policy
    rules = {rule.id: rule for rule in (*policy.components, *policy.adjustments)}
    events = {event["event_id"]: event for event in report.records_of("events", collector)}  # the few they have
    items = [_Record(item) for item in report.records_of("items", collector)]
    settled = {item.component for item in items if item.kind == "holdback" and not item.rule.endswith(":withheld")}
    for item in items:
        rule_id = item.rule.removesuffix(RECOMPUTED)
        rule = rules.get(item.component)
        event = events.get(item.event, {}) if item.event else {}
        text, loss = _sentence(item, rule_id, rule, names, kpis, lines, event, item.component in settled)
        if item.kind == "line_rate" and rule_id == item.rule and Period.parse(item.window).end < report.period.start:
            text = names.t("made.reversed_earlier", window=item.window)  # under earlier_periods: recompute
        elif rule_id != item.rule:
            text = names.t("made.recomputed", window=item.window, words=text)
        made.append(Made(text, int(item.amount), names.pay_code(item.pay_code)))
        if loss is not None:
            lost.append(loss)
    lost.extend(_reversals(lines, names))
    lost.extend(_limited(lines, names))
    return made, lost


def _sentence(item, rule_id: str, rule, names: Names, kpis: dict, lines: pa.Table,
              event: dict, settled_now: bool) -> tuple[str, Optional[Lost]]:
    """The sentence of one item and, when it takes pay away, what was lost. `settled_now`: the item's
    holdback is released or forfeited in this statement, so what it withholds now is not held past it."""
    label, kind, amount = names.rule(rule_id), item.kind, int(item.amount)
    target = names.component(item.applies_to) if item.applies_to else ""
    when = {"date": str(event.get("date", "")), "source": names.word("source", str(event.get("source", "") or "")),
            "description": str(event.get("description", "") or "")}
    event_words = names.event(event.get("type", ""), event.get("severity", "") or "") if event else ""

    def loss(kind_key: str, lost_amount: int, what: str) -> Lost:
        return Lost(what, kind_key, names.t(f"statement.lost_kind.{kind_key}"), lost_amount, **when)

    if kind == "line_rate":
        mine = lines.filter(pc.equal(lines["component"], item.component)) if lines.num_rows else lines
        if names.policy.earlier_periods == EARLIER_RECOMPUTE:  # reversals of earlier windows: their own item
            mine = _this_window(mine)
        reversals = _reversal_count(mine)
        return names.t("made.line_rate_reversals" if reversals else "made.line_rate", label=label,
                       count=_count_payments(mine) - reversals, reversals=reversals,
                       recovered=names.money(int(item.base))), None
    if kind == "tier" and isinstance(rule, Tiers):
        number, tier = next(((k + 1, tier) for k, tier in enumerate(rule.tiers) if tier.id == rule_id), (0, None))
        span = _tier_range(rule, tier, names) if tier is not None else ""
        if tier is not None and tier.amount is not None:
            return names.t("made.tier_amount", label=label, number=number, range=span), None
        return names.t("made.tier_rate", label=label, number=number, range=span, base=names.money(int(item.base)),
                       rate=item.rate), None
    if kind == "bonus" and rule is not None:
        step = rule.steps[int(rule_id.rpartition("#")[2]) - 1]
        value = _kpi(kpis, rule.kpi, item.window, names)
        common = dict(label=label, kpi=names.kpi(rule.kpi), value=value,
                      at_least=names.at_least(rule.kpi, step.at_least))
        if step.rate is not None:
            return names.t("made.bonus_rate", **common, base=names.money(int(item.base)),
                           rate=item.rate.split(" ")[0]), None
        return names.t("made.bonus_fixed", **common), None
    if kind == "override" and rule is not None:
        return names.t("made.override", label=label, rate=item.rate,
                       base_kind=names.word("base_kind", rule.base), base=names.money(int(item.base))), None
    if kind == "compliance":
        forfeit = item.rate == "forfeit"
        key = "made.compliance_forfeit" if forfeit else "made.compliance_deduct"
        text = names.t(key, label=label, event=event_words, date=when["date"], target=target)
        return text, loss("forfeited" if forfeit else "reduced", -amount, text) if amount < 0 else None
    if kind == "holdback" and rule is not None:
        release = names.word("period_name", rule.release)
        if rule_id.endswith(":withheld") and settled_now:
            return names.t("made.holdback_withheld_now", label=label, rate=item.rate, target=target,
                           release=release), None
        if rule_id.endswith(":withheld"):
            text = names.t("made.holdback_withheld", label=label, rate=item.rate, target=target,
                           release=release)
            return text, loss("held", -amount, text)
        if rule_id.endswith(":released"):
            return names.t("made.holdback_released", label=label, release=release), None
        held = names.money(int(item.base))
        text = names.t("made.holdback_forfeited", label=label, held=held, release=release, event=event_words,
                       date=when["date"]) if event else \
            names.t("made.holdback_forfeited_plain", label=label, held=held, release=release)
        return text, loss("forfeited", int(item.base), text) if int(item.base) else None
    if kind == "threshold" and rule is not None:
        text = names.t("made.threshold", label=label, recovered=names.money(int(item.base)),
                       minimum=names.money(rule.recovered_at_least), target=target)
        return text, loss("forfeited", -amount, text) if amount < 0 else None
    if kind == "multiplier" and rule is not None:
        factor = item.rate.split(" ")[0].removeprefix("x")
        text = names.t("made.multiplier", label=label, kpi=names.kpi(rule.kpi),
                       value=_kpi(kpis, rule.kpi, item.window, names), target=target, factor=factor)
        return text, loss("reduced", -amount, text) if amount < 0 else None
    if kind == "cap_floor" and rule is not None:
        capped = amount < 0
        limit = rule.cap if capped else rule.floor
        text = names.t("made.cap" if capped else "made.floor", label=label, target=target,
                       limit=names.money(limit or 0))
        return text, loss("reduced", -amount, text) if capped else None
    text = names.t("made.other", label=names.word("label", kind) if kind in ("draw", "balance", "leaver")
                   else label)
    return text, loss("held", -amount, text) if amount < 0 else None


def _kpi(kpis: dict, kpi: str, window: str, names: Names) -> str:
    """A KPI's value in words ({(kpi, window): (numerator, denominator)}), with the amounts of a ratio."""
    return names.kpi_with_amounts(kpi, *kpis[(kpi, window)]) if (kpi, window) in kpis else ""


def _tier_range(component: Tiers, tier, names: Names) -> str:
    def bound(value) -> str:
        if component.base == "attainment":
            share = Fraction(value)
            return percent(share.numerator, share.denominator, names.lang)
        return names.money(int(value))
    if tier.high is None:
        return names.t("made.range_open", low=bound(tier.low))
    return names.t("made.range", low=bound(tier.low), high=bound(tier.high))


def _count_payments(lines: pa.Table) -> int:
    return pc.count_distinct(lines["payment_id"]).as_py() if lines.num_rows else 0


def _reversal_count(lines: pa.Table) -> int:
    """Lines that reverse an earlier payment (a bounce), counted apart from the repayments."""
    if not lines.num_rows or "reverses" not in lines.column_names:
        return 0
    return pc.count_distinct(lines.filter(pc.not_equal(lines["reverses"], ""))["payment_id"]).as_py()


def _this_window(lines: pa.Table) -> pa.Table:
    """Lines without the reversals of payments outside them (paid in an earlier window)."""
    if not lines.num_rows or "reverses" not in lines.column_names:
        return lines
    outside = pc.and_(pc.not_equal(lines["reverses"], ""),
                      pc.invert(pc.is_in(lines["reverses"], value_set=lines["payment_id"].combine_chunks())))
    return lines.filter(pc.invert(outside))


def _limited(lines: pa.Table, names: Names) -> list[Lost]:
    """Commission not paid because repayments earned more than the plan's per-payment maximum: one line
    with how many, what they earned and what they pay (the Detail sheet marks each)."""
    if not lines.num_rows or "limit" not in lines.column_names:
        return []
    capped = lines.filter(pc.equal(lines["limit"], "max"))
    if not capped.num_rows:
        return []
    earned, paid = (int(pc.sum(capped[column]).as_py()) for column in ("commission", "amount"))
    text = names.t("lost.per_payment_max", count=capped.num_rows, commission=names.money(earned),
                   amount=names.money(paid))
    return [Lost(text, "reduced", names.t("statement.lost_kind.reduced"), earned - paid)]


def _reversals(lines: pa.Table, names: Names) -> list[Lost]:
    """Reversed (bounced) payments clawed back: the first few one by one, the rest in one line."""
    if not lines.num_rows or "reverses" not in lines.column_names:
        return []
    reversed_ = lines.filter(pc.and_(pc.not_equal(lines["reverses"], ""), pc.less(lines["amount"], 0)))
    if not reversed_.num_rows:
        return []
    kind = names.t("statement.lost_kind.clawed_back")
    shown = reversed_.slice(0, REVERSALS_LISTED)
    out = [Lost(names.t("lost.reversal", payment=reverses, date=str(when)), "clawed_back", kind, -int(amount),
                date=str(when))
           for reverses, when, amount in zip(*(shown[c].to_pylist() for c in ("reverses", "payment_date", "amount")))]
    rest = reversed_.slice(REVERSALS_LISTED)
    if rest.num_rows:
        out.append(Lost(names.t("lost.reversals_more", count=rest.num_rows), "clawed_back", kind,
                        -int(pc.sum(rest["amount"]).as_py())))
    return out


def _payments(lines: pa.Table) -> pa.Table:
    """One line per credited payment: a payment paid by two line-rate components has a line for each."""
    if not lines.num_rows or "component" not in lines.column_names:
        return lines
    return lines.filter(pc.equal(lines["component"], lines["component"][0]))


def _recovered_by_bucket(payments: pa.Table, policy) -> list[Bucket]:
    """(bucket, repayments, recovered, reversals) in the plan's bucket order."""
    if not payments.num_rows or "bucket" not in payments.column_names:
        return []
    reversal = pc.not_equal(payments["reverses"], "") if "reverses" in payments.column_names else \
        pa.repeat(pa.scalar(False), payments.num_rows)
    counted = pa.table({"bucket": payments["bucket"], "base": payments["base"],
                        "reversal": pc.cast(reversal, pa.int64())})
    grouped = counted.group_by("bucket", use_threads=False).aggregate(
        [("base", "count"), ("base", "sum"), ("reversal", "sum")])
    found = {bucket: (count - reversals, recovered, reversals) for bucket, count, recovered, reversals in zip(
        *(grouped[c].to_pylist() for c in ("bucket", "base_count", "base_sum", "reversal_sum")))}
    classifier = policy.classifier("bucket")
    order = [b for b in (classifier.labels if classifier else found) if b in found]
    return [Bucket(bucket, *found[bucket]) for bucket in order]


def _progress(report: RunReport, policy, collector: str, names: Names, kpis: dict) -> list[str]:
    """How far each monthly tier schedule is from its next tier, and every KPI the plan looked at."""
    texts = []
    recovered = int(report.records_of("payouts", collector)[0]["recovered"])
    for component in policy.components:
        if not (isinstance(component, Tiers) and component.pays == "monthly" and report.period.kind == "month"):
            continue
        bound = _tier_bound(component, kpis, str(report.period), policy)
        measured = _measured(component, kpis, str(report.period), recovered)
        if bound is None or measured is None:  # on a share, for a collector without a target; not measured
            continue
        label = names.component(component.id)
        above = [(k + 1, t) for k, t in enumerate(component.tiers) if bound(t.low) > measured]
        if above:
            number, tier = above[0]
            rate = percent(tier.rate.numerator, tier.rate.denominator, names.lang) if tier.rate is not None \
                else names.money(tier.amount if tier.each is None else tier.each)
            more = bound(tier.low) - measured
            if component.base in ("recovered", "attainment"):
                texts.append(names.t("progress.next_tier", label=label, number=number, rate=rate,
                                     amount=names.money(more)))
            else:
                texts.append(names.t("progress.next_tier_measure", label=label, number=number, rate=rate,
                                     measure=names.kpi(component.base),
                                     amount=str(more) if unit(component.base) == COUNT else names.money(more)))
        else:
            texts.append(names.t("progress.top_tier", label=label))
    for (kpi, window), (numerator, denominator) in kpis.items():
        texts.append(names.t("progress.kpi_value", kpi=names.kpi(kpi), window=window,
                             value=names.kpi_with_amounts(kpi, numerator, denominator)))
    return texts


def _measured(component: Tiers, kpis: dict, window: str, recovered: int) -> Optional[int]:
    """What a tier schedule's bounds are compared with: the recovered amount (also on attainment, whose
    bounds are money), or the measure the run kept (fees, a count...); None on a share (recovery_rate),
    or when the run did not measure it."""
    if component.base in ("recovered", "attainment"):
        return recovered
    if unit(component.base) == SHARE or (component.base, window) not in kpis:
        return None
    return kpis[(component.base, window)][0]


def _tier_bound(component: Tiers, kpis: dict, window: str, policy):
    """Tier bound -> money for this collector: the bound itself, or (on attainment) that share of the
    target the run used (the attainment KPI's denominator); None without a target."""
    if component.base != "attainment":
        return lambda value: value
    if ("attainment", window) not in kpis:
        return None
    target = np.array([kpis[("attainment", window)][1]], dtype=np.int64)
    return lambda share: int(attainment_bound(target, share, policy.rounding.mode)[0])


def _awards(report: RunReport, collector: str, names: Names) -> list[Award]:
    out = []
    for award in map(_Record, report.records_of("awards", collector)):
        if award.kind == "benefit":
            given = names.t("statement.benefit_award", quantity=award.quantity, unit=award.unit)
        elif award.raise_percent:
            given = names.t("statement.raise_percent", rate=award.raise_percent, date=award.effective_from)
        else:
            given = names.t("statement.raise_amount", amount=names.money(int(award.raise_amount)),
                            date=award.effective_from)
        out.append(Award(names.rule(award.rule), evidence_words(award.evidence, names), given))
    return out


class _Record(SimpleNamespace):
    """A record (RunReport.records_of) read by attribute: item.rule, award.kind."""

    def __init__(self, record: dict):
        super().__init__(**record)
