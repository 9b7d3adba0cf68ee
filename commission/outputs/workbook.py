"""Small openpyxl helpers shared by every workbook we write: styled header, money formats, widths, totals.

Every workbook is made by `new_workbook` and written by `save_workbook`, which is where text is
made safe, whatever a writer puts in (ids and names come from other systems): a text cell is always
a string, never a formula (openpyxl reads a str starting with '=' as one) nor an error value, and
characters XML cannot hold are dropped instead of breaking the file. We never write formulas.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter


#: The font workbooks for people name: on every Windows (so Excel and WPS) and Office for Mac; the GB2312
#: charset and swiss family let a viewer without it (LibreOffice on Linux) pick a Chinese sans such as
#: Noto Sans CJK SC, the font the package ships for charts (commission/fonts) is cut from.
CJK_FONT = {"name": "Microsoft YaHei", "charset": 134, "family": 2}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
THIN_TOP = Border(top=Side(style="thin"))
CENTRED = Alignment(horizontal="center")


def money_format(minor_units: int) -> str:
    return "#,##0" + ("." + "0" * minor_units if minor_units else "")


def money_value(minor: int, minor_units: int) -> Decimal:
    """Minor units as an exact Decimal, so the cell holds the number itself (no formula, no float text)."""
    return Decimal(int(minor)).scaleb(-minor_units)


def write_sheet(sheet, frame: pd.DataFrame, money: Sequence[str], minor_units: int, total_label: str | None = "Total",
                headers: Sequence[str] | None = None) -> None:
    """Write `frame` with a bold frozen header, money formats, fitted widths and an optional total row."""
    headers = list(headers or frame.columns)
    sheet.append(headers)
    bold = Font(**{**vars(sheet.parent._fonts[0]), "b": True})  # the workbook's font, in bold
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    money_positions = [i for i, name in enumerate(frame.columns) if name in money]
    columns = [frame[name].tolist() for name in frame.columns]
    for values in zip(*columns):
        row = list(values)
        for i in money_positions:
            row[i] = money_value(row[i], minor_units)
        sheet.append(row)
    if total_label is not None and len(frame):
        total_row = [None] * len(headers)
        total_row[0] = total_label
        for i in money_positions:
            total_row[i] = money_value(int(frame.iloc[:, i].sum()), minor_units)
        sheet.append(total_row)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = TOTAL_FILL
            cell.border = THIN_TOP
    number_format = money_format(minor_units)
    for i in money_positions:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = number_format
    centered = Alignment(horizontal="center")
    for i, name in enumerate(frame.columns):  # short codes (version, currency) read better centred
        if name not in money and frame[name].astype(str).str.len().max() <= 8:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=1 + len(frame), min_col=i + 1, max_col=i + 1):
                cell.alignment = centered
    fit_widths(sheet)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{1 + len(frame)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def display_width(text: str) -> int:
    """Width of `text` in character columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def fit_widths(sheet, minimum: int = 8, maximum: int = 40) -> None:
    """Column widths from the longest shown value (CJK characters count double)."""
    for column_cells in sheet.columns:
        longest = minimum
        for cell in column_cells:
            if cell.value is None:
                continue
            text = f"{cell.value:,}" if isinstance(cell.value, (int, Decimal)) else str(cell.value)
            longest = max(longest, display_width(text) + 2)
        sheet.column_dimensions[get_column_letter(column_cells[0].column)].width = min(longest, maximum)


#: Characters XML 1.0 cannot hold (sheet_rows drops the same in RE2), and lone surrogates, which
#: are not text at all and cannot be written as UTF-8.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """`value` with the characters XML cannot hold dropped, if it is a str; anything else as it is."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


class TextSheet(Worksheet):
    """A worksheet that drops the characters XML cannot hold from text before openpyxl sees it
    (openpyxl raises IllegalCharacterError on most of them): write cells with append, cell or
    sheet[key] = value."""

    def append(self, iterable):
        if isinstance(iterable, Mapping):
            super().append({key: xml_text(value) for key, value in iterable.items()})
        else:
            super().append([xml_text(value) for value in iterable])

    def cell(self, row, column, value=None):
        return super().cell(row, column, xml_text(value))

    def __setitem__(self, key, value):
        super().__setitem__(key, xml_text(value))


class _Workbook(Workbook):
    """A workbook of TextSheets."""

    def create_sheet(self, title=None, index=None):
        sheet = TextSheet(parent=self, title=xml_text(title))
        self._add_sheet(sheet=sheet, index=index)
        return sheet


def new_workbook(cjk: bool = False) -> Workbook:
    """An empty workbook; with `cjk`, every cell without a font of its own names CJK_FONT, so Chinese text
    renders alike in Excel, WPS and LibreOffice (the default names Calibri, which has no Chinese)."""
    workbook = _Workbook()
    workbook.remove(workbook.active)
    if cjk:
        workbook._fonts = IndexedList([cjk_font(sz=11)])
        workbook._named_styles["Normal"].font = cjk_font(sz=11)
    return workbook


def cjk_font(**style) -> Font:
    """A font naming CJK_FONT, with `style` (b=True, sz=14...)."""
    return Font(**CJK_FONT, **style)


def _text_only(workbook: Workbook) -> None:
    """The last word before saving: every formula or error cell becomes the string it was given as,
    and every text (cells, sheet headers and footers, chart titles) loses what XML cannot hold."""
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():
            if cell.data_type in ("f", "e"):
                cell.data_type = "s"
            if cell.data_type == "s" and isinstance(cell._value, str):
                cell._value = xml_text(cell._value)
        for part in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter, sheet.firstHeader,
                     sheet.firstFooter):
            for side in (part.left, part.center, part.right):
                side.text = xml_text(side.text)
        for chart in sheet._charts:
            for title in (chart.title, getattr(chart.x_axis, "title", None), getattr(chart.y_axis, "title", None)):
                for paragraph in (title.tx.rich.p if title is not None and title.tx and title.tx.rich else ()):
                    for run in paragraph.r or ():
                        run.t = xml_text(run.t)


#: Fixed document and zip-entry time, so the same inputs give byte-identical workbooks.
FIXED_TIME = datetime(2000, 1, 1)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry FIXED_TIME (zipfile stamps the clock on entries added by name)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o644 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel or self.compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """openpyxl writes worksheets from temporary files, whose modification time zipfile would copy."""
        with open(filename, "rb") as handle:
            self.writestr(arcname or Path(filename).name, handle.read())


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with fixed document and entry times (openpyxl's save() stamps the clock into both)."""
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "collector-commission"
    _text_only(workbook)
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(workbook, archive).save()
