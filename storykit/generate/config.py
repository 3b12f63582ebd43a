"""`RenderConfig`: the settings every scene of one render shares (diffusers' argument names)."""

from __future__ import annotations

import dataclasses

from ..errors import InvalidInput

__all__ = ["RenderConfig"]


@dataclasses.dataclass
class RenderConfig:
    """Per-render settings shared by all scenes (diffusers' argument names).

    `num_inference_steps` and `guidance_scale` matter to Lightning only; the
    animatic ignores them (and leaves them out of its cache key). `fps` is the frame
    rate the story will play at: a backend that can draw at any rate (the animatic)
    draws each scene at it, with proportionally more frames for the same duration, so
    stitching never has to blend in-betweens; Lightning draws at `scene.fps` (None: each
    scene's own rate).

    Continuity (storykit.generate.reference, storykit.generate.render):
    `reference` is the character image every scene follows through IP-Adapter (a
    path, a PIL image or a CharacterReference; None = none, as before) at
    `ip_adapter_scale`; `handoff=True` starts each scene from the previous
    scene's last frame (storykit.generate.continuity, at `handoff_strength`).
    """

    height: int = 512
    width: int = 512
    num_inference_steps: int = 4
    guidance_scale: float = 1.0  # Lightning is distilled for CFG 1 (see storykit.generate.lightning)
    fps: int | None = None
    reference: object = None  # CharacterReference after __post_init__
    ip_adapter_scale: float = 0.5  # DEFAULT_IP_ADAPTER_SCALE: see storykit.generate.reference_image
    handoff: bool = False
    handoff_strength: float = 0.75  # DEFAULT_HANDOFF_STRENGTH: see storykit.generate.continuity

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
        if self.fps is not None and (isinstance(self.fps, bool) or not isinstance(self.fps, int) or not 1 <= self.fps <= 120):
            raise InvalidInput(f"fps must be None or an integer from 1 to 120, got {self.fps!r}")

        from .reference_image import check_ip_adapter_scale, load_reference
        from .continuity import check_handoff_strength

        self.ip_adapter_scale = check_ip_adapter_scale(self.ip_adapter_scale)
        if self.reference is not None:
            self.reference = load_reference(self.reference)
        if not isinstance(self.handoff, bool):
            raise InvalidInput(f"handoff must be True or False, got {self.handoff!r}")
        self.handoff_strength = check_handoff_strength(self.handoff_strength)
