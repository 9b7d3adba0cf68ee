"""Workbooks for people written with XlsxWriter (collector statements): one format per distinct style,
text always a string, numbers exact, the same bytes for the same content.

XlsxWriter writes a statement's styles, charts and print setup in a few milliseconds where openpyxl's
save took most of a department's statement run. The safety rules of `workbook` hold here too: text
is written with write_string only (never a formula, number or link) and loses the characters XML
cannot hold; a Decimal is written as its exact digits (XlsxWriter would print 16 significant digits);
document and zip-entry dates are fixed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Optional

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .workbook import FIXED_TIME, CJK_FONT, HEADER_FILL, TOTAL_FILL, xml_text

#: outputs.workbook's CJK_FONT and fills as XlsxWriter format properties.
CJK = {"font_name": CJK_FONT["name"], "font_charset": CJK_FONT["charset"], "font_family": CJK_FONT["family"]}
HEADER_COLOUR, TOTAL_COLOUR = (f"#{fill.fgColor.rgb[-6:]}" for fill in (HEADER_FILL, TOTAL_FILL))
#: A default column's width in pixels for CJK_FONT at 11 points (9 a digit, as LibreOffice draws it): XlsxWriter
#: places charts by the cells under them, so it must measure columns as viewers draw them.
COLUMN_PIXELS, DIGIT_PIXELS = 80, 9
#: Excel's limit on a page header or footer (XlsxWriter drops a longer one with a warning).
HEADER_LIMIT = 255


class Sheet(Worksheet):
    """A worksheet writing Decimals as their exact digits, followed by rows rendered as XML
    (`sheet_rows.render_rows`) after its own. The one place that knows XlsxWriter's internals."""

    def __init__(self):
        super().__init__()
        self.rendered: Optional[tuple[int, int, int, str]] = None  # first and last row, last column (0-based), XML

    def next_row(self) -> int:
        """The first row (0-based) below every cell written so far."""
        return 0 if self.dim_rowmax is None else self.dim_rowmax + 1

    def add_rows(self, first_row: int, last_row: int, last_column: int, xml: str) -> None:
        """Rows `first_row`..`last_row` (0-based) rendered as XML, written after the sheet's own rows."""
        if last_row >= first_row:
            self.rendered = (first_row, last_row, last_column, xml)

    def _write_dimension(self) -> None:
        """The dimension covers the rendered rows (XlsxWriter's own row loop never sees them)."""
        if self.rendered is None:
            return super()._write_dimension()
        own = self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax
        self._check_dimensions(self.rendered[1], self.rendered[2])
        super()._write_dimension()
        self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax = own

    def _write_sheet_data(self) -> None:
        if self.rendered is None:
            return super()._write_sheet_data()
        first_row, *_, xml = self.rendered
        if any(cells and row >= first_row for row, cells in self.table.items()):
            raise RuntimeError(f"sheet {self.name!r} got cells at or below row {first_row + 1} after its rows "
                               "were rendered")
        self._xml_start_tag("sheetData")
        if self.dim_rowmin is not None:
            self._write_rows()
        self.fh.write(xml)
        self._xml_end_tag("sheetData")

    def _xml_number_element(self, number, attributes=[]) -> None:  # noqa: B006 (XlsxWriter's signature)
        if isinstance(number, Decimal):
            attr = "".join(f' {key}="{self._escape_attributes(value)}"' for key, value in attributes)
            self.fh.write(f"<c{attr}><v>{number:f}</v></c>")
        else:
            super()._xml_number_element(number, attributes)


class Book:
    """One workbook being written to `path`, every cell in CJK_FONT at `font_size` unless a style says
    otherwise. Write cells with `write`, so text stays text."""

    def __init__(self, path: Path, font_size: int = 11):
        self.xlsx = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                    "strings_to_urls": False, "nan_inf_to_errors": False,
                                                    "in_memory": True, "default_column_width": COLUMN_PIXELS})
        self.xlsx.set_properties({"created": FIXED_TIME, "author": "collector-commission"})
        default = self.xlsx.formats[0]
        default.set_font_name(CJK["font_name"])
        default.set_font_charset(CJK["font_charset"])
        default.set_font_family(CJK["font_family"])
        default.set_font_size(font_size)
        self._font_size = font_size
        self._formats: dict[tuple, Format] = {}

    def sheet(self, name: str) -> Sheet:
        return self.xlsx.add_worksheet(xml_text(name), worksheet_class=Sheet)

    def style(self, **properties) -> Format:
        """The format with these XlsxWriter properties (and the CJK font), made once per workbook."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.xlsx.add_format({**CJK, "font_size": self._font_size, **properties})
        return self._formats[key]

    def write(self, sheet: Sheet, row: int, column: int, value, style: Optional[dict] = None) -> None:
        """`value` at (row, column), 0-based: text as a string, numbers as numbers, None as an empty
        cell (kept only when styled)."""
        fmt = self.style(**style) if style else None
        if value is None or value == "":
            if fmt is not None:
                sheet.write_blank(row, column, None, fmt)
        elif isinstance(value, str):  # a carriage return as XML readers read it (XlsxWriter would escape it)
            sheet.write_string(row, column, xml_text(value).replace("\r\n", "\n").replace("\r", "\n"), fmt)
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            sheet.write_number(row, column, value, fmt)
        else:
            raise TypeError(f"cannot write {type(value).__name__} to a workbook for people")

    def close(self) -> None:
        self.xlsx.close()


def header_text(text: str) -> str:
    """Text for a page header or footer: one line, '&' doubled (it starts a header code), what XML
    cannot hold dropped, cut to fit Excel's limit (counted in UTF-16 units, as Excel counts them)."""
    text = re.sub(r"[\t\r\n]+", " ", xml_text(text)).replace("&", "&&")
    units = 0
    for position, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > HEADER_LIMIT - 8:  # room for the section codes (&L, &R&P / &N) around it
            return text[:position].rstrip("&")
    return text
