"""The roster: who the collectors are (name, team, employee id for payroll)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from . import columns
from .ledger import InputFile, Ledger
from .tables import read_table

ROSTER_COLUMNS = ("collector_id", "name", "team", "employee_id")


@dataclass(frozen=True)
class Roster:
    """One row per collector, indexed by collector_id; columns name, team, employee_id (str)."""

    frame: pd.DataFrame
    file: InputFile


def load_roster(path: str | Path) -> Roster:
    raw = read_table(path)
    problems = ProblemCollector()
    absent = [c for c in ROSTER_COLUMNS if c not in raw.header]
    for name in absent:
        problems.add(raw.header_where(), name, f"is a required roster column, missing from the header "
                     f"(found: {', '.join(raw.header)})")
    problems.raise_if_any()
    ids = columns.text(raw, "collector_id", problems)
    frame = pd.DataFrame({"collector_id": ids.to_pandas(), "name": columns.optional_text(raw, "name").to_pandas(),
                          "team": columns.optional_text(raw, "team").to_pandas(),
                          "employee_id": columns.text(raw, "employee_id", problems).to_pandas()})
    duplicated = frame["collector_id"].duplicated().to_numpy() & (frame["collector_id"] != "").to_numpy()
    for index in np.flatnonzero(duplicated)[: problems.limit]:
        problems.add(raw.where(int(index)), "collector_id", f"duplicate collector {frame['collector_id'].iat[index]!r}")
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
