"""Span offsets in Label Studio results: which characters of the article they mean.

Label Studio's labeling screen stores a text span's ``start`` and ``end`` as Unicode code
points, the way Python indexes strings (verified on Label Studio 1.23.2 in headless Chromium
by ``tests/labelstudio/test_span_offsets_screen.py``: a phrase after two emoji is saved at
its Python offsets). Releases before the front end was changed to count code points (Label
Studio PR #1559 and label-studio-frontend PR #308, 2021-2022) stored JavaScript string
offsets, UTF-16 code units, which part from Python's after every character outside the
Basic Multilingual Plane (emoji, some CJK, mathematical letters: issues #1347, #4929); such
exports, and tools that still write JavaScript offsets, are met in the wild.
:func:`offsets_unit` tells them apart per annotation: code points, unless a span's own
``text`` matches the article only at the UTF-16 reading; :meth:`TextIndex.locate` then reads
the offsets in that unit. framestudy itself writes code points
(the simulator, coding sheets, model suggestions). This module is the one place that knows
the two readings.

Label Studio also stores a span's ``text`` with runs of whitespace collapsed while the
offsets stay right (issue #3078), and may differ in line ends (issue #539), so
:func:`same_text` compares texts with whitespace normalised.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

#: the units of span offsets: code points (Label Studio now), UTF-16 code units (before)
POINTS, UTF16 = "code points", "UTF-16 units"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")


class TextIndex:
    """Offsets into one article text.

    ``locate(start, end, unit)`` gives the code-point offsets of a span given in ``unit``
    (see the module docstring). ``to_python(u)`` maps a UTF-16 offset to a
    code-point offset, or returns None when the offset is outside the text or falls between
    the two halves of a surrogate pair.
    """

    __slots__ = ("text", "_starts", "_utf16_len")

    def __init__(self, text: str):
        self.text = text
        # the UTF-16 start of each astral character (its code-point index + those before it)
        self._starts = [m.start() + j for j, m in enumerate(_ASTRAL.finditer(text))]
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

    def locate(self, start: int, end: int, unit: str = POINTS) -> tuple[int, int] | None:
        """The code-point offsets ``(start, end)`` of a span given in ``unit``
        (:data:`POINTS` or :data:`UTF16`), or None when they do not fit the text (outside
        it, reversed, between the halves of a surrogate pair)."""
        if unit == UTF16 and self._starts:
            s, e = self.to_python(start), self.to_python(end)
            return (s, e) if s is not None and e is not None and s <= e else None
        return (start, end) if 0 <= start <= end <= len(self.text) else None

    def needs_utf16(self, start: int, end: int, span_text: str | None) -> bool:
        """Whether a span's own text says its offsets are UTF-16 units: the text has
        characters outside the Basic Multilingual Plane, and ``span_text`` matches the
        article at the UTF-16 reading but not at the code-point one."""
        if not self._starts or span_text is None:
            return False
        points = self.locate(start, end, POINTS)
        if points is not None and same_text(self.text[points[0]:points[1]], span_text):
            return False
        units = self.locate(start, end, UTF16)
        return units is not None and same_text(self.text[units[0]:units[1]], span_text)


def offsets_unit(spans: Iterable[tuple[TextIndex, int, int, str | None]]) -> str:
    """The unit of one annotation's span offsets, from its spans ``(index, start, end,
    span_text)``: :data:`UTF16` if some span's text says so (:meth:`TextIndex.needs_utf16`),
    else :data:`POINTS`. One annotation was saved by one front end, so its spans share a
    unit: a span whose text matches neither reading is read in its annotation's unit."""
    return UTF16 if any(index.needs_utf16(s, e, t) for index, s, e, t in spans) else POINTS


def normalise_space(text: str) -> str:
    """Whitespace runs as one space, no leading or trailing space."""
    return _SPACE.sub(" ", text).strip()


def same_text(article_slice: str, span_text: str) -> bool:
    """True if the span's text matches the article's text at its offsets, whitespace aside."""
    if article_slice == span_text:
        return True
    return normalise_space(article_slice) == normalise_space(span_text)
