"""Scheme simulation for managers: what is paid today compared with candidate plans on the same real history.

`replay` holds the scenarios, the history loaded once and the months, `scenarios` pays today (the roster's
plans, by effective date) and each candidate the same way, through the engine's own pay_period, `compare`
derives costs, per-collector and per-team differences, winners and losers and the pay distribution,
`sweep` varies plan numbers over a grid, `curves` draws pay against recovery, `behaviour` adds the
optional elasticity what-if, `lint` checks a plan's incentives, and `report` puts them together; these
are pure (no files, no clock). `report_files`, `workbook` and `charts` write the comparison workbook,
HTML, charts and lint.txt; `fonts` finds the fonts charts draw Chinese with.
"""

from .lint import CODES as LINT_CODES
from .lint import LintWarning, lint_policy
from .replay import (Candidate, History, Scenario, candidates_of, everyone, prepare_history, replacement,
                     simulated_months, today_scenario)
from .report import Comparison, build_comparison
from .scenarios import Opening, Simulation, simulate
from .sweep import Sweep, parse_sweep

__all__ = ["LINT_CODES", "Candidate", "Comparison", "History", "LintWarning", "Opening", "Scenario", "Simulation",
           "Sweep", "build_comparison", "candidates_of", "everyone", "lint_policy", "parse_sweep", "prepare_history",
           "replacement", "simulate", "simulated_months", "today_scenario"]
