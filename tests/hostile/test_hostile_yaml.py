"""Hostile plan files: alias bombs, deep nesting and huge files are refused with one file:line
problem and exit 2 (never MemoryError or RecursionError), and the event-built tree is the tree
PyYAML's composer would give for every ordinary document."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import flat_plan
from commission.cli import main
from commission.errors import InputError
from commission.policy import load_policy, parse_policy
from commission.policy.yamlsource import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES, Node, parse_yaml

PLAN = flat_plan("safe")


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: each level is `width` aliases of the level below (9x9: 387 million values)."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return PLAN + "\n".join(lines) + "\n"


def validate(path: Path) -> list[str]:
    """`commission validate` on one file: must exit 2 cleanly; returns the problem lines."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[-1] == "error: 1 problem"
    return lines[:-1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_billion_laughs_9x9_is_refused_at_the_line_where_the_expansion_passes_the_bound(tmp_path):
    path = write(tmp_path, billion_laughs())
    # a0 holds 10 values, a1 91, ... a5 531,441 with aliases expanded: the bound is passed on a5's line.
    assert validate(path) == [f"{path}:15: the file holds more than {MAX_YAML_NODES:,} values once its aliases "
                              "(*name) are expanded; a plan needs far fewer"]


def test_five_thousand_nested_lists_are_refused_without_recursion(tmp_path):
    path = write(tmp_path, PLAN + "deep: " + "[" * 5000 + "]" * 5000 + "\n")
    assert validate(path) == [f"{path}:10: lists and mappings nested more than {MAX_YAML_DEPTH} levels deep; a plan "
                              "needs far fewer"]


def test_five_thousand_nested_block_lists_and_mappings_are_refused(tmp_path):
    path = write(tmp_path, PLAN + "deep:\n  " + "- " * 5000 + "x\n")
    assert validate(path)[0].endswith(f"nested more than {MAX_YAML_DEPTH} levels deep; a plan needs far fewer")
    path = write(tmp_path, PLAN + "deep: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n")
    assert validate(path)[0].endswith(f"nested more than {MAX_YAML_DEPTH} levels deep; a plan needs far fewer")


def test_a_two_mib_plan_is_refused_unread(tmp_path):
    path = write(tmp_path, PLAN + "# padding\n" * (2 * 1024 * 1024 // 10))
    assert path.stat().st_size > 2 * 1024 * 1024 - 100
    assert validate(path) == [f"{path}:1: the file is over 1 MiB (1,048,576 bytes), the most a plan file may be"]


def test_a_plan_of_exactly_the_size_bound_is_read(tmp_path):
    text = PLAN + "#" * (MAX_YAML_BYTES - len(PLAN.encode()) - 1) + "\n"
    assert len(text.encode()) == MAX_YAML_BYTES
    assert load_policy(write(tmp_path, text)).plan == "safe"
    with pytest.raises(InputError, match="over 1 MiB"):
        parse_policy(text + "#", source="plan.yaml")


def test_an_alias_inside_the_value_it_names_is_refused(tmp_path):
    path = write(tmp_path, PLAN + "loop: &a [1, *a]\n")
    assert validate(path) == [f"{path}:10: alias *a is used inside the value it names, which would make an endless "
                              "structure"]


def test_aliases_deeper_than_the_bound_once_expanded_are_refused():
    shallow = "[" * 40 + "]" * 40
    text = f"a: &a {shallow}\nb: {'[' * 30}*a{']' * 30}\n"  # 30 levels holding the 40 of *a
    with pytest.raises(InputError, match="nested more than 64 levels deep"):
        parse_yaml(text, "x.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("a: &x 1\nb: &x 2\n", "not valid YAML: second occurrence (found duplicate anchor 'x'; first occurrence; the "
                           "parser stopped on line 2)"),
    ("a: *nowhere\n", "not valid YAML: found undefined alias 'nowhere'"),
    ("a: 1\n---\nb: 2\n", "not valid YAML: but found another document (expected a single document in the stream; "
                          "the parser stopped on line 2)"),
    ("? [a, b]\n: 1\n", "a key must be plain text, not a list or mapping"),
], ids=["duplicate-anchor", "undefined-alias", "two-documents", "list-as-key"])
def test_other_strange_yaml_is_one_problem(text, message):
    with pytest.raises(InputError) as raised:
        parse_yaml(text, "x.yaml")
    assert [p.message for p in raised.value.problems] == [message]


def test_ordinary_aliases_still_work_and_mean_the_same_as_writing_the_value_out():
    shared = parse_policy(PLAN.replace("      - {rate: 5%}", "      - &five {rate: 5%}\n      - *five"), "plan.yaml")
    written = parse_policy(PLAN.replace("      - {rate: 5%}", "      - {rate: 5%}\n      - {rate: 5%}"), "plan.yaml")
    assert [r.rate for r in shared.components[0].rules] == [r.rate for r in written.components[0].rules]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_YAML_DEPTH + 20))
def test_nesting_is_refused_exactly_past_the_depth_bound(levels):
    text = "x: " + "[" * levels + "]" * levels + "\n"  # the root mapping is level 1
    if levels + 1 <= MAX_YAML_DEPTH:
        assert parse_yaml(text, "x.yaml").value["x"].line == 1
    else:
        with pytest.raises(InputError, match="nested more than"):
            parse_yaml(text, "x.yaml")


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=-3, max_value=3), st.sampled_from([9, 99]))
def test_values_are_refused_exactly_past_the_expansion_bound(offset, width):
    """a: &a [width scalars], b: [aliases of a]: 1 root + 2 keys + (width + 1) + 1 list + (width + 1) per alias."""
    aliases = (MAX_YAML_NODES - 4 - (width + 1)) // (width + 1) + offset
    text = f"a: &a [{', '.join(['1'] * width)}]\nb: [{', '.join(['*a'] * aliases)}]\n"
    values = 1 + 2 + (width + 1) + 1 + aliases * (width + 1)
    if values <= MAX_YAML_NODES:
        assert len(parse_yaml(text, "x.yaml").value["b"].value) == aliases
    else:
        with pytest.raises(InputError, match="values once its aliases"):
            parse_yaml(text, "x.yaml")


# -- the event-built tree is the composer's tree ------------------------------------------------

def composed(node: yaml.Node) -> Node:
    """What the located tree was before: PyYAML's composer, then a recursive walk (shallow test data)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        values, lines = {}, {}
        for key, value in node.value:
            if str(key.value) not in values:
                values[str(key.value)] = composed(value)
                lines[str(key.value)] = key.start_mark.line + 1
        return Node(values, line, lines)
    if isinstance(node, yaml.SequenceNode):
        return Node([composed(item) for item in node.value], line)
    null = node.tag.endswith(":null") or (node.style is None and node.value in {"", "~", "null", "Null", "NULL"})
    return Node(None if null else str(node.value), line)


scalars = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.sampled_from(["~", "null", ""]))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                         max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([None, True, False]))
def test_the_tree_is_the_one_the_composer_gives(document, flow):
    text = yaml.safe_dump({"root": document}, default_flow_style=flow, allow_unicode=True)
    assert parse_yaml(text, "x.yaml") == composed(yaml.compose(text, Loader=yaml.SafeLoader))
