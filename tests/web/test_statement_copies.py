"""A statement is made once and read back from the store while the facts it shows stay the same; a change
of them (here: the batch marked paid) makes a new one."""

from __future__ import annotations

import sqlalchemy as sa


def copies(url: str) -> list[tuple]:
    with sa.create_engine(url).connect() as connection:
        return connection.execute(sa.text("SELECT batch_id, collector_id, lang FROM statement_copies "
                                          "ORDER BY facts_sha256")).all()


def test_made_once_then_read_back(site, clients):
    url, cal = site[0].store_url, clients["cal"]
    first = cal.get("/collectors/C1/batches/1/statement.xlsx")
    again = cal.get("/collectors/C1/batches/1/statement.xlsx")
    page = cal.get("/collectors/C1/batches/1")
    assert first.status_code == again.status_code == page.status_code == 200
    assert first.content == again.content and first.content[:2] == b"PK"
    assert copies(url) == [(1, "C1", "en")]
    assert "locked for payroll" in page.text
    assert clients["pam"].post("/batches/1/mark-paid", data={"csrf": clients["pam"].csrf}).status_code == 303
    paid = cal.get("/collectors/C1/batches/1")
    assert "1 (paid)" in paid.text and "locked for payroll" not in paid.text
    assert copies(url) == sorted([(1, "C1", "en")] * 2)
