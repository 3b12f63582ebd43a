"""The animatic's characters and props, drawn once per pose as sprites.

Characters are built in "body units" (100 = standing height, y up, facing right) and
mirrored for the other direction.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from .sketch import Color, Layer, Sketch, mix, shade

__all__ = [
    "draw_character",
    "draw_prop",
    "PROPS",
    "POSES",
]


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
    if look.apron and not robot:  # a cook's, a painter's, a farmer's apron: the front of the body
        f.rect(-2, hip_y - 6, 15, 64 + d, 2, look.apron)
        f.limb([(2, 64 + d), (8, 70 + d)], 1.5, shade(look.apron, 0.8), line=False)
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
    # 4. Near arm in front; an elder's cane from the hand to the ground.
    if look.elder:
        f.limb([(24, 46 + d), (27, 0)], 3.2, (120, 82, 52))
        f.arc(20, 46 + d, 4, 4, 0, 180, 3.2, (120, 82, 52))
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
    elif look.accessory in ("hat", "cap", "beanie"):  # on the head: a crown and a brim
        f.ellipse(hx + 3, hy + 11, 8, 6, look.accessory_color)
        f.rect(hx - 7, hy + 8, hx + 14, hy + 11, 1.5, look.accessory_color)


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
# The accessories each body plan draws on itself (`look.accessory`); any other thing a script has it wear
# is worn as an icon on its head, so that what a clip says it drew is on screen.
ACCESSORIES_DRAWN = {
    "quadruped": {"scarf", "hat", "cap", "beanie", "collar", "bow", "bandana", "cape", "cloak", "backpack"},
    "biped": {"scarf", "hat", "cap", "beanie", "cape", "cloak", "dress", "backpack", "crown"},
    "bird": {"scarf", "hat", "cap", "beanie"},
    "turtle": {"scarf", "hat", "cap", "beanie"},
    "creature": {"scarf", "hat", "cap", "beanie"},
}


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


# The head of each body plan, (x, y, radius) in body units (see the drawers above): held things keep clear of it.
_HEADS = {"biped": (4.0, 87.0, 16.0), "quadruped": (34.0, 64.0, 20.0), "bird": (17.0, 58.0, 16.0),
          "turtle": (40.0, 22.0, 12.0), "creature": (0.0, 48.0, 30.0)}
# Where a held thing's centre goes, in body units: in the hand (bipeds), in the mouth (animals), at the mouth.
HOLD = {"biped": {"hand": (22.0, 40.0), "mouth": (36.0, 76.0), "up": (4.0, 122.0)},
        "quadruped": {"hand": (70.0, 50.0), "mouth": (70.0, 56.0), "up": (-4.0, 66.0)},
        "bird": {"hand": (52.0, 46.0), "mouth": (54.0, 56.0), "up": (0.0, 90.0)},
        "turtle": {"hand": (64.0, 18.0), "mouth": (64.0, 22.0), "up": (0.0, 50.0)},
        "creature": {"hand": (40.0, 34.0), "mouth": (42.0, 52.0), "up": (0.0, 96.0)}}


def head(look) -> tuple[float, float, float]:
    """(x, y, radius) of the character's head in body units (100 = standing height, y up, facing right)."""
    hx, hy, r = _HEADS[look.body_plan]
    if look.body_plan == "quadruped":
        hy = 34.0 * (1.25 if look.kind in ("dog", "wolf") else 1.0) + 22
        if look.kind == "dragon":
            hx, hy = 40.0, 34.0 + 30
    return hx, hy, r


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
