"""Backends that keep no frames in the clip cache (the animatic): cached clips are drawn again only when read."""

from __future__ import annotations

import numpy as np
import pytest

from storykit.errors import StorykitError
from storykit.generate import RenderConfig, render_story
from storykit.generate.animatic import AnimaticBackend
from storykit.generate.cache import ClipCache
from storykit.generate.clips import LazyClip
from storykit.plan import Scene, Script, Triple
from storykit.stitch import export_story, segments, stitch
from storykit.testing import FakeBackend, example_script

CFG = RenderConfig(height=64, width=96)


def redrawing_backend() -> FakeBackend:
    backend = FakeBackend()
    backend.cache_frames = False
    return backend


def test_entries_hold_shape_and_metadata_and_a_cached_clip_is_drawn_only_when_read(tmp_path):
    script, backend = example_script(3), redrawing_backend()
    first = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 2]
    cache = ClipCache(tmp_path)
    for clip in first:
        path = cache.path(clip.metadata["cache_key"])
        with np.load(path) as entry:
            assert "redraw" in entry and "frames" not in entry and "frames_zstd" not in entry
        assert path.stat().st_size < 4096  # 8 frames of 96x64 would be 147 KB raw

    again = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 2]  # nothing drawn yet
    assert all(isinstance(c, LazyClip) and c.pending and c.metadata["cached"] for c in again)
    for a, b in zip(first, again):  # what a stitch plans with, without drawing
        assert (b.num_frames, b.height, b.width, b.fps, b.scene_index) == (a.num_frames, a.height, a.width, a.fps,
                                                                          a.scene_index)
        assert {k: v for k, v in b.metadata.items() if k != "cached"} == \
            {k: v for k, v in a.metadata.items() if k != "cached"}
    assert backend.calls == [0, 1, 2]

    script.scenes[1].prompt = "the fox finds the lantern under a stone bridge"  # changed after the lazy clip was made
    assert np.array_equal(again[1].frames, first[1].frames)  # drawn as the scene was, not as it is now
    assert backend.calls == [0, 1, 2, 1] and not again[1].pending
    again[1].frames  # drawn once
    assert backend.calls == [0, 1, 2, 1]

    import pickle

    travelled = pickle.loads(pickle.dumps(again[2]))  # to a Ray worker, say: as the frames it stands for
    assert type(travelled).__name__ == "Clip" and np.array_equal(travelled.frames, first[2].frames)
    assert travelled.metadata == again[2].metadata and backend.calls == [0, 1, 2, 1, 2]

    # Without a way to draw (a plain ClipCache.get), such an entry is a miss, never a clip without frames.
    assert cache.get(first[0].metadata["cache_key"]) is None
    assert cache.clear() == 3 and not list(tmp_path.iterdir())  # the cache knows these entries as its own


def test_a_drawing_of_another_shape_is_one_line_and_a_damaged_entry_is_drawn_again(tmp_path, capsys):
    script, backend = example_script(2), redrawing_backend()
    first = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    cache = ClipCache(tmp_path)
    key = first[0].metadata["cache_key"]
    lazy = cache.get(key, redraw=lambda: np.zeros((3, 64, 96, 3), np.uint8))
    with pytest.raises(StorykitError, match=r"scene 0 was drawn as \(3, 64, 96, 3\), not as its cache entry's "
                                            r"\(8, 64, 96, 3\)"):
        lazy.frames
    path = cache.path(key)
    with np.load(path) as entry:
        arrays = dict(entry)
    arrays["shape"] = np.array([9, 64, 96, 3])  # the checksum covers the shape
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    capsys.readouterr()
    clips = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 0] and not isinstance(clips[0], LazyClip)
    assert "damaged" in capsys.readouterr().err


def _animatic_story(tmp_path, script):
    clips = render_story(script, AnimaticBackend(), RenderConfig(height=64, width=64, fps=24),
                         cache_dir=tmp_path / "cache", progress=False)
    return clips, stitch(clips, script, fps=24, transition_frames=4, title=True, captions=True)


def test_an_animatic_rerun_with_every_segment_cached_draws_no_scene(tmp_path, monkeypatch):
    scenes = [Scene(i, beat, f"a red fox {what}", text=f"Scene {i}.", seed=i, num_frames=8, camera=camera)
              for i, (beat, what, camera) in enumerate([("introduce", "walks in", "zoom_in"),
                                                        ("rising", "searches", "pan_left"),
                                                        ("climax", "finds the lantern", "static")])]
    script = Script(Triple("a misty forest", "a red fox", "finds a lantern"), scenes, title="The Lantern")
    drawn = []
    real = AnimaticBackend.render_scene

    def counting(self, scene, script, config=None):
        drawn.append(scene.index)
        return real(self, scene, script, config)

    monkeypatch.setattr(AnimaticBackend, "render_scene", counting)
    clips, story = _animatic_story(tmp_path, script)
    first = export_story(story, tmp_path / "a.mp4", cache_dir=tmp_path / "cache", manifest=False)
    assert drawn == [0, 1, 2]

    clips, story = _animatic_story(tmp_path, script)
    again = export_story(story, tmp_path / "b.mp4", cache_dir=tmp_path / "cache", manifest=False)
    assert drawn == [0, 1, 2]  # every segment was cached: no scene drawn, not even for the title card
    assert again.timings["segments_encoded"] == 0 and all(c.pending for c in clips)
    assert (tmp_path / "b.mp4").read_bytes() == (tmp_path / "a.mp4").read_bytes()

    script.edit(2, prompt="a red fox holds the lantern up high")  # the last scene: its transition needs scene 1
    clips, story = _animatic_story(tmp_path, script)
    export_story(story, tmp_path / "c.mp4", cache_dir=tmp_path / "cache", manifest=False)
    assert drawn == [0, 1, 2, 2, 1]  # the edited scene, then its neighbour for the transition; scene 0 never
    assert clips[0].pending and not clips[1].pending
    # The file equals a one-pass encode of the same story up to encoder noise.
    from test_segments import decode_errors

    one = export_story(stitch(clips, script, fps=24, transition_frames=4, title=True, captions=True),
                       tmp_path / "one.mp4", cache_dir=False, manifest=False)
    import subprocess

    from storykit.stitch.ffmpeg import ensure_ffmpeg

    def decode(path):
        out = subprocess.run([ensure_ffmpeg(mediapy=False), "-v", "error", "-i", str(path), "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        return np.frombuffer(out, np.uint8).reshape(-1, 64, 64, 3).astype(int)

    a, b = decode(tmp_path / "c.mp4"), decode(one.videos["mp4"])
    assert len(a) == len(b) == story.num_frames and decode_errors(tmp_path / "c.mp4") == ""
    truth = story.frames.astype(int)  # this story, the title card included: each is within x264's error of it
    joined, single = np.abs(a - truth).mean(), np.abs(b - truth).mean()
    assert joined < 8 and joined < single + 0.5, (joined, single)  # 64x64 drawings: x264 errs ~5 levels
    assert first.timings["segments_encoded"] == len(segments.plan_segments(story))
