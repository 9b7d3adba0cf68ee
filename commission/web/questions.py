"""HR's queue of collectors' questions, and their answers: correct as paid (with a reason), or accepted
and corrected in an adjustment batch."""

from __future__ import annotations

from starlette.responses import Response

from ..app.questions import answer_question, question_queue
from ..errors import InputError, Problem
from .batches import MAX_ID, path_id
from .page import page
from .render import problem_lines, render
from .request import Context, redirect


@page()
def question_list(ctx: Context) -> Response:
    return _queue(ctx, ctx.request.query_params.get("status") or "")


def _queue(ctx: Context, status: str, problems: tuple = (), answered: int = 0, code: int = 200) -> Response:
    """The queue (of one status), with the problems of an answer just sent shown above its form."""
    queue = question_queue(ctx.config.store_url, ctx.actor, status if status in ("open", "correct", "accepted")
                           else None)
    return render(ctx, "questions.html", status=code, questions=queue, chosen=status, problems=problems,
                  answered=answered)


@page()
def answer(ctx: Context) -> Response:
    question_id = path_id(ctx, "question_id")
    accepted = ctx.field("verdict", 20) == "accepted"
    corrected = ctx.field("corrected_in", 20).strip()
    try:
        if accepted and corrected and not (corrected.isdigit() and 0 < int(corrected) <= MAX_ID):
            raise InputError([Problem("", "", f"{corrected!r} is not a batch number", role="corrected_in")])
        answer_question(ctx.config.store_url, ctx.actor, question_id, accepted, ctx.field("answer", 4000),
                        int(corrected) if corrected else None, ctx.now)
    except InputError as exc:
        return _queue(ctx, "open", problem_lines(exc, ctx.lang), question_id, 400)
    return redirect("/questions")
