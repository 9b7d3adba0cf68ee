"""HR's queue of collectors' questions, and their answers: correct as paid (with a reason), or accepted
and corrected in an adjustment batch."""

from __future__ import annotations

from starlette.responses import Response

from ..app.questions import answer_question, question_queue
from ..errors import InputError, Problem
from .batches import MAX_ID, path_id
from .page import page
from .render import render
from .request import Context, redirect


@page()
def question_list(ctx: Context) -> Response:
    status = ctx.request.query_params.get("status") or None
    queue = question_queue(ctx.config.store_url, ctx.actor, status if status in ("open", "correct", "accepted")
                           else None)
    return render(ctx, "questions.html", questions=queue, chosen=status or "")


@page()
def answer(ctx: Context) -> Response:
    question_id = path_id(ctx, "question_id")
    accepted = ctx.field("verdict", 20) == "accepted"
    corrected = ctx.field("corrected_in", 20)
    if accepted and corrected and not corrected.isdigit():
        raise InputError([Problem("", "", "is a batch number", role="corrected_in")])
    answer_question(ctx.config.store_url, ctx.actor, question_id, accepted, ctx.field("answer", 4000),
                    int(corrected) if corrected and int(corrected) <= MAX_ID else None, ctx.now)
    return redirect("/questions")
