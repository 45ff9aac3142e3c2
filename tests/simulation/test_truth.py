"""The planted truth is what the agreement engine recovers from the simulated annotations."""

from __future__ import annotations

import itertools
import json
import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framestudy.analysis import krippendorff_alpha
from framestudy.analysis.variable_agreement import study_agreement
from framestudy.annotations import read_tidy
from framestudy.schema.registry_file import read_registry
from framestudy.simulation.coders import confusion_matrix
from framestudy.simulation.planning import category_probabilities, simulate_reliability_data
from framestudy.simulation.scenario import ItemModel
from framestudy.simulation.true_codes import Item
from framestudy.simulation.truth import alpha_from_coincidences, expected_coincidences, pair_weights


def _brute_pair_weights(present):
    k = len(present)
    h = np.zeros((k, k))
    for pattern in itertools.product([0, 1], repeat=k):
        p = math.prod(q if on else 1 - q for q, on in zip(present, pattern, strict=True))
        m = sum(pattern)
        if m < 2:
            continue
        for i, j in itertools.permutations([i for i in range(k) if pattern[i]], 2):
            h[i, j] += p / (m - 1)
    for i, j in itertools.permutations(range(k), 2):
        both = present[i] * present[j]
        h[i, j] = h[i, j] / both if both > 0 else 0.0
    return h


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=2, max_size=6))
def test_pair_weights_equal_brute_force_enumeration(present):
    assert np.allclose(pair_weights(np.array(present)), _brute_pair_weights(present))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 6),
    st.floats(0.0, 1.0),
    st.sampled_from(["adjacent", "uniform", "prevalence"]),
    st.booleans(),
)
def test_confusion_matrices_are_stochastic_with_the_given_accuracy(k, accuracy, confusion, ordinal):
    values = tuple(str(i) for i in range(k))
    item = Item("x", "ordinal" if ordinal else "single", values, (), None)
    c = confusion_matrix(item, ItemModel(accuracy, confusion), np.full(k, 1 / k))
    assert np.allclose(c.sum(axis=1), 1.0) and (c >= -1e-12).all()
    expected = accuracy + (1 - accuracy) / k if confusion == "prevalence" else accuracy
    assert np.allclose(np.diag(c), expected)


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_knowledge_or_guess_coders_have_alpha_a1_times_a2(level):
    """Closed form: the coincidence matrix is a1 a2 diag(p) + (1 - a1 a2) p p'."""
    p = np.array([0.1, 0.3, 0.6])
    item = Item("x", "ordinal", ("0", "1", "2"), (), None)
    q1 = confusion_matrix(item, ItemModel(0.9, "prevalence"), p)
    q2 = confusion_matrix(item, ItemModel(0.7, "prevalence"), p)
    strata = [(p[t], np.vstack([q1[t], q2[t]])) for t in range(3)]
    assert alpha_from_coincidences(expected_coincidences(strata), level) == pytest.approx(0.63, abs=1e-12)


@pytest.mark.parametrize(("level", "k", "smallest"), [("nominal", 2, 0.1), ("ordinal", 4, 0.1), ("nominal", 3, 0.3)])
def test_simulated_reliability_data_recover_the_true_alpha(level, k, smallest):
    rng = np.random.default_rng(1)
    probs = category_probabilities(k, smallest)
    codes = simulate_reliability_data(20_000, 3, 0.8, probs, rng, missing=0.1)
    data = np.where(codes >= 0, codes, np.nan).T
    ours = krippendorff_alpha(pd.DataFrame(data.T), level)["estimate"]
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert ours == pytest.approx(0.8, abs=0.015)


@pytest.mark.slow
def test_true_alpha_of_document_variables_is_recovered_on_a_large_sample(large_study):
    root = large_study.root
    truth = json.loads((root / "truth.json").read_text())
    ann = read_tidy(root / "annotations/annotations.csv")
    registry = [r for r in read_registry(root / "schemas/registry.json") if r["kind"] == "document"]
    result = study_agreement(ann, registry, n_boot=0)
    overall = result[(result["category"] == "") & (result["outlet"] == "all")].set_index("variable")
    per_value = result[result["metric"] == "alpha_nominal_binary"].set_index(["variable", "category"])
    checked = 0
    for var, entry in truth["true_alpha"].items():
        if entry.get("method") != "exact":
            continue
        estimate = overall.loc[var, "estimate"]
        # 900 units, 3 coders: the sampling SD of alpha is about 0.01-0.03 here
        assert estimate == pytest.approx(entry["alpha"], abs=0.06), var
        for value, true_value in (entry.get("per_value") or {}).items():
            assert per_value.loc[(var, value), "estimate"] == pytest.approx(true_value, abs=0.08), (var, value)
        checked += 1
    assert checked == 10


@pytest.mark.slow
def test_planted_prevalences_are_recovered(large_study):
    root = large_study.root
    truth = json.loads((root / "truth.json").read_text())
    codes = pd.read_csv(root / "truth_annotations.csv", dtype=str, keep_default_na=False)
    outlets = truth["outlets"]
    assert outlets["outlet-a"]["propensities"]["blame_actors"]["NATO"] == 0.7
    assert outlets["outlet-b"]["propensities"]["blame_actors"]["RUSSIA"] == 0.8
    for outlet, planted in outlets.items():
        mine = codes[codes["outlet"] == outlet]
        n = mine["article_id"].nunique()
        relevant = set(mine.loc[(mine["variable"] == "relevant") & (mine["value"] == "yes"), "article_id"])
        share = len(relevant) / n
        assert share == pytest.approx(planted["relevance"], abs=4 * math.sqrt(0.25 / n))
        doc = mine[mine["article_id"].isin(relevant) & (mine["span_id"] == "")]
        m = len(relevant)
        for var, dist in planted["propensities"].items():
            if var == "relevant":
                continue
            for value, p in dist.items():
                observed = doc[(doc["variable"] == var) & (doc["value"] == value)]["article_id"].nunique() / m
                assert observed == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / m) + 1e-9), (outlet, var, value)


@pytest.mark.slow
def test_planted_outlet_effect_shows_in_the_coders_data(large_study):
    """What an outlet analysis sees: coders' B2 codes keep outlet A's NATO blame far above B's."""
    ann = read_tidy(large_study.root / "annotations/annotations.csv")
    b2 = ann[ann["variable"] == "blame_actors"]
    coded = ann[ann["variable"] == "relevant"].groupby("outlet")["article_id"].count()
    nato = b2[b2["value"] == "NATO"].groupby("outlet")["article_id"].count() / coded
    russia = b2[b2["value"] == "RUSSIA"].groupby("outlet")["article_id"].count() / coded
    # planted: NATO 0.7 vs 0.1, RUSSIA 0.1 vs 0.8 among relevant articles
    assert nato["outlet-a"] - nato["outlet-b"] > 0.3
    assert russia["outlet-b"] - russia["outlet-a"] > 0.4


@pytest.mark.parametrize(("level", "confusion"), [("nominal", "uniform"), ("ordinal", "adjacent")])
def test_exact_alpha_of_unequal_coders_with_missing_values(level, confusion):
    from framestudy.simulation.planning import coder_confusions, simulate_codes, true_alpha_of

    probs = np.array([0.5, 0.25, 0.15, 0.07, 0.03])
    confusions = coder_confusions(probs, [0.95, 0.85, 0.75, 0.9], confusion, ordinal=level == "ordinal")
    exact = true_alpha_of(probs, confusions, level, missing=0.2)
    codes = simulate_codes(30_000, probs, confusions, np.random.default_rng(7), missing=0.2)
    data = np.where(codes >= 0, codes, np.nan).T
    estimate = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert estimate == pytest.approx(exact, abs=0.01)


@pytest.mark.slow
def test_simulated_span_truth_matches_the_studys_own_spans(large_study):
    """truth.json's span alphas come from an independent sample; the study's annotations,
    read back from annotations.csv, must give the same values up to sampling error."""
    root = large_study.root
    truth = json.loads((root / "truth.json").read_text())
    ann = read_tidy(root / "annotations/annotations.csv")
    registry = [r for r in read_registry(root / "schemas/registry.json") if r["kind"] != "document"]
    tasks = json.loads((root / "tasks/tasks.json").read_text())
    lengths = {t["data"]["article_id"]: len(t["data"]["text"]) for t in tasks}
    result = study_agreement(ann, registry, lengths=lengths, n_boot=0)
    result["category"] = result["category"].fillna("")
    checked = 0
    for var, entry in truth["true_alpha"].items():
        if entry.get("method") != "simulation":
            continue
        assert entry["n_units"] == 900
        for est in entry["estimates"]:
            row = result[(result["variable"] == var) & (result["metric"] == est["metric"])
                         & (result["category"] == (est["category"] or "")) & (result["outlet"] == "all")]
            # both sides are estimates from 900 articles; presence alphas vary the most
            tolerance = 0.15 if "presence" in est["metric"] else 0.1
            assert float(row["estimate"].iloc[0]) == pytest.approx(est["alpha"], abs=tolerance), (var, est)
            checked += 1
    assert checked == 18
