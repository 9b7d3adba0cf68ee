"""Payroll controls an auditor expects, on SQLite and PostgreSQL: the actor is the login name, two people
per payout (or a single operator, said everywhere), roles, an append-only event log the database
enforces, pay dates, opening year-to-date amounts, statements that follow the store, and batch views
in words."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import as_user, flat_plan
from commission.cli import main

PLAN = flat_plan("controls", extra="""
    adjustments:
      - {id: gate, kind: threshold, recovered_at_least: 2000.00}
""")
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-07-05,1000.00,10,5000
P2,C2,A2,2026-07-06,4000.00,10,5000
"""
ROSTER = """collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team A,E2
"""


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path):
    for name, text in (("plan.yaml", PLAN), ("ledger.csv", LEDGER), ("roster.csv", ROSTER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def create(folder: Path, store: str, out: str = "july", period: str = "2026-07", *extra):
    return cli("batch", "create", "--policy", folder / "plan.yaml", "--ledger", folder / "ledger.csv", "--roster",
               folder / "roster.csv", "--period", period, "--first-period", "--out", folder / out, "--db", store,
               *extra)


@pytest.fixture
def two_people(blank_store, monkeypatch):
    """A two-person store: ada (admin), pat (preparer), abe (approver), pam (payer), aud (auditor)."""
    as_user(monkeypatch, "ada")
    assert cli("setup", "--db", blank_store).exit_code == 0
    for name, role in (("pat", "preparer"), ("abe", "approver"), ("pam", "payer"), ("aud", "auditor")):
        assert cli("users", "add", name, "--role", role, "--db", blank_store).exit_code == 0
    return blank_store


def test_nothing_happens_in_a_store_that_is_not_set_up(folder, blank_store, monkeypatch):
    as_user(monkeypatch, "pat")
    refused = create(folder, blank_store)
    assert refused.exit_code == 2
    assert refused.output.startswith("error: the store is not set up: run `commission setup` once")
    assert not (folder / "july").exists()


def test_the_setup_is_made_once(folder, two_people, monkeypatch):
    again = cli("setup", "--single-operator", "--db", two_people)
    assert again.exit_code == 2 and "the store is already set up" in again.output
    listing = cli("users", "list", "--db", two_people)
    assert listing.output.splitlines()[0].startswith("two-person, set up by ada on ")
    assert "  pam: payer" in listing.output


def test_two_people_per_payout(folder, two_people, monkeypatch):
    store = two_people
    as_user(monkeypatch, "abe")
    wrong_role = create(folder, store)
    assert wrong_role.exit_code == 2
    assert wrong_role.output == "error: create needs the preparer role; abe holds approver\n"
    as_user(monkeypatch, "pat")
    assert create(folder, store).exit_code == 0
    own = cli("batch", "approve", 1, "--db", store)  # a preparer who is not an approver
    assert own.exit_code == 2 and own.output == "error: approve needs the approver role; pat holds preparer\n"
    as_user(monkeypatch, "ada")
    assert cli("users", "roles", "pat", "--role", "preparer", "--role", "approver", "--role", "payer",
               "--db", store, "--note", "holiday cover").exit_code == 0
    as_user(monkeypatch, "pat")
    own = cli("batch", "approve", 1, "--db", store)  # now an approver too: the two-person rule still holds
    assert own.exit_code == 2
    assert own.output == ("error: approve refused: pat prepared batch 1, and a batch is approved by someone other "
                          "than who prepared it (another user with the approver role may)\n")
    as_user(monkeypatch, "abe")
    assert cli("batch", "approve", 1, "--db", store).exit_code == 0
    assert cli("batch", "lock", 1, "--db", store).output.startswith("error: lock needs the payer role")
    as_user(monkeypatch, "pat")
    assert cli("batch", "lock", 1, "--db", store).exit_code == 0  # locking is a payer's, whoever prepared
    paid = cli("batch", "mark-paid", 1, "--db", store)
    assert paid.exit_code == 2
    assert ("a payment is confirmed (marked paid) by someone other than who prepared the batch (another user with "
            "the payer role may)"
            in paid.output)
    as_user(monkeypatch, "pam")
    assert cli("batch", "mark-paid", 1, "--db", store).exit_code == 0
    with sa.create_engine(store).connect() as connection:
        events = connection.execute(sa.text("SELECT action, actor, note FROM events ORDER BY id")).all()
    assert [tuple(e) for e in events] == [
        ("setup", "ada", ""), ("user-added", "ada", ""), ("password-issued", "ada", ""),
        *[event for _ in range(4) for event in (("user-added", "ada", ""), ("password-issued", "ada", ""))],
        ("created", "pat", ""),
        ("user-roles", "ada", "holiday cover"), ("approve", "abe", ""), ("lock", "pat", ""),
        ("mark-paid", "pam", "")]


def test_an_admin_never_pays_and_an_auditor_changes_nothing(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    for who, action in (("ada", "approve"), ("aud", "approve"), ("ada", "discard")):
        as_user(monkeypatch, who)
        refused = cli("batch", action, 1, "--db", two_people)
        assert refused.exit_code == 2 and f"; {who} holds " in refused.output, refused.output
    as_user(monkeypatch, "aud")
    assert cli("batch", "show", 1, "--db", two_people).exit_code == 0  # reading is allowed
    added = cli("users", "add", "eve", "--role", "payer", "--db", two_people)
    assert added.exit_code == 2 and "users needs the admin role; aud holds auditor" in added.output


def test_users_are_checked_and_the_last_admin_stays(folder, two_people, monkeypatch):
    bad = cli("users", "add", "../x", "--role", "payer", "--db", two_people)
    assert bad.exit_code == 2 and "a user's name contains '/'" in bad.output
    collector = cli("users", "add", "cara", "--role", "collector", "--db", two_people)
    assert collector.exit_code == 2 and "a collector user says which collector they are" in collector.output
    assert cli("users", "add", "cara", "--role", "collector", "--collector", "C1", "--db",
               two_people).exit_code == 0
    last = cli("users", "disable", "ada", "--db", two_people)
    assert last.exit_code == 2 and "ada is the store's last admin" in last.output
    assert cli("users", "disable", "pam", "--db", two_people).exit_code == 0
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    as_user(monkeypatch, "pam")
    gone = cli("batch", "lock", 1, "--db", two_people)
    assert gone.exit_code == 2 and "lock needs the payer role; pam is disabled" in gone.output


def test_a_single_operator_store_says_so_everywhere(folder, blank_store, monkeypatch):
    as_user(monkeypatch, "solo")
    assert cli("setup", "--single-operator", "--db", blank_store).exit_code == 0
    assert create(folder, blank_store).exit_code == 0
    for action in ("approve", "lock", "mark-paid"):
        assert cli("batch", action, 1, "--db", blank_store).exit_code == 0
    shown = cli("batch", "show", 1, "--db", blank_store).output
    assert "store set up for a single operator by solo on " in shown
    assert "approved the batch without a second person" in shown
    assert "marked the batch paid without a second person" in shown
    out = folder / "pay.csv"
    assert cli("batch", "export", 1, "--out", out, "--db", blank_store).exit_code == 0
    control = {r["item"]: r["value"] for r in csv.DictReader(open(folder / "pay.control.csv", encoding="utf-8"))}
    assert control["controls"].endswith("batches are approved without a second person")
    assert cli("statements", "--batch", 1, "--db", blank_store, "--out", folder / "st", "--lang", "en").exit_code == 0
    footer = load_workbook(folder / "st" / "C2-2026-07.xlsx").worksheets[0].oddFooter.left.text
    assert footer.endswith("batches are approved without a second person")
    assert cli("statements", "--batch", 1, "--db", blank_store, "--out", folder / "zh", "--lang", "zh").exit_code == 0
    footer = load_workbook(folder / "zh" / "C2-2026-07.xlsx").worksheets[0].oddFooter.left.text
    assert footer.startswith("本系统由 solo 于 ") and footer.endswith("设为单人操作：批次审批无第二人复核")
    assert "本系统由 solo 于 " in cli("--lang", "zh", "batch", "show", 1, "--db", blank_store).output


def test_the_event_log_refuses_changes_in_the_database_itself(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    engine = sa.create_engine(two_people)
    for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events"):
        with pytest.raises(sa.exc.DBAPIError, match="the event log is append-only"):
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT actor FROM events WHERE action = 'created'")).scalar() == "pat"


def test_send_back_needs_a_reason_and_frees_the_period(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    as_user(monkeypatch, "abe")
    silent = cli("batch", "send-back", 1, "--db", two_people)
    assert silent.exit_code == 2 and "say why the batch is sent back" in silent.output
    assert cli("batch", "send-back", 1, "--db", two_people, "--note", "wrong ledger").output == "batch 1 is sent back\n"
    as_user(monkeypatch, "pat")
    assert create(folder, two_people, "july-2").exit_code == 0


def test_a_batch_has_a_pay_date(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    assert "to be paid on Aug 15, 2026" in create(folder, two_people).output  # the 15th of the month after
    as_user(monkeypatch, "abe")
    cli("batch", "discard", 1, "--db", two_people)
    as_user(monkeypatch, "pat")
    given = create(folder, two_people, "july-2", "2026-07", "--pay-date", "2026-08-10")
    assert "to be paid on Aug 10, 2026" in given.output
    bad = create(folder, two_people, "july-3", "2026-07", "--pay-date", "10/08/2026")
    assert bad.exit_code == 2 and "'10/08/2026' is not a date YYYY-MM-DD" in bad.output


def test_batch_show_lists_everyone_and_says_why_a_pay_is_zero(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    lines = cli("batch", "show", 1, "--db", two_people).output.splitlines()
    # C1 recovered 1,000.00, below the 2,000.00 gate: 50.00 taken back; C2 4,000 x 5% = 200.00
    c1 = next(line for line in lines if line.strip().startswith("C1"))
    assert c1.split()[:5] == ["C1", "E1", "王芳", "0.00", "0.00"]
    assert "recovered 1,000.00, below the gate of gate: 50.00 not paid" in c1
    assert "this batch pays (the period's pay): 200.00 CNY, 2 collectors" in lines
    assert any("created the batch, to be paid on 2026-08-15" in line for line in lines)


def test_opening_year_to_date_is_loaded_once_and_counts_in_statements(folder, two_people, monkeypatch):
    (folder / "opening.csv").write_text("collector_id,pay_code,amount\nC2,commission,1000.00\n", encoding="utf-8")
    as_user(monkeypatch, "pat")
    assert cli("opening-ytd", folder / "opening.csv", "--year", "2026", "--db", two_people).exit_code == 0
    twice = cli("opening-ytd", folder / "opening.csv", "--year", "2026", "--db", two_people)
    assert twice.exit_code == 2 and "already loaded" in twice.output
    create(folder, two_people)
    as_user(monkeypatch, "abe")
    cli("batch", "approve", 1, "--db", two_people)
    assert cli("statements", "--batch", 1, "--db", two_people, "--out", folder / "st", "--lang", "en").exit_code == 0
    rows = [[c.value for c in row] for row in load_workbook(folder / "st" / "C2-2026-07.xlsx").worksheets[0].iter_rows()]
    header = next(r for r in rows if r[:3] == ["Pay code", "Amount", "Year to date (approved batches)"])
    commission = rows[rows.index(header) + 1]
    # C2: July 4,000 x 5% = 200.00, and 1,000.00 paid earlier in 2026: year to date 1,200.00
    assert (Decimal(str(commission[1])), Decimal(str(commission[2]))) == (Decimal("200.00"), Decimal("1200.00"))


def test_statements_and_explain_follow_the_store_when_the_folder_is_gone(folder, two_people, monkeypatch):
    import shutil

    as_user(monkeypatch, "pat")
    create(folder, two_people)
    shutil.rmtree(folder / "july")
    default = cli("statements", "--batch", 1, "--db", two_people)
    assert default.exit_code == 2 and "say where they go with --out" in default.output
    made = cli("statements", "--batch", 1, "--db", two_people, "--out", folder / "st", "--lang", "en")
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in (folder / "st").glob("*.xlsx")) == ["C1-2026-07.xlsx", "C2-2026-07.xlsx"]
    explained = cli("explain", "--batch", 1, "--db", two_people, "--collector", "C2")
    assert explained.exit_code == 0 and "= 实发金额 200.00" in explained.output  # a CNY plan: Chinese by default


def test_a_correction_sends_statements_only_to_whom_it_changes(folder, two_people, monkeypatch):
    as_user(monkeypatch, "pat")
    create(folder, two_people)
    for who, action in (("abe", "approve"), ("pam", "lock")):
        as_user(monkeypatch, who)
        cli("batch", action, 1, "--db", two_people)
    # C2 gets one more payment of 1,000.00: 250.00 instead of 200.00; C1 is unchanged (below the gate)
    (folder / "ledger.csv").write_text(LEDGER + "P3,C2,A2,2026-07-20,1000.00,10,5000\n", encoding="utf-8")
    as_user(monkeypatch, "pat")
    assert create(folder, two_people, "july-corrected").exit_code == 0
    made = cli("statements", "--batch", 2, "--db", two_people, "--out", folder / "st", "--lang", "en")
    assert made.output == f"1 statement written to {folder / 'st'}/\n"
    assert [p.name for p in (folder / "st").glob("*.xlsx")] == ["C2-2026-07.xlsx"]


def control_of(path: Path) -> dict:
    return {r["item"]: r["value"] for r in csv.DictReader(open(path, encoding="utf-8"))}


def when(store: str, action: str, number: int = 1) -> str:
    """When the batch's `number`th event `action` happened, as messages write it."""
    from commission.store import format_time
    from commission.store.schema import events

    with sa.create_engine(store).connect() as connection:
        times = connection.execute(sa.select(events.c.at).where(events.c.action == action).order_by(events.c.id))
        return format_time(times.scalars().all()[number - 1])


def test_an_exported_batch_is_paid_and_corrected_never_discarded_and_a_re_export_says_so(folder, two_people,
                                                                                          monkeypatch):
    store = two_people
    as_user(monkeypatch, "pat")
    create(folder, store)
    as_user(monkeypatch, "abe")
    assert cli("batch", "approve", 1, "--db", store).exit_code == 0
    as_user(monkeypatch, "pam")
    first = folder / "pay.csv"
    assert cli("batch", "export", 1, "--out", first, "--db", store).output == (
        f"{first}: 1 payroll line (the batch's payout rows that are not zero), total 200.00 CNY; control in "
        f"{folder / 'pay.control.csv'}\n")
    control = control_of(folder / "pay.control.csv")
    assert control["export"] == "1" and "re-export" not in control
    as_user(monkeypatch, "abe")
    discard = cli("batch", "discard", 1, "--db", store)
    at = when(store, "exported")
    assert discard.exit_code == 2
    assert discard.output == (f"error: discard refused: batch 1's payroll file was exported ({first}, {at} by pam), "
                              "so payroll may pay it; lock it and mark it paid, then correct what is wrong with an "
                              "adjustment batch (commission batch create for 2026-07: it pays only the differences)\n")
    as_user(monkeypatch, "pat")
    second = create(folder, store, "july-2")  # batch 1 is still approved: no second payout batch
    assert second.exit_code == 2
    assert second.output == ("error: batch 1 for 2026-07 is still approved, and its payroll file was exported; lock "
                             "it (it is then corrected by an adjustment batch) before creating another\n")
    as_user(monkeypatch, "pam")
    assert cli("batch", "lock", 1, "--db", store).exit_code == 0
    again = folder / "pay-again.csv"
    said = f"a re-export of batch 1: a copy of export 1 ({first}, {at} by pam); pay it only if that file was not paid"
    assert cli("batch", "export", 1, "--out", again, "--db", store).output.splitlines()[1] == f"note: {said}"
    control = control_of(folder / "pay-again.control.csv")
    assert (control["export"], control["re-export"], control["total"]) == ("2", said, "200.00")
    assert cli("batch", "mark-paid", 1, "--db", store).exit_code == 0
    shown = cli("batch", "show", 1, "--db", store).output
    assert f"exported the payroll file {again} (1 rows, total 200.00): a re-export, a copy of export 1" in shown
    # the correction path: a rerun of the paid period is an adjustment batch of differences (none here)
    as_user(monkeypatch, "pat")
    assert "adjustment batch (differences from what was paid) 2" in create(folder, store, "july-3").output


def test_exporting_a_paid_batch_never_exported_is_a_re_export(folder, blank_store, monkeypatch):
    as_user(monkeypatch, "solo")
    assert cli("setup", "--single-operator", "--db", blank_store).exit_code == 0
    create(folder, blank_store)
    for action in ("approve", "lock", "mark-paid"):
        assert cli("batch", action, 1, "--db", blank_store).exit_code == 0
    assert cli("batch", "export", 1, "--out", folder / "pay.csv", "--db", blank_store).exit_code == 0
    control = control_of(folder / "pay.control.csv")
    assert control["re-export"] == (f"a re-export of batch 1, marked paid {when(blank_store, 'mark-paid')} by solo: "
                                    "do not pay it again")


def test_a_batch_changed_in_the_database_after_approval_is_not_locked_exported_or_paid(folder, two_people,
                                                                                      monkeypatch):
    store = two_people
    as_user(monkeypatch, "pat")
    create(folder, store)
    as_user(monkeypatch, "abe")
    assert cli("batch", "approve", 1, "--db", store).exit_code == 0
    engine = sa.create_engine(store)
    with engine.connect() as connection:
        approved = json.loads(connection.execute(sa.text("SELECT detail FROM events WHERE action = 'approve'"))
                              .scalar_one())["sha256"]
    assert len(approved) == 64

    def tamper(sql):
        with engine.begin() as connection:
            connection.execute(sa.text(sql))

    def refused(action, *extra):
        done = cli("batch", action, 1, *extra, "--db", store)
        assert done.exit_code == 2
        assert done.output.startswith(f"error: {action} refused: batch 1 was changed in the database after abe "
                                      "approved it (its payout rows, balances or totals have SHA-256 "), done.output
        assert done.output.endswith(f"..., not the {approved[:12]}... approved); nothing is locked, exported or "
                                    "marked paid until the change is found and undone (compare with its reports: "
                                    "commission batch show 1)\n")

    as_user(monkeypatch, "pam")
    for change, undo in (("UPDATE payouts SET amount = amount + 10000000 WHERE batch_id = 1",
                          "UPDATE payouts SET amount = amount - 10000000 WHERE batch_id = 1"),
                         ("UPDATE payouts SET employee_id = 'E9' WHERE collector_id = 'C2'",
                          "UPDATE payouts SET employee_id = 'E2' WHERE collector_id = 'C2'"),
                         ("UPDATE batches SET pay_date = '2026-08-01'", "UPDATE batches SET pay_date = '2026-08-15'"),
                         ("UPDATE batches SET totals = replace(totals, '200.00', '900.00')",
                          "UPDATE batches SET totals = replace(totals, '900.00', '200.00')")):
        tamper(change)
        refused("lock")
        refused("export", "--out", folder / "pay.csv")
        assert not (folder / "pay.csv").exists()
        tamper(undo)
    assert cli("batch", "lock", 1, "--db", store).exit_code == 0  # as approved again
    tamper("UPDATE payouts SET amount = 30000 WHERE collector_id = 'C2'")  # 300.00 for C2's 200.00 approved
    refused("mark-paid")
    refused("export", "--out", folder / "pay.csv")
    tamper("UPDATE payouts SET amount = 20000 WHERE collector_id = 'C2'")
    assert cli("batch", "export", 1, "--out", folder / "pay.csv", "--db", store).exit_code == 0
    assert control_of(folder / "pay.control.csv")["total"] == "200.00"  # C2 4,000.00 x 5%; C1 below the gate
    assert cli("batch", "mark-paid", 1, "--db", store).exit_code == 0


def test_an_admin_never_holds_a_role_that_prepares_approves_or_pays(folder, two_people, monkeypatch):
    store = two_people
    for args, money in ((("roles", "ada", "--role", "admin", "--role", "payer"), "payer"),
                        (("add", "adam", "--role", "approver", "--role", "admin", "--role", "preparer"),
                         "preparer and approver"),
                        (("roles", "pam", "--role", "payer", "--role", "admin"), "payer")):
        refused = cli("users", *args, "--db", store)
        assert refused.exit_code == 2
        assert refused.output == (f"--role: an admin manages users and never prepares, approves or pays: give admin "
                                  f"and {money} to different people\nerror: 1 problem; nothing was written\n")
    assert cli("users", "add", "adam", "--role", "admin", "--role", "auditor", "--db", store).exit_code == 0
    assert "  ada: admin\n" in cli("users", "list", "--db", store).output
    # a store where an admin holds a paying role from before: the admin still never pays
    with sa.create_engine(store).begin() as connection:
        connection.execute(sa.text("UPDATE users SET roles = 'admin,preparer' WHERE name = 'ada'"))
    as_user(monkeypatch, "ada")
    refused = create(folder, store)
    assert refused.exit_code == 2
    assert refused.output == ("error: create refused: ada is an admin, and an admin manages users and never "
                              "prepares, approves or pays; give admin or preparer to someone else (users roles)\n")


def test_user_records_follow_the_id_rules_and_no_name_looks_like_another(folder, two_people):
    store = two_people
    for args, problem in (
            (("x2", "--role", "collector", "--collector", "=1+1"),
             "--collector: the collector id starts with '=', which a spreadsheet reads as a formula"),
            (("x3", "--role", "collector", "--collector", "../x"),
             "--collector: the collector id contains '/', which would make it a path"),
            (("x4", "--role", "manager", "--team", "T\x07"), "--team: the team has a control character (U+0007)"),
            (("\u0430be", "--role", "auditor"),  # a Cyrillic а, then Latin b and e
             "--user: a user's name mixes Cyrillic and Latin letters, which look alike: write it in one script"),
            (("Abe", "--role", "auditor"), "--user: a user's name 'Abe' reads the same as the existing user 'abe' "
             "(ignoring case and Unicode forms); the event log would show two look-alike actors: choose another name"),
            (("\uff41be", "--role", "auditor"), "--user: a user's name '\uff41be' reads the same as the existing "
             "user 'abe' (ignoring case and Unicode forms); the event log would show two look-alike actors: choose "
             "another name")):  # a full-width ａ
        refused = cli("users", "add", *args, "--db", store)
        assert refused.output == f"{problem}\nerror: 1 problem; nothing was written\n"
    assert cli("users", "add", "mia", "--role", "manager", "--team", " Team A ", "--db", store).exit_code == 0
    assert cli("users", "add", "王芳", "--role", "collector", "--collector", "C1", "--db", store).exit_code == 0
    listing = cli("users", "list", "--db", store).output
    assert "  mia: manager, team Team A\n" in listing and "  王芳: collector, collector C1\n" in listing
    assert "x2" not in listing and "Abe" not in listing
