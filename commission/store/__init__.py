"""The batch store: payout batches, their rows, balances, files and append-only events, and the users
who act on them, in a SQL database (SQLite or PostgreSQL, through SQLAlchemy and Alembic)."""

from .archive import INPUT, REPORT, file_list, keep_files, restore_files
from .batches import (CLOSED, EXPORTABLE, NewBatch, batch_exports, batch_payouts, check_period_free,
                      correction_amounts, create_batch, diff_batches, diff_paid, export_rows, get_batch, history,
                      list_batches, load_opening_ytd, open_batch, opening_balances, paid_for, pay_history,
                      record_export, reports_stored, set_lines_sha256, transition, year_to_date)
from .database import open_store
from .errors import NotFound, StoreError
from .events import event_lines, format_time, log
from .users import (ROLES, SINGLE_OPERATOR, TWO_PERSON, Setup, User, add_user, all_users, disable_user, get_user,
                    set_roles, set_up, setup)

__all__ = ["CLOSED", "EXPORTABLE", "INPUT", "REPORT", "ROLES", "SINGLE_OPERATOR", "TWO_PERSON", "NewBatch", "NotFound",
           "Setup",
           "StoreError", "User", "add_user", "all_users", "batch_exports", "batch_payouts", "check_period_free",
           "correction_amounts",
           "create_batch", "diff_batches", "diff_paid", "disable_user", "event_lines", "export_rows", "file_list",
           "format_time", "get_batch", "get_user", "history", "keep_files", "list_batches", "load_opening_ytd",
           "log", "open_batch", "open_store", "opening_balances", "paid_for", "pay_history", "record_export",
           "reports_stored", "restore_files", "set_lines_sha256", "set_roles", "set_up", "setup", "transition",
           "year_to_date"]
