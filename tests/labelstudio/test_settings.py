"""study.yaml handling, project titles, task files: no server needed."""

from __future__ import annotations

import json
import stat

import pytest
import yaml

from framestudy.errors import UserError
from framestudy.labelstudio import credentials, settings
from framestudy.labelstudio.projects import TITLE_MAX, project_title
from framestudy.labelstudio.push import load_tasks, resolve_design
from framestudy.labelstudio.remote import data_digest, task_meta, text_digest
from framestudy.study import Study


def test_coders_are_recorded_once_and_other_keys_kept(tmp_path):
    study = Study(tmp_path)
    study.settings.write_text("name: demo\nnotes: keep me\n", encoding="utf-8")
    assert settings.add_coders(study, ["ana@x.org", "ben@x.org"]) == ["ana@x.org", "ben@x.org"]
    assert settings.add_coders(study, ["ben@x.org"]) == []
    data = yaml.safe_load(study.settings.read_text(encoding="utf-8"))
    assert data["notes"] == "keep me" and data["name"] == "demo"
    assert [c["email"] for c in data["coders"]] == ["ana@x.org", "ben@x.org"]
    assert settings.coders(study) == ["ana@x.org", "ben@x.org"]


def test_email_check_names_the_bad_address():
    assert settings.normalise_email(" Ana@X.org ") == "ana@x.org"
    with pytest.raises(UserError, match="'not-an-email' is not an e-mail"):
        settings.normalise_email("not-an-email")


def test_broken_study_yaml_is_one_line_with_the_line_number(tmp_path):
    study = Study(tmp_path)
    study.settings.write_text("coders: [\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"study.yaml line \d+: not valid YAML"):
        settings.coders(study)
    study.settings.write_text("labelstudio: {design: triple}\n", encoding="utf-8")
    with pytest.raises(UserError, match="labelstudio.design = 'triple'"):
        settings.design(study)
    study.settings.write_text("labelstudio: {seed: one}\n", encoding="utf-8")
    with pytest.raises(UserError, match="labelstudio.seed = 'one' is not a whole number"):
        settings.design(study)


def test_design_options_default_then_recorded(tmp_path):
    study = Study(tmp_path)
    assert resolve_design(study, None, None, None, False) == ("blind", 0.2, 1)
    settings.save_design(study, "blind", 0.3, 9)
    assert resolve_design(study, None, None, None, True) == ("blind", 0.3, 9)
    with pytest.raises(UserError, match="--seed 9"):
        resolve_design(study, None, None, 10, True)
    with pytest.raises(UserError, match="between 0 and 1"):
        resolve_design(Study(tmp_path / "x"), None, 2.0, None, False)


def test_project_titles_fit_label_studio_limit():
    assert project_title("nato", "ana@x.org") == "nato · ana@x.org"
    assert project_title("nato", settings.SHARED) == "nato · shared"
    long_name = project_title("a-very-long-study-name-" * 3, "ana@x.org")
    assert len(long_name) <= TITLE_MAX and long_name.endswith(" · ana@x.org")
    long_mail = project_title("nato", "a" * 60 + "@x.org")
    other = project_title("nato", "a" * 60 + "@y.org")
    assert len(long_mail) <= TITLE_MAX and long_mail != other


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


def test_task_meta_digests():
    data = {"article_id": "a1", "outlet": "rt", "text": "Hello", "title": "T"}
    meta = task_meta(data)
    assert meta["article_id"] == "a1" and meta["outlet"] == "rt"
    assert meta["text_sha256"] == text_digest("Hello")
    assert data_digest({**data, "title": "U"}) != meta["data_sha256"]
    assert data_digest(dict(reversed(list(data.items())))) == meta["data_sha256"]


def test_coder_passwords_file_is_private(tmp_path):
    study = Study(tmp_path)
    credentials.save_coder_password(study, "ana@x.org", "pw-1")
    credentials.save_coder_password(study, "ben@x.org", "pw-2")
    path = credentials.coder_passwords_path(study)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(study.labelstudio_dir.stat().st_mode) == 0o700
    assert credentials.load_coder_passwords(study) == {"ana@x.org": "pw-1", "ben@x.org": "pw-2"}


ORIGINAL = """\
# NATO framing study -- settings (edited by hand; framestudy keeps this comment)
name: nato-framing   # used in project titles

notes: |
  Pilot in spring, main study in autumn.
coders:
  - email: ana@uni.example   # lead coder
    added: 2026-11-25
labelstudio:
  seed: 7                    # drawn by the PI
  design: blind
  reliability_share: 0.20
  server: http://127.0.0.1:8080
  projects:
    - {coder: ana@uni.example, id: 3, title: "nato-framing · ana@uni.example"}
extra: [1, 2]  # unknown keys stay where they are
"""


def test_study_yaml_round_trips_comments_order_and_style(tmp_path):
    """coders add and push rewrite study.yaml: everything they do not change stays as written."""
    study = Study(tmp_path)
    study.settings.write_text(ORIGINAL, encoding="utf-8")
    # what push records when nothing changed: the file is not even rewritten
    settings.save_design(study, "blind", 0.2, 7)
    settings.save_projects(
        study, "http://127.0.0.1:8080",
        [settings.ProjectRecord("ana@uni.example", 3, "nato-framing · ana@uni.example")],
    )
    assert study.settings.read_text(encoding="utf-8") == ORIGINAL
    # a new coder and a new project: only those lines are added
    settings.add_coders(study, ["ben@uni.example"])
    settings.save_projects(
        study, "http://127.0.0.1:8080",
        [settings.ProjectRecord("ben@uni.example", 4, "nato-framing · ben@uni.example")],
    )
    today = settings.date.today().isoformat()
    expected = ORIGINAL.replace(
        "    added: 2026-11-25\n",
        f"    added: 2026-11-25\n  - email: ben@uni.example\n    added: '{today}'\n",
    ).replace(
        '"nato-framing · ana@uni.example"}\n',
        '"nato-framing · ana@uni.example"}\n'
        "    - coder: ben@uni.example\n      id: 4\n      title: nato-framing · ben@uni.example\n",
    )
    assert study.settings.read_text(encoding="utf-8") == expected
    assert settings.coders(study) == ["ana@uni.example", "ben@uni.example"]
    assert [p.id for p in settings.projects(study, "http://127.0.0.1:8080")] == [3, 4]
    assert settings.design(study) == settings.DesignSettings("blind", 0.2, 7)


def test_study_yaml_written_by_earlier_versions_keeps_its_layout(tmp_path):
    study = Study(tmp_path)
    text = "name: demo\ncoders:\n- email: ana@x.org\n  added: '2026-01-02'\n"
    study.settings.write_text(text, encoding="utf-8")
    settings.add_coders(study, ["ben@x.org"])
    today = settings.date.today().isoformat()
    assert study.settings.read_text(encoding="utf-8") == (
        text + f"- email: ben@x.org\n  added: '{today}'\n"
    )
