"""End to end in a real browser (headless Chromium through Playwright): a preparer uploads September's
sample inputs and creates the batch, a second person approves it, the payer locks and exports it, a
collector signs in, sees only their own statement, downloads it and asks a question, the preparer
answers and the collector sees the answer. A screenshot of each page goes to SCREENSHOTS for a person
to look at.

Skipped when there is no Chromium, unless COMMISSION_BROWSER_TESTS is set (as .ci/run does): then a
missing browser fails the test."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from commission.app.accounts import issue_password
from commission.app.users import add, set_up_store
from commission.web.config import WebConfig
from commission.web.server import create_app

from .conftest import NOW, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots" / "web"
CHROMIUM = os.environ.get("COMMISSION_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SAMPLE = ROOT / "sample_data"
SEPTEMBER_FILES = {"policy": sorted((ROOT / "policies").glob("*.yaml")), "ledger": [SAMPLE / "ledger.csv"],
                   "roster": [SAMPLE / "roster.csv"], "targets": [SAMPLE / "targets.csv"],
                   "assignments": [SAMPLE / "assignments.csv"], "events": [SAMPLE / "events.csv"],
                   "state": [SAMPLE / "state-2026-08.json"]}


def browser_or_skip():
    if shutil.which(CHROMIUM) is None or not _has_playwright():
        why = f"no Chromium at {CHROMIUM} or no playwright package (apt-get install chromium; pip install playwright)"
        if os.environ.get("COMMISSION_BROWSER_TESTS"):
            pytest.fail(f"COMMISSION_BROWSER_TESTS is set but {why}")
        pytest.skip(why)


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server on 127.0.0.1 with a set-up store: pat preparer, abe approver, pam payer, cal collector C001."""
    browser_or_skip()
    import uvicorn

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'store.db'}"
    set_up_store(url, "ada", False, NOW)
    for name, role, collector in (("pat", "preparer", ""), ("abe", "approver", ""), ("pam", "payer", ""),
                                  ("cal", "collector", "C001")):
        add(url, "ada", name, [role], NOW, collector)
    passwords = {name: issue_password(url, "ada", name, NOW) for name in ("pat", "abe", "pam", "cal")}
    app = create_app(WebConfig(url, folder / "reports", folder / "uploads"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", passwords
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Person:
    """One person's browser: signs in (changing their one-time password), takes screenshots."""

    def __init__(self, browser, base: str, name: str, one_time: str, lang: str = "en-US"):
        self.context = browser.new_context(base_url=base, accept_downloads=True, locale=lang)
        self.page = self.context.new_page()
        self.name = name
        self.page.goto("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", one_time)
        self.page.click("button:has-text('Sign in'), button:has-text('登录')")
        if self.page.url.endswith("/password"):
            self.shot("password")
            self.page.fill("input[name=old]", one_time)
            self.page.fill("input[name=new]", PASSWORD)
            self.page.click("main button")

    def shot(self, what: str) -> None:
        number = len(list(SCREENSHOTS.glob("*.png")))
        self.page.screenshot(path=str(SCREENSHOTS / f"{number:02d}-{self.name}-{what}.png"), full_page=True)


def test_a_month_from_upload_to_the_collectors_answer(server, browser):
    base, passwords = server
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    pat = Person(browser, base, "pat", passwords["pat"])
    pat.page.goto("/batches/new")
    pat.page.fill("input[name=period]", "2026-09")
    for kind, files in SEPTEMBER_FILES.items():
        pat.page.set_input_files(f"input[name={kind}]", [str(f) for f in files])
    pat.shot("new-batch")
    pat.page.click("main button")
    pat.page.wait_for_selector("a[href='/batches/1']", timeout=120_000)
    pat.shot("job-done")
    pat.page.click("a[href='/batches/1']")
    assert "draft" in pat.page.inner_text("h1")
    pat.shot("batch-draft")

    abe = Person(browser, base, "abe", passwords["abe"])
    abe.page.goto("/batches/1")
    abe.page.click("form[action='/batches/1/approve'] button")
    assert "approved" in abe.page.inner_text("h1")
    abe.shot("approved")

    pam = Person(browser, base, "pam", passwords["pam"])
    pam.page.goto("/batches/1")
    pam.page.click("form[action='/batches/1/lock'] button")
    assert "locked" in pam.page.inner_text("h1")
    with pam.page.expect_download() as exported:
        pam.page.click("form[action='/batches/1/export'] button")
    assert exported.value.suggested_filename == "payroll-batch-1.zip"  # the payroll file and its control file
    with zipfile.ZipFile(exported.value.path()) as bundle:
        assert bundle.namelist() == ["payroll-batch-1.csv", "payroll-batch-1.control.csv"]
        assert "employee_id" in bundle.read("payroll-batch-1.csv").decode("utf-8").splitlines()[0]
    pam.shot("locked")

    cal = Person(browser, base, "cal", passwords["cal"], lang="zh-CN")
    assert cal.page.url.endswith("/collectors/C001")
    assert "实发金额" in cal.page.inner_text("main")
    cal.shot("home")
    cal.page.click("a[href='/collectors/C001/batches/1']")
    assert "徐晓明" in cal.page.inner_text("main")
    cal.shot("statement")
    with cal.page.expect_download() as statement:
        cal.page.click("main p a[download]")
    assert Path(statement.value.path()).read_bytes()[:2] == b"PK"  # an xlsx (zip) file
    cal.page.fill("input[name=about]", "P000005825")  # C001's first repayment of September
    cal.page.fill("textarea[name=text]", "这笔回款的提成比例是多少？")
    cal.page.click("form[action$='/questions'] button")
    cal.shot("asked")
    other = cal.page.goto("/collectors/C002")
    assert other.status == 404 and "C002" not in cal.page.inner_text("main")
    cal.shot("someone-else")

    pat.page.goto("/questions?status=open")
    assert "这笔回款的提成比例是多少？" in pat.page.inner_text("main")
    pat.page.fill("textarea[name=answer]", "按M1阶段5%计算，发放无误。")
    pat.shot("question-queue")
    pat.page.click("form[action$='/answer'] button")

    cal.page.goto("/collectors/C001")
    assert "按M1阶段5%计算，发放无误。" in cal.page.inner_text("main")
    cal.shot("answered")
