"""The state file is not trusted as written: duplicated, negative or hand-edited balances are refused,
a deliberate edit needs a reason (kept in the manifest), and --state never goes with --first-period."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.inputs import state_digest

PLAN = """\
plan: held-back
version: 1
effective: 2026-01-01
currency: CNY
components:
  - id: base
    kind: line_rate
    rates:
      - {rate: 10%}
adjustments:
  - {id: q-holdback, kind: holdback, percent: 10%, release: quarterly}
"""
LEDGER = """payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
P1,C1,A1,2026-07-05,1000.00,10,5000
P2,C1,A1,2026-08-05,2000.00,10,5000
P3,C1,A1,2026-09-05,3000.00,10,5000
"""


def run(folder, period, *extra):
    return CliRunner().invoke(main, ["run", "--policy", str(folder / "plan.yaml"), "--ledger",
                                     str(folder / "ledger.csv"), "--period", period, "--out",
                                     str(folder / f"out-{period}"), *map(str, extra)])


@pytest.fixture
def august(tmp_path):
    """The state the August run leaves: July 1,000 x 10% = 100.00, 10% held back: 10.00; August
    2,000 x 10% = 200.00, 20.00 held back: 30.00 held in all."""
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    assert run(tmp_path, "2026-07", "--first-period").exit_code == 0
    result = run(tmp_path, "2026-08", "--state", tmp_path / "out-2026-07" / "state.json")
    assert result.exit_code == 0, result.output
    state = tmp_path / "out-2026-08" / "state.json"
    document = json.loads(state.read_text(encoding="utf-8"))
    assert document["balances"] == [{"collector_id": "C1", "balance": "holdback:q-holdback", "amount": "30.00"}]
    return tmp_path, state, document


def write(path, document, digest=False):
    if digest:  # as someone who knows the format would, recomputing the digest
        document = {**document, "digest": state_digest(document["period"], document["currency"],
                                                        document["balances"])}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_state_as_written_pays_the_quarter(august):
    folder, state, _ = august
    september = run(folder, "2026-09", "--state", state)
    assert september.exit_code == 0, september.output
    # 3,000 x 10% = 300.00, 30.00 held back, then the quarter's 60.00 released: 330.00
    payouts = (folder / "out-2026-09" / "payouts.csv").read_text(encoding="utf-8")
    assert "330.00" in payouts.splitlines()[1].split(",")


def test_a_hand_edited_amount_is_refused_unless_the_edit_is_explained(august):
    folder, state, document = august
    document["balances"][0]["amount"] = "99030.00"
    edited = write(folder / "edited.json", document)
    refused = run(folder, "2026-09", "--state", edited)
    assert refused.exit_code == 2
    assert refused.output.splitlines()[0] == (
        f"{edited}: --state: was changed after its run wrote it: its content no longer matches the digest its run "
        "recorded in it; use the state.json the previous run wrote, or, if the change is meant, say why with "
        "--state-edited 'REASON' (recorded in the manifest)")
    assert not (folder / "out-2026-09").exists()
    accepted = run(folder, "2026-09", "--state", edited, "--state-edited", "ticket 42: holdback corrected")
    assert accepted.exit_code == 0, accepted.output
    assert "warning: the state file was edited by hand" in accepted.output
    manifest = json.loads((folder / "out-2026-09" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["state_edited"]["reason"] == "ticket 42: holdback corrected"


def test_a_recomputed_digest_is_caught_by_the_manifest_beside_the_file(august):
    folder, state, document = august
    document["balances"][0]["amount"] = "99030.00"
    write(state, document, digest=True)  # in the run folder, next to the manifest that hashed the original
    refused = run(folder, "2026-09", "--state", state)
    assert refused.exit_code == 2
    assert "it differs from the state.json recorded in the manifest.json beside it" in refused.output


def test_an_explanation_for_an_intact_state_is_refused(august):
    folder, state, _ = august
    refused = run(folder, "2026-09", "--state", state, "--state-edited", "just in case")
    assert refused.exit_code == 2
    assert "the state file is as its run wrote it; leave out --state-edited" in refused.output


@pytest.mark.parametrize("change,message", [
    (lambda rows: rows.append(dict(rows[0])), "balances[1]: balance: C1 has holdback:q-holdback twice; a balance is "
                                              "carried once"),
    (lambda rows: rows[0].update(amount="-30.00"), "balances[0]: amount: C1's holdback:q-holdback is negative; "
                                                   "balances carried are amounts owed, never below 0"),
    (lambda rows: rows[0].update(amount="99999999999999999999.00"),
     "balances[0]: amount: 99999999999999999999.00 is too large (the limit is 999999999999999.99)"),
    (lambda rows: rows[0].update(collector_id="../x"), "balances[0]: collector_id: contains '/', which would make "
                                                       "it a path"),
])
def test_duplicated_negative_huge_or_hostile_balances_are_refused_even_when_explained(august, change, message):
    folder, _, document = august
    change(document["balances"])
    bad = write(folder / "bad.json", document, digest=True)
    refused = run(folder, "2026-09", "--state", bad, "--state-edited", "looks fine to me")
    assert refused.exit_code == 2
    assert refused.output.splitlines()[0] == f"{bad}:{message}"


def test_state_and_first_period_together_are_refused(august):
    folder, state, _ = august
    refused = run(folder, "2026-09", "--state", state, "--first-period")
    assert refused.exit_code == 2
    assert refused.output.splitlines()[0] == ("--state: a first period starts from zero balances; give either "
                                              "--state or --first-period, not both")
