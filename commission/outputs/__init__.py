"""Outputs layer: a run's report files (payouts, lineage, manifest, state, payroll export), written
atomically into folders that say whose they are, and read back."""

from .atomic import atomic_directory
from .run_report import write_run

__all__ = ["atomic_directory", "write_run"]
