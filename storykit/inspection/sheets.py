"""Pictures of clips: contact sheets, storyboards and inline playback.

Pictures come back as uint8 arrays; `show_*` puts them in the notebook (Jupyter or
Colab) through mediapy, or returns the HTML with `return_html=True`.

>>> import numpy as np
>>> from storykit.inspection.sheets import contact_sheet
>>> still = np.full((16, 64, 64, 3), 90, np.uint8)
>>> contact_sheet(still, columns=8, scale=1.0).shape   # 2 rows of 8, 2 px apart
(130, 526, 3)
"""

from __future__ import annotations

import functools
import html
import math
from typing import Any

import numpy as np

from ..generate.clips import Clip
from ..errors import InvalidInput
from .metrics import _frames_of, _is_story, _parts, _resize

__all__ = [
    "contact_sheet",
    "storyboard",
    "show_contact_sheet",
    "show_storyboard",
    "show_clip",
    "show_clips",
]


PAD = 2  # pixels between tiles
_BACKGROUND = (24, 24, 24)
# Tiles are shrunk to at most this many pixels on their long side unless `scale` says otherwise.
_SHEET_TILE, _BOARD_TILE = 128, 192


@functools.lru_cache(maxsize=16)
def _font(size: int):
    """DejaVu Sans (shipped inside matplotlib: dashes, accents, Greek, Cyrillic) else Pillow's own font."""
    import importlib.util
    from pathlib import Path

    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")  # finds the file without importing matplotlib
    if spec and spec.origin:
        try:
            return ImageFont.truetype(str(Path(spec.origin).parent / "mpl-data/fonts/ttf/DejaVuSans.ttf"), size)
        except OSError:
            pass
    try:
        return ImageFont.load_default(size=size)  # Pillow's bundled scalable font (needs FreeType)
    except (TypeError, ValueError, OSError, ImportError):
        return ImageFont.load_default()


def _font_for(tile_h: int):
    return _font(max(9, min(24, tile_h // 8)))


def _tag(draw, xy: tuple[int, int], text: str, font, corner: str = "tl") -> None:
    """Draws `text` in white on a dark box at a corner ("tl" or "br") of the tile whose corner is `xy`."""
    l, t, r, b = draw.textbbox((0, 0), text, font=font)
    w, h, m = r - l, b - t, 2
    x, y = xy
    if corner == "br":
        x, y = x - w - 2 * m, y - h - 2 * m
    draw.rectangle((x, y, x + w + 2 * m - 1, y + h + 2 * m - 1), fill=(0, 0, 0))
    draw.text((x + m - l, y + m - t), text, fill=(255, 255, 255), font=font)


def _fit(frame: np.ndarray, h: int, w: int) -> np.ndarray:
    """Resizes to fit inside h × w keeping the aspect ratio, centred on the background."""
    fh, fw = frame.shape[:2]
    k = min(h / fh, w / fw)
    nh, nw = max(1, round(fh * k)), max(1, round(fw * k))
    if (nh, nw) == (h, w):
        return _resize(frame, h, w)
    out = np.empty((h, w, 3), np.uint8)
    out[:] = _BACKGROUND
    y, x = (h - nh) // 2, (w - nw) // 2
    out[y : y + nh, x : x + nw] = _resize(frame, nh, nw)
    return out


def _tile_size(h: int, w: int, scale: float | None, target: int) -> tuple[int, int]:
    if scale is None:
        scale = min(1.0, target / max(h, w))  # never enlarge by default
    elif isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 4:
        raise InvalidInput(f"scale must be a number in (0, 4] (1.0 = full size) or None, got {scale!r}")
    return max(1, round(h * scale)), max(1, round(w * scale))


def _pick(n: int, frames: Any) -> list[int]:
    """Frame indices (negative ones count from the end), checked against `n` frames."""
    if frames is None:
        return list(range(n))
    try:
        picked = [int(i) for i in frames]
    except (TypeError, ValueError):
        raise InvalidInput(f"frames must be a list of frame indices, got {frames!r}") from None
    if not picked:
        raise InvalidInput("frames is empty: give at least one frame index")
    for i in picked:
        if not -n <= i < n:
            raise InvalidInput(f"frame {i} does not exist: this clip has {n} frames (0..{n - 1})")
    return [i % n for i in picked]


def _grid(tiles: list[np.ndarray], columns: int, th: int, tw: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Pastes equal-size tiles row by row; returns the canvas and each tile's top-left corner."""
    cols = min(columns, len(tiles))
    rows = math.ceil(len(tiles) / cols)
    canvas = np.empty((rows * th + (rows - 1) * PAD, cols * tw + (cols - 1) * PAD, 3), np.uint8)
    canvas[:] = _BACKGROUND
    corners = []
    for k, tile in enumerate(tiles):
        y, x = (k // cols) * (th + PAD), (k % cols) * (tw + PAD)
        canvas[y : y + th, x : x + tw] = tile
        corners.append((x, y))
    return canvas, corners


def contact_sheet(
    clip_or_frames: Any, columns: int = 8, scale: float | None = None, label: bool = True, *, frames: Any = None
) -> np.ndarray:
    """Every frame (or just `frames`, a list of indices) in a grid, numbered; a uint8 image.

    Tiles are `round(H * scale) × round(W * scale)` (`scale=None`: at most 128 px
    on the long side), `columns` to a row, 2 px apart: the sheet is
    `(rows * th + (rows - 1) * 2, cols * tw + (cols - 1) * 2, 3)` with
    `cols = min(columns, n)` and `rows = ceil(n / cols)`.
    """
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise InvalidInput(f"columns must be a positive integer, got {columns!r}")
    f = _frames_of(clip_or_frames)
    picked = _pick(len(f), frames)
    th, tw = _tile_size(f.shape[1], f.shape[2], scale, _SHEET_TILE)
    canvas, corners = _grid([_resize(f[i], th, tw) for i in picked], columns, th, tw)
    if not label:
        return canvas
    from PIL import Image, ImageDraw

    img = Image.fromarray(canvas)
    draw, font = ImageDraw.Draw(img), _font_for(th)
    for i, xy in zip(picked, corners):
        _tag(draw, xy, str(i), font)
    return np.asarray(img)


def _caption(scene_index: int, script: Any, text: str | None = None) -> str:
    if script is None:
        return f"scene {scene_index}" + (f" — {text}" if text else "")
    try:
        s = script.scene(scene_index)
    except (InvalidInput, AttributeError):
        return f"scene {scene_index}"
    return f"{scene_index} · {s.beat} — {s.text or s.prompt}"


def _wrap(draw, text: str, font, width: int, lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last line ends in "…" when text is left over."""
    words, out, line = text.split(), [], ""
    while words and len(out) < lines:
        trial = f"{line} {words[0]}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
            words.pop(0)
        else:
            out.append(line)
            line = ""
    if line and len(out) < lines:
        out.append(line)
    if words and out:
        last = out[-1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out


def storyboard(clips_or_story: Any, script: Any = None, *, scale: float | None = None, spans: Any = None) -> np.ndarray:
    """First, middle and last frame of each scene, one row per scene under its caption; a uint8 image.

    Captions read "index · beat — text" when a `script` is given, else "scene i"
    (plus the sentence, for a stitched Story that carries `texts`).
    Tiles are sized from the first scene (`scale=None`: at most 192 px on the long
    side); other sizes are letterboxed.
    """
    from PIL import Image, ImageDraw

    p = _parts(clips_or_story, spans)
    th, tw = _tile_size(p.scenes[0].shape[1], p.scenes[0].shape[2], scale, _BOARD_TILE)
    font = _font(max(10, min(18, th // 10)))
    line_h = font.getbbox("Ag")[3] + 2
    cap_h = 2 * line_h + 4
    width = 3 * tw + 2 * PAD
    rows = []
    for n, (idx, frames) in enumerate(zip(p.indices, p.scenes)):
        picked = sorted({0, len(frames) // 2, len(frames) - 1})
        strip, corners = _grid([_fit(frames[i], th, tw) for i in picked], 3, th, tw)
        img = Image.new("RGB", (width, cap_h + th), _BACKGROUND)
        img.paste(Image.fromarray(strip), (0, cap_h))
        draw = ImageDraw.Draw(img)
        caption = _caption(idx, script, p.texts and p.texts[n])
        for k, line in enumerate(_wrap(draw, caption, font, width - 8, 2)):
            draw.text((4, 2 + k * line_h), line, fill=(235, 235, 235), font=font)
        for i, (x, y) in zip(picked, corners):
            _tag(draw, (x, y + cap_h), str(i), _font_for(th))
        rows.append(np.asarray(img))
    board = np.empty((len(rows) * (cap_h + th) + (len(rows) - 1) * PAD, width, 3), np.uint8)
    board[:] = _BACKGROUND
    for n, row in enumerate(rows):
        y = n * (cap_h + th + PAD)
        board[y : y + cap_h + th] = row
    return board


# -- showing ---------------------------------------------------------------------------------


def _mediapy():
    import mediapy  # a core dependency, imported late to keep `import storykit` light

    return mediapy


def show_contact_sheet(
    clip_or_frames: Any,
    columns: int = 8,
    scale: float | None = None,
    label: bool = True,
    *,
    frames: Any = None,
    title: str | None = None,
    return_html: bool = False,
) -> str | None:
    """Shows `contact_sheet(...)` in the notebook, or returns its HTML with `return_html=True`."""
    sheet = contact_sheet(clip_or_frames, columns, scale, label, frames=frames)
    if title is None and isinstance(clip_or_frames, Clip):
        title = repr(clip_or_frames)
    return _mediapy().show_image(sheet, title=title and html.escape(title), return_html=return_html)


def show_storyboard(
    clips_or_story: Any, script: Any = None, *, scale: float | None = None, title: str | None = None, return_html: bool = False
) -> str | None:
    """Shows `storyboard(...)` in the notebook, or returns its HTML with `return_html=True`."""
    board = storyboard(clips_or_story, script, scale=scale)
    if title is None and script is not None and getattr(script, "title", ""):
        title = script.title
    return _mediapy().show_image(board, title=title and html.escape(title), return_html=return_html)


def _video_html(frames: np.ndarray, fps: float, title: str | None, height: int | None, codec: str) -> str:
    from ..stitch.ffmpeg import ensure_ffmpeg

    ensure_ffmpeg()
    return _mediapy().show_video(
        frames, fps=fps, title=title and html.escape(title), height=height, codec=codec, return_html=True
    )


def _display(s: str) -> None:
    import IPython.display

    IPython.display.display(IPython.display.HTML(s))


def show_clip(
    clip: Any, *, fps: float | None = None, title: str | None = None, height: int | None = None, codec: str = "h264",
    return_html: bool = False,
) -> str | None:  # fmt: skip
    """Plays a Clip (or a stitched story, or frames with `fps`) inline, looping; `return_html=True` returns the HTML."""
    frames = _frames_of(clip)
    fps = fps or getattr(clip, "fps", None)
    if not fps:
        raise InvalidInput("fps is needed to play a bare frame array: show_clip(frames, fps=8)")
    if title is None and isinstance(clip, Clip):
        title = repr(clip)
    s = _video_html(frames, fps, title, height, codec)
    if return_html:
        return s
    _display(s)
    return None


def show_clips(
    clips: Any, script: Any = None, *, columns: int | None = None, height: int | None = None, codec: str = "h264",
    return_html: bool = False,
) -> str | None:  # fmt: skip
    """Plays several clips side by side (each at its own fps), titled by scene; `return_html=True` returns the HTML."""
    if isinstance(clips, Clip) or _is_story(clips):
        return show_clip(clips, height=height, codec=codec, return_html=return_html)
    if not isinstance(clips, (list, tuple)) or not all(isinstance(c, Clip) for c in clips) or not clips:
        raise InvalidInput("clips must be a non-empty list of Clip (for a bare array use show_clip(frames, fps=...))")
    if columns is not None and (isinstance(columns, bool) or not isinstance(columns, int) or columns < 1):
        raise InvalidInput(f"columns must be a positive integer or None, got {columns!r}")
    cells = [_video_html(c.frames, c.fps, _caption(c.scene_index, script), height, codec) for c in clips]
    # The same one-row tables mediapy.show_videos builds; it takes one fps for all, clips may differ.
    step = columns or len(cells)
    td = '<td style="padding:1px;vertical-align:top;">'
    s = "".join(
        '<table class="show_clips" style="border-spacing:0px;"><tr>'
        + "".join(f"{td}{c}</td>" for c in cells[i : i + step])
        + "</tr></table>"
        for i in range(0, len(cells), step)
    )
    if return_html:
        return s
    _display(s)
    return None
