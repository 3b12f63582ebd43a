"""What a verb acts with, drawn around the character: sprites turned and squashed, things tinted,
a ladder, a slide, a mound, water; and where held things go (figures.HOLD) so they never cover the face.

>>> from PIL import Image
>>> img, anchor = turned(Image.new("RGBA", (10, 20), (255, 0, 0, 255)), (5, 19), 90.0, (1.0, 1.0))
>>> img.size, anchor
((20, 10), (10, 9))
"""

from __future__ import annotations

import colorsys
import math

import numpy as np
from PIL import Image, ImageDraw

from . import figures

__all__ = ["turned", "tint", "hold_point", "head_box", "ladder", "slide", "mound", "water", "Boxes"]


def turned(img: Image.Image, anchor: tuple[int, int], angle: float, squash: tuple[float, float]):
    """`img` squashed and turned `angle` degrees (counter-clockwise) about its middle; the new anchor is the
    middle of its lowest edge, so a turned figure (lying, leaning, tumbling) still stands on its feet line."""
    if squash != (1.0, 1.0):
        img = img.resize((max(1, round(img.width * squash[0])), max(1, round(img.height * squash[1]))), Image.BILINEAR)
        anchor = (round(anchor[0] * squash[0]), img.height - 1)
    if not angle % 360:
        return img, anchor
    out = img.rotate(angle, Image.BICUBIC, expand=True)
    box = out.getchannel("A").getbbox() or (0, 0, 1, 1)
    out = out.crop(box)
    return out, (out.width // 2, out.height - 1)


def tint(img: Image.Image, rgb) -> Image.Image:
    """An icon recoloured to `rgb`: its coloured parts take the colour's hue, its shading stays."""
    a = np.asarray(img.convert("RGBA")).astype(np.float32) / 255.0
    rgb_ = a[..., :3]
    mx, mn = rgb_.max(-1), rgb_.min(-1)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    h, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in rgb))
    coloured = (sat > 0.18) & (mx > 0.15)
    # the target's colour, shaded like the original (its value relative to full brightness)
    shade = np.clip(mx / max(0.5, float(np.percentile(mx[coloured], 90)) if coloured.any() else 1.0), 0, 1.2)
    target = np.array(colorsys.hsv_to_rgb(h, s, v), np.float32)
    new = np.clip(target[None, None, :] * shade[..., None], 0, 1)
    out = np.where(coloured[..., None], new, rgb_)
    return Image.fromarray((np.dstack([out, a[..., 3:]]) * 255).astype(np.uint8), "RGBA")


def hold_point(plan: str, mode: str, sx: float, sy: float, size: float, right: bool) -> tuple[float, float]:
    """Screen (x, y) of a held thing's centre: mode hand, mouth or up (figures.HOLD), for feet at (sx, sy)."""
    x, y = figures.HOLD[plan][mode]
    k = size / 100.0
    return sx + (x if right else -x) * k, sy - y * k


def head_box(plan: str, look, sx: float, sy: float, size: float, right: bool) -> tuple[float, float, float, float]:
    """The head's box on screen for feet at (sx, sy) (an icon subject's head is its top half)."""
    if look is None:
        return (sx - 0.4 * size, sy - 0.8 * size, sx + 0.4 * size, sy - 0.4 * size)
    hx, hy, r = figures.head(look)
    k = size / 100.0
    cx, cy = sx + (hx if right else -hx) * k, sy - hy * k
    return (cx - r * k, cy - r * k, cx + r * k, cy + r * k)


def ladder(height: int, width: int) -> Image.Image:
    """A wooden ladder to climb."""
    img = Image.new("RGBA", (max(4, width), max(8, height)), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    rail = max(2, width // 7)
    wood, dark = (176, 122, 70, 255), (110, 74, 44, 255)
    for x in (0, width - rail):
        d.rectangle((x, 0, x + rail, height), fill=wood, outline=dark)
    for y in np.arange(height * 0.06, height, max(4, height / 9)):
        d.rectangle((rail, int(y), width - rail, int(y) + max(2, rail // 2)), fill=wood)
    return img


def slide(W: int, H: int, top: tuple[float, float], bottom: tuple[float, float]) -> tuple[Image.Image, int, int]:
    """A playground slide from `top` to `bottom` (screen points): (sprite, x, y)."""
    x0, y0 = int(min(top[0], bottom[0])) - 8, int(top[1]) - 6
    x1, y1 = int(max(top[0], bottom[0])) + 8, int(bottom[1]) + 6
    img = Image.new("RGBA", (max(1, x1 - x0), max(1, y1 - y0)), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    t, b = (top[0] - x0, top[1] - y0), (bottom[0] - x0, bottom[1] - y0)
    w = max(3, int(0.018 * H))
    d.line([t, b], fill=(230, 90, 70, 255), width=w)
    d.line([(t[0], t[1] + w), (t[0], img.height - 1)], fill=(120, 120, 140, 255), width=max(2, w // 2))
    return img, x0, y0


def mound(width: int, height: int, color=(130, 92, 60)) -> Image.Image:
    """A heap of dug earth."""
    img = Image.new("RGBA", (max(2, width), max(2, height)), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((0, 0, width - 1, 2 * height), fill=(*color, 255), outline=(90, 62, 40, 255))
    return img


def water(W: int, top: int, H: int) -> Image.Image:
    """A band of water from `top` to the bottom of the frame, to swim in or dive into."""
    h = max(2, H - top)
    a = np.zeros((h, W, 4), np.uint8)
    a[..., 0], a[..., 1], a[..., 2] = 40, 130, 200
    a[..., 3] = 170
    a[: max(1, h // 20), :, :3] = (200, 232, 250)
    return Image.fromarray(a, "RGBA")


class Boxes:
    """Where each drawn thing was pasted, per frame; `box(name, frame)` is its box nearest that frame."""

    def __init__(self):
        self.seen: dict[str, dict[int, tuple[float, float, float, float]]] = {}

    def add(self, name: str, i: int, box, W: int, H: int) -> None:
        x0, y0, x1, y1 = box
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(W), x1), min(float(H), y1)
        if x1 - x0 >= 1 and y1 - y0 >= 1:  # on screen
            self.seen.setdefault(name, {})[i] = (x0, y0, x1, y1)

    def box(self, name: str, i: int) -> list[int] | None:
        frames = self.seen.get(name)
        if not frames:
            return None
        j = min(frames, key=lambda f: (abs(f - i), f))
        return [int(math.floor(frames[j][0])), int(math.floor(frames[j][1])), int(math.ceil(frames[j][2])),
                int(math.ceil(frames[j][3]))]
