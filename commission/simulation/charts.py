"""Charts of a plan comparison as PNG bytes (matplotlib, Agg backend: no display, no files).

Every chart has a title, labelled axes with units and the currency, and a legend naming the plans.
Labels are in the language of the statements: English, Chinese or both (`lang`: en, zh, en+zh). Money
arrives as exact integers and becomes a float only here, for drawing. The same comparison gives
byte-identical PNGs (no timestamps in the files).
"""

from __future__ import annotations

import io
import textwrap
from typing import Optional

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei",
             "Microsoft YaHei", "PingFang SC")

#: Report and chart terms (English, 中文), in the words of the glossary.
TERMS = {
    "title": ("Plan comparison", "提成方案对比"),
    "plan": ("Plan", "方案"),
    "period": ("Period", "期间"),
    "cost": ("Cost (net payout)", "成本(实发提成)"),
    "recovered": ("Recovered", "回款金额"),
    "cost_to_collect": ("Cost-to-collect", "催收成本率"),
    "cost_by_period": ("Cost per plan and period", "各方案各期成本"),
    "ctc_by_period": ("Cost-to-collect (payout / recovered)", "催收成本率(提成/回款)"),
    "bucket": ("Overdue bucket", "逾期阶段"),
    "cost_by_bucket": ("Cost by overdue bucket", "按逾期阶段的成本"),
    "other_pay": ("tiers, bonuses, adjustments", "阶梯/奖金/调整"),
    "distribution": ("Pay per collector", "每位催收员的提成"),
    "lorenz": ("Concentration of pay (Lorenz curve)", "提成集中度(洛伦兹曲线)"),
    "share_collectors": ("Share of collectors, lowest paid first", "催收员占比(由低到高)"),
    "share_pay": ("Share of total pay", "提成占比"),
    "equality": ("equal pay", "完全平均"),
    "winners": ("Who gains and who loses", "谁得益, 谁受损"),
    "delta_pay": ("Change in pay", "提成变化"),
    "collectors_sorted": ("Collectors, sorted by change", "催收员(按变化排序)"),
    "gain": ("gain", "增加"),
    "lose": ("lose", "减少"),
    "curves": ("Payout curves: pay against recovery", "提成曲线: 回款与提成"),
    "recovered_month": ("Recovered per month", "月回款金额"),
    "pay_month": ("Pay per month", "月提成"),
    "median": ("median collector", "中位数"),
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
}


def cjk_font() -> Optional[str]:
    """The first installed font that has Chinese glyphs (None when there is none)."""
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def term(key: str, lang: str = "en+zh") -> str:
    english, chinese = TERMS[key]
    return {"en": english, "zh": chinese}.get(lang, f"{english} {chinese}")


class _Style:
    """Per-chart style: fonts with a CJK fallback, one colour per plan, money scaled to a readable unit."""

    def __init__(self, lang: str, currency: str, labels):
        chinese = cjk_font()
        self.lang = lang if chinese is not None else "en"  # without a Chinese font, English rather than boxes
        self.currency = currency
        self.colours = {label: plt.get_cmap("tab10")(i % 10) for i, label in enumerate(labels)}
        # a list of families: matplotlib falls back glyph by glyph (Latin from DejaVu, Chinese from the CJK font)
        self.rc = {"font.family": ["DejaVu Sans", *([chinese] if chinese else [])], "font.size": 10,
                   "axes.titlesize": 12, "axes.titleweight": "bold", "figure.dpi": 110, "savefig.dpi": 110,
                   "axes.spines.top": False,
                   "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}

    def t(self, key: str) -> str:
        return term(key, self.lang)

    def money_axis(self, axis, values, minor_units: int, which: str = "y") -> str:
        """Format an axis of money in currency units, in thousands or millions when large; return the unit text."""
        largest = float(np.max(np.abs(values))) / 10**minor_units if len(values) else 0.0
        divisor, unit = 1.0, self.currency
        if largest >= 10_000_000:
            divisor, unit = 1e6, f"{self.currency} {self.t('million')}"
        elif largest >= 100_000:
            divisor, unit = 1e3, f"{self.currency} {self.t('thousand')}"
        scale = divisor * 10**minor_units
        target = axis.yaxis if which == "y" else axis.xaxis

        def shown(value, _):
            ticks = target.get_majorticklocs()
            spacing = float(np.min(np.diff(ticks))) / scale if len(ticks) > 1 else 1.0
            decimals = int(max(0, min(3, -np.floor(np.log10(spacing))))) if spacing > 0 else 0
            return f"{value / scale:,.{decimals}f}"

        formatter = FuncFormatter(shown)
        (axis.yaxis if which == "y" else axis.xaxis).set_major_formatter(formatter)
        return unit


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _ratio_floats(values) -> np.ndarray:
    return np.array([float(v) if v is not None else np.nan for v in values], dtype=float)


def cost_by_period(comparison, lang: str) -> bytes:
    style = _Style(lang, comparison.currency, comparison.labels)
    costs = comparison.costs.loc[comparison.costs["period"] != "all"]
    periods = list(dict.fromkeys(costs["period"]))
    labels = comparison.labels
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
        width = 0.8 / len(labels)
        x = np.arange(len(periods))
        for i, label in enumerate(labels):
            mine = costs.loc[costs["plan"] == label].set_index("period").reindex(periods)
            left.bar(x + (i - (len(labels) - 1) / 2) * width, mine["cost"].to_numpy(dtype=float), width,
                     label=label, color=style.colours[label])
            ratios = _ratio_floats(mine["cost_to_collect"]) * 100
            if len(periods) > 1:
                right.plot(x, ratios, marker="o", label=label, color=style.colours[label])
            else:
                right.bar(i, ratios[0], 0.6, color=style.colours[label], label=label)
                right.annotate(f"{ratios[0]:.2f}%", (i, ratios[0]), ha="center", va="bottom", fontsize=9)
        unit = style.money_axis(left, costs["cost"].to_numpy(), comparison.minor_units)
        left.set_xticks(x, periods, rotation=45 if len(periods) > 8 else 0)
        left.set_xlabel(style.t("period"))
        left.set_ylabel(f"{style.t('cost')} ({unit})")
        left.set_title(style.t("cost_by_period"))
        left.legend(fontsize=8)
        if len(periods) > 1:
            right.set_xticks(x, periods, rotation=45 if len(periods) > 8 else 0)
            right.set_xlabel(style.t("period"))
        else:
            right.set_xticks(range(len(labels)), labels, rotation=15, fontsize=8)
        right.yaxis.set_major_formatter(PercentFormatter(decimals=1))
        right.set_ylim(bottom=0)
        right.set_ylabel(f"{style.t('cost_to_collect')} (%)")
        right.set_title(style.t("ctc_by_period"))
        figure.tight_layout()
        return _png(figure)


def cost_by_bucket(comparison, lang: str) -> bytes:
    style = _Style(lang, comparison.currency, comparison.labels)
    table = comparison.buckets
    buckets = list(dict.fromkeys(table["bucket"]))
    from .compare import OTHER_BUCKET

    names = [textwrap.fill(style.t("other_pay"), 16) if b == OTHER_BUCKET else b for b in buckets]
    labels = comparison.labels
    with plt.rc_context(style.rc):
        figure, axis = plt.subplots(figsize=(11, 4.8))
        width = 0.8 / len(labels)
        x = np.arange(len(buckets))
        for i, label in enumerate(labels):
            mine = table.loc[table["plan"] == label].set_index("bucket").reindex(buckets)
            values = mine["cost"].fillna(0).to_numpy(dtype=float)
            bars = axis.bar(x + (i - (len(labels) - 1) / 2) * width, values, width, label=label,
                            color=style.colours[label])
            for bar, ratio in zip(bars, mine["cost_to_collect"]):
                if ratio is not None and ratio == ratio:
                    axis.annotate(f"{float(ratio) * 100:.1f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                                  ha="center", va="bottom", fontsize=7, rotation=90 if len(labels) > 2 else 0)
        unit = style.money_axis(axis, table["cost"].to_numpy(), comparison.minor_units)
        axis.axhline(0, color="black", linewidth=0.8)
        axis.set_xticks(x, names)
        axis.set_xlabel(style.t("bucket") + "  (% = " + style.t("cost_to_collect") + ")")
        axis.set_ylabel(f"{style.t('cost')} ({unit})")
        axis.set_title(style.t("cost_by_bucket"))
        axis.legend(fontsize=8)
        figure.tight_layout()
        return _png(figure)


def pay_distribution(comparison, lang: str) -> bytes:
    style = _Style(lang, comparison.currency, comparison.labels)
    table = comparison.collectors
    labels = comparison.labels
    gini = dict(zip(comparison.distribution["plan"], comparison.distribution["gini"]))
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
        data = [table[f"paid:{label}"].to_numpy(dtype=float) for label in labels]
        box = left.boxplot(data, patch_artist=True, showfliers=True, whis=(10, 90))
        for patch, label in zip(box["boxes"], labels):
            patch.set_facecolor(style.colours[label])
            patch.set_alpha(0.6)
        left.set_xticks(range(1, len(labels) + 1), labels, rotation=15 if len(labels) > 2 else 0, fontsize=8)
        unit = style.money_axis(left, table[[f"paid:{label}" for label in labels]].to_numpy().ravel(),
                                comparison.minor_units)
        left.set_ylabel(f"{style.t('distribution')} ({unit})")
        left.set_title(f"{style.t('distribution')} (p10-p90, {len(table)} {style.t('collectors')})")
        right.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label=style.t("equality"))
        for label, values in zip(labels, data):
            ordered = np.sort(np.maximum(values, 0))
            total = ordered.sum()
            if total <= 0:
                continue
            share = np.r_[0, np.cumsum(ordered) / total]
            coefficient = gini.get(label)
            right.plot(np.linspace(0, 1, len(share)), share, color=style.colours[label],
                       label=f"{label} (Gini {float(coefficient):.3f})" if coefficient is not None else label)
        right.xaxis.set_major_formatter(PercentFormatter(1.0))
        right.yaxis.set_major_formatter(PercentFormatter(1.0))
        right.set_xlabel(style.t("share_collectors"))
        right.set_ylabel(style.t("share_pay"))
        right.set_title(style.t("lorenz"))
        right.legend(fontsize=8, loc="upper left")
        figure.tight_layout()
        return _png(figure)


def winners_losers(comparison, lang: str) -> Optional[bytes]:
    labels = comparison.labels
    if len(labels) < 2:
        return None
    style = _Style(lang, comparison.currency, labels)
    table = comparison.collectors
    others = labels[1:]
    with plt.rc_context(style.rc):
        figure, axes = plt.subplots(len(others), 1, figsize=(11, 3.6 * len(others)), squeeze=False)
        for axis, label in zip(axes[:, 0], others):
            delta = np.sort(table[f"delta:{label}"].to_numpy(dtype=np.int64))
            colours = np.where(delta > 0, "#2e7d32", np.where(delta < 0, "#c62828", "#9e9e9e"))
            axis.bar(np.arange(len(delta)), delta.astype(float), color=colours, width=0.9)
            axis.axhline(0, color="black", linewidth=0.8)
            unit = style.money_axis(axis, delta, comparison.minor_units)
            gains, losses = int((delta > 0).sum()), int((delta < 0).sum())
            axis.set_title(f"{style.t('winners')}: {label} vs {labels[0]} — {gains} {style.t('gain')}, "
                           f"{losses} {style.t('lose')}")
            axis.set_ylabel(f"{style.t('delta_pay')} ({unit})")
            axis.set_xlabel(style.t("collectors_sorted"))
            axis.set_xticks([])
        figure.tight_layout()
        return _png(figure)


def payout_curves(comparison, lang: str) -> Optional[bytes]:
    curves = comparison.curves
    if curves is None:
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    points = curves.points
    monthly_recovered = comparison.simulation.baseline.payouts["recovered"].to_numpy(dtype=np.int64)
    positive = np.sort(monthly_recovered[monthly_recovered > 0])
    with plt.rc_context(style.rc):
        figure, axis = plt.subplots(figsize=(11, 5.5))
        for label in comparison.labels:
            mine = points.loc[points["plan"] == label].sort_values("recovered")
            axis.plot(mine["recovered"].to_numpy(dtype=float), mine["pay"].to_numpy(dtype=float) / 3,
                      color=style.colours[label], label=label, linewidth=1.8)
        unit = 10**comparison.minor_units
        top = float(points["pay"].max()) / 3 or 1.0
        for k, (_, jump) in enumerate(curves.jumps.sort_values("recovered").iterrows()):
            change = (jump["after"] - jump["before"]) / 3 / unit
            low = jump["after"] / 3 < 0.25 * top  # near the axis: label above the curve, else below it
            axis.annotate(f"{style.t('jump')} {change:+,.0f}", (float(jump["recovered"]), jump["after"] / 3),
                          xytext=(-10 if low else 14, (28 + 14 * (k % 3)) if low else (-16 - 14 * (k % 3))),
                          textcoords="offset points", fontsize=8, va="bottom" if low else "top",
                          color=style.colours[jump["plan"]],
                          arrowprops={"arrowstyle": "-", "color": style.colours[jump["plan"]], "lw": 0.6})
        if len(positive):
            for fraction, key in ((0.5, "median"), (0.9, "p90")):
                level = float(positive[max(0, int(np.ceil(fraction * len(positive))) - 1)])
                axis.axvline(level, color="grey", linestyle=":", linewidth=1)
                axis.annotate(style.t(key), (level, 1), xycoords=("data", "axes fraction"), xytext=(3, -4),
                              textcoords="offset points", fontsize=8, color="grey", rotation=90, va="top")
        x_unit = style.money_axis(axis, points["recovered"].to_numpy(), comparison.minor_units, which="x")
        y_unit = style.money_axis(axis, points["pay"].to_numpy() / 3, comparison.minor_units)
        axis.set_xlabel(f"{style.t('recovered_month')} ({x_unit})")
        axis.set_ylabel(f"{style.t('pay_month')} ({y_unit})")
        axis.set_title(f"{style.t('curves')} — {curves.quarter}")
        axis.set_xlim(left=0)
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=8, loc="upper left")
        figure.tight_layout()
        return _png(figure)


def sweep_chart(comparison, lang: str) -> Optional[bytes]:
    sweep = comparison.sweep
    if sweep is None or not len(sweep.table):
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    table = sweep.table
    first = sweep.sweeps[0]
    minor = comparison.minor_units
    x = np.array([float(first.number(v[0], minor)) for v in table["values"]])
    unit = first.unit(comparison.currency)
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
        groups = [(None, np.ones(len(table), bool))]
        if len(sweep.sweeps) > 1:
            second = sweep.sweeps[1]
            groups = [(text, (table["value2"] == text).to_numpy()) for text in second.texts]
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(groups)))
        handles = []
        for colour, (text, mask) in zip(colours, groups):
            name = f"{sweep.sweeps[1].path} = {text}" if text is not None else sweep.plan
            for axis, column in ((left, "cost"), (right, "cost_to_collect")):
                values = table.loc[mask, column]
                values = values.to_numpy(dtype=float) if column == "cost" else _ratio_floats(values) * 100
                line, = axis.plot(x[mask], values, marker="o", markersize=4, color=colour, label=name)
                if "behavioural_cost" in table:
                    scaled = table.loc[mask, f"behavioural_{column}"]
                    scaled = scaled.to_numpy(dtype=float) if column == "cost" else _ratio_floats(scaled) * 100
                    axis.plot(x[mask], scaled, linestyle="--", color=colour)
            handles.append(line)
        if "behavioural_cost" in table:
            handles += [plt.Line2D([], [], color="black", label=style.t("static")),
                        plt.Line2D([], [], color="black", linestyle="--",
                                   label=f"{style.t('behavioural')} ({style.t('elasticity')} "
                                         f"{float(comparison.elasticity):g}, {style.t('assumption')})")]
        if first.current_value is not None:
            level = float(first.number(first.current_value, minor))
            for axis in (left, right):
                axis.axvline(level, color="grey", linestyle=":", linewidth=1)
                axis.annotate(f"{style.t('current')} {first.current}", (level, 0), xytext=(3, 4),
                              textcoords="offset points", fontsize=8, color="grey", rotation=90,
                              xycoords=("data", "axes fraction"))
        cost_unit = style.money_axis(left, table["cost"].to_numpy(), minor)
        for axis in (left, right):
            axis.set_xlabel(f"{first.path} ({unit})" if unit else first.path, fontsize=9)
        left.set_ylabel(f"{style.t('cost')} ({cost_unit})")
        left.set_title(f"{style.t('sweep')}: {style.t('cost')}")
        right.yaxis.set_major_formatter(PercentFormatter(decimals=1))
        right.set_ylabel(f"{style.t('cost_to_collect')} (%)")
        right.set_title(f"{style.t('sweep')}: {style.t('cost_to_collect')}")
        figure.tight_layout()
        figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(handles), 3),
                      fontsize=8, frameon=False)
        return _png(figure)


def behaviour_chart(comparison, lang: str) -> Optional[bytes]:
    """Per plan, what the assumed response changes: recovered and cost, against the static result."""
    table = comparison.behaviour
    if table is None or not len(table):
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    labels = list(table["plan"])
    x = np.arange(len(labels))
    elasticity = f"{style.t('elasticity')} {float(comparison.elasticity):g}"
    with plt.rc_context(style.rc):
        figure, axes = plt.subplots(1, 2, figsize=(12, 4.6))
        for axis, (static, scaled, key) in zip(axes, (("static_recovered", "behavioural_recovered", "recovered"),
                                                      ("static_cost", "behavioural_cost", "cost"))):
            change = (table[scaled] - table[static]).to_numpy(dtype=np.int64)
            bars = axis.bar(x, change.astype(float), 0.5, color=[style.colours[label] for label in labels])
            for index, (bar, delta, base) in enumerate(zip(bars, change, table[static])):
                share = style.t("baseline") if index == 0 else (f"{delta / base * 100:+.2f}%" if base else "")
                axis.annotate(share, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                              va="bottom" if delta >= 0 else "top", fontsize=9, xytext=(0, 3 if delta >= 0 else -3),
                              textcoords="offset points")
            low, high = min(int(change.min()), 0), max(int(change.max()), 0)
            pad = (high - low) * 0.15 or 10**comparison.minor_units
            axis.set_ylim(low - pad, high + pad)
            axis.axhline(0, color="black", linewidth=0.8)
            unit = style.money_axis(axis, change, comparison.minor_units)
            axis.set_xticks(x, labels, rotation=15 if len(labels) > 2 else 0, fontsize=8)
            axis.set_ylabel(f"{style.t('change_from_static')} ({unit})")
            axis.set_title(f"{style.t(key)}: {style.t('change_from_static')}")
        figure.suptitle(f"{style.t('behaviour')}: {elasticity}", fontweight="bold", color="#bf360c")
        figure.tight_layout()
        return _png(figure)


#: Chart file name -> function; a function returning None has nothing to draw.
CHARTS = {
    "cost_by_period.png": cost_by_period,
    "cost_by_bucket.png": cost_by_bucket,
    "pay_distribution.png": pay_distribution,
    "winners_losers.png": winners_losers,
    "payout_curves.png": payout_curves,
    "sweep.png": sweep_chart,
    "behaviour.png": behaviour_chart,
}


def render_all(comparison, lang: str = "en+zh") -> dict[str, bytes]:
    """Every chart that has something to show, by file name, in a fixed order."""
    charts = {}
    for name, draw in CHARTS.items():
        png = draw(comparison, lang)
        if png is not None:
            charts[name] = png
    return charts
