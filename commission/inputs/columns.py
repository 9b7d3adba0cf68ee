"""Vectorized column contracts: each turns one Arrow column into a typed numpy array and reports
every bad cell as ``file:row N: column: message`` (up to the collector's limit)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ProblemCollector, shown
from ..identifiers import (CONTROL, ID_MAX_LENGTH, ID_PROBLEM, TEXT_MAX_LENGTH, WHITE_SPACE, identifier_problem,
                           text_problem)
from ..money import MAX_AMOUNT, MAX_TOTAL, too_large_message
from .tables import RawTable

_MONEY_TEXT = r"^(?P<sign>[+-]?)(?P<whole>\d+)(?:\.(?P<frac>\d*))?$"


def _report(raw: RawTable, name: str, mask: np.ndarray, message, problems: ProblemCollector,
            values: pa.Array | None = None) -> None:
    """Add one problem per flagged row; `message` may be a function of the cell's value."""
    rows = np.flatnonzero(mask)
    room = max(problems.limit - len(problems.problems), 0)
    for index in rows[:room]:
        value = values[int(index)].as_py() if values is not None else None
        problems.add(raw.where(int(index)), name, message(value) if callable(message) else message)
    problems.extend_hidden(max(len(rows) - room, 0))


def _missing(column: pa.Array) -> np.ndarray:
    """Null or blank cells."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return _blank(_trimmed(column))
    return pc.is_null(column).to_numpy(zero_copy_only=False)


def _blank(trimmed) -> np.ndarray:
    empty = pc.equal(pc.binary_length(trimmed), 0)
    return pc.or_kleene(pc.is_null(trimmed), empty).fill_null(True).to_numpy(zero_copy_only=False)


_SPACE_BYTES = np.frombuffer(b" \t\r\n\x0b\x0c", dtype=np.uint8)


def trim(column):
    """Text without the Unicode white space around it (one definition for every column, see
    identifiers.WHITE_SPACE)."""
    return pc.utf8_trim(column, characters=WHITE_SPACE)


def string_bytes(column):
    """Each chunk of a string column that holds any text, as (its UTF-8 bytes, each value's start
    and end offsets into them): enough to prove most columns clean without a regular expression."""
    for chunk in getattr(column, "chunks", [column]):
        if len(chunk) == 0 or chunk.buffers()[2] is None:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        yield np.frombuffer(chunk.buffers()[2], dtype=np.uint8), offsets[:-1], offsets[1:]


_PRIME = np.uint64(1099511628211)


def text_hashes(column) -> np.ndarray:
    """A 64-bit hash of each text (FNV-1 over its UTF-8 bytes), vectorized: a loop over character
    positions (at most an id's length), never over rows. Equal texts hash alike; the rare different
    texts hashing alike only put their collectors in one partition, or let a reversal on another
    account through (ledger)."""
    hashes = np.full(len(column), 14695981039346656037, dtype=np.uint64)
    at = 0
    for chunk in getattr(column, "chunks", [column]):
        for data, starts, ends in string_bytes(chunk):
            part = hashes[at:at + len(chunk)]
            lengths = (ends - starts).astype(np.int64)
            width = int(lengths[0]) if len(lengths) else 0
            if width and (lengths == width).all() and (starts == starts[0] + width * np.arange(len(starts))).all():
                table = data[starts[0]:starts[0] + width * len(starts)].reshape(-1, width)  # one row per text
                for position in range(width):  # the same hash, without masking texts already ended
                    part[:] = (part * _PRIME) ^ table[:, position]
                continue
            for position in range(int(lengths.max(initial=0))):
                live = lengths > position
                byte = data[np.where(live, starts + position, 0)].astype(np.uint64)
                part[:] = np.where(live, (part * _PRIME) ^ byte, part)
        at += len(chunk)
    return hashes


def _trimmed(column):
    """`column` without surrounding white space; copied only when some value has any."""
    for data, starts, ends in string_bytes(column):
        filled = ends > starts
        edges = np.concatenate([data[starts[filled]], data[ends[filled] - 1]])
        if np.isin(edges, _SPACE_BYTES).any() or (edges >= 0x80).any():  # non-ASCII: let Arrow decide
            return trim(column)
    return column


def _as_text(column):
    return column if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) \
        else pc.cast(column, pa.string())


#: First bytes that keep an id off the fast path: a space, or a character that starts a formula.
_ID_UNSAFE_FIRST = np.frombuffer(b" =+-@", dtype=np.uint8)


def _plain(column, max_length: int, ids: bool) -> bool:
    """True when the bytes alone prove that no value breaks the rules: printable ASCII (so no control
    character), at most `max_length` long and, for ids, no '/' or '\\', no two spaces in a row (nor
    across two values: that only sends them to RE2), no space or formula character first, no space
    last, not '.' or '..'. False means RE2 decides. A byte scan costs a few percent of
    a regular expression per value, and most columns pass it."""
    for data, starts, ends in string_bytes(column):
        lengths = ends - starts
        text = data[starts[0]:ends[-1]]
        if lengths.max() > max_length or ((text - np.uint8(0x20)) >= 0x5F).any():  # below ' ' wraps round
            return False
        if ids:
            if ((text == ord("/")) | (text == ord("\\"))).any() or ((text[1:] == 0x20) & (text[:-1] == 0x20)).any():
                return False
            filled = lengths > 0
            first, last = data[starts[filled]], data[ends[filled] - 1]
            if (np.isin(first, _ID_UNSAFE_FIRST).any() or (last == 0x20).any()
                    or ((first == ord(".")) & (lengths[filled] <= 2)).any()):
                return False
    return True


def _breaking(column, pattern: str, max_length: int, ids: bool) -> np.ndarray:
    """Cells that match `pattern` or are longer than `max_length` characters (null cells do not)."""
    if _plain(column, max_length, ids):
        return np.zeros(len(column), dtype=bool)
    bad = pc.or_(pc.match_substring_regex(column, pattern), pc.greater(pc.utf8_length(column), max_length))
    return bad.fill_null(False).to_numpy(zero_copy_only=False)


def identifier(raw: RawTable, name: str, problems: ProblemCollector, required: bool = True):
    """An id column, checked against the grammar of `commission.identifiers` and never changed: each
    bad cell is one problem saying what is wrong (without the id itself). A blank cell (empty, or
    only white space) is read as '' and is a problem when `required`."""
    column = _as_text(raw.table.column(name))
    blank = _blank(_trimmed(column))
    if required and blank.any():
        _report(raw, name, blank, "is empty", problems)
    bad = _breaking(column, ID_PROBLEM, ID_MAX_LENGTH, ids=True) & ~blank
    if bad.any():
        _report(raw, name, bad, identifier_problem, problems, column)
    return pc.if_else(pa.array(blank), "", column) if blank.any() else column


def text(raw: RawTable, name: str, problems: ProblemCollector, required: bool = True):
    """A free-text column (a name, a team, a rate-table key, a code): surrounding spaces removed; a
    cell with a control character (also a tab or line break around the text, which is refused, not
    trimmed away) or longer than TEXT_MAX_LENGTH is a problem. Blank is read as '' and is a problem
    when `required`."""
    column = _as_text(raw.table.column(name))
    trimmed = _trimmed(column)
    blank = _blank(trimmed)
    if required and blank.any():
        _report(raw, name, blank, "is empty", problems)
    bad = _breaking(trimmed, CONTROL, TEXT_MAX_LENGTH, ids=False)
    if bad.any():
        _report(raw, name, bad, text_problem, problems, trimmed)
    if trimmed is not column:  # the trim may have taken control characters off the edges
        edges = _breaking(column, CONTROL, np.iinfo(np.int64).max, ids=False) & ~bad & ~blank
        if edges.any():
            _report(raw, name, edges, text_problem, problems, column)
    return trimmed.fill_null("") if trimmed.null_count else trimmed


def mask_account(accounts):
    """Privacy at the door: account numbers (checked as ids: `identifier`) kept only as '****' plus their
    last 4 characters (and as '****' alone when that short, so no whole number ever shows)."""
    masked = _masked_from_bytes(accounts)
    if masked is not None:
        return masked
    masked = pc.utf8_replace_slice(accounts, start=0, stop=-4, replacement="****")
    return pc.if_else(pc.greater(pc.utf8_length(accounts), 4), masked, "****")


def _masked_from_bytes(accounts) -> pa.ChunkedArray | None:
    """'****' and the last 4 bytes of every value, built straight from the bytes (a tenth of the time of
    Arrow's string kernels on 10M accounts), when that is the masked text: every value longer than 4
    bytes whose last 4 bytes are ASCII (then they are its last 4 characters, and some character comes
    before them). None when any value is not, so the kernels decide."""
    parts = []
    for chunk in getattr(accounts, "chunks", [accounts]):
        if not len(chunk):
            continue
        found = list(string_bytes(chunk))
        if not found or chunk.null_count:  # only empty values, or nulls: not ones to mask here
            return None
        data, starts, ends = found[0]
        if ((ends - starts) <= 4).any():
            return None
        tails = data[(ends - 4)[:, None] + np.arange(4)]
        if (tails >= 0x80).any():
            return None
        text = np.empty((len(chunk), 8), dtype=np.uint8)
        text[:, :4] = ord("*")
        text[:, 4:] = tails
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.arange(0, 8 * len(chunk) + 1, 8, dtype=width)
        parts.append(pa.Array.from_buffers(chunk.type, len(chunk), [None, pa.py_buffer(offsets), pa.py_buffer(text)]))
    return pa.chunked_array(parts, type=accounts.type)


def money(raw: RawTable, name: str, minor_units: int, problems: ProblemCollector,
          allow_negative: bool = True) -> np.ndarray:
    """Decimal text (or an exact Arrow decimal / integer column) to int64 minor units; never a float.

    An amount past MAX_AMOUNT is refused with its row ("too large (the limit is ...)"), whatever
    the column's type, so no later sum or product can wrap.
    """
    chunked = raw.table.column(name)
    kind = chunked.type
    if pa.types.is_floating(kind):
        problems.add(f"{raw.source}", name, "is stored as floating point, which cannot hold money exactly; "
                     "store it as text or as a decimal column")
        return np.zeros(len(chunked), dtype=np.int64)
    if pa.types.is_decimal(kind):
        return _decimal_minor(raw, name, chunked, minor_units, problems, allow_negative)
    column = chunked.combine_chunks()
    none = np.zeros(len(column), bool)
    if pa.types.is_integer(kind):
        whole = column.fill_null(0).to_numpy()
        bound = MAX_AMOUNT // 10**minor_units
        too_large = (whole > bound) | (whole < -bound)
        values = np.where(too_large, 0, whole).astype(np.int64) * 10**minor_units
        _check_money(raw, name, column, values, _missing(column), none, none, too_large, minor_units, problems,
                     allow_negative)
        return values
    values, missing, malformed, too_precise = decimal_text(column, minor_units)
    too_large = (np.abs(values) > MAX_AMOUNT) & ~malformed
    _check_money(raw, name, column, values, missing, malformed, too_precise & ~too_large, too_large, minor_units,
                 problems, allow_negative)
    return np.where(missing | malformed | too_precise | too_large, 0, values).astype(np.int64)


def decimal_text(column, places: int):
    """Decimal text to integers scaled by 10**places: (values, missing, malformed, too_precise) arrays.

    Any run of digits is read; a value past MAX_TOTAL comes back as +-(MAX_TOTAL + 1), beyond every
    bound, so the caller's own bound refuses it (and no digit string can wrap int64).
    """
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    parts = pc.extract_regex(trim(column), _MONEY_TEXT)
    missing = _missing(column)
    malformed = pc.is_null(parts).to_numpy(zero_copy_only=False) & ~missing
    digits = pc.utf8_ltrim(pc.struct_field(parts, "whole").fill_null("0"), "0")
    most = MAX_TOTAL // 10**places  # the largest whole part within the bound
    long = pc.greater(pc.utf8_length(digits), len(str(most))).to_numpy(zero_copy_only=False)
    whole = pc.cast(pc.if_else(pc.or_(pa.array(long), pc.equal(digits, "")), "0", digits), pa.int64()).to_numpy()
    beyond = long | (whole > most)
    frac_text = pc.utf8_rtrim(pc.struct_field(parts, "frac").fill_null(""), "0")
    too_precise = (pc.utf8_length(frac_text).to_numpy(zero_copy_only=False) > places) & ~malformed
    if places:
        padded = pc.utf8_rpad(pc.utf8_slice_codeunits(frac_text, 0, places), places, "0")
        fraction = pc.cast(padded, pa.int64()).to_numpy()
    else:
        fraction = np.zeros(len(column), dtype=np.int64)
    negative = pc.equal(pc.struct_field(parts, "sign").fill_null(""), "-").to_numpy(zero_copy_only=False)
    values = np.where(beyond, 0, whole) * 10**places + fraction
    values[beyond | (values > MAX_TOTAL)] = MAX_TOTAL + 1
    return np.where(negative, -values, values), missing, malformed, too_precise


#: Credit shares are exact fractions with up to 6 decimals, held as parts per million.
SHARE_SCALE = 10**6


def score(raw: RawTable, name: str, problems: ProblemCollector) -> np.ndarray:
    """QA scores (e.g. 87 or 87.5) in hundredths of a point; blank is -1 (no score)."""
    column = raw.table.column(name).combine_chunks()
    values, missing, malformed, too_precise = decimal_text(column, 2)
    bad = malformed | too_precise | (~missing & ((values < 0) | (values > MAX_AMOUNT)))
    if bad.any():
        _report(raw, name, bad, lambda v: f"{v!r} is not a score (a number such as 87 or 87.5)", problems, column)
    return np.where(missing | bad, -1, values)


def share_text(parts_per_million: int) -> str:
    """A share as the decimal a person wrote: 500000 -> '0.5', 1000000 -> '1'."""
    whole, frac = divmod(int(parts_per_million), SHARE_SCALE)
    return f"{whole}.{frac:06d}".rstrip("0").rstrip(".")


def share(raw: RawTable, name: str, problems: ProblemCollector) -> np.ndarray:
    """Credit shares such as 0.5 or 0.333334 as parts per million; a blank cell means the whole (1)."""
    column = raw.table.column(name).combine_chunks()
    values, missing, malformed, too_precise = decimal_text(column, 6)
    bad = malformed | too_precise | (~missing & ((values <= 0) | (values > SHARE_SCALE)))
    if bad.any():
        _report(raw, name, bad, lambda v: f"{v!r} is not a credit share: write a fraction above 0 and at most 1 "
                "with up to 6 decimals, e.g. 0.5", problems, column)
    return np.where(missing | bad, SHARE_SCALE, values)


def _decimal_minor(raw, name, chunked, minor_units, problems, allow_negative) -> np.ndarray:
    """Exact Arrow decimal to minor units, scaling the unscaled integers without any float.

    A decimal128 value is 16 little-endian bytes; with 18 digits or fewer it fits the low int64
    word. A wider column first has its rows past MAX_AMOUNT flagged (and zeroed) and, when it has
    more decimals than the currency, its extra decimals checked, so every row that is kept fits.
    """
    missing = _missing(chunked)
    too_large = np.zeros(len(chunked), bool)
    too_precise = np.zeros(len(chunked), bool)
    scale = chunked.type.scale
    if chunked.type.precision > 18:
        column = chunked.combine_chunks()
        shift = scale - minor_units  # MAX_AMOUNT at the column's scale, rounded down: exact, with no context
        limit = Decimal(f"{MAX_AMOUNT * 10**shift if shift >= 0 else MAX_AMOUNT // 10**-shift}E-{scale}")
        too_large = pc.greater(pc.abs(column), pa.scalar(limit, column.type)).fill_null(False) \
            .to_numpy(zero_copy_only=False)
        column = pc.if_else(pa.array(too_large), pa.scalar(Decimal(0), column.type), column)
        if scale > minor_units:
            rounded = pc.round(column, minor_units)
            too_precise = pc.not_equal(column, rounded).fill_null(False).to_numpy(zero_copy_only=False)
            column, scale = pc.cast(rounded, pa.decimal128(38, minor_units)), minor_units
        chunked = pa.chunked_array([column])
    if chunked.type != pa.decimal128(18, scale):
        chunked = pc.cast(chunked, pa.decimal128(18, scale))  # every value kept fits 18 digits
    words = [np.frombuffer(c.buffers()[1], dtype=np.int64)[c.offset * 2:(c.offset + len(c)) * 2][0::2]
             for c in chunked.chunks if len(c)]
    unscaled = np.concatenate(words) if words else np.zeros(0, dtype=np.int64)
    if scale <= minor_units:
        factor, bound = 10 ** (minor_units - scale), MAX_AMOUNT // 10 ** (minor_units - scale)
        if len(unscaled) and (unscaled.max() > bound or unscaled.min() < -bound):  # two passes, no copy
            too_large |= np.abs(unscaled) > bound
        values = unscaled if factor == 1 and not too_large.any() else np.where(too_large, 0, unscaled) * factor
    else:
        divisor = 10 ** (scale - minor_units)
        too_precise = unscaled % divisor != 0
        values = unscaled // divisor
        too_large |= np.abs(values) > MAX_AMOUNT
        too_precise &= ~too_large
    _check_money(raw, name, raw.table.column(name), values, missing, np.zeros(len(values), bool), too_precise,
                 too_large, minor_units, problems, allow_negative)
    dropped = missing | too_large
    return np.where(dropped, 0, values) if dropped.any() else values


def _check_money(raw, name, column, values, missing, malformed, too_precise, too_large, minor_units, problems,
                 allow_negative) -> None:
    if missing.any():
        _report(raw, name, missing, "is empty; an amount is required", problems)
    if malformed.any():
        _report(raw, name, malformed, lambda v: f"{v!r} is not a number (write e.g. 1234.50, no separators)",
                problems, column)
    if too_large.any():
        limit = too_large_message(MAX_AMOUNT, minor_units)
        _report(raw, name, too_large, lambda v: f"{shown(str(v).strip())} is {limit}", problems, column)
    if too_precise.any():
        _report(raw, name, too_precise, lambda v: f"{v} has more than {minor_units} decimal places", problems, column)
    if not allow_negative:
        negative = (values < 0) & ~(missing | malformed | too_precise | too_large)
        if negative.any():
            _report(raw, name, negative, lambda v: f"{v} is negative", problems, column)


#: How a true/false ledger cell may be written (any case); a blank cell is false.
TRUE_TEXT = ("true", "yes", "y", "1")
FALSE_TEXT = ("false", "no", "n", "0", "")


def flag(raw: RawTable, name: str, problems: ProblemCollector) -> np.ndarray:
    """A true/false column such as settled or promise_kept: true/false, yes/no, y/n or 1/0 in any case, or
    an Arrow boolean; blank is false. Anything else is reported with its row."""
    column = raw.table.column(name).combine_chunks()
    if pa.types.is_boolean(column.type):
        return column.fill_null(False).to_numpy(zero_copy_only=False)
    text = pc.utf8_lower(trim(_as_text(column))).fill_null("")
    true = pc.is_in(text, value_set=pa.array(TRUE_TEXT)).to_numpy(zero_copy_only=False)
    bad = ~true & ~pc.is_in(text, value_set=pa.array(FALSE_TEXT)).to_numpy(zero_copy_only=False)
    if bad.any():
        _report(raw, name, bad, lambda v: f"{shown(str(v))!r} is not true or false (write true/false, yes/no or 1/0)",
                problems, column)
    return true


def whole_number(raw: RawTable, name: str, problems: ProblemCollector, minimum: int | None = 0) -> np.ndarray:
    """A required non-negative integer column such as days_past_due."""
    column = raw.table.column(name).combine_chunks()
    missing = _missing(column)
    if pa.types.is_integer(column.type):
        values = (column.fill_null(0) if column.null_count else column).to_numpy().astype(np.int64, copy=False)
        malformed = np.zeros(len(values), bool)
    else:
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        trimmed = trim(column)
        good = pc.match_substring_regex(trimmed, r"^[+-]?\d{1,9}$").fill_null(False).to_numpy(zero_copy_only=False)
        malformed = ~good & ~missing
        values = pc.cast(pc.if_else(pa.array(good), trimmed, "0"), pa.int64()).to_numpy()
    if missing.any():
        _report(raw, name, missing, "is empty; a whole number is required", problems)
    if malformed.any():
        _report(raw, name, malformed, lambda v: f"{v!r} is not a whole number", problems, column)
    if minimum is not None:
        low = (values < minimum) & ~missing & ~malformed
        if low.any():
            _report(raw, name, low, lambda v: f"{v} is negative; it must be {minimum} or more", problems, column)
    return values


def day(raw: RawTable, name: str, problems: ProblemCollector, required: bool = True) -> np.ndarray:
    """An ISO date column (YYYY-MM-DD) to numpy datetime64[D]; blank is NaT when not required. A typed
    (Parquet) timestamp or date64 is a date only at midnight: one with a time of day is refused as the
    same text in a CSV is, never cut to its day (23:30 may be the next day where the money arrived)."""
    column = raw.table.column(name).combine_chunks()
    missing = _missing(column)
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        wall = pc.local_timestamp(column) if getattr(column.type, "tz", None) else column  # its own zone's day
        parsed = pc.cast(wall, pa.date32())
        bad = pc.not_equal(pc.cast(parsed, wall.type), wall).fill_null(False).to_numpy(zero_copy_only=False)
    else:
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        trimmed = trim(column)
        shape_ok = pc.match_substring_regex(trimmed, r"^\d{4}-\d{2}-\d{2}$")
        stamp = pc.strptime(pc.if_else(shape_ok, trimmed, None), format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2026-02-30 forward to March; a date is good only if it prints back as written.
        round_trip = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), trimmed).fill_null(False)
        parsed = pc.cast(pc.if_else(round_trip, stamp, None), pa.date32())
        bad = pc.is_null(parsed).to_numpy(zero_copy_only=False) & ~missing
    if required and missing.any():
        _report(raw, name, missing, "is empty; a date YYYY-MM-DD is required", problems)
    if bad.any():
        _report(raw, name, bad, lambda v: f"{v if isinstance(v, str) else v.isoformat()!r} is not a date YYYY-MM-DD",
                problems, column)
    days = pc.cast(parsed, pa.int32())
    if days.null_count == 0:
        return days.to_numpy().astype("datetime64[D]")
    days = days.fill_null(np.iinfo(np.int32).min).to_numpy().astype(np.int64)
    return np.where(days == np.iinfo(np.int32).min, np.datetime64("NaT"), days.astype("datetime64[D]"))
