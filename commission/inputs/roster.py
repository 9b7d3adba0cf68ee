"""The roster: who the collectors are (name, team, employee id for payroll), who leads them,
when they were employed and which plan pays them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..identifiers import look_alike_message, look_alikes
from . import columns
from .ledger import InputFile, Ledger
from .tables import read_table

#: Required; optional are manager_id (the team lead's collector_id), start_date / end_date
#: (employment, both days included; blank = open) and plan (the plan id that pays the collector).
ROSTER_COLUMNS = ("collector_id", "name", "team", "employee_id")
OPTIONAL_ROSTER_COLUMNS = ("manager_id", "start_date", "end_date", "plan")


@dataclass(frozen=True)
class Roster:
    """One row per collector, indexed by collector_id: name, team, employee_id, manager_id, plan (str,
    '' when not given) and start_date, end_date (datetime64, NaT when open)."""

    frame: pd.DataFrame
    file: InputFile


def load_roster(path: str | Path) -> Roster:
    """Read and validate the roster; every problem is reported with its row."""
    raw = read_table(path, wanted=(*ROSTER_COLUMNS, *OPTIONAL_ROSTER_COLUMNS))  # an HR export's other columns unread
    problems = ProblemCollector()
    raw.require(ROSTER_COLUMNS, problems, "roster ")
    problems.raise_if_any()
    frame = pd.DataFrame({"collector_id": columns.identifier(raw, "collector_id", problems).to_pandas(),
                          "name": columns.text(raw, "name", problems, required=False).to_pandas(),
                          "team": columns.text(raw, "team", problems, required=False).to_pandas(),
                          "employee_id": columns.identifier(raw, "employee_id", problems).to_pandas()})
    for name in ("manager_id", "plan"):
        frame[name] = columns.identifier(raw, name, problems, required=False).to_pandas() \
            if name in raw.header else ""
    for name in ("start_date", "end_date"):
        frame[name] = (columns.day(raw, name, problems, required=False) if name in raw.header
                       else np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]"))
    backwards = (frame["end_date"] < frame["start_date"]).to_numpy()
    for index in np.flatnonzero(backwards)[: problems.limit]:
        problems.add(raw.where(int(index)), "end_date", "is before start_date")
    unknown_lead = ~frame["manager_id"].isin(set(frame["collector_id"]) | {""}).to_numpy()
    for index in np.flatnonzero(unknown_lead)[: problems.limit]:
        problems.add(raw.where(int(index)), "manager_id",
                     f"{frame['manager_id'].iat[index]!r} is not a collector on the roster")
    duplicated = frame["collector_id"].duplicated().to_numpy() & (frame["collector_id"] != "").to_numpy()
    for index in np.flatnonzero(duplicated)[: problems.limit]:
        problems.add(raw.where(int(index)), "collector_id", f"duplicate collector {frame['collector_id'].iat[index]!r}")
    for name in ("collector_id", "employee_id"):
        rows = {}  # each id's first row
        for index, text in enumerate(frame[name]):
            rows.setdefault(text, index)
        for text, first in look_alikes(rows).items():
            problems.add(raw.where(rows[text]), name,
                         look_alike_message(text, first, f"row {rows[first] + raw.first_row}"))
    problems.raise_if_any()
    return Roster(frame=frame.set_index("collector_id", drop=False).sort_index(),
                  file=InputFile("roster", raw.source, raw.sha256, raw.table.num_rows))


def check_roster_covers(ledger: Ledger, roster: Roster) -> None:
    """Every collector credited in the ledger must be on the roster; report the first row of each stranger."""
    problems = ProblemCollector()
    frame = ledger.frame
    unknown = ~frame["collector_id"].isin(roster.frame.index).to_numpy()
    if unknown.any():
        strangers = frame.loc[unknown, ["collector_id", "source", "row"]].drop_duplicates("collector_id")
        strangers = strangers.sort_values(["source", "row"])
        for collector, source, row in zip(strangers["collector_id"], strangers["source"], strangers["row"]):
            problems.add(f"{source}:row {row}", "collector_id",
                         f"collector {collector!r} is not on the roster {roster.file.path}")
    problems.raise_if_any()
