"""One StoryBench job and the worker that renders it: a job carries everything it needs.

The driver (`storykit.benchmark`) builds each job: the story's scripts (one per
sample, prompts and backgrounds already resolved from the task files), the last
conditioning frame (already read and turned RGB), the size, the steps. A worker
never opens a path of the driver's or reads its environment, so a job renders
the same on a cluster node as in the driver's own process.

A `Worker` holds one backend for its whole life: on Ray one worker is one actor
on one GPU, so the pipeline loads once per GPU, not once per story (a Ray *task*
that asks for a GPU runs in a fresh process each time). It returns each story as
the finished ``.npz`` bytes and their sha256: compressing is the slow part, and
it happens where the frames are, in parallel; the driver only writes.

>>> from storykit.storybench_job import Worker          # doctest: +SKIP
>>> worker = Worker("animatic")                          # doctest: +SKIP
>>> result = worker.render(job)                          # doctest: +SKIP
>>> result["sha256"], len(result["npz"])                  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
import platform
import threading
import time

import numpy as np

from .errors import StorykitError

__all__ = ["STORYBENCH_CONDITIONING_STRENGTH", "Worker", "sample_scripts", "fit_frame"]

# How far a conditioned story's first scene may move from the conditioning video's last frame:
# the handoff's own default (storykit.generate.continuity). With the 4-step checkpoint the
# video-to-video pipeline then runs int(4 * 0.75) = 3 of the 4 distilled timesteps (749, 499, 249).
STORYBENCH_CONDITIONING_STRENGTH = 0.75


def sample_scripts(script, samples: int, seed: int) -> list:
    """The same story once per sample: sample k has story seed `seed + k` (and its scenes' seeds)."""
    from .plan.planner import scene_seed

    out = []
    for k in range(samples):
        s = copy.deepcopy(script)
        s.seed = seed + k
        for scene in s.scenes:
            scene.seed = scene_seed(seed + k, scene.index)
        out.append(s)
    return out


def fit_frame(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    """`frame` scaled to cover ``height x width`` and centre-cropped: no stretching (96x160 → 512x512)."""
    from PIL import Image

    h, w = frame.shape[:2]
    if (h, w) == (height, width):
        return np.ascontiguousarray(frame)
    scale = max(height / h, width / w)
    size = (max(width, round(w * scale)), max(height, round(h * scale)))
    img = Image.fromarray(np.ascontiguousarray(frame)).resize(size, Image.Resampling.LANCZOS)
    left, top = (size[0] - width) // 2, (size[1] - height) // 2
    return np.asarray(img.crop((left, top, left + width, top + height)))


class Worker:
    """Renders jobs with one backend built once in this process; counts the pipelines it really loaded.

    `backend`: a name ("lightning", "animatic"), built here with `options`, or a Backend
    instance (single-process runs and tests). `model_loads` counts distinct pipeline
    objects the backend held after a story: a reload shows up as a new object.
    """

    def __init__(self, backend, options: dict | None = None):
        from .generate.backend import get_backend

        self.error = ""
        self.engine = None
        self.model_loads = 0
        self._pipe = None
        # One story renders at a time (one pipeline, one GPU); a second call meanwhile compresses the
        # previous story's file (zlib releases the GIL), so on Ray (max_concurrency=2) the GPU never waits for it.
        self._gpu = threading.Lock()
        try:
            self.engine = get_backend(backend, verbose=False, **(options or {})) if isinstance(backend, str) else backend
        except Exception as e:  # reported by `warm_up` in one line, never raised across a Ray boundary
            self.error = _one_line(e)

    def _count_load(self) -> None:
        pipe = getattr(self.engine, "pipe", None)
        if pipe is not None and pipe is not self._pipe:
            self.model_loads += 1
            self._pipe = pipe  # held, so a later pipeline can never reuse this one's identity

    def warm_up(self, base_model: str | None = None) -> dict:
        """Loads the model now (weights missing on this node: one line back) and says where it runs."""
        if not self.error and hasattr(self.engine, "load"):
            try:
                self.engine.load(base_model=base_model)
            except Exception as e:
                self.error = _one_line(e)
            self._count_load()
        return {"error": self.error, "node": platform.node(), "pid": os.getpid(),
                "device": str(getattr(self.engine, "device", "cpu")), "model_loads": self.model_loads}

    def render(self, job: dict) -> dict:
        """One story: ``{"index", "npz", "sha256", ...}``, or ``{"index", "error"}`` in one line. Never raises."""
        import hashlib

        from .stitch.storybench_files import storybench_npz_bytes

        t0 = time.perf_counter()
        try:
            if self.error:
                raise RuntimeError(self.error)
            with self._gpu:
                try:
                    video, out = _render(self.engine, job)
                finally:
                    self._count_load()
            data = storybench_npz_bytes(video, job["frames"], job["texts"])
            out.update(npz=data, sha256=hashlib.sha256(data).hexdigest())
        except Exception as e:  # a bug or a backend failure: report it, keep the batch going
            out = {"error": _one_line(e)}
        return {"index": job["index"], **out, "seconds": time.perf_counter() - t0, "model_loads": self.model_loads}


def _one_line(e: BaseException) -> str:
    if isinstance(e, StorykitError):
        return f"{type(e).__name__}: {e}"
    return f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"


def _render(engine, job: dict) -> tuple[np.ndarray, dict]:
    """The story's samples side by side, and what to record about them."""
    from .generate.clips import Clip
    from .generate.config import RenderConfig
    from .generate.render import render_story
    from .stitch.storybench_files import assemble_story, side_by_side

    config = RenderConfig(height=job["height"], width=job["width"], num_inference_steps=job["num_inference_steps"],
                          handoff_strength=job["strength"])
    frame = job.get("condition_frame")
    conditioned = frame is not None and bool(getattr(engine, "supports_handoff", False))
    videos = []
    for script in job["scripts"]:
        if conditioned:
            # The story continues the conditioning video: its first scene starts from the video's
            # last frame, through the same video-to-video handoff that joins two scenes
            # (storykit.generate.continuity). The handoff returns only new frames, so the
            # `skip_frames_after_generation` conditioning frames are never in what is written.
            first = script.scenes[0]
            start = Clip(fit_frame(frame, config.height, config.width)[None], fps=first.fps, scene_index=-1)
            clips = [engine.render_scene(first, script, config, handoff_from=start)]
            if len(script.scenes) > 1:
                clips += render_story(script, engine, config, cache_dir=False,
                                      scenes=[s.index for s in script.scenes[1:]], progress=False)
        else:
            clips = render_story(script, engine, config, cache_dir=False, progress=False)
        videos.append(assemble_story(clips, script))
    video = side_by_side(videos)
    note = job.get("note", "")
    if frame is not None and not conditioned:
        note = f"backend {engine.name!r} cannot start from a video frame: rendered from the text alone"
    return video, {"shape": list(video.shape), "frames": int(video.shape[0]), "conditioned": conditioned, "note": note,
                   "device": str(getattr(engine, "device", "cpu"))}
