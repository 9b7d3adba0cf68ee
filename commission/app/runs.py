"""Wiring for the commands that compute payouts (`run`, `batch create`): read every input the
options name, compute the payroll, and say what went in. No business rules here: the policy,
inputs and engine layers hold them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from ..engine import RunResult, SideInputs, compute_payroll
from ..errors import InputError, Problem, option
from ..inputs import (InputFile, StateFile, check_roster_covers, load_events, load_ledger, load_period_values, load_roster,
                     load_state)
from ..periods import Period
from ..policy import Policy, load_policies


@dataclass(frozen=True)
class RunRequest:
    """The files a run reads, as the user named them."""

    policies: Sequence[Path]
    ledgers: Sequence[Path]
    period: Period
    roster: Optional[Path] = None
    targets: Optional[Path] = None
    assignments: Optional[Path] = None
    events: Optional[Path] = None
    state: Optional[Path] = None
    state_edited: Optional[str] = None  # why the state file was changed by hand, when it was
    allow_no_repayments: bool = False


@dataclass(frozen=True)
class Computed:
    policies: tuple[Policy, ...]
    result: RunResult
    inputs: list[InputFile]
    notes: dict = field(default_factory=dict)  # facts for the manifest (an edited state and why)


def compute_request(request: RunRequest, state: Optional[tuple[Period, pd.DataFrame]] = None,
                    first_period: bool = False) -> Computed:
    """Load and validate every input, then compute. `state` (period, balances) overrides the state file,
    for the batch store, which keeps balances itself. Any plan may carry a balance (a clawback
    larger than the period's pay), so a run needs the previous state unless this is the
    `first_period` (balances start from zero)."""
    if request.state is not None and first_period:
        raise InputError([Problem("", "", f"a first period starts from zero balances; give either {option('state')} "
                                  f"or {option('first-period')}, not both", role="state")])
    if request.state_edited is not None and request.state is None:
        raise InputError([Problem("", "", f"says why a state file was edited; give it with {option('state')}", role="state-edited")])
    policies = load_policies(request.policies)
    if state is None and request.state is None and not first_period:
        raise InputError([Problem("", "", "pay carries balances from period to period (negative balances "
                                  f"after clawbacks, and any holdbacks, draws or held pay): give {option('state')} with the "
                                  f"state.json of the previous period's run, or {option('first-period')} if balances start "
                                  "from zero now", role="state")])
    minor = policies[0].minor_units
    key_columns = list(dict.fromkeys(column for p in policies for column in p.ledger_columns()))
    ledger = load_ledger(request.ledgers, minor, key_columns)
    roster = load_roster(request.roster) if request.roster else None
    if roster is not None:
        check_roster_covers(ledger, roster)
    targets = load_period_values(request.targets, "targets", "target", minor) if request.targets else None
    assignments = load_period_values(request.assignments, "assignments", "assigned_balance", minor) \
        if request.assignments else None
    events = load_events(request.events) if request.events else None
    state_file, notes = None, {}
    if state is None and request.state:
        loaded = load_state(request.state, minor, policies[0].currency)
        check_state(loaded.frame, policies, loaded.file.path)
        notes = state_edit_notes(loaded, request.state_edited)
        state, state_file = (loaded.period, loaded.frame), loaded.file
    side = SideInputs(targets=targets.frame if targets else None,
                      assignments=assignments.frame if assignments else None,
                      events=events.frame if events else None,
                      state=state[1] if state else None, state_period=state[0] if state else None)
    result = compute_payroll(policies, ledger.frame, request.period,
                             roster.frame if roster is not None else None, side, request.allow_no_repayments)
    inputs = [*ledger.files, *(t.file for t in (roster, targets, assignments, events) if t is not None),
              *([state_file] if state_file else [])]
    if notes:
        result = replace(result, warnings=(f"the state file was edited by hand ({notes['state_edited']['how']}): "
                                           f"{notes['state_edited']['reason']}", *result.warnings))
    return Computed(policies, result, inputs, notes)


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


def check_state(balances: pd.DataFrame, policies, source: str) -> None:
    """Every balance in a state file must be one these plans keep (a typo would silently lose money)."""
    known = {"carried", "draw", "held"} | {f"holdback:{a.id}" for p in policies for a in p.adjustments
                                           if a.kind == "holdback"}
    strangers = sorted(set(balances["balance"]) - known)
    if strangers:
        raise InputError([Problem(source, "balance", f"{', '.join(strangers)}: not a balance the plans given keep "
                                  f"(they keep: {', '.join(sorted(known))})")])
