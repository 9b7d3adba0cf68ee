"""Content-addressed copies of a batch's files: its reports (so statements and explain work from the
store even when the reports folder is moved or deleted), its inputs (so a paid period can be
recomputed and checked byte for byte), and statements already made (so a page shows them again
without making them). Each content is stored once, compressed, under its SHA-256,
and checked against it when read back."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .errors import StoreError
from .schema import batch_files, blobs, statement_copies

REPORT, INPUT = "report", "input"


def keep_files(connection: Connection, batch_id: int, kind: str, files: dict[str, Path]) -> dict[str, str]:
    """Store each file's content (once per content) and record it as the batch's file `name`; returns
    {name: sha256}."""
    kept = {}
    for name, path in sorted(files.items()):
        digest = keep_blob(connection, Path(path).read_bytes())
        connection.execute(insert(batch_files).values(batch_id=batch_id, kind=kind, name=name, sha256=digest))
        kept[name] = digest
    return kept


def keep_blob(connection: Connection, data: bytes) -> str:
    """Store `data` once under its SHA-256 (returned)."""
    digest = hashlib.sha256(data).hexdigest()
    if connection.execute(select(blobs.c.sha256).where(blobs.c.sha256 == digest)).first() is None:
        connection.execute(insert(blobs).values(sha256=digest, size=len(data), data=zlib.compress(data, 6)))
    return digest


def read_blob(connection: Connection, digest: str, what: str) -> bytes:
    """The content stored under `digest`, checked against it; `what` names it in the error."""
    row = connection.execute(select(blobs.c.data).where(blobs.c.sha256 == digest)).first()
    data = zlib.decompress(row.data) if row is not None else b""
    if row is None or hashlib.sha256(data).hexdigest() != digest:
        raise StoreError(f"{what} is missing or damaged (sha256 {digest[:12]}...)")
    return data


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
        data = read_blob(connection, digest, f"batch {batch_id}'s stored copy of {name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def statement_copy(connection: Connection, batch_id: int, collector: str, lang: str,
                   facts_sha256: str) -> Optional[tuple[str, bytes, bytes]]:
    """A statement made before on the same facts: (file name, workbook, cells as JSON), or None."""
    row = connection.execute(select(statement_copies).where(
        (statement_copies.c.batch_id == batch_id) & (statement_copies.c.collector_id == collector)
        & (statement_copies.c.lang == lang) & (statement_copies.c.facts_sha256 == facts_sha256))).first()
    if row is None:
        return None
    what = f"the stored statement of {collector} in batch {batch_id}"
    return row.name, read_blob(connection, row.xlsx_sha256, what), read_blob(connection, row.cells_sha256, what)


def keep_statement_copy(connection: Connection, batch_id: int, collector: str, lang: str, facts_sha256: str,
                        name: str, workbook: bytes, cells: bytes) -> None:
    """Keep a statement just made (a copy another request kept meanwhile is as good)."""
    values = dict(batch_id=batch_id, collector_id=collector, lang=lang, facts_sha256=facts_sha256, name=name,
                  xlsx_sha256=keep_blob(connection, workbook), cells_sha256=keep_blob(connection, cells))
    try:
        with connection.begin_nested():
            connection.execute(insert(statement_copies).values(**values))
    except IntegrityError:
        pass
