"""Every style preset loads without a pickle: pinned Hub sources, checked before download, and each
loaded here from tiny files laid out exactly like its source (diffusers folders or one single file)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from storykit.errors import InvalidInput, StorykitError
from storykit.generate import RenderConfig, render_story
from storykit.generate.lightning import LightningBackend, weights
from storykit.testing import build_tiny_single_file, example_script

COMMIT = re.compile(r"[0-9a-f]{40}")


def one_line(err: BaseException) -> str:
    assert isinstance(err, StorykitError)
    assert "\n" not in str(err), str(err)
    return str(err)


@pytest.fixture(scope="module")
def single_file(tiny_lightning, tmp_path_factory):
    return build_tiny_single_file(tiny_lightning.base_model, tmp_path_factory.mktemp("single") / "tiny.safetensors")


def test_every_preset_is_pinned_with_evidence_or_says_why_not():
    from storykit.plan.planner import STYLES

    for name, source in weights.BASE_SOURCES.items():
        assert source.evidence and source.repo == weights.BASE_MODELS[name]
        if source.revision is None:
            assert "unverified" in source.evidence, name  # the one honest exception, said so in the table
        else:
            assert COMMIT.fullmatch(source.revision), name
        if source.single_file:
            assert source.single_file.endswith(".safetensors") and COMMIT.fullmatch(source.config[1]), name
    assert {s.base for s in STYLES.values()} <= set(weights.BASE_SOURCES)
    # The bases that ship only pickles are gone from the table.
    assert not {"Lykon/DreamShaper", "Yntec/mistoonAnime2"} & set(weights.BASE_MODELS.values())


def test_a_single_file_checkpoint_reads_back_exactly_through_from_single_file(tiny_lightning, single_file):
    """The tiny file is in the original SD key layout: diffusers' own converter recovers every tensor."""
    import diffusers
    import torch
    from safetensors import safe_open

    with safe_open(str(single_file), framework="pt") as f:
        keys = set(f.keys())
    assert "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight" in keys
    assert "first_stage_model.encoder.mid.attn_1.q.weight" in keys
    assert "cond_stage_model.transformer.text_model.embeddings.position_embedding.weight" in keys
    loaded = diffusers.StableDiffusionPipeline.from_single_file(
        str(single_file), config=str(tiny_lightning.base_model), local_files_only=True, safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    for name in ("unet", "vae", "text_encoder"):
        model = getattr(diffusers.StableDiffusionPipeline.from_pretrained(
            str(tiny_lightning.base_model), safety_checker=None, feature_extractor=None, requires_safety_checker=False), name)
        ours, theirs = getattr(loaded, name).state_dict(), model.state_dict()
        assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours), name


def _snapshot(cache, repo: str, revision: str | None):
    """huggingface_hub's cache layout: models--org--name/snapshots/<commit>/ (refs/main for an unpinned id)."""
    folder = cache / ("models--" + repo.replace("/", "--"))
    commit = revision or "feedfacefeedfacefeedfacefeedfacefeedface"
    if revision is None:
        (folder / "refs").mkdir(parents=True, exist_ok=True)
        (folder / "refs" / "main").write_text(commit)
    snapshot = folder / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    return snapshot


def _lay_out_like_the_hub(cache, preset: str, tiny, single_file) -> None:
    source = weights.BASE_SOURCES[preset]
    base = tiny.base_model
    if source.single_file is None:  # diffusers folders: exactly what the allow-list fetches
        snapshot = _snapshot(cache, source.repo, source.revision)
        shutil.copytree(base, snapshot, dirs_exist_ok=True)
        return
    snapshot = _snapshot(cache, source.repo, source.revision)
    shutil.copy(single_file, snapshot / source.single_file)
    configs = _snapshot(cache, *source.config)
    for path in base.rglob("*"):
        rel = path.relative_to(base)
        if path.is_file() and not path.name.endswith(".safetensors"):  # configs and tokenizer, no weights
            (configs / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, configs / rel)
    if source.config[0] == source.repo:  # toonyou: its diffusers folders hold pickles, which must never be read
        (configs / "vae" / "diffusion_pytorch_model.bin").write_bytes(b"\x80\x04 a pickle storykit must not open")


@pytest.mark.parametrize("preset", sorted(weights.BASE_SOURCES))
def test_each_preset_loads_offline_from_files_laid_out_like_its_hub_source(preset, tiny_lightning, single_file, tmp_path,
                                                                           monkeypatch):
    import huggingface_hub.constants
    from safetensors.torch import load_file

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    _lay_out_like_the_hub(cache, preset, tiny_lightning, single_file)
    assert weights.local_weights_status(preset, tiny_lightning.checkpoint_dir)[0]
    backend = LightningBackend(base_model=preset, checkpoint=tiny_lightning.checkpoint_dir,
                               motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", progress=False)
    frames, meta = backend.generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=1)
    assert frames.shape == (2, 64, 64, 3) and meta["base_model"] == weights.BASE_MODELS[preset]
    # The UNet holds the base's own weights (here the tiny base's), whichever layout they came in.
    conv_in = load_file(str(tiny_lightning.base_model / "unet" / "diffusion_pytorch_model.safetensors"))["conv_in.weight"]
    assert np.array_equal(backend.pipe.unet.conv_in.weight.detach().numpy(), conv_in.numpy())
    source = weights.BASE_SOURCES[preset]
    script = example_script(1)
    fields = backend.cache_fields(script.scenes[0], script, RenderConfig(height=64, width=64))
    assert fields.get("base_revision") == source.revision  # a pinned commit is part of the key


class _Hub:
    """Stands in for the Hub's metadata API and downloads: records what storykit asked for."""

    def __init__(self, monkeypatch, files: list[str]):
        import huggingface_hub
        from huggingface_hub import HfApi

        from storykit.generate.lightning import bases

        self.asked, self.downloads = [], []
        hub = self

        def model_info(api, repo, revision=None, **kwargs):
            hub.asked.append((repo, revision))
            return type("Info", (), {"siblings": [type("S", (), {"rfilename": f})() for f in files]})()

        def download(*args, **kwargs):
            hub.downloads.append((args, kwargs))
            raise OSError("stop here: no real download in tests")

        monkeypatch.setattr(HfApi, "model_info", model_info)
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
        monkeypatch.setattr(huggingface_hub, "snapshot_download", download)
        monkeypatch.setattr(bases, "hub_reachable", lambda *a: (True, ""))


def test_a_base_without_safetensors_is_named_in_one_line_before_any_download(tiny_lightning, tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    # Lykon/DreamShaper's diffusers folders ("DreamShaper 7 diffusers upload"): pickles only.
    hub = _Hub(monkeypatch, ["model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.bin",
                             "vae/config.json", "vae/diffusion_pytorch_model.bin", "text_encoder/pytorch_model.bin",
                             "DreamShaper_8_pruned.safetensors"])
    backend = LightningBackend(base_model="Lykon/DreamShaper", checkpoint=tiny_lightning.checkpoint_dir,
                               motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu", progress=False)
    rendered = []
    backend.render_scene = lambda *a, **k: rendered.append(a)
    with pytest.raises(InvalidInput) as e:
        render_story(example_script(2, num_frames=2), backend, RenderConfig(height=64, width=64), cache_dir=False,
                     progress=False)
    message = one_line(e.value)
    assert "Lykon/DreamShaper" in message and "unet" in message and "unet/diffusion_pytorch_model.bin" in message
    assert rendered == [] and hub.downloads == [] and hub.asked == [("Lykon/DreamShaper", None)]


def test_presets_download_their_pinned_commit_and_only_safetensors(tiny_lightning, tmp_path, monkeypatch):
    import huggingface_hub.constants

    from storykit.generate.lightning.bases import CONFIG_PATTERNS, fetch_base

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    cartoon = weights.BASE_SOURCES["cartoon"]
    hub = _Hub(monkeypatch, ["model_index.json", cartoon.single_file, "vae/diffusion_pytorch_model.bin"])
    with pytest.raises(StorykitError):
        fetch_base(cartoon.repo)
    assert hub.asked == [(cartoon.repo, cartoon.revision)]
    ((args, kwargs),) = hub.downloads  # the single file first, at the pinned commit
    assert args == (cartoon.repo, cartoon.single_file) and kwargs == {"revision": cartoon.revision}
    three_d = weights.BASE_SOURCES["3d"]
    hub = _Hub(monkeypatch, ["model_index.json", *weights.COMPONENT_WEIGHTS.values(), "unet/diffusion_pytorch_model.bin"])
    with pytest.raises(StorykitError):
        fetch_base(three_d.repo)
    ((args, kwargs),) = hub.downloads
    assert args == (three_d.repo,) and kwargs["revision"] == three_d.revision
    assert all(p.endswith((".safetensors", ".json")) or p == "tokenizer/*" for p in kwargs["allow_patterns"])
    assert not any("safetensors" in p for p in CONFIG_PATTERNS)  # configs only from a single file's config repo
