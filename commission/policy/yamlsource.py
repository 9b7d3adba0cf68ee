"""YAML read into a tree that remembers the line of every key and value.

Scalars stay as the text the user wrote (YAML's own float resolution never runs), so a
rate written 0.05 is parsed exactly by `commission.money`, and every later problem can be
reported as ``file:line: key.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import yaml

from ..errors import InputError, Problem

_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class Node:
    """A YAML value with its 1-based line: a dict of str -> Node, a list of Node, text, or None.

    For a mapping, `key_lines` gives the line of each key (where a person looks for a typo).
    """

    value: Union[dict, list, str, None]
    line: int
    key_lines: Optional[dict] = None

    def key_line(self, key: str) -> int:
        return (self.key_lines or {}).get(key, self.line)


def parse_yaml(text: str, source: str) -> Node:
    """Parse YAML text into located nodes; a syntax error or duplicate key becomes an InputError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, source)]) from None
    if root is None:
        raise InputError([Problem(f"{source}:1", "", "the file is empty")])
    problems: list[Problem] = []
    tree = _convert(root, source, problems, "")
    if problems:
        raise InputError(problems)
    return tree


def _syntax_problem(exc: yaml.YAMLError, source: str) -> Problem:
    """Point at the construct the parser was reading (where the mistake usually is), and say where it stopped."""
    mark = getattr(exc, "problem_mark", None)
    stopped = mark.line + 1 if mark else 1
    reason = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line + 1 != stopped:
        line = context_mark.line + 1
        reason += f" ({context}; the parser stopped on line {stopped})"
    else:
        line = stopped
    return Problem(f"{source}:{line}", "", f"not valid YAML: {reason}")


def _convert(node: yaml.Node, source: str, problems: list[Problem], path: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if key in result:
                problems.append(Problem(f"{source}:{key_node.start_mark.line + 1}", key_path,
                                        f"duplicate key (first given on line {key_lines[key]})"))
                continue
            key_lines[key] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, source, problems, key_path)
        return Node(result, line, key_lines)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, source, problems, f"{path}[{i}]") for i, item in enumerate(node.value)], line)
    text = node.value
    if node.tag.endswith(":null") or (node.style is None and text in _NULLS):
        return Node(None, line)
    return Node(str(text), line)
