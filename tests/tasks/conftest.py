"""Fixtures for the tasks stage: study folders with the real corpus, and an in-process CLI."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from framestudy.cli import main
from tests.conftest import REPO

DATA = Path(__file__).parent / "data"
ARTICLES = REPO / "tasks" / "articles"
OUTLETS = REPO / "tasks" / "outlets.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def empty_study(study_dir: Path) -> Path:
    """A study with the schema and the project's outlet registry, but no articles yet."""
    (study_dir / "tasks" / "articles").mkdir(parents=True)
    shutil.copy(OUTLETS, study_dir / "tasks" / "outlets.yaml")
    return study_dir


@pytest.fixture
def corpus_study(empty_study: Path) -> Path:
    """A study holding a copy of the project's five corpus articles."""
    for path in ARTICLES.glob("*.txt"):
        shutil.copy(path, empty_study / "tasks" / "articles" / path.name)
    return empty_study


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``framestudy --study ROOT ARGS`` in-process; returns exit code, stdout, stderr."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(root: Path, *args: str) -> Result:
        capsys.readouterr()
        try:
            main(["--study", str(root), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def read_tasks(root: Path) -> list[dict]:
    return json.loads((root / "tasks" / "tasks.json").read_text(encoding="utf-8"))


def stored_articles(root: Path) -> list[Path]:
    return sorted((root / "tasks" / "articles").glob("*.txt"))
