"""YAML read into a tree that remembers the line of every key and value.

Scalars stay as the text the user wrote (YAML's own float resolution never runs), so a
rate written 0.05 is parsed exactly by `commission.money`, and every later problem can be
reported as ``file:line: key.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import yaml

from ..errors import InputError, Problem

_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class Node:
    """A YAML value with its 1-based line: a dict of str -> Node, a list of Node, text, or None."""

    value: Union[dict, list, str, None]
    line: int


def parse_yaml(text: str, source: str) -> Node:
    """Parse YAML text into located nodes; a syntax error or duplicate key becomes an InputError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(f"{source}:{line}", "", f"not valid YAML: {reason}")]) from None
    if root is None:
        raise InputError([Problem(f"{source}:1", "", "the file is empty")])
    problems: list[Problem] = []
    tree = _convert(root, source, problems)
    if problems:
        raise InputError(problems)
    return tree


def _convert(node: yaml.Node, source: str, problems: list[Problem]) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                problems.append(Problem(f"{source}:{key_node.start_mark.line + 1}", key, "duplicate key"))
                continue
            result[key] = _convert(value_node, source, problems)
        return Node(result, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, source, problems) for item in node.value], line)
    text = node.value
    if node.tag.endswith(":null") or (node.style is None and text in _NULLS):
        return Node(None, line)
    return Node(str(text), line)
