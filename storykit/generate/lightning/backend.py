"""AnimateDiff-Lightning scenes through diffusers: 4 denoising steps instead of 25-50.

AnimateDiff-Lightning (Lin & Yang 2024, arXiv:2403.12706; hub repo
``ByteDance/AnimateDiff-Lightning``) distils AnimateDiff's SD1.5 v2 motion
module for 1, 2, 4 or 8 steps. Its model card gives the recipe this module
follows:

>>> from storykit.generate.lightning import LightningBackend            # doctest: +SKIP
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

What the story plan changes: the script's style picks the base model
(``Style.base`` → ``weights.BASE_MODELS``) unless one is named; each scene's
camera picks a motion LoRA (``motion_lora.CAMERA_LORAS``) at the scene's
``camera_weight``; scenes over 16 frames run in 16-frame FreeNoise windows.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np

from ..config import RenderConfig
from ..cache import file_sha256
from ..clips import Clip
from ..continuity import handoff_frame
from ...errors import InvalidInput, StorykitError, require
from ...plan.script import MAX_FRAMES, Scene, Script
from . import draft
from .adapter_config import motion_adapter_layout
from .bases import fetch_base, load_base, prepare_base
from .compat import quiet_cast_warning as _quiet_cast_warning
from .motion_lora import (
    DEFAULT_LORA_WEIGHT, MotionLoras, check_motion_lora_file, locate_motion_lora, lora_for_camera, real_names,
)
from .reference import check_continuity, conditioning, reference_fields
from .windows import enable_windows
from .weights import (
    BASE_MODELS, CONTEXT_FRAMES, CONTEXT_STRIDE, MEMORY_PRESETS, REPO_ID, base_for_style, checkpoint_steps,
    base_source, estimate_cpu_seconds, locate_checkpoint, memory_preset_for, resolve_base_model,
)

__all__ = [
    "LightningBackend",
]


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

    base_model: preset (see BASE_MODELS), hub id or local SD1.5 folder ($STORYKIT_BASE_MODEL);
        None lets each script's style pick its preset (Style.base: anime → Mistoon Anime, ...).
    checkpoint: a Lightning .safetensors file, a folder holding them, or a hub repo ($STORYKIT_LIGHTNING_CKPT).
    num_inference_steps: default steps (1, 2, 3, 4 or 8); a RenderConfig passed to render_scene wins.
    device/dtype: 'auto' → storykit.generate.device (cuda → mps → cpu; fp16 on CUDA).
    memory: 't4' = VAE slicing + model CPU offload (least memory), 'slicing' = VAE slicing only, 'none',
        or 'auto': from measured peaks (weights.memory_preset_for): t4 on a 15 GiB T4, slicing on 24 GiB, else none.
    motion_adapter_config: MotionAdapter(**config); None is AnimateDiff v2's layout that Lightning uses.
    ip_adapter: IP-Adapter weights for character references: a folder laid out like h94/IP-Adapter
        or a hub id ($STORYKIT_IP_ADAPTER; default h94/IP-Adapter), loaded only when a reference is used.
    motion_loras: where camera-move LoRAs come from ($STORYKIT_MOTION_LORAS): None = the hub repos,
        a folder of downloaded repos, or a dict camera → hub id/folder/file (see motion_lora).
    vae_decoder: 'full' (SD1.5's VAE: export quality) or 'tiny' (TAESD: fast drafts, storykit.generate.lightning.draft);
        tiny_vae: its folder or hub id ($STORYKIT_TINY_VAE, default madebyollin/taesd).
    """

    name = "lightning"
    supports_reference = True  # IP-Adapter (storykit.generate.lightning.reference)
    supports_handoff = True  # video-to-video from the previous scene's last frame

    def __init__(
        self,
        base_model=None,
        checkpoint=None,
        num_inference_steps: int = 4,
        device: str = "auto",
        dtype="auto",
        memory: str = "auto",
        motion_adapter_config: dict | None = None,
        motion_loras=None,
        progress: bool = True,
        verbose: bool = True,
        ip_adapter=None,
        vae_decoder: str = "full",
        tiny_vae: str | os.PathLike | None = None,
    ):
        from ..device import resolve_device, resolve_dtype

        self.vae_decoder = draft.check_vae_decoder(vae_decoder)
        self.tiny_vae = draft.resolve_tiny_vae(tiny_vae)
        checkpoint_steps(num_inference_steps)
        if memory not in MEMORY_PRESETS:
            raise InvalidInput(f"unknown memory preset {memory!r}; choose one of: {', '.join(MEMORY_PRESETS)}")
        if motion_adapter_config:  # names and types checked against MotionAdapter.__init__ (a manifest may be edited)
            from .adapter_config import check_motion_adapter_config

            check_motion_adapter_config(motion_adapter_config)
        elif motion_adapter_config is not None and not isinstance(motion_adapter_config, dict):
            raise InvalidInput("motion_adapter_config must be a dict of MotionAdapter arguments or None")
        if motion_loras is not None and not isinstance(motion_loras, (str, os.PathLike, dict)):
            raise InvalidInput("motion_loras must be a folder, a dict camera -> LoRA, or None")
        # A named base (argument or environment) wins; otherwise each script's style picks one.
        self.base_choice = base_model or os.environ.get("STORYKIT_BASE_MODEL") or None
        self.base_model = resolve_base_model(self.base_choice)
        self.checkpoint = checkpoint  # resolved per step count in locate_checkpoint
        self.num_inference_steps = num_inference_steps
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.memory = memory
        self.motion_adapter_config = dict(motion_adapter_config or {})
        self.motion_loras = motion_loras
        self.progress = progress
        self.verbose = verbose
        self.ip_adapter = str(ip_adapter) if ip_adapter is not None else None
        self.pipe = None
        self.loras: MotionLoras | None = None
        self._loaded_checkpoint: Path | None = None
        self._loaded_base: str | None = None

    def __repr__(self) -> str:
        state = "loaded" if self.pipe is not None else "not loaded"
        return f"LightningBackend(base_model={self.base_model!r}, steps={self.num_inference_steps}, device={self.device!r}, {state})"

    # -- identity -------------------------------------------------------------------
    def base_model_for(self, script: Script | None) -> str:
        """The base this script renders on: the named one, else its style's preset (the card: stylised bases)."""
        if self.base_choice is not None or script is None:
            return self.base_model
        return resolve_base_model(BASE_MODELS[base_for_style(script.style)])

    def _checkpoint_info(self, steps: int) -> tuple[Path, str]:
        path = locate_checkpoint(self.checkpoint, steps, base_model=self.base_model)
        return path, file_sha256(path)

    def describe(self) -> dict:
        from ..device import dtype_name

        path, sha = self._checkpoint_info(self.num_inference_steps)
        return {
            "backend": self.name,
            "base_model": self.base_model,
            "base_model_from": "argument" if self.base_choice is not None else "style",
            "checkpoint": path.name,
            "checkpoint_sha256": sha,
            "checkpoint_source": str(self.checkpoint or os.environ.get("STORYKIT_LIGHTNING_CKPT") or REPO_ID),
            "num_inference_steps": self.num_inference_steps,
            "scheduler": "EulerDiscreteScheduler(timestep_spacing='trailing', beta_schedule='linear')",
            "device": self.device,
            "dtype": dtype_name(self.dtype),
            "memory": self._memory_preset(),
            "motion_adapter_config": self.motion_adapter_config,
            **({"ip_adapter": self.ip_adapter} if self.ip_adapter else {}),
            "motion_loras": self._motion_loras_source(),
            "context_frames": CONTEXT_FRAMES,
            **self._draft_fields(),
        }

    def _motion_loras_source(self):
        """Where camera LoRAs come from, JSON-ready (None: the hub repos)."""
        source = self.motion_loras if self.motion_loras is not None else os.environ.get("STORYKIT_MOTION_LORAS") or None
        if isinstance(source, dict):
            return {k: str(v) for k, v in source.items()}
        return None if source is None else str(source)

    @staticmethod
    def _base_revision(base: str) -> dict:
        # a pinned preset's commit is part of what it renders with ({} for folders and unpinned ids)
        revision = base_source(base).revision
        return {"base_revision": revision} if revision else {}

    def _draft_fields(self) -> dict:
        # only drafts add fields, so full-VAE cache keys stay as they were
        return {"vae_decoder": "tiny", **draft.tiny_vae_id(self.tiny_vae)} if self.vae_decoder == "tiny" else {}

    def cache_fields(self, scene: Scene, script: Script, config: RenderConfig | None = None) -> dict:
        """Everything that changes this scene's pixels."""
        from ..device import dtype_name

        config = config or RenderConfig(num_inference_steps=self.num_inference_steps)
        path, sha = self._checkpoint_info(config.num_inference_steps)
        lora = lora_for_camera(scene.camera, self.motion_loras)
        fields = {
            "backend": self.name,
            "base_model": self.base_model_for(script),
            **self._base_revision(self.base_model_for(script)),
            "checkpoint_sha256": sha,
            "motion_adapter_config": self.motion_adapter_config,
            "prompt": scene.prompt,
            "seed": scene.seed,
            "num_frames": scene.num_frames,
            "height": config.height,
            "width": config.width,
            "num_inference_steps": config.num_inference_steps,
            "guidance_scale": float(config.guidance_scale),
            # The camera move is a motion LoRA (static: none), so it and its weight change the pixels.
            "camera": scene.camera,
            "motion_lora": lora,
            "camera_weight": float(scene.camera_weight) if lora else None,
            "context_frames": CONTEXT_FRAMES if scene.num_frames > CONTEXT_FRAMES else None,
            # fp16 vs fp32, GPU vs CPU kernels: visibly different noise trajectories.
            "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0],
        }
        if config.guidance_scale > 1:  # at CFG <= 1 diffusers never encodes the negative prompt
            fields["negative_prompt"] = scene.negative_prompt
        fields.update(reference_fields(self, config))  # {} without a character reference
        return {**fields, **self._draft_fields()}

    def check_script(self, script: Script, config: RenderConfig) -> None:
        """Checks what `script` needs before any scene renders: every camera's motion LoRA
        (a missing or garbage file fails now, not at its scene), a reference's IP-Adapter
        weights, the draft decoder and the handoff settings."""
        for source in dict.fromkeys(lora_for_camera(s.camera, self.motion_loras) for s in script.scenes):
            if source is not None:
                path = locate_motion_lora(source)  # local, cached or fetched; offline and absent: MissingWeights
                check_motion_lora_file(path, source=source, adapter_config=self.motion_adapter_config)
        prepare_base(self.base_model_for(script), num_inference_steps=config.num_inference_steps)  # no pickle: one line now
        if self.vae_decoder == "tiny":  # its sha256 goes into every draft key: known before scene 0
            draft.locate_tiny_vae(self.tiny_vae)
        check_continuity(self, script, config)

    # -- loading --------------------------------------------------------------------
    def _memory_preset(self) -> str:
        if self.memory != "auto":
            return self.memory
        if self.device.startswith("cuda"):
            torch = require("torch", "gen")
            return memory_preset_for(torch.cuda.get_device_properties(torch.device(self.device)).total_memory)
        return "none"

    def _read_motion_state(self, path: Path) -> dict:
        """The checkpoint's tensors, checked against MotionAdapter(**motion_adapter_config)'s names and shapes."""
        require("diffusers", "gen")
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            state = load_file(str(path), device="cpu")
        except (SafetensorError, OSError) as e:
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
            raise InvalidInput(f"{path.name} is not a readable safetensors file ({reason}); download it again") from None
        try:
            expected, _ = motion_adapter_layout(self.motion_adapter_config)
        except (TypeError, ValueError) as e:  # values that fit the types but not each other
            raise InvalidInput(f"motion_adapter_config {self.motion_adapter_config} does not build a MotionAdapter "
                               f"({str(e).splitlines()[0][:160]})") from None
        missing, unexpected = expected.keys() - state.keys(), state.keys() - expected.keys()
        if missing or unexpected:
            example = sorted(unexpected or missing)[0]
            raise InvalidInput(
                f"{path.name} is not a diffusers-format AnimateDiff motion module ({len(missing)} weights missing, "
                f"{len(unexpected)} unexpected, e.g. {example!r}); use animatediff_lightning_Nstep_diffusers.safetensors, "
                "not the _comfyui file"
            )
        wrong = [k for k in expected if expected[k] != tuple(state[k].shape)]
        if wrong:
            raise InvalidInput(
                f"{path.name} has weights of other shapes than MotionAdapter(**{self.motion_adapter_config}) "
                f"(e.g. {wrong[0]}: {tuple(state[wrong[0]].shape)}); pass the matching motion_adapter_config"
            )
        return state

    def _adapter_from_state(self, state: dict):
        diffusers = require("diffusers", "gen")
        from accelerate import init_empty_weights

        with init_empty_weights(include_buffers=True):
            adapter = diffusers.MotionAdapter(**self.motion_adapter_config)
        adapter.load_state_dict(state, assign=True)  # the file's tensors become the weights: no second copy
        return adapter

    def _swap_motion_weights(self, path: Path) -> None:
        """Another step count: copy its motion weights into the UNet's motion modules, keep everything else."""
        unet = self.pipe.unet
        state = self._read_motion_state(path)
        own = real_names(unet, params=True)  # through FreeNoise's and peft's wrappers
        missing = [k for k in state if k not in own]
        if missing:
            raise InvalidInput(f"{path.name} does not fit the loaded motion module (no {missing[0]!r})")
        mapped = {own[k]: v for k, v in state.items()}
        unet.load_state_dict(mapped, strict=False)  # copies in place, casting to the UNet's dtype/device

    def _load_pipeline(self, path: Path, base: str):
        """Builds the card's pipeline: base SD1.5 + Lightning motion module + Euler trailing/linear."""
        diffusers = require("diffusers", "gen")
        files = fetch_base(base, num_inference_steps=self.num_inference_steps)
        adapter = self._adapter_from_state(self._read_motion_state(path))
        try:
            pipe = load_base(files, adapter, self.dtype)
        except StorykitError:
            raise
        except Exception as e:  # missing or broken files: keep the real reason, in one line
            first = (str(e).strip().splitlines() or [""])[0][:200]
            raise InvalidInput(f"could not load base model {base!r} ({type(e).__name__}: {first})") from None
        # from_unet2d copied the adapter's weights into the UNet; point the adapter at those same
        # modules so pipe.motion_adapter (FreeNoise reads its config) holds no second copy that
        # pipe.to("cuda") would move (1.7 GiB in fp32 at real size).
        unet = pipe.unet
        for own, theirs in zip(adapter.down_blocks, unet.down_blocks):
            own.motion_modules = theirs.motion_modules
        for own, theirs in zip(adapter.up_blocks, unet.up_blocks):
            own.motion_modules = theirs.motion_modules
        if adapter.mid_block is not None and hasattr(unet.mid_block, "motion_modules"):
            adapter.mid_block.motion_modules = unet.mid_block.motion_modules
        # The card's scheduler: Euler, trailing timesteps, linear betas. Leaving out
        # beta_schedule="linear" is a known cause of washed-out results (diffusers #5881).
        pipe.scheduler = diffusers.EulerDiscreteScheduler.from_config(
            pipe.scheduler.config, timestep_spacing="trailing", beta_schedule="linear"
        )
        if self.vae_decoder == "tiny":  # TAESD decodes the same latents (draft.py); before offload hooks are set
            pipe.vae = draft.load_tiny_vae(self.tiny_vae, self.dtype)
        # 16-frame windows (FreeNoise + split inference, windows.py): they swap modules in place, which
        # fails once peft has wrapped layers, so they are set up here, before any LoRA.
        enable_windows(pipe)
        preset = self._memory_preset()
        if preset in ("slicing", "t4"):
            pipe.vae.enable_slicing()  # decode frame by frame instead of 16 at once
        if preset == "t4" and self.device.startswith("cuda"):
            require("accelerate", "gen")
            pipe.enable_model_cpu_offload(device=self.device)  # one model on the GPU at a time
        else:
            pipe.to(self.device)
        pipe.set_progress_bar_config(disable=not self.progress, leave=False, desc="denoising")
        return pipe

    def load(self, num_inference_steps: int | None = None, base_model: str | None = None):
        """Loads (or re-uses) the pipeline with the checkpoint for `num_inference_steps`; returns it.

        Another step count swaps only the motion weights; another base model rebuilds the pipeline.
        """
        steps = num_inference_steps or self.num_inference_steps
        base = resolve_base_model(base_model) if base_model else self.base_model
        path = locate_checkpoint(self.checkpoint, steps, base_model=base)
        if self.pipe is not None and base == self._loaded_base:
            if path != self._loaded_checkpoint:
                self._swap_motion_weights(path)
                self._loaded_checkpoint = path
            return self.pipe
        self.pipe = self.loras = None  # free the old pipeline before building the next
        self.pipe = self._load_pipeline(path, base)
        self.loras = MotionLoras(self.motion_loras, adapter_config=self.motion_adapter_config)
        self._loaded_checkpoint, self._loaded_base, self.base_model = path, base, base
        return self.pipe

    # -- generation -----------------------------------------------------------------
    def _call_kwargs(self, pipe, *, num_frames: int, camera: str, camera_weight: float) -> dict:
        """Per-call pipeline state: camera LoRA and FreeNoise windows. Returns metadata about them."""
        # 1. Camera: one motion LoRA per move, switched with set_adapters; static disables them.
        lora = self.loras.apply(pipe, camera, float(camera_weight))
        # 2. Windows: 16 frames past 16 (FreeNoise, set up in _load_pipeline); one window of the
        #    scene's own length up to 16, which is plain full attention over its frames.
        from diffusers.models.attention import FreeNoiseTransformerBlock

        free_noise = num_frames > CONTEXT_FRAMES
        window = min(num_frames, CONTEXT_FRAMES)
        if pipe._free_noise_context_length != window:
            for block in pipe.unet.modules():
                if isinstance(block, FreeNoiseTransformerBlock):
                    block.set_free_noise_properties(window, CONTEXT_STRIDE, pipe._free_noise_weighting_scheme)
            pipe._free_noise_context_length = window
        return {
            "camera": camera,
            "motion_lora": lora,
            "camera_weight": float(camera_weight) if lora else None,
            "free_noise": free_noise,
            "context_frames": CONTEXT_FRAMES if free_noise else None,
        }

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
        camera: str = "static",
        camera_weight: float = DEFAULT_LORA_WEIGHT,
        base_model: str | None = None,
        ip_adapter_image=None,
        ip_adapter_scale: float = 0.5,
        handoff_image=None,
        handoff_strength: float = 0.75,
    ) -> tuple[np.ndarray, dict]:
        """Renders one clip: ((num_frames, height, width, 3) uint8 frames, metadata).

        `ip_adapter_image`: the character reference (storykit.generate.reference) at
        `ip_adapter_scale`; `handoff_image`: a frame to start from (video-to-video at
        `handoff_strength`, storykit.generate.continuity).
        """
        from ..device import dtype_name, make_generator

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
        lora_for_camera(camera, self.motion_loras)  # an unknown camera fails before loading
        if isinstance(camera_weight, bool) or not isinstance(camera_weight, (int, float)) or not 0 <= camera_weight <= 2:
            raise InvalidInput(f"camera_weight must be a number from 0 to 2 (the card uses 0.7-0.8), got {camera_weight!r}")

        # 2. Load (once) and pick the checkpoint for this step count
        t0 = time.perf_counter()
        pipe = self.load(steps, base_model)
        torch = require("torch", "gen")

        # 3. Camera LoRA and 16-frame windows
        state = self._call_kwargs(pipe, num_frames=num_frames, camera=camera, camera_weight=camera_weight)
        load_s = time.perf_counter() - t0

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
            call, kwargs, continuity = conditioning(
                self, pipe, dict(
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
                ),
                ip_adapter_image=ip_adapter_image, ip_adapter_scale=ip_adapter_scale,
                handoff_image=handoff_image, handoff_strength=handoff_strength,
            )
            # The video-to-video pipeline (handoff) casts a force_upcast VAE with `.to(float32)` on every
            # call, which logs diffusers' empty "should be kept in float32: []" warning each time.
            with _quiet_cast_warning() if call is not pipe else contextlib.nullcontext():
                out = call(**kwargs)
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
            "base_model": self._loaded_base,
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
            **state,
            "device": self.device,
            "dtype": dtype_name(self.dtype),
            "memory": self._memory_preset(),
            **self._draft_fields(),
            "timings": {k: round(v, 4) for k, v in timings.items()},
            **continuity,  # "reference" / "handoff" entries, only when used
        }
        return frames, meta

    def render_scene(self, scene: Scene, script: Script | None = None, config: RenderConfig | None = None, *,
                     handoff_from: Clip | None = None) -> Clip:
        """Renders `scene` at `config`'s size and steps (default RenderConfig with this backend's steps).

        `handoff_from`: the previous scene's clip; this scene then starts from its last frame.
        """
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
            camera=scene.camera,
            camera_weight=scene.camera_weight,
            base_model=self.base_model_for(script),
            ip_adapter_image=config.reference,
            ip_adapter_scale=config.ip_adapter_scale,
            handoff_image=handoff_frame(handoff_from) if handoff_from is not None else None,
            handoff_strength=config.handoff_strength,
        )
        return Clip(frames, fps=scene.fps, scene_index=scene.index, metadata=meta)
