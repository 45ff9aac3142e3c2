"""``framestudy simulate`` from the command line."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.simulation.conftest import SCHEMA, cli


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
