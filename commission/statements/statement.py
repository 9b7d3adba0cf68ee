"""Collector statements: one Excel workbook per collector, drawn from the statement model (`model`).

The first sheet answers in its first rows what a collector asks first (net pay, pay date, period,
status, statement number, employee id, team), then says how the pay was made in sentences, what was
held back, forfeited or clawed back, progress, pay by pay code with the year to date, recovery by
bucket and (from a stored batch) pay over the last 12 periods as native Excel charts. Detail lists
every credited payment (accounts masked, numbers and percentages as numbers, autofilter, subtotals
by bucket, negative amounts in red); Plan gives the plan in words. Numbers are values, never formulas,
so viewers that do not recalculate still show them. Every cell names a CJK font (outputs.workbook's
CJK_FONT) so Chinese renders alike in Excel, WPS and LibreOffice.

Workbooks are written with XlsxWriter (outputs.xlsx_book), Detail's rows rendered by Arrow
(outputs.sheet_rows): a department's 2,000 statements of 500 payments take about 20 ms of CPU each
(benchmarks/bench_statements.py), where openpyxl's save alone took 27 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..i18n import default_language, t
from ..outputs.report_reader import RunReport
from ..outputs.sheet_rows import render_rows
from ..outputs.workbook import display_width, money_format, money_value, xml_text
from ..outputs.xlsx_book import CJK, DIGIT_PIXELS, HEADER_COLOUR, TOTAL_COLOUR, Book, Sheet, header_text
from .model import Names, Statement, StoreFacts, build_statement

DETAIL_MONEY = ("base", "base_amount", "commission", "amount")
#: Empty in a plan without a line rate.
RATE_COLUMNS = ("rate", "commission", "limit", "amount", "component", "fee_rate", "base_amount")
DETAIL_CODES = ("payment_id", "account", "bucket", "band", "reverses", "component")  # short values, centred
DETAIL_COLUMNS = (("payment_date", "detail.date"), ("payment_id", "detail.payment"), ("account", "detail.account"),
                  ("bucket", "detail.bucket"), ("band", "detail.band"), ("base", "detail.recovered"),
                  ("credit_share", "detail.share"), ("reverses", "detail.reverses"), ("fee_rate", "detail.fee_rate"),
                  ("base_amount", "detail.base_amount"), ("rate", "detail.rate"),
                  ("commission", "detail.commission"), ("limit", "detail.limit"), ("amount", "detail.amount"),
                  ("component", "detail.component"))
#: Summary columns: A the words, B the amount, C-F what the row needs beside it (pay code, kind, event).
WORDS_WIDTH, WIDTHS = 60, (60, 18, 12, 12, 10, 28)
#: Cell styles, as XlsxWriter format properties.
TOP, WRAPPED = {"valign": "top"}, {"text_wrap": True, "valign": "top"}
INDENTED = {"valign": "top", "indent": 1}  # text right of an amount keeps its distance
LEFT = {"align": "left", "valign": "top"}
BOLD_ON = {colour: {"bold": True, "bg_color": colour, "pattern": 1} for colour in (HEADER_COLOUR, TOTAL_COLOUR)}
#: Charts: 13 x 7.5 cm, in the pixels XlsxWriter sizes them in (96 per inch).
CHART_SIZE = {"width": round(13 / 2.54 * 96), "height": round(7.5 / 2.54 * 96)}
_WIDE = r"[^\x00-\x{2e80}]"  # characters display_width counts twice (CJK), as an Arrow (RE2) pattern


@dataclass(frozen=True)
class StatementRequest:
    collector: str
    lang: str
    path: Path
    store: Optional[StoreFacts] = None  # the batch's facts (number, status, pay date, year to date, history)


def statement_language(report: RunReport, lang: Optional[str]) -> str:
    """Chinese by default for CNY plans, English otherwise."""
    return lang or default_language(report.currency)


def write_statement(report: RunReport, request: StatementRequest) -> Path:
    """Write one collector's statement workbook to `request.path`."""
    statement = build_statement(report, request.collector, request.lang, request.store)
    book = Book(request.path)
    _summary(_Page(book, book.sheet(t("statement.summary_sheet", request.lang))), statement)
    policy = report.plan_of(request.collector)
    classifier = policy.classifier("bucket")
    _detail_sheet(_Page(book, book.sheet(t("statement.detail_sheet", request.lang))),
                  report.line_table(request.collector), Names(policy, request.lang, report.minor_units),
                  classifier.labels if classifier else (), _heading(statement),
                  any(c.kind == "line_rate" for c in policy.components))
    plan = _Page(book, book.sheet(t("statement.plan_sheet", request.lang)), statement.minor_units)
    _header(plan, [t("statement.what", request.lang), t("statement.rule_words", request.lang)])
    for what, words in statement.plan_words:
        plan.append([what, words])
    plan.widths((24, 90))
    _print_setup(plan.sheet, _heading(statement))
    book.close()
    return request.path


class _Page:
    """A sheet written row after row from the top; amounts (Decimal) get the money format and counts
    (int) a thousands separator wherever they are."""

    def __init__(self, book: Book, sheet: Sheet, minor_units: int = 2):
        self.book, self.sheet, self.row = book, sheet, 0  # row: the next row to write, 0-based
        self.money = money_format(minor_units)

    def append(self, values: Sequence = (), style: Optional[dict] = None,
               styles: Optional[Sequence[dict]] = None) -> int:
        """Write `values` on the next row, each cell in `style` and its own of `styles`; returns the row."""
        for column, value in enumerate(values):
            cell = {**(style or {}), **(styles[column] if styles and column < len(styles) else {})}
            if isinstance(value, Decimal):
                cell["num_format"] = self.money
            elif isinstance(value, int) and not isinstance(value, bool):
                cell["num_format"] = "#,##0"
            self.book.write(self.sheet, self.row, column, value, cell)
        self.row += 1
        return self.row - 1

    def height(self, row: int, points: float) -> None:
        self.sheet.set_row(row, points)

    def widths(self, widths: Sequence[float]) -> None:
        """Column widths as the file states them (characters of the default font, padding included);
        XlsxWriter's set_column would add the padding again."""
        for column, width in enumerate(widths):
            self.sheet.set_column_pixels(column, column, round(width * DIGIT_PIXELS))


def _heading(statement: Statement) -> str:
    header = statement.header
    return f"{t('statement.title', statement.lang)} {header.name} ({header.collector}) {header.period}"


def _summary(page: _Page, statement: Statement) -> None:
    """The statement's first sheet, top to bottom in the order a collector reads it."""
    lang, header = statement.lang, statement.header
    page.money = money_format(statement.minor_units)
    say = lambda key, **values: t(key, lang, **values)  # noqa: E731
    amount = lambda minor: money_value(minor, statement.minor_units)  # noqa: E731
    page.append([say("statement.title"), f"{header.name} ({header.collector})".strip()],  # the name stays text
                style={"bold": True, "font_size": 16})
    page.append([say("common.net_pay"), amount(header.net_pay), header.currency],
                styles=[{"bold": True, "font_size": 14, **LEFT}] * 2)
    page.height(0, 26), page.height(1, 22)  # viewers do not all grow a row
    for key, value in (("common.pay_date", header.pay_date), ("common.period", header.period),
                       ("common.status", header.status), ("statement.id", header.statement_id),
                       ("common.employee_id", header.employee_id), ("common.team", header.team),
                       ("statement.plan", header.plan)):
        page.append([say(key), value])
    if statement.correction is not None:
        correction = statement.correction
        page.append()
        _section(page, say("statement.correction"), ["", say("statement.amount")])
        page.append([correction.sentence], styles=[WRAPPED])
        page.append([say("statement.previously_paid"), amount(correction.previously_paid)])
        page.append([say("statement.now_due", period=header.period), amount(correction.now_due)])
        _total(page, [say("statement.correction_pays"), amount(correction.pays)])
    page.append()

    _section(page, say("statement.how"), [say("statement.what"), say("statement.amount"), say("statement.pay_code")])
    for made in statement.made:
        _wrapped_row(page, [made.text, amount(made.amount), made.pay_code])
    if statement.correction is not None:  # the period as recomputed; the header's net pay is the difference
        _total(page, [say("statement.now_due", period=header.period), amount(statement.correction.now_due)])
    else:
        _total(page, [say("statement.net_line"), amount(header.net_pay)])
    page.append()

    _section(page, say("statement.lost"), [say("statement.what"), say("statement.lost_amount"),
                                           say("statement.lost_kind"), say("statement.event_date"),
                                           say("statement.event_source"), say("statement.event_description")])
    for lost in statement.lost:
        _wrapped_row(page, [lost.what, amount(lost.amount), lost.kind_text, lost.date, lost.source,
                            lost.description])
    if not statement.lost:
        page.append([say("statement.nothing_lost")])
    page.append()

    _section(page, say("statement.progress"))
    for text in statement.progress or (say("statement.no_progress"),):
        _wrapped_row(page, [text])
    page.append()

    with_ytd = any(code.ytd is not None for code in statement.pay_codes)
    due = say("statement.now_due", period=header.period) if statement.correction else say("statement.amount")
    _section(page, say("statement.pay_codes"), [say("statement.pay_code"), due]
             + ([say("statement.ytd")] if with_ytd else []), numeric=(2, 3))
    for code in statement.pay_codes:
        page.append([code.name, amount(code.amount)] + ([amount(code.ytd)] if with_ytd else []))
    page.append()

    if statement.balances:
        _section(page, say("statement.balances"), [say("statement.what"), say("statement.amount")])
        for name, value in statement.balances:
            page.append([name, amount(value)])
        page.append()

    if statement.awards:  # raises recommended and benefits granted: apart from the pay, never added to it
        _section(page, say("statement.awards"), [say("statement.what"), say("statement.evidence"),
                                                 say("statement.award")], numeric=())
        for award in statement.awards:
            _wrapped_row(page, [award.what, award.evidence, award.given])
        page.append()

    reversals = [say("statement.reversed")] if statement.reversed else []  # a column only when there are any
    _section(page, say("statement.buckets"), [say("statement.bucket"), say("detail.recovered"),
                                              say("statement.payments"), *reversals], numeric=(2, 3, 4))
    first_bucket = page.row
    for bucket in statement.buckets:
        page.append([bucket.name, amount(bucket.recovered), bucket.payments, *([bucket.reversed] if reversals else [])])
    last_bucket = page.row - 1
    _total(page, [say("common.total"), amount(statement.recovered), statement.payments,
                  *([statement.reversed] if reversals else [])])
    page.append()

    charts_at = page.row - 1  # the empty row below the total
    name = page.sheet.name
    if statement.history:
        codes = list(dict.fromkeys([*(code.name for code in statement.pay_codes),  # the plan's order
                                    *(code for _, codes in statement.history for code in codes)]))
        _section(page, say("statement.history"), [say("common.period"), *codes],
                 numeric=range(2, 2 + len(codes)))
        first_period = page.row
        for period, by_code in statement.history:
            page.append([period, *(amount(by_code.get(code, 0)) for code in codes)])
        nothing = not any(value for _, by_code in statement.history for value in by_code.values())
        chart = _bar_chart(page.book, say("statement.chart_pay"), header.currency, stacked=True, nothing=nothing)
        for column in range(1, 1 + len(codes)):
            chart.add_series({"name": [name, first_period - 1, column],
                              "categories": [name, first_period, 0, page.row - 1, 0],
                              "values": [name, first_period, column, page.row - 1, column],
                              **({"overlap": 100} if column == 1 else {})})
        page.sheet.insert_chart(page.row + 1, 0, chart)
        charts_at = page.row + 1
    if statement.buckets:
        chart = _bar_chart(page.book, say("statement.chart_buckets"), header.currency, stacked=False)
        chart.set_legend({"none": True})
        chart.add_series({"categories": [name, first_bucket, 0, last_bucket, 0],
                          "values": [name, first_bucket, 1, last_bucket, 1]})
        page.sheet.insert_chart(charts_at, 1 if statement.history else 0, chart)

    page.widths(WIDTHS)
    _print_setup(page.sheet, _heading(statement), header.controls_note)


def _bar_chart(book: Book, title: str, currency: str, stacked: bool, nothing: bool = False):
    """A native column chart titled `title`, its value axis in whole `currency` units (0 to 1 when every
    value is 0: a viewer's own scale then labels its axis 0, 0, 0, 1, 1, 1)."""
    chart = book.xlsx.add_chart({"type": "column", **({"subtype": "stacked"} if stacked else {})})
    font = {"name": CJK["font_name"]}
    chart.set_title({"name": xml_text(title), "name_font": {**font, "bold": True}})
    chart.set_y_axis({"name": xml_text(currency), "num_format": "#,##0", "name_font": font, "num_font": font,
                      **({"min": 0, "max": 1, "major_unit": 1} if nothing else {})})
    chart.set_x_axis({"num_font": font})
    chart.set_legend({"font": font})
    chart.set_size(CHART_SIZE)
    return chart


def _wrapped_row(page: _Page, values: list) -> None:
    """A row whose first cell's words wrap in column A, high enough for every line (viewers do not all
    grow a row for wrapped text)."""
    row = page.append(values, styles=[WRAPPED, TOP, INDENTED, INDENTED, INDENTED, WRAPPED])
    lines = max(-(-display_width(str(values[0])) // (WORDS_WIDTH + 8)),  # most text is narrower than its count
                -(-display_width(str(values[5])) // (WIDTHS[5] + 4)) if len(values) > 5 else 1)
    if lines > 1:
        page.height(row, 16 * lines)


def _detail_sheet(page: _Page, lines: pa.Table, names: Names, bucket_order, heading: str,
                  line_rated: bool) -> None:
    """Every credited payment in the plan's bucket order, then by date, with a subtotal per bucket
    and a total. The rows are rendered straight to XML (see sheet_rows): cell by cell, ~500 lines per
    statement took most of a department's statement run."""
    columns = [(name, names.t(key)) for name, key in DETAIL_COLUMNS if name in lines.column_names
               and (line_rated or name not in RATE_COLUMNS) and _informative(lines, name)]
    names_shown = [name for name, _ in columns]
    money = [name for name in names_shown if name in DETAIL_MONEY]
    kinds = {name: "money" if name in money else "date" if name == "payment_date" else
             "percent" if name in ("rate", "credit_share", "fee_rate") else
             "code" if name in DETAIL_CODES else "text" for name in names_shown}
    # a header sits over its values, aligned as they are
    page.append([label for _, label in columns], style={**BOLD_ON[HEADER_COLOUR], "valign": "vcenter",
                                                          "text_wrap": True},
                styles=[{"align": "right" if kinds[name] in ("money", "percent", "date") else
                         "center" if kinds[name] == "code" else "left"} for name in names_shown])

    body = lines.select(names_shown)
    for name, words in (("limit", lambda v: names.word("detail.limit", v) if v else v),
                        ("band", lambda v: names.word("band", v)), ("component", names.component)):
        if name in names_shown:  # a handful of distinct values, each put in words once
            body = body.set_column(names_shown.index(name), name, _in_words(body[name], words))
    totals = [{**{name: pc.sum(lines[name]).as_py() or 0 for name in money}, "_label": names.t("detail.total")}]
    if "bucket" in names_shown and lines.num_rows:
        buckets = lines["bucket"].to_numpy(zero_copy_only=False)
        rank = pc.fill_null(pc.index_in(lines["bucket"], value_set=pa.array(list(bucket_order), pa.string())),
                            len(bucket_order))  # buckets the plan does not list go last
        order = np.lexsort((np.arange(lines.num_rows), lines["payment_date"].to_numpy(zero_copy_only=False),
                            buckets, rank.to_numpy()))
        body, buckets = body.take(order), buckets[order]
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])  # each bucket is one run after the sort
        sums = {name: np.add.reduceat(body[name].to_numpy(), starts) for name in money}
        subtotals = [{**{name: int(sums[name][k]) for name in money},
                      "_label": names.t("detail.subtotal", bucket=buckets[start])} for k, start in enumerate(starts)]
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
    minor = names.minor_units
    signed = money_format(minor) + ";[Red]-" + money_format(minor)  # reversals (negative amounts) stand out
    last_row = render_rows(page.book, page.sheet, table, kinds, minor, label="_label", style={"font_size": 10},
                           formats={"money": signed})

    widths = []
    for name, label in columns:  # widths from the data, not cell by cell
        if name in money:
            longest = len(f"{money_value(pc.max(pc.abs(table[name])).as_py() or 0, minor):,}") + 1  # minus sign
        else:
            text = pc.cast(table[name], pa.string())
            longest = pc.max(pc.add(pc.utf8_length(text), pc.count_substring_regex(text, _WIDE))).as_py() or 0
        widths.append(min(max(longest + 3, display_width(label) + 3, 8), 40))  # room for fonts wider than Calibri
    page.widths(widths)
    page.sheet.freeze_panes(1, 0)
    page.sheet.autofilter(0, 0, last_row - 1, len(columns) - 1)
    page.sheet.repeat_rows(0)  # the header on every printed page
    _print_setup(page.sheet, heading)


def _in_words(column: pa.ChunkedArray, words) -> pa.Array:
    """A text column with each distinct value replaced by `words(value)`, computed once per value."""
    text = pc.cast(column, pa.string())
    distinct = pc.unique(text)
    replaced = pa.array([words(value) if value is not None else None for value in distinct.to_pylist()],
                        pa.string())
    return pc.take(replaced, pc.index_in(text, value_set=distinct))


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


def _section(page: _Page, title: str, headers: Sequence[str] = (), numeric: Sequence[int] = (2,)) -> None:
    """A section title, and a shaded header row if the section is a table: the headers of the `numeric`
    columns right-aligned over their numbers, the others indented like their text."""
    page.append([title], style={"bold": True, "font_size": 12})
    if headers:
        row = _header(page, headers, styles=[{}] + [
            {"align": "right" if column in numeric else "left", "text_wrap": True, "valign": "bottom",
             "indent": 0 if column in numeric else 1} for column in range(2, len(headers) + 1)])
        lines = max(-(-display_width(text) // (WIDTHS[min(k, len(WIDTHS) - 1)] - 1)) for k, text in enumerate(headers))
        if lines > 1:  # a header wider than its column wraps instead of spilling over its neighbour
            page.height(row, 15 * lines)


def _total(page: _Page, values: list) -> None:
    """A bold, shaded total row."""
    page.append(values + [None] * (3 - len(values)), style=BOLD_ON[TOTAL_COLOUR])


def _header(page: _Page, headers: Sequence[str], styles: Sequence[dict] = ()) -> int:
    """A bold, shaded header row; returns its row."""
    return page.append(list(headers), style=BOLD_ON[HEADER_COLOUR], styles=styles)


def _print_setup(sheet: Sheet, heading: str, footer: str = "") -> None:
    """A4, fit to the page's width, each page headed with whose statement it is and numbered, and footed
    with how the batch was controlled when that needs saying."""
    sheet.set_header("&L" + header_text(heading), {"margin": 0.5})
    sheet.set_footer(("&L" + header_text(footer) if footer else "") + "&R&P / &N", {"margin": 0.5})
    sheet.set_margins(left=0.75, right=0.75, top=1, bottom=1)  # inches: room for the header and footer
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)


def write_statements(run, target, source: dict, collector: Optional[str] = None, lang: Optional[str] = None,
                     jobs: Optional[int] = None, progress=None, store: Optional[StoreFacts] = None,
                     only: Optional[Sequence[str]] = None) -> int:
    """Statements for everyone in the run (its folder, or its RunReport already read), all or none, in
    `jobs` processes: the `target` folder is replaced whole. With `collector`, only that collector's
    workbook is (re)written in it.

    `source` says which run folder or batch they come from ({"run": path} or {"batch_id", "token"});
    it is recorded in the folder's statements.json, and a folder holding statements of another
    source is never replaced. `store` (for a stored batch) adds the year to date and, for an
    adjustment batch, what was paid before it and what it pays; `only` limits the statements to
    these collectors (a correction's statements go only to those it changes).
    """
    import os

    from ..errors import InputError, Problem
    from ..outputs.atomic import atomic_directory, atomic_file
    from ..outputs.owners import statements_folder
    from ..outputs.paths import clash, file_in, safe_file_name
    from ..outputs.report_reader import load_report

    report = run if isinstance(run, RunReport) else load_report(run)
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
            with _workers(report, jobs) as pool:
                for done in pool.map(_write_chunk, chunks):
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
    return StatementRequest(collector, language, path, store=store)


#: The run a worker process writes statements from (set once per worker by _adopt).
_worker_report: Optional[RunReport] = None
#: The process that started this worker: a worker whose parent is gone stops (see _adopt).
_worker_parent: Optional[int] = None
#: Linux prctl(2): send this process a signal when its parent ends.
_PR_SET_PDEATHSIG = 1


def _workers(report: RunReport, jobs: int):
    """A pool of `jobs` processes holding `report`. Where processes fork (Linux), they inherit the parent's
    report instead of each reading the run again (a second for a department's million lines); elsewhere
    each worker reads the run folder once."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=jobs, initializer=_adopt, initargs=(report.folder, os.getpid()))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_adopt, initargs=(report, os.getpid()))


def _adopt(report, parent: int) -> None:
    """A worker's start: the parent's report (forked: nothing is copied or read), or its folder to read.

    A worker ends with its parent: a killed `statements` (SIGKILL runs no clean-up) must not leave its
    workers (each holding the run's lines) writing or waiting for hours. On Linux the kernel kills the
    worker when the parent dies (PR_SET_PDEATHSIG: strictly, when the thread that forked it ends, and
    write_statements makes and ends its pool within one call of one thread); elsewhere the worker stops
    before its next statement."""
    import ctypes
    import signal

    from ..outputs.report_reader import load_report

    global _worker_report, _worker_parent
    _worker_parent = parent
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):  # not Linux: _write_chunk checks between statements
        pass
    _orphaned()  # the parent may have died before the line above
    _worker_report = report if isinstance(report, RunReport) else load_report(report)


def _orphaned() -> None:
    """End this worker at once when the process that started it is gone."""
    import os

    if os.getppid() != _worker_parent:
        os._exit(1)


def _write_chunk(requests) -> int:
    """One worker: write its share of the statements (stopping if the parent is gone)."""
    for request in requests:
        _orphaned()
        write_statement(_worker_report, request)
    return len(requests)
