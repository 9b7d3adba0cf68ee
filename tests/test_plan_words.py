"""The plan in words (statement Plan sheet, Summary and explain), in both languages, as a collector reads it."""

from commission.statements.plan_words import describe_plan
from commission.policy import parse_policy

PLAN = """
plan: words
version: 1
effective: 2026-01-01
currency: CNY
leavers: hold
components:
  - id: base
    kind: line_rate
    rates:
      - {rate: 5%}
    per_payment: {max: 2000.00}
  - id: volume
    kind: tiers
    mode: marginal
    tiers:
      - {id: v0, from: 0, to: 50000, rate: 0%}
      - {id: v1, from: 50000, rate: 1%}
adjustments:
  - id: q-holdback
    kind: holdback
    percent: 10%
    release: quarterly
    only_if: [still_employed, no_serious_violation]
"""


def words(lang):
    return {rule: text for rule, _, text in describe_plan(parse_policy(PLAN), lang)}


def test_english_reads_as_sentences_with_grouped_amounts():
    text = words("en")
    assert text["base"] == "per repayment: at most 2,000.00"
    assert text["v0"] == "0.00 to 50,000.00: 0% on the part in this tier"
    assert text["v1"] == "50,000.00 and above: 1% on the part in this tier"
    assert text["q-holdback"] == ("10% held back, paid at the end of the quarter if still employed and "
                                  "no serious violation")
    assert text["leavers"] == "a leaver's pay is held until their hand-over is signed off (clearance event)"


def test_chinese_has_no_english_condition_names():
    text = words("zh")
    assert text["base"] == "每笔提成最高 2,000.00"
    assert text["v1"] == "50,000.00 以上：超出部分按 1%"
    assert text["q-holdback"] == "暂扣 10%，季度末发放（条件：仍在职、无严重违规）"
    assert text["leavers"] == "离职人员提成暂扣，离职交接完成后发放"


def test_tiers_on_attainment_name_their_bounds_as_shares_of_the_target():
    plan = parse_policy(PLAN.replace("kind: tiers", "kind: tiers\n    base: attainment").replace(
        "from: 0, to: 50000, rate: 0%}", "from: 0%, to: 100%, rate: 0%}").replace("from: 50000, rate: 1%",
                                                                                  "from: 100%, rate: 1%"))
    text = {rule: words for rule, _, words in describe_plan(plan, "en")}
    assert text["volume"] == "marginal tiers on the recovered amount, bounds as shares of the target (paid monthly)"
    assert text["v0"] == "0% of target to 100% of target: 0% on the part in this tier"
    assert text["v1"] == "100% of target and above: 1% on the part in this tier"
    zh = {rule: words for rule, _, words in describe_plan(plan, "zh")}
    assert zh["v1"] == "任务的 100% 以上：超出部分按 1%"
