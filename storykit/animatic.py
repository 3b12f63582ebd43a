"""The offline animatic: a moving storyboard drawn from the script, with no model weights.

Film makers plan with animatics; storykit draws one whenever AnimateDiff-Lightning's
weights are not on the machine (CI, a fresh laptop, a workshop without GPUs), so a
triple still becomes a story you can watch and judge. Every frame is marked
"ANIMATIC" so nobody mistakes it for model output.

How a scene is drawn (deterministic from the script and the scene's seed):

* the setting picks a world (`world_look`): time of day, far/mid/ground/fore layers,
  weather. The world is drawn ONCE per story (from the script's seed) as strips
  wider than the frame, so every scene happens in the same place; each scene's
  seed picks its own window into it, and its camera move slides the layers with
  parallax (far layers move less);
* the character text picks a figure and its colours (`character_look`), identical
  in every scene; each pose is drawn once and cached;
* the beat and the scene's words pick a motion (`infer_motion`): an entrance, a
  walk cycle with a look around, a jump, a happy bounce, ...; the object of the
  action (`prop_look`: a lantern, a cake, ...) glimmers, is reached, is held up;
* a caption (`scene.text`, else the beat) sits at the bottom.

>>> from storykit.script import Triple, Scene, Script
>>> from storykit.backend import RenderConfig
>>> t = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
>>> s = Script(t, [Scene(0, "introduce", "a fox", text="A fox enters the forest.", camera="pan_right")])
>>> clip = AnimaticBackend().render_scene(s.scenes[0], s, RenderConfig(height=128, width=128))
>>> clip.frames.shape, clip.metadata["backend"]
((16, 128, 128, 3), 'animatic')
>>> character_look("a small red fox in a blue scarf").accessory
'scarf'
"""

from __future__ import annotations

import collections
import colorsys
import dataclasses
import hashlib
import math
import re
import time

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from . import draw
from .backend import RenderConfig
from .clips import Clip
from .errors import InvalidInput
from .script import Scene, Script

__all__ = [
    "ANIMATIC_VERSION",
    "MOTIONS",
    "AnimaticBackend",
    "CharacterLook",
    "WorldLook",
    "character_look",
    "world_look",
    "infer_motion",
    "prop_look",
]

# Bump when the drawing changes, so cached clips are redrawn.
ANIMATIC_VERSION = "1"
MOTIONS = ("distant", "enter", "walk", "run", "notice", "struggle", "jump", "celebrate", "idle")

# Parallax per layer: how far each moves, relative to the ground, when the camera pans or tilts.
PARALLAX = {"back": 0.25, "mid": 0.55, "ground": 1.0, "fore": 1.45}
PAN = 0.12  # half of a pan's travel, in frame widths (at parallax 1)
OFFSET = 0.5  # each scene's window starts up to this many frame widths into the story's world
TILT = 0.06  # half of a tilt's travel, in frame heights
ZOOM = 1.3  # zoom_in goes 1 -> ZOOM, zoom_out ZOOM -> 1
STEPS_PER_SECOND = 8.0  # walk-cycle poses per second (two strides)


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
    weather: tuple[str, ...] = ()  # mist, snow, rain, fireflies, petals, leaves, neon


# (keywords, value) in priority order for each slot; the first that matches wins.
_SPACE = {"space", "galaxy", "cosmos", "cosmic", "asteroid", "planet", "lunar", "orbit", "spaceship", "starship", "nebula",
          "spacestation"}
_SEA = {"beach", "shore", "coast", "ocean", "sea", "island", "harbor", "harbour", "lake", "bay", "seaside", "lagoon", "pier",
        "seashore", "coral", "reef"}
_CITY = {"city", "street", "town", "downtown", "alley", "metropolis", "neon", "avenue", "rooftop", "market", "cyberpunk",
         "skyscraper", "urban"}
_VILLAGE = {"village", "cottage", "farm", "hamlet", "farmyard", "countryside"}
_DESERT = {"desert", "dune", "sahara", "canyon", "oasis", "savanna", "savannah", "mars", "martian"}
_CASTLE = {"castle", "palace", "kingdom", "fortress", "citadel", "tower"}
_INDOOR = {"kitchen", "room", "bedroom", "library", "classroom", "bakery", "cafe", "shop", "store", "museum", "attic",
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


def world_look(setting: str) -> WorldLook:
    """Reads a setting ('a misty bamboo forest at dawn') into a WorldLook by keywords.

    Unknown words give a pleasant default: rolling hills under a day sky.
    """
    w = set(_words(setting))
    low = setting.lower()
    # time of day: the word that appears first in the text wins ("a night ... by day" is rare)
    found = [(min(low.find(k) for k in keys if k in w), name) for name, keys in _TIMES if w & keys]
    time_of_day = min(found)[1] if found else ("space" if w & _SPACE else "night" if "neon" in w else "day")
    if w & _SPACE:
        sky = "space" if time_of_day in ("night", "day") or not found else time_of_day
        return WorldLook(sky, "planet", "craters", "moon", "none", ())
    if "golden" in w and "hour" in w and not found:
        time_of_day = "dusk"
    if w & _INDOOR and not w & (_SEA | _CITY | _FOREST | _DESERT | _SNOW | _MOUNTAIN | _BAMBOO | _JUNGLE):
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
    # 1. The figure.
    kind, plan = "creature", "creature"
    for i, w in enumerate(sing):
        if w in KINDS:
            if i + 1 < len(sing) and sing[i + 1] in KINDS:
                continue  # 'robot dog': the second noun is the head
            kind, plan = KINDS[w]
            break
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
        belly = _rgb(draw.mix(body, (255, 250, 240), 0.55))
    if plan == "biped":
        belly = (70, 82, 112) if kind == "person" else _rgb(draw.shade(body, 0.8))  # trousers / lower armour
    if accessory and acc_color is None:
        acc_color = accent
    if kind == "turtle":
        belly = (232, 214, 150)  # shell plates take the body colour towards sand
    skin = _pick(_SKIN, text, "skin") if plan == "biped" else body
    if kind == "turtle":
        skin = _rgb(draw.mix(body, (255, 255, 220), 0.35))
        body = _rgb(draw.mix(body, (110, 80, 50), 0.35))  # the shell
    outline = _rgb(draw.mix(body, (26, 20, 34), 0.72))
    return CharacterLook(
        text=text, kind=kind, body_plan=plan, body=_rgb(body), belly=_rgb(belly), accent=_rgb(accent), outline=outline,
        skin=_rgb(skin), hair=_rgb(hair or _pick(_HAIR, text, "hair")), shoes=_rgb(shoes or (70, 52, 44)),
        accessory=accessory, accessory_color=_rgb(acc_color or accent), scale=scale, stripes=stripes, panda=panda,
        penguin=penguin, flippers=kind == "turtle" and bool({"sea", "ocean", "marine"} & set(words)),
        antennae=kind == "creature" and _stable_int(text) % 2 == 0, wings=kind == "dragon" and "dinosaur" not in words
        and "dino" not in words and "lizard" not in words,
    )


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


def infer_motion(scene: Scene) -> str:
    """The motion for a scene, one of MOTIONS.

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
    said = _text_motion(scene.text)
    if said in _STRONG:
        return said
    if beat and beat not in _GENERIC_BEATS:
        return beat
    return said or _text_motion(scene.prompt) or beat or "walk"


_PROP_WORDS = {
    "lantern": "lantern", "lamp": "lantern", "torch": "lantern", "cake": "cake", "cupcake": "cake",
    "pie": "cake", "ball": "ball", "balloon": "ball", "apple": "ball", "egg": "ball",
    "star": "star", "key": "key", "flower": "flower", "rose": "flower", "blossom": "flower", "gift": "gift",
    "present": "gift", "box": "gift", "parcel": "gift", "package": "gift", "letter": "gift", "gem": "gem",
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


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, u)))


@dataclasses.dataclass
class _Beat:
    """Where the character is in one frame."""

    forward: float  # 0..1 across the frame in the facing direction
    lift: float  # jump height in frame heights
    pose: str
    flip: bool = False  # looking back


def _track(motion: str, n: int, fps: int) -> list[_Beat]:
    out = []
    for i in range(n):
        u = i / (n - 1) if n > 1 else 0.5
        step = int(i / fps * STEPS_PER_SECOND)
        walk = f"walk{step % 4}"
        if motion == "distant":
            out.append(_Beat(0.32 + 0.3 * u, 0.0, f"walk{int(step * 0.75) % 4}"))
        elif motion == "enter":
            k = min(1.0, u / 0.7)
            pose = walk if u < 0.7 else ("blink" if 0.84 < u < 0.92 else "stand")
            out.append(_Beat(-0.15 + 0.62 * (1 - (1 - k) ** 2), 0.0, pose))
        elif motion == "walk":
            if u < 0.45:
                out.append(_Beat(0.2 + 0.3 * u / 0.45, 0.0, walk))
            elif u < 0.7:
                out.append(_Beat(0.5, 0.0, "stand", flip=0.5 <= u < 0.65))
            else:
                out.append(_Beat(0.5 + 0.22 * (u - 0.7) / 0.3, 0.0, walk))
        elif motion == "run":
            out.append(_Beat(0.06 + 0.84 * u, 0.02 * abs(math.sin(step * math.pi / 2)), f"walk{(2 * step) % 4}"))
        elif motion == "notice":  # walks, stops short: something ahead!
            if u < 0.45:
                out.append(_Beat(0.2 + 0.25 * u / 0.45, 0.0, walk))
            elif u < 0.6:
                out.append(_Beat(0.45, 0.03 * math.sin(math.pi * (u - 0.45) / 0.15), "happy1"))
            else:
                out.append(_Beat(0.45 + 0.08 * (u - 0.6) / 0.4, 0.0, walk if u < 0.85 else "stand"))
        elif motion == "struggle":  # tries, bumps back, hesitates, tries again
            if u < 0.3:
                out.append(_Beat(0.25 + 0.22 * u / 0.3, 0.0, walk))
            elif u < 0.45:
                out.append(_Beat(0.47 - 0.08 * (u - 0.3) / 0.15, 0.0, "crouch"))
            elif u < 0.7:
                out.append(_Beat(0.39, 0.0, "blink" if u < 0.55 else "stand", flip=0.55 <= u < 0.65))
            else:
                out.append(_Beat(0.39 + 0.12 * (u - 0.7) / 0.3, 0.0, walk))
        elif motion == "jump":
            if u < 0.3:
                out.append(_Beat(0.2 + 0.2 * u / 0.3, 0.0, walk))
            elif u < 0.4:
                out.append(_Beat(0.4, 0.0, "crouch"))
            elif u < 0.8:
                s = (u - 0.4) / 0.4
                out.append(_Beat(0.4 + 0.2 * s, 0.24 * 4 * s * (1 - s), "air"))
            elif u < 0.88:
                out.append(_Beat(0.6, 0.0, "crouch"))
            else:
                out.append(_Beat(0.6, 0.0, "happy0"))
        elif motion == "celebrate":
            hop = abs(math.sin(3 * math.pi * u))
            out.append(_Beat(0.5 + 0.03 * math.sin(2 * math.pi * u), 0.07 * hop, "happy0" if hop > 0.3 else "happy1"))
        else:  # idle
            out.append(_Beat(0.5, 0.0, "blink" if 0.6 < u < 0.7 else "stand"))
    return out


# -- the camera -----------------------------------------------------------------------------


def _camera(move: str, n: int, W: int, H: int) -> list[tuple[float, float, float]]:
    """(x, y, zoom) per frame: x/y are the camera offset in pixels at parallax 1."""
    out = []
    for i in range(n):
        e = _ease(i / (n - 1)) if n > 1 else 0.5
        s = 2 * e - 1  # -1 .. 1
        x = {"pan_right": s, "pan_left": -s}.get(move, 0.0) * PAN * W
        # tilts are biased upwards (-0.5..1.5 x TILT) so the character never sinks under the caption
        y = {"tilt_up": 0.5 - s, "tilt_down": 0.5 + s}.get(move, 0.0) * TILT * H
        z = {"zoom_in": 1 + (ZOOM - 1) * e, "zoom_out": ZOOM - (ZOOM - 1) * e}.get(move, 1.0)
        out.append((x, y, z))
    return out


# -- styles -----------------------------------------------------------------------------------

# Colour matrices (Pillow's 12-tuple) for a few script styles; others draw in full colour.
_STYLE_MATRIX = {
    "mono": (0.299, 0.587, 0.114, 0, 0.299, 0.587, 0.114, 0, 0.299, 0.587, 0.114, 0),
    "sepia": (0.393, 0.769, 0.189, 0, 0.349, 0.686, 0.168, 0, 0.272, 0.534, 0.131, 0),
    "pastel": (0.7, 0.1, 0.1, 45, 0.1, 0.7, 0.1, 45, 0.1, 0.1, 0.7, 45),
}


def _style_kind(style: str) -> str:
    w = set(_words(style))
    if w & {"noir", "monochrome", "grayscale", "greyscale", "mono"} or "black and white" in style.lower():
        return "mono"
    if w & {"sepia", "vintage", "antique"}:
        return "sepia"
    if w & {"pastel", "watercolor", "watercolour", "storybook", "soft"}:
        return "pastel"
    if w & {"pixel", "pixelated", "retro", "bit"}:
        return "pixel"
    return ""


def _apply_style(img: Image.Image, kind: str) -> Image.Image:
    m = _STYLE_MATRIX.get(kind)
    if m is None:
        return img
    if img.mode == "RGBA":
        out = img.convert("RGB").convert("RGB", m)
        out.putalpha(img.getchannel("A"))
        return out
    return img.convert("RGB", m)


# -- particles ------------------------------------------------------------------------------


class _Particles:
    """Snow, rain, petals, leaves, fireflies or confetti, in screen space (unmoved by the camera)."""

    KINDS = {  # count per 100x100 px, fall speed (frame heights/s), colours, size (px at 256 px), alpha
        "snow": (3.0, 0.18, ((255, 255, 255),), 2, 0.85),
        "rain": (4.0, 1.6, ((214, 226, 246),), 1, 0.6),
        "petals": (1.0, 0.12, ((250, 190, 210), (255, 222, 232)), 2, 0.9),
        "leaves": (0.8, 0.14, ((230, 130, 50), (210, 80, 40), (240, 190, 60)), 2, 0.9),
        "fireflies": (0.5, 0.0, ((255, 236, 130),), 2, 0.9),
        "confetti": (2.0, 0.5, ((240, 80, 90), (250, 200, 60), (80, 200, 240), (120, 220, 120), (200, 120, 240)), 3, 0.95),
    }

    def __init__(self, kind: str, rng, W: int, H: int):
        count, self.speed, self.colors, size, self.alpha = self.KINDS[kind]
        self.kind, self.W, self.H = kind, W, H
        n = max(6, int(count * W * H / 1e4))
        self.x0, self.y0 = rng.uniform(0, W, n), rng.uniform(0, H, n)
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.vary = rng.uniform(0.6, 1.4, n)
        self.ci = rng.integers(0, len(self.colors), n)
        self.size = max(1, round(size * H / 256))

    def draw(self, frame: Image.Image, t: float) -> None:
        W, H, k = self.W, self.H, self.size
        if self.kind == "fireflies":
            x = (self.x0 + 0.03 * W * np.sin(0.7 * t + self.phase)) % W
            y = 0.35 * H + (self.y0 * 0.5 + 0.03 * H * np.sin(0.9 * t + 2 * self.phase)) % (0.5 * H)
            a = self.alpha * (0.5 + 0.5 * np.sin(3 * t * self.vary + self.phase)) ** 2
        else:
            sway = {"snow": 0.02, "petals": 0.04, "leaves": 0.05, "confetti": 0.02}.get(self.kind, 0.0)
            drift = 0.25 * self.speed * H * t if self.kind == "rain" else 0.0
            x = (self.x0 + sway * W * np.sin(1.5 * t * self.vary + self.phase) + drift) % W
            y = (self.y0 + self.speed * H * t * self.vary) % H
            a = np.full(x.size, self.alpha)
        if self.kind == "rain":  # streaks: points along a slanted line
            d = np.arange(max(3, int(0.035 * H)))
            xs, ys = x[:, None] + 0.25 * d, y[:, None] + d
        else:  # k x k squares
            d = np.arange(k)
            xs = np.broadcast_to(x[:, None, None] + d[None, None, :], (x.size, k, k)).reshape(x.size, -1)
            ys = np.broadcast_to(y[:, None, None] + d[None, :, None], (x.size, k, k)).reshape(x.size, -1)
        draw_ = ImageDraw.Draw(frame, "RGBA")  # "RGBA" on an RGB frame: fills blend by their alpha
        level = np.minimum(3, (a / self.alpha * 4).astype(int))  # fireflies pulse: four brightness steps
        for ci, color in enumerate(self.colors):
            for lv in range(4):
                sel = (self.ci == ci) & (level == lv)
                if sel.any():
                    pts = np.stack([xs[sel].ravel(), ys[sel].ravel()], axis=-1).astype(int).tolist()
                    draw_.point([tuple(p) for p in pts], fill=(*color, int(255 * self.alpha * (lv + 1) / 4)))


# -- the backend ------------------------------------------------------------------------------


class AnimaticBackend:
    """Draws each scene as a moving storyboard; same interface and frame contract as Lightning.

    `caption=False` leaves out the caption and scene label (the "ANIMATIC" mark always stays).
    """

    name = "animatic"

    def __init__(self, *, caption: bool = True, sprite_cache: int = 256, **unknown):
        if unknown:
            raise InvalidInput(f"the animatic backend has no option(s) {', '.join(sorted(unknown))}; it takes: caption")
        if not isinstance(caption, bool):
            raise InvalidInput(f"caption must be True or False, got {caption!r}")
        self.caption = caption
        self._sprites: collections.OrderedDict = collections.OrderedDict()
        self._sprite_cache = int(sprite_cache)
        self._worlds: collections.OrderedDict = collections.OrderedDict()

    def __repr__(self) -> str:
        return f"AnimaticBackend(caption={self.caption})"

    def describe(self) -> dict:
        import PIL

        return {"backend": "animatic", "version": ANIMATIC_VERSION, "font": draw.font_name(), "pillow": PIL.__version__}

    def cache_fields(self, scene: Scene, script: Script, config: RenderConfig | None = None) -> dict:
        """Everything that changes the pixels; not num_inference_steps/guidance_scale (ignored here)."""
        config = config or RenderConfig()
        return {
            "backend": "animatic",
            "version": ANIMATIC_VERSION,
            "font": draw.font_name(),
            "triple": dataclasses.asdict(script.triple),
            "style": script.style,
            "script_seed": script.seed,  # the story's world is drawn from it
            "scene": {k: getattr(scene, k) for k in ("index", "beat", "prompt", "text", "num_frames", "fps", "seed", "camera")},
            "height": config.height,
            "width": config.width,
            "caption": self.caption,
        }

    # -- drawing --------------------------------------------------------------------------
    def _sprite(self, look: CharacterLook, pose: str, height: int, flip: bool, style: str):
        key = (look, pose, height, flip, style)
        hit = self._sprites.get(key)
        if hit is not None:
            self._sprites.move_to_end(key)
            return hit
        if flip:
            img, (ax, ay) = self._sprite(look, pose, height, False, style)
            out = (ImageOps.mirror(img), (img.width - ax, ay))
        else:
            img, anchor = draw.draw_character(look, pose, height)
            out = (_apply_style(img, style), anchor)
        self._sprites[key] = out
        if len(self._sprites) > self._sprite_cache:
            self._sprites.popitem(last=False)
        return out

    def _prop(self, prop: tuple, height: int, style: str) -> Image.Image:
        key = ("prop", prop, height, style)
        if key not in self._sprites:
            self._sprites[key] = _apply_style(draw.draw_prop(prop[0], prop[1], height), style)
        return self._sprites[key]

    def _world(self, script: Script, W: int, H: int, style: str) -> dict:
        """The story's world as parallax layers, drawn once per story and kept in a small LRU.

        Every layer is a strip wider than the frame: room for pans and tilts plus
        OFFSET frame widths, from which each scene frames its own window.
        Returns name -> (image, parallax, frame x, frame y of the image's corner);
        "fore" holds a list of such items instead.
        """
        setting = script.triple.setting
        key = (setting, script.seed, W, H, style)
        if key in self._worlds:
            self._worlds.move_to_end(key)
            return self._worlds[key]
        world = world_look(setting)
        pal = draw.palette(world)
        rng = np.random.default_rng([script.seed, _stable_int(setting) % 2**32])
        out = {}
        drawers = {"back": draw.draw_back, "mid": draw.draw_mid, "ground": draw.draw_ground, "fore": draw.draw_fore}
        for name, fn in drawers.items():
            p = PARALLAX[name]
            x0, x1 = -PAN * W * p - 2, W + (PAN + OFFSET) * W * p + 2
            drawn = fn(world, pal, rng, W, H, x0, x1, 1.5 * TILT * H * p + 2)
            items = []
            for layer in drawn if isinstance(drawn, list) else [drawn]:
                img = _apply_style(layer.image(opaque=name == "back"), style)
                x, y = layer.ox, layer.oy
                if name != "back":  # keep only the drawn part: pasting transparent pixels costs time
                    box = img.getchannel("A").getbbox() or (0, 0, 1, 1)
                    img, x, y = img.crop(box), x + box[0], y + box[1]
                items.append((img, p, x, y))
            out[name] = items if name == "fore" else items[0]
        self._worlds[key] = out
        if len(self._worlds) > 3:
            self._worlds.popitem(last=False)
        return out

    def render_scene(self, scene: Scene, script: Script, config: RenderConfig | None = None) -> Clip:
        """Renders one scene: `(scene.num_frames, config.height, config.width, 3)` uint8 at `scene.fps`."""
        # 1. Check inputs.
        if not isinstance(scene, Scene):
            raise InvalidInput(f"scene must be a storykit Scene, got {type(scene).__name__}")
        if not isinstance(script, Script):
            raise InvalidInput(f"script must be a storykit Script, got {type(script).__name__}")
        config = config or RenderConfig()
        if not isinstance(config, RenderConfig):
            raise InvalidInput(f"config must be a RenderConfig, got {type(config).__name__}")
        scene.validate()
        t0 = time.perf_counter()
        W, H, n = config.width, config.height, scene.num_frames
        rng = np.random.default_rng([scene.seed, _stable_int(script.triple.setting) % 2**32, 1])

        # 2. Read the script: world, character, motion, camera.
        world = world_look(script.triple.setting)
        look = character_look(script.triple.character)
        motion = infer_motion(scene)
        style = _style_kind(script.style)
        cam = _camera(scene.camera, n, W, H)
        track = _track(motion, n, scene.fps)
        pans = scene.camera in ("pan_left", "pan_right")
        facing_right = scene.camera == "pan_right" or (scene.camera != "pan_left" and rng.random() < 0.5)
        offset = rng.uniform(0, OFFSET) * W  # where in the world this scene's window is

        # 3. Draw the world (once per story), sprites and text.
        layers = self._world(script, W, H, style)
        distant = motion == "distant"
        size = min(H, 1.3 * W) * 0.3 * look.scale * (0.48 if distant else 1.0)
        feet_y = H * (draw.MID_BASE + 0.035 if distant else 0.775)
        char_p = PARALLAX["mid"] if distant else PARALLAX["ground"]
        sw = size * (0.55 if look.body_plan != "biped" else 0.4)
        shadows = [draw.shadow_sprite(sw * k, sw * k * 0.22) for k in (1.0, 0.75, 0.5)]
        sprites = {}
        for b in track:
            right = facing_right != b.flip
            if (b.pose, right) not in sprites:
                sprites[(b.pose, right)] = self._sprite(look, b.pose, int(round(size)), not right, style)
        # the story's object: glimmering ahead (notice), in reach (jump), held up (celebrate)
        prop = prop_look(script.triple.action) if motion in ("notice", "jump", "celebrate") else None
        if prop is not None:
            prop_img = self._prop(prop, int(round(size * 0.36)), style)
            prop_glows = [draw.glow_sprite(prop_img.height * k, (255, 236, 160), 0.5) for k in (1.0, 1.25)]
        caption = (scene.text or scene.beat) if self.caption else ""
        overlays = draw.text_overlays(caption, f"{scene.index + 1} · {scene.beat}" if self.caption else "", W, H)
        particles = [_Particles(k, rng, W, H) for k in world.weather if k in _Particles.KINDS]
        if motion == "celebrate":
            particles.append(_Particles("confetti", rng, W, H))
        # Near things may sweep past the character in a pan; otherwise keep the middle clear.
        fore = [item for item in layers["fore"] if pans or not (
            item[2] - offset * item[1] < 0.72 * W and item[2] - offset * item[1] + item[0].width > 0.28 * W)]
        static_world = None
        if not pans and not scene.camera.startswith("tilt"):  # layers never move apart: flatten once
            img, p, x, y = layers["back"]
            x = round(offset * p - x)
            static_world = img.crop((x, -y, x + W, H - y))
            for name in ("mid", "ground"):
                img, p, x, y = layers[name]
                static_world.paste(img, (round(x - offset * p), y), img)
        t1 = time.perf_counter()

        # 4. Compose every frame: slide the layers, place the character, zoom, caption.
        frames = np.empty((n, H, W, 3), np.uint8)

        def compose(i: int) -> None:
            cx, cy, zoom = cam[i]
            wx = offset + cx  # the world's camera x; the character lives in screen terms
            if static_world is not None:
                frame = static_world.copy()
            else:
                img, p, x, y = layers["back"]
                x, y = round(wx * p - x), round(cy * p - y)
                frame = img.crop((x, y, x + W, y + H))
                for name in ("mid", "ground"):
                    img, p, x, y = layers[name]
                    frame.paste(img, (round(x - wx * p), round(y - cy * p)), img)
            b = track[i]
            right = facing_right != b.flip
            fx = b.forward if facing_right else 1.0 - b.forward
            sx, sy = fx * W - cx * char_p, feet_y - cy * char_p
            shadow = shadows[min(2, int(b.lift / 0.08))]
            frame.paste(shadow, (round(sx - shadow.width / 2), round(sy - shadow.height / 2)), shadow)
            img, (ax, ay) = sprites[(b.pose, right)]
            frame.paste(img, (round(sx - ax), round(sy - b.lift * H - ay)), img)
            if prop is not None:
                u = i / (n - 1) if n > 1 else 0.5
                if motion == "notice" or (motion == "jump" and u < 0.6):
                    f = 0.8 if motion == "notice" else 0.52
                    px = (f if facing_right else 1 - f) * W - cx * char_p
                    lift = 0.0 if motion == "notice" else 0.24 * H + 0.8 * size
                    py = sy - lift - prop_img.height / 2
                else:  # held up high
                    px = sx + (0.12 if right else -0.12) * size
                    py = sy - b.lift * H - 0.95 * size - prop_img.height / 2
                glow = prop_glows[(i // 2) % 2]
                frame.paste(glow, (round(px - glow.width / 2), round(py - glow.height / 2)), glow)
                frame.paste(prop_img, (round(px - prop_img.width / 2), round(py - prop_img.height / 2)), prop_img)
            for img, p, x, y in fore:
                x, y = round(x - wx * p), round(y - cy * p)
                if x < W and x + img.width > 0:
                    frame.paste(img, (x, y), img)
            if zoom != 1.0:
                # zoom towards the character's side of the frame, kept inside the picture
                zw, zh = W / zoom, H / zoom
                zx = min(max(0.0, 0.5 * (sx + W / 2) - zw / 2), W - zw)
                zy = min(max(0.0, 0.62 * H - zh / 2), H - zh)
                frame = frame.resize((W, H), Image.BILINEAR, box=(zx, zy, zx + zw, zy + zh))
            if style == "pixel":
                frame = frame.resize((max(1, W // 4), max(1, H // 4)), Image.NEAREST).resize((W, H), Image.NEAREST)
            for pt in particles:
                pt.draw(frame, i / scene.fps)
            for x, y, img in overlays:  # caption and marks: on top, unmoved by the camera
                frame.paste(img, (x, y), img)
            frames[i] = np.asarray(frame)

        for i in range(n):
            compose(i)
        t2 = time.perf_counter()
        return Clip(
            frames=frames,
            fps=scene.fps,
            scene_index=scene.index,
            metadata={
                "backend": "animatic",
                "version": ANIMATIC_VERSION,
                "seed": scene.seed,
                "motion": motion,
                "camera": scene.camera,
                "character": look.kind,
                "timings": {"draw": round(t1 - t0, 4), "frames": round(t2 - t1, 4), "total": round(t2 - t0, 4)},
            },
        )
