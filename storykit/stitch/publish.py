"""Publishing an export's files: hidden temporaries, checked, then moved into place without clobbering.

Each output is written to ``.<stem>.<pid>.<token>.tmp<suffix>`` beside it, checked
(exists, non-empty: a broken ffmpeg can exit 0 and write nothing), and published only
when all of them are ready:

* without overwrite, with `os.link`, which fails if the target exists -- so of two
  exports to one path, the second to finish is refused in one line and the first
  one's files stay whole; where a file system has no hard links, the name is claimed
  with ``O_CREAT | O_EXCL`` and the file moved over the claim;
* with overwrite, with `os.replace` (atomic).

Temporaries of an export that was killed (SIGKILL, power loss) are removed by the
next export to the same path, once the pid in their name is no longer running.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidInput, StorykitError
from ..paths import fitted_name, name_max

__all__ = ["Staging", "remove_stale_temps", "write_text"]


# A hidden temporary name per output, beside it (a rename must not cross file systems),
# with its suffix (ffmpeg picks the container by it) and the writer's pid (to spot stale ones).
_TEMP = re.compile(r"^\.(?P<stem>.+)\.(?P<pid>\d+)\.[0-9a-f]+\.tmp(?:\..+)?$")
# os.link fails with these where a file system has no hard links (FAT, some network mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


# Room a temporary name leaves for what export adds to it (".audio" while muxing), within NAME_MAX.
_SPARE = 16
_PID_DIGITS = 10  # the longest pid is budgeted, so a final name always gives the same temporary stem


def _temp_stem(final: Path) -> str:
    """`final.stem`, shortened with a hash of it where the temporary name would not fit 255 bytes."""
    fixed = len(f"..{'9' * _PID_DIGITS}.{'f' * 8}.tmp".encode()) + len(os.fsencode(final.suffix))
    return fitted_name(final.stem, name_max(final.parent) - _SPARE - fixed)


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{_temp_stem(final)}.{os.getpid()}.{secrets.token_hex(4)}.tmp{final.suffix}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0  # another user's live process (or a nonsense pid: keep the file)
    return True


def remove_stale_temps(outputs: Sequence[Path]) -> list[Path]:
    """Removes hidden temporary files of `outputs` left by exports that died (SIGKILL, power loss).

    Only files named like this module's temporaries for these outputs, and only when the
    process that wrote them is gone: a concurrent export's files are left alone.
    """
    stems = {_temp_stem(p) for p in outputs}
    removed = []
    for folder in {p.parent for p in outputs}:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            m = _TEMP.match(name)
            if m and m["stem"] in stems and not _pid_alive(int(m["pid"])):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
                    removed.append(folder / name)
    return removed


def _refused(final: Path) -> InvalidInput:
    return InvalidInput(
        f"{str(final)!r} appeared while this export ran (another render to the same path?) and was left as it "
        "is; nothing of this export was kept: pass overwrite=True / --overwrite, or choose another output"
    )


def _publish(tmp: Path, final: Path, overwrite: bool) -> None:
    """Moves `tmp` to `final`; without `overwrite`, never over a file that exists by then."""
    try:
        if overwrite:
            os.replace(tmp, final)
            return
        try:
            os.link(tmp, final)  # atomic, and fails if `final` exists: two exports cannot clobber
        except FileExistsError:
            raise _refused(final) from None
        except OSError as e:
            if e.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here: claim the name exclusively, then move the file over the claim.
            try:
                os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                raise _refused(final) from None
            os.replace(tmp, final)
        else:
            tmp.unlink()
    except InvalidInput:
        raise
    except OSError as e:
        raise InvalidInput(f"cannot write {str(final)!r}: {e.strerror}") from None


class Staging:
    """Temporary files for an export's outputs: `publish` moves them all into place, `discard` removes what is left."""

    def __init__(self, overwrite: bool):
        self.overwrite = overwrite
        self.items: list[tuple[Path, Path]] = []  # (final, temporary)

    def add(self, final: Path) -> Path:
        tmp = _temp_name(final)
        self.items.append((final, tmp))
        return tmp

    @staticmethod
    def verify(final: Path, tmp: Path) -> None:
        """Every file reported must exist and be non-empty: a broken ffmpeg can exit 0 and write nothing."""
        try:
            size = tmp.stat().st_size
        except OSError:
            raise StorykitError(f"ffmpeg did not write {final}: it finished without an error but made no file") from None
        if size == 0:
            raise StorykitError(f"ffmpeg did not write {final}: it finished without an error but the file is empty")

    def publish(self) -> None:
        for final, tmp in self.items:
            self.verify(final, tmp)
        done = []
        try:
            for final, tmp in self.items:
                _publish(tmp, final, self.overwrite)
                done.append(final)
        except BaseException:
            if not self.overwrite:  # all or nothing: take back what this export published
                for p in done:
                    with contextlib.suppress(OSError):  # the first error is the one to report
                        p.unlink(missing_ok=True)
            raise
        for final, _ in self.items:
            if not final.is_file() or final.stat().st_size == 0:
                raise StorykitError(f"{final} is missing or empty after writing it; check the disk and try again")

    def discard(self) -> None:
        """Removes what is left; never raises, so it can never hide the error that stopped the export."""
        for _, tmp in self.items:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def write_text(tmp: Path, final: Path, text: str) -> None:
    try:
        tmp.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(f"cannot write {str(final)!r}: {e.strerror}") from None
