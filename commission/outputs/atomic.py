"""All files or none: outputs are staged beside their target and moved into place in one step.

A folder is staged as a hidden sibling of its target, then swapped with the target in one
atomic step (Linux `renameat2(RENAME_EXCHANGE)`); where the system cannot swap, the old folder
is renamed aside first and the new one renamed into place. Whatever happens, the target is the
old complete folder or the new one: a kill between the two renames is finished or undone by the
next command that writes in the same parent folder (`tidy`), which also removes the staging
folders and files of killed commands. Leftovers carry the host and process id that made them,
so a live command's staging is never touched.

Which folders a command may replace at all is decided by the caller (see `owners`).

Reports hold people's pay, names and (masked) accounts, so every folder and file made here is its
owner's only (0700, 0600), whatever the umask: another account on the machine reads none of them.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, Problem

#: Tests only: the name of a step at which the process exits at once, as a kill there would.
CRASH_ENV = "COMMISSION_CRASH_AT"
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]{8}$")
_RENAME_EXCHANGE = 2
#: The modes of what holds personal data: its owner may read and write it, nobody else anything.
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def crash_point(step: str) -> None:
    """Exit here, without cleaning up, when the tests ask for it (see CRASH_ENV)."""
    if os.environ.get(CRASH_ENV) == step:
        os._exit(70)


def _leftover_name(target: Path, what: str) -> Path:
    return target.parent / f".{target.name}.{what}-{_HOST}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove(path: Path) -> None:
    """Remove a file or a whole folder (not what a link points to)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def tidy(parent: Path) -> None:
    """Finish what killed commands of this host left in `parent`: a folder put aside while being
    replaced is put back if its replacement never arrived (else removed), and staging is removed."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or match["host"] != _HOST or _alive(int(match["pid"])):
            continue
        original = parent / match["name"]
        if match["what"] == "old" and not original.exists():
            os.rename(entry, original)
        else:
            remove(entry)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _publish(staging: Path, target: Path) -> None:
    """Put the staged folder at `target`: onto nothing, or in place of the old folder."""
    if not target.exists():
        try:
            os.rename(staging, target)  # also onto an empty folder; never onto a folder with files
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise InputError([Problem(str(target), "", "was written by another command at the same "
                                          "time; nothing was written", role="out")]) from None
            raise
        return
    if _exchange(staging, target):
        crash_point("exchanged")
        remove(staging)  # now the old folder
        return
    aside = _leftover_name(target, "old")
    os.rename(target, aside)
    crash_point("aside")
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    remove(aside)


@contextmanager
def atomic_directory(target: str | Path, may_replace: Callable[[Path], None] = lambda path: None):
    """Yield a staging folder; on success it replaces `target` whole, on any error it is removed.

    `may_replace(target)` raises InputError when `target` is not this command's to replace; it is
    asked before staging and again just before the swap (another command may have written there).
    """
    target = Path(target)
    tidy(target.parent)
    may_replace(target)
    staging = _leftover_name(target, "tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir(mode=PRIVATE_FOLDER)
    except OSError as exc:
        raise unwritable(target, exc) from None
    try:
        yield staging
        crash_point("staged")
        may_replace(target)
        _publish(staging, target)
    except BaseException:
        remove(staging)
        raise
    crash_point("published")


@contextmanager
def scratch_folder(target: str | Path):
    """Yield a new, empty hidden folder beside `target` for work files, removed on exit whatever happens
    (and by `tidy` if the process dies)."""
    scratch = _leftover_name(Path(target), "tmp")
    try:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        scratch.mkdir(mode=PRIVATE_FOLDER)
    except OSError as exc:
        raise unwritable(Path(target), exc) from None
    try:
        yield scratch
    finally:
        remove(scratch)


def temporary_beside(target: Path) -> Path:
    """A new, empty file in `target`'s folder, its owner's only, to be renamed onto `target` once
    complete (a rename within a folder is atomic); `tidy` removes it if its process dies."""
    staged = _leftover_name(target, "tmp")
    descriptor = os.open(staged, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    os.close(descriptor)
    return staged


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, its folders made as needed, all its owner's only (an existing file too)."""
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(descriptor, PRIVATE_FILE)
        handle.write(data)


@contextmanager
def atomic_file(target: str | Path, where: Optional[str | Path] = None):
    """Yield a temporary path beside `target`; on success it replaces `target`, on any error it is
    removed. `where` names the folder in messages (the output folder the user gave)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tidy(target.parent)
        staged = temporary_beside(target)
    except OSError as exc:
        raise unwritable(Path(where or target.parent), exc) from None
    try:
        yield staged
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def unwritable(target: Path, exc: OSError) -> InputError:
    return InputError([Problem(str(target), "", f"cannot be written here: {exc.strerror or exc}", role="out")])
