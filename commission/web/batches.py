"""HR's pages: the batches, a batch's totals, payouts, differences against what was paid and events;
approve / send back / lock / mark paid / discard, the payroll file download, and creating a batch from
uploaded files or the inputs folder (in the background, with a page to follow it)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.responses import Response

from ..app import jobs
from ..app.access import require
from ..app.batches import (act_on_batch, batch_details, batch_difference, batches,
                           export_batch, total_rows)
from ..app.collector_pay import keep_statements
from ..app.uploads import KINDS, MAX_FILE_BYTES, Upload, create_from_uploads, folder_inputs, picked
from ..errors import InputError, Problem
from ..periods import Period, PeriodError
from ..store import EXPORTABLE, NotFound
from ..store.batches import TRANSITIONS
from .page import page
from .request import Context, redirect
from .render import problem_lines, render

#: The largest id a path or a form may name (the store's ids are INTEGER).
MAX_ID = 2**31 - 1


def path_id(ctx: Context, name: str) -> int:
    """An id from the path (routes accept only digits), refused as not found beyond the store's range."""
    value = int(ctx.request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise NotFound(f"there is no {name} {value}")
    return value


@page()
def batch_list(ctx: Context) -> Response:
    return render(ctx, "batches.html", batches=batches(ctx.config.store_url, ctx.actor))


@page()
def batch_page(ctx: Context) -> Response:
    batch_id = path_id(ctx, "batch_id")
    details = batch_details(ctx.config.store_url, batch_id, ctx.actor, ctx.lang)
    diff = batch_difference(ctx.config.store_url, ctx.actor, batch_id, lang=ctx.lang)
    codes = [c for c in details.collectors.columns if c not in ("collector_id", "employee_id", "name", "total", "why")]
    sort = ctx.request.query_params.get("sort", "collector_id")
    collectors = details.collectors.sort_values(sort if sort in ("collector_id", "name", "total") else "collector_id",
                                                ascending=sort != "total", kind="stable")
    totals = total_rows(details.totals, diff.minor_units, ctx.lang)
    return render(ctx, "batch.html", batch=details.record, details=details, collectors=collectors, codes=codes,
                  totals=totals, diff=diff, exportable="export" in details.actions, may_send_back="send-back" in details.actions,
                  statements=details.record.status in EXPORTABLE,
                  actions=[a for a in details.actions if a not in ("send-back", "export")])


@page()
def batch_action(ctx: Context) -> Response:
    batch_id = path_id(ctx, "batch_id")
    action = ctx.request.path_params["action"]
    if action not in TRANSITIONS:
        raise NotFound(f"no action {action}")
    act_on_batch(ctx.config.store_url, batch_id, action, ctx.actor, ctx.now, ctx.field("note", 2000))
    return redirect(f"/batches/{batch_id}")


@page()
def batch_export(ctx: Context) -> Response:
    """The payroll file and its control file (count and totals), as the CLI writes them side by side, in
    one zip."""
    batch_id = path_id(ctx, "batch_id")
    file_format = "xlsx" if ctx.field("format", 10) == "xlsx" else "csv"
    with tempfile.TemporaryDirectory(prefix="commission-export-") as scratch:
        name = f"payroll-batch-{batch_id}.{file_format}"
        done = export_batch(ctx.config.store_url, batch_id, file_format, Path(scratch) / name, ctx.actor, ctx.now,
                            ctx.field("note", 2000), shown_as=name)
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in (done.path, Path(done.control["control_file"])):
                bundle.write(path, path.name)
    return download(content.getvalue(), f"payroll-batch-{batch_id}.zip")


#: What a download is, by the end of its name.
KINDS_OF_FILE = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".zip": "application/zip", ".csv": "text/csv; charset=utf-8"}


def download(content: bytes, name: str) -> Response:
    """A file to save, never to show in the browser (its name is ours: digits and a fixed text)."""
    kind = KINDS_OF_FILE[Path(name).suffix]
    return Response(content, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                       "Cache-Control": "no-store"})


@page()
def batch_statements(ctx: Context) -> Response:
    """Make and keep every statement of the batch in the background, for collectors' pages."""
    batch_id, config, actor = path_id(ctx, "batch_id"), ctx.config, ctx.actor
    require(config.store_url, actor, "read")
    job_id = jobs.start(config.store_url, "statements", actor, lambda progress: {
        "batch_id": batch_id, "statements": keep_statements(config.store_url, actor, batch_id, progress=progress)})
    return redirect(f"/jobs/{job_id}")


@page()
def new_batch_form(ctx: Context) -> Response:
    require(ctx.config.store_url, ctx.actor, "create")
    return _new_form(ctx, [], "")


def _new_form(ctx: Context, problems: list[str], period: str, status: int = 200) -> Response:
    folder = ctx.config.inputs_dir
    return render(ctx, "batch_new.html", status=status, kinds=list(KINDS), problems=problems, period=period,
                  folder_files=folder_inputs(folder) if folder else [])


@page()
def new_batch(ctx: Context) -> Response:
    """Check what was sent, then create the batch in the background; the page of its job follows it."""
    require(ctx.config.store_url, ctx.actor, "create")
    period_text = ctx.field("period", 40)
    uploads, problems = [], []
    for kind in KINDS:
        for item in ctx.form.getlist(kind):
            if isinstance(item, UploadFile) and item.filename:
                content = item.file.read(MAX_FILE_BYTES + 1)
                uploads.append(Upload(kind, item.filename[:200], content))
    try:
        period = Period.parse(period_text)
    except PeriodError as exc:
        problems.append(Problem("", "", str(exc), role="period"))
        period = None
    pay_date = None
    if ctx.field("pay_date", 20):
        try:
            pay_date = date.fromisoformat(ctx.field("pay_date", 20))
        except ValueError:
            problems.append(Problem("", "", "is not a date YYYY-MM-DD", role="pay_date"))
    picks = {key[len("pick:"):]: value for key, value in ctx.form.multi_items()
             if key.startswith("pick:") and isinstance(value, str) and value in KINDS}
    if picks and ctx.config.inputs_dir:
        try:
            uploads += picked(ctx.config.inputs_dir, picks)
        except InputError as exc:
            problems += exc.problems
    if not uploads and not picks:
        problems.append(Problem("", "", "choose the files to upload", role="files"))
    if problems:
        return _new_form(ctx, problem_lines(InputError(problems), ctx.lang), period_text, status=400)
    config, actor, first = ctx.config, ctx.actor, ctx.field("first_period", 10) == "yes"
    note = ctx.field("note", 2000)

    def work(progress) -> dict:
        created = create_from_uploads(config.store_url, actor, uploads, period, first, pay_date, config.uploads_dir,
                                      config.reports_dir, jobs.utc_now(), note, progress)
        return {"batch_id": created.batch.id, "rows": created.batch.rows, "kind": created.batch.kind}

    job_id = jobs.start(config.store_url, "batch", actor, work)
    return redirect(f"/jobs/{job_id}")


@page()
def job_page(ctx: Context) -> Response:
    found = jobs.job(ctx.config.store_url, ctx.actor, path_id(ctx, "job_id"))
    return render(ctx, "job.html", job=found)
