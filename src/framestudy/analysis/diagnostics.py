"""Where coders disagree: a ranked list of units for adjudication."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from framestudy.analysis.alpha import (
    Metric,
    alpha_coded,
    coincidences,
    delta_matrix,
    to_coded,
    value_label,
)
from framestudy.analysis.data import Coded

#: the columns of :func:`disagreements` before the one-per-coder columns
RANKING_COLUMNS = ("unit", "n_values", "n_distinct", "disagreement", "majority", "values")


def disagreements(
    data: pd.DataFrame | Coded, metric: Metric = "nominal", categories: Sequence | None = None
) -> pd.DataFrame:
    """Units on which coders disagree, most disagreeing first.

    ``disagreement`` is the mean distance delta over the unit's pairs of values divided by
    the expected disagreement D_e (Krippendorff 2011, p. 4), so 1 means "as far apart as
    values paired by chance"; it is the unit's share of D_o put on D_e's scale. Columns:
    ``unit``, ``n_values``, ``n_distinct``, ``disagreement``, ``majority`` (the most
    frequent value if one is, else empty), ``values`` ("coder: value; ...") and one column
    per coder with its value (empty when missing). Units without disagreement are left out;
    ties are broken by more values first, then unit order.
    """
    coded = to_coded(data, metric, categories)
    vc = coded.value_counts.astype(float)
    m = vc.sum(axis=1)
    pairable = m >= 2
    columns = [*RANKING_COLUMNS, *map(str, coded.coders)]
    if not pairable.any() or len(coded.coders) < 2:
        return pd.DataFrame(columns=columns)
    o = coincidences(coded.value_counts)
    delta = delta_matrix(metric, coded.categories, o.sum(axis=0))
    d_e = alpha_coded(coded, metric)["expected_disagreement"]
    pair_sum = (np.einsum("ui,ij,uj->u", vc, delta, vc) - vc @ np.diag(delta)) / 2.0
    n_pairs = m * (m - 1) / 2.0
    mean_delta = np.divide(pair_sum, n_pairs, out=np.zeros_like(pair_sum), where=n_pairs > 0)
    score = mean_delta / d_e if d_e and d_e > 0 else mean_delta
    keep = np.flatnonzero(pairable & (mean_delta > 0))
    labels = [value_label(c) for c in coded.categories]
    rows = []
    for u in keep:
        codes = coded.codes[u]
        counts = vc[u]
        top = np.flatnonzero(counts == counts.max())
        row = {
            "unit": coded.units[u],
            "n_values": int(m[u]),
            "n_distinct": int((counts > 0).sum()),
            "disagreement": float(score[u]),
            "majority": labels[top[0]] if top.size == 1 else "",
            "values": "; ".join(
                f"{c}: {labels[k]}" for c, k in zip(coded.coders, codes, strict=True) if k >= 0
            ),
        }
        for c, k in zip(coded.coders, codes, strict=True):
            row[str(c)] = labels[k] if k >= 0 else ""
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    frame["_order"] = np.arange(len(frame))
    frame = frame.sort_values(
        ["disagreement", "n_values", "_order"], ascending=[False, False, True]
    )
    return frame.drop(columns="_order").reset_index(drop=True)
