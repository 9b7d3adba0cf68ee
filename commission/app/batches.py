"""HR's payout batches: create one from a run, approve, lock, mark paid or discard it, review it, diff
it, export the payroll file, and a collector's history.

Creating a batch checks the store's rules, computes, stores the batch and writes its reports as one
step, so a batch never exists without its reports nor reports without their batch.

The store's rules (one open batch a period, no overlapping periods, balances from the period
before) are checked before the long computation and again in the transaction that stores the
batch. The reports folder is written and moved into place inside that transaction, carrying the
batch's id and a token the store keeps: if the process is killed after the move but before the
commit, the folder names a batch the store does not have, and the next `batch create` may
replace it (see outputs.owners).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

import pandas as pd

from ..errors import InputError, Problem
from ..inputs import sha256_of
from ..outputs.atomic import remove
from ..outputs.owners import batch_folder
from ..outputs.payroll import write_payroll
from ..outputs.run_report import LINES_CSV, LINES_PARQUET, write_run
from ..store import (NewBatch, StoreError, batch_events, batch_payouts, check_period_free, create_batch,
                     diff_batches, diff_paid, export_rows, get_batch, history, list_batches, open_store,
                     opening_balances, record_export, reports_stored, set_lines_sha256, transition)
from .runs import PeriodRun, RunRequest, compute_period


@dataclass(frozen=True)
class CreatedBatch:
    batch: NewBatch
    run: PeriodRun
    folder: Path


def create_payout_batch(request: RunRequest, store_url: str, out_dir: Path, actor: str, now: datetime,
                        lines_csv: bool = True, lines_parquet: bool = False) -> CreatedBatch:
    """Run `request.period` and store it as a draft batch with its reports in `out_dir`."""
    engine = open_store(store_url)
    if request.state is not None and not Path(request.state).is_file():
        raise InputError([Problem(str(request.state), "", "no such file", role="state")])
    state_sha256 = sha256_of(request.state) if request.state else None
    with engine.connect() as connection:
        batch_folder(lambda batch_id, token: reports_stored(connection, batch_id, token))(Path(out_dir))
        check_period_free(connection, request.period)
        state_period, state = opening_balances(connection, request.period, state_sha256, request.first_period)
    run = compute_period(request, opening=(state_period, state) if state_period else None)
    token = uuid.uuid4().hex
    published = False
    try:
        with engine.begin() as connection:
            inputs = [{"role": "policy", "path": p.source, "sha256": p.sha256} for p in run.policies] + [
                {"role": f.role, "path": f.path, "sha256": f.sha256, "rows": f.rows} for f in run.inputs]
            new = create_batch(connection, run.result, inputs, str(Path(out_dir).resolve()), token, actor, now)
            folder = write_run(run.result, run.policies, run.inputs, out_dir,
                               owner={"command": "batch", "batch_id": new.id, "token": token},
                               may_replace=batch_folder(lambda batch_id, t: reports_stored(connection, batch_id, t)),
                               lines_csv=lines_csv, lines_parquet=lines_parquet, notes=run.notes)
            published = True
            lines = next((folder / n for n in (LINES_PARQUET, LINES_CSV) if (folder / n).exists()), None)
            set_lines_sha256(connection, new.id, sha256_of(lines) if lines else "")
    except BaseException:
        if published:  # the move happened, the batch was not stored: the folder is ours and claims nothing
            remove(Path(out_dir))
        raise
    return CreatedBatch(new, run, folder)


def act_on_batch(store_url: str, batch_id: int, action: str, actor: str, now: datetime) -> str:
    """Approve, lock, mark paid or discard a batch (recorded with who and when); returns its new status."""
    with open_store(store_url).begin() as connection:
        return transition(connection, batch_id, action, actor, now)


def batches(store_url: str) -> pd.DataFrame:
    """Every batch: period, kind, status, what it pays, who created it and when."""
    with open_store(store_url).connect() as connection:
        return list_batches(connection)


@dataclass(frozen=True)
class BatchDetails:
    """A stored batch as a reviewer reads it: its record, plans, computed totals, rows and events."""

    record: object
    plans: list[dict]
    totals: dict
    rows: pd.DataFrame  # collector_id, pay_code, employee_id, name, plan, plan_version, amount
    events: pd.DataFrame

    @property
    def pays(self) -> int:
        return int(self.rows["amount"].sum())


def batch_details(store_url: str, batch_id: int) -> BatchDetails:
    with open_store(store_url).connect() as connection:
        record = get_batch(connection, batch_id)
        return BatchDetails(record, json.loads(record.plans), json.loads(record.totals),
                            batch_payouts(connection, batch_id).drop(columns="batch_id"),
                            batch_events(connection, batch_id))


def batch_difference(store_url: str, first: int, second: Optional[int] = None) -> tuple[pd.DataFrame, int]:
    """Differences per collector and pay code between two batches, or between one and what was paid for
    its period; and the minor units of their currency."""
    with open_store(store_url).connect() as connection:
        minor = get_batch(connection, first).minor_units
        table = diff_batches(connection, first, second) if second else diff_paid(connection, first)
    return table, minor


@dataclass(frozen=True)
class Export:
    path: Path
    control: dict  # count, total, control_file
    currency: str


def export_batch(store_url: str, batch_id: int, file_format: str, out_path: Path, actor: str,
                 now: datetime) -> Export:
    """Write the payroll file of an approved, locked or paid batch and its control file; the export is
    recorded in the batch's events."""
    engine = open_store(store_url)
    with engine.connect() as connection:
        record = get_batch(connection, batch_id)
        rows = export_rows(connection, batch_id)
    control = write_payroll(rows, out_path, file_format, record.minor_units)
    with engine.begin() as connection:
        record_export(connection, batch_id, actor, now, {"file": str(out_path), **control})
    return Export(Path(out_path), control, record.currency)


def collector_history(store_url: str, collector: str) -> pd.DataFrame:
    """A collector's amounts in every batch not discarded, by period and pay code."""
    with open_store(store_url).connect() as connection:
        rows = history(connection, collector)
    if not len(rows):
        raise StoreError(f"no batch in the store pays {collector}; check the collector id")
    return rows
