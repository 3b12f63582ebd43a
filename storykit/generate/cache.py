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

Frames are stored per backend as the measurements say (bench/RESULTS.md): the
animatic's flat drawings shrink ~18x with zstd level 3, which reads back as fast
as the raw bytes; Lightning's frames are photographic noise that no fast codec
shrinks, so they stay raw. The cache keeps at most `max_bytes` (default 5 GiB,
$STORYKIT_CACHE_MAX, e.g. "2GiB", "500MB", "none"), dropping the least recently
used entries first (a hit refreshes an entry's mtime).

The cache never costs a render: a folder that is read-only, full, or a file is
reported once, in one line, and the render carries on without caching.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import InvalidInput
from ..paths import default_cache_dir, storykit_home
from .clips import Clip

__all__ = ["ClipCache", "CacheInfo", "open_cache", "file_sha256", "parse_size", "DEFAULT_MAX_BYTES", "CODECS"]

FORMAT = 2  # 2: frames raw or zstd-compressed; 1 (always raw) is still read
DEFAULT_MAX_BYTES = 5 * 2**30
# Codec per backend ("zstd" level 3 or "raw"); other backends: "auto" tries one frame.
CODECS = {"animatic": "zstd", "lightning": "raw"}
# The export's encoded video segments (storykit.stitch.segments) live here too, named by their key.
SEGMENT_SUFFIX = ".segment.mp4"
_SEGMENT = re.compile(r"[0-9a-f]{64}" + re.escape(SEGMENT_SUFFIX))
ZSTD_LEVEL = 3  # 512x512x16 animatic clip: 12.6 MB -> 0.7 MB, 0.04 s each way (level 1: 11.6x)


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


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9, "t": 10**12, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(value) -> int | None:
    """Bytes from 5368709120, "5GiB", "500 MB", "1.5g"; None for "none"/"unlimited" (no cap)."""
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"cache size must be a number of bytes or text like '5GiB', got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise InvalidInput(f"cache size must be >= 0, got {value!r}")
        return int(value)
    text = str(value).strip().lower()
    if text in ("none", "unlimited", "off", "inf"):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text)
    if not m or m.group(2) not in _UNITS:
        raise InvalidInput(f"cache size {value!r} is not a size; use e.g. 5GiB, 500MB or none")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def _human(n: int | None) -> str:
    if n is None:
        return "no cap"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _zstd():
    try:
        import zstandard

        return zstandard
    except ImportError:
        return None


def _encode_frames(frames: np.ndarray, codec: str) -> tuple[str, dict]:
    frames = np.ascontiguousarray(frames)
    zstd = _zstd()
    if codec == "auto":  # try one frame: noise stays raw, drawings compress
        sample = memoryview(frames[:1]).cast("B")
        small = zstd and len(sample) and len(zstd.ZstdCompressor(level=1).compress(sample)) < 0.5 * len(sample)
        codec = "zstd" if small else "raw"
    if codec == "zstd" and zstd is not None:
        data = zstd.ZstdCompressor(level=ZSTD_LEVEL).compress(memoryview(frames).cast("B"))
        return "zstd", {"frames_zstd": np.frombuffer(data, np.uint8), "shape": np.array(frames.shape), "dtype": np.array(frames.dtype.str)}
    return "raw", {"frames": frames}


def _decode_frames(data) -> np.ndarray:
    if "frames" in data:
        return data["frames"]
    zstd = _zstd()
    if zstd is None:
        raise ValueError("entry is zstd-compressed and zstandard is not installed (pip install zstandard)")
    shape = tuple(int(x) for x in data["shape"])
    dtype = np.dtype(str(data["dtype"]))
    size = int(np.prod(shape)) * dtype.itemsize
    raw = zstd.ZstdDecompressor().decompress(data["frames_zstd"].tobytes(), max_output_size=size)
    return np.frombuffer(bytearray(raw), dtype).reshape(shape)  # writable, like a raw entry


@dataclasses.dataclass
class CacheInfo:
    """Where the clip cache is and how full: `print(ClipCache().info())`."""

    directory: Path
    entries: int
    bytes: int
    max_bytes: int | None
    segments: int = 0  # the export's encoded video segments, counted in `bytes` too

    def __str__(self) -> str:
        segments = f", {self.segments} video segments" if self.segments else ""
        return f"{self.directory}: {self.entries} clips{segments}, {_human(self.bytes)} (cap {_human(self.max_bytes)})"


class ClipCache:
    """Clips on disk by key: `get(key) -> Clip | None`, `put(key, clip)`, `info()`, `prune()`, `clear()`.

    `max_bytes`: the size cap (an int, or text such as "2GiB"; "none" for no cap);
    None reads $STORYKIT_CACHE_MAX, default 5 GiB.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_bytes: int | str | None = None):
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        if max_bytes is None:
            env = os.environ.get("STORYKIT_CACHE_MAX", "").strip()
            max_bytes = env if env else DEFAULT_MAX_BYTES
        self.max_bytes = parse_size(max_bytes)
        self._warned: set[str] = set()
        self.disabled: str | None = None  # why puts stopped (a read-only or full disk), if they did

    def __repr__(self) -> str:
        return f"ClipCache({str(self.directory)!r}, {len(self)} clips)"

    def _entries(self) -> list[Path]:
        """Clip entries and the export's video segments: both count towards the cap and are pruned alike."""
        try:
            if not self.directory.is_dir():
                return []
            segments = [p for p in self.directory.glob("*" + SEGMENT_SUFFIX) if _SEGMENT.fullmatch(p.name)]
            return list(self.directory.glob("*.npz")) + segments
        except OSError:
            return []

    def __len__(self) -> int:
        return len(self._entries())

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    @staticmethod
    def key(fields: dict) -> str:
        """sha256 of the canonical JSON of `fields` and the storykit version."""
        return hashlib.sha256(_canonical({"storykit": __version__, "fields": fields}).encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def segment_path(self, key: str) -> Path:
        """Where the export keeps an encoded video segment (storykit.stitch.segments) under `key`."""
        return self.directory / f"{key}{SEGMENT_SUFFIX}"

    def get_segment(self, key: str) -> Path | None:
        """The cached segment's path (its use refreshed, for pruning), or None if absent or empty."""
        path = self.segment_path(key)
        try:
            if path.stat().st_size == 0:
                return None
            os.utime(path)
        except OSError:
            return None
        return path

    def put_segment(self, key: str, src: Path) -> Path:
        """Moves the finished segment file `src` (in this folder) into place under `key`, atomically."""
        path = self.segment_path(key)
        os.replace(src, path)
        return path

    def _warn(self, kind: str, message: str) -> None:
        if kind not in self._warned:  # once per cache and kind: a long render must not repeat it per scene
            self._warned.add(kind)
            print(f"storykit: {message}", file=sys.stderr)

    def get(self, key: str) -> Clip | None:
        """The cached clip (metadata["cached"] = True), or None if absent or damaged."""
        path = self.path(key)
        try:
            if not path.is_file():
                return None
        except OSError:
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                fmt = int(data["format"])
                if fmt not in (1, FORMAT):
                    raise ValueError(f"entry format {fmt}, expected {FORMAT}")
                frames = _decode_frames(data)
                meta = str(data["metadata"])
                stored = str(data["checksum"])
            if _checksum(frames, meta) != stored:
                raise ValueError("checksum mismatch")
            info = json.loads(meta)
            clip = Clip(frames, fps=info["fps"], scene_index=info["scene_index"], metadata=info["metadata"])
        except Exception as e:  # truncated zip, bad JSON, wrong shapes, unreadable: all mean "render again"
            print(f"storykit: cache entry {path.name} is damaged ({type(e).__name__}: {e}); rendering it again", file=sys.stderr)
            try:
                path.unlink(missing_ok=True)
            except OSError as err:  # a read-only cache: leave it, the render goes on
                self._warn("unlink", f"could not remove the damaged cache entry ({err.strerror or err}); carrying on")
            return None
        try:
            os.utime(path)  # least-recently-used order for prune()
        except OSError:
            pass
        clip.metadata["cached"] = True
        return clip

    def put(self, key: str, clip: Clip, codec: str | None = None) -> Path | None:
        """Stores `clip` under `key` atomically and returns the entry's path.

        `codec`: "zstd", "raw" or "auto"; None picks by the clip's backend (CODECS).
        A folder that cannot take the entry (read-only, full, a file) is reported once
        and None is returned: the clip itself is never lost.
        """
        if self.disabled is not None:
            return None
        metadata = {k: v for k, v in clip.metadata.items() if k != "cached"}
        meta = _canonical({"fps": clip.fps, "scene_index": clip.scene_index, "metadata": metadata})
        codec = codec or CODECS.get(str(metadata.get("backend")), "auto")
        _, arrays = _encode_frames(clip.frames, codec)
        arrays.update(metadata=np.array(meta), checksum=np.array(_checksum(clip.frames, meta)), format=np.array(FORMAT))
        path = self.path(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, lambda f: np.savez(f, **arrays))
        except OSError as e:
            self.disabled = f"{type(e).__name__}: {e.strerror or e}"
            self._warn("put", f"cannot write to the clip cache {str(self.directory)!r} ({e.strerror or e}); "
                       "carrying on without caching (scenes will render again next time)")
            return None
        if self.max_bytes is not None:
            self.prune(keep=path)
        return path

    def info(self) -> CacheInfo:
        """Location, number of clips, bytes used and the cap."""
        sizes, segments = [], 0
        for p in self._entries():
            try:
                sizes.append(p.stat().st_size)
            except OSError:
                continue
            segments += p.name.endswith(SEGMENT_SUFFIX)
        return CacheInfo(self.directory, len(sizes) - segments, sum(sizes), self.max_bytes, segments)

    def prune(self, max_bytes: int | str | None = None, *, keep: Path | None = None) -> int:
        """Deletes least recently used entries until at most `max_bytes` remain (default: the cap).

        Returns how many were deleted. `keep` (the entry just written) is never deleted.
        """
        limit = self.max_bytes if max_bytes is None else parse_size(max_bytes)
        if limit is None:
            return 0
        stats = []
        for p in self._entries():
            try:
                st = p.stat()
            except OSError:
                continue
            stats.append((st.st_mtime, st.st_size, p))
        total = sum(s for _, s, _ in stats)
        removed = 0
        for _, size, p in sorted(stats, key=lambda t: t[0]):  # oldest use first
            if total <= limit:
                break
            if keep is not None and p == keep:
                continue
            try:
                p.unlink()
            except FileNotFoundError:  # another process pruned it
                pass
            except OSError as e:
                self._warn("prune", f"could not prune the clip cache ({e.strerror or e}); carrying on")
                break
            total -= size
            removed += 1
        return removed

    def clear(self) -> int:
        """Deletes every entry; returns how many there were."""
        entries = self._entries()
        try:
            for p in entries:
                p.unlink(missing_ok=True)
        except OSError as e:
            raise InvalidInput(f"cannot delete clips in {str(self.directory)!r} ({e.strerror or e})") from None
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
