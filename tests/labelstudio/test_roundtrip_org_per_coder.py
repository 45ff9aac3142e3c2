"""The round trip of ``test_roundtrip.py`` on a server with one organisation per coder.

A study's own embedded server started with ``--org-per-coder``: ``coders add`` signs three
coders up (each into an organisation of their own), ``push`` makes each coder's project in
the coder's organisation through the coder's token, the coders annotate with their own
tokens exactly as in ``test_roundtrip.py`` (the reliability article fully coded, a skip, a
draft), ``status`` counts them and ``pull`` gives the tidy table -- the same rows as the
design where everyone shares an organisation. The breach ``test_roundtrip.py`` makes on
purpose (a coder annotating in another's project) is refused here.
"""

from __future__ import annotations

import pandas as pd
import pytest
import requests

from framestudy import settings
from framestudy.annotations import read_tidy
from framestudy.labelstudio import accounts
from framestudy.labelstudio.client import connect_to
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.labelstudio.pull import pull
from framestudy.labelstudio.push import push
from framestudy.labelstudio.status import coding_status
from framestudy.schema import load_schema

from .conftest import (
    coder_emails,
    copy_template,
    make_study,
    no_external_env,
    own_token,
    run_cli,
    running_server,
)
from .test_roundtrip import SHORT, World, _table_rows, code_as_designed
from .test_upload import counts

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


@pytest.fixture(scope="module")
def world(ls_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip-orgs")
    home = copy_template(ls_template, root)
    coders = coder_emails(3)
    with no_external_env(), running_server(home, org_per_coder=True) as ls:
        study = make_study(root, name="roundtrip")
        added = run_cli("coders", "add", *coders, cwd=root)
        assert added.returncode == 0, added.stderr
        pushed = run_cli("push", cwd=root)
        assert pushed.returncode == 0, pushed.stderr
        status = run_cli("server", "status", cwd=root)
        assert "blindness: enforced" in status.stdout, status.stdout
        projects = {r.coder: r.id for r in settings.projects(study, ls.url)}
        assignment = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
        passwords = load_coder_passwords(study)
        conns = {}
        for email in coders:
            session = accounts.login(ls.url, email, passwords[email])
            conns[email] = connect_to(ls.url, own_token(session, ls.url))
        world = World(
            study, ls.url, coders, conns, projects, assignment,
            schema_hash=load_schema(study.schema_source).hash,
        )
        world.admin = ls.admin()
        yield world


def test_each_coder_sees_only_their_own_project_with_their_assignment(world):
    assert set(world.projects) == set(world.coders)
    assert len(set(c.organization_id for c in world.conns.values())) == 3
    for email in world.coders:
        conn = world.conns[email]
        listed = {p.id for p in conn.sdk.projects.list()}
        assert listed == {world.projects[email]}
        tasks = list(conn.sdk.tasks.list(project=world.projects[email], fields="all"))
        mine = world.assignment[world.assignment["coder"] == email]
        assert sorted(t.data["article_id"] for t in tasks) == sorted(mine["article_id"])
        for t in tasks:
            world.tasks[t.id] = {"data": t.data, "project": world.projects[email]}
    assert list(world.admin.sdk.projects.list()) == []  # the admin's organisation is empty


def test_coders_annotate_with_their_own_tokens_and_cannot_breach(world):
    _, _, skipped = code_as_designed(world)
    third = world.roles["third"]
    # the breach test_roundtrip.py makes on purpose is refused here
    breach = requests.post(
        f"{world.url}/api/tasks/{skipped}/annotations/",
        json={"result": SHORT},
        headers={"Authorization": f"Token {world.conns[third].token}"},
        timeout=30,
    )
    assert breach.status_code in (403, 404), breach.text[:200]


def test_status_counts_each_coder_in_their_organisation(world):
    frame = coding_status(world.study, world.admin)
    totals = frame.groupby("coder")[["tasks", "done", "skipped", "remaining", "foreign"]].sum()
    r = world.roles
    assert totals.loc[r["skipper"]].tolist() == [3, 2, 1, 0, 0]
    assert totals.loc[r["drafter"]].tolist() == [2, 1, 0, 1, 0]
    assert totals.loc[r["third"]].tolist() == [2, 2, 0, 0, 0]


def test_pull_gives_the_same_table_as_the_shared_organisation(world):
    with no_external_env():
        out = run_cli("pull", cwd=world.study.root)
    assert out.returncode == 0, out.stderr
    assert "1 cancelled" in out.stdout and "1 drafts" in out.stdout
    table = read_tidy(world.study.annotations_csv)
    assert _table_rows(table) == sorted(world.expected, key=repr)
    for rec in table.drop_duplicates("annotation_id").itertuples():
        made = world.created[int(rec.annotation_id)]
        assert pd.Timestamp(rec.created_at) == pd.Timestamp(made["created_at"])


def test_repush_through_the_admin_changes_nothing(world):
    result = push(world.study, world.admin)
    assert result.imported == 0
    assert all(p.updated == 0 and p.existing == p.assigned for p in result.projects)
    again = pull(world.study, world.admin)
    assert not any(e.new for e in again.exports)
    # the incremental pull reads each coder's project's signals through the coder's token:
    # nothing changed, nothing exported again
    assert not any(e.exported for e in again.exports)


def test_uploading_the_pulled_exports_finds_everything_already_there(world):
    """``annotations upload`` reaches each coder's project through the coder's token."""
    raw = sorted(str(p) for p in world.study.raw_exports_dir.glob("*_project-*.json"))
    with no_external_env():
        done = run_cli("annotations", "upload", *raw, cwd=world.study.root)
    assert done.returncode == 0, done.stdout + done.stderr
    submitted = sum(1 for a in world.created.values() if a["result"] or a["was_cancelled"])
    assert counts(done.stdout) == {"already there": submitted, "skipped: draft": 1}, done.stdout
