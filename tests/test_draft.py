"""Draft decoding for Lightning: a tiny AutoencoderTiny (TAESD's class and files) instead of the full VAE."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("diffusers") is None, reason="needs the gen extra")

from storykit.errors import InvalidInput, MissingWeights  # noqa: E402
from storykit.generate import RenderConfig  # noqa: E402
from storykit.generate.cache import ClipCache  # noqa: E402
from storykit.generate.lightning import LightningBackend  # noqa: E402
from storykit.testing import build_tiny_taesd, example_script  # noqa: E402


@pytest.fixture(scope="module")
def taesd(tmp_path_factory):
    return build_tiny_taesd(tmp_path_factory.mktemp("taesd") / "taesd")


def _backend(tiny, **kw):
    return LightningBackend(
        base_model=tiny.base_model, checkpoint=tiny.checkpoint_dir, motion_adapter_config=tiny.motion_adapter_config,
        device="cpu", dtype="fp32", progress=False, verbose=False, **kw,
    )


def test_tiny_vae_files_are_the_real_layout(taesd):
    assert sorted(p.name for p in taesd.iterdir()) == ["config.json", "diffusion_pytorch_model.safetensors"]


def test_draft_decodes_with_autoencoder_tiny(tiny_lightning, tiny_backend, taesd):
    draft = _backend(tiny_lightning, vae_decoder="tiny", tiny_vae=taesd)
    frames, meta = draft.generate("a fox in a forest", num_frames=2, height=64, width=64, seed=3)
    assert type(draft.pipe.vae).__name__ == "AutoencoderTiny"
    assert frames.shape == (2, 64, 64, 3) and frames.dtype == np.uint8
    assert meta["vae_decoder"] == "tiny" and len(meta["tiny_vae_sha256"]) == 64
    full, _ = tiny_backend.generate("a fox in a forest", num_frames=2, height=64, width=64, seed=3)
    assert type(tiny_backend.pipe.vae).__name__ == "AutoencoderKL"
    assert not np.array_equal(frames, full)  # another decoder, other pixels


def test_draft_is_in_the_cache_key(tiny_lightning, tiny_backend, taesd):
    script = example_script(1)
    scene, cfg = script.scenes[0], RenderConfig(height=64, width=64)
    full_key = ClipCache.key(tiny_backend.cache_fields(scene, script, cfg))
    draft = _backend(tiny_lightning, vae_decoder="tiny", tiny_vae=taesd)
    fields = draft.cache_fields(scene, script, cfg)
    assert fields["vae_decoder"] == "tiny" and fields["tiny_vae_sha256"]
    assert ClipCache.key(fields) != full_key
    assert "vae_decoder" not in tiny_backend.cache_fields(scene, script, cfg)  # full keys unchanged


def test_bad_draft_options_are_one_line(tiny_lightning, tmp_path, monkeypatch):
    with pytest.raises(InvalidInput, match="vae_decoder"):
        _backend(tiny_lightning, vae_decoder="medium")
    (tmp_path / "pickled").mkdir()
    (tmp_path / "pickled" / "config.json").write_text("{}")
    (tmp_path / "pickled" / "diffusion_pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(InvalidInput, match="safetensors"):
        _backend(tiny_lightning, vae_decoder="tiny", tiny_vae=tmp_path / "pickled").generate("a fox", num_frames=2, height=64, width=64)
    monkeypatch.setenv("STORYKIT_TINY_VAE", "madebyollin/taesd")  # not downloaded, and the hub is off
    with pytest.raises(MissingWeights, match="hf download madebyollin/taesd"):
        _backend(tiny_lightning, vae_decoder="tiny").generate("a fox", num_frames=2, height=64, width=64)
