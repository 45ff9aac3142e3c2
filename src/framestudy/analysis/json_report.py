"""Everything about one reliability data set, in the shape of the ``--json`` contract.

``agreement_report`` computes every coefficient for a units x coders table and returns a
JSON-ready dict (NaN becomes ``None``)::

    {"n_units", "n_coders", "n_pairable_values", "level", "weights", "categories",
     "coefficients": {NAME: {"estimate", "ci_low", "ci_high", ...}}}

``unitizing_report`` does the same for spans (NAME = ``unitizing_alpha``). A coefficient
that cannot be computed carries ``"estimate": null`` and a ``"reason"``. See
docs/agreement.md for every field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from framestudy.analysis import kappa
from framestudy.analysis.alpha import (
    Metric,
    alpha_coded,
    category_agreement,
    coincidence_matrix,
    leave_one_coder_out,
    to_coded,
    value_label,
)
from framestudy.analysis.bootstrap import ALPHA_MIN, bootstrap_alpha
from framestudy.analysis.data import (
    AgreementInputError,
    check_bootstrap_method,
    check_n_boot,
    require_order,
)
from framestudy.analysis.diagnostics import disagreements
from framestudy.analysis.interval_warning import interval_warning
from framestudy.analysis.unitizing import (
    presence_alpha,
    presence_indicators,
    span_f1,
    unitizing_alpha,
)

COEFFICIENTS = (
    "krippendorff_alpha",
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "conger_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "gwet_ac2",
    "unitizing_alpha",
)


MAX_CATEGORIES = 100  # the kappa family and the diagnostic tables are q x q


def p_below_key(alpha_min: float) -> str:
    """JSON key for P(alpha < alpha_min), e.g. ``p_below_0_667``."""
    return "p_below_" + f"{alpha_min:.3f}".replace(".", "_")


def jsonable(obj):
    """Replace NaN/inf by None and NumPy scalars by Python ones, recursively."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    return obj


def verdict(estimate: float | None, ci_low: float | None = None, ci_warning: str = "") -> str:
    """Krippendorff's reading of an alpha: ``"reliable"`` from .800 on, ``"tentative"``
    from .667 (fit for tentative conclusions only), ``"unreliable"`` below .667, and ``""``
    when alpha is undefined. Krippendorff (2004), *Content Analysis*, 2nd ed., p. 241 (the
    cut-offs are :data:`~framestudy.analysis.bootstrap.ALPHA_MIN`).

    The verdict reads the point estimate. When ``ci_low`` (the lower end of its CI) falls
    below the estimate's band, a ``"?"`` is appended ("reliable?"): the data cannot rule
    out a lower band, as is usual in a small pilot. A ``ci_warning``
    (:func:`~framestudy.analysis.interval_warning.interval_warning`) appends it too: the CI
    cannot say how low alpha may be.
    """
    if estimate is None or math.isnan(estimate):
        return ""
    tentative, reliable = sorted(ALPHA_MIN)
    if estimate >= reliable:
        word, floor = "reliable", reliable
    elif estimate >= tentative:
        word, floor = "tentative", tentative
    else:
        return "unreliable"
    unsure = bool(ci_warning) or (
        ci_low is not None and not math.isnan(ci_low) and ci_low < floor
    )
    return word + ("?" if unsure else "")


def alpha_entry(
    coded, metric: Metric, n_boot: int, seed: int | None, method: str = "units"
) -> dict:
    """Alpha with its bootstrap CI and P(alpha < alpha_min), as one coefficient entry.

    ``ci_warning`` is added when the data defeat the interval
    (:func:`~framestudy.analysis.interval_warning.interval_warning`): it then applies to
    ``ci_low``, ``ci_high`` and every ``p_below_*``."""
    res = alpha_coded(coded, metric)
    entry = {
        "estimate": res["estimate"],
        "ci_low": float("nan"),
        "ci_high": float("nan"),
        "observed_disagreement": res["observed_disagreement"],
        "expected_disagreement": res["expected_disagreement"],
        "metric": metric if isinstance(metric, str) else "custom",
    }
    if res["reason"]:
        entry["reason"] = res["reason"]
    elif n_boot > 0:
        boot = bootstrap_alpha(coded, metric, n_boot=n_boot, seed=seed, method=method)
        entry.update(ci_low=boot["ci_low"], ci_high=boot["ci_high"], se=boot["se"])
        for a_min in ALPHA_MIN:
            entry[p_below_key(a_min)] = boot["p_below"][a_min]
        entry.update(
            bootstrap={
                "method": method,
                "n": n_boot,
                "seed": seed,
                "confidence": boot["confidence"],
                "interval": boot["interval"],
                "n_undefined": boot["n_undefined"],
            }
        )
        if boot["reason"]:
            entry["bootstrap"]["reason"] = boot["reason"]
        warning = interval_warning(coded, res["estimate"], metric)
        if warning:
            entry["ci_warning"] = warning
    return entry


def _shape(entry: dict) -> dict:
    out = {
        "estimate": entry.get("estimate"),
        "ci_low": entry.get("ci_low"),
        "ci_high": entry.get("ci_high"),
    }
    for key, value in entry.items():
        if key not in out and value is not None:
            out[key] = value
    if entry.get("reason") is None:
        out.pop("reason", None)
    return out


def _require_order(coded, weights: str, categories: Sequence | None) -> None:
    """Weights other than identity score the categories by their order (distances.py), so
    text values need ``categories``; see :func:`framestudy.analysis.data.require_order`."""
    kappa.check_weights(weights)
    if weights != "identity":
        require_order(coded.categories, categories, f"{weights} weights")


def agreement_report(
    data: pd.DataFrame,
    level: str = "nominal",
    weights: str = "identity",
    categories: Sequence | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    bootstrap_method: str = "units",
) -> dict:
    """All coefficients for reliability data, as the ``--json`` contract dict.

    ``data``: a units x coders table or a long one (``unit, coder, value``); each
    coefficient's formula and source are in its own function's docstring
    (:func:`~framestudy.analysis.alpha.krippendorff_alpha`,
    :func:`~framestudy.analysis.bootstrap.bootstrap_alpha`, :mod:`framestudy.analysis.kappa`).

    ``level`` is the level of measurement for alpha (nominal, ordinal, interval, ratio,
    or jaccard/masi for set-valued cells); the kappa family uses ``weights`` (identity,
    linear, quadratic) over ``categories`` (their order; scores are the values if numeric,
    ranks otherwise). ``n_boot`` bootstrap replicates (0 = none) from ``seed``. Weights
    other than identity (and an ordinal level) on text values need ``categories``:
    without them :class:`~framestudy.analysis.data.CategoryOrderError`, an
    :class:`~framestudy.analysis.data.AgreementInputError` (a ValueError), as is any other
    unusable input (``n_boot`` < 0, an unknown level, weights or bootstrap method).
    """
    check_n_boot(n_boot)
    check_bootstrap_method(bootstrap_method)
    coded = to_coded(data, level, categories)
    _require_order(coded, weights, categories)
    kappa_coded = coded  # set values (jaccard/masi) are categories of their own for the kappas
    counts = coded.values_per_unit
    coefficients = {"krippendorff_alpha": alpha_entry(coded, level, n_boot, seed, bootstrap_method)}
    if coded.n_categories > MAX_CATEGORIES:
        reason = (
            f"{coded.n_categories} distinct values: category-based coefficients need at most "
            f"{MAX_CATEGORIES} categories (use Krippendorff's alpha at --level interval or ratio)"
        )
        for name in COEFFICIENTS[1:-1]:
            coefficients[name] = {"estimate": float("nan"), "reason": reason}
    else:
        coefficients.update(
            percent_agreement=kappa.percent_agreement(kappa_coded),
            cohen_kappa=kappa.cohen_kappa(kappa_coded, weights),
            scott_pi=kappa.scott_pi(kappa_coded, weights),
            fleiss_kappa=kappa.fleiss_kappa(kappa_coded, weights),
            conger_kappa=kappa.conger_kappa(kappa_coded, weights),
            brennan_prediger=kappa.brennan_prediger(kappa_coded, weights),
            gwet_ac1=kappa.gwet_ac(kappa_coded, "identity"),
            gwet_ac2=kappa.gwet_ac(kappa_coded, weights),
        )
    report = {
        "n_units": int((counts >= 1).sum()),
        "n_coders": int(((coded.codes >= 0).sum(axis=0) > 0).sum()),
        "n_pairable_values": int(counts[counts >= 2].sum()),
        "level": level,
        "weights": weights,
        "categories": [value_label(c) for c in coded.categories],
        "coefficients": {name: _shape(entry) for name, entry in coefficients.items()},
    }
    return jsonable(report)


def agreement_diagnostics(
    data: pd.DataFrame,
    level: str = "nominal",
    weights: str = "identity",
    categories: Sequence | None = None,
) -> dict[str, pd.DataFrame]:
    """Diagnostic tables: ``coincidence``, ``per_category``, ``leave_one_coder_out``,
    ``pairwise_kappa`` and ``disagreements`` (see their functions). Raises
    :class:`~framestudy.analysis.data.AgreementInputError` for more than
    ``MAX_CATEGORIES`` distinct values."""
    coded = to_coded(data, level, categories)
    _require_order(coded, weights, categories)
    if coded.n_categories > MAX_CATEGORIES:
        raise AgreementInputError(
            f"{coded.n_categories} distinct values: the diagnostic tables need at most "
            f"{MAX_CATEGORIES} categories"
        )
    return {
        "coincidence": coincidence_matrix(coded),
        "per_category": category_agreement(coded),
        "leave_one_coder_out": leave_one_coder_out(coded, level),
        "pairwise_kappa": kappa.pairwise_kappa_matrix(coded, weights),
        "disagreements": disagreements(coded, level),
    }


def unitizing_report(
    spans: pd.DataFrame,
    lengths: Mapping,
    coders: Mapping | None = None,
    categories: Sequence | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> dict:
    """Unitizing alpha (pooled and per category), span F1 and presence alpha, as the
    ``--json`` contract dict with ``level = "unitizing"``; ``n_units`` counts documents
    and ``n_pairable_values`` spans. alpha_U's CIs: ``n_boot`` document-bootstrap
    replicates from ``seed`` (0 = none). ``spans`` and ``lengths`` as in
    :func:`~framestudy.analysis.unitizing.unitizing_alpha`, which gives the formula."""
    res = unitizing_alpha(spans, lengths, coders, categories, n_boot=n_boot, seed=seed)
    by_category = {cat: _shape(entry) for cat, entry in res["by_category"].items()}
    documents = list(lengths)
    presence = {
        cat: _shape(
            {
                **_alpha_fields(presence_alpha(table)),
                "ci_low": float("nan"),
                "ci_high": float("nan"),
            }
        )
        for cat, table in presence_indicators(spans, documents, coders, categories).items()
    }
    f1 = {}
    for mode in ("exact", "overlap"):
        table = span_f1(spans, mode, coders, lengths)
        overall = table[table["category"] == "all"]
        f1[mode] = {
            "estimate": float(overall["f1"].mean()) if len(overall) else float("nan"),
            "pairs": {f"{r.coder_a}|{r.coder_b}": r.f1 for r in overall.itertuples()},
            "by_category": {
                str(cat): float(g["f1"].mean())
                for cat, g in table[table["category"] != "all"].groupby("category")
            },
        }
    entry = {
        "estimate": res["estimate"],
        "ci_low": res["ci_low"],
        "ci_high": res["ci_high"],
        "observed_disagreement": res["observed_disagreement"],
        "expected_disagreement": res["expected_disagreement"],
        "by_category": by_category,
        "span_f1": f1,
        "presence_alpha": presence,
        "n_ignored_empty": res["n_ignored_empty"],
        "n_merged": res["n_merged"],
        "bootstrap": res["bootstrap"],
        "reason": res["reason"],
    }
    report = {
        "n_units": res["n_documents"],
        "n_coders": res["n_coders"],
        "n_pairable_values": res["n_spans"],
        "level": "unitizing",
        "coefficients": {"unitizing_alpha": _shape(entry)},
    }
    return jsonable(report)


def _alpha_fields(res: dict) -> dict:
    out = {"estimate": res["estimate"], "n_pairable_values": res["n_pairable_values"]}
    if res["reason"]:
        out["reason"] = res["reason"]
    return out
