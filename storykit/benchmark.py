"""Render a StoryBench split for its evaluator, and its ground truth: resumable, checked up front, on Ray.

>>> from storykit.benchmark import render_storybench, write_ground_truth
>>> result = render_storybench("oops-test/story_gen.json", "sbdata", model_name="mymodel",   # doctest: +SKIP
...                            indices="0-99", samples=4, height=96, width=160)
>>> print(result.summary())                                                              # doctest: +SKIP
>>> write_ground_truth("oops-test/story_gen.json", "npy_videos/", "sbdata")              # doctest: +SKIP

Each entry becomes ``OUT/data/MODEL/TASK/DATASET/raw/fn{index}.npz`` (see
`storykit.stitch.storybench_files` for what the evaluator reads). Bookkeeping
lives outside the folder the metrics walk, in ``OUT/.storykit/MODEL/TASK/DATASET/fn{index}.json``:
the file's sha256, size and mtime, the settings that made it, and whether it was
conditioned on its video. A re-run skips every story whose file still has its
recorded size and mtime (``verify=True``: its sha256) and settings.

Everything checkable is checked before the first story renders: the task file,
the indices (clamped to the file), the size, the weights, the output folder,
every conditioning video. A story that fails is reported in one line and never
stops the batch.

``ray=True`` starts a local Ray runtime, ``ray="ADDRESS"`` joins a cluster
(`pip install 'storykit[scale]'`): one worker per GPU, each loading the model
once (`storykit.cluster`). On a runtime the caller started (a notebook's own
`ray.init()`), the workers stay up for the next call with the same backend and
settings, so a second task file loads no model again; `storykit.cluster.release_workers()`
stops them. Jobs carry their inputs (`storykit.storybench_job`),
workers return finished files, the driver writes them. The files are the same
as a single-process run's, byte for byte in every array.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

from ._version import __version__
from .cluster import RAY_TIMEOUT_S
from .errors import InvalidInput, StorykitError

__all__ = ["StoryOutcome", "BatchResult", "render_storybench", "write_ground_truth", "parse_indices"]

_CONDITIONED = ("story_cont", "action_exe")


@dataclasses.dataclass
class StoryOutcome:
    """What happened to one entry: "written", "skipped" (finished earlier, still intact) or "failed"."""

    index: int
    status: str
    frames: int = 0
    seconds: float = 0.0
    error: str = ""
    note: str = ""
    conditioned: bool | None = None  # conditioning tasks: started from its video (True) or from text alone


@dataclasses.dataclass(eq=False)
class BatchResult:
    """A batch's outcome per story, where the files are, how long it took, and how many models loaded."""

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
    workers: int = 1
    model_loads: int = 0  # pipelines built by this call, summed over the workers (0 for the animatic)
    warm_workers: int = 0  # Ray workers kept from the last call on the caller's own runtime (models loaded)
    entries: int = 0  # how many entries the task file has
    notes: list[str] = dataclasses.field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failures(self) -> list[StoryOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def frames(self) -> int:
        return sum(o.frames for o in self.outcomes if o.status == "written")

    def summary(self) -> str:
        """Stories, frames, workers and model loads, conditioning, and each failure, one line each."""
        done = self.count("written")
        rate = done / self.seconds * 60 if self.seconds > 0 else 0.0
        lines = [
            f"storybench: {len(self.outcomes)} stories: {done} written, {self.count('skipped')} skipped "
            f"(finished earlier, intact), {self.count('failed')} failed",
            f"storybench: {self.frames} frames x {self.samples} sample(s) in {self.seconds:.1f} s "
            f"({rate:.1f} stories/min), backend {self.backend}, {self.engine}"
            + ("" if self.model_name == "ground_truth" else f", {self.workers} worker(s), {self.model_loads} model load(s)")
            + (f" ({self.warm_workers} kept warm from the last batch)" if self.warm_workers else ""),
        ]
        if self.task in _CONDITIONED:
            made = [o for o in self.outcomes if o.conditioned is not None]
            text = sum(not o.conditioned for o in made)
            lines.append(f"storybench: {len(made) - text} started from their conditioning video, {text} from the text alone"
                         + (" (see each file's record in .storykit/)" if text else ""))
        lines += [f"storybench: note: {n}" for n in self.notes]
        lines.append(f"storybench: files in {self.raw_dir} (--model {self.model_name} --task {self.task} --dataset {self.dataset})")
        lines += [f"storybench: failed fn{o.index}: {o.error}" for o in self.failures]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"BatchResult({self.task}/{self.dataset}: {self.count('written')} written, {self.count('failed')} failed)"


def _parse_indices(indices, n: int) -> tuple[list[int], int | None]:
    """(sorted unique indices below `n`, the largest index asked for when a range ran past the end)."""
    if indices is None:
        return list(range(n)), None
    if isinstance(indices, bool):
        raise InvalidInput(f"indices must be like '0-99' or a list of integers, got {indices!r}")
    if isinstance(indices, int):
        indices = [indices]
    past = None
    if isinstance(indices, str):
        out: list[int] = []
        for part in indices.replace(" ", "").split(","):
            m = re.fullmatch(r"(\d{1,18})(?:-(\d{1,18}))?", part)
            if not m:
                raise InvalidInput(f"indices must look like '0-99' or '3,7,10-12', got {indices!r}")
            lo, hi = int(m[1]), int(m[2] or m[1])
            if hi < lo:
                raise InvalidInput(f"index range {part!r} runs backwards")
            if m[2] and lo < n <= hi:  # "0-9999999999": to the end of the file, clamped before anything is built
                past, hi = max(past or 0, hi), n - 1
            out += range(lo, hi + 1) if hi < n else [lo]  # beyond the file: one index, refused below
        indices = out
    try:
        chosen = sorted({int(i) for i in indices if not isinstance(i, bool) and int(i) == i})
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"indices must be integers, got {indices!r}") from None
    if not chosen:
        raise InvalidInput("no entries chosen: indices is empty")
    bad = [i for i in chosen if not 0 <= i < n]
    if bad:
        raise InvalidInput(f"index {bad[0]} is out of range: the task file has entries 0-{n - 1}")
    return chosen, past


def parse_indices(indices, n: int) -> list[int]:
    """``None`` (all), ``"0-99"``, ``"3,7,10-12"``, an int or a list of ints → sorted unique indices below `n`.

    A range that runs past the end stops at the last entry (``"0-9999999999"`` is every entry).
    """
    return _parse_indices(indices, n)[0]


def _check_size(height, width) -> None:
    """Frame size up front, in one line: whole pixels, 64-2048, divisible by 8 (SD's VAE downsamples by 8)."""
    for v in (height, width):
        if isinstance(v, bool) or not isinstance(v, int) or not 64 <= v <= 2048 or v % 8:
            raise InvalidInput(f"size {height}x{width}: height and width must be whole pixels from 64 to 2048, "
                               "divisible by 8 (the VAE downsamples by 8), e.g. 96x160 or 512x512")


def _check_writable(out: Path) -> None:
    """`out` can hold the files: created if need be, then a real file made there and removed."""
    from .stitch.preflight import check_folder

    try:
        if out.exists() and not out.is_dir():
            raise InvalidInput(f"--out {str(out)!r} is a file; give a folder")
        (out / ".storykit" / "tmp").mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(f"--out {str(out)[:80]!r} is not writable ({e.strerror or type(e).__name__}); "
                           "choose a folder you can write to") from None
    check_folder(out)


def _task_of(task_file: Path, entries: list) -> str:
    from .plan.storybench import STORYBENCH_TASKS

    modes = {e.get("storybench_mode") for e in entries}
    task = task_file.stem if task_file.stem in STORYBENCH_TASKS else (modes.pop() if len(modes) == 1 else None)
    if task not in STORYBENCH_TASKS:
        raise InvalidInput(f"cannot tell the task of {task_file.name}: name it story_gen/story_cont/action_exe.json")
    return task


def _videos_of(entries, chosen, videos) -> dict[int, Path]:
    """Every chosen entry's conditioning video under `videos`, found and its header checked, or one line."""
    from .stitch.storybench_files import check_video, conditioning_range, find_video

    found, missing = {}, []
    for i in chosen:
        span = conditioning_range(entries[i])
        if span is None:
            continue
        path = find_video(entries[i], videos)
        if path is None:
            missing.append(i)
            continue
        n = check_video(path)
        if span[1] > n:
            raise InvalidInput(f"{path.name} has {n} frames, but entry {i} starts from frames [{span[0]}, {span[1]})")
        found[i] = path
    if missing:
        first = entries[missing[0]].get("npz_video")
        raise InvalidInput(f"{len(missing)} of {len(chosen)} conditioning videos are not under --videos {str(videos)!r} "
                           f"(first: entry {missing[0]}, {first!r}); give the folder of StoryBench's .npy videos, "
                           "or leave out --videos to render from the text alone")
    return found


def _lightning_options(engine, options: dict, script) -> dict:
    """The backend's settings as a worker needs them: every choice explicit, local paths absolute."""
    def absolute(v):
        return str(Path(v).expanduser().resolve()) if v is not None and Path(str(v)).expanduser().exists() else v

    env = os.environ
    out = dict(options)
    out["base_model"] = absolute(engine.base_model_for(script))
    out["checkpoint"] = absolute(options.get("checkpoint") or env.get("STORYKIT_LIGHTNING_CKPT")) or None
    for key, var in (("motion_loras", "STORYKIT_MOTION_LORAS"), ("ip_adapter", "STORYKIT_IP_ADAPTER"),
                     ("tiny_vae", "STORYKIT_TINY_VAE"), ("device", "STORYKIT_DEVICE"), ("dtype", "STORYKIT_DTYPE")):
        value = options.get(key) or env.get(var)
        if value:
            out[key] = value if key in ("device", "dtype") or isinstance(value, dict) else absolute(value)
    out["num_inference_steps"] = engine.num_inference_steps
    out["progress"] = False
    return out


def _check_weights(engine, script) -> None:
    """Lightning's checkpoint and base model are here (or fetched now): one line if not, before any story."""
    from .generate.lightning.bases import fetch_base

    engine.describe()  # locates (or downloads) the checkpoint
    fetch_base(engine.base_model_for(script), num_inference_steps=engine.num_inference_steps)


def _record_ok(path: Path, record: Path, params_key: str, verify: bool) -> tuple[dict | None, str]:
    """(the record, "") when the finished file is intact and made with these settings, else (None, why not)."""
    from .stitch.storybench_files import file_sha256

    try:
        doc = json.loads(record.read_text())
    except FileNotFoundError:
        return None, "has no record (an interrupted run, or not written by storykit)"
    except (OSError, ValueError):
        return None, "has an unreadable record"
    if doc.get("params") != params_key:
        return None, "was made with other settings"
    if verify:
        return (doc, "") if doc.get("sha256") == file_sha256(path) else (None, "fails its checksum")
    st = path.stat()
    if doc.get("size") == st.st_size and doc.get("mtime_ns") == st.st_mtime_ns:
        return doc, ""
    return None, "changed since it was written (size or time)"


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
    ray_timeout: float = RAY_TIMEOUT_S,
    max_in_flight: int | None = None,
    verify: bool = False,
    backend_options: dict | None = None,
    progress: bool = True,
) -> BatchResult:
    """Renders the chosen entries of a StoryBench task file into the evaluator's layout.

    Each entry gets `samples` videos (story seeds `seed`, `seed + 1`, ...) side by side
    in ``OUT/data/MODEL/TASK/DATASET/raw/fn{index}.npz``. Finished files that still
    have their recorded size and mtime are skipped (`verify=True`: their sha256), so
    the same call resumes a batch. `videos`: the folder of StoryBench's preprocessed
    ``.npy`` videos; story_cont and action_exe then start from their conditioning
    video's last frame on a backend that supports the handoff (Lightning), and the
    others render from the text alone, which the summary and each record say.
    `ray`: True for a local Ray runtime, an address to join a cluster.
    """
    from tqdm.auto import tqdm

    from .generate.backend import default_size, get_backend
    from .plan.planner import STYLES
    from .plan.storybench import load_storybench, script_from_storybench
    from .stitch.storybench_files import (
        conditioning_range, storybench_dataset_name, storybench_npz_path, write_file_atomically,
    )
    from .storybench_job import STORYBENCH_CONDITIONING_STRENGTH, Worker, sample_scripts

    t0 = time.perf_counter()
    # 1. Check inputs before any slow work.
    task_file = Path(task_file)
    entries = load_storybench(task_file)
    if not entries:
        raise InvalidInput(f"{task_file.name} has no entries")
    chosen, past = _parse_indices(indices, len(entries))
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
    if height is not None or width is not None:  # 0 is a size (and a wrong one), not "not given"
        _check_size(height if height is not None else 512, width if width is not None else 512)
    task = _task_of(task_file, entries)
    dataset = dataset or storybench_dataset_name(task_file.parent.name)
    out = Path(out)
    _check_writable(out)
    # The driver resolves every prompt (story_gen's background for the conditioning tasks included):
    # a worker never opens a task file.
    scripts = {i: script_from_storybench(entries[i], style=style, seed=seed, folder=task_file.parent) for i in chosen}
    for i, s in scripts.items():
        s.source = f"storybench:{task_file.parent.name}/{task_file.name}#{i}"
    cond_videos = _videos_of(entries, chosen, videos) if task in _CONDITIONED and videos is not None else {}

    # 2. The backend: built here once to check it, its weights and its size; workers build the same.
    options = dict(backend_options or {})
    engine = get_backend(backend, num_inference_steps=num_inference_steps, **options)
    name = engine.name
    first_script = scripts[chosen[0]]
    if name == "lightning":
        _check_weights(engine, first_script)
    use_ray = ray not in (None, False)
    size = 512 if use_ray and name == "lightning" else default_size(engine)  # workers have the GPUs
    height, width = (size if height is None else height), (size if width is None else width)
    _check_size(height, width)
    model_name = model_name or f"storykit-{name}"
    worker_options = _lightning_options(engine, options, first_script) if name == "lightning" else options
    identity = engine.describe()
    for machine_specific in ("device", "dtype", "memory"):  # the workers', not the driver's: in each record
        identity.pop(machine_specific, None)
    params = {"storykit": __version__, "backend": identity, "samples": samples, "seed": seed, "style": style,
              "height": height, "width": width, "num_inference_steps": num_inference_steps,
              "videos": videos is not None, "conditioning_strength": STORYBENCH_CONDITIONING_STRENGTH}
    params_key = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
    state = out / ".storykit" / model_name / task / dataset
    raw_dir = storybench_npz_path(out, model_name, task, dataset, 0).parent
    tmp_dir = out / ".storykit" / "tmp"
    notes = []
    if past is not None:
        notes.append(f"indices asked for up to {past}; {task_file.name} has {len(entries)} entries, so they stop at {len(entries) - 1}")
    if len(chosen) < len(entries):
        notes.append(f"this run covers {len(chosen)} of {len(entries)} entries; fid_* and SIM need files for every entry")

    # 3. Resume: skip what is finished, intact and made with these settings.
    outcomes: dict[int, StoryOutcome] = {}
    todo, said = [], []
    for i in chosen:
        path = storybench_npz_path(out, model_name, task, dataset, i)
        if path.exists():
            doc, why = _record_ok(path, state / f"fn{i}.json", params_key, verify)
            if doc is not None:
                outcomes[i] = StoryOutcome(i, "skipped", frames=int(doc.get("frames", 0)), note=doc.get("note", ""),
                                           conditioned=doc.get("conditioned"))
                continue
            said.append(f"storybench: {path.name} {why}: rendering it again")
        todo.append(i)
    if task in _CONDITIONED and videos is None and todo:
        said.append(f"storybench: {task} starts from video frames, but no --videos folder was given: "
                    "rendering from the text alone")

    # 4. Ray, joined or started before anything is said or rendered: a bad address is one line now.
    use_ray = use_ray and bool(todo)
    ray_mod, started = None, False
    if use_ray:
        from .cluster import connect

        ray_mod, started, note = connect(ray, timeout=ray_timeout, options=ray_options)
        if note:
            said.append(f"storybench: {note}")
            notes.append(note)
    for line in said:
        print(line, file=sys.stderr)

    def make_job(i: int) -> dict:
        """Everything one story needs, resolved here: scripts, frames, size; no path a worker would open."""
        from .stitch.storybench_files import conditioning_frames

        entry, frame, note = entries[i], None, ""
        if i in cond_videos:
            frames, _ = conditioning_frames(entry, cond_videos[i].parent)
            frame, note = frames[-1], f"started from frame {conditioning_range(entry)[1] - 1} of {cond_videos[i].name}"
        elif task in _CONDITIONED:
            note = "no --videos: rendered from the text alone"
        return {"index": i, "scripts": sample_scripts(scripts[i], samples, seed), "frames": list(entry["exact_frames_per_prompt"]),
                "texts": list(entry["texts"]), "height": height, "width": width, "num_inference_steps": num_inference_steps,
                "strength": STORYBENCH_CONDITIONING_STRENGTH, "condition_frame": frame, "note": note}

    def finish(result: dict) -> None:
        i = result["index"]
        if "error" in result:
            outcomes[i] = StoryOutcome(i, "failed", seconds=result.get("seconds", 0.0), error=result["error"])
        else:
            try:
                path = write_file_atomically(storybench_npz_path(out, model_name, task, dataset, i), result["npz"], tmp_dir=tmp_dir)
                st = path.stat()
                conditioned = result["conditioned"] if task in _CONDITIONED else None
                doc = {"index": i, "sha256": result["sha256"], "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                       "params": params_key, "frames": result["frames"], "shape": result["shape"],
                       "conditioned": conditioned, "note": result["note"], "device": result.get("device"),
                       "seconds": round(result["seconds"], 3)}
                state.mkdir(parents=True, exist_ok=True)
                write_file_atomically(state / f"fn{i}.json", json.dumps(doc, indent=1).encode(), tmp_dir=tmp_dir)
                outcomes[i] = StoryOutcome(i, "written", frames=doc["frames"], seconds=result["seconds"],
                                           note=result["note"], conditioned=conditioned)
            except Exception as e:  # a full disk, a permission: this story fails, the batch goes on
                outcomes[i] = StoryOutcome(i, "failed", error=f"writing fn{i}.npz: {type(e).__name__}: {e}")
        bar.update(1)
        bar.set_postfix_str(f"fn{i} {outcomes[i].status}, {sum(o.status == 'failed' for o in outcomes.values())} failed")

    # 5. Render: here, one story after another, or on one Ray worker per GPU.
    engine_text, workers, loads, warm = "single process", 1, 0, 0
    bar = tqdm(total=len(todo), desc=f"storybench {task} ({name})", unit="story", disable=not progress)
    try:
        if ray_mod is None:
            worker = Worker(engine)
            for i in todo:
                finish(worker.render(make_job(i)))
            loads = worker.model_loads
        else:
            from .cluster import fan_out

            try:
                got = fan_out(ray_mod, todo, make_job, finish, backend=name if isinstance(backend, str) else engine,
                              options=worker_options,
                              gpus=1 if name == "lightning" else 0, base_model=worker_options.get("base_model"),
                              max_in_flight=max_in_flight, keep=not started)  # the caller's own runtime: stay warm
            except StorykitError:
                raise
            except Exception as e:  # whatever Ray raises: one line; finished files stay, a re-run resumes
                raise InvalidInput(f"Ray failed mid-batch ({type(e).__name__}: {' '.join(str(e).split())[:200]}); "
                                   "finished stories are kept: run the same command again to resume") from None
            workers, loads, warm = got["workers"], got["model_loads"], got["warm"]
            engine_text = f"Ray ({'local' if ray is True else ray})"
    finally:
        bar.close()
        if started:
            from .cluster import _shutdown_quietly

            _shutdown_quietly(ray_mod)
    return BatchResult(
        task_file=str(task_file), raw_dir=raw_dir, model_name=model_name, task=task, dataset=dataset, samples=samples,
        backend=name, outcomes=[outcomes[i] for i in chosen if i in outcomes], seconds=time.perf_counter() - t0,
        engine=engine_text, workers=workers, model_loads=loads, warm_workers=warm, entries=len(entries), notes=notes,
    )


# -- ground truth ------------------------------------------------------------------------------
def _story_starts(task_file: Path, entries: list) -> dict[int, int]:
    """story_gen entry → the frame its first sentence starts at, from story_cont.json beside it.

    StoryBench's create_task_data.py gives story_cont ``npz_video_end_frame = start + k`` and
    ``exact_frames_per_prompt[0] = (story_gen's) - k``, so start = end - (gen[0] - cont[0]).
    """
    from .plan.storybench import load_storybench

    sibling = task_file.parent / "story_cont.json"
    if not sibling.is_file():
        return {}
    cont = {(e.get("comment"), e.get("npz_video")): e for e in load_storybench(sibling)}
    starts = {}
    for i, e in enumerate(entries):
        c = cont.get((e.get("comment"), e.get("npz_video")))
        if c and isinstance(c.get("npz_video_end_frame"), int):
            k = e["exact_frames_per_prompt"][0] - c["exact_frames_per_prompt"][0]
            if 0 <= k <= c["npz_video_end_frame"]:
                starts[i] = c["npz_video_end_frame"] - k
    return starts


def write_ground_truth(task_file, videos, out, *, indices=None, dataset=None, progress: bool = True) -> BatchResult:
    """Writes the evaluator's ground truth: ``OUT/data/ground_truth/TASK/DATASET/raw/fn{index}.npz``.

    Each file holds the frames the entry's sentences describe (`ground_truth_range`),
    read from StoryBench's preprocessed ``.npy`` videos and turned RGB, with the same
    `frames` and `texts` as a model's file, so fid_* and SIM pair them frame by frame.
    Every video is found and checked before the first file is written.
    """
    from tqdm.auto import tqdm

    from .plan.storybench import load_storybench
    from .stitch.storybench_files import (
        check_video, find_video, ground_truth_frames, ground_truth_range, storybench_dataset_name, storybench_npz_path,
        write_storybench_npz,
    )

    t0 = time.perf_counter()
    task_file, out = Path(task_file), Path(out)
    entries = load_storybench(task_file)
    if not entries:
        raise InvalidInput(f"{task_file.name} has no entries")
    chosen, past = _parse_indices(indices, len(entries))
    if videos is None or not Path(videos).is_dir():
        raise InvalidInput(f"--videos {str(videos)!r} is not a folder; give the folder of StoryBench's .npy videos")
    task = _task_of(task_file, entries)
    dataset = dataset or storybench_dataset_name(task_file.parent.name)
    _check_writable(out)
    starts = _story_starts(task_file, entries) if task == "story_gen" else {}
    missing = [i for i in chosen if find_video(entries[i], videos) is None]
    if missing:
        raise InvalidInput(f"{len(missing)} of {len(chosen)} videos are not under --videos {str(videos)!r} "
                           f"(first: entry {missing[0]}, {entries[missing[0]].get('npz_video')!r})")
    for i in chosen:  # every range fits its video: one line now, not a half-written set
        try:
            ground_truth_range(entries[i], check_video(find_video(entries[i], videos)), story_start=starts.get(i))
        except InvalidInput as e:
            raise InvalidInput(f"entry {i}: {e}") from None
    notes = []
    if past is not None:
        notes.append(f"indices stop at {len(entries) - 1}, the last entry of {task_file.name}")
    if len(chosen) < len(entries):
        notes.append(f"ground truth for {len(chosen)} of {len(entries)} entries; fid_* and SIM need every entry")
        print(f"storybench: warning: {notes[-1]}", file=sys.stderr)
    if task == "story_gen" and len(starts) < len(chosen):
        notes.append(f"{len(chosen) - len(starts)} story_gen entries have no story_cont.json entry to date their start: "
                     "taken from frame 0")
    outcomes = []
    for i in tqdm(chosen, desc=f"ground truth {task}", unit="story", disable=not progress):
        video = ground_truth_frames(entries[i], videos, story_start=starts.get(i))
        entry = entries[i]
        write_storybench_npz(storybench_npz_path(out, "ground_truth", task, dataset, i), video,
                             entry["exact_frames_per_prompt"], entry["texts"], tmp_dir=out / ".storykit" / "tmp")
        outcomes.append(StoryOutcome(i, "written", frames=int(video.shape[0])))
    return BatchResult(task_file=str(task_file), raw_dir=storybench_npz_path(out, "ground_truth", task, dataset, 0).parent,
                       model_name="ground_truth", task=task, dataset=dataset, samples=1, backend="ground truth",
                       outcomes=outcomes, seconds=time.perf_counter() - t0, engine="videos (BGR → RGB)",
                       entries=len(entries), notes=notes)
