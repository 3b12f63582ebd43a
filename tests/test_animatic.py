"""The offline animatic backend: frame contract, determinism, looks, camera, captions, cache keys."""

from __future__ import annotations

import json

import numpy as np
import pytest

from storykit.generate import lettering
from storykit.generate.animatic import overlays
from storykit.generate.animatic import (
    MOTIONS,
    AnimaticBackend,
    character_look,
    infer_motion,
    prop_look,
    world_look,
)
from storykit.generate import Backend, RenderConfig, get_backend
from storykit.errors import InvalidInput
from storykit.plan import CAMERA_MOVES, Scene, Script, Triple

FOX = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def make_script(triple=FOX, *, beat="rising", text="The fox searches.", camera="static", seed=7, num_frames=8, fps=8,
                style="cinematic"):
    """A one-scene Script built by hand."""
    prompt = f"{triple.character}, {triple.action}"
    scene = Scene(0, beat, prompt, text=text, camera=camera, seed=seed, num_frames=num_frames, fps=fps)
    return Script(triple=triple, scenes=[scene], style=style)


def render(script, height=96, width=96, backend=None, **config):
    backend = backend or AnimaticBackend()
    return backend.render_scene(script.scenes[0], script, RenderConfig(height=height, width=width, **config))


def count_color(frames: np.ndarray, color) -> int:
    return int(np.all(frames == np.asarray(color, np.uint8), axis=-1).sum())


# -- the frame contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    "height,width,num_frames,fps",
    [(256, 384, 16, 8), (384, 256, 5, 12), (64, 64, 1, 8), (128, 96, 3, 24)],
)
def test_frames_fps_and_size_match_the_scene(height, width, num_frames, fps):
    script = make_script(num_frames=num_frames, fps=fps, camera="pan_right")
    clip = render(script, height, width)
    assert clip.frames.shape == (num_frames, height, width, 3)
    assert clip.frames.dtype == np.uint8
    assert clip.fps == fps and clip.scene_index == 0
    assert clip.metadata["backend"] == "animatic"
    assert clip.metadata["seed"] == script.scenes[0].seed
    assert set(clip.metadata["timings"]) == {"draw", "frames", "total"}
    assert clip.metadata["motion"] in MOTIONS


def test_is_a_backend_and_get_backend_builds_it():
    backend = get_backend("animatic", verbose=False)
    assert isinstance(backend, AnimaticBackend)
    assert isinstance(backend, Backend)
    assert backend.name == "animatic"


def test_bad_arguments_raise_invalid_input():
    script = make_script()
    with pytest.raises(InvalidInput):
        AnimaticBackend().render_scene("scene 0", script, RenderConfig(height=64, width=64))
    with pytest.raises(InvalidInput):
        AnimaticBackend().render_scene(script.scenes[0], {"triple": "x"}, RenderConfig(height=64, width=64))
    with pytest.raises(InvalidInput):
        AnimaticBackend(caption="yes")
    with pytest.raises(InvalidInput, match="no option"):
        AnimaticBackend(steps=4)


# -- determinism ------------------------------------------------------------------------------


def test_same_scene_gives_identical_frames_and_another_seed_does_not():
    a = render(make_script(seed=3, camera="pan_left"))
    b = render(make_script(seed=3, camera="pan_left"))  # a fresh backend: nothing cached
    backend = AnimaticBackend()
    render(make_script(seed=99), backend=backend)  # warm its caches with another scene first
    c = render(make_script(seed=3, camera="pan_left"), backend=backend)
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.frames, c.frames)
    d = render(make_script(seed=4, camera="pan_left"))
    assert np.abs(a.frames.astype(int) - d.frames.astype(int)).mean() > 1.0


# -- the character ----------------------------------------------------------------------------


def test_character_look_reads_colour_words():
    look = character_look("a small red fox in a blue scarf")
    assert (look.kind, look.body_plan, look.accessory) == ("fox", "quadruped", "scarf")
    r, g, b = look.body
    assert r > 180 and b < 100  # red-orange fur, not the scarf's blue
    assert look.accessory_color == (60, 110, 210)
    assert look.scale < 1  # "small"
    assert character_look("a tiny silver robot").kind == "robot"
    assert character_look("a tiny silver robot").body == (190, 198, 210)
    turtle = character_look("a green sea turtle")
    assert turtle.kind == "turtle" and turtle.flippers
    assert character_look("a robot dog").kind == "dog"  # the head noun wins
    assert character_look("a brave knight with a red cape").accessory == "cape"


def test_character_look_is_stable_for_unknown_words():
    a, b = character_look("a shimmering glorp"), character_look("a shimmering glorp")
    assert a == b and a.kind == "creature"
    assert character_look("a shimmering florp").body != a.body  # another text, another hash colour


def dominant_near(frames: np.ndarray, color, within: int = 40) -> tuple[tuple[int, int, int], int]:
    """The most common exact colour within `within` of `color` in `frames`, and its pixel count."""
    px = frames.reshape(-1, 3)
    near = px[np.abs(px.astype(int) - np.asarray(color)).max(axis=1) < within]
    if not len(near):
        return (-1, -1, -1), 0
    colours, counts = np.unique(near, axis=0, return_counts=True)
    i = int(np.argmax(counts))
    return tuple(int(v) for v in colours[i]), int(counts[i])


def test_character_colours_are_identical_in_every_scene():
    look = character_look(FOX.character)
    scenes = []
    # Each scene its own words, as after edits in the Studio: the character is the story's, not the prompt's.
    for seed, beat, words in ((1, "introduce", f"{FOX.character} arrives"), (2, "rising", "the fox searches for a lost lantern"),
                              (3, "resolution", "the fox rests under a purple sky")):
        script = make_script(seed=seed, beat=beat, text=".")
        script.scenes[0].prompt = words
        frames = render(script, 160, 160).frames
        # What each scene actually drew near the fur and the scarf colours, read from its pixels.
        scenes.append({part: dominant_near(frames, c) for part, c in (("fur", look.body), ("scarf", look.accessory_color))})
        assert count_color(frames, look.outline) > 50, (beat, scenes)
    # Scene against scene: the same exact fur and scarf colours, drawn at a similar size.
    for part in ("fur", "scarf"):
        colours = {s[part][0] for s in scenes}
        counts = [s[part][1] for s in scenes]
        assert len(colours) == 1, (part, scenes)
        assert min(counts) > 0.6 * max(counts) and min(counts) > 10, (part, scenes)
    # ... and they are the look's colours (what the words "red fox", "blue scarf" asked for).
    assert scenes[0]["fur"][0] == look.body and scenes[0]["scarf"][0] == look.accessory_color


# -- the world and the camera -------------------------------------------------------------------


def test_world_look_reads_the_setting():
    w = world_look("a misty bamboo forest at dawn")
    assert (w.time, w.mid, w.fore) == ("dawn", "bamboo", "bamboo") and "mist" in w.weather
    w = world_look("a neon city street at night")
    assert (w.time, w.mid, w.ground) == ("night", "buildings", "road") and "neon" in w.weather
    w = world_look("a sunny beach")
    assert (w.time, w.far, w.ground) == ("day", "sea", "sand")
    assert world_look("a snowy mountain village").ground == "snow"
    assert world_look("deep space near a ringed planet").far == "planet"
    assert world_look("a cozy kitchen").far == "wall"
    w = world_look("the land of blorp")
    assert (w.time, w.far, w.mid, w.ground) == ("day", "hills", "hills", "grass")


def test_camera_moves_visibly_change_the_frame():
    meadow = Triple("a sunny meadow", "a small red fox in a blue scarf", "rests")

    def change(camera):
        script = make_script(meadow, beat="rest", text="The fox sits and waits.", camera=camera, num_frames=8)
        f = render(script, 128, 128).frames.astype(int)
        return np.abs(f[-1] - f[0]).mean()

    still = change("static")
    for camera in CAMERA_MOVES:
        if camera != "static":
            moved = change(camera)
            assert moved > 3.0 and moved > 3 * still, (camera, moved, still)


def test_zoom_magnifies_the_window_it_is_given_as_pillow_would(monkeypatch):
    """The zoom (OpenCV's warp) takes the pixel centres Pillow's resize(box=...) takes, on the real frames."""
    from PIL import Image

    from storykit.generate.animatic import backend as animatic

    meadow = Triple("a sunny meadow", "a small red fox in a blue scarf", "rests")
    calls = []

    def recording(frame, x, y, zoom):
        out = real(frame, x, y, zoom)
        calls.append((np.asarray(frame).copy(), x, y, zoom, np.asarray(out)))
        return out

    real = animatic._zoom
    monkeypatch.setattr(animatic, "_zoom", recording)
    zoomed = render(make_script(meadow, beat="rest", camera="zoom_in", num_frames=8), 128, 96).frames
    assert len(calls) == 7  # every frame but the first (zoom 1.0)
    before, x, y, zoom, after = calls[-1]
    assert zoom == pytest.approx(animatic.ZOOM) and (x, y) != (0.0, 0.0)
    assert (np.abs(zoomed[-1].astype(int) - after).sum(-1) > 0).mean() < 0.15  # then only the "ANIMATIC" mark
    w, h = 96, 128
    expected = np.asarray(Image.fromarray(before).resize((w, h), Image.BILINEAR, box=(x, y, x + w / zoom, y + h / zoom)))
    assert np.abs(after.astype(int) - expected).max() <= 2  # fixed-point rounding only
    # A window off by one axis or by half a pixel is far from it.
    for dx, dy in ((0.5, 0.0), (0.0, 0.5), (y - x, x - y)):
        other = np.asarray(real(Image.fromarray(before), x + dx, y + dy, zoom)).astype(int)
        assert np.abs(other - expected).mean() > 4 * max(0.05, np.abs(after.astype(int) - expected).mean())


def test_unknown_words_still_draw_a_world_and_a_character():
    odd = Triple("a zxqv of blorp", "a glimmerwump", "does a thing")
    script = make_script(odd, beat="middle", text="Something happens.")
    frames = render(script, 128, 128).frames
    assert frames.std() > 10  # not a flat image
    assert len(np.unique(frames.reshape(-1, 3), axis=0)) > 100
    look = character_look(odd.character)
    assert look.kind == "creature"
    assert count_color(frames, look.body) > 50


def test_styles_change_the_colours():
    noir = render(make_script(style="noir, black and white", text=""), 96, 96).frames.astype(int)
    middle = noir[:, 26:70]  # below the red ANIMATIC mark, above the caption
    assert np.abs(middle[..., 0] - middle[..., 1]).max() <= 2
    colour = render(make_script(text=""), 96, 96).frames.astype(int)[:, 26:70]
    assert np.abs(colour[..., 0] - colour[..., 1]).max() > 20


# -- motion and props ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "beat,text,motion",
    [
        ("establish", "It begins in the forest.", "distant"),
        ("introduce", "The fox arrives.", "enter"),
        ("rising", "The fox searches for a lost lantern.", "walk"),
        ("rising", "The turtle races to the ocean.", "run"),
        ("obstacle", "But it is harder than it looks.", "struggle"),
        ("discovery", "Something glimmers ahead.", "notice"),
        ("climax", "At last, the fox searches for a lost lantern!", "jump"),
        ("resolution", "The fox rests, happy. The end.", "celebrate"),
        ("middle", "The robot jumps over a puddle.", "jump"),
        ("whatever", "", "walk"),
    ],
)
def test_infer_motion(beat, text, motion):
    assert infer_motion(Scene(0, beat, "a fox", text=text)) == motion


def test_prop_look_finds_the_object_of_the_action():
    assert prop_look("searches for a lost lantern")[0] == "lantern"
    assert prop_look("delivers a birthday cake")[0] == "cake"
    assert prop_look("finds the golden key") == ("key", (232, 178, 48))
    assert prop_look("races to the ocean") is None


# -- captions ---------------------------------------------------------------------------------


def test_emoji_and_unicode_captions_do_not_crash():
    for text in ("The fox 🦊 finds the lantern 🏮✨ — ¡olé! 你好 Ж", "🦊🦊🦊", "a" * 400 + " end"):
        clip = render(make_script(text=text[:2000]), 96, 128, backend=AnimaticBackend(caption=True))
        assert clip.frames.shape == (8, 96, 128, 3)
    assert lettering.missing("olé 🦊 fox 你好 Ж") == []


def test_caption_and_mark_are_drawn():
    script = make_script(text="A caption at the bottom.")
    with_caption = render(script, 128, 128, backend=AnimaticBackend(caption=True)).frames.astype(int)
    without = render(script, 128, 128).frames.astype(int)  # the default: stitch burns captions once
    bottom = np.abs(with_caption[:, 100:] - without[:, 100:]).mean()
    middle = np.abs(with_caption[:, 30:80] - without[:, 30:80]).mean()
    assert bottom > 5 and middle < 0.5
    # the red ANIMATIC mark stays in the top-right corner even without a caption
    corner = without[:, 2:14, 80:126]
    assert ((corner[..., 0] - corner[..., 1]) > 60).mean() > 0.3
    assert len(overlays.text_overlays("", "", 128, 128)) == 1


# -- identity and cache keys ------------------------------------------------------------------


# Every edit that changes what the animatic draws: (what to change, how). Each entry edits the
# script, the backend's options or the render config of make_script()'s one scene.
PIXEL_EDITS = {
    "style": lambda s, b, c: setattr(s, "style", "pixel art"),
    "prompt": lambda s, b, c: setattr(s.scenes[0], "prompt", "a small red fox in a blue scarf, finds a golden key"),
    "caption": lambda s, b, c: b.update(caption=True),
    "caption text": lambda s, b, c: (b.update(caption=True), setattr(s.scenes[0], "text", "Other words.")),
    "story fps": lambda s, b, c: c.update(fps=24),
    "scene fps": lambda s, b, c: setattr(s.scenes[0], "fps", 12),
    "height": lambda s, b, c: c.update(height=104),
    "width": lambda s, b, c: c.update(width=104),
    "seed": lambda s, b, c: setattr(s.scenes[0], "seed", 8),
    "story seed": lambda s, b, c: setattr(s, "seed", 5),
    "camera": lambda s, b, c: setattr(s.scenes[0], "camera", "zoom_in"),
    "num_frames": lambda s, b, c: setattr(s.scenes[0], "num_frames", 9),
    "beat": lambda s, b, c: setattr(s.scenes[0], "beat", "climax"),
    "character": lambda s, b, c: setattr(s, "triple", Triple(FOX.setting, "a tiny silver robot", FOX.action)),
    "setting": lambda s, b, c: setattr(s, "triple", Triple("a sunny beach", FOX.character, FOX.action)),
    "action": lambda s, b, c: setattr(s, "triple", Triple(FOX.setting, FOX.character, "jumps over a puddle")),
}
# ... and edits that change nothing drawn: they must not cost a render.
PLAYBACK_EDITS = {
    "transition": lambda s, b, c: setattr(s.scenes[0], "transition", "cut"),
    "negative_prompt": lambda s, b, c: setattr(s.scenes[0], "negative_prompt", "blurry"),
    "num_inference_steps": lambda s, b, c: c.update(num_inference_steps=8),
    "guidance_scale": lambda s, b, c: c.update(guidance_scale=2.0),
}


def render_edited(edit, cache_dir):
    from storykit.generate import render_story

    script, backend_options, config = make_script(), {}, {"height": 96, "width": 96}
    if edit is not None:
        edit(script, backend_options, config)
    return render_story(script, AnimaticBackend(**backend_options), RenderConfig(**config), cache_dir=cache_dir,
                        progress=False)[0]


@pytest.mark.parametrize("name", sorted(PIXEL_EDITS))
def test_every_edit_that_changes_the_pixels_renders_afresh_instead_of_a_stale_clip(name, tmp_path):
    base = render_edited(None, tmp_path)  # the unedited scene is now in the cache
    assert not base.metadata["cached"] and render_edited(None, tmp_path).metadata["cached"]
    fresh = render_edited(PIXEL_EDITS[name], False)
    assert fresh.frames.shape != base.frames.shape or not np.array_equal(fresh.frames, base.frames), name
    got = render_edited(PIXEL_EDITS[name], tmp_path)
    assert not got.metadata["cached"], f"{name}: the cache returned the unedited scene's clip"
    np.testing.assert_array_equal(got.frames, fresh.frames)


@pytest.mark.parametrize("name", sorted(PLAYBACK_EDITS))
def test_edits_that_change_no_pixel_come_from_the_cache(name, tmp_path):
    base = render_edited(None, tmp_path)
    fresh = render_edited(PLAYBACK_EDITS[name], False)
    np.testing.assert_array_equal(fresh.frames, base.frames)  # really nothing drawn differs
    got = render_edited(PLAYBACK_EDITS[name], tmp_path)
    assert got.metadata["cached"], name
    np.testing.assert_array_equal(got.frames, base.frames)



def test_describe_and_cache_fields_are_json_and_track_the_pixels():
    backend = AnimaticBackend()
    script = make_script()
    scene = script.scenes[0]
    assert backend.describe()["backend"] == "animatic" and "version" in backend.describe()
    json.dumps(backend.describe())
    base = backend.cache_fields(scene, script, RenderConfig(height=128, width=128))
    json.dumps(base)

    def fields(script=script, scene=scene, **config):
        return backend.cache_fields(scene, script, RenderConfig(**{"height": 128, "width": 128, **config}))

    assert fields(num_inference_steps=8) == base
    assert fields(guidance_scale=2.0) == base
    other = make_script(Triple(FOX.setting, "a tiny silver robot", FOX.action))
    assert fields(script=other, scene=other.scenes[0]) != base
    assert fields(height=256) != base
    for change in ({"seed": 8}, {"camera": "zoom_in"}, {"text": "Other words."}, {"num_frames": 9}):
        s = make_script(**{"seed": 7, **change})
        assert fields(script=s, scene=s.scenes[0]) != base, change
    s = make_script()
    s.scenes[0].negative_prompt = "anything"
    s.scenes[0].transition = "cut"
    assert fields(script=s, scene=s.scenes[0]) == base  # neither changes a pixel here


@pytest.mark.parametrize("character, bare, word", [
    ("un piccolo polpo con un cappello rosso", "un piccolo polpo", "cappello"),  # an icon: the hat worn as an icon
    ("a small green turtle in a straw hat", "a small green turtle", "straw hat"),  # the turtle's drawing has a hat
    ("a small fox in a blue scarf and a hat", "a small fox in a blue scarf", "hat"),  # one accessory drawn, one worn
])
def test_what_the_character_wears_is_on_screen_where_the_clip_says(character, bare, word):
    def clip(who):
        return render(make_script(Triple("a garden", who, "sleeps"), beat="rest", text="It rests.", num_frames=8),
                      128, 128)

    dressed, plain = clip(character), clip(bare)
    box = next(d["box"] for d in dressed.metadata["drawn"] if d.get("word") == word)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    mid = dressed.num_frames // 2
    region = np.s_[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    assert np.abs(dressed.frames[mid][region].astype(int) - plain.frames[mid][region]).mean() > 8
    assert word not in dressed.metadata["not_drawn"]


def test_a_thing_to_wear_with_no_drawing_and_no_icon_is_said_not_drawn():
    clip = render(make_script(Triple("a garden", "a small green turtle in a red cape", "sleeps"), beat="rest",
                              text="It rests.", num_frames=8), 128, 128)
    assert "cape" in clip.metadata["not_drawn"] and "cape" not in {d.get("word") for d in clip.metadata["drawn"]}
