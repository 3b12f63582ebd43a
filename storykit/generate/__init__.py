"""Stage 2 — generation: every scene of a Script becomes a `Clip` (notebook 02).

>>> from storykit.plan import plan
>>> from storykit.generate import RenderConfig, get_backend, render_story
>>> script = plan("a misty bamboo forest at dawn", "a small red fox in a blue scarf",
...               "searches for a lost lantern", num_scenes=3)
>>> clips = render_story(script, backend="animatic", config=RenderConfig(height=64, width=64),
...                      progress=False)                                   # doctest: +SKIP
>>> clips[0].frames.shape                                                  # doctest: +SKIP
(16, 64, 64, 3)

Two backends share one contract (`backend.Backend`): `lightning/` is
AnimateDiff-Lightning through diffusers (arXiv 2403.12706), `animatic/` the
offline moving storyboard that needs no weights. `render` loops over scenes
through the content-addressed `cache`, so re-running after an edit renders only
what changed; `device` picks the device and dtype in one place; `config` holds
the settings all scenes share. `reference` holds the character image every scene
follows (IP-Adapter, on Lightning) and `continuity` the handoff that starts each
scene from the last frame of the one before. torch and diffusers load only when
Lightning is used.
"""

from __future__ import annotations

from .backend import BACKENDS, Backend, get_backend
from .clips import Clip, LazyClip
from .config import RenderConfig
from .reference import CharacterReference, load_reference, make_reference
from .render import render_scene, render_story

__all__ = ["Clip", "LazyClip", "RenderConfig", "Backend", "BACKENDS", "get_backend", "render_scene", "render_story",
           "CharacterReference", "load_reference", "make_reference"]


def _drop_torchvision_fallback_note() -> None:
    """Drops one known-harmless message: transformers' "CLIPImageProcessor requires torchvision ... falling back".

    transformers 5 logs it (once per process) when diffusers imports its pipelines on a machine
    without torchvision. storykit never installs torchvision (0.28 breaks diffusers' import next
    to torch 2.13 CPU), so the PIL fallback is the intended path. Only that message is filtered,
    on the one logger that writes it; every other warning still shows.
    """
    import logging

    logging.getLogger("transformers.utils.import_utils").addFilter(
        lambda record: "requires torchvision" not in record.getMessage())


_drop_torchvision_fallback_note()
