"""Anti-aliased flat-colour drawing for the animatic: canvases, landscapes, characters, captions.

Pillow's `ImageDraw` does not anti-alias, so every layer and sprite is drawn 2-3x larger
with opaque fills and box-filtered down once (supersampling); soft effects (glows, haze)
are added afterwards at frame resolution. Layers are drawn once per story and sprites
once per pose; storykit.animatic only slides and pastes them per frame.

Coordinates are frame pixels (y down) for layers; characters are built in "body units"
(100 = standing height, y up, facing right) and mirrored for the other direction.

>>> from storykit.draw import Sketch
>>> c = Sketch(0, 0, 64, 64)
>>> c.ellipse(32, 32, 20, 12, (255, 0, 0))
>>> c.finish().image().size
(64, 64)
"""

from __future__ import annotations

import functools
import importlib.util
import math
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "Sketch",
    "Layer",
    "mix",
    "shade",
    "Palette",
    "palette",
    "draw_back",
    "draw_mid",
    "draw_ground",
    "draw_fore",
    "draw_character",
    "draw_prop",
    "PROPS",
    "POSES",
    "caption_font",
    "clean_caption",
    "text_overlays",
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


# -- palettes ---------------------------------------------------------------------------

# Sky and light per time of day: (sky top, sky at horizon), haze colour, light tint
# multiplied into land colours, sun or moon colour and position (fractions of the frame).
TIMES = {
    "dawn": dict(sky=((104, 124, 190), (250, 192, 164)), haze=(238, 200, 194), light=(1.0, 0.9, 0.88),
                 sun=(255, 232, 190), sun_at=(0.24, 0.47), sun_r=0.065, stars=0.0),
    "day": dict(sky=((78, 150, 228), (198, 230, 250)), haze=(206, 228, 244), light=(1.0, 1.0, 1.0),
                sun=(255, 250, 228), sun_at=(0.8, 0.15), sun_r=0.05, stars=0.0),
    "dusk": dict(sky=((66, 54, 124), (252, 150, 96)), haze=(228, 146, 124), light=(0.95, 0.76, 0.72),
                 sun=(255, 204, 120), sun_at=(0.7, 0.47), sun_r=0.085, stars=0.25),
    "night": dict(sky=((10, 16, 46), (44, 58, 110)), haze=(50, 62, 110), light=(0.4, 0.47, 0.68),
                  moon=(246, 242, 218), sun_at=(0.76, 0.17), sun_r=0.045, stars=1.0),
    "space": dict(sky=((4, 4, 16), (30, 20, 64)), haze=(40, 30, 80), light=(0.75, 0.75, 0.9),
                  sun_at=(0.2, 0.2), sun_r=0.12, stars=1.6),
}

# Base land colours before light and haze are applied.
LAND = {
    "grass": (104, 170, 86), "grass_dark": (62, 124, 66), "tree": (58, 132, 74), "pine": (40, 98, 66),
    "trunk": (104, 74, 52), "bamboo": (120, 178, 92), "bamboo_dark": (76, 134, 72), "moss": (74, 120, 68),
    "jungle": (38, 128, 72), "sand": (236, 210, 156), "dune": (228, 172, 110), "rock": (132, 128, 140),
    "snow": (238, 244, 252), "building": (96, 102, 128), "road": (70, 72, 84), "sidewalk": (156, 156, 166),
    "water": (52, 146, 196), "deep": (30, 94, 154), "moon": (156, 154, 170), "space_rock": (96, 84, 116),
    "roof": (176, 76, 60), "wall": (232, 216, 186), "wood": (178, 122, 78), "room": (236, 214, 178),
    "cactus": (84, 146, 84), "autumn": (222, 124, 54),
}
# How much of the haze colour each depth takes: far, mid, ground, fore.
HAZE = (0.55, 0.28, 0.07, 0.0)


class Palette:
    """The colours of one world: sky, light and haze, and `tone()` for land at a depth."""

    def __init__(self, time: str, mist: bool = False, overcast: bool = False):
        t = TIMES[time]
        self.time = time
        self.sky_top, self.sky_bottom = t["sky"]
        self.haze = t["haze"]
        self.light = t["light"]
        if overcast:  # rain: grey sky, dimmer light
            grey = (128, 136, 150) if time != "night" else (40, 44, 56)
            self.sky_top, self.sky_bottom = mix(self.sky_top, grey, 0.7), mix(self.sky_bottom, grey, 0.55)
            self.haze = mix(self.haze, grey, 0.5)
            self.light = tuple(x * 0.85 for x in self.light)
            t = {**t, "sun": None}  # the sun hides behind rain clouds
        self.sun = t.get("sun")
        self.moon = t.get("moon")
        self.sun_at, self.sun_r, self.stars = t["sun_at"], t["sun_r"], t["stars"]
        self.mist = mist

    def tone(self, base, depth: int, k: float = 1.0) -> Color:
        """A land colour lit by the time of day and hazed by distance (atmospheric perspective)."""
        if isinstance(base, str):
            base = LAND[base]
        c = tuple(x * l * k for x, l in zip(base, self.light))
        haze = HAZE[depth] * (1.6 if self.mist else 1.0)
        return mix(c, self.haze, min(0.85, haze))


def palette(world) -> Palette:
    return Palette(world.time, "mist" in world.weather, "rain" in world.weather)


# -- landscapes ---------------------------------------------------------------------------

# Where things stand, as fractions of the frame height (static camera).
HORIZON, MID_BASE, GROUND_TOP = 0.54, 0.65, 0.69


def _profile(xs: np.ndarray, base: float, amp: float, rng, waves: int = 3, scale: float = 1.0) -> np.ndarray:
    """A smooth ridge line: the base height minus a sum of random sines."""
    y = np.zeros_like(xs)
    for k in range(waves):
        period = scale * rng.uniform(0.35, 1.1) / (k + 1)
        y += rng.uniform(0.5, 1.0) / (k + 1) * np.sin(2 * np.pi * xs / period + rng.uniform(0, 2 * np.pi))
    return base - amp * (0.5 + 0.5 * y / 1.6)


def _fill_profile(c: Sketch, xs, ys, color) -> None:
    c.polygon(list(zip(xs, ys)) + [(xs[-1], c.y1 + 2), (xs[0], c.y1 + 2)], color)


def _xs(c: Sketch, W: int, n: int = 96) -> np.ndarray:
    return np.linspace(c.x0 - 2, c.x1 + 2, n) / W  # in frame widths


def _spread(c: Sketch, rng, step: float, jitter: float = 0.4) -> list[float]:
    """x positions across the sketch, about `step` pixels apart."""
    xs, x = [], c.x0 - step * rng.uniform(0, 1)
    while x < c.x1 + step:
        xs.append(x + step * rng.uniform(-jitter, jitter))
        x += step
    return xs


def _points(c: Sketch, xs, ys, color) -> None:
    """One-pixel dots at frame resolution, drawn as 2x2 blocks in a single call."""
    ss = c.ss
    pts = [((x - c.ox) * ss + i, (y - c.oy) * ss + j) for x, y in zip(xs, ys) for i in range(ss) for j in range(ss)]
    if pts:
        c.d.point(pts, fill=_rgba(color))


def draw_back(world, pal: Palette, rng, W: int, H: int, x0: float, x1: float, my: float) -> Layer:
    """Sky, sun or moon, stars, clouds and the farthest land (parallax layer 0), opaque.

    Like every draw_* function it covers frame x from x0 to x1 and y from -my to H + my.
    """
    far = world.far
    horizon = H * (HORIZON - 0.03 if far == "sea" else HORIZON)
    if far == "wall":
        return _draw_room(world, pal, rng, W, H, x0, x1, my)
    c = Sketch(x0, -my, x1, H + my, sky=[(-my, pal.sky_top), (horizon, pal.sky_bottom), (H + my, pal.sky_bottom)])
    glows = []
    # 1. Stars.
    if pal.stars:
        n = int(pal.stars * W * H / 1100)
        sx, sy = rng.uniform(c.x0, c.x1, n), rng.uniform(c.y0, horizon - 0.05 * H, n)
        fade = np.clip((horizon - sy) / (0.45 * H), 0, 1) * rng.uniform(0.3, 1.0, n)
        for lo, hi in ((0.0, 0.35), (0.35, 0.7), (0.7, 1.01)):
            k = (fade >= lo) & (fade < hi)
            _points(c, sx[k], sy[k], mix(pal.sky_top, (255, 255, 240), (lo + hi) / 2))
        glows += [(x, y, 0.014 * H, (255, 255, 235), 0.7) for x, y in zip(sx[: n // 30], sy[: n // 30])]
    # 2. Sun, moon or planet, a little way into the strip.
    sx, sy, r = x0 + (0.1 + pal.sun_at[0]) * W, pal.sun_at[1] * H, pal.sun_r * H
    if far == "planet":
        pc = (196, 120, 150)
        c.circle(sx, sy, r, mix(pc, (255, 220, 200), 0.15))
        c.ellipse(sx + r * 0.25, sy + r * 0.2, r * 0.8, r * 0.75, shade(pc, 0.8))
        c.arc(sx, sy, r * 1.9, r * 0.45, 200, 340, max(1.5, r * 0.08), (236, 210, 190))
        c.arc(sx, sy, r * 1.9, r * 0.45, 0, 160, max(1.5, r * 0.08), (236, 210, 190))
        glows.append((sx + 0.6 * W, 0.12 * H, 0.05 * H, (200, 220, 255), 0.9))
    elif pal.moon:
        c.circle(sx, sy, r, pal.moon)
        for dx, dy, rr in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.16), (0.35, -0.35, 0.1)):
            c.circle(sx + dx * r, sy + dy * r, rr * r, shade(pal.moon, 0.88))
        glows.append((sx, sy, r * 4, pal.moon, 0.3))
    elif pal.sun:
        c.circle(sx, sy, r, pal.sun)
        glows.append((sx, sy, r * 5, pal.sun, 0.4))
    # 3. Clouds (not at night or in space).
    if pal.time in ("dawn", "day", "dusk") and far != "planet" and world.mid not in ("bamboo", "jungle"):
        cloud = mix((255, 255, 255), pal.sky_bottom, 0.35 if pal.time != "day" else 0.08)
        under = mix(cloud, pal.sky_top, 0.2)
        for _ in range(int(rng.integers(2, 5))):
            cx, cy, cw = rng.uniform(c.x0, c.x1), rng.uniform(0.08, 0.32) * H, rng.uniform(0.07, 0.13) * W
            c.rect(cx - cw * 0.9, cy - cw * 0.05, cx + cw * 0.9, cy + cw * 0.14, under, radius=cw * 0.09)
            for k in range(5):
                t = k / 4 - 0.5
                c.circle(cx + t * cw * 1.6, cy - (0.25 - t * t) * cw * 0.8, cw * (0.45 - abs(t) * 0.35), cloud)
    # 4. The far land.
    xs = _xs(c, W)
    band = 0.2
    if far == "sea":
        c.rect(c.x0, horizon, c.x1, c.y1, pal.tone("water", 0, 1.05))
        c.rect(c.x0, horizon + 0.06 * H, c.x1, c.y1, mix(pal.tone("water", 0, 1.05), pal.tone("deep", 1), 0.5))
        glint = pal.sun or pal.moon
        if glint:  # the sun's path on the water
            for k in range(7):
                y, w = horizon + (k + 0.4) * 0.022 * H, r * (1.3 - k * 0.12)
                c.rect(sx - w, y, sx + w, y + 0.006 * H, mix(pal.tone("water", 0, 1.05), glint, 0.55))
        band = 0.1
    elif far == "peaks":
        X = xs * W
        for layer, (amp, k) in enumerate(((0.32, 0.95), (0.2, 0.8))):
            ridge = np.full_like(X, horizon + 0.02 * H)
            for px in _spread(c, rng, W * (0.3 + 0.1 * layer)):
                h = rng.uniform(0.6, 1.0) * amp * H
                ridge = np.minimum(ridge, horizon + 0.02 * H - h + np.abs(X - px) * rng.uniform(0.9, 1.5))
            ridge += rng.normal(0, 0.003 * H, X.shape)
            _fill_profile(c, X, ridge, pal.tone("rock", 0, k))
            if layer == 0:  # snow caps: the ridge shifted down, kept near the tops
                cap = np.minimum(ridge + 0.05 * H, np.maximum(ridge, horizon - amp * H * 0.5))
                c.polygon(list(zip(X, ridge)) + list(zip(X[::-1], cap[::-1])), mix(pal.tone("snow", 0), (255, 255, 255), 0.25))
    elif far == "skyline":
        col = pal.tone("building", 0, 0.9)
        night = pal.time in ("night", "dusk")
        wx, wy = [], []
        for x in _spread(c, rng, 0.07 * W, 0.3):
            w, h = rng.uniform(0.04, 0.08) * W, rng.uniform(0.1, 0.3) * H
            top = horizon + 0.04 * H - h
            c.rect(x, top, x + w, c.y1, col)
            if rng.random() < 0.3:
                c.rect(x + w * 0.45, top - 0.04 * H, x + w * 0.5, top, col)
            if night:
                n = int(w * h / 70)
                wx += list(rng.uniform(x + 2, x + w - 2, n))
                wy += list(rng.uniform(top + 3, horizon + 0.05 * H, n))
        _points(c, wx, wy, mix(col, (255, 222, 140), 0.7))
        band = 0.45
    elif far == "planet":  # a cratered horizon
        _fill_profile(c, xs * W, _profile(xs, horizon + 0.04 * H, 0.05 * H, rng), pal.tone("space_rock", 0))
        band = 0.0
    elif far == "dunes":
        for k, (base, amp) in enumerate(((horizon, 0.1), (horizon + 0.04 * H, 0.07))):
            _fill_profile(c, xs * W, _profile(xs, base, amp * H, rng, scale=1.4), pal.tone("dune", 0, 1.0 - 0.12 * k))
    else:  # hills, conifers and bamboo all start with soft far hills
        base = "snow" if world.ground == "snow" else "grass_dark"
        ridge = _profile(xs, horizon, 0.1 * H, rng)
        _fill_profile(c, xs * W, ridge, pal.tone(base, 0))
        if far == "castle":  # a castle on the hill: keep, towers with pointed roofs, lit windows at night
            cx = x0 + rng.uniform(0.5, 0.9) * W
            base_y, stone = float(np.interp(cx / W, xs, ridge)) + 0.02 * H, pal.tone("rock", 0, 1.1)
            roof = mix(pal.tone("roof", 0), stone, 0.3)
            c.rect(cx - 0.09 * W, base_y - 0.14 * H, cx + 0.09 * W, base_y, stone)
            for k in range(6):  # battlements
                bx = cx - 0.09 * W + k * 0.036 * W
                c.rect(bx, base_y - 0.16 * H, bx + 0.018 * W, base_y - 0.14 * H, stone)
            for dx, h in ((-0.1, 0.24), (0.0, 0.3), (0.1, 0.22)):
                tx = cx + dx * W
                c.rect(tx - 0.022 * W, base_y - h * H, tx + 0.022 * W, base_y, stone)
                c.polygon([(tx - 0.03 * W, base_y - h * H), (tx, base_y - (h + 0.09) * H), (tx + 0.03 * W, base_y - h * H)],
                          roof)
                win = (255, 214, 130) if pal.time in ("night", "dusk") else shade(stone, 0.6)
                c.rect(tx - 0.006 * W, base_y - (h - 0.05) * H, tx + 0.006 * W, base_y - (h - 0.08) * H, win)
        if far == "conifers":
            col = pal.tone("pine", 0, 1.05)
            for x in _spread(c, rng, 0.035 * W):
                y, h = float(np.interp(x / W, xs, ridge)) + 0.02 * H, rng.uniform(0.07, 0.14) * H
                c.polygon([(x - h * 0.28, y), (x, y - h), (x + h * 0.28, y)], col)
        elif far == "bamboo":  # faint stalks in the distance
            col = mix(pal.tone("bamboo", 0, 0.95), pal.haze, 0.3)
            for x in _spread(c, rng, 0.09 * W):
                w = rng.uniform(0.006, 0.01) * W
                c.rect(x, c.y0, x + w, horizon + 0.05 * H, col)
        band = 0.45 if pal.mist else 0.2
    layer = c.finish()
    for g in glows:
        layer.glow(*g)
    if band:
        layer.band(horizon - 0.06 * H, horizon + 0.14 * H, pal.haze, 0.0, band)
    return layer


def _draw_room(world, pal: Palette, rng, W: int, H: int, x0: float, x1: float, my: float) -> Layer:
    """An interior's back wall: wallpaper, a wainscot, windows onto the sky, framed pictures."""
    lit = 1.0 if pal.time != "night" else 0.6  # lamps keep a room warmer than the night outside
    wall = tuple(v * lit for v in LAND["room"])
    c = Sketch(x0, -my, x1, H + my, sky=[(-my, shade(wall, 0.92)), (H * MID_BASE, wall)])
    for x in np.arange(x0, x1, 0.06 * W):  # wallpaper stripes
        c.rect(x, c.y0, x + 0.02 * W, H * 0.5, shade(wall, 0.96))
    c.rect(x0, H * 0.5, x1, H * 0.52, shade(wall, 0.8))
    c.rect(x0, H * 0.52, x1, c.y1, shade(wall, 0.88))
    x = x0 + rng.uniform(0.1, 0.3) * W
    while x < x1:
        if rng.random() < 0.6:  # a window
            w, top = 0.2 * W, 0.12 * H
            c.rect(x - 0.01 * W, top - 0.01 * W, x + w + 0.01 * W, top + 0.3 * H + 0.01 * W, pal.tone("wood", 1, lit))
            c.rect(x, top, x + w, top + 0.3 * H, pal.sky_bottom if pal.time != "night" else pal.sky_top)
            if pal.moon:
                c.circle(x + 0.7 * w, top + 0.08 * H, 0.025 * H, pal.moon)
            c.rect(x + w / 2 - 0.006 * W, top, x + w / 2 + 0.006 * W, top + 0.3 * H, pal.tone("wood", 1, lit))
            c.rect(x, top + 0.14 * H, x + w, top + 0.155 * H, pal.tone("wood", 1, lit))
            x += w + rng.uniform(0.25, 0.45) * W
        else:  # a framed picture
            w = rng.uniform(0.08, 0.12) * W
            c.rect(x, 0.18 * H, x + w, 0.18 * H + w * 0.8, pal.tone("wood", 1, 0.7 * lit))
            c.rect(x + 0.01 * W, 0.18 * H + 0.01 * W, x + w - 0.01 * W, 0.18 * H + w * 0.8 - 0.01 * W,
                   mix(_PICTURES[int(rng.integers(len(_PICTURES)))], wall, 0.3))
            x += w + rng.uniform(0.2, 0.4) * W
    return c.finish()


_PICTURES = ((110, 160, 210), (230, 160, 90), (130, 190, 120), (200, 120, 150))


def _furniture(c: Sketch, pal: Palette, rng, W: int, H: int, base: float) -> None:
    """Shelves of books, tables and potted plants along the back wall."""
    wood = pal.tone("wood", 1, 0.9 if pal.time != "night" else 0.6)
    for x in _spread(c, rng, 0.3 * W):
        kind = rng.integers(3)
        if kind == 0:  # a bookshelf
            w, h = 0.16 * W, 0.32 * H
            c.rect(x, base - h, x + w, base + 0.01 * H, wood)
            for shelf in range(3):
                y = base - h + 0.02 * H + shelf * h / 3
                bx = x + 0.01 * W
                while bx < x + w - 0.02 * W:
                    bw = rng.uniform(0.01, 0.02) * W
                    spine = mix(_PICTURES[int(rng.integers(4))], wood, 0.3)
                    c.rect(bx, y + rng.uniform(0, 0.02) * H, bx + bw, y + h / 3 - 0.02 * H, spine)
                    bx += bw + 0.002 * W
        elif kind == 1:  # a table
            w = 0.2 * W
            c.rect(x, base - 0.12 * H, x + w, base - 0.105 * H, wood)
            for lx in (x + 0.01 * W, x + w - 0.025 * W):
                c.rect(lx, base - 0.11 * H, lx + 0.014 * W, base + 0.01 * H, shade(wood, 0.8))
        else:  # a potted plant
            c.rect(x, base - 0.07 * H, x + 0.05 * W, base + 0.01 * H, pal.tone("roof", 1))
            for a in (-0.6, -0.2, 0.2, 0.6):
                pot = base - 0.07 * H
                leaf = [(x + 0.02 * W, pot), (x + 0.025 * W + a * 0.06 * W, base - 0.2 * H), (x + 0.03 * W, pot)]
                c.polygon(leaf, pal.tone("tree", 1))


def _tree(c: Sketch, x: float, base: float, h: float, trunk, crown, light, sun_left: bool) -> None:
    """A round-crowned tree: trunk plus a cluster of circles, lit on the sun's side."""
    r = h * 0.3
    c.polygon([(x - h * 0.035, base), (x - h * 0.02, base - h * 0.6), (x + h * 0.02, base - h * 0.6), (x + h * 0.035, base)],
              trunk)
    cy = base - h + r
    for dx, dy, k in ((0, 0, 1.0), (-0.55, 0.35, 0.7), (0.55, 0.3, 0.75), (0.1, 0.5, 0.7)):
        c.circle(x + dx * r, cy + dy * r, r * k, crown)
    s = -1 if sun_left else 1
    c.circle(x + s * 0.32 * r, cy - 0.22 * r, r * 0.5, light)


def _pine(c: Sketch, x: float, base: float, h: float, color, trunk) -> None:
    """A conifer: three stacked triangles on a short trunk."""
    c.rect(x - h * 0.03, base - h * 0.15, x + h * 0.03, base, trunk)
    for k in range(3):
        top = base - h + k * h * 0.22
        w = h * (0.2 + 0.09 * k)
        c.polygon([(x - w, top + h * 0.4), (x, top), (x + w, top + h * 0.4)], color)


_MID_TOP = {"bamboo": -1.0, "jungle": -1.0, "trees": 0.2, "buildings": 0.1, "houses": 0.38, "waves": 0.48,
            "dunes": 0.4, "rocks": 0.34, "craters": 0.45, "hills": 0.3, "furniture": 0.25}


def draw_mid(world, pal: Palette, rng, W: int, H: int, x0: float, x1: float, my: float) -> Layer:
    """The middle distance (parallax layer 1): trees, bamboo, buildings, waves, dunes, hills."""
    mid = world.mid
    c = Sketch(x0, max(-my, _MID_TOP[mid] * H - my), x1, H + my)
    base, xs = H * MID_BASE, _xs(c, W)
    ground = {"sand": "sand", "snow": "snow", "road": "sidewalk", "moon": "moon", "floor": "wood"}.get(world.ground, "grass")
    sun_left = pal.sun_at[0] < 0.5
    if mid == "waves":
        water = pal.tone("water", 1, 1.1)
        for row in range(5):
            y = H * (0.545 + row * 0.026)
            crest = mix(water, (255, 255, 255), 0.45 + 0.08 * row)
            for x in _spread(c, rng, W * (0.13 - row * 0.015), 0.45):
                w = W * rng.uniform(0.025, 0.05) * (1 + row * 0.3)
                c.arc(x, y, w, w * 0.16, 200, 340, max(1.0, 0.0035 * H * (1 + row * 0.4)), crest)
        # wet sand and the foam line where the sea meets the beach
        ridge = _profile(xs, base + 0.01 * H, 0.02 * H, rng, scale=0.7)
        c.line(list(zip(xs * W, ridge - 0.004 * H)), max(1.5, 0.012 * H), mix(water, (255, 255, 255), 0.8))
        _fill_profile(c, xs * W, ridge, mix(pal.tone("sand", 1, 0.85), water, 0.3))
        return c.finish()
    # Most worlds: a mid-ground band that the elements stand on.
    ridge = _profile(xs, base, 0.05 * H if mid != "dunes" else 0.12 * H, rng, scale=1.2 if mid == "dunes" else 1.0)
    _fill_profile(c, xs * W, ridge, pal.tone("dune" if mid == "dunes" else ground, 1))
    at = lambda x: float(np.interp(x / W, xs, ridge))  # noqa: E731 - ground height under x
    if mid == "furniture":
        _furniture(c, pal, rng, W, H, base + 0.02 * H)
        return c.finish()
    if mid in ("trees", "hills", "jungle"):
        leaves = "leaves" in world.weather
        crown = pal.tone("autumn" if leaves else ("jungle" if mid == "jungle" else "tree"), 1)
        light, trunk, pine = shade(crown, 1.22), pal.tone("trunk", 1), pal.tone("pine", 1)
        step = {"trees": 0.13, "hills": 0.32, "jungle": 0.16}[mid] * W
        for x in _spread(c, rng, step):
            h = rng.uniform(0.22, 0.36) * H * (1.3 if mid == "jungle" else 1.0) * (0.6 if mid == "hills" else 1.0)
            if mid == "trees" and rng.random() < 0.4:
                _pine(c, x, at(x) + 0.02 * H, h * 1.1, pine, trunk)
            else:
                _tree(c, x, at(x) + 0.02 * H, h, trunk, crown, light, sun_left)
        if mid == "jungle":  # hanging vines
            vine = pal.tone("jungle", 1, 0.8)
            for x in _spread(c, rng, 0.07 * W):
                L = rng.uniform(0.1, 0.35) * H
                c.line([(x, c.y0), (x + 0.01 * W, c.y0 + L * 0.5), (x, c.y0 + L)], max(1.0, 0.005 * H), vine)
        if mid == "hills":  # flowers in the meadow
            fx = rng.uniform(c.x0, c.x1, int(W / 5))
            _points(c, fx, np.interp(fx / W, xs, ridge) + rng.uniform(0.01, 0.08, fx.size) * H, pal.tone((255, 240, 200), 1))
    elif mid == "bamboo":
        for depth in (0, 1):
            k = 0.9 if depth == 0 else 1.0
            stalk = pal.tone("bamboo", 1 if depth == 0 else 2, k)  # the nearer row keeps its colour
            if depth == 0:
                stalk = mix(stalk, pal.haze, 0.25)
            node = shade(stalk, 0.72)
            leaf = mix(pal.tone("bamboo_dark", 1 if depth == 0 else 2, k), pal.haze, 0.25 * (1 - depth))
            for x in _spread(c, rng, W * (0.16 if depth else 0.11)):
                w = rng.uniform(0.02, 0.032) * W * (1 if depth else 0.7)
                bottom = at(x) + 0.03 * H
                c.rect(x - w / 2, c.y0, x + w / 2, bottom, stalk)
                c.rect(x - w / 2 + w * 0.15, c.y0, x - w / 2 + w * 0.32, bottom, shade(stalk, 1.12))  # sheen
                seg = rng.uniform(0.1, 0.15) * H
                y = bottom - seg * rng.uniform(0.3, 1)
                while y > c.y0:
                    c.rect(x - w * 0.6, y - 0.004 * H, x + w * 0.6, y + 0.004 * H, node)
                    if rng.random() < 0.3:  # a spray of slender leaves
                        s = 1 if rng.random() < 0.5 else -1
                        for a in (0.35, 0.65, 0.95):
                            L = rng.uniform(0.06, 0.1) * H
                            tip = (x + s * L * math.cos(a), y + L * math.sin(a) * 0.6)
                            m = (x + s * L * 0.5 * math.cos(a), y + L * 0.3 * math.sin(a))
                            c.polygon([(x, y), (m[0], m[1] - 0.008 * H), tip, (m[0], m[1] + 0.008 * H)], leaf)
                    y -= seg
    elif mid in ("buildings", "houses"):
        night = pal.time in ("night", "dusk")
        neon = "neon" in world.weather
        win_lit = (255, 214, 130)
        glows = []
        for x in _spread(c, rng, W * (0.16 if mid == "buildings" else 0.22), 0.25):
            y = base + 0.02 * H
            if mid == "buildings":
                w, h = rng.uniform(0.1, 0.16) * W, rng.uniform(0.22, 0.5) * H
                body = pal.tone(tuple(v * rng.uniform(0.85, 1.15) for v in LAND["building"]), 1)
                c.rect(x, y - h, x + w, c.y1, body)
                c.rect(x, y - h, x + w, y - h + 0.012 * H, shade(body, 1.25))  # roof edge
                cols, rows = max(2, int(w / (0.028 * W))), max(3, int(h / (0.05 * H)))
                ww, wh = w / cols * 0.5, h / rows * 0.45
                dim = mix(body, pal.sky_bottom, 0.45)
                for i in range(rows - 1):
                    for j in range(cols):
                        wx, wy = x + (j + 0.25) * w / cols, y - h + (i + 0.4) * h / rows
                        c.rect(wx, wy, wx + ww, wy + wh, win_lit if night and rng.random() < 0.55 else dim)
                if neon and rng.random() < 0.6:
                    ncol = ((255, 80, 190), (80, 230, 255), (180, 110, 255), (255, 180, 60))[int(rng.integers(4))]
                    sx, sy = x + w * rng.uniform(0.15, 0.6), y - h * rng.uniform(0.4, 0.85)
                    c.rect(sx, sy, sx + 0.04 * W, sy + 0.12 * H, ncol, radius=0.008 * H)
                    tube = mix(ncol, (255, 255, 255), 0.7)
                    c.rect(sx + 0.012 * W, sy + 0.02 * H, sx + 0.028 * W, sy + 0.1 * H, tube, radius=0.004 * H)
                    glows.append((sx + 0.02 * W, sy + 0.06 * H, 0.12 * H, ncol, 0.4))
            else:  # a village house: walls, pitched roof, door and a window
                w, h = rng.uniform(0.1, 0.14) * W, rng.uniform(0.1, 0.15) * H
                c.rect(x, y - h, x + w, y + 0.02 * H, pal.tone("wall", 1))
                roof = pal.tone("roof", 1, rng.uniform(0.8, 1.1))
                c.polygon([(x - 0.01 * W, y - h), (x + w / 2, y - h - 0.5 * w), (x + w + 0.01 * W, y - h)], roof)
                c.rect(x + w * 0.15, y - h * 0.75, x + w * 0.4, y - h * 0.45, win_lit if night else pal.tone((90, 110, 140), 1))
                c.rect(x + w * 0.6, y - h * 0.6, x + w * 0.82, y + 0.02 * H, pal.tone("trunk", 1))
        layer = c.finish()
        for g in glows:
            layer.glow(*g)
        layer.band(base - 0.1 * H, base + 0.06 * H, pal.haze, 0.0, 0.5 if pal.mist else 0.15)
        return layer
    elif mid == "dunes":
        cactus = pal.tone("cactus", 1)
        for x in _spread(c, rng, 0.4 * W):
            y, h, w = at(x) + 0.03 * H, rng.uniform(0.1, 0.16) * H, 0.018 * W
            c.rect(x - w, y - h, x + w, y, cactus, radius=w)
            c.line([(x, y - h * 0.45), (x - 3 * w, y - h * 0.5), (x - 3 * w, y - h * 0.8)], w * 1.4, cactus)
            c.line([(x, y - h * 0.6), (x + 2.6 * w, y - h * 0.62), (x + 2.6 * w, y - h * 0.9)], w * 1.3, cactus)
    elif mid in ("rocks", "craters"):
        rock = "space_rock" if mid == "craters" else "rock"
        for x in _spread(c, rng, 0.22 * W):
            y, r = at(x) + 0.03 * H, rng.uniform(0.04, 0.09) * H
            top, right = (x + r * 0.2, y - r * 1.3), (x + r * 1.3, y - r * 0.6)
            c.polygon([(x - r * 1.4, y), (x - r, y - r * 0.9), top, right, (x + r * 1.5, y)], pal.tone(rock, 1, 1.05))
            c.polygon([top, right, (x + r * 1.5, y), (x + r * 0.3, y)], pal.tone(rock, 1, 0.8))  # the shaded side
        if mid == "rocks":
            pine, trunk = pal.tone("pine", 1), pal.tone("trunk", 1)
            for x in _spread(c, rng, 0.25 * W):
                _pine(c, x, at(x) + 0.02 * H, rng.uniform(0.14, 0.24) * H, pine, trunk)
    layer = c.finish()
    # haze between the middle distance and the ground
    layer.band(base - 0.12 * H, base + 0.06 * H, pal.haze, 0.0, 0.5 if pal.mist else 0.15)
    return layer


def draw_ground(world, pal: Palette, rng, W: int, H: int, x0: float, x1: float, my: float) -> Layer:
    """The ground the character stands on (parallax layer 2): grass, moss, sand, road, snow."""
    top = H * GROUND_TOP
    c = Sketch(x0, top - 0.03 * H - my, x1, H + my)
    g, xs = world.ground, _xs(c, W)
    base = {"floor": "wood"}.get(g, g)
    ridge = _profile(xs, top, 0.015 * H, rng) if g not in ("road", "floor") else np.full_like(xs, top)
    _fill_profile(c, xs * W, ridge, pal.tone(base, 2, 1.02))
    n = int(W / 8)
    if g == "road":
        walk = pal.tone("sidewalk", 2)
        c.rect(c.x0, top, c.x1, top + 0.06 * H, walk)
        c.rect(c.x0, top + 0.06 * H, c.x1, top + 0.072 * H, shade(walk, 0.7))
        for x in np.arange(c.x0, c.x1, 0.1 * W):
            c.rect(x, top, x + 0.004 * W, top + 0.06 * H, shade(walk, 0.8))
        if "neon" in world.weather:  # coloured reflections on the wet street
            road = pal.tone("road", 2)
            for x in _spread(c, rng, 0.2 * W):
                ncol = ((255, 80, 190), (80, 230, 255), (180, 110, 255))[int(rng.integers(3))]
                c.rect(x, top + 0.09 * H, x + 0.03 * W, c.y1, mix(road, ncol, 0.3))
        line = mix(pal.tone("road", 2), (236, 220, 150), 0.7)
        for x in np.arange(c.x0, c.x1, 0.18 * W):
            c.rect(x, top + 0.16 * H, x + 0.08 * W, top + 0.172 * H, line)
    elif g == "floor":  # floorboards
        seam = pal.tone("wood", 2, 0.8)
        for k, y in enumerate(np.arange(top + 0.04 * H, c.y1, 0.045 * H)):
            c.rect(c.x0, y, c.x1, y + max(1.0, 0.004 * H), seam)
            for x in np.arange(c.x0 + (k % 2) * 0.12 * W, c.x1, 0.24 * W):
                c.rect(x, y, x + max(1.0, 0.004 * H), y + 0.045 * H, seam)
    elif g in ("grass", "moss"):
        blade = pal.tone("grass_dark" if g == "grass" else "pine", 2)
        for x in rng.uniform(c.x0, c.x1, n):
            y = float(np.interp(x / W, xs, ridge)) + rng.uniform(0.005, 0.25) * H
            h = rng.uniform(0.012, 0.03) * H
            c.polygon([(x - 0.5 * h, y), (x - 0.75 * h, y - 0.75 * h), (x - 0.2 * h, y - 0.2 * h), (x, y - h),
                       (x + 0.2 * h, y - 0.2 * h), (x + 0.8 * h, y - 0.7 * h), (x + 0.5 * h, y)], blade)  # a tuft
        if g == "grass" and pal.time != "night":
            for col in ((255, 255, 255), (255, 214, 80), (246, 130, 170)):
                for x in rng.uniform(c.x0, c.x1, n // 8):
                    c.circle(x, float(np.interp(x / W, xs, ridge)) + rng.uniform(0.01, 0.25) * H, 0.005 * H, pal.tone(col, 2))
    elif g in ("sand", "dune"):
        ripple = pal.tone(base, 2, 0.9)
        for x in rng.uniform(c.x0, c.x1, n // 3):
            w = rng.uniform(0.02, 0.05) * W
            c.arc(x, rng.uniform(top + 0.03 * H, c.y1), w, 0.006 * H, 200, 340, max(1.0, 0.003 * H), ripple)
        shell = pal.tone((250, 236, 220), 2)
        for x in rng.uniform(c.x0, c.x1, n // 10):
            c.ellipse(x, rng.uniform(top + 0.03 * H, c.y1), 0.006 * H, 0.004 * H, shell)
    elif g in ("snow", "moon"):
        dent = pal.tone((196, 210, 236) if g == "snow" else (120, 118, 136), 2)
        for x in rng.uniform(c.x0, c.x1, n // 6):
            w = rng.uniform(0.015, 0.05) * W
            c.ellipse(x, rng.uniform(top + 0.03 * H, c.y1), w, w * 0.25, dent)
    layer = c.finish()
    # darker towards the viewer; starts below the ridge, where the ground is opaque
    layer.band(top + 0.03 * H, H + my, (0, 0, 0), 0.0, 0.22)
    return layer


def draw_fore(world, pal: Palette, rng, W: int, H: int, x0: float, x1: float, my: float) -> list[Layer]:
    """Big, dark near things (parallax layer 3), one small layer each: they sell the depth in a pan."""
    kind = world.fore
    if kind == "none":
        return []
    base = {"bamboo": "bamboo_dark", "leaves": "jungle", "lamp": "road", "rocks": "rock"}.get(kind, "grass_dark")
    dark = pal.tone(base, 3, 0.6)
    out = []
    x = x0 + rng.uniform(0.02, 0.12) * W
    while x < x1:
        if kind == "bamboo":
            w = 0.05 * W
            c = Sketch(x - w, -my, x + w, H + my)
            c.rect(x - w / 2, c.y0, x + w / 2, c.y1, dark)
            c.rect(x - w * 0.3, c.y0, x - w * 0.12, c.y1, shade(dark, 1.25))
            for y in np.arange(c.y0 + rng.uniform(0, 0.2) * H, c.y1, 0.22 * H):
                c.rect(x - w * 0.6, y, x + w * 0.6, y + 0.012 * H, shade(dark, 0.7))
            layer = c.finish()
        elif kind == "lamp":
            c = Sketch(x - 0.04 * W, 0.25 * H, x + 0.04 * W, H + my)
            c.rect(x - 0.008 * W, 0.3 * H, x + 0.008 * W, c.y1, dark)
            c.rect(x - 0.03 * W, 0.27 * H, x + 0.03 * W, 0.31 * H, dark, radius=0.01 * H)
            night = pal.time in ("night", "dusk")
            if night:
                c.rect(x - 0.022 * W, 0.305 * H, x + 0.022 * W, 0.318 * H, (255, 226, 160))
            layer = c.finish()
            if night:
                layer.glow(x, 0.33 * H, 0.035 * W, (255, 220, 150), 0.5)
        elif kind == "rocks":
            r = rng.uniform(0.08, 0.12) * H
            c = Sketch(x - 2 * r, H - 1.4 * r, x + 2 * r, H + my)
            c.polygon([(x - r * 1.6, c.y1), (x - r, H - r * 0.9), (x + r * 0.3, H - r * 1.3), (x + r * 1.5, H - r * 0.4),
                       (x + r * 1.8, c.y1)], dark)
            layer = c.finish()
        else:  # tall grass or broad jungle leaves growing from the bottom edge
            reach = 0.26 * H * (1.4 if kind == "leaves" else 1.0)
            c = Sketch(x - reach, H - reach - 0.02 * H, x + reach, H + my)
            for _ in range(int(rng.integers(5, 9))):
                a = math.radians(rng.uniform(-35, 35))
                L = rng.uniform(0.12, 0.24) * H * (1.4 if kind == "leaves" else 1.0)
                bx = x + rng.uniform(-0.03, 0.03) * W
                tip = (bx + L * math.sin(a), H - L * math.cos(a))
                w = (0.03 if kind == "leaves" else 0.008) * H
                m = ((bx + tip[0]) / 2, (H + tip[1]) / 2)
                c.polygon([(bx - w, c.y1), (bx - w, H), (m[0] - w * 1.4, m[1]), tip, (m[0] + w * 1.4, m[1]), (bx + w, H),
                           (bx + w, c.y1)], dark)
            layer = c.finish()
        out.append(layer)
        x += rng.uniform(0.4, 0.7) * W
    return out


# -- characters ---------------------------------------------------------------------------

# Pose name -> parameters: leg swing phases, body drop, arms, eyes, tail and wings.
POSES = ("stand", "walk0", "walk1", "walk2", "walk3", "crouch", "air", "happy0", "happy1", "blink")


def _pose(name: str) -> dict:
    p = dict(phase=None, drop=0.0, arms=0.0, eyes="open", tail=0.0, wing=0.0, mouth=False, stretch=0.0)
    if name.startswith("walk"):
        p["phase"] = int(name[-1]) * math.pi / 2
        p["drop"] = -1.5 * abs(math.sin(p["phase"]))  # lowest at full stride
        p["wing"] = 0.2
    elif name == "crouch":
        p.update(drop=-7.0, arms=-0.4, tail=-0.3)
    elif name == "air":
        p.update(stretch=1.0, arms=1.0, tail=0.6, wing=1.0, mouth=True)
    elif name == "happy0":
        p.update(arms=1.0, eyes="happy", tail=0.8, wing=1.0, mouth=True, drop=1.0)
    elif name == "happy1":
        p.update(arms=0.5, eyes="happy", tail=0.4, wing=0.4, mouth=True)
    elif name == "blink":
        p["eyes"] = "closed"
    return p


def _legs(pose: dict, n: int, stride: float, lift: float) -> list[tuple[float, float]]:
    """(dx, lift) of each foot: diagonal pairs swing together, like a real walk."""
    ph = pose["phase"]
    if pose["stretch"]:
        spread = [stride * 1.3, -stride * 1.3, stride * 0.9, -stride * 0.9]
        return [(spread[i], lift * 1.5) for i in range(n)]
    if pose["drop"] < -3:  # crouch: feet planted wide
        return [((1 if i % 2 == 0 else -1) * stride * 0.4, 0.0) for i in range(n)]
    if ph is None:
        return [(0.0, 0.0)] * n
    out = []
    for i in range(n):
        p = ph + (math.pi if i in (1, 2) else 0.0)  # legs 0 and 3 move together
        out.append((stride * math.sin(p), lift * max(0.0, math.cos(p))))
    return out


def _rot_ellipse(cx: float, cy: float, rx: float, ry: float, angle: float, n: int = 28) -> list[tuple[float, float]]:
    """Points of an ellipse rotated by `angle` degrees (counter-clockwise, y up)."""
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    pts = []
    for k in range(n):
        t = 2 * math.pi * k / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


class _Figure:
    """Parts of a character in body units (100 = standing height, y up, facing right).

    Rendered in two passes: a dark, slightly fattened silhouette of all outlined parts,
    then the fills in order, so limbs merge into bodies like in a cartoon.
    """

    def __init__(self, scale: float, anchor: tuple[float, float], stroke: float):
        self.s, self.ax, self.ay, self.stroke = scale, anchor[0], anchor[1], stroke
        self.parts: list[tuple] = []

    def P(self, x: float, y: float) -> tuple[float, float]:
        return (self.ax + x * self.s, self.ay - y * self.s)

    def ellipse(self, cx, cy, rx, ry, color, *, line=True, angle=0.0):
        if angle:
            return self.poly(_rot_ellipse(cx, cy, rx, ry, angle), color, line=line)
        self.parts.append(("ellipse", (*self.P(cx, cy), rx * self.s, ry * self.s), color, line))

    def poly(self, pts, color, *, line=True):
        self.parts.append(("poly", [self.P(x, y) for x, y in pts], color, line))

    def limb(self, pts, width, color, *, line=True):
        self.parts.append(("limb", ([self.P(x, y) for x, y in pts], width * self.s), color, line))

    def rect(self, x0, y0, x1, y1, r, color, *, line=True):
        a, b = self.P(x0, y1), self.P(x1, y0)
        self.parts.append(("rect", (*a, *b, r * self.s), color, line))

    def arc(self, cx, cy, rx, ry, start, end, width, color):
        self.parts.append(("arc", (*self.P(cx, cy), rx * self.s, ry * self.s, start, end, width * self.s), color, False))

    def _draw(self, c: Sketch, part, grow: float, color) -> None:
        kind, g = part[0], part[1]
        if kind == "ellipse":
            c.ellipse(g[0], g[1], g[2] + grow, g[3] + grow, color)
        elif kind == "poly":
            c.polygon(g, color, grow=grow)
        elif kind == "limb":
            c.line(g[0], g[1] + 2 * grow, color)
        elif kind == "rect":
            c.rect(g[0] - grow, g[1] - grow, g[2] + grow, g[3] + grow, color, radius=g[4] + grow)
        elif kind == "arc":
            c.arc(g[0], g[1], g[2], g[3], g[4], g[5], g[6], color)

    def render(self, c: Sketch, outline: Color) -> None:
        st = self.stroke * self.s
        for part in self.parts:  # 1. the silhouette, fattened, in the outline colour
            if part[3]:
                self._draw(c, part, st, outline)
        for part in self.parts:  # 2. the fills, back to front
            self._draw(c, part, 0.0, part[2])


def _eye(f: _Figure, x: float, y: float, r: float, pose: dict, color=(30, 24, 28)) -> None:
    if pose["eyes"] == "happy":
        f.arc(x, y - r * 0.3, r * 1.1, r * 1.0, 200, 340, r * 0.6, color)
    elif pose["eyes"] == "closed":
        f.arc(x, y + r * 0.4, r * 1.1, r * 0.8, 20, 160, r * 0.55, color)
    else:
        f.ellipse(x, y, r * 0.8, r, color, line=False)
        f.ellipse(x + r * 0.3, y + r * 0.35, r * 0.32, r * 0.32, (255, 255, 255), line=False)


def _scarf(f: _Figure, look, x: float, y: float, w: float, h: float, pose: dict) -> None:
    col = look.accessory_color
    f.ellipse(x, y, w, h, col, angle=-15)
    flap = 4 * math.sin((pose["phase"] or 0) * 2) + (6 if pose["stretch"] else 0)
    f.poly([(x - w * 0.5, y), (x - w * 3.2, y - h * 0.2 + flap), (x - w * 3.4, y - h * 1.1 + flap), (x - w * 0.4, y - h * 0.9)],
           col)
    fold = [(x - w * 0.8, y - h * 0.3), (x - w * 3.0, y - h * 0.6 + flap), (x - w * 3.3, y - h * 0.9 + flap)]
    f.poly(fold, shade(col, 0.8), line=False)


def _quadruped(f: _Figure, look, pose: dict) -> None:
    kind = look.kind
    body, belly, dark = look.body, look.belly, shade(look.body, 0.78)
    d = pose["drop"] + 2.0 * pose["stretch"]
    legs = _legs(pose, 4, 7.0, 5.0)
    long_legs = 1.25 if kind in ("dog", "wolf") else 1.0
    bx, by = 0.0, 34.0 * long_legs + d
    hip, shoulder = (-18.0, by - 4), (18.0, by - 4)
    # 1. Tail, behind everything.
    t = pose["tail"]
    if kind in ("fox", "wolf"):
        f.ellipse(-40, by + 12 + 8 * t, 24, 11, body, angle=30 + 25 * t)
        if kind == "fox":
            tip = _rot_ellipse(-40, by + 12 + 8 * t, 24, 11, 30 + 25 * t)[14]  # far end of the tail
            f.ellipse(tip[0] + 4, tip[1] + 2, 8, 7, belly, line=False, angle=30 + 25 * t)
    elif kind in ("cat", "mouse", "lion"):
        curl = [(-28, by + 2), (-42, by + 10 + 10 * t), (-44, by + 26 + 12 * t), (-38, by + 34 + 10 * t)]
        f.limb(curl, 5 if kind == "cat" else 3, body)
        if kind == "lion":
            f.ellipse(-38, by + 36 + 10 * t, 5, 5, look.accent)
    elif kind == "dog":
        f.limb([(-28, by + 4), (-38, by + 16 + 8 * t)], 6, body)
    elif kind in ("rabbit", "bear"):
        f.ellipse(-30, by + 4, 7, 7, belly if kind == "rabbit" else body)
    elif kind == "dragon":
        f.limb([(-26, by), (-46, by - 8), (-62, by + 4 + 8 * t)], 8, body)
        f.poly([(-62, by + 4 + 8 * t), (-72, by + 12 + 8 * t), (-66, by - 2 + 8 * t)], look.accent)
    # 2. Far legs (darker), dragon's far wing.
    for (dx, lift), top in ((legs[1], shoulder), (legs[2], hip)):
        f.limb([(top[0] + 4, top[1]), (top[0] + 4 + dx, lift + 3)], 8, dark)
    if look.wings:
        w = pose["wing"]
        f.poly([(-4, by + 12), (-26, by + 40 + 20 * w), (-6, by + 30 + 30 * w), (10, by + 14)], shade(look.accent, 0.8))
    # 3. Body, near legs, chest.
    f.ellipse(bx, by, 32, 16, body)
    for (dx, lift), top in ((legs[0], shoulder), (legs[3], hip)):
        f.limb([top, (top[0] + dx, lift + 3)], 8.5, body)
        f.ellipse(top[0] + dx + 1.5, lift + 2.5, 5.5, 3.5, belly if kind in ("fox", "cat", "dog", "lion") else dark, line=False)
    if kind == "panda" or look.panda:
        for (dx, lift), top in ((legs[0], shoulder), (legs[3], hip)):
            f.limb([top, (top[0] + dx, lift + 3)], 8.5, (40, 40, 46))
    f.ellipse(bx + 4, by - 6, 20, 8, belly, line=False)
    if look.stripes:
        for k in range(4):
            x = -18 + k * 10
            f.poly([(x, by + 15), (x + 4, by + 15), (x + 1, by + 3)], shade(body, 0.35), line=False)
    if kind == "dragon":  # spikes along the back and the near wing
        for k in range(4):
            x = -20 + k * 11
            f.poly([(x - 4, by + 13), (x, by + 22), (x + 4, by + 14)], look.accent)
    if look.wings:
        w = pose["wing"]
        f.poly([(-2, by + 12), (-20, by + 46 + 24 * w), (2, by + 36 + 32 * w), (16, by + 12)], look.accent)
    # 4. Neck and head.
    hx, hy = 34.0, by + 22 + (2 if pose["mouth"] else 0)
    if kind == "dragon":
        hx, hy = 40.0, by + 30
        f.limb([(20, by + 4), (34, by + 20), (hx, hy)], 14, body)
    else:
        f.ellipse(24, by + 10, 11, 13, body)
    if kind == "lion":
        f.poly([(hx + 22 * math.cos(a) * (1.0 if k % 2 else 0.8), hy + 22 * math.sin(a) * (1.0 if k % 2 else 0.8))
                for k, a in enumerate(np.linspace(0, 2 * math.pi, 20, endpoint=False))], look.accent)
    # ears behind the head
    ear_in = mix(look.belly, (240, 150, 160), 0.4)
    if kind in ("fox", "cat", "wolf", "lion", "dog", "dragon"):
        if kind == "dog":
            f.ellipse(hx - 9, hy + 2, 6, 12, dark, angle=-15)
        elif kind == "dragon":
            f.poly([(hx - 6, hy + 10), (hx - 18, hy + 24), (hx - 3, hy + 13)], look.accent)
            f.poly([(hx + 2, hy + 12), (hx - 6, hy + 28), (hx + 6, hy + 14)], look.accent)
        else:
            tall = 31 if kind in ("fox", "wolf") else 28
            for ex, k in ((-8, 0.9), (4, 1.0)):
                f.poly([(hx + ex - 6, hy + 10), (hx + ex - 1, hy + tall * k), (hx + ex + 7, hy + 11)], body if ex > 0 else dark)
            f.poly([(hx + 0, hy + 12), (hx + 3, hy + tall - 7), (hx + 7, hy + 12)], ear_in, line=False)
    elif kind == "rabbit":
        for ex, col in ((-6, dark), (2, body)):
            f.ellipse(hx + ex, hy + 26, 5.5, 16, col, angle=10)
        f.ellipse(hx + 2, hy + 27, 2.5, 11, ear_in, line=False, angle=10)
    elif kind in ("bear", "mouse", "panda"):
        r = 9 if kind == "mouse" else 6.5
        ec = (40, 40, 46) if look.panda else body
        f.ellipse(hx - 9, hy + 13, r, r, ec)
        f.ellipse(hx + 3, hy + 15, r, r, ec)
    # head
    hr = 16 if kind != "dragon" else 13
    f.ellipse(hx, hy, hr + 1, hr, body)
    # muzzle / snout
    if kind in ("fox", "wolf"):
        f.poly([(hx + 6, hy + 4), (hx + 27, hy - 3), (hx + 25, hy - 7), (hx + 6, hy - 10)], body)
        f.ellipse(hx + 10, hy - 6, 9, 5, belly, line=False)
        f.ellipse(hx + 25, hy - 4, 3.5, 3, (30, 24, 28), line=False)
    elif kind == "dragon":
        f.rect(hx, hy - 10, hx + 24, hy + 3, 5, body)
        f.ellipse(hx + 20, hy, 1.8, 1.8, (30, 24, 28), line=False)
        f.poly([(hx - 4, hy + 10), (hx - 14, hy + 20), (hx - 2, hy + 14)], mix(look.accent, (255, 255, 255), 0.5), line=False)
    elif kind == "dog":
        f.ellipse(hx + 14, hy - 5, 11, 8, belly)
        f.ellipse(hx + 23, hy - 2, 4, 3.5, (30, 24, 28), line=False)
    elif kind in ("bear", "panda"):
        f.ellipse(hx + 12, hy - 5, 8, 6, belly)
        f.ellipse(hx + 18, hy - 3, 3, 2.5, (30, 24, 28), line=False)
    else:  # cat, mouse, rabbit, lion: small muzzle
        f.ellipse(hx + 11, hy - 6, 7, 5, belly, line=False)
        f.poly([(hx + 14, hy - 1), (hx + 19, hy - 1), (hx + 16.5, hy - 4)], (232, 120, 140), line=False)
    if look.panda:
        f.ellipse(hx + 6, hy + 3, 5.5, 6.5, (40, 40, 46), line=False, angle=-20)
    if pose["mouth"] and kind != "dragon":
        f.arc(hx + 13, hy - 8, 5, 3.5, 20, 160, 1.6, (60, 30, 34))
    _eye(f, hx + 6 if kind != "dragon" else hx + 4, hy + 3, 3.2, pose, (250, 250, 250) if look.panda else (30, 24, 28))
    # 5. Accessories.
    acc = look.accessory
    if acc == "scarf":
        _scarf(f, look, 24, by + 10, 7, 10, pose)
    elif acc in ("hat", "cap", "beanie"):
        f.ellipse(hx - 1, hy + 12, 13, 8, look.accessory_color)
        f.rect(hx - 14, hy + 10, hx + 12, hy + 13, 1.5, look.accessory_color)
    elif acc in ("collar", "bow", "bandana"):
        f.ellipse(24, by + 8, 6, 11, look.accessory_color, angle=-15)
    elif acc in ("cape", "cloak"):
        f.poly([(22, by + 16), (-22, by + 10), (-26, by - 6), (20, by + 4)], look.accessory_color)
    elif acc == "backpack":
        f.rect(-12, by + 8, 6, by + 22, 4, look.accessory_color)


def _biped(f: _Figure, look, pose: dict) -> None:
    kind = look.kind
    skin, outfit, pants = look.skin, look.body, look.belly
    d = pose["drop"] + 3 * pose["stretch"]
    legs = _legs(pose, 2, 9.0, 7.0)
    robot = kind == "robot"
    hip_y = 40 + d
    arm_up = pose["arms"]
    swing = 9 * math.sin(pose["phase"]) if pose["phase"] is not None else 0.0
    shoulder = (2.0, 66 + d)

    def arm(sign: float, color):
        # angle from hanging straight down, positive towards the front; raised arms make a "V"
        a = math.radians(sign * swing * 2.5 + arm_up * (120 if sign > 0 else -120))
        elbow = (shoulder[0] + 13 * math.sin(a), shoulder[1] - 13 * math.cos(a))
        b = a + 0.35 * (1 if a >= 0 else -1)  # a slight bend at the elbow
        hand = (elbow[0] + 12 * math.sin(b), elbow[1] - 12 * math.cos(b))
        f.limb([shoulder, elbow, hand], 7, color)
        f.ellipse(hand[0], hand[1], 4, 4, skin if not robot else shade(outfit, 0.7))

    # 1. Cape behind, far arm and far leg.
    if look.accessory in ("cape", "cloak"):
        flap = 3 * math.sin((pose["phase"] or 0) * 2) + 5 * pose["stretch"]
        f.poly([(-2, 70 + d), (-20 - flap, 18 + d), (-4, 16 + d), (6, 68 + d)], look.accessory_color)
    arm(-1, shade(outfit, 0.8))
    dx, lift = legs[1]
    f.limb([(-1, hip_y), (-1 + dx, lift + 4)], 9, shade(pants, 0.8))
    f.ellipse(-1 + dx + 3, lift + 3, 6.5, 3.5, look.shoes)
    # 2. Near leg, body.
    dx, lift = legs[0]
    f.limb([(2, hip_y), (2 + dx, lift + 4)], 9.5, pants)
    f.ellipse(2 + dx + 3, lift + 3, 6.5, 3.5, look.shoes)
    if kind == "wizard" or look.accessory == "dress":
        col = outfit if kind == "wizard" else look.accessory_color
        f.poly([(-8, 72 + d), (10, 72 + d), (18, 18 + d), (-16, 18 + d)], col)
    elif robot:
        f.rect(-13, hip_y - 2, 15, 70 + d, 3, outfit)
        f.rect(-6, 48 + d, 8, 60 + d, 2, look.accent, line=False)
        f.ellipse(1, 54 + d, 2.5, 2.5, (120, 255, 200) if pose["eyes"] != "closed" else (60, 90, 80), line=False)
    else:
        f.rect(-12, hip_y - 4, 14, 72 + d, 8, outfit)
        if kind == "knight":
            f.rect(-6, hip_y - 2, 8, 70 + d, 2, look.accent, line=False)
    if look.accessory == "scarf":
        _scarf(f, look, 3, 71 + d, 9, 5, pose)
    if look.accessory == "backpack":
        f.rect(-20, 46 + d, -8, 68 + d, 4, look.accessory_color)
    # 3. Head.
    hx, hy = 4.0, 87 + d
    if robot:
        f.limb([(hx, hy + 12), (hx - 2, hy + 22)], 2, shade(outfit, 0.6))
        f.ellipse(hx - 2, hy + 23, 3.5, 3.5, look.accent)
        f.rect(hx - 13, hy - 12, hx + 15, hy + 12, 5, outfit)
        f.rect(hx - 2, hy - 6, hx + 15, hy + 6, 3, (30, 36, 50), line=False)
        if pose["eyes"] == "happy":
            f.arc(hx + 8, hy - 1, 3.5, 3, 200, 340, 2, (120, 255, 200))
        elif pose["eyes"] == "closed":
            f.rect(hx + 4, hy - 1, hx + 12, hy + 1, 1, (60, 90, 80), line=False)
        else:
            f.ellipse(hx + 8, hy, 3.5, 3.5, (120, 255, 200), line=False)
    else:
        f.ellipse(hx, hy, 15, 15, skin if kind != "astronaut" else (240, 242, 248))
        if kind == "astronaut":
            f.ellipse(hx + 5, hy + 1, 10, 9, (46, 70, 120), line=False)
            f.ellipse(hx + 9, hy + 5, 3, 2, (200, 220, 255), line=False)
        elif kind == "knight":
            f.ellipse(hx, hy, 16, 16, look.body)
            f.rect(hx + 2, hy - 1, hx + 16, hy + 3, 1, (30, 30, 40), line=False)
            f.poly([(hx - 4, hy + 14), (hx - 16, hy + 30), (hx + 2, hy + 20)], look.accent)
        else:
            f.ellipse(hx - 4, hy + 6, 14, 10, look.hair, line=False, angle=15)  # hair on top and back
            f.ellipse(hx - 9, hy, 7, 12, look.hair, line=False)
            _eye(f, hx + 8, hy + 1, 2.6, pose)
            f.ellipse(hx + 8, hy - 5, 3, 2, mix(skin, (230, 110, 110), 0.35), line=False)
            if pose["mouth"]:
                f.arc(hx + 10, hy - 6, 3.5, 2.5, 20, 160, 1.4, (90, 40, 40))
        if kind == "wizard":
            f.poly([(hx - 17, hy + 8), (hx + 2, hy + 40), (hx + 17, hy + 8)], outfit)
            f.ellipse(hx, hy + 8, 20, 4, shade(outfit, 0.8))
            f.ellipse(hx + 3, hy + 26, 2.5, 2.5, look.accent, line=False)
        elif look.accessory in ("hat", "cap", "beanie"):
            f.ellipse(hx, hy + 9, 15, 9, look.accessory_color)
            f.rect(hx - 4, hy + 7, hx + 20, hy + 10, 1.5, look.accessory_color)
        elif look.accessory == "crown" or kind == "royal":
            crown = [(hx - 10, hy + 11), (hx - 11, hy + 24), (hx - 5, hy + 17), (hx, hy + 26), (hx + 5, hy + 17),
                     (hx + 11, hy + 24), (hx + 10, hy + 11)]
            f.poly(crown, look.accessory_color if look.accessory == "crown" else (244, 196, 60))
    # 4. Near arm in front.
    arm(1, outfit)
    if kind == "knight":
        f.ellipse(shoulder[0] + 10, shoulder[1] - 22 + 20 * arm_up, 8, 11, look.accent)


def _bird(f: _Figure, look, pose: dict) -> None:
    body, belly = look.body, look.belly
    beak = (246, 170, 50)
    hop = 4 * max(0.0, math.cos(pose["phase"] * 2)) if pose["phase"] is not None else 0.0
    d = pose["drop"] + hop + 4 * pose["stretch"]
    penguin = look.penguin
    for dx in (-5, 5):  # legs
        f.limb([(dx, 18 + d), (dx + (2 if pose["stretch"] else 0), 2 + d * 0.3)], 2.5, beak)
        f.poly([(dx - 3, 1 + d * 0.3), (dx + 7, 1 + d * 0.3), (dx + 2, 4 + d * 0.3)], beak, line=False)
    if penguin:
        f.ellipse(0, 40 + d, 21, 34, body)
        f.ellipse(5, 38 + d, 14, 27, belly, line=False)
        hx, hy = 6.0, 64 + d
    else:
        f.poly([(-18, 40 + d), (-40, 56 + d), (-38, 40 + d), (-20, 30 + d)], shade(body, 0.8))  # tail
        f.ellipse(0, 34 + d, 25, 22, body)
        f.ellipse(7, 28 + d, 15, 13, belly, line=False)
        hx, hy = 17.0, 58 + d
        f.ellipse(hx, hy, 15, 15, body)
    f.poly([(hx + 11, hy + 2), (hx + 24, hy - 2), (hx + 11, hy - 5)], beak)
    _eye(f, hx + 5, hy + 3, 3, pose)
    w = pose["wing"]
    f.ellipse(-4 if not penguin else -2, 36 + d + 8 * w, 16 if not penguin else 8, 9 if not penguin else 20,
              shade(body, 0.85), angle=-10 + 60 * w if not penguin else 30 * w)
    if look.accessory == "scarf":
        _scarf(f, look, hx - 4, hy - 12, 7, 5, pose)
    elif look.accessory in ("hat", "cap", "beanie"):
        f.ellipse(hx - 1, hy + 11, 12, 7, look.accessory_color)


def _turtle(f: _Figure, look, pose: dict) -> None:
    skin, shell = look.skin, look.body
    d = pose["drop"] * 0.5 + 3 * pose["stretch"]
    legs = _legs(pose, 4, 5.0, 3.0)
    flippers = look.flippers
    for (dx, lift), x in ((legs[1], 24), (legs[2], -18)):
        f.ellipse(x + dx + 3, 7 + lift + d, 7, 5 if not flippers else 4, shade(skin, 0.8), angle=-25 if flippers else 0)
    hx, hy = 40.0, 20 + d + 6 * pose["arms"]
    f.limb([(24, 14 + d), (hx, hy)], 12, skin)
    f.ellipse(hx + 3, hy + 2, 11, 9, skin)
    _eye(f, hx + 7, hy + 4, 2.6, pose)
    if pose["mouth"]:
        f.arc(hx + 9, hy - 2, 4, 2.5, 20, 160, 1.3, (50, 40, 40))
    f.poly([(-30, 12 + d), (-40, 8 + d), (-30, 6 + d)], skin)
    for (dx, lift), x in ((legs[0], 22), (legs[3], -20)):
        if flippers:
            f.ellipse(x + dx, 6 + lift + d, 11, 4.5, skin, angle=-25)
        else:
            f.rect(x + dx - 5, lift + d, x + dx + 5, 12 + d, 3.5, skin)
    # shell: a dome, a rim and a few plates
    dome = [(34 * math.cos(t), 12 + d + 30 * math.sin(t)) for t in np.linspace(0, math.pi, 24)]
    f.poly(dome, shell)
    f.rect(-36, 9 + d, 36, 15 + d, 3, shade(shell, 0.75))
    plate = mix(shell, look.belly, 0.45)
    for px, py, r in ((-14, 26, 8), (2, 31, 8.5), (18, 25, 7.5), (-3, 20, 6), (-24, 18, 5), (27, 17, 4.5)):
        corners = np.linspace(0, 2 * math.pi, 6, endpoint=False)
        hexagon = [(px + r * math.cos(a), py + d + r * 0.8 * math.sin(a)) for a in corners]
        f.poly(hexagon, plate, line=False)
    if look.accessory == "scarf":
        _scarf(f, look, 30, 16 + d, 5, 7, pose)


def _creature(f: _Figure, look, pose: dict) -> None:
    """A friendly blob with big eyes for characters storykit has no drawing of."""
    body, belly = look.body, look.belly
    legs = _legs(pose, 2, 7.0, 6.0)
    d = pose["drop"] + 3 * pose["stretch"]
    for (dx, lift), x in ((legs[1], -8), (legs[0], 8)):
        f.ellipse(x + dx, lift + 4 + d * 0.3, 9, 5.5, shade(body, 0.8))
    arm = pose["arms"]
    f.ellipse(-26, 40 + d + 14 * arm, 6, 11, shade(body, 0.85), angle=-20 - 40 * arm)
    if look.antennae:
        for ax in (-8, 10):
            f.limb([(ax, 70 + d), (ax * 1.6, 88 + d)], 2.5, shade(body, 0.7))
            f.ellipse(ax * 1.6, 89 + d, 4.5, 4.5, look.accent)
    else:
        for ax in (-14, 12):
            f.ellipse(ax, 68 + d, 8, 9, body)
    f.ellipse(0, 40 + d, 30, 33, body)
    f.ellipse(4, 30 + d, 19, 17, belly, line=False)
    f.ellipse(28, 40 + d + 14 * arm, 6, 11, shade(body, 0.95), angle=20 + 40 * arm)
    for ex in (0, 15):
        if pose["eyes"] == "open":
            f.ellipse(ex, 50 + d, 7, 8, (255, 255, 255), line=False)
        _eye(f, ex + 1.5, 49 + d, 4, pose)
    f.ellipse(-6, 40 + d, 4, 2.5, mix(body, (240, 110, 130), 0.5), line=False)
    f.ellipse(22, 40 + d, 4, 2.5, mix(body, (240, 110, 130), 0.5), line=False)
    f.arc(8, 38 + d, 6 if pose["mouth"] else 4, 4, 20, 160, 1.8, (60, 30, 40))
    if look.accessory == "scarf":
        _scarf(f, look, 6, 22 + d, 20, 5, pose)
    elif look.accessory in ("hat", "cap", "beanie"):
        f.ellipse(4, 72 + d, 17, 10, look.accessory_color)


_DRAW = {"quadruped": _quadruped, "biped": _biped, "bird": _bird, "turtle": _turtle, "creature": _creature}


def draw_character(look, pose: str, height_px: float, ss: int | None = None) -> tuple[Image.Image, tuple[int, int]]:
    """One pose of a character as an RGBA sprite, facing right, and its feet anchor (x, y) in pixels."""
    ss = ss or (3 if height_px < 100 else 2)  # small sprites need finer anti-aliasing
    s = height_px / 100.0
    w, h = int(math.ceil(190 * s)) + 4, int(math.ceil(150 * s)) + 4
    anchor = (w / 2, h - 12 * s - 2)
    c = Sketch(0, 0, w, h, ss=ss)
    fig = _Figure(s, anchor, stroke=2.4)
    _DRAW[look.body_plan](fig, look, _pose(pose))
    fig.render(c, look.outline)
    img = c.finish().image()
    box = img.getchannel("A").getbbox() or (0, 0, 1, 1)
    return img.crop(box), (int(round(anchor[0])) - box[0], int(round(anchor[1])) - box[1])


PROPS = ("lantern", "cake", "ball", "star", "key", "flower", "gift", "gem")


def draw_prop(kind: str, color: Color, size_px: float, ss: int = 3) -> Image.Image:
    """The story's object (what the action is about) as an RGBA sprite about `size_px` tall, centred."""
    s = size_px / 100.0
    w = h = int(math.ceil(130 * s)) + 4
    c = Sketch(0, 0, w, h, ss=ss)
    f = _Figure(s, (w / 2, h / 2 + 50 * s), stroke=3.0)  # units: 0..100 up from the bottom
    light = mix(color, (255, 255, 255), 0.45)
    if kind == "lantern":
        f.limb([(-12, 92), (0, 104), (12, 92)], 3, (70, 60, 60))
        f.rect(-16, 86, 16, 92, 2, (70, 60, 60))
        f.ellipse(0, 50, 34, 38, color)
        f.arc(0, 50, 17, 37, 90, 270, 2.2, shade(color, 0.72))  # paper ribs
        f.arc(0, 50, 17, 37, -90, 90, 2.2, shade(color, 0.72))
        f.ellipse(0, 50, 18, 24, (255, 226, 140), line=False)
        f.rect(-16, 8, 16, 14, 2, (70, 60, 60))
    elif kind == "cake":
        f.rect(-40, 4, 40, 40, 6, color)
        f.rect(-30, 40, 30, 66, 6, light)
        icing = [(-40, 40), (40, 40), (40, 32), (28, 36), (16, 30), (4, 36), (-8, 30), (-20, 36), (-32, 30), (-40, 34)]
        f.poly(icing, (255, 250, 244), line=False)
        f.rect(-3, 66, 3, 84, 1, (120, 180, 240))
        f.ellipse(0, 90, 4, 7, (255, 200, 60), line=False)
    elif kind == "ball":
        f.ellipse(0, 45, 40, 40, color)
        f.arc(0, 45, 40, 14, 0, 180, 5, light)
        f.ellipse(-14, 60, 9, 7, mix(color, (255, 255, 255), 0.7), line=False)
    elif kind == "star":
        radius = [46 * (1.0 if k % 2 == 0 else 0.45) for k in range(10)]  # points and notches
        pts = [(radius[k] * math.sin(k * math.pi / 5), 48 + radius[k] * math.cos(k * math.pi / 5)) for k in range(10)]
        f.poly(pts, color)
        f.ellipse(-8, 56, 7, 7, light, line=False)
    elif kind == "key":
        f.ellipse(-22, 60, 20, 20, color)
        f.ellipse(-22, 60, 8, 8, (0, 0, 0), line=False)
        f.rect(-4, 54, 44, 66, 3, color)
        f.rect(26, 40, 34, 56, 2, color)
        f.rect(38, 44, 44, 56, 2, color)
    elif kind == "flower":
        f.limb([(0, 4), (2, 50)], 5, (70, 150, 70))
        f.ellipse(14, 24, 12, 6, (80, 170, 80), angle=30)
        for k in range(6):
            a = k * math.pi / 3
            f.ellipse(2 + 16 * math.cos(a), 64 + 16 * math.sin(a), 12, 12, color)
        f.ellipse(2, 64, 11, 11, (250, 210, 70), line=False)
    elif kind == "gift":
        f.rect(-38, 4, 38, 62, 4, color)
        f.rect(-42, 58, 42, 72, 4, shade(color, 1.1))
        f.rect(-6, 4, 6, 72, 1, (250, 220, 90), line=False)
        f.ellipse(-14, 80, 14, 9, (250, 220, 90), angle=20)
        f.ellipse(14, 80, 14, 9, (250, 220, 90), angle=-20)
    else:  # gem
        f.poly([(-34, 62), (-20, 80), (20, 80), (34, 62), (0, 10)], color)
        f.poly([(-20, 80), (0, 62), (20, 80)], light, line=False)
        f.poly([(-34, 62), (0, 62), (0, 10)], shade(color, 0.8), line=False)
    f.render(c, mix(color, (30, 20, 40), 0.7))
    img = c.finish().image()
    return img


def glow_sprite(radius: float, color: Color, strength: float = 0.55) -> Image.Image:
    """A soft round glow to put behind something precious."""
    r = max(2, int(radius))
    layer = Layer(Image.new("RGBa", (2 * r, 2 * r), (0, 0, 0, 0)), 0, 0)
    layer.glow(r, r, r, color, strength)
    return layer.image()


def shadow_sprite(width: float, height: float, opacity: float = 0.3) -> Image.Image:
    """A soft elliptical contact shadow."""
    c = Sketch(0, 0, int(width) + 4, int(height) + 4)
    c.ellipse(c.width / 2, c.height / 2, width / 2, height / 2, (0, 0, 0))
    img = c.finish().image()
    img.putalpha(img.getchannel("A").point(lambda a: int(a * opacity)))
    return img


# -- text ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _font_path() -> str | None:
    """DejaVu Sans Bold: from matplotlib's data when installed (no import), else the system's."""
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.origin:
        p = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
        if p.is_file():
            return str(p)
    try:
        ImageFont.truetype("DejaVuSans-Bold.ttf", 10)
        return "DejaVuSans-Bold.ttf"
    except OSError:
        return None


@functools.lru_cache(maxsize=32)
def caption_font(size: int):
    """DejaVu Sans Bold when available (wide Unicode coverage), else Pillow's bundled font."""
    path = _font_path()
    if path:  # basic layout: ~10x faster than raqm, and enough for captions
        return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1
    except TypeError:
        return ImageFont.load_default()


def font_name() -> str:
    f = caption_font(12)
    return " ".join(f.getname()) if hasattr(f, "getname") else "Pillow bitmap"


@functools.lru_cache(maxsize=4096)
def _has_glyph(size: int, ch: str) -> bool:
    font = caption_font(size)
    if not hasattr(font, "getmask"):
        return ch.isascii()
    try:
        return bytes(font.getmask(ch)) != bytes(font.getmask("\uffff"))  # U+FFFF draws the "missing" box
    except Exception:  # a glyph FreeType cannot render at all
        return False


def clean_caption(text: str, size: int) -> str:
    """`text` with what the font cannot draw removed: accents folded (é -> e) if needed, emoji dropped."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif _has_glyph(size, ch):
            out.append(ch)
        else:
            base = "".join(b for b in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(b))
            if base and all(_has_glyph(size, b) for b in base):
                out.append(base)
    return " ".join("".join(out).split())


def _wrap(text: str, font, max_width: float, max_lines: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        while font.getlength(word) > max_width and len(word) > 1:  # break words that cannot fit
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > max_width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{line} {word}".strip()
        if font.getlength(trial) <= max_width:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def _label(text: str, font, pad: float, fill, bg, radius: float) -> Image.Image:
    """Text on a rounded, translucent box."""
    lines = text.split("\n")
    asc, desc = font.getmetrics() if hasattr(font, "getmetrics") else (10, 2)
    lh = asc + desc
    w = int(max(font.getlength(line) for line in lines) + 2 * pad)
    h = int(lh * len(lines) + 2 * pad * 0.8)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=bg)
    for i, line in enumerate(lines):
        x = (w - font.getlength(line)) / 2
        y = pad * 0.8 + i * lh
        d.text((x + 1, y + 1), line, font=font, fill=(0, 0, 0, 160))
        d.text((x, y), line, font=font, fill=fill)
    return img


def text_overlays(caption: str, corner: str, width: int, height: int) -> list[tuple[int, int, Image.Image]]:
    """Caption at the bottom, 'ANIMATIC' mark top right, `corner` label top left: (x, y, RGBA image)."""
    size = max(10, round(0.04 * min(height, 1.25 * width)))
    small = max(9, round(size * 0.7))
    out = []
    mark = _label("ANIMATIC", caption_font(small), small * 0.5, (255, 255, 255, 235), (200, 40, 40, 150), small * 0.4)
    out.append((width - mark.width - round(0.02 * width), round(0.02 * height), mark))
    corner = clean_caption(corner, small)
    if corner:
        lab = _label(corner, caption_font(small), small * 0.5, (255, 255, 255, 230), (0, 0, 0, 110), small * 0.4)
        if lab.width < width - mark.width - 0.06 * width:
            out.append((round(0.02 * width), round(0.02 * height), lab))
    caption = clean_caption(caption, size)
    if caption:
        font = caption_font(size)
        lines = _wrap(caption, font, width * 0.94 - 2 * size * 0.5, max_lines=3)
        lab = _label("\n".join(lines), font, size * 0.5, (255, 255, 255, 255), (0, 0, 0, 150), size * 0.45)
        out.append(((width - lab.width) // 2, height - lab.height - round(0.02 * height), lab))
    return out
