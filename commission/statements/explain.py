"""`explain`: how one collector's payout was built, component by component, with the arithmetic, in the
reader's language. It says what the statement says (the same sentences, from statements.model), with
the numbers behind each: every rate rule's repayments, base x rate = amount, what was lost and the
event behind it, and the reconciliation to the net pay. Every word comes from the catalogue; rules
are named by their label or in words, never by their id."""

from __future__ import annotations

from typing import Optional

import pandas as pd

from ..errors import InputError, Problem
from ..i18n import default_language
from ..outputs.report_reader import RunReport
from .model import RECOMPUTED, Names, StoreFacts, build_statement
from .plan_words import describe_plan

#: The payout columns that add up to the net pay, in order (their words: payouts.column.*).
PARTS = ("line_commission", "tier_commission", "bonus", "adjustment", "holdback", "balance")


def explain(report: RunReport, collector: str, payment: Optional[str] = None,
            lang: Optional[str] = None, store: Optional[StoreFacts] = None) -> list[str]:
    """Lines of text in `lang` (default: the plan's currency's, as statements): every item with its
    arithmetic, what was lost, and the reconciliation to the net pay (or, with `payment`, that
    payment's lines in full). From an adjustment batch (`store`), also what was paid before and what
    the correction pays, in the statement's words."""
    payouts = report.payouts.loc[report.payouts["collector_id"] == collector]
    if not len(payouts):
        raise InputError([Problem("", "", f"{collector!r} is not in the run for {report.period}", role="collector")])
    policy = report.plan_of(collector)
    lang = lang or default_language(report.currency)
    names = Names(policy, lang, report.minor_units)
    words = {rule: text for rule, _, text in describe_plan(policy, lang)}
    lines = report.line_table(collector).to_pandas()
    if payment is not None:
        return _payment(lines, payment, collector, names, words)
    payout = payouts.iloc[0]
    statement = build_statement(report, collector, lang, store)
    say, money = names.t, names.money
    name = str(payout.get("name", "") or "")
    out = [say("explain.header", who=f"{collector} {name}" if name else collector,
               period=str(report.period), plan=policy.plan, version=policy.version, currency=report.currency),
           say("explain.recovered", amount=money(int(payout["recovered"]))), ""]
    items = report.items.loc[report.items["collector_id"] == collector]
    made = dict(zip(items.index, statement.made))  # each item's sentence, as the statement says it
    for component, group in items.groupby("component", sort=False):
        out.append(say("explain.component", label=names.component(component)))
        by_line = (group["kind"] == "line_rate") & ~group["rule"].str.endswith(RECOMPUTED)
        for number, index in enumerate(group.index[by_line]):
            if number == 0:
                out.extend(_line_rules(lines.loc[lines["component"] == component], names, words))
                out.append(say("explain.subtotal", amount=money(int(group.loc[by_line, "amount"].sum())),
                               pay_code=made[index].pay_code))
            else:  # reversals of an earlier period's payments (reversals: {earlier_periods: recompute})
                out.append(say("explain.item", text=made[index].text, amount=money(made[index].amount),
                               pay_code=made[index].pay_code))
        for index, item in zip(group.index[~by_line], group.loc[~by_line].itertuples(index=False)):
            text = made[index].text
            if item.kind == "holdback" and item.rate.endswith("%"):  # the share held: base x rate
                text = say("explain.arithmetic", text=text, base=money(int(item.base)), rate=item.rate)
            out.append(say("explain.item", text=text, amount=money(made[index].amount),
                           pay_code=made[index].pay_code))
    if statement.lost:
        out.extend(["", say("explain.component", label=say("statement.lost"))])
        for lost in statement.lost:
            event = say("explain.event", date=lost.date, source=lost.source, description=lost.description) \
                if lost.description or lost.source else ""
            out.append(say("explain.lost_item", kind=lost.kind_text, amount=money(lost.amount), what=lost.what,
                           event=event))
    out.append("")
    parts = [say("explain.part", name=say(f"payouts.column.{c}"), amount=money(int(payout[c])))
             for c in PARTS if c in payout.index]
    out.append(say("explain.net", parts=" + ".join(parts), amount=money(int(payout["net_payout"]))))
    if statement.correction:
        out.append(say("explain.correction", batch=statement.correction.batch,
                       sentence=statement.correction.sentence))
    listed = say("explain.list_separator")
    out.append(say("explain.by_pay_code", codes=listed.join(
        say("explain.part", name=code.name, amount=money(code.amount)) for code in statement.pay_codes)))
    if statement.balances:
        out.append(say("explain.carried", balances=listed.join(
            say("explain.part", name=name, amount=money(amount)) for name, amount in statement.balances)))
    for award in statement.awards:
        out.append(say("explain.award", what=award.what, given=award.given, evidence=award.evidence))
    return out


def _line_rules(lines: pd.DataFrame, names: Names, words: dict) -> list[str]:
    """Per rate rule (in words): repayments, what they were paid on, the rate and the commission, with
    limits and reversals counted (apart from the repayments, as the statement counts them)."""
    out = []
    for (rule, rate), group in _in_plan_order(lines, names.policy):
        notes = []
        limited = int((group["limit"] != "").sum())
        reversals = int((group["reverses"] != "").sum()) if "reverses" in group else 0
        if limited:
            notes.append(names.t("explain.limited_count", count=limited))
        if reversals:
            notes.append(names.t("explain.reversed_count", count=reversals))
        out.append(names.t("explain.rate_rule", rule=words.get(rule) or names.rule(rule), count=len(group) - reversals,
                           base=_paid_on(group, names), rate=rate, amount=names.money(int(group["amount"].sum())),
                           notes=names.t("explain.notes", notes=names.t("explain.list_separator").join(notes))
                           if notes else ""))
    return out


def _in_plan_order(lines: pd.DataFrame, policy) -> list:
    """One component's lines grouped by (rule, rate), in the plan's order: by the first overdue bucket a
    rule's lines are in, in the plan's bucket order (as the statement's bucket table), then by the rule's
    place in the rate table (M1/M2, M3, M4-6, M7+; not the order the ledger happened to list them)."""
    groups = list(lines.groupby(["rule", "rate"], sort=False))
    classifier = policy.classifier("bucket")
    buckets = {bucket: k for k, bucket in enumerate(classifier.labels)} if classifier and "bucket" in lines else {}
    component = policy.component(str(lines["component"].iloc[0])) if len(lines) else None
    table = (*getattr(component, "rules", ()), *filter(None, [getattr(component, "default", None)]))
    places = {rule.id: k for k, rule in enumerate(table)}

    def place(item) -> tuple[int, int]:
        (rule, _), group = item
        first = min((buckets.get(b, len(buckets)) for b in group["bucket"]), default=0) if buckets else 0
        return first, places.get(rule, len(places))

    return sorted(groups, key=place)


def _payment(lines: pd.DataFrame, payment: str, collector: str, names: Names, words: dict) -> list[str]:
    """One payment's lines in full, then those of the payments in the run that reverse it (a bounce) and
    what is left of it net of them: a payment reversed in full nets to 0.00."""
    mine = lines.loc[lines["payment_id"] == payment]
    if not len(mine):
        raise InputError([Problem("", "", f"{payment} is not among {collector}'s payments in this run",
                                  role="payment")])
    reversals = lines.loc[lines["reverses"] == payment] if "reverses" in lines else lines.iloc[:0]
    out = _payment_lines(mine, names, words)
    if not len(reversals):
        return out
    out.extend(_payment_lines(reversals, names, words))
    both = pd.concat([mine, reversals])
    credited = both.loc[both["component"] == both["component"].iloc[0], "base"]  # a line per payment, as recovered
    out.append(names.t("explain.payment_net", payment=payment, count=int(reversals["payment_id"].nunique()),
                       recovered=names.money(int(credited.sum())), amount=names.money(int(both["amount"].sum()))))
    return out


def _payment_lines(lines: pd.DataFrame, names: Names, words: dict) -> list[str]:
    """Payments' lines: what each was, and each rule's base x rate = commission, with limits."""
    say, money = names.t, names.money
    out = []
    for line in lines.itertuples(index=False):
        reverses = getattr(line, "reverses", "")
        what = say("explain.reversal_of", payment=reverses) if reverses else say("explain.a_payment")
        details = "".join(say("explain.detail", name=say(f"detail.{name}"), value=getattr(line, name))
                          for name in ("bucket", "band") if name in lines)
        if "credit_share" in lines and line.credit_share != "1":
            details += say("explain.detail", name=say("detail.share"), value=line.credit_share)
        out.append(say("explain.payment", payment=line.payment_id, what=what, date=line.payment_date,
                       account=line.account, details=details))
        if not line.component:  # a recovery line: the plan pays no rate per repayment
            out.append(say("explain.recovery_only", amount=money(int(line.base))))
            continue
        kind = getattr(line, "base_kind", "amount")
        exact = ""
        if kind == "fee" and line.fee_rate not in ("", "ledger"):
            on = say("explain.fee_on", base=money(int(line.base)), fee_rate=line.fee_rate,
                     fee=money(int(line.base_amount)))
            exact = say("explain.fee_reversed") if reverses else \
                say("explain.fee_rounded", base=money(int(line.base)), fee_rate=line.fee_rate, rate=line.rate)
        elif kind not in ("amount", ""):
            on = say("explain.part", name=kind, amount=money(int(line.base_amount)))  # a ledger column's name
        else:
            on = money(int(line.base))
        limit = say("explain.limited", limit=say(f"detail.limit.{line.limit}"), amount=money(int(line.amount))) \
            if line.limit else ""
        out.append(say("explain.payment_line", rule=words.get(line.rule) or names.rule(line.rule), on=on,
                       rate=line.rate, commission=money(int(line.commission)), exact=exact, limit=limit))
    return out


def _paid_on(group: pd.DataFrame, names: Names) -> str:
    """What a rule's lines were paid on, added up: the repayments, or the fees (a column) they carry."""
    kind = str(group["base_kind"].iloc[0]) if "base_kind" in group and len(group) else "amount"
    if kind in ("amount", ""):
        return names.money(int(group["base"].sum()))
    name = names.t("explain.fees") if kind == "fee" else kind
    return names.t("explain.part", name=name, amount=names.money(int(group["base_amount"].sum())))
