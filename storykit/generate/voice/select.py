"""Which voice tells the story: the script's language picks it, `voice=` overrides it.

``narrate="auto"`` takes the most natural voice already on this machine for the
language: Kokoro-82M (Apache-2.0) where it has a voice, then MMS-TTS (CC-BY-NC 4.0),
then the embedded espeak-ng. Neural voices are used only when their files are
already downloaded (or with ``download=True``): "auto" never starts a download.
"""

from __future__ import annotations

from ...errors import InvalidInput, MissingDependency, MissingWeights

__all__ = ["NARRATE", "ENGINES", "pick_voice", "list_voices"]

ENGINES = ("espeak", "kokoro", "mms")
NARRATE = ("auto", *ENGINES, "none")


def _espeak(language: str, voice: str | None, download: bool):
    from .espeak import ESPEAK_FOR_LANGUAGE, EspeakVoice

    name = voice or ESPEAK_FOR_LANGUAGE.get(language)
    note = None
    if name is None:
        name = "en-us"
        note = (f"no voice is known for the script's language ({language!r}); narrating with espeak-ng's {name!r}: "
                "pass --voice to choose one")
    return EspeakVoice(name, language), note


def _kokoro(language: str, voice: str | None, download: bool):
    from .kokoro import KokoroVoice

    return KokoroVoice.for_language(language, voice, download=download), None


def _mms(language: str, voice: str | None, download: bool):
    from .mms import MmsVoice

    return MmsVoice.for_language(language, voice, download=download), None


_MAKERS = {"espeak": _espeak, "kokoro": _kokoro, "mms": _mms}


def list_voices(engine: str | None = None) -> dict[str, list[str]]:
    """Voice names each engine offers here: espeak's installed voices, Kokoro's and MMS's known ones."""
    out = {}
    for name in [engine] if engine else ENGINES:
        try:
            if name == "espeak":
                from .espeak import espeak_voices

                out[name] = espeak_voices()
            elif name == "kokoro":
                from .kokoro import KOKORO_VOICES

                out[name] = sorted(v for vs in KOKORO_VOICES.values() for v in vs)
            else:
                from .mms import MMS_FOR_LANGUAGE

                out[name] = [f"facebook/mms-tts-{iso}" for iso in MMS_FOR_LANGUAGE.values()]
        except (MissingDependency, OSError):
            out[name] = []
    return out


def _owner(voice: str) -> str | None:
    """The engine a voice name belongs to."""
    for engine, names in list_voices().items():
        if voice in names or voice.split("+")[0].lower() in names:
            return engine
    if voice.startswith("facebook/mms-tts-") or "mms-tts" in voice:
        return "mms"
    return None


def pick_voice(language: str, narrate: str = "auto", voice: str | None = None, *, download: bool = False):
    """The voice engine for `language` (a code from `detect_language`), and notes to print.

    Returns ``(engine or None, notes)``: None with ``narrate="none"``, or when no voice can
    be loaded here (then a note says why and the story is told silently). A voice or
    engine asked for by name that cannot be used raises one line instead.
    """
    if narrate not in NARRATE:
        raise InvalidInput(f"unknown narrate {narrate!r}; choose one of: {', '.join(NARRATE)}")
    if voice is not None and (not isinstance(voice, str) or not voice.strip()):
        raise InvalidInput(f"voice must be a voice name such as 'en-us' or 'af_heart', got {voice!r}")
    if narrate == "none":
        return None, []
    notes = []
    if voice is not None and narrate == "auto":
        owner = _owner(voice)
        if owner is None:
            listing = "; ".join(f"{e}: {', '.join(v)}" for e, v in list_voices().items() if v)
            raise InvalidInput(f"unknown voice {voice!r}; voices here: {listing}")
        narrate = owner
    if narrate != "auto":
        engine, note = _MAKERS[narrate](language, voice, download)  # asked for by name: failures are errors
        return engine, [n for n in (note, _license_note(engine)) if n]
    for name in ("kokoro", "mms", "espeak"):
        try:
            engine, note = _MAKERS[name](language, None, False)
        except (MissingDependency, MissingWeights, InvalidInput, OSError) as e:
            if name == "espeak":
                notes.append(f"the story is told silently: {e}")
                return None, notes
            continue
        return engine, [n for n in (note, _license_note(engine)) if n]
    return None, notes


def _license_note(engine) -> str | None:
    if engine.name == "mms":
        return (f"narrating with MMS-TTS ({engine.voice}): its weights are CC-BY-NC 4.0, for non-commercial use only")
    return None
