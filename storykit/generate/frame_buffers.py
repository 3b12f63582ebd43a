"""Keeping frame-sized buffers in the process instead of handing them back to the OS each frame.

A story passes through thousands of ~1 MB buffers (Pillow's images, `tobytes`, numpy chunks).
With default settings glibc maps each one afresh and Pillow frees each image's block, so
every frame faults in new zeroed pages: 0.5-0.8 s of kernel time in a 16 s animatic story,
a tenth of the main job (bench/bench_command.py, bench/RESULTS.md). `keep_frame_buffers`
lets both reuse memory they already have.

numpy also asks the kernel for huge pages for every large array (madvise). Where the kernel
compacts memory to find them on the spot (transparent_hugepage/defrag = madvise, a common
default), a story's 300 MB of clip arrays cost 1-1.5 s of kernel time, far more than the
page faults huge pages save (measured here: first render 1.5-1.9 s -> 0.55-0.63 s sys;
a cached re-run +0.1 s). So storykit turns that request off.

None of this changes a result, only where buffers come from.
"""

from __future__ import annotations

import functools
import mmap
import sys

import numpy as np

__all__ = ["keep_frame_buffers", "empty_frames"]

_MMAP_THRESHOLD = 32 << 20   # glibc's own ceiling for its dynamic threshold: frames stay in the heap,
_TRIM_THRESHOLD = 128 << 20  # and up to this much freed heap is kept for the next frame
_PILLOW_BLOCKS = 16          # Pillow keeps 16 freed image blocks (a few frames' worth) instead of none


@functools.lru_cache(maxsize=1)
def keep_frame_buffers() -> bool:
    """Tunes glibc's malloc (Linux), numpy's huge-page requests and Pillow's block cache once per process.

    Returns True if malloc was tuned.
    """
    try:
        import numpy as np

        core = getattr(np, "_core", None) or np.core
        core.multiarray._set_madvise_hugepage(False)
    except (ImportError, AttributeError):
        pass
    try:
        from PIL import Image

        if Image.core.get_blocks_max() < _PILLOW_BLOCKS:
            Image.core.set_blocks_max(_PILLOW_BLOCKS)
    except (ImportError, AttributeError, ValueError):
        pass
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        return bool(libc.mallopt(m_mmap_threshold, _MMAP_THRESHOLD)) and bool(libc.mallopt(m_trim_threshold, _TRIM_THRESHOLD))
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False


def empty_frames(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised uint8 array for a whole clip or story, in pre-faulted ordinary pages (Linux).

    numpy asks for transparent huge pages on big arrays (MADV_HUGEPAGE); where the kernel
    then compacts memory synchronously (defrag=madvise, Ubuntu's default) and memory is
    fragmented, e.g. right after an ffmpeg encode, first writes to a 170 MB story stalled
    ~1 s here: 5x the stitching. An anonymous MAP_POPULATE mapping takes ~0.12 s, steadily.
    """
    size = int(np.prod(shape))
    populate = getattr(mmap, "MAP_POPULATE", None)
    if size < 1 << 24 or populate is None or not sys.platform.startswith("linux"):
        return np.empty(shape, np.uint8)
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    return np.frombuffer(buf, np.uint8).reshape(shape)  # the array keeps the mapping alive
