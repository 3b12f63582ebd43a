"""StoryBench interop on every shipped task-file slice (tests/data/storybench, CC BY 4.0)."""

import json
from pathlib import Path

import pytest

from storykit import InvalidInput, Script, plan
from storykit.plan import load_storybench, script_from_storybench, script_to_storybench

STORYBENCH = Path(__file__).resolve().parent / "data" / "storybench"  # CC BY 4.0, Google LLC: see NOTICE.md
FILES = sorted(STORYBENCH.glob("*/*.json"))


def test_storybench_slices_are_there():
    assert len(FILES) == 5, f"expected the StoryBench slices in {STORYBENCH}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_entry_round_trips(path):
    entries = json.loads(path.read_text())
    for i, entry in enumerate(entries):
        script = script_from_storybench(path, i)
        assert [s.num_frames for s in script.scenes] == entry["exact_frames_per_prompt"]  # kept exactly
        assert all(s.fps == 8 for s in script.scenes)
        assert len(script.scenes) == len(entry["texts"])
        back = script_to_storybench(Script.from_json(script.to_json()))
        assert back["texts"] == [" ".join(t.split()) for t in entry["texts"]]
        assert {k: v for k, v in back.items() if k != "texts"} == {k: v for k, v in entry.items() if k != "texts"}


def test_sentence_leads_the_prompt_within_77_tokens():
    from storykit.plan import count_tokens

    for path in FILES:
        for i in range(len(load_storybench(path))):
            script = script_from_storybench(path, i)
            for s in script.scenes:
                assert count_tokens(s.prompt) <= 75
                assert s.prompt.startswith(s.text[:40])


def test_planned_script_exports_as_story_gen():
    script = plan("a quiet harbour", "an old sailor", "mends a net", num_frames=12)
    entry = script_to_storybench(script)
    assert entry["storybench_mode"] == "story_gen"
    assert entry["exact_frames_per_prompt"] == [12] * 5
    assert entry["background"] == "a quiet harbour"
    assert sum(entry["exact_frames_per_prompt"]) == script.num_frames


@pytest.mark.parametrize(
    "entry, match",
    [
        ({"exact_frames_per_prompt": [8]}, "missing texts"),
        ({"texts": ["a"], "exact_frames_per_prompt": [8, 9]}, "one frame count per sentence"),
        ({"texts": [], "exact_frames_per_prompt": []}, "non-empty list"),
        ({"texts": ["a"], "exact_frames_per_prompt": [0]}, "positive integers"),
        ({"texts": [3], "exact_frames_per_prompt": [8]}, "non-empty list of sentences"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_entries(entry, match):
    with pytest.raises(InvalidInput, match=match):
        script_from_storybench(entry)


def test_bad_files(tmp_path):
    with pytest.raises(InvalidInput, match="no StoryBench file"):
        load_storybench(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{oops")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_storybench(tmp_path / "x.json")
    (tmp_path / "y.json").write_text('{"texts": []}')
    with pytest.raises(InvalidInput, match="JSON list"):
        load_storybench(tmp_path / "y.json")
    with pytest.raises(InvalidInput, match="index must be"):
        script_from_storybench(STORYBENCH / "oops-test" / "story_gen.json", 99)


def test_other_fps_is_refused_on_export():
    script = plan("a quiet harbour", "an old sailor", "mends a net")
    script.edit(1, fps=24)
    with pytest.raises(InvalidInput, match="8 fps"):
        script_to_storybench(script)
