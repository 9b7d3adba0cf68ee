"""A manager's "compare with today": a candidate plan (uploaded) paid to everyone, or in place of one plan
of today, against what today's plans pay, on the archived inputs of the periods the manager picks (the
latest batch of each period that is approved or later). The same simulation as `commission simulate`.

A manager sees only their team: the simulation reads their team's collectors alone (the ledger, roster
and side rows the chosen batches paid to that team), so every total, table, chart and the workbook hold
nothing of anyone else. A person who may read every batch (HR, auditor) and also manages compares on
everyone. The workbook and the charts are kept in the store with the job's result, so any worker of the
server can show them.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from sqlalchemy import select

from ..errors import InputError, Names, Problem, plain
from ..outputs.atomic import write_private
from ..periods import Period
from ..policy import load_policies, load_policy
from ..simulation.replay import TODAY_LABEL
from ..store import EXPORTABLE, INPUT, NotFound, get_batch, open_store, restore_files
from ..store.archive import keep_blob, read_blob
from ..store.jobs import Job
from ..store.schema import batches
from .access import READ_ALL, active_user, check, stayed_in_team
from .inputs import InputPaths, by_role, known_as
from .jobs import job
from .simulation import SimulationRequest, simulate_plans
from .uploads import KINDS, renamed

#: Paid to every collector, or to the collectors today's plan PLAN pays.
EVERYONE, REPLACE = "everyone", "replace"
MAX_PERIODS = 24


@dataclass(frozen=True)
class Choices:
    """What the page offers: each period with a batch approved or later ({period: its latest batch}, latest
    first), and the plans of the latest such batch (one of them may be replaced)."""

    periods: dict[str, int]
    plans: list[str]


def compare_choices(store_url: str, actor: str) -> Choices:
    with open_store(store_url).connect() as connection:
        check(connection, actor, "plans")
        rows = connection.execute(select(batches.c.id, batches.c.period).where(batches.c.status.in_(EXPORTABLE))
                                  .order_by(batches.c.id.desc())).all()
        periods: dict[str, int] = {}
        for batch_id, period in rows:
            periods.setdefault(period, batch_id)
        if not periods:
            return Choices({}, [])
        with tempfile.TemporaryDirectory(prefix="commission-compare-") as scratch:
            files = by_role(restore_files(connection, rows[0][0], INPUT, Path(scratch)))
            plans = sorted({p.plan for p in load_policies(files.get("policy", ()))})
    return Choices(periods, plans)


def keep_candidate(filename: str, content: bytes, folder: Path) -> Path:
    """Keep an uploaded candidate plan as folder/<sha256>/candidate.yaml (never under the name it came
    with) and check it as a plan is checked everywhere; problems name the file as it was uploaded."""
    shown = filename[:200] or "(no name)"
    if Path(filename).suffix.lower() not in KINDS["policy"]:
        raise InputError([Problem(shown, "", f"a plan is a {' or '.join(KINDS['policy'])} file", role="candidate")])
    if not content:
        raise InputError([Problem(shown, "", "is empty", role="candidate")])
    path = folder / hashlib.sha256(content).hexdigest() / "candidate.yaml"
    write_private(path, content)
    try:
        load_policy(path)
    except InputError as exc:
        raise InputError([renamed(p, {str(path): shown}) for p in exc.problems], exc.hidden) from None
    return path


def check_choices(store_url: str, actor: str, mode: str, plan: str, periods: Sequence[str]) -> list[int]:
    """Refuse every choice the page did not offer; returns the batches of the periods chosen."""
    choices = compare_choices(store_url, actor)
    problems = [Problem("", "", f"{p[:20]!r} is not a period you may compare; choose among "
                        f"{', '.join(choices.periods) or 'none: no batch is approved yet'}", role="period")
                for p in periods if p not in choices.periods]
    if not periods:
        problems.append(Problem("", "", "choose at least one period", role="period"))
    if len(periods) > MAX_PERIODS:
        problems.append(Problem("", "", f"at most {MAX_PERIODS} periods at once", role="period"))
    if mode not in (EVERYONE, REPLACE):
        problems.append(Problem("", "", f"choose {EVERYONE} or {REPLACE}", role="mode"))
    elif mode == REPLACE and plan not in choices.plans:
        problems.append(Problem("", "", f"choose the plan to replace: {', '.join(choices.plans)}", role="plan"))
    if problems:
        raise InputError(problems)
    return sorted({choices.periods[p] for p in periods})


def compare_with_today(store_url: str, actor: str, candidate: Path, mode: str, plan: str, periods: Sequence[str],
                       lang: str, progress: Optional[Callable[[int, int], None]] = None,
                       names: Names = plain, candidate_name: str = "") -> dict:
    """Simulate today and the candidate on the archived inputs of `periods`, for the manager's team (or
    everyone, for a person who may read every batch); returns the job's result: the summary (minor units),
    and the SHA-256 in the store of the workbook and of each chart (with its name). Every text names an
    archived input, and the candidate (`candidate_name`), by the name it was uploaded with, never its path
    on the server, and inputs and options as the interface does (`names`)."""
    chosen = check_choices(store_url, actor, mode, plan, periods)
    with tempfile.TemporaryDirectory(prefix="commission-compare-") as scratch:
        with open_store(store_url).connect() as connection:
            user = active_user(connection, actor)
            everyone = bool(set(user.roles) & set(READ_ALL))
            team = set() if everyone else stayed_in_team(connection, user.team, chosen)
            inputs = _archived(connection, chosen, Path(scratch))
            minor_units = get_batch(connection, chosen[0]).minor_units
        if not everyone and not team:
            raise InputError([Problem("", "", f"your team ({user.team or 'none'}) has no collectors in the periods "
                                      "chosen", role="period")])
        request = SimulationRequest(inputs["paths"], periods=[Period.parse(p) for p in sorted(periods)],
                                    candidates=[candidate] if mode == EVERYONE else (),
                                    replacements=[f"{plan}={candidate}"] if mode == REPLACE else (),
                                    state=inputs["state"], collectors=None if everyone else frozenset(team),
                                    known_as={**known_as(Path(scratch)),
                                              **({str(candidate): candidate_name} if candidate_name else {})})
        try:
            report = simulate_plans(request, Path(scratch) / "report", lang=lang, progress=_steps(progress),
                                    names=names)
        except InputError as exc:
            raise InputError([renamed(p, request.known_as) for p in exc.problems], exc.hidden) from None
        result = summary(report.comparison, minor_units, everyone)
        with open_store(store_url).begin() as connection:
            result["workbook"] = keep_blob(connection, (report.folder / "comparison.xlsx").read_bytes())
            result["charts"] = [[png.stem, keep_blob(connection, png.read_bytes())]
                                for png in sorted((report.folder / "charts").glob("*.png"))]
    return result


def _steps(progress: Optional[Callable[[int, int], None]]):
    """The simulation's progress (what, done, total) as the job's (done, total)."""
    def step(what: str, done: int, total: int) -> None:
        if progress:
            progress(done, total)
    return step


def _archived(connection, batch_ids: Sequence[int], folder: Path) -> dict:
    """The inputs the batches were made from, restored under `folder`: every distinct plan, ledger and side
    file (the same content once), the roster of the latest batch, and the state the earliest batch
    started from (when it was given one)."""
    seen, paths = set(), {"policy": [], "ledger": [], "targets": [], "assignments": [], "events": []}
    roster = state = None
    for batch_id in batch_ids:
        files = by_role(restore_files(connection, batch_id, INPUT, folder / str(batch_id)))
        if "policy" not in files or "ledger" not in files:
            raise NotFound(f"batch {batch_id} keeps no copy of its inputs")
        for role, found in files.items():
            for path in found:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if role in paths and (role, digest) not in seen:
                    seen.add((role, digest))
                    paths[role].append(path)
        roster = files["roster"][0] if files.get("roster") else roster
        if batch_id == batch_ids[0] and files.get("state"):
            state = files["state"][0]
    return {"paths": InputPaths(paths["policy"], paths["ledger"], roster, paths["targets"], paths["assignments"],
                                paths["events"]), "state": state}


def summary(comparison, minor_units: int, everyone: bool) -> dict:
    """What the result page shows, as plain values (money in minor units): cost today and under the
    candidate, the difference, per team, and per collector (largest change first)."""
    table = comparison.collectors
    label = comparison.labels[1]
    today, paid = f"paid:{TODAY_LABEL}", f"paid:{label}"
    teams = (table.groupby("team", sort=True)[[today, paid]].sum() if len(table) else None)
    ordered = table.assign(change=table[paid] - table[today]).sort_values(
        ["change", "collector_id"], ascending=[False, True], key=lambda c: c.abs() if c.name == "change" else c)
    return {
        "candidate": label, "minor_units": minor_units, "currency": comparison.currency, "everyone": everyone,
        "periods": [str(p) for p in comparison.simulation.report_periods],
        "today": int(table[today].sum()), "cost": int(table[paid].sum()),
        "teams": [[str(team), int(row[today]), int(row[paid])] for team, row in teams.iterrows()]
        if teams is not None else [],
        "collectors": [[str(r["collector_id"]), str(r["name"]), str(r["team"]), int(r[today]), int(r[paid])]
                       for r in ordered.to_dict("records")],
        "notes": [str(n) for n in comparison.notes],
    }


def comparison(store_url: str, actor: str, job_id: int) -> Job:
    """A finished comparison job, for who ran it (anyone else, or a job of another kind: not found)."""
    found = job(store_url, actor, job_id)
    if found.kind != "compare" or found.status != "done":
        raise NotFound(f"there is no comparison {job_id}")
    return found


def comparison_file(store_url: str, actor: str, job_id: int, chart: Optional[int] = None) -> bytes:
    """The workbook (or chart number `chart`) of a comparison, for who ran it."""
    found = comparison(store_url, actor, job_id)
    digests = ([digest for _, digest in found.result.get("charts", [])] if chart is not None
               else [found.result.get("workbook")])
    index = chart if chart is not None else 0
    if not 0 <= index < len(digests):
        raise NotFound(f"there is no chart {chart}")
    with open_store(store_url).connect() as connection:
        return read_blob(connection, digests[index], f"comparison {job_id}")

