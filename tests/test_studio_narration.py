"""The studio's narration: an editable line next to each prompt, ▶ to hear it, a voice dropdown,
and an edited line is the only one synthesised again."""

import base64
import dataclasses
import json
import re

import numpy as np
import pytest

from storykit.studio.widgets import Studio


@pytest.fixture
def studio(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYKIT_VOICE_CACHE", str(tmp_path / "voice"))
    s = Studio(backend="animatic", cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", height=64, width=64)
    s.num_scenes.value = 3
    return s


def test_hear_a_line_edit_it_and_only_that_line_is_spoken_again(studio):
    script = studio.plan()
    planned = [s.text for s in script.scenes]
    assert [r["line"].value for r in studio.rows] == [s.text for s in script.scenes]
    assert "auto" in studio.voice.options and "none" in studio.voice.options and "ja" in studio.voice.options
    speaker = studio._speaker(script)
    said = []
    real = speaker.speak
    speaker.speak = lambda text, speed=1.0: (said.append(text), real(text, speed))[1]

    speech = studio.hear(1)
    assert said == [script.scenes[1].text] and speech.duration > 0.3
    assert "<audio" in studio.rows[1]["audio"].outputs[0]["data"]["text/html"]

    studio.render_all()
    first = studio.export(gif=False)
    assert sorted(said[1:]) == sorted([script.scenes[0].text, script.scenes[2].text])  # line 1 came from the cache
    studio.rows[2]["line"].value = "The fox finds the lantern under the moon."
    second = studio.export(gif=False)
    assert said[3:] == ["The fox finds the lantern under the moon."]  # only the edited line
    lines = json.loads(second.manifest.read_text())["narration"]["lines"]
    assert lines[2]["text"] == "The fox finds the lantern under the moon."
    assert json.loads(first.manifest.read_text())["narration"]["lines"][2]["text"] == planned[2]
    assert first.audio and second.audio


def test_voice_none_exports_a_silent_story(studio):
    studio.plan()
    studio.voice.value = "none"
    studio.render_all()
    result = studio.export(gif=False)
    assert not result.audio and json.loads(result.manifest.read_text())["narration"] is None
    studio._click(studio.hear, 0, row=0)  # the ▶ button: refused on the row, not raised
    assert "choose a voice" in studio.messages[-1] and "choose a voice" in studio.rows[0]["status"].value


def test_the_narrated_preview_is_encoded_again_only_when_the_lines_timing_changes(studio, studio_encodes, tmp_path):
    """The player's narrated story: the same lines, the same video; lines 2 s longer hold their
    scenes longer, so it is made again, and shows every frame of the new story."""
    import mediapy

    studio.plan()
    studio.render_all()
    studio.export(gif=False)
    shown = studio.player.value
    studio_encodes.clear()
    studio.export(gif=False)
    assert not studio_encodes and studio.player.value == shown
    frames = len(studio.story.frames)

    speak = studio._speak

    def slower(speaker, text):
        speech = speak(speaker, text)
        return dataclasses.replace(speech, samples=np.concatenate([speech.samples, np.zeros(2 * speech.sample_rate,
                                                                                            np.float32)]))

    studio._speak = slower
    studio.export(gif=False)
    assert studio_encodes["player"] == 1 and studio_encodes["segments"] >= 1 and len(studio.story.frames) > frames
    (tmp_path / "player.mp4").write_bytes(base64.b64decode(re.search(r'base64,([^"]+)"', studio.player.value)[1]))
    assert len(mediapy.read_video(str(tmp_path / "player.mp4"))) == len(studio.story.frames)
