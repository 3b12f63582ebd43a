"""Issue 16: no traceback, no silent wrong result; everything checkable is checked before a scene renders."""

import json
import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest

import storykit
from storykit import InvalidInput, Script, plan
from storykit.cli import cli_words, main
from storykit.errors import StorykitError
from storykit.story import make_story
from storykit.testing import FakeBackend, example_script

ROOT = Path(__file__).resolve().parent.parent
FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
FOX_ARGS = ["--setting", FOX[0], "--character", FOX[1], "--action", FOX[2]]


def tone(path, seconds=0.5):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(int(8000 * seconds))))
    return path


# -- tracebacks: files ---------------------------------------------------------------------


def test_script_save_onto_a_folder_is_one_line_and_leaves_no_tmp(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        example_script().save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.parametrize("step", ["write", "replace"])
def test_script_save_to_an_unwritable_folder_is_one_line_and_leaves_no_tmp(tmp_path, monkeypatch, step):
    # Root ignores chmod, so the permission error is raised where the OS would raise it.
    def deny(*a, **k):
        raise PermissionError(13, "Permission denied")

    if step == "write":
        monkeypatch.setattr(Path, "write_text", deny)
    else:
        import os

        monkeypatch.setattr(os, "replace", deny)
    with pytest.raises(InvalidInput, match="cannot write the script.*Permission denied"):
        example_script().save(tmp_path / "s.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_json_nested_100000_deep_is_one_line(tmp_path, opener):
    closer = "]" if opener == "[" else "}"
    deep = opener * 100_000 + ("1" if opener != "[" else "") + closer * 100_000
    with pytest.raises(InvalidInput, match="nested 100000 levels"):
        Script.from_json(deep)
    path = tmp_path / "deep.json"
    path.write_text(deep)
    with pytest.raises(InvalidInput, match="nested"):
        Script.load(path)
    from storykit.plan.storybench import load_storybench
    from storykit.stitch.export import load_manifest

    with pytest.raises(InvalidInput, match="nested"):
        load_manifest(path)
    with pytest.raises(InvalidInput, match="nested"):
        load_storybench(path)


def test_brackets_inside_strings_do_not_count_as_nesting():
    s = example_script()
    s.scenes[0].text = "[[[[{{{{" * 40 + '\\"]'
    s.scenes[1].text = 'a "quoted" word, then ' + "[[[[{{{{" * 40  # after an escaped quote: still inside the string
    again = Script.from_json(s.to_json())
    assert [again.scenes[0].text, again.scenes[1].text] == [s.scenes[0].text, s.scenes[1].text]


# -- tracebacks: API misuse ----------------------------------------------------------------


def test_plan_with_a_tokenizer_name_is_one_line():
    with pytest.raises(InvalidInput, match="loaded tokenizer such as pipe.tokenizer"):
        plan(*FOX, tokenizer="openai/clip-vit-large-patch14")


def test_edit_cannot_change_a_scene_index():
    s = example_script()
    with pytest.raises(InvalidInput, match="cannot edit \\['index'\\]"):
        s.edit(0, index=7)
    assert [sc.index for sc in s.scenes] == [0, 1, 2]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"output": None}, "output must be a file path"),
        ({"output": 3}, "output must be a file path"),
        ({"stitch_options": {"fade": 2}}, "unknown stitch option 'fade'; stitch\\(\\) takes: transition"),
        ({"stitch_options": {"transition": "wipe"}}, "unknown transition 'wipe'"),
        ({"stitch_options": {"interpolate": "magic"}}, "unknown interpolate"),
        ({"stitch_options": "fast"}, "stitch options must be a dict"),
        ({"fps": 0}, "fps must be a number in \\(0, 120\\]"),
        ({"fps": 1000}, "fps must be a number in \\(0, 120\\]"),
    ],
)
def test_make_story_refuses_bad_arguments_before_rendering(tmp_path, kwargs, match):
    fake = FakeBackend()
    args = {"output": tmp_path / "s.mp4", "backend": fake, "cache_dir": False, "progress": False, **kwargs}
    with pytest.raises(InvalidInput, match=match):
        make_story(example_script(), **args)
    assert fake.calls == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("existing", ["s.srt", "s.vtt", "s.manifest.json", "s.mp4"])
def test_an_existing_side_file_is_refused_before_rendering(tmp_path, existing):
    (tmp_path / existing).write_text("keep me")
    fake = FakeBackend()
    with pytest.raises(InvalidInput, match=f"{existing}' exists; pass overwrite=True"):
        make_story(example_script(), output=tmp_path / "s.mp4", backend=fake, cache_dir=False, progress=False)
    assert fake.calls == [] and (tmp_path / existing).read_text() == "keep me"


def test_a_folder_where_a_file_goes_is_refused_even_with_overwrite(tmp_path):
    fake = FakeBackend()
    (tmp_path / "v.mp4").mkdir()
    with pytest.raises(InvalidInput, match="'.*v.mp4' is a folder"):
        make_story(example_script(), output=tmp_path / "v.mp4", backend=fake, overwrite=True, progress=False)
    (tmp_path / "w.srt").mkdir()
    with pytest.raises(InvalidInput, match="w.srt' is a folder"):
        make_story(example_script(), output=tmp_path / "w.mp4", backend=fake, overwrite=True, progress=False)
    assert fake.calls == []


@pytest.mark.parametrize("audio", ["missing", "folder", "empty", "garbage"])
def test_unreadable_audio_is_refused_before_rendering(tmp_path, audio):
    path = tmp_path / "a.wav"
    if audio == "folder":
        path.mkdir()
    elif audio == "empty":
        path.write_bytes(b"")
    elif audio == "garbage":
        path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 10)
    fake = FakeBackend()
    with pytest.raises(InvalidInput, match="audio|ffmpeg cannot"):
        make_story(example_script(), output=tmp_path / "s.mp4", backend=fake, audio=path, cache_dir=False, progress=False)
    assert fake.calls == [] and not (tmp_path / "s.mp4").exists()


def test_good_audio_passes_the_early_check(tmp_path):
    from storykit.stitch.preflight import check_audio

    assert check_audio(tone(tmp_path / "t.wav")) == tmp_path / "t.wav"


def test_a_manifest_refuses_settings_it_would_ignore(tmp_path):
    fake = FakeBackend()
    for extra in ({"fps": 12}, {"height": 64}, {"num_inference_steps": 2}, {"stitch_options": {"captions": True}}):
        with pytest.raises(InvalidInput, match="a manifest replays its own settings"):
            make_story(manifest=tmp_path / "m.json", output=tmp_path / "s.mp4", backend=fake, **extra)
    assert fake.calls == []


def test_a_tampered_manifest_stitch_option_is_refused_before_rendering(tmp_path):
    first = make_story(example_script(num_frames=4), output=tmp_path / "a.mp4", backend="animatic", height=64,
                       width=64, cache_dir=False, progress=False)
    doc = json.loads(first.export.manifest.read_text())
    doc["stitch"]["fps"] = 1000
    (tmp_path / "bad.manifest.json").write_text(json.dumps(doc))
    with pytest.raises(InvalidInput, match="fps must be"):
        make_story(manifest=tmp_path / "bad.manifest.json", output=tmp_path / "b.mp4", progress=False)
    assert not (tmp_path / "b.mp4").exists()


# -- motion_adapter_config ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config, match",
    [
        ({"evil": 1}, "unknown key 'evil'; MotionAdapter accepts: block_out_channels"),
        ({"block_out_channels": "abc"}, "block_out_channels'\\] = 'abc' is not allowed"),
        ({"block_out_channels": [10**9]}, "is not allowed"),
        ({"use_motion_mid_block": "yes"}, "MotionAdapter takes bool"),
        ({"motion_max_seq_length": [32]}, "MotionAdapter takes int"),
        ("block_out_channels", "must be a dict"),
    ],
)
def test_tampered_motion_adapter_config_is_one_line(config, match):
    pytest.importorskip("diffusers")
    from storykit.generate.lightning.adapter_config import check_motion_adapter_config

    with pytest.raises(InvalidInput, match=match):
        check_motion_adapter_config(config)


def test_adapter_config_check_follows_motion_adapter_signature():
    diffusers = pytest.importorskip("diffusers")
    import inspect

    from storykit.generate.lightning.adapter_config import check_motion_adapter_config
    from storykit.testing import TINY_ADAPTER_CONFIG

    assert check_motion_adapter_config(TINY_ADAPTER_CONFIG)["block_out_channels"] == (8, 8)
    # Every argument MotionAdapter takes is accepted at its default value.
    defaults = {n: p.default for n, p in inspect.signature(diffusers.MotionAdapter.__init__).parameters.items()
                if n != "self" and p.default is not inspect.Parameter.empty}
    assert set(check_motion_adapter_config(defaults)) == set(defaults)


def test_tampered_manifest_adapter_config_stops_before_rendering(tiny_lightning, tmp_path):
    first = make_story(example_script(num_frames=4), output=tmp_path / "a.mp4", backend="animatic", height=64,
                       width=64, cache_dir=False, progress=False)
    doc = json.loads(first.export.manifest.read_text())
    doc["backend"] = {"backend": "lightning", "base_model": str(tiny_lightning.base_model),
                      "checkpoint_source": str(tiny_lightning.checkpoint_dir), "num_inference_steps": 4}
    for bad in ({"block_out_channels": "abc"}, {"evil": 1}):
        doc["backend"]["motion_adapter_config"] = bad
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(InvalidInput, match="motion_adapter_config"):
            make_story(manifest=path, output=tmp_path / "t.mp4", progress=False)
        assert main(["render", "--manifest", str(path), "-o", str(tmp_path / "t.mp4")]) == 2


def test_adapter_config_values_that_do_not_fit_each_other_are_one_line(tiny_lightning):
    from storykit.generate.lightning import LightningBackend

    bad = {"block_out_channels": [8, 8], "motion_layers_per_block": [2, 2, 2], "motion_norm_num_groups": 2,
           "motion_num_attention_heads": 4}
    backend = LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
                               motion_adapter_config=bad, device="cpu", dtype="fp32", progress=False)
    with pytest.raises(InvalidInput, match="does not build a MotionAdapter"):
        backend._read_motion_state(tiny_lightning.checkpoints[4])


def test_each_adapter_config_is_checked_against_its_own_layout(tiny_lightning):
    """A config's layout (names, shapes) is read once and kept: another config, same names and other
    widths, is measured on its own, for the checkpoint and for a motion LoRA alike."""
    from storykit.generate.lightning import LightningBackend
    from storykit.generate.lightning.motion_lora import check_motion_lora_file

    def backend(config):
        return LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
                                motion_adapter_config=config, device="cpu", dtype="fp32", progress=False)

    own = tiny_lightning.motion_adapter_config
    wider = {**own, "block_out_channels": [16, 16]}
    lora = next(tiny_lightning.motion_lora_dir.rglob("*.safetensors"))
    for _ in range(2):  # the second time from what was kept
        assert backend(own)._read_motion_state(tiny_lightning.checkpoints[4])
        check_motion_lora_file(lora, adapter_config=own)
        with pytest.raises(InvalidInput, match="has weights of other shapes than MotionAdapter"):
            backend(wider)._read_motion_state(tiny_lightning.checkpoints[4])
        with pytest.raises(InvalidInput, match="does not fit this motion module"):
            check_motion_lora_file(lora, adapter_config=wider)


# -- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--frames", "8"], "--frames cannot be used with --script"),
        (["--scenes", "4", "--seed", "2"], "--scenes, --seed cannot be used with --script"),
        (["--style", "anime"], "--style cannot be used with --script"),
    ],
)
def test_options_a_script_decides_are_refused(tmp_path, capsys, extra, match):
    path = example_script().save(tmp_path / "s.json")
    assert main(["render", "--script", str(path), *extra, "-o", str(tmp_path / "s.mp4")]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1
    assert not (tmp_path / "s.mp4").exists()


def test_a_triple_or_size_with_a_manifest_is_refused(tmp_path, capsys):
    m = tmp_path / "m.json"
    m.write_text("{}")
    for extra, match in ((FOX_ARGS[:2], "--setting cannot be used with --manifest"),
                         (["--fps", "12", "--height", "64"], "--height, --fps cannot be used with --manifest")):
        assert main(["render", "--manifest", str(m), *extra, "-o", str(tmp_path / "x.mp4")]) == 2
        assert match in capsys.readouterr().err


def test_storybench_decides_scenes_and_frames_and_index_needs_it(capsys):
    sb = str(ROOT / "tests" / "data" / "storybench" / "oops-test" / "story_gen.json")
    assert main(["plan", "--storybench", sb, "--frames", "8"]) == 2
    assert "--frames cannot be used with --storybench" in capsys.readouterr().err
    assert main(["plan", *FOX_ARGS, "--index", "2"]) == 2
    assert "--index picks an entry of a --storybench file" in capsys.readouterr().err


def test_cli_messages_name_flags_and_the_api_names_arguments(tmp_path, capsys):
    (tmp_path / "s.srt").write_text("x")
    assert main(["render", *FOX_ARGS, "-o", str(tmp_path / "s.mp4")]) == 2
    err = capsys.readouterr().err
    assert "pass --overwrite" in err and "overwrite=True" not in err
    with pytest.raises(InvalidInput) as e:
        make_story(*[None], setting=FOX[0], character=FOX[1], action=FOX[2], output=tmp_path / "s.mp4", progress=False)
    assert "overwrite=True" in str(e.value) and "--overwrite" not in str(e.value)
    for argv, flag in ((["--scenes", "9"], "--scenes must be"), (["--fps", "0"], "--fps must be"),
                       (["--frames", "0"], "--frames must be"), (["--height", "63"], "--height must be"), (["--width", "100"], "got --width 100")):
        assert main(["render", *FOX_ARGS, *argv, "-o", str(tmp_path / "t.mp4")]) == 2
        assert flag in capsys.readouterr().err
    assert cli_words("pass checkpoint=FOLDER (or set X)") == "pass --checkpoint FOLDER (or set X)"
    assert cli_words("num_inference_steps=5 has no Lightning checkpoint") == "--steps 5 has no Lightning checkpoint"


def test_backend_notice_is_short_and_comes_after_validation(tmp_path, capsys):
    assert main(["render", *FOX_ARGS, "--fps", "0", "-o", str(tmp_path / "s.mp4")]) == 2
    out = capsys.readouterr()
    assert "storykit: backend" not in out.out + out.err  # the error alone, no notice before it
    storykit.get_backend("auto")
    line = capsys.readouterr().out.strip()
    assert line.startswith("storykit: backend") and line.count("\n") == 0 and len(line) < 130


def test_outputs_are_ignored_by_git_and_the_readme_says_how_to_rerun():
    names = ["story.mp4", "story.srt", "story.vtt", "story.narration.txt", "story.manifest.json",
             "notebooks/storykit-out/story.mp4"]
    proc = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.split() == names
    readme = (ROOT / "README.md").read_text()
    assert "`--overwrite` to replace" in readme


def test_render_reports_interrupt_and_errors_without_traceback(tmp_path):
    # One subprocess, as a user runs it: exit 2 and one line for a bad --fps.
    proc = subprocess.run([sys.executable, "-m", "storykit", "render", *FOX_ARGS, "--fps", "1000", "-o",
                           str(tmp_path / "s.mp4")], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


# -- diagnose and the seam plot ---------------------------------------------------------------


def _clips_with_hard_seams():
    import numpy as np

    from storykit.generate.clips import Clip

    return [Clip(np.full((8, 32, 32, 3), v, np.uint8), fps=8, scene_index=i) for i, v in enumerate((20, 200, 20))]


def test_diagnose_reads_in_a_script_and_knows_the_transitions():
    clips = _clips_with_hard_seams()
    script = example_script()
    script.edit(0, transition="crossfade")
    script.edit(1, transition="cut")
    d = storykit.diagnose(clips, script)
    assert d.flagged_seams == [(1, 2)]  # the crossfaded seam is measured, not flagged
    assert [r.transition for r in d.rows[:2]] == ["crossfade", "cut"]
    text = str(d)
    assert repr(d) == text and "into next" in text and "crossfade" in text and "1 problem(s)" in text
    assert storykit.diagnose(clips).flagged_seams == [(0, 1), (1, 2)]  # without a script: every hard jump


def test_diagnose_of_a_story_uses_what_it_recorded():
    story = storykit.stitch(_clips_with_hard_seams(), transition="cut", fps=8)
    d = storykit.diagnose(story)
    assert [r.transition for r in d.rows[:2]] == ["cut", "cut"] and len(d.flagged_seams) == 2
    assert "a crossfade or fade hides it" in d.problems[0]


def test_seam_plot_legend_covers_no_bar():
    pytest.importorskip("matplotlib")
    from storykit.inspection import plot_seams

    fig = plot_seams(_clips_with_hard_seams() * 2, example_script(6))
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    for bar in ax.patches:
        assert not legend.overlaps(bar.get_window_extent())


# -- notebooks 2 and 3 ----------------------------------------------------------------------------


def test_tiny_pipeline_counts_tokens_like_clip_so_planned_prompts_are_not_truncated(tiny_backend, tiny_lightning, capfd):
    import transformers

    from storykit.generate.config import RenderConfig
    from storykit.plan.tokens import count_tokens

    tok = transformers.CLIPTokenizer.from_pretrained(tiny_lightning.base_model / "tokenizer")
    script = plan(*FOX, seed=0)
    for s in script.scenes:
        assert len(tok(s.prompt, add_special_tokens=False)["input_ids"]) == count_tokens(s.prompt) <= 75
    capfd.readouterr()
    storykit.render_scene(script.scenes[1], script, tiny_backend, RenderConfig(height=64, width=64), cache_dir=False)
    out = capfd.readouterr()
    assert "> 77" not in out.err + out.out and "truncated" not in out.err + out.out


def test_offline_clip_hint_names_the_hf_cli():
    assert "`hf download" in (ROOT / "storykit" / "inspection" / "alignment.py").read_text()
    with pytest.raises(StorykitError, match="`hf download"):
        storykit.inspection.clip_alignment(_clips_with_hard_seams(), example_script(), model="nobody/no-such-clip")
