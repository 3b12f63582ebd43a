"""What the export will need, checked before any scene renders.

Rendering takes minutes (hours for Lightning on a CPU); an output that already
exists, a folder where the video should go or an audio file ffmpeg cannot read
must be refused first, not after the last scene. `export_story` checks the same
things again when it runs; this module only lets callers ask early.

>>> from storykit.stitch.preflight import check_export
>>> check_export("story.mp4", overwrite=True)   # doctest: +SKIP
[PosixPath('story.mp4'), PosixPath('story.srt'), PosixPath('story.vtt'), PosixPath('story.narration.txt'),
 PosixPath('story.manifest.json')]
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidInput
from ..paths import check_file_name

__all__ = ["export_files", "export_targets", "check_export", "check_targets", "check_audio", "check_folder"]

FORMATS = ("mp4", "gif", "webm")  # as storykit.stitch.export.FORMATS


def export_files(path, formats: Sequence[str], *, subtitles: bool = True, manifest: bool = True,
                 reference: bool = False) -> dict[str, Path]:
    """Every file an export of `path` writes, by role, named as `export_story` names them.

    The one list of them: `export_story` takes its names from here and `check_export`
    checks each before anything renders, so a file added here (a narration's audio, ...)
    is both written and checked. Roles: one per video format ("mp4", "gif", "webm"),
    then "srt", "vtt", "narration" (with `subtitles`), "manifest", and "reference"
    (the character image `make_story` saves beside the story).
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    base = path.with_suffix("") if suffix in FORMATS else path

    def beside(ending: str) -> Path:
        return base.with_name(base.name + ending)

    files = {f: beside(f".{f}") for f in formats}
    if subtitles:
        files.update(srt=beside(".srt"), vtt=beside(".vtt"), narration=beside(".narration.txt"))
    if manifest:
        files["manifest"] = beside(".manifest.json")
    if reference:
        files["reference"] = beside(".reference.png")
    return files


def export_targets(path, formats: Sequence[str], *, subtitles: bool = True, manifest: bool = True,
                   reference: bool = False) -> list[Path]:
    """The files `export_story(path, formats=...)` writes (`export_files`, as a list)."""
    return list(export_files(path, formats, subtitles=subtitles, manifest=manifest, reference=reference).values())


def check_targets(targets: Sequence[Path], *, overwrite: bool,
                  hint: str = "pass overwrite=True to replace it, or choose another output") -> None:
    """Each target's name fits the file system and is no folder; without `overwrite`, none exists."""
    for p in targets:
        check_file_name(p)  # a name over 255 bytes: one line here, not ENAMETOOLONG from ffmpeg or os.link
    for p in targets:
        if _is_dir(p):  # even with overwrite: a folder is never replaced by a file
            raise InvalidInput(f"{str(p)!r} is a folder, where storykit would write a file; move it or choose another output")
        if not overwrite and os.path.lexists(p):  # a dangling link too: publishing would fail on it
            raise InvalidInput(f"{str(p)!r} exists; {hint}")


def check_export(
    path,
    formats: Sequence[str] | None = None,
    *,
    overwrite: bool = False,
    subtitles: bool = True,
    manifest: bool = True,
    audio=None,
    reference=None,
) -> list[Path]:
    """Raises InvalidInput unless every file of the export can be written; returns their paths.

    `path` as the user gave it: "final.mp4/" names a folder and is refused. `reference`:
    the character image given (a path, an image, "auto"), whose ``NAME.reference.png``
    is then checked too; a path that already is that file is no clash.
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise InvalidInput(f"output must be a file path such as 'story.mp4', got {path!r}")
    path = check_file_name(path)
    suffix = path.suffix.lower().lstrip(".")
    if formats is None:
        if suffix not in FORMATS:
            raise InvalidInput(f"output must end in .mp4, .gif or .webm, got {str(path)!r}")
        formats = (suffix,)
    if _is_dir(path):
        raise InvalidInput(f"{str(path)!r} is a folder; give a file name such as {str(path / 'story.mp4')!r}")
    check_folder(path.parent)
    files = export_files(path, formats, subtitles=subtitles, manifest=manifest, reference=reference is not None)
    if "reference" in files and isinstance(reference, (str, os.PathLike)) and _same_file(reference, files["reference"]):
        check_targets([files.pop("reference")], overwrite=True)  # the given image is that file: it is kept
    check_targets(list(files.values()), overwrite=overwrite)
    if audio is not None:
        check_audio(audio)
    return list(files.values())


def _is_dir(p: Path) -> bool:
    try:
        return p.is_dir()
    except OSError:  # a name too long, a loop of links: not a folder (check_file_name says what is wrong)
        return False


def _same_file(a, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_audio(audio) -> Path:
    """Raises InvalidInput unless `audio` is a readable file holding an audio stream ffmpeg decodes."""
    from .ffmpeg import probe, run_ffmpeg

    if not isinstance(audio, (str, os.PathLike)) or not str(audio):
        raise InvalidInput(f"audio must be a file path, got {audio!r}")
    path = Path(audio)
    try:
        found = path.is_file()
    except OSError as e:  # a name too long for the file system
        raise InvalidInput(f"cannot open audio file {str(path)[:60]!r} ({e.strerror or type(e).__name__})") from None
    if not found:
        raise InvalidInput(f"no audio file at {str(path)!r}")
    try:
        with open(path, "rb") as f:
            if not f.read(1):
                raise InvalidInput(f"audio file {str(path)!r} is empty")
    except OSError as e:
        raise InvalidInput(f"cannot read audio file {str(path)!r} ({e.strerror or type(e).__name__})") from None
    if not probe(path)["audio"]:
        raise InvalidInput(f"{str(path)!r} has no audio stream that ffmpeg can read; use a WAV, MP3, AAC or Opus file")
    # Decode a second of it: a damaged file can have a readable header and undecodable data.
    proc = run_ffmpeg(["-v", "error", "-i", str(path), "-t", "1", "-vn", "-f", "null", "-"], timeout=60)
    errors = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    if proc.returncode != 0 or any("Invalid data" in ln or "Error while decoding" in ln for ln in errors):
        raise InvalidInput(f"ffmpeg cannot decode audio {str(path)!r}: {errors[-1] if errors else 'unknown error'}")
    return path


def check_folder(folder: Path) -> None:
    """The output folder exists, is a folder and can be written to."""
    try:
        found, is_dir = folder.exists(), folder.is_dir()
    except OSError as e:  # a folder name too long, a loop of links
        raise InvalidInput(f"cannot use output folder {str(folder)[:60]!r} ({e.strerror or type(e).__name__})") from None
    if not found:
        raise InvalidInput(f"output folder {str(folder)!r} does not exist; create it first")
    if not is_dir:
        raise InvalidInput(f"{str(folder)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(f"output folder {str(folder)!r} is not writable; choose another output path")
    # os.access trusts permission bits (which root ignores); a read-only file system or /proc only
    # shows itself when a file is made. Make one, hidden, and remove it.
    probe = folder / f".storykit-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as e:
        raise InvalidInput(f"cannot write in output folder {str(folder)!r} ({e.strerror or type(e).__name__}); "
                           "choose another output path") from None
    with contextlib.suppress(OSError):
        os.unlink(probe)
