"""Backends turn a Scene into a Clip; `get_backend` picks one.

Two backends share one interface:

* ``"lightning"`` — AnimateDiff-Lightning through diffusers (storykit.generate.lightning);
* ``"animatic"`` — the offline, weight-free moving storyboard (storykit.generate.animatic).

``get_backend("auto")`` takes Lightning only when its weights are already on
this machine (a local path, or the Hugging Face cache): it never starts a silent
multi-GB download. It prints one line saying which backend it chose and why.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

from .clips import Clip
from .config import RenderConfig
from ..errors import InvalidInput
from ..plan.script import Scene, Script

__all__ = ["Backend", "BACKENDS", "get_backend", "default_size"]

BACKENDS = ("auto", "lightning", "animatic")
# Options only Lightning takes; "auto" may still fall back to the animatic, which ignores them.
_LIGHTNING_ONLY = ("base_model", "checkpoint", "num_inference_steps", "device", "dtype", "memory", "ip_adapter",
                   "motion_adapter_config", "motion_loras", "progress", "verbose")


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


def get_backend(name: str | Backend = "auto", *, verbose: bool = True, style: str | None = None, **kwargs) -> Backend:
    """Returns a backend by name; ``"auto"`` prefers Lightning when its weights are local.

    Keyword arguments go to the backend's constructor (e.g. `base_model`, `checkpoint`).
    `style` (a script's style) tells "auto" which base model Lightning would render on
    when none is named. A Backend instance is returned unchanged.
    """
    if not isinstance(name, str):
        if isinstance(name, Backend):
            return name
        raise InvalidInput(f"backend must be one of {BACKENDS} or a Backend, got {type(name).__name__}")
    if name not in BACKENDS:
        raise InvalidInput(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    if name == "auto":
        from .lightning.weights import local_weights_status

        from .lightning.weights import BASE_MODELS, base_for_style

        status = {k: v for k, v in kwargs.items() if k in ("base_model", "checkpoint", "num_inference_steps")}
        if style is not None and not status.get("base_model"):  # the base the script's style would pick
            status["base_model"] = os.environ.get("STORYKIT_BASE_MODEL") or BASE_MODELS[base_for_style(style)]
        found, why = local_weights_status(**status)
        chosen = _build("lightning" if found else "animatic", kwargs)  # validates the options first
        if verbose:  # one short line, after validation; `storykit info` has the long story
            print(f"storykit: backend {chosen.name!r} ({_short(found, why)})")
        return chosen
    return _build(name, kwargs)


def _build(name: str, kwargs: dict) -> Backend:
    if name == "lightning":
        from .lightning.backend import LightningBackend

        return LightningBackend(**kwargs)
    from .animatic.backend import AnimaticBackend

    return AnimaticBackend(**{k: v for k, v in kwargs.items() if k not in _LIGHTNING_ONLY})


def _short(found: bool, why: str) -> str:
    if found:
        return why.split(" + ")[0]  # "Lightning weights found: <checkpoint file>"
    if "not installed" in why:
        return why
    return "no AnimateDiff-Lightning weights on this machine; `storykit info` says how to get them"


def default_size(backend) -> int:
    """512 px (what SD1.5 and Lightning are made for), 256 px for Lightning on a CPU.

    On this kind of CPU one 512²×16-frame UNet pass takes ~150 s and a 512² VAE
    decode ~18 s a frame, so a 512 px clip costs 8-15 min; 256 px is ~4× cheaper.
    """
    if getattr(backend, "name", "") == "lightning" and getattr(backend, "device", "cpu") == "cpu":
        return 256
    return 512
