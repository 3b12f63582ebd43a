"""`storykit info`: what this machine offers storykit, in a few lines.

Fast on purpose (well under a second): versions come from package metadata and the
GPU from the driver's files, so nothing imports torch unless `device=True`
(`storykit info --device`), which names the device and dtype storykit would use.
"""

from __future__ import annotations

import glob
import importlib.metadata
import sys

__all__ = ["environment_report"]


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _gpus_seen() -> str:
    """GPUs named by the NVIDIA driver (Linux), or Apple silicon, without importing torch."""
    names = []
    for info in sorted(glob.glob("/proc/driver/nvidia/gpus/*/information")):
        try:
            with open(info, encoding="utf-8", errors="replace") as f:
                names += [line.split(":", 1)[1].strip() for line in f if line.startswith("Model:")]
        except OSError:
            pass
    if names:
        return "NVIDIA " + ", ".join(names) if not names[0].startswith("NVIDIA") else ", ".join(names)
    if sys.platform == "darwin" and __import__("platform").machine() == "arm64":
        return "Apple silicon (mps)"
    return "no GPU seen"


def environment_report(device: bool = False) -> str:
    """Package versions, the compute device, ffmpeg, Lightning weights and the clip cache.

    `device=True` imports torch to name the device and dtype storykit would use (~2 s).
    """
    from .._version import __version__

    lines = [f"storykit {__version__}"]
    for pkg in ("torch", "diffusers", "transformers", "accelerate", "peft", "tokenizers", "mediapy", "imageio-ffmpeg", "ipywidgets",
                "matplotlib", "ray"):
        lines.append(f"  {pkg:<14} {_version(pkg)}")
    if device:
        try:
            from ..generate.device import resolve_device, resolve_dtype

            dev = resolve_device("auto")
            lines.append(f"device: {dev} ({resolve_dtype('auto', dev)})")
        except Exception as e:  # torch missing: planning, the animatic and stitching still work
            lines.append(f"device: unavailable ({e})")
    else:
        lines.append(f"GPU: {_gpus_seen()} (`storykit info --device` asks torch)")
    try:
        from ..stitch.ffmpeg import _find_ffmpeg, INSTALL_HINT  # finding it is enough; no mediapy import

        lines.append(f"ffmpeg: {_find_ffmpeg() or 'not found; ' + INSTALL_HINT}")
    except Exception as e:
        lines.append(f"ffmpeg: {e}")
    found = False
    try:
        from ..generate.lightning.weights import local_weights_status

        found, why = local_weights_status()
        lines.append(f"AnimateDiff-Lightning weights: {'found' if found else 'not found'} ({why})")
    except Exception as e:
        lines.append(f"AnimateDiff-Lightning: {e}")
    lines.append(f"backend 'auto' would use: {'lightning' if found else 'animatic'}")
    try:
        from ..generate.cache import ClipCache

        lines.append(f"clip cache: {ClipCache().info()}")
    except Exception as e:  # a bad STORYKIT_CACHE_MAX, an unreadable folder
        lines.append(f"clip cache: {e}")
    return "\n".join(lines)
