"""Issue 25 (reliability, round three): the cache deletes only its own files, replays say when they
can't be exact, every number and name has a limit, and hostile input gives one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storykit import InvalidInput
from storykit.cli import main
from storykit.generate import RenderConfig, render_story
from storykit.generate.cache import ClipCache
from storykit.testing import FakeBackend, example_script

CFG = RenderConfig(height=64, width=64)
FOREIGN = ("experiment_0.npz", "experiment_1.npz", "experiment_2.npz", "fn0.npz", "results.npz")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("storykit: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def _cache_with(folder: Path, foreign=FOREIGN, scenes: int = 2) -> dict[str, bytes]:
    """A cache folder holding `scenes` real entries and the user's own .npz files; returns the user's files' bytes."""
    render_story(example_script(scenes), FakeBackend(), CFG, cache_dir=folder, progress=False)
    mine = {}
    for k, name in enumerate(foreign):
        np.savez(folder / name, results=np.arange(k + 3))
        mine[name] = (folder / name).read_bytes()
    return mine


# -- 1. the cache never deletes what it did not write ----------------------------------------


@pytest.mark.parametrize("argv", [["clear"], ["prune", "--max", "0"]])
def test_cache_command_refuses_a_folder_with_foreign_files_and_deletes_nothing(tmp_path, capsys, argv):
    folder = tmp_path / "clips"
    mine = _cache_with(folder)
    before = sorted(p.name for p in folder.iterdir())
    assert main(["cache", *argv, "--cache-dir", str(folder)]) == 2
    err = one_line_error(capsys)
    assert "did not write" in err and "experiment_0.npz" in err and "2 more" in err
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing at all was deleted
    assert all((folder / n).read_bytes() == b for n, b in mine.items())


def test_python_clear_and_prune_refuse_too(tmp_path):
    folder = tmp_path / "clips"
    _cache_with(folder, foreign=("results.npz",))
    cache = ClipCache(folder)
    for op in (cache.clear, lambda: cache.prune(0)):
        with pytest.raises(InvalidInput, match="did not write"):
            op()
    assert (folder / "results.npz").is_file() and len(cache) == 2


def test_automatic_prune_beside_foreign_files_deletes_nothing_and_says_so_once(tmp_path, capsys):
    folder = tmp_path / "clips"
    mine = _cache_with(folder, scenes=1)
    cache = ClipCache(folder, max_bytes=0)  # every put would prune everything else
    render_story(example_script(3), FakeBackend(), CFG, cache_dir=cache, progress=False)
    assert all((folder / n).read_bytes() == b for n, b in mine.items())
    assert len(cache) == 3  # the old entry stays too: nothing is pruned in a shared folder
    err = [ln for ln in capsys.readouterr().err.splitlines() if "not pruning" in ln]
    assert len(err) == 1 and "did not write" in err[0]


def test_an_entry_name_without_an_entry_inside_is_never_deleted(tmp_path):
    folder = tmp_path / "clips"
    render_story(example_script(2), FakeBackend(), CFG, cache_dir=folder, progress=False)
    lookalike = folder / ("ab" * 32 + ".npz")  # the name pattern, but the user's arrays inside
    np.savez(lookalike, results=np.arange(5))
    text = folder / ("cd" * 32 + ".npz")
    text.write_text("not a zip")
    assert ClipCache(folder).clear() == 2
    assert lookalike.is_file() and text.is_file()
    assert sorted(p.name for p in folder.iterdir()) == sorted([lookalike.name, text.name])


def test_a_clean_cache_still_clears_and_prunes(tmp_path, capsys):
    folder = tmp_path / "clips"
    _cache_with(folder, foreign=(), scenes=3)
    (folder / ".DS_Store").write_bytes(b"\0")  # what a file browser leaves is not the user's data
    assert main(["cache", "prune", "--cache-dir", str(folder), "--max", "0"]) == 0
    assert "deleted 3" in capsys.readouterr().out
    assert (folder / ".DS_Store").is_file()


@pytest.mark.parametrize("where", ["home", "above home", "project root"])
def test_cache_dir_at_a_home_or_project_root_is_refused(tmp_path, monkeypatch, capsys, where):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    target = {"home": home, "above home": home.parent, "project root": tmp_path / "proj"}[where]
    target.mkdir(exist_ok=True)
    if where == "project root":
        (target / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    entry = target / ("ef" * 32 + ".npz")  # even a real-looking entry there is left alone
    np.savez(entry, format=np.array(2), metadata=np.array("{}"), checksum=np.array("x"), frames=np.zeros(1))
    for argv in (["cache", "clear"], ["cache", "prune", "--max", "0"], ["cache", "info"]):
        assert main([*argv, "--cache-dir", str(target)]) == 2
        assert "cannot be" in one_line_error(capsys)
    assert entry.is_file()


@pytest.mark.parametrize("size", ["9" * 400, "9" * 400 + "GiB", "1" + "0" * 30 + " TiB"])
def test_a_huge_cap_is_one_line(tmp_path, capsys, size):
    assert main(["cache", "prune", "--cache-dir", str(tmp_path / "c"), "--max", size]) == 2
    assert "too large" in one_line_error(capsys)
