"""Draft decoding: TAESD, a tiny autoencoder, in place of SD1.5's full VAE decoder.

With 4 denoising steps the full VAE decode is a fixed cost that no longer
shrinks (0.24 s of a 0.64 s scene at 512²×16 on an H100, bench/RESULTS.md), so
previews decode with TAESD (Ollin Boer Bohan, hub repo ``madebyollin/taesd``,
diffusers' `AutoencoderTiny`, safetensors): it reads the same SD1.5 latents at a
small fraction of the cost, with slightly softer detail. Export keeps the full VAE.

>>> from storykit.generate.lightning import LightningBackend           # doctest: +SKIP
>>> preview = LightningBackend(vae_decoder="tiny")                      # doctest: +SKIP

The choice is part of the clip cache key: a draft clip never stands in for a full one.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import InvalidInput, MissingWeights, require
from ...hub import hf_cached
from .compat import dtype_kwarg

__all__ = ["VAE_DECODERS", "TINY_VAE_REPO", "resolve_tiny_vae", "locate_tiny_vae", "load_tiny_vae", "tiny_vae_id"]

VAE_DECODERS = ("full", "tiny")
TINY_VAE_REPO = "madebyollin/taesd"  # TAESD for SD1.x latents (taesdxl is for SDXL: wrong latent space)
_WEIGHTS = "diffusion_pytorch_model.safetensors"
_FILES = ("config.json", _WEIGHTS)


def check_vae_decoder(vae_decoder: str) -> str:
    if vae_decoder not in VAE_DECODERS:
        raise InvalidInput(f"vae_decoder must be 'full' (export quality) or 'tiny' (fast previews), got {vae_decoder!r}")
    return vae_decoder


def resolve_tiny_vae(tiny_vae: str | os.PathLike | None = None) -> str:
    """The argument, else $STORYKIT_TINY_VAE, else madebyollin/taesd."""
    return str(tiny_vae or os.environ.get("STORYKIT_TINY_VAE") or TINY_VAE_REPO)


def _local_folder(source: str) -> Path | None:
    """The folder holding the weights: a local folder, or the hub repo's cached snapshot (no network)."""
    if Path(source).expanduser().is_dir():
        return Path(source).expanduser()
    hit = hf_cached(source, _WEIGHTS)
    return Path(hit).parent if hit else None


def tiny_vae_id(source: str) -> dict:
    """What identifies the tiny VAE in a cache key: its source and the sha256 of its weights."""
    from ..cache import file_sha256

    folder = _local_folder(source)
    weights = folder / _WEIGHTS if folder is not None else None
    return {"tiny_vae": source, "tiny_vae_sha256": file_sha256(weights) if weights and weights.is_file() else None}


def locate_tiny_vae(source: str) -> Path:
    """The folder holding the tiny VAE: a local folder, the cached hub snapshot, or downloaded now.

    Called before the first scene renders (LightningBackend.check_script), so the
    weights' sha256 is in every draft clip's cache key from the first scene on.
    """
    folder = _local_folder(source)
    if folder is not None:
        if not (folder / _WEIGHTS).is_file():
            raise InvalidInput(f"tiny VAE folder {str(folder)!r} has no {_WEIGHTS} (only safetensors are loaded)")
        return folder
    from .weights import _is_repo_id, _looks_like_path, download_file

    if _looks_like_path(source) or not _is_repo_id(source):
        raise MissingWeights(f"no tiny VAE folder at {source!r}; {_hint(source)}")
    try:
        found = [download_file(source, name, what="tiny VAE") for name in _FILES]
    except MissingWeights:
        raise MissingWeights(f"the tiny VAE {source!r} is not on this machine; {_hint(source)}") from None
    return found[-1].parent


def _hint(source: str) -> str:
    repo = source if "/" in source and not source.startswith((".", "/")) else TINY_VAE_REPO
    return f"download it with `hf download {repo} --local-dir FOLDER` and pass tiny_vae=FOLDER (or set STORYKIT_TINY_VAE)"


def load_tiny_vae(source: str, dtype):
    """AutoencoderTiny from a folder (config.json + diffusion_pytorch_model.safetensors) or a hub id."""
    diffusers = require("diffusers", "gen")
    folder = locate_tiny_vae(source)
    try:
        # use_safetensors=True: a pickled .bin is never loaded.
        return diffusers.AutoencoderTiny.from_pretrained(str(folder), use_safetensors=True, **{dtype_kwarg(): dtype})
    except Exception as e:
        raise InvalidInput(f"could not load the tiny VAE from {str(folder)!r} ({type(e).__name__})") from None
