"""What the animatic reads from the words: the world of the setting, the look of the character,
the motion of a beat and the prop of the action.

>>> from storykit.generate.animatic.words import character_look
>>> character_look("a small red fox in a blue scarf").accessory
'scarf'
"""

from __future__ import annotations

import colorsys
import dataclasses
import hashlib
import re


from . import sketch
from ...plan.script import Scene


def _words(text: str) -> list[str]:
    """Lower-case words, with a plural 's' also tried singular (trees -> tree)."""
    out = []
    for w in re.findall(r"[a-z]+", text.lower()):
        out.append(w)
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            out.append(w[:-1])
    return out


def _stable_int(text: str) -> int:
    """A hash of `text` that is the same in every process (Python's hash() is not)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def _pick(options, text: str, salt: str = ""):
    return options[_stable_int(salt + text.lower()) % len(options)]


# -- the world ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WorldLook:
    """What a setting looks like: time of day, the four layers, and weather/extras."""

    time: str  # dawn, day, dusk, night, space
    far: str  # sea, peaks, skyline, planet, dunes, conifers, bamboo, castle, wall, hills
    mid: str  # waves, trees, bamboo, jungle, buildings, houses, dunes, rocks, craters, furniture, hills
    ground: str  # grass, moss, sand, dune, road, snow, moon, floor
    fore: str  # grass, bamboo, leaves, lamp, rocks, none
    weather: tuple[str, ...] = ()  # mist, snow, rain, fireflies, petals, leaves, neon, bubbles, storm
    traits: tuple[str, ...] = ()  # qualifiers drawn: underwater, space, night, snow, rain, storm, desert, a room's kind
    sky_color: str = ""  # a colour word for the sky ("a purple sky")
    ground_color: str = ""  # ... and for the ground ("red sand")
    room: str = ""  # classroom, kitchen, library, or "" (a plain room)


# (keywords, value) in priority order for each slot; the first that matches wins.
_SPACE = {"space", "galaxy", "cosmos", "cosmic", "asteroid", "planet", "lunar", "orbit", "spaceship", "starship", "nebula",
          "spacestation"}
_SEA = {"beach", "shore", "coast", "ocean", "sea", "island", "harbor", "harbour", "lake", "bay", "seaside", "lagoon", "pier",
        "seashore", "coral", "reef", "pond"}  # a lake or a pond: water to the horizon, the nearest drawing storykit has
_CITY = {"city", "street", "town", "downtown", "alley", "metropolis", "neon", "avenue", "rooftop", "market", "cyberpunk",
         "skyscraper", "urban"}
_VILLAGE = {"village", "cottage", "farm", "hamlet", "farmyard", "countryside"}
_DESERT = {"desert", "dune", "sahara", "canyon", "oasis", "savanna", "savannah", "mars", "martian"}
_CASTLE = {"castle", "palace", "kingdom", "fortress", "citadel", "tower"}
_INDOOR = {"kitchen", "room", "bedroom", "library", "classroom", "school", "bakery", "cafe", "shop", "store", "museum", "attic",
           "office", "studio", "indoors", "inside", "workshop", "lab", "laboratory", "hallway", "house", "home", "cottage"}
_SNOW = {"snow", "snowy", "winter", "arctic", "tundra", "glacier", "ice", "icy", "frozen", "polar", "blizzard"}
_MOUNTAIN = {"mountain", "alps", "peak", "cliff", "highlands", "volcano", "ridge", "summit", "glacier"}
_BAMBOO = {"bamboo"}
_JUNGLE = {"jungle", "rainforest", "tropical"}
_FOREST = {"forest", "wood", "woods", "woodland", "grove", "tree", "orchard", "park", "garden", "glade", "enchanted"}

_TIMES = (
    ("night", {"night", "midnight", "moonlit", "moonlight", "starry", "nighttime", "starlit"}),
    ("dusk", {"dusk", "sunset", "evening", "twilight"}),
    ("dawn", {"dawn", "sunrise", "morning", "daybreak"}),
    ("day", {"day", "noon", "sunny", "afternoon", "bright", "daytime", "midday"}),
)

__all__ = [
    "CharacterLook",
    "WorldLook",
    "character_look",
    "world_look",
    "infer_motion",
    "prop_look",
]


def world_look(setting: str) -> WorldLook:
    """Reads a setting ('a misty bamboo forest at dawn') into a WorldLook by keywords, with its qualifiers.

    Unknown words give a pleasant default: rolling hills under a day sky. `traits` says
    which qualifiers the world shows (underwater, night, snow, a classroom, ...); "sky_purple"
    and "ground_red" (reading's words for colour phrases) colour the sky and the ground.
    """
    look = _world_look(setting)
    low = setting.lower()
    sky = next((c for c in re.findall(r"sky_([a-z]+)", low) if c in COLORS), "")
    ground = next((c for c in re.findall(r"ground_([a-z]+)", low) if c in COLORS), "")
    w = set(_words(setting))
    room = next((r for r in ("classroom", "kitchen", "library") if r in w), "") if look.far == "wall" else ""
    if room == "" and look.far == "wall" and w & {"bakery", "cafe"}:
        room = "kitchen"
    traits = [t for t, ok in (
        ("underwater", look.time == "underwater"), ("space", look.far == "planet"), ("night", look.time == "night"),
        ("dawn", look.time == "dawn"), ("dusk", look.time == "dusk"),
        ("snow", look.ground == "snow" or "snow" in look.weather), ("rain", "rain" in look.weather),
        ("storm", "storm" in look.weather), ("desert", "dunes" in (look.far, look.mid)), ("mist", "mist" in look.weather),
        (room, bool(room))) if ok]
    return dataclasses.replace(look, traits=tuple(traits), sky_color=sky, ground_color=ground, room=room)


def _world_look(setting: str) -> WorldLook:
    w = set(_words(setting))
    low = setting.lower()
    # time of day: the word that appears first in the text wins ("a night ... by day" is rare)
    found = [(min(low.find(k) for k in keys if k in w), name) for name, keys in _TIMES if w & keys]
    time_of_day = min(found)[1] if found else ("space" if w & _SPACE else "night" if "neon" in w else "day")
    if "underwater" in w:  # the sea floor: blue water for a sky, weed and coral, sand, rising bubbles
        return WorldLook("underwater", "hills", "jungle", "sand", "leaves", ("bubbles",))
    if w & _SPACE:
        sky = "space" if time_of_day in ("night", "day") or not found else time_of_day
        return WorldLook(sky, "planet", "craters", "moon", "none", ())
    if "golden" in w and "hour" in w and not found:
        time_of_day = "dusk"
    if w & (_INDOOR | {"classroom"}) and not w & (_SEA | _CITY | _FOREST | _DESERT | _SNOW | _MOUNTAIN | _BAMBOO | _JUNGLE):
        return WorldLook(time_of_day, "wall", "furniture", "floor", "none", ("neon",) if "neon" in w else ())
    snow = bool(w & _SNOW)
    far = ("sea" if w & _SEA else "peaks" if w & (_MOUNTAIN | _SNOW) else "skyline" if w & _CITY else "dunes" if w & _DESERT
           else "bamboo" if w & _BAMBOO else "castle" if w & _CASTLE else "conifers" if w & (_FOREST | _JUNGLE) else "hills")
    mid = ("bamboo" if w & _BAMBOO else "jungle" if w & _JUNGLE else "buildings" if w & _CITY else "houses" if w & _VILLAGE
           else "waves" if w & _SEA else "dunes" if w & _DESERT else "trees" if w & _FOREST else "rocks" if w & _MOUNTAIN
           else "trees" if snow else "hills")
    ground = ("road" if mid == "buildings" else "sand" if w & _SEA else "dune" if w & _DESERT else "snow" if snow
              else "moss" if w & (_BAMBOO | _JUNGLE | {"forest", "wood", "woods", "woodland"}) else "grass")
    fore = {"bamboo": "bamboo", "jungle": "leaves", "buildings": "lamp", "dunes": "rocks", "rocks": "rocks"}.get(mid, "grass")
    if ground == "snow":
        fore = "rocks"
    weather = []
    if w & {"mist", "misty", "fog", "foggy", "haze", "hazy", "mysterious"}:
        weather.append("mist")
    if w & {"snow", "snowy", "snowfall", "blizzard", "winter", "snowing"}:
        weather.append("snow")
    if w & {"rain", "rainy", "storm", "stormy", "drizzle", "monsoon", "raining"}:
        weather.append("rain")
    if w & {"storm", "stormy", "thunder", "thunderstorm", "lightning"}:
        weather.append("storm")
    wild = mid in ("trees", "bamboo", "jungle", "hills")
    if time_of_day == "night" and (w & {"firefly", "fireflie", "magical", "enchanted"} or wild):
        weather.append("fireflies")
    if w & {"blossom", "sakura", "cherry", "spring", "petal"}:
        weather.append("petals")
    if w & {"autumn", "autumnal", "fall"} and "waterfall" not in w:
        weather.append("leaves")
    if "neon" in w or (mid == "buildings" and time_of_day == "night"):
        weather.append("neon")
    return WorldLook(time_of_day, far, mid, ground, fore, tuple(weather))


# -- the character ----------------------------------------------------------------------------

COLORS = {
    "red": (214, 64, 52), "crimson": (186, 30, 60), "scarlet": (226, 44, 36), "maroon": (130, 36, 50),
    "orange": (240, 140, 40), "ginger": (222, 120, 50), "amber": (240, 170, 40), "yellow": (246, 210, 60),
    "golden": (232, 178, 48), "gold": (232, 178, 48), "green": (76, 168, 84), "emerald": (40, 160, 100),
    "lime": (150, 210, 60), "olive": (128, 128, 60), "teal": (40, 150, 150), "turquoise": (60, 200, 200),
    "cyan": (70, 200, 230), "blue": (60, 110, 210), "navy": (40, 56, 120), "indigo": (80, 60, 170),
    "purple": (140, 80, 190), "violet": (150, 90, 220), "lavender": (180, 160, 230), "pink": (240, 140, 180),
    "magenta": (210, 60, 170), "brown": (130, 86, 54), "chocolate": (100, 60, 40), "tan": (210, 170, 120),
    "beige": (226, 206, 170), "cream": (244, 232, 204), "white": (244, 244, 246), "ivory": (248, 244, 228),
    "grey": (140, 144, 152), "gray": (140, 144, 152), "silver": (190, 198, 210), "black": (52, 52, 60),
    "copper": (196, 110, 60), "bronze": (176, 130, 70), "rusty": (170, 90, 50),
}
# noun -> (kind, body plan)
KINDS = {
    "fox": ("fox", "quadruped"), "wolf": ("wolf", "quadruped"), "cat": ("cat", "quadruped"), "kitten": ("cat", "quadruped"),
    "kitty": ("cat", "quadruped"), "tiger": ("cat", "quadruped"), "leopard": ("cat", "quadruped"), "lynx": ("cat", "quadruped"),
    "lion": ("lion", "quadruped"), "dog": ("dog", "quadruped"), "puppy": ("dog", "quadruped"), "pup": ("dog", "quadruped"),
    "hound": ("dog", "quadruped"), "corgi": ("dog", "quadruped"), "rabbit": ("rabbit", "quadruped"),
    "bunny": ("rabbit", "quadruped"), "hare": ("rabbit", "quadruped"), "bear": ("bear", "quadruped"),
    "panda": ("bear", "quadruped"), "mouse": ("mouse", "quadruped"),
    "rat": ("mouse", "quadruped"), "hamster": ("mouse", "quadruped"), "dragon": ("dragon", "quadruped"),
    "dinosaur": ("dragon", "quadruped"), "dino": ("dragon", "quadruped"), "lizard": ("dragon", "quadruped"),
    "robot": ("robot", "biped"), "android": ("robot", "biped"), "droid": ("robot", "biped"), "bot": ("robot", "biped"),
    "cyborg": ("robot", "biped"), "mech": ("robot", "biped"), "automaton": ("robot", "biped"),
    "knight": ("knight", "biped"), "warrior": ("knight", "biped"), "soldier": ("knight", "biped"),
    "paladin": ("knight", "biped"),
    "samurai": ("knight", "biped"), "wizard": ("wizard", "biped"), "witch": ("wizard", "biped"), "mage": ("wizard", "biped"),
    "sorcerer": ("wizard", "biped"), "sorceress": ("wizard", "biped"), "astronaut": ("astronaut", "biped"),
    "spaceman": ("astronaut", "biped"), "cosmonaut": ("astronaut", "biped"), "king": ("royal", "biped"),
    "queen": ("royal", "biped"), "prince": ("royal", "biped"), "princess": ("royal", "biped"),
    "bird": ("bird", "bird"), "owl": ("bird", "bird"), "duck": ("bird", "bird"), "duckling": ("bird", "bird"),
    "chick": ("bird", "bird"), "parrot": ("bird", "bird"), "crow": ("bird", "bird"), "raven": ("bird", "bird"),
    "sparrow": ("bird", "bird"), "robin": ("bird", "bird"), "chicken": ("bird", "bird"), "hen": ("bird", "bird"),
    "eagle": ("bird", "bird"), "swan": ("bird", "bird"), "goose": ("bird", "bird"), "pigeon": ("bird", "bird"),
    "penguin": ("penguin", "bird"), "turtle": ("turtle", "turtle"), "tortoise": ("turtle", "turtle"),
}
_PEOPLE = {"person", "girl", "boy", "child", "kid", "man", "woman", "human", "explorer", "detective", "farmer", "chef",
           "student", "grandma", "grandpa", "grandmother", "grandfather", "pirate", "ninja", "hero", "heroine", "adventurer",
           "traveler", "traveller", "hiker", "scientist", "baker", "musician", "dancer", "painter", "doctor", "teacher",
           "lady", "gentleman", "sailor", "fisherman", "gardener", "monk", "shepherd", "inventor", "postman", "courier"}
KINDS.update({p: ("person", "biped") for p in _PEOPLE})
ACCESSORIES = {"scarf": "scarf", "hat": "hat", "cap": "cap", "beanie": "beanie", "cape": "cape", "cloak": "cloak",
               "collar": "collar", "bow": "bow", "bowtie": "bow", "bandana": "bandana", "backpack": "backpack",
               "rucksack": "backpack", "crown": "crown", "dress": "dress", "gown": "dress", "kerchief": "bandana"}


def accessory_of(name: str) -> str | None:
    """The accessory a thing's name names, as character_look knows it ("top hat" -> "hat", "rucksack" -> "backpack")."""
    return next((ACCESSORIES[w] for w in (name, *name.split()) if w in ACCESSORIES), None)


_CLOTHES = {"jacket", "coat", "sweater", "shirt", "hoodie", "vest", "tunic", "overalls", "raincoat", "jumper", "suit",
            "robe", "armor", "armour", "uniform", "outfit", "kimono", "poncho", "cardigan"}
_SHOES = {"boots", "boot", "shoes", "shoe", "sneakers", "sneaker", "sandals"}
_SMALL = {"tiny": 0.78, "little": 0.85, "small": 0.85, "baby": 0.8, "young": 0.9, "mini": 0.8, "wee": 0.8}
_BIG = {"big": 1.12, "large": 1.12, "giant": 1.2, "huge": 1.2, "tall": 1.12, "enormous": 1.2, "mighty": 1.08}
_SKIN = ((255, 222, 192), (242, 198, 160), (210, 156, 112), (160, 108, 74), (112, 76, 52))
_HAIR = ((62, 42, 30), (32, 26, 26), (204, 154, 74), (150, 76, 40), (230, 202, 120))

Color = tuple


@dataclasses.dataclass(frozen=True)
class CharacterLook:
    """How a character is drawn: its figure and every colour. Depends on the text only,
    so the character is identical in every scene of a story."""

    text: str
    # fox, wolf, cat, lion, dog, rabbit, bear, mouse, dragon, robot, knight, wizard, astronaut, royal, person,
    # bird, penguin, turtle or creature
    kind: str
    body_plan: str  # quadruped, biped, bird, turtle, creature
    body: Color
    belly: Color
    accent: Color
    outline: Color
    skin: Color
    hair: Color
    shoes: Color
    accessory: str  # "" or scarf, hat, cap, beanie, cape, cloak, collar, bow, bandana, backpack, crown, dress
    accessory_color: Color
    scale: float = 1.0
    stripes: bool = False
    panda: bool = False
    penguin: bool = False
    flippers: bool = False
    antennae: bool = False
    wings: bool = False
    elder: bool = False  # grey hair and a cane
    apron: Color | None = None  # a cook's, a painter's, a farmer's

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _hue_color(text: str, salt: str, s: float = 0.5, v: float = 0.88) -> Color:
    h = (_stable_int(salt + text.lower()) % 360) / 360.0
    return tuple(int(round(c * 255)) for c in colorsys.hsv_to_rgb(h, s, v))


def _rgb(c) -> Color:
    return tuple(int(round(min(255, max(0, x)))) for x in c)


def character_look(character: str) -> CharacterLook:
    """Reads a character description ('a small red fox in a blue scarf') into a CharacterLook.

    The figure comes from the first animal/person/robot noun (a modifier like the
    'robot' in 'robot dog' gives way to the noun after it); colour words go to the
    garment they precede ('blue scarf'), else to the body, then to the accent.
    Anything left over comes from a stable hash of the text, so it never changes.
    """
    text = " ".join(str(character).split())
    words = re.findall(r"[a-z]+", text.lower())
    sing = [w[:-1] if len(w) > 3 and w.endswith("s") and w[:-1] in KINDS else w for w in words]
    # 1. The figure: an animal (or robot, dragon) before a person, a person before a role ("a cat detective" is a cat).
    kind, plan = "creature", "creature"
    found = [w for w in sing if w in KINDS]
    animals = [w for w in found if KINDS[w][1] != "biped" or KINDS[w][0] == "robot"]
    people = [w for w in found if w not in animals and w not in _ROLES]
    pick = (animals or people or found or [None])[-1 if animals else 0]  # 'robot dog': the last noun is the head
    if pick:
        kind, plan = KINDS[pick]
    # 2. Colour words: to the garment they precede, else body, then accent.
    body = accent = acc_color = shoes = hair = None
    accessory = ""
    outfit = None
    for i, w in enumerate(words):
        if w in ACCESSORIES and not accessory:
            accessory = ACCESSORIES[w]
        if w in ("blonde", "blond"):
            hair = (232, 200, 110)
        elif w in ("redhead", "redhaired"):
            hair = (190, 80, 40)
        c = COLORS.get(w)
        if c is None:
            continue
        target = None
        for nxt in words[i + 1 : i + 4]:
            if nxt in ACCESSORIES or nxt in _CLOTHES or nxt in _SHOES or nxt in ("hair", "haired"):
                target = nxt
                break
            if nxt in KINDS or nxt in COLORS:
                break
        if target in ACCESSORIES:
            accessory = accessory or ACCESSORIES[target]
            if ACCESSORIES[target] == accessory and acc_color is None:
                acc_color = c
            elif accent is None:
                accent = c
        elif target in _CLOTHES:
            outfit = outfit or c
        elif target in _SHOES:
            shoes = shoes or c
        elif target in ("hair", "haired"):
            hair = hair or c
        elif body is None:
            body = c
        elif accent is None:
            accent = c
    if kind in ("fox",) and body == COLORS["red"]:
        body = (226, 106, 46)  # a "red fox" is the orange-red of the species
    apron = None
    for role, (acc, colour, apron_colour) in _ROLES.items():  # a role's hat and apron, on any figure
        if role in words:
            if acc and not accessory:
                accessory, acc_color = acc, acc_color or colour
            apron = apron or apron_colour
    elder = bool(set(words) & {"elderly", "old", "grandma", "grandpa", "grandmother", "grandfather", "granny", "aged"})
    if elder:
        hair = (214, 214, 220)
    if outfit is not None and plan != "biped":
        accessory, acc_color = accessory or "scarf", acc_color or outfit  # a coat on an animal: draw a scarf
    scale = 1.0
    for w in words:
        scale = _SMALL.get(w, _BIG.get(w, scale)) if scale == 1.0 else scale
    # 3. Defaults for what the words did not say.
    stripes = "tiger" in words or "striped" in words
    panda = "panda" in words
    penguin = kind == "penguin"
    defaults = {
        "fox": (226, 118, 46), "wolf": (140, 146, 160), "lion": (232, 176, 90), "bear": (140, 94, 60), "mouse": (166, 164, 176),
        "turtle": (84, 160, 92), "robot": (190, 198, 210), "astronaut": (238, 240, 244), "knight": (178, 184, 198),
        "penguin": (44, 48, 62),
    }
    picks = {
        "cat": ((240, 150, 70), (150, 150, 160), (60, 60, 70), (240, 230, 215)),
        "dog": ((196, 140, 80), (240, 220, 180), (120, 80, 50)),
        "rabbit": ((244, 244, 246), (180, 160, 140), (160, 160, 170)),
        "dragon": ((80, 170, 90), (200, 60, 60), (120, 80, 200), (60, 120, 200)),
        "bird": ((70, 130, 220), (220, 70, 60), (240, 200, 60), (110, 110, 124)),
    }
    if "tiger" in words and body is None:
        body = (240, 140, 50)
    if panda:
        body = body or (246, 246, 248)
    if body is None:
        body = outfit if plan == "biped" and outfit else None
    if body is None:
        if kind in defaults:
            body = defaults[kind]
        elif kind in picks:
            body = _pick(picks[kind], text, "body")
        elif plan == "biped":
            body = _hue_color(text, "outfit", 0.55, 0.8)
        else:
            body = _hue_color(text, "creature", 0.45, 0.9)
    if kind == "lion":
        accent = accent or (176, 96, 40)
    if kind == "dragon":
        accent = accent or _pick(((240, 200, 70), (250, 140, 60), (120, 220, 200)), text, "wing")
    accent = accent or _hue_color(text, "accent", 0.7, 0.9)
    belly = {"fox": (250, 242, 228), "penguin": (246, 246, 248), "panda": (246, 246, 248)}.get(kind if not panda else "panda")
    if belly is None:
        belly = _rgb(sketch.mix(body, (255, 250, 240), 0.55))
    if plan == "biped":
        belly = (70, 82, 112) if kind == "person" else _rgb(sketch.shade(body, 0.8))  # trousers / lower armour
    if accessory and acc_color is None:
        acc_color = accent
    if kind == "turtle":
        belly = (232, 214, 150)  # shell plates take the body colour towards sand
    skin = _pick(_SKIN, text, "skin") if plan == "biped" else body
    if kind == "turtle":
        skin = _rgb(sketch.mix(body, (255, 255, 220), 0.35))
        body = _rgb(sketch.mix(body, (110, 80, 50), 0.35))  # the shell
    outline = _rgb(sketch.mix(body, (26, 20, 34), 0.72))
    return CharacterLook(
        text=text, kind=kind, body_plan=plan, body=_rgb(body), belly=_rgb(belly), accent=_rgb(accent), outline=outline,
        skin=_rgb(skin), hair=_rgb(hair or _pick(_HAIR, text, "hair")), shoes=_rgb(shoes or (70, 52, 44)),
        accessory=accessory, accessory_color=_rgb(acc_color or accent), scale=scale, stripes=stripes, panda=panda,
        penguin=penguin, flippers=kind == "turtle" and bool({"sea", "ocean", "marine"} & set(words)),
        antennae=kind == "creature" and _stable_int(text) % 2 == 0, wings=kind == "dragon" and "dinosaur" not in words
        and "dino" not in words and "lizard" not in words, elder=elder, apron=apron,
    )


# Role words: the hat they wear (accessory, colour) and an apron's colour
_ROLES = {
    "chef": ("hat", (246, 246, 248), (246, 246, 248)), "cook": ("hat", (246, 246, 248), (246, 246, 248)),
    "baker": ("hat", (246, 246, 248), (246, 246, 248)), "detective": ("hat", (120, 88, 60), None),
    "farmer": ("hat", (230, 200, 110), (90, 120, 170)), "gardener": ("hat", (230, 200, 110), (90, 140, 90)),
    "pirate": ("hat", (40, 40, 48), None), "sailor": ("cap", (246, 246, 248), None),
    "explorer": ("hat", (176, 150, 100), None), "student": ("backpack", (220, 80, 70), None),
    "painter": ("beanie", (200, 60, 70), (236, 226, 200)), "firefighter": ("hat", (220, 50, 40), None),
    "doctor": ("", None, (246, 246, 248)), "nurse": ("", None, (246, 246, 248)),
}


# -- the motion -------------------------------------------------------------------------------

# (motion, words that suggest it), most specific first.
_MOTION_WORDS = (
    ("celebrate", {"celebrate", "celebrates", "celebrating", "dance", "dances", "dancing", "cheer", "cheers", "happy",
                   "joy", "joyful", "laugh", "laughs", "smile", "smiles", "hug", "hugs", "party", "reunite", "reunites",
                   "finally", "triumph", "wins", "victory", "delighted", "glad", "rejoice"}),
    ("jump", {"jump", "jumps", "jumping", "leap", "leaps", "leaping", "hop", "hops", "fly", "flies", "soar", "soars",
              "climb", "climbs", "bounce", "bounces", "reach", "reaches", "grab", "grabs", "dive", "dives"}),
    ("run", {"run", "runs", "running", "race", "races", "racing", "rush", "rushes", "dash", "dashes", "chase", "chases",
             "hurry", "hurries", "flee", "flees", "sprint", "sprints", "gallop", "zoom", "zooms", "speeds"}),
    ("notice", {"notice", "notices", "noticed", "clue", "glimmer", "glimmers", "spot", "spots", "discover", "discovers",
                "sees", "glimpse", "glimpses", "finds", "found", "closer"}),
    ("struggle", {"harder", "hesitate", "hesitates", "stuck", "blocked", "struggle", "struggles", "tries", "obstacle",
                  "slip", "slips", "fails", "push", "pushes", "pull", "pulls", "trips", "way"}),
    ("enter", {"enter", "enters", "arrive", "arrives", "appear", "appears", "meet", "meets", "introduce", "introduces",
               "comes", "emerges", "steps"}),
    ("walk", {"walk", "walks", "walking", "search", "searches", "searching", "look", "looks", "explore", "explores",
              "wander", "wanders", "journey", "travel", "travels", "follow", "follows", "seek", "seeks", "sneak",
              "sneaks", "tiptoe", "carry", "carries", "deliver", "delivers", "delivering", "find", "hunt", "roam"}),
    ("idle", {"sleep", "sleeps", "rest", "rests", "sit", "sits", "wait", "waits", "watch", "watches", "think", "thinks",
              "dream", "dreams", "listen", "listens", "gaze", "gazes", "ponder", "stands"}),
)
# Beat names (the planner's and common screenwriting ones) -> motion.
_BEATS = {
    "establish": "distant", "establishing": "distant", "opening": "distant", "setting": "distant", "setup": "distant",
    "intro": "enter", "introduce": "enter", "introduction": "enter", "inciting": "walk", "journey": "walk",
    "rising": "walk", "conflict": "struggle", "challenge": "struggle", "obstacle": "struggle", "discovery": "notice",
    "climax": "jump", "peak": "jump", "turn": "run",
    "resolution": "celebrate", "resolve": "celebrate", "ending": "celebrate", "end": "celebrate", "finale": "celebrate",
    "epilogue": "idle", "denouement": "idle", "reflection": "idle",
}


_GENERIC_BEATS = {"walk"}  # beats whose motion the scene's own words may refine (rising, journey, ...)
_STRONG = {"celebrate", "jump", "run"}  # verbs in the text that win over any beat but "establish"


def _text_motion(text: str) -> str | None:
    ws = set(_words(text))
    for motion, keys in _MOTION_WORDS:
        if ws & keys:
            return motion
    return None


def infer_motion(scene: Scene, character: str = "", verb: str | None = None, sought: bool = False) -> str:
    """The motion for a scene, one of MOTIONS.

    `verb` is the action's motion class (verbs.verb_class): every beat but the establishing
    shot, the entrance and the ending acts it out (a search still notices and reaches its
    object when `sought`). Without one, the older reading of the words below decides.

    The character's own words never pick a motion: "a happy golden retriever" is who
    the scene is about, not a celebration (only the action and the beat move it).

    An establishing beat shows the character small in the distance. Otherwise an
    energetic verb in the scene's text (runs, jumps, celebrates) wins; then a known
    beat decides (introduce -> enter, obstacle -> struggle, discovery -> notice,
    climax -> jump, resolution -> celebrate); then any motion word in the text or
    prompt; then 'walk'.
    """
    beat_words = _words(scene.beat)
    beat = next((_BEATS[w] for w in beat_words if w in _BEATS), None)
    beat = beat or _text_motion(scene.beat)  # a beat named like a motion ("celebrates")
    if beat == "distant":
        return "distant"
    if verb and beat not in ("enter", "celebrate", "idle"):
        # the action's verb acts the middle of the story out; a search still finds its object (notice, reach)
        if sought and verb in ("search", "chase", "walk") and beat in ("notice", "jump"):
            return beat
        return verb
    said = _text_motion(_without(scene.text, character))
    if said in _STRONG:
        return said
    if beat and beat not in _GENERIC_BEATS:
        return beat
    return said or _text_motion(_without(scene.prompt, character)) or beat or "walk"


def _without(text: str, character: str) -> str:
    """`text` with the character's descriptor taken out (case-insensitive)."""
    if not character.strip():
        return text
    return re.sub(re.escape(character.strip()), " ", text, flags=re.IGNORECASE)


_PROP_WORDS = {
    "lantern": "lantern", "lamp": "lantern", "torch": "lantern", "cake": "cake", "cupcake": "cake",
    "pie": "cake", "ball": "ball", "balloon": "ball", "apple": "ball", "egg": "ball",
    "star": "star", "key": "key", "flower": "flower", "rose": "flower", "blossom": "flower", "gift": "gift",
    "present": "gift", "box": "gift", "parcel": "gift", "package": "gift", "gem": "gem",
    "jewel": "gem", "crystal": "gem", "treasure": "gem", "diamond": "gem", "stone": "gem", "coin": "gem", "shell": "gem",
}
_PROP_COLORS = {"lantern": (226, 70, 52), "cake": (244, 150, 180), "ball": (226, 70, 60), "star": (250, 206, 60),
                "key": (236, 190, 60), "flower": (240, 120, 170), "gift": (90, 140, 230), "gem": (90, 210, 230)}


def prop_look(action: str) -> tuple[str, Color] | None:
    """The object the action is about, if storykit can draw it: (kind, colour), e.g. ('lantern', red)."""
    words = re.findall(r"[a-z]+", action.lower())
    words = [w[:-1] if w.endswith("s") and w[:-1] in _PROP_WORDS else w for w in words]
    found = [(i, _PROP_WORDS[w]) for i, w in enumerate(words) if w in _PROP_WORDS]
    if not found:
        return None
    i, kind = found[-1]  # the last object noun: "searches for a lost lantern"
    color = next((COLORS[w] for w in reversed(words[max(0, i - 3) : i]) if COLORS.get(w)), _PROP_COLORS[kind])
    return kind, color
