"""`commission run` on a Dask cluster: the partitions (app.partitioned) paid on the LocalCluster's 2
workers give the in-memory run's reports byte for byte; a worker killed under a task is replaced and the
run's reports are still those bytes; a task that kills every worker ends in one message and writes nothing."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.app.cluster import DASK, Engine, task_map
from commission.app.inputs import InputPaths
from commission.app.partitioned import pay_partition, run_partitioned
from commission.app.runs import RunRequest
from commission.cli import main
from commission.errors import InputError
from commission.periods import Period

from .test_cluster import NO_WORKER_SURVIVES, always_dies, kill_if_first

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
SEPTEMBER = ["--policy", str(ROOT / "policies"), "--ledger", str(SAMPLE / "ledger.csv"), "--roster",
             str(SAMPLE / "roster.csv"), "--targets", str(SAMPLE / "targets.csv"), "--assignments",
             str(SAMPLE / "assignments.csv"), "--events", str(SAMPLE / "events.csv"), "--state",
             str(SAMPLE / "state-2026-08.json"), "--period", "2026-09", "--lines", "both"]


def every_file(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def in_memory(tmp_path_factory) -> dict:
    """September of the sample data as `commission run` pays it in memory, here."""
    out = tmp_path_factory.mktemp("in-memory") / "reports"
    result = CliRunner().invoke(main, ["run", *SEPTEMBER, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return every_file(out)


@pytest.mark.parametrize("partitions", [[], ["--partitions", "3"]], ids=["one-per-worker", "three"])
def test_a_run_on_the_cluster_writes_the_in_memory_runs_bytes(in_memory, tmp_path, address, partitions):
    result = CliRunner().invoke(main, ["run", *SEPTEMBER, "--out", str(tmp_path / "out"), "--cluster", address,
                                       *partitions])
    assert result.exit_code == 0, result.output
    written = every_file(tmp_path / "out")
    assert {"payouts.csv", "lines.csv", "lines.parquet", "manifest.json", "state.json"} <= set(written)
    assert written == in_memory


def test_the_partitions_pay_what_a_person_works_out(tmp_path, address):
    (tmp_path / "plan.yaml").write_text("plan: flat\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\n"
                                        "components:\n  - id: base\n    kind: line_rate\n    rates:\n"
                                        "      - {rate: 5%}\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(
        "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance\n"
        "P1,C1,A0000001,2026-09-05,1000.00,10,5000\n"
        "P2,C2,A0000002,2026-09-06,4000.00,10,5000\n"
        "P3,C3,A0000003,2026-09-07,2000.10,10,5000\n"
        "P4,C1,A0000004,2026-09-08,3000.00,10,5000\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                       str(tmp_path / "ledger.csv"), "--period", "2026-09", "--first-period",
                                       "--out", str(tmp_path / "out"), "--cluster", address, "--partitions", "3"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "payouts.csv").open(encoding="utf-8", newline="") as payouts:
        paid = {row["collector_id"]: Decimal(row["net_payout"]) for row in csv.DictReader(payouts)}
    # 5% of 4,000.00 (C1: 1,000.00 + 3,000.00), of 4,000.00, of 2,000.10 (100.005, half up)
    assert paid == {"C1": Decimal("200.00"), "C2": Decimal("200.00"), "C3": Decimal("100.01")}


def september(out: Path) -> tuple[RunRequest, Path]:
    return RunRequest(InputPaths(policies=[ROOT / "policies"], ledgers=[SAMPLE / "ledger.csv"],
                                 roster=SAMPLE / "roster.csv", targets=[SAMPLE / "targets.csv"],
                                 assignments=[SAMPLE / "assignments.csv"], events=[SAMPLE / "events.csv"]),
                      Period.parse("2026-09"), state=SAMPLE / "state-2026-08.json"), out


def killing_first(shared, item):
    """A task of the run, but the first partition paid kills its worker process (once), while the other
    worker pays another partition."""
    marker, fn = shared
    if fn is pay_partition:
        kill_if_first(marker)
    return fn(item)


def test_a_worker_killed_mid_run_is_replaced_and_the_reports_are_the_same(in_memory, tmp_path, address):
    marker = str(tmp_path / "killed")
    request, out = september(tmp_path / "out")
    with task_map(Engine(DASK, address)) as tasks:
        run_partitioned(request, out, 3, lines_csv=True, lines_parquet=True,
                        map_partitions=lambda fn, items: tasks(killing_first, items, shared=(marker, fn)))
    assert Path(marker).exists()
    assert every_file(out) == in_memory


def test_a_task_no_worker_survives_ends_in_one_message_and_writes_nothing(tmp_path, doomed_address):
    request, out = september(tmp_path / "out")
    with task_map(Engine(DASK, doomed_address)) as tasks:
        with pytest.raises(InputError) as caught:
            run_partitioned(request, out, 2, map_partitions=lambda fn, items: tasks(always_dies, items))
    assert any(why in str(caught.value) for why in NO_WORKER_SURVIVES)
    assert len(caught.value.problems) == 1
    assert list(tmp_path.iterdir()) == []  # no reports, and no scratch folder left beside them
