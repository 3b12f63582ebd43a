"""Looking at clips inline: contact sheets, storyboards, comparisons and a few numbers.

Everything takes a `Clip`, a list of clips (one per scene), a `(T, H, W, 3)`
uint8 array, or a stitched story (any object with `frames`, `fps` and `spans`,
a list of `(start, end)` frame ranges). Pictures come back as uint8 arrays;
`show_*` puts them in the notebook (Jupyter or Colab) through mediapy, or
returns the HTML with `return_html=True`; `plot_*` return a matplotlib Figure.

>>> import numpy as np
>>> from storykit.inspection import contact_sheet, flicker, seam_jump
>>> still = np.full((16, 64, 64, 3), 90, np.uint8)
>>> contact_sheet(still, columns=8, scale=1.0).shape   # 2 rows of 8, 2 px apart
(130, 526, 3)
>>> float(flicker(still).max())                         # nothing changes
0.0
>>> seam_jump(still, still + 40)                        # a cut to a brighter shot
40.0

In a notebook::

    show_contact_sheet(clip)            # every frame, numbered
    show_storyboard(clips, script)      # first, middle and last frame of each scene, with its beat
    show_clips(clips, script)           # play the scenes side by side
    diagnose(clips)                     # flicker, motion, drift and seam jumps, with flags
    plot_flicker(clips)                 # the same over time, as a Figure
    show_comparison(compare(script.scenes[0], script, vary="num_inference_steps", values=(1, 2, 4, 8)))

All metrics are in grey levels (0–255), averaged over pixels and channels, so
they compare across resolutions and with each other.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import math
import time
from typing import Any, Sequence

import numpy as np

from .clips import Clip, check_frames
from .errors import InvalidInput, MissingWeights, require

__all__ = [
    # looking
    "contact_sheet",
    "storyboard",
    "show_contact_sheet",
    "show_storyboard",
    "show_clip",
    "show_clips",
    # comparing
    "VARY",
    "Comparison",
    "compare",
    "comparison_grid",
    "show_comparison",
    # measuring
    "flicker",
    "motion_energy",
    "color_drift",
    "drift",
    "seam_jump",
    "seams",
    "SceneStats",
    "Diagnosis",
    "diagnose",
    "plot_flicker",
    "plot_seams",
    "plot_drift",
    "clip_alignment",
]

PAD = 2  # pixels between tiles
_BACKGROUND = (24, 24, 24)
# Tiles are shrunk to at most this many pixels on their long side unless `scale` says otherwise.
_SHEET_TILE, _BOARD_TILE = 128, 192
# A within-scene flicker floor (grey levels) for seam ratios: below one grey
# level the ratio would only amplify codec and rounding noise.
_MIN_FLICKER = 1.0


# -- inputs ----------------------------------------------------------------------------------


def _frames_of(x: Any, name: str = "clip") -> np.ndarray:
    """A (T, H, W, 3) uint8 array from a Clip, a story-like object or an array."""
    if isinstance(x, np.ndarray):
        return check_frames(x, name)
    if hasattr(x, "frames"):
        return check_frames(np.asarray(x.frames), f"{name}.frames")
    raise InvalidInput(f"{name} must be a Clip, a story or a (T, H, W, 3) uint8 array, got {type(x).__name__}")


@dataclasses.dataclass
class _Parts:
    """Scenes as frame arrays, where each starts on the story's timeline, and the seams between them."""

    scenes: list[np.ndarray]
    indices: list[int]
    starts: list[int]
    seams: list[float]
    fps: float | None
    texts: list[str] | None = None  # a stitched Story's sentences, for captions without a script


def _is_story(x: Any) -> bool:
    return not isinstance(x, (np.ndarray, Clip, list, tuple)) and hasattr(x, "frames") and hasattr(x, "spans")


def _check_spans(spans: Any, total: int) -> list[tuple[int, int]]:
    try:
        out = [(int(s), int(e)) for s, e in spans]
    except (TypeError, ValueError):
        raise InvalidInput("spans must be a list of (start, end) frame ranges") from None
    if not out:
        raise InvalidInput("spans is empty: a story needs at least one (start, end) frame range")
    for s, e in out:
        if not 0 <= s < e <= total:
            raise InvalidInput(f"span ({s}, {e}) is outside the story's {total} frames (need 0 <= start < end <= {total})")
    if any(b[0] < a[0] for a, b in zip(out, out[1:])):
        raise InvalidInput(f"spans must be in story order (ascending starts), got {out}")
    return out


def _parts(x: Any, spans: Any = None) -> _Parts:
    """Normalises every accepted input into scenes + seams."""
    if _is_story(x) or spans is not None:
        frames = _frames_of(x, "story")
        spans = _check_spans(spans if spans is not None else x.spans, len(frames))
        fps = getattr(x, "fps", None)
        seams_ = []
        for (_, e0), (s1, _) in zip(spans, spans[1:]):
            # The seam is the biggest frame step across the transition: one step for a cut
            # (e0 == s1), every step through the inserted frames for a fade (e0 < s1), and
            # through the blend for an overlapping crossfade (s1 < e0).
            lo, hi = max(min(e0, s1), 1), min(max(e0, s1), len(frames) - 1)
            seams_.append(max((_mad(frames[k - 1], frames[k]) for k in range(lo, hi + 1)), default=0.0))
        indices = list(getattr(x, "scene_indices", None) or [])
        texts = list(getattr(x, "texts", None) or [])
        return _Parts(
            scenes=[frames[s:e] for s, e in spans],
            indices=indices if len(indices) == len(spans) else list(range(len(spans))),
            starts=[s for s, _ in spans],
            seams=seams_,
            fps=fps,
            texts=texts if len(texts) == len(spans) else None,
        )
    if isinstance(x, (Clip, np.ndarray)):
        x = [x]
    if not isinstance(x, (list, tuple)) or not x:
        raise InvalidInput(
            f"expected a Clip, a non-empty list of clips, a story or a (T, H, W, 3) array, got {type(x).__name__}"
        )
    scenes = [_frames_of(c, f"clip {i}") for i, c in enumerate(x)]
    indices = [c.scene_index if isinstance(c, Clip) else i for i, c in enumerate(x)]
    starts = np.cumsum([0] + [len(s) for s in scenes[:-1]]).tolist()
    fps = x[0].fps if isinstance(x[0], Clip) else None
    return _Parts(scenes, indices, starts, [seam_jump(a, b) for a, b in zip(scenes, scenes[1:])], fps)


# -- measuring ----------------------------------------------------------------------------


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 images, in grey levels (0–255)."""
    if a.shape != b.shape:
        b = _resize(b, a.shape[0], a.shape[1])
    # max - min stays in uint8 (no overflow) and an integer sum is exact: ~7x faster than via int16.
    return float((np.maximum(a, b) - np.minimum(a, b)).sum(dtype=np.uint64)) / a.size


def _mean_rgb(frames: np.ndarray) -> np.ndarray:
    """(T, 3) mean colour per frame; a per-channel integer sum is ~6x faster than frames.mean(axis=(1, 2))."""
    n = frames.shape[1] * frames.shape[2]
    return np.array([[fr[..., c].sum(dtype=np.uint64) / n for c in range(3)] for fr in frames], dtype=np.float64)


def flicker(clip_or_frames: Any) -> np.ndarray:
    """Per-step flicker: mean |frame_t − frame_{t−1}| over pixels and channels, in grey levels (0–255).

    The frame-difference score VBench calls temporal flickering (Huang et al. 2023,
    arXiv 2311.17982). Returns `num_frames − 1` values; a still clip gives zeros.
    Movement raises it too: read it next to `motion_energy`.
    """
    f = _frames_of(clip_or_frames)
    # Pairwise, not np.diff over the clip: stays small in memory for long stories.
    return np.array([_mad(f[t - 1], f[t]) for t in range(1, len(f))], dtype=np.float64)


def _small_luma(frame: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image, ImageFilter

    img = Image.fromarray(frame).convert("L")  # ITU-R 601 luma
    k = size / max(img.size)
    if k < 1:
        img = img.resize((max(1, round(img.width * k)), max(1, round(img.height * k))), Image.BOX)
    return np.asarray(img.filter(ImageFilter.BoxBlur(1)), dtype=np.float32)


def motion_energy(clip_or_frames: Any, size: int = 64) -> np.ndarray:
    """Per-step motion: mean |Δ| of luma shrunk to `size` px (area average) and 3×3 box-blurred, 0–255.

    A cheap stand-in for optical-flow magnitude: shrinking and blurring first
    wipes out pixel-level shimmer and noise, so what is left is shapes and
    light moving. Noise-like flicker scores high on `flicker` but low here;
    a pan or a walking character scores on both.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 4:
        raise InvalidInput(f"size must be an integer of at least 4 pixels, got {size!r}")
    f = _frames_of(clip_or_frames)
    small = [_small_luma(frame, size) for frame in f]
    return np.array([float(np.abs(b - a).mean()) for a, b in zip(small, small[1:])], dtype=np.float64)


def color_drift(clip_or_frames: Any) -> np.ndarray:
    """Mean colour of each frame minus that of the first: a `(num_frames, 3)` RGB array in grey levels.

    A steady brightening of 2 levels per frame shows up as `2 * t` in every channel.
    """
    means = _mean_rgb(_frames_of(clip_or_frames))
    return means - means[0]


def drift(clip_or_frames: Any) -> float:
    """The largest change of any channel's mean colour from the first frame (0–255)."""
    return float(np.abs(color_drift(clip_or_frames)).max())


def seam_jump(a: Any, b: Any) -> float:
    """The jump from the last frame of `a` to the first frame of `b`: same metric as `flicker`.

    `b` is resized to `a`'s size when they differ.
    """
    return _mad(_frames_of(a, "a")[-1], _frames_of(b, "b")[0])


def seams(clips_or_story: Any, *, spans: Any = None) -> np.ndarray:
    """The seam jump at each scene boundary (len = scenes − 1), in grey levels.

    For clips it is `seam_jump` of each neighbouring pair; for a stitched story
    (or an array with `spans`) it is the largest frame step across each
    transition, so a crossfade or fade that spreads the change shows lower.
    """
    return np.array(_parts(clips_or_story, spans).seams, dtype=np.float64)


@dataclasses.dataclass
class SceneStats:
    """One scene's numbers (grey levels, 0–255); `seam` leads to the next scene."""

    index: int
    num_frames: int
    flicker: float  # mean per-step flicker
    flicker_max: float
    motion: float  # mean per-step motion energy
    drift: float  # largest channel change of mean colour vs the first frame
    seam: float | None = None  # jump into the next scene; None for the last one
    seam_ratio: float | None = None  # seam / the two scenes' own mean flicker
    flags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Diagnosis:
    """Per-scene numbers and what stands out; prints as a table, shows as HTML in notebooks."""

    rows: list[SceneStats]
    fps: float | None
    flicker_limit: float
    seam_ratio: float

    @property
    def problems(self) -> list[str]:
        """One sentence per flag."""
        out = []
        for i, r in enumerate(self.rows):
            if "flicker" in r.flags:
                out.append(
                    f"scene {r.index}: flicker {r.flicker:.1f} is above {self.flicker_limit:g} "
                    f"(motion {r.motion:.1f}); try more steps, another seed or a calmer camera"
                )
            if "seam" in r.flags:
                nxt = self.rows[i + 1].index
                out.append(
                    f"scene {r.index} → {nxt}: seam jump {r.seam:.1f} is {r.seam_ratio:.1f}× the scenes' own "
                    f"flicker (limit {self.seam_ratio:g}×); a crossfade or fade hides it"
                )
        return out

    @property
    def flagged_scenes(self) -> list[int]:
        return [r.index for r in self.rows if "flicker" in r.flags]

    @property
    def flagged_seams(self) -> list[tuple[int, int]]:
        return [(r.index, n.index) for r, n in zip(self.rows, self.rows[1:]) if "seam" in r.flags]

    def to_records(self) -> list[dict]:
        return [dataclasses.asdict(r) for r in self.rows]

    _HEAD = ("scene", "frames", "flicker", "max", "motion", "drift", "seam→next", "ratio", "flags")

    def _cells(self, r: SceneStats) -> tuple[str, ...]:
        nums = (r.flicker, r.flicker_max, r.motion, r.drift, r.seam, r.seam_ratio)
        return (str(r.index), str(r.num_frames), *("—" if v is None else f"{v:.1f}" for v in nums), ",".join(r.flags))

    def __str__(self) -> str:
        table = [self._HEAD] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[c]) for row in table) for c in range(len(self._HEAD))]
        lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
        found = f"{len(self.problems)} problem(s):" if self.problems else "no problems flagged"
        lines.append(f"metrics in grey levels (0–255); {found}")
        lines.extend(f"- {p}" for p in self.problems)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Diagnosis({len(self.rows)} scenes, {len(self.problems)} problem(s))"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEAD)
        body = []
        for r in self.rows:
            tds = []
            for name, cell in zip(self._HEAD, self._cells(r)):
                bad = (name in ("flicker", "max") and "flicker" in r.flags) or (
                    name in ("seam→next", "ratio") and "seam" in r.flags
                )
                tds.append(f'<td style="color:#c00;font-weight:bold">{cell}</td>' if bad else f"<td>{cell}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems) or "<li>no problems flagged</li>"
        return (
            f"<table><tr>{head}</tr>{''.join(body)}</table>"
            f"<small>metrics in grey levels (0–255)</small><ul>{items}</ul>"
        )


def diagnose(
    clips_or_story: Any, *, spans: Any = None, flicker_limit: float = 15.0, seam_ratio: float = 3.0
) -> Diagnosis:
    """Measures every scene and boundary and flags what stands out.

    A scene is flagged "flicker" when its mean flicker exceeds `flicker_limit`
    grey levels per frame step (rough: at 8 fps, more than ~6 % of full scale per
    step reads as shimmer unless the camera moves fast). A boundary is flagged
    "seam" when its jump exceeds `seam_ratio` times the mean flicker of the two
    scenes it joins (at least 1 grey level): the cut changes the picture much
    more than the scenes change themselves.
    """
    for name, v in (("flicker_limit", flicker_limit), ("seam_ratio", seam_ratio)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise InvalidInput(f"{name} must be a positive number, got {v!r}")
    p = _parts(clips_or_story, spans)
    rows = []
    for idx, frames in zip(p.indices, p.scenes):
        fl = flicker(frames) if len(frames) > 1 else np.zeros(0)
        mo = motion_energy(frames) if len(frames) > 1 else np.zeros(0)
        row = SceneStats(
            index=idx,
            num_frames=len(frames),
            flicker=float(fl.mean()) if fl.size else 0.0,
            flicker_max=float(fl.max()) if fl.size else 0.0,
            motion=float(mo.mean()) if mo.size else 0.0,
            drift=drift(frames),
        )
        if row.flicker > flicker_limit:
            row.flags.append("flicker")
        rows.append(row)
    for a, b, jump in zip(rows, rows[1:], p.seams):
        a.seam = jump
        a.seam_ratio = jump / max((a.flicker + b.flicker) / 2, _MIN_FLICKER)
        if a.seam_ratio > seam_ratio:
            a.flags.append("seam")
    return Diagnosis(rows=rows, fps=p.fps, flicker_limit=float(flicker_limit), seam_ratio=float(seam_ratio))


# -- plots ----------------------------------------------------------------------------------


def _figure(rows: int = 1, figsize: tuple[float, float] = (9, 3)):
    plt = require("matplotlib.pyplot", "notebook", "matplotlib")
    fig, axes = plt.subplots(rows, 1, figsize=figsize, squeeze=False, constrained_layout=True)
    # Closed at once: pyplot keeps no reference and inline backends do not show it twice;
    # the returned Figure still draws, saves and displays as a cell's value.
    plt.close(fig)
    return fig, [a[0] for a in axes]


def plot_flicker(clips_or_story: Any, *, spans: Any = None, flicker_limit: float = 15.0, title: str | None = None):
    """Flicker and motion per frame step over the story, with each seam jump marked; returns a Figure."""
    p = _parts(clips_or_story, spans)
    fig, (ax,) = _figure()
    for n, (start, frames) in enumerate(zip(p.starts, p.scenes)):
        if len(frames) < 2:
            continue
        x = np.arange(start + 1, start + len(frames))
        ax.plot(x, flicker(frames), color=f"C{n % 10}", lw=1.5, label="flicker" if n == 0 else None)
        ax.plot(x, motion_energy(frames), color=f"C{n % 10}", lw=1, ls="--", label="motion" if n == 0 else None)
    if p.seams:
        ax.scatter(p.starts[1:], p.seams, color="red", marker="x", s=50, zorder=3, label="seam jump")
        for x in p.starts[1:]:
            ax.axvline(x - 0.5, color="0.7", lw=0.8, zorder=0)
    ax.axhline(flicker_limit, color="0.4", ls=":", lw=1, label=f"flicker limit {flicker_limit:g}")
    ax.set_xlabel("frame")
    ax.set_ylabel("mean |Δ| per step (0–255)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "flicker (solid) and motion (dashed) per scene")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def plot_seams(clips_or_story: Any, *, spans: Any = None, seam_ratio: float = 3.0, title: str | None = None):
    """Bars: the jump at each boundary next to the scenes' own flicker; flagged ones in red. Returns a Figure."""
    d = diagnose(clips_or_story, spans=spans, seam_ratio=seam_ratio)
    fig, (ax,) = _figure(figsize=(max(4, 1.2 * len(d.rows)), 3))
    pairs = list(zip(d.rows, d.rows[1:]))
    x = np.arange(len(pairs))
    own = [max((a.flicker + b.flicker) / 2, _MIN_FLICKER) for a, b in pairs]
    colors = ["red" if "seam" in a.flags else "C0" for a, _ in pairs]
    ax.bar(x - 0.2, [a.seam for a, _ in pairs], 0.4, color=colors, label="seam jump")
    ax.bar(x + 0.2, own, 0.4, color="0.6", label="scenes' own flicker")
    limits = [seam_ratio * o for o in own]
    ax.scatter(x - 0.2, limits, marker="_", s=300, color="k", zorder=3, label=f"{seam_ratio:g}× own flicker")
    ax.set_xticks(x, [f"{a.index}→{b.index}" for a, b in pairs])
    ax.set_ylabel("mean |Δ| (0–255)")
    ax.set_title(title or ("seam jumps" if pairs else "one scene: no seams"))
    if pairs:
        ax.legend(fontsize="small")
    return fig


def plot_drift(clips_or_story: Any, *, spans: Any = None, title: str | None = None):
    """Mean R, G and B of every frame over the story (scene boundaries marked); returns a Figure."""
    p = _parts(clips_or_story, spans)
    fig, (ax,) = _figure()
    for n, (start, frames) in enumerate(zip(p.starts, p.scenes)):
        means = _mean_rgb(frames)
        x = np.arange(start, start + len(frames))
        for c, color in enumerate(("tab:red", "tab:green", "tab:blue")):
            ax.plot(x, means[:, c], color=color, lw=1.2, label="RGB"[c] if n == 0 else None)
        if n:
            ax.axvline(start - 0.5, color="0.7", lw=0.8, zorder=0)
    ax.set_xlabel("frame")
    ax.set_ylabel("mean value (0–255)")
    ax.set_ylim(0, 255)
    ax.set_title(title or "colour drift: mean R, G, B per frame")
    ax.legend(loc="upper right", fontsize="small")
    return fig


# -- pictures ---------------------------------------------------------------------------------


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


def _resize(frame: np.ndarray, h: int, w: int) -> np.ndarray:
    if frame.shape[:2] == (h, w):
        return frame
    from PIL import Image

    return np.asarray(Image.fromarray(frame).resize((w, h), Image.BILINEAR, reducing_gap=2.0))


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
    from .media import ensure_ffmpeg

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


# -- comparing --------------------------------------------------------------------------------

# What `compare` can vary; base_model builds one backend per value (a backend kwarg).
VARY = ("num_inference_steps", "seed", "guidance_scale", "base_model", "height", "width", "size")


@dataclasses.dataclass(eq=False)
class Comparison:
    """One scene rendered once per value of one setting: `clips[i]` was made with `values[i]`."""

    scene_index: int
    vary: str
    values: list
    labels: list[str]
    clips: list[Clip]
    seconds: list[float]  # wall time of each render (near zero when it came from the cache)

    def __len__(self) -> int:
        return len(self.clips)

    def summary(self) -> str:
        """One line per value: seconds, flicker and motion (grey levels)."""
        w = max(len(lb) for lb in self.labels)
        lines = [f"scene {self.scene_index}, varying {self.vary}:"]
        for lb, c, s in zip(self.labels, self.clips, self.seconds):
            fl, mo = (flicker(c).mean(), motion_energy(c).mean()) if c.num_frames > 1 else (0.0, 0.0)
            lines.append(f"  {lb:<{w}}  {s:7.2f} s  flicker {fl:5.1f}  motion {mo:5.1f}  [{c.backend}]")
        return "\n".join(lines)

    __str__ = summary

    def __repr__(self) -> str:
        return f"Comparison(scene {self.scene_index}, {self.vary} in {self.values!r})"

    def _repr_html_(self) -> str:
        return show_comparison(self, return_html=True)


def _label(vary: str, value: Any, config: Any) -> str:
    if vary == "num_inference_steps":
        return f"{value} step" + ("" if value == 1 else "s")
    if vary == "seed":
        return f"seed {value}"
    if vary == "guidance_scale":
        return f"cfg {value:g}"
    if vary == "base_model":
        return str(value).rstrip("/").rsplit("/", 1)[-1]
    return f"{config.width}×{config.height}"


def compare(
    scene: Any,
    script: Any,
    vary: str = "num_inference_steps",
    values: Sequence = (1, 2, 4, 8),
    backend: Any = "auto",
    config: Any = None,
    cache_dir: Any = None,
    *,
    backend_kwargs: dict | None = None,
    progress: bool = True,
) -> Comparison:
    """Renders one scene once per value of `vary`, everything else fixed.

    `vary` is one of VARY: `num_inference_steps`, `guidance_scale`, `height`,
    `width`, `size` (an int for square or `(height, width)`) change the
    RenderConfig — Lightning then swaps in the checkpoint distilled for each
    step count, keeping the base model loaded; `seed` changes the scene's seed;
    `base_model` builds a backend per value with `get_backend(name,
    base_model=v, ...)`. `backend_kwargs` go to every `get_backend` call.
    `seconds` includes loading, so compare timings after a warm-up render.
    """
    from .backend import RenderConfig, get_backend
    from .script import Scene

    # 1. Check inputs: every value must make a valid scene/config before anything renders.
    if isinstance(scene, int) and not isinstance(scene, bool):
        scene = script.scene(scene)
    if not isinstance(scene, Scene):
        raise InvalidInput(f"scene must be a Scene or a scene index, got {type(scene).__name__}")
    if vary not in VARY:
        raise InvalidInput(f"cannot vary {vary!r}; choose one of: {', '.join(VARY)}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not 1 <= len(values) <= 16:
        raise InvalidInput(f"values must be a list of 1 to 16 settings to try, got {values!r}")
    config = config if config is not None else RenderConfig()
    if not isinstance(config, RenderConfig):
        raise InvalidInput(f"config must be a RenderConfig or None, got {type(config).__name__}")
    by_name = isinstance(backend, str)
    if vary == "base_model" and not by_name:
        raise InvalidInput('to vary base_model pass the backend by name (e.g. backend="lightning"), not an instance')
    kwargs = dict(backend_kwargs or {})
    if "base_model" in kwargs and vary == "base_model":
        raise InvalidInput("base_model is what varies here: leave it out of backend_kwargs")
    if "num_inference_steps" in kwargs:
        raise InvalidInput("set num_inference_steps in config (or vary it), not in backend_kwargs")

    scenes, configs = [], []
    for v in values:
        if vary in ("num_inference_steps", "guidance_scale", "height", "width"):
            configs.append(dataclasses.replace(config, **{vary: v}))
        elif vary == "size":
            h, w = (v, v) if isinstance(v, int) else tuple(v)
            configs.append(dataclasses.replace(config, height=h, width=w))
        else:
            configs.append(config)
        scenes.append(dataclasses.replace(scene, seed=v) if vary == "seed" else scene)
        if vary == "base_model" and (not isinstance(v, str) or not v.strip()):
            raise InvalidInput(f"base_model values must be hub ids or local paths, got {v!r}")

    # 2. Render; a new backend per value only for base_model (a constructor argument).
    from .render import render_scene

    clips, seconds, resolved = [], [], backend
    for n, (v, sc, cfg) in enumerate(zip(values, scenes, configs)):
        if by_name and (n == 0 or vary == "base_model"):
            # "auto" is resolved once, so one comparison never mixes backends.
            name = backend if n == 0 else resolved.name
            resolved = None  # let the previous pipeline go before loading the next one
            extra = {**kwargs, "num_inference_steps": cfg.num_inference_steps}
            if vary == "base_model":
                extra["base_model"] = v
            resolved = get_backend(name, verbose=progress and n == 0, **extra)
        t0 = time.perf_counter()
        clip = render_scene(sc, script, resolved, cfg, cache_dir=cache_dir)
        seconds.append(time.perf_counter() - t0)
        clips.append(clip)
        if progress:
            print(f"compare: {_label(vary, v, cfg)} ({n + 1}/{len(values)}) {seconds[-1]:.1f} s")
    labels = [_label(vary, v, c) for v, c in zip(values, configs)]
    return Comparison(scene.index, vary, list(values), labels, clips, seconds)


def comparison_grid(
    comparison: Comparison, frames: Any = None, *, scale: float | None = None, label: bool = True
) -> np.ndarray:
    """One row per value, one column per frame (default first, middle, last); a uint8 image.

    Tiles share one size (the largest clip's, `scale=None`: at most 128 px on the
    long side); smaller renders are letterboxed, so resolution differences stay visible.
    Rows are labelled with the value, tiles with the frame number.
    """
    if not isinstance(comparison, Comparison):
        raise InvalidInput(f"comparison must be a Comparison (from compare()), got {type(comparison).__name__}")
    h = max(c.height for c in comparison.clips)
    w = max(c.width for c in comparison.clips)
    th, tw = _tile_size(h, w, scale, _SHEET_TILE)
    tiles, tags = [], []
    for lb, clip in zip(comparison.labels, comparison.clips):
        n = clip.num_frames
        picked = _pick(n, frames if frames is not None else sorted({0, n // 2, n - 1}))
        tiles.extend(_fit(clip.frames[i], th, tw) for i in picked)
        tags.append((lb, picked))
    cols = len(tags[0][1])
    if any(len(p) != cols for _, p in tags):
        raise InvalidInput("clips in this comparison have different lengths; pass explicit frames=(...) indices")
    canvas, corners = _grid(tiles, cols, th, tw)
    if not label:
        return canvas
    from PIL import Image, ImageDraw

    img = Image.fromarray(canvas)
    draw, font = ImageDraw.Draw(img), _font_for(th)
    for r, (lb, picked) in enumerate(tags):
        for c, i in enumerate(picked):
            x, y = corners[r * cols + c]
            if c == 0:
                _tag(draw, (x, y), lb, font)
            _tag(draw, (x + tw, y + th), str(i), font, corner="br")
    return np.asarray(img)


def show_comparison(
    comparison: Comparison, frames: Any = None, *, video: bool = False, scale: float | None = None,
    height: int | None = None, return_html: bool = False,
) -> str | None:  # fmt: skip
    """Shows `comparison_grid(...)`, or with `video=True` plays the renders side by side, labelled."""
    if not isinstance(comparison, Comparison):
        raise InvalidInput(f"comparison must be a Comparison (from compare()), got {type(comparison).__name__}")
    title = f"scene {comparison.scene_index}: {comparison.vary}"
    if not video:
        grid = comparison_grid(comparison, frames, scale=scale)
        return _mediapy().show_image(grid, title=html.escape(title), return_html=return_html)
    cells = [_video_html(c.frames, c.fps, lb, height, "h264") for lb, c in zip(comparison.labels, comparison.clips)]
    td = '<td style="padding:1px;vertical-align:top;">'
    row = "".join(f"{td}{c}</td>" for c in cells)
    s = f'<div>{html.escape(title)}</div><table style="border-spacing:0px;"><tr>{row}</tr></table>'
    if return_html:
        return s
    _display(s)
    return None


# -- text–frame alignment ---------------------------------------------------------------------


def clip_alignment(
    clips: Any, script: Any, model: str = "openai/clip-vit-base-patch32", *, frames_per_clip: int = 3, device: str = "cpu"
) -> list[float]:
    """How well each scene's frames match its text: CLIP cosine similarity (Radford et al. 2021).

    Per scene, the mean over `frames_per_clip` evenly spaced frames of
    cos(text embedding, frame embedding) — CLIPScore (Hessel et al. 2021)
    without its 2.5× rescale; real matches score ~0.25–0.35, unrelated pairs
    ~0.1–0.2. The text is the scene's `text`, else its `prompt`. Weights are
    read only from a local path or the Hugging Face cache; when they are not
    there this raises MissingWeights and never downloads.
    """
    p = _parts(clips)
    if isinstance(frames_per_clip, bool) or not isinstance(frames_per_clip, int) or not 1 <= frames_per_clip <= 32:
        raise InvalidInput(f"frames_per_clip must be an integer from 1 to 32, got {frames_per_clip!r}")
    texts = []
    for idx in p.indices:
        s = script.scene(idx)
        texts.append(s.text or s.prompt)

    torch = require("torch", "gen")
    transformers = require("transformers", "gen")
    try:
        clip_model = transformers.CLIPModel.from_pretrained(model, local_files_only=True)
        tokenizer = transformers.AutoTokenizer.from_pretrained(model, local_files_only=True)
        processor = transformers.AutoImageProcessor.from_pretrained(model, local_files_only=True)
    except (OSError, ValueError) as e:
        raise MissingWeights(
            f"CLIP weights {model!r} are not on this machine, so clip_alignment is unavailable offline "
            f"({type(e).__name__}); fetch them once where there is internet: `huggingface-cli download {model}`"
        ) from None
    clip_model.eval().to(device)
    scores = []
    with torch.inference_mode():
        for text, frames in zip(texts, p.scenes):
            picked = np.unique(np.linspace(0, len(frames) - 1, frames_per_clip).round().astype(int))
            images = processor(images=[frames[i] for i in picked], return_tensors="pt")["pixel_values"].to(device)
            tokens = tokenizer([text], padding=True, truncation=True, max_length=77, return_tensors="pt").to(device)
            # The forward pass returns normalised embeddings in transformers 4.x and 5.x alike.
            out = clip_model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"], pixel_values=images)
            scores.append(float((out.image_embeds @ out.text_embeds.T).mean()))
    return scores
