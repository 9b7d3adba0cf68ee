"""What a manager sees: their team's pay, recovery and attainment in a batch, and the plans the store
last paid by, in words and with their health checks. A manager sees only their own team (roster team
as each batch stored it), and only batches approved or later."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd
from sqlalchemy import select

from ..statements.plan_words import describe_plan
from ..store import EXPORTABLE, INPUT, NotFound, batch_payouts, get_batch, open_store, restore_files
from ..store.schema import batches
from .access import active_user, check
from .inputs import InputPaths
from .simulation import SimulationRequest, lint_plans, load_plans


@dataclass(frozen=True)
class TeamPay:
    team: str
    batch: object  # the batch's record
    collectors: pd.DataFrame  # collector_id, name, one column per pay code, total
    others: list[int]  # the batches (approved or later) the manager may pick instead


def team_pay(store_url: str, actor: str, batch_id: Optional[int] = None) -> TeamPay:
    """The manager's team in `batch_id` (default: the latest batch approved or later)."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "plans")
        user = active_user(connection, actor)
        visible = [row[0] for row in connection.execute(
            select(batches.c.id).where(batches.c.status.in_(EXPORTABLE)).order_by(batches.c.id.desc())).all()]
        if batch_id is None and visible:
            batch_id = visible[0]
        if batch_id not in visible:
            raise NotFound(f"there is no batch {batch_id} you may see")
        record = get_batch(connection, batch_id)
        rows = batch_payouts(connection, batch_id)
    mine = rows.loc[rows["team"] == user.team]
    wide = mine.pivot_table(index=["collector_id", "name"], columns="pay_code", values="amount", aggfunc="sum",
                            fill_value=0).reset_index() if len(mine) else pd.DataFrame(columns=["collector_id", "name"])
    wide.columns.name = None
    codes = [c for c in wide.columns if c not in ("collector_id", "name")]
    wide["total"] = wide[codes].sum(axis=1).astype("int64") if codes else 0
    return TeamPay(user.team, record, wide, visible)


@dataclass(frozen=True)
class PlanWords:
    plan: str
    version: int
    rules: list[tuple[str, str, str]]  # (rule id, what it is, in words)
    warnings: list[str]


def plans_in_words(store_url: str, actor: str, lang: str) -> tuple[int, list[PlanWords]]:
    """The plans of the latest batch approved or later, from the store's copies of its inputs: each in
    words, with its lint warnings. Returns (batch id, plans)."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "plans")
        latest = connection.execute(select(batches.c.id).where(batches.c.status.in_(EXPORTABLE))
                                    .order_by(batches.c.id.desc())).first()
        if latest is None:
            raise NotFound("no batch is approved yet")
        with tempfile.TemporaryDirectory(prefix="commission-plans-") as scratch:
            restore_files(connection, latest[0], INPUT, Path(scratch))
            files = sorted((Path(scratch) / "policy").glob("*"))
            policies = load_plans(files)
            report = lint_plans(SimulationRequest(InputPaths(policies=files, ledgers=())))
    words = [PlanWords(p.plan, p.version, describe_plan(p, lang),
                       [str(w) for w in report.active if w.plan == p.plan]) for p in policies]
    return latest[0], words
