"""The web app on a PostgreSQL store (when CI starts one): sessions, pages, refusals, questions and
statements kept in the store behave as on SQLite."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from commission.web.server import create_app

from .conftest import build_site, sign_in

PG_URL = __import__("os").environ.get("COMMISSION_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="COMMISSION_TEST_PG_URL is not set (.ci/run starts a "
                                "PostgreSQL server and sets it)")


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory):
    name = f"t_web_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield build_site(tmp_path_factory.mktemp("pg"), PG_URL.rsplit("/", 1)[0] + f"/{name}")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))


def test_pages_on_postgresql(pg_site):
    config, passwords = pg_site
    app = create_app(config)
    cal, pax, pat = (sign_in(app, name, passwords[name]) for name in ("cal", "pax", "pat"))
    assert cal.get("/collectors/C1/batches/1").status_code == 200
    assert cal.get("/collectors/C1/batches/1").status_code == 200  # read back from the store
    assert cal.get("/collectors/C3").status_code == 404
    assert pax.post("/batches/2/approve", data={"csrf": pax.csrf}).status_code == 403
    asked = cal.post("/collectors/C1/batches/1/questions",
                     data={"about_kind": "payment", "about": "P1", "text": "why?", "csrf": cal.csrf})
    assert asked.status_code == 303
    assert "why?" in pat.get("/questions").text
