"""Creating a batch from files sent through a page, or picked from the inputs folder the server was
given: each checked for size and type, kept under the server's uploads folder by its SHA-256 (never by
a name it came with), then run through the same loading and validation as the CLI; a problem names the
file as it was uploaded (or its path in the inputs folder), and its row."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..errors import InputError, Problem, named_as
from ..outputs.atomic import PRIVATE_FOLDER, write_private
from ..periods import Period
from .batches import CreatedBatch, create_payout_batch
from .inputs import InputPaths
from .runs import RunRequest

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_FILES = 40
#: Each kind of input and the file types it may be.
TABLES = (".csv", ".xlsx", ".parquet")
KINDS = {"policy": (".yaml", ".yml"), "ledger": TABLES, "roster": TABLES, "targets": TABLES,
         "assignments": TABLES, "events": TABLES, "state": (".json",)}
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    kind: str  # a key of KINDS
    filename: str  # as the browser sent it: shown, never a path
    content: bytes


def private_folders(*folders: Path) -> None:
    """Make the server's folders of uploads and reports (ledgers, pay), readable by its account only."""
    for folder in folders:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def save_uploads(uploads: Sequence[Upload], folder: Path) -> tuple[dict[str, list[Path]], dict[str, str]]:
    """Check and keep each upload as folder/<sha256>/<safe name>: ({kind: [paths]}, {path: name it came
    with}), or every problem."""
    problems, saved, names = [], {}, {}
    if len(uploads) > MAX_FILES:
        raise InputError([Problem("", "", f"{len(uploads)} files; at most {MAX_FILES}", role="files")])
    for upload in uploads:
        shown = upload.filename or "(no name)"
        suffix = Path(upload.filename).suffix.lower()
        if upload.kind not in KINDS:
            problems.append(Problem(shown, "", f"unknown kind of input; one of {', '.join(KINDS)}", role="kind"))
        elif suffix not in KINDS[upload.kind]:
            problems.append(Problem(shown, "", f"a {upload.kind} file is {' or '.join(KINDS[upload.kind])}"))
        elif not upload.content:
            problems.append(Problem(shown, "", "is empty"))
        elif len(upload.content) > MAX_FILE_BYTES:
            problems.append(Problem(shown, "", f"is {len(upload.content)} bytes; at most {MAX_FILE_BYTES}"))
        else:
            digest = hashlib.sha256(upload.content).hexdigest()
            name = _SAFE.sub("_", Path(upload.filename).name)[-80:].lstrip(".") or f"input{suffix}"
            path = folder / digest / name
            write_private(path, upload.content)
            saved.setdefault(upload.kind, []).append(path)
            names[str(path)] = shown
    for kind in ("policy", "ledger"):
        if uploads and kind not in saved and not problems:
            problems.append(Problem("", "", f"give at least one {kind} file", role=kind))
    for kind in ("roster", "state"):
        if len(saved.get(kind, [])) > 1:
            problems.append(Problem("", "", f"give one {kind} file", role=kind))
    if problems:
        raise InputError(problems)
    return saved, names


def folder_inputs(folder: Path) -> list[str]:
    """The files HR may pick from the server's inputs folder (paths inside it, of the types an input may
    be), sorted; at most 1,000."""
    suffixes = {suffix for kind in KINDS.values() for suffix in kind}
    root = folder.resolve()
    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if p.is_file() and p.suffix.lower() in suffixes and root in p.resolve().parents)
    return found[:1000]


def picked(folder: Path, picks: dict[str, str]) -> list[Upload]:
    """The files picked from the inputs folder ({path inside it: kind}) as uploads, so they go through the
    same checks; a path that is not one of the folder's inputs is refused, never opened."""
    offered = set(folder_inputs(folder))
    problems = [Problem(name[:200], "", "is not a file of the inputs folder") for name in picks if name not in offered]
    if problems:
        raise InputError(problems)
    return [Upload(kind, name, (folder.resolve() / name).read_bytes()) for name, kind in sorted(picks.items())]


def create_from_uploads(store_url: str, actor: str, uploads: Sequence[Upload], period: Period, first_period: bool,
                        pay_date: Optional[date], uploads_dir: Path, reports_dir: Path, now: datetime,
                        note: str = "", progress: Optional[Callable[[int, int], None]] = None) -> CreatedBatch:
    """Keep the uploads and create a draft batch from them (reports under `reports_dir`); problems name
    the uploaded file, not where it was kept."""
    saved, names = save_uploads(uploads, uploads_dir)
    paths = InputPaths(policies=saved["policy"], ledgers=saved["ledger"], roster=_one(saved, "roster"),
                       targets=saved.get("targets", ()), assignments=saved.get("assignments", ()),
                       events=saved.get("events", ()))
    request = RunRequest(paths, period, state=_one(saved, "state"), first_period=first_period)
    if progress:
        progress(0, 1)
    try:
        return create_payout_batch(request, store_url, reports_dir / f"batch-{period}-{uuid.uuid4().hex[:8]}", actor,
                                   now, pay_date, note)
    except InputError as exc:
        raise InputError([renamed(p, names) for p in exc.problems], exc.hidden) from None


def _one(saved: dict, kind: str) -> Optional[Path]:
    return saved[kind][0] if saved.get(kind) else None


def renamed(problem: Problem, names: dict[str, str]) -> Problem:
    """The problem with each kept path replaced by the name the file was uploaded with."""
    return Problem(named_as(problem.where, names), problem.key, named_as(problem.message, names), role=problem.role)
