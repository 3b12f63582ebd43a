"""Contact-sheet cost: 16 frames at 512x512, at three scales, against copying the frames.

Moved here from the test suite (a timing is not a test). Prints medians of
--repeats rounds after one warm-up (the font cache), and each scale's time as a
ratio to a plain `np.concatenate` of the same frames measured in the same run,
so numbers from a loaded machine still compare.

    .venv/bin/python bench/bench_inspection.py [--repeats 5] [--size 512]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from storykit import inspection as ins


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args(argv)
    frames = np.random.default_rng(0).integers(0, 256, (16, args.size, args.size, 3), dtype=np.uint8)
    ins.contact_sheet(frames)  # warm up the font cache
    copy = median_seconds(lambda: np.concatenate(list(frames), axis=1), args.repeats)
    print(f"16 frames {args.size}x{args.size}, medians of {args.repeats}; copying the frames: {copy * 1000:.1f} ms")
    for scale in (None, 0.5, 1.0):
        sheet = ins.contact_sheet(frames, columns=8, scale=scale)
        dt = median_seconds(lambda: ins.contact_sheet(frames, columns=8, scale=scale), args.repeats)
        print(f"contact_sheet scale={scale}: {dt * 1000:.0f} ms ({dt / copy:.1f}x the copy) -> {sheet.shape}")


if __name__ == "__main__":
    main()
