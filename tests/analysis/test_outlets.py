"""``framestudy outlets`` on simulated studies, as a user runs it: consensus, gate, tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from framestudy.cli.outlets import FILES

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "framestudy", *args], cwd=cwd, capture_output=True, text=True,
        env=env, timeout=600,
    )


def simulated(root: Path, outlets: int, per_outlet: int, coders: int) -> Path:
    study = root / f"s{outlets}x{per_outlet}x{coders}"
    for args in (
        ("simulate", "--outlets", str(outlets), "--articles-per-outlet", str(per_outlet),
         "--coders", str(coders), "--seed", "2", "-o", str(study)),
        ("--study", str(study), "agreement", "--bootstrap", "200"),
    ):
        res = cli(*args)
        assert res.returncode == 0, res.stderr
    return study


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    return simulated(tmp_path_factory.mktemp("outlets"), 3, 40, 3)


def read(study: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(study / "analysis" / FILES[name], keep_default_na=False, dtype=str)


def test_outlets_writes_every_table_and_reruns_identically(study):
    res = cli("--study", str(study), "outlets", "--bootstrap", "200")
    assert res.returncode == 0, res.stderr
    first = {name: (study / "analysis" / f).read_bytes() for name, f in FILES.items()}
    table = res.stdout.split("\nwrote ")[0].splitlines()
    assert "Outlet differences" in table[0] and max(map(len, table)) <= 80
    again = cli("--study", str(study), "outlets", "--bootstrap", "200")
    assert again.returncode == 0, again.stderr
    assert {name: (study / "analysis" / f).read_bytes() for name, f in FILES.items()} == first
    tests = read(study, "tests")
    gate = read(study, "gate")
    # every comparison carries the gate's decision; only admitted ones have a p-value
    admitted = tests["decision"].isin(["reliable", "tentative"])
    assert (tests.loc[admitted, "p_value"] != "").all()
    assert (tests.loc[~admitted, "p_value"] == "").all()
    assert set(gate["decision"]) <= {"reliable", "tentative", "excluded"}
    # the p-values are corrected across the variables actually tested
    tested = int(admitted.sum())
    assert set(tests["adjustment"]) == {f"holm over {tested} tested variables of {len(tests)}"}


def test_no_gate_compares_everything_and_says_so(study):
    res = cli("--study", str(study), "outlets", "--no-gate", "--bootstrap", "200")
    assert res.returncode == 0, res.stderr
    assert "gate overridden" in res.stdout
    tests = read(study, "tests")
    assert set(tests["decision"]) == {"overridden"}
    assert set(read(study, "gate")["decision"]) == {"overridden"}


def test_one_article_per_outlet_never_prints_a_p_value(tmp_path):
    study = simulated(tmp_path, 5, 1, 3)
    res = cli("--study", str(study), "outlets", "--no-gate", "--bootstrap", "100")
    assert res.returncode == 0, res.stderr
    assert "no outlet test ran" in res.stdout and "too few articles per outlet" in res.stdout
    tests = read(study, "tests")
    assert (tests["p_value"] == "").all() and (tests["test"] == "").all()
    # the descriptives are there: one row per outlet and value
    assert len(read(study, "prevalence")) > 0


def test_without_an_agreement_table_one_line(tmp_path, study):
    (tmp_path / "s").mkdir()
    for sub in ("schemas", "annotations"):
        (tmp_path / "s" / sub).mkdir()
    (tmp_path / "s" / "schemas" / "registry.json").write_bytes(
        (study / "schemas" / "registry.json").read_bytes()
    )
    (tmp_path / "s" / "annotations" / "annotations.csv").write_bytes(
        (study / "annotations" / "annotations.csv").read_bytes()
    )
    res = cli("--study", str(tmp_path / "s"), "outlets")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {tmp_path / 's' / 'analysis' / 'agreement.csv'}: no such file -- run "
        "`framestudy agreement` first"
    ]
