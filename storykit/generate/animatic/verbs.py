"""Which motion an action's verb asks for, in the 15 languages the animatic reads.

>>> verb_class("swims across the bay")
'swim'
>>> verb_class("se esconde detrás de un árbol"), verb_class("ищет потерянный фонарь"), verb_class("ケーキを食べる")
('hide', 'search', 'eat')
>>> verb_class("falls asleep under a tree"), verb_class("runs away from a bee")
('sleep', 'run_away')

Each motion class has a small table of verb forms per language (the third person of the
present, the infinitive, a few irregular forms). A word matches a form:
* in languages written with spaces, when their Snowball stems agree (`snowballstemmer`,
  BSD), so inflected forms match ("corren" ~ "corre", "прыгают" ~ "прыгает");
* for forms written with a trailing "-", and in Korean, Turkish and Hindi (words glue
  endings on), when the word starts with the form ("koşuyor" ~ "koş-", "दौड़ती" ~ "दौड़");
* in Chinese and Japanese (no spaces), when the form is inside the text; longer forms first
  ("跳舞" is dance, not "跳" jump).
The first verb of the action counts (the last in verb-final languages: ja, ko, hi, tr, fa).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from . import icons

__all__ = ["VERB_CLASSES", "SECOND_FIGURE", "verb_class", "verb_match"]

# class -> language -> forms ("-" at the end: a root, matched as a word's beginning), from data/verbs.tsv
_DATA = Path(__file__).with_name("data") / "verbs.tsv"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in _DATA.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cls, lang, forms = line.split("\t")
            table.setdefault(cls, {})[lang] = forms
    return table


# Phrases that pick a class before single words do ("runs away": not run).
_PHRASES = {"run_away": ("runs away", "run away", "running away", "ran away", "läuft weg", "rennt weg", "lari dari",
                         "s'enfuit", "se sauve", "corre lejos", "foge de"),
            "ride": ("fait du vélo", "fait du cheval", "monta en bicicleta", "anda en bicicleta", "anda de bicicleta",
                     "fährt rad", "fährt fahrrad", "va in bicicletta", "fa un giro", "naik sepeda"),
            "sleep": ("falls asleep", "fall asleep", "fell asleep", "goes to sleep")}
VERB_CLASSES = tuple(c for c in _table() if c != "play")
# Verbs acted with a second figure: who is chased, who chases, who receives, who is hugged.
SECOND_FIGURE = {"chase": "ahead", "run_away": "behind", "give": "receiver", "hug": "partner"}
_VERB_FINAL = {"ja", "ko", "hi", "tr", "fa"}
_SUBSTRING = {"ja", "zh", "ko"}
_PREFIX = {"hi", "tr", "ko"}
_INFLECTED = {"es", "fr", "de", "it", "pt"}
_INSTRUMENT = re.compile(r"violin|guitar|piano|keyboard|drum|trumpet|saxophone|flute|banjo|harp|accordion|maracas|"
                         r"long drum|musical|bell|horn|ukulele|cello")
_BALL = re.compile(r"ball|frisbee|boomerang|disc|soccer|basketball|volleyball|baseball|softball|tennis")
_FOOD = re.compile(r"cake|bread|pie|soup|pizza|cookie|food|rice|noodle|spaghetti|curry|sushi|burger|pancake|stew|"
                   r"croissant|dumpling|taco|sandwich|omelet|egg|meal|dinner|lunch|breakfast|dessert|cupcake|cooking")


def _stem(lang: str, word: str) -> str:
    if lang == "en":
        return _en_stemmer().stemWord(word.lower())
    return icons._stem(lang, word)


@functools.lru_cache(maxsize=1)
def _en_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=None)
def _forms(lang: str) -> tuple[tuple[str, str, bool, str], ...]:
    """(class, form or stem, is a root, the form as written) for one language, longest forms first."""
    out = []
    for cls, langs in _table().items():
        for form in langs.get(lang, "").split():
            root = form.endswith("-") or lang in _PREFIX or lang in _SUBSTRING
            form = form.rstrip("-").lower()
            out.append((cls, form if root else _stem(lang, form), root, form))
    return tuple(sorted(out, key=lambda f: -len(f[1])))


def _inflected(word: str, form: str) -> bool:
    """A Romance or Germanic inflection the stemmer keeps apart ("nagent" ~ "nage"): a shared start of four
    letters or more, and endings of at most three letters on the word and two on the form."""
    n = len(os.path.commonprefix([word, form]))
    return n >= 4 and len(word) - n <= 3 and len(form) - n <= 2


def _languages(text: str) -> tuple[str, ...]:
    """Which tables to read `text` with: its script's languages, the likeliest first."""
    if re.search(r"[\uac00-\ud7af]", text):
        return ("ko",)
    if re.search(r"[\u3040-\u30ff]", text):
        return ("ja", "zh")
    if re.search(r"[\u3400-\u9fff]", text):
        return ("zh", "ja")
    if re.search(r"[\u0400-\u04ff]", text):
        return ("ru",)
    if re.search(r"[\u0900-\u097f]", text):
        return ("hi",)
    if re.search(r"[\u0600-\u06ff]", text):
        return ("fa", "ar") if re.search(r"[پچژگکی]", text) else ("ar", "fa")
    from ...plan.captions import detect_language

    first = detect_language([text])
    if first == "und" and re.search(r"[ğışĞİŞ]", text):
        first = "tr"
    rest = ("en", "es", "fr", "de", "it", "pt", "tr", "id")
    return (first, *[lg for lg in rest if lg != first]) if first in rest else rest


def verb_match(text: str) -> tuple[str, int, str] | None:
    """(class, where in `text`, the word as typed) for the verb of `text` that picks its motion, or None."""
    text = " ".join(str(text).split())
    low = text.lower()
    for cls, phrases in _PHRASES.items():
        for p in phrases:
            i = low.find(p)
            if i >= 0:
                return cls, i, text[i : i + len(p)]
    for lang in _languages(text):
        forms = _forms(lang)
        hits: list[tuple[int, str, str]] = []
        if lang in ("ja", "zh"):
            taken = [False] * len(text)
            for cls, form, _, _ in forms:
                start = 0
                while form and (i := text.find(form, start)) >= 0:
                    if not any(taken[i : i + len(form)]):
                        hits.append((i, cls, form))
                        for k in range(i, i + len(form)):
                            taken[k] = True
                    start = i + 1
        else:
            for start, word in icons.tokens(text):
                w = word.lower()
                stem = _stem(lang, w)
                for cls, form, root, written in forms:
                    if (root and w.startswith(form)) or (not root and (stem == form or w == form)):
                        hits.append((start, cls, word))
                        break
                else:
                    if lang in _INFLECTED:
                        cls = next((f[0] for f in forms if not f[2] and _inflected(w, f[3])), None)
                        if cls:
                            hits.append((start, cls, word))
        if hits:
            classes = {c for _, c, _ in hits}
            if "sleep" in classes:  # "falls asleep", "se queda dormida": the sleep is what shows
                return next(h for h in hits if h[1] == "sleep")[1], 0, next(h for h in hits if h[1] == "sleep")[2]
            hits.sort()
            i, cls, word = hits[-1] if lang in _VERB_FINAL else hits[0]
            return cls, i, word
    return None


def verb_class(action: str, objects: tuple[str, ...] = ()) -> str | None:
    """The motion class of `action`'s verb (one of VERB_CLASSES), or None when no verb is known.

    `objects` are the English concepts of what the action names ("violin"): a "play"
    verb is music with an instrument, a throw with a ball, else a dance; "makes" a cake is cooking.
    """
    hit = verb_match(action)
    if hit is None:
        return None
    cls = hit[0]
    things = " ".join(objects)
    if cls in ("play", "play_music"):
        if _INSTRUMENT.search(things):
            return "play_music"
        if _BALL.search(things):
            return "throw"
        return "dance" if cls == "play" else "play_music"
    if cls == "build" and _FOOD.search(things):
        return "cook"
    return cls
