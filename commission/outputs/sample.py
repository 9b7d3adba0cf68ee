"""Write generated sample data as the files a real department would hand us (CSV, money as decimal text)."""

from __future__ import annotations

from pathlib import Path

from ..sample_data import SampleData
from .atomic import atomic_directory
from .tables import write_csv

LEDGER_MONEY = ("amount", "balance")
SAMPLE_FILES = ("ledger.csv", "roster.csv")


def write_sample(data: SampleData, out_dir: str | Path, minor_units: int = 2) -> Path:
    with atomic_directory(out_dir, SAMPLE_FILES) as staging:
        write_csv(data.ledger, staging / "ledger.csv", LEDGER_MONEY, minor_units)
        write_csv(data.roster, staging / "roster.csv", (), minor_units)
    return Path(out_dir)
