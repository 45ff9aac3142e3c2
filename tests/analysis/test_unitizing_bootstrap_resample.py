"""The unitizing bootstrap against a naive one: each replicate is the study with its
documents drawn with replacement, computed as a new study whose drawn documents are
repeated (copies renamed), and the interval is the replicates' quantiles at
(1 -/+ confidence) / 2 (Efron & Tibshirani 1993, ch. 13). Found by mutation testing: the
interval's tail was not checked (docs/mutation.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.unitizing import unitizing_alpha

COLUMNS = ["document", "coder", "category", "start", "end"]
ROWS = [
    ("d1", "a", "X", 0, 10), ("d1", "b", "X", 2, 10), ("d1", "a", "Y", 20, 30),
    ("d1", "b", "Y", 22, 31),
    ("d2", "a", "X", 5, 15), ("d2", "b", "X", 5, 14), ("d2", "b", "Y", 30, 38),
    ("d3", "a", "X", 0, 8), ("d3", "b", "X", 12, 20), ("d3", "a", "Y", 25, 35),
    ("d3", "b", "Y", 25, 35),
    ("d4", "a", "Y", 1, 9), ("d4", "b", "Y", 1, 9), ("d4", "b", "X", 15, 22),
]
LENGTHS = {"d1": 40, "d2": 45, "d3": 40, "d4": 30}


def _naive_replicates(n_boot: int, seed: int) -> tuple[np.ndarray, dict]:
    spans = pd.DataFrame(ROWS, columns=COLUMNS)
    docs = list(LENGTHS)
    weights = np.random.default_rng(seed).multinomial(
        len(docs), np.full(len(docs), 1.0 / len(docs)), size=n_boot)
    pooled, by_cat = [], {"X": [], "Y": []}
    for w in weights:
        parts, lengths = [], {}
        for doc, times in zip(docs, w, strict=True):
            for k in range(int(times)):
                copy = f"{doc}#{k}"
                lengths[copy] = LENGTHS[doc]
                parts.append(spans[spans["document"] == doc].assign(document=copy))
        study = pd.concat(parts, ignore_index=True)
        result = unitizing_alpha(study, lengths)
        pooled.append(result["estimate"])
        for cat in by_cat:
            by_cat[cat].append(result["by_category"][cat]["estimate"])
    return np.array(pooled), {c: np.array(v) for c, v in by_cat.items()}


@pytest.mark.parametrize("confidence", [0.95, 0.80])
def test_the_interval_is_the_quantiles_of_the_resampled_studies(confidence):
    n_boot, seed = 60, 7
    pooled, by_cat = _naive_replicates(n_boot, seed)
    result = unitizing_alpha(pd.DataFrame(ROWS, columns=COLUMNS), LENGTHS, n_boot=n_boot,
                             seed=seed, confidence=confidence)
    tail = (1 - confidence) / 2
    expected = np.nanquantile(pooled, [tail, 1 - tail])
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(tuple(expected))
    for cat, reps in by_cat.items():
        entry = result["by_category"][cat]
        assert (entry["ci_low"], entry["ci_high"]) == pytest.approx(
            tuple(np.nanquantile(reps, [tail, 1 - tail])))
    assert result["ci_low"] < result["ci_high"]  # a real interval, not one point
