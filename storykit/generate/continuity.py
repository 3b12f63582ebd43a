"""Handoff: each scene begins where the previous one ended, so a cut reads as one story.

With `RenderConfig(handoff=True)` scene N+1 is rendered *from* scene N's last
frame instead of from pure noise. On AnimateDiff-Lightning that is diffusers'
`AnimateDiffVideoToVideoPipeline` (built with `from_pipe`, sharing every loaded
model): the last frame, held for the clip's length, is encoded by the VAE,
noised to `handoff_strength` and denoised under the new scene's prompt. So the
new scene keeps the old one's layout, colours and the character's place, and
moves on from there (SDEdit, Meng et al. 2022, arXiv 2108.01073).

Why strength 0.75 and not `enforce_inference_steps`: the video-to-video pipeline
runs `int(steps * strength)` steps taken from the *same* trailing schedule, so
with the 4-step checkpoint it denoises 3 steps at t = 749, 499, 249: exactly
three of the four timesteps Lightning was distilled on (arXiv 2403.12706).
`enforce_inference_steps=True` would instead run 4 steps of an int(4/0.75) = 5-step
schedule (t = 799, 599, ...), timesteps the distilled model never saw.

Cost and consequence: scenes now depend on their predecessor. The render loop
puts the predecessor's cache key into each scene's key, so editing scene 2
re-renders scene 2 and every later scene, nothing before it; and scenes render
in order (scene 3 alone still needs scene 2's frames, from the cache or fresh).

>>> from storykit.generate.continuity import handoff_fields
>>> handoff_fields("ab" * 32, 0.75)["strength"]
0.75
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInput

__all__ = ["DEFAULT_HANDOFF_STRENGTH", "check_handoff_strength", "handoff_fields", "handoff_frame"]

DEFAULT_HANDOFF_STRENGTH = 0.75


def check_handoff_strength(strength) -> float:
    """The handoff strength as a float in (0, 1], or InvalidInput."""
    if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0 < strength <= 1:
        raise InvalidInput(
            f"handoff_strength must be a number in (0, 1] (1 = ignore the previous frame, "
            f"{DEFAULT_HANDOFF_STRENGTH} = keep its layout), got {strength!r}"
        )
    return float(strength)


def handoff_fields(previous_key: str, strength: float) -> dict:
    """What a dependent scene adds to its cache fields: its predecessor's key and the strength."""
    return {"from": previous_key, "strength": float(strength)}


def handoff_frame(clip) -> np.ndarray:
    """The frame a scene hands over: the last frame of its clip, (H, W, 3) uint8."""
    return np.ascontiguousarray(clip.frames[-1])
