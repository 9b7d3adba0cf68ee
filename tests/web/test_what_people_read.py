"""What the pages say, for every role: inputs and options named by their fields (never an internal
`<<role>>`), uploaded files by their own names (never a server path), refusals by role (never the
accounts that hold it), only the actions the reader may take, money grouped, and what a question names
checked before it is kept.

Two stores: conftest.py's (July locked, August a draft prepared by pax), and "carried", whose first
batch (August, locked) started from the state file July's run left, state-2026-07.json. In it C1
recovered 30,000.00 in August and C3 500.00, at 5%: 1,500.00 + 25.00 = 1,525.00."""

from __future__ import annotations

import html
import io
import re
import shutil

import openpyxl
import pytest

from commission.app.accounts import issue_password
from commission.app.batches import act_on_batch, create_payout_batch
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest, run_period
from commission.app.users import add, set_up_store
from commission.periods import Period
from commission.web.config import WebConfig
from commission.web.server import create_app

from .conftest import LEDGER, NOW, PLAN, ROSTER, USERS, sign_in, write_inputs
from .test_compare import SEVEN, finished, start
from .test_workflow import post, upload, wait_for

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
#: What no page may show: an option's internal marker (as sent, or escaped), a traceback.
NEVER = ("<<", "&lt;&lt;", "Traceback")


@pytest.fixture(scope="module")
def carried(tmp_path_factory):
    """{name: client} on the store whose first batch started from state-2026-07.json, and its folder."""
    folder = write_inputs(tmp_path_factory.mktemp("carried"))
    (folder / "ledger.csv").write_text(LEDGER.replace("3000.00", "30000.00"), encoding="utf-8")
    paths = InputPaths([folder / "plan.yaml"], [folder / "ledger.csv"], folder / "roster.csv")
    run_period(RunRequest(paths, Period.parse("2026-07"), first_period=True), folder / "july")
    shutil.copy(folder / "july" / "state.json", folder / "state-2026-07.json")
    url = f"sqlite:///{folder / 'store.db'}"
    set_up_store(url, "ada", False, NOW)
    for name, (roles, collector, team) in USERS.items():
        add(url, "ada", name, roles, NOW, collector, team)
    create_payout_batch(RunRequest(paths, Period.parse("2026-08"), state=folder / "state-2026-07.json"), url,
                        folder / "august", "pat", NOW)
    act_on_batch(url, 1, "approve", "abe", NOW)
    act_on_batch(url, 1, "lock", "pam", NOW)
    app = create_app(WebConfig(url, folder / "reports", folder / "uploads"))
    return {name: sign_in(app, name, issue_password(url, "ada", name, NOW)) for name in ("pat", "mia")}


def test_a_correction_without_the_state_file_names_the_field_to_give_it_in(carried):
    pat = carried["pat"]
    started = upload(pat, "2026-08", {"policy": ("plan.yaml", PLAN.encode()),
                                      "ledger": ("ledger.csv", LEDGER.encode()),
                                      "roster": ("roster.csv", ROSTER.encode())})
    page = wait_for(pat, started.headers["location"])
    assert re.search(r"batch 1 \(locked\) for 2026-08 started from a state file with SHA-256 [0-9a-f]{12}\.\.\.; a "
                     r"correction must start from the same balances: give “Balances carried in \(state.json\)” "
                     r"with that same file", page), page
    chinese = pat.get(started.headers["location"], headers=ZH).text
    assert "give “上期结转余额（state.json）” with that same file" in chinese
    assert not any(bad in text for bad in NEVER for text in (page, chinese))


def test_the_comparison_names_the_state_file_as_uploaded_never_a_server_path(carried):
    mia = carried["mia"]
    page = finished(mia, start(mia, SEVEN.encode(), period="2026-08"))
    assert ("balances (holdbacks, carried negatives, draws) start from those the run for 2026-07 left "
            "(state-2026-07.json) and carry from month to month") in page
    job = re.search(r'href="/compare/(\d+)/comparison.xlsx"', page).group(1)
    workbook = openpyxl.load_workbook(io.BytesIO(mia.get(f"/compare/{job}/comparison.xlsx").content))
    texts = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("(state-2026-07.json)" in text for text in texts)
    for text in (page, *texts):
        assert "/tmp" not in text and "commission-compare-" not in text and "<<" not in text


def test_the_batch_list_writes_money_grouped(carried):
    listing = carried["pat"].get("/batches").text
    assert '<td class="num">1,525.00</td>' in listing and "1525.00" not in listing
    assert '<td class="num">1,525.00</td>' in carried["pat"].get("/batches", headers=ZH).text


def test_a_refusal_names_the_roles_never_the_accounts(clients):
    refused = clients["cal"].get("/batches")
    assert refused.status_code == 403
    assert ("read needs the preparer or approver or payer or auditor or admin role; cal holds collector"
            in refused.text)
    shown = refused.text.split("<main>")[1]  # the page, past the header naming who is signed in
    for account in ("ada", "pat", "abe", "pam", "aud", "pax"):
        assert not re.search(rf"\b{account}\b", shown), account


def actions(client, batch: int) -> list[str]:
    """The actions the batch page offers (its forms' targets)."""
    return re.findall(rf'action="/batches/{batch}/([a-z-]+)"', client.get(f"/batches/{batch}").text)


def test_each_person_is_offered_only_the_actions_they_may_take(clients):
    """August (batch 2) is a draft pax prepared: an approver approves or sends it back, pax (who prepared
    it) may send it back or discard it but not approve it, a preparer discards, a payer and an auditor do
    nothing yet; July (batch 1, locked) only the payer exports or marks paid. Anyone reading may prepare
    the statements of a batch approved or later."""
    assert actions(clients["abe"], 2) == ["approve", "discard", "send-back"]
    assert actions(clients["pax"], 2) == ["discard", "send-back"]
    assert actions(clients["pat"], 2) == ["discard"]
    assert actions(clients["pam"], 2) == actions(clients["aud"], 2) == []
    assert actions(clients["pam"], 1) == ["mark-paid", "export", "statements"]
    assert actions(clients["abe"], 1) == actions(clients["pat"], 1) == ["statements"]


def test_a_question_on_a_payment_not_on_the_collectors_pay_is_refused_on_the_form(clients):
    cal = clients["cal"]
    for payment in ("P999", "P3"):  # P3 is C3's, not C1's
        refused = post(cal, "/collectors/C1/batches/1/questions", about_kind="payment", about=payment,
                       text="Where is it?")
        assert refused.status_code == 400
        assert (f"<li>“About”: {payment} is not a payment on your pay in batch 1; give a payment id from your "
                "statement's Detail sheet</li>") in html.unescape(refused.text)
        assert f'value="{payment}"' in refused.text and "Where is it?</textarea>" in refused.text  # kept to correct
    assert post(cal, "/collectors/C1/batches/1/questions", about_kind="payment", about="P1",
                text="Is P1 right?").status_code == 303


def test_an_answer_naming_a_batch_that_does_not_exist_is_refused_on_the_form(clients):
    cal, pat = clients["cal"], clients["pat"]
    post(cal, "/collectors/C1/batches/1/questions", about_kind="item", about="base", text="And the base?")
    question = int(re.findall(r'action="/questions/(\d+)/answer"', pat.get("/questions?status=open").text)[-1])
    for corrected, message in (("99", "there is no batch 99; give the adjustment batch that pays the correction"),
                               ("x9", "'x9' is not a batch number")):
        refused = post(pat, f"/questions/{question}/answer", verdict="accepted", corrected_in=corrected,
                       answer="fixed")
        assert refused.status_code == 400
        assert f"<li>“accepted: corrected in batch”: {message}</li>" in html.unescape(refused.text)
        assert f'action="/questions/{question}/answer"' in refused.text  # the form, to answer again
    chinese = pat.post(f"/questions/{question}/answer", headers=ZH, data={
        "verdict": "accepted", "corrected_in": "99", "answer": "fixed", "csrf": pat.csrf})
    assert "<li>“已受理：更正于批次”: there is no batch 99" in chinese.text


PAGES = ["/", "/batches", "/batches/1", "/batches/2", "/batches/new", "/questions", "/users", "/team", "/plans",
         "/compare", "/collectors/C1", "/collectors/C1/batches/1", "/collectors/C1/batches/1/what-if",
         "/collectors/C1/batches/1/what-if?bucket=M1&extra=100.00", "/collectors/C1/batches/1/what-if?bucket=M9",
         "/password", "/batches/99"]


@pytest.mark.parametrize("lang", [{}, ZH])
def test_no_page_shows_a_marker_a_traceback_or_a_server_path(clients, site, lang):
    folder = str(site[0].reports_dir.parent)
    for name, client in clients.items():
        for path in PAGES:
            text = client.get(path, headers=lang).text
            assert not any(bad in text for bad in NEVER), (name, path)
            assert folder not in text and "/tmp/" not in text, (name, path)


def test_the_chinese_pages_say_what_happened_and_who_may_do_what_in_chinese(clients):
    """July (batch 1): pat created it, abe approved it, pam locked it; the users page names the roles and
    how payouts are controlled (two people) in words."""
    events = clients["aud"].get("/batches/1", headers=ZH).text.split("<h2>操作记录</h2>")[1]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", events)
    assert [(who, what) for _, who, what in rows][:3] == [("pat", "创建了批次，发放日 2026-08-15"),
                                                          ("abe", "审批通过了批次"), ("pam", "锁定了批次")]
    assert "question-asked" not in events and "question-answered" not in events
    users = clients["ada"].get("/users", headers=ZH).text.split("<main>")[1]
    assert "发放控制：双人复核（由 ada 设置）" in users
    assert "<td>pax</td><td>制单人, 审批人</td>" in users
    shown = re.sub(r"<[^>]+>", " ", users)  # the words, not the form's values
    assert not re.search(r"\b(preparer|approver|payer|auditor|manager|collector|two-person)\b", shown)
