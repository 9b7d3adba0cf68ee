"""Pages of one collector's pay: home (latest net pay, pay date and status, every period's statement
and workbook, year to date by pay code, questions), a batch's statement in the browser, its xlsx,
asking a question on a line, and "what if I recover more". Whoever may see the collector (themselves,
their manager, HR) may open them; anyone else is answered "not found"."""

from __future__ import annotations

from starlette.responses import Response

from ..app.collector_pay import collector_pay, statement_sheets, statement_workbook
from ..app.questions import ABOUT, ask_question, collector_questions
from ..app.what_if import what_if
from ..errors import InputError
from ..identifiers import identifier_problem
from ..store import NotFound
from .batches import download, path_id
from .page import page
from .request import Context, redirect
from .render import problem_lines, render


def path_collector(ctx: Context) -> str:
    collector = ctx.request.path_params["collector"]
    if identifier_problem(collector) is not None:
        raise NotFound("no such collector")
    return collector


@page()
def home(ctx: Context) -> Response:
    """Where each person starts: a collector at their own pay, a manager at their team, HR at the batches,
    an admin at the users."""
    user = ctx.session.user
    if "collector" in user.roles and user.collector_id:
        return redirect(f"/collectors/{user.collector_id}")
    if set(user.roles) & {"preparer", "approver", "payer", "auditor"}:
        return redirect("/batches")
    if "manager" in user.roles:
        return redirect("/team")
    return redirect("/users")


@page()
def collector_home(ctx: Context) -> Response:
    pay = collector_pay(ctx.config.store_url, ctx.actor, path_collector(ctx))
    return render(ctx, "collector.html", pay=pay, latest=pay.latest)


@page()
def statement_page(ctx: Context) -> Response:
    return _statement(ctx, path_collector(ctx), path_id(ctx, "batch_id"))


def _statement(ctx: Context, collector: str, batch_id: int, problems: tuple = (), status: int = 200) -> Response:
    """The statement with its questions, and the problems of a question just asked above the form."""
    sheets = statement_sheets(ctx.config.store_url, ctx.actor, batch_id, collector, ctx.lang)
    questions = collector_questions(ctx.config.store_url, ctx.actor, collector, batch_id)
    return render(ctx, "statement.html", status=status, collector=collector, batch_id=batch_id, sheets=sheets,
                  about_kinds=ABOUT, questions=questions, problems=problems,
                  asked={"about_kind": ctx.field("about_kind", 20), "about": ctx.field("about", 200),
                         "text": ctx.field("text", 4000)})


@page()
def statement_download(ctx: Context) -> Response:
    collector, batch_id = path_collector(ctx), path_id(ctx, "batch_id")
    _, content = statement_workbook(ctx.config.store_url, ctx.actor, batch_id, collector, ctx.lang)
    return download(content, f"statement-{batch_id}.xlsx")


@page()
def ask(ctx: Context) -> Response:
    collector, batch_id = path_collector(ctx), path_id(ctx, "batch_id")
    try:
        ask_question(ctx.config.store_url, ctx.actor, batch_id, collector, ctx.field("about_kind", 20),
                     ctx.field("about", 200).strip(), ctx.field("text", 4000), ctx.now)
    except InputError as exc:
        return _statement(ctx, collector, batch_id, problem_lines(exc, ctx.lang), 400)
    return redirect(f"/collectors/{collector}")


@page()
def what_if_page(ctx: Context) -> Response:
    """GET with the bucket and the extra amount: nothing changes, so no form token is needed."""
    collector, batch_id = path_collector(ctx), path_id(ctx, "batch_id")
    query = ctx.request.query_params
    bucket, extra = query.get("bucket", "")[:64], query.get("extra", "")[:40]
    result = what_if(ctx.config.store_url, ctx.actor, collector, batch_id, bucket, extra)
    return render(ctx, "what_if.html", result=result, bucket=bucket, extra=extra)
