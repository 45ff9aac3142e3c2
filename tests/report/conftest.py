"""Studies with analysis results, made once per test session by the real commands."""

from __future__ import annotations

import json
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


#: the adjudicator of :func:`adjudicated_study` (a reviewer who is not one of the coders)
JUDGE = "judge@example.org"


def hand_made_decisions(study: Path) -> int:
    """Write ``annotations/adjudicated.csv`` for ``study`` by hand: one decision per
    disagreement on a one-value document variable in ``analysis/consensus.csv``, the value
    of the first coder listed, except the first decision, which takes a value of the
    variable no coder gave; the first article counts as adjudicated twice. Returns the
    number of decisions."""
    import pandas as pd

    registry = json.loads((study / "schemas" / "registry.json").read_text(encoding="utf-8"))
    one_value = {r["variable"]: r for r in registry
                 if r["kind"] == "document" and not r.get("multiple")}
    consensus = pd.read_csv(study / "analysis" / "consensus.csv", dtype=str,
                            keep_default_na=False)
    disputed = consensus[consensus["provenance"].isin(["majority", "unresolved"])
                         & consensus["variable"].isin(list(one_value))
                         & (consensus["category"] == "")]
    rows, overruled = [], False
    for i, row in enumerate(disputed.itertuples(index=False)):
        votes = [part.split("=", 1)[1] for part in row.values.split("; ")]
        value = votes[0]
        others = [v for v in one_value[row.variable]["values"] if v not in votes]
        if not overruled and others:
            value, overruled = others[0], True
        rows.append({"article_id": row.article_id, "variable": row.variable, "category": "",
                     "span_label": "", "span_start": "", "span_end": "",
                     "value": "" if value == "(none)" else value, "adjudicator": JUDGE,
                     "annotation_id": str(900 + i), "updated_at": "2026-11-30T03:00:00Z",
                     "schema_hash": "", "times_adjudicated": "1"})
    assert len(rows) >= 3, "the simulated study has too few disagreements to adjudicate"
    frame = pd.DataFrame(rows)
    frame.loc[frame["article_id"] == rows[0]["article_id"], "times_adjudicated"] = "2"
    frame.to_csv(study / "annotations" / "adjudicated.csv", index=False)
    return len(rows)


@pytest.fixture(scope="session")
def adjudicated_study(tmp_path_factory) -> Path:
    """4 outlets x 10 articles x 3 coders, analysed, then a hand-made decision table
    (:func:`hand_made_decisions`), the outlet comparison and the report run again."""
    root = analysed_study(tmp_path_factory.mktemp("adjudicated") / "study", 4, 10)
    hand_made_decisions(root)
    for step in (("--study", str(root), "outlets", "--bootstrap", "200"),
                 ("--study", str(root), "report")):
        done = run_cli(*step)
        assert done.returncode == 0, (step, done.stdout, done.stderr)
        if step[2] == "outlets":  # the command names the tables it wrote
            assert "adjudication_variables.csv" in " ".join(done.stdout.split()), done.stdout
    return root
