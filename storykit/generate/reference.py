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

import hashlib
import os
from pathlib import Path

import numpy as np

from ..errors import InvalidInput, require

__all__ = [
    "CharacterReference",
    "DEFAULT_IP_ADAPTER_SCALE",
    "MIN_REFERENCE_SIDE",
    "MAX_REFERENCE_SIDE",
    "load_reference",
    "check_ip_adapter_scale",
    "portrait_prompt",
    "make_reference",
]

# diffusers' IP-Adapter guide: scale 1.0 follows the image prompt only; "typically, a value of 0.5
# achieves a good balance between the two prompt types". Story scenes need both: the text carries
# the action and the setting of each beat, the image the character's identity.
DEFAULT_IP_ADAPTER_SCALE = 0.5
MAX_IP_ADAPTER_SCALE = 1.0
# The image encoder sees 224x224 (CLIP ViT-H/14): much smaller says nothing about the character;
# much larger is a slip (a scan, a 100-megapixel photo) that costs memory to decode for nothing.
MIN_REFERENCE_SIDE = 64
MAX_REFERENCE_SIDE = 4096
# Modes Pillow converts to RGB without losing meaning; 16-bit/float images would be truncated.
_CONVERTIBLE = ("RGB", "RGBA", "LA", "L", "P", "PA", "CMYK", "YCbCr", "1", "RGBX", "La")


def pixels_sha256(image) -> str:
    """sha256 of an RGB PIL image's size and pixels (independent of how it was stored)."""
    h = hashlib.sha256(f"{image.width}x{image.height}|RGB|".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class CharacterReference:
    """An RGB reference image of the story's character, and where it came from.

    `source`: "file" (a user's image), "image" (a PIL image passed in) or "portrait"
    (rendered by `make_reference`); `path` is the PNG it was saved to, if any.
    """

    def __init__(self, image, *, source: str = "image", path=None, prompt: str | None = None):
        self.image = image
        self.source = source
        self.path = Path(path) if path is not None else None
        self.prompt = prompt
        self.sha256 = pixels_sha256(image)

    def __repr__(self) -> str:
        where = f", {str(self.path)!r}" if self.path else ""
        return f"CharacterReference({self.image.width}x{self.image.height}, {self.source}{where}, sha256={self.sha256[:12]}…)"

    def __eq__(self, other) -> bool:
        return isinstance(other, CharacterReference) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __deepcopy__(self, memo):  # dataclasses.asdict(RenderConfig) copies fields: share the image
        return self

    @property
    def frame(self) -> np.ndarray:
        """The image as a (height, width, 3) uint8 array."""
        return np.asarray(self.image)

    def save(self, path: str | os.PathLike) -> Path:
        """Writes the image as PNG (atomically) and remembers the path; returns it."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            raise InvalidInput(f"save the reference as a .png file, got {str(path)!r}")
        if not path.parent.is_dir():
            raise InvalidInput(f"folder {str(path.parent)!r} does not exist; create it first")
        tmp = path.with_name(path.name + ".tmp")
        self.image.save(tmp, format="PNG")
        os.replace(tmp, path)
        self.path = path
        return path

    def to_manifest(self) -> dict:
        """What a manifest records: the file (by name and sha256) and the pixels' sha256."""
        entry = {"source": self.source, "width": self.image.width, "height": self.image.height, "pixels_sha256": self.sha256}
        if self.path is not None and self.path.is_file():
            entry.update(file=self.path.name, path=str(self.path.resolve()), sha256=_file_sha256(self.path))
        if self.prompt:
            entry["prompt"] = self.prompt
        return entry

    def _repr_html_(self) -> str:
        import base64
        import html
        import io

        buf = io.BytesIO()
        self.image.save(buf, format="PNG")
        data = base64.b64encode(buf.getvalue()).decode()
        side = max(128, min(256, self.image.width))
        return (f'<figure style="display:inline-block"><img src="data:image/png;base64,{data}" width="{side}" '
                f'style="image-rendering:pixelated"><figcaption>{html.escape(repr(self))}</figcaption></figure>')


def _to_rgb(image, name: str):
    mode = image.mode
    if mode not in _CONVERTIBLE:
        raise InvalidInput(f"{name} has image mode {mode!r} (16-bit or float); save it as an 8-bit RGB PNG or JPEG")
    if mode in ("RGBA", "LA", "PA", "La") or (mode == "P" and "transparency" in image.info):
        # Transparent pixels would turn black; on white the character stands out as on a portrait.
        from PIL import Image

        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB") if mode != "RGB" else image


def _check_size(image, name: str) -> None:
    w, h = image.size
    if min(w, h) < MIN_REFERENCE_SIDE:
        raise InvalidInput(f"{name} is {w}x{h}; a reference needs at least {MIN_REFERENCE_SIDE} px a side (the encoder sees 224x224)")
    if max(w, h) > MAX_REFERENCE_SIDE:
        raise InvalidInput(f"{name} is {w}x{h}; keep a reference under {MAX_REFERENCE_SIDE} px a side (it is resized to 224x224 anyway)")


def load_reference(reference, *, name: str = "reference") -> CharacterReference:
    """A CharacterReference from a file path, a PIL image, a manifest entry, or one already made.

    RGBA/LA/P/L/CMYK images become RGB (transparency on white); 16-bit and float
    images, images under 64 or over 4096 px a side, and unreadable files are
    refused with one line.
    """
    if isinstance(reference, CharacterReference):
        return reference
    Image = require("PIL.Image", "gen", "pillow")
    if isinstance(reference, dict):  # a manifest's entry: the saved PNG, checked against its hash
        path = reference.get("path") or reference.get("file")
        if not path:
            raise InvalidInput("the manifest's reference entry names no file")
        ref = load_reference(path, name="the manifest's reference image")
        expected = reference.get("pixels_sha256")
        if expected and ref.sha256 != expected:
            raise InvalidInput(f"reference image {str(path)!r} has changed since the manifest was written (pixels sha256 differs)")
        ref.source = reference.get("source", ref.source)
        ref.prompt = reference.get("prompt")
        return ref
    if isinstance(reference, Image.Image):
        _check_size(reference, name)
        return CharacterReference(_to_rgb(reference, name).copy(), source="image")
    if isinstance(reference, (str, os.PathLike)):
        path = Path(reference).expanduser()
        if not path.is_file():
            raise InvalidInput(f"no {name} image at {str(path)!r}")
        try:
            with Image.open(path) as im:
                _check_size(im, f"{name} {path.name}")  # from the header: no decoding of a giant image
                im.load()
                rgb = _to_rgb(im, f"{name} {path.name}")
        except InvalidInput:
            raise
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
            raise InvalidInput(f"cannot read {name} {str(path)!r} as an image ({reason}); use a PNG or JPEG") from None
        return CharacterReference(rgb.copy(), source="file", path=path)
    raise InvalidInput(f"{name} must be an image file path or a PIL image, got {type(reference).__name__}")


def check_ip_adapter_scale(scale) -> float:
    """The IP-Adapter scale as a float in [0, 1], or InvalidInput."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 <= scale <= MAX_IP_ADAPTER_SCALE:
        raise InvalidInput(
            f"ip_adapter_scale must be a number from 0 to {MAX_IP_ADAPTER_SCALE:g} (1 = the image alone, "
            f"{DEFAULT_IP_ADAPTER_SCALE} = balanced with the text), got {scale!r}"
        )
    return float(scale)


def portrait_prompt(script) -> str:
    """'<character>, character portrait, full body, ... <style>': what `make_reference` renders."""
    from ..plan.planner import STYLES

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
