"""A real Label Studio for the test session, started by the suite itself (no mocks).

Start-up cost is paid once: the first run migrates a database into a *template* study
folder (``framestudy server start`` on a scratch study, then stop; ~25-35 s), cached in
pytest's cache folder (``.pytest_cache/d/labelstudio-template-<version>/``, git-ignored)
and reused by later runs. Each test session copies the template (``cp -a``) into a fresh
study and starts it on a free port (~3 s). Tests talk to it either as that study (the
embedded server, ``home``) or, to share one server between many small studies, through
``LABEL_STUDIO_URL`` / ``LABEL_STUDIO_API_KEY`` -- the external-server path.

The team server (PostgreSQL + gunicorn, ``framestudy.labelstudio.team``) has its own cached
template, a study whose ``.labelstudio/`` holds a migrated, stopped PostgreSQL cluster
(``labelstudio-team-template-<version>``; ~2-3 min to build, ~10 s to start a copy). The API
for tests that need a server on PostgreSQL (also the load test)::

    template = team_template(request.config)          # or the fixture ls_team_template
    study = copy_template(template, tmp_path / "s")   # a study of its own (any template)
    with running_server(study, workers=4) as ls:      # team, since the study has a cluster
        ls.url, ls.token, ls.admin(), ls.env()        # same LabelStudio object as below

or the session-wide fixture ``labelstudio_team`` (2 workers).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from framestudy.labelstudio import accounts, server
from framestudy.labelstudio.client import Connection, connect_to
from framestudy.labelstudio.credentials import load_admin, load_coder_passwords
from framestudy.study import Study

REPO = Path(__file__).resolve().parents[2]


def _template(config: pytest.Config, *, team: bool = False) -> Path:
    """The cached, migrated template study (built on first use, under a file lock);
    ``team``: the team server's (a stopped PostgreSQL cluster in ``.labelstudio/``)."""
    version = server.label_studio_version()
    if version is None:
        pytest.skip("label-studio is not installed (pip install 'framestudy[server]')")
    kind = "labelstudio-team-template" if team else "labelstudio-template"
    try:
        cache = Path(config.cache.mkdir(f"{kind}-{version}"))
    except AttributeError:  # cache provider disabled (-p no:cacheprovider)
        prefix = "framestudy-ls-team-template" if team else "framestudy-ls-template"
        cache = Path(os.environ.get("TMPDIR", "/tmp")) / f"{prefix}-{version}"
        cache.mkdir(parents=True, exist_ok=True)
    ready = cache / "template"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions at once: one builds, one waits
        if (ready / ".labelstudio" / "credentials.json").is_file():
            return ready
        building = cache / f"building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        study = Study(building)
        try:
            server.start(study, port=server.free_port(), team=team, workers=1 if team else None)
        finally:
            server.stop(study)
        for name in ("server.json", "server.log", "postgres.log"):
            (building / ".labelstudio" / name).unlink(missing_ok=True)
        shutil.rmtree(ready, ignore_errors=True)
        building.rename(ready)
    return ready


def team_template(config: pytest.Config) -> Path:
    """The cached template of a team study (PostgreSQL migrated, admin made, all stopped)."""
    return _template(config, team=True)


def copy_template(template: Path, root: Path) -> Study:
    """A new study at ``root`` whose ``.labelstudio/`` is a copy of ``template``'s."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["cp", "-a", str(template / ".labelstudio"), str(root / ".labelstudio")], check=True
    )
    return Study(root)


@contextlib.contextmanager
def running_server(
    study: Study, *, port: int | None = None, **options
) -> Iterator[LabelStudio]:
    """The study's server started (on a free port unless ``port``) for the ``with`` block
    and stopped after it; ``options`` go to :func:`server.start` (``team``, ``workers``,
    ``host``, ``allow_remote``, ``public_url``, ``timeout``)."""
    info = server.start(study, port=port or server.free_port(), **options)
    creds = load_admin(study)
    assert creds is not None
    try:
        yield LabelStudio(home=study, url=info.url, token=creds.token)
    finally:
        server.stop(study)


@dataclass
class LabelStudio:
    """The session's server: its home study, URL and admin token."""

    home: Study
    url: str
    token: str

    def admin(self) -> Connection:
        return connect_to(self.url, self.token)

    def env(self) -> dict[str, str]:
        """Environment that points framestudy at this server as an external one."""
        return {"LABEL_STUDIO_URL": self.url, "LABEL_STUDIO_API_KEY": self.token}


@pytest.fixture(scope="session")
def ls_template(request: pytest.FixtureRequest) -> Path:
    return _template(request.config)


@pytest.fixture(scope="session")
def ls_team_template(request: pytest.FixtureRequest) -> Path:
    return team_template(request.config)


@pytest.fixture(scope="session")
def labelstudio_team(ls_team_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """A running team server (PostgreSQL, gunicorn with 2 workers) for the whole session."""
    home = copy_template(ls_team_template, tmp_path_factory.mktemp("ls-team-home"))
    with running_server(home, workers=2) as ls:
        yield ls


@pytest.fixture(scope="session")
def labelstudio(ls_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """A running Label Studio for the whole session (stopped at the end)."""
    root = tmp_path_factory.mktemp("ls-home")
    subprocess.run(
        ["cp", "-a", str(ls_template / ".labelstudio"), str(root / ".labelstudio")], check=True
    )
    home = Study(root)
    info = server.start(home, port=server.free_port())
    creds = load_admin(home)
    assert creds is not None
    try:
        yield LabelStudio(home=home, url=info.url, token=creds.token)
    finally:
        server.stop(home)


_counter = itertools.count(1)


@pytest.fixture
def ls_env(labelstudio: LabelStudio, monkeypatch: pytest.MonkeyPatch) -> LabelStudio:
    """Point framestudy (in this process) at the session's server via the SDK's env vars."""
    for key, value in labelstudio.env().items():
        monkeypatch.setenv(key, value)
    return labelstudio


def make_study(root: Path, *, tasks: list[dict] | None = None, name: str | None = None) -> Study:
    """A study folder: the repository's schema files + the given tasks (or the real five)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schemas", root / "schemas", dirs_exist_ok=True)
    study = Study(root)
    (root / "study.yaml").write_text(
        f"name: {name or 't' + uuid.uuid4().hex[:8]}\n", encoding="utf-8"
    )
    if tasks is None:
        shutil.copytree(REPO / "tasks" / "articles", root / "tasks" / "articles")
        shutil.copy(REPO / "tasks" / "outlets.yaml", root / "tasks" / "outlets.yaml")
        from framestudy.tasks import build_tasks

        build_tasks(study)
    else:
        (root / "tasks").mkdir(exist_ok=True)
        (root / "tasks" / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    return study


def synthetic_tasks(n: int, *, outlets: int = 3, schema_hash: str = "x", start: int = 0):
    """``n`` small tasks in the tasks.json format (article ids a0000, a0001, ...)."""
    return [
        {
            "data": {
                "article_id": f"a{i:04d}",
                "outlet": f"outlet-{i % outlets}",
                "text": f"Article {i}. NATO enlargement was discussed in text number {i}.",
                "title": f"Title {i}",
                "schema_hash": schema_hash,
            }
        }
        for i in range(start, start + n)
    ]


def coder_emails(k: int = 3) -> list[str]:
    """Fresh coder e-mails (unique in the session: accounts are organisation-wide)."""
    tag = f"{os.getpid()}x{next(_counter)}"
    return [f"coder{j}.{tag}@uni.example" for j in range(1, k + 1)]


def own_token(session: requests.Session, url: str) -> str:
    """A logged-in user's API token: the legacy token, else a new personal access token
    (what a coder does in Account & Settings; framestudy itself never needs a coder's token)."""
    response = session.get(f"{url}/api/current-user/token", timeout=accounts.TIMEOUT)
    if response.status_code == 200 and response.json().get("token"):
        return str(response.json()["token"])
    # Legacy tokens disabled for the organisation: create a personal access token.
    response = session.post(
        f"{url}/api/token/",
        headers={"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": f"{url}/user/account/"},
        timeout=accounts.TIMEOUT,
    )
    assert response.status_code in (200, 201) and response.json().get("token"), response.text
    return str(response.json()["token"])


def coder_connection(study: Study, url: str, email: str) -> Connection:
    """Log in as a coder with the password framestudy stored; connect with their own token."""
    password = load_coder_passwords(study)[email]
    session = accounts.login(url, email, password)
    return connect_to(url, own_token(session, url))


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180):
    """``python -m framestudy ARGS`` in a subprocess, as a user would run it."""
    full = {**os.environ, **(env or {}), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "framestudy", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def no_external_env():
    """Temporarily remove LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY from this process."""
    saved = {
        k: os.environ.pop(k)
        for k in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")
        if k in os.environ
    }
    try:
        yield
    finally:
        os.environ.update(saved)
