"""Triple → Script: a deterministic story planner (MovieFactory's idea, no LLM).

MovieFactory (arXiv 2306.07257) has a language model expand a short text into a
sequential multi-scene script. storykit does the same with a story arc and
seeded templates, so it runs anywhere, instantly and reproducibly:

>>> from storykit import plan
>>> script = plan("a misty bamboo forest at dawn", "a small red fox in a blue scarf",
...               "searches for a lost lantern", num_scenes=5, seed=0)
>>> [s.beat for s in script.scenes]
['establish', 'introduce', 'rising', 'climax', 'resolution']

Every prompt starts with the character and the action, so both stay inside
CLIP's first 77 tokens; when a prompt would run longer the planner drops its
least important parts and says so in `script.notes`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random

from ..errors import InvalidInput
from .script import DEFAULT_NEGATIVE_PROMPT, Scene, Script, Triple
from .tokens import MAX_CONTENT_TOKENS, count_tokens, truncate_to_tokens

__all__ = ["Style", "STYLES", "plan", "scene_seed", "fit_prompt", "MIN_PLAN_SCENES", "MAX_PLAN_SCENES"]

MIN_PLAN_SCENES, MAX_PLAN_SCENES = 3, 8


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
    )
}

# The arc: establish the setting → introduce the character → the action unfolds
# over beats → climax → resolution. Middle beats repeat to fill longer stories.
_MIDDLE = ("rising", "obstacle", "discovery", "rising", "obstacle")

# Per beat: camera moves that suit it, the shot description for the prompt, and
# narration templates ({The} = the character with "the", {action} verbatim).
_BEATS = {
    "establish": (
        ("pan_right", "pan_left", "tilt_down", "zoom_out"),
        "tiny in the distance, wide establishing shot",
        ("It begins in {setting}.", "Far away, in {setting}, a story is waiting.", "This is {setting}."),
    ),
    "introduce": (
        ("zoom_in", "static", "pan_left"),
        "arriving and looking around, medium shot",
        ("{The} arrives.", "Here comes {the}.", "{The} appears, curious and ready."),
    ),
    "rising": (
        ("pan_left", "pan_right", "static"),
        "on the move, full body shot",
        ("{The} {action}.", "Step by step, {the} {action}.", "Undaunted, {the} {action}."),
    ),
    "obstacle": (
        ("tilt_up", "static", "zoom_out"),
        "facing a challenge, low angle",
        ("But it is harder than it looks.", "Something stands in the way.", "{The} hesitates, then tries again."),
    ),
    "discovery": (
        ("zoom_in", "pan_right", "static"),
        "noticing a clue, over the shoulder shot",
        ("{The} notices something.", "A clue! {The} looks closer.", "Something glimmers ahead."),
    ),
    "climax": (
        ("zoom_in", "tilt_up"),
        "the decisive moment, dramatic close-up",
        ("At last, {the} {action}!", "Everything comes down to this moment.", "With one final effort, {the} {action}."),
    ),
    "resolution": (
        ("zoom_out", "tilt_up", "static"),
        "calm and happy, warm light, wide shot",
        ("{The} rests, happy. The end.", "Peace returns to {setting}. The end.", "And so the journey ends. The end."),
    ),
}
_CAMERA_WORDS = {
    "static": "steady camera",
    "pan_left": "camera pans left",
    "pan_right": "camera pans right",
    "zoom_in": "camera zooms in",
    "zoom_out": "camera zooms out",
    "tilt_up": "camera tilts up",
    "tilt_down": "camera tilts down",
}


def arc(num_scenes: int) -> list[str]:
    """Beat names for a story of `num_scenes` (3-8) scenes."""
    if num_scenes == 3:
        return ["introduce", "climax", "resolution"]
    middle = [_MIDDLE[i % len(_MIDDLE)] for i in range(num_scenes - 4)]
    return ["establish", "introduce", *middle, "climax", "resolution"]


def scene_seed(story_seed: int, index: int) -> int:
    """A stable 32-bit seed per scene: same story seed → same scene seeds on every machine."""
    return int.from_bytes(hashlib.sha256(f"storykit:{story_seed}:{index}".encode()).digest()[:4], "little")


def _definite(noun_phrase: str) -> str:
    """'a small red fox' → 'the small red fox' (narration refers back to the character)."""
    words = noun_phrase.split(" ", 1)
    if len(words) == 2 and words[0].lower() in ("a", "an", "one"):
        return "the " + words[1]
    return noun_phrase


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fit_prompt(parts: list[tuple[str, str]], *, keep: int = 2, tokenizer=None) -> tuple[str, list[str]]:
    """Joins `(label, text)` prompt parts with commas within CLIP's 75 content tokens.

    Parts are in order of importance. The first `keep` (character, action) are
    never dropped; the others are dropped from the end, and the last one left is
    shortened, until the prompt fits. Returns the prompt and what it had to change.
    """
    parts = [(label, text) for label, text in parts if text]
    core = ", ".join(text for _, text in parts[:keep])
    n = count_tokens(core, tokenizer)
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


def plan(
    setting: str | Triple,
    character: str | None = None,
    action: str | None = None,
    *,
    num_scenes: int = 5,
    style: str = "cinematic",
    seed: int = 0,
    num_frames: int = 16,
    fps: int = 8,
    tokenizer=None,
) -> Script:
    """Plans a multi-scene Script from a (setting, character, action) triple.

    Deterministic: the same arguments give the same script; another `seed` picks
    other camera moves, transitions and narration. `tokenizer` defaults to the
    exact CLIP tokenizer (pass a loaded pipeline's `pipe.tokenizer` if you have one).
    """
    # 1. Check inputs.
    triple = setting if isinstance(setting, Triple) else Triple(setting, character, action)
    if isinstance(num_scenes, bool) or not isinstance(num_scenes, int) or not MIN_PLAN_SCENES <= num_scenes <= MAX_PLAN_SCENES:
        raise InvalidInput(f"num_scenes must be an integer from {MIN_PLAN_SCENES} to {MAX_PLAN_SCENES}, got {num_scenes!r}")
    if style not in STYLES:
        raise InvalidInput(f"unknown style {style!r}; choose one of: {', '.join(STYLES)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InvalidInput(f"seed must be an integer from 0 to 2**32-1, got {seed!r}")
    if tokenizer is not None and not callable(tokenizer):  # e.g. a repo id: we never load one behind your back
        raise InvalidInput(
            f"tokenizer must be a loaded tokenizer such as pipe.tokenizer, got {type(tokenizer).__name__} "
            f"{str(tokenizer)[:60]!r}; leave it out to count with CLIP's own (exact, offline)"
        )
    look = STYLES[style]
    rng = random.Random(f"storykit-plan:{seed}")
    the = _definite(triple.character)

    # 2. Walk the arc, one scene per beat.
    scenes, notes = [], []
    beats = arc(num_scenes)
    for i, beat in enumerate(beats):
        cameras, shot, narrations = _BEATS[beat]
        camera = rng.choice(cameras)
        text = rng.choice(narrations).format(The=_cap(the), the=the, action=triple.action, setting=triple.setting)
        prompt, changed = fit_prompt(
            [
                ("character", triple.character),
                ("action", triple.action),
                ("setting", f"in {triple.setting}"),
                ("shot", shot),
                ("camera", _CAMERA_WORDS[camera]),
                ("style", look.suffix),
            ],
            tokenizer=tokenizer,
        )
        if changed:
            notes.append(f"scene {i}: prompt cut to fit CLIP's 77 tokens ({'; '.join(changed)})")
        last = i == len(beats) - 1
        transition = "fade_black" if last else ("cut" if beat == "obstacle" else rng.choice(("crossfade", "crossfade", "cut")))
        scenes.append(
            Scene(
                index=i,
                beat=beat,
                prompt=prompt,
                text=_cap(text),
                negative_prompt=look.negative,
                num_frames=num_frames,
                fps=fps,
                seed=scene_seed(seed, i),
                camera=camera,
                transition=transition,
            )
        )
    title = _cap(f"{the} {triple.action}")
    return Script(triple=triple, scenes=scenes, style=style, seed=seed, title=title[:300], notes=notes).validate()
