"""Compliance: which rule an event takes when several match, and the lint warning about a rule for a
source that takes the place of the plan's rule for a severity. Worked by hand."""

from commission.policy import parse_policy
from commission.simulation.lint import lint_policy
from conftest import flat_plan, item_amounts, payout

CONDUCT = flat_plan(extra="""
    adjustments:
      - id: conduct
        kind: compliance
        events:
          violation/serious: {forfeit: true}
          violation@regulator: {deduct: 10.00}
          complaint/major: {deduct: 300.00}
          complaint@regulator: {deduct: 100.00}
""")
LEDGER = "P1,C1,A0001,2026-10-05,20000.00,10,90000"
EVENTS = """
    event_id,collector_id,date,type,severity,score,source,description
    E1,C1,2026-10-09,violation,serious,,regulator,Threatened the debtor
"""


def test_a_serious_violations_forfeit_wins_over_a_rule_for_its_source(run_plan):
    # 20,000.00 x 5% = 1,000.00. E1, a serious violation raised by the regulator, matches violation@regulator
    # (deduct 10.00, which would leave 990.00) and violation/serious (forfeit): the forfeit wins, net 0.00
    result = run_plan(CONDUCT, LEDGER, events=EVENTS)
    assert item_amounts(result, "C1") == {"base": 100000, "conduct:violation/serious": -100000}
    assert payout(result, "C1") == 0


def test_a_rule_for_the_source_still_applies_to_other_severities(run_plan):
    # a minor violation raised by the regulator: violation@regulator, 1,000.00 - 10.00 = 990.00
    result = run_plan(CONDUCT, LEDGER, events=EVENTS.replace("serious", "minor"))
    assert item_amounts(result, "C1") == {"base": 100000, "conduct:violation@regulator": -1000}
    assert payout(result, "C1") == 99000


def test_lint_warns_when_a_rule_for_a_source_takes_the_place_of_a_severity_rule():
    policy = parse_policy(CONDUCT, source="plan.yaml")
    found = [(w.where, w.message) for w in lint_policy(policy, CONDUCT) if w.code == "conduct-shadowed"]
    # complaint@regulator (100.00) is what a major complaint by the regulator costs, not complaint/major's
    # 300.00; violation@regulator shadows nothing: a serious violation's forfeit wins
    assert found == [("plan.yaml:18", "conduct: complaint@regulator (deduct 100.00) takes the place of "
                      "complaint/major (deduct 300.00) for a major complaint raised by regulator: write "
                      "complaint/major@regulator to say what such an event costs")]
    said = CONDUCT.replace("complaint@regulator: {deduct: 100.00}",
                           "complaint@regulator: {deduct: 100.00}\n      complaint/major@regulator: {deduct: 400.00}")
    assert not [w for w in lint_policy(parse_policy(said, source="plan.yaml"), said) if w.code == "conduct-shadowed"]
