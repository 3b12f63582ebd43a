"""One scene rendered once per value of a setting (steps, seed, guidance, base model, size).

    show_comparison(compare(script.scenes[0], script, vary="num_inference_steps", values=(1, 2, 4, 8)))
"""

from __future__ import annotations

import dataclasses
import html
import time
from typing import Any, Sequence

import numpy as np

from ..generate.clips import Clip
from ..errors import InvalidInput
from .metrics import flicker, motion_energy
from .sheets import _SHEET_TILE, _display, _fit, _font_for, _grid, _mediapy, _pick, _tag, _tile_size, _video_html


__all__ = [
    "VARY",
    "Comparison",
    "compare",
    "comparison_grid",
    "show_comparison",
]


# -- comparing --------------------------------------------------------------------------------

# What `compare` can vary; base_model builds one backend per value (a backend kwarg).
VARY = ("num_inference_steps", "seed", "guidance_scale", "base_model", "height", "width", "size")


@dataclasses.dataclass(eq=False)
class Comparison:
    """One scene rendered once per value of one setting: `clips[i]` was made with `values[i]`."""

    scene_index: int
    vary: str
    values: list
    labels: list[str]
    clips: list[Clip]
    seconds: list[float]  # wall time of each render (near zero when it came from the cache)

    def __len__(self) -> int:
        return len(self.clips)

    def summary(self) -> str:
        """One line per value: seconds, flicker and motion (grey levels)."""
        w = max(len(lb) for lb in self.labels)
        lines = [f"scene {self.scene_index}, varying {self.vary}:"]
        for lb, c, s in zip(self.labels, self.clips, self.seconds):
            fl, mo = (flicker(c).mean(), motion_energy(c).mean()) if c.num_frames > 1 else (0.0, 0.0)
            lines.append(f"  {lb:<{w}}  {s:7.2f} s  flicker {fl:5.1f}  motion {mo:5.1f}  [{c.backend}]")
        return "\n".join(lines)

    __str__ = summary

    def __repr__(self) -> str:
        return f"Comparison(scene {self.scene_index}, {self.vary} in {self.values!r})"

    def _repr_html_(self) -> str:
        return show_comparison(self, return_html=True)


def _label(vary: str, value: Any, config: Any) -> str:
    if vary == "num_inference_steps":
        return f"{value} step" + ("" if value == 1 else "s")
    if vary == "seed":
        return f"seed {value}"
    if vary == "guidance_scale":
        return f"cfg {value:g}"
    if vary == "base_model":
        return str(value).rstrip("/").rsplit("/", 1)[-1]
    return f"{config.width}×{config.height}"


def compare(
    scene: Any,
    script: Any,
    vary: str = "num_inference_steps",
    values: Sequence = (1, 2, 4, 8),
    backend: Any = "auto",
    config: Any = None,
    cache_dir: Any = None,
    *,
    backend_kwargs: dict | None = None,
    progress: bool = True,
) -> Comparison:
    """Renders one scene once per value of `vary`, everything else fixed.

    `vary` is one of VARY: `num_inference_steps`, `guidance_scale`, `height`,
    `width`, `size` (an int for square or `(height, width)`) change the
    RenderConfig — Lightning then swaps in the checkpoint distilled for each
    step count, keeping the base model loaded; `seed` changes the scene's seed;
    `base_model` builds a backend per value with `get_backend(name,
    base_model=v, ...)`. `backend_kwargs` go to every `get_backend` call.
    `seconds` includes loading, so compare timings after a warm-up render.
    """
    from ..generate.config import RenderConfig
    from ..generate.backend import get_backend
    from ..plan.script import Scene

    # 1. Check inputs: every value must make a valid scene/config before anything renders.
    if isinstance(scene, int) and not isinstance(scene, bool):
        scene = script.scene(scene)
    if not isinstance(scene, Scene):
        raise InvalidInput(f"scene must be a Scene or a scene index, got {type(scene).__name__}")
    if vary not in VARY:
        raise InvalidInput(f"cannot vary {vary!r}; choose one of: {', '.join(VARY)}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not 1 <= len(values) <= 16:
        raise InvalidInput(f"values must be a list of 1 to 16 settings to try, got {values!r}")
    config = config if config is not None else RenderConfig()
    if not isinstance(config, RenderConfig):
        raise InvalidInput(f"config must be a RenderConfig or None, got {type(config).__name__}")
    by_name = isinstance(backend, str)
    if vary == "base_model" and not by_name:
        raise InvalidInput('to vary base_model pass the backend by name (e.g. backend="lightning"), not an instance')
    kwargs = dict(backend_kwargs or {})
    if "base_model" in kwargs and vary == "base_model":
        raise InvalidInput("base_model is what varies here: leave it out of backend_kwargs")
    if "num_inference_steps" in kwargs:
        raise InvalidInput("set num_inference_steps in config (or vary it), not in backend_kwargs")

    scenes, configs = [], []
    for v in values:
        if vary in ("num_inference_steps", "guidance_scale", "height", "width"):
            configs.append(dataclasses.replace(config, **{vary: v}))
        elif vary == "size":
            h, w = (v, v) if isinstance(v, int) else tuple(v)
            configs.append(dataclasses.replace(config, height=h, width=w))
        else:
            configs.append(config)
        scenes.append(dataclasses.replace(scene, seed=v) if vary == "seed" else scene)
        if vary == "base_model" and (not isinstance(v, str) or not v.strip()):
            raise InvalidInput(f"base_model values must be hub ids or local paths, got {v!r}")

    # 2. Render; a new backend per value only for base_model (a constructor argument).
    from ..generate.render import render_scene

    clips, seconds, resolved = [], [], backend
    for n, (v, sc, cfg) in enumerate(zip(values, scenes, configs)):
        if by_name and (n == 0 or vary == "base_model"):
            # "auto" is resolved once, so one comparison never mixes backends.
            name = backend if n == 0 else resolved.name
            resolved = None  # let the previous pipeline go before loading the next one
            extra = {**kwargs, "num_inference_steps": cfg.num_inference_steps}
            if vary == "base_model":
                extra["base_model"] = v
            resolved = get_backend(name, verbose=progress and n == 0, **extra)
        t0 = time.perf_counter()
        clip = render_scene(sc, script, resolved, cfg, cache_dir=cache_dir)
        seconds.append(time.perf_counter() - t0)
        clips.append(clip)
        if progress:
            print(f"compare: {_label(vary, v, cfg)} ({n + 1}/{len(values)}) {seconds[-1]:.1f} s")
    labels = [_label(vary, v, c) for v, c in zip(values, configs)]
    return Comparison(scene.index, vary, list(values), labels, clips, seconds)


def comparison_grid(
    comparison: Comparison, frames: Any = None, *, scale: float | None = None, label: bool = True
) -> np.ndarray:
    """One row per value, one column per frame (default first, middle, last); a uint8 image.

    Tiles share one size (the largest clip's, `scale=None`: at most 128 px on the
    long side); smaller renders are letterboxed, so resolution differences stay visible.
    Rows are labelled with the value, tiles with the frame number.
    """
    if not isinstance(comparison, Comparison):
        raise InvalidInput(f"comparison must be a Comparison (from compare()), got {type(comparison).__name__}")
    h = max(c.height for c in comparison.clips)
    w = max(c.width for c in comparison.clips)
    th, tw = _tile_size(h, w, scale, _SHEET_TILE)
    tiles, tags = [], []
    for lb, clip in zip(comparison.labels, comparison.clips):
        n = clip.num_frames
        picked = _pick(n, frames if frames is not None else sorted({0, n // 2, n - 1}))
        tiles.extend(_fit(clip.frames[i], th, tw) for i in picked)
        tags.append((lb, picked))
    cols = len(tags[0][1])
    if any(len(p) != cols for _, p in tags):
        raise InvalidInput("clips in this comparison have different lengths; pass explicit frames=(...) indices")
    canvas, corners = _grid(tiles, cols, th, tw)
    if not label:
        return canvas
    from PIL import Image, ImageDraw

    img = Image.fromarray(canvas)
    draw, font = ImageDraw.Draw(img), _font_for(th)
    for r, (lb, picked) in enumerate(tags):
        for c, i in enumerate(picked):
            x, y = corners[r * cols + c]
            if c == 0:
                _tag(draw, (x, y), lb, font)
            _tag(draw, (x + tw, y + th), str(i), font, corner="br")
    return np.asarray(img)


def show_comparison(
    comparison: Comparison, frames: Any = None, *, video: bool = False, scale: float | None = None,
    height: int | None = None, return_html: bool = False,
) -> str | None:  # fmt: skip
    """Shows `comparison_grid(...)`, or with `video=True` plays the renders side by side, labelled."""
    if not isinstance(comparison, Comparison):
        raise InvalidInput(f"comparison must be a Comparison (from compare()), got {type(comparison).__name__}")
    title = f"scene {comparison.scene_index}: {comparison.vary}"
    if not video:
        grid = comparison_grid(comparison, frames, scale=scale)
        return _mediapy().show_image(grid, title=html.escape(title), return_html=return_html)
    cells = [_video_html(c.frames, c.fps, lb, height, "h264") for lb, c in zip(comparison.labels, comparison.clips)]
    td = '<td style="padding:1px;vertical-align:top;">'
    row = "".join(f"{td}{c}</td>" for c in cells)
    s = f'<div>{html.escape(title)}</div><table style="border-spacing:0px;"><tr>{row}</tr></table>'
    if return_html:
        return s
    _display(s)
    return None
