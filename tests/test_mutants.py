"""tools/mutants.py stays in sync with the code: every mutant's snippet is still there, exactly once.

The mutation run itself is a tool (minutes per mutant on two cores), not part of the suite;
this test only keeps its list honest, so a refactor that moves a snippet says which entry to fix.
"""

from __future__ import annotations

import importlib.util
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool():
    spec = importlib.util.spec_from_file_location("storykit_mutants", ROOT / "tools" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_mutant_snippet_exists_exactly_once_in_its_file():
    tool = load_tool()
    assert len(tool.MUTANTS) >= 30
    assert tool.problems(ROOT) == []


def test_the_check_notices_a_snippet_that_moved(tmp_path):
    tool = load_tool()
    (tmp_path / "storykit").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("")
    (tmp_path / "storykit" / "a.py").write_text("x = 1\nx = 1\n")
    mutants = [
        tool.Mutant("twice", "storykit/a.py", "x = 1", "x = 2", "found twice", "tests/test_x.py"),
        tool.Mutant("gone", "storykit/a.py", "y = 1", "y = 2", "not there", "tests/test_x.py -k y"),
        tool.Mutant("no-file", "storykit/b.py", "x", "y", "no such file", "tests/test_none.py"),
    ]
    found = tool.problems(tmp_path, mutants)
    assert any(p.startswith("twice:") and "2 times" in p for p in found)
    assert any(p.startswith("gone:") and "0 times" in p for p in found)
    assert any(p.startswith("no-file:") and "storykit/b.py does not exist" in p for p in found)
    assert any(p.startswith("no-file:") and "tests/test_none.py does not exist" in p for p in found)


def test_each_mutant_names_the_tests_that_must_kill_it():
    for m in load_tool().MUTANTS:
        assert m.description and any(a.startswith("tests/test_") for a in shlex.split(m.tests)), m.name
