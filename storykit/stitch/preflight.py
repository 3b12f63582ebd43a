"""What the export will need, checked before any scene renders.

Rendering takes minutes (hours for Lightning on a CPU); an output that already
exists, a folder where the video should go or an audio file ffmpeg cannot read
must be refused first, not after the last scene. `export_story` checks the same
things again when it runs; this module only lets callers ask early.

>>> from storykit.stitch.preflight import check_export
>>> check_export("story.mp4", overwrite=True)   # doctest: +SKIP
[PosixPath('story.mp4'), PosixPath('story.srt'), PosixPath('story.vtt'), PosixPath('story.manifest.json')]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidInput

__all__ = ["export_targets", "check_export", "check_audio"]

FORMATS = ("mp4", "gif", "webm")  # as storykit.stitch.export.FORMATS


def export_targets(path: Path, formats: Sequence[str], *, subtitles: bool = True, manifest: bool = True) -> list[Path]:
    """The files `export_story(path, formats=...)` writes, named as it names them."""
    suffix = path.suffix.lower().lstrip(".")
    base = path.with_suffix("") if suffix in FORMATS else path
    files = [base.with_name(f"{base.name}.{f}") for f in formats]
    if subtitles:
        files += [base.with_name(base.name + ".srt"), base.with_name(base.name + ".vtt")]
    if manifest:
        files.append(base.with_name(base.name + ".manifest.json"))
    return files


def check_export(
    path,
    formats: Sequence[str] | None = None,
    *,
    overwrite: bool = False,
    subtitles: bool = True,
    manifest: bool = True,
    audio=None,
) -> list[Path]:
    """Raises InvalidInput unless every file of the export can be written; returns their paths."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise InvalidInput(f"output must be a file path such as 'story.mp4', got {path!r}")
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if formats is None:
        if suffix not in FORMATS:
            raise InvalidInput(f"output must end in .mp4, .gif or .webm, got {str(path)!r}")
        formats = (suffix,)
    if path.is_dir():
        raise InvalidInput(f"{str(path)!r} is a folder; give a file name such as {str(path / 'story.mp4')!r}")
    check_folder(path.parent)
    targets = export_targets(path, formats, subtitles=subtitles, manifest=manifest)
    for p in targets:
        if p.is_dir():  # even with overwrite: a folder is never replaced by a file
            raise InvalidInput(f"{str(p)!r} is a folder, where storykit would write a file; move it or choose another output")
        if p.exists() and not overwrite:
            raise InvalidInput(f"{str(p)!r} exists; pass overwrite=True to replace it, or choose another output")
    if audio is not None:
        check_audio(audio)
    return targets


def check_audio(audio) -> Path:
    """Raises InvalidInput unless `audio` is a readable file holding an audio stream ffmpeg decodes."""
    from .ffmpeg import probe, run_ffmpeg

    if not isinstance(audio, (str, os.PathLike)) or not str(audio):
        raise InvalidInput(f"audio must be a file path, got {audio!r}")
    path = Path(audio)
    if not path.is_file():
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
    if not folder.exists():
        raise InvalidInput(f"output folder {str(folder)!r} does not exist; create it first")
    if not folder.is_dir():
        raise InvalidInput(f"{str(folder)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(f"output folder {str(folder)!r} is not writable; choose another output path")
