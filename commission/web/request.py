"""One request as a page sees it: the signed-in session, the client's address (from a trusted proxy
only), whether it came by TLS, the language, the form sent, and the cookies to set on the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..app.accounts import Session
from ..i18n import LANGUAGES
from .config import WebConfig

SESSION_COOKIE, LANG_COOKIE, LOGIN_CSRF_COOKIE = "commission_session", "commission_lang", "commission_login"


@dataclass
class Context:
    """One request as a page handler sees it."""

    request: Request
    config: WebConfig
    client: str
    lang: str
    secure: bool
    now: datetime
    session: Optional[Session] = None
    form: Optional[FormData] = None
    cookies: dict = field(default_factory=dict)  # cookies to set on the answer: name -> value ("" deletes)

    @property
    def actor(self) -> str:
        return self.session.user.name if self.session else ""

    @property
    def roles(self) -> tuple[str, ...]:
        return self.session.user.roles if self.session else ()

    def field(self, name: str, limit: int = 4000) -> str:
        value = self.form.get(name, "") if self.form is not None else ""
        return value[:limit] if isinstance(value, str) else ""


def client_address(request: Request, config: WebConfig) -> str:
    """The client's address: the proxy's X-Forwarded-For (its last entry, the one the proxy added) only
    when the server is told to trust its proxy."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if config.trust_proxy and forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else ""


def is_secure(request: Request, config: WebConfig) -> bool:
    if config.secure_cookies is not None:
        return config.secure_cookies
    proto = request.headers.get("x-forwarded-proto", "") if config.trust_proxy else ""
    return request.url.scheme == "https" or proto == "https"


def language(request: Request) -> str:
    """The language chosen with the switch, else the browser's first of ours (Accept-Language), else English."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def set_cookie(response: Response, ctx: Context, name: str, value: str) -> None:
    """A cookie the page's scripts cannot read, not sent from other sites' forms, only by https when the
    server is behind TLS; an empty value deletes it."""
    if not value:
        response.delete_cookie(name, path="/", secure=ctx.secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(name, value, path="/", secure=ctx.secure, httponly=True, samesite="lax",
                            max_age=None if name == SESSION_COOKIE else 365 * 24 * 3600)


def redirect(path: str) -> RedirectResponse:
    """After a POST, back to a page of ours (303: the browser asks it with GET)."""
    local = path.startswith("/") and not path.startswith("//") and "\\" not in path and not any(
        ord(c) < 32 for c in path)
    return RedirectResponse(path if local else "/", status_code=303)
