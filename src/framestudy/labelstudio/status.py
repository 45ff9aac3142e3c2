"""``framestudy status``: how far each coder is, per outlet.

For every task a coder should code (every task of their own project in the blind design;
every task of the shared project otherwise) the coder's own annotations decide: a submitted
one -> *done*; only skipped ones -> *skipped*; none -> *remaining* (a draft is remaining).
Annotations someone else made in a coder's project are counted as *foreign* (a breach of
the blind design, which ``pull`` keeps out of the table).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from framestudy import settings
from framestudy.labelstudio import remote
from framestudy.labelstudio.accounts import users_by_id
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.organizations import coder_connections, project_connections
from framestudy.labelstudio.projects import study_projects
from framestudy.settings import SHARED
from framestudy.study import Study

STATUS_COLUMNS = ["coder", "outlet", "tasks", "done", "skipped", "remaining", "foreign"]
_INCLUDE = "id,meta,annotations.completed_by,annotations.was_cancelled"


def coding_status(study: Study, conn: Connection) -> pd.DataFrame:
    """One row per (coder, outlet): tasks, done, skipped, remaining, foreign.

    A coder's project in an organisation of their own is read through the coder's token
    (:mod:`.organizations`)."""
    conns = coder_connections(study, conn, settings.coders(study))
    design, coders, projects = study_projects(study, conn, conns=conns)
    emails = users_by_id(conn)
    counts: Counter = Counter()
    for project, via in project_connections(projects, conns, conn):
        if via is not conn:
            emails.update(users_by_id(via))
        members = [project.coder] if project.coder != SHARED else coders
        for task in remote.iterate_tasks(
            via, project.id, _INCLUDE, extra={"fields": "all", "expand": "annotations"}
        ):
            meta = task.get("meta") or {}
            outlet = str(meta.get("outlet") or "unknown") if isinstance(meta, dict) else "unknown"
            by_coder: dict[str, list[bool]] = {}
            for ann in task.get("annotations") or []:
                email = emails.get(ann.get("completed_by"), "")
                by_coder.setdefault(email, []).append(bool(ann.get("was_cancelled")))
            for coder in members:
                mine = by_coder.get(coder, [])
                state = "done" if any(not c for c in mine) else "skipped" if mine else "remaining"
                counts[(coder, outlet, "tasks")] += 1
                counts[(coder, outlet, state)] += 1
            if project.coder != SHARED:
                strangers = sum(len(v) for k, v in by_coder.items() if k != project.coder)
                counts[(project.coder, outlet, "foreign")] += strangers
    keys = sorted({(c, o) for c, o, _ in counts}, key=lambda k: (_order(coders, k[0]), k[1]))
    rows = [
        [coder, outlet, *(counts[(coder, outlet, col)] for col in STATUS_COLUMNS[2:])]
        for coder, outlet in keys
    ]
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _order(coders: list[str], coder: str) -> int:
    return coders.index(coder) if coder in coders else len(coders)
