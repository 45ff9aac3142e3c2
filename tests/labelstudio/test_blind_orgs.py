"""Blindness enforced: a server framestudy starts with ``--org-per-coder`` gives every coder
signed up through the invite link an organisation of their own (issue 16).

A study of its own, on its own embedded server started through
:mod:`framestudy.labelstudio.launch_label_studio`: ``coders add`` signs three coders up
(their tokens kept in ``.labelstudio/coder-tokens.json``), and each coder makes a project
with their own token. Then, with each coder's token, the others' projects are not listed,
and opening them, their tasks, their export and posting an annotation to one of their tasks
all fail; coder B logs in with a browser and sees only B's project. ``server status`` says
"blindness: enforced" there, "by convention" on the session's server (started without the
hook) and for an external server.
"""

from __future__ import annotations

import stat

import pytest
import requests

from framestudy import settings
from framestudy.labelstudio import server
from framestudy.labelstudio.client import connect_to
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.credentials import (
    coder_tokens_path,
    load_coder_passwords,
    load_coder_tokens,
)

from .conftest import (
    coder_emails,
    copy_template,
    make_study,
    no_external_env,
    run_cli,
    running_server,
)

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

CONFIG = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="relevant" toName="text"><Choice value="yes"/><Choice value="no"/></Choices>'
    "</View>"
)
RESULT = [
    {
        "from_name": "relevant",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["yes"]},
    }
]


def _get(url: str, token: str, path: str, **params) -> requests.Response:
    return requests.get(
        f"{url}{path}", headers={"Authorization": f"Token {token}"}, params=params, timeout=30
    )


@pytest.fixture(scope="module")
def blind(ls_template, tmp_path_factory):
    """(study, url, admin token, coders, {coder: token}, {coder: project id}, {coder: task id})."""
    root = tmp_path_factory.mktemp("blind-orgs")
    study = copy_template(ls_template, root)
    make_study(root, tasks=[], name="blindorgs")
    coders = coder_emails(3)
    with no_external_env(), running_server(study, org_per_coder=True) as ls:
        settings.add_coders(study, coders)  # listed in study.yaml, not yet signed up
        before = server.blindness(study)
        assert not before.enforced and "no API token of" in before.why
        assert "`framestudy coders add`" in before.why
        add_coders(study, ls.admin(), coders)
        tokens = load_coder_tokens(study)
        projects, tasks = {}, {}
        for coder in coders:
            conn = connect_to(ls.url, tokens[coder])
            project = conn.sdk.projects.create(title=f"blind {coder}", label_config=CONFIG)
            projects[coder] = int(project.id)
            conn.sdk.projects.import_tasks(
                id=project.id, request=[{"text": f"An article for {coder} only."}]
            )
            listed = _get(ls.url, tokens[coder], "/api/tasks/", project=project.id).json()
            tasks[coder] = int(listed["tasks"][0]["id"])
        yield study, ls.url, ls.token, coders, tokens, projects, tasks


def test_the_sign_up_hook_gives_each_coder_an_organisation_of_their_own(blind):
    """Pinned to label-studio 1.23.2: if Label Studio stops calling ``SAVE_USER`` at sign-up,
    the coders land in the admin's organisation and this fails."""
    _study, url, admin, coders, tokens, _projects, _tasks = blind
    orgs = [_get(url, t, "/api/current-user/whoami").json()["active_organization"]
            for t in [admin] + [tokens[c] for c in coders]]
    assert len(set(orgs)) == len(orgs), (
        f"organisations (admin first, then each coder): {orgs} -- label-studio "
        f"{server.label_studio_version()} no longer calls the SAVE_USER hook at sign-up "
        "(framestudy.labelstudio.launch_label_studio): blindness is NOT enforced"
    )


def test_coder_tokens_are_stored_privately_and_never_printed(blind):
    study, _url, _admin, coders, tokens, _projects, _tasks = blind
    assert sorted(tokens) == sorted(coders)
    assert stat.S_IMODE(coder_tokens_path(study).stat().st_mode) == 0o600
    assert set(load_coder_passwords(study)) == set(coders)


def test_a_coder_lists_only_their_own_project(blind):
    _study, url, _admin, coders, tokens, projects, _tasks = blind
    for coder in coders:
        listed = _get(url, tokens[coder], "/api/projects/", page_size=100).json()["results"]
        assert {p["id"] for p in listed} == {projects[coder]}, coder


@pytest.mark.parametrize("path", [
    "/api/projects/{pid}/",
    "/api/tasks/{tid}/",
    "/api/projects/{pid}/export",
])
def test_another_coders_project_its_tasks_and_export_are_refused(blind, path):
    _study, url, _admin, coders, tokens, projects, tasks = blind
    for reader in coders:
        for owner in coders:
            answer = _get(url, tokens[reader], path.format(pid=projects[owner], tid=tasks[owner]))
            if reader == owner:
                assert answer.status_code == 200, (path, answer.text[:200])
            else:
                assert answer.status_code in (403, 404), (reader, owner, path, answer.status_code)
    # listing another coder's tasks: refused, or (Label Studio's filter) an empty page
    a, b = coders[0], coders[1]
    listed = _get(url, tokens[b], "/api/tasks/", project=projects[a])
    assert listed.status_code in (403, 404) or listed.json().get("tasks") == []


def test_posting_an_annotation_to_another_coders_task_is_refused(blind):
    _study, url, _admin, coders, tokens, _projects, tasks = blind
    a, b = coders[0], coders[1]
    answer = requests.post(
        f"{url}/api/tasks/{tasks[a]}/annotations/",
        headers={"Authorization": f"Token {tokens[b]}"},
        json={"result": RESULT},
        timeout=30,
    )
    assert answer.status_code in (403, 404), answer.text[:200]
    mine = requests.post(
        f"{url}/api/tasks/{tasks[a]}/annotations/",
        headers={"Authorization": f"Token {tokens[a]}"},
        json={"result": RESULT},
        timeout=30,
    )
    assert mine.status_code == 201, mine.text[:200]
    after = _get(url, tokens[a], f"/api/tasks/{tasks[a]}/").json()
    authors = [x["completed_by"] for x in after["annotations"]]
    assert [a["id"] if isinstance(a, dict) else a for a in authors] == [
        _get(url, tokens[a], "/api/current-user/whoami").json()["id"]
    ]


def test_server_status_says_blindness_is_enforced(blind):
    study, *_ = blind
    verdict = server.blindness(study)
    assert verdict.enforced, verdict.why
    assert settings.coders(study)  # the verdict covered the study's coders


def test_in_a_browser_coder_b_sees_only_bs_project(blind):
    from tests.browser import browser_page

    from .test_labeling_screen import TIMEOUT_MS, login

    study, url, _admin, coders, tokens, projects, _tasks = blind
    a, b = coders[0], coders[1]
    password = load_coder_passwords(study)[b]
    with browser_page() as (page, _console, _requests):
        login(page, url, b, password)
        page.goto(f"{url}/projects/")
        # what the page's own session is given (the browser's cookies)
        listed = page.request.get(f"{url}/api/projects/?page_size=100").json()["results"]
        assert {p["id"] for p in listed} == {projects[b]}
        page.get_by_text(f"blind {b}").first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text(f"blind {a}").count() == 0
        # A's project by its address: its tasks are not shown
        with page.expect_response(
            lambda r: f"/api/projects/{projects[a]}" in r.url, timeout=TIMEOUT_MS
        ) as opened:
            page.goto(f"{url}/projects/{projects[a]}/data")
        assert opened.value.status in (403, 404)
        page.wait_for_timeout(2000)
        assert f"An article for {a} only." not in page.content()
        # nor do the API addresses the data manager would call, in the same session
        tasks = page.request.get(f"{url}/api/tasks/?project={projects[a]}")
        assert tasks.status in (403, 404)
        assert f"An article for {a} only." not in tasks.text()


def test_blindness_is_by_convention_without_the_hook_or_on_an_external_server(
    labelstudio, blind, monkeypatch
):
    with no_external_env():
        verdict = server.blindness(labelstudio.home)  # the session's server: no hook
    assert not verdict.enforced and "without one organisation per coder" in verdict.why
    monkeypatch.setenv("LABEL_STUDIO_URL", labelstudio.url)
    verdict = server.blindness(labelstudio.home)
    assert not verdict.enforced and "LABEL_STUDIO_URL" in verdict.why


def test_server_status_prints_the_verdict(blind, labelstudio):
    study, *_ = blind
    with no_external_env():
        done = run_cli("server", "status", cwd=study.root)
    assert done.returncode == 0, done.stderr
    assert "blindness: enforced" in done.stdout
    for token in load_coder_tokens(study).values():
        assert token not in done.stdout + done.stderr
    with no_external_env():
        done = run_cli("server", "status", cwd=labelstudio.home.root)
    assert "blindness: by convention" in done.stdout


def test_the_team_server_enforces_it_too(ls_team_template, tmp_path):
    """gunicorn loads the launcher's application: the same hook and permission."""
    root = tmp_path / "team"
    study = copy_template(ls_team_template, root)
    make_study(root, tasks=[], name="blindteam")
    coders = coder_emails(2)
    with no_external_env(), running_server(
        study, team=True, workers=2, org_per_coder=True
    ) as ls:
        add_coders(study, ls.admin(), coders)
        tokens = load_coder_tokens(study)
        a, b = (connect_to(ls.url, tokens[c]) for c in coders)
        assert len({a.organization_id, b.organization_id, ls.admin().organization_id}) == 3
        project = a.sdk.projects.create(title="blind team", label_config=CONFIG)
        assert _get(ls.url, b.token, f"/api/projects/{project.id}/").status_code == 404
        listed = _get(ls.url, b.token, "/api/tasks/", project=project.id)
        assert listed.status_code in (403, 404)
        assert server.blindness(study).enforced


def test_a_second_start_keeps_the_organisations_and_says_what_it_ignored(blind):
    study, *_ = blind
    with no_external_env():
        same = run_cli("server", "start", "--org-per-coder", cwd=study.root)
        other = run_cli("server", "start", "--one-organization", cwd=study.root)
    assert same.returncode == 0 and other.returncode == 0, same.stderr + other.stderr
    assert "already running" in same.stdout and "ignored" not in same.stdout
    assert "blindness: enforced" in same.stdout
    assert "--one-organization ignored" in other.stdout
