"""Voices that tell the story: each scene's sentence spoken in the script's language.

>>> from storykit.generate.voice import pick_voice, synthesize
>>> engine, notes = pick_voice("en")                 # the best voice on this machine
>>> speech = synthesize(engine, "We are in a misty bamboo forest at dawn.")
>>> round(speech.duration, 1) > 1, speech.sample_rate
(True, 22050)

Three engines share one small interface (`base.VoiceEngine`): `espeak` (espeak-ng
through ctypes, bundled by the espeakng-loader wheel: no download, ~100 languages),
`kokoro` (Kokoro-82M, Apache-2.0, ONNX) and `mms` (MMS-TTS through transformers'
VitsModel, CC-BY-NC 4.0). `select.pick_voice` chooses one from the language;
`base.synthesize` speaks a line through the on-disk line cache.
"""

from __future__ import annotations

from .base import Speech, VoiceEngine, synthesize, voice_cache_dir
from .select import ENGINES, NARRATE, list_voices, pick_voice

__all__ = ["Speech", "VoiceEngine", "synthesize", "voice_cache_dir", "pick_voice", "list_voices", "NARRATE", "ENGINES"]
