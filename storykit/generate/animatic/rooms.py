"""Rooms: an interior's back wall and its furniture, by the kind of room (WorldLook.room).

A classroom has a blackboard and desks, a library walls of shelves full of books, a
kitchen cupboards, a counter and a stove; any other room windows, pictures, shelves,
tables and plants.
"""

from __future__ import annotations

import numpy as np

from .sketch import Layer, Sketch, mix, shade, spread

__all__ = ["draw_room", "furniture"]

_WALL = (236, 214, 178)
_MID_BASE = 0.65  # scenery.MID_BASE: where the back wall meets the floor
_PICTURES = ((110, 160, 210), (230, 160, 90), (130, 190, 120), (200, 120, 150))


def _window(c: Sketch, pal, x: float, W: int, H: int, lit: float) -> float:
    w, top = 0.2 * W, 0.12 * H
    c.rect(x - 0.01 * W, top - 0.01 * W, x + w + 0.01 * W, top + 0.3 * H + 0.01 * W, pal.tone("wood", 1, lit))
    c.rect(x, top, x + w, top + 0.3 * H, pal.sky_bottom if pal.time != "night" else pal.sky_top)
    if pal.moon:
        c.circle(x + 0.7 * w, top + 0.08 * H, 0.025 * H, pal.moon)
    c.rect(x + w / 2 - 0.006 * W, top, x + w / 2 + 0.006 * W, top + 0.3 * H, pal.tone("wood", 1, lit))
    c.rect(x, top + 0.14 * H, x + w, top + 0.155 * H, pal.tone("wood", 1, lit))
    return w


def _shelves(c: Sketch, rng, x: float, w: float, top: float, bottom: float, wood, W: int, H: int) -> None:
    """A bookcase from `top` to `bottom`, its shelves full of coloured spines."""
    c.rect(x, top, x + w, bottom, wood)
    rows = max(2, int((bottom - top) / (0.1 * H)))
    for shelf in range(rows):
        y = top + 0.015 * H + shelf * (bottom - top) / rows
        bx = x + 0.01 * W
        while bx < x + w - 0.02 * W:
            bw = rng.uniform(0.01, 0.02) * W
            spine = mix(_PICTURES[int(rng.integers(4))], wood, 0.25)
            c.rect(bx, y + rng.uniform(0, 0.015) * H, bx + bw, y + (bottom - top) / rows - 0.02 * H, spine)
            bx += bw + 0.002 * W


def draw_room(world, pal, rng, W: int, H: int, x0: float, x1: float, my: float) -> Layer:
    """An interior's back wall: wallpaper and a wainscot, then what the room has on its walls."""
    lit = 1.0 if pal.time != "night" else 0.6  # lamps keep a room warmer than the night outside
    room = getattr(world, "room", "")
    wall = tuple(v * lit for v in ({"kitchen": (230, 232, 220), "classroom": (226, 220, 196)}.get(room, _WALL)))
    c = Sketch(x0, -my, x1, H + my, sky=[(-my, shade(wall, 0.92)), (H * _MID_BASE, wall)])
    if room == "kitchen":  # tiles
        for x in np.arange(x0, x1, 0.05 * W):
            c.rect(x, 0.3 * H, x + 0.003 * W, H * 0.52, shade(wall, 0.9))
        for y in np.arange(0.3 * H, 0.52 * H, 0.05 * W):
            c.rect(x0, y, x1, y + 0.003 * W, shade(wall, 0.9))
    else:
        for x in np.arange(x0, x1, 0.06 * W):  # wallpaper stripes
            c.rect(x, c.y0, x + 0.02 * W, H * 0.5, shade(wall, 0.96))
    c.rect(x0, H * 0.5, x1, H * 0.52, shade(wall, 0.8))
    c.rect(x0, H * 0.52, x1, c.y1, shade(wall, 0.88))
    wood = pal.tone("wood", 1, lit)
    x = x0 + rng.uniform(0.05, 0.15) * W
    while x < x1:
        if room == "classroom":  # a blackboard with chalk writing, a window between boards
            w = 0.5 * W
            c.rect(x - 0.012 * W, 0.1 * H - 0.012 * W, x + w + 0.012 * W, 0.42 * H + 0.012 * W, wood)
            c.rect(x, 0.1 * H, x + w, 0.42 * H, (40, 74, 58))
            for k in range(4):
                y = 0.15 * H + k * 0.06 * H
                c.rect(x + 0.04 * W, y, x + 0.04 * W + rng.uniform(0.15, 0.4) * W, y + 0.008 * H, (222, 230, 222))
            x += w + 0.1 * W
            x += _window(c, pal, x, W, H, lit) + 0.12 * W
        elif room == "library":  # shelves up the whole wall
            w = 0.3 * W
            _shelves(c, rng, x, w, 0.06 * H, 0.5 * H, wood, W, H)
            x += w + 0.02 * W
        elif room == "kitchen":  # cupboards high on the wall, a window
            w = 0.22 * W
            c.rect(x, 0.08 * H, x + w, 0.26 * H, mix(wood, (250, 250, 250), 0.4))
            c.rect(x + w / 2 - 0.002 * W, 0.08 * H, x + w / 2 + 0.002 * W, 0.26 * H, shade(wood, 0.7))
            x += w + 0.06 * W
            if rng.random() < 0.5:
                x += _window(c, pal, x, W, H, lit) + 0.06 * W
        elif rng.random() < 0.6:  # a window
            x += _window(c, pal, x, W, H, lit) + rng.uniform(0.25, 0.45) * W
        else:  # a framed picture
            w = rng.uniform(0.08, 0.12) * W
            c.rect(x, 0.18 * H, x + w, 0.18 * H + w * 0.8, pal.tone("wood", 1, 0.7 * lit))
            c.rect(x + 0.01 * W, 0.18 * H + 0.01 * W, x + w - 0.01 * W, 0.18 * H + w * 0.8 - 0.01 * W,
                   mix(_PICTURES[int(rng.integers(len(_PICTURES)))], wall, 0.3))
            x += w + rng.uniform(0.2, 0.4) * W
    return c.finish()


def furniture(c: Sketch, world, pal, rng, W: int, H: int, base: float) -> None:
    """Along the back wall: desks (classroom), bookcases (library), a counter and a stove (kitchen),
    else shelves, tables and potted plants."""
    wood = pal.tone("wood", 1, 0.9 if pal.time != "night" else 0.6)
    room = getattr(world, "room", "")
    if room == "kitchen":  # one long counter with a stove and a sink
        c.rect(c.x0, base - 0.16 * H, c.x1, base + 0.01 * H, mix(wood, (250, 250, 250), 0.3))
        c.rect(c.x0, base - 0.17 * H, c.x1, base - 0.15 * H, (200, 200, 206))
        for x in spread(c, rng, 0.45 * W, 0.1):
            c.rect(x, base - 0.165 * H, x + 0.14 * W, base - 0.155 * H, (60, 60, 66))  # the hob
            for k in (0.03, 0.09):
                c.circle(x + k * W + 0.01 * W, base - 0.17 * H, 0.012 * W, (40, 40, 44))
            c.rect(x + 0.01 * W, base - 0.13 * H, x + 0.13 * W, base - 0.02 * H, (90, 90, 98))  # the oven door
            c.rect(x + 0.03 * W, base - 0.12 * H, x + 0.11 * W, base - 0.06 * H, (40, 40, 48))
        return
    for x in spread(c, rng, 0.3 * W if room != "library" else 0.22 * W):
        kind = {"classroom": 1, "library": 0}.get(room, int(rng.integers(3)))
        if kind == 0:  # a bookcase
            w, h = 0.16 * W, 0.32 * H
            _shelves(c, rng, x, w, base - h, base + 0.01 * H, wood, W, H)
        elif kind == 1:  # a table (a pupil's desk)
            w = 0.2 * W if room != "classroom" else 0.14 * W
            c.rect(x, base - 0.12 * H, x + w, base - 0.105 * H, wood)
            for lx in (x + 0.01 * W, x + w - 0.025 * W):
                c.rect(lx, base - 0.11 * H, lx + 0.014 * W, base + 0.01 * H, shade(wood, 0.8))
            if room == "classroom":  # a chair behind it
                c.rect(x + w * 0.55, base - 0.17 * H, x + w * 0.6, base + 0.01 * H, shade(wood, 0.7))
        else:  # a potted plant
            c.rect(x, base - 0.07 * H, x + 0.05 * W, base + 0.01 * H, pal.tone("roof", 1))
            for a in (-0.6, -0.2, 0.2, 0.6):
                pot = base - 0.07 * H
                leaf = [(x + 0.02 * W, pot), (x + 0.025 * W + a * 0.06 * W, base - 0.2 * H), (x + 0.03 * W, pot)]
                c.polygon(leaf, pal.tone("tree", 1))
