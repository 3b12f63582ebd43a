"""The animatic's marks on every frame: the "ANIMATIC" badge, the scene label and (optionally) the caption.

Text goes through `storykit.generate.lettering`, the same path as the stitched story's
title card and captions, so every script renders the same in both.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from .. import lettering

__all__ = ["text_overlays"]


def _label(lines: list[str], font, pad: float, fill, bg, radius: float) -> Image.Image:
    """Lines of text centred on a rounded, translucent box."""
    asc, desc = font.getmetrics()
    lh = asc + desc
    widths = [font.getlength(line) for line in lines]
    w = int(max(widths) + 2 * pad)
    h = int(lh * len(lines) + 2 * pad * 0.8)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=bg)
    for i, (line, lw) in enumerate(zip(lines, widths)):
        x, y = (w - lw) / 2, pad * 0.8 + i * lh
        font.draw(d, (x + 1, y + 1), line, (0, 0, 0, 160), emoji=False)
        font.draw(d, (x, y), line, fill)
    return img


def text_overlays(caption: str, corner: str, width: int, height: int) -> list[tuple[int, int, Image.Image]]:
    """Caption at the bottom, 'ANIMATIC' mark top right, `corner` label top left: (x, y, RGBA image)."""
    size = max(10, round(0.04 * min(height, 1.25 * width)))
    small = max(9, round(size * 0.7))
    sfont = lettering.font(small)
    out = []
    mark = _label(["ANIMATIC"], sfont, small * 0.5, (255, 255, 255, 235), (200, 40, 40, 150), small * 0.4)
    out.append((width - mark.width - round(0.02 * width), round(0.02 * height), mark))
    corner = " ".join(corner.split())
    if corner:
        lab = _label([corner], sfont, small * 0.5, (255, 255, 255, 230), (0, 0, 0, 110), small * 0.4)
        if lab.width < width - mark.width - 0.06 * width:
            out.append((round(0.02 * width), round(0.02 * height), lab))
    if caption.strip():
        font = lettering.font(size)
        lines = font.wrap(caption, width * 0.94 - 2 * size * 0.5, max_lines=3)
        lab = _label(lines, font, size * 0.5, (255, 255, 255, 255), (0, 0, 0, 150), size * 0.45)
        out.append(((width - lab.width) // 2, height - lab.height - round(0.02 * height), lab))
    return out
