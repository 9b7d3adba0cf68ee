"""Words and colours every part of a comparison report shares (charts, workbook, HTML, lint.txt), so a
scenario reads and looks the same everywhere: today is "today / 现行" and the same colour on every chart
and in every workbook chart.

Labels are in the report's language: English, Chinese or both (`lang`: en, zh, en+zh).
"""

from __future__ import annotations

from .replay import TODAY_LABEL

#: Report and chart terms (English, 中文), in the words of the glossary.
TERMS = {
    "title": ("Plan comparison", "提成方案对比"),
    "today": ("today", "现行"),
    "plan": ("Plan", "方案"),
    "period": ("Period", "期间"),
    "cost": ("Cost (net payout)", "成本(实发提成)"),
    "recovered": ("Recovered", "回款金额"),
    "cost_to_collect": ("Cost-to-collect", "催收成本率"),
    "cost_by_period": ("Cost per scenario and period", "各方案各期成本"),
    "ctc_by_period": ("Cost-to-collect (payout / recovered)", "催收成本率(提成/回款)"),
    "bucket": ("Overdue bucket", "逾期阶段"),
    "cost_by_bucket": ("Cost by overdue bucket", "按逾期阶段的成本"),
    "ctc_on_bars": ("% on the bars: line commission / recovered in the bucket", "柱上百分比: 该阶段回款提成/回款"),
    "other_pay": ("tiers, bonuses, adjustments", "阶梯/奖金/调整"),
    "distribution": ("Pay per collector", "每位催收员的提成"),
    "box_note": ("box: p25 to p75, black line: median, whiskers: p10 to p90",
                 "箱体: P25至P75, 黑线: 中位数, 须: P10至P90"),
    "lorenz": ("Concentration of pay (Lorenz curve)", "提成集中度(洛伦兹曲线)"),
    "share_collectors": ("Share of collectors, lowest paid first", "催收员占比(由低到高)"),
    "share_pay": ("Share of total pay", "提成占比"),
    "equality": ("equal pay", "完全平均"),
    "winners": ("Who gains and who loses", "谁得益, 谁受损"),
    "delta_pay": ("Change in pay", "提成变化"),
    "collectors_sorted": ("Collectors, sorted by change", "催收员(按变化排序)"),
    "gain": ("gain", "增加"),
    "lose": ("lose", "减少"),
    "vs": ("vs", "对比"),
    "curves": ("Payout curves: pay against recovery", "提成曲线: 回款与提成"),
    "curve_mix": ("a typical collector: R recovered in each month of {quarter}, in the mix of all payments: {mix}",
                  "典型催收员: {quarter}每月回款R, 回款结构同全体: {mix}"),
    "curve_totals": ("Totals are every collector's own pay (own mix and level); see the Summary",
                     "合计为每位催收员按自身回款结构与金额的实际提成, 见汇总"),
    "total": ("total", "合计"),
    "months_at": ("collector-months at this recovery", "该回款水平的人月数"),
    "recovered_month": ("Recovered per month", "月回款金额"),
    "pay_month": ("Pay per month", "月提成"),
    "median": ("median collector-month", "中位数人月"),
    "baseline": ("baseline", "基准"),
    "p90": ("90th percentile", "第90百分位"),
    "jump": ("jump", "跳升"),
    "sweep": ("Sweep", "参数扫描"),
    "current": ("current", "现值"),
    "behaviour": ("Behavioural what-if (ASSUMPTION)", "行为假设情景(假设)"),
    "static": ("static", "静态"),
    "assumption": ("assumption", "假设"),
    "change_from_static": ("change from static", "相对静态的变化"),
    "behavioural": ("with response", "含行为反应"),
    "elasticity": ("elasticity", "弹性"),
    "thousand": ("thousand", "千"),
    "million": ("million", "百万"),
    "collectors": ("collectors", "名催收员"),
    "chart": ("Chart", "图"),
    "chart_data": ("Chart data", "图表数据"),
}

#: One colour per scenario, in order (today first), in every chart of the report and the workbook.
PALETTE = ("#4E79A7", "#E15759", "#59A14F", "#F28E2B", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F",
           "#BAB0AC")


def pick(pair: tuple[str, str], lang: str, joiner: str = " ") -> str:
    """The English or Chinese of a pair, or both (joined by `joiner`) for en+zh."""
    english, chinese = pair
    if lang == "en":
        return english
    if lang == "zh":
        return chinese
    return english if english == chinese else f"{english}{joiner}{chinese}"


def term(key: str, lang: str = "en+zh", joiner: str = " ") -> str:
    return pick(TERMS[key], lang, joiner)


def shown_label(label: str, lang: str) -> str:
    """A scenario's or curve's label as shown: today in the report's language, plans by their ids."""
    if label == TODAY_LABEL:
        return term("today", lang, " / ")
    if label.startswith(TODAY_LABEL + ": "):
        return f"{term('today', lang, ' / ')}: {label[len(TODAY_LABEL) + 2:]}"
    return label


def colours(labels) -> dict[str, str]:
    """Scenario label -> its colour (hex), in the order given."""
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
