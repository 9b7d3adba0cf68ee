"""Regression tests for the review of simulation against today (issue 15), each worked by hand, and the
invariants they broke: a candidate identical to today costs exactly what today costs, and cost by bucket
adds up to the total, on the sample data."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import flat_plan
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_simulation import PLAN_A

from commission.app.inputs import InputPaths
from commission.app.simulation import SimulationRequest, load_simulation
from commission.engine import PAYOUT_MONEY_COLUMNS, SideInputs
from commission.inputs import load_ledger
from commission.money import MAX_AMOUNT
from commission.periods import Period
from commission.simulation import build_comparison, prepare_history, simulate
from commission.simulation.behaviour import PPM, scaled_history
from commission.simulation.compare import OTHER_BUCKET, bucket_table, cost_table

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
POLICIES = REPO / "policies"
LEDGER_HEADER = "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance"


def write(folder: Path, files: dict) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def simulated(folder: Path, **more):
    """(loaded, simulation) of the plans in folder/today on folder's ledger, roster and side files."""
    side = {name: [folder / f"{name}.csv"] for name in ("targets", "assignments", "events")
            if (folder / f"{name}.csv").exists()}
    loaded = load_simulation(SimulationRequest(InputPaths(policies=[folder / "today"], ledgers=[folder / "ledger.csv"],
                                                          roster=folder / "roster.csv", **side), **more))
    return loaded, simulate(loaded.scenarios, loaded.history, loaded.months, loaded.report_of, opening=loaded.opening)


def paid(run) -> dict:
    return {(m, c): int(p) for m, c, p in zip(run.payouts["month"], run.payouts["collector_id"],
                                              run.payouts["net_payout"])}


# -- 1. today and candidates on the same inputs ------------------------------------------------

RECOVERY_RATE_PLAN = flat_plan("rr", "1%") + """\
  - id: quarter-rate
    kind: bonus
    pays: quarterly
    kpi: recovery_rate
    steps:
      - {at_least: 10%, amount: 100.00}
"""


def test_a_leaver_is_paid_by_an_identical_candidate_what_today_pays(tmp_path):
    """C2 left on 2026-08-15 and has no assigned balance for September. Q3: 2,000.00 recovered on
    20,000.00 assigned = 10%: the 100.00 bonus, prorated 46 of 92 days = 50.00 in September. The candidate
    used to be given August's 10,000.00 for September too (6.67%: no bonus), so it showed C2 -50.00."""
    write(tmp_path, {"today/rr.yaml": RECOVERY_RATE_PLAN, "ledger.csv": f"""\
        {LEDGER_HEADER}
        P1,C1,A0001,2026-07-05,1000.00,10,5000.00
        P2,C1,A0002,2026-08-05,1000.00,10,5000.00
        P3,C1,A0003,2026-09-05,1000.00,10,5000.00
        P4,C2,A0004,2026-07-06,1000.00,10,5000.00
        P5,C2,A0005,2026-08-06,1000.00,10,5000.00
        """, "roster.csv": """\
        collector_id,name,team,employee_id,start_date,end_date,plan
        C1,One,Team A,E1,2020-01-01,,rr
        C2,Two,Team A,E2,2020-01-01,2026-08-15,rr
        """, "assignments.csv": """\
        collector_id,period,assigned_balance
        C1,2026-07,10000.00
        C1,2026-08,10000.00
        C1,2026-09,10000.00
        C2,2026-07,10000.00
        C2,2026-08,10000.00
        """})
    _, sim = simulated(tmp_path, candidates=[tmp_path / "today" / "rr.yaml"],
                       replacements=[f"rr={tmp_path / 'today' / 'rr.yaml'}"])
    # C1: 10.00 a month, and 3,000.00 / 30,000.00 = 10%: 100.00 in September
    expected = {("2026-07", "C1"): 1000, ("2026-07", "C2"): 1000, ("2026-08", "C1"): 1000,
                ("2026-08", "C2"): 1000, ("2026-09", "C1"): 11000, ("2026-09", "C2"): 5000}
    assert [paid(run) for run in sim.runs] == [expected] * 3


@pytest.fixture(scope="module")
def all_on_tiered(tmp_path_factory) -> Path:
    """The sample roster with every collector on card-tiered."""
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text((SAMPLE / "roster.csv").read_text(encoding="utf-8").replace("card-bucket-rates", "card-tiered"),
                    encoding="utf-8")
    return path


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(periods=st.sampled_from([["2026-07"], ["2026-08"], ["2026-09"], ["2026-07", "2026-08"], ["2026-08", "2026-09"],
                                ["2026-Q3"], ["2026-07", "2026-08", "2026-09"]]))
@example(periods=["2026-07", "2026-09"])
def test_candidates_identical_to_today_differ_by_nothing_on_the_sample(all_on_tiered, periods):
    """Each of today's plans replaced by itself, and (a roster with everyone on card-tiered) the plan as a
    candidate for everyone: 0.00 for every collector and month."""
    request = dict(periods=[Period.parse(p) for p in periods])
    side = dict(ledgers=[SAMPLE / "ledger.csv"], targets=[SAMPLE / "targets.csv"],
                assignments=[SAMPLE / "assignments.csv"], events=[SAMPLE / "events.csv"])
    requests = [SimulationRequest(InputPaths(policies=[POLICIES], roster=SAMPLE / "roster.csv", **side), replacements=[
                    f"card-tiered={POLICIES / 'tiered.yaml'}", f"card-bucket-rates={POLICIES / 'bucket-rates.yaml'}"],
                    **request),
                SimulationRequest(InputPaths(policies=[POLICIES / "tiered.yaml"], roster=all_on_tiered, **side),
                                  candidates=[POLICIES / "tiered.yaml"], **request)]
    for loaded in map(load_simulation, requests):
        sim = simulate(loaded.scenarios, loaded.history, loaded.months, loaded.report_of)
        today = sim.baseline.payouts.set_index(["month", "collector_id"])[list(PAYOUT_MONEY_COLUMNS)]
        assert set(today.index.get_level_values(0)) == {str(m) for m in loaded.months}
        assert len(sim.runs) > 1
        for run in sim.runs[1:]:
            pd.testing.assert_frame_equal(run.payouts.set_index(["month", "collector_id"])[today.columns], today)


# -- 2. a --period list with a gap -------------------------------------------------------------

HOLDBACK_PLAN = flat_plan("hb", "10%", """\
    adjustments:
      - id: q-holdback
        kind: holdback
        applies_to: [base]
        percent: 20%
        release: quarterly
    """)


def test_months_between_the_periods_given_are_run_for_their_balances(tmp_path):
    """1,000.00 a month at 10%, 20% held back until the quarter ends. July: 100.00 - 20.00 held = 80.00.
    August (not shown) holds 20.00 more. September: 100.00 - 20.00 + the 60.00 held over the quarter =
    140.00. Shown: 220.00 (without August the balances restarted in September: 100.00, 180.00 in all)."""
    write(tmp_path, {"today/hb.yaml": HOLDBACK_PLAN, "ledger.csv": f"""\
        {LEDGER_HEADER}
        P1,C1,A0001,2026-07-05,1000.00,10,5000.00
        P2,C1,A0002,2026-08-05,1000.00,10,5000.00
        P3,C1,A0003,2026-09-05,1000.00,10,5000.00
        """, "roster.csv": """\
        collector_id,name,team,employee_id,plan
        C1,One,Team A,E1,hb
        """})
    loaded, sim = simulated(tmp_path, periods=[Period.parse("2026-07"), Period.parse("2026-09")])
    assert paid(sim.baseline) == {("2026-07", "C1"): 8000, ("2026-09", "C1"): 14000}
    assert cost_table(sim).set_index("period").loc["all", "cost"] == 22000
    assert sim.baseline.owed_at_end() == (0, 0)


# -- 3. cost by bucket reconciles to the total -------------------------------------------------

def test_rows_the_engine_skips_are_in_no_bucket(tmp_path):
    """C1 starts on 2026-10-10; the plan skips rows before a collector's start. P1 (1,000.00, M1, 5 Oct)
    is skipped; P2 500.00 in M4-6 at 10% = 50.00. Buckets: M1 0.00 recovered, M4-6 500.00 costing 50.00:
    500.00 recovered in all, as the run."""
    write(tmp_path, {"today/a.yaml": PLAN_A + "leavers: {before_start: skip}\n", "ledger.csv": f"""\
        {LEDGER_HEADER}
        P1,C1,A0001,2026-10-05,1000.00,10,4000.00
        P2,C1,A0002,2026-10-15,500.00,100,9000.00
        """, "roster.csv": """\
        collector_id,name,team,employee_id,start_date,end_date,plan
        C1,One,Team A,E1,2026-10-10,,plan-a
        """})
    _, sim = simulated(tmp_path)
    buckets = bucket_table(sim).set_index("bucket")
    assert buckets.loc[["M1", "M4-6"], ["recovered", "cost"]].values.tolist() == [[0, 0], [50000, 5000]]
    assert buckets["recovered"].sum() == 50000 == int(sim.baseline.payouts["recovered"].sum())
    assert buckets["cost"].sum() == 5000


def test_cost_by_bucket_adds_up_to_the_total_on_the_sample():
    files = InputPaths(policies=[POLICIES], ledgers=[SAMPLE / "ledger.csv"], roster=SAMPLE / "roster.csv",
                       targets=[SAMPLE / "targets.csv"], assignments=[SAMPLE / "assignments.csv"],
                       events=[SAMPLE / "events.csv"])
    loaded = load_simulation(SimulationRequest(files, candidates=[POLICIES / "tiered.yaml"],
                                               replacements=[f"card-tiered={POLICIES / 'bucket-rates.yaml'}"]))
    comparison = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of)
    totals = comparison.costs.loc[comparison.costs["period"] == "all"].set_index("plan")
    for plan, rows in comparison.buckets.groupby("plan", sort=False):
        assert int(rows["cost"].sum()) == int(totals.at[plan, "cost"])
        assert int(rows["recovered"].sum()) == int(totals.at[plan, "recovered"])
        line = int(rows.loc[rows["bucket"] != OTHER_BUCKET, "cost"].sum())
        assert line == int(comparison.simulation.runs[comparison.labels.index(plan)].payouts["line_commission"].sum())
    assert int(totals.at["today", "cost"]) == 83204890  # 832,048.90, as docs/simulation.md shows


# -- 5. the behavioural what-if's scaled reversals ---------------------------------------------

def test_scaled_reversal_of_the_largest_payment_is_exact(tmp_path):
    """A factor of 1.5 on a payment of MAX_AMOUNT (9,999,999,999,999.99): amount x parts per million is
    1.5 x 10**21, past int64. The payment scales half-up to 1,499,999,999,999,998.5 -> ...999; its
    reversal toward zero to -...998 (never more than the payment)."""
    big = f"{MAX_AMOUNT // 100}.{MAX_AMOUNT % 100:02d}"
    write(tmp_path, {"ledger.csv": f"""\
        {LEDGER_HEADER},reverses
        P1,C1,A0001,2026-07-01,{big},10,{big},
        R1,C1,A0001,2026-07-20,-{big},10,{big},P1
        """})
    frame = load_ledger([tmp_path / "ledger.csv"], 2, ("reverses",)).frame
    history = prepare_history(frame, None, SideInputs(), "CNY", 2)
    scaled = scaled_history(history, [Period.parse("2026-07")], np.array([[3 * PPM // 2]], dtype=np.int64))
    amounts = dict(zip(scaled.ledger["payment_id"], scaled.ledger["amount"].tolist()))
    assert amounts == {"P1": 1_499_999_999_999_999, "R1": -1_499_999_999_999_998}
