"""Long sheets rendered as worksheet XML column by column, instead of one cell written per value.

A spreadsheet writer creates, styles and serialises each cell in Python (openpyxl about 40 us a cell,
XlsxWriter about 15 us); a department's statements hold millions of them. Here a whole column's cells
become XML in a few Arrow string operations, with no Python loop over the rows, and the sheet
(`xlsx_book.Sheet`) writes them after its own rows. XlsxWriter still owns everything else about the
sheet: the header row, widths, frozen panes, autofilter, print setup and the style table (the rows
refer to formats registered in it).

XlsxWriter's constant_memory mode, the well-kept alternative, writes cell by cell in a Python loop over
the rows; a workbook of one 500-row Detail took 118 ms that way against 19 ms with these rendered
columns (benchmarks/bench_sheet_writers.py, on a shared 2-core machine), so the rendered rows stay.

Cells are written the way spreadsheet writers write them (numbers as values, text as inline strings),
so Excel, LibreOffice and openpyxl read them back as they would any other cell.
"""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

from .tables import money_decimal_array
from .workbook import money_format
from .xlsx_book import TOTAL_COLOUR, Book, Sheet

#: Column kinds: text as inline strings (codes such as buckets and rates centred), money (int64
#: minor units) as exact decimal values, dates (ISO text) as Excel date serials shown as
#: yyyy-mm-dd, so they sort and filter as dates, percent (text: a rate "12.5%" or a share "0.5")
#: as the exact fraction (0.125, 0.5) shown as a percentage.
KINDS = ("text", "code", "money", "date", "percent")
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
#: Percent text the percent kind turns into numbers: a decimal, with a % sign or without.
PERCENT_TEXT = r"^-?[0-9]+(\.[0-9]+)?%?$"
_PERCENT_SCALE = 8  # decimals kept of a rate's digits (the engine's rates have far fewer)
_EXCEL_EPOCH_OFFSET = 25569  # days from Excel's 1899-12-30 to 1970-01-01
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # characters XML 1.0 cannot hold
_SPECIAL = r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # text to escape: rare, so checked first


def render_rows(book: Book, sheet: Sheet, table: pa.Table, kinds: Mapping[str, str], minor_units: int,
                label: Optional[str] = None, style: Optional[dict] = None,
                formats: Optional[Mapping[str, str]] = None) -> int:
    """Put `table`'s rows below the sheet's last row; returns the last row's number (1-based, as
    Excel shows it; the sheet's own last row when `table` is empty).

    `kinds` gives each shown column's kind (see KINDS); every column but `label` is shown, in
    order. `label`, if given, names a text column that marks total rows: where it is not null, the
    row is a bold, shaded total whose first cell shows that text, money columns show their values
    and every other cell stays empty. Add nothing to the sheet's cells after rendering (the sheet
    refuses to save). `style` gives every cell's format properties (a font size, say); `formats`
    replaces a kind's number format (e.g. negative money in red).
    """
    first_row = sheet.next_row()  # 0-based; the XML numbers rows from 1
    rows = pa.array(np.arange(first_row + 1, first_row + 1 + table.num_rows).astype(str))
    styles = _Styles(book, minor_units, style or {}, formats or {})
    shown = [name for name in table.column_names if name != label]
    is_total = pc.is_valid(table[label]).to_numpy(zero_copy_only=False) if label else np.zeros(table.num_rows, bool)
    plain, total = np.flatnonzero(~is_total), np.flatnonzero(is_total)  # a few totals: rendered apart
    xml = _row_xml(*_body_cells(table.take(plain), rows.take(plain), shown, kinds, styles))
    if len(total):
        totals = _row_xml(*_total_cells(table.take(total), rows.take(total), shown, kinds, label, styles))
        xml = pa.concat_arrays([xml, totals]).take(np.argsort(np.concatenate([plain, total]), kind="stable"))
    last_row = first_row + table.num_rows - 1
    sheet.add_rows(first_row, last_row, len(shown) - 1, _joined(xml))
    return last_row + 1


def _body_cells(table: pa.Table, rows: pa.Array, shown, kinds, styles: "_Styles") -> tuple[pa.Array, list]:
    """The cells of rows that are not totals, column by column."""
    return rows, [_cells(xl_col_to_name(position), rows, table[name], kinds[name],
                         styles.id(kinds[name], total=False), styles.minor_units)
                  for position, name in enumerate(shown)]


def _total_cells(table: pa.Table, rows: pa.Array, shown, kinds, label: Optional[str],
                 styles: "_Styles") -> tuple[pa.Array, list]:
    """The cells of total rows: the label, the money, the other cells empty but shaded."""
    cells = []
    for position, name in enumerate(shown):
        kind, letter = kinds[name], xl_col_to_name(position)
        if position == 0:  # total rows show their label here, as text
            cells.append(_cells(letter, rows, table[label], "text", styles.id("text", total=True), styles.minor_units))
        elif kind == "money":
            cells.append(_cells(letter, rows, table[name], kind, styles.id(kind, total=True), styles.minor_units))
        else:  # an empty, shaded cell keeps the total row's band unbroken
            cells.append(pc.binary_join_element_wise(f'<c r="{letter}', rows,
                                                     f'" s="{styles.id(kind, total=True)}"/>', ""))
    return rows, cells


def _row_xml(rows: pa.Array, cells: list) -> pa.Array:
    return pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", "").cast(pa.string())


def _joined(xml: pa.Array) -> str:
    """The rows' XML as one text: the string array's data between its first and last offsets."""
    xml = xml.combine_chunks() if isinstance(xml, pa.ChunkedArray) else xml
    if not len(xml):
        return ""
    offsets = np.frombuffer(xml.buffers()[1], dtype=np.int32)[xml.offset:xml.offset + len(xml) + 1]
    return xml.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]].decode("utf-8")


class _Styles:
    """Format ids (XlsxWriter's xf indexes) for each kind, plain and total."""

    def __init__(self, book: Book, minor_units: int, style: dict, formats: Mapping[str, str]):
        self._book, self._style, self._ids, self.minor_units = book, style, {}, minor_units
        self._formats = {"money": money_format(minor_units), "date": DATE_FORMAT, "percent": PERCENT_FORMAT,
                         **formats}

    def id(self, kind: str, total: bool) -> int:
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r}")
        key = (kind, total)
        if key not in self._ids:
            properties = dict(self._style)
            if kind in self._formats:
                properties["num_format"] = self._formats[kind]
            if kind == "code":
                properties["align"] = "center"
            if total:
                properties.update(bold=True, bg_color=TOTAL_COLOUR, pattern=1)
            self._ids[key] = self._book.style(**properties)._get_xf_index()  # registered: the rows use it
        return self._ids[key]


def _cells(letter: str, rows: pa.Array, values: pa.ChunkedArray, kind: str, style: int,
           minor_units: int) -> pa.Array:
    """One column's cells; a missing value, or empty text, gives no cell at all. Each step that the
    common column does not need (escaping, kept spaces, absent cells) is taken only when needed."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    space = ">"
    if kind in ("text", "code"):
        text, value_tag, close = pc.cast(values, pa.string()), ' t="inlineStr"><is><t', "</t></is></c>"
        if pc.any(pc.match_substring_regex(text, _SPECIAL)).as_py():
            text = _escaped(text)
        untrimmed = pc.equal(text, pc.utf8_trim_whitespace(text))
        if not pc.all(untrimmed).as_py():  # <t xml:space="preserve"> keeps leading and trailing spaces
            space = pc.if_else(untrimmed, ">", ' xml:space="preserve">')
        if pc.any(pc.equal(text, "")).as_py():
            text = pc.if_else(pc.equal(text, ""), None, text)
    elif kind == "money":
        money = pc.fill_null(values, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        text, value_tag, close = pc.cast(money_decimal_array(money, minor_units), pa.string()), "><v", "</v></c>"
        if values.null_count:
            text = pc.if_else(pc.is_valid(values), text, None)
    else:  # a few distinct rates, shares and days among the payments: each made a number once
        encoded = pc.dictionary_encode(values)
        text = (fraction_text if kind == "percent" else _date_serials)(encoded.dictionary).take(encoded.indices)
        value_tag, close = "><v", "</v></c>"
    style_attribute = f' s="{style}"' if style else ""
    cell = pc.binary_join_element_wise(f'<c r="{letter}', rows, f'"{style_attribute}{value_tag}', space, text,
                                       close, "")
    return pc.fill_null(cell, "") if cell.null_count else cell


def _date_serials(values: pa.Array) -> pa.Array:
    """ISO dates as Excel's day numbers (days since 1899-12-30), as text."""
    days = pc.cast(pc.cast(pc.cast(values, pa.string()), pa.date32()), pa.int32())
    return pc.cast(pc.add(days, _EXCEL_EPOCH_OFFSET), pa.string())


def fraction_text(values: pa.Array) -> pa.Array:
    """Rates ("12.5%") and shares ("0.5") as the exact decimal they are (0.125, 0.5): the digits of a
    rate are read as a decimal with _PERCENT_SCALE places and the same integer read with two more,
    which divides it by 100 without rounding anything. Text that is neither gives no cell."""
    text = pc.cast(values, pa.string())
    valid = pc.fill_null(pc.match_substring_regex(text, PERCENT_TEXT), False)
    text = pc.if_else(valid, text, None)
    is_rate = pc.fill_null(pc.ends_with(text, "%"), False)
    digits = pc.cast(pc.utf8_rtrim(text, "%"), pa.decimal128(30, _PERCENT_SCALE))
    digits = digits.combine_chunks() if isinstance(digits, pa.ChunkedArray) else digits
    hundredths = pa.Array.from_buffers(pa.decimal128(30, _PERCENT_SCALE + 2), len(digits), digits.buffers())
    number = pc.if_else(is_rate, pc.cast(hundredths, pa.string()), pc.cast(digits, pa.string()))
    trimmed = pc.utf8_rtrim(pc.utf8_rtrim(number, "0"), ".")  # the scale's trailing zeros (there is always a point)
    return pc.if_else(pc.fill_null(pc.equal(digits, pa.scalar(0, digits.type)), False), "0", trimmed)


def _escaped(text: pa.Array) -> pa.Array:
    """Text as XML character data: &, <, > and carriage returns (which XML parsers turn into line
    feeds) escaped, characters XML cannot hold removed."""
    text = pc.replace_substring_regex(text, _XML_ILLEGAL, "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = pc.replace_substring(text, raw, escaped)
    return text
