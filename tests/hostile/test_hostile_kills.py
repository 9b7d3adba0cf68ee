"""Killed at any moment, `run` and `batch create` leave --out as the old or the new complete folder,
and the batch store consistent with the folders; the next command finishes or removes what the
killed one left behind.

Kills come two ways: SIGKILL after a random delay, and exits at named steps of the atomic
replace (COMMISSION_CRASH_AT, a test hook), including between the two renames of the fallback
used where the system cannot swap two folders in one step.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "tests" / "fixtures" / "bad_policies" / "valid_plan.yaml"
HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"
#: Runs the CLI with the one-step swap disabled, as on a system without renameat2.
WITHOUT_EXCHANGE = ("import sys, commission.outputs.atomic as atomic; atomic._exchange = lambda a, b: False; "
                    "from commission.cli import main; sys.argv[0] = 'commission'; main()")


def ledger(folder: Path, amount: str) -> Path:
    path = folder / f"ledger-{amount}.csv"
    path.write_text(f"{HEADER}\nP1,C1,A0001,2026-10-03,{amount},10,4000\nP2,C2,A0002,2026-10-04,250.00,40,9000\n",
                    encoding="utf-8")
    return path


def command(*args, crash_at: str | None = None, exchange: bool = True) -> list[str]:
    program = ["-m", "commission"] if exchange else ["-c", WITHOUT_EXCHANGE]
    return [sys.executable, *program, *map(str, args)]


def environment(crash_at: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "COMMISSION_CRASH_AT"}
    if crash_at:
        env["COMMISSION_CRASH_AT"] = crash_at
    return env


def run_args(ledger_path: Path, out: Path) -> list:
    return ["run", "--policy", POLICY, "--ledger", ledger_path, "--period", "2026-10", "--first-period", "--out", out]


def complete(folder: Path) -> str:
    """The folder's manifest text, after checking that every output it lists is there, unchanged, and
    that nothing else is: the folder is one command's whole output."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert files == set(manifest["outputs"]), f"{folder}: files differ from the manifest's"
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{folder}/{name} changed"
    return (folder / "manifest.json").read_text(encoding="utf-8")


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture
def old_and_new(tmp_path):
    """An --out holding a complete earlier run (old), and the manifest the rerun writes (new)."""
    out = tmp_path / "work" / "out"
    out.parent.mkdir()
    first, second = ledger(tmp_path, "100.00"), ledger(tmp_path, "900.00")
    assert subprocess.run(command(*run_args(first, out)), capture_output=True).returncode == 0
    reference = tmp_path / "reference"
    assert subprocess.run(command(*run_args(second, reference)), capture_output=True).returncode == 0
    return out, complete(out), second, json.loads(complete(reference))["totals"]


def _is_old_or_new(out: Path, old: str, new_totals: dict) -> str:
    text = complete(out)
    if text == old:
        return "old"
    assert json.loads(text)["totals"] == new_totals
    return "new"


@pytest.mark.parametrize("step,exchange,expect", [
    ("staged", True, "old"), ("exchanged", True, "new"), ("staged", False, "old"), ("aside", False, "old")])
def test_a_run_that_dies_at_each_step_leaves_the_old_or_the_new_folder(old_and_new, step, exchange, expect):
    out, old, second, new_totals = old_and_new
    died = subprocess.run(command(*run_args(second, out), exchange=exchange), env=environment(step),
                          capture_output=True)
    assert died.returncode == 70, died.stderr
    # Between the renames of the fallback nothing is at --out: the next command puts the old folder back
    # (and would then replace it); here a command that only checks the folder does the tidying.
    refused = subprocess.run(command(*run_args(second, out), "--period", "2026-11"), capture_output=True)
    assert refused.returncode == 2
    assert _is_old_or_new(out, old, new_totals) == expect
    assert leftovers(out.parent) == []


def test_a_run_killed_at_random_moments_leaves_the_old_or_the_new_folder(old_and_new):
    out, old, second, new_totals = old_and_new
    seen = set()
    for attempt in range(6):
        process = subprocess.Popen(command(*run_args(second, out), exchange=attempt % 2 == 0),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0.2, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        subprocess.run(command(*run_args(second, out), "--period", "2026-11"), capture_output=True)  # tidies
        seen.add(_is_old_or_new(out, old, new_totals))
        assert leftovers(out.parent) == []
    assert seen  # which of the two depends on timing; both are complete folders


def batch_args(ledger_path: Path, out: Path, db: Path) -> list:
    return ["batch", "create", "--policy", POLICY, "--ledger", ledger_path, "--period", "2026-10", "--first-period",
            "--out", out, "--db", db]


def stored_batches(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT id, reports, reports_token FROM batches").fetchall()


def assert_store_matches_folders(db: Path) -> None:
    """Every stored batch has its complete reports folder, carrying its id and token."""
    for batch_id, reports, token in stored_batches(db):
        manifest = json.loads(complete(Path(reports)))
        assert manifest["owner"] == {"command": "batch", "batch_id": batch_id, "token": token}


@pytest.mark.parametrize("step", ["staged", "published", None])
def test_a_batch_create_that_dies_leaves_the_store_and_the_folder_consistent(tmp_path, step):
    db, out = tmp_path / "store.db", tmp_path / "batches" / "2026-10"
    source = ledger(tmp_path, "100.00")
    assert subprocess.run(command("batch", "list", "--db", db), capture_output=True).returncode == 2  # no store yet
    assert subprocess.run(command("setup", "--single-operator", "--db", db), capture_output=True).returncode == 0
    if step is None:  # killed at a random moment instead
        process = subprocess.Popen(command(*batch_args(source, out, db)), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
    else:
        died = subprocess.run(command(*batch_args(source, out, db)), env=environment(step), capture_output=True)
        assert died.returncode == 70, died.stderr
    assert_store_matches_folders(db)
    again = subprocess.run(command(*batch_args(source, out, db)), capture_output=True, text=True)
    if stored_batches(db) and again.returncode == 2:
        assert "holds the reports of batch 1" in again.stderr or "still draft" in again.stderr
    else:
        assert again.returncode == 0, again.stderr
    assert_store_matches_folders(db)
    assert len(stored_batches(db)) == 1
    assert leftovers(out.parent) == []


def _children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, ...
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in Linux's /proc")
def test_statements_killed_with_sigkill_leave_no_worker_behind(tmp_path):
    """SIGKILL runs no clean-up in the parent: its workers must end by themselves, at once."""
    sample = REPO / "sample_data"
    run = tmp_path / "run"
    assert subprocess.run(command("run", "--policy", REPO / "policies", "--ledger", sample / "ledger.csv",
                                  "--roster", sample / "roster.csv", "--targets", sample / "targets.csv",
                                  "--assignments", sample / "assignments.csv", "--events", sample / "events.csv",
                                  "--state", sample / "state-2026-08.json",
                                  "--period", "2026-09", "--out", run), capture_output=True).returncode == 0
    parent = subprocess.Popen(command("statements", "--run", run, "--out", tmp_path / "st", "--jobs", "2"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
        workers = _children(parent.pid)
        time.sleep(0.005)
    assert len(workers) == 2, "the statements' two workers never started"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # the test's own processes: never leave them running
        os.kill(pid, signal.SIGKILL)
    assert not left, "a worker outlived its killed parent"
    assert not (tmp_path / "st").exists()
