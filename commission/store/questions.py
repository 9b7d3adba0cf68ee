"""Collectors' questions on a line or an item of a batch, and HR's answers: a row each, every change in
the event log in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .errors import NotFound, StoreError
from .events import log
from .schema import questions

#: How a question stands: waiting for HR, answered "correct as paid", or accepted and corrected.
OPEN, CORRECT, ACCEPTED = "open", "correct", "accepted"
COLUMNS = ["id", "batch_id", "collector_id", "about", "text", "asked_by", "asked_at", "status", "answer",
           "corrected_in", "answered_by", "answered_at"]


@dataclass(frozen=True)
class Question:
    id: int
    batch_id: int
    collector_id: str
    about: str
    text: str
    status: str
    answer: str
    corrected_in: Optional[int]


def ask(connection: Connection, batch_id: int, collector: str, about: str, text: str, actor: str,
        now: datetime) -> int:
    question_id = connection.execute(insert(questions).values(
        batch_id=batch_id, collector_id=collector, about=about, text=text, asked_by=actor, asked_at=now,
        status=OPEN)).inserted_primary_key[0]
    log(connection, "question-asked", actor, now, batch_id=batch_id, subject=f"question:{question_id}",
        detail={"collector": collector, "about": about})
    return question_id


def get_question(connection: Connection, question_id: int) -> Question:
    row = connection.execute(select(questions).where(questions.c.id == question_id)).first()
    if row is None:
        raise NotFound(f"there is no question {question_id}")
    return Question(row.id, row.batch_id, row.collector_id, row.about, row.text, row.status, row.answer,
                    row.corrected_in)


def answer(connection: Connection, question_id: int, status: str, text: str, corrected_in: Optional[int],
           actor: str, now: datetime) -> None:
    """Answer an open question, once."""
    changed = connection.execute(update(questions).where(
        (questions.c.id == question_id) & (questions.c.status == OPEN)).values(
        status=status, answer=text, corrected_in=corrected_in, answered_by=actor, answered_at=now)).rowcount
    if changed != 1:
        raise StoreError(f"question {question_id} is already answered")
    question = get_question(connection, question_id)
    log(connection, "question-answered", actor, now, batch_id=question.batch_id, subject=f"question:{question_id}",
        detail={"status": status, "corrected_in": corrected_in})


def list_questions(connection: Connection, collector: Optional[str] = None, status: Optional[str] = None,
                   batch_id: Optional[int] = None) -> pd.DataFrame:
    """Questions, newest first: all, one collector's, those of one status or of one batch."""
    query = select(questions).order_by(questions.c.id.desc())
    if collector is not None:
        query = query.where(questions.c.collector_id == collector)
    if status is not None:
        query = query.where(questions.c.status == status)
    if batch_id is not None:
        query = query.where(questions.c.batch_id == batch_id)
    return pd.DataFrame(connection.execute(query).all(), columns=COLUMNS)
