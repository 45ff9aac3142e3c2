"""What bootstrap_alpha and jackknife_alpha take and return, pinned on small cases.

Tables (with a value order given as ``categories``) as well as encoded data, the documented
defaults, every field of the result, the reasons and errors a user reads, and the
leave-one-unit-out values on every path (checked against the ``krippendorff`` package with
the unit removed; Efron & Tibshirani 1993, ch. 11).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis import bootstrap as bootstrap_module
from framestudy.analysis.bootstrap import bootstrap_alpha, jackknife_alpha
from framestudy.analysis.data import AgreementInputError, encode
from tests.analysis.test_bootstrap_replicates_worked import alpha_by_pairs, alpha_of_resample

WORDS = ["low", "mid", "high"]  # an order that is not the alphabetical one


def word_study() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    truth = rng.integers(0, 3, 30)
    codes = np.where(rng.random((30, 3)) < 0.6, truth[:, None], rng.integers(0, 3, (30, 3)))
    table = pd.DataFrame(np.asarray(WORDS, dtype=object)[codes])
    table.iloc[::7, 2] = None
    return table


def as_numbers(table: pd.DataFrame) -> pd.DataFrame:
    return table.apply(lambda column: column.map({w: i + 1 for i, w in enumerate(WORDS)}))


def leave_one_out(coded, level) -> np.ndarray:
    """krippendorff.alpha without each pairable unit in turn (NaN: no variation left)."""
    n = int((coded.value_counts.sum(axis=1) >= 2).sum())
    return np.array([alpha_of_resample(coded, 1 - np.eye(n, dtype=int)[i], level) for i in range(n)])


def test_a_table_of_words_in_the_order_given():
    """Ordinal words with ``categories`` give the replicates of the same data as ranks."""
    words = bootstrap_alpha(word_study(), "ordinal", n_boot=200, seed=4, categories=WORDS)
    ranks = bootstrap_alpha(as_numbers(word_study()), "ordinal", n_boot=200, seed=4)
    np.testing.assert_allclose(words["replicates"], ranks["replicates"], rtol=0, atol=1e-12)
    assert words["ci_low"] == pytest.approx(ranks["ci_low"])
    jack_words = jackknife_alpha(word_study(), "ordinal", categories=WORDS)
    jack_ranks = jackknife_alpha(as_numbers(word_study()), "ordinal")
    np.testing.assert_allclose(jack_words, jack_ranks, rtol=0, atol=1e-12)
    expected = leave_one_out(encode(as_numbers(word_study())), "ordinal")
    np.testing.assert_allclose(jack_ranks, expected, rtol=0, atol=1e-12)


def test_defaults_are_nominal_a_thousand_replicates_seed_zero_units_bca():
    data = as_numbers(word_study())
    result = bootstrap_alpha(data)
    assert (result["n_boot"], result["seed"], result["method"], result["interval"]) == (
        1000, 0, "units", "bca"
    )
    assert result["confidence"] == 0.95
    assert result["replicates"].shape == (1000,)
    nominal = bootstrap_alpha(data, "nominal", n_boot=1000, seed=0)
    np.testing.assert_array_equal(result["replicates"], nominal["replicates"])
    interval = bootstrap_alpha(data, "interval", n_boot=1000, seed=0)
    assert not np.allclose(result["replicates"], interval["replicates"])
    np.testing.assert_allclose(jackknife_alpha(data), leave_one_out(encode(data), "nominal"))


def test_every_field_of_the_result():
    data = as_numbers(word_study())
    result = bootstrap_alpha(data, "nominal", n_boot=50, seed=3, alpha_min=(0.5,), interval="percentile")
    assert set(result) == {
        "ci_low", "ci_high", "se", "p_below", "n_boot", "n_undefined", "method", "seed",
        "confidence", "replicates", "reason", "interval",
    }
    assert (result["n_boot"], result["seed"], result["method"]) == (50, 3, "units")
    assert result["reason"] is None
    reps = result["replicates"]
    assert result["se"] == pytest.approx(np.std(reps, ddof=1))
    assert result["p_below"] == {0.5: pytest.approx(np.mean(reps < 0.5))}


def test_p_below_counts_replicates_strictly_below():
    """KALPHA's q is the share of replicates *below* alpha_min: one equal to it is not."""
    data = as_numbers(word_study())
    reps = bootstrap_alpha(data, n_boot=40, seed=2)["replicates"]
    thresholds = tuple(float(a) for a in np.sort(reps)[[0, 5, 20]])
    result = bootstrap_alpha(data, n_boot=40, seed=2, alpha_min=thresholds)
    for a in thresholds:
        assert result["p_below"][a] == pytest.approx(np.mean(reps < a))
    assert result["p_below"][thresholds[0]] == 0.0


def test_one_and_two_replicates():
    """One replicate: an interval of one point, no standard deviation; two: sd = |a - b| / sqrt 2."""
    data = as_numbers(word_study())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "degrees of freedom <= 0" from numpy
        one = bootstrap_alpha(data, n_boot=1, seed=1, interval="percentile")
    assert one["ci_low"] == one["ci_high"] == one["replicates"][0]
    assert np.isnan(one["se"])
    two = bootstrap_alpha(data, n_boot=2, seed=1, interval="percentile")
    a, b = two["replicates"]
    assert two["se"] == pytest.approx(abs(a - b) / np.sqrt(2))


def test_reason_is_none_when_the_bca_interval_exists():
    result = bootstrap_alpha(as_numbers(word_study()), n_boot=300, seed=5)
    assert not np.isnan(result["ci_low"])
    assert result["reason"] is None


def test_reason_when_every_replicate_lies_on_one_side():
    """A single replicate other than alpha lies on one side of it: z_0 is infinite."""
    result = bootstrap_alpha(as_numbers(word_study()), n_boot=1, seed=1)
    assert np.isnan(result["ci_low"]) and np.isnan(result["ci_high"])
    assert result["reason"] == (
        "BCa interval undefined: every replicate lies on one side of alpha "
        "(e.g. all pairable values agree)"
    )


def test_the_krippendorff_reason_names_the_limit_and_what_to_do(monkeypatch):
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 2)
    result = bootstrap_alpha(as_numbers(word_study()), n_boot=10, method="krippendorff")
    assert result["reason"] == (
        "Krippendorff's bootstrap handles at most 2 distinct values; use the units bootstrap"
    )
    units = bootstrap_alpha(as_numbers(word_study()), n_boot=10, interval="percentile")
    assert units["reason"] is None


def test_the_errors_a_user_reads():
    data = as_numbers(word_study())
    with pytest.raises(AgreementInputError) as error:
        bootstrap_alpha(data, interval="basic")
    assert str(error.value) == "unknown interval 'basic'; use one of percentile, bca"
    with pytest.raises(AgreementInputError) as error:
        bootstrap_alpha(data, method="krippendorff", interval="bca")
    assert str(error.value) == (
        "the BCa interval needs the units bootstrap -- use method='units' with interval='bca'"
    )


def test_jackknife_with_two_coders_one_coder_and_no_pairs():
    two = pd.DataFrame([[1, 1], [1, 2], [2, 2], [3, 3], [3, 1], [2, np.nan]], dtype=float)
    values = jackknife_alpha(two, "nominal")
    np.testing.assert_allclose(values, leave_one_out(encode(two), "nominal"), atol=1e-12)
    assert values.shape == (5,)
    for nothing in (two[[0]], pd.DataFrame([[1, np.nan], [np.nan, 2]], dtype=float)):
        empty = jackknife_alpha(nothing, "nominal")
        assert empty.shape == (0,) and empty.dtype == float


def test_jackknife_with_a_custom_distance_matrix():
    """With a matrix of the user's (non-zero diagonal included) each value is 1 - D_o / D_e
    without that unit, D_o and D_e worked out by loops over the pairs of values."""
    data = as_numbers(word_study())
    matrix = np.array([[0.5, 1.0, 4.0], [1.0, 0.5, 2.0], [4.0, 2.0, 0.5]])
    values = jackknife_alpha(data, matrix)
    units = [[int(v) - 1 for v in row if not pd.isna(v)] for row in data.to_numpy()]
    units = [u for u in units if len(u) >= 2]
    for i, value in enumerate(values):
        assert value == pytest.approx(alpha_by_pairs(units[:i] + units[i + 1 :], matrix), abs=1e-12)


def test_jackknife_with_many_distinct_values(monkeypatch):
    """Above LARGE_DOMAIN distinct values: interval data use per-unit moments, nominal data
    stay nominal, and leaving out the one unit with variation on a wide scale leaves none
    (NaN, not rounding noise)."""
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 3)
    rng = np.random.default_rng(8)
    numbers = pd.DataFrame(np.round(rng.normal(10, 3, (12, 2)), 1))
    numbers.iloc[0, 0] = numbers.iloc[0, 1]
    for level in ("interval", "nominal"):
        values = jackknife_alpha(numbers, level)
        np.testing.assert_allclose(values, leave_one_out(encode(numbers), level), atol=1e-10)
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 1)
    x = 1e5 / 3
    wide = pd.DataFrame([[x, x]] * 5 + [[x, 99_999.0], [0.0, 0.0], [7.0, 7.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = jackknife_alpha(wide.iloc[:6], "interval")
    assert values.dtype == float
    assert np.isnan(values[5])
    np.testing.assert_allclose(
        jackknife_alpha(wide, "interval"), leave_one_out(encode(wide), "interval"), atol=1e-10
    )


def test_multi_select_answers_as_lists():
    """A table of multi-select answers (lists) with a set distance: each leave-one-out
    value is nltk's alpha with the Jaccard distance without that unit."""
    from nltk.metrics import jaccard_distance
    from nltk.metrics.agreement import AnnotationTask

    answers = [
        (["a"], ["a"]), (["a", "b"], ["a"]), (["b"], ["b", "c"]), (["c"], ["c"]),
        (["a", "c"], ["a", "c"]), (["c"], ["b"]), (["b"], ["b"]), (["a", "b", "c"], ["a", "b"]),
    ]
    table = pd.DataFrame({"c1": [a for a, _ in answers], "c2": [b for _, b in answers]})
    values = jackknife_alpha(table, "jaccard")
    for i, value in enumerate(values):
        triples = [
            (coder, unit, frozenset(pair[k]))
            for unit, pair in enumerate(answers)
            if unit != i
            for k, coder in enumerate(("c1", "c2"))
        ]
        expected = AnnotationTask(data=triples, distance=jaccard_distance).alpha()
        assert value == pytest.approx(expected, abs=1e-12)
    result = bootstrap_alpha(table, "jaccard", n_boot=20, seed=1, interval="percentile")
    assert result["n_undefined"] < 20


def test_jackknife_keeps_small_variation_on_a_wide_scale_defined(monkeypatch):
    """The moment path's zero test for D_e is a rounding guard, not a limit on variation:
    values 0 and 0.3 left after removing the one unit that reaches 99,999 still give
    alpha (as krippendorff computes it)."""
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 1)
    small = [[0.0, 0.3], [0.0, 0.0], [0.3, 0.3], [0.3, 0.0], [0.0, 0.0]]
    data = pd.DataFrame(small + [[0.0, 99_999.0]])
    values = jackknife_alpha(data, "interval")
    # removing a unit subtracts it from sums that hold 99,999^2: about 1e-6 of rounding
    np.testing.assert_allclose(values, leave_one_out(encode(data), "interval"), atol=1e-5)
    assert values[5] == pytest.approx(0.25, abs=1e-5)
