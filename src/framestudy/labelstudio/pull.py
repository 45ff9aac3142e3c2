"""``framestudy pull``: every project's annotations -> ``annotations/raw/`` -> the tidy table.

For each project of the study, an export snapshot is made (Label Studio's documented path
for big projects; the client waits up to ``export_timeout`` seconds) with every task, every
annotation (skipped ones included, so the report can count them) and full drafts. The bytes
are saved unchanged in ``annotations/raw/`` and listed in its ``manifest.json`` (time,
server, project, coder, sha256, size) by :mod:`framestudy.annotations.raw`, which owns those
names: an earlier file is never overwritten, and an export identical to one already saved
for the same project is not saved again. One pull of a study runs at a time: a second waits for the
lock ``.labelstudio/pull.lock`` (so no manifest entry is lost to a concurrent
read-modify-write) and gives up with one line after ``lock_timeout`` seconds. The exports
are then turned into the tidy table by
:func:`framestudy.annotations.tidy_from_export` -- with the owner of each blind project, so
an annotation made in another coder's project is reported and kept out -- and written
atomically to ``annotations/annotations.csv``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, pulls are not guarded
    fcntl = None

import pandas as pd

from framestudy.annotations import PullReport, read_export, tidy_from_export, write_tidy
from framestudy.annotations.raw import save_raw_export
from framestudy.annotations.table import TableBuild
from framestudy.errors import UserError
from framestudy.labelstudio.accounts import users_by_id
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.credentials import private_dir
from framestudy.labelstudio.projects import study_projects
from framestudy.settings import SHARED, ProjectRecord
from framestudy.study import Study

EXPORT_TIMEOUT = 1800.0  # seconds; Community exports run synchronously in one request
LOCK_TIMEOUT = 3600.0  # seconds a pull waits for another pull of the same study to finish


@dataclass
class SavedExport:
    project: ProjectRecord
    path: Path
    sha256: str
    size: int
    new: bool  # False: identical to an export saved earlier (that file is used)


@dataclass
class PullResult:
    exports: list[SavedExport]
    table: pd.DataFrame
    report: PullReport
    path: Path


def lock_path(study: Study) -> Path:
    return study.labelstudio_dir / "pull.lock"


@contextlib.contextmanager
def pull_lock(study: Study, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the study's pull lock (an exclusive ``flock``; waits up to ``timeout`` s)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    private_dir(study)  # the lock lives in the study's private folder
    path = lock_path(study)
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UserError(
                        f"another `framestudy pull` of this study is still running (it holds "
                        f"{path}) -- let it finish, then pull again"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def save_raw(
    study: Study, conn: Connection, project: ProjectRecord, content: bytes, when: datetime
) -> SavedExport:
    """Save one raw export unless the same bytes were saved before for this project
    (:func:`framestudy.annotations.raw.save_raw_export`: call it under :func:`pull_lock`)."""
    saved = save_raw_export(
        study.raw_exports_dir,
        content,
        when=when,
        server=conn.url,
        project_id=project.id,
        project_title=project.title,
        coder=None if project.coder == SHARED else project.coder,
    )
    return SavedExport(project, saved.path, saved.sha256, saved.size, saved.new)


def export_project(conn: Connection, project_id: int, timeout: float = EXPORT_TIMEOUT) -> bytes:
    """The project's full JSON export (snapshot API), as the server sent it."""
    options = {"timeout": timeout}
    what = f"exporting project {project_id}"
    snapshot = conn.call(
        what,
        conn.sdk.projects.exports.create,
        project_id,
        title=f"framestudy pull {datetime.now(UTC).isoformat(timespec='seconds')}",
        task_filter_options={"only_with_annotations": False},
        annotation_filter_options={"usual": True, "ground_truth": True, "skipped": True},
        serialization_options={
            "drafts": {"only_id": False},
            "predictions": {"only_id": False},
            "annotations__completed_by": {"only_id": True},
        },
        request_options=options,
    )
    deadline = time.monotonic() + timeout
    while snapshot.status not in ("completed", "failed"):
        if time.monotonic() > deadline:
            raise UserError(
                f"the export of project {project_id} did not finish within {timeout:.0f} s "
                "-- try again with a longer --timeout"
            )
        time.sleep(0.5)
        snapshot = conn.call(what, conn.sdk.projects.exports.get, project_id, export_pk=snapshot.id)
    if snapshot.status == "failed":
        raise UserError(
            f"Label Studio failed to export project {project_id} (export {snapshot.id}) -- see "
            "the server log, then pull again"
        )
    chunks = conn.call(
        what,
        lambda: list(
            conn.sdk.projects.exports.download(
                project_id,
                export_pk=snapshot.id,
                export_type="JSON",
                request_options=options,
            )
        ),
    )
    with contextlib.suppress(UserError):  # our copy is what matters; tidy up the server's
        conn.call(what, conn.sdk.projects.exports.delete, project_id, export_pk=snapshot.id)
    return b"".join(chunks)


def pull(
    study: Study,
    conn: Connection,
    *,
    include_foreign: bool = False,
    export_timeout: float = EXPORT_TIMEOUT,
    lock_timeout: float = LOCK_TIMEOUT,
) -> PullResult:
    """Export every project, save the raw exports, write the tidy table; see the module doc."""
    with pull_lock(study, lock_timeout):
        return _pull(study, conn, include_foreign, export_timeout)


def _reach(study: Study, conn: Connection):
    """(design, coders, projects, project id -> the connection that reads it, user id ->
    e-mail): a coder's project in an organisation of their own is read through the
    coder's token (:mod:`.organizations`)."""
    from framestudy import settings
    from framestudy.labelstudio.organizations import coder_connections, project_connections

    conns = coder_connections(study, conn, settings.coders(study))
    design, coders, projects = study_projects(study, conn, conns)
    reach = dict((p.id, via) for p, via in project_connections(projects, conns, conn))
    users = users_by_id(conn)
    for via in {id(c): c for c in reach.values() if c is not conn}.values():
        users.update(users_by_id(via))
    return design, coders, projects, reach, users


def _pull(
    study: Study, conn: Connection, include_foreign: bool, export_timeout: float
) -> PullResult:
    design, _coders, projects, reach, users = _reach(study, conn)
    when = datetime.now(UTC)
    saved: list[SavedExport] = []
    tasks: list = []
    for project in projects:
        content = export_project(reach[project.id], project.id, export_timeout)
        export = save_raw(study, conn, project, content, when)
        saved.append(export)
        tasks.extend(read_export(export.path))

    schema = None
    if study.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(study.schema_source)
    project_coder = {p.id: p.coder for p in projects if p.coder != SHARED}
    build = TableBuild(
        users=users,
        project_coder=project_coder if design == "blind" else None,
        include_foreign=include_foreign,
    )
    table, report = tidy_from_export(tasks, schema=schema, **build.model_dump())
    path = write_tidy(table, study.annotations_csv, sources=[e.path for e in saved], build=build)
    return PullResult(saved, table, report, path)
