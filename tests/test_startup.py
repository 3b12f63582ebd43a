"""`storykit plan` starts fast: CLIP counts from remembered pieces, exact, without building the tokenizer."""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys

import pytest

from storykit.plan import tokens


@pytest.fixture
def fresh_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tokens, "_piece_counts", None)
    return tmp_path / "home" / "clip_piece_tokens.json"


def test_remembered_counts_equal_the_tokenizer(fresh_counts):
    tok = tokens.clip_tokenizer()
    rng = random.Random(0)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " \t\n" + "'" * 6 + "sStTdDmMlLrReEvV"
    texts = ["", "a small red fox in a blue scarf", "The fox's lantern -- isn't it?!", "x''s 3.14 a_b <b>",
             "cinematic, 35mm film, shallow depth of field", "don't STOP'll 've'd're'm",
             *("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(300))]
    for text in texts:
        assert tokens.count_tokens(text) == len(tokens._ids(text, tok)), repr(text)
    assert fresh_counts.is_file()  # remembered for the next process


@pytest.mark.parametrize("text", ["café au lait", "キツネ", "a\x1cb", "<|endoftext|> fox"])
def test_other_text_is_counted_by_the_tokenizer_itself(fresh_counts, text):
    assert tokens._remembered_count(text) is None
    assert tokens.count_tokens(text) == len(tokens._ids(text, tokens.clip_tokenizer()))


def test_a_second_plan_does_not_build_the_tokenizer(tmp_path):
    env = {**os.environ, "STORYKIT_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-X", "importtime", "-m", "storykit", "plan", "--setting", "a misty bamboo forest",
           "--character", "a small red fox", "--action", "searches for a lost lantern"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert first.stdout == again.stdout  # the same script, prompts fitted the same way
    assert "| tokenizers" in first.stderr  # the first plan on a machine builds it once
    assert "| tokenizers" not in again.stderr and "| transformers" not in again.stderr


_THREADS_AFTER_NUMPY = ("import io, os, sys; sys.stdout = io.StringIO(); {before}; sys.stdout = sys.__stdout__; import numpy; numpy.ones((64, 64)) @ numpy.ones((64, 64));"
                        "print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'))")


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2, reason="counts Linux threads")
@pytest.mark.parametrize("before, user, want", [
    ("pass", None, "many threads"),                                        # numpy alone: OpenBLAS's pool
    ("from storykit.cli import main; main([])", None, "1 1"),              # a storykit command: one thread
    ("from storykit.cli import main; main([])", "2", "2 2"),               # the user's own setting stands
    ("import numpy; from storykit.cli import main; main([])", None, "untouched"),  # numpy already there
])
def test_a_command_runs_numpy_without_openblas_spinning_threads(before, user, want):
    """OpenBLAS's threads spin on the CPU after import: 0.2 s of a first animatic story's 1.25 s of Python."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if user:
        env["OPENBLAS_NUM_THREADS"] = user
    out = subprocess.run([sys.executable, "-c", _THREADS_AFTER_NUMPY.format(before=before)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    threads, setting = int(out[0]), out[1]
    if want == "many threads":
        assert threads >= 2 and setting == "None"  # else this machine cannot show the difference
    elif want == "untouched":
        assert setting == "None"
    else:
        assert f"{threads} {setting}" == want


def test_counts_remembered_under_another_key_are_never_used(fresh_counts):
    """Counts made by other code or another vocabulary (an older storykit) are counted again, not trusted."""
    import json

    fresh_counts.parent.mkdir(parents=True)
    fresh_counts.write_text(json.dumps({"key": "made by another tokens.py", "value": {"fox": 99, "a": 99}}))
    assert tokens.count_tokens("a fox") == 2
    assert json.loads(fresh_counts.read_text())["value"] == {"a": 1, "fox": 1}  # written again under today's key
