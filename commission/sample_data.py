"""Synthetic, seeded recovery ledgers and rosters for the demo, the tests and the benchmarks.

A bank's real ledger can never ship with the project (it is full of debtors' accounts), so
this module invents one that looks like it: many small early-stage repayments, fewer and
larger late-stage recoveries, collectors of uneven productivity, teams with leads, and a
few people who join or leave mid-period.

Everything is pure and vectorized: no file, clock or environment access, no Python loop
over rows (the only loops run over a handful of buckets, digit groups or teams). The same
arguments give identical frames (for a given numpy version, whose random streams this
relies on), because every draw comes, in a fixed order, from one
``numpy.random.default_rng(seed)``.

Money is int64 minor units (fen / cents); dates are ISO text, as in the files users load.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from commission.periods import Period

__all__ = ["SampleData", "generate", "generate_ledger_rows"]

_LEDGER_COLUMNS = (
    "payment_id",
    "collector_id",
    "account_id",
    "payment_date",
    "amount",
    "days_past_due",
    "balance",
    "product",
)
_ROSTER_COLUMNS = ("collector_id", "name", "team", "employee_id", "manager_id", "start_date", "end_date")

# Overdue buckets M1, M2, M3, M4-6, M7+: share of payments and days-past-due range.
_BUCKET_SHARES = np.array([0.45, 0.22, 0.13, 0.12, 0.08])
_DPD_LOW = np.array([1, 31, 61, 91, 181], dtype=np.int64)
_DPD_HIGH = np.array([30, 60, 90, 180, 720], dtype=np.int64)
# Chance that a payment is a large lump-sum recovery (settlement), by bucket.
_LARGE_SHARE = np.array([0.0005, 0.001, 0.005, 0.04, 0.08])
# Median balance / amount ratio by bucket (late accounts owe much more than they pay).
_BALANCE_RATIO_MEDIAN = np.array([2.5, 3.5, 5.0, 7.0, 10.0])
# Chance that the payment settles the account in full (balance == amount), by bucket.
_PAID_IN_FULL_SHARE = np.array([0.05, 0.03, 0.02, 0.01, 0.005])

_AMOUNT_MEDIAN_MINOR = 80_000  # 800.00
_AMOUNT_SIGMA = 0.9
_LARGE_MEDIAN_MINOR = 2_500_000  # 25,000.00
_LARGE_SIGMA = 0.6
_WHOLE_UNITS_SHARE = 0.7  # most people pay round amounts
_BALANCE_SIGMA = 0.7
_MAX_BALANCE_RATIO = 60.0

_PRODUCTS = ("credit_card", "cash_loan")
_CASH_LOAN_SHARE = 0.30
_ACCOUNT_PREFIX = "6222"
_ACCOUNT_DIGITS = 12
_ACCOUNTS_PER_PAYMENT = 0.7  # account pool size per payment: drawn with replacement, so some pay twice

_CHUNK = 1 << 20  # rows per chunk of bulk work; changing it changes the random streams (and outputs)

_ACTIVITY_SIGMA = 0.5  # per-collector productivity multiplier, lognormal
_COLLECTORS_PER_TEAM = 8

_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"))
_GIVEN_NAMES = np.array(
    "芳 伟 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 秀英 秀兰 桂英 建国 晓东 "
    "文静 海燕 志强 建华 丽娟 俊杰 子涵 雨欣 浩然 思远 佳怡 欣怡 宇航 晓明 丹丹".split()
)

# The default text dtype of this pandas ("str" on pandas 3, object before).
_STR = pd.Series(["x"]).dtype
_ARROW_TEXT = isinstance(_STR, pd.StringDtype) and _STR.storage == "pyarrow"
if _ARROW_TEXT:
    import pyarrow as pa

# Zero-padded ASCII digits of 0..9999, for writing numbers four digits at a time.
_QUAD_WORDS = np.array([f"{i:04d}" for i in range(10_000)], dtype="S4").view(np.uint32)


@dataclass(frozen=True, eq=False)
class SampleData:
    """A generated ledger with the roster of every collector in it (eq=False: frames don't compare to a bool)."""

    ledger: pd.DataFrame
    roster: pd.DataFrame


def generate(
    collectors: int = 40,
    months: int = 3,
    seed: int = 7,
    first_month: str = "2026-08",
    payments_per_collector_month: int = 60,
) -> SampleData:
    """A realistic ledger and roster over `months` months from `first_month`, for demos and tests.

    Collectors are grouped in teams of about 8 with a lead; one or two join and one or two
    leave mid-period, and no payment falls outside anyone's employment window.
    """
    _check_int("collectors", collectors, 1)
    _check_int("months", months, 1)
    _check_int("payments_per_collector_month", payments_per_collector_month, 1)
    rng = np.random.default_rng(seed)

    bounds = _month_bounds(first_month, months)  # datetime64[D], months + 1 edges
    period_start = bounds[0]
    period_days = int((bounds[-1] - bounds[0]).astype(np.int64))
    ids = _id_width(collectors)

    roster, start_day, end_day = _roster(rng, collectors, period_start, period_days, ids)

    # Each collector's active days in each month (day numbers counted from period_start).
    month_lo = (bounds[:-1] - period_start).astype(np.int64)
    month_hi = (bounds[1:] - period_start).astype(np.int64) - 1
    lo = np.maximum(start_day[:, None], month_lo[None, :])
    hi = np.minimum(end_day[:, None], month_hi[None, :])
    active = np.clip(hi - lo + 1, 0, None)
    month_len = (month_hi - month_lo + 1)[None, :]

    activity = rng.lognormal(0.0, _ACTIVITY_SIGMA, collectors)
    expected = payments_per_collector_month * activity[:, None] * active / month_len
    counts = rng.poisson(expected)
    counts = np.where(active > 0, np.maximum(counts, 1), 0).ravel()  # collector-major

    n = int(counts.sum())
    row_collector = np.repeat(np.repeat(np.arange(collectors), months), counts)
    row_lo = np.repeat(lo.ravel(), counts)
    row_active = np.repeat(active.ravel(), counts)
    day = row_lo + (rng.random(n) * row_active).astype(np.int64)

    values = _payment_values(rng, n)

    # Each collector works a pool of accounts; several payments may come from one account.
    per_collector = counts.reshape(collectors, months).sum(axis=1)
    pool_size = np.maximum(1, np.ceil(per_collector * _ACCOUNTS_PER_PAYMENT).astype(np.int64))
    pool_offset = np.concatenate(([0], np.cumsum(pool_size)[:-1]))
    account = pool_offset[row_collector] + (rng.random(n) * pool_size[row_collector]).astype(np.int64)
    account_is_loan = rng.random(int(pool_size.sum())) < _CASH_LOAN_SHARE
    account_number = _account_numbers(rng, account)

    # A stream in date order; payments of one day come in random order.
    shuffle = rng.permutation(n)
    order = shuffle[np.argsort(day[shuffle], kind="stable")]

    ledger = _ledger_frame(
        collector=row_collector[order],
        collectors=collectors,
        account_number=account_number[order],
        day=day[order],
        period_start=period_start,
        period_days=period_days,
        values=values[:, order],
        is_loan=account_is_loan[account[order]],
    )
    return SampleData(ledger=ledger, roster=roster)


def generate_ledger_rows(rows: int, collectors: int = 500, seed: int = 7, month: str = "2026-10") -> pd.DataFrame:
    """Fast bulk ledger for benchmarks: `rows` payments in one month (10,000,000 rows must take a few seconds).

    Same columns, dtypes and value distributions as `generate`, without a roster or
    employment windows; collectors still differ in productivity.
    """
    _check_int("rows", rows, 0)
    _check_int("collectors", collectors, 1)
    rng = np.random.default_rng(seed)

    bounds = _month_bounds(month, 1)
    days = int((bounds[1] - bounds[0]).astype(np.int64))
    # Draw how many payments fall on each day, so the rows come out in date order.
    day = np.repeat(np.arange(days, dtype=np.int64), rng.multinomial(rows, np.full(days, 1.0 / days)))

    # Collectors of uneven productivity: draw from a lookup table where each collector holds
    # slots in proportion to its activity (a binary search per row would be 10x slower).
    activity = rng.lognormal(0.0, _ACTIVITY_SIGMA, collectors)
    slots = np.maximum(1, np.rint(activity / activity.sum() * max(65_536, 16 * collectors))).astype(np.int64)
    table = np.repeat(np.arange(collectors, dtype=np.int32), slots)
    collector = np.empty(rows, dtype=np.int32)
    for part in _chunks(rows):
        collector[part] = table[rng.integers(0, len(table), part.stop - part.start)]

    pool = max(1, int(rows * _ACCOUNTS_PER_PAYMENT))
    account = np.empty(rows, dtype=np.int64)
    for part in _chunks(rows):
        account[part] = rng.integers(0, pool, part.stop - part.start)
    is_loan = (rng.random(pool) < _CASH_LOAN_SHARE)[account]
    account_number = _account_numbers(rng, account)
    values = _payment_values(rng, rows)

    return _ledger_frame(
        collector=collector,
        collectors=collectors,
        account_number=account_number,
        day=day,
        period_start=bounds[0],
        period_days=days,
        values=values,
        is_loan=is_loan,
    )


# --------------------------------------------------------------------------- values


def _payment_values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Rows amount, days_past_due, balance (int64, money in minor units) of `n` independent payments.

    One (3, n) array, so that pandas can hold the three columns without copying them.
    """
    values = np.empty((3, n), dtype=np.int64)
    for part in _chunks(n):
        _fill_payment_values(rng, values[:, part])
    return values


def _fill_payment_values(rng: np.random.Generator, values: np.ndarray) -> None:
    """Draw one chunk of _payment_values in place.

    Uniform draws are float32 (only compared or scaled, which is exact everywhere); exp runs
    in float64, because a float32 exp may differ by an ulp between CPUs' SIMD code paths and
    flip a cent in the rounding, and outputs are hashed.
    """
    amount, dpd, balance = values
    n = values.shape[1]

    u = rng.random(n, dtype=np.float32)
    bucket = np.zeros(n, dtype=np.uint8)
    for edge in np.cumsum(_BUCKET_SHARES)[:-1].astype(np.float32):
        bucket += u >= edge
    low = _DPD_LOW[bucket]
    span = rng.random(n, dtype=np.float32)
    span *= (_DPD_HIGH - _DPD_LOW + 1).astype(np.float32)[bucket]
    np.add(low, span.astype(np.int64), out=dpd)
    np.minimum(dpd, _DPD_HIGH[bucket], out=dpd)  # guard float32 rounding at the top edge

    units = rng.standard_normal(n)
    units *= _AMOUNT_SIGMA
    np.exp(units, out=units)
    units *= _AMOUNT_MEDIAN_MINOR
    large = np.flatnonzero(rng.random(n, dtype=np.float32) < _LARGE_SHARE.astype(np.float32)[bucket])
    units[large] = _LARGE_MEDIAN_MINOR * np.exp(_LARGE_SIGMA * rng.standard_normal(len(large)))
    # Most people pay whole currency units: round those to 100 minor units, the rest to 1.
    step = np.where(rng.random(n, dtype=np.float32) < _WHOLE_UNITS_SHARE, 100.0, 1.0)
    units /= step
    np.rint(units, out=units)
    units *= step
    np.maximum(units, 100.0, out=units)
    amount[:] = units

    ratio = rng.standard_normal(n)
    ratio *= _BALANCE_SIGMA
    np.exp(ratio, out=ratio)
    ratio *= (_BALANCE_RATIO_MEDIAN - 1.0)[bucket]
    ratio += 1.0
    np.minimum(ratio, _MAX_BALANCE_RATIO, out=ratio)
    ratio[rng.random(n, dtype=np.float32) < _PAID_IN_FULL_SHARE.astype(np.float32)[bucket]] = 1.0
    units *= ratio
    np.rint(units, out=units)
    balance[:] = units
    np.maximum(balance, amount, out=balance)


def _account_numbers(rng: np.random.Generator, account: np.ndarray) -> np.ndarray:
    """Map account indices to distinct-looking 12-digit numbers: a random bijection mod 10**12."""
    modulus = 10**_ACCOUNT_DIGITS
    multiplier = int(rng.integers(10**11, modulus)) | 1  # odd ...
    if multiplier % 5 == 0:  # ... and not a multiple of 5: coprime with 10**12
        multiplier += 2
    shift = int(rng.integers(0, modulus))
    high, low = divmod(multiplier, 10**6)  # split so that no product overflows int64
    number = np.empty(len(account), dtype=np.int64)
    for part in _chunks(len(account)):
        chunk = number[part]
        np.multiply(account[part], high, out=chunk)
        chunk %= 10**6
        chunk *= 10**6
        chunk += low * account[part]
        chunk += shift
        chunk %= modulus
    return number


# --------------------------------------------------------------------------- roster


def _roster(
    rng: np.random.Generator, collectors: int, period_start: np.datetime64, period_days: int, id_width: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The roster, with each collector's first and last working day counted from period_start."""
    index = np.arange(collectors)
    teams = max(1, round(collectors / _COLLECTORS_PER_TEAM))
    team = rng.permutation(index % teams)
    # The lead of each team: its member with the smallest random key.
    by_team = np.lexsort((rng.random(collectors), team))
    lead_of_team = by_team[np.searchsorted(team[by_team], np.arange(teams))]
    is_lead = np.zeros(collectors, dtype=bool)
    is_lead[lead_of_team] = True

    tenure = np.minimum(30 + rng.exponential(900.0, collectors), 3650).astype(np.int64)
    start_day = -tenure
    end_day = np.full(collectors, period_days - 1, dtype=np.int64)
    has_end = np.zeros(collectors, dtype=bool)

    # A couple of non-leads join during the period, one or two others leave before its end.
    candidates = rng.permutation(index[~is_lead])
    joining = candidates[: min(2, len(candidates) // 4)]
    leaving = candidates[len(joining) :][: min(int(rng.integers(1, 3)), (len(candidates) - len(joining)) // 3)]
    start_day[joining] = rng.integers(1, max(2, period_days - 7), len(joining))
    end_day[leaving] = rng.integers(7, period_days - 1, len(leaving))
    has_end[leaving] = True

    ids = _numbered("C", index + 1, id_width)
    names = np.char.add(
        _SURNAMES[rng.integers(0, len(_SURNAMES), collectors)],
        _GIVEN_NAMES[rng.integers(0, len(_GIVEN_NAMES), collectors)],
    )
    team_names = np.array([f"Team {_letters(t)}" for t in range(teams)], dtype=object)
    employee = _numbered("E", 10_001 + index, len(str(10_000 + collectors)))
    manager = np.where(is_lead, "", ids[lead_of_team[team]])
    start = np.datetime_as_string(period_start + start_day, unit="D")
    end = np.where(has_end, np.datetime_as_string(period_start + end_day, unit="D"), "")

    columns = (ids, names, team_names[team], employee, manager, start, end)
    roster = pd.DataFrame(
        {name: pd.Series(np.asarray(values).astype(object), dtype=_STR) for name, values in zip(_ROSTER_COLUMNS, columns)}
    )
    return roster, start_day, end_day


def _letters(number: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', like spreadsheet columns."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Small-array version of prefix + zero-padded number, as a numpy unicode array."""
    return _digit_matrix(prefix, numbers, width).view(f"S{len(prefix) + width}").ravel().astype(str)


# --------------------------------------------------------------------------- frames and text


def _ledger_frame(
    *,
    collector: np.ndarray,
    collectors: int,
    account_number: np.ndarray,
    day: np.ndarray,
    period_start: np.datetime64,
    period_days: int,
    values: np.ndarray,
    is_loan: np.ndarray,
) -> pd.DataFrame:
    """Assemble the ledger; rows must already be in date order, `values` is _payment_values' (3, n) array."""
    n = len(day)
    dates = np.datetime_as_string(period_start + np.arange(period_days), unit="D").astype("S10")
    date_table = dates.view(np.uint8).reshape(period_days, 10)
    collector_table = _digit_matrix("C", np.arange(1, collectors + 1), _id_width(collectors))
    # The int64 columns share one block built from `values` without a copy; text goes around it.
    frame = pd.DataFrame(values.T, columns=["amount", "days_past_due", "balance"], copy=False)
    offsets: dict[int, np.ndarray] = {}
    text = {
        "payment_id": _text(_digit_matrix("P", np.arange(1, n + 1, dtype=np.int64), max(9, len(str(n)))), offsets),
        "collector_id": _text(collector_table[collector], offsets),
        "account_id": _text(_digit_matrix(_ACCOUNT_PREFIX, account_number, _ACCOUNT_DIGITS), offsets),
        "payment_date": _text(date_table[day], offsets),
    }
    for position, (name, column) in enumerate(text.items()):
        frame.insert(position, name, column)
    frame.insert(len(_LEDGER_COLUMNS) - 1, "product", _text_from_codes(is_loan.astype(np.int32), _PRODUCTS))
    return frame


def _digit_matrix(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """ASCII bytes of prefix + zero-padded numbers, one row per number: shape (n, len(prefix) + width)."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    groups = -(-width // 4)
    out = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    for part in _chunks(len(numbers)):
        rest = np.array(numbers[part], dtype=np.int64)
        quads = np.empty((len(rest), groups), dtype=np.uint32)  # four ASCII digits per uint32
        for column in range(groups - 1, -1, -1):  # right to left
            quads[:, column] = _QUAD_WORDS[rest % 10_000]
            rest //= 10_000
        out[part, len(head) :] = quads.view(np.uint8)[:, 4 * groups - width :]
    return out


def _text(matrix: np.ndarray, offsets: dict[int, np.ndarray]) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A text column from fixed-width ASCII rows, without a Python object per row when pandas uses Arrow.

    `offsets` caches the Arrow offsets buffer per width: columns of one width share it.
    """
    n, width = matrix.shape
    data = np.ascontiguousarray(matrix).reshape(-1)
    if _ARROW_TEXT:
        if width not in offsets:
            offsets[width] = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets[width]), pa.py_buffer(data))
        return pd.array(array, dtype=_STR)
    return data.view(f"S{width}").astype(f"U{width}").astype(object)


def _text_from_codes(codes: np.ndarray, labels: tuple[str, ...]) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A text column holding labels[codes]."""
    if _ARROW_TEXT:
        return pd.array(pa.array(labels, type=pa.large_string()).take(pa.array(codes)), dtype=_STR)
    return np.array(labels, dtype=object)[codes]


def _chunks(n: int):
    """Slices of at most _CHUNK rows covering range(n).

    Bulk work goes chunk by chunk so that temporaries stay small enough for the allocator
    to reuse: fresh large allocations (page faults) were the main cost at 10 million rows.
    The chunk size is a constant, so the output never depends on the machine.
    """
    return (slice(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK))


# --------------------------------------------------------------------------- arguments


def _month_bounds(month: str, months: int) -> np.ndarray:
    """First day of each month from `month` on, plus the day after the last one (datetime64[D])."""
    period = Period.parse(month)
    if period.kind != "month":
        raise ValueError(f"{month!r} is not a month; write it like 2026-08")
    first = np.datetime64(f"{period.year:04d}-{period.index:02d}", "M")
    return (first + np.arange(months + 1)).astype("datetime64[D]")


def _id_width(collectors: int) -> int:
    return max(3, len(str(collectors)))


def _check_int(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, not {value!r}")
