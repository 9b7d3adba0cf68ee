"""A simulation on one team's collectors only (what a manager's "compare with today" runs): the files and
the numbers worked by hand in test_simulation_today.py (C1, C2 Team A; C3 Team B).

    Today: C1 115.00, C2 240.00, C3 80.00. Plan B for everyone: C1 90.00, C2 240.00, C3 96.00.
    plan-a replaced by C (8%): C1 144.00, C2 240.00, C3 64.00.
"""

from __future__ import annotations

from itertools import combinations

import pytest

from commission.app.simulation import load_simulation
from commission.simulation import build_comparison

from test_simulation_today import files, request, september_state  # noqa: F401  (files: the fixture)

TODAY = {"C1": 11500, "C2": 24000, "C3": 8000}
PLAN_B = {"C1": 9000, "C2": 24000, "C3": 9600}


def compare(files, collectors, **more):  # noqa: F811
    loaded = load_simulation(request(files, collectors=collectors, **more))
    result = build_comparison(loaded.scenarios, loaded.history, loaded.months, loaded.report_of,
                              opening=loaded.opening)
    return loaded, result


def test_team_b_alone_is_c3_alone(files):  # noqa: F811
    _, result = compare(files, {"C3"}, candidates=[files / "b.yaml"])
    table = result.collectors.set_index("collector_id")
    assert list(table.index) == ["C3"]
    assert table.loc["C3", ["team", "paid:today", "paid:plan-b v1"]].tolist() == ["Team B", 8000, 9600]
    assert result.summary["cost"].tolist() == [8000, 9600]


def test_team_a_with_plan_a_replaced(files):  # noqa: F811
    """C1 115.00 -> 144.00, C2 240.00 as today: 355.00 -> 384.00 (+29.00)."""
    _, result = compare(files, {"C1", "C2"}, replacements=[f"plan-a={files / 'c.yaml'}"])
    assert set(result.collectors["collector_id"]) == {"C1", "C2"}
    assert result.summary["cost"].tolist() == [35500, 38400]
    assert result.teams[["team", "baseline_cost", "cost", "net_change"]].values.tolist() == [
        ["Team A", 35500, 38400, 2900]]


@pytest.mark.parametrize("team", [set(c) for n in (1, 2, 3) for c in combinations(("C1", "C2", "C3"), n)])
def test_every_collector_of_any_team_is_paid_as_by_hand(files, team):  # noqa: F811
    """Plans that pay each collector on their own rows: a team's run pays each member what the hand-worked
    table says, and nobody else appears."""
    _, result = compare(files, team, candidates=[files / "b.yaml"])
    table = result.collectors.set_index("collector_id")
    assert set(table.index) == team
    assert table["paid:today"].to_dict() == {c: TODAY[c] for c in team}
    assert table["paid:plan-b v1"].to_dict() == {c: PLAN_B[c] for c in team}


def test_opening_balances_of_other_teams_are_left_out(files, tmp_path):  # noqa: F811
    """The state September left: C1 owes 50.00. Team A starts with it (C1 today 115.00 - 50.00 = 65.00);
    Team B's simulation holds no balance of C1, and C1 is paid nothing in it."""
    state = september_state(files, tmp_path)
    loaded, result = compare(files, {"C3"}, candidates=[files / "b.yaml"], state=state)
    assert list(loaded.opening.state["collector_id"]) == []
    assert list(result.collectors["collector_id"]) == ["C3"] and result.summary["cost"].tolist() == [8000, 9600]
    loaded, result = compare(files, {"C1", "C2"}, candidates=[files / "b.yaml"], state=state)
    assert list(loaded.opening.state["collector_id"]) == ["C1"]
    assert result.collectors.set_index("collector_id")["paid:today"].to_dict() == {"C1": 6500, "C2": 24000}
