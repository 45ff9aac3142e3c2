"""The embedded server: start, reuse, busy port, stop, secrets -- on a real Label Studio."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess

import pandas as pd
import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio import accounts, remote, server
from framestudy.labelstudio.client import connect, connect_to
from framestudy.labelstudio.credentials import AdminCredentials, load_admin, mask
from framestudy.labelstudio.push import push
from framestudy.study import Study

from .conftest import coder_emails, make_study, no_external_env, run_cli, synthetic_tasks

# Only the tests that use the session's real server carry the `labelstudio` marker; the
# offline ones (environment and masking) run under -m "not labelstudio" too.
LABELSTUDIO = pytest.mark.labelstudio


@LABELSTUDIO
def test_second_start_reuses_the_running_server(labelstudio):
    before = json.loads((labelstudio.home.labelstudio_dir / "server.json").read_text())
    info = server.start(labelstudio.home, port=server.free_port())
    assert info.reused and info.pid == before["pid"] and info.url == labelstudio.url


@LABELSTUDIO
def test_secrets_are_private_and_never_printed_in_full(labelstudio):
    home = labelstudio.home
    creds = load_admin(home)
    path = home.labelstudio_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with no_external_env():
        out = run_cli("server", "status", cwd=home.root)
        again = run_cli("server", "start", cwd=home.root)
    assert out.returncode == 0 and again.returncode == 0, out.stderr + again.stderr
    text = out.stdout + out.stderr + again.stdout + again.stderr
    assert labelstudio.url in text and "answering" in out.stdout
    assert mask(creds.token) in text
    assert creds.token not in text and creds.password not in text
    assert "already running" in again.stdout


@LABELSTUDIO
def test_embedded_connection_uses_the_legacy_admin_token(labelstudio):
    with no_external_env():
        conn = connect(labelstudio.home)
    assert not conn.external and conn.user_email == "admin@framestudy.local"
    assert conn.sdk.users.whoami().email == "admin@framestudy.local"


@LABELSTUDIO
def test_personal_access_token_works_too(labelstudio):
    """A PAT (JWT refresh token) is accepted like a legacy token: the SDK refreshes it."""
    admin = load_admin(labelstudio.home)
    session = accounts.login(labelstudio.url, admin.email, admin.password)
    csrf = session.cookies.get("csrftoken")
    # Plain HTTP: creating a PAT needs a logged-in browser session, which the SDK has not.
    response = session.post(
        f"{labelstudio.url}/api/token/",
        headers={"X-CSRFToken": csrf, "Referer": f"{labelstudio.url}/user/account/"},
    )
    assert response.status_code == 201, response.text
    pat = response.json()["token"]
    assert pat.count(".") == 2  # a JWT, not a legacy token
    conn = connect_to(labelstudio.url, pat)
    assert conn.user_email == admin.email


@LABELSTUDIO
def test_busy_port_is_refused_before_anything_starts(tmp_path, ls_template):
    study = Study(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(UserError, match=rf"port {port} .* in use"):
            server.start(study, port=port)
    assert not (tmp_path / ".labelstudio" / "server.json").exists()


@LABELSTUDIO
def test_start_status_stop_of_a_copied_study(tmp_path, ls_template):
    """server start --port/--timeout, server status and server stop, as a user runs them."""
    subprocess.run(
        ["cp", "-a", str(ls_template / ".labelstudio"), str(tmp_path / ".labelstudio")],
        check=True,
    )
    study = Study(tmp_path)
    port = server.free_port()
    root = ("--study", str(tmp_path))
    with no_external_env():
        started = run_cli(*root, "server", "start", "--port", str(port), "--timeout", "240",
                          cwd=tmp_path, timeout=300)
        assert started.returncode == 0, started.stderr
        assert f"Label Studio started: http://127.0.0.1:{port}" in started.stdout
        try:
            state = server.status(study)
            assert state.running and state.answering and state.info.port == port
            pid = state.info.pid
            shown = run_cli(*root, "server", "status", cwd=tmp_path)
            assert shown.returncode == 0 and str(port) in shown.stdout, shown.stderr
        finally:
            stopped = run_cli(*root, "server", "stop", cwd=tmp_path)
        assert stopped.returncode == 0, stopped.stderr
        assert f"stopped Label Studio at http://127.0.0.1:{port} (pid {pid})" in stopped.stdout
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        after = server.status(study)
        assert not after.running and after.info is None
        again = run_cli(*root, "server", "stop", cwd=tmp_path)  # stopping twice is harmless
        assert again.returncode == 0 and "no Label Studio of this study is running" in again.stdout
    with no_external_env(), pytest.raises(UserError, match="server start"):
        connect(study)


def test_child_environment_drops_stray_names(monkeypatch, tmp_path):
    for name in ("USERNAME", "PASSWORD", "HOST", "PORT", "USER_TOKEN", "HEARTEX_HOST"):
        monkeypatch.setenv(name, "stray")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://elsewhere:1")
    creds = AdminCredentials.generate()
    env = server.child_environment(creds, tmp_path)
    for name in ("USERNAME", "PASSWORD", "HOST", "PORT", "USER_TOKEN", "HEARTEX_HOST"):
        assert name not in env
    assert "LABEL_STUDIO_URL" not in env
    assert env["LABEL_STUDIO_USER_TOKEN"] == creds.token
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert env["SENTRY_DSN"] == "" and env["LATEST_VERSION_CHECK"] == "false"
    assert env["COLLECT_ANALYTICS"] == "false"


def test_mask_never_shows_a_whole_secret():
    secret = "0123456789abcdef0123456789abcdef01234567"
    assert mask(secret) == "0123…4567"
    assert mask("short") == "………" and mask("") == "(none)"


@LABELSTUDIO
def test_signup_without_invite_link_is_closed(labelstudio):
    with pytest.raises(UserError, match="403"):
        accounts.signup_via_invite(
            labelstudio.url, "/user/signup/", "intruder@uni.example", "Intruder-pass-123"
        )


@LABELSTUDIO
def test_server_killed_mid_push_restarts_on_its_port_at_once(tmp_path, ls_template):
    """SIGKILL the study's server during a push, start it again on the same port straight
    away (its port is left in TIME_WAIT, which the server's own bind reuses), push again:
    every assigned article is in its project exactly once."""
    study = make_study(tmp_path / "s", tasks=synthetic_tasks(300))
    subprocess.run(
        ["cp", "-a", str(ls_template / ".labelstudio"), str(study.labelstudio_dir)], check=True
    )
    coders = coder_emails(2)
    settings.add_coders(study, coders)
    port = server.free_port()
    info = server.start(study, port=port)
    killed = []

    def kill_after_first_batches(done: int, total: int) -> None:
        if done >= 40 and not killed:
            os.killpg(info.pid, signal.SIGKILL)  # the connection is idle: a clean crash
            killed.append(done)

    try:
        with no_external_env():
            with pytest.raises(UserError, match="cannot reach Label Studio"):
                push(study, connect(study), batch_size=20, progress=kill_after_first_batches)
            assert killed and killed[0] < 600
            again = server.start(study, port=port)  # at once: no "already in use"
            assert again.port == port and not again.reused and again.pid != info.pid
            conn = connect(study)
            result = push(study, conn, batch_size=20)
            assert 0 < result.imported < 600
            frame = pd.read_csv(study.assignment, dtype=str, keep_default_na=False)
            for record in settings.projects(study, conn.url):
                counts: dict[str, int] = {}
                for task in remote.list_tasks(conn, record.id):
                    counts[task.article_id] = counts.get(task.article_id, 0) + 1
                expected = sorted(frame.loc[frame["coder"] == record.coder, "article_id"])
                assert sorted(counts) == expected and set(counts.values()) == {1}
    finally:
        server.stop(study)
