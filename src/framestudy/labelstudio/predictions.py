"""Model suggestions into the study's Label Studio projects, as predictions
(pre-annotations), without duplicates.

Label Studio keeps a model's answers for a task as a *prediction*, tagged with a
``model_version``; the labeling screen shows the predictions of the project's chosen
``model_version`` as a pre-filled annotation that the coder corrects and submits
(Label Studio docs, "Import pre-annotated data"; the project setting "Use predictions to
pre-label tasks" is ``show_collab_predictions``). :func:`push_predictions`:

1. lists each of the study's projects' tasks (id, article, how many annotations:
   :func:`framestudy.labelstudio.remote.list_tasks`) and those that hold a prediction of
   this model version (:func:`tasks_with_version`);
2. picks the tasks nobody has annotated or skipped yet and that hold no prediction of this
   ``model_version`` -- a task that has one is **skipped**, never given a second (a later
   model, with another version, adds its own) -- and only then asks the model for their
   articles' suggestions;
3. imports the new predictions in batches (``projects.import_predictions``, one request
   per batch, not retried blindly: a batch that failed is found missing by the next push);
4. makes the model version the project's pre-annotation (``projects.update`` with
   ``model_version`` and ``show_collab_predictions``).

A coder's project in an organisation of their own (the server framestudy starts gives each
coder one) is read and filled through the coder's own token, as ``pull`` and ``status``
reach it (:mod:`framestudy.labelstudio.organizations`). All calls are label-studio-sdk's
public ones, through :meth:`framestudy.labelstudio.client.Connection.call` (one-line errors).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from framestudy import settings
from framestudy.labelstudio import remote
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.organizations import coder_connections, project_connections
from framestudy.labelstudio.projects import study_projects
from framestudy.study import Study

BATCH_SIZE = 2000  # predictions per import request

Progress = Callable[[int, int], None]  # (predictions imported so far, to import)


@dataclass
class ProjectPredictions:
    """What the push did in one project."""

    coder: str
    project_id: int
    title: str
    tasks: int = 0
    annotated: int = 0  # tasks with an annotation or a skip: not given a suggestion
    held_back: int = 0  # tasks of articles kept free of suggestions (reliability sample)
    no_suggestion: int = 0  # articles for which the model has no answer
    existing: int = 0  # tasks that already hold a prediction of this model version
    pushed: int = 0


@dataclass
class PredictionPush:
    """The result: the model version, per project what happened, and the tasks given a
    prediction now (``article_id, coder, project_id, task_id``)."""

    model_version: str
    projects: list[ProjectPredictions]
    pushed: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_pushed(self) -> int:
        return sum(p.pushed for p in self.projects)

    @property
    def n_existing(self) -> int:
        return sum(p.existing for p in self.projects)


def tasks_with_version(conn: Connection, project_id: int, model_version: str) -> set[int]:
    """The ids of the project's tasks that hold a prediction of ``model_version``.

    One listing of the project's tasks filtered, as the Data Manager filters them, on the
    predictions' model versions (``predictions_model_versions`` contains the version): a
    few bytes per matching task, where ``predictions.list`` sends every prediction's
    result. Each task listed is checked: its versions (the Data Manager's column, cut at
    500 characters) must include ``model_version`` exactly; where the column is empty or
    may have been cut although the task has predictions, the task's own predictions are
    read (``predictions.list``), so that neither a substring match nor a server that
    ignores the filter can make a task count wrongly."""
    query = {"filters": {"conjunction": "and", "items": [{
        "filter": "filter:tasks:predictions_model_versions", "operator": "contains",
        "type": "List", "value": [model_version]}]}}
    out: set[int] = set()
    for item in remote.iterate_tasks(conn, project_id,
                                     "id,total_predictions,predictions_model_versions",
                                     extra={"query": json.dumps(query)}):
        if not item.get("total_predictions"):
            continue
        raw = item.get("predictions_model_versions") or ""
        versions = ({str(v) for v in raw} if isinstance(raw, list) else
                    {v.strip() for v in str(raw).split(",") if v.strip()})
        if model_version not in versions and (not raw or len(str(raw)) >= _CUT):
            versions = _versions_of_task(conn, int(item["id"]))
        if model_version in versions:
            out.add(int(item["id"]))
    return out


_CUT = 480  # Label Studio cuts the column at 500 characters


def _tasks(conn: Connection, project_id: int) -> tuple[list[remote.RemoteTask], bool]:
    """The project's tasks (id, article, annotations), as
    :func:`framestudy.labelstudio.remote.list_tasks` gives them, and whether any task
    holds a prediction (when none does, the listing of this version's tasks is skipped)."""
    items = list(remote.iterate_tasks(
        conn, project_id, "id,meta,total_annotations,cancelled_annotations,total_predictions"))
    tasks = []
    for item in items:
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        article_id = meta.get("article_id")
        if article_id in (None, ""):  # a task framestudy did not import: the full listing
            return remote.list_tasks(conn, project_id), True
        tasks.append(remote.RemoteTask(
            id=int(item["id"]), article_id=str(article_id), text_sha=meta.get("text_sha256"),
            data_sha=meta.get("data_sha256"),
            annotations=int(item.get("total_annotations") or 0)
            + int(item.get("cancelled_annotations") or 0)))
    return tasks, any(int(item.get("total_predictions") or 0) for item in items)


def _versions_of_task(conn: Connection, task_id: int) -> set[str]:
    items = conn.call_json(
        f"listing the predictions of task {task_id}",
        conn.sdk.predictions.with_raw_response.list,
        task=task_id,
    ) or []
    return {str(item.get("model_version") or "") for item in items}


def push_predictions(
    study: Study,
    conn: Connection,
    suggest: Callable[[list[str]], Mapping[str, tuple[list[dict], float | None]]],
    model_version: str,
    *,
    hold_back: frozenset[str] | set[str] = frozenset(),
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> PredictionPush:
    """Push the model's suggestions as predictions of ``model_version`` to the not yet
    annotated tasks of the study's projects (see the module docstring). ``suggest(ids)``
    gives ``{article_id: (result list, score)}`` for the articles that need a prediction
    (called once, after every project was listed, so that nothing is computed for tasks
    that are coded or already hold one); ``hold_back``: articles that get none (the
    reliability sample, so that coders' agreement stays independent of the model)."""
    conns = coder_connections(study, conn, settings.coders(study))
    _, _, records = study_projects(study, conn, conns=conns)
    plans = []
    reach: dict[int, Connection] = {}
    for record, via in project_connections(records, conns, conn):
        reach[record.id] = via
        outcome = ProjectPredictions(record.coder, record.id, record.title)
        tasks, any_prediction = _tasks(via, record.id)
        existing = (tasks_with_version(via, record.id, model_version) if any_prediction
                    else set())
        todo = []
        outcome.tasks = len(tasks)
        for task in tasks:
            if task.annotations:
                outcome.annotated += 1
            elif task.article_id in hold_back:
                outcome.held_back += 1
            elif task.id in existing:
                outcome.existing += 1
            else:
                todo.append(task)
        plans.append((outcome, todo, bool(outcome.existing)))
    needed = sorted({t.article_id for _, todo, _ in plans for t in todo if t.article_id})
    results = suggest(needed) if needed else {}
    for outcome, todo, _ in plans:
        kept = [t for t in todo if results.get(t.article_id, ([], None))[0]]
        outcome.no_suggestion = len(todo) - len(kept)
        todo[:] = kept
    total = sum(len(todo) for _, todo, _ in plans)
    done = 0
    if progress:
        progress(0, total)
    pushed = []
    for outcome, todo, had_version in plans:
        pid = outcome.project_id
        via = reach[pid]
        for first in range(0, len(todo), max(batch_size, 1)):
            batch = todo[first:first + max(batch_size, 1)]
            request = []
            for task in batch:
                result, score = results[task.article_id]
                item = {"task": task.id, "result": result, "model_version": model_version}
                if score is not None:
                    item["score"] = score
                request.append(item)
            via.call(
                f"importing {len(request)} predictions into project {pid}",
                via.sdk.projects.import_predictions,
                id=pid,
                request=request,
                request_options={"max_retries": 0},
            )
            outcome.pushed += len(batch)
            pushed += [(t.article_id, outcome.coder, pid, t.id) for t in batch]
            done += len(batch)
            if progress:
                progress(done, total)
        if outcome.pushed or had_version:
            via.call(
                f"making {model_version} the pre-annotation of project {pid}",
                via.sdk.projects.update,
                id=pid,
                model_version=model_version,
                show_collab_predictions=True,
            )
    frame = pd.DataFrame(pushed, columns=["article_id", "coder", "project_id", "task_id"])
    return PredictionPush(model_version, [p for p, _, _ in plans], frame)
