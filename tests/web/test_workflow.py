"""HR, a collector and the payer through the pages, in order: two-person approval, lock, export, mark
paid, a question and its answer, a batch created from uploaded files in the background; uploads that
are too large, of the wrong type or hostile give the page's error; every text people or files wrote is
escaped."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile

import pytest
from starlette.testclient import TestClient

from commission.web.config import WebConfig
from commission.web.server import create_app

from .conftest import LEDGER, PLAN, ROSTER

SEPTEMBER = LEDGER + "P6,C2,A0000006,2026-09-03,1234.50,40,9000\n"
XSS = "<img src=x onerror=alert(1)>"


def post(client, path: str, **form):
    return client.post(path, data={**form, "csrf": client.csrf})


def upload(client, period: str, files: dict):
    return client.post("/batches/new", data={"period": period, "csrf": client.csrf},
                       files=[(kind, (name, content)) for kind, (name, content) in files.items()])


def wait_for(client, location: str) -> str:
    for _ in range(200):
        page = client.get(location)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        time.sleep(0.1)
    raise AssertionError(f"{location} still running")


@pytest.fixture(scope="module")
def done(clients):
    """Batch 2 (August, prepared by pax) through approval, lock, export and payment."""
    refused = post(clients["pax"], "/batches/2/approve")
    steps = {"own approval": refused, "approve": post(clients["abe"], "/batches/2/approve"),
             "lock": post(clients["pam"], "/batches/2/lock"), "export": post(clients["pam"], "/batches/2/export"),
             "paid": post(clients["pam"], "/batches/2/mark-paid")}
    return steps


def test_the_preparer_cannot_approve_their_own_batch(done):
    refused = done["own approval"]
    assert refused.status_code == 403
    assert "approve refused: pax prepared batch 2, and a batch is approved by someone other than who prepared it " \
           "(another user with the approver role may)" in refused.text


def test_approve_lock_export_and_mark_paid(done, clients):
    assert [done[s].status_code for s in ("approve", "lock", "paid")] == [303, 303, 303]
    export = done["export"]
    assert export.headers["content-disposition"] == 'attachment; filename="payroll-batch-2.zip"'
    bundle = zipfile.ZipFile(io.BytesIO(export.content))
    assert bundle.namelist() == ["payroll-batch-2.csv", "payroll-batch-2.control.csv"]
    # August: C1 recovered 3,000.00 and C3 500.00 at 5%; C2 nothing (not in the payroll file)
    assert bundle.read("payroll-batch-2.csv").decode().splitlines()[1:] == [
        '"E1","C1","commission",150.00,"2026-08",2,"2026-09-15"',
        '"E3","C3","commission",25.00,"2026-08",2,"2026-09-15"']
    # the control file as the CLI writes it: 2 rows, 150.00 + 25.00 = 175.00, the batch's first export (not a
    # re-export), and the payroll file's SHA-256
    control = bundle.read("payroll-batch-2.control.csv").decode().splitlines()
    assert control[:6] == ['"item","value"', '"count","2"', '"total","175.00"', '"total commission","175.00"',
                           '"pay date","2026-09-15"', '"export","1"']
    digest = hashlib.sha256(bundle.read("payroll-batch-2.csv")).hexdigest()
    assert control[6:] == [f'"sha256 of payroll-batch-2.csv","{digest}"']
    page = clients["aud"].get("/batches/2").text
    for words in ("approved the batch", "locked the batch", "exported the payroll file payroll-batch-2.csv",
                  "marked the batch paid"):
        assert words in page
    assert "commission-export-" not in page  # the server's scratch folder is nobody's business
    again = zipfile.ZipFile(io.BytesIO(post(clients["pam"], "/batches/2/export").content))
    said = dict(line.split(",", 1) for line in again.read("payroll-batch-2.control.csv").decode().splitlines())
    assert said['"export"'] == '"2"'
    assert said['"re-export"'].startswith('"a re-export of batch 2: a copy of export 1 (payroll-batch-2.csv, ')
    assert said['"re-export"'].endswith(' by pam); pay it only if that file was not paid"')


def test_a_collector_asks_and_hr_answers(done, clients):
    cal, pat = clients["cal"], clients["pat"]
    asked = post(cal, "/collectors/C1/batches/2/questions", about_kind="payment", about="P4",
                 text=f"Was P4 counted? {XSS}")
    assert asked.status_code == 303
    queue = pat.get("/questions?status=open").text
    assert "Was P4 counted? &lt;img src=x onerror=alert(1)&gt;" in queue and XSS not in queue
    question = int(queue.split('action="/questions/')[1].split("/")[0])
    assert post(pat, f"/questions/{question}/answer", verdict="accepted", answer="x").status_code == 400
    answered = post(pat, f"/questions/{question}/answer", verdict="correct", answer="5% of 3,000.00 is 150.00")
    assert answered.status_code == 303
    home = cal.get("/collectors/C1").text
    assert "5% of 3,000.00 is 150.00" in home and "correct as paid" in home
    assert post(pat, f"/questions/{question}/answer", verdict="correct", answer="again").status_code == 409


def test_the_collectors_home(done, clients):
    home = clients["cal"].get("/collectors/C1").text
    # latest: August's 150.00, paid on the 15th of September; year to date July 50.00 + August 150.00
    assert "<strong>150.00</strong>" in home and "2026-09-15" in home
    assert '<tr><th>Commission</th><td class="num">200.00</td></tr>' in home  # the pay code in words
    chinese = clients["cal"].get("/collectors/C1", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    assert "实发金额" in chinese and '<tr><th>提成</th><td class="num">200.00</td></tr>' in chinese


def test_a_batch_from_uploaded_files(done, clients):
    pat = clients["pat"]
    started = upload(pat, "2026-09", {"policy": ("plan.yaml", PLAN.encode()),
                                      "ledger": ("ledger.csv", SEPTEMBER.encode()),
                                      "roster": ("roster.csv", ROSTER.encode())})
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    page = wait_for(pat, started.headers["location"])
    assert 'href="/batches/3"' in page, page
    batch = pat.get("/batches/3").text
    assert "61.73" in batch  # C2: 5% of 1,234.50 = 61.725, half up
    # nothing was paid for September: the difference is the whole 61.73, as money, not minor units
    difference = batch.split("<h2>Difference from what was paid</h2>")[1].split("</table>")[0]
    assert '<td>C2</td><td>Commission</td><td class="num">0.00</td><td class="num">61.73</td>' \
           '<td class="num">61.73</td>' in difference and "6173" not in difference
    assert '<th>Collector</th><th>Pay code</th><th class="num">Paid</th><th class="num">With batch 3</th>' \
           '<th class="num">Difference</th>' in difference and "collector_id" not in difference
    chinese = pat.get("/batches/3", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    assert '<td>C2</td><td>提成</td><td class="num">0.00</td>' in chinese and '<th class="num">差异</th>' in chinese
    totals = batch.split("<h2>Totals</h2>")[1].split("</table>")[0]
    assert "<th>Recovered</th><td class=\"num\">1,234.50</td>" in totals and "line_commission" not in totals
    assert clients["abe"].get(started.headers["location"]).status_code == 404  # a job is its owner's


def test_uploads_of_the_wrong_type_or_with_problems_are_shown_beside_the_file(done, clients):
    """A correction of July (locked, nothing open for it) reads its inputs whatever else the store holds."""
    pat = clients["pat"]
    wrong = upload(pat, "2026-07", {"policy": ("plan.yaml", PLAN.encode()), "ledger": ("ledger.txt", b"x")})
    assert "ledger.txt: a ledger file is .csv or .xlsx or .parquet" in wait_for(pat, wrong.headers["location"])
    hostile = LEDGER + f'P9,C1,A0000009,2026-07-03,=1+2,10,5000\nP10,C1,"{XSS}",2026-07-04,1e999,10,5000\n'
    started = pat.post("/batches/new", data={"period": "2026-07", "first_period": "yes", "csrf": pat.csrf},
                       files=[("policy", ("plan.yaml", PLAN.encode())), ("ledger", ("july.csv", hostile.encode())),
                              ("roster", ("roster.csv", ROSTER.encode()))])
    page = wait_for(pat, started.headers["location"])
    problems = page.split('<ul class="problems" role="alert">')[1].split("</ul>")[0]
    assert "july.csv:row 7: amount:" in problems and "july.csv:row 8: amount:" in problems, problems
    assert "uploads" not in problems and XSS not in page


def test_a_request_over_the_limit_is_refused(site, clients):
    config = site[0]
    small = create_app(WebConfig(config.store_url, config.reports_dir, config.uploads_dir, max_request_bytes=1000))
    client = TestClient(small, follow_redirects=False)
    client.cookies.set("commission_session", clients["pat"].cookies.get("commission_session"))
    big = client.post("/batches/new", data={"period": "2026-10", "csrf": clients["pat"].csrf},
                      files=[("ledger", ("ledger.csv", b"x" * 5000))])
    assert big.status_code == 413


def test_names_and_ids_are_escaped(done, clients):
    batch = clients["aud"].get("/batches/1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in batch and "<script>" not in batch
    odd = clients["aud"].get("/collectors/%3Cscript%3E")
    assert odd.status_code == 404 and "<script>" not in odd.text
    refused = post(clients["ada"], "/users", name="<b>x</b>", role="auditor")
    assert refused.status_code == 400 and "<b>" not in refused.text


def test_a_batch_from_the_servers_inputs_folder(site, clients, tmp_path):
    """Files picked from the inputs folder go through the uploads' checks; a path outside it is refused."""
    (tmp_path / "inputs" / "july").mkdir(parents=True)
    (tmp_path / "inputs" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "inputs" / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "inputs" / "july" / "bad.csv").write_text(LEDGER + "P9,C1,A0000009,2026-07-03,=1+2,10,5000\n",
                                                         encoding="utf-8")
    config = site[0]
    app = create_app(WebConfig(config.store_url, config.reports_dir, config.uploads_dir, tmp_path / "inputs"))
    pat = TestClient(app, follow_redirects=False)
    pat.cookies.set("commission_session", clients["pat"].cookies.get("commission_session"))
    form = pat.get("/batches/new").text
    assert 'name="pick:july/bad.csv"' in form and 'name="pick:plan.yaml"' in form
    outside = pat.post("/batches/new", data={"period": "2026-07", "csrf": clients["pat"].csrf,
                                             "pick:../store.db": "ledger", "pick:plan.yaml": "policy"})
    assert outside.status_code == 400, outside.text
    assert "../store.db: is not a file of the inputs folder" in outside.text, outside.text.split("<main>")[1][:500]
    started = pat.post("/batches/new", data={"period": "2026-07", "first_period": "yes", "csrf": clients["pat"].csrf,
                                             "pick:plan.yaml": "policy", "pick:july/bad.csv": "ledger",
                                             "pick:roster.csv": "roster"})
    assert "july/bad.csv:row 7: amount:" in wait_for(pat, started.headers["location"])

