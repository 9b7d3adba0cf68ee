"""What a manager sees: their team's pay, recovery and attainment (recovered / target, as the plan
measured it) in a batch, and the plans the store last paid by, in words and with their health checks.
A manager sees only their own team (roster team as each batch stored it), and only batches approved
or later."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd
from sqlalchemy import select

from ..errors import named_as
from ..money import MAX_TOTAL, parse_money
from ..outputs.run_report import KPIS_CSV, PAYOUTS_CSV
from ..statements.plan_words import describe_plan
from ..store import (EXPORTABLE, INPUT, REPORT, NotFound, batch_payouts, file_list, get_batch, open_store,
                     restore_files)
from ..store.archive import read_blob
from ..store.schema import batches
from .access import active_user, check
from .inputs import InputPaths, known_as
from .simulation import SimulationRequest, lint_plans, load_plans


@dataclass(frozen=True)
class TeamPay:
    team: str
    batch: object  # the batch's record
    collectors: pd.DataFrame  # collector_id, name, one column per pay code, total, recovered, attainment
    codes: list[str]  # the pay codes, in the order of their columns
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
        reports = file_list(connection, batch_id, REPORT)
        payouts_csv = read_blob(connection, reports[PAYOUTS_CSV], "payouts.csv") if PAYOUTS_CSV in reports else b""
        kpis_csv = read_blob(connection, reports[KPIS_CSV], "kpis.csv") if KPIS_CSV in reports else b""
    mine = rows.loc[rows["team"] == user.team]
    wide = mine.pivot_table(index=["collector_id", "name"], columns="pay_code", values="amount", aggfunc="sum",
                            fill_value=0).reset_index() if len(mine) else pd.DataFrame(columns=["collector_id", "name"])
    wide.columns.name = None
    codes = [c for c in wide.columns if c not in ("collector_id", "name")]
    wide["total"] = wide[codes].sum(axis=1).astype("int64") if codes else 0
    wide = wide.merge(_recovered(payouts_csv, record.minor_units), on="collector_id", how="left")
    wide = wide.merge(_attainment(kpis_csv), on="collector_id", how="left").fillna({"attainment": ""})
    return TeamPay(user.team, record, wide, codes, visible)


def _recovered(payouts_csv: bytes, minor: int) -> pd.DataFrame:
    """collector_id, recovered (minor units) from the batch's payouts report; the report writes amounts as
    decimal text, read as text and turned into integers exactly."""
    if not payouts_csv:
        return pd.DataFrame({"collector_id": pd.Series([], dtype=str), "recovered": pd.Series([], dtype="int64")})
    frame = pd.read_csv(io.BytesIO(payouts_csv), dtype=str, keep_default_na=False)
    return pd.DataFrame({"collector_id": frame["collector_id"],
                         "recovered": [parse_money(text, minor, MAX_TOTAL) for text in frame["recovered"]]})


def _attainment(kpis_csv: bytes) -> pd.DataFrame:
    """collector_id, attainment as (numerator, denominator, window): exact integers; of a collector measured in
    several windows, the last named (a quarter after its months)."""
    empty = pd.DataFrame({"collector_id": pd.Series([], dtype=str), "attainment": pd.Series([], dtype=object)})
    if not kpis_csv:
        return empty
    frame = pd.read_csv(io.BytesIO(kpis_csv), dtype={"collector_id": str, "kpi": str, "window": str},
                        keep_default_na=False)
    frame = frame.loc[(frame["kpi"] == "attainment") & (frame["denominator"].astype("int64") > 0)]
    if not len(frame):
        return empty
    frame = frame.sort_values(["collector_id", "window"]).drop_duplicates("collector_id", keep="last")
    return pd.DataFrame({"collector_id": frame["collector_id"],
                         "attainment": list(zip(frame["numerator"].astype("int64"),
                                                frame["denominator"].astype("int64"), frame["window"]))})


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
            restored = known_as(Path(scratch))
    words = [PlanWords(p.plan, p.version, describe_plan(p, lang),
                       [named_as(str(w), restored) for w in report.active if w.plan == p.plan]) for p in policies]
    return latest[0], words
