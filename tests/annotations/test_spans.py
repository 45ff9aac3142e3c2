"""Span offsets: Label Studio's code points read as they are, older exports' UTF-16 units
recognised by the span's text; UTF-16 -> Python offsets checked against the encoding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framestudy.annotations.spans import (
    POINTS,
    UTF16,
    TextIndex,
    normalise_space,
    offsets_unit,
    same_text,
)

# BMP letters, whitespace, CJK, emoji and other astral characters, lone combining marks
ALPHABET = st.sampled_from(list("ab \n\t\u00e9\u4e2d\u0301") + ["😀", "🇺", "𝐍", "\U00020000"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def utf16_offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


@given(TEXTS, st.data())
def test_every_utf16_offset_maps_to_its_code_point(text, data):
    i = data.draw(st.integers(0, len(text)))
    assert TextIndex(text).to_python(utf16_offset(text, i)) == i


@given(TEXTS, st.data())
def test_code_point_offsets_are_taken_as_they_are(text, data):
    """What Label Studio's screen stores: the offsets, whatever the span's text."""
    index = TextIndex(text)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    assert index.locate(i, j) == (i, j)
    assert not index.needs_utf16(i, j, text[i:j])
    assert offsets_unit([(index, i, j, text[i:j]), (index, i, j, None)]) == POINTS


@given(TEXTS, st.data())
def test_utf16_offsets_are_recognised_by_their_text(text, data):
    """An older export's offsets (UTF-16 units): where the two readings give different
    texts, the span's text picks the UTF-16 one, and it finds the span."""
    index = TextIndex(text)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    u, v = utf16_offset(text, i), utf16_offset(text, j)
    assert index.locate(u, v, UTF16) == (i, j)
    points = index.locate(u, v, POINTS)
    if points is None or not same_text(text[points[0]:points[1]], text[i:j]):
        assert index.needs_utf16(u, v, text[i:j])
        assert offsets_unit([(index, u, v, text[i:j])]) == UTF16


@given(TEXTS, st.data())
def test_offsets_between_surrogates_or_outside_are_refused(text, data):
    index = TextIndex(text)
    n16 = utf16_offset(text, len(text))
    u = data.draw(st.integers(-3, n16 + 3))
    valid = {utf16_offset(text, i) for i in range(len(text) + 1)}
    assert (index.to_python(u) is not None) == (u in valid)


def test_examples():
    text = "😀 NATO"
    index = TextIndex(text)
    assert (index.to_python(3), index.to_python(7)) == (2, 6)
    assert text[2:6] == "NATO"
    assert index.to_python(1) is None  # between the halves of the emoji
    assert TextIndex("plain").bmp_only and not index.bmp_only
    # Label Studio 1.23 stores (2, 6) for "NATO"; an older release stored (3, 7)
    assert index.locate(2, 6) == (2, 6) and index.locate(3, 7, UTF16) == (2, 6)
    assert not index.needs_utf16(2, 6, "NATO") and index.needs_utf16(3, 7, "NATO")
    assert not index.needs_utf16(3, 7, None)  # no text, no evidence: code points
    assert index.locate(0, 9) is None and index.locate(4, 2) is None
    assert index.locate(1, 3, UTF16) is None  # between the halves of the emoji
    # one annotation, one unit: a span whose text fits neither reading follows the others
    spans = [(index, 3, 7, "NATO"), (index, 0, 1, "x")]
    assert offsets_unit(spans) == UTF16 and offsets_unit(spans[1:]) == POINTS


def test_whitespace_tolerant_comparison():
    assert same_text("Moscow blames  the\nWest", "Moscow blames the West")
    assert same_text("a\r\nb", "a b")
    assert not same_text("officials said", "officials denied")
    assert normalise_space("  a \t b ") == "a b"
