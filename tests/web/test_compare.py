"""A manager's "compare with today" through the ASGI client, on the store of conftest.py.

July (batch 1, locked) pays 5% of each repayment: Team A's C1 recovered 1,000.00 (50.00) and C2
4,000.00 (200.00), so Team A costs 250.00 today; Team B's C3 recovered 2,000.00 (100.00). mia manages
Team A. August (batch 2) is a draft, so July is the only period a manager may compare on."""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pytest

from commission.app.accounts import issue_password
from commission.app.users import add
from commission.i18n import t
from commission.simulation.charts import CHARTS

from .conftest import NOW, PLAN, sign_in

SEVEN = PLAN.replace("plan: web", "plan: web-seven").replace("rate: 5%", "rate: 7%")


def start(client, content: bytes, name: str = "candidate.yaml", **form):
    data = {"csrf": client.csrf, "mode": "everyone", "period": "2026-07", **form}
    return client.post("/compare", data=data, files=[("candidate", (name, content))])


def finished(client, answer) -> str:
    """The result page of the comparison `answer` started (its job page followed until done)."""
    assert answer.status_code == 303, answer.text[-800:]
    location = answer.headers["location"]
    assert location.startswith("/jobs/")
    for _ in range(1200):
        page = client.get(location)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            break
        time.sleep(0.1)
    found = re.search(r'href="(/compare/\d+)"', page.text)
    assert found, page.text[-1500:]
    result = client.get(found.group(1))
    assert result.status_code == 200
    return result.text


def cells(page: str, heading: str) -> list[list[str]]:
    """The rows of the table after `heading`, each a list of its cells' text."""
    body = page.split(f">{heading}</h2>")[1].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>") if "<td" in row]


def summary(page: str) -> list[str]:
    return re.findall(r"<strong>(.*?)</strong>", page.split('<section class="summary">')[1].split("</section>")[0])


@pytest.fixture(scope="module")
def seven(clients):
    """mia's comparison of a plan paying 7% to everyone: (result page, workbook bytes)."""
    page = finished(clients["mia"], start(clients["mia"], SEVEN.encode()))
    job = re.search(r'href="/compare/(\d+)/comparison.xlsx"', page).group(1)
    workbook = clients["mia"].get(f"/compare/{job}/comparison.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-disposition"] == f'attachment; filename="comparison-{job}.xlsx"'
    return page, workbook.content, job


def test_the_form_offers_only_approved_periods_and_todays_plans(clients):
    page = clients["mia"].get("/compare")
    assert page.status_code == 200
    assert re.findall(r'name="period" value="([^"]+)"', page.text) == ["2026-07"]
    assert re.findall(r'<option[^>]*>([^<]+)</option>', page.text) == ["web"]
    assert 'name="csrf"' in page.text and 'enctype="multipart/form-data"' in page.text


def test_a_candidate_identical_to_today_costs_the_same(clients):
    """Today's own plan as the candidate: Team A 250.00 either way, 0.00 difference, per collector too."""
    page = finished(clients["mia"], start(clients["mia"], PLAN.encode()))
    assert summary(page) == ["250.00", "250.00", "0.00"]
    assert cells(page, "By team") == [["Team A", "250.00", "250.00", "0.00"]]
    assert sorted(cells(page, "By collector")) == [["C1", "王芳", "Team A", "50.00", "50.00", "0.00"],
                                                   ["C2", "李强", "Team A", "200.00", "200.00", "0.00"]]


def test_seven_percent_for_everyone_costs_two_points_more_of_the_teams_recovery(seven):
    """7% of 1,000.00 = 70.00 and of 4,000.00 = 280.00: 350.00 against 250.00, 100.00 more; C2 changes
    most (+80.00) so comes first."""
    page = seven[0]
    assert summary(page) == ["250.00", "350.00", "100.00"]
    assert cells(page, "By team") == [["Team A", "250.00", "350.00", "100.00"]]
    assert cells(page, "By collector") == [["C2", "李强", "Team A", "200.00", "280.00", "80.00"],
                                           ["C1", "王芳", "Team A", "50.00", "70.00", "20.00"]]
    assert "web-seven v1" in page


def test_another_teams_collectors_never_appear_on_the_page_the_charts_or_the_workbook(seven, clients):
    page, workbook, job = seven
    assert "C3" not in page and "alert(1)" not in page and "Team B" not in page
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    text = " ".join(str(value) for sheet in book.worksheets if hasattr(sheet, "iter_rows")
                    for row in sheet.iter_rows(values_only=True) for value in row if value is not None)
    assert "C1" in text and "C2" in text
    assert "C3" not in text and "alert(1)" not in text and "Team B" not in text
    charts = re.findall(rf'src="(/compare/{job}/charts/\d+)"', page)
    assert len(charts) == 5 and '<figcaption>Cost by period</figcaption>' in page
    first = clients["mia"].get(charts[0])
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    assert clients["mia"].get(f"/compare/{job}/charts/{len(charts)}").status_code == 404


def test_replacing_todays_plan_for_its_collectors_gives_the_same_hundred(clients):
    page = finished(clients["mia"], start(clients["mia"], SEVEN.encode(), mode="replace", plan="web"))
    assert summary(page) == ["250.00", "350.00", "100.00"]


def test_only_who_ran_it_sees_a_comparison(seven, clients):
    job = seven[2]
    for user in ("aud", "pat", "cal", "ada"):
        for path in (f"/compare/{job}", f"/compare/{job}/comparison.xlsx", f"/compare/{job}/charts/0"):
            assert clients[user].get(path).status_code == 404, (user, path)


def test_collectors_admins_and_hr_are_refused(clients):
    for user in ("cal", "ada", "aud", "pat"):
        assert clients[user].get("/compare").status_code == 403
        assert start(clients[user], SEVEN.encode()).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(clients):
    answer = clients["mia"].post("/compare", data={"mode": "everyone", "period": "2026-07"},
                                 files=[("candidate", ("c.yaml", SEVEN.encode()))])
    assert answer.status_code == 403


BOMB = "a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]\n" + "".join(
    f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 9))


@pytest.mark.parametrize("name,content,message", [
    ("<b>bomb</b>.yaml", BOMB.encode(), "&lt;b&gt;bomb&lt;/b&gt;.yaml:6: the file holds more than 100,000 values"),
    ("evil.yaml", b"plan: !!python/object/apply:os.system [echo]\n", "evil.yaml:1: plan: expected a single value"),
    ("huge.yaml", b"#" * (2 << 20), "huge.yaml:1: the file is over 1 MiB"),
    ("notes.txt", SEVEN.encode(), "notes.txt: “Candidate plan (YAML)”: a plan is a .yaml or .yml file"),
    ("empty.yaml", b"", "empty.yaml: “Candidate plan (YAML)”: is empty"),
    ("latin.yaml", "plan: caf\u00e9".encode("latin-1"), "latin.yaml: policy is not UTF-8 text"),
])
def test_a_hostile_or_wrong_upload_gives_the_forms_problems_not_a_500(clients, name, content, message):
    answer = start(clients["mia"], content, name)
    assert answer.status_code == 400, answer.text[-800:]
    problems = answer.text.split('<ul class="problems" role="alert">')[1].split("</ul>")[0]
    assert message in problems
    assert "<b>" not in answer.text and 'name="candidate"' in answer.text


@pytest.mark.parametrize("form,message", [
    ({"period": "2026-08"}, "“Period”: &#39;2026-08&#39; is not a period you may compare; choose among 2026-07"),
    ({"period": []}, "“Period”: choose at least one period"),
    ({"mode": "<all>"}, "“Who the candidate pays”: choose everyone or replace"),
    ({"mode": "replace", "plan": "nope"}, "“Plan replaced”: choose the plan to replace: web"),
])
def test_a_choice_not_offered_gives_the_forms_problem(clients, form, message):
    answer = start(clients["mia"], SEVEN.encode(), **form)  # August is a draft: not offered
    assert answer.status_code == 400
    assert message in answer.text.split('<ul class="problems" role="alert">')[1].split("</ul>")[0]


def test_a_candidate_in_another_currency_fails_the_job_with_one_line(clients):
    answer = start(clients["mia"], SEVEN.replace("currency: CNY", "currency: USD").encode())
    assert answer.status_code == 303
    for _ in range(600):
        page = clients["mia"].get(answer.headers["location"]).text
        if 'http-equiv="refresh"' not in page:
            break
        time.sleep(0.1)
    assert "plans compared must pay in one currency; found CNY, USD" in page
    assert '<a href="/compare">' in page


def test_a_manager_who_may_read_every_batch_compares_on_everyone(app, site):
    """max manages Team A and is an auditor: July for everyone, 5% -> 7%: Team A 250.00 -> 350.00, Team B
    (C3's 2,000.00) 100.00 -> 140.00; 350.00 -> 490.00 in all (+140.00). C3's name is shown escaped."""
    url = site[0].store_url
    add(url, "ada", "max", ["manager", "auditor"], NOW, "", "Team A")
    client = sign_in(app, "max", issue_password(url, "ada", "max", NOW))
    page = finished(client, start(client, SEVEN.encode()))
    assert summary(page) == ["350.00", "490.00", "140.00"]
    assert cells(page, "By team") == [["Team A", "250.00", "350.00", "100.00"],
                                      ["Team B", "100.00", "140.00", "40.00"]]
    assert ["C3", "&lt;script&gt;alert(1)&lt;/script&gt;", "Team B", "100.00", "140.00", "40.00"] in cells(
        page, "By collector")
    assert "<script>" not in page


def test_every_chart_a_comparison_may_draw_has_words_in_both_languages():
    for name in CHARTS:
        assert t(f"web.compare.chart.{name.removesuffix('.png')}", "en")
        assert t(f"web.compare.chart.{name.removesuffix('.png')}", "zh")


def test_the_words_are_in_chinese_too(clients):
    clients["mia"].cookies.set("commission_lang", "zh")
    try:
        page = clients["mia"].get("/compare").text
    finally:
        clients["mia"].cookies.set("commission_lang", "en")
    assert "与现行方案对比" in page and "候选方案（YAML）" in page
