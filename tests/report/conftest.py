"""Studies with analysis results, made once per test session by the real commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


def analysed_study(root: Path, outlets: int, articles: int, *extra: str) -> Path:
    """simulate -> agreement -> outlets -> report, each as a user runs it."""
    steps = [
        ("simulate", "--outlets", str(outlets), "--articles-per-outlet", str(articles),
         "--coders", "3", "--seed", "1", "-o", str(root)),
        ("--study", str(root), "agreement", "--bootstrap", "200"),
        ("--study", str(root), "outlets", "--bootstrap", "200", *extra),
        ("--study", str(root), "report"),
    ]
    for step in steps:
        done = run_cli(*step)
        assert done.returncode == 0, (step, done.stdout, done.stderr)
    return root


@pytest.fixture(scope="session")
def reported_study(tmp_path_factory) -> Path:
    """5 outlets x 30 articles x 3 coders: tests run, the gate admits some variables."""
    return analysed_study(tmp_path_factory.mktemp("reported") / "study", 5, 30)


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory) -> Path:
    """The bundled study's shape: five outlets, one article each."""
    return analysed_study(tmp_path_factory.mktemp("tiny") / "study", 5, 1)
