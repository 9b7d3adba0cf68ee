"""Accounts: one-time passwords changed at the first sign-in, lockout with back-off, sign-out, sessions
that expire, cookies and headers, CSRF on every form, and the event log of it all with the client."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from commission.app.accounts import SignInRefused, current_session, issue_password, sign_in
from commission.app.users import add
from commission.web.config import WebConfig
from commission.web.server import create_app

from .conftest import NOW, PASSWORD, csrf_of, sign_in as web_sign_in


def events(url: str, action: str) -> list[dict]:
    with sa.create_engine(url).connect() as connection:
        rows = connection.execute(sa.text("SELECT actor, subject, detail FROM events WHERE action = :a ORDER BY id"),
                                  {"a": action}).all()
    return [{"actor": a, "subject": s, **json.loads(d)} for a, s, d in rows]


def newcomer(site, name: str, roles=("auditor",), collector: str = "") -> str:
    """A new user of this test alone (the shared clients keep theirs); returns their one-time password."""
    add(site[0].store_url, "ada", name, roles, NOW, collector)
    return issue_password(site[0].store_url, "ada", name, NOW)


def fresh(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def test_a_one_time_password_must_be_changed_before_anything_else(app, site):
    config, _ = site
    one_time = newcomer(site, "newbie")
    client = fresh(app)
    login = client.get("/login")
    answer = client.post("/login", data={"name": "newbie", "password": one_time, "csrf": csrf_of(login.text)})
    assert (answer.status_code, answer.headers["location"]) == (303, "/password")
    assert client.get("/batches").headers["location"] == "/password"
    form = client.get("/password")
    short = client.post("/password", data={"old": one_time, "new": "short", "csrf": csrf_of(form.text)})
    assert short.status_code == 400 and "a password has at least 12 characters" in short.text
    done = client.post("/password", data={"old": one_time, "new": PASSWORD, "csrf": csrf_of(form.text)})
    assert done.status_code == 303
    assert client.get("/batches").status_code == 200
    with sa.create_engine(config.store_url).connect() as connection:
        stored = connection.execute(sa.text("SELECT hash FROM credentials WHERE name = 'newbie'")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored and one_time not in stored


REFUSED = "Wrong name or password (after 5 failures in a row an account is locked for a while): try again later"


def problem_of(page: str) -> str:
    return page.split('<p class="problem" role="alert">')[1].split("</p>")[0]


def test_wrong_password_unknown_name_and_locked_account_read_the_same(app, site):
    newcomer(site, "lena")
    client = fresh(app)
    token = csrf_of(client.get("/login").text)
    answers = [client.post("/login", data={"name": name, "password": "nope", "csrf": token})
               for name in ["lena"] * 6 + ["nobody"] * 6]  # lena's 6th try meets a locked account
    assert {a.status_code for a in answers} == {401}
    assert {problem_of(a.text) for a in answers} == {REFUSED}
    assert [e["subject"] for e in events(site[0].store_url, "sign-in-locked")] == ["user:lena"]
    client.cookies.set("commission_lang", "zh")
    chinese = client.post("/login", data={"name": "nobody", "password": "nope", "csrf": token})
    assert problem_of(chinese.text) == "用户名或密码错误（连续失败 5 次后账户将暂时锁定）：请稍后再试"


def locked_until(url: str, name: str):
    from commission.store.accounts import utc

    with sa.create_engine(url).connect() as connection:
        return utc(connection.execute(sa.select(sa.column("locked_until", sa.DateTime(timezone=True)))
                                      .select_from(sa.table("credentials")).where(sa.column("name") == name))
                   .scalar_one())


def test_lockout_after_five_failures_doubles_with_each_further_one(site):
    url = site[0].store_url
    one_time = newcomer(site, "locky")
    for n in range(5):
        with pytest.raises(SignInRefused):
            sign_in(url, "locky", "bad guess", "10.0.0.9", NOW + timedelta(seconds=n))
    assert locked_until(url, "locky") == NOW + timedelta(minutes=1, seconds=4)  # 1 minute after the 5th
    with pytest.raises(SignInRefused):  # locked: even the right password is refused
        sign_in(url, "locky", one_time, "10.0.0.9", NOW + timedelta(seconds=30))
    with pytest.raises(SignInRefused):  # the 6th failure, after the first lock
        sign_in(url, "locky", "bad guess", "10.0.0.9", NOW + timedelta(seconds=65))
    assert locked_until(url, "locky") == NOW + timedelta(minutes=3, seconds=5)  # now 2 minutes
    with pytest.raises(SignInRefused):
        sign_in(url, "locky", one_time, "10.0.0.9", NOW + timedelta(seconds=70))
    session = sign_in(url, "locky", one_time, "10.0.0.9", NOW + timedelta(minutes=4))
    assert session.must_change
    failed = [e for e in events(url, "sign-in-failed") if e["subject"] == "user:locky"]
    assert len(failed) == 6 and {e["client"] for e in failed} == {"10.0.0.9"}


def test_sessions_expire_after_eight_hours(site):
    url = site[0].store_url
    one_time = newcomer(site, "timmy")
    session = sign_in(url, "timmy", one_time, "127.0.0.1", NOW)
    assert current_session(url, session.token, NOW + timedelta(hours=7, minutes=59)) is not None
    assert current_session(url, session.token, NOW + timedelta(hours=8)) is None
    assert current_session(url, "not-a-token", NOW) is None


def test_an_expired_session_is_sent_to_sign_in(app, site):
    url = site[0].store_url
    one_time = newcomer(site, "olga", ("approver",))
    old = sign_in(url, "olga", one_time, "127.0.0.1", NOW - timedelta(days=1))
    client = fresh(app)
    client.cookies.set("commission_session", old.token)
    assert client.get("/batches").headers["location"] == "/login"
    assert client.post("/batches/1/approve", data={"csrf": old.csrf}).status_code == 403


def test_sign_out_ends_the_session(app, site):
    client = web_sign_in(app, "carl", newcomer(site, "carl", ("collector",), "C1"))
    token = client.cookies.get("commission_session")
    out = client.post("/logout", data={"csrf": client.csrf})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    again = fresh(app)
    again.cookies.set("commission_session", token)
    assert again.get("/collectors/C1").headers["location"] == "/login"
    assert [e["client"] for e in events(site[0].store_url, "signed-out")] == ["testclient"]


def test_posts_without_the_sessions_csrf_token_are_refused(app, site, clients):
    pat, abe = clients["pat"], clients["abe"]
    for data in ({}, {"csrf": ""}, {"csrf": pat.csrf}, {"csrf": "x" * 43}):
        refused = abe.post("/batches/2/approve", data=data)
        assert refused.status_code == 403 and "did not come from this site" in refused.text
    login = fresh(app).post("/login", data={"name": "pat", "password": PASSWORD})
    assert login.status_code == 403


def test_cookies_and_security_headers(app, site):
    client = fresh(app)
    page = client.get("/login")
    assert page.headers["content-security-policy"].startswith("default-src 'self'; frame-ancestors 'none'")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    one_time = newcomer(site, "cookie")
    answer = client.post("/login", data={"name": "cookie", "password": one_time, "csrf": csrf_of(page.text)})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_cookies_are_secure_behind_a_trusted_tls_proxy(site):
    config = site[0]
    behind = create_app(WebConfig(config.store_url, config.reports_dir, config.uploads_dir, trust_proxy=True))
    client = TestClient(behind, base_url="https://testserver", follow_redirects=False)
    headers = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7, 10.1.1.1"}
    page = client.get("/login", headers=headers)
    one_time = newcomer(site, "proxied")
    answer = client.post("/login", headers=headers,
                         data={"name": "proxied", "password": one_time, "csrf": csrf_of(page.text)})
    assert "secure" in answer.headers["set-cookie"].lower()
    assert events(config.store_url, "signed-in")[-1] == {"actor": "proxied", "subject": "user:proxied",
                                                         "client": "10.1.1.1"}
    untrusted = TestClient(create_app(config), follow_redirects=False)
    assert "secure" not in untrusted.get("/login", headers=headers).headers["set-cookie"].lower()


def test_every_post_is_in_the_event_log_with_the_client(clients, site):
    clients["aud"].post("/batches/2/approve", data={"csrf": clients["aud"].csrf})
    logged = events(site[0].store_url, "web")[-1]
    assert logged == {"actor": "aud", "subject": "POST /batches/2/approve", "client": "testclient",
                      "outcome": "refused"}


def test_the_language_switch_goes_back_only_to_our_pages(app):
    client = fresh(app)
    for back in ("//evil.example/", "/\\evil.example/", "https://evil.example/", "/\t/evil.example"):
        answer = client.get("/lang", params={"to": "zh", "back": back})
        assert answer.headers["location"] == "/", back
    answer = client.get("/lang", params={"to": "zh", "back": "/batches"})
    assert answer.headers["location"] == "/batches" and "commission_lang=zh" in answer.headers["set-cookie"]
    assert "登录" in client.get("/login").text


def test_the_users_page_refuses_an_admin_who_pays_and_a_look_alike_name(clients):
    ada = clients["ada"]
    for form, problem in (({"name": "adam", "role": ["admin", "payer"]},
                           "an admin manages users and never prepares, approves or pays: give admin and payer to "
                           "different people"),
                          ({"name": "PAT", "role": ["auditor"]},
                           "a user&#39;s name &#39;PAT&#39; reads the same as the existing user &#39;pat&#39;")):
        refused = ada.post("/users", data={**form, "csrf": ada.csrf})
        assert refused.status_code == 400 and problem in refused.text, refused.text[-800:]
    listed = ada.get("/users").text
    assert "adam" not in listed and "PAT" not in listed
