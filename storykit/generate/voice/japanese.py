"""Kanji read aloud: espeak-ng's Japanese voice speaks kana, and says "Chinese letter" for each kanji.

`kana_reading` turns kanji into their hiragana reading first, with pykakasi's dictionary
(GPL-3.0-or-later, like espeak-ng itself), so 夜明けの竹林 is spoken よあけのちくりん.
Kokoro's Japanese voices phonemise through espeak-ng too, so they read the same kana.
"""

from __future__ import annotations

import functools
import re

__all__ = ["kana_reading", "has_kanji", "reader_version"]

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_kanji(text: str) -> bool:
    return bool(_KANJI.search(text))


@functools.cache
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def reader_version() -> str | None:
    """pykakasi's version (part of a Japanese line's cache key), or None where it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("pykakasi")
    except metadata.PackageNotFoundError:
        return None


def kana_reading(text: str) -> str:
    """`text` with every word written in kanji replaced by its hiragana reading; unchanged without pykakasi."""
    if not has_kanji(text) or reader_version() is None:
        return text
    return "".join(part["hira"] if has_kanji(part["orig"]) else part["orig"] for part in _kakasi().convert(text))
