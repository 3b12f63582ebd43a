"""The character reference: one image every scene follows, so the character looks the same throughout.

AnimateDiff renders each scene from its prompt and seed alone, so "a small red
fox in a blue scarf" comes out as a different fox in every clip. IP-Adapter
(Ye et al. 2023, arXiv 2308.06721) adds a second, image prompt: a CLIP image
encoder turns the reference into 4 tokens that the UNet's cross-attention reads
next to the text tokens ("decoupled cross-attention"). storykit uses it through
diffusers with the SD1.5 adapter (`storykit.generate.lightning.reference`).

>>> from storykit.generate.reference import load_reference             # doctest: +SKIP
>>> ref = load_reference("fox.png")          # a path, a PIL image or a CharacterReference  # doctest: +SKIP
>>> config = RenderConfig(reference=ref, ip_adapter_scale=0.5)          # doctest: +SKIP
>>> clips = render_story(script, "lightning", config)                  # doctest: +SKIP

No reference? `make_reference(script, backend)` renders a portrait of the
script's character in its style with the backend's own, already-loaded model.

The reference enters the cache key by the sha256 of its RGB pixels (the same
picture as a PNG file or a PIL image gives the same key); the manifest records
that and the sha256 of the PNG written next to the story.
"""

from __future__ import annotations

from ..errors import InvalidInput, require
# Loading and checking the image is low (RenderConfig uses it); making a portrait needs the renderer.
from .reference_image import (
    DEFAULT_IP_ADAPTER_SCALE,
    MAX_REFERENCE_SIDE,
    MIN_REFERENCE_SIDE,
    CharacterReference,
    check_ip_adapter_scale,
    load_reference,
    read_image,
)

__all__ = [
    "CharacterReference",
    "DEFAULT_IP_ADAPTER_SCALE",
    "MIN_REFERENCE_SIDE",
    "MAX_REFERENCE_SIDE",
    "load_reference",
    "read_image",
    "check_ip_adapter_scale",
    "portrait_prompt",
    "make_reference",
]


def portrait_prompt(script) -> str:
    """'<character>, character portrait, full body, ... <style>': what `make_reference` renders."""
    from ..plan.styles import STYLES

    look = STYLES.get(script.style)
    parts = [script.triple.character, "character portrait, full body, centered, facing the viewer, plain background"]
    if look is not None:
        parts.append(look.suffix)
    return ", ".join(parts)


def make_reference(script, backend="lightning", config=None, *, seed: int | None = None, cache_dir=None) -> CharacterReference:
    """Renders one portrait of the script's character in its style, with the backend's loaded model.

    The portrait is a short clip of `portrait_prompt(script)` rendered (and cached)
    like a scene, without any reference; its middle frame becomes the reference.
    AnimateDiff's UNet carries its motion modules, so a clip is the honest way to
    get a still from the same weights (no second copy of the base model is loaded).
    """
    import dataclasses

    from ..plan.script import Scene
    from .backend import get_backend
    from .config import RenderConfig
    from .render import render_scene

    backend = get_backend(backend)
    if not getattr(backend, "supports_reference", False):
        raise InvalidInput(f"the {backend.name} backend cannot draw a reference portrait; use --backend lightning or give an image")
    config = config or RenderConfig()
    plain = dataclasses.replace(config, reference=None, handoff=False)
    seed = script.seed if seed is None else seed
    scene = Scene(0, "portrait", portrait_prompt(script), text="reference portrait", num_frames=16, seed=seed,
                  negative_prompt=script.scenes[0].negative_prompt if script.scenes else "")
    clip = render_scene(scene, script, backend, plain, cache_dir=cache_dir)
    Image = require("PIL.Image", "gen", "pillow")
    frame = clip.frames[clip.num_frames // 2]
    return CharacterReference(Image.fromarray(frame), source="portrait", prompt=scene.prompt)
