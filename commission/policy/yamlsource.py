"""YAML read into a tree that remembers the line of every key and value.

Scalars stay as the text the user wrote (YAML's own float resolution never runs), so a
rate written 0.05 is parsed exactly by `commission.money`, and every later problem can be
reported as ``file:line: key.path: message``.

A plan file is hostile until read: the tree is built straight from the parser's events, with
no recursion (PyYAML's composer recurses once per level), checking as it goes the file's size,
how deep lists and mappings nest, and how many values it holds once aliases are expanded (a
"billion laughs" file holds billions of values in a few lines). Each bound is one problem with
the file and line, found in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import yaml
from yaml.composer import ComposerError

from ..errors import InputError, Problem

_NULLS = {"", "~", "null", "Null", "NULL"}
#: The most a plan file may hold: bytes, levels of nested lists and mappings, and values (scalars,
#: lists and mappings) once every alias is expanded. Real plans use a few KB, under 10 levels and a
#: few thousand values.
MAX_YAML_BYTES = 1 << 20
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 100_000


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


def check_size(size: int, source: str) -> None:
    """Refuse a plan file larger than MAX_YAML_BYTES."""
    if size > MAX_YAML_BYTES:
        raise InputError([Problem(f"{source}:1", "", f"the file is over 1 MiB ({MAX_YAML_BYTES:,} bytes), the most "
                                  "a plan file may be")])


def parse_yaml(text: str, source: str) -> Node:
    """Parse YAML text into located nodes; a syntax error, a duplicate key or a file past one of the
    bounds becomes an InputError."""
    check_size(len(text.encode("utf-8")), source)
    builder = _Builder(source)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            builder.feed(event)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, source)]) from None
    if builder.root is None:
        raise InputError([Problem(f"{source}:1", "", "the file is empty")])
    if builder.problems:
        raise InputError(builder.problems)
    return builder.root


_NO_KEY, _BAD_KEY = object(), object()


@dataclass
class _Open:
    """A list or mapping whose end event has not come yet."""

    start: yaml.Event
    path: str
    items: Union[list, dict]
    key_lines: dict = field(default_factory=dict)
    key: object = _NO_KEY  # a mapping's key waiting for its value
    key_line: int = 0
    size: int = 1  # values inside, aliases expanded, itself included
    height: int = 1  # levels of lists and mappings, itself included


@dataclass(frozen=True)
class _Anchored:
    node: Node
    size: int
    height: int
    key: Optional[str]  # the scalar's text, for an alias used as a mapping key
    start: yaml.Event


class _Builder:
    """Turns parser events into Nodes as they come, with no recursion, refusing a file past a bound."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, _Anchored] = {}
        self.root: Optional[Node] = None
        self.root_start: Optional[yaml.Event] = None
        self.values = 0

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent) and self.root_start is not None:
            raise ComposerError("expected a single document in the stream", self.root_start.start_mark,
                                "but found another document", event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            self.claim_anchor(event)
            self.count(1, event)
            null = (event.tag or "").endswith(":null") or (event.style is None and event.value in _NULLS)
            self.place(Node(None if null else str(event.value), _line(event)), 1, 0, event, event.value)
        elif isinstance(event, yaml.CollectionStartEvent):
            self.claim_anchor(event)
            self.check_depth(len(self.stack) + 1, event)
            self.count(1, event)
            mapping = isinstance(event, yaml.MappingStartEvent)
            self.stack.append(_Open(event, self.child_path(), {} if mapping else []))
        elif isinstance(event, yaml.CollectionEndEvent):
            done = self.stack.pop()
            mapping = isinstance(done.items, dict)
            node = Node(done.items, _line(done.start), done.key_lines if mapping else None)
            self.place(node, done.size, done.height, done.start, None)
        elif isinstance(event, yaml.AliasEvent):
            if any(open_.start.anchor == event.anchor for open_ in self.stack):
                raise self.bound(event, f"alias *{event.anchor} is used inside the value it names, which would "
                                 "make an endless structure")
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            anchored = self.anchors[event.anchor]
            self.check_depth(len(self.stack) + anchored.height, event)
            self.count(anchored.size, event)
            self.place(anchored.node, anchored.size, anchored.height, event, anchored.key, alias=True)

    def place(self, node: Node, size: int, height: int, start: yaml.Event, key: Optional[str],
              alias: bool = False) -> None:
        """Put a finished value where it belongs: the root, a list item, a mapping key or its value."""
        if start.anchor is not None and not alias:
            self.anchors[start.anchor] = _Anchored(node, size, height, key, start)
        if not self.stack:
            self.root, self.root_start = node, start
            return
        parent = self.stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.items, list):
            parent.items.append(node)
        elif parent.key is _NO_KEY:
            parent.key, parent.key_line = (str(key), _line(start)) if key is not None else (_BAD_KEY, 0)
            if key is None:
                self.problems.append(Problem(f"{self.source}:{_line(start)}", parent.path,
                                             "a key must be plain text, not a list or mapping"))
        else:
            name, line = parent.key, parent.key_line
            parent.key = _NO_KEY
            if name is _BAD_KEY:
                return
            if name in parent.items:
                self.problems.append(Problem(f"{self.source}:{line}", _join(parent.path, name),
                                             f"duplicate key (first given on line {parent.key_lines[name]})"))
                return
            parent.items[name] = node
            parent.key_lines[name] = line

    def child_path(self) -> str:
        """The key path of the value about to start (where its own problems are reported)."""
        if not self.stack:
            return ""
        parent = self.stack[-1]
        if isinstance(parent.items, list):
            return f"{parent.path}[{len(parent.items)}]"
        return _join(parent.path, parent.key) if isinstance(parent.key, str) else parent.path

    def claim_anchor(self, event: yaml.Event) -> None:
        """PyYAML's rule, kept: an anchor name is defined once per file."""
        name = event.anchor
        if name is None:
            return
        first = self.anchors[name].start if name in self.anchors else \
            next((open_.start for open_ in self.stack if open_.start.anchor == name), None)
        if first is not None:
            raise ComposerError(f"found duplicate anchor {name!r}; first occurrence", first.start_mark,
                                "second occurrence", event.start_mark)

    def check_depth(self, depth: int, event: yaml.Event) -> None:
        if depth > MAX_YAML_DEPTH:
            raise self.bound(event, f"lists and mappings nested more than {MAX_YAML_DEPTH} levels deep; a plan "
                             "needs far fewer")

    def count(self, values: int, event: yaml.Event) -> None:
        self.values += values
        if self.values > MAX_YAML_NODES:
            raise self.bound(event, f"the file holds more than {MAX_YAML_NODES:,} values once its aliases (*name) "
                             "are expanded; a plan needs far fewer")

    def bound(self, event: yaml.Event, message: str) -> InputError:
        return InputError([Problem(f"{self.source}:{_line(event)}", "", message)])


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


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
