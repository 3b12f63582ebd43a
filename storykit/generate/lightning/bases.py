"""SD1.5 base models without pickles: checked on the Hub before any download, then loaded.

A base is either diffusers folders (``unet/ vae/ text_encoder/`` with safetensors,
`AnimateDiffPipeline.from_pretrained`) or one single-file ``.safetensors``
checkpoint in the original Stable Diffusion key layout, which diffusers reads with

    sd = StableDiffusionPipeline.from_single_file(path, config=<diffusers configs>)
    pipe = AnimateDiffPipeline(vae=sd.vae, text_encoder=sd.text_encoder, tokenizer=sd.tokenizer,
                               unet=sd.unet, scheduler=sd.scheduler, motion_adapter=adapter)

The presets (weights.BASE_SOURCES) are pinned to a commit. Before anything is
downloaded one metadata call lists the repo's files: a component without
safetensors is named in one line, and nothing pickled is ever fetched or loaded.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ...errors import InvalidInput, MissingWeights, StorykitError, require
from .compat import dtype_kwarg, quiet_cast_warning
from .weights import (
    BASE_ALLOW_PATTERNS, COMPONENT_WEIGHTS, base_source, cached_base, check_no_pickles, download_commands, hub_reachable,
    missing_weights,
)

__all__ = ["BaseFiles", "CONFIG_PATTERNS", "COMPONENT_WEIGHTS", "check_base_on_hub", "prepare_base", "fetch_base", "load_base"]

# The diffusers configs a single-file checkpoint needs (no weights): what from_single_file reads from `config`.
CONFIG_PATTERNS = ["model_index.json", "scheduler/*.json", "tokenizer/*", "text_encoder/config.json",
                   "unet/config.json", "vae/config.json"]
# Original SD key prefixes in a single-file checkpoint, per component.
_SINGLE_FILE_PREFIXES = {"unet": "model.diffusion_model.", "vae": "first_stage_model.",
                         "text_encoder": "cond_stage_model.transformer."}


@dataclasses.dataclass(frozen=True)
class BaseFiles:
    """A base on this machine: a diffusers folder, or a single file plus the folder of its configs."""

    folder: Path  # the diffusers folder, or the configs' folder for a single file
    single_file: Path | None = None


def _label(repo: str, revision: str | None) -> str:
    return f"{repo}@{revision[:7]}" if revision else repo


def check_base_on_hub(repo: str) -> None:
    """One metadata call (no download): refuses, in one line, a base whose components lack safetensors."""
    from huggingface_hub import HfApi

    source = base_source(repo)
    label = _label(repo, source.revision)
    try:
        files = {s.rfilename for s in HfApi().model_info(repo, revision=source.revision).siblings or []}
    except Exception as e:  # no such repo or revision, a proxy: say which, in one line
        reason = (str(e).strip().splitlines() or [""])[0][:160]
        raise MissingWeights(f"could not list base model {label} on the hub ({type(e).__name__}: {reason})") from None
    if source.single_file:
        if source.single_file not in files:
            raise InvalidInput(f"base model {label} has no {source.single_file} on the hub; pick another base_model")
        return
    for component, weights in COMPONENT_WEIGHTS.items():
        if weights not in files:
            found = sorted(f for f in files if f.startswith(component + "/") and not f.endswith(".json"))
            only = f" (only {', '.join(found)})" if found else ""
            raise InvalidInput(
                f"base model {label} has no safetensors weights for its {component}{only}; storykit never loads "
                "pickles: pick a preset (realistic, cartoon, anime, 3d) or a repo that ships safetensors"
            )


def _cached_base(repo: str) -> BaseFiles | None:
    """The base from the Hugging Face cache if every file it needs is there (no network)."""
    found = cached_base(repo)
    return BaseFiles(*found) if found else None


def _local_base(folder: Path) -> BaseFiles:
    """A base folder: diffusers folders, or (what `hf download` of a single-file repo writes) configs + one root .safetensors."""
    check_no_pickles(folder)
    if all((folder / w).is_file() for w in COMPONENT_WEIGHTS.values()):
        return BaseFiles(folder)
    roots = sorted(folder.glob("*.safetensors"))
    if len(roots) == 1:
        return BaseFiles(folder, roots[0])
    return BaseFiles(folder)  # diffusers' own error names the missing file (kept as the real reason)


def prepare_base(repo_or_folder: str, *, num_inference_steps=4) -> None:
    """Before the first scene: the base is local, cached, or checked on the hub; else MissingWeights in seconds."""
    if Path(repo_or_folder).is_dir():
        _local_base(Path(repo_or_folder))
        return
    if _cached_base(repo_or_folder) is not None:
        return
    ok, why = hub_reachable()
    if not ok:
        raise missing_weights(f"base model {repo_or_folder} is not downloaded and {why}", num_inference_steps, repo_or_folder)
    check_base_on_hub(repo_or_folder)


def fetch_base(repo_or_folder: str, *, num_inference_steps=4) -> BaseFiles:
    """The base on this machine: a local folder as is, the cache, or a download of only the safetensors it needs."""
    if Path(repo_or_folder).is_dir():
        return _local_base(Path(repo_or_folder))
    cached = _cached_base(repo_or_folder)
    if cached is not None:
        return cached
    prepare_base(repo_or_folder, num_inference_steps=num_inference_steps)  # metadata first: no pickle is fetched
    from huggingface_hub import hf_hub_download, snapshot_download

    source = base_source(repo_or_folder)
    try:
        if source.single_file:
            ckpt = hf_hub_download(source.repo, source.single_file, revision=source.revision)
            configs = snapshot_download(source.config[0], revision=source.config[1], allow_patterns=CONFIG_PATTERNS)
            return BaseFiles(Path(configs), Path(ckpt))
        return BaseFiles(Path(snapshot_download(source.repo, revision=source.revision, allow_patterns=BASE_ALLOW_PATTERNS)))
    except StorykitError:
        raise
    except Exception as e:
        reason = (str(e).strip().splitlines() or [""])[0][:160]
        raise MissingWeights(
            f"could not download base model {repo_or_folder!r} ({type(e).__name__}: {reason}); "
            f"fetch it with `{download_commands(num_inference_steps, repo_or_folder)[1]}`"
        ) from None


def _check_single_file(path: Path) -> None:
    """The checkpoint's safetensors header (names only) holds all three components, in the original layout."""
    from safetensors import SafetensorError, safe_open

    if path.suffix != ".safetensors":
        raise InvalidInput(f"{path.name} is not a .safetensors file; storykit never loads pickled checkpoints")
    try:
        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
    except (SafetensorError, OSError) as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
        raise InvalidInput(f"{path.name} is not a readable safetensors file ({reason}); download it again") from None
    for component, prefix in _SINGLE_FILE_PREFIXES.items():
        if not any(k.startswith(prefix) for k in keys):
            raise InvalidInput(f"single-file checkpoint {path.name} has no {component} weights (no {prefix}* keys)")


def load_base(files: BaseFiles, adapter, dtype):
    """AnimateDiffPipeline(base + motion adapter) from diffusers folders or a single file; safetensors only."""
    diffusers = require("diffusers", "gen")
    with quiet_cast_warning():
        if files.single_file is None:
            return diffusers.AnimateDiffPipeline.from_pretrained(
                str(files.folder), motion_adapter=adapter, feature_extractor=None,
                use_safetensors=True,  # never unpickle a .bin
                **{dtype_kwarg(): dtype},
            )
        _check_single_file(files.single_file)
        sd = diffusers.StableDiffusionPipeline.from_single_file(
            str(files.single_file), config=str(files.folder), local_files_only=True,
            safety_checker=None, feature_extractor=None, requires_safety_checker=False, **{dtype_kwarg(): dtype},
        )
        return diffusers.AnimateDiffPipeline(
            vae=sd.vae, text_encoder=sd.text_encoder, tokenizer=sd.tokenizer, unet=sd.unet,
            motion_adapter=adapter, scheduler=sd.scheduler, feature_extractor=None,
        )
