"""Which folder a command may replace: only one it owns.

Every folder of reports says whose it is: a run's or a batch's reports in their manifest.json,
statements in their statements.json, under the key "owner":
- {"command": "run", "period": "2026-09"}: a `commission run`; a rerun of the same period may
  replace it;
- {"command": "batch", "batch_id": 3, "token": "..."}: a stored batch's reports, never replaced,
  unless the store has no batch with that id and token (a `batch create` killed before it stored
  the batch left the folder behind);
- {"command": "statements", "source": ...}: statements, replaced only by statements of the same
  run folder or batch.
A missing or empty folder may always be written. Anything else is refused before any work is
done, with a message saying whose the folder is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..errors import InputError, Problem
from .atomic import tidy

MANIFEST = "manifest.json"
STATEMENTS_INDEX = "statements.json"


def owner_of(folder: Path, index: str = MANIFEST) -> Optional[dict]:
    """The owner recorded in `folder`'s manifest or index; a manifest of an older version without one
    is a run's. None when there is no readable record."""
    try:
        document = json.loads((folder / index).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    owner = document.get("owner")
    if owner is None and index == MANIFEST and "period" in document:
        return {"command": "run", "period": str(document["period"])}
    return owner if isinstance(owner, dict) else None


def describe(owner: dict) -> str:
    """An owner in words, for messages: 'the reports of batch 3'."""
    command = owner.get("command")
    if command == "batch":
        return f"the reports of batch {owner.get('batch_id')}"
    if command == "run":
        return f"the reports of a run for {owner.get('period')}"
    if command == "statements":
        source = owner.get("source") or {}
        return (f"the statements of batch {source['batch_id']}" if "batch_id" in source
                else f"the statements of the run in {source.get('run')}")
    return "reports of another command"


def _refuse(folder: Path, message: str) -> InputError:
    return InputError([Problem(str(folder), "", message, role="out")])


def _contents(folder: Path) -> Optional[list[str]]:
    """Names in `folder` (None when it does not exist); a file in its place is refused. What killed
    commands left beside it is finished or removed first (see atomic.tidy)."""
    tidy(folder.parent)
    if not folder.exists() and not folder.is_symlink():
        return None
    if not folder.is_dir() or folder.is_symlink():
        raise _refuse(folder, "is not a folder")
    return sorted(p.name for p in folder.iterdir())


def _strangers(names: list[str], allowed: Iterable[str]) -> list[str]:
    return [name for name in names if name not in set(allowed)]


def only_files(allowed: Iterable[str]) -> Callable[[Path], None]:
    """A folder holding nothing but these names (an earlier output of the same command) may be replaced."""
    allowed = tuple(allowed)

    def check(folder: Path) -> None:
        names = _contents(folder)
        if names and (strangers := _strangers(names, allowed)):
            raise _refuse(folder, "exists and holds other files (" + ", ".join(strangers[:5])
                          + "); choose a new or empty folder")

    return check


def run_folder(period: str, report_files: Iterable[str]) -> Callable[[Path], None]:
    """`commission run` may replace its own earlier reports for the same period."""
    report_files = tuple(report_files)

    def check(folder: Path) -> None:
        names = _contents(folder)
        if not names:
            return
        owner = owner_of(folder)
        if owner is None:
            only_files(())(folder)
        elif owner != {"command": "run", "period": period}:
            raise _refuse(folder, f"holds {describe(owner)}; choose another folder for this run of {period}")
        elif strangers := _strangers(names, report_files):
            raise _refuse(folder, "holds files that are not a run's reports (" + ", ".join(strangers[:5])
                          + "); choose a new or empty folder")

    return check


def batch_folder(stored: Callable[[int, str], bool]) -> Callable[[Path], None]:
    """`batch create` writes into a new or empty folder, or in place of the reports of a `batch create`
    that was killed before storing its batch (`stored(batch_id, token)` is False)."""

    def check(folder: Path) -> None:
        if not _contents(folder):
            return
        owner = owner_of(folder)
        if owner is None:
            only_files(())(folder)
        elif owner.get("command") != "batch" or stored(owner.get("batch_id"), owner.get("token")):
            raise _refuse(folder, f"holds {describe(owner)}; a batch's reports go into a new or empty folder")

    return check


def statements_folder(source: dict, statement_files: Iterable[str]) -> Callable[[Path], None]:
    """Statements replace only statements of the same run folder or batch (`source`)."""
    statement_files = (*statement_files, STATEMENTS_INDEX)

    def check(folder: Path) -> None:
        names = _contents(folder)
        if not names:
            return
        owner = owner_of(folder, STATEMENTS_INDEX)
        if owner is None:
            only_files(())(folder)
        elif owner.get("source") != source:
            raise _refuse(folder, f"holds {describe(owner)}; choose another folder for these statements")
        elif strangers := _strangers(names, statement_files):
            raise _refuse(folder, "holds files that are not these statements (" + ", ".join(strangers[:5])
                          + "); choose a new or empty folder")

    return check
