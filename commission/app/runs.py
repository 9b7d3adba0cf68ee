"""Running a pay period: load every input once, check the state carried in, compute everyone's pay, and
write the reports into a folder this command owns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

import pandas as pd

from ..engine import RunResult, SideInputs, pay_period
from ..errors import InputError, Problem, ProblemCollector, option
from ..inputs import InputFile, StateFile, load_state
from ..outputs.owners import MANIFEST, STATEMENTS_INDEX, owner_of, run_folder
from ..outputs.run_report import REPORT_FILES, write_run
from ..periods import Period
from ..policy import Policy, load_policies
from .inputs import InputPaths, load_inputs, missing_inputs


@dataclass(frozen=True)
class RunRequest:
    """What a run of one period reads and how: its files, the state carried in (or a first period), a
    reason for a hand-edited state, and whether a period without repayments is meant."""

    inputs: InputPaths
    period: Period
    state: Optional[Path] = None
    state_edited: Optional[str] = None  # why the state file was changed by hand, when it was
    first_period: bool = False
    allow_no_repayments: bool = False


@dataclass(frozen=True)
class PeriodRun:
    """A computed period: the plans given, the result, every input read, and facts for the manifest."""

    policies: tuple[Policy, ...]
    result: RunResult
    inputs: list[InputFile]
    notes: dict = field(default_factory=dict)  # an edited state and why


def compute_period(request: RunRequest, opening: Optional[tuple[Period, pd.DataFrame]] = None) -> PeriodRun:
    """Load and validate every input, then pay the period. `opening` (period, balances) stands in for the
    state file when the batch store keeps the balances. Any plan may carry a balance (a clawback larger
    than the period's pay), so a run needs the previous state unless it is a first period (balances
    start from zero). The files are read even when the request has problems, so one attempt lists them all."""
    problems = ProblemCollector()
    policies = request_problems(request, opening, problems)
    inputs = problems.attempt(load_inputs, request.inputs, policies) if policies is not None else None
    problems.raise_if_any()
    side, state_file, notes = opening_side(request, policies, inputs, opening)
    result = pay_period(policies, inputs.ledger.frame, request.period, inputs.roster_frame, side,
                        request.allow_no_repayments)
    return period_run(policies, result, inputs.files, state_file, notes)


def opening_side(request: RunRequest, policies, inputs, opening) -> tuple[SideInputs, Optional[InputFile], dict]:
    """The side inputs the engine reads, with the balances carried in (the state file's, or `opening`'s),
    the state file read, and notes on a hand edit."""
    state_file, notes = None, {}
    if opening is None and request.state:
        loaded = load_state(request.state, policies[0].minor_units, policies[0].currency)
        notes = state_edit_notes(loaded, request.state_edited)
        opening, state_file = (loaded.period, loaded.frame), loaded.file
    source = state_file.path if state_file else f"the batch store's balances after {opening[0]}" if opening else ""
    side = replace(inputs.side(), state=opening[1] if opening else None, state_period=opening[0] if opening else None,
                   state_source=source)
    return side, state_file, notes


def period_run(policies, result: RunResult, files, state_file, notes: dict) -> PeriodRun:
    """The PeriodRun of a computed result: a hand-edited state is the first warning."""
    if notes:
        result = replace(result, warnings=(f"the state file was edited by hand ({notes['state_edited']['how']}): "
                                           f"{notes['state_edited']['reason']}", *result.warnings))
    return PeriodRun(policies, result, [*files, *([state_file] if state_file else [])], notes)


def check_request(request: RunRequest, opening=None) -> tuple[Policy, ...]:
    """The plans of a run, once its options agree (a state or a first period, a reason only for a state) and
    every input its plans read in the period is given; every problem of these at once."""
    problems = ProblemCollector()
    policies = request_problems(request, opening, problems)
    problems.raise_if_any()
    return policies


def request_problems(request: RunRequest, opening, problems: ProblemCollector) -> Optional[tuple[Policy, ...]]:
    """The plans of a run (None when they have problems), adding to `problems` those of the request:
    options that disagree, inputs its plans read in the period and not given."""
    if request.state is not None and request.first_period:
        problems.add("", "", f"a first period starts from zero balances; give either {option('state')} "
                     f"or {option('first-period')}, not both", role="state")
    if request.state_edited is not None and request.state is None:
        problems.add("", "", f"says why a state file was edited; give it with {option('state')}", role="state-edited")
    if opening is None and request.state is None and not request.first_period:
        problems.add("", "", "pay carries balances from period to period (negative balances after clawbacks, and "
                     f"any holdbacks, draws or held pay): give {option('state')} with the state.json of the "
                     f"previous period's run, or {option('first-period')} if balances start from zero now",
                     role="state")
    policies = problems.attempt(load_policies, request.inputs.policies)
    if policies is not None:
        missing_inputs(request.inputs, policies, request.period, problems)
    return policies


def run_period(request: RunRequest, out_dir: Path, lines_csv: bool = True,
               lines_parquet: bool = False) -> tuple[PeriodRun, Path]:
    """Compute the period and write its reports to `out_dir`, all files or none. The folder is checked
    before the work: a run replaces only its own earlier reports of the same period."""
    may_replace = run_folder(str(request.period), REPORT_FILES)
    may_replace(Path(out_dir))
    run = compute_period(request)
    folder = write_run(run.result, run.policies, run.inputs, out_dir, may_replace=may_replace, notes=run.notes,
                       lines_csv=lines_csv, lines_parquet=lines_parquet)
    return run, folder


def statements_replaced(out_dir: Path, period: Period) -> int:
    """How many statements, made from the earlier reports of `period` in `out_dir`, a run there replaces
    with them: they would no longer agree with the new reports, so they go, and the user is told."""
    folder = Path(out_dir) / "statements"
    if owner_of(Path(out_dir), MANIFEST) != {"command": "run", "period": str(period)} \
            or owner_of(folder, STATEMENTS_INDEX) is None:
        return 0
    return sum(1 for _ in folder.glob("*.xlsx"))


def state_edit_notes(state: StateFile, reason: Optional[str]) -> dict:
    """A state file changed after its run wrote it is used only when the user says why, and the
    reason goes into the manifest; an intact file needs no reason (so the flag is never routine)."""
    if state.intact and reason is not None:
        raise InputError([Problem(state.file.path, "", "the state file is as its run wrote it; "
                                  f"leave out {option('state-edited')}", role="state-edited")])
    if state.intact:
        return {}
    if not (reason or "").strip():
        raise InputError([Problem(state.file.path, "", f"was changed after its run wrote it: {state.changed}; "
                                  "use the state.json the previous run wrote, or, if the change is meant, say why "
                                  f"with {option('state-edited')} 'REASON' (recorded in the manifest)", role="state")])
    return {"state_edited": {"reason": reason.strip(), "how": state.changed, "sha256": state.file.sha256}}
