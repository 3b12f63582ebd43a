"""Shared fixtures: tests run offline, never touch the user's caches, and share one tiny model.

Parallel-safe (pytest-xdist, `-n 2 --dist loadfile --no-loadscope-reorder`): every process that loads this file, each
xdist worker included, gets its own storykit home and clip cache; a file's tests run in one
worker, so the Ray tests (one file) start one local Ray in its own session folder; notebook
kernels and Ray pick free ports themselves; tiny models are built per process in tmp_path_factory.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile

# Before anything imports huggingface_hub (it reads these once): no network, ever.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
# storykit's own caches (clips, file hashes) go to a throw-away folder, and the
# user's settings must not change what tests see.
_HOME = tempfile.mkdtemp(prefix="storykit-tests-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)  # this process's; each run left one per worker
os.environ["STORYKIT_HOME"] = _HOME
os.environ["STORYKIT_CACHE"] = os.path.join(_HOME, "clips")
if os.environ.get("PYTEST_XDIST_WORKER"):  # two workers on two cores: one thread each, not two apiece
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# Byte-compiled modules for every process the suite starts (two workers, ~40 CLI runs, five notebook
# kernels, Ray's workers, forks): where PYTHONDONTWRITEBYTECODE is set, each one compiled storykit
# again (0.1-0.2 s apiece, ~15 s a suite). They are written as usual, in __pycache__/ (git ignores
# it); PYTHONPYCACHEPREFIX would move them, but would also ignore the installed packages' own.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False
# Young-generation collections every 10,000 allocations, not 700: the tests build and drop tiny
# pipelines of ~2,000 modules each, and the full collections that the default's pace set off walked
# what they keep alive (1.5 s -> 0.5 s of full collections a worker, measured with gc.callbacks).
gc.set_threshold(10_000, 10, 10)
for _var in ("STORYKIT_BASE_MODEL", "STORYKIT_LIGHTNING_CKPT", "STORYKIT_MOTION_LORAS", "STORYKIT_DEVICE", "STORYKIT_DTYPE"):
    os.environ.pop(_var, None)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_lightning(tmp_path_factory):
    """A tiny random AnimateDiff-Lightning setup on disk (storykit.testing.TinyLightning), built once."""
    from storykit.testing import build_tiny_lightning

    # Usually where torch, diffusers and transformers are first imported: millions of objects and no
    # garbage worth collecting, so no collections while they load, and frozen before collection is on
    # again. Left in the young generation, they made the next two collections walk them all (~0.7 s a
    # worker, measured with gc.callbacks), and the full one after this test (~0.4 s) found nothing.
    gc.disable()
    try:
        return build_tiny_lightning(tmp_path_factory.mktemp("tiny-lightning"))
    finally:
        gc.freeze()
        gc.enable()


@pytest.fixture(scope="session")
def tiny_backend(tiny_lightning):
    """A LightningBackend on the tiny model (CPU, fp32), loaded once and shared."""
    from storykit.generate.lightning import LightningBackend

    return LightningBackend(
        base_model=tiny_lightning.base_model,
        checkpoint=tiny_lightning.checkpoint_dir,
        motion_adapter_config=tiny_lightning.motion_adapter_config,
        motion_loras=tiny_lightning.motion_lora_dir,
        device="cpu",
        dtype="fp32",
        progress=False,
    )


@pytest.fixture
def studio_encodes(monkeypatch):
    """The Studio's video encodes as they happen (a spy, not the Studio's own count): "scene" for a
    scene's preview, "player" for the player's story (the export's segments; "segments" of them new)."""
    import collections

    from storykit.stitch import segments
    from storykit.studio import widgets

    seen = collections.Counter()
    preview, segmented = widgets.preview_data, segments.export_segmented

    def scene(frames, fps):
        seen["scene"] += 1
        return preview(frames, fps)

    def player(story, out, cache, **kwargs):
        stats = segmented(story, out, cache, **kwargs)
        if kwargs.get("name") == "the preview":
            seen["player"] += 1
            seen["segments"] += stats.encoded if stats is not None else 0
        return stats

    monkeypatch.setattr(widgets, "preview_data", scene)
    monkeypatch.setattr(segments, "export_segmented", player)
    return seen


# The slowest files first (seconds on 2 cores, `pytest --durations=0`): `-n 2 --dist loadfile
# --no-loadscope-reorder` hands out whole files in this order, so a long file picked up last would
# not run alone at the end (xdist's own reordering puts the files with the most tests first instead).
_SLOW_FIRST = ["test_notebooks.py", "test_storybench_ray.py", "test_browser.py", "test_widgets.py",
               "test_motion_lora.py", "test_reliability.py", "test_layout.py", "test_lightning.py", "test_continuity.py",
               "test_combinations.py", "test_storybench_batch.py", "test_reliability3.py", "test_story.py",
               "test_narration.py", "test_export.py", "test_llm.py"]


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(_SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order otherwise unchanged


_modules_when_frozen = [0]


def pytest_runtest_logfinish(nodeid, location):
    """After a test that imported libraries (50 or more modules since the last time: torch and diffusers,
    Ray, selenium, with millions of objects), one collection, then gc.freeze: the libraries' objects
    leave the generations Python's full collections walk. Without it each worker spent ~5 s in ~16
    full collections over them, with it ~2 s; a test's own garbage is still collected as usual."""
    if len(sys.modules) - _modules_when_frozen[0] >= 50:
        gc.collect()
        gc.freeze()
        _modules_when_frozen[0] = len(sys.modules)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Every test has run and reported: the interpreter's last garbage collection, over the millions of
    objects torch and diffusers leave, would take 1-2 s a worker and find nothing to keep (gc.freeze)."""
    gc.freeze()
