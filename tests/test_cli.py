"""The command line: plan output, JSON files, and one-line errors with exit status 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storykit.cli import main

STORYBENCH = Path(__file__).resolve().parent / "data" / "storybench"  # CC BY 4.0, Google LLC: see NOTICE.md
FOX = ["--setting", "a misty bamboo forest at dawn", "--character", "a small red fox in a blue scarf", "--action", "searches for a lost lantern"]


def test_plan_prints_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "script.json"
    assert main(["plan", *FOX, "--scenes", "6", "--style", "anime", "--seed", "4", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "establish" in text and "resolution" in text and str(out) in text
    data = json.loads(out.read_text())
    assert len(data["scenes"]) == 6 and data["style"] == "anime" and data["seed"] == 4
    # Refuses to clobber, then replaces with --overwrite.
    assert main(["plan", *FOX, "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["plan", *FOX, "-o", str(out), "--overwrite"]) == 0


def test_plan_from_storybench(capsys):
    assert main(["plan", "--storybench", str(STORYBENCH / "oops-test" / "story_gen.json"), "--index", "0"]) == 0
    assert "trampoline" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["plan", "--setting", " ", "--character", "a fox", "--action", "runs"], "setting is empty"),
        (["plan", "--setting", "forest", "--character", "a fox"], "missing --action"),
        (["plan", *FOX, "--style", "vaporwave"], "unknown style"),
        (["plan", *FOX, "--scenes", "12"], "--scenes must be"),
        (["plan", "--script", "/nonexistent/s.json"], "no script file"),
        (["plan", "--storybench", "/nonexistent/x.json"], "no StoryBench file"),
        (["plan", "--script", "a.json", *FOX], "exactly one story"),
        (["plan", *FOX, "-o", "/nonexistent-dir/s.json"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_corrupt_script_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "triple": 5}')
    assert main(["plan", "--script", str(bad)]) == 2
    assert "error" in capsys.readouterr().err


def test_python_dash_m_and_help_teaches():
    r = subprocess.run([sys.executable, "-m", "storykit", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "storykit render --setting" in r.stdout
    r = subprocess.run([sys.executable, "-m", "storykit", "plan", "--scenes", "x"], capture_output=True, text=True)
    assert r.returncode == 2 and "invalid int value" in r.stderr and "Traceback" not in r.stderr


def test_an_unknown_option_shows_that_commands_help():
    proc = subprocess.run([sys.executable, "-m", "storykit", "cache", "info", "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("usage: storykit cache") and "prune" in proc.stderr
    assert proc.stderr.strip().endswith("storykit cache: error: unrecognized arguments: --bogus")


def test_storykit_studio_checks_for_voila_without_importing_it(monkeypatch, capsys):
    """Voilà runs in its own process, so the launcher only looks for it (importing it cost 2 s of start-up);
    without it, `storykit studio` says what to install, in one line."""
    import importlib.util
    import socket

    monkeypatch.delitem(sys.modules, "voila", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["studio", "--port", str(port)]) == 2  # checked after Voilà is found: the port is taken
        assert capsys.readouterr().err.strip() == f"storykit: error: port {port} on 127.0.0.1 is already in use; " \
                                                  "choose another port"
        assert "voila" not in sys.modules
        find_spec = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "voila" else find_spec(name, *a))
        monkeypatch.setitem(sys.modules, "voila", None)  # as if it were not installed
        assert main(["studio", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'storykit[notebook]'" in err[0], err
