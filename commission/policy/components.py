"""The grammar of `components:`, one function per kind (line_rate, tiers, bonus, override; raise and benefit,
which pay no money, in awards.py), chosen from an explicit table by the component's `kind`."""

from __future__ import annotations

import difflib
import re
from typing import Optional

from ..errors import shown
from ..money import format_minor, format_rate
from ..periods import CADENCES, MONTHLY
from .awards import benefit, raise_rule
from .classifiers import DEFAULT_CLASSIFIER_FIELDS
from .measures import COUNT, FLAG_COLUMNS, MONEY, POINTS, SHARE, measure_of, unit
from .measures import problem as measure_problem
from .measures import split as split_measure
from .model import (LEDGER_COLUMNS, LINE_BASES, SPECIAL_LEDGER_COLUMNS, Bonus, Classifier, Fees, LineRate, Override,
                    RateRule, Step, Tier, Tiers)
from .reader import MISSING, Reader
from .yamlsource import Node

TIER_MODES = ("marginal", "whole")
OVERRIDE_BASES = ("team_recovered", "team_commission")


def components(reader: Reader, node: Optional[Node], classifiers: tuple[Classifier, ...]):
    """Each component of the plan, read by the grammar of its kind."""
    items = reader.sequence(node, "components") if node is not None else []
    if node is not None and not items and isinstance(node.value, list):
        reader.problem(node, "components", "a plan needs at least one component")
    for index, child in enumerate(items):
        path = f"components[{index}]"
        kind = reader.kind(child, path, COMPONENTS, "a component")
        component = COMPONENTS[kind](reader, child, path, classifiers) if kind is not None else None
        if component is not None:
            reader.component_paths.setdefault(component.id, path)
            yield component
        elif isinstance(child.value, dict) and isinstance(getattr(child.value.get("id"), "value", None), str):
            reader.broken_ids.add(child.value["id"].value)


def common(reader: Reader, keys: dict, node: Node, path: str) -> tuple[str, str, str, str]:
    component_id = reader.identifier(keys.get("id"), f"{path}.id") or f"{path}"
    if "id" in keys:
        reader.claim_id(component_id, keys["id"], f"{path}.id")
    pays = reader.choice(keys.get("pays"), f"{path}.pays", CADENCES, MONTHLY)
    pay_code = reader.identifier(keys.get("pay_code"), f"{path}.pay_code") if "pay_code" in keys else "commission"
    description = reader.free_text(keys.get("description"), f"{path}.description", "") or ""
    return component_id, pays, pay_code or "commission", description


def line_rate(reader: Reader, node: Node, path: str, classifiers: tuple[Classifier, ...]) -> Optional[LineRate]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "rates", "default",
                                       "per_payment"), required=("id", "rates"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    base = line_base(reader, keys.get("base"), f"{path}.base", classifiers)
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
                    per_payment_min=minimum, per_payment_max=maximum, description=description, line=node.line,
                    base=base)


def line_base(reader: Reader, node: Optional[Node], path: str, classifiers: tuple[Classifier, ...]) -> str:
    """What a line rate pays on: amount (the default), fee (the plan's `fees:`), or a ledger money column
    such as principal, read and checked like amount."""
    if node is None:
        return "amount"
    return money_column_name(reader, node, path, classifiers, LINE_BASES) or "amount"


def money_column_name(reader: Reader, node: Node, path: str, classifiers: tuple[Classifier, ...],
                      names: tuple[str, ...] = ()) -> Optional[str]:
    """One of `names`, or the name of a ledger money column besides the required ones (principal,
    interest, written_off, a fee column): an identifier that no required, special or class column has."""
    name = reader.text(node, path)
    if name is None or name in names or name == "amount":
        return name
    taken = (*LEDGER_COLUMNS, *SPECIAL_LEDGER_COLUMNS, *FLAG_COLUMNS.values(), *(c.name for c in classifiers))
    if name.startswith("component:"):
        reader.problem(node, path, "a line rate pays on each repayment's own money (amount, fee or a ledger money "
                       f"column); to pay on {name[len('component:'):]!r}'s total, use a tier schedule or a bonus "
                       f"with measure: {name}")
        return None
    if not re.match(r"^[a-z][a-z0-9_]*$", name) or name in taken:
        choices = ", ".join(names) + ", or " if names else ""
        reader.problem(node, path, f"{shown(name)!r} is not a ledger money column: write {choices}the name of a "
                       "column such as principal (lowercase letters, digits and _; not "
                       + ", ".join(n for n in taken if n != "amount") + ")")
        return None
    return name


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
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "measure", "mode",
                                       "tiers"), required=("id", "mode", "tiers"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    if "base" in keys and "measure" in keys:
        reader.problem(node, f"{path}.measure", "give measure or base (its older name), not both")
    base = read_measure(reader, keys, path, "recovered", exclude=(POINTS,), older="base")
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
            ends = format_rate(a.high) if unit(base) == SHARE else str(a.high) if unit(base) == COUNT \
                else format_minor(a.high, reader.minor_units)
            reader.problem(node_b, f"{path}.tiers[{j}].from", f"{what}: this tier must start where the one before "
                           f"ends ({ends})")
    if "tiers" in keys and not children:
        reader.problem(keys["tiers"], f"{path}.tiers", "a tier schedule needs at least one tier")
    return Tiers(id=component_id, pays=pays, pay_code=pay_code, base=base, mode=mode,
                 tiers=tuple(t for t, _, _ in tiers), description=description, line=node.line)


def read_tier(reader: Reader, node: Node, path: str, default_id: str, base: Optional[str]) -> Optional[Tier]:
    keys = reader.mapping(node, path, ("id", "from", "to", "rate", "amount", "each"), required=("from",))
    tier_id = reader.identifier(keys["id"], f"{path}.id") if "id" in keys else default_id
    if tier_id:
        reader.claim_id(tier_id, keys.get("id", node), f"{path}.id")
    kind = unit(base) if base else MONEY
    if kind == SHARE:
        bound = reader.share  # of the target (attainment) or of the assigned balance (recovery_rate)
    elif kind == COUNT:
        def bound(value, where, default=MISSING):
            return reader.count(value, where, base, default)
    else:
        bound = reader.money
    low = bound(keys.get("from"), f"{path}.from") if "from" in keys else None
    high = bound(keys.get("to"), f"{path}.to", None)
    pays = ("amount", "each") if kind == COUNT else ("rate", "amount")
    if sum(key in keys for key in ("rate", "amount", "each")) != 1 or not any(key in keys for key in pays):
        reader.problem(node, path, f"give exactly one of amount (fixed) or each (an amount per one counted): {base} "
                       "is a count" if kind == COUNT else "give exactly one of rate (on the base in the tier) or "
                       "amount (fixed)")
    rate = reader.rate(keys["rate"], f"{path}.rate") if "rate" in keys else None
    amount = reader.money(keys["amount"], f"{path}.amount") if "amount" in keys else None
    each = reader.money(keys["each"], f"{path}.each") if "each" in keys else None
    if low is not None and high is not None and high <= low:
        reader.problem(node, f"{path}.to", "must be above from")
        return None
    if low is None or tier_id is None or (rate is None and amount is None and each is None) \
            or ("to" in keys and high is None):
        return None  # already reported (a `to` that did not parse is not an open end)
    return Tier(id=tier_id, low=low, high=high, rate=rate, amount=amount, each=each, line=node.line)


def read_measure(reader: Reader, keys: dict, path: str, default: str, exclude: tuple = (),
                 older: str = "") -> str:
    """The `measure:` of a tier schedule or bonus (or its `older` key name), checked against
    policy.measures; which component, column or class it names is checked with the whole plan."""
    name = "measure" if "measure" in keys or older not in keys else older
    node = keys.get(name)
    if node is None:
        return default
    measure = reader.text(node, f"{path}.{name}") or default
    why = measure_problem(measure)
    if why is None and unit(measure) in exclude:
        why = f"{measure} cannot be the measure here"
    if why:
        reader.problem(node, f"{path}.{name}", why)
        return default
    return measure


def bonus(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Bonus]:
    keys = reader.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "measure", "kpi", "steps",
                                       "of"), required=("id", "steps"))
    component_id, pays, pay_code, description = common(reader, keys, node, path)
    if ("kpi" in keys) == ("measure" in keys):
        reader.problem(node, f"{path}.measure", "give the measure its steps look at (measure, or its older name kpi)")
    kpi = read_measure(reader, keys, path, "attainment", older="kpi")
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


def fees(reader: Reader, node: Optional[Node], classifiers: tuple[Classifier, ...]) -> Optional[Fees]:
    """The plan's `fees:` block: the agency's fee on each repayment, as rates (the grammar of a line rate's
    `rates` and `default`, e.g. 30% of M3 repayments) or as a ledger money column (`column: fee`)."""
    if node is None:
        return None
    keys = reader.mapping(node, "fees", ("rates", "default", "column", "description"))
    if ("column" in keys) == ("rates" in keys or "default" in keys):
        reader.problem(node, "fees", "give the fee as rates (and/or a default rate) or as a ledger column "
                       "(column: fee), exactly one of them")
        return None
    if "column" in keys:
        column = money_column_name(reader, keys["column"], "fees.column", classifiers)
        return Fees(column=column, line=node.line) if column and column != "amount" else None
    labels = {**reader.bad_labels, **{c.name: set(c.labels) for c in classifiers}}
    rules = [rule for index, child in enumerate(reader.sequence(keys["rates"], "fees.rates") if "rates" in keys else [])
             if (rule := rate_rule(reader, child, f"fees.rates[{index}]", f"fee#{index + 1}", labels)) is not None]
    default = None
    if "default" in keys and (rate := reader.rate(keys["default"], "fees.default")) is not None:
        default = RateRule(id="fee#default", conditions=(), rate=rate, line=keys["default"].line)
    table = LineRate(id="fees", pays="monthly", pay_code="", rules=tuple(rules), default=default, line=node.line)
    return Fees(table=table, line=node.line)


def check_bases_and_measures(reader: Reader, components: tuple, fees: Optional[Fees],
                             classifiers: tuple[Classifier, ...]) -> None:
    """What a line base or a measure names must exist: a `fees:` block for fee and fees, a component listed
    before (components are computed in plan order, so a later one or itself would be a cycle) that pays
    money, a class label for accounts_paying:<label>, a ledger money column name for sum:<column>."""
    paying = (LineRate, Tiers, Bonus, Override)
    labels = {label for c in classifiers for label in c.labels}
    for index, component in enumerate(components):
        path = reader.path_of(component)
        if isinstance(component, LineRate) and component.base == "fee" and fees is None:
            reader.problem(None, f"{path}.base", "base: fee needs the plan's fees: block (the agency's fee as rates "
                           "or a ledger column)", line=component.line)
        if not isinstance(component, (Tiers, Bonus)):
            continue
        measure = measure_of(component)
        name, argument = split_measure(measure)
        where = f"{path}.measure"
        if name == "fees" and fees is None:
            reader.problem(None, where, "measure fees needs the plan's fees: block", line=component.line)
        elif name == "component":
            earlier = {c.id: c for c in components[:index] if isinstance(c, paying)}
            if argument not in earlier and argument not in reader.broken_ids:
                what = "is this component itself (a cycle)" if argument == component.id else \
                    "is not listed before it (components are computed in plan order)" \
                    if argument in {c.id for c in components} else "is not a component of the plan"
                reader.problem(None, where, f"{measure}: {shown(argument)!r} {what}; name a component listed before "
                               f"{component.id} that pays money: " + (", ".join(earlier) or "none"),
                               line=component.line)
        elif name == "accounts_paying" and argument and argument not in labels:
            reader.problem(None, where, f"{measure}: {argument!r} is not a class label of the plan; labels: "
                           + (", ".join(sorted(labels)) or "none (add a classify: section)"), line=component.line)
        elif name == "sum" and (not re.match(r"^[a-z][a-z0-9_]*$", argument)
                                or argument in (*SPECIAL_LEDGER_COLUMNS, *FLAG_COLUMNS.values())
                                or argument in LEDGER_COLUMNS and argument not in ("amount", "balance")):
            reader.problem(None, where, f"{measure}: {shown(argument)!r} is not a ledger money column",
                           line=component.line)


def check_bonus_bases(reader: Reader, components: tuple, node: Optional[Node]) -> None:
    """A bonus paid on components needs them listed before it (they are computed in plan order)."""
    for index, component in enumerate(components):
        if isinstance(component, Bonus) and component.of != ("recovered",):
            earlier = {c.id for c in components[:index]}
            for name in component.of:
                if name not in earlier and name not in reader.broken_ids:
                    reader.problem(None, f"{reader.path_of(component)}.of", f"{name!r} is not a component "
                                   f"listed before {component.id} (use recovered, or ids of earlier components)",
                                   line=component.line)


#: Each component kind and the function that reads it (raise and benefit pay no money: policy.awards).
COMPONENTS = {"line_rate": line_rate, "tiers": tiers, "bonus": bonus, "override": override, "raise": raise_rule,
              "benefit": benefit}
