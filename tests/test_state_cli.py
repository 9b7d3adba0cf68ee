"""state.json between runs: required for plans that carry balances, and checked when given."""

import json

from click.testing import CliRunner

from conftest import flat_plan
from commission.cli import main

PLAN = flat_plan("drawn", extra="draw: {amount: 100.00, recoverable: true}\n")
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-07-05,1000.00,10,5000
P2,C1,A1,2026-08-05,3000.00,10,5000
"""


def run(tmp_path, period, *extra):
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    return CliRunner().invoke(main, ["run", "--policy", str(tmp_path / "plan.yaml"), "--ledger",
                                     str(tmp_path / "ledger.csv"), "--period", period,
                                     "--out", str(tmp_path / f"out-{period}"), *map(str, extra)])


def test_a_run_needs_the_previous_state_or_first_period(tmp_path):
    refused = run(tmp_path, "2026-08")
    assert refused.exit_code == 2
    assert "pay carries balances from period to period" in refused.output
    assert not (tmp_path / "out-2026-08").exists()
    july = run(tmp_path, "2026-07", "--first-period")
    assert july.exit_code == 0, july.output
    # July: 1,000 x 5% = 50.00 topped up to the 100.00 draw: 50.00 owed
    state = json.loads((tmp_path / "out-2026-07" / "state.json").read_text(encoding="utf-8"))
    assert state["balances"] == [{"collector_id": "C1", "balance": "draw", "amount": "50.00"}]
    august = run(tmp_path, "2026-08", "--state", tmp_path / "out-2026-07" / "state.json")
    assert august.exit_code == 0, august.output
    # August: 150.00 earned, 50.00 above the draw repays what July owed: pays 100.00, owes 0
    state = json.loads((tmp_path / "out-2026-08" / "state.json").read_text(encoding="utf-8"))
    assert state["balances"] == []


def test_a_state_file_is_checked(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"period": "2026-07", "currency": "CNY", "balances": [
        {"collector_id": "C1", "balance": "drwa", "amount": "50.00"}]}), encoding="utf-8")
    # A state file written by hand is refused unless the run is told why; then its balances are checked
    # like any (the engine checks them, whatever their source): one the plan does not keep is refused
    result = run(tmp_path, "2026-08", "--state", state)
    assert result.exit_code == 2 and "was changed after its run wrote it" in result.output
    result = run(tmp_path, "2026-08", "--state", state, "--state-edited", "a hand-made state")
    assert result.exit_code == 2 and "drwa: not a balance the plans given keep: C1 holds 50.00 of it" in result.output
    state.write_text(json.dumps({"period": "2026-07", "currency": "USD", "balances": []}), encoding="utf-8")
    result = run(tmp_path, "2026-08", "--state", state)
    assert result.exit_code == 2 and "the state is in USD; the plans pay in CNY" in result.output
