"""The setting's landmarks in the middle distance: icons (a cactus, a castle, cherry blossom) or a drawn lighthouse.

They are pasted once into the story's mid layer (a strip wider than the frame), so they
slide with its parallax in every scene, like the trees and houses drawn there.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from .scenery import HORIZON, MID_BASE

__all__ = ["place_landmarks", "lighthouse"]


def lighthouse(height: int) -> Image.Image:
    """A white-and-red lighthouse with a lit lamp room, drawn at 3x and scaled down (anti-aliased)."""
    k = 3
    h = max(8, height) * k
    w = int(h * 0.36)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    top, base = int(h * 0.22), h - 1
    bw, tw = w * 0.36, w * 0.22  # half widths at the base and the top of the tower
    cx = w / 2
    d.polygon([(cx - bw, base), (cx + bw, base), (cx + tw, top), (cx - tw, top)], fill=(246, 244, 238, 255))
    for band in range(3):  # red bands
        y0, y1 = top + (base - top) * (0.18 + 0.3 * band), top + (base - top) * (0.32 + 0.3 * band)
        f0, f1 = (y0 - top) / (base - top), (y1 - top) / (base - top)
        x0, x1 = tw + (bw - tw) * f0, tw + (bw - tw) * f1
        d.polygon([(cx - x1, y1), (cx + x1, y1), (cx + x0, y0), (cx - x0, y0)], fill=(206, 52, 48, 255))
    d.rectangle((cx - tw * 1.3, top - h * 0.012, cx + tw * 1.3, top + h * 0.012), fill=(60, 60, 70, 255))  # gallery
    d.rectangle((cx - tw * 0.8, top - h * 0.09, cx + tw * 0.8, top), fill=(255, 232, 120, 255))  # the lamp
    d.polygon([(cx - tw * 1.05, top - h * 0.09), (cx + tw * 1.05, top - h * 0.09), (cx, top - h * 0.16)],
              fill=(60, 60, 70, 255))  # roof
    d.rectangle((cx - bw * 0.18, base - h * 0.08, cx + bw * 0.18, base), fill=(70, 60, 60, 255))  # door
    return img.resize((max(1, w // k), max(1, h // k)), Image.LANCZOS)


def _beam(height: int) -> Image.Image:
    w, h = int(height * 1.6), max(4, int(height * 0.16))
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.polygon([(0, h / 2 - 2), (w, 0), (w, h), (0, h / 2 + 2)], fill=(255, 244, 180, 70))
    return img


def _over(img: Image.Image, spr: Image.Image, xy) -> None:
    if img.mode == "RGBA":
        img.alpha_composite(spr, xy)
    else:  # the opaque back layer
        img.paste(spr, xy, spr)


def place_landmarks(img: Image.Image, ox: float, oy: float, things, world, rng, W: int, H: int, icon_image) -> None:
    """Pastes each landmark along the strip `img` (whose top-left sits at frame (ox, oy)), in place."""
    if not things:
        return
    far = all(t.how == "drawing" for t in things)  # drawn landmarks stand on the horizon (the back layer)
    base = H * ((HORIZON + 0.01) if far else (MID_BASE + 0.03)) - oy  # where they stand, in the strip's pixels
    x, i = 0.12 * W + rng.uniform(0, 0.2 * W), 0
    while x < img.width:
        t = things[i % len(things)]
        if t.how == "drawing" and t.what == "lighthouse":
            if i >= len(things):  # one lighthouse is a landmark; a row of them is a fence
                i += 1
                if all(t.how == "drawing" for t in things):
                    break
                continue
            spr = lighthouse(int(0.3 * H))
            rock = Image.new("RGBA", (int(spr.width * 2.2), int(spr.height * 0.12)), (0, 0, 0, 0))
            ImageDraw.Draw(rock).ellipse((0, 0, rock.width - 1, rock.height * 2), fill=(96, 92, 100, 255))  # its rock
            beam = _beam(spr.height)
            _over(img, beam, (max(0, int(x)), max(0, int(base - spr.height * 0.93))))
            _over(img, rock, (max(0, int(x - rock.width / 2)), max(0, int(base - rock.height * 0.6))))
        else:
            indoor = world.mid == "furniture"
            # far things at background scale: smaller than the character in front (0.3 H tall)
            spr = icon_image(t.icon, max(6, int(H * (0.11 if indoor or world.time == "underwater" else 0.14)
                                                * rng.uniform(0.85, 1.15))))
        px, py = int(x - spr.width / 2), int(base - spr.height)
        if 0 <= px and px + spr.width <= img.width and py >= 0:
            _over(img, spr, (px, py))
        x += W * rng.uniform(0.28, 0.45) if len(things) > 1 or t.how != "drawing" else W * 0.9
        i += 1
