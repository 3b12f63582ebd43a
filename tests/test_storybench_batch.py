"""StoryBench batches: the evaluator's files for all three tasks, resume, failures, checks up front, conditioning, ground truth."""

import glob
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storykit import InvalidInput, MissingDependency
from storykit.benchmark import parse_indices, render_storybench
from storykit.cli import main
from storykit.generate.animatic.backend import AnimaticBackend
from storykit.stitch.storybench_files import conditioning_frames, read_storybench_npz, write_storybench_npz
from storykit.storybench_job import Worker, fit_frame

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


def _run(task, out, task_file=None, **kw):
    kw = {"indices": "0-2", "samples": 2, "backend": "animatic", "progress": False, **SIZE, **kw}
    return render_storybench(task_file or STORYBENCH / TASKS[task][0], out, model_name="sk", **kw)


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
    state = tmp_path / ".storykit" / "sk" / "story_gen" / "oops_test"
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
    assert "fn1.npz changed since it was written" in capsys.readouterr().err
    assert read_storybench_npz(raw / "fn1.npz")["video"].shape[0] == sum(
        json.loads((STORYBENCH / TASKS["story_gen"][0]).read_text())[1]["exact_frames_per_prompt"])
    other = _run("story_gen", tmp_path, samples=1)  # other settings: made again, not mixed in
    assert other.count("written") == 3


def test_resume_reads_sizes_and_times_and_verify_reads_every_byte(tmp_path, capsys):
    _run("story_gen", tmp_path, indices="0-1")
    raw = tmp_path / "data" / "sk" / "story_gen" / "oops_test" / "raw"
    state = tmp_path / ".storykit" / "sk" / "story_gen" / "oops_test"
    path, st = raw / "fn0.npz", (raw / "fn0.npz").stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, and the time put back: only a full hash can tell
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    (state / "fn1.json").unlink()  # the file is there, its record is not
    capsys.readouterr()
    quick = _run("story_gen", tmp_path, indices="0-1")
    err = capsys.readouterr().err
    assert [o.status for o in quick.outcomes] == ["skipped", "written"]  # by default the hash is not read again
    assert "fn1.npz has no record" in err and "checksum" not in err
    verified = _run("story_gen", tmp_path, indices="0-1", verify=True)
    assert [o.status for o in verified.outcomes] == ["written", "skipped"]
    assert "fn0.npz fails its checksum" in capsys.readouterr().err
    assert path.read_bytes() != bytes(data)


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


class _HandsOff(AnimaticBackend):
    """The animatic, claiming the handoff: records the frame each first scene was handed."""

    supports_handoff = True

    def __init__(self):
        super().__init__()
        self.handed = []

    def render_scene(self, scene, script, config=None, *, handoff_from=None):
        if handoff_from is not None:
            self.handed.append((scene.num_frames, handoff_from.frames[-1].copy()))
        return super().render_scene(scene, script, config)


def _fake_videos(entries, folder, frames=12, seed=0):
    """StoryBench's preprocessed videos: [N, 96, 160, 3] uint8 BGR at 8 fps, where npz_video says."""
    rng = np.random.default_rng(seed)
    for e in entries:
        path = folder / Path(e["npz_video"]).relative_to("storybench")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            np.save(path, rng.integers(0, 256, (frames, 96, 160, 3), dtype=np.uint8))
    return folder


def test_conditioning_videos_are_handed_over(tmp_path):
    entries = json.loads((STORYBENCH / TASKS["story_cont"][0]).read_text())
    videos = _fake_videos(entries[:3], tmp_path / "npy")
    frames, note = conditioning_frames(entries[0], videos)
    bgr = np.load(videos / Path(entries[0]["npz_video"]).relative_to("storybench"))
    assert np.array_equal(frames, bgr[0:4, :, :, ::-1]) and "4 conditioning frames" in note
    assert conditioning_frames(entries[0], None)[0] is None
    backend = _HandsOff()
    result = _run("story_cont", tmp_path / "out", backend=backend, videos=videos, samples=2)
    assert result.count("written") == 3 and all(o.conditioned for o in result.outcomes)
    # every sample's first scene, at its own length (nothing to drop), from the last conditioning frame, RGB
    assert [n for n, _ in backend.handed] == [e["exact_frames_per_prompt"][0] for e in entries[:3] for _ in range(2)]
    last = [fit_frame(np.load(videos / Path(e["npz_video"]).relative_to("storybench"))[3, :, :, ::-1], 64, 96)
            for e in entries[:3]]
    assert all(np.array_equal(img, last[k // 2]) for k, (_, img) in enumerate(backend.handed))
    stories = evaluator_reads(tmp_path / "out", "sk", "story_cont", "didemo_test", num_vids=2)
    assert [stories[f"fn{i}"][1] for i in range(3)] == [e["exact_frames_per_prompt"] for e in entries[:3]]
    record = json.loads((tmp_path / "out" / ".storykit" / "sk" / "story_cont" / "didemo_test" / "fn0.json").read_text())
    assert record["conditioned"] is True and "started from frame 3" in record["note"]
    assert "3 started from their conditioning video, 0 from the text alone" in result.summary()
    plain = _run("story_cont", tmp_path / "plain", videos=videos, samples=1)  # the animatic has no handoff
    assert not plain.outcomes[0].conditioned and "cannot start from a video frame" in plain.outcomes[0].note
    assert "0 started from their conditioning video, 3 from the text alone" in plain.summary()


def test_a_missing_conditioning_video_is_one_line_before_rendering(tmp_path):
    entries = json.loads((STORYBENCH / TASKS["action_exe"][0]).read_text())
    videos = _fake_videos(entries[:2], tmp_path / "npy")
    backend = _HandsOff()
    with pytest.raises(InvalidInput, match=r"1 of 3 conditioning videos are not under --videos .* entry 2"):
        _run("action_exe", tmp_path / "out", backend=backend, videos=videos)
    assert backend.handed == [] and not (tmp_path / "out" / "data").exists()


def test_jobs_carry_their_inputs(tmp_path, monkeypatch):
    """A job holds every input (prompts with story_gen's background, the conditioning frame): rendered again
    after the task files and videos are gone and with no STORYKIT_* variable, it makes the same file."""
    task_dir = tmp_path / "tasks" / "didemo-test"
    shutil.copytree(STORYBENCH / "didemo-test", task_dir)
    entries = json.loads((task_dir / "story_cont.json").read_text())
    videos = _fake_videos(entries[:2], tmp_path / "npy")
    jobs = []
    render = Worker.render
    monkeypatch.setattr(Worker, "render", lambda self, job: (jobs.append(job), render(self, job))[1])
    _run("story_cont", tmp_path / "out", backend=_HandsOff(), videos=videos, indices="0-1", samples=2,
         task_file=task_dir / "story_cont.json")
    assert len(jobs) == 2 and str(tmp_path).encode() not in pickle.dumps(jobs)  # no driver path inside
    background = json.loads((task_dir / "story_gen.json").read_text())[0]["background"]
    assert "swimming pool lanes" in background and all("swimming pool lanes" in s.prompt for s in jobs[0]["scripts"][0].scenes)
    shutil.rmtree(tmp_path / "tasks")
    shutil.rmtree(videos)
    for var in [v for v in os.environ if v.startswith("STORYKIT_")]:
        monkeypatch.delenv(var)
    raw = tmp_path / "out" / "data" / "sk" / "story_cont" / "didemo_test" / "raw"
    for job in jobs:
        again = render(Worker(_HandsOff()), job)
        assert again["sha256"] == __import__("hashlib").sha256((raw / f"fn{job['index']}.npz").read_bytes()).hexdigest()


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
    assert parse_indices("0-30", 25) == list(range(25))  # a range past the end stops at the last entry
    for bad, match in (("9-3", "backwards"), ("x", "look like"), ("30-40", "out of range"), ("25", "out of range")):
        with pytest.raises(InvalidInput, match=match):
            parse_indices(bad, 25)
    task = str(STORYBENCH / TASKS["story_gen"][0])
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--size", "64"]) == 2
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--samples", "0"]) == 2
    monkeypatch.setitem(sys.modules, "ray", None)  # Ray not installed
    with pytest.raises(MissingDependency, match=r"storykit\[scale\]"):
        _run("story_gen", tmp_path, ray=True)
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--indices", "0", "--backend", "animatic",
                 "--size", "64x96", "--ray", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("storykit: error:") and "storykit[scale]" in err[-1]
    assert main(["storybench", "render", task, "--out", str(tmp_path), "--indices", "0", "--backend", "animatic",
                 "--size", "64x96", "--quiet"]) == 0
    assert "1 written" in capsys.readouterr().out


class _Counting(AnimaticBackend):
    """The animatic, counting the scenes it renders."""

    def __init__(self):
        super().__init__()
        self.scenes = 0

    def render_scene(self, scene, script, config=None):
        self.scenes += 1
        return super().render_scene(scene, script, config)


@pytest.mark.parametrize("args, match", [
    (["--size", "0x0"], "size 0x0: height and width must be whole pixels from 64 to 2048"),
    (["--size", "95x160"], "size 95x160: .*divisible by 8"),
    (["--out", "/sys/storykit-not-writable"], "is not writable"),
])
def test_checks_before_any_story_renders(args, match, tmp_path, capsys, monkeypatch):
    """Each is one exit-2 line before the first scene renders, not one failure per story."""
    backend = _Counting()
    monkeypatch.setattr("storykit.generate.backend.get_backend", lambda *a, **k: backend)
    argv = ["storybench", "render", str(STORYBENCH / TASKS["story_gen"][0]), "--out", str(tmp_path / "out"),
            "--indices", "0-3", "--size", "64x96", "--quiet", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("storykit: error:") and __import__("re").search(match, err[0]), err
    assert backend.scenes == 0


def test_indices_past_the_end_are_clamped_before_anything_is_built(tmp_path):
    result = _run("story_gen", tmp_path, indices="23-9999999999", samples=1)
    assert [o.index for o in result.outcomes] == [23, 24]
    assert any("stop at 24" in n for n in result.notes) and "covers 2 of 25 entries" in result.summary()


def _gt_videos(folder, entries, length=None):
    """Fake preprocessed videos whose every pixel holds its own frame number (BGR: B = frame, G = 7, R = 200)."""
    for e in entries:
        path = folder / Path(e["npz_video"]).relative_to("storybench")
        path.parent.mkdir(parents=True, exist_ok=True)
        n = length or 600  # videos are shared between entries: long enough for all
        video = np.zeros((n, 96, 160, 3), np.uint8)
        video[..., 0] = (np.arange(n) % 256)[:, None, None]
        video[..., 1], video[..., 2] = 7, 200
        np.save(path, video)
    return folder


def _first_frames(path):
    video = read_storybench_npz(path)["video"]
    assert (video[..., 0] == 200).all() and (video[..., 1] == 7).all()  # RGB: R was the BGR file's last channel
    return video[:, 0, 0, 2].astype(int).tolist()


def test_ground_truth_files(tmp_path, capsys):
    """fid_* and SIM read data/ground_truth/TASK/DATASET/raw/fn{i}.npz: the frames the sentences describe, RGB."""
    folder = tmp_path / "tasks" / "uvo-test"
    shutil.copytree(STORYBENCH / "uvo-test", folder)
    act = json.loads((folder / "action_exe.json").read_text())
    gen = json.loads((folder / "story_gen.json").read_text())
    videos = _gt_videos(tmp_path / "npy", act[:6] + gen[:3])
    out = tmp_path / "sb"
    assert main(["storybench", "ground-truth", str(folder / "action_exe.json"), "--videos", str(videos), "--out", str(out),
                 "--indices", "0-5", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "6 of 25 entries" in captured.err and "fid_* and SIM need every entry" in captured.err  # said as a warning
    raw = out / "data" / "ground_truth" / "action_exe" / "uvo_test" / "raw"
    assert sorted(os.listdir(raw)) == [f"fn{i}.npz" for i in range(6)]
    for i, e in enumerate(act[:6]):
        T = sum(e["exact_frames_per_prompt"])
        # the sentence's own frames: the last T of [npz_gt_video_start_frame, npz_gt_video_end_frame)
        assert _first_frames(raw / f"fn{i}.npz") == [t % 256 for t in range(e["npz_gt_video_end_frame"] - T, e["npz_gt_video_end_frame"])]
        doc = read_storybench_npz(raw / f"fn{i}.npz")
        assert doc["frames"].tolist() == e["exact_frames_per_prompt"] and doc["texts"] == e["texts"]
    # story_gen: the first sentence's start comes from story_cont.json (npz_video_end_frame - the 0.5 s it took)
    didemo = tmp_path / "tasks" / "didemo-test"
    shutil.copytree(STORYBENCH / "didemo-test", didemo)
    cont = json.loads((didemo / "story_cont.json").read_text())
    cont[1]["npz_video_end_frame"] = cont[1]["skip_frames_after_generation"] = 9  # this story starts at frame 5
    (didemo / "story_cont.json").write_text(json.dumps(cont))
    gen = json.loads((didemo / "story_gen.json").read_text())
    videos = _gt_videos(tmp_path / "npy", gen[:3])
    from storykit.benchmark import write_ground_truth

    write_ground_truth(didemo / "story_gen.json", videos, out, indices="0-2", progress=False)
    for i, start in enumerate([0, 5, 0]):
        got = _first_frames(out / "data" / "ground_truth" / "story_gen" / "didemo_test" / "raw" / f"fn{i}.npz")
        assert got == [t % 256 for t in range(start, start + sum(gen[i]["exact_frames_per_prompt"]))]
    # story_cont: after the skip_frames_after_generation conditioning frames
    write_ground_truth(didemo / "story_cont.json", videos, out, indices="1", progress=False)
    got = _first_frames(out / "data" / "ground_truth" / "story_cont" / "didemo_test" / "raw" / "fn1.npz")
    assert got == [t % 256 for t in range(9, 9 + sum(cont[1]["exact_frames_per_prompt"]))]


def test_ground_truth_checks_every_video_first(tmp_path):
    from storykit.benchmark import write_ground_truth

    entries = json.loads((STORYBENCH / TASKS["story_cont"][0]).read_text())
    videos = _gt_videos(tmp_path / "npy", entries[:2])
    with pytest.raises(InvalidInput, match=r"1 of 3 videos are not under --videos"):
        write_ground_truth(STORYBENCH / TASKS["story_cont"][0], videos, tmp_path / "sb", indices="0-2", progress=False)
    short = _gt_videos(tmp_path / "short", entries[:3], length=10)
    with pytest.raises(InvalidInput, match=r"entry 0: the video has 10 frames, too few"):
        write_ground_truth(STORYBENCH / TASKS["story_cont"][0], short, tmp_path / "sb", indices="0-2", progress=False)
    assert not (tmp_path / "sb" / "data").exists()


def test_a_local_ray_that_cannot_start_falls_back_to_one_process(tmp_path, monkeypatch):
    ray = pytest.importorskip("ray")

    def fails(**kwargs):
        raise RuntimeError("node timed out during startup\n(long Ray text)")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fails)
    result = _run("story_gen", tmp_path, ray=True, indices="0", samples=1)
    assert result.count("written") == 1 and result.engine == "single process"
    assert any("Ray did not start (RuntimeError: node timed out during startup (long Ray text))" in n for n in result.notes)


def _tiny_task(folder, task="story_gen", n=1):
    """`n` short entries of `task` (and story_gen.json beside them, for the background), as StoryBench writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    gen, entries = [], []
    for i in range(n):
        common = {"durations": None, "npz_video": f"storybench/npy_96x160pix_8fps/{folder.name}/videos/fox{i}.npy",
                  "npz_video_start_frame": 0, "indices_to_select": None, "comment": f"fox.{i}"}
        gen.append({"texts": ["A fox runs. ", "It jumps."], "exact_frames_per_prompt": [8, 3], "background": "A field. ",
                    **common, "npz_video_end_frame": 0, "npz_gt_video_start_frame": 0, "npz_gt_video_end_frame": None,
                    "skip_frames_after_generation": None, "storybench_mode": "story_gen"})
        entries.append({**gen[-1], "exact_frames_per_prompt": [4, 3], "background": None, "npz_video_end_frame": 4,
                        "skip_frames_after_generation": 4, "storybench_mode": task})
    (folder / "story_gen.json").write_text(json.dumps(gen))
    if task != "story_gen":
        (folder / f"{task}.json").write_text(json.dumps(entries))
    return folder / f"{task}.json", (entries if task != "story_gen" else gen)


def _tiny_options(tiny_lightning):
    return {"base_model": str(tiny_lightning.base_model), "checkpoint": str(tiny_lightning.checkpoint_dir),
            "motion_adapter_config": tiny_lightning.motion_adapter_config, "device": "cpu", "progress": False}


def test_lightning_continues_the_conditioning_video(tiny_lightning, tmp_path, monkeypatch):
    """story_cont on Lightning: each first scene is video-to-video from the conditioning video's last frame."""
    import diffusers

    task, entries = _tiny_task(tmp_path / "tasks" / "didemo-test", "story_cont", n=2)
    videos = _fake_videos(entries, tmp_path / "npy")
    handed, loads = [], []
    v2v = diffusers.AnimateDiffVideoToVideoPipeline.__call__
    load = diffusers.AnimateDiffPipeline.from_pretrained

    def spy(self, *args, **kwargs):
        handed.append((np.stack([np.asarray(im) for im in kwargs["video"]]), kwargs["strength"], kwargs["prompt"]))
        return v2v(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.AnimateDiffVideoToVideoPipeline, "__call__", spy)
    monkeypatch.setattr(diffusers.AnimateDiffPipeline, "from_pretrained", lambda *a, **k: (loads.append(1), load(*a, **k))[1])
    result = render_storybench(task, tmp_path / "out", backend="lightning", backend_options=_tiny_options(tiny_lightning),
                               videos=videos, samples=1, model_name="tiny", progress=False, **SIZE)
    assert result.count("written") == 2 and all(o.conditioned for o in result.outcomes), result.summary()
    assert len(handed) == 2  # one handoff per story: its first scene; the second scene is a cut
    for (video, strength, prompt), e in zip(handed, entries):
        last = np.load(videos / Path(e["npz_video"]).relative_to("storybench"))[3, :, :, ::-1]
        assert video.shape == (4, 64, 96, 3) and all(np.array_equal(f, fit_frame(last, 64, 96)) for f in video)
        assert strength == 0.75 and prompt.startswith("A fox runs, a field")  # story_gen's background
    assert result.model_loads == len(loads) == 1 and result.workers == 1
    samples, frames, _ = evaluator_reads(tmp_path / "out", "tiny", "story_cont", "didemo_test", num_vids=1)["fn0"]
    assert frames == [4, 3] and samples[0].shape == (7, 64, 96, 3) and samples[0].std() > 5
