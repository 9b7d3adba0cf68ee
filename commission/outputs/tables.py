"""Frames to files: money columns as decimal text (CSV) or exact decimals (Parquet), categoricals as text."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq



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
    """UTF-8 CSV; money unquoted with exactly the currency's minor digits (e.g. 1234.50), text quoted."""
    table = to_arrow(frame, money, minor_units, plain_text=True)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def write_parquet(frame: pd.DataFrame, path: Path, money: Sequence[str], minor_units: int) -> None:
    """Parquet with money as exact decimal128 columns."""
    table = to_arrow(frame, money, minor_units, plain_text=False)
    # Dictionary-encode only what is already categorical; trying it on unique ids costs time for nothing.
    dictionary = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    pq.write_table(table, path, compression="snappy", use_dictionary=dictionary)
