"""The trained models' answers for articles, as a table and as Label Studio results.

:func:`predict` gives one row per suggested answer: a one-value variable's predicted value
(none when the model predicts "no answer"), each value of a set-valued variable the model
predicts present, and each sentence the span suggester predicts to carry a label (the
whole sentence is the suggested span). :func:`label_studio_result` turns an article's rows
into the ``result`` list of a Label Studio prediction, with the control names of the
labeling config the schema generates (:mod:`framestudy.schema.label_config`: a
variable's ``Choices`` is named after the variable, the span ``Labels`` after the
schema's span name, both pointing at the ``Text`` named ``text``; a ``Choice`` stores the
value's id) and span offsets in code points, as Label Studio stores them
(:mod:`framestudy.annotations.spans`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from framestudy.analysis.consensus import PRESENT
from framestudy.model.features import (
    DOCUMENT,
    NO_VALUE,
    SPAN_LABEL,
    sentence_table,
    sentence_texts,
)

PREDICTION_COLUMNS = ["article_id", "target", "variable", "category", "value", "span_start",
                      "span_end", "score"]


def predict(models: Mapping[str, object], texts: Mapping[str, str],
            article_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The suggestions of ``models`` (target name -> :class:`~framestudy.model.train.
    TrainedTarget`, as saved) for the articles ``article_ids`` (default: all of
    ``texts``): rows of :data:`PREDICTION_COLUMNS`, by article and target order; ``score``
    is the model's probability of the answer. Each text is vectorised once per
    vectorizer, not once per target."""
    ids = sorted(texts if article_ids is None else set(article_ids))
    chosen = {a: texts[a] for a in ids}
    parts: list[pd.DataFrame] = []
    matrices: dict[int, object] = {}
    sentences = None
    for trained in models.values():
        target = trained.target
        tfidf = trained.pipeline.named_steps["tfidf"]
        clf = trained.pipeline.named_steps["classifier"]
        if target.kind == SPAN_LABEL:
            if sentences is None:
                sentences = sentence_table(chosen)
                pieces = sentence_texts(sentences, chosen)
            key = id(tfidf)
            if key not in matrices:
                matrices[key] = tfidf.transform(pieces)
            units = sentences
        else:
            key = id(tfidf)
            if key not in matrices:
                matrices[key] = tfidf.transform([chosen[a] for a in ids])
            units = pd.DataFrame({"article_id": pd.Series(ids, dtype=object)})
        if not len(units):
            continue
        proba = clf.predict_proba(matrices[key])
        classes = np.asarray(clf.classes_).astype(str)
        best = proba.argmax(axis=1)
        answer, score = classes[best], proba[np.arange(len(best)), best]
        keep = answer != NO_VALUE if target.kind == DOCUMENT else answer == PRESENT
        frame = pd.DataFrame({
            "article_id": units["article_id"].to_numpy(dtype=object)[keep],
            "target": target.name,
            "variable": target.variable,
            "category": target.category,
            "value": answer[keep] if target.kind == DOCUMENT else target.category,
            "span_start": (units["start"].to_numpy()[keep] if target.kind == SPAN_LABEL
                           else pd.NA),
            "span_end": units["end"].to_numpy()[keep] if target.kind == SPAN_LABEL else pd.NA,
            "score": np.round(score[keep].astype(float), 4),
        })
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(models)}
    out["_order"] = out["target"].map(order)
    out = out.sort_values(["article_id", "_order", "span_start"], kind="stable")
    out = out.drop(columns="_order").reset_index(drop=True)
    for column in ("span_start", "span_end"):
        out[column] = out[column].astype("Int64")
    return out[PREDICTION_COLUMNS]


def label_studio_result(rows: pd.DataFrame, text: str, span_name: str,
                        text_name: str | None = None) -> tuple[list[dict], float | None]:
    """One article's suggestions (its rows of :func:`predict`) as a Label Studio
    prediction's ``result`` list, and the prediction's score (the mean of the answers'
    probabilities; None for no answer). A set-valued variable's values go into one
    ``choices`` item; each suggested span is a ``labels`` item with code-point offsets."""
    return _result(
        rows["variable"].tolist(), rows["value"].tolist(), rows["span_start"].tolist(),
        rows["span_end"].tolist(), rows["score"].tolist(), text, span_name, text_name)


def label_studio_results(rows: pd.DataFrame, texts: Mapping[str, str], span_name: str,
                         text_name: str | None = None) -> dict[str, tuple[list[dict], float | None]]:
    """:func:`label_studio_result` of every article of ``rows`` (sorted by article, as
    :func:`predict` gives them), in one pass: ``{article_id: (result, score)}``."""
    articles = rows["article_id"].tolist()
    columns = [rows[c].tolist() for c in ("variable", "value", "span_start", "span_end",
                                           "score")]
    out = {}
    first = 0
    for i in range(1, len(articles) + 1):
        if i == len(articles) or articles[i] != articles[first]:
            article = articles[first]
            out[article] = _result(*(c[first:i] for c in columns), texts[article], span_name,
                                   text_name)
            first = i
    return out


def _result(variables, values, starts, ends, scores, text: str, span_name: str,
            text_name: str | None) -> tuple[list[dict], float | None]:
    from framestudy.schema.label_config import TEXT_NAME

    to_name = text_name or TEXT_NAME
    result: list[dict] = []
    choices: dict[str, dict] = {}
    for variable, value, start, end in zip(variables, values, starts, ends, strict=True):
        if start is not None and start is not pd.NA and not _nan(start):
            start, end = int(start), int(end)
            result.append({
                "id": f"fs{len(result) + 1}", "from_name": span_name, "to_name": to_name,
                "type": "labels",
                "value": {"start": start, "end": end, "text": text[start:end],
                          "labels": [str(value)]},
            })
            continue
        item = choices.get(variable)
        if item is None:
            item = {"id": f"fs{len(result) + 1}", "from_name": str(variable),
                    "to_name": to_name, "type": "choices", "value": {"choices": []}}
            choices[variable] = item
            result.append(item)
        item["value"]["choices"].append(str(value))
    if not scores:
        return result, None
    return result, round(float(np.mean(np.asarray(scores, dtype=float))), 4)


def _nan(value) -> bool:
    return isinstance(value, float) and value != value
