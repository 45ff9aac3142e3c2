"""Suggestions as Label Studio results: the control names, types and values of the
labeling config the schema generates, span offsets in code points; and the anchoring
table's arithmetic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from framestudy.model.agreement import anchoring
from framestudy.model.predictions import PREDICTION_COLUMNS, label_studio_result, predict
from tests.conftest import run_cli

from .conftest import inputs


def _controls(config: str) -> dict[str, tuple[str, str, set[str]]]:
    """name -> (tag, toName, values a result may carry) of the config's controls."""
    out = {}
    for element in ET.fromstring(config.split("-->", 1)[1]).iter():
        if element.tag == "Choices":
            values = {c.get("alias") or c.get("value") for c in element.iter("Choice")}
            out[element.get("name")] = ("choices", element.get("toName"), values)
        elif element.tag == "Labels":
            values = {c.get("value") for c in element.iter("Label")}
            out[element.get("name")] = ("labels", element.get("toName"), values)
    return out


def test_results_use_the_generated_label_config(simulated, trained):
    annotations, registry, texts = inputs(simulated)
    controls = _controls((simulated / "schemas" / "framing.xml").read_text())
    text_name = ET.fromstring((simulated / "schemas" / "framing.xml").read_text()
                              .split("-->", 1)[1]).find(".//Text").get("name")
    ids = sorted(texts)[:40]
    rows = predict(trained.models, texts, ids)
    assert list(rows.columns) == PREDICTION_COLUMNS and set(rows["article_id"]) <= set(ids)
    kinds = set()
    for article_id, part in rows.groupby("article_id"):
        result, score = label_studio_result(part, texts[article_id], "span")
        assert 0 < score <= 1
        assert len({item["id"] for item in result}) == len(result)
        for item in result:
            tag, to_name, values = controls[item["from_name"]]
            assert item["type"] == tag and item["to_name"] == to_name == text_name
            chosen = item["value"][tag]
            assert chosen and set(chosen) <= values
            kinds.add(tag)
            if tag == "labels":
                start, end = item["value"]["start"], item["value"]["end"]  # code points
                assert texts[article_id][start:end] == item["value"]["text"]
    assert kinds == {"choices", "labels"}


def test_span_offsets_are_code_points_after_an_emoji():
    text = "Flags 🇺🇦 everywhere. NATO broke its promise."
    rows = pd.DataFrame([{"article_id": "a", "target": "span:PROMISE", "variable": "span",
                          "category": "PROMISE", "value": "PROMISE", "span_start": 21,
                          "span_end": 45, "score": 0.9}])
    result, score = label_studio_result(rows, text, "span")
    assert text[21:45] == "NATO broke its promise."
    # as Label Studio's screen stores them: code points, not the 2 flags' 4 UTF-16 units
    assert result[0]["value"]["start"] == 21 and result[0]["value"]["end"] == 45
    assert score == 0.9


def test_predictions_are_deterministic(simulated, trained):
    _, _, texts = inputs(simulated)
    ids = sorted(texts)[:30]
    first = predict(trained.models, texts, ids)
    pd.testing.assert_frame_equal(first, predict(trained.models, texts, ids))


REGISTRY = [
    {"variable": "genre", "kind": "document", "level": "nominal", "values": ["A", "B", "C"],
     "missing_values": [], "multiple": False},
    {"variable": "actors", "kind": "document", "level": "set", "values": ["X", "Y"],
     "missing_values": [], "multiple": True},
]


def _ann(rows):
    return pd.DataFrame(rows, columns=["article_id", "coder", "variable", "value"])


def test_anchoring_separates_coders_vs_model_from_coders_vs_each_other():
    rng = np.random.default_rng(0)
    rows, suggestions, pushed = [], [], []
    for i in range(60):
        article = f"a{i:02d}"
        value = "ABC"[rng.integers(3)]
        if i < 40:  # suggested articles: one coder, who copies the suggestion
            suggestions.append({"article_id": article, "variable": "genre", "value": value})
            pushed.append({"article_id": article, "coder": "c1"})
            rows.append((article, "c1", "genre", value))
            rows.append((article, "c1", "actors", "X"))
        else:  # the reliability sample: two coders, no suggestion, agreeing 3 times in 4
            rows.append((article, "c1", "genre", value))
            rows.append((article, "c2", "genre", value if i % 4 else "ABC"[(i + 1) % 3]))
    report = pd.DataFrame([{"target": "genre", "statistic": "alpha", "estimate": 0.5,
                            "ci_low": 0.4, "ci_high": 0.6}])
    table = anchoring(_ann(rows), REGISTRY, pd.DataFrame(suggestions), pd.DataFrame(pushed),
                      report, n_boot=100, seed=0)
    genre = table.set_index("target").loc["genre"]
    assert genre["coders_vs_model"] == 1.0 and genre["n_coder_answers"] == 40
    assert genre["model_cv"] == 0.5
    assert genre["n_unassisted_articles"] == 20 and genre["n_assisted_articles"] == 0
    assert genre["coders_unassisted"] < 1.0 and np.isnan(genre["coders_assisted"])
    actors = table.set_index("target").loc["actors:X"]
    # the model suggested no actor (absent) where the coder chose X: systematic disagreement
    assert actors["coders_vs_model"] == pytest.approx(1 - 1 / (2 * 40 * 40 / (80 * 79)))


def test_model_agreement_command_reads_what_push_recorded(study_copy):
    """`framestudy model agreement` on a study whose coders (as if) worked on suggested
    tasks: models/predictions.csv and models/pushed.csv as `model push` writes them."""
    assert run_cli("--study", str(study_copy), "model", "train", "--bootstrap", "0"
                   ).returncode == 0
    from framestudy.model.run import load_saved
    from framestudy.study import Study

    annotations, registry, texts = inputs(study_copy)
    assignment = pd.read_csv(study_copy / "tasks" / "assignment.csv", dtype=str)
    single = assignment[assignment["reliability"] == "False"].head(60)
    saved = load_saved(Study(study_copy))
    rows = predict(saved["models"], texts, single["article_id"])
    rows.assign(model_version="v1").to_csv(study_copy / "models" / "predictions.csv",
                                           index=False)
    single[["article_id", "coder"]].assign(project_id=1, task_id=range(len(single)),
                                           model_version="v1").to_csv(
        study_copy / "models" / "pushed.csv", index=False)
    result = run_cli("--study", str(study_copy), "model", "agreement", "--bootstrap", "50")
    assert result.returncode == 0, result.stderr
    assert "coders vs model" in result.stdout
    table = pd.read_csv(study_copy / "models" / "anchoring.csv")
    genre = table.set_index("target").loc["genre"]
    coded = set(zip(annotations["article_id"], annotations["coder"], strict=True))
    expected = sum((a, c) in coded for a, c in zip(single["article_id"], single["coder"],
                                                   strict=True))
    assert genre["n_coder_answers"] == expected > 50  # (a coder may have skipped one)
    assert 0 < genre["coders_vs_model"] <= 1 and genre["model_cv"] > 0
    assert genre["n_unassisted_articles"] == (assignment.groupby("article_id")["coder"]
                                              .nunique() >= 2).sum()
