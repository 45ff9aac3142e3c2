"""``framestudy adjudicate push`` and ``pull``: the coders' disagreements into a review
project where the adjudicator settles them, and the settled values back into the study
(docs/adjudication.md).

**Push** (:func:`push_review`): the articles where the coders of the tidy table
(``annotations/annotations.csv``, as ``pull`` wrote it) disagree on an article-level
variable -- the reliability sample of ``tasks/assignment.csv`` by default, every article
coded by two or more with ``all_articles`` -- ranked by
:func:`framestudy.analysis.variable_agreement.articles_to_adjudicate` (most disagreement
first, the ranking of ``agreement --disagreements``), go to one review project titled by
:func:`framestudy.settings.review_title`, with the coding projects' labeling config and
codebook. It lives in the adjudicator's organisation: created and filled through the
adjudicator's own token on a server that gives each account an organisation of its own
(:mod:`.organizations`), so no coder can open it; through the connection's otherwise. Each
article's task holds the article's data plus ``disagreement`` (its score) and
``disagreeing_variables``, imported in rank order. Each coder's annotation of the article
(its Label Studio result, taken from the raw exports the table was built from:
:func:`framestudy.annotations.review.coder_versions`) becomes a prediction whose
``model_version`` is the coder's pseudonym (:func:`framestudy.settings.pseudonyms`), and
the project's ``model_version`` is left empty, so that the editor, opened on a task from
the Data Manager, shows every version as a tab (and "Compare All") rather than one. Re-running imports only articles not yet in the project and
predictions of versions a task does not hold yet (found as ``model push`` finds them:
:func:`framestudy.labelstudio.predictions.tasks_with_version`).

**Pull** (:func:`pull_review`): the review project's export, saved unchanged in
``annotations/raw/`` by :func:`framestudy.labelstudio.pull.save_raw` (under the pull lock);
the adjudicator's annotations as decisions
(:func:`framestudy.annotations.review.decisions_from_export`), written to
``annotations/adjudicated.csv`` by its one writer
(:func:`framestudy.annotations.adjudicated.write_adjudicated`; the file is left alone when
nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from framestudy import settings
from framestudy.errors import UserError
from framestudy.io import read_input_text, sha256_file
from framestudy.labelstudio import remote
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.organizations import coder_connections
from framestudy.labelstudio.predictions import tasks_with_version
from framestudy.labelstudio.projects import ProjectSpec, ensure_project, locate
from framestudy.settings import ProjectRecord
from framestudy.study import Study


@dataclass
class ReviewPush:
    """What ``adjudicate push`` did."""

    adjudicator: str
    scope: str  # "the reliability sample" or "all multi-coded articles"
    ranking: pd.DataFrame  # articles_to_adjudicate's rows
    project: ProjectRecord | None = None  # None: nothing to adjudicate, nothing created
    created: bool = False
    own_organization: bool = False  # reached through the adjudicator's own token
    imported: int = 0
    already: int = 0  # articles already in the project
    predictions: int = 0
    predictions_already: int = 0
    versions: dict[str, str] = field(default_factory=dict)  # coder -> pseudonym


@dataclass
class ReviewPull:
    """What ``adjudicate pull`` did."""

    adjudicator: str
    project: ProjectRecord
    export: Path
    new_export: bool
    path: Path
    written: bool  # False: adjudicated.csv already held these decisions
    decisions: pd.DataFrame
    again: dict[str, int]  # article -> times adjudicated, for those adjudicated twice or more
    others: int  # annotations by someone other than an adjudicator (ignored)
    articles: int = 0


def review_connection(study: Study, conn: Connection) -> tuple[str, Connection]:
    """(the adjudicator who owns the review project -- the first in study.yaml --, the
    connection acting in their organisation); UserError when study.yaml names none."""
    from framestudy.labelstudio.accounts import users_by_id

    judge = settings.review_owner(study)
    via = coder_connections(study, conn, [judge])[judge]
    if via is conn and judge not in users_by_id(conn).values():
        raise UserError(
            f"the adjudicator {judge} has no account in the organisation of {conn.url} and "
            "framestudy holds no token of theirs, so a review project there would be out of "
            f"their reach -- run `framestudy coders add --adjudicator {judge}`"
        )
    return judge, via


def _table(study: Study) -> pd.DataFrame:
    from framestudy.annotations import read_tidy

    if not study.annotations_csv.is_file():
        raise UserError(f"{study.annotations_csv}: no annotation table -- run `framestudy pull` "
                        "first")
    return read_tidy(study.annotations_csv)


def _coding_exports(study: Study) -> list[dict]:
    """The tasks of the raw exports the table was built from (its sources record)."""
    from framestudy.annotations import read_export
    from framestudy.annotations.table import read_sources

    sources = read_sources(study.annotations_csv)
    if sources is None:
        raise UserError(
            f"{study.annotations_csv}: has no sources record (annotations.sources.json), so the "
            "coders' annotations cannot be found in annotations/raw/ -- run `framestudy pull`"
        )
    tasks: list[dict] = []
    folder = study.annotations_csv.parent
    for source in sources.exports:
        path = Path(source.file) if Path(source.file).is_absolute() else folder / source.file
        if not path.is_file() or sha256_file(path) != source.sha256:
            raise UserError(f"{path}: missing or changed since the table was built from it -- "
                            "restore it from git, or run `framestudy pull`")
        tasks.extend(read_export(path))
    return tasks


def _spec(study: Study, adjudicator: str) -> ProjectSpec:
    name = settings.study_name(study)
    return ProjectSpec(
        coder=adjudicator,
        title=settings.review_title(name),
        label_config=read_input_text(study.labeling_config, "labeling config",
                                     "run `framestudy schema build`"),
        instruction=read_input_text(study.codebook_html, "codebook",
                                    "run `framestudy schema build`"),
        maximum_annotations=1,
        description=(
            f"framestudy study {name}: review project of the adjudicator {adjudicator}. "
            "Each coder's version is a prediction named by the coder's pseudonym; save the "
            "final coding as your annotation."
        ),
        settings={"show_collab_predictions": True},
    )


def push_review(study: Study, connect: Callable[[], Connection], *,
                all_articles: bool = False) -> ReviewPush:
    """Create or fill the review project (see the module docstring). ``connect()`` gives
    the connection; it is called only when there is something to adjudicate (no
    disagreement: nothing is asked of the server, nothing created)."""
    from framestudy.analysis.runs import input_errors
    from framestudy.analysis.variable_agreement import articles_to_adjudicate
    from framestudy.annotations.review import coder_versions
    from framestudy.labelstudio.push import (
        import_batch,
        load_tasks,
        reliability_articles,
        task_payload,
    )
    from framestudy.schema.registry_file import read_registry
    from framestudy.task_meta import task_meta

    adjudicator = settings.review_owner(study)
    registry = read_registry(study.registry)
    table = _table(study)
    scope = "all multi-coded articles"
    chosen = None
    if not all_articles:
        chosen = reliability_articles(study.assignment)
        if chosen is None:
            raise UserError(f"{study.assignment}: no reliability sample recorded (push writes "
                            "it) -- run `framestudy push`, or adjudicate every multi-coded "
                            "article with --all")
        scope = "the reliability sample"
    with input_errors(f"{study.annotations_csv} with {study.registry}"):
        ranking = articles_to_adjudicate(table, registry, chosen)
    outcome = ReviewPush(adjudicator, scope, ranking)
    if ranking.empty:
        return outcome
    names = settings.pseudonyms(table["coder"].dropna().astype(str))
    outcome.versions = names
    tasks = {str(t["data"]["article_id"]): t for t in load_tasks(study.tasks_json)}
    gone = [a for a in ranking["article_id"] if a not in tasks]
    if gone:
        raise UserError(f"{study.tasks_json}: has no task for article {gone[0]}, which coders "
                        "annotated -- run `framestudy tasks build`")
    versions = coder_versions(_coding_exports(study), table)

    conn = connect()
    adjudicator, via = review_connection(study, conn)
    spec = _spec(study, adjudicator)
    ensured = ensure_project(via, spec, None)
    pid = ensured.record.id
    outcome.project, outcome.created = ensured.record, ensured.created
    outcome.own_organization = via is not conn

    present = {t.article_id: t for t in remote.list_tasks(via, pid) if t.article_id}
    missing = []
    for row in ranking.itertuples(index=False):
        if row.article_id in present:
            continue
        task = tasks[row.article_id]
        data = {**task["data"], "disagreement": round(float(row.disagreement), 3),
                "disagreeing_variables": row.variables}
        missing.append(task_payload({**task, "data": data}, task_meta(data)))
    outcome.already = len(ranking) - len(missing)
    for first in range(0, len(missing), 500):
        for made in import_batch(via, pid, missing[first:first + 500]):
            present[made.article_id] = made
    outcome.imported = len(missing)

    wanted = [a for a in ranking["article_id"] if a in present]
    request = []
    for coder, version in sorted(names.items(), key=lambda kv: kv[1]):
        holding = tasks_with_version(via, pid, version)
        for article in wanted:
            result = versions.get(article, {}).get(coder)
            if not result:
                continue
            task_id = present[article].id
            if task_id in holding:
                outcome.predictions_already += 1
            else:
                request.append({"task": task_id, "result": result, "model_version": version})
    if request:
        via.call(
            f"importing {len(request)} coders' versions into review project {pid}",
            via.sdk.projects.import_predictions,
            id=pid, request=request, request_options={"max_retries": 0},
        )
    outcome.predictions = len(request)
    _show_every_version(via, pid)
    return outcome


def _show_every_version(via: Connection, pid: int) -> None:
    """Leave the project's ``model_version`` empty: Label Studio then sends every
    prediction of a task to the editor opened from the Data Manager, where a set version
    would filter them to that one coder's (importing predictions sets it when it is
    empty)."""
    project = via.call_json(
        f"reading review project {pid}", via.sdk.projects.with_raw_response.get, pid,
        request_options={"additional_query_parameters": {"include": "id,model_version"}},
    ) or {}
    if project.get("model_version"):
        via.call(f"showing every coder's version in review project {pid}",
                 via.sdk.projects.update, id=pid, model_version="")


def pull_review(study: Study, conn: Connection, *, export_timeout: float | None = None
                ) -> ReviewPull:
    """Export the review project and write the decisions (see the module docstring)."""
    from framestudy.annotations import read_export
    from framestudy.annotations.adjudicated import read_adjudicated, write_adjudicated
    from framestudy.annotations.review import decisions_from_export
    from framestudy.labelstudio.accounts import users_by_id
    from framestudy.labelstudio.pull import EXPORT_TIMEOUT, export_project, pull_lock, save_raw
    from framestudy.schema import load_schema

    adjudicator, via = review_connection(study, conn)
    title = settings.review_title(settings.study_name(study))
    pid = locate(via, adjudicator, title, None)
    if pid is None:
        raise UserError(f"no review project {title!r} on {conn.url} -- run `framestudy "
                        "adjudicate push` first")
    record = ProjectRecord(adjudicator, pid, title)
    schema = load_schema(study.schema_source)
    with pull_lock(study):
        content = export_project(via, pid, export_timeout or EXPORT_TIMEOUT)
        saved = save_raw(study, conn, record, content, datetime.now(UTC))
    users: dict[int, Any] = dict(users_by_id(conn))
    if via is not conn:
        users.update(users_by_id(via))
    frame, notes = decisions_from_export(read_export(saved.path), schema, users=users,
                                         adjudicators=settings.adjudicators(study))
    path = study.adjudicated_csv
    before = read_adjudicated(path) if path.is_file() else None
    written = before is None or not before.equals(frame)
    if written:
        write_adjudicated(frame, path)
    return ReviewPull(adjudicator, record, saved.path, saved.new, path, written, frame,
                      notes["again"], notes["others"],
                      articles=int(frame["article_id"].nunique()))
