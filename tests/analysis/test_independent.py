"""Our coefficients against independent implementations on random data.

krippendorff (alpha from raw data), scikit-learn (Cohen's kappa), statsmodels (Fleiss'
kappa, Randolph's kappa = Brennan-Prediger, Cohen's kappa with its ASE) and nltk (Scott's
pi, Bennett's S, pairwise-averaged kappa, MASI distance, alpha with set distances).
"""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from nltk.metrics import masi_distance as nltk_masi
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from framestudy.analysis import kappa
from framestudy.analysis.alpha import _disagreements, coincidences, delta_matrix, krippendorff_alpha
from framestudy.analysis.data import encode
from framestudy.analysis.distances import masi_distance

SEEDS = range(8)


def random_ratings(
    seed: int, n_units=60, n_coders=4, n_cat=5, missing=0.15, agree=0.6
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, n_cat + 1, n_units)
    data = np.where(
        rng.random((n_units, n_coders)) < agree,
        truth[:, None],
        rng.integers(1, n_cat + 1, (n_units, n_coders)),
    )
    data = data.astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return pd.DataFrame(data, columns=[f"c{i}" for i in range(n_coders)])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_from_raw_data(seed, level):
    data = random_ratings(seed)
    ours = krippendorff_alpha(data, level)
    theirs = krippendorff.alpha(reliability_data=data.to_numpy().T, level_of_measurement=level)
    assert ours["estimate"] == pytest.approx(theirs, abs=1e-12)
    # our own coincidence-matrix D_o / D_e agree with the library's estimate
    assert 1 - ours["observed_disagreement"] / ours["expected_disagreement"] == pytest.approx(
        theirs, abs=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_custom_distance_equals_builtin_level(seed):
    data = random_ratings(seed)
    custom = krippendorff_alpha(data, lambda a, b: (a - b) ** 2)
    assert custom["estimate"] == pytest.approx(
        krippendorff_alpha(data, "interval")["estimate"], abs=1e-12
    )
    coded = encode(data)
    o = coincidences(coded.value_counts)
    matrix = delta_matrix("interval", coded.categories, o.sum(axis=0))
    assert krippendorff_alpha(data, matrix)["estimate"] == pytest.approx(
        custom["estimate"], abs=1e-12
    )
    _, d_o, d_e = _disagreements(o, matrix)
    assert 1 - d_o / d_e == pytest.approx(custom["estimate"], abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_cohen_kappa_matches_sklearn(seed, weights):
    data = random_ratings(seed, n_coders=2, missing=0.0)
    coded = encode(data)
    ours = kappa.cohen_pair(coded, 0, 1, weights)
    sk = cohen_kappa_score(
        data["c0"], data["c1"], weights=None if weights == "identity" else weights
    )
    assert ours["estimate"] == pytest.approx(sk, abs=1e-12)
    # the table formula (used when values are unequally spaced) gives the same number
    table = pd.crosstab(data["c0"], data["c1"]).reindex(
        index=coded.categories, columns=coded.categories, fill_value=0
    )
    from framestudy.analysis.distances import agreement_weights

    assert kappa.cohen_table(table.to_numpy(), agreement_weights(weights, coded.categories))[
        "estimate"
    ] == pytest.approx(sk, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_cohen_kappa_and_ase_match_statsmodels(seed, weights):
    data = random_ratings(seed, n_coders=2, missing=0.0)
    coded = encode(data)
    table = pd.crosstab(data["c0"], data["c1"]).reindex(
        index=coded.categories, columns=coded.categories, fill_value=0
    )
    sm_weights = {"identity": None, "linear": "linear", "quadratic": "quadratic"}[weights]
    sm = inter_rater.cohens_kappa(table.to_numpy(), wt=sm_weights)
    ours = kappa.cohen_pair(coded, 0, 1, weights)
    assert ours["estimate"] == pytest.approx(sm.kappa, abs=1e-10)
    assert ours["se"] == pytest.approx(sm.std_kappa, abs=1e-10)
    assert ours["se_h0"] == pytest.approx(sm.std_kappa0, abs=1e-10)


def test_unequally_spaced_weights_use_values_not_ranks():
    """irr's kappa2 weights by factor level, Gwet/irrCAC and we by value (anchors survey 3.1)."""
    data = pd.DataFrame({"a": [1, 2, 3, 4, 6, 6, 1, 4], "b": [1, 3, 3, 6, 4, 6, 2, 4]}, dtype=float)
    coded = encode(data)
    ours = kappa.cohen_pair(coded, 0, 1, "linear")["estimate"]
    by_rank = cohen_kappa_score(data["a"], data["b"], weights="linear")
    values = np.array(coded.categories)
    table = (
        pd.crosstab(data["a"], data["b"])
        .reindex(index=values, columns=values, fill_value=0)
        .to_numpy()
    )
    sm = inter_rater.cohens_kappa(table, weights=values, wt="linear").kappa
    assert ours == pytest.approx(sm, abs=1e-12)
    assert abs(ours - by_rank) > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_coders", [2, 3, 6])
def test_fleiss_and_brennan_prediger_match_statsmodels(seed, n_coders):
    data = random_ratings(seed, n_coders=n_coders, missing=0.0)
    coded = encode(data, categories=[1.0, 2.0, 3.0, 4.0, 5.0])
    counts, _ = inter_rater.aggregate_raters(data.to_numpy().astype(int), n_cat=None)
    assert kappa.fleiss_kappa(coded)["estimate"] == pytest.approx(
        inter_rater.fleiss_kappa(counts, "fleiss"), abs=1e-12
    )
    assert kappa.brennan_prediger(coded)["estimate"] == pytest.approx(
        inter_rater.fleiss_kappa(counts, "randolph"), abs=1e-12
    )


def _nltk_task(data: pd.DataFrame, distance=None) -> AnnotationTask:
    triples = [
        (coder, str(unit), value)
        for unit, row in data.iterrows()
        for coder, value in row.items()
        if not (isinstance(value, float) and np.isnan(value))
    ]
    return AnnotationTask(triples, distance=distance) if distance else AnnotationTask(triples)


@pytest.mark.parametrize("seed", SEEDS)
def test_scott_pi_and_s_match_nltk_for_two_coders(seed):
    data = random_ratings(seed, n_coders=2, missing=0.0)
    coded = encode(data)
    task = _nltk_task(data)
    assert kappa.scott_pi(coded)["estimate"] == pytest.approx(task.pi(), abs=1e-12)
    observed = encode(data)  # nltk's S uses the categories that occur
    assert kappa.brennan_prediger(observed)["estimate"] == pytest.approx(task.S(), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_lights_kappa_matches_nltk_pairwise_average(seed):
    data = random_ratings(seed, n_coders=4, missing=0.0)
    assert kappa.cohen_kappa(encode(data))["estimate"] == pytest.approx(
        _nltk_task(data).kappa(), abs=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_conger_equals_pairwise_chance_model(seed):
    """Conger (1980): with complete data p_e is the mean over coder pairs of sum_k p_ak p_bk."""
    data = random_ratings(seed, n_coders=4, missing=0.0)
    coded = encode(data)
    q = coded.n_categories
    props = [np.bincount(coded.codes[:, j], minlength=q) / len(data) for j in range(4)]
    pe = np.mean([props[a] @ props[b] for a, b in combinations(range(4), 2)])
    pa = np.mean(
        [(coded.codes[:, a] == coded.codes[:, b]).mean() for a, b in combinations(range(4), 2)]
    )
    assert kappa.conger_kappa(coded)["estimate"] == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    two = encode(data[["c0", "c1"]])
    assert kappa.conger_kappa(two)["estimate"] == pytest.approx(
        cohen_kappa_score(data["c0"], data["c1"]), abs=1e-12
    )


def random_sets(seed: int, n_units=40, n_coders=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = list("ABCD")
    rows = []
    for _ in range(n_units):
        base = {x for x in labels if rng.random() < 0.4} or {"A"}
        row = []
        for _ in range(n_coders):
            if rng.random() < 0.1:
                row.append(np.nan)
                continue
            s = {x for x in labels if (x in base) != (rng.random() < 0.15)} or {"B"}
            row.append(frozenset(s))
        rows.append(row)
    return pd.DataFrame(rows, columns=[f"c{i}" for i in range(n_coders)], dtype=object)


@pytest.mark.parametrize("seed", SEEDS)
def test_masi_distance_matches_nltk(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        a = frozenset(x for x in "ABCDE" if rng.random() < 0.5) or frozenset("A")
        b = frozenset(x for x in "ABCDE" if rng.random() < 0.5) or frozenset("C")
        assert masi_distance(a, b) == pytest.approx(nltk_masi(set(a), set(b)), abs=1e-12)
    assert masi_distance(frozenset("A"), frozenset("AB")) == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["masi", "jaccard"])
def test_set_alpha_matches_nltk(seed, metric):
    from nltk.metrics import jaccard_distance

    data = random_sets(seed)
    distance = {"masi": nltk_masi, "jaccard": jaccard_distance}[metric]
    expected = _nltk_task(data, distance).alpha()
    assert krippendorff_alpha(data, metric)["estimate"] == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_alpha_by_group_own_and_pooled_expected_disagreement(seed):
    from framestudy.analysis.alpha import alpha_by_group

    data = random_ratings(seed, n_units=90)
    groups = np.array(["x", "y", "z"])[np.arange(90) % 3]
    own = alpha_by_group(data, groups, "nominal").set_index("group")
    pooled = alpha_by_group(data, groups, "nominal", expected="pooled").set_index("group")
    whole = krippendorff_alpha(data, "nominal")
    for g in "xyz":
        sub = data[groups == g]
        assert own.loc[g, "estimate"] == pytest.approx(
            krippendorff.alpha(reliability_data=sub.to_numpy().T, level_of_measurement="nominal"),
            abs=1e-12,
        )
        d_o = krippendorff_alpha(sub, "nominal")["observed_disagreement"]
        assert pooled.loc[g, "estimate"] == pytest.approx(
            1 - d_o / whole["expected_disagreement"], abs=1e-12
        )
