"""Stage 5 — the studio: the whole flow in one widget app, and notebook helpers (notebook 05).

>>> from storykit.studio import Studio      # doctest: +SKIP
>>> Studio()                                # doctest: +SKIP

`widgets` is the Studio (Plan / Render all / Render this scene / Export, built on
plain methods that notebooks and tests call directly); `notebook` checks the
runtime a notebook runs in (GPU, weights) and says what to change; `info` is the
environment report behind `storykit info`. ipywidgets loads only with the Studio.
"""

from __future__ import annotations

import importlib

_LAZY = {"Studio": "widgets", "setup": "notebook", "environment_report": "info"}
__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'storykit.studio' has no attribute {name!r}")
