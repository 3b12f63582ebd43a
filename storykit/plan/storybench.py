"""StoryBench interop: its task entries in, Scripts out, and back, exactly.

StoryBench (Bugliarello et al., NeurIPS 2023, arXiv 2308.11606; annotations
CC BY 4.0, Google LLC) gives a story as sentences (`texts`) with exact frame
counts at 8 fps (`exact_frames_per_prompt`) and, for story generation, a
`background`. storykit makes one scene per sentence and keeps the frame counts
exactly. The original sentences are kept verbatim (in `script.metadata`), so
`script_to_storybench` gives back the very entry; only the prompts are tidied:

* the sentence and the background join as "sentence, background" (no "., ");
* the style is "none" (no look added to what the annotators wrote);
* one background rule per story: every scene gets the same background text,
  shortened (or dropped) once so that the longest sentence still fits CLIP;
* sound descriptions ("music is playing", "the song is playing", "a beep") are
  dropped, with the conjunction they leave hanging: a video model cannot show them;
* separators are normalised (semicolons read as commas, nothing doubled, no
  comma after "in the background"), and a prompt cut to fit CLIP ends at a
  phrase boundary, never on "a", "and", "of" (`shorten`);
* conditioning tasks (story_cont, action_exe) carry no background; it is
  recovered from `story_gen.json` in the same folder by matching `comment`.

>>> from storykit.plan.storybench import load_storybench, script_from_storybench
>>> entries = load_storybench("oops-test/story_gen.json")      # doctest: +SKIP
>>> script = script_from_storybench(entries[0])                 # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import InvalidInput
from .planner import STYLES, fit_prompt, scene_seed
from .tokens import MAX_CONTENT_TOKENS, count_tokens, truncate_to_tokens
from .script import MAX_FRAMES, MAX_SCENES, Scene, Script, Triple, check_text, parse_json

__all__ = [
    "STORYBENCH_FPS", "STORYBENCH_TASKS", "load_storybench", "script_from_storybench", "script_to_storybench",
    "check_entry", "drop_sounds", "shorten", "DANGLING", "story_gen_backgrounds",
]

STORYBENCH_FPS = 8
STORYBENCH_TASKS = ("story_gen", "story_cont", "action_exe")
DEFAULT_STYLE = "none"  # benchmark prompts: only what the annotators wrote
# A background squeezed below this many CLIP tokens says nothing useful: drop it from the whole story.
MIN_BACKGROUND_TOKENS = 6
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
    return " ".join(words[:4]) or "someone", " ".join(words[4:]) or "acts"


# -- sound descriptions ---------------------------------------------------------------------
# StoryBench's annotators also described the audio ("In the background, music is playing
# and a man is laughing and speaking."); a video model can only be confused by it.
# Anywhere: words that only ever describe sound.
_SOUND = re.compile(
    r"\b(?:sounds?|audible|audio|voices?|noises?|noisy|heard|hearing|soundtrack|narrat\w*|beeps?|beeping|"
    r"(?:music|songs?|melod(?:y|ies)|tunes?)\s+(?:is|are|was|were)\s+(?:(?:being\s+)?played|playing|heard|on)|"
    r"(?:music|songs?)\s+plays|background\s+music)\b",
    re.IGNORECASE,
)
# In a background description also what people are heard doing (nobody is in view there).
_BACKGROUND_SOUND = re.compile(
    r"\b(?:music|songs?|melod(?:y|ies)|speak(?:s|ing)?|talk(?:s|ing)?|laugh(?:s|ing|ter)?|giggl(?:e|es|ing)|"
    r"shout(?:s|ing)?|yell(?:s|ing)?|scream(?:s|ing)?|sing(?:s|ing)?|chat(?:s|ting)?|cheer(?:s|ing)?|cry(?:ing)?|cries|"
    r"whistl(?:es?|ing)|bark(?:s|ing)?|breath(?:es|ing)?|chirp(?:s|ing)?|buzz(?:es|ing)?|clapping|applause|ringing)\b",
    re.IGNORECASE,
)
_CLAUSE_SEP = re.compile(r"(,\s*|;\s*|\s+and\s+|\s+while\s+|\s+as\s+well\s+as\s+)", re.IGNORECASE)
_LEAD_IN = re.compile(
    r"^(?:in\s+the\s+background)?[\s,]*(?:(?:we\s+can\s+see|there\s+(?:is|are))\s*)?[\s,.]*$", re.IGNORECASE
)


def _drop_sound_clauses(sentence: str, background: bool) -> tuple[str, list[str]]:
    parts = _CLAUSE_SEP.split(sentence)
    clauses, seps = parts[0::2], [""] + parts[1::2]
    kept, dropped = [], []
    for sep, clause in zip(seps, clauses):
        c = clause.strip(" .")
        if c and (_SOUND.search(c) or (background and _BACKGROUND_SOUND.search(c))):
            dropped.append(c)
        elif c and not all(w.lower() in DANGLING for w in c.split()):  # a lone "and" between two commas goes too
            kept.append((sep if kept else "", clause.strip()))
    if not dropped:
        return sentence, []
    text = _strip_dangling("".join(sep + clause for sep, clause in kept))  # "..., a red apple and" → "..., a red apple"
    if _LEAD_IN.match(text):  # "In the background." is all that is left
        text = ""
    return text, dropped


def _strip_dangling(text: str) -> str:
    """`text` without the articles, conjunctions and prepositions left hanging at its end."""
    words = text.rstrip(" ,;:").split()
    while words and words[-1].lower().strip(",;:.") in DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:")


# A sentence that only describes a sound ("whistling duck sound using a whistle") keeps the rest.
_SOUND_PHRASE = re.compile(
    r"\s*(?:(?:to\s+)?mak(?:e|es|ing)\s+)?(?:(?:a|an|the|some)\s+)?(?:[\w-]+\s+)?sounds?\b", re.IGNORECASE
)


def drop_sounds(text: str, *, background: bool = False) -> tuple[str, list[str]]:
    """`text` without its sound descriptions, and the clauses dropped.

    Sentences lose clauses with words that only describe sound ("sound", "audible",
    "voices", "music is playing"); a `background` also loses what people are heard
    doing ("a man is laughing and speaking"), since its text describes the scenery.
    """
    out, dropped = [], []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        kept, lost = _drop_sound_clauses(sentence, background)
        dropped += lost
        if kept:
            out.append(kept if kept[-1] in ".!?" else kept + ".")
    return " ".join(out), dropped


def _tidy(text: str) -> str:
    """One line; a space after each , ; : and none before; semicolons read as commas; no doubled separators."""
    text = " ".join(text.split())
    text = re.sub(r"\s*;\s*", ", ", text)
    text = re.sub(r"([,:])(?=[A-Za-z])", r"\1 ", text)
    text = re.sub(r"\s+([,:.!?])", r"\1", text)
    text = re.sub(r"([,:])(?:\s*[,:])+", r"\1", text)  # ", ," or ",:" left by the annotators or by a dropped clause
    text = re.sub(r"[,:]\s*([.!?])", r"\1", text)
    return text.strip(" ,:")


# After "in the background" the description follows directly: no comma, colon or semicolon between.
_BACKGROUND_LEAD = re.compile(r"^(in\s+the\s+background)(?:\s*[,;:.]|\s+and\b)+\s*", re.IGNORECASE)


def _prompt_text(text: str, *, background: bool = False) -> tuple[str, list[str]]:
    """A sentence (or background) ready to join a prompt: one line, no sound, no final stop."""
    tidy = _tidy(text)
    clean, dropped = drop_sounds(tidy, background=background)
    if not clean and not background:  # a sentence that is all sound: drop the sound, keep the action
        rest = _strip_dangling(_SOUND_PHRASE.sub("", tidy).rstrip(" .!?"))
        clean, dropped = (rest, dropped) if len(rest.split()) >= 3 and not _SOUND.search(rest) else (tidy, [])
    clean = _BACKGROUND_LEAD.sub("in the background ", _tidy(clean).rstrip(" .!?;:,"))
    if background:
        if _LEAD_IN.match(clean):
            clean = ""
        first = clean.split(" ", 1)[0]
        if first[:1].isupper() and not first[1:2].isupper():  # it follows a comma: "..., in the background"
            clean = clean[0].lower() + clean[1:]
    return clean, dropped


# Words a phrase cut short must not end on: articles, determiners, conjunctions, prepositions, auxiliaries.
DANGLING = frozenset(
    "a an the this that these those some any each every another other his her their its my your our "
    "and or but nor while as because so then when where which who whose whom than if "
    "of from to in on at by with into onto for about over under near behind through between towards toward "
    "across along against among beside besides beneath upon without during like via "
    "is are was were be been being has have had do does did can could will would should may might must "
    "there here also very more most much many few several".split()
)
# Where a cut may fall back to: a comma, or before a conjunction or a new clause.
_PHRASE_END = re.compile(r",\s|\s(?=(?:and|or|but|while|as|then|when|where|which|who|with|after|before|because)\s)", re.IGNORECASE)


def shorten(text: str, max_tokens: int) -> str:
    """`text` within `max_tokens` CLIP tokens, cut at a phrase boundary (never after "a", "of", "and", ...).

    Falls back to the last comma or clause break when that keeps at least half of
    the room, and in any case drops dangling articles, conjunctions and prepositions.
    """
    short = truncate_to_tokens(text, max_tokens)
    if short == text:
        return text
    breaks = [m.start() for m in _PHRASE_END.finditer(short)]
    if breaks and count_tokens(short[: breaks[-1]]) >= max_tokens // 2:
        short = short[: breaks[-1]]
    return _strip_dangling(short)


# -- backgrounds for the conditioning tasks ----------------------------------------------------
_BACKGROUNDS: dict = {}


def story_gen_backgrounds(folder: str | os.PathLike) -> dict[str, dict]:
    """`comment` → {"background", "npz_video", "index"} from `folder/story_gen.json` ({} if absent).

    story_cont entries share story_gen's `comment`; action_exe adds `_<action>` to it.
    """
    path = Path(folder) / "story_gen.json"
    if not path.is_file():
        return {}
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _BACKGROUNDS:
        found = {}
        for i, e in enumerate(load_storybench(path)):
            if isinstance(e.get("comment"), str) and isinstance(e.get("background"), str) and e["background"].strip():
                found[e["comment"]] = {"background": e["background"], "npz_video": e.get("npz_video"), "index": i}
        _BACKGROUNDS.clear()  # one folder at a time is what a batch needs
        _BACKGROUNDS[key] = found
    return _BACKGROUNDS[key]


def _recover_background(entry: dict, folder: Path) -> tuple[str | None, str | None]:
    comment = entry.get("comment")
    if not isinstance(comment, str):
        return None, None
    table = story_gen_backgrounds(folder)
    for key in (comment, re.sub(r"_\d+$", "", comment)):
        hit = table.get(key)
        # Same comment and, when both name one, the same source video: the same story.
        if hit and (not entry.get("npz_video") or not hit["npz_video"] or hit["npz_video"] == entry["npz_video"]):
            return hit["background"], f"{folder.name}/story_gen.json#{hit['index']}"
    return None, None


# -- import / export ---------------------------------------------------------------------------
def script_from_storybench(
    entry: dict | str | os.PathLike,
    index: int | None = None,
    *,
    style: str = DEFAULT_STYLE,
    seed: int = 0,
    background: str | bool | None = None,
    folder: str | os.PathLike | None = None,
) -> Script:
    """One scene per sentence, frame counts kept exactly, at StoryBench's 8 fps.

    `entry` is an entry dict, or a task-file path with `index`. The sentence leads
    each prompt (it holds the character and the action), then the story's one
    background, then the style's suffix (none by default), within CLIP's 77 tokens.
    `background`: None uses the entry's own, or for a conditioning task the one
    recovered from story_gen.json beside the task file; a string replaces it;
    False renders without one. `folder`: where to look for story_gen.json when
    `entry` is a dict (a task-file path brings its own). The original entry comes back from
    `script_to_storybench` unchanged, whatever the prompts became.
    """
    # 1. Check inputs.
    source = "storybench"
    folder = Path(folder) if folder is not None else None
    if not isinstance(entry, (dict, str, os.PathLike)):
        raise InvalidInput(f"give a StoryBench entry (a JSON object) or a task-file path, got {type(entry).__name__}")
    if not isinstance(entry, dict):
        entries = load_storybench(entry)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(entries):
            raise InvalidInput(f"index must be an integer from 0 to {len(entries) - 1} for {Path(entry).name}, got {index!r}")
        folder = Path(entry).parent
        source = f"storybench:{folder.name}/{Path(entry).name}#{index}"
        entry = entries[index]
    check_entry(entry)
    if style not in STYLES:
        raise InvalidInput(f"unknown style {style!r}; choose one of: {', '.join(STYLES)}")
    if background is not None and not isinstance(background, (str, bool)):
        raise InvalidInput(f"background must be text, False or None, got {type(background).__name__}")
    if background is True:
        raise InvalidInput("background=True means nothing; give the text, False (none) or None (the entry's own)")
    frames = entry["exact_frames_per_prompt"]
    if len(frames) > MAX_SCENES or max(frames) > MAX_FRAMES:
        raise InvalidInput(f"storykit takes at most {MAX_SCENES} sentences of at most {MAX_FRAMES} frames; this entry has "
                           f"{len(frames)} sentences, up to {max(frames)} frames")

    # 2. The background: the entry's own, recovered from story_gen, given, or none.
    notes: list[str] = []
    bg_source = "entry"
    if background is None:
        raw_bg = entry.get("background") if isinstance(entry.get("background"), str) else None
        if not (raw_bg or "").strip() and folder is not None:
            raw_bg, bg_source = _recover_background(entry, folder)
            if raw_bg:
                notes.append(f"background recovered from {bg_source} (same comment)")
    else:
        raw_bg, bg_source = (background or None), "given"
    bg, bg_dropped = _prompt_text(raw_bg or "", background=True)

    # 3. Sentences: verbatim texts for the round trip, tidy ones for captions, clean ones for prompts.
    texts = [" ".join(t.split()) for t in entry["texts"]]
    cleaned = [_prompt_text(t) for t in entry["texts"]]
    # A sentence of punctuation alone still needs a prompt: fall back to its text as written.
    sentences = [shorten(c or t or "a scene", MAX_CONTENT_TOKENS) or t[:200] for (c, _), t in zip(cleaned, texts)]
    sounds = bg_dropped + [d for _, lost in cleaned for d in lost]
    if sounds:
        notes.append(f"sound descriptions left out of the prompts: {'; '.join(sounds)}")
    for i, ((c, _), t) in enumerate(zip(cleaned, texts)):
        if sentences[i] != (c or t or "a scene"):
            notes.append(f"scene {i}: sentence cut to CLIP's 75 tokens")

    # 4. One background rule for the whole story: the longest sentence decides how much fits.
    if bg:
        room = min(MAX_CONTENT_TOKENS - count_tokens(s + ", ") for s in sentences)
        short = shorten(bg, room) if room > 0 else ""
        while short and any(count_tokens(f"{s}, {short}") > MAX_CONTENT_TOKENS for s in sentences):
            room -= 1  # a word's tokens can merge across the comma: make sure every scene fits
            short = shorten(bg, room) if room > 0 else ""
        if short != bg:
            if short and count_tokens(short) >= MIN_BACKGROUND_TOKENS:
                notes.append(f"background shortened in every scene to fit CLIP's 77 tokens: {short!r}")
            else:
                notes.append("background left out of every scene: the longest sentence leaves no room in CLIP's 77 tokens")
                short = ""
        bg = short

    subject, predicate = _split_subject(sentences[0])
    triple = Triple(
        setting=check_text((bg or "an everyday scene")[:300].strip(), "setting"),
        character=subject[:300],
        action=(predicate or "acts")[:300],
    )
    scenes = []
    look = STYLES[style]
    for i, (text, sentence, n) in enumerate(zip(texts, sentences, frames)):
        prompt, changed = fit_prompt([("sentence", sentence), ("background", bg), ("style", look.suffix)], keep=0)
        if changed:
            notes.append(f"scene {i}: prompt cut to fit CLIP's 77 tokens ({'; '.join(changed)})")
        scenes.append(
            Scene(
                index=i,
                beat=f"sentence {i + 1}",
                prompt=prompt,
                text=text,
                negative_prompt=look.negative,
                num_frames=n,
                fps=STORYBENCH_FPS,
                seed=scene_seed(seed, i),
                camera="static",
                transition="cut",  # StoryBench stories are continuous shots
            )
        )
    # The original entry, verbatim (texts included): script_to_storybench gives it back.
    extra = json.loads(json.dumps(entry))
    meta = {"storybench": extra, "storybench_prompts": {"background": bg, "background_source": bg_source if raw_bg else None}}
    return Script(
        triple=triple, scenes=scenes, style=style, seed=seed, title=texts[0][:300],
        source=source, notes=notes, metadata=meta,
    ).validate()


def script_to_storybench(script: Script) -> dict:
    """A StoryBench entry for `script`: its sentences and exact frame counts (at 8 fps).

    An imported script gives back its entry exactly (sentences verbatim, all other
    fields unchanged) unless its scenes were edited: an edited sentence or frame
    count is written as edited. A planned script gets a `story_gen` entry. Scenes
    at another fps are refused, since StoryBench counts frames at 8 fps.
    """
    off = [s.index for s in script.scenes if s.fps != STORYBENCH_FPS]
    if off:
        raise InvalidInput(f"StoryBench counts frames at {STORYBENCH_FPS} fps; scenes {off} use another fps")
    original = script.metadata.get("storybench")
    texts = [s.text or s.prompt for s in script.scenes]
    frames = [s.num_frames for s in script.scenes]
    if not isinstance(original, dict):
        return {
            "texts": texts, "durations": None, "exact_frames_per_prompt": frames,
            "background": script.triple.setting, "storybench_mode": "story_gen", "comment": script.title,
        }
    verbatim = original.get("texts")
    if isinstance(verbatim, list) and len(verbatim) == len(texts):
        # The Scene keeps a tidied sentence; the verbatim one stands wherever it was not edited.
        texts = [o if isinstance(o, str) and " ".join(o.split()) == t else t for o, t in zip(verbatim, texts)]
    entry = dict(original)  # every field as it came, in its order
    entry["texts"], entry["exact_frames_per_prompt"] = texts, frames
    return entry
