"""Backends turn a Scene into a Clip; `get_backend` picks one.

Two backends share one interface:

* ``"lightning"`` — AnimateDiff-Lightning through diffusers (storykit.lightning);
* ``"animatic"`` — the offline, weight-free moving storyboard (storykit.animatic).

``get_backend("auto")`` takes Lightning only when its weights are already on
this machine (a local path, or the Hugging Face cache): it never starts a silent
multi-GB download. It prints one line saying which backend it chose and why.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, runtime_checkable

from .clips import Clip
from .errors import InvalidInput
from .script import Scene, Script

__all__ = ["RenderConfig", "Backend", "BACKENDS", "get_backend"]

BACKENDS = ("auto", "lightning", "animatic")
# Options only Lightning takes; "auto" may still fall back to the animatic, which ignores them.
_LIGHTNING_ONLY = ("base_model", "checkpoint", "num_inference_steps", "device", "dtype", "memory",
                   "motion_adapter_config", "progress", "verbose")


@dataclasses.dataclass
class RenderConfig:
    """Per-render settings shared by all scenes (diffusers' argument names).

    `num_inference_steps` and `guidance_scale` matter to Lightning only; the
    animatic ignores them (and leaves them out of its cache key).
    """

    height: int = 512
    width: int = 512
    num_inference_steps: int = 4
    guidance_scale: float = 1.0  # Lightning is distilled for CFG 1 (see storykit.lightning)

    def __post_init__(self):
        for name in ("height", "width"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise InvalidInput(f"{name} must be an integer number of pixels, got {v!r}")
            if not 64 <= v <= 2048:
                raise InvalidInput(f"{name} must be between 64 and 2048 pixels, got {v}")
            if v % 8:
                raise InvalidInput(f"height and width must be divisible by 8 (the VAE downsamples by 8), got {name}={v}")
        if isinstance(self.num_inference_steps, bool) or not isinstance(self.num_inference_steps, int):
            raise InvalidInput(f"num_inference_steps must be an integer, got {self.num_inference_steps!r}")
        if not 1 <= self.num_inference_steps <= 200:
            raise InvalidInput(f"num_inference_steps must be between 1 and 200, got {self.num_inference_steps}")
        if not isinstance(self.guidance_scale, (int, float)) or not 0 <= self.guidance_scale <= 30:
            raise InvalidInput(f"guidance_scale must be a number between 0 and 30, got {self.guidance_scale!r}")


@runtime_checkable
class Backend(Protocol):
    """What every backend provides."""

    name: str

    def describe(self) -> dict:
        """Identity for manifests and cache keys: backend name, model ids, checkpoint sha256, ..."""

    def cache_fields(self, scene: Scene, script: Script, config: RenderConfig) -> dict:
        """Everything that changes this scene's pixels (the cache key is a hash of it)."""

    def render_scene(self, scene: Scene, script: Script, config: RenderConfig) -> Clip:
        """Renders one scene: `(scene.num_frames, config.height, config.width, 3)` uint8 at `scene.fps`."""


def get_backend(name: str | Backend = "auto", *, verbose: bool = True, **kwargs) -> Backend:
    """Returns a backend by name; ``"auto"`` prefers Lightning when its weights are local.

    Keyword arguments go to the backend's constructor (e.g. `base_model`, `checkpoint`).
    A Backend instance is returned unchanged.
    """
    if not isinstance(name, str):
        if isinstance(name, Backend):
            return name
        raise InvalidInput(f"backend must be one of {BACKENDS} or a Backend, got {type(name).__name__}")
    if name not in BACKENDS:
        raise InvalidInput(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    if name == "auto":
        from . import lightning

        found, why = lightning.local_weights_status(**{k: v for k, v in kwargs.items() if k in ("base_model", "checkpoint", "num_inference_steps")})
        name = "lightning" if found else "animatic"
        if verbose:
            print(f"storykit: backend {name!r} ({why})")
    if name == "lightning":
        from .lightning import LightningBackend

        return LightningBackend(**kwargs)
    from .animatic import AnimaticBackend

    return AnimaticBackend(**{k: v for k, v in kwargs.items() if k not in _LIGHTNING_ONLY})
