"""Report folders are believed only as their run wrote them: every file a command reads is checked
against the SHA-256 in manifest.json first. A run folder with a changed file is refused, naming the
file; a stored batch whose folder was changed is read from the store's copy instead. The plan pays
5% of every repayment: C1 1,000.00 x 5% = 50.00, C2 4,000.00 x 5% = 200.00 (July)."""

import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commission.app.compare import keep_candidate
from commission.app.uploads import Upload, private_folders, save_uploads
from commission.inputs import state_digest
from commission.outputs.payroll import write_payroll
from test_batches import PLAN, act, cli, create, files, store, stored  # noqa: F401 (fixtures)


@pytest.fixture
def run_folder(files):  # noqa: F811
    out = files["folder"] / "run"
    result = cli("run", "--policy", files["plan"], "--ledger", files["ledger"], "--roster", files["roster"],
                 "--period", "2026-07", "--first-period", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def net_pay(output: str) -> str:
    return output.split("= net pay ")[1].split()[0]


def test_an_intact_run_folder_explains_its_own_numbers(run_folder):
    result = cli("explain", "--run", run_folder, "--collector", "C1", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert net_pay(result.output) == "100.00"  # 50.00 commission, topped up to the 100.00 draw


@pytest.mark.parametrize("name, old, new", [
    ("payouts.csv", ",100.00,", ",99999.00,"),  # C1's net pay
    ("lines.csv", "1000.00", "9000.00"),
    ("state.json", '"C1"', '"C2"'),
    ("plans/batch-demo-v1.yaml", "rate: 5%", "rate: 50%"),
])
def test_a_changed_report_file_is_refused_naming_it(run_folder, name, old, new):
    edit(run_folder / name, old, new)
    expected = (f"{run_folder / name}: was changed after its run wrote it (its SHA-256 is not the one "
                "manifest.json records); run the period again")
    for command in (["explain", "--run", run_folder, "--collector", "C1"],
                    ["statements", "--run", run_folder, "--out", run_folder.parent / "st"]):
        result = cli(*command)
        assert result.exit_code == 2 and expected in result.output, result.output
    assert not (run_folder.parent / "st").exists()


def test_a_removed_or_unlisted_report_file_is_refused(run_folder):
    (run_folder / "events.csv").unlink()
    result = cli("explain", "--run", run_folder, "--collector", "C1")
    assert result.exit_code == 2
    assert (f"{run_folder / 'events.csv'}: cannot be read (No such file or directory); its run wrote it "
            "(manifest.json lists it)") in result.output
    edit(run_folder / "manifest.json", '"payouts.csv"', '"payouts-old.csv"')  # a file put in after the run
    result = cli("explain", "--run", run_folder, "--collector", "C1")
    assert result.exit_code == 2 and f"{run_folder / 'payouts.csv'}: is not among the files its run wrote " \
        "(manifest.json does not list it)" in result.output


def test_a_changed_batch_folder_is_read_from_the_store(files, store):  # noqa: F811
    out = files["folder"] / "july"
    assert create(files, store, "2026-07", out=out).exit_code == 0
    edit(out / "payouts.csv", ",100.00,", ",99999.00,")
    result = cli("explain", "--batch", 1, "--db", store, "--collector", "C1", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert net_pay(result.output) == "100.00"
    refused = cli("statements", "--batch", 1, "--db", store)  # its statements cannot go into a changed folder
    assert refused.exit_code == 2 and "batch 1's reports folder was moved or changed" in refused.output
    made = cli("statements", "--batch", 1, "--db", store, "--out", files["folder"] / "st", "--lang", "en")
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in (files["folder"] / "st").glob("*.xlsx")) == ["C1-2026-07.xlsx", "C2-2026-07.xlsx"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    """The usual umask, under which plain files are world-readable (0644)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_reports_statements_and_the_store_are_their_owners_only(umask_022, files, store):  # noqa: F811
    if store.startswith("sqlite:///"):
        assert mode(Path(store.removeprefix("sqlite:///"))) == 0o600
    out = files["folder"] / "july"
    assert create(files, store, "2026-07", out=out).exit_code == 0
    assert mode(out) == 0o700
    assert cli("statements", "--batch", 1, "--db", store).exit_code == 0
    assert mode(out / "statements") == 0o700
    assert cli("statements", "--batch", 1, "--db", store, "--collector", "C1").exit_code == 0
    assert mode(out / "statements" / "C1-2026-07.xlsx") == 0o600  # rewritten alone, in place
    rows = pd.DataFrame({"employee_id": ["E1"], "collector_id": ["C1"], "pay_code": ["commission"],
                         "amount": np.array([10000], dtype=np.int64), "period": ["2026-07"], "batch_id": [1],
                         "pay_date": ["2026-08-15"]})
    write_payroll(rows, files["folder"] / "payroll" / "2026-07.csv", "csv", 2)
    assert [mode(p) for p in sorted((files["folder"] / "payroll").iterdir())] == [0o600, 0o600]  # and its control


def test_the_webs_uploads_are_its_owners_only(tmp_path, umask_022):
    uploads, reports = tmp_path / "uploads", tmp_path / "reports"
    private_folders(uploads, reports)
    assert (mode(uploads), mode(reports)) == (0o700, 0o700)
    saved, _ = save_uploads([Upload("policy", "plan.yaml", PLAN.encode()),
                             Upload("ledger", "ledger.csv", b"payment_id\nP1\n")], uploads)
    ledger = saved["ledger"][0]
    assert (mode(ledger.parent), mode(ledger)) == (0o700, 0o600)
    candidate = keep_candidate("plan.yaml", PLAN.encode(), uploads)
    assert (mode(candidate.parent), mode(candidate)) == (0o700, 0o600)


def test_a_forged_state_with_a_recomputed_digest_cannot_pay_a_stored_period(files, store, monkeypatch):  # noqa: F811
    """state.json's digest has no secret: a forger recomputes it and `run` believes the file. Payroll does
    not: once the store holds the period before, balances come from its locked batch and --state is
    refused. July leaves C1 owing 50.00 of draw (1,000.00 x 5% = 50.00 topped up to 100.00)."""
    out = files["folder"] / "july"
    assert create(files, store, "2026-07", out=out).exit_code == 0
    for action in ("approve", "lock"):
        assert act(monkeypatch, store, action, 1).exit_code == 0
    document = json.loads((out / "state.json").read_text(encoding="utf-8"))
    assert document["balances"] == [{"collector_id": "C1", "balance": "draw", "amount": "50.00"}]
    document["balances"] = []  # the draw owed forgiven, the digest made to match
    document["digest"] = state_digest(document["period"], document["currency"], document["balances"])
    forged = files["folder"] / "state.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    accepted = cli("run", "--policy", files["plan"], "--ledger", files["ledger"], "--roster", files["roster"],
                   "--period", "2026-08", "--state", forged, "--out", files["folder"] / "run")
    assert accepted.exit_code == 0, accepted.output  # outside the store nothing can tell: README, Safety
    refused = create(files, store, "2026-08", state=forged)
    assert refused.exit_code == 2
    assert "balances carried into 2026-08 come from the stored batch for 2026-07; leave out --state and " \
        "--first-period" in refused.output
    assert create(files, store, "2026-08", carried=True).exit_code == 0
    # August: C1 1,200.00 x 5% = 60.00, topped up 40.00 to the draw: owes 50.00 + 40.00 = 90.00
    assert stored(store, "SELECT amount FROM balances WHERE batch_id = 2 AND collector_id = 'C1'") == [(9000,)]
