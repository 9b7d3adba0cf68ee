"""The fingerprint of what a batch pays, recorded when it is approved and checked before money moves.

Approving a batch records, in its approval event, the SHA-256 of what it pays: its period, kind,
currency, pay date, totals and the batches it corrects, every payout row and every balance it carries
on. Locking, exporting and marking it paid compute it again and refuse when it differs, so a row
changed in the database after approval (`UPDATE payouts SET amount = ...`) is noticed before payroll
pays it. The fingerprint lives in the event log, which the database keeps append-only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .errors import StoreError
from .schema import balances, events, payouts


def payable_sha256(connection: Connection, batch) -> str:
    """SHA-256 of what `batch` (a batches row) pays, independent of row order and of the database."""
    rows = connection.execute(select(payouts.c.collector_id, payouts.c.pay_code, payouts.c.employee_id,
                                     payouts.c.name, payouts.c.team, payouts.c.plan, payouts.c.plan_version,
                                     payouts.c.amount).where(payouts.c.batch_id == batch.id)).all()
    carried = connection.execute(select(balances.c.collector_id, balances.c.balance, balances.c.amount)
                                 .where(balances.c.batch_id == batch.id)).all()
    facts = {"batch": batch.id, "period": batch.period, "kind": batch.kind, "currency": batch.currency,
             "minor_units": batch.minor_units, "pay_date": str(batch.pay_date or ""),
             "totals": json.loads(batch.totals), "corrects": batch.corrects,
             "payouts": sorted([*row[:-1], int(row[-1])] for row in rows),
             "balances": sorted([*row[:-1], int(row[-1])] for row in carried)}
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_sealed(connection: Connection, batch, action: str) -> None:
    """Refuse `action` (lock, export, mark-paid) when what `batch` pays is no longer what was approved.
    A batch approved before fingerprints were recorded has none to check."""
    approval = _approval(connection, batch.id)
    if approval is None:
        return
    approver, recorded = approval
    now = payable_sha256(connection, batch)
    if now != recorded:
        raise StoreError(f"{action} refused: batch {batch.id} was changed in the database after {approver} "
                         f"approved it (its payout rows, balances or totals have SHA-256 {now[:12]}..., not the "
                         f"{recorded[:12]}... approved); nothing is locked, exported or marked paid until the change "
                         f"is found and undone (compare with its reports: commission batch show {batch.id})")


def _approval(connection: Connection, batch_id: int) -> Optional[tuple[str, str]]:
    """Who approved the batch and the fingerprint they approved, if one was recorded."""
    row = connection.execute(select(events.c.actor, events.c.detail).where(
        events.c.batch_id == batch_id, events.c.action == "approve").order_by(events.c.id.desc())).first()
    recorded = json.loads(row.detail or "{}").get("sha256") if row is not None else None
    return (row.actor, recorded) if recorded else None
