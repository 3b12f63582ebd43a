"""Every real-path combination in one command, on a CUDA GPU, with SD1.5-size random weights.

    PYTHONPATH=. python bench/gpu_smoke.py [--out rows.json]     # aim: under 5 minutes on one H100
    PYTHONPATH=. python bench/gpu_smoke.py --dry-run             # the same rows on tiny models, on CPU

Builds real-size components from their real configs with random weights (time and
memory do not depend on the values; bench/gpu_real_size.py), in the real file layouts:
the base as diffusers folders AND as one original-layout single-file .safetensors
(the two base architectures storykit ships, weights.BASE_SOURCES), the Lightning
checkpoint (default `MotionAdapter()`), two rank-64 motion LoRAs converted from
AnimateDiff's original key names, IP-Adapter (h94 layout, ViT-H/14 image encoder)
and TAESD. Then it drives LightningBackend through every combination in fp16:
16/24/32/64 frames, a LoRA switch, IP-Adapter, handoff, draft decode, the T4 preset.

One row per combination: seconds, peak GPU memory, and OK or the one-line error;
a failing row never stops the rest. Record the rows in bench/RESULTS.md. Needs
diffusers (carry the wheel to a machine without it) and no network.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = "a small red fox in a blue scarf searches a misty bamboo forest at dawn, cinematic, soft light"
VIT_H = dict(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16,
             image_size=224, patch_size=14, projection_dim=1024, hidden_act="gelu")


def _single_file_base(folders: Path, out: Path) -> Path:
    """The diffusers base rewritten as configs + one root original-layout .safetensors (ToonYou's layout)."""
    import diffusers
    import transformers
    from safetensors.torch import save_file

    from storykit.testing import original_sd_state

    shutil.copytree(folders, out, ignore=shutil.ignore_patterns("*.safetensors"))
    unet = diffusers.UNet2DConditionModel.from_pretrained(folders / "unet")
    vae = diffusers.AutoencoderKL.from_pretrained(folders / "vae")
    text = transformers.CLIPTextModel.from_pretrained(folders / "text_encoder")
    save_file({k: v.contiguous() for k, v in original_sd_state(unet, vae, text).items()}, str(out / "model.safetensors"))
    return out


def _loras(root: Path, adapter_config: dict, rank: int) -> dict:
    from safetensors.torch import save_file

    from storykit.testing import convert_motion_lora, original_motion_lora_state

    out = {}
    for i, camera in enumerate(("zoom_in", "pan_left")):
        folder = root / f"lora-{camera}"
        folder.mkdir(parents=True)
        state = convert_motion_lora(original_motion_lora_state(seed=i, rank=rank, adapter_config=adapter_config, std=0.02))
        save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "diffusion_pytorch_model.safetensors"))
        out[camera] = str(folder)
    return out


def build(root: Path, *, real: bool) -> dict:
    """Every file the rows load, under `root`."""
    import diffusers
    import torch

    from storykit.testing import build_tiny_ip_adapter, build_tiny_lightning, build_tiny_taesd

    if real:
        from gpu_real_size import build_real_size

        folders, ckpt_dir, _ = build_real_size(root, torch.float16)
        adapter_config, rank = {"block_out_channels": (320, 640, 1280, 1280), "motion_layers_per_block": 2}, 64
        unet = diffusers.UNet2DConditionModel.from_pretrained(folders / "unet")
        with torch.device("cuda"):  # a 632 M-parameter image encoder: random init on the GPU
            ip_adapter = build_tiny_ip_adapter(root / "ip-adapter", unet, encoder_config=VIT_H)
        del unet
        taesd = root / "taesd"
        diffusers.AutoencoderTiny().save_pretrained(taesd, safe_serialization=True)  # TAESD's own config
        motion_config = None
    else:
        tiny = build_tiny_lightning(root)
        folders, ckpt_dir, ip_adapter = tiny.base_model, tiny.checkpoint_dir, tiny.ip_adapter
        adapter_config, rank, motion_config = tiny.motion_adapter_config, 2, tiny.motion_adapter_config
        taesd = build_tiny_taesd(root / "taesd")
    return {
        "folders": folders, "single-file": _single_file_base(Path(folders), root / "single-file"),
        "checkpoint": ckpt_dir, "motion_adapter_config": motion_config, "loras": _loras(root, adapter_config, rank),
        "ip_adapter": ip_adapter, "taesd": taesd,
    }


class Rows:
    """Runs each combination, catches its error, prints one row."""

    def __init__(self, cuda: bool):
        self.cuda, self.rows = cuda, []
        print(f"{'combination':<44} {'seconds':>8} {'peak GiB':>9}  result", flush=True)

    def run(self, name: str, fn) -> object:
        import torch

        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        start, result, status = time.perf_counter(), None, "OK"
        try:
            result = fn()
            if self.cuda:
                torch.cuda.synchronize()
        except Exception as e:  # a failing row never stops the rest
            status = f"{type(e).__name__}: {(str(e).strip().splitlines() or [''])[0][:160]}"
        seconds = time.perf_counter() - start
        peak = torch.cuda.max_memory_allocated() / 2**30 if self.cuda else float("nan")
        self.rows.append({"combination": name, "seconds": round(seconds, 2), "peak_gib": round(peak, 2), "result": status})
        print(f"{name:<44} {seconds:8.2f} {peak:9.2f}  {status}", flush=True)
        return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=None, help="also write the rows as JSON here")
    p.add_argument("--dry-run", action="store_true", help="tiny models on CPU: checks the script, no real numbers")
    p.add_argument("--workdir", default=None)
    args = p.parse_args(argv)
    cuda = not args.dry_run
    from storykit.generate.device import gpu_possible

    if cuda and not gpu_possible():  # no GPU driver here: said at once, not after importing torch
        print("gpu_smoke.py needs a CUDA GPU and found none (run it on a GPU machine, or use --dry-run on CPU)",
              file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("gpu_smoke.py needs torch and a CUDA GPU (pip install 'storykit[gen]')", file=sys.stderr)
        return 2
    if cuda and not torch.cuda.is_available():
        print("gpu_smoke.py needs a CUDA GPU and found none (run it on a GPU machine, or use --dry-run on CPU)",
              file=sys.stderr)
        return 2
    import numpy as np

    from storykit.generate.lightning import LightningBackend

    size = 512 if cuda else 64
    dtype = "fp16" if cuda else "fp32"
    root = Path(args.workdir or tempfile.mkdtemp(prefix="storykit-gpu-smoke-"))
    t0 = time.perf_counter()
    files = build(root, real=cuda)
    print(f"built {'SD1.5-size' if cuda else 'tiny'} random components in {time.perf_counter() - t0:.0f} s under {root}")
    rows = Rows(cuda)
    reference = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    from PIL import Image

    reference = Image.fromarray(reference)

    def backend(base, **kw):
        return LightningBackend(
            base_model=str(files[base]), checkpoint=files["checkpoint"], motion_adapter_config=files["motion_adapter_config"],
            motion_loras=files["loras"], ip_adapter=files["ip_adapter"], device="cuda" if cuda else "cpu", dtype=dtype,
            progress=False, verbose=False, **kw,
        )

    def gen(b, frames, **kw):
        return b.generate(PROMPT, num_frames=frames, height=size, width=size, num_inference_steps=4, seed=1, **kw)[0]

    def free(b):
        b.pipe = b.loras = None
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()

    for base in ("folders", "single-file"):
        b = backend(base, memory="none")
        rows.run(f"{base}: load", lambda: b.load(4))
        last = None
        for frames in (16, 24, 32, 64):
            last = rows.run(f"{base}: {frames} frames", lambda: gen(b, frames))
        rows.run(f"{base}: LoRA zoom_in then pan_left, 16 f", lambda: (gen(b, 16, camera="zoom_in"), gen(b, 16, camera="pan_left")))
        rows.run(f"{base}: IP-Adapter, 24 f", lambda: gen(b, 24, ip_adapter_image=reference))
        still = last[-1] if last is not None else np.zeros((size, size, 3), np.uint8)
        rows.run(f"{base}: handoff, 24 f", lambda: gen(b, 24, handoff_image=still))
        rows.run(f"{base}: LoRA + IP-Adapter + handoff, 32 f",
                 lambda: gen(b, 32, camera="zoom_in", ip_adapter_image=reference, handoff_image=still))
        free(b)
    b = backend("folders", memory="none", vae_decoder="tiny", tiny_vae=files["taesd"])
    rows.run("draft (TAESD): 16 frames", lambda: gen(b, 16))
    rows.run("draft: 64 frames", lambda: gen(b, 64))
    rows.run("draft + LoRA + IP-Adapter + handoff, 24 f",
             lambda: gen(b, 24, camera="pan_left", ip_adapter_image=reference, handoff_image=np.zeros((size, size, 3), np.uint8)))
    free(b)
    b = backend("folders", memory="t4")
    rows.run("t4 preset (slicing + offload): 16 frames", lambda: gen(b, 16))
    free(b)
    failed = [r for r in rows.rows if r["result"] != "OK"]
    print(f"{len(rows.rows) - len(failed)}/{len(rows.rows)} OK in {time.perf_counter() - t0:.0f} s"
          f" ({torch.cuda.get_device_name() if cuda else 'CPU dry run, tiny models'})")
    if args.out:
        Path(args.out).write_text(json.dumps(rows.rows, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
