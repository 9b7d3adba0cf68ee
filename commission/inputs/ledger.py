"""The recovery ledger: one row per repayment credited to a collector.

Loading validates every row (all problems, up to a limit, each with file and row), turns
amounts into int64 minor units, drops columns the plan does not use (debtor names or phone
numbers never travel further), and puts rows in one canonical order (by payment_id), so
that every output is the same whatever order the ledger came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, Problem, ProblemCollector
from ..identifiers import look_alike_message, look_alikes
from ..policy.model import LEDGER_COLUMNS, SPECIAL_LEDGER_COLUMNS
from . import columns
from .columns import SHARE_SCALE, share_text
from .tables import SUFFIXES, RawTable, read_table

REQUIRED_COLUMNS = LEDGER_COLUMNS
#: Optional columns: `reverses` names the payment a bounced/returned payment (negative amount)
#: reverses; `credit_share` splits one payment between collectors (one row per collector).
OPTIONAL_COLUMNS = SPECIAL_LEDGER_COLUMNS
#: How far after today a payment_date may be: money is booked when it arrives, so a later date is a
#: typo (9999-12-31 for "open", a year keyed wrong), never a payment; a row so dated used to be
#: counted quietly as outside every window. Generous, so no clock or time zone refuses a real one;
#: and a file accepted once is accepted on every later day (a run replays as it was).
LATEST_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class InputFile:
    """An input's fingerprint for the manifest."""

    role: str
    path: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class Ledger:
    """Validated ledger rows in canonical order, and the files they came from.

    Frame columns: payment_id (str); collector_id (categorical, sorted); account (str, masked
    to its last 4 characters: the full number never leaves the loader); payment_date
    (datetime64); amount, balance (int64 minor units); days_past_due (int64); any rate-key
    columns (str); any other money columns the plan reads (a fee, principal: int64 minor units,
    checked like amount) and true/false columns (settled, promise_kept: bool); account_key
    (int64, a code per full account number, when a plan counts accounts); when any file has them,
    reverses (str, '' for a payment) and credit_share (int64 parts per million, SHARE_SCALE for
    sole credit); source, row (where each row came from, for messages). Rows are ordered by
    payment_id, then collector_id.
    """

    frame: pd.DataFrame
    files: tuple[InputFile, ...]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the readable files inside any folder given (sorted, so runs repeat)."""
    result: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            result.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()))
        else:
            result.append(path)
    return result


def load_ledger(paths: Sequence[str | Path], minor_units: int, key_columns: Sequence[str] = (),
                money_columns: Sequence[str] = (), flag_columns: Sequence[str] = (),
                account_codes: bool = False) -> Ledger:
    """Read and validate ledger files; raise InputError with every problem, or return the Ledger.

    `key_columns` are read as text (rate keys), `money_columns` as money and `flag_columns` as true/false
    (each required when given); `account_codes` keeps a code per full account number (account_key)."""
    needed = Needs(tuple(key_columns), tuple(money_columns), tuple(flag_columns), account_codes)
    files = expand_paths(paths)
    if not files:
        raise InputError([Problem(", ".join(map(str, paths)), "", "no ledger files found", role="ledger")])
    problems = ProblemCollector()
    parts, fingerprints = [], []
    for path in files:
        read = read_ledger_file(path, minor_units, needed, problems)
        if read is not None:
            fingerprints.append(read[0])
            if read[1] is not None:
                parts.append(read[1])
    problems.raise_if_any()
    return Ledger(frame=ledger_frame(parts, needed), files=tuple(fingerprints))


def ledger_frame(parts: Sequence[pd.DataFrame], needed: "Needs", shared: Sequence[str] = (),
                 whole_payments: bool = True) -> pd.DataFrame:
    """Validated files' frames (`parts`, in file order) as one ledger in canonical order, checked across
    rows: duplicates, split credit, reversal chains (InputError naming file and row). `shared` names the
    optional columns (credit_share, reverses) another part of the same ledger has, so a partitioned run
    (app.partitioned: only some collectors' rows) builds the frame the whole ledger would give them.
    Without `whole_payments` the parts may hold some collectors of a split payment only, so its shares
    are not checked (the rest of the ledger is checked where every collector of it is read)."""
    problems = ProblemCollector()
    if "credit_share" in shared or any("credit_share" in part for part in parts):  # a file without the column
        # credits whole payments; filled before the concat, so shares stay int64 (a concat would fill NaN, float64)
        parts = [part if "credit_share" in part else part.assign(credit_share=np.int64(SHARE_SCALE)) for part in parts]
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if "reverses" in shared and "reverses" not in frame:
        frame["reverses"] = ""
    if "reverses" in frame:
        frame["reverses"] = frame["reverses"].fillna("").astype("str")
    frame["collector_id"] = sorted_categorical(frame["collector_id"])
    _check_look_alikes(frame, problems)
    if needed.account_codes:  # a code per full number (in order of first appearance), never the number itself
        accounts = pa.array(frame.pop("account_id"))
        accounts = accounts.combine_chunks() if isinstance(accounts, pa.ChunkedArray) else accounts
        frame["account_key"] = accounts.dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
    frame, repeated = _canonical_order(frame, problems)
    if "credit_share" in frame and whole_payments:
        _check_splits(frame, problems, (*needed.money, *needed.flags), repeated)
    problems.raise_if_any()
    accounts = frame.pop("account_hash").to_numpy() if "account_hash" in frame else None
    if "reverses" in frame:
        _check_reversal_chains(frame, problems, accounts)
        problems.raise_if_any()
    # Arrow's allocator keeps what reading and validating freed (most of a gigabyte per 10M rows) for
    # reuse that never comes; handed back now, the engine's own arrays do not pile on top of it.
    pa.default_memory_pool().release_unused()
    return frame


@dataclass(frozen=True)
class Needs:
    """The columns a ledger must have besides the required ones, by what the plans read them as."""

    keys: tuple[str, ...]
    money: tuple[str, ...]
    flags: tuple[str, ...]
    account_codes: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.money, *self.flags)

    def use(self, name: str) -> str:
        """Why the plan reads column `name` (one of `columns`), for a header that lacks it."""
        return "is used by the plan's rate table but is" if name in self.keys else \
            "is a money column the plan reads (a fee, a base, a sum: measure) but is" if name in self.money else \
            "is read by the plan's count measure but is"


def plan_columns(policies) -> dict:
    """What `policies` read from a ledger beyond its required columns, as load_ledger's keyword arguments."""
    return {"key_columns": list(dict.fromkeys(c for p in policies for c in p.ledger_columns())),
            "money_columns": list(dict.fromkeys(c for p in policies for c in p.money_columns())),
            "flag_columns": list(dict.fromkeys(c for p in policies for c in p.flag_columns())),
            "account_codes": any(p.counts_accounts() for p in policies)}


def read_ledger_file(path: Path, minor_units: int, needed: Needs, problems: ProblemCollector):
    """One file's fingerprint and validated frame (None when it has problems), or None when it cannot be
    read. The file's Arrow table is gone when this returns, so it never lives beside the frames after it."""
    raw = problems.attempt(read_table, path, wanted=(*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *needed.columns))
    if raw is None:
        return None
    return InputFile("ledger", raw.source, raw.sha256, raw.table.num_rows), _validate(raw, minor_units, needed,
                                                                                       problems)


def _validate(raw: RawTable, minor_units: int, needed: Needs, problems: ProblemCollector):
    present = set(raw.header)
    complete = raw.require(REQUIRED_COLUMNS, problems)
    absent = [c for c in needed.columns if c not in present]
    for name in absent:  # each a column a rule of the plan reads: a mistake of its own (a misspelt key, say)
        problems.add(raw.header_where(), name, f"{needed.use(name)} missing from the header "
                     f"(found: {', '.join(raw.header)})")
    if not complete or absent:
        return None
    data = {
        "payment_id": columns.identifier(raw, "payment_id", problems),
        "collector_id": columns.identifier(raw, "collector_id", problems),
        "account": columns.mask_account(accounts := columns.identifier(raw, "account_id", problems)),
        "account_hash": columns.text_hashes(accounts),  # the full number's, for a reversal's (ledger_frame)
        "payment_date": columns.day(raw, "payment_date", problems),
        "amount": columns.money(raw, "amount", minor_units, problems),
        "days_past_due": columns.whole_number(raw, "days_past_due", problems),
        "balance": columns.money(raw, "balance", minor_units, problems, allow_negative=False),
    }
    for name in needed.keys:
        data[name] = columns.text(raw, name, problems, required=False)
    for name in needed.money:
        data[name] = columns.money(raw, name, minor_units, problems)
    for name in needed.flags:
        data[name] = columns.flag(raw, name, problems)
    _check_not_ahead(raw, data["payment_date"], problems)
    if needed.account_codes:
        data["account_id"] = pd.arrays.ArrowExtensionArray(accounts)  # coded once the files are joined
    if "reverses" in present:
        data["reverses"] = columns.identifier(raw, "reverses", problems, required=False)
        _check_reversal_shape(raw, data, problems)
    if "credit_share" in present:
        data["credit_share"] = columns.share(raw, "credit_share", problems)
    frame = pd.DataFrame({name: _to_pandas(values) for name, values in data.items()}, copy=False)
    frame["source"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), categories=[raw.source])
    frame["row"] = np.arange(raw.first_row, raw.first_row + len(frame), dtype=np.int64)
    return frame


def _check_look_alikes(frame: pd.DataFrame, problems: ProblemCollector) -> None:
    """Collector ids that are one id once NFKC-normalised (identifiers.look_alikes), each named at its
    first row, after the id first met in the files (as the roster names them)."""
    categories = frame["collector_id"].cat.categories
    if not look_alikes(categories):  # the usual case, decided on the distinct ids alone
        return
    codes = frame["collector_id"].cat.codes.to_numpy()
    codes, rows = np.unique(codes, return_index=True)
    order = np.argsort(rows)
    first_row = dict(zip(categories[codes[order]], rows[order].tolist()))

    def where(text: str) -> str:
        return f"{frame['source'].iat[first_row[text]]}:row {frame['row'].iat[first_row[text]]}"

    for text, first in look_alikes(first_row).items():
        problems.add(where(text), "collector_id", look_alike_message(text, first, where(first)))


def _check_not_ahead(raw: RawTable, dates: np.ndarray, problems: ProblemCollector) -> None:
    """A payment_date more than LATEST_AHEAD after today is refused with its row."""
    today = datetime.now(timezone.utc).date()
    ahead = np.flatnonzero(dates > np.datetime64(today + LATEST_AHEAD))
    room = max(problems.limit - len(problems.problems), 0)
    problems.extend_hidden(max(len(ahead) - room, 0))
    for index in ahead[:room]:
        problems.add(raw.where(int(index)), "payment_date", f"{dates[index]} is more than a year after today "
                     f"({today}); a payment is dated the day its money was booked: a typo?")


def _check_reversal_shape(raw: RawTable, data: dict, problems: ProblemCollector) -> None:
    """A reversal takes money back: its amount is negative and it names another payment."""
    reverses = data["reverses"]
    is_reversal = pc.not_equal(reverses, "").to_numpy(zero_copy_only=False)
    not_negative = is_reversal & (data["amount"] >= 0)
    for index in np.flatnonzero(not_negative)[: problems.limit]:
        problems.add(raw.where(int(index)), "amount", "a reversal's amount must be negative (it takes back "
                     f"part or all of payment {reverses[int(index)].as_py()!r})")
    itself = pc.equal(reverses, data["payment_id"]).to_numpy(zero_copy_only=False)
    for index in np.flatnonzero(itself)[: problems.limit]:
        problems.add(raw.where(int(index)), "reverses", "a payment cannot reverse itself")


def _check_reversal_chains(frame: pd.DataFrame, problems: ProblemCollector,
                           accounts: Optional[np.ndarray] = None) -> None:
    """A reversal names the payment it takes back, never another reversal or a negative row: a
    reversal of a reversal would claw back a clawback, at the terms of a row that earned nothing
    of its own (and pay commission on a negative amount). It takes the money back from the same
    account (`accounts`: a hash of each row's full number), on or after the day it was paid: money
    cannot bounce before it arrived, nor from another debtor. Payments are found as the engine
    finds them, by payment_id and collector; payment_id and collector are unique here."""
    reverses = frame["reverses"].to_numpy()
    rows = np.flatnonzero(reverses != "")
    if not len(rows):
        return
    codes = frame["collector_id"].cat.codes.to_numpy()
    named = pd.MultiIndex.from_arrays([frame["payment_id"].to_numpy(), codes]).get_indexer(
        pd.MultiIndex.from_arrays([reverses[rows], codes[rows]]))
    rows, named = rows[named >= 0], named[named >= 0]
    chained = (reverses[named] != "") | (frame["amount"].to_numpy()[named] < 0)
    dates = frame["payment_date"].to_numpy()
    other_account = accounts[rows] != accounts[named] if accounts is not None else np.zeros(len(rows), bool)
    found = {"reverses": chained, "account_id": ~chained & other_account,
             "payment_date": ~chained & (dates[rows] < dates[named])}
    every = np.flatnonzero(found["reverses"] | found["account_id"] | found["payment_date"])
    problems.extend_hidden(int(sum(found[key][every[problems.limit:]].sum() for key in found)))
    for at in every[: problems.limit]:  # the collector counts what passes its limit
        row, other = rows[at], named[at]
        where = f"{frame['source'].iat[row]}:row {frame['row'].iat[row]}"
        original = f"payment {reverses[row]!r} ({frame['source'].iat[other]}:row {frame['row'].iat[other]})"
        if found["reverses"][at]:
            problems.add(where, "reverses", chained_reversal(str(reverses[row]), str(reverses[other])))
        if found["account_id"][at]:
            problems.add(where, "account_id", f"is not the account of {original}; a reversal takes money back "
                         "from the account that paid it")
        if found["payment_date"][at]:
            problems.add(where, "payment_date", f"{pd.Timestamp(dates[row]).date()} is before {original} was paid "
                         f"({pd.Timestamp(dates[named[at]]).date()}); money cannot bounce before it arrived")


def chained_reversal(named: str, its_original: str) -> str:
    """Why a reversal naming a reversal (or a negative row) is refused, and what to write instead."""
    what = f"is itself a reversal (of {its_original!r})" if its_original else "has a negative amount"
    original = f" ({its_original!r})" if its_original else ""
    return f"payment {named!r} {what}; a reversal must name the original payment it takes back{original}, " \
        "never another reversal"


def _check_splits(frame: pd.DataFrame, problems: ProblemCollector, more: Sequence[str] = (),
                  repeated: Optional[np.ndarray] = None) -> None:
    """Rows sharing a payment_id are one payment split between collectors: same payment, shares summing to 1.
    A payment given on one row with a share below 1 is refused too: the rest of it would be credited to no one.
    A payment with a `repeated` row (a collector's row given twice: already a problem of its own) is left
    out, so its duplicate is not reported again as shares that do not add up."""
    ids = frame["payment_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    rows = np.diff(np.r_[starts, len(ids)])
    group = np.repeat(np.arange(len(starts)), rows)
    sizes = rows if repeated is None or not repeated.any() else \
        np.where(np.bincount(group[repeated], minlength=len(starts)) > 0, 0, rows)
    share_sum = np.add.reduceat(frame["credit_share"].to_numpy(), starts)
    for g in np.flatnonzero((sizes > 0) & (share_sum != SHARE_SCALE))[: problems.limit]:
        first = starts[g]
        problems.add(f"{frame['source'].iat[first]}:row {frame['row'].iat[first]}", "credit_share",
                     f"the shares of payment {ids[first]!r} add up to {share_text(share_sum[g])}, not 1"
                     + ("; it has this one row: give each collector's row with their share, or leave credit_share "
                        "empty for sole credit" if sizes[g] == 1 else ""))
    if not (sizes > 1).any():
        return
    in_split = np.repeat(sizes > 1, rows)
    for column in ("amount", "payment_date", "account", "days_past_due", "balance", *more):
        values = frame[column].to_numpy()
        differs = in_split & (values != values[starts[group]])
        for index in np.flatnonzero(differs)[: problems.limit]:
            problems.add(f"{frame['source'].iat[index]}:row {frame['row'].iat[index]}", column,
                         f"payment {ids[index]!r} is split between collectors, but this row's {column} differs "
                         f"from its first row ({frame['source'].iat[starts[group[index]]]}:row "
                         f"{frame['row'].iat[starts[group[index]]]})")


def _to_pandas(values):
    """Arrow text columns become pandas str columns; numpy arrays pass through."""
    return values.to_pandas() if isinstance(values, (pa.Array, pa.ChunkedArray)) else values


def sorted_categorical(values: pd.Series) -> pd.Categorical:
    """Text as a categorical whose categories are sorted, so codes order like the text does."""
    array = pa.array(values)
    encoded = (array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array).dictionary_encode()
    dictionary = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(dictionary, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    return pd.Categorical.from_codes(codes, categories=pd.Index(dictionary[order], dtype="str"))


def _canonical_order(frame: pd.DataFrame, problems: ProblemCollector) -> tuple[pd.DataFrame, np.ndarray]:
    """Sort by payment_id, then collector (skipped when already in order) and report duplicates; returns the
    sorted frame and, per row, whether it repeats the row before it (a duplicate reported here).

    A payment_id may repeat only for different collectors (split credit, which needs credit_share).
    """
    repeated = np.zeros(len(frame), dtype=bool)
    ids = pa.array(frame["payment_id"])
    if len(ids) > 1 and not pc.all(pc.less(ids[:-1], ids[1:])).as_py():
        table = pa.table({"id": ids, "collector": frame["collector_id"].cat.codes.to_numpy()})
        order = pc.sort_indices(table, sort_keys=[("id", "ascending"), ("collector", "ascending")]).to_numpy()
        frame = frame.take(order).reset_index(drop=True)
        ids = ids.take(pa.array(order))
        same_as_next = pc.equal(ids[:-1], ids[1:]).to_numpy(zero_copy_only=False)
        if "credit_share" in frame:
            codes = frame["collector_id"].cat.codes.to_numpy()
            same_as_next &= codes[:-1] == codes[1:]
        duplicates = np.flatnonzero(same_as_next)
        problems.extend_hidden(max(len(duplicates) - problems.limit, 0))
        for index in duplicates[: problems.limit]:
            first, second = frame.iloc[int(index)], frame.iloc[int(index) + 1]
            problems.add(f"{second['source']}:row {second['row']}", "payment_id",
                         f"duplicate payment_id {second['payment_id']!r} (also at {first['source']}:row {first['row']})"
                         + ("" if "credit_share" in frame else "; to split one payment between collectors, give "
                            "each a row with a credit_share column"))
        repeated[duplicates + 1] = True
    return frame, repeated
