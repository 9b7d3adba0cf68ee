"""Benchmark collector statements: N collectors with about M payments each (default 2,000 x 500).

    python benchmarks/bench_statements.py [--collectors 2000] [--payments 500] [--jobs 2]

Computes one month on a synthetic ledger (not timed), then times writing every statement: wall time, and
the CPU time of this process and its workers per statement, which holds when the machine is shared
(the load average is printed beside it).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commission.engine import pay_plan  # noqa: E402
from commission.inputs import load_ledger  # noqa: E402
from commission.outputs import write_run  # noqa: E402
from commission.statements.statement import write_statements  # noqa: E402
from commission.outputs.tables import write_csv  # noqa: E402
from commission.periods import Period  # noqa: E402
from commission.policy import load_policy  # noqa: E402
from commission.sample.generator import generate_ledger_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collectors", type=int, default=2000)
    parser.add_argument("--payments", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        frame = generate_ledger_rows(args.collectors * args.payments, collectors=args.collectors, month="2026-10")
        write_csv(frame, folder / "ledger.csv", ("amount", "balance"), 2)
        policy = load_policy(ROOT / "benchmarks" / "line-level-plan.yaml")
        ledger = load_ledger([folder / "ledger.csv"], 2)
        result = pay_plan(policy, ledger.frame, Period.parse("2026-10"))
        write_run(result, result.policies, ledger.files, folder / "run")
        cpu_before, started = _cpu_seconds(), time.perf_counter()
        count = write_statements(folder / "run", folder / "statements", {"run": str(folder / "run")},
                                 jobs=args.jobs)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    print(f"{count:,} statements of about {args.payments} payments each in {seconds:.1f} s "
          f"({count / seconds:.1f} statements/s); CPU {cpu:.1f} s, {cpu / count * 1000:.1f} ms a statement; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished workers."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


if __name__ == "__main__":
    main()
