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

from ..errors import named_as
from ..money import format_minor
from ..outputs.atomic import atomic_directory
from ..outputs.owners import only_files
from .charts import render_all
from .compare import OTHER_BUCKET
from .curves import monthly_pay_exact
from .labels import is_term, shown_label, term
from .workbook import write_workbook

REPORT_FILES = ("comparison.xlsx", "comparison.html", "charts", "lint.txt")
PERCENT_FORMAT = "0.00%"

#: Headers that name the baseline (report.column.<name> has a {b}: report.today or report.baseline).
BASELINE_HEADERS = {"change_in_cost", "change_in_cost_share", "change_in_cost_to_collect", "baseline_pay",
                    "baseline_cost", "baseline_cost_to_collect"}
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


def baseline_word(comparison) -> str:
    """The report word the baseline goes by: today (what is paid today) or baseline."""
    return "today" if comparison.baseline_is_today else "baseline"


def header(column: str, lang: str, values: tuple = (), baseline: str = "baseline") -> str:
    """The shown header of a column; `paid:<plan>` and `delta:<plan>` name their scenario; value1.. the sweep."""
    if column.startswith("paid:"):
        return f"{shown_label(column[5:], lang)}: {term('column.pay', lang)}"
    if column.startswith("delta:"):
        return f"{shown_label(column[6:], lang)}: {term('column.delta_vs', lang, words={'b': baseline})}"
    if column.startswith("value") and column[5:].isdigit() and values:
        return values[int(column[5:]) - 1]
    if column in BASELINE_HEADERS:
        return term(f"column.{column}", lang, words={"b": baseline})
    return term(f"column.{column}", lang) if is_term(f"column.{column}") else column


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
        OTHER_BUCKET, term("other_pay", lang)))
    result = [("summary", term("sheet.summary", lang), _shown_plans(comparison.summary, lang), ())]
    if comparison.today_plans is not None:
        result.append(("today_plans", term("sheet.today_plans", lang), comparison.today_plans, ()))
    if len(comparison.labels) > 1:
        result.append(("winners", term("sheet.winners", lang), _shown_plans(comparison.winners, lang), ()))
    result += [
        ("costs", term("sheet.costs", lang), _shown_plans(comparison.costs, lang), ()),
        ("buckets", term("sheet.buckets", lang), _shown_plans(buckets, lang), ()),
        ("distribution", term("sheet.distribution", lang), _shown_plans(comparison.distribution, lang), ()),
    ]
    if len(comparison.labels) > 1:
        result += [
            ("teams", term("sheet.teams", lang), _shown_plans(comparison.teams, lang), ()),
            ("largest", term("sheet.largest", lang), _shown_plans(comparison.largest, lang), ()),
        ]
    result.append(("collectors", term("sheet.collectors", lang), comparison.collectors, ()))
    if comparison.curves is not None:
        points = comparison.curves.points
        shown = pd.DataFrame({"plan": [shown_label(p, lang) for p in points["plan"]],
                              "recovered_per_month": points["recovered"], "pay_per_quarter": points["pay"],
                              "pay_per_month": [monthly_pay_exact(p, comparison.minor_units) for p in points["pay"]],
                              "on_grid": points["regular"].map({True: term("on_grid.yes", lang),
                                                                False: term("on_grid.boundary", lang)})})
        result.append(("curves", term("sheet.curves", lang), shown, ()))
    if comparison.sweep is not None:
        result.append(("sweep", term("sheet.sweep", lang), comparison.sweep.table.drop(columns="values"),
                       sweep_names))
    if comparison.behaviour is not None:
        result.append(("behaviour", term("sheet.behaviour", lang),
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
    rows = [(term("baseline", lang), shown_label(sim.labels[0], lang)),
            (term("about.months", lang), f"{months[0]} .. {months[-1]} ({len(months)})"),
            (term("about.periods", lang), ", ".join(sim.report_periods)),
            (term("about.currency", lang), comparison.currency)]
    for run in sim.runs:
        for policy in run.scenario.written:
            effective = term("about.effective_to", lang, start=policy.effective_from, end=policy.effective_to) \
                if policy.effective_to else term("about.effective", lang, start=policy.effective_from)
            rows.append((f"{term('about.plan', lang)}: {shown_label(run.label, lang)}",
                         f"{policy.plan} v{policy.version} ({effective}): "
                         f"{named_as(policy.source, comparison.known_as)} (sha256 "
                         f"{policy.sha256[:12]}) {policy.description}".strip()))
    if sim.opening is not None:
        rows.append((term("about.opening", lang), term("about.opening_value", lang,
                                                        source=named_as(sim.opening.source, comparison.known_as),
                                                        period=sim.opening.period, count=len(sim.opening.state))))
    if comparison.elasticity is not None:
        rows.append((term("about.elasticity", lang),
                     term("about.elasticity_value", lang, value=f"{float(comparison.elasticity):g}")))
    for note in comparison.notes:
        rows.append((term("about.note", lang), note))
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
               baseline: str = "baseline") -> dict:
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
    legend = term("legend", lang)
    sections = []

    def section(key: str, chart: Optional[str] = None, intro: str = "", **more) -> None:
        if key in shown:
            heading, frame, names = shown[key]
            sections.append({"heading": more.pop("heading", heading), "intro": intro,
                             "chart": _chart(charts, chart) if chart else "",
                             "table": html_table(frame, minor, lang, names, baseline), **more})

    section("summary")
    section("today_plans", intro=term("intro.today_plans", lang))
    section("winners", "winners_losers.png")
    active, silenced, engine = lint_counts(comparison)
    sections.append({"kind": "lint", "heading": term("lint.heading", lang), "none": term("lint.none", lang),
                     "silenced": term("lint.silenced", lang),
                     "warnings": comparison.lint,
                     "engine": [(shown_label(label, lang), message) for label, message in comparison.engine_warnings],
                     "engine_heading": term("lint.engine", lang), "chart_warning": chart_warning})
    section("costs", "cost_by_period.png")
    section("buckets", "cost_by_bucket.png", term("intro.buckets", lang))
    section("distribution", "pay_distribution.png", term("intro.distribution", lang))
    section("teams")
    section("largest")
    if comparison.curves is not None:
        jumps = None
        if len(comparison.curves.jumps):
            jumps = {"headers": [header("plan", lang), header("recovered_per_month", lang),
                                 term("column.pay_just_below", lang), term("column.pay_at", lang)],
                     "rows": [[{"text": shown_label(r.plan, lang), "css": ""},
                               {"text": _money(r.recovered, minor), "css": "n"},
                               {"text": f"{monthly_pay_exact(r.before, minor):,}", "css": "n"},
                               {"text": f"{monthly_pay_exact(r.after, minor):,}", "css": "n"}]
                              for r in comparison.curves.jumps.itertuples()]}
        section("curves", "payout_curves.png", "; ".join(comparison.curves.notes), extra=jumps,
                folded=term("curve_points", lang))
    if comparison.sweep is not None:
        section("sweep", "sweep.png", ", ".join(term("intro.sweep", lang, path=s.path, current=s.current)
                                                for s in comparison.sweep.sweeps),
                heading=f"{shown['sweep'][0]}: {shown_label(comparison.sweep.plan, lang)}")
    if comparison.behaviour is not None:
        elasticity = f"{float(comparison.elasticity):g}"
        section("behaviour", "behaviour.png", assumption=(
            term("not_a_forecast", lang), term("intro.behaviour", lang, elasticity=elasticity)))
    section("collectors", folded=f"{len(shown['collectors'][1])} {term('collectors', lang)}")
    page = {"lang": HTML_LANG.get(lang, "en"), "title": title,
            "plans": " / ".join(shown_label(label, lang) for label in comparison.labels),
            "about": about_rows(comparison, lang),
            "legend": f"{term('money_in', lang)} {comparison.currency}; {legend}",
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
