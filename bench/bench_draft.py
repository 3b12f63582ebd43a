"""Lightning draft decode (TAESD, `vae_decoder="tiny"`) vs the full VAE and vs stock AnimateDiff, tiny models.

    python bench/bench_draft.py [--size 128] [--frames 16] [--repeats 3]

One tiny random pipeline (storykit.testing: 4-down-block VAE; a tiny
AutoencoderTiny in TAESD's layout), three ways, interleaved, medians:
stock AnimateDiff (DDIM 25 steps, CFG 7.5, full VAE), Lightning (Euler trailing,
4 steps, CFG 1) with the full VAE, and the same with the tiny VAE. Prints the
denoising-loop and decode split and the end-to-end ratios; the last line is the
summary bench_command.py shows. Tiny models put both decoders at a few
milliseconds, so the decode ratio here says little about real size (TAESD's
decoder has ~1.2 M parameters vs ~49 M for SD1.5's VAE decoder).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lightning import NEGATIVE, PROMPT, make_backend, timed_pipe  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--real-decode", type=int, default=0, metavar="PX",
                    help="instead: decode one PX-sized frame with real-size random TAESD and SD1.5 VAE decoders (CPU)")
    args = ap.parse_args()
    if args.real_decode:
        real_decode(args.real_decode, args.repeats)
        return
    try:
        from storykit.generate.lightning import draft
        from storykit.testing import build_tiny_taesd
    except ImportError:
        print("n/a (no draft decoder in this tree)")
        return
    import diffusers

    from storykit.generate.device import make_generator
    from storykit.generate.lightning.backend import _Timer
    from storykit.testing import build_tiny_lightning

    root = Path(tempfile.mkdtemp(prefix="bench-draft-"))
    tiny = build_tiny_lightning(root / "lightning")
    backend = make_backend(tiny)
    pipe = backend.load(4)
    full_vae = pipe.vae
    tiny_vae = draft.load_tiny_vae(str(build_tiny_taesd(root / "taesd")), backend.dtype)
    euler = pipe.scheduler
    ddim = diffusers.DDIMScheduler.from_config(
        euler.config, beta_schedule="linear", steps_offset=1, clip_sample=False, timestep_spacing="linspace"
    )
    common = dict(prompt=PROMPT, num_frames=args.frames, height=args.size, width=args.size, output_type="np")
    runs = {"stock": [], "full": [], "draft": []}
    for r in range(args.repeats + 1):  # round 0 warms up and is dropped
        pipe.scheduler, pipe.vae = ddim, full_vae
        stock = timed_pipe(pipe, _Timer, num_inference_steps=25, guidance_scale=7.5, negative_prompt=NEGATIVE,
                           generator=make_generator(r), **common)
        pipe.scheduler = euler
        full = timed_pipe(pipe, _Timer, num_inference_steps=4, guidance_scale=1.0, generator=make_generator(r), **common)
        pipe.vae = tiny_vae
        drafted = timed_pipe(pipe, _Timer, num_inference_steps=4, guidance_scale=1.0, generator=make_generator(r), **common)
        pipe.vae = full_vae
        if r:
            for k, v in (("stock", stock), ("full", full), ("draft", drafted)):
                runs[k].append(v)
    m = {k: {f: statistics.median(x[f] for x in v) for f in v[0]} for k, v in runs.items()}
    for k, v in m.items():
        print(f"{args.size} px x {args.frames} | {k:<5}: encode {v['encode_s']:.3f} s, denoise {v['denoise_s']:.3f} s, "
              f"decode {v['decode_s']:.3f} s, total {v['total_s']:.3f} s")
    S, F, D = m["stock"], m["full"], m["draft"]
    print(f"stock/draft {S['total_s'] / D['total_s']:.1f}x end to end (stock/full {S['total_s'] / F['total_s']:.1f}x; "
          f"decode full/tiny {F['decode_s'] / D['decode_s']:.1f}x; loop {S['denoise_s'] / D['denoise_s']:.1f}x) "
          f"at {args.size} px")


def real_decode(px: int, repeats: int) -> None:
    """Decode cost at real size: TAESD's architecture (AutoencoderTiny defaults) vs SD1.5's VAE, random weights.

    Time does not depend on the weights' values, so this is the real models' decode cost on this CPU."""
    import time

    import diffusers
    import torch

    torch.manual_seed(0)
    full = diffusers.AutoencoderKL(  # SD1.5's VAE config
        block_out_channels=[128, 256, 512, 512], in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4, norm_num_groups=32,
        sample_size=512,
    ).eval()
    tiny = diffusers.AutoencoderTiny().eval()  # madebyollin/taesd's config is diffusers' default
    z = torch.randn(1, 4, px // 8, px // 8)
    times = {"full": [], "tiny": []}
    with torch.inference_mode():
        for r in range(repeats + 1):
            for name, vae in (("full", full), ("tiny", tiny)):
                t0 = time.perf_counter()
                vae.decode(z)
                if r:
                    times[name].append(time.perf_counter() - t0)
    f, t = (statistics.median(times[k]) for k in ("full", "tiny"))
    params = {k: sum(p.numel() for p in v.decoder.parameters()) / 1e6 for k, v in (("full", full), ("tiny", tiny))}
    print(f"decoder params: full {params['full']:.1f} M, tiny {params['tiny']:.2f} M")
    print(f"real-size decode of one {px}x{px} frame, CPU: full {f:.2f} s, tiny {t:.3f} s: full/tiny {f / t:.0f}x")


if __name__ == "__main__":
    main()
