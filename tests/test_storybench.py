"""StoryBench interop on every shipped task-file slice (tests/data/storybench, CC BY 4.0)."""

import json
import re
from pathlib import Path

import pytest

from storykit import STYLES, InvalidInput, Script, plan
from storykit.plan import load_storybench, script_from_storybench, script_to_storybench
from storykit.plan.storybench import drop_sounds

STORYBENCH = Path(__file__).resolve().parent / "data" / "storybench"  # CC BY 4.0, Google LLC: see NOTICE.md
FILES = sorted(STORYBENCH.glob("*/*.json"))


def test_storybench_slices_are_there():
    assert len(FILES) == 5, f"expected the StoryBench slices in {STORYBENCH}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_entry_round_trips_exactly(path):
    entries = json.loads(path.read_text())
    for i, entry in enumerate(entries):
        script = script_from_storybench(path, i)
        assert [s.num_frames for s in script.scenes] == entry["exact_frames_per_prompt"]  # kept exactly
        assert all(s.fps == 8 for s in script.scenes)
        assert len(script.scenes) == len(entry["texts"])
        back = script_to_storybench(Script.from_json(script.to_json()))
        assert back == entry  # sentences verbatim: trailing spaces, newlines, \xa0 and all
        assert json.dumps(back) == json.dumps(entry)  # same fields in the same order


def test_round_trip_keeps_odd_whitespace_and_writes_edits():
    entry = {"texts": ["A man  runs.\n", "He\xa0falls. "], "exact_frames_per_prompt": [9, 7], "background": None,
             "storybench_mode": "story_gen", "comment": "x.y"}
    script = script_from_storybench(entry)
    assert [s.text for s in script.scenes] == ["A man runs.", "He falls."]  # tidy captions
    assert script_to_storybench(Script.from_json(script.to_json())) == entry
    script.edit(1, text="He stands up.", num_frames=5)
    back = script_to_storybench(script)
    assert back["texts"] == ["A man  runs.\n", "He stands up."] and back["exact_frames_per_prompt"] == [9, 5]


def _clean(text):
    return " ".join(text.split())


def test_prompts_lead_with_the_sentence_within_77_tokens():
    from storykit.plan import count_tokens

    for path in FILES:
        for i in range(len(load_storybench(path))):
            script = script_from_storybench(path, i)
            assert script.style == "none"
            for s in script.scenes:
                assert count_tokens(s.prompt) <= 75
                assert s.prompt.startswith(" ".join(s.text.split()[:3]))
                assert "., " not in s.prompt and not s.prompt.endswith(".")
                assert "cinematic" not in s.prompt


def test_one_background_rule_per_story_and_no_sounds():
    sound = re.compile(r"\b(sounds?|audible|voices?|music is playing|speaking)\b", re.IGNORECASE)
    for path in FILES:
        for i in range(len(load_storybench(path))):
            script = script_from_storybench(path, i)
            bg = script.metadata["storybench_prompts"]["background"]
            for s in script.scenes:
                assert bg in s.prompt
                assert not sound.search(s.prompt.replace(s.text.rstrip("."), "")), s.prompt
            tails = {s.prompt[len(s.prompt) - len(bg):] for s in script.scenes} if bg else set()
            assert len(tails) <= 1


def test_background_is_joined_without_a_stray_full_stop():
    script = script_from_storybench(STORYBENCH / "oops-test" / "story_gen.json", 0)
    assert script.scenes[0].prompt.startswith("A man wearing white shorts is jumping on a trampoline, there is a green grass")
    assert "music" not in script.scenes[0].prompt and "laughing" not in script.scenes[0].prompt
    assert any("sound descriptions" in n for n in script.notes)


def test_drop_sounds():
    assert drop_sounds("In the background, music is playing and a man is laughing and speaking.", background=True)[0] == ""
    text, dropped = drop_sounds("In the background, there are trees, a sky, and the voice of people speaking is audible.",
                                background=True)
    assert text == "In the background, there are trees, a sky." and dropped
    assert drop_sounds("A man is talking to the camera while music is playing.")[0] == "A man is talking to the camera."
    assert drop_sounds("A girl is singing on a stage.")[0] == "A girl is singing on a stage."  # visible: kept


@pytest.mark.parametrize("task", ["didemo-test/story_cont.json", "uvo-test/action_exe.json"])
def test_conditioning_tasks_recover_the_background(task):
    path = STORYBENCH / task
    gen = {e["comment"]: e for e in load_storybench(path.parent / "story_gen.json")}
    for i, entry in enumerate(load_storybench(path)):
        script = script_from_storybench(path, i)
        assert entry["background"] is None
        assert script.metadata["storybench_prompts"]["background_source"], entry["comment"]
        assert script.metadata["storybench_prompts"]["background"] or any("left out" in n for n in script.notes)
        assert script_to_storybench(script)["background"] is None  # the entry itself is unchanged
        assert entry["comment"] in gen or entry["comment"].rsplit("_", 1)[0] in gen
    alone = script_from_storybench(load_storybench(path)[0])  # a bare dict: no folder to look in
    assert alone.metadata["storybench_prompts"]["background"] == ""
    assert script_from_storybench(load_storybench(path)[0], folder=path.parent).metadata["storybench_prompts"]["background"]


def test_neutral_style_exists():
    assert STYLES["none"].suffix == ""
    with pytest.raises(InvalidInput, match="unknown style"):
        script_from_storybench(STORYBENCH / "oops-test" / "story_gen.json", 0, style="noir-ish")
    styled = script_from_storybench(STORYBENCH / "oops-test" / "story_gen.json", 0, style="cinematic")
    assert all(s.prompt.count("cinematic") <= 1 for s in styled.scenes)


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


def test_storybench_video_is_the_clips_joined_with_cuts_whatever_the_script_says():
    import numpy as np

    from storykit.generate import Clip
    from storykit.stitch.storybench_files import assemble_story
    from storykit.testing import example_script

    script = example_script(3, num_frames=5)
    for scene, transition in zip(script.scenes, ("crossfade", "fade_black", "fade_white")):
        scene.transition = transition  # a planned story's transitions: StoryBench counts frames, so none apply
    rng = np.random.default_rng(0)
    clips = [Clip(rng.integers(0, 256, (5, 64, 64, 3), dtype=np.uint8), 8, i, {"backend": "test"}) for i in range(3)]
    video = assemble_story(clips, script)
    np.testing.assert_array_equal(video, np.concatenate([c.frames for c in clips]))
