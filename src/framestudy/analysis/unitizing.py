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
from framestudy.analysis.data import (
    AgreementInputError,
    Coded,
    check_confidence,
    check_n_boot,
    plain,
)

SPAN_COLUMNS = ["document", "coder", "category", "start", "end"]


def check_spans(spans: pd.DataFrame) -> None:
    """Raise :class:`~framestudy.analysis.data.AgreementInputError` unless ``spans`` is a
    DataFrame with the columns ``document, coder, category, start, end`` whose offsets are
    whole numbers, not negative, with ``end`` >= ``start`` (end exclusive). The message
    names the first row at fault and the column."""
    if not isinstance(spans, pd.DataFrame):
        raise AgreementInputError(
            f"spans must be a DataFrame, not {type(spans).__name__} -- one row per span with "
            "the columns document, coder, category, start, end"
        )
    missing = [c for c in SPAN_COLUMNS if c not in spans.columns]
    if missing:
        raise AgreementInputError(
            f"spans need the columns {', '.join(SPAN_COLUMNS)} (character offsets, end "
            f"exclusive) -- column {missing[0]!r} is missing"
        )
    offsets = {}
    for column in ("start", "end"):
        raw = spans[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AgreementInputError(
                f"span row {plain(spans.index[i])!r}: {column} {plain(raw.iloc[i])!r} is not a character "
                "offset -- offsets are whole numbers from 0"
            )
        offsets[column] = values
    reversed_ = offsets["end"] < offsets["start"]
    if reversed_.any():
        i = int(np.flatnonzero(reversed_)[0])
        raise AgreementInputError(
            f"span row {plain(spans.index[i])!r}: end {int(offsets['end'][i])} is before start "
            f"{int(offsets['start'][i])} -- end is exclusive and at least start; swap them "
            "if they were given the other way round"
        )


def _check_lengths(lengths: Mapping) -> None:
    given = list(lengths.values())
    values = pd.to_numeric(pd.Series(given, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        document = list(lengths)[i]
        raise AgreementInputError(
            f"document {plain(document)!r} has length {plain(given[i])!r} -- a length is the "
            "number of characters of the document's text, 0 or more"
        )


def _normalise(spans: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Drop zero-length spans, merge overlapping spans of one coder and category."""
    # a fresh index: one named like a column (set_index("document", drop=False)) is ambiguous
    frame = spans[SPAN_COLUMNS].reset_index(drop=True)
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


class _CategoryStats:
    """Per-document sums of one category from which D_o and D_e follow for any weighting
    of the documents (all ones: the data as they are; bootstrap counts: a resample).

    ``obs[d]``: document d's part of the D_o numerator, sum over ordered coder pairs of
    (b_g - b_h)^2 + (e_g - e_h)^2 for overlapping units and l^2 for a unit in the other
    coder's gap; ``f[d]``: sum of (2 l^3 - 3 l^2 + l) / 3 over its units (2 l^3 / 3 on a
    continuum); ``n[d]``: its number of units; ``s[d]``: sum of l (l - 1) (l^2 on a
    continuum). The term sum_units l^2 sum_{gaps G >= l} (G - l + 1) couples every unit
    with every gap of every document; it is kept as the units' and gaps' lengths and
    documents, with each unit's position among the sorted gaps.
    """

    def __init__(self, units: pd.DataFrame, docs: pd.DataFrame, continuous: bool):
        n_docs = len(docs)
        position = pd.Series(np.arange(n_docs), index=docs.index)
        doc = units["document"].map(position).to_numpy(dtype=np.int64)
        lengths = (units["end"] - units["start"]).to_numpy(dtype=float)
        m_doc = docs["m"].to_numpy(dtype=float)
        # observed: overlapping unit pairs of different coders (both orders from the merge)
        ids = units.assign(uid=np.arange(len(units)), pos=doc)
        pairs = ids.merge(ids, on="document", suffixes=("_a", "_b"))
        pairs = pairs[
            (pairs["coder_a"] != pairs["coder_b"])
            & (pairs["start_a"] < pairs["end_b"])
            & (pairs["start_b"] < pairs["end_a"])
        ]
        pair_sq = (pairs["start_a"] - pairs["start_b"]).to_numpy(dtype=float) ** 2 + (
            pairs["end_a"] - pairs["end_b"]
        ).to_numpy(dtype=float) ** 2
        # a unit inside another coder's gap: every other coder of the document without an
        # overlapping unit, counted for both orders of the pair
        overlapped_by = pairs.groupby("uid_a")["coder_b"].nunique()
        k = np.zeros(len(units))
        k[overlapped_by.index.to_numpy()] = overlapped_by.to_numpy()
        in_gap = 2.0 * lengths**2 * (m_doc[doc] - 1.0 - k)
        self.obs = np.bincount(
            pairs["pos_a"].to_numpy(dtype=np.int64), weights=pair_sq, minlength=n_docs
        ) + np.bincount(doc, weights=in_gap, minlength=n_docs)
        if continuous:
            f_u, s_u, self.gap_offset = 2.0 * lengths**3 / 3.0, lengths**2, lengths
        else:
            f_u = (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0
            s_u, self.gap_offset = lengths * (lengths - 1.0), lengths - 1.0
        self.f = np.bincount(doc, weights=f_u, minlength=n_docs)
        self.s = np.bincount(doc, weights=s_u, minlength=n_docs)
        self.n = np.bincount(doc, minlength=n_docs).astype(float)
        gap_len, gap_doc = _gaps(units, docs, position)
        order = np.argsort(gap_len, kind="stable")
        self.gap_len, self.gap_doc = gap_len[order], gap_doc[order]
        self.unit_len, self.unit_doc = lengths, doc
        # first gap (in sorted order) at least as long as each unit
        self.first_fit = np.searchsorted(self.gap_len, lengths, side="left")

    def parts(self, w: np.ndarray, docs: pd.DataFrame, continuous: bool) -> tuple:
        """(D_o, D_e) for document weights ``w`` (B x D): arrays of length B."""
        length = docs["length"].to_numpy(dtype=float)
        m = docs["m"].to_numpy(dtype=float)
        total_length = w @ length
        pair_weight = w @ (m * (m - 1.0) * length)
        coded_length = w @ (m * length)
        # sum over gaps G >= l of (G - l + 1), weighted by the gaps' documents
        gw = w[:, self.gap_doc]
        tail_count = np.concatenate(
            [np.cumsum(gw[:, ::-1], axis=1)[:, ::-1], np.zeros((len(w), 1))], axis=1
        )
        tail_sum = np.concatenate(
            [np.cumsum((gw * self.gap_len)[:, ::-1], axis=1)[:, ::-1], np.zeros((len(w), 1))],
            axis=1,
        )
        fit = tail_sum[:, self.first_fit] - self.gap_offset * tail_count[:, self.first_fit]
        cross = ((w[:, self.unit_doc] * self.unit_len**2) * fit).sum(axis=1)
        num = (w @ self.n - 1.0) * (w @ self.f) + cross
        den = coded_length * (coded_length if continuous else coded_length - 1.0) - w @ self.s
        # a replicate of empty documents only has total_length 0: D_o and D_e are NaN there
        with np.errstate(divide="ignore", invalid="ignore"):
            d_o = (w @ self.obs) / (total_length * pair_weight)
            d_e = np.where(den > 0, (2.0 / total_length) * num / den, np.nan)
        return d_o, d_e


def _gaps(units: pd.DataFrame, docs: pd.DataFrame, position: pd.Series) -> tuple:
    """Lengths and document positions of all gaps between one category's units, per coder
    and document (a coder with no unit in a document has the whole document as a gap)."""
    lengths, where = [], []
    have = units.groupby("document")["coder"].nunique().reindex(docs.index).fillna(0)
    empty = (docs["m"] - have).to_numpy(dtype=int)
    lengths.append(np.repeat(docs["length"].to_numpy(dtype=float), empty))
    where.append(np.repeat(np.arange(len(docs)), empty))
    if len(units):
        ordered = units.sort_values(["document", "coder", "start"])
        doc = ordered["document"].map(position).to_numpy(dtype=np.int64)
        coder = ordered["coder"].to_numpy()
        start = ordered["start"].to_numpy(dtype=float)
        end = ordered["end"].to_numpy(dtype=float)
        new = np.ones(len(ordered), dtype=bool)
        new[1:] = (doc[1:] != doc[:-1]) | (coder[1:] != coder[:-1])
        last = np.ones(len(ordered), dtype=bool)
        last[:-1] = new[1:]
        prev_end = np.where(new, 0.0, np.concatenate([[0.0], end[:-1]]))
        lengths += [start - prev_end, (docs["length"].to_numpy(dtype=float)[doc] - end)[last]]
        where += [doc, doc[last]]
    gap_len, gap_doc = np.concatenate(lengths), np.concatenate(where)
    keep = gap_len > 0
    return gap_len[keep], gap_doc[keep]


def _pooled(d_o: np.ndarray, d_e: np.ndarray) -> np.ndarray:
    """1 - sum D_o / sum D_e over the categories (columns) with D_e > 0, per row."""
    ok = d_e > 0
    sum_o = np.where(ok, d_o, 0.0).sum(axis=1)
    sum_e = np.where(ok, d_e, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sum_e > 0, 1.0 - sum_o / sum_e, np.nan)


def _percentile(reps: np.ndarray, confidence: float) -> tuple[float, float]:
    defined = reps[~np.isnan(reps)]
    if not defined.size:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(defined, [tail, 1.0 - tail])
    return float(low), float(high)


def unitizing_alpha(
    spans: pd.DataFrame,
    lengths: Mapping | pd.Series,
    coders: Mapping | None = None,
    categories: Sequence | None = None,
    *,
    continuous: bool = False,
    n_boot: int = 0,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> dict:
    """Krippendorff's unitizing alpha_U per category and pooled.

    For category c each coder's continuum (of length L, the documents' summed lengths) is
    cut into c-units and gaps; with m coders and N_c units of c,

    * D_o(c) = sum over ordered coder pairs and overlapping segment pairs of delta^2 /
      (m (m - 1) L^2), delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2 for two overlapping
      units, l_g^2 for a unit inside the other coder's gap, 0 otherwise;
    * D_e(c) = (2 / L) sum_units [(N_c - 1)(2 l^3 - 3 l^2 + l) / 3
      + l^2 sum_{gaps G >= l} (G - l + 1)] / (m L (m L - 1) - sum_units l (l - 1));
    * alpha_U(c) = 1 - D_o(c) / D_e(c); pooled: 1 - sum_c D_o(c) / sum_c D_e(c).

    Krippendorff (2004), *Content Analysis*, 2nd ed., Sage, section 12.4, pp. 251-256 (the
    form DKPro Agreement implements); units never straddle documents, and documents coded
    by different coders weight m (m - 1) and m L per document (module docstring).

    ``spans``: one row per span, columns ``document, coder, category, start, end``
    (character offsets, whole numbers from 0, end exclusive; other columns ignored).
    ``lengths``: {document: text length} (a Mapping or Series); spans of other documents
    are left out. ``coders``: {document: coders who coded it}, by default every coder
    everywhere. ``categories``: the categories to report (default: those in ``spans``).
    Raises :class:`~framestudy.analysis.data.AgreementInputError` for a missing column,
    a negative or non-whole offset, ``end`` < ``start``, a negative length, ``n_boot`` < 0
    or ``confidence`` outside (0, 1).

    Returns ``estimate`` (pooled), ``ci_low``, ``ci_high``, ``observed_disagreement``,
    ``expected_disagreement``, ``by_category`` ({category: {estimate, ci_low, ci_high,
    observed_disagreement, expected_disagreement, n_spans, reason}}), ``n_documents``,
    ``n_coders``, ``n_spans``, ``n_ignored_empty``, ``n_merged``, ``bootstrap`` and
    ``reason``. Undefined values are NaN with a reason.

    ``continuous=True`` treats offsets as points on a continuous line instead of counts
    of atomic positions (characters): D_e's terms become the limits of the discrete ones
    as the resolution grows, (2 l^3 - 3 l^2 + l) / 3 -> 2 l^3 / 3, G - l + 1 -> G - l and
    m L (m L - 1) - sum l (l - 1) -> (m L)^2 - sum l^2. This is the form of Krippendorff
    (1995), Sociological Methodology 25:47-76, whose example (p. 57) is given on a
    24-point scale; the default is the discrete form of Krippendorff (2004).

    ``n_boot`` > 0 adds a percentile bootstrap CI at ``confidence``: documents are drawn
    with replacement (as many as there are documents coded by two or more coders; a
    document drawn twice counts twice) and alpha_U is recomputed, pooled and per category
    (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 6 and 13; documents
    are the sampling units of a reliability sample). Randomness comes only from ``seed``.
    """
    check_spans(spans)
    check_n_boot(n_boot)
    check_confidence(confidence)
    lengths = (
        dict(pd.Series(lengths).items()) if not isinstance(lengths, Mapping) else dict(lengths)
    )
    _check_lengths(lengths)
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
        "ci_low": float("nan"),
        "ci_high": float("nan"),
        "observed_disagreement": float("nan"),
        "expected_disagreement": float("nan"),
        "by_category": {},
        "n_documents": int(len(docs)),
        "n_coders": len(all_coders) if len(docs) else len({c for s in sets.values() for c in s}),
        "n_spans": int(len(frame)),
        "n_ignored_empty": n_empty,
        "n_merged": n_merged,
        "bootstrap": None,
        "reason": None,
    }
    if result["n_coders"] < 2:
        result["reason"] = REASON_ONE_CODER
        return result
    if docs.empty:
        result["reason"] = "no document was coded by two or more coders"
        return result
    ones = np.ones((1, len(docs)))
    stats, d_o_all, d_e_all = {}, [], []
    for cat in cats:
        units = frame[frame["category"] == cat]
        entry = {
            "estimate": float("nan"),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "observed_disagreement": float("nan"),
            "expected_disagreement": float("nan"),
            "n_spans": int(len(units)),
            "reason": None,
        }
        if units.empty:
            entry["reason"] = "no span of this category"
        else:
            stats[cat] = _CategoryStats(units, docs, continuous)
            d_o, d_e = (float(x[0]) for x in stats[cat].parts(ones, docs, continuous))
            entry["observed_disagreement"], entry["expected_disagreement"] = d_o, d_e
            if d_e > 0:
                entry["estimate"] = 1.0 - d_o / d_e
                d_o_all.append(d_o)
                d_e_all.append(d_e)
            else:
                entry["reason"] = "no variation: expected disagreement is 0"
        result["by_category"][str(cat)] = entry
    if d_e_all:
        result["estimate"] = 1.0 - sum(d_o_all) / sum(d_e_all)
        result["observed_disagreement"] = sum(d_o_all) / len(cats)
        result["expected_disagreement"] = sum(d_e_all) / len(cats)
    else:
        result["reason"] = "no spans" if frame.empty else "no variation: expected disagreement is 0"
    if n_boot:
        _bootstrap(result, stats, docs, continuous, n_boot, seed, confidence)
    return result


_CHUNK_CELLS = 2_000_000


def _bootstrap(
    result: dict,
    stats: dict,
    docs: pd.DataFrame,
    continuous: bool,
    n_boot: int,
    seed: int | None,
    confidence: float,
) -> None:
    """Fill ``ci_low``/``ci_high`` (pooled and per category) from a document bootstrap."""
    n_docs = len(docs)
    info = {"method": "documents", "n": int(n_boot), "seed": seed, "confidence": confidence}
    result["bootstrap"] = info
    if n_docs < 2 or not stats:
        info["n_undefined"] = int(n_boot)
        info["reason"] = (
            "the bootstrap resamples documents and needs two or more" if n_docs < 2 else "no spans"
        )
        return
    rng = np.random.default_rng(seed)
    cells = max(n_docs + sum(s.gap_len.size + s.unit_len.size for s in stats.values()), 1)
    chunk = max(1, min(n_boot, _CHUNK_CELLS // cells))
    names = list(stats)
    d_o = np.empty((n_boot, len(names)))
    d_e = np.empty((n_boot, len(names)))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        w = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=size).astype(float)
        for j, cat in enumerate(names):
            d_o[start : start + size, j], d_e[start : start + size, j] = stats[cat].parts(
                w, docs, continuous
            )
    pooled = _pooled(d_o, d_e)
    result["ci_low"], result["ci_high"] = _percentile(pooled, confidence)
    info["n_undefined"] = int(np.isnan(pooled).sum())
    for j, cat in enumerate(names):
        with np.errstate(divide="ignore", invalid="ignore"):
            reps = np.where(d_e[:, j] > 0, 1.0 - d_o[:, j] / d_e[:, j], np.nan)
        entry = result["by_category"][str(cat)]
        entry["ci_low"], entry["ci_high"] = _percentile(reps, confidence)


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
        raise AgreementInputError(f"mode must be 'exact' or 'overlap', not {mode!r}")
    check_spans(spans)
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
    of that category in the document, 0.0 if not, NaN if the coder did not code it.
    ``spans`` as in :func:`unitizing_alpha`."""
    check_spans(spans)
    sets = _coder_sets(spans, dict.fromkeys(documents, 0), coders)
    everyone = sorted({c for s in sets.values() for c in s}, key=str)
    coded = pd.DataFrame(
        [[1.0 if c in sets[d] else np.nan for c in everyone] for d in documents],
        index=pd.Index(list(documents), name="document"),
        columns=everyone,
        dtype=float,
    )
    frame = spans[spans["end"] > spans["start"]].reset_index(drop=True)  # as in _normalise
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
    get a unit of their own. ``spans`` as in :func:`unitizing_alpha`.
    """
    check_spans(spans)
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
