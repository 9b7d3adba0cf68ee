"""The grammar of the components that pay no money: `raise` (a raise recommended, 加薪) and `benefit`
(a benefit in kind granted, 福利), and the checks that keep money rules off them.

Both decide on a KPI like a bonus: the highest step reached wins. The KPI is measured over the
component's window, or (`measured: quarterly`) over each part of it, a step then being reached when
at least `in_at_least` of the parts reach its level ("attainment at or above 110% in at least three
of the year's quarters").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Optional

from ..money import MoneyError, parse_decimal, parse_rate
from ..periods import CADENCES, MONTHLY, MONTHS_IN, QUARTERLY, YEARLY
from .adjustments import read_only_if
from .model import AWARD_KINDS, KPIS, AwardStep, Benefit, Bonus, Raise
from .reader import MAX_WHOLE, Reader
from .yamlsource import Node

#: A raise is decided on a quarter's or a year's results, never a month's.
RAISE_CADENCES = (QUARTERLY, YEARLY)
#: A benefit's quantity: a positive number with at most this many decimals (half a day of leave).
QUANTITY_DECIMALS = 2
#: A benefit's unit is a few words on a statement line ("days of leave").
UNIT_MAX_LENGTH = 60
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_MEASURE_KEYS = ("id", "kind", "pays", "description", "kpi", "measured", "in_at_least", "steps", "only_if",
                 "pay_code")


def raise_rule(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Raise]:
    """kind: raise: a raise recommended, a percentage of base salary or an amount added to it."""
    keys = reader.mapping(node, path, _MEASURE_KEYS + ("effective_from",), required=("id", "kpi", "steps"))
    component_id, pays, description = _common(reader, keys, path, "raise", RAISE_CADENCES, YEARLY)
    kpi, measured, in_at_least = _measurement(reader, keys, node, path, pays)
    steps = _steps(reader, keys, path, kpi, "raise", lambda child, step_path: _raise_value(reader, child, step_path))
    effective_from, effective_day = _effective(reader, keys.get("effective_from"), f"{path}.effective_from")
    only_if = read_only_if(reader, keys, path)
    if not component_id or steps is None:
        return None
    return Raise(id=component_id, pays=pays, kpi=kpi, steps=steps, measured=measured, in_at_least=in_at_least,
                 effective_from=effective_from, effective_day=effective_day, only_if=only_if,
                 description=description, line=node.line)


def benefit(reader: Reader, node: Node, path: str, classifiers: tuple = ()) -> Optional[Benefit]:
    """kind: benefit: a quantity of a benefit in kind (days of leave, vouchers), in the rule's unit."""
    keys = reader.mapping(node, path, _MEASURE_KEYS + ("unit",), required=("id", "kpi", "unit", "steps"))
    component_id, pays, description = _common(reader, keys, path, "benefit", CADENCES, MONTHLY)
    kpi, measured, in_at_least = _measurement(reader, keys, node, path, pays)
    unit = reader.free_text(keys["unit"], f"{path}.unit") if "unit" in keys else None
    if unit == "":
        reader.problem(keys["unit"], f"{path}.unit", "name what the quantity counts, e.g. days of leave")
    elif unit and len(unit) > UNIT_MAX_LENGTH:
        reader.problem(keys["unit"], f"{path}.unit", f"a unit is a few words ({UNIT_MAX_LENGTH} characters at most)")
    steps = _steps(reader, keys, path, kpi, "quantity", lambda child, step_path: _quantity(reader, child, step_path))
    only_if = read_only_if(reader, keys, path)
    if not component_id or steps is None or not unit:
        return None
    return Benefit(id=component_id, pays=pays, kpi=kpi, unit=unit, steps=steps, measured=measured,
                   in_at_least=in_at_least, only_if=only_if, description=description, line=node.line)


def _common(reader: Reader, keys: dict, path: str, kind: str, cadences, default: str) -> tuple[str, str, str]:
    component_id = reader.identifier(keys.get("id"), f"{path}.id") if "id" in keys else None
    if component_id:
        reader.claim_id(component_id, keys["id"], f"{path}.id")
    if "pay_code" in keys:
        report = "raises.csv" if kind == "raise" else "benefits.csv"
        reader.problem(keys["pay_code"], f"{path}.pay_code", f"a {kind} pays no money in the period, so it has no "
                       f"pay code: it is reported apart, in {report} (pay a benefit in money with a bonus and "
                       "pay_code: benefit)")
    if kind == "raise" and "pays" in keys and keys["pays"].value == MONTHLY:  # the one likely slip, said plainly
        reader.problem(keys["pays"], f"{path}.pays", "a raise is decided on a quarter's or a year's results: "
                       "pays: quarterly or yearly (a monthly KPI can still count, with measured: monthly)")
        pays = default
    else:
        pays = reader.choice(keys.get("pays"), f"{path}.pays", cadences, default)
    description = reader.free_text(keys.get("description"), f"{path}.description", "") or ""
    return component_id or "", pays, description


def _measurement(reader: Reader, keys: dict, node: Node, path: str, pays: str) -> tuple[str, str, int]:
    """(kpi, measured, in_at_least): the KPI over the window, or over each of its parts."""
    kpi = reader.choice(keys.get("kpi"), f"{path}.kpi", KPIS, "attainment")
    measured = reader.choice(keys.get("measured"), f"{path}.measured", (MONTHLY, QUARTERLY), "") \
        if "measured" in keys else ""
    if measured and MONTHS_IN[measured] >= MONTHS_IN[pays]:
        reader.problem(keys["measured"], f"{path}.measured", f"measured: {measured} splits the window into shorter "
                       f"parts, so it must be shorter than pays: {pays} (e.g. pays: yearly, measured: quarterly)")
        measured = ""
    parts = MONTHS_IN[pays] // MONTHS_IN[measured] if measured else 1
    in_at_least = 0
    if "in_at_least" in keys:
        if not measured:
            reader.problem(keys["in_at_least"], f"{path}.in_at_least", "counts the parts of the window that reach "
                           "a step: give measured: quarterly (or monthly) too")
        else:
            count = reader.integer(keys["in_at_least"], f"{path}.in_at_least")
            if count is not None and not 1 <= count <= parts:
                reader.problem(keys["in_at_least"], f"{path}.in_at_least", f"a {pays} window has {parts} "
                               f"{measured} parts: give 1 to {parts}")
            elif count is not None:
                in_at_least = count
    return kpi, measured, (in_at_least or parts) if measured else 0


def _steps(reader: Reader, keys: dict, path: str, kpi: str, value_key: str, read_value):
    """The steps, ascending; None when there are none at all (reported)."""
    if "steps" not in keys:
        return None
    steps = []
    children = reader.sequence(keys["steps"], f"{path}.steps")
    for index, child in enumerate(children):
        step_path = f"{path}.steps[{index}]"
        step_keys = reader.mapping(child, step_path, ("at_least", value_key), required=("at_least", value_key))
        at_least = reader.kpi_value(step_keys.get("at_least"), f"{step_path}.at_least", kpi) \
            if "at_least" in step_keys else None
        value = read_value(step_keys[value_key], f"{step_path}.{value_key}") if value_key in step_keys else None
        if at_least is not None and value is not None:
            steps.append(AwardStep(at_least=at_least, line=child.line, **value))
    if isinstance(keys["steps"].value, list) and not children:
        reader.problem(keys["steps"], f"{path}.steps", "give at least one step")
    reader.check_ascending([s.at_least for s in steps], keys["steps"], f"{path}.steps")
    return tuple(steps) if steps else None


def _raise_value(reader: Reader, node: Node, path: str) -> Optional[dict]:
    """`5%` (of base salary) or `{amount: 300.00}` (added to it): never 0, never above 100% of base
    salary, and never a bare number, which would read as either."""
    if isinstance(node.value, dict):
        keys = reader.mapping(node, path, ("amount",), required=("amount",))
        amount = reader.money(keys["amount"], f"{path}.amount") if "amount" in keys else None
        value = None if amount is None else {"amount": amount}
    else:
        text = (reader.text(node, path) or "").strip()
        if not text:
            return None
        if not text.endswith("%"):
            reader.problem(node, path, f"{text!r} is ambiguous: write a percentage of base salary with its % sign "
                           f"(raise: {text}%) or an amount added to it as raise: {{amount: {text}}}")
            return None
        rate = reader.convert(node, path, parse_rate, "a percentage of base salary such as 5%")
        if rate is not None and not 0 <= rate <= 1:
            reader.problem(node, path, f"{text} is not a plausible raise: a raise is a percentage of base salary "
                           "above 0% and at most 100% (write 5% for five percent)")
            return None
        value = None if rate is None else {"rate": rate}
    if value is not None and not any(value.values()):
        reader.problem(node, path, "a raise of 0 recommends nothing: leave the step out")
        return None
    return value


def _quantity(reader: Reader, node: Node, path: str) -> Optional[dict]:
    text = (reader.text(node, path) or "").strip()
    if not text:
        return None
    try:
        quantity = parse_decimal(text)
    except MoneyError:
        quantity = None
    if quantity is None or quantity <= 0 or quantity > MAX_WHOLE \
            or quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_DECIMALS)):
        reader.problem(node, path, f"{text!r} is not a quantity: a number above 0 with at most "
                       f"{QUANTITY_DECIMALS} decimals, such as 1, 2 or 0.5")
        return None
    whole = quantity == quantity.to_integral_value()
    return {"quantity": quantity.quantize(Decimal(1)) if whole else quantity.normalize()}  # 2, 0.5: as people write


def _effective(reader: Reader, node: Optional[Node], path: str) -> tuple[Optional[date], Optional[tuple[int, int]]]:
    """A date (2027-04-01), a day of the year (04-01: the first one after the window), or neither
    (the first day after the window)."""
    if node is None:
        return None, None
    text = (reader.text(node, path) or "").strip()
    match = _MONTH_DAY.match(text)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2026, month, day)  # a day every year has: never 02-29
        except ValueError:
            reader.problem(node, path, f"{text!r} is not a day every year has; write MM-DD such as 04-01, or a date "
                           "YYYY-MM-DD")
            return None, None
        return None, (month, day)
    return (reader.day(node, path) if text else None), None


def check_award_references(reader: Reader, components: tuple) -> None:
    """A bonus paid on components cannot name a raise or a benefit: they pay no money."""
    awards = {c.id: c.kind for c in components if c.kind in AWARD_KINDS}
    for component in components:
        if isinstance(component, Bonus):
            for name in component.of:
                if name in awards:
                    reader.problem(None, f"{reader.path_of(component)}.of", f"{name!r} is a {awards[name]}: it pays no "
                                   "money, so a bonus cannot be paid on it", line=component.line)
