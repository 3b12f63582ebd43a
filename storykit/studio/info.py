"""`storykit info`: what this machine offers storykit, in a few lines."""

from __future__ import annotations

import importlib.metadata

__all__ = ["environment_report"]


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment_report() -> str:
    """Package versions, the compute device, ffmpeg and whether Lightning weights are local."""
    from .._version import __version__

    lines = [f"storykit {__version__}"]
    for pkg in ("torch", "diffusers", "transformers", "accelerate", "peft", "mediapy", "imageio-ffmpeg", "ipywidgets", "matplotlib"):
        lines.append(f"  {pkg:<14} {_version(pkg)}")
    try:
        from ..generate.device import resolve_device, resolve_dtype

        device = resolve_device("auto")
        lines.append(f"device: {device} ({resolve_dtype('auto', device)})")
    except Exception as e:  # torch missing: planning, the animatic and stitching still work
        lines.append(f"device: unavailable ({e})")
    try:
        from ..stitch.ffmpeg import ensure_ffmpeg

        lines.append(f"ffmpeg: {ensure_ffmpeg()}")
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
    return "\n".join(lines)
