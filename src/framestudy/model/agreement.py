"""Anchoring: do coders who were shown the model's suggestion agree with it more than the
model agrees with coders who were not?

A suggestion a coder may accept with one click can pull the coder's answer towards it
(anchoring: Tversky & Kahneman 1974, *Science* 185:1124-1131); agreement between coders and
the model then says less about the model than it seems. So the coders' agreement with the
model is kept apart from their agreement with each other (:func:`anchoring`), per
article-level target:

* ``coders_vs_model``: Krippendorff's alpha of each coder's answer against the model's
  suggestion, over the (article, coder) pairs where the coder's task held the suggestion
  (``models/pushed.csv``) and the coder then coded the article;
* ``model_cv``: the model's cross-validated alpha against gold on articles coded without
  any suggestion (``models/cross_validation.csv``), the benchmark: coders_vs_model well
  above it is the sign of anchoring;
* ``coders_unassisted`` / ``coders_assisted``: the coders' alpha with each other on
  articles coded by several coders none of whom, or all of whom, were shown a suggestion
  (by default no suggestion goes to the reliability sample, so the first is the study's
  reliability and the second is empty).

Alpha as :mod:`framestudy.model.evaluate` computes it (the same missing values), with the
units-bootstrap interval. Pure: tables in, a table out, randomness only from ``seed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from framestudy.analysis.consensus import ABSENT, PRESENT
from framestudy.model.evaluate import Scale, alpha_rows
from framestudy.model.features import DOCUMENT, NO_VALUE, SPAN_LABEL, targets

ANCHORING_COLUMNS = [
    "target", "variable", "category", "level",
    "coders_vs_model", "coders_vs_model_low", "coders_vs_model_high", "n_coder_answers",
    "model_cv", "model_cv_low", "model_cv_high",
    "coders_unassisted", "n_unassisted_articles", "coders_assisted", "n_assisted_articles",
]
_CONFLICT = "\x00conflict"  # two values for a one-value question: missing for alpha


def coder_answers(annotations: pd.DataFrame, target) -> pd.DataFrame:
    """Each coder's answer to an article-level ``target`` for every article they coded:
    ``article_id, coder, value`` (no answer = ``(none)``; a set's value ``present`` or
    ``absent``; two values for a one-value question count as missing)."""
    pairs = annotations[["article_id", "coder"]].drop_duplicates()
    rows = annotations[(annotations["variable"] == target.variable)
                       & annotations["value"].fillna("").astype(str).ne("")]
    if target.kind == DOCUMENT:
        grouped = rows.groupby(["article_id", "coder"])["value"].agg(
            lambda v: v.iloc[0] if v.nunique() == 1 else _CONFLICT)
        out = pairs.merge(grouped.rename("value").reset_index(), how="left",
                          on=["article_id", "coder"])
        out["value"] = out["value"].fillna(NO_VALUE)
    else:
        chosen = rows.loc[rows["value"].astype(str) == target.category,
                          ["article_id", "coder"]].drop_duplicates().assign(_hit=True)
        out = pairs.merge(chosen, how="left", on=["article_id", "coder"])
        out["value"] = np.where(out.pop("_hit").fillna(False).astype(bool), PRESENT, ABSENT)
    return out.reset_index(drop=True)


def model_answers(suggestions: pd.DataFrame, articles: Sequence[str], target) -> pd.Series:
    """The model's suggestion for ``target`` on each of ``articles`` (which were all given
    a suggestion): the predicted value, ``(none)`` when it suggested none; for a set's
    value ``present`` / ``absent``."""
    rows = suggestions[suggestions["variable"] == target.variable]
    if target.kind == DOCUMENT:
        values = rows.drop_duplicates("article_id").set_index("article_id")["value"]
        return values.reindex(list(articles)).fillna(NO_VALUE).astype(str)
    hit = set(rows.loc[rows["value"].astype(str) == target.category, "article_id"])
    return pd.Series([PRESENT if a in hit else ABSENT for a in articles], index=list(articles))


def _coders_alpha(answers: pd.DataFrame, scale: Scale, n_boot: int, seed: int
                  ) -> tuple[float, int]:
    """Alpha among coders over the articles coded by two or more of them."""
    from framestudy.analysis.alpha import krippendorff_alpha
    from framestudy.analysis.data import Coded

    several = answers.groupby("article_id")["coder"].transform("nunique") >= 2
    answers = answers[several]
    if not len(answers):
        return np.nan, 0
    article_codes, articles = pd.factorize(answers["article_id"], sort=True)
    coder_codes, coders = pd.factorize(answers["coder"], sort=True)
    index = {v: i for i, v in enumerate(scale.values)}
    codes = np.full((len(articles), len(coders)), -1, dtype=np.int64)
    codes[article_codes, coder_codes] = [index.get(v, -1) for v in answers["value"]]
    coded = Coded(codes, tuple(scale.values), pd.Index(articles), tuple(coders))
    metric = "ordinal" if scale.level == "ordinal" else "nominal"
    return float(krippendorff_alpha(coded, metric)["estimate"]), len(articles)


def anchoring(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping],
    suggestions: pd.DataFrame,
    pushed: pd.DataFrame,
    cv_report: pd.DataFrame | None = None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """The anchoring table (:data:`ANCHORING_COLUMNS`), one row per article-level target
    (see the module docstring).

    ``annotations``: the tidy table (pulled after coders worked on suggested tasks);
    ``suggestions``: ``models/predictions.csv`` (:data:`framestudy.model.predictions.
    PREDICTION_COLUMNS`); ``pushed``: ``models/pushed.csv`` (``article_id, coder``: the
    task of that coder, or of every coder for ``*``, the shared project, held the
    suggestion); ``cv_report``: ``models/cross_validation.csv``."""
    from framestudy.settings import SHARED

    seen_all = set(pushed.loc[pushed["coder"] == SHARED, "article_id"].astype(str))
    seen_pairs = set(zip(pushed["article_id"].astype(str), pushed["coder"].astype(str),
                         strict=True))
    suggested = sorted(set(pushed["article_id"].astype(str)))
    rows = []
    for target in targets(registry):
        if target.kind == SPAN_LABEL:
            continue
        answers = coder_answers(annotations, target)
        saw = np.array([a in seen_all or (a, c) in seen_pairs for a, c in
                        zip(answers["article_id"], answers["coder"], strict=True)], dtype=bool)
        model = model_answers(suggestions, suggested, target)
        mine = answers[saw]
        if len(mine):
            stats = alpha_rows(mine["value"].to_numpy(), model.reindex(mine["article_id"]).to_numpy(),
                               target.scale, n_boot=n_boot, seed=seed)
        else:
            stats = {"alpha": np.nan, "alpha_low": np.nan, "alpha_high": np.nan}
        by_article = pd.Series(saw).groupby(answers["article_id"].to_numpy())
        none_saw = set(by_article.sum().index[by_article.sum() == 0])
        all_saw = set(by_article.all().index[by_article.all()])
        unassisted, n_un = _coders_alpha(answers[answers["article_id"].isin(none_saw)],
                                         target.scale, n_boot, seed)
        assisted, n_as = _coders_alpha(answers[answers["article_id"].isin(all_saw)],
                                       target.scale, n_boot, seed)
        cv = _cv(cv_report, target.name)
        rows.append({
            "target": target.name, "variable": target.variable, "category": target.category,
            "level": target.scale.level,
            "coders_vs_model": stats["alpha"], "coders_vs_model_low": stats["alpha_low"],
            "coders_vs_model_high": stats["alpha_high"], "n_coder_answers": int(saw.sum()),
            "model_cv": cv[0], "model_cv_low": cv[1], "model_cv_high": cv[2],
            "coders_unassisted": unassisted, "n_unassisted_articles": n_un,
            "coders_assisted": assisted, "n_assisted_articles": n_as,
        })
    return pd.DataFrame(rows, columns=ANCHORING_COLUMNS)


def _cv(report: pd.DataFrame | None, name: str) -> tuple[float, float, float]:
    if report is None or not len(report):
        return np.nan, np.nan, np.nan
    row = report[(report["target"] == name) & (report["statistic"] == "alpha")]
    if not len(row):
        return np.nan, np.nan, np.nan
    first = row.iloc[0]
    return float(first["estimate"]), float(first["ci_low"]), float(first["ci_high"])
