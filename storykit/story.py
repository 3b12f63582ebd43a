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
import time
from pathlib import Path

from .generate.config import RenderConfig
from .generate.backend import default_size, get_backend
from .generate.clips import Clip
from .errors import InvalidInput
from .plan.script import Script

__all__ = ["StoryResult", "make_story"]

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
        return (
            f"storykit: {len(self.clips)} scenes ({cached} from cache) → {s.num_frames} frames "
            f"{s.width}x{s.height} @ {s.fps:g} fps, {s.duration:.1f} s in {self.timings.get('total_s', 0):.1f} s\n"
            f"storykit: wrote {files}\n"
            f"storykit: made by {made_by}"
        )

    def __repr__(self) -> str:
        return f"StoryResult({self.backend_name}, {len(self.clips)} scenes, {self.export.paths[0] if self.export.paths else '-'})"


def _check_output(output, overwrite: bool, gif: bool) -> Path:
    out = Path(output)
    if out.suffix.lower() not in (".mp4", ".gif", ".webm"):
        raise InvalidInput(f"output must end in .mp4, .gif or .webm, got {str(out)!r}")
    if not out.parent.exists():
        raise InvalidInput(f"output folder {str(out.parent)!r} does not exist; create it first")
    if not os.access(out.parent, os.W_OK):
        raise InvalidInput(f"output folder {str(out.parent)!r} is not writable; choose another -o path")
    targets = [out] + ([out.with_suffix(".gif")] if gif else [])
    existing = [str(p) for p in targets if p.exists()]
    if existing and not overwrite:
        raise InvalidInput(f"{existing[0]!r} exists; pass overwrite=True (--overwrite) or choose another output")
    return out


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
    num_inference_steps: int = 4,
    base_model: str | None = None,
    checkpoint: str | None = None,
    cache_dir=None,
    fps: int = 24,
    audio: str | os.PathLike | None = None,
    gif: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    stitch_options: dict | None = None,
    backend_options: dict | None = None,
) -> StoryResult:
    """Plans (or takes) a script, renders every scene, stitches and exports the story.

    Give a `script`, a `setting`/`character`/`action` triple, or a `manifest`
    written by an earlier run (which re-renders exactly that story). `backend_options`
    go to the backend (e.g. `memory="t4"`, `device="cpu"`). Finished
    scenes stay in the cache whatever fails later, so a re-run resumes.
    """
    from .stitch.export import build_manifest, export_story, load_manifest, replay_inputs
    from .plan.planner import plan
    from .generate.render import render_story
    from .stitch.timeline import stitch

    t0 = time.perf_counter()
    # 1. Check inputs before any slow work.
    out = _check_output(output, overwrite, gif)
    given = [script is not None, manifest is not None, any(v is not None for v in (setting, character, action))]
    if sum(given) != 1:
        raise InvalidInput("give exactly one of: a script, a setting/character/action triple, or a manifest")
    stitch_kwargs = {"fps": fps, "interpolate": "blend", "title": True, **(stitch_options or {})}
    config, options = None, dict(backend_options or {})
    if manifest is not None:
        doc = load_manifest(manifest)
        replay, info = replay_inputs(doc), doc["backend"]
        script, config, stitch_kwargs = replay.script, replay.config, replay.stitch
        backend = replay.backend or backend
        if backend == "lightning":  # the same models: base, checkpoint source, adapter layout
            base_model = base_model or info.get("base_model")
            checkpoint = checkpoint or info.get("checkpoint_source")
            num_inference_steps = info.get("num_inference_steps", num_inference_steps)
            if info.get("motion_adapter_config"):
                options.setdefault("motion_adapter_config", info["motion_adapter_config"])
            if info.get("vae_decoder") == "tiny":  # a draft replays as a draft (same TAESD source)
                options.setdefault("vae_decoder", "tiny")
                options.setdefault("tiny_vae", info.get("tiny_vae"))
    elif script is None:
        script = plan(setting, character, action)
    if not isinstance(script, Script):
        raise InvalidInput(f"script must be a storykit Script, got {type(script).__name__}")
    script.validate()

    # 2. Pick the backend (prints which one and why when "auto").
    engine = get_backend(backend, base_model=base_model, checkpoint=checkpoint, num_inference_steps=num_inference_steps, **options)
    if config is None:
        size = default_size(engine)
        config = RenderConfig(height=height or size, width=width or size, num_inference_steps=num_inference_steps)

    # 3. Render (cached per scene), 4. stitch, 5. export with subtitles and manifest.
    t1 = time.perf_counter()
    clips = render_story(script, engine, config, cache_dir=cache_dir, progress=progress)
    t2 = time.perf_counter()
    story = stitch(clips, script, **stitch_kwargs)
    t3 = time.perf_counter()
    timings = {"plan_s": t1 - t0, "render_s": t2 - t1, "stitch_s": t3 - t2}
    info = engine.describe()
    doc = build_manifest(script, clips, story, backend_info=info, config=config, stitch_options=stitch_kwargs, timings=timings)
    formats = [out.suffix.lower().lstrip(".")] + (["gif"] if gif and out.suffix.lower() != ".gif" else [])
    result = export_story(story, out, formats=formats, audio=audio, overwrite=overwrite, manifest=doc)
    timings["export_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0
    return StoryResult(script=script, clips=clips, story=story, export=result, backend=info, timings=timings)
