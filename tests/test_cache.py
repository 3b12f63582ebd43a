"""The clip cache: a codec per backend, a size cap with LRU pruning, and never failing a render."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import numpy as np
import pytest

from storykit.errors import InvalidInput
from storykit.generate import RenderConfig, render_story
from storykit.generate import cache as cache_mod
from storykit.generate.cache import ClipCache, parse_size
from storykit.generate.clips import Clip
from storykit.testing import FakeBackend, example_script

CFG = RenderConfig(height=64, width=64)


def _drawing(n=16, size=64, value=0) -> np.ndarray:
    frames = np.full((n, size, size, 3), 240, np.uint8)
    frames[:, size // 4 : size // 2, size // 4 : size // 2] = (value, 90, 30)
    return frames


def _noise(n=16, size=64, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


@pytest.mark.parametrize("backend, frames, compressed", [
    ("animatic", _drawing(), True),    # flat drawings: zstd
    ("lightning", _noise(), False),    # photographic noise: raw
    ("other", _drawing(), True),       # unknown backends: decided from one frame
    ("other", _noise(), False),
])
def test_codec_per_backend_round_trips_exactly(tmp_path, backend, frames, compressed):
    cache = ClipCache(tmp_path)
    clip = Clip(frames, fps=8, scene_index=2, metadata={"backend": backend, "seed": 7})
    path = cache.put("k" * 64, clip)
    with np.load(path) as z:
        assert ("frames_zstd" in z) is compressed and ("frames" in z) is not compressed
    if compressed:
        assert path.stat().st_size < frames.nbytes / 5
    hit = cache.get("k" * 64)
    assert np.array_equal(hit.frames, frames) and hit.frames.flags.writeable
    assert hit.scene_index == 2 and hit.metadata["seed"] == 7 and hit.metadata["cached"] is True


def test_format_1_entries_still_read(tmp_path):
    cache = ClipCache(tmp_path)
    clip = Clip(_noise(4), fps=8, scene_index=0, metadata={"backend": "lightning"})
    path = cache.put("a" * 64, clip)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["format"] = np.array(1)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert np.array_equal(cache.get("a" * 64).frames, clip.frames)


def test_format_2_zstd_entries_still_read(tmp_path):
    """Format 2 hashed the decompressed frames; such entries still read back (format 3 hashes the compressed bytes)."""
    cache = ClipCache(tmp_path)
    clip = Clip(_drawing(), fps=8, scene_index=0, metadata={"backend": "animatic"})
    path = cache.put("b" * 64, clip)
    with np.load(path) as z:
        arrays = dict(z)
    meta = str(arrays["metadata"])
    arrays["format"] = np.array(2)
    arrays["checksum"] = np.array(cache_mod._checksum(clip.frames, meta))  # format 2's rule
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert np.array_equal(cache.get("b" * 64).frames, clip.frames)


@pytest.mark.parametrize("change", ["a compressed byte", "the shape", "one byte fewer", "other frames, well compressed"])
def test_a_zstd_entry_whose_compressed_frames_changed_is_damaged(tmp_path, capsys, change):
    """The checksum covers the compressed bytes and the shape: any change means render again, never other frames."""
    cache = ClipCache(tmp_path)
    clip = Clip(_drawing(), fps=8, scene_index=0, metadata={"backend": "animatic"})
    path = cache.put("c" * 64, clip)
    with np.load(path) as z:
        arrays = dict(z)
    if change == "a compressed byte":
        arrays["frames_zstd"] = arrays["frames_zstd"].copy()
        arrays["frames_zstd"][len(arrays["frames_zstd"]) // 2] ^= 0x40
    elif change == "other frames, well compressed":  # only the checksum can tell
        other = clip.frames.copy()
        other[0, 0, 0] ^= 1
        arrays["frames_zstd"] = cache_mod._encode_frames(other, "zstd")[1]["frames_zstd"]
    elif change == "the shape":
        arrays["shape"] = arrays["shape"][[0, 2, 1, 3]] if arrays["shape"][1] != arrays["shape"][2] else arrays["shape"] * [2, 1, 1, 1]
    else:
        arrays["frames_zstd"] = arrays["frames_zstd"][:-1]
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert cache.get("c" * 64) is None
    assert "damaged" in capsys.readouterr().err and not path.exists()


@pytest.mark.parametrize("text, value", [("5GiB", 5 * 2**30), ("500MB", 500 * 10**6), ("1.5 k", 1500), (123, 123), ("none", None)])
def test_parse_size(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("bad", ["lots", "-1", -5, "5 parsecs", True])
def test_bad_size_is_one_line(bad):
    with pytest.raises(InvalidInput, match="size"):
        parse_size(bad)


def test_size_cap_prunes_least_recently_used(tmp_path, monkeypatch):
    monkeypatch.delenv("STORYKIT_CACHE_MAX", raising=False)
    assert ClipCache(tmp_path).max_bytes == cache_mod.DEFAULT_MAX_BYTES
    one = _noise(4).nbytes
    cache = ClipCache(tmp_path, max_bytes=int(3.5 * one))
    keys = [c * 64 for c in "abcd"]
    for i, k in enumerate(keys[:3]):
        cache.put(k, Clip(_noise(4, seed=i), fps=8, scene_index=i, metadata={"backend": "lightning"}))
        os.utime(cache.path(k), (time.time() - 100 + i, time.time() - 100 + i))
    assert cache.get(keys[0]) is not None  # a hit makes "a" the most recent
    cache.put(keys[3], Clip(_noise(4, seed=3), fps=8, scene_index=3, metadata={"backend": "lightning"}))
    assert [k in cache for k in keys] == [True, False, True, True]  # "b" was the least recently used
    assert cache.info().bytes <= 3.5 * one and cache.info().entries == 3
    assert cache.prune(0) == 3  # asked for 0 bytes: everything goes
    assert len(cache) == 0


def test_cap_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYKIT_CACHE_MAX", "2MiB")
    assert ClipCache(tmp_path).max_bytes == 2 * 2**20
    monkeypatch.setenv("STORYKIT_CACHE_MAX", "plenty")
    with pytest.raises(InvalidInput, match="STORYKIT_CACHE_MAX|size"):
        render_story(example_script(1), FakeBackend(), CFG, cache_dir=tmp_path, progress=False)


def _broken_cache(kind: str, tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "clips"
    if kind == "file":  # the cache path is a file
        folder.write_text("not a folder")
    elif kind == "full":  # ENOSPC while writing
        def full(*a, **k):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        monkeypatch.setattr(cache_mod, "_atomic_write", full)
    elif kind == "read-only":  # root ignores chmod, so refuse the temporary file as a read-only disk would
        folder.mkdir()
        def readonly(*a, **k):
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))
        monkeypatch.setattr(cache_mod.tempfile, "mkstemp", readonly)
    return folder


@pytest.mark.parametrize("kind", ["file", "full", "read-only"])
def test_unwritable_cache_never_kills_a_render(tmp_path, monkeypatch, capsys, kind):
    folder = _broken_cache(kind, tmp_path, monkeypatch)
    backend = FakeBackend()
    clips = render_story(example_script(3), backend, CFG, cache_dir=folder, progress=False)
    assert backend.calls == [0, 1, 2] and [c.scene_index for c in clips] == [0, 1, 2]  # every scene kept
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "without caching" in err[0]  # said once, in one line


def test_damaged_entry_in_read_only_cache(tmp_path, monkeypatch, capsys):
    script, backend = example_script(2), FakeBackend()
    cache = ClipCache(tmp_path)
    first = render_story(script, backend, CFG, cache_dir=cache, progress=False)
    cache.path(first[0].metadata["cache_key"]).write_bytes(b"damaged")
    real_unlink = Path.unlink

    def unlink(self, *a, **k):
        if self.suffix == ".npz":
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))
        return real_unlink(self, *a, **k)

    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(cache_mod.tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(PermissionError(errno.EROFS, "read-only")))
    capsys.readouterr()
    clips = render_story(script, backend, CFG, cache_dir=cache, progress=False)
    assert backend.calls == [0, 1, 0] and np.array_equal(clips[0].frames, first[0].frames)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert any("damaged" in e for e in err) and all(e.startswith("storykit: ") for e in err)


def test_info_and_clear(tmp_path):
    cache = ClipCache(tmp_path / "c", max_bytes="1GiB")
    assert cache.info().entries == 0 and "no cap" not in str(cache.info())
    render_story(example_script(2), FakeBackend(), CFG, cache_dir=cache, progress=False)
    info = cache.info()
    assert info.entries == 2 and info.bytes > 0 and str(tmp_path / "c") in str(info)
    assert cache.clear() == 2 and len(cache) == 0


def test_cache_command(tmp_path, capsys):
    from storykit.cli import main

    folder = tmp_path / "clips"
    render_story(example_script(3), FakeBackend(), CFG, cache_dir=folder, progress=False)
    assert main(["cache", "info", "--cache-dir", str(folder)]) == 0
    assert "3 clips" in capsys.readouterr().out
    assert main(["cache", "prune", "--cache-dir", str(folder), "--max", "1"]) == 0
    assert "deleted 3" in capsys.readouterr().out
    render_story(example_script(2), FakeBackend(), CFG, cache_dir=folder, progress=False)
    assert main(["cache", "clear", "--cache-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "deleted 2" in out and "0 clips" in out
    assert main(["cache", "prune", "--cache-dir", str(folder), "--max", "heaps"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_info_is_light_and_shows_the_cache(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "STORYKIT_CACHE": str(tmp_path / "clips")}
    code = ("import sys; from storykit.cli import main; main(['info']); "
            "print(sorted(m for m in ('torch', 'transformers', 'mediapy', 'matplotlib', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().endswith("[]")  # nothing heavy imported
    assert f"clip cache: {tmp_path / 'clips'}: 0 clips" in out and "diffusers" in out and "ffmpeg:" in out


def test_the_studio_says_an_unwritable_cache_once_in_its_log(tmp_path, capsys):
    """The page shows the Studio's log, not stderr: a cache that cannot be written is said there, once per
    story (and once on stderr), and the story still renders and plays."""
    from storykit.studio.widgets import Studio

    folder = tmp_path / "clips"
    folder.write_text("not a folder")
    studio = Studio(backend="animatic", cache_dir=folder, output_dir=tmp_path / "out", height=64, width=64)
    studio.num_scenes.value = 3
    studio.plan()
    studio.render_all()
    studio.rows[1]["prompt"].value += ", at night"
    studio.render_scene(1)
    notes = [m for m in studio.messages if m.startswith("Note: the clip cache")]
    assert len(notes) == 1 and str(folder) in notes[0] and "render again next time" in notes[0], studio.messages
    assert "base64," in studio.player.value and studio.last_rendered == [1]
    studio.plan()  # a new story: the log starts again, and so does the cache's first try
    studio.render_all()
    assert sum(m.startswith("Note: the clip cache") for m in studio.messages) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "without caching" in err[0], err  # stderr: once in the process
