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
* words the figure code does not draw become OpenMoji icons (an octopus subject, a violin
  prop, cacti in the middle distance), each listed in the clip's `drawn` metadata;
* captions are burned by `stitch(..., captions=True)` after the transitions; with
  `caption=True` the clip carries its own (`scene.text`, else the beat) at the bottom.

>>> from storykit.plan.script import Triple, Scene, Script
>>> from storykit.generate.config import RenderConfig
>>> t = Triple("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")
>>> s = Script(t, [Scene(0, "introduce", "a fox", text="A fox enters the forest.", camera="pan_right")])
>>> clip = AnimaticBackend().render_scene(s.scenes[0], s, RenderConfig(height=128, width=128))
>>> clip.frames.shape, clip.metadata["backend"]
((16, 128, 128, 3), 'animatic')
>>> AnimaticBackend().render_scene(s.scenes[0], s, RenderConfig(height=64, width=64, fps=24)).frames.shape
(48, 64, 64, 3)
>>> character_look("a small red fox in a blue scarf").accessory
'scarf'
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import time

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from . import figures, scenery
from . import overlays as overlays_mod
from .. import lettering
from ..config import RenderConfig
from ..clips import Clip
from ..frame_buffers import empty_frames
from ...errors import InvalidInput, MissingDependency
from ...plan.script import Scene, Script
from . import icons, landmarks, staging, weather
from .cast import Cast, _apply_style
from .motion import ARC, track as motion_track
from .reading import read_scene, read_story
from .verbs import VERB_CLASSES
from .words import CharacterLook, _stable_int, _words, accessory_of, character_look, infer_motion, prop_look, world_look


__all__ = [
    "ANIMATIC_VERSION",
    "MOTIONS",
    "AnimaticBackend",
]

# Bump when the drawing or what a clip says it drew changes, so cached clips are redrawn
# (6: no cane on animals; sunrise, sunset and night words light the sky instead of standing on the ground;
# two-word names in the text's own Latin-script language; 7: the camera's zoom resampled by OpenCV; 8: hats,
# letters, "port de pêche" and "mange" read as what they are; what a figure cannot draw on itself is worn as an icon).
ANIMATIC_VERSION = "8"
# The arc's motions, then the verbs' (a scene's `motion` metadata is one of these).
MOTIONS = ARC + tuple(v for v in VERB_CLASSES if v not in ARC)

# Parallax per layer: how far each moves, relative to the ground, when the camera pans or tilts.
PARALLAX = {"back": 0.25, "mid": 0.55, "ground": 1.0, "fore": 1.45}
PAN = 0.12  # half of a pan's travel, in frame widths (at parallax 1)
OFFSET = 0.5  # each scene's window starts up to this many frame widths into the story's world
TILT = 0.06  # half of a tilt's travel, in frame heights
ZOOM = 1.3  # zoom_in goes 1 -> ZOOM, zoom_out ZOOM -> 1


def _draw_fps(scene: Scene, config: RenderConfig) -> int:
    """The rate a scene is drawn at: the story's (config.fps) when given, else the scene's own."""
    return int(config.fps or scene.fps)


def _draw_frames(scene: Scene, fps: int) -> int:
    """Frames covering the scene's duration at `fps`: exactly num_frames at the scene's own rate."""
    if fps == scene.fps:
        return scene.num_frames
    return max(1, int(math.floor(scene.num_frames * fps / scene.fps + 0.5 + 1e-9)))  # stitch's round-half-up


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, u)))


# Verbs that leave the hands free: the action's object is near the character, not held
_BESIDE = {"sleep", "swim", "fly", "float", "fall", "dive", "slide", "hug", "cry", "hide", "chase", "run_away", "laugh",
           "ride", "wave"}


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


def _zoom_origin(sx: float, zoom: float, W: int, H: int) -> tuple[float, float]:
    """The top-left of a zoomed frame's window: towards the character's side, kept inside the picture."""
    zw, zh = W / zoom, H / zoom
    return min(max(0.0, 0.5 * (sx + W / 2) - zw / 2), W - zw), min(max(0.0, 0.62 * H - zh / 2), H - zh)


def _opencv():
    try:
        import cv2
    except ImportError as e:
        raise MissingDependency(f"the animatic's camera zoom needs OpenCV, a storykit dependency ({e}): "
                                "`pip install opencv-python-headless`") from None
    return cv2


@contextlib.contextmanager
def _single_threaded_opencv(needed: bool):
    """OpenCV on one thread while a zooming scene is drawn, then as it was.

    Its thread pool splits each 0.5 ms warp across the cores, and waking the threads costs
    more kernel time than the warp: 0.08 -> 0.02 s of system CPU in a 72-frame zoom, while
    the encoder has the other core anyway.
    """
    if not needed:
        yield
        return
    cv2 = _opencv()
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _zoom(frame: Image.Image, x: float, y: float, zoom: float) -> Image.Image:
    """The window at (x, y), 1/zoom of the frame's size, magnified to fill the frame (bilinear).

    Pillow's `resize(box=...)` maps the same pixel centres, but OpenCV's fixed-point warp
    costs ~0.5 ms a 512x512 frame where Pillow's costs ~2.5 ms: in a story with three
    zooming scenes that was a quarter of the animatic's drawing time.
    """
    cv2 = _opencv()
    s = 1.0 / zoom
    # Inverse map, output pixel centre -> input: u = x + (i + 0.5) / zoom - 0.5 (centres at integers)
    to_source = np.float32([[s, 0.0, x + 0.5 * s - 0.5], [0.0, s, y + 0.5 * s - 0.5]])
    out = cv2.warpAffine(np.asarray(frame), to_source, frame.size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(out)


# -- styles -----------------------------------------------------------------------------------

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


# -- the backend ------------------------------------------------------------------------------


class AnimaticBackend(Cast):
    """Draws each scene as a moving storyboard; same interface and frame contract as Lightning.

    Captions: by default the animatic burns none, so that a stitched story burns each scene's
    caption once, after the transitions (`stitch(..., captions=True)`, which `make_story` and
    the Studio use) and crossfades never mix two captions. `caption=True` draws the caption
    and a scene label into the clip itself, for looking at clips on their own; the clip's
    metadata then says `caption_drawn: True`. The "ANIMATIC" mark is always drawn.

    Frame rate: each scene is drawn at `config.fps` when given (the story's rate; `make_story`
    passes it), else at `scene.fps`: `round(num_frames * fps / scene.fps)` frames covering the
    scene's duration, every one a real pose, so stitching never blends two poses into one frame.
    """

    name = "animatic"
    # The clip cache keeps the shape and metadata of a scene, not its frames (storykit.generate.render):
    # writing them cost 0.07 s of CPU a scene at 512x512, drawing one again ~0.1 s, and a re-run whose
    # export segments are all cached reads no frame at all.
    cache_frames = False

    def __init__(self, *, caption: bool = False, sprite_cache: int = 256, **unknown):
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

        return {"backend": "animatic", "version": ANIMATIC_VERSION, "font": lettering.font_name(), "pillow": PIL.__version__}

    def cache_fields(self, scene: Scene, script: Script, config: RenderConfig | None = None) -> dict:
        """Everything that changes the pixels; not num_inference_steps/guidance_scale (ignored here)."""
        config = config or RenderConfig()
        return {
            "backend": "animatic",
            "version": ANIMATIC_VERSION,
            "font": lettering.font_name(),
            "triple": dataclasses.asdict(script.triple),
            "style": script.style,
            "script_seed": script.seed,  # the story's world is drawn from it
            "scene": {k: getattr(scene, k) for k in ("index", "beat", "prompt", "text", "num_frames", "fps", "seed", "camera")},
            "height": config.height,
            "width": config.width,
            "fps": _draw_fps(scene, config),
            "caption": self.caption,
        }

    def _world(self, script: Script, W: int, H: int, style: str) -> dict:
        """The story's world as parallax layers, drawn once per story and kept in a small LRU.

        Every layer is a strip wider than the frame: room for pans and tilts plus
        OFFSET frame widths, from which each scene frames its own window.
        Returns name -> (image, parallax, frame x, frame y of the image's corner);
        "fore" holds a list of such items instead.
        """
        setting = script.triple.setting
        reading = read_story(script.triple)
        key = (setting, script.triple.character, script.triple.action, script.seed, W, H, style)
        if key in self._worlds:
            self._worlds.move_to_end(key)
            return self._worlds[key]
        world = world_look(reading.world_text)
        pal = scenery.palette(world)
        rng = np.random.default_rng([script.seed, _stable_int(setting) % 2**32])
        out = {}
        drawers = {"back": scenery.draw_back, "mid": scenery.draw_mid, "ground": scenery.draw_ground, "fore": scenery.draw_fore}
        for name, fn in drawers.items():
            p = PARALLAX[name]
            x0, x1 = -PAN * W * p - 2, W + (PAN + OFFSET) * W * p + 2
            drawn = fn(world, pal, rng, W, H, x0, x1, 1.5 * TILT * H * p + 2)
            items = []
            for layer in drawn if isinstance(drawn, list) else [drawn]:
                img = layer.image(opaque=name == "back")
                if name in ("back", "mid") and reading.landmarks:  # the setting's landmarks: drawn far, icons mid
                    things = [t for t in reading.landmarks if (t.how == "drawing") == (name == "back")]
                    landmarks.place_landmarks(img, layer.ox, layer.oy, things, world, rng, W, H, icons.icon_image)
                img = _apply_style(img, style)
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
        fps = _draw_fps(scene, config)
        W, H, n = config.width, config.height, _draw_frames(scene, fps)
        rng = np.random.default_rng([scene.seed, _stable_int(script.triple.setting) % 2**32, 1])

        # 2. Read the script: what it names (subject, object, props, setting), world, character, motion, camera.
        reading = read_story(script.triple)
        extras, _ = read_scene(scene, reading, script=script)
        world = world_look(reading.world_text)
        look = character_look(reading.look_text)
        subject_icon = reading.subject.icon if reading.subject is not None and reading.subject.how == "icon" else ""
        plan_ = "creature" if subject_icon else look.body_plan
        motion = infer_motion(scene, script.triple.character, reading.verb, reading.sought)
        style = _style_kind(script.style)
        cam = _camera(scene.camera, n, W, H)
        track = motion_track(motion, n, fps)
        pans = scene.camera in ("pan_left", "pan_right")
        facing_right = scene.camera == "pan_right" or (scene.camera != "pan_left" and rng.random() < 0.5)
        offset = rng.uniform(0, OFFSET) * W  # where in the world this scene's window is

        # 3. Draw the world (once per story), sprites and text.
        layers = self._world(script, W, H, style)
        distant = motion == "distant"
        size = min(H, 1.3 * W) * 0.3 * look.scale * (0.48 if distant else 1.0)
        feet_y = H * (scenery.MID_BASE + 0.035 if distant else 0.775)
        char_p = PARALLAX["mid"] if distant else PARALLAX["ground"]
        sw = size * (0.55 if look.body_plan != "biped" else 0.4)
        shadows = [figures.shadow_sprite(sw * k, sw * k * 0.22) for k in (1.0, 0.75, 0.5)]
        lying = motion == "sleep" and (plan_ != "biped")  # animals curl up: squashed, not turned over

        def body(b, right: bool):
            angle = (0.0 if lying else b.angle) + (-80.0 if b.prone and plan_ == "biped" else 0.0)
            if motion == "climb" and plan_ != "biped" and 0 < b.lift:  # four legs go up nose first
                angle += 60.0
            squash = (1.08, 0.72 * b.squash[1]) if lying else b.squash
            return self._acting(look, subject_icon, b.pose, int(round(size * (0.8 if subject_icon else 1.0))), right,
                                angle, squash, style)

        # The action's object and the character's things, each placed by its role.
        obj = next((t for t in reading.props if t.role == "object"), None)
        sought = reading.sought  # a lost thing is on screen only once found: noticed, reached, held up
        obj_mode = ""
        if obj is not None and motion != "distant":
            if obj.place == "under" or motion == "ride":
                obj_mode = "under"
            elif obj.place == "worn":
                obj_mode = "worn"
            elif sought:
                obj_mode = motion if motion in ("notice", "jump", "celebrate") else ""
            elif obj.place == "scenery" or motion in ("climb",):
                obj_mode = "scenery"
            elif motion in _BESIDE:  # the verb leaves the hands free: the thing is near, not held
                obj_mode = "beside"
            else:
                obj_mode = "act"
        held_scale = {"under": 0.62, "worn": 0.3, "scenery": 1.1, "act": 0.3, "beside": 0.36}.get(obj_mode, 0.36)
        if motion in ("push", "pull", "cook", "build") and obj_mode == "act":
            held_scale = 0.45
        obj_img = self._thing(obj, int(round(size * held_scale)), style) if obj_mode else None
        if obj_img is not None and obj_mode in ("notice", "jump", "celebrate"):
            obj_glows = [figures.glow_sprite(obj_img.height * k, (255, 236, 160), 0.5) for k in (1.0, 1.25)]
        kit = self._kit(motion, obj, obj_img, size, style, W, H)  # a pot, an easel, a ladder, a bush: what the verb needs
        # What the script has the character wear: the figure draws its one accessory if its body plan has a
        # drawing of it; anything else (a hat on a drawn icon, a cape on a turtle) is worn as an icon.
        figure_draws = not subject_icon and look.accessory in figures.ACCESSORIES_DRAWN.get(look.body_plan, ())
        on_figure = [t for t in reading.props if t.role == "prop" and t.place == "figure" and figure_draws
                     and accessory_of(t.what) == look.accessory]
        mine = [t for t in reading.props if t.role == "prop" and t.icon and t not in on_figure] if not distant else []
        worn = [t for t in mine if t.place in ("worn", "figure")][:1]
        rides = [t for t in mine if t.place == "under"][:1] if obj_mode != "under" else []
        held = [t for t in mine if t.place in ("hand", "over")][:1]
        worn_img = self._thing(worn[0], max(4, int(round(size * 0.3))), style) if worn else None
        ride_img = self._thing(rides[0], max(4, int(round(size * 0.62))), style) if rides else None
        held_img = self._thing(held[0], max(4, int(round(size * (0.5 if held[0].place == "over" else 0.28)))), style) \
            if held else None
        role_hat = None
        if subject_icon and not worn and any(t.role == "trait" and t.how == "worn" for t in reading.traits):
            role_hat = self._role_icon(reading, int(round(size * 0.3)), style)
        partner, partner_img = self._partner(reading, motion, obj, size, style)
        # Things this scene's own prompt names (an edit shows): standing on the ground ahead.
        extra_imgs = [self._icon(t.icon, max(4, int(round(size * 0.5))), style) for t in extras] if motion != "distant" else []
        caption = (scene.text or scene.beat) if self.caption else ""
        overlays = overlays_mod.text_overlays(caption, f"{scene.index + 1} · {scene.beat}" if self.caption else "", W, H)
        particles = [weather.Particles(k, rng, W, H) for k in world.weather if k in weather.Particles.KINDS]
        if motion == "celebrate":
            particles.append(weather.Particles("confetti", rng, W, H))
        swim_water = staging.water(W, int(feet_y - 0.05 * H), H) if motion in ("swim", "dive") and \
            world.time != "underwater" else None
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

        # 4. Compose every frame: slide the layers, place the character and what it acts with, zoom, caption.
        frames = empty_frames((n, H, W, 3))  # pre-faulted: a 512x512 story's 300 MB of frames fault in cheaper
        boxes = staging.Boxes()

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
            d = 1 if facing_right else -1  # the direction the scene moves in
            fx_ = b.forward if facing_right else 1.0 - b.forward
            sx, sy = fx_ * W - cx * char_p, feet_y - cy * char_p
            zx, zy = _zoom_origin(sx, zoom, W, H) if zoom != 1.0 else (0.0, 0.0)
            drawn: list[tuple[str, Image.Image, float, float]] = []  # (name, sprite, x, y) in paint order
            ground_y = sy
            lift = b.lift * H
            under = obj_img if obj_mode == "under" else ride_img
            if under is not None and not distant:
                name = "object" if obj_mode == "under" else "prop:" + rides[0].word
                drawn.append((name, under, sx - under.width / 2, ground_y - lift - under.height))
                lift += under.height * 0.55  # it rides: its feet on the saddle, the deck, the board
            if kit.get("scenery") is not None and kit.get("slide") is None:  # a big thing stands behind, at background scale (a tree to climb)
                img = kit["scenery"]
                x = sx + d * (0.3 if motion == "climb" else 0.55) * size
                drawn.insert(0, ("object", img, x - img.width / 2, ground_y - img.height))
            if kit.get("ladder") is not None:
                img = kit["ladder"]
                drawn.append(("", img, sx + d * 0.28 * size - img.width / 2, ground_y - img.height))
            if kit.get("slide") is not None:
                img, x, y = kit["slide"][0 if facing_right else 3], kit["slide"][1], kit["slide"][2]
                drawn.append(("object" if obj_mode == "scenery" else "", img, x if facing_right else W - x - img.width, y))
            if kit.get("ground") is not None and b.hold in ("ground", "") and motion != "hide":
                img = kit["ground"](b.grow) if callable(kit["ground"]) else kit["ground"]
                name = "object" if kit.get("ground_is_object") else ""
                drawn.append((name, img, sx + d * 0.62 * size - img.width / 2, ground_y - img.height))
            shadow = shadows[min(2, int(b.lift / 0.08))]
            frame.paste(shadow, (round(sx - shadow.width / 2), round(ground_y - shadow.height / 2)), shadow)
            img, (ax, ay) = body(b, right)
            if b.visible:
                drawn.append(("subject", img, sx - ax, sy - lift - ay))
            hold = b.hold
            if obj_img is not None and obj_mode == "act" and hold not in ("ground", "ladder", "slide", "under") and b.visible:
                if motion == "give" and hold == "other" and partner_img is not None:
                    o = b.other
                    ox = (o[0] if facing_right else 1 - o[0]) * W - cx * char_p
                    px, py = staging.hold_point(self._partner_plan(partner), "hand", ox, sy - o[1] * H, size, not right)
                elif hold == "air":
                    px = (b.obj[0] if facing_right else 1 - b.obj[0]) * W - cx * char_p
                    py = sy - b.obj[1] * H
                elif hold in ("front", "back"):
                    px = sx + (1 if right else -1) * (0.55 if hold == "front" else -0.75) * size
                    py = ground_y - obj_img.height / 2
                else:
                    px, py = staging.hold_point(plan_, {"mouth": "mouth", "up": "up"}.get(hold, "hand"), sx, sy - lift,
                                                size * (0.8 if subject_icon else 1.0), right)
                oimg = obj_img if b.obj_scale >= 0.99 else obj_img.resize(
                    (max(1, round(obj_img.width * b.obj_scale)), max(1, round(obj_img.height * b.obj_scale))))
                if hold == "up":
                    py = min(py, sy - lift - img.height - oimg.height / 2)
                if hold == "back":
                    ImageDraw.Draw(frame).line([staging.hold_point(plan_, "hand", sx, sy - lift, size, right), (px, py)],
                                               fill=(110, 80, 50), width=max(1, int(size * 0.02)))
                drawn.append(("object", oimg, px - oimg.width / 2, py - oimg.height / 2))
            elif obj_img is not None and obj_mode == "beside":
                if motion in ("swim", "fly", "float", "dive"):  # it goes along ahead, at the character's height
                    px = sx + d * 0.8 * size
                    py = sy - lift - 0.45 * size + 0.04 * size * math.sin(2 * math.pi * i / max(1, fps))
                else:  # on the ground in front (a fire to sleep by, a bush to hide near)
                    px, py = sx + d * 0.75 * size, ground_y - obj_img.height / 2
                drawn.append(("object", obj_img, px - obj_img.width / 2, py - obj_img.height / 2))
            elif obj_img is not None and obj_mode == "worn" and b.visible:
                hx0, hy0, hx1, hy1 = staging.head_box(plan_, None if subject_icon else look, sx, sy - lift, size, right)
                drawn.append(("object", obj_img, (hx0 + hx1) / 2 - obj_img.width / 2, hy0 - obj_img.height * 0.8))
            elif obj_img is not None and obj_mode in ("notice", "jump", "celebrate"):
                u = i / (n - 1) if n > 1 else 0.5
                grounded = motion == "notice" or obj.how == "icon"  # a puppy waits on the ground; a lantern hangs
                if motion == "notice" or (motion == "jump" and u < 0.6):
                    f = 0.8 if grounded else 0.52
                    px = (f if facing_right else 1 - f) * W - cx * char_p
                    up = 0.0 if grounded else 0.24 * H + 0.8 * size
                    py = sy - up - obj_img.height / 2 - (obj_img.height / 2 if grounded and motion == "jump" else 0)
                else:  # held up high, above the head
                    px = sx + (0.12 if right else -0.12) * size
                    py = sy - lift - img.height - obj_img.height / 2 - 0.02 * size
                glow = obj_glows[(i * 8 // fps // 2) % 2]  # flickers at the same speed at any fps
                drawn.append(("", glow, px - glow.width / 2, py - glow.height / 2))
                drawn.append(("object", obj_img, px - obj_img.width / 2, py - obj_img.height / 2))
            if held_img is not None and b.visible and motion not in ("sleep", "swim", "dive", "fall"):
                if held[0].place == "over":  # an umbrella: held over the head
                    px = sx + (0.06 if right else -0.06) * size
                    py = sy - lift - img.height - held_img.height * 0.3
                else:  # in the free hand: the near one, or the far one while the near one acts
                    busy = obj_img is not None and obj_mode == "act" and hold not in ("ground", "ladder", "slide", "under")
                    px, py = staging.hold_point(plan_, "hand", sx, sy - lift, size * (0.8 if subject_icon else 1.0),
                                                right != busy)
                drawn.append(("prop:" + held[0].word, held_img, px - held_img.width / 2, py - held_img.height / 2))
            hat = worn_img if worn_img is not None else role_hat
            if hat is not None and b.visible and not distant:
                hx0, hy0, hx1, hy1 = staging.head_box(plan_, None if subject_icon else look, sx, sy - lift, size, right)
                top = (sy - lift - img.height) if subject_icon or abs(b.angle) > 30 else hy0
                name = "prop:" + worn[0].word if worn_img is not None else ""
                drawn.append((name, hat, (hx0 + hx1) / 2 - hat.width / 2, top - hat.height * 0.7))
            if b.other is not None and partner_img is not None:
                o = b.other
                ox = (o[0] if facing_right else 1 - o[0]) * W - cx * char_p
                pimg, (pax, pay) = partner_img[(o[2], right != o[3])]
                drawn.append(("partner", pimg, ox - pax, sy - o[1] * H - pay))
            if motion == "hide" and kit.get("ground") is not None:  # the bush in front of the character
                bush = kit["ground"]
                drawn.append(("", bush, 0.55 * W if facing_right else 0.45 * W, 0.0))
                drawn[-1] = ("", bush, ((0.55 if facing_right else 0.45) * W - cx * char_p) - bush.width / 2,
                             ground_y - bush.height + 0.02 * size)
            for icon, dx, dy, k in b.fx if not distant else ():
                hx0, hy0, hx1, hy1 = staging.head_box(plan_, None if subject_icon else look, sx, sy - lift, size, right)
                fimg = self._fx(icon, max(4, int(round(size * k))), style)
                x = (hx0 + hx1) / 2 + (dx if right else -dx) * size
                drawn.append(("", fimg, x - fimg.width / 2, hy0 + dy * size - fimg.height / 2))
            for k, eimg in enumerate(extra_imgs):
                ex = ((0.8 - 0.14 * k) if facing_right else (0.2 + 0.14 * k)) * W - cx
                drawn.append((f"extra:{k}", eimg, ex - eimg.width / 2, feet_y + 0.02 * H - cy - eimg.height))
            for name, spr, x, y in drawn:
                frame.paste(spr, (round(x), round(y)), spr)
                if name:  # where it is on screen, after the zoom
                    x0, y0 = round(x), round(y)
                    boxes.add(name, i, ((x0 - zx) * zoom, (y0 - zy) * zoom, (x0 + spr.width - zx) * zoom,
                                        (y0 + spr.height - zy) * zoom), W, H)
            if swim_water is not None:
                frame.paste(swim_water, (0, int(feet_y - 0.05 * H - cy * char_p)), swim_water)
            for img_, p, x, y in fore:
                x, y = round(x - wx * p), round(y - cy * p)
                if x < W and x + img_.width > 0:
                    frame.paste(img_, (x, y), img_)
            if zoom != 1.0:
                frame = _zoom(frame, zx, zy, zoom)
            if style == "pixel":
                frame = frame.resize((max(1, W // 4), max(1, H // 4)), Image.NEAREST).resize((W, H), Image.NEAREST)
            if "storm" in world.weather:
                frame = weather.lightning(frame, i, fps)
            for pt in particles:
                pt.draw(frame, i / fps)
            for x, y, img_ in overlays:  # caption and marks: on top, unmoved by the camera
                frame.paste(img_, (x, y), img_)
            frames[i] = np.asarray(frame)

        with _single_threaded_opencv(any(z != 1.0 for _, _, z in cam)):
            for i in range(n):
                compose(i)
        t2 = time.perf_counter()
        drawn = self._drawn(reading, boxes, n // 2, extras, worn, rides, held, partner, obj, plan_, on_figure)
        return Clip(
            frames=frames,
            fps=fps,
            scene_index=scene.index,
            metadata={
                "backend": "animatic",
                "version": ANIMATIC_VERSION,
                "seed": scene.seed,
                "motion": motion,
                "traits": list(world.traits) + [f"{c} {k}" for c, k in ((world.sky_color, "sky"),
                                                                       (world.ground_color, "ground")) if c],
                "camera": scene.camera,
                "character": look.kind if not subject_icon else reading.subject.what,
                "drawn": drawn,
                "not_drawn": list(reading.not_drawn) + [t.word for t in reading.traits  # "an old turtle": no cane
                                                        if t.how == "figure" and plan_ != "biped"]
                + [t.word for t in reading.props if t.role == "prop" and t.place == "figure" and t not in on_figure
                   and t not in worn],  # a second thing to wear, or one with neither a drawing nor an icon
                "drawn_fps": fps,
                "caption_drawn": bool(self.caption),
                "timings": {"draw": round(t1 - t0, 4), "frames": round(t2 - t1, 4), "total": round(t2 - t0, 4)},
            },
        )
