"""Settings a deployment gives once: `commission.yaml` in the working folder, checked against its schema,
and environment variables, all named COMMISSION_<KEY>.

Keys (each optional):
- db: the batch store, an SQLite file or a database URL (postgresql://...); COMMISSION_DB.
An option given on the command line wins over the environment, which wins over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ..errors import InputError, Problem, option
from ..policy.yamlsource import parse_yaml
from ..store import StoreError

CONFIG_FILE = "commission.yaml"
ENV_PREFIX = "COMMISSION_"
#: Every key the file may hold, and what it is.
KEYS = {"db": "the batch store: an SQLite file or a database URL (postgresql://...)"}
DEFAULT_DB = "commission.db"
_MAX_BYTES = 64 * 1024


def read_config(path: Path = Path(CONFIG_FILE)) -> dict[str, str]:
    """The settings in `path` ({} when there is no such file); a wrong file is one problem per fault,
    with its line."""
    if not path.exists():
        return {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read: {exc.strerror}")]) from None
    if len(data) > _MAX_BYTES:
        raise InputError([Problem(str(path), "", f"is {len(data)} bytes; a settings file is at most {_MAX_BYTES}")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), "", "is not UTF-8 text")]) from None
    root = parse_yaml(text, str(path))
    if not isinstance(root.value, dict):
        raise InputError([Problem(f"{path}:{root.line}", "", "expected keys and values, e.g. db: commission.db")])
    problems, settings = [], {}
    for key, node in root.value.items():
        if key not in KEYS:
            problems.append(Problem(f"{path}:{root.key_line(key)}", key, "unknown key; expected one of: "
                                    + ", ".join(f"{k} ({what})" for k, what in KEYS.items())))
        elif not isinstance(node.value, str):
            problems.append(Problem(f"{path}:{node.line}", key, "expected a single value, not a list or mapping"))
        else:
            settings[key] = node.value
    if problems:
        raise InputError(problems)
    return settings


def setting(key: str, given: Optional[str] = None) -> Optional[str]:
    """A setting: as given on the command line, else COMMISSION_<KEY>, else commission.yaml."""
    return given or os.environ.get(ENV_PREFIX + key.upper()) or read_config().get(key)


def store_url(db: Optional[str] = None, create: bool = False) -> str:
    """The batch store: as given, else COMMISSION_DB, else db: in commission.yaml, else ./commission.db, as
    a database URL. Only `create` (`commission setup`) may start a new SQLite file: elsewhere a misspelt path
    would silently read an empty store."""
    value = str(setting("db", db) or DEFAULT_DB)
    if "://" in value:
        return value
    if not create and not Path(value).exists():
        raise StoreError(f"there is no batch store {value}; check {option('db')}, or set one up with: commission setup")
    return f"sqlite:///{Path(value).resolve()}"
