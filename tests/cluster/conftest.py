"""A dask.distributed LocalCluster for the tests of `--engine dask` and `--cluster`: 2 worker processes of
1 thread each with a small memory limit, started once per session and only when a test here asks for it.

These tests need the `dask` extra (`pip install -e '.[dask]'`). Without it they skip, saying so, unless
COMMISSION_DASK_TESTS is set (as .ci/run does): there a missing extra fails them.

This folder is the package `cluster` (pytest puts tests/ on sys.path, and the workers inherit it, so they
find the test functions they run): named `dask` it would hide the real dask, and without __init__.py its
conftest would stand in for tests/conftest.py, which other tests import by name."""

from __future__ import annotations

import logging
import os

import pytest

#: Each worker is restarted by its nanny above this (the tests' ledgers need a few tens of MB).
WORKER_MEMORY = "1GiB"


def dask_or_skip() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        why = "the dask extra is not installed (pip install -e '.[dask]')"
        if os.environ.get("COMMISSION_DASK_TESTS"):
            pytest.fail(f"COMMISSION_DASK_TESTS is set but {why}")
        pytest.skip(why)


@pytest.fixture(scope="session")
def cluster():
    """A LocalCluster of 2 worker processes (1 thread each), on loopback, without a dashboard."""
    dask_or_skip()
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=WORKER_MEMORY,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as local:
        yield local


@pytest.fixture
def with_dask() -> None:
    """For a test that needs dask but no cluster (one that tries an address where nothing answers)."""
    dask_or_skip()


@pytest.fixture
def doomed_address():
    """A LocalCluster of its own for a test whose task kills every worker it runs on: the shared one
    keeps its workers (a nanny that cannot restart its worker in time, on a loaded machine, closes)."""
    dask_or_skip()
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=WORKER_MEMORY,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


@pytest.fixture(scope="session")
def address(cluster) -> str:
    """The LocalCluster's scheduler address, as a user gives it with --cluster."""
    return cluster.scheduler_address
