"""The story studio: the whole flow in one ipywidgets app.

>>> from storykit.studio.widgets import Studio
>>> studio = Studio()        # doctest: +SKIP
>>> studio                   # doctest: +SKIP   (displays the app in Jupyter / Colab)

The app (an ipywidgets `AppLayout`):

- **header**: the triple, style, scenes, story seed, backend and steps; the character
  reference and handoff; **Plan**, **Render all**, **Export**; a one-line status bar
  beside a progress bar.
- **center**: a storyboard strip of scene thumbnails; clicking one opens its editor
  (prompt, caption, camera, seconds, seed, **▶ Render this scene**) next to a large
  player for the stitched story.
- **footer**: the log, collapsible, newest line first, cleared on Plan.

Controls the chosen backend cannot use are disabled, with a tooltip that says why.
Slow work runs on buttons only. Each button calls a plain method (`plan`,
`render_all`, `render_scene`, `export`), so notebooks and tests drive the studio
without clicking. While work runs every button is disabled, so a double click never
renders twice. The stitched story always matches the scenes: after **Render this
scene** it is stitched again, and **Export** first renders any scene edited since.

This module is longer than 600 lines because the narration (voice, ▶ Hear, the narrated export)
joined the app late; its plain helpers already live in `parts.py`, and the narration methods are
the next to move there.

Scenes are numbered from 1 in the app, as in the animatic's frame badge and the
progress bar; in Python (`script.edit(0, ...)`, `render_scene(0)`, `studio.rows[0]`)
they count from 0.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import os
import re
import tempfile
import time
import traceback
from pathlib import Path

from ..errors import StorykitError, require
from ..generate.backend import default_size, get_backend
from ..generate.clips import Clip
from ..generate.config import RenderConfig
from ..plan.planner import STYLES, plan
from ..plan.script import CAMERA_MOVES, MAX_FRAMES, Script
from .parts import (STORY_FPS, Previews, capabilities, caption_suggestion, downscale, frames_line, free_name, png_bytes,
                    preview_data, small, studio_words, thumbnail_png, video_html)

__all__ = ["Studio"]

# A click on the same button handled this soon after its job ended was queued while the job
# ran (a double click sent before the browser saw the button disabled): ignore it. A person
# cannot click again this fast once the button comes back.
_QUEUED_CLICK_S = 0.1
PREVIEW_WIDTH = 256  # a scene's preview in its editor
PLAYER_WIDTH = 640  # the stitched story, at most this wide (it shrinks with the page)
THUMB_WIDTH = 120
_ERROR = "#b00020"

class Studio:
    """An ipywidgets app around plan → render → stitch → export.

    Args:
        backend: "auto", "animatic", "lightning" or a Backend instance (the
            dropdown starts there). Extra keyword arguments go to the backend
            (e.g. `base_model=`, `checkpoint=`).
        cache_dir: the clip cache, which also keeps the export's MP4 segments (default: storykit's); False
            renders every scene and encodes the whole story every time.
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
        self.messages: list[str] = []  # what the log shows since the last Plan, oldest first
        self.clip_keys: dict[int, tuple] = {}  # what each clip was rendered from (scene fields, backend, size)
        self._story_keys: tuple | None = None  # the clip keys and captions the shown story was stitched from
        self.previews = Previews()  # encoded previews, by what they show: a cached scene is not encoded again
        self._clip_cache = None  # the clip cache, opened on first use and kept, so its problems reach the log
        self._cache_notes: set[str] = set()
        self._planned_from: tuple | None = None  # the story fields of the last successful Plan
        self._plan_error: str | None = None  # set while the last Plan failed
        self._busy: str | None = None
        self._last_done: dict = {}  # button job → when it last ended (monotonic seconds)
        self.selected = 0
        self.rows: list[dict] = []

        # -- header: the story and how to render it
        label = {"description_width": "80px"}
        # width "auto": stretched to the column less the widget's margins (100% would overflow by them)
        self.setting = w.Text(value=setting, description="Setting", style=label, layout=w.Layout(width="auto"))
        self.character = w.Text(value=character, description="Character", style=label, layout=w.Layout(width="auto"))
        self.action = w.Text(value=action, description="Action", style=label, layout=w.Layout(width="auto"))
        cell = w.Layout(width="180px")
        self.style = w.Dropdown(options=list(STYLES), value="cinematic", description="Style", style=label, layout=cell)
        self.num_scenes = w.BoundedIntText(value=5, min=3, max=8, description="Scenes", style=label, layout=cell)
        self.seed = w.BoundedIntText(value=0, min=0, max=2**32 - 1, description="Story seed", style=label,
                                     layout=w.Layout(width="220px"))
        names = ["auto", "animatic", "lightning"]
        self.backend = w.Dropdown(options=names if self._backend_obj is None else [self._backend_obj.name],
                                  value=backend if isinstance(backend, str) else self._backend_obj.name,
                                  description="Backend", style=label, layout=cell)
        self.steps = w.Dropdown(options=[1, 2, 3, 4, 8], value=4, description="Steps", style=label, layout=cell)
        # Narration: who reads each scene's line aloud ("auto": the best voice for the script's language).
        self.voice = w.Dropdown(options=_voice_options(), value="auto", description="Voice", style=label, layout=cell,
                                tooltip="auto: the most natural voice here for the script's language; none: a silent video")
        self._speakers: dict = {}
        # Continuity: one character image for every scene (IP-Adapter), scenes that hand over.
        self.reference = w.Text(value="", placeholder="character image path (optional)", description="Reference",
                                style=label, layout=w.Layout(width="300px"))
        self.reference_upload = w.FileUpload(accept="image/*", multiple=False, description="Upload",
                                             layout=w.Layout(width="auto"))
        self.ip_adapter_scale = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="Ref. scale",
                                              style=label, layout=w.Layout(width="260px"))
        self.handoff = w.Checkbox(value=False, description="Handoff", indent=False, layout=w.Layout(width="auto"))
        self.portrait_button = w.Button(description="Make reference", icon="user", layout=w.Layout(width="auto"))
        self.portrait_button.on_click(lambda _: self._click(self.make_reference))
        # Buttons: slow work only ever runs here, never on a keystroke.
        self.plan_button = w.Button(description="Plan", button_style="info", icon="list")
        self.render_button = w.Button(description="Render all", button_style="primary", icon="film")
        self.export_button = w.Button(description="Export", button_style="success", icon="download")
        self.plan_button.on_click(lambda _: self._click(self.plan))
        self.render_button.on_click(lambda _: self._click(self.render_all))
        self.export_button.on_click(lambda _: self._click(self.export))
        # One line: the newest message, cut with an ellipsis (its whole text is in the log and the tooltip).
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Idle", style={"description_width": "90px"},
                                      layout=w.Layout(width="240px", flex="0 0 auto"))
        self.status = w.HTML(value="", layout=w.Layout(flex="1 1 0%", min_width="0", overflow="hidden"))
        wrap = dict(flex_flow="row wrap", align_items="center", width="100%")
        header = w.VBox([
            w.HTML("<h3 style='margin:4px 0'>storykit studio</h3>"),
            self.setting, self.character, self.action,
            w.Box([self.style, self.num_scenes, self.seed, self.backend, self.steps, self.voice], layout=w.Layout(**wrap)),
            w.Box([self.reference, self.reference_upload, self.ip_adapter_scale, self.handoff, self.portrait_button],
                  layout=w.Layout(**wrap)),
            w.Box([self.plan_button, self.render_button, self.export_button], layout=w.Layout(**wrap)),
            w.HBox([self.progress, self.status], layout=w.Layout(width="100%", align_items="center")),
        ], layout=w.Layout(width="100%", overflow="hidden"))

        # -- center: the storyboard strip, the open scene's editor and the player
        self.strip = w.Box([], layout=w.Layout(flex_flow="row wrap", width="100%"))
        self.editor = w.Box([w.HTML("<i>Press Plan: the scenes appear here.</i>")],
                            layout=w.Layout(flex="1 1 320px", min_width="0", padding="0 8px 0 0"))
        # HTML widgets, not Output areas: no output padding, so no inner scrollbars around the videos.
        self.player = w.HTML(layout=w.Layout(flex="2 1 400px", min_width="0", max_width=f"{PLAYER_WIDTH}px"))
        center = w.VBox([self.strip, w.Box([self.editor, self.player], layout=w.Layout(**{**wrap, "align_items": "flex-start"}))],
                        layout=w.Layout(width="100%", overflow="hidden"))

        # -- footer: the log, newest first
        self.log = w.HTML(value="")
        self.log_panel = w.Accordion(children=[self.log], layout=w.Layout(width="auto"))
        self.log_panel.set_title(0, "Log (newest first)")
        self.log_panel.selected_index = None  # collapsed
        self.app = w.AppLayout(header=header, center=center, footer=self.log_panel,
                               layout=w.Layout(width="100%", max_width="1200px", overflow="hidden"))
        # Each pane as tall as its content: AppLayout's fr rows would stretch the header to a share of the page;
        # and columns that may shrink below their content's width (a long status line stays one cut line).
        self.app.layout.grid_template_rows = "auto auto auto"
        self.app.layout.grid_template_columns = "minmax(0, 1fr) minmax(0, 2fr) minmax(0, 1fr)"
        self.backend.observe(lambda _: self._fit_controls(), names="value")
        self._fit_controls()

    # -- plain callbacks --------------------------------------------------------------
    def plan(self) -> Script:
        """Plans a script from the fields and fills the storyboard; clears the log."""
        self._set_story(None)  # whatever happens next, the old story is no longer this one
        self.messages = []
        self.log.value = ""
        self._cache_notes.clear()
        if self._clip_cache is not None:  # a new story tries to write the cache again (a full disk may have been freed)
            self._clip_cache.disabled = None
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
                  "Click a scene to edit it, then Render all." + "".join(f"\n{n}" for n in self.script.notes))
        return self.script

    def render_scene(self, index: int) -> Clip:
        """Applies the edits and renders scene `index` only (0-based; "Scene index+1" in the app).

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
        self._note_cache()
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
            self._log(drew)
        self._note_cache()
        return [self.clips[s.index] for s in script.scenes]

    def make_reference(self):
        """Renders a portrait of the character in the script's style and makes it the reference."""
        from ..generate.reference import make_reference

        script = self.script or self.plan()
        engine, config = self._engine()
        ref = make_reference(script, engine, dataclasses.replace(config, reference=None), cache_dir=self._cache())
        self.output_dir.mkdir(parents=True, exist_ok=True)
        ref.save(self.output_dir / "reference.png")
        self.reference_upload.value = ()
        self.reference.value = str(self.output_dir / "reference.png")
        self.player.value = (f"<div>Reference portrait</div><img style='max-width:100%' "
                             f"src='data:image/png;base64,{base64.b64encode(png_bytes(ref.image)).decode()}'>")
        self._say(f"Reference portrait saved to {self.reference.value}; every scene now follows it.")
        self._note_cache()
        return ref

    def hear(self, index: int):
        """Speaks scene `index`'s line (0-based) as edited in its row, and plays it there.

        Lines are cached by engine, voice, text and speed: editing one line re-synthesises
        only that line, here and at Export.
        """
        script = self._script_with_edits()
        speaker = self._speaker(script)
        if speaker is None:
            raise StorykitError("the voice is 'none': choose a voice to hear the line")
        scene = script.scene(index)
        if not scene.text.strip():
            raise StorykitError(f"Scene {index + 1} has no line to speak: write one in its Caption box")
        speech = self._speak(speaker, scene.text)
        from IPython.display import HTML

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
        out = Path(path) if path else free_name(self.output_dir / "story.mp4", formats)
        check_export(out, formats)  # before rendering anything that changed
        outdated = self._outdated(script, config)
        self.last_rendered = []
        for k, i in enumerate(outdated):
            self._progress(k, len(outdated), f"Scene {i + 1} (changed)")
            self._render(script.scene(i), script, engine, config)
        if outdated or self.story is None or self._story_keys != self._story_key(script, config):
            self._stitch(script, engine, config)
        self._progress(0, 1, "Exporting…")
        clips = [self.clips[s.index] for s in script.scenes]
        if config.reference is not None:  # the character image beside the story, named in the manifest
            config.reference.save(out.with_name(out.stem + ".reference.png"))
        narration = self._narrate(script, clips)  # every line inside its scene: the story may be stitched again
        manifest = build_manifest(script, clips, self.story, backend_info=engine.describe(), config=config)
        manifest["narration"] = None if narration is None else narration.to_manifest()
        with tempfile.TemporaryDirectory(prefix="storykit-mix-") as folder:
            track = None
            if narration is not None:
                from ..stitch.mix import mix_audio

                track = Path(folder) / "narration-mix.wav"
                manifest["narration"]["mix"] = mix_audio(narration.track(self.story.duration), narration.sample_rate,
                                                         track, duration=self.story.duration)
            self.last_export = export_story(self.story, out, formats=formats, manifest=manifest, audio=track,
                                            cache_dir=self._cache())  # segments kept with its clips (False: none)
        if narration is not None and gif:
            self._say("The GIF has no sound; the narration is in the MP4.")
        self._progress(1, 1, "Exported")
        paths = self.last_export.paths
        self._say(f"Exported: {', '.join(p.name for p in paths)} in {paths[0].parent if paths else self.output_dir}")
        self._note_cache()
        return self.last_export

    def select(self, index: int) -> None:
        """Opens scene `index`'s editor (what clicking its thumbnail does)."""
        if not 0 <= index < len(self.rows):
            return
        self.selected = index
        for i, r in enumerate(self.rows):
            r["select"].button_style = "info" if i == index else ""
        self.editor.children = [self.rows[index]["editor"]]

    def update_caption(self, index: int) -> None:
        """Takes the caption the editor offers after a prompt edit (the "Update caption" button)."""
        row = self.rows[index]
        offer = self._caption_offer(index)
        if offer is not None:
            row["caption"].value = offer[0]

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
        language = script_language(script)
        story, narration = narrate_story(clips, script, speeches, engine_info=speaker.describe(),
                                         language=language, **self._stitch_options(script))
        # Its frames: the stitched story's, with scenes held as long as their lines need.
        stitched = self._stitched_key(script, clips)
        key = stitched and repr((stitched, language, sorted((i, s.duration) for i, s in speeches.items())))
        self._set_story(story, f"{script.title} — narrated by {speaker.name} {speaker.voice}", key=key)
        return narration

    def _build_rows(self):
        w = self._w
        self.rows = []
        label = {"description_width": "70px"}
        for scene in self.script.scenes:
            i = scene.index
            row = {
                "prompt": w.Textarea(value=scene.prompt, description="Prompt", style=label, rows=4,
                                     layout=w.Layout(width="auto")),
                # The caption is the scene's narration line: shown under the scene and in the
                # subtitles, and what a narration voice reads.
                "caption": w.Textarea(value=scene.text, description="Caption", style=label, rows=2,
                                      tooltip="the sentence shown under this scene and in the subtitles (the narration line)",
                                      layout=w.Layout(width="auto")),
                "hear": w.Button(description="▶ Hear", tooltip="hear this line in the chosen voice",
                                 layout=w.Layout(width="auto")),
                "audio": w.Output(),
                "offer_text": w.HTML(""),
                "offer_button": w.Button(description="Update caption", icon="pencil", layout=w.Layout(width="auto")),
                "camera": w.Dropdown(options=list(CAMERA_MOVES), value=scene.camera, description="Camera", style=label,
                                     layout=w.Layout(width="200px")),
                "seconds": w.BoundedFloatText(value=scene.duration, min=1 / scene.fps, max=MAX_FRAMES / scene.fps,
                                              step=1 / scene.fps, description="Seconds", style=label,
                                              layout=w.Layout(width="170px")),
                "seed": w.BoundedIntText(value=scene.seed, min=0, max=2**32 - 1, description="Seed", style=label,
                                         layout=w.Layout(width="200px")),
                "frames": w.HTML(""),
                "button": w.Button(description="Render this scene", icon="play", button_style="primary",
                                   layout=w.Layout(width="auto")),
                "drawn": w.HTML(""),  # what the animatic drew, after a render
                "status": w.HTML(""),  # this scene's newest message (its errors show here)
                "preview": w.HTML(layout=w.Layout(width="100%", max_width=f"{PREVIEW_WIDTH}px")),
                "thumb": w.Image(value=thumbnail_png(None, THUMB_WIDTH, f"Scene {i + 1}"), format="png",
                                 layout=w.Layout(width=f"{THUMB_WIDTH}px", height="auto")),
                "select": w.Button(description=f"{i + 1} · {scene.beat}", tooltip=scene.text,
                                   layout=w.Layout(width=f"{THUMB_WIDTH}px")),
            }
            row["line"] = row["caption"]  # the narration line (narration's name for it)
            row["narration"] = w.Box([row["hear"], row["audio"]], layout=w.Layout(flex_flow="row wrap", align_items="center"))
            row["offer"] = w.HBox([row["offer_text"], row["offer_button"]],
                                  layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"))
            row["button"].on_click(lambda _, i=i: self._click(self.render_scene, i, row=i))
            row["select"].on_click(lambda _, i=i: self.select(i))
            row["hear"].on_click(lambda _, i=i: self._click(self.hear, i, row=i))
            row["offer_button"].on_click(lambda _, i=i: self.update_caption(i))
            # Cheap work only on keystrokes: the offer and the frame counts; rendering waits for a button.
            row["prompt"].observe(lambda _, i=i: self._refresh_offer(i), names="value")
            row["caption"].observe(lambda _, i=i: self._refresh_offer(i), names="value")
            row["seconds"].observe(lambda ch, r=row, fps=scene.fps: setattr(r["frames"], "value", small(
                frames_line(ch["new"], fps))), names="value")
            row["frames"].value = small(frames_line(scene.duration, scene.fps))
            row["editor"] = w.VBox([
                w.HTML(f"<b>Scene {i + 1} · {html.escape(scene.beat)}</b>"),
                row["prompt"], row["caption"], row["narration"], row["offer"],
                w.Box([row["camera"], row["seconds"], row["seed"]], layout=w.Layout(flex_flow="row wrap")),
                row["frames"], w.HBox([row["button"]]), row["status"], row["drawn"], row["preview"],
            ], layout=w.Layout(width="100%"))
            row["card"] = w.VBox([row["thumb"], row["select"]], layout=w.Layout(margin="0 6px 6px 0",
                                                                                  width=f"{THUMB_WIDTH + 4}px"))
            self.rows.append(row)
        self.strip.children = [r["card"] for r in self.rows]
        self.select(0)
        self._fit_controls()

    def _caption_offer(self, index: int):
        """(new caption, old wording, new wording) if the edited prompt replaced wording the caption quotes."""
        row = self.rows[index]
        return caption_suggestion(self.script.scenes[index].prompt, row["prompt"].value, row["caption"].value)

    def _refresh_offer(self, index: int) -> None:
        row = self.rows[index]
        offer = self._caption_offer(index)
        if offer is None:
            row["offer"].layout.display = "none"
        else:
            row["offer_text"].value = small(f"The caption still says “{html.escape(offer[1])}”; "
                                             f"the prompt now says “{html.escape(offer[2])}”.")
            row["offer"].layout.display = "flex"

    def _capabilities(self) -> dict[str, tuple[bool, str]]:
        """What the chosen backend can do: name → (can, why not)."""
        return capabilities(self.backend.value, self._backend_obj)

    def _fit_controls(self) -> None:
        """Disables (with a tooltip saying why) the controls the backend cannot use; enables the rest."""
        can = self._capabilities()
        busy = self._busy is not None
        tips = {
            "reference": (self.reference, "character image every scene follows (IP-Adapter)"),
            "upload": (self.reference_upload, "upload a character image every scene follows"),
            "scale": (self.ip_adapter_scale, "1 = follow the image only; 0.5 balances it with the prompt"),
            "handoff": (self.handoff, "start each scene from the previous scene's last frame"),
            "portrait": (self.portrait_button, "render a portrait of the character and use it as the reference"),
            "steps": (self.steps, "AnimateDiff-Lightning steps (3 uses the 2-step model)"),
        }
        need = {"reference": "reference", "upload": "reference", "scale": "reference", "handoff": "handoff",
                "portrait": "reference", "steps": "steps"}
        for key, (widget, tip) in tips.items():
            ok, why = can[need[key]]
            widget.disabled = not ok or (busy and isinstance(widget, self._w.Button))
            widget.tooltip = tip if ok else f"Off: {why}"

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
            changes = {"prompt": row["prompt"].value, "text": row["caption"].value, "camera": row["camera"].value,
                       "num_frames": max(1, round(row["seconds"].value * scene.fps)), "seed": row["seed"].value}
            if any(getattr(scene, k) != v for k, v in changes.items()):
                try:
                    self.script.edit(scene.index, **changes)
                except StorykitError as e:  # the library counts scenes from 0; the app from 1
                    raise type(e)(re.sub(rf"^scene {scene.index}\b", f"Scene {scene.index + 1}:", str(e))) from None
                self._refresh_offer(scene.index)
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
                              fps=STORY_FPS)  # the story's rate: the animatic draws every frame
        return self._backend_obj, self._with_continuity(config)

    def _cache(self):
        """The Studio's clip cache, opened once (False for cache_dir=False): what goes wrong with it is kept
        on it (`disabled`) and said in the log, where the page shows it, not only on stderr."""
        if self.cache_dir is False:
            return False
        if self._clip_cache is None:
            from ..generate.cache import open_cache

            self._clip_cache = open_cache(self.cache_dir)
        return self._clip_cache

    def _note_cache(self) -> None:
        """Says in the log, once per reason, that the clip cache could not be written."""
        cache = self._clip_cache
        if cache is not None and cache.disabled and cache.disabled not in self._cache_notes:
            self._cache_notes.add(cache.disabled)
            self._log(f"Note: the clip cache {cache.directory} cannot be written ({cache.disabled}); "
                      "carrying on without it: scenes will render again next time")

    def _key(self, scene, config) -> tuple:
        """What a clip depends on: the scene's fields but its caption, the backend and the render settings."""
        backend = self._backend_key or getattr(self._backend_obj, "name", None)
        reference = getattr(config.reference, "sha256", None)
        return (dataclasses.astuple(dataclasses.replace(scene, text="")), backend, config.height, config.width,
                config.num_inference_steps, reference, config.ip_adapter_scale if reference else None, config.handoff)

    def _story_key(self, script: Script, config) -> tuple:
        """What the stitched story depends on: every clip and every caption."""
        return tuple(self._key(s, config) for s in script.scenes), tuple(s.text for s in script.scenes)

    def _outdated(self, script: Script, config) -> list[int]:
        """Scenes without a clip, or whose clip was rendered from other settings than they have now."""
        return [s.index for s in script.scenes if self.clip_keys.get(s.index) != self._key(s, config)]

    def _render(self, scene, script: Script, engine, config) -> Clip:
        from ..generate.render import render_scene

        clip = render_scene(scene, script, engine, config, cache_dir=self._cache())
        held = self.clips.get(scene.index)
        if getattr(clip, "pending", False) and held is not None and not getattr(held, "pending", False) \
                and held.metadata.get("cache_key") == clip.metadata.get("cache_key"):
            clip.frames = held.frames  # the same key, so the same pixels: already drawn, never drawn again
        self.clips[scene.index], self.clip_keys[scene.index] = clip, self._key(scene, config)
        if not clip.metadata.get("cached"):
            self.last_rendered.append(scene.index)
        self._show_clip(scene.index, clip)
        return clip

    def _stitch(self, script: Script, engine, config):
        from ..stitch.timeline import stitch

        self._progress(0, 1, "Stitching…")
        clips = [self.clips[s.index] for s in script.scenes]
        story = stitch(clips, script, **self._stitch_options(script))
        self._set_story(story, f"{script.title} — {engine.name} backend", key=self._stitched_key(script, clips))
        self._story_keys = self._story_key(script, config)
        self._progress(1, 1, "Done")
        return story

    def _stitch_options(self, script: Script) -> dict:
        # captions=True: burned once onto the story, after transitions (the animatic draws none itself)
        first = self.clips[script.scenes[0].index]
        k = round(4 * first.fps / script.scenes[0].fps)  # 4 scene frames of transition, at the clips' rate
        return {"fps": STORY_FPS, "title": True, "captions": True, "transition_frames": min(64, k)}

    def _stitched_key(self, script: Script, clips: list) -> str | None:
        """What a stitched story's pixels are made of: its clips (by cache key), the script and the stitch
        options; None when a clip has no cache key (rendered without a cache)."""
        keys = [c.metadata.get("cache_key") for c in clips]
        if None in keys:
            return None
        playback = [(float(c.fps), c.num_frames) for c in clips]  # a cached clip may serve an edited fps
        return repr((keys, playback, dataclasses.astuple(script), sorted(self._stitch_options(script).items())))

    def _set_story(self, story, title: str = "", note: str = "", key: str | None = None):
        """Shows `story` in the player, or clears it (with a note saying why) when None.

        `key`: what the story's pixels are made of (`_stitched_key`); a story shown before is not encoded again.
        """
        self.story = story
        if story is None:
            self._story_keys = None
            self.player.value = f"<i>{html.escape(note)}</i>" if note else ""
        else:
            data = self.previews.data(key and "story " + key, lambda: self._player_data(story))
            self.player.value = video_html(data, title, room_for_controls=(story.height, story.width))

    def _player_data(self, story) -> str:
        """The player's MP4 (base64): up to PLAYER_WIDTH px wide, the export's own segments, joined.

        So after an edit only the changed scene and its two transitions are encoded (not the whole
        story, which took 2 s of CPU at 512 px), and Export then finds every segment already made.
        Without a cache (cache_dir=False) or wider than the player, one downscaled encode.
        """
        from ..stitch.ffmpeg import ensure_ffmpeg
        from ..stitch.segments import export_segmented

        cache = self._cache() if story.width <= PLAYER_WIDTH else False
        if cache is not False:  # (a ClipCache with no entries is falsy: it has a length)
            with tempfile.TemporaryDirectory(prefix="storykit-player-") as folder:
                out = Path(folder) / "player.mp4"
                try:
                    made = export_segmented(story, out, cache, ffmpeg=ensure_ffmpeg(mediapy=False), name="the preview")
                except StorykitError as e:  # e.g. a full disk under the cache: the player still shows the story
                    self._log(f"Note: the preview was encoded in one pass ({e})")
                    made = None
                if made is not None:
                    cache.prune(automatic=True)  # segments count towards the cache's cap, as after an export
                    return base64.b64encode(out.read_bytes()).decode()
        return preview_data(downscale(story.frames, PLAYER_WIDTH), story.fps)

    def _with_continuity(self, config: RenderConfig) -> RenderConfig:
        """The reference (upload first, then the path field), its scale and the handoff switch, if the backend uses them."""
        can = self._capabilities()
        reference = None
        if can["reference"][0]:
            uploads = self.reference_upload.value
            if uploads:
                reference = self._read_upload(uploads[0] if isinstance(uploads, (list, tuple)) else next(iter(uploads.values())))
            elif self.reference.value.strip():
                reference = self.reference.value.strip()
        return dataclasses.replace(config, reference=reference, ip_adapter_scale=self.ip_adapter_scale.value,
                                   handoff=self.handoff.value and can["handoff"][0])

    def _read_upload(self, item):
        """The uploaded picture, through the CLI's own image loader (a bomb or a bad file is one line)."""
        from ..generate.reference_image import read_image

        return read_image(bytes(item["content"]), name=f"the uploaded file {item.get('name', '')!r}")

    def _show_clip(self, index: int, clip: Clip):
        """The scene's thumbnail, preview and what the animatic drew, from its new clip."""
        if index >= len(self.rows):
            return
        row = self.rows[index]
        row["thumb"].value = thumbnail_png(clip.frames[len(clip.frames) // 2], THUMB_WIDTH)
        title = f"{clip.num_frames} frames at {clip.fps:g} fps · {clip.backend}" + (" · cached" if clip.metadata.get("cached") else "")
        key = clip.metadata.get("cache_key")  # the same key, the same pixels (render.py); fps is playback
        data = self.previews.data(key and repr(("scene", key, float(clip.fps), clip.num_frames)),
                                  lambda: preview_data(downscale(clip.frames, PREVIEW_WIDTH), clip.fps))
        row["preview"].value = video_html(data, title, max_width=PREVIEW_WIDTH)
        drawn = ""
        if "drawn" in clip.metadata:
            from ..generate.animatic.reading import drawn_summary

            drawn = drawn_summary([clip])
        row["drawn"].value = small(html.escape(drawn))

    def _progress(self, value, total, label):
        self.progress.max, self.progress.value, self.progress.description = max(total, 1), value, label

    def _log(self, message: str) -> None:
        """Adds `message` to the log, which shows the newest line first."""
        # Widget values only: no output capture, so it also works from callbacks, threads and headless runs.
        self.messages.append(message)
        entries = "".join(f"<div style='color:{_ERROR if m.startswith(('⚠', 'Traceback')) else '#333'}'>{html.escape(m)}</div>"
                          for m in reversed(self.messages))
        self.log.value = (f"<div style='max-height:220px;overflow:auto;font-family:monospace;font-size:90%;"
                          f"white-space:pre-wrap'>{entries}</div>")

    def _say(self, message: str, *, row: int | None = None, error: bool = False):
        """`message` in the log and on the status line (and on scene `row`'s editor)."""
        message = studio_words(message)
        self._log(message)
        colour = _ERROR if error else "#333"
        first = html.escape(message.splitlines()[0]) if message else ""
        line = (f'<div title="{html.escape(message)}" style="color:{colour};white-space:nowrap;overflow:hidden;'
                f'text-overflow:ellipsis;padding-left:8px">{first}</div>')
        self.status.value = line
        if row is not None and row < len(self.rows):
            self.rows[row]["status"].value = line
            self.rows[row]["select"].button_style = "danger" if error else ("info" if row == self.selected else "")

    def _buttons(self) -> list:
        return [self.plan_button, self.render_button, self.export_button, self.portrait_button,
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
        """Runs a button's callback with every button disabled; errors go to the status line, the scene and the log."""
        self._busy = getattr(fn, "__name__", "work")
        buttons = self._buttons()
        for b in buttons:
            b.disabled = True
        try:
            return fn(*args)
        except StorykitError as e:
            self._say(f"⚠ {e}", row=row, error=True)
        except Exception as e:  # a bug: show the whole traceback where the user can see it
            self._log(traceback.format_exc())
            self._say(f"⚠ {type(e).__name__}: {e} (a bug in storykit: the traceback is in the log)", row=row, error=True)
        finally:
            for b in [*buttons, *self._buttons()]:  # Plan may have made new rows meanwhile
                b.disabled = False
            self._busy = None
            self._fit_controls()  # what the backend cannot use stays off
            if self.progress.description.endswith("…") or self.progress.description.startswith("Scene"):
                self.progress.description = "Stopped"


def _voice_options() -> list[str]:
    """The voice dropdown: auto, none, then every voice this machine has."""
    from ..generate.voice import list_voices

    voices = list_voices()
    names = [v for v in voices.get("kokoro", []) if os.environ.get("STORYKIT_KOKORO")] + voices.get("espeak", [])
    return ["auto", "none", *names]
