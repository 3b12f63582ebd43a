"""Exact CLIP token counts, offline: Stable Diffusion reads only 77 tokens.

SD1.5's text encoder (and so AnimateDiff's) sees `<start>` + 75 tokens + `<end>`;
diffusers silently drops the rest. The planner therefore counts every prompt with
the real CLIP tokenizer, built here from CLIP's byte-pair merges (shipped in
`storykit/data`, MIT licence, OpenAI) so no download is needed:

>>> from storykit.plan.tokens import count_tokens
>>> count_tokens("a small red fox in a blue scarf")
8

When a diffusers pipeline is loaded, pass its `pipe.tokenizer` instead.
Only the `tokenizers` library is needed (not transformers, not torch).
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from pathlib import Path

__all__ = ["MAX_TOKENS", "MAX_CONTENT_TOKENS", "ClipTokenizer", "clip_tokenizer", "count_tokens", "truncate_to_tokens", "write_clip_vocab"]

MAX_TOKENS = 77  # CLIP's context length, start and end tokens included.
MAX_CONTENT_TOKENS = MAX_TOKENS - 2
_BPE = Path(__file__).parent / "data" / "bpe_simple_vocab_16e6.txt.gz"  # CLIP's byte-pair merges, as OpenAI ships them


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
    vocab, merges = _clip_files(str(bpe_path) if bpe_path else None)
    (folder / "vocab.json").write_text(vocab, encoding="utf-8")
    (folder / "merges.txt").write_text(merges, encoding="utf-8")
    return folder


@functools.lru_cache(maxsize=2)
def _clip_files(bpe_path: str | None) -> tuple[str, str]:
    """The texts of vocab.json and merges.txt, made once (a tiny model's build writes them twice)."""
    merges = _clip_merges(bpe_path)
    vocab = _clip_vocab(merges)
    return (json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False),
            "#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")


# transformers' CLIPTokenizer, rebuilt with the `tokenizers` library alone (the same
# normaliser, pre-tokeniser split and BPE settings as transformers 5's
# models/clip/tokenization_clip.py): importing transformers and loading its
# tokenizer took ~2 s here, this takes ~0.15 s. tests/test_plan.py checks the ids
# against transformers.CLIPTokenizer on many strings.
_SPLIT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
BOS, EOS = "<|startoftext|>", "<|endoftext|>"


def _clip_merges(bpe_path=None) -> list[tuple[str, str]]:
    bpe_path = bpe_path or _BPE
    with gzip.open(bpe_path, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    return [tuple(line.split()) for line in lines[1 : 49152 - 256 - 2 + 1]]


def _clip_vocab(merges) -> list[str]:
    symbols = list(_bytes_to_unicode().values())
    return symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + [BOS, EOS]


class ClipTokenizer:
    """CLIP's tokenizer on the `tokenizers` library: the ids of transformers' CLIPTokenizer.

    Called like a transformers tokenizer (`tok(text)["input_ids"]`, `tok.decode(ids)`,
    `len(tok)`), so a pipeline's `pipe.tokenizer` and this one are interchangeable here.
    """

    def __init__(self, bpe_path=None):
        try:
            import tokenizers
        except ImportError as e:  # a core dependency, so only a broken install gets here
            from ..errors import MissingDependency

            raise MissingDependency(f"tokenizers could not be imported ({e}); install it with `pip install tokenizers`") from None
        from tokenizers import AddedToken, Regex, decoders, normalizers, pre_tokenizers
        from tokenizers.models import BPE

        merges = _clip_merges(bpe_path)
        vocab = {t: i for i, t in enumerate(_clip_vocab(merges))}
        tok = tokenizers.Tokenizer(
            BPE(vocab=vocab, merges=merges, dropout=None, continuing_subword_prefix="",
                end_of_word_suffix="</w>", fuse_unk=False, unk_token=EOS)
        )
        tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(_SPLIT), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ])
        tok.decoder = decoders.ByteLevel()
        tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in (BOS, EOS)])
        self._tok = tok
        self.bos_token_id, self.eos_token_id = vocab[BOS], vocab[EOS]

    def __len__(self) -> int:
        return self._tok.get_vocab_size(with_added_tokens=True)

    def __repr__(self) -> str:
        return f"ClipTokenizer({len(self)} tokens)"

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        ids = self._tok.encode(text, add_special_tokens=False).ids
        return [self.bos_token_id, *ids, self.eos_token_id] if add_special_tokens else ids

    def __call__(self, text: str, add_special_tokens: bool = True, truncation: bool = False,
                 max_length: int | None = None, **_ignored) -> dict:
        ids = self.encode(text, add_special_tokens)
        if truncation and max_length is not None and len(ids) > max_length:
            # like transformers: keep the end token when cutting
            ids = ids[: max_length - 1] + [self.eos_token_id] if add_special_tokens else ids[:max_length]
        return {"input_ids": ids}

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        # BPE marks word ends with </w>; CLIP decodes them as spaces (transformers does the same)
        text = self._tok.decode(list(ids), skip_special_tokens=skip_special_tokens)
        return text.replace("</w>", " ").strip()


@functools.lru_cache(maxsize=1)
def clip_tokenizer() -> ClipTokenizer:
    """The exact CLIP tokenizer, built once from the shipped vocabulary (no transformers)."""
    return ClipTokenizer()


def _ids(text: str, tokenizer) -> list[int]:
    return tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"]


def count_tokens(text: str, tokenizer=None) -> int:
    """CLIP tokens in `text`, not counting the start/end tokens (at most 75 are read)."""
    if tokenizer is None:
        n = _remembered_count(text)
        if n is not None:
            return n
    return len(_ids(text, tokenizer or clip_tokenizer()))


# Counting without building the tokenizer (0.12 s of CPU, most of `storykit plan`). CLIP's
# pre-tokeniser cuts text into pieces (_SPLIT: a word, a digit, a run of punctuation, a
# contraction) and byte-pair encodes each piece on its own, so a text's count is the sum
# of its pieces' counts. For plain ASCII text (where lowercasing, whitespace and the
# letter/number classes are simple) the pieces are found here and their counts, made by
# the real tokenizer once, remembered in $STORYKIT_HOME/clip_piece_tokens.json: the
# template writer's words recur, so a plan usually finds every piece there.
_ASCII_TEXT = re.compile(r"[\t\n\x0b\x0c\r\x20-\x7e]*")  # \x1c-\x1f are spaces to Python, not to CLIP
_PIECES = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+")  # _SPLIT on lowercase ASCII
_MAX_REMEMBERED = 100_000
_piece_counts: dict[str, int] | None = None


def _pieces_key() -> str:
    """The remembered counts' key: the vocabulary and this module's code (a fix to either counts again)."""
    from ..remembered import files_key

    return files_key(_BPE, code=__file__)


def _remembered_count(text: str) -> int | None:
    """The exact count of an ASCII text from remembered piece counts (filled by the tokenizer); None otherwise."""
    global _piece_counts
    if not _ASCII_TEXT.fullmatch(text) or "<|" in text:  # "<|endoftext|>" typed in: the tokenizer's special case
        return None
    pieces = _PIECES.findall(text.lower())
    if _piece_counts is None:
        from ..remembered import recall

        known = recall("clip_piece_tokens", _pieces_key())
        _piece_counts = {k: v for k, v in known.items() if type(v) is int} if isinstance(known, dict) else {}
    missing = {p for p in pieces if p not in _piece_counts}
    if missing:
        tok = clip_tokenizer()
        _piece_counts.update((p, len(_ids(p, tok))) for p in missing)
        if len(_piece_counts) <= _MAX_REMEMBERED:  # a bound on the file: past it, counts are kept in memory only
            from ..remembered import remember

            remember("clip_piece_tokens", _pieces_key(), _piece_counts)  # a read-only home: the tokenizer next time
    return sum(_piece_counts[p] for p in pieces)


def truncate_to_tokens(text: str, max_tokens: int = MAX_CONTENT_TOKENS, tokenizer=None) -> str:
    """The longest prefix of `text`, cut at a word boundary, that fits in `max_tokens`."""
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
