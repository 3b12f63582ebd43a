"""Tiny stand-ins for real weights and backends, so tests exercise the real code path offline.

`build_tiny_lightning(folder)` writes randomly initialised components of the
SAME classes AnimateDiff-Lightning uses (UNet2DConditionModel, MotionAdapter,
AutoencoderKL, CLIPTextModel, CLIPTokenizer), laid out like a hub SD1.5 repo,
plus Lightning-style ``animatediff_lightning_{N}step_diffusers.safetensors``
files. `LightningBackend` then loads them by path exactly as it loads the real
ones — only the numbers are tiny (a 16-frame 64 px clip takes well under a second
on a laptop CPU), and the frames are noise.

>>> from storykit.testing import build_tiny_lightning        # doctest: +SKIP
>>> tiny = build_tiny_lightning("/tmp/tiny")                 # doctest: +SKIP
>>> from storykit.generate.lightning import LightningBackend          # doctest: +SKIP
>>> backend = LightningBackend(base_model=tiny.base_model, checkpoint=tiny.checkpoint_dir,
...                            motion_adapter_config=tiny.motion_adapter_config)  # doctest: +SKIP

`FakeBackend` draws deterministic numpy frames and counts its calls: the
quick way to test caching, rendering order and stitching.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import numpy as np

from .generate.clips import Clip
from .plan.tokens import _bytes_to_unicode  # CLIP's byte table, shared with the exact tokenizer
from .errors import require

__all__ = ["TinyLightning", "build_tiny_lightning", "build_tiny_taesd", "TINY_ADAPTER_CONFIG", "FakeBackend", "example_script"]

# Sizes follow diffusers' own AnimateDiff fast tests (tests/pipelines/animatediff):
# 2 UNet blocks, 4 motion heads, group norm of 2. Width 8 instead of 32 keeps a
# 256 px clip quick on 2 cores.
_WIDTH = 8
TINY_ADAPTER_CONFIG = {
    "block_out_channels": [_WIDTH, _WIDTH],
    "motion_layers_per_block": 2,
    "motion_norm_num_groups": 2,
    "motion_num_attention_heads": 4,
}
STEPS = (1, 2, 4, 8)


@dataclasses.dataclass
class TinyLightning:
    """Paths of a tiny SD1.5-layout base model and its Lightning-style checkpoints."""

    root: Path
    base_model: Path  # a folder like a hub SD1.5 repo (model_index.json, unet/, vae/, ...)
    checkpoint_dir: Path  # holds animatediff_lightning_{1,2,4,8}step_diffusers.safetensors
    checkpoints: dict  # steps -> file
    comfyui_checkpoint: Path  # same weights under ComfyUI's key names: must be refused
    motion_adapter_config: dict


def write_tiny_clip_tokenizer(folder: Path) -> dict:
    """Writes vocab.json/merges.txt/tokenizer_config.json for a small byte-level CLIP BPE.

    Every byte is a token (with and without CLIP's ``</w>`` word end), plus a few
    merges, so any text tokenizes; the exact 49,408-token vocabulary lives in
    storykit/tokens.py. Returns the special-token ids.
    """
    folder.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": i + len(chars) for i, c in enumerate(chars)})
    merges = [("t", "h"), ("th", "e</w>"), ("a", "n"), ("an", "d</w>"), ("i", "n"), ("e", "r")]
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    ids = {"bos_token_id": len(vocab), "eos_token_id": len(vocab) + 1}
    vocab["<|startoftext|>"] = ids["bos_token_id"]
    vocab["<|endoftext|>"] = ids["eos_token_id"]
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}
    (folder / "special_tokens_map.json").write_text(json.dumps(special), encoding="utf-8")
    config = {"tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "do_lower_case": True, **special}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return {**ids, "vocab_size": len(vocab)}


def _comfyui_key(key: str) -> str:
    # The original AnimateDiff / ComfyUI layout nests each motion module's weights
    # under "temporal_transformer." (e.g. down_blocks.0.motion_modules.0.temporal_transformer.norm.weight).
    return re.sub(r"(motion_modules\.\d+\.)", r"\1temporal_transformer.", key)


def build_tiny_lightning(root, *, seed: int = 0, vae_blocks: int = 4) -> TinyLightning:
    """Writes a tiny AnimateDiff-Lightning setup under `root` and returns its paths.

    `vae_blocks=4` gives the VAE SD's 8× downsampling, so latents are as small
    relative to the image as in the real model (64 px → 8×8 latents); the
    2-block VAE of diffusers' tests downsamples only 2× and made clips ~10× slower.
    """
    torch = require("torch", "gen")
    diffusers = require("diffusers", "gen")
    transformers = require("transformers", "gen")
    from safetensors.torch import save_file

    root = Path(root)
    base = root / "tiny-sd15"
    ckpt_dir = root / "tiny-lightning"
    ckpt_dir.mkdir(parents=True, exist_ok=True)

    tok = write_tiny_clip_tokenizer(base / "tokenizer")
    tokenizer = transformers.CLIPTokenizer.from_pretrained(base / "tokenizer")
    if tokenizer.eos_token_id != tok["eos_token_id"]:  # the text encoder's pooled output relies on it
        raise RuntimeError("tiny tokenizer's end-of-text id does not match its vocabulary")

    torch.manual_seed(seed)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(_WIDTH, _WIDTH),
        layers_per_block=2,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=_WIDTH,
        attention_head_dim=2,
        norm_num_groups=2,
    )
    vae = diffusers.AutoencoderKL(
        block_out_channels=[_WIDTH] * vae_blocks,
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * vae_blocks,
        up_block_types=["UpDecoderBlock2D"] * vae_blocks,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        sample_size=64,
    )
    text_encoder = transformers.CLIPTextModel(
        transformers.CLIPTextConfig(
            bos_token_id=tok["bos_token_id"],
            eos_token_id=tok["eos_token_id"],
            pad_token_id=tok["eos_token_id"],
            hidden_size=_WIDTH,
            intermediate_size=16,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=77,
            vocab_size=tok["vocab_size"],
        )
    )
    # SD1.5's own scheduler config (PNDM, scaled_linear); the Lightning backend swaps in Euler.
    scheduler = diffusers.PNDMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000,
        set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1,
    )
    pipe = diffusers.StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(base)
    # Hub SD1.5 repos ship vocab.json/merges.txt; keep exactly that layout.
    (base / "tokenizer" / "tokenizer.json").unlink(missing_ok=True)
    write_tiny_clip_tokenizer(base / "tokenizer")

    checkpoints = {}
    for steps in STEPS:
        torch.manual_seed(seed + 1000 + steps)  # a different "distillation" per step count
        adapter = diffusers.MotionAdapter(**TINY_ADAPTER_CONFIG)
        state = {k: v.contiguous() for k, v in adapter.state_dict().items()}
        path = ckpt_dir / f"animatediff_lightning_{steps}step_diffusers.safetensors"
        save_file(state, str(path))
        checkpoints[steps] = path
    comfy = ckpt_dir / "animatediff_lightning_4step_comfyui.safetensors"
    save_file({_comfyui_key(k): v for k, v in state.items()}, str(comfy))
    return TinyLightning(
        root=root, base_model=base, checkpoint_dir=ckpt_dir, checkpoints=checkpoints,
        comfyui_checkpoint=comfy, motion_adapter_config=dict(TINY_ADAPTER_CONFIG),
    )


def build_tiny_taesd(folder, *, seed: int = 0) -> Path:
    """A tiny random AutoencoderTiny (TAESD's class and file layout: config.json +
    diffusion_pytorch_model.safetensors) with SD's 8x downsampling; returns the folder."""
    torch = require("torch", "gen")
    diffusers = require("diffusers", "gen")

    torch.manual_seed(seed)
    vae = diffusers.AutoencoderTiny(
        encoder_block_out_channels=(_WIDTH,) * 4, decoder_block_out_channels=(_WIDTH,) * 4,
        num_encoder_blocks=(1, 1, 1, 1), num_decoder_blocks=(1, 1, 1, 1), latent_channels=4,
    )
    vae.save_pretrained(folder, safe_serialization=True)
    return Path(folder)


class FakeBackend:
    """Deterministic numpy frames from the scene's prompt and seed; records every call.

    `fail_at` makes the render of that scene index raise (`error`, default
    RuntimeError) — to test interrupted renders.
    """

    name = "fake"

    def __init__(self, *, fail_at: int | None = None, error: type[BaseException] = RuntimeError, version: str = "1"):
        self.calls: list[int] = []
        self.fail_at = fail_at
        self.error = error
        self.version = version

    def describe(self) -> dict:
        return {"backend": self.name, "version": self.version}

    def cache_fields(self, scene, script, config) -> dict:
        return {
            "backend": self.name, "version": self.version, "prompt": scene.prompt, "seed": scene.seed,
            "num_frames": scene.num_frames, "height": config.height, "width": config.width,
        }

    def render_scene(self, scene, script, config) -> Clip:
        if self.fail_at is not None and scene.index == self.fail_at:
            raise self.error(f"fake failure in scene {scene.index}")
        self.calls.append(scene.index)
        digest = hashlib.sha256(f"{scene.prompt}|{scene.seed}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        base = rng.integers(0, 256, size=(1, config.height, config.width, 3), dtype=np.uint8)
        shift = np.arange(scene.num_frames, dtype=np.uint8).reshape(-1, 1, 1, 1) * 7
        frames = base + shift  # uint8 wraps: every frame differs
        return Clip(frames, fps=scene.fps, scene_index=scene.index,
                    metadata={"backend": self.name, "seed": scene.seed, "prompt": scene.prompt})



def example_script(num_scenes: int = 3, *, num_frames: int = 8, seed: int = 0):
    """A small hand-made Script (no planner): scene i has prompt "scene i ..." and seed `seed + i`."""
    from .plan.script import Scene, Script, Triple

    triple = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
    beats = ["introduce", "explore", "discover", "struggle", "resolve"]
    scenes = [
        Scene(i, beats[i % len(beats)], f"scene {i}: a small red fox in a blue scarf in a misty bamboo forest",
              text=f"Scene {i}.", num_frames=num_frames, seed=seed + i)
        for i in range(num_scenes)
    ]
    return Script(triple=triple, scenes=scenes, seed=seed, title="Test story", source="manual")
