"""Engine layer: pure functions from (plans, validated input frames, period) to a RunResult, one rule
registry (engine.rules) for every kind of component and adjustment. No files, no clock, no options."""

from .context import SideInputs
from .payroll import kept_balances, pay_period, pay_plan
from .result import (AWARD_COLUMNS, AWARD_MONEY_COLUMNS, ITEM_MONEY_COLUMNS, LINE_MONEY_COLUMNS, PAYOUT_MONEY_COLUMNS,
                     SKIPPED_MONEY_COLUMNS, RunResult)

__all__ = ["AWARD_COLUMNS", "AWARD_MONEY_COLUMNS", "ITEM_MONEY_COLUMNS", "LINE_MONEY_COLUMNS", "PAYOUT_MONEY_COLUMNS",
           "RunResult", "SKIPPED_MONEY_COLUMNS", "SideInputs", "kept_balances", "pay_period", "pay_plan"]
