"""The payroll file HR hands to the payroll system, and its control file (count and totals)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..inputs import sha256_of
from ..money import format_minor
from .atomic import temporary_beside
from .tables import write_csv
from .workbook import BOLD, HEADER_FILL, money_format, money_value, new_workbook, save_workbook, write_sheet


def _control_sheet(sheet, rows: pd.DataFrame, totals: pd.Series, facts: dict, minor_units: int) -> None:
    """The control figures as numbers a spreadsheet can add and compare: the count an integer, the totals
    exact amounts in the money format; then the facts (pay date, controls) as text."""
    number_format = money_format(minor_units)
    figures = [("count", len(rows), "#,##0"),
               ("total", money_value(int(rows["amount"].sum()), minor_units), number_format),
               *((f"total {code}", money_value(int(v), minor_units), number_format) for code, v in totals.items())]
    sheet.append(["item", "value"])
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for item, value, shown_as in figures:
        sheet.append([item, value])
        sheet.cell(sheet.max_row, 2).number_format = shown_as
    for item, value in facts.items():
        sheet.append([item, str(value)])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 40


def control_path(path: Path) -> Path:
    """The control file written beside payroll file `path`: `2026-09.csv` -> `2026-09.control.csv`."""
    return Path(path).with_name(f"{Path(path).stem}.control.csv")


def write_payroll(rows: pd.DataFrame, path: Path, file_format: str, minor_units: int,
                  facts: dict | None = None) -> dict:
    """Write `rows` (employee_id, collector_id, pay_code, amount, period, batch_id, pay_date) and a
    control file beside it (count, totals, then `facts` such as the pay date and how the batch was
    controlled); both appear only when complete. Returns the control figures and the SHA-256 of both
    files, by which a later export knows them as its own."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    control_file = control_path(path)
    totals = rows.groupby("pay_code")["amount"].sum()
    control = pd.DataFrame({"item": ["count", "total", *(f"total {code}" for code in totals.index)],
                            "value": [str(len(rows)), format_minor(int(rows["amount"].sum()), minor_units),
                                      *(format_minor(int(v), minor_units) for v in totals)]})
    if facts:
        control = pd.concat([control, pd.DataFrame({"item": list(facts), "value": list(facts.values())})],
                            ignore_index=True)
    staged = []
    try:
        payroll_tmp = temporary_beside(path)
        staged.append(payroll_tmp)
        if file_format == "csv":
            write_csv(rows, payroll_tmp, ("amount",), minor_units)
        else:
            workbook = new_workbook()
            write_sheet(workbook.create_sheet("Payroll"), rows, ("amount",), minor_units)
            _control_sheet(workbook.create_sheet("Control"), rows, totals, facts or {}, minor_units)
            save_workbook(workbook, payroll_tmp)
        payroll_sha256 = sha256_of(payroll_tmp)
        control = pd.concat([control, pd.DataFrame({"item": ["sha256 of " + path.name],
                                                    "value": [payroll_sha256]})], ignore_index=True)
        control_tmp = temporary_beside(control_file)
        staged.append(control_tmp)
        write_csv(control, control_tmp, (), minor_units)
        sha256 = {"sha256": payroll_sha256, "control_sha256": sha256_of(control_tmp)}
        os.replace(payroll_tmp, path)
        os.replace(control_tmp, control_file)
    except BaseException:
        for leftover in staged:
            leftover.unlink(missing_ok=True)
        raise
    return {"count": len(rows), "total": format_minor(int(rows["amount"].sum()), minor_units),
            "control_file": str(control_file), **sha256}
