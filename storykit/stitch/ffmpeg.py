"""Finding ffmpeg and asking it small questions.

storykit's export pipes frames to an ``ffmpeg`` program; mediapy (used to show
videos in notebooks) needs one too but does not look for the one that the
``imageio-ffmpeg`` wheel bundles. `ensure_ffmpeg` finds one (bundled first, then
the system's) and hands it to mediapy:

>>> from storykit.stitch.ffmpeg import ensure_ffmpeg, has_encoder
>>> exe = ensure_ffmpeg()          # a path; mediapy now uses it too
>>> has_encoder("libx264")
True
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import InvalidInput, MissingDependency

__all__ = ["ensure_ffmpeg", "run_ffmpeg", "has_encoder", "probe"]

INSTALL_HINT = "install it with `pip install imageio-ffmpeg==0.7.0` (bundles one) or `apt-get install ffmpeg`"

_ffmpeg: str | None = None


def _find_ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()  # honours IMAGEIO_FFMPEG_EXE, then bundled, conda, system
    except (ImportError, RuntimeError):
        exe = None
    # IMAGEIO_FFMPEG_EXE is returned unchecked; a stale value must not hide a working system ffmpeg.
    if exe and (os.path.isfile(exe) or shutil.which(exe)):
        return shutil.which(exe) or exe
    return shutil.which("ffmpeg")


def ensure_ffmpeg(*, mediapy: bool = True) -> str:
    """Returns the path of an ffmpeg program and points mediapy at it.

    With ``mediapy=False`` (the export, which pipes frames to ffmpeg itself) mediapy is
    pointed at it only if already imported: importing it costs matplotlib and IPython.
    Raises MissingDependency, saying how to install one, when none is found.
    """
    global _ffmpeg
    if _ffmpeg is None or not os.path.isfile(_ffmpeg):
        exe = _find_ffmpeg()
        if exe is None:
            raise MissingDependency(f"ffmpeg is needed to read and write videos but was not found; {INSTALL_HINT}")
        _ffmpeg = exe
    if not mediapy and "mediapy" not in sys.modules:
        return _ffmpeg
    try:
        import mediapy as _mediapy

        _mediapy.set_ffmpeg(_ffmpeg)
    except ImportError:  # mediapy is a core dependency; ffmpeg alone still serves run_ffmpeg
        pass
    return _ffmpeg


def run_ffmpeg(args: list[str], *, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Runs ``ffmpeg -hide_banner -nostdin ARGS``; returns the finished process (text stdout/stderr)."""
    cmd = [ensure_ffmpeg(mediapy=False), "-hide_banner", "-nostdin", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)


@functools.cache
def _encoders(exe: str) -> frozenset[str]:
    out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, errors="replace").stdout
    # Lines look like " V....D libx264   libx264 H.264 / AVC ..."; the second column is the name.
    return frozenset(m.group(1) for m in re.finditer(r"^\s*[VAS][.A-Z]{5}\s+(\S+)", out, flags=re.M))


def has_encoder(name: str) -> bool:
    """Whether this ffmpeg can encode with `name` (e.g. "libx264", "libvpx-vp9", "aac")."""
    return name in _encoders(ensure_ffmpeg(mediapy=False))


def probe(path: str | os.PathLike) -> dict:
    """What ``ffmpeg -i`` says about a media file (ffprobe is not bundled).

    Returns ``{"duration": seconds or None, "video": [stream lines], "audio": [stream lines]}``;
    raises InvalidInput when ffmpeg cannot open the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no media file at {str(path)!r}")
    # `ffmpeg -i FILE` with no output exits 1 by design; the report on stderr is what we want.
    err = run_ffmpeg(["-i", str(path)]).stderr
    if "Input #0" not in err:
        last = (err.strip().splitlines() or ["unknown error"])[-1]
        raise InvalidInput(f"ffmpeg cannot read {str(path)!r}: {last}")
    m = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", err)
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None
    streams = re.findall(r"Stream #\d+:\d+.*?: (Video|Audio): (.*)", err)
    return {
        "duration": duration,
        "video": [s for kind, s in streams if kind == "Video"],
        "audio": [s for kind, s in streams if kind == "Audio"],
    }
