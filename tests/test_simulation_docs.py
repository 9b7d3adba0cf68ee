"""Executable documentation: every command in docs/simulation.md runs here, and prints what the page shows.

- a ```yaml file=PATH block is a file the examples use: written at PATH in the folder they run in (a copy of
  the repository's policies/ and sample_data/);
- a ```console block is a command and its output: the first line `$ commission ...` runs through the real
  command line in that folder, and what it prints must be exactly the lines below it: its standard output
  when it succeeds, its error output with `exit=N` after ```console (the exit code it must end with).

The blocks run in the order of the page, in one folder, so a later example may read what an earlier wrote.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from commission.cli import main

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "simulation.md"
_FENCE = re.compile(r"^```([A-Za-z0-9_-]*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass
class Block:
    lang: str
    info: dict
    text: str
    line: int


def read_blocks() -> list[Block]:
    source = DOC.read_text(encoding="utf-8")
    return [Block(m.group(1), dict(part.split("=", 1) for part in m.group(2).split() if "=" in part), m.group(3),
                  source.count("\n", 0, m.start()) + 1) for m in _FENCE.finditer(source)]


BLOCKS = read_blocks()
FILES = [b for b in BLOCKS if b.lang == "yaml" and "file" in b.info]
COMMANDS = [b for b in BLOCKS if b.lang == "console"]


def test_the_page_has_its_examples():
    assert len(COMMANDS) >= 4 and FILES
    for block in COMMANDS:
        assert block.text.startswith("$ commission "), f"{DOC.name}:{block.line}: a console block starts with a command"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of the repository's plans and sample data, with the files the page shows."""
    folder = tmp_path_factory.mktemp("docs")
    for name in ("policies", "sample_data"):
        shutil.copytree(REPO / name, folder / name)
    for block in FILES:
        path = folder / block.info["file"]
        assert path.resolve().is_relative_to(folder.resolve())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("block", COMMANDS, ids=[f"line{b.line}" for b in COMMANDS])
def test_every_command_prints_what_the_page_shows(block, folder, monkeypatch):
    monkeypatch.chdir(folder)
    command, *expected = block.text.rstrip("\n").split("\n")
    args = shlex.split(command[len("$ commission "):])
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    exit_code = int(block.info.get("exit", 0))
    where = f"{DOC.name}:{block.line}"
    assert result.exit_code == exit_code, f"{where}: exit code {result.exit_code}\n{result.output}"
    printed = result.stdout if exit_code == 0 else result.stderr
    assert printed.rstrip("\n").split("\n") == expected, f"{where}: the command printed\n{printed}"


def test_the_yaml_files_are_valid_plans(folder):
    result = CliRunner().invoke(main, ["validate", *(str(folder / b.info["file"]) for b in FILES)])
    assert result.exit_code == 0, result.output
