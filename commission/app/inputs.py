"""One way to load a run's or a simulation's inputs: every file the user named, read and validated
once, whatever the interface, so `run`, batches and simulation see the same checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Optional, Sequence

import pandas as pd

from ..engine import SideInputs
from ..errors import ProblemCollector, option
from ..inputs import (InputFile, Ledger, Roster, SideTable, check_roster_covers, combined, load_events, load_ledger,
                      load_period_values, load_roster, plan_columns)
from ..periods import Period
from ..policy import Policy, plan_in_force


@dataclass(frozen=True)
class InputPaths:
    """The files of a run or a simulation, as the user named them (plans and ledgers: files or folders)."""

    policies: Sequence[Path]
    ledgers: Sequence[Path]
    roster: Optional[Path] = None
    targets: Sequence[Path] = ()  # each file may hold some periods (a month's targets); together, once each
    assignments: Sequence[Path] = ()
    events: Sequence[Path] = ()

    def side_files_given(self) -> bool:
        return bool(self.roster or self.targets or self.assignments or self.events)


@dataclass(frozen=True, eq=False)
class Inputs:
    """Validated inputs: the plans, the ledger, and each side file that was given (None otherwise)."""

    policies: tuple[Policy, ...]
    ledger: Ledger
    roster: Optional[Roster] = None
    targets: Optional[SideTable] = None
    assignments: Optional[SideTable] = None
    events: Optional[SideTable] = None

    @property
    def roster_frame(self) -> Optional[pd.DataFrame]:
        return self.roster.frame if self.roster is not None else None

    def side(self) -> SideInputs:
        """The side inputs the engine reads (no carried balances: a run adds its own)."""
        return SideInputs(targets=self.targets.frame if self.targets else None,
                          assignments=self.assignments.frame if self.assignments else None,
                          events=self.events.frame if self.events else None)

    @property
    def files(self) -> list[InputFile]:
        """The fingerprint of every file read, for the manifest."""
        side = [f for t in (self.targets, self.assignments, self.events) if t is not None for f in t.files]
        return [*self.ledger.files, *([self.roster.file] if self.roster is not None else []), *side]


def load_inputs(paths: InputPaths, policies: Sequence[Policy]) -> Inputs:
    """Read and validate the ledger and side files for `policies` (already loaded: a payroll's plans and
    a simulation's candidates are gathered differently). Every ledger collector must be on the roster;
    side files of one kind are read together, each key given once. Every file is read even when one
    has problems, so one attempt reports them all."""
    problems = ProblemCollector()
    ledger = problems.attempt(load_ledger, paths.ledgers, policies[0].minor_units, **plan_columns(policies))
    return load_side_files(paths, policies, ledger, check_roster_covers, problems)


def load_side_files(paths: InputPaths, policies: Sequence[Policy], ledger, covers,
                    problems: Optional[ProblemCollector] = None) -> Inputs:
    """The roster and side files of `paths`, with the `ledger` already read (a partitioned run reads it
    partition by partition: a stand-in; None when it had problems, kept in `problems`). `covers(ledger,
    roster)` checks that the roster names every ledger collector. Raises InputError with the problems of
    every file."""
    problems = ProblemCollector() if problems is None else problems
    minor = policies[0].minor_units
    roster = problems.attempt(load_roster, paths.roster) if paths.roster else None
    if roster is not None and ledger is not None:
        problems.attempt(covers, ledger, roster)

    def side(files, load, key):
        tables = [problems.attempt(load, path) for path in files]
        return combined(tables, key, problems) if tables and all(t is not None for t in tables) else None

    inputs = Inputs(
        policies=tuple(policies), ledger=ledger, roster=roster,
        targets=side(paths.targets, lambda f: load_period_values(f, "targets", "target", minor), PERIOD_KEY),
        assignments=side(paths.assignments, lambda f: load_period_values(f, "assignments", "assigned_balance", minor),
                         PERIOD_KEY),
        events=side(paths.events, load_events, ("event_id",)))
    problems.raise_if_any()
    return inputs


#: The side inputs a plan may read, in the order a run names them, and what a file of each holds.
SIDE_INPUTS = {"roster": "collector_id, name, team, employee_id, manager_id, plan",
               "targets": "collector_id, period, target",
               "assignments": "collector_id, period, assigned_balance",
               "events": "event_id, collector_id, date, type, severity, score"}


def missing_inputs(paths: InputPaths, policies: Sequence[Policy], period: Period, problems: ProblemCollector) -> None:
    """Add one problem for each side input the plans read in `period` and `paths` does not give, naming what
    reads it, so a run lists every missing input at once: a roster when several plans are given (its plan
    column says who is on which) or a plan pays team leads, targets or assignments for a KPI, events for
    conduct rules and QA scores."""
    plans = sorted({p.plan for p in policies})
    why: dict[str, list[str]] = {}
    if len(plans) > 1:
        why["roster"] = [f"several plans were given ({', '.join(plans)}); its plan column says which plan pays "
                         "each collector"]
    for plan in plans:
        policy = plan_in_force(policies, plan, period.end)
        for role, ids in (policy.side_inputs(period) if policy is not None else {}).items():
            why.setdefault(role, []).append(f"plan {plan} reads it for {', '.join(ids)}")
    given = {"roster": paths.roster is not None, "targets": bool(paths.targets),
             "assignments": bool(paths.assignments), "events": bool(paths.events)}
    for role, columns in SIDE_INPUTS.items():
        if role in why and not given[role]:
            problems.add("", "", f"needed for {period} and not given: give {option(role)}, a file with {columns}: "
                         + "; ".join(why[role]), role=role)


def by_role(folder: Path) -> dict[str, list[Path]]:
    """A batch's inputs restored from the store (store.restore_files) by role (their folder), in the order
    the batch read them."""
    return {role.name: sorted(role.iterdir(), key=lambda p: int(p.name.split(" ", 1)[0]))
            for role in sorted(folder.iterdir()) if role.is_dir()}


def own_name(path: Path) -> str:
    """The name an input restored by by_role came with (`ledger/1 ledger.csv` -> ledger.csv): what people
    know it by, where the restored path is a server's scratch folder."""
    return path.name.split(" ", 1)[-1]


def known_as(folder: Path) -> dict[str, str]:
    """{restored path: its own name} of every input restored under `folder` (by store.restore_files, one
    folder per batch or not), for texts people read."""
    return {str(path): own_name(path) for path in folder.rglob("*") if path.is_file()}


def rows_of(frame: Optional[pd.DataFrame], collectors: AbstractSet[str]) -> Optional[pd.DataFrame]:
    """Only these collectors' rows of an input frame with a collector_id column (a categorical id column
    keeps only their categories): what a run on one collector's, or one team's, data reads."""
    if frame is None:
        return None
    mine = frame.loc[frame["collector_id"].astype(str).isin(collectors)].copy()
    if isinstance(mine["collector_id"].dtype, pd.CategoricalDtype):
        mine["collector_id"] = mine["collector_id"].cat.remove_unused_categories()
    return mine


#: A side table of values per period holds one row per collector and period.
PERIOD_KEY = ("collector_id", "period")
