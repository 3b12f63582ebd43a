"""Where storykit keeps its files ($STORYKIT_HOME, the clip cache), and checks on the file names it is given."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["storykit_home", "default_cache_dir", "check_file_name", "name_max", "fitted_name", "exists", "sha256_of_file"]

# POSIX file systems (ext4, APFS, tmpfs, ...) allow 255 bytes per name and 4096 per path.
NAME_MAX, PATH_MAX = 255, 4096


def storykit_home() -> Path:
    """Where storykit keeps its caches: $STORYKIT_HOME or ~/.cache/storykit."""
    return Path(os.environ.get("STORYKIT_HOME") or Path.home() / ".cache" / "storykit").expanduser()


def default_cache_dir() -> Path:
    """$STORYKIT_CACHE, or ~/.cache/storykit/clips."""
    env = os.environ.get("STORYKIT_CACHE")
    return Path(env).expanduser() if env else storykit_home() / "clips"


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, that `folder`'s file system takes (255 where it cannot say)."""
    try:
        return min(NAME_MAX, os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no such folder (yet), or no pathconf (Windows)
        return NAME_MAX


def check_file_name(path, what: str = "output", example: str = "story.mp4"):
    """`path` as a Path, or a one-line error: a folder-like name (a trailing '/'), a name or path too long.

    The raw text matters: `Path("final.mp4/")` drops the slash that makes it a folder's name.
    Raises `storykit.errors.InvalidInput`; `what` names the argument in the message.
    """
    from .errors import InvalidInput

    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    seps = tuple(s for s in (os.sep, os.altsep) if s)
    if text.endswith(seps) or Path(text).name in ("", ".", ".."):
        raise InvalidInput(f"{what} {text!r} names a folder; give a file name, such as {os.path.join(text, example)!r}")
    p = Path(text)
    size = len(os.fsencode(p.name))
    limit = name_max(p.parent)
    if size > limit:
        raise InvalidInput(f"{what} name {_short(p.name)!r} is {size} bytes; file names may have at most {limit}: "
                           "choose a shorter name")
    if len(os.fsencode(os.path.abspath(text))) >= PATH_MAX:
        raise InvalidInput(f"{what} path {_short(text)!r} is longer than {PATH_MAX - 1} bytes; choose a shorter path")
    for part in p.parent.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise InvalidInput(f"folder name {_short(part)!r} in {what} path is longer than {NAME_MAX} bytes")
    return p


def exists(path: Path) -> bool:
    """`path.exists()` that answers False, not OSError, where the name cannot exist (too long, a loop)."""
    try:
        return path.exists()
    except OSError:
        return False


def fitted_name(stem: str, room: int) -> str:
    """`stem`, or a shortened one ending in a hash of it, within `room` bytes of UTF-8 (never split mid-character)."""
    data = stem.encode("utf-8", "surrogateescape")
    if len(data) <= room:
        return stem
    tag = "~" + hashlib.sha256(data).hexdigest()[:8]
    head = data[: max(0, room - len(tag))].decode("utf-8", "ignore")  # "ignore" drops a cut character
    return head + tag


def sha256_of_file(path) -> str:
    """The file's sha256 (hex), read in 4 MiB blocks so a 908 MB checkpoint never sits in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _short(text: str, keep: int = 40) -> str:
    return text if len(text) <= keep else text[:keep] + "…"
