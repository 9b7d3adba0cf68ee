"""app.cluster on a LocalCluster of 2 worker processes: tasks come back in their order, a user's problem
found on a worker is raised here once, a worker killed under a task is replaced and the task run again,
and a task that kills every worker it runs on, or a scheduler that does not answer, ends in one message.

The functions the workers run are defined here, in the package `cluster` under tests/ (on sys.path, which
the workers inherit)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from commission.app import cluster as cluster_module
from commission.app.cluster import DASK, LOCAL, Engine, engine_of, task_map
from commission.errors import InputError, Problem
from commission.simulation.replay import in_process

ROOT = Path(__file__).resolve().parents[2]


def doubled(item):
    return item * 2


def plus(shared, item):
    return shared["add"] + item


def refuses_three(item):
    if item == 3:
        raise InputError([Problem("ledger.csv:row 4", "amount", "not an amount")])
    return item


def kill_if_first(marker: str) -> None:
    """Kill this worker process if no task has done so yet (the marker file says one has)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os._exit(1)


def dies_once(marker, item):
    kill_if_first(marker)
    return item * 10


def always_dies(item):
    os._exit(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_options_say_where_tasks_run():
    assert engine_of(None, None) == Engine(LOCAL)
    assert engine_of("dask", None) == Engine(DASK)
    assert engine_of(None, "tcp://10.0.0.5:8786") == Engine(DASK, "tcp://10.0.0.5:8786")
    assert engine_of("dask", "scheduler.internal:8786") == Engine(DASK, "scheduler.internal:8786")


@pytest.mark.parametrize("kind, address, says", [
    ("local", "tcp://10.0.0.5:8786", "cluster: runs on a Dask cluster; leave out engine local, or cluster"),
    (None, "tcp://10.0.0.5", "cluster: tcp://10.0.0.5 is not a scheduler address; write tcp://HOST:PORT"),
    (None, "tcp://x:1/../../etc", "is not a scheduler address"),
    (None, "tcp://x:1\n", "is not a scheduler address"),
    ("spark", None, "engine: spark: write local or dask"),
])
def test_options_that_cannot_be_run_are_refused_before_any_work(kind, address, says):
    with pytest.raises(InputError) as caught:
        engine_of(kind, address)
    assert says in str(caught.value)  # roles in plain words; the CLI names them as its flags
    assert "\n" not in str(caught.value)


def test_without_the_dask_extra_one_line_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(InputError) as caught:
        with task_map(Engine(DASK)):
            pass
    assert str(caught.value) == ("engine: dask needs the dask extra, which is not installed: "
                                 "pip install 'collector-commission[dask]'")


def test_local_is_this_process():
    with task_map(Engine(LOCAL)) as tasks:
        assert tasks is in_process
        assert tasks(doubled, [1, 2, 3]) == [2, 4, 6]


def test_tasks_come_back_in_their_order_with_the_shared_inputs(address):
    finished = []
    with task_map(Engine(DASK, address)) as tasks:
        assert tasks(doubled, range(20)) == [2 * k for k in range(20)]
        assert tasks(plus, [1, 2, 3], shared={"add": 100}, done=finished.append) == [101, 102, 103]
        assert tasks(doubled, []) == []
    assert finished == [1, 2, 3]


def test_a_users_problem_found_on_a_worker_is_raised_here_as_it_was(address):
    with task_map(Engine(DASK, address)) as tasks:
        with pytest.raises(InputError) as caught:
            tasks(refuses_three, [1, 2, 3, 4])
    assert caught.value.problems == [Problem("ledger.csv:row 4", "amount", "not an amount")]


def test_a_worker_killed_under_a_task_is_replaced_and_the_task_run_again(address, tmp_path):
    with task_map(Engine(DASK, address)) as tasks:
        assert tasks(dies_once, [1, 2, 3, 4], shared=str(tmp_path / "died")) == [10, 20, 30, 40]
    assert (tmp_path / "died").exists()


#: The one message of a task no worker survives: Dask gives up after 4 deaths, or, when the workers do not
#: come back (their nannies could not restart them in time), the run stops waiting for them.
NO_WORKER_SURVIVES = ("a task was running on a Dask worker that died each of the 4 times it was tried",
                      "the cluster has had no worker for 60 s (they died and none came back)")


def test_a_task_that_kills_every_worker_ends_in_one_message(doomed_address):
    address = doomed_address
    with task_map(Engine(DASK, address)) as tasks:
        with pytest.raises(InputError) as caught:
            tasks(always_dies, [1])
    message = str(caught.value)
    assert message.startswith(tuple(f"cluster: {address}: {why}" for why in NO_WORKER_SURVIVES))
    assert len(caught.value.problems) == 1
    if NO_WORKER_SURVIVES[0] in message:
        assert message.endswith("(the worker ran out of memory or was stopped): give the workers more memory (dask "
                                "worker --memory-limit); a run can also be cut into more partitions (partitions)")


def test_a_scheduler_that_does_not_answer_is_named_in_one_line(with_dask, monkeypatch):
    monkeypatch.setattr("commission.app.cluster.CONNECT_SECONDS", 1)
    nowhere = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(InputError) as caught:
        with task_map(engine_of(None, nowhere)):
            pass
    assert str(caught.value) == (f"cluster: {nowhere}: no Dask scheduler answered there within 1 s; start one with "
                                 f"`dask scheduler` and workers with `dask worker {nowhere}`")


def test_a_cluster_without_this_packages_version_is_refused_before_any_work(address, monkeypatch):
    from importlib.metadata import version

    ours = version("collector-commission")
    monkeypatch.setattr("importlib.metadata.version", lambda name: "0.0.1" if name == "collector-commission"
                        else version(name))  # this command's version only; the workers keep theirs
    with pytest.raises(InputError) as caught:
        with task_map(Engine(DASK, address)):
            pass
    assert str(caught.value).startswith(f"cluster: {address}: the scheduler has version ")
    assert str(caught.value).endswith("collector-commission, this command version 0.0.1: install the same "
                                      "version, with the dask extra, on the scheduler and every worker")
    assert ours != "0.0.1"


def sleeps(item):
    time.sleep(5)
    return item


def test_a_scheduler_lost_during_the_run_ends_in_one_message(cluster, tmp_path):
    """A scheduler and a worker of their own (Dask's commands), the scheduler killed while the tasks run."""
    here = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    dask = Path(sys.executable).with_name("dask")
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", here.rsplit(":", 1)[1],
                                  "--no-dashboard"], env=env, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(dask), "worker", here, "--nthreads", "1", "--no-dashboard"], env=env,
                              stderr=subprocess.DEVNULL)
    try:
        with task_map(Engine(DASK, here)) as tasks:
            threading.Timer(1, scheduler.kill).start()
            with pytest.raises(InputError) as caught:
                tasks(sleeps, [1, 2])
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait()
    assert str(caught.value).startswith(f"cluster: {here}: the connection to the Dask scheduler was lost during the "
                                        "run (")
    assert str(caught.value).endswith(")")


def test_a_cluster_left_without_workers_ends_the_wait_in_one_message(doomed_address, monkeypatch):
    """Dask would wait for workers for ever; the run stops waiting once none has been there for a while."""
    monkeypatch.setattr(cluster_module, "NO_WORKER_SECONDS", 1)
    with task_map(Engine(DASK, doomed_address)) as tasks:
        tasks.client.retire_workers(list(tasks.client.nthreads()), close_workers=True)
        while tasks.client.nthreads():
            time.sleep(0.1)
        with pytest.raises(InputError) as caught:
            tasks(always_dies, [1])
    assert str(caught.value) == (f"cluster: {doomed_address}: the cluster has had no worker for 1 s (they died and "
                                 "none came back): start workers with more memory (dask worker --memory-limit)")
