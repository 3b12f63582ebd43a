"""One audio track for the story: the narration, an optional music bed ducked under it, at -16 LUFS.

>>> from storykit.stitch.mix import mix_audio
>>> report = mix_audio(narration.track(story.duration), 22050, "story.mix.wav",
...                    duration=story.duration, music="bed.mp3")        # doctest: +SKIP

What a video editor would do, with ffmpeg:

1. the music bed is set 12 LU under the speech (both measured with `loudnorm`) and ducked
   further while anyone speaks (`sidechaincompress`, keyed by the narration);
2. the mix is normalised to -16 LUFS integrated, -1.5 dBTP (EBU R128 through `loudnorm`, two
   passes: measure, then one linear gain, so speech keeps its dynamics);
3. it is written as 48 kHz stereo 16-bit WAV lasting exactly `duration` seconds.

The export muxes that one file into each video once (AAC in MP4, Opus in WebM); a GIF
has no sound.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np

from ..errors import InvalidInput

__all__ = ["mix_audio", "measure_loudness", "TARGET_LUFS", "BED_UNDER_LU"]

TARGET_LUFS = -16.0  # spoken-word streaming loudness (EBU R128 / podcasts)
TRUE_PEAK = -1.5
BED_UNDER_LU = 12.0  # music sits this far under the speech before ducking
RATE = 48000


def _run(args: list[str]) -> str:
    from .ffmpeg import run_ffmpeg

    proc = run_ffmpeg(["-y", *args])
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise InvalidInput(f"ffmpeg could not mix the audio: {last}")
    return proc.stderr


def _loudnorm_json(stderr: str) -> dict:
    blocks = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not blocks:
        raise InvalidInput("ffmpeg's loudnorm printed no measurement")
    return json.loads(blocks[-1])


def measure_loudness(path, *, duration: float | None = None) -> dict:
    """loudnorm's measurement of a sound file: input_i (LUFS), input_tp, input_lra, input_thresh, target_offset."""
    cut = ["-t", f"{duration:.3f}"] if duration else []
    err = _run(["-v", "info", "-i", str(path), *cut, "-af",
                f"loudnorm=I={TARGET_LUFS}:TP={TRUE_PEAK}:LRA=20:print_format=json", "-f", "null", "-"])
    return _loudnorm_json(err)


def _finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def mix_audio(voice: np.ndarray | None, voice_rate: int, out: str | os.PathLike, *, duration: float,
              music: str | os.PathLike | None = None) -> dict:
    """Writes the story's audio track to `out` (WAV) and returns what was measured.

    Args:
        voice: the narration (float32 mono, placed on the story's timeline), or None for music only.
        voice_rate: its sample rate.
        out: the WAV to write (48 kHz stereo, exactly `duration` seconds).
        music: a sound file laid under the narration, ducked while a line is spoken; cut at `duration`
            (a shorter one ends early).
    """
    from ..generate.voice.base import write_wav

    out = Path(out)
    if voice is None and music is None:
        raise InvalidInput("nothing to mix: give a narration, a music file, or both")
    if music is not None and not Path(music).is_file():
        raise InvalidInput(f"no audio file at {str(music)!r}")
    d = f"{duration:.3f}"
    tmp_voice = out.with_name(out.stem + ".voice.wav")
    premix = out.with_name(out.stem + ".premix.wav")
    report: dict = {"target_lufs": TARGET_LUFS}
    fmt = f"aresample={RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    try:
        # 1. The parts: the narration as a WAV, the music measured so it can sit under the speech.
        if voice is not None:
            write_wav(tmp_voice, voice, voice_rate)
        if voice is not None and music is not None:
            v_i = _finite(measure_loudness(tmp_voice)["input_i"])
            m_i = _finite(measure_loudness(music, duration=duration)["input_i"])
            bed_db = (v_i - BED_UNDER_LU - m_i) if (v_i is not None and m_i is not None) else -BED_UNDER_LU
            report.update(bed_gain_db=round(bed_db, 2), ducking="sidechaincompress")
            graph = (f"[0:a]{fmt},asplit=2[v][key];"
                     f"[1:a]{fmt},volume={bed_db:.2f}dB,apad=whole_dur={d},atrim=end={d}[bed];"
                     "[bed][key]sidechaincompress=threshold=0.02:ratio=12:attack=15:release=400[ducked];"
                     f"[ducked][v]amix=inputs=2:duration=first:normalize=0,atrim=end={d}[mix]")
            inputs = ["-i", str(tmp_voice), "-i", str(music)]
        else:
            graph = f"[0:a]{fmt},apad=whole_dur={d},atrim=end={d}[mix]"
            inputs = ["-i", str(tmp_voice if voice is not None else music)]
        # 2. The mix, unnormalised, in the final format (loudness is measured on what is written).
        _run(["-v", "error", *inputs, "-filter_complex", graph, "-map", "[mix]", "-t", d, "-c:a", "pcm_s16le",
              str(premix)])
        # 3. EBU R128 in two passes: measure, then one linear gain to -16 LUFS (true peak -1.5 dBTP).
        m = measure_loudness(premix)
        report["measured_lufs"] = _finite(m["input_i"])
        if report["measured_lufs"] is None:  # silence: nothing to normalise
            norm = ""
        else:
            norm = (f"loudnorm=I={TARGET_LUFS}:TP={TRUE_PEAK}:LRA=20:measured_I={m['input_i']}:measured_TP={m['input_tp']}"
                    f":measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}:offset={m['target_offset']}"
                    ":linear=true,")
        # loudnorm's dynamic fallback (used when one gain would pass the peak limit) shifts its timestamps:
        # restamp by sample count so `-t` keeps every sample.
        _run(["-v", "error", "-i", str(premix), "-af", f"{norm}aresample={RATE},asetpts=N/SR/TB,apad=whole_dur={d},atrim=end={d}", "-t", d,
              "-ar", str(RATE), "-ac", "2", "-c:a", "pcm_s16le", str(out)])
    finally:
        tmp_voice.unlink(missing_ok=True)
        premix.unlink(missing_ok=True)
    return report
