"""Agreement on spans: Krippendorff's unitizing alpha, span F1, presence, span matching.

Spans are a DataFrame with columns ``document, coder, category, start, end`` (character
offsets, end exclusive). ``lengths`` maps each document to its length (the continuum).
``coders`` maps each document to the coders who coded it; by default every coder in
``spans`` is taken to have coded every document in ``lengths`` (a coder who marked
nothing in a document has no rows there).

Unitizing alpha is Krippendorff's (2004) binary, per-category alpha_U (Content Analysis,
2nd ed., Sage, section 12.4, pp. 251-256; the form DKPro Agreement implements): for
category c each coder's continuum is cut into c-units and gaps;

* D_o(c) = sum over ordered coder pairs and overlapping segment pairs of delta^2 /
  (m (m - 1) L^2), with delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2 for two overlapping units,
  l_g^2 for a unit inside the other coder's gap, and 0 otherwise;
* D_e(c) = (2 / L) sum_units [(N_c - 1)(2 l^3 - 3 l^2 + l) / 3 + l^2 sum_{gaps G >= l}
  (G - l + 1)] / (m L (m L - 1) - sum_units l (l - 1));
* alpha_U(c) = 1 - D_o(c) / D_e(c); the pooled value is 1 - sum_c D_o(c) / sum_c D_e(c).

Several documents are one continuum of length L = sum of their lengths, but a unit can
never straddle two documents, so gaps end at document boundaries (INCEpTION instead
concatenates documents, which merges a gap at the end of one document with one at the
start of the next). When documents were coded by different sets of coders, m (m - 1) L^2
becomes L * sum_d m_d (m_d - 1) L_d and m L becomes sum_d m_d L_d; with every coder on
every document this is exactly Krippendorff's formula. Zero-length spans are ignored;
overlapping spans of one coder and category are merged (the method assumes they do not
overlap).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from framestudy.analysis.alpha import REASON_ONE_CODER, alpha_coded
from framestudy.analysis.data import Coded

SPAN_COLUMNS = ["document", "coder", "category", "start", "end"]


def _normalise(spans: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Drop zero-length spans, merge overlapping spans of one coder and category."""
    frame = spans[SPAN_COLUMNS].copy()
    frame["start"] = frame["start"].astype(np.int64)
    frame["end"] = frame["end"].astype(np.int64)
    empty = frame["end"] <= frame["start"]
    n_empty = int(empty.sum())
    frame = frame[~empty].sort_values(["document", "coder", "category", "start", "end"])
    key = frame[["document", "coder", "category"]]
    same = (key == key.shift()).all(axis=1).to_numpy()
    prev_end = frame.groupby(["document", "coder", "category"], sort=False)["end"].cummax().shift()
    overlaps = same & (frame["start"].to_numpy() < prev_end.fillna(-1).to_numpy())
    n_merged = int(overlaps.sum())
    if n_merged:
        frame["block"] = np.cumsum(~overlaps)
        frame = (
            frame.groupby("block", sort=False)
            .agg(
                document=("document", "first"),
                coder=("coder", "first"),
                category=("category", "first"),
                start=("start", "min"),
                end=("end", "max"),
            )
            .reset_index(drop=True)
        )
    return frame.reset_index(drop=True), n_empty, n_merged


def _coder_sets(spans: pd.DataFrame, lengths: Mapping, coders: Mapping | None) -> dict:
    if coders is None:
        everyone = sorted(pd.unique(spans["coder"]).tolist(), key=str)
        return {doc: everyone for doc in lengths}
    return {doc: sorted(set(coders.get(doc, [])), key=str) for doc in lengths}


def _category_parts(
    units: pd.DataFrame,
    docs: pd.DataFrame,
    total_length: float,
    pair_weight: float,
    coded_length: float,
) -> tuple[float, float]:
    """(D_o, D_e) of one category; ``units`` holds that category's spans only."""
    lengths = (units["end"] - units["start"]).to_numpy(dtype=float)
    n_c = len(units)
    # observed: overlapping unit pairs of different coders (both orders from the merge)
    unit_ids = units.assign(uid=np.arange(n_c))
    pairs = unit_ids.merge(unit_ids, on="document", suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["coder_a"] != pairs["coder_b"])
        & (pairs["start_a"] < pairs["end_b"])
        & (pairs["start_b"] < pairs["end_a"])
    ]
    unit_pairs = float(
        (
            (pairs["start_a"] - pairs["start_b"]).to_numpy(dtype=float) ** 2
            + (pairs["end_a"] - pairs["end_b"]).to_numpy(dtype=float) ** 2
        ).sum()
    )
    # a unit inside another coder's gap: every other coder of the document without an
    # overlapping unit
    overlapped_by = pairs.groupby("uid_a")["coder_b"].nunique()
    k = np.zeros(n_c)
    k[overlapped_by.index.to_numpy()] = overlapped_by.to_numpy()
    m_doc = units["document"].map(docs["m"]).to_numpy(dtype=float)
    in_gap = float((lengths**2 * (m_doc - 1.0 - k)).sum())
    d_o = (unit_pairs + 2.0 * in_gap) / (total_length * pair_weight)

    # expected: gaps of every coder of every document
    gaps = _gaps(units, docs)
    gaps = np.sort(gaps[gaps > 0])
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    first = np.searchsorted(gaps, lengths, side="left")
    count = gaps.size - first
    fit = suffix[first] - (lengths - 1.0) * count  # sum over gaps G >= l of (G - l + 1)
    num = ((n_c - 1.0) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0 + lengths**2 * fit).sum()
    den = coded_length * (coded_length - 1.0) - (lengths * (lengths - 1.0)).sum()
    d_e = (2.0 / total_length) * num / den if den > 0 else float("nan")
    return float(d_o), float(d_e)


def _gaps(units: pd.DataFrame, docs: pd.DataFrame) -> np.ndarray:
    """Lengths of all gaps between one category's units, per coder and document."""
    out = []
    # coders with no unit in a document: the whole document is one gap
    have = units.groupby("document")["coder"].nunique()
    empty_coders = docs["m"] - have.reindex(docs.index).fillna(0)
    out.append(np.repeat(docs["length"].to_numpy(dtype=float), empty_coders.to_numpy(dtype=int)))
    if len(units):
        ordered = units.sort_values(["document", "coder", "start"])
        doc = ordered["document"].to_numpy()
        coder = ordered["coder"].to_numpy()
        start = ordered["start"].to_numpy(dtype=float)
        end = ordered["end"].to_numpy(dtype=float)
        new = np.ones(len(ordered), dtype=bool)
        new[1:] = (doc[1:] != doc[:-1]) | (coder[1:] != coder[:-1])
        last = np.ones(len(ordered), dtype=bool)
        last[:-1] = new[1:]
        prev_end = np.where(new, 0.0, np.concatenate([[0.0], end[:-1]]))
        out.append(start - prev_end)
        doc_len = pd.Series(doc).map(docs["length"]).to_numpy(dtype=float)
        out.append((doc_len - end)[last])
    return np.concatenate(out) if out else np.array([])


def unitizing_alpha(
    spans: pd.DataFrame,
    lengths: Mapping | pd.Series,
    coders: Mapping | None = None,
    categories: Sequence | None = None,
) -> dict:
    """Krippendorff's unitizing alpha_U per category and pooled (see module docstring).

    Returns ``estimate`` (pooled), ``observed_disagreement``, ``expected_disagreement``,
    ``by_category`` ({category: {estimate, observed_disagreement, expected_disagreement,
    n_spans, reason}}), ``n_documents``, ``n_coders``, ``n_spans``, ``n_ignored_empty``,
    ``n_merged`` and ``reason``. Undefined values are NaN with a reason.
    """
    lengths = (
        dict(pd.Series(lengths).items()) if not isinstance(lengths, Mapping) else dict(lengths)
    )
    spans = spans[spans["document"].isin(list(lengths))]
    frame, n_empty, n_merged = _normalise(spans)
    sets = _coder_sets(frame, lengths, coders)
    docs = pd.DataFrame(
        {"length": [float(lengths[d]) for d in lengths], "m": [len(sets[d]) for d in lengths]},
        index=pd.Index(list(lengths), name="document"),
    )
    # spans by coders not listed for their document are outside the design
    allowed = pd.Series([(d, c) for d in sets for c in sets[d]], dtype=object)
    frame = frame[
        pd.Series(list(zip(frame["document"], frame["coder"], strict=True)), dtype=object)
        .isin(allowed)
        .to_numpy()
    ]
    docs = docs[docs["m"] >= 2]
    frame = frame[frame["document"].isin(docs.index)]
    cats = (
        list(categories)
        if categories is not None
        else sorted(pd.unique(frame["category"]).tolist(), key=str)
    )
    all_coders = {c for d in docs.index for c in sets[d]}
    result = {
        "estimate": float("nan"),
        "observed_disagreement": float("nan"),
        "expected_disagreement": float("nan"),
        "by_category": {},
        "n_documents": int(len(docs)),
        "n_coders": len(all_coders) if len(docs) else len({c for s in sets.values() for c in s}),
        "n_spans": int(len(frame)),
        "n_ignored_empty": n_empty,
        "n_merged": n_merged,
        "reason": None,
    }
    if result["n_coders"] < 2:
        result["reason"] = REASON_ONE_CODER
        return result
    if docs.empty:
        result["reason"] = "no document was coded by two or more coders"
        return result
    total_length = float(docs["length"].sum())
    pair_weight = float((docs["m"] * (docs["m"] - 1) * docs["length"]).sum())
    coded_length = float((docs["m"] * docs["length"]).sum())
    sum_o = sum_e = 0.0
    for cat in cats:
        units = frame[frame["category"] == cat]
        entry = {
            "estimate": float("nan"),
            "observed_disagreement": float("nan"),
            "expected_disagreement": float("nan"),
            "n_spans": int(len(units)),
            "reason": None,
        }
        if units.empty:
            entry["reason"] = "no span of this category"
        else:
            d_o, d_e = _category_parts(units, docs, total_length, pair_weight, coded_length)
            entry["observed_disagreement"], entry["expected_disagreement"] = d_o, d_e
            if d_e > 0:
                entry["estimate"] = 1.0 - d_o / d_e
                sum_o += d_o
                sum_e += d_e
            else:
                entry["reason"] = "no variation: expected disagreement is 0"
        result["by_category"][str(cat)] = entry
    if sum_e > 0:
        result["estimate"] = 1.0 - sum_o / sum_e
        result["observed_disagreement"] = sum_o / len(cats)
        result["expected_disagreement"] = sum_e / len(cats)
    else:
        result["reason"] = "no spans" if frame.empty else "no variation: expected disagreement is 0"
    return result


def span_f1(
    spans: pd.DataFrame,
    mode: str = "exact",
    coders: Mapping | None = None,
    lengths: Mapping | None = None,
) -> pd.DataFrame:
    """Pairwise span F1 between coders, per category and over all categories.

    ``mode="exact"``: a span matches when the other coder has a span of the same category
    with the same start and end; ``"overlap"``: when they share at least one character.
    With A's and B's spans, precision = matched B spans / B spans, recall = matched A
    spans / A spans, F1 = 2PR / (P + R) (symmetric in A and B). Only documents both
    coders coded count. Returns ``coder_a, coder_b, category, n_a, n_b, f1``.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError("mode must be 'exact' or 'overlap'")
    frame = spans[SPAN_COLUMNS].copy()
    frame = frame[frame["end"] > frame["start"]]
    docs = (
        list(lengths)
        if lengths is not None
        else sorted(pd.unique(frame["document"]).tolist(), key=str)
    )
    sets = _coder_sets(frame, dict.fromkeys(docs, 0), coders)
    everyone = sorted({c for s in sets.values() for c in s}, key=str)
    rows = []
    frame = frame.reset_index(drop=True).assign(sid=lambda f: np.arange(len(f)))
    for i, a in enumerate(everyone):
        for b in everyone[i + 1 :]:
            shared = [d for d in docs if a in sets[d] and b in sets[d]]
            sa = frame[(frame["coder"] == a) & frame["document"].isin(shared)]
            sb = frame[(frame["coder"] == b) & frame["document"].isin(shared)]
            pairs = sa.merge(sb, on=["document", "category"], suffixes=("_a", "_b"))
            if mode == "exact":
                hit = (pairs["start_a"] == pairs["start_b"]) & (pairs["end_a"] == pairs["end_b"])
            else:
                hit = (pairs["start_a"] < pairs["end_b"]) & (pairs["start_b"] < pairs["end_a"])
            pairs = pairs[hit]
            for cat in [
                None,
                *sorted(pd.unique(pd.concat([sa["category"], sb["category"]])).tolist(), key=str),
            ]:
                ca = sa if cat is None else sa[sa["category"] == cat]
                cb = sb if cat is None else sb[sb["category"] == cat]
                cp = pairs if cat is None else pairs[pairs["category"] == cat]
                n_a, n_b = len(ca), len(cb)
                recall = cp["sid_a"].nunique() / n_a if n_a else float("nan")
                precision = cp["sid_b"].nunique() / n_b if n_b else float("nan")
                if n_a == 0 and n_b == 0:
                    f1 = float("nan")
                elif precision + recall == 0 or np.isnan(precision) or np.isnan(recall):
                    f1 = 0.0
                else:
                    f1 = 2 * precision * recall / (precision + recall)
                rows.append(
                    {
                        "coder_a": a,
                        "coder_b": b,
                        "category": "all" if cat is None else cat,
                        "n_a": n_a,
                        "n_b": n_b,
                        "f1": float(f1),
                    }
                )
    return pd.DataFrame(rows, columns=["coder_a", "coder_b", "category", "n_a", "n_b", "f1"])


def presence_indicators(
    spans: pd.DataFrame,
    documents: Sequence,
    coders: Mapping | None = None,
    categories: Sequence | None = None,
) -> dict[str, pd.DataFrame]:
    """Per category, a documents x coders table: 1.0 if the coder marked at least one span
    of that category in the document, 0.0 if not, NaN if the coder did not code it."""
    sets = _coder_sets(spans, dict.fromkeys(documents, 0), coders)
    everyone = sorted({c for s in sets.values() for c in s}, key=str)
    coded = pd.DataFrame(
        [[1.0 if c in sets[d] else np.nan for c in everyone] for d in documents],
        index=pd.Index(list(documents), name="document"),
        columns=everyone,
        dtype=float,
    )
    frame = spans[spans["end"] > spans["start"]]
    cats = (
        list(categories)
        if categories is not None
        else sorted(pd.unique(frame["category"]).tolist(), key=str)
    )
    out = {}
    for cat in cats:
        marked = frame[frame["category"] == cat].groupby(["document", "coder"]).size()
        marked = (marked > 0).astype(float).unstack("coder")
        marked = marked.reindex(index=coded.index, columns=coded.columns).fillna(0.0)
        out[str(cat)] = coded * 0.0 + marked  # NaN where the coder did not code the document
    return out


def presence_alpha(table: pd.DataFrame) -> dict:
    """Nominal alpha of a presence table from :func:`presence_indicators`."""
    values = table.to_numpy(dtype=float)
    codes = np.where(np.isnan(values), -1, values).astype(np.int64)
    return alpha_coded(Coded(codes, (0.0, 1.0), table.index, tuple(table.columns)), "nominal")


def match_spans(spans: pd.DataFrame) -> pd.Series:
    """Group spans of different coders that mark the same passage.

    Within a document and category, candidate pairs are spans of two different coders that
    overlap; they are taken greedily by decreasing overlap ratio (intersection over union,
    ties by position) and joined into one matched unit unless that would give a coder two
    spans in it. Returns a unit id per span (aligned with ``spans``' index); unmatched spans
    get a unit of their own.
    """
    frame = spans[SPAN_COLUMNS].reset_index(drop=True)
    n = len(frame)
    f = frame.assign(sid=np.arange(n))
    pairs = f.merge(f, on=["document", "category"], suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["sid_a"] < pairs["sid_b"])
        & (pairs["coder_a"] != pairs["coder_b"])
        & (pairs["start_a"] < pairs["end_b"])
        & (pairs["start_b"] < pairs["end_a"])
    ]
    inter = np.minimum(pairs["end_a"], pairs["end_b"]) - np.maximum(
        pairs["start_a"], pairs["start_b"]
    )
    union = np.maximum(pairs["end_a"], pairs["end_b"]) - np.minimum(
        pairs["start_a"], pairs["start_b"]
    )
    pairs = pairs.assign(iou=inter / union.clip(lower=1)).sort_values(
        ["iou", "sid_a", "sid_b"], ascending=[False, True, True]
    )
    parent = np.arange(n)
    coder_of = frame["coder"].to_numpy()
    members: dict[int, set] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(pairs["sid_a"].to_numpy(), pairs["sid_b"].to_numpy(), strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra == rb:
            continue
        set_a = members.get(ra) or {coder_of[ra]}
        set_b = members.pop(rb, None) or {coder_of[rb]}
        if set_a & set_b:
            members[rb] = set_b
            continue
        parent[rb] = ra
        members[ra] = set_a | set_b
    ids = np.array([root(i) for i in range(n)])
    return pd.Series(ids, index=spans.index, name="unit")
