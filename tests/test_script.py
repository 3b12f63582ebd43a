"""The data model: validation, editing and versioned JSON round-trips."""

import json

import pytest

from storykit import InvalidInput, Scene, Script, Triple, plan
from storykit.plan import SCHEMA_VERSION

FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def test_json_round_trip_is_exact(tmp_path):
    script = plan(*FOX, seed=3)
    again = Script.from_json(script.to_json())
    assert again == script
    path = script.save(tmp_path / "s.json")
    assert Script.load(path) == script
    assert json.loads(path.read_text())["version"] == SCHEMA_VERSION


def test_unicode_and_emoji_are_valid():
    t = Triple("ein nebliger Bambuswald 🌫️", "ein kleiner Fuchs 🦊", "sucht eine Laterne")
    script = plan(t)
    assert "🦊" in script.scenes[0].prompt
    assert Script.from_json(script.to_json()) == script


@pytest.mark.parametrize(
    "fields, match",
    [
        (("", "fox", "runs"), "setting is empty"),
        (("   \n\t", "fox", "runs"), "setting is empty"),
        (("forest", None, "runs"), "character must be text"),
        (("forest", "fox", 42), "action must be text"),
        (("forest", "x" * 301, "runs"), "keep it under 300"),
        (("forest\x07", "fox", "runs"), "control character"),
    ],
)
def test_bad_triples_say_what_is_wrong(fields, match):
    with pytest.raises(InvalidInput, match=match) as e:
        Triple(*fields)
    assert "\n" not in str(e.value)


def test_scene_validation():
    with pytest.raises(InvalidInput, match="num_frames must be between 1"):
        Scene(index=0, beat="x", prompt="p", num_frames=0)
    with pytest.raises(InvalidInput, match="unknown scene 0 camera 'dolly'"):
        Scene(index=0, beat="x", prompt="p", camera="dolly")
    with pytest.raises(InvalidInput, match="transition"):
        Scene(index=0, beat="x", prompt="p", transition="wipe")
    with pytest.raises(InvalidInput, match="seed"):
        Scene(index=0, beat="x", prompt="p", seed=-1)
    with pytest.raises(InvalidInput, match="integer"):
        Scene(index=0, beat="x", prompt="p", fps=8.5)


def test_edit_changes_one_scene_and_revalidates():
    script = plan(*FOX)
    before = [s.prompt for s in script.scenes]
    script.edit(2, prompt="a fox dancing in the rain", num_frames=24, camera="zoom_in")
    assert script.scenes[2].prompt == "a fox dancing in the rain"
    assert script.scenes[2].num_frames == 24
    assert [s.prompt for i, s in enumerate(script.scenes) if i != 2] == [p for i, p in enumerate(before) if i != 2]
    with pytest.raises(InvalidInput, match="num_frames"):
        script.edit(2, num_frames=-3)
    assert script.scenes[2].num_frames == 24  # a failed edit changes nothing
    with pytest.raises(InvalidInput, match="cannot edit"):
        script.edit(2, colour="red")
    with pytest.raises(InvalidInput, match="no scene 9"):
        script.edit(9, prompt="x")


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"version": 99, "triple": {}, "scenes": []}', "version 99 is not supported"),
        ('{"version": 1, "scenes": []}', "missing the field 'triple'"),
        ('{"version": 1, "triple": {"setting": "a", "character": "b", "action": "c"}, "scenes": [{"index": 0}]}', "malformed"),
    ],
)
def test_malformed_script_json(text, match):
    with pytest.raises(InvalidInput, match=match):
        Script.from_json(text)


def test_load_missing_or_binary_file(tmp_path):
    with pytest.raises(InvalidInput, match="no script file"):
        Script.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidInput):
        Script.load(bad)


def test_scene_indices_must_be_in_order():
    script = plan(*FOX)
    script.scenes[1].index = 7
    with pytest.raises(InvalidInput, match="indices"):
        script.validate()


def test_repr_and_html_read_well():
    script = plan(*FOX)
    assert "5 scenes" in repr(script)
    html = script._repr_html_()
    assert html.count("<tr>") == 6 and "establish" in html
    assert "establish" in script.table() and "zoom" in script.table()
