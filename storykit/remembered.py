"""Small tables storykit builds once and keeps in $STORYKIT_HOME, read back in milliseconds.

>>> key = files_key(font_file, code=__file__)     # doctest: +SKIP
>>> ranges = recall("font_cmaps/NotoSans", key)   # None: not there, another key, or unreadable
>>> remember("font_cmaps/NotoSans", key, ranges)  # doctest: +SKIP

A table is kept as JSON under a key made of the files it is built from (each one's path,
size and modification time) and the source of the module that builds it: a new package,
font or storykit builds it again. A home that cannot be written only costs building the
table again next time; a damaged file reads as None. What a table holds is the caller's
to check: a hand-edited file can hold anything JSON can.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["files_key", "recall", "remember"]

FORMAT = 1


@functools.lru_cache(maxsize=None)
def _source_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:  # storykit run from a zip: its version stands in for its source
        from ._version import __version__

        return f"{path}@{__version__}"


def files_key(*paths: str | os.PathLike | None, code: str, extra: str = "") -> str:
    """A key for what the module at `code` builds from `paths` (None: a file that is not there) and `extra`."""
    h = hashlib.sha256(f"{FORMAT}:{_source_digest(code)}:{extra}".encode())
    for path in paths:
        try:
            st = os.stat(path) if path is not None else None
        except OSError:
            st = None
        h.update((f"|{path}:{st.st_size}:{st.st_mtime_ns}" if st else f"|{path}:-").encode())
    return h.hexdigest()[:32]


def _path(name: str) -> Path:
    from .paths import storykit_home

    return storykit_home() / f"{name}.json"


def recall(name: str, key: str) -> Any | None:
    """The value remembered as `name` under `key`; None if there is none, it has another key, or is unreadable."""
    try:  # RuntimeError: no home folder at all; RecursionError: "[[[[..." nested past Python's stack
        saved = json.loads(_path(name).read_text("utf-8"))
    except (OSError, ValueError, RuntimeError, RecursionError):
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    return saved.get("value")


def remember(name: str, key: str, value: Any) -> None:
    """Keeps `value` (JSON) as `name` under `key`, atomically; quietly does nothing where the home cannot be written."""
    try:
        path = _path(name)
    except RuntimeError:  # no home folder to keep it in
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":")), "utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
