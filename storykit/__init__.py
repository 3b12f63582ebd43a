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

The pieces, one module each: `script` (data model), `plan` (triple → script),
`tokens` (CLIP's 77-token limit), `storybench` (StoryBench interop),
`lightning` (AnimateDiff-Lightning), `animatic` (offline backend), `render`
and `cache` (render only what changed), `stitch` and `export` (one video),
`inspection` (contact sheets, diagnostics), `widgets` (the studio).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Light imports only: torch, diffusers and matplotlib load when first used.
from .errors import InvalidInput, MissingDependency, MissingWeights, StorykitError
from .script import Scene, Script, Triple
from .clips import Clip
from .backend import RenderConfig, get_backend
from .plan import STYLES, plan
from .stitch import Story, stitch  # eager: the submodule `stitch` would otherwise shadow the function

_LAZY = {
    "render_story": "render",
    "render_scene": "render",
    "export_story": "export",
    "make_story": "story",
    "script_from_storybench": "storybench",
    "script_to_storybench": "storybench",
    "load_storybench": "storybench",
    "diagnose": "inspection",
    "contact_sheet": "inspection",
    "storyboard": "inspection",
    "compare": "inspection",
    "Studio": "widgets",
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
