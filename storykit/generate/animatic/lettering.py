"""Captions and labels for the animatic: fonts, wrapping and overlays.
"""

from __future__ import annotations

import functools
import importlib.util
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "caption_font",
    "clean_caption",
    "text_overlays",
]


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
            cut = _longest_fit(word, font, max_width)
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
        last = last[: _longest_fit(last, font, max_width, suffix="…", least=0)]
        lines[-1] = last.rstrip() + "…"
    return lines


def _longest_fit(text: str, font, max_width: float, suffix: str = "", least: int = 1) -> int:
    """The longest prefix length (>= `least`) of `text` + `suffix` within `max_width`: a binary search,
    so a 400-character word costs ~9 measurements instead of ~400 (width grows with the prefix)."""
    lo, hi = least, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid] + suffix) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return lo


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
