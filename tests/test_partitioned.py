"""Partitioned runs (issue 17, bounded memory): `commission run --partitions N` writes the same bytes as the
run over the whole ledger, whatever N; problems read as they do there, and nothing is written."""

from __future__ import annotations

import json
import shutil
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.cli import main
from commission.engine.partitions import groups_of, merged_warnings, plan_partitions
from commission.engine.rules.line_rate import ORPHANS_CLAWED

ROOT = Path(__file__).resolve().parents[1]
#: A yearly component added to the bucket-rates plan: 1% of the year's recovery above 100,000.00.
YEARLY = """\
  - id: year-bonus
    kind: tiers
    pays: yearly
    base: recovered
    mode: marginal
    tiers:
      - {from: 0, to: 100000, rate: 0%}
      - {from: 100000, rate: 1%}

"""
#: The tiered plan's override paid on the team's commission too (the second stage of a run of two plans).
ON_COMMISSION = """\
  - id: lead-on-commission
    kind: override
    base: team_commission
    rate: 2%

"""


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(args: list[str]):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> dict:
    """A generated year (60 collectors, teams with leads, splits, reversals of earlier months, a leaver) as
    twelve monthly Parquet files; the plans of the sample with a yearly component and an override on the
    team's commission; November's state, carried into December."""
    base = tmp_path_factory.mktemp("year")
    result = invoke(["sample-data", "--collectors", 60, "--months", 12, "--first-month", "2026-01", "--out",
                     base / "data"])
    assert result.exit_code == 0, result.output
    data = base / "data"
    table = pacsv.read_csv(data / "ledger.csv", convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in pacsv.read_csv(data / "ledger.csv").column_names}))
    (base / "ledger").mkdir()
    months = np.asarray([d[:7] for d in table.column("payment_date").to_pylist()])
    for month in sorted(set(months)):
        pq.write_table(table.filter(pa.array(months == month)), base / "ledger" / f"{month}.parquet")
    plans = base / "plans"
    shutil.copytree(ROOT / "policies", plans)
    bucket = (plans / "bucket-rates.yaml").read_text(encoding="utf-8")
    (plans / "bucket-rates.yaml").write_text(bucket.replace("adjustments:\n", YEARLY + "adjustments:\n", 1),
                                             encoding="utf-8")
    tiered = (plans / "tiered.yaml").read_text(encoding="utf-8")
    (plans / "tiered.yaml").write_text(tiered.replace("adjustments:\n", ON_COMMISSION + "adjustments:\n", 1),
                                       encoding="utf-8")
    common = ["--policy", plans, "--ledger", base / "ledger", "--roster", data / "roster.csv", "--targets",
              data / "targets.csv", "--assignments", data / "assignments.csv", "--events", data / "events.csv",
              "--lines", "both"]
    november = invoke(["run", *common, "--period", "2026-11", "--first-period", "--out", base / "november"])
    assert november.exit_code == 0, november.output
    december = [*common, "--period", "2026-12", "--state", base / "november" / "state.json"]
    whole = invoke(["run", *december, "--out", base / "whole"])
    assert whole.exit_code == 0, whole.output
    return {"base": base, "args": december, "whole": files_of(base / "whole"), "data": data}


def test_the_generated_year_has_what_a_partitioned_run_must_keep_together(year):
    manifest = json.loads(year["whole"]["manifest.json"])
    lines = pq.read_table(year["base"] / "whole" / "lines.parquet").to_pandas()
    assert (lines["credit_share"].astype(str) != "1").any()  # split payments
    reversed_earlier = lines.loc[lines["reverses"] != ""]
    assert len(reversed_earlier)  # reversals in December, of payments made before it
    items = (year["base"] / "whole" / "items.csv").read_text(encoding="utf-8")
    for kind in ("override", "year-bonus", "lead-on-commission", "holdback"):
        assert kind in items
    assert manifest["counts"]["rows_read"] == 48431 and manifest["counts"]["line_rows"] == len(lines)
    carried = json.loads((year["base"] / "november" / "state.json").read_text(encoding="utf-8"))
    assert carried["balances"]  # November's holdbacks, carried in and released at the quarter's end


@pytest.mark.parametrize("partitions", ["1", "2", "5", "auto"])
def test_a_partitioned_year_writes_the_same_bytes_as_the_whole_ledger(year, tmp_path, partitions):
    result = invoke(["run", *year["args"], "--out", tmp_path / "out", "--partitions", partitions])
    assert result.exit_code == 0, result.output
    assert files_of(tmp_path / "out") == year["whole"]


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=12))
def test_any_number_of_partitions_gives_the_same_bytes(year, partitions):
    with tempfile.TemporaryDirectory() as folder:
        result = invoke(["run", *year["args"], "--out", Path(folder) / "out", "--partitions", partitions])
        assert result.exit_code == 0, result.output
        assert files_of(Path(folder) / "out") == year["whole"]


def test_the_sample_data_partitioned_gives_the_same_bytes(tmp_path):
    data = ROOT / "sample_data"
    args = ["run", "--policy", ROOT / "policies", "--ledger", data / "ledger.csv", "--roster", data / "roster.csv",
            "--period", "2026-09", "--targets", data / "targets.csv", "--assignments", data / "assignments.csv",
            "--events", data / "events.csv", "--state", data / "state-2026-08.json", "--lines", "both"]
    assert invoke([*args, "--out", tmp_path / "whole"]).exit_code == 0
    result = invoke([*args, "--out", tmp_path / "parts", "--partitions", "3"])
    assert result.exit_code == 0, result.output
    assert files_of(tmp_path / "parts") == files_of(tmp_path / "whole")


def test_a_bad_row_in_one_month_reads_as_it_does_without_partitions_and_nothing_is_written(year, tmp_path):
    ledger = tmp_path / "ledger"
    shutil.copytree(year["base"] / "ledger", ledger)
    march = pq.read_table(ledger / "2026-03.parquet")
    amounts = march.column("amount").to_pylist()
    amounts[6] = "12.3x"
    pq.write_table(march.set_column(march.column_names.index("amount"), "amount", pa.array(amounts)),
                   ledger / "2026-03.parquet")
    args = [a if a != year["base"] / "ledger" else ledger for a in year["args"]]
    whole = invoke(["run", *args, "--out", tmp_path / "whole"])
    parts = invoke(["run", *args, "--out", tmp_path / "parts", "--partitions", "4"])
    assert whole.exit_code == parts.exit_code == 2
    assert f"{ledger / '2026-03.parquet'}:row 7: amount: '12.3x' is not a number" in parts.output
    assert parts.output == whole.output
    assert not (tmp_path / "parts").exists() and not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_a_payment_id_repeated_in_another_month_is_refused_whichever_partitions_hold_its_rows(year, tmp_path):
    """P000000001 (January, one collector) given again in June to another collector: the partitions keep
    both collectors together, so the two rows are checked as one payment split between them (shares of 2,
    different dates) and refused as without partitions."""
    ledger = tmp_path / "ledger"
    shutil.copytree(year["base"] / "ledger", ledger)
    january, june = pq.read_table(ledger / "2026-01.parquet"), pq.read_table(ledger / "2026-06.parquet")
    first = january.slice(0, 1).to_pylist()[0]
    other = next(c for c in june.column("collector_id").to_pylist() if c != first["collector_id"])
    rows = june.to_pylist() + [{**first, "collector_id": other, "payment_date": "2026-06-30"}]
    pq.write_table(pa.Table.from_pylist(rows, schema=june.schema), ledger / "2026-06.parquet")
    args = [a if a != year["base"] / "ledger" else ledger for a in year["args"]]
    whole = invoke(["run", *args, "--out", tmp_path / "whole"])
    parts = invoke(["run", *args, "--out", tmp_path / "parts", "--partitions", "7"])
    assert whole.exit_code == parts.exit_code == 2
    assert f"credit_share: the shares of payment '{first['payment_id']}' add up to 2, not 1" in parts.output
    assert parts.output == whole.output
    assert not (tmp_path / "parts").exists()


def test_a_reversal_of_an_unknown_payment_in_one_partition_reads_as_without_partitions(year, tmp_path):
    """The engine's own problem (a clawback needs its payment's terms), raised in one partition."""
    ledger = tmp_path / "ledger"
    shutil.copytree(year["base"] / "ledger", ledger)
    december = pq.read_table(ledger / "2026-12.parquet")
    row = december.slice(3, 1).to_pylist()[0]
    rows = december.to_pylist() + [{**row, "payment_id": "R-unknown", "amount": "-10.00", "reverses": "P-nowhere",
                                     "credit_share": ""}]
    pq.write_table(pa.Table.from_pylist(rows, schema=december.schema), ledger / "2026-12.parquet")
    args = [a if a != year["base"] / "ledger" else ledger for a in year["args"]]
    whole = invoke(["run", *args, "--out", tmp_path / "whole"])
    parts = invoke(["run", *args, "--out", tmp_path / "parts", "--partitions", "6"])
    assert whole.exit_code == parts.exit_code == 2
    assert f"{ledger / '2026-12.parquet'}:row {len(rows)}: reverses: payment 'P-nowhere' of collector " \
           f"{row['collector_id']} is not in the ledgers given" in parts.output
    assert parts.output == whole.output
    assert not (tmp_path / "parts").exists()


def test_collectors_missing_from_the_roster_are_named_as_without_partitions(year, tmp_path):
    roster = (year["data"] / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "roster.csv").write_text("".join(roster[:5] + roster[7:]), encoding="utf-8")  # C005, C006 gone
    args = [a if a != year["data"] / "roster.csv" else tmp_path / "roster.csv" for a in year["args"]]
    whole = invoke(["run", *args, "--out", tmp_path / "whole"])
    parts = invoke(["run", *args, "--out", tmp_path / "parts", "--partitions", "3"])
    assert whole.exit_code == parts.exit_code == 2
    assert "collector 'C005' is not on the roster" in parts.output and "'C006'" in parts.output
    assert parts.output == whole.output


CROSS_PLANS = {
    "lead.yaml": """
        plan: lead-plan
        version: 1
        effective: 2026-01-01
        currency: CNY
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 5%}
          - id: lead
            kind: override
            base: team_commission
            rate: 10%
    """,
    "member.yaml": """
        plan: member-plan
        version: 1
        effective: 2026-01-01
        currency: CNY
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 10%}
    """,
}
CROSS_ROSTER = """\
collector_id,name,team,employee_id,manager_id,plan
A1,甲,Team B,E9,,member-plan
L1,组长,Team A,E0,,lead-plan
C1,王芳,Team A,E1,L1,lead-plan
C2,李强,Team A,E2,L1,member-plan
Z9,乙,Team B,E8,,member-plan
"""
CROSS_LEDGER = """\
payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,credit_share
P1,C1,A0001,2026-10-03,10000.00,10,50000,1
P2,C2,A0002,2026-10-04,5000.00,10,50000,1
P3,L1,A0003,2026-10-05,1000.00,10,50000,1
P4,A1,A0004,2026-10-06,2000.00,10,50000,0.5
P4,Z9,A0004,2026-10-06,2000.00,10,50000,0.5
"""


def test_an_override_and_a_split_across_the_roster_pay_what_was_worked_out_by_hand(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name, text in CROSS_PLANS.items():
        (plans / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "roster.csv").write_text(CROSS_ROSTER, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(CROSS_LEDGER, encoding="utf-8")
    result = invoke(["run", "--policy", plans, "--ledger", tmp_path / "ledger.csv", "--roster",
                     tmp_path / "roster.csv", "--period", "2026-10", "--first-period", "--out", tmp_path / "out",
                     "--partitions", "5"])
    assert result.exit_code == 0, result.output
    payouts = {row.split(",")[0].strip('"'): row.split(",") for row in
               (tmp_path / "out" / "payouts.csv").read_text(encoding="utf-8").splitlines()[1:]}
    header = (tmp_path / "out" / "payouts.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    net = {c: row[header.index('"net_payout"')] for c, row in payouts.items()}
    # L1: 5% of 1,000.00 = 50.00, and 10% of the team's commission: C1 5% of 10,000.00 = 500.00 under
    # lead-plan, C2 10% of 5,000.00 = 500.00 under member-plan: 100.00. A1 and Z9: 10% of their 1,000.00 halves.
    assert net == {"A1": "100.00", "C1": "500.00", "C2": "500.00", "L1": "150.00", "Z9": "100.00"}


def test_partitions_keep_linked_collectors_together_and_share_out_rows():
    collectors = ["A", "B", "C", "D", "E", "F"]
    rows = np.array([10, 1, 1, 10, 5, 5])
    # B-D and D-F are linked (a split payment, a lead and a member): one group of 16 rows
    partitions = plan_partitions(collectors, rows, (np.array([1, 3]), np.array([3, 5])), 3)
    assert partitions == [["B", "D", "F"], ["A"], ["C", "E"]]
    assert groups_of(collectors, (np.array([5, 0]), np.array([4, 5]))).tolist() == [0, 1, 2, 3, 0, 0]


def test_counted_warnings_add_up_over_partitions_and_the_rest_appear_once():
    merged = merged_warnings([[f"2 {ORPHANS_CLAWED}", "raise r: late"], [f"3 {ORPHANS_CLAWED}", "raise r: late"]])
    assert merged == [f"5 {ORPHANS_CLAWED}", "raise r: late"]


def test_the_seam_runs_each_stage_in_other_processes_with_the_same_bytes(tmp_path):
    """map_partitions as a distributed engine gives it: tasks and results pickled, functions run in other
    processes (a process pool standing in for Dask workers)."""
    from concurrent.futures import ProcessPoolExecutor

    from commission.app.inputs import InputPaths
    from commission.app.partitioned import run_partitioned
    from commission.app.runs import RunRequest, run_period
    from commission.periods import Period

    data = ROOT / "sample_data"
    request = RunRequest(InputPaths(policies=[ROOT / "policies"], ledgers=[data / "ledger.csv"],
                                    roster=data / "roster.csv", targets=[data / "targets.csv"],
                                    assignments=[data / "assignments.csv"], events=[data / "events.csv"]),
                         period=Period.parse("2026-09"), state=data / "state-2026-08.json")
    run_period(request, tmp_path / "whole", lines_parquet=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        run_partitioned(request, tmp_path / "parts", 4, lines_parquet=True,
                        map_partitions=lambda fn, tasks: list(pool.map(fn, tasks)))
    assert files_of(tmp_path / "parts") == files_of(tmp_path / "whole")
