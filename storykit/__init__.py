"""storykit: from a setting, a character and an action to a short animated story.

Quick start (the offline animatic backend needs no weights; with AnimateDiff-
Lightning weights on the machine, ``backend="auto"`` uses them):

>>> import storykit
>>> script = storykit.plan("a misty bamboo forest at dawn",
...                        "a small red fox in a blue scarf",
...                        "searches for a lost lantern")
>>> len(script.scenes)
5
>>> clips = storykit.render_story(script, backend="animatic")    # doctest: +SKIP
>>> story = storykit.stitch(clips, script)                       # doctest: +SKIP
>>> storykit.export_story(story, "story.mp4")                    # doctest: +SKIP

The package follows the pipeline and the notebook series, one stage a folder:

* `storykit.plan` — triple → Script (data model, planner, CLIP tokens, StoryBench);
* `storykit.generate` — Script → Clips (backends: Lightning, animatic; render loop, cache);
* `storykit.inspection` — contact sheets, storyboards, metrics, comparisons;
* `storykit.stitch` — Clips → one Story → MP4/GIF/WebM, subtitles, manifest;
* `storykit.studio` — the widget app and notebook helpers;

with `story` (the main job, `make_story`), `cli` and `errors` on top. A stage
imports only the stages before it.

`storykit.plan` and `storykit.stitch` are also the names of the two functions
people call most, so on the package they are the functions; their stage
modules import as usual (``from storykit.plan import Script``).
"""

from __future__ import annotations

import importlib

from ._version import __version__

# Light imports only: planning needs neither numpy nor the later stages (`storykit plan`
# starts in a few tens of milliseconds); they, torch, diffusers and matplotlib load when first used.
from .errors import InvalidInput, MissingDependency, MissingWeights, StorykitError
from .plan import STYLES, Scene, Script, Triple, plan  # binds storykit.plan to the function

_LAZY = {
    "get_backend": "generate.backend",
    "Clip": "generate.clips",
    "RenderConfig": "generate.config",
    "Story": "stitch.timeline",
    "stitch": "stitch.timeline",  # the package, once imported, is callable as this function (stitch/__init__)
    "render_story": "generate.render",
    "render_scene": "generate.render",
    "export_story": "stitch.export",
    "make_story": "story",
    "script_from_storybench": "plan.storybench",
    "script_to_storybench": "plan.storybench",
    "load_storybench": "plan.storybench",
    "render_storybench": "benchmark",
    "diagnose": "inspection.metrics",
    "contact_sheet": "inspection.sheets",
    "storyboard": "inspection.sheets",
    "compare": "inspection.compare",
    "Studio": "studio.widgets",
    "load_reference": "generate.reference",
    "make_reference": "generate.reference",
}

__all__ = [
    "__version__",
    "Triple", "Scene", "Script", "Clip", "RenderConfig", "STYLES",
    "plan", "get_backend", "stitch", "Story",
    "StorykitError", "InvalidInput", "MissingDependency", "MissingWeights",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'storykit' has no attribute {name!r}")
