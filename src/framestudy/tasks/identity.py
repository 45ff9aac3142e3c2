"""Article identity and size: the content-derived ``article_id`` and the word count."""

from __future__ import annotations

import hashlib
import re
import unicodedata

ID_PREFIX = "art-"
ID_HEX_DIGITS = 12

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")


def normalise(text: str) -> str:
    """The text as compared for identity: Unicode NFC, white space collapsed to one space.

    Line breaks, indentation and non-breaking spaces therefore do not change an article's
    identity; any change to its words or punctuation does.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def article_id(cleaned_text: str) -> str:
    """``art-`` + the first 12 hex digits of the SHA-256 of the normalised cleaned text.

    The id depends only on the content, so rebuilding the tasks never changes it, and the
    same text imported twice gets the same id (which is how duplicates are found). The
    prefix keeps the id a string in spreadsheets and CSV readers (a bare hex id such as
    ``1234e5`` would be read as a number).
    """
    digest = hashlib.sha256(normalise(cleaned_text).encode("utf-8")).hexdigest()
    return ID_PREFIX + digest[:ID_HEX_DIGITS]


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits, joined by apostrophes or hyphens.

    "Russia’s" and "Russia-Ukraine" are one word each, "2023" is a word, punctuation such as
    "–" or "…" is not.
    """
    return len(_WORD.findall(text))
