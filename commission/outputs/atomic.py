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
        raise _unwritable(target, exc) from None
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


def temporary_beside(target: Path) -> Path:
    """A new, empty file in `target`'s folder, with the usual file mode, to be renamed onto `target`
    once complete (a rename within a folder is atomic)."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    os.chmod(name, usual_mode(0o666))
    return Path(name)


@contextmanager
def atomic_file(target: str | Path, where: str | Path | None = None):
    """Yield a temporary path beside `target`; on success it replaces `target`, on any error it is
    removed. `where` names the folder in messages (the --out the user gave)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = temporary_beside(target)
    except OSError as exc:
        raise _unwritable(Path(where or target.parent), exc) from None
    try:
        yield staged
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def _unwritable(target: Path, exc: OSError) -> InputError:
    return InputError([Problem(str(target), "--out", f"cannot be written here: {exc.strerror or exc}")])
