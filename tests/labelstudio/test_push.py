"""push on a real Label Studio: idempotence, interruption, duplicates, designs, changes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio import remote
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.pull import pull
from framestudy.labelstudio.push import push
from framestudy.study import Study
from framestudy.task_meta import task_meta, text_digest

from .conftest import coder_connection, coder_emails, make_study, run_cli, synthetic_tasks

pytestmark = pytest.mark.labelstudio


def with_coders(study: Study, coders: list[str]) -> None:
    """Record coders without accounts: push needs only their e-mails."""
    settings.add_coders(study, coders)


def article_counts(conn, project_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for task in remote.list_tasks(conn, project_id):
        counts[task.article_id] = counts.get(task.article_id, 0) + 1
    return counts


def assigned(study: Study, coder: str) -> list[str]:
    frame = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
    return sorted(frame.loc[frame["coder"] == coder, "article_id"])


def test_interrupted_push_then_push_again_gives_one_task_per_article(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(150))
    coders = coder_emails(2)
    with_coders(study, coders)
    conn = ls_env.admin()
    env = {**os.environ, **ls_env.env()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "framestudy", "push", "--batch-size", "1"],
        cwd=study.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed_at = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            records = settings.projects(study, ls_env.url)
            if len(records) == 2:
                count = sum(remote.fingerprint(conn, r.id)[0] for r in records)
                if count >= 10:
                    proc.send_signal(signal.SIGKILL)
                    killed_at = count
                    break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    records = settings.projects(study, ls_env.url)
    total = sum(len(assigned(study, c)) for c in coders)
    assert killed_at is not None and killed_at < total, "push finished before it was killed"
    partial = sum(remote.fingerprint(conn, r.id)[0] for r in records)
    assert 0 < partial < total

    result = push(study, conn)
    assert result.imported == total - partial
    for record in records:
        counts = article_counts(conn, record.id)
        assert sorted(counts) == assigned(study, record.coder)
        assert set(counts.values()) == {1}
    assert push(study, conn).imported == 0


def test_duplicates_left_on_the_server_are_removed_unless_annotated(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(6, outlets=1))
    coders = coder_emails(1)
    with_coders(study, coders)
    conn = ls_env.admin()
    push(study, conn, design="blind")
    (record,) = settings.projects(study, ls_env.url)
    tasks = {t["data"]["article_id"]: t for t in json.loads(study.tasks_json.read_text())}
    # what a push killed mid-request can leave behind: the same article imported twice,
    # once with framestudy's meta and once without (matched on data.article_id)
    conn.sdk.projects.import_tasks(
        id=record.id,
        request=[
            {"data": tasks["a0000"]["data"], "meta": task_meta(tasks["a0000"]["data"])},
            {"data": tasks["a0001"]["data"]},
            {"data": tasks["a0002"]["data"]},
        ],
    )
    # a duplicate someone already annotated is not deleted: it is reported
    by_id = {t.id: t for t in remote.list_tasks(conn, record.id)}
    dup2 = max(t.id for t in by_id.values() if t.article_id == "a0002")
    first2 = min(t.id for t in by_id.values() if t.article_id == "a0002")
    for task_id in (dup2, first2):
        conn.sdk.annotations.create(id=task_id, result=[], lead_time=1.0)
    result = push(study, conn)
    (project,) = result.projects
    assert project.listing == "listed"  # the ledger no longer matches the server
    assert project.duplicates_removed == 2 and project.duplicates_kept == ["a0002"]
    assert result.imported == 0
    counts = article_counts(conn, record.id)
    assert counts.pop("a0002") == 2 and set(counts.values()) == {1}


def test_ledger_shortcut_and_its_check(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(20))
    coders = coder_emails(2)
    with_coders(study, coders)
    conn = ls_env.admin()
    first = push(study, conn)
    assert {p.listing for p in first.projects} == {""}  # new projects: nothing to list
    second = push(study, conn)
    assert {p.listing for p in second.projects} == {"ledger"} and second.imported == 0
    # someone deletes a task on the server: the ledger is distrusted and the task restored
    victim = settings.projects(study, ls_env.url)[0]
    task = remote.list_tasks(conn, victim.id)[0]
    conn.sdk.tasks.delete(id=str(task.id))
    third = push(study, conn)
    assert third.projects[0].listing == "listed" and third.imported == 1
    assert sorted(article_counts(conn, victim.id)) == assigned(study, victim.coder)


def test_adding_articles_keeps_earlier_assignment_and_tasks(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(30))
    coders = coder_emails(3)
    with_coders(study, coders)
    conn = ls_env.admin()
    push(study, conn, reliability_share=0.2, seed=11)
    before = pd.read_csv(study.assignment, dtype=str)
    ids_before = {
        r.coder: {t.article_id: t.id for t in remote.list_tasks(conn, r.id)}
        for r in settings.projects(study, ls_env.url)
    }
    study.tasks_json.write_text(json.dumps(synthetic_tasks(45)))
    result = push(study, conn)  # the seed and share come from study.yaml
    assert result.seed == 11 and result.imported > 0
    after = pd.read_csv(study.assignment, dtype=str)
    old = after[after["article_id"].isin(before["article_id"])]
    key = ["article_id", "coder", "reliability"]
    assert old[key].sort_values(key).values.tolist() == before[key].sort_values(key).values.tolist()
    for record in settings.projects(study, ls_env.url):
        now = {t.article_id: t.id for t in remote.list_tasks(conn, record.id)}
        assert sorted(now) == assigned(study, record.coder)
        assert all(now[a] == i for a, i in ids_before[record.coder].items())  # same tasks


def test_unannotated_text_change_updates_the_task_in_place(tmp_path, ls_env):
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(4, outlets=1))
    with_coders(study, coder_emails(1))
    conn = ls_env.admin()
    push(study, conn)
    (record,) = settings.projects(study, ls_env.url)
    ids = {t.article_id: t.id for t in remote.list_tasks(conn, record.id)}
    tasks = json.loads(study.tasks_json.read_text())
    tasks[0]["data"]["text"] = "A corrected text."
    study.tasks_json.write_text(json.dumps(tasks))
    result = push(study, conn)
    assert result.projects[0].updated == 1 and result.imported == 0
    task = conn.sdk.tasks.get(id=str(ids["a0000"]))
    assert task.data["text"] == "A corrected text."
    assert task.meta["text_sha256"] == text_digest("A corrected text.")


def test_design_options_are_recorded_and_changes_refused(tmp_path, ls_env):
    """push --design/--reliability-share/--seed through the CLI: 5 articles at a share of
    0.5 give a reliability sample of 3 (2.5 rounded half up), coded by both coders; the
    design is recorded, and a later push with another seed or design is refused."""
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(5))
    coders = coder_emails(2)
    with_coders(study, coders)
    env = ls_env.env()
    first = run_cli("push", "--design", "blind", "--reliability-share", "0.5", "--seed", "5",
                    cwd=study.root, env=env)
    assert first.returncode == 0, first.stderr
    design = settings.design(study)
    assert (design.design, design.reliability_share, design.seed) == ("blind", 0.5, 5)
    frame = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
    reliability = frame[frame["reliability"] == "True"]
    assert reliability["article_id"].nunique() == 3
    assert reliability.groupby("article_id")["coder"].nunique().eq(2).all()
    assert (frame["reliability"] == "False").sum() == 2  # the other two, one coder each
    for args, names in ((("--seed", "6"), "--seed 5"), (("--design", "shared"), "design")):
        refused = run_cli("push", *args, cwd=study.root, env=env)
        assert refused.returncode == 2 and names in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert settings.design(study).seed == 5


def test_push_explains_missing_inputs(tmp_path, ls_env):
    conn = ls_env.admin()
    study = make_study(tmp_path / "a", tasks=synthetic_tasks(3))
    with pytest.raises(UserError, match="coders add"):
        push(study, conn)
    (study.root / "schemas" / "framing.xml").unlink()
    with pytest.raises(UserError, match="framing.xml: missing labeling config -- run"):
        push(study, conn)
    other = make_study(tmp_path / "b", tasks=[{"data": {"article_id": "x", "text": "t"}}] * 2)
    with_coders(other, coder_emails(1))
    with pytest.raises(UserError, match="'x' occurs in tasks 0 and 1"):
        push(other, conn)


def test_shared_design_with_spans_after_an_emoji(tmp_path, ls_env):
    """One project, maximum_annotations = 3 before import; offsets after an emoji are read
    as Label Studio stores them (code points) and as older exports do (UTF-16 units)."""
    tasks = synthetic_tasks(3, outlets=1)
    text = "Sanctions 🇺🇦 hit hard. NATO expanded east."
    tasks[0]["data"]["text"] = text
    study = make_study(tmp_path / "s", tasks=tasks)
    coders = coder_emails(3)
    conn = ls_env.admin()
    add_coders(study, conn, coders)
    result = push(study, conn, design="shared")
    (project,) = result.projects
    assert project.title.endswith(" · shared") and project.assigned == 3
    assert conn.sdk.projects.get(project.project_id).maximum_annotations == 3
    tasks_on_server = list(remote.iterate_tasks(conn, project.project_id, "id,overlap"))
    assert {t["overlap"] for t in tasks_on_server} == {3}  # set before import
    # two coders mark "NATO" after the flag emoji (2 code points, 4 UTF-16 units): the
    # first as Label Studio's screen saves it (code points), the second in UTF-16 units, as
    # releases before the code-point fix and some tools write it
    start = text.index("NATO")
    s16 = len(text[:start].encode("utf-16-le")) // 2
    assert s16 == start + 2
    task_id = next(
        t.id for t in remote.list_tasks(conn, project.project_id) if t.article_id == "a0000"
    )
    for email, at in zip(coders[:2], (start, s16), strict=True):
        mine = coder_connection(study, ls_env.url, email)
        mine.sdk.annotations.create(
            id=task_id,
            result=[
                {
                    "id": "r1",
                    "from_name": "span",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": at, "end": at + 4, "text": "NATO", "labels": ["PROMISE"]},
                }
            ],
        )
    pulled = pull(study, conn)
    spans = pulled.table[pulled.table["variable"] == "span"]
    assert sorted(spans["coder"]) == sorted(coders[:2])
    assert set(spans["span_start"]) == {start} and set(spans["span_end"]) == {start + 4}
    assert set(spans["span_text"]) == {"NATO"}
    assert not pulled.report.span_mismatch and not pulled.report.foreign
