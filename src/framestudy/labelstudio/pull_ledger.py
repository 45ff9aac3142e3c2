"""What the last pull saw: ``.labelstudio/pull-ledger.json``, and the server's change signals.

``framestudy pull`` exports a project again only if Label Studio reports a change in it since
the last pull; otherwise it reuses the raw export that pull saved. The **signals** recorded
with each export (:func:`project_signals`, read just before it):

- from ``GET api/projects/?ids=...`` (:func:`list_projects`: one request for all projects,
  which also confirms they still exist under their titles): the numbers of tasks, submitted
  annotations, skipped annotations, ground-truth annotations and predictions;
- from ``GET api/tasks/`` ordered by ``-tasks:updated_at``, one task: the newest
  ``updated_at`` of the project's tasks. Label Studio 1.23 saves a task's ``updated_at``
  whenever one of its annotations is created, updated (also to a skip) or deleted, and when
  a prediction or the task's data changes -- so an annotation updated in place, which
  changes no count, still moves this time;
- from ``GET api/tasks/`` filtered on ``draft_exists``: the number of tasks with a draft
  (drafts do not touch the task; they are not in the table, but the pull report lists them).

At the next pull a project is unchanged (:func:`unchanged_projects`) when its counts are the
recorded ones and one request -- the tasks that have a draft *or* were updated after the
recorded newest time, newest first -- finds none newer than that time and as many as the
recorded tasks with drafts.

The signals are read *before* the export they are stored with, so a change made while a pull
runs is seen by the next one (the export is then made again; identical bytes are not saved
twice). Changes the signals do not show: a draft edited in place, or a second draft on a
task that has one already (the report's draft list can lag until the project is exported
again), and annotations left without a coder when a user is deleted (``completed_by`` set
to null without touching the task) -- that one is covered here: when a user id the last pull
saw is gone, every project is exported. ``pull --full`` exports everything regardless.

The ledger records, per project, the signals and the raw export they belong to (file under
``annotations/raw/``, SHA-256, size and modification time), and for the tidy table the
digest of everything it was built from (:func:`table_inputs`) with its report, so that a
pull with nothing changed neither exports nor rebuilds anything. A file whose size or
modification time differs from the record is checked by its SHA-256 before it is trusted.
Like the push ledger it is git-ignored and disposable: without it (another server, a fresh
clone, deleted) the next pull exports every project. Its shape is :class:`PullLedgerFile`.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from framestudy.errors import dotted_location, validated
from framestudy.io import atomic_write_text, read_json, sha256_file
from framestudy.labelstudio.client import Connection
from framestudy.study import Study

#: the project counts compared (``api/projects/counts/``, Label Studio 1.23)
COUNTS = (
    "task_number",
    "total_annotations_number",
    "skipped_annotations_number",
    "ground_truth_number",
    "total_predictions_number",
)
_PAGE = 100  # the most projects Label Studio lists per page
_WORKERS = 4  # concurrent signal requests


def ledger_path(study: Study) -> Path:
    return study.labelstudio_dir / "pull-ledger.json"


# -- signals ------------------------------------------------------------------------------


def list_projects(conn: Connection, project_ids: list[int]) -> dict[int, dict[str, Any]]:
    """id -> {"title", and the :data:`COUNTS`} of those of the projects that exist, in one
    request per 100 projects (``GET api/projects/?ids=...``)."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(project_ids), _PAGE):
        chunk = project_ids[start : start + _PAGE]
        answer = conn.raw_request(
            "GET",
            "api/projects/",
            "reading the projects' counts",
            params={
                "ids": ",".join(str(i) for i in chunk),
                "include": ",".join(("id", "title", *COUNTS)),
                "page_size": _PAGE,
            },
        )
        rows = answer.get("results") if isinstance(answer, dict) else None
        for row in rows or []:
            if isinstance(row, dict) and isinstance(row.get("id"), int) and row["id"] in chunk:
                out[row["id"]] = {k: row.get(k) for k in ("title", *COUNTS)}
    return out


_HAS_DRAFT = {
    "filter": "filter:tasks:draft_exists",
    "operator": "equal",
    "type": "Boolean",
    "value": True,
}


def _first_task(conn: Connection, project_id: int, query: dict) -> dict:
    """The answer to a one-task listing of the project's tasks (its ``total`` and
    ``tasks[0]``)."""
    answer = conn.raw_request(
        "GET",
        "api/tasks/",
        f"reading what changed in project {project_id}",
        params={
            "project": project_id,
            "include": "id,updated_at",
            "page_size": 1,
            "query": json.dumps(query),
        },
    )
    return answer if isinstance(answer, dict) else {}


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _task_signals(conn: Connection, project_id: int) -> dict[str, Any]:
    newest = _first_task(conn, project_id, {"ordering": ["-tasks:updated_at"]})
    first = (newest.get("tasks") or [{}])[0]
    drafts = _first_task(conn, project_id, {"filters": {"conjunction": "and", "items": [_HAS_DRAFT]}})
    return {
        "newest_task_update": first.get("updated_at") if isinstance(first, dict) else None,
        "tasks_with_drafts": drafts.get("total"),
    }


def _pooled(fn, items: list) -> list:
    """``[fn(item) for item in items]``, a few at a time (the server answers in threads)."""
    if len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(items))) as pool:
        return list(pool.map(fn, items))


def project_signals(
    conn: Connection, project_ids: list[int], listed: dict[int, dict[str, Any]] | None = None
) -> dict[int, dict[str, Any]]:
    """Per project, the signals to record with a new export (see the module doc): its counts
    (``listed``, from :func:`list_projects`, read here for those missing), the newest
    ``updated_at`` of its tasks and its number of tasks with a draft (two one-task listings).
    A project the server does not list is left out (nothing to compare next time)."""
    listed = dict(listed or {})
    missing = [i for i in project_ids if i not in listed]
    if missing:
        listed.update(list_projects(conn, missing))
    present = [i for i in project_ids if i in listed]
    tasks = _pooled(lambda i: _task_signals(conn, i), present)
    return {
        i: {**{k: listed[i].get(k) for k in COUNTS}, **t}
        for i, t in zip(present, tasks, strict=True)
    }


def unchanged_projects(
    conn: Connection, recorded: dict[int, dict[str, Any]], listed: dict[int, dict[str, Any]]
) -> set[int]:
    """The projects whose recorded signals still hold. ``recorded``: project id -> the
    signals recorded with its last export; ``listed``: :func:`list_projects` now.

    The counts are compared as listed; then one request per project (a few at a time) lists
    the tasks that have a draft *or* were updated after the recorded newest ``updated_at``,
    newest first: the project is unchanged when none of them is newer than that time and
    their number is the recorded number of tasks with drafts."""
    todo = []
    for project_id, signals in recorded.items():
        row = listed.get(project_id)
        if row is None or any(signals.get(k) != row.get(k) for k in COUNTS):
            continue
        if signals.get("newest_task_update") is None:
            if signals.get("task_number") == 0 and signals.get("tasks_with_drafts") == 0:
                todo.append((project_id, signals, None))  # no task then, none now
            continue
        newest = _time(signals["newest_task_update"])
        if newest is not None:
            todo.append((project_id, signals, newest))

    def holds(item: tuple) -> bool:
        project_id, signals, newest = item
        if newest is None:
            return True
        query = {
            "filters": {
                "conjunction": "or",
                "items": [
                    _HAS_DRAFT,
                    {
                        "filter": "filter:tasks:updated_at",
                        "operator": "greater",
                        "type": "Datetime",
                        "value": signals["newest_task_update"],
                    },
                ],
            },
            "ordering": ["-tasks:updated_at"],
        }
        answer = _first_task(conn, project_id, query)
        first = (answer.get("tasks") or [None])[0]
        if isinstance(first, dict):
            seen = _time(first.get("updated_at"))
            if seen is None or seen > newest:
                return False
        return answer.get("total") == signals.get("tasks_with_drafts")

    verdicts = _pooled(holds, todo)
    return {item[0] for item, ok in zip(todo, verdicts, strict=True) if ok}


# -- the ledger ---------------------------------------------------------------------------


class FileRecord(BaseModel):
    """A file as a pull left it: name (in its folder), SHA-256, size, modification time."""

    model_config = ConfigDict(extra="forbid")

    file: StrictStr
    sha256: StrictStr
    bytes: StrictInt
    mtime_ns: StrictInt


class PulledProject(BaseModel):
    """One project at the last pull: its signals and the raw export made for them."""

    model_config = ConfigDict(extra="forbid")

    signals: dict[str, StrictInt | StrictStr | None]
    export: FileRecord


class PulledTable(BaseModel):
    """The tidy table the last pull wrote, the digest of its inputs, and its report."""

    model_config = ConfigDict(extra="forbid")

    inputs: StrictStr
    table: FileRecord
    sources: FileRecord
    report: dict[str, Any]


class PullLedgerFile(BaseModel):
    """``.labelstudio/pull-ledger.json``."""

    model_config = ConfigDict(extra="forbid")

    server: StrictStr
    users: list[StrictInt]
    projects: dict[str, PulledProject]
    table: PulledTable | None = None


def file_record(path: Path, sha256: str | None = None) -> FileRecord:
    stat = path.stat()
    return FileRecord(
        file=path.name,
        sha256=sha256 or sha256_file(path),
        bytes=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )


def _unchanged(path: Path, record: FileRecord) -> bool:
    """Whether ``path`` still holds what ``record`` describes (by size and modification
    time; when those differ, by SHA-256)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != record.bytes:
        return False
    if stat.st_mtime_ns == record.mtime_ns:
        return True
    if sha256_file(path) != record.sha256:
        return False
    record.mtime_ns = stat.st_mtime_ns  # the same bytes (e.g. a fresh checkout): remember
    return True


def table_inputs(
    exports: list[tuple[int, str]], build: dict[str, Any], schema: Path, version: str
) -> str:
    """The digest of everything the tidy table is made from: each project's export (id,
    SHA-256, in order), how they are read (``build``: users, project owners,
    include_foreign), the schema file's bytes and framestudy's version."""
    schema_sha = sha256_file(schema) if schema.is_file() else None
    body = json.dumps(
        {"exports": exports, "build": build, "schema": schema_sha, "version": version},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class PullLedger:
    """``.labelstudio/pull-ledger.json`` for one server (another server's: empty)."""

    def __init__(self, study: Study, server_url: str):
        self.study = study
        self.path = ledger_path(study)
        data = read_json(self.path, "pull ledger")
        ledger = None
        if data is not None:
            ledger = validated(
                PullLedgerFile, data, count_more=True,
                locate=lambda loc: f"{self.path}: {dotted_location(loc)}",
                advice=", or delete the file (the next pull exports every project)",
            )
        if ledger is None or ledger.server != server_url:
            ledger = PullLedgerFile(server=server_url, users=[], projects={})
        self.data = ledger
        self._saved = self._text()

    def _text(self) -> str:
        return json.dumps(self.data.model_dump(), sort_keys=True)

    def users_removed(self, users: dict[int, str]) -> bool:
        """Whether a user the last pull saw is gone (their annotations lost their coder)."""
        return bool(set(self.data.users) - set(users))

    def recorded_signals(self) -> dict[int, dict[str, Any]]:
        """Project id -> the signals recorded with its last export."""
        return {int(k): dict(v.signals) for k, v in self.data.projects.items()}

    def reusable(self, project_id: int, raw_dir: Path) -> Path | None:
        """The raw export of the last pull for this project if the file is still as saved."""
        entry = self.data.projects.get(str(project_id))
        if entry is None:
            return None
        path = Path(raw_dir) / entry.export.file
        return path if _unchanged(path, entry.export) else None

    def record(self, project_id: int, signals: dict | None, export: FileRecord) -> None:
        """The export made for these signals (None: nothing to compare next time)."""
        if signals is None:
            self.data.projects.pop(str(project_id), None)
        else:
            self.data.projects[str(project_id)] = PulledProject(signals=signals, export=export)

    def export_record(self, project_id: int) -> FileRecord | None:
        entry = self.data.projects.get(str(project_id))
        return entry.export if entry is not None else None

    def table_current(self, inputs: str, table: Path, sources: Path) -> dict | None:
        """The report of the table the last pull wrote, if it was built from ``inputs`` and
        neither it nor its sources record changed since; else None."""
        record = self.data.table
        if record is None or record.inputs != inputs:
            return None
        if not (_unchanged(table, record.table) and _unchanged(sources, record.sources)):
            return None
        return record.report

    def set_table(self, inputs: str, table: Path, sources: Path, report: dict) -> None:
        self.data.table = PulledTable(
            inputs=inputs, table=file_record(table), sources=file_record(sources), report=report
        )

    def set_users(self, users: dict[int, str]) -> None:
        self.data.users = sorted(users)

    def forget(self, keep: set[int]) -> None:
        """Drop the projects that are no longer the study's."""
        for key in [k for k in self.data.projects if int(k) not in keep]:
            del self.data.projects[key]

    def save(self) -> None:
        if self._text() == self._saved:
            return
        self.study.labelstudio_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_text(
            self.path, json.dumps(self.data.model_dump(), sort_keys=True) + "\n"
        )
        self._saved = self._text()


__all__ = [
    "COUNTS",
    "FileRecord",
    "PullLedger",
    "PullLedgerFile",
    "file_record",
    "ledger_path",
    "list_projects",
    "project_signals",
    "table_inputs",
    "unchanged_projects",
]
