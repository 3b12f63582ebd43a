"""A content-addressed disk cache of rendered clips, so only edited scenes re-render.

A clip's key is the sha256 of everything that changes its pixels — the
backend's `cache_fields` (prompt, seed, steps, size, frames, guidance, model
ids, checkpoint sha256, ...) plus the storykit version — written as canonical
JSON. Change a scene's prompt and only that scene's key changes; change its
transition and nothing does.

>>> from storykit.generate.cache import ClipCache
>>> cache = ClipCache("/tmp/storykit-doctest-clips")
>>> key = cache.key({"prompt": "a fox", "seed": 0})
>>> len(key)
64

Each entry is one ``<key>.npz`` (frames, metadata JSON, and a sha256 of both),
written to a temporary file and moved into place, so a crash or Ctrl-C never
leaves half an entry under the real name. An entry that fails its checksum
anyway (disk trouble, a copied-in partial file) is reported in one line and
rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from .._version import __version__
from ..paths import default_cache_dir, storykit_home
from .clips import Clip

__all__ = ["ClipCache", "open_cache", "file_sha256"]

FORMAT = 1  # bump when the entry layout changes


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def _jsonable(obj):
    # numpy scalars and paths show up in metadata; anything else is stored as text.
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return str(obj)


def _checksum(frames: np.ndarray, meta: str) -> str:
    h = hashlib.sha256()
    h.update(f"{frames.shape}|{frames.dtype}|".encode())
    h.update(memoryview(np.ascontiguousarray(frames)).cast("B"))
    h.update(meta.encode())
    return h.hexdigest()


def _atomic_write(path: Path, write) -> None:
    """Calls `write(file)` on a temporary file next to `path`, then renames it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
        Path(tmp).unlink(missing_ok=True)
        raise


class ClipCache:
    """Clips on disk by key: `get(key) -> Clip | None`, `put(key, clip)`."""

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"ClipCache({str(self.directory)!r}, {len(self)} clips)"

    def __len__(self) -> int:
        return len(list(self.directory.glob("*.npz"))) if self.directory.is_dir() else 0

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    @staticmethod
    def key(fields: dict) -> str:
        """sha256 of the canonical JSON of `fields` and the storykit version."""
        return hashlib.sha256(_canonical({"storykit": __version__, "fields": fields}).encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def get(self, key: str) -> Clip | None:
        """The cached clip (metadata["cached"] = True), or None if absent or damaged."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                frames = data["frames"]
                meta = str(data["metadata"])
                stored = str(data["checksum"])
                fmt = int(data["format"])
            if fmt != FORMAT:
                raise ValueError(f"entry format {fmt}, expected {FORMAT}")
            if _checksum(frames, meta) != stored:
                raise ValueError("checksum mismatch")
            info = json.loads(meta)
            clip = Clip(frames, fps=info["fps"], scene_index=info["scene_index"], metadata=info["metadata"])
        except Exception as e:  # truncated zip, bad JSON, wrong shapes: all mean "render again"
            print(f"storykit: cache entry {path.name} is damaged ({type(e).__name__}: {e}); rendering it again", file=sys.stderr)
            path.unlink(missing_ok=True)
            return None
        clip.metadata["cached"] = True
        return clip

    def put(self, key: str, clip: Clip) -> Path:
        """Stores `clip` under `key` atomically and returns the entry's path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        metadata = {k: v for k, v in clip.metadata.items() if k != "cached"}
        meta = _canonical({"fps": clip.fps, "scene_index": clip.scene_index, "metadata": metadata})
        arrays = {
            "frames": clip.frames,
            "metadata": np.array(meta),
            "checksum": np.array(_checksum(clip.frames, meta)),
            "format": np.array(FORMAT),
        }
        path = self.path(key)
        _atomic_write(path, lambda f: np.savez(f, **arrays))  # uncompressed: diffusion noise barely compresses
        return path

    def clear(self) -> int:
        """Deletes every entry; returns how many there were."""
        entries = list(self.directory.glob("*.npz")) if self.directory.is_dir() else []
        for p in entries:
            p.unlink(missing_ok=True)
        return len(entries)


def open_cache(cache_dir) -> ClipCache | None:
    """None for `cache_dir=False`; the default cache for None; else a ClipCache there."""
    if cache_dir is False:
        return None
    if isinstance(cache_dir, ClipCache):
        return cache_dir
    return ClipCache(cache_dir)


# -- file hashes ----------------------------------------------------------------
_HASHES: dict[str, str] = {}


def _hash_store() -> Path:
    return storykit_home() / "file_hashes.json"


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file, remembered by (path, size, mtime) in memory and on disk.

    A Lightning checkpoint is ~908 MB: hashing it once per machine, not once
    per run, keeps a warm start instant.
    """
    p = Path(path).resolve()
    st = p.stat()
    ident = f"{p}|{st.st_size}|{st.st_mtime_ns}"
    if ident in _HASHES:
        return _HASHES[ident]
    store = _hash_store()
    try:
        known = json.loads(store.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    digest = known.get(ident)
    if not (isinstance(digest, str) and len(digest) == 64):
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
        digest = h.hexdigest()
        known[ident] = digest
        try:  # a read-only home only costs a re-hash next run
            store.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(store, lambda f: f.write(json.dumps(known, indent=0).encode()))
        except OSError:
            pass
    _HASHES[ident] = digest
    return digest
