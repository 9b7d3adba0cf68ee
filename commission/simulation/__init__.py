"""Scheme simulation for managers: candidate plans run on the same real history and compared.

`replay` runs each plan over the months of a loaded history, `compare` derives costs, per-collector
differences, winners and losers and the pay distribution, `sweep` varies plan numbers over a grid,
`curves` draws pay against recovery, `behaviour` adds the optional elasticity what-if, `lint` checks
a plan's incentives, and `report` puts them together; these are pure (no files, no clock).
`report_files` and `charts` write the comparison workbook, HTML and charts."""

from .lint import CODES as LINT_CODES
from .lint import LintWarning, lint_policy
from .report import Comparison, build_comparison
from .replay import Candidate, History, Simulation, candidates_of, prepare_history, simulate, simulated_months
from .sweep import Sweep, parse_sweep

__all__ = ["LINT_CODES", "Candidate", "Comparison", "History", "LintWarning", "Simulation", "Sweep",
           "build_comparison", "candidates_of", "lint_policy", "parse_sweep", "prepare_history", "simulate",
           "simulated_months"]
