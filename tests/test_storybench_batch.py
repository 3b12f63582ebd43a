"""StoryBench batches: the evaluator's files for all three tasks, resume, failures, corruption, Ray."""

import glob
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from storykit import InvalidInput, MissingDependency
from storykit.benchmark import parse_indices, render_storybench
from storykit.cli import main
from storykit.generate.animatic.backend import AnimaticBackend
from storykit.stitch.storybench_files import conditioning_frames, read_storybench_npz, write_storybench_npz

STORYBENCH = Path(__file__).resolve().parent / "data" / "storybench"  # CC BY 4.0, Google LLC: see NOTICE.md
TASKS = {  # task -> (task file, the evaluator's --dataset)
    "story_gen": ("oops-test/story_gen.json", "oops_test"),
    "story_cont": ("didemo-test/story_cont.json", "didemo_test"),
    "action_exe": ("uvo-test/action_exe.json", "uvo_test"),
}
SIZE = {"height": 64, "width": 96}


def evaluator_reads(data_dir, model, task, dataset, num_vids):
    """A small independent copy of what StoryBench's metrics read (metrics/*.py, extract_features).

    numpy only: glob raw/*.npz, np.load, split the video on axis 2 into the samples,
    per-sentence frames, texts; the story name is the basename before its first dot.
    """
    preds_dir = os.path.join(data_dir, "data", model, task, dataset)
    assert os.listdir(os.path.join(data_dir, "data", model)) == [task]
    assert os.listdir(preds_dir) == ["raw"]  # pqa_dover walks this folder: nothing next to raw/
    assert all(f.endswith(".npz") for f in os.listdir(os.path.join(preds_dir, "raw")))
    stories = {}
    for fn in glob.glob(os.path.join(preds_dir, "raw", "*.npz")):
        video = np.load(fn, allow_pickle=True)["video"].clip(0, 255).astype(np.uint8)
        num_frames = np.load(fn, allow_pickle=True)["frames"]
        texts = np.load(fn, allow_pickle=True)["texts"].tolist()
        assert video.shape[-1] == 3  # [T, H, W*S, 3]
        assert len(video) == num_frames.sum()
        assert len(texts) == len(num_frames)
        samples = np.split(video, num_vids, axis=2)
        name = fn.split("/")[-1].split(".")[0]
        stories[name] = (samples, num_frames.tolist(), texts)
    return stories


def _run(task, out, **kw):
    kw = {"indices": "0-2", "samples": 2, "backend": "animatic", "progress": False, **SIZE, **kw}
    return render_storybench(STORYBENCH / TASKS[task][0], out, model_name="sk", **kw)


@pytest.mark.parametrize("task", list(TASKS))
def test_files_are_what_the_evaluator_reads(task, tmp_path, capsys):
    result = _run(task, tmp_path)
    assert result.count("written") == 3 and not result.failures
    entries = json.loads((STORYBENCH / TASKS[task][0]).read_text())
    stories = evaluator_reads(tmp_path, "sk", task, TASKS[task][1], num_vids=2)
    assert sorted(stories) == ["fn0", "fn1", "fn2"]
    for i in range(3):
        samples, frames, texts = stories[f"fn{i}"]
        assert frames == entries[i]["exact_frames_per_prompt"]
        assert texts == entries[i]["texts"]  # verbatim
        assert all(s.shape == (sum(frames), 64, 96, 3) for s in samples)
        assert not np.array_equal(samples[0], samples[1])  # two seeds, two samples
    if task != "story_gen":  # no --videos: said once, in one line
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no --videos" in err[0]
    assert "3 written" in result.summary()


def test_resume_skips_finished_files_and_redoes_corrupt_ones(tmp_path, capsys):
    _run("story_gen", tmp_path)
    raw = tmp_path / "data" / "sk" / "story_gen" / "oops_test" / "raw"
    before = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    again = _run("story_gen", tmp_path)
    assert again.count("skipped") == 3 and again.count("written") == 0
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir()} == before
    good = (raw / "fn1.npz").read_bytes()
    (raw / "fn1.npz").write_bytes(good[: len(good) // 2])  # a crash-damaged or truncated file
    (raw / "fn2.npz").unlink()
    capsys.readouterr()
    third = _run("story_gen", tmp_path)
    assert [o.status for o in third.outcomes] == ["skipped", "written", "written"]
    assert "fn1.npz fails its checksum" in capsys.readouterr().err
    assert read_storybench_npz(raw / "fn1.npz")["video"].shape[0] == sum(
        json.loads((STORYBENCH / TASKS["story_gen"][0]).read_text())[1]["exact_frames_per_prompt"])
    other = _run("story_gen", tmp_path, samples=1)  # other settings: made again, not mixed in
    assert other.count("written") == 3


class _FailsOnStory(AnimaticBackend):
    """The animatic, except that one story's first scene raises."""

    def __init__(self, sentence):
        super().__init__()
        self.sentence = sentence

    def render_scene(self, scene, script, config=None):
        if scene.index == 0 and scene.text == " ".join(self.sentence.split()):
            raise RuntimeError("out of memory\nin the middle")
        return super().render_scene(scene, script, config)


def test_a_failure_in_the_middle_never_stops_the_batch(tmp_path):
    entries = json.loads((STORYBENCH / TASKS["story_gen"][0]).read_text())
    result = _run("story_gen", tmp_path, backend=_FailsOnStory(entries[1]["texts"][0]))
    assert [o.status for o in result.outcomes] == ["written", "failed", "written"]
    line = [s for s in result.summary().splitlines() if "failed fn1" in s]
    assert line == ["storybench: failed fn1: RuntimeError: out of memory in the middle"]
    assert not (tmp_path / "data" / "sk" / "story_gen" / "oops_test" / "raw" / "fn1.npz").exists()
    fixed = _run("story_gen", tmp_path)  # the same batch again renders only the failed story
    assert [o.status for o in fixed.outcomes] == ["skipped", "written", "skipped"]


class _Conditioned(AnimaticBackend):
    """The animatic with the handoff argument: records what it was handed."""

    def __init__(self):
        super().__init__()
        self.handed = []

    def render_scene(self, scene, script, config=None, condition_frames=None):
        if condition_frames is not None:
            self.handed.append((scene.num_frames, condition_frames.copy()))
        return super().render_scene(scene, script, config)


class _HandsOff(AnimaticBackend):
    """The animatic with a scene-to-scene handoff argument: starts from one image."""

    def __init__(self):
        super().__init__()
        self.handed = []

    def render_scene(self, scene, script, config=None, init_image=None):
        if init_image is not None:
            self.handed.append((scene.num_frames, init_image.copy()))
        return super().render_scene(scene, script, config)


def test_conditioning_videos_are_handed_over_and_dropped(tmp_path):
    entries = json.loads((STORYBENCH / TASKS["story_cont"][0]).read_text())
    videos = tmp_path / "npy"
    rng = np.random.default_rng(0)
    for e in entries[:3]:  # StoryBench's preprocessed videos: [N, 96, 160, 3] uint8 BGR at 8 fps
        path = videos / Path(e["npz_video"]).relative_to("storybench")
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, rng.integers(0, 256, (12, 96, 160, 3), dtype=np.uint8))
    frames, note = conditioning_frames(entries[0], videos)
    bgr = np.load(videos / Path(entries[0]["npz_video"]).relative_to("storybench"))
    assert np.array_equal(frames, bgr[0:4, :, :, ::-1]) and "4 conditioning frames" in note
    assert conditioning_frames(entries[0], None)[0] is None
    backend = _Conditioned()
    result = _run("story_cont", tmp_path / "out", backend=backend, videos=videos, samples=1)
    assert result.count("written") == 3
    assert [n for n, _ in backend.handed] == [e["exact_frames_per_prompt"][0] + 4 for e in entries[:3]]
    stories = evaluator_reads(tmp_path / "out", "sk", "story_cont", "didemo_test", num_vids=1)
    assert [stories[f"fn{i}"][1] for i in range(3)] == [e["exact_frames_per_prompt"] for e in entries[:3]]
    handoff = _HandsOff()
    _run("story_cont", tmp_path / "handoff", backend=handoff, videos=videos, samples=1)
    last = [np.load(videos / Path(e["npz_video"]).relative_to("storybench"))[3, :, :, ::-1] for e in entries[:3]]
    assert [n for n, _ in handoff.handed] == [e["exact_frames_per_prompt"][0] for e in entries[:3]]  # nothing to drop
    assert all(np.array_equal(img, want) for (_, img), want in zip(handoff.handed, last))
    plain = _run("story_cont", tmp_path / "plain", videos=videos, samples=1)  # a backend that cannot use them
    assert "cannot start from video frames" in plain.outcomes[0].note


def test_writer_checks_and_atomicity(tmp_path):
    path = tmp_path / "data" / "m" / "story_gen" / "oops_test" / "raw" / "fn0.npz"
    video = np.zeros((5, 8, 16, 3), np.uint8)
    with pytest.raises(InvalidInput, match="sum to 6"):
        write_storybench_npz(path, video, [3, 3], ["a", "b"])
    with pytest.raises(InvalidInput, match="one per frame count"):
        write_storybench_npz(path, video, [2, 3], ["a"])
    with pytest.raises(InvalidInput, match="first dot"):
        write_storybench_npz(path.with_name("a.b.npz"), video, [5], ["a"])
    write_storybench_npz(path, video, [2, 3], ["a ", "b\n"])
    assert os.listdir(path.parent) == ["fn0.npz"] and read_storybench_npz(path)["texts"] == ["a ", "b\n"]
    assert sorted(os.listdir(tmp_path)) == [".storykit", "data"]  # the temporary file lived outside data/


def test_bad_input_is_one_line(tmp_path, capsys, monkeypatch):
    assert parse_indices("0-2,5", 10) == [0, 1, 2, 5]
    for bad, match in (("9-3", "backwards"), ("x", "look like"), ("0-30", "out of range")):
        with pytest.raises(InvalidInput, match=match):
            parse_indices(bad, 25)
    task = str(STORYBENCH / TASKS["story_gen"][0])
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--size", "64"]) == 2
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--samples", "0"]) == 2
    monkeypatch.setitem(__import__("sys").modules, "ray", None)  # Ray not installed
    with pytest.raises(MissingDependency, match=r"storykit\[scale\]"):
        _run("story_gen", tmp_path, ray=True)
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--indices", "0", "--backend", "animatic",
                 "--size", "64x96", "--ray", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("storykit: error:") and "storykit[scale]" in err[-1]
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--indices", "0", "--backend", "animatic",
                 "--size", "64x96", "--quiet"]) == 0
    assert "1 written" in capsys.readouterr().out


def test_local_ray_gives_byte_identical_arrays(tmp_path):
    """3 stories of each task at 64x96 on the animatic: single process vs a local Ray runtime."""
    ray = pytest.importorskip("ray")
    for task in TASKS:
        _run(task, tmp_path / "single")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        for task in TASKS:
            result = _run(task, tmp_path / "ray", ray=True)
            assert result.count("written") == 3 and result.engine.startswith("Ray")
    finally:
        ray.shutdown()
    files = sorted(glob.glob(str(tmp_path / "single" / "data" / "*" / "*" / "*" / "raw" / "*.npz")))
    assert len(files) == 9
    for f in files:
        a, b = np.load(f), np.load(f.replace(str(tmp_path / "single"), str(tmp_path / "ray")))
        for key in ("video", "frames", "texts"):
            assert a[key].dtype == b[key].dtype and a[key].tobytes() == b[key].tobytes(), (f, key)
    shutil.rmtree(tmp_path)


def test_lightning_batch_on_the_tiny_model(tiny_lightning, tmp_path):
    """The real generation path by name, as a batch (and each Ray worker) builds it: a tiny random model on the CPU."""
    task = tmp_path / "tasks" / "oops-test" / "story_gen.json"
    task.parent.mkdir(parents=True)
    entry = {"texts": ["A fox runs. ", "It jumps."], "exact_frames_per_prompt": [4, 3], "background": "A field. ",
             "storybench_mode": "story_gen", "comment": "fox.1"}
    task.write_text(json.dumps([entry]))
    options = {"base_model": str(tiny_lightning.base_model), "checkpoint": str(tiny_lightning.checkpoint_dir),
               "motion_adapter_config": tiny_lightning.motion_adapter_config, "device": "cpu", "progress": False}
    result = render_storybench(task, tmp_path / "out", backend="lightning", backend_options=options, samples=1,
                               model_name="tiny", progress=False, **SIZE)
    assert result.count("written") == 1 and result.backend == "lightning", result.summary()
    samples, frames, texts = evaluator_reads(tmp_path / "out", "tiny", "story_gen", "oops_test", num_vids=1)["fn0"]
    assert frames == [4, 3] and texts == entry["texts"] and samples[0].shape == (7, 64, 96, 3)
    assert samples[0].std() > 5  # random weights, varied pixels
