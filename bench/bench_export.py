"""Export rows of the performance issue: streaming memory, the x264 preset, the GIF palette.

Every case runs in a fresh child process, so its peak RSS (``ru_maxrss``) and the
CPU of its ffmpeg children (``RUSAGE_CHILDREN``) are its own:

* ``rss``: 8 scenes x 64 frames at 512x512 (8 fps), stitched to 24 fps with
  crossfades and exported as MP4 -- peak RSS of the Python process (goal <= 0.6 GiB)
  and of ffmpeg, next to the RSS of the clips alone;
* ``preset``: the stitched frames of a 5-scene 512x512 animatic story piped to
  libx264 at several presets and CRFs: ffmpeg CPU s, bytes, PSNR against the frames;
* ``gif``: `export_story(..., formats=("gif",))` of the same story: CPU s (this
  process + ffmpeg), ffmpeg peak RSS, bytes, PSNR of the GIF against the frames;
* ``command``: the whole `storykit render` (animatic, 5 scenes, 512x512) CPU s, divided
  by a plain libx264 encode of the same frames (x264's default preset, CRF 20) and by
  one at export's own settings.

    PYTHONPATH=. .venv/bin/python bench/bench_export.py [--cases rss,preset,gif] [--repeats 3]

Run it with PYTHONPATH pointing at another checkout to measure that code (only
public API is used: `stitch`, `export_story`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402

GIB = 1 << 30
PRESETS = [("medium", 20), ("medium", 18), ("fast", 20), ("faster", 20), ("faster", 18),
           ("veryfast", 20), ("veryfast", 18), ("superfast", 18)]


def textured_clips(num_scenes: int, num_frames: int, size: int):
    """Panning blocky noise plus a moving disc (as bench_stitch.py): texture the encoder must work on."""
    from storykit.generate import Clip

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size]
    clips = []
    for i in range(num_scenes):
        small = rng.integers(0, 256, (size // 16, size // 16 + num_frames // 2 + 2, 3)).astype(np.float32)
        big = np.repeat(np.repeat(small, 16, 0), 16, 1)
        frames = np.empty((num_frames, size, size, 3), np.uint8)
        for t in range(num_frames):
            frames[t] = big[:, 8 * t : 8 * t + size]
            disc = (yy - size // 2) ** 2 + (xx - size // 4 - 3 * t % size) ** 2 < (size // 10) ** 2
            frames[t][disc] = (240, 200, 60)
        clips.append(Clip(frames, 8, i, {"backend": "bench", "seed": i}))
    return clips


def animatic_story(size: int):
    """The 5-scene story `storykit render` makes by default, stitched as make_story does."""
    from storykit.generate import RenderConfig
    from storykit.generate.render import render_story
    from storykit.plan import plan
    from storykit.stitch import stitch

    script = plan("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
    clips = render_story(script, "animatic", RenderConfig(height=size, width=size), cache_dir=False, progress=False)
    return clips, script, stitch(clips, script, fps=24, interpolate="blend", title=True)


def usage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_self": me.ru_utime + me.ru_stime, "cpu_children": kids.ru_utime + kids.ru_stime,
            "rss_self": me.ru_maxrss * 1024, "rss_children": kids.ru_maxrss * 1024}


def ffmpeg_peak_rss() -> int:
    """Largest ffmpeg RSS so far (bytes), from the /usr/bin/time wrapper `run_case` installs.

    ``RUSAGE_CHILDREN`` is no use here: a child forked from a big Python process starts
    with the parent's pages counted in its RSS.
    """
    log = os.environ.get("STORYKIT_BENCH_FFMPEG_LOG")
    if not log or not os.path.exists(log):
        return 0
    values = [int(x) for x in open(log).read().split() if x.isdigit()]
    return 1024 * max(values, default=0)


def export_kwargs() -> dict:
    import inspect

    from storykit.stitch import export_story

    return {"progress": False} if "progress" in inspect.signature(export_story).parameters else {}


# -- cases (each runs in its own process) ----------------------------------------------------


def case_rss(tmp: Path) -> dict:
    from storykit.stitch import export_story, stitch

    clips = textured_clips(8, 64, 512)
    clips_rss = usage()["rss_self"]
    t0, u0 = time.perf_counter(), usage()
    story = stitch(clips, fps=24, interpolate="blend", transition="crossfade")
    result = export_story(story, tmp / "rss.mp4", manifest=False, subtitles=False, **export_kwargs())
    u1 = usage()
    assert result.videos["mp4"].stat().st_size > 0
    return {"frames": story.num_frames, "clips_bytes": sum(c.frames.nbytes for c in clips), "rss_after_clips": clips_rss,
            "rss_peak": u1["rss_self"], "ffmpeg_rss": ffmpeg_peak_rss(), "wall": time.perf_counter() - t0,
            "cpu": u1["cpu_self"] + u1["cpu_children"] - u0["cpu_self"] - u0["cpu_children"],
            "mediapy_imported": "mediapy" in sys.modules, "matplotlib_imported": "matplotlib" in sys.modules}


def _raw_file(frames: np.ndarray, tmp: Path) -> Path:
    raw = tmp / "frames.rgb"
    with open(raw, "wb") as f:
        for i in range(0, len(frames), 32):
            f.write(np.ascontiguousarray(frames[i : i + 32]).tobytes())
    return raw


def _psnr(ffmpeg: str, video: Path, raw: Path, w: int, h: int, fps: float) -> float:
    """ffmpeg's psnr filter: the decoded video against the source frames (average over Y, U, V)."""
    err = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
         "-r", f"{fps}", "-i", str(raw), "-lavfi", "[0:v][1:v]psnr", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace").stderr
    line = [ln for ln in err.splitlines() if "PSNR" in ln and "average:" in ln]
    return float(line[-1].split("average:")[1].split()[0]) if line else float("nan")


def case_preset(tmp: Path, preset: str, crf: int) -> dict:
    from storykit.stitch.ffmpeg import ensure_ffmpeg

    ffmpeg = ensure_ffmpeg()
    _, _, story = animatic_story(512)
    frames = story.frames
    n, h, w = frames.shape[:3]
    raw = _raw_file(frames, tmp)
    out = tmp / f"{preset}{crf}.mp4"
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{w}x{h}", "-r", "24", "-i", str(raw), "-an", "-c:v", "libx264", "-preset", preset,
           "-pix_fmt", "yuv420p", "-crf", str(crf), "-movflags", "+faststart", str(out)]
    u0, t0 = usage(), time.perf_counter()
    subprocess.run(cmd, check=True)
    wall, u1 = time.perf_counter() - t0, usage()
    return {"preset": preset, "crf": crf, "frames": n, "cpu": u1["cpu_children"] - u0["cpu_children"], "wall": wall,
            "bytes": out.stat().st_size, "psnr": _psnr(ffmpeg, out, raw, w, h, 24)}


def case_gif(tmp: Path, palette_frames: int = 0) -> dict:
    from storykit.stitch import export_story

    if palette_frames:  # this checkout's palette sample size (older code has none)
        from storykit.stitch import encode

        encode.GIF_PALETTE_FRAMES = palette_frames
    from storykit.stitch.ffmpeg import ensure_ffmpeg

    ffmpeg = ensure_ffmpeg()
    _, _, story = animatic_story(512)
    frames = story.frames
    n, h, w = frames.shape[:3]
    raw = _raw_file(frames, tmp)
    u0, t0 = usage(), time.perf_counter()
    export_story(story, tmp / "story.gif", manifest=False, subtitles=False, **export_kwargs())
    wall, u1, ffmpeg_rss = time.perf_counter() - t0, usage(), ffmpeg_peak_rss()
    gif = tmp / "story.gif"
    return {"frames": n, "cpu": u1["cpu_self"] + u1["cpu_children"] - u0["cpu_self"] - u0["cpu_children"],
            "cpu_ffmpeg": u1["cpu_children"] - u0["cpu_children"], "wall": wall, "ffmpeg_rss": ffmpeg_rss,
            "bytes": gif.stat().st_size, "psnr": _psnr(ffmpeg, gif, raw, w, h, 24)}


def case_command(tmp: Path) -> dict:
    """`storykit render` (animatic, default 5 scenes, 512^2) CPU / a plain libx264 encode of the same frames."""
    from storykit.stitch.ffmpeg import ensure_ffmpeg

    ffmpeg = ensure_ffmpeg()
    u0 = usage()
    subprocess.run([sys.executable, "-m", "storykit", "render", "--setting", "a misty bamboo forest at dawn",
                    "--character", "a small red fox in a blue scarf", "--action", "searches for a lost lantern",
                    "--backend", "animatic", "--no-cache", "-o", str(tmp / "story.mp4")],
                   check=True, capture_output=True)
    command = usage()["cpu_children"] - u0["cpu_children"]
    _, _, story = animatic_story(512)  # the same frames, made in this process
    frames = story.frames
    n, h, w = frames.shape[:3]
    raw = _raw_file(frames, tmp)
    out = {"frames": n, "command": command}
    for label, args in (("plain", ["-crf", "20"]), ("same", ["-preset", "veryfast", "-crf", "18"])):
        u0 = usage()
        subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                        "-s", f"{w}x{h}", "-r", "24", "-i", str(raw), "-c:v", "libx264", *args, "-pix_fmt", "yuv420p",
                        str(tmp / f"{label}.mp4")], check=True)
        out[label] = usage()["cpu_children"] - u0["cpu_children"]
    return out


def run_case(args: list[str]) -> dict:
    from storykit.stitch.ffmpeg import ensure_ffmpeg

    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    with tempfile.TemporaryDirectory() as tmp:
        log, wrapper = Path(tmp) / "rss.log", Path(tmp) / "ffmpeg"
        if Path("/usr/bin/time").exists():  # ffmpeg's own peak RSS, in KiB, one line per run
            wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/time -a -o "{log}" -f %M "{ensure_ffmpeg()}" "$@"\n')
            wrapper.chmod(0o755)
            env.update(IMAGEIO_FFMPEG_EXE=str(wrapper), STORYKIT_BENCH_FFMPEG_LOG=str(log))
        proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env)
        if proc.returncode:
            raise SystemExit(f"case {args} failed:\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="rss,preset,gif,command")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gif-palette", default="0", help="palette sample sizes to try, e.g. 0,12,24,48,9999 (0: default)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            name, *rest = args.child
            fn = {"rss": case_rss, "preset": case_preset, "gif": case_gif, "command": case_command}[name]
            rest = [int(x) if x.isdigit() else x for x in rest]
            print(json.dumps(fn(Path(tmp), *rest)))
        return
    import storykit

    print(f"storykit from {Path(storykit.__file__).parent}; medians of {args.repeats} child processes")
    cases = args.cases.split(",")
    if "rss" in cases:
        runs = [run_case(["rss"]) for _ in range(args.repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("rss_after_clips", "rss_peak", "ffmpeg_rss", "cpu", "wall")}
        r = runs[0]
        print(f"[rss] 8 scenes x 64 frames 512^2 -> {r['frames']} frames at 24 fps, clips {r['clips_bytes'] / GIB:.2f} GiB: "
              f"peak RSS {med['rss_peak'] / GIB:.2f} GiB (goal <= 0.6; {med['rss_after_clips'] / GIB:.2f} GiB with the clips "
              f"alone), ffmpeg {med['ffmpeg_rss'] / GIB:.2f} GiB; stitch+export {med['wall']:.1f} s wall / {med['cpu']:.1f} s "
              f"CPU; mediapy imported: {r['mediapy_imported']}, matplotlib: {r['matplotlib_imported']}")
    if "preset" in cases:
        rows = []
        for preset, crf in PRESETS:
            runs = [run_case(["preset", preset, str(crf)]) for _ in range(args.repeats)]
            rows.append({**runs[0], "cpu": statistics.median(r["cpu"] for r in runs),
                         "wall": statistics.median(r["wall"] for r in runs)})
        ref = rows[0]
        print(f"[preset] libx264 on the {ref['frames']} frames of the default animatic story, 512^2 "
              f"(ratios against {ref['preset']} crf {ref['crf']}, the old setting)")
        for r in rows:
            print(f"  {r['preset']:>9} crf {r['crf']}: {r['cpu']:5.2f} s CPU ({r['cpu'] / ref['cpu']:.2f}x), "
                  f"{r['bytes'] / 1e3:7.0f} kB ({r['bytes'] / ref['bytes']:.2f}x), PSNR {r['psnr']:.2f} dB")
    if "command" in cases:
        runs = [run_case(["command"]) for _ in range(args.repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("command", "plain", "same")}
        print(f"[command] storykit render (animatic, 5 scenes, 512^2, {runs[0]['frames']} frames): {med['command']:.2f} s CPU; "
              f"/ plain libx264 (medium, crf 20) of the same frames ({med['plain']:.2f} s) = "
              f"{med['command'] / med['plain']:.2f} (goal <= 1.2); / libx264 veryfast crf 18 ({med['same']:.2f} s) = "
              f"{med['command'] / med['same']:.2f}")
    for k in (args.gif_palette.split(",") if "gif" in cases else []):
        runs = [run_case(["gif", k]) for _ in range(args.repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("cpu", "cpu_ffmpeg", "wall", "ffmpeg_rss")}
        r = runs[0]
        label = "default palette sample" if k == "0" else f"palette from {k} frames"
        print(f"[gif] export_story gif of {r['frames']} frames 512^2, {label}: {med['cpu']:.2f} s CPU ({med['cpu_ffmpeg']:.2f} s "
              f"ffmpeg), {med['wall']:.2f} s wall, ffmpeg peak RSS {med['ffmpeg_rss'] / (1 << 20):.0f} MiB, "
              f"{r['bytes'] / 1e6:.1f} MB, PSNR {r['psnr']:.2f} dB")


if __name__ == "__main__":
    main()
