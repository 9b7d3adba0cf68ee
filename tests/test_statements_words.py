"""What a collector reads first, in words: read the workbooks back and check the hand-worked sentences
and amounts, that no rule id and no English word is left in a Chinese statement, and the numeric
types. The run is test_statements' October (C1: 95.00 net, worked by hand there)."""

import re
from decimal import Decimal

import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from commission.cli import main
from commission.outputs.sheet_rows import fraction_text
from test_statements import EVENTS, PLAN, run_october

#: Ids and codes a statement may show as they are: collectors, payments, accounts, buckets, the plan, the
#: currency, the team, and the i18n format of numbers, dates and percentages.
IDS = r"\b(C1|C2|E1|E7|P1|P2|P3|R1|M1|M2\+|statement-demo|v1|CNY|Team A)\b|\*{4}\d{4}"
RULE_IDS = ("early", "late", "v0", "v2", "volume", "base", "conduct", "complaint/minor", "#", ":complaint")


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    return run_october(tmp_path_factory.mktemp("words"), events=EVENTS)


@pytest.fixture(scope="module")
def books(october):
    """C1's statement in Chinese and in English, read back."""
    run, folder = october, october.parent
    out = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(main, ["statements", "--run", str(run), "--lang", lang, "--collector", "C1",
                                           "--out", str(folder / lang)])
        assert result.exit_code == 0, result.output
        out[lang] = load_workbook(folder / lang / "C1-2026-10.xlsx")
    return out


def texts(workbook, sheets=None) -> list[str]:
    return [cell.value for sheet in workbook.worksheets[:sheets] for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)]


def rows(workbook) -> list[tuple]:
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_first_rows_answer_what_when_and_for_whom(books):
    first = rows(books["zh"])[:9]
    assert first[0][:2] == ("提成对账单", "王芳 (C1)")
    assert first[1][0] == "实发金额" and Decimal(str(first[1][1])) == Decimal("95.00") and first[1][2] == "CNY"
    assert [row[:2] for row in first[2:9]] == [
        ("发放日期", "尚未确定"), ("期间", "2026-10"), ("状态", "试算，未进入发放批次"), ("对账单编号", "2026-10-C1"),
        ("工号", "E1"), ("团队", "Team A"), ("提成方案", "statement-demo v1")]
    assert isinstance(first[1][1], (int, float))  # a number, not text


def test_how_the_pay_was_made_in_sentences_that_add_up_to_the_net_pay(books):
    """By hand: 4 repayments (P1, P2, P3, R1) recovering 1,500.00 earn 110.00; the tier from 1,000.00 to
    5,000.00 pays 1% of 500.00 = 5.00; the complaint E7 takes 20.00: 95.00."""
    table = rows(books["zh"])
    start = table.index(("提成如何计算", None, None, None, None, None)) + 2
    made = [(row[0], Decimal(str(row[1])), row[2]) for row in table[start:start + 5]]
    assert made == [
        ("回款提成：3 笔回款减 1 笔冲回，净额 1,500.00，每笔按所属逾期阶段比例计提（见回款明细）", Decimal("110.00"), "提成"),
        ("阶梯提成第 1 档（0.00 至 1,000.00）：1,000.00 × 0%", Decimal("0.00"), "提成"),
        ("阶梯提成第 2 档（1,000.00 至 5,000.00）：500.00 × 1%", Decimal("5.00"), "提成"),
        ("合规扣罚：2026-10-12 轻微投诉，从回款提成中扣除", Decimal("-20.00"), "提成"),
        ("实发金额（以上金额合计）", Decimal("95.00"), None)]
    assert sum(amount for _, amount, _ in made[:4]) == made[4][1]


def test_what_was_lost_says_how_much_and_when(books):
    """The complaint took 20.00 on 2026-10-12; R1 reversed 200.00 of P1 on 2026-10-20: 5% of it, 10.00."""
    table = rows(books["en"])
    start = table.index(("Held back, forfeited, reduced or clawed back", None, None, None, None, None))
    assert table[start + 1] == ("What", "Not paid now", "Kind", "Event date", "Source", "Description")
    lost = [(row[0], Decimal(str(row[1])), row[2], row[3]) for row in table[start + 2:start + 4]]
    assert lost == [
        ("Conduct: minor complaint on 2026-10-12: deducted from Commission on repayments", Decimal("20.00"),
         "reduced", "2026-10-12"),
        ("payment P1 reversed (bounced) on 2026-10-20; already taken off the commission above",
         Decimal("10.00"), "clawed back", "2026-10-20")]


def test_progress_uses_the_one_ratio_rule(books):
    """1,500.00 recovered; the 2% tier starts at 5,000.00: 3,500.00 more."""
    assert "阶梯提成：再回款 3,500.00 可达第 3 档（2.00%）" in texts(books["zh"], 1)
    assert "Tier commission: recover 3,500.00 more to reach tier 3 (2.00%)" in texts(books["en"], 1)


def test_no_rule_id_and_no_english_word_in_the_chinese_statement(books):
    words = texts(books["zh"])
    for text in words:
        assert not any(rule in text for rule in RULE_IDS if rule not in ("v1",)), text
        left = re.sub(IDS, "", text)
        assert not re.search(r"[A-Za-z]{2,}", left), text  # English left beyond ids and numbers
    for text in texts(books["en"], 1):  # the English first sheet names rules by their labels too
        assert not any(rule in text for rule in ("early", "late", "v0", "#", ":complaint")), text


def test_numbers_are_numbers_and_fonts_are_named(books):
    summary, detail = books["zh"].worksheets[:2]
    amounts = [row[1] for row in summary.iter_rows(min_row=2) if row[1].value is not None
               and not isinstance(row[1].value, str)]
    assert amounts and all(cell.data_type == "n" for cell in amounts)
    for row in detail.iter_rows(min_row=2):
        for cell in row:
            assert cell.font.name == "Microsoft YaHei" and cell.font.charset == 134
            if cell.column_letter in "FGHJ" and cell.value is not None and not isinstance(cell.value, str):
                assert cell.data_type == "n"
    assert summary["A1"].font.name == "Microsoft YaHei"


@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False))
def test_a_rate_becomes_its_exact_fraction(rate):
    """"12.5%" is written as 0.125, never through a float: any rate with up to 4 decimals."""
    text = format(rate, "f")
    (value,) = fraction_text(pa.array([text + "%"])).to_pylist()
    assert Decimal(value) == rate / 100
    (share,) = fraction_text(pa.array([text])).to_pylist()
    assert Decimal(share) == rate


#: test_statements' plan with labels of its own on the line-rate and tier components.
LABELLED = PLAN.replace("    kind: line_rate\n",
                        "    kind: line_rate\n    label: {en: Recovery commission, zh: 回款佣金}\n") \
    .replace("    kind: tiers\n", "    kind: tiers\n    label: {en: Volume bonus, zh: 冲量奖}\n")


def test_a_plan_names_its_rules_in_each_language(tmp_path):
    """The plan's labels replace the defaults in the statement and in explain; 1,500.00 recovered: the
    1% tier pays 500.00 x 1% = 5.00."""
    run = run_october(tmp_path, LABELLED, events=EVENTS)
    result = CliRunner().invoke(main, ["statements", "--run", str(run), "--lang", "zh", "--collector", "C1",
                                       "--out", str(tmp_path / "st")])
    assert result.exit_code == 0, result.output
    words = texts(load_workbook(tmp_path / "st" / "C1-2026-10.xlsx"), 1)
    assert "冲量奖第 2 档（1,000.00 至 5,000.00）：500.00 × 1%" in words
    assert "回款佣金：3 笔回款减 1 笔冲回，净额 1,500.00，每笔按所属逾期阶段比例计提（见回款明细）" in words
    explained = CliRunner().invoke(main, ["explain", "--run", str(run), "--collector", "C1"])
    assert "\n冲量奖：\n" in explained.output and "\n回款佣金：\n" in explained.output
    assert "\n  冲量奖第 2 档（1,000.00 至 5,000.00）：500.00 × 1% = 5.00（提成）\n" in explained.output
    english = CliRunner().invoke(main, ["explain", "--run", str(run), "--collector", "C1", "--lang", "en"]).output
    assert "\nRecovery commission:\n" in english and "\nVolume bonus:\n" in english


@pytest.fixture(scope="module")
def explained(october):
    """C1's explanation and that of their reversal R1, in Chinese and in English."""
    return {lang: [CliRunner().invoke(main, ["explain", "--run", str(october), "--collector", "C1", *more, "--lang",
                                             lang]).output for more in ([], ["--payment", "R1"])]
            for lang in ("zh", "en")}


def test_explain_names_no_rule_by_its_id_and_speaks_only_chinese_in_chinese(explained):
    for text in explained["zh"]:
        assert text and not any(rule in text for rule in RULE_IDS if rule != "v1"), text
        left = re.sub(IDS, "", text)
        assert not re.search(r"[A-Za-z]{2,}", left), left  # English left beyond ids and numbers
    for text in explained["en"]:
        assert not any(rule in text for rule in RULE_IDS if rule != "v1"), text
        assert not re.search(r"[\u4e00-\u9fff]", re.sub("王芳", "", text)), text  # the name is the roster's


#: test_statements' plan with a monthly bonus on target attainment: C1 recovers
#: 1,500.00 + 233,246.21 = 234,746.21 against a target of 218,000.00.
ATTAINMENT = PLAN.replace("adjustments:\n", """  - id: target-bonus
    kind: bonus
    pay_code: bonus
    kpi: attainment
    steps:
      - {at_least: 100%, amount: 3000.00}
adjustments:
""")


def test_one_ratio_rule_wherever_attainment_is_shown(tmp_path):
    """By hand: 234,746.21 / 218,000.00 = 1.076817...: 107.68% (two decimals, cut toward zero), never
    107.6% nor 107.7%: in the bonus sentence and the progress line, in the statement and in explain, in
    both languages (an award's evidence: test_awards)."""
    import test_statements

    ledger = test_statements.LEDGER + "P9,C1,6222020000009999,2026-10-25,233246.21,10,300000,,\n"
    run = run_october(tmp_path, ATTAINMENT, events=EVENTS, ledger=ledger,
                      targets="collector_id,period,target\nC1,2026-10,218000.00\nC2,2026-10,1000.00\n")
    shown = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(main, ["statements", "--run", str(run), "--lang", lang, "--collector", "C1",
                                           "--out", str(tmp_path / lang)])
        assert result.exit_code == 0, result.output
        shown[lang] = texts(load_workbook(tmp_path / lang / "C1-2026-10.xlsx"), 1)
        shown[lang + " explain"] = CliRunner().invoke(main, ["explain", "--run", str(run), "--collector", "C1",
                                                             "--lang", lang]).output.splitlines()
    ratio = "107.68%（234,746.21 / 218,000.00）"
    assert "任务奖金：任务达成率 " + ratio + "，达到 100.00% 档" in shown["zh"]
    assert "任务达成率（2026-10）：" + ratio in shown["zh"]
    assert "  任务奖金：任务达成率 " + ratio + "，达到 100.00% 档 = 3,000.00（奖金）" in shown["zh explain"]
    english = "107.68% (234,746.21 / 218,000.00)"
    assert "Target bonus: target attainment " + english + " reached the step of at least 100.00%" in shown["en"]
    assert "  Target bonus: target attainment " + english + " reached the step of at least 100.00% = 3,000.00 " \
           "(Bonus)" in shown["en explain"]
    for lang, lines in shown.items():
        assert any("107.68%" in line for line in lines), lang
        assert not any(re.search(r"107\.(6|7)(?!8)", line) for line in lines), lang


def test_a_label_names_a_rule_by_its_id_in_a_known_language(tmp_path):
    unnamed_tier = "      - {from: 5000, rate: 2%, label: {en: Top}}"
    plan = LABELLED.replace("      - {id: v2, from: 5000, rate: 2%}", unnamed_tier) \
        .replace("label: {en: Volume bonus, zh: 冲量奖}", "label: {fr: Prime}").lstrip()
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "plan.yaml")])
    assert result.exit_code == 2
    lines = plan.splitlines()
    french, unnamed = lines.index("    label: {fr: Prime}") + 1, lines.index(unnamed_tier) + 1
    assert f"plan.yaml:{french}: components[1].label.fr: unknown language; use en, zh" in result.output
    assert f"plan.yaml:{unnamed}: components[1].tiers[2].label: a label names a rule by its id: give this rule an id" \
        in result.output


def test_a_correction_that_takes_back_says_so_and_pays_the_difference(tmp_path):
    """C1 was paid 120.00 for October; recomputed it is 95.00: this correction takes back 25.00, and the
    first row shows -25.00 (what the collector is paid on the pay date), the period as recomputed 95.00."""
    from commission.outputs.report_reader import load_report
    from commission.statements.model import StoreFacts, build_statement

    report = load_report(run_october(tmp_path, events=EVENTS))
    store = StoreFacts(ytd={"C1": {"commission": 30000}}, adjustment_batch=3, corrections={"C1": (12000, -2500)},
                       batch=3, status="draft", pay_date="2026-11-30",
                       history={"C1": [("2026-09", {"commission": 18000}), ("2026-10", {"commission": 12000})]})
    statement = build_statement(report, "C1", "zh", store)
    assert statement.header.net_pay == -2500 and statement.header.status == "草稿，尚未审批"
    assert statement.header.pay_date == "2026年11月30日" and statement.header.statement_id == "2026-10-C1-B3"
    correction = statement.correction
    assert (correction.previously_paid, correction.now_due, correction.pays) == (12000, 9500, -2500)
    assert correction.sentence == "此前已发 120.00，重新计算应发 95.00，本次更正扣回 25.00。"
    assert [(code.name, code.amount, code.ytd) for code in statement.pay_codes] == [("提成", 9500, 30000)]
    assert statement.history == (("2026-09", {"提成": 18000}), ("2026-10", {"提成": 12000}))


def test_one_repayment_is_said_in_the_singular(october):
    """C2 has one repayment: half of P3's 400.00 is credited, 200.00."""
    from commission.outputs.report_reader import load_report
    from commission.statements.model import build_statement

    report = load_report(october)
    assert build_statement(report, "C2", "en").made[0].text == \
        "Commission on repayments: 1 repayment of 200.00, at its bucket's rate (see Detail)"
    assert build_statement(report, "C2", "zh").made[0].text == \
        "回款提成：1 笔回款共 200.00，每笔按所属逾期阶段比例计提（见回款明细）"
