"""Streaming a story's frames into ffmpeg: MP4 (H.264), WebM (VP9/VP8) and GIF.

Frames go to ffmpeg's stdin as raw RGB, chunk by chunk as `Story` makes them, so a
story is never held whole in memory and neither mediapy nor matplotlib is imported.

* MP4: libx264 at `MP4_PRESET` / `MP4_CRF`, yuv420p, ``+faststart`` (plays in browsers).
* WebM: VP9 (VP8 if this ffmpeg lacks libvpx-vp9), constant quality, realtime speed.
* GIF: at most `GIF_MAX_FPS` and a smaller palette for large pictures (`gif_settings`:
  a GIF stores every frame nearly raw); one palette from a sample of `GIF_PALETTE_FRAMES`
  frames (palettegen), then the frames streamed through paletteuse: ffmpeg no longer
  buffers the whole video to build the palette.

An interrupt (Ctrl-C reaches ffmpeg too, as it shares the terminal's process group)
comes out as KeyboardInterrupt, never as an encoding error.
"""

from __future__ import annotations

import contextlib
import math
import signal
import subprocess
import tempfile
import time
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from ..errors import StorykitError

__all__ = ["MP4_PRESET", "MP4_CRF", "WEBM_CRF", "GIF_PALETTE_FRAMES", "GIF_MAX_FPS", "encode", "gif_palette_sample",
           "gif_settings", "gif_frames", "gif_estimate", "segment_args"]

# Chosen by measurement (bench/bench_export.py, bench/RESULTS.md): on storykit's stories
# "veryfast" at CRF 18 costs well under half the CPU of x264's default "medium" at CRF 20, at
# about the same PSNR, for a somewhat larger file.
MP4_PRESET = "veryfast"
MP4_CRF = 18
WEBM_CRF = 34
# Frames the GIF palette is built from, evenly spaced (all of them for shorter videos).
GIF_PALETTE_FRAMES = 24
# A GIF holds every frame as an 8-bit picture (a 13 s story at 512x512 and 24 fps: 12.5 MB).
# By default it plays at no more than GIF_MAX_FPS (every other frame of a 24 fps story: the
# same duration) and, above GIF_SMALL_PIXELS, with a GIF_LARGE_COLOURS palette; see gif_settings.
GIF_MAX_FPS = 12
GIF_SMALL_PIXELS = 320 * 320
GIF_LARGE_COLOURS = 128
# Bytes per pixel per frame of such a GIF, measured on animatic stories (bench/RESULTS.md): the estimate.
GIF_BYTES_PER_PIXEL = {256: 0.15, 128: 0.14}
# Ordered (Bayer) dithering and re-coding only changed rectangles: ~4x faster and ~2x smaller
# than ffmpeg's default error diffusion (46 s -> 10 s, 36 -> 15 MB for 216 noisy 512x512 frames).
GIF_USE = "paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"


def _raw_input(w: int, h: int, fps: float) -> list[str]:
    return ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", f"{fps}", "-i", "-"]


def segment_args() -> list[str]:
    """The x264 settings of every MP4, one pass or segments: identical, so segments join by stream copy.

    libx264 + yuv420p is the combination every browser plays. x264 starts every encode on an
    IDR frame; closed GOPs (no frame refers across a keyframe) keep each segment self-contained.
    """
    return ["-an", "-c:v", "libx264", "-preset", MP4_PRESET, "-crf", str(MP4_CRF), "-pix_fmt", "yuv420p",
            "-x264-params", "open-gop=0"]


def video_args(fmt: str, *, vp9: bool = True) -> list[str]:
    """ffmpeg output options for `fmt` ("mp4" or "webm")."""
    if fmt == "mp4":
        return [*segment_args(), "-movflags", "+faststart"]  # faststart: the index first, for browsers
    # Constant quality (-b:v 0 -crf N); realtime + row-mt keeps VP9 within ~2x of x264's speed.
    return ["-an", "-c:v", "libvpx-vp9" if vp9 else "libvpx", "-b:v", "0", "-crf", str(WEBM_CRF),
            "-pix_fmt", "yuv420p", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"]


def gif_settings(width: int, height: int, fps: float) -> tuple[float, int]:
    """A GIF's default frame rate and palette size for its picture size: (fps, colours)."""
    return min(float(fps), GIF_MAX_FPS), 256 if width * height <= GIF_SMALL_PIXELS else GIF_LARGE_COLOURS


def gif_frames(num_frames: int, fps: float, gif_fps: float) -> list[int]:
    """The story frames a GIF at `gif_fps` shows: frame j shows the story at time j / gif_fps."""
    if gif_fps >= fps:
        return list(range(num_frames))
    n = max(1, math.ceil(num_frames * gif_fps / fps - 1e-9))
    return [min(num_frames - 1, int(j * fps / gif_fps + 1e-9)) for j in range(n)]


def gif_estimate(width: int, height: int, frames: int, colours: int) -> int:
    """About how many bytes such a GIF takes (within ~2x on storykit's stories)."""
    return int(frames * width * height * GIF_BYTES_PER_PIXEL.get(colours, 0.12))


def gif_palette_sample(num_frames: int, k: int | None = None) -> list[int]:
    """Indices of the frames the palette is built from: `k` evenly spaced ones, first and last included."""
    k = GIF_PALETTE_FRAMES if k is None else k
    if num_frames <= k:
        return list(range(num_frames))
    return sorted({round(i * (num_frames - 1) / (k - 1)) for i in range(k)})


@contextlib.contextmanager
def _noting_interrupts():
    """Records whether SIGINT arrived (then raises KeyboardInterrupt as usual), in the main thread only."""
    state = {"interrupted": False}
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield state
        return

    def handler(signum, frame):
        state["interrupted"] = True
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "unknown error"


def _pipe(cmd: list[str], chunks: Iterable[np.ndarray], name: str, tick: Callable[[int], None] | None) -> None:
    """Runs ffmpeg `cmd` with `chunks` on its stdin; raises StorykitError naming `name` if it fails."""
    with _noting_interrupts() as state:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            try:
                for chunk in chunks:
                    proc.stdin.write(np.ascontiguousarray(chunk).data)
                    if tick is not None:
                        tick(len(chunk))
            except BrokenPipeError:  # ffmpeg stopped early; its stderr says why
                pass
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.wait()
        except BaseException:  # KeyboardInterrupt too: never leave an ffmpeg writing behind us
            proc.kill()  # first: closing stdin would flush into a pipe nobody may be reading
            with contextlib.suppress(OSError):
                proc.stdin.close()
            proc.wait()
            raise
        finally:
            proc.stderr.close()
        if proc.returncode:
            # Ctrl-C reaches the whole process group: ffmpeg stops ("received signal 2") and exits
            # non-zero, possibly before Python raises KeyboardInterrupt. That is an interrupt, not a failure.
            if state["interrupted"] or proc.returncode == -signal.SIGINT or "received signal 2" in err:
                raise KeyboardInterrupt
            if proc.returncode == _FFMPEG_SIGNALLED and not err.strip():
                # A signal ffmpeg caught, told only at -v info: the same Ctrl-C may not have reached this
                # process yet (a process group's members wake in any order). If it comes, it raises here.
                _wait_for(lambda: state["interrupted"], _SIGNAL_GRACE)
                if state["interrupted"]:
                    raise KeyboardInterrupt
            raise StorykitError(f"ffmpeg could not write {name}: {_last_line(err)}")


_FFMPEG_SIGNALLED = 255  # ffmpeg's exit status after SIGINT or SIGTERM, which it catches to close its files
_SIGNAL_GRACE = 0.5  # seconds


def _wait_for(done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


def _even(chunk: np.ndarray) -> np.ndarray:
    """yuv420p needs even sizes: repeat the last row/column where one is odd (no scaling blur)."""
    h, w = chunk.shape[1:3]
    if h % 2 == 0 and w % 2 == 0:
        return chunk
    return np.pad(chunk, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def encode(story, out: Path, fmt: str, *, name: str, ffmpeg: str, vp9: bool = True,
           tick: Callable[[int], None] | None = None, gif: tuple[float, int] | None = None) -> None:
    """Encodes `story` (a stitched Story) as `fmt` into `out`; errors name `name` (the final file).

    `gif`: the GIF's (fps, colours); None picks them by its size (`gif_settings`).
    """
    h, w = story.height, story.width
    head = [ffmpeg, "-hide_banner", "-v", "error", "-y"]
    if fmt in ("mp4", "webm"):
        eh, ew = h + h % 2, w + w % 2
        cmd = [*head, *_raw_input(ew, eh, story.fps), *video_args(fmt, vp9=vp9), str(out)]
        _pipe(cmd, (_even(c) for c in story._chunks()), name, tick)
        return
    if fmt != "gif":
        raise ValueError(fmt)
    rate, colours = gif_settings(w, h, story.fps) if gif is None else gif
    shown = gif_frames(story.num_frames, story.fps, rate)
    with tempfile.TemporaryDirectory(prefix="storykit-gif-") as tmp:
        palette = Path(tmp) / "palette.png"
        # 1. The palette from a sample of frames (what they contain, not how they change:
        #    stats_mode=full, as the sampled frames are far apart in time).
        sample = [shown[i] for i in gif_palette_sample(len(shown))]
        frames = (story.render(i, i + 1) for i in sample)
        _pipe([*head, *_raw_input(w, h, rate), "-vf", f"palettegen=max_colors={colours}:stats_mode=full",
               str(palette)], frames, name, None)
        if not palette.is_file():
            raise StorykitError(f"ffmpeg did not write {name}: it finished without an error but made no palette")
        # 2. The frames shown, through that palette, streamed.
        cmd = [*head, *_raw_input(w, h, rate), "-i", str(palette), "-lavfi", f"[0:v][1:v]{GIF_USE}",
               "-f", "gif", str(out)]
        _pipe(cmd, _subsample(story, shown, tick), name, None)


def _subsample(story, shown: list[int], tick):
    """The chunks of `story` cut down to the frames in `shown` (sorted); `tick` counts every story frame."""
    want, lo = np.asarray(shown), 0
    for chunk in story._chunks():
        hi = lo + len(chunk)
        picked = want[(want >= lo) & (want < hi)] - lo
        if len(picked):
            yield chunk if len(picked) == len(chunk) else chunk[picked]
        if tick is not None:
            tick(len(chunk))
        lo = hi

