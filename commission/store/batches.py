"""Payout batches: store a run as a draft, approve, lock, mark paid, export; corrections as adjustments.

Rules kept here, not in the CLI:
- one open (draft or approved) batch per period, enforced by a unique index;
- a locked or paid batch never changes; a corrected rerun of a paid period becomes an
  adjustment batch holding only the differences per collector and pay code;
- a batch whose payroll file was exported is never discarded: it is paid and corrected;
- what an approved batch pays is fingerprinted at approval and checked at lock, export and
  mark-paid (seals.py), so a change made in the database after approval is refused;
- every state change appends a row to the events table, in the same transaction;
- carried balances come from the latest batch of the previous period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, insert, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .. import __version__
from ..errors import option
from ..engine import RunResult
from ..money import format_minor
from ..periods import Period
from .errors import NotFound, StoreError
from .events import format_time, log
from .schema import OPEN_STATUSES, balances, batches, events, items, opening_ytd, payouts
from .seals import check_sealed, payable_sha256

#: action -> (statuses it may start from, status it leads to, column prefix recording who and when)
TRANSITIONS = {
    "approve": (("draft",), "approved", "approved"),
    "lock": (("approved",), "locked", "locked"),
    "mark-paid": (("locked",), "paid", "paid"),
    "discard": (("draft", "approved"), "discarded", None),
    "send-back": (("draft",), "returned", None),  # the approver returns a draft to be prepared again
}
SETTLED = ("locked", "paid")
#: Closed without being paid: nothing of them counts.
CLOSED = ("discarded", "returned")
EXPORTABLE = ("approved", "locked", "paid")


@dataclass(frozen=True)
class NewBatch:
    id: int
    kind: str  # payout | adjustment
    rows: int  # payout rows stored (for an adjustment: the differences)


def payout_rows(result: RunResult) -> pd.DataFrame:
    """The result as one row per collector and pay code (the unit payroll pays)."""
    payouts_frame = result.payouts
    codes = [c for c in payouts_frame.columns if c.startswith("pay_")]
    long = payouts_frame.melt(id_vars=[c for c in ("collector_id", "employee_id", "name", "team", "plan", "version")
                                       if c in payouts_frame.columns],
                              value_vars=codes, var_name="pay_code", value_name="amount")
    long["pay_code"] = long["pay_code"].str.removeprefix("pay_")
    for column in ("employee_id", "name", "team"):
        if column not in long:
            long[column] = ""
    return long.rename(columns={"version": "plan_version"})[
        ["collector_id", "pay_code", "employee_id", "name", "team", "plan", "plan_version", "amount"]]


def open_batch(connection: Connection, period: Period):
    return connection.execute(select(batches.c.id, batches.c.status).where(
        and_(batches.c.period == str(period), batches.c.status.in_(OPEN_STATUSES)))).first()


def opening_balances(connection: Connection, period: Period, state_sha256: Optional[str],
                     first_period: bool) -> tuple[Optional[Period], Optional[pd.DataFrame]]:
    """Where the balances carried into `period` come from, checked so none is lost or paid twice.

    From the store's batch of the period just before, which must be locked or paid: (its period,
    its balances). Or from a state file or zero, (None, None): only for the store's first period,
    that is, while it holds no other period's batch, and for a correction of that period only as
    its first batch began. So the store's periods form one chain from a single starting point.
    """
    periods = [(b.id, Period.parse(b.period), b.status) for b in connection.execute(
        select(batches.c.id, batches.c.period, batches.c.status).where(batches.c.status.not_in(CLOSED))
        .order_by(batches.c.id)).all()]
    before = [b for b in periods if b[1].end.toordinal() + 1 == period.start.toordinal()]
    if before:
        batch_id, before_period, status = before[-1]
        if state_sha256 or first_period:
            raise StoreError(f"balances carried into {period} come from the stored batch for {before_period}; "
                             f"leave out {option('state')} and {option('first-period')}")
        if status not in SETTLED:
            raise StoreError(f"batch {batch_id} for {before_period} is still {status}; approve and lock it (or "
                             f"discard it) first: its balances carry into {period}")
        rows = connection.execute(select(balances.c.collector_id, balances.c.balance, balances.c.amount).where(
            balances.c.batch_id == batch_id)).all()
        frame = pd.DataFrame(rows, columns=["collector_id", "balance", "amount"]).astype({"amount": np.int64})
        return before_period, frame
    earlier = [b[1] for b in periods if b[1].end < period.start]
    if earlier:
        latest = max(earlier, key=lambda p: p.end)
        raise StoreError(f"the store has no batch for the period just before {period} (its latest earlier batch "
                         f"is for {latest}): batch the periods in between first, so balances carry")
    own = any(str(b[1]) == str(period) for b in periods)
    later = sorted({str(b[1]) for b in periods if b[1].start > period.end})
    if later and not own:
        raise StoreError(f"the store already holds later periods ({', '.join(later)}), which started from other "
                         f"balances; a batch for {period} would not carry into them")
    _check_same_start(connection, period, state_sha256)
    return None, None


def _check_same_start(connection: Connection, period: Period, state_sha256: Optional[str]) -> None:
    """A correction of a period whose balances came from outside the store (its first batch) must
    start from the same state file, or from zero again, or it would pay the difference in
    balances as a correction."""
    settled = paid_for(connection, str(period))
    if not settled:
        return
    first = get_batch(connection, min(settled))
    original = next((i["sha256"] for i in json.loads(first.inputs) if i["role"] == "state"), None)
    if original == state_sha256:
        return
    was = "a state file with SHA-256 " + original[:12] + "..." if original else \
        f"zero balances ({option('first-period')})"
    give = f"{option('state')} with that same file" if original else option("first-period")
    raise StoreError(f"batch {first.id} ({first.status}) for {period} started from {was}; a correction must "
                     f"start from the same balances: give {give}")


def check_period_free(connection: Connection, period: Period) -> None:
    """A new batch for `period` needs no open batch of the period and no batch of an overlapping one."""
    existing = open_batch(connection, period)
    if existing is not None and batch_exports(connection, existing.id):
        raise StoreError(f"batch {existing.id} for {period} is still {existing.status}, and its payroll file was "
                         f"exported; lock it (it is then corrected by an adjustment batch) before creating another")
    if existing is not None:
        raise StoreError(f"batch {existing.id} for {period} is still {existing.status}; lock it, or discard it "
                         f"(commission batch discard {existing.id}) before creating another")
    _refuse_overlap(connection, period)


def create_batch(connection: Connection, result: RunResult, inputs: list[dict], reports: str, reports_token: str,
                 actor: str, now: datetime, pay_date: date, note: str = "") -> NewBatch:
    """Store `result` as a draft. If the period was already paid (locked or paid batches), store only
    the differences from what was paid, as an adjustment batch. Its reports are written after it is
    stored (see `set_lines_sha256`), in the same transaction."""
    period = str(result.period)
    check_period_free(connection, result.period)
    rows = payout_rows(result)  # every collector and pay code, also 0.00: a batch shows who was paid nothing
    settled = [b.id for b in connection.execute(select(batches.c.id).where(
        and_(batches.c.period == period, batches.c.status.in_(SETTLED)))).all()]
    kind = "adjustment" if settled else "payout"
    if settled:
        rows = _differences(connection, rows, settled)
    try:
        batch_id = connection.execute(insert(batches).values(
            period=period, kind=kind, status="draft", currency=result.currency, minor_units=result.minor_units,
            plans=json.dumps([{"id": p.plan, "version": p.version, "sha256": p.sha256, "source": p.source}
                              for p in result.policies]),
            inputs=json.dumps(inputs), engine_version=__version__,
            totals=json.dumps({k: format_minor(v, result.minor_units) for k, v in result.totals().items()}),
            reports=reports, lines_sha256="", reports_token=reports_token, corrects=" ".join(map(str, settled)),
            created_by=actor, created_at=now, pay_date=pay_date)).inserted_primary_key[0]
    except IntegrityError:
        raise StoreError(f"another batch for {period} was created at the same time; list the batches and "
                         "keep one") from None
    if len(rows):
        connection.execute(insert(payouts), [dict(r, batch_id=batch_id) for r in _records(rows)])
    item_records = _records(result.items.assign(seq=np.arange(len(result.items))))
    if item_records:
        connection.execute(insert(items), [dict(r, batch_id=batch_id) for r in item_records])
    state_records = _records(result.state)
    if state_records:
        connection.execute(insert(balances), [dict(r, batch_id=batch_id) for r in state_records])
    log(connection, "created", actor, now, batch_id=batch_id, note=note,
        detail={"kind": kind, "corrects": settled, "pay_date": str(pay_date)})
    return NewBatch(batch_id, kind, len(rows))


def set_lines_sha256(connection: Connection, batch_id: int, lines_sha256: str) -> None:
    """Record the fingerprint of the batch's payment-level lineage, once its reports are written."""
    connection.execute(update(batches).where(batches.c.id == batch_id).values(lines_sha256=lines_sha256))


def reports_stored(connection: Connection, batch_id, token) -> bool:
    """Does the store hold the batch whose reports folder carries this id and token?"""
    if not isinstance(batch_id, int) or not isinstance(token, str) or not token:
        return False
    return connection.execute(select(batches.c.id).where(
        and_(batches.c.id == batch_id, batches.c.reports_token == token))).first() is not None


def _refuse_overlap(connection: Connection, period: Period) -> None:
    """A month and its quarter (or year) both pay the quarter's components: only one of them may be batched."""
    for other in connection.execute(select(batches.c.id, batches.c.period).where(
            and_(batches.c.status.not_in(CLOSED), batches.c.period != str(period)))).all():
        other_period = Period.parse(other.period)
        if other_period.start <= period.end and period.start <= other_period.end:
            raise StoreError(f"batch {other.id} pays {other.period}, which overlaps {period}: components paid "
                             "in both would be paid twice; batch a period by months or as a whole, not both")


def _differences(connection: Connection, rows: pd.DataFrame, settled: list[int]) -> pd.DataFrame:
    """What this run pays minus what the settled batches already paid, per collector and pay code.

    Keys on one side only are filled with 0 (and "" for texts) by reindexing with a fill value, so the
    int64 amounts never pass through a float (an outer merge would turn them into float64 with NaN and
    round amounts past 2**53)."""
    keys = ["collector_id", "pay_code"]
    paid = _paid(connection, settled).set_index(keys)["amount"]
    mine = rows.set_index(keys)
    index = mine.index.union(paid.index)
    merged = pd.DataFrame(index=index)
    for column in ("employee_id", "name", "team", "plan"):
        merged[column] = mine[column].reindex(index, fill_value="")
    merged["plan_version"] = mine["plan_version"].astype(np.int64).reindex(index, fill_value=0)
    merged["amount"] = mine["amount"].astype(np.int64).reindex(index, fill_value=0) - paid.reindex(index, fill_value=0)
    merged = merged.reset_index()
    return merged.loc[merged["amount"] != 0, rows.columns].sort_values(keys)


def transition(connection: Connection, batch_id: int, action: str, actor: str, now: datetime, note: str = "",
               detail: Optional[dict] = None) -> str:
    """Move a batch along draft -> approved -> locked -> paid (or discard an open one not exported); returns
    the new status. Approving records the fingerprint of what the batch pays; locking and marking paid check it.
    Who may do it is the application's rule (app/access.py); `detail` records how (e.g. without a
    second person)."""
    sources, target, stamp = TRANSITIONS[action]
    batch = get_batch(connection, batch_id)
    if batch.status not in sources:
        raise StoreError(f"batch {batch_id} is {batch.status}; {action} needs a batch that is "
                         + " or ".join(sources))
    if target in CLOSED:
        _refuse_if_exported(connection, batch, action)
    if action == "approve":
        detail = {**(detail or {}), "sha256": payable_sha256(connection, batch)}
    elif action in ("lock", "mark-paid"):
        check_sealed(connection, batch, action)
    values = {"status": target}
    if stamp:
        values |= {f"{stamp}_by": actor, f"{stamp}_at": now}
    changed = connection.execute(update(batches).where(and_(batches.c.id == batch_id, batches.c.status == batch.status))
                                 .values(**values)).rowcount
    if changed != 1:
        raise StoreError(f"batch {batch_id} changed while you were working on it; look at it again")
    log(connection, action, actor, now, batch_id=batch_id, note=note,
        detail={"from": batch.status, "to": target, **(detail or {})})
    return target


def _refuse_if_exported(connection: Connection, batch, action: str) -> None:
    """A batch whose payroll file went out may be paid by payroll: it is never closed unpaid (and its
    period paid again by another batch); it is paid, and corrected by an adjustment batch."""
    sent = batch_exports(connection, batch.id)
    if sent:
        first = sent[0]
        raise StoreError(f"{action} refused: batch {batch.id}'s payroll file was exported ({first['file']}, "
                         f"{first['at']} by {first['by']}), so payroll may pay it; lock it and mark it paid, then "
                         f"correct what is wrong with an adjustment batch (commission batch create for "
                         f"{batch.period}: it pays only the differences)")


def record_export(connection: Connection, batch_id: int, actor: str, now: datetime, detail: dict,
                  note: str = "") -> None:
    log(connection, "exported", actor, now, batch_id=batch_id, detail=detail, note=note)


def batch_exports(connection: Connection, batch_id: int) -> list[dict]:
    """The batch's exports so far, oldest first: {number (1, 2...), at, by, file}."""
    rows = connection.execute(select(events.c.at, events.c.actor, events.c.detail).where(
        and_(events.c.batch_id == batch_id, events.c.action == "exported")).order_by(events.c.id)).all()
    return [{"number": n, "at": format_time(at), "by": actor, "file": json.loads(detail or "{}").get("file", "")}
            for n, (at, actor, detail) in enumerate(rows, 1)]


def get_batch(connection: Connection, batch_id: int):
    batch = connection.execute(select(batches).where(batches.c.id == batch_id)).first()
    if batch is None:
        raise NotFound(f"there is no batch {batch_id}")
    return batch


def list_batches(connection: Connection) -> pd.DataFrame:
    """Every batch with what it pays (in minor units, beside its minor_units: each interface writes
    money its own way): a payout batch the period's pay, an adjustment batch only the differences from
    what was paid before it."""
    pays = select(payouts.c.batch_id, func.sum(payouts.c.amount).label("pays")).group_by(
        payouts.c.batch_id).subquery()
    rows = connection.execute(select(batches.c.id, batches.c.period, batches.c.kind, batches.c.status,
                                     func.coalesce(pays.c.pays, 0), batches.c.minor_units, batches.c.created_by,
                                     batches.c.created_at)
                              .outerjoin(pays, pays.c.batch_id == batches.c.id).order_by(batches.c.id)).all()
    frame = pd.DataFrame(rows, columns=["id", "period", "kind", "status", "pays", "minor_units", "created_by",
                                        "created_at"])
    frame["pays"] = frame["pays"].astype("int64")
    frame["created_at"] = [format_time(t) for t in frame["created_at"]]
    return frame


def batch_payouts(connection: Connection, batch_id: int) -> pd.DataFrame:
    rows = connection.execute(select(payouts).where(payouts.c.batch_id == batch_id)
                              .order_by(payouts.c.collector_id, payouts.c.pay_code)).all()
    return pd.DataFrame(rows, columns=[c.name for c in payouts.columns])


def export_rows(connection: Connection, batch_id: int) -> pd.DataFrame:
    """The payroll file of an approved, locked or paid batch: one row per collector and pay code."""
    batch = get_batch(connection, batch_id)
    if batch.status not in EXPORTABLE:
        raise StoreError(f"batch {batch_id} is {batch.status}; only an approved, locked or paid batch is exported")
    check_sealed(connection, batch, "export")
    frame = batch_payouts(connection, batch_id)
    frame = frame.loc[frame["amount"] != 0]
    return pd.DataFrame({"employee_id": frame["employee_id"], "collector_id": frame["collector_id"],
                         "pay_code": frame["pay_code"], "amount": frame["amount"].astype(np.int64),
                         "period": batch.period, "batch_id": batch_id}).reset_index(drop=True)


def diff_batches(connection: Connection, first: int, second: int) -> pd.DataFrame:
    """Per collector and pay code: what the period comes to with each batch (an adjustment batch
    counts with the batches it corrects), and second minus first (rows that differ)."""
    return _compare(_period_with(connection, first), _period_with(connection, second),
                    f"batch {first}", f"batch {second}")


def diff_paid(connection: Connection, batch_id: int) -> pd.DataFrame:
    """What the period comes to with this batch against everything settled (locked or paid) for it;
    nothing differs once the batch itself is settled (unless a later adjustment changed it)."""
    batch = get_batch(connection, batch_id)
    return _compare(_paid(connection, paid_for(connection, batch.period)), _period_with(connection, batch_id),
                    "paid", f"with batch {batch_id}")


def _period_with(connection: Connection, batch_id: int) -> pd.DataFrame:
    """Amounts per collector and pay code for the batch's period once this batch is paid: its own rows,
    plus, for an adjustment batch, the rows of the batches it corrects."""
    batch = get_batch(connection, batch_id)
    corrected = [int(b) for b in (batch.corrects or "").split()] if batch.kind == "adjustment" else []
    return _paid(connection, [batch_id, *corrected])


def correction_amounts(connection: Connection, batch_id: int) -> dict[str, tuple[int, int]]:
    """For an adjustment batch, {collector: (paid before it for the period, what it pays)};
    empty for a payout batch."""
    batch = get_batch(connection, batch_id)
    if batch.kind != "adjustment":
        return {}
    corrected = [int(b) for b in (batch.corrects or "").split()]
    before = _paid(connection, corrected).groupby("collector_id")["amount"].sum()
    now = _paid(connection, [batch_id]).groupby("collector_id")["amount"].sum()
    return {c: (int(before.get(c, 0)), int(now.get(c, 0))) for c in before.index.union(now.index)}


def _paid(connection: Connection, batch_ids: list[int]) -> pd.DataFrame:
    """collector_id, pay_code and the sum of their amounts in `batch_ids`, as int64 (PostgreSQL sums a
    bigint column as numeric, which arrives as Decimal: each is taken as the exact integer it is)."""
    rows = connection.execute(
        select(payouts.c.collector_id, payouts.c.pay_code, func.sum(payouts.c.amount).label("amount"))
        .where(payouts.c.batch_id.in_(batch_ids)).group_by(payouts.c.collector_id, payouts.c.pay_code)).all()
    return pd.DataFrame({"collector_id": [r[0] for r in rows], "pay_code": [r[1] for r in rows],
                         "amount": np.array([int(r[2]) for r in rows], dtype=np.int64)})


def _compare(a: pd.DataFrame, b: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Both sides' amounts per collector and pay code (0 where a side has none, filled by reindexing, never
    through a float), and second minus first, for the keys that differ."""
    keys = ["collector_id", "pay_code"]
    left, right = a.set_index(keys)["amount"], b.set_index(keys)["amount"]
    index = left.index.union(right.index)
    merged = pd.DataFrame({f"amount {first}": left.reindex(index, fill_value=0).to_numpy(dtype=np.int64),
                           f"amount {second}": right.reindex(index, fill_value=0).to_numpy(dtype=np.int64)},
                          index=index).reset_index()
    merged["difference"] = merged[f"amount {second}"] - merged[f"amount {first}"]
    return merged.loc[merged["difference"] != 0].sort_values(keys).reset_index(drop=True)


def paid_for(connection: Connection, period: str) -> list[int]:
    """Settled (locked or paid) batches of a period: what has been paid for it so far."""
    return [b.id for b in connection.execute(select(batches.c.id).where(
        and_(batches.c.period == period, batches.c.status.in_(SETTLED)))).all()]


def history(connection: Connection, collector: str) -> pd.DataFrame:
    """A collector's amounts in every batch that was not discarded, by period and pay code."""
    rows = connection.execute(
        select(batches.c.period, batches.c.id, batches.c.kind, batches.c.status, payouts.c.pay_code,
               payouts.c.amount)
        .join(payouts, payouts.c.batch_id == batches.c.id)
        .where(and_(payouts.c.collector_id == collector, batches.c.status.not_in(CLOSED)))
        .order_by(batches.c.period, batches.c.id, payouts.c.pay_code)).all()
    return pd.DataFrame(rows, columns=["period", "batch_id", "kind", "status", "pay_code", "amount"])


def pay_history(connection: Connection, period: str, count: int = 12) -> dict:
    """{collector: [(period, {pay code: amount})]}, oldest first: what approved, locked or paid batches
    (corrections included) paid for the last `count` periods of `period`'s kind up to it, for the
    statement's pay-over-time chart. A draft or discarded batch counts nothing."""
    end = Period.parse(period)
    rows = pd.DataFrame(connection.execute(
        select(batches.c.period, payouts.c.collector_id, payouts.c.pay_code, payouts.c.amount)
        .join(payouts, payouts.c.batch_id == batches.c.id).where(batches.c.status.in_(EXPORTABLE))).all(),
        columns=["period", "collector_id", "pay_code", "amount"])
    parsed = {text: Period.parse(text) for text in rows["period"].unique()}
    shown = sorted((p for p in parsed.values() if p.kind == end.kind and p.end <= end.end), key=lambda p: p.end)
    shown = {str(p) for p in shown[-count:]}
    rows = rows.loc[rows["period"].isin(shown)]
    sums = rows.groupby(["collector_id", "period", "pay_code"], sort=True)["amount"].sum()
    out: dict = {}
    for (collector, paid_for, code), amount in sums.items():  # a few periods and codes per collector
        periods = out.setdefault(collector, {})
        periods.setdefault(paid_for, {})[code] = int(amount)
    return {collector: sorted(periods.items(), key=lambda item: parsed[item[0]].end)
            for collector, periods in out.items()}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Frame rows as plain Python values for an executemany insert (per stored row, not per ledger row)."""
    return [{k: (int(v) if isinstance(v, np.integer) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def year_to_date(connection: Connection, period: str, only: Optional[str] = None) -> dict:
    """{collector: {pay code: amount}} for `period`'s year up to its end: the opening amounts loaded for
    the year (pay before the store existed) plus every approved, locked or paid batch (a draft or a
    discarded one counts nothing); everyone's, or `only` one collector's."""
    end = Period.parse(period)
    totals: dict = {}

    def add(collector: str, code: str, amount: int) -> None:
        mine = totals.setdefault(collector, {})
        mine[code] = mine.get(code, 0) + int(amount)

    for collector, code, amount in connection.execute(
            select(opening_ytd.c.collector_id, opening_ytd.c.pay_code, opening_ytd.c.amount)
            .where(opening_ytd.c.year == end.year)
            .where(opening_ytd.c.collector_id == only if only is not None else true())).all():
        add(collector, code, amount)
    rows = connection.execute(
        select(batches.c.period, payouts.c.collector_id, payouts.c.pay_code, payouts.c.amount)
        .join(payouts, payouts.c.batch_id == batches.c.id).where(batches.c.status.in_(EXPORTABLE))
        .where(payouts.c.collector_id == only if only is not None else true())).all()
    for batch_period, collector, code, amount in rows:
        other = Period.parse(batch_period)
        if other.year == end.year and other.end <= end.end:
            add(collector, code, amount)
    return totals


def load_opening_ytd(connection: Connection, year: int, rows: pd.DataFrame, actor: str, now: datetime,
                     note: str = "") -> None:
    """Opening year-to-date amounts (collector_id, pay_code, amount) for a year, loaded once: the pay of
    the months before the store existed, so statements' year to date is right from the first month."""
    if connection.execute(select(opening_ytd.c.year).where(opening_ytd.c.year == year)).first() is not None:
        raise StoreError(f"opening year-to-date amounts for {year} are already loaded; they are loaded once")
    records = [{"year": year, "collector_id": c, "pay_code": p, "amount": int(a), "loaded_by": actor,
                "loaded_at": now} for c, p, a in zip(rows["collector_id"], rows["pay_code"], rows["amount"])]
    if records:
        connection.execute(insert(opening_ytd), records)
    log(connection, "opening-ytd", actor, now, subject=f"ytd:{year}", note=note,
        detail={"year": year, "rows": len(records)})
