"""``framestudy push``: the study's tasks into its Label Studio project(s), idempotently.

1. Read ``schemas/framing.xml`` (labeling config), ``schemas/codebook.html`` (the project
   instructions), ``tasks/tasks.json`` and the coders in ``study.yaml``.
2. Draw the design (:mod:`framestudy.design`) and write ``tasks/assignment.csv`` -- keeping
   the rows of an earlier assignment, so articles added later never reshuffle the existing
   ones.
3. Create or update the project(s): one per coder (blind) or one shared project with
   ``maximum_annotations`` = number of coders, set before any task is imported.
4. Plan every project before touching any task: which articles are missing, which changed.
   Articles are matched on their stable ``article_id`` (docs/CONTRACTS.md), so a corrected
   text is a change to the same task, never a new one. An article whose *text* changed
   after it was annotated (or skipped) is refused, with the ids, unless ``force``; with
   ``force`` the task is updated in place and stamped with the server's time of the
   replacement (``data.text_replaced_at``), which marks the older annotations stale when
   pulled. An unannotated task whose data changed is updated in place.
   Duplicate tasks of one article (left by a push killed in the middle of a request) are
   deleted if nobody annotated them.
5. Import the missing tasks in batches. A batch that fails on a transient error (timeout,
   dropped connection, 5xx) is not simply re-sent: the project is listed again and only the
   articles still missing are imported, so a task is never created twice.

Re-running push therefore ends with exactly one task per assigned article, however often it
was interrupted.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pandas as pd
from label_studio_sdk.core.api_error import ApiError

from framestudy import design as design_mod
from framestudy import settings
from framestudy.annotations.tidy import REPLACED_AT
from framestudy.errors import UserError
from framestudy.io import atomic_write_text, read_input_text
from framestudy.labelstudio import organizations, remote
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.projects import EnsuredProject, ProjectSpec, ensure_project
from framestudy.settings import SHARED, project_title
from framestudy.study import Study
from framestudy.task_meta import task_meta
from framestudy.tasks.tasks_file import read_tasks

BATCH_SIZE = 5000  # tasks per import request at most: fewer, bigger requests import faster
BATCH_BYTES = 50_000_000  # and about this many bytes (Label Studio refuses > 200 MB)
IMPORT_ATTEMPTS = 4
LIST_INSTEAD = 200  # changed tasks above which one listing replaces per-task requests
_SHOW = 5  # ids shown in an error line

Progress = Callable[[int, int], None]  # (tasks imported so far, tasks to import)


@dataclass
class ProjectPush:
    """What push did to one project."""

    coder: str
    project_id: int
    title: str
    created: bool = False
    settings_updated: tuple[str, ...] = ()
    assigned: int = 0
    existing: int = 0
    imported: int = 0
    updated: int = 0
    forced: int = 0
    kept_annotated: int = 0  # data (not text) changed on an annotated task: left as annotated
    duplicates_removed: int = 0
    duplicates_kept: list[str] = field(default_factory=list)
    not_assigned: int = 0  # tasks on the server that the assignment does not list
    listing: str = ""  # "ledger" or "listed"


@dataclass
class PushResult:
    design: str
    reliability_share: float
    seed: int
    coders: list[str]
    assignment: pd.DataFrame
    projects: list[ProjectPush]

    @property
    def imported(self) -> int:
        return sum(p.imported for p in self.projects)


@dataclass
class _Plan:
    push: ProjectPush
    wanted: list[str]  # article ids in import order
    have: dict[str, remote.RemoteTask]
    missing: list[str]
    update: list[tuple[int, str]]  # (task id, article id)
    refuse: list[tuple[int, str]]
    delete: list[int]
    other: list[remote.RemoteTask]


# -- inputs ---------------------------------------------------------------------------------


def load_tasks(path) -> list[dict]:
    """``tasks/tasks.json`` as push takes it: the tasks stage's contract
    (:func:`framestudy.tasks.tasks_file.read_tasks`: unique ``data.article_id``, a text, its
    ``text_version``), and no ``data.text_replaced_at``, which only push itself sets."""
    tasks = read_tasks(path)
    for i, task in enumerate(tasks):
        data = task["data"]
        if REPLACED_AT in data:
            raise UserError(
                f"{path}: task {i} ({data['article_id']}) has data.{REPLACED_AT}, which push "
                "sets itself -- run `framestudy tasks build`"
            )
    return tasks


def _articles(tasks: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": [t["data"]["article_id"] for t in tasks],
            "outlet": [str(t["data"].get("outlet") or "unknown") for t in tasks],
        }
    )


def read_assignment(path) -> pd.DataFrame | None:
    """An earlier ``tasks/assignment.csv``, None if there is none."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: unreadable assignment ({exc}) -- delete it to redraw") from None
    missing = {"article_id", "outlet", "coder", "reliability"} - set(frame.columns)
    if missing:
        raise UserError(
            f"{path}: not an assignment file (missing columns {', '.join(sorted(missing))}) -- "
            "delete it to redraw"
        )
    return frame


def reliability_articles(path) -> set[str] | None:
    """The reliability sample of the assignment at ``path`` (the articles every coder
    codes); None when there is no assignment."""
    frame = read_assignment(path)
    if frame is None:
        return None
    flag = frame["reliability"].astype(str).str.lower().isin({"true", "1", "yes"})
    return set(frame.loc[flag, "article_id"].astype(str))


def resolve_design(
    study: Study,
    design: str | None,
    share: float | None,
    seed: int | None,
    assignment_exists: bool,
) -> tuple[str, float, int]:
    """The design parameters: options, else those recorded in study.yaml, else defaults.

    Changing the parameters of a study that already has an assignment is refused: existing
    articles would keep their old draw, and the result would match neither setting.
    """
    recorded = settings.design(study)

    def pick(option, stored, default):
        return option if option is not None else stored if stored is not None else default

    chosen = (
        pick(design, recorded.design, settings.DEFAULT_DESIGN),
        float(pick(share, recorded.reliability_share, settings.DEFAULT_SHARE)),
        int(pick(seed, recorded.seed, settings.DEFAULT_SEED)),
    )
    if chosen[0] not in settings.DESIGNS:
        raise UserError(f"--design {chosen[0]!r}: choose blind or shared")
    if not 0.0 <= chosen[1] <= 1.0:
        raise UserError(f"--reliability-share {chosen[1]} must be between 0 and 1 (e.g. 0.2)")
    if recorded.design is not None and assignment_exists:
        before = (
            recorded.design,
            pick(None, recorded.reliability_share, chosen[1]),
            pick(None, recorded.seed, chosen[2]),
        )
        if chosen != before:
            raise UserError(
                f"this study was pushed with --design {before[0]} --reliability-share "
                f"{before[1]} --seed {before[2]} (study.yaml, tasks/assignment.csv); push "
                "with the same options, or delete tasks/assignment.csv and the "
                "labelstudio section of study.yaml to draw a new design before any coding"
            )
    return chosen


# -- planning -------------------------------------------------------------------------------


def _current_tasks(
    conn: Connection, ledger: remote.Ledger, ensured: EnsuredProject, push: ProjectPush
) -> list[remote.RemoteTask]:
    """The project's tasks: none if just created, else the ledger's if the server proves
    them current, else a full listing (``push.listing`` says which)."""
    if ensured.created:
        return []
    listed = ledger.trusted_tasks(conn, ensured.record.id)
    push.listing = "ledger"
    if listed is None:
        listed = remote.list_tasks(conn, ensured.record.id)
        push.listing = "listed"
    return listed


def _one_per_article(
    conn: Connection, listed: list[remote.RemoteTask], push: ProjectPush
) -> tuple[dict[str, remote.RemoteTask], list[int], list[remote.RemoteTask]]:
    """(article id -> the task kept, duplicate task ids to delete, tasks of no article).

    Of several tasks of one article the oldest is kept, unless only a later copy is
    annotated; an annotated copy besides the kept one is never deleted (it is reported in
    ``push.duplicates_kept`` and counted with the tasks of no article).
    """
    by_article: dict[str, list[remote.RemoteTask]] = defaultdict(list)
    other: list[remote.RemoteTask] = []
    for task in listed:
        if task.article_id is None:
            other.append(task)
        else:
            by_article[task.article_id].append(task)

    have: dict[str, remote.RemoteTask] = {}
    delete: list[int] = []
    for article_id, copies in by_article.items():
        copies.sort(key=lambda t: t.id)
        if len(copies) > 1 and any(t.annotations is None for t in copies):
            counts = remote.annotation_counts(conn, [t.id for t in copies])
            for t in copies:
                t.annotations = counts[t.id]
        keep = copies[0]
        for extra in copies[1:]:
            if extra.annotations:
                if not keep.annotations:
                    delete.append(keep.id)
                    keep = extra
                else:
                    push.duplicates_kept.append(article_id)
                    other.append(extra)
            else:
                delete.append(extra.id)
        have[article_id] = keep
    return have, delete, other


def _changed_tasks(
    conn: Connection,
    project_id: int,
    wanted: list[str],
    have: dict[str, remote.RemoteTask],
    metas: dict[str, dict[str, str]],
) -> list[tuple[remote.RemoteTask, dict[str, str]]]:
    """(task, new meta) of every wanted article whose data changed, each task with its
    annotation count (fetched per task, or by one listing when many are unknown)."""
    changed = []
    for article_id in wanted:
        task = have.get(article_id)
        if task is None:
            continue
        meta = metas[article_id]
        if task.data_sha != meta["data_sha256"]:
            changed.append((task, meta))
    unknown = [t.id for t, _ in changed if t.annotations is None]
    if len(unknown) > LIST_INSTEAD:  # many changed: one listing beats a request per task
        counts = {t.id: t.annotations for t in remote.list_tasks(conn, project_id)}
    elif unknown:
        counts = remote.annotation_counts(conn, unknown)
    if unknown:
        for task, _ in changed:
            if task.id in counts:
                task.annotations = counts[task.id]
    return changed


def _plan_project(
    conn: Connection,
    ledger: remote.Ledger,
    ensured: EnsuredProject,
    wanted: list[str],
    metas: dict[str, dict[str, str]],
) -> _Plan:
    """What to import, update, refuse and delete in one project (nothing is changed yet)."""
    record = ensured.record
    push = ProjectPush(
        coder=record.coder,
        project_id=record.id,
        title=record.title,
        created=ensured.created,
        settings_updated=ensured.updated,
        assigned=len(wanted),
    )
    listed = _current_tasks(conn, ledger, ensured, push)
    have, delete, other = _one_per_article(conn, listed, push)
    push.duplicates_removed = len(delete)

    wanted_set = set(wanted)
    push.not_assigned = sum(1 for a in have if a not in wanted_set) + len(other)
    missing = [a for a in wanted if a not in have]
    push.existing = len(wanted) - len(missing)

    update, refuse = [], []
    for task, meta in _changed_tasks(conn, record.id, wanted, have, metas):
        assert task.article_id is not None
        if not task.annotations:
            update.append((task.id, task.article_id))
        elif task.text_sha != meta["text_sha256"]:
            refuse.append((task.id, task.article_id))
        else:
            push.kept_annotated += 1
    return _Plan(push, wanted, have, missing, update, refuse, delete, other)


# -- execution ------------------------------------------------------------------------------


def _batches(missing, tasks_by_article, metas, batch_size: int):
    """Payloads in batches of at most ``batch_size`` tasks and ~``BATCH_BYTES`` bytes."""
    batch: list[dict] = []
    size = 0
    for article_id in missing:
        data = tasks_by_article[article_id]["data"]
        weight = len(str(data.get("text", ""))) + 1000  # the text dominates
        if batch and (len(batch) >= batch_size or size + weight > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(task_payload(tasks_by_article[article_id], metas[article_id]))
        size += weight
    if batch:
        yield batch


def _write_if_changed(path, frame: pd.DataFrame) -> None:
    """Write the assignment CSV atomically unless the file already holds these bytes."""
    text = frame.to_csv(index=False, lineterminator="\n")
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)


def task_payload(task: dict, meta: dict[str, str]) -> dict:
    return {"data": task["data"], "meta": {**(task.get("meta") or {}), **meta}}


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, ApiError) and (exc.status_code or 0) in (408, 429, 500, 502, 503, 504)


def import_batch(conn: Connection, project_id: int, batch: list[dict]) -> list[remote.RemoteTask]:
    """Import ``batch``; on a transient failure re-list and import only what is missing."""
    pending = batch
    created: list[remote.RemoteTask] = []
    what = f"importing tasks into project {project_id}"
    for attempt in range(IMPORT_ATTEMPTS):
        # Through the SDK's HTTP client with a body encoded once by json.dumps: the SDK's
        # import_tasks walks every value of a 10 MB body in Python first (~1 s per 10,000
        # tasks) and returns no task ids.
        body = json.dumps(pending, ensure_ascii=False).encode("utf-8")
        try:
            answer = conn.raw_request(
                "POST",
                f"api/projects/{project_id}/import",
                what,
                params={"return_task_ids": "true"},
                content=body,
                timeout=max(conn.timeout, 300.0),
                retries=0,
                translate_errors=False,
            )
        except Exception as exc:
            if not _transient(exc) or attempt == IMPORT_ATTEMPTS - 1:
                error = conn.translate(exc, what)
                if error is None:
                    raise
                raise error from exc
            time.sleep(min(2.0**attempt, 10.0))
            present = {t.article_id: t for t in remote.list_tasks(conn, project_id)}
            created += [
                present[p["meta"]["article_id"]]
                for p in pending
                if p["meta"]["article_id"] in present
            ]
            pending = [p for p in pending if p["meta"]["article_id"] not in present]
            if not pending:
                break
            continue
        ids = list(answer.get("task_ids") or [])
        if len(ids) != len(pending):
            raise UserError(
                f"Label Studio imported {answer.get('task_count')} of {len(pending)} tasks into "
                f"project {project_id} without an error -- run push again to complete it"
            )
        created += [
            remote.RemoteTask(
                id=int(task_id),
                article_id=p["meta"]["article_id"],
                text_sha=p["meta"]["text_sha256"],
                data_sha=p["meta"]["data_sha256"],
            )
            for task_id, p in zip(ids, pending, strict=True)
        ]
        break
    return created


def _replace_text(
    conn: Connection, task_id: int, article_id: str, payload: dict, old_text_sha: str | None
) -> None:
    """Replace the text of an annotated task in place (``--force``) and stamp when.

    Two requests. The first writes the new data; the server's ``updated_at`` in its answer
    is the moment the new text took effect, so an annotation last saved before it was made
    on an older text. The second writes that moment into the task data
    (``text_replaced_at``), where every export carries it (:mod:`framestudy.annotations`
    marks such annotations stale). Until the second request succeeds the task's ``meta``
    keeps the old text digest, so a push killed in between is refused again and redone with
    ``--force`` (with a later time: the annotations in between are marked too, the safe
    side).
    """
    what = f"replacing the text of task {task_id} ({article_id})"
    pending = {**payload["meta"], "text_sha256": old_text_sha or "", "data_sha256": "replacing"}
    answer = conn.call_json(
        what,
        conn.sdk.tasks.with_raw_response.update,
        id=str(task_id),
        data=payload["data"],
        meta=pending,
    )
    replaced_at = answer.get("updated_at") if isinstance(answer, dict) else None
    if not isinstance(replaced_at, str) or not replaced_at:
        task = conn.call_json(what, conn.sdk.tasks.with_raw_response.get, id=str(task_id))
        replaced_at = task.get("updated_at") if isinstance(task, dict) else None
    if not isinstance(replaced_at, str) or not replaced_at:
        raise UserError(
            f"Label Studio gave no updated_at for task {task_id} ({article_id}) after its text "
            "was replaced -- run push --force again"
        )
    conn.call(
        what,
        conn.sdk.tasks.update,
        id=str(task_id),
        data={**payload["data"], REPLACED_AT: replaced_at},
        meta=payload["meta"],
    )


def _refusal(plans: list[_Plan]) -> UserError:
    refused = [(p.push.project_id, tid, a) for p in plans for tid, a in p.refuse]
    shown = "; ".join(f"{a} (project {pid}, task {tid})" for pid, tid, a in refused[:_SHOW])
    more = f"; ... {len(refused) - _SHOW} more" if len(refused) > _SHOW else ""
    return UserError(
        f"{len(refused)} article(s) changed their text after they were annotated: {shown}{more} "
        "-- their annotations were made on the old text; restore the old text, or push "
        "with --force to replace it in place (pull then marks those annotations stale, for "
        "their coders to re-check and update in Label Studio)"
    )


@dataclass(frozen=True)
class _Inputs:
    """What push reads from the study before it talks to the server."""

    label_config: str
    instruction: str
    tasks: list[dict]
    coders: list[str]


@dataclass(frozen=True)
class _Design:
    """The design drawn for this push, and the assignment it gives."""

    name: str
    share: float
    seed: int
    assignment: pd.DataFrame  # with a ``rank`` column (import order) and ``project``


def _read_inputs(study: Study) -> _Inputs:
    """Step 1: the labeling config, the codebook, the tasks and the coders (all required)."""
    label_config = read_input_text(
        study.labeling_config, "labeling config", "run `framestudy schema build`"
    )
    instruction = read_input_text(study.codebook_html, "codebook", "run `framestudy schema build`")
    tasks = load_tasks(study.tasks_json)
    if not tasks:
        raise UserError(f"{study.tasks_json}: holds no tasks -- add articles and build the tasks")
    coders = settings.coders(study)
    if not coders:
        raise UserError(
            "the study has no coders -- add them first: framestudy coders add EMAIL [EMAIL...]"
        )
    return _Inputs(label_config, instruction, tasks, coders)


def _draw_design(
    study: Study,
    inputs: _Inputs,
    design: str | None,
    reliability_share: float | None,
    seed: int | None,
) -> _Design:
    """Step 2: draw the design (keeping an earlier assignment's rows), write
    ``tasks/assignment.csv`` and record the design in study.yaml."""
    previous = read_assignment(study.assignment)
    name, share, seed_value = resolve_design(
        study, design, reliability_share, seed, previous is not None
    )
    articles = _articles(inputs.tasks)
    if name == "blind":
        assignment = design_mod.assign_blind(
            articles, inputs.coders, share=share, seed=seed_value, previous=previous
        )
    else:
        assignment = design_mod.assign_shared(articles, inputs.coders, seed=seed_value)
    study_name = settings.study_name(study)
    owner = (lambda c: c) if name == "blind" else (lambda c: SHARED)
    assignment["project"] = [project_title(study_name, owner(c)) for c in assignment["coder"]]
    _write_if_changed(study.assignment, assignment.drop(columns="rank"))
    settings.save_design(study, name, share, seed_value)
    return _Design(name, share, seed_value, assignment)


def _project_spec(study_name: str, coder: str, inputs: _Inputs, design: str) -> ProjectSpec:
    """What the project of ``coder`` (or the shared project) must look like."""
    n = len(inputs.coders)
    return ProjectSpec(
        coder=coder,
        title=project_title(study_name, coder),
        label_config=inputs.label_config,
        instruction=inputs.instruction,
        maximum_annotations=1 if design == "blind" else n,
        description=(
            f"framestudy study {study_name}: "
            + (
                f"blind-design project of {coder}. Only {coder} codes here."
                if coder != SHARED
                else f"shared project; every task is coded by {n} coders."
            )
        ),
    )


def _ensure_projects(
    study: Study,
    conn: Connection,
    ledger: remote.Ledger,
    inputs: _Inputs,
    design: str,
    conns: dict[str, Connection],
) -> list[EnsuredProject]:
    """Step 3: create or update every project (recorded in study.yaml at once), before any
    task is planned or imported; a coder's project in the coder's organisation (``conns``)."""
    recorded = {r.coder: r for r in settings.projects(study, conn.url)}
    for other in recorded:
        if (other == SHARED) != (design == "shared"):
            raise UserError(
                f"study.yaml records projects of the other design than --design {design} "
                "-- push with the design the study was started with"
            )
    study_name = settings.study_name(study)
    ensured = []
    for coder in inputs.coders if design == "blind" else [SHARED]:
        known = recorded.get(coder)
        memo = ledger.settings(known.id) if known else {}
        via = conns.get(coder, conn)
        result = ensure_project(via, _project_spec(study_name, coder, inputs, design), known, memo)
        settings.save_projects(study, conn.url, [result.record])
        ledger.set_settings(result.record.id, memo)
        ensured.append(result)
    ledger.save()
    return ensured


def _plan_projects(
    conn: Connection,
    ledger: remote.Ledger,
    ensured: list[EnsuredProject],
    design: _Design,
    metas: dict[str, dict[str, str]],
    conns: dict[str, Connection],
) -> list[_Plan]:
    """Step 4: plan every project (its articles in import order) before changing any task."""
    assignment = design.assignment
    plans = []
    for result in ensured:
        rows = (
            assignment[assignment["coder"] == result.record.coder]
            if design.name == "blind"
            else (assignment.drop_duplicates("article_id"))
        )
        wanted = rows.sort_values(["rank", "article_id"])["article_id"].tolist()
        via = conns.get(result.record.coder, conn)
        plans.append(_plan_project(via, ledger, result, wanted, metas))
    return plans


def _change_tasks(
    conn: Connection, plan: _Plan, tasks_by_article: dict[str, dict], metas: dict[str, dict]
) -> None:
    """Delete the plan's spare duplicates, update changed tasks, replace forced texts."""
    for task_id in plan.delete:
        conn.call(f"deleting duplicate task {task_id}", conn.sdk.tasks.delete, id=str(task_id))
    for task_id, article_id in plan.update:
        payload = task_payload(tasks_by_article[article_id], metas[article_id])
        conn.call(
            f"updating task {task_id} ({article_id})",
            conn.sdk.tasks.update,
            id=str(task_id),
            data=payload["data"],
            meta=payload["meta"],
        )
        plan.have[article_id] = remote.RemoteTask(
            task_id, article_id, payload["meta"]["text_sha256"], payload["meta"]["data_sha256"]
        )
    for task_id, article_id in plan.refuse:
        payload = task_payload(tasks_by_article[article_id], metas[article_id])
        _replace_text(conn, task_id, article_id, payload, plan.have[article_id].text_sha)
        plan.have[article_id] = remote.RemoteTask(
            task_id, article_id, payload["meta"]["text_sha256"], payload["meta"]["data_sha256"]
        )
    plan.push.updated = len(plan.update)
    plan.push.forced = len(plan.refuse)


def _carry_out(
    conn: Connection,
    ledger: remote.Ledger,
    plans: list[_Plan],
    tasks: list[dict],
    metas: dict[str, dict],
    batch_size: int,
    progress: Progress | None,
    conns: dict[str, Connection],
) -> None:
    """Step 5: per project (through its coder's connection, ``conns``), change tasks in place, import the missing ones in batches, and
    record the project's tasks in the ledger."""
    tasks_by_article = {t["data"]["article_id"]: t for t in tasks}
    total = sum(len(p.missing) for p in plans)
    done = 0
    if progress:
        progress(0, total)
    for plan in plans:
        conn_of_project = conns.get(plan.push.coder, conn)
        pid = plan.push.project_id
        if plan.delete or plan.update or plan.refuse:
            ledger.forget_tasks(pid)  # tasks change in place: the record must not outlive it
        _change_tasks(conn_of_project, plan, tasks_by_article, metas)
        for batch in _batches(plan.missing, tasks_by_article, metas, batch_size):
            for task in import_batch(conn_of_project, pid, batch):
                plan.have[task.article_id] = task
            plan.push.imported += len(batch)
            done += len(batch)
            if progress:
                progress(done, total)
        ledger.set_tasks(pid, list(plan.have.values()) + plan.other)
        ledger.save()


def push(
    study: Study,
    conn: Connection,
    *,
    design: str | None = None,
    reliability_share: float | None = None,
    seed: int | None = None,
    force: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> PushResult:
    """Create/update the study's project(s) and import its tasks; see the module docstring."""
    if batch_size < 1:
        raise UserError(f"--batch-size {batch_size} must be at least 1")
    inputs = _read_inputs(study)
    drawn = _draw_design(study, inputs, design, reliability_share, seed)
    conns = organizations.coder_connections(study, conn, inputs.coders)
    if drawn.name == "shared":
        organizations.require_one_organization(conns, conn)
    ledger = remote.Ledger(study, conn.url)
    ensured = _ensure_projects(study, conn, ledger, inputs, drawn.name, conns)
    metas = {t["data"]["article_id"]: task_meta(t["data"]) for t in inputs.tasks}
    plans = _plan_projects(conn, ledger, ensured, drawn, metas, conns)
    if any(p.refuse for p in plans) and not force:
        raise _refusal(plans)
    _carry_out(conn, ledger, plans, inputs.tasks, metas, batch_size, progress, conns)
    return PushResult(
        design=drawn.name,
        reliability_share=drawn.share,
        seed=drawn.seed,
        coders=inputs.coders,
        assignment=drawn.assignment,
        projects=[p.push for p in plans],
    )
