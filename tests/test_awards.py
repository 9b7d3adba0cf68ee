"""Raises (加薪) and benefits in kind (福利): decided on KPIs, reported apart, never paid; worked by hand."""

import json

import pytest

from commission.errors import InputError
from commission.policy import parse_policy
from conftest import flat_plan, payout, plan

RAISE = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
      - id: annual-raise
        kind: raise
        pays: yearly
        kpi: attainment
        measured: quarterly
        in_at_least: 3
        only_if: no_serious_violation
        steps:
          - {at_least: 110%, raise: 5%}
          - {at_least: 120%, raise: {amount: 300.00}}
""")

YEAR = """
    P1,C1,A1,2026-02-10,11000.00,10,90000
    P2,C1,A1,2026-05-10,12500.00,10,90000
    P3,C1,A1,2026-08-10,10999.99,10,90000
    P4,C1,A1,2026-12-10,13000.00,10,90000
    P5,C2,A2,2026-02-10,12000.00,10,90000
    P6,C2,A2,2026-05-10,12000.00,10,90000
    P7,C2,A2,2026-08-10,12000.00,10,90000
    P8,C2,A2,2026-11-10,9000.00,10,90000
    P9,C3,A3,2026-02-10,11000.00,10,90000
    Q1,C3,A3,2026-05-10,11000.00,10,90000
    Q2,C3,A3,2026-08-10,11000.00,10,90000
    Q3,C3,A3,2026-12-10,11000.00,10,90000
"""
QUARTER_TARGETS = "collector_id,period,target\n" + "\n".join(
    f"{c},2026-Q{q},10000.00" for c in ("C1", "C2", "C3") for q in range(1, 5))
SERIOUS_C3 = """
    event_id,collector_id,date,type,severity,score
    E1,C3,2026-06-01,violation,serious,
"""


def awards_of(result, collector):
    return result.awards.loc[result.awards["collector_id"] == collector]


def test_a_raise_on_attainment_in_three_of_four_quarters(run_plan):
    result = run_plan(RAISE, YEAR, period="2026-12", targets=QUARTER_TARGETS, events=SERIOUS_C3)
    # C1: Q1 11,000 / 10,000 = 110%, Q2 125%, Q3 109.9999%, Q4 130%: 110% in 3 quarters (Q1, Q2, Q4), 120% in
    # only 2 (Q2, Q4): step 1, a raise of 5% of base salary, from the day after the year.
    (c1,) = awards_of(result, "C1").itertuples(index=False)
    assert (c1.kind, c1.component, c1.rule, c1.window, c1.raise_percent, c1.raise_amount, c1.effective_from) == \
        ("raise", "annual-raise", "annual-raise#1", "2026", "5%", 0, "2027-01-01")
    # the evidence is facts, in no language: each quarter's recovery and target in minor units
    assert json.loads(c1.evidence) == {
        "kpi": "attainment", "window": "2026", "at_least": "11/10", "measured": "quarterly", "met": 3, "needed": 3,
        "parts": [["2026-Q1", 1100000, 1000000], ["2026-Q2", 1250000, 1000000], ["2026-Q3", 1099999, 1000000],
                  ["2026-Q4", 1300000, 1000000]], "conditions": ["no_serious_violation"]}
    # C2: 120% in Q1-Q3, 90% in Q4: 120% in 3 quarters: step 2, 300.00 added to base salary
    (c2,) = awards_of(result, "C2").itertuples(index=False)
    assert (c2.rule, c2.raise_percent, c2.raise_amount) == ("annual-raise#2", "", 30000)
    # C3 reached 110% in every quarter, but had a serious violation in June: no raise
    assert awards_of(result, "C3").empty
    # Never paid: December's pay is the line commission alone (C1 13,000.00 x 5%, C2 nothing in December)
    assert payout(result, "C1") == 65000 and payout(result, "C2") == 0 and payout(result, "C3") == 55000
    assert not any(c.startswith("pay_") and c != "pay_commission" for c in result.payouts.columns)
    assert set(result.items["component"]) == {"base"}
    # every quarter's attainment the rule looked at is kept with the run's KPIs
    quarters = result.kpis.loc[(result.kpis["collector_id"] == "C1") & (result.kpis["kpi"] == "attainment")]
    assert quarters["window"].tolist() == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_a_raise_is_decided_only_in_the_run_that_ends_its_window(run_plan):
    result = run_plan(RAISE, YEAR, period="2026-11", targets=QUARTER_TARGETS, events=SERIOUS_C3)
    assert result.awards.empty
    assert list(result.awards.columns)[:4] == ["collector_id", "employee_id", "name", "period"]


def test_a_joiner_cannot_reach_quarters_before_they_started(run_plan):
    roster = """
        collector_id,name,team,employee_id,start_date
        C1,王芳,A,E001,
        C4,李强,A,E004,2026-07-01
    """
    ledger = """
        P1,C1,A1,2026-02-10,11000.00,10,90000
        P2,C1,A1,2026-05-10,11000.00,10,90000
        P3,C1,A1,2026-08-10,11000.00,10,90000
        P4,C4,A4,2026-08-10,15000.00,10,90000
        P5,C4,A4,2026-11-10,15000.00,10,90000
    """
    targets = """
        collector_id,period,target
        C1,2026-Q1,10000.00
        C1,2026-Q2,10000.00
        C1,2026-Q3,10000.00
        C1,2026-Q4,10000.00
        C4,2026-Q3,10000.00
        C4,2026-Q4,10000.00
    """
    result = run_plan(RAISE.replace("    only_if: no_serious_violation\n", ""), ledger, period="2026",
                      roster=roster, targets=targets)
    # C1: 110%, 110%, 110%, 0% -> 3 quarters at 110%: 5%; employee id and name from the roster
    (c1,) = awards_of(result, "C1").itertuples(index=False)
    assert (c1.employee_id, c1.name, c1.rule, c1.period) == ("E001", "王芳", "annual-raise#1", "2026")
    # C4 joined on 1 July: Q1 and Q2 have no target (not employed), their attainment is unknown: 150% in
    # only 2 quarters, no raise
    assert awards_of(result, "C4").empty


def test_effective_dates(run_plan):
    ledger = "P1,C1,A1,2026-12-10,30000.00,10,90000"
    targets = "collector_id,period,target\nC1,2026,10000.00"
    one_step = plan("""
        components:
          - id: yearly-raise
            kind: raise
            kpi: attainment
            steps:
              - {at_least: 100%, raise: 3%}
    """)
    # pays: yearly is a raise's default; effective from the day after the year
    result = run_plan(one_step, ledger, period="2026", targets=targets)
    (row,) = result.awards.itertuples(index=False)
    assert (row.window, row.effective_from, row.raise_percent) == ("2026", "2027-01-01", "3%")
    assert json.loads(row.evidence) == {"kpi": "attainment", "window": "2026", "at_least": "1", "measured": "",
                                        "met": 1, "needed": 1, "parts": [["2026", 3000000, 1000000]],
                                        "conditions": []}
    # a day of the year: the first 04-01 after the year
    result = run_plan(one_step + "    effective_from: 04-01\n", ledger, period="2026", targets=targets)
    assert result.awards["effective_from"].tolist() == ["2027-04-01"]
    # a date: as given; one not after the year is backdated, with a warning
    result = run_plan(one_step + "    effective_from: 2026-10-01\n", ledger, period="2026", targets=targets)
    assert result.awards["effective_from"].tolist() == ["2026-10-01"]
    assert any("effective_from 2026-10-01 is not after 2026" in w for w in result.warnings)


def test_a_quarterly_raise_decided_at_the_quarter_end_month(run_plan):
    quarterly = plan("""
        components:
          - id: q-raise
            kind: raise
            pays: quarterly
            kpi: recovered
            steps:
              - {at_least: 30000.00, raise: {amount: 100.00}}
    """)
    ledger = """
        P1,C1,A1,2026-07-10,20000.00,10,90000
        P2,C1,A1,2026-09-10,10000.00,10,90000
        P3,C2,A1,2026-09-10,29999.99,10,90000
    """
    result = run_plan(quarterly, ledger, period="2026-09")
    # C1 recovered 30,000.00 in Q3: 100.00 added to base salary from 1 October; C2 29,999.99: nothing
    assert result.awards[["collector_id", "rule", "raise_amount", "effective_from"]].values.tolist() == [
        ["C1", "q-raise#1", 10000, "2026-10-01"]]
    assert json.loads(result.awards["evidence"].iloc[0])["parts"] == [["2026-Q3", 3000000, 1]]
    assert payout(result, "C1") == 0


BENEFIT = plan("""
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 5%}
      - id: leave
        kind: benefit
        pays: quarterly
        kpi: attainment
        measured: monthly
        in_at_least: 2
        unit: days of leave
        steps:
          - {at_least: 100%, quantity: 1}
          - {at_least: 120%, quantity: 2.5}
""")


def test_benefit_days_of_leave_in_two_of_three_months(run_plan):
    ledger = """
        P1,C1,A1,2026-10-10,12000.00,10,90000
        P2,C1,A1,2026-11-10,12500.00,10,90000
        P3,C1,A1,2026-12-10,9000.00,10,90000
        P4,C2,A2,2026-10-10,10000.00,10,90000
        P5,C2,A2,2026-11-10,9999.99,10,90000
        P6,C2,A2,2026-12-10,15000.00,10,90000
        P7,C3,A3,2026-12-10,50000.00,10,90000
    """
    targets = "collector_id,period,target\n" + "\n".join(
        f"{c},2026-{m},10000.00" for c in ("C1", "C2", "C3") for m in (10, 11, 12))
    result = run_plan(BENEFIT, ledger, period="2026-12", targets=targets)
    # C1: 120%, 125%, 90%: 120% in 2 months: 2.5 days. C2: 100%, 99.9999%, 150%: 100% in 2 months: 1 day.
    # C3: 0%, 0%, 500%: 1 month only: nothing.
    rows = result.awards[["collector_id", "kind", "rule", "window", "quantity", "unit"]].values.tolist()
    assert rows == [["C1", "benefit", "leave#2", "2026-Q4", "2.5", "days of leave"],
                    ["C2", "benefit", "leave#1", "2026-Q4", "1", "days of leave"]]
    assert result.awards["raise_amount"].tolist() == [0, 0]
    assert json.loads(result.awards["evidence"].iloc[1]) == {
        "kpi": "attainment", "window": "2026-Q4", "at_least": "1", "measured": "monthly", "met": 2, "needed": 2,
        "parts": [["2026-10", 1000000, 1000000], ["2026-11", 999999, 1000000], ["2026-12", 1500000, 1000000]],
        "conditions": []}
    # pay is December's line commission alone
    assert [payout(result, c) for c in ("C1", "C2", "C3")] == [45000, 75000, 250000]
    assert result.totals()["net_payout"] == 45000 + 75000 + 250000


def test_awards_of_several_plans_are_put_together(tmp_path):
    """pay_period merges each plan's awards, in collector order; payouts and totals never see them."""
    from commission.engine import pay_period
    from commission.inputs import load_ledger, load_roster
    from commission.periods import Period

    plan_a = flat_plan("plan-a", extra="""
        reversals: {unmatched: error}
        """).replace("components:", """components:
  - id: leave
    kind: benefit
    kpi: recovered
    unit: vouchers
    steps:
      - {at_least: 100.00, quantity: 2}""")
    plan_b = flat_plan("plan-b").replace("components:", """components:
  - id: raise-b
    kind: raise
    pays: quarterly
    kpi: recovered
    steps:
      - {at_least: 100.00, raise: 1.5%}""")
    (tmp_path / "ledger.csv").write_text(
        "payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance\n"
        "P1,C2,A1,2026-12-01,100.00,10,900\nP2,C1,A2,2026-12-02,100.00,10,900\nP3,C3,A3,2026-12-03,99.99,10,900\n",
        encoding="utf-8")
    (tmp_path / "roster.csv").write_text("collector_id,name,team,employee_id,plan\nC1,A,T,E1,plan-b\n"
                                         "C2,B,T,E2,plan-a\nC3,C,T,E3,plan-a\n", encoding="utf-8")
    policies = (parse_policy(plan_a, source="a.yaml"), parse_policy(plan_b, source="b.yaml"))
    result = pay_period(policies, load_ledger([tmp_path / "ledger.csv"], 2).frame, Period.parse("2026-12"),
                        load_roster(tmp_path / "roster.csv").frame)
    assert result.awards[["collector_id", "employee_id", "plan", "kind", "rule", "raise_percent", "quantity",
                          "unit", "effective_from"]].values.tolist() == [
        ["C1", "E1", "plan-b", "raise", "raise-b#1", "1.5%", "", "", "2027-01-01"],
        ["C2", "E2", "plan-a", "benefit", "leave#1", "", "2", "vouchers", ""]]
    assert result.awards["version"].dtype == "int64" and result.awards["raise_amount"].dtype == "int64"
    assert result.totals()["net_payout"] == 500 + 500 + 500  # 5% of each payment, nothing else


# -- the grammar --------------------------------------------------------------------------------------

def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_policy(plan(text), source="plan.yaml")
    return [f"{p.key}: {p.message}" for p in caught.value.problems]


def test_a_raise_is_never_monthly_and_has_no_pay_code():
    found = problems_of("""
        components:
          - id: r
            kind: raise
            pays: monthly
            pay_code: bonus
            kpi: attainment
            steps:
              - {at_least: 100%, raise: 5}
    """)
    assert found == [
        "components[0].pay_code: a raise pays no money in the period, so it has no pay code: it is reported apart, "
        "in raises.csv (pay a benefit in money with a bonus and pay_code: benefit)",
        "components[0].pays: a raise is decided on a quarter's or a year's results: pays: quarterly or yearly (a "
        "monthly KPI can still count, with measured: monthly)",
        "components[0].steps[0].raise: '5' is ambiguous: write a percentage of base salary with its % sign "
        "(raise: 5%) or an amount added to it as raise: {amount: 5}"]


def test_measured_parts_must_be_shorter_and_counted_within_the_window():
    found = problems_of("""
        components:
          - id: r
            kind: raise
            pays: quarterly
            kpi: attainment
            measured: quarterly
            in_at_least: 2
            steps:
              - {at_least: 100%, raise: 0%}
          - id: b
            kind: benefit
            pays: yearly
            kpi: recovered
            measured: quarterly
            in_at_least: 5
            unit: vouchers
            steps:
              - {at_least: 100.00, quantity: 0}
              - {at_least: 200.00, quantity: 1.125}
    """)
    assert found == [
        "components[0].measured: measured: quarterly splits the window into shorter parts, so it must be shorter "
        "than pays: quarterly (e.g. pays: yearly, measured: quarterly)",
        "components[0].in_at_least: counts the parts of the window that reach a step: give measured: quarterly "
        "(or monthly) too",
        "components[0].steps[0].raise: a raise of 0 recommends nothing: leave the step out",
        "components[1].in_at_least: a yearly window has 4 quarterly parts: give 1 to 4",
        "components[1].steps[0].quantity: '0' is not a quantity: a number above 0 with at most 2 decimals, such "
        "as 1, 2 or 0.5",
        "components[1].steps[1].quantity: '1.125' is not a quantity: a number above 0 with at most 2 decimals, "
        "such as 1, 2 or 0.5"]


def test_no_money_rule_can_name_a_raise_or_a_benefit():
    found = problems_of("""
        components:
          - id: r
            kind: raise
            kpi: recovered
            steps:
              - {at_least: 1000.00, raise: 2%}
          - id: top-up
            kind: bonus
            kpi: recovered
            of: r
            steps:
              - {at_least: 1000.00, rate: 10%}
        adjustments:
          - id: cap
            kind: cap_floor
            applies_to: r
            cap: 100.00
    """)
    assert found == [
        "components[1].of: 'r' is a raise: it pays no money, so a bonus cannot be paid on it",
        "adjustments[0].applies_to: 'r' is a raise: it pays no money, so no adjustment acts on it (a raise or "
        "benefit can require only_if: [no_serious_violation, still_employed])"]


def test_an_adjustment_that_names_no_component_leaves_awards_out():
    policy = parse_policy(plan("""
        components:
          - id: leave
            kind: benefit
            kpi: recovered
            unit: days of leave
            steps:
              - {at_least: 1000.00, quantity: 1}
          - id: base
            kind: line_rate
            rates:
              - {rate: 5%}
        adjustments:
          - id: hold
            kind: holdback
            percent: 10%
            release: quarterly
    """), source="plan.yaml")
    assert policy.adjustments[0].applies_to == ("base",)
    assert policy.pay_codes == ("commission",)


def test_a_benefit_needs_its_unit_and_awards_day_must_exist():
    found = problems_of("""
        components:
          - id: b
            kind: benefit
            kpi: recovered
            steps:
              - {at_least: 100.00, quantity: 1}
          - id: r
            kind: raise
            kpi: recovered
            effective_from: 02-29
            steps:
              - {at_least: 100.00, raise: 1%}
    """)
    assert found == ["components[0].unit: required key is missing",
                     "components[1].effective_from: '02-29' is not a day every year has; write MM-DD such as 04-01, "
                     "or a date YYYY-MM-DD"]


# -- the run's files, the statement and explain --------------------------------------------------------

def cli_year(folder, period: str, plan_text: str = RAISE):
    """Run `period` through the command line on the year's ledger, quarterly targets and a serious event."""
    import textwrap

    from click.testing import CliRunner

    from commission.cli import main
    from conftest import LEDGER_HEADER

    files = {"policy": plan_text, "ledger": LEDGER_HEADER + "\n" + textwrap.dedent(YEAR).strip(),
             "targets": QUARTER_TARGETS, "events": textwrap.dedent(SERIOUS_C3).strip(),
             "roster": "collector_id,name,team,employee_id\nC1,王芳,A,E001\nC2,李强,A,E002\nC3,张伟,A,E003"}
    args = ["run", "--period", period, "--first-period", "--out", str(folder / f"out-{period}")]
    for option, text in files.items():
        path = folder / (f"{option}.yaml" if option == "policy" else f"{option}.csv")
        path.write_text(text + "\n", encoding="utf-8")
        args += [f"--{option}", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return folder / f"out-{period}"


def test_raises_csv_is_written_when_the_run_decides_a_raise(tmp_path):
    import json

    folder = cli_year(tmp_path, "2026-12")
    assert (folder / "raises.csv").read_text(encoding="utf-8") == (
        '"employee_id","collector_id","name","period","plan","version","rule","window","kpi","evidence",'
        '"raise_percent","raise_amount","effective_from"\n'
        '"E001","C1","王芳","2026-12","test-plan",1,"annual-raise#1","2026","attainment","{""at_least"":""11/10"",'
        '""conditions"":[""no_serious_violation""],""kpi"":""attainment"",""measured"":""quarterly"",""met"":3,'
        '""needed"":3,""parts"":[[""2026-Q1"",1100000,1000000],[""2026-Q2"",1250000,1000000],[""2026-Q3"",1099999,'
        '1000000],[""2026-Q4"",1300000,1000000]],""window"":""2026""}","5%",0.00,"2027-01-01"\n'
        '"E002","C2","李强","2026-12","test-plan",1,"annual-raise#2","2026","attainment","{""at_least"":""6/5"",'
        '""conditions"":[""no_serious_violation""],""kpi"":""attainment"",""measured"":""quarterly"",""met"":3,'
        '""needed"":3,""parts"":[[""2026-Q1"",1200000,1000000],[""2026-Q2"",1200000,1000000],[""2026-Q3"",1200000,'
        '1000000],[""2026-Q4"",900000,1000000]],""window"":""2026""}","",300.00,"2027-01-01"\n')
    assert not (folder / "benefits.csv").exists()  # the plan has no benefit rule
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["counts"]["raise_rows"], manifest["counts"]["benefit_rows"]) == (2, 0)
    assert "raises.csv" in manifest["outputs"]
    assert manifest["totals"]["net_payout"] == "1200.00"  # December: 13,000.00 + 11,000.00 at 5%; no raise in it
    # November decides no raise: no file at all
    assert not (cli_year(tmp_path, "2026-11") / "raises.csv").exists()
    # a decided raise nobody reaches: the file with its header only
    (tmp_path / "nobody").mkdir()
    nobody = cli_year(tmp_path / "nobody", "2026-12", RAISE.replace("110%", "200%").replace("120%", "210%"))
    assert (nobody / "raises.csv").read_text(encoding="utf-8").count("\n") == 1


def test_the_statement_and_explain_show_the_raise_apart_from_the_pay(tmp_path):
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from commission.cli import main

    folder = cli_year(tmp_path, "2026-12")
    result = CliRunner().invoke(main, ["statements", "--run", str(folder), "--lang", "en", "--out",
                                       str(tmp_path / "st"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    summary = load_workbook(tmp_path / "st" / "C2-2026-12.xlsx").worksheets[0]
    rows = [tuple(c for c in row) for row in summary.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == "Raises and benefits in kind (not paid as money)")
    assert rows[start + 2][0] == "Raise" and rows[start + 2][2] == "raise of 300.00 to base salary, from 2027-01-01"
    assert rows[start + 2][1] == (  # each quarter's 12,000.00 / 10,000.00 with the one ratio rule
        "target attainment at least 120.00% in 3 of the 4 quarters of 2026 (3 needed): 2026-Q1: 120.00% (12,000.00 / "
        "10,000.00); 2026-Q2: 120.00% (12,000.00 / 10,000.00); 2026-Q3: 120.00% (12,000.00 / 10,000.00); 2026-Q4: "
        "90.00% (9,000.00 / 10,000.00); no serious violation in 2026")
    # C3 has no raise: no such section on their statement
    c3 = load_workbook(tmp_path / "st" / "C3-2026-12.xlsx").worksheets[0]
    assert not any(row[0] and str(row[0]).startswith("Raises") for row in c3.iter_rows(values_only=True))
    explained = CliRunner().invoke(main, ["explain", "--run", str(folder), "--collector", "C1", "--lang", "en"])
    assert explained.exit_code == 0, explained.output
    # C1's third quarter, 10,999.99 / 10,000.00 = 109.9999%, cut to 109.99% (the one ratio rule), below 110%
    assert explained.output.endswith(
        "Raise (not paid as money): raise of 5% of base salary, from 2027-01-01; target attainment at least 110.00% "
        "in 3 of the 4 quarters of 2026 (3 needed): 2026-Q1: 110.00% (11,000.00 / 10,000.00); 2026-Q2: 125.00% "
        "(12,500.00 / 10,000.00); 2026-Q3: 109.99% (10,999.99 / 10,000.00); 2026-Q4: 130.00% (13,000.00 / "
        "10,000.00); no serious violation in 2026\n")
    chinese = CliRunner().invoke(main, ["explain", "--run", str(folder), "--collector", "C1"]).output
    assert chinese.endswith(
        "加薪（不以现金发放）：基本工资上调 5%，自 2027-01-01 起；2026 的 4 个季度中有 3 个任务达成率达到 110.00%（需 3 个）："
        "2026-Q1：110.00%（11,000.00 / 10,000.00）；2026-Q2：125.00%（12,500.00 / 10,000.00）；2026-Q3：109.99%"
        "（10,999.99 / 10,000.00）；2026-Q4：130.00%（13,000.00 / 10,000.00）；2026 无严重违规\n")


# -- lint ------------------------------------------------------------------------------------------------

def test_lint_a_raise_no_run_decides_and_one_that_ignores_conduct():
    from commission.simulation.lint import lint_policy

    text = plan("""
        effective_to: 2026-06-30
        components:
          - id: base
            kind: line_rate
            rates:
              - {rate: 5%}
          - id: annual-raise
            kind: raise
            pays: yearly
            kpi: recovered
            steps:
              - {at_least: 100000.00, raise: 3%}
          - id: leave
            kind: benefit
            pays: quarterly
            kpi: recovered
            unit: days of leave
            only_if: no_serious_violation
            steps:
              - {at_least: 30000.00, quantity: 1}
        adjustments:
          - id: conduct
            kind: compliance
            applies_to: base
            events:
              violation/serious: {forfeit: true}
    """)
    warnings = lint_policy(parse_policy(text, source="plan.yaml"), text)
    found = [(w.code, w.where, w.message) for w in warnings]
    assert found == [
        ("award-never-decided", "plan.yaml:23",
         "raise annual-raise is decided at the end of each year, but plan test-plan version 1 is in force only from "
         "2026-01-01 to 2026-06-30, when no year ends: a run pays each collector under the version in force on its "
         "period's last day, so no run ever decides this raise. Move it to the version in force when the year ends, "
         "or decide it more often (pays)."),
        ("no-conduct-effect", "plan.yaml:23",
         "raise annual-raise is decided whatever the collector's conduct (others do: base, leave): a collector with "
         "a serious violation is recommended the same raise or granted the same benefit. Add only_if: "
         "no_serious_violation to it, or say why it is exempt.")]
    # the quarterly benefit is decided at the end of March and of June, both inside the version's range
    assert not any("leave" in w.message for w in warnings if w.code == "award-never-decided")


def test_adding_raises_and_benefits_never_changes_the_pay(run_plan):
    """Whatever else the plan does (tiers, bonuses, caps, holdbacks, carried balances), a raise or a benefit
    added to it leaves payouts, items, lines and state exactly as they were."""
    money = plan("""
        components:
          - id: base
            kind: line_rate
            rates:
              - {bucket: [M1, M2], rate: 5%}
            default: 10%
          - id: volume
            kind: tiers
            mode: marginal
            tiers:
              - {from: 0, to: 10000, rate: 0%}
              - {from: 10000, rate: 2%}
          - id: q-bonus
            kind: bonus
            pays: quarterly
            pay_code: bonus
            kpi: recovered
            steps:
              - {at_least: 30000.00, amount: 800.00}
        adjustments:
          - id: cap
            kind: cap_floor
            cap: 1500.00
          - id: hold
            kind: holdback
            percent: 10%
            release: quarterly
    """)
    awards = money.replace("components:\n", """components:
  - id: leave
    kind: benefit
    kpi: recovered
    unit: days of leave
    steps:
      - {at_least: 1.00, quantity: 1}
  - id: annual
    kind: raise
    pays: quarterly
    kpi: recovered
    measured: monthly
    in_at_least: 1
    steps:
      - {at_least: 1.00, raise: 2%}
""", 1)
    ledger = """
        payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance,reverses
        P1,C1,A1,2026-07-03,14000.00,10,90000,
        P2,C1,A2,2026-08-09,9000.00,100,90000,
        P3,C2,A3,2026-09-10,30000.00,45,90000,
        R1,C1,A2,2026-09-12,-9000.00,100,90000,P2
        P4,C1,A4,2026-09-20,12000.00,200,90000,
        P5,C3,A5,2026-09-21,10.00,10,90000,
    """
    without, with_awards = (run_plan(p, ledger, period="2026-09") for p in (money, awards))
    assert len(with_awards.awards) == 6 and without.awards.empty  # C1, C2, C3: a day of leave and a raise each
    for frame in ("payouts", "items", "lines", "state"):  # (kpis.csv gains the KPIs the new rules measured)
        assert getattr(with_awards, frame).equals(getattr(without, frame)), frame
    assert with_awards.totals() == without.totals()


def test_a_raise_says_whether_it_is_a_percentage_or_an_amount():
    found = problems_of("""
        components:
          - id: r
            kind: raise
            kpi: attainment
            steps:
              - {at_least: 100%, raise: 0.05}
              - {at_least: 110%, raise: 5000%}
              - {at_least: 120%, raise: -5%}
              - {at_least: 130%, raise: {percent: 5}}
    """)
    # 0.05 was read as 0.05 CNY added to base salary; 5000% as fifty times base salary
    assert found == [
        "components[0].steps[0].raise: '0.05' is ambiguous: write a percentage of base salary with its % sign "
        "(raise: 0.05%) or an amount added to it as raise: {amount: 0.05}",
        "components[0].steps[1].raise: 5000% is not a plausible raise: a raise is a percentage of base salary "
        "above 0% and at most 100% (write 5% for five percent)",
        "components[0].steps[2].raise: -5% is not a plausible raise: a raise is a percentage of base salary "
        "above 0% and at most 100% (write 5% for five percent)",
        "components[0].steps[3].raise.percent: unknown key; expected one of: amount",
        "components[0].steps[3].raise.amount: required key is missing"]


def test_a_benefits_unit_and_descriptions_are_one_line_of_plain_text():
    found = problems_of("""
        description: "Collections plan\\nSigned: HR"
        components:
          - id: b
            kind: benefit
            description: "leave \\u202e for good work"
            kpi: recovered
            unit: "days\\rof leave"
            steps:
              - {at_least: 100.00, quantity: 1}
          - id: c
            kind: benefit
            kpi: recovered
            unit: "   "
            steps:
              - {at_least: 100.00, quantity: 1}
    """)
    # a newline, a bidi override and a carriage return would split or reorder a statement's line
    assert found == [
        "description: has a control character (U+000A): write one line of plain text",
        "components[0].description: has a control character (U+202E): write one line of plain text",
        "components[0].unit: has a control character (U+000D): write one line of plain text",
        "components[1].unit: name what the quantity counts, e.g. days of leave"]
