"""Long work started from a page runs in a background thread, its progress and outcome in the store (a
job row), so the page that started it can be closed and reopened, and any worker of the server can
answer. A job is seen only by who started it."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable

from ..errors import InputError, option
from ..periods import PeriodError
from ..store import NotFound, StoreError, open_store
from ..store.jobs import Job, finish_job, get_job, job_progress, start_job

Progress = Callable[[int, int], None]
#: Work to run: given a progress callback, returns what the finished job records (e.g. {"batch_id": 3}).
Work = Callable[[Progress], dict]
_LOG = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def start(store_url: str, kind: str, owner: str, work: Work, clock: Callable[[], datetime] = utc_now) -> int:
    """Record a running job and start `work` in a thread; returns the job's id at once."""
    with open_store(store_url).begin() as connection:
        job_id = start_job(connection, kind, owner, clock())
    threading.Thread(target=_run, args=(store_url, job_id, work, clock), name=f"job-{job_id}", daemon=True).start()
    return job_id


def _run(store_url: str, job_id: int, work: Work, clock: Callable[[], datetime]) -> None:
    def progress(done: int, total: int) -> None:
        with open_store(store_url).begin() as connection:
            job_progress(connection, job_id, done, total)

    result, message = None, ""
    try:
        result = work(progress)
    except InputError as exc:  # inputs and options stay option(role), for the page to name in its words
        message = exc.render(option)
    except (StoreError, PeriodError) as exc:
        message = str(exc)
    except Exception:  # a bug: the job says so, the server's log has the traceback
        _LOG.exception("job %s failed", job_id)
        message = f"job {job_id} stopped on an unexpected error; the server's log has the details"
    with open_store(store_url).begin() as connection:
        finish_job(connection, job_id, clock(), result, message)


def job(store_url: str, actor: str, job_id: int) -> Job:
    """A job's state, for who started it (anyone else: not found)."""
    with open_store(store_url).connect() as connection:
        found = get_job(connection, job_id)
    if found.owner != actor:
        raise NotFound(f"there is no job {job_id}")
    return found
