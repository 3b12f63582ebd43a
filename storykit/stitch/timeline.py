"""Stitching scene clips into one story video.

`stitch` conforms the clips (one size, one frame rate), joins them with each
scene's transition, and can add a title card and burned-in captions. The
result is a `Story`: where each scene sits (what the subtitles need) and a plan
that makes the frames on demand, chunk by chunk, so the export streams them into
the encoder without holding the stitched story (`Story.frames` builds it all for
inspection).

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
   "blend" also holds where the two source frames are too far apart to mix
   without a double exposure (`retime.distant_pair`; listed in ``metadata["held_pairs"]``).
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

import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..generate.clips import Clip, FramesInfo
from ..generate.frame_buffers import empty_frames
from ..errors import InvalidInput
from ..plan.script import TRANSITIONS, Script, check_text
from .retime import Mixer, Retimer, cv2_or_error

__all__ = ["Story", "stitch", "stitch_holding", "check_stitch_options", "INTERPOLATIONS"]

INTERPOLATIONS = ("blend", "none", "flow")
MAX_TRANSITION_FRAMES = 64
MAX_FPS = 120
CHUNK = 16  # frames per streamed chunk: 12 MB at 512x512, small next to the encoder's own buffers
_DIP_COLOURS = {"fade_black": 0, "fade_white": 255}  # grey levels: a scalar adds fast


class Story(FramesInfo):
    """One stitched video at `fps`, and where each scene is; its frames are made on demand.

    `spans[i]` is the ``(start, end)`` frame range (end exclusive) of the scene
    `scene_indices[i]`, whose sentence is `texts[i]`; subtitles are timed from
    them. `metadata` records the options used and what was conformed.

    The story keeps the clips and a plan (spans, transitions, title, captions), not
    the stitched frames: `iter_frames()` yields them chunk by chunk (what the export
    streams into the encoder), `render(start, stop)` makes any range, and `frames`
    builds the whole ``(T, H, W, 3)`` uint8 array on first access (for inspection)
    and keeps it.
    """

    def __init__(self, frames, fps: float, spans, texts, scene_indices, metadata: dict | None = None):
        if isinstance(frames, _Timeline):
            self._timeline, self._frames = frames, None
            self.shape = (frames.total, frames.height, frames.width, 3)
        else:
            self._timeline, self._frames = None, np.asarray(frames)
            self.shape = tuple(self._frames.shape)
        self.fps = fps
        self.spans = list(spans)
        self.texts = list(texts)
        self.scene_indices = list(scene_indices)
        self.metadata = dict(metadata or {})

    def _frames_shape(self) -> tuple[int, ...]:
        return self.shape

    @property
    def frames(self) -> np.ndarray:
        """All frames, (T, H, W, 3) uint8: built on first access, then kept (export never needs it)."""
        if self._frames is None:
            out = empty_frames(self.shape)
            for lo in range(0, self.num_frames, CHUNK):
                hi = min(lo + CHUNK, self.num_frames)
                self._timeline.render(lo, hi, out[lo:hi])
            self._frames = out
        return self._frames

    @property
    def materialised(self) -> bool:
        """Whether every frame is held in memory (after `frames` was read, or when built from an array)."""
        return self._frames is not None

    def render(self, start: int, stop: int) -> np.ndarray:
        """Frames ``[start, stop)`` as a new array, made without building the rest."""
        if not (isinstance(start, numbers.Integral) and isinstance(stop, numbers.Integral)
                and 0 <= start <= stop <= self.num_frames):
            raise InvalidInput(f"frame range must be within [0, {self.num_frames}], got [{start}, {stop})")
        if self._frames is not None:
            return self._frames[start:stop].copy()
        return self._timeline.render(start, stop)

    def iter_frames(self, chunk: int = CHUNK) -> Iterator[np.ndarray]:
        """Yields the frames in order as ``(k, H, W, 3)`` arrays of up to `chunk` frames each."""
        yield from self._chunks(chunk, reuse=False)

    def _chunks(self, chunk: int = CHUNK, *, reuse: bool = True) -> Iterator[np.ndarray]:
        """Like `iter_frames`; with `reuse` every chunk is written into one buffer (valid until the next)."""
        buf = None
        for lo in range(0, self.num_frames, chunk):
            hi = min(lo + chunk, self.num_frames)
            if self._frames is not None:
                yield self._frames[lo:hi]
                continue
            if not reuse:
                yield self._timeline.render(lo, hi)
                continue
            if buf is None:
                buf = np.empty((min(chunk, self.num_frames), *self.shape[1:]), np.uint8)
            yield self._timeline.render(lo, hi, buf[: hi - lo])

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

    The frames themselves are made when read or exported (`Story.iter_frames`), so a
    long story is never held twice in memory.

    Args:
        clips: rendered scenes; the first one sets the size (others are scaled to
            cover it and centre-cropped, with one printed line) and, unless `fps`
            is given, the frame rate.
        script: gives each scene's text (subtitles, captions) and its
            `transition` to the next scene. Without it transitions are "crossfade".
        transition: one of TRANSITIONS for every boundary, overriding the script.
        transition_frames: transition length in the clips' own (source) frames.
        fps: output frame rate; clips at other rates are retimed (`interpolate`).
        interpolate: "blend" (mix neighbouring frames; a pair too far apart to mix
            without a double exposure is held instead), "flow" (warp along DIS
            optical flow; needs OpenCV) or "none" (repeat/drop frames).
        title: a title card: text, or True for the script's title (no card if it
            has none); None or False for none.
        title_seconds: how long the card stays up.
        captions: burn each scene's text into the bottom of the frames of its span,
            after the transitions (so captions never fade into each other). A clip
            whose metadata says it already carries its caption (``"caption_drawn"``) is
            left as it is: never two captions.
    """
    # 1. Check inputs.
    scenes = _scenes_of(clips, script)
    _check_options(transition, transition_frames, fps, interpolate, title, title_seconds, captions)
    return _stitch(clips, script, scenes, {}, transition=transition, transition_frames=transition_frames, fps=fps,
                   interpolate=interpolate, title=title, title_seconds=title_seconds, captions=captions)


def stitch_holding(clips: Sequence[Clip], hold: dict[int, int], script: Script | None = None, **options) -> Story:
    """`stitch`, with each clip's last frame held for ``hold[scene_index]`` more source frames.

    The same Story as stitching clips that repeat their last frame (rule 1 holds past a
    clip's end), without copying a clip: narration makes room for its lines this way.
    """
    import inspect

    if not isinstance(hold, dict) or not all(isinstance(v, int) and v >= 0 for v in hold.values()):
        raise InvalidInput("hold must be a dict {scene index: frames >= 0}")
    scenes = _scenes_of(clips, script)
    defaults = {n: p.default for n, p in inspect.signature(stitch).parameters.items() if n not in ("clips", "script")}
    return _stitch(clips, script, scenes, hold, **(defaults | check_stitch_options(options)))


def _scenes_of(clips, script) -> list:
    """The script's scene of each clip ([] without a script), after checking both."""
    if isinstance(clips, Clip) or not isinstance(clips, (list, tuple)):
        raise InvalidInput(f"clips must be a list of Clip, got {type(clips).__name__}")
    if not clips:
        raise InvalidInput("no clips to stitch: render at least one scene first")
    for k, c in enumerate(clips):
        if not isinstance(c, Clip):
            raise InvalidInput(f"clips[{k}] is a {type(c).__name__}, not a Clip")
    if script is not None and not isinstance(script, Script):
        raise InvalidInput(f"script must be a Script or None, got {type(script).__name__}")
    # raises InvalidInput for a clip of another story
    return [script.scene(c.scene_index) for c in clips] if script is not None else []


def _stitch(clips, script, scenes, hold, *, transition, transition_frames, fps, interpolate, title, title_seconds,
            captions) -> Story:
    title_text = _title_text(title, script)
    fps = float(fps if fps is not None else clips[0].fps)

    # 2. Conform sizes, on the source frames (fewer than after retiming).
    texts = [s.text for s in scenes] if scenes else [str(c.metadata.get("text", "")) for c in clips]
    height, width = clips[0].height, clips[0].width
    sources, resized = [], []
    for c in clips:
        if getattr(c, "pending", False) and (c.height, c.width) == (height, width):
            sources.append(_Pending(c))  # a cached animatic clip: drawn only if a frame of it is needed
            continue
        frames = c.frames
        if frames.shape[1:3] != (height, width):
            print(
                f"storykit: scene {c.scene_index} is {c.width}x{c.height}; resized to {width}x{height} "
                "(the first clip's size) by scaling and centre-cropping"
            )
            frames = _resize_cover(frames, height, width)
            resized.append(c.scene_index)
        sources.append(frames)
    source_frames = [len(f) + hold.get(c.scene_index, 0) for f, c in zip(sources, clips)]
    sizes = [_retimed_length(m, c.fps, fps) for m, c in zip(source_frames, clips)]

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
    seams = [starts[k + 1] + (lengths[k] // 2 if names[k] == "crossfade" else 0) for k in range(len(names))]
    bounds = [title_len, *seams, total]
    spans = [(bounds[k], bounds[k + 1]) for k in range(len(clips))]

    # 4. The plan the frames are made from, chunk by chunk (`_Timeline.render`): clips retimed
    #    and overlapped, dips, the title card dipping to black into the first scene, then
    #    captions over each scene's span, drawn last so they switch with the subtitles and never fade.
    mixer = Mixer((height, width, 3))
    retimers = [Retimer(src, c.fps, fps, interpolate, mixer) for src, c in zip(sources, clips)]
    layers, already = [], []
    for (a, b), text, c in zip(spans, texts, clips):
        if captions and text and _caption_drawn(c.metadata):
            already.append(c.scene_index)  # the backend drew this caption itself: never twice
        elif captions and text:
            layers.append((a, b, _caption_layer(text, height, width)))
    timeline = _Timeline(
        retimers=retimers, starts=starts, sizes=sizes, names=names, lengths=lengths, title_len=title_len,
        title_k=title_k, title_text=title_text or None, title_background=sources[0], captions=layers, total=total, height=height, width=width, mixer=mixer,
    )
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
        "source_frames": source_frames,
        "retimed_frames": sizes,
        "transitions": names,
        "transition_lengths": lengths,
        "title": title_text,
        "title_frames": title_len,
        "title_transition": title_k,  # frames of the dip from the title card into the first scene
        "resized_scenes": resized,
        "held_pairs": [sorted(r.held) for r in retimers],  # blend: source pairs held, not mixed
        "captions_already_drawn": already,
        "clip_keys": [c.metadata.get("cache_key") for c in clips],  # names each clip's pixels (export's segments)
    }
    return Story(timeline, fps, spans, texts, [c.scene_index for c in clips], metadata)


class _Timeline:
    """Makes any range of a story's frames from its clips and plan, exactly as rules 1-5 say.

    Per output frame, in this order: the clip (retimed; mixed with the previous clip in a
    crossfade overlap), every dip, the title card and its dip, the captions. Any chunking
    gives the same frames as one pass over the whole story.
    """

    def __init__(self, *, retimers, starts, sizes, names, lengths, title_len, title_k, title_text, title_background,
                 captions, total, height, width, mixer):
        self.retimers, self.starts, self.sizes, self.names, self.lengths = retimers, starts, sizes, names, lengths
        self.title_len, self.title_k, self.title_text, self.captions = title_len, title_k, title_text, captions
        self.total, self.height, self.width, self.mixer = total, height, width, mixer
        self._title_background, self._card = title_background, None

    @property
    def card(self) -> np.ndarray | None:
        """The title card (drawn on first use, from the first clip's first frame), or None without a title."""
        if self.title_text is None:
            return None
        if self._card is None:
            self._card = _title_card(self._title_background[0], self.title_text)
        return self._card

    def render(self, lo: int, hi: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frames [lo, hi) into `out` (a new array if None); returns it."""
        if out is None:
            out = np.empty((hi - lo, self.height, self.width, 3), np.uint8)
        mixer = self.mixer
        for k, src in enumerate(self.retimers):
            s, m = self.starts[k], self.sizes[k]
            a, b = max(lo, s), min(hi, s + m)
            if a >= b:
                continue
            overlap = self.lengths[k - 1] if k and self.names[k - 1] == "crossfade" else 0
            if max(a, s + overlap) < b:  # past the overlap: this clip alone
                c = max(a, s + overlap)
                src.render(out[c - lo : b - lo], c - s)
            if a < s + overlap:  # the crossfade: mix into the previous clip's frames, already there
                head = np.empty((min(b, s + overlap) - a, self.height, self.width, 3), np.uint8)
                src.render(head, a - s)
                for t in range(a, min(b, s + overlap)):
                    i = t - s
                    mixer(out[t - lo], out[t - lo], head[t - a], (i + 1) / (overlap + 1))
        for k, name in enumerate(self.names):
            if name in _DIP_COLOURS:
                _dip(out, lo, hi, self.starts[k + 1], self.lengths[k], _DIP_COLOURS[name], mixer)
        if self.title_text is not None:
            if lo < self.title_len:
                out[: min(hi, self.title_len) - lo] = self.card
            _dip(out, lo, hi, self.title_len, self.title_k, 0, mixer)
        for a, b, layer in self.captions:
            a, b = max(a, lo), min(b, hi)
            if a < b:
                _apply_caption(out[a - lo : b - lo], layer)
        return out


def check_stitch_options(options: dict | None) -> dict:
    """Checks keyword arguments meant for `stitch` (names and values) without stitching anything.

    For callers that gather options long before the clips exist (`make_story`, the
    studio): a typo such as ``{"fade": 2}`` is refused before any scene renders.
    """
    import inspect

    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InvalidInput(f"stitch options must be a dict of stitch() arguments, got {type(options).__name__}")
    allowed = [n for n in inspect.signature(stitch).parameters if n not in ("clips", "script")]
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise InvalidInput(f"unknown stitch option {unknown[0]!r}; stitch() takes: {', '.join(allowed)}")
    merged = {n: p.default for n, p in inspect.signature(stitch).parameters.items() if n in allowed}
    merged.update(options)
    _check_options(**merged)
    return dict(options)


def _check_options(transition, transition_frames, fps, interpolate, title, title_seconds, captions) -> None:
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
    if title is not None and not isinstance(title, (str, bool)):
        raise InvalidInput(f"title must be text, True, False or None, got {type(title).__name__}")
    if not isinstance(captions, bool):
        raise InvalidInput(f"captions must be True or False, got {captions!r}")
    if interpolate == "flow":
        cv2_or_error()  # fail before any work


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


def _dip(out: np.ndarray, lo: int, hi: int, seam: int, k: int, colour: int, mixer: Mixer) -> None:
    """A dip through `colour` centred on frame `seam` (rule 3), in place, on the frames [lo, hi) held in `out`."""
    h, g = k // 2, k - k // 2
    for i in range(h):
        t = seam - h + i
        if lo <= t < hi:
            mixer(out[t - lo], out[t - lo], colour, (i + 1) / h)
    for j in range(g):
        t = seam + j
        if lo <= t < hi:
            mixer(out[t - lo], out[t - lo], colour, (g - j) / (g + 1))


def _caption_drawn(meta: dict) -> bool:
    """Whether a clip's backend burned the scene's caption into its frames already.

    Backends say so with ``metadata["caption_drawn"] = True`` (``"caption": True`` is read the same way).
    """
    return bool(meta.get("caption_drawn")) or meta.get("caption") is True


def _retimed_length(n: int, src_fps: float, dst_fps: float) -> int:
    return n if src_fps == dst_fps else max(1, _round(n * dst_fps / src_fps))


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
    acc, tmp = np.empty(top.shape, np.uint16), np.empty(top.shape, np.uint16)
    for f in frames:
        band = f[f.shape[0] - band_h :]
        np.multiply(band, inv_alpha, out=acc, dtype=np.uint16)
        acc += top  # at most 255 * 255
        np.right_shift(acc, 8, out=tmp)  # acc // 255 without a division: (x + 1 + (x >> 8)) >> 8, exact below 65535
        acc += tmp
        acc += 1
        acc >>= 8
        np.copyto(band, acc, casting="unsafe")


class _Pending:
    """A cached clip's frames as `Retimer` reads them, drawn on the first read (`LazyClip`)."""

    def __init__(self, clip):
        self.clip = clip
        self.shape = (clip.num_frames, clip.height, clip.width, 3)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        return self.clip.frames[index]


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
