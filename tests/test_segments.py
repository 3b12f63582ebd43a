"""Segment-cached MP4 export: the joined file equals a single-pass encode; an edit re-encodes only its segments."""

from __future__ import annotations

import re

import numpy as np
import pytest

from storykit.errors import StorykitError
from storykit.generate import Clip
from storykit.generate.cache import ClipCache
from storykit.plan import Scene, Script, Triple
from storykit.stitch import export_story, segments, stitch
from storykit.stitch.ffmpeg import probe, run_ffmpeg


def make_clip(i: int, n: int = 16, shade: int = 0) -> Clip:
    frames = np.empty((n, 48, 64, 3), np.uint8)
    frames[...] = np.linspace(30 + 50 * i, 90 + 50 * i, 64, dtype=np.uint8)[None, None, :, None]
    for t in range(n):
        frames[t, 12:28, 2 + 2 * t : 18 + 2 * t] = (230, 60 * i + shade, 40)
    return Clip(frames, 8, i, {"backend": "test"})


def make_script(k: int = 4) -> Script:
    kinds = ["crossfade", "fade_black", "crossfade", "cut"]
    scenes = [Scene(i, "beat", f"prompt {i}", text=f"Scene {i} of the fox.", seed=i, transition=kinds[i % 4])
              for i in range(k)]
    return Script(Triple("a misty forest", "a red fox", "finds a lantern"), scenes, title="The Lantern")


def make_story(clips, script=None):
    return stitch(clips, script or make_script(len(clips)), fps=24, transition_frames=4, title=True, captions=True)


def decode_frames(path) -> np.ndarray:
    import subprocess

    from storykit.stitch.ffmpeg import ensure_ffmpeg

    out = subprocess.run([ensure_ffmpeg(mediapy=False), "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(-1, 48, 64, 3)


def decode_errors(path) -> str:
    """What ffmpeg reports at -v error while decoding every frame (ffprobe is not bundled; this reads more)."""
    return run_ffmpeg(["-v", "error", "-i", str(path), "-f", "null", "-"]).stderr.strip()


@pytest.fixture
def spy(monkeypatch):
    """Every segment actually encoded, as (kind, start, stop)."""
    calls = []
    real = segments.encode_segments

    def wrapped(story, run, outs, **kw):
        calls.extend((segment.kind, segment.start, segment.stop) for segment in run)
        return real(story, run, outs, **kw)

    monkeypatch.setattr(segments, "encode_segments", wrapped)
    return calls


def test_segments_cover_every_frame_once_with_one_per_scene_and_transition():
    story = make_story([make_clip(i) for i in range(4)])
    segs = segments.plan_segments(story)
    assert segs[0].start == 0 and segs[-1].stop == story.num_frames
    assert all(a.stop == b.start for a, b in zip(segs, segs[1:]))
    # title, 4 scene interiors, 3 transitions with frames (crossfade, dip, crossfade; the last is a cut)
    assert [s.kind for s in segs] == ["title", "scene", "transition", "scene", "transition", "scene",
                                      "transition", "scene"]
    assert len({s.key for s in segs}) == len(segs)


def test_joined_file_equals_a_single_pass_encode(tmp_path, spy):
    story = make_story([make_clip(i) for i in range(4)])
    one = export_story(story, tmp_path / "one.mp4", cache_dir=False, manifest=False, subtitles=False)
    assert spy == []  # cache_dir=False: one pass, no segments
    joined = export_story(story, tmp_path / "seg.mp4", cache_dir=tmp_path / "cache", manifest=False, subtitles=False)
    assert len(spy) == 8 and joined.timings["segments_encoded"] == 8
    a, b = decode_frames(one.videos["mp4"]), decode_frames(joined.videos["mp4"])
    assert len(a) == len(b) == story.num_frames
    assert probe(tmp_path / "seg.mp4")["duration"] == pytest.approx(probe(tmp_path / "one.mp4")["duration"], abs=1e-3)
    assert probe(tmp_path / "seg.mp4")["duration"] == pytest.approx(story.num_frames / 24, abs=0.03)
    assert decode_errors(tmp_path / "seg.mp4") == ""
    # encoder noise only: both are within x264's CRF 18 error of the true frames, and of each other
    truth = story.frames.astype(int)
    assert np.abs(b.astype(int) - truth).mean() < 3 and np.abs(a.astype(int) - truth).mean() < 3
    assert np.abs(b.astype(int) - a.astype(int)).mean() < 2
    # every segment starts on a keyframe: the join is valid and seeks cleanly
    keys = run_ffmpeg(["-v", "error", "-skip_frame", "nokey", "-i", str(tmp_path / "seg.mp4"), "-vf", "showinfo",
                       "-f", "null", "-", "-loglevel", "info"]).stderr
    starts = {int(round(float(t) * 24)) for t in re.findall(r"pts_time:([\d.]+)", keys)}
    assert {s.start for s in segments.plan_segments(story)} <= starts


def test_a_rerun_reencodes_only_the_edited_scene_and_its_two_transitions(tmp_path, spy):
    clips = [make_clip(i) for i in range(4)]
    cache = tmp_path / "cache"
    export_story(make_story(clips), tmp_path / "a.mp4", cache_dir=cache, manifest=False)
    assert len(spy) == 8
    spy.clear()
    export_story(make_story(clips), tmp_path / "b.mp4", cache_dir=cache, manifest=False)
    assert spy == []  # nothing changed: every segment joined from the cache
    clips[1] = make_clip(1, n=20, shade=90)  # scene 1 edited: other pixels, and 4 source frames longer
    story = make_story(clips)
    result = export_story(story, tmp_path / "c.mp4", cache_dir=cache, manifest=False)
    segs = segments.plan_segments(story)
    assert [k for k, _, _ in spy] == ["transition", "scene", "transition"]
    assert [(a, b) for _, a, b in spy] == [(s.start, s.stop) for s in segs[2:5]]  # 0→1, scene 1, 1→2
    assert result.timings == pytest.approx({**result.timings, "segments_encoded": 3, "segments_reused": 5})
    frames = decode_frames(tmp_path / "c.mp4")
    assert len(frames) == story.num_frames and decode_errors(tmp_path / "c.mp4") == ""
    assert np.abs(frames.astype(int) - story.frames.astype(int)).mean() < 3  # the edit is in the video


def test_caption_change_reencodes_that_scene_only(tmp_path, spy):
    clips = [make_clip(i) for i in range(3)]
    script = make_script(3)
    export_story(make_story(clips, script), tmp_path / "a.mp4", cache_dir=tmp_path / "c", manifest=False)
    spy.clear()
    script.scenes[2].text = "Scene 2, the lantern found."
    export_story(make_story(clips, script), tmp_path / "b.mp4", cache_dir=tmp_path / "c", manifest=False)
    # scene 2's caption starts halfway into the dip from scene 1: that transition and scene 2's interior
    assert [k for k, _, _ in spy] == ["transition", "scene"]


def test_segments_count_towards_the_cache_cap_and_are_pruned_and_cleared(tmp_path):
    cache = ClipCache(tmp_path / "cache", max_bytes="none")
    story = make_story([make_clip(i) for i in range(4)])
    export_story(story, tmp_path / "a.mp4", cache_dir=cache, manifest=False)
    files = sorted(p.name for p in cache.directory.iterdir())
    assert len(files) == 8 and all(n.endswith(".segment.mp4") and len(n) == 64 + 12 for n in files)
    info = cache.info()
    assert info.segments == 8 and info.bytes == sum(p.stat().st_size for p in cache.directory.iterdir())
    assert "8 video segments" in str(info) and cache.foreign_files() == []  # the cache's own files
    assert cache.prune(0) == 8 and cache.info().segments == 0
    export_story(story, tmp_path / "b.mp4", cache_dir=cache, manifest=False)
    assert cache.clear() == 8 and list(cache.directory.iterdir()) == []
    # Named like a segment but not an MP4: not provably the cache's, so never deleted.
    fake = cache.segment_path("ab" * 32)
    fake.write_bytes(b"not a video")
    assert cache.clear() == 0 and fake.exists()


def test_a_capped_cache_prunes_after_the_join(tmp_path):
    story = make_story([make_clip(i) for i in range(4)])
    cache = ClipCache(tmp_path / "cache", max_bytes=0)
    result = export_story(story, tmp_path / "a.mp4", cache_dir=cache, manifest=False)
    assert len(decode_frames(result.videos["mp4"])) == story.num_frames
    assert cache.info().segments == 0  # over the cap: pruned, but only once the video was joined


def test_a_damaged_cached_segment_is_encoded_again(tmp_path, spy):
    story = make_story([make_clip(i) for i in range(3)])
    cache = ClipCache(tmp_path / "cache")
    export_story(story, tmp_path / "a.mp4", cache_dir=cache, manifest=False)
    seg = segments.plan_segments(story)[1]
    path = cache.segment_path(seg.key)
    path.write_bytes(path.read_bytes()[:100])  # truncated: no index
    spy.clear()
    export_story(story, tmp_path / "b.mp4", cache_dir=cache, manifest=False)
    assert len(decode_frames(tmp_path / "b.mp4")) == story.num_frames and decode_errors(tmp_path / "b.mp4") == ""
    assert (seg.kind, seg.start, seg.stop) in spy


def test_a_read_only_cache_falls_back_to_one_pass(tmp_path, spy, monkeypatch):
    story = make_story([make_clip(i) for i in range(3)])
    cache = ClipCache(tmp_path / "cache")
    cache.directory.mkdir()
    real = segments.os.access  # root ignores file modes: say the cache folder is read-only
    monkeypatch.setattr(segments.os, "access", lambda p, mode: str(p) != str(cache.directory) and real(p, mode))
    export_story(story, tmp_path / "a.mp4", cache_dir=cache, manifest=False)
    assert spy == [] and len(decode_frames(tmp_path / "a.mp4")) == story.num_frames


def test_a_failing_segment_encode_names_the_final_file_and_leaves_nothing(tmp_path, monkeypatch):
    story = make_story([make_clip(i) for i in range(3)])

    def broken(story, run, outs, **kw):
        outs[0].write_bytes(b"")

    monkeypatch.setattr(segments, "encode_segments", broken)
    (tmp_path / "out").mkdir()
    with pytest.raises(StorykitError, match=r"ffmpeg did not write .*a\.mp4"):
        export_story(story, tmp_path / "out" / "a.mp4", cache_dir=tmp_path / "cache", manifest=False)
    assert list((tmp_path / "out").iterdir()) == [] and list((tmp_path / "cache").iterdir()) == []


def test_audio_is_muxed_once_over_the_joined_video(tmp_path, monkeypatch):
    from storykit.stitch import export as export_mod

    def no_second_pass(*args):
        raise AssertionError("the joined video was copied again to add its sound")

    monkeypatch.setattr(export_mod, "_mux_audio", no_second_pass)  # muxed as the segments are joined
    story = make_story([make_clip(i) for i in range(3)])
    wav = tmp_path / "a.wav"
    run_ffmpeg(["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=10", str(wav)])
    result = export_story(story, tmp_path / "s.mp4", cache_dir=tmp_path / "cache", audio=wav, manifest=False)
    info = probe(result.videos["mp4"])
    assert result.audio and info["audio"] and info["duration"] == pytest.approx(story.duration, abs=0.05)
    assert decode_errors(result.videos["mp4"]) == ""
    cached = sorted((tmp_path / "cache").iterdir())
    assert cached and not any(probe(p)["audio"] for p in cached)  # segments hold no sound


def test_other_encoder_settings_encode_every_segment_again(tmp_path, spy, monkeypatch):
    from storykit.stitch import encode

    story = make_story([make_clip(i) for i in range(3)])
    export_story(story, tmp_path / "a.mp4", cache_dir=tmp_path / "c", manifest=False)
    n = len(spy)
    monkeypatch.setattr(encode, "MP4_CRF", encode.MP4_CRF + 2)
    export_story(story, tmp_path / "b.mp4", cache_dir=tmp_path / "c", manifest=False)
    assert len(spy) == 2 * n  # never a segment of another quality joined into this file


def test_a_relative_cache_folder_joins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the notebooks' cache_dir="storykit-cache": relative to the working folder
    story = make_story([make_clip(i) for i in range(3)])
    result = export_story(story, "s.mp4", cache_dir="storykit-cache", manifest=False)
    assert result.timings["segments_encoded"] > 0 and len(decode_frames(tmp_path / "s.mp4")) == story.num_frames


def test_another_title_reencodes_the_title_segment_only(tmp_path, spy):
    clips = [make_clip(i) for i in range(3)]
    script = make_script(3)
    export_story(make_story(clips, script), tmp_path / "a.mp4", cache_dir=tmp_path / "c", manifest=False)
    spy.clear()
    script.title = "The Lantern Found"
    story = make_story(clips, script)
    export_story(story, tmp_path / "b.mp4", cache_dir=tmp_path / "c", manifest=False)
    assert [k for k, _, _ in spy] == ["title"]
    frames = decode_frames(tmp_path / "b.mp4")
    assert np.abs(frames[:8].astype(int) - story.frames[:8].astype(int)).mean() < 3  # the new card is in the video


def test_undecodable_audio_leaves_the_joined_video_silent_and_says_why(tmp_path):
    from storykit.errors import InvalidInput

    story = make_story([make_clip(i) for i in range(3)])
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 10)
    with pytest.raises(InvalidInput, match="could not be decoded .*the video was written without sound"):
        export_story(story, tmp_path / "s.mp4", cache_dir=tmp_path / "cache", audio=bad, manifest=False)
    out = tmp_path / "s.mp4"
    assert len(decode_frames(out)) == story.num_frames and not probe(out)["audio"]
    assert decode_errors(out) == ""
