"""A small store with people in every role and three batches, served through Starlette's TestClient.

Batch 1 (July, locked): C1 and C2 of Team A, C3 of Team B. Batch 2 (August, draft, prepared by pax).
Users: ada admin, pat preparer, abe approver, pam payer, aud auditor, mia manager of Team A, cal
collector C1, cat collector C3, and pax, who prepares and approves (to meet the two-person rule)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from argon2 import PasswordHasher

from commission.app import accounts
from commission.app.accounts import issue_password
from commission.app.batches import act_on_batch, create_payout_batch
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest
from commission.app.users import add, set_up_store
from commission.periods import Period
from commission.web.config import WebConfig
from commission.web.server import create_app

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
PLAN = """plan: web
version: 1
effective: 2026-01-01
currency: CNY
classify:
  bucket:
    M1: "[1, 30]"
    M2: "[31, 60]"
    M3+: "[61, inf)"
components:
  - id: base
    kind: line_rate
    rates:
      - {rate: 5%}
"""
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A0000001,2026-07-05,1000.00,10,5000
P2,C2,A0000002,2026-07-06,4000.00,10,5000
P3,C3,A0000003,2026-07-07,2000.00,10,5000
P4,C1,A0000004,2026-08-05,3000.00,10,5000
P5,C3,A0000005,2026-08-07,500.00,10,5000
"""
ROSTER = """collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team A,E2
C3,<script>alert(1)</script>,Team B,E3
"""
PASSWORD = "correct horse battery"
USERS = {"pat": (["preparer"], "", ""), "abe": (["approver"], "", ""), "pam": (["payer"], "", ""),
         "aud": (["auditor"], "", ""), "mia": (["manager"], "", "Team A"), "cal": (["collector"], "C1", ""),
         "cat": (["collector"], "C3", ""), "pax": (["preparer", "approver"], "", "")}
ROLES = ["ada", *USERS]
#: Argon2 at its cheapest, for tests only: the server's default costs about 50 ms a hash by design.
accounts._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def write_inputs(folder: Path) -> Path:
    for name, text in (("plan.yaml", PLAN), ("ledger.csv", LEDGER), ("roster.csv", ROSTER)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(config, {name: one-time password}) of a store with the users and batches above, in SQLite."""
    folder = tmp_path_factory.mktemp("web")
    return build_site(folder, f"sqlite:///{folder / 'store.db'}")


def build_site(folder: Path, url: str):
    write_inputs(folder)
    set_up_store(url, "ada", False, NOW)
    for name, (roles, collector, team) in USERS.items():
        add(url, "ada", name, roles, NOW, collector, team)
    paths = InputPaths([folder / "plan.yaml"], [folder / "ledger.csv"], folder / "roster.csv")
    create_payout_batch(RunRequest(paths, Period.parse("2026-07"), first_period=True), url, folder / "july", "pat", NOW)
    act_on_batch(url, 1, "approve", "abe", NOW)
    act_on_batch(url, 1, "lock", "pam", NOW)
    create_payout_batch(RunRequest(paths, Period.parse("2026-08")), url, folder / "august", "pax", NOW)
    config = WebConfig(url, folder / "reports", folder / "uploads")
    return config, {name: issue_password(url, "ada", name, NOW) for name in ROLES}


@pytest.fixture(scope="module")
def app(site):
    return create_app(site[0])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(app, name: str, one_time: str) -> TestClient:
    """A client signed in as `name`, their one-time password changed to PASSWORD (or signed in with
    PASSWORD when it already was)."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/login")
    answer = client.post("/login", data={"name": name, "password": one_time, "csrf": csrf_of(page.text)})
    if answer.status_code == 401:
        answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert answer.status_code == 303, answer.text
    if answer.headers["location"] == "/password":
        form = client.get("/password")
        changed = client.post("/password", data={"old": one_time, "new": PASSWORD, "csrf": csrf_of(form.text)})
        assert changed.status_code == 303, changed.text
    client.csrf = csrf_of(client.get("/password").text)
    return client


@pytest.fixture(scope="module")
def clients(app, site):
    """A signed-in client for every user."""
    return {name: sign_in(app, name, site[1][name]) for name in ROLES}
