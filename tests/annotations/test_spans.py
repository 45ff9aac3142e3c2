"""UTF-16 offsets -> Python offsets, against the UTF-16 encoding itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framestudy.annotations.spans import TextIndex, normalise_space, same_text, to_utf16

# BMP letters, whitespace, CJK, emoji and other astral characters, lone combining marks
ALPHABET = st.sampled_from(list("ab \n\t\u00e9\u4e2d\u0301") + ["😀", "🇺", "𝐍", "\U00020000"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def utf16_offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


@given(TEXTS, st.data())
def test_every_code_point_offset_round_trips(text, data):
    index = TextIndex(text)
    i = data.draw(st.integers(0, len(text)))
    u = utf16_offset(text, i)
    assert to_utf16(text, i) == u
    assert index.to_python(u) == i


@given(TEXTS, st.data())
def test_the_index_converts_to_utf16_like_the_encoding(text, data):
    """The direction the simulator writes exports in."""
    i = data.draw(st.integers(0, len(text)))
    assert TextIndex(text).to_utf16(i) == utf16_offset(text, i)


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


def test_whitespace_tolerant_comparison():
    assert same_text("Moscow blames  the\nWest", "Moscow blames the West")
    assert same_text("a\r\nb", "a b")
    assert not same_text("officials said", "officials denied")
    assert normalise_space("  a \t b ") == "a b"
