"""A manager's "compare with today": the form (a candidate plan to upload, for everyone or in place of one
plan, the periods of the archive), the comparison run as a background job (its page follows it), then
its summary, charts and workbook. Every rule and number comes from app.compare."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from ..app import jobs
from ..app.access import require
from ..app.compare import (EVERYONE, check_choices, compare_choices, compare_with_today, comparison,
                           comparison_file, keep_candidate)
from ..errors import InputError, Problem
from ..policy.yamlsource import MAX_YAML_BYTES
from .batches import download, path_id
from .page import page
from .render import field_names, problem_lines, render
from .request import Context, redirect


@page()
def compare_form(ctx: Context) -> Response:
    return _form(ctx, [])


def _form(ctx: Context, problems: list[str], status: int = 200) -> Response:
    choices = compare_choices(ctx.config.store_url, ctx.actor)
    picked = set(ctx.form.getlist("period")) if ctx.form is not None else set()
    return render(ctx, "compare.html", status=status, choices=choices, problems=problems, picked=picked,
                  mode=ctx.field("mode", 20) or EVERYONE, plan=ctx.field("plan", 200))


@page()
def compare_start(ctx: Context) -> Response:
    """Check the candidate and the choices at once (problems shown on the form), then compare in the
    background."""
    require(ctx.config.store_url, ctx.actor, "plans")
    config, actor, lang = ctx.config, ctx.actor, ctx.lang
    upload = ctx.form.get("candidate")
    periods = [p[:20] for p in ctx.form.getlist("period") if isinstance(p, str)][:100]
    mode, plan = ctx.field("mode", 20), ctx.field("plan", 200)
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError([Problem("", "", "choose the candidate plan to upload", role="candidate")])
        candidate = keep_candidate(upload.filename, upload.file.read(MAX_YAML_BYTES + 1), config.uploads_dir)
        check_choices(config.store_url, actor, mode, plan, periods)
    except InputError as exc:
        return _form(ctx, problem_lines(exc, ctx.lang), status=400)
    name = upload.filename[:200]
    job_id = jobs.start(config.store_url, "compare", actor, lambda progress: compare_with_today(
        config.store_url, actor, candidate, mode, plan, periods, lang, progress, field_names(lang), name))
    return redirect(f"/jobs/{job_id}")


@page()
def compare_result(ctx: Context) -> Response:
    found = comparison(ctx.config.store_url, ctx.actor, path_id(ctx, "job_id"))
    return render(ctx, "compare_result.html", job=found, result=found.result)


@page()
def compare_workbook(ctx: Context) -> Response:
    job_id = path_id(ctx, "job_id")
    return download(comparison_file(ctx.config.store_url, ctx.actor, job_id), f"comparison-{job_id}.xlsx")


@page()
def compare_chart(ctx: Context) -> Response:
    png = comparison_file(ctx.config.store_url, ctx.actor, path_id(ctx, "job_id"), int(ctx.request.path_params["chart"]))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
