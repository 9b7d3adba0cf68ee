"""Questions on a line: a collector asks about a payment or an item of their pay in a batch; HR (a
preparer) answers "correct as paid" with a reason, or "accepted: corrected in batch N" naming the
adjustment batch that pays it. Who may ask and answer is app/access.py's rule."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError, Problem
from ..identifiers import identifier_problem
from ..outputs.run_report import LINES_CSV, LINES_PARQUET
from ..store import REPORT, NotFound, file_list, get_batch, open_store
from ..store.archive import read_blob
from ..store.questions import ACCEPTED, CORRECT, ask, answer, get_question, list_questions
from .access import check, check_collector

MAX_TEXT = 2000
#: What a question may be about: a payment of the collector's lines, or an item (a rule's amount).
ABOUT = ("payment", "item")


def ask_question(store_url: str, actor: str, batch_id: int, collector: str, about_kind: str, about: str,
                 text: str, now: datetime) -> int:
    """A collector's question on `about` (a payment id or an item) of their pay in batch `batch_id`."""
    problems = []
    if about_kind not in ABOUT:
        problems.append(Problem("", "", f"a question is about one of: {', '.join(ABOUT)}", role="about"))
    if (problem := identifier_problem(about)) is not None:
        problems.append(Problem("", "", f"what the question is about {problem}", role="about"))
    problems += _text_problems(text, "text")
    if problems:
        raise InputError(problems)
    with open_store(store_url).begin() as connection:
        check(connection, actor, "ask")
        check_collector(connection, actor, collector, batch_id)
        if about_kind == "payment" and not _credits(connection, batch_id, collector, about):
            raise InputError([Problem("", "", f"{about} is not a payment on your pay in batch {batch_id}; give a "
                                      "payment id from your statement's Detail sheet", role="about")])
        return ask(connection, batch_id, collector, f"{about_kind} {about}", text.strip(), actor, now)


def _credits(connection, batch_id: int, collector: str, payment: str) -> bool:
    """Whether the batch's lines credit `payment` to `collector` (a batch that kept no lines: taken on
    trust, as nothing can be checked). Read from the stored lines file: two columns, once a question."""
    reports = file_list(connection, batch_id, REPORT)
    name = next((n for n in (LINES_PARQUET, LINES_CSV) if n in reports), None)
    if name is None:
        return True
    content = pa.BufferReader(read_blob(connection, reports[name], f"batch {batch_id}'s {name}"))
    columns = ["payment_id", "collector_id"]
    table = (pq.read_table(content, columns=columns) if name == LINES_PARQUET else pacsv.read_csv(
        content, convert_options=pacsv.ConvertOptions(include_columns=columns,
                                                      column_types={c: pa.string() for c in columns})))
    mine = table.filter(pc.and_(pc.equal(table["collector_id"].cast(pa.string()), collector),
                                pc.equal(table["payment_id"].cast(pa.string()), payment)))
    return mine.num_rows > 0


def answer_question(store_url: str, actor: str, question_id: int, accepted: bool, text: str,
                    corrected_in: Optional[int], now: datetime) -> None:
    """Answer: correct as paid (a reason), or accepted and corrected in an adjustment batch."""
    problems = _text_problems(text, "answer")
    if accepted and corrected_in is None:
        problems.append(Problem("", "", "say which batch corrects it", role="corrected_in"))
    if problems:
        raise InputError(problems)
    with open_store(store_url).begin() as connection:
        check(connection, actor, "answer")
        get_question(connection, question_id)
        if accepted:
            try:
                correction = get_batch(connection, corrected_in)
            except NotFound:
                raise InputError([Problem("", "", f"there is no batch {corrected_in}; give the adjustment batch "
                                          "that pays the correction", role="corrected_in")]) from None
            if correction.kind != "adjustment":
                raise InputError([Problem("", "", f"batch {corrected_in} is a payout batch; a correction is paid "
                                          "by an adjustment batch", role="corrected_in")])
        answer(connection, question_id, ACCEPTED if accepted else CORRECT, text.strip(),
               corrected_in if accepted else None, actor, now)


def question_queue(store_url: str, actor: str, status: Optional[str] = None) -> pd.DataFrame:
    """Every question (or those of one status), newest first, for HR."""
    with open_store(store_url).connect() as connection:
        check(connection, actor, "read")
        return list_questions(connection, status=status)


def _text_problems(text: str, role: str) -> list[Problem]:
    if not text.strip():
        return [Problem("", "", "write the text", role=role)]
    if len(text) > MAX_TEXT:
        return [Problem("", "", f"is {len(text)} characters; at most {MAX_TEXT}", role=role)]
    return []


def collector_questions(store_url: str, actor: str, collector: str, batch_id: int) -> pd.DataFrame:
    """The questions on a collector's pay in one batch (their statement lists them), for whoever may see it."""
    with open_store(store_url).connect() as connection:
        check_collector(connection, actor, collector, batch_id)
        return list_questions(connection, collector=collector, batch_id=batch_id)
