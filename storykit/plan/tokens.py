"""Exact CLIP token counts, offline: Stable Diffusion reads only 77 tokens.

SD1.5's text encoder (and so AnimateDiff's) sees `<start>` + 75 tokens + `<end>`;
diffusers silently drops the rest. The planner therefore counts every prompt with
the real CLIP tokenizer, built here from CLIP's byte-pair merges (shipped in
`storykit/data`, MIT licence, OpenAI) so no download is needed:

>>> from storykit.plan.tokens import count_tokens
>>> count_tokens("a small red fox in a blue scarf")
8

When a diffusers pipeline is loaded, pass its `pipe.tokenizer` instead.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import tempfile
from pathlib import Path

__all__ = ["MAX_TOKENS", "MAX_CONTENT_TOKENS", "clip_tokenizer", "count_tokens", "truncate_to_tokens", "write_clip_vocab"]

MAX_TOKENS = 77  # CLIP's context length, start and end tokens included.
MAX_CONTENT_TOKENS = MAX_TOKENS - 2


def _bytes_to_unicode() -> dict[int, str]:
    """CLIP's reversible byte → printable-character map (from OpenAI's simple_tokenizer)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def write_clip_vocab(folder: str | os.PathLike, bpe_path: str | os.PathLike | None = None) -> Path:
    """Writes CLIP's `vocab.json` and `merges.txt` (49,408 tokens) into `folder`.

    Same construction as OpenAI's CLIP tokenizer: 256 byte symbols, the same with
    the end-of-word mark `</w>`, one token per merge, then `<|startoftext|>` and
    `<|endoftext|>`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe_path = bpe_path or Path(__file__).parent / "data" / "bpe_simple_vocab_16e6.txt.gz"
    with gzip.open(bpe_path, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [tuple(line.split()) for line in lines[1 : 49152 - 256 - 2 + 1]]
    symbols = list(_bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n", encoding="utf-8")
    return folder


@functools.lru_cache(maxsize=1)
def clip_tokenizer():
    """The exact CLIP tokenizer, built once from the shipped vocabulary."""
    from ..errors import require

    transformers = require("transformers", "gen")
    from ..paths import storykit_home

    cache = storykit_home() / "clip-tokenizer"
    try:
        if not (cache / "merges.txt").is_file():
            tmp = Path(tempfile.mkdtemp(prefix="clip-tok-", dir=_writable_parent(cache)))
            write_clip_vocab(tmp)
            try:
                os.replace(tmp, cache)
            except OSError:  # another process won the race; use theirs
                pass
        return transformers.CLIPTokenizer.from_pretrained(str(cache))
    except OSError:  # read-only home: build in a temporary folder instead
        return transformers.CLIPTokenizer.from_pretrained(str(write_clip_vocab(tempfile.mkdtemp(prefix="clip-tok-"))))


def _writable_parent(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path.parent)


def _ids(text: str, tokenizer) -> list[int]:
    return tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"]


def count_tokens(text: str, tokenizer=None) -> int:
    """CLIP tokens in `text`, not counting the start/end tokens (at most 75 are read)."""
    return len(_ids(text, tokenizer or clip_tokenizer()))


def truncate_to_tokens(text: str, max_tokens: int = MAX_CONTENT_TOKENS, tokenizer=None) -> str:
    """The longest prefix of `text`, cut at a word boundary, that fits in `max_tokens`."""
    tokenizer = tokenizer or clip_tokenizer()
    if count_tokens(text, tokenizer) <= max_tokens:
        return text
    words = text.split()
    lo, hi = 0, len(words)  # binary search on the number of words kept
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(" ".join(words[:mid]), tokenizer) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo]).rstrip(",;:")
