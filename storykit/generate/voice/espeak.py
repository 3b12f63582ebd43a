"""The embedded voice: espeak-ng through its C API, with no download.

The `espeakng-loader` wheel bundles ``libespeak-ng`` 1.52 and its data for about
100 languages; storykit drives it with ctypes (espeak-ng's ``speak_lib.h``):

1. ``espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, data_path, 0)`` returns the sample rate (22,050 Hz);
2. ``espeak_SetSynthCallback(cb)``: the callback receives 16-bit mono samples;
3. ``espeak_SetVoiceByName(b"en-us")``;
4. ``espeak_Synth(text, len + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, None, None)`` speaks, synchronously.

Where the wheel does not exist (Linux aarch64) a system ``libespeak-ng`` is used if
there is one (``apt-get install espeak-ng``); otherwise `EspeakVoice` raises
MissingDependency and the story is told silently, with a note.

>>> from storykit.generate.voice.espeak import EspeakVoice
>>> samples, rate = EspeakVoice("en-us").speak("Hello.")   # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

import numpy as np

from ...errors import InvalidInput, MissingDependency

__all__ = ["EspeakVoice", "espeak_voices", "ESPEAK_FOR_LANGUAGE", "espeak_available"]

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
# The writer's languages (storykit.plan.captions.detect_language) → espeak-ng voice names.
ESPEAK_FOR_LANGUAGE = {
    "en": "en-us", "es": "es", "fr": "fr", "de": "de", "it": "it", "pt": "pt", "ja": "ja", "zh": "cmn",
    "ko": "ko", "ru": "ru", "ar": "ar", "he": "he", "hi": "hi", "el": "el", "th": "th", "id": "id", "tr": "tr",
}
INSTALL_HINT = "`pip install espeakng-loader` (no Linux aarch64 wheel: there `apt-get install espeak-ng`)"


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Library:
    """The loaded libespeak-ng, initialised once per process (espeak-ng keeps global state)."""

    def __init__(self, lib_path: str, data_path: str | None, source: str):
        lib = ctypes.CDLL(lib_path)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, data_path.encode() if data_path else None, 0)
        if rate <= 0:
            raise MissingDependency(f"espeak-ng could not start (data at {data_path!r}); reinstall it: {INSTALL_HINT}")
        self.lib, self.rate, self.source, self.chunks = lib, rate, source, []
        self._callback = _CALLBACK(self._receive)  # kept referenced: ctypes must not free it while C holds it
        lib.espeak_SetSynthCallback(self._callback)

    def _receive(self, wav, n, events) -> int:
        if n > 0 and wav:
            self.chunks.append(np.ctypeslib.as_array(wav, (n,)).copy())
        return 0  # 0: carry on

    def voices(self) -> list[str]:
        """The voice names this library has (file names such as en-us, ja, ar)."""
        out, table = [], self.lib.espeak_ListVoices(None)
        k = 0
        while table[k]:
            ident = (table[k].contents.identifier or b"").decode("utf-8", "replace")
            out.append(ident.rsplit("/", 1)[-1].lower())
            k += 1
        return sorted(set(out))

    def speak(self, voice: str, text: str, speed: float) -> np.ndarray:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise InvalidInput(f"espeak-ng has no voice {voice!r}")
        self.lib.espeak_SetParameter(1, int(round(175 * speed)), 0)  # espeakRATE: words per minute (175 default)
        data = text.encode("utf-8")
        self.chunks = []
        err = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
        if err != 0:
            raise InvalidInput(f"espeak-ng could not speak {text[:60]!r} (error {err})")
        pcm = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        return pcm.astype(np.float32) / 32768


@functools.cache
def _library() -> _Library:
    try:
        import espeakng_loader

        return _Library(espeakng_loader.get_library_path(), espeakng_loader.get_data_path(), "espeakng-loader")
    except ImportError:
        pass
    found = ctypes.util.find_library("espeak-ng")  # a system espeak-ng, e.g. on Linux aarch64
    if not found:
        raise MissingDependency(f"no espeak-ng library on this machine; install one: {INSTALL_HINT}")
    return _Library(found, os.environ.get("ESPEAK_DATA_PATH"), "system")


def espeak_available() -> bool:
    """Whether espeak-ng can be loaded here (loads it)."""
    try:
        _library()
        return True
    except (MissingDependency, OSError):
        return False


def espeak_voices() -> list[str]:
    """Every espeak-ng voice name on this machine."""
    return _library().voices()


class EspeakVoice:
    """One espeak-ng voice (e.g. "en-us", "ja", "ar", "es"); `speak` gives float32 samples at 22,050 Hz."""

    name = "espeak"

    def __init__(self, voice: str, language: str = "und"):
        lib = _library()
        if voice.split("+")[0].lower() not in lib.voices():
            raise InvalidInput(f"espeak-ng has no voice {voice!r}; it has: {', '.join(lib.voices())}")
        self.voice, self.language, self._lib = voice, language, lib
        self._japanese = voice.split("+")[0].lower() == "ja"

    def describe(self) -> dict:
        import importlib.metadata as md

        try:
            version = md.version("espeakng-loader")
        except md.PackageNotFoundError:
            version = "system"
        info = {"engine": "espeak", "voice": self.voice, "model": f"espeak-ng ({self._lib.source} {version})",
                "sample_rate": self._lib.rate, "license": "GPL-3.0 (espeak-ng)"}
        if self._japanese:
            from .japanese import reader_version

            info["kanji_reader"] = f"pykakasi {reader_version()}" if reader_version() else None
        return info

    def speak(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        if self._japanese:
            from .japanese import kana_reading

            text = kana_reading(text)  # espeak-ng reads kana; a kanji would be "Chinese letter"
        return self._lib.speak(self.voice, text, speed), self._lib.rate

    def __repr__(self) -> str:
        return f"EspeakVoice({self.voice!r})"
