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
from ...errors import InvalidInput
from ...plan.script import Scene, Script
from . import icons, landmarks
from .reading import read_scene, read_story
from .words import CharacterLook, _stable_int, _words, character_look, infer_motion, prop_look, world_look


__all__ = [
    "ANIMATIC_VERSION",
    "MOTIONS",
    "AnimaticBackend",
]

# Bump when the drawing changes, so cached clips are redrawn.
ANIMATIC_VERSION = "4"
MOTIONS = ("distant", "enter", "walk", "run", "notice", "struggle", "jump", "celebrate", "idle")

# Parallax per layer: how far each moves, relative to the ground, when the camera pans or tilts.
PARALLAX = {"back": 0.25, "mid": 0.55, "ground": 1.0, "fore": 1.45}
PAN = 0.12  # half of a pan's travel, in frame widths (at parallax 1)
OFFSET = 0.5  # each scene's window starts up to this many frame widths into the story's world
TILT = 0.06  # half of a tilt's travel, in frame heights
ZOOM = 1.3  # zoom_in goes 1 -> ZOOM, zoom_out ZOOM -> 1
STEPS_PER_SECOND = 8.0  # walk-cycle poses per second (two strides)


# Icon subjects: (x scale, y scale, tilt in degrees) per pose: a waddle, a squash before a jump, a stretch in the air.
_ICON_POSES = {"walk0": (1.0, 1.0, 5.0), "walk1": (1.02, 0.97, 0.0), "walk2": (1.0, 1.0, -5.0), "walk3": (1.02, 0.97, 0.0),
               "crouch": (1.12, 0.84, 0.0), "air": (0.92, 1.08, 8.0), "happy0": (1.0, 1.0, 9.0), "happy1": (1.0, 1.0, -9.0)}
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
            img, anchor = figures.draw_character(look, pose, height)
            out = (_apply_style(img, style), anchor)
        self._sprites[key] = out
        if len(self._sprites) > self._sprite_cache:
            self._sprites.popitem(last=False)
        return out

    def _icon_sprite(self, icon: str, pose: str, height: int, flip: bool, style: str):
        """An icon as the subject: the same picture in every pose, tilted, squashed or stretched by the motion."""
        key = ("icon", icon, pose, height, flip, style)
        hit = self._sprites.get(key)
        if hit is not None:
            return hit
        img = icons.icon_image(icon, height)
        if not flip:
            img = ImageOps.mirror(img)  # emoji animals mostly face left; the track's "right" faces right
        sx, sy, angle = _ICON_POSES.get(pose, (1.0, 1.0, 0.0))
        if (sx, sy) != (1.0, 1.0):
            img = img.resize((max(1, round(img.width * sx)), max(1, round(img.height * sy))), Image.BILINEAR)
        if angle:
            img = img.rotate(angle if not flip else -angle, Image.BICUBIC, expand=True)
        out = (_apply_style(img, style), (img.width // 2, img.height - 1))
        self._sprites[key] = out
        return out

    def _icon(self, icon: str, height: int, style: str) -> Image.Image:
        key = ("icon", icon, height, style)
        if key not in self._sprites:
            self._sprites[key] = _apply_style(icons.icon_image(icon, height), style)
        return self._sprites[key]

    def _prop(self, prop: tuple, height: int, style: str) -> Image.Image:
        key = ("prop", prop, height, style)
        if key not in self._sprites:
            self._sprites[key] = _apply_style(figures.draw_prop(prop[0], prop[1], height), style)
        return self._sprites[key]

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

        # 2. Read the script: what it names (subject, props, setting), world, character, motion, camera.
        reading = read_story(script.triple)
        extras, _ = read_scene(scene, reading, script=script)
        world = world_look(reading.world_text)
        look = character_look(reading.look_text)
        subject_icon = reading.subject.icon if reading.subject is not None and reading.subject.how == "icon" else ""
        motion = infer_motion(scene, script.triple.character)
        style = _style_kind(script.style)
        cam = _camera(scene.camera, n, W, H)
        track = _track(motion, n, fps)
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
        sprites = {}
        for b in track:
            right = facing_right != b.flip
            if (b.pose, right) not in sprites:
                if subject_icon:
                    sprites[(b.pose, right)] = self._icon_sprite(subject_icon, b.pose, int(round(size * 0.8)), not right, style)
                else:
                    sprites[(b.pose, right)] = self._sprite(look, b.pose, int(round(size)), not right, style)
        # The story's object. Sought things (a lost lantern) glimmer ahead (notice), are in reach
        # (jump) and held up (celebrate); things the character does something with (a violin,
        # a seedling) are beside it in every scene but the establishing shot.
        obj = reading.props[0] if reading.props and reading.props[0].how in ("drawing", "icon") else None
        prop_img, prop_mode = None, ""
        if obj is not None:
            sought = reading.sought
            if motion in ("notice", "jump", "celebrate"):
                prop_mode = motion
            elif not sought and motion != "distant":
                prop_mode = "with"
            if prop_mode:
                drawn_prop = prop_look(obj.what) or prop_look(obj.word) if obj.how == "drawing" else None
                ph = int(round(size * (0.36 if drawn_prop else 0.42)))
                prop_img = self._prop(drawn_prop, ph, style) if drawn_prop else self._icon(obj.icon, ph, style)
                prop_glows = [figures.glow_sprite(prop_img.height * k, (255, 236, 160), 0.5) for k in (1.0, 1.25)]
        worn = [t for t in reading.props[1:] if t.how == "icon" and t.icon][:1]
        worn_img = self._icon(worn[0].icon, max(4, int(round(size * 0.3))), style) if worn and motion != "distant" else None
        # Things this scene's own prompt or text names (an edit shows): standing on the ground ahead.
        extra_imgs = [self._icon(t.icon, max(4, int(round(size * 0.5))), style) for t in extras] if motion != "distant" else []
        caption = (scene.text or scene.beat) if self.caption else ""
        overlays = overlays_mod.text_overlays(caption, f"{scene.index + 1} · {scene.beat}" if self.caption else "", W, H)
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
            for k, eimg in enumerate(extra_imgs):
                ex = ((0.8 - 0.14 * k) if facing_right else (0.2 + 0.14 * k)) * W - cx
                ey = feet_y + 0.02 * H - cy
                frame.paste(eimg, (round(ex - eimg.width / 2), round(ey - eimg.height)), eimg)
            if worn_img is not None:
                wx_ = sx + (0.18 if right else -0.18) * img.width * (0 if look.body_plan == "biped" or subject_icon else 1)
                wy_ = sy - b.lift * H - ay - worn_img.height * 0.55
                frame.paste(worn_img, (round(wx_ - worn_img.width / 2), round(wy_)), worn_img)
            if prop_img is not None and prop_mode == "with":  # beside the character, at hand height
                px = sx + (0.42 if right else -0.42) * size
                py = sy - b.lift * H - 0.45 * size - prop_img.height / 2
                frame.paste(prop_img, (round(px - prop_img.width / 2), round(py)), prop_img)
            elif prop_img is not None:
                u = i / (n - 1) if n > 1 else 0.5
                grounded = motion == "notice" or obj.how == "icon"  # a puppy waits on the ground; a lantern hangs
                if motion == "notice" or (motion == "jump" and u < 0.6):
                    f = 0.8 if grounded else 0.52
                    px = (f if facing_right else 1 - f) * W - cx * char_p
                    lift = 0.0 if grounded else 0.24 * H + 0.8 * size
                    py = sy - lift - prop_img.height / 2 - (prop_img.height / 2 if grounded and motion == "jump" else 0)
                else:  # held up high
                    px = sx + (0.12 if right else -0.12) * size
                    py = sy - b.lift * H - 0.95 * size - prop_img.height / 2
                glow = prop_glows[(i * 8 // fps // 2) % 2]  # flickers at the same speed at any fps
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
                pt.draw(frame, i / fps)
            for x, y, img in overlays:  # caption and marks: on top, unmoved by the camera
                frame.paste(img, (x, y), img)
            frames[i] = np.asarray(frame)

        for i in range(n):
            compose(i)
        t2 = time.perf_counter()
        drawn = [reading.subject.to_dict()] if reading.subject is not None else []
        if prop_img is not None:
            drawn.append(obj.to_dict())
        drawn += [t.to_dict() for t in worn] if worn_img is not None else []
        drawn += [t.to_dict() for t in reading.props[1:] if t.how == "worn"]
        drawn += [t.to_dict() for t in extras] if extra_imgs else []
        drawn += [t.to_dict() for t in reading.setting]
        return Clip(
            frames=frames,
            fps=fps,
            scene_index=scene.index,
            metadata={
                "backend": "animatic",
                "version": ANIMATIC_VERSION,
                "seed": scene.seed,
                "motion": motion,
                "camera": scene.camera,
                "character": look.kind,
                "drawn": drawn,
                "not_drawn": list(reading.not_drawn),
                "drawn_fps": fps,
                "caption_drawn": bool(self.caption),
                "timings": {"draw": round(t1 - t0, 4), "frames": round(t2 - t1, 4), "total": round(t2 - t0, 4)},
            },
        )
