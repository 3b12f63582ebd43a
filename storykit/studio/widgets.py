"""The story studio: the whole flow in one ipywidgets app.

>>> from storykit.studio.widgets import Studio
>>> studio = Studio()        # doctest: +SKIP
>>> studio                   # doctest: +SKIP   (displays the app in Jupyter / Colab)

Type a setting, a character and an action, press **Plan**, edit any scene's
prompt, camera or frames, then **Render all** (or **Render this scene** on one
row: the cache means only changed scenes render again) and **Export**.

Slow work runs on buttons only. Each button calls a plain method (`plan`,
`render_all`, `render_scene`, `export`), so notebooks and tests can drive the
studio without clicking; errors appear in the log area and the widgets stay usable.
"""

from __future__ import annotations

import html
import os
import time
import traceback
from pathlib import Path

from ..generate.config import RenderConfig
from ..generate.backend import default_size, get_backend
from ..generate.clips import Clip
from ..errors import StorykitError, require
from ..plan.planner import STYLES, plan
from ..plan.script import CAMERA_MOVES, Script

__all__ = ["Studio"]


class Studio:
    """An ipywidgets app around plan → render → stitch → export.

    Args:
        backend: "auto", "animatic", "lightning" or a Backend instance (the
            dropdown starts there). Extra keyword arguments go to the backend
            (e.g. `base_model=`, `checkpoint=`).
        cache_dir: the clip cache (default: storykit's); False renders every time.
        output_dir: where Export writes (created if missing).
        height, width: frame size (default 512, or 256 for Lightning on a CPU).
    """

    def __init__(self, *, backend="auto", cache_dir=None, output_dir="storykit-out", height=None, width=None,
                 setting="a misty bamboo forest at dawn", character="a small red fox in a blue scarf",
                 action="searches for a lost lantern", **backend_kwargs):
        w = require("ipywidgets", "notebook")
        self._w = w
        self.cache_dir = cache_dir
        self.output_dir = Path(output_dir)
        self.backend_kwargs = backend_kwargs
        self._backend_obj = None if isinstance(backend, str) else backend
        self._backend_key = None
        self.size = (height, width)
        self.script: Script | None = None
        self.clips: dict[int, Clip] = {}
        self.story = None
        self.last_rendered: list[int] = []  # scenes the last action actually rendered (not from cache)
        self.last_export = None
        self.messages: list[str] = []  # everything the log showed, newest last

        # Story inputs.
        wide = w.Layout(width="95%")
        self.setting = w.Text(value=setting, description="Setting", layout=wide)
        self.character = w.Text(value=character, description="Character", layout=wide)
        self.action = w.Text(value=action, description="Action", layout=wide)
        self.style = w.Dropdown(options=list(STYLES), value="cinematic", description="Style")
        self.num_scenes = w.IntSlider(value=5, min=3, max=8, description="Scenes")
        self.steps = w.Dropdown(options=[1, 2, 3, 4, 8], value=4, description="Steps",
                                tooltip="AnimateDiff-Lightning steps (3 uses the 2-step model)")
        self.seed = w.BoundedIntText(value=0, min=0, max=2**32 - 1, description="Seed")
        names = ["auto", "animatic", "lightning"]
        self.backend = w.Dropdown(options=names if self._backend_obj is None else [self._backend_obj.name],
                                  value=backend if isinstance(backend, str) else self._backend_obj.name, description="Backend")
        # Buttons: slow work only ever runs here, never on a keystroke.
        self.plan_button = w.Button(description="Plan", button_style="info", icon="list")
        self.render_button = w.Button(description="Render all", button_style="primary", icon="film")
        self.export_button = w.Button(description="Export", button_style="success", icon="download")
        self.plan_button.on_click(lambda _: self._safely(self.plan))
        self.render_button.on_click(lambda _: self._safely(self.render_all))
        self.export_button.on_click(lambda _: self._safely(self.export))
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Idle")
        self.log = w.Output(layout=w.Layout(max_height="160px", overflow="auto"))
        self.scene_box = w.VBox([])
        self.story_out = w.Output()
        self.rows: list[dict] = []
        self.app = w.VBox([
            w.HTML("<h3>storykit studio</h3>"),
            self.setting, self.character, self.action,
            w.HBox([self.style, self.num_scenes]), w.HBox([self.steps, self.seed, self.backend]),
            w.HBox([self.plan_button, self.render_button, self.export_button, self.progress]),
            self.log, self.scene_box, self.story_out,
        ])

    # -- plain callbacks --------------------------------------------------------------
    def plan(self) -> Script:
        """Plans a script from the fields and fills the editable scene table."""
        self.script = plan(self.setting.value, self.character.value, self.action.value,
                           num_scenes=self.num_scenes.value, style=self.style.value, seed=self.seed.value)
        self.clips, self.story = {}, None
        self._build_rows()
        self._say(f"Planned {len(self.script.scenes)} scenes ({self.script.duration:.0f} s). "
                  "Edit any prompt, then Render." + "".join(f"\n{n}" for n in self.script.notes))
        return self.script

    def render_scene(self, index: int) -> Clip:
        """Applies the row's edits and renders one scene (from the cache if nothing changed)."""
        from ..generate.render import render_scene

        script = self._script_with_edits()
        engine, config = self._engine()
        self._progress(0, 1, f"Scene {index}")
        clip = render_scene(script.scene(index), script, engine, config, cache_dir=self.cache_dir)
        self.clips[index] = clip
        self.last_rendered = [] if clip.metadata.get("cached") else [index]
        self._progress(1, 1, "Done")
        self._preview(index, clip)
        self._say(f"Scene {index}: {'from cache' if clip.metadata.get('cached') else 'rendered'} ({clip.backend}).")
        return clip

    def render_all(self):
        """Renders every scene (only changed ones actually render) and plays the stitched story."""
        from ..generate.render import render_scene
        from ..stitch.timeline import stitch

        script = self._script_with_edits()
        engine, config = self._engine()
        self.last_rendered = []
        t0 = time.perf_counter()
        n = len(script.scenes)
        for i, scene in enumerate(script.scenes):
            self._progress(i, n, f"Scene {i + 1}/{n}")
            clip = render_scene(scene, script, engine, config, cache_dir=self.cache_dir)
            self.clips[scene.index] = clip
            if not clip.metadata.get("cached"):
                self.last_rendered.append(scene.index)
            self._preview(scene.index, clip)
        self._progress(n, n, "Done")
        self.story = stitch([self.clips[s.index] for s in script.scenes], script, fps=24, title=True)
        step = max(1, self.story.height // 256)  # a preview: encode at most ~256 px, export keeps full size
        _show_video(self.story_out, self.story.frames[:, ::step, ::step], self.story.fps, f"{script.title} — {engine.name} backend")
        self._say(f"Rendered {len(self.last_rendered)} of {n} scenes ({n - len(self.last_rendered)} from cache) "
                  f"in {time.perf_counter() - t0:.1f} s with the {engine.name} backend.")
        return [self.clips[s.index] for s in script.scenes]

    def export(self, path: str | os.PathLike | None = None, *, gif: bool = True):
        """Writes MP4 (+ GIF), subtitles and a manifest; never overwrites an earlier export."""
        from ..stitch.export import build_manifest, export_story

        if self.story is None:
            raise StorykitError("nothing to export yet: press Render all first")
        script = self._script_with_edits()
        self.output_dir.mkdir(parents=True, exist_ok=True)
        out = Path(path) if path else _free_name(self.output_dir / "story.mp4")
        engine, config = self._engine()
        clips = [self.clips[s.index] for s in script.scenes]
        manifest = build_manifest(script, clips, self.story, backend_info=engine.describe(), config=config)
        self.last_export = export_story(self.story, out, formats=["mp4"] + (["gif"] if gif else []), manifest=manifest)
        self._say("Exported: " + ", ".join(str(p) for p in self.last_export.paths))
        return self.last_export

    # -- the widget ---------------------------------------------------------------------
    def _ipython_display_(self):
        from IPython.display import display

        display(self.app)

    def _build_rows(self):
        w = self._w
        self.rows = []
        for scene in self.script.scenes:
            row = {
                "prompt": w.Textarea(value=scene.prompt, layout=w.Layout(width="98%", height="80px")),
                "camera": w.Dropdown(options=list(CAMERA_MOVES), value=scene.camera, description="Camera"),
                "num_frames": w.BoundedIntText(value=scene.num_frames, min=1, max=64, description="Frames"),
                "seed": w.BoundedIntText(value=scene.seed, min=0, max=2**32 - 1, description="Seed"),
                "button": w.Button(description="Render this scene", icon="refresh", layout=w.Layout(width="auto")),
                "preview": w.Output(layout=w.Layout(min_width="270px")),
            }
            row["button"].on_click(lambda _, i=scene.index: self._safely(self.render_scene, i))
            self.rows.append(row)
        for r in self.rows:
            for k in ("camera", "num_frames", "seed"):
                r[k].layout = w.Layout(width="220px")
        # One row per scene: its text, prompt and settings on the left, the preview on the right.
        self.scene_box.children = [
            w.HBox([
                w.VBox([
                    w.HTML(f"<b>Scene {s.index} · {html.escape(s.beat)}</b> — {html.escape(s.text)}"),
                    r["prompt"], w.HBox([r["camera"], r["num_frames"]]), w.HBox([r["seed"], r["button"]]),
                ], layout=w.Layout(flex="1 1 auto")),
                r["preview"],
            ], layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0"))
            for s, r in zip(self.script.scenes, self.rows)
        ]

    def _script_with_edits(self) -> Script:
        if self.script is None:
            self.plan()
        for scene, row in zip(list(self.script.scenes), self.rows):
            changes = {k: row[k].value for k in ("prompt", "camera", "num_frames", "seed")}
            if any(getattr(scene, k) != v for k, v in changes.items()):
                self.script.edit(scene.index, **changes)
        return self.script

    def _engine(self):
        key = (self.backend.value, self.steps.value)
        if self._backend_obj is None or (self._backend_key is not None and self._backend_key != key):
            self._backend_obj = get_backend(self.backend.value, num_inference_steps=self.steps.value, **self.backend_kwargs)
            self._backend_key = key

        h, w = self.size
        size = default_size(self._backend_obj)
        return self._backend_obj, RenderConfig(height=h or size, width=w or size, num_inference_steps=self.steps.value)

    def _preview(self, index: int, clip: Clip):
        if index < len(self.rows):
            step = max(1, clip.height // 256)  # previews are small: encode a quarter of the pixels
            title = f"{clip.num_frames} frames · {clip.backend}" + (" · cached" if clip.metadata.get("cached") else "")
            _show_video(self.rows[index]["preview"], clip.frames[:, ::step, ::step], clip.fps, title, width=256)

    def _progress(self, value, total, label):
        self.progress.max, self.progress.value, self.progress.description = max(total, 1), value, label

    def _say(self, message: str):
        # append_* writes straight into the widget: no output capture, so it also works
        # from callbacks, threads and headless runs.
        self.messages.append(message)
        self.log.append_stdout(message + "\n")

    def _safely(self, fn, *args):
        """Runs a button's callback; errors go to the log (one line for user errors), never lost."""
        try:
            return fn(*args)
        except StorykitError as e:
            self._say(f"⚠ {e}")
        except Exception as e:  # a bug: show the whole traceback where the user can see it
            self.messages.append(f"{type(e).__name__}: {e}")
            self.log.append_stderr(traceback.format_exc())
        finally:
            if self.progress.description.startswith("Scene"):
                self.progress.description = "Stopped"


def _free_name(path: Path) -> Path:
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _show_video(out, frames, fps, title, width=None):
    """Replaces what the Output widget `out` shows with a looping video."""
    import mediapy
    from IPython.display import HTML

    from ..stitch.ffmpeg import ensure_ffmpeg

    ensure_ffmpeg()
    out.outputs = ()
    out.append_display_data(HTML(mediapy.show_video(frames, fps=fps, title=html.escape(title), width=width, return_html=True)))
