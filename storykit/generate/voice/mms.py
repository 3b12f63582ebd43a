"""MMS-TTS (Meta's Massively Multilingual Speech, arXiv 2305.13516) through transformers' `VitsModel`.

One small VITS model per language, ``facebook/mms-tts-<iso 639-3>``: config.json,
model.safetensors and the character tokenizer (vocab.json, tokenizer_config.json,
special_tokens_map.json). Only the safetensors weights are loaded (the repos also hold
a pickled ``pytorch_model.bin``, never fetched). **The weights are CC-BY-NC 4.0:
non-commercial use only**; storykit says so whenever it picks this voice.

Used when already on the machine: $STORYKIT_MMS (a folder holding one model, or
folders named ``mms-tts-<iso>``), or the Hugging Face cache; ``download=True`` fetches it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from ...errors import InvalidInput, MissingDependency, MissingWeights, require
from .hub import find_files

__all__ = ["MmsVoice", "MMS_FOR_LANGUAGE", "MMS_FILES"]

MMS_FILES = ["config.json", "model.safetensors", "vocab.json", "tokenizer_config.json", "special_tokens_map.json"]
# The writer's languages → ISO 639-3 codes of facebook/mms-tts-* repos (ja and zh have none).
MMS_FOR_LANGUAGE = {
    "en": "eng", "es": "spa", "fr": "fra", "de": "deu", "pt": "por", "ru": "rus", "ar": "ara", "he": "heb",
    "hi": "hin", "ko": "kor", "el": "ell", "th": "tha", "id": "ind",  # facebook/mms-tts-ind: model.safetensors
}
SEED = 0  # VITS samples noise: one fixed seed per line makes every synthesis reproducible


@functools.cache
def _load(folder: str):
    require("torch", "gen")
    transformers = require("transformers", "gen")
    model = transformers.VitsModel.from_pretrained(folder, use_safetensors=True).eval()
    tokenizer = transformers.VitsTokenizer.from_pretrained(folder)
    return model, tokenizer


class MmsVoice:
    """An MMS-TTS voice (e.g. "facebook/mms-tts-spa", or a local folder); `speak` gives float32 samples at 16 kHz."""

    name = "mms"

    def __init__(self, voice: str, language: str, *, download: bool = False):
        iso = voice.rsplit("mms-tts-", 1)[-1] if "mms-tts-" in voice else None
        folder = Path(voice).expanduser() if ("/" in voice and Path(voice).expanduser().is_dir()) else None
        if folder is None:
            env = os.environ.get("STORYKIT_MMS")
            if env and iso and (Path(env).expanduser() / f"mms-tts-{iso}").is_dir():
                folder = Path(env).expanduser() / f"mms-tts-{iso}"
            elif env and (Path(env).expanduser() / "config.json").is_file():
                folder = Path(env).expanduser()
        if folder is not None:
            paths = find_files(voice, MMS_FILES, folder=folder, env="STORYKIT_MMS", what=f"MMS-TTS {voice}")
        elif iso:
            paths = find_files(f"facebook/mms-tts-{iso}", MMS_FILES, env="STORYKIT_MMS_UNUSED",
                               what=f"MMS-TTS facebook/mms-tts-{iso}", download=download)
        else:
            raise InvalidInput(f"an MMS voice is a hub id such as 'facebook/mms-tts-spa' or a model folder, got {voice!r}")
        self._folder = str(paths[0].parent)
        self.voice, self.language = voice, language
        self._model, self._tokenizer = _load(self._folder)
        if getattr(self._tokenizer, "is_uroman", False):
            try:
                import uroman  # noqa: F401  (texts in non-Latin scripts are romanised first)
            except ImportError:
                raise MissingDependency(f"MMS-TTS {voice} reads romanised text; install `pip install uroman`") from None

    @classmethod
    def for_language(cls, language: str, voice: str | None = None, *, download: bool = False):
        """The MMS-TTS model for `language` (or `voice`); MissingWeights where MMS has none or it is not here."""
        if voice is None:
            if language not in MMS_FOR_LANGUAGE:
                raise MissingWeights(f"MMS-TTS has no model storykit knows for the language {language!r}")
            voice = f"facebook/mms-tts-{MMS_FOR_LANGUAGE[language]}"
        return cls(voice, language, download=download)

    def describe(self) -> dict:
        from ..cache import file_sha256

        return {"engine": "mms", "voice": self.voice, "model": self.voice,
                "model_sha256": file_sha256(Path(self._folder) / "model.safetensors"),
                "sample_rate": int(self._model.config.sampling_rate), "license": "CC-BY-NC-4.0 (MMS-TTS)"}

    def speak(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        import torch

        if getattr(self._tokenizer, "is_uroman", False):
            import uroman

            text = uroman.Uroman().romanize_string(text)
        inputs = self._tokenizer(text, return_tensors="pt")
        if inputs["input_ids"].shape[-1] == 0:
            raise InvalidInput(f"MMS-TTS {self.voice} has no letters for {text[:60]!r}")
        self._model.speaking_rate = float(speed)
        with torch.random.fork_rng(devices=[]), torch.inference_mode():
            torch.manual_seed(SEED)
            wave = self._model(**inputs).waveform[0]
        return wave.float().numpy(), int(self._model.config.sampling_rate)

    def __repr__(self) -> str:
        return f"MmsVoice({self.voice!r})"
