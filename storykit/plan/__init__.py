"""Stage 1 — planning: a triple becomes a multi-scene `Script` (notebook 01).

>>> from storykit.plan import plan, Script
>>> script = plan("a misty bamboo forest at dawn", "a small red fox in a blue scarf",
...               "searches for a lost lantern", num_scenes=5, seed=0)
>>> [s.beat for s in script.scenes]
['establish', 'introduce', 'rising', 'climax', 'resolution']
>>> script.edit(2, camera="zoom_in").camera
'zoom_in'
>>> from storykit.plan import count_tokens
>>> count_tokens("a small red fox in a blue scarf")   # CLIP sees at most 75 of these
8

>>> script.narration().split(". ")[0]
'A misty bamboo forest at dawn'

Modules: `script` (Triple, Scene, Script: the data model and its JSON),
`planner` (the story arc, camera moves, styles and scene timing), `captions`
(the template writer's sentences, in the triple's language, read at 3 words/s),
`llm` (the optional LLM writer and its fallback), `tokens` (CLIP's exact
77-token limit, offline) and `storybench` (StoryBench task files in and out).

Nothing here imports torch, numpy or diffusers (the LLM writer imports torch
and transformers only when it runs a local model).
"""

from __future__ import annotations

from .planner import MAX_PLAN_SCENES, MIN_PLAN_SCENES, STYLES, WRITERS, Style, fit_prompt, plan, scene_seed
from .script import CAMERA_MOVES, SCHEMA_VERSION, TRANSITIONS, Scene, Script, Triple
from .storybench import load_storybench, script_from_storybench, script_to_storybench
from .tokens import MAX_TOKENS, count_tokens, truncate_to_tokens

__all__ = [
    "Triple", "Scene", "Script", "SCHEMA_VERSION", "CAMERA_MOVES", "TRANSITIONS",
    "plan", "WRITERS", "Style", "STYLES", "MIN_PLAN_SCENES", "MAX_PLAN_SCENES", "scene_seed", "fit_prompt",
    "MAX_TOKENS", "count_tokens", "truncate_to_tokens",
    "load_storybench", "script_from_storybench", "script_to_storybench",
]
