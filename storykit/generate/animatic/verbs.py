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

from . import icons

__all__ = ["VERB_CLASSES", "SECOND_FIGURE", "verb_class", "verb_match"]

# class -> language -> forms ("-" at the end: a root, matched as a word's beginning).
_TABLE: dict[str, dict[str, str]] = {
    "walk": {
        "en": "walk stroll wander stride march hike roam tiptoe trek explore journey travel wanders",
        "es": "camina caminar pasea pasear anda deambula explora viaja recorre",
        "fr": "marche marcher promène erre explore voyage parcourt balade",
        "de": "geht gehen spaziert wandert marschiert erkundet reist schlendert",
        "it": "cammina camminare passeggia vaga esplora viaggia",
        "pt": "caminha caminhar anda passeia explora viaja",
        "ru": "идёт идет гуляет шагает бродит путешествует исследует ходит",
        "ja": "歩 散歩 旅を 探検 さまよ",
        "zh": "走路 散步 漫步 旅行 探索 徘徊 行走",
        "ko": "걷 걸어 걸으 산책 여행 탐험 거닐",
        "ar": "يمشي تمشي يتجول تتجول يسير تسير يستكشف تستكشف يسافر تسافر",
        "fa": "قدم گردش سفر کاوش",
        "tr": "yürü- gez- dolaş- keşf-",
        "id": "berjalan jalan menjelajah berkelana mengembara",
        "hi": "चल टहल घूम यात्रा",
    },
    "run": {
        "en": "run ran race dash sprint rush hurry gallop jog zoom",
        "es": "corre correr galopa trota apresura",
        "fr": "court courir galope précipite dépêche",
        "de": "rennt rennen läuft laufen sprintet eilt galoppiert joggt",
        "it": "corre correre galoppa sfreccia",
        "pt": "corre correr galopa dispara",
        "ru": "бежит бегает бегут несётся мчится",
        "ja": "走 駆け かけっこ ダッシュ",
        "zh": "跑 奔跑 飞奔 冲刺",
        "ko": "달리 달려 달린 질주",
        "ar": "يركض تركض يجري تجري يعدو",
        "fa": "دود دوید",
        "tr": "koş-",
        "id": "berlari lari",
        "hi": "दौड़",
    },
    "run_away": {
        "en": "flee fled escape bolt",
        "es": "huye huir escapa escapar",
        "fr": "fuit fuir enfuit échappe",
        "de": "flieht fliehen flüchtet entkommt",
        "it": "fugge fuggire scappa scappare",
        "pt": "foge fugir escapa escapar",
        "ru": "убегает убежать сбегает удирает спасается",
        "ja": "逃げ 逃 にげ",
        "zh": "逃跑 逃走 逃",
        "ko": "도망 달아나",
        "ar": "يهرب تهرب يفر تفر",
        "fa": "فرار گریخت",
        "tr": "kaç-",
        "id": "kabur melarikan",
        "hi": "भाग",
    },
    "chase": {
        "en": "chase pursue hunt",
        "es": "persigue perseguir caza",
        "fr": "poursuit poursuivre chasse pourchasse",
        "de": "jagt jagen verfolgt",
        "it": "insegue inseguire caccia",
        "pt": "persegue perseguir caça",
        "ru": "гонится гоняется преследует охотится",
        "ja": "追 おいかけ",
        "zh": "追",
        "ko": "쫓 뒤쫓",
        "ar": "يطارد تطارد يلاحق تلاحق",
        "fa": "تعقیب",
        "tr": "kovala-",
        "id": "mengejar kejar memburu",
        "hi": "पीछा",
    },
    "jump": {
        "en": "jump leap hop bounce skip vault",
        "es": "salta saltar brinca",
        "fr": "saute sauter bondit",
        "de": "springt springen hüpft",
        "it": "salta saltare balza",
        "pt": "pula pular salta saltar",
        "ru": "прыгает прыгать скачет",
        "ja": "跳 飛び跳 ジャンプ",
        "zh": "跳",
        "ko": "점프 뛰어오 뛰어올 뛴다 뛰어",
        "ar": "يقفز تقفز يثب",
        "fa": "پرد",
        "tr": "zıpla- atla-",
        "id": "melompat lompat meloncat",
        "hi": "कूद उछल",
    },
    "fly": {
        "en": "fly flew flies soar glide flutter flap",
        "es": "vuela volar planea",
        "fr": "vole voler plane survole",
        "de": "fliegt fliegen gleitet",
        "it": "vola volare plana",
        "pt": "voa voar plana",
        "ru": "летит летает летать",
        "ja": "飛ぶ 飛ん 飛び 飛行",
        "zh": "飞 翱翔",
        "ko": "날아 난다 날개 비행",
        "ar": "يطير تطير يحلق تحلق",
        "fa": "پرواز",
        "tr": "uç-",
        "id": "terbang",
        "hi": "उड़",
    },
    "float": {
        "en": "float drift hover bob",
        "es": "flota flotar",
        "fr": "flotte flotter dérive",
        "de": "schwebt schweben treibt",
        "it": "galleggia fluttua",
        "pt": "flutua boia",
        "ru": "парит дрейфует",
        "ja": "浮 漂",
        "zh": "漂 浮 飘",
        "ko": "떠다 떠있 뜬다 둥둥",
        "ar": "يطفو تطفو",
        "fa": "شناور",
        "tr": "süzül-",
        "id": "mengapung melayang",
        "hi": "मंडरा बह",
    },
    "fall": {
        "en": "fall fell tumble topple plunge trip",
        "es": "cae caer tropieza",
        "fr": "tombe tomber chute",
        "de": "fällt fallen stürzt stolpert",
        "it": "cade cadere",
        "pt": "cai cair tomba",
        "ru": "падает упал падать",
        "ja": "落ち 転ぶ 転ん",
        "zh": "掉 落下 摔 跌",
        "ko": "떨어 넘어",
        "ar": "يسقط تسقط يقع تقع",
        "fa": "افتد افتاد",
        "tr": "düş-",
        "id": "jatuh terjatuh",
        "hi": "गिर",
    },
    "swim": {
        "en": "swim swam paddle",
        "es": "nada nadar",
        "fr": "nage nager",
        "de": "schwimmt schwimmen",
        "it": "nuota nuotare",
        "pt": "nada nadar",
        "ru": "плавает плывёт плывет плыть",
        "ja": "泳",
        "zh": "游泳 游向 游过 游来 游去",
        "ko": "수영 헤엄",
        "ar": "يسبح تسبح",
        "fa": "شنا",
        "tr": "yüzüyor yüzer yüzmek",
        "id": "berenang renang",
        "hi": "तैर",
    },
    "dive": {
        "en": "dive dove",
        "es": "bucea bucear zambulle",
        "fr": "plonge plonger",
        "de": "taucht tauchen",
        "it": "tuffa immerge",
        "pt": "mergulha mergulhar",
        "ru": "ныряет нырять",
        "ja": "潜 飛び込 ダイブ",
        "zh": "潜 跳水",
        "ko": "잠수 다이빙 뛰어들",
        "ar": "يغوص تغوص",
        "fa": "شیرجه غواصی",
        "tr": "dalar dalıyor dalmak",
        "id": "menyelam selam",
        "hi": "गोता डुबकी",
    },
    "climb": {
        "en": "climb scale clamber ascend",
        "es": "trepa trepar escala sube",
        "fr": "grimpe escalade monte",
        "de": "klettert besteigt",
        "it": "arrampica scala sale",
        "pt": "escala sobe trepa",
        "ru": "лезет карабкается взбирается поднимается",
        "ja": "登",
        "zh": "爬 攀",
        "ko": "오르 오른 올라 등반",
        "ar": "يتسلق تتسلق",
        "fa": "صعود",
        "tr": "tırman-",
        "id": "memanjat mendaki panjat",
        "hi": "चढ़",
    },
    "slide": {
        "en": "slide slid skate ski sled slip",
        "es": "desliza resbala patina esquía",
        "fr": "glisse patine skie",
        "de": "rutscht",
        "it": "scivola pattina scia",
        "pt": "escorrega desliza patina esquia",
        "ru": "скользит катится скатывается",
        "ja": "滑",
        "zh": "滑",
        "ko": "미끄러 썰매 스키",
        "ar": "ينزلق تنزلق يتزلج تتزلج",
        "fa": "اسکی",
        "tr": "kay-",
        "id": "meluncur tergelincir berseluncur",
        "hi": "फिसल",
    },
    "ride": {
        "en": "ride rode drive pedal sail steer cycle",
        "es": "monta cabalga conduce navega pedalea",
        "fr": "chevauche conduit pédale navigue",
        "de": "reitet fährt radelt segelt",
        "it": "cavalca guida pedala naviga",
        "pt": "monta cavalga dirige pedala navega",
        "ru": "едет ездит катается",
        "ja": "乗 運転 漕",
        "zh": "骑 乘 驾驶 开车",
        "ko": "탄다 타고 타는 운전",
        "ar": "يركب تركب يقود تقود",
        "fa": "سوار رانندگی",
        "tr": "bin- sür-",
        "id": "naik mengendarai menunggang bersepeda",
        "hi": "सवार",
    },
    "dance": {
        "en": "dance twirl waltz",
        "es": "baila bailar",
        "fr": "danse danser",
        "de": "tanzt tanzen",
        "it": "balla ballare danza",
        "pt": "dança dançar",
        "ru": "танцует танцевать пляшет",
        "ja": "踊 ダンス",
        "zh": "跳舞 舞",
        "ko": "춤",
        "ar": "يرقص ترقص",
        "fa": "رقص",
        "tr": "dans",
        "id": "menari tari berdansa",
        "hi": "नाच नृत्य",
    },
    "sing": {
        "en": "sing sang hum chant serenade",
        "es": "canta cantar",
        "fr": "chante chanter",
        "de": "singt singen",
        "it": "canta cantare",
        "pt": "canta cantar",
        "ru": "поёт поет петь напевает",
        "ja": "歌",
        "zh": "唱",
        "ko": "노래",
        "ar": "يغني تغني",
        "fa": "آواز",
        "tr": "şarkı",
        "id": "bernyanyi nyanyi",
        "hi": "गाता गाती गाना गीत",
    },
    "play_music": {
        "en": "strum fiddle",
        "es": "toca tocar",
        "fr": "joue jouer",
        "de": "musiziert",
        "it": "suona suonare",
        "pt": "toca tocar",
        "ru": "музицирует",
        "ja": "弾 演奏 吹",
        "zh": "弹 演奏 吹",
        "ko": "연주",
        "ar": "يعزف تعزف",
        "fa": "نواز نواخت",
        "tr": "çal-",
        "id": "memainkan",
        "hi": "बजा",
    },
    "play": {  # not a motion: music with an instrument, throwing with a ball, else dancing
        "en": "play",
        "es": "juega jugar",
        "fr": "",
        "de": "spielt spielen",
        "it": "gioca giocare",
        "pt": "brinca joga",
        "ru": "играет играть",
        "ja": "遊",
        "zh": "玩",
        "ko": "논다 놀고",
        "ar": "يلعب تلعب",
        "fa": "بازی",
        "tr": "oyna-",
        "id": "bermain main",
        "hi": "खेल",
    },
    "wave": {
        "en": "wave waved greet salute beckon",
        "es": "saluda saludar agita",
        "fr": "salue saluer agite",
        "de": "winkt winken grüßt",
        "it": "saluta agita",
        "pt": "acena saúda",
        "ru": "машет приветствует",
        "ja": "手を振 振る 挨拶",
        "zh": "挥手 挥 招手",
        "ko": "흔들 인사",
        "ar": "يلوح تلوح يحيي",
        "fa": "سلام",
        "tr": "salla- selamla-",
        "id": "melambai menyapa",
        "hi": "हिला अभिवादन",
    },
    "hug": {
        "en": "hug embrace cuddle",
        "es": "abraza abrazar",
        "fr": "câline étreint enlace",
        "de": "umarmt umarmen kuschelt",
        "it": "abbraccia",
        "pt": "abraça",
        "ru": "обнимает обнять",
        "ja": "抱",
        "zh": "拥抱 抱",
        "ko": "안아 안는 포옹 껴안",
        "ar": "يعانق تعانق يحضن تحضن",
        "fa": "بغل آغوش",
        "tr": "sarıl- kucakla-",
        "id": "memeluk peluk",
        "hi": "गले",
    },
    "cry": {
        "en": "cry cries weep sob",
        "es": "llora llorar",
        "fr": "pleure pleurer",
        "de": "weint weinen",
        "it": "piange piangere",
        "pt": "chora chorar",
        "ru": "плачет плакать рыдает",
        "ja": "泣",
        "zh": "哭",
        "ko": "운다 울어 울고 우는 울음",
        "ar": "يبكي تبكي",
        "fa": "گریه",
        "tr": "ağla-",
        "id": "menangis tangis",
        "hi": "रोता रोती रोना रोए",
    },
    "laugh": {
        "en": "laugh giggle chuckle smile grin",
        "es": "ríe reír sonríe",
        "fr": "rit rire sourit",
        "de": "lacht lachen kichert lächelt",
        "it": "ride ridere sorride",
        "pt": "ri rir sorri gargalha",
        "ru": "смеётся смеется хохочет улыбается",
        "ja": "笑",
        "zh": "笑",
        "ko": "웃",
        "ar": "يضحك تضحك يبتسم تبتسم",
        "fa": "خند",
        "tr": "güler gülüyor gülmek",
        "id": "tertawa tawa tersenyum",
        "hi": "हँस हंस मुस्कुरा",
    },
    "celebrate": {
        "en": "celebrate cheer party rejoice win triumph",
        "es": "celebra festeja",
        "fr": "célèbre fête",
        "de": "feiert jubelt",
        "it": "festeggia celebra",
        "pt": "celebra comemora festeja",
        "ru": "празднует радуется ликует",
        "ja": "祝 喜",
        "zh": "庆祝 欢呼",
        "ko": "축하 기뻐",
        "ar": "يحتفل تحتفل",
        "fa": "جشن",
        "tr": "kutla-",
        "id": "merayakan rayakan bersorak",
        "hi": "जश्न उत्सव",
    },
    "eat": {
        "en": "eat ate munch nibble devour chew snack feast",
        "es": "come comer devora",
        "fr": "mange manger dévore grignote",
        "de": "isst essen frisst knabbert",
        "it": "mangia mangiare",
        "pt": "come comer devora",
        "ru": "ест кушает съедает грызёт",
        "ja": "食べ 食う たべ",
        "zh": "吃",
        "ko": "먹",
        "ar": "يأكل تأكل",
        "fa": "خورد خور",
        "tr": "yiyor yer yemek",
        "id": "makan memakan",
        "hi": "खा",
    },
    "drink": {
        "en": "drink drank sip gulp",
        "es": "bebe beber",
        "fr": "boit boire sirote",
        "de": "trinkt trinken nippt",
        "it": "beve bere sorseggia",
        "pt": "bebe beber",
        "ru": "пьёт пьет пить",
        "ja": "飲",
        "zh": "喝 饮",
        "ko": "마시 마신",
        "ar": "يشرب تشرب",
        "fa": "نوش",
        "tr": "içer içiyor içmek",
        "id": "minum meminum",
        "hi": "पीता पीती पीना",
    },
    "cook": {
        "en": "cook bake fry boil stir grill roast brew",
        "es": "cocina cocinar hornea fríe",
        "fr": "cuisine cuisiner cuit",
        "de": "kocht kochen backt brät",
        "it": "cucina cucinare cuoce",
        "pt": "cozinha cozinhar assa frita",
        "ru": "готовит варит печёт печет жарит",
        "ja": "料理 焼 煮",
        "zh": "做饭 煮 烤 烹饪 炒",
        "ko": "요리 굽 끓",
        "ar": "يطبخ تطبخ يخبز تخبز",
        "fa": "آشپزی پخت",
        "tr": "pişir-",
        "id": "memasak masak memanggang",
        "hi": "पका",
    },
    "paint": {
        "en": "paint draw drew sketch doodle",
        "es": "pinta pintar dibuja dibujar",
        "fr": "peint peindre dessine",
        "de": "malt malen zeichnet",
        "it": "dipinge disegna",
        "pt": "pinta desenha",
        "ru": "рисует рисовать красит",
        "ja": "描 塗",
        "zh": "画 绘",
        "ko": "그리 그린",
        "ar": "يرسم ترسم يلون",
        "fa": "نقاشی",
        "tr": "boya- çiz-",
        "id": "melukis lukis menggambar",
        "hi": "चित्र पेंट",
    },
    "write": {
        "en": "write wrote scribble",
        "es": "escribe escribir",
        "fr": "écrit écrire",
        "de": "schreibt schreiben",
        "it": "scrive scrivere",
        "pt": "escreve escrever",
        "ru": "пишет писать",
        "ja": "書",
        "zh": "写",
        "ko": "쓴다 쓰고 쓰는 작성",
        "ar": "يكتب تكتب",
        "fa": "نویس نوشت",
        "tr": "yaz-",
        "id": "menulis tulis",
        "hi": "लिख",
    },
    "read": {
        "en": "read",
        "es": "lee leer",
        "fr": "lit lire",
        "de": "liest lesen",
        "it": "legge leggere",
        "pt": "lê ler",
        "ru": "читает читать",
        "ja": "読",
        "zh": "读 看书 阅读",
        "ko": "읽",
        "ar": "يقرأ تقرأ",
        "fa": "مطالعه",
        "tr": "oku-",
        "id": "membaca baca",
        "hi": "पढ़",
    },
    "build": {
        "en": "build built construct assemble repair fix make made craft",
        "es": "construye construir arregla repara",
        "fr": "construit construire répare bâtit fabrique",
        "de": "baut bauen repariert",
        "it": "costruisce ripara",
        "pt": "constrói construir conserta repara",
        "ru": "строит строить чинит собирает мастерит",
        "ja": "建て 作 組み立 直す",
        "zh": "建 造 搭 修",
        "ko": "짓 만든 만들 고친 조립",
        "ar": "يبني تبني يصلح تصلح",
        "fa": "ساخت سازد تعمیر",
        "tr": "inşa onar-",
        "id": "membangun memperbaiki membuat",
        "hi": "बना मरम्मत",
    },
    "dig": {
        "en": "dig dug shovel excavate plant",
        "es": "cava excava planta",
        "fr": "creuse plante",
        "de": "gräbt pflanzt",
        "it": "scava pianta",
        "pt": "cava escava planta",
        "ru": "копает роет сажает",
        "ja": "掘 植",
        "zh": "挖 种",
        "ko": "파고 파는 심는 심고 심어",
        "ar": "يحفر تحفر يزرع تزرع",
        "fa": "حفر کاشت",
        "tr": "kaz- dikiyor",
        "id": "menggali gali menanam",
        "hi": "खोद",
    },
    "sleep": {
        "en": "sleep slept nap doze asleep snooze",
        "es": "duerme dormir dormida dormido siesta",
        "fr": "dort dormir sieste endort",
        "de": "schläft schlafen döst schlummert",
        "it": "dorme dormire addormenta",
        "pt": "dorme dormir cochila",
        "ru": "спит спать дремлет засыпает уснул",
        "ja": "眠 寝",
        "zh": "睡",
        "ko": "잠 잔다 자고",
        "ar": "ينام تنام يغفو",
        "fa": "خواب",
        "tr": "uyu-",
        "id": "tidur",
        "hi": "सोता सोती सोना नींद",
    },
    "hide": {
        "en": "hide hid",
        "es": "esconde esconder oculta",
        "fr": "cache cacher",
        "de": "versteckt verstecken",
        "it": "nasconde",
        "pt": "esconde",
        "ru": "прячется прятаться скрывается",
        "ja": "隠",
        "zh": "躲 藏",
        "ko": "숨",
        "ar": "يختبئ تختبئ",
        "fa": "پنهان قایم",
        "tr": "saklan-",
        "id": "bersembunyi sembunyi",
        "hi": "छिप",
    },
    "search": {
        "en": "search seek look find investigate",
        "es": "busca buscar",
        "fr": "cherche chercher",
        "de": "sucht suchen",
        "it": "cerca cercare",
        "pt": "procura buscar",
        "ru": "ищет искать разыскивает",
        "ja": "探 捜 さが",
        "zh": "找 寻 搜",
        "ko": "찾",
        "ar": "يبحث تبحث يفتش",
        "fa": "جستجو",
        "tr": "arar arıyor aramak",
        "id": "mencari cari",
        "hi": "खोज ढूंढ ढूँढ",
    },
    "throw": {
        "en": "throw threw toss hurl fling kick",
        "es": "lanza tira arroja patea",
        "fr": "lance jette",
        "de": "wirft werfen",
        "it": "lancia getta",
        "pt": "lança atira arremessa",
        "ru": "бросает кидает метает",
        "ja": "投",
        "zh": "扔 投 抛",
        "ko": "던지 던진",
        "ar": "يرمي ترمي يقذف",
        "fa": "پرتاب",
        "tr": "atar atıyor fırlat-",
        "id": "melempar lempar",
        "hi": "फेंक",
    },
    "catch": {
        "en": "catch caught grab snatch",
        "es": "atrapa coge agarra",
        "fr": "attrape saisit",
        "de": "fängt fangen",
        "it": "afferra acchiappa",
        "pt": "apanha pega agarra",
        "ru": "ловит поймать хватает",
        "ja": "捕 つかま キャッチ",
        "zh": "接住 抓 捉",
        "ko": "잡",
        "ar": "يمسك تمسك يلتقط",
        "fa": "گرفت",
        "tr": "yakala-",
        "id": "menangkap tangkap",
        "hi": "पकड़",
    },
    "push": {
        "en": "push shove",
        "es": "empuja",
        "fr": "pousse",
        "de": "schiebt drückt",
        "it": "spinge",
        "pt": "empurra",
        "ru": "толкает",
        "ja": "押",
        "zh": "推",
        "ko": "민다 밀어 밀고",
        "ar": "يدفع تدفع",
        "fa": "هل",
        "tr": "itiyor iter",
        "id": "mendorong dorong",
        "hi": "धक्का धकेल",
    },
    "pull": {
        "en": "pull drag tow haul",
        "es": "jala arrastra",
        "fr": "tire traîne",
        "de": "zieht ziehen schleppt",
        "it": "tira trascina",
        "pt": "puxa arrasta",
        "ru": "тянет тащит",
        "ja": "引",
        "zh": "拉 拖",
        "ko": "당긴 끌",
        "ar": "يسحب تسحب يجر",
        "fa": "کشد",
        "tr": "çek-",
        "id": "menarik tarik",
        "hi": "खींच",
    },
    "carry": {
        "en": "carry bring deliver transport",
        "es": "lleva llevar carga entrega trae",
        "fr": "porte apporte livre transporte",
        "de": "trägt bringt liefert",
        "it": "porta trasporta consegna",
        "pt": "carrega leva entrega traz",
        "ru": "несёт несет везёт везет доставляет носит",
        "ja": "運 届け",
        "zh": "搬 运 带",
        "ko": "나르 운반 배달 들고",
        "ar": "يحمل تحمل ينقل يوصل",
        "fa": "حمل",
        "tr": "taşı- götür-",
        "id": "membawa bawa mengantar",
        "hi": "उठा ढो",
    },
    "give": {
        "en": "give gave hand offer share donate",
        "es": "da dar regala ofrece comparte",
        "fr": "donne donner offre partage",
        "de": "gibt geben schenkt überreicht teilt",
        "it": "dà regala offre dona",
        "pt": "dá dar oferece presenteia",
        "ru": "даёт дает дарит отдаёт отдает угощает",
        "ja": "あげ 渡 贈 与え",
        "zh": "给 送 赠 递",
        "ko": "준다 주고 주는 선물",
        "ar": "يعطي تعطي يهدي تهدي يقدم",
        "fa": "دهد هدیه",
        "tr": "ver-",
        "id": "memberi memberikan",
        "hi": "देता देती देना",
    },
}
# Phrases that pick a class before single words do ("runs away": not run).
_PHRASES = {"run_away": ("runs away", "run away", "running away", "ran away", "läuft weg", "rennt weg", "lari dari",
                         "s'enfuit", "se sauve", "corre lejos", "foge de"),
            "ride": ("fait du vélo", "fait du cheval", "monta en bicicleta", "anda en bicicleta", "anda de bicicleta",
                     "fährt rad", "fährt fahrrad", "va in bicicletta", "fa un giro", "naik sepeda"),
            "sleep": ("falls asleep", "fall asleep", "fell asleep", "goes to sleep")}
VERB_CLASSES = tuple(c for c in _TABLE if c != "play")
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
    for cls, langs in _TABLE.items():
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
