"""From a read article to a checked one: validated metadata, cleaned text, id and version.

:func:`prepare` checks one article against the outlet registry and cleans it;
:func:`prepare_all` does so for many and reports *every* faulty input in one
:class:`UserError` line, so a user fixes a whole folder in one round;
:func:`split_duplicates` finds articles whose cleaned text is the same (or, against the
study, whose id is already taken); :func:`id_clashes` finds one id on different texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from framestudy.errors import UserError, describe_validation_error
from framestudy.tasks.clean import Cleaned, clean
from framestudy.tasks.identity import article_id, derived_id, text_version, word_count
from framestudy.tasks.models import ArticleMeta
from framestudy.tasks.outlets import OutletRegistry
from framestudy.tasks.sources import Origin, RawArticle

#: ``progress(items, description)`` yields ``items``, e.g. while drawing a progress bar
Progress = Callable[[Sequence[Any], str], Iterable[Any]]


def no_progress(items: Sequence[Any], description: str) -> Iterable[Any]:
    return items


@dataclass(frozen=True)
class Article:
    """A checked article: metadata, the text as read, the cleaned text, its id and version.

    ``id_given`` says whether ``article_id`` was in the metadata; if not, it was derived
    (:mod:`.identity`) and is written into the front matter when the article is stored.
    """

    origin: Origin
    meta: ArticleMeta
    raw_text: str
    cleaned: Cleaned
    article_id: str
    text_version: str
    id_given: bool = True

    @property
    def text(self) -> str:
        return self.cleaned.text

    @property
    def word_count(self) -> int:
        return word_count(self.cleaned.text)


@dataclass(frozen=True)
class Duplicate:
    """``article`` is left out: it has the same cleaned text as ``first`` (``same="text"``),
    or (importing) the study already holds an article with its id (``same="id"``)."""

    article: Article
    first: Article
    same: str = "text"


class ArticleProblem(Exception):
    """Everything wrong with one input, as one message naming it."""

    def __init__(self, origin: Origin | str, problems: list[str]):
        self.origin = origin
        self.problems = problems
        super().__init__(f"{origin}: {', '.join(problems)}")


def _registry_hint(registry: OutletRegistry) -> str:
    ids = registry.ids()
    shown = ", ".join(ids[:8]) + (", ..." if len(ids) > 8 else "")
    return f"known ids: {shown}" if ids else "the registry is empty"


def prepare(
    raw: RawArticle,
    registry: OutletRegistry,
    *,
    default_outlet: str | None = None,
    importing: bool = False,
) -> Article:
    """Validate ``raw``'s metadata, clean its text and settle its id and text version.

    The outlet is taken from the metadata, else ``default_outlet``, else (for web pages) the
    registry outlet whose ``domains`` contain the page's URL. Raises
    :class:`ArticleProblem` listing everything wrong with this input. ``importing`` says
    the input comes through ``framestudy tasks add`` (which has ``--outlet``).

    The id is ``article_id`` from the metadata; without one, an imported input gets
    :func:`~.identity.derived_id` of its outlet and URL (else its file name and row), and a
    stored file the content-derived :func:`~.identity.article_id` (the id such files always
    had).
    """
    data = dict(raw.meta)
    if not data.get("outlet"):
        data.pop("outlet", None)
        guessed = default_outlet or registry.for_url(data.get("url"))
        if guessed:
            data["outlet"] = guessed
    where = registry.path or "tasks/outlets.yaml"
    problems: list[str] = []
    meta: ArticleMeta | None = None
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as exc:
        if any(e["loc"] == ("outlet",) and e["type"] == "missing" for e in exc.errors()):
            how = "in the metadata ('outlet: <id>')" + (" or with --outlet" if importing else "")
            problems.append(f"no outlet: give one {how} ({_registry_hint(registry)})")
            others = [e for e in exc.errors() if e["loc"] != ("outlet",)]
            if others:
                problems.append(describe_validation_error(others))
        else:
            problems.append(describe_validation_error(exc))
    if meta is not None:
        if meta.outlet not in registry:
            problems.append(
                f"outlet {meta.outlet!r} is not in {where}; add it there or fix the id "
                f"({_registry_hint(registry)})"
            )
        if meta.original_source and meta.original_source not in registry:
            problems.append(
                f"original_source {meta.original_source!r} is not in {where}; add it there"
            )
    if not raw.text.strip():
        problems.append("the article text is empty")
    if problems or meta is None:
        raise ArticleProblem(raw.origin, problems)

    outlet = registry[meta.outlet]
    cleaned = clean(
        raw.text,
        title=meta.title,
        author=meta.author,
        site_names=[outlet.name, *outlet.domains],
        drop_lines=meta.drop_lines,
        first_line=raw.first_line,
    )
    if not cleaned.paragraphs:
        problems.append(
            "no article text is left after removing boilerplate "
            "(every line matched a rule of framestudy/tasks/rules.py)"
        )
    for unused in cleaned.unused_drop_lines:
        problems.append(
            f"drop_lines entry {unused.line[:60]!r} matches no line of the text; "
            "copy the line exactly or remove the entry"
        )
    if problems:
        raise ArticleProblem(raw.origin, problems)
    version = text_version(cleaned.text)
    if meta.article_id:
        identity = meta.article_id
    elif importing:
        identity = derived_id(meta.outlet, meta.url or raw.origin.label)
    else:
        identity = article_id(cleaned.text)
    return Article(
        raw.origin,
        meta,
        raw.text,
        cleaned,
        identity,
        version,
        id_given=bool(meta.article_id),
    )


def prepare_all(
    raws: Iterable[RawArticle],
    registry: OutletRegistry,
    *,
    default_outlet: str | None = None,
    failures: Iterable[str] = (),
    action: str = "",
    progress: Progress = no_progress,
    importing: bool = False,
) -> list[Article]:
    """:func:`prepare` every article; if any fail, one :class:`UserError` lists them all.

    ``failures`` are messages of inputs that could not even be read (a malformed file);
    they are reported together with the rest. ``action`` says what did not happen
    (e.g. "nothing was imported").
    """
    problems = list(failures)
    articles = []
    for raw in progress(list(raws), "Cleaning"):
        try:
            articles.append(
                prepare(raw, registry, default_outlet=default_outlet, importing=importing)
            )
        except ArticleProblem as exc:
            problems.append(str(exc))
    if problems:
        raise_problems(problems, action)
    return articles


def raise_problems(problems: list[str], action: str = "") -> None:
    """Raise one :class:`UserError` line listing every problem."""
    flat = [" ".join(p.split()) for p in problems]
    head = "1 input has a problem" if len(flat) == 1 else f"{len(flat)} inputs have problems"
    tail = f" ({action})" if action else ""
    raise UserError(f"{head}{tail}: " + " | ".join(flat))


def split_duplicates(
    articles: Iterable[Article], known: Iterable[Article] = ()
) -> tuple[list[Article], list[Duplicate]]:
    """Keep the first article of each text version; the rest are duplicates.

    ``known`` articles (already in the study) count as first occurrences but are not
    returned; an article whose id one of them already has is a duplicate too (``same="id"``:
    the same input imported again, perhaps with a corrected text -- the stored file is the
    one to edit).
    """
    known = list(known)
    first: dict[str, Article] = {a.text_version: a for a in known}
    taken: dict[str, Article] = {a.article_id: a for a in known}
    unique: list[Article] = []
    duplicates: list[Duplicate] = []
    for article in articles:
        seen = first.get(article.text_version)
        if seen is not None:
            duplicates.append(Duplicate(article, seen))
            continue
        stored = taken.get(article.article_id)
        if stored is not None:
            duplicates.append(Duplicate(article, stored, same="id"))
            continue
        first[article.text_version] = article
        unique.append(article)
    return unique, duplicates


def id_clashes(articles: Iterable[Article]) -> list[str]:
    """One message per id that two articles with different texts share."""
    by_id: dict[str, Article] = {}
    problems = []
    for article in articles:
        other = by_id.setdefault(article.article_id, article)
        if other is not article:
            problems.append(
                f"{article.origin}: article_id {article.article_id!r} is also the id of "
                f"{other.origin}, whose text differs; give one of them another id "
                "('article_id: ...' in the front matter, or an 'id' column)"
            )
    return problems
