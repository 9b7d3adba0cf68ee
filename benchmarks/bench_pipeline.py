"""Benchmark the line-level pipeline: Parquet ledger in, payouts and Parquet lineage out.

    python benchmarks/bench_pipeline.py                 # 1,000,000 rows
    python benchmarks/bench_pipeline.py --rows 10000000 # 10M rows
    python benchmarks/bench_pipeline.py --policy benchmarks/fee-plan.yaml   # an agency's plan on fees

Prints rows per second for load, compute and write separately, end to end, and peak memory.
The synthetic ledger is generated and written to Parquet first, in a child process (not timed,
not counted in peak memory).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa  # noqa: E402
import pyarrow.compute  # noqa: E402,F401
import pyarrow.parquet as pq  # noqa: E402

from commission.engine import pay_plan  # noqa: E402
from commission.inputs import load_ledger, plan_columns  # noqa: E402
from commission.outputs import write_run  # noqa: E402
from commission.outputs.tables import money_decimal_array  # noqa: E402
from commission.periods import Period  # noqa: E402
from commission.policy import load_policy  # noqa: E402
from commission.sample.generator import generate_ledger_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def write_ledger_parquet(rows: int, collectors: int, path: Path) -> None:
    """Synthetic ledger as a department would export it: money as exact decimal(18,2) columns."""
    frame = generate_ledger_rows(rows, collectors=collectors, month="2026-10")
    pq.write_table(exported_table(frame), path, compression="zstd")


def exported_table(frame) -> pa.Table:
    """A generated ledger frame as an export would hold it: real dates, money as exact decimal(18,2)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    dates = pa.compute.cast(pa.compute.strptime(table["payment_date"], format="%Y-%m-%d", unit="s"), pa.date32())
    table = table.set_column(table.schema.get_field_index("payment_date"), "payment_date", dates)
    for name in ("amount", "balance"):
        table = table.set_column(table.schema.get_field_index(name), name,
                                 money_decimal_array(frame[name].to_numpy(), 2))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--collectors", type=int, default=500)
    parser.add_argument("--policy", default=str(ROOT / "benchmarks" / "line-level-plan.yaml"))
    parser.add_argument("--lines-csv", action="store_true", help="also write lines.csv (slower, large)")
    parser.add_argument("--generate-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        write_ledger_parquet(args.rows, args.collectors, Path(args.generate_only))
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ledger_path = folder / "ledger.parquet"
        started = time.perf_counter()
        # In a child process, so the peak memory below is the pipeline's alone.
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--collectors", str(args.collectors),
                        "--generate-only", str(ledger_path)], check=True)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f}s "
              f"({ledger_path.stat().st_size / 1e6:.0f} MB Parquet), not timed below")

        policy = load_policy(args.policy)
        t0 = time.perf_counter()
        ledger = load_ledger([ledger_path], policy.minor_units, **plan_columns([policy]))
        t1 = time.perf_counter()
        result = pay_plan(policy, ledger.frame, Period.parse("2026-10"))
        t2 = time.perf_counter()
        write_run(result, result.policies, ledger.files, folder / "out", lines_csv=args.lines_csv,
                  lines_parquet=True)
        t3 = time.perf_counter()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = args.rows
    for stage, seconds in (("load", t1 - t0), ("compute", t2 - t1), ("write", t3 - t2), ("end to end", t3 - t0)):
        print(f"{stage:>11}: {seconds:6.2f} s  {rows / seconds / 1e6:6.2f} M rows/s")
    print(f"peak memory: {peak_mb:,.0f} MB")
    print(f"lineage rows: {len(result.lines):,}; collectors: {len(result.payouts)}")


if __name__ == "__main__":
    main()
