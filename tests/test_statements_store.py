"""Statements made from stored batches: the year to date and pay over time count approved batches only,
on SQLite and PostgreSQL (test_batches' plan: 5% of every repayment)."""

from decimal import Decimal

from openpyxl import load_workbook

from test_batches import act, cli, create, files, lock, store  # noqa: F401 (fixtures)


def test_a_draft_counts_nowhere_but_on_its_own_statement(files, store, monkeypatch):  # noqa: F811
    """C2: July 4,000.00 x 5% = 200.00 (locked); August 3,000.00 x 5% = 150.00 (still a draft). The
    August statement pays 150.00, and its year to date and pay history hold July's 200.00 only."""
    create(files, store, "2026-07", out=files["folder"] / "july")
    lock(monkeypatch, store, 1)
    create(files, store, "2026-08", out=files["folder"] / "august", carried=True)
    result = cli("statements", "--batch", 2, "--db", store, "--lang", "en", "--out", files["folder"] / "st",
                 "--collector", "C2")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(files["folder"] / "st" / "C2-2026-08.xlsx").worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    facts = {row[0]: row[1] for row in rows if row[0]}
    assert Decimal(str(facts["Net pay"])) == Decimal("150.00") and facts["Status"] == "draft: not approved yet"
    header = next(row for row in rows if row[0] == "Pay code")
    commission = rows[rows.index(header) + 1]
    assert header[2] == "Year to date (approved batches)"
    assert (Decimal(str(commission[1])), Decimal(str(commission[2]))) == (Decimal("150.00"), Decimal("200.00"))
    start = rows.index(next(row for row in rows if row[0] == "Pay over the last 12 periods (approved batches)"))
    assert rows[start + 1][:2] == ("Period", "Commission")
    history = [(row[0], Decimal(str(row[1]))) for row in rows[start + 2:] if row[0]]
    assert history == [("2026-07", Decimal("200.00"))]  # August, a draft, is not there
    assert len(sheet._charts) == 1  # pay over time (a plan without overdue buckets has no bucket chart)
