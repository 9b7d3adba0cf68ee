"""A collector's statements and explanations, from a run folder or a stored batch."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, Problem
from ..outputs.report_reader import load_report
from ..statements.explain import explain
from ..statements.statement import StoreFacts, write_statements
from ..store import correction_amounts, get_batch, open_store, year_to_date


def _one_source(run_dir: Optional[Path], batch_id: Optional[int]) -> None:
    if (run_dir is None) == (batch_id is None):
        raise InputError([Problem("", "", "give one of a run's folder or a stored batch", role="run")])


def report_folder(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str]) -> Path:
    """A run folder, given directly or as a stored batch's reports."""
    _one_source(run_dir, batch_id)
    if run_dir is not None:
        return Path(run_dir)
    with open_store(store_url).connect() as connection:
        return Path(get_batch(connection, batch_id).reports)


def make_statements(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str],
                    out_dir: Optional[Path] = None, collector: Optional[str] = None, lang: Optional[str] = None,
                    jobs: Optional[int] = None,
                    progress: Optional[Callable[[int, int], None]] = None) -> tuple[int, Path]:
    """Write the statements of a run or a batch (everyone, or one collector) into `out_dir` (by default
    statements/ in the run folder); returns how many and where. A batch's statements also show the
    year to date and, for a correction, what was paid before it."""
    folder = report_folder(run_dir, batch_id, store_url)
    store, source = None, {"run": str(folder.resolve())}
    if batch_id is not None:
        with open_store(store_url).connect() as connection:
            record = get_batch(connection, batch_id)
            store = StoreFacts(year_to_date(connection, record.period),
                               batch_id if record.kind == "adjustment" else None,
                               correction_amounts(connection, batch_id))
            source = {"batch_id": batch_id, "token": record.reports_token}
    target = Path(out_dir) if out_dir else folder / "statements"
    written = write_statements(folder, target, source, collector=collector, lang=lang, jobs=jobs, store=store,
                               progress=progress)
    return written, target


def explain_payout(run_dir: Optional[Path], batch_id: Optional[int], store_url: Optional[str], collector: str,
                   payment: Optional[str] = None) -> list[str]:
    """How a collector's payout (or one payment's lines) was built, as lines of text."""
    return explain(load_report(report_folder(run_dir, batch_id, store_url)), collector, payment)
