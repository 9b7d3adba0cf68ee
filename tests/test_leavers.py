"""Held leaver pay and its release by a clearance event: only a clearance after the collector left counts."""

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from commission.cli import main

PLAN = """
plan: leavers-held
version: 1
effective: 2026-01-01
currency: CNY
leavers: hold
components:
  - id: base
    kind: line_rate
    rates:
      - {rate: 5%}
"""
LEDGER = """
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A0001,2026-10-01,10000.00,20,50000.00
P2,C2,A0002,2026-10-02,10000.00,20,50000.00
"""
ROSTER = """
collector_id,name,team,employee_id,start_date,end_date
C1,王芳,Team A,E1001,2020-01-01,2026-10-15
C2,李强,Team A,E1002,2020-01-01,
"""


def run(folder: Path, period: str, events: str, roster: str = ROSTER, state: Path | None = None, ledger: str = LEDGER):
    for name, text in (("plan.yaml", PLAN), ("ledger.csv", ledger), ("roster.csv", roster), ("events.csv", events)):
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    start = ["--state", str(state)] if state else ["--first-period"]
    return CliRunner().invoke(main, ["run", "--policy", str(folder / "plan.yaml"), "--ledger",
                                     str(folder / "ledger.csv"), "--roster", str(folder / "roster.csv"), "--events",
                                     str(folder / "events.csv"), "--period", period, "--out", str(folder / period),
                                     *start])


def held(folder: Path, period: str) -> dict:
    balances = json.loads((folder / period / "state.json").read_text(encoding="utf-8"))["balances"]
    return {b["collector_id"]: b["amount"] for b in balances if b["balance"] == "held"}


def test_a_clearance_dated_before_the_collector_left_releases_nothing(tmp_path):
    # C1 left on 15 October; a clearance of 1 September is from before: October's 500.00 stays held
    result = run(tmp_path, "2026-10", "event_id,collector_id,date,type\nE1,C1,2026-09-01,clearance\n")
    assert result.exit_code == 0, result.output
    assert held(tmp_path, "2026-10") == {"C1": "500.00"}
    assert "clearance E1 of C1 is dated before they left" in result.output
    # Signed off on 20 October, after leaving: October's run releases what it held
    result = run(tmp_path, "2026-10", "event_id,collector_id,date,type\nE1,C1,2026-10-20,clearance\n")
    assert result.exit_code == 0, result.output
    assert held(tmp_path, "2026-10") == {}
    items = (tmp_path / "2026-10" / "items.csv").read_text(encoding="utf-8")
    assert '"C1","leavers","leaver","leavers:released"' in items
    # An early clearance beside a valid one: the valid one releases, and nothing is said of the early one
    both = run(tmp_path, "2026-10", "event_id,collector_id,date,type\nE1,C1,2026-09-01,clearance\n"
               "E2,C1,2026-10-20,clearance\n")
    assert both.exit_code == 0 and "releases nothing" not in both.output
    assert held(tmp_path, "2026-10") == {}


def test_a_clearance_for_someone_not_in_the_run_is_reported(tmp_path):
    assert run(tmp_path, "2026-10", "event_id,collector_id,date,type\n").exit_code == 0
    # C1 is no longer on the roster in November: the clearance cannot pay them, and the run says so
    result = run(tmp_path, "2026-11", "event_id,collector_id,date,type\nE1,C1,2026-11-05,clearance\n",
                 roster="collector_id,name,team,employee_id\nC2,李强,Team A,E1002\n",
                 state=tmp_path / "2026-10" / "state.json",
                 ledger=LEDGER.replace("P1,C1,A0001,2026-10-01", "P3,C2,A0002,2026-11-03"))
    assert result.exit_code == 0, result.output
    assert "C1 has held pay and a clearance event but is not in this run" in result.output
    typo = run(tmp_path, "2026-10", "event_id,collector_id,date,type\nE2,C9,2026-10-20,clearance\n")
    assert "clearance E2 names C9, who is not in this run" in typo.output
    assert held(tmp_path, "2026-11") == {"C1": "500.00"}


def test_a_clearance_with_a_severity_is_refused(tmp_path):
    result = run(tmp_path, "2026-10", "event_id,collector_id,date,type,severity\nE1,C1,2026-10-20,clearance,serious\n")
    assert result.exit_code == 2
    assert "a clearance (hand-over signed off) has no severity or score" in result.output
