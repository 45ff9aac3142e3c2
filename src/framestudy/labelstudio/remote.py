"""What a project holds on the server, fetched fast, and the push ledger.

framestudy stores in each task's ``meta`` the article id and SHA-256 digests of the
article's text and of its whole ``data`` (:mod:`framestudy.task_meta`; ``meta`` is not shown
to annotators). Listing a
project then asks Label Studio for ``id,meta`` and the annotation counters only -- not the
article texts -- which takes ~0.25 ms per task instead of seconds per thousand. Tasks
imported by something else (no ``meta.article_id``) are matched on ``data.article_id``.

The **ledger** (``.labelstudio/push-ledger.json``, git-ignored) records, after each
complete push, every task id and digest of each project. A later push trusts it only if the
project still holds exactly those tasks: the same number of tasks and the same highest task
id (task ids only grow, so any task added since would have a higher id, and any task
deleted would lower the count). Then a push with nothing changed needs two tiny requests
per project instead of a full listing. Its shape is :class:`LedgerFile`; a damaged ledger is
one line naming the file and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from framestudy.errors import dotted_location, validated
from framestudy.io import atomic_write_text, read_json
from framestudy.labelstudio.client import Connection
from framestudy.study import Study
from framestudy.task_meta import data_digest, text_digest

PAGE_SIZE = 2000


@dataclass
class RemoteTask:
    """A task on the server, as far as push and status need it."""

    id: int
    article_id: str | None
    text_sha: str | None
    data_sha: str | None
    annotations: int | None = None  # submitted + skipped; None if not fetched

    def to_ledger(self) -> list:
        return [self.id, self.text_sha, self.data_sha]


def _from_item(item: dict) -> RemoteTask:
    meta = item.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {}
    counts = None
    if "total_annotations" in item or "cancelled_annotations" in item:
        counts = int(item.get("total_annotations") or 0) + int(
            item.get("cancelled_annotations") or 0
        )
    article_id = meta.get("article_id")
    return RemoteTask(
        id=int(item["id"]),
        article_id=str(article_id) if article_id not in (None, "") else None,
        text_sha=meta.get("text_sha256"),
        data_sha=meta.get("data_sha256"),
        annotations=counts,
    )


def iterate_tasks(
    conn: Connection,
    project_id: int,
    include: str,
    *,
    extra: dict[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
):
    """Every task of a project with only the ``include`` fields (raw dicts, page by page)."""
    seen = 0
    page = 1
    while True:
        data = conn.raw_request(
            "GET",
            "api/tasks/",
            f"listing the tasks of project {project_id}",
            params={
                "project": project_id,
                "include": include,
                "page": page,
                "page_size": page_size,
                **(extra or {}),
            },
            missing_ok=page > 1,  # Label Studio answers 404 for a page past the end
        )
        if data is None:
            return
        tasks = data.get("tasks", []) if isinstance(data, dict) else []
        yield from tasks
        seen += len(tasks)
        total = data.get("total", 0) if isinstance(data, dict) else 0
        if not tasks or seen >= total:
            return
        page += 1


def list_tasks(conn: Connection, project_id: int) -> list[RemoteTask]:
    """Every task of the project with its article id, digests and annotation count."""
    tasks = [
        _from_item(item)
        for item in iterate_tasks(
            conn, project_id, "id,meta,total_annotations,cancelled_annotations"
        )
    ]
    unknown = [t for t in tasks if t.article_id is None]
    if unknown:
        # Tasks not imported by framestudy: read their data to match on data.article_id.
        by_id = {t.id: t for t in unknown}
        for item in iterate_tasks(conn, project_id, "id,data"):
            task = by_id.get(int(item["id"]))
            data = item.get("data") or {}
            if task is None or not isinstance(data, dict):
                continue
            if data.get("article_id") not in (None, ""):
                task.article_id = str(data["article_id"])
                task.text_sha = text_digest(data.get("text", ""))
                task.data_sha = data_digest(data)
    return tasks


def fingerprint(conn: Connection, project_id: int) -> tuple[int, int]:
    """(number of tasks, highest task id) of a project, in one small request."""
    data = conn.raw_request(
        "GET",
        "api/tasks/",
        f"counting the tasks of project {project_id}",
        params={
            "project": project_id,
            "include": "id",
            "page_size": 1,
            "query": json.dumps({"ordering": ["-tasks:id"]}),
        },
    )
    tasks = data.get("tasks") or []
    return int(data.get("total", 0)), (int(tasks[0]["id"]) if tasks else 0)


def annotation_counts(conn: Connection, task_ids: list[int]) -> dict[int, int]:
    """Submitted + skipped annotations of each task (one request per task)."""
    out = {}
    for task_id in task_ids:
        item = conn.call_json(
            f"reading task {task_id}", conn.sdk.tasks.with_raw_response.get, id=str(task_id)
        )
        out[task_id] = int(item.get("total_annotations") or 0) + int(
            item.get("cancelled_annotations") or 0
        )
    return out


# -- the ledger ---------------------------------------------------------------------------


def ledger_path(study: Study) -> Path:
    return study.labelstudio_dir / "push-ledger.json"


class LedgerProject(BaseModel):
    """One project in the ledger: its tasks, and what the server made of its settings."""

    model_config = ConfigDict(extra="forbid")

    #: article id -> [task id, text digest, data digest], after the last complete push
    tasks: dict[str, tuple[StrictInt, StrictStr | None, StrictStr | None]] | None = None
    #: ids of the project's tasks of no article
    other: list[StrictInt] = []
    #: field -> [digest of what push sent, digest of what the server stored]
    settings: dict[str, tuple[StrictStr, StrictStr]] = {}


class LedgerFile(BaseModel):
    """``.labelstudio/push-ledger.json``: the server it describes, and project id -> record."""

    model_config = ConfigDict(extra="forbid")

    server: StrictStr
    projects: dict[str, LedgerProject]


def read_ledger(path: Path) -> dict:
    """The ledger file as checked by :class:`LedgerFile` ({} if there is none)."""
    data = read_json(path, "push ledger")
    if data is None:
        return {}
    validated(
        LedgerFile, data, count_more=True, locate=lambda loc: f"{path}: {dotted_location(loc)}",
        advice=", or delete the file (the next push lists the projects instead)",
    )
    return data


class Ledger:
    """``.labelstudio/push-ledger.json``: per project, its tasks and settings digests.

    Entries are kept per server URL (another server: an empty ledger). :meth:`save` writes
    the file once, compactly, and only if something changed.
    """

    def __init__(self, study: Study, server_url: str):
        self.study = study
        self.server = server_url
        data = read_ledger(ledger_path(study))
        self.projects: dict[str, dict] = (
            data["projects"] if data and data["server"] == server_url else {}
        )
        self._saved = json.dumps(self.projects, sort_keys=True)

    def tasks(self, project_id: int) -> list[RemoteTask] | None:
        """The recorded tasks of a project (None if none were recorded)."""
        entry = self.projects.get(str(project_id))
        if entry is None or entry.get("tasks") is None:
            return None
        return [
            RemoteTask(id=int(row[0]), article_id=article_id, text_sha=row[1], data_sha=row[2])
            for article_id, row in entry["tasks"].items()
        ] + [
            RemoteTask(id=int(i), article_id=None, text_sha=None, data_sha=None)
            for i in entry.get("other", [])
        ]

    def set_tasks(self, project_id: int, tasks: list[RemoteTask]) -> None:
        entry = self.projects.setdefault(str(project_id), {})
        entry["tasks"] = {t.article_id: t.to_ledger() for t in tasks if t.article_id is not None}
        entry["other"] = sorted(t.id for t in tasks if t.article_id is None)

    def forget_tasks(self, project_id: int) -> None:
        """Drop a project's task record (before changing its tasks: a crash leaves no lie)."""
        entry = self.projects.get(str(project_id))
        if entry is not None and entry.pop("tasks", None) is not None:
            entry.pop("other", None)
            self.save()

    def settings(self, project_id: int) -> dict[str, list[str]]:
        """What the server made of the project settings we last sent."""
        entry = self.projects.get(str(project_id)) or {}
        return dict(entry.get("settings") or {})

    def set_settings(self, project_id: int, memo: dict[str, list[str]]) -> None:
        self.projects.setdefault(str(project_id), {})["settings"] = memo

    def save(self) -> None:
        text = json.dumps(self.projects, sort_keys=True)
        if text == self._saved:
            return
        self.study.labelstudio_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = ledger_path(self.study)
        body = json.dumps({"server": self.server, "projects": self.projects}, sort_keys=True)
        atomic_write_text(path, body + "\n")
        self._saved = text

    def trusted_tasks(self, conn: Connection, project_id: int) -> list[RemoteTask] | None:
        """The recorded tasks if the project provably still holds exactly them."""
        tasks = self.tasks(project_id)
        if tasks is None:
            return None
        ids = [t.id for t in tasks]
        if len(set(ids)) != len(ids):
            return None
        count, highest = fingerprint(conn, project_id)
        if count != len(ids) or highest != (max(ids) if ids else 0):
            return None
        return tasks
