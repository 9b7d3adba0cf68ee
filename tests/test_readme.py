"""The README's commands run as written: the demo run of the first command, and HR's walk-through of
September and October (set the store up, create, approve, lock, export, statements, mark paid)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def checkout(folder: Path) -> Path:
    """The files the README's commands read, and a `.venv/bin/commission` that runs this package."""
    for name in ("policies", "sample_data"):
        shutil.copytree(REPO / name, folder / name)
    bin_folder = folder / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    (bin_folder / "commission").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m commission "$@"\n',
                                           encoding="utf-8")
    (bin_folder / "commission").chmod(0o755)
    return folder


def run(script: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, capture_output=True, text=True,
                          timeout=600)


def test_the_first_command_pays_september(tmp_path):
    first = sh_blocks()[0].strip()
    demo = first[first.index(".venv/bin/commission run"):]  # after setting up the environment
    done = run(demo, checkout(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "net payout 344,249.73 CNY" in done.stdout
    assert (tmp_path / "reports" / "2026-09" / "payouts.csv").is_file()


def test_hr_walks_through_september_and_october_as_written(tmp_path):
    walk = next(block for block in sh_blocks() if "commission setup" in block)
    done = run(walk, checkout(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for month, total in (("2026-09", "344249.73"), ("2026-10", "269671.09")):
        control = {r["item"]: r["value"] for r in csv.DictReader(open(tmp_path / "payroll" / f"{month}.control.csv",
                                                                      encoding="utf-8"))}
        assert control["total"] == total
        assert control["controls"].endswith("batches are approved without a second person")
        assert len(list((tmp_path / "statements" / month).glob("*.xlsx"))) > 30
    assert "batch 2: payout for 2026-10" in done.stdout
    assert "batch 2 is paid" in done.stdout
