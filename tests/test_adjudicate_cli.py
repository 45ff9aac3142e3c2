"""``framestudy adjudicate`` and ``coders add --adjudicator``: the errors a user can fix,
offline (one line, exit 2, before any server is contacted)."""

from __future__ import annotations

import shutil

import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio.coders import add_coders
from framestudy.study import Study
from tests.conftest import REPO, run_cli


@pytest.mark.parametrize("command", ["push", "pull"])
def test_no_adjudicator_is_one_line_saying_how_to_add_one(study_dir, command):
    (study_dir / "study.yaml").write_text("name: s\ncoders: [ana@uni.example]\n")
    done = run_cli("--study", str(study_dir), "adjudicate", command)
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "names no adjudicator" in lines[0]
    assert "framestudy coders add --adjudicator EMAIL" in lines[0]


def test_coders_add_needs_someone(study_dir):
    done = run_cli("--study", str(study_dir), "coders", "add")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "--adjudicator EMAIL" in done.stderr


def test_an_adjudicator_is_recorded_apart_and_is_no_coder(study_dir):
    study = Study(study_dir)
    (study_dir / "study.yaml").write_text("name: s  # kept\ncoders: [ana@uni.example]\n")
    assert settings.add_coders(study, ["ida@uni.example"], key="adjudicators") == [
        "ida@uni.example"]
    assert settings.adjudicators(study) == ["ida@uni.example"] == [settings.review_owner(study)]
    assert settings.coders(study) == ["ana@uni.example"]
    assert "# kept" in (study_dir / "study.yaml").read_text()
    assert settings.review_title("s") == "s · review"
    with pytest.raises(UserError, match="cannot be both"):  # before the server is asked
        add_coders(study, None, ["Ana@uni.example"], adjudicator=True)
    with pytest.raises(UserError, match="listed under adjudicators"):
        add_coders(study, None, ["ida@uni.example"])


def _agreeing_study(root) -> None:
    """Two coders who agree on both articles of the reliability sample, one adjudicator."""
    from framestudy.annotations import tidy_from_export, write_tidy

    shutil.copy(REPO / "schemas" / "registry.json", root / "schemas" / "registry.json")
    (root / "study.yaml").write_text("name: s\ncoders: [a@uni.example, b@uni.example]\n"
                                     "adjudicators: [ida@uni.example]\n")
    (root / "tasks").mkdir()
    (root / "tasks" / "assignment.csv").write_text(
        "article_id,outlet,coder,reliability\n"
        + "".join(f"{a},o,{c},True\n" for a in ("x1", "x2")
                  for c in ("a@uni.example", "b@uni.example")))
    result = [{"from_name": "relevant", "to_name": "text", "type": "choices",
               "value": {"choices": ["yes"]}}]
    tasks = [{"id": i, "project": p, "data": {"text": "NATO.", "article_id": a, "outlet": "o"},
              "annotations": [{"id": 10 * i + p, "completed_by": p, "result": result,
                               "updated_at": "2026-01-01T00:00:00Z"}]}
             for i, a in enumerate(("x1", "x2")) for p in (1, 2)]
    table, _ = tidy_from_export(tasks, users={1: "a@uni.example", 2: "b@uni.example"})
    (root / "annotations").mkdir()
    write_tidy(table, root / "annotations" / "annotations.csv")


def test_no_disagreement_says_so_and_creates_nothing(study_dir):
    """Nothing to adjudicate: said plainly, exit 0, and no server is even contacted (none
    runs here)."""
    _agreeing_study(study_dir)
    done = run_cli("--study", str(study_dir), "adjudicate", "push")
    assert done.returncode == 0, done.stderr
    line = " ".join(done.stdout.split())
    assert "no disagreement to adjudicate in the reliability sample" in line
    assert "no review project created" in line
