"""Narrated stories: real espeak-ng speech, each line inside its scene, one mixed track, the manifest."""

import json
import re
import subprocess
import wave

import numpy as np
import pytest

from storykit import InvalidInput, plan
from storykit.cli import main
from storykit.errors import MissingWeights
from storykit.generate.clips import Clip
from storykit.generate.voice import pick_voice, synthesize
from storykit.generate.voice.base import Speech
from storykit.stitch.ffmpeg import ensure_ffmpeg, probe
from storykit.stitch.mix import measure_loudness, mix_audio
from storykit.stitch.narration import LEAD_S, TAIL_S, line_windows, narrate_story
from storykit.story import make_story

TRIPLES = {
    "en": ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern"),
    "ja": ("夜明けの竹林", "青いスカーフの小さな赤いキツネ", "なくしたランタンを探す"),
    "ar": ("غابة خيزران ضبابية عند الفجر", "ثعلب أحمر صغير بوشاح أزرق", "يبحث عن فانوس ضائع"),
    "es": ("un bosque de bambú al amanecer", "un pequeño zorro rojo con una bufanda azul", "busca una linterna perdida"),
}
RATE = 8000  # decoded audio for the checks


def decode_audio(path) -> np.ndarray:
    """The file's audio track as float32 mono at RATE Hz, through ffmpeg (what a player hears)."""
    raw = subprocess.run([ensure_ffmpeg(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


# -- the voice --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, text", [("en", "We are in a misty bamboo forest."), ("ja", "きつねがランタンをさがす。"),
                                        ("ar", "ثعلب أحمر صغير"), ("es", "Estamos en un bosque de bambú.")])
def test_espeak_speaks_each_language_at_22050_hz(lang, text, tmp_path):
    engine, notes = pick_voice(lang)
    assert engine.name == "espeak" and notes == []
    speech = synthesize(engine, text, cache_dir=tmp_path)
    assert speech.sample_rate == 22050
    assert 0.4 < speech.duration < 8
    assert rms(speech.samples) > 0.02  # audible, not silence
    other = synthesize(engine, text + " " + text, cache_dir=tmp_path)
    assert other.duration > 1.5 * speech.duration  # the words, not a fixed beep


def test_japanese_kanji_are_read_not_spelled_out():
    engine, _ = pick_voice("ja")
    kanji = synthesize(engine, "夜明けの竹林。", cache_dir=False)
    kana = synthesize(engine, "よあけのちくりん。", cache_dir=False)
    assert kanji.duration == pytest.approx(kana.duration, rel=0.05)  # not "Chinese letter" four times


def test_lines_are_cached_by_engine_voice_text_and_speed(tmp_path):
    engine, _ = pick_voice("en")
    calls = []
    real = engine.speak
    engine.speak = lambda text, speed=1.0: (calls.append((text, speed)), real(text, speed))[1]
    first = synthesize(engine, "The fox did it.", cache_dir=tmp_path)
    again = synthesize(engine, "The fox did it.", cache_dir=tmp_path)
    assert len(calls) == 1 and again.cached and np.array_equal(first.samples, again.samples)
    faster = synthesize(engine, "The fox did it.", speed=1.5, cache_dir=tmp_path)
    assert len(calls) == 2 and faster.duration < 0.85 * first.duration
    synthesize(engine, "The fox did it!", cache_dir=tmp_path)
    assert len(calls) == 3


def test_voice_choice_override_and_one_line_errors():
    assert pick_voice("ar")[0].voice == "ar" and pick_voice("ja")[0].voice == "ja"
    assert pick_voice("en", voice="en-gb-x-rp")[0].voice == "en-gb-x-rp"
    engine, notes = pick_voice("und")
    assert engine.voice == "en-us" and "no voice is known" in notes[0]
    assert pick_voice("en", "none") == (None, [])
    with pytest.raises(InvalidInput) as e:
        pick_voice("en", voice="klingon-xx")
    assert "unknown voice 'klingon-xx'" in str(e.value) and "en-us" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(InvalidInput, match="unknown narrate"):
        pick_voice("en", "loud")


def test_natural_voices_missing_name_the_download_command(monkeypatch):
    monkeypatch.delenv("STORYKIT_KOKORO", raising=False)
    monkeypatch.delenv("STORYKIT_MMS", raising=False)
    with pytest.raises(MissingWeights) as e:
        pick_voice("en", "kokoro")
    assert "hf download fastrtc/kokoro-onnx kokoro-v1.0.onnx voices-v1.0.bin" in str(e.value)
    with pytest.raises(MissingWeights) as e:
        pick_voice("es", "mms")
    assert "hf download facebook/mms-tts-spa" in str(e.value) and "\n" not in str(e.value)
    assert pick_voice("es")[0].name == "espeak"  # auto never downloads: the embedded voice


def test_without_espeak_the_story_is_told_silently_with_a_note(monkeypatch, tmp_path, capsys):
    from storykit.errors import MissingDependency
    from storykit.generate.voice import espeak

    def missing():
        raise MissingDependency("no espeak-ng library on this machine; install one: `pip install espeakng-loader`")

    monkeypatch.setattr(espeak, "_library", missing)  # as on Linux aarch64 without a system espeak-ng
    engine, notes = pick_voice("en")
    assert engine is None and "told silently" in notes[0] and "espeakng-loader" in notes[0]
    with pytest.raises(MissingDependency):
        pick_voice("en", "espeak")  # asked for by name: an error, not silence
    script = plan(*TRIPLES["en"], num_scenes=3, num_frames=8)
    result = make_story(script, output=tmp_path / "s.mp4", backend="animatic", height=64, width=64, fps=8,
                        cache_dir=tmp_path / "c", progress=False)
    assert probe(tmp_path / "s.mp4")["audio"] == [] and not result.export.audio
    assert "told silently" in capsys.readouterr().out


# -- placement --------------------------------------------------------------------------------


def _clips(n, frames=16, fps=8):
    rng = np.random.default_rng(0)
    return [Clip(rng.integers(0, 255, (frames, 16, 16, 3), dtype=np.uint8), fps, k) for k in range(n)]


def _tone(seconds, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)


def test_each_line_sits_after_the_incoming_transition_and_ends_before_the_next_scene():
    script = plan(*TRIPLES["en"], num_scenes=3, num_frames=16)
    clips = _clips(3)
    lengths = {0: 0.5, 1: 3.7, 2: 0.4}  # scene 1's line is far longer than its 2 s
    speeches = {k: Speech(_tone(s), 16000, "test", "tone", f"line {k}") for k, s in lengths.items()}
    story, narration = narrate_story(clips, script, speeches, fps=24, transition="crossfade", title=True)
    windows = line_windows(story)
    for line, (lo, hi), (a, b) in zip(narration.lines, windows, story.spans):
        assert line.start == pytest.approx(lo + LEAD_S)
        assert hi == b / 24 and line.end <= hi - TAIL_S + 1e-9  # never into the next scene
        assert line.end - line.start == pytest.approx(lengths[line.scene], abs=1e-3)
    k = story.metadata["transition_lengths"][0]
    assert windows[1][0] * 24 == story.spans[1][0] + k - k // 2  # after the crossfade has finished
    assert all(a.end < b.start for a, b in zip(narration.lines, narration.lines[1:]))
    assert narration.held[1] > 0 and narration.held[0] == 0 and narration.held[2] == 0
    assert story.metadata["retimed_frames"][1] > story.metadata["retimed_frames"][0]  # scene 1 really got longer
    track = narration.track(story.duration)
    assert len(track) == round(story.duration * narration.sample_rate)
    for line in narration.lines:  # the samples sit where the lines say
        a, b = int(line.start * 16000), int(line.end * 16000)
        assert rms(track[a:b]) > 0.1 and rms(track[b + 800 : b + 1600]) == 0


def test_a_story_whose_lines_fit_is_not_held():
    script = plan(*TRIPLES["en"], num_scenes=3, num_frames=32)
    speeches = {k: Speech(_tone(0.5), 16000, "test", "tone", "x") for k in range(3)}
    story, narration = narrate_story(_clips(3, 32), script, speeches, fps=8, transition="cut")
    assert narration.held == {0: 0, 1: 0, 2: 0} and story.num_frames == 96


# -- mixing -----------------------------------------------------------------------------------


def _band(x, lo, hi, rate=RATE):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    f = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spec[(f >= lo) & (f <= hi)].sum())


def test_music_is_ducked_under_speech_and_the_mix_is_minus_16_lufs(tmp_path):
    rate = 16000
    voice = np.zeros(6 * rate, np.float32)
    voice[2 * rate : 4 * rate] = _tone(2.0)  # someone speaks from 2 s to 4 s
    music = tmp_path / "bed.wav"
    subprocess.run([ensure_ffmpeg(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=1500:duration=10",
                    str(music)], check=True)
    out = tmp_path / "mix.wav"
    report = mix_audio(voice, rate, out, duration=6.0, music=music)
    assert report["ducking"] == "sidechaincompress"
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 48000)  # music keeps its stereo
    alone = tmp_path / "voice.wav"
    mix_audio(voice, rate, alone, duration=6.0)
    with wave.open(str(alone)) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, 48000)  # one voice: one channel
    mixed = decode_audio(out)
    assert len(mixed) == pytest.approx(6 * RATE, abs=RATE * 0.02)
    quiet, speaking = mixed[int(0.5 * RATE) : int(1.5 * RATE)], mixed[int(2.8 * RATE) : int(3.8 * RATE)]
    bed_alone, bed_ducked = _band(quiet, 1400, 1600), _band(speaking, 1400, 1600)
    assert bed_ducked < 0.5 * bed_alone  # the music dips by more than 6 dB while the line is spoken
    assert _band(speaking, 150, 250) > 5 * _band(quiet, 150, 250)  # and the speech is on top
    assert measure_loudness(out) == pytest.approx(-16, abs=0.7)  # EBU R128 integrated, as a meter reads it
    peak = np.abs(mixed).max()
    assert 20 * np.log10(peak) <= -1.3  # the limiter held the peaks near -1.5 dBFS


# -- the main job -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja", "ar", "es"])
def test_render_speaks_every_line_inside_its_scene(lang, tmp_path, capsys):
    setting, character, action = TRIPLES[lang]
    out = tmp_path / "story.mp4"
    code = main(["render", "--setting", setting, "--character", character, "--action", action, "--scenes", "3",
                 "--height", "64", "--width", "64", "--fps", "12", "-o", str(out), "--cache-dir", str(tmp_path / "c")])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "story.manifest.json").read_text(encoding="utf-8"))
    narration = manifest["narration"]
    assert narration["engine"] == "espeak" and narration["language"] == lang
    info = probe(out)
    assert info["audio"] and "aac" in info["audio"][0] and "mono" in info["audio"][0]  # a voice alone: mono AAC
    dual = subprocess.run([ensure_ffmpeg(), "-hide_banner", "-nostats", "-i", str(out), "-af", "ebur128=dualmono=true",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    assert float(re.findall(r"I:\s+(-?[\d.]+) LUFS", dual)[-1]) == pytest.approx(-16, abs=1.0)  # played on two speakers
    audio = decode_audio(out)
    duration = manifest["story"]["duration_s"]
    assert len(audio) / RATE == pytest.approx(duration, abs=0.06)  # the track lasts as long as the video
    spans = [(a / 12, b / 12) for a, b in manifest["story"]["spans"]]
    lines = narration["lines"]
    assert [ln["scene"] for ln in lines] == [0, 1, 2]
    assert [ln["text"] for ln in lines] == manifest["story"]["texts"]
    for line, (a, b) in zip(lines, spans):
        assert a < line["start"] < line["end"] <= b  # inside its own scene
        spoken = audio[int(line["start"] * RATE) : int(line["end"] * RATE)]
        assert rms(spoken) > 0.03, line  # audible
    gaps = [(x["end"] + 0.12, y["start"] - 0.12) for x, y in zip(lines, lines[1:])]
    for lo, hi in gaps:  # silence between the lines: they never overlap or run on
        assert hi > lo and rms(audio[int(lo * RATE) : int(hi * RATE)]) < 0.01
    srt = (tmp_path / "story.srt").read_text(encoding="utf-8")
    assert f"00:00:0{int(lines[0]['start'])}," in srt  # subtitles follow the spoken lines


def test_narrate_none_is_silent_and_webm_carries_opus(tmp_path, capsys):
    out = tmp_path / "quiet.mp4"
    base = ["render", "--setting", TRIPLES["en"][0], "--character", TRIPLES["en"][1], "--action", TRIPLES["en"][2],
            "--scenes", "3", "--height", "64", "--width", "64", "--fps", "8", "--cache-dir", str(tmp_path / "c")]
    assert main([*base, "-o", str(out), "--narrate", "none"]) == 0
    assert probe(out)["audio"] == []
    assert json.loads((tmp_path / "quiet.manifest.json").read_text())["narration"] is None
    assert main([*base, "-o", str(tmp_path / "told.webm"), "--gif"]) == 0
    assert "opus" in probe(tmp_path / "told.webm")["audio"][0]
    assert probe(tmp_path / "told.gif")["audio"] == []
    assert "GIF has no sound" in capsys.readouterr().out


def test_unknown_voice_is_one_line_before_rendering(tmp_path, capsys):
    code = main(["render", "--setting", "a", "--character", "b", "--action", "c", "-o", str(tmp_path / "x.mp4"),
                 "--voice", "nobody", "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown voice 'nobody'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()  # nothing rendered


def test_manifest_replays_the_narration(tmp_path):
    script = plan(*TRIPLES["es"], num_scenes=3, num_frames=8)
    first = make_story(script, output=tmp_path / "a.mp4", backend="animatic", height=64, width=64, fps=8,
                       cache_dir=tmp_path / "c", progress=False, voice="es-419")
    again = make_story(manifest=first.export.manifest, output=tmp_path / "b.mp4", cache_dir=tmp_path / "c",
                       progress=False)
    a = json.loads(first.export.manifest.read_text())["narration"]
    b = json.loads(again.export.manifest.read_text())["narration"]
    assert a["voice"] == b["voice"] == "es-419"
    assert a["lines"] == b["lines"] and a["held_frames"] == b["held_frames"]
    assert np.array_equal(decode_audio(tmp_path / "a.mp4"), decode_audio(tmp_path / "b.mp4"))
