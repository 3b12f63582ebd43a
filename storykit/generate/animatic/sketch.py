"""Anti-aliased flat-colour drawing: `Sketch` canvases and `Layer` bitmaps.

Pillow's `ImageDraw` does not anti-alias, so every layer and sprite is drawn 2-3x larger
with opaque fills and box-filtered down once (supersampling); soft effects (glows, haze)
are added afterwards at frame resolution. Layers are drawn once per story and sprites
once per pose; the animatic backend only slides and pastes them per frame.

>>> from storykit.generate.animatic.sketch import Sketch
>>> c = Sketch(0, 0, 64, 64)
>>> c.ellipse(32, 32, 20, 12, (255, 0, 0))
>>> c.finish().image().size
(64, 64)
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

__all__ = [
    "Sketch",
    "Layer",
    "mix",
    "shade",
]


Color = tuple  # (r, g, b) in 0..255, floats allowed


def mix(a: Color, b: Color, t: float) -> Color:
    """Linear blend from colour `a` (t=0) to `b` (t=1)."""
    return tuple(x + (y - x) * t for x, y in zip(a, b))


def shade(c: Color, k: float) -> Color:
    """Scales a colour's brightness (k < 1 darker, k > 1 lighter, clipped)."""
    return tuple(min(255.0, x * k) for x in c)


# -- sketch -----------------------------------------------------------------------------


def _rgba(color) -> tuple[int, int, int, int]:
    return (int(color[0] + 0.5), int(color[1] + 0.5), int(color[2] + 0.5), 255)


class Sketch:
    """An image drawn `ss` times larger with opaque fills, then box-filtered down.

    Coordinates are frame coordinates: `origin` is where the sketch's top-left pixel
    sits in the frame, so a layer wider than the frame (room for a pan) is drawn with
    the frame's own numbers. The image is premultiplied ('RGBa'), which makes the
    final `reduce` a plain average and therefore cheap.
    """

    def __init__(self, x0: float, y0: float, x1: float, y1: float, *, ss: int = 2, sky: list | None = None):
        self.ox, self.oy = math.floor(x0), math.floor(y0)
        self.width, self.height = max(1, math.ceil(x1) - self.ox), max(1, math.ceil(y1) - self.oy)
        self.ss = ss
        size = (self.width * ss, self.height * ss)
        if sky:  # an opaque vertical gradient through (frame y, colour) stops
            ys = self.oy + (np.arange(size[1]) + 0.5) / ss
            col = [np.interp(ys, [st[0] for st in sky], [st[1][k] for st in sky]) for k in range(3)]
            col = np.stack(col + [np.full(size[1], 255.0)], axis=-1)
            packed = (col + 0.5).astype(np.uint8).view(np.uint32)  # one 32-bit pixel per row: copies fast
            px = np.broadcast_to(packed, (size[1], size[0])).copy()
            self.img = Image.fromarray(px.view(np.uint8).reshape(size[1], size[0], 4), "RGBa")
        else:
            self.img = Image.new("RGBa", size, (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)

    # frame-coordinate extent
    @property
    def x0(self) -> float:
        return self.ox

    @property
    def x1(self) -> float:
        return self.ox + self.width

    @property
    def y0(self) -> float:
        return self.oy

    @property
    def y1(self) -> float:
        return self.oy + self.height

    def P(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.ox) * self.ss, (y - self.oy) * self.ss)

    def _box(self, x0, y0, x1, y1):
        a, b = self.P(min(x0, x1), min(y0, y1)), self.P(max(x0, x1), max(y0, y1))
        return (a[0], a[1], b[0], b[1])

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color) -> None:
        self.d.ellipse(self._box(cx - rx, cy - ry, cx + rx, cy + ry), fill=_rgba(color))

    def circle(self, cx: float, cy: float, r: float, color) -> None:
        self.ellipse(cx, cy, r, r, color)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color, radius: float = 0.0) -> None:
        box = self._box(x0, y0, x1, y1)
        if radius > 0:
            self.d.rounded_rectangle(box, radius=radius * self.ss, fill=_rgba(color))
        else:
            self.d.rectangle(box, fill=_rgba(color))

    def polygon(self, pts, color, grow: float = 0.0) -> None:
        """A filled polygon; `grow` > 0 fattens it by that many pixels (for outlines)."""
        pts = [self.P(x, y) for x, y in pts]
        if len(pts) < 3:
            return
        c = _rgba(color)
        if grow > 0:
            self.d.polygon(pts, fill=c, outline=c, width=max(1, round(grow * 2 * self.ss)))
        else:
            self.d.polygon(pts, fill=c)

    def line(self, pts, width: float, color) -> None:
        """A thick polyline with round joints and caps."""
        pts, w, c = [self.P(x, y) for x, y in pts], width * self.ss, _rgba(color)
        if len(pts) > 1:
            self.d.line(pts, fill=c, width=max(1, round(w)), joint="curve")
        for x, y in (pts[0], pts[-1]):
            self.d.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=c)

    def arc(self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, width: float, color) -> None:
        """An elliptical arc (degrees, clockwise from 3 o'clock, as in Pillow)."""
        box = self._box(cx - rx, cy - ry, cx + rx, cy + ry)
        self.d.arc(box, start, end, fill=_rgba(color), width=max(1, round(width * self.ss)))

    def finish(self) -> Layer:
        """Box-filters the sketch down (the anti-aliasing) into a Layer for post effects."""
        return Layer(self.img.reduce(self.ss) if self.ss > 1 else self.img, self.ox, self.oy)


class Layer:
    """A drawn layer at frame resolution (premultiplied 'RGBa') and where its corner sits in the frame.

    Soft effects (glows, haze) are pasted through 8-bit masks: on premultiplied pixels
    `paste(colour, mask)` is exactly the "over" operator.
    """

    def __init__(self, img: Image.Image, ox: float, oy: float):
        self.img, self.ox, self.oy = img, ox, oy

    @property
    def width(self) -> int:
        return self.img.width

    @property
    def height(self) -> int:
        return self.img.height

    def _over(self, x: int, y: int, m: np.ndarray, color) -> None:
        mask = Image.fromarray(np.clip(m * 255 + 0.5, 0, 255).astype(np.uint8), "L")
        self.img.paste(_rgba(color), (x, y, x + mask.width, y + mask.height), mask)

    def glow(self, cx: float, cy: float, radius: float, color: Color, strength: float = 0.6) -> None:
        """A soft radial glow (sun halo, lamp light): opacity falls off quadratically to `radius`."""
        x0, y0 = max(0, int(cx - radius - self.ox)), max(0, int(cy - radius - self.oy))
        x1 = min(self.width, int(math.ceil(cx + radius - self.ox)))
        y1 = min(self.height, int(math.ceil(cy + radius - self.oy)))
        if x1 <= x0 or y1 <= y0:
            return
        yy, xx = np.ogrid[y0:y1, x0:x1]
        d = np.hypot(xx + self.ox + 0.5 - cx, yy + self.oy + 0.5 - cy) / radius
        self._over(x0, y0, np.clip(1 - d, 0, 1) ** 2 * strength, color)

    def band(self, y0: float, y1: float, color: Color, a0: float, a1: float) -> None:
        """A full-width horizontal band whose opacity goes from a0 (top) to a1 (bottom): haze, mist."""
        r0, r1 = max(0, int(y0 - self.oy)), min(self.height, int(math.ceil(y1 - self.oy)))
        if r1 <= r0:
            return
        ys = self.oy + np.arange(r0, r1) + 0.5
        a = np.clip(a0 + (a1 - a0) * (ys - y0) / max(1e-6, y1 - y0), 0, 1)
        self._over(0, r0, np.broadcast_to(a[:, None], (r1 - r0, self.width)), color)

    def image(self, *, opaque: bool = False) -> Image.Image:
        """A PIL image: RGB when `opaque`, else straight RGBA (what `paste` and `alpha_composite` expect)."""
        return self.img.convert("RGB" if opaque else "RGBA")


def spread(c: Sketch, rng, step: float, jitter: float = 0.4) -> list[float]:
    """x positions across the sketch, about `step` pixels apart."""
    xs, x = [], c.x0 - step * rng.uniform(0, 1)
    while x < c.x1 + step:
        xs.append(x + step * rng.uniform(-jitter, jitter))
        x += step
    return xs

