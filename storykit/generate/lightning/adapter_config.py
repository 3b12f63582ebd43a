"""Checks a `motion_adapter_config` against what diffusers' `MotionAdapter.__init__` accepts.

A manifest carries the adapter layout it was rendered with, and a manifest is a
file anyone can edit: `{"evil": 1}` or `{"block_out_channels": "abc"}` must be one
line, not a TypeError deep inside diffusers. The allowed names and types are
read from `inspect.signature(MotionAdapter.__init__)` and its annotations, so a
diffusers release that adds an argument is accepted without a change here.

>>> check_motion_adapter_config({"block_out_channels": [8, 8]})   # doctest: +SKIP
{'block_out_channels': (8, 8)}
"""

from __future__ import annotations

import functools
import inspect
import json
import types
import typing
from typing import Any

from ...errors import InvalidInput, require

__all__ = ["check_motion_adapter_config", "motion_adapter_layout"]

# Sizes far above any real motion module (SD1.5's widest block is 1280 channels, AnimateDiff
# uses 32 positions): a tampered manifest must not allocate terabytes either.
_MAX_INT = 8192
_MAX_LEN = 16


def check_motion_adapter_config(config: Any) -> dict:
    """Returns `config` with JSON lists turned into tuples, or raises InvalidInput naming the bad key."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise InvalidInput(f"motion_adapter_config must be a dict of MotionAdapter arguments, got {type(config).__name__}")
    diffusers = require("diffusers", "gen")
    params, hints = _arguments(diffusers.MotionAdapter.__init__)
    out = {}
    for key, value in config.items():
        if key not in params:
            raise InvalidInput(
                f"motion_adapter_config has unknown key {key!r}; MotionAdapter accepts: {', '.join(params)}"
            )
        kind = hints.get(key)
        if kind is None:
            default = params[key].default
            kind = type(default) if default not in (inspect.Parameter.empty, None) else Any
        converted = _conform(value, kind)
        if converted is _BAD:
            raise InvalidInput(
                f"motion_adapter_config[{key!r}] = {str(value)[:60]!r} is not allowed: MotionAdapter takes "
                f"{_name(kind)} (integers from 1 to {_MAX_INT}, lists of at most {_MAX_LEN})"
            )
        out[key] = converted
    return out


@functools.cache
def _arguments(init) -> tuple[dict, dict]:
    """MotionAdapter.__init__'s keyword arguments and their annotations (read once: resolving them takes ms)."""
    params = {n: p for n, p in inspect.signature(init).parameters.items()
              if n != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    try:
        hints = typing.get_type_hints(init)
    except Exception:  # unresolvable annotations: fall back to the defaults' types
        hints = {}
    return params, hints


def motion_adapter_layout(config: dict) -> tuple[dict, dict]:
    """(weight name -> shape, motion-module Linear name -> (in, out)) of ``MotionAdapter(**config)``.

    Built on the meta device (names and shapes, no 1.8 GB fp32 allocation) once per config: every
    checkpoint load, motion LoRA check and step swap compares against the same layout.
    Raises what MotionAdapter raises for values that fit the types but not each other.
    """
    shapes, linears = _layout(json.dumps(config, sort_keys=True))
    return dict(shapes), dict(linears)


@functools.lru_cache(maxsize=8)
def _layout(config_json: str) -> tuple[tuple, tuple]:
    diffusers = require("diffusers", "gen")
    from accelerate import init_empty_weights

    with init_empty_weights():
        adapter = diffusers.MotionAdapter(**json.loads(config_json))
    shapes = tuple((k, tuple(v.shape)) for k, v in adapter.state_dict().items())
    linears = tuple((n, (m.in_features, m.out_features)) for n, m in adapter.named_modules()
                    if ".motion_modules." in n and ".attn" in n and type(m).__name__ == "Linear")
    return shapes, linears


_BAD = object()


def _conform(value: Any, kind: Any) -> Any:
    """`value` shaped as the annotation `kind` (lists → tuples), or _BAD."""
    if kind is Any:
        return value if isinstance(value, (bool, int, float, str, type(None))) else _BAD
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(kind):
            got = _conform(value, option)
            if got is not _BAD:
                return got
        return _BAD
    if kind is type(None):
        return None if value is None else _BAD
    if kind is bool:
        return value if isinstance(value, bool) else _BAD
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_INT
        return value if ok else _BAD
    if kind is float:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _BAD
    if kind is str:
        return value if isinstance(value, str) else _BAD
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)) or not 0 < len(value) <= _MAX_LEN:
            return _BAD
        args = [a for a in typing.get_args(kind) if a is not Ellipsis] or [Any]
        items = [_conform(v, args[0] if len(args) == 1 else args[min(i, len(args) - 1)]) for i, v in enumerate(value)]
        return _BAD if any(i is _BAD for i in items) else tuple(items)
    return _BAD  # an annotation this check does not know: refuse rather than guess


def _name(kind: Any) -> str:
    if typing.get_origin(kind) is None and hasattr(kind, "__name__"):
        return kind.__name__
    return str(kind).replace("typing.", "")
