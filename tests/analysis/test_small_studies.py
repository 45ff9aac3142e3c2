"""Small and pilot studies: study mode on the edges gives a readable result, never a crash.

Each case is a tidy table cut from a synthetic study (tests/analysis/synth.py) the way a
pilot would look: one, two or five articles, a single coder, a variable nobody answered,
every article coded by everyone, or no reliability sample at all (each article coded once).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from framestudy.analysis.variable_agreement import study_agreement
from framestudy.cli import main
from framestudy.cli.agreement import _study_table
from tests.analysis.synth import synthetic_study, write_study
from tests.analysis.test_study import REGISTRY

CODERS = ("a@x.org", "b@x.org", "c@x.org")


def _cut(n_articles: int, coders=CODERS, seed: int = 5) -> tuple[pd.DataFrame, dict]:
    return synthetic_study(REGISTRY, n_articles=n_articles, coders=coders, n_outlets=2, seed=seed)


def _unanswered() -> tuple[pd.DataFrame, dict]:
    ann, lengths = _cut(12)
    return ann[~ann["variable"].isin(["legit", "actors", "polarity"])], lengths


def _no_reliability_sample() -> tuple[pd.DataFrame, dict]:
    ann, lengths = _cut(12)
    first = {a: CODERS[i % 3] for i, a in enumerate(sorted(ann["article_id"].unique()))}
    return ann[ann["coder"] == ann["article_id"].map(first)], lengths


CASES = {
    "one article": lambda: _cut(1),
    "two articles": lambda: _cut(2),
    "five articles": lambda: _cut(5),
    "single coder": lambda: _cut(8, coders=("a@x.org",)),
    "variable nobody answered": _unanswered,
    "every article coded by all": lambda: _cut(20),
    "no reliability sample": _no_reliability_sample,
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    ann, lengths = CASES[request.param]()
    results = study_agreement(ann, REGISTRY, lengths, by="outlet", n_boot=50, seed=0)
    return request.param, ann, lengths, results


def test_every_variable_gets_rows_and_every_reason_is_text(case):
    name, _, _, results = case
    assert set(results["variable"]) == {r["variable"] for r in REGISTRY}, name
    reasons = results["reason"].tolist()
    bad = [r for r in reasons if not isinstance(r, str)]
    assert not bad, f"{name}: reasons that are not text: {bad[:3]}"
    undefined = results[results["estimate"].isna()]
    assert (undefined["reason"].str.len() > 0).all(), name


def test_degenerate_cases_say_why(case):
    name, _, _, results = case
    overall = results[(results["outlet"] == "all") & (results["category"] == "")]
    relevant = overall[overall["variable"] == "relevant"].iloc[0]
    if name in ("single coder", "no reliability sample", "one article"):
        assert math.isnan(relevant["estimate"]), name
        assert relevant["reason"], name
    if name == "single coder":
        assert "fewer than two coders" in relevant["reason"]
    if name == "no reliability sample":
        assert "no pairable values" in relevant["reason"]
    if name == "variable nobody answered":
        legit = overall[overall["variable"] == "legit"].iloc[0]
        assert math.isnan(legit["estimate"]) and legit["reason"]
        assert legit["n_units"] == 0
    if name == "every article coded by all":
        assert np.isfinite(relevant["estimate"]) and relevant["n_units"] == 20


def _render(results: pd.DataFrame, width: int = 80) -> str:
    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(_study_table(results))
    text = console.export_text()
    console.file.close()
    return text


def _assert_readable(results: pd.DataFrame, text: str) -> None:
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 80
    for row in results.itertuples():
        assert row.variable in text, row.variable
        if row.category:
            assert row.category in text, row.category
        if not pd.isna(row.estimate):
            assert f"{row.estimate:.3f}" in text, (row.variable, row.estimate)
        if not pd.isna(row.ci_low):
            assert f"[{row.ci_low:.2f}, {row.ci_high:.2f}]" in text, row.variable


def test_table_renders_at_80_columns(case):
    name, _, _, results = case
    whole = results[results["outlet"] == "all"]
    _assert_readable(whole, _render(whole))
    _assert_readable(results, _render(results))


def test_table_verdict_follows_krippendorff_thresholds():
    results = pd.DataFrame(
        {
            "variable": ["high", "mid", "low", "none", "wide", "no_ci"],
            "dimension": "",
            "metric": "alpha_nominal",
            "category": "",
            "outlet": "all",
            "estimate": [0.85, 0.7, 0.4, np.nan, 0.9, 0.8],
            "ci_low": [0.8, 0.667, 0.2, np.nan, 0.5, np.nan],
            "ci_high": [0.9, 0.8, 0.6, np.nan, 1.0, np.nan],
            "gwet_ac1": np.nan,
            "n_units": 10,
            "reason": ["", "", "", "fewer than two coders: only a@x.org", "", ""],
        }
    )
    lines = {line.split()[0]: line for line in _render(results).splitlines() if line.strip()}
    assert lines["high"].split()[-1] == "reliable"
    assert lines["mid"].split()[-1] == "tentative"
    assert lines["low"].split()[-1] == "unreliable"
    assert lines["wide"].split()[-1] == "reliable?"  # the CI reaches below .800
    assert lines["no_ci"].split()[-1] == "reliable"
    # the reason's headline; the CSV has it in full
    assert lines["none"].rstrip().endswith("fewer than two coders")


# --- the command line ------------------------------------------------------------------


def _run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_study_mode_on_small_studies(tmp_path, capsys, name):
    ann, lengths = CASES[name]()
    write_study(tmp_path, REGISTRY, ann, lengths)
    for extra in ([], ["--by", "outlet"]):
        code, out, err = _run(
            capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "30", *extra
        )
        assert code == 0, err
        assert "internal error" not in out + err and "Agreement by variable" in out
    code, out, err = _run(
        capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "0", "--json"
    )
    assert code == 0, err
    records = json.loads(out)
    assert all(isinstance(r["reason"], str) for r in records)


def test_cli_study_mode_without_annotation_rows(tmp_path, capsys):
    ann, lengths = _cut(3)
    write_study(tmp_path, REGISTRY, ann.iloc[:0], lengths)
    code, out, err = _run(capsys, "--study", str(tmp_path), "agreement", "--bootstrap", "0")
    assert "internal error" not in out + err
    if code == 0:
        assert "Agreement by variable" in out
    else:
        assert code == 2 and len(err.strip().splitlines()) == 1, err


@pytest.mark.slow
def test_simulated_pilot_at_80_columns(tmp_path):
    """The reported case, as a user runs it: a 5-article simulated pilot in an 80-column
    terminal, whole study and by outlet; re-running gives identical files."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "framestudy", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    study = tmp_path / "s"
    made = cli(
        "simulate", "--outlets", "5", "--articles-per-outlet", "1", "--coders", "3",
        "--seed", "1", "--truth-units", "0", "-o", str(study),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    target = study / "analysis" / "agreement.csv"
    for extra in ([], ["--by", "outlet"]):
        first = cli("--study", str(study), "agreement", "--bootstrap", "50", *extra)
        assert first.returncode == 0, first.stderr
        assert "internal error" not in first.stdout + first.stderr
        if extra:  # re-running gives the same file and the same table
            saved = target.read_bytes()
            again = cli("--study", str(study), "agreement", "--bootstrap", "50", *extra)
            assert again.returncode == 0 and target.read_bytes() == saved
            assert again.stdout == first.stdout
        results = pd.read_csv(target, keep_default_na=False, na_values=[""])
        results["category"] = results["category"].fillna("")
        results["reason"] = results["reason"].fillna("")
        table = first.stdout.split("wrote")[0]
        _assert_readable(results, table)
