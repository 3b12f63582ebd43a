"""What the Lightning modules share about diffusers itself: its dtype keyword, and a warning it logs for nothing.

Below backend.py, draft.py and reference.py, which all load pipeline parts.
"""

from __future__ import annotations

import contextlib
import logging

__all__ = ["dtype_kwarg", "quiet_cast_warning"]


def dtype_kwarg() -> str:
    """The name `from_pretrained` takes the dtype by in the installed diffusers: 'dtype' or 'torch_dtype'."""
    # diffusers renamed from_pretrained's torch_dtype= to dtype= (PR #14205); older releases only know torch_dtype.
    try:
        from diffusers.utils import deprecation_utils
    except ImportError:
        return "torch_dtype"
    return "dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype"


@contextlib.contextmanager
def quiet_cast_warning():
    """Hides diffusers' "modules that should be kept in float32: []" warning.

    UNetMotionModel.from_unet2d casts with `.to(dtype)`, which always logs it,
    even when no module needs float32 (the list it prints is empty).
    """
    log = logging.getLogger("diffusers.models.modeling_utils")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
