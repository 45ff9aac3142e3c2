"""Readers for the article files a study can import: one function per input format.

=============  =====================================================================
``.txt``       the article text; optional YAML front matter holds its metadata
``.html``      a saved web page; the main text is extracted with trafilatura
``.csv``       one article per row: a ``text`` column plus metadata columns
``.jsonl``     one article per line: a JSON object with ``text`` plus metadata keys
=============  =====================================================================

Metadata keys/columns are the fields of :class:`framestudy.tasks.models.ArticleMeta`
(``outlet``, ``title``, ``date``, ``author``, ``language``, ...). Readers only read: they
return :class:`RawArticle` records and raise :class:`UserError` naming the file (and row)
when the file itself is malformed. Whether the metadata is complete is checked later, for
all files at once (:mod:`framestudy.tasks.store`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from framestudy.errors import UserError
from framestudy.tasks import frontmatter
from framestudy.tasks.models import ArticleMeta

TEXT_FIELD = "text"
ID_ALIAS = "id"  # a CSV/JSONL column may name the article's id ``id`` or ``article_id``
#: metadata columns a CSV/JSONL file may have besides ``text``
META_FIELDS = tuple(f for f in ArticleMeta.model_fields if f != "drop_lines")
SUFFIXES = (".txt", ".html", ".htm", ".csv", ".jsonl")


@dataclass(frozen=True)
class Origin:
    """Where an article came from: a file, and for CSV the data row (1 = first row after the
    header), for JSONL the line number."""

    path: Path
    row: int | None = None
    unit: str = "row"

    @property
    def label(self) -> str:
        """The file name and row, e.g. ``articles.csv row 2``."""
        return self._with_row(self.path.name)

    def _with_row(self, name: str) -> str:
        return f"{name} {self.unit} {self.row}" if self.row is not None else name

    def __str__(self) -> str:
        return self._with_row(str(self.path))


@dataclass(frozen=True)
class RawArticle:
    """An article as read: unvalidated metadata and the text (boilerplate included)."""

    origin: Origin
    meta: dict[str, Any]
    text: str
    first_line: int = 1  # file line number of the text's first line


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; re-save it as UTF-8") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None


def read_txt(path: Path) -> list[RawArticle]:
    """A text file, with or without YAML front matter (see :mod:`.frontmatter`)."""
    content = _read_text(path)
    meta, body = frontmatter.split(content, str(path))
    first_line = content.lstrip("\ufeff").count("\n") - body.count("\n") + 1
    return [RawArticle(Origin(path), meta, body, first_line)]


class _LangOfHtml(HTMLParser):
    """Finds the ``lang`` attribute of the page's ``<html>`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang") or ""


def _html_language(html: str) -> str | None:
    """``en`` for ``<html lang="en-GB">``; None when the page does not say."""
    parser = _LangOfHtml()
    parser.feed(html[:20_000])  # the <html> tag is at the top
    lang = (parser.lang or "").split("-")[0].strip().lower()
    return lang or None


def read_html(path: Path) -> list[RawArticle]:
    """A saved web page: main text, title, author, date and URL via trafilatura.

    The date comes only from the page's markup (meta tags, ``<time>``), never guessed from
    the text, and comments are left out. The ``lang`` attribute gives the language.
    """
    import trafilatura

    html = _read_text(path)
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = ""
    meta: dict[str, Any] = {}
    if doc is not None:
        text = "\n\n".join(line.strip() for line in (doc.text or "").split("\n") if line.strip())
        for key in ("title", "author", "date", "url"):
            value = getattr(doc, key, None)
            if value:
                meta[key] = value
    language = _html_language(html)
    if language:
        meta["language"] = language
    return [RawArticle(Origin(path), meta, text)]


def _row_meta(values: dict[str, Any], origin: Origin) -> tuple[dict[str, Any], str]:
    text = values.get(TEXT_FIELD)
    if text is not None and not isinstance(text, str):
        raise UserError(f"{origin}: '{TEXT_FIELD}' must be a string")
    meta = {
        key: value
        for key, value in values.items()
        if key != TEXT_FIELD and value is not None and value != ""
    }
    if ID_ALIAS in meta:
        if "article_id" in meta:
            raise UserError(
                f"{origin}: has both 'id' and 'article_id'; keep one of them for the article's id"
            )
        meta["article_id"] = meta.pop(ID_ALIAS)
    return meta, text or ""


def _check_columns(columns: list[str], where: str, kind: str) -> None:
    if TEXT_FIELD not in columns:
        raise UserError(
            f"{where}: no '{TEXT_FIELD}' {kind} (found: {', '.join(columns) or 'none'}); "
            f"the article text must be in a {kind} named '{TEXT_FIELD}'"
        )
    unknown = [c for c in columns if c not in META_FIELDS and c not in (TEXT_FIELD, ID_ALIAS)]
    if unknown:
        raise UserError(
            f"{where}: unknown {kind}(s) {', '.join(repr(c) for c in unknown)}; "
            f"allowed: {TEXT_FIELD}, {ID_ALIAS}, {', '.join(META_FIELDS)}"
        )


def read_csv(path: Path) -> list[RawArticle]:
    """A CSV file with a header row: ``text`` plus metadata columns, one article a row."""
    content = _read_text(path).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(
            f"{path}: empty CSV file; it needs a header row with a 'text' column"
        ) from None
    except csv.Error as exc:
        raise UserError(f"{path}: not valid CSV ({exc})") from None
    header = [h.strip() for h in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise UserError(f"{path}: column(s) {', '.join(duplicated)} appear more than once")
    _check_columns(header, str(path), "column")
    articles = []
    try:
        for row_number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue
            origin = Origin(path, row_number)
            if len(row) != len(header):
                raise UserError(
                    f"{origin}: has {len(row)} cells but the header has {len(header)} columns; "
                    "quote cells that contain commas or line breaks"
                )
            meta, text = _row_meta(dict(zip(header, row, strict=True)), origin)
            articles.append(RawArticle(origin, meta, text))
    except csv.Error as exc:
        raise UserError(f"{path}: not valid CSV near line {reader.line_num} ({exc})") from None
    return articles


def read_jsonl(path: Path) -> list[RawArticle]:
    """JSON Lines: one object per line with ``text`` plus metadata keys."""
    articles = []
    for line_number, line in enumerate(_read_text(path).lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        origin = Origin(path, line_number, "line")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{origin}: not valid JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(record, dict):
            raise UserError(f"{origin}: each line must be a JSON object with a 'text' key")
        _check_columns(list(record), str(origin), "key")
        meta, text = _row_meta(record, origin)
        articles.append(RawArticle(origin, meta, text))
    return articles


READERS = {
    ".txt": read_txt,
    ".html": read_html,
    ".htm": read_html,
    ".csv": read_csv,
    ".jsonl": read_jsonl,
}


def read_source(path: str | Path) -> list[RawArticle]:
    """Read one input file with the reader for its suffix."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UserError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return reader(path)


def expand(paths: list[str | Path]) -> list[Path]:
    """The input files named by ``paths``: files as given, folders searched for known types."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            files.append(p)
    return files
