"""``framestudy init DIR``, the bundled schema it ships, and ``simulate`` outside a study."""

from __future__ import annotations

import fnmatch
import json
import tomllib

import pytest
import yaml

from framestudy import templates
from framestudy.study_init import init_study
from framestudy.tasks.outlets import load_outlets
from tests.conftest import REPO, run_cli

PACKAGED = REPO / "src" / "framestudy" / "templates"

ARTICLE_TXT = """---
outlet: daily-example
title: The door stays open
date: 2024-03-01
---
NATO enlargement was discussed again this week. The alliance said its door remains open,
and critics in Moscow called that a betrayal of assurances given in 1990.
"""

ARTICLES_CSV = (
    "id,outlet,title,date,text\n"
    'csv-1,daily-example,A neutral Ukraine?,2024-03-02,"Ukraine may choose its alliances, '
    'the minister said, and neutrality was rejected."\n'
)

OUTLETS = """outlets:
  - id: daily-example
    name: The Daily Example
    country: United Kingdom
    language: en
    type: independent
"""


# ---- the bundled schema: one home ---------------------------------------------------------


def test_the_packaged_schema_is_the_repositorys_schema_byte_for_byte():
    repo, packaged = REPO / "schemas" / "framing.yaml", PACKAGED / "framing.yaml"
    assert packaged.read_bytes() == repo.read_bytes(), (
        "src/framestudy/templates/framing.yaml differs from schemas/framing.yaml (the one "
        "that is edited): run `cp schemas/framing.yaml src/framestudy/templates/framing.yaml`"
    )


def test_every_template_file_is_declared_package_data():
    """A pip-installed framestudy has no repository: its templates must be in the wheel."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["framestudy.templates"]
    files = [p.name for p in PACKAGED.iterdir() if p.is_file() and p.suffix != ".py"]
    assert set(templates.STUDY_FILES.values()) <= set(files)
    for name in files:
        assert any(fnmatch.fnmatch(name, pat) for pat in patterns), f"{name} is not package data"


# ---- what init writes ---------------------------------------------------------------------


@pytest.mark.slow
def test_init_writes_the_layout_and_every_command_works_inside_it(tmp_path):
    res = run_cli("init", "my-study", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    root = tmp_path / "my-study"
    for folder in ("schemas", "tasks/articles", "annotations", "analysis"):
        assert (root / folder).is_dir(), folder
    assert (root / "schemas/framing.yaml").read_bytes() == (REPO / "schemas/framing.yaml").read_bytes()
    assert yaml.safe_load((root / "study.yaml").read_text())["name"] == "my-study"
    assert ".labelstudio/" in (root / ".gitignore").read_text().splitlines()
    assert "framestudy tasks add" in (root / "README.md").read_text()
    assert len(load_outlets(root / "tasks/outlets.yaml")) == 0  # a valid, empty registry
    assert "next: cd my-study" in res.stdout

    (root / "tasks/outlets.yaml").write_text(OUTLETS)
    (tmp_path / "one.txt").write_text(ARTICLE_TXT)
    (tmp_path / "more.csv").write_text(ARTICLES_CSV)
    for args in (
        ("schema", "build"),
        ("tasks", "add", str(tmp_path / "one.txt"), str(tmp_path / "more.csv")),
        ("tasks", "build"),
        ("schema", "build", "--check"),
    ):
        res = run_cli(*args, cwd=root)
        assert res.returncode == 0, (args, res.stderr)
    assert (root / "schemas/framing.xml").is_file() and (root / "schemas/registry.json").is_file()
    tasks = json.loads((root / "tasks/tasks.json").read_text())
    assert sorted(t["data"]["title"] for t in tasks) == ["A neutral Ukraine?", "The door stays open"]
    assert {t["data"]["outlet"] for t in tasks} == {"daily-example"}
    assert "csv-1" in {t["data"]["article_id"] for t in tasks}


def test_init_never_overwrites_a_file_and_says_which_exist(tmp_path):
    (tmp_path / "s" / "tasks").mkdir(parents=True)
    (tmp_path / "s" / "study.yaml").write_text("name: mine\n")
    (tmp_path / "s" / "tasks" / "outlets.yaml").write_text(OUTLETS)
    res = run_cli("init", "s", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1, res.stderr
    assert "tasks/outlets.yaml" in line and "study.yaml" in line and "overwrites" in line
    assert (tmp_path / "s" / "study.yaml").read_text() == "name: mine\n"
    assert sorted(p.name for p in (tmp_path / "s").rglob("*")) == ["outlets.yaml", "study.yaml", "tasks"]


@pytest.mark.slow
def test_init_twice_says_it_is_already_a_study(tmp_path):
    assert run_cli("init", "s", cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()}
    res = run_cli("init", "s", cwd=tmp_path)
    assert res.returncode == 2 and "already a study" in res.stderr
    assert {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()} == before


def test_init_in_an_existing_folder_keeps_its_files_and_extends_its_gitignore(tmp_path):
    (tmp_path / "notes.md").write_text("my notes\n")
    (tmp_path / ".gitignore").write_text("*.pdf\n.env\n")
    (tmp_path / "tasks" / "articles").mkdir(parents=True)
    (tmp_path / "tasks" / "articles" / "keep.txt").write_text("an article\n")
    result = init_study(tmp_path)
    assert result.gitignore_added == [".labelstudio/"]  # .env was there already
    assert ".gitignore" not in result.written
    assert (tmp_path / ".gitignore").read_text().startswith("*.pdf\n.env\n")
    assert (tmp_path / ".gitignore").read_text().splitlines()[-1] == ".labelstudio/"
    assert (tmp_path / "notes.md").read_text() == "my notes\n"
    assert (tmp_path / "tasks" / "articles" / "keep.txt").read_text() == "an article\n"
    assert init_study(tmp_path / "other").gitignore_added == []


@pytest.mark.slow
def test_init_with_a_schema_copies_it_verbatim(tmp_path):
    own = tmp_path / "mine.yaml"
    text = (REPO / "schemas/framing.yaml").read_text().replace("version: 1.0.0", "version: 2.0.0")
    own.write_text("# my own comment\n" + text)
    res = run_cli("init", "s", "--schema", str(own), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "s/schemas/framing.yaml").read_bytes() == own.read_bytes()
    assert "mine.yaml" in res.stdout


def test_init_with_an_invalid_schema_names_the_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / "schemas/framing.yaml").read_text().replace("question:", "questoin:", 1))
    res = run_cli("init", "s", "--schema", str(bad), cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "bad.yaml" in res.stderr and "questoin" in res.stderr and "docs/schema.md" in res.stderr
    assert not (tmp_path / "s").exists()


def test_init_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    res = run_cli("init", "f", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_a_name_yaml_would_misread_is_quoted(tmp_path):
    for name in ("2024", "yes", "a: b"):
        init_study(tmp_path / name)
        assert yaml.safe_load((tmp_path / name / "study.yaml").read_text())["name"] == name


# ---- simulate outside any study -----------------------------------------------------------


@pytest.mark.slow
def test_simulate_outside_a_study_uses_the_bundled_schema(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run_cli("simulate", "--outlets", "2", "--articles-per-outlet", "4", "--coders", "2",
                  "--truth-units", "0", "-o", "sim", cwd=empty)
    assert res.returncode == 0, res.stderr
    assert "bundled framing schema" in res.stderr
    out = empty / "sim"
    assert (out / "schemas/framing.yaml").read_bytes() == (REPO / "schemas/framing.yaml").read_bytes()
    assert (out / "annotations/annotations.csv").is_file()
    assert sorted(p.name for p in empty.iterdir()) == ["sim"]


@pytest.mark.slow
@pytest.mark.parametrize("where", ["study", "inside"])
def test_simulate_in_a_study_still_uses_the_studys_schema(tmp_path, where):
    own = (REPO / "schemas/framing.yaml").read_text().replace("version: 1.0.0", "version: 1.1.0")
    own_file = tmp_path / "own.yaml"
    own_file.write_text(own)
    init_study(tmp_path / "s", own_file)
    cwd = tmp_path / "s" / "tasks" if where == "inside" else tmp_path / "s"
    res = run_cli("simulate", "--outlets", "1", "--articles-per-outlet", "3", "--coders", "2",
                  "--truth-units", "0", "-o", str(tmp_path / "sim"), cwd=cwd)
    assert res.returncode == 0, res.stderr
    assert "bundled" not in res.stderr
    assert (tmp_path / "sim/schemas/framing.yaml").read_text() == own
