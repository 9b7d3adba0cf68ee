"""Background jobs started from a page: a row each, with progress and outcome, so whoever started the
work can close the page and come back to it (and any worker of the server can answer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .errors import NotFound
from .schema import jobs


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    owner: str
    status: str  # running | done | failed
    done: int
    total: int
    message: str
    result: dict


def start_job(connection: Connection, kind: str, owner: str, now: datetime) -> int:
    return connection.execute(insert(jobs).values(kind=kind, owner=owner, status="running", created_at=now)
                              ).inserted_primary_key[0]


def job_progress(connection: Connection, job_id: int, done: int, total: int) -> None:
    connection.execute(update(jobs).where(jobs.c.id == job_id).values(done=done, total=total))


def finish_job(connection: Connection, job_id: int, now: datetime, result: Optional[dict] = None,
               message: str = "") -> None:
    """Done with `result`, or failed with `message` (the problems, one a line)."""
    connection.execute(update(jobs).where(jobs.c.id == job_id).values(
        status="failed" if message else "done", result=json.dumps(result or {}), message=message, finished_at=now))


def get_job(connection: Connection, job_id: int) -> Job:
    row = connection.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"there is no job {job_id}")
    return Job(row.id, row.kind, row.owner, row.status, row.done, row.total, row.message, json.loads(row.result))
