"""The team server on real servers: Label Studio on the study's own PostgreSQL, served by
gunicorn workers; --host and its guard; moving a SQLite study to it with everything kept."""

from __future__ import annotations

import json
import shutil
import socket
import stat
from pathlib import Path

import pytest
import requests

from framestudy.labelstudio import accounts, postgres, server, team
from framestudy.labelstudio.credentials import load_admin, load_coder_passwords
from framestudy.study import Study

from .conftest import (
    copy_template,
    make_study,
    no_external_env,
    own_token,
    run_cli,
    synthetic_tasks,
)

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            fields = text[text.rfind(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rfind(")") + 2 :].split()[0] != "Z"


def _outside_address() -> str | None:
    """An address of this computer that is not loopback (None if it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


# -- the running team server --------------------------------------------------------------


def test_team_server_is_label_studio_on_postgres_with_several_workers(labelstudio_team):
    home = labelstudio_team.home
    state = server.status(home)
    assert state.running and state.answering
    info = state.info
    assert info.team and info.workers == 2 and info.database.startswith("PostgreSQL ")
    assert info.describe() == f"{info.database}, gunicorn with 2 workers"
    # gunicorn's master with its two workers, titled with the study's data folder
    workers = _children(info.pid)
    assert len(workers) == 2
    for pid in (info.pid, *workers):
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        assert "gunicorn" in title and str(server.data_dir(home)) in title
    # the study's own cluster, on 127.0.0.1 only, owned by the study's files
    pg_port = postgres.running_port(home)
    assert pg_port == info.postgres_port
    pg_pid = postgres.postmaster_pid(home)
    assert pg_pid and str(postgres.cluster_dir(home)) in Path(f"/proc/{pg_pid}/cmdline").read_text()
    assert not (server.data_dir(home) / team.SQLITE_NAME).exists()  # no SQLite in use
    # what the API writes lands in PostgreSQL
    conn = labelstudio_team.admin()
    project = conn.sdk.projects.create(title="team check", label_config="<View></View>")
    db = postgres.load_credentials(home)
    rows = postgres.sql(home, db, pg_port, f"SELECT title FROM project WHERE id = {project.id}")
    assert rows.strip() == "team check"
    conn.sdk.projects.delete(id=project.id)
    # the database's password is the study's secret; TCP without it is refused
    assert stat.S_IMODE(postgres.credentials_file(home).stat().st_mode) == 0o600
    wrong = postgres.DatabaseCredentials(db.user, "not-the-password", db.database)
    with pytest.raises(Exception, match="password authentication failed"):
        postgres.sql(home, wrong, pg_port, "SELECT 1")


def test_login_page_and_static_files_are_served_by_the_workers(labelstudio_team):
    page = requests.get(f"{labelstudio_team.url}/user/login/", timeout=30)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.text
    css = next(part.split('"')[0] for part in page.text.split('href="')[1:] if ".css" in part)
    asset = requests.get(f"{labelstudio_team.url}{css}", timeout=30)
    assert asset.status_code == 200 and "text/css" in asset.headers["Content-Type"]
    assert len(asset.content) > 100


def test_second_start_reuses_the_team_server_and_says_which_options_it_ignored(labelstudio_team):
    home = labelstudio_team.home
    with no_external_env():
        again = run_cli("server", "start", "--workers", "5", cwd=home.root)
        status = run_cli("server", "status", cwd=home.root)
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout and "--workers ignored" in again.stdout
    assert status.returncode == 0, status.stderr
    assert "gunicorn with 2 workers" in status.stdout and "PostgreSQL" in status.stdout


# -- start, stop, --host --------------------------------------------------------------------


def test_start_and_stop_a_team_study_from_the_command_line(ls_team_template, tmp_path):
    study = copy_template(ls_team_template, tmp_path / "s")
    (tmp_path / "s" / "study.yaml").write_text("name: t\nserver:\n  workers: 3\n")
    port = server.free_port()
    with no_external_env():
        # no --team: a study with a cluster always runs on it; workers from study.yaml
        started = run_cli("server", "start", "--port", str(port), cwd=study.root)
        assert started.returncode == 0, started.stderr
        assert "PostgreSQL" in started.stdout and "gunicorn with 3 workers" in started.stdout
        info = server.status(study).info
        pg_pid = postgres.postmaster_pid(study)
        assert _alive(info.pid) and pg_pid and _alive(pg_pid)
        stopped = run_cli("server", "stop", cwd=study.root)
        status = run_cli("server", "status", cwd=study.root)
    assert stopped.returncode == 0 and "and its PostgreSQL" in stopped.stdout
    assert not _alive(info.pid) and not _alive(pg_pid)
    assert not (postgres.cluster_dir(study) / "postmaster.pid").exists()
    assert "not running" in status.stdout
    assert server.port_is_free(port)


def test_host_is_refused_without_allow_remote_and_without_the_team_server(tmp_path):
    (tmp_path / "study.yaml").write_text("name: t\n")
    with no_external_env():
        remote = run_cli("server", "start", "--team", "--host", "0.0.0.0", cwd=tmp_path)
        dev = run_cli(
            "server", "start", "--host", "0.0.0.0", "--allow-remote", cwd=tmp_path
        )
        bad_url = run_cli(
            "server", "start", "--team", "--public-url", "ls.uni.example", cwd=tmp_path
        )
    assert remote.returncode == 2 and "--allow-remote" in remote.stderr
    assert dev.returncode == 2 and "needs the team server" in dev.stderr
    assert bad_url.returncode == 2 and "https://" in bad_url.stderr
    for done in (remote, dev, bad_url):
        assert "Traceback" not in done.stderr
    assert not (tmp_path / ".labelstudio" / "postgres").exists()  # nothing was created


def test_host_opens_the_server_with_a_security_note_and_public_url_in_coders_add(
    ls_team_template, tmp_path
):
    study = copy_template(ls_team_template, tmp_path / "s")
    (tmp_path / "s" / "study.yaml").write_text("name: t\n")
    public = "https://labelstudio.uni.example"
    port = server.free_port()
    with no_external_env():
        started = run_cli(
            "server", "start", "--port", str(port), "--host", "0.0.0.0", "--allow-remote",
            "--public-url", public + "/", "--workers", "1", cwd=study.root,
        )
        try:
            assert started.returncode == 0, started.stderr
            note = " ".join(started.stderr.split())
            assert "0.0.0.0" in note and "invite link" in note and "TLS" in note
            assert "docs/team-server.md" in note
            assert f"coders open {public}" in started.stdout
            outside = _outside_address()
            if outside:
                page = requests.get(f"http://{outside}:{port}/user/login/", timeout=30)
                assert page.status_code == 200
            # open sign-up stays closed: the sign-up page without the invite token refuses
            signup = requests.get(f"http://127.0.0.1:{port}/user/signup/", timeout=30)
            assert "token" not in signup.url or signup.status_code != 200 or (
                "invite" in signup.text.lower()
            )
            # a browser behind the TLS proxy sends Origin: https://...; Label Studio trusts it
            assert _login_from(f"http://127.0.0.1:{port}", study, public) in (301, 302, 303)
            added = run_cli("coders", "add", "ana@uni.example", cwd=study.root)
            assert added.returncode == 0, added.stderr
            assert f"{public}/user/login/" in " ".join(added.stdout.split())
            assert server.public_url(study) == public
        finally:
            run_cli("server", "stop", cwd=study.root)


def _login_from(url: str, study: Study, origin: str) -> int:
    """The status of the admin's log-in form posted with the browser header ``Origin``."""
    admin = load_admin(study)
    session = requests.Session()
    session.get(f"{url}/user/login/", timeout=30)
    answer = session.post(
        f"{url}/user/login/",
        data={
            "email": admin.email,
            "password": admin.password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
        },
        headers={"Origin": origin, "Referer": f"{origin}/user/login/"},
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


def test_an_origin_that_is_not_the_public_url_is_refused(labelstudio_team):
    # the control for the test above: without --public-url, the proxy's https origin fails
    # Django's CSRF check, which is why framestudy passes the public URL to Label Studio
    home = labelstudio_team.home
    assert _login_from(labelstudio_team.url, home, "https://labelstudio.uni.example") == 403
    assert _login_from(labelstudio_team.url, home, labelstudio_team.url) in (301, 302, 303)


# -- moving a SQLite study ------------------------------------------------------------------

RAW = Path(__file__).resolve().parents[2] / "annotations" / "raw"
CODERS = [f"coder{i}@framestudy.example" for i in (1, 2, 3)]


def _snapshot(url: str, token: str) -> dict:
    """What must survive the move, as the API shows it."""
    headers = {"Authorization": f"Token {token}"}

    def get(path: str):
        response = requests.get(f"{url}{path}", headers=headers, timeout=60)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    projects = get("/api/projects/?page_size=1000")["results"]
    users = get("/api/users/")
    return {
        "users": sorted((u["id"], u["email"]) for u in users),
        "projects": sorted(
            (p["id"], p["title"], p["task_number"], p["total_annotations_number"])
            for p in projects
        ),
        "tasks": sorted(
            (t["id"], t["data"]["article_id"], t["total_annotations"], t["cancelled_annotations"])
            for p in projects
            for t in get(f"/api/tasks/?project={p['id']}&page_size=1000&fields=all")["tasks"]
        ),
    }


def _study_with_spare_tasks(root: Path) -> Study:
    """The bundled five articles (their committed codings are uploaded below) plus three
    spare synthetic tasks for a skip, a draft and an annotation made after the move."""
    study = make_study(root, name="move")
    # the committed raw exports with the manifest and sources that name their coders
    shutil.copytree(RAW.parent, root / "annotations")
    tasks = json.loads(study.tasks_json.read_text())
    spare = synthetic_tasks(3, schema_hash=tasks[0]["data"]["schema_hash"], start=9000)
    for task in spare:
        task["data"]["outlet"] = tasks[0]["data"]["outlet"]
    study.tasks_json.write_text(json.dumps(tasks + spare), encoding="utf-8")
    return study


def test_moving_a_sqlite_study_to_the_team_server_keeps_everything(ls_template, tmp_path):
    root = tmp_path / "study"
    study = _study_with_spare_tasks(root)
    copy_template(ls_template, root)
    port = server.free_port()
    url = f"http://127.0.0.1:{port}"
    with no_external_env():
        # the shared design keeps its one project in one organisation
        started = run_cli("server", "start", "--port", str(port), "--one-organization", cwd=root)
        assert started.returncode == 0, started.stderr
        try:
            for args in (
                ("coders", "add", *CODERS),
                ("push", "--design", "shared"),
                ("annotations", "upload", *map(str, sorted(RAW.glob("*_project-*.json")))),
            ):
                done = run_cli(*args, cwd=root, timeout=600)
                assert done.returncode == 0, (args, done.stdout, done.stderr)
            admin = load_admin(study)
            # a skip and a draft, with the coders' own tokens: the move must keep them too
            token = {}
            for email in CODERS:
                session = accounts.login(url, email, load_coder_passwords(study)[email])
                token[email] = own_token(session, url)
            skip_task, draft_task, later_task = _spare_tasks(url, admin.token)
            skipped = _post(url, f"/api/tasks/{skip_task}/annotations/", token[CODERS[0]],
                            {"result": [], "was_cancelled": True})
            _post(url, f"/api/tasks/{draft_task}/drafts", token[CODERS[1]],
                  {"result": [], "lead_time": 3.0})
            pulled = run_cli("pull", cwd=root, timeout=600)
            assert pulled.returncode == 0, pulled.stderr
            before_table = (root / "annotations" / "annotations.csv").read_bytes()
            before = _snapshot(url, admin.token)
            assert len(before["users"]) == 4 and len(before["tasks"]) == 8

            moved = run_cli("server", "migrate", "--to", "team", "--timeout", "600", cwd=root,
                            timeout=1800)
            assert moved.returncode == 0, moved.stdout + moved.stderr
            assert "moved to the team server" in moved.stdout and url in moved.stdout
            info = server.status(study).info
            assert info.team and info.url == url  # the same address: study.yaml still holds
            assert not (server.data_dir(study) / team.SQLITE_NAME).exists()
            assert (team.sqlite_backup_dir(study) / team.SQLITE_NAME).is_file()
            assert not (root / ".labelstudio" / "migration").exists()  # the dump is gone

            # the same projects, tasks, annotation counts and accounts (ids included)
            assert _snapshot(url, admin.token) == before
            # pull's tidy table, byte for byte; the skip and the draft still reported
            again = run_cli("pull", cwd=root, timeout=600)
            assert again.returncode == 0, again.stderr
            assert (root / "annotations" / "annotations.csv").read_bytes() == before_table
            summary = " ".join(again.stdout.split())
            assert "1 cancelled" in summary and "1 drafts" in summary, summary
            # every coder logs in with the password framestudy gave them; the API tokens
            # (the admin's above, each coder's here) are the ones they had
            for email in CODERS:
                session = accounts.login(url, email, load_coder_passwords(study)[email])
                assert accounts.whoami(session, url)["email"] == email
                me = requests.get(f"{url}/api/current-user/whoami", timeout=30,
                                  headers={"Authorization": f"Token {token[email]}"})
                assert me.status_code == 200 and me.json()["email"] == email
            # a new annotation: PostgreSQL's id sequences continue after the moved rows
            new = _post(url, f"/api/tasks/{later_task}/annotations/", token[CODERS[2]],
                        {"result": [], "was_cancelled": True})
            assert new["id"] > skipped["id"]
            users = {email: uid for uid, email in before["users"]}
            assert new["completed_by"] == users[CODERS[2]]
            # later starts are team starts, without --team; a second move is refused
            run_cli("server", "stop", cwd=root)
            restarted = run_cli("server", "start", "--port", str(port), cwd=root)
            assert restarted.returncode == 0 and "PostgreSQL" in restarted.stdout
            twice = run_cli("server", "migrate", "--to", "team", cwd=root)
            assert twice.returncode == 2 and "already runs on PostgreSQL" in twice.stderr
        finally:
            run_cli("server", "stop", cwd=root)


def _post(url: str, path: str, token: str, body: dict) -> dict:
    response = requests.post(
        f"{url}{path}", json=body, headers={"Authorization": f"Token {token}"}, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()


def _spare_tasks(url: str, token: str) -> list[int]:
    """The ids of the three spare tasks (article ids a9000-a9002), in that order."""
    headers = {"Authorization": f"Token {token}"}
    (project,) = requests.get(f"{url}/api/projects/", headers=headers, timeout=30).json()[
        "results"
    ]
    tasks = requests.get(
        f"{url}/api/tasks/?project={project['id']}&page_size=1000",
        headers=headers,
        timeout=60,
    ).json()["tasks"]
    spare = {t["data"]["article_id"]: t["id"] for t in tasks}
    return [spare[f"a{i}"] for i in (9000, 9001, 9002)]
