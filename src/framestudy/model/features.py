"""What the models learn from: the targets of a schema, the gold value of each coded
article (or sentence) for each target, and the texts.

* **Targets** (:func:`targets`): every article-level variable of the schema's registry
  (``kind`` ``document``) is a target: a one-value variable (nominal or ordinal) is one
  target whose classes are its values, ``NA`` and "no answer" (``(none)``, when most
  coders left the question blank, e.g. in an irrelevant article) included; a set-valued
  variable is one yes/no target per value (``blame_actors:RUSSIA``, ``present`` /
  ``absent``). Every span label is a yes/no target on sentences (``span:BLAME``). Span
  attributes are not modelled.
* **Gold values** come from the consensus table
  (:func:`framestudy.analysis.consensus.consensus`): its value when the article's coders
  reached one (``single``, ``majority``, ``unanimous`` or ``adjudicated``); unresolved
  questions (a tie) are left out. A sentence is ``present`` for a span label when a
  strict majority of the article's coders marked a span of that label overlapping it,
  ``absent`` when a strict majority did not, and left out on a tie: the consensus rule of
  :mod:`framestudy.analysis.consensus`, applied to sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from framestudy.analysis.consensus import ABSENT, NO_ANSWER, PRESENT, UNRESOLVED
from framestudy.model.evaluate import Scale
from framestudy.model.sentences import split_sentences

#: the class of "no answer" (most coders left the question blank)
NO_VALUE = NO_ANSWER
#: kinds of target
DOCUMENT, SET_VALUE, SPAN_LABEL = "document", "set_value", "span_label"
BINARY = Scale("nominal", (PRESENT, ABSENT))


@dataclass(frozen=True)
class Target:
    """One thing a model predicts: ``name`` (``genre``, ``blame_actors:RUSSIA``,
    ``span:BLAME``), the registry's ``variable``, the ``category`` (a set's value or a
    span label; "" for a one-value variable), its ``kind``, the ``unit`` it is coded on
    (``article`` or ``sentence``) and the :class:`~framestudy.model.evaluate.Scale` it
    is measured on."""

    name: str
    variable: str
    category: str
    kind: str
    unit: str
    scale: Scale

    def describe(self) -> dict:
        return {"target": self.name, "variable": self.variable, "category": self.category,
                "unit": self.unit, "level": self.scale.level}


def targets(registry: Sequence[Mapping]) -> list[Target]:
    """The targets of the registry's records, in registry order (see the module docstring)."""
    out = []
    for record in registry:
        variable = str(record["variable"])
        kind = record.get("kind", "document")
        values = tuple(str(v) for v in record.get("values", []))
        if kind == "span_label":
            labels = record.get("labels") or values
            out += [Target(f"{variable}:{label}", variable, str(label), SPAN_LABEL, "sentence",
                           BINARY) for label in labels]
        elif kind != "document":
            continue
        elif record.get("multiple") or record.get("level") == "set":
            out += [Target(f"{variable}:{value}", variable, value, SET_VALUE, "article", BINARY)
                    for value in values]
        else:
            level = "ordinal" if record.get("level") == "ordinal" else "nominal"
            missing = tuple(str(v) for v in record.get("missing_values", [])) + (NO_VALUE,)
            out.append(Target(variable, variable, "", DOCUMENT, "article",
                              Scale(level, values, missing)))
    return out


def document_gold(consensus_table: pd.DataFrame, target: Target) -> pd.Series:
    """The gold value of every article with one for an article-level ``target``: a Series
    indexed by ``article_id`` (sorted), named after the target."""
    rows = consensus_table[(consensus_table["variable"] == target.variable)
                           & (consensus_table["category"].fillna("") == target.category)
                           & (consensus_table["provenance"] != UNRESOLVED)]
    values = rows["value"].fillna("").astype(str)
    if target.kind == DOCUMENT:
        values = values.where(values != "", NO_VALUE)
    gold = pd.Series(values.to_numpy(dtype=object), index=rows["article_id"].astype(str),
                     name=target.name)
    gold = gold[~gold.index.duplicated()]
    return gold.sort_index()


def sentence_table(texts: Mapping[str, str]) -> pd.DataFrame:
    """Every sentence of every text: ``article_id, start, end`` (sorted by article and
    position; :func:`framestudy.model.sentences.split_sentences`)."""
    ids, starts, ends = [], [], []
    for article_id in sorted(texts):
        pieces = split_sentences(texts[article_id])
        ids += [article_id] * len(pieces)
        starts += [s for s, _ in pieces]
        ends += [e for _, e in pieces]
    return pd.DataFrame({"article_id": pd.Series(ids, dtype=object),
                         "start": np.asarray(starts, dtype=np.int64),
                         "end": np.asarray(ends, dtype=np.int64)})


def sentence_texts(sentences: pd.DataFrame, texts: Mapping[str, str]) -> list[str]:
    """The text of each row of :func:`sentence_table`."""
    return [texts[a][s:e] for a, s, e in zip(sentences["article_id"], sentences["start"],
                                              sentences["end"], strict=True)]


def sentence_gold(annotations: pd.DataFrame, sentences: pd.DataFrame, target: Target
                  ) -> pd.Series:
    """The gold value of the sentences of coded articles for a span-label ``target``:
    ``present`` / ``absent`` by strict majority of the article's coders (a coder who coded
    the article and marked no span of the label over the sentence votes ``absent``); ties
    left out. A Series indexed by the row number in ``sentences``.

    ``annotations``: the tidy table (``article_id, coder, variable, value, span_start,
    span_end``); the article's coders are those with any row for it."""
    ann = annotations[annotations["article_id"].isin(set(sentences["article_id"]))]
    pairs = ann[["article_id", "coder"]].drop_duplicates()
    n_coders = pairs.groupby("article_id").size()
    coded = sentences["article_id"].isin(n_coders.index).to_numpy()
    rows = np.flatnonzero(coded)
    if not len(rows):
        return pd.Series([], dtype=object, name=target.name)
    codes, names = pd.factorize(sentences["article_id"], sort=True)
    code_of = {name: i for i, name in enumerate(names)}
    big = np.int64(max(int(sentences["end"].max()), 1) + 1)
    key_start = codes * big + sentences["start"].to_numpy(dtype=np.int64)
    key_end = codes * big + sentences["end"].to_numpy(dtype=np.int64)
    spans = ann[(ann["variable"] == target.variable) & (ann["value"] == target.category)
                & ann["span_start"].notna() & ann["span_end"].notna()]
    spans = spans[spans["article_id"].isin(code_of.keys())]
    start = pd.to_numeric(spans["span_start"]).to_numpy(dtype=np.int64)
    end = pd.to_numeric(spans["span_end"]).to_numpy(dtype=np.int64)
    keep = end > start
    article = np.array([code_of[a] for a in spans["article_id"]], dtype=np.int64)[keep]
    coder_codes, _ = pd.factorize(spans["coder"])
    coder_codes = coder_codes[keep]
    start, end = start[keep], end[keep]
    # first sentence ending after the span's start, last sentence starting before its end
    first = np.searchsorted(key_end, article * big + start, side="right")
    last = np.searchsorted(key_start, article * big + end, side="left") - 1
    count = np.maximum(last - first + 1, 0)
    sentence = np.repeat(first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    voter = np.repeat(coder_codes, count)
    marked = np.unique(sentence * (len(coder_codes) + 1) + voter) // (len(coder_codes) + 1)
    votes = np.bincount(marked, minlength=len(sentences))
    n = n_coders.reindex(sentences["article_id"]).fillna(0).to_numpy(dtype=np.int64)
    present = 2 * votes > n
    absent = 2 * (n - votes) > n
    decided = coded & (present | absent)
    index = np.flatnonzero(decided)
    values = np.where(present[index], PRESENT, ABSENT).astype(object)
    return pd.Series(values, index=index, name=target.name)
