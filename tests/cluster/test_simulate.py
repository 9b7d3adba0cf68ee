"""`commission simulate` on a Dask cluster: the plans and the sweep's points run on the LocalCluster's 2
workers and the report is the same, byte for byte, as the one simulated here; options the cluster cannot
run, or a scheduler that does not answer, end in one message and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.app.cluster import DASK, Engine
from commission.app.inputs import InputPaths
from commission.app.simulation import SimulationRequest, simulate_plans
from commission.cli import main

from .test_cluster import free_port

#: 10,000.00 recovered over two months by two collectors.
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A0000001,2026-07-05,1000.00,10,5000
P2,C2,A0000002,2026-07-20,3000.00,40,5000
P3,C1,A0000003,2026-08-03,2000.00,70,5000
P4,C2,A0000004,2026-08-09,4000.00,100,5000
"""


def flat(plan: str, rate: str) -> str:
    return (f"plan: {plan}\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\ncomponents:\n  - id: base\n"
            f"    kind: line_rate\n    rates:\n      - {{rate: {rate}}}\n")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    for name, text in (("ledger.csv", LEDGER), ("today.yaml", flat("today", "5%")),
                       ("higher.yaml", flat("higher", "8%"))):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


SWEEP = "components.base.rates[0].rate=3%..6%:1%"


def simulated(files: Path, out: Path, engine: Engine):
    request = SimulationRequest(InputPaths(policies=[files / "today.yaml"], ledgers=[files / "ledger.csv"]),
                                candidates=[files / "higher.yaml"])
    return simulate_plans(request, out, sweeps=[SWEEP], elasticity="1.5", lang="en", engine=engine)


def every_file(folder: Path) -> dict:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_sweep_on_the_cluster_is_the_local_sweep_byte_for_byte(files, tmp_path, address):
    here = simulated(files, tmp_path / "here", Engine())
    there = simulated(files, tmp_path / "there", Engine(DASK, address))
    # 10,000.00 at 3%, 4%, 5%, 6% of the candidate's rate; today pays 5%: 500.00
    for report in (here, there):
        table = report.comparison.sweep.table
        assert table["value1"].tolist() == ["3%", "4%", "5%", "6%"]
        assert table["cost"].tolist() == [30000, 40000, 50000, 60000]
        assert table["change_in_cost"].tolist() == [-20000, -10000, 0, 10000]
        assert report.comparison.summary["cost"].tolist() == [50000, 80000]  # today 5%, the candidate 8%
    files_here, files_there = every_file(tmp_path / "here"), every_file(tmp_path / "there")
    assert {"comparison.xlsx", "comparison.html", "lint.txt", "charts/sweep.png"} <= set(files_here)
    assert files_there == files_here


def command(files: Path, out: Path, *more: str) -> list[str]:
    return ["simulate", "--policy", str(files / "today.yaml"), "--candidate", str(files / "higher.yaml"),
            "--ledger", str(files / "ledger.csv"), "--sweep", SWEEP, "--lang", "en", "--out", str(out), *more]


def test_the_command_runs_on_the_cluster_at_an_address(files, tmp_path, address):
    result = CliRunner().invoke(main, command(files, tmp_path / "out", "--cluster", address))
    assert result.exit_code == 0, result.output
    assert "higher v1: cost 800.00 CNY, cost-to-collect 8.00%; +300.00 (+60.00%)" in result.output
    assert (tmp_path / "out" / "comparison.xlsx").exists()


def test_engine_dask_without_an_address_starts_a_local_cluster(files, tmp_path, cluster):
    result = CliRunner().invoke(main, command(files, tmp_path / "out", "--engine", "dask"))
    assert result.exit_code == 0, result.output
    assert "today: cost 500.00 CNY, cost-to-collect 5.00%, on 10,000.00 recovered" in result.output


@pytest.mark.parametrize("options, says", [
    (["--engine", "local", "--cluster", "tcp://127.0.0.1:8786"],
     "--cluster: runs on a Dask cluster; leave out --engine local, or --cluster\n"),
    (["--cluster", "127.0.0.1"], "--cluster: 127.0.0.1 is not a scheduler address; write tcp://HOST:PORT, "),
])
def test_options_a_cluster_cannot_run_exit_2_before_any_work(files, tmp_path, options, says):
    result = CliRunner().invoke(main, command(files, tmp_path / "out", *options))
    assert result.exit_code == 2
    assert result.output.startswith(says)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_scheduler_that_does_not_answer_exits_2_naming_it_and_writes_nothing(with_dask, files, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr("commission.app.cluster.CONNECT_SECONDS", 1)
    nowhere = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(main, command(files, tmp_path / "out", "--cluster", nowhere))
    assert result.exit_code == 2
    assert result.output == (f"--cluster: {nowhere}: no Dask scheduler answered there within 1 s; start one with "
                             f"`dask scheduler` and workers with `dask worker {nowhere}`\n"
                             "error: 1 problem; nothing was written\n")
    assert not (tmp_path / "out").exists()
