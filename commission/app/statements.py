"""A collector's statements and explanations, from a run folder or a stored batch. Every report file is
checked against the SHA-256 its manifest records before it is used (outputs/report_reader.py): a run
folder with a changed file is refused. A batch's reports are read from its folder when the folder is
still as the batch wrote it (its manifest's SHA-256 is the one the store kept, and every file the one
the manifest names), else from the store's own copy, so moving, deleting or editing the folder
changes no answer."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, Problem, option
from ..outputs.report_reader import ReportChanged, RunReport, load_report
from ..outputs.run_report import MANIFEST
from ..statements.explain import explain
from ..statements.statement import StoreFacts, write_statements
from ..store import (REPORT, correction_amounts, file_list, get_batch, open_store, pay_history, restore_files,
                     year_to_date)
from .access import check, check_collector, single_operator


@dataclass(frozen=True)
class Source:
    """Where a statement's numbers come from: a run folder and its reports (checked), whether it is the
    run's own folder on disk (not a copy), and for a batch what the store adds."""

    folder: Path
    report: RunReport
    on_disk: bool
    owner: dict  # recorded in statements.json: {"run": path} or {"batch_id", "token"}
    store: Optional[StoreFacts] = None
    only: Optional[list[str]] = None  # a correction's statements go only to the collectors it changes


def read_source(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str], actor: str,
                scratch: Path, collector: Optional[str] = None) -> Source:
    """The run folder given (refused if any file differs from its manifest), or a stored batch's reports:
    from its folder if intact (its manifest the store's, every file its manifest's), else restored from
    the store into `scratch`. For one `collector`, whoever may see that collector's pay may read it
    (app/access.py: check_collector); for all, the roles that read everything."""
    if (run_dir is None) == (batch_id is None):
        raise InputError([Problem("", "", "give one of a run's folder or a stored batch", role="run")])
    if run_dir is not None:
        return Source(Path(run_dir), load_report(run_dir), True, {"run": str(Path(run_dir).resolve())})
    engine = open_store(store_url)
    with engine.connect() as connection:
        if collector is None:
            check(connection, actor, "read")
        else:
            check_collector(connection, actor, collector, batch_id)
        record = get_batch(connection, batch_id)
        manifest = file_list(connection, batch_id, REPORT).get(MANIFEST)
        folder = Path(record.reports)
        try:
            intact = manifest is None or hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest() == manifest
        except OSError:
            intact = False  # a batch stored before copies were kept has only its folder, and must have it
        corrections = correction_amounts(connection, batch_id)
        store = StoreFacts(year_to_date(connection, record.period), batch_id if record.kind == "adjustment" else None,
                           corrections, batch=batch_id, status=record.status, pay_date=str(record.pay_date or ""),
                           single_operator=single_operator(connection),
                           history=pay_history(connection, record.period))
        only = [c for c, (_, now) in corrections.items() if now != 0] if record.kind == "adjustment" else None
    if intact:
        try:
            report = load_report(folder)
        except ReportChanged:
            if manifest is None:  # no copy in the store to turn to
                raise
            intact = False
    if not intact:
        with engine.connect() as connection:
            folder = restore_files(connection, batch_id, REPORT, scratch)
        report = load_report(folder)
    return Source(folder, report, intact, {"batch_id": batch_id, "token": record.reports_token}, store, only)


def make_statements(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str],
                    out_dir: Optional[Path] = None, collector: Optional[str] = None, lang: Optional[str] = None,
                    jobs: Optional[int] = None, progress: Optional[Callable[[int, int], None]] = None,
                    actor: str = "") -> tuple[int, Path]:
    """Write the statements of a run or a batch (everyone, or one collector) into `out_dir` (by default
    statements/ in the run folder); returns how many and where. A batch's statements also show its
    number, status and pay date, the year to date (approved batches) and, for a correction, what was
    paid before it; a correction's statements go only to the collectors it changes."""
    with tempfile.TemporaryDirectory(prefix="commission-batch-") as scratch:
        source = read_source(run_dir, batch_id, store_url, actor, Path(scratch), collector)
        if out_dir is None and not source.on_disk:
            raise InputError([Problem("", "", f"batch {batch_id}'s reports folder was moved or changed, so its "
                                      f"statements are made from the store's copy: say where they go with "
                                      f"{option('out')}", role="out")])
        target = Path(out_dir) if out_dir else source.folder / "statements"
        written = write_statements(source.report, target, source.owner, collector=collector, lang=lang, jobs=jobs,
                                   store=source.store, progress=progress, only=source.only)
    return written, target


def explain_payout(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str], collector: str,
                   payment: Optional[str] = None, actor: str = "", lang: Optional[str] = None) -> list[str]:
    """How a collector's payout (or one payment's lines) was built, as lines of text in `lang` (default:
    the plan's currency's); from an adjustment batch, with what the correction pays."""
    with tempfile.TemporaryDirectory(prefix="commission-batch-") as scratch:
        source = read_source(run_dir, batch_id, store_url, actor, Path(scratch))
        return explain(source.report, collector, payment, lang, source.store)
