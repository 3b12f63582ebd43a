"""Word tables the emoji names lack: hypernyms, Hindi nouns, age and role words, setting qualifiers.

>>> hypernym("seagull"), hypernym("Möwe"), hypernym("柴犬"), hypernym("sardinha")
('bird', 'bird', 'dog', 'fish')
>>> role_of("detective"), role_of("abuela"), HINDI["ड्रैगन"]
('detective', 'elder', 'dragon')

Each table lists words in the 15 languages the animatic reads (en, es, fr, de, it, pt, ru,
ja, zh, ko, ar, fa, tr, id, hi). Words of spaced languages match by their beginning
(so "чайки" and "Möwen" find "чайк", "möwe"); CJK words match inside the text.
"""

from __future__ import annotations

import functools
import re

__all__ = ["HINDI", "HYPERNYMS", "ROLES", "hypernym", "role_of", "setting_traits", "find_words"]

# kinds of animal (and a few things) that have no emoji of their own -> the concept that draws them
HYPERNYMS = {
    "bird": "seagull gull sparrow robin pelican heron stork crane magpie finch canary hummingbird kingfisher albatross "
            "woodpecker blackbird nightingale toucan puffin hawk falcon pigeon songbird "
            "gaviota gorrión golondrina pájaro mouette goéland moineau oiseau hirondelle möwe spatz vogel amsel "
            "gabbiano passero uccello rondine gaivota pardal pássaro andorinha чайк воробей птиц ласточк "
            "カモメ スズメ ツバメ 鳥 海鸥 麻雀 燕子 鸟 갈매기 참새 제비 새 نورس عصفور طائر مرغ گنجشک پرنده "
            "martı serçe kuş burung camar pipit सीगल गौरैया चिड़िया पक्षी",
    "dog": "shiba labrador poodle retriever terrier beagle husky dachshund chihuahua bulldog collie spaniel pug "
           "dalmatian akita shepherd doggo perro perrito chien chienne hund cagnolino cão cachorrinho собак пёс "
           "пес 柴犬 犬 いぬ イヌ 狗 犬 개 강아지 시바 كلب سگ köpek anjing कुत्ता कुत्ते",
    "cat": "kitty tabby siamese persian gato gata gatito chat chaton katze kätzchen gatto gattino кошк кот котик "
           "猫 ねこ ネコ 猫咪 고양이 قط قطة گربه kedi kucing बिल्ली",
    "fish": "sardine tuna salmon cod trout carp goldfish herring anchovy mackerel guppy minnow sardina atún salmón "
            "pez peces thon saumon poisson sardine thunfisch lachs fisch tonno salmone pesce sardinha atum salmão "
            "peixe сардин тунец лосос рыб イワシ マグロ サケ 魚 沙丁鱼 金枪鱼 三文鱼 鱼 정어리 참치 연어 물고기 "
            "سردين تونة سلمون سمك ماهی balık sardalya ikan sarden मछली",
    "dragon": "wyvern dragón dragon drache drago dragão дракон ドラゴン 竜 龍 龙 용 드래곤 تنين اژدها ejderha naga "
              "ड्रैगन",
    "mouse": "ratón souris maus topo rato мыш ネズミ 鼠 老鼠 쥐 فأر موش fare tikus चूहा",
    "rabbit": "conejo lapin hase kaninchen coniglio coelho кролик заяц ウサギ 兔 토끼 أرنب خرگوش tavşan kelinci खरगोश",
    "bear": "oso bär orso urso медвед クマ 熊 곰 دب خرس ayı beruang भालू",
    "fox": "zorro renard fuchs volpe raposa лис キツネ 狐 여우 ثعلب روباه tilki rubah लोमड़ी",
    "robot": "robot roboter robô робот ロボット 机器人 로봇 روبوت ربات robot रोबोट",
    "turtle": "tortuga tortue schildkröte tartaruga черепах カメ 龟 거북 سلحفاة لاک‌پشت kaplumbağa kura-kura कछुआ",
    "horse": "caballo cheval pferd cavallo cavalo лошад кон 馬 马 말 حصان اسب kuda घोड़ा",
    "person": "farmer fisherman fisher shopkeeper merchant vendor nurse mailman postman villager traveler stranger "
              "pêcheur pescador pescadora fischer pescatore рыбак 漁師 渔夫 渔民 어부 صياد ماهیگیر balıkçı nelayan "
              "मछुआरा vendedor vendeur verkäufer venditore продавец 商人 店主 상인 بائع فروشنده satıcı pedagang "
              "व्यापारी cartero facteur briefträger postino carteiro почтальон 郵便屋 邮递员 우체부 ساعي پستچی "
              "postacı tukang pos डाकिया",
    "animal": "animal animaux tier animale животн 動物 动物 동물 حيوان حیوان hayvan hewan binatang जानवर",
}
# Hindi nouns -> the English concept that draws them (the emoji names have no Hindi)
HINDI = {
    "बिल्ली": "cat", "कुत्ता": "dog", "लोमड़ी": "fox", "भालू": "bear", "खरगोश": "rabbit", "चूहा": "mouse", "शेर": "lion",
    "बाघ": "tiger", "हाथी": "elephant", "बंदर": "monkey", "पक्षी": "bird", "चिड़िया": "bird", "तोता": "parrot", "उल्लू": "owl",
    "मछली": "fish", "कछुआ": "turtle", "ड्रैगन": "dragon", "रोबोट": "robot", "लड़की": "girl", "लड़का": "boy", "बच्चा": "child",
    "बच्ची": "girl", "दादी": "old woman", "नानी": "old woman", "दादा": "old man", "नाना": "old man", "राजा": "king",
    "रानी": "queen", "राजकुमारी": "princess", "आदमी": "man", "औरत": "woman", "महिला": "woman", "किसान": "farmer",
    "मछुआरा": "fisherman", "जादूगर": "mage", "सैनिक": "soldier", "योद्धा": "soldier", "किताब": "book",
    "पुस्तक": "book", "गेंद": "soccer ball", "फूल": "tulip", "केक": "birthday cake", "लालटेन": "red paper lantern",
    "चाबी": "key", "तारा": "star", "तारे": "star", "पतंग": "kite", "छाता": "umbrella", "साइकिल": "bicycle",
    "नाव": "sailboat", "पेड़": "deciduous tree", "घर": "house", "पत्र": "envelope", "चिट्ठी": "envelope", "आम": "mango",
    "सेब": "red apple", "गिटार": "guitar", "वायलिन": "violin", "ढोल": "drum", "टोपी": "top hat", "चश्मा": "glasses",
    "चाय": "teacup without handle", "रोटी": "bread", "मिठाई": "candy", "घोड़ा": "horse", "गाय": "cow", "ऊँट": "camel",
    "मोर": "peacock", "तितली": "butterfly", "मधुमक्खी": "honeybee", "चाँद": "crescent moon", "चांद": "crescent moon",
    "सूरज": "sun", "जासूस": "detective", "डॉक्टर": "health worker", "अंतरिक्ष यात्री": "astronaut", "पिज़्ज़ा": "pizza",
    "पतंगें": "kite", "गुब्बारा": "balloon", "पहिया": "wheel", "मोमबत्ती": "candle", "बांसुरी": "flute",
}
# Age and role words: what they change on the figure (see words.character_look)
ROLES = {
    "elder": "old elderly aged grandma grandpa grandmother grandfather granny grandad senior abuela abuelo anciana "
             "anciano viejo vieja grand-mère grand-père vieille vieux mamie papi oma opa großmutter großvater alte "
             "alter nonna nonno anziano anziana vecchio vecchia avó avô idosa idoso velha velho бабушк дедушк старушк "
             "старик пожил おばあ おじい 祖母 祖父 老人 お年寄り 奶奶 爷爷 外婆 外公 老奶奶 老爷爷 할머니 할아버지 노인 "
             "جدة عجوز مادربزرگ پدربزرگ پیر büyükanne dede büyükbaba yaşlı nenek kakek दादी दादा नानी नाना बूढ़",
    "cook": "chef cook baker cocinero cocinera panadero panadera cuisinier cuisinière boulanger koch köchin bäcker cuoco "
            "cuoca panettiere cozinheiro cozinheira padeiro повар пекар シェフ コック 料理人 パン屋 厨师 面包师 요리사 셰프 "
            "제빵사 طاهي طباخ خباز شيف آشپز نانوا aşçı fırıncı şef koki रसोइया बावर्ची शेफ",
    "detective": "detective sleuth inspector détective detektiv investigatore detetive детектив сыщик 探偵 侦探 탐정 "
                 "محقق کارآگاه dedektif detektif जासूस",
    "farmer": "farmer gardener granjero granjera jardinero fermier fermière jardinier bauer bäuerin gärtner contadino "
              "giardiniere fazendeiro agricultor jardineiro фермер садовник 農家 農夫 庭師 农民 农夫 园丁 농부 정원사 مزارع "
              "فلاح کشاورز باغبان çiftçi bahçıvan petani tukang kebun किसान माली",
    "pirate": "pirate pirata pirat пират 海賊 海盗 해적 قرصان دزد korsan bajak laut समुद्री डाकू",
    "sailor": "sailor captain marinero capitán marin capitaine matrose kapitän marinaio capitano marinheiro moryak "
              "моряк капитан 船乗り 船長 水手 船长 선원 선장 بحار ملوان denizci kapten pelaut nakhoda नाविक कप्तान",
    "explorer": "explorer adventurer explorador exploradora aventurero explorateur aventurier entdecker abenteurer "
                "esploratore avventuriero aventureiro исследовател путешественни 探検家 冒険家 探险家 탐험가 모험가 "
                "مستكشف کاشف kaşif penjelajah खोजकर्ता",
    "student": "student schoolgirl schoolboy pupil estudiante alumno alumna élève étudiant schüler schülerin studente "
               "aluno aluna школьни студент 学生 生徒 小学生 学生 학생 طالب دانش‌آموز öğrenci murid siswa छात्र",
    "painter": "painter artist pintor pintora peintre artiste maler malerin pittore artista художник 画家 화가 رسام "
               "نقاش ressam pelukis चित्रकार",
    "firefighter": "firefighter fireman bombero bombera pompier feuerwehrmann pompiere bombeiro пожарн 消防士 消防员 "
                   "소방관 إطفائي آتش‌نشان itfaiyeci pemadam दमकल",
    "doctor": "doctor nurse médico médica médecin arzt ärztin medico dottore врач доктор 医者 医生 의사 طبيب پزشک "
              "doktor dokter डॉक्टर",
}
ROLE_PROPS = {  # role -> (figure accessory, its colour, worn icon for icon subjects, apron)
    "cook": ("hat", (246, 246, 248), "🎩", True), "detective": ("hat", (120, 88, 60), "🎩", False),
    "farmer": ("hat", (230, 200, 110), "👒", True), "pirate": ("hat", (40, 40, 48), "🎩", False),
    "sailor": ("cap", (246, 246, 248), "🧢", False), "explorer": ("hat", (176, 150, 100), "👒", False),
    "student": ("backpack", (220, 80, 70), "🎒", False), "painter": ("beanie", (200, 60, 70), "🎨", True),
    "firefighter": ("hat", (220, 50, 40), "⛑", False), "doctor": ("", (246, 246, 248), "🩺", True),
    "elder": ("", None, "🦯", False),
}
# Setting qualifiers said in words the world's keywords miss
_TRAITS = {
    "underwater": "underwater undersea under_the_sea under_water seabed sea_floor ocean_floor coral_reef bajo_el_agua "
                  "submarino fondo_del_mar sous_l'eau sous-marin fond_de_la_mer unter_wasser unterwasser meeresgrund "
                  "sott'acqua subacqueo fondo_del_mare debaixo_d'água subaquático fundo_do_mar под_водой подводн "
                  "морском_дне дне_моря 水中 海底 海の中 水下 海中 海里 수중 바닷속 물속 바다_속 تحت_الماء قاع_البحر زیر_آب "
                  "su_altı sualtı deniz_altı deniz_dibi bawah_air bawah_laut dasar_laut पानी_के_नीचे समुद्र_के_नीचे",
    "classroom": "classroom school aula escuela colegio salle_de_classe école klassenzimmer schule classe scuola "
                 "sala_de_aula escola класс школ 教室 学校 교실 학교 فصل مدرسة کلاس مدرسه sınıf okul kelas sekolah कक्षा "
                 "विद्यालय स्कूल",
    "kitchen": "kitchen cocina cuisine küche cucina cozinha кухн 台所 キッチン 厨房 부엌 주방 مطبخ آشپزخانه mutfak dapur "
               "रसोई",
    "library": "library biblioteca bibliothèque bibliothek библиотек 図書館 图书馆 도서관 مكتبة کتابخانه kütüphane "
               "perpustakaan पुस्तकालय",
    "storm": "storm stormy thunder lightning tormenta tempestad tempête orage sturm gewitter tempesta temporale "
             "tempestade шторм гроза буря 嵐 雷 暴风雨 风暴 雷雨 폭풍 천둥 عاصفة رعد طوفان fırtına badai petir तूफ़ान "
             "तूफान आंधी",
    "space": "outer_space space_station espacio espace weltraum spazio espaço космос 宇宙 太空 우주 فضاء فضا uzay "
             "luar_angkasa अंतरिक्ष",
    "desert": "desierto désert wüste deserto пустын 砂漠 沙漠 사막 صحراء بیابان çöl gurun रेगिस्तान मरुस्थल",
    "night": "ночь ночн 夜 밤 ليل شب gece malam रात",
    "snow": "snowy snow winter enneigé enneigée nevado nevada verschneit innevato innevata заснеженн снежн karlı "
            "bersalju बर्फीला बर्फीले nieve invierno neige hiver schnee winter neve inverno зим снег 雪 冬 겨울 ثلج شتاء "
            "برف زمستان kar kış salju musim_dingin बर्फ सर्दी",
    "rain": "rain rainy lluvia pluie regen pioggia chuva дожд 雨 مطر باران yağmur hujan बारिश",
}
_SKY = "sky skies cielo ciel himmel céu небо неба 空 天空 하늘 سماء آسمان gökyüzü langit आसमान आकाश"
_GROUND = "ground sand grass soil earth field meadow arena hierba pasto suelo sable herbe sol boden sand gras erba " \
          "terra chão grama areia земля песок трава 砂 草 地面 沙 草地 땅 모래 풀 رمل عشب أرض زمین شن چمن kum çimen " \
          "tanah pasir rumput रेत घास ज़मीन"


def sky_or_ground_word(word: str) -> bool:
    """Whether `word` names the sky or the ground (a colour phrase's noun: "cielo morado")."""
    w = word.lower()
    return any(w == x.lower() or (_is_cjk(x) and x in w) for x in (_SKY + " " + _GROUND).split())


def _is_cjk(word: str) -> bool:
    return bool(re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", word))


@functools.lru_cache(maxsize=None)
def _entries(table: str) -> tuple[tuple[str, str], ...]:
    """(word, key) pairs of one table, longest first."""
    source = {"hyper": HYPERNYMS, "roles": ROLES, "traits": _TRAITS}[table]
    if table == "traits":  # multi-word phrases stay whole
        pairs = []
        for key, words in source.items():
            for phrase in words.split():  # "under_the_sea": one phrase
                pairs.append((phrase.replace("_", " ").lower(), key))
        return tuple(sorted(pairs, key=lambda p: -len(p[0])))
    return tuple(sorted(((w.lower(), k) for k, ws in source.items() for w in ws.split()), key=lambda p: -len(p[0])))


# Inflectional endings of long trait words in German and the Romance languages ("verschneites", "nevados")
_ENDINGS = {"e", "es", "er", "en", "em", "s"}


def find_words(text: str, table: str) -> list[tuple[int, str, str]]:
    """(start, key, word as typed) for the words of `text` found in a table: "hyper", "roles" or "traits"."""
    low = text.lower()
    out, taken = [], [False] * len(low)
    for word, key in _entries(table):
        start = 0
        while (i := low.find(word, start)) >= 0:
            start = i + 1
            j = i + len(word)
            if any(taken[i:j]):
                continue
            if len(word) == 1 and "\uac00" <= word <= "\ud7af" and i > 0 and low[i - 1].isalpha():
                continue  # a one-syllable Korean noun starts its word: 조용한 (quiet) holds no 용 (dragon)
            if not _is_cjk(word):
                if i > 0 and low[i - 1].isalpha():
                    continue  # inside another word ("scat" is no cat)
                tail = re.match(r"[^\W\d_]*", low[j:]).group()
                if table == "traits" and tail and word.isascii() and not (len(word) >= 6 and tail in _ENDINGS):
                    continue  # "rain" is not "rainbow"; "verschneites" is "verschneit" inflected
            end = j
            while end < len(low) and (low[end].isalpha() or low[end] in "\u093e-\u094d") and not _is_cjk(word):
                end += 1  # the whole typed word: "чайки", "möwen"
            if not _is_cjk(word) and end - j > 4:
                continue  # a long tail: another word that starts the same ("catalog" for "cat")
            out.append((i, key, text[i:end]))
            for k in range(i, j):
                taken[k] = True
    return sorted(out)


def hypernym(word: str) -> str | None:
    """The concept that draws `word` when it has no emoji: 'seagull' -> 'bird', 'sardinha' -> 'fish'."""
    hits = find_words(word, "hyper")
    return hits[0][1] if hits else None


def role_of(word: str) -> str | None:
    """The age or role a word names ('detective', 'elder', 'cook', ...), or None."""
    hits = find_words(word, "roles")
    return hits[0][1] if hits else None


def setting_traits(setting: str) -> list[tuple[str, str]]:
    """(trait, word as typed) for the qualifiers of a setting: underwater, classroom, storm, ... ."""
    seen, out = set(), []
    for _, key, word in find_words(setting, "traits"):
        if key not in seen:
            seen.add(key)
            out.append((key, word))
    return out


def colour_place(text: str, colour_at: int) -> str | None:
    """'sky' or 'ground' when a colour word at `colour_at` describes the sky or the ground ("purple sky")."""
    near = text[max(0, colour_at - 14) : colour_at + 24].lower()
    for key, words in (("sky", _SKY), ("ground", _GROUND)):
        for w in words.split():
            i = near.find(w.lower())
            if i >= 0 and (_is_cjk(w) or i == 0 or not near[i - 1].isalpha()):
                return key
    return None


# Emoji whose CLDR names are a time of day, the sky's light or the weather: the world's sky, light and
# weather (world_look's words -> what `drawn` says), never icons standing on the ground.
SKY_ICONS = {"sunrise": ("dawn", "dawn sky"), "sunrise over mountains": ("dawn", "dawn sky"),
             "sunset": ("dusk", "dusk sky"), "cityscape at dusk": ("dusk", "dusk sky"),
             "night with stars": ("night", "night sky"), "crescent moon": ("night", "night sky"),
             "milky way": ("night", "night sky"), "sun": ("", "sun"), "sun with face": ("", "sun"),
             "sun behind cloud": ("", "sun"), "foggy": ("foggy", "mist"), "fog": ("fog", "mist"),
             "cloud with rain": ("rain", "rain"), "umbrella with rain drops": ("rain", "rain"),
             "cloud with lightning and rain": ("storm", "rain"), "snowflake": ("snow", "snow"),
             "cloud with snow": ("snow", "snow")}
