"""The bootstrap's replicates and intervals against expectations worked out independently.

Each replicate of the units bootstrap is alpha of the data with unit u taken w_u times
(Efron & Tibshirani 1993, ch. 6). Here the multiplicities w are chosen by the test (the
draw is replaced), so every replicate can be checked against the ``krippendorff``
package on the resampled data -- through every path of the vectorised code (the pattern
path, the moment path for many distinct values, several chunks). Krippendorff's own
bootstrap is checked through its expectation, worked out from its definition by loops
over the within-unit pairs; BCa and the jackknife interval at their edges from Efron's
formulas (Efron & Tibshirani 1993, eqs. 11.5, 14.10, 14.14, 14.15).
"""

from __future__ import annotations

import itertools
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from scipy.stats import t as student

from framestudy.analysis import bootstrap as bootstrap_module
from framestudy.analysis.bootstrap import (
    _draw_counts,
    _patterns,
    bca_interval,
    bootstrap_alpha,
    jackknife_alpha,
    jackknife_interval,
)
from framestudy.analysis.data import encode


def small_study(seed: int, n_units: int, n_coders: int = 3, values=(1, 2, 3, 4)) -> pd.DataFrame:
    """Units x coders, mostly agreeing, some cells missing, a few units coded once."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(values, n_units)
    data = np.where(
        rng.random((n_units, n_coders)) < 0.6, truth[:, None], rng.choice(values, (n_units, n_coders))
    ).astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    data[:3, 1:] = np.nan  # three units coded once: not pairable, never resampled
    return pd.DataFrame(data)


def use_multiplicities(monkeypatch, weights: np.ndarray) -> list[int]:
    """Make the bootstrap take pairable unit u ``weights[b, u]`` times in replicate b.

    The replacement for ``_draw_counts`` turns unit multiplicities into the pattern counts
    the bootstrap asks for (through the ``inverse`` it passes: each unit's pattern), handing
    out the rows of ``weights`` in order, chunk after chunk. Returns the chunk sizes asked for.
    """
    sizes: list[int] = []

    def draw(rng, inverse, freq, n_units, size):
        start = sum(sizes)
        sizes.append(size)
        rows = weights[start : start + size]
        counts = np.zeros((size, freq.size), dtype=np.int64)
        for b in range(size):
            np.add.at(counts[b], inverse, rows[b])
        return counts

    monkeypatch.setattr(bootstrap_module, "_draw_counts", draw)
    return sizes


def random_multiplicities(seed: int, n_boot: int, n_units: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot)


def alpha_of_resample(coded, weights_row: np.ndarray, level) -> float:
    """krippendorff.alpha of the pairable units, unit u repeated weights_row[u] times."""
    vc = coded.value_counts
    pairable = vc[vc.sum(axis=1) >= 2]
    resample = np.repeat(pairable, weights_row, axis=0)
    if (resample.sum(axis=0) > 0).sum() < 2:
        return float("nan")  # one value only: no variation, alpha undefined
    return krippendorff.alpha(
        value_counts=resample,
        value_domain=np.asarray(coded.categories),
        level_of_measurement=level,
    )


def n_pairable(coded) -> int:
    return int((coded.value_counts.sum(axis=1) >= 2).sum())


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("chunk_cells", [10**9, 120, 1])
def test_each_replicate_is_alpha_of_the_units_taken(monkeypatch, level, chunk_cells):
    """Every replicate equals krippendorff.alpha of the resample, whatever the chunking
    (one chunk, a few, one replicate per chunk) -- including a replicate made of a single
    unit whose values agree, which has no variation and is undefined."""
    coded = encode(small_study(1, n_units=24))
    n = n_pairable(coded)
    weights = random_multiplicities(2, 11, n)
    vc = coded.value_counts[coded.value_counts.sum(axis=1) >= 2]
    agreeing = int(np.flatnonzero((vc > 0).sum(axis=1) == 1)[0])
    weights[4] = 0
    weights[4, agreeing] = n
    monkeypatch.setattr(bootstrap_module, "_CHUNK_CELLS", chunk_cells)
    sizes = use_multiplicities(monkeypatch, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = bootstrap_alpha(coded, level, n_boot=11, seed=0, interval="percentile")
    assert sum(sizes) == 11
    if chunk_cells == 120 and level != "ordinal":
        assert 1 < len(sizes) < 11
    expected = [alpha_of_resample(coded, row, level) for row in weights]
    np.testing.assert_allclose(result["replicates"], expected, rtol=0, atol=1e-12)
    assert np.isnan(result["replicates"][4])
    assert result["n_undefined"] == 1


@pytest.mark.parametrize("chunk_cells", [10**9, 100])
def test_many_distinct_interval_values_resample_units(monkeypatch, chunk_cells):
    """Above LARGE_DOMAIN distinct values interval alpha is bootstrapped from per-unit
    moments; each replicate is still alpha of the units taken (units with exactly two
    values included)."""
    rng = np.random.default_rng(3)
    truth = rng.normal(50, 10, 30)
    data = np.round(truth[:, None] + rng.normal(0, 3, (30, 3)), 2)
    data[:10, 2] = np.nan  # ten units with two values
    data[:2, 1] = np.nan  # two units coded once
    coded = encode(pd.DataFrame(data))
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 10)
    monkeypatch.setattr(bootstrap_module, "_CHUNK_CELLS", chunk_cells)
    assert coded.n_categories > 10
    n = n_pairable(coded)
    assert n == 28
    weights = random_multiplicities(4, 10, n)
    sizes = use_multiplicities(monkeypatch, weights)
    result = bootstrap_alpha(coded, "interval", n_boot=10, seed=0, interval="percentile")
    assert sum(sizes) == 10
    expected = [alpha_of_resample(coded, row, "interval") for row in weights]
    np.testing.assert_allclose(result["replicates"], expected, rtol=0, atol=1e-10)


def test_more_units_than_multinomial_patterns_on_the_moment_path():
    """5,000 units with distinct values: units are drawn by index (more than 4,096 of
    them) and the replicates spread as the jackknife says they should."""
    rng = np.random.default_rng(13)
    truth = rng.normal(0, 1, 5000)
    data = pd.DataFrame(truth[:, None] + rng.normal(0, 0.5, (5000, 2)))
    coded = encode(data)
    result = bootstrap_alpha(coded, "interval", n_boot=60, seed=2, interval="percentile")
    assert result["n_undefined"] == 0
    jack = jackknife_alpha(coded, "interval")
    jack_se = np.sqrt((jack.size - 1) / jack.size * ((jack - jack.mean()) ** 2).sum())
    assert result["se"] == pytest.approx(jack_se, rel=0.35)
    assert abs(result["replicates"].mean() - 0.8) < 0.05  # var 1 / (1 + 0.25)


def test_a_replicate_of_equal_values_is_undefined_on_a_wide_interval_scale(monkeypatch):
    """On the moment path a replicate whose values are all equal is undefined (NaN), even
    where floating-point rounding leaves 2 n sum x^2 - 2 (sum x)^2 a hair above zero."""
    values = np.array([[1e5 / 3, 1e5 / 3]] + [[float(i), float(i) + 7.0] for i in range(20)])
    values[5, 1] = 99_999.0  # a wide scale
    coded = encode(pd.DataFrame(values))
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 10)
    n = n_pairable(coded)
    weights = np.zeros((3, n), dtype=np.int64)
    vc = coded.value_counts[coded.value_counts.sum(axis=1) >= 2]
    same = coded.categories.index(1e5 / 3)
    first = int(np.flatnonzero(vc[:, same] == 2)[0])
    weights[0, first] = n  # only the unit (1e5/3, 1e5/3): no variation
    weights[1] = 1
    weights[2, first] = n - 1
    weights[2, (first + 1) % n] = 1
    use_multiplicities(monkeypatch, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reps = bootstrap_alpha(coded, "interval", n_boot=3, seed=0, interval="percentile")[
            "replicates"
        ]
    assert np.isnan(reps[0])
    expected = [alpha_of_resample(coded, weights[b], "interval") for b in (1, 2)]
    np.testing.assert_allclose(reps[1:], expected, rtol=1e-9)


def test_many_distinct_nominal_values_stay_nominal(monkeypatch):
    """The moment shortcut is for interval data only: nominal data with more than
    LARGE_DOMAIN distinct values are resampled as nominal."""
    rng = np.random.default_rng(5)
    data = rng.integers(0, 40, (25, 2)).astype(float)
    data[::3, 1] = data[::3, 0]
    coded = encode(pd.DataFrame(data))
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 10)
    assert coded.n_categories > 10
    weights = random_multiplicities(6, 5, n_pairable(coded))
    use_multiplicities(monkeypatch, weights)
    reps = bootstrap_alpha(coded, "nominal", n_boot=5, seed=0, interval="percentile")["replicates"]
    expected = [alpha_of_resample(coded, row, "nominal") for row in weights]
    np.testing.assert_allclose(reps, expected, rtol=0, atol=1e-12)


def custom_distance(values) -> np.ndarray:
    """A made-up distance matrix over ``values`` with a non-zero diagonal."""
    x = np.asarray(values, dtype=float)
    return np.abs(x[:, None] - x[None, :]) ** 1.5 + 2.0


def test_a_custom_distance_matrix_is_used_as_given(monkeypatch):
    """With a distance matrix of the user's, each replicate is 1 - D_o / D_e of the
    resample with that matrix (D_e's formula leaves out each value's pairing with itself,
    so a non-zero diagonal counts: Krippendorff 2011, p. 5), worked out here by loops."""
    coded = encode(small_study(7, n_units=15))
    matrix = custom_distance(coded.categories)
    n = n_pairable(coded)
    weights = random_multiplicities(8, 6, n)
    use_multiplicities(monkeypatch, weights)
    reps = bootstrap_alpha(coded, matrix, n_boot=6, seed=0, interval="percentile")["replicates"]
    vc = coded.value_counts[coded.value_counts.sum(axis=1) >= 2]
    for b in range(6):
        units = [np.repeat(np.arange(len(coded.categories)), row) for row in vc]
        units = [u for u, w in zip(units, weights[b], strict=True) for _ in range(w)]
        assert reps[b] == pytest.approx(alpha_by_pairs(units, matrix), abs=1e-12)


def alpha_by_pairs(units, matrix: np.ndarray) -> float:
    """1 - D_o / D_e by loops over the pairs of values: ``units`` are lists of value
    indices into ``matrix``; D_o pairs values within a unit (each pair / (m_u - 1)), D_e
    every two different positions of the pooled values (Krippendorff 2011, pp. 4-5)."""
    pooled = [v for u in units for v in u]
    n = len(pooled)
    d_o = sum(
        matrix[a, c] / (len(u) - 1) for u in units for a, c in itertools.permutations(u, 2)
    ) / n
    d_e = sum(matrix[a, c] for a, c in itertools.permutations(pooled, 2)) / (n * (n - 1))
    return 1 - d_o / d_e


def test_jackknife_value_without_variation_is_nan():
    """Leaving out the only unit that disagrees leaves no variation: that value is NaN (a
    float NaN, in a float array)."""
    data = pd.DataFrame([[1, 1], [1, 1], [1, 2], [1, 1]], dtype=float)
    values = jackknife_alpha(encode(data), "nominal")
    assert values.dtype == float
    assert np.isnan(values[2])
    # without unit 0 (or 1, 3): values 1,1 | 1,1 | 1,2 -> nominal alpha by hand
    # n = 6, n_1 = 5, n_2 = 1: D_o = 2 / 6, D_e = 2 * 5 * 1 / (6 * 5) -> alpha = 0
    np.testing.assert_allclose(values[[0, 1, 3]], 0.0, atol=1e-12)


@pytest.mark.parametrize("patterned", [False, True])
def test_draw_counts_have_the_expected_means(monkeypatch, patterned):
    """Both draw paths (multinomial over patterns, unit indices) give pattern counts whose
    mean is n_units x the pattern's share of units, every row summing to n_units."""
    if patterned:
        monkeypatch.setattr(bootstrap_module, "_MULTINOMIAL_MAX_PATTERNS", 0)
    inverse = np.array([0, 1, 1, 2, 2, 2, 3])
    freq = np.array([1, 2, 3, 1])
    counts = _draw_counts(np.random.default_rng(9), inverse, freq, 7, 40_000)
    assert counts.shape == (40_000, 4)
    assert (counts.sum(axis=1) == 7).all()
    # each count is binomial(7, share): its mean within 5 standard errors
    share = freq / 7
    se = np.sqrt(7 * share * (1 - share) / 40_000)
    assert np.all(np.abs(counts.mean(axis=0) - 7 * share) < 5 * se)


def test_index_draws_keep_patterns_nobody_drew(monkeypatch):
    """A pattern no unit of a replicate came from still has its column (count 0)."""
    monkeypatch.setattr(bootstrap_module, "_MULTINOMIAL_MAX_PATTERNS", 0)
    inverse, freq = np.array([0, 1]), np.array([1, 1])
    shapes = {_draw_counts(np.random.default_rng(s), inverse, freq, 2, 1).shape for s in range(20)}
    assert shapes == {(1, 2)}


def test_patterns_too_close_for_floating_point_keys_stay_apart():
    """60 categories of 0/1 counts make keys up to 2^60: integer keys keep rows that differ
    only in the last columns apart, as numpy's row-unique does."""
    vc = np.zeros((4, 60), dtype=np.int64)
    vc[:, 0] = 1
    vc[0, 59] = vc[1, 58] = vc[2, 57] = vc[3, 59] = 1
    patterns, inverse, counts = _patterns(vc)
    expected, expected_inverse, expected_counts = np.unique(
        vc, axis=0, return_inverse=True, return_counts=True
    )
    np.testing.assert_array_equal(patterns, expected)
    np.testing.assert_array_equal(inverse, expected_inverse.ravel())
    np.testing.assert_array_equal(counts, expected_counts)
    assert len(patterns) == 3


def krippendorff_bootstrap_mean(units: list[list[float]], distance) -> float:
    """E[alpha*] of Krippendorff's bootstrap worked out from its definition.

    Each unit u of m_u values contributes m_u (m_u - 1) / 2 pairs drawn from all the
    within-unit pairs of the data, each adding 2 delta / (n D_e (m_u - 1)) to 1 - alpha*
    (Hayes & Krippendorff 2007, p. 85), so E[1 - alpha*] = sum_u m_u / n x mean pair
    delta / D_e."""
    pooled = [v for u in units for v in u]
    n = len(pooled)
    d_e = sum(distance(a, b) for a, b in itertools.permutations(pooled, 2)) / (n * (n - 1))
    pairs = [distance(a, b) for u in units for a, b in itertools.combinations(u, 2)]
    mean_delta = sum(pairs) / len(pairs)
    return 1 - sum(len(u) for u in units) / n * mean_delta / d_e


def ordinal_distance(pooled):
    values = sorted(set(pooled))
    n_c = {v: pooled.count(v) for v in values}

    def distance(a, b):
        lo, hi = sorted((a, b))
        between = sum(n_c[v] for v in values if lo <= v <= hi)
        return 0.0 if a == b else (between - (n_c[lo] + n_c[hi]) / 2) ** 2

    return distance


@pytest.mark.parametrize("level", ["nominal", "ordinal", "custom"])
def test_krippendorff_method_mean_with_units_of_different_sizes(level):
    """Units of two and of three values: the replicates' mean is the expectation worked
    out pair by pair (within 4 Monte Carlo standard errors); "custom" is a distance
    matrix of the user's with a non-zero diagonal."""
    data = small_study(11, n_units=40)
    units = [[v for v in row if not np.isnan(v)] for row in data.to_numpy()]
    units = [u for u in units if len(u) >= 2]
    assert {len(u) for u in units} == {2, 3}
    pooled = [v for u in units for v in u]
    coded = encode(data)
    metric = custom_distance(coded.categories) if level == "custom" else level
    if level == "nominal":
        distance = lambda a, b: float(a != b)  # noqa: E731
    elif level == "ordinal":
        distance = ordinal_distance(pooled)
    else:
        distance = lambda a, b: metric[coded.categories.index(a), coded.categories.index(b)]  # noqa: E731
    expected = krippendorff_bootstrap_mean(units, distance)
    reps = bootstrap_alpha(coded, metric, n_boot=20_000, seed=3, method="krippendorff")[
        "replicates"
    ]
    assert abs(reps.mean() - expected) < 4 * reps.std() / np.sqrt(reps.size)


def test_krippendorff_method_without_variation_is_undefined_quietly():
    data = pd.DataFrame([[2, 2, np.nan], [2, 2, 2], [2, np.nan, 2]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = bootstrap_alpha(data, "nominal", n_boot=50, seed=1, method="krippendorff")
    assert result["n_undefined"] == 50
    assert result["replicates"].shape == (50,)
    assert np.isnan(result["ci_low"]) and np.isnan(result["ci_high"])


def test_krippendorff_method_handles_exactly_large_domain_values(monkeypatch):
    """'At most LARGE_DOMAIN distinct values': exactly that many are bootstrapped, one
    more gives undefined replicates and the reason."""
    data = small_study(12, n_units=30, values=tuple(range(1, 9)))
    coded = encode(data)
    v = coded.n_categories
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", v)
    at = bootstrap_alpha(coded, "nominal", n_boot=40, seed=1, method="krippendorff")
    assert at["n_undefined"] == 0 and at["reason"] is None
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", v - 1)
    above = bootstrap_alpha(coded, "nominal", n_boot=40, seed=1, method="krippendorff")
    assert above["n_undefined"] == 40
    assert above["replicates"].shape == (40,)
    assert f"at most {v - 1} distinct values" in above["reason"]


def test_bca_is_undefined_when_every_replicate_is_below_the_estimate():
    """z_0 = Phi^-1(1) is infinite: no interval (Efron & Tibshirani 1993, eq. 14.14)."""
    assert all(np.isnan(bca_interval(np.array([0.1, 0.2, 0.3]), 0.5, np.array([0.4, 0.5]))))
    assert all(np.isnan(bca_interval(np.array([0.6, 0.7]), 0.5, np.array([0.4, 0.5]))))


def test_bca_without_acceleration_is_the_bias_corrected_percentile():
    """Equal jackknife values give a = 0, so the levels are Phi(2 z_0 -/+ z)."""
    reps = np.linspace(0.0, 1.0, 201)
    low, high, z0, a = bca_interval(reps, 0.6, np.full(5, 0.3), confidence=0.9)
    share_below = (reps < 0.6).mean() + 0.5 * (reps == 0.6).mean()
    assert z0 == pytest.approx(norm.ppf(share_below))
    assert a == 0.0
    z = norm.ppf(0.95)
    assert low == pytest.approx(np.quantile(reps, norm.cdf(2 * z0 - z)))
    assert high == pytest.approx(np.quantile(reps, norm.cdf(2 * z0 + z)))


def test_bca_level_is_one_where_the_acceleration_overtakes():
    """Where 1 - a (z_0 + z) <= 0 the adjusted level's limit is 1: the upper end is the
    largest replicate (the formula's z_0 + (z_0 + z) / (1 - a (z_0 + z)) runs to +inf as
    the denominator falls to 0)."""
    reps = np.concatenate([np.linspace(0.0, 0.5, 1999), [0.9]])
    jack = np.concatenate([np.zeros(99), [-1.0]])  # one low outlier: a close to 1/6
    low, high, z0, a = bca_interval(reps, 0.6, jack, confidence=0.999)
    d = jack.mean() - jack
    assert a == pytest.approx((d**3).sum() / (6 * (d**2).sum() ** 1.5))
    z = norm.ppf(0.9995)
    assert 1 - a * (z0 + z) <= 0
    assert high == 0.9
    level_low = norm.cdf(z0 + (z0 - z) / (1 - a * (z0 - z)))
    assert low == pytest.approx(np.quantile(reps, level_low))


def test_bca_of_nothing_is_nan_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(np.isnan(bca_interval(np.array([]), 0.5, np.array([0.1, 0.2]))))
        assert all(np.isnan(bca_interval(np.array([0.2, 0.8]), float("nan"), np.array([]))))
        low, high, z0, a = bca_interval(np.array([0.2, 0.4, 0.8]), 0.5, np.array([]))
    assert a == 0.0 and z0 == pytest.approx(norm.ppf(2 / 3))


def test_jackknife_interval_from_two_values_worked_by_hand():
    """N = 2: se = sqrt(1/2 x 2 (|a - b| / 2)^2) = |a - b| / 2, t on one degree of freedom."""
    low, high, se = jackknife_interval(0.5, np.array([0.4, 0.46]), confidence=0.9)
    assert se == pytest.approx(0.03)
    half = student.ppf(0.95, 1) * 0.03
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half))


def test_jackknife_interval_upper_end_is_capped_at_one():
    low, high, se = jackknife_interval(0.95, np.array([0.7, 0.9, 1.0, 0.8]))
    assert high == 1.0
    assert low == pytest.approx(0.95 - student.ppf(0.975, 3) * se)


def test_jackknife_interval_is_nan_without_two_values_or_an_estimate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(np.isnan(jackknife_interval(0.5, np.array([0.4]))))
        assert all(np.isnan(jackknife_interval(0.5, np.array([0.4, np.nan]))))
        assert all(np.isnan(jackknife_interval(float("nan"), np.array([0.1, 0.2, 0.3]))))
