"""A pull that scales with what changed, on the suite's real Label Studio.

A blind study of three coders (one project each, every article in every project) is pulled
once in full; then one thing at a time changes on the server -- an annotation updated in
place, a skip, a deletion, a new task, a draft, a deleted user -- and the next pull must export
exactly the project(s) it touched (counted by wrapping :func:`pull.export_project`, which
still runs), reuse the last raw export of the others, and give a table byte-identical to
a full pull's (``full=True``) on the same server state. Nothing changed: no export at all,
the manifest and the table untouched.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

import pytest

from framestudy.annotations.raw import manifest_path
from framestudy.annotations.table import sources_path
from framestudy.errors import UserError
from framestudy.labelstudio import pull as pull_mod
from framestudy.labelstudio.client import Connection
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.pull_ledger import ledger_path
from framestudy.labelstudio.push import push
from framestudy.schema import load_schema
from framestudy.settings import projects as recorded_projects
from framestudy.study import Study

from .conftest import (
    REPO,
    coder_connection,
    coder_emails,
    make_study,
    run_cli,
    synthetic_tasks,
)

pytestmark = pytest.mark.labelstudio


def relevant(value: str) -> list[dict]:
    return [
        {
            "id": "d1",
            "from_name": "relevant",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [value]},
        }
    ]


@dataclass
class World:
    study: Study
    admin: Connection
    coders: list[str]
    conns: dict[str, Connection]  # each coder's own connection
    projects: dict[str, int]  # coder -> project id
    annotations: dict[str, dict[int, int]]  # coder -> task id -> annotation id


@pytest.fixture(scope="module")
def world(labelstudio, tmp_path_factory) -> World:
    schema_hash = load_schema(REPO / "schemas" / "framing.yaml").hash
    root = tmp_path_factory.mktemp("incremental") / "study"
    study = make_study(root, tasks=synthetic_tasks(4, schema_hash=schema_hash))
    (root / "study.yaml").write_text(
        f"name: inc-{uuid.uuid4().hex[:8]}\nlabelstudio:\n  design: blind\n"
        "  reliability_share: 1.0\n  seed: 1\n",
        encoding="utf-8",
    )
    admin = labelstudio.admin()
    coders = coder_emails(3)
    add_coders(study, admin, coders)
    push(study, admin)
    projects = {r.coder: r.id for r in recorded_projects(study, labelstudio.url)}
    conns = {c: coder_connection(study, labelstudio.url, c) for c in coders}
    annotations: dict[str, dict[int, int]] = {}
    for coder, conn in conns.items():
        tasks = list(conn.sdk.tasks.list(project=projects[coder]))
        annotations[coder] = {}
        for task in sorted(tasks, key=lambda t: t.id)[:3]:  # the fourth stays open
            made = conn.sdk.annotations.create(id=task.id, result=relevant("yes"), lead_time=2.0)
            annotations[coder][task.id] = made.id
    return World(study, admin, coders, conns, projects, annotations)


@pytest.fixture
def exported(monkeypatch) -> list[int]:
    """The ids of the projects pull exports (the real export still runs)."""
    calls: list[int] = []
    real = pull_mod.export_project

    def counting(conn, project_id, timeout=pull_mod.EXPORT_TIMEOUT):
        calls.append(project_id)
        return real(conn, project_id, timeout)

    monkeypatch.setattr(pull_mod, "export_project", counting)
    return calls


def snapshot(study: Study) -> dict[str, bytes]:
    """Every file of annotations/ (raw exports, manifest, table, sources record)."""
    folder = study.annotations_csv.parent
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def pull_and_compare_with_full(world: World, exported: list[int]) -> tuple[list[int], object]:
    """An incremental pull, then a full pull on the same server state: the table, its
    sources record and the report must be the same bytes; returns what the incremental
    pull exported and its result."""
    result = pull_mod.pull(world.study, world.admin)
    changed = sorted(exported)
    incremental = world.study.annotations_csv.read_bytes()
    record = sources_path(world.study.annotations_csv).read_bytes()
    exported.clear()
    full = pull_mod.pull(world.study, world.admin, full=True)
    assert sorted(exported) == sorted(world.projects.values())  # --full exports every project
    assert not any(e.new for e in full.exports)  # ... and finds them all saved already
    assert world.study.annotations_csv.read_bytes() == incremental
    assert sources_path(world.study.annotations_csv).read_bytes() == record
    assert full.report.to_dict() == result.report.to_dict()
    exported.clear()
    return changed, result


def test_first_pull_exports_everything_then_nothing_changed_exports_nothing(world, exported):
    first = pull_mod.pull(world.study, world.admin)
    assert sorted(exported) == sorted(world.projects.values())
    assert first.rebuilt and first.report.used == 9 and first.report.problems == 0
    before = snapshot(world.study)
    mtime = world.study.annotations_csv.stat().st_mtime_ns
    exported.clear()

    again = pull_mod.pull(world.study, world.admin)
    assert exported == []  # no export requested
    assert not again.rebuilt and all(not e.exported and not e.new for e in again.exports)
    assert [e.path for e in again.exports] == [e.path for e in first.exports]
    assert snapshot(world.study) == before  # manifest, raw exports, table: untouched
    assert world.study.annotations_csv.stat().st_mtime_ns == mtime
    assert again.report.to_dict() == first.report.to_dict()
    assert again.table.equals(first.table)  # read back from the file when asked for


def test_an_annotation_updated_in_place_exports_only_its_project(world, exported):
    coder = world.coders[0]
    task_id, annotation_id = next(iter(world.annotations[coder].items()))
    before = snapshot(world.study)
    # an update changes no count on the server: only the task's updated_at shows it
    world.conns[coder].sdk.annotations.update(id=annotation_id, result=relevant("no"))
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == [world.projects[coder]]
    [new] = [e for e in result.exports if e.new]
    assert new.project.id == world.projects[coder] and new.exported
    assert all(not e.exported for e in result.exports if e is not new)
    for name, content in before.items():  # earlier files are never overwritten
        if name.startswith("raw/") and not name.endswith("manifest.json"):
            assert (world.study.annotations_csv.parent / name).read_bytes() == content
    table = result.table
    row = table[(table["annotation_id"] == annotation_id) & (table["variable"] == "relevant")]
    assert row["value"].tolist() == ["no"]


def test_a_skip_exports_only_its_project(world, exported):
    coder = world.coders[1]
    conn = world.conns[coder]
    open_task = max(t.id for t in conn.sdk.tasks.list(project=world.projects[coder]))
    conn.sdk.annotations.create(id=open_task, result=[], was_cancelled=True)
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == [world.projects[coder]]
    assert [r.task_id for r in result.report.cancelled] == [open_task]


def test_a_deletion_exports_only_its_project(world, exported):
    coder = world.coders[2]
    task_id, annotation_id = world.annotations[coder].popitem()
    world.conns[coder].sdk.annotations.delete(id=annotation_id)
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == [world.projects[coder]]
    assert annotation_id not in set(result.table["annotation_id"].dropna().astype(int))


def test_a_new_task_exports_only_its_project(world, exported):
    coder = world.coders[0]
    tasks_before = pull_mod.pull(world.study, world.admin).report.tasks
    exported.clear()
    [task] = synthetic_tasks(1, start=90)
    world.admin.sdk.projects.import_tasks(id=world.projects[coder], request=[task])
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == [world.projects[coder]]
    assert result.report.tasks == tasks_before + 1


def test_a_draft_exports_only_its_project(world, exported):
    coder = world.coders[2]
    conn = world.conns[coder]
    task_id = min(t.id for t in conn.sdk.tasks.list(project=world.projects[coder]))
    conn.raw_request(
        "POST",
        f"api/tasks/{task_id}/drafts",
        "saving a draft",
        content=json.dumps({"result": relevant("no"), "lead_time": 1.0}).encode(),
    )
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == [world.projects[coder]]
    assert [r.task_id for r in result.report.drafts] == [task_id]


def test_reading_settings_change_rebuilds_the_table_without_exporting(world, exported):
    table = world.study.annotations_csv
    pull_mod.pull(world.study, world.admin)
    exported.clear()
    with_foreign = pull_mod.pull(world.study, world.admin, include_foreign=True)
    assert exported == [] and with_foreign.rebuilt
    # a table edited by hand is rebuilt (from the same exports), byte for byte
    written = pull_mod.pull(world.study, world.admin)
    assert written.rebuilt and exported == []
    original = table.read_bytes()
    table.write_bytes(original.replace(b'"yes"', b'"no"'))
    fixed = pull_mod.pull(world.study, world.admin)
    assert fixed.rebuilt and exported == [] and table.read_bytes() == original


def test_a_deleted_user_makes_every_project_export(world, exported):
    coder = world.coders[1]
    stray = world.admin.sdk.users.create(
        username=f"stray{uuid.uuid4().hex[:6]}", email=f"stray.{uuid.uuid4().hex[:6]}@x.example"
    )
    task_id = next(iter(world.annotations[coder]))
    world.admin.sdk.annotations.create(
        id=task_id, result=relevant("no"), completed_by=stray.id, lead_time=1.0
    )
    pull_mod.pull(world.study, world.admin)
    assert exported == [world.projects[coder]]
    exported.clear()
    # deleting a user nulls completed_by without touching any task: every project is exported
    world.admin.sdk.users.delete(id=stray.id)
    changed, result = pull_and_compare_with_full(world, exported)
    assert changed == sorted(world.projects.values())
    assert [r.task_id for r in result.report.deleted_user] == [task_id]


def test_the_ledger_is_disposable_and_a_damaged_one_is_one_line(world, exported):
    path = ledger_path(world.study)
    data = json.loads(path.read_text())
    assert data["server"] == world.admin.url and set(data["projects"]) == {
        str(i) for i in world.projects.values()
    }
    before = snapshot(world.study)
    path.unlink()  # deleted: the next pull exports every project, and saves nothing new
    pull_mod.pull(world.study, world.admin)
    assert sorted(exported) == sorted(world.projects.values())
    assert snapshot(world.study) == before
    data = json.loads(path.read_text())
    project = next(iter(data["projects"]))
    data["projects"][project]["export"]["bytes"] = "many"
    path.write_text(json.dumps(data))
    with pytest.raises(UserError) as exc:
        pull_mod.pull(world.study, world.admin)
    text = str(exc.value)
    assert f"{path}: projects.{project}.export.bytes" in text and "delete the file" in text
    assert "\n" not in text
    path.unlink()


def test_cli_says_what_was_reused(world, labelstudio):
    env = labelstudio.env()
    first = run_cli("pull", cwd=world.study.root, env=env)
    assert first.returncode == 0, first.stderr
    out = run_cli("pull", cwd=world.study.root, env=env)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert text.count("no change since the last pull, reused") == 3
    assert "up to date, left as it was: annotations/annotations.csv" in text
    full = run_cli("pull", "--full", cwd=world.study.root, env=env)
    assert full.returncode == 0, full.stderr
    text = " ".join(full.stdout.split())
    assert text.count("unchanged, kept") == 3 and "wrote annotations/annotations.csv" in text
    digest = hashlib.sha256(world.study.annotations_csv.read_bytes()).hexdigest()
    sources = json.loads(sources_path(world.study.annotations_csv).read_text())
    assert sources["table_sha256"] == digest
    manifest = json.loads(manifest_path(world.study.raw_exports_dir).read_text())["exports"]
    assert len({(e["project_id"], e["sha256"]) for e in manifest}) == len(manifest)
