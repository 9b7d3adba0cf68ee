"""The same command here and on a Dask LocalCluster, as whole processes, with identical outputs checked.

    pip install -e '.[dask]'
    python benchmarks/bench_cluster.py sweep                        # 100-point sweep over a year, 100 collectors
    python benchmarks/bench_cluster.py sweep --points 4 16 100      # where a cluster starts to pay

`sweep`: a year of sample data (`commission sample-data --months 12`), then `commission simulate` of the
sample's plans (today) against policies/tiered.yaml with the M3 rate swept over POINTS values (0.1%
apart), once as it runs here and once with `--engine dask` (a LocalCluster of one worker process per
core, started and stopped inside the timed command). The script asserts that both wrote the same report,
byte for byte, and prints wall time, CPU time (the command and its workers) and the peak memory of its
largest process, for each side and each POINTS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_peers import timed  # noqa: E402

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
                measured[side] = timed(sweep_command(data, points, folder / side) + extra)
            if every_file(folder / "local") != every_file(folder / "dask"):
                sys.exit(f"{points} points: the reports differ")
            for side, m in measured.items():
                print(f"{points:4d} points {side:>5}: wall {m['wall']:7.1f} s  cpu {m['cpu']:7.1f} s  "
                      f"largest process {m['peak_mb']:6,.0f} MB")
            print(f"{points:4d} points: dask / local wall {measured['dask']['wall'] / measured['local']['wall']:.2f}x; "
                  "reports identical")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="work", required=True)
    on_sweep = commands.add_parser("sweep", help="commission simulate with a sweep, here and on a LocalCluster")
    on_sweep.add_argument("--collectors", type=int, default=100)
    on_sweep.add_argument("--points", type=int, nargs="+", default=[100], help="sweep sizes (at most 101)")
    args = parser.parse_args()
    {"sweep": sweep}[args.work](args)


if __name__ == "__main__":
    main()
