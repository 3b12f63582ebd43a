"""Stitching scene clips into one story video.

`stitch` conforms the clips (one size, one frame rate), joins them with each
scene's transition, and can add a title card and burned-in captions. The
result is a `Story`: the frames plus where each scene sits, which is what the
subtitles and the export need.

>>> from storykit.stitch import stitch
>>> story = stitch(clips, script, fps=24)  # doctest: +SKIP
>>> story.spans  # (start, end) frame of each scene  # doctest: +SKIP
[(0, 42), (42, 84), (84, 132)]

Frame-count rules (tests check them exactly). With target rate ``f``, clip
``i`` of ``n_i`` frames at ``s_i`` fps, ``N = transition_frames``, and
``round`` meaning round half up:

1. Retiming: clip i lasts ``m_i = max(1, round(n_i * f / s_i))`` frames (``n_i``
   when ``s_i == f``). Output frame ``j`` shows source time ``j * s_i / f``; between
   two source frames it blends them ("blend"), warps them along optical flow
   ("flow"), or holds the earlier one ("none"). Past the last source frame it holds.
2. A transition from clip i to clip i+1 lasts ``K = min(round(N * f / s_i),
   m_i // 2, m_(i+1) // 2)`` frames: N *source* frames of time, and never more
   than half of either neighbour.
3. "cut": no change. "crossfade": the last K frames of i and the first K of
   i+1 overlap, so the story is K frames shorter; overlap frame k (0-based)
   is ``i * (1 - w) + (i+1) * w`` with ``w = (k + 1) / (K + 1)``.
   "fade_black"/"fade_white" (a dip, no length change): with ``h = K // 2`` and
   ``g = K - h``, the last h frames of i move towards the colour with weight
   ``(k + 1) / h`` (its last frame is pure colour) and the first g frames of
   i+1 come out of it with weight ``(g - k) / (g + 1)``.
4. Total: ``T = L + sum(m_i) - sum(K over crossfades)``, where ``L =
   max(1, round(title_seconds * f))`` with a title card, else 0. The card
   dips to black into the first scene (rule 3, no length change).
5. Scene spans are contiguous ``[start, end)`` ranges covering ``[L, T)``: a
   scene starts at its clip's first frame after a cut or a dip, and ``K // 2``
   frames into the overlap after a crossfade (the first frame where it weighs
   at least half). Burned-in captions and subtitles both follow these spans.
"""

from __future__ import annotations

import dataclasses
import math
import mmap
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..generate.clips import Clip, FramesInfo
from ..errors import InvalidInput, MissingDependency
from ..plan.script import TRANSITIONS, Script, check_text

__all__ = ["Story", "stitch", "INTERPOLATIONS"]

INTERPOLATIONS = ("blend", "none", "flow")
MAX_TRANSITION_FRAMES = 64
MAX_FPS = 120
_DIP_COLOURS = {"fade_black": 0, "fade_white": 255}  # grey levels: a scalar adds fast
_CHUNK = 16  # frames per blending step: keeps uint16 temporaries small and in cache


@dataclasses.dataclass(eq=False)
class Story(FramesInfo):
    """One stitched video: `frames` (T, H, W, 3) uint8 at `fps`, and where each scene is.

    `spans[i]` is the ``(start, end)`` frame range (end exclusive) of the scene
    `scene_indices[i]`, whose sentence is `texts[i]`; subtitles are timed from
    them. `metadata` records the options used and what was conformed.
    """

    frames: np.ndarray
    fps: float
    spans: list[tuple[int, int]]
    texts: list[str]
    scene_indices: list[int]
    metadata: dict = dataclasses.field(default_factory=dict)

    def times(self) -> list[tuple[float, float]]:
        """Each scene's ``(start, end)`` in seconds."""
        return [(a / self.fps, b / self.fps) for a, b in self.spans]

    def __repr__(self) -> str:
        return (
            f"Story({len(self.spans)} scenes, {self.num_frames} frames {self.width}x{self.height} "
            f"@ {self.fps:g} fps, {self.duration:.1f} s)"
        )

    def _repr_html_(self) -> str:
        try:
            import mediapy

            from .ffmpeg import ensure_ffmpeg

            ensure_ffmpeg()
        except Exception:  # no ffmpeg in a notebook: show the text form instead of a traceback
            return repr(self)
        return mediapy.show_video(self.frames, fps=self.fps, title=repr(self), return_html=True)


def stitch(
    clips: Sequence[Clip],
    script: Script | None = None,
    *,
    transition: str | None = None,
    transition_frames: int = 4,
    fps: float | None = None,
    interpolate: str = "blend",
    title: str | bool | None = None,
    title_seconds: float = 1.5,
    captions: bool = False,
) -> Story:
    """Joins `clips` (in the given order) into one `Story`; see the module docstring for exact frame counts.

    Args:
        clips: rendered scenes; the first one sets the size (others are scaled to
            cover it and centre-cropped, with one printed line) and, unless `fps`
            is given, the frame rate.
        script: gives each scene's text (subtitles, captions) and its
            `transition` to the next scene. Without it transitions are "crossfade".
        transition: one of TRANSITIONS for every boundary, overriding the script.
        transition_frames: transition length in the clips' own (source) frames.
        fps: output frame rate; clips at other rates are retimed (`interpolate`).
        interpolate: "blend" (mix neighbouring frames), "flow" (warp along DIS
            optical flow; needs OpenCV) or "none" (repeat/drop frames).
        title: a title card: text, or True for the script's title (no card if it
            has none); None or False for none.
        title_seconds: how long the card stays up.
        captions: burn each scene's text into the bottom of the frames of its span.
    """
    # 1. Check inputs.
    if isinstance(clips, Clip) or not isinstance(clips, (list, tuple)):
        raise InvalidInput(f"clips must be a list of Clip, got {type(clips).__name__}")
    if not clips:
        raise InvalidInput("no clips to stitch: render at least one scene first")
    for k, c in enumerate(clips):
        if not isinstance(c, Clip):
            raise InvalidInput(f"clips[{k}] is a {type(c).__name__}, not a Clip")
    if script is not None and not isinstance(script, Script):
        raise InvalidInput(f"script must be a Script or None, got {type(script).__name__}")
    if transition is not None and transition not in TRANSITIONS:
        raise InvalidInput(f"unknown transition {transition!r}; choose one of: {', '.join(TRANSITIONS)}")
    if isinstance(transition_frames, bool) or not isinstance(transition_frames, numbers.Integral):
        raise InvalidInput(f"transition_frames must be an integer, got {transition_frames!r}")
    if not 0 <= transition_frames <= MAX_TRANSITION_FRAMES:
        raise InvalidInput(f"transition_frames must be between 0 and {MAX_TRANSITION_FRAMES}, got {transition_frames}")
    if fps is not None and (isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not 0 < fps <= MAX_FPS):
        raise InvalidInput(f"fps must be a number in (0, {MAX_FPS}], got {fps!r}")
    if interpolate not in INTERPOLATIONS:
        raise InvalidInput(f"unknown interpolate {interpolate!r}; choose one of: {', '.join(INTERPOLATIONS)}")
    if isinstance(title_seconds, bool) or not isinstance(title_seconds, numbers.Real) or not 0 < title_seconds <= 10:
        raise InvalidInput(f"title_seconds must be a number in (0, 10], got {title_seconds!r}")
    scenes = []
    if script is not None:
        for c in clips:
            scenes.append(script.scene(c.scene_index))  # raises InvalidInput for a clip of another story
    title_text = _title_text(title, script)
    fps = float(fps if fps is not None else clips[0].fps)
    if interpolate == "flow":
        _cv2()  # fail before any work

    # 2. Conform sizes, on the source frames (fewer than after retiming).
    texts = [s.text for s in scenes] if scenes else [str(c.metadata.get("text", "")) for c in clips]
    height, width = clips[0].height, clips[0].width
    sources, resized = [], []
    for c in clips:
        frames = c.frames
        if frames.shape[1:3] != (height, width):
            print(
                f"storykit: scene {c.scene_index} is {c.width}x{c.height}; resized to {width}x{height} "
                "(the first clip's size) by scaling and centre-cropping"
            )
            frames = _resize_cover(frames, height, width)
            resized.append(c.scene_index)
        sources.append(frames)
    sizes = [_retimed_length(len(f), c.fps, fps) for f, c in zip(sources, clips)]

    # 3. Plan each boundary: which transition, and how many output frames it takes.
    names, lengths = [], []
    for k in range(len(clips) - 1):
        name = transition or (scenes[k].transition if scenes else "crossfade")
        want = _round(transition_frames * fps / clips[k].fps)
        names.append(name)
        lengths.append(min(want, sizes[k] // 2, sizes[k + 1] // 2))
    title_len = max(1, _round(title_seconds * fps)) if title_text else 0
    title_k = min(_round(transition_frames * fps / clips[0].fps), title_len // 2, sizes[0] // 2)
    starts = [title_len]
    for k in range(len(clips) - 1):
        starts.append(starts[k] + sizes[k] - (lengths[k] if names[k] == "crossfade" else 0))
    total = starts[-1] + sizes[-1]

    # 4. Retime every clip straight into one output buffer, blending where clips overlap.
    # Writing in place (no per-clip copies) keeps stitching well under the cost of encoding.
    out = _empty_frames((total, height, width, 3))
    mixer = _Mixer((height, width, 3))
    for k, c in enumerate(clips):
        s, m = starts[k], sizes[k]
        overlap = lengths[k - 1] if k and names[k - 1] == "crossfade" else 0
        src = _Source(sources[k], c.fps, fps, interpolate, mixer)
        if overlap:
            head = np.empty((overlap, height, width, 3), np.uint8)
            src.render(head, 0)
            for i in range(overlap):
                mixer(out[s + i], out[s + i], head[i], (i + 1) / (overlap + 1))
        src.render(out[s + overlap : s + m], overlap)
    for k, name in enumerate(names):
        if name in _DIP_COLOURS:
            _dip(out, starts[k + 1], lengths[k], _DIP_COLOURS[name], mixer)
    seams = [starts[k + 1] + (lengths[k] // 2 if names[k] == "crossfade" else 0) for k in range(len(names))]
    bounds = [title_len, *seams, total]
    spans = [(bounds[k], bounds[k + 1]) for k in range(len(clips))]

    # 5. The title card, dipping to black into the first scene; then captions over each
    #    scene's span, drawn last so they switch with the subtitles and never fade.
    if title_text:
        out[:title_len] = _title_card(sources[0][0], title_text)
        _dip(out, title_len, title_k, 0, mixer)
    if captions:
        for (a, b), text in zip(spans, texts):
            if text:
                _apply_caption(out[a:b], _caption_layer(text, height, width))
    options = {
        "transition": transition,
        "transition_frames": int(transition_frames),
        "fps": fps,
        "interpolate": interpolate,
        "title": title if isinstance(title, (str, bool)) else None,
        "title_seconds": float(title_seconds),
        "captions": bool(captions),
    }
    metadata = {
        "options": options,
        "source_fps": [float(c.fps) for c in clips],
        "source_frames": [c.num_frames for c in clips],
        "retimed_frames": sizes,
        "transitions": names,
        "transition_lengths": lengths,
        "title": title_text,
        "title_frames": title_len,
        "resized_scenes": resized,
    }
    return Story(out, fps, spans, texts, [c.scene_index for c in clips], metadata)


# -- helpers -------------------------------------------------------------------------


def _round(x: float) -> int:
    """Round half up (Python's round() rounds half to even: 2.5 -> 2)."""
    return int(math.floor(x + 0.5 + 1e-9))


def _title_text(title: Any, script: Script | None) -> str | None:
    if title is None or title is False:
        return None
    if title is True:  # "the script's title, if it has one": a default that never fails a render
        return script.title if script is not None and script.title else None
    return check_text(title, "title")


def _empty_frames(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised uint8 array for a whole story, in pre-faulted ordinary pages (Linux).

    numpy asks for transparent huge pages on big arrays (MADV_HUGEPAGE); where the kernel
    then compacts memory synchronously (defrag=madvise, Ubuntu's default) and memory is
    fragmented, e.g. right after an ffmpeg encode, first writes to a 170 MB story stalled
    ~1 s here: 5x the stitching. An anonymous MAP_POPULATE mapping takes ~0.12 s, steadily.
    """
    size = int(np.prod(shape))
    populate = getattr(mmap, "MAP_POPULATE", None)
    if size < 1 << 24 or populate is None or not sys.platform.startswith("linux"):
        return np.empty(shape, np.uint8)
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    return np.frombuffer(buf, np.uint8).reshape(shape)  # the array keeps the mapping alive


class _Mixer:
    """``dst = a * (1 - w) + b * w`` for one uint8 frame, in 8-bit fixed point with reused buffers.

    `b` is a frame or one grey level (0-255). Integer maths (weights in 1/256, exact to one level) into
    preallocated uint16 buffers runs ~1.3 ms per 512x512 frame, ~1.4x faster than float32
    and without the page faults of fresh temporaries.
    """

    def __init__(self, shape: tuple[int, int, int]):
        self.acc = np.empty(shape, np.uint16)
        self.tmp = np.empty(shape, np.uint16)

    def __call__(self, dst: np.ndarray, a: np.ndarray, b: Any, w: float) -> None:
        q = int(np.rint(w * 256))
        np.multiply(a, np.uint16(256 - q), out=self.acc, dtype=np.uint16)
        if isinstance(b, np.ndarray):
            np.multiply(b, np.uint16(q), out=self.tmp, dtype=np.uint16)
            self.acc += self.tmp
            self.acc += 128
        else:
            self.acc += np.uint16(int(b) * q + 128)
        np.right_shift(self.acc, 8, out=self.acc)
        np.copyto(dst, self.acc, casting="unsafe")


def _dip(out: np.ndarray, seam: int, k: int, colour: int, mixer: _Mixer) -> None:
    """A dip through `colour` centred on frame `seam` (rule 3), in place."""
    h, g = k // 2, k - k // 2
    for i in range(h):
        t = seam - h + i
        mixer(out[t], out[t], colour, (i + 1) / h)
    for j in range(g):
        mixer(out[seam + j], out[seam + j], colour, (g - j) / (g + 1))


def _retimed_length(n: int, src_fps: float, dst_fps: float) -> int:
    return n if src_fps == dst_fps else max(1, _round(n * dst_fps / src_fps))


class _Source:
    """One clip seen at the output rate (rule 1): `render(dst, lo)` writes output frames lo, lo+1, ..."""

    def __init__(self, frames: np.ndarray, src_fps: float, dst_fps: float, mode: str, mixer: _Mixer):
        self.frames, self.mode, self.mixer = frames, mode, mixer
        self.src_fps, self.dst_fps = float(src_fps), float(dst_fps)
        self.flow = _Flow(frames) if mode == "flow" and src_fps != dst_fps else None

    def render(self, dst: np.ndarray, lo: int) -> None:
        n = len(self.frames)
        j = np.arange(lo, lo + len(dst))
        if self.src_fps == self.dst_fps:
            np.take(self.frames, np.minimum(j, n - 1), axis=0, out=dst)
            return
        pos = j * self.src_fps / self.dst_fps  # multiply first: j*8/24 is exact at integers
        i0 = np.minimum(np.floor(pos + 1e-9).astype(np.int64), n - 1)
        w = np.where(i0 >= n - 1, 0.0, pos - i0)
        w[np.abs(w) < 1e-6] = 0.0
        if self.mode == "none" or not w.any():
            np.take(self.frames, i0, axis=0, out=dst)
            return
        on_grid = np.flatnonzero(w == 0)
        dst[on_grid] = self.frames[i0[on_grid]]
        pairs: dict[int, list[tuple[int, float]]] = {}  # source pair -> its in-betweens
        for d in np.flatnonzero(w).tolist():
            pairs.setdefault(int(i0[d]), []).append((d, float(w[d])))
        for i, jobs in pairs.items():
            if self.flow is not None:
                self.flow.between(dst, i, jobs, self.mixer)
            else:
                for d, t in jobs:
                    self.mixer(dst[d], self.frames[i], self.frames[i + 1], t)


def _cv2():
    try:
        import cv2
    except ImportError:
        raise MissingDependency(
            "interpolate='flow' needs OpenCV: `pip install opencv-python-headless`; or use interpolate='blend'"
        ) from None
    return cv2


class _Flow:
    """Motion-compensated in-betweens: warp both neighbours along DIS optical flow, then blend.

    DIS: Kroeger et al., "Fast Optical Flow using Dense Inverse Search", ECCV 2016 (OpenCV's
    implementation). The frame at time t samples A at x - t*F_ab(x) and B at x - (1-t)*F_ba(x),
    the usual linear-motion approximation; flows are computed once per source pair.
    """

    def __init__(self, frames: np.ndarray):
        self.cv2 = cv2 = _cv2()
        self.frames = frames
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        h, w = frames.shape[1:3]
        self.gy, self.gx = np.mgrid[0:h, 0:w].astype(np.float32)

    def between(self, dst: np.ndarray, i: int, jobs: list[tuple[int, float]], mixer: _Mixer) -> None:
        """Writes the in-betweens `jobs` ((dst index, t) pairs) of source frames i and i+1."""
        cv2, a, b = self.cv2, self.frames[i], self.frames[i + 1]
        ga, gb = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
        f_ab, f_ba = self.dis.calc(ga, gb, None), self.dis.calc(gb, ga, None)

        def warp(img, f, s):
            return cv2.remap(img, self.gx - s * f[..., 0], self.gy - s * f[..., 1], cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)

        for d, t in jobs:
            mixer(dst[d], warp(a, f_ab, t), warp(b, f_ba, 1 - t), t)


def _resize_cover(frames: np.ndarray, height: int, width: int) -> np.ndarray:
    """Scales frames to cover (height, width) and centre-crops: no stretching, no bars."""
    from PIL import Image

    h, w = frames.shape[1:3]
    scale = max(height / h, width / w)
    sh, sw = max(height, _round(h * scale)), max(width, _round(w * scale))
    top, left = (sh - height) // 2, (sw - width) // 2
    box = (left, top, left + width, top + height)
    return np.stack(
        [np.asarray(Image.fromarray(f).resize((sw, sh), Image.Resampling.LANCZOS).crop(box)) for f in frames]
    )


def _font(size: int):
    """The story's text font at `size` px: the shared chain of storykit.generate.lettering (every script, emoji)."""
    from ..generate import lettering

    return lettering.font(size)


def _wrap(text: str, font, max_width: float, max_lines: int) -> list[str]:
    """Greedy wrap by measured width, linear in the text (spaces, CJK); overflowing text ends with an ellipsis."""
    if not hasattr(font, "wrap"):  # a plain Pillow font: wrap with the chain at its size
        font = _font(int(getattr(font, "size", 12)))
    return font.wrap(text, max_width, max_lines)


def _caption_layer(text: str, h: int, w: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Renders `text` once on a translucent band: (band height, 255 - alpha, colour * alpha + 128)."""
    from PIL import Image, ImageDraw

    font = _font(max(9, h // 22))
    lines = _wrap(text, font, 0.92 * w, max_lines=3)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent + 2
    pad = max(2, line_h // 4)
    band_h = min(h, len(lines) * line_h + 2 * pad)
    layer = Image.new("RGBA", (w, band_h), (0, 0, 0, 150))
    draw = ImageDraw.Draw(layer)
    for k, line in enumerate(lines):
        font.draw(draw, ((w - font.getlength(line)) / 2, pad + k * line_h), line, (255, 255, 255, 255))
    rgba = np.asarray(layer)
    alpha = rgba[..., 3:].astype(np.uint16)
    return band_h, 255 - alpha, rgba[..., :3].astype(np.uint16) * alpha + 128


def _apply_caption(frames: np.ndarray, layer: tuple | None) -> None:
    """Alpha-composites a caption layer onto the bottom rows of every frame, in place."""
    if layer is None or not len(frames):
        return
    band_h, inv_alpha, top = layer
    acc = np.empty(top.shape, np.uint16)
    for f in frames:
        band = f[f.shape[0] - band_h :]
        np.multiply(band, inv_alpha, out=acc, dtype=np.uint16)
        acc += top
        acc //= 255
        np.copyto(band, acc, casting="unsafe")


def _title_card(background: np.ndarray, text: str) -> np.ndarray:
    """A still frame: the first scene's first frame, darkened and blurred, with the title centred."""
    from PIL import Image, ImageDraw, ImageFilter

    h, w = background.shape[:2]
    img = Image.fromarray((background.astype(np.uint16) * 3 // 10).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(radius=max(1, w // 100)))
    font = _font(max(10, h // 10))
    lines = _wrap(text, font, 0.9 * w, max_lines=4)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent + 4
    y = (h - len(lines) * line_h) / 2
    draw = ImageDraw.Draw(img)
    for k, line in enumerate(lines):
        font.draw(draw, ((w - font.getlength(line)) / 2, y + k * line_h), line, (255, 255, 255))
    return np.asarray(img)
