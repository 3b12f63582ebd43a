"""Character reference (IP-Adapter) and scene handoff, on tiny random models of the real classes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from storykit.errors import InvalidInput, MissingWeights, StorykitError
from storykit.generate import RenderConfig, render_scene, render_story
from storykit.generate.cache import ClipCache
from storykit.generate.reference import CharacterReference, load_reference, make_reference, portrait_prompt
from storykit.testing import FakeBackend, example_script

SMALL = dict(height=64, width=64, num_inference_steps=2)


def one_line(err: BaseException) -> str:
    assert isinstance(err, StorykitError)
    msg = str(err)
    assert msg and "\n" not in msg, msg
    return msg


def picture(seed: int = 0, size=(96, 80), mode="RGB") -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).convert(mode)


@pytest.fixture(scope="module")
def backend(tiny_lightning):
    from storykit.generate.lightning import LightningBackend

    return LightningBackend(
        base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", dtype="fp32",
        progress=False, ip_adapter=tiny_lightning.ip_adapter, motion_loras=tiny_lightning.motion_lora_dir,
    )


def keys(clips):
    return [c.metadata["cache_key"] for c in clips]


# -- bad input: one line, before rendering -------------------------------------------------
def test_bad_reference_images_are_refused_in_one_line(tmp_path):
    with pytest.raises(InvalidInput) as e:
        load_reference(tmp_path / "nope.png")
    assert "no reference image" in one_line(e.value)
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(InvalidInput) as e:
        load_reference(tmp_path / "text.png")
    assert "cannot read" in one_line(e.value)
    with pytest.raises(InvalidInput) as e:
        load_reference(picture(size=(40, 200)))
    assert "at least 64" in one_line(e.value)
    Image.new("RGB", (5000, 64)).save(tmp_path / "wide.png")
    with pytest.raises(InvalidInput) as e:
        load_reference(tmp_path / "wide.png")
    assert "4096" in one_line(e.value)
    with pytest.raises(InvalidInput) as e:
        load_reference(Image.new("I;16", (96, 96)))
    assert "16-bit" in one_line(e.value)
    with pytest.raises(InvalidInput) as e:
        load_reference(42)
    one_line(e.value)


def test_other_modes_become_rgb_and_transparency_goes_white():
    rgba = Image.new("RGBA", (80, 80), (255, 0, 0, 0))
    ref = load_reference(rgba)
    assert ref.image.mode == "RGB" and ref.image.getpixel((0, 0)) == (255, 255, 255)
    grey = load_reference(picture(mode="L"))
    assert grey.image.mode == "RGB"
    # The same pixels from a file and from memory: one hash, so one cache key.
    assert load_reference(picture(3)).sha256 == load_reference(picture(3).convert("RGB")).sha256


def test_scale_and_strength_out_of_range_are_refused():
    for bad in (-0.1, 1.5, "high", True):
        with pytest.raises(InvalidInput) as e:
            RenderConfig(ip_adapter_scale=bad)
        assert "ip_adapter_scale" in one_line(e.value)
    for bad in (0, 1.2, None):
        with pytest.raises(InvalidInput) as e:
            RenderConfig(handoff_strength=bad)
        assert "handoff_strength" in one_line(e.value)
    with pytest.raises(InvalidInput):
        RenderConfig(handoff="yes")


def test_animatic_refuses_handoff_and_ignores_a_reference(tmp_path, capsys):
    script = example_script(2, num_frames=4)
    with pytest.raises(InvalidInput) as e:
        render_story(script, "animatic", RenderConfig(height=64, width=64, handoff=True), cache_dir=tmp_path, progress=False)
    assert "handoff needs the Lightning backend" in one_line(e.value)
    assert len(ClipCache(tmp_path)) == 0
    plain = render_story(script, "animatic", RenderConfig(height=64, width=64), cache_dir=tmp_path, progress=False)
    with_ref = render_story(script, "animatic", RenderConfig(height=64, width=64, reference=picture()),
                            cache_dir=tmp_path, progress=False)
    assert "ignores the character reference" in capsys.readouterr().out
    assert keys(plain) == keys(with_ref) and all(c.metadata["cached"] for c in with_ref)


def test_pickle_ip_adapters_are_refused(tiny_lightning, tmp_path):
    from storykit.generate.lightning.reference import locate_ip_adapter

    pickled = tmp_path / "pickled" / "models"
    shutil.copytree(tiny_lightning.ip_adapter / "models" / "image_encoder", pickled / "image_encoder")
    (pickled / "ip-adapter_sd15.bin").write_bytes(b"\x80\x04K\x01.")  # a pickle; never unpickled
    with pytest.raises(InvalidInput) as e:
        locate_ip_adapter(pickled.parent)
    assert "pickle" in one_line(e.value)
    with pytest.raises(InvalidInput) as e:
        locate_ip_adapter(pickled / "ip-adapter_sd15.bin")
    assert "pickle" in one_line(e.value)
    enc_pickle = tmp_path / "enc" / "models"
    (enc_pickle / "image_encoder").mkdir(parents=True)
    shutil.copy(tiny_lightning.ip_adapter / "models" / "ip-adapter_sd15.safetensors", enc_pickle)
    shutil.copy(tiny_lightning.ip_adapter / "models" / "image_encoder" / "config.json", enc_pickle / "image_encoder")
    (enc_pickle / "image_encoder" / "pytorch_model.bin").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(InvalidInput) as e:
        locate_ip_adapter(enc_pickle.parent)
    assert "pickle" in one_line(e.value)


def test_missing_ip_adapter_weights_fail_before_rendering(backend, tmp_path):
    from storykit.generate.lightning import LightningBackend

    nowhere = LightningBackend(base_model=backend.base_model, checkpoint=backend.checkpoint,
                               motion_adapter_config=backend.motion_adapter_config, device="cpu", dtype="fp32",
                               progress=False, ip_adapter=tmp_path / "absent")
    with pytest.raises(MissingWeights) as e:
        render_story(example_script(2, num_frames=4), nowhere, RenderConfig(**SMALL, reference=picture()),
                     cache_dir=tmp_path / "c", progress=False)
    assert "hf download h94/IP-Adapter" in one_line(e.value)
    assert len(ClipCache(tmp_path / "c")) == 0


# -- IP-Adapter through diffusers' load_ip_adapter -----------------------------------------
def test_reference_changes_frames_and_key_and_same_reference_same_frames(backend, tmp_path):
    script = example_script(2, num_frames=4)
    plain = render_story(script, backend, RenderConfig(**SMALL), cache_dir=False, progress=False)
    config = RenderConfig(**SMALL, reference=picture(1))
    a = render_story(script, backend, config, cache_dir=tmp_path, progress=False)
    assert all(not np.array_equal(p.frames, r.frames) for p, r in zip(plain, a))
    assert a[0].metadata["reference"]["ip_adapter_scale"] == 0.5
    # Same reference (a PNG of it this time): same key, same frames, from a fresh render too.
    picture(1).save(tmp_path / "ref.png")
    b = render_story(script, backend, RenderConfig(**SMALL, reference=tmp_path / "ref.png"), cache_dir=False, progress=False)
    assert all(np.array_equal(x.frames, y.frames) for x, y in zip(a, b))
    hit = render_story(script, backend, RenderConfig(**SMALL, reference=tmp_path / "ref.png"), cache_dir=tmp_path, progress=False)
    assert all(c.metadata["cached"] for c in hit) and all(np.array_equal(x.frames, y.frames) for x, y in zip(a, hit))
    # Another picture or another scale: rendered afresh, never the cached clips of the first reference.
    other = render_story(script, backend, RenderConfig(**SMALL, reference=picture(2)), cache_dir=tmp_path, progress=False)
    louder = render_story(script, backend, RenderConfig(**SMALL, reference=picture(1), ip_adapter_scale=0.9),
                          cache_dir=tmp_path, progress=False)
    assert not any(c.metadata["cached"] for c in [*other, *louder])
    assert not np.array_equal(other[0].frames, a[0].frames) and not np.array_equal(louder[0].frames, a[0].frames)
    # Without a reference again: the adapter is removed, frames as before it was ever loaded.
    again = render_story(script, backend, RenderConfig(**SMALL), cache_dir=False, progress=False)
    assert all(np.array_equal(x.frames, y.frames) for x, y in zip(plain, again))


def test_no_reference_no_handoff_keys_are_unchanged(backend, tmp_path):
    script = example_script(2, num_frames=4)
    fields = backend.cache_fields(script.scenes[1], script, RenderConfig(**SMALL))
    assert set(fields) == {"backend", "base_model", "checkpoint_sha256", "motion_adapter_config", "prompt", "seed",
                           "num_frames", "height", "width", "num_inference_steps", "guidance_scale", "dtype", "device",
                           "camera", "camera_weight", "motion_lora", "context_frames"}  # the camera LoRA (#11), not continuity
    # Changing the scale or strength alone (nothing uses them) costs no render: both scenes come from the cache.
    render_story(script, backend, RenderConfig(**SMALL), cache_dir=tmp_path, progress=False)
    again = render_story(script, backend, RenderConfig(**SMALL, ip_adapter_scale=0.9, handoff_strength=0.5),
                         cache_dir=tmp_path, progress=False)
    assert [c.metadata["cached"] for c in again] == [True, True]


def test_portrait_reference_is_made_with_the_loaded_model(backend, tmp_path):
    script = example_script(2, num_frames=4)
    script.style = "watercolor"
    pipe = backend.load(2)
    ref = make_reference(script, backend, RenderConfig(**SMALL), cache_dir=tmp_path)
    assert backend.pipe is pipe  # the same pipeline: no second copy of the base model
    assert isinstance(ref, CharacterReference) and ref.source == "portrait" and ref.image.size == (64, 64)
    assert ref.prompt == portrait_prompt(script) and "watercolor" in ref.prompt and script.triple.character in ref.prompt
    assert make_reference(script, backend, RenderConfig(**SMALL), cache_dir=False) == ref  # deterministic
    with pytest.raises(InvalidInput) as e:
        make_reference(script, "animatic")
    one_line(e.value)


# -- handoff -----------------------------------------------------------------------------
class HandoffFake(FakeBackend):
    """FakeBackend that accepts a handoff (starts from the previous last frame), to test the render loop."""

    supports_handoff = True

    def render_scene(self, scene, script, config, *, handoff_from=None):
        clip = super().render_scene(scene, script, config)
        if handoff_from is not None:
            clip.frames[0] = handoff_from.frames[-1]
        return clip


def test_handoff_rerenders_the_edited_scene_and_every_later_one(tmp_path):
    script = example_script(5, num_frames=4)
    fake = HandoffFake()
    config = RenderConfig(height=64, width=64, handoff=True)
    first = render_story(script, fake, config, cache_dir=tmp_path, progress=False)
    assert fake.calls == [0, 1, 2, 3, 4]
    assert all(np.array_equal(a.frames[-1], b.frames[0]) for a, b in zip(first, first[1:]))
    script.edit(2, prompt="scene 2: the fox finds the lantern")
    fake.calls.clear()
    again = render_story(script, fake, config, cache_dir=tmp_path, progress=False)
    assert fake.calls == [2, 3, 4]  # 0 and 1 come from the cache
    assert keys(again)[:2] == keys(first)[:2] and all(a != b for a, b in zip(keys(again)[2:], keys(first)[2:]))
    # Without handoff only the edited scene renders; scene 0's key is the same either way.
    fake.calls.clear()
    plain = render_story(script, fake, RenderConfig(height=64, width=64), cache_dir=tmp_path, progress=False)
    assert fake.calls == [1, 2, 3, 4] and keys(plain)[0] == keys(first)[0]
    fake.calls.clear()
    script.edit(3, seed=99)
    render_story(script, fake, RenderConfig(height=64, width=64), cache_dir=tmp_path, progress=False)
    assert fake.calls == [3]
    # One scene asked for: its predecessors come along (from the cache), only it is returned.
    fake.calls.clear()
    only = render_story(script, fake, config, cache_dir=tmp_path, scenes=[4], progress=False)
    assert [c.scene_index for c in only] == [4] and fake.calls == [3, 4]
    assert render_scene(4, script, fake, config, cache_dir=tmp_path).metadata["cached"]


def test_handoff_refuses_backends_without_it(tmp_path):
    with pytest.raises(InvalidInput) as e:
        render_story(example_script(2, num_frames=4), FakeBackend(), RenderConfig(height=64, width=64, handoff=True),
                     cache_dir=tmp_path, progress=False)
    one_line(e.value)


def test_handoff_on_lightning_runs_video_to_video_and_depends_on_the_predecessor(backend, tmp_path, video_to_video_calls):
    from storykit.inspection.metrics import seams

    script = example_script(3, num_frames=4)
    config = RenderConfig(**SMALL, handoff=True, reference=picture(1))
    clips = render_story(script, backend, config, cache_dir=tmp_path, progress=False)
    # 2 steps at strength 0.75: int(1.5) = 1 denoising step, counted on the UNet of scenes 1 and 2.
    assert [c["unet_calls"] for c in video_to_video_calls] == [1, 1]
    assert "handoff" not in clips[0].metadata and clips[1].metadata["handoff"]["denoising_steps"] == 1
    assert clips[2].metadata["handoff_from_scene"] == 1 and clips[2].metadata["reference"]
    assert all("ip_adapter_image" in c["kwargs"] for c in video_to_video_calls)  # the reference reaches it too
    assert seams(clips).shape == (2,)  # the seam meter reads them (tiny random weights: no quality claim)
    # Without handoff: scene 0 is the same clip (from the cache), scenes 1 and 2 render afresh, from noise.
    plain = render_story(script, backend, dataclasses.replace(config, handoff=False), cache_dir=tmp_path, progress=False)
    assert [c.metadata["cached"] for c in plain] == [True, False, False] and len(video_to_video_calls) == 2
    assert not np.array_equal(plain[1].frames, clips[1].frames)
    script.edit(1, prompt="scene 1: the fox looks up")
    again = render_story(script, backend, config, cache_dir=tmp_path, progress=False)
    assert [c.metadata["cached"] for c in again] == [True, False, False]
    # Fewer than one denoising step left, or scenes past one motion window: refused up front.
    with pytest.raises(InvalidInput) as e:
        render_story(script, backend, RenderConfig(**SMALL, handoff=True, handoff_strength=0.4), cache_dir=tmp_path, progress=False)
    assert "no denoising step" in one_line(e.value)
    long = example_script(2, num_frames=40)
    with pytest.raises(InvalidInput) as e:
        render_story(long, backend, RenderConfig(**SMALL, handoff=True), cache_dir=tmp_path, progress=False)
    assert "32 frames" in one_line(e.value)


@pytest.fixture
def video_to_video_calls(monkeypatch):
    """Spies on diffusers' AnimateDiffVideoToVideoPipeline: each call's keyword arguments and its UNet evaluations."""
    import diffusers

    calls = []
    original = diffusers.AnimateDiffVideoToVideoPipeline.__call__

    def spy(self, *args, **kwargs):
        assert not args, "storykit calls the pipeline with keyword arguments only"
        call = {"kwargs": kwargs, "unet_calls": 0, "unet_batch": set()}
        calls.append(call)

        def count(module, args, kw):
            call["unet_calls"] += 1
            call["unet_batch"].add((args[0] if args else kw["sample"]).shape[0])  # 2 with classifier-free guidance

        hook = self.unet.register_forward_pre_hook(count, with_kwargs=True)
        try:
            return original(self, **kwargs)
        finally:
            hook.remove()

    monkeypatch.setattr(diffusers.AnimateDiffVideoToVideoPipeline, "__call__", spy)
    return calls


def test_handoff_hands_over_the_last_frame_of_the_previous_clip(backend, video_to_video_calls):
    script = example_script(3, num_frames=4)
    clips = render_story(script, backend, RenderConfig(**SMALL, handoff=True), cache_dir=False, progress=False)
    assert len(video_to_video_calls) == 2  # scenes 1 and 2 start from their predecessor; scene 0 from noise
    for previous, call in zip(clips, video_to_video_calls):
        frames = previous.frames
        assert not np.array_equal(frames[0], frames[-1])  # so first and last can be told apart
        video = [np.asarray(image.convert("RGB")) for image in call["kwargs"]["video"]]
        assert len(video) == 4  # the frame held for the new clip's length
        for received in video:
            np.testing.assert_array_equal(received, frames[-1])


# Steps the video-to-video pipeline must run at 4 steps, worked out by hand: int(4 * strength).
STEPS_AT_4 = {0.25: 1, 0.5: 2, 0.75: 3, 1.0: 4}


def test_handoff_strength_sets_the_denoising_steps_the_unet_runs(backend, video_to_video_calls, tmp_path):
    script = example_script(2, num_frames=4)
    config = RenderConfig(height=64, width=64, num_inference_steps=4, handoff=True)
    render_story(script, backend, config, cache_dir=tmp_path, scenes=[0], progress=False)  # scene 0 now cached
    for strength, steps in STEPS_AT_4.items():
        video_to_video_calls.clear()
        clip = render_story(script, backend, dataclasses.replace(config, handoff_strength=strength), cache_dir=tmp_path,
                            scenes=[1], progress=False)[0]
        [call] = video_to_video_calls
        assert call["unet_calls"] == steps, (strength, call["unet_calls"])
        assert call["unet_batch"] == {1}  # the default guidance is the card's 1.0: no CFG batch of two
        assert call["kwargs"].get("strength") == strength
        assert clip.metadata["handoff"]["denoising_steps"] == call["unet_calls"]  # the record agrees with the count


# -- the main job: saved next to the story, in the manifest, replayed -------------------------
def test_make_story_saves_the_reference_and_replays_it(backend, tiny_lightning, tmp_path, monkeypatch):
    from storykit.story import make_story

    picture(5, mode="RGBA").save(tmp_path / "fox.png")
    options = {"motion_adapter_config": tiny_lightning.motion_adapter_config, "device": "cpu", "dtype": "fp32",
               "ip_adapter": str(tiny_lightning.ip_adapter), "progress": False}
    common = dict(backend="lightning", base_model=str(tiny_lightning.base_model), checkpoint=str(tiny_lightning.checkpoint_dir),
                  height=64, width=64, num_inference_steps=2, cache_dir=tmp_path / "c", progress=False, fps=8,
                  stitch_options={"interpolate": "none", "title": False})
    script = example_script(2, num_frames=4)
    result = make_story(script, output=tmp_path / "story.mp4", reference=tmp_path / "fox.png", handoff=True,
                        backend_options=options, **common)
    saved = tmp_path / "story.reference.png"
    doc = json.loads((tmp_path / "story.manifest.json").read_text())
    entry = doc["config"]["reference"]
    assert entry["file"] == saved.name and entry["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    assert entry["pixels_sha256"] == load_reference(tmp_path / "fox.png").sha256 and doc["config"]["handoff"] is True
    assert doc["backend"]["ip_adapter"] == str(tiny_lightning.ip_adapter)
    # Replayed from the manifest: the same reference and keys, so every scene comes from the cache.
    again = make_story(manifest=tmp_path / "story.manifest.json", output=tmp_path / "again.mp4",
                       backend_options={k: v for k, v in options.items() if k != "ip_adapter"},
                       **{k: v for k, v in common.items() if k not in ("height", "width", "stitch_options", "fps", "num_inference_steps")})
    assert keys(again.clips) == keys(result.clips) and all(c.metadata["cached"] for c in again.clips)
    # An output's reference file already there: refused (nothing rendered is lost), unless overwrite.
    with pytest.raises(InvalidInput) as e:
        make_story(script, output=tmp_path / "story.mp4", reference=tmp_path / "fox.png", backend_options=options,
                   overwrite=False, **common)
    one_line(e.value)
    saved.write_bytes(b"changed")
    with pytest.raises(InvalidInput) as e:
        make_story(manifest=tmp_path / "story.manifest.json", output=tmp_path / "third.mp4", backend_options=options,
                   **{k: v for k, v in common.items() if k not in ("height", "width", "stitch_options", "fps", "num_inference_steps")})
    one_line(e.value)


def test_cli_reference_errors_are_one_line(tmp_path, capsys):
    from storykit.cli import main

    args = ["render", "--setting", "a forest", "--character", "a fox", "--action", "runs", "--scenes", "3",
            "--frames", "4", "--height", "64", "--width", "64", "--cache-dir", str(tmp_path / "c")]
    assert main([*args, "--backend", "animatic", "-o", str(tmp_path / "a.mp4"), "--reference", str(tmp_path / "no.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("storykit: error:") and "no reference image" in err and "\n" not in err
    assert main([*args, "--backend", "animatic", "-o", str(tmp_path / "b.mp4"), "--handoff"]) == 2
    err = capsys.readouterr().err.strip()
    assert "handoff needs the Lightning backend" in err and "\n" not in err
    assert main([*args, "--backend", "animatic", "-o", str(tmp_path / "c.mp4"), "--ip-adapter-scale", "3"]) == 2
    assert "ip_adapter_scale" in capsys.readouterr().err


# -- the studio: a path or an upload, the scale and the handoff switch ----------------------
def test_studio_reference_and_handoff(backend, tmp_path, studio_encodes):
    import io

    from storykit.studio.widgets import Studio

    studio = Studio(backend=backend, cache_dir=tmp_path / "c", output_dir=tmp_path / "out", height=64, width=64)
    studio.num_scenes.value = 3
    studio.steps.value = 2
    studio.plan()
    for row in studio.rows:
        row["seconds"].value = 0.5  # 4 frames at 8 fps
    buf = io.BytesIO()
    picture(7).save(buf, format="PNG")
    import datetime

    studio.reference_upload.value = ({"name": "fox.png", "type": "image/png", "size": len(buf.getvalue()),
                                      "content": memoryview(buf.getvalue()),
                                      "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
    studio.handoff.value = True
    clips = studio.render_all()
    assert studio.last_rendered == [0, 1, 2]
    assert clips[0].metadata["reference"]["sha256"] == load_reference(picture(7)).sha256
    assert clips[1].metadata["handoff_from_scene"] == 0
    previews = lambda: [row["preview"].value.split("base64,")[1] for row in studio.rows]  # noqa: E731
    before = previews()
    studio.rows[1]["prompt"].value += ", at dusk"
    studio.render_all()
    assert studio.last_rendered == [1, 2]  # the edited scene and the one that starts from it
    assert [a == b for a, b in zip(previews(), before)] == [True, False, False]  # both previews new
    # A caption is burned into the story, not into Lightning's clips: no clip, a new story preview.
    before, player = previews(), studio.player.value.split("base64,")[1]
    studio_encodes.clear()
    studio.rows[0]["caption"].value = "A fox in a scarf."
    studio.render_all()
    assert studio.last_rendered == [] and previews() == before
    assert studio_encodes["scene"] == 0 and studio_encodes["player"] == 1 and studio_encodes["segments"] >= 1
    assert studio.player.value.split("base64,")[1] != player
    result = studio.export(gif=False)
    assert (tmp_path / "out" / "story.reference.png").is_file()
    doc = json.loads(result.manifest.read_text())
    assert doc["config"]["reference"]["file"] == "story.reference.png" and doc["config"]["handoff"] is True
    studio.reference_upload.value = ()
    studio.reference.value = str(tmp_path / "missing.png")
    studio._safely(studio.render_all)
    assert "no reference image" in studio.messages[-1]


def test_studio_makes_a_reference_portrait(backend, tmp_path):
    from storykit.studio.widgets import Studio

    studio = Studio(backend=backend, cache_dir=tmp_path / "c", output_dir=tmp_path / "out", height=64, width=64)
    studio.steps.value = 2
    ref = studio.make_reference()
    assert ref.source == "portrait" and studio.reference.value == str(tmp_path / "out" / "reference.png")
    assert load_reference(studio.reference.value) == ref


def test_cli_reference_auto_on_the_animatic_is_a_note(tmp_path, capsys):
    from storykit.cli import main

    rc = main(["render", "--setting", "a forest", "--character", "a fox", "--action", "runs", "--scenes", "3",
               "--frames", "4", "--height", "64", "--width", "64", "--cache-dir", str(tmp_path / "c"),
               "--backend", "animatic", "-o", str(tmp_path / "a.mp4"), "--reference", "auto"])
    out = capsys.readouterr().out
    assert rc == 0 and "ignores the character reference" in out
    assert not (tmp_path / "a.reference.png").exists()


def test_a_reference_works_past_the_16_frame_window(backend):
    # FreeNoise windows + split inference + IP-Adapter: 24 frames once failed inside spatial attention.
    script = example_script(1, num_frames=24)
    config = RenderConfig(**SMALL, reference=picture(5))
    clip = render_scene(script.scenes[0], script, backend, config, cache_dir=False)
    assert clip.frames.shape == (24, 64, 64, 3) and clip.metadata["reference"]["sha256"] == load_reference(picture(5)).sha256
