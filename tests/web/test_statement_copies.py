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
    assert "<td>paid</td>" in paid.text and "locked for payroll" not in paid.text  # the statement's Status row
    assert copies(url) == sorted([(1, "C1", "en")] * 2)


def test_a_batch_made_at_once_in_both_languages(site, clients):
    url, aud = site[0].store_url, clients["aud"]
    started = aud.post("/batches/2/statements", data={"csrf": aud.csrf})  # August: C1, C2, C3 (HR reads drafts)
    assert started.status_code == 303
    for _ in range(300):
        page = aud.get(started.headers["location"]).text
        if 'http-equiv="refresh"' not in page:
            break
        __import__("time").sleep(0.1)
    assert "6 statements made and kept." in page
    made = sorted(row for row in copies(url) if row[0] == 2)
    assert made == sorted((2, c, lang) for c in ("C1", "C2", "C3") for lang in ("en", "zh"))
    before = len(copies(url))
    assert aud.get("/collectors/C2/batches/2").status_code == 200
    assert len(copies(url)) == before  # read back, not made again
