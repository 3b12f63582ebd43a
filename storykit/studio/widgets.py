"""The story studio: the whole flow in one ipywidgets app.

>>> from storykit.studio.widgets import Studio
>>> studio = Studio()        # doctest: +SKIP
>>> studio                   # doctest: +SKIP   (displays the app in Jupyter / Colab)

Type a setting, a character and an action, press **Plan**, edit any scene's
prompt, camera or frames, then **Render all** (or **Render this scene** on one
row: the cache means only changed scenes render again) and **Export**.

Slow work runs on buttons only. Each button calls a plain method (`plan`,
`render_all`, `render_scene`, `export`), so notebooks and tests can drive the
studio without clicking. The newest message always shows on the status line by
the buttons (and an error on the row whose button was clicked); the full log is
below. While work runs every button is disabled, so a double click never renders
twice. The stitched story always matches the scenes: after **Render this scene**
it is stitched again, and **Export** first renders any scene edited since.

Scenes are numbered from 1 in the app, as in the animatic's frame badge and the
progress bar; in Python (`script.edit(0, ...)`, `scene.index`, `render_scene(0)`,
`studio.rows[0]`) they count from 0.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import time
import traceback
from pathlib import Path

import numpy as np

from ..generate.config import RenderConfig
from ..generate.backend import default_size, get_backend
from ..generate.clips import Clip
from ..errors import StorykitError, require
from ..plan.planner import STYLES, plan
from ..plan.script import CAMERA_MOVES, Script

__all__ = ["Studio"]

# A click on the same button handled this soon after its job ended was queued while the job
# ran (a double click sent before the browser saw the button disabled): ignore it. A person
# cannot click again this fast once the button comes back.
_QUEUED_CLICK_S = 0.1
PREVIEW_WIDTH = 256
_OUTPUT_PADDING = 40  # px around an HTML output in JupyterLab (22 measured) and Colab, with a margin


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
        self.clip_keys: dict[int, tuple] = {}  # what each clip was rendered from (scene fields, backend, size)
        self._story_keys: tuple | None = None  # the clip keys the shown story was stitched from
        self._planned_from: tuple | None = None  # the story fields of the last successful Plan
        self._plan_error: str | None = None  # set while the last Plan failed
        self._busy: str | None = None
        self._last_done: dict = {}  # button job → when it last ended (monotonic seconds)

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
        # Narration: who reads each scene's line aloud ("auto": the best voice for the script's language).
        self.voice = w.Dropdown(options=_voice_options(), value="auto", description="Voice",
                                tooltip="auto: the most natural voice here for the script's language; none: a silent video")
        self._speakers: dict = {}
        # Continuity: one character image for every scene (IP-Adapter), scenes that hand over.
        self.reference = w.Text(value="", placeholder="character image path (optional)", description="Reference")
        self.reference_upload = w.FileUpload(accept="image/*", multiple=False, description="Upload image")
        self.ip_adapter_scale = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="Ref. scale",
                                              tooltip="1 = follow the image only; 0.5 balances it with the prompt")
        self.handoff = w.Checkbox(value=False, description="Handoff (start each scene from the last frame)")
        self.portrait_button = w.Button(description="Make reference", icon="user",
                                        tooltip="render a portrait of the character (Lightning) and use it as the reference")
        self.portrait_button.on_click(lambda _: self._safely(self.make_reference))
        # Buttons: slow work only ever runs here, never on a keystroke.
        self.plan_button = w.Button(description="Plan", button_style="info", icon="list")
        self.render_button = w.Button(description="Render all", button_style="primary", icon="film")
        self.export_button = w.Button(description="Export", button_style="success", icon="download")
        self.plan_button.on_click(lambda _: self._click(self.plan))
        self.render_button.on_click(lambda _: self._click(self.render_all))
        self.export_button.on_click(lambda _: self._click(self.export))
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Idle", style={"description_width": "initial"})
        # The newest message, always in view next to the buttons; the log keeps them all.
        # flex-basis 0: the line takes the room left and wraps, never squeezing the buttons.
        self.status = w.HTML(value="", layout=w.Layout(flex="1 1 0%", min_width="160px", margin="0 0 0 8px"))
        self.log = w.Output(layout=w.Layout(max_height="160px", overflow="auto"))
        self.scene_box = w.VBox([])
        self.story_out = w.Output()
        self.rows: list[dict] = []
        self.app = w.VBox([
            w.HTML("<h3>storykit studio</h3>"),
            self.setting, self.character, self.action,
            w.HBox([self.style, self.num_scenes]), w.HBox([self.steps, self.seed, self.backend, self.voice]),
            w.HBox([self.reference, self.reference_upload, self.portrait_button]), w.HBox([self.ip_adapter_scale, self.handoff]),
            w.HBox([self.plan_button, self.render_button, self.export_button, self.progress, self.status]),
            self.log, self.scene_box, self.story_out,
        ])

    # -- plain callbacks --------------------------------------------------------------
    def plan(self) -> Script:
        """Plans a script from the fields and fills the editable scene table."""
        self._set_story(None)  # whatever happens next, the old story is no longer this one
        self._progress(0, 1, "Planning…")
        try:
            script = plan(self.setting.value, self.character.value, self.action.value,
                          num_scenes=self.num_scenes.value, style=self.style.value, seed=self.seed.value)
        except StorykitError as e:
            self._plan_error = str(e)  # Render and Export refuse until a Plan succeeds
            raise
        self.script, self._plan_error, self._planned_from = script, None, self._fields()
        self.clips, self.clip_keys = {}, {}
        self._build_rows()
        self._progress(1, 1, "Planned")
        self._say(f"Planned {len(self.script.scenes)} scenes ({self.script.duration:.0f} s). "
                  "Edit any prompt, then Render." + "".join(f"\n{n}" for n in self.script.notes))
        return self.script

    def render_scene(self, index: int) -> Clip:
        """Applies the row's edits and renders scene `index` (0-based; "Scene index+1" in the app).

        Comes from the cache if nothing changed. When every scene has an up-to-date
        clip the story is stitched again, so it always shows this version of the scene.
        """
        script = self._script_with_edits()
        engine, config = self._engine()
        scene = script.scene(index)
        self.last_rendered = []
        self._progress(0, 1, f"Scene {index + 1}")
        clip = self._render(scene, script, engine, config)
        self._progress(1, 1, "Done")
        self._say(f"Scene {index + 1}: {'from cache' if clip.metadata.get('cached') else 'rendered'} ({clip.backend}).",
                  row=index)
        if not self._outdated(script, config):
            self._stitch(script, engine, config)
        else:
            self._set_story(None, note="Render all (or Export) stitches the story once every scene is rendered.")
        return clip

    def render_all(self):
        """Renders every scene (only changed ones actually render) and plays the stitched story."""
        script = self._script_with_edits()
        engine, config = self._engine()
        self.last_rendered = []
        t0 = time.perf_counter()
        n = len(script.scenes)
        for i, scene in enumerate(script.scenes):
            self._progress(i, n, f"Scene {i + 1}/{n}")
            self._render(scene, script, engine, config)
        self._progress(n, n, "Done")
        self._stitch(script, engine, config)
        self._say(f"Rendered {len(self.last_rendered)} of {n} scenes ({n - len(self.last_rendered)} from cache) "
                  f"in {time.perf_counter() - t0:.1f} s with the {engine.name} backend.")
        from ..generate.animatic.reading import drawn_summary

        drew = drawn_summary([self.clips[s.index] for s in script.scenes])
        if drew:
            self._say(drew)
        return [self.clips[s.index] for s in script.scenes]

    def make_reference(self):
        """Renders a portrait of the character in the script's style and makes it the reference."""
        import dataclasses

        from ..generate.reference import make_reference

        script = self.script or self.plan()
        engine, config = self._engine()
        ref = make_reference(script, engine, dataclasses.replace(config, reference=None), cache_dir=self.cache_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        ref.save(self.output_dir / "reference.png")
        self.reference_upload.value = ()
        self.reference.value = str(self.output_dir / "reference.png")
        with self.story_out:
            from IPython.display import display

            display(ref)
        self._say(f"Reference portrait saved to {self.reference.value}; every scene now follows it.")
        return ref

    def hear(self, index: int):
        """Speaks scene `index`'s line (0-based) as edited in its row, and plays it there.

        Lines are cached by engine, voice, text and speed: editing one line re-synthesises
        only that line, here and at Export.
        """
        from IPython.display import HTML

        script = self._script_with_edits()
        speaker = self._speaker(script)
        if speaker is None:
            raise StorykitError("the voice is 'none': choose a voice to hear the line")
        scene = script.scene(index)
        if not scene.text.strip():
            raise StorykitError(f"Scene {index + 1} has no line to speak: write one in its narration box")
        speech = self._speak(speaker, scene.text)
        out = self.rows[index]["audio"]
        out.outputs = ()
        out.append_display_data(HTML(speech._repr_html_()))
        self._say(f"Scene {index + 1}: {speech.duration:.1f} s of speech, {speech.engine} voice {speech.voice!r}"
                  + (" (cached)" if speech.cached else ""), row=index)
        return speech

    def export(self, path: str | os.PathLike | None = None, *, gif: bool = True):
        """Writes MP4 (+ GIF), subtitles and a manifest; never overwrites an earlier export.

        Scenes edited since they were rendered are rendered (and the story stitched)
        first, so the video and its manifest always describe the same scenes.
        """
        from ..stitch.export import build_manifest, export_story
        from ..stitch.preflight import check_export

        if not self.clips:
            raise StorykitError("nothing to export yet: press Render all first")
        script = self._script_with_edits()
        engine, config = self._engine()
        self.output_dir.mkdir(parents=True, exist_ok=True)
        formats = ["mp4"] + (["gif"] if gif else [])
        out = Path(path) if path else _free_name(self.output_dir / "story.mp4", formats)
        check_export(out, formats)  # before rendering anything that changed
        outdated = self._outdated(script, config)
        self.last_rendered = []
        for k, i in enumerate(outdated):
            self._progress(k, len(outdated), f"Scene {i + 1} (changed)")
            self._render(script.scene(i), script, engine, config)
        if outdated or self.story is None or self._story_keys != self._keys(script, config):
            self._stitch(script, engine, config)
        self._progress(0, 1, "Exporting…")
        clips = [self.clips[s.index] for s in script.scenes]
        if config.reference is not None:  # the character image beside the story, named in the manifest
            config.reference.save(out.with_name(out.stem + ".reference.png"))
        narration = self._narrate(script, clips)  # every line inside its scene: the story may be stitched again
        manifest = build_manifest(script, clips, self.story, backend_info=engine.describe(), config=config)
        manifest["narration"] = None if narration is None else narration.to_manifest()
        import tempfile

        with tempfile.TemporaryDirectory(prefix="storykit-mix-") as folder:
            track = None
            if narration is not None:
                from ..stitch.mix import mix_audio

                track = Path(folder) / "narration-mix.wav"
                manifest["narration"]["mix"] = mix_audio(narration.track(self.story.duration), narration.sample_rate,
                                                         track, duration=self.story.duration)
            self.last_export = export_story(self.story, out, formats=formats, manifest=manifest, audio=track)
        if narration is not None and gif:
            self._say("The GIF has no sound; the narration is in the MP4.")
        self._progress(1, 1, "Exported")
        self._say("Exported: " + ", ".join(str(p) for p in self.last_export.paths))
        return self.last_export

    # -- the widget ---------------------------------------------------------------------
    def _ipython_display_(self):
        from IPython.display import display

        display(self.app)

    def _speaker(self, script: Script):
        """The voice engine for the dropdown's choice and the script's language (None for "none")."""
        from ..generate.voice import pick_voice
        from ..stitch.narration import script_language

        choice, language = self.voice.value, script_language(script)
        key = (choice, language)
        if key not in self._speakers:
            narrate, voice = (choice, None) if choice in ("auto", "none") else ("auto", choice)
            engine, notes = pick_voice(language, narrate, voice)
            for note in notes:
                self._say(f"Note: {note}")
            self._speakers[key] = engine
        return self._speakers[key]

    def _speak(self, speaker, text: str):
        from ..generate.voice import synthesize

        return synthesize(speaker, text)

    def _narrate(self, script: Script, clips: list):
        """Speaks every line (cached), restitches so each fits inside its scene; None when the voice is "none"."""
        from ..stitch.narration import narrate_story, script_language

        speaker = self._speaker(script)
        if speaker is None or not any(s.text.strip() for s in script.scenes):
            return None
        speeches = {s.index: self._speak(speaker, s.text) for s in script.scenes if s.text.strip()}
        story, narration = narrate_story(clips, script, speeches, engine_info=speaker.describe(),
                                         language=script_language(script), **self._stitch_options(script))
        self._set_story(story, f"{script.title} — narrated by {speaker.name} {speaker.voice}")
        return narration

    def _build_rows(self):
        w = self._w
        self.rows = []
        for scene in self.script.scenes:
            row = {
                "prompt": w.Textarea(value=scene.prompt, layout=w.Layout(width="98%", height="80px")),
                # what the narrator says (the scene's sentence, also its caption); ▶ speaks it
                "line": w.Textarea(value=scene.text, placeholder="what the narrator says",
                                   layout=w.Layout(width="90%", height="44px")),
                "hear": w.Button(description="▶", tooltip="hear this line", layout=w.Layout(width="44px")),
                "audio": w.Output(),
                "camera": w.Dropdown(options=list(CAMERA_MOVES), value=scene.camera, description="Camera"),
                "num_frames": w.BoundedIntText(value=scene.num_frames, min=1, max=64, description="Frames"),
                "seed": w.BoundedIntText(value=scene.seed, min=0, max=2**32 - 1, description="Seed"),
                "button": w.Button(description="Render this scene", icon="refresh", layout=w.Layout(width="auto")),
                # Room for the PREVIEW_WIDTH px video plus JupyterLab's output padding (20 px on the
                # right, measured in the browser), so the preview never gets a horizontal scrollbar.
                "preview": w.Output(layout=w.Layout(width=f"{PREVIEW_WIDTH + _OUTPUT_PADDING}px", flex="0 0 auto",
                                                    overflow="hidden")),
                "status": w.HTML(value=""),  # this row's newest message (its errors show here)
            }
            row["button"].on_click(lambda _, i=scene.index: self._click(self.render_scene, i, row=i))
            row["hear"].on_click(lambda _, i=scene.index: self._click(self.hear, i, row=i))
            self.rows.append(row)
        for r in self.rows:
            for k in ("camera", "num_frames", "seed"):
                r[k].layout = w.Layout(width="220px")
        # One row per scene: its text, prompt and settings on the left, the preview on the right.
        self.scene_box.children = [
            w.HBox([
                w.VBox([
                    w.HTML(f"<b>Scene {s.index + 1} · {html.escape(s.beat)}</b> — {html.escape(s.text)}"),
                    r["prompt"], w.HBox([r["line"], r["hear"]]), r["audio"],
                    w.HBox([r["camera"], r["num_frames"]]), w.HBox([r["seed"], r["button"]]), r["status"],
                ], layout=w.Layout(flex="1 1 auto")),
                r["preview"],
            ], layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0"))
            for s, r in zip(self.script.scenes, self.rows)
        ]

    def _fields(self) -> tuple:
        return (self.setting.value, self.character.value, self.action.value, self.style.value,
                self.num_scenes.value, self.seed.value)

    def _script_with_edits(self) -> Script:
        if self._plan_error is not None:
            raise StorykitError(f"the last Plan failed ({self._plan_error}); fix the story fields and press Plan")
        if self.script is None:
            self.plan()
        if self._fields() != self._planned_from:
            raise StorykitError("the story fields changed since the last Plan: press Plan to plan the new story "
                                "(it replaces the scenes below)")
        for scene, row in zip(list(self.script.scenes), self.rows):
            changes = {k: row[k].value for k in ("prompt", "camera", "num_frames", "seed")}
            changes["text"] = row["line"].value
            if any(getattr(scene, k) != v for k, v in changes.items()):
                try:
                    self.script.edit(scene.index, **changes)
                except StorykitError as e:  # the library counts scenes from 0; the app from 1
                    raise type(e)(re.sub(rf"^scene {scene.index}\b", f"Scene {scene.index + 1}:", str(e))) from None
        return self.script

    def _engine(self):
        # Steps travel in the RenderConfig: Lightning swaps only its motion weights for another
        # step count, so only another backend builds a new one.
        key = self.backend.value
        if self._backend_obj is None or (self._backend_key is not None and self._backend_key != key):
            self._backend_obj = get_backend(self.backend.value, num_inference_steps=self.steps.value, **self.backend_kwargs)
            self._backend_key = key

        h, w = self.size
        size = default_size(self._backend_obj)
        config = RenderConfig(height=h or size, width=w or size, num_inference_steps=self.steps.value,
                              fps=24)  # the story's rate: the animatic draws every frame
        return self._backend_obj, self._with_continuity(config)

    def _key(self, scene, config) -> tuple:
        """What a clip depends on: the scene's fields, the backend and the render settings."""
        backend = self._backend_key or getattr(self._backend_obj, "name", None)
        reference = getattr(config.reference, "sha256", None)
        return (dataclasses.astuple(scene), backend, config.height, config.width, config.num_inference_steps,
                reference, config.ip_adapter_scale if reference else None, config.handoff)

    def _keys(self, script: Script, config) -> tuple:
        return tuple(self._key(s, config) for s in script.scenes)

    def _outdated(self, script: Script, config) -> list[int]:
        """Scenes without a clip, or whose clip was rendered from other settings than they have now."""
        return [s.index for s in script.scenes if self.clip_keys.get(s.index) != self._key(s, config)]

    def _render(self, scene, script: Script, engine, config) -> Clip:
        from ..generate.render import render_scene

        clip = render_scene(scene, script, engine, config, cache_dir=self.cache_dir)
        self.clips[scene.index], self.clip_keys[scene.index] = clip, self._key(scene, config)
        if not clip.metadata.get("cached"):
            self.last_rendered.append(scene.index)
        self._preview(scene.index, clip)
        return clip

    def _stitch(self, script: Script, engine, config):
        from ..stitch.timeline import stitch

        self._progress(0, 1, "Stitching…")
        # captions=True: burned once onto the story, after transitions (the animatic draws none itself)
        story = stitch([self.clips[s.index] for s in script.scenes], script, **self._stitch_options(script))
        self._set_story(story, f"{script.title} — {engine.name} backend")
        self._story_keys = self._keys(script, config)
        self._progress(1, 1, "Done")
        return story

    def _stitch_options(self, script: Script) -> dict:
        # captions=True: burned once onto the story, after transitions (the animatic draws none itself)
        first = self.clips[script.scenes[0].index]
        k = round(4 * first.fps / script.scenes[0].fps)  # 4 scene frames of transition, at the clips' rate
        return {"fps": 24, "title": True, "captions": True, "transition_frames": min(64, k)}

    def _set_story(self, story, title: str = "", note: str = ""):
        """Shows `story` in the player, or clears it (with a note saying why) when None."""
        from IPython.display import HTML

        self.story = story
        if story is None:
            self._story_keys = None
            self.story_out.outputs = ()
            if note:
                self.story_out.append_display_data(HTML(f"<i>{html.escape(note)}</i>"))
        else:
            # a preview: encode at about 256 px (averaged), export keeps the full size
            _show_video(self.story_out, _downscale(story.frames, PREVIEW_WIDTH), story.fps, title)

    def _with_continuity(self, config: RenderConfig) -> RenderConfig:
        """The reference (upload first, then the path field), its scale and the handoff switch."""
        import dataclasses

        reference = None
        uploads = self.reference_upload.value
        if uploads:
            from ..generate.reference_image import read_image  # the CLI's loader: a bomb or a bad file is one line

            item = uploads[0] if isinstance(uploads, (list, tuple)) else next(iter(uploads.values()))
            reference = read_image(bytes(item["content"]), name=f"the uploaded file {item.get('name', '')!r}")
        elif self.reference.value.strip():
            reference = self.reference.value.strip()
        return dataclasses.replace(config, reference=reference, ip_adapter_scale=self.ip_adapter_scale.value,
                                   handoff=self.handoff.value)

    def _preview(self, index: int, clip: Clip):
        if index < len(self.rows):
            title = f"{clip.num_frames} frames · {clip.backend}" + (" · cached" if clip.metadata.get("cached") else "")
            _show_video(self.rows[index]["preview"], _downscale(clip.frames, PREVIEW_WIDTH), clip.fps, title,
                        width=PREVIEW_WIDTH)

    def _progress(self, value, total, label):
        self.progress.max, self.progress.value, self.progress.description = max(total, 1), value, label

    def _say(self, message: str, *, row: int | None = None, error: bool = False):
        # append_* writes straight into the widget: no output capture, so it also works
        # from callbacks, threads and headless runs.
        self.messages.append(message)
        self.log.append_stdout(message + "\n")
        colour = "#b00020" if error else "#333"
        first = html.escape(message.splitlines()[0]) if message else ""
        line = f'<span style="color:{colour}">{first}</span>'
        self.status.value = line
        if row is not None and row < len(self.rows):
            self.rows[row]["status"].value = line

    def _buttons(self) -> list:
        return [self.plan_button, self.render_button, self.export_button,
                *(b for r in self.rows for b in (r["button"], r["hear"]))]

    def _click(self, fn, *args, row: int | None = None):
        """A button press: ignored while work runs, or when it queued up during the last job."""
        job = (getattr(fn, "__name__", "work"), *args)
        if self._busy is not None or time.monotonic() - self._last_done.get(job, float("-inf")) < _QUEUED_CLICK_S:
            return None
        try:
            return self._safely(fn, *args, row=row)
        finally:
            self._last_done[job] = time.monotonic()

    def _safely(self, fn, *args, row: int | None = None):
        """Runs a button's callback with every button disabled; errors go to the status line, the row and the log."""
        self._busy = getattr(fn, "__name__", "work")
        buttons = self._buttons()
        for b in buttons:
            b.disabled = True
        try:
            return fn(*args)
        except StorykitError as e:
            self._say(f"⚠ {e}", row=row, error=True)
        except Exception as e:  # a bug: show the whole traceback where the user can see it
            self._say(f"⚠ {type(e).__name__}: {e} (a bug in storykit: the traceback is in the log)", row=row, error=True)
            self.log.append_stderr(traceback.format_exc())
        finally:
            for b in [*buttons, *self._buttons()]:  # Plan may have made new rows meanwhile
                b.disabled = False
            if self.progress.description.endswith("…") or self.progress.description.startswith("Scene"):
                self.progress.description = "Stopped"
            self._busy = None


def _voice_options() -> list[str]:
    """The voice dropdown: auto, none, then every voice this machine has."""
    from ..generate.voice import list_voices

    voices = list_voices()
    names = [v for v in voices.get("kokoro", []) if os.environ.get("STORYKIT_KOKORO")] + voices.get("espeak", [])
    return ["auto", "none", *names]


def _downscale(frames: np.ndarray, width: int) -> np.ndarray:
    """Shrinks frames by an integer factor to about `width` px, averaging each block (PIL's box `reduce`).

    Averaging keeps thin strokes (the dots on a caption's i's) that dropping pixels loses.
    """
    from PIL import Image

    factor = frames.shape[2] // width
    if factor <= 1:
        return frames
    return np.stack([np.asarray(Image.fromarray(f).reduce(factor)) for f in frames])


def _free_name(path: Path, formats=("mp4", "gif")) -> Path:
    """`path`, or `story-2.mp4`, `story-3.mp4`, ...: the first name none of whose export files exist."""
    from ..stitch.preflight import export_targets

    n, candidate = 1, path
    while any(p.exists() for p in export_targets(candidate, formats)):
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
