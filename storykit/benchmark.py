"""Render a StoryBench split for its evaluator: resumable, failures isolated, on one machine or on Ray.

>>> from storykit.benchmark import render_storybench
>>> result = render_storybench("oops-test/story_gen.json", "sbdata", model_name="mymodel",   # doctest: +SKIP
...                            indices="0-99", samples=4, height=96, width=160)
>>> print(result.summary())                                                              # doctest: +SKIP

Each entry becomes ``OUT/data/MODEL/TASK/DATASET/raw/fn{index}.npz`` (see
`storykit.stitch.storybench_files` for what the evaluator reads), written
atomically by the driver. Bookkeeping lives outside the folder the metrics walk,
in ``OUT/.storykit/MODEL/TASK/DATASET/fn{index}.json`` (the file's sha256 and the
settings that made it): a re-run skips every story whose file still matches
its checksum and settings, and renders the missing, damaged or stale ones.
A story that fails is reported in one line and never stops the batch.

``ray=True`` starts a local Ray runtime, ``ray="ADDRESS"`` joins a cluster
(`pip install 'storykit[scale]'`): one Ray task per story, one GPU per task for
Lightning, the frames come back to the driver, which writes them. The files are
the same as a single-process run's, byte for byte in every array.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import re
import sys
import time
from pathlib import Path

from ._version import __version__
from .errors import InvalidInput, MissingDependency, StorykitError

__all__ = ["StoryOutcome", "BatchResult", "render_storybench", "render_entry", "parse_indices"]

_CONDITIONED = ("story_cont", "action_exe")


@dataclasses.dataclass
class StoryOutcome:
    """What happened to one entry: "written", "skipped" (finished earlier, checksum verified) or "failed"."""

    index: int
    status: str
    frames: int = 0
    seconds: float = 0.0
    error: str = ""
    note: str = ""


@dataclasses.dataclass(eq=False)
class BatchResult:
    """A batch's outcome per story, where the files are, and how long it took."""

    task_file: str
    raw_dir: Path
    model_name: str
    task: str
    dataset: str
    samples: int
    backend: str
    outcomes: list[StoryOutcome]
    seconds: float
    engine: str = "single process"

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failures(self) -> list[StoryOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def frames(self) -> int:
        return sum(o.frames for o in self.outcomes if o.status == "written")

    def summary(self) -> str:
        """Stories, frames, seconds and each failure, one line each."""
        done = self.count("written")
        rate = done / self.seconds * 60 if self.seconds > 0 else 0.0
        lines = [
            f"storybench: {len(self.outcomes)} stories: {done} written, {self.count('skipped')} skipped "
            f"(finished earlier, checksum verified), {self.count('failed')} failed",
            f"storybench: {self.frames} frames x {self.samples} sample(s) in {self.seconds:.1f} s "
            f"({rate:.1f} stories/min), backend {self.backend}, {self.engine}",
            f"storybench: files in {self.raw_dir} (--model {self.model_name} --task {self.task} --dataset {self.dataset})",
        ]
        lines += [f"storybench: failed fn{o.index}: {o.error}" for o in self.failures]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"BatchResult({self.task}/{self.dataset}: {self.count('written')} written, {self.count('failed')} failed)"


def parse_indices(indices, n: int) -> list[int]:
    """``None`` (all), ``"0-99"``, ``"3,7,10-12"``, an int or a list of ints → sorted unique indices below `n`."""
    if indices is None:
        return list(range(n))
    if isinstance(indices, bool):
        raise InvalidInput(f"indices must be like '0-99' or a list of integers, got {indices!r}")
    if isinstance(indices, int):
        indices = [indices]
    if isinstance(indices, str):
        out = []
        for part in indices.replace(" ", "").split(","):
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
            if not m:
                raise InvalidInput(f"indices must look like '0-99' or '3,7,10-12', got {indices!r}")
            lo, hi = int(m[1]), int(m[2] or m[1])
            if hi < lo:
                raise InvalidInput(f"index range {part!r} runs backwards")
            out += range(lo, hi + 1)
        indices = out
    try:
        chosen = sorted({int(i) for i in indices if not isinstance(i, bool) and int(i) == i})
    except (TypeError, ValueError):
        raise InvalidInput(f"indices must be integers, got {indices!r}") from None
    if not chosen:
        raise InvalidInput("no entries chosen: indices is empty")
    bad = [i for i in chosen if not 0 <= i < n]
    if bad:
        raise InvalidInput(f"index {bad[0]} is out of range: the task file has entries 0-{n - 1}")
    return chosen


# -- one story (runs in this process or in a Ray worker) ------------------------------------
_ENGINES: dict = {}  # backend per worker process: Lightning loads its weights once, not per story


def _engine(spec):
    from .generate.backend import get_backend

    if not isinstance(spec, tuple):
        return spec  # a Backend instance
    name, options = spec
    key = (name, json.dumps(options, sort_keys=True, default=str))
    if key not in _ENGINES:
        _ENGINES[key] = get_backend(name, verbose=False, **options)
    return _ENGINES[key]


def _conditioning_argument(engine) -> str | None:
    """Which handoff argument the backend's render_scene takes, if any.

    ``condition_frames`` ([N, H, W, 3] uint8 RGB): the clip starts with those N
    frames as context (StoryBench's protocol; they are dropped afterwards).
    ``init_image`` ([H, W, 3] uint8 RGB, the last conditioning frame): the clip
    begins where that frame ends, the way one scene hands off to the next.
    """
    try:
        params = inspect.signature(engine.render_scene).parameters
    except (TypeError, ValueError):
        return None
    return next((name for name in ("condition_frames", "init_image") if name in params), None)


def render_entry(job: dict) -> dict:
    """Renders one entry's samples; returns its video and counts, or the error as one line. Never raises."""
    t0 = time.perf_counter()
    index = job["index"]
    try:
        return _render_entry(job, t0)
    except StorykitError as e:
        return {"index": index, "error": f"{type(e).__name__}: {e}", "seconds": time.perf_counter() - t0}
    except Exception as e:  # a bug or a backend failure: report it, keep the batch going
        msg = " ".join(str(e).split())[:300]
        return {"index": index, "error": f"{type(e).__name__}: {msg}", "seconds": time.perf_counter() - t0}


def _render_entry(job: dict, t0: float) -> dict:
    import dataclasses as dc

    from .generate.config import RenderConfig
    from .generate.render import render_story
    from .plan.storybench import script_from_storybench
    from .stitch.storybench_files import assemble_story, conditioning_frames, side_by_side

    entry, engine = job["entry"], _engine(job["backend"])
    config = RenderConfig(height=job["height"], width=job["width"], num_inference_steps=job["num_inference_steps"])
    cond, note = (None, "")
    if job["task"] in _CONDITIONED:
        cond, note = conditioning_frames(entry, job["videos"])
    skip = entry.get("skip_frames_after_generation") or 0
    handoff = _conditioning_argument(engine) if cond is not None else None
    if cond is not None and handoff is None:
        note += f"; backend {engine.name!r} cannot start from video frames: rendered from the text alone"
    videos = []
    for s in range(job["samples"]):
        script = script_from_storybench(entry, style=job["style"], seed=job["seed"] + s, folder=job["folder"])
        script.source = f"storybench:{job['source']}#{job['index']}"
        if handoff is not None:
            if handoff == "condition_frames":
                # StoryBench's protocol: the model's video starts with the `skip` conditioning frames,
                # which are then dropped, so only generated frames are written (and counted).
                first = dc.replace(script.scenes[0], num_frames=script.scenes[0].num_frames + skip)
                clip = engine.render_scene(first, script, config, condition_frames=cond)
                clip.frames = clip.frames[skip:]
            else:  # the clip continues from the last conditioning frame: every frame it returns is new
                clip = engine.render_scene(script.scenes[0], script, config, init_image=cond[-1])
            clip.metadata["conditioning"] = {"frames": int(len(cond)), "argument": handoff, "dropped": skip if handoff == "condition_frames" else 0}
            clips = [clip]
            if len(script.scenes) > 1:
                clips += render_story(script, engine, config, cache_dir=job["cache_dir"],
                                      scenes=[s.index for s in script.scenes[1:]], progress=False)
        else:
            clips = render_story(script, engine, config, cache_dir=job["cache_dir"], progress=False)
        videos.append(assemble_story(clips, script))
    video = side_by_side(videos)
    return {"index": job["index"], "video": video, "frames": list(entry["exact_frames_per_prompt"]),
            "texts": list(entry["texts"]), "note": note.strip("; "), "seconds": time.perf_counter() - t0}


# -- the batch -------------------------------------------------------------------------------
def _ray(address, options: dict | None):
    try:
        import ray
    except ImportError:
        raise MissingDependency(
            "--ray needs Ray: install it with `pip install 'storykit[scale]'` (add `-c constraints.txt` on a CPU machine)"
        ) from None
    started = False
    if not ray.is_initialized():
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False, **(options or {})}
        if isinstance(address, str):
            kwargs["address"] = address
        ray.init(**kwargs)
        started = True
    return ray, started


def render_storybench(
    task_file: str | os.PathLike,
    out: str | os.PathLike,
    *,
    model_name: str | None = None,
    indices=None,
    samples: int = 1,
    backend="auto",
    height: int | None = None,
    width: int | None = None,
    num_inference_steps: int = 4,
    seed: int = 0,
    style: str = "none",
    videos: str | os.PathLike | None = None,
    dataset: str | None = None,
    ray: bool | str | None = None,
    ray_options: dict | None = None,
    max_in_flight: int | None = None,
    cache_dir=False,
    backend_options: dict | None = None,
    progress: bool = True,
) -> BatchResult:
    """Renders the chosen entries of a StoryBench task file into the evaluator's layout.

    Each entry gets `samples` videos (story seeds `seed`, `seed + 1`, ...) side by side
    in ``OUT/data/MODEL/TASK/DATASET/raw/fn{index}.npz``. Finished files that
    still match their checksum are skipped, so the same call resumes a batch.
    `videos`: the folder of StoryBench's preprocessed ``.npy`` videos, for the
    conditioning tasks (without it they render from the text alone, and say so).
    `ray`: True for a local Ray runtime, an address to join a cluster.
    `cache_dir`: the clip cache (False, the default, renders every scene: a batch
    rarely repeats a scene).
    """
    from tqdm.auto import tqdm

    from .generate.backend import default_size, get_backend
    from .plan.planner import STYLES
    from .plan.storybench import STORYBENCH_TASKS, load_storybench, script_from_storybench
    from .stitch.storybench_files import file_sha256, storybench_dataset_name, storybench_npz_path, write_storybench_npz

    t0 = time.perf_counter()
    # 1. Check inputs before any slow work.
    task_file = Path(task_file)
    entries = load_storybench(task_file)
    if not entries:
        raise InvalidInput(f"{task_file.name} has no entries")
    chosen = parse_indices(indices, len(entries))
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 64:
        raise InvalidInput(f"samples must be an integer from 1 to 64, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**32 - 1 - samples:
        raise InvalidInput(f"seed must be a non-negative 32-bit integer, got {seed!r}")
    if style not in STYLES:
        raise InvalidInput(f"unknown style {style!r}; choose one of: {', '.join(STYLES)}")
    if ray is not None and not isinstance(ray, (bool, str)):
        raise InvalidInput(f"ray must be True (a local runtime), an address, or None, got {ray!r}")
    if videos is not None and not Path(videos).is_dir():
        raise InvalidInput(f"--videos {str(videos)!r} is not a folder")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {str(out)!r} is a file; give a folder")
    modes = {e.get("storybench_mode") for e in entries}
    task = task_file.stem if task_file.stem in STORYBENCH_TASKS else (modes.pop() if len(modes) == 1 else None)
    if task not in STORYBENCH_TASKS:
        raise InvalidInput(f"cannot tell the task of {task_file.name}: name it story_gen/story_cont/action_exe.json")
    dataset = dataset or storybench_dataset_name(task_file.parent.name)
    for i in chosen:  # every chosen entry imports: errors now, not an hour in
        script_from_storybench(entries[i], style=style, folder=task_file.parent)

    # 2. The backend (resolved once here; workers build the same one).
    options = dict(backend_options or {})
    engine = get_backend(backend, num_inference_steps=num_inference_steps, **options)
    size = default_size(engine)
    height, width = height or size, width or size
    name = engine.name
    model_name = model_name or f"storykit-{name}"
    spec = (name, {**options, **({"num_inference_steps": num_inference_steps} if name == "lightning" else {})}) \
        if isinstance(backend, str) else engine
    params = {"storykit": __version__, "backend": engine.describe(), "samples": samples, "seed": seed, "style": style,
              "height": height, "width": width, "num_inference_steps": num_inference_steps,
              "videos": videos is not None}
    params_key = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
    state = out / ".storykit" / model_name / task / dataset
    raw_dir = storybench_npz_path(out, model_name, task, dataset, 0).parent
    tmp_dir = out / ".storykit" / "tmp"

    # 3. Resume: skip what is finished and intact; note what must be rendered again.
    outcomes: dict[int, StoryOutcome] = {}
    todo = []
    for i in chosen:
        path, record = storybench_npz_path(out, model_name, task, dataset, i), state / f"fn{i}.json"
        if path.exists():
            try:
                doc = json.loads(record.read_text())
            except (OSError, ValueError):
                doc = {}
            if doc.get("params") == params_key and doc.get("sha256") == file_sha256(path):
                outcomes[i] = StoryOutcome(i, "skipped", frames=int(doc.get("frames", 0)))
                continue
            why = "made with other settings" if doc.get("params") not in (None, params_key) else "fails its checksum"
            print(f"storybench: {path.name} {why}: rendering it again", file=sys.stderr)
        todo.append(i)
    if task in _CONDITIONED and videos is None and todo:
        print(f"storybench: {task} starts from video frames, but no --videos folder was given: "
              "rendering from the text alone", file=sys.stderr)

    def job(i: int) -> dict:
        return {"index": i, "entry": entries[i], "task": task, "samples": samples, "seed": seed, "style": style,
                "backend": spec, "height": height, "width": width, "num_inference_steps": num_inference_steps,
                "videos": str(videos) if videos is not None else None, "folder": str(task_file.parent),
                "source": f"{task_file.parent.name}/{task_file.name}", "cache_dir": cache_dir}

    def finish(result: dict, bar) -> None:
        i = result["index"]
        if "error" in result:
            outcomes[i] = StoryOutcome(i, "failed", seconds=result.get("seconds", 0.0), error=result["error"])
        else:
            try:
                path = storybench_npz_path(out, model_name, task, dataset, i)
                sha = write_storybench_npz(path, result["video"], result["frames"], result["texts"], tmp_dir=tmp_dir)
                state.mkdir(parents=True, exist_ok=True)
                doc = {"index": i, "sha256": sha, "params": params_key, "frames": int(sum(result["frames"])),
                       "shape": list(result["video"].shape), "seconds": round(result["seconds"], 3), "note": result["note"]}
                tmp = state / f".fn{i}.json.part"
                tmp.write_text(json.dumps(doc, indent=1))
                os.replace(tmp, state / f"fn{i}.json")
                outcomes[i] = StoryOutcome(i, "written", frames=doc["frames"], seconds=result["seconds"], note=result["note"])
            except Exception as e:  # a full disk, a permission: this story fails, the batch goes on
                outcomes[i] = StoryOutcome(i, "failed", error=f"writing fn{i}.npz: {type(e).__name__}: {e}")
        bar.update(1)
        bar.set_postfix_str(f"fn{i} {outcomes[i].status}, {sum(o.status == 'failed' for o in outcomes.values())} failed")

    # 4. Render: here, one story after another, or one Ray task per story.
    engine_text = "single process"
    use_ray = ray not in (None, False) and bool(todo)
    ray_mod, started = _ray(ray, ray_options) if use_ray else (None, False)  # start-up before the bar
    bar = tqdm(total=len(todo), desc=f"storybench {task} ({name})", unit="story", disable=not progress)
    try:
        if not use_ray:
            for i in todo:
                finish(render_entry(job(i)), bar)
        else:
            try:
                gpus = 1 if name == "lightning" else 0  # one GPU per story for Lightning; the animatic needs none
                if gpus and ray_mod.cluster_resources().get("GPU", 0) < 1:  # tasks would wait forever
                    raise InvalidInput("the Ray cluster has no GPUs, and each Lightning story asks for one; "
                                       "add GPU nodes, or use --backend animatic")
                task_fn = ray_mod.remote(num_cpus=1, num_gpus=gpus)(render_entry)
                cpus = int(ray_mod.cluster_resources().get("CPU", 1))
                engine_text = f"Ray ({'local' if ray is True else ray}, {cpus} CPUs)"
                limit = max_in_flight or 2 * max(1, cpus)  # bounds the frames waiting in the object store
                pending, queue = {}, list(todo)
                while queue or pending:
                    while queue and len(pending) < limit:
                        i = queue.pop(0)
                        pending[task_fn.remote(job(i))] = i
                    ready, _ = ray_mod.wait(list(pending), num_returns=1)
                    i = pending.pop(ready[0])
                    try:
                        result = ray_mod.get(ready[0])
                    except Exception as e:  # the worker died (memory, a crash): this story fails
                        result = {"index": i, "error": f"Ray task failed: {type(e).__name__}: {' '.join(str(e).split())[:200]}"}
                    finish(result, bar)
            finally:
                if started:
                    ray_mod.shutdown()
    finally:
        bar.close()
    return BatchResult(
        task_file=str(task_file), raw_dir=raw_dir, model_name=model_name, task=task, dataset=dataset, samples=samples,
        backend=name, outcomes=[outcomes[i] for i in chosen if i in outcomes], seconds=time.perf_counter() - t0,
        engine=engine_text,
    )
