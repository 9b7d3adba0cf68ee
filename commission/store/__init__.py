"""The batch store: payout batches, their rows, balances and append-only events in a SQL database
(SQLite or PostgreSQL, through SQLAlchemy and Alembic)."""

from .batches import (NewBatch, StoreError, batch_events, batch_payouts, check_period_free, correction_amounts,
                      create_batch, diff_batches, diff_paid, export_rows, format_time, get_batch, history,
                      list_batches, open_batch, opening_balances, paid_for, record_export, reports_stored,
                      set_lines_sha256, transition, year_to_date)
from .database import open_store

__all__ = ["NewBatch", "StoreError", "batch_events", "batch_payouts", "check_period_free", "correction_amounts",
           "create_batch", "diff_batches", "diff_paid", "export_rows", "format_time", "get_batch", "history",
           "list_batches", "open_batch", "open_store", "opening_balances", "paid_for", "record_export",
           "reports_stored", "set_lines_sha256", "transition", "year_to_date"]
