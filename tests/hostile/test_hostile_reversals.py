"""A reversal names the original payment it takes back, never another reversal or a negative row:
refused with file and row where the ledger is loaded, and again where the engine finds originals."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.cli import main
from commission.engine import pay_plan
from commission.errors import InputError
from commission.inputs import load_ledger
from commission.periods import Period
from commission.policy import parse_policy
from conftest import payout, plan

HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses"
FIVE_PERCENT = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
    """)
CHAIN_MESSAGE = ("reverses: payment 'P2' is itself a reversal (of 'P1'); a reversal must name the original payment it "
                 "takes back ('P1'), never another reversal")


def write(folder: Path, name: str, rows: str) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n" + textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
    return path


def test_the_issues_reversal_of_a_reversal_is_refused_with_its_row(tmp_path):
    """P2 = -100 reverses P1; P3 = -100 reverses P2: it used to exit 0 paying P3 +5.00 on a -100.00 base."""
    ledger = write(tmp_path, "ledger.csv", """
        P1,C1,A0001,2026-10-03,100.00,10,1000.00,
        P2,C1,A0001,2026-10-04,-100.00,10,1000.00,P1
        P3,C1,A0001,2026-10-05,-100.00,10,1000.00,P2
        """)
    (tmp_path / "plan.yaml").write_text(FIVE_PERCENT, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger", str(ledger),
                                       "--period", "2026-10", "--out", str(out), "--first-period"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [f"{ledger}:row 4: {CHAIN_MESSAGE}",
                                          "error: 1 problem; nothing was written"]
    assert not out.exists()


def test_a_reversal_naming_a_negative_row_is_refused(tmp_path):
    ledger = write(tmp_path, "ledger.csv", """
        N1,C1,A0001,2026-10-03,-50.00,10,1000.00,
        R1,C1,A0001,2026-10-04,-10.00,10,1000.00,N1
        """)
    with pytest.raises(InputError) as raised:
        load_ledger([ledger], 2)
    assert [str(p) for p in raised.value.problems] == [
        f"{ledger}:row 3: reverses: payment 'N1' has a negative amount; a reversal must name the original payment it "
        "takes back, never another reversal"]


def test_a_chain_across_two_months_ledgers_is_refused_in_the_later_file(tmp_path):
    write(tmp_path, "2026-09.csv", """
        P1,C1,A0001,2026-09-03,100.00,10,1000.00,
        P2,C1,A0001,2026-09-20,-100.00,10,1000.00,P1
        """)
    october = write(tmp_path, "2026-10.csv", "P3,C1,A0001,2026-10-05,-100.00,10,1000.00,P2")
    with pytest.raises(InputError) as raised:
        load_ledger([tmp_path], 2)
    assert [str(p) for p in raised.value.problems] == [f"{october}:row 2: {CHAIN_MESSAGE}"]


def test_the_engine_refuses_a_chain_the_loader_did_not_see(tmp_path):
    """Defence in depth: a frame changed after loading still cannot pay a reversal of a reversal."""
    ledger = load_ledger([write(tmp_path, "ledger.csv", """
        P1,C1,A0001,2026-10-03,100.00,10,1000.00,
        P2,C1,A0001,2026-10-04,-100.00,10,1000.00,P1
        P3,C1,A0001,2026-10-05,-50.00,10,1000.00,P1
        """)], 2)
    frame = ledger.frame.copy()
    frame.loc[frame["payment_id"] == "P3", "reverses"] = "P2"
    with pytest.raises(InputError) as raised:
        pay_plan(parse_policy(FIVE_PERCENT, source="plan.yaml"), frame, Period.parse("2026-10"))
    assert [str(p) for p in raised.value.problems] == [f"{tmp_path / 'ledger.csv'}:row 4: {CHAIN_MESSAGE}"]


def test_several_reversals_of_the_original_payment_still_add_up(run_plan):
    # P1 100.00 at 5% = 5.00; R1 takes back 40.00 -> 2.00, R2 the other 60.00 -> 3.00: nothing left.
    result = run_plan(FIVE_PERCENT, f"""
        {HEADER}
        P1,C1,A0001,2026-10-03,100.00,10,1000.00,
        R1,C1,A0001,2026-10-04,-40.00,10,1000.00,P1
        R2,C1,A0001,2026-10-05,-60.00,10,1000.00,P1
        """)
    assert payout(result, "C1", "line_commission") == 0
    assert result.lines.set_index("payment_id")["amount"].to_dict() == {"P1": 500, "R1": -200, "R2": -300}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 11)), min_size=1, max_size=12))
def test_exactly_the_reversals_that_name_a_reversal_are_refused(tmp_path_factory, names):
    """Row k is a payment (None) or a reversal naming row `names[k]` (when that row exists, is not itself
    and is found); only those naming a reversal are refused by the loader."""
    folder = tmp_path_factory.mktemp("chains")
    rows, expected = [], []
    for k, named in enumerate(names):
        named = None if named is None or named == k or named >= len(names) else named
        reverses = f"P{named}" if named is not None else ""
        rows.append(f"P{k},C1,A0001,2026-10-03,{'-1.00' if reverses else '100.00'},10,1000.00,{reverses}")
        if named is not None and names[named] is not None and names[named] != named and names[named] < len(names):
            expected.append(k)
    path = write(folder, "ledger.csv", "\n".join(rows))
    try:
        load_ledger([path], 2)
        refused = []
    except InputError as exc:
        refused = sorted(int(p.where.rsplit(" ", 1)[1]) - 2 for p in exc.problems)
    assert refused == sorted(expected)


def test_a_reversal_dated_before_its_payment_is_refused_and_nothing_is_written(tmp_path):
    """R1 bounces P1 a week before P1 was paid: it used to exit 0, clawing back -5.00 in October."""
    ledger = write(tmp_path, "ledger.csv", """
        P1,C1,A0001,2026-10-10,100.00,10,1000.00,
        R1,C1,A0001,2026-10-03,-100.00,10,1000.00,P1
        """)
    (tmp_path / "plan.yaml").write_text(FIVE_PERCENT, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger", str(ledger),
                                       "--period", "2026-10", "--out", str(out), "--first-period"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{ledger}:row 3: payment_date: 2026-10-03 is before payment 'P1' ({ledger}:row 2) was paid (2026-10-10); "
        "money cannot bounce before it arrived",
        "error: 1 problem; nothing was written"]
    assert not out.exists()


def test_a_reversal_on_the_payments_day_is_kept(tmp_path):
    ledger = write(tmp_path, "ledger.csv", """
        P1,C1,A0001,2026-10-10,100.00,10,1000.00,
        R1,C1,A0001,2026-10-10,-40.00,10,1000.00,P1
        """)
    assert list(load_ledger([ledger], 2).frame["amount"]) == [10000, -4000]


def test_a_reversal_on_another_account_is_refused_even_with_the_same_last_four(tmp_path):
    """The original sits in a file without a reverses column; B0001 and A0001 both show as ****0001."""
    september = tmp_path / "2026-09.csv"
    september.write_text(HEADER.removesuffix(",reverses") + "\nP1,C1,A0001,2026-09-20,100.00,10,1000.00\n",
                         encoding="utf-8")
    october = write(tmp_path, "2026-10.csv", "R1,C1,B0001,2026-10-05,-100.00,10,1000.00,P1")
    with pytest.raises(InputError) as raised:
        load_ledger([tmp_path], 2)
    assert [str(p) for p in raised.value.problems] == [
        f"{october}:row 2: account_id: is not the account of payment 'P1' ({september}:row 2); a reversal takes "
        "money back from the account that paid it"]
