"""``framestudy adjudicate push|pull`` on a real Label Studio with one organisation per
account (the server framestudy starts): two coders disagree on two of the five articles;
the review project, in the adjudicator's own organisation and invisible to the coders,
holds those two, most disagreement first, each coder's version a prediction named by the
coder's pseudonym, seen as tabs in headless Chromium; the adjudicator's annotation comes back as a decision that
``framestudy outlets`` shows with provenance ``adjudicated``; second pushes and pulls
duplicate nothing; an article adjudicated twice keeps the latest."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy import settings
from framestudy.analysis.variable_agreement import articles_to_adjudicate
from framestudy.annotations import read_tidy
from framestudy.annotations.adjudicated import read_adjudicated
from framestudy.labelstudio import remote
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.schema.registry_file import read_registry
from tests.browser import ARTIFACTS, browser_page

from .conftest import (
    coder_connection,
    coder_emails,
    copy_template,
    make_study,
    no_external_env,
    run_cli,
    running_server,
)
from .test_labeling_screen import login

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def _choices(variable: str, *values: str) -> dict:
    return {"from_name": variable, "to_name": "text", "type": "choices",
            "value": {"choices": list(values)}}


#: what each coder codes, per article (by position in the sorted article ids)
CODINGS = {
    0: ([_choices("relevant", "yes"), _choices("genre", "OPINION"),
         _choices("blame_actors", "RUSSIA")],
        [_choices("relevant", "yes"), _choices("genre", "REPORTING"),
         _choices("blame_actors", "RUSSIA", "NATO")]),
    1: ([_choices("relevant", "yes"), _choices("genre", "ANALYSIS")],
        [_choices("relevant", "yes"), _choices("genre", "ANALYSIS")]),
    2: ([_choices("relevant", "yes")], [_choices("relevant", "no")]),
}


def _predictions(conn, project_id: int) -> list[dict]:
    return conn.call_json("listing predictions", conn.sdk.predictions.with_raw_response.list,
                          project=project_id)


def _line(result) -> str:
    return " ".join(result.stdout.split())


def test_disagreements_to_review_and_back_as_decisions(ls_template, tmp_path):
    root = tmp_path / "adjudicate"
    home = copy_template(ls_template, root)
    coders = coder_emails(2)
    judge = coder_emails(1)[0].replace("coder1", "judge")
    with no_external_env(), running_server(home, org_per_coder=True) as ls:
        study = make_study(root, name="adjudicate")
        # no adjudicator yet: one line saying how to add one
        refused = run_cli("adjudicate", "push", cwd=root)
        assert refused.returncode == 2, refused.stdout
        assert "coders add --adjudicator" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

        assert run_cli("coders", "add", *coders, cwd=root).returncode == 0
        added = run_cli("coders", "add", "--adjudicator", judge, cwd=root)
        assert added.returncode == 0, added.stderr
        assert settings.adjudicators(study) == [judge] and settings.coders(study) == coders
        pushed = run_cli("push", "--reliability-share", "1", cwd=root)
        assert pushed.returncode == 0, pushed.stderr

        projects = {r.coder: r.id for r in settings.projects(study, ls.url)}
        conns = {c: coder_connection(study, ls.url, c) for c in coders}
        articles = sorted(t.article_id for t in remote.list_tasks(conns[coders[0]],
                                                                  projects[coders[0]]))
        for position, versions in CODINGS.items():
            for coder, result in zip(coders, versions, strict=True):
                task = next(t for t in remote.list_tasks(conns[coder], projects[coder])
                            if t.article_id == articles[position])
                conns[coder].sdk.annotations.create(id=task.id, result=result, lead_time=5.0)
        for command in (("pull",), ("agreement", "--bootstrap", "50")):
            done = run_cli(*command, cwd=root)
            assert done.returncode == 0, done.stderr

        first = run_cli("adjudicate", "push", cwd=root)
        assert first.returncode == 0, first.stderr
        assert "2 articles added, 0 already there; 4 coders' versions added" in _line(first)
        own = coder_connection(study, ls.url, judge)
        title = settings.review_title("adjudicate")
        review = [p for p in own.sdk.projects.list() if p.title == title]
        assert len(review) == 1
        pid = review[0].id
        for coder in coders:  # the coders' tokens do not see it
            assert pid not in {p.id for p in conns[coder].sdk.projects.list()}
        tasks = remote.list_tasks(own, pid)
        # most disagreement first (the ranking of `agreement --disagreements`)
        ranking = articles_to_adjudicate(read_tidy(study.annotations_csv),
                                         read_registry(study.registry))
        assert sorted(ranking["article_id"]) == sorted([articles[0], articles[2]])
        assert [t.article_id for t in sorted(tasks, key=lambda t: t.id)] == list(
            ranking["article_id"])
        by_task = {t.id: t.article_id for t in tasks}
        items = _predictions(own, pid)
        versions = {(by_task[i["task"]], i["model_version"]) for i in items}
        assert len(items) == 4 and versions == {
            (a, v) for a in (articles[0], articles[2]) for v in ("coder 1", "coder 2")}
        genre_of = {i["model_version"]: [r["value"]["choices"] for r in i["result"]
                                         if r["from_name"] == "genre"]
                    for i in items if by_task[i["task"]] == articles[0]}
        assert genre_of == {"coder 1": [["OPINION"]], "coder 2": [["REPORTING"]]}
        project = own.call_json("reading", own.sdk.projects.with_raw_response.get, pid)
        assert not project["model_version"]  # every version reaches the labeling screen
        first_task = next(t.id for t in tasks if t.article_id == articles[0])
        shown = own.call_json("reading", own.sdk.tasks.with_raw_response.get, first_task)
        assert {p["model_version"] for p in shown["predictions"]} == {"coder 1", "coder 2"}

        _versions_on_screen(ls.url, judge, load_coder_passwords(study)[judge], pid, first_task)

        again = run_cli("adjudicate", "push", "--all", cwd=root)
        assert again.returncode == 0, again.stderr
        assert "0 articles added, 2 already there; 0 coders' versions added, 4 already" in (
            _line(again))
        assert len(remote.list_tasks(own, pid)) == 2 and len(_predictions(own, pid)) == 4

        # the adjudicator sides with coder 2 on genre and with coder 1 on the actors
        decided = [_choices("relevant", "yes"), _choices("genre", "REPORTING"),
                   _choices("blame_actors", "RUSSIA")]
        own.sdk.annotations.create(id=first_task, result=decided, lead_time=9.0)
        pulled = run_cli("adjudicate", "pull", "--timeout", "120", cwd=root)
        assert pulled.returncode == 0, pulled.stderr
        table = read_adjudicated(study.adjudicated_csv)
        assert set(table["article_id"]) == {articles[0]}
        assert set(table["adjudicator"]) == {judge} and set(table["times_adjudicated"]) == {1}
        values = {(r.variable, r.category): r.value for r in table.itertuples()}
        assert values[("genre", "")] == "REPORTING" and values[("relevant", "")] == "yes"
        assert values[("blame_actors", "RUSSIA")] == "present"
        assert values[("blame_actors", "NATO")] == "absent"
        assert values[("span", "BLAME")] == "absent"
        manifest = (root / "annotations" / "raw" / "manifest.json").read_text()
        assert f'"project_id": {pid}' in manifest

        outlets = run_cli("outlets", "--no-models", "--no-gate", cwd=root)
        assert outlets.returncode == 0, outlets.stderr
        consensus = pd.read_csv(root / "analysis" / "consensus.csv", dtype=str,
                                keep_default_na=False)
        mine = consensus[consensus["article_id"] == articles[0]]
        genre = mine[mine["variable"] == "genre"].iloc[0]
        assert (genre["value"], genre["provenance"]) == ("REPORTING", "adjudicated")
        actors = mine[mine["variable"] == "blame_actors"].set_index("category")
        assert actors.loc["NATO", "provenance"] == "adjudicated"
        assert actors.loc["NATO", "value"] == "absent"
        other = consensus[consensus["article_id"] == articles[2]]
        assert "adjudicated" not in set(other["provenance"])
        assert "annotations/adjudicated.csv" in (root / "analysis" / "outlets.json").read_text()

        before = study.adjudicated_csv.read_bytes()
        second = run_cli("adjudicate", "pull", cwd=root)
        assert second.returncode == 0, second.stderr
        assert "up to date" in _line(second) and study.adjudicated_csv.read_bytes() == before
        assert manifest == (root / "annotations" / "raw" / "manifest.json").read_text()

        # adjudicated again, later: the latest is kept and reported
        own.sdk.annotations.create(id=first_task, lead_time=4.0, result=[
            _choices("relevant", "yes"), _choices("genre", "OPINION")])
        third = run_cli("adjudicate", "pull", cwd=root)
        assert third.returncode == 0, third.stderr
        assert f"{articles[0]}: adjudicated 2 times" in _line(third)
        table = read_adjudicated(study.adjudicated_csv)
        values = {(r.variable, r.category): r.value for r in table.itertuples()}
        assert values[("genre", "")] == "OPINION"
        assert values[("blame_actors", "RUSSIA")] == "absent"
        assert set(table["times_adjudicated"]) == {2}


def _versions_on_screen(url, email, password, pid, task_id) -> None:
    """What the adjudicator sees in headless Chromium: logged in through the login page, an
    article opened from the review project's task list, every coder's version is a tab
    named by the coder's pseudonym beside the adjudicator's own, with Compare All to see
    them side by side. Screenshot: build/test-artifacts/adjudicate-review.png."""
    with browser_page(1280, 800) as (page, _console, _requests):
        login(page, url, email, password)
        with page.expect_response(lambda r: f"/api/tasks/{task_id}" in r.url,
                                  timeout=30_000) as answer:
            page.goto(f"{url}/projects/{pid}/data?task={task_id}")
        served = answer.value.json()
        assert sorted(p["model_version"] for p in served["predictions"]) == [
            "coder 1", "coder 2"]
        page.wait_for_selector(".lsf-htx-richtext .lsf-richtext__line", timeout=30_000)
        for name in ("coder 1", "coder 2", "Compare All"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "adjudicate-review.png"))
