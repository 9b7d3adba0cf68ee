"""A manager's pages: their team's pay in a batch, and the plans in words with their health checks."""

from __future__ import annotations

from starlette.responses import Response

from ..app.manager import plans_in_words, team_pay
from .page import page
from .render import render
from .request import Context


@page()
def team(ctx: Context) -> Response:
    chosen = ctx.request.query_params.get("batch", "")
    pay = team_pay(ctx.config.store_url, ctx.actor, int(chosen) if chosen.isdigit() and len(chosen) < 10 else None)
    return render(ctx, "team.html", pay=pay, codes=pay.codes)


@page()
def plans(ctx: Context) -> Response:
    batch_id, words = plans_in_words(ctx.config.store_url, ctx.actor, ctx.lang)
    return render(ctx, "plans.html", batch_id=batch_id, plans=words)
