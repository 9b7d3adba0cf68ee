"""Inputs layer: readers for CSV / XLSX / Parquet, column contracts, validation with row numbers."""

from .ledger import REQUIRED_COLUMNS, InputFile, Ledger, expand_paths, load_ledger, plan_columns
from .roster import Roster, check_roster_covers, load_roster
from .side import SideTable, StateFile, combined, load_events, load_period_values, load_state, state_digest
from .tables import RawTable, read_table, sha256_of

__all__ = ["REQUIRED_COLUMNS", "InputFile", "Ledger", "Roster", "RawTable", "SideTable", "StateFile", "check_roster_covers", "combined",
           "expand_paths", "load_events", "load_ledger", "load_period_values", "load_roster", "load_state",
           "plan_columns", "read_table", "sha256_of", "state_digest"]
