"""Numbers about clips: flicker, motion, colour drift, seam jumps, and `diagnose`.

Everything takes a `Clip`, a list of clips (one per scene), a `(T, H, W, 3)` uint8
array, or a stitched story (any object with `frames`, `fps` and `spans`). All metrics
are in grey levels (0-255), averaged over pixels and channels, so they compare across
resolutions and with each other.

>>> import numpy as np
>>> from storykit.inspection.metrics import flicker, seam_jump
>>> still = np.full((16, 64, 64, 3), 90, np.uint8)
>>> float(flicker(still).max())                         # nothing changes
0.0
>>> seam_jump(still, still + 40)                        # a cut to a brighter shot
40.0
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import numpy as np

from ..generate.clips import Clip, check_frames
from ..errors import InvalidInput

__all__ = [
    "flicker",
    "motion_energy",
    "color_drift",
    "drift",
    "seam_jump",
    "seams",
    "SceneStats",
    "Diagnosis",
    "diagnose",
]


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


def _resize(frame: np.ndarray, h: int, w: int) -> np.ndarray:
    if frame.shape[:2] == (h, w):
        return frame
    from PIL import Image

    return np.asarray(Image.fromarray(frame).resize((w, h), Image.BILINEAR, reducing_gap=2.0))


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
    transition: str | None = None  # into the next scene, when a script or story says it (cut, crossfade, ...)


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
                fix = ("a longer transition (transition_frames) softens it" if r.transition not in (None, "cut")
                       else "a crossfade or fade hides it")
                out.append(
                    f"scene {r.index} → {nxt}: seam jump {r.seam:.1f} is {r.seam_ratio:.1f}× the scenes' own "
                    f"flicker (limit {self.seam_ratio:g}×); {fix}"
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

    _HEAD = ("scene", "frames", "flicker", "max", "motion", "drift", "seam→next", "ratio", "into next", "flags")

    def _cells(self, r: SceneStats) -> tuple[str, ...]:
        nums = (r.flicker, r.flicker_max, r.motion, r.drift, r.seam, r.seam_ratio)
        return (str(r.index), str(r.num_frames), *("—" if v is None else f"{v:.1f}" for v in nums),
                r.transition or "—", ",".join(r.flags))

    def __str__(self) -> str:
        table = [self._HEAD] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[c]) for row in table) for c in range(len(self._HEAD))]
        lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
        found = f"{len(self.problems)} problem(s):" if self.problems else "no problems flagged"
        lines.append(f"metrics in grey levels (0–255); {found}")
        lines.extend(f"- {p}" for p in self.problems)
        return "\n".join(lines)

    def __repr__(self) -> str:  # the table itself: `diagnose(clips)` at a prompt shows what it found
        return str(self)

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
    clips_or_story: Any, script: Any = None, *, spans: Any = None, flicker_limit: float = 15.0, seam_ratio: float = 3.0
) -> Diagnosis:
    """Measures every scene and boundary and flags what stands out; `print(diagnose(clips))` shows the table.

    A scene is flagged "flicker" when its mean flicker exceeds `flicker_limit`
    grey levels per frame step (rough: at 8 fps, more than ~6 % of full scale per
    step reads as shimmer unless the camera moves fast). A boundary is flagged
    "seam" when its jump exceeds `seam_ratio` times the mean flicker of the two
    scenes it joins (at least 1 grey level): the cut changes the picture much
    more than the scenes change themselves.

    Transitions count: with a `script`, a boundary of separate clips that the
    script joins with a crossfade or a fade is measured but not flagged (the
    stitched story blends it); a stitched story is measured across its actual
    transitions, which it records.
    """
    for name, v in (("flicker_limit", flicker_limit), ("seam_ratio", seam_ratio)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise InvalidInput(f"{name} must be a positive number, got {v!r}")
    p = _parts(clips_or_story, spans)
    transitions = _transitions(clips_or_story, script, p.indices)
    stitched = _is_story(clips_or_story) or spans is not None
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
    for a, b, jump, into in zip(rows, rows[1:], p.seams, transitions):
        a.seam, a.transition = jump, into
        a.seam_ratio = jump / max((a.flicker + b.flicker) / 2, _MIN_FLICKER)
        hidden = not stitched and into not in (None, "cut")  # stitch() will blend this boundary
        if a.seam_ratio > seam_ratio and not hidden:
            a.flags.append("seam")
    return Diagnosis(rows=rows, fps=p.fps, flicker_limit=float(flicker_limit), seam_ratio=float(seam_ratio))



def _transitions(x: Any, script: Any, indices: list[int]) -> list[str | None]:
    """The transition after each scene but the last: from the script, else what a story recorded."""
    n = max(len(indices) - 1, 0)
    if script is not None:
        if not hasattr(script, "scene"):
            raise InvalidInput(f"script must be a storykit Script, got {type(script).__name__}")
        return [script.scene(i).transition for i in indices[:-1]]  # InvalidInput for a scene it lacks
    recorded = (getattr(x, "metadata", None) or {}).get("transitions") if _is_story(x) else None
    if isinstance(recorded, list) and len(recorded) == n:
        return [str(t) for t in recorded]
    return [None] * n


# -- plots ----------------------------------------------------------------------------------
