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

__all__ = [
    "DEFAULT_HANDOFF_STRENGTH", "check_handoff_strength", "handoff_fields", "handoff_frame",
    "video_to_video", "start_from_frames",
]

DEFAULT_HANDOFF_STRENGTH = 0.75
# FreeNoise settings live partly in pipeline attributes, which from_pipe does not copy.
_FREE_NOISE_ATTRS = ("_free_noise_context_length", "_free_noise_context_stride", "_free_noise_weighting_scheme",
                     "_free_noise_noise_type", "_free_noise_prompt_interpolation_callback")


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


def video_to_video(pipe):
    """`AnimateDiffVideoToVideoPipeline` over `pipe`'s own modules (no second copy of any model).

    `vae=pipe.vae` is passed on purpose: the video-to-video signature says
    `AutoencoderKL`, so a plain `from_pipe(pipe)` refuses a draft decoder
    (`AutoencoderTiny`, storykit.generate.lightning.draft). FreeNoise windows live in
    the shared UNet and in pipeline attributes that from_pipe does not copy; they are copied.
    """
    import logging

    from diffusers import AnimateDiffVideoToVideoPipeline

    log = logging.getLogger("diffusers.models.modeling_utils")  # from_pipe re-casts shared modules: a noisy no-op
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        v2v = AnimateDiffVideoToVideoPipeline.from_pipe(pipe, vae=pipe.vae)
    finally:
        log.setLevel(level)
    v2v.set_progress_bar_config(**getattr(pipe, "_progress_bar_config", {}))
    for name in _FREE_NOISE_ATTRS:
        if hasattr(pipe, name):
            setattr(v2v, name, getattr(pipe, name))
    return v2v


def start_from_frames(pipe, frames, kwargs: dict, *, strength: float = DEFAULT_HANDOFF_STRENGTH):
    """(pipeline, call kwargs) that render `kwargs`' clip starting from `frames` instead of pure noise.

    `pipe`: an AnimateDiffPipeline; `kwargs`: what it would have been called with
    (`num_frames` included). `frames`: one (H, W, 3) uint8 still, held for the whole
    clip and VAE-encoded once, or (num_frames, H, W, 3) uint8 frames, each its own
    start. The pipeline runs int(num_inference_steps * strength) steps of the same
    schedule (see the module docstring for why not `enforce_inference_steps`).
    """
    from PIL import Image

    strength = check_handoff_strength(strength)
    frames = np.asarray(frames)
    kwargs = dict(kwargs)
    num_frames = kwargs.pop("num_frames")
    still = frames.ndim == 3
    if frames.dtype != np.uint8 or frames.shape[-1:] != (3,) or frames.ndim not in (3, 4):
        raise InvalidInput(f"start frames must be (H, W, 3) or (N, H, W, 3) uint8, got {frames.shape} {frames.dtype}")
    if not still and len(frames) != num_frames:
        raise InvalidInput(f"got {len(frames)} start frames for a {num_frames}-frame clip; give one still or one frame per frame")
    v2v = video_to_video(pipe)
    if still:
        _encode_first_frame_only(v2v)
        video = [Image.fromarray(frames)] * num_frames
    else:
        video = [Image.fromarray(f) for f in frames]
    return v2v, {**kwargs, "video": video, "strength": strength, "enforce_inference_steps": False}


def _encode_first_frame_only(v2v) -> None:
    """The held still is one picture: VAE-encode it once (in fp32 when the VAE upcasts) and repeat the latent."""
    encode = v2v.encode_video

    def encode_video(video, generator, decode_chunk_size: int = 16):
        one = encode(video[:1], generator, decode_chunk_size)
        return one.repeat(len(video), *([1] * (one.ndim - 1)))

    v2v.encode_video = encode_video
