"""Reliability tables written the way published examples print them, for the tests.

Published agreement examples come as a coders x units matrix, a two-coder contingency
table or per-unit category counts; these helpers expand each into the units x coders
table the engine reads. Test-only: the library's inputs are documented in docs/agreement.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def from_matrix(matrix: Sequence[Sequence], coders: Sequence | None = None) -> pd.DataFrame:
    """A units x coders table from a coders x units list of lists (``None`` = missing)."""
    arr = np.array(matrix, dtype=object).T
    arr = np.where(pd.isna(arr), np.nan, arr)
    cols = list(coders) if coders is not None else [f"coder{i + 1}" for i in range(arr.shape[1])]
    return pd.DataFrame(arr, columns=cols)


def contingency_to_wide(table: Sequence[Sequence[int]], categories: Sequence) -> pd.DataFrame:
    """Expand a two-coder contingency table (rows coder 1, columns coder 2) into units."""
    rows = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            rows.extend([(categories[i], categories[j])] * int(count))
    return pd.DataFrame(rows, columns=["coder1", "coder2"], dtype=object)


def counts_to_wide(counts: Sequence[Sequence[int]], categories: Sequence) -> pd.DataFrame:
    """Expand per-unit category counts into units x anonymous rater slots (one-way design)."""
    counts = np.asarray(counts, dtype=int)
    width = int(counts.sum(axis=1).max())
    rows = []
    for unit_counts in counts:
        vals = [c for c, k in zip(categories, unit_counts, strict=True) for _ in range(int(k))]
        rows.append(vals + [np.nan] * (width - len(vals)))
    return pd.DataFrame(rows, columns=[f"slot{i + 1}" for i in range(width)], dtype=object)
