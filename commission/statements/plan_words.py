"""A plan in plain words, generated from the policy, for the statement's Plan sheet and `explain`."""

from __future__ import annotations

from ..engine.rules import rule_kind
from ..i18n import money, t, word
from ..policy import Policy, Rounding
from ..policy.model import AT_COMPONENT

#: The vocabularies a rule's words draw on (Words.term), by their key prefix in the catalogue.
VOCABULARIES = {"kpis": "kpi", "cadences": "cadence", "periods": "period_name", "conditions": "condition",
                "keys": "key", "events": "event", "rounding": "rounding", "parts": "part", "severities": "severity",
                "values": "band"}


class Words:
    """What a rule kind composes its words with (see engine.rules), all from the one catalogue (commission/i18n):
    `say(key, **values)` fills the sentence plan.<key>, `say.term(vocabulary, name)` names a KPI, cadence,
    event... (the name itself when it has no translation), `say.money(minor)` writes an amount."""

    def __init__(self, lang: str, minor_units: int):
        self.lang, self.minor_units = lang, minor_units

    def __call__(self, key: str, **values) -> str:
        return t(f"plan.{key}", self.lang, **values)

    def term(self, vocabulary: str, name: str) -> str:
        return word(VOCABULARIES[vocabulary], name, self.lang)  # a plan's own value (a product) as it is

    def money(self, minor: int) -> str:
        return money(minor, self.minor_units, self.lang)

    def measure(self, measure: str) -> str:
        """A measure of a tier schedule or bonus (policy.measures) in words: fees, the sum of principal..."""
        name, argument = measure.partition(":")[::2]
        if name == "sum":
            return self("sum_of", column=argument)
        if name == "component":
            return self("component_total", component=argument)
        if argument:
            return self("accounts_paying_in", label=argument)
        return self.term("kpis", name)


def fee_words(policy: Policy, say: Words) -> list[tuple[str, str, str]]:
    """The plan's `fees:` block: each fee rate rule (or the fee column), as the plan's first rows."""
    fees = policy.fees
    if fees is None:
        return []
    if fees.column:
        return [("fees", "fees", say("fee_column", column=fees.column))]
    rows = []
    for rule in fees.table.rules:
        conditions = ", ".join(f"{say.term('keys', k)} {'/'.join(v)}" for k, v in rule.conditions) or say("any")
        rows.append((rule.id, "fees", say("fee_rule", conditions=conditions, rate=rule.rate_text)))
    if fees.table.default:
        rows.append((fees.table.default.id, "fees", say("fee_default", rate=fees.table.default.rate_text)))
    return rows


def describe_plan(policy: Policy, lang: str) -> list[tuple[str, str, str]]:
    """(rule id, what it is, the rule in words) for every rule of the plan, in plan order: each rule as
    its kind words it, then the plan's leaver rule and draw."""
    say = Words(lang, policy.minor_units)
    rows = [*fee_words(policy, say), *(row for rule in (*policy.components, *policy.adjustments)
                                       for row in rule_kind(rule.kind).words(rule, policy, say))]
    rounding = policy.rounding
    if rounding.at == AT_COMPONENT and any(c.kind == "line_rate" for c in policy.components):
        rows.append(("rounding", "rounding", say("rounding_component", mode=say.term("rounding", rounding.mode))))
    elif rounding != Rounding():  # the default, half up per line, goes without saying
        rows.append(("rounding", "rounding", say("rounding_line", mode=say.term("rounding", rounding.mode))))
    if policy.leavers != "pay":
        rows.append(("leavers", "leavers", say(f"leavers_{policy.leavers}")))
    for key, rule in (("after_end", policy.rows_after_end), ("before_start", policy.rows_before_start)):
        if rule != "refuse":  # refused rows never reach a statement
            rows.append((f"leavers.{key}", "leavers", say(f"{key}_{rule}")))
    if policy.draw:
        rows.append(("draw", "draw", say("draw", amount=say.money(policy.draw.amount),
                                         recoverable=say("recoverable") if policy.draw.recoverable else "")))
    return rows
