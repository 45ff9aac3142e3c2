"""Krippendorff's unitizing alpha computed naively and exactly (fractions), straight from
the definition (Krippendorff 2004, Content Analysis, 2nd ed., section 12.4; the continuous
form of Krippendorff 1995), with the module docstring's rule for several documents: a
unit never straddles documents, L * sum_d m_d (m_d - 1) L_d and sum_d m_d L_d stand for
m (m - 1) L^2 and m L. Loops over coders, units and gaps; shares no code with
framestudy.analysis.unitizing. Used as the independent expectation of the tests in
test_unitizing_*.py."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def merged(intervals):
    """One coder's spans of one category: zero-length ones dropped, overlapping ones joined."""
    out = []
    for b, e in sorted((b, e) for b, e in intervals if e > b):
        if out and b < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


def category_parts(rows, lengths, coders, category, continuous=False):
    """(D_o, D_e) of one category as Fractions; ``rows``: (document, coder, category,
    start, end); ``lengths``: {document: length}; ``coders``: {document: [coders]} (only
    documents with two or more coders are passed)."""
    units = {}
    for d, c, k, b, e in rows:
        if k == category and d in lengths and c in coders[d]:
            units.setdefault((d, c), []).append((b, e))
    units = {key: merged(v) for key, v in units.items()}
    total = sum(Fraction(lengths[d]) for d in lengths)
    pair_weight = sum(len(coders[d]) * (len(coders[d]) - 1) * Fraction(lengths[d]) for d in lengths)
    if total == 0:  # only empty documents: nothing to disagree on, alpha undefined
        return None, None
    coded = sum(len(coders[d]) * Fraction(lengths[d]) for d in lengths)
    observed = Fraction(0)
    for d in lengths:
        for g in coders[d]:
            for h in coders[d]:
                if g == h:
                    continue
                mine, theirs = units.get((d, g), []), units.get((d, h), [])
                for b, e in mine:
                    over = [(b2, e2) for b2, e2 in theirs if b < e2 and b2 < e]
                    if over:
                        observed += sum((b - b2) ** 2 + (e - e2) ** 2 for b2, e2 in over)
                    else:
                        observed += (e - b) ** 2
                for b2, e2 in theirs:  # h's units inside g's gaps
                    if not any(b < e2 and b2 < e for b, e in mine):
                        observed += (e2 - b2) ** 2
    d_o = observed / (total * pair_weight)
    gaps = []
    for d in lengths:
        for c in coders[d]:
            edge = 0
            for b, e in units.get((d, c), []):
                gaps.append(b - edge)
                edge = e
            gaps.append(Fraction(lengths[d]) - edge)
    gaps = [g for g in gaps if g > 0]
    all_units = [e - b for v in units.values() for b, e in v]
    n_c = len(all_units)
    num = Fraction(0)
    for length in all_units:
        if continuous:
            own = Fraction(2 * length**3, 3)
            fit = sum(g - length for g in gaps if g >= length)
        else:
            own = Fraction(2 * length**3 - 3 * length**2 + length, 3)
            fit = sum(g - length + 1 for g in gaps if g >= length)
        num += (n_c - 1) * own + length**2 * fit
    if continuous:
        den = coded**2 - sum(Fraction(x) ** 2 for x in all_units)
    else:
        den = coded * (coded - 1) - sum(Fraction(x * (x - 1)) for x in all_units)
    d_e = 2 / total * num / den if den > 0 else None
    return d_o, d_e


def alpha(rows, lengths, coders=None, categories=None, continuous=False):
    """{"estimate", "by_category": {cat: (estimate, D_o, D_e)}, "d_o", "d_e"} with floats;
    NaN where undefined. ``coders`` default: everyone in ``rows`` on every document."""
    if coders is None:
        everyone = sorted({r[1] for r in rows}, key=str)
        coders = {d: everyone for d in lengths}
    keep = {d: lengths[d] for d in lengths if len(coders[d]) >= 2}
    if categories is None:
        categories = sorted({r[2] for r in rows if r[0] in keep and r[4] > r[3]}, key=str)
    by_cat, sum_o, sum_e = {}, Fraction(0), Fraction(0)
    for cat in categories:
        d_o, d_e = category_parts(rows, keep, coders, cat, continuous)
        if d_o is None:
            by_cat[cat] = (float("nan"), float("nan"), float("nan"))
        elif d_e is not None and d_e > 0:
            by_cat[cat] = (float(1 - d_o / d_e), float(d_o), float(d_e))
            sum_o, sum_e = sum_o + d_o, sum_e + d_e
        else:
            by_cat[cat] = (float("nan"), float(d_o), float("nan") if d_e is None else float(d_e))
    estimate = float(1 - sum_o / sum_e) if sum_e > 0 else float("nan")
    return {"estimate": estimate, "by_category": by_cat}


def bootstrap(rows, lengths, coders, categories, n_boot, seed, confidence, continuous=False):
    """Percentile interval by drawing documents with replacement (each replicate a new
    study of the drawn documents, a document drawn twice as two copies): pooled and per
    category, as {None: (low, high), cat: (low, high)}."""
    docs = [d for d in lengths if len(coders[d]) >= 2]
    draws = np.random.default_rng(seed).multinomial(
        len(docs), np.full(len(docs), 1.0 / len(docs)), size=n_boot
    )
    reps = {None: [], **{c: [] for c in categories}}
    for w in draws:
        new_rows, new_lengths, new_coders = [], {}, {}
        for d, times in zip(docs, w, strict=True):
            for k in range(int(times)):
                copy = (d, k)
                new_lengths[copy], new_coders[copy] = lengths[d], coders[d]
                new_rows += [(copy, *r[1:]) for r in rows if r[0] == d]
        res = alpha(new_rows, new_lengths, new_coders, categories, continuous)
        reps[None].append(res["estimate"])
        for c in categories:
            reps[c].append(res["by_category"][c][0])
    tail = (1 - confidence) / 2
    out = {}
    for key, values in reps.items():
        v = np.array(values, dtype=float)
        v = v[~np.isnan(v)]
        out[key] = tuple(np.quantile(v, [tail, 1 - tail])) if v.size else (np.nan, np.nan)
    return out
