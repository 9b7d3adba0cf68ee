"""Money never passes through float: every money or count column of every result frame is int64, and
every path that once filled a missing value with NaN is exact at 2**53 + 1, the first integer a float64
cannot hold (it comes back as 9007199254740992).

Within the documented bounds (money.MAX_AMOUNT for one amount, MAX_TOTAL for a total) a single amount
is below 2**53, but a total is not: the values here are totals just above 2**53 built from amounts
within bounds, or, where the engine is handed a frame directly, a value past the loaders' bound, to
show the arithmetic is exact on its own.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commission.app.batches import _per_collector
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest, compute_period
from commission.engine import (ITEM_MONEY_COLUMNS, LINE_MONEY_COLUMNS, PAYOUT_MONEY_COLUMNS, SKIPPED_MONEY_COLUMNS,
                               SideInputs, pay_plan)
from commission.inputs import load_ledger, load_period_values, load_roster
from commission.money import MAX_AMOUNT, MAX_TOTAL, format_minor
from commission.outputs.run_report import state_document
from commission.periods import Period
from commission.policy import parse_policy
from commission.store.batches import batch_payouts, create_batch, diff_batches, transition
from commission.store.database import open_store
from conftest import LEDGER_HEADER, flat_plan, plan

BIG = 2**53 + 1  # 9007199254740993: a float64 holds it as 9007199254740992
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def test_the_values_are_within_the_documented_bounds():
    assert float(BIG) != BIG
    assert BIG <= MAX_TOTAL  # a total may be this large
    assert BIG > MAX_AMOUNT  # a single amount may not: built below from amounts within bounds


# -- every money column of every result frame is int64 ------------------------------------------------------

def money_columns(name: str, frame: pd.DataFrame) -> list[str]:
    columns = {"payouts": [*PAYOUT_MONEY_COLUMNS, *(c for c in frame.columns if c.startswith("pay_"))],
               "items": ITEM_MONEY_COLUMNS, "lines": LINE_MONEY_COLUMNS, "skipped": SKIPPED_MONEY_COLUMNS,
               "state": ("amount",), "kpis": ("numerator", "denominator")}[name]
    return [c for c in columns if c in frame.columns]


def check_no_float(result) -> None:
    for name in ("payouts", "items", "lines", "skipped", "state", "kpis"):
        frame = getattr(result, name)
        floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
        assert not floats, f"{name}: {floats} hold floats"
        wrong = {c: str(frame[c].dtype) for c in money_columns(name, frame) if frame[c].dtype != np.int64}
        assert not wrong, f"{name}: money columns not int64: {wrong}"


def sample_request(period: str, policies, state) -> RunRequest:
    ledgers = [SAMPLE / "ledger.csv"] + ([SAMPLE / "2026-10" / "ledger.csv"] if period == "2026-10" else [])
    side = lambda name: [SAMPLE / f"{name}.csv"] + ([SAMPLE / "2026-10" / f"{name}.csv"]  # noqa: E731
                                                   if period == "2026-10" else [])
    return RunRequest(InputPaths(policies=policies, ledgers=ledgers, roster=SAMPLE / "roster.csv",
                                 targets=side("targets"), assignments=side("assignments"), events=side("events")),
                      Period.parse(period), state=state)


def test_the_bundled_plans_on_the_sample_data_keep_money_in_int64(tmp_path):
    """Both bundled plans (line rates, tiers, bonuses, an override, gates, compliance, a QA multiplier,
    a cap, holdbacks, carried balances, split credit, reversals) on the sample data's September (a
    quarter's end: holdbacks released) and October (holdbacks withheld, carried in the state)."""
    september = compute_period(sample_request("2026-09", [ROOT / "policies"], SAMPLE / "state-2026-08.json"))
    check_no_float(september.result)
    assert len(september.result.kpis) and len(september.result.lines)
    state = tmp_path / "state.json"
    state.write_text(json.dumps(state_document(september.result)), encoding="utf-8")
    october = compute_period(sample_request("2026-10", [ROOT / "policies"], state))
    check_no_float(october.result)
    assert len(october.result.kpis) and len(october.result.state) and len(october.result.lines)


@pytest.mark.parametrize("mode", ["half_up", "down"])
def test_the_bundled_plans_rounding_at_the_component_keep_money_in_int64(tmp_path, mode):
    """The same, each plan rounding at the component (without its per-payment limits, refused there)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for path in (ROOT / "policies").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("rounding: {mode: half_up, at: line}",
                                                        f"rounding: {{mode: {mode}, at: component}}")
        text = "\n".join(line for line in text.splitlines() if "per_payment:" not in line)
        (folder / path.name).write_text(text + "\n", encoding="utf-8")
    run = compute_period(sample_request("2026-09", [folder], SAMPLE / "state-2026-08.json"))
    check_no_float(run.result)
    lines = run.result.lines.loc[run.result.lines["component"] == "base"]
    items = run.result.items.loc[run.result.items["kind"] == "line_rate"]
    by_collector = lines.groupby("collector_id", observed=True)["amount"].sum()
    assert all(by_collector.get(c, 0) == a for c, a in zip(items["collector_id"], items["amount"]))


KITCHEN_SINK = plan("""
    draw: {amount: 100.00, recoverable: true}
    balances: {recover_at_most: 50%}
    reversals: {unmatched: own_attributes}
    components:
      - id: base
        kind: line_rate
        rates:
          - {bucket: M1, rate: 5%}
        default: 8%
      - id: volume
        kind: tiers
        base: recovered
        mode: marginal
        tiers:
          - {from: 0, to: 1000, rate: 0%}
          - {from: 1000, rate: 1%}
      - id: q-bonus
        kind: bonus
        pays: quarterly
        pay_code: bonus
        kpi: attainment
        steps:
          - {at_least: 50%, amount: 300.00}
      - id: rr-bonus
        kind: bonus
        pay_code: bonus
        kpi: recovery_rate
        steps:
          - {at_least: 1%, amount: 50.00}
    adjustments:
      - id: accelerator
        kind: multiplier
        applies_to: [base]
        kpi: attainment
        bands:
          - {from: 0%, multiplier: 0.9}
          - {from: 100%, multiplier: 1.1}
      - id: conduct
        kind: compliance
        applies_to: [base, volume]
        events:
          complaint: {deduct: 5%}
      - id: hold
        kind: holdback
        applies_to: [base]
        percent: 10%
        release: quarterly
      - id: cap
        kind: cap_floor
        applies_to: [base, volume]
        cap: 500.00
""")


@pytest.mark.parametrize("rounding", ["", "rounding: {mode: half_even, at: component}\n"])
def test_a_plan_of_every_kind_keeps_money_in_int64(run_plan, rounding):
    text = KITCHEN_SINK.replace("classify:", f"{rounding}classify:")
    result = run_plan(text, """
        P1,C1,A1,2026-10-03,1500.00,10,50000
        P2,C1,A2,2026-10-04,-40.00,200,50000
        P3,C2,A3,2026-10-05,600.00,100,50000
    """, targets="""
        collector_id,period,target
        C1,2026-Q4,3000.00
        C2,2026-10,1000.00
        C2,2026-11,1000.00
        C2,2026-12,1000.00
        C1,2026-10,1000.00
        C2,2026-Q3,1.00
    """, assignments="""
        collector_id,period,assigned_balance
        C1,2026-10,100000.00
        C2,2026-10,100000.00
    """, events="""
        event_id,collector_id,date,type,severity,score
        E1,C1,2026-10-09,complaint,minor,
    """)
    check_no_float(result)
    assert len(result.kpis) >= 4


# -- 2**53 + 1 on every path that once went through a float -----------------------------------------------------

def ledger_of(tmp_path: Path, rows: str):
    path = tmp_path / "ledger.csv"
    path.write_text(f"{LEDGER_HEADER}\n{textwrap.dedent(rows).strip()}\n", encoding="utf-8")
    return load_ledger([path], 2).frame


def side_table(tmp_path: Path, name: str, column: str, text: str) -> pd.DataFrame:
    path = tmp_path / f"{name}.csv"
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return load_period_values(path, name, column, 2).frame


QUARTER_BONUS = flat_plan() + ("""\
  - id: q-bonus
    kind: bonus
    pays: quarterly
    pay_code: bonus
    kpi: attainment
    steps:
      - {at_least: 100%, amount: 300.00}
""")


def kpi(result, collector: str, name: str) -> tuple[int, int]:
    row = result.kpis.loc[(result.kpis["collector_id"] == collector) & (result.kpis["kpi"] == name)].iloc[0]
    return int(row["numerator"]), int(row["denominator"])


def test_a_quarter_target_past_2_53_is_exact_beside_a_collector_without_one(tmp_path):
    """C1 has a row for the quarter, C2 only its months: the quarter's own rows are placed beside the
    month sums by position and mask. (A value past MAX_AMOUNT never comes from a file: the frame is
    edited after loading, to show the engine exact on its own.)"""
    targets = side_table(tmp_path, "targets", "target", """
        collector_id,period,target
        C1,2026-Q4,1.00
        C2,2026-10,100.00
        C2,2026-11,100.00
        C2,2026-12,100.00
    """)
    targets.loc[targets["collector_id"] == "C1", "target"] = BIG
    ledger = ledger_of(tmp_path, """
        P1,C1,A1,2026-12-03,1000.00,10,5000
        P2,C2,A2,2026-12-04,10.00,10,5000
    """)
    result = pay_plan(parse_policy(QUARTER_BONUS), ledger, Period.parse("2026-12"), side=SideInputs(targets=targets))
    assert kpi(result, "C1", "attainment") == (100000, BIG)
    assert kpi(result, "C2", "attainment") == (1000, 30000)


def test_an_assigned_balance_past_2_53_is_exact_beside_a_collector_without_one(tmp_path):
    """C2 left in September (on the roster, so in the run, with no assigned balance for October)."""
    assignments = side_table(tmp_path, "assignments", "assigned_balance", """
        collector_id,period,assigned_balance
        C1,2026-10,1.00
    """)
    assignments["assigned_balance"] = BIG
    roster_path = tmp_path / "roster.csv"
    roster_path.write_text("collector_id,name,team,employee_id,start_date,end_date\n"
                           "C1,a,T,E1,2020-01-01,\nC2,b,T,E2,2020-01-01,2026-09-30\n", encoding="utf-8")
    roster = load_roster(roster_path).frame
    text = flat_plan() + ("""\
  - id: rr
    kind: bonus
    kpi: recovery_rate
    steps:
      - {at_least: 1%, amount: 50.00}
""")
    ledger = ledger_of(tmp_path, """
        P1,C1,A1,2026-10-03,1000.00,10,5000
        P2,C2,A2,2026-09-04,10.00,10,5000
    """)
    result = pay_plan(parse_policy(text), ledger, Period.parse("2026-10"), roster,
                      side=SideInputs(assignments=assignments))
    assert kpi(result, "C1", "recovery_rate") == (100000, BIG)
    assert list(result.kpis["collector_id"]) == ["C1"]  # C2's is unknown, not 0


def test_a_yearly_target_summed_from_months_to_2_53_plus_1_within_bounds(run_plan):
    """Twelve monthly targets, each within MAX_AMOUNT, add up to 2**53 + 1 minor units for the year."""
    months = [750599937895083] * 11 + [BIG - 11 * 750599937895083]
    assert sum(months) == BIG and max(months) <= MAX_AMOUNT
    rows = "\n".join(f"C1,2026-{m:02d},{format_minor(v, 2)}" for m, v in enumerate(months, start=1))
    text = flat_plan() + ("""\
  - id: y-bonus
    kind: bonus
    pays: yearly
    pay_code: bonus
    kpi: attainment
    steps:
      - {at_least: 100%, amount: 300.00}
""")
    result = run_plan(text, "P1,C1,A1,2026-12-03,1000.00,10,5000", period="2026-12",
                      targets=f"collector_id,period,target\n{rows}")
    assert kpi(result, "C1", "attainment") == (100000, BIG)


def big_ledger(amount_total: int, rows: int = 10) -> str:
    """`rows` repayments within MAX_AMOUNT adding up to `amount_total` minor units."""
    each = amount_total // rows
    values = [each] * (rows - 1) + [amount_total - each * (rows - 1)]
    assert max(values) <= MAX_AMOUNT
    return "\n".join(f"P{k},C1,A{k},2026-10-{k + 1:02d},{format_minor(v, 2)},10,5000" for k, v in enumerate(values))


def test_a_correction_batch_and_a_batch_diff_are_exact_past_2_53(run_plan, blank_store):
    """A collector paid 2**53 + 1 (100% of repayments within bounds), corrected to 2**53 + 3, beside a
    collector paid only in the correction (so the sides have different keys): the adjustment pays C1
    exactly 2 (through float64 both ends round to even: 2**53 and 2**53 + 4, a difference of 4)."""
    engine = open_store(blank_store)
    text = flat_plan(rate="100%")
    first = run_plan(text, big_ledger(BIG))
    second = run_plan(text, big_ledger(BIG + 2) + "\nQ1,C2,B1,2026-10-20,1.00,10,5000")
    assert int(first.payouts["net_payout"].iloc[0]) == BIG
    now, pay_date = datetime(2026, 11, 1, 9), date(2026, 11, 5)
    with engine.begin() as connection:
        paid = create_batch(connection, first, [], "", "token-1", "hr", now, pay_date)
        for action, who in (("approve", "checker"), ("lock", "checker")):
            transition(connection, paid.id, action, who, now)
    with engine.begin() as connection:
        correction = create_batch(connection, second, [], "", "token-2", "hr", now, pay_date)
        assert correction.kind == "adjustment"
        rows = batch_payouts(connection, correction.id)
        assert rows[["collector_id", "pay_code", "amount"]].values.tolist() == [["C1", "commission", 2],
                                                                                ["C2", "commission", 100]]
        difference = diff_batches(connection, paid.id, correction.id)
    assert difference.to_dict("records") == [
        {"collector_id": "C1", "pay_code": "commission", f"amount batch {paid.id}": BIG,
         f"amount batch {correction.id}": BIG + 2, "difference": 2},
        {"collector_id": "C2", "pay_code": "commission", f"amount batch {paid.id}": 0,
         f"amount batch {correction.id}": 100, "difference": 100}]
    engine.dispose()


def test_a_batch_per_collector_table_is_exact_past_2_53():
    rows = pd.DataFrame({"collector_id": ["C1", "C1", "C2"], "employee_id": ["E1", "E1", "E2"],
                         "name": ["a", "a", "b"], "pay_code": ["commission", "bonus", "bonus"],
                         "amount": np.array([BIG, 2, 5], dtype=np.int64)})
    table = _per_collector(rows, pd.DataFrame(), "payout", 2, "en")
    assert table.set_index("collector_id")[["commission", "bonus", "total"]].values.tolist() == \
        [[BIG, 2, BIG + 2], [0, 5, 5]]


def test_ledgers_with_and_without_split_credit_keep_shares_in_int64(tmp_path):
    whole = tmp_path / "september.csv"
    whole.write_text(f"{LEDGER_HEADER}\nP1,C1,A1,2026-09-03,10.00,10,5000\n", encoding="utf-8")
    split = tmp_path / "october.csv"
    split.write_text(f"{LEDGER_HEADER},credit_share\nP2,C1,A2,2026-10-03,10.00,10,5000,0.5\n"
                     "P2,C2,A2,2026-10-03,10.00,10,5000,0.5\n", encoding="utf-8")
    frame = load_ledger([whole, split], 2).frame
    assert frame["credit_share"].dtype == np.int64
    assert sorted(frame["credit_share"].tolist()) == [500000, 500000, 1000000]
