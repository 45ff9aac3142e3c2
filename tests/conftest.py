"""Shared fixtures: the repository's own study files and a helper to run the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A fresh study folder holding a copy of the project's schema source."""
    (tmp_path / "schemas").mkdir()
    shutil.copy(REPO / "schemas" / "framing.yaml", tmp_path / "schemas" / "framing.yaml")
    return tmp_path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m framestudy ARGS`` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "framestudy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that needs the real Label Studio server is also ``slow``: starting the server
    alone takes longer than the ~3 s that makes a test slow, so ``-m "not slow"`` is the
    quick offline loop. (Offline tests of the client -- a stub server, retries, timeouts --
    carry neither marker unless they are slow themselves.)"""
    for item in items:
        if item.get_closest_marker("labelstudio") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
