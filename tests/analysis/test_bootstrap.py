"""The vectorised bootstrap against the obvious loop, and exactness of each replicate."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

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


def ratings(seed=0, n_units=300, n_coders=4, missing=0.1, agree=0.7, n_cat=5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, n_cat + 1, n_units)
    data = np.where(
        rng.random((n_units, n_coders)) < agree,
        truth[:, None],
        rng.integers(1, n_cat + 1, (n_units, n_coders)),
    ).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return pd.DataFrame(data)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_each_replicate_is_alpha_of_a_resample(level):
    """Replicate b equals krippendorff.alpha of the units drawn in replicate b."""
    coded = encode(ratings(1, n_units=120))
    n_boot, seed = 25, 7
    result = bootstrap_alpha(coded, level, n_boot=n_boot, seed=seed)
    vc = coded.value_counts
    vc = vc[vc.sum(axis=1) >= 2]
    patterns, inverse, freq = _patterns(vc)
    counts = _draw_counts(np.random.default_rng(seed), inverse, freq, vc.shape[0], n_boot)
    for b in range(n_boot):
        resample = np.repeat(patterns, counts[b], axis=0)
        expected = krippendorff.alpha(
            value_counts=resample,
            value_domain=np.asarray(coded.categories),
            level_of_measurement=level,
        )
        assert result["replicates"][b] == pytest.approx(expected, abs=1e-12)


def naive_loop(data: pd.DataFrame, level: str, n_boot: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = data.to_numpy().T
    pairable = np.flatnonzero((~np.isnan(matrix)).sum(axis=0) >= 2)
    out = []
    for _ in range(n_boot):
        idx = rng.choice(pairable, size=pairable.size, replace=True)
        out.append(krippendorff.alpha(reliability_data=matrix[:, idx], level_of_measurement=level))
    return np.array(out)


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_ci_matches_naive_loop_within_monte_carlo_error(level):
    data = ratings(2, n_units=250)
    loop = naive_loop(data, level, n_boot=400, seed=11)
    ours = bootstrap_alpha(encode(data), level, n_boot=4000, seed=3)
    sd = loop.std(ddof=1)
    assert ours["se"] == pytest.approx(sd, rel=0.15)
    low, high = np.quantile(loop, [0.025, 0.975])
    # quantile standard error at n=400 is roughly 0.3 sd for the 2.5% tails
    assert abs(ours["ci_low"] - low) < 0.6 * sd
    assert abs(ours["ci_high"] - high) < 0.6 * sd


def test_index_draw_path_agrees_with_multinomial_path(monkeypatch):
    """With many distinct unit patterns the bootstrap draws unit indices instead."""
    data = ratings(3, n_units=300)
    coded = encode(data)
    multinomial = bootstrap_alpha(coded, "interval", n_boot=3000, seed=1)
    monkeypatch.setattr(bootstrap_module, "_MULTINOMIAL_MAX_PATTERNS", 0)
    indices = bootstrap_alpha(coded, "interval", n_boot=3000, seed=1)
    assert not np.array_equal(multinomial["replicates"], indices["replicates"])
    assert indices["se"] == pytest.approx(multinomial["se"], rel=0.1)
    assert indices["ci_low"] == pytest.approx(multinomial["ci_low"], abs=0.3 * multinomial["se"])
    assert indices["ci_high"] == pytest.approx(multinomial["ci_high"], abs=0.3 * multinomial["se"])


def test_chunking_does_not_change_the_draws(monkeypatch):
    """Replicates are drawn in chunks to bound memory; the chunk size changes nothing but
    the order of floating-point sums."""
    coded = encode(ratings(4, n_units=100))
    whole = bootstrap_alpha(coded, "ordinal", n_boot=64, seed=5)["replicates"]
    monkeypatch.setattr(bootstrap_module, "_CHUNK_CELLS", 1)
    chunked = bootstrap_alpha(coded, "ordinal", n_boot=64, seed=5)["replicates"]
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-12)


def test_krippendorff_method_is_centred_on_alpha_for_complete_data():
    """With every unit coded by all coders each replicate's expectation is alpha."""
    data = ratings(5, n_units=200, missing=0.0)
    coded = encode(data)
    alpha = krippendorff.alpha(reliability_data=data.to_numpy().T, level_of_measurement="nominal")
    res = bootstrap_alpha(coded, "nominal", n_boot=4000, seed=2, method="krippendorff")
    reps = res["replicates"]
    assert abs(reps.mean() - alpha) < 4 * reps.std() / np.sqrt(reps.size)
    assert res["ci_low"] < alpha < res["ci_high"]


def test_p_below_thresholds():
    coded = encode(ratings(6, n_units=200, agree=0.9))
    res = bootstrap_alpha(coded, "nominal", n_boot=2000, seed=0)
    reps = res["replicates"]
    assert res["p_below"][0.667] == pytest.approx((reps < 0.667).mean())
    assert res["p_below"][0.8] == pytest.approx((reps < 0.8).mean())


def test_bad_arguments():
    coded = encode(ratings(7, n_units=20))
    with pytest.raises(ValueError, match="bootstrap method"):
        bootstrap_alpha(coded, method="jackknife")
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_alpha(coded, n_boot=0)


def continuous(seed=8, n_units=400, n_coders=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.normal(50, 10, n_units)
    data = truth[:, None] + rng.normal(0, 4, (n_units, n_coders))
    data[rng.random(data.shape) < 0.1] = np.nan
    return pd.DataFrame(np.round(data, 3))


@pytest.mark.slow
def test_interval_with_many_distinct_values_uses_moments(monkeypatch):
    """Above LARGE_DOMAIN distinct values interval alpha avoids V x V arrays (which would
    need gigabytes here); the moment formulas give the same alpha as the matrix path, and
    the bootstrap the same distribution."""
    from framestudy.analysis import alpha as alpha_module

    coded = encode(continuous())
    assert coded.n_categories > alpha_module.LARGE_DOMAIN
    moments = alpha_module.alpha_coded(coded, "interval")
    boot_moments = bootstrap_alpha(coded, "interval", n_boot=1000, seed=4)
    for module in (alpha_module, bootstrap_module):
        monkeypatch.setattr(module, "LARGE_DOMAIN", 10**9)
    matrix = alpha_module.alpha_coded(coded, "interval")
    assert matrix["estimate"] == pytest.approx(moments["estimate"], abs=1e-10)
    assert matrix["expected_disagreement"] == pytest.approx(
        moments["expected_disagreement"], rel=1e-10
    )
    # the two paths order the units differently, so only the distributions agree
    boot_matrix = bootstrap_alpha(coded, "interval", n_boot=1000, seed=4)
    assert boot_matrix["se"] == pytest.approx(boot_moments["se"], rel=0.15)


def test_interval_moments_match_krippendorff(monkeypatch):
    from framestudy.analysis import alpha as alpha_module

    data = continuous(n_units=60)
    monkeypatch.setattr(alpha_module, "LARGE_DOMAIN", 10)
    coded = encode(data)
    assert coded.n_categories > 10
    expected = krippendorff.alpha(
        reliability_data=data.to_numpy().T, level_of_measurement="interval"
    )
    assert alpha_module.alpha_coded(coded, "interval")["estimate"] == pytest.approx(
        expected, abs=1e-10
    )


def test_many_distinct_values_in_the_report():
    from framestudy.analysis.json_report import agreement_report

    out = agreement_report(continuous(n_units=500), "interval", n_boot=50, seed=0)
    alpha = out["coefficients"]["krippendorff_alpha"]
    assert 0.5 < alpha["estimate"] < 1 and alpha["ci_low"] < alpha["estimate"] < alpha["ci_high"]
    assert out["coefficients"]["fleiss_kappa"]["estimate"] is None
    assert "distinct values" in out["coefficients"]["fleiss_kappa"]["reason"]
    kripp = agreement_report(
        continuous(n_units=500), "interval", n_boot=20, seed=0, bootstrap_method="krippendorff"
    )
    assert "at most" in kripp["coefficients"]["krippendorff_alpha"]["bootstrap"]["reason"]
    ratio = agreement_report(continuous(n_units=2500, n_coders=3), "ratio", n_boot=0)
    assert ratio["coefficients"]["krippendorff_alpha"]["estimate"] is None
    assert "too many" in ratio["coefficients"]["krippendorff_alpha"]["reason"]


@pytest.mark.parametrize("shape,high", [((500, 5), 4), ((300, 3), 2), ((50, 40), 9), ((20, 70), 3)])
def test_patterns_are_numpys_unique_rows(shape, high):
    """The integer-key shortcut gives np.unique(axis=0)'s patterns, order and counts
    (the last two shapes are too wide for one int64 key and take the row sort)."""
    from framestudy.analysis.bootstrap import _patterns

    vc = np.random.default_rng(3).integers(0, high + 1, shape)
    patterns, inverse, counts = np.unique(vc, axis=0, return_inverse=True, return_counts=True)
    got = _patterns(vc)
    np.testing.assert_array_equal(got[0], patterns)
    np.testing.assert_array_equal(got[1], inverse.ravel())
    np.testing.assert_array_equal(got[2], counts)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_jackknife_values_are_alpha_without_each_unit(level):
    """Value i equals krippendorff.alpha of the data with pairable unit i deleted."""
    data = ratings(4, n_units=45, n_coders=3, missing=0.2)
    values = jackknife_alpha(encode(data), level)
    matrix = data.to_numpy()
    pairable = np.flatnonzero((~np.isnan(matrix)).sum(axis=1) >= 2)
    expected = [
        krippendorff.alpha(reliability_data=np.delete(matrix, i, axis=0).T,
                           level_of_measurement=level)
        for i in pairable
    ]
    assert values == pytest.approx(np.array(expected), abs=1e-12)


def test_jackknife_with_many_distinct_values_uses_moments(monkeypatch):
    monkeypatch.setattr(bootstrap_module, "LARGE_DOMAIN", 5)
    data = ratings(6, n_units=30, n_coders=3, missing=0.1, n_cat=9)
    values = jackknife_alpha(encode(data), "interval")
    matrix = data.to_numpy()
    pairable = np.flatnonzero((~np.isnan(matrix)).sum(axis=1) >= 2)
    expected = [
        krippendorff.alpha(reliability_data=np.delete(matrix, i, axis=0).T,
                           level_of_measurement="interval")
        for i in pairable
    ]
    assert values == pytest.approx(np.array(expected), abs=1e-12)


def test_bca_interval_equals_scipys_bca():
    """Given scipy's own replicates and the jackknife of the mean, the same interval."""
    from scipy import stats

    x = np.random.default_rng(5).exponential(size=40)
    res = stats.bootstrap((x,), np.mean, n_resamples=4000, method="BCa",
                          random_state=np.random.default_rng(1), confidence_level=0.9)
    jack = (x.sum() - x) / (x.size - 1)
    low, high, z0, accel = bca_interval(res.bootstrap_distribution, x.mean(), jack, 0.9)
    assert (low, high) == pytest.approx(tuple(res.confidence_interval), rel=1e-12)
    assert accel > 0  # a right-skewed sample


def test_bca_interval_is_undefined_when_every_replicate_is_on_one_side():
    low, high, z0, _ = bca_interval(np.array([0.9, 0.95, 1.0]), 0.8, np.array([0.8, 0.7]))
    assert np.isnan(low) and np.isnan(high) and np.isnan(z0)


def test_jackknife_interval_se_of_the_mean_is_s_over_root_n():
    """For the mean the jackknife standard error is exactly s / sqrt(n) (Efron & Tibshirani
    1993, p. 142); the interval is mean -/+ t(n-1) se, capped at 1."""
    from scipy import stats

    x = np.random.default_rng(2).normal(0.3, 0.2, size=25)
    jack = (x.sum() - x) / (x.size - 1)
    low, high, se = jackknife_interval(x.mean(), jack)
    assert se == pytest.approx(x.std(ddof=1) / np.sqrt(x.size), rel=1e-12)
    assert low == pytest.approx(x.mean() - stats.t.ppf(0.975, 24) * se, rel=1e-12)
    assert high == pytest.approx(min(1.0, x.mean() + stats.t.ppf(0.975, 24) * se), rel=1e-12)
    assert np.isnan(jackknife_interval(0.5, np.array([0.4]))[0])


def test_bca_option_against_scipys_bca_on_alpha():
    """interval="bca" agrees with scipy.stats.bootstrap's BCa (its own resamples and
    jackknife, alpha by the krippendorff package) within Monte Carlo error."""
    from scipy import stats

    data = ratings(8, n_units=40, n_coders=2, missing=0.0, agree=0.8, n_cat=2)
    matrix = data.to_numpy()
    ours = bootstrap_alpha(encode(data), "nominal", n_boot=4000, seed=3, interval="bca")
    assert ours["interval"] == "bca"

    def alpha_of(idx):
        return krippendorff.alpha(reliability_data=matrix[idx.astype(int)].T,
                                  level_of_measurement="nominal")

    ref = stats.bootstrap((np.arange(len(matrix)),), alpha_of, n_resamples=2000, method="BCa",
                          vectorized=False, random_state=np.random.default_rng(4))
    assert ours["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=0.04)
    assert ours["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=0.04)
    percentile = bootstrap_alpha(encode(data), "nominal", n_boot=4000, seed=3,
                                 interval="percentile")
    assert percentile["interval"] == "percentile"
    assert (ours["ci_low"], ours["ci_high"]) != (percentile["ci_low"], percentile["ci_high"])
    # BCa is the units bootstrap's default; Krippendorff's bootstrap keeps the percentile one
    default = bootstrap_alpha(encode(data), "nominal", n_boot=4000, seed=3)
    assert default["interval"] == "bca"
    assert (default["ci_low"], default["ci_high"]) == (ours["ci_low"], ours["ci_high"])
    kalpha = bootstrap_alpha(encode(data), "nominal", n_boot=400, seed=3, method="krippendorff")
    assert kalpha["interval"] == "percentile"
    reps = kalpha["replicates"][~np.isnan(kalpha["replicates"])]
    assert (kalpha["ci_low"], kalpha["ci_high"]) == tuple(np.quantile(reps, [0.025, 0.975]))


def test_bca_option_is_bca_interval_of_the_replicates():
    coded = encode(ratings(9, n_units=60, n_coders=3))
    res = bootstrap_alpha(coded, "ordinal", n_boot=500, seed=1, interval="bca")
    estimate = krippendorff.alpha(value_counts=coded.value_counts,
                                  value_domain=np.asarray(coded.categories),
                                  level_of_measurement="ordinal")
    low, high, _, _ = bca_interval(res["replicates"], estimate, jackknife_alpha(coded, "ordinal"))
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((low, high), abs=1e-12)


def test_bca_does_not_repair_perfect_agreement():
    """All pairable values agree: every defined replicate is 1, and BCa (like the
    percentile interval) collapses onto [1, 1] -- the case docs/ci_coverage.md flags."""
    data = pd.DataFrame({"a": [0, 0, 1, 1, 0], "b": [0, 0, 1, 1, 0]})
    res = bootstrap_alpha(data, "nominal", n_boot=200, seed=0, interval="bca")
    assert (res["ci_low"], res["ci_high"]) == (1.0, 1.0)


def test_bad_interval_arguments():
    data = ratings(1, n_units=30)
    with pytest.raises(ValueError, match="unknown interval"):
        bootstrap_alpha(data, n_boot=10, interval="studentized")
    with pytest.raises(ValueError, match="BCa interval needs the units bootstrap"):
        bootstrap_alpha(data, n_boot=10, method="krippendorff", interval="bca")


# The percentile interval's tails written out, not derived from ``confidence`` as the code
# does: a 95% interval cuts 2.5% off each end, a 90% one 5%, an 80% one 10%.
TAILS = {0.95: (0.025, 0.975), 0.90: (0.05, 0.95), 0.80: (0.10, 0.90)}


@pytest.mark.parametrize("method", ["units", "krippendorff"])
@pytest.mark.parametrize("confidence", sorted(TAILS))
def test_percentile_ci_is_the_tail_quantiles_of_the_defined_replicates(confidence, method):
    """ci_low / ci_high are numpy's quantiles of the returned replicates at the tails above,
    to the last digit (Efron & Tibshirani 1993, ch. 13) -- a 90% interval reported under
    confidence=0.95 (tail 1 - confidence instead of (1 - confidence) / 2) fails here."""
    coded = encode(ratings(10, n_units=60, n_coders=3, agree=0.6))
    res = bootstrap_alpha(coded, "nominal", n_boot=800, seed=4, method=method,
                          confidence=confidence, interval="percentile")
    reps = res["replicates"]
    assert reps.shape == (800,) and not np.isnan(reps).any()
    low_tail, high_tail = TAILS[confidence]
    assert res["ci_low"] == np.quantile(reps, low_tail)
    assert res["ci_high"] == np.quantile(reps, high_tail)
    assert res["confidence"] == confidence


def test_percentile_ci_leaves_undefined_replicates_out():
    """Replicates without variation (D_e = 0) are NaN: counted, and not in the quantiles."""
    # one unit with disagreement among agreeing units of one value: many resamples miss it
    data = pd.DataFrame({"a": [1, 1, 1, 1, 1, 1, 2], "b": [1, 1, 1, 1, 1, 1, 1]})
    res = bootstrap_alpha(data, "nominal", n_boot=400, seed=2, confidence=0.90,
                          interval="percentile")
    reps = res["replicates"]
    defined = reps[~np.isnan(reps)]
    assert 0 < res["n_undefined"] == np.isnan(reps).sum() < 400
    assert res["ci_low"] == np.quantile(defined, 0.05)
    assert res["ci_high"] == np.quantile(defined, 0.95)
    assert res["se"] == defined.std(ddof=1)


@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_bca_ci_is_the_replicates_quantiles_at_efrons_levels(confidence):
    """The default interval, written out here from Efron & Tibshirani (1993, eqs. 14.10,
    14.14, 14.15) with an independent jackknife (the krippendorff package, each unit left out
    in turn): z0 from the share of replicates below alpha-hat, a from the jackknife's
    skewness, and the levels Phi(z0 + (z0 + z) / (1 - a (z0 + z))) at z = Phi^-1 of the two
    tails of ``confidence``."""
    from scipy.stats import norm

    data = ratings(11, n_units=50, n_coders=3, agree=0.65)
    coded = encode(data)
    res = bootstrap_alpha(coded, "nominal", n_boot=900, seed=6, confidence=confidence)
    assert res["interval"] == "bca"
    reps = res["replicates"]
    matrix = data.to_numpy(dtype=float)
    estimate = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="nominal")
    jack = np.array([
        krippendorff.alpha(reliability_data=np.delete(matrix, i, axis=0).T,
                           level_of_measurement="nominal")
        for i in range(len(matrix)) if np.isfinite(matrix[i]).sum() >= 2
    ])
    z0 = norm.ppf((reps < estimate).mean() + 0.5 * (reps == estimate).mean())
    d = jack.mean() - jack
    a = (d**3).sum() / (6 * (d**2).sum() ** 1.5)
    tail = (1 - confidence) / 2
    levels = [norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in norm.ppf([tail, 1 - tail])]
    low, high = np.quantile(reps, levels)
    assert res["ci_low"] == pytest.approx(low, abs=1e-12)
    assert res["ci_high"] == pytest.approx(high, abs=1e-12)
