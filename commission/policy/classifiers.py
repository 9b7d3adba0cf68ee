"""The grammar of `classify:`: named ranges over a ledger field (overdue buckets by days past due,
debt-size bands by balance) that tile the line with no gap and no overlap."""

from __future__ import annotations

import re
from typing import Optional

from ..errors import shown
from ..money import MoneyError, OutOfBounds, parse_decimal, to_minor
from .model import CLASSIFIABLE_FIELDS, Classifier, Interval
from .reader import Reader
from .yamlsource import Node

DEFAULT_CLASSIFIER_FIELDS = {"bucket": "days_past_due", "band": "balance"}
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^,\s]+)\s*([\])])\s*$")


def classifiers(reader: Reader, node: Optional[Node]) -> tuple[Classifier, ...]:
    if node is None:
        return ()
    if not isinstance(node.value, dict):
        reader.problem(node, "classify", "expected a mapping of classifier names (bucket, band) to ranges")
        return ()
    return tuple(c for name, child in node.value.items() if (c := classifier(reader, name, child)))


def classifier(reader: Reader, name: str, node: Node) -> Optional[Classifier]:
    path = f"classify.{name}"
    if isinstance(node.value, dict) and "ranges" in node.value:
        keys = reader.mapping(node, path, ("field", "ranges"))
        field = reader.text(keys.get("field"), f"{path}.field", DEFAULT_CLASSIFIER_FIELDS.get(name))
        ranges_node, ranges_path = keys["ranges"], f"{path}.ranges"
    else:
        field, ranges_node, ranges_path = DEFAULT_CLASSIFIER_FIELDS.get(name), node, path
    if field is None:
        reader.problem(node, f"{path}.field",
                       "say which ledger field to classify by (days_past_due, balance or amount)")
        return None
    if field not in CLASSIFIABLE_FIELDS:
        reader.problem(node, f"{path}.field", f"{field!r} cannot be classified; use one of: "
                       + ", ".join(CLASSIFIABLE_FIELDS))
        return None
    if not isinstance(ranges_node.value, dict) or not ranges_node.value:
        reader.problem(ranges_node, ranges_path, "expected labels with ranges, e.g. M1: \"[1, 30]\"")
        return None
    is_money = CLASSIFIABLE_FIELDS[field]
    labelled = []
    for label, child in ranges_node.value.items():
        interval = read_interval(reader, child, f"{ranges_path}.{label}", is_money)
        # A bad range is reported once; its label stays defined so rules naming it raise nothing more.
        labelled.append((label, interval, child))
    if any(interval is None for _, interval, _ in labelled):
        reader.bad_labels[name] = {label for label, _, _ in labelled}
        return None
    check_partition(reader, labelled, ranges_path)
    labelled.sort(key=lambda item: item[1].low)
    return Classifier(name=name, field=field, labels=tuple(label for label, _, _ in labelled),
                      intervals=tuple(interval for _, interval, _ in labelled), line=node.line)


def read_interval(reader: Reader, node: Node, path: str, is_money: bool) -> Optional[Interval]:
    text = reader.text(node, path)
    if text is None:
        return None
    match = _INTERVAL.match(text)
    if not match:
        reader.problem(node, path, f"{text!r} is not a range; write \"[1, 30]\" (both ends included), "
                       "\"[0, 5000)\" (upper end excluded) or \"[181, inf)\"")
        return None
    opening, low_text, high_text, closing = match.groups()
    try:
        low = bound(reader, low_text, is_money)
        high = None if high_text.lower() in ("inf", "+inf") else bound(reader, high_text, is_money)
    except (MoneyError, ValueError) as exc:
        reader.problem(node, path, f"{text!r}: {exc}")
        return None
    if low is None:
        reader.problem(node, path, f"{text!r}: the lower end must be a number")
        return None
    # Normalise to [low, high) on integers (days, or minor units).
    low = low if opening == "[" else low + 1
    if high is not None and closing == "]":
        high += 1
    if high is not None and high <= low:
        reader.problem(node, path, f"{text!r} is empty: the upper end must be above the lower end")
        return None
    return Interval(low=low, high=high, text=text.strip())


def bound(reader: Reader, text: str, is_money: bool) -> Optional[int]:
    if text.lower() in ("-inf", "inf", "+inf"):
        return None
    value = parse_decimal(text)
    if is_money:
        try:
            return to_minor(value, reader.minor_units)
        except OutOfBounds as exc:
            raise MoneyError(f"{shown(text)} {exc}") from None
    if value != value.to_integral_value():
        raise ValueError(f"{text} is not a whole number of days")
    return int(value)


def check_partition(reader: Reader, labelled: list, path: str) -> None:
    """Ranges must tile a line with no gap and no overlap."""
    ordered = sorted(labelled, key=lambda item: item[1].low)
    for (label_a, a, node_a), (label_b, b, node_b) in zip(ordered, ordered[1:]):
        if a.high is None or a.high > b.low:
            reader.problem(node_b, f"{path}.{label_b}", f"{b.text} overlaps {label_a} {a.text}")
        elif a.high < b.low:
            reader.problem(node_b, f"{path}.{label_b}", f"gap between {label_a} {a.text} and {label_b} {b.text}: "
                           "values in between would match no range")
