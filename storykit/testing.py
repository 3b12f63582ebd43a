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
from .plan.tokens import write_clip_vocab  # CLIP's real vocabulary, shipped with storykit
from .errors import require

__all__ = [
    "lazy_module",
    "TinyLightning", "build_tiny_lightning", "build_tiny_ip_adapter", "build_tiny_motion_lora", "build_tiny_taesd",
    "original_motion_lora_state", "convert_motion_lora", "original_sd_state", "build_tiny_single_file",
    "TINY_ADAPTER_CONFIG", "FakeBackend", "example_script", "build_tiny_llm", "sigint_as_in_a_terminal",
]

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
    ip_adapter: Path | None = None  # a folder like h94/IP-Adapter (models/ip-adapter_sd15.safetensors, models/image_encoder/)
    motion_lora_dir: Path | None = None  # one folder per guoyww/animatediff-motion-lora-* repo name


class lazy_module:  # noqa: N801 - stands in for a module
    """A module imported on first attribute use: test files name heavy libraries (mediapy, nbformat, ray)
    at the top without every pytest-xdist worker importing them while it collects (13 s -> 3 s).

    `setup(module)` runs once, right after the import (mediapy: point it at storykit's ffmpeg).
    """

    def __init__(self, name: str, setup=None):
        self._name, self._setup, self._module = name, setup, None

    def __getattr__(self, attr: str):
        import importlib

        if attr.startswith(("__", "_pytest", "pytest", "_mock")):  # pytest looking for fixtures and marks
            raise AttributeError(attr)
        if self._module is None:
            module = importlib.import_module(self._name)
            if self._setup is not None:
                self._setup(module)
            self._module = module
        return getattr(self._module, attr)


def original_motion_lora_state(*, seed: int = 0, rank: int = 2, adapter_config: dict | None = None, std: float = 0.5) -> dict:
    """A random motion LoRA under ORIGINAL AnimateDiff key names, as in guoyww's v2_lora_*.ckpt, e.g.
    ``down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.processor.to_q_lora.down.weight``.

    The names come from AnimateDiff's own layout, not from diffusers' modules: per block
    of `block_out_channels`, `motion_layers_per_block` motion modules going down, one
    more going up, one in the middle; each a temporal transformer of one block with two
    attention blocks whose q/k/v/out projections are channels x channels (down: rank x
    in, up: out x rank). Both halves are random (unlike a fresh LoRA's up = 0), so it moves pixels.
    """
    torch = require("torch", "gen")
    config = {**TINY_ADAPTER_CONFIG, **(adapter_config or {})}
    channels = list(config["block_out_channels"])
    per_block = config.get("motion_layers_per_block", 2)
    modules = [(f"down_blocks.{i}", m, c) for i, c in enumerate(channels) for m in range(per_block)]
    modules += [(f"up_blocks.{i}", m, c) for i, c in enumerate(reversed(channels)) for m in range(per_block + 1)]
    if config.get("use_motion_mid_block", True):
        modules.append(("mid_block", 0, channels[-1]))
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for block, m, c in modules:
        for attention in (0, 1):
            prefix = f"{block}.motion_modules.{m}.temporal_transformer.transformer_blocks.0.attention_blocks.{attention}.processor"
            for proj in ("to_q", "to_k", "to_v", "to_out"):
                state[f"{prefix}.{proj}_lora.down.weight"] = torch.randn(rank, c, generator=gen) * std
                state[f"{prefix}.{proj}_lora.up.weight"] = torch.randn(c, rank, generator=gen) * std
    return state


def convert_motion_lora(original: dict) -> dict:
    """Original AnimateDiff motion-LoRA keys -> the diffusers-format files' keys, exactly as diffusers'
    scripts/convert_animatediff_motion_lora_to_diffusers.py does it (the guoyww/animatediff-motion-lora-*
    repos hold its output): the same chain of replacements, then the ``unet.`` prefix."""
    converted = {}
    for k, v in original.items():
        if "pos_encoder" in k:
            continue
        converted[
            k.replace(".norms.0", ".norm1")
            .replace(".norms.1", ".norm2")
            .replace(".ff_norm", ".norm3")
            .replace(".attention_blocks.0", ".attn1")
            .replace(".attention_blocks.1", ".attn2")
            .replace(".temporal_transformer", "")
        ] = v
    return {f"unet.{k}": v for k, v in converted.items()}


def build_tiny_motion_lora(path, *, seed: int = 0, rank: int = 2, adapter_config: dict | None = None, std: float = 0.5) -> Path:
    """Writes a random motion LoRA for the tiny motion module in the diffusers-format repos' layout:
    `original_motion_lora_state` converted by `convert_motion_lora`, as guoyww's repos were made."""
    from safetensors.torch import save_file

    state = convert_motion_lora(original_motion_lora_state(seed=seed, rank=rank, adapter_config=adapter_config, std=std))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    return path


def write_tiny_clip_tokenizer(folder: Path) -> dict:
    """Writes vocab.json/merges.txt/tokenizer_config.json for CLIP's real 49,408-token BPE.

    The real vocabulary (storykit/plan/tokens.py) rather than a toy one: the tiny
    pipeline then counts tokens exactly as SD1.5's tokenizer does, so prompts the
    planner fitted into 77 tokens are not "truncated" (a toy byte-level BPE made
    178 of them and transformers warned). Only the text encoder stays tiny.
    Returns the special-token ids and the vocabulary size.
    """
    folder.mkdir(parents=True, exist_ok=True)
    write_clip_vocab(folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    ids = {"bos_token_id": vocab["<|startoftext|>"], "eos_token_id": vocab["<|endoftext|>"]}
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
    # One motion LoRA per camera move, laid out as `hf download REPO --local-dir DIR/<repo name>` writes.
    from .generate.lightning.motion_lora import CAMERA_LORAS, LORA_FILENAME

    lora_dir = root / "motion-loras"
    for i, repo in enumerate(r for r in CAMERA_LORAS.values() if r):
        build_tiny_motion_lora(lora_dir / repo.split("/")[1] / LORA_FILENAME, seed=seed + 2000 + i)
    return TinyLightning(
        root=root, base_model=base, checkpoint_dir=ckpt_dir, checkpoints=checkpoints,
        comfyui_checkpoint=comfy, motion_adapter_config=dict(TINY_ADAPTER_CONFIG), motion_lora_dir=lora_dir,
        ip_adapter=build_tiny_ip_adapter(root / "tiny-ip-adapter", unet, seed=seed),
    )


# -- single-file checkpoints in the original Stable Diffusion key layout ------------------------------
# The reverse of diffusers' single-file conversion (its scripts/convert_diffusers_to_original_stable_diffusion.py
# maps, generalised from SD's 4 blocks to any block count), so a tiny checkpoint is laid out like
# toonyou_beta6.safetensors or mistoonAnime_v20.safetensors: model.diffusion_model.*, first_stage_model.*,
# cond_stage_model.transformer.*. `StableDiffusionPipeline.from_single_file` must read it back exactly.
_RESNET_TO_LDM = [("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"),
                  ("conv2", "out_layers.3"), ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection")]


def _unet_prefixes(unet) -> list[tuple[str, str, bool]]:
    """(diffusers prefix, original prefix, is a resnet) for every block of `unet`."""
    n = unet.config.layers_per_block
    out = [("time_embedding.linear_1.", "time_embed.0.", False), ("time_embedding.linear_2.", "time_embed.2.", False),
           ("conv_in.", "input_blocks.0.0.", False), ("conv_norm_out.", "out.0.", False), ("conv_out.", "out.2.", False),
           ("mid_block.resnets.0.", "middle_block.0.", True), ("mid_block.attentions.0.", "middle_block.1.", False),
           ("mid_block.resnets.1.", "middle_block.2.", True)]
    for i, block in enumerate(unet.down_blocks):
        for j in range(n):
            out.append((f"down_blocks.{i}.resnets.{j}.", f"input_blocks.{(n + 1) * i + j + 1}.0.", True))
            if getattr(block, "attentions", None):
                out.append((f"down_blocks.{i}.attentions.{j}.", f"input_blocks.{(n + 1) * i + j + 1}.1.", False))
        if block.downsamplers:
            out.append((f"down_blocks.{i}.downsamplers.0.conv.", f"input_blocks.{(n + 1) * (i + 1)}.0.op.", False))
    for i, block in enumerate(unet.up_blocks):
        attention = bool(getattr(block, "attentions", None))
        for j in range(n + 1):
            out.append((f"up_blocks.{i}.resnets.{j}.", f"output_blocks.{(n + 1) * i + j}.0.", True))
            if attention:
                out.append((f"up_blocks.{i}.attentions.{j}.", f"output_blocks.{(n + 1) * i + j}.1.", False))
        if block.upsamplers:
            out.append((f"up_blocks.{i}.upsamplers.0.", f"output_blocks.{(n + 1) * i + n}.{2 if attention else 1}.", False))
    return out


def _to_ldm(state: dict, prefixes, resnet_map, head: str) -> dict:
    out = {}
    for key, value in state.items():
        hf, ldm, resnet = max((p for p in prefixes if key.startswith(p[0])), key=lambda p: len(p[0]))
        rest = key[len(hf):]
        if resnet:
            for new, old in resnet_map:
                if rest.startswith(new + "."):
                    rest = old + rest[len(new):]
                    break
        out[head + ldm + rest] = value
    return out


def _vae_prefixes(vae) -> list[tuple[str, str, bool]]:
    out = [("quant_conv.", "quant_conv.", False), ("post_quant_conv.", "post_quant_conv.", False)]
    for part in ("encoder", "decoder"):
        out += [(f"{part}.conv_in.", f"{part}.conv_in.", False), (f"{part}.conv_out.", f"{part}.conv_out.", False),
                (f"{part}.conv_norm_out.", f"{part}.norm_out.", False), (f"{part}.mid_block.attentions.0.", f"{part}.mid.attn_1.", False)]
        out += [(f"{part}.mid_block.resnets.{k}.", f"{part}.mid.block_{k + 1}.", True) for k in range(2)]
    for i, block in enumerate(vae.encoder.down_blocks):
        out += [(f"encoder.down_blocks.{i}.resnets.{j}.", f"encoder.down.{i}.block.{j}.", True) for j in range(len(block.resnets))]
        if block.downsamplers:
            out.append((f"encoder.down_blocks.{i}.downsamplers.0.", f"encoder.down.{i}.downsample.", False))
    last = len(vae.decoder.up_blocks) - 1
    for i, block in enumerate(vae.decoder.up_blocks):
        out += [(f"decoder.up_blocks.{i}.resnets.{j}.", f"decoder.up.{last - i}.block.{j}.", True) for j in range(len(block.resnets))]
        if block.upsamplers:
            out.append((f"decoder.up_blocks.{i}.upsamplers.0.", f"decoder.up.{last - i}.upsample.", False))
    return out


def original_sd_state(unet, vae, text_encoder) -> dict:
    """The three components' weights under a single-file SD1.x checkpoint's original key names."""
    state = _to_ldm(unet.state_dict(), _unet_prefixes(unet), _RESNET_TO_LDM, "model.diffusion_model.")
    vae_state = {}
    for key, value in vae.state_dict().items():  # mid attention: diffusers' linear layers were 1x1 convs
        for new, old in (("group_norm.", "norm."), ("to_q.", "q."), ("to_k.", "k."), ("to_v.", "v."), ("to_out.0.", "proj_out.")):
            if ".mid_block.attentions.0." + new in key:
                key = key.replace(".mid_block.attentions.0." + new, ".mid_block.attentions.0." + old)
                value = value[:, :, None, None] if value.ndim == 2 else value
        vae_state[key] = value
    state.update(_to_ldm(vae_state, _vae_prefixes(vae), [("conv_shortcut", "nin_shortcut")], "first_stage_model."))
    # SD1.x files hold CLIP under cond_stage_model.transformer.text_model.* (transformers 5 drops "text_model.")
    state.update({"cond_stage_model.transformer." + ("" if k.startswith("text_model.") else "text_model.") + k: v
                  for k, v in text_encoder.state_dict().items()})
    return state


def build_tiny_single_file(base_folder, path) -> Path:
    """Writes the tiny diffusers base at `base_folder` as one original-layout .safetensors checkpoint."""
    diffusers = require("diffusers", "gen")
    transformers = require("transformers", "gen")
    from safetensors.torch import save_file

    base_folder = Path(base_folder)
    unet = diffusers.UNet2DConditionModel.from_pretrained(base_folder / "unet")
    vae = diffusers.AutoencoderKL.from_pretrained(base_folder / "vae")
    text_encoder = transformers.CLIPTextModel.from_pretrained(base_folder / "text_encoder")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in original_sd_state(unet, vae, text_encoder).items()}, str(path))
    return path


def build_tiny_ip_adapter(root, unet, *, seed: int = 0, image_embed_dim: int = 16, encoder_config: dict | None = None) -> Path:
    """Writes a tiny IP-Adapter for `unet` in h94/IP-Adapter's layout; returns the folder.

    ``models/ip-adapter_sd15.safetensors`` holds what diffusers' `load_ip_adapter`
    reads from the real file: ``image_proj.proj.{weight,bias}`` and
    ``image_proj.norm.{weight,bias}`` (the 4-token ImageProjection) and, for every
    cross-attention layer in UNet order, ``ip_adapter.{1,3,5,...}.to_{k,v}_ip.weight``
    (odd ids: the original numbering counted self-attention layers too).
    ``models/image_encoder/`` is a tiny `CLIPVisionModelWithProjection`
    (config.json + model.safetensors), like the real ViT-H/14 folder; `encoder_config`
    (CLIPVisionConfig arguments) gives it another size, e.g. ViT-H/14's for bench/gpu_smoke.py.
    """
    torch = require("torch", "gen")
    transformers = require("transformers", "gen")
    from safetensors.torch import save_file

    models = Path(root) / "models"
    models.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed + 77)
    encoder = transformers.CLIPVisionModelWithProjection(transformers.CLIPVisionConfig(**(encoder_config or dict(
        hidden_size=_WIDTH, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2,
        image_size=32, patch_size=8, projection_dim=image_embed_dim,
    ))))
    image_embed_dim = encoder.config.projection_dim
    encoder.save_pretrained(models / "image_encoder", safe_serialization=True)

    cross = unet.config.cross_attention_dim
    gen = torch.Generator().manual_seed(seed + 78)
    state = {
        # ImageProjection: a linear map to 4 tokens of the text-embedding width, then LayerNorm.
        "image_proj.proj.weight": torch.randn(4 * cross, image_embed_dim, generator=gen) * 0.5,
        "image_proj.proj.bias": torch.zeros(4 * cross),
        "image_proj.norm.weight": torch.ones(cross),
        "image_proj.norm.bias": torch.zeros(cross),
    }
    key_id = 1
    widths = list(unet.config.block_out_channels)
    for name in unet.attn_processors:  # the order diffusers' _convert_ip_adapter_attn_to_diffusers walks
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = widths[-1]
        elif name.startswith("up_blocks"):
            hidden = widths[::-1][int(name[len("up_blocks.")])]
        else:
            hidden = widths[int(name[len("down_blocks.")])]
        for kind in ("to_k_ip", "to_v_ip"):
            state[f"ip_adapter.{key_id}.{kind}.weight"] = torch.randn(hidden, cross, generator=gen) * 0.5
        key_id += 2
    save_file({k: v.contiguous() for k, v in state.items()}, str(models / "ip-adapter_sd15.safetensors"))
    return Path(root)


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



def sigint_as_in_a_terminal() -> None:
    """`preexec_fn` for a child that a test stops with Ctrl-C: SIGINT handled as a terminal's command has it.

    A test runner started in the background (`cmd &` in a script, nohup) ignores SIGINT, and an
    ignored signal stays ignored across exec: the child would never see the test's Ctrl-C.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


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


# -- a tiny chat model for the LLM writer ------------------------------------------------------

# ChatML, the format Qwen2.5's own chat template writes.
_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_tiny_llm(folder, *, seed: int = 0) -> Path:
    """Writes a randomly initialised Qwen2ForCausalLM (the default LLM writer's class) and a tokenizer into `folder`.

    The tokenizer is byte-level BPE with no merges (256 byte symbols plus ChatML's
    special tokens), built with the `tokenizers` library, so any language encodes;
    it carries a ChatML chat template. The model's answers are random bytes: the
    LLM writer must reject them and fall back. Loads with `AutoModelForCausalLM`.
    """
    torch = require("torch", "gen")
    transformers = require("transformers", "gen")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab = {ch: i for i, ch in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}  # the 256 byte symbols
    vocab.update({t: 256 + i for i, t in enumerate(specials)})
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(specials)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", chat_template=_CHATML
    )
    fast.save_pretrained(folder)
    config = transformers.Qwen2Config(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=4096, eos_token_id=vocab["<|im_end|>"],
        pad_token_id=vocab["<|endoftext|>"], bos_token_id=None, tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    transformers.Qwen2ForCausalLM(config).save_pretrained(folder)
    return folder
