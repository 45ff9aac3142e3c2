"""Two pulls of one study at once: the manifest keeps every export (the pull lock).

Label Studio's side of pull is covered by the round-trip tests against the real server;
here the exports are stand-ins so the two pulls can be made to overlap deterministically.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time

import pytest

from framestudy.annotations import raw as raw_mod
from framestudy.annotations.raw import manifest_path
from framestudy.errors import UserError
from framestudy.labelstudio import pull as pull_mod
from framestudy.settings import ProjectRecord
from framestudy.study import Study

PROJECT = ProjectRecord("ana@x.org", 3, "t · ana@x.org")


class FakeConnection:
    url = "http://127.0.0.1:1"


@pytest.fixture
def slow_pulls(monkeypatch):
    """pull() without a server: each call exports different bytes, and saving is slow
    enough that two pulls overlap between reading and rewriting the manifest."""
    calls = iter(range(100))
    monkeypatch.setattr(
        pull_mod, "study_projects", lambda study, conn, known=None, conns=None: ("blind", [], [PROJECT])
    )
    monkeypatch.setattr(pull_mod, "list_projects", lambda conn, ids: {})
    monkeypatch.setattr(
        pull_mod, "export_project", lambda conn, pid, timeout: b"[]" + b" " * next(calls)
    )
    monkeypatch.setattr(pull_mod, "users_by_id", lambda conn: {})
    monkeypatch.setattr(pull_mod, "project_signals", lambda conn, ids, listed: {})
    monkeypatch.setattr(pull_mod, "unchanged_projects", lambda conn, recorded, listed: set())
    real = raw_mod.atomic_write_bytes

    def slow_write(path, data, **kwargs):
        time.sleep(0.5)
        return real(path, data, **kwargs)

    monkeypatch.setattr(raw_mod, "atomic_write_bytes", slow_write)


def test_two_pulls_at_once_lose_no_manifest_entry(tmp_path, slow_pulls):
    study = Study(tmp_path)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            pull_mod.pull(study, FakeConnection())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    saved = sorted(p.name for p in study.raw_exports_dir.glob("*_project-3_*.json"))
    manifest = json.loads(manifest_path(study.raw_exports_dir).read_text())["exports"]
    assert len(saved) == 2
    assert sorted(e["file"] for e in manifest) == saved


def test_a_pull_that_cannot_get_the_lock_says_so(tmp_path, slow_pulls):
    study = Study(tmp_path)
    path = pull_mod.lock_path(study)
    path.parent.mkdir(parents=True)
    with open(path, "a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # another pull is running
        with pytest.raises(UserError) as exc:
            pull_mod.pull(study, FakeConnection(), lock_timeout=0.5)
    text = str(exc.value)
    assert "another `framestudy pull`" in text and str(path) in text and "\n" not in text
    assert not study.raw_exports_dir.exists()  # it touched nothing
    pull_mod.pull(study, FakeConnection(), lock_timeout=0.5)  # released: it runs
    assert len(json.loads(manifest_path(study.raw_exports_dir).read_text())["exports"]) == 1
