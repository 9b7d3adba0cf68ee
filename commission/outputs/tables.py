"""Frames to files: money columns as decimal text (CSV) or exact decimals (Parquet), categoricals as text.

CSV text that a spreadsheet would run as a formula is neutralised the way OWASP recommends ("CSV
injection"): a cell starting with =, +, -, @, a tab or a carriage return gets a leading '. Numbers
stay numbers: money columns are decimals (-5.00), and text that is a plain decimal (-530.74) is
left as it is. Text that already starts with quotes and then one of those characters gets one more
quote, so `restored` gives back exactly what was written, whatever it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..inputs.columns import string_bytes

#: Text that write_csv neutralises: quotes (maybe none), then a character that starts a formula.
NEUTRALISED = r"^'*[=+\-@\t\r]"
#: ... unless it is a plain decimal number, which a spreadsheet reads as the number it is.
_PLAIN_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"
#: Text that `restored` takes one quote from: what write_csv wrote for NEUTRALISED text.
_QUOTED = r"^'+[=+\-@\t\r]"
_FIRST_BYTES = np.frombuffer(b"'=+-@\t\r", dtype=np.uint8)


def neutralised(column):
    """A text column for CSV: every cell matching NEUTRALISED, but not a plain number, gets a leading '."""
    if not any(np.isin(data[starts[ends > starts]], _FIRST_BYTES).any() for data, starts, ends in string_bytes(column)):
        return column  # the usual case, proven on each value's first byte without a regular expression
    risky = pc.and_(pc.match_substring_regex(column, NEUTRALISED),
                    pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER))).fill_null(False)
    return pc.if_else(risky, pc.utf8_replace_slice(column, start=0, stop=0, replacement="'"), column)


def restored(column):
    """A text column read back from our CSV as it was before `neutralised`: one leading ' removed
    where a cell is quotes and then a character that starts a formula."""
    if not pc.any(pc.starts_with(column, "'")).as_py():
        return column
    quoted = pc.match_substring_regex(column, _QUOTED).fill_null(False)
    return pc.if_else(quoted, pc.utf8_slice_codeunits(column, 1), column)


def money_decimal_array(values: np.ndarray, minor_units: int) -> pa.Array:
    """int64 minor units as an Arrow decimal128(18, minor_units) array, exact and without any copy through text.

    decimal128 stores the unscaled integer as 16 little-endian bytes: the int64 and its sign extension.
    """
    values = np.ascontiguousarray(values, dtype=np.int64)
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    return pa.Array.from_buffers(pa.decimal128(18, minor_units), len(values), [None, pa.py_buffer(words)])


def to_arrow(frame: pd.DataFrame, money: Sequence[str], minor_units: int, plain_text: bool) -> pa.Table:
    """An Arrow table of `frame`: money columns as exact decimals (printed with exactly the
    currency's digits, e.g. 1234.50), categoricals as text when `plain_text` (for CSV)."""
    arrays, names = [], []
    for name in frame.columns:
        column = frame[name]
        if name in money:
            array = money_decimal_array(column.to_numpy(dtype=np.int64), minor_units)
        elif isinstance(column.dtype, pd.CategoricalDtype):
            array = pa.array(column)
            if plain_text:
                array = array.cast(pa.string())
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            array = pa.array(column.to_numpy().astype("datetime64[D]"))
        else:
            array = pa.array(column)
        arrays.append(array)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def write_csv(frame: pd.DataFrame, path: Path, money: Sequence[str], minor_units: int) -> None:
    """UTF-8 CSV; money unquoted with exactly the currency's minor digits (e.g. 1234.50), text quoted
    and neutralised (see the module's docstring)."""
    table = to_arrow(frame, money, minor_units, plain_text=True)
    pacsv.write_csv(csv_ready(table), path, write_options=CSV_OPTIONS)


CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")
#: Rows per Parquet row group. Rows are handed to the writer exactly this many at a time, each column in
#: one piece, so a file written in one go and one written batch by batch (a partitioned run) are the same bytes.
ROW_GROUP = 1 << 20
#: Lineage text columns that name one row each, kept plain in Parquet; every other text column is
#: dictionary-encoded over its sorted distinct values, whatever the frame's dtypes were (they depend on
#: which rules produced lines, so they could not make a file that is the same for the same lines).
PER_ROW_TEXT = ("payment_id", "account", "reverses")


def csv_ready(table: pa.Table) -> pa.Table:
    """`table` with every text column neutralised for CSV."""
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(index, field.name, neutralised(table.column(index)))
    return table


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """The text columns a Parquet lineage file dictionary-encodes (see PER_ROW_TEXT)."""
    return [f.name for f in schema if _is_text(f.type) and f.name not in PER_ROW_TEXT]


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with every text column as large_string: one type whatever pandas held the text in."""
    return pa.schema([pa.field(f.name, pa.large_string()) if _is_text(f.type) else f for f in schema])


def distinct_texts(table: pa.Table) -> dict[str, set]:
    """The distinct values of each column `dictionary_columns` names (nulls aside)."""
    return {name: set(pc.unique(table.column(name)).drop_null().to_pylist())
            for name in dictionary_columns(table.schema)}


def write_parquet(frame: pd.DataFrame, path: Path, money: Sequence[str], minor_units: int) -> None:
    """Parquet with money as exact decimal128 columns (see RowFiles)."""
    table = to_arrow(frame, money, minor_units, plain_text=True)
    with RowFiles(table.schema, distinct_texts(table), parquet=path) as files:
        files.write(table)


class RowFiles:
    """A CSV and/or a Parquet file written from plain-text Arrow tables (money as decimals, text as
    strings) handed over in order, in as many pieces as wanted: the bytes are those of the whole table
    written at once. In Parquet, the text columns of `dictionary_columns` are dictionary-encoded over
    `dictionaries` (each column's sorted distinct values over every piece); int32 indices."""

    def __init__(self, schema: pa.Schema, dictionaries: dict, csv: Path | None = None, parquet: Path | None = None):
        self.plain = schema = plain_schema(schema)
        self.dictionaries = {name: pa.array(sorted(dictionaries.get(name, ())), pa.string())
                             for name in dictionary_columns(schema)}
        self.schema = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) if f.name in
                                 self.dictionaries else f for f in schema])
        self.csv = pacsv.CSVWriter(csv, schema, write_options=CSV_OPTIONS) if csv else None
        # Dictionary-encode only the dictionary columns; trying it on unique ids costs time for nothing. Min / max
        # statistics only where a reader could skip row groups by them: a dictionary column's few labels occur
        # in every row group, and computing them costs a sixth of the write.
        self.parquet = pq.ParquetWriter(parquet, self.schema, compression="snappy", use_dictionary=list(
            self.dictionaries), write_statistics=[n for n in schema.names if n not in self.dictionaries]) \
            if parquet else None
        self.pending: list[pa.Table] = []
        self.held = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        table = table.select(self.plain.names).cast(self.plain)
        self.rows += table.num_rows
        if self.csv is not None and table.num_rows:
            self.csv.write_table(csv_ready(table))
        if self.parquet is None:
            return
        self.pending.append(table)
        self.held += table.num_rows
        while self.held >= ROW_GROUP:
            self._row_group(ROW_GROUP)

    def _row_group(self, size: int) -> None:
        held = pa.concat_tables(self.pending)
        group, rest = held.slice(0, size), held.slice(size)
        self.pending, self.held = [rest], rest.num_rows
        arrays = [self._encoded(name, column) if name in self.dictionaries else column.combine_chunks()
                  for name, column in zip(group.column_names, group.columns)]
        self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema), row_group_size=ROW_GROUP)

    def _encoded(self, name: str, column: pa.ChunkedArray) -> pa.DictionaryArray:
        """A text column as indices into its dictionary."""
        dictionary = self.dictionaries[name]
        indices = pc.index_in(column, value_set=dictionary.cast(column.type)).cast(pa.int32()).combine_chunks() \
            if column.num_chunks else pa.array([], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, dictionary)

    def close(self) -> None:
        if self.parquet is not None:
            if self.held or not self.rows:  # an empty file still has its one (empty) row group
                self._row_group(self.held)
            self.parquet.close()
        if self.csv is not None:
            self.csv.close()

    def __enter__(self) -> "RowFiles":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
