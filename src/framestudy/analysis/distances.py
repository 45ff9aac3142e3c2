"""Disagreement (delta) functions for alpha and agreement weights for the kappa family.

Krippendorff's difference functions delta^2(c, k) are those of Krippendorff (2011),
"Computing Krippendorff's Alpha-Reliability", pp. 5-6 (also Content Analysis, 2nd ed.,
2004, section 11.4.2). The set distances are Jaccard's and MASI as defined by Passonneau
(2006), "Measuring agreement on set-valued items (MASI) for semantic and pragmatic
annotation", LREC 2006, p. 832: d = 1 - J * M with M = 1 (identical), 2/3 (one set is a
subset of the other), 1/3 (the sets overlap otherwise), 0 (disjoint) -- the definition
nltk uses; DKPro Agreement's MASISetAnnotationDistanceFunction differs. The kappa-family
weights are Gwet's (Handbook of Inter-Rater Reliability, 4th ed., 2014, ch. 3, Table 3.6.1):
linear 1 - |x_k - x_l| / (x_max - x_min), quadratic 1 - (x_k - x_l)^2 / (x_max - x_min)^2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.vocabulary import WEIGHTS


def nominal_delta(n_categories: int) -> np.ndarray:
    """delta = 0 for equal values, 1 otherwise."""
    return 1.0 - np.eye(n_categories)


def ordinal_delta(n_v: np.ndarray) -> np.ndarray:
    """Krippendorff's rank-based ordinal delta from the marginals ``n_v`` (in scale order).

    delta(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, which equals the squared
    difference of the categories' mid-ranks.
    """
    n_v = np.asarray(n_v, dtype=float)
    midrank = np.cumsum(n_v) - n_v / 2.0
    return (midrank[:, None] - midrank[None, :]) ** 2


def ordinal_delta_batch(n_v: np.ndarray) -> np.ndarray:
    """:func:`ordinal_delta` for a batch of marginals, shape (B, V) -> (B, V, V)."""
    midrank = np.cumsum(n_v, axis=1) - n_v / 2.0
    return (midrank[:, :, None] - midrank[:, None, :]) ** 2


def interval_delta(values: Sequence[float]) -> np.ndarray:
    """delta = (c - k)^2."""
    x = np.asarray(values, dtype=float)
    return (x[:, None] - x[None, :]) ** 2


def ratio_delta(values: Sequence[float]) -> np.ndarray:
    """delta = ((c - k) / (c + k))^2, 0 where c + k = 0."""
    x = np.asarray(values, dtype=float)
    diff = x[:, None] - x[None, :]
    total = x[:, None] + x[None, :]
    out = np.zeros_like(diff)
    np.divide(diff, total, out=out, where=total != 0)
    return out**2


def jaccard_distance(a: frozenset, b: frozenset) -> float:
    """1 - |a & b| / |a | b| (0 for two empty sets)."""
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def masi_distance(a: frozenset, b: frozenset) -> float:
    """MASI distance (Passonneau 2006, p. 832): 1 - J * M; 0 for two empty sets."""
    union = len(a | b)
    if union == 0:
        return 0.0
    inter = len(a & b)
    if a == b:
        monotonicity = 1.0
    elif inter == min(len(a), len(b)):
        monotonicity = 2.0 / 3.0
    elif inter > 0:
        monotonicity = 1.0 / 3.0
    else:
        monotonicity = 0.0
    return 1.0 - inter / union * monotonicity


SET_DISTANCES: dict[str, Callable[[frozenset, frozenset], float]] = {
    "jaccard": jaccard_distance,
    "masi": masi_distance,
}


def pairwise_matrix(categories: Sequence, distance: Callable) -> np.ndarray:
    """The V x V matrix of ``distance(c, k)`` over the value domain."""
    v = len(categories)
    out = np.zeros((v, v))
    for i in range(v):
        for j in range(i + 1, v):
            out[i, j] = out[j, i] = float(distance(categories[i], categories[j]))
        out[i, i] = float(distance(categories[i], categories[i]))
    return out


def is_numeric_domain(categories: Sequence) -> bool:
    return len(categories) > 0 and all(
        isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool)
        for c in categories
    )


def category_scores(categories: Sequence) -> np.ndarray:
    """Numeric scores for weights: the values themselves if numeric, else ranks 1..q."""
    if is_numeric_domain(categories):
        return np.asarray(categories, dtype=float)
    return np.arange(1, len(categories) + 1, dtype=float)


def agreement_weights(kind: str, categories: Sequence) -> np.ndarray:
    """Gwet's agreement weights (1 on the diagonal) for the kappa family."""
    q = len(categories)
    if kind == "identity":
        return np.eye(q)
    if kind not in WEIGHTS:
        raise AgreementInputError(f"unknown weights {kind!r}; use one of {', '.join(WEIGHTS)}")
    x = category_scores(categories)
    span = x.max() - x.min() if q else 0.0
    if span == 0:
        return np.ones((q, q))
    diff = np.abs(x[:, None] - x[None, :]) / span
    return 1.0 - (diff if kind == "linear" else diff**2)


def equally_spaced(categories: Sequence) -> bool:
    """True when the weight scores are equally spaced (so rank-based weights coincide)."""
    x = category_scores(categories)
    return len(x) < 3 or bool(np.allclose(np.diff(x), np.diff(x)[0]))
