"""Synthetic, seeded recovery ledgers and rosters for the demo, the tests and the benchmarks.

A bank's real ledger can never ship with the project (it is full of debtors' accounts), so
this module invents one that looks like it: many small early-stage repayments, fewer and
larger late-stage recoveries, collectors of uneven productivity, teams with leads, and a
few people who join or leave mid-period. `generate` also exercises the real-plan features:
bounced payments reversed a few days later (full or partial), payments credited to two or
three teammates (split credit), two plans on one roster, monthly targets, assigned
balances (for the recovery rate), and complaints, violations and QA scores.

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

from ..periods import Period

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
_ROSTER_COLUMNS = ("collector_id", "name", "team", "employee_id", "manager_id", "start_date", "end_date", "plan")
_TARGET_COLUMNS = ("collector_id", "period", "target")
_ASSIGNMENT_COLUMNS = ("collector_id", "period", "assigned_balance")
_EVENT_COLUMNS = ("event_id", "collector_id", "date", "type", "severity", "score")

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

# Plans (ids of policies/*.yaml): everyone is on the tiered plan except the last team.
_PLAN = "card-tiered"
_LAST_TEAM_PLAN = "card-bucket-rates"

# Split credit (业绩分成): share of payments credited to teammates, and of those the share
# split three ways (when two teammates are at work that day).
_SPLIT_SHARE = 0.02
_THREE_WAY_SHARE = 0.1
# Credit shares, exact decimal text; the first goes to the collector who owns the account.
_SHARE_LABELS = ("", "0.5", "0.6", "0.4", "0.7", "0.3", "0.34", "0.33", "0.25")
_TWO_WAY = np.array([[1, 1], [2, 3], [4, 5]])  # 0.5/0.5, 0.6/0.4, 0.7/0.3 (codes into _SHARE_LABELS)
_TWO_WAY_P = np.array([0.5, 0.3, 0.2])
_THREE_WAY = np.array([[6, 7, 7], [1, 8, 8], [3, 5, 5]])  # 0.34/0.33/0.33, 0.5/0.25/0.25, 0.4/0.3/0.3
_THREE_WAY_P = np.array([0.5, 0.3, 0.2])

# Reversals (退票、还款撤销): share of (non-split) payments that bounce, booked 1-20 days later;
# a quarter of them return only part of the payment (30%-70% of it).
_REVERSAL_SHARE = 0.01
_REVERSAL_MAX_DAYS = 20
_PARTIAL_REVERSAL_SHARE = 0.25
_PARTIAL_LOW, _PARTIAL_HIGH = 0.3, 0.7

# Monthly targets: the collector's expected full-month recovery, as a manager would guess it
# (lognormal error), in whole 1,000.00 units. Assigned balance: expected recovery over the
# days worked divided by a recovery rate of 5%-15% (by collector, with some monthly drift);
# someone who works only a few days of a month still holds a book of at least a quarter's size.
_TARGET_SIGMA = 0.08
_TARGET_STEP_MINOR = 100_000
_RATE_LOW, _RATE_HIGH = 0.05, 0.15
_RATE_MONTH_SIGMA = 0.1
_MIN_BOOK_SHARE = 0.25

# Events: substantiated complaints (Poisson per collector-month, pro rata of days worked),
# one or two serious violations in the whole data set, one QA review per collector-month.
_COMPLAINTS_PER_MONTH = 0.3
_QA_MEAN, _QA_COLLECTOR_SIGMA, _QA_REVIEW_SIGMA = 85.0, 4.0, 6.0
_EVENT_TYPES = ("qa", "complaint", "violation")
_EVENT_SEVERITIES = ("", "minor", "serious")  # by type code: qa, complaint, violation

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
    """A generated ledger with the roster of every collector in it and the other inputs of a
    real plan (eq=False: frames don't compare to a bool).

    - ledger: payment_id, collector_id, account_id, payment_date, amount, days_past_due,
      balance, product, reverses (payment_id of the reversed payment, "" if none),
      credit_share (decimal text, "" for sole credit; split rows share their payment_id);
    - roster: collector_id, name, team, employee_id, manager_id, start_date, end_date, plan;
    - targets: collector_id, period ("YYYY-MM"), target (full month, even for a part month);
    - assignments: collector_id, period, assigned_balance;
    - events: event_id, collector_id, date, type (qa / complaint / violation),
      severity ("" / minor / serious), score (QA only, "50".."100").
    """

    ledger: pd.DataFrame
    roster: pd.DataFrame
    targets: pd.DataFrame
    assignments: pd.DataFrame
    events: pd.DataFrame


def generate(
    collectors: int = 40,
    months: int = 3,
    seed: int = 7,
    first_month: str = "2026-08",
    payments_per_collector_month: int = 60,
) -> SampleData:
    """A realistic ledger and roster over `months` months from `first_month`, for demos and tests.

    Collectors are grouped in teams of about 8 with a lead; one or two join and one or two
    leave mid-period, and no payment or event falls outside anyone's employment window.
    About 1% of payments bounce and are reversed 1-20 days later, about 2% are split between
    teammates; the last team is on another plan. Targets and assigned balances are given for
    every month a collector works (full-month amounts: proration is the engine's job).
    """
    _check_int("collectors", collectors, 1)
    _check_int("months", months, 1)
    _check_int("payments_per_collector_month", payments_per_collector_month, 1)
    rng = np.random.default_rng(seed)

    bounds = _month_bounds(first_month, months)  # datetime64[D], months + 1 edges
    period_start = bounds[0]
    period_days = int((bounds[-1] - bounds[0]).astype(np.int64))
    ids = _id_width(collectors)

    roster, start_day, end_day, team = _roster(rng, collectors, period_start, period_days, ids)

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

    # Everything below draws after the plain ledger, which therefore stays as it was.
    rows = _with_reversals_and_splits(
        rng,
        collector=row_collector[order],
        account_number=account_number[order],
        day=day[order],
        values=values[:, order],
        is_loan=account_is_loan[account[order]],
        team=team,
        start_day=start_day,
        end_day=end_day,
    )
    ledger = _ledger_frame(
        collector=rows["collector"],
        collectors=collectors,
        account_number=rows["account_number"],
        day=rows["day"],
        period_start=period_start,
        period_days=period_days,
        values=rows["values"],
        is_loan=rows["is_loan"],
        payment_number=rows["number"],
    )
    width = _payment_id_width(int(rows["number"][-1]) if len(rows["number"]) else 0)
    ledger["reverses"] = _sparse_text("P", rows["reverses"], width)
    ledger["credit_share"] = _text_from_codes(rows["share"], _SHARE_LABELS)

    # Targets and assigned balances, per collector and month worked (collector-major).
    worked = np.flatnonzero(active.ravel() > 0)
    worked_collector, worked_month = np.divmod(worked, months)
    full_month = payments_per_collector_month * activity * _mean_amount_minor()
    guess = rng.lognormal(0.0, _TARGET_SIGMA, len(worked))
    target = np.maximum(1, np.rint(full_month[worked_collector] * guess / _TARGET_STEP_MINOR)).astype(np.int64)
    target *= _TARGET_STEP_MINOR
    rate = np.exp(rng.uniform(np.log(_RATE_LOW), np.log(_RATE_HIGH), collectors))
    drift = rng.lognormal(0.0, _RATE_MONTH_SIGMA, len(worked))
    worked_share = np.maximum((active / month_len).ravel()[worked], _MIN_BOOK_SHARE)
    assigned = np.rint(full_month[worked_collector] * worked_share / (rate[worked_collector] * drift)).astype(np.int64)

    collector_ids = roster["collector_id"].to_numpy(dtype=object)
    periods = np.datetime_as_string(bounds[:-1].astype("datetime64[M]"), unit="M").astype(object)
    keys = {"collector_id": collector_ids[worked_collector], "period": periods[worked_month]}
    targets = _small_frame(keys, _TARGET_COLUMNS[-1], target)
    assignments = _small_frame(keys, _ASSIGNMENT_COLUMNS[-1], assigned)

    events = _events(rng, collector_ids, lo, active, month_len, start_day, end_day, period_start, period_days)
    return SampleData(ledger=ledger, roster=roster, targets=targets, assignments=assignments, events=events)


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


def _mean_amount_minor() -> float:
    """Expected payment amount in minor units, from the distribution _fill_payment_values draws."""
    large = float(_BUCKET_SHARES @ _LARGE_SHARE)
    small_mean = _AMOUNT_MEDIAN_MINOR * np.exp(_AMOUNT_SIGMA**2 / 2)
    large_mean = _LARGE_MEDIAN_MINOR * np.exp(_LARGE_SIGMA**2 / 2)
    return float((1 - large) * small_mean + large * large_mean)


# --------------------------------------------------------------------------- reversals and splits


def _with_reversals_and_splits(
    rng: np.random.Generator,
    *,
    collector: np.ndarray,
    account_number: np.ndarray,
    day: np.ndarray,
    values: np.ndarray,
    is_loan: np.ndarray,
    team: np.ndarray,
    start_day: np.ndarray,
    end_day: np.ndarray,
) -> dict[str, np.ndarray]:
    """Add reversal rows and split-credit rows to a ledger in date order; vectorized.

    Returns the rows in their final order (date, then payment number; the rows of a split
    payment together, owner first) as arrays: collector, account_number, day, values (3, n),
    is_loan, number (payment number, shared by split rows), reverses (payment number of the
    reversed payment, 0 if none) and share (codes into _SHARE_LABELS, 0 for sole credit).
    """
    n = len(day)
    u = rng.random(n)
    split = np.flatnonzero(u < _SPLIT_SHARE)
    bounced = np.flatnonzero((u >= _SPLIT_SHARE) & (u < _SPLIT_SHARE + _REVERSAL_SHARE))

    # Split credit: one or two teammates at work on the payment date, picked at random.
    members = np.argsort(team, kind="stable")
    team_size = np.bincount(team)
    table = np.full((len(team_size), int(team_size.max())), -1, dtype=np.int64)
    table[team[members], np.arange(len(team)) - np.repeat(np.cumsum(team_size) - team_size, team_size)] = members
    owner, when = collector[split], day[split]
    mate = table[team[owner]]  # (splits, team size)
    safe = np.maximum(mate, 0)
    at_work = (start_day[safe] <= when[:, None]) & (end_day[safe] >= when[:, None])
    eligible = (mate >= 0) & (mate != owner[:, None]) & at_work
    keys = rng.random(mate.shape)
    keys[~eligible] = 2.0
    pick = np.take_along_axis(mate, np.argsort(keys, axis=1)[:, :2], axis=1)
    if pick.shape[1] < 2:  # one-person teams
        pick = np.concatenate([pick, np.full((len(split), 2 - pick.shape[1]), -1)], axis=1)
    wanted = np.where(rng.random(len(split)) < _THREE_WAY_SHARE, 3, 2)
    ways = np.minimum(wanted, 1 + eligible.sum(axis=1))
    two = _TWO_WAY[rng.choice(len(_TWO_WAY), len(split), p=_TWO_WAY_P)]
    three = _THREE_WAY[rng.choice(len(_THREE_WAY), len(split), p=_THREE_WAY_P)]
    keep = ways >= 2
    split, ways, pick, two, three = split[keep], ways[keep], pick[keep], two[keep], three[keep]
    shares = np.where((ways == 3)[:, None], three, np.pad(two, ((0, 0), (0, 1))))
    share = np.zeros(n, dtype=np.int32)
    share[split] = shares[:, 0]
    mate_slot = np.arange(2)[None, :] < (ways - 1)[:, None]  # (splits, 2): which partner slots are used
    mate_source = np.broadcast_to(split[:, None], mate_slot.shape)[mate_slot]
    mate_collector = pick[mate_slot]
    mate_share = shares[:, 1:][mate_slot]
    mate_sub = np.broadcast_to(np.arange(1, 3), mate_slot.shape)[mate_slot]

    # Reversals: booked 1-20 days later, within the ledger and the collector's employment.
    room = end_day[collector[bounced]] - day[bounced]  # end_day never passes the ledger's last day
    delay = 1 + (rng.random(len(bounced)) * np.clip(room, 0, _REVERSAL_MAX_DAYS)).astype(np.int64)
    partial = rng.random(len(bounced)) < _PARTIAL_REVERSAL_SHARE
    fraction = rng.uniform(_PARTIAL_LOW, _PARTIAL_HIGH, len(bounced))
    gap = rng.random(len(bounced))
    keep = room >= 1
    bounced, delay, partial, fraction, gap = bounced[keep], delay[keep], partial[keep], fraction[keep], gap[keep]
    original = values[0, bounced]
    # A partial return of a whole-unit payment is in whole units too (30%-70% keeps it inside (0, original)).
    step = np.where((original % 100 == 0) & (original >= 1_000), 100, 1)
    returned = np.where(partial, np.rint(original * fraction / step).astype(np.int64) * step, original)
    reversal_day = day[bounced] + delay

    # One sort key for all rows: the input is in date order, so row i gets 8 * i; a reversal
    # goes into a random gap among its day's payments (8 * k - 4), a partner's row right
    # after the payment it shares (8 * i + 1 or 2). Stable sort: the base rows are one run.
    first = np.searchsorted(day, reversal_day, side="left")
    last = np.searchsorted(day, reversal_day, side="right")
    reversal_key = 8 * (first + (gap * (last - first + 1)).astype(np.int64)) - 4
    key = np.concatenate([8 * np.arange(n, dtype=np.int64), reversal_key, 8 * mate_source + mate_sub])
    order = np.argsort(key, kind="stable")
    is_new = np.ones(len(key), dtype=bool)  # a new payment at each row that is not a split partner's
    is_new[n + len(bounced) :] = False
    number = np.cumsum(is_new[order])
    number_of = np.empty_like(number)
    number_of[order] = number

    source = np.concatenate([np.arange(n), bounced, mate_source])[order]
    reverses = np.zeros(len(key), dtype=np.int64)
    reverses[n : n + len(bounced)] = number_of[bounced]
    amount_override = np.zeros(len(key), dtype=np.int64)
    amount_override[n : n + len(bounced)] = returned
    out_values = values[:, source]
    is_reversal = reverses[order] > 0
    out_values[0, is_reversal] = -amount_override[order][is_reversal]
    share_all = np.concatenate([share, np.zeros(len(bounced), dtype=np.int32), mate_share.astype(np.int32)])
    return {
        "collector": np.concatenate([collector, collector[bounced], mate_collector])[order],
        "account_number": account_number[source],
        "day": np.concatenate([day, reversal_day, day[mate_source]])[order],
        "values": out_values,
        "is_loan": is_loan[source],
        "number": number,
        "reverses": reverses[order],
        "share": share_all[order],
    }


# --------------------------------------------------------------------------- events


def _events(
    rng: np.random.Generator,
    collector_ids: np.ndarray,
    lo: np.ndarray,
    active: np.ndarray,
    month_len: np.ndarray,
    start_day: np.ndarray,
    end_day: np.ndarray,
    period_start: np.datetime64,
    period_days: int,
) -> pd.DataFrame:
    """Compliance and quality events on days the collector works (day numbers from period_start)."""
    collectors, months = active.shape
    worked = np.flatnonzero(active.ravel() > 0)
    window_lo, window_len = lo.ravel()[worked], active.ravel()[worked]

    # One QA review per collector-month worked; each collector has a usual level of quality.
    qa_day = window_lo + (rng.random(len(worked)) * window_len).astype(np.int64)
    level = rng.normal(_QA_MEAN, _QA_COLLECTOR_SIGMA, collectors)
    score = np.clip(np.rint(level[worked // months] + rng.normal(0.0, _QA_REVIEW_SIGMA, len(worked))), 50, 100)

    complaints = rng.poisson(_COMPLAINTS_PER_MONTH * (active / month_len).ravel()[worked])
    complaint_day = np.repeat(window_lo, complaints) + (
        rng.random(int(complaints.sum())) * np.repeat(window_len, complaints)
    ).astype(np.int64)

    # One or two serious violations, by different collectors, on a day each of them works.
    offenders = rng.choice(collectors, min(int(rng.integers(1, 3)), collectors), replace=False)
    first, last = np.maximum(start_day[offenders], 0), np.minimum(end_day[offenders], period_days - 1)
    violation_day = first + (rng.random(len(offenders)) * (last - first + 1)).astype(np.int64)

    collector = np.concatenate([worked // months, np.repeat(worked // months, complaints), offenders])
    day = np.concatenate([qa_day, complaint_day, violation_day])
    kind = np.concatenate([np.zeros(len(worked), dtype=np.int64), np.ones(len(complaint_day), dtype=np.int64),
                           np.full(len(offenders), 2, dtype=np.int64)])
    score_text = np.concatenate([score.astype(np.int64).astype(str), np.full(len(day) - len(worked), "")])
    order = np.lexsort((rng.random(len(day)), day))  # a day's events in random order

    n = len(day)
    columns = (
        _numbered("E", np.arange(1, n + 1), max(6, len(str(n)))),
        collector_ids[collector[order]],
        np.datetime_as_string(period_start + day[order], unit="D"),
        np.array(_EVENT_TYPES, dtype=object)[kind[order]],
        np.array(_EVENT_SEVERITIES, dtype=object)[kind[order]],
        score_text[order],
    )
    return pd.DataFrame(
        {name: pd.Series(np.asarray(values).astype(object), dtype=_STR) for name, values in zip(_EVENT_COLUMNS, columns)}
    )


def _small_frame(keys: dict[str, np.ndarray], money_name: str, money: np.ndarray) -> pd.DataFrame:
    """A small frame of text key columns and one int64 money column."""
    frame = pd.DataFrame({name: pd.Series(values, dtype=_STR) for name, values in keys.items()})
    frame[money_name] = pd.Series(money, dtype=np.int64)
    return frame


# --------------------------------------------------------------------------- roster


def _roster(
    rng: np.random.Generator, collectors: int, period_start: np.datetime64, period_days: int, id_width: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The roster, each collector's first and last working day counted from period_start, and team number."""
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

    # The last team is on the other plan (when there are two teams or more).
    plan = np.where((team == teams - 1) & (teams > 1), _LAST_TEAM_PLAN, _PLAN)

    columns = (ids, names, team_names[team], employee, manager, start, end, plan)
    roster = pd.DataFrame(
        {name: pd.Series(np.asarray(values).astype(object), dtype=_STR) for name, values in zip(_ROSTER_COLUMNS, columns)}
    )
    return roster, start_day, end_day, team


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
    payment_number: np.ndarray | None = None,
) -> pd.DataFrame:
    """Assemble the ledger; rows must already be in date order, `values` is _payment_values' (3, n) array.

    Payments are numbered 1..n in row order unless `payment_number` gives the numbers.
    """
    n = len(day)
    if payment_number is None:
        payment_number = np.arange(1, n + 1, dtype=np.int64)
    top = int(payment_number[-1]) if n else 0
    dates = np.datetime_as_string(period_start + np.arange(period_days), unit="D").astype("S10")
    date_table = dates.view(np.uint8).reshape(period_days, 10)
    collector_table = _digit_matrix("C", np.arange(1, collectors + 1), _id_width(collectors))
    # The int64 columns share one block built from `values` without a copy; text goes around it.
    frame = pd.DataFrame(values.T, columns=["amount", "days_past_due", "balance"], copy=False)
    offsets: dict[int, np.ndarray] = {}
    text = {
        "payment_id": _text(_digit_matrix("P", payment_number, _payment_id_width(top)), offsets),
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


def _payment_id_width(top: int) -> int:
    """Digits of payment ids when the largest payment number is `top`."""
    return max(9, len(str(top)))


def _sparse_text(prefix: str, numbers: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A text column of prefix + zero-padded number where numbers > 0, "" elsewhere."""
    has = numbers > 0
    matrix = _digit_matrix(prefix, numbers[has], width)
    if _ARROW_TEXT:
        offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
        np.cumsum(np.where(has, matrix.shape[1], 0), out=offsets[1:])
        data = np.ascontiguousarray(matrix).reshape(-1)
        array = pa.LargeStringArray.from_buffers(len(numbers), pa.py_buffer(offsets), pa.py_buffer(data))
        return pd.array(array, dtype=_STR)
    out = np.full(len(numbers), "", dtype=object)
    out[has] = matrix.view(f"S{matrix.shape[1]}").ravel().astype(str)
    return out


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
