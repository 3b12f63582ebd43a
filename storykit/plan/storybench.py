"""StoryBench interop: its task entries in, Scripts out, and back.

StoryBench (Bugliarello et al., NeurIPS 2023, arXiv 2308.11606; annotations
CC BY 4.0, Google LLC) gives a story as sentences (`texts`) with exact frame
counts at 8 fps (`exact_frames_per_prompt`) and, for story generation, a
`background`. storykit makes one scene per sentence and keeps the frame counts
exactly, so its story-generation prompts go straight into storykit:

>>> from storykit.plan.storybench import load_storybench, script_from_storybench
>>> entries = load_storybench("oops-test/story_gen.json")      # doctest: +SKIP
>>> script = script_from_storybench(entries[0])                 # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import InvalidInput
from .planner import STYLES, fit_prompt, scene_seed
from .script import Scene, Script, Triple, check_text, parse_json

__all__ = ["STORYBENCH_FPS", "load_storybench", "script_from_storybench", "script_to_storybench", "check_entry"]

STORYBENCH_FPS = 8
_REQUIRED = ("texts", "exact_frames_per_prompt")
_AUX = re.compile(r"\s(?:is|are|was|were)\s", re.IGNORECASE)
# Subject/predicate split for the first sentence: "A man wearing white shorts | is jumping ...".
_VERB = re.compile(
    r"\s(?:is|are|was|were|has|have|stands?|sits?|walks?|runs?|jumps?|holds?|takes?|starts?|begins?|"
    r"performs?|tries|try|dances?|rides?|plays?|falls?|moves?|throws?|climbs?|swims?|goes|go|comes?|"
    r"looks?|opens?|picks?|puts?|\w+ing)\s",
    re.IGNORECASE,
)


def load_storybench(path: str | os.PathLike) -> list[dict]:
    """Reads a StoryBench task file (a JSON list of entries) and checks every entry."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no StoryBench file at {str(path)!r}")
    try:
        data = parse_json(path.read_text(encoding="utf-8"), path.name)
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path.name} is not valid JSON ({e})") from None
    if not isinstance(data, list):
        raise InvalidInput(f"{path.name}: a StoryBench task file is a JSON list of entries, got {type(data).__name__}")
    for i, entry in enumerate(data):
        check_entry(entry, where=f"{path.name} entry {i}")
    return data


def check_entry(entry, where: str = "StoryBench entry") -> dict:
    """Raises InvalidInput unless `entry` has sentences and matching positive frame counts."""
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where} must be a JSON object, got {type(entry).__name__}")
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise InvalidInput(f"{where} is missing {', '.join(missing)} (needs texts and exact_frames_per_prompt)")
    texts, frames = entry["texts"], entry["exact_frames_per_prompt"]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise InvalidInput(f"{where}: texts must be a non-empty list of sentences")
    if not isinstance(frames, list) or len(frames) != len(texts):
        raise InvalidInput(f"{where}: exact_frames_per_prompt must give one frame count per sentence ({len(texts)})")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in frames):
        raise InvalidInput(f"{where}: exact_frames_per_prompt must be positive integers, got {frames}")
    return entry


def _split_subject(sentence: str) -> tuple[str, str]:
    """Best-effort (subject, predicate) of a plain English sentence."""
    sentence = sentence.strip().rstrip(".")
    m = _AUX.search(sentence) or _VERB.search(sentence)
    if m and m.start() > 0:
        return sentence[: m.start()], sentence[m.start() + 1 :]
    words = sentence.split()
    return " ".join(words[:4]), " ".join(words[4:]) or "acts"


def script_from_storybench(
    entry: dict | str | os.PathLike, index: int | None = None, *, style: str = "cinematic", seed: int = 0
) -> Script:
    """One scene per sentence, frame counts kept exactly, at StoryBench's 8 fps.

    `entry` is an entry dict, or a task-file path with `index`. The sentence leads
    each prompt (it holds the character and the action), then the background and
    the style, within CLIP's 77 tokens.
    """
    source = "storybench"
    if not isinstance(entry, (dict, str, os.PathLike)):
        raise InvalidInput(f"give a StoryBench entry (a JSON object) or a task-file path, got {type(entry).__name__}")
    if not isinstance(entry, dict):
        entries = load_storybench(entry)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(entries):
            raise InvalidInput(f"index must be an integer from 0 to {len(entries) - 1} for {Path(entry).name}, got {index!r}")
        source = f"storybench:{Path(entry).parent.name}/{Path(entry).name}#{index}"
        entry = entries[index]
    check_entry(entry)
    if style not in STYLES:
        raise InvalidInput(f"unknown style {style!r}; choose one of: {', '.join(STYLES)}")

    texts = [" ".join(t.split()) for t in entry["texts"]]
    background = " ".join((entry.get("background") or "").split())
    subject, predicate = _split_subject(texts[0])
    triple = Triple(
        setting=check_text(background[:300].strip() or "an everyday scene", "setting"),
        character=subject[:300],
        action=(predicate or "acts")[:300],
    )
    scenes, notes = [], []
    for i, (text, n) in enumerate(zip(texts, entry["exact_frames_per_prompt"])):
        # The sentence is the scene: keep it whole if it fits (it names who does what).
        prompt, changed = fit_prompt(
            [("sentence", text), ("background", background), ("style", STYLES[style].suffix)], keep=0
        )
        if changed:
            notes.append(f"scene {i}: prompt cut to fit CLIP's 77 tokens ({'; '.join(changed)})")
        scenes.append(
            Scene(
                index=i,
                beat=f"sentence {i + 1}",
                prompt=prompt,
                text=text,
                negative_prompt=STYLES[style].negative,
                num_frames=n,
                fps=STORYBENCH_FPS,
                seed=scene_seed(seed, i),
                camera="static",
                transition="cut",  # StoryBench stories are continuous shots
            )
        )
    extra = {k: v for k, v in entry.items() if k not in ("texts", "exact_frames_per_prompt", "background")}
    extra["background"] = entry.get("background")
    return Script(
        triple=triple, scenes=scenes, style=style, seed=seed, title=texts[0][:300],
        source=source, notes=notes, metadata={"storybench": extra},
    ).validate()


def script_to_storybench(script: Script) -> dict:
    """A StoryBench entry for `script`: its sentences and exact frame counts (at 8 fps).

    Fields an imported entry carried (npz_video, storybench_mode, ...) come back
    unchanged; a planned script gets a `story_gen` entry. Scenes at another fps
    are refused, since StoryBench counts frames at 8 fps.
    """
    off = [s.index for s in script.scenes if s.fps != STORYBENCH_FPS]
    if off:
        raise InvalidInput(f"StoryBench counts frames at {STORYBENCH_FPS} fps; scenes {off} use another fps")
    extra = dict(script.metadata.get("storybench", {}))
    entry = {
        "texts": [s.text or s.prompt for s in script.scenes],
        "durations": None,
        "exact_frames_per_prompt": [s.num_frames for s in script.scenes],
        "background": extra.pop("background", script.triple.setting),
        "storybench_mode": "story_gen",
        "comment": script.title,
    }
    entry.update(extra)
    return entry
