"""The researchers' guide with its ``server`` blocks (coders add, push, status, pull), run
against the suite's own Label Studio through ``LABEL_STUDIO_URL`` / ``LABEL_STUDIO_API_KEY``
(the guide's runner and block convention: ``tests/test_guides.py``)."""

from __future__ import annotations

import json

import pytest

from tests.test_guides import run_guide

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]


def test_researchers_guide_with_a_label_studio_server(tmp_path, labelstudio):
    work = tmp_path / "work"
    work.mkdir()
    res = run_guide("guide-researchers.md", work, {"run", "server"}, labelstudio.env())
    study = work / "my-study"
    assert "ana@uni.example" in (study / "study.yaml").read_text()
    assignment = (study / "tasks/assignment.csv").read_text().splitlines()
    assert len(assignment) > 1  # push assigned the guide's articles
    manifest = json.loads((study / "annotations/raw/manifest.json").read_text())
    assert manifest  # pull saved the projects' exports
    assert "Traceback" not in res.stderr
