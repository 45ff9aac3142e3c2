"""Sentences of an article text, with their character offsets.

The span suggester works on sentences: a sentence is the unit it classifies, and a
suggested span is a whole sentence. The split is a plain rule, not a trained segmenter: a
sentence ends after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets)
where whitespace and the start of a new sentence (an upper-case letter, a digit, an
opening quote or bracket) follow, and at every line break. Abbreviations followed by a
capitalised word ("Mr. Smith", "U.S. Congress") are therefore split too; a suggestion
then covers part of the sentence (docs/model.md, "Limits").

Offsets are Python string indices (code points), end exclusive, as in the tidy
annotation table (docs/CONTRACTS.md) and as Label Studio stores them
(:mod:`framestudy.annotations.spans`).
"""

from __future__ import annotations

import re

# the end of a sentence: terminal punctuation, closing quotes/brackets, then whitespace
# before something that starts a sentence; or a line break
_BOUNDARY = re.compile(
    r"(?<=[.!?\u2026])[\"'\u201d\u2019\u00bb)\]]*(?=\s+[\"'\u201c\u2018\u00ab(\[]?[A-Z0-9\u00c0-\u024f\u0400-\u04ff])"
    r"|\n"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` offsets (end exclusive), in text
    order, without leading or trailing whitespace; empty pieces are left out.

    >>> text = "NATO met. Russia said no! Why?\\nA new line"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['NATO met.', 'Russia said no!', 'Why?', 'A new line']
    """
    out: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        _add(text, start, match.end(), out)
        start = match.end()
    _add(text, start, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    out.append((start + lead, start + lead + len(stripped)))
