"""Side inputs of a run: targets and assigned balances per collector and period, compliance and QA
events, and the balances carried from the previous run (state)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector
from ..money import MoneyError, parse_money
from ..periods import Period, PeriodError
from ..policy.model import CLEARANCE, EVENT_TYPES, SEVERITIES
from . import columns
from .ledger import InputFile
from .tables import RawTable, read_table

EVENT_COLUMNS = ("event_id", "collector_id", "date", "type")


@dataclass(frozen=True)
class SideTable:
    frame: pd.DataFrame
    file: InputFile


def load_period_values(path: str | Path, role: str, value_column: str, minor_units: int) -> SideTable:
    """collector_id, period (2026-10, 2026-Q4 or 2026), and one money column; one row per collector and period."""
    raw = read_table(path)
    problems = ProblemCollector()
    _require(raw, ("collector_id", "period", value_column), problems)
    collector = columns.identifier(raw, "collector_id", problems)
    period_text = columns.text(raw, "period", problems)
    values = columns.money(raw, value_column, minor_units, problems, allow_negative=False)
    periods = []
    for index, text in enumerate(period_text.to_pylist()):
        try:
            periods.append(str(Period.parse(text)) if text else "")
        except PeriodError as exc:
            problems.add(raw.where(index), "period", str(exc))
            periods.append("")
    frame = pd.DataFrame({"collector_id": collector.to_pandas(), "period": periods, value_column: values})
    repeated = frame.duplicated(["collector_id", "period"]).to_numpy()
    for index in np.flatnonzero(repeated)[: problems.limit]:
        problems.add(raw.where(int(index)), "period", f"{frame['collector_id'].iat[index]!r} has two rows for "
                     f"{frame['period'].iat[index]}")
    problems.raise_if_any()
    return SideTable(frame, InputFile(role, raw.source, raw.sha256, raw.table.num_rows))


def load_events(path: str | Path) -> SideTable:
    """Compliance and QA events: event_id, collector_id, date, type, and optional severity and score."""
    raw = read_table(path)
    problems = ProblemCollector()
    _require(raw, EVENT_COLUMNS, problems)
    frame = pd.DataFrame({
        "event_id": columns.identifier(raw, "event_id", problems).to_pandas(),
        "collector_id": columns.identifier(raw, "collector_id", problems).to_pandas(),
        "date": columns.day(raw, "date", problems),
        "type": columns.text(raw, "type", problems).to_pandas(),
        "severity": columns.text(raw, "severity", problems, required=False).to_pandas()
        if "severity" in raw.header else "",
    })
    frame["score"] = columns.score(raw, "score", problems) if "score" in raw.header else -1
    frame["source"] = raw.source
    frame["row"] = np.arange(raw.first_row, raw.first_row + len(frame), dtype=np.int64)
    unknown = ~frame["type"].isin(EVENT_TYPES).to_numpy() & (frame["type"] != "").to_numpy()
    for index in np.flatnonzero(unknown)[: problems.limit]:
        problems.add(raw.where(int(index)), "type", f"{frame['type'].iat[index]!r} is not an event type "
                     f"({', '.join(EVENT_TYPES)})")
    bad_severity = ~frame["severity"].isin((*SEVERITIES, "")).to_numpy()
    for index in np.flatnonzero(bad_severity)[: problems.limit]:
        problems.add(raw.where(int(index)), "severity", f"{frame['severity'].iat[index]!r} is not a severity "
                     f"({', '.join(SEVERITIES)}, or blank)")
    clearance = (frame["type"] == CLEARANCE).to_numpy()
    graded = clearance & ((frame["severity"] != "").to_numpy() | (frame["score"] >= 0).to_numpy())
    for index in np.flatnonzero(graded)[: problems.limit]:
        problems.add(raw.where(int(index)), "severity" if frame["severity"].iat[index] else "score",
                     "a clearance (hand-over signed off) has no severity or score")
    scoreless = ((frame["type"] == "qa") & (frame["score"] < 0)).to_numpy()
    for index in np.flatnonzero(scoreless)[: problems.limit]:
        problems.add(raw.where(int(index)), "score", "a qa event needs a score")
    repeated = frame["event_id"].duplicated().to_numpy()
    for index in np.flatnonzero(repeated)[: problems.limit]:
        problems.add(raw.where(int(index)), "event_id", f"duplicate event {frame['event_id'].iat[index]!r}")
    problems.raise_if_any()
    return SideTable(frame, InputFile("events", raw.source, raw.sha256, raw.table.num_rows))


def load_state(path: str | Path, minor_units: int, currency: str = "") -> tuple[Period, pd.DataFrame, InputFile]:
    """Balances carried from the previous run: (its period, collector_id / balance / amount, file)."""
    path = Path(path)
    try:
        data = path.read_bytes()
        document = json.loads(data)
        period = Period.parse(document["period"])
        rows = document["balances"]
        frame = pd.DataFrame({"collector_id": [str(r["collector_id"]) for r in rows],
                              "balance": [str(r["balance"]) for r in rows],
                              "amount": np.array([parse_money(str(r["amount"]), minor_units) for r in rows],
                                                 dtype=np.int64)})
        if currency and document.get("currency", currency) != currency:
            raise InputError([Problem(str(path), "currency", f"the state is in {document.get('currency')}; the plans "
                                      f"pay in {currency}")])
    except OSError as exc:
        raise InputError([Problem(str(path), "--state", f"cannot read: {exc.strerror}")]) from None
    except (ValueError, KeyError, TypeError, PeriodError, MoneyError) as exc:
        raise InputError([Problem(str(path), "--state", f"not a state file written by commission run: {exc}")]) \
            from None
    return period, frame, InputFile("state", str(path), hashlib.sha256(data).hexdigest(), len(frame))


def _require(raw: RawTable, names, problems: ProblemCollector) -> None:
    for name in names:
        if name not in raw.header:
            problems.add(raw.header_where(), name, f"is a required column, missing from the header "
                         f"(found: {', '.join(raw.header)})")
    problems.raise_if_any()
