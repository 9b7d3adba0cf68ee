"""Charts of a plan comparison as PNG bytes (matplotlib, Agg backend: no display, no files).

Every chart has a title, labelled axes with units and the currency, and a legend naming the scenarios,
each in the same colour on every chart (today first). Labels are in the report's language: English,
Chinese or both (`lang`: en, zh, en+zh; both put the Chinese on a line of its own in titles). Chinese is
drawn with the font shipped in the package or a system one (`fonts`); a character no font has is
reported in one line, never silently replaced by English. Money arrives as exact integers and becomes a
float only here, for drawing. The same comparison gives byte-identical PNGs (no timestamps in the files).
"""

from __future__ import annotations

import io
import logging
import textwrap
import warnings
from contextlib import contextmanager
from typing import Optional

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from ..money import format_minor  # noqa: E402
from . import fonts  # noqa: E402
from .compare import OTHER_BUCKET  # noqa: E402
from .labels import colours, is_term, shown_label, term  # noqa: E402

#: Titles wrap at about this many characters (an 11-12 inch wide figure at the title size).
TITLE_WIDTH = 80
LINE_STYLES = ("-", (0, (6, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)))


class _Style:
    """Per-chart style: fonts that draw the language, one colour per scenario, money in readable units."""

    def __init__(self, lang: str, currency: str, labels):
        self.lang = lang
        self.currency = currency
        self.colours = colours(labels)
        self.rc = {"font.family": fonts.chart_families(), "font.size": 10, "axes.titlesize": 12,
                   "axes.titleweight": "bold", "figure.dpi": 110, "savefig.dpi": 110, "axes.spines.top": False,
                   "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "legend.fontsize": 8,
                   "figure.constrained_layout.use": True}

    def t(self, key: str) -> str:
        return term(key, self.lang)

    def title(self, key: str, extra: str = "") -> str:
        """A title: in both languages, English on the first line and Chinese on the second."""
        text = term(key, self.lang, "\n") + extra
        return "\n".join(textwrap.fill(line, TITLE_WIDTH) for line in text.split("\n"))

    def compose(self, *parts, joiner: str = ": ") -> str:
        """A title made of report words (their keys) and plain texts: in both languages, the English line, then the
        Chinese line."""
        lines = []
        for lang in (("en", "zh") if self.lang == "en+zh" else (self.lang,)):
            lines.append(joiner.join(term(p, lang) if is_term(p) else p for p in parts))
        return "\n".join(textwrap.fill(line, TITLE_WIDTH) for line in lines)

    def label(self, label: str) -> str:
        return shown_label(label, self.lang)

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

        target.set_major_formatter(FuncFormatter(shown))
        return unit


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _money(value: int, minor_units: int) -> str:
    text = format_minor(int(value), minor_units)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def _ratio_floats(values) -> np.ndarray:
    return np.array([float(v) if v is not None else np.nan for v in values], dtype=float)


def _legend_below(figure, handles, labels, columns: int = 4) -> None:
    figure.legend(handles, labels, loc="outside lower center", ncol=max(1, min(len(handles), columns)),
                  frameon=False)


def cost_by_period(comparison, lang: str):
    style = _Style(lang, comparison.currency, comparison.labels)
    costs = comparison.costs.loc[comparison.costs["period"] != "all"]
    periods = list(dict.fromkeys(costs["period"]))
    labels = comparison.labels
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [3, 2]})
        width = 0.8 / len(labels)
        x = np.arange(len(periods))
        handles = []
        for i, label in enumerate(labels):
            mine = costs.loc[costs["plan"] == label].set_index("period").reindex(periods)
            bars = left.bar(x + (i - (len(labels) - 1) / 2) * width, mine["cost"].to_numpy(dtype=float), width,
                            color=style.colours[label])
            handles.append(bars)
            ratios = _ratio_floats(mine["cost_to_collect"]) * 100
            if len(periods) > 1:
                right.plot(x, ratios, marker="o", color=style.colours[label])
            else:
                right.bar(i, ratios[0], 0.6, color=style.colours[label])
                right.annotate(f"{ratios[0]:.2f}%", (i, ratios[0]), ha="center", va="bottom", fontsize=9,
                               xytext=(0, 2), textcoords="offset points")
        unit = style.money_axis(left, costs["cost"].to_numpy(), comparison.minor_units)
        left.set_xticks(x, periods, rotation=45 if len(periods) > 8 else 0)
        left.set_xlabel(style.t("period"))
        left.set_ylabel(f"{style.t('cost')} ({unit})")
        left.set_title(style.title("cost_by_period"))
        if len(periods) > 1:
            right.set_xticks(x, periods, rotation=45 if len(periods) > 8 else 0)
            right.set_xlabel(style.t("period"))
        else:
            right.set_xticks(range(len(labels)), [_wrap(style.label(label), 16) for label in labels], fontsize=8)
        right.yaxis.set_major_formatter(PercentFormatter(decimals=1))
        top = np.nanmax(_ratio_floats(costs["cost_to_collect"])) * 100 if len(costs) else 1.0
        right.set_ylim(0, (top if top == top and top > 0 else 1.0) * 1.15)  # room for the labels above the bars
        right.set_ylabel(f"{style.t('cost_to_collect')} (%)")
        right.set_title(style.title("ctc_by_period"))
        _legend_below(figure, handles, [style.label(label) for label in labels])
        return figure


def cost_by_bucket(comparison, lang: str):
    style = _Style(lang, comparison.currency, comparison.labels)
    table = comparison.buckets
    buckets = list(dict.fromkeys(table["bucket"]))
    names = [textwrap.fill(style.t("other_pay"), 16) if b == OTHER_BUCKET else b for b in buckets]
    labels = comparison.labels
    with plt.rc_context(style.rc):
        figure, axis = plt.subplots(figsize=(11, 5.4))
        width = 0.8 / len(labels)
        x = np.arange(len(buckets))
        upright = len(labels) > 2  # narrow bars: the percentages stand upright above them
        handles = []
        for i, label in enumerate(labels):
            mine = table.loc[table["plan"] == label].set_index("bucket").reindex(buckets)
            values = mine["cost"].fillna(0).to_numpy(dtype=float)
            bars = axis.bar(x + (i - (len(labels) - 1) / 2) * width, values, width, color=style.colours[label])
            handles.append(bars)
            for bar, ratio in zip(bars, mine["cost_to_collect"]):
                if ratio is not None and ratio == ratio:
                    axis.annotate(f"{float(ratio) * 100:.1f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                                  xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7,
                                  rotation=90 if upright else 0)
        unit = style.money_axis(axis, table["cost"].to_numpy(), comparison.minor_units)
        low, high = min(float(table["cost"].min()), 0.0), max(float(table["cost"].max()), 0.0)
        axis.set_ylim(low - 0.04 * (high - low), high + (0.16 if upright else 0.08) * (high - low or 1))
        axis.axhline(0, color="black", linewidth=0.8)
        axis.set_xticks(x, names)
        axis.set_xlabel(style.t("bucket"))
        axis.set_ylabel(f"{style.t('cost')} ({unit})")
        axis.set_title(style.title("cost_by_bucket"))
        axis.text(0.0, 1.0, style.t("ctc_on_bars"), transform=axis.transAxes, fontsize=8, color="#555555",
                  va="bottom", ha="left")
        _legend_below(figure, handles, [style.label(label) for label in labels])
        return figure


def pay_distribution(comparison, lang: str):
    style = _Style(lang, comparison.currency, comparison.labels)
    table = comparison.collectors
    labels = comparison.labels
    gini = dict(zip(comparison.distribution["plan"], comparison.distribution["gini"]))
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5.4))
        data = [table[f"paid:{label}"].to_numpy(dtype=float) for label in labels]
        box = left.boxplot(data, patch_artist=True, showfliers=True, whis=(10, 90),
                           medianprops={"color": "black", "linewidth": 2},
                           flierprops={"markersize": 3, "markeredgecolor": "#555555"})
        for patch, label in zip(box["boxes"], labels):
            patch.set_facecolor(style.colours[label])
            patch.set_alpha(0.55)
        left.set_xticks(range(1, len(labels) + 1), [_wrap(style.label(label), 16) for label in labels], fontsize=8)
        unit = style.money_axis(left, table[[f"paid:{label}" for label in labels]].to_numpy().ravel(),
                                comparison.minor_units)
        left.set_ylabel(f"{style.t('distribution')} ({unit})")
        left.set_title(style.title("distribution", f" ({len(table)} {style.t('collectors')})"))
        left.set_xlabel(style.t("box_note"), fontsize=8)
        right.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label=style.t("equality"))
        for label, values in zip(labels, data):
            ordered = np.sort(np.maximum(values, 0))
            total = ordered.sum()
            if total <= 0:
                continue
            share = np.r_[0, np.cumsum(ordered) / total]
            coefficient = gini.get(label)
            right.plot(np.linspace(0, 1, len(share)), share, color=style.colours[label],
                       label=f"{style.label(label)} (Gini {float(coefficient):.3f})" if coefficient is not None
                       else style.label(label))
        right.xaxis.set_major_formatter(PercentFormatter(1.0))
        right.yaxis.set_major_formatter(PercentFormatter(1.0))
        right.set_xlabel(style.t("share_collectors"))
        right.set_ylabel(style.t("share_pay"))
        right.set_title(style.title("lorenz"))
        right.legend(loc="upper left")
        return figure


def winners_losers(comparison, lang: str):
    labels = comparison.labels
    if len(labels) < 2:
        return None
    style = _Style(lang, comparison.currency, labels)
    table = comparison.collectors
    others = labels[1:]
    with plt.rc_context(style.rc):
        figure, axes = plt.subplots(len(others), 1, figsize=(11, 3.8 * len(others)), squeeze=False)
        for axis, label in zip(axes[:, 0], others):
            delta = np.sort(table[f"delta:{label}"].to_numpy(dtype=np.int64))
            colours_ = np.where(delta > 0, "#2e7d32", np.where(delta < 0, "#c62828", "#9e9e9e"))
            axis.bar(np.arange(len(delta)), delta.astype(float), color=colours_, width=0.9)
            axis.axhline(0, color="black", linewidth=0.8)
            unit = style.money_axis(axis, delta, comparison.minor_units)
            gains, losses = int((delta > 0).sum()), int((delta < 0).sum())
            lines = [f"{term('winners', one)}: {shown_label(label, one)} {term('vs', one)} "
                     f"{shown_label(labels[0], one)}: {gains} {term('gain', one)}, {losses} {term('lose', one)}"
                     for one in (("en", "zh") if lang == "en+zh" else (lang,))]
            axis.set_title(_wrap("\n".join(lines), TITLE_WIDTH), fontsize=11)
            axis.set_ylabel(f"{style.t('delta_pay')} ({unit})")
            axis.set_xlabel(style.t("collectors_sorted"))
            axis.set_xticks([])
        return figure


def _mix_text(comparison, lang: str) -> str:
    curves = comparison.curves
    total = sum(amount for _, amount in curves.mix)
    if not total:
        return ""
    parts = [f"{bucket} {amount * 100 / total:.0f}%" for bucket, amount in curves.mix]
    return term("curve_mix", lang, "\n", quarter=curves.quarter, mix=", ".join(parts))


def payout_curves(comparison, lang: str):
    curves = comparison.curves
    if curves is None:
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    points = curves.points
    minor = comparison.minor_units
    monthly_recovered = comparison.simulation.baseline.payouts["recovered"].to_numpy(dtype=np.int64)
    positive = np.sort(monthly_recovered[monthly_recovered > 0])
    scenario_of = comparison.curve_scenario or {label: label for label in dict.fromkeys(points["plan"])}
    summary = comparison.summary.set_index("plan")
    by_plan = comparison.today_plans.set_index("plan") if comparison.today_plans is not None else None
    with plt.rc_context(style.rc):
        figure, axis = plt.subplots(figsize=(11, 6.2))
        if len(positive):  # where the collectors really are: collector-months by recovery, on the floor of the chart
            counts_axis = axis.twinx()
            edges = np.linspace(0, float(points["recovered"].max()), 41)
            counts_axis.hist(positive.astype(float), bins=edges, color="#d9d9d9", zorder=0)
            counts_axis.set_ylim(0, counts_axis.get_ylim()[1] * 5)  # the bars take the lowest fifth
            counts_axis.set_yticks([])
            counts_axis.spines["right"].set_visible(False)
            counts_axis.grid(False)
            axis.set_zorder(counts_axis.get_zorder() + 1)
            axis.patch.set_visible(False)
        seen: dict[str, int] = {}
        handles, names = [], []
        for label in dict.fromkeys(points["plan"]):
            scenario = scenario_of.get(label, label)
            style_index = seen.get(scenario, 0)
            seen[scenario] = style_index + 1
            mine = points.loc[points["plan"] == label].sort_values("recovered")
            line, = axis.plot(mine["recovered"].to_numpy(dtype=float), mine["pay"].to_numpy(dtype=float) / 3,
                              color=style.colours.get(scenario, "#333333"), linewidth=1.9,
                              linestyle=LINE_STYLES[style_index % len(LINE_STYLES)])
            handles.append(line)
            names.append(_curve_legend(style, label, scenario, comparison, summary, by_plan))
        _mark_jumps(axis, curves, style, scenario_of, minor)
        if len(positive):
            for fraction, key in ((0.5, "median"), (0.9, "p90")):
                level = float(positive[max(0, int(np.ceil(fraction * len(positive))) - 1)])
                axis.axvline(level, color="grey", linestyle=":", linewidth=1)
                axis.annotate(style.t(key), (level, 1), xycoords=("data", "axes fraction"), xytext=(3, -4),
                              textcoords="offset points", fontsize=8, color="#555555", va="top",
                              bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
            handles.append(Patch(color="#d9d9d9"))
            names.append(style.t("months_at"))
        x_unit = style.money_axis(axis, points["recovered"].to_numpy(), minor, which="x")
        y_unit = style.money_axis(axis, points["pay"].to_numpy() / 3, minor)
        axis.set_xlabel(f"{style.t('recovered_month')} ({x_unit})")
        axis.set_ylabel(f"{style.t('pay_month')} ({y_unit})")
        figure.suptitle(style.title("curves", f" — {curves.quarter}"), fontsize=12, fontweight="bold")
        axis.set_title(_wrap(_mix_text(comparison, lang), 130), fontsize=9, fontweight="normal", color="#333333")
        axis.set_xlim(left=0)
        axis.set_ylim(bottom=0)
        figure.legend(handles, names, loc="outside lower center", ncol=2, frameon=False,
                      title=style.t("curve_totals"), title_fontsize=8)
        return figure


def _curve_legend(style, label: str, scenario: str, comparison, summary, by_plan) -> str:
    """A curve's legend entry with the real total it stands for: the pay of the plan's collectors today,
    or the scenario's cost and its change from the baseline."""
    minor = comparison.minor_units
    if scenario == comparison.labels[0] and by_plan is not None and ": " in label:
        plan = label.split(": ", 1)[1].rsplit(" v", 1)[0]
        if plan in by_plan.index:
            row = by_plan.loc[plan]
            return (f"{style.label(label)} — {int(row['collectors'])} {style.t('collectors')}, "
                    f"{style.t('total')} {_money(int(row['cost']), minor)}")
    if scenario in summary.index:
        row = summary.loc[scenario]
        delta = int(row["change_in_cost"])
        change = "" if scenario == comparison.labels[0] else f" ({'+' if delta >= 0 else ''}{_money(delta, minor)})"
        return f"{style.label(label)} — {style.t('total')} {_money(int(row['cost']), minor)}{change}"
    return style.label(label)


def _mark_jumps(axis, curves, style, scenario_of, minor: int) -> None:
    """A dot at each jump, its size beside it; labels at the same place stack rather than overlap."""
    jumps = curves.jumps.sort_values(["recovered", "plan"])
    if not len(jumps):
        return
    span = float(curves.points["recovered"].max()) or 1.0
    stack, last_x = 0, None
    for jump in jumps.itertuples(index=False):
        x = float(jump.recovered)
        stack = stack + 1 if last_x is not None and x - last_x < 0.06 * span else 0
        last_x = x if stack == 0 else last_x
        colour = style.colours.get(scenario_of.get(jump.plan, jump.plan), "#333333")
        axis.plot([x], [jump.after / 3], marker="o", markersize=4, color=colour)
        change = (jump.after - jump.before) / 3 / 10**minor
        axis.annotate(f"{style.t('jump')} {change:+,.0f}", (x, jump.after / 3), xytext=(8, 6 + 13 * stack),
                      textcoords="offset points", fontsize=8, color=colour, va="bottom",
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                      arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "shrinkA": 0, "shrinkB": 2})


def sweep_chart(comparison, lang: str):
    sweep = comparison.sweep
    if sweep is None or not len(sweep.table):
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    table = sweep.table
    first = sweep.sweeps[0]
    minor = comparison.minor_units
    x = np.array([float(first.number(v[0], minor)) for v in table["values"]])
    unit = first.unit(comparison.currency)
    baseline = comparison.labels[0]
    base_row = comparison.summary.set_index("plan").loc[baseline]
    with plt.rc_context(style.rc):
        figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5.4))
        groups = [(None, np.ones(len(table), bool))]
        if len(sweep.sweeps) > 1:
            second = sweep.sweeps[1]
            groups = [(text, (table["value2"] == text).to_numpy()) for text in second.texts]
        shades = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(groups)))
        handles, names = [], []
        for colour, (text, mask) in zip(shades, groups):
            name = f"{sweep.sweeps[1].path} = {text}" if text is not None else style.label(sweep.plan)
            for axis, column in ((left, "cost"), (right, "cost_to_collect")):
                values = table.loc[mask, column]
                values = values.to_numpy(dtype=float) if column == "cost" else _ratio_floats(values) * 100
                line, = axis.plot(x[mask], values, marker="o", markersize=4, color=colour)
                if "behavioural_cost" in table:
                    scaled = table.loc[mask, f"behavioural_{column}"]
                    scaled = scaled.to_numpy(dtype=float) if column == "cost" else _ratio_floats(scaled) * 100
                    axis.plot(x[mask], scaled, linestyle="--", color=colour)
            handles.append(line)
            names.append(name)
        reference = style.colours[baseline]
        left.axhline(float(base_row["cost"]), color=reference, linewidth=1.2, linestyle="-.")
        if base_row["cost_to_collect"] is not None:
            right.axhline(float(base_row["cost_to_collect"]) * 100, color=reference, linewidth=1.2, linestyle="-.")
        handles.append(plt.Line2D([], [], color=reference, linestyle="-."))
        names.append(f"{style.label(baseline)}: {_money(int(base_row['cost']), minor)}")
        if "behavioural_cost" in table:
            handles += [plt.Line2D([], [], color="black"), plt.Line2D([], [], color="black", linestyle="--")]
            names += [style.t("static"), f"{style.t('behavioural')} ({style.t('elasticity')} "
                                         f"{float(comparison.elasticity):g}, {style.t('assumption')})"]
        if first.current_value is not None:
            level = float(first.number(first.current_value, minor))
            for axis in (left, right):
                axis.axvline(level, color="grey", linestyle=":", linewidth=1)
                axis.annotate(f"{style.t('current')} {first.current}", (level, 0), xytext=(3, 4),
                              textcoords="offset points", fontsize=8, color="grey", rotation=90,
                              xycoords=("data", "axes fraction"))
        cost_unit = style.money_axis(left, np.r_[table["cost"].to_numpy(), int(base_row["cost"])], minor)
        for axis in (left, right):
            axis.set_xlabel(f"{first.path} ({unit})" if unit else first.path, fontsize=9)
        left.set_ylabel(f"{style.t('cost')} ({cost_unit})")
        left.set_title(style.compose("sweep", "cost"))
        right.yaxis.set_major_formatter(PercentFormatter(decimals=1))
        right.set_ylabel(f"{style.t('cost_to_collect')} (%)")
        right.set_title(style.compose("sweep", "cost_to_collect"))
        _legend_below(figure, handles, names, columns=3)
        return figure


def behaviour_chart(comparison, lang: str):
    """Per scenario, what the assumed response changes: recovered and cost, against the static result."""
    table = comparison.behaviour
    if table is None or not len(table):
        return None
    style = _Style(lang, comparison.currency, comparison.labels)
    labels = list(table["plan"])
    x = np.arange(len(labels))
    elasticity = f"{style.t('elasticity')} {float(comparison.elasticity):g}"
    with plt.rc_context(style.rc):
        figure, axes = plt.subplots(1, 2, figsize=(12, 5))
        for axis, (static, scaled, key) in zip(axes, (("static_recovered", "behavioural_recovered", "recovered"),
                                                      ("static_cost", "behavioural_cost", "cost"))):
            change = (table[scaled] - table[static]).to_numpy(dtype=np.int64)
            bars = axis.bar(x, change.astype(float), 0.5, color=[style.colours[label] for label in labels])
            for index, (bar, delta, base) in enumerate(zip(bars, change, table[static])):
                share = style.t("baseline") if index == 0 else (f"{delta / base * 100:+.2f}%" if base else "")
                share = style.label(labels[0]) if index == 0 and labels[0] == "today" else share
                axis.annotate(share, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                              va="bottom" if delta >= 0 else "top", fontsize=9, xytext=(0, 3 if delta >= 0 else -3),
                              textcoords="offset points")
            low, high = min(int(change.min()), 0), max(int(change.max()), 0)
            pad = (high - low) * 0.15 or 10**comparison.minor_units
            axis.set_ylim(low - pad, high + pad)
            axis.axhline(0, color="black", linewidth=0.8)
            unit = style.money_axis(axis, change, comparison.minor_units)
            axis.set_xticks(x, [_wrap(style.label(label), 16) for label in labels], fontsize=8)
            axis.set_ylabel(f"{style.t('change_from_static')} ({unit})")
            axis.set_title(style.compose(key, "change_from_static"))
        figure.suptitle(f"{term('behaviour', lang, chr(10))}: {elasticity}", fontweight="bold", color="#bf360c")
        return figure


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


def figure_texts(figure) -> list[str]:
    """Every text drawn on a figure (titles, labels, ticks, legends, annotations), once it is drawn."""
    return [t.get_text() for t in figure.findobj(Text)]


def png(figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from")  # reported once, by render_all
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


@contextmanager
def _quiet_font_lookup():
    """Chinese fonts come in one weight: bold titles take the regular Chinese glyphs. matplotlib logs a
    line for each such lookup; the glyphs are drawn, so those lines are noise."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def render_all(comparison, lang: str = "en+zh", progress=None) -> tuple[dict[str, bytes], Optional[str]]:
    """Every chart that has something to show, by file name, in a fixed order; and one line naming the
    characters no font could draw (None when every one was drawn)."""
    charts, missing = {}, set()
    for done, (name, draw) in enumerate(CHARTS.items()):
        if progress is not None:
            progress("charts", done, len(CHARTS))
        with _quiet_font_lookup():
            figure = draw(comparison, lang)
            if figure is None:
                continue
            try:
                charts[name] = png(figure)
                missing.update(fonts.missing_characters(figure_texts(figure)))
            finally:
                plt.close(figure)
    if progress is not None:
        progress("charts", len(CHARTS), len(CHARTS))
    return charts, fonts.missing_glyphs_warning(missing)
