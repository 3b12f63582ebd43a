"""StoryBench interop on every shipped task-file slice (tests/data/storybench, CC BY 4.0)."""

import json
import re
from pathlib import Path

import pytest

from storykit import STYLES, InvalidInput, Script, plan
from storykit.plan import count_tokens
from storykit.plan import load_storybench, script_from_storybench, script_to_storybench
from storykit.plan.storybench import DANGLING, drop_sounds, shorten, story_gen_backgrounds

STORYBENCH = Path(__file__).resolve().parent / "data" / "storybench"  # CC BY 4.0, Google LLC: see NOTICE.md
FILES = sorted(STORYBENCH.glob("*/*.json"))


def test_storybench_slices_are_there():
    assert len(FILES) == 6, f"expected the StoryBench slices (and prompt-cases/) in {STORYBENCH}"


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


def test_one_background_rule_per_story():
    for path in FILES:
        for i in range(len(load_storybench(path))):
            script = script_from_storybench(path, i)
            bg = script.metadata["storybench_prompts"]["background"]
            for s in script.scenes:
                assert bg in s.prompt
            tails = {s.prompt[len(s.prompt) - len(bg):] for s in script.scenes} if bg else set()
            assert len(tails) <= 1


# What a prompt must not read like, after cutting and after dropping sound clauses.
_SOUND = re.compile(r"\b(sounds?|audible|audio|voices?|noises?|heard|beeps?|beeping|background music|"
                    r"(?:song|music|melody|tune)s?\s+(?:is|are|was|were)\s+(?:playing|heard|on|audible))\b", re.IGNORECASE)
_HEARD_IN_BACKGROUND = re.compile(r"\b(music|songs?|speak(?:s|ing)?|talk(?:s|ing)?|laugh(?:s|ing)?|giggl\w*|yell(?:s|ing)?|"
                                  r"shout(?:s|ing)?|scream(?:s|ing)?|sing(?:s|ing)?|chat(?:s|ting)?)\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;:]\s*[,;:.!?]|\s[,;:.!?]|;|\s{2}|^[\s,;:.]|[\s,;:]$|\.,|\b(?:and|or|but)\s*[,.]|,\s*(?:and|or)$",
                         re.IGNORECASE)
_LEAD_THEN_SEPARATOR = re.compile(r"^in the background\s*[,;:]", re.IGNORECASE)


def _words(text):
    return re.findall(r"[a-z0-9'-]+", text.lower())


def _original_background(path, entry):
    if entry.get("background"):
        return entry["background"]
    table = story_gen_backgrounds(path.parent)
    hit = table.get(entry.get("comment")) or table.get(re.sub(r"_\d+$", "", entry.get("comment") or ""))
    return hit["background"] if hit else ""


def prompt_problems(prompt, background, sentence, original_background):
    """Dangling words, sound clauses and separator artefacts in one scene's prompt (empty: none)."""
    found = []
    head = prompt[: len(prompt) - len(background) - 2] if background and prompt.endswith(", " + background) else prompt
    for part, original in ((head, sentence), (background, original_background)):
        w = _words(part)
        # a part that does not end as the annotator's text ends was cut (or lost a clause): it must end on a content word
        if w and w[-3:] != _words(original)[-3:] and w[-1] in DANGLING:
            found.append(f"dangling {w[-1]!r}: {part[-50:]!r}")
        if _LEAD_THEN_SEPARATOR.search(part):
            found.append(f"separator after the lead-in: {part[:40]!r}")
    if _SOUND.search(prompt):
        found.append(f"sound: {_SOUND.search(prompt)[0]!r}")
    if background and _HEARD_IN_BACKGROUND.search(background):
        found.append(f"heard in the background: {_HEARD_IN_BACKGROUND.search(background)[0]!r}")
    if _SEPARATORS.search(prompt):
        found.append(f"separator: {_SEPARATORS.search(prompt)[0]!r} in {prompt!r}")
    return found


def test_every_prompt_reads_cleanly():
    """Every scene of every shipped entry: no dangling word, no sound clause, no separator artefact."""
    problems, count = [], 0
    for path in FILES:
        for i, entry in enumerate(load_storybench(path)):
            script = script_from_storybench(path, i)
            bg = script.metadata["storybench_prompts"]["background"]
            for scene, sentence in zip(script.scenes, entry["texts"]):
                count += 1
                problems += [f"{path.parent.name}/{path.name}#{i}: {p}" for p in
                             prompt_problems(scene.prompt, bg, sentence, _original_background(path, entry))]
    assert count == 265 + 51 and not problems, "\n".join(problems[:20])


def test_the_prompt_checks_catch_what_they_should():
    """The checker itself: each artefact the issue found, caught."""
    assert prompt_problems("A man is taking pictures of them from", "", "A man is taking pictures of them from the roof.", "")
    assert prompt_problems("A man runs, in the background the song is playing, trees", "in the background the song is playing, trees",
                           "A man runs.", "x")
    assert prompt_problems("A man runs, in the background; green trees", "in the background; green trees", "A man runs.", "x")
    assert prompt_problems("A man runs, there are trees, a sky, and", "there are trees, a sky, and", "A man runs.", "x y z")
    assert not prompt_problems("The man hugs her", "", "The man hugs her.", "")  # the annotator's own ending


def test_shorten_cuts_at_a_phrase_boundary():
    text = ("A man wearing a black jacket and a woman in a red dress are taking pictures of the children from the "
            "balcony while the crowd below is cheering and the camera slowly pans across the decorated square")
    for room in range(12, 40):
        short = shorten(text, room)
        assert count_tokens(short) <= room and _words(short)[-1] not in DANGLING, (room, short)
    assert shorten("trees, a sky, a grey surface, a parked white car with a", 12) == "trees, a sky, a grey surface"


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
    assert drop_sounds("In the background, the song is playing, there is a grey floor, a beep.", background=True)[0] == \
        "In the background, there is a grey floor."
    assert drop_sounds("trees, a red apple and, music and some miscellaneous sound is audible.", background=True)[0] == \
        "trees, a red apple."
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
