"""Benchmark a manager's "compare with today" (app.compare, what the web app's job runs): the sample data's
July, August and September as three locked batches, then bucket-rates.yaml compared with today for all
three months, once by a manager of Team A (their team alone) and once by a manager who is also an auditor
(everyone). Prints each comparison's time, its collectors and both costs, and what the batches paid Team A
(the team's "today" must equal it to the cent).

    python benchmarks/bench_compare.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

from commission.app.batches import act_on_batch, create_payout_batch
from commission.app.compare import compare_with_today, keep_candidate
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest
from commission.app.users import add, set_up_store
from commission.periods import Period
from commission.store import open_store
from commission.store.schema import payouts

REPO = Path(__file__).resolve().parents[1]
MONTHS = ("2026-07", "2026-08", "2026-09")


def main() -> None:
    folder, sample = Path(tempfile.mkdtemp(prefix="bench-compare-")), REPO / "sample_data"
    url, now = f"sqlite:///{folder / 'store.db'}", datetime(2026, 11, 1, tzinfo=timezone.utc)
    set_up_store(url, "ada", False, now)
    for name, roles, team in (("pat", ["preparer"], ""), ("abe", ["approver"], ""), ("pam", ["payer"], ""),
                              ("mia", ["manager"], "Team A"), ("max", ["manager", "auditor"], "Team A")):
        add(url, "ada", name, roles, now, "", team)
    paths = InputPaths([REPO / "policies"], [sample / "ledger.csv"], sample / "roster.csv", [sample / "targets.csv"],
                       [sample / "assignments.csv"], [sample / "events.csv"])
    for batch_id, month in enumerate(MONTHS, start=1):
        create_payout_batch(RunRequest(paths, Period.parse(month), first_period=batch_id == 1), url, folder / month,
                            "pat", now)
        act_on_batch(url, batch_id, "approve", "abe", now)
        act_on_batch(url, batch_id, "lock", "pam", now)
    candidate = keep_candidate("bucket-rates.yaml", (REPO / "policies" / "bucket-rates.yaml").read_bytes(),
                               folder / "uploads")
    for who in ("mia", "max"):
        start = time.perf_counter()
        result = compare_with_today(url, who, candidate, "everyone", "", MONTHS, "en")
        print(f"{who}: {time.perf_counter() - start:.1f} s, {len(result['collectors'])} collectors, today "
              f"{result['today']}, candidate {result['cost']} (minor units), {len(result['charts'])} charts")
    with open_store(url).connect() as connection:
        paid = connection.execute(select(func.sum(payouts.c.amount)).where(payouts.c.team == "Team A")).scalar()
    print(f"the batches paid Team A {paid}")


if __name__ == "__main__":
    main()
