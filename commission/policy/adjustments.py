"""The grammar of `adjustments:`, one function per kind (threshold, cap_floor, multiplier,
compliance, holdback), chosen from an explicit table by the adjustment's `kind`; each also names the
keys it takes besides id, kind and applies_to."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..periods import QUARTERLY, YEARLY
from .model import (AWARD_KINDS, CONDUCT_EVENTS, HOLDBACK_CONDITIONS, KPIS, SEVERITIES, CapFloor, Compliance,
                    EventEffect, Holdback, Multiplier, Threshold)
from .reader import Reader, parse_factor
from .yamlsource import Node

RELEASES = (QUARTERLY, YEARLY)


def adjustments(reader: Reader, node: Optional[Node], components: tuple):
    """Each adjustment of the plan, read by the grammar of its kind, with its id and the components it
    applies to (all of them when it names none)."""
    awards = {c.id: c.kind for c in components if c.kind in AWARD_KINDS}
    components = tuple(c for c in components if c.id not in awards)  # the ones that pay money
    component_ids = tuple(c.id for c in components)
    for index, child in enumerate(reader.sequence(node, "adjustments") if node is not None else []):
        path = f"adjustments[{index}]"
        kind = reader.kind(child, path, ADJUSTMENTS, "an adjustment")
        if kind is None:
            continue
        own_keys, read = ADJUSTMENTS[kind]
        keys = reader.mapping(child, path, ("id", "kind", "applies_to") + own_keys, required=("id",))
        adjustment_id = reader.identifier(keys.get("id"), f"{path}.id") if "id" in keys else None
        if adjustment_id:
            reader.claim_id(adjustment_id, keys["id"], f"{path}.id")
        applies_to = reader.names(keys["applies_to"], f"{path}.applies_to") if "applies_to" in keys \
            else component_ids
        for target in applies_to:
            if target in awards:
                reader.problem(keys["applies_to"], f"{path}.applies_to", f"{target!r} is a {awards[target]}: it "
                               "pays no money, so no adjustment acts on it (a raise or benefit can require "
                               "only_if: [no_serious_violation, still_employed])")
            elif target not in component_ids and target not in reader.broken_ids:
                reader.problem(keys["applies_to"], f"{path}.applies_to", f"{target!r} is not a component id")
        adjustment = read(reader, keys, child, path, applies_to, components)
        if adjustment_id and adjustment is not None:
            yield replace(adjustment, id=adjustment_id, applies_to=applies_to, line=child.line)


def threshold(reader: Reader, keys, node, path, applies_to, components) -> Optional[Threshold]:
    if "recovered_at_least" not in keys:
        reader.problem(node, f"{path}.recovered_at_least", "required key is missing")
        return None
    minimum = reader.money(keys["recovered_at_least"], f"{path}.recovered_at_least")
    return None if minimum is None else Threshold(id="", recovered_at_least=minimum, applies_to=())


def cap_floor(reader: Reader, keys, node, path, applies_to, components) -> Optional[CapFloor]:
    first = next((c for c in components if c.id in applies_to), None)
    pay_code = reader.identifier(keys.get("pay_code"), f"{path}.pay_code") if "pay_code" in keys \
        else (first.pay_code if first else "commission")
    cap = reader.money(keys.get("cap"), f"{path}.cap", None)
    floor = reader.money(keys.get("floor"), f"{path}.floor", None)
    if "cap" not in keys and "floor" not in keys:
        reader.problem(node, path, "give a cap, a floor or both")
    if cap is not None and floor is not None and floor > cap:
        reader.problem(keys["floor"], f"{path}.floor", "floor is above cap")
    if cap is None and floor is None:
        return None
    return CapFloor(id="", cap=cap, floor=floor, applies_to=(), pay_code=pay_code or "commission")


def multiplier(reader: Reader, keys, node, path, applies_to, components) -> Optional[Multiplier]:
    kpi = reader.choice(keys.get("kpi"), f"{path}.kpi", KPIS, "attainment")
    bands = []
    for index, child in enumerate(reader.sequence(keys["bands"], f"{path}.bands") if "bands" in keys else []):
        band_path = f"{path}.bands[{index}]"
        band = reader.mapping(child, band_path, ("from", "multiplier"), required=("from", "multiplier"))
        low = reader.kpi_value(band.get("from"), f"{band_path}.from", kpi) if "from" in band else None
        factor = reader.convert(band.get("multiplier"), f"{band_path}.multiplier", parse_factor,
                                "a multiplier such as 0.8 or 1.2") if "multiplier" in band else None
        if low is not None and factor is not None:
            bands.append((low, factor))
    if "bands" not in keys or not bands:
        reader.problem(node, f"{path}.bands", "give bands of {from, multiplier}, the first from 0")
        return None
    reader.check_ascending([low for low, _ in bands], keys["bands"], f"{path}.bands")
    if bands[0][0] != 0:
        reader.problem(keys["bands"], f"{path}.bands[0].from", "the first band must start at 0, so every "
                       "collector falls in a band")
    return Multiplier(id="", kpi=kpi, bands=tuple(bands), applies_to=())


def compliance(reader: Reader, keys, node, path, applies_to, components) -> Optional[Compliance]:
    effects = []
    events = keys.get("events")
    if events is None or not isinstance(events.value, dict) or not events.value:
        reader.problem(node, f"{path}.events", "map event types to effects, e.g. complaint: {deduct: 200.00}")
        return None
    for label, child in events.value.items():
        effect_path = f"{path}.events.{label}"
        effect = reader.mapping(child, effect_path, ("deduct", "forfeit"))
        kind, _, source = label.partition("@")
        event_type, slash, severity = kind.partition("/")
        if event_type not in CONDUCT_EVENTS or (slash and severity not in SEVERITIES) or \
                not re.fullmatch(r"[a-z0-9_]*", source) or (label.endswith("@")):
            reader.problem(None, effect_path, f"{label!r} is not an event: write a type "
                           f"({', '.join(CONDUCT_EVENTS)}), type/severity (severity: {', '.join(SEVERITIES)}), and "
                           "optionally @source (type@regulator, type/severity@customer)",
                           line=events.key_line(label))
            continue
        if ("deduct" in effect) == ("forfeit" in effect):
            reader.problem(child, effect_path, "give exactly one of deduct (an amount or a percentage per "
                           "event) or forfeit: true")
            continue
        if "forfeit" in effect:
            if reader.text(effect["forfeit"], f"{effect_path}.forfeit") not in ("true", "yes"):
                reader.problem(effect["forfeit"], f"{effect_path}.forfeit", "write forfeit: true")
                continue
            effects.append(EventEffect(type=event_type, severity=severity, forfeit=True, line=child.line,
                                       source=source))
            continue
        text = (reader.text(effect["deduct"], f"{effect_path}.deduct") or "").strip()
        if "." not in text and not text.endswith("%"):
            reader.problem(effect["deduct"], f"{effect_path}.deduct", f"{text!r} is ambiguous: write an amount with "
                           f"its decimals ({text}.00) or a percentage ({text}%)")
            continue
        if text.endswith("%"):
            rate = reader.rate(effect["deduct"], f"{effect_path}.deduct")
            if rate is not None:
                effects.append(EventEffect(type=event_type, severity=severity, deduct_rate=rate, line=child.line,
                                           source=source))
        else:
            amount = reader.money(effect["deduct"], f"{effect_path}.deduct")
            if amount is not None:
                effects.append(EventEffect(type=event_type, severity=severity, deduct_amount=amount,
                                           line=child.line, source=source))
    return Compliance(id="", effects=tuple(effects), applies_to=())


def holdback(reader: Reader, keys, node, path, applies_to, components) -> Optional[Holdback]:
    for key in ("percent", "release"):
        if key not in keys:
            reader.problem(node, f"{path}.{key}", "required key is missing")
    rate = reader.rate(keys["percent"], f"{path}.percent") if "percent" in keys else None
    release = reader.choice(keys.get("release"), f"{path}.release", RELEASES, QUARTERLY)
    conditions = read_only_if(reader, keys, path)
    if rate is None:
        return None
    return Holdback(id="", rate=rate, release=release, conditions=conditions, applies_to=())


def read_only_if(reader: Reader, keys: dict, path: str) -> tuple[str, ...]:
    """The `only_if` conditions of a holdback, a raise or a benefit: one or a list of HOLDBACK_CONDITIONS."""
    conditions = reader.names(keys["only_if"], f"{path}.only_if") if "only_if" in keys else ()
    for condition in conditions:
        if condition not in HOLDBACK_CONDITIONS:
            reader.problem(keys["only_if"], f"{path}.only_if", f"{condition!r} is not a condition; use "
                           + ", ".join(HOLDBACK_CONDITIONS))
    return tuple(c for c in conditions if c in HOLDBACK_CONDITIONS)


#: Each adjustment kind: the keys it takes besides id, kind and applies_to, and the function that reads it.
ADJUSTMENTS = {
    "threshold": (("recovered_at_least",), threshold),
    "cap_floor": (("cap", "floor", "pay_code"), cap_floor),
    "multiplier": (("kpi", "bands"), multiplier),
    "compliance": (("events",), compliance),
    "holdback": (("percent", "release", "only_if"), holdback),
}
