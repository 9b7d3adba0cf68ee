"""What a collector (or their manager, or HR) sees of one collector's pay: every period's batches with
net pay, status and pay date, year to date by pay code, their questions, and a batch's statement as
the xlsx workbook or as its sheets' cells for a page. Who may see which collector is app/access.py's
rule (check_collector); nobody else's data is read."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional, Sequence

import pandas as pd
from babel.numbers import format_decimal
from openpyxl import load_workbook
from sqlalchemy import select

from .. import __version__
from ..i18n import LANGUAGES, LOCALES
from ..outputs.paths import file_in
from ..store import (EXPORTABLE, NotFound, batch_payouts, correction_amounts, get_batch, history, open_store,
                     pay_history, year_to_date)
from ..store.archive import keep_statement_copy, statement_copy
from ..store.questions import list_questions
from ..store.schema import batches
from .access import READ_ALL, check, check_collector, single_operator, team_batches
from .statements import make_statements


@dataclass(frozen=True)
class CollectorPay:
    """One collector's pay as their home page shows it."""

    collector: str
    periods: pd.DataFrame  # batch_id, period, kind, status, pay_date, net (minor units), newest first
    minor_units: int
    year_to_date: dict  # {pay code: amount}, of the latest period's year
    questions: pd.DataFrame

    @property
    def latest(self) -> Optional[pd.Series]:
        return self.periods.iloc[0] if len(self.periods) else None


def collector_pay(store_url: str, actor: str, collector: str) -> CollectorPay:
    """The batches that pay `collector` (approved or later, unless the actor reads everything), newest
    first, with year to date and questions."""
    with open_store(store_url).connect() as connection:
        user = check_collector(connection, actor, collector)
        rows = history(connection, collector)
        managed = not set(user.roles) & set(READ_ALL) and not ("collector" in user.roles
                                                                 and user.collector_id == collector)
        if not set(user.roles) & set(READ_ALL):
            rows = rows.loc[rows["status"].isin(EXPORTABLE)]
        if managed:  # their manager sees the batches that paid them in the manager's team
            rows = rows.loc[rows["batch_id"].isin(team_batches(connection, user.team, collector))]
        if not len(rows):
            raise NotFound(f"no batch you may see pays {collector}")
        facts = pd.DataFrame(connection.execute(
            select(batches.c.id, batches.c.pay_date, batches.c.minor_units)
            .where(batches.c.id.in_([int(b) for b in rows["batch_id"].unique()]))).all(),
            columns=["batch_id", "pay_date", "minor_units"])
        periods = (rows.groupby(["batch_id", "period", "kind", "status"], as_index=False)["amount"].sum()
                   .rename(columns={"amount": "net"}).merge(facts, on="batch_id")
                   .sort_values(["period", "batch_id"], ascending=False).reset_index(drop=True))
        latest = periods["period"].iat[0]
        ytd = year_to_date(connection, latest, collector).get(collector, {})
        questions = list_questions(connection, collector=collector)
        if managed:
            questions = questions.loc[questions["batch_id"].isin(periods["batch_id"])]  # of the batches shown
    return CollectorPay(collector, periods, int(periods["minor_units"].iat[0]), ytd, questions)


def statement_workbook(store_url: str, actor: str, batch_id: int, collector: str, lang: Optional[str] = None
                       ) -> tuple[str, bytes]:
    """The xlsx statement of `collector` in batch `batch_id`, as HR's statements command writes it:
    (file name, content)."""
    name, content, _ = _statement(store_url, actor, batch_id, collector, lang)
    return name, content


def statement_sheets(store_url: str, actor: str, batch_id: int, collector: str, lang: Optional[str] = None
                     ) -> list[tuple[str, list[list[str]]]]:
    """The statement for a page: each sheet's title and its rows of cell texts, the same words and numbers
    as the workbook. (The one place the page reads a statement, so it can switch to the renderer-neutral
    statement model when there is one.)"""
    return [(title, rows) for title, rows in _statement(store_url, actor, batch_id, collector, lang)[2]]


def _statement(store_url: str, actor: str, batch_id: int, collector: str, lang: Optional[str]):
    """(file name, workbook, sheets' cells): kept in the store once made, under the facts of the store it
    shows, so it is made again only when one of them changed."""
    engine = open_store(store_url)
    with engine.connect() as connection:
        check_collector(connection, actor, collector, batch_id)
        facts = _facts(connection, batch_id, collector, lang or "")
        kept = statement_copy(connection, batch_id, collector, lang or "", facts)
    if kept is not None:
        return kept[0], kept[1], json.loads(kept[2])
    with tempfile.TemporaryDirectory(prefix="commission-statement-") as scratch:
        written, folder = make_statements(None, batch_id, store_url, Path(scratch) / "out", collector=collector,
                                          lang=lang, jobs=1, actor=actor)
        files = sorted(folder.glob("*.xlsx"))
        if not written or not files:
            raise NotFound(f"batch {batch_id} has no statement for {collector}")
        name, content = files[0].name, files[0].read_bytes()
    cells = _cells(content, lang or "en")
    with engine.begin() as connection:
        keep_statement_copy(connection, batch_id, collector, lang or "", facts, name, content,
                            json.dumps(cells, ensure_ascii=False).encode("utf-8"))
    return name, content, cells


def keep_statements(store_url: str, actor: str, batch_id: int, langs: Sequence[str] = LANGUAGES,
                    progress: Optional[Callable[[int, int], None]] = None) -> int:
    """Make every statement of a batch in each language at once (one read of its reports, as the
    statements command does) and keep them in the store, so each collector's first look is as fast as the
    next; returns how many were kept."""
    engine = open_store(store_url)
    with engine.connect() as connection:
        check(connection, actor, "read")
        record = get_batch(connection, batch_id)
        collectors = sorted(set(batch_payouts(connection, batch_id)["collector_id"]))
    kept, total = 0, len(collectors) * len(langs)
    for lang in langs:
        with tempfile.TemporaryDirectory(prefix="commission-statements-") as scratch:
            _, folder = make_statements(None, batch_id, store_url, Path(scratch) / "out", lang=lang, actor=actor)
            for collector in collectors:
                path = file_in(folder, collector, f"-{record.period}.xlsx")
                if path.exists():  # a correction's statements go only to the collectors it changes
                    content = path.read_bytes()
                    cells = json.dumps(_cells(content, lang), ensure_ascii=False).encode("utf-8")
                    with engine.begin() as connection:
                        keep_statement_copy(connection, batch_id, collector, lang,
                                            _facts(connection, batch_id, collector, lang), path.name, content, cells)
                    kept += 1
                if progress:
                    progress(kept, total)
    return kept


def _facts(connection, batch_id: int, collector: str, lang: str) -> str:
    """The SHA-256 of everything from the store a statement shows besides the batch's own reports."""
    record = get_batch(connection, batch_id)
    facts = {"batch": [record.status, str(record.pay_date), record.kind, record.corrects, record.lines_sha256,
                       record.reports_token], "engine": __version__, "lang": lang,
             "ytd": year_to_date(connection, record.period, collector).get(collector, {}),
             "correction": correction_amounts(connection, batch_id).get(collector),
             "history": pay_history(connection, record.period).get(collector),  # the pay-over-time chart
             "controls": single_operator(connection)}
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _cells(content: bytes, lang: str) -> list:
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = [[_shown(cell, lang) for cell in row] for row in sheet.iter_rows()]
        rows = [row[:max(i for i, text in enumerate(row) if text) + 1] for row in rows if any(row)]
        sheets.append((sheet.title, rows))
    return sheets


def _shown(cell, lang: str) -> str:
    """A cell as the workbook shows it: a number with its format's decimals, grouped as the language
    writes numbers (the workbook holds amounts as numbers of at most their currency's decimals)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime):  # the workbook's dates: a payment date has no time of day
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    fmt = getattr(cell, "number_format", "") or ""
    places = len(fmt.split(".")[1].split(";")[0].rstrip("%_)-\\ ")) if "." in fmt else 0
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if fmt.endswith("%"):
        number, suffix = number * 100, "%"
    else:
        suffix = ""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number.quantize(Decimal(1).scaleb(-places)), format=pattern,
                          locale=LOCALES[lang]) + suffix
