"""The study's article folder, ``tasks/articles/``: reading it and adding to it.

Each article is one ``.txt`` file with YAML front matter (:mod:`.frontmatter`): the metadata
on top, the text as scraped below. :func:`add_articles` normalises any supported input
(:mod:`.sources`) into that form; the text is cleaned only when tasks are built, so the
stored file always shows what was removed and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from framestudy.errors import UserError
from framestudy.io import atomic_write_text
from framestudy.study import Study
from framestudy.tasks import frontmatter
from framestudy.tasks.articles import (
    Article,
    Duplicate,
    Progress,
    id_clashes,
    no_progress,
    prepare_all,
    raise_problems,
    split_duplicates,
)
from framestudy.tasks.outlets import OutletRegistry, load_outlets
from framestudy.tasks.sources import RawArticle, expand, read_source, read_txt


def read_raw_articles(articles_dir: Path) -> tuple[list[RawArticle], list[str]]:
    """Every article file of ``articles_dir`` as read, plus messages for unreadable ones.

    Only ``.txt`` files are articles; hidden files are ignored; any other file is reported
    (it should be imported with ``framestudy tasks add``).
    """
    raws: list[RawArticle] = []
    failures: list[str] = []
    if not articles_dir.is_dir():
        return raws, failures
    for path in sorted(articles_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix != ".txt":
            failures.append(
                f"{path}: not an article file; import it with `framestudy tasks add {path}`"
            )
            continue
        try:
            raws.extend(read_txt(path))
        except UserError as exc:
            failures.append(exc.message)
    return raws, failures


def load_articles(
    study: Study,
    registry: OutletRegistry | None = None,
    *,
    progress: Progress = no_progress,
    write_ids: bool = False,
) -> tuple[list[Article], list[Duplicate]]:
    """The study's checked articles (first of each text) and the duplicates left out.

    Raises one :class:`UserError` listing every faulty file in ``tasks/articles/``, and
    every id that two files with different texts share. ``write_ids``: write the id of
    each article whose file names none into its front matter (:func:`write_id`), so it
    stays the article's id whatever is later done to the text.
    """
    registry = registry or load_outlets(study.outlets)
    raws, failures = read_raw_articles(study.articles_dir)
    articles = prepare_all(
        raws, registry, failures=failures, action="no tasks were built", progress=progress
    )
    if not articles:
        raise UserError(
            f"{study.articles_dir}: no articles; add some with `framestudy tasks add PATH`"
        )
    unique, duplicates = split_duplicates(articles)
    clashes = id_clashes(unique)
    if clashes:
        raise_problems(clashes, "no tasks were built")
    if write_ids:
        for article in unique:
            if not article.id_given:
                write_id(article)
    return unique, duplicates


def write_id(article: Article) -> Path:
    """Add ``article_id: <its id>`` to the front matter of the article's stored file.

    Only that line is added: the other metadata lines and the text stay byte-for-byte.
    """
    path = article.origin.path
    try:
        content = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot add its article_id ({exc})") from None
    updated = frontmatter.with_key_first(content, "article_id", article.article_id, str(path))
    return atomic_write_text(path, updated)


def stored_meta(article: Article) -> dict[str, Any]:
    """The front matter written for ``article``: every field set, unknowns spelled out."""
    meta = {"article_id": article.article_id, **article.meta.model_dump(exclude_none=True)}
    if not meta.get("drop_lines"):
        meta.pop("drop_lines", None)
    return meta


def file_name(article: Article) -> str:
    """``<outlet>_<text version>.txt``: unique per text, readable in a folder listing.

    The name is only a label: the article's identity is the ``article_id`` in the file.
    """
    return f"{article.meta.outlet}_{article.text_version}.txt"


def write_article(articles_dir: Path, article: Article) -> Path:
    """Store ``article`` (metadata + text as read) in ``articles_dir``, atomically.

    Never overwrites: if the name is taken (a stored file whose text was edited after
    import), a numbered name is used.
    """
    body = article.raw_text.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    path = articles_dir / file_name(article)
    number = 1
    while path.exists():
        number += 1
        path = path.with_name(f"{Path(file_name(article)).stem}-{number}.txt")
    return atomic_write_text(path, frontmatter.join(stored_meta(article), body))


@dataclass
class AddResult:
    """What :func:`add_articles` did: files written, and inputs skipped as duplicates."""

    added: list[tuple[Article, Path]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)


def add_articles(
    study: Study,
    paths: Iterable[str | Path],
    *,
    default_outlet: str | None = None,
    progress: Progress = no_progress,
) -> AddResult:
    """Import the articles in ``paths`` (files or folders) into ``tasks/articles/``.

    All inputs are checked first; if any is faulty (unreadable, no or unknown outlet, empty
    text, two inputs with one id but different texts, ...) one :class:`UserError` names
    every faulty input and nothing is written. An input whose cleaned text is already in
    the study, or appears earlier in the same call, is a duplicate: reported and not
    written; so is an input whose id is already in the study (the same input again, perhaps
    with a corrected text: correct the stored file instead). Running the same import twice
    therefore adds nothing the second time. Each stored file carries its ``article_id``.
    """
    registry = load_outlets(study.outlets)
    if default_outlet is not None and default_outlet not in registry:
        raise UserError(
            f"--outlet {default_outlet!r} is not in {study.outlets}; add it there first"
        )
    files = expand(list(paths))
    if not files:
        raise UserError("no input files given; name .txt, .html, .csv or .jsonl files or folders")
    raws: list[RawArticle] = []
    failures: list[str] = []
    for path in progress(files, "Reading"):
        try:
            raws.extend(read_source(path))
        except UserError as exc:
            failures.append(exc.message)
    raws = [replace(raw, meta={"imported_from": raw.origin.label, **raw.meta}) for raw in raws]
    incoming = prepare_all(
        raws,
        registry,
        default_outlet=default_outlet,
        failures=failures,
        action="nothing was imported",
        progress=progress,
        importing=True,
    )
    existing_raws, _ = read_raw_articles(study.articles_dir)
    existing = _checked_quietly(existing_raws, registry)
    new, duplicates = split_duplicates(incoming, known=existing)
    clashes = id_clashes(new)
    if clashes:
        raise_problems(clashes, "nothing was imported")
    result = AddResult(duplicates=duplicates)
    for article in new:
        result.added.append((article, write_article(study.articles_dir, article)))
    return result


def _checked_quietly(raws: list[RawArticle], registry: OutletRegistry) -> list[Article]:
    """The study's articles that pass the checks (faulty ones are for `build` to report)."""
    checked = []
    for raw in raws:
        try:
            checked.extend(prepare_all([raw], registry))
        except UserError:
            continue
    return checked
