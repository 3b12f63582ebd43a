"""The story data model: a Triple, the Scenes made from it, and the Script.

Plain dataclasses with a versioned JSON round-trip, so a script saved today
keeps loading tomorrow:

>>> from storykit.plan.script import Triple, Script
>>> t = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf",
...            "searches for a lost lantern")
>>> s = Script(triple=t, scenes=[])
>>> Script.from_json(s.to_json()) == s
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..paths import check_file_name, exists, fitted_name, name_max

__all__ = [
    "SCHEMA_VERSION",
    "CAMERA_MOVES",
    "TRANSITIONS",
    "DEFAULT_NEGATIVE_PROMPT",
    "Triple",
    "Scene",
    "Script",
    "check_text",
    "narrate",
    "parse_json",
    "check_nesting",
]

SCHEMA_VERSION = 1
MAX_TEXT_CHARS = 300  # per triple field; CLIP sees ~75 tokens (~300 chars) anyway.
MAX_PROMPT_CHARS = 2000
MAX_FRAMES = 480  # 60 s at 8 fps; past 16 frames Lightning renders in 16-frame FreeNoise windows.
MAX_FPS = 60
MIN_SCENES, MAX_SCENES = 1, 64  # the planner makes 3-8; imports may hold more.

# Camera moves the planner picks from; the names of AnimateDiff's motion LoRAs
# (v2_lora_PanLeft, ...) map onto these, and the animatic draws each one.
CAMERA_MOVES = ("static", "pan_left", "pan_right", "zoom_in", "zoom_out", "tilt_up", "tilt_down")
# Transition from a scene to the next one (see storykit.stitch).
TRANSITIONS = ("cut", "crossfade", "fade_black", "fade_white")
DEFAULT_NEGATIVE_PROMPT = "low quality, blurry, deformed, watermark, text"


def check_text(value: Any, name: str, *, max_chars: int = MAX_TEXT_CHARS, allow_empty: bool = False) -> str:
    """Returns `value` stripped, or raises InvalidInput saying what is allowed.

    Unicode and emoji are welcome; control characters (other than none at all)
    are not, since they break prompts, captions and subtitle files.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, got {type(value).__name__}")
    text = " ".join(value.split())  # collapse newlines/tabs/runs of spaces
    if not text and not allow_empty:
        raise InvalidInput(f"{name} is empty: describe it in a few words, e.g. {_EXAMPLES.get(name, 'a short phrase')!r}")
    if len(text) > max_chars:
        raise InvalidInput(f"{name} is {len(text)} characters long; keep it under {max_chars} (CLIP reads only ~75 tokens)")
    bad = [c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\t\r"]
    if bad:
        raise InvalidInput(f"{name} contains control character {bad[0]!r}: use plain text")
    return text


_EXAMPLES = {
    "setting": "a misty bamboo forest at dawn",
    "character": "a small red fox in a blue scarf",
    "action": "searches for a lost lantern",
}


# Deeper than any real script or manifest, and far below Python's recursion limit
# (json.loads and dataclasses.asdict recurse once per level).
MAX_JSON_DEPTH = 64


def parse_json(text: str, what: str) -> Any:
    """`json.loads`, but bad or absurdly nested JSON is one InvalidInput line, never a RecursionError."""
    check_nesting(text, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{what} is not valid JSON ({e.msg} at line {e.lineno})") from None
    except RecursionError:  # unreachable after the depth check, kept as a guard
        raise InvalidInput(f"{what} JSON is nested too deeply") from None


def check_nesting(text: str, what: str) -> str:
    """Returns `text`, or raises InvalidInput when its JSON nests deeper than MAX_JSON_DEPTH."""
    depth = _nesting(text)
    if depth > MAX_JSON_DEPTH:
        raise InvalidInput(f"{what} JSON is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed")
    return text


def _nesting(text: str) -> int:
    """The deepest [ / { nesting outside strings, in one linear pass (no recursion)."""
    # Strings go first, whole, so brackets inside text do not count; then everything but brackets.
    brackets = re.sub(r"[^\[\]{}]+", "", re.sub(r'"[^"\\]*(?:\\.[^"\\]*)*"', "", text))
    return max(itertools.accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


_FULL_STOPS = ".!?。！？…؟"


def narrate(texts: list[str]) -> str:
    """Joins scene sentences into one paragraph (story → text, the Movie2Story direction).

    Sentences without an end mark get a full stop; a "The end." that closes a
    middle sentence is kept only at the very end; CJK sentences join without spaces.
    """
    parts = [" ".join(t.split()) for t in texts if t and t.strip()]
    out: list[str] = []
    for i, text in enumerate(parts):
        if i < len(parts) - 1:
            for end in (" The end.", " Fin.", " Fim.", " Fine.", " Ende.", " Конец."):
                if text.endswith(end) and len(text) > len(end):
                    text = text[: -len(end)]
        if text[-1].isalnum():
            text += "。" if unicodedata.name(text[-1], "").startswith(("CJK", "HIRAGANA", "KATAKANA")) else "."
        out.append(text)
    paragraph = ""
    for text in out:
        cjk = paragraph[-1:] in "。！？" and paragraph != "" and unicodedata.name(text[0], "").startswith(
            ("CJK", "HIRAGANA", "KATAKANA"))
        paragraph += text if (not paragraph or cjk) else " " + text
    return paragraph


def _check_int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise InvalidInput(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"unknown {name} {value!r}; choose one of: {', '.join(choices)}")
    return value


@dataclasses.dataclass
class Triple:
    """What the user types: where, who, and what happens."""

    setting: str
    character: str
    action: str

    def __post_init__(self):
        self.setting = check_text(self.setting, "setting")
        self.character = check_text(self.character, "character")
        self.action = check_text(self.action, "action")


@dataclasses.dataclass
class Scene:
    """One shot of the story: what to render and how long it lasts.

    `text` is the human sentence for the beat (subtitles, captions, StoryBench);
    `prompt` is what the diffusion model reads. `transition` leads to the next scene.
    """

    index: int
    beat: str
    prompt: str
    text: str = ""
    negative_prompt: str = DEFAULT_NEGATIVE_PROMPT
    num_frames: int = 16  # AnimateDiff-Lightning is distilled for 16-frame clips.
    fps: int = 8  # AnimateDiff's and StoryBench's frame rate.
    seed: int = 0
    camera: str = "static"
    transition: str = "crossfade"
    # Strength of the camera move's motion LoRA (Lightning); the card: 0.7-0.8 avoids watermarks.
    camera_weight: float = 0.7

    def __post_init__(self):
        self.validate()

    def validate(self) -> Scene:
        """Checks every field; raises InvalidInput naming the scene and field."""
        where = f"scene {self.index}"
        _check_int(self.index, "scene index", 0, MAX_SCENES - 1)
        self.beat = check_text(self.beat, f"{where} beat", max_chars=40)
        self.prompt = check_text(self.prompt, f"{where} prompt", max_chars=MAX_PROMPT_CHARS)
        self.text = check_text(self.text, f"{where} text", max_chars=MAX_PROMPT_CHARS, allow_empty=True)
        self.negative_prompt = check_text(
            self.negative_prompt, f"{where} negative_prompt", max_chars=MAX_PROMPT_CHARS, allow_empty=True
        )
        _check_int(self.num_frames, f"{where} num_frames", 1, MAX_FRAMES)
        _check_int(self.fps, f"{where} fps", 1, MAX_FPS)
        _check_int(self.seed, f"{where} seed", 0, 2**32 - 1)
        _check_choice(self.camera, f"{where} camera", CAMERA_MOVES)
        w = self.camera_weight
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 2:
            raise InvalidInput(f"{where} camera_weight must be a number from 0 to 2 (0.7 is the model card's), got {w!r}")
        self.camera_weight = float(w)
        _check_choice(self.transition, f"{where} transition", TRANSITIONS)
        return self

    @property
    def duration(self) -> float:
        """Seconds on screen at the scene's own fps."""
        return self.num_frames / self.fps


@dataclasses.dataclass
class Script:
    """A whole story: the triple it came from, its style and its scenes."""

    triple: Triple
    scenes: list[Scene]
    style: str = "cinematic"
    seed: int = 0
    title: str = ""
    source: str = "planner"  # or "storybench:<file>#<index>", "manual"
    writer: str = "template"  # who wrote the captions and prompts: "template" or "llm" (details in metadata["llm"])
    notes: list[str] = dataclasses.field(default_factory=list)  # what the planner had to change
    metadata: dict = dataclasses.field(default_factory=dict)  # e.g. a StoryBench entry's other fields
    version: int = SCHEMA_VERSION

    # -- editing ----------------------------------------------------------------
    def edit(self, index: int, /, **changes) -> Scene:
        """Changes fields of scene `index` (prompt, num_frames, seed, camera, ...) and re-validates.

        Nothing changes if the new values are invalid. A scene's index is its place in
        the story and cannot be edited (`index` is positional-only, so `index=7` is refused).
        """
        scene = self.scene(index)
        fields = {f.name for f in dataclasses.fields(Scene)} - {"index"}
        unknown = set(changes) - fields
        if unknown:
            raise InvalidInput(f"cannot edit {sorted(unknown)}; editable scene fields: {', '.join(sorted(fields))}")
        new = dataclasses.replace(scene, **changes)  # runs validation before anything is replaced
        self.scenes[self.scenes.index(scene)] = new
        return new

    def scene(self, index: int) -> Scene:
        for s in self.scenes:
            if s.index == index:
                return s
        raise InvalidInput(f"no scene {index!r}; this script has scenes {[s.index for s in self.scenes]}")

    def validate(self) -> Script:
        """Checks the whole script (use after editing fields directly)."""
        if not isinstance(self.triple, Triple):
            raise InvalidInput("script.triple must be a Triple")
        if not isinstance(self.scenes, list) or not all(isinstance(s, Scene) for s in self.scenes):
            raise InvalidInput("script.scenes must be a list of Scene")
        if len(self.scenes) > MAX_SCENES:
            raise InvalidInput(f"a script holds at most {MAX_SCENES} scenes, got {len(self.scenes)}")
        for s in self.scenes:
            s.validate()
        indices = [s.index for s in self.scenes]
        if indices != list(range(len(indices))):
            raise InvalidInput(f"scene indices must be 0..{len(indices) - 1} in order, got {indices}")
        self.title = check_text(self.title, "title", max_chars=MAX_TEXT_CHARS, allow_empty=True)
        if not isinstance(self.style, str) or not isinstance(self.notes, list) or not isinstance(self.metadata, dict):
            raise InvalidInput("script style must be text, notes a list and metadata an object")
        if not isinstance(self.writer, str) or not self.writer:
            raise InvalidInput(f"script writer must be a name such as 'template' or 'llm', got {self.writer!r}")
        _check_int(self.seed, "seed", 0, 2**32 - 1)
        return self

    @property
    def num_frames(self) -> int:
        return sum(s.num_frames for s in self.scenes)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.scenes)

    # -- JSON ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Script:
        """Builds a Script from `to_dict()` output; raises InvalidInput on anything malformed."""
        if not isinstance(data, dict):
            raise InvalidInput(f"a script must be a JSON object, got {type(data).__name__}")
        version = data.get("version")
        if version != SCHEMA_VERSION:
            raise InvalidInput(
                f"script version {version!r} is not supported (this storykit reads version {SCHEMA_VERSION}); "
                "re-plan it or upgrade storykit"
            )
        try:
            triple = Triple(**data["triple"])
            scenes = [Scene(**s) for s in data["scenes"]]
            extra = {k: data[k] for k in ("style", "seed", "title", "source", "writer", "notes", "metadata") if k in data}
        except KeyError as e:
            raise InvalidInput(f"script JSON is missing the field {e.args[0]!r}") from None
        except TypeError as e:  # unknown or missing keyword, non-dict entries
            raise InvalidInput(f"script JSON has a malformed entry: {e}") from None
        return cls(triple=triple, scenes=scenes, **extra).validate()

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Script:
        return cls.from_dict(parse_json(text, "script"))

    def save(self, path: str | os.PathLike) -> Path:
        """Writes the script as JSON (atomically: a crash never leaves half a file, a failure no `.tmp`)."""
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            raise InvalidInput(f"path must be a file path such as 'script.json', got {path!r}")
        path = check_file_name(path, "script file", "script.json")  # "s.json/" names a folder; too long a name is refused
        if not exists(path.parent):
            raise InvalidInput(f"folder {str(path.parent)!r} does not exist; create it first")
        if path.is_dir():
            raise InvalidInput(f"{str(path)!r} is a folder; give a file name such as {str(path / 'script.json')!r}")
        text = self.to_json()  # before touching the disk: nothing to clean up if this fails
        # A hidden temporary beside it, its name shortened where ".<name>.<pid>.tmp" would pass 255 bytes.
        tmp = path.with_name(f".{fitted_name(path.name, name_max(path.parent) - 20)}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise InvalidInput(f"cannot write the script to {str(path)!r} ({e.strerror or type(e).__name__}); "
                               "choose another path") from None
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Script:
        path = Path(path)
        if not exists(path) or not path.is_file():
            raise InvalidInput(f"no script file at {str(path)!r}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{str(path)!r} is not a UTF-8 text file; is it really a script JSON?") from None
        return cls.from_json(text)

    # -- the story as text -------------------------------------------------------------
    def narration(self) -> str:
        """The story as one short paragraph of prose: the scenes' sentences in order (story → text).

        It follows edits to the captions, and export writes it beside the subtitles.
        """
        return narrate([s.text for s in self.scenes])

    # -- display --------------------------------------------------------------------
    def table(self) -> str:
        """A plain-text table of the scenes, for terminals and notebooks."""
        head = f"{self.title or 'Untitled'}  [{self.style}, seed {self.seed}, {len(self.scenes)} scenes, {self.duration:.1f} s, {self.writer} writer]"
        rows = [head, f"{'#':>2}  {'beat':<11} {'camera':<9} {'frames':>6}  {'seed':>10}  text"]
        for s in self.scenes:
            rows.append(f"{s.index:>2}  {s.beat:<11} {s.camera:<9} {s.num_frames:>6}  {s.seed:>10}  {s.text or s.prompt}")
        rows.extend(f"note: {n}" for n in self.notes)
        return "\n".join(rows)

    def __repr__(self) -> str:
        return f"Script({self.title!r}, style={self.style!r}, {len(self.scenes)} scenes, {self.duration:.1f} s)"

    def _repr_html_(self) -> str:
        import html

        cells = "".join(
            f"<tr><td>{s.index}</td><td>{html.escape(s.beat)}</td><td>{s.camera}</td><td>{s.num_frames}</td>"
            f"<td>{s.seed}</td><td>{html.escape(s.text)}</td><td><small>{html.escape(s.prompt)}</small></td></tr>"
            for s in self.scenes
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<b>{html.escape(self.title or 'Untitled')}</b> — {html.escape(self.style)}, seed {self.seed}, "
            f"{len(self.scenes)} scenes, {self.duration:.1f} s"
            "<table><tr><th>#</th><th>beat</th><th>camera</th><th>frames</th><th>seed</th><th>text</th><th>prompt</th></tr>"
            f"{cells}</table>" + (f"<ul>{notes}</ul>" if notes else "")
        )
