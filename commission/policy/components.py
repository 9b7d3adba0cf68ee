"""The grammar of `components:`, one function per kind (line_rate, tiers, bonus, override; raise and benefit,
which pay no money, in awards.py), chosen from an explicit table by the component's `kind`."""

from __future__ import annotations

import difflib
from typing import Optional

from ..money import format_minor, format_rate
from ..periods import CADENCES, MONTHLY
from .awards import benefit, raise_rule
from .classifiers import DEFAULT_CLASSIFIER_FIELDS
from .model import (KPIS, LEDGER_COLUMNS, SPECIAL_LEDGER_COLUMNS, Bonus, Classifier, LineRate, Override, RateRule,
                    Step, Tier, Tiers)
from .reader import Reader
from .yamlsource import Node

TIER_MODES = ("marginal", "whole")
TIER_BASES = ("recovered", "attainment")  # tier bounds: money, or shares of the collector's target
OVERRIDE_BASES = ("team_recovered", "team_commission")


def components(reader: Reader, node: Optional[Node], classifiers: tuple[Classifier, ...]):
    """Each component of the plan, read by the grammar of its kind."""
    items = reader.sequence(node, "components") if node is not None else []
    if node is not None and not items and isinstance(node.value, list):
        reader.problem(node, "components", "a plan needs at least one component")
    for index, child in enumerate(items):
        path = f"components[{index}]"
        kind = reader.kind(child, path, COMPONENTS, "a component")
        if kind is None:
            continue
        component = COMPONENTS[kind](reader, child, path, classifiers)
        if component is not None:
            yield component


def common(reader: Reader, keys: dict, node: Node, path: str) -> tuple[str, str, str, str]:
    component_id = reader.identifier(keys.get("id"), f"{path}.id") or f"{path}"
    if "id" in keys:
        reader.claim_id(component_id, keys["id"], f"{path}.id")
    pays = reader.choice(keys.get("pays"), f"{path}.pays", CADENCES, MONTHLY)
    pay_code = reader.identifier(keys.get("pay_code"), f"{path}.pay_code") if "pay_code" in keys else "commission"
    description = reader.free_text(keys.get("description"), f"{path}.description", "") or ""
    return component_id, pays, pay_code or "commission", description


def line_rate(reader: Reader, node: Node, path: str, classifiers: tuple[Classifier, ...]) -> Optional[LineRate]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "rates", "default",
                                       "per_payment"), required=("id", "rates"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    labels = {**reader.bad_labels, **{c.name: set(c.labels) for c in classifiers}}
    rules = []
    for index, child in enumerate(reader.sequence(keys["rates"], f"{path}.rates") if "rates" in keys else []):
        rule = rate_rule(reader, child, f"{path}.rates[{index}]", f"{component_id}#{index + 1}", labels)
        if rule is not None:
            rules.append(rule)
    default = None
    if "default" in keys:
        rate = reader.rate(keys["default"], f"{path}.default")
        if rate is not None:
            default = RateRule(id=f"{component_id}#default", conditions=(), rate=rate, line=keys["default"].line)
    if "rates" in keys and isinstance(keys["rates"].value, list) and not keys["rates"].value and default is None:
        reader.problem(keys["rates"], f"{path}.rates", "no rates and no default: nothing would ever be paid")
    minimum = maximum = None
    if "per_payment" in keys:
        limits = reader.mapping(keys["per_payment"], f"{path}.per_payment", ("min", "max"))
        minimum = reader.money(limits.get("min"), f"{path}.per_payment.min", None)
        maximum = reader.money(limits.get("max"), f"{path}.per_payment.max", None)
        if minimum is not None and maximum is not None and minimum > maximum:
            reader.problem(keys["per_payment"], f"{path}.per_payment", "min is above max")
    return LineRate(id=component_id, pays=pays, pay_code=pay_code, rules=tuple(rules), default=default,
                    per_payment_min=minimum, per_payment_max=maximum, description=description, line=node.line)


def rate_rule(reader: Reader, node: Node, path: str, default_id: str, labels: dict) -> Optional[RateRule]:
    if not isinstance(node.value, dict):
        reader.problem(node, path, "expected a mapping such as {bucket: M1, rate: 5%}")
        return None
    keys = node.value
    rule_id = reader.identifier(keys["id"], f"{path}.id") if "id" in keys else default_id
    if rule_id:
        reader.claim_id(rule_id, keys.get("id", node), f"{path}.id")
    if "rate" not in keys:
        reader.problem(node, f"{path}.rate", "required key is missing")
    rate = reader.rate(keys.get("rate"), f"{path}.rate") if "rate" in keys else None
    conditions = []
    for column, child in keys.items():
        if column in ("id", "rate", "description"):
            continue
        values = reader.names(child, f"{path}.{column}")
        if column in LEDGER_COLUMNS + SPECIAL_LEDGER_COLUMNS:
            reader.problem(None, f"{path}.{column}", f"{column} cannot be a rate key: match amounts, balances and "
                           "days past due with classify ranges (bucket, band); ids and dates never repeat",
                           line=node.key_line(column))
        elif column in labels:
            for value in values:
                if value not in labels[column]:
                    reader.problem(child, f"{path}.{column}", f"{value!r} is not a {column}; defined: "
                                   + ", ".join(sorted(labels[column])))
        elif column in DEFAULT_CLASSIFIER_FIELDS:
            reader.problem(child, f"{path}.{column}", f"the plan has no classify.{column} section")
        elif close := difflib.get_close_matches(column, [*labels, *DEFAULT_CLASSIFIER_FIELDS, "rate", "id"], n=1):
            reader.problem(None, f"{path}.{column}", f"unknown key; did you mean {close[0]}? (any other key is "
                           "read as a ledger column to match)", line=node.key_line(column))
        conditions.append((column, values))
    if rate is None or not rule_id:
        return None
    return RateRule(id=rule_id, conditions=tuple(conditions), rate=rate, line=node.line)


def tiers(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Tiers]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "mode", "tiers"),
                          required=("id", "mode", "tiers"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    base = reader.choice(keys.get("base"), f"{path}.base", TIER_BASES, "recovered")
    mode = reader.choice(keys.get("mode"), f"{path}.mode", TIER_MODES, "marginal")
    tiers = []
    children = reader.sequence(keys["tiers"], f"{path}.tiers") if "tiers" in keys else []
    for index, child in enumerate(children):
        tier = read_tier(reader, child, f"{path}.tiers[{index}]", f"{component_id}#{index + 1}", base)
        if tier is not None:
            tiers.append((tier, child, index))
    for (a, node_a, i), (b, node_b, j) in zip(tiers, tiers[1:]):
        if a.high is None:
            reader.problem(node_a, f"{path}.tiers[{i}].to", "only the last tier may be open-ended")
        elif b.low != a.high:
            what = "gap" if b.low > a.high else "overlap"
            ends = format_rate(a.high) if base == "attainment" else format_minor(a.high, reader.minor_units)
            reader.problem(node_b, f"{path}.tiers[{j}].from", f"{what}: this tier must start where the one before "
                           f"ends ({ends})")
    if "tiers" in keys and not children:
        reader.problem(keys["tiers"], f"{path}.tiers", "a tier schedule needs at least one tier")
    return Tiers(id=component_id, pays=pays, pay_code=pay_code, base=base, mode=mode,
                 tiers=tuple(t for t, _, _ in tiers), description=description, line=node.line)


def read_tier(reader: Reader, node: Node, path: str, default_id: str, base: Optional[str]) -> Optional[Tier]:
    keys = reader.mapping(node, path, ("id", "from", "to", "rate", "amount"), required=("from",))
    tier_id = reader.identifier(keys["id"], f"{path}.id") if "id" in keys else default_id
    if tier_id:
        reader.claim_id(tier_id, keys.get("id", node), f"{path}.id")
    bound = reader.share if base == "attainment" else reader.money  # of the target, or money
    low = bound(keys.get("from"), f"{path}.from") if "from" in keys else None
    high = bound(keys.get("to"), f"{path}.to", None)
    if ("rate" in keys) == ("amount" in keys):
        reader.problem(node, path, "give exactly one of rate (on the base in the tier) or amount (fixed)")
    rate = reader.rate(keys["rate"], f"{path}.rate") if "rate" in keys else None
    amount = reader.money(keys["amount"], f"{path}.amount") if "amount" in keys else None
    if low is not None and high is not None and high <= low:
        reader.problem(node, f"{path}.to", "must be above from")
        return None
    if low is None or tier_id is None or (rate is None and amount is None) or ("to" in keys and high is None):
        return None  # already reported (a `to` that did not parse is not an open end)
    return Tier(id=tier_id, low=low, high=high, rate=rate, amount=amount, line=node.line)


def bonus(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Bonus]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "kpi", "steps", "of"),
                          required=("id", "kpi", "steps"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    kpi = reader.choice(keys.get("kpi"), f"{path}.kpi", KPIS, "attainment")
    of = reader.names(keys["of"], f"{path}.of") if "of" in keys else ("recovered",)
    steps = []
    for index, child in enumerate(reader.sequence(keys["steps"], f"{path}.steps") if "steps" in keys else []):
        step_path = f"{path}.steps[{index}]"
        step_keys = reader.mapping(child, step_path, ("at_least", "amount", "rate"), required=("at_least",))
        if ("amount" in step_keys) == ("rate" in step_keys):
            reader.problem(child, step_path, "give exactly one of amount (fixed) or rate (on `of`)")
            continue
        at_least = reader.kpi_value(step_keys.get("at_least"), f"{step_path}.at_least", kpi)
        amount = reader.money(step_keys["amount"], f"{step_path}.amount") if "amount" in step_keys else None
        rate = reader.rate(step_keys["rate"], f"{step_path}.rate") if "rate" in step_keys else None
        if at_least is not None and (amount is not None or rate is not None):
            steps.append(Step(at_least=at_least, amount=amount, rate=rate, line=child.line))
    reader.check_ascending([s.at_least for s in steps], keys.get("steps"), f"{path}.steps")
    return Bonus(id=component_id, pays=pays, pay_code=pay_code, kpi=kpi, steps=tuple(steps), of=tuple(of),
                 description=description, line=node.line)


def override(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Override]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "rate"),
                          required=("id", "rate"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    base = reader.choice(keys.get("base"), f"{path}.base", OVERRIDE_BASES, "team_recovered")
    rate = reader.rate(keys.get("rate"), f"{path}.rate") if "rate" in keys else None
    if rate is None:
        return None
    return Override(id=component_id, pays=pays, pay_code=pay_code, base=base, rate=rate,
                    description=description, line=node.line)


def check_bonus_bases(reader: Reader, components: tuple, node: Optional[Node]) -> None:
    """A bonus paid on components needs them listed before it (they are computed in plan order)."""
    for index, component in enumerate(components):
        if isinstance(component, Bonus) and component.of != ("recovered",):
            earlier = {c.id for c in components[:index]}
            for name in component.of:
                if name not in earlier:
                    reader.problem(None, f"components[{index}].of", f"{name!r} is not a component listed before "
                                   f"{component.id} (use recovered, or ids of earlier components)",
                                   line=component.line)


#: Each component kind and the function that reads it (raise and benefit pay no money: policy.awards).
COMPONENTS = {"line_rate": line_rate, "tiers": tiers, "bonus": bonus, "override": override, "raise": raise_rule,
              "benefit": benefit}
