"""``framestudy pull``: the projects' annotations -> ``annotations/raw/`` -> the tidy table.

A project is exported only if Label Studio reports a change in it since the last pull (its
counts, the newest ``updated_at`` of its tasks, its tasks with drafts:
:mod:`framestudy.labelstudio.pull_ledger`); for the others the raw export the last pull saved
is reused. ``full=True`` (``pull --full``) exports every project. An export is an export
snapshot (Label Studio's documented path for big projects; the client waits up to
``export_timeout`` seconds) with every task, every annotation (skipped ones included, so the
report can count them) and full drafts. The bytes are saved unchanged in
``annotations/raw/`` and listed in its ``manifest.json`` (time, server, project, coder,
sha256, size) by :mod:`framestudy.annotations.raw`, which owns those names: an earlier file
is never overwritten, and an export identical to one already saved for the same project is
not saved again. One pull of a study runs at a time: a second waits for the lock
``.labelstudio/pull.lock`` (so no manifest entry is lost to a concurrent read-modify-write)
and gives up with one line after ``lock_timeout`` seconds. The exports are then turned into
the tidy table by :func:`framestudy.annotations.tidy_from_export` -- with the owner of each
blind project, so an annotation made in another coder's project is reported and kept out --
and written atomically to ``annotations/annotations.csv``; when the exports, the schema and
the reading settings are those the last pull built the table from, and the table is as it
wrote it, the table is left as it is (it would be rebuilt byte for byte) and its report is
the one recorded then.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, pulls are not guarded
    fcntl = None

import pandas as pd

from framestudy import __version__, settings
from framestudy.annotations import PullReport, read_export, read_tidy, tidy_from_export, write_tidy
from framestudy.annotations.raw import read_manifest, save_raw_export
from framestudy.annotations.table import TableBuild, sources_path
from framestudy.errors import UserError
from framestudy.labelstudio.accounts import users_by_id
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.credentials import private_dir
from framestudy.labelstudio.organizations import project_connections
from framestudy.labelstudio.projects import study_projects
from framestudy.labelstudio.pull_ledger import (
    PullLedger,
    file_record,
    list_projects,
    project_signals,
    table_inputs,
    unchanged_projects,
)
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
    exported: bool = True  # False: no change since the last pull; its export was reused


@dataclass
class PullResult:
    """What a pull did. ``table`` is read from ``path`` on first use when the pull left the
    table as it was (``rebuilt`` False)."""

    exports: list[SavedExport]
    report: PullReport
    path: Path
    rebuilt: bool = True
    _table: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def table(self) -> pd.DataFrame:
        if self._table is None:
            self._table = read_tidy(self.path)
        return self._table


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
    full: bool = False,
    export_timeout: float = EXPORT_TIMEOUT,
    lock_timeout: float = LOCK_TIMEOUT,
) -> PullResult:
    """Export the projects changed since the last pull (every one with ``full``), save the
    raw exports, write the tidy table; see the module doc."""
    with pull_lock(study, lock_timeout):
        return _pull(study, conn, include_foreign, full, export_timeout)


def _connections(study: Study, conn: Connection):
    """(coder -> the connection acting in the coder's organisation, the distinct
    connections: ``conn`` first) -- :mod:`.organizations`."""
    from framestudy.labelstudio.organizations import coder_connections

    conns = coder_connections(study, conn, settings.coders(study))
    vias = [conn] + list({id(c): c for c in conns.values() if c is not conn}.values())
    return conns, vias


def _by_connection(ids: list[int], reach: dict, conn: Connection) -> list[tuple]:
    """[(connection, [project ids it reads])] for ``ids`` (``conn`` for those not in
    ``reach``)."""
    groups: dict[int, tuple] = {}
    for project_id in ids:
        via = reach.get(project_id, conn)
        groups.setdefault(id(via), (via, []))[1].append(project_id)
    return list(groups.values())


def _pull(
    study: Study, conn: Connection, include_foreign: bool, full: bool, export_timeout: float
) -> PullResult:
    ledger = PullLedger(study, conn.url)
    # a coder's project in an organisation of their own is read through the coder's token
    conns, vias = _connections(study, conn)
    # one listing of the recorded projects: they exist under their titles, and their counts
    recorded_ids = [r.id for r in settings.projects(study, conn.url)]
    listed: dict[int, dict] = {}
    for via in vias:
        listed.update(list_projects(via, recorded_ids))
    known = {i: str(row.get("title")) for i, row in listed.items()}
    design, _coders, projects = study_projects(study, conn, known=known, conns=conns)
    reach = {p.id: via for p, via in project_connections(projects, conns, conn)}
    found = [p.id for p in projects if p.id not in listed]  # found by title, not recorded
    for via, ids in _by_connection(found, reach, conn):
        listed.update(list_projects(via, ids))
    users = users_by_id(conn)
    for via in vias[1:]:
        users.update(users_by_id(via))
    trust = not full and not ledger.users_removed(users)
    recorded = ledger.recorded_signals()
    same: set[int] = set()
    if trust:
        for via, ids in _by_connection([p.id for p in projects if p.id in recorded], reach, conn):
            same |= unchanged_projects(via, {i: recorded[i] for i in ids}, listed)
    # a damaged manifest stops every pull, and only exports it lists are reused
    in_manifest = {(e["project_id"], e["file"]) for e in read_manifest(study.raw_exports_dir)}
    by_project: dict[int, SavedExport] = {}
    for project in projects:
        reused = (
            ledger.reusable(project.id, study.raw_exports_dir) if project.id in same else None
        )
        if reused is not None and (project.id, reused.name) in in_manifest:
            record = ledger.export_record(project.id)
            by_project[project.id] = SavedExport(
                project, reused, record.sha256, record.bytes, new=False, exported=False
            )
    stale = [p for p in projects if p.id not in by_project]
    # read before exporting: a change made meanwhile shows at the next pull
    signals: dict[int, dict] = {}
    for via, ids in _by_connection([p.id for p in stale], reach, conn):
        signals.update(project_signals(via, ids, listed))
    when = datetime.now(UTC)
    for project in stale:
        content = export_project(reach[project.id], project.id, export_timeout)
        export = save_raw(study, conn, project, content, when)
        ledger.record(project.id, signals.get(project.id), file_record(export.path, export.sha256))
        by_project[project.id] = export
    saved = [by_project[p.id] for p in projects]
    ledger.forget({p.id for p in projects})
    ledger.set_users(users)

    project_coder = {p.id: p.coder for p in projects if p.coder != SHARED}
    build = TableBuild(
        users=users,
        project_coder=project_coder if design == "blind" else None,
        include_foreign=include_foreign,
    )
    inputs = table_inputs(
        [(e.project.id, e.sha256) for e in saved],
        build.model_dump(),
        study.schema_source,
        __version__,
    )
    table_path, sources = study.annotations_csv, sources_path(study.annotations_csv)
    recorded = None if full else ledger.table_current(inputs, table_path, sources)
    if recorded is not None:
        try:
            report = PullReport.from_dict(recorded)
        except (TypeError, ValueError):  # a hand-edited ledger: rebuild instead
            report = None
        if report is not None:
            ledger.save()
            return PullResult(saved, report, table_path, rebuilt=False)

    tasks: list = []
    for export in saved:
        tasks.extend(read_export(export.path))
    schema = None
    if study.schema_source.is_file():
        from framestudy.schema import load_schema

        schema = load_schema(study.schema_source)
    table, report = tidy_from_export(tasks, schema=schema, **build.model_dump())
    del tasks
    path = write_tidy(table, table_path, sources=[e.path for e in saved], build=build)
    ledger.set_table(inputs, path, sources, report.to_dict())
    ledger.save()
    return PullResult(saved, report, path, rebuilt=True, _table=table)
