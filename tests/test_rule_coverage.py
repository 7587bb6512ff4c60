"""Every rule of the catalogue is proven by at least one test marked with its
ID, and the rulebook mirrors RULES.md exactly."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from coprod.rulebook import rule_ids

TESTS_DIR = Path(__file__).resolve().parent
RULES_MD = TESTS_DIR.parent.parent / "shared" / "RULES.md"

# Rules whose capability is not built yet. Each piece of work removed its
# rules from here; it is now empty and must stay so.
NOT_YET_BUILT: set[str] = set()


def _marked_rules() -> set[str]:
    """Rule IDs named by `pytest.mark.rule("ID")` anywhere under tests/."""
    found: set[str] = set()
    for path in TESTS_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "rule"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                found.update(arg.value for arg in node.args if isinstance(arg, ast.Constant))
    return found


def test_every_built_rule_has_a_marked_test() -> None:
    missing = set(rule_ids()) - _marked_rules() - NOT_YET_BUILT
    assert not missing, f"Rules without a test marked @pytest.mark.rule(ID): {sorted(missing)}"


def test_pending_list_names_only_real_untested_rules() -> None:
    unknown = NOT_YET_BUILT - set(rule_ids())
    assert not unknown, f"Not rule IDs: {sorted(unknown)}"
    done = NOT_YET_BUILT & _marked_rules()
    assert not done, f"These rules have tests now: remove them from NOT_YET_BUILT: {sorted(done)}"


def test_markers_name_real_rules() -> None:
    unknown = _marked_rules() - set(rule_ids())
    assert not unknown, f"Tests marked with unknown rule IDs: {sorted(unknown)}"


def test_rulebook_mirrors_rules_md() -> None:
    if not RULES_MD.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{RULES_MD} is missing in CI")
        pytest.skip(f"{RULES_MD} not found beside the project")
    text = RULES_MD.read_text(encoding="utf-8")
    in_catalogue = set(re.findall(r"^\|\s*([A-Z]+-\d+)\s*\|", text, flags=re.MULTILINE))
    assert in_catalogue == set(rule_ids())
