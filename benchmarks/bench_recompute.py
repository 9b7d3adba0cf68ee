"""Benchmark reversals: {earlier_periods: recompute} against keep: October's run on a ledger of September and
October, where October reverses a share of September's payments.

    python benchmarks/bench_recompute.py                          # 500,000 rows a month, 1% bounced
    python benchmarks/bench_recompute.py --rows 2000000 --bounced 0.05

Under recompute, the run also pays September's run twice more (before and after October's reversals) for
the collectors whose payments bounced, with the benchmark's plan (line rates, tiers, a gate and a cap).
Prints the compute seconds and rows per second of each setting, and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from bench_pipeline import exported_table  # noqa: E402

from commission.engine import pay_plan  # noqa: E402
from commission.inputs import load_ledger  # noqa: E402
from commission.periods import Period  # noqa: E402
from commission.policy import load_policy  # noqa: E402
from commission.policy.model import EARLIER_RECOMPUTE  # noqa: E402
from commission.sample.generator import generate_ledger_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def two_months(rows: int, collectors: int, bounced: float) -> pd.DataFrame:
    """September and October (`rows` payments each, ids unique), and in October a reversal in full of
    every k-th September payment, dated the 15th."""
    months = []
    for seed, month in ((9, "2026-09"), (10, "2026-10")):
        frame = generate_ledger_rows(rows, collectors=collectors, seed=seed, month=month)
        frame["payment_id"] = f"P{seed:02d}" + frame["payment_id"].str[1:]
        months.append(frame)
    september = months[0]
    back = september.iloc[:: max(1, round(1 / bounced))].copy()
    back["reverses"] = back["payment_id"]
    back["payment_id"] = "R" + back["payment_id"].str[1:]
    back["payment_date"] = "2026-10-15"
    back["amount"] = -back["amount"]
    ledger = pd.concat([*months, back], ignore_index=True)
    ledger["reverses"] = ledger["reverses"].fillna("").astype(str)
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000, help="payments a month (default 500,000)")
    parser.add_argument("--collectors", type=int, default=500)
    parser.add_argument("--bounced", type=float, default=0.01, help="share of September's payments reversed")
    parser.add_argument("--policy", default=str(ROOT / "benchmarks" / "line-level-plan.yaml"))
    args = parser.parse_args()
    keep = load_policy(args.policy)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.parquet"
        pq.write_table(exported_table(two_months(args.rows, args.collectors, args.bounced)), path)
        ledger = load_ledger([path], keep.minor_units, keep.ledger_columns()).frame
    rows = len(ledger)
    print(f"{rows:,} rows ({int((ledger['reverses'] != '').sum()):,} reversals of September's payments)")
    seconds = {}
    for name, policy in (("keep", keep), ("recompute", replace(keep, earlier_periods=EARLIER_RECOMPUTE))):
        started = time.perf_counter()
        result = pay_plan(policy, ledger, Period.parse("2026-10"))
        seconds[name] = time.perf_counter() - started
        recomputed = result.items["rule"].str.endswith(":recomputed")
        print(f"{name:>10}: {seconds[name]:6.2f} s  {rows / seconds[name] / 1e6:5.2f} M rows/s  "
              f"net {int(result.payouts['net_payout'].sum()):,} minor units; {int(recomputed.sum())} recomputed items "
              f"({int(np.unique(result.items.loc[recomputed, 'collector_id']).size)} collectors)")
    print(f"recompute / keep: {seconds['recompute'] / seconds['keep']:.2f}x")


if __name__ == "__main__":
    main()
