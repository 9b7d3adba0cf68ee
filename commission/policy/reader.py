"""Located reading of a plan: typed accessors over the YAML tree that return a value or None and
record a Problem with file:line and key path, so a whole plan's faults are reported at once.

The grammar of each part of a plan (classify, components, adjustments, the plan itself) is in its
own module and reads through a Reader.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from fractions import Fraction
from typing import Callable, Optional

from ..errors import Problem, shown
from ..identifiers import text_problem
from ..money import MAX_FACTOR, MoneyError, OutOfBounds, parse_decimal, parse_rate, to_minor
from . import measures
from .yamlsource import Node

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\-]*$")
MISSING = object()  # no default given: the value is required
#: The largest whole number a plan holds (a version, minor units).
MAX_WHOLE = 999_999_999


class Reader:
    """Walks the located tree of one plan file; each accessor returns a value or None and records a Problem."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.minor_units = 2
        self.ids: dict[str, int] = {}
        self.effective_line = 1
        self.bad_labels: dict[str, set] = {}  # labels of classifiers whose ranges had errors
        #: ids of components written but not read (a problem already reported): what names them is not
        #: reported again as naming no component.
        self.broken_ids: set[str] = set()
        self.component_paths: dict[str, str] = {}  # component id -> its path as written (components[2])

    def problem(self, node: Optional[Node], path: str, message: str, line: int = 0) -> None:
        where_line = node.line if node is not None else line
        self.problems.append(Problem(f"{self.source}:{where_line or 1}", path, message))

    def path_of(self, component) -> str:
        """Where a component read is in the plan (components[2]): its place as written, whatever broken
        components before it were left out of the plan read."""
        return self.component_paths.get(component.id, "components")

    def claim_id(self, rule_id: str, node: Node, path: str) -> None:
        if rule_id in self.ids:
            self.problem(node, path, f"id {rule_id!r} is already used at line {self.ids[rule_id]}; ids must be unique")
        else:
            self.ids[rule_id] = node.line

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(node.value, dict):
            self.problem(node, path, "expected a mapping of keys to values")
            return {}
        for key in node.value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]}?" if close else "expected one of: " + ", ".join(allowed)
                self.problem(None, join(path, key), f"unknown key; {hint}", line=node.key_line(key))
        for key in required:
            if key not in node.value:
                self.problem(node, join(path, key), "required key is missing")
        return node.value

    def sequence(self, node: Node, path: str) -> list[Node]:
        if not isinstance(node.value, list):
            self.problem(node, path, "expected a list")
            return []
        return node.value

    def text(self, node: Optional[Node], path: str, default=MISSING) -> Optional[str]:
        if node is None or node.value is None:
            if default is MISSING:
                self.problem(node, path, "a value is required")
                return None
            return default
        if not isinstance(node.value, str):
            self.problem(node, path, "expected a single value, not a list or mapping")
            return None
        return node.value

    def free_text(self, node: Optional[Node], path: str, default=MISSING) -> Optional[str]:
        """Free text (a description, a unit): trimmed, one line without control characters and at most
        TEXT_MAX_LENGTH characters, as free text in every input (identifiers.text_problem)."""
        value = self.text(node, path, default)
        if value is None or node is None or node.value is None:
            return value
        value = value.strip()
        problem = text_problem(value)
        if problem:
            self.problem(node, path, f"{problem}: write one line of plain text")
            return None
        return value

    def kind(self, node: Node, path: str, kinds, what: str) -> Optional[str]:
        """The `kind` of a component or adjustment, one of `kinds`; None (reported) otherwise."""
        kind_node = node.value.get("kind") if isinstance(node.value, dict) else None
        kind = self.text(kind_node, f"{path}.kind")
        if kind is not None and kind not in kinds:
            self.problem(kind_node, f"{path}.kind", f"{kind!r} is not {what} kind; use " + ", ".join(kinds))
            return None
        return kind

    def identifier(self, node: Optional[Node], path: str) -> Optional[str]:
        value = self.text(node, path)
        if value is not None and not _ID.match(value):
            self.problem(node, path, f"{value!r} is not a valid id (letters, digits, _ . + - ; no spaces)")
            return None
        return value

    def choice(self, node: Optional[Node], path: str, options: tuple[str, ...], default: str) -> str:
        """One of `options`; `default` when the key is absent. A key written without a value (`at:`) is
        refused: it reads as a setting, so taking the default silently would hide the slip."""
        if node is not None and node.value is None:
            self.problem(node, path, f"no value given: write one of: {', '.join(options)} (or leave the key out "
                         f"for {default})" if default else f"no value given: write one of: {', '.join(options)}")
            return default
        value = self.text(node, path, default)
        if value is not None and value not in options:
            self.problem(node, path, f"{value!r} is not one of: {', '.join(options)}")
            return default
        return value if value is not None else default

    def convert(self, node: Optional[Node], path: str, parse: Callable, what: str, default=MISSING):
        value = self.text(node, path, default)
        if value is None or node is None or node.value is None:
            return value
        try:
            return parse(value)
        except OutOfBounds as exc:
            self.problem(node, path, f"{shown(value)!r} {exc}")
            return None
        except (MoneyError, ValueError) as exc:
            detail = str(exc)
            restates = not detail or detail.startswith(repr(value)) or detail.startswith(value + " is not")
            self.problem(node, path, f"{shown(value)!r} is not {what}" + ("" if restates else f": {detail}"))
            return None

    def money(self, node, path, default=MISSING) -> Optional[int]:
        """A non-negative amount (caps, floors, thresholds, tier bounds are never below zero)."""
        value = self.convert(node, path, lambda v: to_minor(parse_decimal(v), self.minor_units),
                             "an amount of money", default)
        if value is not None and value < 0:
            self.problem(node, path, "must not be negative")
            return None
        return value

    def rate(self, node, path, default=MISSING) -> Optional[Fraction]:
        rate = self.convert(node, path, parse_rate, "a rate such as 5% or 0.05", default)
        if rate is not None and not 0 <= rate <= 1:
            self.problem(node, path, f"{shown(node.value)} is {'negative' if rate < 0 else 'above 100%'}; "
                         "a commission rate is between 0% and 100% (write 5% or 0.05 for five percent)")
            return None
        return rate

    def integer(self, node, path, default=MISSING) -> Optional[int]:
        return self.convert(node, path, parse_int, "a whole number", default)

    def day(self, node, path, default=MISSING) -> Optional[date]:
        return self.convert(node, path, date.fromisoformat, "a date YYYY-MM-DD", default)

    def names(self, node: Optional[Node], path: str) -> tuple[str, ...]:
        """One value or a list of values, as a tuple of text."""
        if node is not None and isinstance(node.value, list):
            return tuple(v for i, item in enumerate(node.value) if (v := self.text(item, f"{path}[{i}]")))
        value = self.text(node, path)
        return (value,) if value else ()

    def share(self, node, path, default=MISSING) -> Optional[Fraction]:
        """A share of a target such as 100% or 120% (not capped at 100%, unlike a rate). The % is
        required: a bare 100 would be a hundred times the target, a slip nobody would notice."""
        return self.convert(node, path, parse_percentage, "a percentage of the target such as 100% or 120%",
                            default)

    def kpi_value(self, node: Optional[Node], path: str, kpi: str) -> Optional[Fraction]:
        """A threshold on a measure (policy.measures): money for recovered, fees and sums, a whole number
        for counts, points for qa_score, a percentage for the ratios."""
        kind = measures.unit(kpi)
        if kind == measures.MONEY:
            value = self.money(node, path)
            return None if value is None else Fraction(value)
        if kind == measures.COUNT:
            value = self.count(node, path, kpi)
            return None if value is None else Fraction(value)
        if kind == measures.POINTS:
            return self.convert(node, path, lambda v: Fraction(parse_decimal(v)), "a score such as 80")
        return self.convert(node, path, parse_share, "a percentage such as 100% or 1.2")

    def count(self, node: Optional[Node], path: str, measure: str, default=MISSING) -> Optional[int]:
        """A whole number of accounts or promises (a count measure's bound): an amount such as 10.00, or
        anything with a decimal point, is refused, so money is never read as a count."""
        text = self.text(node, path, default)
        if text is None or node is None or node.value is None:
            return text
        if not re.match(r"^\s*\d+\s*$", str(text)):
            self.problem(node, path, f"{shown(str(text))!r}: {measure} counts, so write a whole number such as 10 "
                         "(not an amount or a percentage)")
            return None
        return self.integer(node, path)

    def check_ascending(self, values: list, node: Optional[Node], path: str) -> None:
        if any(b <= a for a, b in zip(values, values[1:])):
            self.problem(node, path, "must be listed in ascending order, without repeats")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parse_int(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError("")
    if abs(value) > MAX_WHOLE:
        raise OutOfBounds(f"is too large (the limit is {MAX_WHOLE})")
    return int(value)


def parse_ratio(text: str) -> Fraction:
    """A non-negative ratio such as 100%, 120% or 1.2 (may exceed 100%, unlike a commission rate)."""
    return factor(parse_rate(text))


def factor(value: Fraction) -> Fraction:
    """A multiplier or a share of a target: not negative, at most MAX_FACTOR (so a total scaled by
    it stays exact in int64; `parse_rate` has already bounded its decimals)."""
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_FACTOR:
        raise OutOfBounds(f"is too large (the limit is {MAX_FACTOR}, or {MAX_FACTOR * 100}%)")
    return value


def parse_share(text: str) -> Fraction:
    """A KPI ratio level: 100%, 120% or 1.2. A bare number above 10 is refused: `100` would be a
    hundred times the target, a slip that would silently never pay."""
    value = parse_rate(text)
    if value > 10 and not str(text).strip().endswith("%"):
        raise ValueError(f"{str(text).strip()} would be {str(text).strip()} times the target; write {text}% "
                         "(a percentage)")
    return factor(value)


def parse_percentage(text: str) -> Fraction:
    if not str(text).strip().endswith("%"):
        raise ValueError("write it with a % sign")
    return parse_ratio(text)


def parse_factor(text: str) -> Fraction:
    """A multiplier, written as a plain number: 0.8, 1 or 1.5 (not 150%)."""
    if str(text).strip().endswith("%"):
        raise ValueError("")
    return factor(parse_rate(text))
