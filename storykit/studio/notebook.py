"""What a notebook runs on, decided once and said aloud.

Every notebook's first code cell calls `runtime = storykit.notebook.setup()`:
it finds Colab, the GPU and any AnimateDiff-Lightning weights, picks the
backend and the size to use, and prints one short paragraph saying so. In Colab
without a GPU it says how to get one (Runtime → Change runtime type → T4 GPU).

Every file a notebook writes goes under `runtime.out` (`storykit-out/` beside the
notebook, which git ignores) and its clip cache under `runtime.cache`, so running
the notebooks leaves the repository as it was. STORYKIT_NOTEBOOK_OUT names
another folder (the tests use a temporary one, so a suite run adds nothing there).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path

__all__ = ["Runtime", "setup", "in_colab"]

GPU_HINT = "Runtime → Change runtime type → T4 GPU"


def in_colab() -> bool:
    return "google.colab" in sys.modules


@dataclasses.dataclass
class Runtime:
    """The choices a notebook works with."""

    colab: bool
    device: str  # "cuda", "mps", "cpu", or "none" when torch is not installed
    backend: str  # "lightning" or "animatic"
    reason: str
    memory: str  # Lightning memory preset; "auto" picks the T4-safe one on a 16 GB GPU
    size: int  # frame height and width to render at
    out: Path = Path("storykit-out")  # where a notebook writes: one folder, ignored by git

    @property
    def cache(self) -> Path:
        """The notebooks' clip cache, inside `out`."""
        return self.out / "cache"

    def __str__(self) -> str:
        return f"backend={self.backend} on {self.device}, {self.size}x{self.size}: {self.reason}"


def setup(*, verbose: bool = True) -> Runtime:
    """Detects Colab / GPU / local weights and picks the backend; prints what it chose and why."""
    colab = in_colab()
    device = "none"
    if importlib.util.find_spec("torch") is not None:
        from ..generate.device import gpu_possible, resolve_device

        if gpu_possible() or os.environ.get("STORYKIT_DEVICE", "").strip():
            device = resolve_device("auto")
        else:  # no GPU driver: torch could only say "cpu", after a second of importing it
            device = "cpu"
    from ..generate.lightning.weights import local_weights_status

    found, why = local_weights_status()
    if found:
        backend, reason = "lightning", why
    elif colab and device == "cuda":
        # Colab has the network: Lightning downloads its weights once (~4 GB with the base model).
        backend, reason = "lightning", "Colab GPU: AnimateDiff-Lightning weights will be downloaded once"
    else:
        backend, reason = "animatic", f"no AnimateDiff-Lightning weights here ({why}); the offline animatic draws the scenes"
    size = 256 if backend == "lightning" and device == "cpu" else 512
    # STORYKIT_NOTEBOOK_SIZE: a smaller frame size for headless runs (tests/test_notebooks.py uses 128).
    env_size = os.environ.get("STORYKIT_NOTEBOOK_SIZE", "").strip()
    if env_size.isdigit() and int(env_size) >= 64 and int(env_size) % 8 == 0:
        size = int(env_size)
    # "auto": VAE slicing on a 16 GB T4 (5.6 GiB peak at 512²×16, measured), offload below 12 GiB.
    out = Path(os.environ.get("STORYKIT_NOTEBOOK_OUT", "").strip() or "storykit-out")
    rt = Runtime(colab, device, backend, reason, "auto", size, out)
    rt.out.mkdir(parents=True, exist_ok=True)
    if verbose:
        print(f"storykit: {rt}")
        if device != "cuda":
            where = f"In Colab: {GPU_HINT}." if colab else "A CUDA GPU (e.g. Colab's T4) renders real clips in seconds."
            print(f"storykit: no GPU found. {where} Everything in this notebook still runs on the CPU.")
    return rt
