"""Side inputs of a run: targets and assigned balances per collector and period, compliance and QA
events, and the balances carried from the previous run (state)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector, shown
from ..identifiers import identifier_problem
from ..money import CURRENCY_MINOR_UNITS, MAX_TOTAL, MoneyError, OutOfBounds, parse_money
from ..periods import Period, PeriodError
from ..policy.model import CLEARANCE, EVENT_TYPES, SEVERITIES
from . import columns
from .ledger import InputFile
from .tables import RawTable, read_table

EVENT_COLUMNS = ("event_id", "collector_id", "date", "type")


@dataclass(frozen=True)
class SideTable:
    """A side input's validated rows, and the file they came from (`files`: all of them, when several
    files of one kind were given)."""

    frame: pd.DataFrame
    file: InputFile
    files: tuple[InputFile, ...] = ()

    def __post_init__(self):
        if not self.files:
            object.__setattr__(self, "files", (self.file,))


def combined(tables: Sequence[SideTable], key: tuple[str, ...], problems: ProblemCollector) -> SideTable:
    """One table from several files of one kind (each month's targets, say): a key (a collector's
    period, an event id) given in two files is a problem naming both, never summed or overwritten."""
    if len(tables) == 1:
        return tables[0]
    frame = pd.concat([t.frame.assign(_file=t.file.path) for t in tables], ignore_index=True)
    twice = frame.duplicated(list(key), keep=False).to_numpy()
    for values, rows in frame.loc[twice].groupby(list(key), sort=True):
        if len(problems.problems) >= problems.limit:
            problems.extend_hidden(1)
            continue
        named = " ".join(map(str, values if isinstance(values, tuple) else (values,)))
        problems.add(rows["_file"].iat[-1], key[-1], f"{named} is also in {rows['_file'].iat[0]}: each is given once")
    return SideTable(frame.drop(columns="_file"), tables[0].file, tuple(t.file for t in tables))


def load_period_values(path: str | Path, role: str, value_column: str, minor_units: int) -> SideTable:
    """collector_id, period (2026-10, 2026-Q4 or 2026), and one money column; one row per collector and period."""
    raw = read_table(path, wanted=("collector_id", "period", value_column))
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
    """Compliance and QA events: event_id, collector_id, date, type, and optional severity, score,
    source (who raised it: regulator, customer, internal_qa, audit...) and description (what happened,
    in words the collector's statement shows)."""
    raw = read_table(path, wanted=(*EVENT_COLUMNS, "severity", "score", "source", "description"))
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
    for name in ("source", "description"):
        frame[name] = columns.text(raw, name, problems, required=False).to_pandas() if name in raw.header else ""
    bad_source = ~frame["source"].str.fullmatch(r"[a-z0-9_]*").to_numpy(dtype=bool)
    for index in np.flatnonzero(bad_source)[: problems.limit]:
        problems.add(raw.where(int(index)), "source", f"{frame['source'].iat[index]!r} is not a source: a word of "
                     "lower-case letters, digits and _ (regulator, customer, internal_qa...)")
    frame["file"] = raw.source
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


#: The key of state.json that holds the digest of its content (see `state_digest`).
STATE_DIGEST = "digest"
#: Balances carried between runs; none is ever negative (each is an amount owed one way).
STATE_COLUMNS = ("collector_id", "balance", "amount")


def state_digest(period: str, currency: str, balances: list[dict]) -> str:
    """SHA-256 of a state's content in one canonical form; the run that writes state.json records it
    in the file (and in its manifest), and the next run checks it, so a hand edit is noticed. It holds
    no secret, so it is no signature: a forger recomputes it (README, Safety); the batch store's own
    balances are what payroll trusts."""
    canonical = json.dumps({"period": period, "currency": currency, "balances": balances}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StateFile:
    """Balances carried from the previous run (`frame`: collector_id, balance, amount) and whether the
    file is as that run wrote it (`intact`; else `changed` says how it differs)."""

    period: Period
    frame: pd.DataFrame
    file: InputFile
    intact: bool
    changed: str = ""


def load_state(path: str | Path, minor_units: int, currency: str = "") -> StateFile:
    """Read and check the state.json a run wrote: its shape, amounts, one row per collector and balance,
    none negative, and whether its content still matches the digest the run recorded."""
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
        document = json.loads(data)
        period = Period.parse(document["period"])
        rows = document["balances"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError("balances must be a list of {collector_id, balance, amount}")
        frame = pd.DataFrame({"collector_id": [str(r["collector_id"]) for r in rows],
                              "balance": [str(r["balance"]) for r in rows],
                              "amount": [str(r["amount"]) for r in rows]})
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot read: {exc.strerror}", role="state")]) from None
    except (ValueError, KeyError, TypeError, PeriodError, RecursionError) as exc:
        raise InputError([Problem(source, "", f"not a state file written by commission run: {exc}", role="state")]) \
            from None
    if currency and document.get("currency", currency) != currency:
        raise InputError([Problem(source, "currency", f"the state is in {document.get('currency')}; the plans "
                                  f"pay in {currency}")])
    problems = ProblemCollector()
    amounts = np.zeros(len(frame), dtype=np.int64)
    for index, (collector, amount) in enumerate(zip(frame["collector_id"], frame["amount"])):  # per balance
        if (problem := identifier_problem(collector)) is not None:
            problems.add(f"{source}:balances[{index}]", "collector_id", problem)
        try:
            amounts[index] = parse_money(amount, minor_units, MAX_TOTAL)
        except MoneyError as exc:
            problems.add(f"{source}:balances[{index}]", "amount", f"{shown(amount)} {exc}"
                         if isinstance(exc, OutOfBounds) else str(exc))
    problems.raise_if_any()
    frame["amount"] = amounts
    for index in np.flatnonzero(frame.duplicated(["collector_id", "balance"]).to_numpy())[: problems.limit]:
        problems.add(f"{source}:balances[{index}]", "balance", f"{frame['collector_id'].iat[index]} has "
                     f"{frame['balance'].iat[index]} twice; a balance is carried once")
    for index in np.flatnonzero(frame["amount"].to_numpy() < 0)[: problems.limit]:
        problems.add(f"{source}:balances[{index}]", "amount", f"{frame['collector_id'].iat[index]}'s "
                     f"{frame['balance'].iat[index]} is negative; balances carried are amounts owed, never below 0")
    problems.raise_if_any()
    changed = _state_changes(path, data, document, rows)
    return StateFile(period, frame, InputFile("state", source, hashlib.sha256(data).hexdigest(), len(frame)),
                     intact=not changed, changed=changed)


def _state_changes(path: Path, data: bytes, document: dict, rows: list) -> str:
    """How the file differs from what its run wrote ('' when it does not): its content against the
    digest it carries, and its bytes against the manifest beside it, when there is one."""
    recorded = document.get(STATE_DIGEST)
    if recorded is None:
        return "it carries no digest (it was not written by commission run, or by an older version)"
    if recorded != state_digest(str(document["period"]), str(document.get("currency", "")), rows):
        return "its content no longer matches the digest its run recorded in it"
    try:
        manifest = json.loads((path.parent / "manifest.json").read_text(encoding="utf-8"))
        expected = manifest["outputs"][path.name]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    if expected != hashlib.sha256(data).hexdigest():
        return f"it differs from the {path.name} recorded in the manifest.json beside it"
    return ""


def load_opening_amounts(path: str | Path, currency: str, pay_codes: Sequence[str]) -> SideTable:
    """Pay of the year made before the store existed: collector_id, pay_code, amount (one row each), each
    under one of the known `pay_codes` (a misspelt code would be stored under a code no statement shows)."""
    minor = CURRENCY_MINOR_UNITS.get(currency)
    if minor is None:
        raise InputError([Problem("", "", f"{currency!r} is not a currency this tool knows", role="currency")])
    raw = read_table(path, wanted=("collector_id", "pay_code", "amount"))
    problems = ProblemCollector()
    _require(raw, ("collector_id", "pay_code", "amount"), problems)
    frame = pd.DataFrame({"collector_id": columns.identifier(raw, "collector_id", problems).to_pandas(),
                          "pay_code": columns.identifier(raw, "pay_code", problems).to_pandas(),
                          "amount": columns.money(raw, "amount", minor, problems)})
    unknown = (frame["pay_code"].notna() & ~frame["pay_code"].isin(pay_codes)).to_numpy()
    for index in np.flatnonzero(unknown)[: problems.limit]:
        problems.add(raw.where(int(index)), "pay_code", f"{shown(frame['pay_code'].iat[index])!r} is not a pay code; "
                     f"the known ones are {', '.join(sorted(pay_codes))}")
    repeated = frame.duplicated(["collector_id", "pay_code"]).to_numpy()
    for index in np.flatnonzero(repeated)[: problems.limit]:
        problems.add(raw.where(int(index)), "pay_code", f"{frame['collector_id'].iat[index]} has two rows for "
                     f"{frame['pay_code'].iat[index]}")
    problems.raise_if_any()
    return SideTable(frame, InputFile("opening year to date", raw.source, raw.sha256, raw.table.num_rows))


def _require(raw: RawTable, names, problems: ProblemCollector) -> None:
    raw.require(names, problems)
    problems.raise_if_any()
