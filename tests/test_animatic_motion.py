"""The animatic draws at the story's frame rate (no blended in-betweens), edits show, captions are burned once."""

from __future__ import annotations

import json

import numpy as np
import pytest

from storykit.generate import RenderConfig, render_story
from storykit.generate.animatic import AnimaticBackend
from storykit.plan import plan
from storykit.stitch import stitch
from storykit.stitch import timeline
from storykit.story import make_story

FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


@pytest.mark.parametrize("num_frames,scene_fps,fps,expected", [(16, 8, 24, 48), (16, 8, 8, 16), (13, 8, 8, 13),
                                                               (13, 8, None, 13), (16, 8, 25, 50), (12, 12, 24, 24)])
def test_draws_at_the_story_rate_covering_the_scene(num_frames, scene_fps, fps, expected):
    script = plan(*FOX, num_scenes=3, num_frames=num_frames, fps=scene_fps)
    clip = AnimaticBackend().render_scene(script.scenes[1], script, RenderConfig(height=64, width=64, fps=fps))
    assert clip.num_frames == expected and clip.fps == (fps or scene_fps)
    assert clip.metadata["drawn_fps"] == (fps or scene_fps)


def test_storybench_counts_stay_exact_at_8_fps(tmp_path):
    script = plan(*FOX, num_scenes=3, num_frames=11)
    clips = render_story(script, "animatic", RenderConfig(height=64, width=64, fps=8), cache_dir=False, progress=False)
    story = stitch(clips, script, fps=8, transition="cut")
    assert story.num_frames == 33 and [b - a for a, b in story.spans] == [11, 11, 11]


def test_cached_clips_keep_their_drawn_rate(tmp_path):
    script = plan(*FOX, num_scenes=3, num_frames=8)
    cfg = RenderConfig(height=64, width=64, fps=24)
    first = render_story(script, "animatic", cfg, cache_dir=tmp_path, progress=False)
    again = render_story(script, "animatic", cfg, cache_dir=tmp_path, progress=False)
    assert all(c.metadata["cached"] for c in again)
    assert [(c.num_frames, c.fps) for c in again] == [(c.num_frames, c.fps) for c in first] == [(24, 24)] * 3


def test_no_stitched_frame_is_a_blend_of_two_poses():
    """At the story's rate every frame of a scene is one drawn frame; only transitions mix two scenes."""
    script = plan(*FOX, num_scenes=4, num_frames=16)
    clips = render_story(script, "animatic", RenderConfig(height=64, width=64, fps=24), cache_dir=False, progress=False)
    story = stitch(clips, script, fps=24, interpolate="blend")
    drawn = {f.tobytes() for c in clips for f in c.frames}
    foreign = [i for i, f in enumerate(story.frames) if f.tobytes() not in drawn]
    assert len(foreign) <= sum(story.metadata["transition_lengths"])  # at most the transitions' frames
    # and inside every scene, away from its transitions, the frames are the clip's own, in order
    for (a, b), clip in zip(story.spans, clips):
        inner = story.frames[a + 8 : b - 8]
        assert all(f.tobytes() in {g.tobytes() for g in clip.frames} for f in inner)


def test_an_edited_prompt_changes_the_frames():
    script = plan(*FOX, num_scenes=5, num_frames=8, seed=3)
    backend, cfg = AnimaticBackend(), RenderConfig(height=96, width=96)
    before = backend.render_scene(script.scene(2), script, cfg)
    script.edit(2, prompt="a small red fox in a blue scarf, plays a violin next to a tent, watercolor")
    after = backend.render_scene(script.scene(2), script, cfg)
    assert not np.array_equal(before.frames, after.frames)
    assert {"🎻", "⛺"} <= {d["icon"] for d in after.metadata["drawn"]}
    assert backend.cache_fields(script.scene(2), script, cfg) != {}  # the prompt is in the key (checked elsewhere)


def test_captions_are_drawn_once_in_a_made_story(tmp_path):
    script = plan(*FOX, num_scenes=3, num_frames=16)
    result = make_story(script, output=tmp_path / "s.mp4", backend="animatic", height=64, width=96,
                        cache_dir=tmp_path / "c", progress=False, narrate="none")  # no held frames: every frame is drawn
    story, clips = result.story, result.clips
    assert story.metadata["options"]["captions"] is True
    assert not any(c.metadata["caption_drawn"] for c in clips)  # the animatic burned none itself
    assert all(c.fps == 24 for c in clips)  # drawn at the story's rate
    assert story.metadata["transition_lengths"] == [12, 12]  # still half a second, as at 8 fps
    for k, ((a, b), clip) in enumerate(zip(story.spans, clips)):
        j = (a + b) // 2  # a frame in the middle of the scene: the clip's own frame + one caption
        src = next(f for f in clip.frames if np.array_equal(f[:8], story.frames[j][:8]))
        once = src.copy()[None]
        timeline._apply_caption(once, timeline._caption_layer(script.scenes[k].text, 64, 96))
        assert np.array_equal(once[0], story.frames[j])
    manifest = json.loads((tmp_path / "s.manifest.json").read_text())
    assert [d["what"] for d in manifest["scenes"][0]["metadata"]["drawn"] if d["role"] == "subject"] == ["fox"]
    assert "animatic drew: fox (from 'fox')" in result.summary()


def test_the_characters_own_words_never_pick_the_motion():
    from storykit.generate.animatic import infer_motion
    from storykit.plan import Scene

    dog = "a happy golden retriever"
    scene = Scene(1, "rising", f"{dog}, digs in the garden", text=f"Meet {dog}, who digs in the garden.")
    assert infer_motion(scene) == "celebrate"  # without knowing the character, "happy" reads as joy
    assert infer_motion(scene, dog) != "celebrate"  # knowing it, only the action and the beat count
