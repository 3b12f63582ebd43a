"""The cast: sprites of the character, its partner and the things they act with, cached per story.

`Cast` is the sprite half of AnimaticBackend: figures drawn once per pose (turned and
squashed as a verb needs), icons (tinted by the colour their words gave them), what a
verb acts with (a pot, an easel, a ladder, a bush) and the `drawn` list of a scene.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageOps

from . import figures, icons, staging
from .words import CharacterLook, character_look, prop_look

__all__ = ["Cast"]

# Colour matrices (Pillow's 12-tuple) for a few script styles; others draw in full colour.
_STYLE_MATRIX = {
    "mono": (0.299, 0.587, 0.114, 0, 0.299, 0.587, 0.114, 0, 0.299, 0.587, 0.114, 0),
    "sepia": (0.393, 0.769, 0.189, 0, 0.349, 0.686, 0.168, 0, 0.272, 0.534, 0.131, 0),
    "pastel": (0.7, 0.1, 0.1, 45, 0.1, 0.7, 0.1, 45, 0.1, 0.1, 0.7, 45),
}


def _apply_style(img: Image.Image, kind: str) -> Image.Image:
    m = _STYLE_MATRIX.get(kind)
    if m is None:
        return img
    if img.mode == "RGBA":
        out = img.convert("RGB").convert("RGB", m)
        out.putalpha(img.getchannel("A"))
        return out
    return img.convert("RGB", m)



# Icon subjects: (x scale, y scale, tilt in degrees) per pose: a waddle, a squash before a jump, a stretch in the air.
_ICON_POSES = {"walk0": (1.0, 1.0, 5.0), "walk1": (1.02, 0.97, 0.0), "walk2": (1.0, 1.0, -5.0), "walk3": (1.02, 0.97, 0.0),
               "crouch": (1.12, 0.84, 0.0), "air": (0.92, 1.08, 8.0), "happy0": (1.0, 1.0, 9.0), "happy1": (1.0, 1.0, -9.0)}
# What a verb acts with when the action names nothing that fits (a cook needs a pot)
_KIT_ICONS = {"cook": "🍲", "paint": "🖼", "write": "📝", "read": "📖", "build": "🧱", "hide": "🌳", "drink": "🥤",
              "eat": "🍎", "play_music": "🎸", "throw": "⚽", "catch": "⚽", "push": "📦", "pull": "🛒", "carry": "📦",
              "give": "🎁", "dig": "", "ride": "🚲"}


class Cast:
    """Sprite drawing and caching for AnimaticBackend (needs `self._sprites`, an OrderedDict LRU)."""

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

    def _acting(self, look, icon: str, pose: str, height: int, right: bool, angle: float, squash, style: str):
        """The character in a pose, turned by `angle` and squashed (lying asleep, leaning on a cart, tumbling)."""
        angle = round(angle / 10.0) * 10.0
        squash = (round(squash[0], 2), round(squash[1], 2))
        base = self._icon_sprite(icon, pose, height, not right, style) if icon else \
            self._sprite(look, pose, height, not right, style)
        if not angle % 360 and squash == (1.0, 1.0):
            return base
        key = ("turned", look if not icon else icon, pose, height, right, angle, squash, style)
        hit = self._sprites.get(key)
        if hit is None:
            hit = self._sprites[key] = staging.turned(base[0], base[1], angle if right else -angle, squash)
        return hit

    def _thing(self, thing, height: int, style: str):
        """A thing's sprite at `height` px: storykit's own drawing, or its icon tinted by its colour."""
        if thing is None:
            return None
        height = max(4, height)
        if thing.how == "drawing" and not thing.icon:  # storykit's own drawing of it
            kind = prop_look(thing.what) or prop_look(thing.word)
            return self._prop(kind, height, style) if kind else None
        if thing.how == "drawing":
            kind = prop_look(thing.what) or prop_look(thing.word)
            if kind:
                return self._prop(kind, height, style)
        if not thing.icon:
            return None
        key = ("thing", thing.icon, thing.color, height, style)
        if key not in self._sprites:
            img = icons.icon_image(thing.icon, height)
            self._sprites[key] = _apply_style(staging.tint(img, thing.color) if thing.color else img, style)
        return self._sprites[key]

    def _fx(self, icon: str, height: int, style: str) -> Image.Image:
        """A mark near the character: an icon (💤, 🎵, 💧), or a drawn puff of steam."""
        if icon != "steam":
            return self._icon(icon, height, style)
        key = ("steam", height)
        if key not in self._sprites:
            img = Image.new("RGBA", (height, height), (0, 0, 0, 0))
            d = ImageDraw.Draw(img)
            for cx, cy, r in ((0.5, 0.65, 0.22), (0.35, 0.4, 0.18), (0.62, 0.3, 0.16)):
                d.ellipse(((cx - r) * height, (cy - r) * height, (cx + r) * height, (cy + r) * height),
                          fill=(246, 246, 250, 170))
            self._sprites[key] = img
        return self._sprites[key]

    def _role_icon(self, reading, height: int, style: str):
        """An icon subject's role hat (an octopus detective wears a hat)."""
        from .lexicon import ROLE_PROPS, role_of

        for t in reading.traits:
            role = role_of(t.word)
            if t.how == "worn" and role in ROLE_PROPS and ROLE_PROPS[role][2]:
                _, colour, icon, _ = ROLE_PROPS[role]
                if icons._drawable(icon):
                    key = ("role", icon, colour, height, style)
                    if key not in self._sprites:
                        img = icons.icon_image(icon, max(4, height))
                        self._sprites[key] = _apply_style(staging.tint(img, colour) if colour else img, style)
                    return self._sprites[key]
        return None

    def _kit(self, motion: str, obj, obj_img, size: float, style: str, W: int, H: int) -> dict:
        """What the verb acts with beside the character: a ladder, a slide, a pot, an easel, a mound, a bush."""
        kit: dict = {}
        if motion == "climb":  # a ladder up what is climbed (a tree as tall as the ladder)
            kit["ladder"] = staging.ladder(int(0.62 * H), max(6, int(0.2 * size)))
            if obj is not None and obj_img is not None:
                kit["scenery"] = self._thing(obj, int(0.66 * H), style)
        elif motion == "slide":  # along the track's path (motion.py): from (0.18, lift 0.34) down to (0.73, 0)
            feet = 0.775 * H + 0.015 * H
            img, x, y = staging.slide(int(W), int(H), (0.14 * W, feet - 0.34 * H * 1.07), (0.78 * W, feet))
            kit["slide"] = (img, x, y, ImageOps.mirror(img))
        elif obj is not None and obj.place == "scenery" and obj_img is not None and motion not in ("build",):
            kit["scenery"] = obj_img
        if motion in ("cook", "paint", "build", "dig", "hide"):
            icon = _KIT_ICONS.get(motion, "")
            base = self._icon(icon, max(4, int(size * (0.35 if motion == "cook" else 0.75 if motion == "hide" else 0.6))),
                              style) if icon and icons._drawable(icon) else None
            if motion == "build" and obj_img is not None:
                kit["ground"] = lambda g, img=obj_img: img.resize((max(1, round(img.width * (0.3 + 0.7 * g))),
                                                                   max(1, round(img.height * (0.3 + 0.7 * g)))))
                kit["ground_is_object"] = True
            elif motion == "build" and base is not None:
                brick = self._icon(icon, max(4, int(size * 0.2)), style)
                kit["ground"] = lambda g, b=brick: _stack(b, 1 + int(g * 3.99))
            elif motion == "dig":
                kit["ground"] = lambda g, s=size: staging.mound(max(4, int(s * (0.3 + 0.5 * g))), max(2, int(s * (0.08 + 0.16 * g))))
            elif motion == "cook" and obj_img is not None and obj is not None and obj.place == "hand":
                kit["ground"], kit["ground_is_object"] = obj_img, True
            elif base is not None:
                kit["ground"] = base
        return kit

    def _partner_plan(self, partner) -> str:
        if partner is None or partner.how == "icon":
            return "creature"
        return character_look(partner.what).body_plan

    def _partner(self, reading, motion: str, obj, size: float, style: str):
        """The second figure a verb needs (who is chased, who chases, who is hugged or given to), per pose."""
        from .verbs import SECOND_FIGURE

        if motion not in SECOND_FIGURE:
            return None, None
        partner = reading.partner
        if partner is None and motion in ("chase", "hug") and obj is not None and obj.icon:
            partner = obj  # "chases a ball": the ball runs ahead
        if partner is None and motion in ("give", "hug"):
            from .reading import Thing

            partner = Thing("object", "friend", "", "", "figure")
        if partner is None:
            return None, None
        poses = {}
        h = int(round(size * (0.8 if partner.how == "icon" else 0.95)))
        look = None if partner.how == "icon" else character_look("a friend" if partner.what == "friend" else partner.what)
        for pose in ("stand", "walk0", "walk1", "walk2", "walk3", "happy0", "happy1", "air", "crouch", "blink"):
            for right in (True, False):
                if partner.how == "icon":
                    poses[(pose, right)] = self._icon_sprite(partner.icon, pose, h, not right, style)
                else:
                    poses[(pose, right)] = self._sprite(look, pose, h, not right, style)
        return partner, poses

    def _drawn(self, reading, boxes, mid: int, extras, worn, rides, held, partner, obj, look_plan: str,
               on_figure=()) -> list[dict]:
        """The scene's `drawn` list: what is on screen, as what, with its box at the middle frame."""
        out = []

        def add(thing, name):
            box = boxes.box(name, mid)
            if box is not None:
                out.append({**thing.to_dict(), "box": box})

        if reading.subject is not None:
            add(reading.subject, "subject")
        if obj is not None:
            add(obj, "object")
        if partner is not None and partner is not obj and partner.word:
            add(partner, "partner")
        for t in [*worn, *rides, *held]:
            add(t, "prop:" + t.word)
        body = boxes.box("subject", mid)
        for t in on_figure:  # what the figure draws on itself (a scarf, a hat): at the top of its box
            if body is not None:
                out.append({**t.to_dict(), "box": [body[0], body[1], body[2], body[1] + max(1, (body[3] - body[1]) // 3)]})
        for k, t in enumerate(extras):
            add(t, f"extra:{k}")
        out += [{**t.to_dict(), "box": None} for t in reading.setting]
        for t in reading.traits:  # an animal cook wears the hat; only a figure standing up wears the apron
            if t.how == "figure" and look_plan != "biped":  # an elder's grey hair and cane: drawn on a person only
                continue
            d = t.to_dict()
            if "apron" in t.what and (reading.figure == "" or look_plan != "biped"):
                d["what"] = t.what.replace(" and apron", "")
            out.append({**d, "box": None})
        return out


def _stack(brick: Image.Image, count: int) -> Image.Image:
    """`count` bricks stacked: a wall going up."""
    img = Image.new("RGBA", (brick.width, brick.height * count), (0, 0, 0, 0))
    for k in range(count):
        img.paste(brick, (0, img.height - (k + 1) * brick.height), brick)
    return img
