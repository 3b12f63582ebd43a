"""StoryBench's evaluator files: one ``.npz`` per story, and the conditioning videos it gives.

Every metric in StoryBench (github.com/google/storybench, `metrics/*.py`,
`extract_features`) globs ``DATA/data/MODEL/TASK/DATASET/raw/*.npz`` and reads,
per story:

* ``video``: uint8 RGB ``[T, H, W*S, 3]``, S samples side by side along the width
  (the metrics split it with ``np.split(video, S, axis=2)``); T is the sum of
  `exact_frames_per_prompt`: 8 fps, cuts, no retiming;
* ``frames``: the per-sentence frame counts;
* ``texts``: the original sentences (``len(texts) == len(frames)``).

The story name is the file name before its first dot, so files are ``fn{index}.npz``
as StoryBench's README names them (DiDeMo comments contain dots).

>>> from storykit.stitch.storybench_files import storybench_npz_path, write_storybench_npz
>>> path = storybench_npz_path("out", "mymodel", "story_gen", "oops_test", 3)   # doctest: +SKIP
>>> write_storybench_npz(path, video, frames=[19, 17, 47], texts=entry["texts"])  # doctest: +SKIP

The conditioning tasks (story_cont, action_exe) give the first frames of a
real video: frames ``[npz_video_start_frame, npz_video_end_frame)`` of the
``.npy`` that StoryBench's ``scripts/preprocess_videos.sh`` makes (96×160, 8 fps,
read with OpenCV, so BGR). `conditioning_frames` finds and reads them as RGB.

fid_* and SIM also read the ground truth, ``DATA/data/ground_truth/TASK/DATASET/raw/fn{index}.npz``,
which StoryBench does not publish; `ground_truth_frames` cuts it from the same
videos (`ground_truth_range` says which frames, and why).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InvalidInput
from ..paths import sha256_of_file as file_sha256  # public here: the resume records name it
from ..generate.clips import Clip, check_frames
from ..plan.script import Script
from ..plan.storybench import STORYBENCH_FPS

__all__ = [
    "storybench_dataset_name", "storybench_npz_path", "assemble_story", "side_by_side",
    "storybench_npz_bytes", "write_file_atomically", "write_storybench_npz", "read_storybench_npz", "file_sha256",
    "find_video", "check_video", "conditioning_range", "conditioning_frames", "ground_truth_range", "ground_truth_frames",
]


def storybench_dataset_name(folder: str) -> str:
    """The evaluator's DATASET for a task folder: ``oops-test`` → ``oops_test``, ``uvo-valid`` → ``uvo_val``.

    StoryBench's README runs its metrics with ``--dataset {oops,uvo,didemo}_{val,test}``.
    """
    name = re.sub(r"[-\s]+", "_", folder.strip())
    return re.sub(r"_valid$", "_val", name)


def storybench_npz_path(out: str | os.PathLike, model: str, task: str, dataset: str, index: int) -> Path:
    """``out/data/MODEL/TASK/DATASET/raw/fn{index}.npz``."""
    for name, value in (("model", model), ("task", task), ("dataset", dataset)):
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", value):
            raise InvalidInput(f"{name} name {value!r} must be letters, digits, '_', '-', '.' or '+' (it is a folder name)")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidInput(f"index must be a non-negative integer, got {index!r}")
    return Path(out) / "data" / model / task / dataset / "raw" / f"fn{index}.npz"


def assemble_story(clips: Sequence[Clip], script: Script) -> np.ndarray:
    """One sample's frames for the evaluator: the clips joined with cuts at 8 fps, no retiming.

    Uses `stitch` (transition "cut", ``interpolate="none"``, no title, no captions),
    so T equals the sum of the scenes' frame counts exactly; anything else is a bug.
    """
    from .timeline import stitch

    off = [c.scene_index for c in clips if c.fps != STORYBENCH_FPS]
    if off:
        raise InvalidInput(f"StoryBench counts frames at {STORYBENCH_FPS} fps; clips of scenes {off} are at another rate")
    story = stitch(clips, script, transition="cut", fps=STORYBENCH_FPS, interpolate="none", title=False, captions=False)
    want = sum(c.num_frames for c in clips)
    if story.num_frames != want:  # the evaluator would misalign every sentence
        raise RuntimeError(f"stitch gave {story.num_frames} frames, expected {want}")
    return story.frames


def side_by_side(samples: Sequence[np.ndarray]) -> np.ndarray:
    """S videos of one shape ``[T, H, W, 3]`` → ``[T, H, W*S, 3]`` (the evaluator splits on axis 2)."""
    if not samples:
        raise InvalidInput("no samples to put side by side")
    samples = [check_frames(s, f"sample {i}") for i, s in enumerate(samples)]
    shapes = {s.shape for s in samples}
    if len(shapes) != 1:
        raise InvalidInput(f"all samples of a story must have one shape, got {sorted(shapes)}")
    return np.concatenate(samples, axis=2)


def storybench_npz_bytes(video: np.ndarray, frames: Sequence[int], texts: Sequence[str], *, compress: bool = True) -> bytes:
    """One story's ``.npz`` file, in memory, checked exactly as the metrics will read it.

    A worker makes these bytes (compressing is the slow part), so the driver of a
    batch only writes them: `write_file_atomically`.
    """
    video = check_frames(video, "video")
    frames = np.asarray(list(frames), dtype=np.int64)
    texts = list(texts)
    if frames.ndim != 1 or not len(frames) or (frames <= 0).any():
        raise InvalidInput(f"frames must be positive per-sentence counts, got {frames.tolist()}")
    if int(frames.sum()) != video.shape[0]:
        raise InvalidInput(f"video has {video.shape[0]} frames but the sentences' counts sum to {int(frames.sum())}")
    if len(texts) != len(frames) or not all(isinstance(t, str) for t in texts):
        raise InvalidInput(f"texts must be {len(frames)} sentences, one per frame count, got {len(texts)}")
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, video=video, frames=frames, texts=np.array(texts, dtype=str))
    return buf.getvalue()


def _default_tmp_dir(path: Path) -> Path:
    # DIR/.storykit/tmp: the evaluator walks DIR/data/MODEL, never DIR/.storykit
    layout = len(path.parents) > 5 and path.parents[4].name == "data"
    return path.parents[5] / ".storykit" / "tmp" if layout else path.parent


def write_file_atomically(path: str | os.PathLike, data: bytes, *, tmp_dir: str | os.PathLike | None = None) -> Path:
    """Writes `data` to `path` so that it appears whole or not at all.

    The bytes go to a temporary file in `tmp_dir` (same filesystem; by default
    ``DIR/.storykit/tmp`` for a file in the evaluator's layout), are flushed to
    disk, then `os.replace`d: nothing half-written or stray ever sits in the
    folder the metrics walk.
    """
    path = Path(path)
    if path.suffix == ".npz" and "." in path.stem:
        raise InvalidInput(f"{path.name!r}: the evaluator names a story by the file name before its first dot; use fn<index>.npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tmp_dir) if tmp_dir is not None else _default_tmp_dir(path)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".storykit-", suffix=".part", dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_storybench_npz(
    path: str | os.PathLike,
    video: np.ndarray,
    frames: Sequence[int],
    texts: Sequence[str],
    *,
    tmp_dir: str | os.PathLike | None = None,
    compress: bool = True,
) -> str:
    """Writes one story's ``.npz`` atomically and returns its sha256.

    `texts` are written as given (verbatim). See `storybench_npz_bytes` and
    `write_file_atomically` for the two halves (a batch's workers do the first).
    """
    path = Path(path)
    if path.suffix != ".npz" or "." in path.stem:
        raise InvalidInput(f"{path.name!r}: the evaluator names a story by the file name before its first dot; use fn<index>.npz")
    data = storybench_npz_bytes(video, frames, texts, compress=compress)
    write_file_atomically(path, data, tmp_dir=tmp_dir)
    return hashlib.sha256(data).hexdigest()


def read_storybench_npz(path: str | os.PathLike) -> dict:
    """``{"video", "frames", "texts"}`` of one file, checked as the metrics check them."""
    try:
        with np.load(path, allow_pickle=False) as z:
            out = {"video": z["video"], "frames": z["frames"], "texts": z["texts"].tolist()}
    except Exception as e:  # OSError, KeyError, zipfile.BadZipFile, zlib.error: a damaged or foreign file
        raise InvalidInput(f"{Path(path).name} is not a readable StoryBench file ({type(e).__name__}: {e})") from None
    if out["video"].dtype != np.uint8 or out["video"].ndim != 4 or int(out["frames"].sum()) != out["video"].shape[0]:
        raise InvalidInput(f"{Path(path).name}: video {out['video'].shape} does not match frames {out['frames'].tolist()}")
    return out


# -- conditioning videos ------------------------------------------------------------------------
def find_video(entry: dict, videos: str | os.PathLike) -> Path | None:
    """The entry's ``npz_video`` under `videos`, or None.

    `npz_video` reads like ``storybench/npy_96x160pix_8fps/oops-test/videos/X.npy``;
    `videos` may be the folder that holds any tail of that path (the folder above
    ``storybench/``, ``npy_96x160pix_8fps/``, ``oops-test/``, ``videos/`` itself).
    """
    rel = entry.get("npz_video")
    if not isinstance(rel, str) or not rel:
        return None
    parts = Path(rel).parts
    root = Path(videos)
    for k in range(len(parts)):
        candidate = root.joinpath(*parts[k:])
        if candidate.is_file():
            return candidate
    return None


def check_video(path: str | os.PathLike) -> int:
    """The number of frames of a preprocessed ``.npy`` video, from its header alone (nothing else is read)."""
    path = Path(path)
    try:
        video = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise InvalidInput(f"{path.name} is not a readable .npy video ({' '.join(str(e).split())[:120]})") from None
    if video.ndim != 4 or video.shape[-1] != 3 or video.dtype != np.uint8:
        raise InvalidInput(f"{path.name}: expected uint8 frames [N, H, W, 3], got {video.dtype} {video.shape}")
    return int(video.shape[0])


def _read_rgb(path: Path, start: int, end: int) -> np.ndarray:
    n = check_video(path)
    if not 0 <= start < end <= n:
        raise InvalidInput(f"{path.name} has {n} frames; frames [{start}, {end}) were asked for")
    video = np.load(path, mmap_mode="r", allow_pickle=False)
    # OpenCV wrote these (StoryBench's preprocess_videos.sh and mp4_to_npy.py): BGR → RGB.
    return np.ascontiguousarray(video[start:end, :, :, ::-1])


def conditioning_range(entry: dict) -> tuple[int, int] | None:
    """``[npz_video_start_frame, npz_video_end_frame)``, or None when the entry gives no frames."""
    start, end = entry.get("npz_video_start_frame"), entry.get("npz_video_end_frame")
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    return start, end


def conditioning_frames(entry: dict, videos: str | os.PathLike | None) -> tuple[np.ndarray | None, str]:
    """The entry's conditioning frames as RGB ``[N, H, W, 3]`` uint8 (or None), and one line saying what happened."""
    span = conditioning_range(entry)
    if span is None:
        return None, "no conditioning frames in this entry"
    if videos is None:
        return None, "conditioning video not given (--videos DIR): rendering from the text alone"
    path = find_video(entry, videos)
    if path is None:
        return None, f"conditioning video {entry.get('npz_video')!r} not found under {str(videos)!r}: rendering from the text alone"
    frames = _read_rgb(path, *span)
    return frames, f"{span[1] - span[0]} conditioning frames from {path.name}"


# -- ground truth ---------------------------------------------------------------------------------
def ground_truth_range(entry: dict, num_video_frames: int, *, story_start: int | None = None) -> tuple[int, int]:
    """The frames ``[start, end)`` of the entry's video that its sentences describe: T = sum(exact_frames_per_prompt).

    fid_* and SIM pair the model's frame ``fn{i}_{t}`` with the ground truth's, so the
    two must have the same T. StoryBench's `scripts/create_task_data.py` sets the fields:

    * action_exe: ``[npz_gt_video_start_frame, npz_gt_video_end_frame)`` runs from the
      previous sentence's end to this one's; the sentence's own frames are its last T
      (longer only when the annotations leave a gap between sentences);
    * story_cont: the ground truth starts after the ``skip_frames_after_generation``
      conditioning frames (``npz_gt_video_end_frame`` None: to the end): the first T;
    * story_gen: from `story_start` (the first sentence's frame, which story_gen's entry
      does not give: `benchmark` recovers it from story_cont.json), else from frame 0.
    """
    total = sum(entry["exact_frames_per_prompt"])
    gt_start = entry.get("npz_gt_video_start_frame") or 0
    gt_end = entry.get("npz_gt_video_end_frame")
    if isinstance(gt_end, int):
        end = min(gt_end, num_video_frames)
        start = max(gt_start, end - total)
    else:
        start = max(gt_start, entry.get("skip_frames_after_generation") or 0, story_start or 0)
        end = min(start + total, num_video_frames)
    if end - start != total:
        raise InvalidInput(f"the video has {num_video_frames} frames, too few for the {total} frames the sentences count "
                           f"from frame {start}")
    return start, end


def ground_truth_frames(entry: dict, videos: str | os.PathLike, *, story_start: int | None = None) -> np.ndarray:
    """The entry's ground-truth frames, RGB ``[T, H, W, 3]`` uint8 (see `ground_truth_range`)."""
    path = find_video(entry, videos)
    if path is None:
        raise InvalidInput(f"video {entry.get('npz_video')!r} not found under {str(videos)!r}")
    return _read_rgb(path, *ground_truth_range(entry, check_video(path), story_start=story_start))
