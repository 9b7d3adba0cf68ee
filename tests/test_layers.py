"""The package's map, checked from the source: every import (also those inside functions) goes to the
same layer or one below it, and no chain of imports comes back to where it started.

Layers, inside out (docs/DESIGN and the README's layout): the base (money, periods, errors,
identifiers, i18n, fonts); policy; inputs; engine; what a run becomes (outputs, statements,
simulation, store, sample); app, the workflows; the interfaces (cli, web).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "commission"
LAYERS = {"money": 0, "periods": 0, "errors": 0, "identifiers": 0, "i18n": 0, "fonts": 0, "policy": 1,
          "inputs": 2, "engine": 3, "outputs": 4, "statements": 4, "simulation": 4, "store": 4, "sample": 4, "app": 5, "cli": 6, "web": 6,
          "__main__": 7}


def module_name(path: Path) -> str:
    parts = ["commission", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imports(name: str) -> set[str]:
    """The package's modules that module `name` imports, anywhere in it."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    base = name.split(".") if is_package(name) else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("commission")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
            elif (node.module or "").startswith("commission"):
                target = node.module
            else:
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
    return {module for module in found if module in MODULES} - {name}


def layer(name: str) -> int:
    """The layer of a module; the package itself holds only its version, at the base."""
    parts = name.split(".")
    return LAYERS.get(parts[1], -1) if len(parts) > 1 else 0


GRAPH = {name: imports(name) for name in MODULES}


def test_every_module_has_a_layer():
    assert [name for name in MODULES if layer(name) < 0] == []


def test_no_import_goes_up_a_layer():
    upward = sorted(f"{name} ({layer(name)}) imports {target} ({layer(target)})"
                    for name, targets in GRAPH.items() for target in targets if layer(target) > layer(name))
    assert upward == []


def test_the_engine_and_the_app_never_reach_outwards():
    for name, targets in GRAPH.items():
        if name.startswith("commission.engine"):
            assert not {t for t in targets if t.split(".")[1] in ("outputs", "store", "app", "cli")}, name
        if name.startswith("commission.app"):
            assert not {t for t in targets if t.split(".")[1:2] in (["cli"], ["web"])}, name
        if name.startswith("commission.web"):  # the web app calls the workflows, never the store or engine
            assert not {t for t in targets if t.split(".")[1:2] in (["cli"], ["engine"], ["outputs"], ["statements"])}, name


def test_no_cycle():
    """Depth-first search for a module reachable from itself."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[name] = 2
        path.pop()
        return None

    for name in sorted(GRAPH):
        if name not in state:
            assert (cycle := visit(name)) is None, " -> ".join(cycle)


def test_every_package_says_what_its_layer_is_for():
    for name, path in MODULES.items():
        if path.name == "__init__.py":
            assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{name} has no docstring"


def test_the_graph_is_read_at_all():
    """A guard against a parser that finds nothing: known edges are there."""
    assert "commission.engine.rules.registry" in GRAPH["commission.engine.rules.tiers"]
    assert "commission.app.runs" in GRAPH["commission.cli.runs"]
