"""Write a plan comparison: an Excel workbook with native charts, one self-contained HTML page, the charts as
PNG files, and lint.txt.

    comparison.xlsx   opens on its Summary; one sheet per table (money as exact values with the currency's
                      decimals, ratios as percentages), native Excel charts on chartsheets of their own
                      (cost by period, cost by bucket, payout curves, sweep), the Lint and About sheets
                      (`workbook`)
    comparison.html   every table and chart in one file: CSS inline, PNGs as base64 data URIs, no
                      scripts, no links, nothing fetched from anywhere; `lang` is the report's language
    charts/*.png      the charts (`charts`)
    lint.txt          every health-check warning (silenced ones with their reason), every engine warning,
                      and any text the charts could not draw

All files or none: the folder is written aside and moved into place at the end.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..money import format_minor
from ..outputs.atomic import atomic_directory
from ..outputs.owners import only_files
from .charts import render_all
from .compare import OTHER_BUCKET
from .curves import monthly_pay_exact
from .labels import pick, shown_label, term
from .workbook import write_workbook

REPORT_FILES = ("comparison.xlsx", "comparison.html", "charts", "lint.txt")
PERCENT_FORMAT = "0.00%"

#: Column headers (English, 中文) of the report tables.
HEADERS = {
    "plan": ("plan", "方案"), "period": ("period", "期间"), "recovered": ("recovered", "回款金额"),
    "cost": ("cost", "成本"), "line_commission": ("line commission", "回款提成"),
    "cost_to_collect": ("cost-to-collect", "催收成本率"),
    "collectors_paid": ("collectors paid", "获提成人数"),
    "withheld_at_end": ("withheld at end", "期末暂扣"), "owed_by_collectors_at_end": ("owed by collectors at end",
                                                                                     "期末欠款"),
    "collector_id": ("collector", "催收员"), "name": ("name", "姓名"), "team": ("team", "组别"),
    "plan_today": ("plan today", "现行方案"),
    "collectors": ("collectors", "人数"), "winners": ("winners", "增加人数"), "losers": ("losers", "减少人数"),
    "unchanged": ("unchanged", "不变人数"), "gained": ("total gained", "增加总额"), "lost": ("total lost", "减少总额"),
    "largest_gain_collector": ("largest gain: who", "增加最多者"), "largest_gain": ("largest gain", "最大增加"),
    "largest_loss_collector": ("largest loss: who", "减少最多者"), "largest_loss": ("largest loss", "最大减少"),
    "net_change": ("net change", "净变化"), "kind": ("gain / loss", "增/减"), "rank": ("rank", "名次"),
    "pay": ("pay", "提成"), "delta": ("change", "变化"),
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
#: Headers that name the baseline ({b}: "today" when the baseline is what is paid today, else "baseline").
BASELINE_HEADERS = {
    "change_in_cost": ("change in cost vs {b}", "较{b}成本变化"),
    "change_in_cost_share": ("change in cost vs {b}, %", "较{b}成本变化率"),
    "change_in_cost_to_collect": ("change in cost-to-collect vs {b} (points)", "较{b}催收成本率变化(百分点)"),
    "baseline_pay": ("pay {b}", "{b}提成"), "baseline_cost": ("cost {b}", "{b}成本"),
    "baseline_cost_to_collect": ("cost-to-collect {b}", "{b}催收成本率"),
}
MONEY = {"recovered", "cost", "line_commission", "change_in_cost", "withheld_at_end", "owed_by_collectors_at_end",
         "gained", "lost", "largest_gain", "largest_loss", "net_change", "baseline_pay", "pay", "delta", "total",
         "p10", "p25", "p50", "p75", "p90", "max", "recovered_per_month", "pay_per_quarter", "static_recovered",
         "static_cost", "behavioural_recovered", "behavioural_cost", "baseline_cost"}
RATIOS = {"cost_to_collect", "change_in_cost_share", "top10_share", "static_cost_to_collect", "recovery_change",
          "behavioural_cost_to_collect", "change_in_cost_to_collect", "baseline_cost_to_collect"}
COUNTS = {"collectors", "winners", "losers", "unchanged", "collectors_paid", "rank"}
#: Changes, shown with their sign.
SIGNED = {"change_in_cost", "change_in_cost_share", "change_in_cost_to_collect", "net_change", "delta",
          "recovery_change"}


@dataclass(frozen=True)
class Written:
    """What write_comparison wrote: the folder, and the one line naming text the charts could not draw."""

    folder: Path
    chart_warning: Optional[str] = None

    @property
    def lint_file(self) -> Path:
        return self.folder / "lint.txt"


def baseline_word(comparison) -> tuple[str, str]:
    return ("today", "现行") if comparison.baseline_is_today else ("baseline", "基准")


def header(column: str, lang: str, values: tuple = (), baseline: tuple[str, str] = ("baseline", "基准")) -> str:
    """The shown header of a column; `paid:<plan>` and `delta:<plan>` name their scenario; value1.. the sweep."""
    if column.startswith("paid:"):
        return f"{shown_label(column[5:], lang)}: {pick(('pay', '提成'), lang)}"
    if column.startswith("delta:"):
        english, chinese = baseline
        return f"{shown_label(column[6:], lang)}: {pick((f'change vs {english}', f'较{chinese}变化'), lang)}"
    if column.startswith("value") and column[5:].isdigit() and values:
        return values[int(column[5:]) - 1]
    if column in BASELINE_HEADERS:
        english, chinese = BASELINE_HEADERS[column]
        return pick((english.format(b=baseline[0]), chinese.format(b=baseline[1])), lang)
    pair = HEADERS.get(column)
    return pick(pair, lang) if pair else column


def _is_money(column: str) -> bool:
    return column in MONEY or column.startswith(("paid:", "delta:"))


def _kind(column: str) -> str:
    signed = column in SIGNED or column.startswith("delta:")
    if _is_money(column):
        return "signed_money" if signed else "money"
    if column in RATIOS:
        return "signed_ratio" if signed else "ratio"
    return "count" if column in COUNTS else "text"


# -- tables as shown ------------------------------------------------------------------------

def _shown_plans(frame: pd.DataFrame, lang: str, column: str = "plan") -> pd.DataFrame:
    """A table with its scenario labels as shown (today in the report's language)."""
    if column not in frame or not len(frame):
        return frame
    return frame.assign(**{column: [shown_label(str(v), lang) for v in frame[column]]})


def tables(comparison, lang: str) -> list[tuple[str, str, pd.DataFrame, tuple]]:
    """(key, title, frame, sweep value names) of every table of the report, in report order."""
    sweep_names = tuple(s.path for s in comparison.sweep.sweeps) if comparison.sweep is not None else ()
    buckets = comparison.buckets.assign(bucket=comparison.buckets["bucket"].replace(
        OTHER_BUCKET, pick(("tiers, bonuses, adjustments", "阶梯/奖金/调整"), lang)))
    result = [("summary", pick(("Summary", "汇总"), lang), _shown_plans(comparison.summary, lang), ())]
    if comparison.today_plans is not None:
        result.append(("today_plans", pick(("Today by plan", "现行方案明细"), lang), comparison.today_plans, ()))
    if len(comparison.labels) > 1:
        result.append(("winners", pick(("Winners, losers", "得失"), lang), _shown_plans(comparison.winners, lang), ()))
    result += [
        ("costs", pick(("Cost by period", "各期成本"), lang), _shown_plans(comparison.costs, lang), ()),
        ("buckets", pick(("Cost by bucket", "按逾期阶段"), lang), _shown_plans(buckets, lang), ()),
        ("distribution", pick(("Distribution", "分布"), lang), _shown_plans(comparison.distribution, lang), ()),
    ]
    if len(comparison.labels) > 1:
        result += [
            ("teams", pick(("By team", "按组"), lang), _shown_plans(comparison.teams, lang), ()),
            ("largest", pick(("Largest changes", "变化最大"), lang), _shown_plans(comparison.largest, lang), ()),
        ]
    result.append(("collectors", pick(("Per collector", "每位催收员"), lang), comparison.collectors, ()))
    if comparison.curves is not None:
        points = comparison.curves.points
        shown = pd.DataFrame({"plan": [shown_label(p, lang) for p in points["plan"]],
                              "recovered_per_month": points["recovered"], "pay_per_quarter": points["pay"],
                              "pay_per_month": [monthly_pay_exact(p, comparison.minor_units) for p in points["pay"]],
                              "on_grid": points["regular"].map({True: pick(("yes", "是"), lang),
                                                                False: pick(("boundary", "临界点"), lang)})})
        result.append(("curves", pick(("Payout curves", "提成曲线"), lang), shown, ()))
    if comparison.sweep is not None:
        result.append(("sweep", pick(("Sweep", "参数扫描"), lang), comparison.sweep.table.drop(columns="values"),
                       sweep_names))
    if comparison.behaviour is not None:
        result.append(("behaviour", pick(("What-if (assumption)", "行为假设"), lang),
                       _shown_plans(comparison.behaviour, lang), ()))
    return result


def lint_frame(comparison, chart_warning: Optional[str] = None, lang: str = "en") -> pd.DataFrame:
    """Every health-check warning (active first), then every engine warning and what the charts could not draw."""
    rows = [{"plan": w.plan, "code": w.code, "where": w.where, "message": w.message, "silenced": w.silenced}
            for w in sorted(comparison.lint, key=lambda w: bool(w.silenced))]
    rows += [{"plan": shown_label(label, lang), "code": "engine", "where": "", "message": message, "silenced": ""}
             for label, message in comparison.engine_warnings]
    if chart_warning:
        rows.append({"plan": "", "code": "charts", "where": "", "message": chart_warning, "silenced": ""})
    return pd.DataFrame(rows, columns=["plan", "code", "where", "message", "silenced"])


def lint_counts(comparison) -> tuple[int, int, int]:
    """(active health-check warnings, silenced ones, engine warnings)."""
    active = sum(1 for w in comparison.lint if not w.silenced)
    return active, len(comparison.lint) - active, len(comparison.engine_warnings)


def lint_text(comparison, chart_warning: Optional[str] = None) -> str:
    """lint.txt: every finding, one per line (English: the plan health check's own words)."""
    active, silenced, engine = lint_counts(comparison)
    lines = [f"Health check of the plans compared: {active} warning(s), {silenced} silenced; "
             f"{engine} engine warning(s)" + ("; the charts could not draw some text" if chart_warning else ""), ""]
    lines += [str(w) for w in comparison.lint if not w.silenced]
    if silenced:
        lines += ["", "Silenced (the plan says why):"] + [str(w) for w in comparison.lint if w.silenced]
    if engine:
        lines += ["", "Engine warnings:"] + [f"{shown_label(label, 'en')}: {message}"
                                              for label, message in comparison.engine_warnings]
    if chart_warning:
        lines += ["", chart_warning]
    return "\n".join(lines) + "\n"


def about_rows(comparison, lang: str) -> list[tuple[str, str]]:
    """What was compared, on what, and every assumption made."""
    sim = comparison.simulation
    months = sim.months
    rows = [(pick(("baseline", "基准"), lang), shown_label(sim.labels[0], lang)),
            (pick(("months simulated", "模拟月份"), lang), f"{months[0]} .. {months[-1]} ({len(months)})"),
            (pick(("report periods", "报告期间"), lang), ", ".join(sim.report_periods)),
            (pick(("currency", "币种"), lang), comparison.currency)]
    for run in sim.runs:
        for policy in run.scenario.written:
            effective = f"effective {policy.effective_from}" + (f" to {policy.effective_to}" if policy.effective_to
                                                                else "")
            rows.append((f"{pick(('plan', '方案'), lang)}: {shown_label(run.label, lang)}",
                         f"{policy.plan} v{policy.version} ({effective}): {policy.source} (sha256 "
                         f"{policy.sha256[:12]}) {policy.description}".strip()))
    if sim.opening is not None:
        rows.append((pick(("opening balances", "期初余额"), lang),
                     f"{sim.opening.source}: left by the run for {sim.opening.period} ({len(sim.opening.state)} "
                     "balances)"))
    if comparison.elasticity is not None:
        rows.append((pick(("ASSUMPTION: elasticity", "假设: 弹性"), lang),
                     f"{float(comparison.elasticity):g}: recovery x (1 + E x change in effective marginal rate)"))
    for note in comparison.notes:
        rows.append((pick(("note", "说明"), lang), note))
    return rows


# -- HTML -----------------------------------------------------------------------------------

_TEMPLATES = Environment(loader=PackageLoader("commission.simulation", "templates"),
                         autoescape=select_autoescape(("html",)), keep_trailing_newline=True)
#: The page's `lang`: Chinese pages (and the bilingual one, whose Han characters must take Simplified
#: Chinese forms, not Japanese ones) say zh-CN; English pages en.
HTML_LANG = {"en": "en", "zh": "zh-CN", "en+zh": "zh-CN"}


def _cell(column: str, value, minor: int) -> dict:
    """A table cell as the page shows it: its text and CSS class (numbers right-aligned, gains and
    losses coloured)."""
    if value is None or (isinstance(value, float) and value != value):
        return {"text": "", "css": ""}
    kind = _kind(column)
    if kind in ("money", "signed_money"):
        number = int(value)
        css = "n"
        if kind == "signed_money" and number:
            css += " pos" if number > 0 else " neg"
        text = _money(number, minor)
        return {"text": f"+{text}" if kind == "signed_money" and number > 0 else text, "css": css}
    if kind in ("ratio", "signed_ratio"):
        text = _percent(value)
        return {"text": f"+{text}" if kind == "signed_ratio" and value > 0 else text, "css": "n"}
    if isinstance(value, Decimal) and column == "pay_per_month":
        return {"text": f"{value:,}", "css": "n"}
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


def html_table(frame: pd.DataFrame, minor: int, lang: str, names: tuple = (),
               baseline: tuple[str, str] = ("baseline", "基准")) -> dict:
    """A frame as the template's table: headers in the report's language, cells formatted."""
    return {"headers": [header(c, lang, names, baseline) for c in frame.columns],
            "rows": [[_cell(c, v, minor) for c, v in zip(frame.columns, row)]
                     for row in frame.itertuples(index=False, name=None)]}


def _chart(charts: dict[str, bytes], name: str) -> str:
    """A chart as base64 text for a data URI (the page stands alone), '' when it was not drawn."""
    return base64.b64encode(charts[name]).decode("ascii") if name in charts else ""


def render_html(comparison, charts: dict[str, bytes], lang: str, title: Optional[str] = None,
                chart_warning: Optional[str] = None) -> str:
    """The comparison as one self-contained page, from templates/comparison.html (every text escaped)."""
    minor = comparison.minor_units
    baseline = baseline_word(comparison)
    shown = {key: (heading, frame, names) for key, heading, frame, names in tables(comparison, lang)}
    title = title or term("title", lang)
    legend = pick(("cost = net payout, cost-to-collect = cost / recovered; every scenario is compared with the "
                   "first, the baseline.", "成本=实发提成, 催收成本率=成本/回款; 各方案均与第一个(基准)对比。"), lang)
    sections = []

    def section(key: str, chart: Optional[str] = None, intro: str = "", **more) -> None:
        if key in shown:
            heading, frame, names = shown[key]
            sections.append({"heading": more.pop("heading", heading), "intro": intro,
                             "chart": _chart(charts, chart) if chart else "",
                             "table": html_table(frame, minor, lang, names, baseline), **more})

    section("summary")
    section("today_plans", intro=pick(("What each plan of the roster pays today, over the months simulated.",
                                       "模拟期间各现行方案的实际发放。"), lang))
    section("winners", "winners_losers.png")
    active, silenced, engine = lint_counts(comparison)
    sections.append({"kind": "lint", "heading": pick(("Plan health check", "方案体检"), lang),
                     "none": pick(("No warnings.", "无提示。"), lang), "silenced": pick(("silenced", "已忽略"), lang),
                     "warnings": comparison.lint,
                     "engine": [(shown_label(label, lang), message) for label, message in comparison.engine_warnings],
                     "engine_heading": pick(("Engine warnings", "引擎提示"), lang), "chart_warning": chart_warning})
    section("costs", "cost_by_period.png")
    section("buckets", "cost_by_bucket.png", pick((
        "Line commission by the bucket each payment was rated in; the last row holds what is paid per period "
        "(tiers, bonuses, overrides, gates, caps, deductions, holdbacks), so each scenario's rows add up to its cost.",
        "按回款所属逾期阶段统计的回款提成; 最后一行为按期计算的部分(阶梯、奖金、管理提成、门槛、封顶、扣款、暂扣), 各行合计等于成本。"),
        lang))
    section("distribution", "pay_distribution.png", pick((
        "Pay per collector over all months simulated; percentiles by nearest rank (each is a collector's pay).",
        "模拟期间每位催收员的提成合计; 百分位取最近秩(即某位催收员的实际金额)。"), lang))
    section("teams")
    section("largest")
    if comparison.curves is not None:
        jumps = None
        if len(comparison.curves.jumps):
            jumps = {"headers": [header("plan", lang), header("recovered_per_month", lang),
                                 pick(("pay per month just below", "临界点下月提成"), lang),
                                 pick(("pay per month at", "临界点月提成"), lang)],
                     "rows": [[{"text": shown_label(r.plan, lang), "css": ""},
                               {"text": _money(r.recovered, minor), "css": "n"},
                               {"text": f"{monthly_pay_exact(r.before, minor):,}", "css": "n"},
                               {"text": f"{monthly_pay_exact(r.after, minor):,}", "css": "n"}]
                              for r in comparison.curves.jumps.itertuples()]}
        section("curves", "payout_curves.png", "; ".join(comparison.curves.notes), extra=jumps,
                folded=pick(("curve points", "曲线数据"), lang))
    if comparison.sweep is not None:
        section("sweep", "sweep.png", ", ".join(f"{s.path} (now {s.current})" for s in comparison.sweep.sweeps),
                heading=f"{shown['sweep'][0]}: {shown_label(comparison.sweep.plan, lang)}")
    if comparison.behaviour is not None:
        elasticity = f"{float(comparison.elasticity):g}"
        section("behaviour", "behaviour.png", assumption=(
            pick(("ASSUMPTION, not a forecast.", "假设情景, 并非预测。"), lang),
            pick((f"Each collector's recovery in a month is scaled by 1 + E x (the effective marginal rate of the plan "
                  f"that would pay them - that of the plan that pays them in the baseline), E = {elasticity}, "
                  "marginal rates read from the payout curves at the collector's recovery that month. The static "
                  "columns are the result on the real ledger; the others show what the assumption would add.",
                  f"每位催收员每月回款按 1 + E x (方案边际提成率 - 基准方案边际提成率) 调整, E = {elasticity}; "
                  "静态列为真实回款下的结果。"), lang)))
    section("collectors", folded=f"{len(shown['collectors'][1])} {pick(('collectors', '名催收员'), lang)}")
    page = {"lang": HTML_LANG.get(lang, "en"), "title": title,
            "plans": " / ".join(shown_label(label, lang) for label in comparison.labels),
            "about": about_rows(comparison, lang),
            "legend": f"{pick(('Money in', '金额单位'), lang)} {comparison.currency}; {legend}",
            "sections": sections}
    return _TEMPLATES.get_template("comparison.html").render(page=page)


# -- all files ------------------------------------------------------------------------------

def write_comparison(comparison, out_dir: str | Path, lang: str = "en+zh", title: Optional[str] = None,
                     progress=None) -> Written:
    """Write the workbook, the HTML page, the charts and lint.txt into `out_dir` (replaced whole,
    atomically)."""
    charts, chart_warning = render_all(comparison, lang, progress)
    if progress is not None:
        progress("writing the report", 0, 1)
    with atomic_directory(out_dir, only_files(REPORT_FILES)) as staging:
        folder = staging / "charts"
        folder.mkdir()
        for name, png in charts.items():
            (folder / name).write_bytes(png)
        baseline = baseline_word(comparison)
        write_workbook(comparison, staging / "comparison.xlsx", lang, tables(comparison, lang), _kind,
                       lambda column, names: header(column, lang, names, baseline), about_rows(comparison, lang),
                       lint_frame(comparison, chart_warning, lang))
        (staging / "comparison.html").write_text(render_html(comparison, charts, lang, title, chart_warning),
                                                 encoding="utf-8")
        (staging / "lint.txt").write_text(lint_text(comparison, chart_warning), encoding="utf-8")
    if progress is not None:
        progress("writing the report", 1, 1)
    return Written(Path(out_dir), chart_warning)
