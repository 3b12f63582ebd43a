"""How fast the offline animatic draws: frames per second on this machine.

    python bench/bench_animatic.py [--repeat 3]

Prints, at 256x256 and 512x512 (the animatic must stay at or above 150 frames/s at 512²):
  * one 16-frame scene on a fresh backend ("cold": the story's world and the
    character's poses are drawn first), and per camera move once they are cached;
  * a planned 5-scene story (80 frames) on a fresh backend, end to end.
Each number is the best of `--repeat` runs (other processes share the CPU; the
best run is the closest to the code's own cost), as wall-clock time and as this
process's CPU time (all threads; steadier when the machine is busy).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storykit.generate.animatic import AnimaticBackend  # noqa: E402
from storykit.generate import RenderConfig  # noqa: E402
from storykit.plan import plan  # noqa: E402
from storykit.plan import CAMERA_MOVES  # noqa: E402

TRIPLE = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
OTHERS = [("a quiet library", "a shy octopus librarian", "reads an old book"),
          ("霧の竹林、夜明け", "赤いスカーフの小さなキツネ", "なくしたランタンを探す"),
          # verbs acted out: turned and squashed sprites, a second figure, marks, water
          ("a coral reef under the sea", "a curious seagull with a red umbrella", "swims after a sardine"),
          ("a snowy forest at night", "an old grandmother", "falls asleep by the fire"),
          ("a meadow", "a small dragon", "gives a flower to a girl")]


def best(fn, repeat: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the fastest of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    return min(runs)


def row(label: str, frames: int, t: tuple[float, float]) -> str:
    wall, cpu = t
    return f"{label:<30}: {wall * 1e3:7.1f} ms {frames / wall:7.1f} fps | cpu {cpu * 1e3:7.1f} ms {frames / cpu:7.1f} fps"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import PIL

    print(f"# animatic benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, Pillow {PIL.__version__}")
    script = plan(*TRIPLE, num_scenes=5, seed=0)
    print(f"# story: {len(script.scenes)} scenes, {script.num_frames} frames, cameras "
          f"{[s.camera for s in script.scenes]}")
    for size in (256, 512):
        cfg = RenderConfig(height=size, width=size)
        scene = script.scenes[1]
        n = scene.num_frames
        print(f"\n## {size}x{size}  (wall clock | CPU time)")
        print(row("one scene, cold backend", n, best(lambda: AnimaticBackend().render_scene(scene, script, cfg), args.repeat)))
        backend = AnimaticBackend()
        for camera in CAMERA_MOVES:
            s = dataclasses.replace(scene, camera=camera)
            backend.render_scene(s, script, cfg)
            print(row(f"one scene, warm, {camera}", n, best(lambda: backend.render_scene(s, script, cfg), args.repeat)))
        t = best(lambda: [b.render_scene(s, script, cfg) for b in [AnimaticBackend()] for s in script.scenes], args.repeat)
        print(row(f"5-scene story ({script.num_frames} frames), cold", script.num_frames, t))
        # at the story's rate (what make_story and the Studio do): 3x the frames, each one drawn
        cfg24 = dataclasses.replace(cfg, fps=24)
        n24 = sum(AnimaticBackend().render_scene(s, script, cfg24).num_frames for s in script.scenes)
        t = best(lambda: [b.render_scene(s, script, cfg24) for b in [AnimaticBackend()] for s in script.scenes], args.repeat)
        print(row(f"5-scene story at 24 fps ({n24} frames), cold", n24, t))
        for k, triple in enumerate(OTHERS):  # icon subjects, props and landmarks; other scripts
            other = plan(*triple, num_scenes=5, seed=0)
            n = sum(s.num_frames for s in other.scenes) * 3
            t = best(lambda: [b.render_scene(s, other, cfg24) for b in [AnimaticBackend()] for s in other.scenes], args.repeat)
            print(row(f"5 scenes at 24 fps, {triple[1][:14]}", n, t))


if __name__ == "__main__":
    main()
