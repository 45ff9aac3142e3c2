"""How a variable's values differ by outlet: prevalence, ordinal summaries, tests of an
outlet x value table, span densities per 1,000 words, and the outlet attributes to group
by. Pure functions; nothing here reads or writes files.

Input is a consensus-like table: one row per article, with a grouping column (``by``,
``"outlet"`` by default, or an outlet attribute such as ``type``) and a value column. Rows
whose value or group is missing (``None``/``NaN``; not the string ``"NA"``, which may be a
category) are left out and counted.

Columns of the tidy outputs:

- :func:`prevalence`: ``<by>, value, count, n, share, ci_low, ci_high`` -- one row per group
  and value (values nobody in the group took have count 0); ``n`` is the group's articles
  with a value; the interval is Wilson's score interval.
- :func:`ordinal_summary`: ``<by>, n, n_missing, median_low, median_high, q1, q3`` -- one
  row per group; the distribution itself is :func:`prevalence` with ``values=order``.
- :meth:`OutletComparison.to_frame`: one row per comparison, columns :data:`RESULT_COLUMNS`:
  ``variable`` (the value column), ``by``, ``n`` (articles with a value), ``n_groups`` and
  ``n_values`` (with articles), ``test`` (one of :data:`TESTS` or None) and ``reason``,
  ``statistic`` (Pearson's X^2 of the table, whichever test gave the p-value), ``df``
  (None for Fisher's test), ``p_value``, ``cramers_v`` with ``v_ci_low``/``v_ci_high`` at
  ``confidence``, and the ``n_resamples``, ``n_boot`` and ``seed`` used.
- :attr:`OutletComparison.pairwise`: one row per outlet pair, columns
  :data:`PAIRWISE_COLUMNS`.
- :func:`adjust_across_variables`: the rows of :meth:`OutletComparison.to_frame` with
  ``p_adjusted`` and ``adjustment`` (which correction, over how many variables).
- :func:`with_outlet_attributes`: the per-article table with the outlet registry's
  ``type``, ``country``, ``language`` (``"unknown"`` for an outlet it does not list), to
  group any of these functions by an outlet attribute.
- :func:`span_density` (:class:`SpanDensity`): ``articles``, one row per article and span
  label [and attribute value], columns ``<by>`` + :data:`DENSITY_COLUMNS` (``spans``: the
  coders' mean count; ``density``: spans per 1,000 words); ``groups``, columns ``<by>`` +
  :data:`DENSITY_SUMMARY_COLUMNS` (mean, median, sd, Student's t interval for the mean).
- :func:`compare_densities`: one row per label [and value], columns
  :data:`DENSITY_TEST_COLUMNS` (Kruskal-Wallis across groups, or the reason for none).

Which test (:func:`contingency_test`): Pearson's chi-square when the expected counts meet
Cochran's rule (no expected count below 1, at most 20% of them below 5); otherwise Fisher's
exact test for a 2 x 2 table and, for larger tables, a seeded Monte Carlo test of the same
chi-square statistic over tables with the observed margins. The result names the test and
the reason.

When not to test (:func:`compare_outlets`): fewer than two groups or values with articles,
any group with fewer than ``min_per_group`` (2) articles, or fewer than
``min_mean_per_group`` (5) articles per group on average. Then the result holds the
table only: ``test`` is None, the p-value and Cramér's V are NaN, and ``reason`` says why
(e.g. "too few articles per outlet to test"). A test whose assumptions silently fail is
never reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from framestudy.analysis.data import (
    AgreementInputError,
    check_confidence,
    check_n_boot,
    is_missing,
    sort_key,
)

TESTS = ("pearson_chi2", "fisher_exact", "monte_carlo_chi2")
RESULT_COLUMNS = (
    "variable", "by", "n", "n_groups", "n_values", "test", "reason", "statistic", "df",
    "p_value", "cramers_v", "v_ci_low", "v_ci_high", "confidence", "n_resamples", "n_boot",
    "seed",
)
PAIRWISE_COLUMNS = (
    "group_a", "group_b", "n_a", "n_b", "test", "reason", "statistic", "p_value",
    "p_adjusted", "adjustment",
)
CORRECTIONS = (
    "holm", "bonferroni", "sidak", "holm-sidak", "simes-hochberg", "hommel", "fdr_bh", "fdr_by",
)
MIN_EXPECTED = 1.0
SMALL_EXPECTED = 5.0
MAX_SHARE_SMALL = 0.2


# ---------------------------------------------------------------------------------------
# Input


def _articles(
    frame: pd.DataFrame, value_col: str, by: str, values: Sequence | None
) -> tuple[pd.DataFrame, tuple, int]:
    """The rows with a group and a value, the value domain (given or observed) and the
    number of rows left out for a missing group or value."""
    if not isinstance(frame, pd.DataFrame):
        raise AgreementInputError(
            f"expected a pandas DataFrame with one row per article, not {type(frame).__name__}"
        )
    absent = [c for c in (by, value_col) if c not in frame.columns]
    if absent:
        raise AgreementInputError(
            f"the table has no column {', '.join(map(repr, absent))} (it has "
            f"{', '.join(map(str, frame.columns))}) -- pass value_col= and by= naming its columns"
        )
    keep = ~(missing_mask(frame[value_col]) | missing_mask(frame[by]))
    data = frame.loc[keep, [by, value_col]]
    if "article_id" in frame.columns:
        ids = frame.loc[keep, "article_id"]
        if ids.duplicated().any():
            dup = ids[ids.duplicated()].iloc[0]
            raise AgreementInputError(
                f"article {dup!r} appears more than once for {value_col!r} -- pass one row per "
                "article (the consensus value), not the coders' rows"
            )
    observed = pd.unique(data[value_col]).tolist()
    if values is None:
        domain = tuple(sorted(observed, key=sort_key))
    else:
        domain = tuple(values)
        if len(set(domain)) != len(domain):
            raise AgreementInputError("values contain duplicates -- list each value once")
        outside = [v for v in observed if v not in set(domain)]
        if outside:
            raise AgreementInputError(
                f"{value_col!r} holds values outside the ones given "
                f"({', '.join(map(repr, domain[:8]))}): {', '.join(map(repr, outside[:6]))} "
                "-- add them, or set them to None (missing) first"
            )
    return data, domain, int((~keep).sum())


def missing_mask(values: pd.Series) -> np.ndarray:
    """``values.map(is_missing)`` as a boolean array, without a Python call per row: what
    :func:`~framestudy.analysis.data.is_missing` calls missing (None, NaN, pd.NA) pandas
    does too, so only the rows pandas calls missing are asked."""
    out = values.isna().to_numpy(dtype=bool, copy=True)
    na = np.flatnonzero(out)
    if len(na):
        out[na] = [is_missing(v) for v in values.iloc[na]]
    return out


def _crosstab(data: pd.DataFrame, value_col: str, by: str, domain: tuple) -> pd.DataFrame:
    """Groups x values counts (every value of the domain a column, in its order; every
    value of ``data`` is one of them): ``pd.crosstab``'s table, groups sorted as it sorts
    them, counted by ``np.bincount``."""
    groups, labels = pd.factorize(data[by], sort=True)
    position = {v: i for i, v in enumerate(domain)}
    values = data[value_col].map(position).to_numpy(dtype=np.int64)
    counts = np.bincount(groups * len(domain) + values, minlength=len(labels) * len(domain))
    return pd.DataFrame(
        counts.reshape(len(labels), len(domain)).astype(np.int64),
        index=pd.Index(labels, name=by),
        columns=pd.Index(list(domain), name="value"),
    )


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective
    multiple test procedure", Scandinavian Journal of Statistics 6:65-70): sorted
    ascending, the i-th of m (from 0) is multiplied by m - i, made non-decreasing by a
    running maximum and capped at 1. The numbers of statsmodels'
    ``multipletests(method="holm")``, which also runs ``gc.collect()`` on every call (a
    tenth of a second with a large study in memory)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    out = np.empty_like(adjusted)
    out[order] = np.minimum(adjusted, 1.0)
    return out


# ---------------------------------------------------------------------------------------
# Descriptives


def prevalence(
    frame: pd.DataFrame,
    value_col: str,
    by: str = "outlet",
    values: Sequence | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of each group's articles that took each value, with Wilson's score interval.

    Columns ``<by>, value, count, n, share, ci_low, ci_high``; ``values`` fixes the value
    domain and its order (values no article took get count 0). Wilson's interval
    (Wilson 1927, "Probable inference, the law of succession, and statistical inference",
    JASA 22:209-212) stays inside [0, 1] and keeps close to its nominal coverage for small
    groups and shares near 0 or 1, where the Wald interval fails (Brown, Cai & DasGupta
    2001, Statistical Science 16:101-133). Computed by statsmodels'
    ``proportion_confint(method="wilson")``.
    """
    check_confidence(confidence)
    data, domain, _ = _articles(frame, value_col, by, values)
    table = _crosstab(data, value_col, by, domain)
    if table.empty:
        long = table.stack().rename("count").reset_index()
        long.columns = [by, "value", "count"]
        long["n"] = long[by].map(table.sum(axis=1)).astype(np.int64)
    else:   # the table stacked (groups in its order, each with every value), directly
        counts = table.to_numpy(dtype=np.int64)
        width = counts.shape[1]
        long = pd.DataFrame({
            by: table.index.to_numpy(dtype=object).repeat(width),
            "value": np.tile(table.columns.to_numpy(dtype=object), len(table)),
            "count": counts.ravel(),
            "n": np.repeat(counts.sum(axis=1), width).astype(np.int64),
        })
    long["share"] = long["count"] / long["n"]
    low, high = proportion_confint(
        long["count"].to_numpy(), long["n"].to_numpy(), alpha=1 - confidence, method="wilson"
    )
    long["ci_low"] = np.asarray(low, dtype=float)
    long["ci_high"] = np.asarray(high, dtype=float)
    return long.reset_index(drop=True)


def ordinal_summary(
    frame: pd.DataFrame,
    value_col: str,
    order: Sequence,
    by: str = "outlet",
    missing_values: Sequence = (),
) -> pd.DataFrame:
    """Median and quartiles of an ordinal variable per group, as categories of ``order``.

    ``order`` lists the scale's values lowest first; values in ``missing_values`` (e.g.
    ``"NA"``, not addressed) are outside the scale and counted in ``n_missing``. Columns
    ``<by>, n, n_missing, median_low, median_high, q1, q3``: the median is the category of
    the middle article in scale order; with an even ``n`` the two middle articles may differ,
    and then ``median_low`` and ``median_high`` are both shown (the lower and upper median;
    the same category otherwise). ``q1``/``q3`` are the categories of the articles at ranks
    ceil(n/4) and ceil(3n/4) (the inverse of the empirical distribution function, Hyndman &
    Fan 1996, The American Statistician 50:361-365, definition 1). The distribution is
    :func:`prevalence` with ``values=order``.
    """
    order = tuple(order)
    if not order:
        raise AgreementInputError("order is empty -- list the scale's values, lowest first")
    missing_values = tuple(missing_values)
    data, _, _ = _articles(frame, value_col, by, tuple(order) + missing_values)
    rows = []
    rank = {v: i for i, v in enumerate(order)}
    for group, part in data.groupby(by, sort=True):
        scored = np.sort(
            np.array([rank[v] for v in part[value_col] if v in rank], dtype=np.int64)
        )
        n = scored.size
        row = {by: group, "n": n, "n_missing": int(len(part) - n)}
        if n:
            row.update(
                median_low=order[scored[(n - 1) // 2]],
                median_high=order[scored[n // 2]],
                q1=order[scored[int(np.ceil(n / 4)) - 1]],
                q3=order[scored[int(np.ceil(3 * n / 4)) - 1]],
            )
        else:
            row.update(median_low=None, median_high=None, q1=None, q3=None)
        rows.append(row)
    columns = [by, "n", "n_missing", "median_low", "median_high", "q1", "q3"]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------
# One table


@dataclass(frozen=True)
class TableTest:
    """The test :func:`contingency_test` ran on one table (``test`` None: none could run)."""

    test: str | None
    reason: str
    statistic: float = float("nan")
    df: int | None = None
    p_value: float = float("nan")
    n_resamples: int = 0


def cochran_rule(expected: np.ndarray) -> tuple[bool, str]:
    """Whether expected counts allow the chi-square approximation, and why (or why not).

    Cochran's rule (Cochran 1954, "Some methods for strengthening the common chi-square
    tests", Biometrics 10:417-451, its recommendations on minimum expected numbers): no
    expected count below 1, and at most 20% of the expected counts below 5.
    """
    expected = np.asarray(expected, dtype=float)
    smallest = float(expected.min())
    share_small = float((expected < SMALL_EXPECTED).mean())
    if smallest < MIN_EXPECTED:
        return False, f"an expected count is below 1 ({smallest:.2f})"
    if share_small > MAX_SHARE_SMALL:
        return False, f"{share_small:.0%} of the expected counts are below 5 (at most 20% allowed)"
    return True, f"expected counts meet Cochran's rule (smallest {smallest:.2f})"


def _chi2_statistics(tables: np.ndarray) -> np.ndarray:
    """Pearson's X^2 of each table in a stack (..., r, c); cells with expected 0 add 0."""
    tables = np.asarray(tables, dtype=float)
    n = tables.sum(axis=(-2, -1), keepdims=True)
    expected = tables.sum(axis=-1, keepdims=True) * tables.sum(axis=-2, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0)
    return cells.sum(axis=(-2, -1))


def contingency_test(
    table,
    seed: int | np.random.SeedSequence = 0,
    n_resamples: int = 9999,
    correction: bool = False,
    alternative: str = "two-sided",
) -> TableTest:
    """Test independence of rows and columns of a table of counts.

    Rows or columns without counts are left out first. Then:

    - ``pearson_chi2`` when the expected counts meet :func:`cochran_rule`: Pearson's X^2
      (Pearson 1900, Philosophical Magazine 50:157-175) with (r-1)(c-1) degrees of freedom,
      by ``scipy.stats.chi2_contingency``; ``correction=True`` applies Yates' continuity
      correction (Yates 1934, JRSS Suppl. 1:217-235) to a 2 x 2 table, as R's
      ``chisq.test`` does by default (off by default here: it is conservative);
    - ``fisher_exact`` for a 2 x 2 table that fails the rule: Fisher's exact test
      (Fisher 1935, The Design of Experiments, ch. 2; conditional on both margins), by
      ``scipy.stats.fisher_exact``; ``alternative`` is passed on (two-sided by default);
    - ``monte_carlo_chi2`` for a larger table that fails the rule: X^2 of ``n_resamples``
      random tables with the observed margins (Patefield 1981, Applied Statistics
      30:91-97, via ``scipy.stats.random_table``; the Monte Carlo test of Hope 1968, JRSS B
      30:582-598), p = (1 + #{X^2_sim >= X^2_obs}) / (1 + n_resamples), seeded by ``seed``.

    ``table``: a 2-D array-like or DataFrame of non-negative whole counts.
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or not np.isfinite(counts).all() or (counts < 0).any() or (
        counts != np.round(counts)
    ).any():
        raise AgreementInputError(
            "the table must be 2-D with non-negative whole counts -- pass counts of articles"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) or (
        n_resamples < 1
    ):
        raise AgreementInputError(
            f"n_resamples must be a whole number, at least 1, not {n_resamples!r} -- 9999 is usual"
        )
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        what = "group" if counts.shape[0] < 2 else "value"
        return TableTest(None, f"only one {what} with articles: nothing to compare")
    expected = stats.contingency.expected_freq(counts)
    meets, why = cochran_rule(expected)
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    if meets:
        res = stats.chi2_contingency(counts, correction=correction)
        name = "pearson_chi2"
        if correction and counts.shape == (2, 2):
            why += "; Yates' continuity correction"
        return TableTest(name, why, float(res.statistic), int(res.dof), float(res.pvalue))
    if counts.shape == (2, 2):
        res = stats.fisher_exact(counts.astype(np.int64), alternative=alternative)
        return TableTest(
            "fisher_exact", f"{why}: Fisher's exact test of the 2 x 2 table",
            float(_chi2_statistics(counts)), None, float(res.pvalue),
        )
    rng = np.random.default_rng(seed)
    dist = stats.random_table(
        counts.sum(axis=1).astype(np.int64), counts.sum(axis=0).astype(np.int64), seed=rng
    )
    simulated = _chi2_statistics(dist.rvs(size=n_resamples))
    observed = float(_chi2_statistics(counts))
    # Ties within rounding error count as at least as extreme.
    hits = int((simulated >= observed * (1 - 1e-9) - 1e-12).sum())
    p_value = (1 + hits) / (1 + n_resamples)
    return TableTest(
        "monte_carlo_chi2",
        f"{why}: Monte Carlo test over {n_resamples} tables with the observed margins",
        observed, df, float(p_value), n_resamples,
    )


def cramers_v_interval(
    table, n_boot: int = 1000, confidence: float = 0.95, seed: int | np.random.SeedSequence = 0
) -> tuple[float, float, float]:
    """Cramér's V and a percentile bootstrap interval: (V, low, high).

    V = sqrt(X^2 / (n (min(r, c) - 1))) (Cramér 1946, Mathematical Methods of Statistics,
    p. 282), by ``scipy.stats.contingency.association``, on the table without empty rows and
    columns and without continuity correction. The interval resamples articles within each
    row (group), keeping the groups' sizes as the design fixed them (a stratified
    bootstrap, Davison & Hinkley 1997, Bootstrap Methods and their Application, sec. 3.2;
    percentile interval, Efron & Tibshirani 1993, ch. 13), seeded by ``seed``; ``n_boot=0``
    gives the estimate with NaN bounds. V is biased upwards in small samples and is never
    below 0, so an interval far from 0 says more than one that touches it.
    """
    check_n_boot(n_boot)
    check_confidence(confidence)
    counts = np.asarray(table, dtype=np.int64)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return float("nan"), float("nan"), float("nan")
    v = float(association(counts, method="cramer", correction=False))
    if n_boot == 0:
        return v, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    row_n = counts.sum(axis=1)
    replicates = np.stack(
        [
            rng.multinomial(n_r, row / n_r, size=n_boot)
            for n_r, row in zip(row_n, counts, strict=True)
        ],
        axis=1,
    )
    k = min(counts.shape) - 1
    v_boot = np.sqrt(_chi2_statistics(replicates) / (row_n.sum() * k))
    tail = (1 - confidence) / 2
    low, high = np.quantile(v_boot, [tail, 1 - tail])
    return v, float(low), float(high)


# ---------------------------------------------------------------------------------------
# Outlets


@dataclass(frozen=True)
class OutletComparison:
    """The comparison of one variable across groups (outlets, or an outlet attribute).

    ``table``: groups x values counts (every value of the domain, in its order).
    ``test``: one of :data:`TESTS`, or None when no test could be run honestly; ``reason``
    says which test ran and why, or why none ran. ``pairwise``: one row per pair of groups
    (columns :data:`PAIRWISE_COLUMNS`), empty when no test ran.
    """

    variable: str
    by: str
    table: pd.DataFrame
    test: str | None
    reason: str
    statistic: float
    df: int | None
    p_value: float
    cramers_v: float
    v_ci_low: float
    v_ci_high: float
    confidence: float
    n_resamples: int
    n_boot: int
    seed: int | None
    pairwise: pd.DataFrame = field(repr=False)
    n_left_out: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One tidy row, columns :data:`RESULT_COLUMNS`."""
        row = {
            "variable": self.variable,
            "by": self.by,
            "n": int(self.table.to_numpy().sum()),
            "n_groups": int((self.table.sum(axis=1) > 0).sum()),
            "n_values": int((self.table.sum(axis=0) > 0).sum()),
        }
        row.update({c: getattr(self, c) for c in RESULT_COLUMNS if c not in row})
        return pd.DataFrame([row], columns=list(RESULT_COLUMNS))


def _sample_size_reason(sizes: pd.Series, min_per_group: int, min_mean: float, by: str) -> str:
    small = sizes[sizes < min_per_group]
    if len(small) or sizes.mean() < min_mean:
        detail = ", ".join(f"{g}: {n}" for g, n in sizes.items())
        return (
            f"too few articles per {by} to test ({detail}; at least {min_per_group} in every "
            f"{by} and {min_mean:g} on average needed) -- descriptives only"
        )
    return ""


def compare_outlets(
    frame: pd.DataFrame,
    value_col: str,
    by: str = "outlet",
    values: Sequence | None = None,
    *,
    seed: int = 0,
    n_resamples: int = 9999,
    n_boot: int = 1000,
    confidence: float = 0.95,
    min_per_group: int = 2,
    min_mean_per_group: float = 5.0,
    pairwise: bool = True,
) -> OutletComparison:
    """Compare a variable's values across the groups in ``by``: the groups x values table,
    a test of independence, Cramér's V with a bootstrap interval, and every pair of groups
    compared with Holm's correction.

    The sample-size rule comes first: with fewer than two groups or two values observed, any
    group holding fewer than ``min_per_group`` articles with a value, or fewer than
    ``min_mean_per_group`` such articles per group on average, no test is run (``test``
    None, NaN p-value and V, ``reason`` saying why) -- with one article per outlet, as in
    the bundled five-article study, every outlet's "distribution" is one article and no
    test of a difference means anything. Otherwise :func:`contingency_test` picks the test
    (Cochran's rule), :func:`cramers_v_interval` gives V, and each pair of groups is tested
    the same way on its 2 x k table, the pairs' p-values adjusted by Holm's step-down method
    (Holm 1979, "A simple sequentially rejective multiple test procedure", Scandinavian
    Journal of Statistics 6:65-70; :func:`holm`, statsmodels' numbers), over the
    pairs that could be tested (``pairwise=False`` skips the pairs: ``pairwise`` is then
    empty). ``seed`` fixes every random draw (Monte Carlo tests,
    bootstrap): the same input and seed give the same result.
    """
    check_n_boot(n_boot)
    check_confidence(confidence)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise AgreementInputError(f"seed must be a whole number, not {seed!r}")
    data, domain, left_out = _articles(frame, value_col, by, values)
    table = _crosstab(data, value_col, by, domain)
    sizes = table.sum(axis=1)
    no_test = None
    if len(data) == 0:
        no_test = f"no article has a value for {value_col!r}"
    elif len(sizes) < 2:
        no_test = f"only one {by} has articles with a value: nothing to compare"
    elif (table.sum(axis=0) > 0).sum() < 2:
        no_test = "every article has the same value: nothing to compare"
    else:
        no_test = _sample_size_reason(sizes, min_per_group, min_mean_per_group, by) or None
    empty_pairs = pd.DataFrame(columns=list(PAIRWISE_COLUMNS))
    common = dict(
        variable=value_col, by=by, table=table, confidence=confidence,
        n_left_out=left_out, seed=seed,
    )
    if no_test is not None:
        return OutletComparison(
            test=None, reason=no_test, statistic=float("nan"), df=None,
            p_value=float("nan"), cramers_v=float("nan"), v_ci_low=float("nan"),
            v_ci_high=float("nan"), n_resamples=0, n_boot=0, pairwise=empty_pairs, **common,
        )
    test_seed, boot_seed, pair_seed = np.random.SeedSequence(seed).spawn(3)
    result = contingency_test(table, seed=test_seed, n_resamples=n_resamples)
    v, low, high = cramers_v_interval(table, n_boot=n_boot, confidence=confidence, seed=boot_seed)
    return OutletComparison(
        test=result.test, reason=result.reason, statistic=result.statistic, df=result.df,
        p_value=result.p_value, cramers_v=v, v_ci_low=low, v_ci_high=high,
        n_resamples=result.n_resamples, n_boot=n_boot,
        pairwise=_pairwise(table, pair_seed, n_resamples) if pairwise else empty_pairs,
        **common,
    )


def _pairwise(table: pd.DataFrame, seed: np.random.SeedSequence, n_resamples: int) -> pd.DataFrame:
    groups = list(table.index)
    counts = table.to_numpy()
    sizes = counts.sum(axis=1)
    pairs = list(combinations(range(len(groups)), 2))
    seeds = seed.spawn(len(pairs))
    rows = []
    for (a, b), s in zip(pairs, seeds, strict=True):
        result = contingency_test(counts[[a, b]], seed=s, n_resamples=n_resamples)
        rows.append({
            "group_a": groups[a], "group_b": groups[b], "n_a": int(sizes[a]),
            "n_b": int(sizes[b]), "test": result.test, "reason": result.reason,
            "statistic": result.statistic, "p_value": result.p_value,
        })
    out = pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))
    tested = out["p_value"].notna()
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = holm(out.loc[tested, "p_value"].to_numpy(dtype=float))
    out["adjustment"] = f"holm over {int(tested.sum())} tested pairs of {len(pairs)}"
    return out


def adjust_across_variables(results, method: str = "holm") -> pd.DataFrame:
    """Correct the p-values of several variables' comparisons for their number.

    ``results``: :class:`OutletComparison` objects, or a DataFrame of their
    :meth:`~OutletComparison.to_frame` rows. Returns those rows with ``p_adjusted`` and
    ``adjustment`` (the method and how many variables it covered). Only comparisons that
    ran a test are in the family; the others keep NaN. ``method`` is one of
    :data:`CORRECTIONS` (statsmodels' ``multipletests`` names); the default is Holm's
    step-down method (Holm 1979, Scandinavian Journal of Statistics 6:65-70), which controls
    the family-wise error rate under any dependence between the variables; ``"fdr_bh"``
    (Benjamini & Hochberg 1995, JRSS B 57:289-300) controls the false discovery rate instead.
    """
    if method not in CORRECTIONS:
        raise AgreementInputError(
            f"unknown correction method {method!r} -- use one of {', '.join(CORRECTIONS)}"
        )
    if isinstance(results, pd.DataFrame):
        rows = results.copy()
    else:
        results = list(results)
        if not all(isinstance(r, OutletComparison) for r in results):
            raise AgreementInputError(
                "adjust_across_variables takes OutletComparison results or a DataFrame of "
                "their to_frame() rows"
            )
        rows = (
            pd.concat([r.to_frame() for r in results], ignore_index=True)
            if results else pd.DataFrame(columns=list(RESULT_COLUMNS))
        )
    if "p_value" not in rows.columns:
        raise AgreementInputError("the results have no p_value column -- pass to_frame() rows")
    tested = rows["p_value"].notna()
    rows["p_adjusted"] = np.nan
    if tested.any():
        p = rows.loc[tested, "p_value"].to_numpy(dtype=float)
        rows.loc[tested, "p_adjusted"] = (
            holm(p) if method == "holm" else multipletests(p, method=method)[1]
        )
    rows["adjustment"] = f"{method} over {int(tested.sum())} tested variables of {len(rows)}"
    return rows.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Outlet attributes

OUTLET_ATTRIBUTES = ("type", "country", "language")
UNKNOWN = "unknown"


def _registry_records(outlets) -> dict:
    """``{outlet id: {attribute: value}}`` from an outlet registry (``OutletRegistry`` of
    :mod:`framestudy.tasks.outlets`, or any iterable of objects or mappings with ``id``), or a
    DataFrame with an ``id`` (or ``outlet``) column."""
    if isinstance(outlets, pd.DataFrame):
        key = "id" if "id" in outlets.columns else "outlet"
        if key not in outlets.columns:
            raise AgreementInputError(
                "the outlet table has no 'id' or 'outlet' column -- pass the outlet registry "
                "(framestudy.tasks.outlets.load_outlets('tasks/outlets.yaml'))"
            )
        return {r[key]: dict(r) for r in outlets.to_dict("records")}
    records = {}
    for entry in outlets:
        record = dict(entry) if isinstance(entry, dict) else (
            entry.model_dump() if hasattr(entry, "model_dump") else vars(entry)
        )
        if "id" not in record:
            raise AgreementInputError(
                f"outlet entry {entry!r} has no id -- pass the outlet registry "
                "(framestudy.tasks.outlets.load_outlets('tasks/outlets.yaml'))"
            )
        records[record["id"]] = record
    return records


def with_outlet_attributes(
    frame: pd.DataFrame, outlets, attributes: Sequence[str] = OUTLET_ATTRIBUTES
) -> pd.DataFrame:
    """``frame`` with the outlet registry's attributes joined on by its ``outlet`` column.

    ``outlets``: the registry of ``tasks/outlets.yaml`` (``load_outlets``), an iterable of
    its entries (objects or mappings with ``id``), or a DataFrame with an ``id`` column.
    Each name in ``attributes`` (by default ``type``, ``country``, ``language``) becomes a
    column, so that :func:`prevalence`, :func:`compare_outlets` and :func:`span_density`
    can group by it (``by="country"``). An outlet the registry does not list, a missing
    outlet, and an attribute the registry leaves empty all read ``"unknown"`` -- the
    registry's own word for a fact not established, so unknowns form one visible group
    rather than silently dropping out. The input is not changed; rows keep their order.
    A column of ``frame`` with an attribute's name (e.g. the articles' own ``language``
    from ``tasks.json``) is refused rather than overwritten.
    """
    if not isinstance(frame, pd.DataFrame):
        raise AgreementInputError(
            f"expected a pandas DataFrame with an 'outlet' column, not {type(frame).__name__}"
        )
    if "outlet" not in frame.columns:
        raise AgreementInputError(
            f"the table has no 'outlet' column (it has {', '.join(map(str, frame.columns))}) "
            "-- pass one row per article with its outlet id"
        )
    attributes = [attributes] if isinstance(attributes, str) else list(attributes)
    clash = [a for a in attributes if a in frame.columns]
    if clash:
        raise AgreementInputError(
            f"the table already has column(s) {', '.join(map(repr, clash))} -- rename them "
            "first (e.g. 'language' of the articles vs. the outlet's), or pass attributes= "
            "without them"
        )
    records = _registry_records(outlets)
    out = frame.copy()
    for attribute in attributes:
        def lookup(outlet, attribute=attribute):
            if is_missing(outlet) or outlet not in records:
                return UNKNOWN
            value = records[outlet].get(attribute)
            return UNKNOWN if value is None or is_missing(value) or value == "" else value

        out[attribute] = [lookup(o) for o in frame["outlet"]]
    return out


# ---------------------------------------------------------------------------------------
# Span density

DENSITY_COLUMNS = (
    "article_id", "label", "attribute", "attribute_value", "n_coders", "spans",
    "word_count", "density",
)
DENSITY_SUMMARY_COLUMNS = (
    "label", "attribute", "attribute_value", "n", "mean", "median", "sd", "ci_low",
    "ci_high", "confidence",
)
DENSITY_TEST_COLUMNS = (
    "label", "attribute", "attribute_value", "by", "n", "n_groups", "test", "reason",
    "statistic", "df", "p_value",
)
PER_WORDS = 1000


def word_counts_from_tasks(tasks) -> pd.DataFrame:
    """Columns ``article_id, outlet, word_count`` of the tasks of ``tasks/tasks.json`` (as
    :func:`framestudy.tasks.tasks_file.read_tasks` returns them: ``[{"data": {...}}]``);
    a count or outlet the task does not hold is missing."""
    rows = []
    for task in tasks:
        data = task.get("data", task) if isinstance(task, dict) else {}
        rows.append({
            "article_id": data.get("article_id"),
            "outlet": data.get("outlet"),
            "word_count": data.get("word_count"),
        })
    return pd.DataFrame(rows, columns=["article_id", "outlet", "word_count"])


def _word_count_table(word_counts) -> pd.DataFrame:
    if isinstance(word_counts, dict):
        word_counts = pd.DataFrame(
            {"article_id": list(word_counts), "word_count": list(word_counts.values())}
        )
    if not isinstance(word_counts, pd.DataFrame):
        raise AgreementInputError(
            "word_counts must be a DataFrame with article_id and word_count (see "
            f"word_counts_from_tasks) or a dict, not {type(word_counts).__name__}"
        )
    absent = [c for c in ("article_id", "word_count") if c not in word_counts.columns]
    if absent:
        raise AgreementInputError(
            f"word_counts has no column {', '.join(map(repr, absent))} -- build it with "
            "word_counts_from_tasks(read_tasks('tasks/tasks.json'))"
        )
    table = word_counts.dropna(subset=["article_id"])
    if table["article_id"].duplicated().any():
        dup = table.loc[table["article_id"].duplicated(), "article_id"].iloc[0]
        raise AgreementInputError(
            f"article {dup!r} has more than one word count -- pass one row per article"
        )
    return table.set_index("article_id")


@dataclass(frozen=True)
class _SpanRows:
    """The tidy table's spans, read once for every density of a study (:func:`_span_rows`):
    the articles (``ids``, in order of first appearance; ``n_coders``, the coders with any
    row for each), each coder's spans once (``spans``: ``article`` and ``coder`` codes,
    ``span`` code of the span_id, ``label``) and the codes of every row (``article``,
    ``coder``, ``span``, -1 where missing), so that each span attribute's rows are found
    without re-reading the table."""

    annotations: pd.DataFrame
    ids: pd.Index
    n_coders: np.ndarray
    article: np.ndarray
    coder: np.ndarray
    span: np.ndarray
    spans: pd.DataFrame


def _span_rows(annotations: pd.DataFrame) -> _SpanRows:
    """Count who coded what and each coder's spans once (strings become integer codes)."""
    article, ids = pd.factorize(annotations["article_id"])
    coder, coders = pd.factorize(annotations["coder"])
    span, _ = pd.factorize(annotations["span_id"])
    known = (article >= 0) & (coder >= 0)
    pairs = np.unique(article[known].astype(np.int64) * max(len(coders), 1) + coder[known])
    n_coders = np.bincount(pairs // max(len(coders), 1), minlength=len(ids)).astype(np.int64)
    chosen = np.flatnonzero(known & annotations["variable"].eq("span").to_numpy(dtype=bool))
    spans = pd.DataFrame({
        "article": article[chosen], "coder": coder[chosen], "span": span[chosen],
        "label": annotations["value"].take(chosen).to_numpy(dtype=object),
    }).drop_duplicates(["article", "coder", "span"])
    return _SpanRows(annotations, ids, n_coders, article, coder, span, spans)


def _sorted_positions(values) -> np.ndarray:
    """Positions of ``values`` in sorted order (stable; missing last), as pandas'
    ``sort_values`` orders them."""
    return pd.Series(values, dtype=object if not len(values) else None).sort_values(
        kind="stable", na_position="last").index.to_numpy()


def _per_coder_counts(
    rows: _SpanRows, labels: Sequence | None, attribute: str | None
) -> tuple[pd.DataFrame, list, list]:
    """Per article and label [and attribute value] (every label of the domain, every value
    found, articles sorted by id, then labels sorted, then values in order): the coders of
    the article (``n_coders``) and their mean count of such spans (``spans``; a coder of
    the article who marked none counts 0), with the article's position in ``rows.ids``
    (``article``); the label domain and the attribute-value domain."""
    spans = rows.spans
    observed = sorted(pd.unique(spans["label"]).tolist(), key=str)
    if labels is None:
        domain = observed
    else:
        domain = [labels] if isinstance(labels, str) else list(labels)
        if not domain or len(set(domain)) != len(domain):
            raise AgreementInputError("labels must list each span label once (e.g. ['BLAME'])")
    label = pd.Index(domain, dtype=object).get_indexer(spans["label"].to_numpy(dtype=object))
    spans = spans.assign(label=label)[label >= 0]
    if attribute is None:
        counted, value, values = spans, np.zeros(len(spans), dtype=np.int64), [None]
    else:
        chosen = np.flatnonzero(
            rows.annotations["variable"].eq(attribute).to_numpy(dtype=bool)
            & (rows.article >= 0) & (rows.coder >= 0)
        )
        found = pd.DataFrame({
            "article": rows.article[chosen], "coder": rows.coder[chosen],
            "span": rows.span[chosen],
            "value": rows.annotations["value"].take(chosen).to_numpy(dtype=object),
        }).drop_duplicates()
        if (found["span"] < 0).any():
            raise AgreementInputError(
                f"{attribute!r} has rows without a span_id -- it is not a span attribute; "
                "pass a span attribute such as 'blame_target'"
            )
        counted = found.merge(spans, on=["article", "coder", "span"], how="inner")
        values = sorted(pd.unique(counted["value"]).tolist(), key=str)
        value = pd.Index(values, dtype=object).get_indexer(counted["value"].to_numpy(dtype=object))
    n_articles, n_labels, n_values = len(rows.ids), len(domain), len(values)
    cell = (counted["article"].to_numpy(dtype=np.int64) * n_labels
            + counted["label"].to_numpy(dtype=np.int64)) * n_values + value
    total = np.bincount(cell, minlength=n_articles * n_labels * n_values)
    total = total.reshape(n_articles, n_labels, n_values)
    present = np.flatnonzero(rows.n_coders > 0)
    articles = present[_sorted_positions(rows.ids[present])]
    label_order = _sorted_positions(domain)
    a = np.repeat(articles, n_labels * n_values)
    lab = np.tile(np.repeat(label_order, n_values), len(articles))
    val = np.tile(np.arange(n_values), len(articles) * n_labels)
    n = rows.n_coders[a]
    frame = pd.DataFrame({
        "article": a,  # (the article's position in rows.ids)
        "article_id": rows.ids.take(a),
        # (object columns: the labels and values are few, and text columns would be
        # converted back and forth by every grouping)
        "label": pd.Series(np.asarray(domain, dtype=object)[lab], dtype=object),
        "attribute_value": pd.Series(np.asarray(values, dtype=object)[val], dtype=object),
        "n_coders": n,
        "spans": total[a, lab, val] / n,
    })
    return frame, domain, values


def span_density(
    annotations: pd.DataFrame,
    word_counts,
    *,
    by: str = "outlet",
    labels: Sequence | None = None,
    attribute: str | None = None,
    confidence: float = 0.95,
) -> SpanDensity:
    """Spans per 1,000 words, per article and per group, for each span label (and each value
    of a span attribute).

    The measure. An article's density for label L is the number of its spans labelled L
    per 1,000 of its words: 1000 * spans / word_count. Norming counts to a fixed text
    length so that long and short articles compare is the usual practice of corpus
    linguistics (Biber 1988, Variation across Speech and Writing, Cambridge UP, ch. 4:
    counts normed to a text length of 1,000 words); reading it as the salience of a frame element --
    how often an article puts blame, a promise or a guarantee before its reader -- is this
    project's definition, after Entman's account of salience raised by repetition
    (Entman 1993, "Framing: toward clarification of a fractured paradigm", Journal of
    Communication 43(4):51-58, p. 53). With ``attribute`` (e.g. ``blame_target``), the
    count is of spans of each label holding each value of that attribute (a multi-valued
    attribute counts a span once under each of its values); ``labels`` restricts (and fixes
    the order of) the labels, those no coder used giving density 0.

    Per coder, then averaged: each coder's count for the article (0 if the coder coded the
    article -- has any row for it -- and marked no such span) is averaged over the coders
    of the article, and a single-coded article takes its one coder's count. Averaging
    counts needs no matching of one coder's spans with another's, which is uncertain
    exactly where coders draw boundaries differently, and the mean of the coders' counts
    estimates the count an interchangeable coder of the study would mark (the premise of
    reliability coding, Krippendorff 2004, Content Analysis, 2nd ed., ch. 11). A consensus
    count would depend on the span-matching rule and discard the third coder's spans on
    every disagreement.

    ``annotations``: the tidy table (``read_tidy``): span rows have ``variable == "span"``
    and the label in ``value``; attribute rows the attribute's id as ``variable`` and the
    span's ``span_id``. ``word_counts``: a DataFrame with ``article_id`` and ``word_count``
    (:func:`word_counts_from_tasks`), and the ``by`` column when the annotations lack it
    (an outlet attribute: :func:`with_outlet_attributes`), or a dict article -> count.

    Returns :class:`SpanDensity`: ``articles`` (columns :data:`DENSITY_COLUMNS` plus
    ``by``; ``spans`` is the coders' mean count) and ``groups`` (per group and label
    [and value], columns ``by`` + :data:`DENSITY_SUMMARY_COLUMNS`): the mean, median and
    standard deviation of the articles' densities and Student's t interval for the mean
    (Student 1908, Biometrika 6:1-25; ``scipy.stats.t``). Why a t interval, not a
    bootstrap: it needs no seed, and the percentile bootstrap of a mean is too narrow in
    the small groups such studies have (its "narrowness bias": Hesterberg 2015, "What
    teachers should know about the bootstrap", The American Statistician 69:371-386); with skewed densities
    and few articles read the median beside it. A group of one article has NaN bounds.
    """
    check_confidence(confidence)
    if not isinstance(annotations, pd.DataFrame):
        raise AgreementInputError(
            f"expected the tidy annotation table (read_tidy), not {type(annotations).__name__}"
        )
    absent = [
        c for c in ("article_id", "coder", "variable", "value", "span_id")
        if c not in annotations.columns
    ]
    if absent:
        raise AgreementInputError(
            f"the annotation table has no column {', '.join(map(repr, absent))} -- read it "
            "with framestudy.annotations.read_tidy('annotations/annotations.csv')"
        )
    if attribute is not None and attribute == "span":
        raise AgreementInputError("attribute names a span attribute (e.g. 'blame_target'), not 'span'")
    counts = _word_count_table(word_counts)
    if by in counts.columns:
        groups = counts[by]
    elif by in annotations.columns:
        groups = annotations.drop_duplicates("article_id").set_index("article_id")[by]
    else:
        raise AgreementInputError(
            f"neither the annotations nor word_counts have a {by!r} column -- join outlet "
            "attributes onto word_counts with with_outlet_attributes() first"
        )
    return _span_density(_span_rows(annotations), counts, groups, by=by, labels=labels,
                         attribute=attribute, confidence=confidence)


def _span_density(rows: _SpanRows, counts: pd.DataFrame, groups: pd.Series, *, by: str,
                  labels: Sequence | None, attribute: str | None, confidence: float
                  ) -> SpanDensity:
    """:func:`span_density` from the table's spans counted once (:func:`_span_rows`; a study
    computes several densities from the same rows), the word-count table and the articles'
    groups (``groups``: article id -> group)."""
    articles, _, _ = _per_coder_counts(rows, labels, attribute)
    # the articles, in order of first appearance (as the errors name them); none when no
    # attribute value was found
    ids = rows.ids[rows.n_coders > 0] if len(articles) else rows.ids[:0]
    # (the word-count table's index is unique: _word_count_table refuses repeats)
    lacking = ids[missing_mask(counts["word_count"].reindex(ids))].tolist()
    if lacking:
        raise AgreementInputError(
            f"no word count for annotated article(s) {', '.join(map(repr, lacking[:5]))} -- "
            "rebuild tasks/tasks.json (framestudy tasks build) or pass their word_count"
        )
    words = pd.to_numeric(counts.loc[ids, "word_count"], errors="coerce")
    if words.isna().any() or (words <= 0).any():
        bad = words[words.isna() | (words <= 0)].index[0]
        raise AgreementInputError(
            f"article {bad!r} has word count {counts.at[bad, 'word_count']!r} -- a density "
            "needs a positive number of words"
        )
    # (per article, then spread over its rows by position)
    position = articles["article"].to_numpy()
    per_article = pd.Series(words.to_numpy(), index=ids).reindex(rows.ids).to_numpy()
    articles["word_count"] = per_article[position].astype(np.int64)
    articles["density"] = PER_WORDS * articles["spans"] / articles["word_count"]
    articles[by] = groups.reindex(rows.ids).to_numpy()[position]
    articles["attribute"] = attribute
    if attribute is None:
        articles["attribute_value"] = None
    articles = articles[[by] + list(DENSITY_COLUMNS)]
    return SpanDensity(articles, _density_summary(articles, by, confidence), by)


def _cells(articles: pd.DataFrame, by: str | None):
    """(label, attribute_value[, group]) parts of a per-article density table, in order."""
    keys = ["label", "attribute_value"] + ([by] if by else [])
    key_frame = articles[keys].astype(object).where(articles[keys].notna(), "\0none")
    for key, index in key_frame.groupby(keys, sort=False).groups.items():
        key = tuple(None if k == "\0none" else k for k in key)
        yield key, articles.loc[index]


def _density_summary(articles: pd.DataFrame, by: str, confidence: float) -> pd.DataFrame:
    rows = []
    kept = articles[~missing_mask(articles[by])]
    density = kept["density"].to_numpy(dtype=float)
    attribute = kept["attribute"].to_numpy(dtype=object)
    # the cells of _cells, in its order, each as the positions of its rows
    keys = ["label", "attribute_value", by]
    key_frame = kept[keys].astype(object).where(kept[keys].notna(), "\0none")
    grouped = key_frame.groupby(keys, sort=False)
    positions = grouped.indices
    t_rows = []
    for key in grouped.groups:
        label, value, group = (None if k == "\0none" else k for k in key)
        where = positions[key]
        d = density[where]
        n = d.size
        mean = float(d.mean())
        sd = float(d.std(ddof=1)) if n > 1 else float("nan")
        if n < 2:
            low = high = float("nan")
        elif sd == 0:
            low = high = mean
        else:
            low = high = float("nan")   # below, for all such cells at once
            t_rows.append(len(rows))
        rows.append({
            by: group, "label": label, "attribute": attribute[where[0]],
            "attribute_value": value, "n": n, "mean": mean, "median": float(np.median(d)),
            "sd": sd, "ci_low": low, "ci_high": high, "confidence": confidence,
        })
    if t_rows:
        n = np.array([rows[i]["n"] for i in t_rows])
        low, high = stats.t.interval(
            confidence, n - 1, loc=np.array([rows[i]["mean"] for i in t_rows]),
            scale=np.array([rows[i]["sd"] for i in t_rows]) / np.sqrt(n),
        )
        for i, lo, hi in zip(t_rows, low.tolist(), high.tolist(), strict=True):
            rows[i]["ci_low"], rows[i]["ci_high"] = lo, hi
    frame = pd.DataFrame(rows, columns=[by] + list(DENSITY_SUMMARY_COLUMNS))
    return frame.sort_values([by, "label"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class SpanDensity:
    """Span densities per 1,000 words (:func:`span_density`): ``articles`` one row per
    article and label [and attribute value]; ``groups`` the per-group summary; ``by`` the
    grouping column."""

    articles: pd.DataFrame
    groups: pd.DataFrame
    by: str


def compare_densities(
    densities,
    by: str | None = None,
    *,
    min_per_group: int = 2,
    min_mean_per_group: float = 5.0,
) -> pd.DataFrame:
    """Test whether span densities differ across groups, per label [and attribute value].

    Kruskal-Wallis' rank test (Kruskal & Wallis 1952, "Use of ranks in one-criterion
    variance analysis", JASA 47:583-621; ``scipy.stats.kruskal``, chi-square approximation
    with the tie correction), which asks no normality of the densities -- they are counts
    over lengths, skewed and with many zeros. The sample-size rule is
    :func:`compare_outlets`' (fewer than two groups, any group under ``min_per_group``
    articles, or fewer than ``min_mean_per_group`` per group on average: no test, and
    ``reason`` says so -- descriptives only); so is the case where every article has the
    same density (no ranks to compare). ``densities``: a :class:`SpanDensity` or its
    ``articles`` table (then ``by`` names the group column). One row per label [and
    value], columns :data:`DENSITY_TEST_COLUMNS`; ``test`` is ``"kruskal_wallis"`` or
    None. Correct across labels with :func:`adjust_across_variables` (it reads
    ``p_value``).
    """
    if isinstance(densities, SpanDensity):
        articles, by = densities.articles, by or densities.by
    elif isinstance(densities, pd.DataFrame):
        articles = densities
    else:
        raise AgreementInputError(
            f"expected span_density()'s result or its articles table, not {type(densities).__name__}"
        )
    if by is None or by not in articles.columns or "density" not in articles.columns:
        raise AgreementInputError(
            "pass span_density()'s result, or its articles table with by= naming the group column"
        )
    rows = []
    kept = articles[~missing_mask(articles[by])]
    for (label, value), part in _cells(kept, None):
        samples = {g: p["density"].to_numpy(dtype=float) for g, p in part.groupby(by, sort=True)}
        sizes = pd.Series({g: s.size for g, s in samples.items()})
        row = {
            "label": label, "attribute": part["attribute"].iloc[0], "attribute_value": value,
            "by": by, "n": int(sizes.sum()), "n_groups": len(sizes), "test": None,
            "statistic": float("nan"), "df": None, "p_value": float("nan"),
        }
        if len(sizes) < 2:
            row["reason"] = f"only one {by} has articles: nothing to compare"
        elif reason := _sample_size_reason(sizes, min_per_group, min_mean_per_group, by):
            row["reason"] = reason
        elif np.unique(part["density"].to_numpy(dtype=float)).size < 2:
            row["reason"] = "every article has the same density: nothing to compare"
        else:
            res = stats.kruskal(*samples.values())
            row.update(
                test="kruskal_wallis", statistic=float(res.statistic), df=len(sizes) - 1,
                p_value=float(res.pvalue),
                reason=f"Kruskal-Wallis H over {len(sizes)} groups (chi-square approximation)",
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(DENSITY_TEST_COLUMNS))
