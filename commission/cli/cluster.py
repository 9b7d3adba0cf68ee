"""`--engine` and `--cluster`, shared by `run` and `simulate`: where a command's independent tasks run."""

from __future__ import annotations

import click


def engine_options(command):
    """--engine local|dask and --cluster ADDRESS (which implies dask)."""
    command = click.option("--cluster", "cluster", metavar="tcp://HOST:PORT",
                           help="Run on the dask.distributed cluster whose scheduler is at this address (started "
                                "with `dask scheduler`, workers with `dask worker tcp://HOST:PORT`). Needs the dask "
                                "extra.")(command)
    return click.option("--engine", type=click.Choice(["local", "dask"]), default=None,
                        help="Where the work runs: local (this process, the default) or dask (a dask.distributed "
                             "cluster: the one at --cluster, else a local cluster of one worker per core). The "
                             "results are the same.")(command)


def engine_of(options: dict):
    """The Engine the options ask for (checked before any work), taken out of `options`."""
    from ..app.cluster import engine_of as checked

    return checked(options.pop("engine"), options.pop("cluster"))
