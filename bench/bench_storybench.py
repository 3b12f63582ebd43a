"""StoryBench batch throughput: stories per minute, single process vs a local Ray runtime.

Renders the same entries of a shipped task-file slice (default: all 25 of
oops-test/story_gen.json, 1 sample, 96x160 like StoryBench's own videos) on the
animatic, once in this process and once on `ray.init(num_cpus=N)`, into fresh
folders, then checks the arrays are identical. Ray's start-up is timed apart
from the batch (a cluster pays it once), and so is a resumed run that finds
every file finished.

    .venv/bin/python bench/bench_storybench.py [--task oops-test/story_gen.json] [--cpus 2] [--samples 1] [--size 96x160]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from storykit.benchmark import render_storybench

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "storybench"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", default="oops-test/story_gen.json")
    ap.add_argument("--indices", default=None, help="default: every entry of the slice")
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--size", default="96x160")
    args = ap.parse_args()
    h, w = (int(v) for v in args.size.split("x"))
    kw = dict(indices=args.indices, samples=args.samples, backend="animatic", height=h, width=w, progress=False)
    task = DATA / args.task
    with tempfile.TemporaryDirectory() as tmp:
        render_storybench(task, Path(tmp) / "warm", indices="0", **{k: v for k, v in kw.items() if k != "indices"})

        t = time.perf_counter()
        single = render_storybench(task, Path(tmp) / "single", **kw)
        single_s = time.perf_counter() - t
        t = time.perf_counter()
        resumed = render_storybench(task, Path(tmp) / "single", **kw)
        resume_s = time.perf_counter() - t

        import ray

        t = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
        init_s = time.perf_counter() - t
        try:
            # workers start on the first tasks: a warm-up batch elsewhere, as a long job would amortise it
            t = time.perf_counter()
            render_storybench(task, Path(tmp) / "raywarm", ray=True, **{**kw, "indices": f"0-{args.cpus - 1}"})
            warm_s = time.perf_counter() - t
            t = time.perf_counter()
            on_ray = render_storybench(task, Path(tmp) / "ray", ray=True, **kw)
            ray_s = time.perf_counter() - t
        finally:
            ray.shutdown()

        same = True
        files = sorted(glob.glob(str(Path(tmp) / "single" / "data" / "*" / "*" / "*" / "raw" / "*.npz")))
        for f in files:
            a, b = np.load(f), np.load(f.replace(str(Path(tmp) / "single"), str(Path(tmp) / "ray")))
            same &= all(a[k].tobytes() == b[k].tobytes() for k in ("video", "frames", "texts"))

    n = len(single.outcomes)
    frames = single.frames
    print(f"{n} stories ({frames} frames, {args.samples} sample(s), {h}x{w}) from {args.task}, animatic, {os.cpu_count()} cores here")
    print(f"single process : {single_s:6.2f} s  {n / single_s * 60:7.1f} stories/min  {frames / single_s:6.1f} frames/s")
    print(f"local Ray ({args.cpus} CPU): {ray_s:6.2f} s  {n / ray_s * 60:7.1f} stories/min  {frames / ray_s:6.1f} frames/s"
          f"   (+ ray.init {init_s:.1f} s, first tasks {warm_s:.1f} s)")
    print(f"Ray / single   : {single_s / ray_s:.2f}x faster; arrays identical: {same} ({len(files)} files)")
    print(f"resume (all {resumed.count('skipped')} finished, checksums verified): {resume_s:.2f} s")
    assert single.count("written") == on_ray.count("written") == n and same


if __name__ == "__main__":
    main()
