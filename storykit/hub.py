"""Is the Hugging Face hub reachable, and is a file already in its cache? Neither question downloads.

`hf_cached` looks a file up in the Hugging Face cache, with no network.

huggingface_hub retries an unreachable hub for 15-36 s before giving up; code about to
download (a language model, weights) asks `hub_reachable()` first and fails in seconds,
in one line. A lower module than every stage, so planning and generation can both use it.
"""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlparse

__all__ = ["hub_reachable", "hf_cached"]

PROBE_TIMEOUT_S = 3.0
_answers: dict = {}  # (host, port) → (when, answer), kept for a minute


def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """(reachable, why not): HF_HUB_OFFLINE, or one TCP connect to the hub's endpoint within `timeout` s."""
    if os.environ.get("HF_HUB_OFFLINE", "0").strip().lower() not in ("0", "", "false", "no", "off"):
        return False, "HF_HUB_OFFLINE is set"
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    key = (url.hostname, url.port or (443 if url.scheme == "https" else 80))
    now = time.monotonic()
    if key in _answers and now - _answers[key][0] < 60:
        return _answers[key][1]
    try:
        socket.create_connection(key, timeout=timeout).close()
        answer = (True, "")
    except OSError as e:
        answer = (False, f"the hub at {url.hostname} cannot be reached ({type(e).__name__})")
    _answers[key] = (now, answer)
    return answer


def hf_cached(repo_id: str, filename: str, revision: str | None = None) -> str | None:
    """Path of `filename` if it is already in the Hugging Face cache (no network); None without huggingface_hub."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(repo_id, filename, revision=revision)
    return found if isinstance(found, str) else None
