"""The statement workbook as a spreadsheet reads it: number formats and types, charts, widths, page setup,
exact digits, and the same bytes whether one process writes the statements or several."""

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from commission.cli import main
from commission.engine import pay_plan
from commission.i18n import t
from commission.inputs import load_ledger
from commission.outputs import write_run
from commission.outputs.tables import write_csv
from commission.outputs.xlsx_book import Book
from commission.periods import Period
from commission.policy import load_policy
from commission.sample.generator import generate_ledger_rows
from commission.statements.statement import write_statements
from test_statements import EVENTS, run_october

ROOT = Path(__file__).resolve().parents[1]

# test_statements' October run, C1 by hand: M1 holds P1 1,000.00 and its reversal R1 -200.00 (800.00, 2 payments),
# M2+ holds P2 500.00 and half of P3 200.00 (700.00, 2 payments); net pay 95.00 after the complaint E7.


@pytest.fixture(scope="module")
def statement(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("workbook")
    run = run_october(folder, events=EVENTS)
    result = CliRunner().invoke(main, ["statements", "--run", str(run), "--lang", "en", "--collector", "C1",
                                       "--out", str(folder / "statements")])
    assert result.exit_code == 0, result.output
    return folder / "statements" / "C1-2026-10.xlsx"


def test_summary_numbers_charts_and_page_setup(statement):
    book = load_workbook(statement)
    name = t("statement.summary_sheet", "en")
    assert book.sheetnames == [name, t("statement.detail_sheet", "en"), t("statement.plan_sheet", "en")]
    summary = book[name]
    net = summary["B2"]
    assert (net.value, net.data_type, net.number_format, net.font.b, net.font.sz) == (95, "n", "#,##0.00", True, 14)
    assert summary["A1"].font.name == "Microsoft YaHei" and summary["A1"].font.sz == 16
    buckets = {row[0].value: (row[1].value, row[1].number_format, row[2].value, row[2].number_format, row[3].value)
               for row in summary.iter_rows() if row[0].value in ("M1", "M2+")}
    # M1: P1 1,000.00 less its reversal R1 200.00 (one repayment, one reversed); M2+: P2 500.00 and half of P3
    assert buckets == {"M1": (800, "#,##0.00", 1, "#,##0", 1), "M2+": (700, "#,##0.00", 2, "#,##0", 0)}
    (chart,) = summary._charts  # recovery by bucket, a native column chart over those two rows
    first = min(row[0].row for row in summary.iter_rows() if row[0].value == "M1")
    assert (chart.type, chart.grouping, chart.legend) == ("col", "clustered", None)
    (series,) = chart.series
    assert series.val.numRef.f == f"{name}!$B${first}:$B${first + 1}"
    assert series.cat.strRef.f == f"{name}!$A${first}:$A${first + 1}"
    assert chart.y_axis.numFmt.formatCode == "#,##0"
    widths = {column.min: (column.max, column.width) for column in summary.column_dimensions.values()}
    assert widths == {1: (1, 60), 2: (2, 18), 3: (4, 12), 5: (5, 10), 6: (6, 28)}  # C and D share one entry
    assert summary.page_setup.paperSize == 9 and summary.sheet_properties.pageSetUpPr.fitToPage
    assert summary.oddHeader.left.text == f"{t('statement.title', 'en')} 王芳 (C1) 2026-10"
    assert summary.oddFooter.right.text == "&P / &N"
    assert book.worksheets[1].print_title_rows == "$1:$1"  # the header on every printed page
    assert [book.worksheets[2].column_dimensions[c].width for c in "AB"] == [24, 90]
    for sheet in book.worksheets:  # numbers are values, text is text: never a formula
        assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type in ("f", "e")]


def test_detail_number_formats_and_types(statement):
    detail = load_workbook(statement).worksheets[1]
    header = [cell.value for cell in detail[1]]
    payments = (1, 2, 4, 5)  # rows 2, 3, 5 and 6; 4, 7 and 8 are subtotals and the total
    kinds = {name: {(cell.data_type, cell.number_format) for k, cell in enumerate(column) if k in payments
                    and cell.value is not None} for name, column in zip(header, detail.iter_cols(max_row=8))}
    kinds = {key: kinds[t(f"detail.{key}", "en")] for key in ("date", "recovered", "amount", "rate", "share",
                                                               "bucket", "payment", "account")}
    assert kinds["date"] == {("d", "yyyy-mm-dd")}  # a date serial, which openpyxl reads as a date
    assert kinds["recovered"] == kinds["amount"] == {("n", "#,##0.00;[Red]-#,##0.00")}
    assert kinds["rate"] == kinds["share"] == {("n", "0.00%")}
    assert kinds["bucket"] == kinds["payment"] == kinds["account"] == {("s", "General")}
    assert [detail.cell(1, k).font.b for k in range(1, len(header) + 1)] == [True] * len(header)
    assert all(cell.font.sz == 10 for cell in detail["A"][1:])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(-10**17 + 1, 10**17 - 1), st.sampled_from([0, 2, 3]))
def test_amounts_are_written_as_their_exact_digits(tmp_path, minor, minor_units):
    """A total up to money.MAX_TOTAL has 17 digits: more than a float (or XlsxWriter's own 16) holds."""
    path = tmp_path / "exact.xlsx"
    book = Book(path)
    book.write(book.sheet("S"), 0, 0, Decimal(minor).scaleb(-minor_units))
    book.close()
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    written = xml.partition("<v>")[2].partition("</v>")[0]
    assert Decimal(written) == Decimal(minor).scaleb(-minor_units) and "E" not in written


def test_workers_write_the_same_bytes_as_one_process(tmp_path):
    """Twelve collectors in two forked workers (sharing the parent's reading of the run) and in one process."""
    frame = generate_ledger_rows(12 * 30, collectors=12, month="2026-10")
    write_csv(frame, tmp_path / "ledger.csv", ("amount", "balance"), 2)
    ledger = load_ledger([tmp_path / "ledger.csv"], 2)
    result = pay_plan(load_policy(ROOT / "benchmarks" / "line-level-plan.yaml"), ledger.frame,
                      Period.parse("2026-10"))
    write_run(result, result.policies, ledger.files, tmp_path / "run")
    source = {"run": str(tmp_path / "run")}
    assert write_statements(tmp_path / "run", tmp_path / "one", source, jobs=1) == 12
    assert write_statements(tmp_path / "run", tmp_path / "two", source, jobs=2) == 12
    one, two = sorted((tmp_path / "one").iterdir()), sorted((tmp_path / "two").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 13  # and statements.json
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


def test_a_pay_chart_of_nothing_but_zeros_is_scaled_0_to_1(tmp_path):
    """A collector paid 0.00 in every period: left to itself a viewer labels the axis 0, 0, 0, 1, 1, 1."""
    from zipfile import ZipFile

    from commission.outputs.xlsx_book import Book
    from commission.statements.statement import _bar_chart

    book = Book(tmp_path / "zero.xlsx")
    sheet = book.sheet("Statement")
    sheet.write_row(0, 0, ["2026-09", 0])
    for nothing in (True, False):
        chart = _bar_chart(book, "Pay by period", "CNY", stacked=True, nothing=nothing)
        chart.add_series({"categories": ["Statement", 0, 0, 0, 0], "values": ["Statement", 0, 1, 0, 1]})
        sheet.insert_chart(2 + 20 * nothing, 0, chart)
    book.close()
    with ZipFile(tmp_path / "zero.xlsx") as xlsx:
        charts = sorted(n for n in xlsx.namelist() if n.startswith("xl/charts/chart"))
        scaled = [b'<c:max val="1"/>' in xlsx.read(name) and b'<c:majorUnit val="1"/>' in xlsx.read(name)
                  for name in charts]
    assert sorted(scaled) == [False, True]
