"""Benchmark plan simulation: today and 4 candidate plans against 1 on a synthetic year of ledger.

    python benchmarks/bench_simulate.py                       # 1,200,000 rows (100,000 a month), 500 collectors
    python benchmarks/bench_simulate.py --rows 6000000        # the issue's case: about 6M rows, a year, 500 collectors

The ledger (12 months of `generate_ledger_rows`, payment ids made unique per month) is written to
Parquet first (not timed). Then it is loaded once, and the simulation runs 1 plan, then 4 plans, for
everyone over the 12 months on the same loaded history. The 4 plans are the benchmark's line-level plan
and three variants made from it with `dataclasses.replace` (the sweep machinery): a higher M3 rate,
whole-tier volume tiers, a lower cap. Then today: a roster puts half the collectors on the line-level
plan and half on its whole-tier variant (its own plan id), and today is paid month by month through the
engine's `pay_period`, as `commission run` pays each month (every row up to the month's end is read).
The report (today and the 4 plans: tables, payout curves, lint) is timed apart, charts and files not
included. Prints seconds and rows per second for each stage, and the 4-plan / 1-plan ratio.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from bench_pipeline import exported_table  # noqa: E402

from commission.engine import SideInputs  # noqa: E402
from commission.inputs import load_ledger  # noqa: E402
from commission.policy import load_policy  # noqa: E402
from commission.sample.generator import generate_ledger_rows  # noqa: E402
from commission.inputs import load_roster  # noqa: E402
from commission.simulation import build_comparison, parse_sweep, prepare_history, simulate, today_scenario  # noqa: E402
from commission.simulation.replay import Candidate, always_in_force, simulated_months  # noqa: E402
from commission.simulation.sweep import set_value, tokens_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def write_year(rows: int, collectors: int, path: Path) -> None:
    """12 months of synthetic ledger as one Parquet file, money as exact decimal(18,2)."""
    parts = []
    for month in range(1, 13):
        frame = generate_ledger_rows(rows // 12, collectors=collectors, seed=month, month=f"2026-{month:02d}")
        frame["payment_id"] = f"P{month:02d}" + frame["payment_id"].str[1:]
        parts.append(frame)
    pq.write_table(exported_table(pd.concat(parts, ignore_index=True)), path, compression="zstd")


def variants(policy):
    """The plan and three variants of it, each a frozen Policy made with dataclasses.replace."""
    higher_m3 = set_value(policy, tokens_of("components.base.rates[base#2].rate"),
                          parse_sweep("components.base.rates[base#2].rate=6%", policy).values[0])
    volume = policy.component("volume")
    whole = replace(policy, components=tuple(replace(c, mode="whole") if c is volume else c
                                             for c in policy.components))
    lower_cap = set_value(policy, tokens_of("adjustments.monthly-cap.cap"),
                          parse_sweep("adjustments.monthly-cap.cap=20000", policy).values[0])
    return [Candidate("line-level", always_in_force(policy)), Candidate("M3 at 6%", always_in_force(higher_m3)),
            Candidate("whole tiers", always_in_force(whole)), Candidate("cap 20000", always_in_force(lower_cap))]


def write_roster(collectors: int, path: Path, plans: tuple[str, str]) -> None:
    """Every collector of `generate_ledger_rows` (C000..), in 10 teams, half on each plan."""
    width = len(str(collectors - 1))
    rows = ["collector_id,name,team,employee_id,plan"]
    rows += [f"C{k:0{width}d},Collector {k},Team {k % 10},E{k:05d},{plans[k % 2]}" for k in range(collectors)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_200_000, help="rows in the year (default 1,200,000)")
    parser.add_argument("--collectors", type=int, default=500)
    parser.add_argument("--policy", default=str(ROOT / "benchmarks" / "line-level-plan.yaml"))
    args = parser.parse_args()

    policy = load_policy(args.policy)
    candidates = variants(policy)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "year.parquet"
        started = time.perf_counter()
        write_year(args.rows, args.collectors, path)
        print(f"generated {args.rows:,} rows over 12 months, {args.collectors} collectors, in "
              f"{time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB Parquet), not timed below")
        t0 = time.perf_counter()
        ledger = load_ledger([path], policy.minor_units, policy.ledger_columns())
        history = prepare_history(ledger.frame, None, SideInputs(), policy.currency, policy.minor_units)
        months, report_of = simulated_months(history)
        t1 = time.perf_counter()
        whole = replace(candidates[2].policy, plan=f"{policy.plan}-whole")
        write_roster(args.collectors, Path(folder) / "roster.csv", (policy.plan, whole.plan))
        roster = load_roster(Path(folder) / "roster.csv").frame
    one = simulate(candidates[:1], history, months, report_of)
    t2 = time.perf_counter()
    four = simulate(candidates, history, months, report_of)
    t3 = time.perf_counter()
    build_comparison(candidates, history, months, report_of)
    t4 = time.perf_counter()
    with_roster = prepare_history(ledger.frame, roster, SideInputs(), policy.currency, policy.minor_units)
    today = today_scenario([policy, whole])
    t4b = time.perf_counter()
    paid_today = simulate([today], with_roster, months, report_of)
    t5 = time.perf_counter()
    build_comparison([today, *candidates], with_roster, months, report_of)
    t6 = time.perf_counter()

    rows = len(history.ledger)
    single, quad = t2 - t1, t3 - t2
    print(f"{'load once':>26}: {t1 - t0:7.2f} s  {rows / (t1 - t0) / 1e6:6.2f} M rows/s")
    print(f"{'simulate 1 plan x 12 mo':>26}: {single:7.2f} s  {rows / single / 1e6:6.2f} M rows/s")
    print(f"{'simulate 4 plans x 12 mo':>26}: {quad:7.2f} s  {4 * rows / quad / 1e6:6.2f} M plan-rows/s")
    print(f"{'4 plans / 1 plan':>26}: {quad / single:7.2f} x")
    print(f"{'full report, 4 plans':>26}: {t4 - t3:7.2f} s  (simulation, tables, payout curves, lint; no charts)")
    print(f"{'today (2 plans) x 12 mo':>26}: {t5 - t4b:7.2f} s  {rows / (t5 - t4b) / 1e6:6.2f} M rows/s  "
          "(pay_period month by month, as commission run)")
    print(f"{'full report, today + 4':>26}: {t6 - t5:7.2f} s  (simulation, tables, payout curves, lint; no charts)")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    for run in four.runs:
        print(f"  {run.label:>12}: cost {int(run.payouts['net_payout'].sum()) / 100:>16,.2f} on "
              f"{int(run.payouts['recovered'].sum()) / 100:,.2f} recovered")
    print(f"  {'today':>12}: cost {int(paid_today.runs[0].payouts['net_payout'].sum()) / 100:>16,.2f}")
    assert int(one.runs[0].payouts["net_payout"].sum()) == int(four.runs[0].payouts["net_payout"].sum())


if __name__ == "__main__":
    main()
