"""Writing a `Story` to disk: videos, subtitles, audio, and a manifest to reproduce it.

>>> from storykit.stitch.export import export_story
>>> result = export_story(story, "out/story.mp4", formats=("mp4", "gif"))  # doctest: +SKIP
>>> result.paths                                                             # doctest: +SKIP
[PosixPath('out/story.mp4'), PosixPath('out/story.gif'), PosixPath('out/story.srt'),
 PosixPath('out/story.vtt'), PosixPath('out/story.manifest.json')]

* MP4: H.264 (x264 preset chosen by measurement), yuv420p, even dimensions, ``+faststart``.
* WebM: VP9 (VP8 if this ffmpeg lacks libvpx-vp9); GIF: one palette from a sample of
  frames, ordered dithering.
* Subtitles: SRT and WebVTT side files, one cue per scene, timed from `Story.spans`,
  and ``<name>.narration.txt``: the scenes' sentences as one paragraph (`Script.narration`).
* Audio: a WAV/MP3/... file muxed as AAC (Opus in WebM) and cut to the video's length.
* Manifest: ``<name>.manifest.json`` with the script, seeds, backend, models, versions,
  timings and options; `load_manifest` reads it back and `replay_inputs` turns it into
  what `render_story` and `stitch` need.

Frames are streamed into ffmpeg's stdin as the story makes them (`encode`): the
stitched story is never held whole. The MP4 is made of segments kept in the clip
cache (`segments`: the title, each scene's interior, each transition), joined by
stream copy, so a re-run encodes only the segments whose pixels changed; with
``cache_dir=False`` it is encoded in one pass. Every file is written to a hidden temporary
name in the target folder, checked (exists, non-empty), and published only when all
are written: with `os.link` (fails if the target appeared meanwhile, so two exports
to one path never clobber each other) or `os.replace` with ``overwrite=True``. A
failed or interrupted export leaves no file behind; temporaries of an export that
was killed are removed by the next export to the same path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidInput, StorykitError
from ..paths import check_file_name, exists, sha256_of_file
from ..plan.script import narrate
from ..progress import in_a_notebook
from .encode import MP4_CRF, MP4_PRESET, WEBM_CRF
from .publish import Staging, remove_stale_temps, write_text
from .preflight import check_folder, check_targets, export_files
from .timeline import Story

__all__ = [
    "FORMATS",
    "MANIFEST_VERSION",
    "ExportResult",
    "Replay",
    "export_story",
    "to_srt",
    "to_vtt",
    "build_manifest",
    "load_manifest",
    "replay_inputs",
]

FORMATS = ("mp4", "gif", "webm")
MANIFEST_VERSION = 1
MANIFEST_KIND = "storykit-manifest"
_VERSION_PACKAGES = (
    "storykit", "numpy", "pillow", "mediapy", "imageio-ffmpeg", "torch", "diffusers",
    "transformers", "accelerate", "safetensors", "huggingface-hub", "peft", "opencv-python-headless",
)
_STITCH_KEYS = ("transition", "transition_frames", "fps", "interpolate", "title", "title_seconds", "captions")


@dataclasses.dataclass
class ExportResult:
    """What `export_story` wrote: videos by format, subtitle and manifest files (None if not written)."""

    videos: dict[str, Path]
    srt: Path | None = None
    vtt: Path | None = None
    manifest: Path | None = None
    audio: bool = False  # whether an audio track was muxed into the videos
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    narration: Path | None = None  # the story as a paragraph of prose, beside the subtitles

    @property
    def paths(self) -> list[Path]:
        side = (self.srt, self.vtt, self.narration, self.manifest)
        return [*self.videos.values(), *(p for p in side if p is not None)]


def export_story(
    story: Story,
    path: str | os.PathLike,
    *,
    formats: Sequence[str] | None = None,
    subtitles: bool = True,
    audio: str | os.PathLike | None = None,
    overwrite: bool = False,
    manifest: dict | bool | None = None,
    progress: bool = True,
    cache_dir=None,
) -> ExportResult:
    """Writes `story` as videos plus side files next to `path`.

    Frames are streamed into ffmpeg as the story makes them; every file goes to a hidden
    temporary name first and is published only when all of them are written and checked.

    Args:
        story: the output of `stitch`.
        path: e.g. "out/story.mp4"; other files share its folder and stem.
        formats: any of FORMATS; None takes the format from the suffix of `path`.
        subtitles: write ``.srt`` and ``.vtt`` files and the narration, ``.narration.txt``
            (skipped when no scene has text).
        audio: a sound file to mux into MP4/WebM, cut to the video's length. If it
            cannot be decoded the videos are still written (silent) and InvalidInput
            is raised afterwards.
        overwrite: replace existing files; otherwise any existing output is refused,
            also one that another export creates while this one runs.
        manifest: a dict from `build_manifest` (recommended), None for a minimal one
            built from the story alone, False for none.
        progress: a progress bar over the frames encoded (shown on a terminal or in
            a notebook only).
        cache_dir: where MP4 segments are kept (`storykit.stitch.segments`): None for
            the clip cache ($STORYKIT_CACHE or ~/.cache/storykit/clips), a folder or a
            ClipCache, or False to encode the MP4 in one pass and keep nothing.
    """
    from .ffmpeg import ensure_ffmpeg, has_encoder

    # 1. Check inputs, and every output path, before writing anything.
    if not isinstance(story, Story):
        raise InvalidInput(f"story must be a Story from storykit.stitch.stitch, got {type(story).__name__}")
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise InvalidInput(f"path must be a file path such as 'out/story.mp4', got {path!r}")
    path = check_file_name(path)  # "story.mp4/" names a folder; a name over 255 bytes cannot be written
    suffix = path.suffix.lower().lstrip(".")
    if formats is None:
        if suffix not in FORMATS:
            raise InvalidInput(
                f"cannot tell the format from {path.name!r}: end it in .mp4, .gif or .webm, or pass formats="
            )
        formats = (suffix,)
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InvalidInput(f"unknown video format {bad[0] if bad else None!r}; choose from: {', '.join(FORMATS)}")
    if manifest is not None and not isinstance(manifest, (dict, bool)):
        raise InvalidInput(f"manifest must be a dict from build_manifest, None or False, got {type(manifest).__name__}")
    check_folder(path.parent)
    has_text = any(t.strip() for t in story.texts)
    files = export_files(path, formats, subtitles=subtitles and has_text, manifest=manifest is not False)
    videos = {f: files[f] for f in formats}
    srt, vtt, narration, manifest_path = (files.get(k) for k in ("srt", "vtt", "narration", "manifest"))
    outputs = list(files.values())
    check_targets(outputs, overwrite=overwrite, hint="pass overwrite=True / --overwrite")
    audio_path = None
    if audio is not None:
        audio_path = Path(audio)
        if not exists(audio_path) or not audio_path.is_file():
            raise InvalidInput(f"no audio file at {str(audio_path)!r}")
    ffmpeg = ensure_ffmpeg(mediapy=False)  # MissingDependency (with the install command) before any work
    remove_stale_temps(outputs)  # left by an export that was killed
    cache = _segment_cache(cache_dir) if "mp4" in formats else None

    # 2. Encode each format to a hidden temporary file, streaming the frames.
    timings: dict[str, float] = {}
    audio_error = None
    staged = Staging(overwrite)
    bar = _progress_bar(story.num_frames * len(videos), progress)
    try:
        for fmt, out in videos.items():
            t0 = time.perf_counter()
            tmp = staged.add(out)
            vp9 = fmt == "webm" and has_encoder("libvpx-vp9")
            if fmt == "gif":
                print(f"storykit: {_gif_note(story, out)}")  # GIFs are big: say how big before writing one
            sound = audio_path if fmt != "gif" and audio_error is None else None
            segments = _encode(story, tmp, fmt, name=str(out), ffmpeg=ffmpeg, vp9=vp9, tick=bar.update,
                               cache=cache if fmt == "mp4" else None, audio=sound)
            if segments is not None:
                timings.update(segments_encoded=segments.encoded, segments_reused=segments.reused)
            staged.verify(out, tmp)
            if segments is not None and sound is not None:
                audio_error = segments.audio_error  # muxed as the segments were joined
            elif sound is not None:
                audio_error = _mux_audio(tmp, audio_path, fmt, story.duration)
            timings[f"encode_{fmt}_s"] = round(time.perf_counter() - t0, 3)
        bar.close()
        has_audio = audio_path is not None and audio_error is None and any(f != "gif" for f in formats)

        # 3. Subtitles and the manifest, also to temporary files.
        if srt is not None:
            write_text(staged.add(srt), srt, to_srt(story))
            write_text(staged.add(vtt), vtt, to_vtt(story))
            write_text(staged.add(narration), narration, narrate(story.texts) + "\n")  # the story as prose
        if manifest_path is not None:
            data = dict(manifest) if isinstance(manifest, dict) else build_manifest(None, None, story)
            data["export"] = {
                "formats": list(formats),
                "files": [p.name for p in [*videos.values(), srt, vtt, narration] if p is not None],
                "subtitles": srt is not None,
                "audio": None if audio_path is None else {
                    "file": audio_path.name, "sha256": sha256_of_file(audio_path), "muxed": has_audio,
                },
                "mp4_crf": MP4_CRF,
                "mp4_preset": MP4_PRESET,
                "webm_crf": WEBM_CRF,
            }
            data.setdefault("timings", {})
            data["timings"] = {**(data["timings"] or {}), "export": timings}
            write_text(staged.add(manifest_path), manifest_path, json.dumps(_jsonable(data), indent=2, ensure_ascii=False))

        # 4. Publish them all, never over a file that appeared meanwhile (unless overwrite).
        staged.publish()
    finally:
        bar.close()
        staged.discard()
        if cache is not None:
            cache.prune(automatic=True)  # after the join: segments count towards the cache's cap
    if audio_error is not None:
        raise InvalidInput(
            f"audio {str(audio_path)!r} could not be decoded ({audio_error}); the video was written without sound: "
            f"{', '.join(str(p) for p in videos.values())}"
        )
    return ExportResult(videos, srt, vtt, manifest_path, has_audio, timings, narration)


# -- encoding ------------------------------------------------------------------------


def _encode(story: Story, tmp: Path, fmt: str, *, cache=None, audio: Path | None = None, **kw):
    """Encodes `story` into `tmp`: an MP4 from cached segments where `cache` can keep them, else in one pass.

    Returns the segments' SegmentStats (`audio`, if given, is muxed as they are joined), or
    None for a one-pass encode (the caller muxes `audio`).
    """
    from .encode import encode
    from .segments import export_segmented

    if cache is not None:  # only what changed is encoded; the rest joined by stream copy
        sound = (_audio_args(audio, fmt, story.duration), str(audio)) if audio is not None else None
        stats = export_segmented(story, tmp, cache, name=kw["name"], ffmpeg=kw["ffmpeg"], tick=kw.get("tick"),
                                 audio=sound)
        if stats is not None:
            return stats
    encode(story, tmp, fmt, **kw)
    return None


def _gif_note(story: Story, out: Path) -> str:
    from .encode import gif_estimate, gif_frames, gif_settings

    rate, colours = gif_settings(story.width, story.height, story.fps)
    n = len(gif_frames(story.num_frames, story.fps, rate))
    size = gif_estimate(story.width, story.height, n, colours)
    return (f"writing {out.name}: {story.width}x{story.height}, {n} frames at {rate:g} fps, {colours} colours, "
            f"about {size / 1e6:.1f} MB")


def _segment_cache(cache_dir):
    """The clip cache that keeps MP4 segments, or None (cache_dir=False: one pass, nothing kept)."""
    from ..generate.cache import open_cache

    return open_cache(cache_dir)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: bool):
    """tqdm over the frames encoded: on a terminal or in a notebook, and not with progress=False."""
    if not progress:
        return _NoBar()
    try:
        shown = sys.stderr.isatty() or in_a_notebook()
    except (AttributeError, ValueError):
        shown = False
    if not shown:
        return _NoBar()
    from ..progress import tqdm

    return tqdm(total=total, desc="export", unit="frame")


def _mux_audio(video: Path, audio: Path, fmt: str, duration: float) -> str | None:
    """Adds `audio` to `video` in place (AAC, or Opus for WebM; video copied), cut at `duration` s.

    Returns None on success, else ffmpeg's last error line; `video` is then left as it was.
    """
    out = video.with_name(video.stem + ".audio" + video.suffix)
    try:
        error = _run_mux(video, audio, out, fmt, duration)
        if error is None:
            os.replace(out, video)
        return error
    finally:
        with contextlib.suppress(OSError):  # cleanup must never hide the error that got here
            out.unlink(missing_ok=True)


def _channels(audio: Path) -> int:
    """The channel count of a WAV (2 for any other file: the bit rate for stereo is safe for both)."""
    import wave

    try:
        with wave.open(str(audio), "rb") as w:
            return w.getnchannels()
    except (OSError, EOFError, wave.Error):
        return 2


def _audio_args(audio: Path, fmt: str, duration: float) -> list[str]:
    """ffmpeg's output options for `audio` as the second input (1:a:0) of an MP4 or WebM `duration` s long."""
    mono = _channels(audio) == 1  # a narration alone (stitch.mix): half the bits, half the encoder's work
    if fmt == "mp4":  # speech alone: ffmpeg's fast AAC search, 0.36 -> 0.15 s CPU for 16 s (music keeps twoloop)
        codec = ["-c:a", "aac", "-b:a", "96k", "-aac_coder", "fast"] if mono else ["-c:a", "aac", "-b:a", "160k"]
    else:
        codec = ["-c:a", "libopus", "-b:a", "64k" if mono else "128k"]
    # the video's length: longer audio is cut, shorter audio ends early
    return ["-map", "1:a:0", *codec, "-t", f"{duration:.3f}"]


def _run_mux(video: Path, audio: Path, out: Path, fmt: str, duration: float) -> str | None:
    from .ffmpeg import run_ffmpeg

    args = [
        "-v", "error", "-y", "-i", str(video), "-i", str(audio),
        "-map", "0:v:0", "-c:v", "copy", *_audio_args(audio, fmt, duration),
        *(["-movflags", "+faststart"] if fmt == "mp4" else []),
        str(out),
    ]
    proc = run_ffmpeg(args)
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        return lines[-1] if lines else f"ffmpeg exited with {proc.returncode}"
    # A corrupt stream can still "succeed" with decode errors; treat those as failures too.
    errors = [ln for ln in lines if "Invalid data" in ln or "Error while decoding" in ln]
    return errors[-1] if errors else None


# -- subtitles -----------------------------------------------------------------------


def _cues(story: Story) -> list[tuple[float, float, str]]:
    if story.metadata.get("cues"):  # a narrated story: each cue while its line is spoken (stitch.narration)
        return [(a, b, t.strip()) for a, b, t in story.metadata["cues"] if t.strip()]
    return [(a, b, t.strip()) for (a, b), t in zip(story.times(), story.texts) if t.strip()]


def _stamp(seconds: float, sep: str) -> str:
    ms = int(math.floor(seconds * 1000 + 0.5))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(story: Story) -> str:
    """SubRip subtitles: one numbered cue per scene with text, at the scene's span."""
    blocks = [
        f"{k}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{text}\n"
        for k, (a, b, text) in enumerate(_cues(story), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(story: Story) -> str:
    """WebVTT subtitles (what browsers' <track> reads), same cues as `to_srt`."""

    def esc(t: str) -> str:  # VTT cue text is HTML-like, and "-->" would end the timing line
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    blocks = [f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{esc(text)}\n" for a, b, text in _cues(story)]
    return "WEBVTT\n\n" + "\n".join(blocks)


# -- manifest ------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    """Installed versions of the packages that shape the output (no imports: metadata only)."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in _VERSION_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    if "storykit" not in out:  # running from a source tree
        from .._version import __version__

        out["storykit"] = __version__
    return out


def _jsonable(x: Any) -> Any:
    """Plain JSON types only: numpy scalars become numbers, arrays a short description."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return f"<array {list(x.shape)} {x.dtype}>"
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return _jsonable(dataclasses.asdict(x))
    return str(x)


_MODEL_HINTS = ("model", "checkpoint", "sha256", "hash", "lora", "adapter", "repo", "revision")


def build_manifest(
    script,
    clips,
    story: Story,
    *,
    backend_info: dict | None = None,
    config: Any = None,
    stitch_options: dict | None = None,
    timings: dict | None = None,
) -> dict:
    """Everything needed to reproduce `story`, as a JSON-ready dict.

    Args:
        script: the Script rendered (None only for a bare story, which cannot be replayed).
        clips: the rendered Clips; their metadata gives seeds, model ids and checkpoint hashes.
        story: the stitched Story.
        backend_info: the backend's `describe()`.
        config: the RenderConfig (or its dict).
        stitch_options: keyword arguments given to `stitch`; default: those the story records.
        timings: seconds spent per stage, e.g. {"render_s": ..., "stitch_s": ...}.
    """
    scenes, models = [], {}
    for c in clips or []:
        meta = _jsonable(dict(c.metadata))
        scenes.append({
            "index": c.scene_index,
            "seed": meta.get("seed", _scene_seed(script, c.scene_index)),
            "num_frames": c.num_frames,
            "fps": c.fps,
            "height": c.height,
            "width": c.width,
            "metadata": meta,
        })
        for k, v in meta.items():
            if any(h in k.lower() for h in _MODEL_HINTS) and isinstance(v, (str, int, float)) and k not in models:
                models[k] = v
    reference = getattr(config, "reference", None)
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        config = dataclasses.asdict(config)
    if reference is not None and hasattr(reference, "to_manifest"):  # the character image, by file and sha256
        config["reference"] = reference.to_manifest()
    options = dict(stitch_options if stitch_options is not None else story.metadata.get("options", {}))
    return _jsonable({
        "kind": MANIFEST_KIND,
        "manifest_version": MANIFEST_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "script": script.to_dict() if script is not None else None,
        "scenes": scenes,
        "backend": backend_info or {},
        "models": models,
        "config": config,
        "stitch": {k: options.get(k) for k in _STITCH_KEYS if k in options},
        "story": {
            "num_frames": story.num_frames,
            "fps": story.fps,
            "height": story.height,
            "width": story.width,
            "duration_s": round(story.duration, 3),
            "spans": story.spans,
            "texts": story.texts,
            "scene_indices": story.scene_indices,
            "transitions": story.metadata.get("transitions"),
            "transition_lengths": story.metadata.get("transition_lengths"),
            "title_frames": story.metadata.get("title_frames", 0),
        },
        "timings": timings or {},
        "versions": _versions(),
        "platform": platform.platform(),
    })


def _scene_seed(script, index: int):
    try:
        return script.scene(index).seed if script is not None else None
    except StorykitError:
        return None


def load_manifest(path: str | os.PathLike) -> dict:
    """Reads and checks a manifest written by `export_story`; raises InvalidInput if it is not one."""
    from ..plan.script import Script, check_nesting

    path = Path(path)
    if not exists(path) or not path.is_file():  # exists(): False, not OSError, for a name too long
        raise InvalidInput(f"no manifest file at {str(path)!r}")
    try:
        data = json.loads(check_nesting(path.read_text(encoding="utf-8"), f"manifest {str(path)!r}"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidInput(f"{str(path)!r} is not a JSON manifest ({getattr(e, 'msg', 'not UTF-8 text')})") from None
    if not isinstance(data, dict) or data.get("kind") != MANIFEST_KIND:
        raise InvalidInput(f"{str(path)!r} is not a storykit manifest (no \"kind\": \"{MANIFEST_KIND}\")")
    if data.get("manifest_version") != MANIFEST_VERSION:
        raise InvalidInput(
            f"manifest version {data.get('manifest_version')!r} is not supported (this storykit reads "
            f"version {MANIFEST_VERSION}); upgrade storykit"
        )
    optional_dict = (dict, type(None))
    for key, kind in (("script", optional_dict), ("stitch", dict), ("backend", dict), ("config", optional_dict)):
        if not isinstance(data.get(key), kind):
            raise InvalidInput(f"manifest {str(path)!r} has a malformed or missing {key!r} entry")
    unknown = set(data["stitch"]) - set(_STITCH_KEYS)
    if unknown:
        raise InvalidInput(f"manifest stitch options {sorted(unknown)} are unknown; allowed: {', '.join(_STITCH_KEYS)}")
    if data["script"] is not None:
        Script.from_dict(data["script"])  # raises InvalidInput naming the bad field
    reference = (data.get("config") or {}).get("reference")
    if isinstance(reference, dict) and reference.get("file"):
        beside = path.parent / str(reference["file"])  # the PNG written next to the manifest wins: folders move
        if beside.is_file():
            reference["path"] = str(beside)
    return data


@dataclasses.dataclass
class Replay:
    """What a manifest says to run: `render_story(script, backend, config)`, then `stitch(clips, script, **stitch)`."""

    script: Any
    backend: str | None
    config: Any
    stitch: dict


def replay_inputs(manifest: dict) -> Replay:
    """Turns a `load_manifest` dict into the inputs of `render_story` and `stitch`."""
    from ..generate.config import RenderConfig
    from ..plan.script import Script

    if manifest.get("script") is None:
        raise InvalidInput(
            "this manifest has no script (export_story was called without build_manifest); it cannot be replayed"
        )
    script = Script.from_dict(manifest["script"])
    config = None
    if manifest.get("config"):
        try:
            config = RenderConfig(**manifest["config"])
        except TypeError as e:
            raise InvalidInput(f"manifest config is malformed: {e}") from None
    info = manifest.get("backend") or {}
    backend = info.get("backend") or info.get("name")
    return Replay(script, backend, config, {k: v for k, v in manifest["stitch"].items() if k in _STITCH_KEYS})


