"""One place decides where generation runs and at what precision.

>>> from storykit.generate.device import resolve_device, resolve_dtype, make_generator
>>> resolve_device("cpu")
'cpu'
>>> str(resolve_dtype("auto", "cpu"))
'torch.float32'

Order for ``"auto"``: the environment variable (`STORYKIT_DEVICE`,
`STORYKIT_DTYPE`), then ``cuda`` → ``mps`` → ``cpu``. fp16 on CUDA (half the
memory, tensor cores; what the AnimateDiff-Lightning card uses), fp32
elsewhere (CPU half precision is slow or unsupported, and MPS fp16 gives NaNs
in SD1.5's VAE). An explicit argument always wins over the environment.
"""

from __future__ import annotations

import os
import sys

from ..errors import InvalidInput, require

__all__ = ["DTYPES", "gpu_possible", "resolve_device", "resolve_dtype", "dtype_name", "make_generator", "device_summary"]

# Names users may type, mapped to torch attribute names.
DTYPES = {
    "fp32": "float32", "float32": "float32", "float": "float32",
    "fp16": "float16", "float16": "float16", "half": "float16",
    "bf16": "bfloat16", "bfloat16": "bfloat16",
}
_GPU_HINT = "in Colab: Runtime → Change runtime type → T4 GPU"


# What a GPU leaves in the file system on Linux: NVIDIA's driver, WSL2's GPU bridge, AMD ROCm's kernel driver.
GPU_DEVICE_FILES = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg", "/dev/kfd")


def gpu_possible() -> bool:
    """False only where torch cannot find a GPU: Linux with none of the GPU drivers' device files.

    Answers in microseconds, without importing torch (1-2 s): a CPU machine can say "cpu" at once.
    """
    if "torch" in sys.modules or not sys.platform.startswith("linux"):  # already loaded; macOS (MPS), Windows
        return True
    return any(os.path.exists(p) for p in GPU_DEVICE_FILES)


def _torch():
    return require("torch", "gen")


def resolve_device(device: str | None = "auto") -> str:
    """Returns "cuda", "cuda:N", "mps" or "cpu"; raises InvalidInput if the asked-for one is absent."""
    torch = _torch()
    if device is None or device == "auto":
        device = os.environ.get("STORYKIT_DEVICE", "").strip() or "auto"
    if not isinstance(device, str):
        device = str(device)  # a torch.device
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device == "cpu":
        return "cpu"
    if device.split(":")[0] == "cuda":
        if not torch.cuda.is_available():
            raise InvalidInput(f"device {device!r} was asked for but torch sees no CUDA GPU ({_GPU_HINT}), or use device='cpu'")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise InvalidInput(f"device {device!r} does not exist; this machine has {torch.cuda.device_count()} CUDA device(s)")
        return device
    if device == "mps":
        if not (getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()):
            raise InvalidInput("device 'mps' was asked for but this torch has no Apple-GPU support; use device='cpu'")
        return "mps"
    raise InvalidInput(f"unknown device {device!r}; use 'auto', 'cuda', 'cuda:N', 'mps' or 'cpu' (or set STORYKIT_DEVICE)")


def resolve_dtype(dtype=None, device: str = "cpu"):
    """Returns a torch.dtype: fp16 on CUDA and fp32 elsewhere unless asked otherwise."""
    torch = _torch()
    if dtype is None or dtype == "auto":
        dtype = os.environ.get("STORYKIT_DTYPE", "").strip() or "auto"
    if isinstance(dtype, torch.dtype):
        name = str(dtype).removeprefix("torch.")
    elif dtype == "auto":
        name = "float16" if str(device).startswith("cuda") else "float32"
    else:
        name = DTYPES.get(str(dtype).lower())
        if name is None:
            raise InvalidInput(f"unknown dtype {dtype!r}; use 'auto', 'fp32', 'fp16' or 'bf16' (or set STORYKIT_DTYPE)")
    if name not in DTYPES.values():
        raise InvalidInput(f"dtype {name} is not supported for generation; use 'fp32', 'fp16' or 'bf16'")
    return getattr(torch, name)


def dtype_name(dtype) -> str:
    """'float16' for torch.float16 (for metadata and cache keys)."""
    return str(dtype).removeprefix("torch.")


def make_generator(seed: int):
    """A CPU torch.Generator seeded with `seed`.

    diffusers draws the initial noise on the generator's device and then moves
    it, so a CPU generator gives the same starting latents on every machine.
    """
    return _torch().Generator("cpu").manual_seed(int(seed))


def device_summary(device: str) -> dict:
    """What to record about the device: its type and, on CUDA, the GPU's name and memory."""
    torch = _torch()
    info = {"device": device}
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(torch.device(device))
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1))
    return info
