"""Benchmarks for AnimateDiff-Lightning in storykit, on tiny random models (CPU, offline).

    python bench/bench_lightning.py                  # 64 px and 256 px, 16 frames
    python bench/bench_lightning.py --sizes 64 --repeats 3 --sections 12

Everything is measured in one run and printed as ratios (the absolute seconds
of a tiny model mean little; the ratios carry over):

0. tiny-model choice: a 4-down-block VAE (SD's 8x downsampling) vs the 2-block
   VAE of diffusers' tests, same pipeline otherwise;
1. Lightning (4 steps, CFG 1, Euler trailing) vs stock AnimateDiff (25 steps,
   CFG 7.5, DDIM) on the same pipeline and size: end to end and the denoising
   loop alone (text encoding / denoising / decoding split with a UNet hook
   and `callback_on_step_end`);
2. storykit's render_scene (cache off) vs the bare diffusers pipeline call with
   identical settings: overhead in % (goal <= 5 %), and a check that both give
   identical frames;
3. re-rendering a 5-scene story after editing one scene vs rendering it all
   (goal <= 0.25).

Timings are medians of interleaved repeats, so background load hits both sides
of each ratio alike.
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

PROMPT = "a small red fox in a blue scarf searches a misty bamboo forest at dawn, cinematic"
NEGATIVE = "low quality, blurry, deformed, watermark, text"


def med(xs):
    return statistics.median(xs)


def timed_pipe(pipe, timer_cls, **kw) -> dict:
    """One pipeline call split into encode / denoise / decode seconds (the storykit timer)."""
    timer = timer_cls(lambda: None)
    hook = pipe.unet.register_forward_pre_hook(timer.unet_pre_hook)
    try:
        timer.start = time.perf_counter()
        pipe(**kw, callback_on_step_end=timer.on_step_end)
        end = time.perf_counter()
    finally:
        hook.remove()
    return {**timer.split(end), "total_s": end - timer.start}


def make_backend(tiny, **kw):
    from storykit.generate.lightning import LightningBackend

    return LightningBackend(
        base_model=tiny.base_model, checkpoint=tiny.checkpoint_dir,
        motion_adapter_config=tiny.motion_adapter_config, device="cpu", dtype="fp32", progress=False, verbose=False, **kw,
    )


def bench_vae(root: Path, frames: int, repeats: int) -> None:
    from storykit.testing import build_tiny_lightning

    print("\n## 0. tiny VAE: 4 down blocks (8x, like SD) vs 2 (diffusers' test VAE, 2x)")
    backends = {n: make_backend(build_tiny_lightning(root / f"vae{n}", vae_blocks=n)) for n in (4, 2)}
    times = {n: [] for n in backends}
    for n, b in backends.items():
        b.generate(PROMPT, num_frames=frames, height=64, width=64, seed=0)  # load + warm up
    for _ in range(repeats):
        for n, b in backends.items():
            _, meta = b.generate(PROMPT, num_frames=frames, height=64, width=64, seed=0)
            times[n].append(meta["timings"]["total_s"] - meta["timings"]["load_s"])
    t4, t2 = med(times[4]), med(times[2])
    print(f"64 px x {frames} frames, 4 steps: 4-block VAE {t4:.2f} s, 2-block VAE {t2:.2f} s -> 2-block is {t2 / t4:.1f}x slower")


def bench_steps(backend, size: int, frames: int, repeats: int) -> None:
    import diffusers

    from storykit.generate.device import make_generator
    from storykit.generate.lightning.backend import _Timer

    pipe = backend.load(4)
    euler = pipe.scheduler
    # Stock AnimateDiff (diffusers docs): DDIM, linear betas, 25 steps, CFG 7.5 with a negative prompt.
    ddim = diffusers.DDIMScheduler.from_config(
        euler.config, beta_schedule="linear", steps_offset=1, clip_sample=False, timestep_spacing="linspace"
    )
    common = dict(prompt=PROMPT, num_frames=frames, height=size, width=size, output_type="np")
    runs = {"lightning": [], "stock": []}
    for r in range(repeats + 1):  # the first round warms caches and is dropped
        pipe.scheduler = euler
        light = timed_pipe(pipe, _Timer, num_inference_steps=4, guidance_scale=1.0, generator=make_generator(r), **common)
        pipe.scheduler = ddim
        stock = timed_pipe(pipe, _Timer, num_inference_steps=25, guidance_scale=7.5, negative_prompt=NEGATIVE,
                           generator=make_generator(r), **common)
        if r:
            runs["lightning"].append(light)
            runs["stock"].append(stock)
    pipe.scheduler = euler
    m = {k: {f: med([x[f] for x in v]) for f in v[0]} for k, v in runs.items()}
    L, S = m["lightning"], m["stock"]
    print(f"{size} px x {frames} frames | lightning 4 steps CFG1: encode {L['encode_s']:.3f} s, denoise {L['denoise_s']:.2f} s, "
          f"decode {L['decode_s']:.2f} s, total {L['total_s']:.2f} s")
    print(f"{size} px x {frames} frames | stock 25 steps CFG7.5: encode {S['encode_s']:.3f} s, denoise {S['denoise_s']:.2f} s, "
          f"decode {S['decode_s']:.2f} s, total {S['total_s']:.2f} s")
    print(f"{size} px x {frames} frames | stock/lightning: end to end {S['total_s'] / L['total_s']:.1f}x, "
          f"denoising loop {S['denoise_s'] / L['denoise_s']:.1f}x (ideal loop ratio 25*2/4 = 12.5x)")


def bench_overhead(backend, size: int, frames: int, repeats: int) -> None:
    import numpy as np

    from storykit.generate import RenderConfig
    from storykit.generate.device import make_generator
    from storykit.generate import render_scene
    from storykit.testing import example_script

    script = example_script(1, num_frames=frames)
    scene = script.scenes[0]
    config = RenderConfig(height=size, width=size, num_inference_steps=4)
    pipe = backend.load(4)
    raw_s, sk_s = [], []
    same = True

    def raw_call():
        return pipe(prompt=scene.prompt, negative_prompt=scene.negative_prompt, num_frames=frames, height=size, width=size,
                    num_inference_steps=4, guidance_scale=1.0, generator=make_generator(scene.seed), output_type="np")

    for r in range(repeats + 1):
        # Alternate which side runs first, so warm caches and background load favour neither.
        order = ("raw", "storykit") if r % 2 else ("storykit", "raw")
        for side in order:
            t0 = time.perf_counter()
            if side == "raw":
                out = raw_call()
            else:
                clip = render_scene(scene, script, backend, config, cache_dir=False)
            dt = time.perf_counter() - t0
            if r:
                (raw_s if side == "raw" else sk_s).append(dt)
        raw = (np.clip(out.frames[0], 0, 1) * 255).round().astype(np.uint8)
        same &= bool(np.array_equal(raw, clip.frames))
    raw_m, sk_m = med(raw_s), med(sk_s)
    paired = med([b / a for a, b in zip(raw_s, sk_s)])  # pairs share the moment's background load
    # storykit's own work around the call (checks, checkpoint lookup, uint8, Clip), with the call stubbed out:
    real_call = type(pipe).__call__
    stub_out = type("Out", (), {"frames": out.frames})()
    type(pipe).__call__ = lambda self, **kw: stub_out
    try:
        t0 = time.perf_counter()
        for _ in range(20):
            render_scene(scene, script, backend, config, cache_dir=False)
        around = (time.perf_counter() - t0) / 20
    finally:
        type(pipe).__call__ = real_call
    print(f"{size} px x {frames} frames | raw pipeline {raw_m:.3f} s, storykit render_scene {sk_m:.3f} s (medians of {len(raw_s)}) "
          f"-> overhead: paired median {100 * (paired - 1):+.1f} %, medians {100 * (sk_m - raw_m) / raw_m:+.1f} %, "
          f"mins {100 * (min(sk_s) - min(raw_s)) / min(raw_s):+.1f} %; storykit's own work around the call "
          f"{1000 * around:.1f} ms = {100 * around / raw_m:.2f} %; identical frames: {same}")


def bench_rerender(backend, size: int, frames: int, repeats: int) -> None:
    from storykit.generate import RenderConfig
    from storykit.generate import render_story
    from storykit.testing import example_script

    config = RenderConfig(height=size, width=size, num_inference_steps=4)
    ratios, fulls, edits = [], [], []
    for r in range(repeats):
        with tempfile.TemporaryDirectory() as d:
            script = example_script(5, num_frames=frames, seed=100 * r)
            t0 = time.perf_counter()
            render_story(script, backend, config, cache_dir=d, progress=False)
            full = time.perf_counter() - t0
            script.edit(2, prompt="the fox finds the lantern under a stone bridge")
            t0 = time.perf_counter()
            clips = render_story(script, backend, config, cache_dir=d, progress=False)
            edit = time.perf_counter() - t0
            assert [c.metadata["cached"] for c in clips] == [True, True, False, True, True]
        fulls.append(full)
        edits.append(edit)
        ratios.append(edit / full)
    print(f"{size} px x {frames} frames, 5 scenes | full render {med(fulls):.2f} s, after editing 1 scene {med(edits):.2f} s "
          f"-> ratio {med(ratios):.3f} (ideal 0.200)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[64, 256])
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--sections", default="0123", help="which sections to run, e.g. 12")
    args = p.parse_args(argv)

    import torch
    import diffusers

    from storykit.testing import build_tiny_lightning

    print(f"# bench_lightning: torch {torch.__version__}, diffusers {diffusers.__version__}, "
          f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        if "0" in args.sections:
            bench_vae(root, args.frames, args.repeats)
        backend = make_backend(build_tiny_lightning(root / "main"))
        if "1" in args.sections:
            print("\n## 1. Lightning 4 steps CFG 1 vs stock AnimateDiff 25 steps CFG 7.5 (same tiny pipeline)")
            for size in args.sizes:
                bench_steps(backend, size, args.frames, max(2, args.repeats // (1 if size <= 64 else 2)))
        if "2" in args.sections:
            print("\n## 2. storykit render_scene (cache off) vs the bare diffusers call")
            for size in args.sizes:
                bench_overhead(backend, size, args.frames, 6 * args.repeats if size <= 64 else 2 * args.repeats)
        if "3" in args.sections:
            print("\n## 3. re-render after editing 1 of 5 scenes vs full render (cache on)")
            for size in args.sizes:
                bench_rerender(backend, size, args.frames, 5 if size <= 64 else 3)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
