"""What narration adds to the main job: `make_story` on a 5-scene story, silent vs narrated.

    python bench/bench_narration.py [--repeat 3] [--size 256]

Runs, interleaved so that load changes hit both alike, for each of `--repeat` rounds:
  * silent:   make_story(..., narrate="none")     with a cold clip cache (the first render);
  * narrated: make_story(..., narrate="espeak")   with a cold clip cache and a cold voice cache;
and the same two again with the clip cache warm (a re-run: nothing renders, so narration's
share is largest). Prints medians of wall time, the ratio narrated / silent, and the
narration's own parts from the narrated runs: synthesis + mixing (`timings["narration_s"]`),
the extra stitching (fitting the lines) and the extra export (held frames are encoded too).
The animatic backend is the fastest main job storykit has, so this is the worst case:
on AnimateDiff-Lightning the same seconds sit on minutes of rendering.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storykit.plan import plan  # noqa: E402
from storykit.story import make_story  # noqa: E402

TRIPLE = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def run(script, folder: Path, name: str, narrate: str, size: int, clips: Path):
    os.environ["STORYKIT_VOICE_CACHE"] = str(folder / f"voice-{name}")  # a cold voice cache each time
    t = time.perf_counter()
    result = make_story(script, output=folder / f"{name}.mp4", backend="animatic", height=size, width=size,
                        cache_dir=clips, narrate=narrate, progress=False, overwrite=True)
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args()
    print(f"# narration benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, {args.size}x{args.size}, animatic")
    script = plan(*TRIPLE, num_scenes=5, seed=0)
    rows = {k: [] for k in ("silent cold", "narrated cold", "silent warm", "narrated warm")}
    parts = {"narration_s": [], "stitch_extra_s": [], "export_extra_s": []}
    story_s = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run(script, tmp, "warmup", "espeak", args.size, tmp / "warmup-clips")  # imports, fonts, espeak loaded once
        for k in range(args.repeat):
            order = [("silent", "none"), ("narrated", "espeak")]
            if k % 2:
                order.reverse()
            results = {}
            for label, narrate in order:
                clips = tmp / f"clips-{label}-{k}"
                t, r = run(script, tmp, f"{label}-{k}", narrate, args.size, clips)
                rows[f"{label} cold"].append(t)
                t2, r2 = run(script, tmp, f"{label}-{k}-again", narrate, args.size, clips)
                rows[f"{label} warm"].append(t2)
                results[label] = r
                story_s[label] = r.story.duration
            n, s = results["narrated"].timings, results["silent"].timings
            parts["narration_s"].append(n.get("narration_s", 0.0))
            parts["stitch_extra_s"].append(n["stitch_s"] - s["stitch_s"])
            parts["export_extra_s"].append(n["export_s"] - s["export_s"] - n.get("narration_s", 0.0))
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"# story length: silent {story_s['silent']:.1f} s, narrated {story_s['narrated']:.1f} s (held frames)")
    for k, v in med.items():
        print(f"{k:<16}: {v:6.2f} s (median of {len(rows[k])}: {', '.join(f'{x:.2f}' for x in rows[k])})")
    for kind in ("cold", "warm"):
        ratio = med[f"narrated {kind}"] / med[f"silent {kind}"]
        print(f"narrated / silent, clip cache {kind}: {ratio:.3f}  (+{(ratio - 1) * 100:.1f} %)")
    for k, v in parts.items():
        print(f"{k:<16}: {statistics.median(v):6.3f} s (median)")


if __name__ == "__main__":
    main()
