"""A yearly run over twelve monthly Parquet files, partitioned (`commission run --partitions`), as whole
processes: wall time, CPU time and peak resident memory.

    python benchmarks/bench_partitioned.py --rows 10000000                       # generated in a temp folder
    python benchmarks/bench_partitioned.py --rows 30000000 --dataset /tmp/y30m   # kept for the next run
    python benchmarks/bench_partitioned.py --rows 10000000 --in-memory           # the unpartitioned run too,
                                                                                 # and the same bytes checked

The ledger: benchmarks/bench_pipeline.py's generator, a month per file (rows / 12 each, payment ids
numbered on from month to month), money as exact decimal(18,2); the plan: benchmarks/yearly-plan.yaml
(every payment of the year rated, tiers on the year's recovery). Lines are written as Parquet.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from bench_peers import timed  # noqa: E402

PLAN = ROOT / "benchmarks" / "yearly-plan.yaml"


def write_month(rows: int, collectors: int, month: int, first_id: int, path: Path) -> None:
    """One month's generated ledger, its payment ids numbered from `first_id`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from bench_pipeline import exported_table
    from commission.sample.generator import generate_ledger_rows

    frame = generate_ledger_rows(rows, collectors=collectors, seed=month, month=f"2026-{month:02d}")
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(first_id, first_id + rows)), pa.string()), 10, "0")
    frame["payment_id"] = pc.binary_join_element_wise("P", numbers, "").to_pandas()
    pq.write_table(exported_table(frame), path, compression="zstd")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="payments in the year")
    parser.add_argument("--collectors", type=int, default=2000)
    parser.add_argument("--partitions", default="auto")
    parser.add_argument("--dataset", type=Path, help="folder of the twelve files; generated there when absent")
    parser.add_argument("--in-memory", action="store_true", help="time the run without partitions too")
    parser.add_argument("--month", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.month:
        rows, collectors, month, first, path = args.month
        write_month(int(rows), int(collectors), int(month), int(first), Path(path))
        return
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        dataset = args.dataset or folder / "ledger"
        if not dataset.exists():
            dataset.mkdir(parents=True)
            per_month = args.rows // 12
            for month in range(1, 13):  # a process per month: generating never holds the year
                subprocess.run([sys.executable, __file__, "--month", str(per_month), str(args.collectors), str(month),
                                str(1 + (month - 1) * per_month), str(dataset / f"2026-{month:02d}.parquet")],
                               check=True)
        rows = sum(pq_rows(p) for p in sorted(dataset.glob("*.parquet")))

        def command(out: Path, *more: str) -> list[str]:
            return [sys.executable, "-m", "commission", "run", "--policy", str(PLAN), "--ledger", str(dataset),
                    "--period", "2026", "--out", str(out), "--lines", "parquet", "--first-period", *more]

        runs = {f"partitioned ({args.partitions})": command(folder / "parts", "--partitions", args.partitions)}
        if args.in_memory:
            runs["in memory"] = command(folder / "whole")
        print(f"{rows:,} rows in 12 monthly files, {args.collectors:,} collectors")
        for name, line in runs.items():
            m = timed(line)
            print(f"{name:>20}: wall {m['wall']:7.1f} s  cpu {m['cpu']:7.1f} s  peak {m['peak_mb']:7,.0f} MB  "
                  f"{rows / m['wall'] / 1e6:5.2f} M rows/s", flush=True)
        if args.in_memory:
            same = all((folder / "parts" / p.relative_to(folder / "whole")).read_bytes() == p.read_bytes()
                       for p in (folder / "whole").rglob("*") if p.is_file())
            print("outputs byte-identical" if same else "OUTPUTS DIFFER")


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


if __name__ == "__main__":
    main()
