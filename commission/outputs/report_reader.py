"""Read a run folder back (payouts, items, lines, KPIs, state, awards, plans) for statements and explain.

Every file read is first checked against the SHA-256 the run recorded for it in manifest.json (its
`outputs`), and parsed from the very bytes that were checked: a file edited by hand, added or removed
after the run is refused, never believed. A file the manifest does not list is not read at all."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..engine import AWARD_COLUMNS, AWARD_MONEY_COLUMNS, ITEM_MONEY_COLUMNS, LINE_MONEY_COLUMNS, PAYOUT_MONEY_COLUMNS
from ..engine.result import EVENT_COLUMNS, no_awards
from ..errors import InputError, Problem, option
from ..inputs.columns import decimal_text
from ..periods import Period
from ..policy import Policy, parse_policy
from .run_report import (AWARD_FILES, EVENTS_CSV, ITEMS_CSV, KPIS_CSV, LINES_CSV, LINES_PARQUET, MANIFEST, PAYOUTS_CSV,
                         STATE, plan_file)
from .tables import restored


@dataclass(frozen=True)
class RunReport:
    """A run's reports as typed frames (money in int64 minor units) and its plans, parsed again."""

    folder: Path
    period: Period
    currency: str
    minor_units: int
    payouts: pd.DataFrame
    items: pd.DataFrame
    lines: pa.Table  # every line, money in int64 minor units, grouped by collector in run order (see line_table)
    kpis: pd.DataFrame
    state: pd.DataFrame
    plans: dict  # (plan id, version) -> Policy
    events: pd.DataFrame  # event_id, collector_id, date, type, severity, source, description (text)
    awards: pd.DataFrame = field(default_factory=no_awards)  # raises.csv and benefits.csv, as AWARD_COLUMNS
    line_slices: dict = field(default_factory=dict)  # collector -> (first row, rows) of `lines`

    def records_of(self, table: str, collector: str) -> list[dict]:
        """One collector's rows of `table` ("payouts", "items", "kpis", "state", "events" or "awards") as
        plain dicts of Python values. Each table becomes records once for the whole run: a few rows
        per collector, which a pandas frame answers in milliseconds per statement and a dict in
        microseconds."""
        records = self.__dict__.setdefault("_records", {})
        if table not in records:
            frame = getattr(self, table)
            columns = {name: frame[name].tolist() for name in frame.columns}
            by_collector: dict[str, list[dict]] = {}
            for collector_id, values in zip(columns["collector_id"], zip(*columns.values())):
                by_collector.setdefault(collector_id, []).append(dict(zip(columns, values)))
            records[table] = by_collector
        return records[table].get(collector, [])

    def line_table(self, collector: str) -> pa.Table:
        """One collector's lines, in run order: a slice of `lines`, copying nothing."""
        start, count = self.line_slices.get(collector, (0, 0))
        return self.lines.slice(start, count)

    def plan_of(self, collector: str) -> Policy:
        row = self.records_of("payouts", collector)[0]
        return self.plans[(row["plan"], int(row["version"]))]


class ReportChanged(InputError):
    """A report file that is not the one its run wrote: changed, removed, or not in its manifest."""


def load_report(folder: str | Path) -> RunReport:
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise InputError([Problem(str(folder), "", f"is not a run folder (no manifest.json); give the {option('out')} "
                                  "folder of a commission run or batch create", role="run")])
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = _RunFiles(folder, manifest.get("outputs"))
    minor = int(manifest["minor_units"])
    payouts = _csv(files.read(PAYOUTS_CSV), None, minor)
    payouts["version"] = payouts["version"].astype(int)
    items = _csv(files.read(ITEMS_CSV), ITEM_MONEY_COLUMNS, minor)
    if files.has(LINES_CSV):
        lines = _csv_table(files.read(LINES_CSV), LINE_MONEY_COLUMNS, minor)
    else:
        lines = _typed(pq.read_table(pa.BufferReader(files.read(LINES_PARQUET))), LINE_MONEY_COLUMNS, minor,
                       restore=False)
    lines, line_slices = _by_collector(lines)
    kpis = pd.DataFrame(columns=["collector_id", "kpi", "window", "numerator", "denominator"])
    if files.has(KPIS_CSV):
        kpis = _restored(pd.read_csv(io.BytesIO(files.read(KPIS_CSV)), keep_default_na=False,
                                     dtype={"collector_id": str, "kpi": str, "window": str}),
                         ("collector_id", "kpi", "window"))
    events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    if files.has(EVENTS_CSV):  # a run folder written before events were kept has none
        events = _restored(pd.read_csv(io.BytesIO(files.read(EVENTS_CSV)), dtype=str, keep_default_na=False),
                           EVENT_COLUMNS)
    state_rows = json.loads(files.read(STATE))["balances"] if files.has(STATE) else []
    state = pd.DataFrame(state_rows, columns=["collector_id", "balance", "amount"])
    state["amount"] = _money(state["amount"].astype(str), minor) if len(state) else np.zeros(0, dtype=np.int64)
    awards = _awards(files, minor)
    plans = {}
    for entry in manifest["plans"]:
        path = plan_file(folder, entry["id"], entry["version"])
        text = files.read(path.relative_to(folder).as_posix()).decode("utf-8")
        plans[(entry["id"], int(entry["version"]))] = parse_policy(text, source=str(path))
    return RunReport(folder=folder, period=Period.parse(manifest["period"]), currency=manifest["currency"],
                     minor_units=minor, payouts=payouts, items=items, lines=lines, kpis=kpis, state=state,
                     plans=plans, events=events, awards=awards, line_slices=line_slices)


class _RunFiles:
    """A run folder's files as its manifest recorded them (`outputs`: name -> SHA-256)."""

    def __init__(self, folder: Path, outputs):
        if not isinstance(outputs, dict):
            raise ReportChanged([Problem(str(folder / MANIFEST), "outputs", "lists no report files with their "
                                         "SHA-256; was the manifest edited by hand?")])
        self.folder, self.outputs = folder, outputs

    def has(self, name: str) -> bool:
        return name in self.outputs

    def read(self, name: str) -> bytes:
        """The file's bytes, once they are the ones the run wrote (hashed once, then parsed from memory,
        so what is checked is what is read)."""
        path = self.folder / name
        if name not in self.outputs:
            raise ReportChanged([Problem(str(path), "", "is not among the files its run wrote (manifest.json "
                                         "does not list it)")])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReportChanged([Problem(str(path), "", f"cannot be read ({exc.strerror}); its run wrote it "
                                         "(manifest.json lists it)")]) from None
        if hashlib.sha256(data).hexdigest() != self.outputs[name]:
            raise ReportChanged([Problem(str(path), "", "was changed after its run wrote it (its SHA-256 is not "
                                         "the one manifest.json records); run the period again")])
        return data


def _awards(files: _RunFiles, minor: int) -> pd.DataFrame:
    """The raises and benefits in kind the run decided (its raises.csv and benefits.csv, when written)."""
    parts = []
    for name, (kind, _) in AWARD_FILES.items():
        if files.has(name):
            rows = _csv(files.read(name), AWARD_MONEY_COLUMNS, minor)
            parts.append(rows.assign(kind=kind, component=rows["rule"].str.rsplit("#", n=1).str[0]))
    if not parts:
        return no_awards()
    frame = pd.concat(parts, ignore_index=True)
    for column in AWARD_COLUMNS:
        if column not in frame:
            frame[column] = np.int64(0) if column in AWARD_MONEY_COLUMNS else ""
    return frame[list(AWARD_COLUMNS)].astype({"version": np.int64})


def _csv(data: bytes, money, minor: int) -> pd.DataFrame:
    """A small CSV our write_csv wrote: text restored, `money` (by default payouts': their money and pay
    codes) as int64 minor units."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    if money is None:
        money = [c for c in frame.columns if c in PAYOUT_MONEY_COLUMNS or c.startswith("pay_")]
    for column in money:
        if column in frame:
            frame[column] = _money(frame[column], minor)
    return _restored(frame, [c for c in frame.columns if c not in money])


def _restored(frame: pd.DataFrame, text_columns) -> pd.DataFrame:
    """The text columns as they were before write_csv neutralised them (see outputs.tables)."""
    for name in text_columns:
        column = pa.array(frame[name])
        undone = restored(column)
        if undone is not column:
            frame[name] = pd.Series(undone.to_pandas(), index=frame.index, dtype=frame[name].dtype)
    return frame


def _csv_table(data: bytes, money, minor: int) -> pa.Table:
    """A CSV our write_csv wrote, read by Arrow (which wrote it; several times faster than pandas on a
    department's lines): text restored, money as int64 minor units."""
    names = list(pd.read_csv(io.BytesIO(data), nrows=0).columns)
    table = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(block_size=1 << 24),
                           parse_options=pacsv.ParseOptions(newlines_in_values=True),  # text may hold line breaks
                           convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                                                strings_can_be_null=False))
    return _typed(table, money, minor, restore=True)


def _typed(table: pa.Table, money, minor: int, restore: bool) -> pa.Table:
    """Money columns as int64 minor units, every other column as text (restored from CSV's neutralising)."""
    columns = []
    for name in table.column_names:
        column = table[name]
        if name in money:
            column = pa.array(_money_array(column, minor))
        else:
            column = pc.fill_null(pc.cast(column, pa.string()), "")
            column = restored(column) if restore else column
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _by_collector(lines: pa.Table) -> tuple[pa.Table, dict]:
    """`lines` sorted by collector, stably (each collector's lines stay in run order), and where each
    collector's rows are: made once per run, so a statement takes its lines as a slice."""
    encoded = pc.dictionary_encode(lines["collector_id"]).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(encoded.dictionary))
    starts = np.cumsum(counts) - counts
    slices = dict(zip(encoded.dictionary.to_pylist(), zip(starts.tolist(), counts.tolist())))
    return lines.take(order).combine_chunks(), slices


def _money(values: pd.Series, minor: int) -> np.ndarray:
    return _money_array(pa.array(values.astype("str")), minor)


def _money_array(values, minor: int) -> np.ndarray:
    """Decimal text (or decimals) as int64 minor units; text that is not money means the folder was edited."""
    parsed, missing, malformed, too_precise = decimal_text(pc.cast(values, pa.string()), minor)
    if (malformed | too_precise).any():
        raise InputError([Problem("run folder", "", "a money column does not hold decimal amounts; was the folder "
                                  "edited by hand?")])
    return np.where(missing, 0, parsed).astype(np.int64)
