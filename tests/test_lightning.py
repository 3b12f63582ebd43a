"""AnimateDiff-Lightning backend on tiny random components of the real classes (offline, CPU)."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from storykit.generate import RenderConfig, get_backend
from storykit.errors import InvalidInput, MissingWeights, StorykitError
from storykit.generate.lightning import (
    LightningBackend,
    checkpoint_filename,
    local_weights_status,
    locate_checkpoint,
)
from storykit.plan import Scene
from storykit.testing import example_script

SMALL = dict(num_frames=4, height=64, width=64, num_inference_steps=2)  # seconds, not minutes
FOUR = {**SMALL, "num_inference_steps": 4}  # the 4-step file, as the error tests name it


def sha256(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def one_line(err: BaseException) -> str:
    msg = str(err)
    assert isinstance(err, StorykitError)
    assert msg and "\n" not in msg, msg
    return msg


# -- frames -----------------------------------------------------------------------


def test_render_scene_returns_uint8_frames_of_the_scene_size(tiny_backend):
    script = example_script(2, num_frames=6)
    clip = tiny_backend.render_scene(script.scenes[1], script, RenderConfig(height=64, width=96))
    assert clip.frames.shape == (6, 64, 96, 3)
    assert clip.frames.dtype == np.uint8
    assert clip.scene_index == 1 and clip.fps == script.scenes[1].fps
    assert clip.frames.std() > 5  # random weights still give varied pixels, not a flat image


def test_same_seed_same_frames_other_seed_other_frames(tiny_backend):
    a, _ = tiny_backend.generate("a fox", seed=3, **SMALL)
    b, _ = tiny_backend.generate("a fox", seed=3, **SMALL)
    c, _ = tiny_backend.generate("a fox", seed=4, **SMALL)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 1


def test_prompt_changes_frames(tiny_backend):
    a, _ = tiny_backend.generate("a fox", seed=3, **SMALL)
    b, _ = tiny_backend.generate("a lantern under a bridge", seed=3, **SMALL)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("steps, ckpt", [(1, 1), (2, 2), (3, 2), (4, 4), (8, 8)])
def test_step_count_selects_checkpoint(tiny_backend, tiny_lightning, steps, ckpt):
    from safetensors.torch import load_file

    name = f"animatediff_lightning_{ckpt}step_diffusers.safetensors"
    assert checkpoint_filename(steps) == name
    _, meta = tiny_backend.generate("a fox", num_inference_steps=steps, num_frames=2, height=64, width=64)
    assert meta["checkpoint"] == name
    assert meta["num_inference_steps"] == steps
    assert meta["checkpoint_sha256"] == sha256(tiny_lightning.checkpoints[ckpt])
    # The pipeline's motion module really holds that checkpoint's weights.
    from storykit.generate.lightning.motion_lora import real_names

    key = "down_blocks.0.motion_modules.0.proj_in.weight"  # wrapped by FreeNoise's split inference
    loaded = tiny_backend.pipe.unet.state_dict()[real_names(tiny_backend.pipe.unet, params=True)[key]]
    assert np.allclose(loaded.numpy(), load_file(tiny_lightning.checkpoints[ckpt])[key].numpy())


def _unet_calls(backend, **kwargs) -> list[tuple[int, float]]:
    """(batch, timestep) of every UNet evaluation in one generate call: what the pipeline really ran."""
    backend.load(kwargs.get("num_inference_steps", 4))
    seen = []
    hook = backend.pipe.unet.register_forward_pre_hook(
        lambda module, args, kw={}: seen.append((int(args[0].shape[0]), float(args[1]))), with_kwargs=False)
    try:
        backend.generate("a fox", **kwargs)
    finally:
        hook.remove()
    return seen


def test_scheduler_and_guidance_follow_the_model_card(tiny_backend):
    # The card: 4 steps on the 4-step model, CFG 1 (one UNet batch per step, no negative branch),
    # Euler with trailing timesteps over linear betas: t = 999, 749, 499, 249.
    assert _unet_calls(tiny_backend, **FOUR) == [(1, 999.0), (1, 749.0), (1, 499.0), (1, 249.0)]
    assert _unet_calls(tiny_backend, **SMALL) == [(1, 999.0), (1, 499.0)]  # 2 steps on the 2-step model
    config = tiny_backend.pipe.scheduler.config
    assert type(tiny_backend.pipe.scheduler).__name__ == "EulerDiscreteScheduler"
    assert config.timestep_spacing == "trailing" and config.beta_schedule == "linear"
    # The same measure sees guidance when it is asked for: CFG doubles the batch.
    assert _unet_calls(tiny_backend, **{**SMALL, "guidance_scale": 7.5}) == [(2, 999.0), (2, 499.0)]


def test_long_clip_uses_free_noise(tiny_backend):
    frames, meta = tiny_backend.generate("a fox", num_frames=36, height=64, width=64, num_inference_steps=1)
    assert frames.shape == (36, 64, 64, 3) and meta["free_noise"] is True
    assert meta["context_frames"] == 16
    _, meta = tiny_backend.generate("a fox", num_frames=4, height=64, width=64, num_inference_steps=1)
    assert meta["free_noise"] is False and tiny_backend.pipe._free_noise_context_length == 4  # one window


def test_metadata_names_models_seed_steps_and_timings(tiny_backend, tiny_lightning):
    script = example_script(1, num_frames=4)
    clip = tiny_backend.render_scene(script.scenes[0], script, RenderConfig(height=64, width=64))
    meta = clip.metadata
    assert meta["backend"] == "lightning"
    assert meta["base_model"] == str(tiny_lightning.base_model)
    assert meta["checkpoint"] == "animatediff_lightning_4step_diffusers.safetensors"
    assert meta["checkpoint_sha256"] == sha256(tiny_lightning.checkpoints[4])
    assert meta["seed"] == script.scenes[0].seed and meta["num_inference_steps"] == 4
    assert meta["device"] == "cpu" and meta["dtype"] == "float32"
    t = meta["timings"]
    assert set(t) >= {"load_s", "encode_s", "denoise_s", "decode_s", "total_s"}
    assert all(v >= 0 for v in t.values()) and t["denoise_s"] > 0
    assert t["total_s"] >= t["encode_s"] + t["denoise_s"] + t["decode_s"] - 1e-3
    json.dumps(meta)  # must be JSON-serialisable for the cache and manifests
    desc = tiny_backend.describe()
    assert desc["checkpoint_sha256"] == meta["checkpoint_sha256"] and desc["backend"] == "lightning"


def test_cache_fields_ignore_negative_prompt_only_without_cfg(tiny_backend):
    script = example_script(1)
    scene = script.scenes[0]
    other = Scene(**{**scene.__dict__, "negative_prompt": "ugly"})
    cfg1, cfg7 = RenderConfig(height=64, width=64), RenderConfig(height=64, width=64, guidance_scale=7.5)
    assert tiny_backend.cache_fields(scene, script, cfg1) == tiny_backend.cache_fields(other, script, cfg1)
    assert tiny_backend.cache_fields(scene, script, cfg7) != tiny_backend.cache_fields(other, script, cfg7)


# -- one-line errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(height=60), "divisible by 8"),
        (dict(width=100), "divisible by 8"),
        (dict(num_frames=0), "num_frames"),
        (dict(num_inference_steps=5), "1, 2, 3, 4 or 8"),
        (dict(num_inference_steps=25), "1, 2, 3, 4 or 8"),
        (dict(seed=-1), "seed"),
        (dict(guidance_scale=-1.0), "guidance_scale"),
    ],
)
def test_bad_generation_inputs_raise_one_line_errors(tiny_backend, kwargs, fragment):
    args = {**SMALL, **kwargs}
    with pytest.raises(InvalidInput) as e:
        tiny_backend.generate("a fox", **args)
    assert fragment in one_line(e.value)


def test_bad_inputs_are_refused_before_loading(tiny_lightning):
    with pytest.raises(InvalidInput) as e:
        LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir, num_inference_steps=6)
    one_line(e.value)
    with pytest.raises(InvalidInput):
        RenderConfig(height=65)
    with pytest.raises(InvalidInput):
        Scene(0, "introduce", "a fox", num_frames=0)


def test_missing_local_weights(tiny_lightning, tmp_path):
    with pytest.raises(MissingWeights) as e:
        LightningBackend(base_model=tmp_path / "no-such-model")
    one_line(e.value)
    backend = LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tmp_path / "nothing-here", device="cpu")
    with pytest.raises(MissingWeights) as e:
        backend.generate("a fox", **FOUR)
    assert "hf download ByteDance/AnimateDiff-Lightning animatediff_lightning_4step_diffusers.safetensors" in one_line(e.value)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MissingWeights) as e:
        locate_checkpoint(empty, 4)
    assert "animatediff_lightning_4step_diffusers.safetensors" in one_line(e.value)


def test_local_paths_never_touch_the_network(tiny_lightning, monkeypatch):
    import socket

    import huggingface_hub.constants

    attempts = []

    def no_network(self, address, *a, **k):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    backend = LightningBackend(
        base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", progress=False,
    )
    frames, _ = backend.generate("a fox", **SMALL)
    assert frames.shape == (4, 64, 64, 3) and attempts == []


def test_unreachable_hub_ids_raise_missing_weights(tiny_lightning, tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    backend = LightningBackend(base_model=tiny_lightning.base_model, checkpoint="storykit-tests/no-such-repo", device="cpu")
    with pytest.raises(MissingWeights) as e:
        backend.generate("a fox", **FOUR)
    assert "storykit-tests/no-such-repo" in one_line(e.value)
    backend = LightningBackend(
        base_model="storykit-tests/no-such-model", checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu",
    )
    with pytest.raises(MissingWeights) as e:
        backend.generate("a fox", **FOUR)
    assert "hf download storykit-tests/no-such-model" in one_line(e.value)


def test_comfyui_and_foreign_checkpoints_are_refused(tiny_lightning, tmp_path):
    kw = dict(base_model=tiny_lightning.base_model, motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu")
    with pytest.raises(InvalidInput) as e:
        LightningBackend(checkpoint=tiny_lightning.comfyui_checkpoint, **kw).generate("a fox", **FOUR)
    assert "ComfyUI" in one_line(e.value)
    # The same ComfyUI weights under a diffusers file name: caught by their keys.
    disguised = tmp_path / "disguised"
    disguised.mkdir()
    shutil.copy(tiny_lightning.comfyui_checkpoint, disguised / "animatediff_lightning_4step_diffusers.safetensors")
    with pytest.raises(InvalidInput) as e:
        LightningBackend(checkpoint=disguised, **kw).generate("a fox", **FOUR)
    assert "not a diffusers-format" in one_line(e.value)
    # Right keys, wrong adapter layout (the real default MotionAdapter is far bigger).
    with pytest.raises(InvalidInput) as e:
        LightningBackend(checkpoint=tiny_lightning.checkpoint_dir, **{**kw, "motion_adapter_config": {
            **tiny_lightning.motion_adapter_config, "block_out_channels": [16, 16], "motion_norm_num_groups": 4}}
        ).generate("a fox", **FOUR)
    assert "motion_adapter_config" in one_line(e.value)
    # A truncated download.
    broken = tmp_path / "broken"
    broken.mkdir()
    data = tiny_lightning.checkpoints[4].read_bytes()
    (broken / "animatediff_lightning_4step_diffusers.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInput) as e:
        LightningBackend(checkpoint=broken, **kw).generate("a fox", **FOUR)
    one_line(e.value)
    # A file for another step count than asked for.
    with pytest.raises(InvalidInput) as e:
        locate_checkpoint(tiny_lightning.checkpoints[8], 4)
    assert "8-step" in one_line(e.value)


# -- what is on disk, and which backend "auto" picks --------------------------------------


def _fake_hf_cache(cache, repo_id: str, files: dict) -> None:
    """Lays files out as huggingface_hub's cache does: refs/main → snapshots/<rev>/..."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    rev = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(rev)
    for rel, src in files.items():
        dst = repo / "snapshots" / rev / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)


def test_local_weights_status(tiny_lightning, tmp_path, monkeypatch):
    import huggingface_hub.constants

    found, why = local_weights_status(tiny_lightning.base_model, tiny_lightning.checkpoint_dir)
    assert found, why
    found, why = local_weights_status(tiny_lightning.base_model, tmp_path / "missing")
    assert not found and "missing" in why
    found, why = local_weights_status(tmp_path / "missing", tiny_lightning.checkpoint_dir)
    assert not found
    found, why = local_weights_status(tiny_lightning.base_model, tiny_lightning.checkpoint_dir, num_inference_steps=7)
    assert not found and "num_inference_steps" in why

    # Hub ids count only when already in the Hugging Face cache, complete.
    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    assert not local_weights_status("org/tiny-sd15", "org/lightning")[0]
    base_files = {str(p.relative_to(tiny_lightning.base_model)): p for p in tiny_lightning.base_model.rglob("*") if p.is_file()}
    _fake_hf_cache(cache, "org/tiny-sd15", base_files)
    _fake_hf_cache(cache, "org/lightning", {p.name: p for p in tiny_lightning.checkpoints.values()})
    found, why = local_weights_status("org/tiny-sd15", "org/lightning")
    assert found, why
    _fake_hf_cache(cache, "org/partial", {k: v for k, v in base_files.items() if not k.startswith("unet/")})
    found, why = local_weights_status("org/partial", "org/lightning")
    assert not found and "partly" in why


def test_local_weights_status_without_torch(monkeypatch, tiny_lightning):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("torch", "diffusers") else real(name, *a))
    found, why = local_weights_status(tiny_lightning.base_model, tiny_lightning.checkpoint_dir)
    assert not found and "storykit[gen]" in why


def test_auto_backend_picks_lightning_when_weights_are_local(tiny_lightning, capsys):
    backend = get_backend(
        "auto", base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu",
    )
    assert isinstance(backend, LightningBackend)
    assert "lightning" in capsys.readouterr().out


def test_auto_backend_falls_back_to_animatic(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    backend = get_backend("auto", verbose=False)
    assert backend.name == "animatic"


def test_device_and_dtype_resolution(monkeypatch):
    import torch

    from storykit.generate.device import make_generator, resolve_device, resolve_dtype

    assert resolve_device("cpu") == "cpu"
    monkeypatch.setenv("STORYKIT_DEVICE", "cpu")
    assert resolve_device("auto") == "cpu"
    assert resolve_dtype("auto", "cpu") == torch.float32
    assert resolve_dtype("auto", "cuda") == torch.float16
    monkeypatch.setenv("STORYKIT_DTYPE", "bf16")
    assert resolve_dtype("auto", "cpu") == torch.bfloat16
    assert resolve_dtype("fp32", "cuda") == torch.float32  # an argument beats the environment
    for bad in (lambda: resolve_device("tpu"), lambda: resolve_dtype("int8", "cpu")):
        with pytest.raises(InvalidInput) as e:
            bad()
        one_line(e.value)
    if not torch.cuda.is_available():
        with pytest.raises(InvalidInput) as e:
            resolve_device("cuda")
        assert "Change runtime type" in one_line(e.value)
    assert torch.equal(torch.randn(4, generator=make_generator(7)), torch.randn(4, generator=make_generator(7)))


# -- CPU estimate and memory presets -------------------------------------------------------


def test_cpu_estimate_uses_the_measured_real_size_costs(tiny_backend, monkeypatch, capsys):
    from storykit.generate import lightning

    # 4 UNet forwards at 149 s + 16 VAE decodes at 17.7 s (NOTES.md, 512x512x16 fp32).
    assert lightning.estimate_cpu_seconds(16, 512, 512, 4) == pytest.approx(4 * 149 + 16 * 17.7)
    assert lightning.estimate_cpu_seconds(16, 256, 256, 4) == pytest.approx((4 * 149 + 16 * 17.7) / 4)
    assert lightning.estimate_cpu_seconds(16, 512, 512, 4, cfg=True) == pytest.approx(8 * 149 + 16 * 17.7)
    tiny_backend.generate("a fox", num_frames=2, height=256, width=256, num_inference_steps=1)
    assert "on CPU" not in capsys.readouterr().out  # a tiny model takes seconds: no warning
    monkeypatch.setattr(lightning.backend, "estimate_cpu_seconds", lambda *a, **k: 900.0)  # where it is looked up
    tiny_backend.generate("a fox", num_frames=2, height=256, width=256, num_inference_steps=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "about 15 min" in out[0]


def test_memory_presets_keep_the_pixels(tiny_lightning, tiny_backend):
    sliced = LightningBackend(
        base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", memory="t4", progress=False,
    )
    a, meta = sliced.generate("a fox", seed=5, **SMALL)
    b, _ = tiny_backend.generate("a fox", seed=5, **SMALL)
    assert sliced.pipe.vae.use_slicing and not tiny_backend.pipe.vae.use_slicing
    assert meta["memory"] == "t4"
    # Decoding frame by frame changes float rounding only: at most 1 level in uint8.
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    with pytest.raises(InvalidInput) as e:
        LightningBackend(base_model=tiny_lightning.base_model, memory="tiny")
    one_line(e.value)


def test_auto_memory_picks_t4_on_a_t4_from_measured_peaks(tiny_lightning, monkeypatch):
    import torch

    from storykit.generate.lightning import weights

    gib = 2**30
    colab_t4 = 15_835_660_288  # what torch reports for Colab's T4 (14.7 GiB)
    assert weights.memory_preset_for(colab_t4) == "t4"
    assert weights.memory_preset_for(24 * gib) == "slicing"
    assert weights.memory_preset_for(40 * gib) == "none" and weights.memory_preset_for(80 * gib) == "none"
    # Each choice is the fastest preset whose measured 16-frame peak fits a third of the card.
    for total in (8 * gib, colab_t4, 24 * gib, 48 * gib):
        preset = weights.memory_preset_for(total)
        faster = {"t4": "slicing", "slicing": "none", "none": None}[preset]
        assert preset == "t4" or weights.MEASURED_PEAK_GIB[preset] <= total / gib / 3
        assert faster is None or weights.MEASURED_PEAK_GIB[faster] > total / gib / 3
    # The backend asks the card, on CUDA only.
    backend = LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir, device="cpu")
    assert backend._memory_preset() == "none"
    backend.device = "cuda"
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda d: type("P", (), {"total_memory": colab_t4})())
    assert backend._memory_preset() == "t4" and backend.describe()["memory"] == "t4"
