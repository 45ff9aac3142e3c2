"""Synthetic studies for tests and the benchmark: a tidy annotation table and lengths.

Coders copy a latent "true" answer with probability ``accuracy`` and otherwise answer at
random, so agreement is high but not perfect. Everything comes from ``seed``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framestudy.annotations import (
    COLUMNS,  # noqa: E402  (the tidy table's columns)
    write_tidy,
)


def synthetic_study(
    registry: Sequence[Mapping],
    n_articles: int = 100,
    coders: Sequence[str] = ("a@x.org", "b@x.org", "c@x.org"),
    n_outlets: int = 4,
    accuracy: float = 0.8,
    length: int = 2000,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    articles = np.array([f"art{i:05d}" for i in range(n_articles)])
    outlets = np.array([f"outlet{i % n_outlets}" for i in range(n_articles)])
    m = len(coders)
    frames = []

    def emit(
        values: np.ndarray, variable: str, extra: dict | None = None, art_idx=None, coder_idx=None
    ):
        art_idx = np.arange(n_articles).repeat(m) if art_idx is None else art_idx
        coder_idx = np.tile(np.arange(m), n_articles) if coder_idx is None else coder_idx
        frame = {
            "article_id": articles[art_idx],
            "outlet": outlets[art_idx],
            "coder": np.asarray(coders, dtype=object)[coder_idx],
            "variable": variable,
            "value": values,
        }
        frame.update(extra or {})
        frames.append(pd.DataFrame(frame))

    span_labels: list[str] = []
    span_rows = None
    for rec in registry:
        kind, values = rec.get("kind", "document"), [str(v) for v in rec["values"]]
        if kind == "document" and not rec.get("multiple"):
            choices = values + [str(v) for v in rec.get("missing_values", [])]
            truth = rng.integers(0, len(choices), n_articles).repeat(m)
            noise = rng.integers(0, len(choices), n_articles * m)
            pick = np.where(rng.random(n_articles * m) < accuracy, truth, noise)
            emit(np.asarray(choices, dtype=object)[pick], rec["variable"])
        elif kind == "document":
            truth = rng.random((n_articles, len(values))) < 0.3
            chosen = np.where(
                rng.random((n_articles, m, len(values))) < accuracy,
                truth[:, None, :],
                rng.random((n_articles, m, len(values))) < 0.3,
            )
            a, c, v = np.nonzero(chosen)
            emit(np.asarray(values, dtype=object)[v], rec["variable"], art_idx=a, coder_idx=c)
        elif kind == "span_label":
            span_labels = values
    if span_labels:
        k = 3  # true spans per article
        starts = rng.integers(0, length - 200, (n_articles, k))
        lens = rng.integers(20, 150, (n_articles, k))
        labs = rng.integers(0, len(span_labels), (n_articles, k))
        a = np.arange(n_articles).repeat(m * k)
        c = np.tile(np.arange(m).repeat(k), n_articles)
        j = np.tile(np.arange(k), n_articles * m)
        keep = rng.random(a.size) < 0.9
        jitter = rng.integers(-5, 6, (2, a.size))
        s = np.clip(starts[a, j] + jitter[0], 0, length - 1)
        e = np.clip(starts[a, j] + lens[a, j] + jitter[1], s + 1, length)
        lab = np.where(
            rng.random(a.size) < accuracy, labs[a, j], rng.integers(0, len(span_labels), a.size)
        )
        a, c, s, e, lab = a[keep], c[keep], s[keep], e[keep], lab[keep]
        ids = np.array([f"r{i}" for i in range(a.size)], dtype=object)
        span_rows = {"span_id": ids, "span_start": s, "span_end": e}
        emit(np.asarray(span_labels, dtype=object)[lab], "span", span_rows, art_idx=a, coder_idx=c)
        for rec in registry:
            if rec.get("kind") != "span_attribute":
                continue
            values = [str(v) for v in rec["values"]]
            applies = np.isin(
                np.asarray(span_labels, dtype=object)[lab], rec.get("labels") or span_labels
            )
            truth = rng.integers(0, len(values), (n_articles, k))[a, np.zeros_like(a)]
            pick = np.where(
                rng.random(a.size) < accuracy, truth, rng.integers(0, len(values), a.size)
            )
            sel = applies
            emit(
                np.asarray(values, dtype=object)[pick[sel]],
                rec["variable"],
                {k2: v[sel] for k2, v in span_rows.items()},
                art_idx=a[sel],
                coder_idx=c[sel],
            )
    table = pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)
    table["schema_hash"] = "0" * 16
    return table, dict.fromkeys(articles.tolist(), length)


def write_study(root: Path, registry: Sequence[Mapping], ann: pd.DataFrame, lengths: Mapping) -> None:
    """The files study-mode agreement reads: the registry, the tidy table and tasks.json
    (article texts of the given lengths)."""
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "registry.json").write_text(json.dumps(list(registry)))
    write_tidy(ann, root / "annotations" / "annotations.csv")
    tasks = [{"data": {"article_id": a, "text": "x" * n}} for a, n in lengths.items()]
    (root / "tasks").mkdir()
    (root / "tasks" / "tasks.json").write_text(json.dumps(tasks))
