"""The animatic's world: palettes per time of day and four parallax layers (back, mid, ground, fore).

Coordinates are frame pixels (y down). Each layer is drawn once per story, wider than the
frame, so the camera can pan across it.
"""

from __future__ import annotations

import math

import numpy as np
from . import rooms
from .sketch import Color, Layer, Sketch, _rgba, mix, shade, spread

__all__ = [
    "Palette",
    "palette",
    "draw_back",
    "draw_mid",
    "draw_ground",
    "draw_fore",
]


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
    # under the sea: deep blue above, lighter water below; everything takes the water's blue
    "underwater": dict(sky=((8, 48, 110), (36, 128, 186)), haze=(30, 104, 164), light=(0.45, 0.72, 1.0),
                       sun_at=(0.5, -0.5), sun_r=0.0, stars=0.0),
}
_SNOWY = {"grass", "grass_dark", "moss", "tree", "pine", "jungle", "bamboo", "bamboo_dark"}  # white under snow
_GROUNDS = {"grass", "grass_dark", "moss", "sand", "dune", "snow", "road", "moon", "space_rock"}

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

    def __init__(self, time: str, mist: bool = False, overcast: bool = False, *, storm: bool = False,
                 snow: bool = False, sky: Color | None = None, ground: Color | None = None):
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
        if storm:  # a storm: darker still
            self.sky_top, self.sky_bottom = shade(self.sky_top, 0.6), shade(self.sky_bottom, 0.7)
            self.light = tuple(x * 0.8 for x in self.light)
        if sky is not None:  # "a purple sky": the colour from top to horizon, lighter below
            self.sky_top, self.sky_bottom = shade(sky, 0.75), mix(sky, (255, 255, 255), 0.35)
            self.haze = mix(self.haze, sky, 0.5)
        self.snow, self.ground = snow, ground
        self.sun = t.get("sun")
        self.moon = t.get("moon")
        self.sun_at, self.sun_r, self.stars = t["sun_at"], t["sun_r"], t["stars"]
        self.mist = mist

    def tone(self, base, depth: int, k: float = 1.0) -> Color:
        """A land colour lit by the time of day and hazed by distance (atmospheric perspective)."""
        if isinstance(base, str):
            name, base = base, LAND[base]
            if self.snow and name in _SNOWY:  # snow lies on the trees and the grass
                base = mix(base, LAND["snow"], 0.62)
            if self.ground is not None and name in _GROUNDS:  # "red sand"
                base = mix(base, self.ground, 0.75)
        c = tuple(x * l * k for x, l in zip(base, self.light))
        haze = HAZE[depth] * (1.6 if self.mist else 1.0)
        return mix(c, self.haze, min(0.85, haze))


def palette(world) -> Palette:
    from .words import COLORS

    return Palette(world.time, "mist" in world.weather, "rain" in world.weather, storm="storm" in world.weather,
                   snow="snow" in world.traits, sky=COLORS.get(world.sky_color), ground=COLORS.get(world.ground_color))


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
        return rooms.draw_room(world, pal, rng, W, H, x0, x1, my)
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
            for px in spread(c, rng, W * (0.3 + 0.1 * layer)):
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
        for x in spread(c, rng, 0.07 * W, 0.3):
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
            for x in spread(c, rng, 0.035 * W):
                y, h = float(np.interp(x / W, xs, ridge)) + 0.02 * H, rng.uniform(0.07, 0.14) * H
                c.polygon([(x - h * 0.28, y), (x, y - h), (x + h * 0.28, y)], col)
        elif far == "bamboo":  # faint stalks in the distance
            col = mix(pal.tone("bamboo", 0, 0.95), pal.haze, 0.3)
            for x in spread(c, rng, 0.09 * W):
                w = rng.uniform(0.006, 0.01) * W
                c.rect(x, c.y0, x + w, horizon + 0.05 * H, col)
        band = 0.45 if pal.mist else 0.2
    layer = c.finish()
    for g in glows:
        layer.glow(*g)
    if band:
        layer.band(horizon - 0.06 * H, horizon + 0.14 * H, pal.haze, 0.0, band)
    return layer


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
            for x in spread(c, rng, W * (0.13 - row * 0.015), 0.45):
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
        rooms.furniture(c, world, pal, rng, W, H, base + 0.02 * H)
        return c.finish()
    if mid in ("trees", "hills", "jungle"):
        leaves = "leaves" in world.weather
        crown = pal.tone("autumn" if leaves else ("jungle" if mid == "jungle" else "tree"), 1)
        light, trunk, pine = shade(crown, 1.22), pal.tone("trunk", 1), pal.tone("pine", 1)
        step = {"trees": 0.13, "hills": 0.32, "jungle": 0.16}[mid] * W
        for x in spread(c, rng, step):
            h = rng.uniform(0.22, 0.36) * H * (1.3 if mid == "jungle" else 1.0) * (0.6 if mid == "hills" else 1.0)
            if mid == "trees" and rng.random() < 0.4:
                _pine(c, x, at(x) + 0.02 * H, h * 1.1, pine, trunk)
            else:
                _tree(c, x, at(x) + 0.02 * H, h, trunk, crown, light, sun_left)
        if mid == "jungle":  # hanging vines
            vine = pal.tone("jungle", 1, 0.8)
            for x in spread(c, rng, 0.07 * W):
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
            for x in spread(c, rng, W * (0.16 if depth else 0.11)):
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
        for x in spread(c, rng, W * (0.16 if mid == "buildings" else 0.22), 0.25):
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
        for x in spread(c, rng, 0.4 * W):
            y, h, w = at(x) + 0.03 * H, rng.uniform(0.1, 0.16) * H, 0.018 * W
            c.rect(x - w, y - h, x + w, y, cactus, radius=w)
            c.line([(x, y - h * 0.45), (x - 3 * w, y - h * 0.5), (x - 3 * w, y - h * 0.8)], w * 1.4, cactus)
            c.line([(x, y - h * 0.6), (x + 2.6 * w, y - h * 0.62), (x + 2.6 * w, y - h * 0.9)], w * 1.3, cactus)
    elif mid in ("rocks", "craters"):
        rock = "space_rock" if mid == "craters" else "rock"
        for x in spread(c, rng, 0.22 * W):
            y, r = at(x) + 0.03 * H, rng.uniform(0.04, 0.09) * H
            top, right = (x + r * 0.2, y - r * 1.3), (x + r * 1.3, y - r * 0.6)
            c.polygon([(x - r * 1.4, y), (x - r, y - r * 0.9), top, right, (x + r * 1.5, y)], pal.tone(rock, 1, 1.05))
            c.polygon([top, right, (x + r * 1.5, y), (x + r * 0.3, y)], pal.tone(rock, 1, 0.8))  # the shaded side
        if mid == "rocks":
            pine, trunk = pal.tone("pine", 1), pal.tone("trunk", 1)
            for x in spread(c, rng, 0.25 * W):
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
            for x in spread(c, rng, 0.2 * W):
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
