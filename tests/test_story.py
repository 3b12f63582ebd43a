"""The main job end to end on the offline backend: files, honesty, cache, manifest replay, bad input."""

import json

import numpy as np
import pytest

from storykit import InvalidInput, plan
from storykit.cli import main
from storykit.stitch.ffmpeg import ensure_ffmpeg
from storykit.story import make_story
from storykit.testing import lazy_module

mediapy = lazy_module("mediapy", setup=lambda m: ensure_ffmpeg())

FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


@pytest.fixture
def small_story(tmp_path):
    script = plan(*FOX, num_scenes=3, num_frames=8)
    out = tmp_path / "fox.mp4"
    result = make_story(script, output=out, backend="animatic", height=96, width=128, cache_dir=tmp_path / "cache", progress=False)
    return script, out, result, tmp_path


def test_writes_video_subtitles_manifest_and_says_which_backend(small_story):
    script, out, result, tmp_path = small_story
    assert {p.name for p in result.export.paths} == {"fox.mp4", "fox.srt", "fox.vtt", "fox.narration.txt", "fox.manifest.json"}
    summary = result.summary()
    assert "animatic" in summary and "not a diffusion model" in summary and str(out) in summary
    ensure_ffmpeg()
    video = mediapy.read_video(str(out))
    assert video.shape[0] == result.story.num_frames
    assert video.shape[1:3] == (96, 128)
    assert video.metadata.fps == pytest.approx(24)
    manifest = json.loads((tmp_path / "fox.manifest.json").read_text())
    assert manifest["backend"]["backend"] == "animatic"
    assert [s["seed"] for s in manifest["scenes"]] == [s.seed for s in script.scenes]


def test_second_run_comes_from_cache_and_manifest_replays_identically(small_story):
    script, out, first, tmp_path = small_story
    again = make_story(script, output=out, backend="animatic", height=96, width=128, cache_dir=tmp_path / "cache",
                       overwrite=True, progress=False)
    assert all(c.metadata.get("cached") for c in again.clips)
    replay = make_story(manifest=first.export.manifest, output=tmp_path / "replay.mp4", cache_dir=False, progress=False)
    assert replay.backend_name == "animatic"
    assert np.array_equal(replay.story.frames, first.story.frames)  # re-rendered from scratch, same pixels


def test_refuses_to_clobber_before_rendering(small_story, capsys):
    script, out, _, tmp_path = small_story
    with pytest.raises(InvalidInput, match="exists; pass overwrite=True"):
        make_story(script, output=out, backend="animatic")
    with pytest.raises(InvalidInput, match="does not exist"):
        make_story(script, output=tmp_path / "nope" / "x.mp4", backend="animatic")
    with pytest.raises(InvalidInput, match=r"\.mp4, \.gif or \.webm"):
        make_story(script, output=tmp_path / "x.avi", backend="animatic")
    with pytest.raises(InvalidInput, match="exactly one"):
        make_story(script, setting="x", output=tmp_path / "y.mp4")


def test_cli_render_main_job(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STORYKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "story.mp4"
    argv = ["render", "--setting", FOX[0], "--character", FOX[1], "--action", FOX[2], "--scenes", "3", "--frames", "8",
            "--height", "64", "--width", "96", "-o", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "backend 'animatic'" in text  # auto chose, and said why
    assert "made by the offline animatic backend" in text
    assert out.is_file() and out.with_suffix(".srt").is_file()
    assert main(argv) == 2  # exists: one line, no traceback
    err = capsys.readouterr().err
    assert "exists" in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--height", "100"], "divisible by 8"),
        (["--backend", "lightning", "--checkpoint", "/nonexistent/ckpt.safetensors"], "ckpt.safetensors"),
        (["--audio", "/nonexistent/song.wav"], "song.wav"),
    ],
)
def test_cli_render_bad_input_is_one_line(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.setenv("STORYKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    argv = ["render", "--setting", "a field", "--character", "a cat", "--action", "naps", "--scenes", "3",
            "--frames", "4", "--height", "64", "--width", "64", "-o", str(tmp_path / "s.mp4"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_lightning_story_and_manifest_replay_on_tiny_models(tiny_lightning, tmp_path):
    script = plan(*FOX, num_scenes=3, num_frames=4)
    first = make_story(
        script, output=tmp_path / "tiny.mp4", backend="lightning", base_model=str(tiny_lightning.base_model),
        checkpoint=str(tiny_lightning.checkpoint_dir), height=64, width=64, cache_dir=tmp_path / "cache",
        backend_options={"motion_adapter_config": tiny_lightning.motion_adapter_config, "device": "cpu",
                         "motion_loras": str(tiny_lightning.motion_lora_dir)}, progress=False,
    )
    assert first.backend_name == "lightning" and "AnimateDiff-Lightning" in first.summary()
    assert {c.metadata["checkpoint"] for c in first.clips} == {"animatediff_lightning_4step_diffusers.safetensors"}
    replay = make_story(manifest=first.export.manifest, output=tmp_path / "again.mp4", cache_dir=False, progress=False)
    assert replay.backend_name == "lightning"
    assert np.array_equal(replay.story.frames, first.story.frames)  # same models, seeds and steps: same pixels
