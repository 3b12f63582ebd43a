"""The metrics over time, as matplotlib Figures (`plot_flicker`, `plot_seams`, `plot_drift`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import require
from .metrics import _MIN_FLICKER, _mean_rgb, _parts, diagnose, flicker, motion_energy

__all__ = [
    "plot_flicker",
    "plot_seams",
    "plot_drift",
]


def _figure(rows: int = 1, figsize: tuple[float, float] = (9, 3)):
    plt = require("matplotlib.pyplot", "notebook", "matplotlib")
    fig, axes = plt.subplots(rows, 1, figsize=figsize, squeeze=False, constrained_layout=True)
    # Closed at once: pyplot keeps no reference and inline backends do not show it twice;
    # the returned Figure still draws, saves and displays as a cell's value.
    plt.close(fig)
    return fig, [a[0] for a in axes]


def plot_flicker(clips_or_story: Any, *, spans: Any = None, flicker_limit: float = 15.0, title: str | None = None):
    """Flicker and motion per frame step over the story, with each seam jump marked; returns a Figure."""
    p = _parts(clips_or_story, spans)
    fig, (ax,) = _figure()
    for n, (start, frames) in enumerate(zip(p.starts, p.scenes)):
        if len(frames) < 2:
            continue
        x = np.arange(start + 1, start + len(frames))
        ax.plot(x, flicker(frames), color=f"C{n % 10}", lw=1.5, label="flicker" if n == 0 else None)
        ax.plot(x, motion_energy(frames), color=f"C{n % 10}", lw=1, ls="--", label="motion" if n == 0 else None)
    if p.seams:
        ax.scatter(p.starts[1:], p.seams, color="red", marker="x", s=50, zorder=3, label="seam jump")
        for x in p.starts[1:]:
            ax.axvline(x - 0.5, color="0.7", lw=0.8, zorder=0)
    ax.axhline(flicker_limit, color="0.4", ls=":", lw=1, label=f"flicker limit {flicker_limit:g}")
    ax.set_xlabel("frame")
    ax.set_ylabel("mean |Δ| per step (0–255)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "flicker (solid) and motion (dashed) per scene")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def plot_seams(clips_or_story: Any, script: Any = None, *, spans: Any = None, seam_ratio: float = 3.0,
               title: str | None = None):
    """Bars: the jump at each boundary next to the scenes' own flicker; flagged ones in red. Returns a Figure.

    With a `script`, boundaries it crossfades or fades are drawn pale (stitching blends them; see `diagnose`).
    """
    d = diagnose(clips_or_story, script, spans=spans, seam_ratio=seam_ratio)
    # Room on the right for the legend, which sits outside the axes so it never covers a bar.
    fig, (ax,) = _figure(figsize=(max(4, 1.2 * len(d.rows)) + 2.2, 3))
    pairs = list(zip(d.rows, d.rows[1:]))
    x = np.arange(len(pairs))
    own = [max((a.flicker + b.flicker) / 2, _MIN_FLICKER) for a, b in pairs]
    colors = ["red" if "seam" in a.flags else "C0" for a, _ in pairs]
    blended = [a.transition not in (None, "cut") and "seam" not in a.flags for a, _ in pairs]
    bars = ax.bar(x - 0.2, [a.seam for a, _ in pairs], 0.4, color=colors, label="seam jump")
    for bar, soft in zip(bars, blended):
        if soft:
            bar.set_alpha(0.35)
    ax.bar(x + 0.2, own, 0.4, color="0.6", label="scenes' own flicker")
    limits = [seam_ratio * o for o in own]
    ax.scatter(x - 0.2, limits, marker="_", s=300, color="k", zorder=3, label=f"{seam_ratio:g}× own flicker")
    ax.set_xticks(x, [f"{a.index}→{b.index}" + (f"\n{a.transition}" if a.transition else "") for a, b in pairs])
    ax.set_ylabel("mean |Δ| (0–255)")
    ax.set_title(title or ("seam jumps" if pairs else "one scene: no seams"))
    if pairs:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


def plot_drift(clips_or_story: Any, *, spans: Any = None, title: str | None = None):
    """Mean R, G and B of every frame over the story (scene boundaries marked); returns a Figure."""
    p = _parts(clips_or_story, spans)
    fig, (ax,) = _figure()
    for n, (start, frames) in enumerate(zip(p.starts, p.scenes)):
        means = _mean_rgb(frames)
        x = np.arange(start, start + len(frames))
        for c, color in enumerate(("tab:red", "tab:green", "tab:blue")):
            ax.plot(x, means[:, c], color=color, lw=1.2, label="RGB"[c] if n == 0 else None)
        if n:
            ax.axvline(start - 0.5, color="0.7", lw=0.8, zorder=0)
    ax.set_xlabel("frame")
    ax.set_ylabel("mean value (0–255)")
    ax.set_ylim(0, 255)
    ax.set_title(title or "colour drift: mean R, G, B per frame")
    ax.legend(loc="upper right", fontsize="small")
    return fig


# -- pictures ---------------------------------------------------------------------------------
