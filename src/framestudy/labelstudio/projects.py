"""The study's Label Studio projects: finding, creating, updating them, and listing the
study's projects on a server (:func:`study_projects`, for ``status`` and ``pull``).

Each project's title is :func:`framestudy.settings.project_title` (one project per coder in
the blind design, one shared project otherwise). Projects are found by the id recorded in
``study.yaml`` (if it still exists and has the expected title), else by title, else created.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.submit import is_transient
from framestudy.settings import SHARED, ProjectRecord, project_title
from framestudy.study import Study


@dataclass(frozen=True)
class ProjectSpec:
    """What a study's project must look like."""

    coder: str
    title: str
    label_config: str
    instruction: str
    maximum_annotations: int
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "label_config": self.label_config,
            "expert_instruction": self.instruction,
            # the codebook on demand (the Instructions button), not over every task
            "show_instruction": False,
            "show_skip_button": True,
            "show_annotation_history": False,
            # show_collab_predictions (predictions as the pre-filled annotation) is left to
            # `framestudy model push`, which turns it on with its model version: were push
            # to set it false, Label Studio would also clear the project's model version
            "maximum_annotations": self.maximum_annotations,
            **self.settings,
        }


@dataclass(frozen=True)
class EnsuredProject:
    record: ProjectRecord
    created: bool
    updated: tuple[str, ...]


# What framestudy reads of a project (asking only for these skips the server's counters).
_FIELDS = (
    "id,title,description,label_config,expert_instruction,show_instruction,show_skip_button,"
    "show_annotation_history,show_collab_predictions,maximum_annotations"
)


def _get(conn: Connection, project_id: int) -> dict | None:
    """The project's settings as a dict, None if it does not exist."""
    return conn.call_json(
        f"reading project {project_id}",
        conn.sdk.projects.with_raw_response.get,
        project_id,
        request_options={"additional_query_parameters": {"include": _FIELDS}},
        missing_ok=True,
    )


def find_by_title(conn: Connection, title: str) -> list[dict]:
    """Projects whose title is exactly ``title`` (oldest first)."""
    found = []
    page = 1
    while True:
        # One page at a time: the SDK's pager asks for the page after the last one, which
        # Label Studio answers with 404.
        listed = conn.call(
            f"looking for the project {title!r}",
            conn.sdk.projects.list,
            title=title,
            page=page,
            page_size=100,
            include="id,title",
        )
        results = listed.items or []
        found += [{"id": int(p.id), "title": p.title} for p in results if p.title == title]
        if not listed.response or not listed.response.next or not results:
            break
        page += 1
    return sorted(found, key=lambda p: p["id"])


def _locate(conn: Connection, title: str, recorded: ProjectRecord | None) -> dict | None:
    """The existing project titled ``title`` (the recorded id first), None if there is none."""
    if recorded is not None:
        project = _get(conn, recorded.id)
        if project is not None and project.get("title") == title:
            return project
    matches = find_by_title(conn, title)
    return _get(conn, matches[0]["id"]) if matches else None


def locate(conn: Connection, coder: str, title: str, recorded: ProjectRecord | None) -> int | None:
    """The id of the existing project for ``coder``, None if there is none."""
    project = _locate(conn, title, recorded)
    return int(project["id"]) if project else None


# Fields Label Studio stores in a normalised form (the XML without its trailing newline, the
# instructions HTML sanitised): equality is judged on what the server made of what we sent.
NORMALISED = ("label_config", "expert_instruction", "description")


def _digest(value: Any) -> str:
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:16]


def ensure_project(
    conn: Connection,
    spec: ProjectSpec,
    recorded: ProjectRecord | None,
    memo: dict[str, list[str]] | None = None,
) -> EnsuredProject:
    """Find or create the project of ``spec``; bring its settings up to date.

    ``memo`` (field -> [digest of what we sent, digest of what the server stored]) lets a
    normalised field count as unchanged; it is updated in place after a change.
    """
    memo = {} if memo is None else memo
    current = _locate(conn, spec.title, recorded)
    wanted = spec.fields()
    if current is None:
        project_id, created_now = _create(conn, spec.title, wanted), True
        changed: dict[str, Any] = wanted
    else:
        created_now = False
        project_id = int(current["id"])
        changed = {k: v for k, v in wanted.items() if not _same(k, v, current.get(k), memo)}
        if changed:
            conn.call(
                f"updating the settings of project {project_id} ({', '.join(sorted(changed))})",
                conn.sdk.projects.update,
                id=project_id,
                **changed,
            )
    if any(k in changed for k in NORMALISED):
        stored = _get(conn, project_id) or {}
        for k in NORMALISED:
            memo[k] = [_digest(wanted[k]), _digest(stored.get(k))]
    updated = () if created_now else tuple(sorted(changed))
    return EnsuredProject(ProjectRecord(spec.coder, project_id, spec.title), created_now, updated)


CREATE_ATTEMPTS = 3


def _create(conn: Connection, title: str, wanted: dict[str, Any]) -> int:
    """Create the project; its id.

    Without the SDK's back-off, which would post again after a lost answer and leave two
    projects with one title (the first one empty, in every coder's project list): after a
    failure whose outcome is unknown, the title is looked up first, and only a project that
    is not there is created again.
    """
    what = f"creating the project {title!r}"
    for attempt in range(CREATE_ATTEMPTS):
        try:
            created = conn.sdk.projects.create(**wanted, request_options={"max_retries": 0})
            return int(created.id)
        except Exception as exc:
            if not is_transient(exc) or attempt == CREATE_ATTEMPTS - 1:
                error = conn.translate(exc, what)
                if error is None:
                    raise
                raise error from exc
        time.sleep(min(2.0**attempt, 10.0))
        found = find_by_title(conn, title)
        if found:
            return int(found[0]["id"])
    raise AssertionError("unreachable")  # pragma: no cover


def _same(key: str, wanted: Any, current: Any, memo: dict[str, list[str]]) -> bool:
    if wanted == current:
        return True
    if key in NORMALISED and key in memo:
        return memo[key] == [_digest(wanted), _digest(current)]
    return False


def existing_projects(
    conn: Connection,
    records: list[ProjectRecord],
    titles: dict[str, str],
    known: Mapping[int, str] | None = None,
    conns: dict[str, Connection] | None = None,
) -> list[ProjectRecord]:
    """The study's projects on the server: recorded ones that still exist, else by title.

    ``titles``: coder -> expected title. A coder without a project is left out. ``known``:
    id -> title of projects already read from the server (a recorded project found there
    under its title needs no further request). ``conns``: coder -> the connection that sees
    the coder's organisation (default ``conn``).
    """
    by_coder = {r.coder: r for r in records}
    out = []
    for coder, title in titles.items():
        recorded = by_coder.get(coder)
        if known is not None and recorded is not None and known.get(recorded.id) == title:
            out.append(ProjectRecord(coder, recorded.id, title))
            continue
        project_id = locate((conns or {}).get(coder, conn), coder, title, recorded)
        if project_id is not None:
            out.append(ProjectRecord(coder, project_id, title))
    return out


def study_projects(
    study: Study,
    conn: Connection,
    known: Mapping[int, str] | None = None,
    conns: dict[str, Connection] | None = None,
):
    """(design, coders, [ProjectRecord]) of the study on this server; UserError if none.
    ``known``, ``conns``: as for :func:`existing_projects` (``conns`` from
    :func:`framestudy.labelstudio.organizations.coder_connections`)."""
    coders = settings.coders(study)
    chosen = settings.design(study).design or settings.DEFAULT_DESIGN
    name = settings.study_name(study)
    owners = coders if chosen == "blind" else [SHARED]
    titles = {c: project_title(name, c) for c in owners}
    found = existing_projects(
        conn, settings.projects(study, conn.url), titles, known=known, conns=conns
    )
    if not found:
        raise UserError(f"no project of this study on {conn.url} -- run `framestudy push` first")
    return chosen, coders, found
