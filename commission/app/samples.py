"""Synthetic data sets for demos and tests (no real people)."""

from __future__ import annotations

from pathlib import Path

from ..periods import Period
from ..sample.files import write_sample
from ..sample.generator import SampleData, generate


def make_sample(collectors: int, months: int, seed: int, first_month: str, out_dir: Path) -> tuple[SampleData, Path]:
    """Generate a ledger, roster and side files for `months` months from `first_month`, and write them."""
    Period.parse(first_month)
    data = generate(collectors=collectors, months=months, seed=seed, first_month=first_month)
    return data, write_sample(data, out_dir)
