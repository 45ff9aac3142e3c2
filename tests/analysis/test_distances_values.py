"""The distance and weight functions on hand-computed values, edge cases included.

Expectations are worked out from the definitions the module cites: Krippendorff (2011),
"Computing Krippendorff's Alpha-Reliability", pp. 5-6 (interval (c - k)^2, ratio
((c - k) / (c + k))^2); Jaccard's distance 1 - |a & b| / |a | b|; MASI (Passonneau 2006,
p. 832) 1 - J * M, checked against nltk where nltk defines it. Found by mutation testing
(docs/mutation.md): the empty sets, a value 0 on the ratio scale, and integer values large
enough to overflow 64-bit integer arithmetic were not exercised.
"""

from __future__ import annotations

import numpy as np
import pytest
from nltk.metrics import masi_distance as nltk_masi

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.distances import (
    agreement_weights,
    equally_spaced,
    interval_delta,
    is_numeric_domain,
    jaccard_distance,
    masi_distance,
    pairwise_matrix,
    ratio_delta,
)

EMPTY = frozenset()
A = frozenset({"a"})
AB = frozenset({"a", "b"})
C = frozenset({"c"})


def test_two_empty_sets_are_identical_answers():
    """Two coders who both chose nothing agree: distance 0, not a division by zero."""
    assert jaccard_distance(EMPTY, EMPTY) == 0.0
    assert masi_distance(EMPTY, EMPTY) == 0.0


@pytest.mark.parametrize("distance", [jaccard_distance, masi_distance])
def test_an_empty_set_against_one_value_is_total_disagreement(distance):
    # |a & b| = 0, |a | b| = 1: Jaccard 1 - 0/1 = 1; MASI 1 - 0 * M = 1
    assert distance(A, EMPTY) == 1.0
    assert distance(EMPTY, A) == 1.0


def test_jaccard_on_hand_computed_pairs():
    assert jaccard_distance(A, A) == 0.0
    assert jaccard_distance(A, AB) == pytest.approx(1 - 1 / 2)
    assert jaccard_distance(AB, frozenset({"b", "c"})) == pytest.approx(1 - 1 / 3)
    assert jaccard_distance(A, C) == 1.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (A, A, 0.0),
        (A, AB, 1 - 1 / 2 * 2 / 3),  # subset: M = 2/3
        (AB, frozenset({"b", "c"}), 1 - 1 / 3 * 1 / 3),  # overlap: M = 1/3
        (A, C, 1.0),  # disjoint: J = 0
        (A, EMPTY, 1.0),
    ],
)
def test_masi_on_hand_computed_pairs_and_nltk(a, b, expected):
    assert masi_distance(a, b) == pytest.approx(expected, abs=1e-15)
    assert masi_distance(a, b) == pytest.approx(nltk_masi(set(a), set(b)), abs=1e-15)


def test_ratio_distance_with_a_zero_value():
    """delta(0, 0) = 0 (0/0 defined as no disagreement), delta(0, k) = 1 for k > 0."""
    expected = np.array(
        [
            [0.0, 1.0, 1.0],
            [1.0, 0.0, (2 / 4) ** 2],
            [1.0, (2 / 4) ** 2, 0.0],
        ]
    )
    with np.errstate(all="raise"):  # no 0/0 is evaluated
        got = ratio_delta([0, 1, 3])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_interval_distance_of_large_integers_does_not_overflow():
    """Values in the billions (counts, amounts in cents) given as integers: the squared
    difference exceeds 64-bit integers and must be computed in floating point."""
    got = interval_delta([0, 4_000_000_000])
    assert got[0, 1] == pytest.approx(1.6e19, rel=1e-12)
    assert got[1, 0] == pytest.approx(1.6e19, rel=1e-12)


def test_ratio_distance_of_large_integers_does_not_overflow():
    # c + k = 1.1e19 exceeds the largest 64-bit integer (9.2e18)
    got = ratio_delta([6_000_000_000_000_000_000, 5_000_000_000_000_000_000])
    assert got[0, 1] == pytest.approx((1 / 11) ** 2, rel=1e-12)


def test_an_empty_domain_is_not_numeric():
    assert not is_numeric_domain(())
    assert not is_numeric_domain([])
    assert is_numeric_domain([1, 2.5])
    assert not is_numeric_domain([True, False])
    assert not is_numeric_domain(["1", "2"])


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ([1, 2, 3], True),
        ([0, 5, 10, 15], True),
        ([1, 2, 4], False),
        ([1, 3, 4, 5], False),
        ([1, 5], True),  # two points are always equally spaced
        (["low", "mid", "high"], True),  # words are scored by rank 1..q
    ],
)
def test_equally_spaced(categories, expected):
    assert equally_spaced(categories) is expected


def test_weights_on_two_values_one_apart():
    """Gwet (2014, Table 3.6.1) with x = 0, 1 (span 1): linear and quadratic weights are both
    1 on the diagonal and 0 off it."""
    for kind in ("linear", "quadratic"):
        np.testing.assert_array_equal(agreement_weights(kind, [0, 1]), np.eye(2))


def test_weights_on_hand_computed_scores():
    # x = 1, 2, 4: span 3; linear 1 - |d|/3, quadratic 1 - d^2/9
    linear = agreement_weights("linear", [1, 2, 4])
    quadratic = agreement_weights("quadratic", [1, 2, 4])
    np.testing.assert_allclose(linear[0], [1, 2 / 3, 0], atol=1e-15)
    np.testing.assert_allclose(linear[1], [2 / 3, 1, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(quadratic[1], [8 / 9, 1, 5 / 9], atol=1e-15)


def test_weights_of_a_single_value_and_of_no_value():
    """One value: a 1 x 1 matrix of 1 (full agreement); an empty domain: a 0 x 0 matrix."""
    for kind in ("linear", "quadratic"):
        one = agreement_weights(kind, [7])
        assert one.shape == (1, 1) and one[0, 0] == 1.0
        assert agreement_weights(kind, []).shape == (0, 0)


def test_unknown_weights_are_named_with_the_valid_ones():
    with pytest.raises(
        AgreementInputError, match=r"^unknown weights 'cubic'; use one of identity, linear, quadratic$"
    ):
        agreement_weights("cubic", [1, 2, 3])


def test_a_custom_distance_is_evaluated_once_per_pair_in_domain_order():
    """pairwise_matrix calls ``distance(c_i, c_j)`` once for each i < j (the matrix is
    symmetric) and once on each value's diagonal: V (V + 1) / 2 calls."""
    calls = []

    def distance(a, b):
        calls.append((a, b))
        return 0.0 if a == b else float(ord(b) - ord(a))

    got = pairwise_matrix(["a", "b", "d"], distance)
    assert sorted(calls) == sorted(
        [("a", "b"), ("a", "d"), ("b", "d"), ("a", "a"), ("b", "b"), ("d", "d")]
    )
    np.testing.assert_array_equal(got, [[0, 1, 3], [1, 0, 2], [3, 2, 0]])
