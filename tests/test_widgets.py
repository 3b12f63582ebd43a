"""The studio's callbacks, driven headless: plan → edit a scene → render → only that scene re-renders → export."""

import base64
import json
import re

import numpy as np
import pytest

from storykit.studio.widgets import Studio


@pytest.fixture
def studio(tmp_path):
    s = Studio(backend="animatic", cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", height=64, width=96)
    s.num_scenes.value = 4
    return s


@pytest.fixture
def drawn(monkeypatch):
    """The scene indices the animatic actually drew (the cache answers the rest)."""
    from storykit.generate.animatic import AnimaticBackend

    seen, real = [], AnimaticBackend.render_scene

    def spy(self, scene, script, config=None):
        seen.append(scene.index)
        return real(self, scene, script, config)

    monkeypatch.setattr(AnimaticBackend, "render_scene", spy)
    return seen


def _decode(path):
    import mediapy

    return mediapy.read_video(str(path))


def test_plan_edit_render_only_changed_scene_then_export(studio, drawn):
    script = studio.plan()
    assert len(studio.rows) == 4 == len(script.scenes) == len(studio.strip.children)
    clips = studio.render_all()
    assert drawn == [0, 1, 2, 3] == studio.last_rendered
    assert all(c.frames.shape[1:] == (64, 96, 3) for c in clips)
    assert studio.story is not None and studio.story.fps == 24

    studio.rows[2]["prompt"].value += ", under a full moon"
    studio.render_all()
    assert drawn[4:] == [2] == studio.last_rendered
    assert studio.script.scenes[2].prompt.endswith("under a full moon")

    studio.rows[1]["camera"].value = "tilt_down" if studio.rows[1]["camera"].value != "tilt_down" else "pan_left"
    studio.render_scene(1)
    assert drawn[5:] == [1]
    studio.render_scene(1)
    assert drawn[6:] == [] and studio.last_rendered == []  # unchanged: from the cache

    result = studio.export(gif=False)
    names = sorted(p.name for p in result.paths)
    assert names == ["story.manifest.json", "story.mp4", "story.narration.txt", "story.srt", "story.vtt"]
    assert sorted(p.name for p in studio.export(gif=False).paths)[1] == "story-2.mp4"  # never clobbers


def test_render_this_scene_on_a_fresh_plan_renders_only_that_scene(studio, drawn):
    studio.plan()
    studio.rows[2]["button"].click()  # nothing rendered before: no warm cache hides extra renders
    assert drawn == [2] and list(studio.clips) == [2]
    assert studio.story is None  # the other scenes are not rendered yet, so nothing is stitched
    assert "Scene 3: rendered" in studio.status.value


def _video(value: str) -> str:
    """The MP4 (base64) inside a preview's `<video>`."""
    return re.search(r'base64,([^"]+)"', value)[1]


def test_a_preview_shown_again_is_not_encoded_again(studio, drawn, studio_encodes, tmp_path):
    """Render all after one edit encodes that scene's preview and the story's new segments, nothing
    else; undoing the edit encodes nothing. The player always holds the story it names."""
    studio.plan()
    studio.render_all()
    shown = lambda: ([_video(r["preview"].value) for r in studio.rows], _video(studio.player.value))  # noqa: E731
    before = shown()
    from storykit.stitch.segments import plan_segments

    assert dict(studio_encodes) == {"scene": 4, "player": 1, "segments": len(plan_segments(studio.story))}
    studio_encodes.clear()
    made = {seg.key for seg in plan_segments(studio.story)}
    prompt = studio.rows[2]["prompt"].value
    studio.rows[2]["prompt"].value = prompt + ", under a full moon"
    studio.render_all()
    after = shown()
    new = [seg for seg in plan_segments(studio.story) if seg.key not in made]  # scene 3 and its transitions
    assert 1 <= len(new) <= 3 and "scene" in {seg.kind for seg in new} and drawn[4:] == [2]
    assert dict(studio_encodes) == {"scene": 1, "player": 1, "segments": len(new)}
    assert [a == b for a, b in zip(after[0], before[0])] == [True, True, False, True] and after[1] != before[1]
    assert "cached" in studio.rows[0]["preview"].value  # its title is new, its video is not
    (tmp_path / "player.mp4").write_bytes(base64.b64decode(after[1]))
    assert len(_decode(tmp_path / "player.mp4")) == len(studio.story.frames)

    studio_encodes.clear()
    studio.rows[2]["prompt"].value = prompt  # back as it was: the clip from the cache, its previews from before
    studio.render_all()
    assert not studio_encodes and shown() == before


def test_export_after_an_edit_exports_the_new_story(studio, tmp_path):
    studio.plan()
    studio.render_all()
    first = _decode(studio.export(gif=False).videos["mp4"])
    start, end = studio.story.spans[2]
    row = studio.rows[2]  # edited, not rendered: Export must render and stitch it first
    row["camera"].value = "pan_left" if row["camera"].value != "pan_left" else "tilt_up"
    row["prompt"].value = row["prompt"].value.replace("a lost lantern", "a red balloon")
    second = _decode(studio.export(gif=False).videos["mp4"])
    assert first.shape == second.shape
    story = studio.story.frames
    # The second file is the new story (H.264 leaves a few grey levels of difference), the first is not.
    new_err = np.abs(second.astype(int) - story).mean(axis=(1, 2, 3))
    old_err = np.abs(first.astype(int) - story).mean(axis=(1, 2, 3))
    assert old_err[start:end].mean() > 3 * new_err[start:end].mean()
    assert np.allclose(old_err[:start], new_err[:start], atol=1)  # scenes 1 and 2 are the same in both


def test_the_studio_keeps_its_segments_with_its_clips_and_reencodes_only_the_edit(tmp_path, monkeypatch):
    """Studio(cache_dir=X) keeps the MP4 segments in X (not in storykit's default cache). The player shows
    the export's own segments, joined: an edit encodes only the edited scene's, and Export then encodes
    none; cache_dir=False keeps nothing anywhere."""
    from storykit.generate.cache import ClipCache

    default = tmp_path / "default-cache"
    monkeypatch.setenv("STORYKIT_CACHE", str(default))
    s = Studio(backend="animatic", cache_dir=tmp_path / "mine", output_dir=tmp_path / "out", height=64, width=96)
    s.num_scenes.value = 3
    s.plan()
    s.render_all()
    segments = lambda: ClipCache(tmp_path / "mine").info().segments  # noqa: E731
    assert segments() >= 3  # title, scenes and transitions, for the player
    s.export(gif=False)
    first = s.last_export.timings
    assert first["segments_encoded"] == 0 and first["segments_reused"] >= 3  # the player made each one
    assert not default.exists() or ClipCache(default).info().segments == 0
    made = segments()
    s.rows[1]["prompt"].value += ", at night"
    s.render_scene(1)
    assert 1 <= segments() - made <= 3  # scene 2 and its transitions only
    made = segments()
    s.export(gif=False)
    again = s.last_export.timings
    assert again["segments_encoded"] == 0 and again["segments_reused"] == first["segments_reused"]
    assert segments() - made <= 3  # the narrated player: only scenes held longer for their lines
    plain = Studio(backend="animatic", cache_dir=False, output_dir=tmp_path / "out2", height=64, width=96)
    plain.num_scenes.value = 2
    plain.plan()
    plain.render_all()
    assert "base64," in plain.player.value  # one downscaled encode, kept nowhere
    plain.export(gif=False)
    assert "segments_encoded" not in plain.last_export.timings  # one pass, nothing kept
    assert not default.exists() or ClipCache(default).info().segments == 0


def test_the_player_still_shows_the_story_when_its_segments_cannot_be_made(studio, monkeypatch):
    """A full disk under the cache (say): the player's story is encoded in one pass instead, with a note."""
    from storykit.errors import StorykitError
    from storykit.stitch import segments

    def full(*args, **kwargs):
        raise StorykitError("ffmpeg did not write the preview: No space left on device")

    monkeypatch.setattr(segments, "export_segmented", full)
    studio.plan()
    studio.render_all()
    assert "base64," in studio.player.value and studio.story is not None
    assert any(m.startswith("Note: the preview was encoded in one pass (ffmpeg did not write") for m in studio.messages)


def test_errors_show_in_the_log_and_the_app_stays_usable(studio):
    studio.setting.value = "   "
    studio._safely(studio.plan)
    assert "setting is empty" in studio.messages[-1]
    studio._safely(studio.export)
    assert "Render all first" in studio.messages[-1]
    studio.setting.value = "a windy hilltop"
    assert studio._safely(studio.plan) is not None  # works again after the error
    studio.rows[0]["seconds"].value = 0.375
    studio._safely(studio.render_scene, 0)
    assert studio.script.scenes[0].num_frames == 3
    assert studio.clips[0].duration == 3 / 8  # 3 frames at 8 fps (the animatic draws them at the story's 24)


def test_buttons_call_the_same_callbacks(studio, drawn):
    studio.setting.value = "a windy hilltop"
    studio.plan_button.click()
    assert studio.script.triple.setting == "a windy hilltop" and len(studio.script.scenes) == 4
    assert len(studio.strip.children) == 4 and "Planned 4 scenes" in studio.status.value
    studio.rows[1]["select"].click()
    assert studio.selected == 1 and studio.editor.children == (studio.rows[1]["editor"],)
    studio.rows[1]["button"].click()
    assert drawn == [1] and list(studio.clips) == [1]
    studio.render_button.click()
    assert drawn == [1, 0, 2, 3] and studio.story is not None
    studio.export_button.click()
    mp4 = studio.last_export.videos["mp4"]
    assert mp4.exists() and len(_decode(mp4)) == studio.story.num_frames
    assert studio.last_export.videos["gif"].exists()  # the button exports a GIF too


def test_a_caption_is_edited_and_a_prompt_edit_offers_to_update_it(studio):
    studio.plan()
    studio.render_all()
    row = studio.rows[2]
    old_caption = row["caption"].value
    assert "searches for a lost lantern" in old_caption
    assert row["offer"].layout.display == "none"
    row["prompt"].value = row["prompt"].value.replace("a lost lantern", "a red balloon")
    assert row["offer"].layout.display != "none" and "lost lantern" in row["offer_text"].value
    row["offer_button"].click()
    assert row["caption"].value == old_caption.replace("a lost lantern", "a red balloon")
    before = studio.story.frames.copy()
    result = studio.export(gif=False)
    srt = next(p for p in result.paths if p.suffix == ".srt").read_text()
    assert "red balloon" in srt and "lost lantern" not in srt.split("\n\n")[3]
    assert not np.array_equal(before, studio.story.frames)  # the burned-in caption changed too
    assert row["offer"].layout.display == "none"  # the prompt now matches the script: nothing to offer


def test_caption_suggestion_replaces_only_quoted_wording():
    from storykit.studio.parts import caption_suggestion

    assert caption_suggestion("a robot, delivers a letter", "a robot, delivers a red balloon",
                              "The robot delivers a letter.") == ("The robot delivers a red balloon.", "letter",
                                                                  "red balloon")
    assert caption_suggestion("a robot, delivers a letter", "a robot, delivers a letter, at night",
                              "The robot delivers a letter.") is None  # an addition replaces nothing
    assert caption_suggestion("a fox, wide shot", "a fox, close up", "The fox arrives.") is None  # not quoted
    assert caption_suggestion("a cat", "a dog", "A catalogue.") is None  # whole words only


def test_controls_fit_the_backend_and_messages_use_the_studios_words(studio):
    off = [studio.reference, studio.reference_upload, studio.ip_adapter_scale, studio.handoff,
           studio.portrait_button, studio.steps]
    assert all(c.disabled for c in off)
    assert all(c.tooltip.startswith("Off: the animatic backend") for c in off)
    studio.backend.value = "lightning"
    assert not any(c.disabled for c in off) and not any(c.tooltip.startswith("Off") for c in off)
    studio.backend.value = "animatic"
    assert all(c.disabled for c in off)
    studio.plan()
    studio.render_scene(0)
    assert all(c.disabled for c in off)  # a finished job re-enables the buttons, not what the backend cannot use
    # A handoff ticked under Lightning and left on is not used by the animatic, and says nothing about flags.
    studio.handoff.value = True
    studio.render_scene(1)
    from storykit.studio.parts import studio_words

    msg = studio_words("handoff needs the Lightning backend; the animatic backend cannot start from a frame; "
                       "drop handoff (--handoff)")
    assert "--" not in msg and "untick Handoff" in msg
    assert "--" not in studio_words("or use --backend animatic for the offline storyboard, num_inference_steps=4")
    assert not any("--" in m for m in studio.messages)


def test_one_duration_in_seconds_with_both_frame_counts_and_the_librarys_limits(studio):
    from storykit.plan.script import MAX_FRAMES

    studio.plan()
    row = studio.rows[0]
    assert row["seconds"].max == MAX_FRAMES / 8 and row["seconds"].min == 1 / 8
    row["seconds"].value = 3.5
    assert "28 frames at 8 fps (model) · 84 at 24 fps (story)" in row["frames"].value
    clip = studio.render_scene(0)
    assert studio.script.scenes[0].num_frames == 28 and clip.num_frames == 84 and clip.fps == 24
    assert "84 frames at 24 fps" in row["preview"].value


def test_the_log_shows_the_newest_line_first_and_plan_clears_it(studio):
    studio.plan()
    studio.render_scene(0)
    log = studio.log.value
    assert log.index("Scene 1: rendered") < log.index("Planned 4 scenes")
    studio.plan()
    assert "Scene 1: rendered" not in studio.log.value and len(studio.messages) == 1


def test_what_the_animatic_drew_shows_on_its_scene(studio):
    studio.plan()
    assert studio.rows[3]["drawn"].value == ""
    studio.render_scene(3)
    assert "animatic drew:" in studio.rows[3]["drawn"].value and "fox" in studio.rows[3]["drawn"].value
    png = studio.rows[3]["thumb"].value
    studio.render_scene(2)
    assert studio.rows[3]["thumb"].value == png != studio.rows[2]["thumb"].value


# -- issue 16: what the studio shows, and that it never shows or exports the wrong story ------------


def test_newest_message_is_on_the_status_line_and_errors_on_the_clicked_row(studio):
    studio.plan()
    assert "Planned 4 scenes" in studio.status.value
    studio.rows[1]["prompt"].value = "   "
    studio.rows[1]["button"].click()
    assert "Scene 2: prompt is empty" in studio.rows[1]["status"].value and "prompt is empty" in studio.status.value
    assert "#b00020" in studio.rows[1]["status"].value  # shown as an error
    assert studio.rows[1]["select"].button_style == "danger"  # and on its thumbnail
    assert studio.rows[0]["status"].value == ""


def test_render_this_scene_restitches_and_export_never_mixes_versions(studio, tmp_path):
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
    assert studio.player.value
    studio.setting.value = "a neon city at night"
    studio._safely(studio.render_all)  # fields changed, Plan not pressed: refuse, do not render the old script
    assert "press Plan" in studio.messages[-1]
    studio.plan()
    assert studio.story is None and not studio.player.value and studio.clips == {}
    studio.render_all()
    studio.character.value = ""
    studio._safely(studio.plan)
    assert "character is empty" in studio.status.value
    assert studio.story is None and not studio.player.value
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
    assert not any(b.disabled for b in [studio.plan_button, studio.render_button, studio.export_button])
    assert "Scene 1/4" in labels and "Stitching…" in labels
    studio.export_button.click()
    assert "Exporting…" in labels and "Exported: " in studio.status.value


def test_previews_average_pixels_and_the_player_leaves_room_for_its_controls(studio, tmp_path):
    from storykit.studio.parts import downscale
    from storykit.studio.widgets import PREVIEW_WIDTH

    checker = np.zeros((2, 512, 512, 3), np.uint8)
    checker[:, ::2, ::2] = checker[:, 1::2, 1::2] = 255  # 1-px detail: dropping pixels keeps only one colour
    small = downscale(checker, PREVIEW_WIDTH)
    assert small.shape == (2, 256, 256, 3) and np.all(np.abs(small.astype(int) - 128) <= 1)
    studio.plan()
    assert studio.rows[0]["select"].description.startswith("1 · ")
    studio.render_all()
    assert any(m.startswith("Rendered 4 of 4") for m in studio.messages)
    # The player is taller than the 96x64 story by a band under it, the picture at the top (the browser
    # test measures it in Chromium); the video in it is the story as it is, frame for frame.
    assert "aspect-ratio:96/74;" in studio.player.value and "object-position:center top" in studio.player.value
    (tmp_path / "player.mp4").write_bytes(base64.b64decode(_video(studio.player.value)))
    played = _decode(tmp_path / "player.mp4")
    assert played.shape == studio.story.frames.shape
    assert np.abs(played.astype(int) - studio.story.frames).mean() < 6  # H.264, colour at half resolution (yuv420p)


def test_export_picks_a_name_none_of_whose_files_exist(studio, tmp_path):
    studio.plan()
    studio.render_all()
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "story.srt").write_text("an older export's subtitles")
    result = studio.export(gif=False)
    assert result.videos["mp4"].name == "story-2.mp4"
    assert (tmp_path / "out" / "story.srt").read_text() == "an older export's subtitles"


def test_an_edit_undone_shows_the_first_version_again_from_the_cache(studio, drawn):
    """A cached animatic clip is drawn again when shown, never stood in for by the clip the Studio holds."""
    studio.plan()
    first = studio.render_scene(1).frames.copy()
    prompt = studio.rows[1]["prompt"].value
    studio.rows[1]["prompt"].value = prompt + ", under a full moon"
    edited = studio.render_scene(1).frames.copy()
    studio.rows[1]["prompt"].value = prompt  # back to the first version: its entry is in the cache
    again = studio.render_scene(1)
    assert again.metadata["cached"] and drawn == [1, 1, 1]  # drawn for its thumbnail, as it was
    assert np.array_equal(again.frames, first) and not np.array_equal(again.frames, edited)
