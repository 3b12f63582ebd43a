"""The studio's callbacks, driven headless: plan → edit scene 2 → render → only scene 2 re-renders → export."""

import pytest

from storykit.studio.widgets import Studio


@pytest.fixture
def studio(tmp_path):
    s = Studio(backend="animatic", cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", height=64, width=96)
    s.num_scenes.value = 4
    return s


def test_plan_edit_render_only_changed_scene_then_export(studio, tmp_path):
    script = studio.plan()
    assert len(studio.rows) == 4 == len(script.scenes)
    clips = studio.render_all()
    assert studio.last_rendered == [0, 1, 2, 3]
    assert all(c.frames.shape[1:] == (64, 96, 3) for c in clips)
    assert studio.story is not None and studio.story.fps == 24

    studio.rows[2]["prompt"].value += ", under a full moon"
    studio.render_all()
    assert studio.last_rendered == [2]
    assert studio.script.scenes[2].prompt.endswith("under a full moon")

    studio.rows[1]["camera"].value = "tilt_down" if studio.rows[1]["camera"].value != "tilt_down" else "pan_left"
    studio.render_scene(1)
    assert studio.last_rendered == [1]
    studio.render_scene(1)
    assert studio.last_rendered == []  # unchanged: from the cache

    result = studio.export(gif=False)
    names = sorted(p.name for p in result.paths)
    assert names == ["story.manifest.json", "story.mp4", "story.narration.txt", "story.srt", "story.vtt"]
    assert sorted(p.name for p in studio.export(gif=False).paths)[1] == "story-2.mp4"  # never clobbers


def test_errors_show_in_the_log_and_the_app_stays_usable(studio):
    studio.setting.value = "   "
    studio._safely(studio.plan)
    assert "setting is empty" in studio.messages[-1]
    studio._safely(studio.export)
    assert "Render all first" in studio.messages[-1]
    studio.setting.value = "a windy hilltop"
    assert studio._safely(studio.plan) is not None  # works again after the error
    studio.rows[0]["num_frames"].value = 3
    studio._safely(studio.render_scene, 0)
    assert studio.clips[0].num_frames == 3


def test_buttons_call_the_same_callbacks(studio):
    studio.plan_button.click()
    assert studio.script is not None and len(studio.scene_box.children) == 4
    studio.rows[0]["button"].click()
    assert 0 in studio.clips
