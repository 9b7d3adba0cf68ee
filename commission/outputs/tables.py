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
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(index, field.name, neutralised(table.column(index)))
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def write_parquet(frame: pd.DataFrame, path: Path, money: Sequence[str], minor_units: int) -> None:
    """Parquet with money as exact decimal128 columns."""
    table = to_arrow(frame, money, minor_units, plain_text=False)
    # Dictionary-encode only what is already categorical; trying it on unique ids costs time for nothing.
    # Min / max statistics only where a reader could skip row groups by them: a dictionary column's few
    # labels occur in every row group, and computing them costs a sixth of the write.
    dictionary = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    pq.write_table(table, path, compression="snappy", use_dictionary=dictionary,
                   write_statistics=[name for name in table.column_names if name not in dictionary])
