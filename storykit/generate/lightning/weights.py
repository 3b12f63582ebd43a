"""Where AnimateDiff-Lightning's weights come from: hub ids, local files, and honest errors.

A local file or folder (argument, or STORYKIT_LIGHTNING_CKPT / STORYKIT_BASE_MODEL) is
used as is and the hub is never contacted; a hub id is downloaded once into the Hugging
Face cache. Missing weights raise MissingWeights with the command that fetches them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
from pathlib import Path


from ...errors import InvalidInput, MissingWeights, StorykitError
from ...hub import hf_cached

__all__ = [
    "REPO_ID",
    "BASE_MODELS",
    "BASE_SOURCES",
    "BaseSource",
    "base_source",
    "DEFAULT_BASE_MODEL",
    "CHECKPOINT_FOR_STEPS",
    "MEMORY_PRESETS",
    "memory_preset_for",
    "checkpoint_filename",
    "locate_checkpoint",
    "resolve_base_model",
    "base_for_style",
    "cached_base",
    "COMPONENT_WEIGHTS",
    "check_no_pickles",
    "download_commands",
    "hub_reachable",
    "local_weights_status",
    "estimate_cpu_seconds",
]


REPO_ID = "ByteDance/AnimateDiff-Lightning"
# Base-model presets, one table. The card: "AnimateDiff-Lightning produces the best results
# when used with stylized base models"; it lists realistic bases (epiCRealism, Realistic Vision,
# DreamShaper, AbsoluteReality, ...) and anime/cartoon ones (ToonYou, IMP, Mistoon Anime,
# DynaVision, RCNZ Cartoon 3d, MajicMix Reverie). Every preset loads without unpickling anything:
# diffusers folders with safetensors, or one single-file .safetensors checkpoint (original SD key
# layout, read by diffusers' `StableDiffusionPipeline.from_single_file` with `config` = a pinned
# diffusers repo's configs; its components then build the AnimateDiffPipeline, bases.py).


@dataclasses.dataclass(frozen=True)
class BaseSource:
    """Where a preset's SD1.5 weights come from on the Hub, pinned, with the evidence for it."""

    repo: str
    revision: str | None  # a 40-hex commit; None only where no full hash could be verified (see evidence)
    single_file: str | None = None  # a root .safetensors checkpoint, loaded with from_single_file
    config: tuple[str, str] | None = None  # (repo, revision) of the diffusers configs describing the single file
    evidence: str = ""


# Evidence: the Hub's own file listings (model pages / tree / blob / commit pages), read through
# storykit's search tool in December; sizes as the Hub shows them.
BASE_SOURCES = {
    # emilianJR/epiCRealism, main: model_index.json + unet/ vae/ text_encoder/ holding safetensors since
    # commit 6522cf8 "Adding `safetensors` variant of this model (#3)" (the latest of 5 commits). The
    # listing pages show only that short hash; its 40-hex form could not be read through the search
    # tool, so this preset is NOT pinned: it follows main (the metadata check before any download
    # still refuses it in one line if a component has no safetensors).
    "realistic": BaseSource("emilianJR/epiCRealism", None, evidence="diffusers folders with safetensors; main at 6522cf8 (full hash unverified)"),
    # frankjoshua/toonyou_beta6 @ 9bb5e1c5 ("update model", 2 commits): root toonyou_beta6.safetensors
    # (2.3 GB, "Safe") beside diffusers folders whose weights are pickles (vae/diffusion_pytorch_model.bin,
    # safety_checker/pytorch_model.bin). So: the single file, described by the same commit's configs
    # (model_index.json, unet/ vae/ text_encoder/ config.json, tokenizer/ vocab.json + merges.txt).
    "cartoon": BaseSource(
        "frankjoshua/toonyou_beta6", "9bb5e1c5be60ab664ec80bff429126e0844ac9fe", single_file="toonyou_beta6.safetensors",
        config=("frankjoshua/toonyou_beta6", "9bb5e1c5be60ab664ec80bff429126e0844ac9fe"),
        evidence="tree/9bb5e1c5be60ab664ec80bff429126e0844ac9fe: toonyou_beta6.safetensors 2.3 GB + configs",
    ),
    # Mistoon Anime v2 (the card's "Mistoon Anime"). Yntec/mistoonAnime2 has no file listing we could
    # find (conversions of its time shipped .bin), so: nicoleng/mistoon_anime @ ce6c5318 "Upload
    # mistoonAnime_v20.safetensors" (LFS sha256 c35e1054c0a18d7d761541dd2a991d8567ef0af78f4d909cb118fb568f16822c,
    # 2,132,626,066 bytes; the same sha256 as babyduck123/for_vast's copy). That repo holds no configs,
    # so SD1.5's diffusers configs come from the "3d" preset's pinned commit.
    "anime": BaseSource(
        "nicoleng/mistoon_anime", "ce6c53181ee6e911ccb9bbfba9706541989c1b6f", single_file="mistoonAnime_v20.safetensors",
        config=("Lykon/dreamshaper-8", "a7e52b98680b1ba8ff7bce97c7f9f2e2e5337917"),
        evidence="commit/ce6c53181ee6e911ccb9bbfba9706541989c1b6f adds mistoonAnime_v20.safetensors (2.13 GB)",
    ),
    # Lykon/dreamshaper-8 @ a7e52b98 ("Update README.md", main; weights from 63591be "Duplicate from
    # lykon-models/dreamshaper-8"): text_encoder/model.safetensors (492 MB), vae/ and text_encoder/
    # fp16 safetensors, safety_checker/model.safetensors seen at that commit; the unet/ listing itself was
    # not among the pages read (the repo is tagged Safetensors; the metadata check names it if absent).
    # Replaces Lykon/DreamShaper, whose diffusers folders ("DreamShaper 7 diffusers upload") are .bin.
    "3d": BaseSource(
        "Lykon/dreamshaper-8", "a7e52b98680b1ba8ff7bce97c7f9f2e2e5337917",
        evidence="blob/a7e52b98680b1ba8ff7bce97c7f9f2e2e5337917/{vae,text_encoder,safety_checker}/*.safetensors",
    ),
}
BASE_MODELS = {name: source.repo for name, source in BASE_SOURCES.items()}  # preset -> hub repo id
DEFAULT_BASE_MODEL = BASE_MODELS["realistic"]
# Steps -> which distilled checkpoint. The card: "3 steps on the 2-step model works well".
CHECKPOINT_FOR_STEPS = {1: 1, 2: 2, 3: 2, 4: 4, 8: 8}
MEMORY_PRESETS = ("auto", "none", "slicing", "t4")
# Measured peak GPU memory allocated, 512x512x16 frames, fp16, 4 steps, CFG 1 (bench/RESULTS.md, H100).
MEASURED_PEAK_GIB = {"none": 12.6, "slicing": 5.6, "t4": 3.5}
# "auto" takes the fastest preset whose measured peak is at most a third of the card: those runs had
# no CFG (which doubles the UNet batch), no IP-Adapter (its ViT-H image encoder is 1.2 GiB in fp16),
# no handoff and 16 frames (decoded frames grow with scene length). So a 15 GiB T4 (5.0 GiB) gets
# "t4", a 24 GiB card "slicing", a 40 GiB or larger one "none". Offload costs ~3x per scene.
AUTO_MEMORY_FRACTION = 1 / 3


def memory_preset_for(total_bytes: int) -> str:
    """The preset "auto" picks on a GPU with `total_bytes` of memory (see MEASURED_PEAK_GIB)."""
    budget = total_bytes / 2**30 * AUTO_MEMORY_FRACTION
    for preset in ("none", "slicing"):
        if MEASURED_PEAK_GIB[preset] <= budget:
            return preset
    return "t4"
# AnimateDiff (and Lightning, distilled from it) trained its motion module on 16-frame clips; longer
# scenes are denoised in overlapping 16-frame FreeNoise windows (Qiu et al. 2023, arXiv:2310.15169).
CONTEXT_FRAMES = 16
CONTEXT_STRIDE = 4  # diffusers' default: windows [0,16), [4,20), ...

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


# What a diffusers SD1.5 repo must hold for AnimateDiffPipeline: no safety_checker (~1.2 GB that
# AnimateDiffPipeline never uses), no pickles (.bin/.ckpt), no root single-file checkpoints, no fp16/EMA variants.
BASE_ALLOW_PATTERNS = [
    "model_index.json", "scheduler/*.json", "tokenizer/*",
    "text_encoder/*.json", "text_encoder/model.safetensors",
    "unet/*.json", "unet/diffusion_pytorch_model.safetensors",
    "vae/*.json", "vae/diffusion_pytorch_model.safetensors",
]
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl", ".pickle")
_PROBE_TIMEOUT_S = 3.0
_probe: dict = {}


def _local_name(repo: str) -> str:
    return repo.split("/")[-1].lower()


def download_commands(num_inference_steps=4, base_model=None, *, checkpoint_repo: str = REPO_ID) -> list[str]:
    """The `hf download` commands that fetch the Lightning checkpoint and the base model (a pinned preset at its commit)."""
    base = base_model if base_model and _is_repo_id(str(base_model)) else DEFAULT_BASE_MODEL
    source = base_source(base)
    rev = f" --revision {source.revision}" if source.revision else ""
    if source.single_file:  # into the HF cache, where base_model=<repo> finds it
        cfg_repo, cfg_rev = source.config
        base_cmd = (f"hf download {base} {source.single_file}{rev}` and "
                    f'`hf download {cfg_repo} --revision {cfg_rev} --include "*.json" --include "tokenizer/*"')
    else:
        base_cmd = (f'hf download {base}{rev} --exclude "*.bin" --exclude "*.ckpt" --exclude "safety_checker/*" '
                    f"--local-dir {_local_name(base)}")
    return [f"hf download {checkpoint_repo} {checkpoint_filename(num_inference_steps)} --local-dir lightning", base_cmd]


def missing_weights(reason: str, num_inference_steps=4, base_model=None, *, checkpoint_repo: str = REPO_ID) -> MissingWeights:
    """MissingWeights naming both downloads, worded for Python; `.cli` holds the command-line wording."""
    ckpt_cmd, base_cmd = download_commands(num_inference_steps, base_model, checkpoint_repo=checkpoint_repo)
    if base_model and Path(str(base_model)).is_dir():  # the base is here already: only the checkpoint is missing
        err = MissingWeights(f"{reason}; fetch it once with `{ckpt_cmd}`, then pass checkpoint='lightning' "
                             "(or set STORYKIT_LIGHTNING_CKPT); or use backend='animatic' for the offline storyboard")
        err.cli = f"{reason}; fetch it once with `{ckpt_cmd}`, then add --checkpoint lightning; or use --backend animatic"
        return err
    repo = base_model if base_model and _is_repo_id(str(base_model)) else DEFAULT_BASE_MODEL
    base = repo if base_source(repo).single_file else _local_name(repo)  # single files stay in the HF cache
    fetch = f"{reason}; fetch both once with `{ckpt_cmd}` and `{base_cmd}`, then "
    err = MissingWeights(
        fetch + f"pass checkpoint='lightning', base_model='{base}' (or set STORYKIT_LIGHTNING_CKPT / STORYKIT_BASE_MODEL); "
        "or use backend='animatic' for the offline storyboard"
    )
    err.cli = fetch + f"add --checkpoint lightning --base-model {base}; or use --backend animatic for the offline storyboard"
    return err


def hub_reachable(timeout: float = _PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """(reachable, why not): HF_HUB_OFFLINE, or one TCP connect to the hub with a short timeout.

    huggingface_hub retries an unreachable hub for 24-36 s before giving up; one
    probe answers in at most `timeout` seconds. The answer is kept for 60 s.
    """
    import time
    from urllib.parse import urlparse

    try:
        from huggingface_hub import constants
    except ImportError:
        return False, "huggingface_hub is not installed"
    if constants.HF_HUB_OFFLINE:
        return False, "HF_HUB_OFFLINE is set"
    url = urlparse(constants.ENDPOINT)
    key = (url.hostname, url.port)
    now = time.monotonic()
    if key in _probe and now - _probe[key][0] < 60:
        return _probe[key][1]
    import socket

    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout=timeout).close()
        answer = (True, "")
    except OSError as e:
        answer = (False, f"the hub at {url.hostname} cannot be reached ({type(e).__name__})")
    _probe[key] = (now, answer)
    return answer


def download_file(repo: str, filename: str, *, what: str, num_inference_steps=4, base_model=None) -> Path:
    """`filename` from hub `repo`: from the HF cache, else downloaded; fails in seconds when offline."""
    cached = hf_cached(repo, filename)
    if cached:
        return Path(cached)
    ok, why = hub_reachable()
    if not ok:
        if what == "Lightning checkpoint":
            raise missing_weights(f"{filename} is not downloaded and {why}", num_inference_steps, base_model, checkpoint_repo=repo)
        where = " and set STORYKIT_MOTION_LORAS to the folder holding it" if what == "motion LoRA" else ""
        raise MissingWeights(
            f"{what} {repo} is not downloaded and {why}; fetch it with "
            f"`hf download {repo} {filename} --local-dir motion-loras/{repo.split('/')[-1]}`{where}"
            if what == "motion LoRA" else
            f"{what} {repo} is not downloaded and {why}; fetch it with `hf download {repo} {filename} --local-dir {_local_name(repo)}`"
        )
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(repo, filename))
    except Exception as e:  # no such repo/file, proxy trouble: the weights are not here
        reason = (str(e).strip().splitlines() or [""])[0][:160]
        raise MissingWeights(
            f"could not get {filename} from the hub repo {repo!r} ({type(e).__name__}: {reason}); "
            f"fetch it with `hf download {repo} {filename} --local-dir {_local_name(repo)}`"
        ) from None


def _download_hint(filename: str, repo: str = REPO_ID) -> str:
    return (
        f"download it with `hf download {repo} {filename} --local-dir FOLDER` and pass checkpoint=FOLDER "
        "(or set STORYKIT_LIGHTNING_CKPT)"
    )


def _is_repo_id(s: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", s)) and ".." not in s


def _looks_like_path(s: str) -> bool:
    return s.startswith(("/", "./", "../", "~", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", s)) or s.count("/") > 1


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


def locate_checkpoint(checkpoint=None, num_inference_steps=4, *, download: bool = True, base_model=None) -> Path:
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
    cached = hf_cached(source, filename)
    if cached:
        return Path(cached)
    if not download:
        raise MissingWeights(f"{filename} is not downloaded yet; {_download_hint(filename, source)}")
    return download_file(source, filename, what="Lightning checkpoint", num_inference_steps=num_inference_steps, base_model=base_model)


def base_for_style(style: str | None) -> str:
    """The base-model preset a planner style asks for (Style.base), e.g. 'anime' -> 'anime'."""
    from ...plan.planner import STYLES

    look = STYLES.get(style) if isinstance(style, str) else None
    return look.base if look is not None and look.base in BASE_MODELS else "realistic"


def base_source(repo: str) -> BaseSource:
    """The pinned source of a preset's repo; any other hub id: its main branch as diffusers folders."""
    for source in BASE_SOURCES.values():
        if source.repo == repo:
            return source
    return BaseSource(repo, None)


def resolve_base_model(base_model=None) -> str:
    """The SD1.5 base: a preset name (see BASE_MODELS), a hub repo id or a local folder."""
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
            f"a preset ({', '.join(map(repr, BASE_MODELS))}), or download one with `hf download REPO --local-dir FOLDER` (or set STORYKIT_BASE_MODEL)"
        )
    return source


def check_no_pickles(folder) -> None:
    """Refuses a base folder holding pickled weights anywhere (.bin/.ckpt/.pt/.pth): loading one runs code."""
    folder = Path(folder)
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in PICKLE_SUFFIXES and path.is_file():
            rel = path.relative_to(folder).as_posix()
            raise InvalidInput(
                f"base model folder {str(folder)!r} holds a pickle ({rel}); storykit loads safetensors only: "
                "delete the pickled files or download the repo again with `--exclude \"*.bin\" --exclude \"*.ckpt\"`"
            )


# What each component of a diffusers base must hold (pickled .bin weights are never loaded).
COMPONENT_WEIGHTS = {"unet": "unet/diffusion_pytorch_model.safetensors", "vae": "vae/diffusion_pytorch_model.safetensors",
                     "text_encoder": "text_encoder/model.safetensors"}


def cached_base(repo: str) -> tuple[Path, Path | None] | None:
    """(diffusers folder or configs folder, single file or None) if the base is complete in the HF cache."""
    source = base_source(repo)
    if source.single_file:
        ckpt = hf_cached(repo, source.single_file, source.revision)
        index = hf_cached(source.config[0], "model_index.json", source.config[1])
        return (Path(index).parent, Path(ckpt)) if ckpt and index else None
    index = hf_cached(repo, "model_index.json", source.revision)
    if not index:
        return None
    folder = Path(index).parent
    return (folder, None) if all((folder / w).is_file() for w in COMPONENT_WEIGHTS.values()) else None


def _base_on_disk(source: str) -> tuple[bool, str]:
    if Path(source).is_dir():
        return True, f"base model folder {source}"
    if cached_base(source) is not None:
        return True, f"base model {source} (Hugging Face cache)"
    spec = base_source(source)
    if not spec.single_file and hf_cached(source, "model_index.json", spec.revision):
        return False, f"base model {source!r} is only partly downloaded (safetensors weights missing)"
    return False, f"base model {source!r} is not in the Hugging Face cache"


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
