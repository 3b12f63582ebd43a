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
    assert names == ["story.manifest.json", "story.mp4", "story.srt", "story.vtt"]
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
    assert studio.clips[0].duration == 3 / 8  # 3 frames at 8 fps (the animatic draws them at the story's 24)


def test_buttons_call_the_same_callbacks(studio):
    studio.plan_button.click()
    assert studio.script is not None and len(studio.scene_box.children) == 4
    studio.rows[0]["button"].click()
    assert 0 in studio.clips


# -- issue 16: what the studio shows, and that it never shows or exports the wrong story ------------


def test_newest_message_is_on_the_status_line_and_errors_on_the_clicked_row(studio):
    studio.plan()
    assert "Planned 4 scenes" in studio.status.value
    studio.rows[1]["prompt"].value = "   "
    studio.rows[1]["button"].click()
    assert "Scene 2: prompt is empty" in studio.rows[1]["status"].value and "prompt is empty" in studio.status.value
    assert "#b00020" in studio.rows[1]["status"].value  # shown as an error
    assert studio.rows[0]["status"].value == ""


def test_render_this_scene_restitches_and_export_never_mixes_versions(studio, tmp_path):
    import json

    import numpy as np

    studio.plan()
    studio.render_all()
    before = studio.story.frames.copy()
    studio.rows[1]["seed"].value += 1
    studio.render_scene(1)
    assert studio.story is not None and not np.array_equal(before, studio.story.frames)  # the new scene 2 is in it
    # Edited but not rendered: Export renders it first, so video and manifest describe the same scenes.
    studio.rows[2]["seed"].value += 1
    result = studio.export(gif=False)
    assert studio.last_rendered == [2]
    manifest = json.loads(result.manifest.read_text())
    assert [s["seed"] for s in manifest["scenes"]] == [r["seed"].value for r in studio.rows]
    assert manifest["story"]["num_frames"] == studio.story.num_frames


def test_plan_with_a_new_triple_drops_the_old_story_and_a_failed_plan_blocks_render(studio):
    studio.plan()
    studio.render_all()
    assert studio.story_out.outputs
    studio.setting.value = "a neon city at night"
    studio._safely(studio.render_all)  # fields changed, Plan not pressed: refuse, do not render the old script
    assert "press Plan" in studio.messages[-1]
    studio.plan()
    assert studio.story is None and not studio.story_out.outputs and studio.clips == {}
    studio.render_all()
    studio.character.value = ""
    studio._safely(studio.plan)
    assert "character is empty" in studio.status.value
    assert studio.story is None and not studio.story_out.outputs
    studio.last_rendered = ["untouched"]
    studio._safely(studio.render_all)
    assert "the last Plan failed" in studio.messages[-1] and studio.last_rendered == ["untouched"]


def test_buttons_are_disabled_while_work_runs_and_a_double_click_renders_once(studio, monkeypatch):
    import storykit.generate.render as render

    studio.plan()
    seen, labels = [], []
    studio.progress.observe(lambda ch: labels.append(ch["new"]), names="description")
    real = render.render_scene

    def spy(*a, **k):
        seen.append([b.disabled for b in studio._buttons()])
        return real(*a, **k)

    monkeypatch.setattr(render, "render_scene", spy)
    studio.render_button.click()
    studio.render_button.click()  # handled right after the first: it queued up while that one ran
    assert len(seen) == 4 and all(all(state) for state in seen)
    assert not any(b.disabled for b in studio._buttons())
    assert "Scene 1/4" in labels and "Stitching…" in labels
    studio.export_button.click()
    assert "Exporting…" in labels and "Exported: " in studio.status.value


def test_previews_average_pixels_and_scenes_count_from_one(studio):
    import numpy as np

    from storykit.studio.widgets import PREVIEW_WIDTH, _downscale

    checker = np.zeros((2, 512, 512, 3), np.uint8)
    checker[:, ::2, ::2] = checker[:, 1::2, 1::2] = 255  # 1-px detail: dropping pixels keeps only one colour
    small = _downscale(checker, PREVIEW_WIDTH)
    assert small.shape == (2, 256, 256, 3) and np.all(np.abs(small.astype(int) - 128) <= 1)
    studio.plan()
    header = studio.scene_box.children[0].children[0].children[0].value
    assert header.startswith("<b>Scene 1 ·")
    studio.render_scene(0)
    assert studio.messages[-1].startswith("Scene 1:")
    assert studio.rows[0]["preview"].layout.overflow == "hidden"


def test_export_picks_a_name_none_of_whose_files_exist(studio, tmp_path):
    studio.plan()
    studio.render_all()
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "story.srt").write_text("an older export's subtitles")
    result = studio.export(gif=False)
    assert result.videos["mp4"].name == "story-2.mp4"
    assert (tmp_path / "out" / "story.srt").read_text() == "an older export's subtitles"
