"""The options users combine, together on one tiny pipeline: camera LoRA, reference (IP-Adapter),
handoff, draft decode, scenes past 16 frames, and a step-count swap. Each assertion reads what the
pipeline actually received (a spy on the call, UNet evaluations, VAE encodes), not metadata."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from PIL import Image

from storykit.generate import RenderConfig, render_story
from storykit.generate.cache import ClipCache
from storykit.testing import build_tiny_taesd, example_script

pytestmark = pytest.mark.skipif(importlib.util.find_spec("diffusers") is None, reason="needs the gen extra")


def picture(seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (80, 96, 3), dtype=np.uint8))


@pytest.fixture(scope="module")
def taesd(tmp_path_factory):
    return build_tiny_taesd(tmp_path_factory.mktemp("taesd") / "taesd")


@pytest.fixture(scope="module")
def everything(tiny_lightning, taesd):
    from storykit.generate.lightning import LightningBackend

    return LightningBackend(
        base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", dtype="fp32", progress=False,
        verbose=False, ip_adapter=tiny_lightning.ip_adapter, motion_loras=tiny_lightning.motion_lora_dir,
        vae_decoder="tiny", tiny_vae=taesd,
    )


class Spy:
    """Records every pipeline call the backend makes, and the UNet evaluations and VAE encodes inside it."""

    def __init__(self, monkeypatch, backend):
        from storykit.generate.lightning import backend as module

        self.calls = []
        real = module.conditioning

        def conditioning(*args, **kwargs):
            call, call_kwargs, meta = real(*args, **kwargs)
            record = {"pipeline": type(call).__name__, "kwargs": call_kwargs, "vae": type(call.vae).__name__,
                      "adapters": list(call.get_active_adapters()) if getattr(call.unet, "peft_config", None) else [],
                      "context_length": call._free_noise_context_length, "unet": [], "encodes": []}
            self.calls.append(record)
            unet_hook = call.unet.register_forward_pre_hook(lambda m, a: record["unet"].append(tuple(a[0].shape)))
            real_encode = call.vae.encode

            def encode(x, *a, **k):
                record["encodes"].append(tuple(x.shape))
                return real_encode(x, *a, **k)

            call.vae.encode = encode

            def run(**kw):
                try:
                    return call(**kw)
                finally:
                    unet_hook.remove()
                    del call.vae.encode

            return run, call_kwargs, meta

        monkeypatch.setattr(module, "conditioning", conditioning)


def test_camera_reference_handoff_draft_long_scenes_and_step_swap_render_together(everything, monkeypatch):
    spy = Spy(monkeypatch, everything)
    script = example_script(3, num_frames=20)  # past one 16-frame window
    script.edit(0, camera="zoom_in")
    script.edit(1, camera="pan_left")
    script.edit(2, camera="static", num_frames=8)
    reference = picture(3)
    config = RenderConfig(height=64, width=64, num_inference_steps=4, reference=reference, handoff=True)
    clips = render_story(script, everything, config, cache_dir=False, progress=False)

    assert [c.frames.shape for c in clips] == [(20, 64, 64, 3), (20, 64, 64, 3), (8, 64, 64, 3)]
    first, second, third = spy.calls
    # Scene 0: text-to-video with its camera's LoRA, the reference and the draft decoder.
    assert first["pipeline"] == "AnimateDiffPipeline" and first["kwargs"]["num_frames"] == 20
    assert first["adapters"] == ["zoom_in"] and first["kwargs"]["ip_adapter_image"] is not None
    assert first["vae"] == "AutoencoderTiny" and first["context_length"] == 16
    assert [s[0] for s in first["unet"]] == [1] * 4 and first["encodes"] == []  # 4 steps, CFG 1
    # Scenes 1 and 2: video-to-video from the previous scene's LAST frame, the still encoded once.
    for record, before, camera, frames in ((second, clips[0], ["pan_left"], 20), (third, clips[1], [], 8)):
        assert record["pipeline"] == "AnimateDiffVideoToVideoPipeline" and record["vae"] == "AutoencoderTiny"
        video = record["kwargs"]["video"]
        assert len(video) == frames and all(np.array_equal(np.asarray(f), before.frames[-1]) for f in video)
        assert record["kwargs"]["strength"] == 0.75 and record["kwargs"]["ip_adapter_image"] is not None
        assert record["encodes"] == [(1, 3, 64, 64)]
        assert len(record["unet"]) == 3  # int(4 * 0.75) of Lightning's own 4 timesteps
        if camera:
            assert record["adapters"] == camera
    assert third["context_length"] == 8 or third["context_length"] == 16  # one window of its own length or 16
    assert clips[2].metadata.get("motion_lora") is None

    # Step swap: the same pipeline takes the 2-step weights with LoRAs, IP-Adapter and windows in place.
    pipe = everything.pipe
    spy.calls.clear()
    swapped = render_story(script, everything, RenderConfig(height=64, width=64, num_inference_steps=2,
                                                           reference=reference, handoff=True),
                           cache_dir=False, progress=False)
    assert everything.pipe is pipe
    assert [len(r["unet"]) for r in spy.calls] == [2, 1, 1]  # int(2 * 0.75) = 1 handoff step
    assert swapped[0].metadata["checkpoint"] == "animatediff_lightning_2step_diffusers.safetensors"
    assert not np.array_equal(swapped[0].frames, clips[0].frames)


def test_start_from_frames_encodes_each_given_frame(everything):
    """The public video-to-video start (storykit.generate.continuity): N given frames, N encodes."""
    from storykit.generate.continuity import start_from_frames
    from storykit.generate.device import make_generator

    everything.generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=4)  # no reference: plain UNet
    pipe = everything.pipe
    frames = np.random.default_rng(0).integers(0, 256, (6, 64, 64, 3), dtype=np.uint8)
    kwargs = dict(prompt="a fox", num_frames=6, height=64, width=64, num_inference_steps=4, guidance_scale=1.0,
                  generator=make_generator(1), output_type="np")
    v2v, call_kwargs = start_from_frames(pipe, frames, kwargs, strength=0.5)
    assert type(v2v).__name__ == "AnimateDiffVideoToVideoPipeline" and v2v.unet is pipe.unet and v2v.vae is pipe.vae
    encoded = []
    real = v2v.vae.encode
    v2v.vae.encode = lambda x, *a, **k: (encoded.append(x.shape[0]), real(x, *a, **k))[1]
    try:
        out = v2v(**call_kwargs).frames[0]
    finally:
        del v2v.vae.encode
    assert np.asarray(out).shape == (6, 64, 64, 3) and sum(encoded) == 6
    assert [np.asarray(f).tolist() for f in call_kwargs["video"]] == [f.tolist() for f in frames]


def test_draft_keys_are_final_before_the_first_scene(tiny_lightning, taesd, tmp_path, monkeypatch):
    """A hub-id TAESD that is not downloaded yet: its sha256 is in scene 0's key, not None."""
    import shutil

    import huggingface_hub.constants

    from storykit.generate.lightning import LightningBackend, weights

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    rev = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--org--taesd"

    def download(source, filename, **kwargs):  # what hf_hub_download leaves in the cache
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text(rev)
        dst = repo / "snapshots" / rev / filename
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(taesd / filename, dst)
        return dst

    monkeypatch.setattr(weights, "download_file", download)
    backend = LightningBackend(
        base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", dtype="fp32", progress=False,
        verbose=False, vae_decoder="tiny", tiny_vae="org/taesd",
    )
    script = example_script(1, num_frames=2)
    config = RenderConfig(height=64, width=64, num_inference_steps=2)
    (clip,) = render_story(script, backend, config, cache_dir=tmp_path / "clips", progress=False)
    fields = backend.cache_fields(script.scenes[0], script, config)
    assert fields["tiny_vae_sha256"] and clip.metadata["cache_key"] == ClipCache.key(fields)
    (again,) = render_story(script, backend, config, cache_dir=tmp_path / "clips", progress=False)
    assert again.metadata["cached"] is True


def test_gpu_smoke_on_a_cpu_exits_with_one_line_saying_it_needs_cuda():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(root / "bench" / "gpu_smoke.py")], capture_output=True, text=True,
                          env=env, timeout=300)
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "CUDA" in lines[0] and "Traceback" not in done.stderr, lines
