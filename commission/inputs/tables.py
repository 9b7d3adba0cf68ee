"""Read CSV, XLSX or Parquet into an Arrow table, remembering the file, its SHA-256 and row numbering.

CSV and XLSX cells are read as text, so amounts reach `commission.money` exactly as written.
Row numbers are the ones a person sees: for CSV and XLSX the header is row 1 and the first
record row 2; for Parquet the first record is row 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import MAX_LISTED_PROBLEMS, InputError, Problem, ProblemCollector, shown

SUFFIXES = (".csv", ".xlsx", ".parquet")


@dataclass(frozen=True)
class RawTable:
    """A file's records before validation."""

    source: str
    table: pa.Table
    first_row: int
    sha256: str
    header: tuple[str, ...]  # every column the file has, even those not read

    def header_where(self) -> str:
        """Where the column names are: row 1 of CSV / XLSX; the schema of a Parquet file."""
        return f"{self.source}:row 1" if self.first_row == 2 else self.source

    def where(self, index: int) -> str:
        """`file:row N` for the record at 0-based position `index`."""
        return f"{self.source}:row {index + self.first_row}"

    def require(self, names: Iterable[str], problems: ProblemCollector, what: str = "") -> bool:
        """Report the columns of `names` the header lacks, all in one problem (a wrong file given lacks most
        of them: one mistake, one line); True when every one is there. `what` qualifies them ("roster ")."""
        absent = [name for name in names if name not in self.header]
        if absent:
            which = f"is a required {what}column" if len(absent) == 1 else f"are required {what}columns"
            problems.add(self.header_where(), ", ".join(absent),
                         f"{which}, missing from the header (found: {', '.join(self.header)})")
        return not absent


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: str | Path, wanted: Iterable[str] | None = None) -> RawTable:
    """Read one input file by its suffix; unreadable or unknown files raise InputError.

    With `wanted`, only those columns are read (where the format allows): a ledger's debtor
    names or phone numbers are never even loaded, and wide exports read faster.
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(source, "", f"unsupported file type {suffix or '(none)'}; use "
                                  + ", ".join(SUFFIXES))])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot read file: {exc.strerror}")]) from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        wanted = set(wanted) if wanted is not None else None
        if suffix == ".csv":
            header = _csv_header(data, source)
            _check_header(header, source, "row 1")
            return RawTable(source, _read_csv(data, source, header, wanted), 2, digest, header)
        if suffix == ".xlsx":
            table, formulas = _read_xlsx(data)
            _check_header(tuple(table.column_names), source, "row 1")
            _check_formulas(formulas, wanted, source)
            return RawTable(source, _select(table, wanted), 2, digest, tuple(table.column_names))
        schema = pq.read_schema(pa.BufferReader(data))
        _check_header(tuple(schema.names), source, "")
        columns = [c for c in schema.names if wanted is None or c in wanted]
        _check_parquet_types(schema, columns, source)
        return RawTable(source, pq.read_table(pa.BufferReader(data), columns=columns), 1, digest, tuple(schema.names))
    except InputError:
        raise
    except Exception as exc:  # a third-party reader's complaint about a damaged file is the user's to fix
        raise InputError([Problem(source, "", f"cannot read as {suffix[1:].upper()}: {exc}")]) from None


def _select(table: pa.Table, wanted: set[str] | None) -> pa.Table:
    return table if wanted is None else table.select([c for c in table.column_names if c in wanted])


def _check_header(names: tuple[str, ...], source: str, where: str) -> None:
    """A column named twice would be read as either of them: refuse it, naming both positions."""
    first: dict[str, int] = {}
    problems = []
    for position, name in enumerate(names, start=1):
        if name in first:
            problems.append(Problem(f"{source}:{where}" if where else source, name,
                                    f"the column appears twice in the header (columns {first[name]} and {position})"))
        first.setdefault(name, position)
    if problems:
        raise InputError(problems[:MAX_LISTED_PROBLEMS], max(len(problems) - MAX_LISTED_PROBLEMS, 0))


def _plain(kind: pa.DataType) -> bool:
    """A Parquet column type whose cells hold one text, number or date each (lists, structs do not)."""
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            or pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_date(kind)
            or pa.types.is_timestamp(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)
            or (pa.types.is_dictionary(kind) and _plain(kind.value_type)))


def _check_parquet_types(schema: pa.Schema, columns: list[str], source: str) -> None:
    problems = [Problem(source, name, f"holds {schema.field(name).type} values; expected text, numbers or dates, "
                        "one value per cell") for name in columns if not _plain(schema.field(name).type)]
    if problems:
        raise InputError(problems)


def _csv_header(data: bytes, source: str) -> tuple[str, ...]:
    text_head = data[:65536].decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(text_head)), None)
    if not header:
        raise InputError([Problem(f"{source}:row 1", "", "the file is empty; expected a header row")])
    return tuple(name.strip() for name in header)


def _read_csv(data: bytes, source: str, names: tuple[str, ...], wanted: set[str] | None) -> pa.Table:
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    bad_rows: list[Problem] = []

    def reject(row) -> str:
        # Arrow numbers rows from 1 counting the header we skipped, i.e. as a person reads the file.
        where = f"{source}:row {row.number}" if row.number and row.number > 0 else source
        bad_rows.append(Problem(where, "", f"expected {row.expected_columns} fields, found {row.actual_columns} "
                                "(a comma inside an unquoted value?)"))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data[skip:]),
        read_options=pacsv.ReadOptions(column_names=list(names), skip_rows=1, block_size=1 << 24, use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=reject),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             include_columns=[n for n in names if wanted is None or n in wanted],
                                             strings_can_be_null=True, quoted_strings_can_be_null=False),
    )
    if bad_rows:
        raise InputError(bad_rows[:MAX_LISTED_PROBLEMS], max(len(bad_rows) - MAX_LISTED_PROBLEMS, 0))
    return table


def _read_xlsx(data: bytes) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """The first sheet's cells as text (the values Excel saved for formulas), and the cells holding a
    formula with no saved value (a workbook written by a program, never opened in Excel): (row as a
    person reads it, column, formula). Those would read as blank; `_check_formulas` refuses them."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h).strip() if h is not None else f"column{i + 1}" for i, h in enumerate(header)]
    columns: list[list] = [[] for _ in names]
    for row in rows:
        for i in range(len(names)):
            columns[i].append(_cell_text(row[i] if i < len(row) else None))
    workbook.close()
    formulas = _unsaved_formulas(data, names, columns) if _has_formulas(data) else []
    while columns and columns[0] and all(col[-1] is None for col in columns):  # trailing empty rows
        for col in columns:
            col.pop()
    return pa.table({name: pa.array(col, type=pa.string()) for name, col in zip(names, columns)}), formulas


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (an <f> element): most hold none, and
    are read once."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(_FORMULA_TAG.search(archive.read(name)) for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _unsaved_formulas(data: bytes, names: list[str], columns: list[list]) -> list[tuple[int, str, str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    found = []
    for index, row in enumerate(workbook.worksheets[0].iter_rows(min_row=2, values_only=True)):
        for i, name in enumerate(names[: len(row)]):
            cell = row[i]
            formula = cell if isinstance(cell, str) and cell.startswith("=") else getattr(cell, "text", None)
            if formula is not None and (index >= len(columns[i]) or columns[i][index] is None):
                found.append((index + 2, name, str(formula)))
    workbook.close()
    return found


def _check_formulas(formulas: list[tuple[int, str, str]], wanted: set[str] | None, source: str) -> None:
    problems = [Problem(f"{source}:row {row}", name, f"the cell holds a formula ({shown(formula)}) with no saved "
                        "value; give its value instead") for row, name, formula in formulas
                if wanted is None or name in wanted]
    if problems:
        raise InputError(problems[:MAX_LISTED_PROBLEMS], max(len(problems) - MAX_LISTED_PROBLEMS, 0))


def _cell_text(value) -> str | None:
    """An Excel cell as the text a person sees; numbers via their shortest exact repr."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    text = str(value)  # as written: ids with spaces around them are refused, free text is trimmed later
    return text if text.strip() else None
