"""push's design options, task file and ledger, coders' passwords: no server needed."""

from __future__ import annotations

import json
import stat

import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio import credentials, remote
from framestudy.labelstudio.push import load_tasks, resolve_design
from framestudy.study import Study


def test_design_options_default_then_recorded(tmp_path):
    study = Study(tmp_path)
    assert resolve_design(study, None, None, None, False) == ("blind", 0.2, 1)
    settings.save_design(study, "blind", 0.3, 9)
    assert resolve_design(study, None, None, None, True) == ("blind", 0.3, 9)
    with pytest.raises(UserError, match="--seed 9"):
        resolve_design(study, None, None, 10, True)
    with pytest.raises(UserError, match="between 0 and 1"):
        resolve_design(Study(tmp_path / "x"), None, 2.0, None, False)


def test_task_file_errors_name_the_task(tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON at line 1"):
        load_tasks(path)
    path.write_text(json.dumps([{"data": {"text": "t"}}]), encoding="utf-8")
    with pytest.raises(UserError, match="task 0 has no data.article_id"):
        load_tasks(path)
    path.write_text(json.dumps([{"data": {"article_id": "a"}}]), encoding="utf-8")
    with pytest.raises(UserError, match=r"task 0 \(a\) has no data.text"):
        load_tasks(path)
    with pytest.raises(UserError, match="missing task file -- run `framestudy tasks build`"):
        load_tasks(tmp_path / "none.json")


def test_coder_passwords_file_is_private(tmp_path):
    study = Study(tmp_path)
    credentials.save_coder_password(study, "ana@x.org", "pw-1")
    credentials.save_coder_password(study, "ben@x.org", "pw-2")
    path = credentials.coder_passwords_path(study)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(study.labelstudio_dir.stat().st_mode) == 0o700
    assert credentials.load_coder_passwords(study) == {"ana@x.org": "pw-1", "ben@x.org": "pw-2"}


@pytest.mark.parametrize(
    ("ledger", "field"),
    [
        ({"projects": {}}, "server"),
        ({"server": "http://ls", "projects": []}, "projects"),
        ({"server": "http://ls", "projects": {"1": {"tasks": {"a": ["x", None, None]}}}},
         "projects.1.tasks.a[0]"),
        ({"server": "http://ls", "projects": {"1": {"other": [1], "taks": {}}}}, "projects.1.taks"),
    ],
)
def test_a_damaged_push_ledger_names_the_file_and_field(tmp_path, ledger, field):
    study = Study(tmp_path)
    path = remote.ledger_path(study)
    path.parent.mkdir()
    path.write_text(json.dumps(ledger), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        remote.Ledger(study, "http://ls")
    text = str(exc.value)
    assert "\n" not in text and text.startswith(f"{path}: {field}: "), text
    assert "or delete the file" in text and exc.value.exit_code == 2


def test_a_sound_push_ledger_is_read(tmp_path):
    study = Study(tmp_path)
    ledger = remote.Ledger(study, "http://ls")
    ledger.set_tasks(4, [remote.RemoteTask(7, "a", "t", "d"), remote.RemoteTask(9, None, None, None)])
    ledger.set_settings(4, {"label_config": ["1", "2"]})
    ledger.save()
    again = remote.Ledger(study, "http://ls")
    assert [(t.id, t.article_id) for t in again.tasks(4)] == [(7, "a"), (9, None)]
    assert again.settings(4) == {"label_config": ["1", "2"]}
    assert remote.Ledger(study, "http://other").tasks(4) is None  # another server's record
