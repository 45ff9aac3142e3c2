"""Training the suggesters and measuring them by cross-validation.

Per target (:func:`framestudy.model.features.targets`) the model is a scikit-learn
``Pipeline`` of a ``TfidfVectorizer`` (word unigrams and bigrams, sublinear term
frequencies; Salton & Buckley 1988, *Information Processing & Management* 24:513-523) and
a ``LogisticRegression`` with an L2 penalty (``C`` = 1; lbfgs, tolerance :data:`TOLERANCE`) and class weights inversely
proportional to the classes' frequencies (``class_weight="balanced"``), the baseline
text classifier of the scikit-learn documentation. Article-level targets learn from the
article text, span labels from the sentence (:mod:`framestudy.model.sentences`).

The vectorizers are fitted once, on every article text of the study (or every sentence):
they learn the vocabulary and the inverse document frequencies, which use no code, so
articles not yet coded shape them too (the transductive setting; no gold value leaks
into them). Cross-validation then refits only the classifier: stratified k-fold (k = 5 by
default, shuffled with the seed), each article (or sentence) predicted by the model
trained on the other folds; those out-of-fold answers are measured against gold like a
coder's (:mod:`framestudy.model.evaluate`). The saved model is refitted on all gold
values (lbfgs starting from the mean of the fold models: the same optimum, sooner).

Randomness: the folds and the bootstrap come from ``seed``; the solver (lbfgs) is
deterministic, and one BLAS thread is used (``threadpoolctl``), so the same inputs and
seed give the same models and report.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from framestudy.errors import UserError
from framestudy.model import evaluate
from framestudy.model.features import (
    SPAN_LABEL,
    Target,
    document_gold,
    sentence_gold,
    sentence_table,
    sentence_texts,
    targets,
)

#: fewest coded articles worth training on (see :func:`check_enough`)
MIN_ARTICLES = 50
N_FOLDS = 5
#: inverse regularisation strength of the logistic regression (scikit-learn's default)
C = 1.0
#: the solver's stopping tolerance: 1e-3 (scikit-learn's default is 1e-4) halves the
#: iterations, and the answers of the cross-validation on 10 x 1,000 simulated articles did
#: not change (docs/model.md, "Speed")
TOLERANCE = 1e-3
#: word n-grams of the TF-IDF step: unigrams and bigrams ("sovereign right", "not credible")
NGRAMS = (1, 2)
#: terms in more than this share of the texts are left out ("of the", "in the"): they carry
#: no signal and make a fifth of the matrix the solver multiplies with
MAX_DF = 0.5


class TooFewArticles(UserError):
    """The study has too few coded articles to train and cross-validate a model."""


@dataclass
class TrainedTarget:
    """One target's fitted pipeline, its classes and how many units it learnt from."""

    target: Target
    pipeline: object  # sklearn.pipeline.Pipeline
    classes: list[str]
    n_units: int


@dataclass
class TrainResult:
    """What :func:`train` made: the fitted models (by target name), the cross-validation
    report (:data:`framestudy.model.evaluate.REPORT_COLUMNS`), the targets not trained and
    why (``target, reason``), the out-of-fold answers (``target, unit, gold, model,
    baseline``), the number of coded articles and the SHA-256 of the training data."""

    models: dict[str, TrainedTarget]
    report: pd.DataFrame
    skipped: pd.DataFrame
    cv_answers: pd.DataFrame
    n_articles: int
    training_sha256: str
    vectorizers: dict[str, object] = field(default_factory=dict)


def vectorizer():
    """The TF-IDF step (unfitted): :data:`NGRAMS`, terms in at least 2 texts and at most
    :data:`MAX_DF` of them, sublinear term frequencies."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, ngram_range=NGRAMS, min_df=2, max_df=MAX_DF,
                           dtype=np.float32)


def classifier(seed: int = 0):
    """The classifier step (unfitted): regularised, class-balanced logistic regression."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", tol=TOLERANCE, max_iter=2000,
                              random_state=seed)


def coded_articles(annotations: pd.DataFrame, texts: Mapping[str, str]) -> list[str]:
    """The articles of ``texts`` that someone coded (any row in the tidy table), sorted."""
    coded = set(annotations["article_id"].astype(str)) & set(texts)
    return sorted(coded)


def check_enough(n_articles: int, n_folds: int = N_FOLDS) -> None:
    """Raise :class:`TooFewArticles` (one line: how many there are, how many are needed
    and why) unless ``n_articles`` coded articles are enough to train on."""
    needed = max(MIN_ARTICLES, 2 * n_folds)
    if n_articles >= needed:
        return
    raise TooFewArticles(
        f"{n_articles} coded article{'s' if n_articles != 1 else ''}: model train needs at "
        f"least {needed} -- {n_folds}-fold cross-validation tests each model on one fold "
        f"while training it on the others, so every value must occur in at least "
        f"{n_folds} coded articles, and a text classifier needs dozens of examples per "
        "value to learn anything; nothing was trained. Code and pull more articles "
        "(or try it on a simulated study: framestudy simulate)"
    )


def _majority(values: np.ndarray, among: Sequence[str] = ()) -> str:
    """The most frequent value (ties: the first in sorted order); with ``among``, the most
    frequent of those values if any occurs."""
    values = values.astype(str)
    if len(among):
        compared = values[np.isin(values, list(among))]
        values = compared if len(compared) else values
    names, counts = np.unique(values, return_counts=True)
    return str(names[int(np.argmax(counts))])


def _why_not(gold: pd.Series, n_folds: int) -> str | None:
    """Why a target cannot be trained on ``gold`` (None if it can)."""
    counts = gold.value_counts()
    usable = counts[counts >= n_folds]
    if len(gold) < MIN_ARTICLES:
        return f"only {len(gold)} units with a gold value (needs {MIN_ARTICLES})"
    if len(usable) < 2:
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        return (f"fewer than two values occur at least {n_folds} times ({shown}): "
                f"{n_folds}-fold cross-validation needs one of each in every fold")
    return None


def _cross_validate(X, y: np.ndarray, n_folds: int, seed: int, compared: Sequence[str] = ()):
    """Out-of-fold answers of the classifier and of the majority-class baseline (the
    most frequent gold value of the training folds among the ``compared`` values, those
    alpha compares, so that the baseline has an alpha), and the fold models (to start the
    final fit from)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    fitted = []
    answers = np.empty(len(y), dtype=object)
    baseline = np.empty(len(y), dtype=object)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # a value rarer than the folds: kept (it is still learnt from), not stratified
        warnings.filterwarnings("ignore", message="The least populated class")
        for train_rows, test_rows in folds.split(np.zeros(len(y)), y):
            if len(np.unique(y[train_rows])) < 2:
                answers[test_rows] = _majority(y[train_rows])
            else:
                model = clone(classifier(seed)).fit(X[train_rows], y[train_rows])
                answers[test_rows] = model.predict(X[test_rows])
                fitted.append(model)
            baseline[test_rows] = _majority(y[train_rows], compared)
    return answers, baseline, fitted


def _final_fit(X, y: np.ndarray, seed: int, folds: list):
    """The model fitted on all units. lbfgs starts from the mean of the fold models'
    coefficients (those that saw every class), close to the optimum, which takes a third
    of the iterations; the problem is convex (an L2-penalised log-likelihood), so the
    optimum reached is the same as from zero, up to the solver's tolerance."""
    model = classifier(seed)
    classes = np.unique(y)
    usable = [m for m in folds if np.array_equal(m.classes_, classes)]
    if usable:
        model.set_params(warm_start=True)
        model.coef_ = np.mean([m.coef_ for m in usable], axis=0)
        model.intercept_ = np.mean([m.intercept_ for m in usable], axis=0)
    model.fit(X, y)
    return model.set_params(warm_start=False)


def train(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping],
    texts: Mapping[str, str],
    *,
    seed: int = 0,
    n_folds: int = N_FOLDS,
    n_boot: int = 1000,
    adjudicated: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train and cross-validate a model per target of ``registry`` on the study's gold
    values (see the module docstring).

    ``annotations``: the tidy table (docs/CONTRACTS.md); ``registry``: the schema's
    registry records; ``texts``: ``{article_id: text}`` of every article (tasks.json);
    ``adjudicated``: decisions passed on to
    :func:`~framestudy.analysis.consensus.consensus`. Raises :class:`TooFewArticles`
    when fewer than :data:`MIN_ARTICLES` articles are coded. A target whose gold values
    are too few or too uniform is skipped, with the reason. ``progress(target)`` is called
    as each target is done.
    """
    from sklearn.pipeline import Pipeline
    from threadpoolctl import threadpool_limits

    from framestudy.analysis.consensus import consensus

    if n_folds < 2:
        raise UserError(f"--folds {n_folds}: cross-validation needs at least 2 folds")
    coded = coded_articles(annotations, texts)
    check_enough(len(coded), n_folds)
    annotations = annotations[annotations["article_id"].astype(str).isin(set(coded))]
    # the consensus of the article-level variables only: span attributes (matched spans)
    # are not modelled, and matching every coder's spans is the costly part
    documents_only = [r for r in registry if r.get("kind", "document") == "document"]
    if adjudicated is not None and "variable" in adjudicated.columns:
        names = {str(r["variable"]) for r in documents_only}
        adjudicated = adjudicated[adjudicated["variable"].astype(str).isin(names)]
    gold_table = consensus(annotations, documents_only, adjudicated)
    wanted = targets(registry)
    digest = hashlib.sha256()
    for article_id in coded:
        digest.update(f"text\t{article_id}\t".encode())
        digest.update(hashlib.sha256(texts[article_id].encode("utf-8")).digest())
    models: dict[str, TrainedTarget] = {}
    report: list[dict] = []
    skipped: list[dict] = []
    answers: list[pd.DataFrame] = []
    vectorizers: dict[str, object] = {}
    with threadpool_limits(limits=1):
        all_ids = sorted(texts)
        row_of = {a: i for i, a in enumerate(all_ids)}
        documents = vectorizer()
        doc_matrix = documents.fit_transform([texts[a] for a in all_ids]).tocsr()
        vectorizers["article"] = documents
        sentences = sent_matrix = None
        for target in wanted:
            if target.kind == SPAN_LABEL:
                if sentences is None:
                    sentences = sentence_table(texts)
                    sentence_vectorizer = vectorizer()
                    sent_matrix = sentence_vectorizer.fit_transform(
                        sentence_texts(sentences, texts)).tocsr()
                    vectorizers["sentence"] = sentence_vectorizer
                gold = sentence_gold(annotations, sentences, target)
                rows = gold.index.to_numpy()
                X, step = sent_matrix[rows], vectorizers["sentence"]
                units = (sentences["article_id"].to_numpy(dtype=object)[rows] + ":"
                         + sentences["start"].to_numpy()[rows].astype(str) + "-"
                         + sentences["end"].to_numpy()[rows].astype(str))
            else:
                gold = document_gold(gold_table, target)
                gold = gold[gold.index.isin(row_of.keys())]
                X, step = doc_matrix[[row_of[a] for a in gold.index]], documents
                units = gold.index.to_numpy(dtype=object)
            reason = _why_not(gold, n_folds)
            if reason is not None:
                skipped.append({"target": target.name, "reason": reason})
                if progress:
                    progress(target.name)
                continue
            y = gold.to_numpy(dtype=object).astype(str)
            for unit, value in zip(units, y, strict=True):
                digest.update(f"{target.name}\t{unit}\t{value}\n".encode())
            cv, base, fold_models = _cross_validate(X, y, n_folds, seed, target.scale.values)
            answers.append(pd.DataFrame({"target": target.name, "unit": units, "gold": y,
                                         "model": cv, "baseline": base}))
            report += evaluate.report_rows(target.describe(), y, cv, base, target.scale,
                                           n_boot=n_boot, seed=seed)
            final = _final_fit(X, y, seed, fold_models)
            models[target.name] = TrainedTarget(
                target, Pipeline([("tfidf", step), ("classifier", final)]),
                [str(c) for c in final.classes_], len(y))
            if progress:
                progress(target.name)
    report_frame = pd.DataFrame(report, columns=evaluate.REPORT_COLUMNS)
    return TrainResult(
        models=models,
        report=report_frame,
        skipped=pd.DataFrame(skipped, columns=["target", "reason"]),
        cv_answers=(pd.concat(answers, ignore_index=True) if answers else
                    pd.DataFrame(columns=["target", "unit", "gold", "model", "baseline"])),
        n_articles=len(coded),
        training_sha256=digest.hexdigest(),
        vectorizers=vectorizers,
    )
