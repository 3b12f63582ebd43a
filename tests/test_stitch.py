"""stitch(): exact frame counts, transition maths, retiming, conforming and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from storykit.generate import Clip
from storykit.errors import InvalidInput, MissingDependency
from storykit.plan import Scene, Script, Triple
from storykit.stitch import Story, stitch


def moving_square(n=16, h=64, w=64, *, step=3, colour=(230, 180, 40), bg=40, fps=8, index=0):
    """A textured square sliding right over a gradient: smooth motion inside a clip."""
    frames = np.empty((n, h, w, 3), np.uint8)
    frames[...] = np.linspace(bg, bg + 60, w, dtype=np.uint8)[None, None, :, None]
    for t in range(n):
        x0, y0 = 4 + step * t, h // 3
        frames[t, y0 : y0 + 16, x0 : x0 + 16] = colour
        frames[t, y0 : y0 + 16, x0 : x0 + 16, 1] = 100 + 8 * np.arange(16)[None, : max(0, min(16, w - x0))]
    return Clip(frames, fps, index, {"backend": "test"})


def scene_clips(k=3, n=16, fps=8, **kw):
    colours = [(230, 180, 40), (40, 200, 90), (60, 80, 240), (200, 50, 50), (250, 250, 250)]
    return [moving_square(n, colour=colours[i % 5], bg=20 + 50 * i, fps=fps, index=i, **kw) for i in range(k)]


def script_for(k, transitions=None, title="The Lost Lantern"):
    transitions = transitions or ["crossfade"] * k
    scenes = [
        Scene(i, "beat", f"prompt {i}", text=f"Scene {i} happens.", transition=transitions[i]) for i in range(k)
    ]
    return Script(Triple("a misty forest", "a red fox", "finds a lantern"), scenes, title=title)


def mix(a, b, w):
    return a.astype(float) * (1 - w) + np.asarray(b, float) * w


# -- frame counts ------------------------------------------------------------------------


def test_cut_is_plain_concatenation():
    clips = scene_clips(3)
    story = stitch(clips, transition="cut")
    assert isinstance(story, Story)
    assert story.frames.shape == (48, 64, 64, 3) and story.fps == 8
    np.testing.assert_array_equal(story.frames, np.concatenate([c.frames for c in clips]))
    assert story.spans == [(0, 16), (16, 32), (32, 48)]
    assert story.metadata["transitions"] == ["cut", "cut"]


def test_crossfade_overlaps_n_frames_with_exact_weights():
    clips = scene_clips(3)
    story = stitch(clips, transition="crossfade", transition_frames=4)
    assert story.num_frames == 48 - 2 * 4
    assert story.metadata["transition_lengths"] == [4, 4]
    # Clip 1 starts at 16 - 4 = 12; the seam is K // 2 = 2 frames into the overlap.
    assert story.spans == [(0, 14), (14, 26), (26, 40)]
    a, b = clips[0].frames, clips[1].frames
    np.testing.assert_array_equal(story.frames[:12], a[:12])
    for k in range(4):
        w = (k + 1) / 5
        np.testing.assert_allclose(story.frames[12 + k], mix(a[12 + k], b[k], w), atol=1)
    np.testing.assert_array_equal(story.frames[16:24], b[4:12])


@pytest.mark.parametrize("name,colour", [("fade_black", 0), ("fade_white", 255)])
def test_dip_keeps_length_and_passes_through_the_colour(name, colour):
    clips = scene_clips(2)
    story = stitch(clips, transition=name, transition_frames=4)
    assert story.num_frames == 32 and story.spans == [(0, 16), (16, 32)]
    f, a, b = story.frames, clips[0].frames, clips[1].frames
    # h = 2 frames of A go to the colour with weights 1/2, 1; g = 2 frames of B come out with 2/3, 1/3.
    np.testing.assert_array_equal(f[:14], a[:14])
    np.testing.assert_allclose(f[14], mix(a[14], [colour] * 3, 0.5), atol=1)
    assert (f[15] == colour).all()
    np.testing.assert_allclose(f[16], mix(b[0], [colour] * 3, 2 / 3), atol=1)
    np.testing.assert_allclose(f[17], mix(b[1], [colour] * 3, 1 / 3), atol=1)
    np.testing.assert_array_equal(f[18:], b[2:])


def test_mixed_per_scene_transitions_with_8_to_24_fps():
    clips = scene_clips(4)
    script = script_for(4, ["crossfade", "cut", "fade_black", "fade_white"])  # the last one leads nowhere
    story = stitch(clips, script, fps=24, transition_frames=4, interpolate="blend")
    # Each clip 16 * 24 / 8 = 48 frames; a transition of 4 source frames is 12 output frames.
    assert story.metadata["retimed_frames"] == [48, 48, 48, 48]
    assert story.metadata["transitions"] == ["crossfade", "cut", "fade_black"]
    assert story.metadata["transition_lengths"] == [12, 12, 12]
    assert story.num_frames == 4 * 48 - 12
    assert story.spans == [(0, 42), (42, 84), (84, 132), (132, 180)]
    assert story.fps == 24
    # 12 output frames at 24 fps last as long as 4 source frames at 8 fps.
    assert story.metadata["transition_lengths"][0] / story.fps == pytest.approx(4 / 8)
    assert story.texts == [f"Scene {i} happens." for i in range(4)]
    assert (story.frames[131] == 0).all()  # the dip to black bottoms out on the last frame of scene 2


def test_override_beats_the_script_and_clamps_to_half_a_clip():
    clips = scene_clips(3)
    script = script_for(3, ["fade_black", "fade_white", "cut"])
    assert stitch(clips, script, transition="cut").num_frames == 48
    short = [moving_square(3, index=0), moving_square(16, index=1)]
    story = stitch(short, transition="crossfade", transition_frames=8)
    assert story.metadata["transition_lengths"] == [1]  # min(8, 3 // 2, 16 // 2)
    assert story.num_frames == 3 + 16 - 1


def test_without_a_script_transitions_default_to_crossfade():
    story = stitch(scene_clips(2), transition_frames=2)
    assert story.metadata["transitions"] == ["crossfade"] and story.num_frames == 30


# -- retiming --------------------------------------------------------------------------


def test_blend_interpolation_8_to_24():
    clip = moving_square(16)
    story = stitch([clip], fps=24, interpolate="blend")
    f, src = story.frames, clip.frames
    assert f.shape[0] == 48 and story.spans == [(0, 48)]
    np.testing.assert_array_equal(f[0::3][:16], src)  # on-grid frames are the source frames
    for k in range(15):
        np.testing.assert_allclose(f[3 * k + 1], mix(src[k], src[k + 1], 1 / 3), atol=1)
        np.testing.assert_allclose(f[3 * k + 2], mix(src[k], src[k + 1], 2 / 3), atol=1)
    np.testing.assert_array_equal(f[46], src[15])  # past the last source frame it holds
    np.testing.assert_array_equal(f[47], src[15])


def test_no_interpolation_repeats_frames_and_downsampling_drops_them():
    clip = moving_square(16)
    up = stitch([clip], fps=24, interpolate="none").frames
    np.testing.assert_array_equal(up, np.repeat(clip.frames, 3, axis=0))
    # Downsampling keeps the frame shown at each output instant, floor(j * src / dst): which frames, not how many.
    numbered = Clip(np.broadcast_to(np.arange(24, dtype=np.uint8)[:, None, None, None] * 10, (24, 64, 64, 3)).copy(), 24, 0, {})
    down = stitch([numbered], fps=8).frames
    assert [int(f[0, 0, 0]) // 10 for f in down] == [0, 3, 6, 9, 12, 15, 18, 21]
    np.testing.assert_array_equal(down, numbered.frames[::3])
    uneven = stitch([numbered], fps=10, interpolate="none").frames  # 2.4 source frames per output frame
    assert [int(f[0, 0, 0]) // 10 for f in uneven] == [0, 2, 4, 7, 9, 12, 14, 16, 19, 21]


def test_flow_interpolation_tracks_motion_or_says_what_to_install():
    truth = moving_square(46, step=1).frames  # the 24 fps "real" motion
    clip = Clip(truth[::3], 8, 0, {"backend": "test"})  # seen at 8 fps: 3 px per frame
    try:
        import cv2  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependency, match="opencv-python-headless"):
            stitch([clip], fps=24, interpolate="flow")
        return
    flow = stitch([clip], fps=24, interpolate="flow").frames[:46]
    blend = stitch([clip], fps=24, interpolate="blend").frames[:46]
    err = lambda f: np.abs(f.astype(int) - truth).mean()  # noqa: E731
    assert err(flow) < 0.5 * err(blend)


def test_mismatched_fps_is_conformed_to_the_first_clip():
    clips = [moving_square(16, fps=8, index=0), moving_square(32, fps=16, index=1)]
    story = stitch(clips, transition="cut")
    assert story.fps == 8 and story.metadata["retimed_frames"] == [16, 16]


def test_mismatched_sizes_are_resized_with_one_line(capsys):
    clips = [moving_square(8, index=0), moving_square(8, h=32, w=48, index=1)]
    story = stitch(clips, transition="cut")
    assert story.frames.shape == (16, 64, 64, 3)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "resized to 64x64" in out[0]
    assert story.metadata["resized_scenes"] == [1]


# -- seams -----------------------------------------------------------------------------


def seam_jump(frames, seam, radius=4):
    """Largest mean absolute change between consecutive frames near a boundary."""
    window = frames[max(0, seam - radius) : seam + radius + 1].astype(np.int16)
    return np.abs(np.diff(window, axis=0)).mean(axis=(1, 2, 3)).max()


def test_crossfade_lowers_the_seam_jump():
    clips = scene_clips(2)
    cut = stitch(clips, transition="cut", fps=24)
    fade = stitch(clips, transition="crossfade", transition_frames=4, fps=24)
    jump_cut = seam_jump(cut.frames, cut.spans[1][0])
    jump_fade = seam_jump(fade.frames, fade.spans[1][0], radius=8)
    assert jump_cut > 10  # the scenes really differ
    assert jump_fade < 0.3 * jump_cut


# -- title card and captions -------------------------------------------------------------


def test_title_card_adds_its_frames_and_shifts_spans():
    clips = scene_clips(2)
    story = stitch(clips, script_for(2), fps=24, title=True, title_seconds=1.5, transition="cut")
    assert story.metadata["title_frames"] == 36 and story.metadata["title"] == "The Lost Lantern"
    assert story.num_frames == 36 + 2 * 48
    assert story.spans == [(36, 84), (84, 132)]
    card = story.frames[10]
    assert card.max() > 200 and np.median(card) < 60  # white text on a darkened background
    assert stitch(clips, script_for(2, title=""), title=True).metadata["title_frames"] == 0
    with pytest.raises(InvalidInput, match="title"):
        stitch(clips, title="")
    assert stitch(clips, title="Hello", fps=8).metadata["title_frames"] == 12


def test_captions_are_burned_into_the_bottom_of_their_span_only():
    clips = scene_clips(3, h=128, w=128)
    script = script_for(3)
    script.edit(1, text="")  # no caption for the middle scene
    plain = stitch(clips, script, transition="crossfade")
    capt = stitch(clips, script, transition="crossfade", captions=True)
    diff = np.abs(plain.frames.astype(int) - capt.frames)
    assert diff[:, :96].max() == 0  # the top three quarters are untouched
    per_frame = diff.mean(axis=(1, 2, 3))
    (a0, b0), (a1, b1), (a2, b2) = capt.spans
    assert (per_frame[a0:b0] > 0.5).all() and (per_frame[a2:b2] > 0.5).all()
    assert (per_frame[a1:b1] == 0).all()  # captions follow the spans (subtitle timing), not the cross-fades


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,kwargs,match",
    [
        (([],), {}, "no clips"),
        (("clip",), {}, "list of Clip"),
        (([np.zeros((2, 8, 8, 3), np.uint8)],), {}, "not a Clip"),
        ((None,), {"transition": "wipe"}, "unknown transition"),
        ((None,), {"interpolate": "magic"}, "unknown interpolate"),
        ((None,), {"fps": 0}, "fps"),
        ((None,), {"transition_frames": -1}, "transition_frames"),
        ((None,), {"transition_frames": 2.5}, "transition_frames"),
        ((None,), {"title_seconds": 0}, "title_seconds"),
    ],
)
def test_bad_input_is_one_line(args, kwargs, match):
    if args == (None,):
        args = (scene_clips(2),)
    with pytest.raises(InvalidInput, match=match) as e:
        stitch(*args, **kwargs)
    assert "\n" not in str(e.value)


def test_clip_of_another_story_is_refused():
    clips = scene_clips(3)
    with pytest.raises(InvalidInput, match="no scene 2"):
        stitch(clips, script_for(2))
    with pytest.raises(InvalidInput, match="script"):
        stitch(clips, {"scenes": []})


# -- streaming, retiming without ghosts, captions once -------------------------------------


def test_frames_are_made_on_demand_and_any_chunking_gives_the_same_frames():
    clips = scene_clips(4)
    script = script_for(4, ["crossfade", "fade_black", "fade_white", "cut"])
    story = stitch(clips, script, fps=24, title=True, captions=True, transition_frames=3)
    assert not story.materialised  # nothing stitched yet: the story is the clips and a plan
    assert story.num_frames == story.metadata["title_frames"] + 4 * 48 - 9 and story.width == 64
    chunks = {n: np.concatenate(list(story.iter_frames(n))) for n in (1, 5, 7, 64)}
    assert not story.materialised
    whole = story.frames
    assert story.materialised and whole.shape == (story.num_frames, 64, 64, 3)
    for n, frames in chunks.items():
        np.testing.assert_array_equal(frames, whole, err_msg=f"chunks of {n}")
    np.testing.assert_array_equal(story.render(30, 41), whole[30:41])
    with pytest.raises(InvalidInput, match="frame range"):
        story.render(5, story.num_frames + 1)


@pytest.mark.parametrize("interpolate", ["blend", "flow", "none"])
def test_a_clip_already_at_the_target_rate_is_never_interpolated(interpolate):
    if interpolate == "flow":
        pytest.importorskip("cv2")
    clip = moving_square(24, step=9, fps=24)  # big steps: any blending would show
    story = stitch([clip], fps=24, interpolate=interpolate)
    np.testing.assert_array_equal(story.frames, clip.frames)
    assert story.metadata["held_pairs"] == [[]]


def test_blend_holds_distant_poses_instead_of_a_double_exposure():
    from storykit.stitch.retime import distant_pair

    near = moving_square(4, h=128, w=128, step=2).frames
    far = moving_square(4, h=128, w=128, step=30).frames  # the square jumps past itself
    assert not distant_pair(near[0], near[1]) and distant_pair(far[0], far[1])
    clip = Clip(far, 8, 0, {"backend": "test"})
    story = stitch([clip], fps=24, interpolate="blend")
    assert story.metadata["held_pairs"] == [[0, 1, 2]]
    sources = {f.tobytes() for f in far}
    assert all(f.tobytes() in sources for f in story.frames)  # every frame is one pose, never two
    np.testing.assert_array_equal(story.frames, stitch([clip], fps=24, interpolate="none").frames)
    # Small motion still blends (exact weights in test_blend_interpolation_8_to_24).
    smooth = stitch([Clip(near, 8, 0)], fps=24, interpolate="blend").frames
    assert smooth[1].tobytes() not in {f.tobytes() for f in near}


def test_captions_are_burned_after_transitions_once_per_scene():
    from storykit.stitch.timeline import _apply_caption, _caption_layer

    clips = scene_clips(3, h=128, w=128)
    script = script_for(3, ["crossfade", "crossfade", "cut"])
    plain = stitch(clips, script, fps=24)
    capt = stitch(clips, script, fps=24, captions=True)
    for (a, b), text in zip(capt.spans, capt.texts):
        # Exactly this scene's caption over the transitioned picture, crossfade frames included:
        # nothing of the neighbour's caption fades in.
        want = plain.frames[a:b].copy()
        _apply_caption(want, _caption_layer(text, 128, 128))
        np.testing.assert_array_equal(capt.frames[a:b], want)
    # A clip whose backend drew its caption already keeps it alone: never two captions.
    clips[1].metadata["caption_drawn"] = True
    once = stitch(clips, script, fps=24, captions=True)
    (a1, b1) = once.spans[1]
    np.testing.assert_array_equal(once.frames[a1:b1], plain.frames[a1:b1])
    np.testing.assert_array_equal(once.frames[: once.spans[0][1]], capt.frames[: capt.spans[0][1]])
    assert once.metadata["captions_already_drawn"] == [1]


# -- holding a clip's last frame (narration's room for a line) -----------------------------


@pytest.mark.parametrize("options", [
    {"fps": 24, "transition": "crossfade", "title": True, "captions": True},   # retimed, blended, overlapped
    {"fps": 8, "transition": "fade_black"},                                     # same rate, dips
    {"fps": 24, "interpolate": "none", "transition": "cut"},
])
def test_stitch_holding_equals_stitching_clips_that_repeat_their_last_frame(options):
    from storykit.stitch.timeline import stitch_holding

    clips, hold = scene_clips(3), {0: 5, 1: 0, 2: 3}
    script = script_for(3)
    repeated = [Clip(np.concatenate([c.frames, np.repeat(c.frames[-1:], hold[c.scene_index], axis=0)]), c.fps,
                     c.scene_index, c.metadata) for c in clips]
    want = stitch(repeated, script, **options)
    got = stitch_holding(clips, hold, script, **options)
    assert got.spans == want.spans and got.num_frames == want.num_frames > stitch(clips, script, **options).num_frames
    assert got.metadata["source_frames"] == [21, 16, 19] == want.metadata["source_frames"]
    np.testing.assert_array_equal(got.frames, want.frames)
    assert all(len(c.frames) == 16 for c in clips)  # nothing was copied into the clips


def test_stitch_holding_refuses_a_bad_hold_and_bad_options():
    from storykit.stitch.timeline import stitch_holding

    with pytest.raises(InvalidInput, match="hold must be"):
        stitch_holding(scene_clips(2), {0: -1})
    with pytest.raises(InvalidInput, match="unknown stitch option 'fade'"):
        stitch_holding(scene_clips(2), {0: 1}, fade=2)


def test_caption_compositing_is_the_exact_integer_blend():
    """(frame * (255 - a) + caption * a) // 255 per pixel, for every value: the shift form must not round differently."""
    from storykit.stitch import timeline

    layer = timeline._caption_layer("Un petit renard cherche une lanterne perdue dans la forêt.", 96, 160)
    frames = np.random.default_rng(1).integers(0, 256, (6, 96, 160, 3), np.uint8)
    frames[0] = 255  # the extremes too
    frames[1] = 0
    want = frames.copy()
    band_h, inv_alpha, top = layer
    for f in want:
        band = f[-band_h:]
        band[...] = ((band.astype(np.uint32) * inv_alpha + top) // 255).astype(np.uint8)
    timeline._apply_caption(frames, layer)
    np.testing.assert_array_equal(frames, want)
    assert (inv_alpha < 255).any()  # the caption covers something
