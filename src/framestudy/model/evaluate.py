"""The model measured like a coder: its cross-validated answers against the gold values,
with the agreement statistics framestudy reports for coders.

The model is treated as one more coder whose reliability is to be judged against a
reference coder, the consensus ("gold") value (:mod:`framestudy.analysis.consensus`): every
unit (an article, or a sentence for the span suggester) has two values, gold's and the
model's, and

* Krippendorff's alpha (:func:`framestudy.analysis.alpha.krippendorff_alpha`, Krippendorff
  2011, "Computing Krippendorff's Alpha-Reliability", pp. 3-6) is computed on these two
  coders, with the units bootstrap's BCa interval
  (:func:`framestudy.analysis.bootstrap.bootstrap_alpha`); values that the agreement
  stage counts as missing (an ordinal scale's ``NA``, no answer) are missing here too,
  exactly as when two coders are compared;
* Cohen's kappa (Cohen 1960, *Educ. Psychol. Meas.* 20:37-46) with its large-sample
  interval (:func:`framestudy.analysis.kappa.cohen_kappa`), on the same values;
* per-class F1, the harmonic mean of precision and recall with gold as the truth (van
  Rijsbergen 1979, *Information Retrieval*, 2nd ed., ch. 7), over every unit and every
  value (missing values included, as classes of their own), with a units-bootstrap
  percentile interval (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, chs.
  6 and 13): resampling n units with replacement is drawing the n cells of the
  gold x model confusion table from a multinomial with the observed cell shares, so each
  replicate is one multinomial draw of that table;
* the majority-class baseline: the alpha of a "coder" that always gives the most frequent
  gold value of the training folds (among the values alpha compares, so that an ordinal
  scale whose commonest answer is ``NA`` still gets one): what a model that learnt
  nothing from the text would score; its alpha is at or below 0.

Every function here is pure: tables in, rows out, randomness only from ``seed``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: the columns of the cross-validation report (``models/cross_validation.csv``)
REPORT_COLUMNS = [
    "target", "variable", "category", "unit", "level", "statistic", "class",
    "estimate", "ci_low", "ci_high", "n_units", "n_pairable", "support", "reason",
]
#: statistics of the report, in the order they are listed
STATISTICS = ("alpha", "baseline_alpha", "kappa", "macro_f1", "f1")


@dataclass(frozen=True)
class Scale:
    """How a target's values are compared: ``level`` (``nominal`` or ``ordinal``),
    ``values`` (the values alpha and kappa compare, in scale order for an ordinal target)
    and ``missing`` (values counted as missing by alpha and kappa, e.g. ``NA``)."""

    level: str
    values: tuple[str, ...]
    missing: tuple[str, ...] = ()


def _coded(gold: np.ndarray, model: np.ndarray, scale: Scale):
    """The two coders' values as :class:`~framestudy.analysis.data.Coded` (gold, model)
    on ``scale.values``; anything else (missing values, values outside the scale) is
    missing."""
    from framestudy.analysis.data import Coded

    codes = np.full((len(gold), 2), -1, dtype=np.int64)
    for column, values in enumerate((gold, model)):
        codes[:, column] = pd.Index(scale.values).get_indexer(values)  # -1: not on it
    return Coded(codes, tuple(scale.values), pd.RangeIndex(len(gold)), ("gold", "model"))


def alpha_rows(gold: Sequence[str], model: Sequence[str], scale: Scale, *,
               n_boot: int = 1000, seed: int = 0) -> dict:
    """Krippendorff's alpha of ``model`` against ``gold`` (two coders, one value each per
    unit) with its bootstrap interval, and Cohen's kappa with its interval: a dict with
    ``alpha``, ``alpha_low``, ``alpha_high``, ``kappa``, ``kappa_low``, ``kappa_high``,
    ``n_units``, ``n_pairable`` (units where both gave a value) and ``reason`` (why a
    coefficient is missing, or "")."""
    from framestudy.analysis.alpha import krippendorff_alpha
    from framestudy.analysis.bootstrap import bootstrap_alpha
    from framestudy.analysis.kappa import cohen_kappa

    gold = np.asarray(gold, dtype=object)
    model = np.asarray(model, dtype=object)
    coded = _coded(gold, model, scale)
    paired = int(((coded.codes >= 0).sum(axis=1) == 2).sum())
    metric = "ordinal" if scale.level == "ordinal" else "nominal"
    point = krippendorff_alpha(coded, metric)
    out = {"alpha": point["estimate"], "alpha_low": np.nan, "alpha_high": np.nan,
           "kappa": np.nan, "kappa_low": np.nan, "kappa_high": np.nan,
           "n_units": len(gold), "n_pairable": paired, "reason": point.get("reason") or ""}
    if np.isfinite(point["estimate"]) and n_boot > 0:
        boot = bootstrap_alpha(coded, metric, n_boot=n_boot, seed=seed)
        out["alpha_low"], out["alpha_high"] = boot["ci_low"], boot["ci_high"]
    kappa = cohen_kappa(coded.subset(units=(coded.codes >= 0).all(axis=1)))
    out["kappa"] = _number(kappa.get("estimate"))
    out["kappa_low"] = _number(kappa.get("ci_low"))
    out["kappa_high"] = _number(kappa.get("ci_high"))
    return out


def _number(value) -> float:
    return float(value) if value is not None and np.isfinite(value) else np.nan


def f1_scores(gold: Sequence[str], model: Sequence[str], classes: Sequence[str] | None = None,
              *, n_boot: int = 1000, seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Per-class F1 of ``model`` with ``gold`` as the truth, and its bootstrap interval.

    F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c) (NaN when the class occurs in neither);
    ``classes`` default: every value of either, sorted (a value not listed counts as a
    wrong answer for the listed classes). The interval is the percentile
    interval of ``n_boot`` units-bootstrap replicates, each a multinomial draw of the
    confusion table (see the module docstring). Returns one row per class: ``class``,
    ``f1``, ``ci_low``, ``ci_high``, ``support`` (units whose gold value is the class).
    """
    gold = np.asarray(gold, dtype=object)
    model = np.asarray(model, dtype=object)
    if classes is None:
        classes = sorted(set(gold) | set(model))
    classes = list(classes)
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes) + 1  # the last: any value not listed (an error for every listed class)
    g = np.array([index.get(v, k - 1) for v in gold], dtype=np.int64)
    m = np.array([index.get(v, k - 1) for v in model], dtype=np.int64)
    table = np.bincount(g * k + m, minlength=k * k).reshape(k, k)
    f1 = _f1(table[None])[0][:-1]
    low = high = np.full(len(classes), np.nan)
    n = int(table.sum())
    if n_boot > 0 and n > 0:
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(n, table.ravel() / n, size=n_boot).reshape(n_boot, k, k)
        replicates = _f1(draws)[:, :-1]
        tail = (1 - confidence) / 2
        with warnings.catch_warnings():  # a class absent from every replicate: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            low = np.nanquantile(replicates, tail, axis=0)
            high = np.nanquantile(replicates, 1 - tail, axis=0)
        undefined = np.isnan(f1)
        low = np.where(undefined, np.nan, low)
        high = np.where(undefined, np.nan, high)
    return pd.DataFrame({"class": classes, "f1": f1, "ci_low": low, "ci_high": high,
                         "support": table.sum(axis=1)[:-1]})


def _f1(tables: np.ndarray) -> np.ndarray:
    """F1 per class of a stack of confusion tables (gold rows, model columns)."""
    tp = np.diagonal(tables, axis1=1, axis2=2).astype(float)
    fp = tables.sum(axis=1) - tp
    fn = tables.sum(axis=2) - tp
    denominator = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 2 * tp / denominator, np.nan)


def report_rows(target: dict, gold: Sequence[str], model: Sequence[str],
                baseline: Sequence[str], scale: Scale, *, n_boot: int = 1000,
                seed: int = 0) -> list[dict]:
    """The report's rows (:data:`REPORT_COLUMNS`) for one target: alpha with its interval,
    the majority-class baseline's alpha, kappa, macro F1 and per-class F1 with intervals.
    ``target``: ``target, variable, category, unit, level`` of the rows; ``baseline``:
    the baseline's answer per unit."""
    stats = alpha_rows(gold, model, scale, n_boot=n_boot, seed=seed)
    base = alpha_rows(gold, baseline, scale, n_boot=0, seed=seed)
    f1 = f1_scores(gold, model, n_boot=n_boot, seed=seed)
    common = {**target, "n_units": stats["n_units"], "n_pairable": stats["n_pairable"]}

    def row(statistic, estimate, low=np.nan, high=np.nan, cls="", support=np.nan, reason=""):
        return {**common, "statistic": statistic, "class": cls, "estimate": estimate,
                "ci_low": low, "ci_high": high, "support": support, "reason": reason}

    rows = [
        row("alpha", stats["alpha"], stats["alpha_low"], stats["alpha_high"],
            reason=stats["reason"]),
        row("baseline_alpha", base["alpha"], reason=base["reason"]),
        row("kappa", stats["kappa"], stats["kappa_low"], stats["kappa_high"]),
        row("macro_f1", float(np.nanmean(f1["f1"])) if f1["f1"].notna().any() else np.nan),
    ]
    for cls, value, low, high, support in zip(
            f1["class"], f1["f1"], f1["ci_low"], f1["ci_high"], f1["support"], strict=True):
        rows.append(row("f1", value, low, high, cls=str(cls), support=int(support)))
    return rows
