"""Camera LoRAs and 16-frame windows on tiny random models (CPU, offline).

    python bench/bench_motion_lora.py                    # LoRA switch cost + windows at 64 px
    python bench/bench_motion_lora.py --size 128 --frames 16 32 64 --window-repeats 3

1. LoRA switch cost: loading a camera's motion LoRA the first time
   (`load_lora_weights`), switching between loaded ones (`set_adapters`), and
   back to static (`disable_lora`); and a 16-frame clip static vs with a LoRA.
2. 16-frame windows: seconds and peak memory for 16/32/64 frames, as storykit
   renders them (FreeNoise context 16, stride 4, split inference) and with
   FreeNoise alone (no split inference). Each configuration runs in its own
   process; "peak" is the rise of the process's peak RSS during the call
   over its RSS just before it (CPU: activations live in host memory).

Timings are medians of repeats. Tiny models make absolute numbers small; the
ratios (per frame, LoRA vs none) are what carry over.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PROMPT = "a small red fox in a blue scarf searches a misty bamboo forest at dawn, cinematic"


def _backend(tiny_root: Path):
    from storykit.generate.lightning import LightningBackend
    from storykit.testing import TINY_ADAPTER_CONFIG

    return LightningBackend(base_model=tiny_root / "tiny-sd15", checkpoint=tiny_root / "tiny-lightning",
                            motion_adapter_config=TINY_ADAPTER_CONFIG, motion_loras=tiny_root / "motion-loras",
                            device="cpu", dtype="fp32", progress=False, verbose=False)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def lora_switch(tiny_root: Path, size: int, repeats: int) -> dict:
    backend = _backend(tiny_root)
    kw = dict(num_frames=16, height=size, width=size, num_inference_steps=4, seed=1)
    backend.generate(PROMPT, **kw)  # load the pipeline
    pipe = backend.pipe
    t = time.perf_counter()
    backend.loras.apply(pipe, "zoom_in", 0.7)
    first_load = time.perf_counter() - t
    backend.loras.apply(pipe, "pan_left", 0.7)  # a second adapter, loaded once
    switch, static = [], []
    for i in range(repeats * 5):
        t = time.perf_counter()
        backend.loras.apply(pipe, ("zoom_in", "pan_left")[i % 2], 0.7)
        switch.append(time.perf_counter() - t)
        t = time.perf_counter()
        backend.loras.apply(pipe, "static", 0.7)
        static.append(time.perf_counter() - t)
    clip_static, clip_lora = [], []
    for _ in range(repeats):
        for camera, out in (("static", clip_static), ("zoom_in", clip_lora)):
            t = time.perf_counter()
            backend.generate(PROMPT, camera=camera, **kw)
            out.append(time.perf_counter() - t)
    med = statistics.median
    return {"first_load_s": first_load, "switch_s": med(switch), "to_static_s": med(static),
            "clip_static_s": med(clip_static), "clip_lora_s": med(clip_lora)}


def one_window_run(tiny_root: Path, size: int, frames: int, split: bool, repeats: int) -> dict:
    """Runs in a child process: seconds and peak RSS rise for one clip of `frames` frames."""
    import diffusers

    backend = _backend(tiny_root)
    if not split:  # FreeNoise alone: build the pipeline without split inference
        real = diffusers.AnimateDiffPipeline.enable_free_noise_split_inference
        diffusers.AnimateDiffPipeline.enable_free_noise_split_inference = lambda self, *a, **k: None
    backend.generate(PROMPT, num_frames=2, height=64, width=64, num_inference_steps=1)  # load + warm up
    if not split:
        diffusers.AnimateDiffPipeline.enable_free_noise_split_inference = real
    times = []
    before = _rss_mb()
    for _ in range(repeats):
        t = time.perf_counter()
        backend.generate(PROMPT, num_frames=frames, height=size, width=size, num_inference_steps=4, seed=1)
        times.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"frames": frames, "split": split, "s": statistics.median(times), "peak_rise_mb": max(0.0, peak - before)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--frames", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--window-repeats", type=int, default=1, help="repeats per window configuration")
    parser.add_argument("--child", nargs=3, metavar=("ROOT", "FRAMES", "SPLIT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        root, frames, split = args.child
        print(json.dumps(one_window_run(Path(root), args.size, int(frames), split == "1", args.repeats)))
        return 0

    from storykit.testing import build_tiny_lightning

    import torch

    tiny_root = Path(tempfile.mkdtemp(prefix="bench-lora-"))
    build_tiny_lightning(tiny_root)
    print(f"torch {torch.__version__}, {os.cpu_count()} CPU threads, tiny models, {args.size} px")

    r = lora_switch(tiny_root, args.size, args.repeats)
    print("\n1. motion LoRA switch cost (16 frames, 4 steps)")
    print(f"   first load of a camera LoRA     {r['first_load_s'] * 1e3:8.1f} ms")
    print(f"   switch between loaded LoRAs     {r['switch_s'] * 1e3:8.1f} ms")
    print(f"   back to static (disable_lora)   {r['to_static_s'] * 1e3:8.1f} ms")
    print(f"   clip static / with LoRA         {r['clip_static_s']:.3f} s / {r['clip_lora_s']:.3f} s "
          f"({r['clip_lora_s'] / r['clip_static_s']:.2f}x)")

    print(f"\n2. 16-frame windows (FreeNoise context 16, stride 4), {args.size} px, 4 steps")
    print(f"   {'frames':>6}  {'split inference':>15}  {'s':>7}  {'s/frame':>8}  {'peak rise MB':>12}")
    for frames in args.frames:
        for split in (True, False):
            out = subprocess.run([sys.executable, __file__, "--size", str(args.size), "--repeats", str(args.window_repeats),
                                  "--child", str(tiny_root), str(frames), "1" if split else "0"],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"   {frames:>6}  {'yes' if split else 'no':>15}  {row['s']:7.3f}  {row['s'] / frames:8.4f}  "
                  f"{row['peak_rise_mb']:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
