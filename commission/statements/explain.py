"""`explain`: how one collector's payout was built, component by component, with the arithmetic."""

from __future__ import annotations

from typing import Optional

import pandas as pd

from ..errors import InputError, Problem
from ..money import format_minor
from .model import Names, build_statement
from .plan_words import describe_plan
from ..outputs.report_reader import RunReport


def explain(report: RunReport, collector: str, payment: Optional[str] = None) -> list[str]:
    """Lines of text: every item with base x rate = amount, the events behind deductions, and the
    reconciliation to the net payout (or, with `payment`, that payment's lines in full)."""
    minor = report.minor_units
    money = lambda value: format_minor(int(value), minor)  # noqa: E731
    payouts = report.payouts.loc[report.payouts["collector_id"] == collector]
    if not len(payouts):
        raise InputError([Problem("", "", f"{collector!r} is not in the run for {report.period}", role="collector")])
    payout = payouts.iloc[0]
    lines = report.lines.loc[report.lines["collector_id"] == collector]
    if payment is not None:
        return _payment(lines.loc[lines["payment_id"] == payment], payment, collector, money)
    policy = report.plan_of(collector)
    words = {rule: text for rule, _, text in describe_plan(policy, "en")}
    out = [f"{collector} {payout.get('name', '')} - {report.period} - plan {policy.plan} v{policy.version} - "
           f"currency {report.currency}".replace("  ", " "),
           f"recovered {money(payout['recovered'])}", ""]
    items = report.items.loc[report.items["collector_id"] == collector]
    # each item's sentence, as the statement says it (a bonus: its KPI with the one ratio rule, 107.68%)
    sentences = dict(zip(items.index, (made.text for made in build_statement(report, collector, "en").made)))
    names = Names(policy, "en", minor)
    for component, group in items.groupby("component", sort=False):
        out.append(f"{component} ({names.component(component)}):")
        by_line = (group["kind"] == "line_rate") & ~group["rule"].str.endswith(":recomputed")
        for number, item in enumerate(group.loc[by_line].itertuples(index=False)):
            if number == 0:
                out.extend(_line_rules(lines.loc[lines["component"] == component], money))
                out.append(f"  = {money(group.loc[by_line, 'amount'].sum())} ({item.pay_code})")
            else:  # reversals of an earlier period's payments (reversals: {earlier_periods: recompute})
                out.append(f"  of which {money(item.amount)} for {item.window}: reversals of its payments, which "
                           "this period's adjustments do not act on")
        others = group.loc[~by_line]
        for index, item in zip(others.index, others.itertuples(index=False)):
            event = f" [event {report.event_words(item.event)}]" if item.event else ""
            target = f" on {item.applies_to}" if item.applies_to else ""
            rule_words = words.get(item.rule.removesuffix(":recomputed")) or words.get(item.component, "")
            if item.rule.endswith(":recomputed"):
                rule_words = f"{item.window} recomputed without its payments reversed since" + (
                    f": {rule_words}" if rule_words else "")
            if item.kind == "compliance":  # a fixed deduction or a share, not base x rate
                arithmetic = f"{item.rate} of {money(item.base)}" if item.rate.endswith("%") else item.rate
            elif item.kind == "bonus" or item.rule.endswith(":forfeited"):  # 0.00 x fixed said nothing
                arithmetic = sentences[index]
            elif item.rate and item.rate != "fixed":
                arithmetic = f"{money(item.base)} x {item.rate}"
            else:
                arithmetic = f"{money(item.base)}" + (" fixed" if item.rate == "fixed" else "")
            out.append(f"  {item.rule}{target}: {arithmetic} = {money(item.amount)} ({item.pay_code}){event}"
                       + (f" - {rule_words}" if rule_words else ""))
    out.append("")
    parts = [c for c in ("line_commission", "tier_commission", "bonus", "adjustment", "holdback", "balance")
             if c in payout.index]
    out.append(" + ".join(f"{c} {money(payout[c])}" for c in parts) + f" = net payout {money(payout['net_payout'])}")
    codes = [c for c in payout.index if c.startswith("pay_")]
    out.append("by pay code: " + ", ".join(f"{c.removeprefix('pay_')} {money(payout[c])}" for c in codes))
    balances = report.state.loc[report.state["collector_id"] == collector]
    if len(balances):
        out.append("carried to next period: " + ", ".join(f"{b} {money(a)}" for b, a in
                                                          zip(balances["balance"], balances["amount"])))
    for award in report.awards.loc[report.awards["collector_id"] == collector].itertuples(index=False):
        if award.kind == "benefit":
            given = f"{award.quantity} {award.unit}"
        elif award.raise_percent:
            given = f"raise of {award.raise_percent} of base salary from {award.effective_from}"
        else:
            given = f"raise of {money(award.raise_amount)} to base salary from {award.effective_from}"
        out.append(f"{award.kind} {award.rule} (not paid as money): {given} - {award.evidence}")
    return out


def _line_rules(lines: pd.DataFrame, money) -> list[str]:
    """Per rule: payments, their total, the rate and the commission, with limits and reversals shown."""
    out = []
    for (rule, rate), group in lines.groupby(["rule", "rate"], sort=False):
        limited = (group["limit"] != "").sum()
        reversals = (group["reverses"] != "").sum() if "reverses" in group else 0
        notes = []
        if limited:
            notes.append(f"{limited} at a per-payment limit")
        if reversals:
            notes.append(f"{reversals} reversal{'s' if reversals != 1 else ''} clawed back")
        note = f" ({'; '.join(notes)})" if notes else ""
        out.append(f"  {rule}: {len(group)} payments, {_paid_on(group, money)} x {rate} -> "
                   f"{money(group['amount'].sum())}{note}")
    return out


def _payment(lines: pd.DataFrame, payment: str, collector: str, money) -> list[str]:
    if not len(lines):
        raise InputError([Problem("", "", f"{payment} is not among {collector}'s payments in this run",
                                  role="payment")])
    out = []
    for line in lines.itertuples(index=False):
        share = f", credit share {line.credit_share}" if "credit_share" in lines and line.credit_share != "1" else ""
        reverses = getattr(line, "reverses", "")
        what = f"reversal of {reverses}, clawed back at its terms" if reverses else "payment"
        classes = "".join(f", {name} {getattr(line, name)}" for name in ("bucket", "band") if name in lines)
        out.append(f"{payment} ({what}) on {line.payment_date}, account {line.account}{classes}{share}")
        if not line.component:  # a recovery line: the plan pays no rate per repayment
            out.append(f"  counted in recovered: {money(line.base)} (this plan pays no rate per repayment)")
            continue
        kind = getattr(line, "base_kind", "amount")
        if kind == "fee" and line.fee_rate not in ("", "ledger"):
            on = f"{money(line.base)} x fee rate {line.fee_rate} = fee {money(line.base_amount)}; share"
            exact = " (its payment's share, in the part reversed)" if reverses else \
                f" (rounded once from {money(line.base)} x {line.fee_rate} x {line.rate})"
        elif kind not in ("amount", ""):
            on, exact = f"{kind} {money(line.base_amount)}", ""
        else:
            on, exact = money(line.base), ""
        out.append(f"  {line.component}/{line.rule}: {on} x {line.rate} = {money(line.commission)}{exact}"
                   + (f", per-payment {line.limit} -> {money(line.amount)}" if line.limit else ""))
    return out


def _paid_on(group: pd.DataFrame, money) -> str:
    """What a rule's lines were paid on, added up: the repayments, or the fees (a column) they carry."""
    kind = str(group["base_kind"].iloc[0]) if "base_kind" in group and len(group) else "amount"
    if kind in ("amount", ""):
        return money(group["base"].sum())
    return f"{'fees' if kind == 'fee' else kind} {money(group['base_amount'].sum())}"
