"""Looks and the 77-token prompt fit: what the planner and the LLM writer both use.

>>> from storykit.plan.styles import STYLES, fit_prompt
>>> STYLES["anime"].base
'anime'
>>> fit_prompt([("character", "a fox"), ("action", "runs"), ("style", "watercolor")])
('a fox, runs, watercolor', [])
"""

from __future__ import annotations

import dataclasses

from ..errors import InvalidInput
from .script import DEFAULT_NEGATIVE_PROMPT
from .tokens import MAX_CONTENT_TOKENS, count_tokens, truncate_to_tokens

__all__ = ["Style", "STYLES", "fit_prompt"]


@dataclasses.dataclass(frozen=True)
class Style:
    """A look applied to every prompt; `base` names the Lightning base-model preset that suits it."""

    name: str
    suffix: str
    negative: str = DEFAULT_NEGATIVE_PROMPT
    base: str = "realistic"


# The model card: stylised bases give AnimateDiff-Lightning its best results. `base` names a
# preset of storykit.generate.lightning.weights.BASE_MODELS: photographic looks go to epiCRealism,
# anime to Mistoon Anime, rendered/tactile ones to DreamShaper, drawn ones to ToonYou.
STYLES = {
    s.name: s
    for s in (
        Style("cinematic", "cinematic lighting, 35mm film, shallow depth of field, highly detailed"),
        Style("anime", "anime style, cel shading, vibrant colors, studio quality", base="anime"),
        Style("watercolor", "watercolor painting, soft washes, paper texture, storybook illustration", base="cartoon"),
        Style("claymation", "claymation, plasticine figures, stop motion, handmade miniature set", base="3d"),
        Style("storybook", "children's book illustration, gentle colors, whimsical", base="cartoon"),
        Style("pixel", "pixel art, 16-bit retro game, crisp pixels", base="cartoon"),
        # No look at all: benchmark prompts (StoryBench) must say only what the annotators wrote.
        Style("none", ""),
    )
}

def fit_prompt(parts: list[tuple[str, str]], *, keep: int = 2, tokenizer=None) -> tuple[str, list[str]]:
    """Joins `(label, text)` prompt parts with commas within CLIP's 75 content tokens.

    Parts are in order of importance. The first `keep` (character, action, the
    beat's shot tag) are never dropped; the others are dropped from the end, and the last one left is
    shortened, until the prompt fits. Returns the prompt and what it had to change.
    """
    parts = [(label, text) for label, text in parts if text]
    core = ", ".join(text for _, text in parts[:keep])
    # The user's own words (character, action) must leave room for a short kept tag.
    n = count_tokens(", ".join(text for _, text in parts[: min(keep, 2)]), tokenizer)
    if n > MAX_CONTENT_TOKENS - 4:
        raise InvalidInput(
            f"the character and the action take {n} CLIP tokens; together they must fit in "
            f"{MAX_CONTENT_TOKENS - 4} (Stable Diffusion reads only 77): describe them more briefly"
        )
    changed: list[str] = []
    while count_tokens(", ".join(text for _, text in parts), tokenizer) > MAX_CONTENT_TOKENS:
        if len(parts) > keep + 1:
            changed.insert(0, parts.pop()[0])
            continue
        # One optional part left: keep as much of it as fits.
        label, text = parts.pop()
        room = MAX_CONTENT_TOKENS - count_tokens(core + ",", tokenizer)
        short = truncate_to_tokens(text, room, tokenizer)
        changed.insert(0, f"{label} shortened to {short!r}" if short else label)
        if short:
            parts.append((label, short))
    return ", ".join(text for _, text in parts), changed
