"""User-facing problems: each names where it is (file:line or file:row N), the key and what is wrong.

Errors are data (as in beancount): validators collect every problem they find and raise one
`InputError` holding all of them; the CLI prints them and exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How many problems of one input are listed before the rest are only counted.
MAX_LISTED_PROBLEMS = 50


#: Control characters as visible escapes, so a quoted value never breaks a one-line message.
_VISIBLE = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def shown(value, most: int = 40) -> str:
    """A value quoted in a message: control characters escaped, cut when long (a hostile cell or key
    may hold a megabyte)."""
    text = str(value).translate(_VISIBLE)
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, e.g. ``plan.yaml:12: components[0].rates[2].rate: not a rate``."""

    where: str  # "file:line" or "file:row N"
    key: str  # YAML key path or column name; may be empty
    message: str

    def __str__(self) -> str:
        """One line, however long the values it quotes (a hostile key or cell may hold a megabyte)."""
        key = f" {shown(self.key, 120)}:" if self.key else ""
        return f"{shown(self.where, 300)}:{key} {shown(self.message, 600)}"


class InputError(Exception):
    """Raised with every problem found in the user's inputs; nothing has been written."""

    def __init__(self, problems: list[Problem], hidden: int = 0):
        self.problems = list(problems)
        self.hidden = hidden
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.hidden:
            lines.append(f"... and {self.hidden} more problems of the same kinds")
        return "\n".join(lines)


class ProblemCollector:
    """Accumulates problems, keeping at most MAX_LISTED_PROBLEMS in full and counting the rest."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.limit = limit
        self.problems: list[Problem] = []
        self.hidden = 0

    def add(self, where: str, key: str, message: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(where, key, message))
        else:
            self.hidden += 1

    def extend_hidden(self, count: int) -> None:
        self.hidden += count

    def __bool__(self) -> bool:
        return bool(self.problems) or self.hidden > 0

    def raise_if_any(self) -> None:
        if self:
            raise InputError(self.problems, self.hidden)
