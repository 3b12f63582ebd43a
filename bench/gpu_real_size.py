"""Real-size AnimateDiff-Lightning timings and memory on a CUDA GPU, with random weights.

    PYTHONPATH=. python bench/gpu_real_size.py [--out results.json] [--frames 16] [--size 512]

Builds SD1.5-size components from their real configs (UNet 320/640/1280/1280 with
cross-attention 768, AnimateDiff v2's default `MotionAdapter()`, SD1.5's VAE and
CLIP ViT-L/14's text encoder) with random weights — time and memory do not depend
on the values — saves them laid out like the hub repos, and drives storykit's
LightningBackend over them exactly as in Colab:

1. seconds per scene, 512x512x16 fp16: Lightning 4 steps CFG 1 vs stock AnimateDiff
   25 steps CFG 7.5 (DDIM), denoising loop alone and end to end;
2. peak GPU memory with memory="none" and with the T4 preset (VAE slicing + model
   CPU offload; goal <= 8 GiB so a 16 GB T4 has room).

Needs diffusers (carry the wheel to machines without it) and no network.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = "a small red fox in a blue scarf searches a misty bamboo forest at dawn, cinematic, soft light"
NEGATIVE = "low quality, blurry, deformed, watermark, text"


def build_real_size(root: Path, dtype, device: str = "cuda") -> tuple[Path, Path, dict]:
    """Writes a random SD1.5-size base model and a Lightning-size 4-step checkpoint under `root`."""
    import diffusers
    import torch
    import transformers
    from safetensors.torch import save_file

    from storykit.generate.lightning.compat import quiet_cast_warning as _quiet_cast_warning
    from storykit.plan.tokens import write_clip_vocab

    base, ckpt_dir = root / "sd15-random", root / "lightning-random"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    tok_dir = write_clip_vocab(root / "tokenizer-src")
    (tok_dir / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 77, "tokenizer_class": "CLIPTokenizer"}))
    tokenizer = transformers.CLIPTokenizer.from_pretrained(str(tok_dir))
    with torch.device(device):  # random init on the GPU: seconds instead of minutes
        torch.manual_seed(0)
        unet = diffusers.UNet2DConditionModel(
            sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
            block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768, attention_head_dim=8,
            down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        )
        vae = diffusers.AutoencoderKL(
            in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, sample_size=512,
            block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4, norm_num_groups=32, scaling_factor=0.18215,
        )
        text_encoder = transformers.CLIPTextModel(transformers.CLIPTextConfig(
            vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
            max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768,
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        ))
        adapter = diffusers.MotionAdapter()  # AnimateDiff v2 layout = AnimateDiff-Lightning's
    scheduler = diffusers.PNDMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000,
        set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1,
    )
    with _quiet_cast_warning():  # diffusers warns on every .to(dtype), even with nothing to keep in fp32
        vae, unet = vae.to(dtype), unet.to(dtype)
    pipe = diffusers.StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder.to(dtype), tokenizer=tokenizer, unet=unet,
        scheduler=scheduler, safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(base)
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in adapter.state_dict().items()}
    save_file(state, str(ckpt_dir / "animatediff_lightning_4step_diffusers.safetensors"))
    counts = {
        "unet_params": sum(p.numel() for p in unet.parameters()),
        "motion_adapter_params": sum(p.numel() for p in adapter.parameters()),
        "vae_params": sum(p.numel() for p in vae.parameters()),
        "text_encoder_params": sum(p.numel() for p in text_encoder.parameters()),
    }
    del unet, vae, text_encoder, adapter, pipe, state
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return base, ckpt_dir, counts


def free(backend) -> None:
    import torch

    backend.pipe = None
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=None, help="write the results as JSON here")
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workdir", default=None)
    p.add_argument("--extras", action="store_true", help="also: VAE slicing without offload, and 2/8-step timings")
    p.add_argument("--dry-run", action="store_true", help="check the script on CPU (fp32, use a tiny --size; no memory numbers)")
    args = p.parse_args(argv)

    import diffusers
    import torch

    from storykit.generate.device import make_generator
    from storykit.generate.lightning import LightningBackend
    from storykit.generate.lightning.backend import _Timer

    dev, dtype = ("cpu", torch.float32) if args.dry_run else ("cuda", torch.float16)
    if dev == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_real_size.py needs a CUDA GPU (or --dry-run)")
    cuda = dev == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    gib = 2**30
    props = torch.cuda.get_device_properties(0) if cuda else None
    res = {
        "gpu": props.name if cuda else "cpu (dry run)", "gpu_memory_gib": round(props.total_memory / gib, 1) if cuda else None,
        "torch": torch.__version__, "diffusers": diffusers.__version__, "dtype": str(dtype).removeprefix("torch."),
        "size": args.size, "frames": args.frames,
    }

    def peak(reset=False):
        if not cuda:
            return None
        if reset:
            sync()
            torch.cuda.reset_peak_memory_stats()
            return None
        return round(torch.cuda.max_memory_allocated() / gib, 2)

    print(json.dumps(res))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="storykit-gpu-"))
    t0 = time.perf_counter()
    base, ckpt, counts = build_real_size(work, dtype, dev)
    res.update(counts, build_s=round(time.perf_counter() - t0, 1))
    print(f"built and saved random SD1.5-size weights in {res['build_s']} s: {counts}")
    gen = dict(num_frames=args.frames, height=args.size, width=args.size)

    # 1. memory="none": everything on the GPU.
    kw = dict(base_model=base, checkpoint=ckpt, device=dev, dtype=dtype, progress=False)
    backend = LightningBackend(memory="none", **kw)
    t0 = time.perf_counter()
    backend.load(4)
    res["load_s"] = round(time.perf_counter() - t0, 2)
    backend.generate(PROMPT, seed=0, **gen)  # warm-up: kernels, cuDNN autotuning
    peak(reset=True)
    light = []
    for r in range(args.repeats):
        frames, meta = backend.generate(PROMPT, seed=r + 1, **gen)
        light.append({**meta["timings"], "total_s": meta["timings"]["total_s"] - meta["timings"]["load_s"]})
    res["lightning_frames_shape"] = list(frames.shape)
    res["lightning_peak_gib_none"] = peak()

    pipe = backend.pipe
    euler = pipe.scheduler
    pipe.scheduler = diffusers.DDIMScheduler.from_config(
        euler.config, beta_schedule="linear", steps_offset=1, clip_sample=False, timestep_spacing="linspace"
    )
    stock = []
    peak(reset=True)
    for r in range(max(2, args.repeats - 1)):
        timer = _Timer(sync)
        hook = pipe.unet.register_forward_pre_hook(timer.unet_pre_hook)
        sync()
        timer.start = time.perf_counter()
        pipe(prompt=PROMPT, negative_prompt=NEGATIVE, num_inference_steps=25, guidance_scale=7.5,
             generator=make_generator(r), output_type="np", callback_on_step_end=timer.on_step_end, **gen)
        sync()
        end = time.perf_counter()
        hook.remove()
        stock.append({**timer.split(end), "total_s": end - timer.start})
    res["stock_peak_gib_none"] = peak()
    pipe.scheduler = euler

    def m(runs, key):
        return round(statistics.median(r[key] for r in runs), 3)

    for name, runs in (("lightning", light), ("stock", stock)):
        for key in ("encode_s", "denoise_s", "decode_s", "total_s"):
            res[f"{name}_{key}"] = m(runs, key)
    res["ratio_end_to_end"] = round(res["stock_total_s"] / res["lightning_total_s"], 2)
    res["ratio_denoise"] = round(res["stock_denoise_s"] / res["lightning_denoise_s"], 2)
    print(json.dumps(res))
    del pipe, euler
    free(backend)
    del backend
    gc.collect()

    # 2. memory="t4": VAE slicing + model CPU offload (one model on the GPU at a time).
    if cuda:
        res["allocated_gib_before_t4"] = round(torch.cuda.memory_allocated() / gib, 2)
    t4 = LightningBackend(memory="t4", **kw)
    t4.generate(PROMPT, seed=0, **gen)
    peak(reset=True)
    _, meta = t4.generate(PROMPT, seed=1, **gen)
    res["lightning_peak_gib_t4"] = peak()
    res["t4_timings"] = meta["timings"]
    res["t4_memory_preset"] = meta["memory"]
    free(t4)
    del t4

    if args.extras:
        # 3. VAE slicing alone (no offload): is the offload's cost needed on a 16 GB card?
        sliced = LightningBackend(memory="slicing", **kw)
        sliced.generate(PROMPT, seed=0, **gen)
        peak(reset=True)
        _, meta = sliced.generate(PROMPT, seed=1, **gen)
        res["lightning_peak_gib_slicing_only"] = peak()
        res["slicing_only_timings"] = meta["timings"]
        # 4. Other step counts (the same random adapter stands in for the 2- and 8-step files).
        for n in (2, 8):
            link = ckpt / f"animatediff_lightning_{n}step_diffusers.safetensors"
            if not link.exists():
                os.link(ckpt / "animatediff_lightning_4step_diffusers.safetensors", link)
        for n in (2, 4, 8):
            runs = [sliced.generate(PROMPT, seed=r, num_inference_steps=n, **gen)[1]["timings"] for r in range(3)]
            res[f"lightning_{n}step_total_s"] = round(statistics.median(t["total_s"] - t["load_s"] for t in runs), 3)
        free(sliced)
    print(json.dumps(res, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
