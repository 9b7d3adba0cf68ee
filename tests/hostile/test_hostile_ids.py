"""Hostile ids and names at the door, and the file names made from ids.

Ids come from other systems and end up in file names, cells, the batch store and messages: each
is refused with file, row, column and what is wrong (never the raw id), or accepted exactly as
written. File names made from data never leave their folder and never collide.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.errors import InputError
from commission.identifiers import (ID_MAX_LENGTH, TEXT_MAX_LENGTH, identifier_problem, look_alike_message,
                                    text_problem)
from commission.inputs import load_events, load_ledger, load_period_values, load_roster
from commission.outputs.paths import MAX_NAME_BYTES, clash, file_in, safe_file_name

HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"

#: The hostile alphabet: path separators, dots, control and format characters, spaces of several
#: kinds, quotes, formula starters, CJK, an emoji, a combining accent, and plain letters.
HOSTILE = ["a", "Z", "7", "_", "-", ".", "/", "\\", "\x00", "\t", "\r", "\n", "\x1f", "\x7f", "\x85", "\u200b",
           "\u202e", "\u2066", "\ufeff", "\u2028", "\u2029", "\ufffe", "\uffff", " ", "\xa0", "\u3000", "=", "+",
           "@", "'", '"', ",", "#", "%", "&", "<", ">", "|", "~", "催", "收", "员", "😀", "\u0301", "é"]
hostile_text = st.text(alphabet=st.sampled_from(HOSTILE), max_size=80)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problems(load, *args) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(*args)
    return [str(p) for p in caught.value.problems]


# -- the grammar, one rule at a time ------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("../../x", "contains '/', which would make it a path"),
    ("/tmp/abs/x", "contains '/', which would make it a path"),
    ("C\\1", "contains '\\\\', which would make it a path"),
    ("x" * 300, "is longer than 64 characters (300)"),
    ("x" * 65, "is longer than 64 characters (65)"),
    ("C\x001", "has a control character (U+0000)"),
    ("C\t1", "has a control character (U+0009)"),
    ("C\r1", "has a control character (U+000D)"),
    ("\u202eC1", "has a control character (U+202E)"),
    ("C\u20281", "has a control character (U+2028)"),
    ("C1\ufffe", "has a control character (U+FFFE)"),
    ('=HYPERLINK("http://x","y")', "starts with '=', which a spreadsheet reads as a formula"),
    ("=cmd|' /C calc'!A0", "starts with '=', which a spreadsheet reads as a formula"),
    ("=E6", "starts with '=', which a spreadsheet reads as a formula"),
    ("@SUM(1)", "starts with '@', which a spreadsheet reads as a formula"),
    ("-2+3", "starts with '-', which a spreadsheet reads as a formula"),
    ("+86", "starts with '+', which a spreadsheet reads as a formula"),
    (" C1", "has spaces at the start or end"),
    ("C1 ", "has spaces at the start or end"),
    ("\u3000C1", "has spaces at the start or end"),
    ("a\xa0b", "has a U+00A0 space, which looks like a plain one; only the plain space may be inside an id"),
    ("王\u3000芳", "has a U+3000 space, which looks like a plain one; only the plain space may be inside an id"),
    ("a\u202fb", "has a U+202F space, which looks like a plain one; only the plain space may be inside an id"),
    ("a  b", "has two spaces in a row, which look like one"),
    (".", "is '.', which names a folder"),
    ("..", "is '..', which names a folder"),
    ("", "is empty"),
    ("\ud800", "is not valid Unicode text"),
])
def test_an_id_is_refused_saying_what_is_wrong(text, message):
    assert identifier_problem(text) == message


@pytest.mark.parametrize("text", ["C1", "催收员甲", "😀", "王芳-01", "x" * 64, "a b", ".x", "...", "a.b", "C1=2",
                                  "A+B", "#1", "'quoted'", "e\u0301", "a@b.com"])
def test_an_id_is_accepted_as_written(text):
    assert identifier_problem(text) is None


def test_free_text_refuses_control_characters_and_length_only():
    assert text_problem("=SUM(1) / Team A, 催收") is None
    assert text_problem("Wang\u202eFang") == "has a control character (U+202E)"
    assert text_problem("x" * 201) == f"is longer than {TEXT_MAX_LENGTH} characters (201)"


def expected_problem(text: str):
    """The grammar written out again with Python's own Unicode tables, as an independent oracle."""
    if not text:
        return "is empty"
    if len(text) > ID_MAX_LENGTH:
        return "bad"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in "\ufffe\uffff" for c in text):
        return "bad"
    if unicodedata.category(text[0]) == "Zs" or unicodedata.category(text[-1]) == "Zs":
        return "bad"
    if any(unicodedata.category(c) == "Zs" and c != " " for c in text) or "  " in text:
        return "bad"
    if text[0] in "=+-@" or "/" in text or "\\" in text or text in (".", ".."):
        return "bad"
    return None


@settings(max_examples=400, deadline=None)
@given(st.one_of(hostile_text, st.text(alphabet=st.sampled_from(HOSTILE), min_size=60, max_size=70)))
def test_the_grammar_matches_its_description(text):
    found = identifier_problem(text)
    expected = expected_problem(text)
    assert (found is None) == (expected is None), (text, found)
    if found is not None:
        assert found.isprintable(), found  # one line: any character it names is escaped


# -- at the door: every id column of every input, with file and row -----------------------------

def test_ledger_ids_are_refused_with_file_row_and_column(tmp_path):
    path = write(tmp_path, "ledger.csv", f"""
        {HEADER},reverses
        P1,../../x,6222000011112222,2026-10-03,10.00,5,100,
        P2,C1,6222/00011112222,2026-10-03,10.00,5,100,
        "=HYPERLINK(""http://x"",""y"")",C1,6222000011112222,2026-10-03,10.00,5,100,
        P4,{"x" * 300},6222000011112222,2026-10-03,10.00,5,100,
        P5,C1,6222000011112222,2026-10-03,-10.00,5,100,@SUM(1)
        P6, C1,6222000011112222,2026-10-03,10.00,5,100,
        P7,\u202eC1,6222000011112222,2026-10-03,10.00,5,100,
        """)
    found = problems(load_ledger, [path], 2)
    assert found == [
        f"{path}:row 4: payment_id: starts with '=', which a spreadsheet reads as a formula",
        f"{path}:row 2: collector_id: contains '/', which would make it a path",
        f"{path}:row 5: collector_id: is longer than 64 characters (300)",
        f"{path}:row 7: collector_id: has spaces at the start or end",
        f"{path}:row 8: collector_id: has a control character (U+202E)",
        f"{path}:row 3: account_id: contains '/', which would make it a path",
        f"{path}:row 6: reverses: starts with '@', which a spreadsheet reads as a formula",
    ]
    assert not any("6222/000" in p for p in found), "an account number never shows in a message"


def test_nul_in_an_id_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(f"{HEADER}\nP1,C\x001,6222000011112222,2026-10-03,10.00,5,100\n".encode())
    assert problems(load_ledger, [path], 2) == [f"{path}:row 2: collector_id: has a control character (U+0000)"]


def test_cjk_and_emoji_ids_are_accepted_exactly(tmp_path):
    path = write(tmp_path, "ledger.csv", f"""
        {HEADER}
        付款1,催收员甲,6222000011112222,2026-10-03,10.00,5,100
        P😀,😀,6222000011113333,2026-10-03,20.00,5,100
        """)
    frame = load_ledger([path], 2).frame
    assert list(frame["payment_id"]) == ["P😀", "付款1"]
    assert list(frame["collector_id"]) == ["😀", "催收员甲"]


def test_roster_ids_names_and_teams(tmp_path):
    path = write(tmp_path, "roster.csv", """
        collector_id,name,team,employee_id,manager_id,plan
        C1,  王芳  ,Team A,E1,,
        C2,李强,Team A,=E6,C1,plan-a
        C3,"Zhang\u202eSan",Team B,E3,C1 ,
        C4,Li,"""+"t" * 201+""",E4,,-x
        """)
    found = set(problems(load_roster, path))
    assert found == {
        f"{path}:row 3: employee_id: starts with '=', which a spreadsheet reads as a formula",
        f"{path}:row 4: manager_id: has spaces at the start or end",
        f"{path}:row 4: manager_id: 'C1 ' is not a collector on the roster",
        f"{path}:row 5: plan: starts with '-', which a spreadsheet reads as a formula",
        f"{path}:row 4: name: has a control character (U+202E)",
        f"{path}:row 5: team: is longer than 200 characters (201)",
    }


def test_a_roster_name_is_trimmed_and_blank_optional_ids_are_empty(tmp_path):
    path = write(tmp_path, "roster.csv", """
        collector_id,name,team,employee_id,manager_id,plan
        C1,  王芳  ,Team A,E1,,
        C2,=SUM(1),Team A,E2,C1,
        """)
    frame = load_roster(path).frame
    assert list(frame["name"]) == ["王芳", "=SUM(1)"]  # free text: it is the writers' job to keep it text
    assert list(frame["manager_id"]) == ["", "C1"] and list(frame["plan"]) == ["", ""]


def roster_xlsx(path: Path, names: list) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["collector_id", "name", "team", "employee_id", "phone"])
    for i, name in enumerate(names, start=1):
        workbook.active.append([f"C{i}", name, "Team A", f"E{i}", "=1+1"])
    workbook.save(path)
    return path


def test_an_xlsx_name_that_is_a_formula_with_no_saved_value_is_refused_and_nothing_is_written(tmp_path):
    """A workbook written by a program and never opened in Excel saves no value for its formulas: the
    name used to read as '' (the unread phone column's formulas are no one's business)."""
    roster = roster_xlsx(tmp_path / "roster.xlsx", ["Li", '=A3&" Wang"'])
    ledger = write(tmp_path, "ledger.csv", f"""
        {HEADER}
        P1,C1,6222000011112222,2026-10-03,10.00,5,100
        """)
    (tmp_path / "plan.yaml").write_text("plan: flat\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\n"
                                        "components:\n  - id: base\n    kind: line_rate\n    rates:\n"
                                        "      - {rate: 5%}\n", encoding="utf-8")
    from click.testing import CliRunner

    from commission.cli import main
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger", str(ledger),
                                       "--roster", str(roster), "--period", "2026-10", "--out", str(out),
                                       "--first-period"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f'{roster}:row 3: name: the cell holds a formula (=A3&" Wang") with no saved value; give its value instead',
        "error: 1 problem; nothing was written"]
    assert not out.exists()


def test_an_xlsx_formula_with_a_saved_value_reads_as_that_value(tmp_path):
    path = roster_xlsx(tmp_path / "saved.xlsx", ["Li", '=A3&" Wang"'])
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert parts[sheet].count(b"<v></v>") == 3
    parts[sheet] = parts[sheet].replace(b'<c r="B3"><f>A3&amp;" Wang"</f><v></v>',
                                        b'<c r="B3" t="str"><f>A3&amp;" Wang"</f><v>C2 Wang</v>')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert list(load_roster(path).frame["name"]) == ["Li", "C2 Wang"]


def test_a_side_file_formula_with_no_saved_value_is_refused_in_the_columns_read_only(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["collector_id", "period", "target", "note"], ["C1", "2026-10", "=100*12", "=B2"],
                ["C2", "2026-10", 1500, "=B3"]):
        workbook.active.append(row)
    workbook.save(tmp_path / "targets.xlsx")
    assert problems(load_period_values, tmp_path / "targets.xlsx", "targets", "target", 2) == [
        f"{tmp_path / 'targets.xlsx'}:row 2: target: the cell holds a formula (=100*12) with no saved value; give its "
        "value instead"]


def test_a_tab_or_line_break_around_a_name_is_refused_not_trimmed(tmp_path):
    csv = tmp_path / "roster.csv"
    csv.write_text('collector_id,name,team,employee_id\nC1,"\tLi",Team A,E1\nC2,  Wang  ,"Team B\n",E2\n',
                   encoding="utf-8")
    assert problems(load_roster, csv) == [f"{csv}:row 2: name: has a control character (U+0009)",
                                          f"{csv}:row 3: team: has a control character (U+000A)"]
    xlsx = roster_xlsx(tmp_path / "roster.xlsx", ["Li", "\tWang"])
    xlsx_problems = problems(load_roster, xlsx)
    assert xlsx_problems == [f"{xlsx}:row 3: name: has a control character (U+0009)"]


LOOKS_PLAIN = "has a U+00A0 space, which looks like a plain one; only the plain space may be inside an id"


def test_ids_that_look_like_another_are_refused_in_every_input(tmp_path):
    """"a\u00a0b" and "a b" used to be two collectors that print alike; "a  b" too."""
    ledger = write(tmp_path, "ledger.csv", f"""
        {HEADER}
        P1,a\xa0b,6222000011112222,2026-10-03,10.00,5,100
        P2,a b,6222000011112222,2026-10-03,10.00,5,100
        P3,a  b,6222\u3000000011112222,2026-10-03,10.00,5,100
        """)
    assert problems(load_ledger, [ledger], 2) == [
        f"{ledger}:row 2: collector_id: {LOOKS_PLAIN}",
        f"{ledger}:row 4: collector_id: has two spaces in a row, which look like one",
        f"{ledger}:row 4: account_id: {LOOKS_PLAIN.replace('00A0', '3000')}"]
    roster = write(tmp_path, "roster.csv", """
        collector_id,name,team,employee_id,manager_id
        a b,Li,Team A,E\xa01,
        C2,Wang,Team A,E2,a\u2009b
        """)
    assert problems(load_roster, roster) == [
        f"{roster}:row 2: employee_id: {LOOKS_PLAIN}",
        f"{roster}:row 3: manager_id: {LOOKS_PLAIN.replace('00A0', '2009')}",
        f"{roster}:row 3: manager_id: 'a\\u2009b' is not a collector on the roster"]
    targets = write(tmp_path, "targets.csv", """
        collector_id,period,target
        a\xa0b,2026-10,100.00
        """)
    assert problems(load_period_values, targets, "targets", "target", 2) == [
        f"{targets}:row 2: collector_id: {LOOKS_PLAIN}"]


@pytest.mark.parametrize("partitions", [[], ["--partitions", "2"]])
def test_collector_ids_one_id_once_normalised_are_refused_across_files(tmp_path, partitions):
    """A full-width 'Ｃ1' and a decomposed 'é' print as 'C1' and 'é': they used to be paid as other collectors."""
    (tmp_path / "ledgers").mkdir()
    september = write(tmp_path / "ledgers", "2026-09.csv", f"""
        {HEADER}
        P1,C1,6222000011112222,2026-09-03,10.00,5,100
        P2,e\u0301,6222000011112222,2026-09-03,10.00,5,100
        """)
    october = write(tmp_path / "ledgers", "2026-10.csv", f"""
        {HEADER}
        P3,C2,6222000011112222,2026-10-03,10.00,5,100
        P4,\uff231,6222000011112222,2026-10-03,10.00,5,100
        P5,\xe9,6222000011112222,2026-10-04,10.00,5,100
        """)
    (tmp_path / "plan.yaml").write_text("plan: flat\nversion: 1\neffective: 2026-01-01\ncurrency: CNY\n"
                                        "components:\n  - id: base\n    kind: line_rate\n    rates:\n"
                                        "      - {rate: 5%}\n", encoding="utf-8")
    from click.testing import CliRunner

    from commission.cli import main
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                       str(tmp_path / "ledgers"), "--period", "2026-10", "--out", str(out),
                                       "--first-period", *partitions])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{october}:row 3: collector_id: '\uff231' looks the same as 'C1' ({september}:row 2) but is written with "
        "other Unicode characters ('\\uff231', not 'C1'); write one id one way",
        f"{october}:row 4: collector_id: '\xe9' looks the same as 'e\u0301' ({september}:row 3) but is written "
        "with other Unicode characters ('\\xe9', not 'e\\u0301'); write one id one way",
        "error: 2 problems; nothing was written"]
    assert not out.exists()


def test_roster_ids_one_id_once_normalised_are_refused(tmp_path):
    roster = write(tmp_path, "roster.csv", """
        collector_id,name,team,employee_id
        C1,Li,Team A,E\uff11
        \uff23\uff11,Wang,Team A,E1
        """)
    assert problems(load_roster, roster) == [
        f"{roster}:row 3: collector_id: '\uff23\uff11' looks the same as 'C1' (row 2) but is written with other "
        "Unicode characters ('\\uff23\\uff11', not 'C1'); write one id one way",
        f"{roster}:row 3: employee_id: 'E1' looks the same as 'E\uff11' (row 2) but is written with other Unicode "
        "characters ('E1', not 'E\\uff11'); write one id one way"]


def test_targets_and_events_ids(tmp_path):
    targets = write(tmp_path, "targets.csv", """
        collector_id,period,target
        C1/2,2026-10,100.00
        """)
    assert problems(load_period_values, targets, "targets", "target", 2) == [
        f"{targets}:row 2: collector_id: contains '/', which would make it a path"]
    events = write(tmp_path, "events.csv", """
        event_id,collector_id,date,type,severity
        ..,C1,2026-10-01,complaint,minor
        E2,C1,2026-10-01,complaint,"mi\u2066nor"
        """)
    assert problems(load_events, events) == [
        f"{events}:row 2: event_id: is '..', which names a folder",
        f"{events}:row 3: severity: has a control character (U+2066)",
        f"{events}:row 3: severity: 'mi\\u2066nor' is not a severity (minor, major, serious, or blank)",
    ]


#: Unicode's White_Space characters, written out from the Unicode data (what a blank cell may hold);
#: Python's str.strip() also strips the control characters U+001C..U+001F, which are refused instead.
UNICODE_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(hostile_text, min_size=1, max_size=20))
def test_the_column_check_agrees_with_the_grammar(tmp_path, ids):
    """Every collector_id cell the loader refuses is one the grammar refuses, at its row, and none else."""
    path = tmp_path / "ledger.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = len(ids)
    pq.write_table(pa.table({"payment_id": [f"P{i}" for i in range(count)], "collector_id": ids,
                             "account_id": ["6222000011112222"] * count, "payment_date": ["2026-10-03"] * count,
                             "amount": ["1.00"] * count, "days_past_due": ["5"] * count,
                             "balance": ["100"] * count}), path)
    blank = [i for i, text in enumerate(ids) if not text.strip(UNICODE_WHITE_SPACE)]  # only white space: blank
    expected = {f"{path}:row {i + 1}: collector_id: " + ("is empty" if i in blank else identifier_problem(text))
                for i, text in enumerate(ids) if i in blank or expected_problem(text)}
    if not expected:  # every id good alone: those one id once NFKC-normalised are refused together
        rows, seen = {}, {}
        for i, text in enumerate(ids):
            rows.setdefault(text, i)
        for text, i in rows.items():
            if (other := seen.setdefault(unicodedata.normalize("NFKC", text), text)) != text:
                expected.add(f"{path}:row {i + 1}: collector_id: "
                             + look_alike_message(text, other, f"{path}:row {rows[other] + 1}"))
    try:
        load_ledger([path], 2)
        found = set()
    except InputError as error:
        found = {str(p) for p in error.problems}
    assert found == expected


# -- file names made from data ------------------------------------------------------------------

def test_statement_file_names_by_hand():
    digest = hashlib.sha256(b"../../x").hexdigest()[:16]
    assert safe_file_name("../../x", "-2026-10.xlsx") == f"_._.._x~{digest}-2026-10.xlsx"
    digest = hashlib.sha256(b"/tmp/abs/x").hexdigest()[:16]
    assert safe_file_name("/tmp/abs/x", "-2026-10.xlsx") == f"_tmp_abs_x~{digest}-2026-10.xlsx"
    assert safe_file_name("C1", "-2026-10.xlsx") == "C1-2026-10.xlsx"
    assert safe_file_name("催收员甲", "-2026-10.xlsx") == "催收员甲-2026-10.xlsx"
    assert safe_file_name("plan-a+b", "-v1.yaml") == "plan-a+b-v1.yaml"  # every plan id keeps its name
    digest = hashlib.sha256("😀".encode()).hexdigest()[:16]
    assert safe_file_name("😀", "-2026-10.xlsx") == f"_~{digest}-2026-10.xlsx"
    digest = hashlib.sha256(b"con").hexdigest()[:16]
    assert safe_file_name("con", ".yaml") == f"con~{digest}.yaml"  # a Windows device name


def test_a_long_name_is_cut_to_the_byte_limit_and_stays_unique():
    a, b = "催" * 64, "催" * 63 + "收"
    name_a, name_b = safe_file_name(a, "-2026-Q4.xlsx"), safe_file_name(b, "-2026-Q4.xlsx")
    assert len(name_a.encode()) <= MAX_NAME_BYTES and len(name_b.encode()) <= MAX_NAME_BYTES
    assert name_a != name_b and name_a.endswith(hashlib.sha256(a.encode()).hexdigest()[:16] + "-2026-Q4.xlsx")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(hostile_text, st.text(alphabet=st.sampled_from(HOSTILE), min_size=150, max_size=300)))
def test_a_file_made_from_any_text_stays_in_its_folder(tmp_path, text):
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    path = file_in(folder, text, "-2026-10.xlsx")
    assert path.parent == folder and len(path.name.encode()) <= MAX_NAME_BYTES
    assert not path.name.startswith(".") and "\x00" not in path.name
    path.write_bytes(b"x")  # the file system takes it, and it lands in the folder
    assert [p.name for p in folder.iterdir()] == [path.name]
    assert path.resolve().parent == folder.resolve()
    path.unlink()


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text, unique=True, min_size=2, max_size=30))
def test_two_ids_never_share_a_file_name(ids):
    names = [safe_file_name(text, "-2026-10.xlsx") for text in ids]
    assert len(set(names)) == len(ids)


def test_names_one_file_where_case_is_ignored():
    assert clash(["C1-2026-10.xlsx", "c1-2026-10.xlsx"]) == ("C1-2026-10.xlsx", "c1-2026-10.xlsx")
    assert clash(["é-2026-10.xlsx", "e\u0301-2026-10.xlsx"]) is not None  # macOS normalises Unicode
    assert clash(["C1-2026-10.xlsx", "C2-2026-10.xlsx"]) is None


def test_a_file_name_that_would_leave_its_folder_is_refused(tmp_path, monkeypatch):
    """Defence in depth: even a broken mapping cannot produce a path outside the folder."""
    from commission.outputs import paths

    for name in ("../x", "/tmp/x", "a/b", "..", "."):
        monkeypatch.setattr(paths, "safe_file_name", lambda text, suffix="", name=name: name)
        with pytest.raises(RuntimeError, match="would leave"):
            paths.file_in(tmp_path, "x")
    assert os.listdir(tmp_path) == []
