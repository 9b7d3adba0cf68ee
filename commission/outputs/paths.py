"""File names made from data (a collector's statement, a plan's copy) that can only name a file in
their own folder, whatever the text: defence in depth behind the id grammar of
`commission.identifiers`, so even an id that slipped past it never becomes a path."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

#: A whole file name stays this short in UTF-8 bytes: file systems allow 255, and the staging
#: names beside it (`.name.` + 8 random characters, see atomic.py) need room too.
MAX_NAME_BYTES = 200
#: Marks a name that was changed; never kept from the text, so a changed name cannot equal a kept one.
CHANGED = "~"
_HASH_LENGTH = 16  # hexadecimal digits of the text's SHA-256 after CHANGED
_KEPT_PUNCTUATION = "-_.+"  # '+' too: every plan id the YAML grammar allows keeps its name (older run folders)
#: Names Windows reserves for devices, whatever follows them after a dot.
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789¹²³")}


def safe_file_name(text: str, suffix: str = "") -> str:
    """`text` as a file name, followed by `suffix` (our own fixed text, e.g. '-2026-10.xlsx').

    Unicode letters, marks and digits and '-', '_', '.', '+' are kept; any other character becomes '_',
    as does a leading dot (no hidden files, no '.' or '..'). When anything had to change (also a
    Windows device name, an empty text, or a name too long for MAX_NAME_BYTES, which is cut),
    CHANGED and 16 hexadecimal digits of the text's SHA-256 follow, so two texts never share a name.
    """
    kept = "".join(c if c in _KEPT_PUNCTUATION or unicodedata.category(c)[0] in "LMN" else "_" for c in text)
    if kept.startswith("."):
        kept = "_" + kept[1:]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if kept != text or not kept or kept.split(".")[0].upper() in _DEVICES or len(kept.encode("utf-8")) > room:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]
        cut = kept.encode("utf-8")[:room - len(CHANGED) - _HASH_LENGTH].decode("utf-8", "ignore")
        kept = f"{cut}{CHANGED}{digest}"
    return kept + suffix


def file_in(folder: str | Path, text: str, suffix: str = "") -> Path:
    """The path of `text`'s file (see safe_file_name) in `folder`, and never anywhere else."""
    folder = Path(folder)
    name = safe_file_name(text, suffix)
    path = folder / name
    if name in ("", ".", "..") or path.parent != folder or path.name != name:
        raise RuntimeError(f"file name {name!r} made from data would leave {folder}")
    return path


def clash(names) -> tuple[str, str] | None:
    """Two of `names` that a file system ignoring case or Unicode normalisation (Windows, macOS)
    takes for one file, so one would overwrite the other; None when there are none."""
    seen: dict[str, str] = {}
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            return seen[key], name
        seen[key] = name
    return None
