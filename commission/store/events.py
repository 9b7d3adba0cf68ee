"""The append-only event log: every change of a batch, a user or a setting, who made it, when, and a
free-text note beside (never instead of) the identity. The database refuses UPDATE and DELETE on it
(triggers, migration 0003)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Optional

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ..i18n import t, word
from .schema import events


def log(connection: Connection, action: str, actor: str, now: datetime, *, batch_id: Optional[int] = None,
        subject: str = "", detail: Optional[dict] = None, note: str = "") -> None:
    connection.execute(insert(events).values(batch_id=batch_id, action=action, actor=actor, at=now, subject=subject,
                                             detail=json.dumps(detail or {}, ensure_ascii=False), note=note or ""))


def format_time(value: Optional[datetime]) -> str:
    """A stored time as '2026-11-30 16:40:05 UTC' (times are stored in UTC; SQLite drops the zone)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


#: What may happen to a batch, each in the catalogue's words (batch.event.<action>).
BATCH_ACTIONS = ("approve", "lock", "mark-paid", "discard", "send-back")


def _words(action: str, detail: dict, lang: str = "en") -> str:
    """What an event did, as a sentence's predicate: 'approved the batch', 'exported payroll/x.csv (40 rows)'
    (a batch's events in `lang`; the store's own, such as users added, in English)."""
    alone = t("batch.event.alone", lang) if detail.get("without_second_person") else ""
    if action == "created":
        corrects = detail.get("corrects") or []
        what = (t("batch.event.correcting", lang, batches=", ".join(map(str, corrects))) if corrects
                else t("batch.event.created", lang))
        return what + (t("batch.event.to_be_paid", lang, date=detail["pay_date"]) if detail.get("pay_date") else "")
    if action == "exported":
        again = (t("batch.event.reexport", lang, export=detail["reexport_of"]) if detail.get("reexport_of") else
                 t("batch.event.reexport_paid", lang) if detail.get("paid_before") else "")
        return t("batch.event.exported", lang, file=detail.get("file", ""), rows=detail.get("count", "?"),
                 total=detail.get("total", "?")) + alone + again
    if action in BATCH_ACTIONS:
        return t(f"batch.event.{action}", lang) + alone
    if action == "question-asked":
        kind, _, what = str(detail.get("about", "")).partition(" ")
        return t("batch.event.asked", lang, collector=detail.get("collector", ""),
                 about=f"{word('web.question.kind', kind, lang)} {what}".strip())
    if action == "question-answered":
        if detail.get("corrected_in"):
            return t("batch.event.accepted", lang, batch=detail["corrected_in"])
        return t("batch.event.correct", lang)
    if action == "user-added":
        return f"added user {detail.get('name')} with roles {', '.join(detail.get('roles', []))}"
    if action == "user-roles":
        return f"gave user {detail.get('name')} the roles {', '.join(detail.get('roles', []))}"
    if action == "user-disabled":
        return f"disabled user {detail.get('name')}"
    if action == "setup":
        return f"set the store up for {detail.get('mode')}"
    if action == "opening-ytd":
        return f"loaded {detail.get('rows')} opening year-to-date amounts for {detail.get('year')}"
    return action + (f" {json.dumps(detail, ensure_ascii=False)}" if detail else "")


def event_lines(connection: Connection, batch_id: Optional[int] = None, lang: str = "en") -> pd.DataFrame:
    """The events (of one batch, or all), oldest first, in words (a batch's in `lang`): at, who, what, note."""
    query = select(events.c.at, events.c.actor, events.c.action, events.c.detail, events.c.note).order_by(events.c.id)
    if batch_id is not None:
        query = query.where(events.c.batch_id == batch_id)
    rows = connection.execute(query).all()
    return pd.DataFrame([(format_time(at), actor, _words(action, json.loads(detail or "{}"), lang), note)
                         for at, actor, action, detail, note in rows], columns=["at", "who", "what", "note"])
