"""Text in every script: glyphs, not tofu, in the animatic and in the stitched title card and captions."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from storykit.generate import lettering
from storykit.plan import Scene, Script, Triple
from storykit.generate.clips import Clip
from storykit.stitch import timeline

SAMPLES = {
    "ja": "霧の竹林で小さなキツネがランタンを探す",
    "zh": "小狐狸在雾中的竹林里寻找灯笼",
    "ru": "Маленькая лиса ищет фонарь",
    "el": "Η μικρή αλεπού ψάχνει ένα φανάρι",
    "ar": "ثعلب صغير يبحث عن فانوس",
    "he": "שועל קטן מחפש פנס",
    "emoji": "🦊 🏮 🐙 🎻",
}


def _ink(text: str, size: int = 32) -> np.ndarray:
    img = Image.new("RGB", (900, 2 * size), 0)  # RGB: colour emoji draw only in colour images
    lettering.font(size).draw(ImageDraw.Draw(img), (4, 4), text, (255, 255, 255))
    return np.asarray(img).max(axis=-1)


@pytest.mark.parametrize("lang", SAMPLES)
def test_every_script_is_covered_by_a_font(lang):
    assert lettering.missing(SAMPLES[lang]) == []


@pytest.mark.parametrize("lang", SAMPLES)
def test_drawn_glyphs_are_the_fonts_glyphs_not_tofu(lang):
    """Each character drawn alone differs from the font's 'missing glyph' box and from its neighbours."""
    text = SAMPLES[lang].replace(" ", "")[:6]
    inks = [_ink(ch) for ch in dict.fromkeys(text)]
    tofu = _ink("\U0010fffd")  # a private-use code point: no font draws it
    assert not tofu.any()  # it is left out (and reported), never drawn as a box
    for ink in inks:
        assert ink.any()
    assert len({ink.tobytes() for ink in inks}) == len(inks)  # distinct shapes, not one repeated box


def test_missing_characters_are_reported_once(capsys):
    lettering._REPORTED.discard("\U0010fffe")
    lettering.font(20).getlength("a \U0010fffe b \U0010fffe")
    lettering.font(24).getlength("\U0010fffe")
    err = capsys.readouterr().err
    assert err.count("U+10FFFE") == 1 and "left out" in err


def test_arabic_is_joined_and_right_to_left():
    """Shaped text is narrower than its letters drawn apart (joined forms), and starts at the right."""
    f = lettering.font(32)
    word = "فانوس"
    apart = sum(f.getlength(ch) for ch in word)
    assert f.getlength(word) < apart
    # the first letter (ف) of the word is drawn rightmost: drawing it alone matches the right end
    ink = _ink(word)
    cols = np.flatnonzero(ink.any(axis=0))
    first = np.flatnonzero(_ink("فـ").any(axis=0))
    assert cols.max() - cols.min() > first.max() - first.min()


def test_arabic_without_raqm_is_shaped_by_arabic_reshaper(monkeypatch):
    with_raqm = lettering.font(32).getlength("فانوس")
    monkeypatch.setattr(lettering, "_raqm", lambda: False)
    for fn in (lettering._visual, lettering._runs, lettering._pil_font):
        fn.cache_clear()
    try:
        f = lettering.TextFont(32)
        runs = lettering._runs("فانوس", True)
        assert all("\ufe70" <= ch <= "\ufeff" for t, _, _ in runs for ch in t)  # presentation forms: joined
        assert abs(f.getlength("فانوس") - with_raqm) < 0.2 * with_raqm
        assert _ink("ثعلب صغير").any()
    finally:
        for fn in (lettering._visual, lettering._runs, lettering._pil_font):
            fn.cache_clear()


def test_wrapping_is_linear_and_breaks_cjk_between_characters():
    f = lettering.font(20)
    lines = f.wrap("小狐狸在雾中的竹林里寻找灯笼" * 3, 120, 10)
    assert len(lines) > 2 and all(f.getlength(line) <= 120 for line in lines)
    t = time.perf_counter()
    lines = f.wrap("x" * 400, 200, 3)  # one 400-character word
    assert time.perf_counter() - t < 5 and len(lines) == 3 and lines[-1].endswith("…")


def test_title_card_and_captions_draw_glyphs_in_every_script():
    bg = np.full((128, 256, 3), 90, np.uint8)
    for text in SAMPLES.values():
        card = timeline._title_card(bg, text)
        blank = timeline._title_card(bg, "\u200b")
        assert (np.abs(card.astype(int) - blank).sum(axis=-1) > 60).sum() > 100, text
        band_h, inv_alpha, top = timeline._caption_layer(text, 128, 256)
        empty = timeline._caption_layer("\u200b", 128, 256)
        assert band_h > 0 and (top != empty[2][: len(top)] if len(top) == len(empty[2]) else True) is not None
        assert (np.abs(top[..., 0].astype(int) - int(top[..., 0].min())) > 20000).sum() > 50, text


def test_title_card_matches_a_reference_rendering_of_the_same_fonts():
    """The title card's pixels come from Noto Sans CJK's own glyphs (a reference drawn with Pillow directly)."""
    bg = np.zeros((128, 256, 3), np.uint8)
    card = timeline._title_card(bg, "竹林")
    face = next(f for f in lettering.fonts() if f.cjk)
    ref_font = ImageFont.truetype(face.path, 12, index=2)
    ref_font.set_variation_by_axes([700])
    size = max(10, 128 // 10)
    ref_font = ImageFont.truetype(face.path, size, index=2, layout_engine=ImageFont.Layout.BASIC)
    ref_font.set_variation_by_axes([700])
    ref = Image.new("L", (256, 128), 0)
    ImageDraw.Draw(ref).text((0, 0), "竹林", font=ref_font, fill=255)
    a = card[..., 0] > 128
    r = np.asarray(ref) > 128
    ya, xa = np.nonzero(a)
    yr, xr = np.nonzero(r)
    crop_a = a[ya.min(): ya.max() + 1, xa.min(): xa.max() + 1]
    crop_r = r[yr.min(): yr.max() + 1, xr.min(): xr.max() + 1]
    assert crop_a.shape == crop_r.shape and (crop_a == crop_r).mean() > 0.97


def test_stitched_captions_of_a_japanese_story_have_glyphs():
    frames = np.full((8, 96, 128, 3), 120, np.uint8)
    script = Script(Triple("竹林", "キツネ", "探す"), [Scene(0, "introduce", "p", text="キツネが来る 🦊")])
    from storykit.stitch import stitch

    plain = stitch([Clip(frames, 8, 0)], script)
    capt = stitch([Clip(frames, 8, 0)], script, captions=True)
    diff = np.abs(capt.frames.astype(int) - plain.frames).sum(axis=-1)[0]
    assert (diff[60:] > 200).sum() > 40  # white glyph pixels in the band, not an empty box


# -- titles and line breaks ---------------------------------------------------------------------

def test_korean_lines_break_between_words_never_inside_one():
    text = "고양이는 맛있는 케이크를 천천히 먹는다"
    font = lettering.font(20)
    widest = max(font.getlength(w) for w in text.split())
    for width in (widest + 1, widest * 1.5, widest * 2.2, widest * 3.5):  # every word fits a line
        lines = font.wrap(text, width, 8)
        assert len(lines) > 1 or width > font.getlength(text)
        assert " ".join(lines) == text  # every break is at a space
        assert all(w in text.split() for line in lines for w in line.split())


def test_japanese_and_chinese_still_break_between_characters():
    font = lettering.font(20)
    lines = font.wrap("小さなキツネはなくしたランタンを探す。", 120, 8)
    assert len(lines) > 1 and "".join(lines) == "小さなキツネはなくしたランタンを探す。"
    assert not lines[-1].startswith("。")  # a full stop stays with its character


@pytest.mark.parametrize("triple,expected", [
    (("a forest", "a dragon made of paper", "chases the wind"), "The dragon chases the wind"),
    (("a lab", "a 🤖", "eats a cake"), "The robot eats a cake"),
    (("a kitchen", "a little chef in a tall hat", "bakes bread"), "The chef bakes bread"),
])
def test_titles_keep_the_head_noun(triple, expected):
    from storykit.plan import plan

    assert plan(*triple, num_scenes=3).title == expected


def test_a_long_title_is_cut_at_a_word_and_keeps_the_noun_and_the_verb():
    from storykit.plan import plan

    action = ("repairs his small wooden boat before the big autumn storm arrives and sails out into the dark sea "
              "to find all of the lost fishermen")
    title = plan("a fishing village", "an old man with a long white beard", action, num_scenes=3).title
    assert title.startswith("The man repairs his small wooden boat") and title.endswith("…") and len(title) <= 120
    assert title[:-1].split()[-1] in action.split()  # the last word is whole


def test_each_language_ends_its_sentences_with_its_own_full_stop():
    from storykit.plan import plan

    hindi = plan("एक जंगल", "एक छोटा ड्रैगन", "एक लड़की को फूल देता है", num_scenes=5)
    assert all(s.text.endswith(("।", "!")) for s in hindi.scenes) and not any(s.text.endswith(".") for s in hindi.scenes)
    japanese = plan("竹林", "キツネ", "ランタンを探す", num_scenes=5)
    assert all(s.text.endswith(("。", "！")) for s in japanese.scenes)
    assert not hindi.title.endswith(("।", ".")) and not japanese.title.endswith("。")


# -- each font's cmap, remembered in $STORYKIT_HOME/font_cmaps ------------------------------------------------


@pytest.fixture
def no_cmaps_in_memory(monkeypatch):
    """Gives lettering as a new process finds it: no cmap in memory, $STORYKIT_HOME at a folder."""
    def fresh(home):
        monkeypatch.setenv("STORYKIT_HOME", str(home))
        lettering._cmap.cache_clear()
        return lettering

    yield fresh
    lettering._cmap.cache_clear()


def test_every_fonts_cmap_is_remembered_and_read_back_exactly(tmp_path, no_cmaps_in_memory, monkeypatch):
    faces = lettering.fonts()
    assert len(faces) > 10 and any(f.cjk for f in faces)
    fresh = no_cmaps_in_memory(tmp_path)
    read = {f: fresh._cmap(f) for f in faces}
    assert all(read[f] == lettering._read_cmap(f) for f in faces)
    assert len(list((tmp_path / "font_cmaps").iterdir())) == len(faces)
    fresh = no_cmaps_in_memory(tmp_path)
    monkeypatch.setattr(lettering, "_read_cmap", lambda face: pytest.fail(f"{face.name} read again"))
    assert {f: fresh._cmap(f) for f in faces} == read


def test_a_second_process_draws_captions_without_fonttools(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import sys; from storykit.generate import lettering;"
            "print(lettering.missing('a fox 狐 🦊 лиса ثعلب'), 'fontTools' in sys.modules)")
    env = {**os.environ, "STORYKIT_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["[]", "True"], ["[]", "False"]]


@pytest.mark.parametrize("damage", ["not json", '{"key": "x", "value": []}', "right key, a range backwards",
                                    "right key, text for numbers", "right key, past Unicode"])
def test_a_damaged_cmap_is_read_from_the_font_again(tmp_path, no_cmaps_in_memory, damage):
    import json

    face = next(f for f in lettering.fonts() if f.name == "Noto Sans")
    want = no_cmaps_in_memory(tmp_path)._cmap(face)
    (path,) = (tmp_path / "font_cmaps").iterdir()
    saved = json.loads(path.read_text("utf-8"))
    saved["value"][0] = {"right key, a range backwards": [90, 65], "right key, text for numbers": ["65", "90"],
                         "right key, past Unicode": [65, 0x110000]}.get(damage, saved["value"][0])
    path.write_text(json.dumps(saved) if damage.startswith("right key") else damage, "utf-8")
    assert no_cmaps_in_memory(tmp_path)._cmap(face) == want


def test_a_font_file_replaced_in_place_is_read_again(tmp_path, no_cmaps_in_memory):
    """The key is the file's size and time, not its name: an updated font package is never read through an old cmap."""
    import shutil

    faces = {f.name: f for f in lettering.fonts()}
    path = tmp_path / "font.ttf"
    shutil.copy(faces["Noto Sans Armenian"].path, path)
    face = lettering.Face("test", str(path))
    assert no_cmaps_in_memory(tmp_path / "home")._cmap(face) == lettering._read_cmap(faces["Noto Sans Armenian"])
    shutil.copy(faces["Noto Sans Georgian"].path, path)
    assert no_cmaps_in_memory(tmp_path / "home")._cmap(face) == lettering._read_cmap(faces["Noto Sans Georgian"])
