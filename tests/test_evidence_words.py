"""An award's evidence (facts the engine records in no language) said in each reader's language, with
the one ratio rule: worked by hand, and a property over any amounts."""

import json

from hypothesis import given
from hypothesis import strategies as st

from commission.i18n import money
from commission.policy import parse_policy
from commission.statements.evidence import evidence_words
from commission.statements.model import Names
from test_statements import PLAN

POLICY = parse_policy(PLAN)


def facts(parts, measured="quarterly", met=1, needed=1, at_least="11/10", conditions=()) -> str:
    return json.dumps({"kpi": "attainment", "window": "2026", "at_least": at_least, "measured": measured,
                       "parts": parts, "met": met, "needed": needed, "conditions": list(conditions)})


def test_by_parts_with_an_unknown_part_and_the_conditions_held():
    """Q1 11,000.00 / 10,000.00 = 110.00%; Q2 unknown (no target); Q3 10,999.99 / 10,000.00 = 109.9999%,
    cut to 109.99% (never rounded up to the 110% it does not reach)."""
    text = facts([["2026-Q1", 1100000, 1000000], ["2026-Q2", None, None], ["2026-Q3", 1099999, 1000000]],
                 conditions=("no_serious_violation", "still_employed"))
    assert evidence_words(text, Names(POLICY, "en", 2)) == (
        "target attainment at least 110.00% in 1 of the 3 quarters of 2026 (1 needed): 2026-Q1: 110.00% (11,000.00 / "
        "10,000.00); 2026-Q2: unknown; 2026-Q3: 109.99% (10,999.99 / 10,000.00); no serious violation in 2026; "
        "employed on 2026-12-31")
    assert evidence_words(text, Names(POLICY, "zh", 2)) == (
        "2026 的 3 个季度中有 1 个任务达成率达到 110.00%（需 1 个）：2026-Q1：110.00%（11,000.00 / 10,000.00）；"
        "2026-Q2：未知；2026-Q3：109.99%（10,999.99 / 10,000.00）；2026 无严重违规；2026-12-31 仍在职")


def test_over_the_window_on_recovered():
    text = json.dumps({"kpi": "recovered", "window": "2026-Q3", "at_least": "3000000", "measured": "",
                       "parts": [["2026-Q3", 3000000, 1]], "met": 1, "needed": 1, "conditions": []})
    assert evidence_words(text, Names(POLICY, "en", 2)) == "recovered 30,000.00 over 2026-Q3, at least 30,000.00"
    assert evidence_words(text, Names(POLICY, "zh", 2)) == "2026-Q3 回款额 30,000.00，达到 30,000.00"


@given(st.integers(0, 10**15), st.integers(1, 10**15))
def test_a_ratio_is_cut_toward_zero_to_two_decimals(numerator, denominator):
    """Whatever the amounts, the percentage shown is the exact ratio cut to hundredths of a percent."""
    text = evidence_words(facts([["2026", numerator, denominator]], measured=""), Names(POLICY, "en", 2))
    hundredths = numerator * 10000 // denominator
    shown = f"{hundredths // 100:,}.{hundredths % 100:02d}%"
    assert text == (f"target attainment {shown} ({money(numerator, 2, 'en')} / {money(denominator, 2, 'en')}) over "
                    "2026, at least 110.00%")
