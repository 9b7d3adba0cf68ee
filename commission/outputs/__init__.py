"""Outputs layer: payout files, lineage, manifests (and later statements, batch store, comparisons)."""

from .atomic import atomic_directory
from .run_report import write_run

__all__ = ["atomic_directory", "write_run"]
