"""Every route x every role: allowed (200, or 303 after a change) or refused (403 for a role or a
two-person rule, 404 outside the person's scope), never a 500. Routes are read from the app, so a new
route without a row here fails the test."""

from __future__ import annotations

import re

import pytest

from commission.web.server import ROUTES

from .conftest import ROLES

READERS = {"ada", "pat", "abe", "pam", "aud", "pax"}  # access.py: read = preparer, approver, payer, auditor, admin
EVERYONE = set(ROLES)


def expect(allowed: set, status: int = 200, **others) -> dict:
    """{user: status}: `allowed` get `status`, the named users their own, everyone else 403."""
    return {user: status if user in allowed else others.get(user, 403) for user in ROLES}


def scoped(allowed: set, status: int = 200) -> dict:
    """Readers and `allowed` see it; every other signed-in person is told it does not exist (404)."""
    return {user: status if user in READERS | allowed else 404 for user in ROLES}


#: (method, path, form, {user: status}); None: allowed, and made in order in test_workflow.py (so the
#: refusals here hold whatever the order the tests run in).
MATRIX = [
    ("GET", "/", None, {user: 303 for user in ROLES}),
    ("GET", "/batches", None, expect(READERS)),
    ("GET", "/batches/1", None, expect(READERS)),
    ("GET", "/batches/2", None, expect(READERS)),
    ("GET", "/batches/99", None, expect(set(), **{u: 404 for u in READERS})),
    ("GET", "/batches/99999999999", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/batches/new", None, expect({"pat", "pax"})),
    ("GET", "/questions", None, expect(READERS)),
    ("GET", "/users", None, expect(READERS)),
    ("GET", "/team", None, expect({"mia"})),
    ("GET", "/plans", None, expect({"mia"})),
    ("GET", "/compare", None, expect({"mia"})),
    ("GET", "/compare/999", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/compare/999/comparison.xlsx", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/compare/999/charts/0", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/jobs/1", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/collectors/C1", None, scoped({"cal", "mia"})),
    ("GET", "/collectors/C3", None, scoped({"cat"})),
    ("GET", "/collectors/C9", None, expect(set(), **{u: 404 for u in EVERYONE})),
    ("GET", "/collectors/C1/batches/1", None, scoped({"cal", "mia"})),
    ("GET", "/collectors/C3/batches/1", None, scoped({"cat"})),
    ("GET", "/collectors/C1/batches/2", None, scoped(set())),  # a draft: HR only
    ("GET", "/collectors/C1/batches/1/statement.xlsx", None, scoped({"cal", "mia"})),
    ("GET", "/collectors/C3/batches/1/statement.xlsx", None, scoped({"cat"})),
    ("GET", "/collectors/C1/batches/1/what-if", None, scoped({"cal", "mia"})),
    ("GET", "/collectors/C1/batches/2/what-if", None, scoped(set())),
    ("GET", "/password", None, {user: 200 for user in ROLES}),
    ("GET", "/login", None, {user: 303 for user in ROLES}),
    ("GET", "/lang", None, {user: 303 for user in ROLES}),
    ("POST", "/batches/2/approve", {}, expect(set(), abe=None, pax=403)),  # pax prepared it: two-person rule
    ("POST", "/batches/2/send-back", {"note": "why"}, expect(set(), abe=None, pax=None)),
    ("POST", "/batches/2/lock", {}, expect(set(), pam=None)),
    ("POST", "/batches/2/mark-paid", {}, expect(set(), pam=None)),
    ("POST", "/batches/2/discard", {}, expect(set(), pat=None, pax=None, abe=None)),
    ("POST", "/batches/2/export", {}, expect(set(), pam=None)),
    ("POST", "/batches/1/statements", {}, expect(READERS, 303)),
    ("POST", "/batches/2/unknown", {}, expect(set(), **{u: 404 for u in EVERYONE})),
    ("POST", "/batches/new", {"period": "2026-09"}, expect(set(), pat=400, pax=400)),  # no files: the form's error
    ("POST", "/compare", {"period": "2026-07"}, expect(set(), mia=400)),  # no candidate: the form's error
    ("POST", "/questions/999/answer", {"verdict": "correct", "answer": "ok"}, expect(set(), pat=404, pax=404)),
    ("POST", "/collectors/C1/batches/1/questions", {"about_kind": "payment", "about": "P1", "text": "?"},
     expect(set(), cat=404, cal=303)),
    ("POST", "/collectors/C1/batches/2/questions", {"about_kind": "payment", "about": "P4", "text": "?"},
     expect(set(), cat=404, cal=None)),  # cal's once batch 2 is approved (test_workflow.py)
    ("POST", "/users", {"name": "eve", "role": "auditor"}, expect(set(), ada=200)),
    ("POST", "/users/nobody/password", {}, expect(set(), ada=400)),
    ("POST", "/users/nobody/disable", {}, expect(set(), ada=409)),
    ("POST", "/password", {"old": "wrong", "new": "short"}, {user: 400 for user in ROLES}),
    ("POST", "/logout", None, {}),  # test_accounts.py
    ("POST", "/login", None, {}),  # test_accounts.py
]
#: Skipped in the loop below (they end or begin sessions), checked in test_accounts.py.
ELSEWHERE = {("POST", "/logout"), ("POST", "/login")}


def shape(path: str) -> str:
    """A path with its ids and names as X: /batches/2/approve and /batches/{batch_id:int}/{action:str} match."""
    return re.sub(r"/(\{[^}]+\}|\d+|C\d|nobody|unknown|approve|send-back|lock|mark-paid|discard)(?=/|$)", "/X", path)


def test_every_route_is_in_the_matrix():
    routes = {(method, shape(route.path)) for route in ROUTES for method in getattr(route, "methods", None) or ()
              if method != "HEAD"}
    assert routes - {(method, shape(path)) for method, path, _, _ in MATRIX} == set()


@pytest.mark.parametrize("method,path,form,expected", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_route_by_role(clients, method, path, form, expected):
    if (method, path) in ELSEWHERE:
        return
    for user, status in expected.items():
        if status is None:
            continue
        client = clients[user]
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data={**(form or {}), "csrf": client.csrf})
        assert answer.status_code == status, f"{user}: {method} {path} -> {answer.status_code}: {answer.text[-600:]}"


def test_a_managers_team(clients):
    """mia manages Team A: C1 (July: 1,000.00 recovered, 5% = 50.00) and C2 (4,000.00, 200.00); C3 is Team B's."""
    page = clients["mia"].get("/team?batch=1").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert ">C1<" in rows and ">C2<" in rows and ">C3<" not in rows
    assert '<td class="num">50.00</td>' in rows and '<td class="num">1,000.00</td>' in rows
    assert '<td class="num">200.00</td>' in rows and '<td class="num">4,000.00</td>' in rows
    assert clients["mia"].get("/team?batch=2").status_code == 404  # a draft
