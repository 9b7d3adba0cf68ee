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

from ..errors import InputError, Problem, option
from ..i18n import money, named, t, word
from ..inputs import sha256_of
from ..inputs.side import load_opening_amounts
from ..money import MAX_TOTAL, parse_money
from ..outputs.atomic import remove
from ..outputs.owners import batch_folder
from ..outputs.payouts_workbook import column_words
from ..outputs.payroll import control_path, write_payroll
from ..outputs.run_report import LINES_CSV, LINES_PARQUET, write_run
from ..periods import Period
from ..store import (EXPORTABLE, INPUT, REPORT, NewBatch, StoreError, batch_exports, batch_payouts,
                     check_period_free, create_batch, diff_batches, diff_paid, event_lines, export_rows,
                     exported_files, format_time, get_batch, history, keep_files, list_batches, load_opening_ytd,
                     open_store, opening_balances, paid_for, paid_pay_codes, record_export, reports_stored,
                     set_lines_sha256, transition)
from ..store.batches import TRANSITIONS
from .access import Refused, check, single_operator_note
from .runs import PeriodRun, RunRequest, compute_period


#: The day of the month payroll pays commission on (with the next month's salary).
PAY_DAY = 15


def usual_pay_date(period: Period) -> date:
    """The 15th of the month after the period ends: commission is usually paid with the next month's salary."""
    return _pay_day_after(period.end)


def default_pay_date(period: Period, today: date, correction: bool) -> date:
    """When a batch is paid unless it says otherwise: its period's usual pay date; for a correction of a
    paid period, once that day has passed, the next pay day from `today`, as payroll pays a correction
    in its next pay run. A late payout batch keeps its period's date (its statements say when that
    period is paid), and the interface warns that the day has passed."""
    usual = usual_pay_date(period)
    if usual >= today or not correction:
        return usual
    return today.replace(day=PAY_DAY) if today.day <= PAY_DAY else _pay_day_after(today)


def _pay_day_after(day: date) -> date:
    """The pay day of the month after `day`'s."""
    return date(day.year + 1, 1, PAY_DAY) if day.month == 12 else date(day.year, day.month + 1, PAY_DAY)


@dataclass(frozen=True)
class CreatedBatch:
    batch: NewBatch
    run: PeriodRun
    folder: Path
    pay_date: date
    usual_pay_date: date  # the period's: pay_date unless given, or a correction made after it passed
    late: bool  # the pay date is before the day the batch was created: payroll cannot pay on it


def create_payout_batch(request: RunRequest, store_url: str, out_dir: Path, actor: str, now: datetime,
                        pay_date: Optional[date] = None, note: str = "", lines_csv: bool = True,
                        lines_parquet: bool = False) -> CreatedBatch:
    """Run `request.period` and store it as a draft batch with its reports in `out_dir`."""
    engine = open_store(store_url)
    if request.state is not None and not Path(request.state).is_file():
        raise InputError([Problem(str(request.state), "", "no such file", role="state")])
    state_sha256 = sha256_of(request.state) if request.state else None
    with engine.connect() as connection:
        check(connection, actor, "create")
        batch_folder(lambda batch_id, token: reports_stored(connection, batch_id, token))(Path(out_dir))
        check_period_free(connection, request.period)
        state_period, state = opening_balances(connection, request.period, state_sha256, request.first_period)
        correction = bool(paid_for(connection, str(request.period)))
        pay_date = pay_date or default_pay_date(request.period, now.date(), correction)
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
    return CreatedBatch(new, run, folder, pay_date, usual_pay_date(request.period), pay_date < now.date())


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

    @property
    def by_pay_code(self) -> dict[str, int]:
        """What the batch pays under each pay code: the totals of its payroll file (for an adjustment, of
        the differences), which the period's computed columns (bonus counts overrides paid as
        commission) are not."""
        codes = [c for c in self.collectors.columns if c not in ("collector_id", "employee_id", "name", "total", "why")]
        return {code: int(self.collectors[code].sum()) for code in codes}


def batch_details(store_url: str, batch_id: int, actor: str, lang: str = "en") -> BatchDetails:
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        record = get_batch(connection, batch_id)
        rows = batch_payouts(connection, batch_id)
        items = _items(connection, batch_id)
        return BatchDetails(record, json.loads(record.plans), json.loads(record.totals),
                            _per_collector(rows, items, record.kind, record.minor_units, lang),
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


def _per_collector(rows: pd.DataFrame, items: pd.DataFrame, kind: str, minor: int, lang: str) -> pd.DataFrame:
    """One row per collector of the batch (also those paid 0.00): each pay code's amount, the total, and
    for a total of zero or less why (gate not met, forfeited, held, carried...)."""
    if not len(rows):
        return pd.DataFrame(columns=["collector_id", "employee_id", "name", "total", "why"])
    wide = rows.pivot_table(index=["collector_id", "employee_id", "name"], columns="pay_code", values="amount",
                            aggfunc="sum", fill_value=0).reset_index()
    codes = [c for c in wide.columns if c not in ("collector_id", "employee_id", "name")]
    wide.columns.name = None
    wide["total"] = wide[codes].sum(axis=1).astype("int64")
    reasons = {collector: _why(group, minor, lang) for collector, group in items.groupby("collector_id")} \
        if len(items) else {}
    nothing = t("batch.why.no_repayments", lang)
    wide["why"] = [reasons.get(c, nothing) if total <= 0 and kind == "payout" else ""
                   for c, total in zip(wide["collector_id"], wide["total"])]
    return wide


def _why(items: pd.DataFrame, minor: int, lang: str) -> str:
    """Why a collector's pay came to nothing, from the items that took it away, in words: each reason once,
    with the amounts of its items added up (a forfeit takes one item from every component it empties)."""
    def shown(value) -> str:
        return money(abs(int(value)), minor, lang)

    def total(mask) -> int:
        return int(items.loc[mask, "amount"].sum())

    kind, amount = items["kind"], items["amount"]
    reasons = []
    gate = (kind == "threshold") & (amount < 0)
    if gate.any():
        reasons.append(t("batch.why.gate", lang, recovered=shown(items.loc[gate, "base"].max()),
                         amount=shown(total(gate))))
    forfeits = items.loc[(kind == "compliance") & (items["rate"] == "forfeit")]
    reasons += [t("batch.why.forfeited", lang, amount=shown(value), event=event)
                for event, value in forfeits.groupby("event", sort=True)["amount"].sum().items()]
    held = (kind == "holdback") & items["rule"].str.endswith(":forfeited")
    if held.any():
        reasons.append(t("batch.why.held_forfeited", lang, amount=shown(items.loc[held, "base"].sum())))
    for how in ("hold", "forfeit"):
        left = (kind == "leaver") & (amount < 0) & (items["rule"] == f"leavers:{how}")
        if left.any():
            reasons.append(t(f"batch.why.leaver_{how}", lang, amount=shown(total(left))))
    carried = (kind == "balance") & (items["rule"] == "carried:carried")
    if carried.any():
        reasons.append(t("batch.why.carried", lang, amount=shown(total(carried))))
    for owed in ("carried", "draw"):
        repaid = (kind == "balance") & (items["rule"] == f"{owed}:repaid")
        if repaid.any():
            reasons.append(t(f"batch.why.repaid_{owed}", lang, amount=shown(total(repaid))))
    return t("batch.why.separator", lang).join(reasons) or t("batch.why.nothing_earned", lang)


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
    twice. A payroll file is never silently replaced: the two files may only replace this batch's own earlier
    export, and the file's name says its format."""
    engine = open_store(store_url)
    with engine.connect() as connection:
        record = get_batch(connection, batch_id)
        check(connection, actor, "export", record)
        rows = export_rows(connection, batch_id)
        controls = single_operator_note(connection)
        earlier = batch_exports(connection, batch_id)
        _check_export_path(Path(out_path), file_format, batch_id, exported_files(connection, batch_id))
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


def _check_export_path(path: Path, file_format: str, batch_id: int, ours: set[str]) -> None:
    """Refuse a name whose suffix is not the format's (an xlsx workbook named .csv), and an existing payroll
    or control file that is not one this batch's exports wrote (another batch's payroll, any other file)."""
    problems = []
    if path.suffix.lower() != f".{file_format}":
        problems.append(Problem(str(path), "", f"ends in {path.suffix or 'no suffix'!r}, but {option('format')} is "
                                f"{file_format}: name it *.{file_format}, or give the format its name says",
                                role="out"))
    for existing in (path, control_path(path)):
        if existing.exists() and (not existing.is_file() or sha256_of(existing) not in ours):
            problems.append(Problem(str(existing), "", f"already exists and is not an earlier export of batch "
                                    f"{batch_id}; a payroll file is never replaced: choose another name, or move "
                                    "it away first", role="out"))
    if problems:
        raise InputError(problems)


def collector_history(store_url: str, actor: str, collector: str) -> pd.DataFrame:
    """A collector's amounts in every batch not closed unpaid, by period and pay code."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        rows = history(connection, collector)
    if not len(rows):
        raise StoreError(f"no batch in the store pays {collector}; check the collector id")
    return rows


def load_opening_year(store_url: str, actor: str, year: int, path: Path, currency: str, now: datetime,
                      note: str = "", replace: bool = False) -> int:
    """Load the pay of `year` made before the store existed (collector_id, pay_code, amount), once, so
    statements' year to date is right from the first month; returns the rows loaded. Each row's pay code
    must be the engine's (commission, bonus, benefit) or one the store's batches pay. `replace` corrects
    a wrong load, saying why in `note`: the event log keeps the amounts replaced."""
    if replace and not note.strip():
        raise InputError([Problem("", "", "say why the opening amounts are replaced", role="note")])
    with open_store(store_url).begin() as connection:
        check(connection, actor, "opening-ytd")
        amounts = load_opening_amounts(path, currency, sorted({*named("pay_code"), *paid_pay_codes(connection)}))
        load_opening_ytd(connection, year, amounts.frame, actor, now, note, replace)
    return len(amounts.frame)
