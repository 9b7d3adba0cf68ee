"""Broken plans and the exact problem each must produce, in the style of beancount / OpenFisca error tests.

Every file in tests/fixtures/bad_policies/ is valid_plan.yaml with one fault (its first line says
which). Each case names the YAML line a person would look at, the key path, and the message.
A problem prints as ``file:line: key.path: message``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main
from commission.errors import InputError, Problem
from commission.policy import load_policy, parse_policy

BAD_POLICIES = Path(__file__).resolve().parent.parent / "fixtures" / "bad_policies"


def fixture(name: str) -> Path:
    return BAD_POLICIES / f"{name}.yaml"


def problems_of(name: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_policy(fixture(name))
    assert caught.value.problems, "InputError without problems"
    return caught.value.problems



def matching(problems: list[Problem], path: Path, line: int | None, key: str, message: str) -> list[Problem]:
    """Problems at `path:line` (any line if None) with exactly this key and a message matching the regex."""
    return [p for p in problems
            if (p.where == f"{path}:{line}" if line is not None else p.where.startswith(f"{path}:"))
            and p.key == key and re.fullmatch(message, p.message)]


ALL_TOP_KEYS = "plan, version, effective, effective_to, currency, minor_units, rounding, description, classify, " \
               "fees, components, adjustments, reversals, balances, draw, leavers, lint"

# (fixture, line, key path, message regex). Lines are those of valid_plan.yaml after the edit.
CASES = [
    pytest.param("yaml_syntax", 11, "", r"not valid YAML: found character '\\t' that cannot start any token",
                 id="yaml-syntax-tab"),
    pytest.param("yaml_missing_colon", 5, "", r"not valid YAML: .*could not find expected ':'.*",
                 id="yaml-syntax-missing-colon"),
    pytest.param("yaml_unclosed_flow", 6, "", r"not valid YAML: .*expected ',' or '}'.*",
                 id="yaml-syntax-unclosed-brace"),
    pytest.param("duplicate_key", 6, "currency", r"duplicate key \(first given on line 5\)", id="duplicate-top-key"),
    pytest.param("duplicate_nested_key", 25, "components[0].pays", r"duplicate key \(first given on line 23\)",
                 id="duplicate-nested-key"),
    pytest.param("unknown_top_key", 20, "componets", r"unknown key; did you mean components\?",
                 id="unknown-top-key"),
    pytest.param("unknown_top_key_far", 20, "colour", rf"unknown key; expected one of: {re.escape(ALL_TOP_KEYS)}",
                 id="unknown-top-key-no-close-match"),
    pytest.param("unknown_top_key", 2, "components", r"required key is missing", id="unknown-top-key-missing"),
    pytest.param("missing_plan", 2, "plan", r"required key is missing", id="missing-plan"),
    pytest.param("missing_version", 2, "version", r"required key is missing", id="missing-version"),
    pytest.param("missing_currency", 2, "currency", r"required key is missing", id="missing-currency"),
    pytest.param("missing_components", 2, "components", r"required key is missing", id="missing-components"),
    pytest.param("bad_version", 3, "version", r"'v2' is not a whole number\b.*", id="version-not-a-number"),
    pytest.param("version_zero", 3, "version", r"must be 1 or more", id="version-zero"),
    pytest.param("bad_date", 4, "effective",
                 r"'2026-02-30' is not a date YYYY-MM-DD: day is out of range for month", id="bad-date"),
    pytest.param("unknown_currency", 5, "currency",
                 r"minor units of XYZ are not known; add minor_units: N to the plan", id="unknown-currency"),
    pytest.param("bucket_gap", 11, "classify.bucket.M2",
                 r"gap between M1 \[1, 30\] and M2 \[32, 60\]: values in between would match no range",
                 id="bucket-gap"),
    pytest.param("bucket_overlap", 11, "classify.bucket.M2", r"\[30, 60\] overlaps M1 \[1, 30\]",
                 id="bucket-overlap"),
    pytest.param("malformed_range", 12, "classify.bucket.M3",
                 r"'61-90' is not a range; write \"\[1, 30\]\" \(both ends included\), \"\[0, 5000\)\" "
                 r"\(upper end excluded\) or \"\[181, inf\)\"", id="malformed-range"),
    pytest.param("empty_range", 11, "classify.bucket.M2",
                 r"'\[60, 31\]' is empty: the upper end must be above the lower end", id="empty-range"),
    pytest.param("money_decimals", 32, "components[0].per_payment.min",
                 r"'1\.234' is not an amount of money: 1\.234 has more than 2 decimal places",
                 id="money-too-many-decimals"),
    pytest.param("rate_not_rate", 27, "components[0].rates[1].rate", r"'5x' is not a rate such as 5% or 0\.05\b.*",
                 id="rate-not-a-rate"),
    pytest.param("undefined_bucket", 31, "components[0].rates[5].bucket",
                 r"'M8' is not a bucket; defined: M1, M2, M3, M4-6, M7\+", id="undefined-bucket"),
    pytest.param("band_without_classifier", 26, "components[0].rates[4].band",
                 r"the plan has no classify\.band section", id="band-without-classifier"),
    pytest.param("tiers_gap", 40, "components[1].tiers[1].from",
                 r"gap: this tier must start where the one before ends \(50000\.00\)", id="tiers-gap"),
    pytest.param("tiers_overlap", 40, "components[1].tiers[1].from",
                 r"overlap: this tier must start where the one before ends \(50000\.00\)", id="tiers-overlap"),
    pytest.param("tier_rate_and_amount", 41, "components[1].tiers[2]",
                 r"give exactly one of rate \(on the base in the tier\) or amount \(fixed\)",
                 id="tier-rate-and-amount"),
    pytest.param("open_tier_not_last", 40, "components[1].tiers[1].to", r"only the last tier may be open-ended",
                 id="open-tier-not-last"),
    pytest.param("duplicate_ids", 28, "components[0].rates[2].id",
                 r"id 'm2' is already used at line 27; ids must be unique", id="duplicate-ids"),
    pytest.param("adjustment_unknown_component", 37, "adjustments[0].applies_to", r"'bse' is not a component id",
                 id="applies-to-unknown-component"),
    pytest.param("floor_above_cap", 41, "adjustments[1].floor", r"floor is above cap", id="floor-above-cap"),
    pytest.param("unknown_component_kind", 22, "components[0].kind",
                 r"'line_rates' is not a component kind; use line_rate, tiers, bonus, override, raise, benefit", id="unknown-component-kind"),
    pytest.param("unknown_rounding_mode", 6, "rounding.mode", r"'half-up' is not one of: half_up, half_even, half_down, down, up",
                 id="unknown-rounding-mode"),
]


@pytest.mark.parametrize(("name", "line", "key", "message"), CASES)
def test_bad_policy_reports_line_key_and_message(name, line, key, message):
    path = fixture(name)
    problems = problems_of(name)
    found = matching(problems, path, line, key, message)
    assert found, "expected {}:{}: {}: /{}/, got:\n{}".format(path, line, key, message,
                                                               "\n".join(map(str, problems)))
    for problem in found:  # and it prints as file:line: key.path: message
        key_part = f" {key}:" if key else ""
        assert str(problem) == f"{problem.where}:{key_part} {problem.message}"


# How many problems each one-fault file must produce: one, unless the fault really is two.
PROBLEM_COUNTS = [
    pytest.param(name, 1, id=name) for name in (
        "yaml_syntax", "yaml_missing_colon", "yaml_unclosed_flow", "duplicate_key", "duplicate_nested_key",
        "missing_plan", "missing_version", "missing_currency", "missing_components", "bad_version", "version_zero",
        "bad_date", "unknown_currency", "bucket_gap", "bucket_overlap", "money_decimals", "rate_not_rate",
        "undefined_bucket", "band_without_classifier", "tiers_gap", "tiers_overlap", "tier_rate_and_amount",
        "open_tier_not_last", "duplicate_ids", "adjustment_unknown_component", "floor_above_cap",
        "unknown_component_kind", "unknown_rounding_mode")
] + [
    # A misspelt key is unknown, and the key it should have been is missing: two honest problems.
    pytest.param("unknown_top_key", 2, id="unknown_top_key"),
    pytest.param("malformed_range", 1, id="malformed_range"),
    pytest.param("empty_range", 1, id="empty_range"),
]


@pytest.mark.parametrize(("name", "count"), PROBLEM_COUNTS)
def test_one_fault_gives_one_problem(name, count):
    problems = problems_of(name)
    assert len(problems) == count, "\n".join(map(str, problems))


def test_every_fixture_is_covered():
    """Each bad policy file is exercised above (no orphan fixtures, no typos in names)."""
    names = {p.stem for p in BAD_POLICIES.glob("*.yaml")} - {"valid_plan", "several_faults"}
    covered = {p.values[0] for p in CASES} | {p.values[0] for p in PROBLEM_COUNTS}
    assert names == covered


def test_the_base_plan_is_valid():
    """Every fixture is this plan with one edit, so its fault is the only thing wrong with it."""
    policy = load_policy(fixture("valid_plan"))
    assert (policy.plan, policy.version, policy.currency, policy.minor_units) == ("card-bucket-rates", 1, "CNY", 2)
    assert [c.id for c in policy.components] == ["base", "volume"]
    assert [a.id for a in policy.adjustments] == ["gate", "limits"]


def test_several_faults_are_all_reported_at_once():
    path = fixture("several_faults")
    with pytest.raises(InputError) as caught:
        load_policy(path)
    expected = [
        (5, "currency", r"minor units of XYZ are not known; add minor_units: N to the plan"),
        (11, "classify.bucket.M2", r"gap between M1 \[1, 30\] and M2 \[32, 60\]: values in between would match no "
                                   r"range"),
        (28, "components[0].rates[2].rate", r"'5x' is not a rate such as 5% or 0\.05\b.*"),
        (40, "components[1].tiers[1].to", r"only the last tier may be open-ended"),
        (50, "adjustments[1].floor", r"floor is above cap"),
    ]
    problems = caught.value.problems
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for (line, key, message), problem in zip(expected, problems):  # in file order
        assert problem.where == f"{path}:{line}"
        assert problem.key == key
        assert re.fullmatch(message, problem.message), problem.message
    assert caught.value.hidden == 0
    assert len(caught.value.render().splitlines()) == 5


def test_following_the_unknown_currency_advice_fixes_the_plan(tmp_path):
    text = fixture("unknown_currency").read_text(encoding="utf-8").replace("currency: XYZ\n",
                                                                          "currency: XYZ\nminor_units: 3\n")
    path = tmp_path / "xyz.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert (policy.currency, policy.minor_units) == ("XYZ", 3)


@pytest.mark.parametrize(("name", "value"), [
    pytest.param("bad_version", "'v2'", id="version"),
    pytest.param("rate_not_rate", "'5x'", id="rate"),
])
def test_conversion_message_names_the_value_once(name, value):
    message = problems_of(name)[0].message
    assert message.count(value) == 1, message


# -- the command line: validate FILE ------------------------------------------

BROKEN = sorted(p.stem for p in BAD_POLICIES.glob("*.yaml") if p.stem != "valid_plan")


@pytest.mark.parametrize("name", BROKEN)
def test_cli_validate_prints_every_problem_and_exits_2(name):
    path = fixture(name)
    with pytest.raises(InputError) as caught:
        load_policy(path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert "Traceback" not in result.output
    for problem in caught.value.problems:
        assert str(problem) in result.stderr.splitlines()
    assert result.stdout == ""


def test_cli_validate_reports_good_and_bad_files_together():
    good, bad = fixture("valid_plan"), fixture("bucket_gap")
    result = CliRunner().invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{good}: ok (plan card-bucket-rates version 1")
    assert result.stderr.splitlines() == [f"{bad}:11: classify.bucket.M2: gap between M1 [1, 30] and M2 [32, 60]: "
                                          "values in between would match no range", "error: 1 problem"]


def test_cli_validate_missing_file():
    result = CliRunner().invoke(main, ["validate", str(BAD_POLICIES / "no_such_plan.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "no_such_plan.yaml" in result.stderr


# -- values that parse but cannot be meant ------------------------------------

VALID = fixture("valid_plan").read_text(encoding="utf-8")


@pytest.mark.parametrize(("edit", "key", "message"), [
    (("rate: 5%}", "rate: 5}"), "components[0].rates[0].rate",
     r"5 is above 100%; a commission rate is between 0% and 100% \(write 5% or 0\.05 for five percent\)"),
    (("rate: 5%}", "rate: -5%}"), "components[0].rates[0].rate", r"-5% is negative; .*"),
    (("{id: m1, bucket: M1,", "{id: m1, bukcet: M1,"), "components[0].rates[0].bukcet",
     r"unknown key; did you mean bucket\? \(any other key is read as a ledger column to match\)"),
    (("currency: CNY", "currency: cny"), "currency", r"'cny' is not a 3-letter ISO currency code in capitals; "
                                                     r"did you mean CNY\?"),
    (("    mode: marginal\n    tiers:\n      - {from: 0, to: 50000, rate: 0%}",
      "    base: attainment\n    mode: marginal\n    tiers:\n      - {from: 0%, to: 100, rate: 0%}"),
     "components[1].tiers[0].to", r"'100' is not a percentage of the target such as 100% or 120%: write it with a "
                                  r"% sign"),
    (("adjustments:\n", "  - {id: target-bonus, kind: bonus, kpi: attainment, steps: [{at_least: 100, amount: 500.00}]}"
                         "\nadjustments:\n"),
     "components[2].steps[0].at_least", r"'100' is not a percentage such as 100% or 1.2: 100 would be 100 times the "
                                        r"target; write 100% \(a percentage\)"),
])
def test_values_that_parse_but_cannot_be_meant(edit, key, message):
    old, new = edit
    assert old in VALID, old
    with pytest.raises(InputError) as caught:
        parse_policy(VALID.replace(old, new, 1), source="plan.yaml")
    assert any(p.key == key and re.fullmatch(message, p.message) for p in caught.value.problems), \
        "\n".join(map(str, caught.value.problems))


@pytest.mark.parametrize(("events", "key", "message"), [
    ("violation/serius: {forfeit: true}", "adjustments[0].events.violation/serius",
     r"'violation/serius' is not an event: write a type \(complaint, violation, qa\), type/severity .*"),
    ("complaint: {deduct: 5}", "adjustments[0].events.complaint.deduct",
     r"'5' is ambiguous: write an amount with its decimals \(5.00\) or a percentage \(5%\)"),
    # a slash with no severity: complaint/@regulator is neither complaint@regulator nor complaint/major@...
    ("complaint/@regulator: {deduct: 5.00}", "adjustments[0].events.complaint/@regulator",
     r"'complaint/@regulator' is not an event: write a type \(complaint, violation, qa\), type/severity .*"),
    ("complaint/: {deduct: 5.00}", "adjustments[0].events.complaint/", r"'complaint/' is not an event: .*"),
])
def test_compliance_rules_refuse_typos_and_ambiguous_deductions(events, key, message):
    text = VALID.replace("adjustments:\n", "adjustments:\n  - {id: conduct, kind: compliance, events: {"
                         + events + "}}\n", 1)
    with pytest.raises(InputError) as caught:
        parse_policy(text, source="plan.yaml")
    assert any(p.key == key and re.fullmatch(message, p.message) for p in caught.value.problems), \
        "\n".join(map(str, caught.value.problems))


@pytest.mark.parametrize(("setting", "key", "message"), [
    # a key written without a value reads as a setting; it took the default silently
    ("rounding: {at: }", "rounding.at", r"no value given: write one of: line, component \(or leave the key out for "
                                        r"line\)"),
    ("rounding: {mode: }", "rounding.mode", r"no value given: write one of: .*half_up.* \(or leave the key out "
                                            r"for half_up\)"),
    ("reversals: {earlier_periods: }", "reversals.earlier_periods",
     r"no value given: write one of: keep, recompute \(or leave the key out for keep\)"),
])
def test_a_setting_written_without_a_value_is_refused(setting, key, message):
    text = VALID.replace("rounding: {mode: half_up, at: line}\n", setting + "\n", 1)
    assert text != VALID
    with pytest.raises(InputError) as caught:
        parse_policy(text, source="plan.yaml")
    assert [p.key for p in caught.value.problems] == [key]
    assert re.fullmatch(message, caught.value.problems[0].message), caught.value.problems[0].message


# -- one mistake, one problem -------------------------------------------------------

def test_a_component_that_cannot_be_read_is_not_reported_again_by_what_names_it():
    """`kind: tier` (for tiers) is the problem; the adjustments applying to volume, a bonus paid on it and a
    tier schedule measuring it name a component that was written, so they add nothing."""
    text = VALID.replace("    kind: tiers\n", "    kind: tier\n", 1).replace("adjustments:\n", """\
  - id: on-volume
    kind: bonus
    kpi: recovered
    of: [volume]
    steps: [{at_least: 0, rate: 10%}]
  - id: after-volume
    kind: tiers
    base: component:volume
    mode: marginal
    tiers:
      - {from: 0, rate: 1%}
adjustments:
  - {id: volume-only, kind: cap_floor, cap: 100.00, applies_to: [volume]}
""", 1)
    with pytest.raises(InputError) as caught:
        parse_policy(text, source="plan.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "plan.yaml:35: components[1].kind: 'tier' is not a component kind; use line_rate, tiers, bonus, override, "
        "raise, benefit"]


def test_a_problem_after_a_component_that_cannot_be_read_names_its_own_place():
    """components[2] is the bonus as written, though components[1] could not be read."""
    text = VALID.replace("    kind: tiers\n", "    kind: tier\n", 1).replace("adjustments:\n", """\
  - id: on-nothing
    kind: bonus
    kpi: recovered
    of: [nothing]
    steps: [{at_least: 0, rate: 10%}]
adjustments:
""", 1)
    with pytest.raises(InputError) as caught:
        parse_policy(text, source="plan.yaml")
    assert [str(p) for p in caught.value.problems][1:] == [
        "plan.yaml:43: components[2].of: 'nothing' is not a component listed before on-nothing (use recovered, or "
        "ids of earlier components)"]
