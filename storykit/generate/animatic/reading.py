"""What the animatic understood of a story: its subject, props and setting, each with the word it came from.

>>> from storykit.plan.script import Triple
>>> r = read_story(Triple("a lighthouse on a stormy cliff", "a shy octopus librarian", "reads an old book"))
>>> r.subject.what, r.subject.icon, r.subject.word
('octopus', '🐙', 'octopus')
>>> [(t.what, t.word) for t in r.props]
[('open book', 'book')]
>>> r.not_drawn
('librarian',)

The character's first drawable noun is the subject: one of the figures the drawing code
does well (fox, cat, dog, bear, dragon, robot, knight, a person, ...) when its meaning is
one of them, in any language (キツネ, лиса, ثعلب -> the fox figure), else its icon. The
action's last drawable noun is its object (the prop). The setting's words pick the world
(sea, forest, city, a room, ...) and its landmarks (icons, or a drawn lighthouse).
"""

from __future__ import annotations

import dataclasses
import functools
import re

from ...plan.captions import detect_language
from . import icons, lexicon, verbs
from .words import _BAMBOO, _CASTLE, _CITY, _DESERT, _FOREST, _INDOOR, _JUNGLE, _MOUNTAIN, _SEA, _SNOW, _SPACE, _TIMES
from .words import _VILLAGE, ACCESSORIES, COLORS, KINDS, accessory_of, prop_look, world_look

__all__ = ["Thing", "StoryReading", "read_story", "read_scene", "drawn_line", "drawn_summary"]


@dataclasses.dataclass(frozen=True)
class Thing:
    """One thing the animatic draws: its role, what it is (English), its icon if any, the word it came from."""

    role: str  # subject, object, prop, setting, landmark, trait
    what: str
    word: str
    icon: str = ""
    how: str = "icon"  # icon (OpenMoji), figure (drawn character), drawing (drawn prop), scenery (world layer), worn
    place: str = ""  # for objects and props: hand, worn, under (ridden), scenery (background)
    color: tuple | None = None  # a colour the words bound to it ("a red umbrella")

    def to_dict(self) -> dict:
        """The `drawn` entry: word, what, how, role, icon (the backend adds the box)."""
        return {"word": self.word, "what": self.what, "how": self.how, "role": self.role, "icon": self.icon}

    def label(self) -> str:
        name = f"{self.what} {self.icon}" if self.icon else self.what
        return f"{name} (from {self.word!r})"


@dataclasses.dataclass(frozen=True)
class StoryReading:
    subject: Thing | None
    figure: str  # the KINDS word for character_look ("fox"), or "" when the subject is an icon
    props: tuple[Thing, ...]
    setting: tuple[Thing, ...]
    landmarks: tuple[Thing, ...]  # the setting's things drawn in the world layers
    world_text: str  # English words for world_look
    not_drawn: tuple[str, ...]
    look_text: str = ""  # English words for character_look (the figure, what it wears)
    sought: bool = False  # the action looks for its object: it appears when found
    partner: Thing | None = None  # a second figure: who is chased, hugged, given to
    verb: str | None = None  # the action's motion class (verbs.VERB_CLASSES), None when no verb is known
    traits: tuple[Thing, ...] = ()  # qualifiers drawn: underwater, a purple sky, grey hair and a cane


# Setting words in other languages, for the world (the emoji names have no "forest" or "kitchen").
_WORLD_WORDS = {
    "forest": "森 森林 树林 лес غابة forêt bosque wald foresta floresta orman hutan 숲 जंगल वन شجر أشجار الأشجار جنگل",
    "bamboo": "竹 бамбук خيزران bambou bambú bambus bambu 대나무 बांस",
    "sea": "海 море океан بحر محيط mer mar meer mare deniz laut océan océano ozean 바다 समुद्र सागर",
    "lake": "湖 池 озеро пруд بحيرة lac étang lago laguna teich weiher göl danau kolam 호수 연못 झील तालाब",
    "harbor": "港 港口 гавань порт ميناء hafen port puerto porto liman pelabuhan 항구 बंदरगाह",
    "beach": "浜 砂浜 海滩 沙滩 海辺 пляж берег شاطئ plage playa strand praia pantai 해변 समुद्र तट spiaggia spiagge",
    "city": "街 都市 城市 город улица مدينة شارع ville ciudad stadt città cidade şehir kota 도시 거리 शहर नगर बाज़ार बाजार mercado marché markt mercato рынок 市場 市场 시장 سوق بازار pasar pazar",
    "desert": "砂漠 沙漠 пустыня صحراء désert desierto wüste deserto çöl gurun 사막 रेगिस्तान मरुस्थल",
    "snow": "雪 снег зима зимний зимой снежный ثلج شتاء neige nieve schnee neve kar salju 눈 겨울 बर्फ सर्दी enneigé enneigée nevado nevada verschneit innevato innevata заснеженн снежн karlı bersalju बर्फीला बर्फीले",
    "mountain": "山 гора горы جبل montagne montaña berg montagna dağ gunung 산 पहाड़ पर्वत",
    "night": "夜 晚上 夜晚 ночь ночной ليل ليلة nuit noche nacht notte noite gece malam 밤 रात",
    "dawn": "夜明け 黎明 朝 清晨 早晨 рассвет утро فجر صباح aube amanecer morgen alba 새벽 아침 सुबह भोर",
    "dusk": "夕暮れ 黄昏 夕方 傍晚 закат вечер غروب مساء crépuscule atardecer abend 저녁 노을 शाम",
    "rain": "雨 дождь مطر pluie lluvia regen pioggia chuva yağmur hujan 비 बारिश",
    "storm": "嵐 暴风雨 风暴 шторм буря гроза عاصفة tempête tormenta sturm 폭풍 तूफ़ान तूफान",
    "mist": "霧 雾 туман ضباب brume niebla nebel nebbia névoa sis kabut 안개 कोहरा धुंध",
    "kitchen": "台所 キッチン 厨房 кухня مطبخ cuisine cocina küche cucina cozinha mutfak dapur 부엌 주방 रसोई",
    "library": "図書館 图书馆 библиотека مكتبة bibliothèque biblioteca bibliothek kütüphane perpustakaan 도서관 पुस्तकालय",
    "room": "部屋 房间 комната غرفة chambre habitación zimmer stanza quarto oda kamar 방 कमरा",
    "space": "宇宙 太空 космос فضاء espace espacio weltraum spazio uzay 우주 अंतरिक्ष",
    "castle": "城 城堡 замок قلعة château castillo schloss castello castelo kale 성 किला महल",
    "village": "村 村庄 деревня село قرية village pueblo dorf villaggio aldeia köy desa 마을 गाँव गांव",
    "garden": "庭 花园 庭園 並木 сад حديقة jardin jardín garten giardino jardim bahçe taman 정원 공원 बगीचा बाग parque parc park parco",
    "cliff": "崖 悬崖 утёс скала обрыв منحدر falaise acantilado klippe scogliera 절벽 चट्टान",
    "lighthouse": "灯台 灯塔 маяк منارة phare faro leuchtturm farol 등대 प्रकाशस्तंभ",
}
# world keywords -> the scenery element they draw (for `drawn`)
_SCENERY = (
    (_SPACE, "planet and stars"), (_SEA, "sea"), (_CITY, "buildings"), (_VILLAGE, "houses"), (_DESERT, "dunes"),
    (_CASTLE, "castle"), (_BAMBOO, "bamboo"), (_JUNGLE, "jungle"), (_FOREST, "trees"), (_SNOW, "snow"),
    (_MOUNTAIN, "mountains"), (_INDOOR, "room"),
    ({"mist", "misty", "fog", "foggy", "haze", "hazy"}, "mist"), ({"rain", "rainy", "storm", "stormy", "drizzle"}, "rain"),
    ({"blossom", "sakura", "cherry", "spring", "petal"}, "petals"), ({"autumn", "autumnal", "fall"}, "falling leaves"),
    *[(keys, f"{name} sky") for name, keys in _TIMES],
)
_ROOMS = {"library": "room", "kitchen": "kitchen", "bakery": "kitchen", "cafe": "kitchen", "classroom": "room",
          "bedroom": "room", "museum": "room", "workshop": "workbench"}
# Rooms that hold particular things: drawn as icons along the wall (a kitchen is not a bookshelf room).
ROOM_ICONS = {"library": "📚", "kitchen": "🍲🫖🍳", "bakery": "🥐🍞🎂", "cafe": "☕🍰", "workshop": "🔧🪚", "laboratory": "🧪🔬",
              "lab": "🧪🔬", "bedroom": "🛏🧸", "museum": "🏺🖼", "classroom": "📚✏", "garage": "🚗🔧"}
LANDMARK_DRAWINGS = {"lighthouse"}
# Actions about finding something: its object appears only when the beat finds it.
_SOUGHT = {"search", "searches", "searching", "seek", "seeks", "look", "looks", "find", "finds", "lost", "missing", "hunt",
           "hunts", "rescue", "rescues", "chase", "chases", "quest", "recover", "recovers", "retrieve", "retrieves"}
# "looks for" in other languages (English verbs are in backend._SOUGHT): the object shows once found.
_SOUGHT_WORDS = ("探す", "探し", "捜す", "なくした", "失くした", "迷子", "寻找", "找", "丢失", "丢", "ищет", "искать", "потерян",
                 "пропавш", "спасает", "يبحث", "مفقود", "ضائع", "cherche", "busca", "sucht", "cerca", "procura",
                 "perdu", "perdid", "verloren", "perdut", "mencari", "hilang", "arıyor", "kayıp", "찾",
                 "잃어버린", "खोज", "खोया", "खोई")  # drawn by scenery, not icons


_COLOUR_WORDS = {
    "black": "黒 黑 черн чёрн أسود سوداء noir negr schwarz nero pret", "white": "白 бел أبيض بيضاء blanc blanc weiß bianc branc",
    "red": "赤 红 紅 красн أحمر حمراء rouge roj rot ross vermelh", "blue": "青 蓝 藍 син голуб أزرق زرقاء bleu azul blau blu",
    "green": "緑 绿 зелен зелён أخضر خضراء vert verde grün", "yellow": "黄 жёлт желт أصفر صفراء jaune amarill gelb giall",
    "brown": "茶色 棕 褐 бур коричнев بني marron brun braun marrom", "grey": "灰 сер رمادي gris grau grigi cinza",
    "orange": "オレンジ 橙 оранжев برتقالي turuncu jingga नारंगी", "pink": "ピンク 粉 розов وردي rose rosa 분홍 صورتی merah muda गुलाबी",
    "golden": "金 золот ذهبي doré dorad gold", "purple": "紫 фиолетов пурпурн лилов بنفسجي بنفش violet morad púrpura "
    "lila viola roxo 보라 mor ungu बैंगनी",
}
_COLOUR_WORDS["red"] += " 빨간 빨강 قرمز kırmızı merah लाल"
_COLOUR_WORDS["blue"] += " 파란 파랑 آبی mavi biru नीला नीले नीली"
_COLOUR_WORDS["green"] += " 초록 녹색 سبز yeşil hijau हरा हरे हरी"
_COLOUR_WORDS["yellow"] += " 노란 노랑 زرد sarı kuning पीला पीले पीली"
_COLOUR_WORDS["white"] += " 하얀 흰 سفید beyaz putih सफेद सफ़ेद"
_COLOUR_WORDS["black"] += " 검은 까만 سیاه siyah hitam काला काले काली"
_COLOUR_WORDS["brown"] += " 갈색 قهوه kahverengi cokelat भूरा"
_COLOUR_WORDS["grey"] += " 회색 خاکستری gri abu-abu धूसर स्लेटी"


def _colour_words(text: str) -> list[tuple[int, str]]:
    """(position, English colour) for colour words of any language in `text` (prefixes: inflected forms match)."""
    out = []
    low = text.lower()
    english = {w for _, w in icons.tokens(low)}
    for colour, words in _COLOUR_WORDS.items():
        for w in [colour, *words.split()]:
            if w == colour and colour not in english and colour + "s" not in english:
                continue
            i = low.find(w)
            if i >= 0 and (icons.is_cjk_text(w) or i == 0 or not low[i - 1].isalpha()):
                out.append((i, colour))
                break
    return sorted(out)


def _world_hits(text: str) -> list[tuple[str, str]]:
    """(English world word, word as typed) found in `text`, in any language of _WORLD_WORDS."""
    low = text.lower()
    out = []
    for _, w in icons.tokens(low):  # English (and Latin) words as typed, singular
        for cand in (w, icons._singular(w)):
            if any(cand in keys for keys, _ in _SCENERY) or cand in _ROOMS or cand in LANDMARK_DRAWINGS:
                out.append((cand, w))
                break
    cjk = icons.is_cjk_text(text)
    script = icons._script(text)
    lang = {"cyrillic": "ru", "arabic": "ar", "devanagari": "hi"}.get(script)
    toks = [w for _, w in icons.tokens(low)]
    stems = {icons._stem(lang, t): t for t in toks} if lang else {}
    for concept, words in _WORLD_WORDS.items():
        for word in words.split():
            if (cjk or script == "devanagari") and word in text and (len(word) > 1 or not re.search(r"[\uac00-\ud7af]", word)
                                                                   or re.search(rf"(^|\s){word}", text)):
                out.append((concept, word))
                break
            if lang and icons._stem(lang, word) in stems:  # inflected forms: моря, ночью, الغابة
                out.append((concept, stems[icons._stem(lang, word)]))
                break
            if script == "latin" and word in toks:
                out.append((concept, word))
                break
    if cjk:  # 夜明け (dawn) is not 夜 (night): keep the longest words only
        out = [(c, w) for c, w in out if not any(w != w2 and w in w2 for _, w2 in out)]
    return out


def _scenery_of(word: str) -> str | None:
    if word in _ROOMS:
        return _ROOMS[word]
    if word in LANDMARK_DRAWINGS:
        return word
    for keys, element in _SCENERY:
        if word in keys:
            return element
    return None


def _in_world(element: str, w) -> bool:
    """Whether the drawn world really shows `element` (so `drawn` never claims what is not there)."""
    checks = {
        "sea": w.far == "sea" or w.mid == "waves", "buildings": w.mid == "buildings", "houses": w.mid == "houses",
        "dunes": "dunes" in (w.far, w.mid), "castle": w.far == "castle", "bamboo": w.mid == "bamboo",
        "jungle": w.mid == "jungle", "trees": w.mid == "trees" or w.far == "conifers", "mountains": "peaks" == w.far
        or w.mid == "rocks", "snow": w.ground == "snow" or "snow" in w.weather, "room": w.far == "wall",
        "kitchen": w.far == "wall", "planet and stars": w.far == "planet", "mist": "mist" in w.weather,
        "rain": "rain" in w.weather, "petals": "petals" in w.weather, "falling leaves": "leaves" in w.weather,
        "sun": w.time in ("day", "dawn", "dusk") and not {"rain", "storm"} & set(w.weather),  # scenery.Sky's sun
    }
    if element.endswith(" sky"):
        return w.time == element[: -len(" sky")]
    return checks.get(element, True)


def _unmatched(text: str, used: list[str]) -> list[str]:
    """Content words of `text` not used by anything drawn."""
    if icons.is_cjk_text(text):
        rest = text
        for u in sorted(used, key=len, reverse=True):
            rest = rest.replace(u, " ")
        rest = "".join(" " if ch in icons._CJK_STOP else ch for ch in rest)
        return [w for _, w in icons.content_words(rest)]
    low = {w.lower() for u in used for w in u.split()}
    return [w for _, w in icons.content_words(text) if w.lower() not in low]


_WEARABLE = re.compile(r"\b(hat|cap|crown|glasses|sunglasses|goggles|scarf|backpack|necktie|tie|ribbon|gloves|coat|"
                       r"dress|kimono|sari|shirt|jeans|socks|shoe|boot|boots|sandal|helmet|mask|bikini|ring|necklace|"
                       r"purse|handbag|headphone|top hat|billed cap|graduation|lab coat|vest|cape|tophat|bow)\b")
_VEHICLE = re.compile(r"\b(bicycle|automobile|car|bus|train|locomotive|tram|sailboat|canoe|boat|ship|motor|scooter|"
                      r"skateboard|sled|horse|camel|elephant|unicorn|tractor|truck|rocket|airplane|helicopter|"
                      r"wheelchair|surfboard|skis|flying saucer|motorcycle|racing car|pickup|taxi|dolphin|whale)\b")
_SCENERY_THING = re.compile(r"\b(house|building|tent|hut|castle|tower|tree|palm|evergreen|mountain|volcano|stadium|"
                            r"church|school|hospital|office|bridge|fountain|factory|barn|windmill|carousel|ferris|"
                            r"circus|statue|moai|shop|store|stall|temple|shrine|mosque|igloo|rainbow|cityscape|"
                            r"playground slide|christmas tree)\b")
_PEOPLE_ICONS = set(range(0x1F466, 0x1F479)) | set(range(0x1F9D1, 0x1F9E0)) | {0x1F574, 0x1F575, 0x1F46E, 0x1F477,
                                                                              0x1F934, 0x1F935, 0x1F936, 0x1F385}


def _animate(icon: str, concept: str) -> str:
    """'animal', 'person' or '' for a thing (emoji blocks of animals and people; storykit's figures)."""
    if concept in KINDS:
        return "person" if KINDS[concept][1] == "biped" and concept not in ("robot",) else "animal"
    c = ord(icon) if len(icon) == 1 else 0
    if 0x1F400 <= c <= 0x1F43F or 0x1F980 <= c <= 0x1F9AE or c in (0x1F54A, 0x1F577, 0x1F98B, 0x1F41D):
        return "animal"
    return "person" if c in _PEOPLE_ICONS else ""


def place_of(concept: str) -> str:
    """Where a thing goes: 'worn' on the body, 'under' the character (it rides), 'scenery' behind, or 'hand'."""
    if _WEARABLE.search(concept):
        return "worn"
    if _VEHICLE.search(concept):
        return "under"
    if concept == "umbrella" or concept.endswith(" umbrella"):
        return "over"
    if _SCENERY_THING.search(concept):
        return "scenery"
    return "hand"


_WHERE = re.compile(r"^(water wave|droplet|(non-)?potable water|cloud|sun|fog|foggy|wind face|dashing away|"
                    r"sweat droplets|high voltage|collision|sparkles|cloud with rain)$")
_VERB_THINGS = {"cook", "paint", "write", "read", "eat", "drink", "play_music", "build", "dig", "sing"}
_HEAD_FIRST = {"es", "fr", "it", "pt", "ar", "fa", "id"}  # adjectives follow their noun ("paraguas rojo")


def _bound_colours(text: str, starts) -> dict[int, tuple[str, int]]:
    """Colour words of `text` bound to the noun they describe: {noun start: (English colour, colour start)}."""
    from ...plan.captions import detect_language

    lang = detect_language([text])
    after = lang in _HEAD_FIRST
    out = {}
    starts = sorted(set(starts))
    for pos, colour in _colour_words(text):
        if after:
            cands = [s for s in starts if s < pos] or [s for s in starts if s > pos]
            noun = max(cands) if cands and cands[0] < pos else (min(cands) if cands else None)
        else:
            cands = [s for s in starts if s > pos] or [s for s in starts if s < pos]
            noun = min(cands) if cands and cands[0] > pos else (max(cands) if cands else None)
        if noun is not None and noun not in out:
            out[noun] = (colour, pos)
    return out


def _subject(character: str, char_matches):
    """(Thing, figure kind) for the character's head noun: an animal over a role ("a cat detective" is a cat)."""
    cands = []  # (rank, -start, Thing, figure)
    for start, w in icons.tokens(character.lower()):
        k = icons._singular(w) if icons._singular(w) in KINDS else w
        if k in KINDS:
            rank = 0 if KINDS[k][1] != "biped" or k == "robot" else (2 if lexicon.role_of(k) else 1)
            cands.append((rank, -start, Thing("subject", k, character[start : start + len(w)], "", "figure"), k))
    for m in char_matches:
        if m.lang == "emoji":  # a typed emoji is drawn as itself (🦜 stays a parrot, not the bird figure)
            cands.append((0 if _animate(m.icon, m.concept) else 3, -m.start, Thing("subject", m.concept, m.word, m.icon,
                                                                                   "icon"), ""))
            continue
        words = [m.concept, *m.concept.split()]
        kind = next((k for k in words if k in KINDS), None)
        life = _animate(m.icon, m.concept)
        rank = 0 if life == "animal" else (2 if lexicon.role_of(m.word) or lexicon.role_of(m.concept) else 1) \
            if life == "person" else 3
        if kind:
            cands.append((rank, -m.start, Thing("subject", kind, m.word, m.icon, "figure"), kind))
        else:
            cands.append((rank, -m.start, Thing("subject", m.concept, m.word, m.icon, "icon"), ""))
    animal = [(i, w) for i, k, w in lexicon.find_words(character, "hyper") if k == "animal"]
    if animal and not any(c[0] <= 0 for c in cands):  # "an animal detective": an animal (the fox figure) in a hat
        cands.append((0, -animal[0][0], Thing("subject", "animal", animal[0][1], "", "figure"), "fox"))
    if not cands:
        roles = lexicon.find_words(character, "roles")
        if roles:  # "un pêcheur", "a wise elder": a person in the role's look
            return Thing("subject", "person", roles[0][2], "", "figure"), "person"
        words = [w for _, w in icons.content_words(character) if w.lower() not in _FUNCTION_WORDS]
        if words:  # nothing drawable: storykit's friendly creature, said as such
            return Thing("subject", "creature", words[-1], "", "figure"), ""
        return None, ""
    cands.sort(key=lambda c: (c[0], c[1] if c[0] != 0 else -c[1] * 0))  # an animal: the head noun is the last
    best = min(c[0] for c in cands)
    pool = [c for c in cands if c[0] == best]
    pick = max(pool, key=lambda c: -c[1]) if best in (0, 1) else min(pool, key=lambda c: -c[1])
    return pick[2], pick[3]


@functools.lru_cache(maxsize=64)
def _read(setting: str, character: str, action: str) -> StoryReading:
    not_drawn: list[str] = []
    # 1. The subject: its head noun (or a hypernym of it), an animal before a role; a figure when storykit draws one.
    lang = detect_language([setting, character, action])  # the story's language: one field alone may not tell,
    lang = None if lang == "und" else lang  # and where the story's cannot be told, each field's own
    char_matches = icons.find(character, lang)
    subject, figure = _subject(character, char_matches)
    colours = _bound_colours(character, [m.start for m in char_matches] + ([_start(character, subject)] if subject else []))
    roles = [(k, w) for _, k, w in lexicon.find_words(character, "roles")]
    used_c = [subject.word] if subject else []
    traits = []
    for role, word in roles:
        used_c.append(word)
        what = {"elder": "grey hair and a cane", "cook": "chef's hat and apron", "student": "school bag"}.get(role, f"{role}'s look")
        if not any(t.what == what for t in traits):
            traits.append(Thing("trait", what, word, "", "worn" if role != "elder" else "figure"))
    # things the character wears, holds or rides ("a dragon wearing a 🎩", "a girl on a bicycle")
    worn = [m for m in char_matches if subject is None or (m.start != _start(character, subject) and m.word != subject.word
                                                            and m.icon != subject.icon)]
    worn = [m for m in worn if not lexicon.role_of(m.word) and _animate(m.icon, m.concept) == ""]
    not_drawn += [w for w in _unmatched(character, used_c + [m.word for m in worn]) if w.lower() not in KINDS]

    # 2. The action: its verb, its object (the first thing named) and a partner for chase, hug, give, run away.
    act = [m for m in icons.find(action, lang) if not subject or m.icon != subject.icon or m.lang == "emoji"]
    hit = verbs.verb_match(action)
    verb_things = [m for m in act if hit and hit[1] <= m.start < hit[1] + len(hit[2])]  # "cooks" -> 🍳
    act = [m for m in act if m not in verb_things]
    act = [m for m in act if not _WHERE.search(m.concept)]  # "dives into the water": a place, not a thing to hold
    living = [m for m in act if _animate(m.icon, m.concept)]
    things = [m for m in act if m not in living]
    verb = verbs.verb_class(action, tuple(m.concept for m in act))
    partner = None
    if verb in verbs.SECOND_FIGURE and living:
        m = living[0]
        kind = next((k for k in (m.concept, *m.concept.split()) if k in KINDS), "")
        partner = Thing("object", kind or m.concept, m.word, m.icon, "figure" if kind else "icon")
    pool = things or ([] if partner else living)
    props = []
    act_colours = _bound_colours(action, [m.start for m in act])
    if pool:
        m = pool[0]
        nxt = [n for n in pool[1:] if n.start <= m.start + len(m.word) + 2]  # "tomato seedling": the head is last
        m = nxt[-1] if nxt and icons._script(action) == "latin" else m
        drawn_kind = prop_look(m.concept) or prop_look(m.word)
        colour = act_colours.get(m.start, (None,))[0]
        place = place_of(m.concept)
        how = "worn" if place == "worn" else "drawing" if drawn_kind and not colour else "icon"
        props.append(Thing("object", m.concept, m.word, m.icon, how, place, COLORS.get(colour) if colour else None))
    elif not partner and verb_things and verb in _VERB_THINGS:  # only the verb names a thing: "cooks" draws cooking
        m = verb_things[0]
        props.append(Thing("object", m.concept, m.word, m.icon, "icon", place_of(m.concept)))
    elif not partner:
        pl = prop_look(action)
        if pl:
            word = next((w for _, w in icons.tokens(action) if prop_look(w)), pl[0])
            props.append(Thing("object", pl[0], word, "", "drawing"))
    look_words = [figure] if figure else []
    for m in worn[:2]:
        acc = accessory_of(m.concept)
        colour = colours.get(m.start, (None,))[0]
        if acc and figure:  # the figure draws it: a scarf, a hat, a crown
            look_words.append(acc)
            props.append(Thing("prop", m.concept, m.word, m.icon, "worn", "figure"))
        else:
            place = place_of(m.concept)
            props.append(Thing("prop", m.concept, m.word, m.icon, "worn" if place == "worn" else "icon", place,
                               COLORS.get(colour) if colour else None))
    for role, _ in roles:
        look_words.append(_ROLE_WORD[role])
    icon_props = {m.start for m in worn if not (figure and accessory_of(m.concept))}
    prop_colour_at = {pos for start, (_, pos) in colours.items() if start in icon_props}
    english_character = icons._script(character) == "latin" and figure and figure in character.lower()
    if english_character or not figure:
        look_text = "".join(" " if any(p <= i < p + 1 for p in ()) else ch for i, ch in enumerate(character))
        for pos in sorted(prop_colour_at, reverse=True):  # "a robot with a red umbrella": the umbrella is red
            end = pos + len(re.match(r"\S+", character[pos:]).group())
            look_text = look_text[:pos] + " " * (end - pos) + look_text[end:]
        look_text = " ".join([look_text, *(_ROLE_WORD[r] for r, _ in roles)])
    else:  # in English, in the typed order, so a colour goes to what follows it ("赤いスカーフ" -> "red scarf")
        parts = [(m.start, w) for m in char_matches for w in [next((a for a in (m.concept, *m.concept.split())
                                                                     if a in ACCESSORIES or a == figure), "")] if w]
        parts += [(p, c) for p, c in _colour_words(character) if p not in prop_colour_at]
        look_text = " ".join(w for _, w in sorted(parts)) + (f" {figure}" if figure not in dict(parts).values() else "")
        look_text = " ".join([look_text, *(_ROLE_WORD[r] for r, _ in roles)])
    sought = any(k in action.lower() for k in _SOUGHT_WORDS) or bool({w for _, w in icons.tokens(action.lower())} & _SOUGHT)
    verb_words = [hit[2]] if hit else [w for _, w in icons.tokens(action)[:1]]
    not_drawn += _unmatched(action, [p.word for p in props] + [m.word for m in act] + verb_words)
    # 3. The setting: world words, qualifiers (underwater, a classroom, a storm, a purple sky), then landmarks.
    hits = _world_hits(setting)
    qualities = lexicon.setting_traits(setting)
    setting_things, seen = [], set()
    for concept, typed in hits:
        element = _scenery_of(concept) or {"beach": "sea", "cliff": "mountains", "garden": "trees"}.get(concept)
        if element and element not in seen:
            seen.add(element)
            how = "drawing" if element in LANDMARK_DRAWINGS else "scenery"
            setting_things.append(Thing("setting", element, typed, "", how))
    landmarks = [t for t in setting_things if t.how == "drawing"]
    world_words = {c for c, _ in hits} | {q for q, _ in qualities}
    if "lighthouse" in world_words and "sea" not in seen:  # a lighthouse stands by the sea
        world_words.add("sea")
        setting_things.append(Thing("setting", "sea", next(t for c, t in hits if c == "lighthouse"), "", "scenery"))
    tinted = []
    for pos, colour in _colour_words(setting):
        where = lexicon.colour_place(setting, pos)
        if where:
            word = re.match(r"\S+", setting[pos:]).group()
            world_words.add(f"{where}_{colour}")
            tinted.append(Thing("trait", f"{colour} {where}", word.strip(",.，、"), "", "scenery"))
    q_words = {w for _, w in qualities}
    q_spans = [(i, i + len(w)) for i, _, w in lexicon.find_words(setting, "traits")]
    for m in icons.find(setting, lang):
        if {m.concept, *m.concept.split()} & world_words or m.word in {t for _, t in hits} or m.word in q_words:
            continue
        if m.concept in lexicon.SKY_ICONS:  # "all'alba" 🌅, "sisli" 🌁: the sky or weather, not things on the ground
            world_word, what = lexicon.SKY_ICONS[m.concept]
            if world_word not in world_words and not any(t.what == what for t in setting_things):
                world_words.add(world_word)
                setting_things.append(Thing("setting", what, m.word, "", "scenery"))
            continue
        if any(a <= m.start < b for a, b in q_spans):  # "el fondo del mar" is under the sea, not a fondue
            continue
        if any(m.icon == t.icon for t in landmarks) or lexicon.colour_place(setting, m.start) and m.concept in COLORS:
            continue
        t = Thing("landmark", m.concept, m.word, m.icon, "icon", "scenery")
        landmarks.append(t)
        setting_things.append(t)
    rooms = {c for c, _ in hits} | {q for q, _ in qualities}
    for concept in rooms:
        typed = next((t for c, t in [*hits, *qualities] if c == concept), concept)
        for ch in ROOM_ICONS.get(concept, ""):
            if not any(ch == t.icon for t in (*landmarks, *props, subject) if t):
                landmarks.append(Thing("landmark", icons.english(ch) or concept, typed, ch, "icon", "scenery"))
                setting_things.append(landmarks[-1])
    if "underwater" in world_words:
        for ch in "🐟🐠🪸":
            if icons._drawable(ch):
                landmarks.append(Thing("landmark", icons.english(ch), next(w for q, w in qualities if q == "underwater"),
                                       ch, "icon", "scenery"))
    used_s = [t.word for t in setting_things] + [t for _, t in hits] + [w for _, w in qualities] + [t.word for t in tinted]
    not_drawn += _unmatched(setting, used_s)
    world_text = " ".join([setting.lower(), *sorted(world_words), *[t.what for t in landmarks]])
    world = world_look(world_text)
    setting_things = [t for t in setting_things if t.how != "scenery" or _in_world(t.what, world)]
    for q, word in qualities:
        if q in world.traits and not any(t.word == word for t in setting_things):
            traits.append(Thing("trait", q, word, "", "scenery"))
    traits += [t for t in tinted if t.what.split()[0] in (world.sky_color, world.ground_color)]
    seen_nd, nd = set(), []
    colour_words = {w for words in _COLOUR_WORDS.values() for w in words.split()}
    for w in not_drawn:
        if any(w.lower().startswith(c) for c in colour_words if not icons.is_cjk_text(c)):
            continue  # a colour word: drawn as the colour of what it describes
        w = re.sub(r"^(l|d|qu|j|s|n|m|c|dell|all|dall|nell|sull|un)['’]", "", w, flags=re.I)  # "l'orage"
        if w.lower() in _FUNCTION_WORDS or lexicon.role_of(w) or lexicon.hypernym(w) or not w:
            continue
        if any(w.lower().startswith(k) for k in _SIZE_WORDS) or world_hit(w) or tinted and lexicon.sky_or_ground_word(w) \
                or verbs.verb_match(w):
            continue  # a size (drawn as the figure's scale), or the world's own word
        if w.lower() not in seen_nd:
            seen_nd.add(w.lower())
            nd.append(w)
    return StoryReading(subject, figure, tuple(props), tuple(setting_things), tuple(landmarks), world_text, tuple(nd),
                        look_text, sought, partner, verb, tuple(traits))


def _start(text: str, thing: Thing) -> int:
    i = text.find(thing.word)
    return i if i >= 0 else text.lower().find(thing.word.lower())


_ROLE_WORD = {"elder": "elderly", "cook": "chef", "detective": "detective", "farmer": "farmer", "pirate": "pirate",
              "sailor": "sailor", "explorer": "explorer", "student": "student", "painter": "painter",
              "firefighter": "firefighter", "doctor": "doctor"}
def world_hit(word: str) -> bool:
    """Whether a word names a world the scenery draws (the action saying "in space" again)."""
    return bool(_world_hits(word)) or bool(lexicon.setting_traits(word))


# Size words (drawn as the figure's scale): small, little, big in the languages read
_SIZE_WORDS = ("маленьк", "большо", "огромн", "petit", "grand", "pequeñ", "gran", "klein", "groß", "gross", "piccol",
               "grande", "pequen", "小さ", "大き", "작은", "큰", "صغير", "كبير", "कोटा", "छोटा", "छोटी", "छोटे", "बड़ा",
               "बड़ी", "küçük", "büyük", "kecil", "besar", "کوچک", "بزرگ", "tiny", "little", "small", "big", "huge")
# Words that name no thing (English adjectives and adverbs typed often; other languages' stop words are short)
_FUNCTION_WORDS = {
    # Spanish, French, German, Italian, Portuguese, Indonesian, Turkish articles and prepositions
    "con", "una", "uno", "unos", "unas", "los", "las", "del", "bajo", "sobre", "entre", "hacia", "desde", "para", "por",
    "une", "des", "les", "dans", "sous", "avec", "sur", "pour", "vers", "chez", "aux", "der", "die", "das", "ein",
    "eine", "einen", "einem", "einer", "mit", "unter", "über", "auf", "und", "dem", "den", "ihr", "ihre", "sein",
    "seine", "nel", "nella", "nello", "della", "dello", "sotto", "sopra", "gli", "uma", "umas", "uns", "com", "sob",
    "debaixo", "dos", "das", "nos", "nas", "pelo", "pela", "yang", "dan", "dengan", "dari", "untuk", "bir", "ile",
    "altında", "üstünde", "için", "elle", "il", "lo", "la", "le", "el", "un", "du", "au", "em", "di", "da", "de",
    # Russian, Arabic, Persian, Hindi function words
    "под", "над", "через", "для", "около", "возле", "после", "في", "على", "مع", "تحت", "فوق", "عند", "إلى", "من",
    "عن", "در", "با", "زیر", "روی", "به", "از", "एक", "में", "के", "की", "का", "को", "से", "पर", "और", "है", "हैं",
    "नीचे", "ऊपर",
    "made", "full", "past", "air", "away", "yang", "seekor", "sebuah", "numa", "num", "nel", "tra", "fra", "bei", "nach", "lots", "lot", "very", "really", "quite", "together", "alone", "each", "other", "own",
                   "something", "someone", "everything", "everyone", "home", "there", "here", "when", "where", "after",
                   "before", "during", "until", "without", "about", "against", "between", "toward", "towards", "upon",
                   "long", "short", "tall", "huge", "giant", "kind", "gentle", "curious", "clever", "lonely", "grumpy",
                   "sleepy", "happy", "sad", "angry", "friendly", "cheerful", "old", "young", "new", "great", "good"}


def read_story(triple) -> StoryReading:
    """What the animatic draws for the whole story (cached per triple)."""
    return _read(triple.setting, triple.character, triple.action)


# Prompt words about the picture, not the story (the planner's camera and style phrases).
_PROMPT_WORDS = {"camera", "film", "shot", "lighting", "light", "depth", "field", "detail", "detailed", "style", "close",
                 "distance", "moment", "quality", "frame", "lens", "bokeh", "render", "art", "illustration", "painting",
                 "sketch", "scene", "background", "photo", "photograph", "picture", "movie", "cinema", "angle", "view"}


def read_scene(scene, reading: StoryReading, limit: int = 2, script=None) -> tuple[list[Thing], list[str]]:
    """Extra props named by this scene's own prompt (so an edited prompt shows), and its undrawn words.

    Words every scene's prompt shares (the triple, the style; with `script`) and camera or
    style words are not things in the scene. The caption is not read: it is the writer's
    sentence ("The chef did it. The end."), and its template words are not props.
    """
    known = {t.icon for t in (reading.subject, *reading.props, *reading.landmarks) if t and t.icon}
    known_words = {t.word.lower() for t in (reading.subject, *reading.props, *reading.setting) if t}
    if script is not None and len(script.scenes) > 1:
        shared = set.intersection(*({w.lower() for _, w in icons.tokens(s.prompt)} for s in script.scenes))
        known_words |= shared
        known_words |= {w.lower() for _, w in icons.tokens(script.style or "")}
    if reading.partner is not None and reading.partner.icon:
        known.add(reading.partner.icon)
    triple = " ".join((script.triple.setting, script.triple.character, script.triple.action)).lower() if script else ""
    out, seen = [], set()
    for text in (scene.prompt,):
        for m in icons.find(text or ""):
            if m.icon in known or m.icon in seen or m.word.lower() in known_words or m.word.lower() in _PROMPT_WORDS:
                continue
            if m.word.lower() in triple or _WHERE.search(m.concept):  # the triple's own words were read above
                continue
            if re.fullmatch(r"(water|light|sparkles|high voltage|collision|dashing away)", m.concept):
                continue
            seen.add(m.icon)
            out.append(Thing("prop", m.concept, m.word, m.icon, "icon"))
    return out[:limit], []


def drawn_line(drawn: list[dict], not_drawn: list[str]) -> str:
    """'animatic drew: octopus 🐙 (from 'octopus'), ...; not drawn: 'librarian'' for a story's clips."""
    seen, parts = set(), []
    for d in drawn:
        key = (d.get("what"), d.get("icon"), d.get("word"))
        if key in seen:
            continue
        seen.add(key)
        parts.append(Thing(d["role"], d["what"], d["word"], d.get("icon", ""), d.get("how", "icon")).label())
    line = "animatic drew: " + (", ".join(parts) or "nothing it recognised")
    if not_drawn:
        line += "; not drawn: " + ", ".join(repr(w) for w in dict.fromkeys(not_drawn))
    return line


def drawn_summary(clips) -> str:
    """`drawn_line` for a story's clips ("" when no clip says what it drew: another backend)."""
    if not any("drawn" in c.metadata for c in clips):
        return ""
    drawn = [d for c in clips for d in c.metadata.get("drawn", [])]
    return drawn_line(drawn, [w for c in clips for w in c.metadata.get("not_drawn", [])])
