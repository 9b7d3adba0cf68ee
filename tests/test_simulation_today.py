"""Today as the baseline: what the roster's plans pay, month by month, compared with candidates.

The small ledger, plans A and B are those of test_simulation.py (worked by hand there); here the roster
puts C1 and C3 on plan A and C2 on plan B, and plan C pays a flat 8% with no gate.

    payment  collector  date        amount    dpd  bucket
    P1       C1         2026-10-05  1000.00   10   M1
    P2       C1         2026-10-20   500.00  100   M4-6
    P3       C2         2026-10-07  2000.00  200   M7+
    P4       C3         2026-11-03   800.00   45   M2
    P5       C1         2026-11-10   300.00   20   M1

Today (C1, C3 on A: M1 5%, later 10%; C2 on B: M1 3%, later 12%, nothing in a month below 600.00):
    C1  Oct 1000 x 5% = 50.00 + 500 x 10% = 50.00 -> 100.00;  Nov 300 x 5% = 15.00     -> 115.00
    C2  Oct 2000 x 12% = 240.00 (2,000.00 >= 600.00)                                -> 240.00
    C3  Nov 800 x 10% = 80.00                                                       ->  80.00
    total 435.00 (Oct 340.00, Nov 95.00) on 4,600.00: cost-to-collect 435 / 4600 = 9.4565%
Plan B for everyone (--candidate b.yaml): C1 90.00 (Nov 9.00 gated to 0), C2 240.00, C3 96.00 = 426.00
    deltas C1 -25.00, C2 0.00, C3 +16.00: net -9.00 (-9 / 435 = -2.07%), 1 gains, 1 loses, 1 unchanged;
    cost-to-collect 426 / 4600 = 9.2609%: -9 / 4600 = -0.1957 points.
    Team A (C1, C2): 355.00 -> 330.00 (-25.00); Team B (C3): 80.00 -> 96.00 (+16.00)
Plan A replaced by C (--replace plan-a=c.yaml: C1 and C3 paid 8%, C2 as today):
    C1  Oct 1500 x 8% = 120.00, Nov 300 x 8% = 24.00 -> 144.00;  C3 800 x 8% = 64.00;  C2 240.00
    total 448.00 (Oct 360.00, Nov 88.00); deltas C1 +29.00, C2 0.00, C3 -16.00: net +13.00 (+2.99%);
    Team A 355.00 -> 384.00 (+29.00); Team B 80.00 -> 64.00 (-16.00)
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.app.inputs import InputPaths
from commission.app.simulation import SimulationRequest, load_simulation
from commission.cli import main
from commission.errors import InputError
from commission.simulation import build_comparison
from commission.simulation.scenarios import run_scenario

from test_simulation import HEAD, LEDGER, PLAN_A, PLAN_B

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
ROSTER = """\
collector_id,name,team,employee_id,plan
C1,Collector One,Team A,E1,plan-a
C2,Collector Two,Team A,E2,plan-b
C3,Collector Three,Team B,E3,plan-a
"""
PLAN_C = "plan: plan-c\n" + HEAD + """\
components:
  - id: base
    kind: line_rate
    rates:
      - {id: all, rate: 8%}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("today")
    (folder / "today").mkdir()
    for name, text in (("ledger.csv", LEDGER), ("roster.csv", ROSTER), ("today/a.yaml", PLAN_A),
                       ("today/b.yaml", PLAN_B), ("b.yaml", PLAN_B), ("c.yaml", PLAN_C)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def request(files: Path, **more) -> SimulationRequest:
    return SimulationRequest(InputPaths(policies=[files / "today"], ledgers=[files / "ledger.csv"],
                                        roster=files / "roster.csv"), **more)


@pytest.fixture(scope="module")
def comparison(files):
    loaded = load_simulation(request(files, candidates=[files / "b.yaml"],
                                     replacements=[f"plan-a={files / 'c.yaml'}"]))
    return build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of, notes=loaded.notes)


# -- hand-worked deltas ------------------------------------------------------------------------

def test_the_scenarios_are_today_then_the_candidates(comparison):
    assert comparison.labels == ["today", "plan-b v1", "plan-a \u2192 plan-c v1"]
    assert comparison.baseline_is_today


def test_today_pays_each_collector_by_the_plan_the_roster_names(comparison):
    table = comparison.collectors.set_index("collector_id")
    assert table.loc[["C1", "C2", "C3"], "plan_today"].tolist() == ["plan-a", "plan-b", "plan-a"]
    assert table.loc[["C1", "C2", "C3"], "paid:today"].tolist() == [11500, 24000, 8000]
    costs = comparison.costs.set_index(["plan", "period"])
    assert costs.loc[("today", "2026-10"), "cost"] == 34000
    assert costs.loc[("today", "2026-11"), "cost"] == 9500
    assert costs.loc[("today", "all"), "cost"] == 43500
    assert costs.loc[("today", "all"), "cost_to_collect"] == Decimal("0.094565")
    plans = comparison.today_plans.set_index("plan")
    assert plans.loc["plan-a", ["collectors", "recovered", "cost"]].tolist() == [2, 260000, 19500]
    assert plans.loc["plan-b", ["collectors", "recovered", "cost"]].tolist() == [1, 200000, 24000]


def test_a_candidate_for_everyone_against_today(comparison):
    table = comparison.collectors.set_index("collector_id")
    assert table.loc[["C1", "C2", "C3"], "paid:plan-b v1"].tolist() == [9000, 24000, 9600]
    assert table.loc[["C1", "C2", "C3"], "delta:plan-b v1"].tolist() == [-2500, 0, 1600]
    summary = comparison.summary.set_index("plan").loc["plan-b v1"]
    assert (summary["cost"], summary["change_in_cost"]) == (42600, -900)
    assert summary["change_in_cost_share"] == Decimal("-0.020690")  # -9 / 435
    assert summary["change_in_cost_to_collect"] == Decimal("-0.001957")  # 426 / 4600 - 435 / 4600
    winners = comparison.winners.set_index("plan").loc["plan-b v1"]
    assert (winners["winners"], winners["losers"], winners["unchanged"]) == (1, 1, 1)
    teams = comparison.teams.loc[comparison.teams["plan"] == "plan-b v1"].set_index("team")
    assert teams.loc["Team A", ["baseline_cost", "cost", "net_change"]].tolist() == [35500, 33000, -2500]
    assert teams.loc["Team B", ["baseline_cost", "cost", "net_change"]].tolist() == [8000, 9600, 1600]


def test_a_replacement_pays_only_the_collectors_on_the_plan_it_replaces(comparison):
    label = "plan-a \u2192 plan-c v1"
    table = comparison.collectors.set_index("collector_id")
    assert table.loc[["C1", "C2", "C3"], f"paid:{label}"].tolist() == [14400, 24000, 6400]
    assert table.loc[["C1", "C2", "C3"], f"delta:{label}"].tolist() == [2900, 0, -1600]
    costs = comparison.costs.set_index(["plan", "period"])
    assert (costs.loc[(label, "2026-10"), "cost"], costs.loc[(label, "2026-11"), "cost"]) == (36000, 8800)
    summary = comparison.summary.set_index("plan").loc[label]
    assert (summary["cost"], summary["change_in_cost"]) == (44800, 1300)
    assert summary["change_in_cost_share"] == Decimal("0.029885")  # 13 / 435
    teams = comparison.teams.loc[comparison.teams["plan"] == label].set_index("team")
    assert teams.loc["Team A", ["baseline_cost", "cost", "net_change", "winners", "losers"]].tolist() == \
        [35500, 38400, 2900, 1, 0]
    assert teams.loc["Team B", ["baseline_cost", "cost", "net_change", "winners", "losers"]].tolist() == \
        [8000, 6400, -1600, 0, 1]


def test_the_command_prints_the_result_on_one_screen(files, tmp_path):
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "today"), "--candidate",
                                       str(files / "b.yaml"), "--replace", f"plan-a={files / 'c.yaml'}", "--ledger",
                                       str(files / "ledger.csv"), "--roster", str(files / "roster.csv"), "--lang",
                                       "en", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "simulated 2 months, 2026-10 to 2026-11, 3 collectors; baseline: today (plan-a for 2, plan-b for 1)",
        "  today: cost 435.00 CNY, cost-to-collect 9.46%, on 4,600.00 recovered",
        "  plan-b v1: cost 426.00 CNY, cost-to-collect 9.26%; -9.00 (-2.07%) and -0.20 points vs today; "
        "1 gain, 1 lose",
        "  plan-a \u2192 plan-c v1: cost 448.00 CNY, cost-to-collect 9.74%; +13.00 (+2.99%) and +0.28 points vs "
        "today; 1 gain, 1 lose"]
    # then one line on the health check (the plans have no conduct rules), naming lint.txt
    assert lines[4] == f"3 warnings: see {tmp_path / 'out' / 'lint.txt'} (the Lint sheet)"
    assert lines[5].startswith(f"report written to {tmp_path / 'out'}/")
    assert len(lines) == 6
    lint = (tmp_path / "out" / "lint.txt").read_text(encoding="utf-8")
    assert lint.count("warning no-conduct-effect") == 3  # plans A, B and C, each once


# -- what the request may say ---------------------------------------------------------------------

def test_a_plan_in_force_today_that_no_one_is_on_is_refused(files):
    with pytest.raises(InputError, match="given as in force today, but no collector on the roster is on it") as error:
        load_simulation(SimulationRequest(InputPaths(policies=[files / "today", files / "c.yaml"],
                                                     ledgers=[files / "ledger.csv"], roster=files / "roster.csv")))
    assert "plan-c" in str(error.value.problems[0]) and "<<candidate>>" in error.value.problems[0].message


def test_replacing_a_plan_not_in_force_is_refused(files):
    with pytest.raises(InputError, match="plan 'plan-z' is not among the plans in force today"):
        load_simulation(request(files, replacements=[f"plan-z={files / 'c.yaml'}"]))
    with pytest.raises(InputError, match="write PLAN=FILE"):
        load_simulation(request(files, replacements=[str(files / "c.yaml")]))


def test_several_plans_without_a_roster_plan_column_read_as_before(files, tmp_path):
    """The old shape: every plan paid to everyone, the first the baseline (with a note saying so)."""
    roster = tmp_path / "roster.csv"
    roster.write_text("collector_id,name,team,employee_id\nC1,One,Team A,E1\nC2,Two,Team A,E2\nC3,Three,Team B,E3\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", "--policy", str(files / "today" / "a.yaml"), "--policy",
                                       str(files / "b.yaml"), "--ledger", str(files / "ledger.csv"), "--roster",
                                       str(roster), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "baseline plan-a v1" in result.stdout
    assert "plan-b v1: cost 426.00 CNY" in result.stdout
    assert "note: every plan given with --policy is paid to everyone" in result.stderr
    assert "--candidate" in result.stderr


# -- the baseline is what `commission run` pays, to the cent -----------------------------------------

def sample_args(*more: str) -> list[str]:
    return ["--policy", str(REPO / "policies"), "--ledger", str(SAMPLE / "ledger.csv"), "--roster",
            str(SAMPLE / "roster.csv"), "--targets", str(SAMPLE / "targets.csv"), "--assignments",
            str(SAMPLE / "assignments.csv"), "--events", str(SAMPLE / "events.csv"), *more]


def paid(folder: Path) -> dict[str, int]:
    with open(folder / "payouts.csv", newline="", encoding="utf-8") as handle:
        return {row["collector_id"]: int(Decimal(row["net_payout"]) * 100) for row in csv.DictReader(handle)}


def balances(folder: Path) -> list[tuple]:
    document = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    return sorted((b["collector_id"], b["balance"], int(Decimal(b["amount"]) * 100)) for b in document["balances"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """`commission run` for July (a first period), August and September, each with the state the run before left."""
    folder = tmp_path_factory.mktemp("runs")
    state = ["--first-period"]
    out = {}
    for month in ("2026-07", "2026-08", "2026-09"):
        result = CliRunner().invoke(main, ["run", *sample_args(*state), "--period", month, "--out",
                                           str(folder / month)])
        assert result.exit_code == 0, result.output
        out[month] = folder / month
        state = ["--state", str(folder / month / "state.json")]
    return out


def sample_request(**more) -> SimulationRequest:
    return SimulationRequest(InputPaths(policies=[REPO / "policies"], ledgers=[SAMPLE / "ledger.csv"],
                                        roster=SAMPLE / "roster.csv", targets=[SAMPLE / "targets.csv"],
                                        assignments=[SAMPLE / "assignments.csv"], events=[SAMPLE / "events.csv"]),
                             **more)


def test_today_is_september_as_commission_run_pays_it(runs):
    """The README's September (344,249.73 CNY), from the state August left: every collector to the cent, and
    the balances September leaves."""
    from commission.periods import Period

    loaded = load_simulation(sample_request(periods=[Period.parse("2026-09")],
                                            state=SAMPLE / "state-2026-08.json"))
    run, note = run_scenario(loaded.scenarios[0], loaded.history, loaded.months, loaded.opening)
    assert note == ""
    simulated = {c: int(v) for c, v in zip(run.payouts["collector_id"], run.payouts["net_payout"])}
    assert simulated == paid(runs["2026-09"])
    assert sum(simulated.values()) == 34424973
    state = sorted(zip(run.end_state["collector_id"], run.end_state["balance"], run.end_state["amount"].astype(int)))
    assert state == balances(runs["2026-09"])


def test_today_over_the_quarter_is_each_months_run_in_turn(runs):
    """From zero balances (July a first period), month after month, balances carried: each month as its run."""
    loaded = load_simulation(sample_request())
    run, _ = run_scenario(loaded.scenarios[0], loaded.history, loaded.months)
    for month, folder in runs.items():
        mine = run.payouts.loc[run.payouts["month"] == month]
        assert {c: int(v) for c, v in zip(mine["collector_id"], mine["net_payout"])} == paid(folder), month
    assert int(run.payouts["net_payout"].sum()) == 24826731 + 23953186 + 34424973


def test_a_candidate_identical_to_today_changes_no_ones_pay(tmp_path):
    """Replacing card-tiered by itself, and paying card-bucket-rates' collectors... by card-bucket-rates: no
    collector's pay moves by a cent (the replacement path is today's path)."""
    plans = REPO / "policies"
    loaded = load_simulation(sample_request(replacements=[f"card-tiered={plans / 'tiered.yaml'}",
                                                          f"card-bucket-rates={plans / 'bucket-rates.yaml'}"]))
    result = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of)
    for label in result.labels[1:]:
        assert (result.collectors[f"delta:{label}"] == 0).all(), label


def september_state(files: Path, tmp_path: Path) -> Path:
    """The state.json September's run leaves: C1 paid 1,000.00 in August that bounced in September, so
    C1 carries 50.00 owed (plan A's 5%)."""
    september = tmp_path / "september.csv"
    september.write_text("payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses\n"
                         "P0,C1,A0000009,2026-08-10,1000.00,10,4000.00,\n"
                         "P0R,C1,A0000009,2026-09-15,-1000.00,10,4000.00,P0\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["run", "--policy", str(files / "today"), "--ledger", str(september), "--roster",
                                     str(files / "roster.csv"), "--first-period", "--period", "2026-09",
                                     "--allow-no-repayments", "--out", str(tmp_path / "sep")])
    assert done.exit_code == 0, done.output
    assert balances(tmp_path / "sep") == [("C1", "carried", 5000)]
    return tmp_path / "sep" / "state.json"


def test_opening_balances_start_today_and_the_candidates_that_keep_them(files, tmp_path):
    """A state file: C1 owes 50.00 (a September clawback larger than their pay). Today C1's October pay is
    100.00 - 50.00 = 50.00 (total 65.00, today 385.00); plan B keeps carried balances too: 90.00 - 50.00
    = 40.00 (total 376.00)."""
    loaded = load_simulation(request(files, candidates=[files / "b.yaml"], state=september_state(files, tmp_path)))
    result = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of,
                              opening=loaded.opening)
    table = result.collectors.set_index("collector_id")
    assert table.loc["C1", ["paid:today", "paid:plan-b v1"]].tolist() == [6500, 4000]
    assert result.summary.set_index("plan")["cost"].tolist() == [38500, 37600]
    wrong = SimulationRequest(InputPaths(policies=[files / "today"], ledgers=[files / "ledger.csv"],
                                         roster=files / "roster.csv"), state=SAMPLE / "state-2026-08.json")
    with pytest.raises(InputError, match="the first month simulated is 2026-10"):
        load_simulation(wrong)


def test_a_candidate_leaves_out_opening_balances_it_cannot_settle(tmp_path):
    """September from the state August left: card-tiered's collectors hold q-holdback balances; a candidate
    without that holdback (card-bucket-rates for everyone) starts without them, and the notes say so."""
    from commission.periods import Period

    loaded = load_simulation(sample_request(periods=[Period.parse("2026-09")], state=SAMPLE / "state-2026-08.json",
                                            candidates=[REPO / "policies" / "bucket-rates.yaml"]))
    run, note = run_scenario(loaded.scenarios[1], loaded.history, loaded.months, loaded.opening)
    assert note.startswith("card-bucket-rates v1: opening balances its plan does not keep are left out")
    assert "holdback:q-holdback" in note
    assert not run.end_state["balance"].str.startswith("holdback:").any()


def test_progress_reports_each_step(files, tmp_path):
    from commission.app.simulation import simulate_plans

    seen = []
    simulate_plans(request(files, candidates=[files / "b.yaml"]), tmp_path / "out",
                   sweeps=["components.base.rates.m1.rate=2%,3%"], lang="en",
                   progress=lambda what, done, total: seen.append((what, done, total)))
    steps = [what for what, _, _ in seen]
    for expected in ("loading inputs", "simulating today", "simulating plan-b v1", "payout curves", "sweep", "charts",
                     "writing the report"):
        assert expected in steps, expected
    assert ("simulating today", 1, 2) in seen  # each month
    assert ("sweep", 1, 2) in seen  # each sweep point


def test_progress_goes_to_a_terminal_only():
    from io import StringIO

    from commission.cli.simulate import ProgressLine

    class Terminal(StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    line = ProgressLine(enabled=True, stream=stream)
    line("simulating today", 1, 3)
    line.clear()
    assert stream.getvalue() == "\r\x1b[Ksimulating today: 1/3\r\x1b[K"
    quiet = StringIO()
    line = ProgressLine(enabled=False, stream=quiet)
    line("simulating today", 1, 3)
    line.clear()
    assert quiet.getvalue() == ""
    assert ProgressLine.for_stream(StringIO(), quiet=False).enabled is False  # a pipe or a file: no progress
    assert ProgressLine.for_stream(Terminal(), quiet=True).enabled is False  # --quiet
    assert ProgressLine.for_stream(Terminal(), quiet=False).enabled is True


def test_a_sweep_varies_a_replacement_and_shows_the_change_from_today(files):
    """Plan C's rate at 8% and 10% for the collectors on plan A: at 10%, C1 1,800.00 x 10% = 180.00 and C3
    800.00 x 10% = 80.00, C2 240.00 as today: 500.00, +65.00 on today's 435.00 (at 8%: 448.00, +13.00)."""
    from commission.app.simulation import sweep_base
    from commission.simulation.sweep import parse_sweeps

    loaded = load_simulation(request(files, replacements=[f"plan-a={files / 'c.yaml'}"]))
    base = sweep_base(loaded)
    assert base.label == "plan-a \u2192 plan-c v1"
    sweeps = parse_sweeps(["components.base.rates.all.rate=8%,10%"], base.written[0])
    result = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of, sweeps=sweeps,
                              sweep_base=base)
    table = result.sweep.table
    assert table["value1"].tolist() == ["8%", "10%"]
    assert table["cost"].tolist() == [44800, 50000]
    assert table["change_in_cost"].tolist() == [1300, 6500]


def test_the_what_if_compares_marginal_rates_with_the_plan_each_collector_is_on_today(tmp_path):
    """Today a flat 5% (one plan, everyone on it); the candidate a flat 6%: the marginal rate rises one point,
    so with E = 2 recovery is x 1.02: 5,000.00 -> 5,100.00, and 6% of it is 306.00 (static 300.00)."""
    from fractions import Fraction

    from test_simulation import ELASTIC_LEDGER

    for name, rate in (("five.yaml", "5%"), ("six.yaml", "6%")):
        (tmp_path / name).write_text(f"plan: flat-{rate[0]}\n" + HEAD + "components:\n  - id: base\n    kind: "
                                     f"line_rate\n    rates:\n      - {{id: all, rate: {rate}}}\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(ELASTIC_LEDGER, encoding="utf-8")
    loaded = load_simulation(SimulationRequest(InputPaths(policies=[tmp_path / "five.yaml"],
                                                          ledgers=[tmp_path / "ledger.csv"]),
                                               candidates=[tmp_path / "six.yaml"]))
    assert loaded.scenarios[0].kind == "today"
    result = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of,
                              elasticity=Fraction(2))
    row = result.behaviour.set_index("plan").loc["flat-6 v1"]
    assert (row["static_recovered"], row["static_cost"]) == (500000, 30000)
    assert (row["behavioural_recovered"], row["behavioural_cost"]) == (510000, 30600)
    today = result.behaviour.set_index("plan").loc["today"]
    assert today["behavioural_cost"] == today["static_cost"] == 25000
