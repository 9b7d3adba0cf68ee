"""Where a command's independent tasks run: here, or on a dask.distributed cluster.

`--engine dask` without an address starts a LocalCluster on this machine for the command (one worker
process per core, one thread each); `--cluster tcp://HOST:8786` connects to a scheduler started with
Dask's own commands (`dask scheduler`, `dask worker tcp://HOST:8786`). Either way the tasks are the same
top-level functions a local run calls, so the results are the same.

Failures: a task is retried RETRIES times when it raises; a worker that dies under a task is replaced by
the scheduler, which runs the task again elsewhere (up to its `distributed.scheduler.allowed-failures`).
A task that still cannot finish fails the command with one message, before anything is written. A
user's problem found by a task (InputError) is not retried: it comes back as data and is raised here.

The engine never imports dask, and this module imports it only when a cluster is asked for, so the
command line starts fast and works without the `dask` extra.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from ..errors import InputError, Problem, option, shown
from ..simulation.replay import TaskMap, in_process

LOCAL, DASK = "local", "dask"
ENGINES = (LOCAL, DASK)
#: How many more times a task that raised is run (a lost worker's tasks are rescheduled apart from this).
RETRIES = 2
#: How long to wait for a scheduler to answer before saying it does not.
CONNECT_SECONDS = 10
#: A run whose cluster has had no worker this long ends (Dask would wait for workers for ever).
NO_WORKER_SECONDS = 60
#: How often a run looks at its tasks and at the cluster's workers while it waits.
POLL_SECONDS = 0.2
#: This package as pip names it, and what a user installs to run on a cluster.
DISTRIBUTION = "collector-commission"
EXTRA = f"pip install '{DISTRIBUTION}[dask]'"
#: tcp://HOST:PORT (or HOST:PORT): a host name or IPv4 address, or an IPv6 address in brackets.
_ADDRESS = re.compile(r"(?:tcp://)?(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}")


@dataclass(frozen=True)
class Engine:
    """Where tasks run: here (local), or on Dask: at the scheduler `address`, or (None) on a LocalCluster
    started for the command."""

    kind: str = LOCAL
    address: Optional[str] = None

    @property
    def where(self) -> str:
        return self.address or ("a local Dask cluster" if self.kind == DASK else "this process")


def engine_of(kind: Optional[str], address: Optional[str]) -> Engine:
    """The engine the options ask for: a scheduler address means Dask; checked before any work."""
    if address is not None and kind == LOCAL:
        raise InputError([Problem("", "", f"runs on a Dask cluster; leave out {option('engine')} local, or "
                                  f"{option('cluster')}", role="cluster")])
    if address is not None and not _ADDRESS.fullmatch(address):
        raise InputError([Problem("", "", f"{shown(address)} is not a scheduler address; write tcp://HOST:PORT, "
                                  "e.g. tcp://10.0.0.5:8786", role="cluster")])
    if kind not in (None, *ENGINES):
        raise InputError([Problem("", "", f"{shown(kind)}: write {' or '.join(ENGINES)}", role="engine")])
    return Engine(DASK if address is not None else kind or LOCAL, address)


@dataclass(frozen=True)
class Refused:
    """A user's problem a task found (an InputError, whose own pickling drops its problems), sent back as
    data: it is the same on every attempt, so it is never retried."""

    problems: list
    hidden: int


def attempt(item, fn: Callable, shared: object = None):
    """Run one task on a worker: its result, or Refused when it raised an InputError."""
    try:
        return fn(item) if shared is None else fn(shared, item)
    except InputError as exc:
        return Refused(exc.problems, exc.hidden)


class DaskTasks:
    """A TaskMap over a dask.distributed Client: the shared inputs are sent once to every worker, the tasks
    are submitted together and gathered in their order."""

    here = False

    def __init__(self, client, engine: Engine):
        self.client = client
        self.engine = engine

    def __call__(self, fn: Callable, items: Sequence, shared: object = None,
                 done: Optional[Callable[[int], None]] = None) -> list:

        items = list(items)
        if not items:
            return []
        extra = {} if shared is None else {"shared": self.client.scatter(shared, broadcast=True, hash=False)}
        futures = self.client.map(attempt, items, fn=fn, retries=RETRIES, pure=False, **extra)
        try:
            for finished in self._finishing(futures):
                if done is not None:
                    done(finished)
            outcomes = self.client.gather(futures)
        except Exception as exc:
            problem = self._lost(exc)
            if problem is None:
                raise
            raise problem from None
        finally:
            self.client.cancel(futures)
        refused = [o for o in outcomes if isinstance(o, Refused)]
        if refused:
            raise InputError(refused[0].problems, refused[0].hidden)
        return outcomes

    def _finishing(self, futures) -> Iterator[int]:
        """How many tasks have finished, each time more have; a cluster left without any worker for
        NO_WORKER_SECONDS (every worker died and none came back) ends the wait in one message."""
        from distributed.comm import CommClosedError

        pending, finished, alone_since = list(futures), 0, None
        while pending:
            still = [future for future in pending if not future.done()]  # done: a result, an error or cancelled
            for _ in range(len(pending) - len(still)):
                finished += 1
                yield finished
            pending = still
            if not pending:
                return
            time.sleep(POLL_SECONDS)
            try:
                workers = self.client.nthreads()
            except OSError as exc:  # the scheduler is gone: the tasks' futures are cancelled too
                raise self._lost(CommClosedError(str(exc))) from None
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKER_SECONDS:
                raise InputError([Problem("", "", f"{self.engine.where}: the cluster has had no worker for "
                                          f"{NO_WORKER_SECONDS} s (they died and none came back): start workers "
                                          "with more memory (dask worker --memory-limit)", role=self._role())])

    @property
    def slots(self) -> int:
        """How many tasks the cluster runs at once: its workers' threads."""
        return max(1, sum(self.client.nthreads().values()))

    def _lost(self, exc: Exception) -> Optional[InputError]:
        """The one message for a task the cluster could not finish (None for an error of the task's own)."""
        from concurrent.futures import CancelledError

        from distributed import KilledWorker
        from distributed.comm import CommClosedError

        if isinstance(exc, KilledWorker):
            why = (f"a task was running on a Dask worker that died each of the {self._tries()} times it was tried "
                   "(the worker ran out of memory or was stopped): give the workers more memory (dask worker "
                   f"--memory-limit); a run can also be cut into more partitions ({option('partitions')})")
        elif isinstance(exc, (CommClosedError, CancelledError)):  # the Client cancels every task when it is cut off
            why = f"the connection to the Dask scheduler was lost during the run ({shown(exc, 200)})"
        else:
            return None
        return InputError([Problem("", "", f"{self.engine.where}: {why}", role=self._role())])

    def _tries(self) -> int:
        import dask

        return int(dask.config.get("distributed.scheduler.allowed-failures", 3)) + 1

    def _role(self) -> str:
        return "cluster" if self.engine.address else "engine"


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InputError([Problem("", "", f"dask needs the dask extra, which is not installed: {EXTRA}",
                                  role="engine")]) from None
    return distributed


def _check_installed(client, address: str) -> None:
    """The scheduler and every worker run the tasks' code, so each needs this package, in this version."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    try:
        mine = version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source folder
        mine = __version__
    versions = client.get_versions(packages=[DISTRIBUTION])
    machines = [("the scheduler", versions["scheduler"]),
                *((f"the worker {worker}", found) for worker, found in sorted(versions["workers"].items()))]
    for name, found in machines:
        theirs = (found or {}).get("packages", {}).get(DISTRIBUTION)
        if theirs != mine:
            has = f"version {shown(theirs)} of {DISTRIBUTION}" if theirs else f"no {DISTRIBUTION} installed"
            raise InputError([Problem("", "", f"{shown(address)}: {name} has {has}, this command version {mine}: "
                                      "install the same version, with the dask extra, on the scheduler and every "
                                      "worker", role="cluster")])


@contextmanager
def task_map(engine: Engine) -> Iterator[TaskMap]:
    """A TaskMap for the engine, for the time of a command: here, or a Client of the cluster (closed at
    the end, with the LocalCluster started for it)."""
    if engine.kind == LOCAL:
        yield in_process
        return
    distributed = _distributed()
    local = None
    if engine.address is None:
        local = distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                         dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
        client = distributed.Client(local, set_as_default=False)
    else:
        try:
            client = distributed.Client(engine.address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError):
            raise InputError([Problem("", "", f"{shown(engine.address)}: no Dask scheduler answered there within "
                                      f"{CONNECT_SECONDS} s; start one with `dask scheduler` and workers with "
                                      f"`dask worker {shown(engine.address)}`", role="cluster")]) from None
        try:
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError):
            client.close()
            raise InputError([Problem("", "", f"{shown(engine.address)}: the Dask scheduler there has no workers; "
                                      f"start them with `dask worker {shown(engine.address)}`",
                                      role="cluster")]) from None
    try:
        if engine.address is not None:
            _check_installed(client, engine.address)
        yield DaskTasks(client, engine)
    finally:
        client.close()
        if local is not None:
            local.close()


def run_on_cluster(engine: Engine, request, out_dir: Path, partitions: Optional[int | str] = None,
                   lines_csv: bool = True, lines_parquet: bool = False):
    """`commission run` with its partitions paid on the cluster, through app.partitioned's seam: the same
    per-partition function on the workers, the same reports byte for byte. Without a number of partitions,
    one per thread of the cluster's workers, so each is busy. The workers read the ledger files and the
    scratch folder beside `out_dir` by path: on a cluster of several machines, both live on storage every
    worker mounts at the same path."""
    from .partitioned import run_partitioned

    with task_map(engine) as tasks:
        return run_partitioned(request, out_dir, partitions or tasks.slots, lines_csv, lines_parquet,
                               map_partitions=tasks)
