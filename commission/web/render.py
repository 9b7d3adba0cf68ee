"""Pages from Jinja2 templates, every text escaped (autoescape on; nothing is ever marked safe), every
word from the translation catalogue (commission.i18n, keys web.*), numbers and dates by CLDR."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from .. import __version__
from ..i18n import LANGUAGES, money, percent, t
from .request import Context

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(ctx: Context, template: str, status: int = 200, **values) -> HTMLResponse:
    """The page `template` in the request's language, with the navigation its roles use."""
    lang = ctx.lang

    def words(key: str, **fill) -> str:
        return t(key, lang, **fill)

    def amount(minor, minor_units: int = 2) -> str:
        return money(int(minor), int(minor_units), lang)

    def ratio(numerator, denominator) -> str:
        return percent(int(numerator), int(denominator), lang)

    html = environment().get_template(template).render(
        _=words, amount=amount, ratio=ratio, lang=lang, languages=LANGUAGES, roles=ctx.roles, actor=ctx.actor,
        csrf=ctx.session.csrf if ctx.session else "", path=ctx.request.url.path, version=__version__, **values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(ctx: Context, status: int, key: str, detail: str = "") -> HTMLResponse:
    """A refusal as a page: its kind in words and, for a rule or a problem, the application's own message
    (one line per problem, as the CLI prints them)."""
    return render(ctx, "error.html", status=status, message_key=key, lines=detail.splitlines())
