"""The animatic draws what was typed, in any language, and says what it drew (`drawn`, `not_drawn`)."""

from __future__ import annotations

import pytest

from storykit.generate import RenderConfig
from storykit.generate.animatic import AnimaticBackend
from storykit.generate.animatic.icons import find
from storykit.generate.animatic.reading import drawn_line, read_story
from storykit.plan import Triple, plan

# (setting, character, action), expected subject, expected prop (English concept or icon), a setting element or None
TRIPLES = [
    (("a lighthouse on a stormy cliff", "a brave little girl in a yellow raincoat", "rescues a lost puppy"),
     "girl", "🐕", "lighthouse"),
    (("kitchen", "chef", "cooks"), "chef", "🍳", "kitchen"),
    (("a quiet library", "a shy octopus librarian", "reads an old book"), "🐙", "📖", "📚"),
    (("a sunny meadow", "a brown bear", "plays the violin"), "bear", "🎻", None),
    (("a desert full of cacti", "a tiny dragon wearing a 🎩", "plants a tomato seedling"), "dragon", "🌱", "🌵"),
    (("霧の竹林、夜明け", "赤いスカーフの小さなキツネ", "なくしたランタンを探す"), "fox", "🏮", "bamboo"),
    (("宇宙", "小さなロボット", "星を探す"), "robot", "⭐", "planet and stars"),
    (("雾中的竹林", "一只戴着蓝围巾的小狐狸", "寻找丢失的灯笼"), "fox", "🏮", "mist"),
    (("ночной город у моря", "маленький робот", "ищет потерянный фонарь"), "robot", "🏮", "buildings"),
    (("صحراء واسعة عند الغروب", "ثعلب صغير", "يبحث عن فانوس مفقود"), "fox", "🏮", "dunes"),
    (("🌲 a pine forest", "🐸", "catches a 🦋"), "🐸", "🦋", "trees"),
    (("une plage au coucher du soleil", "un petit chat", "cherche une étoile"), "cat", "⭐", "sea"),
    (("un jardín", "una tortuga", "come una fresa"), "turtle", "🍓", "trees"),
    (("a snowy mountain village", "a penguin", "delivers a birthday cake"), "penguin", "🎂", "snow"),
]


def _has(things, want) -> bool:
    return any(want in (t["what"], t["icon"]) for t in things)


@pytest.mark.parametrize("triple,subject,prop,setting", TRIPLES, ids=[t[0][1][:16] for t in TRIPLES])
def test_drawn_holds_the_subject_and_the_prop(triple, subject, prop, setting):
    script = plan(*triple, num_scenes=5, num_frames=4, seed=1)
    clip = AnimaticBackend().render_scene(script.scenes[-1], script, RenderConfig(height=64, width=64))
    drawn = clip.metadata["drawn"]
    subjects = [d for d in drawn if d["role"] == "subject"]
    assert len(subjects) == 1 and subject in (subjects[0]["what"], subjects[0]["icon"]), drawn
    assert _has([d for d in drawn if d["role"] in ("object", "prop")], prop), drawn  # the resolution holds the object up
    if setting:
        assert _has([d for d in drawn if d["role"] in ("setting", "landmark")], setting), drawn
    for d in drawn:  # each with the word it came from, as typed
        assert d["word"] and (d["word"] in " ".join(triple) or d["word"].lower() in " ".join(triple).lower()), d
    print(drawn_line(drawn, clip.metadata["not_drawn"]))


def test_the_subject_is_the_same_in_every_scene_and_undrawable_words_are_listed():
    script = plan("a quiet library", "a shy octopus librarian", "reads an old book", num_scenes=5, num_frames=4)
    backend = AnimaticBackend()
    clips = [backend.render_scene(s, script, RenderConfig(height=64, width=64)) for s in script.scenes]
    subjects = {(d["what"], d["icon"]) for c in clips for d in c.metadata["drawn"] if d["role"] == "subject"}
    assert subjects == {("octopus", "🐙")}
    assert "librarian" in clips[0].metadata["not_drawn"]
    line = drawn_line([d for c in clips for d in c.metadata["drawn"]], clips[0].metadata["not_drawn"])
    assert line.startswith("animatic drew: octopus 🐙 (from 'octopus')") and "not drawn: 'librarian'" in line


def test_words_match_in_their_inflected_forms():
    assert [m.icon for m in find("три осьминога")] == ["🐙"]  # genitive
    assert [m.icon for m in find("الأخطبوط")] == ["🐙"]  # with the article
    assert [m.icon for m in find("two puppies and three foxes")] == ["🐕", "🦊"]
    assert [m.icon for m in find("タコの司書")] == ["🐙"]
    assert find("the") == [] and find("") == []


def test_a_sought_object_appears_when_found_and_a_used_one_is_always_there():
    sought = read_story(Triple("a forest", "a fox", "searches for a lost violin"))
    used = read_story(Triple("a forest", "a fox", "plays the violin"))
    assert sought.sought and not used.sought
    script = plan("a forest", "a fox", "plays the violin", num_scenes=5, num_frames=4)
    clip = AnimaticBackend().render_scene(script.scenes[1], script, RenderConfig(height=64, width=64))
    assert _has(clip.metadata["drawn"], "🎻")


def test_everyday_people_and_arabic_articles():
    from storykit.generate.animatic import icons

    assert [m.icon for m in icons.find("una niña con gafas")][0] == "👧"  # not 👦: "niña" stems like "niño"
    assert [m.icon for m in icons.find("ولد صغير يبيع البرتقال")] == ["👦", "🍊"]  # the article ال is no barrier


def test_the_c_stemmers_stem_every_name_word_as_the_pure_python_ones_do():
    """PyStemmer (C) makes the name tables 20x faster; it must give snowballstemmer's own stems, word for word."""
    import importlib
    import json

    from storykit.generate.animatic import icons

    fast = {lang: icons._stemmer(lang) for lang in icons._STEMMED}
    assert all(type(s).__module__ == "Stemmer" for s in fast.values())  # the C path is the one in use
    checked = 0
    for lang, algorithm in icons._STEMMED.items():
        module = importlib.import_module(f"snowballstemmer.{algorithm}_stemmer")
        pure = next(getattr(module, n) for n in dir(module) if n.lower() == f"{algorithm}stemmer")()
        path = icons._data_dir() / f"emoji_{lang}.json"
        words = sorted({w for raw in json.loads(path.read_text("utf-8")).values() for w in icons._clean(raw).split()})
        for word in words[::5]:
            assert fast[lang].stemWord(word) == pure.stemWord(word), (lang, word)
            checked += 1
    assert checked > 3000


@pytest.mark.parametrize("setting, time, word", [
    ("una foresta di bambù all'alba", "dawn", "all'alba"),   # 🌅 "sunrise" in CLDR Italian
    ("pantai saat matahari terbenam", "dusk", "matahari terbenam"),  # 🌇 "sunset" in CLDR Indonesian
    ("taman di bawah matahari", None, "matahari"),                 # ☀ "sun": the daytime sky's own sun
    ("夜の港町", "night", "夜"),
])
def test_the_time_of_day_lights_the_sky_and_is_never_an_icon_on_the_ground(setting, time, word):
    reading = read_story(Triple(setting, "a fox", "runs"))
    sky = {"🌅", "🌄", "🌇", "🌆", "🌃", "🌙", "☀"}
    assert not sky & {t.icon for t in reading.landmarks}, reading.landmarks
    listed = [t.what for t in reading.setting if t.word == word]
    assert listed == ([f"{time} sky"] if time else ["sun"]), reading.setting
    if time:
        from storykit.generate.animatic.words import world_look

        assert world_look(reading.world_text).time == time


@pytest.mark.parametrize("text, word, icon", [
    ("seekor kucing mencari bintang jatuh", "bintang jatuh", "🌠"),   # a two-word CLDR name in Indonesian
    ("una volpe cerca una stella cadente", "stella cadente", "🌠"),   # ... and in Italian
    ("seekor rubah mencari lentera yang hilang", "lentera", "🏮"),    # a lantern CLDR calls "lampion merah"
    ("seekor kucing melihat bintang", "bintang", "⭐"),                # not ✡ (the shortest "bintang …" name)
])
def test_two_word_names_and_everyday_words_in_other_latin_languages(text, word, icon):
    assert (word, icon) in [(m.word, m.icon) for m in find(text)]


@pytest.mark.parametrize("setting, weather, word", [("sisli bir orman", "mist", "sisli"),    # 🌁 "foggy" in Turkish
                                                   ("un bosque con niebla", "mist", "niebla"),  # 🌫 "fog"
                                                   ("karlı bir köy", "snow", "karlı")])
def test_weather_words_become_the_worlds_weather_not_icons(setting, weather, word):
    from storykit.generate.animatic.words import world_look

    reading = read_story(Triple(setting, "a fox", "runs"))
    assert not {"🌁", "🌫", "❄", "🌨"} & {t.icon for t in reading.landmarks}, reading.landmarks
    assert (word, weather) in [(t.word, t.what) for t in reading.setting]
    assert weather in world_look(reading.world_text).weather


@pytest.mark.parametrize("setting, snows", [("ein verschneites Dorf", True), ("ein verschneiter Wald", True),
                                            ("a rainbow over a meadow", False)])
def test_inflected_weather_words_count_and_rainbows_are_not_rain(setting, snows):
    from storykit.generate.animatic.words import world_look

    weather = world_look(read_story(Triple(setting, "a fox", "runs")).world_text).weather
    assert ("snow" in weather) is snows and "rain" not in weather


@pytest.mark.parametrize("action, sought", [
    ("mencari lentera yang hilang", True), ("kayıp bir fener arıyor", True), ("trouve une lanterne perdue", True),
    ("잃어버린 등불을 찾는다", True), ("findet eine verlorene Laterne", True), ("come una manzana", False),
    ("makan sebuah apel", False),
])
def test_looking_for_a_lost_thing_is_read_in_other_languages_too(action, sought):
    """The lost thing is drawn only once found (reading.sought), whatever the language says 'lost' or 'looks for' in."""
    assert read_story(Triple("a forest", "a fox", action)).sought is sought


@pytest.mark.parametrize("setting", ["a quiet pond", "un lago tranquilo", "ein stiller Teich", "静かな池", "тихий пруд"])
def test_lakes_and_ponds_are_water_and_quiet_is_not_breast_feeding(setting):
    from storykit.generate.animatic.words import world_look

    reading = read_story(Triple(setting, "a fox", "runs"))
    assert world_look(reading.world_text).far == "sea"
    assert "sea" in [t.what for t in reading.setting]
    assert not {t.icon for t in (*reading.setting, *reading.landmarks)} & {"🤱", "🤰"}


@pytest.mark.parametrize("triple, icon, absent", [
    (("조용한 도서관", "호기심 많은 고양이", "책을 읽는다"), "🐈", "🐉"),          # 조용한 (quiet) holds no 용 (dragon)
    (("静かな森", "眼鏡をかけたフクロウ", "本を読む"), "👓", "🪞"),            # 眼鏡 (glasses), not 鏡 (a mirror)
    (("ein stürmischer Hafen", "ein alter Seemann", "repariert sein Boot"), "⛵", "👢"),  # German Boot is a boat
    (("a harbour", "an old sailor", "mends his boot"), "👢", "⛵"),            # ... and an English boot a boot
    # "port de pêche" is a fishing port: no peach, and "port" is neither "porte" (a door) nor "portería" (a goal)
    (("un vieux port de pêche au crépuscule", "une petite tortue", "cherche une lettre perdue"), "🐢", "🍑"),
    (("un vieux port de pêche au crépuscule", "une petite tortue", "cherche une lettre perdue"), "✉", "🥅"),
    (("un vieux port de pêche au crépuscule", "une petite tortue", "cherche une lettre perdue"), "✉", "🚪"),
    (("un verger en été", "une petite fille", "mange une pêche"), "🍑", "🥭"),  # a peach, and "mange" (eats) no mango
    (("un jardin", "une tortue avec un chapeau de paille", "dort"), "👒", "🌾"),  # a hat: CLDR names only kinds of hat
    (("un jardín", "una tortuga con sombrero", "duerme"), "👒", "🎩"),
])
def test_words_inside_words_and_false_friends_are_not_drawn(triple, icon, absent):
    reading = read_story(Triple(*triple))
    icons_read = {t.icon for t in (*([reading.subject] if reading.subject else []), *reading.props, *reading.setting,
                                   *reading.landmarks)}
    assert icon in icons_read and absent not in icons_read, icons_read
