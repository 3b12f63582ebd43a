"""Where storykit keeps its files: $STORYKIT_HOME (default ~/.cache/storykit) and the clip cache."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["storykit_home", "default_cache_dir"]


def storykit_home() -> Path:
    """Where storykit keeps its caches: $STORYKIT_HOME or ~/.cache/storykit."""
    return Path(os.environ.get("STORYKIT_HOME") or Path.home() / ".cache" / "storykit").expanduser()


def default_cache_dir() -> Path:
    """$STORYKIT_CACHE, or ~/.cache/storykit/clips."""
    env = os.environ.get("STORYKIT_CACHE")
    return Path(env).expanduser() if env else storykit_home() / "clips"
