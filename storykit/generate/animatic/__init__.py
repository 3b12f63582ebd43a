"""The offline animatic: a moving storyboard drawn from the script, with no model weights.

>>> from storykit.generate.animatic import AnimaticBackend, character_look
>>> character_look("a small red fox in a blue scarf").accessory
'scarf'

`words` reads the script (the world of the setting, the look of the character,
the motion of a beat, the prop of the action); `icons` finds drawable things named
in any language (Unicode CLDR names, drawn with OpenMoji) and `reading` decides the
story's subject, props and landmarks and reports them (`drawn`, `not_drawn`);
`sketch` is the anti-aliased canvas; `scenery` and `landmarks` draw the parallax
layers, `figures` the characters and props, `overlays` the marks (text through
storykit.generate.lettering); `backend` moves them per frame with the scene's camera,
at the story's frame rate.
"""

from __future__ import annotations

from .backend import ANIMATIC_VERSION, MOTIONS, AnimaticBackend
from .words import CharacterLook, WorldLook, character_look, infer_motion, prop_look, world_look

__all__ = [
    "AnimaticBackend", "ANIMATIC_VERSION", "MOTIONS",
    "CharacterLook", "WorldLook", "character_look", "world_look", "infer_motion", "prop_look",
]
