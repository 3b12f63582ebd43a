"""AnimateDiff-Lightning through diffusers: 4 denoising steps instead of 25-50.

AnimateDiff-Lightning (Lin & Yang 2024, arXiv 2403.12706; hub repo
``ByteDance/AnimateDiff-Lightning``) distils AnimateDiff's SD1.5 v2 motion
module for 1, 2, 4 or 8 steps.

>>> from storykit.generate.lightning import LightningBackend           # doctest: +SKIP
>>> backend = LightningBackend(base_model="cartoon")                    # doctest: +SKIP

`weights` finds the checkpoint and the base model (local first, the hub only
when asked) and says what to download when they are missing; `motion_lora`
turns each scene's camera move into AnimateDiff's motion LoRA; `backend` builds
the pipeline the model card describes and renders scenes with it.
"""

from __future__ import annotations

from .backend import LightningBackend
from .motion_lora import CAMERA_LORAS, DEFAULT_LORA_WEIGHT
from .weights import (
    BASE_MODELS,
    CHECKPOINT_FOR_STEPS,
    DEFAULT_BASE_MODEL,
    MEMORY_PRESETS,
    REPO_ID,
    checkpoint_filename,
    estimate_cpu_seconds,
    local_weights_status,
    locate_checkpoint,
    resolve_base_model,
)

__all__ = [
    "LightningBackend", "CAMERA_LORAS", "DEFAULT_LORA_WEIGHT", "REPO_ID", "BASE_MODELS", "DEFAULT_BASE_MODEL", "CHECKPOINT_FOR_STEPS", "MEMORY_PRESETS",
    "checkpoint_filename", "locate_checkpoint", "resolve_base_model", "local_weights_status", "estimate_cpu_seconds",
]
