"""Creating a payout batch: check the store's rules, compute, store the batch and write its reports
as one step, so a batch never exists without its reports nor reports without their batch.

The store's rules (one open batch a period, no overlapping periods, balances from the period
before) are checked before the long computation and again in the transaction that stores the
batch. The reports folder is written and moved into place inside that transaction, carrying the
batch's id and a token the store keeps: if the process is killed after the move but before the
commit, the folder names a batch the store does not have, and the next `batch create` may
replace it (see outputs.owners).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs import sha256_of
from ..outputs.atomic import remove
from ..outputs.owners import batch_folder
from ..outputs.run_report import LINES_CSV, LINES_PARQUET, write_run
from ..app.runs import Computed, RunRequest, compute_request
from ..store import (NewBatch, check_period_free, create_batch, open_store, opening_balances, reports_stored,
                     set_lines_sha256)


@dataclass(frozen=True)
class CreatedBatch:
    batch: NewBatch
    computed: Computed
    folder: Path


def create_payout_batch(request: RunRequest, store_url: str, out_dir: Path, actor: str, now: datetime,
                        first_period: bool = False, lines_csv: bool = True,
                        lines_parquet: bool = False) -> CreatedBatch:
    """Run `request.period` and store it as a draft batch with its reports in `out_dir`."""
    engine = open_store(store_url)
    if request.state is not None and not Path(request.state).is_file():
        raise InputError([Problem(str(request.state), "", "no such file", role="state")])
    state_sha256 = sha256_of(request.state) if request.state else None
    with engine.connect() as connection:
        batch_folder(lambda batch_id, token: reports_stored(connection, batch_id, token))(Path(out_dir))
        check_period_free(connection, request.period)
        state_period, state = opening_balances(connection, request.period, state_sha256, first_period)
    computed = compute_request(request, state=(state_period, state) if state_period else None,
                               first_period=first_period)
    token = uuid.uuid4().hex
    published = False
    try:
        with engine.begin() as connection:
            inputs = [{"role": "policy", "path": p.source, "sha256": p.sha256} for p in computed.policies] + [
                {"role": f.role, "path": f.path, "sha256": f.sha256, "rows": f.rows} for f in computed.inputs]
            new = create_batch(connection, computed.result, inputs, str(Path(out_dir).resolve()), token, actor, now)
            folder = write_run(computed.result, computed.policies, computed.inputs, out_dir,
                               owner={"command": "batch", "batch_id": new.id, "token": token},
                               may_replace=batch_folder(lambda batch_id, t: reports_stored(connection, batch_id, t)),
                               lines_csv=lines_csv, lines_parquet=lines_parquet, notes=computed.notes)
            published = True
            lines = next((folder / n for n in (LINES_PARQUET, LINES_CSV) if (folder / n).exists()), None)
            set_lines_sha256(connection, new.id, sha256_of(lines) if lines else "")
    except BaseException:
        if published:  # the move happened, the batch was not stored: the folder is ours and claims nothing
            remove(Path(out_dir))
        raise
    return CreatedBatch(new, computed, folder)
