"""AnimateDiff-Lightning scenes through diffusers: 4 denoising steps instead of 25-50.

AnimateDiff-Lightning (Lin & Yang 2024, arXiv:2403.12706; hub repo
``ByteDance/AnimateDiff-Lightning``) distils AnimateDiff's SD1.5 v2 motion
module for 1, 2, 4 or 8 steps. Its model card gives the recipe this module
follows:

>>> from storykit.lightning import LightningBackend            # doctest: +SKIP
>>> backend = LightningBackend(base_model="cartoon")            # doctest: +SKIP
>>> frames, meta = backend.generate("a red fox in a bamboo forest", seed=1)  # doctest: +SKIP

which, in plain diffusers, is::

    adapter = MotionAdapter()
    adapter.load_state_dict(load_file(hf_hub_download(REPO_ID, "animatediff_lightning_4step_diffusers.safetensors")))
    pipe = AnimateDiffPipeline.from_pretrained("emilianJR/epiCRealism", motion_adapter=adapter, dtype=torch.float16)
    pipe.scheduler = EulerDiscreteScheduler.from_config(
        pipe.scheduler.config, timestep_spacing="trailing", beta_schedule="linear")
    pipe("a red fox", guidance_scale=1.0, num_inference_steps=4)

Weights: a local file or folder (argument, or STORYKIT_LIGHTNING_CKPT /
STORYKIT_BASE_MODEL) is used as is and the hub is never contacted; a hub id is
downloaded once into the Hugging Face cache. Missing weights raise
MissingWeights with the command that fetches them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
import time
from pathlib import Path

import numpy as np

from .backend import RenderConfig
from .cache import file_sha256
from .clips import Clip
from .errors import InvalidInput, MissingWeights, StorykitError, require
from .script import MAX_FRAMES, Scene, Script

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
    "LightningBackend",
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


def _dtype_kwarg() -> str:
    # diffusers renamed from_pretrained's torch_dtype= to dtype= (PR #14205); older releases only know torch_dtype.
    try:
        from diffusers.utils import deprecation_utils
    except ImportError:
        return "torch_dtype"
    return "dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype"


@contextlib.contextmanager
def _quiet_cast_warning():
    """Hides diffusers' "modules that should be kept in float32: []" warning.

    UNetMotionModel.from_unet2d casts with `.to(dtype)`, which always logs it,
    even when no module needs float32 (the list it prints is empty).
    """
    log = logging.getLogger("diffusers.models.modeling_utils")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _check_int(value, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise InvalidInput(f"{name} must be between {lo} and {hi}, got {value}")
    return int(value)


class _Timer:
    """Splits one pipeline call into text encoding, denoising and decoding (seconds).

    The first UNet forward marks the end of prompt encoding, the last step's
    callback the end of denoising; on CUDA each mark synchronises so the GPU's
    queued work is counted where it belongs.
    """

    def __init__(self, sync):
        self.sync = sync
        self.start = self.first_unet = self.last_step = None

    def unet_pre_hook(self, module, args):
        if self.first_unet is None:
            self.sync()
            self.first_unet = time.perf_counter()

    def on_step_end(self, pipe, step, timestep, callback_kwargs):
        self.sync()
        self.last_step = time.perf_counter()
        return {}

    def split(self, end: float) -> dict:
        first = self.first_unet or end
        last = self.last_step or first
        return {"encode_s": first - self.start, "denoise_s": last - first, "decode_s": end - last}


class LightningBackend:
    """AnimateDiff-Lightning as a storykit Backend; the pipeline loads on first use and stays.

    base_model: preset ('realistic', 'cartoon'), hub id or local SD1.5 folder ($STORYKIT_BASE_MODEL).
    checkpoint: a Lightning .safetensors file, a folder holding them, or a hub repo ($STORYKIT_LIGHTNING_CKPT).
    num_inference_steps: default steps (1, 2, 3, 4 or 8); a RenderConfig passed to render_scene wins.
    device/dtype: 'auto' → storykit.device (cuda → mps → cpu; fp16 on CUDA).
    memory: 't4' = VAE slicing + model CPU offload (least memory), 'slicing' = VAE slicing only, 'none',
        or 'auto': t4 under 12 GiB of GPU memory, slicing under 20 GiB (a 16 GB T4), else none.
    motion_adapter_config: MotionAdapter(**config); None is AnimateDiff v2's layout that Lightning uses.
    """

    name = "lightning"

    def __init__(
        self,
        base_model=None,
        checkpoint=None,
        num_inference_steps: int = 4,
        device: str = "auto",
        dtype="auto",
        memory: str = "auto",
        motion_adapter_config: dict | None = None,
        progress: bool = True,
        verbose: bool = True,
    ):
        from .device import resolve_device, resolve_dtype

        checkpoint_steps(num_inference_steps)
        if memory not in MEMORY_PRESETS:
            raise InvalidInput(f"unknown memory preset {memory!r}; choose one of: {', '.join(MEMORY_PRESETS)}")
        if motion_adapter_config is not None and not isinstance(motion_adapter_config, dict):
            raise InvalidInput("motion_adapter_config must be a dict of MotionAdapter arguments or None")
        self.base_model = resolve_base_model(base_model)
        self.checkpoint = checkpoint  # resolved per step count in locate_checkpoint
        self.num_inference_steps = num_inference_steps
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.memory = memory
        self.motion_adapter_config = dict(motion_adapter_config or {})
        self.progress = progress
        self.verbose = verbose
        self.pipe = None
        self._loaded_checkpoint: Path | None = None

    def __repr__(self) -> str:
        state = "loaded" if self.pipe is not None else "not loaded"
        return f"LightningBackend(base_model={self.base_model!r}, steps={self.num_inference_steps}, device={self.device!r}, {state})"

    # -- identity -------------------------------------------------------------------
    def _checkpoint_info(self, steps: int) -> tuple[Path, str]:
        path = locate_checkpoint(self.checkpoint, steps)
        return path, file_sha256(path)

    def describe(self) -> dict:
        from .device import dtype_name

        path, sha = self._checkpoint_info(self.num_inference_steps)
        return {
            "backend": self.name,
            "base_model": self.base_model,
            "checkpoint": path.name,
            "checkpoint_sha256": sha,
            "checkpoint_source": str(self.checkpoint or os.environ.get("STORYKIT_LIGHTNING_CKPT") or REPO_ID),
            "num_inference_steps": self.num_inference_steps,
            "scheduler": "EulerDiscreteScheduler(timestep_spacing='trailing', beta_schedule='linear')",
            "device": self.device,
            "dtype": dtype_name(self.dtype),
            "memory": self._memory_preset(),
            "motion_adapter_config": self.motion_adapter_config,
        }

    def cache_fields(self, scene: Scene, script: Script, config: RenderConfig | None = None) -> dict:
        """Everything that changes this scene's pixels."""
        from .device import dtype_name

        config = config or RenderConfig(num_inference_steps=self.num_inference_steps)
        path, sha = self._checkpoint_info(config.num_inference_steps)
        fields = {
            "backend": self.name,
            "base_model": self.base_model,
            "checkpoint_sha256": sha,
            "motion_adapter_config": self.motion_adapter_config,
            "prompt": scene.prompt,
            "seed": scene.seed,
            "num_frames": scene.num_frames,
            "height": config.height,
            "width": config.width,
            "num_inference_steps": config.num_inference_steps,
            "guidance_scale": float(config.guidance_scale),
            # fp16 vs fp32, GPU vs CPU kernels: visibly different noise trajectories.
            "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0],
        }
        if config.guidance_scale > 1:  # at CFG <= 1 diffusers never encodes the negative prompt
            fields["negative_prompt"] = scene.negative_prompt
        return fields

    # -- loading --------------------------------------------------------------------
    def _memory_preset(self) -> str:
        if self.memory != "auto":
            return self.memory
        if self.device.startswith("cuda"):
            torch = require("torch", "gen")
            total = torch.cuda.get_device_properties(torch.device(self.device)).total_memory
            return "t4" if total < 12 * 2**30 else "slicing" if total < 20 * 2**30 else "none"
        return "none"

    def _load_adapter(self, path: Path):
        diffusers = require("diffusers", "gen")
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            state = load_file(str(path), device="cpu")
        except (SafetensorError, OSError) as e:
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
            raise InvalidInput(f"{path.name} is not a readable safetensors file ({reason}); download it again") from None
        adapter = diffusers.MotionAdapter(**self.motion_adapter_config)
        expected = adapter.state_dict()
        missing, unexpected = expected.keys() - state.keys(), state.keys() - expected.keys()
        if missing or unexpected:
            example = sorted(unexpected or missing)[0]
            raise InvalidInput(
                f"{path.name} is not a diffusers-format AnimateDiff motion module ({len(missing)} weights missing, "
                f"{len(unexpected)} unexpected, e.g. {example!r}); use animatediff_lightning_Nstep_diffusers.safetensors, "
                "not the _comfyui file"
            )
        wrong = [k for k in expected if tuple(expected[k].shape) != tuple(state[k].shape)]
        if wrong:
            raise InvalidInput(
                f"{path.name} has weights of other shapes than MotionAdapter(**{self.motion_adapter_config}) "
                f"(e.g. {wrong[0]}: {tuple(state[wrong[0]].shape)}); pass the matching motion_adapter_config"
            )
        adapter.load_state_dict(state)
        return adapter  # fp32 is fine: the pipeline copies it into the UNet and casts to the UNet's dtype

    def load(self, num_inference_steps: int | None = None):
        """Loads (or re-uses) the pipeline with the checkpoint for `num_inference_steps`; returns it."""
        steps = num_inference_steps or self.num_inference_steps
        path = locate_checkpoint(self.checkpoint, steps)
        if self.pipe is not None:
            if path != self._loaded_checkpoint:  # another step count: swap only the motion weights
                self.pipe.unet.load_motion_modules(self._load_adapter(path))
                self._loaded_checkpoint = path
            return self.pipe
        diffusers = require("diffusers", "gen")
        adapter = self._load_adapter(path)
        is_local = Path(self.base_model).is_dir()
        try:
            with _quiet_cast_warning():
                pipe = diffusers.AnimateDiffPipeline.from_pretrained(
                    self.base_model, motion_adapter=adapter, **{_dtype_kwarg(): self.dtype}
                )
        except StorykitError:
            raise
        except Exception as e:  # offline, missing files, wrong repo: say what to fetch or fix
            first = str(e).strip().splitlines()[0][:160] if str(e).strip() else ""
            if is_local:
                raise InvalidInput(f"could not load base model folder {self.base_model!r} ({type(e).__name__}: {first})") from None
            raise MissingWeights(
                f"could not load base model {self.base_model!r} from the hub ({type(e).__name__}); download it with "
                f"`hf download {self.base_model} --local-dir FOLDER` and pass base_model=FOLDER (or set STORYKIT_BASE_MODEL)"
            ) from None
        # The card's scheduler: Euler, trailing timesteps, linear betas. Leaving out
        # beta_schedule="linear" is a known cause of washed-out results (diffusers #5881).
        pipe.scheduler = diffusers.EulerDiscreteScheduler.from_config(
            pipe.scheduler.config, timestep_spacing="trailing", beta_schedule="linear"
        )
        preset = self._memory_preset()
        if preset in ("slicing", "t4"):
            pipe.vae.enable_slicing()  # decode frame by frame instead of 16 at once
        if preset == "t4" and self.device.startswith("cuda"):
            require("accelerate", "gen")
            pipe.enable_model_cpu_offload(device=self.device)  # one model on the GPU at a time
        else:
            pipe.to(self.device)
        pipe.set_progress_bar_config(disable=not self.progress, leave=False, desc="denoising")
        self.pipe, self._loaded_checkpoint = pipe, path
        return pipe

    # -- generation -----------------------------------------------------------------
    def generate(
        self,
        prompt: str,
        *,
        negative_prompt: str = "",
        num_frames: int = 16,
        height: int = 512,
        width: int = 512,
        seed: int = 0,
        num_inference_steps: int | None = None,
        guidance_scale: float = 1.0,
    ) -> tuple[np.ndarray, dict]:
        """Renders one clip: ((num_frames, height, width, 3) uint8 frames, metadata)."""
        from .device import dtype_name, make_generator

        # 1. Check inputs
        steps = self.num_inference_steps if num_inference_steps is None else num_inference_steps
        checkpoint_steps(steps)
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidInput("prompt is empty: describe the scene in a few words")
        num_frames = _check_int(num_frames, "num_frames", 1, MAX_FRAMES)
        for name, v in (("height", height), ("width", width)):
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v % 8:
                raise InvalidInput(f"height and width must be divisible by 8 (the VAE downsamples by 8), got {name}={v}")
            _check_int(v, name, 64, 2048)
        seed = _check_int(seed, "seed", 0, 2**32 - 1)
        if isinstance(guidance_scale, bool) or not isinstance(guidance_scale, (int, float)) or guidance_scale < 0:
            raise InvalidInput(f"guidance_scale must be a number >= 0, got {guidance_scale!r}")

        # 2. Load (once) and pick the checkpoint for this step count
        t0 = time.perf_counter()
        pipe = self.load(steps)
        load_s = time.perf_counter() - t0
        torch = require("torch", "gen")

        # 3. Long clips: AnimateDiff attends over at most 32 frames; FreeNoise slides 16-frame windows.
        free_noise = num_frames > self.motion_adapter_config.get("motion_max_seq_length", MAX_CONTEXT_FRAMES)
        if free_noise and not pipe.free_noise_enabled:
            pipe.enable_free_noise(context_length=16, context_stride=4)
        elif not free_noise and pipe.free_noise_enabled:
            pipe.disable_free_noise()

        cfg = guidance_scale > 1  # classifier-free guidance runs only above 1: twice the UNet work
        if self.device == "cpu" and max(height, width) >= 256 and self.verbose:
            est = estimate_cpu_seconds(
                num_frames, height, width, steps, cfg=cfg, bf16=str(self.dtype).endswith("bfloat16"),
                unet_params=sum(p.numel() for p in pipe.unet.parameters()),
                vae_decoder_params=sum(p.numel() for p in pipe.vae.decoder.parameters()),
            )
            if est >= 30:
                took = f"{est / 60:.0f} min" if est >= 120 else f"{est:.0f} s"
                print(
                    f"storykit: on CPU this {num_frames}-frame {width}x{height} clip takes about {took} "
                    f"({steps} steps{' with CFG' if cfg else ''}); a GPU takes seconds"
                )

        # 4. Denoise and decode, timing each part
        oom = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
        sync = torch.cuda.synchronize if self.device.startswith("cuda") else (lambda: None)
        timer = _Timer(sync)
        hook = pipe.unet.register_forward_pre_hook(timer.unet_pre_hook)
        try:
            timer.start = time.perf_counter()
            out = pipe(
                prompt=prompt,
                negative_prompt=negative_prompt or None,
                num_frames=num_frames,
                height=height,
                width=width,
                num_inference_steps=steps,
                guidance_scale=guidance_scale,  # Lightning is distilled for 1.0 (the card); above 1 CFG doubles the cost
                generator=make_generator(seed),
                output_type="np",
                callback_on_step_end=timer.on_step_end,
            )
            end = time.perf_counter()
        except oom:
            raise InvalidInput(
                f"out of GPU memory at {width}x{height}x{num_frames}; use memory='t4', fewer frames or a smaller size"
            ) from None
        finally:
            hook.remove()
        frames = np.asarray(out.frames[0])
        # diffusers' own float→uint8 rule (VaeImageProcessor.numpy_to_pil): round(x * 255).
        frames = (np.clip(frames, 0.0, 1.0) * 255).round().astype(np.uint8)

        path = self._loaded_checkpoint
        timings = {"load_s": load_s, **timer.split(end), "total_s": end - t0}
        meta = {
            "backend": self.name,
            "base_model": self.base_model,
            "checkpoint": path.name,
            "checkpoint_sha256": file_sha256(path),
            "prompt": prompt,
            "negative_prompt": negative_prompt if cfg else None,  # unused at CFG <= 1
            "seed": seed,
            "num_inference_steps": steps,
            "guidance_scale": float(guidance_scale),
            "num_frames": num_frames,
            "height": height,
            "width": width,
            "free_noise": free_noise,
            "device": self.device,
            "dtype": dtype_name(self.dtype),
            "memory": self._memory_preset(),
            "timings": {k: round(v, 4) for k, v in timings.items()},
        }
        return frames, meta

    def render_scene(self, scene: Scene, script: Script | None = None, config: RenderConfig | None = None) -> Clip:
        """Renders `scene` at `config`'s size and steps (default RenderConfig with this backend's steps)."""
        config = config or RenderConfig(num_inference_steps=self.num_inference_steps)
        frames, meta = self.generate(
            scene.prompt,
            negative_prompt=scene.negative_prompt,
            num_frames=scene.num_frames,
            height=config.height,
            width=config.width,
            seed=scene.seed,
            num_inference_steps=config.num_inference_steps,
            guidance_scale=config.guidance_scale,
        )
        return Clip(frames, fps=scene.fps, scene_index=scene.index, metadata=meta)
