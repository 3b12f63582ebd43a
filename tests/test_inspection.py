"""Tests for storykit.inspection: metrics on clips whose answers are known, pictures, headless display."""

from __future__ import annotations

import doctest
import io
import math
import types

import numpy as np
import pytest

from storykit import inspection as ins
from storykit.inspection import metrics, sheets
from storykit.generate import RenderConfig
from storykit.generate import Clip
from storykit.errors import InvalidInput, MissingWeights
from storykit.plan import Scene, Script, Triple

T, H, W = 8, 48, 64


# -- synthetic clips ---------------------------------------------------------------------------


def still(value=(90, 120, 150), t=T, h=H, w=W) -> np.ndarray:
    return np.broadcast_to(np.array(value, np.uint8), (t, h, w, 3)).copy()


def ramp(step=5, start=40, t=T) -> np.ndarray:
    """Every frame `step` grey levels brighter than the one before."""
    return np.stack([np.full((H, W, 3), start + step * i, np.uint8) for i in range(t)])


def textured(seed=0, t=T, dx=0) -> np.ndarray:
    """A smooth random landscape (features ~16 px across) panning `dx` px per frame."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    coarse = rng.integers(40, 216, (H // 16 + 1, 2 * W // 16 + 1, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(coarse).resize((2 * W, H), Image.BICUBIC))
    return np.stack([base[:, i * dx : i * dx + W] for i in range(t)])


def clip(frames, index=0, fps=8) -> Clip:
    return Clip(frames, fps=fps, scene_index=index, metadata={"backend": "test"})


def script(n=3) -> Script:
    t = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
    beats = ["establish", "rising", "climax", "resolution"]
    scenes = [
        Scene(index=i, beat=beats[i % 4], prompt=f"prompt {i}", text=f"the fox does thing number {i} in the misty forest", num_frames=T)
        for i in range(n)
    ]
    return Script(triple=t, scenes=scenes, title="The lantern")


def story(frames: np.ndarray, spans, fps=8):
    """Duck-typed like storykit.Story: frames, fps, spans."""
    return types.SimpleNamespace(frames=frames, fps=fps, spans=spans)


# -- metrics -----------------------------------------------------------------------------------


def test_static_clip_has_no_flicker_motion_or_drift():
    c = clip(still())
    assert ins.flicker(c).shape == (T - 1,)
    assert ins.flicker(c).max() == 0
    assert ins.motion_energy(c).max() == 0
    assert ins.drift(c) == 0
    d = ins.diagnose(c)
    assert (d.rows[0].flicker, d.rows[0].motion, d.rows[0].drift, d.rows[0].flags) == (0, 0, 0, [])


def test_brightness_ramp_has_known_drift_and_flicker():
    f = ramp(step=5, start=40)
    np.testing.assert_allclose(ins.color_drift(f), np.repeat(5.0 * np.arange(T)[:, None], 3, axis=1))
    assert ins.drift(f) == 5 * (T - 1)
    np.testing.assert_allclose(ins.flicker(f), 5.0)
    np.testing.assert_allclose(ins.motion_energy(f), 5.0, atol=0.5)  # uniform change survives the blur


def test_noise_flickers_but_does_not_move_while_a_pan_moves():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (T, 128, 128, 3), dtype=np.uint8)
    fl, mo = ins.flicker(noise).mean(), ins.motion_energy(noise).mean()
    assert fl > 70  # uniform noise: E|a - b| = 255/3 ≈ 85
    assert mo < fl / 5
    pan = textured(dx=4)
    assert ins.motion_energy(pan).mean() > 5
    assert ins.motion_energy(pan).mean() > ins.motion_energy(still()).mean()


def test_hard_cut_has_a_large_seam_and_a_crossfade_lowers_it():
    a, b = still((230, 40, 40)), still((20, 60, 220))
    cut = ins.seam_jump(a, b)
    assert cut == pytest.approx((210 + 20 + 180) / 3)
    np.testing.assert_allclose(ins.seams([clip(a), clip(b, 1)]), [cut])

    hard = story(np.concatenate([a, b]), [(0, T), (T, 2 * T)])
    k = 4  # crossfade frames inserted between the scenes, built like a stitcher would
    w = (np.arange(1, k + 1) / (k + 1))[:, None, None, None]
    blend = np.round(a[-1:] * (1 - w) + b[:1] * w).astype(np.uint8)
    soft = story(np.concatenate([a, blend, b]), [(0, T), (T + k, 2 * T + k)])
    assert ins.seams(hard)[0] == pytest.approx(cut)
    assert ins.seams(soft)[0] < cut / 4  # the jump is spread over k + 1 steps
    assert ins.seams(soft)[0] == pytest.approx(cut / (k + 1), abs=1.0)


def test_seam_of_overlapping_and_contiguous_spans_uses_the_transition_steps():
    a, b = still((200, 200, 200)), still((0, 0, 0))
    frames = np.concatenate([a, b])
    # Overlapping spans (a crossfade counted in both scenes): the seam covers steps s1..e0.
    assert ins.seams(story(frames, [(0, T + 2), (T - 2, 2 * T)]))[0] == pytest.approx(200)
    assert ins.seams(frames, spans=[(0, T), (T, 2 * T)])[0] == pytest.approx(200)


def test_seam_jump_resizes_different_sizes():
    a = still((100, 100, 100))
    b = still((100, 100, 100), h=96, w=128)
    assert ins.seam_jump(a, b) == 0


def test_bad_inputs_raise_one_line_invalid_input():
    for bad in (np.zeros((4, 8, 8), np.uint8), np.zeros((4, 8, 8, 3), np.float32), "frames", []):
        with pytest.raises(InvalidInput) as e:
            ins.flicker(bad) if not isinstance(bad, list) else ins.diagnose(bad)
        assert "\n" not in str(e.value)
    with pytest.raises(InvalidInput, match="outside"):
        ins.seams(story(still(), [(0, T + 1)]))
    with pytest.raises(InvalidInput, match="story order"):
        ins.seams(story(still(), [(4, 8), (0, 4)]))
    with pytest.raises(InvalidInput, match="size"):
        ins.motion_energy(still(), size=2)
    with pytest.raises(InvalidInput, match="seam_ratio"):
        ins.diagnose(still(), seam_ratio=0)


# -- diagnose ----------------------------------------------------------------------------------


def three_scene_clips():
    """Scene 1 continues scene 0's pan seamlessly; scene 2 is a different world (hard cut)."""
    long = textured(seed=1, t=2 * T, dx=2)
    return [clip(long[:T], 0), clip(long[T:], 1), clip(textured(seed=7, t=T, dx=2), 2)]


def test_diagnose_flags_the_bad_seam_only():
    d = ins.diagnose(three_scene_clips())
    assert [r.index for r in d.rows] == [0, 1, 2]
    assert d.flagged_seams == [(1, 2)]
    assert d.flagged_scenes == []
    assert d.rows[0].seam_ratio < 2 < 4 < d.rows[1].seam_ratio
    assert d.rows[2].seam is None
    text = str(d)
    assert "seam" in text and "1 → 2" in text and "grey levels" in text
    page = d._repr_html_()
    assert page.count("<tr>") == 4 and "color:#c00" in page
    assert len(d.to_records()) == 3


def test_diagnose_flags_a_flickering_scene_and_reads_a_story():
    rng = np.random.default_rng(3)
    calm = textured(seed=2, t=T, dx=1)
    noisy = np.clip(calm.astype(int) + rng.integers(-60, 61, calm.shape), 0, 255).astype(np.uint8)
    s = story(np.concatenate([calm, noisy]), [(0, T), (T, 2 * T)], fps=8)
    d = ins.diagnose(s)
    assert d.flagged_scenes == [1]
    assert d.rows[1].flicker > d.flicker_limit > d.rows[0].flicker
    assert d.rows[1].motion < d.rows[1].flicker / 3  # noise, not movement
    assert d.fps == 8
    assert "scene 1: flicker" in str(d)


def test_diagnose_reads_a_real_stitched_story():
    from storykit.stitch import stitch

    sc = script(3)
    for s in sc.scenes:
        s.transition = "cut"
    cuts = stitch(three_scene_clips(), sc)
    d = ins.diagnose(cuts)
    assert len(d.rows) == 3 and d.flagged_seams == [(1, 2)]
    sc.scenes[1].transition = "crossfade"
    soft = stitch(three_scene_clips(), sc)
    assert ins.seams(soft)[1] < ins.seams(cuts)[1] / 1.5


# -- pictures --------------------------------------------------------------------------------


def test_contact_sheet_shape_is_exact_and_labels_draw():
    f = textured(t=16)
    sheet = ins.contact_sheet(f, columns=5, scale=0.5, label=False)
    th, tw = 24, 32
    assert sheet.shape == (4 * th + 3 * sheets.PAD, 5 * tw + 4 * sheets.PAD, 3) and sheet.dtype == np.uint8
    np.testing.assert_array_equal(sheet[:th, :tw], metrics._resize(f[0], th, tw))
    labelled = ins.contact_sheet(f, columns=5, scale=0.5)
    assert labelled.shape == sheet.shape
    assert (labelled[:12, :12] != sheet[:12, :12]).any()  # the frame number is drawn top-left
    assert ins.contact_sheet(f, columns=8, scale=1.0).shape == (2 * H + 2, 8 * W + 14, 3)
    assert ins.contact_sheet(clip(f), columns=3, frames=[0, -1], scale=1.0).shape == (H, 2 * W + 2, 3)
    assert max(ins.contact_sheet(still(h=512, w=512)).shape[:2]) <= 8 * 128 + 14  # auto scale shrinks
    for kwargs in ({"columns": 0}, {"scale": 0}, {"frames": [99]}, {"frames": []}):
        with pytest.raises(InvalidInput):
            ins.contact_sheet(f, **kwargs)


def test_storyboard_has_one_row_per_scene_with_captions():
    clips = three_scene_clips()
    bare = ins.storyboard(clips, scale=1.0)
    board = ins.storyboard(clips, script(3), scale=1.0)
    assert board.shape == bare.shape and board.shape[1] == 3 * W + 2 * sheets.PAD
    row_h = (board.shape[0] + sheets.PAD) / 3
    assert row_h == int(row_h) and row_h > H  # tiles plus a caption band
    assert (board != bare).any()  # captions differ ("scene 0" vs "0 · establish — ...")
    cap = int(row_h) - sheets.PAD - H
    np.testing.assert_array_equal(board[cap : cap + H, W + 2 : 2 * W + 2][20:], clips[0].frames[T // 2][20:])
    s = story(np.concatenate([c.frames for c in clips]), [(0, T), (T, 2 * T), (2 * T, 3 * T)])
    assert ins.storyboard(s, scale=1.0).shape == bare.shape
    s.texts = ["one", "two", "three"]
    assert (ins.storyboard(s, scale=1.0) != bare).any()  # a Story's own sentences become captions


def test_wrap_truncates_long_captions():
    from PIL import Image, ImageDraw

    draw, font = ImageDraw.Draw(Image.new("RGB", (10, 10))), sheets._font(12)
    lines = sheets._wrap(draw, "word " * 100, font, 120, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(draw.textlength(line, font=font) <= 120 for line in lines)


# -- headless display ----------------------------------------------------------------------


def test_show_helpers_return_html_headless():
    clips = three_scene_clips()
    sheet = ins.show_contact_sheet(clips[0], return_html=True)
    assert sheet.startswith("<") and "data:image/png;base64" in sheet and "Clip(scene 0" in sheet
    board = ins.show_storyboard(clips, script(3), return_html=True)
    assert "data:image/png;base64" in board and "The lantern" in board
    one = ins.show_clip(clips[0], return_html=True)
    assert "<video" in one and "data:video/mp4;base64" in one
    many = ins.show_clips(clips, script(3), columns=2, return_html=True)
    assert many.count("<video") == 3 and many.count('class="show_clips"') == 2 and "climax" in many
    assert "<video" in ins.show_clip(still(), fps=4, return_html=True)
    with pytest.raises(InvalidInput, match="fps"):
        ins.show_clip(still())


def test_show_helpers_display_through_ipython(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    clips = three_scene_clips()
    assert ins.show_contact_sheet(clips[0]) is None
    assert ins.show_clips(clips) is None
    assert ins.show_clip(clips[1]) is None
    assert len(shown) == 3 and all(isinstance(s, IPython.display.HTML) for s in shown)
    assert "<video" in shown[1].data


def test_plots_return_figures_headless():
    from matplotlib.figure import Figure

    clips = three_scene_clips()
    for fig in (ins.plot_flicker(clips), ins.plot_seams(clips), ins.plot_drift(clips), ins.plot_seams(clips[0])):
        assert isinstance(fig, Figure)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue()[:4] == b"\x89PNG"
    ax = ins.plot_flicker(clips).axes[0]
    assert len(ax.lines) == 2 * 3 + 1 + 2  # flicker + motion per scene, limit line, 2 boundaries
    bars = ins.plot_seams(clips).axes[0].patches
    assert len(bars) == 4 and bars[1].get_facecolor()[:3] == pytest.approx((1, 0, 0))  # 1→2 flagged


# -- compare --------------------------------------------------------------------------------


class StepsBackend:
    """Brightness = 20 × steps + seed, so every value is visible in the frames."""

    name = "steps"

    def describe(self):
        return {"backend": self.name}

    def cache_fields(self, scene, script, config):
        return {"backend": self.name, "seed": scene.seed, "steps": config.num_inference_steps, "h": config.height, "w": config.width}

    def render_scene(self, scene, script, config):
        v = min(255, 20 * config.num_inference_steps + scene.seed)
        frames = np.full((scene.num_frames, config.height, config.width, 3), v, np.uint8)
        return Clip(frames, fps=scene.fps, scene_index=scene.index, metadata={"backend": self.name})


def test_compare_yields_one_labelled_clip_per_value_and_a_grid(tmp_path, capsys):
    sc = script(2)
    cfg = RenderConfig(height=64, width=64)
    cmp = ins.compare(sc.scenes[1], sc, "num_inference_steps", (1, 2, 4, 8), StepsBackend(), cfg, cache_dir=tmp_path)
    assert len(cmp) == 4 and cmp.labels == ["1 step", "2 steps", "4 steps", "8 steps"]
    assert [int(c.frames[0, 0, 0, 0]) for c in cmp.clips] == [20, 40, 80, 160]
    assert all(c.scene_index == 1 for c in cmp.clips) and len(cmp.seconds) == 4
    assert "compare: 8 steps (4/4)" in capsys.readouterr().out
    grid = ins.comparison_grid(cmp, scale=1.0, label=False)
    assert grid.shape == (4 * 64 + 3 * sheets.PAD, 3 * 64 + 2 * sheets.PAD, 3)
    assert grid[64 + sheets.PAD + 30, 30, 0] == 40  # row 2 is the 2-step render
    assert ins.comparison_grid(cmp, frames=[0, -1], scale=0.5).shape == (4 * 32 + 6, 2 * 32 + 2, 3)
    assert "4 steps" in cmp.summary() and "data:image/png" in cmp._repr_html_()
    assert "<video" in ins.show_comparison(cmp, video=True, return_html=True)

    again = ins.compare(sc.scenes[1], sc, "num_inference_steps", (1, 8), StepsBackend(), cfg, cache_dir=tmp_path, progress=False)
    assert [c.metadata["cached"] for c in cmp.clips + again.clips] == [False] * 4 + [True] * 2  # through storykit.render's cache
    np.testing.assert_array_equal(again.clips[1].frames, cmp.clips[3].frames)

    seeds = ins.compare(0, sc, "seed", [3, 9], StepsBackend(), cfg, cache_dir=False, progress=False)
    assert seeds.labels == ["seed 3", "seed 9"] and [int(c.frames.max()) for c in seeds.clips] == [83, 89]
    sizes = ins.compare(0, sc, "size", [64, (64, 128)], StepsBackend(), cfg, cache_dir=False, progress=False)
    assert [c.frames.shape[1:3] for c in sizes.clips] == [(64, 64), (64, 128)] and sizes.labels == ["64×64", "128×64"]
    assert ins.comparison_grid(sizes, scale=1.0).shape == (2 * 64 + 2, 3 * 128 + 4, 3)  # letterboxed


def test_compare_builds_a_backend_per_value_by_name(monkeypatch):
    made = []

    def fake_get_backend(name, *, verbose=True, **kwargs):
        made.append((name, kwargs))
        return StepsBackend()

    monkeypatch.setattr("storykit.generate.backend.get_backend", fake_get_backend)
    sc = script(1)
    cfg = RenderConfig(height=64, width=64)
    models = ["emilianJR/epiCRealism", "/models/toonyou"]
    ins.compare(0, sc, "base_model", models, "lightning", cfg, cache_dir=False, backend_kwargs={"checkpoint": "/ckpt"}, progress=False)
    assert [k["base_model"] for _, k in made] == models and all(k["checkpoint"] == "/ckpt" for _, k in made)
    made.clear()
    cmp = ins.compare(0, sc, "num_inference_steps", [2, 4], "lightning", cfg, cache_dir=False, progress=False)
    # One backend: the config's steps win, and Lightning swaps only the motion weights between them.
    assert made == [("lightning", {"num_inference_steps": 2})] and cmp.labels == ["2 steps", "4 steps"]
    assert [int(c.frames.max()) for c in cmp.clips] == [40, 80]
    with pytest.raises(InvalidInput, match="config"):
        ins.compare(0, sc, "seed", [1], "lightning", cfg, backend_kwargs={"num_inference_steps": 4}, progress=False)


def test_compare_checks_inputs_before_rendering():
    sc = script(1)
    b = StepsBackend()
    cases = [
        dict(vary="colour", values=(1,)),
        dict(vary="seed", values=()),
        dict(vary="num_inference_steps", values=(4, 0)),  # RenderConfig refuses 0 steps
        dict(vary="height", values=(100,)),  # not divisible by 8
        dict(vary="base_model", values=("x",)),  # needs a backend name
    ]
    for kw in cases:
        with pytest.raises(InvalidInput):
            ins.compare(0, sc, backend=b, progress=False, **kw)


def test_compare_with_the_real_animatic_backend():
    sc = script(1)
    cmp = ins.compare(0, sc, "seed", [1, 2], "animatic", RenderConfig(height=64, width=64), cache_dir=False, progress=False)
    assert [c.backend for c in cmp.clips] == ["animatic", "animatic"]
    assert ins.comparison_grid(cmp).shape == (2 * 64 + 2, 3 * 64 + 4, 3)
    assert ins.diagnose(cmp.clips).rows[0].num_frames == T


def test_compare_steps_with_a_tiny_real_lightning(tiny_backend):
    """The distillation comparison end to end: real LightningBackend (tiny random weights), 1 vs 2 steps."""
    cmp = ins.compare(0, script(1), "num_inference_steps", (1, 2), tiny_backend, RenderConfig(height=64, width=64),
                      cache_dir=False, progress=False)  # fmt: skip
    assert cmp.labels == ["1 step", "2 steps"]
    assert [c.metadata["checkpoint"] for c in cmp.clips] == [
        "animatediff_lightning_1step_diffusers.safetensors",
        "animatediff_lightning_2step_diffusers.safetensors",
    ]
    assert [c.frames.shape for c in cmp.clips] == [(T, 64, 64, 3)] * 2
    assert not np.array_equal(cmp.clips[0].frames, cmp.clips[1].frames)


# -- CLIP alignment ------------------------------------------------------------------------


def test_clip_alignment_offline_raises_missing_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    import storykit.inspection.alignment as alignment

    def no_import(*args):
        raise AssertionError("torch and transformers were imported for weights that are not here")

    monkeypatch.setattr(alignment, "require", no_import)  # the answer comes first, in a fraction of a second
    with pytest.raises(MissingWeights) as e:
        ins.clip_alignment([clip(still())], script(1), model="storykit-tests/no-such-clip")
    assert "\n" not in str(e.value) and "unavailable" in str(e.value)
    with pytest.raises(MissingWeights, match="no such folder"):
        ins.clip_alignment([clip(still())], script(1), model=str(tmp_path / "no-such-folder"))


def test_clip_alignment_with_a_tiny_local_clip(tmp_path):
    import transformers

    # A tiny CLIP of the real classes: GPT-2's byte-level alphabet as vocabulary, no merges, random weights.
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars = [chr(b) for b in printable] + [chr(256 + n) for n in range(256 - len(printable))]
    vocab = {t: i for i, t in enumerate(chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"])}
    (tmp_path / "vocab.json").write_text(__import__("json").dumps(vocab))
    (tmp_path / "merges.txt").write_text("#version: 0.2\n")
    tok = transformers.CLIPTokenizer.from_pretrained(tmp_path)
    cfg = transformers.CLIPConfig(
        text_config=dict(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=77, eos_token_id=vocab["<|endoftext|>"]),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=8,
    )  # fmt: skip
    transformers.CLIPModel(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    transformers.CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(tmp_path)

    clips = three_scene_clips()
    scores = ins.clip_alignment(clips, script(3), model=str(tmp_path))
    assert len(scores) == 3 and all(-1 <= s <= 1 and math.isfinite(s) for s in scores)
    assert scores == ins.clip_alignment(clips, script(3), model=str(tmp_path))  # deterministic


def test_module_doctest():
    result = doctest.testmod(ins, verbose=False)
    assert result.attempted >= 3 and result.failed == 0
