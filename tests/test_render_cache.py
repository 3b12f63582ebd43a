"""render_story / render_scene and the clip cache: only edited or missing scenes render."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pytest

from storykit.generate import cache as cache_mod
from storykit.generate import RenderConfig
from storykit.generate.cache import ClipCache, file_sha256
from storykit.errors import InvalidInput
from storykit.generate import render_scene, render_story
from storykit.testing import FakeBackend, example_script

CFG = RenderConfig(height=64, width=64)


def test_rerender_after_editing_one_scene_renders_only_that_scene(tmp_path):
    script, backend = example_script(5), FakeBackend()
    first = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 2, 3, 4]
    assert [c.scene_index for c in first] == [0, 1, 2, 3, 4]
    assert not any(c.metadata["cached"] for c in first)

    again = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 2, 3, 4]  # nothing rendered
    assert all(c.metadata["cached"] for c in again)
    for a, b in zip(first, again):
        assert np.array_equal(a.frames, b.frames) and a.fps == b.fps

    script.edit(2, prompt="the fox finds the lantern under a stone bridge")
    edited = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1, 2, 3, 4, 2]
    assert [c.metadata["cached"] for c in edited] == [True, True, False, True, True]
    assert not np.array_equal(edited[2].frames, first[2].frames)


def test_playback_fields_do_not_invalidate_but_are_honoured(tmp_path):
    script, backend = example_script(2), FakeBackend()
    render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    script.edit(1, transition="fade_black", text="New caption.", beat="climax", fps=12)
    clips = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [0, 1]
    assert clips[1].metadata["cached"] and clips[1].fps == 12  # fps is playback, not pixels


def test_cache_disabled_always_renders(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYKIT_CACHE", str(tmp_path / "default"))
    script, backend = example_script(2), FakeBackend()
    render_story(script, backend, CFG, cache_dir=False, progress=False)
    render_story(script, backend, CFG, cache_dir=False, progress=False)
    assert backend.calls == [0, 1, 0, 1]
    assert not (tmp_path / "default").exists()
    render_scene(1, script, backend, CFG)  # default cache: $STORYKIT_CACHE
    assert len(list((tmp_path / "default").glob("*.npz"))) == 1


def test_scene_subset_in_scene_order(tmp_path):
    script, backend = example_script(5), FakeBackend()
    clips = render_story(script, backend, CFG, cache_dir=tmp_path, scenes=[3, 1, 3], progress=False)
    assert [c.scene_index for c in clips] == [1, 3] and backend.calls == [1, 3]
    with pytest.raises(InvalidInput):
        render_story(script, backend, CFG, cache_dir=tmp_path, scenes=[9], progress=False)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "bad_checksum"])
def test_damaged_entry_is_reported_and_rendered_again(tmp_path, capsys, damage):
    script, backend = example_script(3), FakeBackend()
    cache = ClipCache(tmp_path)
    first = render_story(script, backend, CFG, cache_dir=cache, progress=False)
    path = cache.path(first[1].metadata["cache_key"])
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a clip")
    elif damage == "flip":
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1 :])
    else:  # a well-formed entry whose frames no longer match their checksum
        with np.load(path) as z:
            arrays = dict(z)
        arrays["frames"] = arrays["frames"] ^ 1
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    capsys.readouterr()
    clips = render_story(script, backend, CFG, cache_dir=cache, progress=False)
    assert backend.calls == [0, 1, 2, 1]
    assert np.array_equal(clips[1].frames, first[1].frames)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "damaged" in err[0] and path.name in err[0]
    assert cache.get(first[1].metadata["cache_key"]) is not None  # repaired


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_render_resumes_without_losing_finished_scenes(tmp_path, error):
    script = example_script(5)
    with pytest.raises(error):
        render_story(script, FakeBackend(fail_at=3, error=error), CFG, cache_dir=tmp_path, progress=False)
    assert len(ClipCache(tmp_path)) == 3
    assert not list(tmp_path.glob("*.tmp"))
    backend = FakeBackend()
    clips = render_story(script, backend, CFG, cache_dir=tmp_path, progress=False)
    assert backend.calls == [3, 4]
    assert [c.metadata["cached"] for c in clips] == [True, True, True, False, False]


def test_cache_round_trip_keeps_metadata_json(tmp_path):
    script, backend = example_script(1), FakeBackend()
    clip = render_scene(0, script, backend, CFG, cache_dir=tmp_path)
    hit = render_scene(0, script, backend, CFG, cache_dir=tmp_path)
    assert hit.metadata["cached"] is True and clip.metadata["cached"] is False
    assert {k: v for k, v in hit.metadata.items() if k != "cached"} == {k: v for k, v in clip.metadata.items() if k != "cached"}
    json.dumps(hit.metadata)


def test_key_is_canonical_and_versioned(monkeypatch):
    a = ClipCache.key({"prompt": "a fox", "seed": 1, "size": [64, 64]})
    assert a == ClipCache.key({"size": [64, 64], "seed": 1, "prompt": "a fox"})
    assert a != ClipCache.key({"prompt": "a fox", "seed": 2, "size": [64, 64]})
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    assert a != ClipCache.key({"prompt": "a fox", "seed": 1, "size": [64, 64]})


# -- through the tiny AnimateDiff-Lightning model ----------------------------------------


def _key(backend, scene, script, config):
    return ClipCache.key(backend.cache_fields(scene, script, config))


def test_lightning_key_changes_with_every_pixel_field(tiny_backend, tiny_lightning, tmp_path):
    from safetensors.torch import load_file, save_file

    from storykit.generate.lightning import LightningBackend

    script = example_script(1)
    scene = script.scenes[0]
    base = _key(tiny_backend, scene, script, CFG)
    changed = {
        "prompt": _key(tiny_backend, dataclasses.replace(scene, prompt="a different scene"), script, CFG),
        "seed": _key(tiny_backend, dataclasses.replace(scene, seed=99), script, CFG),
        "num_frames": _key(tiny_backend, dataclasses.replace(scene, num_frames=12), script, CFG),
        "height": _key(tiny_backend, scene, script, dataclasses.replace(CFG, height=128)),
        "width": _key(tiny_backend, scene, script, dataclasses.replace(CFG, width=128)),
        "steps": _key(tiny_backend, scene, script, dataclasses.replace(CFG, num_inference_steps=8)),
        "guidance": _key(tiny_backend, scene, script, dataclasses.replace(CFG, guidance_scale=2.0)),
    }
    # Another base model, and a checkpoint with the same name but other weights.
    other = tmp_path / "other-ckpts"
    other.mkdir()
    for steps, path in tiny_lightning.checkpoints.items():
        state = {k: v + 1 for k, v in load_file(path).items()}
        save_file(state, str(other / path.name))
    kw = dict(motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu")
    changed["checkpoint"] = _key(LightningBackend(base_model=tiny_lightning.base_model, checkpoint=other, **kw), scene, script, CFG)
    base_copy = tmp_path / "base-copy"
    import shutil

    shutil.copytree(tiny_lightning.base_model, base_copy)
    changed["base_model"] = _key(LightningBackend(base_model=base_copy, checkpoint=tiny_lightning.checkpoint_dir, **kw), scene, script, CFG)
    changed["dtype"] = _key(LightningBackend(base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir, dtype="bf16", **kw), scene, script, CFG)
    assert all(k != base for k in changed.values()), [n for n, k in changed.items() if k == base]
    assert len(set(changed.values())) == len(changed)
    # 2 and 3 steps run the same 2-step checkpoint (the card's tip): only the step count tells them apart.
    two, three = (_key(tiny_backend, scene, script, dataclasses.replace(CFG, num_inference_steps=n)) for n in (2, 3))
    assert two != three

    same = [
        dataclasses.replace(scene, transition="fade_white"),
        dataclasses.replace(scene, text="Another caption."),
        dataclasses.replace(scene, beat="climax"),
        dataclasses.replace(scene, fps=12),
        dataclasses.replace(scene, negative_prompt="blurry"),  # unused at guidance 1.0
    ]
    assert all(_key(tiny_backend, s, script, CFG) == base for s in same)


def test_render_story_through_tiny_lightning(tiny_backend, tmp_path, monkeypatch):
    calls = []
    real = tiny_backend.generate

    def counting(*a, **k):
        calls.append(k.get("seed"))
        return real(*a, **k)

    monkeypatch.setattr(tiny_backend, "generate", counting)
    script = example_script(3, num_frames=4)
    config = RenderConfig(height=64, width=64, num_inference_steps=2)
    first = render_story(script, tiny_backend, config, cache_dir=tmp_path, progress=False)
    assert len(calls) == 3
    assert [c.frames.shape for c in first] == [(4, 64, 64, 3)] * 3
    assert first[0].metadata["backend"] == "lightning" and first[0].metadata["num_inference_steps"] == 2
    script.edit(1, seed=1234)
    again = render_story(script, tiny_backend, config, cache_dir=tmp_path, progress=False)
    assert calls == [0, 1, 2, 1234]
    assert np.array_equal(again[0].frames, first[0].frames) and again[0].metadata["cached"]
    assert not np.array_equal(again[1].frames, first[1].frames)


def test_file_sha256_is_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYKIT_HOME", str(tmp_path / "home"))
    f = tmp_path / "weights.bin"
    f.write_bytes(b"x" * 1000)
    want = hashlib.sha256(b"x" * 1000).hexdigest()
    assert file_sha256(f) == want
    store = json.loads((tmp_path / "home" / "file_hashes.json").read_text())
    assert list(store.values()) == [want]
    # A new process (empty memory) trusts the stored hash for an unchanged file...
    monkeypatch.setattr(cache_mod, "_HASHES", {})
    (tmp_path / "home" / "file_hashes.json").write_text(json.dumps({k: "f" * 64 for k in store}))
    assert file_sha256(f) == "f" * 64
    # ...and hashes again when the file changes.
    f.write_bytes(b"y" * 1001)
    assert file_sha256(f) == hashlib.sha256(b"y" * 1001).hexdigest()


def test_module_doctests():
    import doctest

    from storykit.generate import cache
    from storykit.generate import device

    for module in (cache, device):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_rendering_keeps_frame_buffers_for_the_next_frame(tmp_path):
    """render_story tunes malloc and Pillow to reuse frame-sized buffers (0.5 s of page faults a story)."""
    import sys

    from PIL import Image

    from storykit.generate.frame_buffers import keep_frame_buffers

    render_story(example_script(1), FakeBackend(), CFG, cache_dir=tmp_path, progress=False)
    assert keep_frame_buffers.cache_info().currsize == 1  # called by the render, once per process
    assert Image.core.get_blocks_max() >= 16
    assert keep_frame_buffers() is sys.platform.startswith("linux")
    core = getattr(np, "_core", None) or np.core
    assert core.multiarray._set_madvise_hugepage(False) is False  # it was already off: no huge-page compaction
