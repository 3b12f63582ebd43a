"""The story reaches the model: camera moves as motion LoRAs, style picks the base, 16-frame windows,
honest loading (tiny random models of the real classes, real file layouts, offline)."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest

from storykit.errors import InvalidInput, MissingWeights, StorykitError
from storykit.generate import RenderConfig
from storykit.generate.lightning import LightningBackend, weights
from storykit.generate.lightning.motion_lora import CAMERA_LORAS, lora_for_camera
from storykit.plan import Scene
from storykit.plan.script import CAMERA_MOVES, Script
from storykit.testing import example_script

CONFIG = RenderConfig(height=64, width=64, num_inference_steps=2)


def one_line(err: BaseException) -> str:
    assert isinstance(err, StorykitError)
    msg = str(err)
    assert msg and "\n" not in msg, msg
    return msg


def scene(camera="static", **kw) -> Scene:
    return Scene(0, "introduce", "a small red fox in a bamboo forest", num_frames=4, seed=3, camera=camera, **kw)


def fresh_backend(tiny, **kw) -> LightningBackend:
    args = dict(base_model=tiny.base_model, checkpoint=tiny.checkpoint_dir, motion_adapter_config=tiny.motion_adapter_config,
                motion_loras=tiny.motion_lora_dir, device="cpu", progress=False)
    return LightningBackend(**{**args, **kw})


def diff(a, b) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


# -- camera → motion LoRA ------------------------------------------------------------------


def test_every_planned_camera_has_a_row():
    assert set(CAMERA_LORAS) == set(CAMERA_MOVES) and CAMERA_LORAS["static"] is None
    assert CAMERA_LORAS["zoom_in"] == "guoyww/animatediff-motion-lora-zoom-in"


def test_camera_changes_frames_and_cache_key(tiny_backend):
    script = example_script(1)
    static, zoom = scene("static"), scene("zoom_in")
    a = tiny_backend.render_scene(static, script, CONFIG)
    b = tiny_backend.render_scene(zoom, script, CONFIG)
    assert diff(a.frames, b.frames) > 1
    assert b.metadata["camera"] == "zoom_in" and b.metadata["motion_lora"].endswith("animatediff-motion-lora-zoom-in")
    assert a.metadata["motion_lora"] is None
    assert tiny_backend.cache_fields(static, script, CONFIG) != tiny_backend.cache_fields(zoom, script, CONFIG)


def test_lora_weight_changes_frames_and_cache_key(tiny_backend):
    script = example_script(1)
    a = tiny_backend.render_scene(scene("pan_left"), script, CONFIG)
    b = tiny_backend.render_scene(scene("pan_left", camera_weight=0.3), script, CONFIG)
    assert diff(a.frames, b.frames) > 0.5
    assert a.metadata["camera_weight"] == 0.7 and b.metadata["camera_weight"] == 0.3
    keys = [tiny_backend.cache_fields(scene("pan_left", camera_weight=w), script, CONFIG) for w in (0.7, 0.3)]
    assert keys[0] != keys[1]
    # A static scene's weight changes nothing, so it is not in the key.
    assert tiny_backend.cache_fields(scene(camera_weight=0.3), script, CONFIG) == tiny_backend.cache_fields(scene(), script, CONFIG)


def test_static_loads_no_lora_and_static_after_a_move_is_plain(tiny_lightning):
    backend = fresh_backend(tiny_lightning)
    script = example_script(1)
    plain = backend.render_scene(scene(), script, CONFIG)
    assert backend.loras.loaded == {} and not getattr(backend.pipe.unet, "peft_config", {})
    backend.render_scene(scene("tilt_up"), script, CONFIG)
    again = backend.render_scene(scene(), script, CONFIG)
    assert np.abs(plain.frames.astype(int) - again.frames.astype(int)).max() <= 1  # LoRA layers disabled


def test_each_adapter_loads_once_then_switches(tiny_lightning, monkeypatch):
    backend = fresh_backend(tiny_lightning)
    script = example_script(1)
    backend.load(2)
    calls = []
    real = backend.pipe.load_lora_weights
    monkeypatch.setattr(backend.pipe, "load_lora_weights", lambda *a, **k: (calls.append(k["adapter_name"]), real(*a, **k)))
    first = backend.render_scene(scene("zoom_in"), script, CONFIG)
    backend.render_scene(scene("zoom_out"), script, CONFIG)
    again = backend.render_scene(scene("zoom_in"), script, CONFIG)
    assert calls == ["zoom_in", "zoom_out"]
    assert backend.pipe.get_list_adapters()["unet"] == ["zoom_in", "zoom_out"]
    assert backend.pipe.get_active_adapters() == ["zoom_in"]
    assert np.abs(first.frames.astype(int) - again.frames.astype(int)).max() <= 1


def test_unknown_camera_is_one_line_listing_the_moves(tiny_backend):
    with pytest.raises(InvalidInput) as e:
        tiny_backend.generate("a fox", camera="orbit", num_frames=2, height=64, width=64, num_inference_steps=1)
    msg = one_line(e.value)
    assert all(move in msg for move in CAMERA_MOVES)
    with pytest.raises(InvalidInput) as e:
        Scene(0, "introduce", "a fox", camera_weight=5)
    one_line(e.value)


def test_camera_weight_round_trips_in_json_and_old_scripts_default_it():
    script = example_script(2)
    script.edit(1, camera="zoom_in", camera_weight=0.8)
    back = Script.from_json(script.to_json())
    assert back == script and back.scenes[1].camera_weight == 0.8
    data = script.to_dict()
    for s in data["scenes"]:
        del s["camera_weight"]  # a script saved before the field existed
    assert Script.from_dict(data).scenes[1].camera_weight == 0.7


def test_motion_lora_sources_local_and_safetensors_only(tiny_lightning, tmp_path):
    assert lora_for_camera("static") is None
    assert lora_for_camera("pan_left") == "guoyww/animatediff-motion-lora-pan-left"
    assert lora_for_camera("pan_left", {"pan_left": "/x/y"}) == "/x/y"
    backend = fresh_backend(tiny_lightning, motion_loras={"zoom_in": tmp_path / "v2_lora_ZoomIn.ckpt"})
    (tmp_path / "v2_lora_ZoomIn.ckpt").write_bytes(b"not really a pickle")
    with pytest.raises(InvalidInput) as e:
        backend.generate("a fox", camera="zoom_in", num_frames=2, height=64, width=64, num_inference_steps=1)
    assert "safetensors" in one_line(e.value)
    # A LoRA that is not a motion LoRA (a spatial one, say) is refused by its keys.
    from safetensors.torch import save_file
    import torch

    spatial = tmp_path / "spatial.safetensors"
    save_file({"unet.down_blocks.0.attentions.0.proj_in.lora.down.weight": torch.zeros(2, 8)}, str(spatial))
    backend = fresh_backend(tiny_lightning, motion_loras={"zoom_in": spatial})
    with pytest.raises(InvalidInput) as e:
        backend.generate("a fox", camera="zoom_in", num_frames=2, height=64, width=64, num_inference_steps=1)
    assert "motion LoRA" in one_line(e.value)


# -- style picks the base model --------------------------------------------------------------


def test_style_picks_the_base_model_unless_one_is_named(tiny_lightning, monkeypatch):
    anime = dataclasses.replace(example_script(1), style="anime")
    cinematic = example_script(1)
    by_style = LightningBackend(checkpoint=tiny_lightning.checkpoint_dir, device="cpu")
    assert by_style.base_model_for(anime) == weights.BASE_MODELS["anime"] == "nicoleng/mistoon_anime"
    assert by_style.base_model_for(cinematic) == weights.DEFAULT_BASE_MODEL
    assert by_style.base_model_for(dataclasses.replace(cinematic, style="claymation")) == weights.BASE_MODELS["3d"]
    named = LightningBackend(base_model="cartoon", checkpoint=tiny_lightning.checkpoint_dir, device="cpu")
    assert named.base_model_for(anime) == weights.BASE_MODELS["cartoon"]
    fields = [by_style.cache_fields(s.scenes[0], s, CONFIG)["base_model"] for s in (anime, cinematic)]
    assert fields[0] != fields[1]
    # And the render really loads the style's base: point the anime preset at the tiny base.
    monkeypatch.setitem(weights.BASE_MODELS, "anime", str(tiny_lightning.base_model))
    backend = fresh_backend(tiny_lightning, base_model=None)
    clip = backend.render_scene(anime.scenes[0], anime, CONFIG)
    assert clip.metadata["base_model"] == str(tiny_lightning.base_model)
    assert backend.describe()["base_model_from"] == "style"


# -- 16-frame windows ------------------------------------------------------------------------


def test_scenes_past_16_frames_run_in_16_frame_windows(tiny_backend):
    from diffusers.models.attention import FreeNoiseTransformerBlock

    frames, meta = tiny_backend.generate("a fox", num_frames=20, height=64, width=64, num_inference_steps=1)
    assert frames.shape[0] == 20 and meta["free_noise"] is True and meta["context_frames"] == 16
    blocks = [m for m in tiny_backend.pipe.unet.modules() if isinstance(m, FreeNoiseTransformerBlock)]
    assert blocks and all(b.context_length == 16 and b.context_stride == 4 for b in blocks)
    # Split inference wraps the UNet's layers (memory of one 16-frame window).
    assert any(type(m).__name__ == "SplitInferenceModule" for m in tiny_backend.pipe.unet.modules())
    _, meta = tiny_backend.generate("a fox", num_frames=16, height=64, width=64, num_inference_steps=1)
    assert meta["free_noise"] is False and meta["context_frames"] is None


def test_windows_of_a_scene_its_own_length_match_plain_animatediff(tiny_lightning):
    """Up to 16 frames, one FreeNoise window is full attention: the frames of the unwrapped pipeline."""
    import diffusers

    from storykit.generate.device import make_generator

    backend = fresh_backend(tiny_lightning)
    ours, _ = backend.generate("a fox", num_frames=8, height=64, width=64, num_inference_steps=2, seed=2)
    adapter = diffusers.MotionAdapter(**tiny_lightning.motion_adapter_config)
    from safetensors.torch import load_file

    adapter.load_state_dict(load_file(tiny_lightning.checkpoints[2]))
    plain = diffusers.AnimateDiffPipeline.from_pretrained(str(tiny_lightning.base_model), motion_adapter=adapter)
    plain.scheduler = diffusers.EulerDiscreteScheduler.from_config(plain.scheduler.config, timestep_spacing="trailing", beta_schedule="linear")
    plain.set_progress_bar_config(disable=True)
    out = plain("a fox", num_frames=8, height=64, width=64, num_inference_steps=2, guidance_scale=1.0,
                generator=make_generator(2), output_type="np").frames[0]
    ref = (np.clip(out, 0, 1) * 255).round().astype(np.uint8)
    assert np.abs(ours.astype(int) - ref.astype(int)).max() <= 1


# -- loading ---------------------------------------------------------------------------------------


def test_no_second_copy_of_the_motion_module(tiny_backend):
    tiny_backend.generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=1)
    pipe = tiny_backend.pipe
    unet = {p.data_ptr() for p in pipe.unet.parameters()}
    adapter = {p.data_ptr() for p in pipe.motion_adapter.parameters()}
    assert adapter and adapter <= unet


def test_step_swap_keeps_the_pipeline_and_works_with_loras_loaded(tiny_lightning):
    from safetensors.torch import load_file

    backend = fresh_backend(tiny_lightning)
    backend.generate("a fox", camera="zoom_in", num_frames=2, height=64, width=64, num_inference_steps=2)
    pipe = backend.pipe
    _, meta = backend.generate("a fox", camera="zoom_in", num_frames=2, height=64, width=64, num_inference_steps=8)
    assert backend.pipe is pipe and meta["checkpoint"] == "animatediff_lightning_8step_diffusers.safetensors"
    from storykit.generate.lightning.motion_lora import real_names

    own = real_names(pipe.unet, params=True)
    key = "down_blocks.0.motion_modules.0.transformer_blocks.0.attn1.to_q.weight"
    assert own[key].endswith("base_layer.weight")  # peft-wrapped, and still swapped
    loaded = pipe.unet.state_dict()[own[key]]
    assert np.allclose(loaded.numpy(), load_file(tiny_lightning.checkpoints[8])[key].numpy())


def test_a_pickle_anywhere_in_the_base_folder_is_refused(tiny_lightning, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tiny_lightning.base_model, base)
    (base / "safety_checker").mkdir()
    (base / "safety_checker" / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    backend = fresh_backend(tiny_lightning, base_model=base)
    with pytest.raises(InvalidInput) as e:
        backend.generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=1)
    msg = one_line(e.value)
    assert "pickle" in msg and "safety_checker/pytorch_model.bin" in msg
    (base / "safety_checker" / "pytorch_model.bin").unlink()
    (base / "unet" / "diffusion_pytorch_model.ckpt").write_bytes(b"x")
    with pytest.raises(InvalidInput):
        fresh_backend(tiny_lightning, base_model=base).generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=1)


def test_a_broken_base_keeps_the_real_reason(tiny_lightning, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tiny_lightning.base_model, base)
    (base / "unet" / "diffusion_pytorch_model.safetensors").unlink()
    with pytest.raises(InvalidInput) as e:
        fresh_backend(tiny_lightning, base_model=base).generate("a fox", num_frames=2, height=64, width=64, num_inference_steps=1)
    msg = one_line(e.value)
    assert "could not load base model" in msg and "hf download" not in msg


def test_hub_downloads_skip_safety_checker_and_pickles():
    patterns = weights.BASE_ALLOW_PATTERNS
    assert not any("safety_checker" in p or p.endswith((".bin", ".ckpt", "*")) and "/" not in p for p in patterns)
    assert "unet/diffusion_pytorch_model.safetensors" in patterns and "model_index.json" in patterns


# -- fast, honest failure without weights -------------------------------------------------------


@pytest.fixture
def unreachable_hub(tmp_path, monkeypatch):
    import socket

    import huggingface_hub.constants

    attempts = []

    def refuse(*a, **k):
        attempts.append(a[:1])
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    weights._probe.clear()
    yield attempts
    weights._probe.clear()


def test_unreachable_hub_fails_at_once_naming_both_downloads(unreachable_hub):
    backend = LightningBackend(device="cpu")
    with pytest.raises(MissingWeights) as e:
        backend.generate("a fox", num_frames=2, height=64, width=64)
    msg = one_line(e.value)
    assert "hf download ByteDance/AnimateDiff-Lightning animatediff_lightning_4step_diffusers.safetensors" in msg
    assert "hf download emilianJR/epiCRealism" in msg and "safety_checker" in msg
    assert "checkpoint=" in msg and "backend='animatic'" in msg and "--" not in msg.split("then", 1)[1].split("`")[-1]
    cli = e.value.cli
    assert "--checkpoint lightning --base-model epicrealism" in cli and "--backend animatic" in cli and "checkpoint=" not in cli
    assert len(unreachable_hub) == 1  # one short probe, no retries


def test_cli_words_the_missing_weights_for_the_cli(unreachable_hub, tmp_path, capsys):
    from storykit.cli import main

    rc = main(["render", "--setting", "a forest", "--character", "a fox", "--action", "runs", "--backend", "lightning",
               "-o", str(tmp_path / "s.mp4")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert "--checkpoint" in err and "--base-model" in err and "--backend animatic" in err and "checkpoint=" not in err


def test_studio_step_change_swaps_weights_not_the_pipeline(tiny_lightning, tmp_path):
    pytest.importorskip("ipywidgets")
    from storykit.studio.widgets import Studio

    studio = Studio(backend="lightning", cache_dir=False, output_dir=tmp_path, height=64, width=64,
                    base_model=tiny_lightning.base_model, checkpoint=tiny_lightning.checkpoint_dir,
                    motion_adapter_config=tiny_lightning.motion_adapter_config, device="cpu")
    engine, config = studio._engine()
    studio.steps.value = 8
    again, config8 = studio._engine()
    assert again is engine and config8.num_inference_steps == 8


def test_converted_and_peft_style_keys_give_the_same_lora(tiny_lightning, tmp_path):
    """The hub files use the converted ".processor.to_q_lora.down" names; peft-style names load the same."""
    from safetensors.torch import load_file, save_file

    src = tiny_lightning.motion_lora_dir / "animatediff-motion-lora-zoom-in" / "diffusion_pytorch_model.safetensors"
    state = load_file(str(src))
    assert all(".processor.to_" in k and k.startswith("unet.") for k in state)

    def peft_key(k):
        k = k.replace(".processor.", ".").replace("to_out_lora", "to_out.0_lora")
        return k.replace("_lora.down.", ".lora_A.").replace("_lora.up.", ".lora_B.")

    peft = tmp_path / "peft.safetensors"
    save_file({peft_key(k): v for k, v in state.items()}, str(peft))
    kw = dict(camera="zoom_in", num_frames=4, height=64, width=64, num_inference_steps=2, seed=5)
    a, _ = fresh_backend(tiny_lightning).generate("a fox", **kw)
    b, _ = fresh_backend(tiny_lightning, motion_loras={"zoom_in": peft}).generate("a fox", **kw)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_a_missing_camera_lora_fails_before_any_scene_renders(tiny_lightning, tmp_path):
    from storykit.generate import render_story

    # Only zoom_in is on the machine: a script that also pans is refused before scene 0 renders.
    only = {"zoom_in": str(tiny_lightning.motion_lora_dir / CAMERA_LORAS["zoom_in"].split("/")[1])}
    backend = fresh_backend(tiny_lightning, motion_loras={**only, "pan_left": str(tmp_path / "nowhere")})
    script = example_script(3, num_frames=2)
    script.edit(0, camera="zoom_in")
    script.edit(2, camera="pan_left")
    rendered = []
    real = backend.render_scene
    backend.render_scene = lambda *a, **k: rendered.append(a[0].index) or real(*a, **k)
    with pytest.raises(MissingWeights) as e:
        render_story(script, backend, RenderConfig(height=64, width=64, num_inference_steps=2), cache_dir=False,
                     progress=False)
    assert "nowhere" in one_line(e.value) and rendered == []


# -- an original AnimateDiff LoRA, converted as diffusers does, lands layer by layer -------------

_ORIGINAL_KEY = __import__("re").compile(
    r"(?P<block>(?:down|up)_blocks\.\d+|mid_block)\.motion_modules\.(?P<m>\d+)\.temporal_transformer"
    r"\.transformer_blocks\.(?P<t>\d+)\.attention_blocks\.(?P<a>[01])\.processor\.(?P<proj>to_q|to_k|to_v|to_out)_lora"
    r"\.(?P<half>down|up)\.weight"
)


def _peft_weight(unet, original_key: str, adapter: str):
    """The peft tensor that must hold `original_key`'s weights, found by walking the UNet's modules
    (attention_blocks.0 is AnimateDiff's first temporal attention, attn1; .1 is attn2; down is lora_A)."""
    m = _ORIGINAL_KEY.fullmatch(original_key)
    assert m, original_key
    if m["block"] == "mid_block":
        block = unet.mid_block
    else:
        kind, index = m["block"].split(".")
        block = getattr(unet, kind)[int(index)]
    transformer = block.motion_modules[int(m["m"])].transformer_blocks[int(m["t"])]
    attention = transformer.attn1 if m["a"] == "0" else transformer.attn2
    layer = attention.to_out[0] if m["proj"] == "to_out" else getattr(attention, m["proj"])
    return (layer.lora_A if m["half"] == "down" else layer.lora_B)[adapter].weight


def _lora_from(original: dict, folder, *, swap_attentions=False):
    from safetensors.torch import save_file

    from storykit.testing import convert_motion_lora

    converted = convert_motion_lora(original)
    if swap_attentions:  # a converter that sends every attn1 LoRA to attn2 and back
        converted = {k.replace(".attn1.", ".attnX.").replace(".attn2.", ".attn1.").replace(".attnX.", ".attn2."): v
                     for k, v in converted.items()}
    folder.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in converted.items()}, str(folder / "diffusion_pytorch_model.safetensors"))
    return folder


def _loaded_unet(tiny, folder):
    backend = fresh_backend(tiny, motion_loras={"zoom_in": folder})
    backend.generate("a fox", camera="zoom_in", num_frames=2, height=64, width=64, num_inference_steps=1)
    return backend.pipe.unet


def test_an_original_animatediff_lora_lands_in_exactly_its_own_layers(tiny_lightning, tmp_path):
    import torch

    from storykit.testing import original_motion_lora_state

    original = original_motion_lora_state(seed=11)
    assert "down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.processor.to_q_lora.down.weight" in original
    unet = _loaded_unet(tiny_lightning, _lora_from(original, tmp_path / "zoom"))
    for key, tensor in original.items():
        assert torch.equal(_peft_weight(unet, key, "zoom_in"), tensor), key
    # ... and nothing else got a LoRA: two tensors in the file per peft layer in the UNet.
    layers = [n for n, _ in unet.named_modules() if n.endswith("lora_A.zoom_in")]
    assert 2 * len(layers) == len(original) and all(".motion_modules." in n for n in layers)


def test_a_swapped_mapping_fails_the_layer_check(tiny_lightning, tmp_path):
    """The check above can fail: attn1 <-> attn2 swapped in conversion puts tensors in the wrong layers."""
    import torch

    from storykit.testing import original_motion_lora_state

    original = original_motion_lora_state(seed=11)
    unet = _loaded_unet(tiny_lightning, _lora_from(original, tmp_path / "swapped", swap_attentions=True))
    wrong = [k for k, v in original.items() if not torch.equal(_peft_weight(unet, k, "zoom_in"), v)]
    assert len(wrong) == len(original)


def test_the_loader_makes_the_documented_diffusers_call(tiny_lightning, monkeypatch):
    """pipe.load_lora_weights(folder, weight_name="diffusion_pytorch_model.safetensors", adapter_name=camera)."""
    backend = fresh_backend(tiny_lightning)
    backend.load(2)
    calls = []
    real = backend.pipe.load_lora_weights
    monkeypatch.setattr(backend.pipe, "load_lora_weights", lambda *a, **k: (calls.append((a, k)), real(*a, **k))[1])
    backend.generate("a fox", camera="tilt_up", num_frames=2, height=64, width=64, num_inference_steps=2)
    ((args, kwargs),) = calls
    assert args == (str(tiny_lightning.motion_lora_dir / "animatediff-motion-lora-tilt-up"),)
    assert kwargs == {"weight_name": "diffusion_pytorch_model.safetensors", "adapter_name": "tilt_up"}


def test_a_garbage_or_misfitting_motion_lora_fails_before_any_scene_renders(tiny_lightning, tmp_path):
    import torch
    from safetensors.torch import save_file

    from storykit.generate import render_story

    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "diffusion_pytorch_model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    wide = tmp_path / "wide"  # the right names, but rank x 16 where the motion module is 8 wide
    wide.mkdir()
    key = "unet.down_blocks.0.motion_modules.0.transformer_blocks.0.attn1.processor.to_q_lora.down.weight"
    save_file({key: torch.zeros(2, 16)}, str(wide / "diffusion_pytorch_model.safetensors"))
    nowhere = tmp_path / "no-such-layer"
    nowhere.mkdir()
    save_file({key.replace("motion_modules.0", "motion_modules.7"): torch.zeros(2, 8)}, str(nowhere / "diffusion_pytorch_model.safetensors"))
    for folder, fragment in ((garbage, "not a readable safetensors"), (wide, "(2, 16)"), (nowhere, "motion_modules.7")):
        backend = fresh_backend(tiny_lightning, motion_loras={"pan_left": folder})
        script = example_script(3, num_frames=2)
        script.edit(2, camera="pan_left")
        rendered = []
        real = backend.render_scene
        backend.render_scene = lambda *a, **k: rendered.append(a[0].index) or real(*a, **k)
        with pytest.raises(InvalidInput) as e:
            render_story(script, backend, RenderConfig(height=64, width=64, num_inference_steps=2), cache_dir=False, progress=False)
        assert fragment in one_line(e.value) and rendered == [], (folder.name, str(e.value))
