"""Span offsets: from Label Studio's UTF-16 code units to Python characters, and the text check.

Label Studio's browser front end measures text offsets in JavaScript string units (UTF-16
code units); Python indexes code points. The two differ only after a character outside the
Basic Multilingual Plane (emoji, some CJK, mathematical letters), which takes two UTF-16
units: every such character before an offset shifts it by one (Label Studio issues #4929,
#1347, #4988). :class:`TextIndex` converts offsets for one article text, both ways: reading
an export (``to_python``) and writing one, as the simulator does (``to_utf16``). This module
is the one place that knows the conversion.

Label Studio also stores a span's ``text`` with runs of whitespace collapsed while the
offsets stay right (issue #3078), and may differ in line ends (issue #539), so
:func:`same_text` compares texts with whitespace normalised.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")


class TextIndex:
    """Offset conversion for one text.

    ``to_python(u)`` maps a UTF-16 offset to a code-point offset, or returns None when the
    offset is outside the text or falls between the two halves of a surrogate pair.
    ``to_utf16(i)`` maps a code-point offset (0 to ``len(text)``) to its UTF-16 offset.
    """

    __slots__ = ("text", "_astral", "_starts", "_utf16_len")

    def __init__(self, text: str):
        self.text = text
        # code-point index of each astral character, and its UTF-16 start (index + j).
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._starts = [i + j for j, i in enumerate(self._astral)]
        self._utf16_len = len(text) + len(self._starts)

    @property
    def bmp_only(self) -> bool:
        return not self._starts

    def to_python(self, offset: int) -> int | None:
        if offset < 0 or offset > self._utf16_len:
            return None
        if not self._starts:
            return offset
        k = bisect_left(self._starts, offset)  # astral characters starting before the offset
        if k and self._starts[k - 1] == offset - 1:
            return None  # inside a surrogate pair
        return offset - k

    def to_utf16(self, offset: int) -> int:
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)  # astral characters before it


def to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code-point ``offset`` in ``text`` (for one offset; for many
    offsets into one text, build a :class:`TextIndex` once)."""
    return TextIndex(text).to_utf16(offset)


def normalise_space(text: str) -> str:
    """Whitespace runs as one space, no leading or trailing space."""
    return _SPACE.sub(" ", text).strip()


def same_text(article_slice: str, span_text: str) -> bool:
    """True if the span's text matches the article's text at its offsets, whitespace aside."""
    if article_slice == span_text:
        return True
    return normalise_space(article_slice) == normalise_space(span_text)
