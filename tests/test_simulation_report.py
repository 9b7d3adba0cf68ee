"""The comparison's files: charts that draw Chinese (or say in one line why they cannot), a workbook with
native Excel charts that opens on its Summary and prints each chart on a page, text that never becomes a
formula, the same bytes when written again, and an HTML page whose `lang` is the report's language."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from commission.app.inputs import InputPaths
from commission.app.simulation import SimulationRequest, load_simulation
from commission.cli import main
from commission.simulation import build_comparison, charts, fonts
from commission.simulation.report_files import write_comparison

from test_simulation import LEDGER, PLAN_A, PLAN_B

ROSTER = """\
collector_id,name,team,employee_id,plan
C1,=HYPERLINK("http://example.invalid"),Team A,E1,plan-a
C2,欧阳堃玥,Team A,E2,plan-b
C3,Collector Three,Team B,E3,plan-a
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "today").mkdir()
    for name, text in (("ledger.csv", LEDGER), ("roster.csv", ROSTER), ("today/a.yaml", PLAN_A),
                       ("today/b.yaml", PLAN_B), ("b.yaml", PLAN_B)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def comparison(files):
    loaded = load_simulation(SimulationRequest(InputPaths(policies=[files / "today"], ledgers=[files / "ledger.csv"],
                                                          roster=files / "roster.csv"), candidates=[files / "b.yaml"]))
    return build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of, notes=loaded.notes)


@pytest.fixture
def no_chinese_font(monkeypatch, tmp_path):
    """A machine with no Chinese font at all: the shipped one missing, and none installed."""
    monkeypatch.setattr(fonts, "BUNDLED", tmp_path / "missing.otf")
    monkeypatch.setattr(fonts, "system_cjk_files", lambda: [])
    fonts.cjk_fonts.cache_clear()
    yield
    fonts.cjk_fonts.cache_clear()


def glyphs(figure) -> set[str]:
    """The fonts whose glyphs a figure draws: SVG with text as paths names each glyph <font>-<glyph index>."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "path", "svg.hashsalt": "test"}):
        figure.savefig(buffer, format="svg")
    plt.close(figure)
    return set(re.findall(r'<path id="([A-Za-z0-9-]+?)-[0-9a-f]+"', buffer.getvalue()))


# -- charts in Chinese ---------------------------------------------------------------------------------

def test_zh_charts_draw_chinese_glyphs(comparison):
    for name, draw in charts.CHARTS.items():
        figure = draw(comparison, "zh")
        if figure is None:
            continue
        texts = "".join(charts.figure_texts(figure))
        assert re.search(r"[\u4e00-\u9fff]", texts), name  # the labels are Chinese...
        assert "CommissionSansSC-Regular" in glyphs(figure), name  # ...and drawn with a Chinese font


def test_the_shipped_font_draws_every_label_without_any_font_installed(comparison, monkeypatch):
    monkeypatch.setattr(fonts, "system_cjk_files", lambda: [])
    fonts.cjk_fonts.cache_clear()
    try:
        assert [family for family, _ in fonts.cjk_fonts()] == ["Commission Sans SC"]
        pngs, warning = charts.render_all(comparison, "en+zh")
        assert warning is None and "payout_curves.png" in pngs
    finally:
        fonts.cjk_fonts.cache_clear()


def test_without_a_chinese_font_one_line_says_so_and_what_to_install(files, tmp_path, no_chinese_font):
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "today"), "--candidate",
                                       str(files / "b.yaml"), "--ledger", str(files / "ledger.csv"), "--roster",
                                       str(files / "roster.csv"), "--lang", "zh", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "cannot be drawn" in line]
    assert len(lines) == 1
    assert "no Chinese font found" in lines[0] and "apt-get install fonts-noto-cjk" in lines[0]
    assert lines[0] in (tmp_path / "out" / "lint.txt").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "charts" / "cost_by_period.png").is_file()  # the charts are still drawn


def test_english_charts_need_no_chinese_font(files, tmp_path, no_chinese_font):
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "today"), "--candidate",
                                       str(files / "b.yaml"), "--ledger", str(files / "ledger.csv"), "--roster",
                                       str(files / "roster.csv"), "--lang", "en", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "cannot be drawn" not in result.output


def test_a_character_outside_every_font_is_named():
    assert fonts.missing_characters(["提成 cost", "\U000f0000"]) == ["\U000f0000"]
    assert "1 character(s) cannot be drawn" in fonts.missing_glyphs_warning(["\U000f0000"])
    assert fonts.missing_glyphs_warning([]) is None


def test_charts_are_the_same_bytes_every_time(comparison):
    first, _ = charts.render_all(comparison, "en+zh")
    again, _ = charts.render_all(comparison, "en+zh")
    assert first == again


def test_the_payout_curve_says_what_mix_it_assumes_and_the_real_totals(comparison):
    # payments in the two months: M1 1,300.00, M2 800.00, M4-6 500.00, M7+ 2,000.00 of 4,600.00
    figure = charts.payout_curves(comparison, "en")
    texts = charts.figure_texts(figure)
    plt.close(figure)
    title = next(t for t in texts if t.startswith("a typical collector"))
    assert "M1 28%, M2 17%, M4-6 11%, M7+ 43%" in " ".join(title.split())
    assert any(t.startswith("today: plan-a v1 — 2 collectors, total 195.00") for t in texts)
    assert any(t.startswith("plan-b v1 — total 426.00 (-9.00)") for t in texts)
    assert any("own mix and level" in t for t in texts)


# -- the workbook ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(comparison, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("written")
    write_comparison(comparison, folder / "zh", "zh")
    write_comparison(comparison, folder / "again", "zh")
    write_comparison(comparison, folder / "en", "en")
    return folder


def test_the_workbook_opens_on_its_summary(written):
    workbook = load_workbook(written / "zh" / "comparison.xlsx")
    assert workbook.sheetnames[0] == "汇总" and workbook.active.title == "汇总"
    summary = workbook["汇总"]
    assert summary["A1"].value.startswith("提成方案对比: 2026-10 .. 2026-11")
    assert [summary.cell(5, c).value for c in (1, 2, 3)] == ["现行", 4600, 435]
    assert [summary.cell(6, c).value for c in (1, 2, 3)] == ["plan-b v1", 4600, 426]


def test_the_charts_are_native_excel_charts_on_pages_of_their_own(written):
    with zipfile.ZipFile(written / "zh" / "comparison.xlsx") as book:
        names = book.namelist()
        charts_xml = [book.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
        sheets_xml = [book.read(n).decode() for n in names if n.startswith("xl/chartsheets/sheet")]
    assert not [n for n in names if n.startswith("xl/media/")]  # no pasted pictures
    assert len(charts_xml) == 3 and len(sheets_xml) == 3  # cost by period, cost by bucket, payout curves
    assert any("<c:barChart>" in c and "<c:lineChart>" in c for c in charts_xml)  # cost, and cost-to-collect
    curves = next(c for c in charts_xml if "<c:scatterChart>" in c)
    assert '<c:smooth val="1"/>' not in curves  # straight lines between the points: jumps stay jumps
    assert all('orientation="landscape"' in s and 'paperSize="9"' in s for s in sheets_xml)
    workbook = load_workbook(written / "zh" / "comparison.xlsx")
    assert [s.title for s in workbook.chartsheets] == ["图 各期成本", "图 按逾期阶段", "图 提成曲线"]
    order = workbook.sheetnames
    assert order.index("图 各期成本") == order.index("各期成本") + 1  # each chart right after its table
    assert order[-1] == "图表数据"


def test_tables_print_one_page_wide(written):
    with zipfile.ZipFile(written / "en" / "comparison.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet4.xml").decode()
    assert '<pageSetUpPr fitToPage="1"/>' in sheet and 'fitToHeight="0"' in sheet
    assert 'orientation="landscape"' in sheet


def test_text_is_never_a_formula(written):
    workbook = load_workbook(written / "en" / "comparison.xlsx")
    sheet = workbook["Per collector"]
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    with zipfile.ZipFile(written / "en" / "comparison.xlsx") as book:
        assert not any("<f>" in book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))


def test_the_workbook_is_the_same_bytes_when_written_again(written):
    assert (written / "zh" / "comparison.xlsx").read_bytes() == (written / "again" / "comparison.xlsx").read_bytes()
    assert (written / "zh" / "comparison.html").read_bytes() == (written / "again" / "comparison.html").read_bytes()


def test_html_lang_is_the_reports_language(written):
    assert '<html lang="zh-CN">' in (written / "zh" / "comparison.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (written / "en" / "comparison.html").read_text(encoding="utf-8")


def test_lint_txt_lists_every_warning(written):
    text = (written / "en" / "lint.txt").read_text(encoding="utf-8")
    assert text.startswith("Health check of the plans compared: 2 warning(s), 0 silenced; 0 engine warning(s)")
    assert text.count("warning no-conduct-effect") == 2  # plan A and plan B, once each


def test_the_notes_name_options_as_the_cli_does_never_as_a_marker(files, tmp_path):
    """Without --state, balances start from zero: the About sheet and the page say which option starts
    them from a run's, by its flag."""
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "today"), "--candidate",
                                       str(files / "b.yaml"), "--ledger", str(files / "ledger.csv"), "--roster",
                                       str(files / "roster.csv"), "--lang", "en", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    about = [row for row in load_workbook(tmp_path / "out" / "comparison.xlsx")["About"].iter_rows(values_only=True)]
    texts = [str(cell) for row in about for cell in row if cell is not None]
    assert ("balances (holdbacks, carried negatives, draws) start from zero in the first month simulated and carry "
            "from month to month (give --state to start from the balances a run left)") in texts
    page = (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert "give --state to start from" in page
    assert not [text for text in texts if "<<" in text] and "&lt;&lt;" not in page and "<<" not in page
