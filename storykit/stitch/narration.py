"""Placing spoken lines on the story's timeline: each line inside its scene, never into the next.

>>> from storykit.stitch.narration import narrate_story
>>> story, narration = narrate_story(clips, script, engine, fps=24)      # doctest: +SKIP
>>> narration.lines[0]                                                    # doctest: +SKIP
NarrationLine(scene=0, start=0.79, end=2.84, text='We are in a misty bamboo forest at dawn.')

Each scene with a sentence gets its line, synthesised first (`generate.voice`), so its
real duration is known. A line starts `LEAD_S` after the scene's incoming transition
has finished and ends `TAIL_S` before the next scene begins (it may carry into the first
half of the outgoing transition, where this scene still weighs most); a scene too short
for its line is lengthened by **holding its last frame** (at the clips' own rate, before
retiming and transitions), and the story is stitched again until every line fits.
`Narration.held` records how many frames each scene was held, and subtitles follow the
spoken lines (``story.metadata["cues"]``). This is audio description in the sense of
Movie2Story (arXiv 2412.14965): narration that follows the pictures, scene by scene.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import InvalidInput
from ..generate.clips import Clip
from ..plan.captions import detect_language
from ..plan.script import Script
from .timeline import Story, stitch_holding

__all__ = ["NarrationLine", "Narration", "narrate_story", "script_language", "line_windows", "speak_lines"]

LEAD_S = 0.25  # air before a line, after the picture has settled
TAIL_S = 0.3  # air after it, before the next scene starts
MAX_FITS = 8


@dataclasses.dataclass
class NarrationLine:
    """One spoken line: its scene, and where it sits on the story's timeline, in seconds."""

    scene: int
    start: float
    end: float
    text: str


@dataclasses.dataclass(eq=False)
class Narration:
    """The story's narration: who speaks, the placed lines, their samples, and how scenes were fitted."""

    engine: str
    voice: str
    language: str
    lines: list[NarrationLine]
    speeches: list  # generate.voice.Speech, one per line
    sample_rate: int
    held: dict[int, int]  # scene index → frames held at the end (at the clip's own rate)
    describe: dict = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    def track(self, duration: float) -> np.ndarray:
        """The narration alone, as float32 mono samples lasting exactly `duration` seconds."""
        out = np.zeros(int(round(duration * self.sample_rate)), np.float32)
        for line, speech in zip(self.lines, self.speeches):
            samples = _resample(speech.samples, speech.sample_rate, self.sample_rate)
            a = int(round(line.start * self.sample_rate))
            b = min(len(out), a + len(samples))
            out[a:b] += samples[: b - a]
        return out

    def to_manifest(self) -> dict:
        return {
            "engine": self.engine,
            "voice": self.voice,
            "language": self.language,
            "fit": "hold",  # short scenes hold their last frame; nothing is re-rendered
            "held_frames": {str(k): v for k, v in self.held.items() if v},
            "lines": [{"scene": ln.scene, "text": ln.text, "start": round(ln.start, 3), "end": round(ln.end, 3)}
                      for ln in self.lines],
            "model": {k: v for k, v in self.describe.items() if k not in ("engine", "voice")},
        }

    def __repr__(self) -> str:
        return f"Narration({self.engine}:{self.voice}, {self.language}, {len(self.lines)} lines)"


def script_language(script: Script) -> str:
    """The language the story is told in: the writer's detection over the triple and the sentences."""
    t = script.triple
    texts = [t.setting, t.character, t.action, *(s.text for s in script.scenes)]
    return detect_language([x for x in texts if x])


def speak_lines(script: Script, engine, *, speed: float = 1.0, cache_dir=None) -> dict[int, object]:
    """Each scene's sentence spoken by `engine` (cached): {scene index: Speech}; scenes without text are left out."""
    from ..generate.voice import synthesize

    return {s.index: synthesize(engine, s.text, speed=speed, cache_dir=cache_dir) for s in script.scenes if s.text.strip()}


def line_windows(story: Story) -> list[tuple[float, float]]:
    """Per scene, the seconds ``[lo, hi)`` where a line may sound: after its incoming transition, before the next scene.

    Transition rules (see `timeline`): a scene's span starts ``K // 2`` frames into a
    crossfade of K frames (a dip: at its middle), so ``K - K // 2`` more frames pass before
    the picture is settled. The span ends where the next scene starts to weigh most.
    """
    meta, fps = story.metadata, story.fps
    names, lengths = meta.get("transitions", []), meta.get("transition_lengths", [])
    title_k = int(meta.get("title_transition", 0)) if meta.get("title_frames") else 0
    incoming = [title_k - title_k // 2]  # the title card dips to black into the first scene
    for name, k in zip(names, lengths):
        incoming.append(0 if name == "cut" else k - k // 2)
    return [((a + i) / fps, b / fps) for (a, b), i in zip(story.spans, incoming)]


def narrate_story(clips: list[Clip], script: Script, speeches: dict, *, engine_info: dict | None = None,
                  language: str = "und", notes=(), **stitch_kwargs) -> tuple[Story, Narration]:
    """Stitches `clips` so every spoken line fits inside its scene, and places the lines.

    `speeches`: {scene index: Speech} from `speak_lines`. Returns the stitched Story (its
    last frames held where a line needs more time) and the Narration. Subtitle cues are
    set to the spoken lines.
    """
    if not isinstance(speeches, dict):
        raise InvalidInput("speeches must be a dict {scene index: Speech} from speak_lines")
    held = {c.scene_index: 0 for c in clips}
    for _ in range(MAX_FITS):
        story = stitch_holding(clips, held, script, **stitch_kwargs)
        windows = line_windows(story)
        short = {}
        for c, (lo, hi) in zip(clips, windows):
            speech = speeches.get(c.scene_index)
            if speech is not None:
                need = LEAD_S + speech.duration + TAIL_S - (hi - lo)
                if need > 1e-6:
                    short[c.scene_index] = need
        if not short:
            break
        for c in clips:
            if c.scene_index in short:  # at the clip's own rate; one frame more for rounding
                held[c.scene_index] += math.ceil(short[c.scene_index] * c.fps) + 1
    else:
        raise InvalidInput("could not fit the narration into the scenes; shorten the sentences")
    lines, kept = [], []
    for c, (lo, hi), text in zip(clips, windows, story.texts):
        speech = speeches.get(c.scene_index)
        if speech is None:
            continue
        start = lo + LEAD_S
        lines.append(NarrationLine(c.scene_index, start, start + speech.duration, speech.text))
        kept.append(speech)
    rate = max((s.sample_rate for s in kept), default=22050)
    info = dict(engine_info or {})
    story.metadata["cues"] = [(ln.start, min(ln.end + TAIL_S, hi), text)
                              for ln, (lo, hi), text in _by_scene(lines, windows, story, clips)]
    story.metadata["narration_held_frames"] = {k: v for k, v in held.items() if v}
    narration = Narration(info.get("engine", "?"), info.get("voice", "?"), language, lines, kept, rate, held,
                          info, list(notes))
    return story, narration


def _by_scene(lines, windows, story, clips):
    index = {c.scene_index: k for k, c in enumerate(clips)}
    for ln in lines:
        k = index[ln.scene]
        yield ln, windows[k], story.texts[k].strip() or ln.text


def _resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear resampling (lines from different engines share one track rate)."""
    if src == dst or not len(samples):
        return samples
    n = int(round(len(samples) * dst / src))
    return np.interp(np.arange(n) * (src / dst), np.arange(len(samples)), samples).astype(np.float32)
