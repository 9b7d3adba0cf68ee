"""A run over a ledger of any size in bounded memory: collectors paid a partition at a time, reports the
same bytes as the run over the whole ledger at once (app.runs.run_period).

How: every ledger file (a folder of monthly Parquet files, say) is read and validated once, one at a
time, and spilled into an Arrow file in a scratch folder beside the output; the collectors are shared
out into partitions that keep together what must be paid together (engine.partitions: collectors
joined by a split or repeated payment_id, a lead paid an override with their team); each partition
reads its collectors' rows from the spills, is checked across rows (duplicates, splits, reversal
chains: load_ledger's checks) and paid by the engine; its payment-level lines go to part files, in
ledger order. The whole run's result is put together from the partitions' (engine.partitions), and
the lines are merged from the part files, streaming, in the order the run over the whole ledger
writes them. Everything is written through outputs.atomic: any failure writes nothing.

Memory: one ledger file's rows while it is read (a monthly file), one partition's rows while it is
paid, a sixteenth of the payment-id hashes (12 bytes a row) while they are checked, and the merge's
buffers (a batch per partition and a row group). Files are read, never memory-mapped: the pages a
map touches count as the process's memory until it is closed.

The seam for distributed engines (a Dask engine calls `run_partitioned` with its own `map_partitions`):

    map_partitions(fn, tasks) -> list of results, one per task, in the order of `tasks`

`fn` is a top-level function of this module, a task one small picklable description, a result a small
picklable summary. The default, `in_process`, runs them here one after another (bounded memory).
Two stages go through it:

- `scan_file(ScanTask) -> Scanned`: one ledger file (`ScanTask.path`, a path string) read and validated,
  its rows spilled to `ScanTask.spill` and its payment-id hashes to `ScanTask.keys` (+ a bucket number);
  returns its problems (Problem objects), its fingerprint, its collectors and their row counts and
  first rows, its dates.
- `pay_partition(PartitionTask) -> PartitionPaid`: one partition's collectors (`PartitionTask.collectors`)
  read from the spills, checked and paid under the parsed plans (`policies`) with their roster rows
  and side inputs (frames, small); its lines written to part files under `PartitionTask.folder`;
  returns problems or the engine's `PartPay` (no lines), the part files, their columns and the
  distinct texts of each column the lineage Parquet dictionary-encodes.

Paths in tasks and results are strings naming files every worker can reach (the scratch folder is
beside the output folder). Problems travel as data (never as a raised exception), so the run reports
them exactly as the in-memory run would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..engine import LINE_MONEY_COLUMNS, SideInputs
from ..engine.partitions import PartPay, pay_part, plan_partitions, put_together, team_links
from ..engine.payroll import check_state, plan_groups, repayments_check
from ..errors import InputError, Problem, ProblemCollector
from ..identifiers import look_alikes
from ..inputs import InputFile
from ..inputs.columns import text_hashes
from ..inputs.ledger import (Ledger, Needs, expand_paths, ledger_frame, plan_columns, read_ledger_file,
                             sorted_categorical)
from ..inputs.roster import check_roster_covers
from ..outputs.atomic import scratch_folder
from ..outputs.owners import run_folder
from ..outputs.run_report import REPORT_FILES, write_run
from ..outputs.tables import RowFiles, distinct_texts, plain_schema, to_arrow
from ..periods import Period
from .inputs import load_side_files, rows_of
from .runs import PeriodRun, RunRequest, check_request, opening_side, period_run

#: Ledger rows per partition when the number of partitions is chosen by size (`partitions="auto"`): about
#: 2.5 GB of memory at its peak for the benchmark's plan.
ROWS_PER_PARTITION = 5_000_000
#: Payment-id hashes are checked a sixteenth at a time (the top 4 bits of the hash choose the bucket).
BUCKETS = 16
#: Rows a part file's record batch holds, and the merge reads at a time from each partition.
BATCH_ROWS = 1 << 17


def in_process(fn: Callable, tasks: Sequence) -> list:
    """The default `map_partitions`: each task in this process, one after another."""
    return [fn(task) for task in tasks]


@dataclass(frozen=True)
class ScanTask:
    path: str
    minor_units: int
    needed: Needs
    period: Period
    spill: str  # where the validated rows go (Arrow IPC)
    keys: str  # a prefix: the payment-id hashes of bucket b go to f"{keys}-{b}.npy"


@dataclass(frozen=True)
class Scanned:
    problems: list
    hidden: int
    file: Optional[InputFile] = None
    columns: tuple = ()  # the optional columns the file has (credit_share, reverses)
    collectors: tuple = ()  # sorted
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per collector
    spill: str = ""
    in_period: bool = False
    first: Optional[pd.Timestamp] = None
    last: Optional[pd.Timestamp] = None


def scan_file(task: ScanTask) -> Scanned:
    """One ledger file read and validated as load_ledger reads it, spilled, its payment ids hashed."""
    problems = ProblemCollector()
    read = read_ledger_file(Path(task.path), task.minor_units, task.needed, problems)
    if read is None or read[1] is None or problems:
        return Scanned(list(problems.problems), problems.hidden, read[0] if read else None)
    file, frame = read
    collectors = sorted_categorical(frame["collector_id"])
    codes, names = collectors.codes, tuple(collectors.categories)
    hashes = text_hashes(pa.array(frame["payment_id"]))
    bucket = (hashes >> np.uint64(64 - 4)).astype(np.int64)
    for b in range(BUCKETS):
        mine = bucket == b
        np.save(f"{task.keys}-{b}.npy", np.rec.fromarrays([hashes[mine], codes[mine].astype(np.int32)],
                                                          names="hash,collector"))
    table = pa.Table.from_pandas(frame.drop(columns="collector_id"), preserve_index=False)
    table = table.append_column("collector_id", pa.array(collectors))
    with pa.OSFile(task.spill, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=BATCH_ROWS)
    dates = frame["payment_date"]
    return Scanned([], 0, file, tuple(c for c in ("credit_share", "reverses") if c in frame), names,
                   np.bincount(codes, minlength=len(names)).astype(np.int64), task.spill,
                   bool(dates.between(pd.Timestamp(task.period.start), pd.Timestamp(task.period.end)).any()),
                   dates.min() if len(frame) else None, dates.max() if len(frame) else None)


@dataclass(frozen=True)
class PartitionTask:
    index: int
    collectors: tuple  # sorted
    spills: tuple  # the spill files, in ledger file order
    policies: tuple
    period: Period
    roster: Optional[pd.DataFrame]  # the partition's collectors' rows
    side: SideInputs  # the partition's collectors' rows of each side input
    needed: Needs
    shared: tuple  # optional ledger columns some file has
    folder: str  # for the part files


@dataclass(frozen=True)
class PartitionPaid:
    problems: list
    hidden: int = 0
    part: Optional[PartPay] = None
    segments: tuple = ()  # (plan, component, part file, rows)
    columns: dict = field(default_factory=dict)  # plan -> the plan's lineage columns, in order
    schema: Optional[pa.Schema] = None  # every lineage column's Arrow type (text as large_string)
    texts: dict = field(default_factory=dict)  # column -> distinct texts (dictionary-encoded in Parquet)


def pay_partition(task: PartitionTask) -> PartitionPaid:
    """Read, check and pay one partition's collectors; its lines to part files, one per plan and line-rate
    component, in ledger order (payment_id, then collector)."""
    parts = [_rows_of(Path(spill), task.collectors) for spill in task.spills]
    try:
        ledger = ledger_frame(parts, task.needed, task.shared)
        del parts
        part = pay_part(task.policies, ledger, task.period, task.roster, task.side)
    except InputError as exc:
        return PartitionPaid(list(exc.problems), exc.hidden)
    del ledger
    segments, columns, schemas, texts = [], {}, [], {}
    minor = task.policies[0].minor_units
    for plan, result in part.results.items():
        lines = result.lines
        columns[plan] = list(lines.columns)
        codes, names = pd.factorize(lines["component"])  # each line-rate component's lines are one run of rows
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(lines) else np.zeros(0, int)
        for start, end in zip(starts, np.r_[starts[1:], len(lines)].astype(int)):
            table = to_arrow(lines.iloc[start:end], LINE_MONEY_COLUMNS, minor, plain_text=True)
            table = table.cast(plain_schema(table.schema))
            path = Path(task.folder) / f"lines-{task.index}-{len(segments)}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table, max_chunksize=BATCH_ROWS)
            segments.append((plan, str(names[codes[start]]), str(path), end - start))
            schemas.append(table.schema)
            for name, values in distinct_texts(table).items():
                texts.setdefault(name, set()).update(values)
    # no lines travel back: .copy(), since an empty slice would keep the whole frame alive with every result
    results = {plan: replace(result, lines=result.lines.iloc[:0].copy()) for plan, result in part.results.items()}
    return PartitionPaid([], 0, replace(part, results=results), tuple(segments), columns,
                         _union_schema(schemas), texts)


def _rows_of(spill: Path, collectors: Sequence[str]) -> pd.DataFrame:
    """The rows of `collectors` in a spill file, as the validated frame they were (file order kept). Read a
    batch at a time (never memory-mapped: the pages a map touches count as the process's memory)."""
    wanted = pa.array(list(collectors), pa.string())
    with pa.OSFile(str(spill)) as source:
        reader = pa.ipc.open_file(source)
        chosen = []
        for number in range(reader.num_record_batches):
            batch = reader.get_batch(number)
            column = batch.column(batch.schema.get_field_index("collector_id"))
            chosen.append(batch.filter(pc.is_in(column.dictionary, value_set=wanted).take(column.indices)))
        table = pa.Table.from_batches(chosen, schema=reader.schema)
    frame = table.drop_columns(["collector_id"]).to_pandas()
    frame.insert(1, "collector_id", table.column("collector_id").cast(pa.string()).to_pandas())
    return frame


def _union_schema(schemas: Sequence[pa.Schema]) -> Optional[pa.Schema]:
    """Every column of `schemas`, each with its first type that is not null."""
    types: dict = {}
    for schema in schemas:
        for f in schema:
            if f.name not in types or pa.types.is_null(types[f.name]):
                types[f.name] = f.type
    return pa.schema([(name, kind) for name, kind in types.items()]) if types else None


def run_partitioned(request: RunRequest, out_dir: Path, partitions: int | str = "auto", lines_csv: bool = True,
                    lines_parquet: bool = False, map_partitions: Callable = in_process) -> tuple[PeriodRun, Path]:
    """run_period's work and reports, partition by partition (`partitions`: how many, or "auto": one per
    ROWS_PER_PARTITION ledger rows); `map_partitions` runs each stage's tasks (see the module docstring)."""
    may_replace = run_folder(str(request.period), REPORT_FILES)
    may_replace(Path(out_dir))
    policies = check_request(request)
    files = expand_paths(request.inputs.ledgers)
    if not files:
        raise InputError([Problem(", ".join(map(str, request.inputs.ledgers)), "", "no ledger files found",
                                  role="ledger")])
    wanted = plan_columns(policies)
    needed = Needs(tuple(wanted["key_columns"]), tuple(wanted["money_columns"]), tuple(wanted["flag_columns"]),
                   wanted["account_codes"])
    with scratch_folder(out_dir) as scratch:
        scans = map_partitions(scan_file, [ScanTask(str(path), policies[0].minor_units, needed, request.period,
                                                    str(scratch / f"spill-{i}.arrow"), str(scratch / f"keys-{i}"))
                                           for i, path in enumerate(files)])
        _raise(scans)
        ledger = _Scan(scans)
        _check_look_alikes(ledger)
        inputs = load_side_files(request.inputs, policies, ledger, _check_roster_covers)
        side, state_file, notes = opening_side(request, policies, inputs, None)
        roster = inputs.roster_frame
        groups = plan_groups(policies, pd.DataFrame(), roster, request.period)
        no_rows = repayments_check(request.period, ledger.in_period, ledger.rows, ledger.first, ledger.last,
                                   roster is not None, request.allow_no_repayments)
        check_state(side, request.period, groups)
        collectors, rows = ledger.collectors(roster)
        count = max(1, math.ceil(ledger.rows / ROWS_PER_PARTITION)) if partitions == "auto" else int(partitions)
        planned = plan_partitions(collectors, rows, _links(scans, collectors, scratch, roster, policies,
                                                          request.period), count)
        paid = map_partitions(pay_partition, [
            PartitionTask(i, tuple(members), tuple(str(scratch / f"spill-{j}.arrow") for j in range(len(files))),
                          tuple(policies), request.period, _roster_of(roster, members), _side_of(side, members),
                          needed, ledger.shared, str(scratch)) for i, members in enumerate(planned)])
        for result in paid:
            if result.problems or result.hidden:
                raise InputError(result.problems, result.hidden)
        result = put_together([p.part for p in paid], policies, request.period, roster, side, no_rows)
        run = period_run(policies, result, inputs.files, state_file, notes)
        folder = write_run(run.result, run.policies, run.inputs, out_dir, may_replace=may_replace, notes=run.notes,
                           lines_csv=lines_csv, lines_parquet=lines_parquet,
                           lines=_MergedLines(paid, groups, result.minor_units))
    return run, folder


def _raise(scans: Sequence[Scanned]) -> None:
    """Every file's problems, as load_ledger lists them: file after file, up to the usual limit."""
    problems = ProblemCollector()
    for scan in scans:
        for problem in scan.problems:
            problems.add(problem.where, problem.key, problem.message, problem.role)
        problems.extend_hidden(scan.hidden)
    problems.raise_if_any()


class _Scan:
    """What the scans found, standing in for the whole ledger (its files, its collectors, its dates)."""

    def __init__(self, scans: Sequence[Scanned]):
        self.scans = scans
        self.files = tuple(scan.file for scan in scans)
        self.rows = int(sum(int(scan.rows.sum()) for scan in scans))
        self.in_period = any(scan.in_period for scan in scans)
        dated = [scan for scan in scans if scan.first is not None]
        self.first = min(scan.first for scan in dated) if dated else None
        self.last = max(scan.last for scan in dated) if dated else None
        self.shared = tuple(sorted({c for scan in scans for c in scan.columns}))

    def collectors(self, roster: Optional[pd.DataFrame]) -> tuple[list[str], np.ndarray]:
        """Every collector of the ledger and the roster (sorted) and their ledger rows."""
        names = sorted({c for scan in self.scans for c in scan.collectors} | set(roster.index if roster is not None
                                                                                 else ()))
        rows = np.zeros(len(names), dtype=np.int64)
        for scan in self.scans:
            np.add.at(rows, np.searchsorted(np.asarray(names, dtype=object), np.asarray(scan.collectors, dtype=object)),
                      scan.rows)
        return names, rows


def _check_roster_covers(ledger: _Scan, roster) -> None:
    """check_roster_covers on the scans; when some collector is not on the roster, their rows are read back
    from the spills to name the row the whole ledger would name."""
    strangers = sorted({c for scan in ledger.scans for c in scan.collectors} - set(roster.frame.index))
    if strangers:
        rows = ledger_frame([_rows_of(Path(scan.spill), strangers) for scan in ledger.scans if scan.spill],
                            Needs((), (), (), False), ledger.shared, whole_payments=False)
        check_roster_covers(Ledger(rows, ledger.files), roster)


def _check_look_alikes(ledger: _Scan) -> None:
    """Collector ids that are one id once NFKC-normalised, refused as load_ledger refuses them (the
    partitions' own check sees only the collectors of one partition): their rows read back from the
    spills, the whole ledger's first rows named."""
    alike = look_alikes(sorted({c for scan in ledger.scans for c in scan.collectors}))
    if alike:
        both = sorted({*alike, *alike.values()})
        ledger_frame([_rows_of(Path(scan.spill), both) for scan in ledger.scans if scan.spill],
                     Needs((), (), (), False), ledger.shared, whole_payments=False)


def _links(scans: Sequence[Scanned], collectors: list[str], scratch: Path, roster, policies,
           period: Period) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of collectors (positions) to keep in one partition: those sharing a payment_id hash, and each
    lead paid an override with their team members."""
    names = np.asarray(collectors, dtype=object)
    firsts, seconds = [], []
    for bucket in range(BUCKETS):
        hashes, who = [], []
        for i, scan in enumerate(scans):
            keys = np.load(scratch / f"keys-{i}-{bucket}.npy")
            hashes.append(keys["hash"])
            who.append(np.searchsorted(names, np.asarray(scan.collectors, dtype=object))[keys["collector"]]
                       if len(keys) else np.zeros(0, dtype=np.int64))
        hashes, who = np.concatenate(hashes), np.concatenate(who)
        order = np.argsort(hashes)  # rows of one hash together: a link between each two neighbours that differ
        hashes, who = hashes[order], who[order]
        joined = np.flatnonzero((hashes[1:] == hashes[:-1]) & (who[1:] != who[:-1]))
        firsts.append(who[joined])
        seconds.append(who[joined + 1])
    team = team_links(roster, policies, period)
    if team:
        members, leads = zip(*team)
        known = np.isin(np.asarray(leads, dtype=object), names)
        firsts.append(np.searchsorted(names, np.asarray(members, dtype=object)[known]))
        seconds.append(np.searchsorted(names, np.asarray(leads, dtype=object)[known]))
    return np.concatenate(firsts), np.concatenate(seconds)


def _roster_of(roster: Optional[pd.DataFrame], members: Sequence[str]) -> Optional[pd.DataFrame]:
    return None if roster is None else roster.loc[roster.index.isin(members)]


def _side_of(side: SideInputs, members: Sequence[str]) -> SideInputs:
    """The side inputs of a partition's collectors only (the run's checks have seen them all)."""
    mine = set(members)
    return replace(side, targets=rows_of(side.targets, mine), assignments=rows_of(side.assignments, mine),
                   events=rows_of(side.events, mine), state=rows_of(side.state, mine))


class _MergedLines:
    """The lineage files of a partitioned run, merged from its partitions' part files in the order of the run
    over the whole ledger: plan after plan, in each the line-rate components in plan order, in each the
    rows by payment_id then collector (a k-way merge, streaming)."""

    def __init__(self, paid: Sequence[PartitionPaid], groups, minor_units: int):
        self.paid, self.groups, self.minor = paid, groups, minor_units

    def __call__(self, csv: Optional[Path], parquet: Optional[Path]) -> int:
        plans = [plan for plan, _, _ in self.groups]
        columns = {plan: _ordered_union(p.columns.get(plan, []) for p in self.paid) for plan in plans}
        every = _ordered_union(columns[plan] for plan in plans)
        types = _union_schema([p.schema for p in self.paid if p.schema is not None])
        schema = pa.schema([(name, types.field(name).type if types is not None and name in types.names
                             and not pa.types.is_null(types.field(name).type) else pa.large_string())
                            for name in every])
        schema = plain_schema(_money_typed(schema, self.minor))
        texts: dict = {}
        for p in self.paid:
            for name, values in p.texts.items():
                texts.setdefault(name, set()).update(values)
        for plan in plans:  # a plan without a column fills it in: '' for text (0 for numbers: no text)
            if any(rows for p in self.paid for (owner, _, _, rows) in p.segments if owner == plan):
                for name in set(every) - set(columns[plan]):
                    texts.setdefault(name, set()).add("")
        if csv is None and parquet is None:
            return sum(rows for p in self.paid for (_, _, _, rows) in p.segments)
        with RowFiles(schema, texts, csv=csv, parquet=parquet) as files:
            for plan, _, policy in self.groups:
                order = [c.id for c in policy.components] + [""]
                names = sorted({s[1] for p in self.paid for s in p.segments if s[0] == plan},
                               key=lambda c: order.index(c) if c in order else len(order))
                for component in names:
                    paths = [s[2] for p in self.paid for s in p.segments if s[0] == plan and s[1] == component]
                    for table in _merged(paths):
                        files.write(_aligned(table, schema, set(columns[plan])))
            return files.rows


def _ordered_union(lists) -> list:
    return list(dict.fromkeys(name for names in lists for name in names))


def _money_typed(schema: pa.Schema, minor: int) -> pa.Schema:
    return pa.schema([(f.name, pa.decimal128(18, minor)) if f.name in LINE_MONEY_COLUMNS else f for f in schema])


def _aligned(table: pa.Table, schema: pa.Schema, own: set) -> pa.Table:
    """`table` with `schema`'s columns in its order: a column the plan has but this part lacks is null (a
    concat's NaN), one only other plans have is '' or 0 (the fill of engine.payroll._merged_lines)."""
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            arrays.append(table.column(f.name).cast(f.type))
        elif f.name in own:
            arrays.append(pa.nulls(table.num_rows, f.type))
        else:
            fill = "" if pa.types.is_large_string(f.type) else 0
            filled = np.full(table.num_rows, fill, dtype=object if fill == "" else np.int64)
            arrays.append(pa.array(filled).cast(f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _merged(paths: Sequence[str]):
    """The rows of sorted part files (by payment_id, then collector_id) as tables in that order: each round
    takes, from every file's buffer, the rows up to the smallest of the buffers' last keys."""
    readers = [pa.ipc.open_file(pa.OSFile(path)) for path in paths]  # not memory-mapped: see _rows_of
    batches = [iter(range(reader.num_record_batches)) for reader in readers]
    buffers: list = [None] * len(readers)

    def refill(i):
        while buffers[i] is None or not buffers[i].num_rows:
            number = next(batches[i], None)
            if number is None:
                buffers[i] = None
                return
            buffers[i] = pa.Table.from_batches([readers[i].get_batch(number)])

    for i in range(len(readers)):
        refill(i)
    while any(b is not None for b in buffers):
        live = [i for i, b in enumerate(buffers) if b is not None]
        keys = {i: (_key(buffers[i], buffers[i].num_rows - 1)) for i in live}
        frontier = min(keys.values())
        taken = []
        for i in live:
            count = _upto(buffers[i], frontier)
            if count:
                taken.append(buffers[i].slice(0, count))
                buffers[i] = buffers[i].slice(count)
            refill(i)
        table = pa.concat_tables(taken) if len(taken) > 1 else taken[0]
        if len(taken) > 1:
            table = table.take(pc.sort_indices(table, sort_keys=[("payment_id", "ascending"),
                                                                 ("collector_id", "ascending")]))
        yield table


def _key(table: pa.Table, row: int) -> tuple:
    return table.column("payment_id")[row].as_py(), table.column("collector_id")[row].as_py()


def _upto(table: pa.Table, frontier: tuple) -> int:
    """How many of a sorted table's first rows have a key up to `frontier` (a binary search)."""
    low, high = 0, table.num_rows
    while low < high:
        middle = (low + high) // 2
        if _key(table, middle) <= frontier:
            low = middle + 1
        else:
            high = middle
    return low
