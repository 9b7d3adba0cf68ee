"""HR's payout batches: create one from a run, approve, send back, lock, mark paid or discard it, review
it, diff it, export the payroll file, load opening year-to-date amounts, and a collector's history.
Every action is checked against the store's roles and two-person rules (app/access.py) and recorded
with the actor's identity.

Creating a batch checks the store's rules, computes, stores the batch with content-addressed copies
of its inputs and reports, and writes its reports folder as one step, so a batch never exists without
its reports nor reports without their batch. The store's rules (one open batch a period, no
overlapping periods, balances from the period before) are checked before the long computation and
again in the transaction that stores the batch. The folder is moved into place inside that
transaction, carrying the batch's id and a token the store keeps: if the process is killed after the
move but before the commit, the folder names a batch the store does not have, and the next `batch
create` may replace it (see outputs.owners).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import pandas as pd

from ..errors import InputError, Problem
from ..i18n import t, word
from ..inputs import sha256_of
from ..inputs.side import load_opening_amounts
from ..money import MAX_TOTAL, format_minor, parse_money
from ..outputs.atomic import remove
from ..outputs.owners import batch_folder
from ..outputs.payouts_workbook import column_words
from ..outputs.payroll import write_payroll
from ..outputs.run_report import LINES_CSV, LINES_PARQUET, write_run
from ..periods import Period
from ..store import (EXPORTABLE, INPUT, REPORT, NewBatch, StoreError, batch_exports, batch_payouts,
                     check_period_free, create_batch, diff_batches, diff_paid, event_lines, export_rows, format_time,
                     get_batch, history, keep_files, list_batches, load_opening_ytd, open_store, opening_balances,
                     record_export, reports_stored, set_lines_sha256, transition)
from ..store.batches import TRANSITIONS
from .access import Refused, check, single_operator_note
from .runs import PeriodRun, RunRequest, compute_period


def default_pay_date(period: Period) -> date:
    """When a period's pay is paid unless the batch says otherwise: the 15th of the month after it ends
    (commission is usually paid with the next month's salary)."""
    year, month = (period.end.year + 1, 1) if period.end.month == 12 else (period.end.year, period.end.month + 1)
    return date(year, month, 15)


@dataclass(frozen=True)
class CreatedBatch:
    batch: NewBatch
    run: PeriodRun
    folder: Path
    pay_date: date


def create_payout_batch(request: RunRequest, store_url: str, out_dir: Path, actor: str, now: datetime,
                        pay_date: Optional[date] = None, note: str = "", lines_csv: bool = True,
                        lines_parquet: bool = False) -> CreatedBatch:
    """Run `request.period` and store it as a draft batch with its reports in `out_dir`."""
    engine = open_store(store_url)
    pay_date = pay_date or default_pay_date(request.period)
    if request.state is not None and not Path(request.state).is_file():
        raise InputError([Problem(str(request.state), "", "no such file", role="state")])
    state_sha256 = sha256_of(request.state) if request.state else None
    with engine.connect() as connection:
        check(connection, actor, "create")
        batch_folder(lambda batch_id, token: reports_stored(connection, batch_id, token))(Path(out_dir))
        check_period_free(connection, request.period)
        state_period, state = opening_balances(connection, request.period, state_sha256, request.first_period)
    run = compute_period(request, opening=(state_period, state) if state_period else None)
    token = uuid.uuid4().hex
    published = False
    try:
        with engine.begin() as connection:
            check(connection, actor, "create")
            inputs = [{"role": "policy", "path": p.source, "sha256": p.sha256} for p in run.policies] + [
                {"role": f.role, "path": f.path, "sha256": f.sha256, "rows": f.rows} for f in run.inputs]
            new = create_batch(connection, run.result, inputs, str(Path(out_dir).resolve()), token, actor, now,
                               pay_date, note)
            folder = write_run(run.result, run.policies, run.inputs, out_dir,
                               owner={"command": "batch", "batch_id": new.id, "token": token},
                               may_replace=batch_folder(lambda batch_id, t: reports_stored(connection, batch_id, t)),
                               lines_csv=lines_csv, lines_parquet=lines_parquet, notes=run.notes)
            published = True
            lines = next((folder / n for n in (LINES_PARQUET, LINES_CSV) if (folder / n).exists()), None)
            set_lines_sha256(connection, new.id, sha256_of(lines) if lines else "")
            keep_files(connection, new.id, REPORT, {p.relative_to(folder).as_posix(): p
                                                    for p in folder.rglob("*") if p.is_file()})
            keep_files(connection, new.id, INPUT, _input_files(run))
    except BaseException:
        if published:  # the move happened, the batch was not stored: the folder is ours and claims nothing
            remove(Path(out_dir))
        raise
    return CreatedBatch(new, run, folder, pay_date)


def _input_files(run: PeriodRun) -> dict[str, Path]:
    """Every input a batch was made from, by role and position (`ledger/1 ledger.csv`), so the period can
    be recomputed from the store alone."""
    files = {f"policy/{n} {Path(p.source).name}": Path(p.source) for n, p in enumerate(run.policies, 1)}
    for n, f in enumerate(run.inputs, 1):
        files[f"{f.role}/{n} {Path(f.path).name}"] = Path(f.path)
    return files


def act_on_batch(store_url: str, batch_id: int, action: str, actor: str, now: datetime, note: str = "") -> str:
    """Approve, send back, lock, mark paid or discard a batch, as the roles and the two-person rules
    allow; returns its new status. Sending back needs a reason."""
    if action == "send-back" and not note.strip():
        raise InputError([Problem("", "", "say why the batch is sent back", role="note")])
    with open_store(store_url).begin() as connection:
        batch = get_batch(connection, batch_id)
        how = check(connection, actor, action, batch)
        return transition(connection, batch_id, action, actor, now, note, how)


def batches(store_url: str, actor: str) -> pd.DataFrame:
    """Every batch: period, kind, status, what it pays, who created it and when."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        return list_batches(connection)


@dataclass(frozen=True)
class BatchDetails:
    """A stored batch as a reviewer reads it: its record, plans, computed totals, every collector's pay
    (with why it is zero), the events in words, how the store is controlled, and what the reader may do
    to it now (so a page offers only those; each action is still checked when it is done)."""

    record: object
    plans: list[dict]
    totals: dict
    collectors: pd.DataFrame  # collector_id, employee_id, name, pay_code amounts..., total, why
    events: pd.DataFrame
    controls_note: Optional[str]
    actions: tuple[str, ...] = ()  # of TRANSITIONS, and "export"

    @property
    def pays(self) -> int:
        return int(self.collectors["total"].sum()) if len(self.collectors) else 0


def batch_details(store_url: str, batch_id: int, actor: str, lang: str = "en") -> BatchDetails:
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        record = get_batch(connection, batch_id)
        rows = batch_payouts(connection, batch_id)
        items = _items(connection, batch_id)
        return BatchDetails(record, json.loads(record.plans), json.loads(record.totals),
                            _per_collector(rows, items, record.kind, record.minor_units),
                            event_lines(connection, batch_id, lang), single_operator_note(connection, lang),
                            _allowed(connection, actor, record))


def _allowed(connection, actor: str, record) -> tuple[str, ...]:
    """The actions the batch's status allows that `actor` may do to it: the roles and the two-person
    rules of access.check, asked without acting."""
    possible = [action for action, (sources, _, _) in TRANSITIONS.items() if record.status in sources]
    if record.status in EXPORTABLE:
        possible.append("export")
    allowed = []
    for action in possible:
        try:
            check(connection, actor, action, record)
        except Refused:
            continue
        allowed.append(action)
    return tuple(allowed)


def _items(connection, batch_id: int) -> pd.DataFrame:
    from sqlalchemy import select

    from ..store.schema import items

    return pd.DataFrame(connection.execute(select(items).where(items.c.batch_id == batch_id)
                                           .order_by(items.c.seq)).all(), columns=[c.name for c in items.columns])


def _per_collector(rows: pd.DataFrame, items: pd.DataFrame, kind: str, minor: int) -> pd.DataFrame:
    """One row per collector of the batch (also those paid 0.00): each pay code's amount, the total, and
    for a total of zero or less why (gate not met, forfeited, held, carried...)."""
    if not len(rows):
        return pd.DataFrame(columns=["collector_id", "employee_id", "name", "total", "why"])
    wide = rows.pivot_table(index=["collector_id", "employee_id", "name"], columns="pay_code", values="amount",
                            aggfunc="sum", fill_value=0).reset_index()
    codes = [c for c in wide.columns if c not in ("collector_id", "employee_id", "name")]
    wide.columns.name = None
    wide["total"] = wide[codes].sum(axis=1).astype("int64")
    reasons = {collector: _why(group, minor) for collector, group in items.groupby("collector_id")} \
        if len(items) else {}
    wide["why"] = [reasons.get(c, "no repayments and nothing owed") if total <= 0 and kind == "payout" else ""
                   for c, total in zip(wide["collector_id"], wide["total"])]
    return wide


def _why(items: pd.DataFrame, minor: int) -> str:
    """Why a collector's pay came to nothing, from the items that took it away, in words."""
    money = lambda value: format_minor(abs(int(value)), minor, grouped=True)  # noqa: E731
    reasons = []
    for item in items.itertuples(index=False):  # one collector's items: a handful
        if item.kind == "threshold" and item.amount < 0:
            reasons.append(f"recovered {money(item.base)}, below the gate of {item.rule}: {money(item.amount)} "
                           "not paid")
        elif item.kind == "compliance" and item.rate == "forfeit":
            reasons.append(f"forfeited {money(item.amount)} for event {item.event}")
        elif item.kind == "holdback" and item.rule.endswith(":forfeited"):
            reasons.append(f"held-back {money(item.base)} forfeited")
        elif item.kind == "leaver" and item.amount < 0:
            reasons.append(f"left before the period ended: {money(item.amount)} {item.rule.split(':')[-1]}")
        elif item.kind == "balance" and item.rule == "carried:carried":
            reasons.append(f"clawbacks above pay: {money(item.amount)} carried to next period")
        elif item.kind == "balance" and item.rule.endswith(":repaid"):
            reasons.append(f"{money(item.amount)} repaid ({item.rule.split(':')[0]})")
    return "; ".join(dict.fromkeys(reasons)) or "nothing earned in the period"


def total_rows(totals: dict, minor_units: int, lang: str) -> list[tuple[str, int]]:
    """A batch's totals (payouts.csv column -> decimal text) as (the words payouts.xlsx uses for the
    column, minor units), for a page to show."""
    def words(column: str) -> str:
        try:
            return column_words(column, lang, "column")
        except KeyError:
            return column
    return [(words(column), parse_money(text, minor_units, MAX_TOTAL)) for column, text in totals.items()]


@dataclass(frozen=True)
class Difference:
    """What a batch changes against what was paid, or against another batch, per collector and pay code,
    with the words people read in one language: a header per column, pay codes by name, and the sentence
    saying what is subtracted from what."""

    table: pd.DataFrame  # collector_id, pay_code, amount <first>, amount <second>, difference (minor units)
    minor_units: int
    how: str
    headers: dict  # column -> words
    pay_codes: dict  # pay code -> its name

    @property
    def money(self) -> list[str]:
        """The columns that hold money (minor units)."""
        return [c for c in self.table.columns if c.startswith("amount") or c == "difference"]


def batch_difference(store_url: str, actor: str, first: int, second: Optional[int] = None,
                     lang: str = "en") -> Difference:
    """Differences per collector and pay code between two batches, or between one and what was paid for
    its period."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        minor = get_batch(connection, first).minor_units
        table = diff_batches(connection, first, second) if second else diff_paid(connection, first)
    if second:
        how = t("batch.diff.between", lang, first=first, second=second)
        amounts = {f"amount batch {first}": t("batch.diff.batch_column", lang, batch=first),
                   f"amount batch {second}": t("batch.diff.batch_column", lang, batch=second)}
    else:
        how = t("batch.diff.paid", lang, batch=first)
        amounts = {"amount paid": t("batch.diff.paid_column", lang),
                   f"amount with batch {first}": t("batch.diff.batch_column", lang, batch=first)}
    headers = {"collector_id": t("common.collector", lang), "pay_code": t("statement.pay_code", lang), **amounts,
               "difference": t("batch.diff.difference", lang)}
    codes = {code: word("pay_code", code, lang) for code in table["pay_code"].unique()}
    return Difference(table, minor, how, headers, codes)


@dataclass(frozen=True)
class Export:
    path: Path
    control: dict  # count, total, control_file
    currency: str
    reexport: str = ""  # what the control file says when the batch was exported or paid before


def export_batch(store_url: str, batch_id: int, file_format: str, out_path: Path, actor: str,
                 now: datetime, note: str = "", shown_as: str = "") -> Export:
    """Write the payroll file of an approved, locked or paid batch and its control file; the export is
    recorded in the batch's events, the file by `shown_as` when the person gets it under that name (a
    server's scratch path is nobody's business), else by its path. Exporting a batch exported or paid before
    is a re-export: the control file and the event say so, and of which export, so payroll does not pay it
    twice."""
    engine = open_store(store_url)
    with engine.connect() as connection:
        record = get_batch(connection, batch_id)
        check(connection, actor, "export", record)
        rows = export_rows(connection, batch_id)
        controls = single_operator_note(connection)
        earlier = batch_exports(connection, batch_id)
    reexport = _reexport(record, earlier)
    rows = rows.assign(pay_date=str(record.pay_date or ""))
    extra = {"pay date": str(record.pay_date or ""), **({"controls": controls} if controls else {}),
             "export": str(len(earlier) + 1), **({"re-export": reexport} if reexport else {})}
    control = write_payroll(rows, out_path, file_format, record.minor_units, extra)
    recorded = {"file": str(out_path), **control}
    if shown_as:
        recorded.update(file=shown_as, control_file=Path(control["control_file"]).name)
    with engine.begin() as connection:
        record_export(connection, batch_id, actor, now, {**recorded, "export": len(earlier) + 1,
                                                         "reexport_of": earlier[0]["number"] if earlier else None,
                                                         "paid_before": record.status == "paid"}, note)
    return Export(Path(out_path), control, record.currency, reexport)


def _reexport(record, earlier: list[dict]) -> str:
    """The control file's words for a batch exported or paid before (empty for its first export)."""
    if earlier:
        first = earlier[0]
        return t("controls.reexport", "en", batch=record.id, export=first["number"], file=first["file"],
                 at=first["at"], by=first["by"])
    if record.status == "paid":
        return t("controls.reexport_paid", "en", batch=record.id, by=record.paid_by, at=format_time(record.paid_at))
    return ""


def collector_history(store_url: str, actor: str, collector: str) -> pd.DataFrame:
    """A collector's amounts in every batch not closed unpaid, by period and pay code."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        rows = history(connection, collector)
    if not len(rows):
        raise StoreError(f"no batch in the store pays {collector}; check the collector id")
    return rows


def load_opening_year(store_url: str, actor: str, year: int, path: Path, currency: str, now: datetime,
                      note: str = "") -> int:
    """Load the pay of `year` made before the store existed (collector_id, pay_code, amount), once, so
    statements' year to date is right from the first month; returns the rows loaded."""
    amounts = load_opening_amounts(path, currency)
    with open_store(store_url).begin() as connection:
        check(connection, actor, "opening-ytd")
        load_opening_ytd(connection, year, amounts.frame, actor, now, note)
    return len(amounts.frame)
