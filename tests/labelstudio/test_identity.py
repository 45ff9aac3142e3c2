"""An article keeps its identity when its text is corrected -- the whole path, real server.

build, push, a coder annotates, the researcher corrects the article file, build, push
(refused: the text was annotated), push --force (the same task updated in place), pull
(the annotation made on the old text is kept and marked stale), the coder re-checks and
updates it (no longer stale), and the export alone says the same (``annotations import``).
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from framestudy import settings
from framestudy.annotations import read_export, read_tidy, tidy_from_export
from framestudy.labelstudio import remote
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.pull import pull
from framestudy.schema import load_schema

from .conftest import coder_connection, coder_emails, make_study, run_cli

pytestmark = pytest.mark.labelstudio

ITALIAN = "003_d59e774d81fbca7a.txt"
ITALIAN_ID = "art-33d6018a83a4"
OTHER_ID = "art-d04414f23657"


def _choice(value: str) -> list[dict]:
    return [
        {
            "id": "d1",
            "from_name": "relevant",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [value]},
        }
    ]


def test_a_corrected_article_keeps_its_task_and_older_annotations_are_marked(tmp_path, ls_env):
    study = make_study(tmp_path / "s")  # the bundled five, built by `tasks build`
    env = ls_env.env()
    conn = ls_env.admin()
    [coder] = coder_emails(1)
    add_coders(study, conn, [coder])
    first = run_cli("push", cwd=study.root, env=env)
    assert first.returncode == 0, first.stderr
    (record,) = settings.projects(study, ls_env.url)
    tasks = {t.article_id: t.id for t in remote.list_tasks(conn, record.id)}
    assert len(tasks) == 5 and ITALIAN_ID in tasks
    task_id = tasks[ITALIAN_ID]

    mine = coder_connection(study, ls_env.url, coder)
    old = mine.sdk.annotations.create(id=task_id, result=_choice("yes"), lead_time=5.0).dict()
    mine.sdk.annotations.create(id=tasks[OTHER_ID], result=_choice("no"), lead_time=5.0)

    # the researcher corrects one word of the article file and rebuilds
    path = study.articles_dir / ITALIAN
    path.write_text(
        path.read_text(encoding="utf-8").replace("inadmissible and embarrassing", "inadmissible"),
        encoding="utf-8",
    )
    built = run_cli("tasks", "build", cwd=study.root)
    assert built.returncode == 0, built.stderr
    data = {t["data"]["article_id"]: t["data"] for t in json.loads(study.tasks_json.read_text())}
    assert set(data) == set(tasks)  # same ids: no new article
    assert data[ITALIAN_ID]["text_version"] != ITALIAN_ID.removeprefix("art-")

    refused = run_cli("push", cwd=study.root, env=env)
    assert refused.returncode == 2
    assert ITALIAN_ID in refused.stderr and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "inadmissible and embarrassing" in conn.sdk.tasks.get(id=str(task_id)).data["text"]

    forced = run_cli("push", "--force", cwd=study.root, env=env)
    assert forced.returncode == 0, forced.stderr
    after = {t.article_id: t.id for t in remote.list_tasks(conn, record.id)}
    assert after == tasks  # updated in place: same task ids, nothing imported
    server = conn.sdk.tasks.get(id=str(task_id))
    assert server.data["text"] == data[ITALIAN_ID]["text"]
    assert server.data["text_version"] == data[ITALIAN_ID]["text_version"]
    replaced_at = server.data["text_replaced_at"]
    assert datetime.fromisoformat(replaced_at) > old["updated_at"]  # the server's clock
    assert [a.id for a in conn.sdk.annotations.list(id=task_id)] == [old["id"]]  # kept

    again = run_cli("push", "--force", cwd=study.root, env=env)  # nothing left to replace
    assert again.returncode == 0, again.stderr
    assert conn.sdk.tasks.get(id=str(task_id)).data["text_replaced_at"] == replaced_at

    pulled = run_cli("pull", cwd=study.root, env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert "1 stale text" in pulled.stdout
    table = read_tidy(study.annotations_csv)
    stale = dict(zip(table["article_id"], table["stale_text"], strict=True))
    assert stale == {ITALIAN_ID: True, OTHER_ID: False}  # rows kept, the old one marked

    # the export alone carries it: `annotations import` of the saved raw export agrees
    exports = sorted(study.raw_exports_dir.glob("*_project-*.json"))
    schema = load_schema(study.schema_source)
    imported, report = tidy_from_export(read_export(exports[-1]), schema=schema)
    assert imported["stale_text"].tolist() == table["stale_text"].tolist()
    assert [r.annotation_id for r in report.stale_text] == [old["id"]]

    # the coder re-checks the annotation against the new text and updates it
    mine.sdk.annotations.update(id=old["id"], result=_choice("yes"))
    result = pull(study, conn)
    assert not result.report.stale_text and not result.table["stale_text"].any()
