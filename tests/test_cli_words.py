"""The CLI's own messages in the chosen language (`commission --lang zh`, COMMISSION_LANG): summaries,
confirmations and counts read back in Chinese with numbers worked by hand, no English word left in
them but ids, codes, commands and paths, and English as before by default."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import as_user, flat_plan
from commission.cli import main
from commission.i18n import catalogue, placeholders

#: July: P1 12,345.67 x 5% = 617.2835 -> 617.28 (half up); P2 4,000.00 x 5% = 200.00; net 817.28 on
#: 16,345.67 recovered. The August rows are read but outside the period.
LEDGER = """
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-07-05,12345.67,10,50000
P2,C2,A2,2026-07-06,4000.00,10,5000
P3,C1,A1,2026-08-05,1200.00,10,5000
P4,C2,A2,2026-08-06,3000.00,10,5000
"""
ROSTER = """
collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team A,E2
"""
#: Words a Chinese message may hold as they are: commands and their options, file names, codes.
COMMANDS = {"commission", "users", "add", "NAME", "role", "preparer", "approver", "payer", "batch", "approve",
            "skipped", "csv", "Ctrl-C", "statements", "run"}


def english(text: str, *allowed: str) -> list[str]:
    """The Latin-letter words of `text` once paths and the `allowed` ids and codes are taken out."""
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_\-]*", text) if w not in COMMANDS]


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return str(tmp_path / name)
    return {"plan": write("plan.yaml", flat_plan("flat")), "ledger": write("ledger.csv", LEDGER),
            "roster": write("roster.csv", ROSTER), "folder": tmp_path}


def cli(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args])


def run_args(files, out):
    return ("--policy", files["plan"], "--ledger", files["ledger"], "--roster", files["roster"], "--period",
            "2026-07", "--out", out, "--first-period")


def test_every_chinese_cli_message_is_chinese_but_its_commands_and_codes():
    for key, texts in catalogue().items():
        if key.startswith("cli.") and not key.startswith("cli.mode."):
            text = texts["zh"]
            for name in placeholders(text):
                text = text.replace("{" + name + "}", " ")
            assert not english(text), (key, texts["zh"])


def test_run_summary_in_chinese_worked_by_hand(files):
    out = files["folder"] / "out"
    done = cli("--lang", "zh", "run", *run_args(files, out))
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[:3] == ["期间 2026-07，方案 flat v1：催收员 2 人；回款明细读入 4 行，2026-07 内 2 行，2 行不在任何发放窗口内",
                         "回款金额 16,345.67 CNY，实发金额 817.28 CNY",
                         f"报表已写入 {out}/"]
    assert not english("\n".join(lines[:3]), str(out), "flat", "v1", "CNY")
    assert all(line.startswith(f"  {out}/") for line in lines[3:])  # the files, as paths


def test_english_is_the_default_and_the_environment_chooses_too(files):
    english_run = cli("run", *run_args(files, files["folder"] / "en"))
    assert "recovered 16,345.67 CNY, net payout 817.28 CNY" in english_run.stdout.splitlines()
    chinese_run = cli("run", *run_args(files, files["folder"] / "zh"), env={"COMMISSION_LANG": "zh"})
    assert "回款金额 16,345.67 CNY，实发金额 817.28 CNY" in chinese_run.stdout.splitlines()
    # the option wins over the environment
    chosen = cli("--lang", "en", "run", *run_args(files, files["folder"] / "both"), env={"COMMISSION_LANG": "zh"})
    assert "recovered 16,345.67 CNY, net payout 817.28 CNY" in chosen.stdout.splitlines()


def test_an_unknown_language_is_refused_in_one_line(files):
    for done in (cli("--lang", "fr", "validate", files["plan"]),
                 cli("validate", files["plan"], env={"COMMISSION_LANG": "fr"})):
        assert done.exit_code == 2 and "Invalid value for '--lang': 'fr' is not one of 'en', 'zh'" in done.output
        assert "Traceback" not in done.output


def test_validate_and_its_problem_count_in_chinese(files):
    ok = cli("--lang", "zh", "validate", files["plan"])
    assert ok.stdout == f"{files['plan']}：通过（方案 flat 第 1 版，2026年1月1日起生效，组成部分 1 个，调整项 0 个）\n"
    missing = files["folder"] / "missing.yaml"
    bad = cli("--lang", "zh", "validate", files["plan"], missing)
    assert bad.exit_code == 2
    assert bad.stderr.splitlines()[-1] == "错误：共 1 个问题"  # the problem itself names file and key as before


def test_a_user_error_in_chinese_says_nothing_was_written(files):
    done = cli("--lang", "zh", "run", "--policy", files["plan"], "--ledger", files["folder"] / "no.csv",
               "--period", "2026-07", "--out", files["folder"] / "out", "--first-period")
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == "错误：共 1 个问题；未写入任何文件"


def test_a_batch_from_setup_to_approval_in_chinese(files, blank_store, monkeypatch):
    zh = ("--lang", "zh")
    as_user(monkeypatch, "admin")
    set_up = cli(*zh, "setup", "--db", blank_store).stdout.splitlines()
    assert set_up[0] == ("批次库已按双人复核设置，设置人 admin；admin 为首位管理员；"
                         "下一步：commission users add NAME --role preparer（以及 approver、payer）")
    assert set_up[1].startswith("admin 的网页一次性密码（仅显示一次；首次登录时须修改）：")
    for name, role in (("hr", "preparer"), ("checker", "approver")):
        added = cli(*zh, "users", "add", name, "--role", role, "--db", blank_store).stdout.splitlines()[0]
        assert added == f"已添加用户 {name}：{role}"
    listing = cli(*zh, "users", "list", "--db", blank_store).stdout.splitlines()
    assert re.fullmatch(r"双人复核，由 admin 于 \d{4}年\d{1,2}月\d{1,2}日 设置", listing[0])
    assert "  checker: approver" in listing

    as_user(monkeypatch, "hr")
    created = cli(*zh, "batch", "create", *run_args(files, files["folder"] / "batch"), "--db", blank_store)
    assert created.exit_code == 0, created.output
    assert created.stdout.splitlines()[-1] == ("已存为草稿发放批次 1，发放日 2026年8月15日：发放记录 2 行"
                                               "（每名催收员每个发放项目一行，含金额为零的）；"
                                               "下一步：commission batch approve 1")
    as_user(monkeypatch, "checker")
    assert cli(*zh, "batch", "approve", 1, "--db", blank_store).stdout == "批次 1 现为已审批\n"

    table = cli(*zh, "batch", "list", "--db", blank_store).stdout.splitlines()
    assert table[0].split() == ["批次", "期间", "类型", "状态", "发放金额", "制单人", "制单时间"]
    assert table[1].split()[:6] == ["1", "2026-07", "payout", "approved", "817.28", "hr"]  # values stay data

    shown = cli(*zh, "batch", "show", 1, "--db", blank_store).stdout.splitlines()
    assert shown[0].startswith("批次 1：2026-07 发放，已审批；发放日 2026年8月15日；hr 于 ")
    assert "本批次发放（本期应发）：817.28 CNY，催收员 2 人" in shown
    computed = next(line for line in shown if line.startswith("本期计算结果："))
    assert "回款金额 16,345.67" in computed and "实发金额 817.28" in computed
    header = shown[shown.index("本批次发放（本期应发）：817.28 CNY，催收员 2 人") + 1].split()
    assert header[:3] == ["催收员编号", "工号", "姓名"] and "合计" in header
    assert "操作记录：" in shown


def test_statements_count_in_chinese(files):
    out = files["folder"] / "run"
    assert cli("run", *run_args(files, out)).exit_code == 0
    made = cli("--lang", "zh", "statements", "--run", out, "--out", files["folder"] / "st")
    assert made.exit_code == 0, made.output
    assert made.stdout == f"已写入 2 份对账单至 {Path(files['folder'] / 'st')}/\n"


#: cli.* messages whose number before a plural noun is not a whole count: percentage points are decimals.
NOT_COUNTS = {"cli.simulate.versus"}


def test_every_counted_cli_message_chooses_its_form_by_count():
    """A count written before a plural noun ('{collectors} collectors') reads '1 collectors': such a
    message has plural forms chosen by {count}, or takes its counted words from one that has."""
    for key, texts in catalogue().items():
        if key.startswith("cli.") and key not in NOT_COUNTS:
            assert "(s)" not in str(texts["en"]), key
            if isinstance(texts["en"], str):
                assert not re.search(r"\{\w+\} [a-z\-]{2,}s\b", texts["en"]), (key, texts["en"])


def test_counts_of_one_read_in_the_singular_and_rows_say_what_they_count(files, blank_store, monkeypatch):
    """One collector (C1: P1 12,345.67 x 5% = 617.28), one pay code: the run has 1 collector, the batch
    1 payout row, its payroll file 1 line; 2 payout rows for C1 and C2, of which C2's 0.00 (no July
    payment) is left out of the payroll file: 1 line."""
    one = files["folder"] / "one.csv"
    one.write_text("payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance\n"
                   "P1,C1,A1,2026-07-05,12345.67,10,50000\n", encoding="utf-8")
    args = ("--policy", files["plan"], "--ledger", one, "--period", "2026-07", "--first-period")
    ran = cli("run", *args, "--roster", files["roster"], "--out", files["folder"] / "run")
    assert ran.stdout.startswith("period 2026-07, plan flat v1: 2 collectors; ledger rows: 1 read, 1 in 2026-07, ")
    alone = files["folder"] / "alone.csv"
    alone.write_text("collector_id,name,team,employee_id\nC1,王芳,Team A,E1\n", encoding="utf-8")
    ran = cli("run", *args, "--roster", alone, "--out", files["folder"] / "alone")
    assert ran.stdout.startswith("period 2026-07, plan flat v1: 1 collector; ledger rows: 1 read, 1 in 2026-07, ")
    as_user(monkeypatch, "admin")
    assert cli("setup", "--single-operator", "--db", blank_store).exit_code == 0
    created = cli("batch", "create", *args, "--roster", files["roster"], "--out", files["folder"] / "b",
                  "--db", blank_store)
    assert created.stdout.splitlines()[-1] == (
        "stored as draft batch 1, to be paid on Aug 15, 2026: 2 payout rows (one per collector and pay code, zero "
        "amounts too); next: commission batch approve 1")
    assert cli("batch", "approve", 1, "--db", blank_store).exit_code == 0
    exported = cli("batch", "export", 1, "--out", files["folder"] / "pay.csv", "--db", blank_store)
    assert exported.stdout == (f"{files['folder'] / 'pay.csv'}: 1 payroll line (the batch's payout rows that are "
                               f"not zero), total 617.28 CNY; control in {files['folder'] / 'pay.control.csv'}\n")
    assert "this batch pays (the period's pay): 617.28 CNY, 2 collectors" in \
        cli("batch", "show", 1, "--db", blank_store).stdout.splitlines()
    made = cli("sample-data", "--collectors", 1, "--months", 1, "--out", files["folder"] / "sample").stdout
    assert re.fullmatch(r"[\d,]+ payments by 1 collector, \d{4}-\d\d, written to .*/\n", made), made
    linted = cli("lint", files["plan"])
    assert linted.stderr.startswith("1 plan: 1 warning, 0 silenced; "), linted.stderr  # no conduct rule
