"""Rows rendered straight to worksheet XML read back, by openpyxl, as the values they were made from."""

import datetime
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from commission.outputs.sheet_rows import render_rows
from commission.outputs.xlsx_book import Book

KINDS = {"when": "date", "what": "text", "code": "code", "amount": "money"}


def write_and_read(tmp_path, table: pa.Table, label=None):
    book = Book(tmp_path / "rows.xlsx")
    sheet = book.sheet("Rows")
    sheet.write_row(0, 0, ["When", "What", "Code", "Amount"])
    assert render_rows(book, sheet, table, KINDS, 2, label=label) == 1 + table.num_rows
    book.close()
    return load_workbook(tmp_path / "rows.xlsx").worksheets[0]


def test_values_styles_and_total_rows_read_back(tmp_path):
    table = pa.table({"when": ["2026-10-03", "2024-02-29", None], "what": ["A & B <c>\uffff", "  padded ", None],
                      "code": ["M1", "", None], "amount": [123456, -5, 123451],
                      "_label": [None, None, "Total"]})
    sheet = write_and_read(tmp_path, table, label="_label")
    assert [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        [datetime.datetime(2026, 10, 3), "A & B <c>", "M1", 1234.56],
        [datetime.datetime(2024, 2, 29), "  padded ", None, -0.05],
        ["Total", None, None, 1234.51],
    ]
    assert sheet.dimensions == "A1:D4"
    assert sheet["A2"].number_format == "yyyy-mm-dd" and sheet["D2"].number_format == "#,##0.00"
    assert sheet["C2"].alignment.horizontal == "center" and sheet["B2"].alignment.horizontal is None
    assert all(cell.font.b for cell in sheet[4]) and not sheet["A2"].font.b
    assert sheet["D4"].number_format == "#,##0.00"


def test_money_is_written_as_exact_decimal_text(tmp_path):
    table = pa.table({"when": ["2026-01-01"], "what": ["x"], "code": ["y"], "amount": [900719925474099]})
    write_and_read(tmp_path, table)
    import zipfile

    xml = zipfile.ZipFile(tmp_path / "rows.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<v>9007199254740.99</v>" in xml


def test_rows_start_at_the_top_of_an_empty_sheet(tmp_path):
    book = Book(tmp_path / "rows.xlsx")
    assert render_rows(book, book.sheet("Rows"), pa.table({"what": ["a", "b"]}), {"what": "text"}, 2) == 2
    book.close()
    sheet = load_workbook(tmp_path / "rows.xlsx").worksheets[0]
    assert [row for row in sheet.iter_rows(values_only=True)] == [("a",), ("b",)]
    assert sheet.dimensions == "A1:A2"


def test_cells_added_after_rendering_are_refused(tmp_path):
    book = Book(tmp_path / "rows.xlsx")
    sheet = book.sheet("Rows")
    sheet.write_string(0, 0, "header")
    render_rows(book, sheet, pa.table({"what": ["a"]}), {"what": "text"}, 2)
    sheet.write_string(1, 0, "late")
    with pytest.raises(RuntimeError, match="after its rows were rendered"):
        book.close()


# Any text but surrogates: control characters and U+FFFE/U+FFFF, which XML cannot hold, are dropped.
xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.dates(datetime.date(1901, 1, 1), datetime.date(9999, 12, 31)), xml_text, xml_text,
                          st.integers(-10**15, 10**15)), min_size=1, max_size=8))
def test_any_text_dates_and_amounts_round_trip(tmp_path, rows):
    table = pa.table({"when": [d.isoformat() for d, *_ in rows], "what": [w for _, w, _, _ in rows],
                      "code": [c for _, _, c, _ in rows], "amount": [a for *_, a in rows]})
    sheet = write_and_read(tmp_path, table)

    def shown(text):
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
        return text or None

    expected = [[datetime.datetime(d.year, d.month, d.day), shown(w), shown(c), Decimal(a).scaleb(-2)]
                for d, w, c, a in rows]
    read = [[when, what, code, Decimal(str(amount))] for when, what, code, amount in
            sheet.iter_rows(min_row=2, values_only=True)]
    assert read == expected


def test_no_rows_leave_the_sheet_as_it_was(tmp_path):
    book = Book(tmp_path / "rows.xlsx")
    sheet = book.sheet("Rows")
    sheet.write_string(0, 0, "header")
    assert render_rows(book, sheet, pa.table({"what": pa.array([], pa.string())}), {"what": "text"}, 2) == 1
    book.close()
    read = load_workbook(tmp_path / "rows.xlsx").worksheets[0]
    assert [row for row in read.iter_rows(values_only=True)] == [("header",)] and read.dimensions == "A1:A1"
