"""``framestudy model push`` on a real Label Studio: the model's suggestions become
predictions of the tasks nobody has coded, tagged with the model version and shown as the
projects' pre-annotation; a second push duplicates nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from framestudy import settings
from framestudy.labelstudio import remote
from framestudy.labelstudio.push import push
from framestudy.model import store
from framestudy.model.run import run_push, run_train
from framestudy.schema import load_schema
from framestudy.simulation import resolve_scenario, simulate_study
from framestudy.study import Study

from .conftest import (
    REPO,
    coder_connection,
    coder_emails,
    copy_template,
    no_external_env,
    run_cli,
    running_server,
)

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def trained_study(tmp_path_factory) -> Path:
    """A simulated study (2 outlets x 40 articles) with a model trained on it."""
    root = tmp_path_factory.mktemp("model-push") / "sim"
    schema = REPO / "schemas" / "framing.yaml"
    scenario = resolve_scenario(load_schema(schema), None, outlets=2, articles_per_outlet=40,
                                coders=3, seed=2)
    simulate_study(root, scenario, schema, truth_units=0)
    run_train(Study(root), n_boot=20)
    return root


def _fresh_study(trained: Path, root: Path, coders: list[str]) -> Study:
    """The same articles, schema and model in a study nobody has coded yet."""
    for folder in ("schemas", "models"):
        shutil.copytree(trained / folder, root / folder)
    (root / "tasks").mkdir()
    shutil.copy(trained / "tasks" / "tasks.json", root / "tasks" / "tasks.json")
    (root / "study.yaml").write_text(f"name: model-{root.parent.name[-6:]}\n", encoding="utf-8")
    study = Study(root)
    settings.add_coders(study, coders)
    return study


def _predictions(conn, project_id: int) -> list[dict]:
    return conn.call_json("listing predictions", conn.sdk.predictions.with_raw_response.list,
                          project=project_id)


def test_predictions_reach_uncoded_tasks_once_with_the_model_version(
        trained_study, tmp_path, ls_env):
    coders = coder_emails(2)
    study = _fresh_study(trained_study, tmp_path / "study", coders)
    conn = ls_env.admin()
    pushed_tasks = push(study, conn)
    version = json.loads((study.root / "models" / "model.json").read_text())["model_version"]
    records = settings.projects(study, conn.url)
    assert len(records) == 2
    assignment = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
    reliability = set(assignment.loc[assignment["reliability"] == "True", "article_id"])
    assert reliability and pushed_tasks.imported == len(assignment)

    # one task is coded before the model push: it gets no suggestion
    first = records[0]
    tasks = remote.list_tasks(conn, first.id)
    coded = next(t for t in tasks if t.article_id not in reliability)
    conn.sdk.annotations.create(id=coded.id, result=[{
        "from_name": "relevant", "to_name": "text", "type": "choices",
        "value": {"choices": ["yes"]}}], lead_time=3.0)

    # another model's prediction, whose version contains this one's: not this model's
    other = next(t for t in tasks if t.article_id not in reliability and t.id != coded.id)
    conn.sdk.projects.import_predictions(id=first.id, request=[{
        "task": other.id, "model_version": version + "-older", "result": [{
            "from_name": "relevant", "to_name": "text", "type": "choices",
            "value": {"choices": ["no"]}}]}])

    done = run_push(study, lambda: conn)
    assert done.push.model_version == version
    total_tasks = sum(p.tasks for p in done.push.projects)
    held = sum(p.held_back for p in done.push.projects)
    assert held == len(assignment[assignment["article_id"].isin(reliability)])
    assert sum(p.annotated for p in done.push.projects) == 1
    assert done.push.n_pushed + held + 1 + sum(p.no_suggestion for p in done.push.projects) \
        == total_tasks
    assert done.push.n_pushed > 0.8 * (total_tasks - held - 1)

    seen = {}
    for record in records:
        items = _predictions(conn, record.id)
        if record.id == first.id:
            older = [item for item in items if item["model_version"] != version]
            assert [item["task"] for item in older] == [other.id]
            items = [item for item in items if item["model_version"] == version]
            assert other.id in {item["task"] for item in items}
        task_ids = [item["task"] for item in items]
        assert len(task_ids) == len(set(task_ids))  # one prediction per task
        assert {item["model_version"] for item in items} == {version}
        for item in items:
            assert item["result"] and all(r["to_name"] == "text" for r in item["result"])
        by_article = {t.id: t.article_id for t in remote.list_tasks(conn, record.id)}
        assert not {by_article[t] for t in task_ids} & reliability
        assert coded.id not in task_ids
        seen[record.id] = len(items)
        project = conn.call_json("reading the project", conn.sdk.projects.with_raw_response.get,
                                 record.id)
        assert project["model_version"] == version and project["show_collab_predictions"]
    assert sum(seen.values()) == done.push.n_pushed

    recorded = pd.read_csv(study.root / "models" / store.PREDICTIONS_FILE, dtype=str)
    assert set(recorded["model_version"]) == {version}
    assert set(recorded["article_id"]) == set(done.push.pushed["article_id"])

    # again, from the command line: nothing new, nothing duplicated
    again = run_cli("model", "push", cwd=study.root, env=ls_env.env())
    assert again.returncode == 0, again.stderr
    assert f"0 predictions pushed, {done.push.n_pushed} already there" in " ".join(
        again.stdout.split()), again.stdout
    for record in records:
        assert len(_predictions(conn, record.id)) == seen[record.id] + (record.id == first.id)

    # --include-reliability: now the reliability sample's tasks get the suggestion too
    more = run_cli("model", "push", "--include-reliability", cwd=study.root, env=ls_env.env())
    assert more.returncode == 0, more.stderr
    reliability_tasks = sum(
        1 for record in records for t in remote.list_tasks(conn, record.id)
        if t.article_id in reliability)
    assert (f"{reliability_tasks} predictions pushed, {done.push.n_pushed} already there"
            in " ".join(more.stdout.split())), more.stdout
    for record in records:
        by_article = {t.id: t.article_id for t in remote.list_tasks(conn, record.id)}
        mine = [i for i in _predictions(conn, record.id) if i["model_version"] == version]
        assert len(mine) == len({i["task"] for i in mine})
        assert {by_article[i["task"]] for i in mine} & reliability

    # a later push of the tasks leaves the pre-annotation on
    assert push(study, conn).imported == 0
    for record in records:
        project = conn.call_json("reading the project", conn.sdk.projects.with_raw_response.get,
                                 record.id)
        assert project["model_version"] == version and project["show_collab_predictions"]


def test_push_reaches_each_coders_project_in_their_own_organisation(
        trained_study, ls_template, tmp_path):
    """On the server framestudy starts (one organisation per coder) the admin's token sees
    none of the coders' projects: ``model push`` fills each through the coder's own token,
    and a second push duplicates nothing."""
    root = tmp_path / "orgs"
    home = copy_template(ls_template, root)
    coders = coder_emails(2)
    with no_external_env(), running_server(home, org_per_coder=True) as ls:
        study = _fresh_study(trained_study, root, [])
        added = run_cli("coders", "add", *coders, cwd=root)
        assert added.returncode == 0, added.stderr
        pushed = run_cli("push", cwd=root)
        assert pushed.returncode == 0, pushed.stderr
        records = {r.coder: r.id for r in settings.projects(study, ls.url)}
        assert set(records) == set(coders)
        assert not {p.id for p in ls.admin().sdk.projects.list()} & set(records.values())

        first = run_cli("model", "push", cwd=root)
        assert first.returncode == 0, first.stderr
        version = json.loads((root / "models" / "model.json").read_text())["model_version"]
        counts = {}
        for coder in coders:
            own = coder_connection(study, ls.url, coder)
            items = _predictions(own, records[coder])
            assert items and {item["model_version"] for item in items} == {version}
            assert len({item["task"] for item in items}) == len(items)
            project = own.call_json("reading the project",
                                    own.sdk.projects.with_raw_response.get, records[coder])
            assert project["model_version"] == version and project["show_collab_predictions"]
            counts[coder] = len(items)
        n_pushed = sum(counts.values())
        assert f"{n_pushed} predictions pushed, 0 already there" in " ".join(
            first.stdout.split()), first.stdout

        again = run_cli("model", "push", cwd=root)
        assert again.returncode == 0, again.stderr
        assert f"0 predictions pushed, {n_pushed} already there" in " ".join(
            again.stdout.split()), again.stdout
        for coder in coders:
            own = coder_connection(study, ls.url, coder)
            assert len(_predictions(own, records[coder])) == counts[coder]


@pytest.mark.slow
def test_a_coder_opens_a_task_with_the_suggestion_already_ticked(trained_study, ls_env,
                                                                 tmp_path):
    """What a coder sees, in headless Chromium: the task Label Studio serves comes with the
    model's answers ticked (the prediction as the pre-filled annotation), to correct."""
    from framestudy.labelstudio.credentials import load_coder_passwords
    from tests.browser import ARTIFACTS, browser_page

    from .test_labeling_screen import HEIGHT, TIMEOUT_MS, WIDTH, choice, login, open_own_project

    root = tmp_path / "screen"
    study = _fresh_study(trained_study, root, [])
    (coder,) = coder_emails(1)
    for args in (("coders", "add", coder), ("push",),
                 ("model", "push", "--include-reliability")):
        done = run_cli(*args, cwd=root, env=ls_env.env())
        assert done.returncode == 0, done.stderr
    version = json.loads((root / "models" / "model.json").read_text())["model_version"]
    (record,) = settings.projects(study, ls_env.url)
    schema = load_schema(study.schema_source)
    with browser_page(WIDTH, HEIGHT) as (page, _console, _requests):
        page.set_default_timeout(TIMEOUT_MS)
        login(page, ls_env.url, coder, load_coder_passwords(study)[coder])
        task = open_own_project(page, ls_env.url, record.title)
        (prediction,) = [p for p in _predictions(ls_env.admin(), record.id)
                         if p["task"] == task["id"]]
        assert prediction["model_version"] == version
        ticked = 0
        for item in prediction["result"]:
            if item["type"] != "choices":
                continue
            var = next(v for v in schema.variables if v.id == item["from_name"])
            question = f"{var.code}. {var.question}" if var.code else var.question
            for value in schema.values(var):
                box = choice(page, question, value.display)
                box.wait_for(state="attached")
                assert box.is_checked() == (value.id in item["value"]["choices"]), (
                    question, value.display)
                ticked += value.id in item["value"]["choices"]
        assert ticked >= 2
        page.evaluate("document.querySelector('.fs-questions').scrollTop = 0")
        page.screenshot(path=str(ARTIFACTS / "labeling-screen-suggestion.png"))
