"""Small loading helpers shared by the Lightning modules (the lowest module in `lightning/`).

`backend`, `draft`, `reference` and `weights` all load diffusers models; what they
share lives here, so no module imports a helper back from the one that imports it.
"""

from __future__ import annotations

import contextlib
import logging

__all__ = ["dtype_kwarg", "quiet_cast_warning"]


def dtype_kwarg() -> str:
    """'dtype' or 'torch_dtype': the keyword this diffusers' from_pretrained takes for the weights' dtype."""
    # diffusers renamed from_pretrained's torch_dtype= to dtype= (PR #14205); older releases only know torch_dtype.
    try:
        from diffusers.utils import deprecation_utils
    except ImportError:
        return "torch_dtype"
    return "dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype"


@contextlib.contextmanager
def quiet_cast_warning():
    """Hides diffusers' "modules that should be kept in float32: []" warning.

    UNetMotionModel.from_unet2d and from_pipe cast with `.to(dtype)`, which always
    logs it, even when no module needs float32 (the list it prints is empty).
    """
    log = logging.getLogger("diffusers.models.modeling_utils")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
