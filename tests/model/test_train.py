"""Training on a simulated study: the model learns (its alpha against the planted truth
beats the majority-class baseline's), is deterministic with a seed, is saved with its
provenance and refused under another schema; too few coded articles train nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.consensus import consensus
from framestudy.errors import UserError
from framestudy.model import store
from framestudy.model.evaluate import REPORT_COLUMNS, alpha_rows
from framestudy.model.features import (
    SPAN_LABEL,
    document_gold,
    sentence_gold,
    sentence_table,
    targets,
)
from framestudy.model.train import MIN_ARTICLES, TooFewArticles, train
from tests.conftest import run_cli

from .conftest import N_BOOT, REPO, inputs


def _truth(root: Path, registry, texts) -> dict[str, pd.Series]:
    """The planted truth per target, keyed like the out-of-fold answers' ``unit``."""
    truth = pd.read_csv(root / "truth_annotations.csv", dtype=str, keep_default_na=False)
    for column in ("span_start", "span_end"):
        truth[column] = pd.to_numeric(truth[column]).astype("Int64")
    documents = [r for r in registry if r["kind"] == "document"]
    table = consensus(truth, documents)
    sentences = sentence_table(texts)
    out = {}
    for target in targets(registry):
        if target.kind == SPAN_LABEL:
            gold = sentence_gold(truth, sentences, target)
            rows = sentences.loc[gold.index]
            units = rows["article_id"] + ":" + rows["start"].astype(str) + "-" + rows["end"].astype(str)
            out[target.name] = pd.Series(gold.to_numpy(), index=units.to_numpy())
        else:
            out[target.name] = document_gold(table, target)
    return out


def test_the_model_beats_the_majority_baseline_against_the_truth(simulated, trained):
    annotations, registry, texts = inputs(simulated)
    truth = _truth(simulated, registry, texts)
    scales = {t.name: t.scale for t in targets(registry)}
    assert set(trained.models) == set(scales), trained.skipped
    for name, answers in trained.cv_answers.groupby("target"):
        known = answers[answers["unit"].isin(truth[name].index)]
        true = truth[name].reindex(known["unit"]).to_numpy()
        model = alpha_rows(true, known["model"].to_numpy(), scales[name], n_boot=0)["alpha"]
        base = alpha_rows(true, known["baseline"].to_numpy(), scales[name], n_boot=0)["alpha"]
        assert model > 0.2 and model > base + 0.2, (name, model, base)


def test_report_rows_are_the_model_against_the_consensus(trained):
    report = trained.report
    assert list(report.columns) == REPORT_COLUMNS
    for name, rows in report.groupby("target"):
        answers = trained.cv_answers[trained.cv_answers["target"] == name]
        alpha = rows[rows["statistic"] == "alpha"].iloc[0]
        assert alpha["n_units"] == len(answers)
        assert alpha["ci_low"] <= alpha["estimate"] <= alpha["ci_high"]
        base = rows[rows["statistic"] == "baseline_alpha"].iloc[0]
        assert base["estimate"] < alpha["estimate"]
        f1 = rows[rows["statistic"] == "f1"]
        assert set(f1["class"]) == set(answers["gold"]) | set(answers["model"])
        assert f1["support"].sum() == len(answers)


def test_same_seed_same_models_and_report(simulated, trained):
    annotations, registry, texts = inputs(simulated)
    again = train(annotations, registry, texts, seed=0, n_boot=N_BOOT)
    pd.testing.assert_frame_equal(again.report, trained.report)
    assert again.training_sha256 == trained.training_sha256
    for name, model in trained.models.items():
        theirs = again.models[name].pipeline.named_steps["classifier"].coef_
        np.testing.assert_array_equal(model.pipeline.named_steps["classifier"].coef_, theirs)
    other = train(annotations, registry, texts, seed=1, n_boot=N_BOOT)
    assert not other.cv_answers.equals(trained.cv_answers)
    assert other.training_sha256 == trained.training_sha256  # the same data


def test_too_few_coded_articles_train_nothing_and_say_why(tmp_path):
    """The bundled five-article study: the command says how many are needed, exit 2."""
    root = tmp_path / "study"
    for folder in ("schemas", "tasks", "annotations"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "study.yaml").write_text((REPO / "study.yaml").read_text())
    annotations, registry, texts = inputs(root)
    with pytest.raises(TooFewArticles) as caught:
        train(annotations, registry, texts)
    message = str(caught.value)
    assert message.startswith("5 coded articles: model train needs at least 50")
    assert "5-fold cross-validation" in message and "nothing was trained" in message
    result = run_cli("--study", str(root), "model", "train")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: {' '.join(message.split())}"]
    assert not (root / "models").exists()
    assert MIN_ARTICLES == 50


def test_model_file_records_provenance_and_refuses_another_schema(study_copy):
    result = run_cli("--study", str(study_copy), "model", "train", "--bootstrap", "20")
    assert result.returncode == 0, result.stderr
    assert "baseline α" in result.stdout and "span:BLAME" in result.stdout
    folder = study_copy / "models"
    meta = json.loads((folder / "model.json").read_text())
    schema_hash = json.loads((study_copy / "truth.json").read_text())["schema"]["hash"]
    assert meta["schema"]["hash"] == schema_hash
    assert len(meta["training_sha256"]) == 64
    assert meta["model_version"] == store.model_version(schema_hash, meta["training_sha256"])
    assert meta["versions"]["scikit-learn"] and meta["versions"]["numpy"]
    assert set(meta["inputs_sha256"]) == {"annotations/annotations.csv",
                                          "schemas/registry.json", "tasks/tasks.json"}
    saved = store.load_model(folder / "model.joblib", schema_hash)
    assert set(saved["models"]) == set(meta["targets"])
    report = pd.read_csv(folder / "cross_validation.csv")
    assert list(report.columns) == REPORT_COLUMNS

    schema = study_copy / "schemas" / "framing.yaml"
    schema.write_text(schema.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    assert run_cli("--study", str(study_copy), "schema", "build").returncode == 0
    with pytest.raises(UserError, match=f"trained under schema hash {schema_hash}"):
        store.load_model(folder / "model.joblib", "0" * 16)
    refused = run_cli("--study", str(study_copy), "model", "push")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"trained under schema hash {schema_hash}" in line and "retrain" in line


def test_train_options_seed_folds_and_adjudicated_values(study_copy):
    """--seed and --folds are recorded and change the folds; --adjudicated values replace
    the consensus (the training data's digest changes, the file's is recorded)."""
    root = str(study_copy)
    first = run_cli("--study", root, "model", "train", "--seed", "1", "--folds", "3",
                    "--bootstrap", "0")
    assert first.returncode == 0, first.stderr
    meta = json.loads((study_copy / "models" / "model.json").read_text())
    assert meta["settings"] == {"seed": 1, "folds": 3, "bootstrap": 0, "adjudicated": False}
    report = pd.read_csv(study_copy / "models" / "cross_validation.csv")
    assert report.loc[report["statistic"] == "alpha", "ci_low"].isna().all()  # no bootstrap

    annotations, registry, texts = inputs(study_copy)
    genre = annotations[annotations["variable"] == "genre"].drop_duplicates("article_id")
    decisions = genre.head(30)[["article_id"]].assign(variable="genre", value="OPINION")
    path = study_copy / "adjudicated.csv"
    decisions.to_csv(path, index=False)
    second = run_cli("--study", root, "model", "train", "--seed", "1", "--folds", "3",
                     "--bootstrap", "0", "--adjudicated", str(path))
    assert second.returncode == 0, second.stderr
    again = json.loads((study_copy / "models" / "model.json").read_text())
    assert again["settings"]["adjudicated"] is True
    assert again["training_sha256"] != meta["training_sha256"]
    assert "adjudicated.csv" in again["inputs_sha256"]  # relative to the study, as the others
    direct = train(annotations, registry, texts, seed=1, n_folds=3, n_boot=0,
                   adjudicated=decisions)
    assert direct.training_sha256 == again["training_sha256"]
    answers = direct.cv_answers[direct.cv_answers["target"] == "genre"].set_index("unit")
    assert (answers.loc[decisions["article_id"], "gold"] == "OPINION").all()


def test_train_uses_the_studys_adjudicated_decisions_by_default(study_copy):
    """Without --adjudicated, the study's annotations/adjudicated.csv (written by
    `framestudy adjudicate pull`) overrides the consensus, and its SHA-256 is recorded."""
    from framestudy.annotations.adjudicated import write_adjudicated
    from framestudy.io import sha256_file

    annotations, registry, texts = inputs(study_copy)
    genre = annotations[annotations["variable"] == "genre"].drop_duplicates("article_id")
    decisions = genre.head(30)[["article_id"]].assign(variable="genre", value="OPINION")
    path = write_adjudicated(decisions, study_copy / "annotations" / "adjudicated.csv")
    done = run_cli("--study", str(study_copy), "model", "train", "--seed", "1", "--folds", "3",
                   "--bootstrap", "0")
    assert done.returncode == 0, done.stderr
    meta = json.loads((study_copy / "models" / "model.json").read_text())
    assert meta["settings"]["adjudicated"] is True
    assert meta["inputs_sha256"]["annotations/adjudicated.csv"] == sha256_file(path)
    direct = train(annotations, registry, texts, seed=1, n_folds=3, n_boot=0,
                   adjudicated=decisions)
    assert direct.training_sha256 == meta["training_sha256"]
