"""The natural voices' real loading code, on tiny random models saved in the real file layouts."""

import numpy as np
import pytest

from storykit.errors import InvalidInput, MissingWeights
from storykit.generate.voice import pick_voice, synthesize
from storykit.generate.voice.tiny import build_tiny_kokoro, build_tiny_mms


@pytest.fixture(scope="module")
def kokoro_dir(tmp_path_factory):
    return build_tiny_kokoro(tmp_path_factory.mktemp("kokoro-onnx"))


@pytest.fixture(scope="module")
def mms_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("mms")
    build_tiny_mms(root / "mms-tts-ara", language="ara")
    return root


def test_kokoro_is_taken_for_its_languages_and_speaks_through_kokoro_onnx(kokoro_dir, monkeypatch, tmp_path):
    import kokoro_onnx

    monkeypatch.setenv("STORYKIT_KOKORO", str(kokoro_dir))
    seen = []
    real = kokoro_onnx.Kokoro.create
    monkeypatch.setattr(kokoro_onnx.Kokoro, "create", lambda self, text, **kw: (seen.append(kw), real(self, text, **kw))[1])
    engine, notes = pick_voice("ja")
    assert (engine.name, engine.voice, notes) == ("kokoro", "jf_alpha", [])
    speech = synthesize(engine, "きつねがランタンをさがす。", cache_dir=tmp_path)
    assert speech.sample_rate == 24000 and speech.duration > 0.1
    assert seen == [{"voice": "jf_alpha", "speed": 1.0, "lang": "ja"}]  # what kokoro-onnx was asked
    longer = synthesize(engine, "きつねがランタンをさがす。" * 3, cache_dir=tmp_path)
    assert longer.duration > 2 * speech.duration  # the graph's length follows the phonemes
    assert pick_voice("en")[0].voice == "af_heart"
    assert pick_voice("en", voice="ef_dora")[0].language == "es"  # the voice's own language
    assert pick_voice("ar")[0].name == "espeak"  # no Kokoro voice for Arabic: the next engine
    with pytest.raises(InvalidInput, match="Kokoro has no voice 'af_nobody'"):
        pick_voice("en", "kokoro", voice="af_nobody")


def test_kokoro_files_must_both_be_there(tmp_path, monkeypatch):
    (tmp_path / "kokoro-v1.0.onnx").write_bytes(b"x")
    monkeypatch.setenv("STORYKIT_KOKORO", str(tmp_path))
    with pytest.raises(MissingWeights, match="voices-v1.0.bin not in .*hf download fastrtc/kokoro-onnx"):
        pick_voice("en", "kokoro")
    assert pick_voice("en")[0].name == "espeak"  # "auto" falls back quietly


def test_mms_speaks_arabic_from_a_local_folder_and_says_its_licence(mms_root, monkeypatch, tmp_path):
    monkeypatch.setenv("STORYKIT_MMS", str(mms_root))
    monkeypatch.delenv("STORYKIT_KOKORO", raising=False)
    engine, notes = pick_voice("ar")
    assert (engine.name, engine.voice) == ("mms", "facebook/mms-tts-ara")
    assert "CC-BY-NC 4.0" in notes[0] and "non-commercial" in notes[0]
    import torch

    one = synthesize(engine, "ثعلب أحمر صغير", cache_dir=False)
    torch.manual_seed(1234)  # whatever else used torch's random numbers meanwhile
    two = synthesize(engine, "ثعلب أحمر صغير", cache_dir=False)
    assert one.sample_rate == 16000 and len(one.samples) > 0
    assert np.array_equal(one.samples, two.samples)  # VITS samples noise: a fixed seed makes it reproducible
    assert engine.describe()["license"].startswith("CC-BY-NC")
    assert pick_voice("es")[0].name == "espeak"  # no Spanish MMS model on this machine
