"""Scheme simulation: hand-worked comparisons of two plans, the sweep grid, payout curves, the elasticity
what-if, every lint warning from its own fixture plan, and the reports (self-contained HTML, readable
workbook).

The small ledger below, and what each plan pays on it, worked by hand:

    payment  collector  date        amount    dpd  bucket
    P1       C1         2026-10-05  1000.00   10   M1
    P2       C1         2026-10-20   500.00  100   M4-6
    P3       C2         2026-10-07  2000.00  200   M7+
    P4       C3         2026-11-03   800.00   45   M2
    P5       C1         2026-11-10   300.00   20   M1

Plan A (rates): M1 5%, every later bucket 10%.
    C1  Oct 1000 x 5% = 50.00 + 500 x 10% = 50.00 -> 100.00;  Nov 300 x 5% = 15.00   -> 115.00
    C2  Oct 2000 x 10% = 200.00                                                       -> 200.00
    C3  Nov 800 x 10% = 80.00                                                         ->  80.00
    total 395.00 on 4,600.00 recovered: cost-to-collect 395 / 4600 = 0.0858695.. -> 8.5870%
Plan B (gated): M1 3%, later buckets 12%, nothing in a month below 600.00 recovered.
    C1  Oct 1000 x 3% = 30.00 + 500 x 12% = 60.00 -> 90.00 (1,500.00 >= 600.00);
        Nov 300 x 3% = 9.00, but 300.00 < 600.00: the gate takes it back -> 0.00      ->  90.00
    C2  Oct 2000 x 12% = 240.00                                                       -> 240.00
    C3  Nov 800 x 12% = 96.00                                                         ->  96.00
    total 426.00
Deltas B - A: C1 90 - 115 = -25.00 (loses), C2 240 - 200 = +40.00, C3 96 - 80 = +16.00 (gain):
2 winners, 1 loser, net +31.00 = 426 - 395. Teams: C1, C2 in Team A (net +15.00), C3 in Team B (+16.00).
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from commission.cli import main
from commission.errors import InputError
from commission.periods import Period
from commission.policy import load_policy, parse_policy
from commission.simulation import build_comparison, parse_sweep
from commission.simulation.compare import gini, nearest_rank, ratio
from commission.simulation.lint import Evidence, evidence_from, lint_policy, silences
from commission.simulation.scenarios import run_scenario
from commission.simulation.sweep import grid
from commission.app.inputs import InputPaths
from commission.app.simulation import SimulationRequest, load_simulation

LINT = Path(__file__).resolve().parent / "fixtures" / "lint"

LEDGER = """\
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A0000001,2026-10-05,1000.00,10,4000.00
P2,C1,A0000002,2026-10-20,500.00,100,9000.00
P3,C2,A0000003,2026-10-07,2000.00,200,30000.00
P4,C3,A0000004,2026-11-03,800.00,45,3000.00
P5,C1,A0000001,2026-11-10,300.00,20,3000.00
"""
ROSTER = """\
collector_id,name,team,employee_id
C1,Collector One,Team A,E1
C2,Collector Two,Team A,E2
C3,Collector Three,Team B,E3
"""
HEAD = """\
version: 1
effective: 2026-01-01
currency: CNY
classify:
  bucket:
    M1: "[1, 30]"
    M2: "[31, 60]"
    M3: "[61, 90]"
    M4-6: "[91, 180]"
    M7+: "[181, inf)"
"""
PLAN_A = "plan: plan-a\n" + HEAD + """\
components:
  - id: base
    kind: line_rate
    rates:
      - {id: m1, bucket: M1, rate: 5%}
      - {id: late, bucket: [M2, M3, M4-6, M7+], rate: 10%}
"""
PLAN_B = "plan: plan-b\n" + HEAD + """\
components:
  - id: base
    kind: line_rate
    rates:
      - {id: m1, bucket: M1, rate: 3%}
      - {id: late, bucket: [M2, M3, M4-6, M7+], rate: 12%}
adjustments:
  - {id: gate, kind: threshold, recovered_at_least: 600.00}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("simulation")
    for name, text in (("ledger.csv", LEDGER), ("roster.csv", ROSTER), ("a.yaml", PLAN_A), ("b.yaml", PLAN_B)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def loaded(files):
    request = SimulationRequest(InputPaths(policies=[files / "a.yaml", files / "b.yaml"],
                                           ledgers=[files / "ledger.csv"], roster=files / "roster.csv"))
    return load_simulation(request)


@pytest.fixture(scope="module")
def comparison(loaded):
    return build_comparison(loaded.candidates, loaded.history, loaded.months, loaded.report_of, texts=loaded.texts,
                            notes=loaded.notes)


# -- the hand-worked comparison --------------------------------------------------------------

def test_months_are_the_ledgers_span(loaded):
    assert [str(m) for m in loaded.months] == ["2026-10", "2026-11"]


def test_each_collectors_pay_and_delta_match_the_hand_computation(comparison):
    table = comparison.collectors.set_index("collector_id")
    assert table.loc[["C1", "C2", "C3"], "paid:plan-a v1"].tolist() == [11500, 20000, 8000]
    assert table.loc[["C1", "C2", "C3"], "paid:plan-b v1"].tolist() == [9000, 24000, 9600]
    assert table.loc[["C1", "C2", "C3"], "delta:plan-b v1"].tolist() == [-2500, 4000, 1600]
    assert table.loc[["C1", "C2", "C3"], "recovered"].tolist() == [180000, 200000, 80000]
    assert table.loc["C1", "team"] == "Team A"


def test_cost_per_plan_and_period(comparison):
    costs = comparison.costs.set_index(["plan", "period"])
    assert costs.loc[("plan-a v1", "2026-10"), "cost"] == 30000  # 100.00 + 200.00
    assert costs.loc[("plan-a v1", "2026-11"), "cost"] == 9500  # 15.00 + 80.00
    assert costs.loc[("plan-b v1", "2026-10"), "cost"] == 33000  # 90.00 + 240.00
    assert costs.loc[("plan-b v1", "2026-11"), "cost"] == 9600  # C1 gated to 0.00, C3 96.00
    assert costs.loc[("plan-a v1", "all"), "recovered"] == 460000
    assert costs.loc[("plan-a v1", "all"), "cost"] == 39500
    assert costs.loc[("plan-a v1", "all"), "cost_to_collect"] == Decimal("0.085870")  # 395 / 4600
    summary = comparison.summary.set_index("plan")
    assert summary.loc["plan-b v1", "change_in_cost"] == 3100  # 426.00 - 395.00


def test_winners_and_losers(comparison):
    winners = comparison.winners.iloc[0]
    assert (winners["winners"], winners["losers"], winners["unchanged"]) == (2, 1, 0)
    assert (winners["gained"], winners["lost"]) == (5600, -2500)
    assert (winners["largest_gain_collector"], winners["largest_gain"]) == ("C2", 4000)
    assert (winners["largest_loss_collector"], winners["largest_loss"]) == ("C1", -2500)
    teams = comparison.teams.set_index("team")
    assert teams.loc["Team A", ["winners", "losers", "net_change"]].tolist() == [1, 1, 1500]
    assert teams.loc["Team B", ["winners", "losers", "net_change"]].tolist() == [1, 0, 1600]


def test_distribution_of_pay(comparison):
    # Plan A pays 80.00, 115.00, 200.00. Nearest rank: p10 is the 1st, the median the 2nd, p90 the 3rd.
    row = comparison.distribution.set_index("plan").loc["plan-a v1"]
    assert (row["p10"], row["p50"], row["p90"], row["max"]) == (8000, 11500, 20000, 20000)
    assert row["top10_share"] == Decimal("0.506329")  # the top 1 of 3: 200 / 395
    # Gini: sorted x = 8000, 11500, 20000; weights 2i - n - 1 = -2, 0, 2: (40000 - 16000) / (3 x 39500) = 0.2025..
    assert row["gini"] == Decimal("0.2025")


def test_cost_by_bucket_adds_up_to_the_cost(comparison):
    buckets = comparison.buckets.set_index(["plan", "bucket"])
    assert buckets.loc[("plan-a v1", "M1"), ["recovered", "cost"]].tolist() == [130000, 6500]  # 50 + 15
    assert buckets.loc[("plan-b v1", "M1"), "cost"] == 3900  # 30.00 + 9.00 (the 9.00 is then gated)
    assert buckets.loc[("plan-b v1", "M7+"), "cost"] == 24000
    assert buckets.loc[("plan-b v1", "tiers, bonuses, adjustments"), "cost"] == -900  # the gate's take-back
    for plan in ("plan-a v1", "plan-b v1"):
        assert comparison.buckets.loc[comparison.buckets["plan"] == plan, "cost"].sum() == \
            comparison.summary.set_index("plan").loc[plan, "cost"]


def test_quarters_group_the_months(files, loaded):
    request = SimulationRequest(InputPaths(policies=[files / "a.yaml"], ledgers=[files / "ledger.csv"]), by="quarter")
    quarterly = load_simulation(request)
    assert quarterly.report_of[Period.parse("2026-10")] == Period.parse("2026-Q4")
    result = build_comparison(quarterly.scenarios, quarterly.history, quarterly.months, quarterly.report_of)
    assert result.costs.set_index("period").loc["2026-Q4", "cost"] == 39500


def test_a_period_without_rows_is_a_clear_error(files):
    request = SimulationRequest(InputPaths(policies=[files / "a.yaml"], ledgers=[files / "ledger.csv"]),
                                periods=[Period.parse("2026-12")])
    with pytest.raises(InputError, match="no ledger rows fall in 2026-12"):
        load_simulation(request)


# -- exact helpers ----------------------------------------------------------------------------

def test_ratio_rounds_half_up_once():
    assert ratio(1, 8, 2) == Decimal("0.13")
    assert ratio(-1, 8, 2) == Decimal("-0.13")
    assert ratio(1, 0) is None


def test_nearest_rank_and_gini():
    values = np.array([10, 20, 30, 40], dtype=np.int64)
    assert [nearest_rank(values, p) for p in (10, 25, 50, 75, 90)] == [10, 10, 20, 30, 40]
    assert gini(np.array([5, 5, 5])) == 0
    assert gini(np.array([0, 0, 9])) == Fraction(2, 3)  # (2 x 9) / (3 x 9)


# -- sweeps -----------------------------------------------------------------------------------

def test_sweep_values_are_the_grid_written():
    policy = parse_policy(PLAN_A, source="a.yaml")
    sweep = parse_sweep("components.base.rates.m1.rate=3%..5%:0.5%", policy)
    assert sweep.values == (Fraction(3, 100), Fraction(7, 200), Fraction(4, 100), Fraction(9, 200), Fraction(5, 100))
    assert sweep.texts == ("3%", "3.5%", "4%", "4.5%", "5%")
    assert sweep.current == "5%"
    listed = parse_sweep("components[base].rates[late].rate=10%,12%", policy)
    assert listed.texts == ("10%", "12%")


def test_sweep_costs_on_the_small_ledger(loaded):
    # M1 recovered 1,300.00, later buckets 3,300.00. M1 at 3/4/5%: 39.00/52.00/65.00; later at 10/12%: 330/396.
    from commission.simulation.report import run_sweep

    policy = loaded.candidates[0].policy
    sweeps = [parse_sweep("components.base.rates.m1.rate=3%..5%:1%", policy),
              parse_sweep("components.base.rates.late.rate=10%,12%", policy)]
    result = run_sweep(loaded.candidates[0], sweeps, loaded.history, loaded.months, None, None)
    table = result.table
    assert list(zip(table["value1"], table["value2"])) == [("3%", "10%"), ("3%", "12%"), ("4%", "10%"),
                                                           ("4%", "12%"), ("5%", "10%"), ("5%", "12%")]
    assert table["cost"].tolist() == [36900, 43500, 38200, 44800, 39500, 46100]
    assert (table["recovered"] == 460000).all()


def test_a_swept_tier_bound_moves_its_neighbour():
    policy = load_policy("policies/tiered.yaml")
    sweep = parse_sweep("components.volume.tiers.volume-1.from=30000..40000:10000", policy)
    variants = grid(policy, [sweep])
    tiers = [[(t.low, t.high) for t in v.policy.component("volume").tiers] for v in variants]
    assert tiers[0] == [(0, 3000000), (3000000, 15000000), (15000000, None)]
    assert policy.component("volume").tiers[0].high == 5000000  # the plan itself is unchanged (frozen)


@pytest.mark.parametrize("spec, message", [
    ("components.base.rates.m1.rate", "write PATH=START..STOP:STEP"),
    ("components.base.rates.zz.rate=1%", "'zz' is not in the list (it holds: m1, late)"),
    ("components.base.rates.m1.rate=1%..200%:50%", "not a rate between 0% and 100%"),
    ("components.base.rates.m1.rate=3%..8%", "write a range as START..STOP:STEP"),
    ("components.base.rates.m1.rate=0%..100%:0.1%", "at most 101"),
    ("components.base.rates.m1=1%", "names a whole rule"),
])
def test_bad_sweeps_are_clear_errors(spec, message):
    policy = parse_policy(PLAN_A, source="a.yaml")
    with pytest.raises(InputError, match=re.escape(message)):
        parse_sweep(spec, policy)


# -- payout curves and the behavioural what-if ---------------------------------------------------

def test_payout_curve_shows_the_gate_jump(comparison):
    points = comparison.curves.points
    b = points.loc[points["plan"] == "plan-b v1"].set_index("recovered")["pay"]
    assert b.loc[59999] == 0 and b.loc[60000] > 0  # the 600.00 gate, per month
    jumps = comparison.curves.jumps
    assert jumps.loc[jumps["plan"] == "plan-b v1", "recovered"].tolist() == [60000]


ELASTIC_LEDGER = """\
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-10-05,1000.00,10,4000.00
P2,C1,A2,2026-10-06,1000.00,10,4000.00
P3,C2,A3,2026-10-07,1000.00,10,4000.00
P4,C2,A4,2026-10-08,1000.00,10,4000.00
P5,C2,A5,2026-10-09,1000.00,10,4000.00
"""


def test_elasticity_scales_recovery_by_the_change_in_marginal_rate(tmp_path):
    # A flat 5% against a flat 6%: the marginal rate rises by one point, so with E = 2 every collector's
    # recovery is x (1 + 2 x 0.01) = 1.02: 5,000.00 -> 5,100.00, and plan B costs 6% of it = 306.00 (static 300.00).
    for name, rate in (("five.yaml", "5%"), ("six.yaml", "6%")):
        (tmp_path / name).write_text(f"plan: flat-{rate[0]}\n" + HEAD + "components:\n  - id: base\n    kind: "
                                     f"line_rate\n    rates:\n      - {{id: all, rate: {rate}}}\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(ELASTIC_LEDGER, encoding="utf-8")
    loaded = load_simulation(SimulationRequest(InputPaths(policies=[tmp_path / "five.yaml", tmp_path / "six.yaml"],
                                                          ledgers=[tmp_path / "ledger.csv"])))
    result = build_comparison(loaded.candidates, loaded.history, loaded.months, loaded.report_of,
                              elasticity=Fraction(2))
    row = result.behaviour.set_index("plan").loc["flat-6 v1"]
    assert (row["static_recovered"], row["static_cost"]) == (500000, 30000)
    assert (row["behavioural_recovered"], row["behavioural_cost"]) == (510000, 30600)
    assert row["recovery_change"] == Decimal("0.020000")
    base = result.behaviour.set_index("plan").loc["flat-5 v1"]
    assert base["behavioural_cost"] == base["static_cost"]  # the baseline never moves


# -- lint: one fixture per warning --------------------------------------------------------------

def lint_fixture(name: str, **kwargs):
    path = LINT / name
    return lint_policy(load_policy(path), path.read_text(encoding="utf-8"), **kwargs)


def codes(warnings, silenced=False):
    return [w.code for w in warnings if bool(w.silenced) == silenced]


def test_healthy_plan_has_no_warnings():
    assert lint_fixture("healthy.yaml", base_salary=600000) == []


def test_whole_tier_cliff():
    warnings = lint_fixture("whole_tier_cliff.yaml")
    assert codes(warnings) == ["whole-tier-cliff"]
    # just below: 1% x 49,999.99 = 500.00 (half-up); at the line: 2% x 50,000.00 = 1,000.00
    assert "from 500.00 to 1000.00 (+500.00)" in warnings[0].message
    assert warnings[0].where.endswith("whole_tier_cliff.yaml:13")


def test_no_conduct_effect():
    warnings = lint_fixture("no_conduct_effect.yaml")
    assert codes(warnings) == ["no-conduct-effect"]
    assert "complaints" in warnings[0].message


def test_rates_fall_with_age():
    warnings = lint_fixture("rates_fall_with_age.yaml")
    assert codes(warnings) == ["rates-fall-with-age"]
    assert "M4-6 pays 5% but M3 pays 8%" in warnings[0].message


def test_variable_pay_share_needs_a_base_salary():
    assert lint_fixture("variable_pay_share.yaml") == []
    warnings = lint_fixture("variable_pay_share.yaml", base_salary=300000)
    assert codes(warnings) == ["variable-pay-share"]
    assert "75.0% of total pay" in warnings[0].message  # 9,000 / (3,000 + 9,000)


def test_cap_binds_needs_a_ledger(files):
    assert lint_fixture("cap_binds.yaml") == []
    # 10% capped at 100.00: C1 Oct (150.00) and C2 Oct (200.00) are cut, C1 Nov (30.00) and C3 Nov (80.00) are not
    events = files / "events.csv"  # the plan has conduct rules, so it needs an events file: no events
    events.write_text("event_id,collector_id,date,type\n", encoding="utf-8")
    loaded = load_simulation(SimulationRequest(InputPaths(policies=[LINT / "cap_binds.yaml"],
                                                          ledgers=[files / "ledger.csv"], events=[events])))
    run, _ = run_scenario(loaded.scenarios[0], loaded.history, loaded.months)  # today: the plan given, paid as a run
    evidence = evidence_from(run)
    assert (evidence.collector_months, evidence.cap_cuts) == (4, {"monthly-cap": 2})
    assert lint_fixture("cap_binds.yaml", evidence=evidence) == []  # 2 of 4 is not most
    most = Evidence(collector_months=4, cap_cuts={"monthly-cap": 3}, variable_median=0, variable_p90=0)
    warnings = lint_fixture("cap_binds.yaml", evidence=most)
    assert codes(warnings) == ["cap-binds"]
    assert "3 of 4 collector-months" in warnings[0].message


def test_a_warning_is_silenced_with_a_reason():
    warnings = lint_fixture("silenced.yaml")
    assert codes(warnings) == []
    assert codes(warnings, silenced=True) == ["whole-tier-cliff"]
    assert warnings[0].silenced.startswith("the 50,000 step is the retention bonus")


def test_an_ignore_without_reason_silences_nothing():
    warnings = lint_fixture("ignore_without_reason.yaml")
    assert codes(warnings) == ["whole-tier-cliff", "lint-ignore"]


def test_unknown_codes_in_an_ignore_are_reported():
    reasons, problems = silences("# lint: ignore=no-such-code,cap-binds reason: agreed")
    assert reasons == {"cap-binds": "agreed"}
    assert problems and "no-such-code: not a lint code" in problems[0][1]


# -- reports and the command line -----------------------------------------------------------------

@pytest.fixture(scope="module")
def report(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "a.yaml"), "--policy",
                                       str(files / "b.yaml"), "--ledger", str(files / "ledger.csv"), "--roster",
                                       str(files / "roster.csv"), "--sweep",
                                       "components.base.rates.m1.rate=3%..5%:1%", "--elasticity", "1.5",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_simulate_writes_the_reports(report):
    out, output = report
    assert sorted(p.name for p in out.iterdir()) == ["charts", "comparison.html", "comparison.xlsx", "lint.txt"]
    assert {p.name for p in (out / "charts").iterdir()} >= {"cost_by_period.png", "payout_curves.png", "sweep.png",
                                                              "behaviour.png", "winners_losers.png"}
    # cost-to-collect 426 / 4600 = 9.2609%, against 395 / 4600 = 8.5870%: +0.6739 points; +31 / 395 = +7.848%
    assert ("plan-b v1: cost 426.00 CNY, cost-to-collect 9.26%; +31.00 (+7.85%) and +0.67 points vs plan-a v1; "
            "2 gain, 1 lose") in output


def test_html_report_is_self_contained(report):
    text = (report[0] / "comparison.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", text, re.IGNORECASE)
    assert "http" not in text.lower()
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text
    images = re.findall(r'<img[^>]+src="([^"]+)"', text)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert "ASSUMPTION" in text


def test_workbook_is_readable(report):
    workbook = load_workbook(report[0] / "comparison.xlsx")
    assert workbook.sheetnames[:3] == ["Summary 汇总", "Winners, losers 得失", "Cost by period 各期成本"]
    assert workbook.active.title == "Summary 汇总"  # it opens on the Summary
    summary = workbook["Summary 汇总"]
    rows = list(summary.iter_rows(min_row=4, values_only=True))
    assert rows[0][:4] == ("plan 方案", "recovered 回款金额", "cost 成本", "cost-to-collect 催收成本率")
    assert rows[1][:4] == ("plan-a v1", 4600, 395, 0.08587)  # numbers as written: 4600.00, 395.00, 8.5870%
    assert summary["B5"].number_format == "#,##0.00" and summary["D5"].number_format == "0.00%"
    assert summary["E6"].value == 31 and summary["E6"].number_format.startswith("+")  # +31.00: a change shows its sign
    assert "About 说明" in workbook.sheetnames and "Lint 方案体检" in workbook.sheetnames


def test_simulate_user_errors_exit_2(files, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["simulate", "--policy", str(files / "a.yaml"), "--ledger", str(files / "ledger.csv"),
                                  "--sweep", "components.nothing.rate=1%", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--sweep" in result.output and "nothing" in result.output
    assert not (tmp_path / "x").exists()
    result = runner.invoke(main, ["simulate", "--policy", str(files / "a.yaml"), "--ledger", str(files / "ledger.csv"),
                                  "--elasticity", "lots", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--elasticity" in result.output


def test_lint_command(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["lint", str(LINT / "whole_tier_cliff.yaml"), str(LINT / "healthy.yaml")])
    assert result.exit_code == 0
    assert "warning whole-tier-cliff" in result.output
    strict = runner.invoke(main, ["lint", "--strict", str(LINT / "whole_tier_cliff.yaml")])
    assert strict.exit_code == 1
    silenced = runner.invoke(main, ["lint", "--strict", str(LINT / "silenced.yaml")])
    assert silenced.exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("plan: x\n"), encoding="utf-8")
    assert runner.invoke(main, ["lint", str(bad)]).exit_code == 2
