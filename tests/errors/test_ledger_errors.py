"""Broken ledgers and the exact problem each must produce: ``file:row N: column: message``.

Row numbers are the ones a person sees: in CSV and XLSX the header is row 1 and the first record
row 2; in Parquet (no header row) the first record is row 1. The CSV files are in
tests/fixtures/bad_ledgers/; XLSX and Parquet files are built in tmp_path by each test.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from commission.errors import MAX_LISTED_PROBLEMS, InputError, Problem
from commission.inputs import REQUIRED_COLUMNS, load_ledger

BAD_LEDGERS = Path(__file__).resolve().parent.parent / "fixtures" / "bad_ledgers"
HEADER = ",".join(REQUIRED_COLUMNS)



def problems_of(*paths: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_ledger(list(paths), minor_units=2)
    return caught.value


def assert_only_problem(error: InputError, where: str, column: str, message: str) -> Problem:
    """The error holds exactly this one problem (message is a regex matched in full)."""
    listed = "\n".join(map(str, error.problems))
    assert len(error.problems) == 1 and error.hidden == 0, listed
    problem = error.problems[0]
    assert (problem.where, problem.key) == (where, column), listed
    assert re.fullmatch(message, problem.message), listed
    assert str(problem) == f"{where}: {column}: {problem.message}"
    return problem


# -- CSV: one fault per file -----------------------------------------------------

CSV_CASES = [
    pytest.param("amount_too_many_decimals", 3, "amount", r"12\.345 has more than 2 decimal places",
                 id="amount-3-decimals"),
    pytest.param("amount_decimal_comma", 4, "amount",
                 r"'12,50' is not a number \(write e\.g\. 1234\.50, no separators\)", id="amount-decimal-comma"),
    pytest.param("amount_not_a_number", 2, "amount", r"'abc' is not a number \(write e\.g\. 1234\.50, no separators\)",
                 id="amount-abc"),
    pytest.param("date_day_first", 4, "payment_date", r"'10/03/2026' is not a date YYYY-MM-DD", id="date-day-first"),
    pytest.param("date_does_not_exist", 3, "payment_date", r"'2026-02-30' is not a date YYYY-MM-DD",
                 id="date-30-february"),
    pytest.param("days_past_due_negative", 2, "days_past_due", r"-5 is negative; it must be 0 or more",
                 id="days-past-due-negative"),
    pytest.param("days_past_due_not_whole", 3, "days_past_due", r"'45\.5' is not a whole number",
                 id="days-past-due-not-whole"),
    pytest.param("duplicate_payment_id", 5, "payment_id",
                 r"duplicate payment_id 'P0001' \(also at {}:row 3\); to split one payment between collectors, "
                 r"give each a row with a credit_share column".format(
                     re.escape(str(BAD_LEDGERS / "duplicate_payment_id.csv"))),
                 id="duplicate-payment-id"),
    pytest.param("missing_column", 1, "days_past_due",
                 r"is a required column, missing from the header \(found: payment_id, collector_id, account_id, "
                 r"payment_date, amount, balance\)", id="missing-column"),
    pytest.param("empty_collector_id", 3, "collector_id", r"is empty", id="empty-collector-id"),
    pytest.param("empty_amount", 3, "amount", r"is empty; an amount is required", id="empty-amount"),
    pytest.param("balance_negative", 3, "balance", r"-100\.00 is negative", id="balance-negative"),
]


@pytest.mark.parametrize(("name", "row", "column", "message"), CSV_CASES)
def test_bad_csv_ledger(name, row, column, message):
    path = BAD_LEDGERS / f"{name}.csv"
    assert_only_problem(problems_of(path), f"{path}:row {row}", column, message)


def test_every_csv_fixture_is_covered():
    names = {p.stem for p in BAD_LEDGERS.glob("*.csv")}
    assert names == {p.values[0] for p in CSV_CASES} | {"valid", "many_bad_amounts"}


def test_the_valid_ledger_loads():
    """Control: the rows the bad files are made of are fine in themselves."""
    ledger = load_ledger([BAD_LEDGERS / "valid.csv"], minor_units=2)
    assert ledger.frame["payment_id"].tolist() == ["P0001", "P0002", "P0003", "P0004"]
    assert ledger.frame["amount"].tolist() == [120000, 30050, 500000, 8000]


def test_many_bad_rows_are_listed_up_to_the_limit_then_counted():
    path = BAD_LEDGERS / "many_bad_amounts.csv"  # records 1..80 (rows 2..81), amount i.<i>5: three decimals
    error = problems_of(path)
    assert MAX_LISTED_PROBLEMS < 80
    assert len(error.problems) == MAX_LISTED_PROBLEMS
    assert error.hidden == 80 - MAX_LISTED_PROBLEMS
    for i, problem in enumerate(error.problems, start=1):
        assert str(problem) == f"{path}:row {i + 1}: amount: {i}.{i:02d}5 has more than 2 decimal places"
    lines = error.render().splitlines()
    assert len(lines) == MAX_LISTED_PROBLEMS + 1
    assert lines[-1] == f"... and {80 - MAX_LISTED_PROBLEMS} more problems of the same kinds"


def test_limit_is_shared_across_columns_and_files(tmp_path):
    """5 bad dates in one file, then 80 bad amounts in another: the first MAX_LISTED_PROBLEMS listed in file
    order, the rest counted."""
    dates = tmp_path / "a_dates.csv"
    dates.write_text(HEADER + "\n" + "".join(
        f"D{i},C01,A{i:04d},2026/10/0{i},10.00,5,100.00\n" for i in range(1, 6)), encoding="utf-8")
    error = problems_of(dates, BAD_LEDGERS / "many_bad_amounts.csv")
    assert [str(p) for p in error.problems[:5]] == [
        f"{dates}:row {i + 1}: payment_date: '2026/10/0{i}' is not a date YYYY-MM-DD" for i in range(1, 6)]
    assert all(p.key == "amount" for p in error.problems[5:])
    assert (len(error.problems), error.hidden) == (MAX_LISTED_PROBLEMS, 85 - MAX_LISTED_PROBLEMS)
    assert error.render().endswith(f"... and {85 - MAX_LISTED_PROBLEMS} more problems of the same kinds")


def test_duplicate_payment_id_across_two_files_names_both(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(f"{HEADER}\nP0009,C01,A0001,2026-10-01,10.00,5,100.00\n"
                     "P0001,C01,A0002,2026-10-02,10.00,5,100.00\n", encoding="utf-8")
    second.write_text(f"{HEADER}\nP0005,C02,A0003,2026-10-03,10.00,5,100.00\n"
                      "P0009,C02,A0004,2026-10-04,10.00,5,100.00\n", encoding="utf-8")
    assert_only_problem(problems_of(first, second), f"{second}:row 3", "payment_id",
                        re.escape(f"duplicate payment_id 'P0009' (also at {first}:row 2)") + ";.*")


def test_csv_row_with_an_extra_field_is_named_by_row(tmp_path):
    path = tmp_path / "unquoted_comma.csv"
    path.write_text(f"{HEADER}\nP0001,C01,A0001,2026-10-03,1200.00,12,4800.00\n"
                    "P0002,C01,A0002,2026-10-05,12,50,45,12000.00\n", encoding="utf-8")
    error = problems_of(path)
    assert len(error.problems) == 1
    assert error.problems[0].where == f"{path}:row 3", str(error.problems[0])


def test_csv_with_only_a_header_loads_with_no_rows(tmp_path):
    """No payments is not a problem of the file; the run reports it for the period (see test_cli_errors)."""
    path = tmp_path / "header_only.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    assert len(load_ledger([path], minor_units=2).frame) == 0


def test_empty_file_and_missing_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    error = problems_of(empty)
    assert [str(p) for p in error.problems] == [f"{empty}:row 1: the file is empty; expected a header row"]
    missing = tmp_path / "nope.csv"
    error = problems_of(missing)
    assert [str(p) for p in error.problems] == [f"{missing}: cannot read file: No such file or directory"]


# -- values quietly accepted --------------------------------------------------------

def test_a_payment_date_more_than_a_year_ahead_is_refused(tmp_path):
    """9999-12-31 used to be counted as outside every window; a year after today is the last day taken."""
    today = datetime.now(timezone.utc).date()
    last, past = today + timedelta(days=366), today + timedelta(days=367)
    path = tmp_path / "ledger.csv"
    path.write_text(f"{HEADER}\nP1,C01,A0001,9999-12-31,10.00,5,100.00\nP2,C01,A0001,{last},10.00,5,100.00\n"
                    f"P3,C01,A0001,{past},10.00,5,100.00\n", encoding="utf-8")
    error = problems_of(path)
    assert [str(p) for p in error.problems] == [
        f"{path}:row {row}: payment_date: {day} is more than a year after today ({today}); a payment is dated "
        "the day its money was booked: a typo?" for row, day in ((2, "9999-12-31"), (4, past))]
    ok = tmp_path / "ok" / "ledger.csv"
    ok.parent.mkdir()
    ok.write_text(f"{HEADER}\nP2,C01,A0001,{last},10.00,5,100.00\n", encoding="utf-8")
    assert [str(d.date()) for d in load_ledger([ok], minor_units=2).frame["payment_date"]] == [str(last)]


def test_minus_zero_is_a_zero_repayment_and_no_reversal(tmp_path):
    """-0 and -0.00 read as 0, a zero repayment, kept as 0 is (it earns nothing); as a reversal -0 takes
    nothing back, so it is refused as 0 is."""
    path = tmp_path / "ledger.csv"
    path.write_text(f"{HEADER}\nP1,C01,A0001,2026-10-03,-0,5,100.00\nP2,C01,A0001,2026-10-03,-0.00,5,100.00\n"
                    "P3,C01,A0001,2026-10-03,0,5,-0.00\n", encoding="utf-8")
    frame = load_ledger([path], minor_units=2).frame
    assert frame["amount"].tolist() == [0, 0, 0] and frame["balance"].tolist() == [10000, 10000, 0]
    reversal = tmp_path / "reversal" / "ledger.csv"
    reversal.parent.mkdir()
    reversal.write_text(f"{HEADER},reverses\nP1,C01,A0001,2026-10-03,100.00,5,100.00,\n"
                        "R1,C01,A0001,2026-10-04,-0,5,100.00,P1\n", encoding="utf-8")
    assert [str(p) for p in problems_of(reversal).problems] == [
        f"{reversal}:row 3: amount: a reversal's amount must be negative (it takes back part or all of payment 'P1')"]


# -- XLSX ------------------------------------------------------------------------

def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(REQUIRED_COLUMNS))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_bad_xlsx_ledger_names_rows_as_excel_shows_them(tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        ["P1", "C01", "6222000011112222", datetime(2026, 10, 3), 1200, 12, 4800],      # row 2: fine
        ["P2", "C01", "6222000011113333", datetime(2026, 10, 5), 12.345, 45, 12000],   # row 3: 3 decimals
        ["P3", "C02", "6222000011114444", date(2026, 10, 9), 300.5, "45.5", -5],        # row 4: dpd, balance
        ["P4", "C02", "6222000011115555", "10/03/2026", 80, 3, 5],                     # row 5: date
        ["P5", None, "6222000011116666", "2026-10-20", "abc", 3, 5],                   # row 6: collector, amount
    ])
    error = problems_of(path)
    assert sorted(str(p) for p in error.problems) == sorted([
        f"{path}:row 3: amount: 12.345 has more than 2 decimal places",
        f"{path}:row 4: days_past_due: '45.5' is not a whole number",
        f"{path}:row 4: balance: -5 is negative",
        f"{path}:row 5: payment_date: '10/03/2026' is not a date YYYY-MM-DD",
        f"{path}:row 6: collector_id: is empty",
        f"{path}:row 6: amount: 'abc' is not a number (write e.g. 1234.50, no separators)",
    ])
    assert error.hidden == 0


def test_good_xlsx_numbers_are_read_exactly(tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        ["P1", "C01", "6222000011112222", datetime(2026, 10, 3), 1200.1, 12, 4800],
        ["P2", "C01", "6222000011113333", "2026-10-05", "300.50", 45, 0.3],
    ])
    frame = load_ledger([path], minor_units=2).frame
    assert frame["amount"].tolist() == [120010, 30050]
    assert frame["balance"].tolist() == [480000, 30]


def test_corrupt_xlsx_is_a_user_error(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("this is not a workbook\n", encoding="utf-8")
    error = problems_of(path)
    assert error.problems[0].where == str(path)
    assert error.problems[0].message.startswith("cannot read as XLSX")


# -- Parquet ---------------------------------------------------------------------

def parquet(path: Path, **overrides) -> Path:
    columns = {
        "payment_id": pa.array(["P1", "P2", "P3"]),
        "collector_id": pa.array(["C01", "C01", "C02"]),
        "account_id": pa.array(["6222000011112222", "6222000011113333", "6222000011114444"]),
        "payment_date": pa.array([date(2026, 10, 3), date(2026, 10, 5), date(2026, 10, 9)], pa.date32()),
        "amount": pa.array(["1200.00", "300.50", "5000.00"]),
        "days_past_due": pa.array([12, 45, 200], pa.int64()),
        "balance": pa.array([Decimal("4800.00"), Decimal("12000.00"), Decimal("60000.00")], pa.decimal128(18, 2)),
    }
    columns.update(overrides)
    pq.write_table(pa.table(columns), path)
    return path


def test_good_parquet_loads(tmp_path):
    frame = load_ledger([parquet(tmp_path / "ok.parquet")], minor_units=2).frame
    assert frame["amount"].tolist() == [120000, 30050, 500000]
    assert frame["balance"].tolist() == [480000, 1200000, 6000000]


def test_bad_parquet_rows_count_from_1(tmp_path):
    path = parquet(tmp_path / "bad.parquet",
                   amount=pa.array(["1200.00", "abc", "5000.00"]),
                   days_past_due=pa.array([12, 45, -3], pa.int64()),
                   collector_id=pa.array(["C01", "C01", None]))
    error = problems_of(path)
    assert sorted(str(p) for p in error.problems) == sorted([
        f"{path}:row 2: amount: 'abc' is not a number (write e.g. 1234.50, no separators)",
        f"{path}:row 3: days_past_due: -3 is negative; it must be 0 or more",
        f"{path}:row 3: collector_id: is empty",
    ])


def test_a_parquet_timestamp_with_a_time_is_refused_as_in_a_csv(tmp_path):
    """2026-09-02T23:30 used to be cut to 2026-09-02; a CSV cell '2026-09-02T23:30:00' is refused alike."""
    stamps = [datetime(2026, 10, 3), datetime(2026, 9, 2, 23, 30), datetime(2026, 10, 9, 0, 0, 1)]
    path = parquet(tmp_path / "timed.parquet", payment_date=pa.array(stamps, pa.timestamp("us")))
    csv = tmp_path / "timed.csv"
    csv.write_text(f"{HEADER}\nP9,C01,6222000011112222,2026-09-02T23:30:00,1.00,5,100.00\n", encoding="utf-8")
    assert [str(p) for p in problems_of(path, csv).problems] == [
        f"{path}:row 2: payment_date: '2026-09-02T23:30:00' is not a date YYYY-MM-DD",
        f"{path}:row 3: payment_date: '2026-10-09T00:00:01' is not a date YYYY-MM-DD",
        f"{csv}:row 2: payment_date: '2026-09-02T23:30:00' is not a date YYYY-MM-DD"]


def test_a_zoned_parquet_timestamp_is_a_date_at_its_own_midnight(tmp_path):
    """Midnight in Shanghai is 16:00 the day before in UTC: the day is Shanghai's, never UTC's."""
    zone = pa.timestamp("us", tz="Asia/Shanghai")
    stamps = pa.array([datetime(2026, 10, 2, 16, 0), datetime(2026, 10, 4, 16, 0), datetime(2026, 10, 9)], zone)
    path = parquet(tmp_path / "zoned.parquet", payment_date=stamps)
    assert [str(p) for p in problems_of(path).problems] == [
        f"{path}:row 3: payment_date: '2026-10-09T08:00:00+08:00' is not a date YYYY-MM-DD"]
    ok = parquet(tmp_path / "ok.parquet", payment_date=stamps[:2].cast(zone), payment_id=pa.array(["P1", "P2"]),
                 collector_id=pa.array(["C01", "C01"]), account_id=pa.array(["A0001", "A0002"]),
                 amount=pa.array(["1.00", "2.00"]), days_past_due=pa.array([1, 2], pa.int64()),
                 balance=pa.array(["5.00", "5.00"]))
    assert [str(d.date()) for d in load_ledger([ok], minor_units=2).frame["payment_date"]] == ["2026-10-03",
                                                                                              "2026-10-05"]


def test_float_amounts_in_parquet_are_refused(tmp_path):
    path = parquet(tmp_path / "float.parquet", amount=pa.array([1200.0, 300.5, 5000.0], pa.float64()))
    assert_only_problem(problems_of(path), str(path), "amount",
                        re.escape("is stored as floating point, which cannot hold money exactly; "
                                  "store it as text or as a decimal column"))


def test_float_balance_in_parquet_is_refused(tmp_path):
    path = parquet(tmp_path / "float.parquet", balance=pa.array([4800.0, 12000.0, 60000.0], pa.float64()))
    problem = assert_only_problem(problems_of(path), str(path), "balance", r"is stored as floating point.*")
    assert "cannot hold money exactly" in problem.message


def test_decimal_amounts_with_three_places(tmp_path):
    """decimal128(18, 3): 12.340 is exactly 12.34 (fine); 12.345 has a third decimal (refused)."""
    amounts = pa.array([Decimal("12.340"), Decimal("12.345"), Decimal("-1.000")], pa.decimal128(18, 3))
    path = parquet(tmp_path / "dec.parquet", amount=amounts)
    assert_only_problem(problems_of(path), f"{path}:row 2", "amount", r"12\.345 has more than 2 decimal places")


def test_decimal_amounts_with_three_places_all_exact(tmp_path):
    amounts = pa.array([Decimal("12.340"), Decimal("0.010"), Decimal("-1.000")], pa.decimal128(18, 3))
    frame = load_ledger([parquet(tmp_path / "dec.parquet", amount=amounts)], minor_units=2).frame
    assert frame["amount"].tolist() == [1234, 1, -100]


def test_wide_decimal_amounts_and_nulls(tmp_path):
    amounts = pa.array([Decimal("12.340"), None, Decimal("12.345")], pa.decimal128(38, 3))
    path = parquet(tmp_path / "dec38.parquet", amount=amounts)
    error = problems_of(path)
    assert sorted(str(p) for p in error.problems) == [
        f"{path}:row 2: amount: is empty; an amount is required",
        f"{path}:row 3: amount: 12.345 has more than 2 decimal places",
    ]


def test_parquet_missing_column(tmp_path):
    path = tmp_path / "no_balance.parquet"
    table = pa.table({name: pa.array(["x"]) for name in REQUIRED_COLUMNS if name != "balance"})
    pq.write_table(table, path)
    error = problems_of(path)
    # A Parquet file has no header row; the file as a whole is the honest place for a missing column.
    assert [p.key for p in error.problems] == ["balance"]
    assert error.problems[0].message.startswith("is a required column, missing from the header (found: payment_id")


def test_parquet_missing_column_is_not_blamed_on_the_first_record(tmp_path):
    path = tmp_path / "no_balance.parquet"
    pq.write_table(pa.table({name: pa.array(["x"]) for name in REQUIRED_COLUMNS if name != "balance"}), path)
    assert problems_of(path).problems[0].where == str(path)


def test_corrupt_parquet_is_a_user_error(tmp_path):
    path = tmp_path / "ledger.parquet"
    path.write_text("not parquet\n", encoding="utf-8")
    error = problems_of(path)
    assert error.problems[0].where == str(path)
    assert error.problems[0].message.startswith("cannot read as PARQUET: ")


def test_a_row_given_twice_in_a_ledger_with_split_credit_is_one_problem(tmp_path):
    """The same row twice is a duplicate, not a split whose shares add up to 2 (one mistake, one message);
    a real split beside it is still checked."""
    path = tmp_path / "ledger.csv"
    path.write_text(f"{HEADER},credit_share\n"
                    "P1,C1,A1,2026-10-01,100.00,10,3000,1\n"
                    "P2,C1,A2,2026-10-02,50.00,10,3000,0.5\n"
                    "P2,C2,A2,2026-10-02,50.00,10,3000,0.4\n"
                    "P1,C1,A1,2026-10-01,100.00,10,3000,1\n", encoding="utf-8")
    error = problems_of(path)
    assert [str(p) for p in error.problems] == [
        f"{path}:row 5: payment_id: duplicate payment_id 'P1' (also at {path}:row 2)",
        f"{path}:row 3: credit_share: the shares of payment 'P2' add up to 0.9, not 1"]
