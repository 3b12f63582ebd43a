"""Kokoro-82M (Apache-2.0), through the `kokoro-onnx` package: a natural voice for nine languages.

Only the ONNX export is used (no pickles): ``kokoro-v1.0.onnx`` and ``voices-v1.0.bin``
(a NumPy ``.npz`` of style vectors) from the hub repo ``fastrtc/kokoro-onnx``, the same
files as kokoro-onnx's "model-files-v1.0" release. They are used when already on the
machine: $STORYKIT_KOKORO (a folder holding both), or the Hugging Face cache;
``download=True`` fetches them. kokoro-onnx phonemises with espeak-ng (the same
espeakng-loader library), then the model speaks at 24,000 Hz.

>>> from storykit.generate.voice.kokoro import KokoroVoice
>>> voice = KokoroVoice.for_language("en")            # doctest: +SKIP
>>> samples, rate = voice.speak("We are in a misty bamboo forest.")   # doctest: +SKIP
"""

from __future__ import annotations

import functools

import numpy as np

from ...errors import InvalidInput, MissingDependency, MissingWeights
from .hub import find_files

__all__ = ["KokoroVoice", "KOKORO_VOICES", "KOKORO_REPO", "MODEL_FILE", "VOICES_FILE"]

KOKORO_REPO = "fastrtc/kokoro-onnx"
MODEL_FILE = "kokoro-v1.0.onnx"
VOICES_FILE = "voices-v1.0.bin"
# Kokoro-82M's v1.0 voices by language (hexgrad/Kokoro-82M VOICES.md); the first is the default.
KOKORO_VOICES = {
    "en": ["af_heart", "af_bella", "af_nicole", "af_sarah", "af_sky", "am_adam", "am_michael", "bf_emma", "bm_george"],
    "es": ["ef_dora", "em_alex", "em_santa"],
    "fr": ["ff_siwis"],
    "it": ["if_sara", "im_nicola"],
    "ja": ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"],
    "pt": ["pf_dora", "pm_alex", "pm_santa"],
    "zh": ["zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi"],
    "hi": ["hf_alpha", "hf_beta", "hm_omega", "hm_psi"],
}
# The espeak-ng language kokoro-onnx phonemises each with (its `lang=`).
_PHONEME_LANG = {"en": "en-us", "es": "es", "fr": "fr-fr", "it": "it", "ja": "ja", "pt": "pt-br", "zh": "cmn", "hi": "hi"}
_PREFIX_LANG = {"a": "en", "b": "en", "e": "es", "f": "fr", "i": "it", "j": "ja", "p": "pt", "z": "zh", "h": "hi"}


@functools.cache
def _load(model_path: str, voices_path: str):
    try:
        from kokoro_onnx import Kokoro
    except ImportError as e:
        raise MissingDependency(f"kokoro-onnx is needed for the Kokoro voice ({e}); install it with "
                                "`pip install 'storykit[voice]'`") from None
    return Kokoro(model_path, voices_path)


def _reader():
    from .japanese import reader_version

    return reader_version()


class KokoroVoice:
    """One Kokoro voice (e.g. "af_heart", "jf_alpha"); `speak` gives float32 samples at 24,000 Hz."""

    name = "kokoro"

    def __init__(self, voice: str, language: str, *, folder=None, download: bool = False):
        model, voices = find_files(KOKORO_REPO, [MODEL_FILE, VOICES_FILE], folder=folder, env="STORYKIT_KOKORO",
                                   what=f"the Kokoro-82M voice ({MODEL_FILE}, {VOICES_FILE})", download=download)
        self._model_path, self._voices_path = str(model), str(voices)
        self._kokoro = _load(self._model_path, self._voices_path)
        names = list(self._kokoro.voices.keys()) if hasattr(self._kokoro.voices, "keys") else []
        if voice not in names:
            raise InvalidInput(f"Kokoro has no voice {voice!r}; it has: {', '.join(sorted(names))}")
        self.voice, self.language = voice, language

    @classmethod
    def for_language(cls, language: str, voice: str | None = None, *, folder=None, download: bool = False):
        """The Kokoro voice for `language` (or `voice`); MissingWeights where Kokoro has none for it."""
        if voice is None:
            if language not in KOKORO_VOICES:
                raise MissingWeights(f"Kokoro-82M has no voice for the language {language!r} "
                                     f"(it speaks {', '.join(KOKORO_VOICES)})")
            voice = KOKORO_VOICES[language][0]
        else:
            language = _PREFIX_LANG.get(voice[:1], language)
        return cls(voice, language, folder=folder, download=download)

    def describe(self) -> dict:
        from ..cache import file_sha256

        return {"engine": "kokoro", "voice": self.voice, "model": f"{KOKORO_REPO}/{MODEL_FILE}",
                "model_sha256": file_sha256(self._model_path), "voices_sha256": file_sha256(self._voices_path),
                "sample_rate": 24000, "license": "Apache-2.0 (Kokoro-82M)",
                **({"kanji_reader": _reader()} if self.language == "ja" else {})}

    def speak(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        lang = _PHONEME_LANG.get(self.language, "en-us")
        if lang == "ja":
            from .japanese import kana_reading

            text = kana_reading(text)  # phonemised by espeak-ng, which reads kana only
        samples, rate = self._kokoro.create(text, voice=self.voice, speed=float(speed), lang=lang)
        return np.asarray(samples, np.float32), int(rate)

    def __repr__(self) -> str:
        return f"KokoroVoice({self.voice!r})"
