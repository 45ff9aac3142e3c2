"""Agreement for every variable of a study, from the tidy annotation table.

Input is the tidy table of docs/CONTRACTS.md (one row per article, coder, variable, value)
and the schema registry records (``variable``, ``level``, ``metric``, ``values``,
``missing_values``, ``multiple``, ``labels``). Each variable gets the metric the registry
names:

* ``alpha_nominal`` / ``alpha_ordinal``: alpha over articles; for ordinal variables the
  registry's ``missing_values`` (e.g. ``NA``) count as missing and ``values`` give the order;
* ``alpha_masi``: set-valued alpha with the MASI distance, plus one binary alpha per value
  (``category`` = the value);
* ``unitizing_alpha``: alpha_U pooled and per span label (needs document lengths), the
  presence alpha per label ("did the coder mark any span of this label in the article?")
  and pairwise span F1 (exact and overlap; mean over coder pairs);
* ``alpha_nominal_matched_spans``: spans of the attribute's labels are matched across coders
  (:func:`framestudy.analysis.unitizing.match_spans`) and alpha is computed over matched
  spans (MASI when the attribute allows several values).

A coder counts as having coded an article when the table has any row of theirs for it; a
variable they left unanswered on such an article is missing for them (Label Studio does
not record "nothing chosen", so an unanswered question is not an empty answer).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from framestudy.analysis import kappa
from framestudy.analysis.alpha import set_value_alphas, to_coded
from framestudy.analysis.data import AgreementInputError, Coded, check_n_boot
from framestudy.analysis.diagnostics import disagreements
from framestudy.analysis.json_report import alpha_entry
from framestudy.analysis.unitizing import (
    match_spans,
    presence_alpha,
    presence_indicators,
    span_f1,
    unitizing_alpha,
)

RESULT_COLUMNS = [
    "variable",
    "dimension",
    "metric",
    "category",
    "outlet",
    "estimate",
    "ci_low",
    "ci_high",
    "p_below_0_667",
    "p_below_0_800",
    "percent_agreement",
    "gwet_ac1",
    "n_units",
    "n_coders",
    "n_pairable_values",
    "reason",
    "ci_warning",
]
ALL = "all"


def _wide(rows: pd.DataFrame, index: str) -> pd.DataFrame:
    """Units x coders table of ``rows[value]``; cells of coders who coded the article but
    gave no value stay NaN."""
    wide = rows.drop_duplicates([index, "coder"], keep="last").pivot(
        index=index, columns="coder", values="value"
    )
    wide.columns.name = None
    return wide.astype(object).where(wide.notna(), np.nan)


def _single_values(rows: pd.DataFrame, key: str) -> tuple[pd.DataFrame, int]:
    """Rows with one value per (key, coder); conflicting values become missing."""
    n_values = rows.groupby([key, "coder"])["value"].transform("nunique")
    conflicts = rows[n_values > 1].drop_duplicates([key, "coder"])
    clean = rows[n_values == 1]
    return clean, int(len(conflicts))


def _sets(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Units x coders table of frozensets (each distinct set is built once, via bit masks)."""
    rows = rows.drop_duplicates([key, "coder", "value"])
    codes, uniques = pd.factorize(rows["value"])
    bits = pd.Series(np.left_shift(1, codes.astype(object)), index=rows.index)
    masks = bits.groupby([rows[key], rows["coder"]]).sum()
    lookup = {
        mask: frozenset(uniques[i] for i in range(len(uniques)) if (int(mask) >> i) & 1)
        for mask in pd.unique(masks.to_numpy())
    }
    wide = masks.map(lookup).unstack("coder")
    wide.columns.name = None
    return wide.astype(object).where(wide.notna(), np.nan)


def _text(value) -> str:
    """A reason as text: ``""`` for an absent one (None, NaN or pd.NA, which is what a
    missing string becomes after a trip through a pandas 3 string column)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _row(record: Mapping, metric: str, category: str = "", outlet: str = ALL, **values) -> dict:
    """One result row. Every row of :func:`study_agreement` is made here, so this is where
    ``reason`` is made a string (empty when there is nothing to say), whatever the
    coefficient function or pandas handed over."""
    row = dict.fromkeys(RESULT_COLUMNS, np.nan)
    row.update(
        variable=record["variable"],
        dimension=record.get("dimension", ""),
        metric=metric,
        category=category,
        outlet=outlet,
    )
    row.update({k: v for k, v in values.items() if k in RESULT_COLUMNS})
    for column in ("variable", "dimension", "metric", "category", "outlet", "reason",
                   "ci_warning"):
        row[column] = _text(row[column])
    return row


def _alpha_row(
    record: Mapping,
    metric_name: str,
    coded: Coded,
    metric,
    n_boot: int,
    seed: int | None,
    category: str = "",
    outlet: str = ALL,
    companions: bool = True,
) -> dict:
    entry = alpha_entry(coded, metric, n_boot, seed)
    counts = coded.values_per_unit
    values = {
        "estimate": entry["estimate"],
        "ci_low": entry["ci_low"],
        "ci_high": entry["ci_high"],
        "p_below_0_667": entry.get("p_below_0_667", np.nan),
        "p_below_0_800": entry.get("p_below_0_800", np.nan),
        "n_units": int((counts >= 1).sum()),
        "n_coders": int(((coded.codes >= 0).sum(axis=0) > 0).sum()),
        "n_pairable_values": int(counts[counts >= 2].sum()),
        "reason": entry.get("reason", ""),
        "ci_warning": entry.get("ci_warning", ""),
    }
    if companions:
        values["percent_agreement"] = kappa.percent_agreement(coded)["estimate"]
        if coded.n_categories >= 2:
            values["gwet_ac1"] = kappa.gwet_ac(coded)["estimate"]
    return _row(record, metric_name, category, outlet, **values)


def _by_outlet(
    record: Mapping,
    metric_name: str,
    coded: Coded,
    metric,
    outlets: pd.Series,
    n_boot: int,
    seed: int | None,
) -> list[dict]:
    labels = outlets.reindex(coded.units).fillna("unknown").astype(str).to_numpy()
    rows = []
    for outlet in sorted(set(labels)):
        sub = coded.subset(units=labels == outlet)
        rows.append(_alpha_row(record, metric_name, sub, metric, n_boot, seed, outlet=outlet))
    return rows


def _document_variable(
    record: Mapping, split: _Split, outlets: pd.Series | None, n_boot: int, seed: int | None
) -> list[dict]:
    rows = _by_variable(split, record["variable"])
    level = record.get("level", "nominal")
    values = [str(v) for v in record.get("values", [])]
    if record.get("multiple") or level == "set":
        wide = _sets(rows, "article_id")
        coded = to_coded(wide, "masi")
        out = [_alpha_row(record, "alpha_masi", coded, "masi", n_boot, seed, companions=False)]
        for entry in set_value_alphas(wide, values).itertuples():
            out.append(
                _row(
                    record,
                    "alpha_nominal_binary",
                    category=str(entry.value),
                    estimate=entry.estimate,
                    n_units=entry.n_units,
                    n_coders=coded.codes.shape[1],
                    n_pairable_values=entry.n_pairable_values,
                    reason=entry.reason,
                )
            )
        if outlets is not None:
            out += _by_outlet(record, "alpha_masi", coded, "masi", outlets, n_boot, seed)
        return out
    missing = {str(v) for v in record.get("missing_values", [])} if level == "ordinal" else set()
    rows = rows[~rows["value"].isin(missing)]
    rows, n_conflicts = _single_values(rows, "article_id")
    known = set(values) | missing
    unknown = sorted(set(rows["value"]) - known)
    rows = rows[rows["value"].isin(values)]
    wide = _wide(rows, "article_id")
    metric = "ordinal" if level == "ordinal" else "nominal"
    coded = to_coded(wide, metric, categories=values)
    row = _alpha_row(record, f"alpha_{metric}", coded, metric, n_boot, seed)
    notes = []
    if n_conflicts:
        notes.append(f"{n_conflicts} coder answers with two values treated as missing")
    if unknown:
        notes.append(f"values not in the schema ignored: {', '.join(unknown)}")
    if notes:
        row["reason"] = "; ".join([r for r in [row["reason"], *notes] if r])
    out = [row]
    if outlets is not None:
        out += _by_outlet(record, f"alpha_{metric}", coded, metric, outlets, n_boot, seed)
    return out


def _span_rows(split: _Split) -> pd.DataFrame:
    spans = _by_variable(split, "span")
    spans = spans[spans["span_start"].notna() & spans["span_end"].notna()]
    return pd.DataFrame(
        {
            "document": spans["article_id"].to_numpy(),
            "coder": spans["coder"].to_numpy(),
            "category": spans["value"].to_numpy(),
            "start": spans["span_start"].astype(float).astype(np.int64).to_numpy(),
            "end": spans["span_end"].astype(float).astype(np.int64).to_numpy(),
            "span_id": spans["span_id"].astype(str).to_numpy(),
        }
    )


def _unitizing_row(
    record: Mapping, result: Mapping, entry: Mapping | None = None, extra_reason: str = "",
    **where: str,
) -> dict:
    """A ``unitizing_alpha`` row from :func:`unitizing_alpha`'s ``result``: the pooled
    alpha_U, or one label's (``entry``, from ``result["by_category"]``)."""
    part = result if entry is None else entry
    return _row(
        record,
        "unitizing_alpha",
        estimate=part["estimate"],
        ci_low=part["ci_low"],
        ci_high=part["ci_high"],
        reason="; ".join(r for r in [_text(part["reason"]), extra_reason] if r),
        n_units=result["n_documents"],
        n_coders=result["n_coders"],
        n_pairable_values=part["n_spans"],
        **where,
    )


def _span_variable(
    record: Mapping,
    split: _Split,
    coders: Mapping,
    lengths: Mapping | None,
    outlets: pd.Series | None,
    n_boot: int,
    seed: int | None,
) -> list[dict]:
    spans = _span_rows(split)
    labels = [str(v) for v in (record.get("labels") or record.get("values") or [])]
    articles = list(coders)
    out = []
    if lengths is None:
        known = {}
        reason = "document lengths unknown (tasks/tasks.json is missing)"
    else:
        known = {a: lengths[a] for a in articles if a in lengths}
        missing = len(articles) - len(known)
        reason = f"{missing} articles without a known length left out" if missing else ""
    if known:
        res = unitizing_alpha(spans, known, coders, labels, n_boot=n_boot, seed=seed)
        out.append(_unitizing_row(record, res, extra_reason=reason))
        for cat, entry in res["by_category"].items():
            out.append(_unitizing_row(record, res, entry, category=cat))
        if outlets is not None:
            doc_outlet = outlets.reindex(list(known)).fillna("unknown").astype(str)
            for outlet in sorted(set(doc_outlet)):
                docs = {d: known[d] for d in doc_outlet.index[doc_outlet == outlet]}
                sub = unitizing_alpha(
                    spans[spans["document"].isin(list(docs))], docs, coders, labels,
                    n_boot=n_boot, seed=seed,
                )
                out.append(_unitizing_row(record, sub, outlet=outlet))
    else:
        out.append(_row(record, "unitizing_alpha", reason=reason or "no articles"))
    for cat, table in presence_indicators(spans, articles, coders, labels).items():
        res = presence_alpha(table)
        out.append(
            _row(
                record,
                "alpha_nominal_presence",
                category=cat,
                estimate=res["estimate"],
                reason=res["reason"],
                n_units=res["n_units"],
                n_coders=table.shape[1],
                n_pairable_values=res["n_pairable_values"],
            )
        )
    for mode in ("exact", "overlap"):
        table = span_f1(spans, mode, coders, dict.fromkeys(articles, 0))
        overall = table[table["category"] == "all"]
        estimate = float(overall["f1"].mean()) if len(overall) else np.nan
        if not len(overall):
            f1_reason = "fewer than two coders"
        elif np.isnan(estimate):
            f1_reason = "no spans in an article coded by two coders"
        else:
            f1_reason = ""
        out.append(
            _row(
                record,
                f"span_f1_{mode}",
                estimate=estimate,
                n_units=len(articles),
                n_coders=len({c for s in coders.values() for c in s}),
                n_pairable_values=len(spans),
                reason=f1_reason,
            )
        )
    return out


def _matched_spans(split: _Split) -> pd.DataFrame:
    """All spans with the matched unit each belongs to (matching is per category, so it
    can be done once for all attributes)."""
    spans = _span_rows(split).drop_duplicates(["document", "coder", "span_id"])
    spans = spans.reset_index(drop=True)
    return spans.assign(unit=match_spans(spans).to_numpy())


def _attribute_variable(
    record: Mapping,
    split: _Split,
    spans: pd.DataFrame,
    outlets: pd.Series | None,
    n_boot: int,
    seed: int | None,
) -> list[dict]:
    labels = {str(v) for v in (record.get("labels") or [])}
    if labels:
        spans = spans[spans["category"].isin(labels)]
    attr = _by_variable(split, record["variable"])
    attr = attr[attr["span_id"].notna()]
    attr = attr.assign(span_id=attr["span_id"].astype(str))
    # a span is (article, coder, span id): Label Studio's ids are random, but a table made
    # by hand may reuse them across articles
    attr = attr.merge(
        spans[["coder", "span_id", "unit", "document"]],
        left_on=["article_id", "coder", "span_id"],
        right_on=["document", "coder", "span_id"],
        how="inner",
    )
    multiple = bool(record.get("multiple"))
    values = [str(v) for v in record.get("values", [])]
    if multiple:
        wide = _sets(attr, "unit")
        metric, name = "masi", "alpha_masi_matched_spans"
        coded = to_coded(wide, metric)
    else:
        attr, _ = _single_values(attr, "unit")
        attr = attr[attr["value"].isin(values)]
        wide = _wide(attr, "unit")
        metric, name = "nominal", "alpha_nominal_matched_spans"
        coded = to_coded(wide, metric, categories=values)
    out = [_alpha_row(record, name, coded, metric, n_boot, seed, companions=not multiple)]
    if outlets is not None and len(wide):
        unit_doc = spans.drop_duplicates("unit").set_index("unit")["document"]
        unit_outlet = unit_doc.map(outlets)
        out += _by_outlet(record, name, coded, metric, unit_outlet, n_boot, seed)
    return out


def study_agreement(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping] | pd.DataFrame,
    lengths: Mapping | None = None,
    by: str | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """One row per variable (and per category, and per outlet with ``by="outlet"``).

    ``annotations`` is the tidy table of docs/CONTRACTS.md (long: one row per article,
    coder, variable and value; the columns ``article_id, coder, variable, value``, and
    ``span_id, span_start, span_end`` for span variables, ``outlet`` for ``by="outlet"``).
    ``registry`` is the schema's registry, as records (``schemas/registry.json``) or the
    DataFrame of ``Schema.registry()``. ``lengths`` maps article ids to text length (for
    unitizing alpha). Each variable gets the coefficient its registry ``metric`` names,
    whose formula and source are in that function's docstring:

    * ``alpha_nominal``, ``alpha_ordinal``: :func:`~framestudy.analysis.alpha.krippendorff_alpha`
      (Krippendorff 2011, pp. 3-6) over articles with a units bootstrap CI
      (:func:`~framestudy.analysis.bootstrap.bootstrap_alpha`), plus
      :func:`~framestudy.analysis.kappa.percent_agreement` and
      :func:`~framestudy.analysis.kappa.gwet_ac` (AC1; Gwet 2008, eq. 14);
    * ``alpha_masi``: alpha with Passonneau's (2006, p. 832) MASI distance and a binary
      nominal alpha per value (:func:`~framestudy.analysis.alpha.set_value_alphas`);
    * ``unitizing_alpha``: :func:`~framestudy.analysis.unitizing.unitizing_alpha`
      (Krippendorff 2004, pp. 251-256) pooled and per label, the presence alpha per label
      and span F1;
    * ``alpha_nominal_matched_spans``: alpha over spans matched across coders
      (:func:`~framestudy.analysis.unitizing.match_spans`).

    Columns:
    ``variable, dimension, metric, category, outlet, estimate, ci_low, ci_high,
    p_below_0_667, p_below_0_800, percent_agreement, gwet_ac1, n_units, n_coders,
    n_pairable_values, reason, ci_warning`` (``outlet`` = "all" for the whole study,
    ``category`` empty for the variable as a whole; ``reason`` says why an estimate is
    missing; ``ci_warning`` why alpha's CI and P(alpha < ...) should not be trusted, from
    :func:`~framestudy.analysis.interval_warning.interval_warning`). ``progress``
    is called with each variable's id once it is done.

    Raises :class:`~framestudy.analysis.data.AgreementInputError` for a missing column, a
    registry record without ``variable``, ``by`` other than None or "outlet", ``n_boot``
    < 0, or span offsets that are not offsets (see
    :func:`~framestudy.analysis.unitizing.check_spans`).
    """
    if by not in (None, "outlet"):
        raise AgreementInputError(f"by must be None or 'outlet', not {by!r}")
    check_n_boot(n_boot)
    registry = registry_records(registry)
    _check_columns(annotations, registry, by)
    ann = _prepare(annotations)
    pairs = ann[["article_id", "coder"]].drop_duplicates().sort_values(["article_id", "coder"])
    coders: dict = {}
    for article, coder in zip(
        pairs["article_id"].to_numpy(), pairs["coder"].to_numpy(), strict=True
    ):
        coders.setdefault(article, []).append(coder)
    outlets = None
    if by == "outlet":
        outlets = ann.drop_duplicates("article_id").set_index("article_id")["outlet"].astype(str)
    rows: list[dict] = []
    matched = None
    split = _Split(ann)
    for record in registry:
        kind = record.get("kind", "document")
        metric = record.get("metric", "")
        if kind == "span_label" or metric == "unitizing_alpha":
            rows += _span_variable(record, split, coders, lengths, outlets, n_boot, seed)
        elif kind == "span_attribute" or metric == "alpha_nominal_matched_spans":
            if matched is None:
                matched = _matched_spans(split)
            rows += _attribute_variable(record, split, matched, outlets, n_boot, seed)
        else:
            rows += _document_variable(record, split, outlets, n_boot, seed)
        if progress is not None:
            progress(str(record["variable"]))
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return frame


TIDY_COLUMNS = ("article_id", "coder", "variable", "value")
SPAN_COLUMNS = ("span_id", "span_start", "span_end")


def registry_records(registry: Sequence[Mapping] | pd.DataFrame) -> list[dict]:
    """The registry as a list of records, from records or the DataFrame of
    ``Schema.registry()`` (a field a record does not have is dropped, not NaN). Raises
    :class:`~framestudy.analysis.data.AgreementInputError` for a record without
    ``variable``."""
    if isinstance(registry, pd.DataFrame):
        records = [
            {k: v for k, v in record.items() if not (np.isscalar(v) and pd.isna(v))}
            for record in registry.to_dict("records")
        ]
    elif isinstance(registry, (Mapping, str, bytes)):
        raise AgreementInputError(
            "registry must be a list of variable records (schemas/registry.json) or the "
            "DataFrame of Schema.registry()"
        )
    else:
        records = [dict(r) if isinstance(r, Mapping) else r for r in registry]
    for i, record in enumerate(records):
        if not isinstance(record, Mapping) or "variable" not in record:
            raise AgreementInputError(
                f"registry record {i + 1} has no 'variable' -- rebuild the registry with "
                "`framestudy schema build`"
            )
    return records


def _check_columns(annotations: pd.DataFrame, registry: list[dict], by: str | None) -> None:
    """The tidy table's columns this study needs, each missing one named."""
    if not isinstance(annotations, pd.DataFrame):
        raise AgreementInputError(
            f"annotations must be the tidy annotation table (a DataFrame), not "
            f"{type(annotations).__name__} -- read it with framestudy.annotations.read_tidy"
        )
    needed = list(TIDY_COLUMNS)
    if any(
        r.get("kind", "document") != "document"
        or r.get("metric") in ("unitizing_alpha", "alpha_nominal_matched_spans")
        for r in registry
    ):
        needed += SPAN_COLUMNS
    if by == "outlet":
        needed.append("outlet")
    missing = [c for c in needed if c not in annotations.columns]
    if missing:
        raise AgreementInputError(
            f"the annotation table has no {missing[0]!r} column -- pass the tidy table of "
            "docs/CONTRACTS.md (framestudy.annotations.read_tidy)"
        )


def _prepare(annotations: pd.DataFrame) -> pd.DataFrame:
    ann = annotations.copy()
    for column in ("value", "coder", "article_id", "variable"):
        ann[column] = ann[column].astype(str).astype(object)
    return ann


class _Split:
    """The tidy table split by variable once (filtering 600,000 rows per variable is slow)."""

    def __init__(self, ann: pd.DataFrame):
        self.parts = {v: g for v, g in ann.groupby("variable", sort=False)}
        self.empty = ann.iloc[:0]


def _by_variable(split: _Split, variable: str) -> pd.DataFrame:
    return split.parts.get(variable, split.empty)


def study_disagreements(
    annotations: pd.DataFrame, registry: Sequence[Mapping] | pd.DataFrame
) -> pd.DataFrame:
    """Ranked disagreements of every article-level variable, for adjudication.

    Columns: ``variable``, ``article_id`` and those of
    :func:`framestudy.analysis.diagnostics.disagreements` (``values`` says who said what);
    within each variable the most disagreeing articles come first. ``annotations`` and
    ``registry`` as in :func:`study_agreement`.
    """
    registry = registry_records(registry)
    _check_columns(
        annotations, [r for r in registry if r.get("kind", "document") == "document"], None
    )
    split = _Split(_prepare(annotations))
    frames = []
    for record in registry:
        if record.get("kind", "document") != "document":
            continue
        rows = _by_variable(split, record["variable"])
        level = record.get("level", "nominal")
        values = [str(v) for v in record.get("values", [])]
        if record.get("multiple") or level == "set":
            table, metric, cats = _sets(rows, "article_id"), "masi", None
        else:
            missing = (
                {str(v) for v in record.get("missing_values", [])} if level == "ordinal" else set()
            )
            rows, _ = _single_values(rows[~rows["value"].isin(missing)], "article_id")
            table = _wide(rows[rows["value"].isin(values)], "article_id")
            metric, cats = ("ordinal" if level == "ordinal" else "nominal"), values
        if table.empty:
            continue
        ranked = disagreements(to_coded(table, metric, cats), metric)
        ranked = ranked[["unit", "n_values", "n_distinct", "disagreement", "majority", "values"]]
        frames.append(
            ranked.rename(columns={"unit": "article_id"}).assign(variable=record["variable"])
        )
    columns = [
        "variable",
        "article_id",
        "n_values",
        "n_distinct",
        "disagreement",
        "majority",
        "values",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


#: the columns of :func:`articles_to_adjudicate`
ADJUDICATION_ORDER_COLUMNS = ["article_id", "rank", "disagreement", "n_variables", "variables"]


def articles_to_adjudicate(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping] | pd.DataFrame,
    articles: Collection[str] | None = None,
) -> pd.DataFrame:
    """The articles on which coders disagree, most disagreement first: the review list of
    ``framestudy adjudicate push`` (docs/adjudication.md).

    Built on :func:`study_disagreements` (the ranking of ``framestudy agreement
    --disagreements``): an article's ``disagreement`` is the sum over the article-level
    variables of its disagreement score there (each the mean pairwise distance over the
    expected disagreement D_e, Krippendorff 2011, p. 4), so an article on which coders are
    far apart on many questions comes before one with a single near miss;
    ``n_variables`` counts those variables, ``variables`` names them (registry order).
    Ties: more variables first, then ``article_id``. ``articles``: keep only these (e.g.
    the reliability sample); None keeps every multi-coded article. Articles on which every
    coder agrees are not listed. Columns :data:`ADJUDICATION_ORDER_COLUMNS`; ``rank``
    counts from 1.
    """
    ranked = study_disagreements(annotations, registry)
    if articles is not None:
        ranked = ranked[ranked["article_id"].astype(str).isin({str(a) for a in articles})]
    if ranked.empty:
        return pd.DataFrame(columns=ADJUDICATION_ORDER_COLUMNS)
    ranked = ranked.assign(article_id=ranked["article_id"].astype(str))
    grouped = ranked.groupby("article_id", sort=False)
    frame = pd.DataFrame({
        "disagreement": grouped["disagreement"].sum(),
        "n_variables": grouped["variable"].nunique(),
        "variables": grouped["variable"].agg(lambda v: ", ".join(dict.fromkeys(v))),
    }).reset_index()
    frame = frame.sort_values(["disagreement", "n_variables", "article_id"],
                              ascending=[False, False, True], kind="mergesort")
    frame["rank"] = range(1, len(frame) + 1)
    return frame[ADJUDICATION_ORDER_COLUMNS].reset_index(drop=True)
