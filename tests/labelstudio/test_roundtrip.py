"""The round trip a new user makes, on a real Label Studio started by the suite.

As the README says: the study's embedded server runs (here: the session's server, in its
home study), ``framestudy coders add`` gives three coders accounts, ``framestudy push``
creates one project per coder (blind design) with the five articles, each coder logs in and
finds the project named for them holding exactly their assignment, annotates **through the
API with their own token** (choices, a multi-select, an ordinal, spans with per-region
attributes; one skip, one draft, one annotation in someone else's project), and
``framestudy pull`` yields the tidy table -- which must equal exactly what was created.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd
import pytest
import requests

from framestudy import settings
from framestudy.annotations import read_tidy
from framestudy.annotations.table import read_sources
from framestudy.errors import UserError
from framestudy.labelstudio import accounts, remote
from framestudy.labelstudio.client import Connection, connect_to
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.labelstudio.pull import pull
from framestudy.labelstudio.push import push
from framestudy.labelstudio.status import coding_status
from framestudy.schema import load_schema

from .conftest import coder_emails, make_study, no_external_env, own_token, run_cli

pytestmark = pytest.mark.labelstudio

KEYS = [
    "article_id",
    "outlet",
    "coder",
    "variable",
    "value",
    "span_id",
    "span_start",
    "span_end",
    "span_text",
    "project_id",
    "task_id",
    "annotation_id",
    "lead_time",
    "schema_hash",
]


@dataclass
class World:
    study: object
    url: str
    coders: list[str]
    conns: dict[str, Connection]
    projects: dict[str, int]  # coder -> project id
    assignment: pd.DataFrame
    tasks: dict[int, dict] = field(default_factory=dict)  # task id -> task (data, project)
    expected: list[tuple] = field(default_factory=list)  # rows the table must hold
    foreign_rows: list[tuple] = field(default_factory=list)
    created: dict[int, dict] = field(default_factory=dict)  # annotation id -> server answer
    roles: dict[str, str] = field(default_factory=dict)
    schema_hash: str = ""


def full_result(text: str, coder_index: int) -> tuple[list[dict], list[tuple]]:
    """Every kind of result, and the (variable, value, span...) rows it must give."""
    start = text.index("NATO")
    end = start + len("NATO")
    span = text[start:end]
    region = f"reg{coder_index}"
    genre = ["REPORTING", "ANALYSIS", "REPORTING"][coder_index]
    ordinal = ["-1", "-2", "0"][coder_index]
    actors = [["RUSSIA", "NATO"], ["NATO"], ["US", "RUSSIA", "EU_WEST"]][coder_index]
    where = {"start": start, "end": end, "text": span}  # code points, as Label Studio stores
    result = [
        {
            "id": "d1",
            "from_name": "relevant",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["yes"]},
        },
        {
            "id": "d2",
            "from_name": "genre",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [genre]},
        },
        {
            "id": "d3",
            "from_name": "legit_nato_enlargement",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [ordinal]},
        },
        {
            "id": "d4",
            "from_name": "blame_actors",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": actors},
        },
        {
            "id": region,
            "from_name": "span",
            "to_name": "text",
            "type": "labels",
            "value": {**where, "labels": ["BLAME"]},
        },
        {
            "id": region,
            "from_name": "blame_target",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["RUSSIA", "NATO"]},
        },
        {
            "id": region,
            "from_name": "blame_outcome",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["WAR_OR_ESCALATION"]},
        },
        {
            "id": region,
            "from_name": "voice",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["ATTRIBUTED"]},
        },
    ]
    none = (None, None, None, None)
    sp = (region, start, end, span)
    rows = [
        ("relevant", "yes", *none),
        ("genre", genre, *none),
        ("legit_nato_enlargement", ordinal, *none),
        *[("blame_actors", a, *none) for a in actors],
        ("span", "BLAME", *sp),
        ("blame_target", "RUSSIA", *sp),
        ("blame_target", "NATO", *sp),
        ("blame_outcome", "WAR_OR_ESCALATION", *sp),
        ("voice", "ATTRIBUTED", *sp),
    ]
    return result, rows


SHORT = [
    {
        "id": "d1",
        "from_name": "relevant",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["no"]},
    }
]


@pytest.fixture(scope="module")
def world(labelstudio) -> World:
    home = labelstudio.home
    study = make_study(home.root, name="roundtrip")
    coders = coder_emails(3)
    with no_external_env():
        added = run_cli("coders", "add", *coders, cwd=home.root)
        assert added.returncode == 0, added.stderr
        pushed = run_cli("push", cwd=home.root)
        assert pushed.returncode == 0, pushed.stderr
    assert "roundtrip · " in pushed.stdout
    projects = {r.coder: r.id for r in settings.projects(study, labelstudio.url)}
    assignment = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
    # each coder logs in with the password framestudy stored, and uses their own token
    passwords = load_coder_passwords(study)
    conns = {}
    for email in coders:
        session = accounts.login(labelstudio.url, email, passwords[email])
        conns[email] = connect_to(labelstudio.url, own_token(session, labelstudio.url))
        assert conns[email].user_email == email
    schema_hash = load_schema(study.schema_source).hash
    return World(
        study, labelstudio.url, coders, conns, projects, assignment, schema_hash=schema_hash
    )


def _tasks_of(conn: Connection, project_id: int) -> list[dict]:
    return [t for t in conn.sdk.tasks.list(project=project_id, fields="all")]


def test_each_coder_finds_the_project_named_for_them_with_exactly_their_assignment(world):
    assert set(world.projects) == set(world.coders)
    reliability = set(world.assignment.loc[world.assignment["reliability"] == "True", "article_id"])
    assert len(reliability) == 1  # 20% of 5 articles
    for email in world.coders:
        conn = world.conns[email]  # logged in as the coder, not the admin
        titles = {p.title: p.id for p in conn.sdk.projects.list()}
        title = f"roundtrip · {email}"
        assert titles[title] == world.projects[email]
        mine = world.assignment[world.assignment["coder"] == email]
        assert set(mine["project"]) == {title}
        tasks = _tasks_of(conn, world.projects[email])
        ids = sorted(t.data["article_id"] for t in tasks)
        assert ids == sorted(mine["article_id"])  # exactly the assignment, once each
        assert reliability <= set(ids)
        for t in tasks:
            world.tasks[t.id] = {"data": t.data, "project": world.projects[email]}
    # all five articles coded; the non-reliability ones by exactly one coder
    assert world.assignment["article_id"].nunique() == 5
    project = world.conns[world.coders[0]].sdk.projects.get(world.projects[world.coders[0]])
    assert project.maximum_annotations == 1
    assert "<h" in (project.expert_instruction or "")  # the codebook as the instructions


def _row(world, task_id, coder, ann, variable, value, sid, s, e, text):
    data = world.tasks[task_id]["data"]
    return (
        data["article_id"],
        data["outlet"],
        coder,
        variable,
        value,
        sid,
        s,
        e,
        text,
        world.tasks[task_id]["project"],
        task_id,
        ann["id"],
        ann["lead_time"],
        world.schema_hash,
    )


def code_as_designed(world):
    """Every coder codes their reliability article in full, the skipper skips one of their
    own articles and codes the other briefly, the drafter saves a draft only, the third coder
    codes their own article briefly -- each through their own token. Returns
    ``(annotate, own, skipped)``: the annotating function, each coder's non-reliability
    tasks and the skipped task (for a test's breach attempt)."""
    rel = set(world.assignment.loc[world.assignment["reliability"] == "True", "article_id"])
    own: dict[str, list[int]] = {}
    for email in world.coders:
        own[email] = sorted(
            tid
            for tid, t in world.tasks.items()
            if t["project"] == world.projects[email] and t["data"]["article_id"] not in rel
        )
    # roles by the size of each coder's share: the one with two articles skips one
    order = sorted(world.coders, key=lambda c: (-len(own[c]), world.coders.index(c)))
    skipper, drafter, third = order
    world.roles = {"skipper": skipper, "drafter": drafter, "third": third}

    def annotate(email, task_id, result, rows=None, *, lead=12.5, cancelled=False):
        conn = world.conns[email]
        ann = conn.sdk.annotations.create(
            id=task_id, result=result, lead_time=lead, was_cancelled=cancelled
        ).dict()
        assert ann["completed_by"] == conn.user_id  # attributed by the coder's own token
        world.created[ann["id"]] = ann
        return [_row(world, task_id, email, ann, *r) for r in (rows or [])]

    for i, email in enumerate(world.coders):
        rel_task = next(
            tid
            for tid, t in world.tasks.items()
            if t["project"] == world.projects[email] and t["data"]["article_id"] in rel
        )
        result, rows = full_result(world.tasks[rel_task]["data"]["text"], i)
        world.expected += annotate(email, rel_task, result, rows, lead=30.0 + i)

    skipped, kept = own[skipper]
    annotate(skipper, skipped, [], cancelled=True)  # a skip
    world.expected += annotate(skipper, kept, SHORT, [("relevant", "no", None, None, None, None)])
    # the drafter saves a draft only (the SDK has no drafts call: plain HTTP, own token)
    (draft_task,) = own[drafter]
    response = requests.post(
        f"{world.url}/api/tasks/{draft_task}/drafts",
        json={"result": SHORT, "lead_time": 3.0},
        headers={"Authorization": f"Token {world.conns[drafter].token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    (third_task,) = own[third]
    world.expected += annotate(
        third, third_task, SHORT, [("relevant", "no", None, None, None, None)]
    )
    return annotate, own, skipped


def test_coders_annotate_with_their_own_tokens(world):
    annotate, own, skipped = code_as_designed(world)
    assert len(own[world.roles["skipper"]]) == 2
    third = world.roles["third"]
    # a breach of the blind design: the third coder annotates in the skipper's project
    world.foreign_rows += annotate(
        third, skipped, SHORT, [("relevant", "no", None, None, None, None)]
    )


def test_status_counts_done_skipped_remaining_per_coder(world):
    frame = coding_status(world.study, world.conns[world.coders[0]])  # any token can read
    totals = frame.groupby("coder")[["tasks", "done", "skipped", "remaining", "foreign"]].sum()
    r = world.roles
    assert totals.loc[r["skipper"]].tolist() == [3, 2, 1, 0, 1]
    assert totals.loc[r["drafter"]].tolist() == [2, 1, 0, 1, 0]
    assert totals.loc[r["third"]].tolist() == [2, 2, 0, 0, 0]
    # per outlet: each row's counts add up
    assert (frame["done"] + frame["skipped"] + frame["remaining"] == frame["tasks"]).all()
    # the same through the CLI: one row per coder and outlet, and the breach named
    with no_external_env():
        out = run_cli("status", cwd=world.study.root)
    assert out.returncode == 0, out.stderr
    assert all(email in out.stdout for email in world.coders)
    assert "foreign:" in out.stdout and "--include-foreign" in out.stdout


def _table_rows(table: pd.DataFrame) -> list[tuple]:
    out = []
    for rec in table.loc[:, KEYS].itertuples(index=False):
        out.append(
            tuple(
                None
                if pd.isna(v)
                else (
                    int(v)
                    if isinstance(v, float)
                    and k in ("span_start", "span_end", "project_id", "task_id", "annotation_id")
                    else v
                )
                for k, v in zip(KEYS, rec, strict=True)
            )
        )
    return sorted(out, key=repr)


def test_pull_gives_exactly_what_was_created(world):
    with no_external_env():
        out = run_cli("pull", cwd=world.study.root)
    assert out.returncode == 0, out.stderr
    assert "1 cancelled" in out.stdout and "1 drafts" in out.stdout and "1 foreign" in out.stdout
    table = read_tidy(world.study.annotations_csv)
    assert _table_rows(table) == sorted(world.expected, key=repr)
    # timestamps are the server's, per annotation
    for rec in table.drop_duplicates("annotation_id").itertuples():
        made = world.created[int(rec.annotation_id)]
        assert pd.Timestamp(rec.created_at) == pd.Timestamp(made["created_at"])
        assert pd.Timestamp(rec.updated_at) == pd.Timestamp(made["updated_at"])
    # raw exports: one per project, byte-for-byte what the server sent, listed with sha256
    manifest = json.loads((world.study.raw_exports_dir / "manifest.json").read_text())
    entries = manifest["exports"]
    assert sorted(e["project_id"] for e in entries) == sorted(world.projects.values())
    for e in entries:
        raw = (world.study.raw_exports_dir / e["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == e["sha256"] and len(raw) == e["bytes"]
        tasks = json.loads(raw)
        assert {t["project"] for t in tasks} == {e["project_id"]}
    # the table's sources record: exactly these exports, and the table as written
    sources = read_sources(world.study.annotations_csv)
    assert sorted(s.sha256 for s in sources.exports) == sorted(e["sha256"] for e in entries)
    assert all(s.file.startswith("raw/") for s in sources.exports)
    assert sources.table_sha256 == hashlib.sha256(
        world.study.annotations_csv.read_bytes()
    ).hexdigest()


def test_pull_again_saves_nothing_new_and_keeps_earlier_exports(world):
    conn = world.conns[world.coders[0]]
    before = {p.name: p.read_bytes() for p in world.study.raw_exports_dir.glob("*.json")}
    result = pull(world.study, conn)
    assert not any(e.new for e in result.exports)
    after = {p.name: p.read_bytes() for p in world.study.raw_exports_dir.glob("*.json")}
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    # a new annotation changes one project's export: a new file, the old one untouched
    drafter = world.roles["drafter"]
    (draft_task,) = [
        tid
        for tid, t in world.tasks.items()
        if t["project"] == world.projects[drafter] and not any(r[10] == tid for r in world.expected)
    ]
    ann = (
        world.conns[drafter]
        .sdk.annotations.create(id=draft_task, result=SHORT, lead_time=4.0)
        .dict()
    )
    world.expected.append(
        _row(world, draft_task, drafter, ann, "relevant", "no", None, None, None, None)
    )
    result = pull(world.study, conn)
    new = [e for e in result.exports if e.new]
    assert [e.project.id for e in new] == [world.projects[drafter]]
    for name, content in before.items():
        if name != "manifest.json":
            assert (world.study.raw_exports_dir / name).read_bytes() == content
    assert _table_rows(result.table) == sorted(world.expected, key=repr)
    # the blind breach is kept out unless asked for (through the CLI: pull --include-foreign)
    with no_external_env():
        out = run_cli("pull", "--include-foreign", "--timeout", "120", cwd=world.study.root)
    assert out.returncode == 0, out.stderr
    assert "1 foreign" in out.stdout
    with_foreign = read_tidy(world.study.annotations_csv)
    assert _table_rows(with_foreign) == sorted(world.expected + world.foreign_rows, key=repr)


def test_repush_changes_nothing(world):
    admin = world.conns[world.coders[0]]
    result = push(world.study, admin)
    assert result.imported == 0
    assert all(p.updated == 0 and p.existing == p.assigned for p in result.projects)
    assert not any(p.settings_updated for p in result.projects)
    for email, pid in world.projects.items():
        ids = [t.article_id for t in remote.list_tasks(admin, pid)]
        assert sorted(ids) == sorted(
            world.assignment.loc[world.assignment["coder"] == email, "article_id"]
        )


def test_changed_text_of_an_annotated_article_is_refused_unless_forced(world):
    conn = world.conns[world.coders[0]]
    tasks = json.loads(world.study.tasks_json.read_text())
    rel = world.assignment.loc[world.assignment["reliability"] == "True", "article_id"].iloc[0]
    for task in tasks:
        if task["data"]["article_id"] == rel:
            task["data"]["text"] = "Edited. " + task["data"]["text"]
    world.study.tasks_json.write_text(json.dumps(tasks))
    with pytest.raises(UserError) as exc:
        push(world.study, conn)
    assert "3 article(s) changed their text after they were annotated" in str(exc.value)
    assert rel in str(exc.value) and "--force" in str(exc.value)
    result = push(world.study, conn, force=True)
    assert sum(p.forced for p in result.projects) == 3 and result.imported == 0
    # the annotations' spans now point into the old text: pull says so, keeps the rows
    pulled = pull(world.study, conn)
    assert len(pulled.report.span_mismatch) == 3
    # and every annotation saved on the old text is marked stale, its rows kept
    forced = pulled.table[pulled.table["article_id"] == rel]
    assert len(forced) and forced["stale_text"].all()
    assert not pulled.table.loc[pulled.table["article_id"] != rel, "stale_text"].any()
    assert len(pulled.report.stale_text) == 3
