"""Pages from Jinja2 templates, every text escaped (autoescape on; nothing is ever marked safe), every
word from the translation catalogue (commission.i18n, keys web.*), numbers and dates by CLDR."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from .. import __version__
from ..app.questions import ABOUT
from ..errors import InputError, Names, with_names
from ..i18n import LANGUAGES, money, percent, t, word
from .request import Context

TEMPLATES = Path(__file__).with_name("templates")
#: The web's name for an input or option a message is about (errors.option, a Problem's role): the label
#: of the form's field that gives it. A role no form has keeps its own name.
FIELDS = {**{kind: f"web.input.{kind}" for kind in ("policy", "ledger", "roster", "targets", "assignments",
                                                     "events", "state")},
          "period": "common.period", "pay_date": "common.pay_date", "first-period": "web.batch.first_period",
          "note": "web.note", "files": "web.batch.files", "kind": "web.batch.kind",
          "candidate": "web.compare.candidate", "plan": "web.compare.plan", "mode": "web.compare.who",
          "replace": "web.compare.plan", "about": "web.question.about", "text": "web.question.text",
          "answer": "web.question.answer", "corrected_in": "web.question.accepted_in",
          "bucket": "web.what_if.bucket", "extra": "web.what_if.extra", "old": "web.password.old",
          "new": "web.password.new", "name": "web.name", "role": "web.roles", "collector": "common.collector",
          "team": "common.team"}


def field_names(lang: str) -> Names:
    """How the web names an input or option inside a message: its field's label, quoted, in `lang`."""
    return lambda role: t("web.field", lang, name=t(FIELDS[role], lang) if role in FIELDS else role)


def problem_lines(exc: Exception, lang: str) -> list[str]:
    """A problem with what was sent, or a refusal, as the web shows it: one line per problem (as the CLI
    prints them), each input or option named by its field."""
    names = field_names(lang)
    return (exc.render(names) if isinstance(exc, InputError) else with_names(str(exc), names)).splitlines()


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

    def pay_code(code: str) -> str:
        return word("pay_code", code, lang)

    def about(text: str) -> str:
        """What a question is about ("payment P4") with its kind in words."""
        kind, _, what = str(text).partition(" ")
        return f"{words('web.question.kind.' + kind)} {what}" if kind in ABOUT else str(text)

    html = environment().get_template(template).render(
        _=words, amount=amount, ratio=ratio, pay_code=pay_code, about=about,
        named=lambda text: with_names(text, field_names(lang)), lang=lang, languages=LANGUAGES, roles=ctx.roles,
        actor=ctx.actor, csrf=ctx.session.csrf if ctx.session else "", path=ctx.request.url.path, version=__version__, **values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(ctx: Context, status: int, key: str, exc: Optional[Exception] = None) -> HTMLResponse:
    """A refusal as a page: its kind in words and, for a rule or a problem, the application's own message
    (problem_lines)."""
    return render(ctx, "error.html", status=status, message_key=key,
                  lines=problem_lines(exc, ctx.lang) if exc is not None else [])
