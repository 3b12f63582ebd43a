"""Where AnimateDiff-Lightning's weights come from: hub ids, local files, and honest errors.

A local file or folder (argument, or STORYKIT_LIGHTNING_CKPT / STORYKIT_BASE_MODEL) is
used as is and the hub is never contacted; a hub id is downloaded once into the Hugging
Face cache. Missing weights raise MissingWeights with the command that fetches them.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path


from ...errors import InvalidInput, MissingWeights, StorykitError

__all__ = [
    "REPO_ID",
    "BASE_MODELS",
    "DEFAULT_BASE_MODEL",
    "CHECKPOINT_FOR_STEPS",
    "MEMORY_PRESETS",
    "checkpoint_filename",
    "locate_checkpoint",
    "resolve_base_model",
    "local_weights_status",
    "estimate_cpu_seconds",
]


REPO_ID = "ByteDance/AnimateDiff-Lightning"
# The card: stylised bases give the best results. Any diffusers-format SD1.5 repo id or folder works.
BASE_MODELS = {
    "realistic": "emilianJR/epiCRealism",  # the card's own example
    "cartoon": "frankjoshua/toonyou_beta6",  # ToonYou beta 6, used by the Lightning demo Space
}
DEFAULT_BASE_MODEL = BASE_MODELS["realistic"]
# Steps -> which distilled checkpoint. The card: "3 steps on the 2-step model works well".
CHECKPOINT_FOR_STEPS = {1: 1, 2: 2, 3: 2, 4: 4, 8: 8}
# Peak GPU memory for 512x512x16 fp16 (bench/RESULTS.md, H100): none 12.6 GiB, "slicing" 5.6 GiB,
# "t4" 3.5 GiB. The offload costs ~3x per scene, so "auto" uses it only on small cards.
MEMORY_PRESETS = ("auto", "none", "slicing", "t4")
MAX_CONTEXT_FRAMES = 32  # MotionAdapter's motion_max_seq_length; longer clips use FreeNoise windows

# Real-size CPU costs measured on this project's 2-core machine (NOTES.md), fp32:
_CPU_UNET_S_512X16 = 149.0  # one UNet+motion forward, 512x512, 16 frames, 1.31 B params
_CPU_VAE_S_PER_512_FRAME = 17.7
_REAL_UNET_PARAMS = 1.31e9
_REAL_VAE_DECODER_PARAMS = 49.5e6


def checkpoint_steps(num_inference_steps) -> int:
    """The distilled checkpoint (1, 2, 4 or 8 steps) that `num_inference_steps` runs on."""
    if type(num_inference_steps) is not int or num_inference_steps not in CHECKPOINT_FOR_STEPS:
        raise InvalidInput(
            f"num_inference_steps={num_inference_steps!r} has no Lightning checkpoint; use 1, 2, 3, 4 or 8 "
            "(4 is the usual choice; 3 runs on the 2-step model)"
        )
    return CHECKPOINT_FOR_STEPS[num_inference_steps]


def checkpoint_filename(num_inference_steps=4) -> str:
    """'animatediff_lightning_4step_diffusers.safetensors' for 4 steps, the 2-step file for 3."""
    return f"animatediff_lightning_{checkpoint_steps(num_inference_steps)}step_diffusers.safetensors"


def _download_hint(filename: str, repo: str = REPO_ID) -> str:
    return (
        f"download it with `hf download {repo} {filename} --local-dir FOLDER` and pass checkpoint=FOLDER "
        "(or set STORYKIT_LIGHTNING_CKPT)"
    )


def _is_repo_id(s: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", s)) and ".." not in s


def _looks_like_path(s: str) -> bool:
    return s.startswith(("/", "./", "../", "~", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", s)) or s.count("/") > 1


def _hf_cached(repo_id: str, filename: str) -> str | None:
    """Path of `filename` if it is already in the Hugging Face cache (no network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(repo_id, filename)
    return found if isinstance(found, str) else None


def _check_checkpoint_file(path: Path, filename: str) -> Path:
    name = path.name
    if "comfyui" in name.lower():
        raise InvalidInput(f"{name} is the ComfyUI layout, which MotionAdapter cannot load; use {filename} instead")
    if path.suffix != ".safetensors":
        raise InvalidInput(f"{name} is not a .safetensors file; storykit loads only {filename} (no pickles)")
    m = re.search(r"lightning_(\d+)step", name)
    if m and m.group(1) != filename.split("_")[2].removesuffix("step"):
        raise InvalidInput(f"{name} is the {m.group(1)}-step model but these settings need {filename}; pass a folder holding both, or change num_inference_steps")
    return path


def locate_checkpoint(checkpoint=None, num_inference_steps=4, *, download: bool = True) -> Path:
    """Finds the Lightning checkpoint for `num_inference_steps`: a file, a folder, or a hub repo.

    `checkpoint` defaults to $STORYKIT_LIGHTNING_CKPT, then to the hub repo. With
    `download=False` nothing is fetched: the file must be local or in the HF cache.
    """
    filename = checkpoint_filename(num_inference_steps)
    source = str(checkpoint or os.environ.get("STORYKIT_LIGHTNING_CKPT") or REPO_ID)
    local = Path(source).expanduser()
    if local.exists():
        if local.is_dir():
            if not (local / filename).is_file():
                raise MissingWeights(f"folder {source!r} has no {filename}; {_download_hint(filename)}")
            return _check_checkpoint_file(local / filename, filename)
        return _check_checkpoint_file(local, filename)
    if _looks_like_path(source) or not _is_repo_id(source):
        raise MissingWeights(f"no Lightning checkpoint file or folder at {source!r}; {_download_hint(filename)}")
    cached = _hf_cached(source, filename)
    if cached:
        return Path(cached)
    if not download:
        raise MissingWeights(f"{filename} is not downloaded yet; {_download_hint(filename, source)}")
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(source, filename))
    except Exception as e:  # offline, no such repo/file, proxy trouble: all mean "weights not here"
        raise MissingWeights(
            f"could not get {filename} from the hub repo {source!r} ({type(e).__name__}); {_download_hint(filename, source)}"
        ) from None


def resolve_base_model(base_model=None) -> str:
    """The SD1.5 base: a preset name ('realistic', 'cartoon'), a hub repo id or a local folder."""
    source = base_model or os.environ.get("STORYKIT_BASE_MODEL") or DEFAULT_BASE_MODEL
    source = BASE_MODELS.get(str(source), str(source))
    local = Path(source).expanduser()
    if local.exists():
        if not (local / "model_index.json").is_file():
            raise InvalidInput(f"folder {source!r} has no model_index.json: it is not a diffusers-format SD1.5 model")
        return str(local)
    if _looks_like_path(source) or not _is_repo_id(source):
        raise MissingWeights(
            f"no base model folder at {source!r}; use a hub id such as {DEFAULT_BASE_MODEL!r}, "
            "a preset ('realistic', 'cartoon'), or download one with `hf download REPO --local-dir FOLDER` (or set STORYKIT_BASE_MODEL)"
        )
    return source


def _base_on_disk(source: str) -> tuple[bool, str]:
    if Path(source).is_dir():
        return True, f"base model folder {source}"
    index = _hf_cached(source, "model_index.json")
    if not index:
        return False, f"base model {source!r} is not in the Hugging Face cache"
    snapshot = Path(index).parent
    for part in ("unet", "vae", "text_encoder"):
        if not any(snapshot.glob(f"{part}/*.safetensors")) and not any(snapshot.glob(f"{part}/*.bin")):
            return False, f"base model {source!r} is only partly downloaded ({part} weights missing)"
    return True, f"base model {source} (Hugging Face cache)"


def local_weights_status(base_model=None, checkpoint=None, num_inference_steps=4) -> tuple[bool, str]:
    """(True, why) when the checkpoint AND the base model are on this machine; never uses the network.

    Works without torch or diffusers installed (then it answers False).
    """
    missing = [m for m in ("torch", "diffusers", "huggingface_hub") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"{', '.join(missing)} not installed (pip install 'storykit[gen]')"
    try:
        ckpt = locate_checkpoint(checkpoint, num_inference_steps, download=False)
        base = resolve_base_model(base_model)
    except StorykitError as e:
        return False, str(e)
    found, why = _base_on_disk(base)
    if not found:
        return False, why
    return True, f"Lightning weights found: {ckpt.name} + {why}"


def estimate_cpu_seconds(
    num_frames: int, height: int, width: int, steps: int, *, cfg: bool = False, bf16: bool = False,
    unet_params: float = _REAL_UNET_PARAMS, vae_decoder_params: float = _REAL_VAE_DECODER_PARAMS,
) -> float:
    """Rough CPU seconds for one clip, from real-size measurements (NOTES.md, 2 cores, fp32).

    UNet cost scales with pixels x frames (and doubles with CFG), VAE decoding with
    pixels per frame; both scale with model size, so tiny test models estimate ~0.
    """
    pixels = height * width / (512 * 512)
    speed = 0.52 if bf16 else 1.0  # NOTES: 78 s bf16 vs 149 s fp32 per forward
    unet = _CPU_UNET_S_512X16 * pixels * num_frames / 16 * (2 if cfg else 1) * speed * unet_params / _REAL_UNET_PARAMS
    vae = _CPU_VAE_S_PER_512_FRAME * pixels * num_frames * vae_decoder_params / _REAL_VAE_DECODER_PARAMS
    return steps * unet + vae
