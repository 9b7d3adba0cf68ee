"""HR's workbooks read without a dictionary: payouts.xlsx with headers in words, numbers as numbers, a
totals row and a sheet explaining each column; the payroll export's control sheet numeric."""

from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from commission.outputs.payroll import write_payroll
from test_statements import EVENTS, run_october


def test_payouts_workbook_speaks_hrs_language(tmp_path):
    """test_statements' October by hand: C1 recovered 1,500.00 and is paid 95.00; C2 recovered half of
    P3, 200.00, at 10%: 20.00 (below the 1,000.00 tier). Totals 1,700.00 recovered, 115.00 paid."""
    run = run_october(tmp_path, events=EVENTS)
    workbook = load_workbook(run / "payouts.xlsx")
    assert workbook.sheetnames == ["发放明细", "列说明"]
    sheet = workbook.worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    header = table[0]
    assert header[:4] == ("催收员编号", "姓名", "团队", "工号") and "实发金额" in header and "实发：提成" in header
    assert not any("_" in text for text in header)  # no snake_case left
    rows = {row[0]: dict(zip(header, row)) for row in table[1:]}
    assert Decimal(str(rows["C1"]["实发金额"])) == Decimal("95.00") and rows["C1"]["方案版本"] == 1
    assert Decimal(str(rows["C2"]["实发金额"])) == Decimal("20.00")
    assert (Decimal(str(rows["合计"]["回款金额"])), Decimal(str(rows["合计"]["实发金额"]))) == (Decimal("1700.00"),
                                                                                    Decimal("115.00"))
    money = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.column > 8]
    assert money and all(cell.data_type == "n" for cell in money)
    assert sheet.cell(1, 1).font.name == "Microsoft YaHei"
    columns = {row[0]: row[1:] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert list(columns) == [c for c in pd.read_csv(run / "payouts.csv", nrows=0).columns]  # one row per column
    assert columns["net_payout"] == ("实发金额", "实际发放：回款提成至结转余额各列之和")


def test_the_payroll_control_sheet_holds_numbers(tmp_path):
    """Three rows, 530.74 + 100.00 commission and 25.00 bonus: count 3, total 655.74."""
    rows = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "collector_id": ["C1", "C2", "C3"],
                         "pay_code": ["commission", "commission", "bonus"], "amount": [53074, 10000, 2500],
                         "period": ["2026-10"] * 3, "batch_id": [1] * 3})
    write_payroll(rows, tmp_path / "pay.xlsx", "xlsx", 2, facts={"pay date": "2026-11-15"})
    control = {row[0].value: row[1] for row in load_workbook(tmp_path / "pay.xlsx")["Control"].iter_rows(min_row=2)}
    assert control["count"].value == 3 and control["count"].data_type == "n"
    assert Decimal(str(control["total"].value)) == Decimal("655.74") and control["total"].number_format == "#,##0.00"
    assert Decimal(str(control["total bonus"].value)) == Decimal("25.00")
    assert control["pay date"].value == "2026-11-15"
