"""Parameter sweeps: vary one or two numbers of a plan over a grid and simulate each variant.

A sweep is written ``PATH=VALUES``:

- PATH names one number of the plan the way the YAML spells it, through ids:
  ``components.base.rates.m3.rate`` (or ``components[base].rates[m3].rate``),
  ``components.volume.tiers.volume-1.from``, ``components.base.per_payment.max``,
  ``components.quarter-target.steps[0].amount``, ``adjustments.monthly-cap.cap``,
  ``adjustments.gate.recovered_at_least``, ``adjustments.conduct.events.complaint.deduct``,
  ``adjustments.quality.bands[0].multiplier``, ``adjustments.q-holdback.percent``.
  Lists are entered by id (rate rules, tiers, components, adjustments), by event label
  (``complaint``, ``violation/serious``) or by position from 0 (``steps[0]``, ``bands[1]``).
- VALUES is ``START..STOP:STEP`` (both ends included, e.g. ``3%..8%:0.5%``, ``20000..50000:5000``)
  or a list ``3%,5%,8%``. Rates are written 5% or 0.05, money in currency units (1500.00).

Each variant is a new `Policy` made with `dataclasses.replace` on the frozen model (the YAML is never
edited). Moving a tier's `from` moves the previous tier's `to` with it (and `to` the next `from`), so
the schedule still tiles; a value that empties a tier, puts a floor above its cap or steps out of
order is an error naming the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import product
from typing import Optional, Sequence

from ..errors import InputError, Problem
from ..money import MoneyError, format_minor, format_rate, parse_decimal, parse_money, parse_rate
from ..policy import Bonus, CapFloor, EventEffect, LineRate, Multiplier, Policy, Tier, Tiers
from ..policy.reader import parse_share
from ..policy.measures import COUNT, SHARE, unit
from ..policy.measures import MONEY as MONEY_UNIT

RATE, MONEY, FACTOR, KPI = "rate", "money", "factor", "kpi"
#: At most this many values per swept parameter (a 2-D grid runs up to this squared).
MAX_POINTS = 101
MAX_SWEEPS = 2

#: YAML key -> model attribute, per model class.
_ALIASES = {
    "LineRate": {"rates": "rules", "per_payment.min": "per_payment_min", "per_payment.max": "per_payment_max"},
    "Tier": {"from": "low", "to": "high"},
    "Holdback": {"percent": "rate"},
    "Compliance": {"events": "effects"},
    "Threshold": {},
    "Policy": {},
}
#: (model class, attribute) -> the kind of number it holds.
_LEAVES = {
    ("RateRule", "rate"): RATE, ("Tier", "rate"): RATE, ("Step", "rate"): RATE, ("Override", "rate"): RATE,
    ("Holdback", "rate"): RATE, ("EventEffect", "deduct_rate"): RATE,
    ("Tier", "low"): MONEY, ("Tier", "high"): MONEY, ("Tier", "amount"): MONEY, ("Tier", "each"): MONEY,
    ("Step", "amount"): MONEY,
    ("Threshold", "recovered_at_least"): MONEY, ("CapFloor", "cap"): MONEY, ("CapFloor", "floor"): MONEY,
    ("LineRate", "per_payment_min"): MONEY, ("LineRate", "per_payment_max"): MONEY,
    ("EventEffect", "deduct_amount"): MONEY, ("Draw", "amount"): MONEY,
    ("Step", "at_least"): KPI,
}
_TOKEN = re.compile(r"[^.\[\]]+|\[[^\]]*\]")
_RANGE = re.compile(r"^\s*(?P<start>[^.]+(?:\.\d+)?%?)\s*\.\.\s*(?P<stop>[^:]+?)\s*:\s*(?P<step>.+?)\s*$")


@dataclass(frozen=True)
class Sweep:
    """One swept parameter: its path, kind of number, and the values of the grid (exact)."""

    path: str
    kind: str
    values: tuple
    texts: tuple[str, ...]
    current: Optional[str] = None  # the plan's own value, as text
    current_value: object = None  # and exact

    def number(self, value, minor_units: int) -> Decimal:
        """The value as a plain number for a chart axis: percent for rates, currency units for money."""
        if self.kind == RATE:
            return _decimal(Fraction(value) * 100)
        if self.kind == MONEY:
            return Decimal(int(value)).scaleb(-minor_units)
        return _decimal(Fraction(value))

    def unit(self, currency: str) -> str:
        return {RATE: "%", MONEY: currency}.get(self.kind, "")


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _problem(spec: str, message: str) -> InputError:
    return InputError([Problem("", spec, message, role="sweep")])


def parse_sweep(spec: str, policy: Policy) -> Sweep:
    """`PATH=VALUES` checked against `policy`: the path must lead to a number, every value must be valid."""
    if "=" not in spec:
        raise _problem(spec, "write PATH=START..STOP:STEP or PATH=V1,V2,..., e.g. "
                             "components.base.rates.m3.rate=3%..8%:0.5%")
    path, values_text = (part.strip() for part in spec.split("=", 1))
    tokens = tokens_of(path)
    if not tokens:
        raise _problem(spec, "the path is empty")
    kind, current, parse = _leaf(policy, tokens, spec)
    values = _values(values_text, kind, parse, spec)
    sweep = Sweep(path=path, kind=kind, values=tuple(values), texts=tuple(_text(kind, v, policy) for v in values),
                  current=_text(kind, current, policy) if current is not None else None, current_value=current)
    for value, text in zip(sweep.values, sweep.texts):
        try:
            check_policy(set_value(policy, tokens, value, spec))
        except ValueError as exc:
            raise _problem(spec, f"{text}: {exc}") from None
    return sweep


def tokens_of(path: str) -> list[str]:
    return [t[1:-1].strip() if t.startswith("[") else t.strip() for t in _TOKEN.findall(path)]


def _text(kind: str, value, policy: Policy) -> str:
    if kind == RATE:
        return format_rate(Fraction(value))
    if kind == MONEY:
        return format_minor(int(value), policy.minor_units)
    return format(_decimal(Fraction(value)).normalize(), "f")


def _values(text: str, kind: str, parse, spec: str) -> list:
    match = _RANGE.match(text)
    try:
        if match:
            start, stop, step = (parse(match.group(k)) for k in ("start", "stop", "step"))
            if step <= 0:
                raise _problem(spec, "the step must be above zero")
            if stop < start:
                raise _problem(spec, "the range must run upward (START..STOP with STOP >= START)")
            count = int((stop - start) // step) + 1
            if count > MAX_POINTS:
                raise _problem(spec, f"{count} values; a sweep takes at most {MAX_POINTS} (use a larger step)")
            values = [start + k * step for k in range(count)]
        elif ".." in text:
            raise _problem(spec, "write a range as START..STOP:STEP, e.g. 3%..8%:0.5%")
        else:
            values = [parse(part) for part in text.split(",") if part.strip()]
    except (MoneyError, ValueError) as exc:
        raise _problem(spec, f"{exc}; write {'rates as 5% or 0.05' if kind == RATE else 'plain numbers'}"
                             " (START..STOP:STEP or V1,V2,...)") from None
    if not values:
        raise _problem(spec, "no values given")
    if len(values) > MAX_POINTS:
        raise _problem(spec, f"{len(values)} values; a sweep takes at most {MAX_POINTS}")
    if len(set(values)) != len(values):
        raise _problem(spec, "a value is listed twice")
    return values


def _leaf(policy: Policy, tokens: list[str], spec: str):
    """Walk the path on the plan: (kind of number, the plan's current value, a parser for values)."""
    node, kpi = policy, None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if isinstance(node, tuple):
            node = node[_select(node, token, spec)]
            i += 1
            continue
        if isinstance(node, Multiplier) and token == "bands":
            kpi = node.kpi
        if isinstance(node, Tiers) and unit(node.base) != MONEY_UNIT:
            kpi = node.base  # its tier bounds are shares of the target or assigned balance, or counts
        if not is_dataclass(node):
            raise _problem(spec, f"{'.'.join(tokens[:i])} is a number; nothing lies below it")
        name, used = _attribute(node, tokens, i, spec)
        if isinstance(node, Bonus):
            kpi = node.kpi
        value = getattr(node, name)
        last = i + used == len(tokens)
        if last:
            kind = _LEAVES.get((type(node).__name__, name))
            if kind is None:
                raise _problem(spec, f"{'.'.join(tokens)} is not a number a sweep can vary")
            if isinstance(node, Tier) and kpi and name in ("low", "high"):
                if unit(kpi) == COUNT:  # a bound of a schedule on a count: a whole number, kept an int
                    return FACTOR, value, _count
                kind = KPI  # a bound of a schedule on attainment: a share of the target
            return _kind_and_parser(kind, kpi, policy, value)
        if isinstance(node, Multiplier) and name == "bands":
            return _band_leaf(node, tokens[i + used:], policy, spec)
        if value is None:
            raise _problem(spec, f"the plan has no {'.'.join(tokens[:i + used])}")
        node = value
        i += used
    raise _problem(spec, f"{'.'.join(tokens)} names a whole rule, not a number in it")


def _band_leaf(multiplier: Multiplier, rest: list[str], policy: Policy, spec: str):
    if len(rest) != 2 or rest[1] not in ("from", "multiplier"):
        raise _problem(spec, "write bands[N].multiplier or bands[N].from")
    band = multiplier.bands[_select(multiplier.bands, rest[0], spec)]
    if rest[1] == "multiplier":
        return _kind_and_parser(FACTOR, None, policy, band[1])
    return _kind_and_parser(KPI, multiplier.kpi, policy, band[0])


def _kind_and_parser(kind: str, kpi: Optional[str], policy: Policy, current):
    minor = policy.minor_units
    if kind == RATE:
        def parse(text):
            rate = parse_rate(text)
            if not 0 <= rate <= 1:
                raise ValueError(f"{text.strip()} is not a rate between 0% and 100%")
            return rate
        return RATE, current, parse
    if kind == MONEY:
        def parse_amount(text):
            amount = parse_money(text, minor)
            if amount < 0:
                raise ValueError(f"{text.strip()} is negative")
            return amount
        return MONEY, current, parse_amount
    if kind == KPI and unit(kpi) == MONEY_UNIT:
        return MONEY, None if current is None else int(current), lambda text: Fraction(parse_money(text, minor))
    if kind == KPI and unit(kpi) == COUNT:
        return FACTOR, current, lambda text: Fraction(_count(text))
    if kind == KPI and kpi == "qa_score":
        return FACTOR, current, lambda text: Fraction(parse_decimal(text))
    return (RATE if kind == KPI else FACTOR), current, (parse_share if kind == KPI else parse_rate)


def _count(text: str) -> int:
    """A count (accounts, promises) as a plan writes it: a whole number, never an amount."""
    if not re.match(r"^\s*\d+\s*$", text):
        raise ValueError(f"{text.strip()} is not a whole number (a count)")
    return int(text)


def _attribute(node, tokens: list[str], i: int, spec: str) -> tuple[str, int]:
    """The model attribute tokens[i] (or tokens[i].tokens[i+1]) names on `node`, and how many tokens it used."""
    aliases = _ALIASES.get(type(node).__name__, {})
    names = {f.name for f in fields(node)}
    if i + 1 < len(tokens) and f"{tokens[i]}.{tokens[i + 1]}" in aliases:
        return aliases[f"{tokens[i]}.{tokens[i + 1]}"], 2
    token = tokens[i]
    if isinstance(node, EventEffect) and token == "deduct":
        return ("deduct_rate" if node.deduct_rate is not None else "deduct_amount"), 1
    name = aliases.get(token, token)
    if name not in names or name in ("id", "line", "kind", "source", "sha256"):
        shown = sorted({*(k.split(".")[0] for k in aliases), *(n for n in names if n not in aliases.values())}
                       - {"id", "line", "kind", "source", "sha256", "effective_line"})
        where = ".".join(tokens[:i]) or "the plan"
        raise _problem(spec, f"{where} has no {token!r} (it has: {', '.join(shown)})")
    return name, 1


def _select(items: tuple, key: str, spec: str) -> int:
    """An item of a list by id (rules, tiers, components), event label, or position from 0."""
    for index, item in enumerate(items):
        if getattr(item, "id", None) == key or (isinstance(item, EventEffect) and item.label == key):
            return index
    if key.isdigit() and int(key) < len(items):
        return int(key)
    known = [getattr(item, "id", None) or (item.label if isinstance(item, EventEffect) else None)
             for item in items]
    known = [k for k in known if k] or [str(n) for n in range(len(items))]
    raise _problem(spec, f"{key!r} is not in the list (it holds: {', '.join(known)})")


def set_value(policy: Policy, tokens: list[str], value, spec: str = "") -> Policy:
    """A copy of `policy` with the number at `tokens` set to `value` (dataclasses.replace all the way up)."""
    return _set(policy, tokens, 0, value, spec)


def _set(node, tokens: list[str], i: int, value, spec: str):
    if isinstance(node, tuple):
        index = _select(node, tokens[i], spec)
        if isinstance(node[index], tuple):  # a multiplier band (from, multiplier)
            position = 0 if tokens[i + 1] == "from" else 1
            band = tuple(value if k == position else part for k, part in enumerate(node[index]))
            return node[:index] + (band,) + node[index + 1:]
        item = _set(node[index], tokens, i + 1, value, spec)
        changed = node[:index] + (item,) + node[index + 1:]
        if isinstance(item, Tier):
            changed = _retile(changed, index, node[index], item)
        return changed
    name, used = _attribute(node, tokens, i, spec)
    if i + used == len(tokens):
        return replace(node, **{name: value})
    return replace(node, **{name: _set(getattr(node, name), tokens, i + used, value, spec)})


def _retile(tiers: tuple, index: int, old: Tier, new: Tier) -> tuple:
    """Keep the schedule tiling: a moved `from` moves the previous tier's `to`, a moved `to` the next `from`."""
    tiers = list(tiers)
    if new.low != old.low and index > 0:
        tiers[index - 1] = replace(tiers[index - 1], high=new.low)
    if new.high != old.high and index + 1 < len(tiers) and new.high is not None:
        tiers[index + 1] = replace(tiers[index + 1], low=new.high)
    return tuple(tiers)


def check_policy(policy: Policy) -> Policy:
    """The rules the parser enforces that a changed number can break; ValueError says which."""
    for component in policy.components:
        if isinstance(component, Tiers):
            bound = format_rate if unit(component.base) == SHARE else str if unit(component.base) == COUNT else \
                (lambda value: format_minor(value, policy.minor_units))
            for tier in component.tiers:
                if tier.high is not None and tier.high <= tier.low:
                    raise ValueError(f"tier {tier.id} of {component.id} would be empty (from {bound(tier.low)} "
                                     f"to {bound(tier.high)})")
        if isinstance(component, LineRate) and None not in (component.per_payment_min, component.per_payment_max) \
                and component.per_payment_min > component.per_payment_max:
            raise ValueError(f"{component.id}: the per-payment minimum would be above the maximum")
        if isinstance(component, Bonus):
            levels = [s.at_least for s in component.steps]
            if any(b <= a for a, b in zip(levels, levels[1:])):
                raise ValueError(f"{component.id}: the steps would be out of ascending order")
    for adjustment in policy.adjustments:
        if isinstance(adjustment, CapFloor) and None not in (adjustment.cap, adjustment.floor) \
                and adjustment.floor > adjustment.cap:
            raise ValueError(f"{adjustment.id}: the floor would be above the cap")
        if isinstance(adjustment, Multiplier):
            levels = [low for low, _ in adjustment.bands]
            if levels[0] != 0 or any(b <= a for a, b in zip(levels, levels[1:])):
                raise ValueError(f"{adjustment.id}: the bands must start at 0 and ascend")
    return policy


@dataclass(frozen=True)
class Variant:
    """One point of the grid: the values (one per sweep) and the plan with them."""

    values: tuple
    texts: tuple[str, ...]
    policy: Policy

    @property
    def label(self) -> str:
        return ", ".join(self.texts)


def parse_sweeps(specs: Sequence[str], policy: Policy) -> list[Sweep]:
    """Every sweep given, on the plan they vary; at most MAX_SWEEPS of them."""
    if len(specs) > MAX_SWEEPS:
        raise InputError([Problem("", "", f"{len(specs)} sweeps given; vary at most {MAX_SWEEPS} "
                                  "parameters at once", role="sweep")])
    return [parse_sweep(spec, policy) for spec in specs]


def grid(policy: Policy, sweeps: Sequence[Sweep]) -> list[Variant]:
    """Every combination of the sweeps' values (the first sweep varies slowest)."""
    variants = []
    for combination in product(*(range(len(s.values)) for s in sweeps)):
        changed = policy
        for sweep, k in zip(sweeps, combination):
            changed = set_value(changed, tokens_of(sweep.path), sweep.values[k], sweep.path)
        try:
            check_policy(changed)
        except ValueError as exc:
            texts = ", ".join(f"{s.path}={s.texts[k]}" for s, k in zip(sweeps, combination))
            raise InputError([Problem("", "", f"{texts}: {exc}", role="sweep")]) from None
        variants.append(Variant(values=tuple(s.values[k] for s, k in zip(sweeps, combination)),
                                texts=tuple(s.texts[k] for s, k in zip(sweeps, combination)),
                                policy=changed))
    return variants
