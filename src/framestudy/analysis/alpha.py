"""Krippendorff's alpha and the diagnostics built on its coincidence matrix.

Definitions follow Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
Annenberg School for Communication, https://repository.upenn.edu/asc_papers/43:
coincidence matrix o_ck = sum_u (number of c-k pairs in unit u) / (m_u - 1) (p. 3),
alpha = 1 - D_o / D_e = 1 - (n - 1) sum o_ck delta_ck / sum n_c n_k delta_ck (p. 4).
Units with fewer than two values are not pairable and are left out (p. 3).

The estimate is computed here from the coincidence matrix, which the diagnostics (D_o,
D_e, per-category agreement) and the bootstrap need anyway; the ``krippendorff`` package
(fast-krippendorff) computes the same number for the standard levels and custom distances
but exposes none of these parts, and calling it as well would double the cost (its N x V x V
intermediate arrays make it slower than the matrix product used here). The test suite
checks every level against ``krippendorff.alpha`` on random data to 1e-12. This module adds
what that package does not offer: the coincidence matrix, D_o and D_e, set-valued data,
per-category agreement, per-coder and per-group alpha, and a defined result with a reason
for degenerate data.

Degenerate data never raise: the estimate is NaN and ``reason`` says why
(fewer than two coders, no pairable values, no variation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from framestudy.analysis.data import (
    AgreementInputError,
    Coded,
    encode_wide,
    is_missing,
    units_by_coders,
)
from framestudy.analysis.distances import (
    SET_DISTANCES,
    interval_delta,
    is_numeric_domain,
    nominal_delta,
    ordinal_delta,
    pairwise_matrix,
    ratio_delta,
)

METRICS = ("nominal", "ordinal", "interval", "ratio", "jaccard", "masi")
Metric = str | Callable | np.ndarray

REASON_ONE_CODER = "fewer than two coders"
REASON_NO_PAIRS = "no pairable values: no unit has values from two or more coders"
REASON_NO_VARIATION = "no variation: all pairable values are equal, so expected disagreement is 0"


def as_sets(data: pd.DataFrame) -> pd.DataFrame:
    """Turn cells holding iterables of values (multi-select answers) into frozensets."""

    def to_set(cell):
        if isinstance(cell, frozenset):
            return cell
        if isinstance(cell, str):
            return frozenset([cell])
        if isinstance(cell, Iterable):
            return frozenset(cell)
        return np.nan if is_missing(cell) else frozenset([cell])

    return data.map(to_set).astype(object)


def to_coded(
    data: pd.DataFrame | Coded, metric: Metric = "nominal", categories: Sequence | None = None
) -> Coded:
    """Encode ``data`` for ``metric`` (sets for jaccard/masi, numbers for interval/ratio).

    ``data`` is :class:`Coded` (returned as it is) or a table in a shape
    :func:`~framestudy.analysis.data.units_by_coders` reads (wide, or long: unit, coder,
    value). Raises :class:`~framestudy.analysis.data.AgreementInputError` for an unknown
    metric or unusable data.
    """
    if isinstance(data, Coded):
        return data
    sets = isinstance(metric, str) and metric in SET_DISTANCES
    if isinstance(metric, str) and metric not in METRICS:
        raise AgreementInputError(
            f"unknown metric {metric!r}; use one of {', '.join(METRICS)}, a callable or a V x V array"
        )
    data = units_by_coders(data, sets=sets)
    if sets:
        return encode_wide(as_sets(data), categories=categories, level="nominal")
    level = (
        metric
        if isinstance(metric, str) and metric in ("ordinal", "interval", "ratio")
        else "nominal"
    )
    return encode_wide(data, categories=categories, level=level)


def delta_matrix(metric: Metric, categories: Sequence, n_v: np.ndarray) -> np.ndarray:
    """The V x V disagreement matrix for ``metric`` over ``categories``.

    ``metric`` is a level name, a set distance ("jaccard", "masi"), a V x V array, or a
    callable ``distance(value_a, value_b) -> float`` (a custom distance, delta(c, c) = 0).
    """
    v = len(categories)
    if isinstance(metric, np.ndarray):
        if metric.shape != (v, v):
            raise AgreementInputError(
                f"a custom distance matrix must be {v} x {v}, one row and column per value"
            )
        return metric.astype(float)
    if callable(metric):
        return pairwise_matrix(categories, metric)
    if metric == "nominal":
        return nominal_delta(v)
    if metric == "ordinal":
        return ordinal_delta(n_v)
    if metric in ("interval", "ratio"):
        if not is_numeric_domain(categories):
            raise AgreementInputError(
                f"{metric} alpha needs numeric values -- use the nominal or ordinal level for words"
            )
        return interval_delta(categories) if metric == "interval" else ratio_delta(categories)
    if metric in SET_DISTANCES:
        return pairwise_matrix(categories, SET_DISTANCES[metric])
    raise AgreementInputError(
        f"unknown metric {metric!r}; use one of {', '.join(METRICS)}, a callable or a V x V array"
    )


def coincidences(value_counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix (V x V) from per-unit value counts (N x V)."""
    m = value_counts.sum(axis=1)
    keep = m >= 2
    vc = value_counts[keep].astype(float)
    inv = 1.0 / (m[keep] - 1.0)
    o = (vc * inv[:, None]).T @ vc
    o[np.diag_indices_from(o)] -= (vc * inv[:, None]).sum(axis=0)
    return o


def _disagreements(o: np.ndarray, delta: np.ndarray) -> tuple[float, float, float]:
    """(n, D_o, D_e) from a coincidence matrix and a delta matrix."""
    n_v = o.sum(axis=0)
    n = float(n_v.sum())
    if n < 2:
        return n, float("nan"), float("nan")
    d_o = float((o * delta).sum() / n)
    d_e = float((n_v @ delta @ n_v - (n_v * np.diag(delta)).sum()) / (n * (n - 1)))
    return n, d_o, d_e


LARGE_DOMAIN = 1000  # above this many distinct values, interval alpha avoids V x V arrays
MAX_DOMAIN = 5000  # other metrics need V x V matrices; refuse beyond this


def interval_unit_moments(coded: Coded) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: number of values m_u, their sum and their sum of squares (interval data)."""
    x = np.asarray(coded.categories, dtype=float)
    present = coded.codes >= 0
    values = np.where(present, x[np.where(present, coded.codes, 0)], 0.0)
    return present.sum(axis=1).astype(float), values.sum(axis=1), (values**2).sum(axis=1)


def _interval_moments_alpha(coded: Coded) -> tuple[float, float]:
    """(D_o, D_e) for interval data without a V x V matrix: within a unit the ordered pairs
    give sum (x_i - x_j)^2 = 2 m sum x^2 - 2 (sum x)^2, and likewise over all values."""
    m, s1, s2 = interval_unit_moments(coded)
    keep = m >= 2
    m, s1, s2 = m[keep], s1[keep], s2[keep]
    n = m.sum()
    d_o = float(((2 * m * s2 - 2 * s1**2) / (m - 1)).sum() / n)
    d_e = float((2 * n * s2.sum() - 2 * s1.sum() ** 2) / (n * (n - 1)))
    return d_o, d_e


def alpha_coded(coded: Coded, metric: Metric = "nominal") -> dict:
    """Krippendorff's alpha of encoded data; see :func:`krippendorff_alpha`."""
    m = coded.values_per_unit
    pairable = m >= 2
    result = {
        "estimate": float("nan"),
        "observed_disagreement": float("nan"),
        "expected_disagreement": float("nan"),
        "n_units": int((m >= 1).sum()),
        "n_pairable_units": int(pairable.sum()),
        "n_pairable_values": int(m[pairable].sum()),
        "reason": None,
    }
    if len(coded.coders) < 2:
        result["reason"] = REASON_ONE_CODER
        return result
    if not pairable.any():
        result["reason"] = REASON_NO_PAIRS
        return result
    large = coded.n_categories > LARGE_DOMAIN
    if large and isinstance(metric, str) and metric == "interval":
        d_o, d_e = _interval_moments_alpha(coded)
        scale = float(np.ptp(np.asarray(coded.categories, dtype=float))) ** 2
    else:
        if coded.n_categories > MAX_DOMAIN:
            result["reason"] = (
                f"{coded.n_categories} distinct values: too many for this metric "
                f"(at most {MAX_DOMAIN}; interval alpha has no limit)"
            )
            return result
        o = coincidences(coded.value_counts)
        delta = delta_matrix(metric, coded.categories, o.sum(axis=0))
        _, d_o, d_e = _disagreements(o, delta)
        scale = float(np.abs(delta).max())
    result["observed_disagreement"] = d_o
    result["expected_disagreement"] = d_e
    if not d_e > 1e-12 * max(1.0, scale):
        result["reason"] = REASON_NO_VARIATION
        return result
    result["estimate"] = 1.0 - d_o / d_e
    return result


def krippendorff_alpha(
    data: pd.DataFrame | Coded,
    metric: Metric = "nominal",
    categories: Sequence | None = None,
) -> dict:
    """Krippendorff's alpha with D_o, D_e and a reason.

    alpha = 1 - D_o / D_e = 1 - (n - 1) sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck,
    with the coincidence matrix o_ck = sum_u (number of c-k pairs of values in unit u) /
    (m_u - 1) over the units with m_u >= 2 values, n_c = sum_k o_ck and n = sum_c n_c
    (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", Annenberg School
    for Communication, pp. 3-4; the distances delta_ck of each level, pp. 5-6). Set
    distances: Jaccard, and MASI as in Passonneau (2006), LREC, p. 832.

    ``data`` is :class:`~framestudy.analysis.data.Coded`, a units x coders table (missing =
    NaN/None) or a long table with the columns ``unit, coder, value`` (for ``jaccard`` and
    ``masi`` several rows of one unit and coder form that coder's set); ``categories``
    fixes the domain and its order (ordinal words need it). ``metric`` is ``nominal``,
    ``ordinal``, ``interval``, ``ratio``, ``jaccard`` or ``masi`` (cells hold sets of
    values), a V x V distance array, or a callable distance. Returns a dict with
    ``estimate`` (NaN when undefined), ``observed_disagreement``, ``expected_disagreement``,
    ``n_units`` (units with a value), ``n_pairable_units``, ``n_pairable_values`` and
    ``reason`` (None, or why the estimate is NaN). Unusable input raises
    :class:`~framestudy.analysis.data.AgreementInputError`.
    """
    return alpha_coded(to_coded(data, metric, categories), metric)


def coincidence_matrix(
    data: pd.DataFrame | Coded, metric: Metric = "nominal", categories: Sequence | None = None
) -> pd.DataFrame:
    """The coincidence matrix o_ck (Krippendorff 2011, p. 3) as a labelled DataFrame."""
    coded = to_coded(data, metric, categories)
    o = coincidences(coded.value_counts)
    labels = [value_label(c) for c in coded.categories]
    return pd.DataFrame(o, index=pd.Index(labels, name="value"), columns=labels)


def value_label(value) -> str:
    """A value as the tables print it: sets in braces, whole floats without ".0"."""
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def category_agreement(
    data: pd.DataFrame | Coded, categories: Sequence | None = None
) -> pd.DataFrame:
    """Per-category agreement from the coincidence matrix.

    For each value c: ``n_values`` (n_c, pairable values of c), ``specific_agreement``
    (o_cc / n_c, the share of c's pairings that are with another c) and ``binary_alpha``
    (nominal alpha of "c" versus "any other value": 1 - (n - 1)(n_c - o_cc) /
    (n_c (n - n_c)); Krippendorff 2004, Content Analysis, p. 229 on collapsing categories).
    """
    coded = to_coded(data, "nominal", categories)
    o = coincidences(coded.value_counts)
    n_c = o.sum(axis=0)
    n = n_c.sum()
    rows = []
    for i, cat in enumerate(coded.categories):
        occ = o[i, i]
        specific = occ / n_c[i] if n_c[i] > 0 else float("nan")
        denom = n_c[i] * (n - n_c[i])
        binary = 1.0 - (n - 1) * (n_c[i] - occ) / denom if denom > 0 else float("nan")
        reason = None
        if n_c[i] == 0:
            reason = "value not among the pairable values"
        elif denom == 0:
            reason = REASON_NO_VARIATION
        rows.append(
            {
                "category": value_label(cat),
                "n_values": float(n_c[i]),
                "specific_agreement": float(specific),
                "binary_alpha": float(binary),
                "reason": reason,
            }
        )
    return pd.DataFrame(
        rows, columns=["category", "n_values", "specific_agreement", "binary_alpha", "reason"]
    )


def leave_one_coder_out(
    data: pd.DataFrame | Coded, metric: Metric = "nominal", categories: Sequence | None = None
) -> pd.DataFrame:
    """Alpha recomputed without each coder in turn (a per-coder diagnostic).

    Columns: ``coder``, ``n_values`` (values the coder gave), ``alpha_without``,
    ``change`` (alpha_without - alpha with everyone; positive = the coder lowers alpha),
    ``reason``.
    """
    coded = to_coded(data, metric, categories)
    overall = alpha_coded(coded, metric)["estimate"]
    rows = []
    for j, coder in enumerate(coded.coders):
        others = [i for i in range(len(coded.coders)) if i != j]
        res = alpha_coded(coded.subset(coders=others), metric)
        rows.append(
            {
                "coder": coder,
                "n_values": int((coded.codes[:, j] >= 0).sum()),
                "alpha_without": res["estimate"],
                "change": res["estimate"] - overall,
                "reason": res["reason"],
            }
        )
    return pd.DataFrame(rows, columns=["coder", "n_values", "alpha_without", "change", "reason"])


def alpha_by_group(
    data: pd.DataFrame | Coded,
    groups: pd.Series | Sequence,
    metric: Metric = "nominal",
    categories: Sequence | None = None,
    expected: str = "own",
) -> pd.DataFrame:
    """Alpha within each group of units (e.g. per outlet).

    ``groups`` gives each unit's group (aligned with the rows of ``data``). With
    ``expected="own"`` each group's alpha uses its own expected disagreement (alpha as if
    the group were the whole study); with ``expected="pooled"`` D_e comes from all units,
    so groups are compared against one chance model (as requested in fast-krippendorff
    issue #35). Returns one row per group: ``group``, ``estimate``, ``n_units``,
    ``n_pairable_values``, ``reason``.
    """
    coded = to_coded(data, metric, categories)
    labels = np.asarray(pd.Series(groups).to_numpy(), dtype=object)
    if len(labels) != coded.codes.shape[0]:
        raise AgreementInputError(
            f"groups must give one label per unit: {len(labels)} labels for "
            f"{coded.codes.shape[0]} units"
        )
    if expected not in ("own", "pooled"):
        raise AgreementInputError(f"expected must be 'own' or 'pooled', not {expected!r}")
    pooled = alpha_coded(coded, metric)
    pooled_o = coincidences(coded.value_counts)
    rows = []
    for group in pd.unique(labels):
        sub = coded.subset(units=labels == group)
        res = alpha_coded(sub, metric)
        if expected == "pooled" and res["n_pairable_values"] > 0 and len(coded.coders) > 1:
            o = coincidences(sub.value_counts)
            delta = delta_matrix(metric, coded.categories, pooled_o.sum(axis=0))
            _, d_o, _ = _disagreements(o, delta)
            d_e = pooled["expected_disagreement"]
            res["estimate"] = 1.0 - d_o / d_e if d_e > 0 else float("nan")
            res["reason"] = None if d_e > 0 else REASON_NO_VARIATION
        rows.append(
            {
                "group": group,
                "estimate": res["estimate"],
                "n_units": res["n_units"],
                "n_pairable_values": res["n_pairable_values"],
                "reason": res["reason"],
            }
        )
    return pd.DataFrame(
        rows, columns=["group", "estimate", "n_units", "n_pairable_values", "reason"]
    )


def set_value_alphas(data: pd.DataFrame, values: Sequence | None = None) -> pd.DataFrame:
    """Binary nominal alpha per value of set-valued data ("was value v chosen?").

    A coder's cell counts for every value when the coder gave a set (possibly empty);
    missing cells stay missing. Returns ``value``, ``estimate``, ``n_units``,
    ``n_pairable_values``, ``reason``.
    """
    sets = as_sets(units_by_coders(data, sets=True))
    if values is None:
        seen: set = set()
        for cell in sets.to_numpy().ravel():
            if isinstance(cell, frozenset):
                seen |= cell
        values = sorted(seen, key=str)
    rows = []
    present = sets.map(lambda c: isinstance(c, frozenset)).to_numpy()
    for value in values:
        indicator = sets.map(
            lambda c, v=value: float(v in c) if isinstance(c, frozenset) else np.nan
        )
        coded = Coded(
            np.where(present, indicator.to_numpy(dtype=float), -1).astype(np.int64),
            (0.0, 1.0),
            sets.index,
            tuple(sets.columns),
        )
        res = alpha_coded(coded, "nominal")
        rows.append(
            {
                "value": value,
                "estimate": res["estimate"],
                "n_units": res["n_units"],
                "n_pairable_values": res["n_pairable_values"],
                "reason": res["reason"],
            }
        )
    return pd.DataFrame(
        rows, columns=["value", "estimate", "n_units", "n_pairable_values", "reason"]
    )
