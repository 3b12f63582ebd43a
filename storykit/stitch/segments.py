"""Segment-cached MP4 export: re-encode only what changed, join the rest by stream copy.

A story's frames fall into segments: the title card (with its dip into the first
scene), each scene's interior (its frames outside any transition, caption burned in)
and each transition (the frames where two scenes mix or dip). Each segment is encoded
once with the very same x264 settings, starting on an IDR frame with closed GOPs, and
kept in the clip cache under a key made of everything that changes its pixels: the
clips' keys and the frame range taken from each, the transition, the caption and title
pixels, size, fps, the encoder settings and storykit's version. Offsets in the key are
relative to the segment, so editing one scene re-encodes that scene and its two
transitions; every other segment is found again, even where the edited scene's new
length shifts it in time. ffmpeg's concat demuxer then joins the segments by stream
copy (no decode, no re-encode) into one MP4 that has exactly the single-pass frame
count and duration (tests check both, and that ffmpeg decodes it without an error).

>>> from storykit.stitch.segments import plan_segments
>>> [(s.kind, s.start, s.stop) for s in plan_segments(story)]   # doctest: +SKIP
[('title', 0, 38), ('scene', 38, 50), ('transition', 50, 62), ('scene', 62, 90), ...]

Audio is not part of a segment: the export mixes it once and muxes it as the segments are joined.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import StorykitError
from .encode import _even, _pipe, _raw_input, segment_args

__all__ = ["Segment", "SEGMENT_FORMAT", "plan_segments", "encode_segments", "export_segmented", "SegmentStats"]

# Bump when what a segment holds changes for the same inputs (2: the title card named by the first clip
# and the title, not by its pixels; so a change to how `_title_card` draws needs a bump too).
SEGMENT_FORMAT = 2
_DIPS = ("fade_black", "fade_white")


@dataclasses.dataclass(frozen=True)
class Segment:
    """Frames ``[start, stop)`` of a story, encoded as one piece; `key` names it in the cache."""

    start: int
    stop: int
    kind: str  # "title", "scene" or "transition"
    key: str

    @property
    def num_frames(self) -> int:
        return self.stop - self.start


@dataclasses.dataclass
class SegmentStats:
    """What one segmented export did: segments encoded now, segments taken from the cache."""

    encoded: int = 0
    reused: int = 0
    frames_encoded: int = 0
    audio_error: str | None = None  # why the sound given could not be muxed (the video was joined silent)


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _array_digest(a: np.ndarray) -> str:
    h = hashlib.sha256(f"{a.shape}|{a.dtype}|".encode())
    h.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return h.hexdigest()


def _regions(tl) -> list[tuple[int, int, str]]:
    """The title and transition ranges, in order: (start, stop, kind); rule 3 of the timeline."""
    out = []
    if tl.title_text is not None:
        g = tl.title_k - tl.title_k // 2  # the title's dip reaches g frames into the first scene
        out.append((0, tl.title_len + g, "title"))
    for k, (name, n) in enumerate(zip(tl.names, tl.lengths)):
        seam = tl.starts[k + 1]
        if name == "crossfade":
            out.append((seam, seam + n, "transition"))
        elif name in _DIPS:
            out.append((seam - n // 2, seam + n - n // 2, "transition"))
        else:  # a cut: the scenes meet at the seam, no frame of its own
            out.append((seam, seam, "transition"))
    return out


def plan_segments(story, encoder: list[str] | None = None) -> list[Segment] | None:
    """The story's segments in order, covering every frame once; None for a story built from an array."""
    tl = getattr(story, "_timeline", None)
    if tl is None:
        return None
    encoder = segment_args() if encoder is None else encoder
    cuts: list[tuple[int, int, str]] = []
    pos = 0
    for a, b, kind in _regions(tl):
        if a < pos:  # regions never overlap (a transition is at most half of either scene); refuse if they do
            return None
        cuts.append((pos, a, "scene"))
        cuts.append((a, b, kind))
        pos = b
    cuts.append((pos, tl.total, "scene"))
    spans = [(a, b, kind) for a, b, kind in cuts if b > a]
    if not spans or spans[-1][1] != tl.total or any(x[1] != y[0] for x, y in zip(spans, spans[1:])):
        return None
    regions = _regions(tl)
    title_end = regions.pop(0)[1] if tl.title_text is not None else 0
    transitions = [(a, b) for a, b, _ in regions]
    clip_ids = _clip_ids(story, tl)
    # The card is drawn from the first clip's first frame and the title: named by those, not by its
    # pixels, so a re-run need not draw the first scene to find its segment.
    card = _digest(["card", clip_ids[0], tl.title_text]) if tl.title_text is not None else None
    captions = [(a, b, _array_digest(layer[2]) + _array_digest(layer[1])) for a, b, layer in tl.captions]
    common = {
        "format": SEGMENT_FORMAT, "storykit": __version__, "size": [story.height, story.width], "fps": story.fps,
        "encoder": encoder, "interpolate": story.metadata.get("options", {}).get("interpolate"),
    }
    out = []
    for a, b, kind in spans:
        parts = {**common, "frames": b - a, "clips": [], "transitions": [], "captions": [], "title": None}
        for k, (s, m) in enumerate(zip(tl.starts, tl.sizes)):
            lo, hi = max(a, s), min(b, s + m)
            if lo < hi:  # this clip's output frames [lo - s, hi - s), placed at lo - a
                parts["clips"].append([clip_ids[k], lo - s, hi - s, lo - a])
        for k, (ra, rb) in enumerate(transitions):
            if max(a, ra) < min(b, rb):  # this transition mixes or dips frames of [a, b)
                parts["transitions"].append([tl.names[k], tl.lengths[k], tl.starts[k + 1] - a])
        if card is not None and a < title_end:
            parts["title"] = [card, tl.title_len - a, tl.title_k]
        for ca, cb, digest in captions:
            if max(a, ca) < min(b, cb):
                parts["captions"].append([digest, max(a, ca) - a, min(b, cb) - a])
        out.append(Segment(a, b, kind, _digest(parts)))
    return out


def _clip_ids(story, tl) -> list[str]:
    """Each clip's identity: its cache key (the content address of its pixels) or, without one, a hash of its frames."""
    keys = story.metadata.get("clip_keys") or [None] * len(tl.retimers)
    resized = set(story.metadata.get("resized_scenes") or [])
    ids = []
    for k, (r, key) in enumerate(zip(tl.retimers, keys)):
        scene = story.scene_indices[k] if k < len(story.scene_indices) else k
        if isinstance(key, str) and key:
            source = f"key:{key}:{scene in resized}"
        else:  # never a clip still to be drawn (`_Pending`): only cached clips are, and they have keys
            source = f"frames:{_array_digest(np.asarray(r.frames[:]))}"
        ids.append(_digest([source, r.src_fps, r.mode]))
    return ids


def _frames(story, start: int, stop: int, chunk: int = 16):
    """Frames [start, stop) chunk by chunk, written into one reused buffer (no copy per chunk)."""
    tl = story._timeline
    if story.materialised:  # already built (someone read `story.frames`): never render twice
        for lo in range(start, stop, chunk):
            yield _even(story.frames[lo : min(lo + chunk, stop)])
        return
    buf = np.empty((min(chunk, stop - start), story.height, story.width, 3), np.uint8)
    for lo in range(start, stop, chunk):
        hi = min(lo + chunk, stop)
        yield _even(tl.render(lo, hi, buf[: hi - lo]))


def encode_segments(story, run: list[Segment], outs: list[Path], *, ffmpeg: str, name: str,
                    tick: Callable[[int], None] | None = None) -> None:
    """Encodes consecutive segments of `story` in one x264 pass, each into its own MP4 file in `outs`.

    One encoder for a run of segments, not one per segment: an ffmpeg and x264 start-up
    cost about as much as encoding a dozen frames. Each segment start is forced to be a
    keyframe (an IDR: closed GOPs) and ffmpeg's segment muxer cuts the stream there, so
    each file starts on an IDR frame, as a segment encoded alone does.
    """
    h, w = story.height + story.height % 2, story.width + story.width % 2
    start = run[0].start
    cuts = [seg.start - start for seg in run[1:]]
    forced = "+".join(f"eq(n,{c})" for c in [0, *cuts])
    pattern = str(outs[0])[: -len("0.tmp")] + "%d.tmp"  # outs are <prefix>0.tmp, <prefix>1.tmp, ...
    if [str(o) for o in outs] != [pattern % k for k in range(len(outs))]:
        raise ValueError("segment files must be named <prefix>0.tmp, <prefix>1.tmp, ...")
    cmd = [ffmpeg, "-hide_banner", "-v", "error", "-y", *_raw_input(w, h, story.fps), "-map", "0:v:0", *segment_args(),
           "-force_key_frames", f"expr:{forced}", "-f", "segment", "-segment_format", "mp4",
           *(["-segment_frames", ",".join(map(str, cuts))] if cuts else []),
           "-reset_timestamps", "1", pattern]
    _pipe(cmd, _frames(story, start, run[-1].stop), name, tick)


def _join(paths: list[Path], out: Path, num_frames: int, audio: tuple[list[str], str] | None = None) -> str | None:
    """Joins MP4 segments by stream copy with ffmpeg's concat demuxer; returns an error line, or None.

    A damaged segment can be skipped with only a logged error and exit status 0, so any
    error line, or a frame count other than `num_frames`, counts as a failure. `audio`:
    (output options, file) to mux in the same pass, sparing a second copy of the video.
    """
    from .ffmpeg import run_ffmpeg

    sound_in, sound_out = (["-i", audio[1]], audio[0]) if audio is not None else ([], [])

    with tempfile.TemporaryDirectory(prefix="storykit-concat-") as tmp:
        listing = Path(tmp) / "segments.txt"
        # The concat demuxer's own quoting: 'path', with ' written as '\''. Absolute paths: it reads
        # relative ones from the listing's folder, not from ours (a cache_dir such as "storykit-cache").
        listing.write_text("".join("file '" + os.path.abspath(p).replace("'", "'\\''") + "'\n" for p in paths),
                           encoding="utf-8")
        proc = run_ffmpeg(["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), *sound_in,
                           "-map", "0:v:0", "-c:v", "copy", *sound_out, "-movflags", "+faststart", "-f", "mp4",
                           str(out)])
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    if proc.returncode or lines:
        return lines[-1] if lines else f"ffmpeg exited with {proc.returncode}"
    if not out.is_file() or out.stat().st_size == 0:
        return "it finished without an error but made no file"
    count = mp4_sample_count(out)
    if count != num_frames:
        return f"{count} frames joined, {num_frames} expected"
    return None


def mp4_sample_count(path: Path) -> int | None:
    """Frames in a faststart MP4's one video track, from its sample-size box (stsz), without decoding."""
    with open(path, "rb") as f:
        head = f.read(1 << 22)  # faststart: the index comes first, a few KB per thousand frames
    moov = head.find(b"moov")
    at = head.find(b"stsz", moov) if moov >= 0 else -1
    if at < 0 or at + 16 > len(head):
        return None
    # stsz: version+flags (4 bytes), one size for all samples or 0 (4), then the sample count (4).
    return int.from_bytes(head[at + 12 : at + 16], "big")


def _join_with_sound(paths: list[Path], out: Path, num_frames: int, audio, stats: SegmentStats) -> str | None:
    """`_join` with the sound; where only the sound fails, the video is joined silent and `stats` says why."""
    error = _join(paths, out, num_frames, audio)
    if error is not None and audio is not None and _join(paths, out, num_frames) is None:
        stats.audio_error = error  # the video joins alone: the sound is at fault
        return None
    return error


def export_segmented(story, out: Path, cache, *, ffmpeg: str, name: str, tick: Callable[[int], None] | None = None,
                     audio: tuple[list[str], str] | None = None) -> SegmentStats | None:
    """Writes `story` as MP4 to `out` from cached segments, encoding the missing ones into `cache`.

    Returns what it did, or None when this story or cache cannot take segments (a story
    built from an array, a cache folder that cannot be written): the caller then encodes
    in one pass. `audio`: (ffmpeg's output options, sound file) muxed as the segments are
    joined; if only the sound fails, the video is written silent and `audio_error` says why.
    """
    segments = plan_segments(story)
    if segments is None or not _writable(cache):
        return None
    stats = SegmentStats()
    missing: list[Segment] = []
    for seg in segments:
        if cache.get_segment(seg.key) is not None:
            stats.reused += 1
            if tick is not None:
                tick(seg.num_frames)
        else:
            missing.append(seg)
    _encode_into_cache(story, missing, cache, ffmpeg=ffmpeg, name=name, tick=tick)
    stats.encoded, stats.frames_encoded = len(missing), sum(s.num_frames for s in missing)
    error = _join_with_sound([cache.segment_path(s.key) for s in segments], out, story.num_frames, audio, stats)
    if error is not None and stats.reused:
        # A cached segment went bad (a truncated file) or was pruned by another process meanwhile:
        # encode every reused one again, once, and join again.
        again = [s for s in segments if s not in missing]
        for seg in again:
            cache.segment_path(seg.key).unlink(missing_ok=True)
        _encode_into_cache(story, again, cache, ffmpeg=ffmpeg, name=name, tick=None)
        stats.reused, stats.encoded = 0, len(segments)
        stats.frames_encoded = story.num_frames
        error = _join_with_sound([cache.segment_path(s.key) for s in segments], out, story.num_frames, audio, stats)
    if error is not None:
        verb = "did not write" if error.startswith("it finished") else "could not join the segments of"
        raise StorykitError(f"ffmpeg {verb} {name}: {error}")
    return stats


def _writable(cache) -> bool:
    if cache is None or getattr(cache, "disabled", None) is not None:
        return False
    try:
        cache.directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(cache.directory, os.W_OK | os.X_OK)


def _runs(segments: list[Segment]) -> list[list[Segment]]:
    """Segments grouped into runs of consecutive frames: one encoder per run."""
    runs: list[list[Segment]] = []
    for seg in segments:
        if runs and runs[-1][-1].stop == seg.start:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    return runs


def _encode_into_cache(story, segments: list[Segment], cache, **kw) -> None:
    """Encodes `segments` (each run of consecutive ones in one pass) and moves each file into the cache."""
    for run in _runs(segments):
        tmps = cache.segment_temp_names(run[0].key, len(run))  # named as the cache's own while written
        try:
            encode_segments(story, run, tmps, **kw)
            for seg, tmp in zip(run, tmps):
                if not tmp.is_file() or tmp.stat().st_size == 0:
                    raise StorykitError(f"ffmpeg did not write {kw['name']}: it finished without an error but made no file")
            for seg, tmp in zip(run, tmps):
                cache.put_segment(seg.key, tmp)
        finally:
            for tmp in tmps:
                tmp.unlink(missing_ok=True)
