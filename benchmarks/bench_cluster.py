"""The same command here and on a Dask LocalCluster, as whole processes, with identical outputs checked.

    pip install -e '.[dask]'
    python benchmarks/bench_cluster.py sweep                        # 100-point sweep over a year, 100 collectors
    python benchmarks/bench_cluster.py sweep --points 4 16 100      # where a cluster starts to pay
    python benchmarks/bench_cluster.py run --rows 1000000 10000000  # commission run, in memory and on Dask

`sweep`: a year of sample data (`commission sample-data --months 12`), then `commission simulate` of the
sample's plans (today) against policies/tiered.yaml with the M3 rate swept over POINTS values (0.1%
apart), once as it runs here and once with `--engine dask` (a LocalCluster of one worker process per
core, started and stopped inside the timed command). The script asserts that both wrote the same report,
byte for byte, and prints wall time, CPU time and peak memory (as for `run`) for each side and each POINTS.

`run`: a generated Parquet ledger of ROWS payments (bench_pipeline.py's, one month) paid by
benchmarks/line-level-plan.yaml with `commission run ... --lines parquet`: in memory, then with
`--engine dask` (the LocalCluster, one partition per worker). The reports must be the same bytes. Printed:
wall time, CPU time, and peak memory as the largest sum of the resident memory of the command and every
process under it (the workers), sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIDES = {"local": [], "dask": ["--engine", "dask"]}


def every_file(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sweep_command(data: Path, points: int, out: Path) -> list[str]:
    """`commission simulate` of today against tiered.yaml, its M3 rate swept over `points` values."""
    inputs = [text for name in ("roster", "targets", "assignments", "events")
              for text in (f"--{name}", str(data / f"{name}.csv"))]
    stop = f"{points / 10:.1f}%"
    return [sys.executable, "-m", "commission", "simulate", "--policy", str(ROOT / "policies"), "--candidate",
            str(ROOT / "policies" / "tiered.yaml"), "--ledger", str(data / "ledger.csv"), *inputs, "--sweep",
            f"components.base.rates.m3.rate=0.1%..{stop}:0.1%", "--lang", "en", "--quiet", "--out", str(out)]


def sweep(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        data = folder / "year"
        subprocess.run([sys.executable, "-m", "commission", "sample-data", "--collectors", str(args.collectors),
                        "--months", "12", "--first-month", "2026-01", "--out", str(data)], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        rows = sum(1 for _ in (data / "ledger.csv").open(encoding="utf-8")) - 1
        print(f"a year of {rows:,} ledger rows, {args.collectors} collectors; today and 1 candidate, then the sweep")
        for points in args.points:
            measured = {}
            for side, extra in SIDES.items():
                measured[side] = timed_tree(sweep_command(data, points, folder / side) + extra)
            if every_file(folder / "local") != every_file(folder / "dask"):
                sys.exit(f"{points} points: the reports differ")
            for side, m in measured.items():
                print(f"{points:4d} points {side:>5}: wall {m['wall']:7.1f} s  cpu {m['cpu']:7.1f} s  "
                      f"peak {m['peak_mb']:6,.0f} MB")
            print(f"{points:4d} points: dask / local wall {measured['dask']['wall'] / measured['local']['wall']:.2f}x; "
                  "reports identical")


def timed_tree(command: list[str]) -> dict:
    """Run a whole process: wall time, CPU time of it and every process under it, and the peak of their
    summed resident memory (a cluster's memory is its workers', not one process's)."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL)
    tree, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            members = [tree, *tree.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in members))
        except psutil.Error:  # a process ended while being measured
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 2**20}


def run(args) -> None:
    plan = ROOT / "benchmarks" / "line-level-plan.yaml"
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            ledger = folder / "ledger.parquet"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_pipeline.py"), "--rows", str(rows),
                            "--collectors", str(args.collectors), "--generate-only", str(ledger)], check=True)
            measured = {}
            for side, extra in (("in memory", []), ("dask", ["--engine", "dask"])):
                out = folder / side.replace(" ", "-")
                measured[side] = timed_tree([sys.executable, "-m", "commission", "run", "--policy", str(plan),
                                             "--ledger", str(ledger), "--period", "2026-10", "--first-period",
                                             "--lines", "parquet", "--out", str(out), *extra])
            if every_file(folder / "in-memory") != every_file(folder / "dask"):
                sys.exit(f"{rows:,} rows: the reports differ")
        for side, m in measured.items():
            print(f"{rows:>12,} rows {side:>9}: wall {m['wall']:7.1f} s  cpu {m['cpu']:7.1f} s  "
                  f"peak {m['peak_mb']:7,.0f} MB  {rows / m['wall'] / 1e6:5.2f} M rows/s")
        ratio = measured["dask"]["wall"] / measured["in memory"]["wall"]
        print(f"{rows:>12,} rows: dask / in memory wall {ratio:.2f}x; reports identical")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="work", required=True)
    on_sweep = commands.add_parser("sweep", help="commission simulate with a sweep, here and on a LocalCluster")
    on_sweep.add_argument("--collectors", type=int, default=100)
    on_sweep.add_argument("--points", type=int, nargs="+", default=[100], help="sweep sizes (at most 101)")
    on_run = commands.add_parser("run", help="commission run in memory and on a LocalCluster")
    on_run.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    on_run.add_argument("--collectors", type=int, default=500)
    args = parser.parse_args()
    {"sweep": sweep, "run": run}[args.work](args)


if __name__ == "__main__":
    main()
