"""Weather and marks in screen space: snow, rain, petals, leaves, fireflies, confetti, bubbles; a storm's lightning.

>>> import numpy as np
>>> from PIL import Image
>>> p = Particles("bubbles", np.random.default_rng(0), 64, 64); p.draw(Image.new("RGB", (64, 64)), 0.5)
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["Particles", "lightning"]


class Particles:
    """Snow, rain, petals, leaves, fireflies or confetti, in screen space (unmoved by the camera)."""

    KINDS = {  # count per 100x100 px, fall speed (frame heights/s), colours, size (px at 256 px), alpha
        "snow": (3.0, 0.18, ((255, 255, 255),), 2, 0.85),
        "rain": (4.0, 1.6, ((214, 226, 246),), 1, 0.6),
        "petals": (1.0, 0.12, ((250, 190, 210), (255, 222, 232)), 2, 0.9),
        "leaves": (0.8, 0.14, ((230, 130, 50), (210, 80, 40), (240, 190, 60)), 2, 0.9),
        "fireflies": (0.5, 0.0, ((255, 236, 130),), 2, 0.9),
        "confetti": (2.0, 0.5, ((240, 80, 90), (250, 200, 60), (80, 200, 240), (120, 220, 120), (200, 120, 240)), 3, 0.95),
        "bubbles": (0.9, -0.16, ((220, 240, 255), (170, 215, 250)), 3, 0.7),  # rising: a negative fall speed
    }

    def __init__(self, kind: str, rng, W: int, H: int):
        count, self.speed, self.colors, size, self.alpha = self.KINDS[kind]
        self.kind, self.W, self.H = kind, W, H
        n = max(6, int(count * W * H / 1e4))
        self.x0, self.y0 = rng.uniform(0, W, n), rng.uniform(0, H, n)
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.vary = rng.uniform(0.6, 1.4, n)
        self.ci = rng.integers(0, len(self.colors), n)
        self.size = max(1, round(size * H / 256))

    def draw(self, frame: Image.Image, t: float) -> None:
        W, H, k = self.W, self.H, self.size
        if self.kind == "fireflies":
            x = (self.x0 + 0.03 * W * np.sin(0.7 * t + self.phase)) % W
            y = 0.35 * H + (self.y0 * 0.5 + 0.03 * H * np.sin(0.9 * t + 2 * self.phase)) % (0.5 * H)
            a = self.alpha * (0.5 + 0.5 * np.sin(3 * t * self.vary + self.phase)) ** 2
        else:
            sway = {"snow": 0.02, "petals": 0.04, "leaves": 0.05, "confetti": 0.02, "bubbles": 0.015}.get(self.kind, 0.0)
            drift = 0.25 * self.speed * H * t if self.kind == "rain" else 0.0
            x = (self.x0 + sway * W * np.sin(1.5 * t * self.vary + self.phase) + drift) % W
            y = (self.y0 + self.speed * H * t * self.vary) % H
            a = np.full(x.size, self.alpha)
        if self.kind == "rain":  # streaks: points along a slanted line
            d = np.arange(max(3, int(0.035 * H)))
            xs, ys = x[:, None] + 0.25 * d, y[:, None] + d
        else:  # k x k squares
            d = np.arange(k)
            xs = np.broadcast_to(x[:, None, None] + d[None, None, :], (x.size, k, k)).reshape(x.size, -1)
            ys = np.broadcast_to(y[:, None, None] + d[None, :, None], (x.size, k, k)).reshape(x.size, -1)
        draw_ = ImageDraw.Draw(frame, "RGBA")  # "RGBA" on an RGB frame: fills blend by their alpha
        level = np.minimum(3, (a / self.alpha * 4).astype(int))  # fireflies pulse: four brightness steps
        for ci, color in enumerate(self.colors):
            for lv in range(4):
                sel = (self.ci == ci) & (level == lv)
                if sel.any():
                    pts = np.stack([xs[sel].ravel(), ys[sel].ravel()], axis=-1).astype(int).tolist()
                    draw_.point([tuple(p) for p in pts], fill=(*color, int(255 * self.alpha * (lv + 1) / 4)))




def lightning(frame: Image.Image, i: int, fps: int) -> Image.Image:
    """A storm's flash: two bright frames about every two seconds (the same at any frame rate)."""
    k = i * 8 // max(1, fps)  # eighths of a second
    if k % 17 in (5, 7):
        return Image.blend(frame, Image.new("RGB", frame.size, (236, 240, 255)), 0.45 if k % 17 == 5 else 0.25)
    return frame
