"""Reading image files safely, and the character reference image (low: `RenderConfig` checks with it).

Every image storykit takes from a user — a `--reference` path, a Studio upload —
goes through `read_image`: the size is read from the header first, so a
20000x20000 "decompression bomb" or a 100-megapixel scan is refused in one line
before any pixel is decoded, and whatever a damaged file makes Pillow raise
becomes one line too.

>>> from storykit.generate.reference_image import load_reference, read_image   # doctest: +SKIP
>>> image = read_image("fox.png", name="reference image")                      # doctest: +SKIP
>>> ref = load_reference("fox.png")     # RGB, 64-4096 px a side, hashed by its pixels  # doctest: +SKIP

Making a reference (a portrait rendered with the backend's model) needs the
renderer and lives above it, in `storykit.generate.reference`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import warnings
from pathlib import Path

import numpy as np

from ..errors import InvalidInput, require
from ..paths import sha256_of_file

__all__ = [
    "CharacterReference",
    "DEFAULT_IP_ADAPTER_SCALE",
    "MIN_REFERENCE_SIDE",
    "MAX_REFERENCE_SIDE",
    "read_image",
    "load_reference",
    "check_ip_adapter_scale",
    "pixels_sha256",
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
        # A short hidden temporary name: "<name>.tmp" would not fit where <name> nearly fills 255 bytes.
        tmp = path.with_name(f".reference.{os.getpid()}.{secrets.token_hex(4)}.png.tmp")
        try:
            self.image.save(tmp, format="PNG")
            os.replace(tmp, path)
        except OSError as e:  # read-only, full, a name too long: one line; the first error is the one shown
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise InvalidInput(f"cannot write the reference image {str(path)!r} ({e.strerror or type(e).__name__})") from None
        self.path = path
        return path

    def to_manifest(self) -> dict:
        """What a manifest records: the file (by name and sha256) and the pixels' sha256."""
        entry = {"source": self.source, "width": self.image.width, "height": self.image.height, "pixels_sha256": self.sha256}
        if self.path is not None and self.path.is_file():
            entry.update(file=self.path.name, path=str(self.path.resolve()), sha256=sha256_of_file(self.path))
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


def _check_side(image, label: str) -> None:
    w, h = image.size
    if max(w, h) > MAX_REFERENCE_SIDE:
        raise InvalidInput(f"{label} is {w}x{h}; use an image under {MAX_REFERENCE_SIDE} px a side")


def read_image(source, *, name: str = "image", check=None):
    """A decoded PIL image from a file path or the bytes of a file, or InvalidInput in one line.

    The size is checked from the header before decoding (`check(image, label)`, which
    raises InvalidInput; default: at most MAX_REFERENCE_SIDE px a side), so a
    decompression bomb costs nothing; any error Pillow raises on a damaged or hostile
    file (OSError, SyntaxError, DecompressionBombError, ...) becomes one line.
    `name` says what the image is ("reference image", "uploaded file 'x.png'").
    """
    Image = require("PIL.Image", "gen", "pillow")
    if isinstance(source, (bytes, bytearray, memoryview)):
        label, opener = name, lambda: Image.open(io.BytesIO(bytes(source)))
    elif isinstance(source, (str, os.PathLike)) and str(source):
        path = Path(source).expanduser()
        label = f"{name} {str(path)!r}"
        try:
            found = path.is_file()
        except OSError as e:  # a name too long for the file system, a loop of links
            raise InvalidInput(f"cannot open {label} ({e.strerror or type(e).__name__})") from None
        if not found:
            raise InvalidInput(f"no {name} at {str(path)!r}")
        opener = lambda: Image.open(path)  # noqa: E731
    else:
        raise InvalidInput(f"{name} must be an image file path or its bytes, got {type(source).__name__}")
    try:
        with warnings.catch_warnings():
            # 89-179 megapixels only warn; the side check below refuses them anyway.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with opener() as im:
                (check or _check_side)(im, label)  # im.size comes from the header: nothing decoded yet
                im.load()
                return im.copy()  # the first frame, independent of the file
    except InvalidInput:
        raise
    except Image.DecompressionBombError as e:
        raise InvalidInput(f"{label} is too large to decode safely ({e}); use an image under {MAX_REFERENCE_SIDE} px a side") from None
    except Exception as e:  # what a damaged or hostile file makes a decoder raise: never a traceback
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
        raise InvalidInput(f"cannot read {label} as an image ({reason}); use a PNG or JPEG") from None


def load_reference(reference, *, name: str = "reference image") -> CharacterReference:
    """A CharacterReference from a file path, a PIL image, a manifest entry, or one already made.

    RGBA/LA/P/L/CMYK images become RGB (transparency on white); 16-bit and float
    images, images under 64 or over 4096 px a side, and unreadable files are
    refused with one line (`read_image`).
    """
    if isinstance(reference, CharacterReference):
        return reference
    Image = require("PIL.Image", "gen", "pillow")
    if isinstance(reference, dict):  # a manifest's entry: the saved PNG, checked against its hash
        path = reference.get("path") or reference.get("file")
        if not path:
            raise InvalidInput("the manifest's reference entry names no file")
        ref = load_reference(path, name="reference image named in the manifest")
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
        image = read_image(path, name=name, check=_check_size)
        return CharacterReference(_to_rgb(image, f"{name} {path.name}").copy(), source="file", path=path)
    raise InvalidInput(f"{name} must be an image file path or a PIL image, got {type(reference).__name__}")


def check_ip_adapter_scale(scale) -> float:
    """The IP-Adapter scale as a float in [0, 1], or InvalidInput."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 <= scale <= MAX_IP_ADAPTER_SCALE:
        raise InvalidInput(
            f"ip_adapter_scale must be a number from 0 to {MAX_IP_ADAPTER_SCALE:g} (1 = the image alone, "
            f"{DEFAULT_IP_ADAPTER_SCALE} = balanced with the text), got {scale!r}"
        )
    return float(scale)


