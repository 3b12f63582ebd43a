"""export_story(): videos that read back, subtitles at scene boundaries, audio, safety, manifests."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sys
import time

import numpy as np
import pytest

from storykit.stitch import export
from storykit.stitch import ffmpeg as media
from storykit.generate import RenderConfig
from storykit.generate import Clip
from storykit.errors import InvalidInput, MissingDependency, StorykitError
from storykit.stitch import build_manifest, export_story, load_manifest, replay_inputs, to_srt, to_vtt
from storykit.stitch.ffmpeg import ensure_ffmpeg, probe, run_ffmpeg
from storykit.plan import Scene, Script, Triple
from storykit.stitch import stitch
from storykit.testing import lazy_module, sigint_as_in_a_terminal

mediapy = lazy_module("mediapy", setup=lambda m: ensure_ffmpeg())


def make_clips(k=3, n=16, h=64, w=64):
    clips = []
    for i in range(k):
        frames = np.empty((n, h, w, 3), np.uint8)
        frames[...] = np.linspace(30 + 60 * i, 90 + 60 * i, w, dtype=np.uint8)[None, None, :, None]
        for t in range(n):
            frames[t, 20:36, 4 + 2 * t : 20 + 2 * t] = (230, 60 * i, 40)
        meta = {"backend": "test", "seed": 100 + i, "model_id": "tiny/model", "checkpoint_sha256": "ab" * 32,
                "timings": {"render_s": np.float64(0.5)}, "latents": np.zeros(3)}
        clips.append(Clip(frames, 8, i, meta))
    return clips


def make_script(k=3):
    scenes = [
        Scene(i, "beat", f"prompt {i}", text=f"Scene {i}: the fox & the <lantern>.", seed=100 + i,
              transition=["crossfade", "fade_black", "cut"][i % 3])
        for i in range(k)
    ]
    return Script(Triple("a misty forest", "a red fox", "finds a lantern"), scenes, title="The Lost Lantern")


@pytest.fixture(scope="module")
def story_parts():
    clips, script = make_clips(), make_script()
    return clips, script, stitch(clips, script, fps=24, transition_frames=4)


@pytest.fixture
def story(story_parts):
    return story_parts[2]


def sine_wav(path, seconds=10.0):
    run_ffmpeg(["-v", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", str(path)])
    return path


# -- videos ------------------------------------------------------------------------------


def test_mp4_reads_back_with_frames_size_and_fps(story, tmp_path):
    result = export_story(story, tmp_path / "story.mp4")
    assert result.videos == {"mp4": tmp_path / "story.mp4"}
    video = mediapy.read_video(tmp_path / "story.mp4")
    assert video.shape == (story.num_frames, 64, 64, 3)
    assert video.metadata.fps == pytest.approx(24)
    assert np.abs(video.astype(int) - story.frames).mean() < 6  # lossy, but the same pictures
    info = probe(tmp_path / "story.mp4")
    assert "h264" in info["video"][0] and "yuv420p" in info["video"][0] and not info["audio"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "story.manifest.json", "story.mp4", "story.narration.txt", "story.srt", "story.vtt"
    ]  # and no temporary files left behind


def test_gif_and_webm_from_formats(story, tmp_path):
    result = export_story(story, tmp_path / "story", formats=("gif", "webm"), subtitles=False, manifest=False)
    assert set(result.videos) == {"gif", "webm"} and result.srt is None and result.manifest is None
    gif = tmp_path / "story.gif"
    assert gif.read_bytes()[:4] == b"GIF8"
    assert mediapy.read_video(gif).shape[0] == (story.num_frames + 1) // 2  # 24 fps story, 12 fps GIF
    webm = probe(tmp_path / "story.webm")
    assert ("vp9" if media.has_encoder("libvpx-vp9") else "vp8") in webm["video"][0]
    assert webm["duration"] == pytest.approx(story.duration, abs=0.06)


def test_odd_sizes_are_padded_to_even_for_yuv420p(tmp_path):
    clip = Clip(np.full((8, 63, 65, 3), 128, np.uint8), 8, 0)
    export_story(stitch([clip]), tmp_path / "odd.mp4", manifest=False)
    assert mediapy.read_video(tmp_path / "odd.mp4").shape == (8, 64, 66, 3)


# -- subtitles ---------------------------------------------------------------------------


def parse_cues(text, sep):
    stamp = rf"(\d\d):(\d\d):(\d\d){re.escape(sep)}(\d\d\d)"
    cues = []
    for m in re.finditer(rf"{stamp} --> {stamp}\n(.+)", text):
        g = [int(x) for x in m.groups()[:8]]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        cues.append((start, g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000, m.group(9)))
    return cues


def test_subtitles_match_scene_boundaries(story, tmp_path):
    result = export_story(story, tmp_path / "s.mp4")
    # Clips are 48 frames at 24 fps; crossfade of 12 (seam 6 in) then a dip: 0-42, 42-78, 78-114... as spans say.
    assert story.spans == [(0, 42), (42, 84), (84, 132)]
    expected = [(a / 24, b / 24) for a, b in story.spans]
    srt = parse_cues(result.srt.read_text(encoding="utf-8"), ",")
    vtt_text = result.vtt.read_text(encoding="utf-8")
    vtt = parse_cues(vtt_text, ".")
    assert vtt_text.startswith("WEBVTT\n\n")
    for cues in (srt, vtt):
        assert [(a, b) for a, b, _ in cues] == [pytest.approx(e, abs=0.0006) for e in expected]
    assert srt[1][2] == "Scene 1: the fox & the <lantern>."
    assert vtt[1][2] == "Scene 1: the fox &amp; the &lt;lantern&gt;."
    assert result.srt.read_text().splitlines()[0] == "1"


def test_subtitle_stamps_round_to_the_nearest_millisecond():
    # 7 frames at 24 fps: cues at 7/24 = 0.29166 s (-> 292 ms, not 291), 14/24 = 0.58333 s, 21/24 = 0.875 s.
    clips = [Clip(np.full((7, 64, 64, 3), 40 * i, np.uint8), 24, i, {"backend": "test"}) for i in range(3)]
    scenes = [Scene(i, "beat", f"prompt {i}", text=f"Line {i}.", num_frames=7, fps=24, transition="cut") for i in range(3)]
    story = stitch(clips, Script(Triple("a misty forest", "a red fox", "finds a lantern"), scenes), fps=24, title=False)
    assert story.spans == [(0, 7), (7, 14), (14, 21)]
    stamps = [line for line in to_srt(story).splitlines() if "-->" in line]
    assert stamps == ["00:00:00,000 --> 00:00:00,292", "00:00:00,292 --> 00:00:00,583", "00:00:00,583 --> 00:00:00,875"]
    assert [line for line in to_vtt(story).splitlines() if "-->" in line][0] == "00:00:00.000 --> 00:00:00.292"


def test_scenes_without_text_get_no_cue(story_parts):
    clips, script, _ = story_parts
    script = Script.from_dict(script.to_dict())
    script.edit(1, text="")
    story = stitch(clips, script, fps=24)
    assert [c[2] for c in parse_cues(to_srt(story), ",")] == [script.scenes[0].text, script.scenes[2].text]
    assert parse_cues(to_vtt(story), ".")[1][0] == pytest.approx(story.spans[2][0] / 24, abs=0.0006)


# -- audio -------------------------------------------------------------------------------


def test_audio_is_muxed_and_cut_to_the_video(story, tmp_path):
    wav = sine_wav(tmp_path / "tone.wav", seconds=12)
    result = export_story(story, tmp_path / "story.mp4", audio=wav)
    assert result.audio
    info = probe(result.videos["mp4"])
    assert info["audio"] and "aac" in info["audio"][0]
    assert info["duration"] == pytest.approx(story.duration, abs=0.1)  # 12 s of sound cut to ~5.5 s
    assert mediapy.read_video(result.videos["mp4"]).shape[0] == story.num_frames


def test_corrupt_audio_is_one_line_error_and_the_video_is_kept(story, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 10)
    with pytest.raises(InvalidInput, match="could not be decoded") as e:
        export_story(story, tmp_path / "story.mp4", audio=bad)
    assert "\n" not in str(e.value)
    out = tmp_path / "story.mp4"
    assert mediapy.read_video(out).shape[0] == story.num_frames and not probe(out)["audio"]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name or ".audio" in p.name]
    with pytest.raises(InvalidInput, match="no audio file"):
        export_story(story, tmp_path / "other.mp4", audio=tmp_path / "missing.mp3")


# -- safety ------------------------------------------------------------------------------


def test_existing_output_is_refused_unless_overwrite(story, tmp_path):
    out = tmp_path / "story.mp4"
    export_story(story, out)
    before = out.read_bytes()
    with pytest.raises(InvalidInput, match="exists; pass overwrite=True / --overwrite"):
        export_story(story, out)
    # A side file alone is enough to refuse, before any video is encoded.
    (tmp_path / "story.gif").unlink(missing_ok=True)
    with pytest.raises(InvalidInput, match="story.srt"):
        export_story(story, tmp_path / "story.gif", manifest=False)
    assert not (tmp_path / "story.gif").exists()
    assert out.read_bytes() == before
    export_story(story, out, overwrite=True)
    assert mediapy.read_video(out).shape[0] == story.num_frames


def test_missing_or_unwritable_folder(story, tmp_path, monkeypatch):
    with pytest.raises(InvalidInput, match="does not exist"):
        export_story(story, tmp_path / "nope" / "story.mp4")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InvalidInput, match="not a folder"):
        export_story(story, tmp_path / "file.txt" / "story.mp4")
    from storykit.stitch import preflight

    monkeypatch.setattr(preflight.os, "access", lambda *a, **k: False)  # root ignores chmod; fake the answer
    with pytest.raises(InvalidInput, match="not writable"):
        export_story(story, tmp_path / "story.mp4")


def test_bad_path_and_format(story, tmp_path):
    with pytest.raises(InvalidInput, match=r"\.mp4, \.gif or \.webm"):
        export_story(story, tmp_path / "story.avi")
    with pytest.raises(InvalidInput, match="unknown video format 'mov'"):
        export_story(story, tmp_path / "story.mp4", formats=["mp4", "mov"])
    with pytest.raises(InvalidInput, match="Story"):
        export_story(np.zeros((2, 8, 8, 3), np.uint8), tmp_path / "story.mp4")


def test_failed_encode_leaves_no_partial_file(story, tmp_path, monkeypatch):
    out = tmp_path / "story.mp4"
    out.write_bytes(b"the previous good video")

    def broken(story, path, fmt, **kw):
        path.write_bytes(b"half a video")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_encode", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_story(story, out, overwrite=True)
    assert out.read_bytes() == b"the previous good video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.mp4"]


def test_missing_ffmpeg_says_how_to_install(story, tmp_path, monkeypatch):
    monkeypatch.setattr(media, "_ffmpeg", None)
    monkeypatch.setattr(media, "_find_ffmpeg", lambda: None)
    with pytest.raises(MissingDependency, match=r"pip install imageio-ffmpeg==0\.7\.0.*apt-get install ffmpeg"):
        export_story(story, tmp_path / "story.mp4")
    assert not list(tmp_path.iterdir())


def test_ensure_ffmpeg_points_mediapy_at_it():
    exe = ensure_ffmpeg()
    assert mediapy._config.ffmpeg_name_or_path == exe
    assert "ffmpeg version" in run_ffmpeg(["-version"]).stdout


# -- manifest ----------------------------------------------------------------------------


def test_manifest_round_trip_replays_the_same_story(story_parts, tmp_path):
    clips, script, story = story_parts
    manifest = build_manifest(
        script, clips, story,
        backend_info={"backend": "test", "version": 1},
        config=RenderConfig(height=64, width=64),
        stitch_options=story.metadata["options"],
        timings={"render_s": 1.25, "stitch_s": 0.01},
    )
    result = export_story(story, tmp_path / "story.mp4", manifest=manifest)
    data = load_manifest(result.manifest)
    assert data["script"] == json.loads(script.to_json())
    assert [s["seed"] for s in data["scenes"]] == [100, 101, 102]
    assert data["models"] == {"model_id": "tiny/model", "checkpoint_sha256": "ab" * 32}
    assert data["scenes"][0]["metadata"]["latents"] == "<array [3] float64>"
    assert data["versions"]["numpy"] == np.__version__ and "storykit" in data["versions"]
    assert data["timings"]["render_s"] == 1.25 and "encode_mp4_s" in data["timings"]["export"]
    assert data["export"]["files"] == ["story.mp4", "story.srt", "story.vtt", "story.narration.txt"]
    assert data["story"]["spans"] == [list(s) for s in story.spans]

    replay = replay_inputs(data)
    assert replay.script == script and replay.backend == "test"
    assert replay.config == RenderConfig(height=64, width=64)
    again = stitch(clips, replay.script, **replay.stitch)
    np.testing.assert_array_equal(again.frames, story.frames)


def test_minimal_manifest_cannot_be_replayed(story, tmp_path):
    result = export_story(story, tmp_path / "story.mp4")
    data = load_manifest(result.manifest)
    assert data["script"] is None and data["stitch"]["fps"] == 24
    with pytest.raises(InvalidInput, match="no script"):
        replay_inputs(data)


def manifest_json(**changes) -> str:
    doc = {"kind": "storykit-manifest", "manifest_version": 1, "script": None, "stitch": {}, "backend": {},
           "config": None}
    return json.dumps({**doc, **changes})


@pytest.mark.parametrize(
    "content,match",
    [
        ("{not json", "not a JSON manifest"),
        ("[1, 2]", "not a storykit manifest"),
        (manifest_json(manifest_version=99), "version 99 is not supported"),
        (manifest_json(stitch=[]), "'stitch'"),
        (manifest_json(script={"version": 1}), "missing the field"),
        (manifest_json(stitch={"speed": 2}), "unknown"),
    ],
)
def test_load_manifest_rejects_malformed_files(tmp_path, content, match):
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(InvalidInput, match=match) as e:
        load_manifest(path)
    assert "\n" not in str(e.value)
    with pytest.raises(InvalidInput, match="no manifest file"):
        load_manifest(tmp_path / "missing.json")


# -- streaming, presets, GIF palette, progress ---------------------------------------------


def test_export_streams_frames_without_mediapy_or_the_whole_story(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from storykit.generate import Clip\n"
        "from storykit.stitch import stitch, export_story\n"
        "clips = [Clip(np.full((8, 32, 32, 3), 60 * i, np.uint8), 8, i) for i in range(3)]\n"
        "story = stitch(clips, fps=24)\n"
        f"export_story(story, {str(tmp_path / 's.mp4')!r}, formats=('mp4', 'gif', 'webm'))\n"
        "print(story.materialised, 'mediapy' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1].split() == ["False", "False", "False"]
    assert mediapy.read_video(tmp_path / "s.mp4").shape[0] == 3 * 24 - 2 * 12


def test_mp4_uses_the_measured_x264_preset(story, tmp_path):
    from storykit.stitch.encode import MP4_CRF, MP4_PRESET

    result = export_story(story, tmp_path / "story.mp4")
    data = load_manifest(result.manifest)
    assert data["export"]["mp4_preset"] == MP4_PRESET and data["export"]["mp4_crf"] == MP4_CRF
    # x264 writes its settings into the stream; presets differ in reference frames and subpixel search.
    sei = (tmp_path / "story.mp4").read_bytes()
    ref, subme = {"medium": (3, 7), "fast": (2, 6), "faster": (2, 4), "veryfast": (1, 2), "superfast": (1, 1)}[MP4_PRESET]
    assert f" crf={MP4_CRF}.0 ".encode() in sei and f" ref={ref} ".encode() in sei and f" subme={subme} ".encode() in sei


def test_gif_palette_comes_from_a_sample_of_frames():
    from storykit.stitch.encode import GIF_PALETTE_FRAMES, gif_palette_sample

    sample = gif_palette_sample(240)
    assert len(sample) == GIF_PALETTE_FRAMES and sample[0] == 0 and sample[-1] == 239
    assert sample == sorted(set(sample)) and max(np.diff(sample)) - min(np.diff(sample)) <= 1  # evenly spread
    assert gif_palette_sample(10) == list(range(10))


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_only(story, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stderr", _Terminal())
    export_story(story, tmp_path / "a.mp4", manifest=False)
    assert "export" in sys.stderr.getvalue() and f"{story.num_frames}/{story.num_frames}" in sys.stderr.getvalue()
    monkeypatch.setattr("sys.stderr", _Terminal())
    export_story(story, tmp_path / "b.mp4", manifest=False, progress=False)
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr("sys.stderr", io.StringIO())  # a log file, CI: no bar
    export_story(story, tmp_path / "c.mp4", manifest=False)
    assert sys.stderr.getvalue() == ""
    import ipykernel  # noqa: F401 - ipywidgets imports it: a script that did is still no notebook
    export_story(story, tmp_path / "d.mp4", manifest=False)
    assert sys.stderr.getvalue() == ""


def test_progress_bar_in_a_jupyter_kernel(story, tmp_path, monkeypatch):
    import IPython

    class ZMQInteractiveShell:  # what ipykernel's shell is called
        pass

    monkeypatch.setattr(IPython, "get_ipython", lambda: ZMQInteractiveShell())
    monkeypatch.setattr("sys.stderr", io.StringIO())  # a kernel's stderr is no terminal
    export_story(story, tmp_path / "a.mp4", manifest=False)
    assert f"{story.num_frames}/{story.num_frames}" in sys.stderr.getvalue()


# -- reliability: broken ffmpeg, interrupts, concurrent exports, stale temporaries ----------


def fake_ffmpeg(tmp_path, monkeypatch, body):
    """Points storykit at a shell script standing in for ffmpeg (the real one still serves -encoders)."""
    real = ensure_ffmpeg()
    script = tmp_path / "fake-ffmpeg"
    script.write_text(f'#!/bin/sh\ncase "$*" in *-encoders*) exec "{real}" "$@";; esac\n{body}\n')
    script.chmod(0o755)
    monkeypatch.setattr(media, "_ffmpeg", str(script))
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_an_ffmpeg_that_writes_nothing_is_an_error_naming_the_final_file(story, tmp_path, monkeypatch, fmt):
    out = fake_ffmpeg(tmp_path, monkeypatch, "cat > /dev/null; exit 0")
    with pytest.raises(StorykitError, match=rf"ffmpeg did not write .*story\.{fmt}\b") as e:
        export_story(story, out / f"story.{fmt}")
    assert ".tmp" not in str(e.value) and "\n" not in str(e.value)
    assert list(out.iterdir()) == []  # nothing reported, nothing left


def test_ffmpeg_stopped_by_ctrl_c_is_an_interrupt_not_an_error(story, tmp_path, monkeypatch):
    out = fake_ffmpeg(tmp_path, monkeypatch, "cat > /dev/null; echo 'Exiting normally, received signal 2.' >&2; exit 255")
    with pytest.raises(KeyboardInterrupt):
        export_story(story, out / "story.mp4")
    assert list(out.iterdir()) == []


def test_two_exports_to_one_path_never_clobber(story, tmp_path, monkeypatch):
    import threading

    from storykit.stitch import publish

    both_checked = threading.Barrier(2, timeout=60)
    real = publish.remove_stale_temps

    def after_checks(outputs):  # both exports have found the path free before either writes
        both_checked.wait()
        return real(outputs)

    monkeypatch.setattr(export, "remove_stale_temps", after_checks)
    results, errors = [], []

    def run(text):
        s = stitch(story_parts_clips(), make_script_with(text), fps=24)
        try:
            results.append(export_story(s, tmp_path / "story.mp4", progress=False))
        except InvalidInput as e:
            errors.append(str(e))

    threads = [threading.Thread(target=run, args=(t,)) for t in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 1
    assert "appeared while this export ran" in errors[0] and "\n" not in errors[0] and ".tmp" not in errors[0]
    # The winner's files are whole and consistent: its video, its subtitles, its manifest.
    srt = (tmp_path / "story.srt").read_text()
    winner = "first" if "first" in srt else "second"
    assert load_manifest(tmp_path / "story.manifest.json")["story"]["texts"][0].endswith(winner)
    assert mediapy.read_video(tmp_path / "story.mp4").shape[0] == story.num_frames
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.manifest.json", "story.mp4", "story.narration.txt", "story.srt", "story.vtt"]


def story_parts_clips():
    return make_clips()


def make_script_with(text):
    script = make_script()
    for s in script.scenes:
        script.edit(s.index, text=f"{s.text} {text}")
    return script


def test_publishing_without_hard_links_still_refuses_to_clobber(story, tmp_path, monkeypatch):
    import errno

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    result = export_story(story, tmp_path / "story.mp4")
    assert mediapy.read_video(result.videos["mp4"]).shape[0] == story.num_frames
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    from storykit.stitch.publish import Staging

    staged = Staging(overwrite=False)
    tmp = staged.add(tmp_path / "story.mp4")
    tmp.write_bytes(b"another video")
    with pytest.raises(InvalidInput, match="appeared while this export ran"):
        staged.publish()
    staged.discard()
    assert mediapy.read_video(result.videos["mp4"]).shape[0] == story.num_frames  # untouched
    assert not tmp.exists()


def test_stale_temporaries_of_a_killed_export_are_removed(story, tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid is free now
    stale = [tmp_path / f".story.{dead.pid}.0a1b2c3d.tmp.mp4", tmp_path / f".story.manifest.{dead.pid}.ab.tmp.json",
             tmp_path / f".story.{dead.pid}.ff.tmp.audio.mp4"]
    live = tmp_path / f".story.{os.getppid()}.0a1b.tmp.mp4"  # a running export's file: kept
    other = tmp_path / f".other.{dead.pid}.0a1b.tmp.mp4"  # not this output's: kept
    for p in [*stale, live, other]:
        p.write_bytes(b"half a video")
    export_story(story, tmp_path / "story.mp4")
    assert not any(p.exists() for p in stale) and live.exists() and other.exists()


def test_ctrl_c_of_the_process_group_while_encoding_exits_130_and_leaves_nothing(tmp_path):
    import signal
    import subprocess
    import time

    real, mark = ensure_ffmpeg(), tmp_path / "encoding-started"
    slow = tmp_path / "slow-ffmpeg"  # the real ffmpeg, reading frames at playback speed (-re)
    slow.write_text(f'#!/bin/sh\ncase "$*" in *rawvideo*) touch "{mark}"; exec "{real}" -re "$@";; esac\n'
                    f'exec "{real}" "$@"\n')
    slow.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    cmd = [sys.executable, "-m", "storykit", "render", "--setting", "a quiet harbour", "--character", "a gull",
           "--action", "finds a shell", "--backend", "animatic", "--height", "64", "--width", "64", "--scenes", "3",
           "--no-cache", "-o", str(out / "story.mp4")]
    env = {**os.environ, "IMAGEIO_FFMPEG_EXE": str(slow)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,  # its own process group, as a terminal gives a command
                            preexec_fn=sigint_as_in_a_terminal)
    try:
        deadline = time.monotonic() + 120
        while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mark.exists(), proc.communicate()[1] if proc.poll() is not None else "encoding never started"
        time.sleep(0.3)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the CLI and ffmpeg both get SIGINT
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.iterdir()) == []  # no video, no side files, no hidden temporary


def test_a_failure_while_streaming_stops_ffmpeg_and_leaves_nothing(story_parts, tmp_path, monkeypatch):
    clips, script, _ = story_parts
    story = stitch(clips, script, fps=24)
    real, calls = story._timeline.render, []

    def failing(lo, hi, out=None):
        calls.append(lo)
        if len(calls) == 3:
            raise RuntimeError("out of memory while stitching")
        return real(lo, hi, out)

    monkeypatch.setattr(story._timeline, "render", failing)
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError, match="out of memory"):  # a fresh cache: the segments are encoded now
        export_story(story, tmp_path / "out" / "story.mp4", cache_dir=tmp_path / "cache")
    assert list((tmp_path / "out").iterdir()) == []
    assert all(p.name.endswith(".segment.mp4") for p in (tmp_path / "cache").iterdir())  # no partial segment


def test_narration_is_written_beside_the_subtitles(story_parts, tmp_path):
    _, script, story = story_parts
    result = export_story(story, tmp_path / "story.mp4")
    assert result.narration == tmp_path / "story.narration.txt" and result.narration in result.paths
    assert result.narration.read_text(encoding="utf-8") == script.narration() + "\n"  # the story as prose


def test_gif_default_is_sized_and_says_so_before_writing(tmp_path, monkeypatch, capsys):
    from PIL import Image

    from storykit.stitch.encode import GIF_MAX_FPS, gif_frames, gif_settings

    assert gif_settings(512, 512, 24) == (12, 128) and gif_settings(256, 256, 8) == (8, 256)
    assert gif_frames(7, 24, 12) == [0, 2, 4, 6] and gif_frames(5, 8, 12) == [0, 1, 2, 3, 4]
    # 336 px blocks of 2,000+ random colours: more than a palette holds, cheaper to quantise than pixel noise
    blocks = [np.random.default_rng(i).integers(0, 255, (8, 42, 42, 3), np.uint8) for i in range(2)]
    clips = [Clip(b.repeat(8, axis=1).repeat(8, axis=2), 8, i) for i, b in enumerate(blocks)]
    story = stitch(clips, fps=24)
    said = []
    real = export._encode
    monkeypatch.setattr(export, "_encode", lambda *a, **k: (said.append(capsys.readouterr().out), real(*a, **k))[1])
    export_story(story, tmp_path / "s.gif", manifest=False)
    assert re.fullmatch(r"storykit: writing s\.gif: 336x336, 18 frames at 12 fps, 128 colours, about [\d.]+ MB\n", said[0])
    with Image.open(tmp_path / "s.gif") as im:
        assert im.n_frames == 18 and im.info["duration"] == 1000 // GIF_MAX_FPS - 3  # GIF delays are in 1/100 s
        colours = set()
        for k in range(im.n_frames):
            im.seek(k)
            colours |= {c for _, c in im.convert("RGB").getcolors(1 << 20)}
    assert len(colours) <= 128


def test_ffmpeg_stopped_by_a_ctrl_c_this_process_has_not_seen_yet_is_an_interrupt(tmp_path):
    """ffmpeg exits 255, silently at -v error, on the SIGINT a Ctrl-C sends the whole group; ours may come later."""
    import threading

    from storykit.stitch.encode import _pipe

    script = tmp_path / "ffmpeg-stopped"
    script.write_text("#!/bin/sh\nexit 255\n")
    script.chmod(0o755)
    frames = [np.zeros((4, 16, 16, 3), np.uint8)] * 64
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a runner started with `&` ignores it
    later = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    later.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            _pipe([str(script)], frames, "story.mp4", None)
    finally:
        later.cancel()
        signal.signal(signal.SIGINT, before)
    t0 = time.monotonic()  # no signal follows: a failure, said in one line, after half a second at most
    with pytest.raises(StorykitError, match=r"^ffmpeg could not write story.mp4: unknown error$"):
        _pipe([str(script)], frames, "story.mp4", None)
    assert time.monotonic() - t0 < 5
