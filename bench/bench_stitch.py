"""Stitch + export cost against a bare encode of the same frames.

5 scenes x 16 frames at 512x512, 8 -> 24 fps, medians of --repeats interleaved
rounds after one warm-up, all from one run:

* stitch + export (MP4, transitions, SRT/VTT, manifest) / a plain ffmpeg libx264
  encode of the stitched frames piped from memory with the same encoder settings
  (goal <= 1.25x). `stitch` only plans; the frames are made while export streams them;
* storykit's own work for transitions and subtitles (stitch with transitions minus
  stitch with cuts, plus the side files) as a share of the pipeline (goal <= 10%);
* for information, x264's cost per frame on transition frames vs cuts: fades cost
  the encoder more bits and time, whoever made them.

Wall and user-CPU time (this process plus ffmpeg) are both printed: on a shared
2-core machine the CPU column is the steadier one.

    .venv/bin/python bench/bench_stitch.py [--repeats 3] [--size 512] [--interpolate flow]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from storykit.generate import Clip
from storykit.stitch.encode import MP4_CRF, MP4_PRESET, video_args
from storykit.stitch import build_manifest, export_story, to_srt, to_vtt
from storykit.stitch.ffmpeg import ensure_ffmpeg
from storykit.plan import Scene, Script, Triple
from storykit.stitch import stitch


def textured_clips(num_scenes: int, num_frames: int, size: int) -> list[Clip]:
    """Panning low-frequency noise plus a moving disc: enough texture for the encoder to work."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size]
    clips = []
    for i in range(num_scenes):
        small = rng.integers(0, 256, (size // 16, size // 8 + 4, 3)).astype(np.float32)
        big = np.repeat(np.repeat(small, 16, 0), 16, 1)  # blocky, then smoothed a little below
        big = (big + np.roll(big, 8, 0) + np.roll(big, 8, 1) + np.roll(big, 8, (0, 1))) / 4
        frames = np.empty((num_frames, size, size, 3), np.uint8)
        for t in range(num_frames):
            x = 6 * t
            frames[t] = big[:, x : x + size]
            disc = (yy - size // 2) ** 2 + (xx - size // 4 - 12 * t) ** 2 < (size // 10) ** 2
            frames[t][disc] = (240, 200, 60)
        clips.append(Clip(frames, 8, i, {"backend": "bench", "seed": i}))
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--interpolate", default="blend", choices=("blend", "flow", "none"))
    args = parser.parse_args()
    ffmpeg = ensure_ffmpeg()
    clips = textured_clips(5, 16, args.size)
    transitions = ["crossfade", "fade_black", "crossfade", "fade_white", "cut"]
    script = Script(
        Triple("a misty forest", "a red fox", "finds a lantern"),
        [Scene(i, "beat", f"prompt {i}", text=f"Scene {i}: the fox walks on.", transition=t)
         for i, t in enumerate(transitions)],
        title="Bench",
    )
    kw = dict(fps=24, interpolate=args.interpolate)
    reference = stitch(clips, script, **kw)
    n = reference.num_frames
    runs: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def raw_encode(path, frames):  # the same encoder settings as export_story's MP4
            h, w = frames.shape[1:3]
            cmd = [ffmpeg, "-hide_banner", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", f"{w}x{h}", "-r", "24", "-i", "-", *video_args("mp4"), str(path)]
            subprocess.run(cmd, input=frames.tobytes(), check=True)
        for r in range(-1, args.repeats):  # round -1 warms up: first-touch memory is slow in a fresh VM
            out = {}
            _, out["raw"] = timed(raw_encode, tmp / "raw.mp4", reference.frames)
            story, out["stitch"] = timed(stitch, clips, script, transition_frames=4, **kw)
            assert story.num_frames == n
            manifest = build_manifest(script, clips, story, backend_info={"backend": "bench"}, config=None)
            _, out["export"] = timed(export_story, story, tmp / "full.mp4", manifest=manifest, overwrite=True,
                                    progress=False)
            _, out["side"] = timed(side_files, script, clips, story)
            del story  # as in real use: one story in memory at a time
            # Making the frames (stitch plans, export makes them): with transitions vs cuts only.
            _, out["make"] = timed(made, clips, script, transition_frames=4, **kw)
            cut, out["make_cut"] = timed(made, clips, script, transition="cut", **kw)
            _, out["raw_cut"] = timed(raw_encode, tmp / "cut.mp4", cut.frames)
            cut_frames = cut.num_frames
            del cut
            if r >= 0:
                for k, v in out.items():
                    runs.setdefault(k, []).append(v)

    print(f"{len(clips)} scenes x 16 frames, {args.size}x{args.size}, 8 -> 24 fps, median of {args.repeats}; "
          "wall s / user-CPU s (this process + ffmpeg)")
    for k, label in [
        ("raw", f"raw encode: ffmpeg libx264 {MP4_PRESET} crf {MP4_CRF} of the {n} stitched frames"),
        ("stitch", f"stitch (plans only): {args.interpolate} 8->24, 2 crossfades + 2 dips"),
        ("make", "making all stitched frames (Story.frames)"),
        ("export", "export_story: mp4 + srt + vtt + manifest"),
        ("side", "  of which srt + vtt + manifest text"),
        ("make_cut", f"making the frames with cuts only ({cut_frames} frames)"),
        ("raw_cut", "raw encode of the cuts-only frames"),
    ]:
        w, c = (statistics.median(x[i] for x in runs[k]) for i in (0, 1))
        print(f"  {label:<66} {w:6.2f} / {c:6.2f}")
    for i, name in enumerate(("wall", "user-cpu")):
        t = {k: statistics.median(x[i] for x in v) for k, v in runs.items()}
        full = t["stitch"] + t["export"]
        own = t["make"] - t["make_cut"] + t["side"]
        per_frame = (t["raw"] / n) / (t["raw_cut"] / cut_frames)
        print(f"[{name}] stitch + export / raw encode = {full / t['raw']:.2f}x (goal <= 1.25x); "
              f"transitions + subtitles work = {100 * own / full:.1f}% of it (goal <= 10%); "
              f"x264 per frame on this transition content vs cuts: {per_frame:.2f}x")


def made(clips, script, **kw):
    """A stitched story with every frame made (`Story.frames`)."""
    story = stitch(clips, script, **kw)
    story.frames
    return story


def side_files(script, clips, story) -> None:
    """The text export writes besides the video."""
    to_srt(story), to_vtt(story), json.dumps(build_manifest(script, clips, story))


def timed(fn, *args, **kwargs):
    """Returns fn's result and (wall s, user-CPU s of this process and its finished children, e.g. ffmpeg).

    User time leaves out the kernel's page zeroing, which in a fresh VM can dwarf the arithmetic.
    """
    import resource

    def cpu() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime

    w0, c0 = time.perf_counter(), cpu()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - w0, cpu() - c0)


if __name__ == "__main__":
    main()
