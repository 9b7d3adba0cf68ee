"""Write a plan comparison: an Excel workbook, one self-contained HTML page, and the charts as PNG files.

    comparison.xlsx   one sheet per table (money as exact values with the currency's decimals, ratios
                      as percentages), the charts on a sheet of their own
    comparison.html   every table and chart in one file: CSS inline, PNGs as base64 data URIs, no
                      scripts, no links, nothing fetched from anywhere
    charts/*.png      the charts

All files or none: the folder is written aside and moved into place at the end.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl.drawing.image import Image

from ..money import format_minor
from .compare import OTHER_BUCKET
from .curves import monthly_pay_exact
from ..outputs.atomic import atomic_directory
from ..outputs.owners import only_files
from .charts import render_all, term
from ..outputs.workbook import fit_widths, new_workbook, save_workbook, write_sheet

REPORT_FILES = ("comparison.xlsx", "comparison.html", "charts")
PERCENT_FORMAT = "0.00%"

#: Column headers (English, 中文) of the report tables.
HEADERS = {
    "plan": ("plan", "方案"), "period": ("period", "期间"), "recovered": ("recovered", "回款金额"),
    "cost": ("cost", "成本"), "line_commission": ("line commission", "回款提成"),
    "cost_to_collect": ("cost-to-collect", "催收成本率"), "change_in_cost": ("change in cost", "成本变化"),
    "change_in_cost_share": ("change in cost %", "成本变化率"), "collectors_paid": ("collectors paid", "获提成人数"),
    "withheld_at_end": ("withheld at end", "期末暂扣"), "owed_by_collectors_at_end": ("owed by collectors at end",
                                                                                     "期末欠款"),
    "collector_id": ("collector", "催收员"), "name": ("name", "姓名"), "team": ("team", "组别"),
    "collectors": ("collectors", "人数"), "winners": ("winners", "增加人数"), "losers": ("losers", "减少人数"),
    "unchanged": ("unchanged", "不变人数"), "gained": ("total gained", "增加总额"), "lost": ("total lost", "减少总额"),
    "largest_gain_collector": ("largest gain: who", "增加最多者"), "largest_gain": ("largest gain", "最大增加"),
    "largest_loss_collector": ("largest loss: who", "减少最多者"), "largest_loss": ("largest loss", "最大减少"),
    "net_change": ("net change", "净变化"), "kind": ("gain / loss", "增/减"), "rank": ("rank", "名次"),
    "baseline_pay": ("baseline pay", "基准方案提成"), "pay": ("pay", "提成"), "delta": ("change", "变化"),
    "total": ("total pay", "提成总额"), "p10": ("p10", "P10"), "p25": ("p25", "P25"), "p50": ("median", "中位数"),
    "p75": ("p75", "P75"), "p90": ("p90", "P90"), "max": ("max", "最高"), "top10_share": ("top 10% share",
                                                                                        "前10%占比"),
    "gini": ("Gini", "基尼系数"), "bucket": ("overdue bucket", "逾期阶段"),
    "recovered_per_month": ("recovered per month", "月回款"), "pay_per_quarter": ("pay per quarter", "季度提成"),
    "pay_per_month": ("pay per month", "月提成"), "on_grid": ("on uniform grid", "等距点"),
    "code": ("code", "代码"), "where": ("where", "位置"), "message": ("warning", "提示"),
    "silenced": ("silenced, reason", "已忽略(原因)"), "static_recovered": ("recovered (static)", "回款(静态)"),
    "static_cost": ("cost (static)", "成本(静态)"), "static_cost_to_collect": ("cost-to-collect (static)",
                                                                           "催收成本率(静态)"),
    "recovery_change": ("change in recovery", "回款变化"),
    "behavioural_recovered": ("recovered (with response)", "回款(含反应)"),
    "behavioural_cost": ("cost (with response)", "成本(含反应)"),
    "behavioural_cost_to_collect": ("cost-to-collect (with response)", "催收成本率(含反应)"),
    "item": ("item", "项目"), "value": ("value", "内容"), "file": ("file", "文件"), "sha256": ("SHA-256", "SHA-256"),
    "description": ("description", "说明"),
}
MONEY = {"recovered", "cost", "line_commission", "change_in_cost", "withheld_at_end", "owed_by_collectors_at_end",
         "gained", "lost", "largest_gain", "largest_loss", "net_change", "baseline_pay", "pay", "delta", "total",
         "p10", "p25", "p50", "p75", "p90", "max", "recovered_per_month", "pay_per_quarter", "static_recovered",
         "static_cost", "behavioural_recovered", "behavioural_cost"}
RATIOS = {"cost_to_collect", "change_in_cost_share", "top10_share", "static_cost_to_collect", "recovery_change",
          "behavioural_cost_to_collect"}


def header(column: str, lang: str, values: tuple = ()) -> str:
    """The shown header of a column; `paid:<plan>` and `delta:<plan>` name their plan; value1.. the sweep."""
    if column.startswith("paid:"):
        return f"{column[5:]}: {_pick(('pay', '提成'), lang)}"
    if column.startswith("delta:"):
        return f"{column[6:]}: {_pick(('change vs baseline', '较基准变化'), lang)}"
    if column.startswith("value") and column[5:].isdigit() and values:
        return values[int(column[5:]) - 1]
    pair = HEADERS.get(column)
    return _pick(pair, lang) if pair else column


def _pick(pair: tuple[str, str], lang: str) -> str:
    return {"en": pair[0], "zh": pair[1]}.get(lang, f"{pair[0]} {pair[1]}" if pair[0] != pair[1] else pair[0])


def _is_money(column: str) -> bool:
    return column in MONEY or column.startswith(("paid:", "delta:"))


def _kind(column: str) -> str:
    if _is_money(column):
        return "money"
    return "ratio" if column in RATIOS else "text"


# -- tables as shown ------------------------------------------------------------------------

def tables(comparison, lang: str) -> list[tuple[str, str, pd.DataFrame, tuple]]:
    """(key, title, frame, sweep value names) of every table of the report, in report order."""
    sweep_names = tuple(s.path for s in comparison.sweep.sweeps) if comparison.sweep is not None else ()
    buckets = comparison.buckets.assign(bucket=comparison.buckets["bucket"].replace(
        OTHER_BUCKET, _pick(("tiers, bonuses, adjustments", "阶梯/奖金/调整"), lang)))
    result = [
        ("summary", _pick(("Summary", "汇总"), lang), comparison.summary, ()),
        ("costs", _pick(("Cost by period", "各期成本"), lang), comparison.costs, ()),
        ("buckets", _pick(("Cost by bucket", "按逾期阶段"), lang), buckets, ()),
        ("distribution", _pick(("Distribution", "分布"), lang), comparison.distribution, ()),
    ]
    if len(comparison.labels) > 1:
        result += [
            ("winners", _pick(("Winners, losers", "得失"), lang), comparison.winners, ()),
            ("largest", _pick(("Largest changes", "变化最大"), lang), comparison.largest, ()),
            ("teams", _pick(("By team", "按组"), lang), comparison.teams, ()),
        ]
    result.append(("collectors", _pick(("Per collector", "每位催收员"), lang), comparison.collectors, ()))
    if comparison.curves is not None:
        points = comparison.curves.points
        shown = pd.DataFrame({"plan": points["plan"], "recovered_per_month": points["recovered"],
                              "pay_per_quarter": points["pay"],
                              "pay_per_month": [monthly_pay_exact(p, comparison.minor_units) for p in points["pay"]],
                              "on_grid": points["regular"].map({True: "yes", False: "boundary"})})
        result.append(("curves", _pick(("Payout curves", "提成曲线"), lang), shown, ()))
    result.append(("lint", _pick(("Health check", "方案体检"), lang), lint_frame(comparison), ()))
    if comparison.sweep is not None:
        result.append(("sweep", _pick(("Sweep", "参数扫描"), lang), comparison.sweep.table.drop(columns="values"),
                       sweep_names))
    if comparison.behaviour is not None:
        result.append(("behaviour", _pick(("What-if (assumption)", "行为假设"), lang), comparison.behaviour, ()))
    return result


def lint_frame(comparison) -> pd.DataFrame:
    rows = [{"plan": w.plan, "code": w.code, "where": w.where, "message": w.message, "silenced": w.silenced}
            for w in comparison.lint]
    return pd.DataFrame(rows, columns=["plan", "code", "where", "message", "silenced"])


def about_rows(comparison, lang: str) -> list[tuple[str, str]]:
    """What was compared, on what, and every assumption made."""
    sim = comparison.simulation
    months = sim.months
    rows = [(_pick(("baseline", "基准方案"), lang), sim.labels[0]),
            (_pick(("months simulated", "模拟月份"), lang), f"{months[0]} .. {months[-1]} ({len(months)})"),
            (_pick(("report periods", "报告期间"), lang), ", ".join(sim.report_periods)),
            (_pick(("currency", "币种"), lang), comparison.currency)]
    for run in sim.runs:
        policy = run.candidate.policy
        rows.append((f"{_pick(('plan', '方案'), lang)} {run.label}",
                     f"{policy.source} (sha256 {policy.sha256[:12]}) {policy.description}".strip()))
    if comparison.elasticity is not None:
        rows.append((_pick(("ASSUMPTION: elasticity", "假设: 弹性"), lang),
                     f"{float(comparison.elasticity):g}: recovery x (1 + E x change in effective marginal rate)"))
    for note in comparison.notes:
        rows.append((_pick(("note", "说明"), lang), note))
    for run in sim.runs:
        for warning in run.warnings:
            rows.append((f"{_pick(('engine warning', '引擎提示'), lang)} {run.label}", warning))
    return rows


# -- workbook -------------------------------------------------------------------------------

def write_workbook(comparison, charts: dict[str, bytes], path: Path, lang: str) -> None:
    workbook = new_workbook()
    minor = comparison.minor_units
    about = pd.DataFrame(about_rows(comparison, lang), columns=["item", "value"])
    write_sheet(workbook.create_sheet(_sheet_name(_pick(("About", "说明"), lang))), about, (), minor,
                total_label=None, headers=[header(c, lang) for c in about.columns])
    for key, title, frame, names in tables(comparison, lang):
        sheet = workbook.create_sheet(_sheet_name(title))
        money = [c for c in frame.columns if _is_money(c)]
        write_sheet(sheet, frame, money, minor, total_label=None,
                    headers=[header(c, lang, names) for c in frame.columns])
        for index, column in enumerate(frame.columns, start=1):
            if _kind(column) == "ratio":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = PERCENT_FORMAT
            if column == "pay_per_month":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "#,##0." + "0" * minor if minor else "#,##0"
    if charts:
        sheet = workbook.create_sheet(_sheet_name(_pick(("Charts", "图表"), lang)))
        row = 1
        for name, png in charts.items():
            image = Image(BytesIO(png))
            sheet.cell(row=row, column=1, value=name)
            sheet.add_image(image, f"A{row + 1}")
            row += int(image.height / 20) + 4
        fit_widths(sheet)
    save_workbook(workbook, path)


def _sheet_name(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31]


# -- HTML -----------------------------------------------------------------------------------

_TEMPLATES = Environment(loader=PackageLoader("commission.simulation", "templates"),
                         autoescape=select_autoescape(("html",)), keep_trailing_newline=True)


def _cell(column: str, value, minor: int) -> dict:
    """A table cell as the page shows it: its text and CSS class (numbers right-aligned, gains and
    losses coloured)."""
    if value is None or (isinstance(value, float) and value != value):
        return {"text": "", "css": ""}
    kind = _kind(column)
    if kind == "money":
        number = int(value)
        css = "n"
        if column.startswith("delta") and number:  # a change of pay: gains green, losses red
            css += " pos" if number > 0 else " neg"
        return {"text": _money(number, minor), "css": css}
    if kind == "ratio":
        return {"text": _percent(value), "css": "n"}
    if isinstance(value, (Decimal, int, np.integer)) and not isinstance(value, bool):
        return {"text": f"{value:,}", "css": "n"}
    return {"text": str(value), "css": ""}


def _money(value: int, minor: int) -> str:
    text = format_minor(int(value), minor)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def _percent(value: Decimal) -> str:
    """A ratio as a percentage with two decimals, half-up (display)."""
    shown = (Decimal(value) * 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return f"{shown}%"


def html_table(frame: pd.DataFrame, minor: int, lang: str, names: tuple = ()) -> dict:
    """A frame as the template's table: headers in the report's language, cells formatted."""
    return {"headers": [header(c, lang, names) for c in frame.columns],
            "rows": [[_cell(c, v, minor) for c, v in zip(frame.columns, row)]
                     for row in frame.itertuples(index=False, name=None)]}


def _chart(charts: dict[str, bytes], name: str) -> str:
    """A chart as base64 text for a data URI (the page stands alone), '' when it was not drawn."""
    return base64.b64encode(charts[name]).decode("ascii") if name in charts else ""


def render_html(comparison, charts: dict[str, bytes], lang: str, title: Optional[str] = None) -> str:
    """The comparison as one self-contained page, from templates/comparison.html (every text escaped)."""
    minor = comparison.minor_units
    shown = {key: (heading, frame, names) for key, heading, frame, names in tables(comparison, lang)}
    title = title or term("title", lang)
    legend = _pick(("cost = net payout, cost-to-collect = cost / recovered; the first plan is the baseline.",
                    "成本=实发提成, 催收成本率=成本/回款; 第一个方案为基准。"), lang)
    sections = []

    def section(key: str, chart: Optional[str] = None, intro: str = "", **more) -> None:
        if key in shown:
            heading, frame, names = shown[key]
            sections.append({"heading": more.pop("heading", heading), "intro": intro,
                             "chart": _chart(charts, chart) if chart else "",
                             "table": html_table(frame, minor, lang, names), **more})

    section("summary")
    sections.append({"kind": "lint", "heading": _pick(("Plan health check", "方案体检"), lang),
                     "none": _pick(("No warnings.", "无提示。"), lang), "silenced": _pick(("silenced", "已忽略"), lang),
                     "warnings": comparison.lint})
    section("costs", "cost_by_period.png")
    section("buckets", "cost_by_bucket.png", _pick((
        "Line commission by the bucket each payment was rated in; the last row holds what is paid per period "
        "(tiers, bonuses, overrides, gates, caps, deductions, holdbacks), so each plan's rows add up to its cost.",
        "按回款所属逾期阶段统计的回款提成; 最后一行为按期计算的部分(阶梯、奖金、管理提成、门槛、封顶、扣款、暂扣), 各行合计等于成本。"),
        lang))
    section("distribution", "pay_distribution.png", _pick((
        "Pay per collector over all months simulated; percentiles by nearest rank (each is a collector's pay).",
        "模拟期间每位催收员的提成合计; 百分位取最近秩(即某位催收员的实际金额)。"), lang))
    if "winners" in shown:
        section("winners", "winners_losers.png")
        section("largest")
        section("teams")
    if comparison.curves is not None:
        jumps = None
        if len(comparison.curves.jumps):
            jumps = {"headers": [header("plan", lang), header("recovered_per_month", lang),
                                 _pick(("pay per month just below", "临界点下月提成"), lang),
                                 _pick(("pay per month at", "临界点月提成"), lang)],
                     "rows": [[{"text": r.plan, "css": ""}, {"text": _money(r.recovered, minor), "css": "n"},
                               {"text": f"{monthly_pay_exact(r.before, minor):,}", "css": "n"},
                               {"text": f"{monthly_pay_exact(r.after, minor):,}", "css": "n"}]
                              for r in comparison.curves.jumps.itertuples()]}
        section("curves", "payout_curves.png", "; ".join(comparison.curves.notes), extra=jumps,
                folded=_pick(("curve points", "曲线数据"), lang))
    if comparison.sweep is not None:
        section("sweep", "sweep.png", ", ".join(f"{s.path} (now {s.current})" for s in comparison.sweep.sweeps),
                heading=f"{shown['sweep'][0]}: {comparison.sweep.plan}")
    if comparison.behaviour is not None:
        elasticity = f"{float(comparison.elasticity):g}"
        section("behaviour", "behaviour.png", assumption=(
            _pick(("ASSUMPTION, not a forecast.", "假设情景, 并非预测。"), lang),
            _pick((f"Each collector's recovery in a month is scaled by 1 + E x (the plan's effective marginal rate "
                   f"- the baseline's), E = {elasticity}, marginal rates read from the payout curves at the "
                   "collector's recovery that month. The static columns are the result on the real ledger; the "
                   "others show what the assumption would add.",
                   f"每位催收员每月回款按 1 + E x (方案边际提成率 - 基准方案边际提成率) 调整, E = {elasticity}; "
                   "静态列为真实回款下的结果。"), lang)))
    section("collectors", folded=f"{len(shown['collectors'][1])} {_pick(('collectors', '名催收员'), lang)}")
    page = {"lang": "zh" if lang == "zh" else "en", "title": title, "plans": " / ".join(comparison.labels),
            "about": about_rows(comparison, lang),
            "legend": f"{_pick(('Money in', '金额单位'), lang)} {comparison.currency}; {legend}",
            "sections": sections}
    return _TEMPLATES.get_template("comparison.html").render(page=page)


# -- all files ------------------------------------------------------------------------------

def write_comparison(comparison, out_dir: str | Path, lang: str = "en+zh", title: Optional[str] = None) -> Path:
    """Write the workbook, the HTML page and the charts into `out_dir` (replaced whole, atomically)."""
    charts = render_all(comparison, lang)
    with atomic_directory(out_dir, only_files(REPORT_FILES)) as staging:
        folder = staging / "charts"
        folder.mkdir()
        for name, png in charts.items():
            (folder / name).write_bytes(png)
        write_workbook(comparison, charts, staging / "comparison.xlsx", lang)
        (staging / "comparison.html").write_text(render_html(comparison, charts, lang, title), encoding="utf-8")
    return Path(out_dir)
