"""``tasks/articles/`` + ``tasks/outlets.yaml`` + the schema -> ``tasks/tasks.json``.

The output is Label Studio's task-import format, a JSON list of ``{"data": {...}}``
(docs/CONTRACTS.md; its model is :class:`framestudy.tasks.tasks_file.TasksFile`). Each task carries the cleaned text, the article's stable
``article_id`` and its ``text_version`` (a hash of the cleaned text), outlet and original-source ids, the article's metadata ("unknown" where the
source does not say), its word count, and the schema version and hash it is coded with.
Building twice gives the same file, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framestudy.io import atomic_write_json
from framestudy.study import Study
from framestudy.tasks.articles import Article, Duplicate, Progress, no_progress
from framestudy.tasks.outlets import OutletRegistry, load_outlets
from framestudy.tasks.store import load_articles
from framestudy.tasks.tasks_file import check_tasks


@dataclass(frozen=True)
class SchemaStamp:
    """The schema version and content hash every task records."""

    version: str
    hash: str


def schema_stamp(study: Study) -> SchemaStamp:
    """Version and hash of the study's schema (``schemas/framing.yaml``)."""
    from framestudy.schema import load_schema

    schema = load_schema(study.schema_source)
    return SchemaStamp(str(schema.version), str(schema.hash))


def task_data(article: Article, registry: OutletRegistry, stamp: SchemaStamp) -> dict[str, Any]:
    """The ``data`` of one Label Studio task (keys as in docs/CONTRACTS.md, then extras)."""
    meta = article.meta
    return {
        "text": article.text,
        "article_id": article.article_id,
        "text_version": article.text_version,
        "outlet": meta.outlet,
        "outlet_name": registry[meta.outlet].name,
        "original_source": meta.original_source,
        "title": meta.title,
        "date": meta.date,
        "author": meta.author,
        "language": meta.language,
        "word_count": article.word_count,
        "schema_version": stamp.version,
        "schema_hash": stamp.hash,
        # beyond the contract: provenance a researcher may want next to the codes
        "original_date": meta.original_date,
        "date_note": meta.date_note,
        "kind": meta.kind,
        "translated_from": meta.translated_from,
        "source_file": article.origin.path.name,
    }


@dataclass
class BuildResult:
    """What :func:`build_tasks` produced."""

    path: Path
    tasks: list[dict[str, Any]]
    articles: list[Article]
    duplicates: list[Duplicate] = field(default_factory=list)


def build_tasks(
    study: Study, *, write: bool = True, progress: Progress = no_progress
) -> BuildResult:
    """Build the Label Studio tasks of ``study`` and (``write=True``) write ``tasks.json``.

    Articles are taken in file-name order; a text that occurs twice is built once (the
    duplicates are returned for reporting). Any faulty article file stops the build with one
    :class:`framestudy.errors.UserError` naming every faulty file. With ``write=True``, an
    article file that names no ``article_id`` gets its id written into its front matter
    (see :mod:`.identity`).
    """
    registry = load_outlets(study.outlets)
    articles, duplicates = load_articles(study, registry, progress=progress, write_ids=write)
    stamp = schema_stamp(study)
    tasks = [{"data": task_data(a, registry, stamp)} for a in articles]
    check_tasks(tasks, study.tasks_json)  # what is written is what readers accept
    if write:
        atomic_write_json(study.tasks_json, tasks)
    return BuildResult(study.tasks_json, tasks, articles, duplicates)
