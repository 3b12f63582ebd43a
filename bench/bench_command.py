"""Whole-command benchmark: each row of issue #26's table, measured in one run.

    python bench/bench_command.py                              # this checkout
    python bench/bench_command.py --code /tmp/before --code .  # two trees, interleaved run by run
    python bench/bench_command.py --rows plan --repeats 5
    python bench/bench_command.py --suite                      # also time the test suite

Every figure comes from whole processes started with subprocess (what a user waits
for), a median of `--repeats` runs; CPU seconds are the children's user+sys from
`resource.getrusage`. Each ratio pairs its two sides within one repeat, so
background load hits both alike; with two `--code` trees every repeat runs both
trees back to back.

Rows (issue #26):
  cached    whole `storykit render` with every scene cached ÷ the first run (CPU; wall too)   goal <= 0.35
  edit      the same after editing one scene's prompt ÷ the first run (CPU)                  (no goal)
  main      main job CPU ÷ a raw libx264 veryfast CRF 18 encode of the very frames it wrote   goal <= 2.0
  psnr      segmented MP4 vs the single-pass encode of the same story (dB, frames, seconds)  encoder noise
  plan      `storykit plan` ÷ `python -c pass` (wall)                                         goal <= 6
  suite     the README's test command's wall seconds (with --suite)                           goal <= 90 idle
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIPLE = ["--setting", "a misty bamboo forest at dawn", "--character", "a small red fox in a blue scarf",
          "--action", "searches for a lost lantern"]
ROWS = ("cached", "edit", "main", "psnr", "plan")


def run(cmd, env, cwd) -> dict:
    """Runs `cmd` to completion: wall seconds and the children's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "out": proc.stdout, "err": proc.stderr}


def med(xs):
    return statistics.median(xs)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class Tree:
    """One storykit checkout measured in its own scratch folder, cache and home."""

    def __init__(self, code: str, work: Path):
        self.code, self.work = code, work
        work.mkdir(parents=True)
        self.env = {**os.environ, "PYTHONPATH": code, "STORYKIT_HOME": str(work / "home"), "HF_HUB_OFFLINE": "1",
                    "STORYKIT_CACHE": str(work / "cache")}
        self.env.pop("STORYKIT_CACHE_MAX", None)
        # Byte-compiled modules, as an installed storykit has them (pip compiles on install): a shell with
        # PYTHONDONTWRITEBYTECODE set would have every run compile storykit again (0.13 s of CPU each).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def storykit(self, args, cache=None) -> dict:
        env = self.env if cache is None else {**self.env, "STORYKIT_CACHE": str(cache)}
        return run([sys.executable, "-m", "storykit", *args], env, self.work)


def render_rows(tree: Tree, i: int, rows: set, res: dict) -> None:
    """One repeat of the render rows: first run (cold cache), all cached, one scene edited; the raw encode."""
    cache = tree.work / f"cache{i}"
    tree.storykit(["plan", *TRIPLE, "-o", "s.json", "--overwrite"], cache)
    render = ["render", "--script", "s.json", "--backend", "animatic", "--overwrite"]
    first = tree.storykit([*render, "-o", "e.mp4"], cache)
    cached = tree.storykit([*render, "-o", "e.mp4"], cache)
    res.setdefault("first_cpu", []).append(first["cpu"])
    res.setdefault("first_wall", []).append(first["wall"])
    res.setdefault("cached_cpu", []).append(cached["cpu"] / first["cpu"])
    res.setdefault("cached_wall", []).append(cached["wall"] / first["wall"])
    if "edit" in rows:
        script = json.loads((tree.work / "s.json").read_text())
        script["scenes"][2]["prompt"] += ", at night"
        (tree.work / "s.json").write_text(json.dumps(script))
        again = tree.storykit([*render, "-o", "e.mp4"], cache)
        res.setdefault("edit_cpu", []).append(again["cpu"] / first["cpu"])
    if "main" in rows or "psnr" in rows:
        # The main job as a user runs it the first time (cold cache), and the very frames it wrote, raw.
        ffmpeg = ffmpeg_exe()
        cold = tree.work / f"cache-cold{i}"
        main = tree.storykit(["render", *TRIPLE, "--backend", "animatic", "--overwrite", "-o", "m.mp4"], cold)
        probe = subprocess.run([ffmpeg, "-i", "m.mp4"], cwd=tree.work, capture_output=True, text=True).stderr
        size = re.search(r"Video: .*? (\d{2,5}x\d{2,5})", probe).group(1)
        fps = re.search(r"([\d.]+) fps", probe).group(1)
        subprocess.run([ffmpeg, "-v", "error", "-y", "-i", "m.mp4", "-f", "rawvideo", "-pix_fmt", "rgb24", "m.rgb"],
                       cwd=tree.work, check=True)
        enc = run([ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", fps,
                   "-i", "m.rgb", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                   "raw.mp4"], tree.env, tree.work)
        res.setdefault("main_cpu", []).append(main["cpu"] / enc["cpu"])
        res.setdefault("main_s", []).append(main["cpu"])
        res.setdefault("raw_s", []).append(enc["cpu"])
        (tree.work / "m.rgb").unlink()
    if "psnr" in rows and i == 0:  # the segmented file against a single-pass encode of the same story
        tree.storykit(["render", *TRIPLE, "--backend", "animatic", "--overwrite", "--no-cache", "-o", "one.mp4"])
        out = subprocess.run([ffmpeg, "-i", "m.mp4", "-i", "one.mp4", "-lavfi", "[0:v][1:v]psnr", "-f", "null", "-"],
                             cwd=tree.work, capture_output=True, text=True).stderr
        m = re.search(r"PSNR .*?average:([\d.inf]+) min:([\d.inf]+)", out)
        frames = []
        for name in ("m.mp4", "one.mp4"):
            log = subprocess.run([ffmpeg, "-i", name, "-map", "0:v", "-f", "null", "-"], cwd=tree.work,
                                 capture_output=True, text=True).stderr
            count = re.findall(r"frame=\s*(\d+)", log)[-1]
            dur = re.search(r"Duration: (\d+):(\d+):([\d.]+)", log).groups()
            frames.append(f"{count} frames {float(dur[2]) + 60 * int(dur[1]):.2f} s")
        errors = subprocess.run([ffmpeg, "-v", "error", "-i", "m.mp4", "-f", "null", "-"], cwd=tree.work,
                                capture_output=True, text=True).stderr.strip()
        res["psnr"] = (f"{m.group(1)} dB avg, {m.group(2)} min; segmented {frames[0]}, single-pass {frames[1]}; "
                       f"decode errors: {errors or 'none'}")


def plan_row(tree: Tree, res: dict) -> None:
    base = run([sys.executable, "-c", "pass"], tree.env, tree.work)
    plan = tree.storykit(["plan", *TRIPLE])
    res.setdefault("plan_wall", []).append(plan["wall"] / base["wall"])
    res.setdefault("plan_s", []).append(plan["wall"])
    res.setdefault("pass_s", []).append(base["wall"])
    res.setdefault("plan_cpu", []).append(plan["cpu"])


def main() -> None:
    # Started in the background (`cmd &`), this process and every child would ignore SIGINT; the suite's
    # Ctrl-C tests set it for their own children, and the bench stops on Ctrl-C as a command should.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--code", action="append", help="a storykit tree to measure (PYTHONPATH); repeatable")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", default=",".join(ROWS), help=f"comma list of {', '.join(ROWS)}")
    ap.add_argument("--suite", action="store_true", help="also time `python -m pytest -n 2` (minutes)")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    rows = set(args.rows.split(","))
    codes = args.code or [str(ROOT)]
    scratch = Path(tempfile.mkdtemp(prefix="storykit-bench-"))
    try:
        measure(args, rows, codes, scratch)
    finally:  # its renders, caches and exports: tens of MB a run
        shutil.rmtree(scratch, ignore_errors=True)


def measure(args, rows: set, codes: list, scratch: Path) -> None:
    trees = [Tree(c, scratch / f"tree{k}") for k, c in enumerate(codes)]
    results: list[dict] = [{} for _ in trees]
    for tree in trees:  # warm: byte-compiled modules (the render path's too), tokenizer files
        tree.storykit(["plan", *TRIPLE])
        tree.storykit(["render", *TRIPLE, "--backend", "animatic", "--height", "64", "--width", "64",
                       "--overwrite", "-o", "warm.mp4"],
                      tree.work / "cache-warm")
    for i in range(args.repeats):
        for tree, res in zip(trees, results):
            if "plan" in rows:
                for _ in range(3):
                    plan_row(tree, res)
            if rows & {"cached", "edit", "main", "psnr"}:
                render_rows(tree, i, rows, res)
    if args.suite:
        for tree, res in zip(trees, results):
            t = run([sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],  # README's command
                    {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": tree.code},
                    tree.code)
            res["suite"] = t["wall"]
            res["suite_cpu"] = t["cpu"]

    report = {}
    for tree, res in zip(trees, results):
        print(f"\n== {tree.code}")
        lines = []
        if "cached_cpu" in res:
            lines.append(("render, every scene cached ÷ first run (CPU)",
                          f"{med(res['cached_cpu']):.2f} (wall {med(res['cached_wall']):.2f}; first run "
                          f"{med(res['first_cpu']):.2f} s CPU)", "<= 0.35"))
        if "edit_cpu" in res:
            lines.append(("render, 1 of 5 scenes edited ÷ first run (CPU)", f"{med(res['edit_cpu']):.2f}", "-"))
        if "main_cpu" in res:
            lines.append(("main job CPU ÷ raw libx264 veryfast CRF 18",
                          f"{med(res['main_cpu']):.2f} ({med(res['main_s']):.2f} s / {med(res['raw_s']):.2f} s)",
                          "<= 2.0"))
        if "psnr" in res:
            lines.append(("segmented vs single-pass MP4", res["psnr"], "encoder noise"))
        if "plan_wall" in res:
            lines.append(("storykit plan ÷ python -c pass (wall)",
                          f"{med(res['plan_wall']):.1f}x ({med(res['plan_s']):.3f} s / {med(res['pass_s']):.3f} s; "
                          f"plan {med(res['plan_cpu']):.2f} s CPU)", "<= 6x"))
        if "suite" in res:
            lines.append(("test suite", f"{res['suite']:.0f} s wall, {res['suite_cpu']:.0f} s CPU", "<= 90 s idle"))
        for name, value, goal in lines:
            print(f"{name:<48} {value}   goal {goal}", flush=True)
        report[tree.code] = {name: value for name, value, _ in lines}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
