"""All files or none: outputs are written into a temporary folder beside the target, then moved into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from ..errors import InputError, Problem


def usual_mode(mode: int) -> int:
    """`mode` less the process's umask: what a plain open() or mkdir() would have given (temporary
    files and folders are made private, and keep that mode when moved into place)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def check_replaceable(target: str | Path, replaceable: Iterable[str]) -> None:
    """Refuse an --out folder that holds anything but files named in `replaceable` (call it early:
    before a long run, not after)."""
    target = Path(target)
    if target.exists():
        strangers = sorted(p.name for p in target.iterdir() if p.name not in set(replaceable)) \
            if target.is_dir() else [target.name]
        if strangers:
            raise InputError([Problem(str(target), "--out", "exists and holds other files ("
                                      + ", ".join(strangers[:5]) + "); choose a new or empty folder")])


@contextmanager
def atomic_directory(target: str | Path, replaceable: Iterable[str] = ()):
    """Yield a temporary folder; on success it replaces `target` whole, on any error it is removed.

    An existing `target` is moved aside and deleted only after the new folder is in place, so a
    reader never sees a half-written report. It is replaced only if it holds nothing but files
    named in `replaceable` (an earlier run's reports): never someone's other work.
    """
    target = Path(target)
    check_replaceable(target, replaceable)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise InputError([Problem(str(target), "--out", f"cannot be written here: {exc.strerror or exc}")]) from None
    staging.chmod(usual_mode(0o777))  # mkdtemp makes it private; reports are for the team
    try:
        yield staging
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
