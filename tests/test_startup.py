"""Start-up and slow spots: caption wrapping measures O(log n) prefixes, with the same lines as before."""

from __future__ import annotations

from PIL import ImageFont

from storykit.generate.animatic import lettering


def _naive_wrap(text, font, max_width, max_lines):  # the former one-character-at-a-time search
    lines, line = [], ""
    for word in text.split():
        while font.getlength(word) > max_width and len(word) > 1:
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > max_width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{line} {word}".strip()
        if font.getlength(trial) <= max_width:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def test_wrap_breaks_long_words_like_before():
    font = ImageFont.load_default(size=20)
    calls = []
    real = font.getlength

    class Counting:
        def getlength(self, text):
            calls.append(text)
            return real(text)

    for text in ["x" * 70, "a quick brown fox " * 8, "W" * 25 + " tiny words " + "m" * 40, "short", "Mi" * 30 + " i"]:
        for width, lines in ((300, 3), (60, 5)):
            assert lettering._wrap(text, font, width, lines) == _naive_wrap(text, font, width, lines), (text[:20], width)
    calls.clear()
    lettering._wrap("x" * 400, Counting(), 300, 3)
    assert len(calls) < 300  # was ~5,000 measurements of ever longer prefixes
