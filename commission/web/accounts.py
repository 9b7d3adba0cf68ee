"""Pages of accounts: sign in and out, change the password (forced after a one-time password), the
language switch, and the admin's users page (add a user with a one-time password, issue a new one,
disable)."""

from __future__ import annotations

import secrets

from starlette.responses import Response

from ..app.accounts import SignInRefused, change_password, issue_password, sign_in, sign_out
from ..app.users import add, disable, users
from ..errors import InputError
from ..i18n import LANGUAGES, t
from ..store import ROLES
from .page import page
from .request import LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, Context, redirect
from .render import problem_lines, render


@page(signed_in=False)
def login_form(ctx: Context) -> Response:
    if ctx.session is not None:
        return redirect("/")
    return _login(ctx, "")


def _login(ctx: Context, problem: str, status: int = 200) -> Response:
    token = ctx.request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    ctx.cookies[LOGIN_CSRF_COOKIE] = token
    response = render(ctx, "login.html", status=status, login_csrf=token, problem=problem)
    return response


@page(signed_in=False)
def login(ctx: Context) -> Response:
    try:
        session = sign_in(ctx.config.store_url, ctx.field("name", 200), ctx.field("password", 1000), ctx.client,
                          ctx.now)
    except SignInRefused:
        return _login(ctx, t("web.error.sign_in", ctx.lang), status=401)
    ctx.cookies[SESSION_COOKIE] = session.token
    return redirect("/password" if session.must_change else "/")


@page()
def logout(ctx: Context) -> Response:
    sign_out(ctx.config.store_url, ctx.session, ctx.client, ctx.now)
    ctx.cookies[SESSION_COOKIE] = ""
    return redirect("/login")


@page(may_need_new_password=True)
def password_form(ctx: Context) -> Response:
    return render(ctx, "password.html", forced=ctx.session.must_change, problems=[])


@page(may_need_new_password=True)
def password(ctx: Context) -> Response:
    try:
        fresh = change_password(ctx.config.store_url, ctx.session, ctx.field("old", 1000), ctx.field("new", 1000),
                                ctx.client, ctx.now)
    except InputError as exc:
        return render(ctx, "password.html", status=400, forced=ctx.session.must_change,
                      problems=problem_lines(exc, ctx.lang))
    ctx.cookies[SESSION_COOKIE] = fresh.token
    return redirect("/")


@page(signed_in=False)
def switch_language(ctx: Context) -> Response:
    """GET /lang?to=zh&back=/path: remember the language, go back (only to a page of ours)."""
    chosen = ctx.request.query_params.get("to", "")
    if chosen in LANGUAGES:
        ctx.cookies[LANG_COOKIE] = chosen
    return redirect(ctx.request.query_params.get("back", "/"))


@page()
def users_page(ctx: Context) -> Response:
    mode, people = users(ctx.config.store_url, ctx.actor)
    return render(ctx, "users.html", mode=mode, people=people, all_roles=ROLES, issued=None)


@page()
def add_user(ctx: Context) -> Response:
    name = ctx.field("name", 200)
    roles = [r for r in ctx.form.getlist("role") if isinstance(r, str)][:len(ROLES)]
    add(ctx.config.store_url, ctx.actor, name, roles, ctx.now, ctx.field("collector", 200), ctx.field("team", 200),
        ctx.field("note", 2000))
    return _issued(ctx, name)


@page()
def new_password(ctx: Context) -> Response:
    return _issued(ctx, ctx.request.path_params["name"])


def _issued(ctx: Context, name: str) -> Response:
    one_time = issue_password(ctx.config.store_url, ctx.actor, name, ctx.now, ctx.client)
    mode, people = users(ctx.config.store_url, ctx.actor)
    return render(ctx, "users.html", mode=mode, people=people, all_roles=ROLES, issued=(name, one_time))


@page()
def disable_user(ctx: Context) -> Response:
    disable(ctx.config.store_url, ctx.actor, ctx.request.path_params["name"], ctx.now, ctx.field("note", 2000))
    return redirect("/users")
