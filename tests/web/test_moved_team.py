"""A collector who moves teams is their new manager's from the batch that moved them, and no longer their
old manager's: the home page, its questions and a team's comparison show each manager only the batches
that paid the collector in their team. July pays C2 in Team A (4,000.00 x 5% = 200.00), August in Team B
(P6 1,000.00 x 5% = 50.00)."""

from commission.app.access import stayed_in_team
from commission.app.batches import act_on_batch, create_payout_batch
from commission.app.collector_pay import collector_pay
from commission.app.inputs import InputPaths
from commission.app.runs import RunRequest
from commission.app.users import add, set_up_store
from commission.periods import Period
from commission.store import NotFound, open_store

import pytest

from .conftest import LEDGER, NOW, write_inputs

MOVED = """collector_id,name,team,employee_id
C1,王芳,Team A,E1
C2,李强,Team B,E2
C3,<script>alert(1)</script>,Team B,E3
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = write_inputs(tmp_path_factory.mktemp("moved"))
    (folder / "ledger.csv").write_text(LEDGER + "P6,C2,A0000006,2026-08-08,1000.00,10,5000\n", encoding="utf-8")
    (folder / "moved.csv").write_text(MOVED, encoding="utf-8")
    url = f"sqlite:///{folder / 'store.db'}"
    set_up_store(url, "ada", False, NOW)
    for name, roles, team in (("pat", ["preparer"], ""), ("abe", ["approver"], ""), ("pam", ["payer"], ""), ("amy", ["manager"], "Team A"),
                              ("bob", ["manager"], "Team B")):
        add(url, "ada", name, roles, NOW, "", team)
    for period, roster, extra in (("2026-07", "roster.csv", {"first_period": True}), ("2026-08", "moved.csv", {})):
        paths = InputPaths([folder / "plan.yaml"], [folder / "ledger.csv"], folder / roster)
        batch = create_payout_batch(RunRequest(paths, Period.parse(period), **extra), url, folder / period, "pat", NOW)
        act_on_batch(url, batch.batch.id, "approve", "abe", NOW)
        if period == "2026-07":  # its balances carry into August
            act_on_batch(url, batch.batch.id, "lock", "pam", NOW)
    return url


def shown(url, manager):
    pay = collector_pay(url, manager, "C2")
    return [(row.period, int(row.net)) for row in pay.periods.itertuples()]


def test_each_manager_sees_the_months_the_collector_was_in_their_team(store):
    assert shown(store, "amy") == [("2026-07", 20000)]
    assert shown(store, "bob") == [("2026-08", 5000)]


def test_a_teams_comparison_leaves_out_who_moved_between_the_periods_compared(store):
    with open_store(store).connect() as connection:
        assert stayed_in_team(connection, "Team A", [1, 2]) == {"C1"}
        assert stayed_in_team(connection, "Team B", [1, 2]) == {"C3"}
        assert stayed_in_team(connection, "Team B", [2]) == {"C2", "C3"}


def test_a_manager_of_neither_team_sees_nothing(store):
    with pytest.raises(NotFound):
        collector_pay(store, "amy", "C3")
