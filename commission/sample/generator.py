"""Synthetic, seeded recovery ledgers and rosters for the demo, the tests and the benchmarks.

A bank's real ledger can never ship with the project (it is full of debtors' accounts), so
this module invents one that looks like it: many small early-stage repayments, fewer and
larger late-stage recoveries, collectors of uneven productivity, teams with leads, and a
few people who join or leave mid-period. `generate` also exercises the real-plan features:
bounced payments reversed a few days later (full or partial), payments credited to two or
three teammates (split credit), two plans on one roster, monthly targets, assigned
balances (for the recovery rate), and complaints, violations and QA scores.
`continue_sample` makes the next months of such a data set (the second month of payroll):
the same roster and collectors, ids numbered on, some of the last month's payments bouncing
in the new one.

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

__all__ = ["SampleData", "continue_sample", "generate", "generate_ledger_rows", "months_held", "next_month"]

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
    n, row_collector, day, values = _payment_rows(rng, counts, lo, active, collectors, months)

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


# --------------------------------------------------------------------------- continuing a data set


def months_held(history: SampleData) -> tuple[str, str]:
    """The first and last month ("YYYY-MM") a data set holds anything for: a payment, an event, a
    target or an assigned balance."""
    months = pd.concat([history.ledger["payment_date"].str[:7], history.events["date"].str[:7],
                        history.targets["period"], history.assignments["period"]], ignore_index=True)
    if not len(months):
        raise ValueError("the data set holds no month to continue from")
    return str(months.min()), str(months.max())


def next_month(history: SampleData) -> str:
    """The month a continuation of `history` starts with: the one after the last it holds."""
    last = np.datetime64(months_held(history)[1], "M")
    return str(last + 1)


def continue_sample(history: SampleData, months: int = 1, seed: int = 7) -> SampleData:
    """The `months` months after those `history` holds, for the same roster and collectors.

    `history` is a data set as `generate` makes it (one or more of its files read back, or
    earlier continuations added), its months ("YYYY-MM" periods) in the frames' text form. The
    result holds the same roster and the new months' ledger, targets, assignments and events:

    - the collectors are the roster's, on its teams and plans, and the roster is not changed: a
      collector who left before a month (or starts after it) has nothing in it, one who leaves
      during it nothing after the day they left;
    - payments are numbered on from the highest payment_id of the history (event ids on from the
      highest event_id), so the ledgers combine without a duplicate id;
    - each collector keeps their productivity (their average monthly target in the history is
      the full month they are expected to recover), recovery rate (assigned balance per day
      worked) and usual QA score, and works partly the same accounts as before;
    - payments of the history's last 20 days may bounce in the new months: such a reversal names
      the earlier payment (same collector, account, bucket and balance) and never takes back more
      than it paid, nor a payment that was split or already reversed.

    Deterministic: the same history, months and seed give identical frames.
    """
    _check_int("months", months, 1)
    roster, ledger = history.roster, history.ledger
    first_month = next_month(history)
    rng = np.random.default_rng([seed, int(np.datetime64(first_month, "M").astype(np.int64))])

    bounds = _month_bounds(first_month, months)
    period_start = bounds[0]
    period_days = int((bounds[-1] - bounds[0]).astype(np.int64))
    collectors = len(roster)
    collector_ids = roster["collector_id"].to_numpy(dtype=object)
    start, end = _dates(roster["start_date"]), _dates(roster["end_date"])
    start_day = np.where(np.isnat(start), -(10**6), (start - period_start).astype(np.int64))
    end_day = np.where(np.isnat(end), period_days - 1, np.minimum((end - period_start).astype(np.int64),
                                                                   period_days - 1))
    team = pd.factorize(roster["team"], sort=True)[0].astype(np.int64)

    month_lo = (bounds[:-1] - period_start).astype(np.int64)
    month_hi = (bounds[1:] - period_start).astype(np.int64) - 1
    lo = np.maximum(start_day[:, None], month_lo[None, :])
    hi = np.minimum(end_day[:, None], month_hi[None, :])
    active = np.clip(hi - lo + 1, 0, None)
    month_len = (month_hi - month_lo + 1)[None, :]

    # What each collector is expected to recover in a full month: their average monthly target.
    full_month = _by_collector(history.targets, "target", collector_ids)
    known = ~np.isnan(full_month)
    fallback = float(np.median(full_month[known])) if known.any() else 60 * _mean_amount_minor()
    full_month = np.where(known, full_month, fallback)

    expected = (full_month / _mean_amount_minor())[:, None] * active / month_len
    counts = rng.poisson(expected)
    counts = np.where(active > 0, np.maximum(counts, 1), 0).ravel()  # collector-major
    n, row_collector, day, values = _payment_rows(rng, counts, lo, active, collectors, months)

    per_collector = counts.reshape(collectors, months).sum(axis=1)
    pool_size = np.where(per_collector > 0, np.maximum(1, np.ceil(per_collector * _ACCOUNTS_PER_PAYMENT)), 0)
    pool_size = pool_size.astype(np.int64)
    pool_offset = np.concatenate(([0], np.cumsum(pool_size)[:-1]))
    account = pool_offset[row_collector] + (rng.random(n) * pool_size[row_collector]).astype(np.int64)
    accounts, account_is_loan = _continued_accounts(rng, ledger, collector_ids, pool_size, pool_offset)

    shuffle = rng.permutation(n)
    order = shuffle[np.argsort(day[shuffle], kind="stable")]

    numbers = _id_numbers(ledger["payment_id"], "P", "payment_id")
    carried = _carried_reversals(rng, ledger, numbers, collector_ids, start_day, end_day, period_start)
    carried_account = len(accounts) + np.arange(len(carried["day"]))
    accounts = np.concatenate([accounts, carried.pop("account_id")])
    carried["account_number"] = carried_account
    rows = _with_reversals_and_splits(
        rng,
        collector=row_collector[order],
        account_number=account[order],
        day=day[order],
        values=values[:, order],
        is_loan=account_is_loan[account[order]],
        team=team,
        start_day=start_day,
        end_day=end_day,
        first_number=int(numbers.max(initial=0)) + 1,
        carried=carried,
    )
    top = int(rows["number"].max(initial=numbers.max(initial=0)))
    width = max(int(ledger["payment_id"].str.len().max()) - 1 if len(ledger) else 0, _payment_id_width(top))
    dates = np.datetime_as_string(period_start + rows["day"], unit="D")
    columns = {
        "payment_id": _numbered("P", rows["number"], width),
        "collector_id": collector_ids[rows["collector"]],
        "account_id": accounts[rows["account_number"]],
        "payment_date": dates,
    }
    new_ledger = pd.DataFrame({name: pd.Series(np.asarray(values).astype(object), dtype=_STR)
                               for name, values in columns.items()})
    for position, name in enumerate(("amount", "days_past_due", "balance")):
        new_ledger[name] = pd.Series(rows["values"][position], dtype=np.int64)
    new_ledger["product"] = pd.Series(np.array(_PRODUCTS, dtype=object)[rows["is_loan"].astype(np.int64)], dtype=_STR)
    reverses = np.full(len(dates), "", dtype=object)
    reversal = rows["reverses"] > 0
    reverses[reversal] = _numbered("P", rows["reverses"][reversal], width)
    new_ledger["reverses"] = pd.Series(reverses, dtype=_STR)
    new_ledger["credit_share"] = pd.Series(np.array(_SHARE_LABELS, dtype=object)[rows["share"]], dtype=_STR)

    # Targets: the manager's guess at the full month; assigned balances: the collector's book,
    # from their history's balance per share of a month worked (at least a quarter's book).
    worked = np.flatnonzero(active.ravel() > 0)
    worked_collector, worked_month = np.divmod(worked, months)
    guess = rng.lognormal(0.0, _TARGET_SIGMA, len(worked))
    target = np.maximum(1, np.rint(full_month[worked_collector] * guess / _TARGET_STEP_MINOR)).astype(np.int64)
    target *= _TARGET_STEP_MINOR
    book = _books(history, roster, collector_ids, start, end)
    book = np.where(np.isnan(book), full_month / np.sqrt(_RATE_LOW * _RATE_HIGH), book)
    drift = rng.lognormal(0.0, _RATE_MONTH_SIGMA, len(worked))
    worked_share = np.maximum((active / month_len).ravel()[worked], _MIN_BOOK_SHARE)
    assigned = np.rint(book[worked_collector] * worked_share / drift).astype(np.int64)
    periods = np.datetime_as_string(bounds[:-1].astype("datetime64[M]"), unit="M").astype(object)
    keys = {"collector_id": collector_ids[worked_collector], "period": periods[worked_month]}
    targets = _small_frame(keys, _TARGET_COLUMNS[-1], target)
    assignments = _small_frame(keys, _ASSIGNMENT_COLUMNS[-1], assigned)

    qa = history.events.loc[history.events["type"] == "qa"]
    level = pd.Series(pd.to_numeric(qa["score"]).to_numpy(dtype=float)).groupby(
        qa["collector_id"].to_numpy()).mean().reindex(collector_ids).fillna(_QA_MEAN).to_numpy()
    event_numbers = _id_numbers(history.events["event_id"], "E", "event_id")
    event_width = int(history.events["event_id"].str.len().max()) - 1 if len(history.events) else 6
    events = _events(rng, collector_ids, lo, active, month_len, start_day, end_day, period_start, period_days,
                     level=level, first_number=int(event_numbers.max(initial=0)) + 1, id_width=event_width)
    return SampleData(ledger=new_ledger, roster=roster, targets=targets, assignments=assignments, events=events)


def _dates(text: pd.Series) -> np.ndarray:
    """ISO dates as datetime64[D], NaT for blank."""
    return np.array(text.to_numpy(dtype=object), dtype="datetime64[D]")


def _id_numbers(ids: pd.Series, prefix: str, name: str) -> np.ndarray:
    """The numbers of ids written prefix + digits (P000000001), as int64."""
    if len(ids) and not ids.str.fullmatch(prefix + r"\d{1,18}").all():
        raise ValueError(f"{name}s must be {prefix} and digits to be numbered on")
    return ids.str[len(prefix):].astype(np.int64).to_numpy() if len(ids) else np.zeros(0, dtype=np.int64)


def _by_collector(frame: pd.DataFrame, column: str, collector_ids: np.ndarray) -> np.ndarray:
    """Each collector's mean `column` over their months in `frame` (NaN for none), as float."""
    values = pd.Series(frame[column].to_numpy(dtype=float)).groupby(frame["collector_id"].to_numpy()).mean()
    return values.reindex(collector_ids).to_numpy(dtype=float)


def _books(history: SampleData, roster: pd.DataFrame, collector_ids: np.ndarray, start: np.ndarray,
           end: np.ndarray) -> np.ndarray:
    """Each collector's assigned balance for a full month, from the history: the geometric mean over
    their months of the balance per share of the month worked (at least a quarter), NaN for none."""
    frame = history.assignments
    who = pd.Index(roster["collector_id"]).get_indexer(frame["collector_id"])
    frame, who = frame.loc[who >= 0], who[who >= 0]
    month = np.array(frame["period"].to_numpy(dtype=object), dtype="datetime64[M]")
    first, last = month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]") - 1
    begin = np.where(np.isnat(start[who]), first, np.maximum(start[who], first))
    stop = np.where(np.isnat(end[who]), last, np.minimum(end[who], last))
    days = np.clip((stop - begin).astype(np.int64) + 1, 0, None)
    share = np.maximum(days / ((last - first).astype(np.int64) + 1), _MIN_BOOK_SHARE)
    log_book = pd.Series(np.log(np.maximum(frame["assigned_balance"].to_numpy(dtype=float), 1.0) / share))
    return np.exp(log_book.groupby(frame["collector_id"].to_numpy()).mean().reindex(collector_ids).to_numpy(float))


_CONTINUING_ACCOUNTS = 0.5  # share of a collector's account pool that are accounts they worked before


def _continued_accounts(rng: np.random.Generator, ledger: pd.DataFrame, collector_ids: np.ndarray,
                        pool_size: np.ndarray, pool_offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Account ids (text) and is-cash-loan for every slot of the collectors' account pools: up to half
    of each pool are accounts the collector worked before (with their product), picked at random; the
    rest are new numbers that no account of the history has."""
    sole = ledger.loc[(ledger["reverses"] == "") & (ledger["credit_share"] == "")].drop_duplicates("account_id")
    owner = pd.Index(collector_ids).get_indexer(sole["collector_id"])
    sole, owner = sole.loc[owner >= 0], owner[owner >= 0]
    order = np.lexsort((rng.random(len(owner)), owner))
    old_account = sole["account_id"].to_numpy(dtype=object)[order]
    old_loan = (sole["product"].to_numpy(dtype=object) == "cash_loan")[order]
    old_count = np.bincount(owner, minlength=len(collector_ids))
    old_first = np.concatenate(([0], np.cumsum(old_count)[:-1]))

    total = int(pool_size.sum())
    slot_collector = np.repeat(np.arange(len(collector_ids)), pool_size)
    rank = np.arange(total) - np.repeat(pool_offset, pool_size)
    reuse = np.minimum(old_count, np.floor(pool_size * _CONTINUING_ACCOUNTS).astype(np.int64))
    is_old = rank < reuse[slot_collector]
    fresh = total - int(is_old.sum())
    spare = 64  # a new number that an old account already has is skipped (about one chance in 10**7)
    numbers = _account_numbers(rng, np.arange(fresh + spare, dtype=np.int64))
    new_text = _digit_matrix(_ACCOUNT_PREFIX, numbers, _ACCOUNT_DIGITS).view(
        f"S{len(_ACCOUNT_PREFIX) + _ACCOUNT_DIGITS}").ravel().astype(str).astype(object)
    new_text = new_text[~pd.Index(new_text).isin(ledger["account_id"])][:fresh]
    if len(new_text) < fresh:
        raise ValueError("could not find new account numbers that the data set does not hold yet")
    accounts = np.empty(total, dtype=object)
    accounts[is_old] = old_account[(old_first[slot_collector] + rank)[is_old]]
    accounts[~is_old] = new_text
    is_loan = np.empty(total, dtype=bool)
    is_loan[is_old] = old_loan[(old_first[slot_collector] + rank)[is_old]]
    is_loan[~is_old] = rng.random(fresh) < _CASH_LOAN_SHARE
    return accounts, is_loan


def _carried_reversals(rng: np.random.Generator, ledger: pd.DataFrame, numbers: np.ndarray,
                       collector_ids: np.ndarray, start_day: np.ndarray, end_day: np.ndarray,
                       period_start: np.datetime64) -> dict[str, np.ndarray]:
    """Payments of the history's last 20 days that bounce in the new months: a payment k days before
    the end bounces after it with chance 1% x (20 - k) / 20 (as if reversed 1-20 days after it was
    made); only sole-credit payments not reversed yet, of a collector employed on the day it bounces.
    Arrays as _with_reversals_and_splits takes them, with account_id (text) for account_number."""
    reversed_ids = pd.Index(ledger.loc[ledger["reverses"] != "", "reverses"])
    dates = _dates(ledger["payment_date"])
    before_end = ((period_start - 1) - dates).astype(np.int64)
    candidate = ((ledger["reverses"] == "").to_numpy() & (ledger["credit_share"] == "").to_numpy()
                 & (ledger["amount"].to_numpy() > 0) & ~ledger["payment_id"].isin(reversed_ids).to_numpy()
                 & (before_end >= 0) & (before_end < _REVERSAL_MAX_DAYS))
    rows = np.flatnonzero(candidate)
    k = before_end[rows]
    bounce = rng.random(len(rows)) < _REVERSAL_SHARE * (_REVERSAL_MAX_DAYS - k) / _REVERSAL_MAX_DAYS
    delay = k + 1 + (rng.random(len(rows)) * (_REVERSAL_MAX_DAYS - k)).astype(np.int64)
    partial = rng.random(len(rows)) < _PARTIAL_REVERSAL_SHARE
    fraction = rng.uniform(_PARTIAL_LOW, _PARTIAL_HIGH, len(rows))
    gap = rng.random(len(rows))
    collector = pd.Index(collector_ids).get_indexer(ledger["collector_id"].to_numpy()[rows])
    day = delay - k - 1  # counted from the first day of the new months
    safe = np.maximum(collector, 0)
    keep = bounce & (collector >= 0) & (start_day[safe] <= day) & (day <= end_day[safe])
    rows, collector, day, partial, fraction, gap = rows[keep], collector[keep], day[keep], partial[keep], \
        fraction[keep], gap[keep]
    original = ledger["amount"].to_numpy()[rows]
    step = np.where((original % 100 == 0) & (original >= 1_000), 100, 1)
    returned = np.where(partial, np.rint(original * fraction / step).astype(np.int64) * step, original)
    order = np.lexsort((gap, day))  # in booking order, as the new rows are
    values = np.stack([-returned, ledger["days_past_due"].to_numpy()[rows], ledger["balance"].to_numpy()[rows]])
    return {
        "collector": collector[order],
        "account_id": ledger["account_id"].to_numpy(dtype=object)[rows][order],
        "day": day[order],
        "values": values[:, order].astype(np.int64),
        "is_loan": (ledger["product"].to_numpy(dtype=object)[rows] == "cash_loan")[order],
        "reverses": numbers[rows][order],
        "gap": gap[order],
    }


# --------------------------------------------------------------------------- values


def _payment_rows(rng: np.random.Generator, counts: np.ndarray, lo: np.ndarray, active: np.ndarray,
                  collectors: int, months: int):
    """(rows, each row's collector, its day, its amount) for `counts` payments per collector and month
    (collector-major), each on a random day of the days the collector was active that month."""
    n = int(counts.sum())
    row_collector = np.repeat(np.repeat(np.arange(collectors), months), counts)
    row_lo = np.repeat(lo.ravel(), counts)
    row_active = np.repeat(active.ravel(), counts)
    day = row_lo + (rng.random(n) * row_active).astype(np.int64)
    return n, row_collector, day, _payment_values(rng, n)


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
    first_number: int = 1,
    carried: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Add reversal rows and split-credit rows to a ledger in date order; vectorized.

    Returns the rows in their final order (date, then payment number; the rows of a split
    payment together, owner first) as arrays: collector, account_number, day, values (3, n),
    is_loan, number (payment number, shared by split rows, counted from `first_number`),
    reverses (payment number of the reversed payment, 0 if none) and share (codes into
    _SHARE_LABELS, 0 for sole credit).

    `carried` are reversals of payments made before this ledger (a continued data set): arrays
    collector, account_number, day, values (3, m: amount already negative), is_loan, reverses
    (the earlier payment's number) and gap (a uniform draw: where among its day's payments the
    reversal is booked). They are numbered with the new rows, in booking order.
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
    if carried is None:
        carried = {"collector": np.zeros(0, dtype=np.int64), "account_number": account_number[:0],
                   "day": np.zeros(0, dtype=np.int64), "values": values[:, :0], "is_loan": is_loan[:0],
                   "reverses": np.zeros(0, dtype=np.int64), "gap": np.zeros(0)}
    early = len(carried["day"])
    first = np.searchsorted(day, carried["day"], side="left")
    last = np.searchsorted(day, carried["day"], side="right")
    carried_key = 8 * (first + (carried["gap"] * (last - first + 1)).astype(np.int64)) - 4
    key = np.concatenate([8 * np.arange(n, dtype=np.int64), reversal_key, carried_key, 8 * mate_source + mate_sub])
    order = np.argsort(key, kind="stable")
    is_new = np.ones(len(key), dtype=bool)  # a new payment at each row that is not a split partner's
    is_new[n + len(bounced) + early :] = False
    number = np.cumsum(is_new[order]) + (first_number - 1)
    number_of = np.empty_like(number)
    number_of[order] = number

    # Rows by where they come from: the payments (0..n-1), their reversals, earlier payments'
    # reversals (carried), split partners. `source` picks each row's values from `pool`.
    pool = np.concatenate([values, carried["values"]], axis=1)
    source = np.concatenate([np.arange(n), bounced, n + np.arange(early), mate_source])[order]
    reverses = np.zeros(len(key), dtype=np.int64)
    reverses[n : n + len(bounced)] = number_of[bounced]
    reverses[n + len(bounced) : n + len(bounced) + early] = carried["reverses"]
    amount_override = np.zeros(len(key), dtype=np.int64)
    amount_override[n : n + len(bounced)] = returned
    out_values = pool[:, source]
    is_reversal = np.zeros(len(key), dtype=bool)
    is_reversal[n : n + len(bounced)] = True
    is_reversal = is_reversal[order]
    out_values[0, is_reversal] = -amount_override[order][is_reversal]
    share_all = np.concatenate([share, np.zeros(len(bounced) + early, dtype=np.int32), mate_share.astype(np.int32)])
    return {
        "collector": np.concatenate([collector, collector[bounced], carried["collector"], mate_collector])[order],
        "account_number": np.concatenate([account_number, carried["account_number"]])[source],
        "day": np.concatenate([day, reversal_day, carried["day"], day[mate_source]])[order],
        "values": out_values,
        "is_loan": np.concatenate([is_loan, carried["is_loan"]])[source],
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
    level: np.ndarray | None = None,
    first_number: int = 1,
    id_width: int = 6,
) -> pd.DataFrame:
    """Compliance and quality events on days the collector works (day numbers from period_start).

    `level` is each collector's usual QA score (drawn when not given); events are numbered from
    `first_number`, with at least `id_width` digits."""
    collectors, months = active.shape
    worked = np.flatnonzero(active.ravel() > 0)
    window_lo, window_len = lo.ravel()[worked], active.ravel()[worked]

    # One QA review per collector-month worked; each collector has a usual level of quality.
    qa_day = window_lo + (rng.random(len(worked)) * window_len).astype(np.int64)
    if level is None:
        level = rng.normal(_QA_MEAN, _QA_COLLECTOR_SIGMA, collectors)
    score = np.clip(np.rint(level[worked // months] + rng.normal(0.0, _QA_REVIEW_SIGMA, len(worked))), 50, 100)

    complaints = rng.poisson(_COMPLAINTS_PER_MONTH * (active / month_len).ravel()[worked])
    complaint_day = np.repeat(window_lo, complaints) + (
        rng.random(int(complaints.sum())) * np.repeat(window_len, complaints)
    ).astype(np.int64)

    # One or two serious violations, by different collectors, on a day each of them works.
    present = np.flatnonzero(active.sum(axis=1) > 0)
    offenders = rng.choice(present, min(int(rng.integers(1, 3)), len(present)), replace=False)
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
        _numbered("E", np.arange(first_number, first_number + n), max(id_width, len(str(first_number + n - 1)))),
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
