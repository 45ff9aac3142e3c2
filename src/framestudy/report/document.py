"""The report as a document: sections of paragraphs, tables and figures, rendered twice.

:func:`framestudy.report.content.report_document` builds one :class:`Document`; the HTML page
(:mod:`framestudy.report.html`) and the Markdown file (:mod:`framestudy.report.markdown`)
are two renderings of it, so they cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Paragraph:
    """Plain text (no markup); ``kind`` ``"note"`` or ``"warning"`` is set apart."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A small table, every cell already formatted as text. ``note``: a line under it
    (e.g. "first 50 of 312 rows; all in consensus.csv"). ``muted``: row positions shown
    greyed (variables the reliability gate excluded)."""

    frame: pd.DataFrame
    caption: str
    note: str = ""
    muted: tuple[int, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A PNG figure: ``name`` is its file name under ``analysis/figures/``; ``alt`` says
    what it shows for a reader who cannot see it."""

    name: str
    png: bytes
    caption: str
    alt: str


@dataclass(frozen=True)
class Definitions:
    """Term -> value pairs (the provenance, the study's facts)."""

    items: tuple[tuple[str, str], ...]


Block = Paragraph | Table | Figure | Definitions


@dataclass
class Section:
    """A titled part of the report; ``anchor`` is its id in the HTML page."""

    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """The whole report."""

    title: str
    subtitle: str
    sections: list[Section]

    def figures(self) -> list[Figure]:
        """Every figure, in order of appearance."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
