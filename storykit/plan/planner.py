"""Triple → Script: a deterministic story planner (MovieFactory's idea), with an optional LLM writer.

MovieFactory (arXiv 2306.07257) has a language model expand a short text into a
sequential multi-scene script. storykit's default "template" writer does the same
with a story arc and seeded sentence frames (`captions`), so it runs anywhere,
instantly and reproducibly; `writer="llm"` asks a language model instead and
falls back to the templates on any failure (`llm`):

>>> from storykit import plan
>>> script = plan("a misty bamboo forest at dawn", "a small red fox in a blue scarf",
...               "searches for a lost lantern", num_scenes=5, seed=0)
>>> [s.beat for s in script.scenes]
['establish', 'introduce', 'rising', 'climax', 'resolution']

Every caption is a sentence of its own: the character is named in full once and
then by the head noun ("the fox"), the action is said by the middle scene, and
each scene lasts long enough to read its caption. Every prompt starts with the
character, the action and a shot tag that differs per scene, so they stay inside
CLIP's first 77 tokens; when a prompt would run longer the planner drops its
least important parts and says so in `script.notes`.
"""

from __future__ import annotations

import hashlib
import random

from ..errors import InvalidInput
from .captions import READING_WPS, Voice, frames_to_read, reading_words, voice_for, where
from .script import MAX_FRAMES, Scene, Script, Triple
# Styles and the 77-token fit are shared with the LLM writer, which the planner calls: they live below both.
from .styles import STYLES, Style, fit_prompt

__all__ = ["Style", "STYLES", "WRITERS", "plan", "scene_seed", "fit_prompt", "MIN_PLAN_SCENES", "MAX_PLAN_SCENES"]

MIN_PLAN_SCENES, MAX_PLAN_SCENES = 3, 8


# The arc: establish the setting → introduce the character → the action unfolds
# over beats → climax → resolution. Middle beats repeat to fill longer stories.
_MIDDLE = ("rising", "obstacle", "discovery", "rising", "obstacle")

# Per beat: camera moves that suit it, short shot tags (one per repeat of the beat, so
# every prompt of a script differs inside CLIP's window) and a longer shot description.
_BEATS = {
    "establish": (("pan_right", "pan_left", "tilt_down", "zoom_out"), ("wide shot", "aerial view"), "tiny in the distance"),
    "introduce": (("zoom_in", "static", "pan_left"), ("medium shot", "eye level"), "arriving and looking around"),
    "rising": (("pan_left", "pan_right", "static"), ("tracking shot", "side view"), "on the move, full body"),
    "obstacle": (("tilt_up", "static", "zoom_out"), ("low angle", "dutch angle"), "facing a challenge"),
    "discovery": (("zoom_in", "pan_right", "static"), ("over the shoulder", "high angle"), "noticing a clue"),
    "climax": (("zoom_in", "tilt_up"), ("close up", "extreme close up"), "the decisive moment, dramatic"),
    "resolution": (("zoom_out", "tilt_up", "static"), ("golden light", "warm glow"), "calm and content, wide view"),
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


WRITERS = ("template", "llm")
BASE_FRAMES = 16  # AnimateDiff-Lightning is distilled for 16-frame clips.
# A scene may grow to this many frames so its caption can be read: AnimateDiff's v2
# motion module holds 32 frame positions (motion_max_seq_length), so Lightning
# still renders it in one window, without FreeNoise.
MAX_READING_FRAMES = 32


def _check_plan_args(num_scenes, style, seed, num_frames, fps, writer) -> None:
    if isinstance(num_scenes, bool) or not isinstance(num_scenes, int) or not MIN_PLAN_SCENES <= num_scenes <= MAX_PLAN_SCENES:
        raise InvalidInput(f"num_scenes must be an integer from {MIN_PLAN_SCENES} to {MAX_PLAN_SCENES}, got {num_scenes!r}")
    if style not in STYLES:
        raise InvalidInput(f"unknown style {style!r}; choose one of: {', '.join(STYLES)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InvalidInput(f"seed must be an integer from 0 to 2**32-1, got {seed!r}")
    if num_frames is not None and (isinstance(num_frames, bool) or not isinstance(num_frames, int) or not 1 <= num_frames <= MAX_FRAMES):
        raise InvalidInput(f"num_frames must be None (the planner decides) or an integer from 1 to {MAX_FRAMES}, got {num_frames!r}")
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 60:
        raise InvalidInput(f"fps must be an integer from 1 to 60, got {fps!r}")
    if writer not in WRITERS:
        raise InvalidInput(f"unknown writer {writer!r}; choose one of: {', '.join(WRITERS)}")


def _caption(voice: Voice, beat: str, rng: random.Random, used: set[str], budget: int, base: int, fps: int) -> str:
    """Picks the seed's caption for `beat`: readable in `base` frames if one is, else in `budget`, else the shortest."""
    options = voice.options(beat)
    first = rng.choice(options)
    fresh = [o for o in options if o not in used] or options  # repeated beats get other words
    ordered = ([first] if first in fresh else []) + sorted((o for o in fresh if o != first), key=len)
    short = voice.options(beat, short=True)
    for group in (ordered, options, short):  # a repeat before an unreadable caption
        for limit in (base, budget):
            for text in group:
                if frames_to_read(text, fps) <= limit:
                    return text
    return min(options + short, key=reading_words)


def _title(voice: Voice) -> str:
    """'The fox searches for a lost lantern', or the character alone when that runs long; never cut mid-word."""
    if voice.english:
        candidates = [f"{voice.short[:1].upper()}{voice.short[1:]} {voice.action}", voice.short[:1].upper() + voice.short[1:]]
    else:
        statement = voice.options("rising")[0]
        candidates = [statement.rstrip("。.!！¡"), voice.character]
    for text in candidates:
        if len(text) <= 120:
            return text
    words, out = candidates[-1].split(), ""
    for w in words:
        if len(out) + len(w) + 1 > 120:
            break
        out = f"{out} {w}".strip()
    return out or candidates[-1][:120]


def plan(
    setting: str | Triple,
    character: str | None = None,
    action: str | None = None,
    *,
    num_scenes: int = 5,
    style: str = "cinematic",
    seed: int = 0,
    num_frames: int | None = None,
    fps: int = 8,
    tokenizer=None,
    writer: str = "template",
    model: str | None = None,
    base_url: str | None = None,
    llm_timeout: float = 180.0,
    download: bool = False,
) -> Script:
    """Plans a multi-scene Script from a (setting, character, action) triple.

    Deterministic: the same arguments give the same script; another `seed` picks
    other camera moves, transitions and captions. `tokenizer` defaults to the
    exact CLIP tokenizer (pass a loaded pipeline's `pipe.tokenizer` if you have one).

    `num_frames=None` lets the planner time each scene: 16 frames (Lightning's clip
    length), longer (up to 32) where its caption needs more time to read at
    READING_WPS words per second. An integer fixes every scene's length.

    `writer="llm"` asks a local instruction-tuned model (`model`: a hub id already
    in the cache, or a folder; default DEFAULT_LLM_MODEL) or an OpenAI-compatible
    server at `base_url` to write the captions and prompts (see `storykit.plan.llm`).
    Any failure (no model, offline, invalid JSON, a schema violation, `llm_timeout`
    seconds passed) falls back to this template writer, with one line saying why;
    `script.writer` records which writer made the script. A hub id is only read
    from the local cache unless `download=True`.
    """
    # 1. Check inputs.
    triple = setting if isinstance(setting, Triple) else Triple(setting, character, action)
    _check_plan_args(num_scenes, style, seed, num_frames, fps, writer)
    if writer == "llm":
        from .llm import check_base_url

        check_base_url(base_url)
    if tokenizer is not None and not callable(tokenizer):  # e.g. a repo id: we never load one behind your back
        raise InvalidInput(
            f"tokenizer must be a loaded tokenizer such as pipe.tokenizer, got {type(tokenizer).__name__} "
            f"{str(tokenizer)[:60]!r}; leave it out to count with CLIP's own (exact, offline)"
        )
    look = STYLES[style]
    rng = random.Random(f"storykit-plan:{seed}")
    voice = voice_for(triple.setting, triple.character, triple.action)
    base = num_frames or BASE_FRAMES
    budget = num_frames or MAX_READING_FRAMES

    # 2. Walk the arc, one scene per beat.
    scenes, notes, slow = [], [], []
    beats = arc(num_scenes)
    used: set[str] = set()
    seen: dict[str, int] = {}
    for i, beat in enumerate(beats):
        cameras, tags, shot = _BEATS[beat]
        camera = rng.choice(cameras)
        text = _caption(voice, beat, rng, used, budget, base, fps)
        used.add(text)
        frames = num_frames or min(MAX_READING_FRAMES, max(BASE_FRAMES, frames_to_read(text, fps)))
        if frames_to_read(text, fps) > frames:
            slow.append(i)
        tag = tags[seen.get(beat, 0) % len(tags)]
        seen[beat] = seen.get(beat, 0) + 1
        prompt, changed = fit_prompt(
            [
                ("character", voice.character),
                ("action", voice.action),
                ("shot tag", tag),  # early, so prompts differ even when long words fill CLIP's window
                ("setting", where(voice.setting) if voice.english else voice.setting),
                ("style", look.suffix),
                ("shot", shot),
                ("camera", _CAMERA_WORDS[camera]),
            ],
            keep=3,
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
                text=text,
                negative_prompt=look.negative,
                num_frames=frames,
                fps=fps,
                seed=scene_seed(seed, i),
                camera=camera,
                transition=transition,
            )
        )
    if slow:
        notes.append(
            f"scene{'s' if len(slow) > 1 else ''} {', '.join(map(str, slow))}: caption needs more time than the scene "
            f"gives to read at {READING_WPS:g} words/s" + ("; leave num_frames unset to let the planner time scenes" if num_frames else "")
        )
    script = Script(triple=triple, scenes=scenes, style=style, seed=seed, title=_title(voice), notes=notes).validate()

    # 3. Optionally let a language model rewrite it; any failure keeps the template script.
    if writer == "llm":
        from .llm import write_with_llm

        script = write_with_llm(script, model=model, base_url=base_url, timeout=llm_timeout, num_frames=num_frames,
                                tokenizer=tokenizer, download=download)
    return script
