"""Checking plan files, each on its own: a manager sees every problem of every file at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError
from ..policy import Policy, load_policy, plan_files


@dataclass(frozen=True)
class PlanCheck:
    """One plan file: the plan when it is valid, else every problem found in it."""

    path: Path
    policy: Optional[Policy] = None
    problems: Optional[InputError] = None


def check_plans(paths: Sequence[Path]) -> list[PlanCheck]:
    """Every plan file given (folders expanded), each validated."""
    checks = []
    for path in plan_files(paths):
        try:
            checks.append(PlanCheck(path, policy=load_policy(path)))
        except InputError as exc:
            checks.append(PlanCheck(path, problems=exc))
    return checks
