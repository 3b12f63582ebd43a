"""`Clip`: what a backend returns for one scene, and how it is checked.

Every backend (AnimateDiff-Lightning, the offline animatic) honours one
contract, so caching, inspection and stitching never care which drew it:
`frames` is a `(num_frames, height, width, 3)` uint8 array at `fps`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import InvalidInput, StorykitError

__all__ = ["Clip", "LazyClip", "FramesInfo", "check_frames"]


def check_frames(frames: Any, name: str = "frames") -> np.ndarray:
    """Returns `frames` as a C-contiguous (T, H, W, 3) uint8 array or raises InvalidInput."""
    if not isinstance(frames, np.ndarray):
        raise InvalidInput(f"{name} must be a numpy array, got {type(frames).__name__}")
    if frames.ndim != 4 or frames.shape[-1] != 3 or min(frames.shape[:3]) < 1:
        raise InvalidInput(f"{name} must have shape (num_frames, height, width, 3), got {frames.shape}")
    if frames.dtype != np.uint8:
        raise InvalidInput(f"{name} must be uint8, got {frames.dtype}")
    return np.ascontiguousarray(frames)


class FramesInfo:
    """Shape and length of anything with `frames` (T, H, W, 3) and `fps` (a Clip, a stitched Story)."""

    frames: np.ndarray
    fps: float

    def _frames_shape(self) -> tuple[int, ...]:
        """(T, H, W, 3); a class that knows it without making its frames (a Story, a LazyClip) says so here."""
        return self.frames.shape

    @property
    def num_frames(self) -> int:
        return self._frames_shape()[0]

    @property
    def height(self) -> int:
        return self._frames_shape()[1]

    @property
    def width(self) -> int:
        return self._frames_shape()[2]

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps


@dataclasses.dataclass(eq=False)
class Clip(FramesInfo):
    """The frames of one rendered scene, and how they were made.

    `metadata` holds at least `backend`; generation backends add model ids,
    checkpoint sha256, seed, steps, guidance and timings (seconds).
    """

    frames: np.ndarray
    fps: float
    scene_index: int
    metadata: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.frames = check_frames(self.frames)
        if not (isinstance(self.fps, (int, float)) and 0 < self.fps <= 240):
            raise InvalidInput(f"fps must be a number in (0, 240], got {self.fps!r}")

    @property
    def backend(self) -> str:
        return self.metadata.get("backend", "unknown")

    def __repr__(self) -> str:
        return (
            f"Clip(scene {self.scene_index}, {self.num_frames} frames {self.width}x{self.height} "
            f"@ {self.fps:g} fps, backend={self.backend!r})"
        )

    def _repr_html_(self) -> str:
        try:
            import mediapy
        except ImportError:
            return repr(self)
        return mediapy.show_video(self.frames, fps=self.fps, title=repr(self), return_html=True)


class LazyClip(Clip):
    """A clip whose frames are drawn again when first read: a cached scene of a backend that keeps no frames.

    The animatic draws a scene deterministically from its cache key's fields, and the export
    keeps every scene's encoded pixels in its segments; so its cache entries hold the clip's
    shape and metadata only, and a re-run whose segments are all cached draws nothing.
    `draw()` must return exactly `shape`; `pending` says whether it has run.
    """

    def __init__(self, shape, draw, fps: float, scene_index: int, metadata: dict | None = None):
        self._shape, self._draw, self._frames = tuple(int(x) for x in shape), draw, None
        if len(self._shape) != 4 or self._shape[-1] != 3 or min(self._shape[:3]) < 1:
            raise InvalidInput(f"frames must have shape (num_frames, height, width, 3), got {self._shape}")
        self.fps, self.scene_index, self.metadata = fps, scene_index, dict(metadata or {})
        if not (isinstance(fps, (int, float)) and 0 < fps <= 240):
            raise InvalidInput(f"fps must be a number in (0, 240], got {fps!r}")

    @property
    def frames(self) -> np.ndarray:
        if self._frames is None:
            frames = check_frames(self._draw())
            if frames.shape != self._shape:
                raise StorykitError(f"scene {self.scene_index} was drawn as {frames.shape}, not as its cache entry's "
                                    f"{self._shape}; clear the cache (`storykit cache clear`) and render again")
            self._frames, self._draw = frames, None
        return self._frames

    @frames.setter
    def frames(self, frames: np.ndarray) -> None:
        self._frames, self._draw = check_frames(frames), None
        self._shape = self._frames.shape

    def __reduce__(self):
        """Pickled (Ray, multiprocessing) as the plain Clip it draws: a drawing function does not travel."""
        return Clip, (self.frames, self.fps, self.scene_index, self.metadata)

    @property
    def pending(self) -> bool:
        """True until the frames are drawn (reading `frames` draws them)."""
        return self._frames is None

    def _frames_shape(self) -> tuple[int, ...]:
        return self._shape
