"""The offline animatic: a moving storyboard drawn from the script, with no model weights.

>>> from storykit.generate.animatic import AnimaticBackend, character_look
>>> character_look("a small red fox in a blue scarf").accessory
'scarf'

`words` reads the script (the world of the setting, the look of the character,
the motion of a beat, the prop of the action); `sketch` is the anti-aliased
canvas; `scenery` draws the parallax layers, `figures` the characters and props,
`lettering` the captions; `backend` moves them per frame with the scene's camera.
"""

from __future__ import annotations

from .backend import ANIMATIC_VERSION, MOTIONS, AnimaticBackend
from .words import CharacterLook, WorldLook, character_look, infer_motion, prop_look, world_look

__all__ = [
    "AnimaticBackend", "ANIMATIC_VERSION", "MOTIONS",
    "CharacterLook", "WorldLook", "character_look", "world_look", "infer_motion", "prop_look",
]
