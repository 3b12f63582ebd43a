"""Stage 4 — stitching: clips become one story video, with subtitles (notebook 04).

>>> from storykit.stitch import stitch, export_story
>>> story = stitch(clips, script, fps=24)        # doctest: +SKIP
>>> story.spans                                  # (start, end) frame of each scene  # doctest: +SKIP
[(0, 42), (42, 84), (84, 132)]
>>> export_story(story, "story.mp4")             # + story.srt, story.vtt  # doctest: +SKIP

Modules: `timeline` (`stitch`: conform, transitions, title card, captions → a
`Story` that makes its frames on demand), `retime` (frame-rate conversion without
double exposures), `export` (MP4/GIF/WebM, SRT/VTT, audio, the manifest that
replays a story exactly), `encode` (frames streamed into ffmpeg), `segments` (the MP4 as
cached per-scene and per-transition segments joined by stream copy: re-runs encode only what changed), `publish`
(temporary files, published without clobbering), `ffmpeg` (finding and running ffmpeg)
and `storybench_files` (the `.npz` files StoryBench's evaluator reads; its conditioning videos).
"""

from __future__ import annotations

import sys
import types

from .export import ExportResult, build_manifest, export_story, load_manifest, replay_inputs, to_srt, to_vtt
from .timeline import INTERPOLATIONS, Story, stitch

__all__ = [
    "stitch", "Story", "INTERPOLATIONS",
    "export_story", "ExportResult", "to_srt", "to_vtt", "build_manifest", "load_manifest", "replay_inputs",
]


class _Stage(types.ModuleType):
    """This package, callable as `stitch`: ``storykit.stitch(clips, script)`` works whether
    ``storykit.stitch`` is still the function or already this package (importing a submodule
    such as ``storykit.stitch.export`` binds the package there)."""

    def __call__(self, *args, **kwargs):
        return stitch(*args, **kwargs)


sys.modules[__name__].__class__ = _Stage
