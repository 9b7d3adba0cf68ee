"""What a first-time reader got wrong on the bundled September statement of C020 (paid 19,677.94), fixed
and checked here on the sample data: reversals counted apart from the repayments, commission a
per-payment maximum took away listed with what was lost, and the holdback withheld in the month that
releases it said to be paid back now, not held. The counts and amounts are worked from the ledger and
the plan (policies/card-tiered.yaml: 10% on M7+, at most 2,000.00 a payment), not from the engine."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.outputs.report_reader import load_report
from commission.statements.model import build_statement

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def september(tmp_path_factory):
    out = tmp_path_factory.mktemp("september") / "run"
    result = CliRunner().invoke(main, [
        "run", "--policy", str(ROOT / "policies"), "--ledger", str(SAMPLE / "ledger.csv"),
        "--roster", str(SAMPLE / "roster.csv"), "--targets", str(SAMPLE / "targets.csv"),
        "--assignments", str(SAMPLE / "assignments.csv"), "--events", str(SAMPLE / "events.csv"),
        "--state", str(SAMPLE / "state-2026-08.json"), "--period", "2026-09", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return load_report(out)


def c020_september_rows() -> list[dict]:
    with open(SAMPLE / "ledger.csv", newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f)
                if row["collector_id"] == "C020" and row["payment_date"].startswith("2026-09")]


def test_reversals_are_counted_apart_from_the_repayments(september):
    rows = c020_september_rows()
    reversals = sum(1 for row in rows if row["reverses"])
    assert (len(rows) - reversals, reversals) == (116, 2)
    statement = build_statement(september, "C020", "en")
    assert statement.made[0].text.startswith("Commission on repayments: 116 repayments less 2 reversed, net "
                                             "203,724.61")
    assert (statement.payments, statement.reversed) == (116, 2)  # the bucket table's totals count them alike
    zh = build_statement(september, "C020", "zh")
    assert zh.made[0].text.startswith("回款提成：116 笔回款减 2 笔冲回，净额 203,724.61")


def test_commission_above_the_per_payment_maximum_is_listed_as_lost(september):
    """P000005827 27,879.54 x 10% = 2,787.95 and P000006824 30,408.54 x 10% = 3,040.85: 5,828.80 earned,
    2 x 2,000.00 paid, 1,828.80 not paid."""
    above = {row["payment_id"]: Decimal(row["amount"]) for row in c020_september_rows()
             if Decimal(row["amount"]) > Decimal("20000.00")}  # 10% of it is more than 2,000.00
    assert above == {"P000005827": Decimal("27879.54"), "P000006824": Decimal("30408.54")}
    lost = {entry.kind: entry for entry in build_statement(september, "C020", "en").lost}
    assert lost["reduced"].amount == 182880
    assert lost["reduced"].what == ("2 repayments above the per-payment maximum: commission 5,828.80 limited to "
                                    "4,000.00; already in the commission above (see Detail)")


def test_what_the_releasing_month_withholds_is_paid_now_not_held(september):
    """September ends the quarter: 10% of 10,826.98 (1,082.70) is withheld and released with July's and
    August's in the same statement, so nothing is listed as held back."""
    statement = build_statement(september, "C020", "en")
    holdback = [(m.text, m.amount) for m in statement.made if m.text.startswith("Holdback")]
    assert holdback == [
        ("Holdback: 10% of Commission on repayments held back, paid back below with the quarter's release", -108270),
        ("Holdback: all held back in this quarter, paid now", 285917)]
    assert [entry.kind for entry in statement.lost] == ["clawed_back", "clawed_back", "reduced"]
    assert sum(m.amount for m in statement.made) == statement.header.net_pay == 1967794


def test_a_run_folder_with_parquet_lines_reads_as_the_csv_one(tmp_path):
    """`--lines parquet` keeps the lineage only as Parquet: statements and explain read it, and C020's
    September says the same hand-checked things as from lines.csv."""
    out = tmp_path / "run"
    result = CliRunner().invoke(main, [
        "run", "--policy", str(ROOT / "policies"), "--ledger", str(SAMPLE / "ledger.csv"),
        "--roster", str(SAMPLE / "roster.csv"), "--targets", str(SAMPLE / "targets.csv"),
        "--assignments", str(SAMPLE / "assignments.csv"), "--events", str(SAMPLE / "events.csv"),
        "--state", str(SAMPLE / "state-2026-08.json"), "--period", "2026-09", "--out", str(out),
        "--lines", "parquet"])
    assert result.exit_code == 0, result.output
    assert not (out / "lines.csv").exists() and (out / "lines.parquet").exists()
    report = load_report(out)
    statement = build_statement(report, "C020", "en")
    assert statement.made[0].text.startswith("Commission on repayments: 116 repayments less 2 reversed, net "
                                             "203,724.61")
    assert statement.header.net_pay == 1967794
    assert {entry.kind: entry.amount for entry in statement.lost}["reduced"] == 182880
    assert report.line_table("C020").num_rows == len(c020_september_rows())
    explained = CliRunner().invoke(main, ["explain", "--run", str(out), "--collector", "C020",
                                          "--payment", "P000005827", "--lang", "en"])
    assert explained.exit_code == 0, explained.output
    assert "2,787.95" in explained.output and "2,000.00" in explained.output
