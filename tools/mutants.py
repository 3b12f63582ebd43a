"""A curated mutation check: does the suite catch the bugs a developer could plant by accident?

Each `Mutant` below is one small, realistic edit to storykit (an exact snippet and its
replacement), with the tests that claim to guard that behaviour. The tool copies the
working tree to a temporary folder, applies one mutant at a time there (your checkout
is never touched), runs only the named tests with a timeout, and reports each mutant
as killed (a test failed, or the run hung past the timeout) or survived (every test
passed: the behaviour can break unnoticed).

    .venv/bin/python tools/mutants.py              # all mutants, then the kill ratio
    .venv/bin/python tools/mutants.py --list       # names, files and tests only
    .venv/bin/python tools/mutants.py --only handoff-first-frame --only clip-budget-77
    .venv/bin/python tools/mutants.py -j 2         # two copies of the tree, two mutants at a time

Before the mutants, each distinct test selection runs once on the unmutated copy: a
selection that fails (or selects nothing) there would "kill" every mutant, so the run
stops and says which one (--no-baseline skips this). Exit status: 0 when every snippet
was found and the kill ratio is at least --fail-under (default 0.95); 1 when a snippet
is missing or not unique (the list fell out of sync with the code: fix the entry), a
baseline failed or a selection errored; 3 when too many mutants survived.

Adding a mutant: append a `Mutant(...)` to `MUTANTS` (or to the section it belongs
to). `original` must occur exactly once in `file` (tests/test_mutants.py checks that
on every test run); keep it short but unique, and copy it from the code, whitespace
included. `tests` is what you would type after `pytest`: files, node ids, `-k`.

This is a tool, like bench/: it is not part of the test suite (a full run takes tens of
minutes on two cores). Run it before saying an issue about these areas is resolved.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One planted bug: in `file`, `original` (exactly once) becomes `replacement`."""

    name: str
    file: str  # relative to the repository root
    original: str
    replacement: str
    description: str  # the behaviour that breaks, in words
    tests: str  # pytest arguments that must kill it, e.g. "tests/test_plan.py -k clip_budget"


# -- the list -----------------------------------------------------------------------------------
# Grouped by the behaviour at risk. Keep names unique and kebab-case.

CACHE_KEYS = [
    Mutant(
        "animatic-key-without-style", "storykit/generate/animatic/backend.py",
        '"style": script.style,', '"style": "cinematic",',
        "the animatic's cache key ignores the script's style: a stale clip comes back after a style change",
        "tests/test_animatic.py -k edit",
    ),
    Mutant(
        "animatic-key-without-caption", "storykit/generate/animatic/backend.py",
        '"caption": self.caption,', '"caption": False,',
        "burning the caption in does not change the animatic's key",
        "tests/test_animatic.py -k edit",
    ),
    Mutant(
        "animatic-key-scene-fps-only", "storykit/generate/animatic/backend.py",
        '"fps": _draw_fps(scene, config),', '"fps": scene.fps,',
        "the animatic's key uses the scene's fps, not the rate it is drawn at (the story's fps)",
        "tests/test_animatic.py -k edit",
    ),
    Mutant(
        "animatic-key-without-story-seed", "storykit/generate/animatic/backend.py",
        '"script_seed": script.seed,', '"script_seed": 0,',
        "the story's seed (which draws the world) is left out of the animatic's key",
        "tests/test_animatic.py -k edit",
    ),
    Mutant(
        "lightning-key-without-steps", "storykit/generate/lightning/backend.py",
        '"num_inference_steps": config.num_inference_steps,', '"num_inference_steps": 4,',
        "Lightning's key ignores the step count: 3 steps return 2 steps' clip (one checkpoint serves both)",
        "tests/test_render_cache.py -k lightning_key",
    ),
    Mutant(
        "lightning-key-without-camera-weight", "storykit/generate/lightning/backend.py",
        '"camera_weight": float(scene.camera_weight) if lora else None,', '"camera_weight": None,',
        "the motion LoRA's weight is left out of Lightning's key",
        "tests/test_render_cache.py tests/test_motion_lora.py -k 'lightning_key or lora_weight_changes'",
    ),
    Mutant(
        "handoff-key-without-predecessor", "storykit/generate/render.py",
        'fields["handoff"] = handoff_fields(previous.metadata["cache_key"], config.handoff_strength)',
        'fields["handoff"] = handoff_fields("", config.handoff_strength)',
        "a handed-over scene's key does not depend on its predecessor: editing scene 2 keeps scene 3's stale clip",
        "tests/test_continuity.py -k rerenders_the_edited_scene",
    ),
    Mutant(
        "handoff-key-without-strength", "storykit/generate/continuity.py",
        'return {"from": previous_key, "strength": float(strength)}', 'return {"from": previous_key}',
        "the handoff strength is left out of the key: another strength returns the cached clip",
        "tests/test_continuity.py -k denoising_steps",
    ),
    Mutant(
        "cache-key-without-version", "storykit/generate/cache.py",
        '_canonical({"storykit": __version__, "fields": fields})', '_canonical({"fields": fields})',
        "upgrading storykit keeps serving clips drawn by the old version",
        "tests/test_render_cache.py -k key_is_canonical",
    ),
]

MODEL_CARD = [
    Mutant(
        "scheduler-leading-timesteps", "storykit/generate/lightning/backend.py",
        'pipe.scheduler.config, timestep_spacing="trailing", beta_schedule="linear"\n',
        'pipe.scheduler.config, timestep_spacing="leading", beta_schedule="linear"\n',
        "Euler with leading timesteps instead of the card's trailing ones",
        "tests/test_lightning.py -k scheduler",
    ),
    Mutant(
        "scheduler-scaled-linear-betas", "storykit/generate/lightning/backend.py",
        'pipe.scheduler.config, timestep_spacing="trailing", beta_schedule="linear"\n',
        'pipe.scheduler.config, timestep_spacing="trailing"\n',
        "beta_schedule='linear' left out (the base's scaled_linear stays; diffusers #5881)",
        "tests/test_lightning.py -k scheduler",
    ),
    Mutant(
        "default-guidance-7.5", "storykit/generate/config.py",
        "guidance_scale: float = 1.0  #", "guidance_scale: float = 7.5  #",
        "the default guidance is diffusers' 7.5, not the card's 1.0 (CFG doubles the UNet's batch)",
        "tests/test_continuity.py -k denoising_steps",
    ),
    Mutant(
        "three-steps-on-the-4-step-checkpoint", "storykit/generate/lightning/weights.py",
        "CHECKPOINT_FOR_STEPS = {1: 1, 2: 2, 3: 2, 4: 4, 8: 8}", "CHECKPOINT_FOR_STEPS = {1: 1, 2: 2, 3: 4, 4: 4, 8: 8}",
        "3 steps load the 4-step checkpoint (the card: 3 steps on the 2-step model)",
        "tests/test_lightning.py -k step_count_selects_checkpoint",
    ),
]

LORA_AND_IP_ADAPTER = [
    Mutant(
        "lora-default-weight-1", "storykit/plan/script.py",
        "    camera_weight: float = 0.7\n", "    camera_weight: float = 1.0\n",
        "scenes' camera moves default to full LoRA strength (the card: 0.7-0.8 to avoid watermarks)",
        "tests/test_motion_lora.py -k camera_weight_round_trips",
    ),
    Mutant(
        "lora-zoom-swapped", "storykit/generate/lightning/motion_lora.py",
        '    "zoom_in": "guoyww/animatediff-motion-lora-zoom-in",\n    "zoom_out": "guoyww/animatediff-motion-lora-zoom-out",',
        '    "zoom_in": "guoyww/animatediff-motion-lora-zoom-out",\n    "zoom_out": "guoyww/animatediff-motion-lora-zoom-in",',
        "zoom in renders with the zoom-out LoRA and the other way round",
        "tests/test_motion_lora.py -k every_planned_camera",
    ),
    Mutant(
        "lora-weight-not-applied", "storykit/generate/lightning/motion_lora.py",
        "pipe.set_adapters([camera], [weight])", "pipe.set_adapters([camera], [1.0])",
        "the camera weight never reaches the pipeline's adapters",
        "tests/test_motion_lora.py -k lora_weight_changes",
    ),
    Mutant(
        "static-keeps-the-last-lora", "storykit/generate/lightning/motion_lora.py",
        "            if self.loaded and self.active is not None:\n                pipe.disable_lora()\n",
        "            if False:\n                pipe.disable_lora()\n",
        "a static scene after a camera move still renders with the move's LoRA",
        "tests/test_motion_lora.py -k static_loads_no_lora",
    ),
    Mutant(
        "ip-adapter-scale-ignored", "storykit/generate/lightning/reference.py",
        "        pipe.set_ip_adapter_scale(scale)\n", "        pipe.set_ip_adapter_scale(0.5)\n",
        "the user's IP-Adapter scale never reaches the attention processors",
        "tests/test_continuity.py -k reference_changes_frames",
    ),
    Mutant(
        "ip-adapter-image-dropped", "storykit/generate/lightning/reference.py",
        'kwargs = {**kwargs, "ip_adapter_image": reference.image}', 'kwargs = {**kwargs}',
        "the character reference is loaded but never passed to the pipeline",
        "tests/test_continuity.py -k reference_changes_frames",
    ),
]

HANDOFF = [
    Mutant(
        "handoff-first-frame", "storykit/generate/continuity.py",
        "return np.ascontiguousarray(clip.frames[-1])", "return np.ascontiguousarray(clip.frames[0])",
        "the handoff hands over the previous clip's first frame instead of its last (planted bug 2)",
        "tests/test_continuity.py -k last_frame",
    ),
    Mutant(
        "handoff-strength-ignored", "storykit/generate/continuity.py",
        '"video": video, "strength": strength, ', '"video": video, ',
        "the handoff strength never reaches the pipeline; diffusers' default 0.8 runs (planted bug 3)",
        "tests/test_continuity.py -k denoising_steps",
    ),
    Mutant(
        "handoff-enforces-all-steps", "storykit/generate/continuity.py",
        '"enforce_inference_steps": False}', '"enforce_inference_steps": True}',
        "video-to-video runs every step of a stretched schedule instead of int(steps * strength)",
        "tests/test_continuity.py -k denoising_steps",
    ),
    Mutant(
        "handoff-metadata-claims-all-steps", "storykit/generate/lightning/reference.py",
        '"denoising_steps": int(kwargs["num_inference_steps"] * handoff_strength),',
        '"denoising_steps": kwargs["num_inference_steps"],',
        "the metadata claims more denoising steps than the UNet ran",
        "tests/test_continuity.py -k denoising_steps",
    ),
]

TRANSITIONS_AND_CAPTIONS = [
    Mutant(
        "crossfade-weights-off-by-one", "storykit/stitch/timeline.py",
        "mixer(out[t - lo], out[t - lo], head[t - a], (i + 1) / (overlap + 1))",
        "mixer(out[t - lo], out[t - lo], head[t - a], i / overlap)",
        "crossfade weights start at 0 (a duplicated frame) instead of 1/(K+1)",
        "tests/test_stitch.py -k crossfade_overlaps",
    ),
    Mutant(
        "dip-colours-swapped", "storykit/stitch/timeline.py",
        '_DIP_COLOURS = {"fade_black": 0, "fade_white": 255}', '_DIP_COLOURS = {"fade_black": 255, "fade_white": 0}',
        "fade_black dips to white",
        "tests/test_stitch.py -k dip_keeps_length",
    ),
    Mutant(
        "crossfade-does-not-overlap", "storykit/stitch/timeline.py",
        'starts.append(starts[k] + sizes[k] - (lengths[k] if names[k] == "crossfade" else 0))',
        "starts.append(starts[k] + sizes[k])",
        "a crossfade no longer overlaps the clips: the story is K frames too long and the fade mixes nothing",
        "tests/test_stitch.py -k crossfade_overlaps",
    ),
    Mutant(
        "caption-burned-twice", "storykit/stitch/timeline.py",
        'return bool(meta.get("caption_drawn")) or meta.get("caption") is True',
        "return False",
        "stitch burns a caption over one the backend already drew",
        "tests/test_stitch.py -k once_per_scene",
    ),
    Mutant(
        "downsample-rounds-instead-of-floor", "storykit/stitch/retime.py",
        "i0 = np.minimum(np.floor(pos + 1e-9).astype(np.int64), n - 1)",
        "i0 = np.minimum(np.round(pos).astype(np.int64), n - 1)",
        "retiming shows a frame before its time (round instead of floor)",
        "tests/test_stitch.py -k downsampling",
    ),
]

SUBTITLES = [
    Mutant(
        "srt-truncates-milliseconds", "storykit/stitch/export.py",
        "ms = int(math.floor(seconds * 1000 + 0.5))", "ms = int(seconds * 1000)",
        "subtitle stamps truncate instead of rounding (1/24 s cues drift a millisecond early)",
        "tests/test_export.py -k 'subtitles_match or stamps_round'",
    ),
    Mutant(
        "subtitles-use-frame-numbers", "storykit/stitch/timeline.py",
        "return [(a / self.fps, b / self.fps) for a, b in self.spans]",
        "return [(a / self.fps, (b - 1) / self.fps) for a, b in self.spans]",
        "a scene's cue ends at its last frame's start, one frame early",
        "tests/test_export.py -k subtitles_match",
    ),
]

STORYBENCH = [
    Mutant(
        "storybench-keeps-bgr", "storykit/stitch/storybench_files.py",
        "return np.ascontiguousarray(video[start:end, :, :, ::-1])", "return np.ascontiguousarray(video[start:end])",
        "conditioning and ground-truth frames read from OpenCV's files stay BGR",
        "tests/test_storybench_batch.py -k 'conditioning_videos_are_handed_over or ground_truth_files'",
    ),
    Mutant(
        "storybench-crossfades", "storykit/stitch/storybench_files.py",
        'story = stitch(clips, script, transition="cut", fps=STORYBENCH_FPS, interpolate="none", title=False, captions=False)',
        'story = stitch(clips, script, fps=STORYBENCH_FPS, interpolate="none", title=False, captions=False)',
        "StoryBench videos get the script's crossfades: fewer frames than the sentences' counts",
        "tests/test_storybench.py -k joined_with_cuts",
    ),
    Mutant(
        "storybench-tidies-texts", "storykit/plan/storybench.py",
        'texts = [o if isinstance(o, str) and " ".join(o.split()) == t else t for o, t in zip(verbatim, texts)]',
        "texts = texts",
        "the written entry's sentences are the tidied ones, not the task file's verbatim texts",
        "tests/test_storybench.py -k round_trip",
    ),
    Mutant(
        "storybench-frames-from-the-plan", "storykit/plan/storybench.py",
        "    frames = [s.num_frames for s in script.scenes]\n    if not isinstance(original, dict):",
        "    frames = [16 for s in script.scenes]\n    if not isinstance(original, dict):",
        "exported frame counts are the planner's default, not each scene's",
        "tests/test_storybench.py -k round_trip",
    ),
]

CLIP_BUDGET = [
    Mutant(
        "clip-budget-77", "storykit/plan/tokens.py",
        "MAX_CONTENT_TOKENS = MAX_TOKENS - 2", "MAX_CONTENT_TOKENS = MAX_TOKENS",
        "fit_prompt counts 77 content tokens, forgetting <start> and <end> (planted bug 4)",
        "tests/test_plan.py -k clip_budget",
    ),
    Mutant(
        "clip-budget-76", "storykit/plan/tokens.py",
        "MAX_CONTENT_TOKENS = MAX_TOKENS - 2", "MAX_CONTENT_TOKENS = MAX_TOKENS - 1",
        "fit_prompt forgets one of <start>/<end>",
        "tests/test_plan.py -k clip_budget",
    ),
    Mutant(
        "clip-budget-comma-not-counted", "storykit/plan/styles.py",
        'room = MAX_CONTENT_TOKENS - count_tokens(core + ",", tokenizer)', "room = MAX_CONTENT_TOKENS - count_tokens(core, tokenizer)",
        "the shortened part's room forgets the joining comma: one token over",
        "tests/test_plan.py -k clip_budget",
    ),
    Mutant(
        "truncate-one-short", "storykit/plan/tokens.py",
        "        if count_tokens(\" \".join(words[:mid]), tokenizer) <= max_tokens:",
        "        if count_tokens(\" \".join(words[:mid]), tokenizer) < max_tokens:",
        "truncation keeps one word fewer than fits",
        "tests/test_plan.py -k clip_budget",
    ),
]

NARRATION = [
    Mutant(
        "narration-starts-in-the-crossfade", "storykit/stitch/narration.py",
        'incoming.append(0 if name == "cut" else k - k // 2)', "incoming.append(0)",
        "a line starts while the incoming crossfade still shows the previous scene",
        "tests/test_narration.py -k after_the_incoming_transition",
    ),
    Mutant(
        "narration-without-lead", "storykit/stitch/narration.py",
        "start = lo + LEAD_S", "start = lo",
        "each line starts on the scene's first frame, with no lead-in",
        "tests/test_narration.py -k after_the_incoming_transition",
    ),
    Mutant(
        "narration-track-at-espeak-rate", "storykit/stitch/narration.py",
        "a = int(round(line.start * self.sample_rate))", "a = int(round(line.start * 22050))",
        "the track places samples at espeak's 22,050 Hz whatever the voice's rate: lines drift off their scenes",
        "tests/test_narration.py -k after_the_incoming_transition",
    ),
    Mutant(
        "narration-never-holds", "storykit/stitch/narration.py",
        "                held[c.scene_index] += math.ceil(short[c.scene_index] * c.fps) + 1",
        "                held[c.scene_index] += 0",
        "a scene too short for its line is not lengthened",
        "tests/test_narration.py -k incoming_transition",
    ),
    Mutant(
        "narration-no-ducking", "storykit/stitch/mix.py",
        "sidechaincompress=threshold=0.02:ratio=12",
        "sidechaincompress=threshold=0.02:ratio=1",
        "the music bed stays as loud while a line is spoken",
        "tests/test_narration.py -k ducked",
    ),
    Mutant(
        "narration-kanji-spelled", "storykit/generate/voice/espeak.py",
        "            text = kana_reading(text)  # espeak-ng reads kana",
        "            text = text  # espeak-ng reads kana",
        "espeak-ng says \"Chinese letter\" for every kanji",
        "tests/test_narration.py -k kanji",
    ),
    Mutant(
        "narration-cache-ignored", "storykit/generate/voice/base.py",
        "    if path is not None and path.is_file():",
        "    if False:",
        "every line is synthesised again on every run",
        "tests/test_narration.py -k cached",
    ),
    Mutant(
        "narration-mms-unseeded", "storykit/generate/voice/mms.py",
        "            torch.manual_seed(SEED)",
        "            pass",
        "MMS-TTS gives different samples for the same line",
        "tests/test_voices.py -k mms",
    ),
    Mutant(
        "studio-line-edit-lost", "storykit/studio/widgets.py",
        "\"text\": row[\"caption\"].value",
        "\"text\": scene.text",
        "an edited narration line in the studio is never spoken",
        "tests/test_studio_narration.py -k only_that_line",
    ),
]

RAY = [
    Mutant(
        "ray-one-worker-per-story", "storykit/cluster.py",
        "n = max(1, min(n, len(todo)))", "n = max(1, len(todo))",
        "a worker (and a model load) per story instead of one per GPU",
        "tests/test_storybench_ray.py -k in_process_ray",
    ),
]

SEGMENTED_EXPORT = [
    Mutant(
        "segment-key-without-caption-text", "storykit/stitch/segments.py",
        'parts["captions"].append([digest, max(a, ca) - a, min(b, cb) - a])',
        'parts["captions"].append([None, max(a, ca) - a, min(b, cb) - a])',
        "a segment's key ignores its caption's text: an edited caption exports the old one from the cache",
        "tests/test_segments.py -k caption_change",
    ),
    Mutant(
        "segment-key-without-clip", "storykit/stitch/segments.py",
        'parts["clips"].append([clip_ids[k], lo - s, hi - s, lo - a])',
        'parts["clips"].append([None, lo - s, hi - s, lo - a])',
        "a segment's key ignores which clip fills it: an edited scene exports its stale segment",
        "tests/test_segments.py -k reencodes_only_the_edited_scene",
    ),
]
DRAWN_HONESTY = [
    Mutant(
        "drawn-lists-what-is-off-screen", "storykit/generate/animatic/cast.py",
        'if box is not None:\n                out.append({**thing.to_dict(), "box": box})',
        'if True:\n                out.append({**thing.to_dict(), "box": box})',
        "`drawn` lists a thing in scenes where it is not on screen (the lost violin while it is searched for)",
        "tests/test_animatic_acting.py -k lost_violin",
    ),
]

STUDIO = [
    Mutant(
        "studio-render-this-scene-renders-all", "storykit/studio/widgets.py",
        "clip = self._render(scene, script, engine, config)",
        "clip = [self._render(s, script, engine, config) for s in script.scenes][index]",
        "\"Render this scene\" renders every scene (a warm cache would hide it)",
        "tests/test_widgets.py -k fresh_plan",
    ),
]

LEANER_MAIN_JOB = [
    Mutant(
        "narration-hold-ignored", "storykit/stitch/timeline.py",
        "source_frames = [len(f) + hold.get(c.scene_index, 0) for f, c in zip(sources, clips)]",
        "source_frames = [len(f) for f, c in zip(sources, clips)]",
        "narration's held frames are dropped: a line runs past its scene into the next",
        "tests/test_stitch.py -k stitch_holding",
    ),
    Mutant(
        "retimer-run-copied-from-the-wrong-start", "storykit/stitch/retime.py",
        "dst[a:b] = frames[index[a] : index[a] + b - a]",
        "dst[a:b] = frames[index[0] + a : index[0] + b]",
        "a run of frames after a held one is copied from the wrong source frames",
        "tests/test_stitch.py -k stitch_holding",
    ),
    Mutant(
        "cache-zstd-checksum-not-checked", "storykit/generate/cache.py",
        'if compressed and _checksum(_Shape(data["shape"], data["dtype"]), meta, data["frames_zstd"]) != stored:',
        'if False:',
        "a cache entry holding other, validly compressed frames is served as the scene",
        "tests/test_cache.py -k compressed_frames_changed",
    ),
    Mutant(
        "caption-blend-rounds-down", "storykit/stitch/timeline.py",
        "        acc += tmp\n        acc += 1\n",
        "        acc += tmp\n",
        "burned-in captions are one grey level off where the blend is exact",
        "tests/test_stitch.py -k exact_integer_blend",
    ),
    Mutant(
        "studio-segments-in-the-default-cache", "storykit/studio/widgets.py",
        "cache_dir=self._cache())  # segments kept with its clips (False: none)",
        ")  # segments kept with its clips (False: none)",
        "the Studio's export keeps segments outside its cache_dir (and with cache_dir=False)",
        "tests/test_widgets.py -k keeps_its_segments",
    ),
]


# Round 3 of issue #26: workers kept warm, and fail-fast answers before heavy imports.
FASTER_SUITE = [
    Mutant(
        "ray-workers-never-kept", "storykit/cluster.py",
        "        if keep and live:\n",
        "        if False:\n",
        "a notebook's second task file starts and loads every worker again",
        "tests/test_storybench_ray.py -k stay_warm",
    ),
    Mutant(
        "ray-kept-workers-reused-with-other-settings", "storykit/cluster.py",
        "    if kept[0] == key:\n",
        "    if True:\n",
        "workers built with other settings (steps, weights) render the next batch",
        "tests/test_storybench_ray.py -k stay_warm",
    ),
    Mutant(
        "notebook-setup-trusts-a-missing-driver", "storykit/generate/device.py",
        "    return any(os.path.exists(p) for p in GPU_DEVICE_FILES)",
        "    return False",
        "a machine with a GPU driver is told it has no GPU without asking torch",
        "tests/test_colab.py -k gpu_driver",
    ),
    Mutant(
        "llm-imports-before-the-folder-check", "storykit/plan/llm.py",
        "    source, local_only = _resolve_local(model, download)  # a wrong folder says so before 1-2 s of imports\n"
        "    torch = require(\"torch\", \"gen\")\n",
        "    torch = require(\"torch\", \"gen\")\n"
        "    source, local_only = _resolve_local(model, download)  # a wrong folder says so before 1-2 s of imports\n",
        "a missing LLM folder is reported only after importing torch and transformers",
        "tests/test_llm.py -k hub_id_not_on_this_machine",
    ),
    Mutant(
        "export-bar-for-any-ipykernel-import", "storykit/stitch/export.py",
        "shown = sys.stderr.isatty() or in_a_notebook()",
        "shown = sys.stderr.isatty() or \"ipykernel\" in sys.modules",
        "a script that imported ipywidgets prints progress bars into its log",
        "tests/test_export.py -k progress_bar",
    ),
]

# Round 4 of #26: the animatic keeps no frames in the clip cache, zooms through OpenCV, and the
# export muxes the sound as it joins the segments.
LAZY_ANIMATIC = [
    Mutant(
        "stitch-draws-every-cached-clip", "storykit/stitch/timeline.py",
        '        if getattr(c, "pending", False) and (c.height, c.width) == (height, width):\n',
        "        if False:\n",
        "a re-run whose segments are all cached draws every scene again anyway",
        "tests/test_lazy_clips.py -k rerun",
    ),
    Mutant(
        "redraw-sees-later-edits", "storykit/generate/render.py",
        "    scene, script = copy.deepcopy(scene), copy.deepcopy(script)",
        "    pass",
        "a cached clip read after an edit is drawn as the edited scene, under the old scene's key",
        "tests/test_lazy_clips.py -k drawn_only_when_read",
    ),
    Mutant(
        "redraw-entry-unchecked", "storykit/generate/cache.py",
        "                    if _checksum(shape, meta, _NO_FRAMES) != stored:\n",
        "                    if False:\n",
        "a tampered entry (another shape) is trusted and fails later, mid-export",
        "tests/test_lazy_clips.py -k damaged",
    ),
    Mutant(
        "title-card-named-without-its-text", "storykit/stitch/segments.py",
        'card = _digest(["card", clip_ids[0], tl.title_text])',
        'card = _digest(["card", clip_ids[0]])',
        "a new title keeps the old title card's segment",
        "tests/test_segments.py -k another_title",
    ),
    Mutant(
        "studio-reuses-another-versions-frames", "storykit/studio/widgets.py",
        '                and held.metadata.get("cache_key") == clip.metadata.get("cache_key"):',
        "                and True:",
        "an edit undone in the Studio shows the edited frames under the first version",
        "tests/test_widgets.py -k undone",
    ),
    Mutant(
        "zoom-off-by-half-a-pixel", "storykit/generate/animatic/backend.py",
        "[[s, 0.0, x + 0.5 * s - 0.5], [0.0, s, y + 0.5 * s - 0.5]]",
        "[[s, 0.0, x], [0.0, s, y]]",
        "the camera's zoom window shifts by half a pixel from Pillow's resize",
        "tests/test_animatic.py -k zoom_magnifies",
    ),
    Mutant(
        "sound-lost-when-joined", "storykit/stitch/segments.py",
        '    sound_in, sound_out = (["-i", audio[1]], audio[0]) if audio is not None else ([], [])',
        "    sound_in, sound_out = [], []",
        "a narrated story's segmented MP4 is silent",
        "tests/test_segments.py -k audio_is_muxed",
    ),
    Mutant(
        "bad-sound-fails-the-video", "storykit/stitch/segments.py",
        "    if error is not None and audio is not None and _join(paths, out, num_frames) is None:",
        "    if False:",
        "an undecodable sound file loses the whole export instead of writing it silent",
        "tests/test_segments.py -k undecodable",
    ),
]


# Round 5 of #26: what the suite spends less on must still be checked.
ROUND_5 = [
    Mutant(
        "nesting-counts-brackets-in-strings", "storykit/plan/script.py",
        """re.sub(r'"[^"\\\\]*(?:\\\\.[^"\\\\]*)*"', "", text)""",
        "text",
        "brackets typed inside a caption count as JSON nesting: a script with '[[[[' in its text is refused",
        "tests/test_reliability.py -k brackets_inside_strings",
    ),
    Mutant(
        "nesting-stops-at-an-escaped-quote", "storykit/plan/script.py",
        """re.sub(r'"[^"\\\\]*(?:\\\\.[^"\\\\]*)*"', "", text)""",
        """re.sub(r'"[^"]*"', "", text)""",
        "an escaped quote ends the string early, so the brackets after it count as nesting",
        "tests/test_reliability.py -k brackets_inside_strings",
    ),
    Mutant(
        "adapter-layout-kept-by-names-only", "storykit/generate/lightning/adapter_config.py",
        "    shapes, linears = _layout(json.dumps(config, sort_keys=True))",
        "    shapes, linears = _layout(json.dumps(sorted(config)))",
        "a second motion_adapter_config with the same keys and other widths is checked against the first one's shapes",
        "tests/test_reliability.py -k own_layout",
    ),
]

# Round 6: the Studio encodes a preview only for pixels it has not shown before, and its player is the
# export's own segments.
ROUND_6 = [
    Mutant(
        "scene-preview-kept-by-scene-fields", "storykit/studio/widgets.py",
        """self.previews.data(key and repr(("scene", key, float(clip.fps), clip.num_frames)),""",
        """self.previews.data(key and repr(("scene", self.clip_keys.get(index), float(clip.fps), clip.num_frames)),""",
        "a handoff scene re-rendered because its predecessor changed keeps showing its old preview",
        "tests/test_continuity.py -k test_studio_reference_and_handoff",
    ),
    Mutant(
        "story-preview-kept-by-clips-only", "storykit/studio/widgets.py",
        "return repr((keys, playback, dataclasses.astuple(script), sorted(self._stitch_options(script).items())))",
        "return repr((keys, playback, sorted(self._stitch_options(script).items())))",
        "an edited caption (burned into the story, not into Lightning's clips) leaves the player on the old story",
        "tests/test_continuity.py -k test_studio_reference_and_handoff",
    ),
    Mutant(
        "narrated-preview-ignores-the-lines-timing", "storykit/studio/widgets.py",
        "key = stitched and repr((stitched, language, sorted((i, s.duration) for i, s in speeches.items())))",
        "key = stitched and repr((stitched, language))",
        "longer lines hold the scenes longer, but the player keeps the shorter narrated story",
        "tests/test_studio_narration.py -k timing",
    ),
    Mutant(
        "cached-scene-preview-encoded-again", "storykit/studio/parts.py",
        "        data = self._data.get(key) if key is not None else None",
        "        data = None",
        "every Render all encodes every scene's preview again, cached or not",
        "tests/test_widgets.py -k not_encoded_again",
    ),
    Mutant(
        "player-encodes-the-whole-story", "storykit/studio/widgets.py",
        "        cache = self._cache() if story.width <= PLAYER_WIDTH else False",
        "        cache = False",
        "the player encodes the whole story after every edit, and Export encodes every segment again",
        "tests/test_widgets.py -k keeps_its_segments",
    ),
    Mutant(
        "player-without-room-for-its-controls", "storykit/studio/widgets.py",
        "            self.player.value = video_html(data, title, room_for_controls=(story.height, story.width))",
        "            self.player.value = video_html(data, title)",
        "the player's controls cover the burned-in captions",
        "tests/test_widgets.py -k room_for_its_controls",
    ),
    Mutant(
        "studio-launcher-imports-voila", "storykit/studio/serve.py",
        """    if importlib.util.find_spec("voila") is None:  # Voilà runs in its own process: importing it here took 2 s
        require("voila", "notebook")""",
        """    require("voila", "notebook")""",
        "`storykit studio` imports Voilà in the launcher too: 2 s more before the page answers",
        "tests/test_cli.py -k voila",
    ),
    Mutant(
        "cache-problem-said-per-scene", "storykit/generate/cache.py",
        "        if said not in _WARNED:",
        "        if True:",
        "an unwritable cache is reported again for every scene the Studio renders",
        "tests/test_cache.py -k says_an_unwritable_cache_once",
    ),
    Mutant(
        "studio-cache-problem-only-on-stderr", "storykit/studio/widgets.py",
        "        if cache is not None and cache.disabled and cache.disabled not in self._cache_notes:",
        "        if False:",
        "a cache that cannot be written is said only on stderr, which the Studio's page never shows",
        "tests/test_cache.py -k says_an_unwritable_cache_once",
    ),
]


ROUND_7 = [
    Mutant(
        "conda-environment-without-the-jsonschema-cap", "environment.yml",
        "      - jsonschema>=4.18,<4.25\n",
        "      - jsonschema>=4.18\n",
        "a conda install pulls rfc3987-syntax again: a second of CPU in every Ray process and the Studio's server",
        "tests/test_packaging.py -k environment_yml",
    ),
]

ROUND_8 = [
    Mutant(
        "notebook-02-renders-the-story-on-a-second-pipeline", "notebooks/02_distilled_generation.ipynb",
        r'story_backend = backend if runtime.backend == \"lightning\" else storykit.get_backend(runtime.backend)',
        r'story_backend = storykit.get_backend(\"lightning\", memory=runtime.memory) if runtime.backend == \"lightning\" '
        r'else storykit.get_backend(runtime.backend)',
        "with weights, notebook 02 loads a second Lightning pipeline beside the first on Colab's T4",
        "tests/test_notebooks.py -k loads_one_lightning_pipeline",
    ),
]

ROUND_9 = [
    Mutant(
        "notebooks-write-into-the-repository-whatever-the-tests-ask", "storykit/studio/notebook.py",
        'out = Path(os.environ.get("STORYKIT_NOTEBOOK_OUT", "").strip() or "storykit-out")',
        'out = Path("storykit-out")',
        "every suite run adds its notebook outputs to notebooks/storykit-out (255 MB after 173 runs here)",
        "tests/test_notebooks.py -k 01_planning",
    ),
    Mutant(
        "rays-auth-notice-among-storykits-lines", "storykit/cluster.py",
        'return not record.getMessage().startswith("Token authentication is enabled for this Ray cluster.")',
        'return not record.getMessage().startswith("Token authentication is on for this Ray cluster.")',
        "`--ray` prints Ray's \"Token authentication is enabled for this Ray cluster\" notice among storykit's lines",
        "tests/test_storybench_ray.py -k default_auth",
    ),
    Mutant(
        "rays-auth-notices-hidden-for-good-after-a-start", "storykit/cluster.py",
        "        auth_log.removeFilter(_no_auth_default_notice)\n",
        "        pass\n",
        "after storykit started a local runtime, the notebook never sees Ray's notice again, whoever starts the next",
        "tests/test_storybench_ray.py -k default_auth",
    ),
]

ROUND_11 = [
    Mutant(
        "word-tables-read-under-any-key", "storykit/remembered.py",
        'if not isinstance(saved, dict) or saved.get("key") != key:',
        'if not isinstance(saved, dict):',
        "an updated emoji package, font or storykit is read through the tables an older one remembered",
        "tests/test_animatic_words.py -k changed_names_file tests/test_startup.py -k another_key",
    ),
    Mutant(
        "word-table-key-without-its-names-file", "storykit/generate/animatic/icons.py",
        "key = files_key(names_file, *",
        "key = files_key(*",
        "a language's table is not built again when the emoji package's names in that language change",
        "tests/test_animatic_words.py -k changed_names_file",
    ),
    Mutant(
        "word-table-rows-trusted-unchecked", "storykit/generate/animatic/icons.py",
        "if isinstance(saved, dict) and all(type(p) is int and type(n) is int and type(i) is str for p, n, i in saved.values()):",
        "if isinstance(saved, dict):",
        "a damaged word table is read as it is, and its bad rows reach the drawing",
        "tests/test_animatic_words.py -k damaged",
    ),
    Mutant(
        "remembered-temporary-file-left-behind", "storykit/remembered.py",
        "            tmp.unlink(missing_ok=True)\n",
        "            pass\n",
        "a home the tables cannot replace files in fills with .tmp files, one per process",
        "tests/test_animatic_words.py -k cannot_be_written",
    ),
    Mutant(
        "cmap-key-without-the-font-file", "storykit/generate/lettering.py",
        "key = files_key(face.path, code=__file__, extra=str(face.index))",
        "key = files_key(code=__file__, extra=str(face.index))",
        "a font replaced by an update keeps the old font's character map: glyphs go missing or come out as boxes",
        "tests/test_lettering.py -k replaced_in_place",
    ),
    Mutant(
        "cmap-ranges-lose-their-last-code-point", "storykit/generate/lettering.py",
        "return frozenset(c for a, b in ranges for c in range(a, b + 1))",
        "return frozenset(c for a, b in ranges for c in range(a, b))",
        "a remembered cmap drops the last character of every range: those characters fall to another font or vanish",
        "tests/test_lettering.py -k remembered_and_read_back",
    ),
    Mutant(
        "commands-keep-openblas-spinning", "storykit/cli.py",
        "    _one_blas_thread()\n",
        "    pass\n",
        "every command's numpy starts OpenBLAS threads that spin: 0.2 s of CPU a first animatic story",
        "tests/test_startup.py -k openblas",
    ),
    Mutant(
        "openblas-setting-overrides-the-user", "storykit/cli.py",
        'os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")',
        'os.environ["OPENBLAS_NUM_THREADS"] = "1"',
        "a user's own OPENBLAS_NUM_THREADS is overwritten by every storykit command",
        "tests/test_startup.py -k openblas",
    ),
]

# Add new sections above and list them here.
MUTANTS: list[Mutant] = [
    *CACHE_KEYS, *MODEL_CARD, *LORA_AND_IP_ADAPTER, *HANDOFF, *TRANSITIONS_AND_CAPTIONS, *SUBTITLES, *STORYBENCH,
    *CLIP_BUDGET, *NARRATION, *RAY, *SEGMENTED_EXPORT, *DRAWN_HONESTY, *STUDIO,
    *LEANER_MAIN_JOB, *FASTER_SUITE, *LAZY_ANIMATIC, *ROUND_5, *ROUND_6, *ROUND_7, *ROUND_8, *ROUND_9,
    *ROUND_11,
]


# -- checking the list against the code ----------------------------------------------------------


def problems(root: Path = ROOT, mutants: list[Mutant] = MUTANTS) -> list[str]:
    """What is wrong with the list: missing files, snippets found zero or several times, bad entries."""
    out, seen = [], set()
    for m in mutants:
        if m.name in seen:
            out.append(f"{m.name}: the name is used twice")
        seen.add(m.name)
        if m.original == m.replacement or not m.original:
            out.append(f"{m.name}: the replacement must differ from a non-empty original")
        path = root / m.file
        if not path.is_file():
            out.append(f"{m.name}: {m.file} does not exist")
        else:
            n = path.read_text(encoding="utf-8").count(m.original)
            if n != 1:
                out.append(f"{m.name}: its original snippet occurs {n} times in {m.file} (must be exactly once); "
                           "update or remove the entry in tools/mutants.py")
        args = shlex.split(m.tests)
        files = [a.split("::")[0] for a in args if a.startswith("tests/")]
        if not files:
            out.append(f"{m.name}: names no test file")
        out.extend(f"{m.name}: {f} does not exist" for f in files if not (root / f).is_file())
    return out


# -- running ------------------------------------------------------------------------------------


def copy_tree(src: Path, dst: Path) -> Path:
    """The working tree as git sees it (tracked and untracked-not-ignored files), uncommitted edits included."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=src,
                            capture_output=True, check=False)
    if listed.returncode == 0:
        for rel in filter(None, listed.stdout.decode().split("\0")):
            s = src / rel
            if s.is_file():  # deleted-but-tracked files are skipped
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(s, dst / rel)
        # A checkout of its own, so the tests that ask git what a run left behind (notebooks) work in the copy.
        git = ["git", "-c", "user.name=mutants", "-c", "user.email=mutants@localhost", "-c", "commit.gpgsign=false"]
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "unmutated"]):
            subprocess.run([*git, *cmd], cwd=dst, capture_output=True, check=True)
    else:  # not a git checkout: everything but the usual build outputs
        shutil.copytree(src, dst, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist"))
    return dst


@dataclasses.dataclass
class Outcome:
    name: str
    verdict: str  # "killed", "survived", "timeout" (killed), "error"
    seconds: float
    detail: str = ""


def run_tests(tree: Path, tests: str, python: str, timeout: float) -> tuple[str, float, str]:
    """Runs `pytest <tests>` in `tree`: ("passed" | "failed" | "timeout" | "error", seconds, last lines)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *shlex.split(tests)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # pytest and anything it started (ffmpeg, ray)
        proc.communicate()
        return "timeout", time.perf_counter() - t0, ""
    dt = time.perf_counter() - t0
    tail = "\n".join(out.strip().splitlines()[-3:])
    # pytest: 0 all passed, 1 some failed; 2 interrupted (a collection error), 3 internal, 4 usage, 5 nothing collected
    if proc.returncode == 0:
        return "passed", dt, tail
    if proc.returncode == 1:
        return "failed", dt, tail
    return "error", dt, f"pytest exited {proc.returncode}: {tail}"


def apply(tree: Path, m: Mutant) -> str:
    """Writes the mutant into `tree`; returns the original text to restore."""
    path = tree / m.file
    text = path.read_text(encoding="utf-8")
    if text.count(m.original) != 1:
        raise LookupError(f"{m.name}: snippet found {text.count(m.original)} times in {m.file}")
    path.write_text(text.replace(m.original, m.replacement), encoding="utf-8")
    return text


def run_mutant(tree: Path, m: Mutant, python: str, timeout: float) -> Outcome:
    original = apply(tree, m)
    try:
        result, dt, tail = run_tests(tree, m.tests, python, timeout)
    finally:
        (tree / m.file).write_text(original, encoding="utf-8")
    if result == "failed":
        return Outcome(m.name, "killed", dt)
    if result == "timeout":
        return Outcome(m.name, "timeout", dt, f"no result within {timeout:g} s: counted as killed")
    if result == "passed":
        return Outcome(m.name, "survived", dt, tail)
    return Outcome(m.name, "error", dt, tail)  # a collection error is the mutant's syntax, not a kill


def matches(name: str, pattern: str) -> bool:
    """`--only` patterns: a whole name, or a prefix ending in *."""
    return name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Apply curated mutants to a copy of storykit and check the tests kill them.")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this mutant (repeatable; a trailing * matches a prefix)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="mutants run at once, each in its own copy (default 1)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per test run before it counts as killed (600)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter with storykit's dependencies")
    ap.add_argument("--no-baseline", action="store_true", help="skip running each selection on the unmutated copy")
    ap.add_argument("--fail-under", type=float, default=0.95, help="exit 3 when the kill ratio is lower (0.95)")
    args = ap.parse_args(argv)

    chosen = MUTANTS
    if args.only:
        chosen = [m for m in MUTANTS if any(matches(m.name, o) for o in args.only)]
        unknown = [o for o in args.only if not any(matches(m.name, o) for m in MUTANTS)]
        if unknown:
            print(f"mutants: no mutant named {', '.join(unknown)} (see --list)", file=sys.stderr)
            return 1
    if args.list:
        for m in chosen:
            print(f"{m.name:40s} {m.file}\n{'':40s} {m.description}\n{'':40s} pytest {m.tests}")
        return 0
    bad = problems(ROOT, chosen)
    if bad:
        print("mutants: the list is out of sync with the code:", *bad, sep="\n  ", file=sys.stderr)
        return 1
    if args.jobs < 1:
        print("mutants: --jobs must be at least 1", file=sys.stderr)
        return 1

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="storykit-mutants-") as tmp:
        trees = [copy_tree(ROOT, Path(tmp) / f"tree{i}") for i in range(min(args.jobs, len(chosen)))]
        free = list(trees)
        lock = threading.Lock()

        def in_a_tree(fn, *a):
            with lock:
                tree = free.pop()
            try:
                return fn(tree, *a)
            finally:
                with lock:
                    free.append(tree)

        with concurrent.futures.ThreadPoolExecutor(len(trees)) as pool:
            if not args.no_baseline:
                selections = list(dict.fromkeys(m.tests for m in chosen))
                print(f"baseline: {len(selections)} test selection(s) on the unmutated tree")
                broken = []
                for sel, (result, dt, tail) in zip(selections, pool.map(
                        lambda s: in_a_tree(run_tests, s, args.python, args.timeout), selections)):
                    print(f"  {result:8s} {dt:6.1f} s  pytest {sel}", flush=True)
                    if result != "passed":
                        broken.append(f"pytest {sel}: {result}\n{tail}")
                if broken:
                    print("mutants: these selections do not pass unmutated, so they can kill nothing honestly:",
                          *broken, sep="\n", file=sys.stderr)
                    return 1
            print(f"{len(chosen)} mutant(s), {len(trees)} at a time, timeout {args.timeout:g} s")
            outcomes = []
            futures = {pool.submit(in_a_tree, run_mutant, m, args.python, args.timeout): m for m in chosen}
            for fut in concurrent.futures.as_completed(futures):
                m = futures[fut]
                o = fut.result()
                outcomes.append(o)
                print(f"  {o.verdict:8s} {o.seconds:6.1f} s  {m.name}" + (f"  ({o.detail})" if o.verdict == "timeout" else ""),
                      flush=True)

    by_name = {o.name: o for o in outcomes}
    killed = [m for m in chosen if by_name[m.name].verdict in ("killed", "timeout")]
    survived = [m for m in chosen if by_name[m.name].verdict == "survived"]
    errors = [m for m in chosen if by_name[m.name].verdict == "error"]
    for m in survived:
        print(f"SURVIVED {m.name}: {m.description}\n  {m.file}; pytest {m.tests}")
    for m in errors:
        print(f"ERROR    {m.name}: {by_name[m.name].detail}")
    counted = len(killed) + len(survived)
    ratio = len(killed) / counted if counted else 0.0
    print(f"killed {len(killed)} of {counted} mutants ({ratio:.1%}); {len(errors)} error(s); "
          f"{time.perf_counter() - t_start:.0f} s with {args.jobs} job(s)")
    if errors:
        return 1
    return 0 if ratio >= args.fail_under else 3


if __name__ == "__main__":
    sys.exit(main())
