"""Content-addressed copies of a batch's files: its reports (so statements and explain work from the
store even when the reports folder is moved or deleted) and its inputs (so a paid period can be
recomputed and checked byte for byte). Each content is stored once, compressed, under its SHA-256,
and checked against it when read back."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from .errors import StoreError
from .schema import batch_files, blobs

REPORT, INPUT = "report", "input"


def keep_files(connection: Connection, batch_id: int, kind: str, files: dict[str, Path]) -> dict[str, str]:
    """Store each file's content (once per content) and record it as the batch's file `name`; returns
    {name: sha256}."""
    kept = {}
    for name, path in sorted(files.items()):
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if connection.execute(select(blobs.c.sha256).where(blobs.c.sha256 == digest)).first() is None:
            connection.execute(insert(blobs).values(sha256=digest, size=len(data), data=zlib.compress(data, 6)))
        connection.execute(insert(batch_files).values(batch_id=batch_id, kind=kind, name=name, sha256=digest))
        kept[name] = digest
    return kept


def file_list(connection: Connection, batch_id: int, kind: str) -> dict[str, str]:
    """{name: sha256} of the batch's files of `kind`."""
    return dict(connection.execute(select(batch_files.c.name, batch_files.c.sha256).where(
        (batch_files.c.batch_id == batch_id) & (batch_files.c.kind == kind)).order_by(batch_files.c.name)).all())


def restore_files(connection: Connection, batch_id: int, kind: str, folder: Path) -> Path:
    """Write the batch's files of `kind` under `folder` (their names are paths inside it), each checked
    against its SHA-256; returns the folder."""
    for name, digest in file_list(connection, batch_id, kind).items():
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents:  # names are written by create; never trusted as paths
            raise StoreError(f"batch {batch_id}'s stored file {name!r} would leave its folder")
        row = connection.execute(select(blobs.c.data).where(blobs.c.sha256 == digest)).first()
        data = zlib.decompress(row.data) if row is not None else b""
        if row is None or hashlib.sha256(data).hexdigest() != digest:
            raise StoreError(f"batch {batch_id}'s stored copy of {name} is missing or damaged "
                             f"(sha256 {digest[:12]}...)")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder
