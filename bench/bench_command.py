"""Whole-command benchmark: each goal row of issue #17, measured in one run.

    python bench/bench_command.py                    # this checkout
    python bench/bench_command.py --code /work/main  # another tree (the "before" column)
    python bench/bench_command.py --rows plan,info --repeats 5
    python bench/bench_command.py --suite            # also time the test suite

Every figure is a whole process started with subprocess (what a user waits
for), a median of `--repeats` runs; CPU seconds are the children's user+sys
from `resource.getrusage`, peak RSS their `ru_maxrss`. Ratios pair the two
sides within this run, so background load hits both alike.

Rows: render CPU ÷ a plain libx264 encode of the same frames; `storykit plan`
and `storykit info` seconds; re-run after editing 1 of 5 scenes ÷ first run;
peak RSS of an 8 × 64-frame story at 512²; the size of one 512²×16 cache entry;
GIF export CPU; Lightning draft (tiny VAE) vs stock end to end, tiny models;
the suite's wall time (with --suite).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIPLE = ["--setting", "a misty bamboo forest at dawn", "--character", "a small red fox in a blue scarf",
          "--action", "searches for a lost lantern"]
ROWS = ("render", "plan", "info", "rerun", "rss", "entry", "gif", "draft")


def run(cmd, env, cwd) -> dict:
    """Runs `cmd` to completion: wall seconds, children's CPU seconds, peak RSS (of any child so far)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "out": proc.stdout}


def storykit(args, env, cwd) -> dict:
    return run([sys.executable, "-m", "storykit", *args], env, cwd)


def med(xs):
    return statistics.median(xs)


def peak_rss(cmd, env, cwd) -> float:
    """Peak RSS (GiB) of one fresh process tree: run through a tiny wrapper so ru_maxrss is its own."""
    wrapper = (
        "import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = run([sys.executable, "-c", wrapper, *cmd], env, cwd)["out"]
    return int(out.split()[-1]) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--code", default=str(ROOT), help="the storykit tree to measure (PYTHONPATH)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", default=",".join(ROWS), help=f"comma list of {', '.join(ROWS)}")
    ap.add_argument("--suite", action="store_true", help="also time `python -m pytest -q` (minutes)")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    rows = set(args.rows.split(","))
    work = Path(tempfile.mkdtemp(prefix="storykit-bench-"))
    env = {**os.environ, "PYTHONPATH": args.code, "STORYKIT_HOME": str(work / "home"), "HF_HUB_OFFLINE": "1",
           "STORYKIT_CACHE": str(work / "cache")}
    env.pop("STORYKIT_CACHE_MAX", None)
    R = args.repeats
    res: dict[str, object] = {"code": args.code}
    storykit(["plan", *TRIPLE], env, work)  # warm: tokenizer files, byte-compiled modules

    def show(name, value, goal):
        res[name] = value
        print(f"{name:<44} {value:<28} goal {goal}", flush=True)

    def startup(args):  # wall and CPU: on a busy machine CPU seconds are the steadier figure
        runs = [storykit(args, env, work) for _ in range(R)]
        return f"{med([r['wall'] for r in runs]):.2f} ({med([r['cpu'] for r in runs]):.2f} CPU)"

    if "plan" in rows:
        show("storykit plan, s", startup(["plan", *TRIPLE]), "<= 0.3")
    if "info" in rows:
        show("storykit info, s", startup(["info"]), "<= 0.6")

    render = ["render", *TRIPLE, "--backend", "animatic", "--overwrite"]
    if "render" in rows:
        import imageio_ffmpeg

        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        ratios, walls = [], []
        for i in range(R):
            r = storykit([*render, "--no-cache", "-o", "r.mp4"], env, work)
            if i == 0:  # the same frames, decoded once, as raw RGB on disk
                probe = subprocess.run([ffmpeg, "-i", "r.mp4"], cwd=work, capture_output=True, text=True).stderr
                size = re.search(r"Video: .*? (\d{2,5}x\d{2,5})", probe).group(1)
                subprocess.run([ffmpeg, "-v", "error", "-y", "-i", "r.mp4", "-f", "rawvideo", "-pix_fmt", "rgb24", "r.rgb"],
                               cwd=work, check=True)
            enc = run([ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", "24",
                       "-i", "r.rgb", "-c:v", "libx264", "-pix_fmt", "yuv420p", "plain.mp4"], env, work)
            ratios.append(r["cpu"] / enc["cpu"])
            walls.append(r["wall"] / enc["wall"])
        show("render CPU / plain libx264 CPU", f"{med(ratios):.2f} ({med(walls):.2f} wall)", "<= 1.2")

    if rows & {"rerun", "entry", "gif"}:
        ratios, cpu_ratios, firsts, reruns = [], [], [], []
        for i in range(R):
            cache = work / f"cache-rerun{i}"
            e = {**env, "STORYKIT_CACHE": str(cache)}
            storykit(["plan", *TRIPLE, "-o", "s.json", "--overwrite"], e, work)
            first = storykit(["render", "--script", "s.json", "--backend", "animatic", "--overwrite", "-o", "e.mp4"], e, work)
            script = json.loads((work / "s.json").read_text())
            script["scenes"][2]["prompt"] += ", at night"
            (work / "s.json").write_text(json.dumps(script))
            again = storykit(["render", "--script", "s.json", "--backend", "animatic", "--overwrite", "-o", "e.mp4"], e, work)
            ratios.append(again["wall"] / first["wall"])
            cpu_ratios.append(again["cpu"] / first["cpu"])
            firsts.append(first["wall"])
            reruns.append(again["wall"])
        if "rerun" in rows:
            show("re-run after 1 of 5 edited / first run",
                 f"{med(ratios):.2f} ({med(reruns):.2f} s / {med(firsts):.2f} s; CPU {med(cpu_ratios):.2f})", "<= 0.35")
        if "entry" in rows:
            sizes = [p.stat().st_size for p in (work / "cache-rerun0").rglob("*.npz")]
            show("cache entry 512x512x16, MB", f"{med(sizes) / 1e6:.1f} ({len(sizes)} entries)", "compressed where cheap")
        if "gif" in rows:  # cache warm: the difference is the GIF export
            e = {**env, "STORYKIT_CACHE": str(work / "cache-rerun0")}
            cmd = ["render", "--script", "s.json", "--backend", "animatic", "--overwrite", "-o", "g.mp4"]
            plain = med([storykit(cmd, e, work)["cpu"] for _ in range(R)])
            gif = med([storykit([*cmd, "--gif"], e, work)["cpu"] for _ in range(R)])
            show("GIF export CPU, s", f"{gif - plain:.2f}", "about half of before")

    if "rss" in rows:
        cmd = [sys.executable, "-m", "storykit", *render, "--scenes", "8", "--frames", "64", "--no-cache", "-o", "big.mp4"]
        show("peak RSS 8 x 64 frames 512x512, GiB", f"{peak_rss(cmd, env, work):.2f}", "<= 0.6")

    if "draft" in rows:
        code = (ROOT / "bench" / "bench_draft.py")
        out = subprocess.run([sys.executable, str(code), "--repeats", str(R), "--size", "64"], env=env, cwd=work,
                             capture_output=True, text=True)
        last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip().splitlines()[-1]
        show("Lightning stock / draft end to end, tiny", last, ">= 11x (real size)")

    if args.suite:
        t = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], {**os.environ, "PYTHONPATH": args.code}, args.code)
        show("test suite, s", f"{t['wall']:.0f}", "<= 90")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
