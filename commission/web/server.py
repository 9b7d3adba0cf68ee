"""The ASGI app: its routes, and the security headers every answer carries.

Starlette rather than FastAPI: the pages are server-rendered forms, sessions live in the store, and
nothing is a JSON API, so FastAPI's models and generated API docs would add weight and no safety."""

from __future__ import annotations

import contextlib
from pathlib import Path

import anyio.to_thread

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import accounts, batches, collectors, compare, managers, questions
from .config import WebConfig

#: Every answer: scripts, styles and forms only from this server, never framed, no type sniffing, and no
#: address sent to other sites (statement pages carry pay).
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

ROUTES = [
    Route("/", collectors.home),
    Route("/login", accounts.login_form, methods=["GET"]),
    Route("/login", accounts.login, methods=["POST"]),
    Route("/logout", accounts.logout, methods=["POST"]),
    Route("/password", accounts.password_form, methods=["GET"]),
    Route("/password", accounts.password, methods=["POST"]),
    Route("/lang", accounts.switch_language, methods=["GET"]),
    Route("/users", accounts.users_page, methods=["GET"]),
    Route("/users", accounts.add_user, methods=["POST"]),
    Route("/users/{name}/password", accounts.new_password, methods=["POST"]),
    Route("/users/{name}/disable", accounts.disable_user, methods=["POST"]),
    Route("/batches", batches.batch_list, methods=["GET"]),
    Route("/batches/new", batches.new_batch_form, methods=["GET"]),
    Route("/batches/new", batches.new_batch, methods=["POST"]),
    Route("/batches/{batch_id:int}", batches.batch_page, methods=["GET"]),
    Route("/batches/{batch_id:int}/export", batches.batch_export, methods=["POST"]),
    Route("/batches/{batch_id:int}/statements", batches.batch_statements, methods=["POST"]),
    Route("/batches/{batch_id:int}/{action:str}", batches.batch_action, methods=["POST"]),
    Route("/jobs/{job_id:int}", batches.job_page, methods=["GET"]),
    Route("/questions", questions.question_list, methods=["GET"]),
    Route("/questions/{question_id:int}/answer", questions.answer, methods=["POST"]),
    Route("/collectors/{collector}", collectors.collector_home, methods=["GET"]),
    Route("/collectors/{collector}/batches/{batch_id:int}", collectors.statement_page, methods=["GET"]),
    Route("/collectors/{collector}/batches/{batch_id:int}/statement.xlsx", collectors.statement_download,
          methods=["GET"]),
    Route("/collectors/{collector}/batches/{batch_id:int}/questions", collectors.ask, methods=["POST"]),
    Route("/collectors/{collector}/batches/{batch_id:int}/what-if", collectors.what_if_page, methods=["GET"]),
    Route("/team", managers.team, methods=["GET"]),
    Route("/plans", managers.plans, methods=["GET"]),
    Route("/compare", compare.compare_form, methods=["GET"]),
    Route("/compare", compare.compare_start, methods=["POST"]),
    Route("/compare/{job_id:int}", compare.compare_result, methods=["GET"]),
    Route("/compare/{job_id:int}/comparison.xlsx", compare.compare_workbook, methods=["GET"]),
    Route("/compare/{job_id:int}/charts/{chart:int}", compare.compare_chart, methods=["GET"]),
    Mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static"),
]


class SecurityHeaders:
    """ASGI middleware adding SECURITY_HEADERS to every response, also errors and redirects."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *[(n, v) for n, v in SECURITY_HEADERS if n not in names]]
            await send(message)

        return await self.app(scope, receive, with_headers)


#: Pages at work at once in a worker: fewer than the store's connection pool (SQLAlchemy's 5 + 10), so a
#: busy server queues requests instead of timing out waiting for a connection.
PAGES_AT_ONCE = 12


@contextlib.asynccontextmanager
async def _lifespan(app):
    anyio.to_thread.current_default_thread_limiter().total_tokens = PAGES_AT_ONCE
    yield


def create_app(config: WebConfig):
    """The web app on `config`'s store (opened, and upgraded, once here)."""
    from starlette.middleware import Middleware

    from ..app.uploads import private_folders
    from ..store import open_store

    open_store(config.store_url)
    private_folders(config.reports_dir, config.uploads_dir)
    app = Starlette(routes=ROUTES, middleware=[Middleware(SecurityHeaders)], lifespan=_lifespan)
    app.state.config = config
    return app


def app_from_environment():
    """The app as `commission serve` configures its workers (each worker process builds its own)."""
    import os

    reports = Path(os.environ["COMMISSION_WEB_REPORTS"])
    inputs = os.environ.get("COMMISSION_WEB_INPUTS")
    return create_app(WebConfig(os.environ["COMMISSION_WEB_DB"], reports / "batches", reports / "uploads",
                                Path(inputs) if inputs else None, bool(os.environ.get("COMMISSION_WEB_PROXY"))))
