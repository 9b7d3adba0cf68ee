"""payouts.xlsx, the run's payouts for people (HR): headers in words, amounts as numbers with a totals
row, and a Columns sheet saying what each column means and which payouts.csv column it is. The
language is the statements' default: Chinese for CNY plans, English otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd
from openpyxl.styles import Alignment

from ..i18n import default_language, t, word
from .workbook import cjk_font, new_workbook, save_workbook, write_sheet

PAY_PREFIX = "pay_"


def column_words(column: str, lang: str, what: str) -> str:
    """A payouts column's header (`what` 'column') or meaning ('means') in `lang`; pay_<code> columns by
    their pay code, in the statements' words for it."""
    if column.startswith(PAY_PREFIX):
        return t(f"payouts.{what}.pay", lang, code=word("pay_code", column.removeprefix(PAY_PREFIX), lang))
    return t(f"payouts.{what}.{column}", lang)


def write_payouts_workbook(payouts: pd.DataFrame, path: Path, money: Sequence[str], minor_units: int,
                           currency: str) -> None:
    lang = default_language(currency)
    workbook = new_workbook(cjk=True)
    headers = [column_words(c, lang, "column") for c in payouts.columns]
    write_sheet(workbook.create_sheet(t("payouts.sheet", lang)), payouts, money, minor_units,
                total_label=t("common.total", lang), headers=headers)
    columns = workbook.create_sheet(t("payouts.columns_sheet", lang))
    columns.append([t("payouts.column_name", lang), t("payouts.header", lang), t("payouts.meaning", lang)])
    for cell in columns[1]:
        cell.font = cjk_font(b=True)
    for column, header in zip(payouts.columns, headers):
        columns.append([column, header, column_words(column, lang, "means")])
        columns.cell(columns.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABC", (20, 28, 70)):
        columns.column_dimensions[letter].width = width
    columns.freeze_panes = "A2"
    save_workbook(workbook, path)
