"""``framestudy annotations upload``: annotations from Label Studio JSON exports -> the
study's Label Studio, each through its coder's own account.

The way to move a study to another server, to restore one, and how coding sheets
(:mod:`framestudy.annotations.sheets`) are entered. In two steps:

1. :func:`collect` reads the exports and decides, for every annotation, who its coder is
   and whether it is to be uploaded (:class:`Pending`), or why not (:class:`Outcome`):

   - the coder: ``completed_by`` as an object with an ``email`` (files made by
     ``framestudy annotations sheet``, Enterprise exports); else its user id, named by the
     user list given (``--users``), else -- for the study's own raw exports, those listed in
     ``annotations/annotations.sources.json`` -- by the users recorded there
     (``build.users``); else, in a blind project's export (its ``coder`` in
     ``annotations/raw/manifest.json``) whose annotations are all by one user, by the
     project's coder. An annotation whose coder cannot be told, or whose user was deleted
     (``completed_by`` null), is reported, not uploaded;
   - an annotation made in another coder's blind project (a breach of the design, which
     ``pull`` keeps out of the table) is not uploaded;
   - one coder, one article, several annotations: the one the tidy table uses (the latest
     submitted; a skip only if there is no submission) is uploaded, the others reported as
     superseded. Skips are uploaded as skips; drafts are not uploaded.

2. :func:`upload` puts each pending annotation on the task of its article (matched by
   ``article_id``, never by task id: ids differ between servers) in the coder's project
   (blind design) or the shared project, created by the coder's own account: framestudy
   logs in as the coder with the password it stored when it created the account
   (``.labelstudio/coders.json``) and uses the coder's API token. Idempotent: if the coder
   already has an annotation on that task with the same result (and skip state), nothing is
   created; one with a different result is reported and left as it is -- nothing on the
   server is ever changed or deleted. Each annotation is created by
   :func:`framestudy.labelstudio.submit.submit_annotation`, with an idempotency key the
   database enforces: a request whose answer was lost is retried without a duplicate.

Reported, not uploaded (the CLI exits 1 when there are any): annotations that cannot be
attributed, coders who are not the study's, coders framestudy cannot log in as (no stored
password: their account was not made by ``framestudy coders add``), articles
without a task on the server, and annotations that differ from the coder's one already there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framestudy.annotations import read_export
from framestudy.annotations.raw import read_manifest
from framestudy.annotations.table import read_sources
from framestudy.errors import UserError
from framestudy.io import sha256_file
from framestudy.labelstudio import accounts, remote
from framestudy.labelstudio.client import Connection, connect_to
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.labelstudio.projects import study_projects
from framestudy.labelstudio.submit import canonical_result, submit_annotation
from framestudy.settings import SHARED
from framestudy.study import Study

#: outcome kinds that mean an annotation could not be restored (the CLI exits 1)
PROBLEMS = ("unattributed", "unknown coder", "cannot log in", "no task", "differs")
#: outcome kinds that are decisions, not faults
NOTES = ("superseded", "foreign", "draft")
KINDS = ("created", "already there", *PROBLEMS, *NOTES)

_INCLUDE = (
    "id,meta,annotations.id,annotations.completed_by,annotations.was_cancelled,"
    "annotations.result"
)


@dataclass(frozen=True)
class Pending:
    """One annotation to put on the server."""

    where: str  # "<file>: task <id>, annotation <id>" (for messages)
    article_id: str
    coder: str  # e-mail, lower case
    result: list
    was_cancelled: bool
    lead_time: float | None


@dataclass(frozen=True)
class Outcome:
    """What happened to one annotation (``kind`` one of :data:`KINDS`)."""

    kind: str
    where: str
    article_id: str | None
    coder: str | None
    detail: str = ""
    annotation_id: int | None = None  # on the server: created, or the one already there


@dataclass
class Collected:
    pending: list[Pending] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # not uploaded, with the reason


@dataclass
class UploadResult:
    outcomes: list[Outcome]
    url: str

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind in PROBLEMS]

    def counts(self) -> dict[str, int]:
        return {k: len(self.of(k)) for k in KINDS if self.of(k)}


# -- 1. reading the exports ------------------------------------------------------------------


@dataclass(frozen=True)
class _FileContext:
    """How the annotations of one export file are attributed."""

    users: dict[int, str]  # user id -> e-mail
    owner: str | None  # the blind project's coder, from the manifest
    project_coder: dict[int, str]  # project id -> its coder (from the sources record)
    single_user: int | None  # the one user id of all its annotations, if there is one


def _context(
    study: Study | None, path: Path, tasks: list[dict], users: dict[int, str] | None
) -> _FileContext:
    ids = {
        a.get("completed_by")
        for t in tasks
        if isinstance(t, dict)
        for a in (t.get("annotations") or [])
        if isinstance(a, dict) and isinstance(a.get("completed_by"), int)
    }
    single = next(iter(ids)) if len(ids) == 1 else None
    known_users: dict[int, str] = {}
    owner = None
    project_coder: dict[int, str] = {}
    if study is not None:
        digest = sha256_file(path)
        sources = read_sources(study.annotations_csv)
        if sources is not None and digest in {s.sha256 for s in sources.exports}:
            known_users = dict(sources.build.users or {})
            project_coder = dict(sources.build.project_coder or {})
        for entry in read_manifest(study.raw_exports_dir):
            if entry.get("sha256") == digest and entry.get("coder"):
                owner = str(entry["coder"]).lower()
    if users is not None:
        known_users = dict(users)
    return _FileContext(
        {int(k): str(v).lower() for k, v in known_users.items()},
        owner,
        {int(k): str(v).lower() for k, v in project_coder.items()},
        single,
    )


def _coder_of(completed_by: Any, ctx: _FileContext) -> tuple[str | None, str]:
    """(the coder's e-mail, or None and why not)."""
    if completed_by is None:
        return None, "completed_by is null (the user was deleted): no coder to attribute it to"
    uid = None
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email.strip():
            return email.strip().lower(), ""
        uid = completed_by.get("id")
    elif isinstance(completed_by, int) and not isinstance(completed_by, bool):
        uid = completed_by
    elif isinstance(completed_by, str) and "@" in completed_by:
        return completed_by.strip().lower(), ""
    if not isinstance(uid, int) or isinstance(uid, bool):
        return None, f"completed_by {completed_by!r} names no user"
    if uid in ctx.users:
        return ctx.users[uid], ""
    if ctx.owner is not None and ctx.single_user == uid:
        return ctx.owner, ""
    return None, (
        f"user id {uid} has no known e-mail -- pass --users FILE (the source server's "
        "GET /api/users, or {id: e-mail})"
    )


def _recency(annotation: dict) -> tuple:
    updated = annotation.get("updated_at")
    aid = annotation.get("id")
    return (
        not annotation.get("was_cancelled"),
        updated if isinstance(updated, str) else "",
        aid if isinstance(aid, int) else -1,
    )


def collect(
    exports: Sequence[str | os.PathLike],
    *,
    study: Study | None = None,
    users: dict[int, str] | None = None,
) -> Collected:
    """The annotations of ``exports`` to upload, and those not to (see the module doc).

    ``study``: whose manifest and sources record name the coders of its own raw exports;
    ``users``: Label Studio user id -> e-mail of the server the exports come from.
    """
    out = Collected()
    candidates: dict[tuple[str, str], list[tuple[tuple, Pending]]] = {}
    for raw_path in exports:
        path = Path(raw_path)
        tasks = read_export(path)
        ctx = _context(study, path, tasks, users)
        for position, task in enumerate(tasks):
            data = task.get("data") if isinstance(task.get("data"), dict) else {}
            article_id = data.get("article_id")
            article_id = str(article_id) if article_id not in (None, "") else None
            task_where = f"{path.name}: " + (
                f"article {article_id}" if article_id else f"task #{position + 1}"
            ) + (f" (task {task['id']})" if isinstance(task.get("id"), int) else "")
            for draft in task.get("drafts") or []:
                did = draft.get("id") if isinstance(draft, dict) else draft
                out.outcomes.append(
                    Outcome("draft", f"{task_where}, draft {did}", article_id, None,
                            "a draft (not submitted) is not uploaded")
                )
            for ann in task.get("annotations") or []:
                if not isinstance(ann, dict):
                    continue
                where = task_where + (
                    f", annotation {ann['id']}" if isinstance(ann.get("id"), int) else ""
                )
                coder, why = _coder_of(ann.get("completed_by"), ctx)
                if coder is None:
                    out.outcomes.append(Outcome("unattributed", where, article_id, None, why))
                    continue
                project = ann.get("project", task.get("project"))
                owner = ctx.owner or ctx.project_coder.get(project)
                if owner is not None and coder != owner:
                    out.outcomes.append(
                        Outcome("foreign", where, article_id, coder,
                                f"made in the blind project of {owner} (a breach of the "
                                "design; pull keeps it out of the table): not uploaded")
                    )
                    continue
                if article_id is None:
                    out.outcomes.append(
                        Outcome("no task", where, None, coder,
                                "its task has no data.article_id to find it by")
                    )
                    continue
                result = ann.get("result")
                lead = ann.get("lead_time")
                item = Pending(
                    where, article_id, coder, result if isinstance(result, list) else [],
                    bool(ann.get("was_cancelled")),
                    float(lead) if isinstance(lead, int | float) and not isinstance(lead, bool)
                    else None,
                )
                candidates.setdefault((coder, article_id), []).append((_recency(ann), item))
    for (_coder, _article), items in sorted(candidates.items()):
        items.sort(key=lambda pair: pair[0])
        kept = items[-1][1]
        out.pending.append(kept)
        for _rank, item in items[:-1]:
            out.outcomes.append(
                Outcome("superseded", item.where, item.article_id, item.coder,
                        f"a later annotation of this coder on this article is uploaded "
                        f"({kept.where})")
            )
    return out


# -- 2. the server ---------------------------------------------------------------------------


def api_token(session: Any, url: str) -> str:
    """The API token of a logged-in session's user: the legacy token, else (an organisation
    with legacy tokens switched off) a new personal access token."""
    try:
        answer = session.get(f"{url}/api/current-user/token", timeout=accounts.TIMEOUT)
        if answer.status_code == 200 and answer.json().get("token"):
            return str(answer.json()["token"])
        answer = session.post(
            f"{url}/api/token/",
            headers={
                "X-CSRFToken": session.cookies.get("csrftoken", ""),
                "Referer": f"{url}/user/account/",
            },
            timeout=accounts.TIMEOUT,
        )
    except Exception as exc:  # requests' errors: the server went away mid-way
        raise UserError(
            f"cannot reach Label Studio at {url} while reading a coder's API token ({exc})"
        ) from None
    token = answer.json().get("token") if answer.status_code in (200, 201) else None
    if not token:
        raise UserError(
            f"Label Studio at {url} gave no API token to a logged-in coder "
            f"(HTTP {answer.status_code})"
        )
    return str(token)


def coder_connection(study: Study, conn: Connection, email: str) -> Connection:
    """A connection as ``email``: log in with the password framestudy stored for the coder,
    then use their own API token. UserError (one line) if there is no stored password or
    the log-in is refused."""
    password = load_coder_passwords(study).get(email)
    if password is None:
        raise UserError(
            f"no password of {email} in .labelstudio/coders.json: framestudy can only sign "
            f"in as coders whose account it created -- run `framestudy coders add {email}`"
        )
    session = accounts.login(conn.url, email, password)
    coder = connect_to(conn.url, api_token(session, conn.url), external=conn.external,
                       timeout=conn.timeout)
    if (coder.user_email or "").lower() != email:
        raise UserError(f"logged in as {email}, but Label Studio answered as {coder.user_email}")
    return coder


@dataclass
class _RemoteTask:
    id: int
    annotations: list[dict]


def _project_tasks(conn: Connection, project_id: int) -> dict[str, _RemoteTask]:
    """article id -> the project's task (the first, by id, if an article has several)."""
    tasks = list(
        remote.iterate_tasks(conn, project_id, _INCLUDE,
                             extra={"fields": "all", "expand": "annotations"})
    )
    missing = [t for t in tasks if not (t.get("meta") or {}).get("article_id")]
    data_ids: dict[int, str] = {}
    if missing:  # tasks imported by something else: match on data.article_id
        for item in remote.iterate_tasks(conn, project_id, "id,data"):
            data = item.get("data") or {}
            if isinstance(data, dict) and data.get("article_id") not in (None, ""):
                data_ids[int(item["id"])] = str(data["article_id"])
    out: dict[str, _RemoteTask] = {}
    for task in sorted(tasks, key=lambda t: int(t["id"])):
        meta = task.get("meta") or {}
        article_id = meta.get("article_id") if isinstance(meta, dict) else None
        article_id = str(article_id) if article_id else data_ids.get(int(task["id"]))
        if article_id and article_id not in out:
            out[article_id] = _RemoteTask(int(task["id"]), list(task.get("annotations") or []))
    return out


def upload(
    study: Study,
    conn: Connection,
    pending: Sequence[Pending],
    *,
    progress: Callable[[int, int], None] | None = None,
    login: Callable[[Study, Connection, str], Connection] = coder_connection,
) -> UploadResult:
    """Put ``pending`` annotations on the study's server (see the module doc)."""
    from framestudy import settings
    from framestudy.labelstudio.organizations import coder_connections, separated

    # a coder's project in an organisation of their own is read through the coder's token
    conns = coder_connections(study, conn, settings.coders(study))
    design, coders, projects = study_projects(study, conn, conns=conns)
    users = accounts.users_by_id(conn)
    for coder in separated(conns, conn):
        users.update(accounts.users_by_id(conns[coder]))
    ids_by_email = {email: uid for uid, email in users.items()}
    by_coder = {p.coder: p for p in projects if p.coder != SHARED}
    shared = next((p for p in projects if p.coder == SHARED), None)
    tasks_of: dict[int, dict[str, _RemoteTask]] = {}
    logins: dict[str, Connection | UserError] = {}
    outcomes: list[Outcome] = []
    total = len(pending)
    for done, item in enumerate(pending, start=1):
        via = conns.get(item.coder, conn) if design == "blind" else conn
        outcomes.append(
            _one(study, via, item, design, coders, by_coder, shared, ids_by_email, tasks_of,
                 logins, login)
        )
        if progress is not None:
            progress(done, total)
    return UploadResult(outcomes, conn.url)


def _one(study, conn, item: Pending, design, coders, by_coder, shared, ids_by_email,
         tasks_of, logins, login) -> Outcome:
    def outcome(kind: str, detail: str = "", annotation_id: int | None = None) -> Outcome:
        return Outcome(kind, item.where, item.article_id, item.coder, detail, annotation_id)

    if item.coder not in coders:
        return outcome(
            "unknown coder",
            f"{item.coder} is not a coder of this study (study.yaml) -- add them with "
            f"`framestudy coders add {item.coder}`, then `framestudy push`",
        )
    project = shared if design != "blind" else by_coder.get(item.coder)
    if project is None:
        return outcome(
            "no task", f"{item.coder} has no project on {conn.url} -- run `framestudy push`"
        )
    if project.id not in tasks_of:
        tasks_of[project.id] = _project_tasks(conn, project.id)
    task = tasks_of[project.id].get(item.article_id)
    if task is None:
        return outcome(
            "no task",
            f"article {item.article_id} is not a task of project {project.id} "
            f"({project.title}) on {conn.url} -- was it pushed? (`framestudy push`)",
        )
    uid = ids_by_email.get(item.coder)
    wanted = canonical_result(item.result)
    mine = [a for a in task.annotations if uid is not None and a.get("completed_by") == uid]
    for existing in mine:
        same = canonical_result(existing.get("result")) == wanted
        if same and bool(existing.get("was_cancelled")) == item.was_cancelled:
            return outcome("already there", "", existing.get("id"))
    if mine:
        ids = ", ".join(str(a.get("id")) for a in mine)
        return outcome(
            "differs",
            f"{item.coder} already has annotation {ids} on task {task.id} with another "
            "result: left as it is (nothing is overwritten)",
        )
    if item.coder not in logins:
        try:
            logins[item.coder] = login(study, conn, item.coder)
        except UserError as exc:
            logins[item.coder] = exc
    coder_conn = logins[item.coder]
    if isinstance(coder_conn, UserError):
        return outcome("cannot log in", str(coder_conn))
    # With framestudy's idempotency key: an attempt whose answer was lost (a broken
    # connection, a server killed mid-request) is retried without making a second one.
    submitted = submit_annotation(
        coder_conn,
        task.id,
        item.result,
        was_cancelled=item.was_cancelled,
        lead_time=item.lead_time,
    )
    task.annotations.append(
        {"id": submitted.id, "completed_by": uid, "was_cancelled": item.was_cancelled,
         "result": item.result}
    )
    if not submitted.created:
        if submitted.same:
            return outcome("already there", "", submitted.id)
        return outcome(
            "differs",
            f"{item.coder} already has annotation {submitted.id} on task {task.id} with "
            "another result: left as it is (nothing is overwritten)",
        )
    return outcome("created", f"task {task.id}", submitted.id)
