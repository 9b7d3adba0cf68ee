"""What an id and a free-text value from another system may hold, decided once for every input.

Ids (payment, collector, employee, account, event, plan and reversal ids) come from collection
systems, agencies and HR exports, and end up in file names, spreadsheet cells, the batch store
(String(64) columns) and messages. An id is refused, never repaired: trimming or replacing a
character would make two systems disagree about who was paid. An id is 1 to ID_MAX_LENGTH
characters with
- no control, format, line- or paragraph-separator character (Unicode Cc, Cf, Zl, Zp: NUL, tab,
  carriage return, the U+202E bidi override...) and none of the two characters XML cannot hold
  (U+FFFE, U+FFFF);
- no space at the start or the end; inside, only the plain space (U+0020), one at a time: a no-break,
  ideographic or other Unicode space, or two spaces in a row, prints like a plain one, so "a b" and
  "a\u00a0b" would be two collectors no one can tell apart;
- no '=', '+', '-' or '@' first, which spreadsheets read as a formula;
- no '/' or '\\', and not '.' or '..' (an id must never read as a path).
Ids that differ only in how Unicode writes the same characters (a full-width "Ｃ1" and "C1", "é" as one
character or as "e" and an accent) are one id once NFKC-normalised: `look_alikes` finds them, so the
inputs refuse the later of each pair rather than pay two collectors no one can tell apart.
Free text (names, teams, rate-table keys such as product) may hold anything but those control
characters, and at most TEXT_MAX_LENGTH characters; its surrounding spaces are trimmed.

The rules are RE2 patterns, so `inputs.columns` checks whole Arrow columns with the very same
ones; the scalar checks here say, in one line, what is wrong with one value.
"""

from __future__ import annotations

import unicodedata
from typing import Callable, Iterable, Optional

import pyarrow as pa
import pyarrow.compute as pc

ID_MAX_LENGTH = 64  # the batch store's id columns are String(64)
TEXT_MAX_LENGTH = 200  # a name, a team, a product: a line of a statement, not a document

#: Unicode's White_Space characters: what surrounds a value that is trimmed, and all a blank cell holds.
#: (Python's str.strip() and Arrow's utf8_trim_whitespace also strip U+001C..U+001F, control characters
#: that are refused instead.)
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
               + "\u2028\u2029\u202f\u205f\u3000")
#: Unicode's space separators (Zs) but the plain space: an id may not hold them.
OTHER_SPACE = r"[\x{a0}\x{1680}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"
#: Characters neither an id nor free text may hold.
CONTROL = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\x{fffe}\x{ffff}]"


def _control_message(character: str) -> str:
    return f"has a control character (U+{ord(character):04X})"


#: (RE2 pattern matching a bad id, message from the text it matched), in the order they are told.
ID_RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    (CONTROL, _control_message),
    (r"^\p{Zs}|\p{Zs}$", lambda _: "has spaces at the start or end"),
    (OTHER_SPACE, lambda c: f"has a U+{ord(c):04X} space, which looks like a plain one; only the plain space "
     "may be inside an id"),
    ("  ", lambda _: "has two spaces in a row, which look like one"),
    (r"^[=+\-@]", lambda c: f"starts with {c!r}, which a spreadsheet reads as a formula"),
    (r"[/\\]", lambda c: f"contains {c!r}, which would make it a path"),
    (r"^\.\.?$", lambda c: f"is {c!r}, which names a folder"),
)
#: Matches any id that breaks one of ID_RULES (the length is checked apart).
ID_PROBLEM = "|".join(pattern for pattern, _ in ID_RULES)


def identifier_problem(text: str) -> Optional[str]:
    """What is wrong with `text` as an id, in a few words without the id itself; None if nothing is."""
    if not text:
        return "is empty"
    return _length_problem(text, ID_MAX_LENGTH) or _first_match(text, ID_RULES)


def look_alikes(ids: Iterable[str]) -> dict[str, str]:
    """Each of `ids` that reads as an earlier one once NFKC-normalised, mapped to the first such id."""
    first: dict[str, str] = {}
    found = {}
    for text in ids:
        seen = first.setdefault(unicodedata.normalize("NFKC", text), text)
        if seen != text:
            found[text] = seen
    return found


def look_alike_message(text: str, first: str, where: str) -> str:
    """Why id `text` is refused: it looks like `first` (found at `where`)."""
    return f"{text!r} looks the same as {first!r} ({where}) but is written with other Unicode characters " \
        f"({ascii(text)}, not {ascii(first)}); write one id one way"


def text_problem(text: str) -> Optional[str]:
    """What is wrong with `text` (already trimmed) as free text; None if nothing is."""
    return _length_problem(text, TEXT_MAX_LENGTH) or _first_match(text, ((CONTROL, _control_message),))


def _length_problem(text: str, limit: int) -> Optional[str]:
    return f"is longer than {limit} characters ({len(text)})" if len(text) > limit else None


def _first_match(text: str, rules) -> Optional[str]:
    try:
        value = pa.array([text], type=pa.string())
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a JSON "\ud800" escape: not text at all
        return "is not valid Unicode text"
    for pattern, message in rules:
        found = pc.extract_regex(value, f"(?P<found>{pattern})")[0]
        if found.is_valid:
            return message(found["found"].as_py())
    return None
