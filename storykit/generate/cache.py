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

Each entry is one ``<key>.npz`` (frames, metadata JSON, and a sha256 of both: of the
frames as stored, compressed ones included, so it is checked before anything is decompressed),
written to a temporary file and moved into place, so a crash or Ctrl-C never
leaves half an entry under the real name. An entry that fails its checksum
anyway (disk trouble, a copied-in partial file) is reported in one line and
rendered again.

Frames are stored per backend as the measurements say (bench/RESULTS.md): the
animatic's flat drawings shrink ~11x with zstd level 2, and are decompressed straight
into their array; Lightning's frames are photographic noise that no fast codec
shrinks, so they stay raw. The render keeps no frames of the animatic at all (codec
"redraw": shape and metadata only): writing them cost a tenth of a first run's CPU, the
export's segments hold its pixels already, and it draws a scene again in ~0.1 s when
they are wanted (`LazyClip`). The cache keeps at most `max_bytes` (default 5 GiB,
$STORYKIT_CACHE_MAX, e.g. "2GiB", "500MB", "none"), dropping the least recently
used entries first (a hit refreshes an entry's mtime).

The cache never costs a render: a folder that is read-only, full, or a file is
reported once, in one line, and the render carries on without caching.

The cache never deletes what it did not write. `prune` and `clear` delete only
entries it can prove are its own (a ``<sha256>.npz`` name and an entry's arrays
inside), and only from a folder that holds nothing else: a folder with the user's
files in it (``results.npz``, StoryBench's ``fn0.npz``) is refused in one line,
and a cache at a home folder or a project's root is refused outright.
"""

from __future__ import annotations

import dataclasses
import decimal
import hashlib
import json
import math
import os
import re
import secrets
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import InvalidInput
from ..paths import default_cache_dir, sha256_of_file, storykit_home
from .clips import Clip, LazyClip

__all__ = ["ClipCache", "CacheInfo", "open_cache", "file_sha256", "parse_size", "check_cache_location",
           "DEFAULT_MAX_BYTES", "CODECS"]

FORMAT = 3  # 3: a zstd entry's checksum covers its compressed bytes; 2 (frames raw or zstd) and 1 (raw) are still read
DEFAULT_MAX_BYTES = 5 * 2**30
# Codec per backend ("zstd" at ZSTD_LEVEL, or "raw"); other backends: "auto" tries one frame.
CODECS = {"animatic": "zstd", "lightning": "raw"}
# The export's encoded video segments (storykit.stitch.segments) live here too, named by their key.
SEGMENT_SUFFIX = ".segment.mp4"
_SEGMENT = re.compile(r"[0-9a-f]{64}" + re.escape(SEGMENT_SUFFIX))
_SEGMENT_TEMP = re.compile(r"[0-9a-f]{64}\.segment\.[0-9a-f]+\.\d+\.tmp")  # being encoded (segment_temp_names)
ZSTD_LEVEL = 2  # 5 animatic clips, 512x512, 381 frames: 11.4x smaller in 0.37 s CPU (level 3: 11.7x in 0.72 s)


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def _jsonable(obj):
    # numpy scalars and paths show up in metadata; anything else is stored as text.
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return str(obj)


def _checksum(frames: np.ndarray, meta: str, stored: np.ndarray | None = None) -> str:
    """sha256 of the frames' shape and type, the bytes stored for them, and the metadata.

    `stored`: the compressed frames of a zstd entry. Intact compressed bytes decompress to the
    same frames, so hashing them (~11x fewer bytes) proves as much, before any decompressing.
    """
    h = hashlib.sha256()
    h.update(f"{tuple(int(x) for x in frames.shape)}|{np.dtype(frames.dtype)}|".encode())
    h.update(memoryview(np.ascontiguousarray(frames if stored is None else stored)).cast("B"))
    h.update(meta.encode())
    return h.hexdigest()


_NO_FRAMES = np.empty(0, np.uint8)  # what a "redraw" entry's checksum covers of its frames


class _Shape:
    """What `_checksum` reads of frames not yet decompressed: their shape and dtype."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(int(x) for x in shape), np.dtype(str(dtype))


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


# What the cache itself writes: "<sha256 hex>.npz" entries and _atomic_write's temporaries of them.
_ENTRY = re.compile(r"^[0-9a-f]{64}\.npz$")
_ENTRY_TEMP = re.compile(r"^[0-9a-f]{64}\.npz\..+\.tmp$")
# An entry's members (np.savez names them "<array>.npy"): always these three, plus raw or zstd frames,
# or a "redraw" entry's shape alone.
_MEMBERS = {"format.npy", "metadata.npy", "checksum.npy"}
_FRAME_MEMBERS = ({"frames.npy"}, {"frames_zstd.npy", "shape.npy", "dtype.npy"}, {"redraw.npy", "shape.npy", "dtype.npy"})
# Files an operating system drops into any folder it shows: not the user's data, never deleted.
_OS_LITTER = {".DS_Store", "Thumbs.db", "desktop.ini"}
# A folder holding one of these is a project's root, not a cache.
_PROJECT_MARKERS = (".git", ".hg", ".svn", "pyproject.toml", "setup.py", "package.json")


def _is_entry(path: Path) -> bool:
    """Provably a cache entry: named like one, and a zip holding exactly an entry's arrays (its header).

    An export's video segment: named like one, and an MP4 (its `ftyp` box first).
    """
    if _SEGMENT.fullmatch(path.name):
        try:
            with open(path, "rb") as f:
                return not path.is_symlink() and f.read(8)[4:] == b"ftyp"
        except OSError:
            return False
    if not _ENTRY.match(path.name):
        return False
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return any(names == _MEMBERS | frames for frames in _FRAME_MEMBERS)


def check_cache_location(directory: Path) -> None:
    """Refuses a clip cache at `/`, a home folder (or above it) or a project's root: those hold the user's files."""
    try:
        where = directory.expanduser().resolve()
        home = Path.home().resolve()
    except (OSError, RuntimeError):
        return
    if where == home or where in home.parents:
        raise InvalidInput(f"the clip cache cannot be {str(directory)!r}, a home folder (or above one); give it a folder "
                           f"of its own, e.g. {str(home / '.cache' / 'storykit' / 'clips')!r}")
    for marker in _PROJECT_MARKERS:
        try:
            found = (where / marker).exists()
        except OSError:
            found = False
        if found:
            raise InvalidInput(f"the clip cache cannot be {str(directory)!r}, a project's root (it holds {marker}); "
                               f"give it a folder of its own, e.g. {str(directory / 'storykit-cache')!r}")


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9, "t": 10**12, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


MAX_SIZE = 2**63 - 1  # bytes: what a file system can count; a bigger cap is a typo (or "none")


def parse_size(value) -> int | None:
    """Bytes from 5368709120, "5GiB", "500 MB", "1.5g"; None for "none"/"unlimited" (no cap)."""
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"cache size must be a number of bytes or text like '5GiB', got {value!r}")
    if isinstance(value, (int, float)):
        if value != value or value < 0:  # NaN too
            raise InvalidInput(f"cache size must be >= 0, got {value!r}")
        finite = isinstance(value, int) or math.isfinite(value)
        number, unit = (decimal.Decimal(value) if finite else None), ""
        shown = f"{value:.6g}" if isinstance(value, float) else (str(value)[:20] + "…" if value > 10**24 else str(value))
    else:
        text = str(value).strip().lower()
        if text in ("none", "unlimited", "off", "inf"):
            return None
        shown = (text[:20] + "…") if len(text) > 24 else text
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text)
        if not m or m.group(2) not in _UNITS:
            raise InvalidInput(f"cache size {shown!r} is not a size; use e.g. 5GiB, 500MB or none")
        number, unit = (decimal.Decimal(m.group(1)) if len(m.group(1)) <= 40 else None), m.group(2)
    # Exact decimal arithmetic: a 400-digit number is "too large", never an OverflowError from float().
    size = None if number is None else int(number * _UNITS[unit])
    if size is None or size > MAX_SIZE:
        raise InvalidInput(f"cache size {shown!r} is too large (at most {MAX_SIZE} bytes); use 'none' for no cap")
    return size


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
    frames = np.empty(shape, dtype)  # writable, like a raw entry; decompressed straight into it
    out = memoryview(frames).cast("B")
    with zstd.ZstdDecompressor().stream_reader(memoryview(data["frames_zstd"]).cast("B")) as reader:
        got = 0
        while got < len(out):
            n = reader.readinto(out[got:])
            if not n:
                raise ValueError(f"compressed frames end after {got} of {len(out)} bytes")
            got += n
        if reader.read(1):
            raise ValueError("compressed frames hold more than their shape")
    return frames


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


_WARNED: set[tuple[str, str]] = set()  # (folder, kind) of the cache problems already said in this process


class ClipCache:
    """Clips on disk by key: `get(key) -> Clip | None`, `put(key, clip)`, `info()`, `prune()`, `clear()`.

    `max_bytes`: the size cap (an int, or text such as "2GiB"; "none" for no cap);
    None reads $STORYKIT_CACHE_MAX, default 5 GiB.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_bytes: int | str | None = None):
        if directory is not None and (not isinstance(directory, (str, os.PathLike)) or not str(directory).strip()):
            # Path("") is the working folder: an empty --cache-dir must not scatter clips there.
            raise InvalidInput(f"the clip cache must be a folder path, got {directory!r}")
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        check_cache_location(self.directory)
        if max_bytes is None:
            env = os.environ.get("STORYKIT_CACHE_MAX", "").strip()
            max_bytes = env if env else DEFAULT_MAX_BYTES
        self.max_bytes = parse_size(max_bytes)
        self.disabled: str | None = None  # why puts stopped (a read-only or full disk), if they did

    def __repr__(self) -> str:
        return f"ClipCache({str(self.directory)!r}, {len(self)} clips)"

    def _entries(self) -> list[Path]:
        """Clip entries and the export's video segments: both count towards the cap and are pruned alike."""
        try:
            if not self.directory.is_dir():
                return []
            segments = [p for p in self.directory.glob("*" + SEGMENT_SUFFIX) if _SEGMENT.fullmatch(p.name)]
            return [p for p in self.directory.glob("*.npz") if _ENTRY.match(p.name)] + segments
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

    def segment_temp_names(self, key: str, n: int) -> list[Path]:
        """`n` temporary names in this folder for segments being encoded, the first with `key`: the cache's own."""
        tag = f"{os.getpid():x}{secrets.token_hex(4)}"
        return [self.directory / f"{key}.segment.{tag}.{k}.tmp" for k in range(n)]

    def put_segment(self, key: str, src: Path) -> Path:
        """Moves the finished segment file `src` (in this folder) into place under `key`, atomically."""
        path = self.segment_path(key)
        os.replace(src, path)
        return path

    def _warn(self, kind: str, message: str) -> None:
        # Once per folder and kind in a process: a long render must not repeat it per scene, nor the
        # Studio, which opens the cache again for every scene it renders.
        said = (str(self.directory), kind)
        if said not in _WARNED:
            _WARNED.add(said)
            print(f"storykit: {message}", file=sys.stderr)

    def get(self, key: str, redraw: Callable[[], np.ndarray] | None = None) -> Clip | None:
        """The cached clip (metadata["cached"] = True), or None if absent or damaged.

        An entry put with codec "redraw" holds no frames: it comes back as a LazyClip whose
        frames `redraw()` draws when first read, or as None (a miss) without `redraw`.
        """
        path = self.path(key)
        try:
            if not path.is_file():
                return None
        except OSError:
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                fmt = int(data["format"])
                if fmt not in (1, 2, FORMAT):
                    raise ValueError(f"entry format {fmt}, expected {FORMAT}")
                meta = str(data["metadata"])
                stored = str(data["checksum"])
                if fmt == FORMAT and "redraw" in data:  # no frames kept: the shape and metadata only
                    shape = _Shape(data["shape"], data["dtype"])
                    if _checksum(shape, meta, _NO_FRAMES) != stored:
                        raise ValueError("checksum mismatch")
                    frames = None
                else:
                    compressed = fmt == FORMAT and "frames_zstd" in data  # checked before it is decompressed
                    if compressed and _checksum(_Shape(data["shape"], data["dtype"]), meta, data["frames_zstd"]) != stored:
                        raise ValueError("checksum mismatch")
                    frames = _decode_frames(data)
                    if not compressed and _checksum(frames, meta) != stored:
                        raise ValueError("checksum mismatch")
            info = json.loads(meta)
            if frames is None and redraw is None:
                return None
            if frames is None:
                clip = LazyClip(shape.shape, redraw, fps=info["fps"], scene_index=info["scene_index"],
                                metadata=info["metadata"])
            else:
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

        `codec`: "zstd", "raw" or "auto"; None picks by the clip's backend (CODECS). "redraw"
        keeps no frames, only their shape and the metadata: for a backend that draws the same
        frames again from the same key (`get(key, redraw=...)`).
        A folder that cannot take the entry (read-only, full, a file) is reported once
        and None is returned: the clip itself is never lost.
        """
        if self.disabled is not None:
            return None
        metadata = {k: v for k, v in clip.metadata.items() if k != "cached"}
        meta = _canonical({"fps": clip.fps, "scene_index": clip.scene_index, "metadata": metadata})
        codec = codec or CODECS.get(str(metadata.get("backend")), "auto")
        if codec == "redraw":
            shape = _Shape((clip.num_frames, clip.height, clip.width, 3), "|u1")
            arrays = {"redraw": np.array(True), "shape": np.array(shape.shape), "dtype": np.array(shape.dtype.str)}
            checksum = _checksum(shape, meta, _NO_FRAMES)
        else:
            _, arrays = _encode_frames(clip.frames, codec)
            checksum = _checksum(clip.frames, meta, arrays.get("frames_zstd"))
        arrays.update(metadata=np.array(meta), checksum=np.array(checksum), format=np.array(FORMAT))
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
            self.prune(keep=path, automatic=True)
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

    def foreign_files(self) -> list[str]:
        """Names in the cache folder that storykit did not write (sorted); the cache deletes nothing beside them."""
        try:
            names = os.listdir(self.directory) if self.directory.is_dir() else []
        except OSError:
            return []
        return sorted(n for n in names if not (_ENTRY.match(n) or _ENTRY_TEMP.match(n) or n in _OS_LITTER
                                               or _SEGMENT.fullmatch(n) or _SEGMENT_TEMP.fullmatch(n)))

    def _check_deletable(self) -> None:
        """InvalidInput unless the folder holds only what the cache wrote: it never deletes beside a user's files."""
        check_cache_location(self.directory)
        foreign = self.foreign_files()
        if foreign:
            shown = ", ".join(repr(n) for n in foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise InvalidInput(
                f"{str(self.directory)!r} holds files storykit did not write ({shown}), so it is not (only) a clip "
                "cache and nothing was deleted; point cache_dir (--cache-dir) at a folder of its own, or move them"
            )

    def prune(self, max_bytes: int | str | None = None, *, keep: Path | None = None, automatic: bool = False) -> int:
        """Deletes least recently used entries until at most `max_bytes` remain (default: the cap).

        Returns how many were deleted. `keep` (the entry just written) is never deleted.
        Only provable entries (name and header) are deleted, and only from a folder that
        holds nothing else: elsewhere an explicit prune raises InvalidInput, and an
        `automatic` one (after `put`, or after an export's segments) says so once and
        deletes nothing.
        """
        limit = self.max_bytes if max_bytes is None else parse_size(max_bytes)
        if limit is None:
            return 0
        try:
            self._check_deletable()
        except InvalidInput as e:
            if not automatic:
                raise
            self._warn("foreign", f"not pruning the clip cache: {e}")
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
            if (keep is not None and p == keep) or not _is_entry(p):
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
        """Deletes every entry; returns how many it deleted.

        Only provable entries (name and header) go, and only from a folder that holds
        nothing else (InvalidInput otherwise, before anything is deleted).
        """
        self._check_deletable()
        removed = 0
        for p in self._entries():
            if not _is_entry(p):
                continue
            try:
                p.unlink(missing_ok=True)
            except OSError as e:
                raise InvalidInput(f"cannot delete clips in {str(self.directory)!r} ({e.strerror or e}); "
                                   f"deleted {removed} before that") from None
            removed += 1
        return removed


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
        digest = sha256_of_file(p)
        known[ident] = digest
        try:  # a read-only home only costs a re-hash next run
            store.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(store, lambda f: f.write(json.dumps(known, indent=0).encode()))
        except OSError:
            pass
    _HASHES[ident] = digest
    return digest
