"""Per-scene cost of the character reference (IP-Adapter) and the handoff, on tiny random models (CPU, offline).

    python bench/bench_continuity.py                     # 64 px, 16 frames, 4 steps
    python bench/bench_continuity.py --sizes 64 256 --repeats 5

Four ways to render the same scene, interleaved so background load hits all alike:
plain text-to-video; + IP-Adapter (the reference image encoded by the CLIP image
encoder, 4 extra tokens in every cross-attention); + handoff (video-to-video from
the previous last frame: a VAE encode of the held frame, then int(4 x 0.75) = 3
denoising steps instead of 4); both. Also the one-time costs: loading the
IP-Adapter into the pipeline and rendering a reference portrait, and the seam
jump (storykit.inspection.metrics.seam_jump) with and without the handoff.

The weights are random: the seam numbers only show that the plumbing runs; they
say nothing about how well a trained model continues a scene.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPTS = ["a small red fox in a blue scarf walks into a misty bamboo forest",
           "a small red fox in a blue scarf finds a lantern under a bridge"]


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64])
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    import numpy as np
    from PIL import Image

    from storykit.generate.lightning import LightningBackend
    from storykit.generate.reference import load_reference
    from storykit.inspection.metrics import seam_jump
    from storykit.testing import build_tiny_lightning

    tiny = build_tiny_lightning(tempfile.mkdtemp(prefix="bench-continuity-"))
    backend = LightningBackend(base_model=tiny.base_model, checkpoint=tiny.checkpoint_dir,
                               motion_adapter_config=tiny.motion_adapter_config, device="cpu", dtype="fp32",
                               progress=False, verbose=False, ip_adapter=tiny.ip_adapter)
    rng = np.random.default_rng(0)
    reference = load_reference(Image.fromarray(rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)))

    for size in args.sizes:
        sys.stdout.flush()
        common = dict(num_frames=args.frames, height=size, width=size, num_inference_steps=args.steps)
        previous, _ = backend.generate(PROMPTS[0], seed=1, **common)
        last = previous[-1]
        variants = {
            "plain": {},
            "+ handoff": {"handoff_image": last},
            "+ IP-Adapter": {"ip_adapter_image": reference},
            "+ both": {"ip_adapter_image": reference, "handoff_image": last},
        }
        times = {k: [] for k in variants}
        attach = []
        frames = {}
        for _ in range(args.repeats):
            # Without a reference the adapter is unloaded (frames exactly as before), with one it is
            # loaded: an untimed-for-the-scene first call of each group pays that switch.
            for group in (("plain", "+ handoff"), ("+ IP-Adapter", "+ both")):
                t = time.perf_counter()
                backend.generate(PROMPTS[1], seed=2, **common, **variants[group[0]])
                switch = time.perf_counter() - t
                for name in group:
                    t = time.perf_counter()
                    f, meta = backend.generate(PROMPTS[1], seed=2, **common, **variants[name])
                    times[name].append(time.perf_counter() - t)
                    frames[name] = f
                if group[0] == "+ IP-Adapter":
                    attach.append(switch - times["+ IP-Adapter"][-1])
        plain = statistics.median(times["plain"])
        print(f"\n{size} px, {args.frames} frames, {args.steps} steps, median of {args.repeats} repeats")
        print(f"{'per scene':<16}{'seconds':>9}{'vs plain':>10}")
        for name in variants:
            m = statistics.median(times[name])
            print(f"{name:<16}{m:9.3f}{m / plain:9.2f}x")
        print(f"one-time IP-Adapter load into the loaded pipeline (load_ip_adapter): ~{statistics.median(attach):.3f} s")
        t = time.perf_counter()
        backend.generate("a small red fox in a blue scarf, character portrait", seed=0, **common)
        print(f"reference portrait (one clip, middle frame kept): {time.perf_counter() - t:.3f} s")
        print("seam jump previous→this scene, grey levels (random weights: plumbing only): "
              f"plain {seam_jump(previous, frames['plain']):.1f}, handoff {seam_jump(previous, frames['+ handoff']):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
