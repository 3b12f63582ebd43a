"""What every voice shares: a `Speech` result, the engine interface and the line cache.

A voice engine turns one line of text into mono samples. Lines are cached on disk by
(engine, model, voice, text, speed), so a re-run or a studio edit re-synthesises only
the lines that changed, and the same inputs always give the same samples.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import wave
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ...errors import InvalidInput
from ...paths import storykit_home

__all__ = ["Speech", "VoiceEngine", "synthesize", "voice_cache_dir", "trim_silence"]

MIN_SPEED, MAX_SPEED = 0.5, 2.0


@dataclasses.dataclass(eq=False)
class Speech:
    """One spoken line: mono float32 samples in [-1, 1] at `sample_rate`, and who said it."""

    samples: np.ndarray
    sample_rate: int
    engine: str
    voice: str
    text: str
    cached: bool = False

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def __repr__(self) -> str:
        return f"Speech({self.engine}:{self.voice}, {self.duration:.2f} s, {self.text[:40]!r})"

    def _repr_html_(self) -> str:  # an audio player in a notebook
        import base64
        import io

        buf = io.BytesIO()
        write_wav(buf, self.samples, self.sample_rate)
        data = base64.b64encode(buf.getvalue()).decode()
        return f'<audio controls src="data:audio/wav;base64,{data}"></audio> {self.text}'


@runtime_checkable
class VoiceEngine(Protocol):
    """A loaded voice: `name` (espeak, kokoro, mms), `voice`, `language`; `speak(text, speed)` → (samples, rate)."""

    name: str
    voice: str
    language: str

    def describe(self) -> dict:
        """Identity for the manifest and the cache key: engine, voice, model source, version, licence."""

    def speak(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        """Float32 mono samples and their sample rate."""


def voice_cache_dir() -> Path:
    """$STORYKIT_VOICE_CACHE, or ~/.cache/storykit/voice."""
    env = os.environ.get("STORYKIT_VOICE_CACHE")
    return Path(env).expanduser() if env else storykit_home() / "voice"


def trim_silence(samples: np.ndarray, threshold: float = 2e-3) -> np.ndarray:
    """Drops the quiet head and tail an engine adds, so a line's duration is its voiced span."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if not len(loud):
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


_locks: dict[str, threading.Lock] = {}


def synthesize(engine: VoiceEngine, text: str, *, speed: float = 1.0, cache_dir=None) -> Speech:
    """`engine` speaking `text`, from the line cache when it was said before (same engine, voice, text, speed).

    `cache_dir`: a folder, None for `voice_cache_dir()`, False for no cache.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("a narration line must be non-empty text")
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"narration speed must be a number in [{MIN_SPEED}, {MAX_SPEED}], got {speed!r}")
    text = " ".join(text.split())
    fields = {**engine.describe(), "text": text, "speed": float(speed)}
    key = hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    folder = None if cache_dir is False else Path(cache_dir or voice_cache_dir())
    path = folder / f"{key}.wav" if folder is not None else None
    if path is not None and path.is_file():
        try:
            samples, rate = read_wav(path)
            return Speech(samples, rate, engine.name, engine.voice, text, cached=True)
        except (OSError, EOFError, wave.Error, ValueError):
            path.unlink(missing_ok=True)  # a damaged entry is said again
    with _locks.setdefault(engine.name, threading.Lock()):  # engines keep global state (espeak-ng does)
        samples, rate = engine.speak(text, float(speed))
    samples = trim_silence(np.asarray(samples, np.float32).reshape(-1))
    if not len(samples):
        raise InvalidInput(f"the {engine.name} voice {engine.voice!r} said nothing for {text[:60]!r}")
    samples = np.round(np.clip(samples, -1, 1) * 32767) / 32767  # what the cache keeps: same samples either way
    samples = samples.astype(np.float32)
    if path is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            write_wav(tmp, samples, rate)
            os.replace(tmp, path)
        except OSError as e:  # a read-only or full cache never stops the story
            print(f"storykit: note: the voice cache {str(folder)!r} is not writable ({e.strerror}); lines are not cached")
    return Speech(samples, rate, engine.name, engine.voice, text)


def write_wav(target, samples: np.ndarray, rate: int) -> None:
    """16-bit mono PCM WAV (stdlib `wave`)."""
    pcm = np.round(np.clip(np.asarray(samples, np.float32), -1, 1) * 32767).astype("<i2")
    with wave.open(target if not isinstance(target, Path) else str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())


def read_wav(path) -> tuple[np.ndarray, int]:
    """A 16-bit mono WAV as float32 samples and its rate."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError("not 16-bit mono")
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(data, "<i2").astype(np.float32) / 32767, rate
