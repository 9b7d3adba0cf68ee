"""Write generated sample data as the files a real department would hand us (CSV, money as decimal text),
and read a data set back to continue it."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..errors import InputError, Problem, ProblemCollector
from ..inputs import check_roster_covers, combined, load_events, load_ledger, load_period_values, load_roster, read_table
from ..inputs import columns
from ..outputs.atomic import atomic_directory
from ..outputs.owners import only_files
from ..outputs.tables import restored, write_csv
from .generator import SampleData, months_held

LEDGER_MONEY = ("amount", "balance")
TARGET_MONEY = ("target",)
ASSIGNMENT_MONEY = ("assigned_balance",)
SAMPLE_FILES = ("ledger.csv", "roster.csv", "targets.csv", "assignments.csv", "events.csv")
#: What a continuation writes: the months it adds; the roster stays the data set's.
MONTH_FILES = ("ledger.csv", "targets.csv", "assignments.csv", "events.csv")
#: The columns sample-data writes in each file, and the money among them.
COLUMNS = {
    "ledger.csv": (("payment_id", "collector_id", "account_id", "payment_date", "amount", "days_past_due", "balance",
                    "product", "reverses", "credit_share"), LEDGER_MONEY),
    "roster.csv": (("collector_id", "name", "team", "employee_id", "manager_id", "start_date", "end_date", "plan"),
                   ()),
    "targets.csv": (("collector_id", "period", "target"), TARGET_MONEY),
    "assignments.csv": (("collector_id", "period", "assigned_balance"), ASSIGNMENT_MONEY),
    "events.csv": (("event_id", "collector_id", "date", "type", "severity", "score"), ()),
}
MINOR_UNITS = 2
#: Date columns, and whether a date is required.
_DATES = {"payment_date": True, "date": True, "start_date": False, "end_date": False}
_ROLE = "continue"
_WHAT = ("sample-data writes ledger.csv, roster.csv, targets.csv, assignments.csv and events.csv, and a "
         "continued month all of them but roster.csv")


def write_sample(data: SampleData, out_dir: str | Path, minor_units: int = MINOR_UNITS, roster: bool = True) -> Path:
    """Write every frame of `data` into `out_dir`: all files or none (an earlier sample is replaced).
    Without `roster`, the months of a continued data set: ledger, targets, assignments and events."""
    with atomic_directory(out_dir, only_files(SAMPLE_FILES)) as staging:
        write_csv(data.ledger, staging / "ledger.csv", LEDGER_MONEY, minor_units)
        if roster:
            write_csv(data.roster, staging / "roster.csv", (), minor_units)
        write_csv(data.targets, staging / "targets.csv", TARGET_MONEY, minor_units)
        write_csv(data.assignments, staging / "assignments.csv", ASSIGNMENT_MONEY, minor_units)
        write_csv(data.events, staging / "events.csv", (), minor_units)
    return Path(out_dir)


def read_sample(folders: Sequence[str | Path]) -> SampleData:
    """A sample data set read back to be continued: the first folder as `sample-data` wrote it (roster
    and all), then, in order, any folders of months continued from it. Checked as a run checks its
    inputs (the ledgers together: no payment twice, every reversal naming a payment, every collector on
    the roster), and as a data set the generator can number on: ids P000000001 and E000001, monthly
    targets and assigned balances, no two folders holding the same month. Raises InputError naming
    the folder or file and row."""
    folders = [Path(folder) for folder in folders]
    if not folders:
        raise ValueError("no folder to continue")
    _check_files(folders)
    problems = ProblemCollector()
    parts = {name: [_frame(folder / name, problems) for folder in folders] for name in MONTH_FILES}
    roster_path = folders[0] / "roster.csv"
    roster = _frame(roster_path, problems)
    problems.raise_if_any()
    _check_numbering(parts["ledger.csv"], "payment_id", "P000000001", problems)
    _check_numbering(parts["events.csv"], "event_id", "E000001", problems)
    for frame in (*parts["targets.csv"], *parts["assignments.csv"]):
        _check_months(frame, problems)
    problems.raise_if_any()
    _check_order(folders, parts)

    ledger = load_ledger([folder / "ledger.csv" for folder in folders], MINOR_UNITS, ("product",))
    check_roster_covers(ledger, load_roster(roster_path))
    targets = [load_period_values(f / "targets.csv", "targets", "target", MINOR_UNITS) for f in folders]
    assignments = [load_period_values(f / "assignments.csv", "assignments", "assigned_balance", MINOR_UNITS)
                   for f in folders]
    events = [load_events(f / "events.csv") for f in folders]
    for tables, key in ((targets, ("collector_id", "period")), (assignments, ("collector_id", "period")),
                        (events, ("event_id",))):
        combined(tables, key, problems)  # a month in two folders: the folders of a data set hold different months
    problems.raise_if_any()
    frames = {name: _concat(frames) for name, frames in parts.items()}
    return SampleData(ledger=frames["ledger.csv"], roster=roster, targets=frames["targets.csv"],
                      assignments=frames["assignments.csv"], events=frames["events.csv"])


def _check_files(folders: list[Path]) -> None:
    """Each folder holds the files of a sample data set (the first one its roster); a later folder's
    roster, if any, is the first one's."""
    problems = []
    for position, folder in enumerate(folders):
        if not folder.is_dir():
            problems.append(Problem(str(folder), "", "is not a folder", role=_ROLE))
            continue
        wanted = SAMPLE_FILES if position == 0 else MONTH_FILES
        absent = [name for name in wanted if not (folder / name).is_file()]
        if absent:
            problems.append(Problem(str(folder), "", f"is not a sample data set: it has no {', '.join(absent)} "
                                    f"({_WHAT})", role=_ROLE))
        elif position and (folder / "roster.csv").is_file() and (folders[0] / "roster.csv").is_file() and \
                (folder / "roster.csv").read_bytes() != (folders[0] / "roster.csv").read_bytes():
            problems.append(Problem(str(folder / "roster.csv"), "", f"differs from {folders[0] / 'roster.csv'}: the "
                                    "months of a data set share its roster", role=_ROLE))
    seen: dict[Path, Path] = {}
    for folder in folders:
        if folder.resolve() in seen:
            problems.append(Problem(str(folder), "", f"is given twice (as {seen[folder.resolve()]})", role=_ROLE))
        seen.setdefault(folder.resolve(), folder)
    if problems:
        raise InputError(problems)


def _frame(path: Path, problems: ProblemCollector) -> pd.DataFrame:
    """One file as the generator's frames hold it: text columns (blank as '', dates as ISO text), money as
    int64 minor units, days past due as int64; only the columns sample-data writes, which must all be there."""
    names, money = COLUMNS[path.name]
    raw = read_table(path, wanted=names)
    absent = [name for name in names if name not in raw.header]
    if absent:
        problems.add(raw.header_where(), absent[0], f"is not a sample data set's {path.name}: it has no column "
                     f"{', '.join(absent)} ({_WHAT})")
        return pd.DataFrame()
    text = pd.Series(["x"]).dtype
    frame = {}
    for name in names:
        if name in money:
            frame[name] = pd.Series(columns.money(raw, name, MINOR_UNITS, problems), dtype=np.int64)
        elif name == "days_past_due":
            frame[name] = pd.Series(columns.whole_number(raw, name, problems), dtype=np.int64)
        else:
            if name in _DATES:  # checked here: the months a folder holds are read from its dates
                columns.day(raw, name, problems, required=_DATES[name])
            column = restored(pc.fill_null(pc.cast(raw.table.column(name), "string"), ""))
            frame[name] = pd.Series(column.to_pandas(), dtype=text)
    frame = pd.DataFrame(frame)
    frame.attrs["source"] = raw.source
    return frame


def _check_numbering(frames: list[pd.DataFrame], name: str, example: str, problems: ProblemCollector) -> None:
    """Ids a continuation can number on from: a letter and digits, as sample-data writes them."""
    prefix = example[0]
    for frame in frames:
        bad = ~frame[name].str.fullmatch(prefix + r"\d{1,18}").to_numpy(dtype=bool)
        for index in np.flatnonzero(bad)[:1]:
            problems.add(f"{frame.attrs['source']}:row {index + 2}", name,
                         f"{frame[name].iat[index]!r} is not numbered like {example}: a sample data set's ids are, "
                         "so that a continuation can number on from the highest")


def _check_months(frame: pd.DataFrame, problems: ProblemCollector) -> None:
    bad = ~frame["period"].str.fullmatch(r"\d{4}-\d{2}").to_numpy(dtype=bool)
    for index in np.flatnonzero(bad)[:1]:
        problems.add(f"{frame.attrs['source']}:row {index + 2}", "period",
                     f"{frame['period'].iat[index]!r} is not a month: a sample data set gives targets and "
                     "assigned balances by month")


def _check_order(folders: list[Path], parts: dict[str, list[pd.DataFrame]]) -> None:
    """Each folder's months come after those of the folder before it."""
    previous = None
    for position, folder in enumerate(folders):
        part = SampleData(ledger=parts["ledger.csv"][position], roster=pd.DataFrame(),
                          targets=parts["targets.csv"][position], assignments=parts["assignments.csv"][position],
                          events=parts["events.csv"][position])
        try:
            held = months_held(part)
        except ValueError:
            raise InputError([Problem(str(folder), "", "holds no payment, event, target or assigned balance: "
                                      "there is no month to continue from", role=_ROLE)]) from None
        if previous is not None and held[0] <= previous[1][1]:
            raise InputError([Problem(str(folder), "", f"holds {_span(held)}, which is not after {previous[0]} "
                                      f"({_span(previous[1])}): give the data set's folders in the order of their "
                                      "months, the one with the roster first", role=_ROLE)])
        if previous is not None and held[0] != str(np.datetime64(previous[1][1], "M") + 1):
            missing = str(np.datetime64(previous[1][1], "M") + 1)
            raise InputError([Problem(str(folder), "", f"starts with {held[0]}, but {previous[0]} ends with "
                                      f"{previous[1][1]}: the folder of {missing} is missing (give every folder of "
                                      "the data set, in the order of their months)", role=_ROLE)])
        previous = (folder, held)


def _span(held: tuple[str, str]) -> str:
    return held[0] if held[0] == held[1] else f"{held[0]} to {held[1]}"


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
