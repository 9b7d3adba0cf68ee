"""Benchmark the two ways of writing a statement's Detail rows: sheet_rows (whole columns rendered to
worksheet XML with Arrow, written after the sheet's own rows by xlsx_book.Sheet) against XlsxWriter in
constant_memory mode (cell by cell, row by row). One process; N workbooks of M rows each (default 200 x 500).

    python benchmarks/bench_sheet_writers.py [--workbooks 200] [--rows 500]

Both write the same cells: dates as date serials, ids and buckets as text, money as exact decimals,
rates and shares as numbers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commission.outputs.sheet_rows import render_rows  # noqa: E402
from commission.outputs.xlsx_book import CJK, Book  # noqa: E402

KINDS = {"payment_date": "date", "payment_id": "code", "account": "code", "bucket": "code", "band": "code",
         "base": "money", "credit_share": "percent", "rate": "percent", "amount": "money"}


def table(rows: int) -> pa.Table:
    generator = np.random.default_rng(7)
    days = generator.integers(0, 30, rows)
    return pa.table({
        "payment_date": pa.array((np.datetime64("2026-10-01") + days).astype("datetime64[D]").astype(str)),
        "payment_id": pa.array([f"P{k:09d}" for k in range(rows)]),
        "account": pa.array([f"****{k % 10000:04d}" for k in range(rows)]),
        "bucket": pa.array(generator.choice(["M1", "M2", "M3", "M4-6", "M7+"], rows)),
        "band": pa.array(generator.choice(["small", "medium", "large"], rows)),
        "base": pa.array(generator.integers(1000, 5_000_000, rows)),
        "credit_share": pa.array(generator.choice(["1", "0.5"], rows)),
        "rate": pa.array(generator.choice(["3%", "5%", "10%"], rows)),
        "amount": pa.array(generator.integers(30, 150_000, rows))})


def rendered(data: pa.Table, path: Path) -> None:
    book = Book(path)
    sheet = book.sheet("Detail")
    sheet.write_row(0, 0, data.column_names)
    render_rows(book, sheet, data, KINDS, 2)
    book.close()


def constant_memory(data: pa.Table, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    formats = {"date": book.add_format({**CJK, "num_format": "yyyy-mm-dd"}),
               "money": book.add_format({**CJK, "num_format": "#,##0.00"}),
               "percent": book.add_format({**CJK, "num_format": "0.00%"}),
               "code": book.add_format({**CJK, "align": "center"})}
    sheet = book.add_worksheet("Detail")
    sheet.write_row(0, 0, data.column_names)
    columns = data.to_pydict()
    kinds = [KINDS[name] for name in data.column_names]
    epoch = np.datetime64("1899-12-30")
    for row, values in enumerate(zip(*columns.values()), start=1):  # the per-row loop XlsxWriter needs
        for column, (value, kind) in enumerate(zip(values, kinds)):
            if kind == "money":
                sheet.write_number(row, column, Decimal(value).scaleb(-2), formats["money"])
            elif kind == "date":
                sheet.write_number(row, column, int((np.datetime64(value) - epoch).astype(int)), formats["date"])
            elif kind == "percent":
                number = Decimal(value.rstrip("%")) / (100 if value.endswith("%") else 1)
                sheet.write_number(row, column, number, formats["percent"])
            else:
                sheet.write_string(row, column, value, formats["code"])
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()
    data = table(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        for name, write in (("sheet_rows rendered", rendered), ("XlsxWriter constant_memory", constant_memory)):
            started = time.perf_counter()
            for k in range(args.workbooks):
                write(data, Path(folder) / f"{name[:5]}-{k}.xlsx")
            seconds = time.perf_counter() - started
            print(f"{name}: {args.workbooks} workbooks of {args.rows} rows in {seconds:.2f} s "
                  f"({seconds / args.workbooks * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()
