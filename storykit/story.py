"""The main job in one call: plan → render (cached) → stitch → export + manifest.

>>> from storykit.story import make_story
>>> result = make_story(setting="a misty bamboo forest at dawn",          # doctest: +SKIP
...                     character="a small red fox in a blue scarf",
...                     action="searches for a lost lantern", output="story.mp4")
>>> print(result.summary())                                              # doctest: +SKIP

`storykit render` on the command line is this function.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

from .generate.config import RenderConfig
from .generate.backend import default_size, get_backend
from .generate.clips import Clip
from .errors import InvalidInput
from .paths import check_file_name
from .plan.script import Script
from .generate.animatic.reading import drawn_summary

__all__ = ["StoryResult", "make_story", "drawn_summary"]

_HONEST = {
    "animatic": "the offline animatic backend: a procedural moving storyboard, not a diffusion model",
    "lightning": "AnimateDiff-Lightning",
}


@dataclasses.dataclass(eq=False)
class StoryResult:
    """Everything the main job made: the script, the clips, the stitched story and the files."""

    script: Script
    clips: list[Clip]
    story: object  # storykit.stitch.Story
    export: object  # storykit.export.ExportResult
    backend: dict
    timings: dict

    @property
    def backend_name(self) -> str:
        return self.backend.get("backend", "unknown")

    def summary(self) -> str:
        """Where everything is, and which backend made it."""
        s = self.story
        cached = sum(bool(c.metadata.get("cached")) for c in self.clips)
        made_by = _HONEST.get(self.backend_name, self.backend_name)
        if self.backend_name == "lightning":
            made_by += f" ({self.backend.get('base_model', '?')}, {self.backend.get('checkpoint', '?')})"
        files = ", ".join(str(p) for p in self.export.paths)
        drew = drawn_summary(self.clips)
        return (
            f"storykit: {len(self.clips)} scenes ({cached} from cache) → {s.num_frames} frames "
            f"{s.width}x{s.height} @ {s.fps:g} fps, {s.duration:.1f} s in {self.timings.get('total_s', 0):.1f} s\n"
            f"storykit: wrote {files}\n"
            + (f"storykit: {drew}\n" if drew else "")
            + f"storykit: made by {made_by}"
        )

    def __repr__(self) -> str:
        return f"StoryResult({self.backend_name}, {len(self.clips)} scenes, {self.export.paths[0] if self.export.paths else '-'})"


def _continuity(config, engine, script, out: Path, overwrite: bool, cache_dir, progress: bool, **given) -> RenderConfig:
    """Applies the reference/handoff options to `config`, checked before anything renders.

    A reference (given, or "auto": a portrait rendered now) is saved next to the
    output as `<name>.reference.png`, so the manifest beside it can name it by sha256.
    """
    from .generate.reference import load_reference, make_reference
    from .generate.render import _check_continuity
    from .stitch.preflight import export_files

    changes = {k: v for k, v in given.items() if v is not None and k != "reference"}
    config = dataclasses.replace(config, **changes)  # validates scale and strength
    reference = given.get("reference")
    if reference is None:
        reference = config.reference
    elif not (isinstance(reference, str) and reference == "auto"):
        reference = load_reference(reference)  # a bad image fails here, before any rendering
    if reference is None:
        return config
    if not getattr(engine, "supports_reference", False):
        print(f"storykit: note: the {engine.name} backend ignores the character reference (only Lightning uses IP-Adapter)")
        return dataclasses.replace(config, reference=None)
    target = export_files(out, (), subtitles=False, manifest=False, reference=True)["reference"]
    if target.exists() and not overwrite and getattr(reference, "path", None) != target:
        raise InvalidInput(f"{str(target)!r} exists; pass overwrite=True (--overwrite) or choose another output")
    _check_continuity(script, engine, dataclasses.replace(config, reference=None if reference == "auto" else reference))
    if isinstance(reference, str):  # "auto"
        if progress:
            print("storykit: rendering a reference portrait of the character")
        reference = make_reference(script, engine, config, cache_dir=cache_dir)
    reference.save(target)
    return dataclasses.replace(config, reference=reference)


def _voice(script: Script, narrate: str, voice, formats, progress: bool):
    """The voice for the script's language and its spoken lines (cached), before any scene renders."""
    from .generate.voice import NARRATE, pick_voice
    from .stitch.narration import script_language, speak_lines

    t0 = time.perf_counter()
    if narrate not in NARRATE:
        raise InvalidInput(f"unknown narrate {narrate!r}; choose one of: {', '.join(NARRATE)}")
    if narrate == "none" and voice is not None:
        raise InvalidInput("a voice was given with narrate='none'; drop one of them")
    language = script_language(script)
    if not any(s.text.strip() for s in script.scenes) and narrate != "none":
        if progress:
            print("storykit: note: no scene has a sentence, so there is nothing to narrate")
        return None, language, {}, 0.0
    speaker, notes = pick_voice(language, narrate, voice)
    for note in notes:
        print(f"storykit: note: {note}")
    if speaker is None:
        return None, language, {}, 0.0
    if formats == ["gif"]:
        print("storykit: note: a GIF has no sound: the narration is not in it (its subtitles are); "
              "write .mp4 or .webm to hear it")
        return None, language, {}, 0.0
    if "gif" in formats:
        print("storykit: note: the GIF has no sound; the narration is in the video beside it")
    speeches = speak_lines(script, speaker)
    if progress:
        print(f"storykit: narrating in {language} with {speaker.name} voice {speaker.voice!r} "
              f"({len(speeches)} lines, {sum(s.duration for s in speeches.values()):.1f} s of speech)")
    return speaker, language, speeches, time.perf_counter() - t0


def _check_replay_version(recorded: dict, engine, allow: bool, progress: bool) -> None:
    """A manifest drawn by another version of the backend cannot replay exactly: say so, proceed only if allowed."""
    was = recorded.get("version")
    if was is None:  # the backend records no version of its drawing code (Lightning: its weights are hashed)
        return
    now = engine.describe().get("version")
    if str(was) == str(now):
        return
    name = recorded.get("backend") or engine.name
    said = (f"this manifest was rendered by {name} version {was} and this storykit has {name} version {now}, "
            "so the replay cannot be exact")
    if not allow:
        err = InvalidInput(f"{said}; pass allow_version_change=True to render it with version {now} anyway")
        err.cli = f"{said}; add --allow-version-change to render it with version {now} anyway"
        raise err
    if progress:
        print(f"storykit: note: {said}; rendering with version {now}, as allowed")


def make_story(
    script: Script | None = None,
    *,
    setting: str | None = None,
    character: str | None = None,
    action: str | None = None,
    manifest: str | os.PathLike | None = None,
    output: str | os.PathLike = "story.mp4",
    backend="auto",
    height: int | None = None,
    width: int | None = None,
    num_inference_steps: int | None = None,
    base_model: str | None = None,
    checkpoint: str | None = None,
    cache_dir=None,
    fps: int | None = None,
    audio: str | os.PathLike | None = None,
    gif: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    stitch_options: dict | None = None,
    backend_options: dict | None = None,
    reference=None,
    ip_adapter_scale: float | None = None,
    handoff: bool | None = None,
    handoff_strength: float | None = None,
    narrate: str = "auto",
    voice: str | None = None,
    allow_version_change: bool = False,
) -> StoryResult:
    """Plans (or takes) a script, renders every scene, stitches and exports the story.

    Give a `script`, a `setting`/`character`/`action` triple, or a `manifest`
    written by an earlier run (which re-renders exactly that story, so it takes no
    size, steps, fps or stitch options). `num_inference_steps` defaults to 4 and
    `fps` to 24. `backend_options` go to the backend (e.g. `memory="t4"`,
    `device="cpu"`). Everything that can be checked (the output files, audio,
    fps, stitch options, the script) is checked before the first scene renders;
    finished scenes stay in the cache whatever fails later, so a re-run resumes.
    `reference`: the character image every scene follows (a path or a PIL image),
    or "auto" to render a portrait of the character first (Lightning); it is saved
    as `<output>.reference.png` and recorded in the manifest by sha256.
    `ip_adapter_scale` (default 0.5), `handoff` (each scene starts from the last
    frame of the one before) and `handoff_strength` (default 0.75) go to RenderConfig.
    `narrate`: "auto" (the most natural voice on this machine for the script's
    language: Kokoro-82M, MMS-TTS, else the embedded espeak-ng), "espeak", "kokoro",
    "mms" or "none" (a silent video, unless `audio` is given); `voice` names one voice
    (e.g. "en-us", "af_heart"). Each scene's sentence is spoken inside its scene
    (scenes hold their last frame where a line needs longer), mixed with `audio` as a
    ducked music bed at -16 LUFS, and listed in the manifest with its times. A manifest
    replays its recorded voice unless `narrate`/`voice` say otherwise.
    A manifest made by another version of its backend (the animatic's drawing code
    changed) cannot be replayed exactly: that is refused in one line unless
    `allow_version_change=True`.
    """
    from .stitch.export import build_manifest, export_story, load_manifest, replay_inputs
    from .plan.planner import plan
    from .generate.render import render_story
    from .stitch.preflight import check_export
    from .stitch.timeline import check_stitch_options, stitch

    t0 = time.perf_counter()
    # 1. Check inputs before any slow work: nothing below may fail after a scene has rendered.
    if output is None or not isinstance(output, (str, os.PathLike)) or not str(output):
        raise InvalidInput(f"output must be a file path such as 'story.mp4', got {output!r}")
    given = [script is not None, manifest is not None, any(v is not None for v in (setting, character, action))]
    if sum(given) != 1:
        raise InvalidInput("give exactly one of: a script, a setting/character/action triple, or a manifest")
    if allow_version_change and manifest is None:
        raise InvalidInput("allow_version_change applies only to replaying a manifest; give manifest= too")
    config, options = None, dict(backend_options or {})
    if manifest is not None:
        ignored = [n for n, v in (("height", height), ("width", width), ("num_inference_steps", num_inference_steps),
                                  ("fps", fps), ("stitch_options", stitch_options)) if v is not None]
        if ignored:  # a manifest replays its own settings: refuse rather than silently ignore these
            raise InvalidInput(f"a manifest replays its own settings; do not also pass {', '.join(ignored)}")
        doc = load_manifest(manifest)
        replay, info = replay_inputs(doc), doc["backend"]
        script, config, stitch_kwargs = replay.script, replay.config, replay.stitch
        backend = replay.backend or backend
        num_inference_steps = info.get("num_inference_steps") or 4
        if backend == "lightning":  # the same models: base, checkpoint source, adapter layout
            base_model = base_model or info.get("base_model")
            checkpoint = checkpoint or info.get("checkpoint_source")
            if info.get("motion_adapter_config"):
                options.setdefault("motion_adapter_config", info["motion_adapter_config"])
            if info.get("ip_adapter"):
                options.setdefault("ip_adapter", info["ip_adapter"])
            if info.get("motion_loras"):  # the same camera LoRA files
                options.setdefault("motion_loras", info["motion_loras"])
            if info.get("vae_decoder") == "tiny":  # a draft replays as a draft (same TAESD source)
                options.setdefault("vae_decoder", "tiny")
                options.setdefault("tiny_vae", info.get("tiny_vae"))
    else:
        num_inference_steps = 4 if num_inference_steps is None else num_inference_steps
        # Captions are burned once, onto the stitched story after its transitions (the animatic draws none itself).
        stitch_kwargs = {"fps": 24 if fps is None else fps, "interpolate": "blend", "title": True, "captions": True,
                         **check_stitch_options(stitch_options)}
        if script is None:
            script = plan(setting, character, action)
    check_stitch_options(stitch_kwargs)  # fps 0 or 1000, an unknown transition, a typo: refused now
    RenderConfig(height=height or 512, width=width or 512, num_inference_steps=num_inference_steps)  # sizes, steps
    if not isinstance(script, Script):
        raise InvalidInput(f"script must be a storykit Script, got {type(script).__name__}")
    script.validate()
    out = check_file_name(output)  # the raw text: "final.mp4/" names a folder, Path() would drop the slash
    suffix = out.suffix.lower().lstrip(".")
    formats = [suffix] + (["gif"] if gif and suffix != "gif" else []) if suffix in ("mp4", "gif", "webm") else None
    given_reference = reference if reference is not None else getattr(config, "reference", None)
    check_export(output, formats, overwrite=overwrite, audio=audio,  # None: refuses the suffix
                 subtitles=any(s.text.strip() for s in script.scenes),
                 reference=getattr(given_reference, "path", None) or given_reference)  # NAME.reference.png too
    if manifest is not None and "narration" in doc and narrate == "auto" and voice is None:  # replay the same voice
        recorded = doc["narration"]
        narrate, voice = ("none", None) if not recorded else (recorded.get("engine", "auto"), recorded.get("voice"))
    speaker, language, speeches, speech_s = _voice(script, narrate, voice, formats, progress)  # an unknown voice stops here

    # 2. Pick the backend (prints which one and why when "auto").
    engine = get_backend(backend, base_model=base_model, checkpoint=checkpoint, num_inference_steps=num_inference_steps,
                         style=script.style, **options)
    if manifest is not None:
        _check_replay_version(info, engine, allow_version_change, progress)
    if config is None:
        size = default_size(engine)
        # fps: the animatic draws at the story's rate (no blended in-betweens); Lightning ignores it
        config = RenderConfig(height=height or size, width=width or size, num_inference_steps=num_inference_steps,
                              fps=int(stitch_kwargs["fps"]) if float(stitch_kwargs["fps"]).is_integer() else None)
    config = _continuity(config, engine, script, out, overwrite, cache_dir, progress, reference=reference,
                         ip_adapter_scale=ip_adapter_scale, handoff=handoff, handoff_strength=handoff_strength)

    engine.describe()  # resolves the weights now: a missing download fails before any scene starts

    # 3. Render (cached per scene), 4. stitch, 5. export with subtitles and manifest.
    t1 = time.perf_counter()
    clips = render_story(script, engine, config, cache_dir=cache_dir, progress=progress)
    t2 = time.perf_counter()
    if "transition_frames" not in stitch_kwargs and clips and clips[0].fps != script.scene(clips[0].scene_index).fps:
        # clips drawn at the story's rate (the animatic): keep transitions as long in seconds as at the scenes' rate
        stitch_kwargs["transition_frames"] = min(64, round(4 * clips[0].fps / script.scene(clips[0].scene_index).fps))
    narration = None
    if speaker is None:
        story = stitch(clips, script, **stitch_kwargs)
    else:  # every line inside its scene: scenes too short for theirs hold their last frame
        from .stitch.narration import narrate_story

        story, narration = narrate_story(clips, script, speeches, engine_info=speaker.describe(), language=language,
                                         **stitch_kwargs)
    t3 = time.perf_counter()
    timings = {"plan_s": t1 - t0, "render_s": t2 - t1, "stitch_s": t3 - t2}
    info = engine.describe()
    doc = build_manifest(script, clips, story, backend_info=info, config=config, stitch_options=stitch_kwargs, timings=timings)
    doc["narration"] = None if narration is None else narration.to_manifest()
    with tempfile.TemporaryDirectory(prefix="storykit-mix-") as folder:
        track = None
        if narration is not None:  # one mixed track, muxed into each video
            from .stitch.mix import mix_audio

            t4 = time.perf_counter()
            track = Path(folder) / "narration-mix.wav"  # a short name: the story's own may be 240 bytes
            doc["narration"]["mix"] = mix_audio(narration.track(story.duration), narration.sample_rate, track,
                                                duration=story.duration, music=audio)
            doc["narration"]["mix"]["music"] = None if audio is None else Path(audio).name
            timings["narration_s"] = speech_s + time.perf_counter() - t4  # synthesis and mixing (fitting is in stitch_s)
        result = export_story(story, out, formats=formats, audio=track or audio, overwrite=overwrite, manifest=doc,
                              progress=progress, cache_dir=cache_dir)
    timings["export_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0
    return StoryResult(script=script, clips=clips, story=story, export=result, backend=info, timings=timings)
