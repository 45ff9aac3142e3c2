"""Article identity, text version and size.

An article has two fingerprints, kept apart on purpose:

- its **identity**, ``article_id``: who the article is. It is written in the article's front
  matter once the article is stored in ``tasks/articles/`` and never changes afterwards,
  whatever happens to the text or the file name, so correcting a typo keeps the article (and
  its Label Studio task and annotations) the same. :func:`derived_id` gives the id of an
  input that names none: from its outlet and its source (URL, else file name and row).
- its **text version**, ``text_version``: which text it has now, a hash of the cleaned text
  (:func:`text_version`). Two inputs with the same text version are duplicates; a task whose
  text version changed after it was annotated is what ``push`` refuses without ``--force``.

:func:`article_id` is the content-derived id every article had before ids were explicit
(``art-`` + the text version). The bundled corpus keeps those ids, written in its front
matter, and a stored file without an id gets this one at its first build
(:mod:`.store`), so studies pushed before keep theirs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

ID_PREFIX = "art-"
ID_HEX_DIGITS = 12
#: what an explicit id may look like: letters, digits and ``. _ : -``, up to 100 characters
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")


def normalise(text: str) -> str:
    """The text as compared for identity: Unicode NFC, white space collapsed to one space.

    Line breaks, indentation and non-breaking spaces therefore do not change an article's
    text version; any change to its words or punctuation does.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_version(cleaned_text: str) -> str:
    """The first 12 hex digits of the SHA-256 of the normalised cleaned text."""
    digest = hashlib.sha256(normalise(cleaned_text).encode("utf-8")).hexdigest()
    return digest[:ID_HEX_DIGITS]


def article_id(cleaned_text: str) -> str:
    """The content-derived id: ``art-`` + :func:`text_version` of the cleaned text.

    Used for articles stored without an explicit id (see the module docstring). The prefix
    keeps the id a string in spreadsheets and CSV readers (a bare hex id such as ``1234e5``
    would be read as a number).
    """
    return ID_PREFIX + text_version(cleaned_text)


def derived_id(outlet: str, source: str) -> str:
    """The id of a new input that names none: ``art-`` + 12 hex digits of the SHA-256 of
    ``outlet`` and ``source`` (the article's URL, else its input file name and row).

    It does not depend on the text, so the same input imported again after its text was
    corrected is recognised as the same article.
    """
    key = f"{outlet}\n{source.strip()}"
    return ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS]


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits, joined by apostrophes or hyphens.

    "Russia’s" and "Russia-Ukraine" are one word each, "2023" is a word, punctuation such as
    "–" or "…" is not.
    """
    return len(_WORD.findall(text))
