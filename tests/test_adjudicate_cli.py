"""``framestudy adjudicate`` and ``coders add --adjudicator``: the errors a user can fix,
offline (one line, exit 2, before any server is contacted)."""

from __future__ import annotations

import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio.coders import add_coders
from framestudy.study import Study
from tests.conftest import run_cli


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
