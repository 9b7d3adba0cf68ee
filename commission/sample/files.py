"""Write generated sample data as the files a real department would hand us (CSV, money as decimal text)."""

from __future__ import annotations

from pathlib import Path

from .generator import SampleData
from ..outputs.atomic import atomic_directory
from ..outputs.owners import only_files
from ..outputs.tables import write_csv

LEDGER_MONEY = ("amount", "balance")
TARGET_MONEY = ("target",)
ASSIGNMENT_MONEY = ("assigned_balance",)
SAMPLE_FILES = ("ledger.csv", "roster.csv", "targets.csv", "assignments.csv", "events.csv")


def write_sample(data: SampleData, out_dir: str | Path, minor_units: int = 2) -> Path:
    """Write every frame of `data` into `out_dir`: all files or none (an earlier sample is replaced)."""
    with atomic_directory(out_dir, only_files(SAMPLE_FILES)) as staging:
        write_csv(data.ledger, staging / "ledger.csv", LEDGER_MONEY, minor_units)
        write_csv(data.roster, staging / "roster.csv", (), minor_units)
        write_csv(data.targets, staging / "targets.csv", TARGET_MONEY, minor_units)
        write_csv(data.assignments, staging / "assignments.csv", ASSIGNMENT_MONEY, minor_units)
        write_csv(data.events, staging / "events.csv", (), minor_units)
    return Path(out_dir)
