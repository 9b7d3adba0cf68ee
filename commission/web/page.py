"""Every page's handling: its Context, the CSRF check on every POST, sign-in and a changed one-time
password required first, and one mapping of the application's refusals to answers: refused by a role
or a two-person rule 403, outside the person's scope or missing 404, a problem with what was sent 400
with its one-line messages; never a 500 for anything a user can send. Every POST of a signed-in
person goes into the event log with their client's address."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timezone
from typing import Awaitable, Callable

from sqlalchemy.exc import OperationalError, TimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..app.access import Refused
from ..app.accounts import current_session, record_request
from ..errors import InputError
from ..periods import PeriodError
from ..store import NotFound, StoreError
from .config import WebConfig
from .render import error_page
from .request import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Context, client_address, is_secure, language, set_cookie


Handler = Callable[[Context], Response]


def page(signed_in: bool = True, may_need_new_password: bool = False):
    """Wrap a handler: build its Context, refuse a POST without the session's (or the sign-in form's) CSRF
    token, send anyone not signed in to /login, and anyone with a one-time password to /password; run the
    handler in a thread (it calls the store); map the application's refusals to 403 / 404 / 400 pages."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            config: WebConfig = request.app.state.config
            ctx = Context(request, config, client_address(request, config), language(request),
                          is_secure(request, config), datetime.now(timezone.utc))
            token = request.cookies.get(SESSION_COOKIE, "")
            if token:
                ctx.session = await run_in_threadpool(current_session, config.store_url, token, ctx.now)
            if signed_in and ctx.session is None:
                if request.method == "POST":
                    return error_page(ctx, 403, "web.error.signed_out")
                return RedirectResponse("/login", status_code=303)
            if signed_in and ctx.session.must_change and not may_need_new_password:
                return RedirectResponse("/password", status_code=303)
            if request.method == "POST":
                if int(request.headers.get("content-length") or 0) > config.max_request_bytes:
                    return error_page(ctx, 413, "web.error.too_large")
                try:
                    ctx.form = await request.form(max_files=64, max_fields=200, max_part_size=4 * 1024 * 1024)
                except (MultiPartException, HTTPException, ValueError):  # malformed, or beyond the limits
                    return error_page(ctx, 400, "web.error.bad_form")
                expected = ctx.session.csrf if ctx.session else request.cookies.get(LOGIN_CSRF_COOKIE, "")
                if not expected or not secrets.compare_digest(ctx.field("csrf", 200).encode(), expected.encode()):
                    return error_page(ctx, 403, "web.error.csrf")
            try:
                response = await run_in_threadpool(handler, ctx)
                outcome = "ok"
            except Refused as exc:
                response, outcome = error_page(ctx, 403, "web.error.refused", exc), "refused"
            except NotFound:
                response, outcome = error_page(ctx, 404, "web.error.not_found"), "not found"
            except InputError as exc:
                response, outcome = error_page(ctx, 400, "web.error.problems", exc), "problems"
            except (StoreError, PeriodError) as exc:
                response, outcome = error_page(ctx, 409, "web.error.refused", exc), "refused"
            except (TimeoutError, OperationalError):  # the store is busy (locked, or every connection in use)
                response, outcome = error_page(ctx, 503, "web.error.busy"), "busy"
            if request.method == "POST" and ctx.session is not None:
                await run_in_threadpool(record_request, config.store_url, ctx.actor, f"POST {request.url.path}",
                                        ctx.client, ctx.now, outcome)
            for name, value in ctx.cookies.items():
                set_cookie(response, ctx, name, value)
            return response

        return endpoint

    return wrap


