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


# -- the name tables, remembered in $STORYKIT_HOME/word_tables ------------------------------------------------

_LANGS = ["en", "es", "de", "ru", "ar", "ja", "zh"]
_TEXTS = ["a small red fox in a blue scarf", "un zorro busca una linterna", "ein Fuchs repariert sein Boot",
          "лиса ищет фонарь", "ثعلب يبحث عن فانوس", "赤いスカーフの小さなキツネ", "一只狐狸在找灯笼"]


@pytest.fixture
def no_tables_in_memory(monkeypatch):
    """Gives the icons module as a new process finds it: no table in memory, $STORYKIT_HOME at a folder."""
    from storykit.generate.animatic import icons

    def fresh(home):
        monkeypatch.setenv("STORYKIT_HOME", str(home))
        monkeypatch.setattr(icons, "_INDEX", icons._Index())
        icons._english_names.cache_clear()
        icons._names_key.cache_clear()
        return icons

    yield fresh
    icons._english_names.cache_clear()  # what the test put there goes; the session's home fills them again
    icons._names_key.cache_clear()


def _found(icons, texts=_TEXTS):
    return [[(m.word, m.icon, m.concept, m.lang) for m in icons.find(t)] for t in texts]


def test_name_tables_are_remembered_and_read_back_exactly_as_built(monkeypatch, tmp_path, no_tables_in_memory):
    icons = no_tables_in_memory(tmp_path)
    built = {lang: icons._table(lang) for lang in _LANGS}
    names = icons._build_english_names()
    found = _found(icons)  # builds and remembers what these texts need
    assert {"names.json", *(f"{lang}.json" for lang in _LANGS)} <= {p.name for p in (tmp_path / "word_tables").iterdir()}

    icons = no_tables_in_memory(tmp_path)
    monkeypatch.setattr(icons, "_table", lambda lang: pytest.fail(f"the {lang} table was built again"))
    monkeypatch.setattr(icons, "_build_english_names", lambda: pytest.fail("the English names were built again"))
    assert _found(icons) == found
    for lang in _LANGS:
        table = icons._index()[lang]
        assert table == built[lang] and all(type(v) is tuple for v in table.values()), lang
    assert icons._english_names() == names


def test_a_second_process_reads_the_tables_without_the_emoji_package(tmp_path):
    """What remembering buys: the emoji data and OpenMoji's cmap are not even loaded."""
    import os
    import subprocess
    import sys

    code = ("import sys; from storykit.generate.animatic.reading import read_story; from storykit.plan import Triple;"
            "r = read_story(Triple('a misty bamboo forest at dawn', 'a small red fox in a blue scarf', 'searches for a lost lantern'));"
            "print(r.subject.what, 'emoji' in sys.modules)")
    env = {**os.environ, "STORYKIT_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["fox", "True"], ["fox", "False"]]


@pytest.mark.parametrize("damage", ["{", "[]", '{"key": 1}', "[" * 100_000, "not UTF-8", "right key, wrong types",
                                    "right key, short rows"], ids=["cut", "a list", "a bad key", "nested too deep", "not UTF-8",
                                                                   "wrong types", "short rows"])
def test_a_damaged_table_is_built_again_and_never_read(monkeypatch, tmp_path, damage, no_tables_in_memory):
    import json

    icons = no_tables_in_memory(tmp_path)
    want = _found(icons)
    for name in ("names", "es"):
        path = tmp_path / "word_tables" / f"{name}.json"
        saved = json.loads(path.read_text("utf-8"))
        first = next(iter(saved["value"]))
        if damage == "right key, wrong types":
            saved["value"][first] = ["1", 2, 3] if name == "es" else [3, "aliases"]
        elif damage == "right key, short rows":
            saved["value"][first] = [0, 5] if name == "es" else ["fox"]
        if damage == "not UTF-8":
            path.write_bytes(b"\xff" + path.read_bytes())
        else:
            path.write_text(json.dumps(saved) if damage.startswith("right key") else damage, "utf-8")
    icons = no_tables_in_memory(tmp_path)
    assert _found(icons) == want
    assert all(type(v) is tuple and len(v) == 3 for v in icons._index()["es"].values())
    assert icons._english_names() == icons._build_english_names()
    assert json.loads((tmp_path / "word_tables" / "es.json").read_text("utf-8"))["value"] == \
        json.loads(json.dumps(icons._table("es")))  # written again, whole


def test_a_changed_names_file_builds_its_table_again(monkeypatch, tmp_path, no_tables_in_memory):
    """The key covers the files a table is built from: an updated emoji package is never read through old tables."""
    import json
    import shutil

    from storykit.generate.animatic import icons as real

    data = tmp_path / "unicode_codes"
    data.mkdir()
    for name in ("emoji.json", "data_dict.py", "emoji_es.json"):
        shutil.copy2(real._data_dir() / name, data / name)
    icons = no_tables_in_memory(tmp_path / "home")
    monkeypatch.setattr(icons, "_data_dir", lambda: data)
    assert [m.icon for m in icons.find("un zorro en el bosque", "es")][:1] == ["🦊"]

    names = json.loads((data / "emoji_es.json").read_text("utf-8"))
    fox = next(e for e in names if e.replace("\ufe0f", "") == "🦊")
    names[fox] = ":ornitorrinco:"  # the next release names 🦊 otherwise
    (data / "emoji_es.json").write_text(json.dumps(names, ensure_ascii=False), "utf-8")
    icons = no_tables_in_memory(tmp_path / "home")
    assert [m.icon for m in icons.find("un ornitorrinco en el bosque", "es")][:1] == ["🦊"]


@pytest.mark.parametrize("blocked", ["a file for a home", "folders for files"])
def test_a_home_that_cannot_be_written_still_reads_every_word(tmp_path, no_tables_in_memory, blocked):
    home = tmp_path / "home"
    if blocked == "a file for a home":
        home.write_text("a file where the folder would be")
    else:  # each table's file is a folder: the temporary file is written, and cannot replace it
        from storykit.generate.animatic import icons

        for name in ["names", "en", *icons._STEMMED, *icons._CJK]:
            (home / "word_tables" / f"{name}.json").mkdir(parents=True)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    icons = no_tables_in_memory(home)
    want = _found(icons)
    icons = no_tables_in_memory(home)
    assert _found(icons) == want and want[0]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # no temporary file left behind


def test_no_home_folder_at_all_still_reads_every_word(monkeypatch, no_tables_in_memory, tmp_path):
    """Path.home() raises where neither $HOME nor the password database names one: nothing is kept, nothing breaks."""
    import pathlib

    icons = no_tables_in_memory(tmp_path)
    want = _found(icons)
    icons = no_tables_in_memory(tmp_path)
    monkeypatch.delenv("STORYKIT_HOME")
    monkeypatch.setattr(pathlib.Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    assert _found(icons) == want


def test_a_key_for_code_that_cannot_be_read_is_still_a_key(tmp_path):
    """storykit run from a zip has no source file to hash: its version stands in, and nothing raises."""
    from storykit.remembered import files_key

    data = tmp_path / "names.json"
    data.write_text("{}")
    key = files_key(data, code=str(tmp_path / "storykit.zip" / "icons.py"))
    assert key == files_key(data, code=str(tmp_path / "storykit.zip" / "icons.py")) and len(key) == 32
    data.write_text('{"a": 1}')
    assert files_key(data, code=str(tmp_path / "storykit.zip" / "icons.py")) != key  # the files still count
