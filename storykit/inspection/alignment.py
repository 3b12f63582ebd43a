"""How well frames match their text: CLIP similarity (optional; local CLIP weights only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidInput, MissingWeights, require
from ..hub import hf_cached
from .metrics import _parts


__all__ = [
    "clip_alignment",
]


# -- text–frame alignment ---------------------------------------------------------------------


def _on_this_machine(model: str) -> bool:
    """A model folder, or a hub id whose config is in the Hugging Face cache (nothing is downloaded)."""
    if Path(model).expanduser().is_dir():
        return True
    try:
        return hf_cached(model, "config.json") is not None
    except ValueError:  # neither a folder nor a valid hub id
        return False


def clip_alignment(
    clips: Any, script: Any, model: str = "openai/clip-vit-base-patch32", *, frames_per_clip: int = 3, device: str = "cpu"
) -> list[float]:
    """How well each scene's frames match its text: CLIP cosine similarity (Radford et al. 2021).

    Per scene, the mean over `frames_per_clip` evenly spaced frames of
    cos(text embedding, frame embedding) — CLIPScore (Hessel et al. 2021)
    without its 2.5× rescale; real matches score ~0.25–0.35, unrelated pairs
    ~0.1–0.2. The text is the scene's `text`, else its `prompt`. Weights are
    read only from a local path or the Hugging Face cache; when they are not
    there this raises MissingWeights and never downloads.
    """
    p = _parts(clips)
    if isinstance(frames_per_clip, bool) or not isinstance(frames_per_clip, int) or not 1 <= frames_per_clip <= 32:
        raise InvalidInput(f"frames_per_clip must be an integer from 1 to 32, got {frames_per_clip!r}")
    texts = []
    for idx in p.indices:
        s = script.scene(idx)
        texts.append(s.text or s.prompt)

    if not _on_this_machine(model):  # said before 2-3 s of importing torch and transformers
        raise MissingWeights(
            f"CLIP weights {model!r} are not on this machine, so clip_alignment is unavailable offline "
            f"(no such folder, nor in the Hugging Face cache); fetch them once where there is internet: `hf download {model}`"
        )
    torch = require("torch", "gen")
    transformers = require("transformers", "gen")
    try:
        clip_model = transformers.CLIPModel.from_pretrained(model, local_files_only=True)
        tokenizer = transformers.AutoTokenizer.from_pretrained(model, local_files_only=True)
        processor = transformers.AutoImageProcessor.from_pretrained(model, local_files_only=True)
    except (OSError, ValueError) as e:
        raise MissingWeights(
            f"CLIP weights {model!r} are not on this machine, so clip_alignment is unavailable offline "
            f"({type(e).__name__}); fetch them once where there is internet: `hf download {model}`"
        ) from None
    clip_model.eval().to(device)
    scores = []
    with torch.inference_mode():
        for text, frames in zip(texts, p.scenes):
            picked = np.unique(np.linspace(0, len(frames) - 1, frames_per_clip).round().astype(int))
            images = processor(images=[frames[i] for i in picked], return_tensors="pt")["pixel_values"].to(device)
            tokens = tokenizer([text], padding=True, truncation=True, max_length=77, return_tensors="pt").to(device)
            # The forward pass returns normalised embeddings in transformers 4.x and 5.x alike.
            out = clip_model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"], pixel_values=images)
            scores.append(float((out.image_embeds @ out.text_embeds.T).mean()))
    return scores
