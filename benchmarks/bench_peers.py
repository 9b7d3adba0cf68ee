"""The project's pipeline against a hand-written polars job doing the same work, as whole processes.

    pip install -e '.[bench]'                             # polars: for this benchmark only
    python benchmarks/bench_peers.py                      # 10,000,000 rows
    python benchmarks/bench_peers.py --rows 1000000 --ledger /tmp/l1m.parquet   # keep the ledger

The work: benchmarks/line-level-plan.yaml over a generated Parquet ledger (money as decimal(18,2)),
payouts per collector and the payment-level lineage written as Parquet. `commission run ... --lines
parquet` and the polars job (`polars_job` below: the same lineage columns, the same payouts) run
alternately, each as its own process; the script asserts that both paid every collector the same
to the cent and that their lineage amounts agree row by row. It prints, for each side, the median of
the runs (default 3) of wall time, CPU time (user + system) and peak resident memory, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "benchmarks" / "line-level-plan.yaml"
PERIOD = "2026-10"
#: Payout columns both sides write, in minor units after parsing.
COMPARED = ("recovered", "line_commission", "tier_commission", "adjustment", "net_payout")


def polars_job(ledger: str, out: str) -> None:
    """line-level-plan.yaml written by hand in polars, integers in minor units throughout.

    Rates by bucket (days past due) and band (balance), first rule wins; commission per line is
    amount x rate rounded half up (sign-aware), cut to 2000.00; marginal tiers on the month's
    recovery (0% to 50,000, 1% to 150,000, 2% above, each tier rounded); a collector recovering
    below 20,000.00 loses it all; the total is capped at 30,000.00.
    """
    import polars as pl

    cents = pl.Decimal(18, 2)
    amount, balance, dpd = pl.col("amount"), pl.col("balance"), pl.col("days_past_due")
    bucket = (pl.when(dpd <= 30).then(pl.lit("M1")).when(dpd <= 60).then(pl.lit("M2"))
              .when(dpd <= 90).then(pl.lit("M3")).when(dpd <= 180).then(pl.lit("M4-6")).otherwise(pl.lit("M7+")))
    band = pl.when(balance < 500_000).then(pl.lit("small")).when(balance < 5_000_000).then(pl.lit("medium")) \
        .otherwise(pl.lit("large"))
    b = pl.col("bucket")
    rule = (pl.when(b.is_in(["M1", "M2"])).then(pl.lit("base#1")).when(b == "M3").then(pl.lit("base#2"))
            .when(b == "M4-6").then(pl.lit("base#3")).when(pl.col("band") == "large").then(pl.lit("base#4"))
            .otherwise(pl.lit("base#5")))
    percent = pl.col("rule").replace_strict({"base#1": 3, "base#2": 5, "base#3": 8, "base#4": 12, "base#5": 10},
                                            return_dtype=pl.Int64)
    magnitude = (amount.abs() * percent + 50) // 100  # half up, away from zero
    commission = pl.when(amount < 0).then(-magnitude).otherwise(magnitude)

    def as_money(expr):
        return (expr.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"))).cast(cents)

    lines = (pl.scan_parquet(ledger)
             .select("payment_id", "collector_id", "payment_date", "account_id", "days_past_due",
                     amount=(pl.col("amount") * 100).cast(pl.Int64), balance=(pl.col("balance") * 100).cast(pl.Int64))
             .sort("payment_id")
             .with_columns(bucket=bucket, band=band)
             .with_columns(rule=rule)
             .with_columns(commission=commission)
             .with_columns(limit=pl.when(pl.col("commission").abs() > 200_000).then(pl.lit("max")).otherwise(pl.lit("")),
                           line_amount=pl.col("commission").clip(-200_000, 200_000))
             .collect())
    payouts = (lines.group_by("collector_id").agg(recovered=pl.col("amount").sum(),
                                                  line_commission=pl.col("line_amount").sum())
               .sort("collector_id"))
    r = pl.col("recovered")
    tier = (((r.clip(50_000_00, 150_000_00) - 50_000_00) + 50) // 100
            + ((r.clip(150_000_00, None) - 150_000_00) * 2 + 50) // 100)
    gated = pl.when(r < 20_000_00).then(0).otherwise(pl.col("line_commission") + pl.col("tier_commission"))
    payouts = (payouts.with_columns(tier_commission=tier)
               .with_columns(net_payout=gated.clip(None, 30_000_00))
               .with_columns(adjustment=pl.col("net_payout") - pl.col("line_commission") - pl.col("tier_commission")))
    payouts.write_parquet(Path(out) / "payouts.parquet")
    category = pl.Categorical
    lines.select(
        "payment_id", pl.col("collector_id").cast(category), "payment_date",
        account=pl.lit("****") + pl.col("account_id").str.slice(-4),
        bucket=pl.col("bucket").cast(category), band=pl.col("band").cast(category),
        component=pl.lit("base").cast(category), rule=pl.col("rule").cast(category), base=as_money(pl.col("amount")),
        rate=(percent.cast(pl.String) + "%").cast(category), commission=as_money(pl.col("commission")),
        limit=pl.col("limit").cast(category), amount=as_money(pl.col("line_amount")),
    ).write_parquet(Path(out) / "lines.parquet", compression="snappy")


def timed(command: list[str]) -> dict:
    """Run a whole process; its wall time, CPU time and peak resident memory (its own, via wait4)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def project_payouts(folder: Path) -> dict:
    """payouts.csv of `commission run` as {collector: (minor units of each COMPARED column)}."""
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(folder / "payouts.csv", convert_options=pacsv.ConvertOptions(
        column_types={c: "string" for c in COMPARED}))
    rows = table.select(["collector_id", *COMPARED]).to_pylist()
    return {row["collector_id"]: tuple(int(Decimal(row[c]) * 100) for c in COMPARED) for row in rows}


def peer_payouts(folder: Path) -> dict:
    import pyarrow.parquet as pq

    rows = pq.read_table(folder / "payouts.parquet").select(["collector_id", *COMPARED]).to_pylist()
    return {row["collector_id"]: tuple(row[c] for c in COMPARED) for row in rows}


def check_same(ours: Path, theirs: Path) -> None:
    """Both sides paid every collector the same, to the cent, and agree on every line's amount."""
    import pyarrow.parquet as pq

    mine, peer = project_payouts(ours), peer_payouts(theirs)
    if mine != peer:
        differ = sorted(c for c in set(mine) | set(peer) if mine.get(c) != peer.get(c))
        sys.exit(f"payouts differ for {len(differ)} collectors, e.g. {differ[0]}: "
                 f"{mine.get(differ[0])} vs {peer.get(differ[0])} ({', '.join(COMPARED)})")
    names = [pq.read_schema(folder / "lines.parquet").names for folder in (ours, theirs)]
    if names[0] != names[1]:
        sys.exit(f"lineage columns differ: {names[0]} vs {names[1]}")
    for column in ("payment_id", "amount"):
        mine_column = pq.read_table(ours / "lines.parquet", columns=[column]).column(0)
        if not pq.read_table(theirs / "lines.parquet", columns=[column]).column(0).cast(mine_column.type).equals(
                mine_column):
            sys.exit(f"lineage column {column} differs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--collectors", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ledger", type=Path, help="Parquet ledger to use; generated there when it is absent")
    parser.add_argument("--polars-job", nargs=2, metavar=("LEDGER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.polars_job:
        polars_job(*args.polars_job)
        return
    try:
        import polars  # noqa: F401
    except ImportError:
        sys.exit("the peer needs polars: pip install -e '.[bench]'")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ledger = args.ledger or folder / "ledger.parquet"
        if not ledger.exists():
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_pipeline.py"), "--rows", str(args.rows),
                            "--collectors", str(args.collectors), "--generate-only", str(ledger)], check=True)
        sides = {
            "commission": lambda out: [sys.executable, "-m", "commission", "run", "--policy", str(PLAN), "--ledger",
                                       str(ledger), "--period", PERIOD, "--out", str(out), "--lines", "parquet",
                                       "--first-period"],
            "polars": lambda out: [sys.executable, __file__, "--polars-job", str(ledger), str(out)],
        }
        measured = {name: [] for name in sides}
        for attempt in range(args.repeat):
            for name, command in sides.items():
                out = folder / f"{name}-{attempt}"
                if name == "polars":
                    out.mkdir()
                measured[name].append(timed(command(out)))
            check_same(folder / f"commission-{attempt}", folder / f"polars-{attempt}")
            for name in sides:  # keep the disk small at 120M rows
                subprocess.run(["rm", "-rf", str(folder / f"{name}-{attempt}")], check=True)
    rows = pq_rows(ledger) if args.ledger else args.rows
    print(f"{rows:,} rows, median of {args.repeat}; payouts identical to the cent, lineage amounts identical")
    medians = {name: {k: statistics.median(m[k] for m in runs) for k in runs[0]} for name, runs in measured.items()}
    for name, m in medians.items():
        print(f"{name:>11}: wall {m['wall']:6.2f} s  cpu {m['cpu']:6.2f} s  peak {m['peak_mb']:7,.0f} MB  "
              f"{rows / m['wall'] / 1e6:5.2f} M rows/s")
    ours, peer = medians["commission"], medians["polars"]
    print(f"      ratio: wall {ours['wall'] / peer['wall']:.2f}x  peak {ours['peak_mb'] / peer['peak_mb']:.2f}x "
          "(commission / polars; below 1 is faster / smaller)")


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


if __name__ == "__main__":
    main()
