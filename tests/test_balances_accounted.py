"""Every balance carried in is accounted for: one its collector's plan keeps (whatever the source, a state
file or the batch store's balances), and never silently carried for a collector missing from a run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from conftest import flat_plan, payout
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest, compute_period
from commission.engine import SideInputs, pay_period
from commission.errors import InputError
from commission.inputs import load_ledger, load_roster
from commission.periods import Period
from commission.policy import parse_policy

HOLDBACK = """
adjustments:
  - id: q
    kind: holdback
    percent: 20%
    release: quarterly
"""
HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"
ROSTER = "collector_id,name,team,employee_id\nC1,王芳,Team A,E1001\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


def state(*rows) -> pd.DataFrame:
    """Balances as a run receives them, from a state file or the store: (collector, balance, minor units)."""
    return pd.DataFrame({"collector_id": pd.Series([r[0] for r in rows], dtype="str"),
                         "balance": pd.Series([r[1] for r in rows], dtype="str"),
                         "amount": pd.Series([r[2] for r in rows], dtype="int64")})


def run(folder: Path, plans, period: str, balances: pd.DataFrame, roster: str = ROSTER,
        rows: str = "P1,C1,A0001,{month}-10,10000.00,20,50000.00"):
    policies = tuple(parse_policy(p, source=f"plan{i}.yaml") for i, p in enumerate(
        [plans] if isinstance(plans, str) else plans))
    ledger = load_ledger([_write(folder, "ledger.csv", f"{HEADER}\n{rows.format(month=period)}")], 2)
    side = SideInputs(state=balances, state_period=_month_before(period))
    return pay_period(policies, ledger.frame, Period.parse(period), load_roster(_write(folder, "roster.csv",
                                                                                        roster)).frame, side)


def _month_before(period: str) -> Period:
    year, month = map(int, period.split("-"))
    return Period.parse(f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}")


# --- a collector missing from the run -------------------------------------------------------------------------

def test_a_holdback_of_a_collector_missing_from_its_release_run_is_refused(tmp_path):
    # C5 holds 761.66 of the quarterly holdback and is neither on the roster nor in the ledger: the
    # September run ends Q3, where the balance is released or forfeited, so it cannot go on
    with pytest.raises(InputError) as caught:
        run(tmp_path, flat_plan(extra=HOLDBACK), "2026-09", state(("C5", "holdback:q", 76166)))
    message = str(caught.value)
    assert ("C5 holds 761.66 of holdback:q but is not in this run, which settles it (the end of 2026-Q3: released "
            "or forfeited): keep C5 on the roster, with their end_date if they left, so their plan releases or "
            "forfeits it") in message
    assert caught.value.problems[0].role == "roster"


def test_kept_on_the_roster_the_release_run_settles_it(tmp_path):
    # On the roster with no repayments: the 761.66 is released (no only_if), C5 is paid 761.66
    roster = ROSTER + "C5,高雨欣,Team A,E1005\n"
    result = run(tmp_path, flat_plan(extra=HOLDBACK), "2026-09", state(("C5", "holdback:q", 76166)), roster=roster)
    assert payout(result, "C5") == 76166 and not (result.state["collector_id"] == "C5").any()


def test_before_the_release_a_missing_collectors_balances_are_carried_with_a_warning(tmp_path):
    balances = state(("C5", "carried", 12000), ("C5", "draw", 30000), ("C5", "held", 50000),
                     ("C5", "holdback:q", 76166), ("C6", "carried", 100))
    result = run(tmp_path, flat_plan(extra=HOLDBACK), "2026-08", balances)
    carried = result.state.loc[result.state["collector_id"] != "C1"]
    assert carried[["collector_id", "balance", "amount"]].values.tolist() == [
        ["C5", "carried", 12000], ["C5", "draw", 30000], ["C5", "held", 50000], ["C5", "holdback:q", 76166],
        ["C6", "carried", 100]]
    assert ("C5 is not in this run but holds balances, carried unchanged: carried 120.00 (a negative balance they "
            "owe); draw 300.00 (draws they owe); held 500.00 (leaver pay held for them); holdback:q 761.66 "
            "(settled at the end of 2026-Q3); keep them on the roster (with their end_date if they left) until "
            "their plan settles these") in result.warnings
    assert any(w.startswith("C6 is not in this run but holds balances, carried unchanged: carried 1.00")
               for w in result.warnings)
    # C1: 10,000.00 x 5% = 500.00, 100.00 withheld
    assert payout(result, "C1") == 40000


def test_in_the_release_run_other_balances_of_a_missing_collector_still_carry(tmp_path):
    # Only a holdback the run settles is refused; a carried negative waits, named in a warning
    result = run(tmp_path, flat_plan(extra=HOLDBACK), "2026-09", state(("C5", "carried", 12000)))
    assert result.state.loc[result.state["collector_id"] == "C5", "amount"].tolist() == [12000]
    assert any(w.startswith("C5 is not in this run but holds balances") for w in result.warnings)


# --- balances a plan no longer keeps, whatever their source -------------------------------------------------

def test_a_balance_the_plan_does_not_keep_is_refused_naming_whose_and_how_much(tmp_path):
    # Version 2 of the plan dropped holdback q; C1 still holds 100.00 of it
    version_2 = flat_plan("card").replace("version: 1", "version: 2")
    with pytest.raises(InputError) as caught:
        run(tmp_path, version_2, "2026-08", state(("C1", "holdback:q", 10000)))
    problem = caught.value.problems[0]
    assert problem.role == "state" and problem.key == "balance"
    assert problem.message.startswith("holdback:q: not a balance the plans given keep: C1 holds 100.00 of it, and "
                                      "plan card version 2 (in force on 2026-08-31) keeps carried, draw, held.")


def test_one_balance_the_plan_does_not_keep_is_one_problem_however_many_hold_it(tmp_path):
    # Seven collectors hold holdback q, which version 2 dropped: one mistake, one message naming the first five
    version_2 = flat_plan("card").replace("version: 1", "version: 2")
    held = [(f"C{n}", "holdback:q", n * 1000) for n in range(1, 8)]
    with pytest.raises(InputError) as caught:
        run(tmp_path, version_2, "2026-08", state(*held, ("C1", "drwa", 500)))
    assert [p.message.split(". ")[0] for p in caught.value.problems] == [
        "holdback:q: not a balance the plans given keep: C1 holds 10.00 of it, C2 20.00, C3 30.00, C4 40.00, "
        "C5 50.00 and 2 more collectors, and plan card version 2 (in force on 2026-08-31) keeps carried, draw, held",
        "drwa: not a balance the plans given keep: C1 holds 5.00 of it, and plan card version 2 (in force on "
        "2026-08-31) keeps carried, draw, held"]


def test_each_balance_is_judged_by_its_collectors_own_plan(tmp_path):
    # C1 on plan a (holdback q), C2 on plan b (none): C2's balance of q would never be paid
    plans = [flat_plan("a", extra=HOLDBACK), flat_plan("b")]
    roster = "collector_id,name,team,employee_id,plan\nC1,王芳,Team A,E1001,a\nC2,李强,Team A,E1002,b\n"
    with pytest.raises(InputError) as caught:
        run(tmp_path, plans, "2026-08", state(("C1", "holdback:q", 10000), ("C2", "holdback:q", 5000)), roster=roster)
    assert [p.message.split(". ")[0] for p in caught.value.problems] == [
        "holdback:q: not a balance the plans given keep: C2 holds 50.00 of it, and plan b version 1 (in force on "
        "2026-08-31) keeps carried, draw, held"]
    # Without C2's balance the run goes on: C1 500.00 - 100.00 withheld, holding 200.00
    result = run(tmp_path, plans, "2026-08", state(("C1", "holdback:q", 10000)), roster=roster)
    assert payout(result, "C1") == 40000


def test_the_batch_stores_balances_are_checked_like_a_state_file(tmp_path):
    # compute_period with `opening` is how a batch takes its balances from the store: no state file, and
    # until now no check. A holdback the plan does not keep is refused all the same.
    plan = _write(tmp_path, "plan.yaml", flat_plan("card"))
    ledger = _write(tmp_path, "ledger.csv", f"{HEADER}\nP1,C1,A0001,2026-08-10,10000.00,20,50000.00")
    request = RunRequest(InputPaths(policies=[plan], ledgers=[ledger]), Period.parse("2026-08"))
    with pytest.raises(InputError) as caught:
        compute_period(request, opening=(Period.parse("2026-07"), state(("C1", "holdback:gone", 4200))))
    assert "holdback:gone: not a balance the plans given keep: C1 holds 42.00 of it" in str(caught.value)
    computed = compute_period(request, opening=(Period.parse("2026-07"), state(("C1", "draw", 4200))))
    # 500.00 earned; no draw in this plan, so the 42.00 owed is repaid in full: 458.00
    assert payout(computed.result, "C1") == 45800


def test_the_state_source_is_named_when_given(tmp_path):
    policies = (parse_policy(flat_plan()),)
    ledger = load_ledger([_write(tmp_path, "ledger.csv", f"{HEADER}\nP1,C1,A0001,2026-08-10,100.00,20,500.00")], 2)
    side = SideInputs(state=state(("C1", "drwa", 100)), state_period=Period.parse("2026-07"),
                      state_source="out-2026-07/state.json")
    with pytest.raises(InputError) as caught:
        pay_period(policies, ledger.frame, Period.parse("2026-08"), None, side)
    assert str(caught.value).startswith("out-2026-07/state.json: balance: drwa: not a balance the plans given keep")
