"""User-facing problems: each names where it is (file:line or file:row N), the key and what is wrong.

Errors are data (as in beancount): validators collect every problem they find and raise one
`InputError` holding all of them; an interface prints them (the CLI with exit code 2).

A problem about an input as a whole, rather than a place in a file, names the input's role
(`role="state"`), and a message that points the user at an option writes `option("state")`; each
interface renders roles in its own words (the CLI as its flags, `--state`), so the layers below
never name a flag or a form field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

#: How many problems of one input are listed before the rest are only counted.
MAX_LISTED_PROBLEMS = 50


#: Control characters as visible escapes, so a quoted value never breaks a one-line message.
_VISIBLE = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def shown(value, most: int = 40) -> str:
    """A value quoted in a message: control characters escaped, cut when long (a hostile cell or key
    may hold a megabyte)."""
    text = str(value).translate(_VISIBLE)
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"


#: An interface's name for a role: the CLI's is its flag, `--state`; plain text keeps the role.
Names = Callable[[str], str]
_OPTION = re.compile(r"<<([a-z][a-z-]*)>>")


def option(role: str) -> str:
    """The option or input `role` inside a message, for each interface to name in its own words."""
    return f"<<{role}>>"


def plain(role: str) -> str:
    return role


def with_names(text: str, names: Names = plain) -> str:
    """`text` with each option(role) in it named by the interface."""
    return _OPTION.sub(lambda match: names(match.group(1)), text)


def named_as(text: str, names: Mapping[str, str]) -> str:
    """`text` with each file path of `names` written as the name people know the file by (a server's
    restored copy by the name it was uploaded with); longest first, so no path is cut inside another."""
    for path in sorted(names, key=len, reverse=True):
        text = text.replace(path, names[path])
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, e.g. ``plan.yaml:12: components[0].rates[2].rate: not a rate``.

    `role` names the input or option the problem is about (state, roster, period, out...) where
    no file or line says it."""

    where: str  # "file:line" or "file:row N"; empty when the problem is about a role
    key: str  # YAML key path or column name; may be empty
    message: str
    role: str = ""

    def render(self, names: Names = plain) -> str:
        """One line, however long the values it quotes (a hostile key or cell may hold a megabyte)."""
        where = shown(self.where, 300) if self.where else names(self.role)
        key = self.key or (names(self.role) if self.where and self.role else "")
        message = with_names(self.message, names)
        return f"{where}:{f' {shown(key, 120)}:' if key else ''} {shown(message, 600)}"

    def __str__(self) -> str:
        return self.render()


class InputError(Exception):
    """Raised with every problem found in the user's inputs; nothing has been written."""

    def __init__(self, problems: list[Problem], hidden: int = 0):
        self.problems = list(problems)
        self.hidden = hidden
        super().__init__(self.render())

    def render(self, names: Names = plain) -> str:
        lines = [p.render(names) for p in self.problems]
        if self.hidden:
            lines.append(f"... and {self.hidden} more problems of the same kinds")
        return "\n".join(lines)


class ProblemCollector:
    """Accumulates problems, keeping at most MAX_LISTED_PROBLEMS in full and counting the rest."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.limit = limit
        self.problems: list[Problem] = []
        self.hidden = 0

    def add(self, where: str, key: str, message: str, role: str = "") -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(where, key, message, role))
        else:
            self.hidden += 1

    def extend_hidden(self, count: int) -> None:
        self.hidden += count

    def attempt(self, work: Callable, *args, **kwargs):
        """`work(*args, **kwargs)`, or None with the problems it raised kept here: a run reads every input
        and reports all their problems at once, not one input per attempt."""
        try:
            return work(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                self.add(problem.where, problem.key, problem.message, problem.role)
            self.extend_hidden(exc.hidden)
            return None

    def __bool__(self) -> bool:
        return bool(self.problems) or self.hidden > 0

    def raise_if_any(self) -> None:
        if self:
            raise InputError(self.problems, self.hidden)
