"""The model's agreement statistics against the reference implementations: per-class F1
and Cohen's kappa against scikit-learn's, Krippendorff's alpha against the krippendorff
package; and the sentence splitter's offsets."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from framestudy.model.evaluate import Scale, alpha_rows, f1_scores
from framestudy.model.sentences import split_sentences

VALUES = ("-2", "-1", "0", "+1", "+2")


def _pairs(seed: int, n: int = 300, missing: float = 0.1):
    rng = np.random.default_rng(seed)
    gold = rng.choice(VALUES, size=n)
    model = np.where(rng.random(n) < 0.6, gold, rng.choice(VALUES, size=n)).astype(object)
    gold = gold.astype(object)
    gold[rng.random(n) < missing] = "NA"
    model[rng.random(n) < missing] = "NA"
    return gold, model


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_f1_per_class_equals_sklearn(seed):
    gold, model = _pairs(seed)
    classes = sorted(set(gold) | set(model))
    ours = f1_scores(gold, model, classes, n_boot=0)
    theirs = f1_score(gold, model, labels=classes, average=None, zero_division=np.nan)
    np.testing.assert_allclose(ours["f1"].to_numpy(dtype=float), theirs, rtol=1e-12)
    assert ours["support"].tolist() == [int((gold == c).sum()) for c in classes]


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
@pytest.mark.parametrize("seed", [4, 5])
def test_alpha_and_kappa_equal_the_reference_packages(level, seed):
    gold, model = _pairs(seed)
    scale = Scale(level, VALUES, ("NA",))
    ours = alpha_rows(gold, model, scale, n_boot=0)
    code = {v: float(i) for i, v in enumerate(VALUES)}
    data = np.array([[code.get(v, np.nan) for v in gold], [code.get(v, np.nan) for v in model]])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours["alpha"] == pytest.approx(expected, abs=1e-12)
    both = (gold != "NA") & (model != "NA")
    assert ours["n_pairable"] == int(both.sum())
    kappa = cohen_kappa_score(gold[both].astype(str), model[both].astype(str))
    assert ours["kappa"] == pytest.approx(kappa, abs=1e-12)
    assert ours["kappa_low"] < ours["kappa"] < ours["kappa_high"]


def test_bootstrap_intervals_are_seeded_and_hold_the_estimate():
    gold, model = _pairs(7)
    scale = Scale("nominal", VALUES, ("NA",))
    first = alpha_rows(gold, model, scale, n_boot=200, seed=3)
    again = alpha_rows(gold, model, scale, n_boot=200, seed=3)
    other = alpha_rows(gold, model, scale, n_boot=200, seed=4)
    assert first == again and first != other
    assert first["alpha_low"] < first["alpha"] < first["alpha_high"]
    f1 = f1_scores(gold, model, n_boot=500, seed=3)
    assert f1.equals(f1_scores(gold, model, n_boot=500, seed=3))
    assert ((f1["ci_low"] <= f1["f1"]) & (f1["f1"] <= f1["ci_high"])).all()


def test_f1_interval_is_the_units_bootstrap():
    """Multinomial draws of the confusion table = resampling the units: the interval agrees
    with one made by resampling units one by one (within Monte Carlo error)."""
    gold, model = _pairs(8, n=200)
    ours = f1_scores(gold, model, ["0"], n_boot=4000, seed=1)
    rng = np.random.default_rng(2)
    replicates = []
    for _ in range(4000):
        pick = rng.integers(0, len(gold), len(gold))
        replicates.append(f1_score(gold[pick], model[pick], labels=["0"], average=None,
                                   zero_division=np.nan)[0])
    low, high = np.nanquantile(replicates, [0.025, 0.975])
    assert ours["ci_low"][0] == pytest.approx(low, abs=0.02)
    assert ours["ci_high"][0] == pytest.approx(high, abs=0.02)


def test_sentences_are_split_with_offsets():
    text = ("NATO met in Vilnius. “Moscow objected,” a diplomat said! Was it a promise?\n"
            "A new paragraph 🛡️ with an emoji. Mr. Smith agreed. 2024 was different.")
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert pieces == [
        "NATO met in Vilnius.", "“Moscow objected,” a diplomat said!", "Was it a promise?",
        "A new paragraph 🛡️ with an emoji.", "Mr.", "Smith agreed.", "2024 was different.",
    ]
    assert split_sentences("   ") == [] and split_sentences("no end") == [(0, 6)]
