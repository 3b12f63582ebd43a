"""Stage 3 — inspection: look at clips inline and measure them (notebook 03).

>>> import numpy as np
>>> from storykit.inspection import contact_sheet, flicker, seam_jump
>>> still = np.full((16, 64, 64, 3), 90, np.uint8)
>>> contact_sheet(still, columns=8, scale=1.0).shape   # 2 rows of 8, 2 px apart
(130, 526, 3)
>>> float(flicker(still).max())                         # nothing changes
0.0
>>> seam_jump(still, still + 40)                        # a cut to a brighter shot
40.0

In a notebook::

    show_contact_sheet(clip)            # every frame, numbered
    show_storyboard(clips, script)      # first, middle and last frame of each scene, with its beat
    show_clips(clips, script)           # play the scenes side by side
    diagnose(clips)                     # flicker, motion, drift and seam jumps, with flags
    plot_flicker(clips)                 # the same over time, as a Figure
    show_comparison(compare(script.scenes[0], script, vary="num_inference_steps", values=(1, 2, 4, 8)))

Everything takes a `Clip`, a list of clips, a `(T, H, W, 3)` uint8 array or a
stitched story. Modules: `sheets` (pictures and playback), `metrics` (numbers),
`plots` (Figures), `compare` (one scene under several settings), `alignment`
(CLIP text–frame similarity, local weights only).
"""

from __future__ import annotations

from .alignment import clip_alignment
from .compare import VARY, Comparison, compare, comparison_grid, show_comparison
from .metrics import Diagnosis, SceneStats, color_drift, diagnose, drift, flicker, motion_energy, seam_jump, seams
from .plots import plot_drift, plot_flicker, plot_seams
from .sheets import contact_sheet, show_clip, show_clips, show_contact_sheet, show_storyboard, storyboard

__all__ = [
    "contact_sheet", "storyboard", "show_contact_sheet", "show_storyboard", "show_clip", "show_clips",
    "VARY", "Comparison", "compare", "comparison_grid", "show_comparison",
    "flicker", "motion_energy", "color_drift", "drift", "seam_jump", "seams", "SceneStats", "Diagnosis", "diagnose",
    "plot_flicker", "plot_seams", "plot_drift", "clip_alignment",
]
