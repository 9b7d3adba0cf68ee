"""The synthetic ledger, roster, targets, assignments and events: deterministic, well-typed,
and shaped like a real collection book (reversals, split credit, two plans)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from click.testing import CliRunner

from commission.cli import main
from commission.inputs import load_ledger
from commission.sample import generator as sample_data
from commission.sample.files import MONTH_FILES, SAMPLE_FILES, read_sample, write_sample
from commission.sample.generator import (SampleData, continue_sample, generate, generate_ledger_rows, months_held,
                                         next_month)

BULK_COLUMNS = [
    "payment_id",
    "collector_id",
    "account_id",
    "payment_date",
    "amount",
    "days_past_due",
    "balance",
    "product",
]
LEDGER_COLUMNS = BULK_COLUMNS + ["reverses", "credit_share"]
LEDGER_TEXT = ["payment_id", "collector_id", "account_id", "payment_date", "product", "reverses", "credit_share"]
LEDGER_INT = ["amount", "days_past_due", "balance"]
ROSTER_COLUMNS = ["collector_id", "name", "team", "employee_id", "manager_id", "start_date", "end_date", "plan"]
TARGET_COLUMNS = ["collector_id", "period", "target"]
ASSIGNMENT_COLUMNS = ["collector_id", "period", "assigned_balance"]
EVENT_COLUMNS = ["event_id", "collector_id", "date", "type", "severity", "score"]
FRAMES = ["ledger", "roster", "targets", "assignments", "events"]
MONTHS = ["2026-08", "2026-09", "2026-10"]  # of the default sample
ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
BUNDLED = ROOT / "sample_data"  # July to September 2026 (September is the demo's month), October in 2026-10/
TEXT_DTYPE = pd.Series(["x"]).dtype  # what pandas gives text read from a file ("str" on pandas 3)

# Bucket edges in days past due, upper bounds inclusive: M1, M2, M3, M4-6, M7+.
BUCKET_EDGES = [0, 30, 60, 90, 180, np.inf]
BUCKETS = ["M1", "M2", "M3", "M4-6", "M7+"]


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate()


def buckets(ledger: pd.DataFrame) -> pd.Series:
    return pd.cut(ledger["days_past_due"], BUCKET_EDGES, labels=BUCKETS)


def plain(ledger: pd.DataFrame) -> pd.DataFrame:
    """Ordinary payments: neither reversals nor split-credit rows."""
    return ledger[(ledger["reverses"] == "") & (ledger["credit_share"] == "")]


def employed_months(roster: pd.DataFrame, months: list[str]) -> set[tuple[str, str]]:
    """(collector_id, "YYYY-MM") for every month a collector works at least one day."""
    worked = set()
    for collector, start, end in zip(roster["collector_id"], roster["start_date"], roster["end_date"]):
        for month in months:
            if start[:7] <= month and (end == "" or end[:7] >= month):
                worked.add((collector, month))
    return worked


def credited(ledger: pd.DataFrame) -> pd.Series:
    """Recovered per (collector, month), each row at its credit share (exact fractions of minor units)."""
    share = ledger["credit_share"].map(lambda text: Fraction(text or "1"))
    value = [amount * part for amount, part in zip(ledger["amount"], share)]
    return pd.Series(value, index=ledger.index).groupby(
        [ledger["collector_id"], ledger["payment_date"].str[:7]]).sum()


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames(sample):
    again = generate()
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(sample, name), getattr(again, name), check_exact=True, obj=name)
        hashes = [pd.util.hash_pandas_object(getattr(data, name)).to_numpy() for data in (sample, again)]
        assert np.array_equal(*hashes), name


def test_different_seed_gives_different_frames(sample):
    other = generate(seed=8)
    for name in FRAMES:
        assert not getattr(sample, name).equals(getattr(other, name)), name


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


@pytest.mark.parametrize(
    "name, columns, money",
    [("targets", TARGET_COLUMNS, "target"), ("assignments", ASSIGNMENT_COLUMNS, "assigned_balance"),
     ("events", EVENT_COLUMNS, None)],
)
def test_other_frames_columns_and_dtypes(sample, name, columns, money):
    frame = getattr(sample, name)
    assert list(frame.columns) == columns
    for column in columns:
        assert frame[column].dtype == (np.int64 if column == money else TEXT_DTYPE), column
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    assert not frame.isna().any().any()


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
    assert ((ledger["amount"] > 0) == (ledger["reverses"] == "")).all()  # only reversals are negative
    ledger = ledger[ledger["reverses"] == ""]
    assert (ledger["balance"] >= ledger["amount"]).all()
    assert ledger["days_past_due"].between(1, 720).all()


def test_payment_ids_unique_and_rows_sorted(sample):
    ledger = sample.ledger
    sole = ledger[ledger["credit_share"] == ""]
    assert sole["payment_id"].is_unique
    assert not sole["payment_id"].isin(ledger.loc[ledger["credit_share"] != "", "payment_id"]).any()
    order = ledger.sort_values(["payment_date", "payment_id"], kind="stable").index
    assert (order == ledger.index).all()
    assert ledger["payment_id"].is_monotonic_increasing  # numbered in booking order


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
    # An account belongs to one collector (split credit aside).
    sole = sample.ledger[sample.ledger["credit_share"] == ""]
    assert (sole.groupby("account_id")["collector_id"].nunique() == 1).all()


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
    assert (data.ledger["credit_share"] == "").all()  # nobody to split with
    assert list(data.roster["plan"]) == ["card-tiered"]
    assert list(data.targets["period"]) == list(data.assignments["period"]) == ["2026-08"]
    assert (data.events["type"] == "qa").sum() == 1


def test_plans_one_team_on_the_other_plan(sample):
    roster = sample.roster
    known = {re.search(r"^plan:\s*(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)
             for path in POLICIES.glob("*.yaml")}
    assert set(roster["plan"]) == {"card-tiered", "card-bucket-rates"} <= known
    other = roster.loc[roster["plan"] == "card-bucket-rates", "team"]
    assert set(other) == {max(roster["team"])}  # the whole last team, nobody else
    assert (roster.loc[roster["team"] == max(roster["team"]), "plan"] == "card-bucket-rates").all()


# --------------------------------------------------------------------------- reversals


def test_reversals_reverse_an_earlier_plain_payment_once(sample):
    ledger = sample.ledger
    reversals = ledger[ledger["reverses"] != ""]
    assert 0.005 < len(reversals) / len(ledger) < 0.015
    assert reversals["reverses"].is_unique  # never reversed twice
    assert (reversals["credit_share"] == "").all()
    originals = plain(ledger).reset_index().set_index("payment_id")
    assert reversals["reverses"].isin(originals.index).all()  # an existing, non-split, non-reversal payment
    original = originals.loc[reversals["reverses"]]
    for column in ["collector_id", "account_id", "days_past_due", "balance", "product"]:
        assert (reversals[column].to_numpy() == original[column].to_numpy()).all(), column
    assert (original["index"].to_numpy() < reversals.index.to_numpy()).all()  # booked after it
    delay = (pd.to_datetime(reversals["payment_date"]).to_numpy()
             - pd.to_datetime(original["payment_date"]).to_numpy()).astype("timedelta64[D]").astype(int)
    assert delay.min() >= 1 and delay.max() <= 20
    amount, paid = reversals["amount"].to_numpy(), original["amount"].to_numpy()
    assert (amount < 0).all() and (-amount <= paid).all()
    partial = -amount < paid
    assert 0.1 < partial.mean() < 0.45  # about a quarter
    assert (-amount[partial] / paid[partial]).min() >= 0.25 and (-amount[partial] / paid[partial]).max() <= 0.75


def test_reversals_stay_inside_the_months():
    data = generate(collectors=16, months=1, first_month="2026-02", payments_per_collector_month=200)
    reversals = data.ledger[data.ledger["reverses"] != ""]
    assert len(reversals) > 0
    assert reversals["payment_date"].between("2026-02-02", "2026-02-28").all()


# --------------------------------------------------------------------------- split credit


def test_split_credit_rows(sample):
    ledger = sample.ledger
    split = ledger[ledger["credit_share"] != ""]
    payments = split.groupby("payment_id")
    assert 0.01 < payments.ngroups / ledger["payment_id"].nunique() < 0.03
    assert (split["reverses"] == "").all()
    assert split["credit_share"].str.fullmatch(r"0\.\d{1,2}").all()
    total = payments["credit_share"].agg(lambda shares: sum(Fraction(Decimal(s)) for s in shares))
    assert (total == 1).all()
    sizes = payments.size()
    assert set(sizes) == {2, 3} and (sizes == 2).mean() > 0.7  # rarely three
    same = payments[["account_id", "payment_date", "amount", "days_past_due", "balance", "product"]].nunique()
    assert (same == 1).all().all()
    assert (payments["collector_id"].nunique() == sizes).all()
    team = split["collector_id"].map(sample.roster.set_index("collector_id")["team"])
    assert (team.groupby(split["payment_id"]).nunique() == 1).all()
    # The rows of a payment are adjacent, the account's owner first with the largest share.
    position = pd.Series(split.index, index=split.index).groupby(split["payment_id"])
    assert (position.max() - position.min() + 1 == sizes).all()
    first = payments["credit_share"].agg(lambda shares: Fraction(shares.iloc[0]) == max(map(Fraction, shares)))
    assert first.all()
    owner = split.groupby("payment_id")["collector_id"].first()
    sole = plain(ledger)
    known = sole.drop_duplicates("account_id").set_index("account_id")["collector_id"]
    account = payments["account_id"].first()
    seen = account.isin(known.index)
    assert (known[account[seen]].to_numpy() == owner[seen].to_numpy()).all()


# --------------------------------------------------------------------------- targets and assignments


@pytest.mark.parametrize("name, money", [("targets", "target"), ("assignments", "assigned_balance")])
def test_targets_and_assignments_cover_employed_months(sample, name, money):
    frame = getattr(sample, name)
    keys = list(zip(frame["collector_id"], frame["period"]))
    assert len(keys) == len(set(keys))
    assert set(keys) == employed_months(sample.roster, MONTHS)
    assert (frame[money] > 0).all()
    assert keys == sorted(keys)


def test_targets_are_round_and_attainment_spreads(sample):
    targets = sample.targets.set_index(["collector_id", "period"])["target"]
    assert (targets % 100_000 == 0).all()  # whole 1,000.00
    recovered = credited(sample.ledger)
    roster = sample.roster.set_index("collector_id")
    full = [(c, p) for c, p in targets.index
            if roster.at[c, "start_date"] < f"{p}-01" and (roster.at[c, "end_date"] or "9999")[:7] > p]
    attainment = (recovered[full] / targets[full]).astype(float)
    assert 0.75 < attainment.median() < 1.25
    assert 0.35 < attainment.quantile(0.1) < 0.85
    assert 1.15 < attainment.quantile(0.9) < 2.0


def test_recovery_rates_are_plausible(sample):
    assigned = sample.assignments.set_index(["collector_id", "period"])["assigned_balance"]
    rate = (credited(sample.ledger)[assigned.index] / assigned).astype(float)
    assert 0.03 < rate.quantile(0.1) and rate.quantile(0.9) < 0.25
    assert rate.max() < 1  # even a part month with a large settlement


# --------------------------------------------------------------------------- events


def test_events_ids_order_and_types(sample):
    events = sample.events
    assert events["event_id"].str.fullmatch(r"E\d{6}").all()
    assert events["event_id"].is_unique
    order = events.sort_values(["date", "event_id"]).index
    assert (order == events.index).all()
    assert set(events["type"]) == {"qa", "complaint", "violation"}
    kinds = events.groupby("type")[["severity"]].agg(set)["severity"]
    assert kinds.to_dict() == {"qa": {""}, "complaint": {"minor"}, "violation": {"serious"}}
    assert (events.loc[events["type"] != "qa", "score"] == "").all()
    assert 1 <= (events["type"] == "violation").sum() <= 2
    complaints_per_month = (events["type"] == "complaint").sum() / len(sample.targets)
    assert 0.15 < complaints_per_month < 0.5


def test_one_qa_review_per_collector_month(sample):
    qa = sample.events[sample.events["type"] == "qa"]
    keys = list(zip(qa["collector_id"], qa["date"].str[:7]))
    assert len(keys) == len(set(keys))
    assert set(keys) == employed_months(sample.roster, MONTHS)
    assert qa["score"].str.fullmatch(r"\d{2,3}").all()
    score = qa["score"].astype(int)
    assert score.between(50, 100).all()
    assert score.between(75, 95).mean() > 0.7


def test_events_inside_employment_and_months(sample):
    rows = sample.events.merge(sample.roster, on="collector_id", how="left", validate="many_to_one")
    assert rows["date"].between("2026-08-01", "2026-10-31").all()
    assert (rows["date"] >= rows["start_date"]).all()
    has_end = rows["end_date"] != ""
    assert (rows.loc[has_end, "date"] <= rows.loc[has_end, "end_date"]).all()
    pd.to_datetime(rows["date"], format="%Y-%m-%d")


# --------------------------------------------------------------------------- files


def test_write_sample_writes_every_file(tmp_path):
    data = generate(collectors=12, months=1, payments_per_collector_month=30)
    out = write_sample(data, tmp_path / "sample")
    assert sorted(p.name for p in out.iterdir()) == sorted(SAMPLE_FILES)
    read = {name: pd.read_csv(out / name, dtype=str, keep_default_na=False) for name in SAMPLE_FILES}
    assert list(read["ledger.csv"].columns) == LEDGER_COLUMNS
    assert list(read["targets.csv"]["target"]) == [f"{v // 100}.{v % 100:02d}" for v in data.targets["target"]]
    assigned = read["assignments.csv"]["assigned_balance"]
    assert list(assigned) == [f"{v // 100}.{v % 100:02d}" for v in data.assignments["assigned_balance"]]
    pd.testing.assert_frame_equal(read["events.csv"], data.events.astype(object), check_dtype=False)
    reversal = read["ledger.csv"]["reverses"] != ""
    assert read["ledger.csv"].loc[reversal, "amount"].str.startswith("-").all()
    write_sample(data, out)  # an earlier sample is replaced whole


# --------------------------------------------------------------------------- bulk


def test_bulk_rows_count_columns_and_dtypes():
    ledger = generate_ledger_rows(5_000, collectors=30, month="2026-02")
    assert len(ledger) == 5_000
    assert list(ledger.columns) == BULK_COLUMNS
    for column in LEDGER_TEXT[:5]:
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
    assert list(ledger.columns) == BULK_COLUMNS
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


# --------------------------------------------------------------------------- continuing a data set


def number(ids: pd.Series) -> pd.Series:
    return ids.str[1:].astype(int)


@pytest.fixture(scope="module")
def history() -> SampleData:
    """A data set like the bundled one: July to September 2026."""
    return generate(first_month="2026-07")


@pytest.fixture(scope="module")
def october(history) -> SampleData:
    return continue_sample(history, months=1)


def test_a_continuation_is_the_next_month(history, october):
    assert months_held(history) == ("2026-07", "2026-09")
    assert next_month(history) == "2026-10"
    assert october.ledger["payment_date"].between("2026-10-01", "2026-10-31").all()
    assert october.events["date"].between("2026-10-01", "2026-10-31").all()
    assert set(october.targets["period"]) == set(october.assignments["period"]) == {"2026-10"}
    two = continue_sample(history, months=2)
    assert set(two.ledger["payment_date"].str[:7]) == {"2026-10", "2026-11"}
    assert set(two.targets["period"]) == {"2026-10", "2026-11"}


def test_a_continuation_keeps_the_roster_and_its_collectors(history, october):
    pd.testing.assert_frame_equal(october.roster, history.roster)
    roster = history.roster
    employed = employed_months(roster, ["2026-10"])
    left = set(roster.loc[(roster["end_date"] != "") & (roster["end_date"] < "2026-10-01"), "collector_id"])
    assert left  # C009 left in August: nothing of his in October
    assert {c for c, _ in employed} == set(roster["collector_id"]) - left
    for name in ("ledger", "targets", "assignments", "events"):
        frame = getattr(october, name)
        assert set(frame["collector_id"]) <= set(roster["collector_id"]) - left, name
    assert set(zip(october.targets["collector_id"], october.targets["period"])) == employed
    assert set(zip(october.assignments["collector_id"], october.assignments["period"])) == employed
    qa = october.events[october.events["type"] == "qa"]
    assert set(zip(qa["collector_id"], qa["date"].str[:7])) == employed
    assert set(october.ledger["collector_id"]) == {c for c, _ in employed}
    # Split credit still goes to teammates of the account's owner.
    split = october.ledger[october.ledger["credit_share"] != ""]
    assert len(split) > 0
    team = split["collector_id"].map(roster.set_index("collector_id")["team"])
    assert (team.groupby(split["payment_id"]).nunique() == 1).all()


def test_a_continuation_has_the_shape_of_the_data_set(history, october):
    for name in ("ledger", "targets", "assignments", "events"):
        new, old = getattr(october, name), getattr(history, name)
        assert list(new.columns) == list(old.columns), name
        assert list(new.dtypes) == list(old.dtypes), name
        assert isinstance(new.index, pd.RangeIndex) and new.index.start == 0, name
        assert not new.isna().any().any(), name
    ledger = october.ledger
    assert ledger["payment_id"].str.fullmatch(r"P\d{9}").all()
    assert ledger["account_id"].str.fullmatch(r"6222\d{12}").all()
    assert (ledger.sort_values(["payment_date", "payment_id"], kind="stable").index == ledger.index).all()
    assert ((ledger["amount"] > 0) == (ledger["reverses"] == "")).all()
    assert october.events["event_id"].is_unique
    assert (october.targets["target"] % 100_000 == 0).all()


def test_payment_and_event_ids_number_on_from_the_highest(history, october):
    old, new = number(history.ledger["payment_id"]), number(october.ledger["payment_id"])
    assert new.min() == old.max() + 1
    assert set(new) == set(range(old.max() + 1, new.max() + 1))  # no number skipped
    assert not set(october.ledger["payment_id"]) & set(history.ledger["payment_id"])
    old, new = number(history.events["event_id"]), number(october.events["event_id"])
    assert new.min() == old.max() + 1 and new.is_monotonic_increasing and new.is_unique


def test_payments_stay_inside_each_collectors_employment():
    """A roster whose people leave during or before the new month: nothing of theirs after the day they left."""
    history = generate(collectors=16, months=1, first_month="2026-09", payments_per_collector_month=40)
    roster = history.roster.copy()
    active = roster.index[roster["end_date"] == ""]
    roster.loc[active[0], "end_date"] = "2026-10-10"  # leaves in the new month
    roster.loc[active[1], "end_date"] = "2026-09-30"  # the last day of the history
    roster.loc[active[2], "start_date"] = "2026-11-03"  # joins after it
    changed = SampleData(ledger=history.ledger, roster=roster, targets=history.targets,
                         assignments=history.assignments, events=history.events)
    new = continue_sample(changed, months=2)
    rows = pd.concat([new.ledger[["collector_id", "payment_date"]],
                      new.events[["collector_id", "date"]].rename(columns={"date": "payment_date"})])
    rows = rows.merge(roster, on="collector_id", validate="many_to_one")
    assert (rows["payment_date"] >= rows["start_date"]).all()
    has_end = rows["end_date"] != ""
    assert (rows.loc[has_end, "payment_date"] <= rows.loc[has_end, "end_date"]).all()
    leaver, gone, joiner = roster.loc[active[:3], "collector_id"]
    paid = new.ledger.loc[new.ledger["collector_id"] == leaver, "payment_date"]
    assert paid.between("2026-10-01", "2026-10-10").any()
    assert gone not in set(new.ledger["collector_id"]) | set(new.targets["collector_id"])
    assert set(new.targets.loc[new.targets["collector_id"] == joiner, "period"]) == {"2026-11"}
    assert set(new.targets.loc[new.targets["collector_id"] == leaver, "period"]) == {"2026-10"}


def test_reversals_of_earlier_months_name_a_payment_and_never_take_back_more(history, october):
    new, old = october.ledger, history.ledger
    reversals = new[new["reverses"] != ""]
    earlier = reversals[reversals["reverses"].isin(old["payment_id"])]
    assert len(earlier) > 0  # some September payments bounce in October
    within = reversals[~reversals.index.isin(earlier.index)]
    assert within["reverses"].isin(new["payment_id"]).all()
    originals = plain(old).set_index("payment_id").loc[earlier["reverses"]]  # sole credit, not a reversal
    for column in ["collector_id", "account_id", "days_past_due", "balance", "product"]:
        assert (earlier[column].to_numpy() == originals[column].to_numpy()).all(), column
    assert (originals["payment_date"] >= "2026-09-11").all()  # bounced at most 20 days after
    delay = (pd.to_datetime(earlier["payment_date"]).to_numpy()
             - pd.to_datetime(originals["payment_date"]).to_numpy()).astype("timedelta64[D]").astype(int)
    assert delay.min() >= 1 and delay.max() <= 20
    both = pd.concat([old, new], ignore_index=True)
    back = both[both["reverses"] != ""]
    assert back["reverses"].is_unique  # a payment is reversed once at most, in September or in October
    taken = -back.groupby("reverses")["amount"].sum()
    paid = plain(both).set_index("payment_id")["amount"]
    assert (taken <= paid[taken.index]).all() and (taken > 0).all()


def test_collectors_keep_their_productivity_and_accounts(history, october):
    mean_target = history.targets.groupby("collector_id")["target"].mean()
    target = october.targets.set_index("collector_id")["target"]
    ratio = target / mean_target[target.index]
    assert ratio.between(0.7, 1.45).all()
    recovered = credited(pd.concat([history.ledger, october.ledger])).unstack()
    full = recovered[["2026-08", "2026-09", "2026-10"]].dropna()
    assert full["2026-10"].astype(float).corr(full["2026-09"].astype(float)) > 0.6
    assert october.ledger["account_id"].isin(history.ledger["account_id"]).mean() > 0.2  # accounts pay again
    sole = pd.concat([history.ledger, october.ledger]).query("credit_share == ''")
    assert (sole.groupby("account_id")["collector_id"].nunique() == 1).all()  # still one collector's account


def test_a_continuation_is_deterministic(history, october):
    again = continue_sample(history, months=1)
    other = continue_sample(history, months=1, seed=8)
    for name in ("ledger", "targets", "assignments", "events"):
        pd.testing.assert_frame_equal(getattr(october, name), getattr(again, name), check_exact=True, obj=name)
        assert not getattr(october, name).equals(getattr(other, name)), name


# --------------------------------------------------------------------------- the command: a data set on disk


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    """A small data set on disk (August and September) for the command's tests."""
    folder = tmp_path_factory.mktemp("small") / "data"
    write_sample(generate(collectors=12, months=2, first_month="2026-08", payments_per_collector_month=30), folder)
    return folder


def test_a_data_set_reads_back_as_it_was_generated(tmp_path, history):
    folder = write_sample(history, tmp_path / "data")
    read = read_sample([folder])
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(read, name), getattr(history, name), check_exact=True, obj=name)


def test_the_command_continues_a_data_set_on_disk(tmp_path, small_set):
    october, november = tmp_path / "2026-10", tmp_path / "2026-11"
    result = cli("sample-data", "--continue", small_set, "--out", october)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in october.iterdir()) == sorted(MONTH_FILES)  # no roster: it stays the data set's
    assert "2026-10" in result.output and f"{small_set / 'roster.csv'}" in result.output
    result = cli("sample-data", "--continue", small_set, "--continue", october, "--out", november, "--seed", "3")
    assert result.exit_code == 0, result.output
    ledgers = [small_set / "ledger.csv", october / "ledger.csv", november / "ledger.csv"]
    loaded = load_ledger(ledgers, 2, ("product",))  # no duplicate id, every reversal names a payment
    assert loaded.frame["payment_date"].min() >= np.datetime64("2026-08-01")
    assert set(loaded.frame["payment_date"].dt.strftime("%Y-%m")) == {"2026-08", "2026-09", "2026-10", "2026-11"}
    read = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in ledgers]
    ids = [set(frame["payment_id"]) for frame in read]
    assert len(ids[0] | ids[1] | ids[2]) == sum(map(len, ids))  # no id in two months
    assert number(read[2]["payment_id"]).min() == number(read[1]["payment_id"]).max() + 1
    events = [pd.read_csv(folder / "events.csv", dtype=str) for folder in (small_set, october, november)]
    assert pd.concat(events)["event_id"].is_unique


def test_the_command_writes_the_same_files_for_the_same_seed(tmp_path, small_set):
    written = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert cli("sample-data", "--continue", small_set, "--seed", seed, "--out", tmp_path / name).exit_code == 0
        written.append({f: (tmp_path / name / f).read_bytes() for f in MONTH_FILES})
    assert written[0] == written[1]
    assert written[0]["ledger.csv"] != written[2]["ledger.csv"]


@pytest.mark.parametrize("args, says", [
    (["--first-month", "2026-09"], "--first-month: 2026-09: the data set ({data}) already holds 2026-08 to 2026-09; "
                                   "its continuation starts with 2026-10"),
    (["--first-month", "2026-08"], "already holds 2026-08 to 2026-09"),
    (["--first-month", "2026-11"], "--first-month: 2026-11: the data set ({data}) ends with 2026-09, and 2026-11 "
                                   "would leave a gap; its continuation starts with 2026-10"),
    (["--first-month", "2026-Q4"], "--first-month: '2026-Q4' is not a month"),
    (["--collectors", "5"], "--collectors: does not go with --continue"),
])
def test_the_command_refuses_months_it_already_holds(tmp_path, small_set, args, says):
    result = cli("sample-data", "--continue", small_set, *args, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert says.format(data=small_set) in result.stderr.splitlines()[0], result.stderr
    assert len(result.stderr.splitlines()) == 2  # the problem, and "nothing was written"
    assert not (tmp_path / "out").exists()


def test_the_command_never_writes_into_the_data_set(tmp_path, small_set):
    before = {p.name: p.read_bytes() for p in small_set.iterdir()}
    result = cli("sample-data", "--continue", small_set, "--out", small_set)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"{small_set}: --out: is a folder of the data set being continued "
                                             f"(--continue); write the new months to a folder of their own, such as "
                                             f"{small_set / 'YYYY-MM'}")
    assert {p.name: p.read_bytes() for p in small_set.iterdir()} == before


def _copy(source: Path, target: Path, drop: tuple[str, ...] = ()) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.name not in drop:
            (target / path.name).write_bytes(path.read_bytes())
    return target


def test_the_command_refuses_what_is_not_a_sample_data_set(tmp_path, small_set):
    def refusal(*folders):
        result = cli("sample-data", *[a for f in folders for a in ("--continue", f)], "--out", tmp_path / "out")
        assert result.exit_code == 2, result.output
        assert not (tmp_path / "out").exists()
        assert len(result.stderr.splitlines()) == 2, result.stderr
        return result.stderr.splitlines()[0]

    assert refusal(POLICIES) == (f"{POLICIES}: --continue: is not a sample data set: it has no ledger.csv, "
                                 "roster.csv, targets.csv, assignments.csv, events.csv (sample-data writes ledger.csv, "
                                 "roster.csv, targets.csv, assignments.csv and events.csv, and a continued month all "
                                 "of them but roster.csv)")
    assert refusal(tmp_path / "nowhere") == f"{tmp_path / 'nowhere'}: --continue: is not a folder"
    no_events = _copy(small_set, tmp_path / "no-events", drop=("events.csv",))
    assert refusal(no_events).startswith(f"{no_events}: --continue: is not a sample data set: it has no events.csv")

    october = tmp_path / "2026-10"
    assert cli("sample-data", "--continue", small_set, "--out", october).exit_code == 0
    assert refusal(october).startswith(f"{october}: --continue: is not a sample data set: it has no roster.csv")
    assert refusal(small_set, small_set) == f"{small_set}: --continue: is given twice (as {small_set})"
    november = tmp_path / "2026-11"
    assert cli("sample-data", "--continue", small_set, "--continue", october, "--out", november).exit_code == 0
    assert refusal(small_set, november) == (f"{november}: --continue: starts with 2026-11, but {small_set} ends with "
                                            "2026-09: the folder of 2026-10 is missing (give every folder of the data "
                                            "set, in the order of their months)")
    again = _copy(october, tmp_path / "again")
    assert refusal(small_set, october, again) == (f"{again}: --continue: holds 2026-10, which is not after {october} "
                                                  "(2026-10): give the data set's folders in the order of their "
                                                  "months, the one with the roster first")

    # A ledger without the columns sample-data writes, ids it cannot number on, a roster that differs.
    bare = _copy(small_set, tmp_path / "bare")
    ledger = pd.read_csv(bare / "ledger.csv", dtype=str, keep_default_na=False)
    ledger.drop(columns="product").to_csv(bare / "ledger.csv", index=False)
    assert refusal(bare) == (f"{bare / 'ledger.csv'}:row 1: product: is not a sample data set's ledger.csv: it has no "
                             "column product (sample-data writes ledger.csv, roster.csv, targets.csv, assignments.csv "
                             "and events.csv, and a continued month all of them but roster.csv)")
    renamed = _copy(small_set, tmp_path / "renamed")
    row = int(np.flatnonzero(~ledger["payment_id"].duplicated(keep=False))[10])
    ledger.loc[row, "payment_id"] = "X-5"
    ledger.to_csv(renamed / "ledger.csv", index=False)
    assert refusal(renamed) == (f"{renamed / 'ledger.csv'}:row {row + 2}: payment_id: 'X-5' is not numbered like "
                                "P000000001: "
                                "a sample data set's ids are, so that a continuation can number on from the highest")
    dated = _copy(small_set, tmp_path / "dated")
    events = pd.read_csv(dated / "events.csv", dtype=str, keep_default_na=False)
    events.loc[3, "date"] = "2026/09/31"
    events.to_csv(dated / "events.csv", index=False)
    assert refusal(dated) == f"{dated / 'events.csv'}:row 5: date: '2026/09/31' is not a date YYYY-MM-DD"
    gone = _copy(small_set, tmp_path / "gone")
    roster = pd.read_csv(gone / "roster.csv", dtype=str, keep_default_na=False)
    roster["end_date"] = roster["end_date"].where(roster["end_date"] != "", "2026-09-30")
    roster.to_csv(gone / "roster.csv", index=False)
    assert refusal(gone) == (f"{gone / 'roster.csv'}: --continue: nobody on the roster is employed from 2026-10 on: "
                             "there is nothing to continue")
    other = _copy(october, tmp_path / "other")
    (other / "roster.csv").write_text("collector_id,name,team,employee_id\nC001,A,T,E1\n", encoding="utf-8")
    assert refusal(small_set, other) == (f"{other / 'roster.csv'}: --continue: differs from "
                                         f"{small_set / 'roster.csv'}: the months of a data set share its roster")


def test_the_command_refuses_a_data_set_the_ledger_loader_refuses(tmp_path, small_set):
    """A continuation starts from data a run would accept: a September payment_id again in October is refused."""
    october = tmp_path / "2026-10"
    assert cli("sample-data", "--continue", small_set, "--out", october).exit_code == 0
    ledger = pd.read_csv(october / "ledger.csv", dtype=str, keep_default_na=False)
    first = pd.read_csv(small_set / "ledger.csv", dtype=str, keep_default_na=False)
    ledger.loc[0, "payment_id"] = first["payment_id"].iat[-1]
    ledger.to_csv(october / "ledger.csv", index=False)
    result = cli("sample-data", "--continue", small_set, "--continue", october, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert first["payment_id"].iat[-1] in result.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the bundled data


def _same_files(made: Path, shipped: Path, names) -> None:
    for name in names:
        assert (made / name).read_bytes() == (shipped / name).read_bytes(), f"{shipped / name} differs from what " \
            "the command makes: regenerate it (see the test) or undo the change to the generator"


def test_the_bundled_september_is_what_the_command_makes(tmp_path):
    """sample_data/ (July to September 2026): `commission sample-data --first-month 2026-07 --out sample_data`.
    state-2026-08.json is the state of the August run on it."""
    result = cli("sample-data", "--first-month", "2026-07", "--out", tmp_path / "made")
    assert result.exit_code == 0, result.output
    _same_files(tmp_path / "made", BUNDLED, SAMPLE_FILES)


def test_the_bundled_october_is_what_the_command_makes(tmp_path):
    """sample_data/2026-10: `commission sample-data --continue sample_data --months 1 --out sample_data/2026-10`."""
    result = cli("sample-data", "--continue", BUNDLED, "--months", "1", "--out", tmp_path / "made")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (BUNDLED / "2026-10").iterdir()) == sorted(MONTH_FILES)
    _same_files(tmp_path / "made", BUNDLED / "2026-10", MONTH_FILES)


def test_october_is_paid_after_september(tmp_path):
    """The second month as HR runs it: September from the August state, then October from September's state,
    with both months' ledgers (October reverses some September payments) and October's side files."""
    october = BUNDLED / "2026-10"
    common = ["--policy", POLICIES, "--roster", BUNDLED / "roster.csv"]
    result = cli("run", *common, "--ledger", BUNDLED / "ledger.csv", "--targets", BUNDLED / "targets.csv",
                 "--assignments", BUNDLED / "assignments.csv", "--events", BUNDLED / "events.csv",
                 "--state", BUNDLED / "state-2026-08.json", "--period", "2026-09", "--out", tmp_path / "2026-09")
    assert result.exit_code == 0, result.output
    result = cli("run", *common, "--ledger", BUNDLED / "ledger.csv", "--ledger", october / "ledger.csv",
                 "--targets", october / "targets.csv", "--assignments", october / "assignments.csv",
                 "--events", october / "events.csv", "--state", tmp_path / "2026-09" / "state.json",
                 "--period", "2026-10", "--out", tmp_path / "2026-10")
    assert result.exit_code == 0, result.output
    payouts = pd.read_csv(tmp_path / "2026-10" / "payouts.csv", dtype=str, keep_default_na=False)
    assert len(payouts) == 40 and set(payouts["period"]) == {"2026-10"}
    lines = pd.read_csv(tmp_path / "2026-10" / "lines.csv", dtype=str, keep_default_na=False)
    september = set(pd.read_csv(BUNDLED / "ledger.csv", dtype=str)["payment_id"])
    clawed = lines[lines["reverses"].isin(september)]
    assert len(clawed) > 0 and clawed["amount"].str.startswith("-").all()  # at September's rates, in October
