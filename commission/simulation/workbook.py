"""comparison.xlsx, written with XlsxWriter: native Excel charts finance can restyle, and a workbook that
opens on its Summary.

    Summary            the result on one page: each scenario's cost and cost-to-collect against today,
                       winners and losers, today's cost per plan, where the health check's warnings are
    <table> sheets     one per table of the report, printed one page wide with the header row repeated
    Chart ... sheets   a chartsheet right after the table it draws (cost by period, cost by bucket,
                       payout curves, sweep): Excel, WPS and LibreOffice print each as one landscape page
    Lint               every health-check warning and engine warning
    About              what was compared, on what, and every assumption
    Chart data         the ranges the charts read (finance may change them and the charts follow)

Safety and exactness (the project's rules): text is always written as a string, never as a formula, a
number or a link (`strings_to_formulas/numbers/urls` off, and `write_string` for every text); money is
the exact Decimal of its minor units; the file is byte-identical when written again from the same
comparison (fixed document dates).
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Optional

import pandas as pd
import xlsxwriter

from .curves import monthly_pay_exact
from .labels import PALETTE, colours, shown_label, term

#: The font named in every cell and chart when the report has Chinese: on every Windows (and so Excel and WPS)
#: and in Office for Mac; charset GB2312 and the swiss family let a viewer without it choose a Chinese sans.
CJK_FONT = {"font_name": "Microsoft YaHei", "font_charset": 134, "font_family": 2}
LATIN_FONT = {"font_name": "Calibri"}
A4 = 9
DASHES = ("solid", "dash", "round_dot", "dash_dot")
#: Fixed document dates: the same comparison gives the same bytes.
DOCUMENT_DATE = datetime(2000, 1, 1)


def sheet_name(title: str, taken: set) -> str:
    """A valid, unique sheet name: no []:*?/\\ characters, at most 31 characters."""
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\").strip("'")[:31] or "Sheet"
    name, number = cleaned, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name, number = cleaned[:31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _width(text: str) -> int:
    """Display width of a text: East Asian characters count twice."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


class Writer:
    """One comparison workbook being written."""

    def __init__(self, path: Path, comparison, lang: str):
        self.comparison, self.lang = comparison, lang
        self.minor = comparison.minor_units
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                    "strings_to_urls": False, "nan_inf_to_errors": False})
        self.book.set_properties({"created": DOCUMENT_DATE, "title": term("title", lang),
                                  "author": "collector-commission"})
        self.font = LATIN_FONT if lang == "en" else CJK_FONT
        default = self.book.formats[0]
        default.set_font_name(self.font["font_name"])
        if "font_charset" in self.font:
            default.set_font_charset(self.font["font_charset"])
            default.set_font_family(self.font["font_family"])
        money = "#,##0" + ("." + "0" * self.minor if self.minor else "")
        self.formats = {
            "text": self._format(), "money": self._format(num_format=money), "ratio": self._format(num_format="0.00%"),
            "signed_money": self._format(num_format=f"+{money};-{money};{money}"),
            "signed_ratio": self._format(num_format="+0.00%;-0.00%;0.00%"),
            "count": self._format(num_format="#,##0"), "number": self._format(),
            "head": self._format(bold=True, bg_color="#DDEBF7", border=1, align="center", valign="vcenter",
                                 text_wrap=True),
            "title": self._format(bold=True, font_size=14), "note": self._format(font_color="#555555"),
            "heading": self._format(bold=True, font_size=11),
            "wrap": self._format(text_wrap=True, valign="top"),
        }
        self.taken: set = set()
        self.chart_font = {"name": self.font["font_name"], "size": 9}
        self.colour = colours(comparison.labels)

    def _format(self, **properties):
        return self.book.add_format({**self.font, "font_size": 10, **properties})

    # -- cells --------------------------------------------------------------------------------

    def text(self, sheet, row: int, col: int, value, fmt: str = "text") -> None:
        sheet.write_string(row, col, "" if value is None else str(value), self.formats[fmt])

    def money(self, minor: int) -> Decimal:
        return Decimal(int(minor)).scaleb(-self.minor)

    def cell(self, sheet, row: int, col: int, value, kind: str) -> None:
        """A value as its kind: money (minor units), ratio (a Decimal share), count, or text."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, self.formats["text"])
        elif kind in ("money", "signed_money"):
            sheet.write_number(row, col, self.money(value), self.formats[kind])
        elif kind == "decimal_money":
            sheet.write_number(row, col, Decimal(value), self.formats["money"])
        elif kind in ("ratio", "signed_ratio"):
            sheet.write_number(row, col, Decimal(value), self.formats[kind])
        elif kind == "count" and not isinstance(value, bool):
            sheet.write_number(row, col, int(value), self.formats["count"])
        elif kind == "wrap":
            self.text(sheet, row, col, value, "wrap")
        else:
            self.text(sheet, row, col, value)

    def table(self, sheet, top: int, frame: pd.DataFrame, headers: list[str], kinds: list[str]) -> int:
        """Write a table with its header row at `top`; returns the row after it."""
        for col, text in enumerate(headers):
            self.text(sheet, top, col, text, "head")
        for r, values in enumerate(frame.itertuples(index=False, name=None), start=top + 1):
            for col, (value, kind) in enumerate(zip(values, kinds)):
                self.cell(sheet, r, col, value, kind)
        return top + 1 + len(frame)

    def widths(self, sheet, frame: pd.DataFrame, headers: list[str], kinds: list[str], first: int = 0) -> None:
        for col, (name, head, kind) in enumerate(zip(frame.columns, headers, kinds)):
            if kind in ("money", "signed_money"):
                longest = max([len(f"{self.money(v):,}") for v in frame[name] if v is not None] or [0]) + 1
            elif kind in ("ratio", "signed_ratio", "count", "decimal_money"):
                longest = 10
            else:
                longest = max([_width(v) for v in frame[name]] or [0])
            longest = max(longest, min(_width(head), 24) if kind != "text" else min(_width(head), 40))
            sheet.set_column(first + col, first + col, min(max(longest + 2, 8), 60))

    def fit_rows(self, sheet, top: int, rows) -> None:
        """Rows tall enough for their wrapped texts (`rows`: per row, (text, column width) of each wrapped
        cell): viewers do not all grow a row for wrapped text (LibreOffice keeps the default height and
        the lines overlap)."""
        for row, cells in enumerate(rows, start=top + 1):
            lines = max(sum(max(1, -(-_width(part) // max(width - 2, 1))) for part in str(text).split("\n"))
                        for text, width in cells)
            if lines > 1:
                sheet.set_row(row, 15 * lines + 2)

    def printed(self, sheet, header_rows: int = 1) -> None:
        """One page wide, as many long as the rows need, landscape A4, the header repeated."""
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)
        if header_rows:
            sheet.repeat_rows(0, header_rows - 1)

    def worksheet(self, title: str):
        return self.book.add_worksheet(sheet_name(title, self.taken))

    def chartsheet(self, title: str, chart):
        """The chart on a chartsheet of its own: one printed landscape A4 page."""
        page = self.book.add_chartsheet(sheet_name(f"{term('chart', self.lang)} {title}", self.taken))
        page.set_chart(chart)
        page.set_landscape()
        page.set_paper(A4)
        return page

    # -- chart styling --------------------------------------------------------------------------

    def style_chart(self, chart, title: str, x_title: str, y_title: str, x_format: str = "General",
                    y_format: str = "#,##0") -> None:
        chart.set_title({"name": title, "name_font": {**self.chart_font, "size": 12, "bold": True}})
        chart.set_x_axis({"name": x_title, "name_font": self.chart_font, "num_font": self.chart_font,
                          "num_format": x_format})
        chart.set_y_axis({"name": y_title, "name_font": self.chart_font, "num_font": self.chart_font,
                          "num_format": y_format, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_legend({"position": "bottom", "font": self.chart_font})

    def close(self) -> None:
        self.book.close()


def write_workbook(comparison, path: Path, lang: str, tables, kinds_of, header_of, about, lint_rows) -> None:
    """Write comparison.xlsx. `tables`: (key, title, frame, sweep names) in report order; `kinds_of(column)`
    the kind of a column's cells; `header_of(column, names)` its header; `about` (item, value) rows;
    `lint_rows` the Lint sheet's frame."""
    w = Writer(path, comparison, lang)
    shown = {key: (title, frame, names) for key, title, frame, names in tables}
    data = _Later(sheet_name(term("chart_data", lang), w.taken))  # charts name it now; it is written last
    data_row = [0]

    def sheet_for(key: str):
        title, frame, names = shown[key]
        sheet = w.worksheet(title)
        headers = [header_of(c, names) for c in frame.columns]
        kinds = [kinds_of(c) for c in frame.columns]
        w.table(sheet, 0, frame, headers, kinds)
        w.widths(sheet, frame, headers, kinds)
        sheet.freeze_panes(1, 1)
        if len(frame):
            sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
        w.printed(sheet)
        return sheet

    summary = _summary_sheet(w, comparison, shown, kinds_of, header_of, lint_rows)
    for key in shown:
        if key in ("summary", "lint"):
            continue
        sheet_for(key)
        chart = {"costs": _cost_chart, "buckets": _bucket_chart, "curves": _curve_chart,
                 "sweep": _sweep_chart}.get(key)
        if chart is not None:
            made = chart(w, comparison, data, data_row)
            if made is not None:
                w.chartsheet(shown[key][0], made)
    lint_sheet = w.worksheet(term("sheet.lint", lang))
    headers = [header_of(c, ()) for c in lint_rows.columns]
    kinds = ["wrap"] * 5
    w.table(lint_sheet, 0, lint_rows, headers, kinds)
    w.widths(lint_sheet, lint_rows.iloc[:, :3], headers[:3], ["text"] * 3)
    lint_sheet.set_column(3, 3, 80)
    lint_sheet.set_column(4, 4, 30)
    w.fit_rows(lint_sheet, 0, [[(m, 80), (r, 30)] for m, r in zip(lint_rows["message"], lint_rows["silenced"])])
    lint_sheet.freeze_panes(1, 0)
    w.printed(lint_sheet)
    about_sheet = w.worksheet(term("sheet.about", lang))
    about_frame = pd.DataFrame(about, columns=["item", "value"])
    headers = [header_of("item", ()), header_of("value", ())]
    w.table(about_sheet, 0, about_frame, headers, ["wrap", "wrap"])
    about_sheet.set_column(0, 0, 30)
    about_sheet.set_column(1, 1, 100)
    w.fit_rows(about_sheet, 0, [[(v, 100)] for v in about_frame["value"]])
    w.printed(about_sheet)
    data_sheet = w.book.add_worksheet(data.get_name())
    data.replay(data_sheet)
    data_sheet.set_column(0, 30, 18)
    w.printed(data_sheet, 0)
    summary.activate()
    summary.set_first_sheet()
    w.close()


class _Later:
    """A worksheet written later, under a name taken now: charts refer to it by name before it exists,
    so it can be the last sheet of the workbook."""

    def __init__(self, name: str):
        self.name, self.calls = name, []

    def get_name(self) -> str:
        return self.name

    def write_string(self, *args) -> None:
        self.calls.append(("write_string", args))

    def write_number(self, *args) -> None:
        self.calls.append(("write_number", args))

    def write_blank(self, *args) -> None:
        self.calls.append(("write_blank", args))

    def replay(self, sheet) -> None:
        for method, args in self.calls:
            getattr(sheet, method)(*args)


def _summary_sheet(w: Writer, comparison, shown, kinds_of, header_of, lint_rows):
    lang = w.lang
    sim = comparison.simulation
    sheet = w.worksheet(shown["summary"][0])
    w.text(sheet, 0, 0, f"{term('title', lang)}: {sim.months[0]} .. {sim.months[-1]} ({len(sim.months)})", "title")
    baseline = shown_label(sim.labels[0], lang)
    w.text(sheet, 1, 0, f"{term('baseline', lang)}: {baseline}; {term('money_in', lang)} {comparison.currency}",
           "note")
    _, frame, names = shown["summary"]
    headers = [header_of(c, names) for c in frame.columns]
    kinds = [kinds_of(c) for c in frame.columns]
    row = w.table(sheet, 3, frame, headers, kinds) + 1
    widths = [(frame, headers, kinds)]
    for key in ("today_plans", "winners"):
        if key not in shown:
            continue
        title, part, names = shown[key]
        w.text(sheet, row, 0, title, "heading")
        part_headers = [header_of(c, names) for c in part.columns]
        part_kinds = [kinds_of(c) for c in part.columns]
        row = w.table(sheet, row + 1, part, part_headers, part_kinds) + 1
        widths.append((part, part_headers, part_kinds))
    active = sum(1 for warning in comparison.lint if not warning.silenced)
    engine = len(comparison.engine_warnings)
    w.text(sheet, row, 0, term("lint.counts", lang, active=active, engine=engine), "note")
    columns = max(len(f.columns) for f, _, _ in widths)
    for col in range(columns):
        best = 8
        for part, part_headers, part_kinds in widths:
            if col < len(part.columns):
                name, head, kind = part.columns[col], part_headers[col], part_kinds[col]
                if kind in ("money", "signed_money"):
                    value = max([len(f"{w.money(v):,}") for v in part[name] if v is not None] or [0]) + 2
                else:
                    value = max([_width(v) for v in part[name]] or [0]) + 2 if kind == "text" else 11
                best = max(best, min(value, 40), min(_width(head) // 2 + 2, 18))
        sheet.set_column(col, col, best)
    sheet.set_row(3, 32)
    w.printed(sheet, 0)
    sheet.fit_to_pages(1, 1)
    return sheet


# -- native charts: data on the Chart data sheet, each chart on its own chartsheet --------------------

def _block_title(w: Writer, data, data_row, title: str) -> int:
    """Start a block of chart data: its title, then the rows; returns the block's header row."""
    row = data_row[0]
    w.text(data, row, 0, title, "heading")
    return row + 1


def _cost_chart(w: Writer, comparison, data, data_row):
    lang, labels = w.lang, comparison.labels
    costs = comparison.costs.loc[comparison.costs["period"] != "all"]
    periods = list(dict.fromkeys(costs["period"]))
    head = _block_title(w, data, data_row, term("cost_by_period", lang))
    w.text(data, head, 0, term("period", lang), "head")
    n = len(labels)
    for j, label in enumerate(labels):
        w.text(data, head, 1 + j, f"{shown_label(label, lang)}: {term('column.cost', lang)}", "head")
        w.text(data, head, 1 + n + j, f"{shown_label(label, lang)}: {term('cost_to_collect', lang)}", "head")
    for i, period in enumerate(periods, start=head + 1):
        w.text(data, i, 0, period)
        for j, label in enumerate(labels):
            row = costs.loc[(costs["plan"] == label) & (costs["period"] == period)].iloc[0]
            w.cell(data, i, 1 + j, int(row["cost"]), "money")
            w.cell(data, i, 1 + n + j, row["cost_to_collect"], "ratio")
    last = head + len(periods)
    data_row[0] = last + 3
    columns = w.book.add_chart({"type": "column"})
    line = w.book.add_chart({"type": "line"})
    name = data.get_name()
    for j, label in enumerate(labels):
        colour = w.colour[label]
        columns.add_series({"name": [name, head, 1 + j], "categories": [name, head + 1, 0, last, 0],
                            "values": [name, head + 1, 1 + j, last, 1 + j], "fill": {"color": colour},
                            "border": {"none": True}, "gap": 80})
        line.add_series({"name": [name, head, 1 + n + j], "categories": [name, head + 1, 0, last, 0],
                         "values": [name, head + 1, 1 + n + j, last, 1 + n + j], "y2_axis": True,
                         "marker": {"type": "circle", "size": 6, "fill": {"color": colour},
                                    "border": {"color": colour}},
                         "line": {"color": colour, "dash_type": "dash", "width": 1.5}})
    line.set_y2_axis({"name": term("cost_to_collect", lang), "num_format": "0.0%", "name_font": w.chart_font,
                      "num_font": w.chart_font, "min": 0})
    columns.combine(line)
    w.style_chart(columns, term("cost_by_period", lang), term("period", lang),
                  f"{term('cost', lang)} ({comparison.currency})")
    columns.set_y_axis({"name": f"{term('cost', lang)} ({comparison.currency})", "name_font": w.chart_font,
                        "num_font": w.chart_font, "num_format": "#,##0", "min": 0,
                        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return columns


def _bucket_chart(w: Writer, comparison, data, data_row):
    from .compare import OTHER_BUCKET

    lang, labels = w.lang, comparison.labels
    table = comparison.buckets
    buckets = list(dict.fromkeys(table["bucket"]))
    head = _block_title(w, data, data_row, term("cost_by_bucket", lang))
    w.text(data, head, 0, term("bucket", lang), "head")
    for j, label in enumerate(labels):
        w.text(data, head, 1 + j, shown_label(label, lang), "head")
    for i, bucket in enumerate(buckets, start=head + 1):
        w.text(data, i, 0, term("other_pay", lang) if bucket == OTHER_BUCKET else bucket)
        for j, label in enumerate(labels):
            mine = table.loc[(table["plan"] == label) & (table["bucket"] == bucket), "cost"]
            w.cell(data, i, 1 + j, int(mine.iloc[0]) if len(mine) else 0, "money")
    last = head + len(buckets)
    data_row[0] = last + 3
    chart = w.book.add_chart({"type": "column"})
    name = data.get_name()
    for j, label in enumerate(labels):
        chart.add_series({"name": [name, head, 1 + j], "categories": [name, head + 1, 0, last, 0],
                          "values": [name, head + 1, 1 + j, last, 1 + j], "fill": {"color": w.colour[label]},
                          "border": {"none": True}, "gap": 80})
    w.style_chart(chart, term("cost_by_bucket", lang), term("bucket", lang),
                  f"{term('cost', lang)} ({comparison.currency})")
    chart.set_x_axis({"name": term("bucket", lang), "name_font": w.chart_font, "label_position": "low",
                      "num_font": {**w.chart_font, "rotation": 0}})
    return chart


def _curve_chart(w: Writer, comparison, data, data_row):
    curves = comparison.curves
    if curves is None:
        return None
    lang = w.lang
    points = curves.points
    plans = list(dict.fromkeys(points["plan"]))
    levels = sorted(set(points.loc[points["plan"] == plans[0], "recovered"].tolist()))
    pay = {plan: points.loc[points["plan"] == plan].set_index("recovered")["pay"] for plan in plans}
    head = _block_title(w, data, data_row, term("curves", lang))
    w.text(data, head, 0, f"{term('recovered_month', lang)} ({comparison.currency})", "head")
    for j, plan in enumerate(plans):
        w.text(data, head, 1 + j, shown_label(plan, lang), "head")
    for i, level in enumerate(levels, start=head + 1):
        w.cell(data, i, 0, int(level), "money")
        for j, plan in enumerate(plans):
            w.cell(data, i, 1 + j, monthly_pay_exact(int(pay[plan].loc[level]), w.minor), "decimal_money")
    last = head + len(levels)
    # the median collector-month as a vertical line: two points (x, 0) and (x, top)
    recovered = comparison.simulation.baseline.payouts["recovered"]
    positive = sorted(int(v) for v in recovered if v > 0)
    marker = None
    if positive:
        median = positive[max(0, math.ceil(0.5 * len(positive)) - 1)]
        top = max(int(points["pay"].max()) // 3, 1)
        marker = last + 2
        w.text(data, marker, 0, term("median", lang), "head")
        w.cell(data, marker + 1, 0, median, "money")
        w.cell(data, marker + 2, 0, median, "money")
        w.cell(data, marker + 1, 1, 0, "money")
        w.cell(data, marker + 2, 1, top, "money")
    data_row[0] = (marker + 5) if marker else last + 3
    chart = w.book.add_chart({"type": "scatter", "subtype": "straight"})
    name = data.get_name()
    scenario_of = comparison.curve_scenario or {plan: plan for plan in plans}
    seen: dict = {}
    for j, plan in enumerate(plans):
        scenario = scenario_of.get(plan, plan)
        dash = DASHES[seen.get(scenario, 0) % len(DASHES)]
        seen[scenario] = seen.get(scenario, 0) + 1
        chart.add_series({"name": [name, head, 1 + j], "categories": [name, head + 1, 0, last, 0],
                          "values": [name, head + 1, 1 + j, last, 1 + j],
                          "line": {"color": w.colour.get(scenario, PALETTE[j % len(PALETTE)]), "width": 2,
                                   "dash_type": dash}, "marker": {"type": "none"}})
    if marker:
        chart.add_series({"name": [name, marker, 0], "categories": [name, marker + 1, 0, marker + 2, 0],
                          "values": [name, marker + 1, 1, marker + 2, 1], "marker": {"type": "none"},
                          "line": {"color": "#808080", "dash_type": "round_dot", "width": 1.25}})
    total = sum(amount for _, amount in curves.mix)
    mix = ", ".join(f"{bucket} {amount * 100 / total:.0f}%" for bucket, amount in curves.mix) if total else ""
    title = f"{term('curves', lang)} — {curves.quarter}"
    if mix:
        title += "\n" + term("curve_mix", lang, quarter=curves.quarter, mix=mix)
    w.style_chart(chart, title, f"{term('recovered_month', lang)} ({comparison.currency})",
                  f"{term('pay_month', lang)} ({comparison.currency})", x_format="#,##0")
    chart.set_title({"name": title, "name_font": {**w.chart_font, "size": 11, "bold": True}})
    chart.set_x_axis({"name": f"{term('recovered_month', lang)} ({comparison.currency})", "min": 0,
                      "name_font": w.chart_font, "num_font": w.chart_font, "num_format": "#,##0"})
    chart.set_y_axis({"name": f"{term('pay_month', lang)} ({comparison.currency})", "min": 0,
                      "name_font": w.chart_font, "num_font": w.chart_font, "num_format": "#,##0",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart


def _sweep_chart(w: Writer, comparison, data, data_row) -> Optional[object]:
    sweep = comparison.sweep
    if sweep is None or not len(sweep.table) or len(sweep.sweeps) > 1:
        return None  # a two-way grid is read from its table
    lang = w.lang
    first = sweep.sweeps[0]
    table = sweep.table
    head = _block_title(w, data, data_row, f"{term('sweep', lang)}: {shown_label(sweep.plan, lang)}")
    w.text(data, head, 0, first.path, "head")
    w.text(data, head, 1, term("cost", lang), "head")
    w.text(data, head, 2, shown_label(comparison.labels[0], lang), "head")
    baseline = int(comparison.summary["cost"].iloc[0])
    for i, (values, cost) in enumerate(zip(table["values"], table["cost"]), start=head + 1):
        data.write_number(i, 0, first.number(values[0], w.minor), w.formats["number"])
        w.cell(data, i, 1, int(cost), "money")
        w.cell(data, i, 2, baseline, "money")
    last = head + len(table)
    data_row[0] = last + 3
    chart = w.book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    name = data.get_name()
    chart.add_series({"name": [name, head, 1], "categories": [name, head + 1, 0, last, 0],
                      "values": [name, head + 1, 1, last, 1], "line": {"color": PALETTE[1], "width": 2},
                      "marker": {"type": "circle", "size": 5, "fill": {"color": PALETTE[1]},
                                 "border": {"color": PALETTE[1]}}})
    chart.add_series({"name": [name, head, 2], "categories": [name, head + 1, 0, last, 0],
                      "values": [name, head + 1, 2, last, 2], "marker": {"type": "none"},
                      "line": {"color": w.colour[comparison.labels[0]], "dash_type": "dash_dot", "width": 1.5}})
    unit = first.unit(comparison.currency)
    w.style_chart(chart, f"{term('sweep', lang)}: {shown_label(sweep.plan, lang)}",
                  f"{first.path} ({unit})" if unit else first.path, f"{term('cost', lang)} ({comparison.currency})")
    return chart
