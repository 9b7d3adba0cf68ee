"""Collector statements and explain, read back and checked against hand-worked numbers."""

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from commission.cli import main

PLAN = """
plan: statement-demo
version: 1
effective: 2026-01-01
currency: CNY
classify:
  bucket:
    M1: "[1, 30]"
    M2+: "[31, inf)"
components:
  - id: base
    kind: line_rate
    rates:
      - {id: early, bucket: M1, rate: 5%}
      - {id: late, bucket: M2+, rate: 10%}
  - id: volume
    kind: tiers
    mode: marginal
    tiers:
      - {id: v0, from: 0, to: 1000, rate: 0%}
      - {id: v1, from: 1000, to: 5000, rate: 1%}
      - {id: v2, from: 5000, rate: 2%}
adjustments:
  - id: conduct
    kind: compliance
    events:
      complaint: {deduct: 20.00}
"""
LEDGER = """
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses,credit_share
P1,C1,6222021234567890,2026-10-03,1000.00,10,5000,,
P2,C1,6222029876543210,2026-10-09,500.00,45,5000,,
P3,C1,6222025555000011,2026-10-15,400.00,45,5000,,0.5
P3,C2,6222025555000011,2026-10-15,400.00,45,5000,,0.5
R1,C1,6222021234567890,2026-10-20,-200.00,10,5000,P1,
"""
ROSTER = """
collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team A,E2
"""
EVENTS = """
event_id,collector_id,date,type,severity,score
E7,C1,2026-10-12,complaint,minor,
"""


def run_october(folder: Path, plan: str = PLAN, **side: str) -> Path:
    """Write the plan, ledger, roster and the side files given (events=..., targets=...) into
    `folder`, run October from zero balances, and return the run folder."""
    files = {"policy": plan, "ledger": LEDGER, "roster": ROSTER, **side}
    args = ["run", "--period", "2026-10", "--first-period", "--out", str(folder / "out")]
    for option, text in files.items():
        path = folder / (f"{option}.yaml" if option == "policy" else f"{option}.csv")
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        args += [f"--{option}", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    return run_october(tmp_path_factory.mktemp("statements"), events=EVENTS)


# By hand, C1: P1 1,000.00 M1 5% = 50.00; P2 500.00 M2+ 10% = 50.00; P3 half of 400.00 = 200.00 M2+ 10% = 20.00;
# R1 reverses 200.00 of P1: 50.00 x 200/1000 = -10.00. Line commission 110.00.
# Recovered 1,000 + 500 + 200 - 200 = 1,500.00: volume v1 (1,500 - 1,000) x 1% = 5.00.
# Complaint E7: -20.00. Net 110.00 + 5.00 - 20.00 = 95.00.


def cell_after(sheet, label):
    """The value to the right of the first cell holding `label` in column A (or the row's amount column)."""
    for row in sheet.iter_rows():
        if row[0].value == label:
            return row
    raise AssertionError(f"{label!r} not found")


def test_statements_in_both_languages_match_the_payouts_and_the_hand_worked_numbers(run_folder, tmp_path):
    for lang, net_label, total_label, conduct in (
            ("zh", "实发金额", "合计", "合规扣罚：2026-10-12 轻微投诉，从回款提成中扣除"),
            ("en", "Net pay", "Total", "Conduct: minor complaint on 2026-10-12: deducted from Commission on repayments")):
        out = tmp_path / lang
        result = CliRunner().invoke(main, ["statements", "--run", str(run_folder), "--lang", lang, "--out",
                                           str(out), "--jobs", "1"])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["C1-2026-10.xlsx", "C2-2026-10.xlsx", "statements.json"]
        workbook = load_workbook(out / "C1-2026-10.xlsx")
        summary, detail, plan_sheet = workbook.worksheets
        assert summary["A2"].value == net_label and Decimal(str(summary["B2"].value)) == Decimal("95.00")
        rows = [row for row in summary.iter_rows(values_only=True)]
        made = [row for row in rows if row[0] == conduct]
        assert [Decimal(str(row[1])) for row in made] == [Decimal("-20.00"), Decimal("20.00")]  # paid, then lost
        assert made[1][3] == "2026-10-12"  # the event's date beside the amount lost
        # Detail totals: recovered 1,500.00; commission before limits and paid amount both 110.00
        total = cell_after(detail, total_label)
        values = [c.value for c in total if isinstance(c.value, (int, float, Decimal))]
        assert [Decimal(str(v)) for v in values] == [Decimal("1500.00"), Decimal("110.00")]  # no limits: one column
        accounts = [row[2].value for row in detail.iter_rows(min_row=2) if row[2].value]
        assert accounts and all(a.startswith("****") and len(a) == 8 for a in accounts)
        assert plan_sheet.max_row > 5
        for sheet in workbook.worksheets:  # values, never formulas
            assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in sheet.iter_rows()
                           for c in row)
        texts = " ".join(str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row
                         if c.value is not None)
        assert "6222021234567890" not in texts


def test_explain_shows_the_arithmetic_and_reconciles(run_folder):
    result = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = result.output
    # M1 holds P1 and R1, which reverses 200.00 of it: one repayment and one reversal, as the statement counts
    assert "  bucket M1: 5% of each repayment: 1 repayment, 800.00 x 5% = 40.00 (1 reversed, clawed back)\n" in text
    assert "  bucket M2+: 10% of each repayment: 2 repayments, 700.00 x 10% = 70.00\n  = 110.00 (Commission)\n" in text
    assert "  Tier commission, tier 2 (1,000.00 to 5,000.00): 500.00 x 1% = 5.00 (Commission)\n" in text
    assert "  Conduct: minor complaint on 2026-10-12: deducted from Commission on repayments = -20.00 (Commission)\n" \
        in text
    assert "  clawed back 10.00: payment P1 reversed (bounced) on 2026-10-20; already taken off the commission above\n" in text
    assert "Commission on repayments 110.00 + Tier commission 5.00 + Bonus 0.00 + Adjustments -20.00 + Held back (-) " \
           "or released (+) 0.00 + Balances carried or repaid 0.00 = net pay 95.00\n" in text
    payment = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1", "--payment", "R1",
                                        "--lang", "en"])
    assert payment.output == ("R1 (reversal of P1, clawed back at its terms) on 2026-10-20, account ****7890, Bucket M1\n"
                              "  bucket M1: 5% of each repayment: -200.00 x 5% = -10.00\n")
    # a CNY plan is explained in Chinese unless asked otherwise
    chinese = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1"]).output
    assert "  账龄 M1：每笔回款提成 5%：1 笔回款，800.00 × 5% = 40.00（1 笔冲回已追回）\n" in chinese
    assert chinese.endswith("= 实发金额 95.00\n按发放项目：提成 95.00\n")


def test_workbooks_written_at_different_times_are_byte_identical(tmp_path):
    """openpyxl stamps the clock into document properties and into zip entries (also through the
    temporary files it writes sheets from); reruns of the same inputs must give the same bytes."""
    import time

    import pandas as pd

    from commission.outputs.workbook import new_workbook, save_workbook, write_sheet

    def make(path):
        workbook = new_workbook()
        write_sheet(workbook.create_sheet("Payouts"), pd.DataFrame({"collector_id": ["C1"], "net": [12345]}),
                    ["net"], 2)
        save_workbook(workbook, path)

    make(tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip times have a 2-second resolution
    make(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_detail_sheet_lists_every_payment_by_bucket_with_subtotals(run_folder, tmp_path):
    """C1 by hand: M1 holds P1 (1,000.00 x 5% = 50.00) and its reversal R1 (-200.00 -> -10.00),
    subtotal 800.00 / 40.00; M2+ holds P2 (500.00 -> 50.00) and half of P3 (200.00 -> 20.00),
    subtotal 700.00 / 70.00; total 1,500.00 / 110.00. Within a bucket, by date."""
    import datetime

    result = CliRunner().invoke(main, ["statements", "--run", str(run_folder), "--lang", "en", "--collector", "C1",
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    detail = load_workbook(tmp_path / "C1-2026-10.xlsx").worksheets[1]
    header = [c.value for c in detail[1]]
    rows = [dict(zip(header, values)) for values in detail.iter_rows(min_row=2, values_only=True)]
    assert detail.dimensions == f"A1:{detail.cell(1, len(header)).column_letter}8"
    assert [(r["Date"], r["Bucket"], r["Credited to you"], r["Your share"], r["Reverses"], r["Rate"], r["Amount"])
            for r in rows] == [  # shares and rates are numbers, shown as percentages
        (datetime.datetime(2026, 10, 3), "M1", 1000, 1, None, 0.05, 50),
        (datetime.datetime(2026, 10, 20), "M1", -200, 1, "P1", 0.05, -10),
        ("Subtotal M1", None, 800, None, None, None, 40),
        (datetime.datetime(2026, 10, 9), "M2+", 500, 1, None, 0.1, 50),
        (datetime.datetime(2026, 10, 15), "M2+", 200, 0.5, None, 0.1, 20),
        ("Subtotal M2+", None, 700, None, None, None, 70),
        ("Total", None, 1500, None, None, None, 110),
    ]
    assert [r["Account"] for r in rows[:2]] == ["****7890", "****7890"]
    assert [r["Payment"] for r in rows] == ["P1", "R1", None, "P2", "P3", None, None]
    date_cell, money_cell, total_cell = detail["A2"], detail.cell(2, header.index("Amount") + 1), detail["A8"]
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"
    assert money_cell.number_format == "#,##0.00;[Red]-#,##0.00"  # a reversal's negative amount in red
    assert detail.cell(2, header.index("Rate") + 1).number_format == "0.00%"
    assert detail.cell(2, header.index("Your share") + 1).data_type == "n"
    assert total_cell.font.b and total_cell.fill.fgColor.rgb.endswith("F2F2F2")
    assert detail.freeze_panes == "A2" and detail.auto_filter.ref == f"A1:{detail.cell(1, len(header)).column_letter}8"
    alignments = {name: detail.cell(1, k + 1).alignment.horizontal for k, name in enumerate(header)}
    assert alignments["Amount"] == alignments["Rate"] == "right" and alignments["Bucket"] == "center"


def test_mistakes_give_one_clear_message_and_exit_2(run_folder, tmp_path):
    unknown = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C9"])
    assert unknown.exit_code == 2 and "'C9' is not in the run for 2026-10" in unknown.output
    payment = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1", "--payment", "P9"])
    assert payment.exit_code == 2 and "P9 is not among C1's payments" in payment.output
    both = CliRunner().invoke(main, ["statements", "--run", str(run_folder), "--batch", "1"])
    assert both.exit_code == 2 and "give only one of --run and --batch" in both.output
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = CliRunner().invoke(main, ["statements", "--run", str(run_folder), "--out", str(blocker / "st")])
    assert unwritable.exit_code == 2 and str(blocker) in unwritable.output
    assert isinstance(unwritable.exception, SystemExit)  # a message, not a traceback


ACCELERATOR = """
plan: accelerator
version: 1
effective: 2026-01-01
currency: USD
components:
  - id: excess
    kind: tiers
    base: attainment
    mode: marginal
    tiers:
      - {from: 0%, to: 100%, rate: 5%}
      - {from: 100%, rate: 8%}
"""


def test_progress_on_an_attainment_schedule_is_measured_against_the_collectors_target(tmp_path):
    """C1's target 2,000.00, recovered 1,500.00 (P1 1,000 + P2 500 + half of P3 200 - R1 200):
    the 8% tier starts at 100% of 2,000.00, so 500.00 more; C2 (target 300.00, recovered 200.00): 100.00."""
    run_october(tmp_path, ACCELERATOR, targets="collector_id,period,target\nC1,2026-10,2000.00\nC2,2026-10,300.00\n")
    result = CliRunner().invoke(main, ["statements", "--run", str(tmp_path / "out"), "--out", str(tmp_path / "st")])
    assert result.exit_code == 0, result.output
    for collector, more in (("C1", "500.00"), ("C2", "100.00")):
        summary = load_workbook(tmp_path / "st" / f"{collector}-2026-10.xlsx").worksheets[0]
        texts = [row[0] for row in summary.iter_rows(values_only=True) if isinstance(row[0], str)]
        assert f"Tier commission: recover {more} more to reach tier 2 (8.00%)" in texts


def test_detail_names_a_per_payment_limit_in_words(tmp_path):
    """With per_payment max 30.00, P1's 1,000.00 x 5% = 50.00 is paid 30.00 (and its reversal,
    clawed back at P1's terms, -10.00 x 30/50 = -6.00): the Limit column says why."""
    plan = PLAN.replace("      - {id: late, bucket: M2+, rate: 10%}",
                        "      - {id: late, bucket: M2+, rate: 10%}\n    per_payment: {max: 30.00}")
    run_october(tmp_path, plan, events=EVENTS)
    result = CliRunner().invoke(main, ["statements", "--run", str(tmp_path / "out"), "--collector", "C1", "--lang",
                                       "en", "--out", str(tmp_path / "st")])
    assert result.exit_code == 0, result.output
    detail = load_workbook(tmp_path / "st" / "C1-2026-10.xlsx").worksheets[1]
    header = [c.value for c in detail[1]]
    rows = {r[header.index("Payment")]: dict(zip(header, r)) for r in detail.iter_rows(min_row=2, values_only=True)}
    assert (rows["P1"]["Commission"], rows["P1"]["Amount"], rows["P1"]["Limit"]) == (50, 30, "per-payment maximum")
    assert rows["P3"]["Limit"] is None  # 200.00 x 10% = 20.00, under the maximum
    assert rows["R1"]["Amount"] == -6


TIERS_ONLY = """
plan: tiers-only
version: 1
effective: 2026-01-01
currency: CNY
classify:
  bucket:
    M1: "[1, 30]"
    M2+: "[31, inf)"
components:
  - id: volume
    kind: tiers
    mode: marginal
    tiers:
      - {from: 0, to: 1000, rate: 0%}
      - {from: 1000, rate: 1%}
"""


def test_a_plan_without_line_rates_still_lists_every_payment(tmp_path):
    """No line-rate component: the lineage still holds each repayment counted in recovery (no rate,
    nothing per line), so the statement's Detail lists C1's 1,000.00 + (-200.00) in M1 and 500.00 +
    200.00 in M2+, and explain says what a payment did."""
    out = run_october(tmp_path, TIERS_ONLY)
    result = CliRunner().invoke(main, ["statements", "--run", str(out), "--collector", "C1", "--lang", "en",
                                       "--out", str(tmp_path / "st")])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(tmp_path / "st" / "C1-2026-10.xlsx")
    detail = workbook.worksheets[1]
    header = [c.value for c in detail[1]]
    assert "Rate" not in header and "Amount" not in header and "Rule" not in header
    rows = [dict(zip(header, r)) for r in detail.iter_rows(min_row=2, values_only=True)]
    assert [(r["Payment"], r["Bucket"], r["Credited to you"]) for r in rows] == [
        ("P1", "M1", 1000), ("R1", "M1", -200), (None, None, 800), ("P2", "M2+", 500), ("P3", "M2+", 200),
        (None, None, 700), (None, None, 1500)]
    summary = {row[0]: row[1:] for row in workbook.worksheets[0].iter_rows(values_only=True) if row[0]}
    assert summary["Total"][:3] == (1500, 3, 1)  # 1,500.00 recovered from three repayments less one reversed
    explained = CliRunner().invoke(main, ["explain", "--run", str(out), "--collector", "C1", "--payment", "P2",
                                          "--lang", "en"])
    assert "counted in recovered: 500.00 (this plan pays no rate per repayment)" in explained.output


def test_one_collectors_statement_is_added_beside_the_others(run_folder, tmp_path):
    for collector in ("C2", "C1"):
        result = CliRunner().invoke(main, ["statements", "--run", str(run_folder), "--collector", collector,
                                           "--out", str(tmp_path / "st")])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "st").iterdir()) == ["C1-2026-10.xlsx", "C2-2026-10.xlsx",
                                                                  "statements.json"]


def test_a_rerun_says_it_removed_the_statements_of_the_earlier_reports(tmp_path):
    """Statements made into the run folder (the default) go with the reports a rerun of the period
    replaces, since they would no longer agree with them; the run says so and how to make them again."""
    out = run_october(tmp_path, events=EVENTS)
    inputs = [arg for option, name in (("policy", "policy.yaml"), ("ledger", "ledger.csv"), ("roster", "roster.csv"),
                                       ("events", "events.csv")) for arg in (f"--{option}", str(tmp_path / name))]

    def rerun():
        done = CliRunner().invoke(main, ["run", "--period", "2026-10", "--first-period", "--out", str(out), *inputs])
        assert done.exit_code == 0, done.output
        return done.output.splitlines()[-1]

    made = CliRunner().invoke(main, ["statements", "--run", str(out), "--jobs", "1"])
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in (out / "statements").iterdir()) == ["C1-2026-10.xlsx", "C2-2026-10.xlsx",
                                                                        "statements.json"]
    assert rerun() == (f"the 2 statements made from the earlier reports in {out}/statements/ were removed with "
                       f"them; make them again: commission statements --run {out}")
    assert not (out / "statements").exists()
    assert "statements" not in rerun()  # nothing was removed this time


def test_explain_lists_rate_rules_in_the_plans_bucket_order(tmp_path):
    """The ledger's first payment is in M3+, but the plan's buckets run M1, M2, M3+: M1/M2 comes first.
    By hand: Q2 400.00 (M2) + Q3 600.00 (M1) = 1,000.00 x 3% = 30.00; Q1 1,000.00 (M3+) x 10% = 100.00."""
    plan = PLAN.replace('    M1: "[1, 30]"\n    M2+: "[31, inf)"',
                        '    M1: "[1, 30]"\n    M2: "[31, 60]"\n    M3+: "[61, inf)"')
    plan = plan.replace("      - {id: early, bucket: M1, rate: 5%}\n      - {id: late, bucket: M2+, rate: 10%}",
                        "      - {id: early, bucket: [M1, M2], rate: 3%}\n      - {id: late, bucket: M3+, rate: 10%}")
    ledger = """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
        Q1,C1,A1,2026-10-02,1000.00,100,5000
        Q2,C1,A2,2026-10-05,400.00,40,5000
        Q3,C1,A3,2026-10-08,600.00,5,5000
        """
    out = run_october(tmp_path, plan=plan, ledger=ledger, events=EVENTS)
    text = CliRunner().invoke(main, ["explain", "--run", str(out), "--collector", "C1", "--lang", "en"]).output
    assert ("  bucket M1/M2: 3% of each repayment: 2 repayments, 1,000.00 x 3% = 30.00\n"
            "  bucket M3+: 10% of each repayment: 1 repayment, 1,000.00 x 10% = 100.00\n"
            "  = 130.00 (Commission)\n") in text


def test_a_payments_explanation_shows_its_reversal_and_what_is_left(run_folder):
    """P1 1,000.00 x 5% = 50.00; R1 reverses 200.00 of it: -200.00 x 5% = -10.00; net 800.00, 40.00."""
    said = {lang: CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1", "--payment",
                                            "P1", "--lang", lang]).output for lang in ("en", "zh")}
    assert said["en"] == ("P1 (payment) on 2026-10-03, account ****7890, Bucket M1\n"
                          "  bucket M1: 5% of each repayment: 1,000.00 x 5% = 50.00\n"
                          "R1 (reversal of P1, clawed back at its terms) on 2026-10-20, account ****7890, Bucket M1\n"
                          "  bucket M1: 5% of each repayment: -200.00 x 5% = -10.00\n"
                          "P1 net of 1 reversal: recovered 800.00, commission 40.00\n")
    assert said["zh"].endswith("P1 扣除 1 笔冲回后：回款 800.00，提成 40.00\n")
    unreversed = CliRunner().invoke(main, ["explain", "--run", str(run_folder), "--collector", "C1", "--payment",
                                           "P2", "--lang", "en"]).output
    assert "net of" not in unreversed and unreversed.endswith("500.00 x 10% = 50.00\n")
