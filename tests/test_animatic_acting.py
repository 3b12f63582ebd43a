"""The animatic acts the story out: the verb's motion, the typed subject, the setting's qualifiers,
props placed by role, and `drawn` lists that say what is on screen (checked against the pixels)."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

from storykit.generate import RenderConfig
from storykit.generate.animatic import AnimaticBackend, cast, icons
from storykit.generate.animatic.verbs import SECOND_FIGURE, VERB_CLASSES, verb_class
from storykit.plan import Scene, Script, Triple, plan

SIZE = 128


def one_scene(setting, character, action, *, beat="rising", camera="static", seed=3, num_frames=8):
    """A one-scene Script with the planner's prompt shape (character, action)."""
    scene = Scene(0, beat, f"{character}, {action}", text=".", camera=camera, seed=seed, num_frames=num_frames, fps=8)
    return Script(triple=Triple(setting, character, action), scenes=[scene])


def render(script, index=0, size=SIZE):
    return AnimaticBackend().render_scene(script.scenes[index], script, RenderConfig(height=size, width=size))


def without(monkeypatch, script, index=0, *, icon=None, actor=False, size=SIZE):
    """The same scene drawn with one icon (or the character) made invisible: what differs is where it was."""
    with monkeypatch.context() as m:
        if icon is not None:
            real = icons.icon_image.__wrapped__

            def hidden(ch, px):
                img = real(ch, px)
                if ch == icon:
                    img = img.copy()
                    img.putalpha(0)
                return img

            m.setattr(icons, "icon_image", hidden)
        if actor:
            real_acting = cast.Cast._acting

            def invisible(self, *a, **k):
                img, anchor = real_acting(self, *a, **k)
                img = img.copy()
                img.putalpha(0)
                return img, anchor

            m.setattr(cast.Cast, "_acting", invisible)
        return render(script, index, size)


def mask(a, b) -> np.ndarray:
    """Per frame, where two renders differ."""
    return np.any(a.frames.astype(int) != b.frames.astype(int), axis=-1)


def bbox(m: np.ndarray):
    ys, xs = np.nonzero(m)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) if len(xs) else None


# -- verbs ---------------------------------------------------------------------------------

VERBS = [  # (action, class), in the 15 languages read, inflected forms included
    ("swims across the bay", "swim"), ("is swimming", "swim"), ("nada en el mar", "swim"), ("nagent", "swim"),
    ("schwimmt", "swim"), ("nuota", "swim"), ("плывёт к берегу", "swim"), ("海で泳ぐ", "swim"), ("在河里游泳", "swim"),
    ("바다에서 수영한다", "swim"), ("يسبح في البحر", "swim"), ("شنا می‌کند", "swim"), ("denizde yüzüyor", "swim"),
    ("berenang di laut", "swim"), ("नदी में तैरता है", "swim"),
    ("falls asleep under a tree", "sleep"), ("duermen", "sleep"), ("s'endort", "sleep"), ("schläft ein", "sleep"),
    ("спит", "sleep"), ("眠る", "sleep"), ("睡觉", "sleep"), ("잠을 잔다", "sleep"), ("ينام", "sleep"), ("uyuyor", "sleep"),
    ("tidur", "sleep"), ("सोता है", "sleep"),
    ("climbed a tree", "climb"), ("trepa un árbol", "climb"), ("grimpe", "climb"), ("klettert", "climb"), ("sale", "climb"),
    ("лезет на дерево", "climb"), ("山に登る", "climb"), ("爬树", "climb"), ("나무에 오른다", "climb"), ("يتسلق", "climb"),
    ("ağaca tırmanıyor", "climb"), ("memanjat pohon", "climb"), ("पेड़ पर चढ़ता है", "climb"),
    ("runs away from a bee", "run_away"), ("huye del lobo", "run_away"), ("убегает", "run_away"), ("逃げる", "run_away"),
    ("chases a butterfly", "chase"), ("persigue una bola", "chase"), ("يطارد فراشة", "chase"), ("追赶蝴蝶", "chase"),
    ("gives a flower to a girl", "give"), ("gibt dem Kind einen Apfel", "give"), ("दे देता है", None),
    ("hugs her grandmother", "hug"), ("abraza a su madre", "hug"), ("обнимает", "hug"),
    ("flies over the city", "fly"), ("vuela", "fly"), ("летит", "fly"), ("飛ぶ", "fly"), ("飞", "fly"), ("उड़ता है", "fly"),
    ("floats in space", "float"), ("fell down", "fall"), ("dives into the sea", "dive"), ("slides down a hill", "slide"),
    ("rides a bicycle", "ride"), ("fait du vélo", "ride"), ("dances", "dance"), ("sings a song", "sing"),
    ("plays the violin", "play_music"), ("joue du violon", "play_music"), ("plays with a ball", "throw"),
    ("waves goodbye", "wave"), ("cries", "cry"), ("laughs", "laugh"), ("celebrates", "celebrate"), ("eats a cake", "eat"),
    ("ケーキを食べる", "eat"), ("케이크를 먹는다", "eat"), ("drinks tea", "drink"), ("cooks soup", "cook"),
    ("makes a cake", "cook"), ("paints a portrait", "paint"), ("writes a letter", "write"), ("reads a book", "read"),
    ("builds a sandcastle", "build"), ("digs a hole", "dig"), ("hides behind a tree", "hide"),
    ("searches for a lost lantern", "search"), ("ищет фонарь", "search"), ("throws a ball", "throw"),
    ("catches a fish", "catch"), ("pushes a cart", "push"), ("pulls a wagon", "pull"), ("carries a basket", "carry"),
    ("walks home", "walk"), ("runs", "run"), ("jumps over a puddle", "jump"), ("meets a friend", None),
]


def test_at_least_thirty_distinct_verb_classes_each_with_a_second_figure_where_needed():
    assert len(VERB_CLASSES) >= 30
    assert {"chase", "run_away", "give", "hug"} <= set(SECOND_FIGURE)


@pytest.mark.parametrize("action,expected", VERBS, ids=[a for a, _ in VERBS])
def test_verbs_are_read_in_every_language(action, expected):
    objects = tuple(m.concept for m in icons.find(action))
    if action == "दे देता है":  # "gives" without an object still reads as give
        expected = "give"
    assert verb_class(action, objects) == expected


def _track(monkeypatch, action, setting="a meadow"):
    """The character's box in every frame, from the pixels it covers (drawn vs. drawn without it)."""
    script = one_scene(setting, "a girl", action, num_frames=12)
    clip = render(script)
    gone = without(monkeypatch, script, actor=True)
    m = mask(clip, gone)
    return clip, [bbox(f) for f in m]


def test_swim_sleep_and_climb_move_differently_on_screen(monkeypatch):
    boxes = {}
    for action, motion in (("swims across the lake", "swim"), ("sleeps", "sleep"), ("climbs a tree", "climb")):
        clip, track = _track(monkeypatch, action)
        assert clip.metadata["motion"] == motion
        boxes[motion] = [b for b in track if b is not None]
    x = {k: [(b[0] + b[2]) / 2 for b in v] for k, v in boxes.items()}
    top = {k: [b[1] for b in v] for k, v in boxes.items()}
    aspect = {k: np.median([(b[2] - b[0]) / (b[3] - b[1]) for b in v]) for k, v in boxes.items()}
    assert max(x["swim"]) - min(x["swim"]) > 0.4 * SIZE  # swims across the frame
    assert max(x["sleep"]) - min(x["sleep"]) < 0.05 * SIZE and aspect["sleep"] > 1.3  # lies still, long and low
    assert min(top["climb"]) < min(top["sleep"]) - 0.2 * SIZE  # goes up
    assert aspect["climb"] < 1.0 and aspect["swim"] > aspect["climb"]


def test_action_beats_act_the_verb_and_the_other_beats_keep_the_arc():
    script = plan("a meadow", "a fox", "dances", num_scenes=5, num_frames=4)
    backend = AnimaticBackend()
    motions = [backend.render_scene(s, script, RenderConfig(height=64, width=64)).metadata["motion"] for s in script.scenes]
    assert motions == ["distant", "enter", "dance", "dance", "celebrate"]


def test_a_second_figure_is_drawn_for_chase_give_and_hug(monkeypatch):
    for action, icon in (("chases a butterfly", "🦋"), ("gives an apple to a girl", "👧"), ("hugs a bear", "🐻")):
        script = one_scene("a meadow", "a robot", action)
        clip = render(script)
        other = [d for d in clip.metadata["drawn"] if d["role"] == "object" and d["box"] and (d["icon"] == icon or
                                                                                             d["what"] == "bear")]
        assert other, clip.metadata["drawn"]
        if other[0]["how"] == "icon":  # a drawn figure (the bear, the girl) has no icon to hide
            seen = mask(clip, without(monkeypatch, script, icon=icon))
            assert seen.any(), action  # really on screen
        subject = next(d["box"] for d in clip.metadata["drawn"] if d["role"] == "subject")
        assert other[0]["box"] != subject


# -- subjects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("character,kind", [
    ("a curious seagull", "bird"), ("a shiba", "dog"), ("एक छोटा ड्रैगन", "dragon"), ("una gaviota", "bird"),
    ("an animal detective", "fox"), ("a cat chef", "cat"), ("a detective cat", "cat"), ("маленький кот-повар", "cat"),
    ("un pêcheur", "person"), ("갈매기", "bird"),
])
def test_the_subject_is_its_head_noun_or_a_hypernym_never_a_blob(character, kind):
    clip = render(one_scene("a meadow", character, "walks"))
    assert clip.metadata["character"] == kind
    subjects = [d for d in clip.metadata["drawn"] if d["role"] == "subject"]
    assert len(subjects) == 1 and subjects[0]["word"] in character


def test_a_sardine_is_drawn_as_a_fish_icon():
    clip = render(one_scene("the sea", "a sardine", "swims"))
    assert [d["icon"] for d in clip.metadata["drawn"] if d["role"] == "subject"] == ["🐟"]


def test_age_and_role_words_change_the_figure():
    from storykit.generate.animatic import character_look

    old, young = character_look("an old grandmother"), character_look("a girl")
    assert old.elder and not young.elder and old.hair == (214, 214, 220)
    chef = character_look("a chef")
    assert chef.accessory == "hat" and chef.apron is not None
    frames = render(one_scene("a meadow", "an old grandmother", "walks")).frames
    assert np.all(frames == np.array([214, 214, 220], np.uint8), axis=-1).sum() > 20  # grey hair on screen
    assert np.all(frames == np.array([120, 82, 52], np.uint8), axis=-1).sum() > 10  # and the cane


# -- settings ---------------------------------------------------------------------------------

def _hue(rgb) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0] * 360


def test_underwater_is_blue_and_says_so():
    clip = render(one_scene("a coral reef under the sea", "a turtle", "walks"))
    mean = clip.frames.reshape(-1, 3).mean(0)
    assert mean[2] > mean[0] + 40 and mean[2] > mean[1]  # blue dominates
    assert "underwater" in clip.metadata["traits"]
    dry = render(one_scene("a street", "a turtle", "walks")).frames.reshape(-1, 3).mean(0)
    assert dry[2] - dry[0] < mean[2] - mean[0]


@pytest.mark.parametrize("setting", ["a desert under a purple sky", "un desierto bajo un cielo morado", "紫の空の砂漠"])
def test_a_colour_word_colours_the_sky(setting):
    clip = render(one_scene(setting, "a robot", "walks"))
    top = clip.frames[:, 2:10, :, :].reshape(-1, 3).mean(0)
    assert 250 < _hue(top) < 320, top  # purple, not blue
    assert "purple sky" in clip.metadata["traits"]


def test_night_snow_storm_and_rooms_change_the_whole_scene():
    day = render(one_scene("a forest", "a fox", "walks")).frames.mean()
    night = render(one_scene("a forest at night", "a fox", "walks"))
    assert night.frames.mean() < 0.7 * day and "night" in night.metadata["traits"]
    snow = render(one_scene("a snowy forest", "a fox", "walks"))
    ground = lambda c: c.frames[:, int(0.85 * SIZE):, :, :].reshape(-1, 3).mean(0)  # noqa: E731
    assert ground(snow).min() > 200 and "snow" in snow.metadata["traits"]
    trees = lambda c: c.frames[:, int(0.4 * SIZE): int(0.62 * SIZE), :, :].mean()  # noqa: E731
    assert trees(snow) > trees(render(one_scene("a forest", "a fox", "walks"))) + 25  # snow on the trees too
    storm = render(one_scene("a beach in a storm", "a fox", "walks"))
    assert {"rain", "storm"} <= set(storm.metadata["traits"])
    room = render(one_scene("a classroom", "a fox", "walks"))
    board = np.all(np.abs(room.frames.astype(int) - (40, 74, 58)) < 6, axis=-1)[0]
    assert board[: SIZE // 2].sum() > 200 and "classroom" in room.metadata["traits"]  # a blackboard on the wall


# -- props by role, colours bound to their noun --------------------------------------------------

@pytest.mark.parametrize("character,icon", [("a robot with a red umbrella", "☂"), ("un robot con un paraguas rojo", "☂"),
                                            ("赤い傘を持ったロボット", "☂")])
def test_a_colour_goes_to_its_noun(monkeypatch, character, icon):
    script = one_scene("a meadow", character, "walks")
    clip = render(script)
    hidden = without(monkeypatch, script, icon=icon)
    where = mask(clip, hidden)
    assert where.any()
    solid = np.abs(clip.frames.astype(int) - hidden.frames.astype(int)).sum(-1) > 120  # not its blended edge
    umbrella = clip.frames[solid].astype(int)
    coloured = umbrella[umbrella.max(1) - umbrella.min(1) > 110]  # its strongly coloured parts, not the outline
    reds = ((coloured[:, 0] > 150) & (coloured[:, 1] < 110) & (coloured[:, 2] < 110)).mean()
    assert len(coloured) > 20 and reds > 0.6  # the umbrella is red
    robot = mask(clip, without(monkeypatch, script, actor=True)) & ~where
    body = clip.frames[robot]
    assert ((body[:, 0] > 150) & (body[:, 1] < 110) & (body[:, 2] < 110)).mean() < 0.05  # the robot is not


def test_a_held_thing_is_at_hand_height_and_never_covers_the_head(monkeypatch):
    script = one_scene("a meadow", "a girl", "reads a book")
    clip = render(script)
    book = mask(clip, without(monkeypatch, script, icon="📖"))
    girl = mask(clip, without(monkeypatch, script, actor=True)) & ~book
    for k in range(clip.num_frames):
        b, g = bbox(book[k]), bbox(girl[k])
        head_bottom = g[1] + 0.32 * (g[3] - g[1])  # a standing figure's head is its top third
        assert b[1] >= head_bottom, (k, b, g)
        assert b[3] - b[1] < 0.4 * (g[3] - g[1])  # hand size
        assert b[3] <= g[3] - 0.1 * (g[3] - g[1])  # held up at the hand, not lying at the feet
    box = next(d["box"] for d in clip.metadata["drawn"] if d["icon"] == "📖")
    x0, y0, x1, y1 = box
    mid = clip.num_frames // 2
    assert book[mid, y0:y1, x0:x1].sum() == book[mid].sum()  # the box holds every pixel of it


def test_a_vehicle_is_ridden_and_a_wearable_worn(monkeypatch):
    script = one_scene("a road", "a boy", "rides a bicycle")
    clip = render(script)
    bike = mask(clip, without(monkeypatch, script, icon="🚲"))
    boy = mask(clip, without(monkeypatch, script, actor=True)) & ~bike
    mid = clip.num_frames // 2
    assert clip.metadata["motion"] == "ride"
    assert bbox(bike[mid])[3] > bbox(boy[mid])[3]  # under him
    hat = one_scene("a meadow", "a boy wearing sunglasses", "walks")
    clip = render(hat)
    top = mask(clip, without(monkeypatch, hat, icon="🕶"))
    boy = mask(clip, without(monkeypatch, hat, actor=True)) & ~top
    assert bbox(top[mid])[1] < bbox(boy[mid])[1]  # on his head, at the top
    assert bbox(top[mid])[3] < bbox(boy[mid])[1] + 0.3 * (bbox(boy[mid])[3] - bbox(boy[mid])[1])
    assert [(d["role"], d["how"]) for d in clip.metadata["drawn"] if d["icon"] == "🕶"] == [("prop", "worn")]


# -- honest lists ---------------------------------------------------------------------------------

def test_a_lost_violin_is_listed_only_in_the_scenes_that_show_it(monkeypatch):
    script = plan("a forest", "a fox", "searches for a lost violin", num_scenes=6, num_frames=6, seed=2)
    listed_any = hidden_any = False
    for i, scene in enumerate(script.scenes):
        clip = render(script, i, 96)
        listed = [d for d in clip.metadata["drawn"] if d["icon"] == "🎻"]
        on_screen = mask(clip, without(monkeypatch, script, i, icon="🎻", size=96))
        assert bool(listed) == bool(on_screen.any()), (scene.beat, listed)
        if scene.beat in ("rising", "obstacle"):  # still lost while the fox searches
            assert not listed, scene.beat
        listed_any |= bool(listed)
        hidden_any |= not listed
        if listed:
            x0, y0, x1, y1 = listed[0]["box"]
            frames = [k for k in range(clip.num_frames) if on_screen[k].any()]
            k = min(frames, key=lambda f: abs(f - clip.num_frames // 2))
            assert on_screen[k, y0:y1, x0:x1].sum() == on_screen[k].sum()
    assert listed_any and hidden_any  # found in some scenes, not yet in others


@pytest.mark.parametrize("character, biped", [("an old fisherman", True), ("an old turtle", False),
                                              ("una tortuga vieja", False)])
def test_an_elders_grey_hair_and_cane_are_listed_only_where_a_person_is_drawn(character, biped):
    """A person gets the cane (figures.py); an old turtle is drawn as a turtle, so "old" is listed as not drawn."""
    clip = render(one_scene("a quiet village", character, "walks"), size=64)
    traits = [d["what"] for d in clip.metadata["drawn"] if d["role"] == "trait"]
    old = {"old", "vieja"} & set(clip.metadata["not_drawn"])
    assert ("grey hair and a cane" in traits) is biped and bool(old) is not biped, (traits, clip.metadata["not_drawn"])


@pytest.mark.parametrize("triple,drawn,not_drawn", [
    (("a meadow", "a robot with a red umbrella", "walks"), {"robot", "umbrella"}, set()),
    (("도서관", "작은 고양이", "케이크를 먹는다"), {"고양이", "케이크"}, set()),
    (("एक जंगल", "एक छोटा ड्रैगन", "एक लड़की को फूल देता है"), {"ड्रैगन", "लड़की", "फूल", "जंगल"}, set()),
    (("a quiet library", "a shy octopus librarian", "reads an old book"), {"octopus", "book", "library"}, {"librarian"}),
    (("بحر", "قطة", "تجلس فوق صخرة"), {"قطة", "بحر"}, set()),
])
def test_every_content_word_is_drawn_or_listed_and_function_words_are_not(triple, drawn, not_drawn):
    script = plan(*triple, num_scenes=5, num_frames=4, seed=1)
    backend = AnimaticBackend()
    clips = [backend.render_scene(s, script, RenderConfig(height=64, width=64)) for s in script.scenes]
    words = {d["word"] for c in clips for d in c.metadata["drawn"]}
    undrawn = {w for c in clips for w in c.metadata["not_drawn"]}
    assert drawn <= words, words
    assert not_drawn <= undrawn
    assert not undrawn & {"with", "red", "a", "an", "the", "एक", "को", "है", "فوق", "작은", "small"}
    assert not any(d["icon"] == "🤩" for c in clips for d in c.metadata["drawn"])  # فوق is "above"
    for c in clips:
        for d in c.metadata["drawn"]:
            assert set(d) == {"word", "what", "how", "role", "icon", "box"}
            assert d["role"] in {"subject", "object", "prop", "setting", "landmark", "trait"}
            if d["role"] in ("subject", "object", "prop"):
                x0, y0, x1, y1 = d["box"]
                assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
