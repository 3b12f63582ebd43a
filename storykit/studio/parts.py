"""The Studio's plain helpers: wording, caption suggestions, frame counts, pictures and video.

Nothing here builds a widget, so each piece is tested (and read) on its own:

>>> caption_suggestion("a robot, delivers a letter, wide shot", "a robot, delivers a red balloon, wide shot",
...                    "The robot delivers a letter.")
('The robot delivers a red balloon.', 'letter', 'red balloon')
>>> frames_line(2.0, 8, 24)
'16 frames at 8 fps (model) · 48 at 24 fps (story)'
"""

from __future__ import annotations

import base64
import collections
import difflib
import html
import io
import re
from pathlib import Path

import numpy as np

__all__ = ["caption_suggestion", "frames_line", "studio_words", "preview_data", "video_html", "Previews", "thumbnail_png",
           "downscale", "free_name", "capabilities", "png_bytes", "small"]

STORY_FPS = 24  # the stitched story's rate; the animatic draws every frame at it


# The library speaks Python and the CLI speaks flags; inside the Studio a message names the
# control to change. Whole phrases first, then single names.
_STUDIO_WORDS = (
    (r";? ?drop handoff \(--handoff\)", "; untick Handoff"),
    (r"\(--handoff\)|--handoff\b", "(Handoff)"),
    (r"\bor use backend='(\w+)'", r"or choose Backend: \1"),
    (r"--backend (\w+)", r"Backend: \1"),
    (r"\bbackend='(\w+)'", r"Backend: \1"),
    (r"\bnum_inference_steps\b=?", "Steps "),
    (r"--steps\b", "Steps"),
    (r"\bip_adapter_scale\b|--ip-adapter-scale\b", "Ref. scale"),
    (r"--reference\b|\breference=", "Reference "),
    (r"\bnum_frames\b|--frames\b", "length"),
    (r"\bnum_scenes\b|--scenes\b", "Scenes"),
)


def studio_words(message: str) -> str:
    """`message` with library argument names and CLI flags replaced by the Studio's control names."""
    for pattern, repl in _STUDIO_WORDS:
        message = re.sub(pattern, repl, message)
    return re.sub(r"  +", " ", message).replace(" ;", ";")


def frames_line(seconds: float, model_fps: int, story_fps: int = STORY_FPS) -> str:
    """What a duration in seconds means in frames, at the model's rate and at the story's."""
    n = max(1, round(seconds * model_fps))
    return f"{n} frames at {model_fps} fps (model) · {round(n * story_fps / model_fps)} at {story_fps} fps (story)"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:['’-]\w+)*", text)


def caption_suggestion(old_prompt: str, new_prompt: str, caption: str) -> tuple[str, str, str] | None:
    """(new caption, old wording, new wording) when the caption quotes wording the prompt edit replaced.

    The two prompts are compared word by word (difflib); each replaced run of words that the
    caption contains (whole words, any case) is swapped for its replacement. None when the
    caption quotes none of the old wording.
    """
    old, new = _words(old_prompt), _words(new_prompt)
    result, olds, news = caption, [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=[w.lower() for w in old], b=[w.lower() for w in new],
                                                      autojunk=False).get_opcodes():
        if op != "replace":
            continue
        before, after = " ".join(old[i1:i2]), " ".join(new[j1:j2])
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, old[i1:i2])) + r"(?!\w)", re.IGNORECASE)
        if pattern.search(result):
            result = pattern.sub(lambda m: after, result)
            olds.append(before)
            news.append(after)
    if not olds:
        return None
    return result, ", ".join(olds), ", ".join(news)


def downscale(frames: np.ndarray, width: int) -> np.ndarray:
    """Shrinks frames by an integer factor to about `width` px, averaging each block (PIL's box `reduce`).

    Averaging keeps thin strokes (the dots on a caption's i's) that dropping pixels loses.
    """
    from PIL import Image

    factor = frames.shape[2] // width
    if factor <= 1:
        return frames
    return np.stack([np.asarray(Image.fromarray(f).reduce(factor)) for f in frames])


def preview_data(frames: np.ndarray, fps: float) -> str:
    """`frames` as a preview's H.264 MP4, base64 for a ``data:`` URL."""
    import mediapy

    from ..stitch.ffmpeg import ensure_ffmpeg

    ensure_ffmpeg()
    h, w = frames.shape[1:3]
    if h % 2 or w % 2:  # H.264 needs even sizes
        frames = frames[:, : h - h % 2, : w - w % 2]
    # x264 "veryfast": a preview is encoded again after every render and export; x264's default
    # ("medium") took 2.6 s CPU of a 16 s story's 512 px preview, veryfast ~3x less (bench_studio_loop.py)
    return base64.b64encode(mediapy.compress_video(frames, fps=fps, ffmpeg_args=["-preset", "veryfast"])).decode()


def video_html(data: str, title: str = "", *, max_width: int | None = None,
               room_for_controls: tuple[int, int] | None = None) -> str:
    """A looping, muted `<video>` of `data` (an MP4 from `preview_data`, base64) that fits its container's width.

    `room_for_controls`: the picture's (height, width). A `<video>`'s controls cover its bottom
    ~40 px, exactly where captions are burned in; the element is then made taller than the
    picture by a sixth of its height, with the picture at the top (CSS `object-position`), so a
    caption is never hidden. The video file itself stays the story as it is.
    """
    limit = f"max-width:{max_width}px;" if max_width else ""
    room = ""
    if room_for_controls is not None:
        h, w = room_for_controls
        room = f"aspect-ratio:{w}/{h + max(8, int(h * 0.16))};object-fit:contain;object-position:center top;"
    head = f'<div style="font-size:90%;margin:2px 0">{html.escape(title)}</div>' if title else ""
    return (f'{head}<video controls loop autoplay muted playsinline style="width:100%;{limit}height:auto;{room}'
            f'display:block;background:#181818" src="data:video/mp4;base64,{data}"></video>')


class Previews:
    """Encoded previews, by what their frames were made from, so a picture shown again is not encoded again.

    A Render all after one edit shows every other scene again from the cache, and Export shows a
    story that Render may have shown already; at 512 px each of those encodes took from a few tenths
    of a second to two seconds of x264. `key` must name the pixels exactly (a clip's cache key, for
    instance); None always encodes. Keeps the newest `size` entries.
    """

    def __init__(self, size: int = 32):
        self.size, self.encoded = size, 0
        self._data: collections.OrderedDict[str, str] = collections.OrderedDict()

    def data(self, key: str | None, encode) -> str:
        """The MP4 (base64) under `key`, or `encode()`'s, kept under `key` (`encode` is not called when it is there)."""
        data = self._data.get(key) if key is not None else None
        if data is None:
            data = encode()
            self.encoded += 1
            if key is not None:
                self._data[key] = data
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        else:
            self._data.move_to_end(key)
        return data


def thumbnail_png(frame: np.ndarray | None, width: int = 128, label: str = "") -> bytes:
    """A PNG of `frame` about `width` px wide, or a grey card with `label` before a scene is rendered."""
    from PIL import Image, ImageDraw

    if frame is None:
        img = Image.new("RGB", (width, width * 9 // 16), (222, 222, 222))
        ImageDraw.Draw(img).text((8, 8), label, fill=(90, 90, 90))
    else:
        img = Image.fromarray(frame)
        img = img.resize((width, max(1, round(img.height * width / img.width))), Image.Resampling.BOX)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def free_name(path: Path, formats=("mp4", "gif")) -> Path:
    """`path`, or `story-2.mp4`, `story-3.mp4`, ...: the first name none of whose export files exist."""
    from ..stitch.preflight import export_targets

    n, candidate = 1, path
    while any(p.exists() for p in export_targets(candidate, formats)):
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


# What each backend can do, by the backends' own flags (`supports_reference`, `supports_handoff`);
# steps only mean something to a diffusion model. The tooltip says why a control is off.
_NEEDS = {
    "reference": ("supports_reference", "the {name} backend draws the same character by itself and ignores a "
                  "reference; choose Backend: lightning to use one"),
    "handoff": ("supports_handoff", "the {name} backend cannot start a scene from a frame; choose Backend: lightning"),
    "steps": ("supports_steps", "the {name} backend draws its frames directly: it has no denoising steps"),
}


def capabilities(name: str, backend=None) -> dict[str, tuple[bool, str]]:
    """What backend `name` (or the Backend instance `backend`) can do: reference, handoff, steps → (can, why not).

    From the backends' own class flags, without building one; "auto" answers for the
    backend it would pick (Lightning only when its weights are on this machine).
    """
    if backend is not None and backend.name == name:
        cls = type(backend)
    else:
        if name == "auto":
            from ..generate.lightning.weights import local_weights_status

            name = "lightning" if local_weights_status()[0] else "animatic"
        if name == "lightning":
            from ..generate.lightning import LightningBackend as cls
        else:
            from ..generate.animatic import AnimaticBackend as cls
    steps = getattr(cls, "supports_steps", getattr(cls, "name", "") == "lightning")
    return {k: (steps if attr == "supports_steps" else bool(getattr(cls, attr, False)), why.format(name=name))
            for k, (attr, why) in _NEEDS.items()}


def png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def small(text: str) -> str:
    """`text` (HTML) as a small grey note."""
    return f"<span style='font-size:90%;color:#555'>{text}</span>"
