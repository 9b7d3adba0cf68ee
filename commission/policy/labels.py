"""A plan's own names for its components and rules, per language: `label: {en: Volume bonus, zh: 阶梯奖励}`
on a component, an adjustment, a rate row or a tier. Statements, explain and the plan in words show
the label instead of the id; without one they use the kind's default from the catalogue (i18n).

The labels are taken out of the plan's tree before the grammars read it, so every kind accepts
`label` without each grammar listing it.
"""

from __future__ import annotations

from ..i18n import LANGUAGES
from .reader import Reader
from .yamlsource import Node

#: Lists inside a component whose rows may carry their own id and label.
INNER = ("rates", "tiers")


def take_labels(reader: Reader, *sections) -> dict[str, dict[str, str]]:
    """{id: {language: label}} of every labelled rule in `sections` (the components and adjustments
    lists), removing each `label` from the tree; a label without an id, in an unknown language or
    empty is a problem at its line."""
    labels: dict[str, dict[str, str]] = {}
    for section, name in zip(sections, ("components", "adjustments")):
        for k, item in enumerate(_items(section)):
            path = f"{name}[{k}]"
            _take(reader, item, path, labels)
            for inner in INNER:
                for j, row in enumerate(_items(item.value.get(inner) if isinstance(item.value, dict) else None)):
                    _take(reader, row, f"{path}.{inner}[{j}]", labels)
    return labels


def _items(node) -> list[Node]:
    return [n for n in node.value if isinstance(n, Node)] if node is not None and isinstance(node.value, list) \
        else []


def _take(reader: Reader, node: Node, path: str, labels: dict) -> None:
    if not isinstance(node.value, dict) or "label" not in node.value:
        return
    label = node.value.pop("label")
    path = f"{path}.label"
    rule_id = node.value.get("id")
    if rule_id is None or not isinstance(rule_id.value, str):
        reader.problem(label, path, "a label names a rule by its id: give this rule an id")
        return
    if not isinstance(label.value, dict) or not label.value:
        reader.problem(label, path, "expected a label per language, e.g. {en: Volume bonus, zh: 阶梯奖励}")
        return
    texts = {}
    for lang, text in label.value.items():
        if lang not in LANGUAGES:
            reader.problem(text, f"{path}.{lang}", f"unknown language; use {', '.join(LANGUAGES)}")
        elif not isinstance(text.value, str) or not text.value.strip():
            reader.problem(text, f"{path}.{lang}", "expected the label's text")
        else:
            texts[lang] = text.value.strip()
    labels[rule_id.value] = texts
