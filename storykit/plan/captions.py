"""The template writer's sentences: one self-contained caption per beat, in the triple's language.

>>> from storykit.plan.captions import short_reference, detect_language, reading_seconds
>>> short_reference("a small red fox in a blue scarf")
'the fox'
>>> short_reference("an old jazz musician with a battered trumpet")
'the musician'
>>> detect_language(["夜明けの竹林", "赤いキツネ", "ランタンを探す"])
'ja'
>>> reading_seconds("The fox searches for a lost lantern.")   # 7 words at 3 words/s
2.33

English triples get English sentences that name the character in full once and
then by the descriptor's head noun ("the fox"). Any other language keeps the
user's words exactly as typed, in neutral sentence frames (the field itself, or
subject + predicate), with a few localised connecting lines for languages we
have checked (es, fr, de, it, pt, ru, ja, zh, ko, ar); unknown languages and
emoji get no added words at all. English grammar never wraps other languages.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata

__all__ = [
    "READING_WPS",
    "MIN_CAPTION_S",
    "reading_words",
    "reading_seconds",
    "detect_language",
    "short_reference",
    "clean_field",
    "where",
    "Voice",
    "voice_for",
]

# Reading speed for captions: 3 words per second (180 words per minute), between the
# Netflix Timed Text Style Guide's rates for children's (160 wpm) and adult (200 wpm)
# programmes. Han and kana characters count half a word each (a Chinese or Japanese
# word averages about two characters); every caption gets at least Netflix's minimum
# event duration of 5/6 s.
READING_WPS = 3.0
MIN_CAPTION_S = 5 / 6

_END_PUNCT = " \t.,;:!?…。．！？、،؛؟"


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA"))


def reading_words(text: str) -> float:
    """Words a reader has to read in `text` (Han/kana characters count half a word each)."""
    total = 0.0
    for token in text.split():
        cjk = sum(1 for ch in token if _is_cjk(ch))
        rest = "".join(ch for ch in token if not _is_cjk(ch) and (ch.isalnum() or unicodedata.category(ch) == "So"))
        total += cjk / 2 + (1 if rest else 0)
    return total


def reading_seconds(text: str) -> float:
    """Seconds needed to read `text` at READING_WPS (at least MIN_CAPTION_S), rounded to 0.01 s."""
    if not text.strip():
        return 0.0
    return round(max(MIN_CAPTION_S, reading_words(text) / READING_WPS), 2)


# -- the language --------------------------------------------------------------------------

# Function words that tell short Latin-script phrases apart. Statistical detectors are
# unreliable on 3-10 words, and only one decision matters here: is English grammar safe?
_STOPWORDS = {
    "en": {"a", "an", "the", "of", "in", "on", "with", "at", "for", "to", "and", "his", "her", "their", "its", "from",
           "by", "into", "through", "under", "over", "is", "who", "that", "lost", "old", "little", "small", "big"},
    "es": {"un", "una", "el", "los", "las", "del", "con", "en", "por", "para", "y", "su", "sus", "que", "al", "unos",
           "unas", "busca", "pequeño", "pequeña"},
    "fr": {"le", "les", "une", "des", "du", "dans", "avec", "sur", "et", "pour", "au", "aux", "sa", "son", "ses",
           "petit", "petite", "cherche"},
    "de": {"der", "die", "das", "ein", "eine", "einen", "einem", "im", "mit", "und", "auf", "dem", "den", "für",
           "sucht", "kleiner", "kleine"},
    # Italian words Spanish does not have, so that its shared "un" and "con" do not outvote an Italian triple
    # ("un giardino pieno di fiori", "un polpo con un cappello", "una lettera perduta")
    "it": {"il", "lo", "gli", "uno", "una", "nel", "nella", "per", "di", "della", "dei", "degli", "piccolo", "piccola",
           "cerca", "all", "alla", "pieno", "piena", "perduto", "perduta", "perso", "persa", "vecchio", "vecchia",
           "sopra", "sotto", "dentro"},
    "pt": {"um", "uma", "os", "do", "da", "no", "na", "com", "em", "seu", "sua", "pequeno", "pequena", "procura"},
    # Indonesian: classifiers (seekor, sebuah, seorang) and particles; not "di", which Italian shares
    "id": {"seekor", "sebuah", "seorang", "sang", "yang", "ke", "dari", "dan", "dengan", "untuk", "saat", "pada",
           "dalam", "kecil", "besar", "mencari", "sedang", "hilang"},
    "tr": {"bir", "ve", "ile", "için", "küçük", "büyük", "arıyor", "kayıp", "eski", "yaşlı", "genç"},
}
_SCRIPTS = (("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("HANGUL", "ko"), ("CJK", "zh"), ("CYRILLIC", "ru"),
            ("ARABIC", "ar"), ("HEBREW", "he"), ("DEVANAGARI", "hi"), ("GREEK", "el"), ("THAI", "th"))


def detect_language(texts: list[str]) -> str:
    """A language code for the triple: en, es, fr, de, it, pt, id, tr, ja, zh, ko, ru, ar, he, hi, el, th, or 'und'.

    Non-Latin scripts are told by their characters (kana anywhere means Japanese);
    Latin text by its function words; ASCII text without any counts as English,
    and accented text without any, or no letters at all (emoji), as 'und'.
    """
    text = " ".join(texts)
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "und"
    counts: dict[str, int] = {}
    for ch in letters:
        name = unicodedata.name(ch, "")
        code = next((c for prefix, c in _SCRIPTS if name.startswith(prefix)), "latin" if "LATIN" in name else "other")
        counts[code] = counts.get(code, 0) + 1
    if counts.get("ja"):  # kana mixed with kanji is Japanese
        return "ja"
    script = max(counts, key=counts.get)
    if script == "other":
        return "und"
    if script != "latin":
        return script
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores.values())
    if best == 0:
        return "en" if text.isascii() else "und"
    leaders = [lang for lang, s in scores.items() if s == best]
    return leaders[0] if len(leaders) == 1 else "und"  # a tie: do not guess which phrases to add


# -- the character ---------------------------------------------------------------------------

_ARTICLES = {"a", "an", "the", "one", "some"}
_NUMBERS = {"two", "three", "four", "five", "several", "many", "a pair of"}
_POSSESSIVES = {"my", "our", "your", "his", "her", "their"}
# Words that end the noun phrase: what follows describes it ("a fox in a scarf").
_CUT = {"in", "with", "on", "wearing", "who", "that", "which", "from", "of", "holding", "carrying", "named", "called",
        "under", "at", "near", "by", "for", "whose", "dressed", "riding", "inside", "without", "beside", "to",
        # "X made of Y" is X: what it is made of describes it
        "made", "carved", "built", "sewn", "knitted", "folded", "covered", "filled", "full", "shaped", "crafted"}


def clean_field(text: str) -> str:
    """A field without the sentence punctuation a user may have typed at its end ("a lantern." -> "a lantern")."""
    return text.strip().rstrip(_END_PUNCT).strip() or text.strip()


def _lower_first(text: str) -> str:
    """'A small fox' -> 'a small fox', but 'Mia' and 'NASA' stay (only a leading article is lowered)."""
    first, _, rest = text.partition(" ")
    if first.lower() in _ARTICLES | _POSSESSIVES | _NUMBERS and first[1:].islower() | (len(first) == 1):
        return first.lower() + (" " + rest if rest else "")
    return text


_PREPOSITIONS = {"in", "on", "at", "inside", "under", "near", "by", "above", "beneath", "among", "across", "over",
                 "along", "beside", "behind", "within", "outside", "deep", "high", "somewhere", "atop"}
_OTHER_DETERMINERS = {"this", "that", "these", "those", "some", "every", "each", "any", "no", "all", "both", "many"}


def _determined(phrase: str) -> str:
    """A bare lower-case noun phrase gets "the", so a caption reads as English:
    'kitchen' -> 'the kitchen' ("This is the kitchen."), 'chef' -> 'the chef'; 'a fox', 'Mia',
    'my grandmother', 'two cats' and 'under the sea' stay as typed."""
    first = phrase.split(" ", 1)[0]
    low = first.lower()
    if not first[:1].islower() or low in _ARTICLES | _POSSESSIVES | _NUMBERS | _PREPOSITIONS | _OTHER_DETERMINERS:
        return phrase
    return "the " + phrase


def _core(character: str) -> str:
    """The descriptor's noun phrase without what follows it: 'a tall knight in silver armour' -> 'a tall knight'."""
    core: list[str] = []
    for w in clean_field(character).replace(",", " , ").split():
        if w == "," or (core and w.lower() in _CUT):
            break
        core.append(w)
    return " ".join(core) or clean_field(character)


def short_reference(character: str) -> str:
    """The character by its head noun, for every mention after the first: 'a small red fox in a blue scarf' -> 'the fox'.

    Names stay names ('Mia, a curious girl' -> 'Mia'); possessives stay ('my old grandmother'
    -> 'my grandmother'); 'a fox and a rabbit' -> 'the fox and the rabbit'.
    """
    text = clean_field(character)
    words = text.replace(",", " , ").split()
    core: list[str] = []
    for w in words:
        if w == "," or (core and w.lower() in _CUT):
            break
        core.append(w)
    if not core:
        return text
    first = core[0].lower()
    if "and" in (w.lower() for w in core[1:]):  # two characters: keep both, definite
        return " ".join("the" if w.lower() in ("a", "an", "one") else w for w in [_lower_first(core[0])] + core[1:])
    head = _emoji_word(core[-1])
    if first in _POSSESSIVES:
        return f"{first} {head}" if len(core) > 1 else text
    if first in _ARTICLES or first in _NUMBERS:
        return f"the {head}" if len(core) > 1 else text
    if core[0][:1].isupper():  # a name: "Mia", "Captain Nemo"
        return " ".join(core[:3])
    return f"the {head}"  # a bare noun phrase: "robots" -> "the robots"


def _emoji_word(word: str) -> str:
    """An emoji typed as the noun, said in words: '🤖' -> 'robot', '🐶' -> 'dog' (its Unicode name)."""
    if not word or any(ch.isalnum() for ch in word):
        return word
    names = [unicodedata.name(ch, "").lower() for ch in word if unicodedata.category(ch) == "So"]
    if not names or not names[0]:
        return word
    name = names[0]
    for tail in (" face", " with face"):
        name = name[: -len(tail)] if name.endswith(tail) else name
    return name


def _plural(character: str) -> bool:
    words = clean_field(character).lower().split()
    if not words:
        return False
    if words[0] in _NUMBERS or " and " in f" {' '.join(words)} ":
        return True
    short = short_reference(character).split()[-1].lower()
    return short.endswith("s") and not short.endswith(("ss", "us", "is", "ys"))


def _place(setting: str) -> str:
    """The setting's first noun phrase, for a caption that must be short: 'a ruin, with waterfalls' -> 'a ruin'."""
    text = setting.split(",", 1)[0].strip()
    words = text.split()
    for i, w in enumerate(words[2:], start=2):
        if w.lower() in {"with", "where", "that", "which", "full", "filled", "deep", "surrounded", "covered", "under"}:
            return " ".join(words[:i])
    return text


def where(setting: str) -> str:
    """'a forest' -> 'in a forest'; 'under the sea' stays (it already says where)."""
    if setting.split(" ", 1)[0].lower() in _PREPOSITIONS:
        return setting
    return "in " + setting


# -- the voices --------------------------------------------------------------------------------

# Per beat: sentence frames, in preference order; one is picked per scene by the seed and
# shorter ones are used when a caption would not be readable in the scene's time.
# {Full}/{full}: the character in full (first mention); {Short}/{short}: the short
# reference; {action}: verbatim; {s}: the verb ending ("" for a plural character).
_EN = {
    "establish": ("{Setting}.", "It begins {where}.", "We are {where}.", "Far away: {setting}."),
    "introduce": ("Meet {full}.", "Here come{s} {full}.", "Enter {full}."),
    "rising": ("{Short} {action}.", "Step by step, {short} {action}.", "Undaunted, {short} {action}.",
               "On and on, {short} {action}.", "Still, {short} {action}."),
    "obstacle": ("But it is harder than it looks.", "Something stands in the way.", "A moment of doubt for {short}.",
                 "It will not be easy."),
    "discovery": ("Then {short} notice{s} something.", "A clue! {Short} look{s} closer.", "Something glimmers ahead.",
                  "Wait: what is that?"),
    "climax": ("At last, {short} {action}!", "With one final effort, {short} {action}.", "Now or never: {short} {action}!"),
    "resolution": ("{Short} did it. The end.", "It worked, and all is well. The end.", "Done at last. The end."),
}
# Shorter frames used only when no frame above can be read in the scene's time.
_EN_SHORT = {"establish": ("{Place}.",), "introduce": ("Meet {core}.",), "climax": ("{Short} {action}!",)}
# Localised connecting lines (checked translations): but-it-is-not-easy, something-catches-the-eye, the-end.
_LINES = {
    "es": ("Pero no es fácil.", "Algo llama la atención.", "Fin."),
    "fr": ("Mais ce n'est pas facile.", "Quelque chose attire l'attention.", "Fin."),
    "de": ("Doch es ist nicht leicht.", "Etwas fällt ins Auge.", "Ende."),
    "it": ("Ma non è facile.", "Qualcosa attira l'attenzione.", "Fine."),
    "pt": ("Mas não é fácil.", "Algo chama a atenção.", "Fim."),
    "ru": ("Но это непросто.", "Что-то привлекает внимание.", "Конец."),
    "ja": ("でも、簡単ではない。", "何かが目に留まる。", "おしまい。"),
    "zh": ("但这并不容易。", "有什么东西引起了注意。", "完。"),
    "ko": ("하지만 쉽지 않다.", "무언가 눈길을 끈다.", "끝."),
    "ar": ("لكن الأمر ليس سهلاً.", "شيء ما يلفت الانتباه.", "النهاية."),
    "hi": ("लेकिन यह आसान नहीं है।", "कुछ ध्यान खींचता है।", "समाप्त।"),
    "id": ("Tapi itu tidak mudah.", "Sesuatu menarik perhatian.", "Tamat."),
    "tr": ("Ama bu kolay değil.", "Bir şey dikkatini çekiyor.", "Son."),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ends_in_word(text: str) -> bool:
    """True when `text` ends in a letter or digit (so a full stop belongs after it; not after emoji)."""
    return bool(text) and (text[-1].isalnum() or unicodedata.category(text[-1]).startswith("M"))


def _korean_topic(text: str) -> str:
    """은 after a final consonant, 는 after a vowel (the Hangul syllable tells)."""
    last = text[-1]
    if "가" <= last <= "힣":
        return "은" if (ord(last) - 0xAC00) % 28 else "는"
    return " "


_DANDA = {"hi", "mr", "ne"}


@dataclasses.dataclass(frozen=True)
class Voice:
    """How captions are written for one triple: its language and the character's two names."""

    lang: str
    setting: str
    character: str
    action: str
    short: str
    plural: bool = False

    @property
    def english(self) -> bool:
        return self.lang == "en"

    def _stop(self, text: str, mark: str = ".") -> str:
        if not _ends_in_word(text):
            return text  # emoji or a symbol: no added punctuation
        if self.lang in ("ja", "zh"):
            return text + {"!": "！"}.get(mark, "。")
        if self.lang in _DANDA and mark == ".":
            return text + "।"  # Hindi (and Marathi, Nepali) end a sentence with the danda
        if self.lang == "es" and mark == "!":
            return "¡" + text + "!"
        return text + mark

    def _statement(self, mark: str = ".", subject: str | None = None) -> str:
        """Subject + predicate without English grammar: 'キツネは…探す。', '狐狸寻找…。', 'Un zorro busca…'."""
        c, a = subject or self.short, self.action
        if self.lang == "ja":
            body = f"{c}は{a}"
        elif self.lang == "zh":
            body = f"{c}{a}"
        elif self.lang == "ko" and _ends_in_word(c):
            body = f"{c}{_korean_topic(c)} {a}".replace("  ", " ")
        else:
            body = f"{_cap(c)} {a}"
        return self._stop(body, mark)

    def options(self, beat: str, *, short: bool = False) -> list[str]:
        """Every caption this voice can give `beat`, in preference order (`short`: the last-resort ones)."""
        if short:
            return self._english(_EN_SHORT.get(beat, ())) if self.english else []
        if self.english:
            return self._english(_EN.get(beat, _EN["rising"]))
        return self._neutral(beat)

    def _english(self, frames) -> list[str]:
        full, setting = _determined(_lower_first(self.character)), _determined(_lower_first(self.setting))
        fields = {
            "setting": setting, "Setting": _cap(setting), "Place": _cap(_place(setting)), "where": where(setting),
            "full": full, "Full": _cap(full), "core": _determined(_lower_first(_core(self.character))),
            "short": self.short, "Short": _cap(self.short), "action": self.action, "s": "" if self.plural else "s",
        }
        return [_tidy(t.format(**fields)) for t in frames]

    def _neutral(self, beat: str) -> list[str]:
        lines = _LINES.get(self.lang)
        setting = self._stop(_cap(self.setting))
        character = self._stop(_cap(self.character))
        if beat == "establish":
            return [setting]
        if beat == "introduce":
            return [character]
        if beat == "obstacle" and lines:
            return [lines[0]]
        if beat == "discovery" and lines:
            return [lines[1]]
        if beat == "climax":
            return list(dict.fromkeys([self._statement("!"), self._statement("!", self.character)]))
        if beat == "resolution":
            return [lines[2]] if lines else [setting]
        return list(dict.fromkeys([self._statement(), self._statement(".", self.character)]))


def title(voice: Voice, limit: int = 120) -> str:
    """The story's title: 'The fox searches for a lost lantern', keeping the subject's head noun.

    A long one is cut at a word boundary (a character boundary only in scripts written
    without spaces: Chinese, Japanese) and ends with '…', so it never shrinks to the noun
    alone. No full stop: a title is not a sentence.
    """
    if voice.english:
        text = f"{_cap(voice.short)} {voice.action}"
    else:
        text = voice.options("rising")[0].rstrip("。.!！¡।")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if " " not in text.strip() or voice.lang in ("ja", "zh"):
        return text[: limit - 1] + "…"
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _tidy(text: str) -> str:
    """No doubled or stranded punctuation where a frame meets a field ('lantern..', 'dawn.:')."""
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([.!?])[.,;:]+", r"\1", text)
    text = re.sub(r",([.!?])", r"\1", text)
    return " ".join(text.split())


def voice_for(setting: str, character: str, action: str) -> Voice:
    """The Voice for a triple: cleaned fields, the language, and the character's short reference."""
    setting, character, action = clean_field(setting), clean_field(character), clean_field(action)
    lang = detect_language([setting, character, action])
    if lang == "en":
        action = action[:1].lower() + action[1:] if action[1:2].islower() or len(action) == 1 else action
        return Voice(lang, setting, character, action, short_reference(character), _plural(character))
    return Voice(lang, setting, character, action, _head_final_short(character, lang))


_JA_NO_NOUNS = ("男の子", "女の子", "男の人", "女の人")
_MEASURE = ("一只", "一个", "一位", "一条", "一头", "一匹", "一群", "两只", "一名")


def _head_final_short(character: str, lang: str) -> str:
    """The head noun where the language puts it last (ja, zh, ko), so later mentions stay short.

    Japanese: the closing run of katakana or kanji ('青いスカーフの小さな赤いキツネ' -> 'キツネ');
    Chinese: what follows the last 的, without a leading measure word ('一只戴蓝围巾的小红狐狸'
    -> '小红狐狸'); Korean: the last word ('작은 여우' -> '여우'). Other languages keep the
    character exactly as typed.
    """
    text = character.strip()
    if lang == "ja" and text.endswith(_JA_NO_NOUNS):  # nouns with の inside: '小さな男の子' -> '男の子', not '子'
        return next(n for n in _JA_NO_NOUNS if text.endswith(n))
    if lang == "ja":
        kinds = [unicodedata.name(ch, "").split(" ")[0] for ch in text]
        if kinds and kinds[-1] in ("KATAKANA", "CJK"):
            i = len(kinds)
            while i > 0 and kinds[i - 1] == kinds[-1] or (i > 0 and text[i - 1] == "ー" and kinds[-1] == "KATAKANA"):
                i -= 1
            if 0 < i < len(text):
                return text[i:]
    elif lang == "zh":
        short = text.rsplit("的", 1)[-1] if "的" in text[:-1] else text
        for m in _MEASURE:
            if short.startswith(m) and len(short) > len(m):
                short = short[len(m):]
                break
        return short or text
    elif lang == "ko" and " " in text:
        return text.rsplit(" ", 1)[-1]
    return text


def frames_to_read(text: str, fps: int, *, step_s: float = 0.5) -> int:
    """Frames a caption needs on screen at READING_WPS, rounded up to half-second steps."""
    return int(math.ceil(reading_seconds(text) / step_s) * step_s * fps)
