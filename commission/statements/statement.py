"""Collector statements: one Excel workbook per collector that they can check line by line.

Summary (who, what was recovered by bucket, every rule that paid or took away with its rule in
words, pay codes, raises recommended and benefits in kind granted (apart from the pay), balances,
progress to the next tier, attainment), Detail (every credited
payment, masked account, subtotals by bucket) and Plan (the plan in words). Numbers are written
as values, never formulas, so viewers that do not recalculate still show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..engine.rules.tiers import attainment_bound
from ..money import format_minor, format_rate
from ..policy import LineRate, Tiers
from ..policy.measures import COUNT, MONEY, SHARE, unit
from .plan_words import Words, describe_plan
from ..outputs.report_reader import RunReport
from ..outputs.sheet_rows import render_rows
from ..outputs.workbook import (BOLD, HEADER_FILL, TOTAL_FILL, RenderedRows, display_width, fit_widths,
                       money_format, money_value, new_workbook, save_workbook)

LABELS = {
    "en": {
        "title": "Commission statement", "collector": "Collector", "team": "Team", "period": "Period",
        "plan": "Plan", "currency": "Currency", "recovered_by_bucket": "Recovered by overdue bucket",
        "bucket": "Bucket", "payments": "Payments", "recovered": "Recovered", "total": "Total",
        "how": "How your pay is made", "component": "Component", "rule": "Rule", "in_words": "Rule in words",
        "base": "Base", "rate": "Rate", "amount": "Amount", "event": "Event", "pay_codes": "Pay by pay code",
        "pay_code": "Pay code", "net": "Net payout", "balances": "Balances carried to next period",
        "balance": "Balance", "progress": "Progress", "next_tier": "To reach {tier} ({rate}): recover {amount} more",
        "next_tier_measure": "To reach {tier} ({rate}): {measure} {amount} more",
        "top_tier": "{component}: in the top tier", "attainment": "{kpi} ({window}): {value}",
        "ytd": "Year to date", "date": "Date", "payment": "Payment", "account": "Account", "band": "Band",
        "share": "Credit share",
        "reverses": "Reverses", "commission": "Commission", "limit": "Limit", "subtotal": "Subtotal {bucket}",
        "fee_rate": "Fee rate", "base_amount": "Fee / base paid on",
        "limits": {"max": "per-payment maximum", "min": "per-payment minimum"},
        "what": "Applies to", "detail": "Detail", "summary": "Summary", "plan_sheet": "Plan",
        "chart": "Recovered by bucket", "none": "none", "version": "version",
        "by_line": "each repayment at its rule's rate (see Detail)",
        "correction": "Correction (adjustment batch {batch}): the period recomputed",
        "already_paid": "Already settled for {period}", "paid_now": "Paid now by this correction",
        "balance_names": {"carried": "owed: clawbacks above pay", "draw": "draw to repay", "held": "held (leaver)",
                          "holdback": "held back ({id})"},
        "rates": {"by line": "by line", "fixed": "fixed"},
        "pay_code_names": {}, "batch": "Payout batch", "pay_date": "Pay date",
        "statuses": {"draft": "draft, not yet approved", "approved": "approved", "locked": "locked for payroll",
                     "paid": "paid"},
        "awards": "Raises and benefits in kind (decided on this period; not paid as money)", "evidence": "Evidence",
        "award": "Recommended or granted", "raise_percent": "raise of {rate} of base salary, from {date}",
        "raise_amount": "raise of {amount} to base salary, from {date}", "benefit_award": "{quantity} {unit}",
        "recomputed": "{window} recomputed without its payments reversed since: {words}",
    },
    "zh": {
        "title": "提成对账单", "collector": "催收员", "team": "组别", "period": "期间", "plan": "提成方案",
        "currency": "币种", "recovered_by_bucket": "按账龄回款", "bucket": "账龄", "payments": "笔数",
        "recovered": "回款金额", "total": "合计", "how": "提成明细", "component": "项目", "rule": "规则",
        "in_words": "规则说明", "base": "计提基数", "rate": "比例", "amount": "金额", "event": "事件",
        "pay_codes": "按发放项目", "pay_code": "发放项目", "net": "实发金额", "balances": "结转下期余额",
        "balance": "余额项目", "progress": "进度", "next_tier": "距离 {tier}（{rate}）还需回款 {amount}",
        "next_tier_measure": "距离 {tier}（{rate}）{measure}还差 {amount}",
        "top_tier": "{component}：已达最高档", "attainment": "{kpi}（{window}）：{value}", "ytd": "本年累计",
        "date": "还款日期", "payment": "还款编号", "account": "账号", "band": "欠款档", "share": "业绩分成",
        "reverses": "冲回", "commission": "提成", "limit": "限额", "limits": {"max": "单笔封顶", "min": "单笔保底"},
        "fee_rate": "服务费率", "base_amount": "服务费 / 计提基数",
        "subtotal": "小计 {bucket}", "what": "作用于", "detail": "回款明细",
        "summary": "汇总", "plan_sheet": "方案说明", "chart": "按账龄回款", "none": "无", "version": "版本",
        "by_line": "每笔回款按所属规则比例计提（见回款明细）",
        "correction": "更正（调整批次 {batch}）：本期重新计算", "already_paid": "{period} 已结算",
        "balance_names": {"carried": "欠款（冲回超出提成）", "draw": "预支待还", "held": "离职暂扣", "holdback": "暂扣（{id}）"},
        "paid_now": "本次更正发放", "rates": {"by line": "逐笔", "fixed": "固定金额"},
        "pay_code_names": {"commission": "提成", "bonus": "奖金", "benefit": "福利"},
        "batch": "发放批次", "pay_date": "发放日期",
        "statuses": {"draft": "草稿，尚未审批", "approved": "已审批", "locked": "已锁定", "paid": "已发放"},
        "awards": "加薪与福利（按本期评定，不以现金发放）", "evidence": "依据", "award": "建议或发放",
        "raise_percent": "建议加薪：基本工资上调 {rate}，自 {date} 起",
        "raise_amount": "建议加薪：基本工资增加 {amount}，自 {date} 起",
        "benefit_award": "{quantity} {unit}", "recomputed": "{window} 扣除其后冲回的回款后重新计算：{words}",
    },
}


DETAIL_MONEY = ("base", "base_amount", "commission", "amount")
RECOMPUTED = ":recomputed"  # the rule of an earlier window's item recomputed (reversals: {earlier_periods: recompute})
RATE_COLUMNS = ("rule", "rate", "commission", "limit", "amount", "component", "fee_rate", "base_amount")  # empty in a plan without a line rate
DETAIL_CODES = ("payment_id", "account", "bucket", "band", "credit_share", "reverses", "fee_rate", "rate", "rule",
                "component")  # short values, centred
WORDS_WIDTH = 48  # the Summary's "rule in words" column, wrapped
TOP, CENTRED_TOP = Alignment(vertical="top"), Alignment(horizontal="center", vertical="top")
_WIDE = r"[^\x00-\x{2e80}]"  # characters display_width counts twice (CJK), as an Arrow (RE2) pattern


@dataclass(frozen=True)
class StoreFacts:
    """What only the batch store knows, for statements made from a stored batch."""

    ytd: dict  # {collector: {pay code: amount}}, the year to date (approved batches only)
    adjustment_batch: Optional[int] = None  # the batch is an adjustment: it pays differences
    corrections: dict = field(default_factory=dict)  # {collector: (paid before it, paid by it)}
    batch: Optional[int] = None
    status: str = ""  # draft, approved, locked, paid
    pay_date: str = ""
    controls_note: str = ""  # e.g. approved without a second person (single-operator store)


@dataclass(frozen=True)
class StatementRequest:
    collector: str
    lang: str
    path: Path
    ytd: Optional[dict] = None  # pay code -> minor units, from the batch store when known
    correction: Optional[tuple[int, int, int]] = None  # (adjustment batch, paid before it, paid by it)
    store: Optional[StoreFacts] = None  # the batch's facts (number, status, pay date, controls)


def statement_language(report: RunReport, lang: Optional[str]) -> str:
    """Chinese by default for CNY plans, English otherwise."""
    return lang or ("zh" if report.currency == "CNY" else "en")


def write_statement(report: RunReport, request: StatementRequest) -> Path:
    """Write one collector's statement workbook to `request.path`."""
    labels, minor = LABELS[request.lang], report.minor_units
    collector = request.collector
    payout = report.rows_of("payouts", collector).iloc[0]
    policy = report.plan_of(collector)
    lines = report.line_table(collector)
    items = report.rows_of("items", collector)
    workbook = new_workbook()
    summary = workbook.create_sheet(labels["summary"])
    words = {rule: text for rule, _, text in describe_plan(policy, request.lang)}

    title = [labels["title"], f"{payout.get('name', '')} ({collector})".strip()]
    summary.append(title)
    summary["A1"].font = Font(bold=True, size=14)
    summary["B1"].font = Font(bold=True, size=14)
    facts = request.store
    batch_rows = [(labels["batch"], f"{facts.batch} ({labels['statuses'].get(facts.status, facts.status)})"),
                  (labels["pay_date"], facts.pay_date)] if facts is not None and facts.batch else []
    for key, value in ((labels["team"], payout.get("team", "")), (labels["period"], str(report.period)),
                       *batch_rows, (labels["plan"], f"{policy.plan} {labels['version']} {policy.version}"),
                       (labels["currency"], report.currency)):
        summary.append([key, value])
    summary.append([])

    _section(summary, labels["recovered_by_bucket"], [labels["bucket"], labels["payments"], labels["recovered"]])
    payments = _payments(lines)
    by_bucket = _recovered_by_bucket(payments, policy)
    first_bucket_row = summary.max_row + 1
    for bucket, count, amount in by_bucket:
        summary.append([bucket, count, money_value(amount, minor)])
    last_bucket_row = summary.max_row
    _total(summary, [labels["total"], payments.num_rows,
                     money_value(int(payout["recovered"]), minor)])
    summary.append([])

    _section(summary, labels["how"], [labels["component"], labels["rule"], labels["in_words"], labels["what"],
                                      labels["base"], labels["rate"], labels["amount"], labels["pay_code"],
                                      labels["event"]])
    for item in items.itertuples(index=False):
        rule = item.rule.removesuffix(RECOMPUTED)
        in_words = labels["by_line"] if item.kind == "line_rate" else words.get(rule) or words.get(item.component, "")
        if rule != item.rule:  # an earlier period's tier or bonus, recomputed without payments reversed since
            in_words = labels["recomputed"].format(window=item.window, words=in_words)
        # a fixed compliance deduction books its amount as the rate; the Amount column shows it already
        fixed = item.kind == "compliance" and item.rate not in ("forfeit", "") and not item.rate.endswith("%")
        rate = labels["rates"]["fixed"] if fixed else labels["rates"].get(item.rate, item.rate)
        event = report.event_words(item.event) if item.event else ""
        summary.append([item.component, item.rule, in_words, item.applies_to, money_value(int(item.base), minor),
                        rate, money_value(int(item.amount), minor), _pay_code(item.pay_code, labels), event])
        for cell in summary[summary.max_row]:  # rate and pay code sit between amounts: centred
            cell.alignment = CENTRED_TOP if cell.column in (6, 8) else TOP
        wrapped_lines = -(-display_width(in_words) // (WORDS_WIDTH + 4))  # most text is narrower than its count
        if wrapped_lines > 1:  # viewers do not all grow a row for wrapped text
            summary.row_dimensions[summary.max_row].height = 15 * wrapped_lines
    _total(summary, [labels["net"], None, None, None, None, None, money_value(int(payout["net_payout"]), minor)])
    summary.append([])

    if request.correction is not None:  # the period recomputed: what was paid, and what this batch adds
        batch, before, now = request.correction
        _section(summary, labels["correction"].format(batch=batch), ["", labels["amount"]])
        summary.append([labels["already_paid"].format(period=report.period), money_value(before, minor)])
        _total(summary, [labels["paid_now"], money_value(now, minor)])
        summary.append([])

    _section(summary, labels["pay_codes"], [labels["pay_code"], labels["amount"]]
             + ([labels["ytd"]] if request.ytd is not None else []))
    for column in [c for c in report.payouts.columns if c.startswith("pay_")]:
        code = column.removeprefix("pay_")
        row = [_pay_code(code, labels), money_value(int(payout[column]), minor)]
        if request.ytd is not None:
            row.append(money_value(int(request.ytd.get(code, 0)), minor))
        summary.append(row)
    summary.append([])

    awards = report.rows_of("awards", collector)
    if len(awards):  # raises recommended and benefits granted: apart from the pay, never added to it
        _section(summary, labels["awards"], [labels["component"], labels["rule"], labels["in_words"],
                                              labels["evidence"], labels["award"]])
        for award in awards.itertuples(index=False):
            row = [award.component, award.rule, words.get(award.rule, ""), award.evidence,
                   _award_text(award, labels, minor)]
            summary.append(row)
            for cell in summary[summary.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            wrapped_lines = max(-(-display_width(text) // (WORDS_WIDTH + 4)) for text in row[2:])
            if wrapped_lines > 1:
                summary.row_dimensions[summary.max_row].height = 15 * wrapped_lines
        summary.append([])

    balances = report.rows_of("state", collector)
    _section(summary, labels["balances"], [labels["balance"], labels["amount"]])
    for balance, amount in zip(balances["balance"], balances["amount"]):
        kind, _, holdback = balance.partition(":")  # holdback:<id>
        name = labels["balance_names"].get(kind, balance).format(id=holdback)
        summary.append([name, money_value(int(amount), minor)])
    if not len(balances):
        summary.append([labels["none"]])
    summary.append([])

    _section(summary, labels["progress"])
    for text in _progress(report, policy, collector, labels, request.lang) or [labels["none"]]:
        summary.append([text])

    _money_formats(summary, minor)
    fit_widths(summary, maximum=WORDS_WIDTH)
    summary.column_dimensions["C"].width = WORDS_WIDTH
    for (cell,) in summary.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if by_bucket:
        chart = BarChart()
        chart.title = labels["chart"]
        chart.y_axis.title = f"{labels['recovered']} ({report.currency})"
        chart.legend = None
        chart.add_data(Reference(summary, min_col=3, min_row=first_bucket_row, max_row=last_bucket_row))
        chart.set_categories(Reference(summary, min_col=1, min_row=first_bucket_row, max_row=last_bucket_row))
        chart.height, chart.width = 7, 16
        summary.add_chart(chart, f"A{summary.max_row + 2}")
    heading = f"{labels['title']} {title[1]} {report.period}"
    footer = facts.controls_note if facts is not None else ""
    _print_setup(summary, heading, footer)

    bucket = policy.classifier("bucket")
    # recovery lines (no component) when this run paid no line rate; without lines, ask the plan
    line_rated = pc.any(pc.not_equal(lines["component"], "")).as_py() if lines.num_rows else \
        any(isinstance(c, LineRate) for c in policy.components)
    detail_rows = _detail_sheet(workbook.create_sheet(labels["detail"]), lines, labels, minor,
                                bucket.labels if bucket else (), heading, line_rated)
    plan_sheet = workbook.create_sheet(labels["plan_sheet"])
    plan_sheet.append([labels["rule"], labels["component"], labels["in_words"]])
    for row in describe_plan(policy, request.lang):
        plan_sheet.append(list(row))
    _header_style(plan_sheet)
    fit_widths(plan_sheet, maximum=70)
    plan_sheet.freeze_panes = "A2"
    _print_setup(plan_sheet, heading)
    request.path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, request.path, [detail_rows])
    return request.path


def _award_text(award, labels: dict, minor: int) -> str:
    """What an award gives, from its row: a raise (a percentage or an amount, and from when) or a quantity."""
    if award.kind == "benefit":
        return labels["benefit_award"].format(quantity=award.quantity, unit=award.unit)
    if award.raise_percent:
        return labels["raise_percent"].format(rate=award.raise_percent, date=award.effective_from)
    return labels["raise_amount"].format(amount=format_minor(int(award.raise_amount), minor, grouped=True),
                                         date=award.effective_from)


def _pay_code(code: str, labels: dict) -> str:
    name = labels["pay_code_names"].get(code)
    return f"{name} ({code})" if name else code


def _payments(lines: pa.Table) -> pa.Table:
    """Each payment once: the first line-rate component's lines (or the recovery lines of a plan
    without one)."""
    return lines.filter(pc.equal(lines["component"], lines["component"][0])) if lines.num_rows else lines


def _recovered_by_bucket(payments: pa.Table, policy) -> list[tuple[str, int, int]]:
    """(bucket, payments, recovered) in the plan's bucket order."""
    if not payments.num_rows or "bucket" not in payments.column_names:
        return []
    grouped = payments.group_by("bucket", use_threads=False).aggregate([("base", "count"), ("base", "sum")])
    found = dict(zip(grouped["bucket"].to_pylist(), zip(grouped["base_count"].to_pylist(),
                                                         grouped["base_sum"].to_pylist())))
    classifier = policy.classifier("bucket")
    order = [b for b in (classifier.labels if classifier else found) if b in found]
    return [(bucket, *found[bucket]) for bucket in order]


def _progress(report: RunReport, policy, collector: str, labels: dict, lang: str) -> list[str]:
    """How far each tier schedule is from its next tier, and every KPI the plan looked at."""
    texts, minor = [], report.minor_units
    money = lambda value: format_minor(value, minor, grouped=True)  # noqa: E731
    say = Words(lang, minor)
    recovered = int(report.rows_of("payouts", collector)["recovered"].iloc[0])
    mine = report.rows_of("kpis", collector)
    for component in policy.components:
        if not (isinstance(component, Tiers) and component.pays == "monthly" and report.period.kind == "month"):
            continue
        bound = _tier_bound(component, mine, str(report.period), policy)
        measured = _measured(component, mine, str(report.period), recovered)
        if bound is None or measured is None:  # on a share, for a collector without a target; not measured
            continue
        above = [t for t in component.tiers if bound(t.low) > measured]
        if above:
            tier = above[0]
            rate = format_rate(tier.rate) if tier.rate is not None else money(tier.amount if tier.each is None
                                                                                 else tier.each)
            if component.base in ("recovered", "attainment"):
                texts.append(labels["next_tier"].format(tier=tier.id, rate=rate,
                                                        amount=money(bound(tier.low) - measured)))
            else:
                more = bound(tier.low) - measured
                texts.append(labels["next_tier_measure"].format(tier=tier.id, rate=rate, measure=say.measure(
                    component.base), amount=more if unit(component.base) == COUNT else money(more)))
        else:
            texts.append(labels["top_tier"].format(component=component.id))
    for kpi, window, numerator, denominator in zip(mine["kpi"], mine["window"], mine["numerator"],
                                                   mine["denominator"]):
        value = Decimal(int(numerator)) / Decimal(int(denominator))
        if kpi in ("attainment", "recovery_rate"):  # the amounts too, so the ratio can be checked by hand
            shown = f"{value * 100:.1f}% ({money(int(numerator))} / {money(int(denominator))})"
        elif unit(kpi) in (MONEY, COUNT):
            shown = money(int(numerator)) if unit(kpi) == MONEY else str(int(numerator))
        else:
            shown = f"{value:.1f}"
        texts.append(labels["attainment"].format(kpi=say.measure(kpi), window=window, value=shown))
    return texts


def _measured(component: Tiers, kpis: pd.DataFrame, window: str, recovered: int):
    """What a tier schedule's bounds are compared with: the recovered amount (also on attainment, whose
    bounds are money), or the measure the run kept (fees, a count...); None on recovery_rate, or when
    the run did not measure it."""
    if component.base in ("recovered", "attainment"):
        return recovered
    if unit(component.base) == SHARE:
        return None
    value = kpis.loc[(kpis["kpi"] == component.base) & (kpis["window"] == window), "numerator"]
    return int(value.iloc[0]) if len(value) else None


def _tier_bound(component: Tiers, kpis: pd.DataFrame, window: str, policy):
    """Tier bound -> money for this collector: the bound itself, or (on attainment) that share of the
    target the run used (the attainment KPI's denominator); None without a target."""
    if component.base != "attainment":  # money or a count (recovery_rate is left out: _measured)
        return lambda value: value
    target = kpis.loc[(kpis["kpi"] == "attainment") & (kpis["window"] == window), "denominator"]
    if not len(target):
        return None
    target = np.array([int(target.iloc[0])], dtype=np.int64)
    return lambda share: int(attainment_bound(target, share, policy.rounding.mode)[0])


def _detail_sheet(sheet, lines: pa.Table, labels: dict, minor: int, bucket_order, heading: str,
                  line_rated: bool) -> RenderedRows:
    """Every credited payment in the plan's bucket order, then by date, with a subtotal per bucket
    and a total. The rows are rendered straight to XML (see sheet_rows): as openpyxl cells, ~500
    lines per statement took most of a department's statement run."""
    columns = [("payment_date", labels["date"]), ("payment_id", labels["payment"]), ("account", labels["account"]),
               ("bucket", labels["bucket"]),
               ("band", labels["band"]), ("base", labels["recovered"]), ("credit_share", labels["share"]),
               ("reverses", labels["reverses"]), ("fee_rate", labels["fee_rate"]),
               ("base_amount", labels["base_amount"]), ("rate", labels["rate"]), ("commission", labels["commission"]),
               ("limit", labels["limit"]), ("amount", labels["amount"]), ("rule", labels["rule"]),
               ("component", labels["component"])]
    columns = [(name, label) for name, label in columns if name in lines.column_names
               and (line_rated or name not in RATE_COLUMNS) and _informative(lines, name)]
    names = [name for name, _ in columns]
    money = [name for name in names if name in DETAIL_MONEY]
    kinds = {name: "money" if name in money else "date" if name == "payment_date" else
             "code" if name in DETAIL_CODES else "text" for name in names}
    sheet.append([label for _, label in columns])
    _header_style(sheet)

    body = lines.select(names)
    if "limit" in names:  # the engine's min / max, in words
        limit = pc.cast(body["limit"], pa.string())
        for code, words in labels["limits"].items():
            limit = pc.if_else(pc.equal(limit, code), words, limit)
        body = body.set_column(names.index("limit"), "limit", limit)
    totals = [{**{name: pc.sum(lines[name]).as_py() or 0 for name in money}, "_label": labels["total"]}]
    if "bucket" in names and lines.num_rows:
        buckets = lines["bucket"].to_numpy(zero_copy_only=False)
        rank = pd.Series(buckets).map({label: i for i, label in enumerate(bucket_order)}).fillna(len(bucket_order))
        order = np.lexsort((np.arange(lines.num_rows), lines["payment_date"].to_numpy(zero_copy_only=False),
                            buckets, rank.to_numpy()))
        body, buckets = body.take(order), buckets[order]
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])  # each bucket is one run after the sort
        sums = {name: np.add.reduceat(body[name].to_numpy(), starts) for name in money}
        subtotals = [{**{name: int(sums[name][k]) for name in money},
                      "_label": labels["subtotal"].format(bucket=buckets[start])} for k, start in enumerate(starts)]
        ends = np.r_[starts[1:], lines.num_rows]
        # a bucket's subtotal row goes right after its last payment, the total after everything
        at = np.concatenate([np.arange(lines.num_rows), ends - 0.5, [lines.num_rows]])
        totals = subtotals + totals
    else:
        at = np.arange(lines.num_rows + 1)
    total_rows = pa.Table.from_pylist(totals, schema=pa.schema([body.schema.field(name) for name in money]
                                                               + [pa.field("_label", pa.string())]))
    table = pa.concat_tables([body.append_column("_label", pa.nulls(body.num_rows, pa.string())), total_rows],
                             promote_options="default")
    table = table.take(np.argsort(at, kind="stable"))
    rows = render_rows(sheet, table, kinds, minor, label="_label")

    for position, (name, label) in enumerate(columns):  # widths from the data, not cell by cell
        if name in money:
            longest = len(f"{money_value(pc.max(pc.abs(table[name])).as_py() or 0, minor):,}") + 1  # minus sign
        else:
            text = pc.cast(table[name], pa.string())
            longest = pc.max(pc.add(pc.utf8_length(text), pc.count_substring_regex(text, _WIDE))).as_py() or 0
        width = max(longest + 3, display_width(label) + 3, 8)  # room for fonts wider than Calibri
        sheet.column_dimensions[get_column_letter(position + 1)].width = min(width, 40)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"  # the header on every printed page
    _print_setup(sheet, heading)
    return rows


def _informative(lines: pa.Table, name: str) -> bool:
    """Leave out columns that say nothing for this collector (no split, no reversal, no limit, one
    component): the statement is easier to read, and faster to write."""
    if name == "credit_share":
        return pc.any(pc.not_equal(lines[name], "1")).as_py() or False
    if name in ("reverses", "limit", "fee_rate"):
        return pc.any(pc.not_equal(lines[name], "")).as_py() or False
    if name == "commission":
        return _informative(lines, "limit") if "limit" in lines.column_names else True
    if name == "component":
        return pc.count_distinct(lines[name]).as_py() > 1
    return True


def _section(sheet, title: str, headers: Sequence[str] = ()) -> None:
    """A section title, and a shaded header row if the section is a table."""
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    if headers:
        sheet.append(list(headers))
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
            cell.fill = HEADER_FILL


def _total(sheet, values: list) -> None:
    """A bold, shaded total row (its money cells get their format with the rest of the sheet's)."""
    sheet.append(values)
    for column in range(1, len(values) + 1):
        cell = sheet.cell(row=sheet.max_row, column=column)
        cell.font = BOLD
        cell.fill = TOTAL_FILL


def _header_style(sheet) -> None:
    for cell in sheet[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL


def _money_formats(sheet, minor: int) -> None:
    number_format = money_format(minor)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = number_format


def _print_setup(sheet, heading: str, footer: str = "") -> None:
    """A4, fit to the page's width, each page headed with whose statement it is and numbered, and footed
    with how the batch was controlled when that needs saying."""
    sheet.oddHeader.left.text = heading.replace("&", "&&")  # & starts a header code
    sheet.oddFooter.right.text = "&P / &N"
    if footer:
        sheet.oddFooter.left.text = footer.replace("&", "&&")
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = False


def write_statements(folder, target, source: dict, collector: Optional[str] = None, lang: Optional[str] = None,
                     jobs: Optional[int] = None, progress=None, store: Optional[StoreFacts] = None,
                     only: Optional[Sequence[str]] = None) -> int:
    """Statements for everyone in the run folder, all or none, in `jobs` processes: the `target`
    folder is replaced whole. With `collector`, only that collector's workbook is (re)written in it.

    `source` says which run folder or batch they come from ({"run": path} or {"batch_id", "token"});
    it is recorded in the folder's statements.json, and a folder holding statements of another
    source is never replaced. `store` (for a stored batch) adds the year to date and, for an
    adjustment batch, what was paid before it and what it pays; `only` limits the statements to
    these collectors (a correction's statements go only to those it changes).
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    from ..errors import InputError, Problem
    from ..outputs.atomic import atomic_directory, atomic_file
    from ..outputs.owners import statements_folder
    from ..outputs.paths import clash, file_in, safe_file_name
    from ..outputs.report_reader import load_report

    report = load_report(folder)
    language = statement_language(report, lang)
    collectors = [c for c in report.payouts["collector_id"] if only is None or c in set(only)]
    suffix = f"-{report.period}.xlsx"
    names = [safe_file_name(c, suffix) for c in collectors]
    may_replace = statements_folder(source, names)
    if collector is not None:  # one workbook, added to (or replacing its own in) the folder; the rest stay
        if collector not in collectors:
            raise InputError([Problem("", "", f"{collector!r} is not in the run for {report.period}",
                                      role="collector")])
        may_replace(Path(target))
        with atomic_file(file_in(target, collector, suffix), where=target) as staged:
            write_statement(report, _request(collector, language, staged, store))
        _write_index(Path(target), source, report, language)
        return 1
    same = clash(names)
    if same:
        raise InputError([Problem(str(target), "", f"the statements {same[0]} and {same[1]} would be one file "
                                  "where case is ignored (Windows, macOS); give those collectors ids that differ "
                                  "by more than case", role="out")])
    jobs = jobs or os.cpu_count() or 1
    with atomic_directory(target, may_replace) as staging:
        requests = [_request(c, language, file_in(staging, c, suffix), store) for c in collectors]
        if progress:
            progress(len(requests), 0)
        if jobs == 1 or len(requests) < 8:
            for request in requests:
                write_statement(report, request)
                if progress:
                    progress(len(requests), 1)
        else:
            chunks = [requests[i::jobs] for i in range(jobs)]
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for done in pool.map(_write_chunk, [folder] * len(chunks), chunks):
                    if progress:
                        progress(len(requests), done)
        _write_index(staging, source, report, language)
    return len(requests)


def _write_index(folder: Path, source: dict, report: RunReport, language: str) -> None:
    """statements.json: whose statements these are (see outputs.owners) and each workbook's SHA-256."""
    import hashlib
    import json

    from ..outputs.atomic import atomic_file
    from ..outputs.owners import STATEMENTS_INDEX

    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.xlsx"))}
    document = {"owner": {"command": "statements", "source": source}, "period": str(report.period),
                "language": language, "files": files}
    with atomic_file(folder / STATEMENTS_INDEX) as staged:
        staged.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _request(collector: str, language: str, path: Path, store: Optional[StoreFacts]) -> StatementRequest:
    return StatementRequest(collector, language, path, ytd=store.ytd.get(collector, {}) if store else None,
                            store=store,
                            correction=(store.adjustment_batch, *store.corrections.get(collector, (0, 0)))
                            if store and store.adjustment_batch else None)


def _write_chunk(folder, requests) -> int:
    """One worker: read the run once, write its share of the statements."""
    from ..outputs.report_reader import load_report

    report = load_report(folder)
    for request in requests:
        write_statement(report, request)
    return len(requests)
