"""``framestudy simulate`` from the command line."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.simulation.conftest import SCHEMA, cli


@pytest.mark.slow
def test_simulate_writes_a_study_and_reports_true_alpha(tmp_path):
    out = tmp_path / "synthetic"
    proc = run_cli(  # as a user runs it
        "simulate", "--schema", str(SCHEMA), "--outlets", "2", "--articles-per-outlet", "10",
                   "--coders", "2", "--seed", "4", "--truth-units", "50", "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["articles"] == 20 and summary["reliability_sample"] == 4
    assert summary["coders"] == ["coder1@example.org", "coder2@example.org"]
    truth = json.loads((out / "truth.json").read_text())
    assert summary["true_alpha"]["genre"] == truth["true_alpha"]["genre"]["alpha"]
    # the study is usable by the other commands: its own schema is up to date
    check = run_cli("--study", str(out), "schema", "build", "--check")
    assert check.returncode == 0, check.stderr

    again = run_cli("simulate", "--schema", str(SCHEMA), "--outlets", "2", "-o", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr


def test_simulate_uses_the_current_studys_schema(study_dir, tmp_path, capsys):
    code, _, err = cli(capsys, "--study", str(study_dir), "simulate", "--outlets", "1",
                       "--articles-per-outlet", "3", "--coders", "2", "--truth-units", "0",
                       "-o", str(tmp_path / "s"))
    assert code == 0, err
    assert (tmp_path / "s" / "schemas" / "framing.yaml").read_bytes() == SCHEMA.read_bytes()


def test_simulate_without_a_schema_is_a_user_error(tmp_path, capsys):
    code, _, err = cli(capsys, "--study", str(tmp_path), "simulate", "-o", str(tmp_path / "s"))
    assert code == 2
    assert "no schema found" in err and "--schema" in err


def test_simulate_rejects_silly_counts(tmp_path, capsys):
    code, _, err = cli(capsys, "simulate", "--schema", str(SCHEMA), "--outlets", "0", "-o", str(tmp_path / "s"))
    assert code == 2 and "--outlets 0" in err
    code, _, err = cli(capsys, "simulate", "--schema", str(SCHEMA), "--articles-per-outlet", "0",
                       "-o", str(tmp_path / "s"))
    assert code == 2 and "no articles" in err
    assert not (tmp_path / "s").exists()


SMALL = ("--schema", str(SCHEMA), "--outlets", "1", "--articles-per-outlet", "3", "--coders", "2",
         "--truth-units", "0")


def _snapshot(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _real_study_with_labelstudio(root):
    (root / ".labelstudio").mkdir(parents=True)
    (root / ".labelstudio" / "credentials.json").write_text("{}")


def _real_study_with_settings(root):
    root.mkdir(parents=True)
    (root / "study.yaml").write_text("name: my-study  # real\n")


def _real_study_with_raw_exports(root):
    (root / "annotations" / "raw").mkdir(parents=True)
    (root / "annotations" / "raw" / "20260101T000000Z_project-3_abc.json").write_text("[]")


def _simulated_then_settings_edited(root):
    assert run_cli("simulate", *SMALL, "-o", str(root)).returncode == 0
    with open(root / "study.yaml", "a", encoding="utf-8") as fh:
        fh.write("# the real coders start next week\n")


def _simulated_then_pulled(root):
    assert run_cli("simulate", *SMALL, "-o", str(root)).returncode == 0
    (root / "annotations" / "raw" / "20260101T000000Z_project-9_abc.json").write_text("[]")


def _not_a_study(root):
    root.mkdir(parents=True)
    (root / "thesis.tex").write_text("years of work")


CASES = {
    "labelstudio": (_real_study_with_labelstudio, ".labelstudio/"),
    "study.yaml": (_real_study_with_settings, "study.yaml was not written by framestudy simulate"),
    "raw": (_real_study_with_raw_exports, "raw exports (annotations/raw/)"),
    "edited": (_simulated_then_settings_edited, "study.yaml was changed after"),
    "pulled": (_simulated_then_pulled, "annotations/raw/ holds exports framestudy simulate did not"),
    "other": (_not_a_study, "framestudy simulate did not write it"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_force_refuses_to_delete_a_real_study(tmp_path, capsys, case):
    make, reason = CASES[case]
    root = tmp_path / "study"
    make(root)
    before = _snapshot(root)
    code, _, err = cli(capsys, "simulate", *SMALL, "--force", "-o", str(root))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert str(root) in lines[0] and reason in lines[0] and "nothing was deleted" in lines[0]
    assert _snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]  # no staging left behind


def test_force_replaces_simulates_own_output(tmp_path, capsys):
    root = tmp_path / "sim"
    assert cli(capsys, "simulate", *SMALL, "--seed", "1", "-o", str(root))[0] == 0
    first = _snapshot(root)
    code, _, err = cli(capsys, "simulate", *SMALL, "--seed", "2", "--force", "-o", str(root))
    assert code == 0, err
    assert _snapshot(root) != first and (root / ".framestudy-simulated.json").is_file()
    code, _, err = cli(capsys, "simulate", *SMALL, "--seed", "1", "--force", "-o", str(root))
    assert code == 0, err
    assert _snapshot(root) == first  # same seed, same bytes, marker included
