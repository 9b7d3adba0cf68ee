"""Engine layer: pure functions from (policy, input frames, period) to a RunResult. No file I/O."""

from .result import ITEM_MONEY_COLUMNS, LINE_MONEY_COLUMNS, PAYOUT_MONEY_COLUMNS, RunResult
from .context import SideInputs
from .payroll import compute, compute_payroll

__all__ = ["ITEM_MONEY_COLUMNS", "LINE_MONEY_COLUMNS", "PAYOUT_MONEY_COLUMNS", "RunResult", "SideInputs", "compute",
           "compute_payroll"]
