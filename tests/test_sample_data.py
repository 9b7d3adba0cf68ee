"""The synthetic ledger and roster: deterministic, well-typed, and shaped like a real collection book."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from commission import sample_data
from commission.sample_data import SampleData, generate, generate_ledger_rows

LEDGER_COLUMNS = [
    "payment_id",
    "collector_id",
    "account_id",
    "payment_date",
    "amount",
    "days_past_due",
    "balance",
    "product",
]
LEDGER_TEXT = ["payment_id", "collector_id", "account_id", "payment_date", "product"]
LEDGER_INT = ["amount", "days_past_due", "balance"]
ROSTER_COLUMNS = ["collector_id", "name", "team", "employee_id", "manager_id", "start_date", "end_date"]
TEXT_DTYPE = pd.Series(["x"]).dtype  # what pandas gives text read from a file ("str" on pandas 3)

# Bucket edges in days past due, upper bounds inclusive: M1, M2, M3, M4-6, M7+.
BUCKET_EDGES = [0, 30, 60, 90, 180, np.inf]
BUCKETS = ["M1", "M2", "M3", "M4-6", "M7+"]


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate()


def buckets(ledger: pd.DataFrame) -> pd.Series:
    return pd.cut(ledger["days_past_due"], BUCKET_EDGES, labels=BUCKETS)


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames(sample):
    again = generate()
    pd.testing.assert_frame_equal(sample.ledger, again.ledger, check_exact=True)
    pd.testing.assert_frame_equal(sample.roster, again.roster, check_exact=True)
    hashes = [pd.util.hash_pandas_object(frame).to_numpy() for frame in (sample.ledger, again.ledger)]
    assert np.array_equal(*hashes)


def test_different_seed_gives_different_frames(sample):
    other = generate(seed=8)
    assert not sample.ledger.equals(other.ledger)
    assert not sample.roster.equals(other.roster)


def test_bulk_rows_are_deterministic():
    first = generate_ledger_rows(2_000, collectors=20, seed=3)
    pd.testing.assert_frame_equal(first, generate_ledger_rows(2_000, collectors=20, seed=3), check_exact=True)
    assert not first.equals(generate_ledger_rows(2_000, collectors=20, seed=4))


# --------------------------------------------------------------------------- shape and types


def test_ledger_columns_and_dtypes(sample):
    ledger = sample.ledger
    assert list(ledger.columns) == LEDGER_COLUMNS
    for column in LEDGER_TEXT:
        assert ledger[column].dtype == TEXT_DTYPE, column
    for column in LEDGER_INT:
        assert ledger[column].dtype == np.int64, column
    assert isinstance(ledger.index, pd.RangeIndex) and ledger.index.start == 0
    assert not ledger.isna().any().any()


def test_roster_columns_and_dtypes(sample):
    roster = sample.roster
    assert list(roster.columns) == ROSTER_COLUMNS
    for column in ROSTER_COLUMNS:
        assert roster[column].dtype == TEXT_DTYPE, column
    assert not roster.isna().any().any()


def test_text_formats(sample):
    ledger, roster = sample.ledger, sample.roster
    assert ledger["payment_id"].str.fullmatch(r"P\d{9}").all()
    assert ledger["collector_id"].str.fullmatch(r"C\d{3}").all()
    assert ledger["account_id"].str.fullmatch(r"6222\d{12}").all()
    assert ledger["payment_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(ledger["product"]) == {"credit_card", "cash_loan"}
    assert roster["employee_id"].str.fullmatch(r"E\d{5}").all()
    assert roster["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert roster["team"].str.fullmatch(r"Team [A-Z]").all()


# --------------------------------------------------------------------------- values


def test_amounts_positive_and_balance_covers_amount(sample):
    ledger = sample.ledger
    assert (ledger["amount"] > 0).all()
    assert (ledger["balance"] >= ledger["amount"]).all()
    assert ledger["days_past_due"].between(1, 720).all()


def test_payment_ids_unique_and_rows_sorted(sample):
    ledger = sample.ledger
    assert ledger["payment_id"].is_unique
    order = ledger.sort_values(["payment_date", "payment_id"]).index
    assert (order == ledger.index).all()


def test_dates_inside_the_months():
    data = generate(collectors=16, months=2, first_month="2026-11", payments_per_collector_month=20)
    dates = data.ledger["payment_date"]
    assert dates.min() >= "2026-11-01"
    assert dates.max() <= "2026-12-31"
    # Both months have payments, and every date is a real calendar day.
    assert set(dates.str[:7]) == {"2026-11", "2026-12"}
    pd.to_datetime(dates, format="%Y-%m-%d")


def test_payments_inside_each_collectors_employment(sample):
    rows = sample.ledger.merge(sample.roster, on="collector_id", how="left", validate="many_to_one")
    assert (rows["payment_date"] >= rows["start_date"]).all()
    has_end = rows["end_date"] != ""
    assert (rows.loc[has_end, "payment_date"] <= rows.loc[has_end, "end_date"]).all()


def test_bucket_shares_roughly_as_specified(sample):
    shares = buckets(sample.ledger).value_counts(normalize=True)
    expected = {"M1": 0.45, "M2": 0.22, "M3": 0.13, "M4-6": 0.12, "M7+": 0.08}
    for bucket, share in expected.items():
        assert abs(shares[bucket] - share) < 0.04, (bucket, shares[bucket])


def test_amounts_are_skewed_with_late_stage_large_recoveries(sample):
    ledger = sample.ledger
    units = ledger["amount"] / 100
    assert 600 <= units.median() <= 1_000
    assert units.between(100, 5_000).mean() > 0.8
    large = ledger[units >= 10_000]
    assert len(large) > 0
    assert buckets(large).isin(["M4-6", "M7+"]).mean() > 0.5
    # Late buckets owe more relative to what they pay.
    ratio = (ledger["balance"] / ledger["amount"]).groupby(buckets(ledger), observed=True).median()
    assert ratio["M7+"] > ratio["M1"]


def test_all_debt_size_bands_occur(sample):
    balance = sample.ledger["balance"]
    assert (balance < 500_000).any()  # small: < 5,000.00
    assert ((balance >= 500_000) & (balance < 5_000_000)).any()  # medium
    assert (balance >= 5_000_000).any()  # large: >= 50,000.00


def test_product_mix(sample):
    share = (sample.ledger["product"] == "credit_card").mean()
    assert 0.6 < share < 0.8


def test_some_accounts_pay_more_than_once(sample):
    accounts = sample.ledger["account_id"]
    assert accounts.duplicated().any()
    # An account belongs to one collector.
    assert (sample.ledger.groupby("account_id")["collector_id"].nunique() == 1).all()


def test_collectors_differ_in_productivity(sample):
    ledger = sample.ledger
    monthly = ledger.groupby([ledger["collector_id"], ledger["payment_date"].str[:7]])["amount"].sum() / 100
    assert monthly.min() < 100_000 < monthly.max()
    assert monthly.max() > 3 * monthly.min()


# --------------------------------------------------------------------------- roster


def test_every_ledger_collector_is_in_the_roster(sample):
    roster_ids = set(sample.roster["collector_id"])
    assert sample.roster["collector_id"].is_unique
    assert set(sample.ledger["collector_id"]) <= roster_ids
    assert len(roster_ids) == 40


def test_each_team_has_one_lead_among_its_members(sample):
    roster = sample.roster
    leads = roster[roster["manager_id"] == ""]
    assert leads["team"].is_unique
    assert set(leads["team"]) == set(roster["team"])
    lead_of_team = dict(zip(leads["team"], leads["collector_id"]))
    members = roster[roster["manager_id"] != ""]
    assert (members["manager_id"] == members["team"].map(lead_of_team)).all()
    assert roster["team"].value_counts().between(6, 10).all()  # about 8 per team


def test_some_collectors_join_and_leave_mid_period(sample):
    roster = sample.roster
    joined = roster[roster["start_date"] >= "2026-08-01"]
    left = roster[roster["end_date"] != ""]
    assert 1 <= len(joined) <= 3
    assert 1 <= len(left) <= 2
    assert (joined["start_date"] <= "2026-10-31").all()
    assert (left["end_date"] < "2026-10-31").all()
    assert (left["end_date"] >= "2026-08-01").all()
    assert (roster["start_date"] < "2026-08-01").mean() > 0.9


def test_small_teams_still_work():
    data = generate(collectors=1, months=1)
    assert list(data.roster["manager_id"]) == [""]
    assert len(data.ledger) >= 1
    assert set(data.ledger["collector_id"]) == {"C001"}


# --------------------------------------------------------------------------- bulk


def test_bulk_rows_count_columns_and_dtypes():
    ledger = generate_ledger_rows(5_000, collectors=30, month="2026-02")
    assert len(ledger) == 5_000
    assert list(ledger.columns) == LEDGER_COLUMNS
    for column in LEDGER_TEXT:
        assert ledger[column].dtype == TEXT_DTYPE, column
    for column in LEDGER_INT:
        assert ledger[column].dtype == np.int64, column
    assert ledger["payment_id"].is_unique
    assert ledger["payment_date"].between("2026-02-01", "2026-02-28").all()
    assert ledger["payment_date"].is_monotonic_increasing
    assert ledger["payment_id"].is_monotonic_increasing
    assert (ledger["amount"] > 0).all()
    assert (ledger["balance"] >= ledger["amount"]).all()
    assert ledger["collector_id"].str.fullmatch(r"C0[0-3]\d").all()


def test_bulk_rows_cross_chunk_boundaries():
    rows = sample_data._CHUNK + 10
    ledger = generate_ledger_rows(rows, collectors=5)
    assert len(ledger) == rows
    assert ledger["payment_id"].iloc[-1] == f"P{rows:09d}"
    assert (ledger["balance"] >= ledger["amount"]).all()


def test_bulk_rows_empty():
    ledger = generate_ledger_rows(0)
    assert len(ledger) == 0
    assert list(ledger.columns) == LEDGER_COLUMNS
    assert list(ledger.dtypes[LEDGER_INT]) == [np.int64] * 3


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "call",
    [
        lambda: generate(collectors=0),
        lambda: generate(months=0),
        lambda: generate(first_month="2026-Q3"),
        lambda: generate(first_month="August"),
        lambda: generate(payments_per_collector_month=0),
        lambda: generate_ledger_rows(-1),
        lambda: generate_ledger_rows(10, collectors=0),
        lambda: generate_ledger_rows(10, month="2026"),
    ],
)
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()
