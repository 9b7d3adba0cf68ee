"""Text is never code: every xlsx cell we write is a string, never a formula, and holds what XML can;
every CSV text cell a spreadsheet would run is neutralised, numbers stay numbers, and our reader
gets back exactly what was written. Then the whole tool, driven as a user would, with hostile
names and unusual (but valid) ids, writes nothing outside its folders and no formula anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import re
import textwrap
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference

from conftest import flat_plan
from commission.cli import main
from commission.identifiers import identifier_problem
from commission.outputs.paths import file_in
from commission.outputs.payroll import write_payroll
from commission.outputs.sheet_rows import render_rows
from commission.outputs.tables import restored, write_csv
from commission.outputs.workbook import new_workbook, save_workbook, write_sheet, xml_text
from commission.outputs.xlsx_book import Book, header_text

#: Characters worth trying in text cells: formula starters, quotes, tabs, CR / LF, every kind of
#: XML-illegal character, CJK, an emoji, separators.
ALPHABET = ["=", "+", "-", "@", "'", '"', "\t", "\r", "\n", "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\ufffe",
            "\uffff", " ", "a", "Z", "0", "5", ".", ",", ";", "|", "!", "(", ")", "/", "\\", "&", "<", ">", "催",
            "😀", "\u202e"]
hostile = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
formula_like = st.builds(lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'=",
                                                                           "''-", "'"]), hostile)
texts = st.one_of(hostile, formula_like, st.sampled_from(['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0",
                                                          "=E6", "@SUM(1)", "-2+3", "-530.74", "+5", "#N/A"]))

#: A spreadsheet runs a cell as a formula when it starts with one of these (OWASP).
TRIGGER = re.compile(r"[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def without_xml_illegal(text: str) -> str:
    """What XML 1.0 can hold of `text`, written out from the XML specification's Char production."""
    return "".join(c for c in text if c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD
                   or ord(c) >= 0x10000)


def formula_cells(path: Path) -> list[str]:
    """Every cell of the workbook that is a formula (or an error value such as #N/A, which text must
    not turn into either)."""
    workbook = load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}: {cell.value!r}" for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type in ("f", "e")]


def shown(value) -> str:
    """A cell read back by openpyxl as text (an empty string cell has no value)."""
    return "" if value is None else value


# -- CSV -----------------------------------------------------------------------------------------

def test_csv_cells_by_hand(tmp_path):
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
                                   "\tx", "\rx", "-530.74", "'=E6", "'plain", "王芳"],
                          "amount": [-500, 0, 1, 2, 3, 4, 5, 6, 7, 8]})
    path = tmp_path / "out.csv"
    write_csv(frame, path, ("amount",), 2)
    assert path.read_bytes().decode().split("\n") == [
        '"name","amount"',
        '"\'=HYPERLINK(""http://x"",""y"")",-5.00',
        '"\'=cmd|\' /C calc\'!A0",0.00',
        '"\'@SUM(1)",0.01',
        '"\'-2+3",0.02',
        '"\'\tx",0.03',
        '"\'\rx",0.04',
        '"-530.74",0.05',  # a number stays a number
        '"\'\'=E6",0.06',  # one more quote, so the reader can take exactly one off
        '"\'plain",0.07',
        '"王芳",0.08',
        "",
    ]
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert restored(pa.array(back["name"])).to_pylist() == list(frame["name"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(texts, st.integers(-10**15, 10**15)), min_size=1, max_size=15))
def test_csv_text_round_trips_and_nothing_runs(tmp_path, rows):
    frame = pd.DataFrame({"text": [t for t, _ in rows], "amount": [a for _, a in rows]})
    path = tmp_path / "out.csv"
    write_csv(frame, path, ("amount",), 2)
    with open(path, newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))[1:]
    for (text, amount), (cell, money) in zip(rows, written):
        assert not TRIGGER.match(cell) or PLAIN_NUMBER.fullmatch(cell), cell  # nothing a spreadsheet would run
        assert cell in (text, "'" + text)
        sign, whole = ("-", -amount) if amount < 0 else ("", amount)
        assert money == f"{sign}{whole // 100}.{whole % 100:02d}"  # a number: -5.00, never '-5.00
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert restored(pa.array(back["text"])).to_pylist() == [t for t, _ in rows]


# -- XLSX ----------------------------------------------------------------------------------------

@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(texts, st.just("\ud800x")), min_size=1, max_size=10))
def test_xlsx_cells_are_strings_holding_the_text(tmp_path, values):
    """write_sheet (payouts.xlsx, the payroll export) and plain appends (statements' Summary, which
    may show text from a state file: JSON can hold a lone surrogate, pandas' Arrow text cannot)."""
    workbook = new_workbook()
    frame = pd.DataFrame({"name": [v.replace("\ud800", "") for v in values], "amount": range(len(values))})
    write_sheet(workbook.create_sheet("Payouts"), frame, ("amount",), 2)
    other = workbook.create_sheet("Summary")
    for value in values:
        other.append([value, 1])
    other.cell(row=len(values) + 1, column=1, value=values[0])
    other.oddHeader.left.text = values[0]
    path = tmp_path / "book.xlsx"
    save_workbook(workbook, path)
    assert formula_cells(path) == []
    book = load_workbook(path)
    expected = [without_xml_illegal(v.replace("\ud800", "")) for v in values]
    assert [shown(row[0].value) for row in book["Payouts"].iter_rows(min_row=2, max_row=1 + len(values))] == expected
    assert [shown(row[0].value) for row in book["Summary"].iter_rows(max_row=len(values))] == expected
    assert shown(book["Summary"].cell(row=len(values) + 1, column=1).value) == expected[0]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=10))
def test_rendered_rows_hold_the_text_and_no_formula(tmp_path, values):
    """The Detail sheet's rows are written as XML straight from Arrow (sheet_rows)."""
    path = tmp_path / "detail.xlsx"
    book = Book(path)
    sheet = book.sheet("Detail")
    sheet.write_row(0, 0, ["text", "code"])
    table = pa.table({"text": values, "code": values})
    render_rows(book, sheet, table, {"text": "text", "code": "code"}, 2)
    book.close()
    assert formula_cells(path) == []
    cells = [(shown(a.value), shown(b.value)) for a, b in load_workbook(path)["Detail"].iter_rows(
        min_row=2, max_row=1 + len(values), max_col=2)]
    assert cells == [(without_xml_illegal(v), without_xml_illegal(v)) for v in values]


@pytest.mark.filterwarnings("ignore:Cannot parse header:UserWarning")  # openpyxl reading a hostile header back
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(texts, st.just("\ud800x")), min_size=1, max_size=10))
def test_statement_book_cells_page_headers_and_chart_titles_hold_the_text(tmp_path, values):
    """xlsx_book (statements' Summary and Plan): every text a string holding what XML can hold of it,
    in cells, the page header and a chart's title; never a formula, a number or an error value."""
    path = tmp_path / "book.xlsx"
    book = Book(path)
    sheet = book.sheet("Sum\x00mary")
    for row, value in enumerate(values):
        book.write(sheet, row, 0, value)
        book.write(sheet, row, 1, value, {"bold": True})
    sheet.set_header("&L" + header_text(values[0] * 20))  # longer than a page header may be
    chart = book.xlsx.add_chart({"type": "column"})
    chart.add_series({"values": ["Summary", 0, 2, 0, 2]})
    chart.set_title({"name": xml_text("=cmd\x00|calc")})
    sheet.insert_chart(len(values) + 1, 0, chart)
    book.close()
    assert formula_cells(path) == []
    read = load_workbook(path)
    expected = [without_xml_illegal(v.replace("\ud800", "")).replace("\r\n", "\n").replace("\r", "\n")
                for v in values]
    assert read.sheetnames == ["Summary"]
    assert [(shown(a.value), shown(b.value)) for a, b in read["Summary"].iter_rows(max_col=2)] == [
        (text, text) for text in expected]
    assert all(cell.data_type == "s" for row in read["Summary"].iter_rows() for cell in row if cell.value)
    header = header_text(values[0] * 20)  # one line, within Excel's 255 UTF-16 units, so no viewer drops it
    assert "\n" not in header and len(header.encode("utf-16-le")) // 2 <= 255 - 8
    with zipfile.ZipFile(path) as archive:
        assert "=cmd|calc" in archive.read("xl/charts/chart1.xml").decode()
        written = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml")).find(".//{*}oddHeader")
    assert written.text == "&L" + header


def test_headers_footers_sheet_and_chart_titles_lose_what_xml_cannot_hold(tmp_path):
    workbook = new_workbook()
    sheet = workbook.create_sheet("Sum\x00mary")
    sheet.append(["M1", 5])
    sheet.oddHeader.left.text = "=王\x01芳"
    chart = BarChart()
    chart.title = "=cmd\x00|calc"
    chart.y_axis.title = "CNY\x1f"
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=1))
    sheet.add_chart(chart, "A3")
    path = tmp_path / "chart.xlsx"
    save_workbook(workbook, path)
    with zipfile.ZipFile(path) as archive:
        chart_xml = archive.read("xl/charts/chart1.xml").decode()
    assert "=cmd|calc" in chart_xml and "CNY<" in chart_xml and "\x00" not in chart_xml
    book = load_workbook(path)
    assert book.sheetnames == ["Summary"] and book["Summary"].oddHeader.left.text == "=王芳"


# -- the tool, end to end ------------------------------------------------------------------------

PLAN = flat_plan("hostile")
#: Unusual but valid ids (CJK, emoji, a space, quotes and punctuation inside, an Excel error code)
#: and hostile names.
IDS = ["催收员甲", "😀", "a b", "C1=2", "x'y", "A+B", "#REF!"]
NAMES = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "=E6", "@SUM(1)", "-2+3", "#N/A", "-530.74"]
TEAMS = ["@team", "-1", "+Team", "Team A", "Team A", "Team A", "Team A"]


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def files(folder: Path, ledger_ids=IDS) -> list[str]:
    ledger = ["payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"]
    ledger += [f"P{i},{quoted(c)},6222000011112222,2026-10-0{i + 1},{100 * (i + 1)}.00,5,5000"
               for i, c in enumerate(ledger_ids)]
    roster = ["collector_id,name,team,employee_id"]
    roster += [f"{quoted(c)},{quoted(n)},{quoted(t)},E{i}" for i, (c, n, t) in enumerate(zip(IDS, NAMES, TEAMS))]
    (folder / "plan.yaml").write_text(textwrap.dedent(PLAN).lstrip(), encoding="utf-8")
    (folder / "ledger.csv").write_text("\n".join(ledger) + "\n", encoding="utf-8")
    (folder / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    return ["--policy", folder / "plan.yaml", "--ledger", folder / "ledger.csv", "--roster", folder / "roster.csv",
            "--period", "2026-10"]


def listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def raw_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_hostile_names_and_unusual_ids_through_run_statements_explain_and_payroll(tmp_path):
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    inputs = files(tmp_path)
    before = listing(tmp_path)

    run = cli("run", *inputs, "--first-period", "--out", sandbox / "run")
    assert run.exit_code == 0, run.output
    statements = cli("statements", "--run", sandbox / "run", "--out", sandbox / "statements")
    assert statements.exit_code == 0, statements.output
    one = cli("statements", "--run", sandbox / "run", "--out", sandbox / "statements", "--collector", "x'y")
    assert one.exit_code == 0, one.output
    stranger = cli("statements", "--run", sandbox / "run", "--out", sandbox / "statements", "--collector", "../../x")
    assert stranger.exit_code == 2 and "'../../x' is not in the run for 2026-10" in stranger.output
    for collector in IDS:
        explain = cli("explain", "--run", sandbox / "run", "--collector", collector)
        assert explain.exit_code == 0 and collector in explain.output, explain.output
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("setup", "--single-operator", "--db", store).exit_code == 0
    created = cli("batch", "create", *inputs, "--first-period", "--out", sandbox / "batch", "--db", store)
    assert created.exit_code == 0, created.output
    for action in ("approve", "lock"):
        assert cli("batch", action, 1, "--db", store).exit_code == 0
    for kind in ("csv", "xlsx"):
        exported = cli("batch", "export", 1, "--format", kind, "--out", sandbox / f"pay.{kind}", "--db", store)
        assert exported.exit_code == 0, exported.output

    # nothing was written outside the sandbox but the store
    assert all(p in ("store.db", "sandbox") or p.startswith("sandbox/") for p in listing(tmp_path) - before)
    # statement files, named by hand: kept as written, or changed with the id's SHA-256 after '~'
    emoji, space, equals, quote, error = (hashlib.sha256(c.encode()).hexdigest()[:16] for c in IDS[1:5] + IDS[6:])
    assert sorted(p.name for p in (sandbox / "statements").iterdir()) == sorted([
        "催收员甲-2026-10.xlsx", f"_~{emoji}-2026-10.xlsx", f"a_b~{space}-2026-10.xlsx", f"C1_2~{equals}-2026-10.xlsx",
        f"x_y~{quote}-2026-10.xlsx", "A+B-2026-10.xlsx", f"_REF_~{error}-2026-10.xlsx", "statements.json"])
    for collector, name in zip(IDS, NAMES):
        path = file_in(sandbox / "statements", collector, "-2026-10.xlsx")
        title = load_workbook(path).worksheets[0]["B1"]
        assert (title.value, title.data_type) == (f"{name} ({collector})", "s")

    workbooks = sorted(sandbox.rglob("*.xlsx"))
    assert len(workbooks) == 2 + len(IDS) + 1  # payouts.xlsx of the run and the batch, statements, payroll
    for path in workbooks:
        assert formula_cells(path) == [], path
    payouts = load_workbook(sandbox / "run" / "payouts.xlsx").worksheets[0]
    cells = {cell.value: cell.data_type for row in payouts.iter_rows(min_row=2) for cell in row}
    assert all(cells[text] == "s" for text in [*IDS, *NAMES, *TEAMS[:3]])
    payroll = load_workbook(sandbox / "pay.xlsx")["Payroll"]
    assert "s" == {cell.value: cell.data_type for row in payroll.iter_rows() for cell in row}["#REF!"]

    # CSV: text a spreadsheet would run has a quote in front; numbers and other text are as written
    rows = raw_csv(sandbox / "run" / "payouts.csv")
    assert sorted((row["name"], row["team"]) for row in rows) == sorted([
        ("'=HYPERLINK(\"http://x\",\"y\")", "'@team"), ("'=cmd|' /C calc'!A0", "-1"), ("'=E6", "'+Team"),
        ("'@SUM(1)", "Team A"), ("'-2+3", "Team A"), ("#N/A", "Team A"), ("-530.74", "Team A")])
    assert {row["collector_id"] for row in raw_csv(sandbox / "pay.csv")} == set(IDS)


def test_the_payroll_files_neutralise_text_and_keep_numbers(tmp_path):
    """The payroll writer itself, given text the id grammar would refuse: defence in depth."""
    rows = pd.DataFrame({"employee_id": ["=E6", "@SUM(1)", "-2+3", "E4"], "collector_id": ["C1", "C2", "C3", "C4"],
                         "pay_code": ["commission"] * 4, "amount": [-53074, 100, 0, 5],
                         "period": ["2026-10"] * 4, "batch_id": [1] * 4})
    write_payroll(rows, tmp_path / "pay.csv", "csv", 2)
    written = raw_csv(tmp_path / "pay.csv")
    assert [(r["employee_id"], r["amount"]) for r in written] == [
        ("'=E6", "-530.74"), ("'@SUM(1)", "1.00"), ("'-2+3", "0.00"), ("E4", "0.05")]
    control = {r["item"]: r["value"] for r in raw_csv(tmp_path / "pay.control.csv")}
    assert (control["count"], control["total"], control["total commission"]) == ("4", "-529.69", "-529.69")
    write_payroll(rows, tmp_path / "pay.xlsx", "xlsx", 2)
    assert formula_cells(tmp_path / "pay.xlsx") == []
    sheet = load_workbook(tmp_path / "pay.xlsx")["Payroll"]
    assert [c.value for (c,) in sheet.iter_rows(min_row=2, max_row=5, max_col=1)] == ["=E6", "@SUM(1)", "-2+3", "E4"]


@pytest.mark.parametrize(("collector", "message"), [
    ("../../x", "contains '/', which would make it a path"),
    ("/tmp/abs/x", "contains '/', which would make it a path"),
    ("x" * 300, "is longer than 64 characters (300)"),
    ("=HYPERLINK(x)", "starts with '=', which a spreadsheet reads as a formula"),
])
def test_a_hostile_id_stops_the_run_and_nothing_is_written(tmp_path, collector, message):
    inputs = files(tmp_path, ledger_ids=[collector])
    before = listing(tmp_path.parent)
    result = cli("run", *inputs, "--first-period", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [f"{tmp_path / 'ledger.csv'}:row 2: collector_id: {message}",
                                          "error: 1 problem; nothing was written"]
    assert listing(tmp_path.parent) == before


#: Ids the grammar accepts may still hold quotes, formula characters (not first), dots, spaces inside,
#: CJK and emoji; names may hold anything printable.
ID_CHARACTERS = ["a", "Z", "7", ".", "_", " ", "=", "+", "-", "@", "'", '"', ",", "#", "!", "~", "催", "😀"]
NAME_CHARACTERS = ID_CHARACTERS + ["(", ")", "|", "/", "\\", "&", "<", ">"]
valid_ids = st.text(alphabet=st.sampled_from(ID_CHARACTERS), min_size=1, max_size=64).filter(
    lambda text: identifier_problem(text) is None)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(valid_ids, min_size=1, max_size=4, unique=True),
       st.lists(st.text(alphabet=st.sampled_from(NAME_CHARACTERS), max_size=30), min_size=4, max_size=4))
def test_any_valid_ids_and_names_stay_text_and_in_their_folders(tmp_path_factory, ids, names):
    folder = tmp_path_factory.mktemp("generated")
    ledger = ["payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"]
    ledger += [f"P{i},{quoted(c)},6222000011112222,2026-10-01,100.00,5,5000" for i, c in enumerate(ids)]
    roster = ["collector_id,name,team,employee_id"] + [f"{quoted(c)},{quoted(n)},{quoted(n)},E{i}"
                                                       for i, (c, n) in enumerate(zip(ids, names))]
    (folder / "plan.yaml").write_text(textwrap.dedent(PLAN).lstrip(), encoding="utf-8")
    (folder / "ledger.csv").write_text("\n".join(ledger) + "\n", encoding="utf-8")
    (folder / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    before = listing(folder)
    run = cli("run", "--policy", folder / "plan.yaml", "--ledger", folder / "ledger.csv", "--roster",
              folder / "roster.csv", "--period", "2026-10", "--first-period", "--out", folder / "out" / "run")
    assert run.exit_code == 0, run.output
    made = cli("statements", "--run", folder / "out" / "run", "--out", folder / "out" / "statements", "--jobs", 1)
    assert made.exit_code == 0, made.output
    assert all(p == "out" or p.startswith("out/") for p in listing(folder) - before)
    assert len(list((folder / "out" / "statements").glob("*.xlsx"))) == len(ids)
    for path in (folder / "out").rglob("*.xlsx"):
        assert formula_cells(path) == [], path
    for collector, name in zip(ids, names):
        title = load_workbook(file_in(folder / "out" / "statements", collector, "-2026-10.xlsx")).worksheets[0]["B1"]
        assert title.value == f"{name.strip(' ')} ({collector})".strip()
    for row in raw_csv(folder / "out" / "run" / "payouts.csv"):
        for column in ("collector_id", "name", "team"):
            assert not TRIGGER.match(row[column]) or PLAIN_NUMBER.fullmatch(row[column]), row
