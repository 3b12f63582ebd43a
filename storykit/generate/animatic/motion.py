"""How the character moves in a scene: one `Beat` per frame, for the story's arc and for each verb.

>>> [b.pose for b in track("sleep", 4, 8)][:2], track("sleep", 4, 8)[0].angle
(['blink', 'blink'], 90.0)
>>> track("fly", 9, 8)[8].lift > 0.25, track("swim", 9, 8)[4].prone
(True, True)

The arc's motions (distant, enter, walk, run, notice, struggle, jump, celebrate, idle)
carry a story from its establishing shot to its end; a verb's motion (swim, sleep, chase,
give, ...) acts the action out. Positions are fractions of the frame: `forward` across it
in the direction the character faces, `lift` above the ground line in frame heights.
"""

from __future__ import annotations

import dataclasses
import math

__all__ = ["Beat", "ARC", "track"]

ARC = ("distant", "enter", "walk", "run", "notice", "struggle", "jump", "celebrate", "idle")
STEPS_PER_SECOND = 8.0  # walk-cycle poses per second (two strides)


@dataclasses.dataclass
class Beat:
    """Where the character and what it acts with are in one frame."""

    forward: float  # 0..1 across the frame in the facing direction
    lift: float  # height above the ground in frame heights
    pose: str
    flip: bool = False  # looking back
    angle: float = 0.0  # body rotation in degrees, counter-clockwise when facing right (90: lying on its back)
    prone: bool = False  # swimming: a standing figure turns horizontal
    squash: tuple[float, float] = (1.0, 1.0)
    visible: bool = True  # under water after a dive
    hold: str = ""  # where the object is: hand, mouth, up, under, front, back, ground, air, other, ""
    obj: tuple[float, float] = (0.0, 0.0)  # the object's (forward, lift) when hold == "air"
    obj_scale: float = 1.0
    other: tuple[float, float, str, bool] | None = None  # a second figure: (forward, lift, pose, facing back)
    fx: tuple[tuple[str, float, float, float], ...] = ()  # marks near the head: (icon, dx, dy in body sizes, scale)
    grow: float = 0.0  # 0..1: how far a build, a dig or a painting has come


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, u)))


def _arc(motion: str, u: float, step: int) -> Beat:
    """The arc's motions: an entrance, a walk with a look around, a jump, a happy bounce, ..."""
    walk = f"walk{step % 4}"
    if motion == "distant":
        return Beat(0.32 + 0.3 * u, 0.0, f"walk{int(step * 0.75) % 4}")
    if motion == "enter":
        k = min(1.0, u / 0.7)
        pose = walk if u < 0.7 else ("blink" if 0.84 < u < 0.92 else "stand")
        return Beat(-0.15 + 0.62 * (1 - (1 - k) ** 2), 0.0, pose)
    if motion == "walk":
        if u < 0.45:
            return Beat(0.2 + 0.3 * u / 0.45, 0.0, walk)
        if u < 0.7:
            return Beat(0.5, 0.0, "stand", flip=0.5 <= u < 0.65)
        return Beat(0.5 + 0.22 * (u - 0.7) / 0.3, 0.0, walk)
    if motion == "run":
        return Beat(0.06 + 0.84 * u, 0.02 * abs(math.sin(step * math.pi / 2)), f"walk{(2 * step) % 4}")
    if motion == "notice":  # walks, stops short: something ahead!
        if u < 0.45:
            return Beat(0.2 + 0.25 * u / 0.45, 0.0, walk)
        if u < 0.6:
            return Beat(0.45, 0.03 * math.sin(math.pi * (u - 0.45) / 0.15), "happy1")
        return Beat(0.45 + 0.08 * (u - 0.6) / 0.4, 0.0, walk if u < 0.85 else "stand")
    if motion == "struggle":  # tries, bumps back, hesitates, tries again
        if u < 0.3:
            return Beat(0.25 + 0.22 * u / 0.3, 0.0, walk)
        if u < 0.45:
            return Beat(0.47 - 0.08 * (u - 0.3) / 0.15, 0.0, "crouch")
        if u < 0.7:
            return Beat(0.39, 0.0, "blink" if u < 0.55 else "stand", flip=0.55 <= u < 0.65)
        return Beat(0.39 + 0.12 * (u - 0.7) / 0.3, 0.0, walk)
    if motion == "jump":
        if u < 0.3:
            return Beat(0.2 + 0.2 * u / 0.3, 0.0, walk)
        if u < 0.4:
            return Beat(0.4, 0.0, "crouch")
        if u < 0.8:
            s = (u - 0.4) / 0.4
            return Beat(0.4 + 0.2 * s, 0.24 * 4 * s * (1 - s), "air")
        return Beat(0.6, 0.0, "crouch" if u < 0.88 else "happy0")
    if motion == "celebrate":
        hop = abs(math.sin(3 * math.pi * u))
        return Beat(0.5 + 0.03 * math.sin(2 * math.pi * u), 0.07 * hop, "happy0" if hop > 0.3 else "happy1")
    return Beat(0.5, 0.0, "blink" if 0.6 < u < 0.7 else "stand")  # idle


def _hop(u: float, a: float, b: float, height: float) -> float:
    """A jump's height at `u` for a hop between a and b."""
    if not a <= u <= b:
        return 0.0
    s = (u - a) / (b - a)
    return height * 4 * s * (1 - s)


def _verb(motion: str, u: float, step: int, t: float) -> Beat:
    """A verb's own motion (see verbs.VERB_CLASSES; walk, run, jump and celebrate are the arc's)."""
    walk, run = f"walk{step % 4}", f"walk{(2 * step) % 4}"
    beat2 = step // 2  # a slower beat: about two per second
    if motion == "run_away":
        x = 0.2 + 0.78 * u
        return Beat(x, 0.025 * abs(math.sin(step * math.pi / 2)), run, flip=0.35 < u < 0.45, angle=-8.0,
                    other=(x - 0.4 + 0.1 * u, 0.02 * abs(math.sin(step * math.pi / 2 + 1)), run, False))
    if motion == "chase":
        x = 0.02 + 0.7 * u
        return Beat(x, 0.025 * abs(math.sin(step * math.pi / 2)), run, angle=-8.0,
                    other=(x + 0.34 - 0.06 * u, 0.05 * abs(math.sin(step * math.pi / 3)), run, False))
    if motion == "fly":
        lift = 0.3 * _ease(u / 0.35) + 0.03 * math.sin(2 * math.pi * 2 * u)
        return Beat(0.1 + 0.75 * u, lift, "air" if (step // 1) % 2 == 0 or lift < 0.05 else "happy0", angle=-10.0)
    if motion == "float":
        return Beat(0.42 + 0.14 * u, 0.16 + 0.04 * math.sin(2 * math.pi * 1.5 * u), "blink" if 0.5 < u < 0.6 else "stand",
                    angle=7.0 * math.sin(2 * math.pi * u))
    if motion == "fall":
        if u < 0.5:
            s = u / 0.5
            return Beat(0.48, 0.5 * (1 - s * s), "air", angle=-300.0 * s)
        if u < 0.65:
            return Beat(0.48, 0.0, "crouch", squash=(1.15, 0.8), fx=(("💫", 0.0, -0.05, 0.3),))
        return Beat(0.48, 0.0, "blink" if u < 0.8 else "stand", fx=(("💫", 0.0, -0.05, 0.3),) if u < 0.8 else ())
    if motion == "swim":
        bub = tuple(("🫧", 0.55 - 0.1 * k, -0.1 - ((u * 3 + 0.33 * k) % 1.0) * 0.5, 0.18) for k in range(2))
        return Beat(0.08 + 0.8 * u, 0.05 + 0.02 * math.sin(4 * math.pi * u), run, prone=True, angle=-6.0, fx=bub)
    if motion == "dive":
        if u < 0.3:
            return Beat(0.2 + 0.25 * u / 0.3, 0.0, run)
        if u < 0.7:
            s = (u - 0.3) / 0.4
            return Beat(0.45 + 0.2 * s, 0.22 * 4 * s * (1 - s) + (-0.05 * s if s > 0.8 else 0), "air", angle=-170.0 * s)
        return Beat(0.68, 0.0, "air", visible=False, fx=(("💦", 0.0, 0.75, 0.5),) if u < 0.85 else (("🫧", 0.05, 0.7 - 0.8 * (u - 0.85), 0.2),))
    if motion == "climb":
        s = _ease((u - 0.08) / 0.84)
        return Beat(0.47, 0.42 * s, f"walk{(step // 2) % 4}" if 0.08 < u < 0.92 else "stand", hold="ladder")
    if motion == "slide":
        if u < 0.7:
            s = _ease(u / 0.7) * 0.6 + 0.4 * (u / 0.7)
            return Beat(0.18 + 0.55 * s, 0.34 * (1 - s), "crouch", angle=-26.0 * (1 - s * 0.3), hold="slide")
        return Beat(0.73 + 0.05 * (u - 0.7) / 0.3, 0.0, "happy0" if u > 0.8 else "crouch", hold="slide")
    if motion == "ride":
        return Beat(0.06 + 0.84 * u, 0.008 * abs(math.sin(step * math.pi / 2)), "crouch", hold="under")
    if motion == "dance":
        notes = (("🎵", 0.35, -0.15 - 0.3 * ((2 * u) % 1.0), 0.22),)
        return Beat(0.5 + 0.06 * math.sin(2 * math.pi * 2 * u), 0.04 * abs(math.sin(4 * math.pi * u)),
                    "happy0" if beat2 % 2 == 0 else "happy1", flip=(beat2 // 2) % 2 == 1,
                    angle=12.0 * math.sin(2 * math.pi * 2 * u), fx=notes)
    if motion == "sing":
        notes = tuple((("🎵", "🎶")[k], 0.3 + 0.1 * k, -0.1 - 0.45 * ((u * 2 + 0.5 * k) % 1.0), 0.24) for k in range(2))
        return Beat(0.5, 0.0, "happy1", angle=4.0 * math.sin(2 * math.pi * 1.5 * u), fx=notes)
    if motion == "play_music":
        notes = tuple((("🎵", "🎶")[k], 0.4 + 0.1 * k, -0.1 - 0.45 * ((u * 2 + 0.5 * k) % 1.0), 0.22) for k in range(2))
        return Beat(0.5, 0.0, "stand" if beat2 % 2 else "blink", angle=5.0 * math.sin(2 * math.pi * 2 * u), hold="hand",
                    fx=notes)
    if motion == "wave":
        return Beat(0.5, 0.0, "happy0" if step % 2 == 0 else "happy1",
                    fx=(("👋", 0.38 + 0.06 * math.sin(2 * math.pi * 3 * u), 0.1, 0.3),))
    if motion == "hug":
        k = _ease(u / 0.55)
        close = u > 0.55
        fx = (("❤", 0.2, -0.25 - 0.1 * (u - 0.55), 0.28),) if close else ()
        return Beat(0.18 + 0.27 * k, 0.0, "happy0" if close else walk, fx=fx,
                    other=(0.84 - 0.22 * k, 0.0, "happy0" if close else walk, True))
    if motion == "cry":
        tears = tuple(("💧", 0.12, 0.15 + ((2 * u + 0.5 * k) % 1.0) * 0.35, 0.14) for k in range(2))
        return Beat(0.5 + 0.004 * math.sin(40 * t), 0.0, "blink", squash=(1.02, 0.95), fx=tears)
    if motion == "laugh":
        return Beat(0.5, 0.03 * abs(math.sin(6 * math.pi * u)), "happy0" if step % 2 else "happy1",
                    angle=8.0 + 4 * math.sin(12 * math.pi * u), fx=(("😆", 0.35, -0.1, 0.28),))
    if motion in ("eat", "drink"):
        bites = int(u * 4)
        scale = 1.0 - 0.15 * bites if motion == "eat" else 1.0
        return Beat(0.5, 0.0, "happy1" if (motion == "eat" and step % 2) else "blink" if motion == "drink" else "stand",
                    hold="mouth", obj_scale=max(0.4, scale))
    if motion == "cook":
        steam = tuple(("steam", 0.62, 0.55 - 0.5 * ((u * 2 + 0.5 * k) % 1.0), 0.2) for k in range(2))
        return Beat(0.38, 0.0, "walk1" if beat2 % 2 else "stand", hold="ground", fx=steam)
    if motion == "paint":
        return Beat(0.36, 0.0, "stand" if beat2 % 2 else "happy1", hold="ground", grow=u,
                    fx=(("🖌", 0.42, 0.25 + 0.12 * math.sin(2 * math.pi * 3 * u), 0.28),))
    if motion == "write":
        return Beat(0.5, 0.0, "blink" if beat2 % 3 == 0 else "stand", hold="hand",
                    fx=(("✏", 0.42 + 0.05 * math.sin(2 * math.pi * 4 * u), 0.45, 0.2),))
    if motion == "read":
        return Beat(0.5, 0.0, "blink" if beat2 % 4 == 0 else "stand", hold="hand", angle=-4.0)
    if motion == "build":
        return Beat(0.34, 0.0, "crouch" if beat2 % 2 else "happy1", hold="ground", grow=u)
    if motion == "dig":
        return Beat(0.36, 0.0, "crouch" if beat2 % 2 else "stand", hold="ground", grow=u,
                    fx=(("⛏", 0.4, 0.35 if beat2 % 2 else 0.15, 0.26),))
    if motion == "sleep":
        breath = 1.0 + 0.03 * math.sin(2 * math.pi * 0.5 * t)
        zs = tuple(("💤", 0.1 + 0.1 * k, -0.1 - 0.4 * ((u * 1.5 + 0.5 * k) % 1.0), 0.22 + 0.08 * k) for k in range(2))
        return Beat(0.5, 0.0, "blink", angle=90.0, squash=(1.0, breath), fx=zs)
    if motion == "hide":  # behind a bush, then peeks out
        if u < 0.4:
            return Beat(0.22 + 0.33 * u / 0.4, 0.0, walk, hold="ground")
        if u < 0.8:
            return Beat(0.55, 0.0, "crouch", hold="ground", squash=(1.0, 0.7))
        return Beat(0.55, 0.0, "stand", hold="ground", flip=u > 0.9, squash=(1.0, 0.85))
    if motion == "search":
        if u < 0.3:
            return Beat(0.18 + 0.2 * u / 0.3, 0.0, walk, fx=(("🔍", 0.42, 0.4, 0.26),))
        if u < 0.55:
            return Beat(0.38, 0.0, "stand", flip=0.38 < u < 0.5, fx=(("🔍", 0.42, 0.4, 0.26), ("❓", 0.1, -0.25, 0.22)))
        return Beat(0.38 + 0.3 * (u - 0.55) / 0.45, 0.0, walk, fx=(("🔍", 0.42, 0.4, 0.26),))
    if motion == "throw":
        if u < 0.35:
            return Beat(0.3, 0.0, "crouch" if u > 0.2 else "stand", hold="hand")
        s = (u - 0.35) / 0.65
        return Beat(0.3, 0.0, "happy0" if s < 0.3 else "stand", hold="air",
                    obj=(0.36 + 0.8 * s, 0.3 + 0.45 * 4 * s * (1 - s) * 0.8 - 0.25 * s))
    if motion == "catch":
        if u < 0.6:
            s = u / 0.6
            return Beat(0.45, _hop(u, 0.48, 0.68, 0.06), "stand" if u < 0.48 else "air", hold="air",
                        obj=(1.1 - 0.55 * s, 0.3 + 0.5 * 4 * s * (1 - s) * 0.6))
        return Beat(0.45, _hop(u, 0.48, 0.68, 0.06), "air" if u < 0.68 else "happy0", hold="hand")
    if motion == "push":
        return Beat(0.14 + 0.4 * u, 0.0, f"walk{(step // 2) % 4}", angle=-12.0, hold="front")
    if motion == "pull":
        return Beat(0.4 + 0.4 * u, 0.0, f"walk{(step // 2) % 4}", angle=8.0, hold="back")
    if motion == "carry":
        return Beat(0.14 + 0.66 * u, 0.0, f"walk{(step // 2) % 4}", hold="up")
    if motion == "give":
        if u < 0.45:
            return Beat(0.15 + 0.35 * _ease(u / 0.45), 0.0, walk if u < 0.4 else "stand", hold="hand",
                        other=(0.78, 0.0, "stand", True))
        if u < 0.65:
            s = (u - 0.45) / 0.2
            return Beat(0.5, 0.0, "happy1", hold="air", obj=(0.58 + 0.13 * s, 0.17 + 0.04 * math.sin(math.pi * s)),
                        other=(0.78, 0.0, "happy1", True))
        return Beat(0.5, 0.0, "happy0", hold="other", other=(0.78, 0.04 * abs(math.sin(6 * math.pi * u)), "happy0", True),
                    fx=(("❤", 0.55, -0.55, 0.22),))
    return _arc("idle", u, step)


def track(motion: str, n: int, fps: int) -> list[Beat]:
    """One Beat per frame for `motion` (an arc motion or a verb class), n frames at `fps`."""
    out = []
    for i in range(n):
        u = i / (n - 1) if n > 1 else 0.5
        step = int(i / fps * STEPS_PER_SECOND)
        out.append(_arc(motion, u, step) if motion in ARC else _verb(motion, u, step, i / fps))
    return out
