"""Consensus values: one analysis value per article and variable, with its provenance.

Agreement (:mod:`framestudy.analysis.variable_agreement`) asks how far the coders can be
trusted; the outlet comparison needs one value per article to count. This module turns the
tidy annotation table (docs/CONTRACTS.md; one row per article, coder, variable and value)
and the schema registry (``schemas/registry.json``) into that value, and says where each
value came from, so that a reader can see how much of an analysis rests on disagreement.
Nothing here reads files; :func:`write_consensus` writes one.

The rule (the same for every kind of variable; see :func:`consensus`): each coder who coded
an article casts one vote per question, and the value a strict majority of them gave is the
analysis value. Combining several coders' judgements by majority vote is the usual way of
aggregating redundant annotations, but no page-citable source fixing these exact details
(the denominator, ties, "no answer" as a vote) was checked: the details are the project's
rule, stated here and in docs/outlets.md. Reliability is measured on what the coders gave
independently, before any such resolution (Krippendorff 2004, *Content Analysis*, 2nd ed.,
ch. 11, on reliability data from independently working coders); whether a variable's
consensus values may be used at all is the reliability gate's decision, not this module's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framestudy.analysis.data import AgreementInputError, is_missing
from framestudy.analysis.unitizing import match_spans
from framestudy.analysis.variable_agreement import registry_records
from framestudy.io import atomic_write_csv, atomic_write_text

#: the columns of :func:`consensus`'s result, in order
CONSENSUS_COLUMNS = [
    "article_id",
    "outlet",
    "variable",
    "category",
    "span_label",
    "span_start",
    "span_end",
    "value",
    "provenance",
    "n_coders",
    "n_agreeing",
    "values",
]
#: provenance, from the strongest to the weakest
ADJUDICATED, UNANIMOUS, MAJORITY, UNRESOLVED, SINGLE = (
    "adjudicated",
    "unanimous",
    "majority",
    "unresolved",
    "single",
)
PROVENANCES = (ADJUDICATED, UNANIMOUS, MAJORITY, UNRESOLVED, SINGLE)
#: the value of a per-value row (set-valued variables, span labels, set-valued attributes)
PRESENT, ABSENT = "present", "absent"
#: how the ``values`` column shows a coder who gave no value, or marked no such span
NO_ANSWER, NO_SPAN = "(none)", "(no span)"
_CONFLICT = "\x00conflict"  # a coder's vote of two values for a one-value question
_KEY = ["article_id", "variable", "category", "span_label", "span_start", "span_end"]
_CELL_COLUMNS = [*_KEY, "var_order", "cat_order", "coder", "vote", "shown"]
_ADJUDICATION_KEYS = ("category", "span_label", "span_start", "span_end")


def consensus(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping] | pd.DataFrame,
    adjudicated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One analysis value per article and variable (and per value, span label or matched
    span where the variable has several), with its provenance.

    ``annotations`` is the tidy table of docs/CONTRACTS.md (columns ``article_id, outlet,
    coder, variable, value``, and ``span_id, span_start, span_end`` when the registry has
    span variables); ``registry`` the schema's registry records (``schemas/registry.json``,
    :func:`framestudy.schema.registry_file.read_registry`) or ``Schema.registry()``.

    **Who votes.** A coder has coded an article when the table has any row of theirs for it;
    every such coder casts exactly one vote on each question of the article. A coder who
    left a question unanswered votes "no value" (Label Studio records no "nothing chosen",
    and the codebook tells coders to skip the other questions of an irrelevant article);
    a coder with two values for a one-value question votes for neither, and agrees with
    nobody. Values are taken as the table has them (``pull`` checked them against the
    schema); a scale's missing values (``NA``, "not addressed") are values like any other.

    **The rule.** With n = the number of coders of the article and k = the number of votes
    for the most frequent vote:

    * n = 1: the one coder's value, ``single``;
    * k = n >= 2: ``unanimous``;
    * k > n / 2 (a strict majority of the article's coders, not of those who answered):
      ``majority``;
    * otherwise (a tie, or no vote with more than half): ``unresolved``, ``value`` empty;
    * a row of ``adjudicated`` overrides all of these: its value, ``adjudicated``.

    "No value" is a vote like the others: when a majority gave none, the analysis value is
    empty (and the provenance says how many agreed on that). This is the project's rule
    (see the module docstring for what was and was not found in the literature).

    **What is a question.**

    * a one-value document variable (nominal, ordinal): the article's value;
    * a set-valued (multi-select) variable: one question per value of the registry (and any
      other value found), ``category`` = that value, each coder voting ``present`` if they
      chose it and ``absent`` if not (choosing nothing = every value absent);
    * the span label variable (``kind`` ``span_label``): one question per label,
      ``category`` = the label, ``present`` if the coder marked at least one span of that
      label in the article (zero-length spans do not count), else ``absent``;
    * a span attribute: spans of the attribute's labels are matched across coders by
      overlap (:func:`framestudy.analysis.unitizing.match_spans`); one question per matched
      span, identified by ``span_label`` and its extent ``span_start``/``span_end`` (the
      earliest start and latest end of the coders' spans in the match). The coders of the
      article vote, so a coder who did not mark the span votes "no value" (shown
      ``(no span)``): an attribute gets a value only where a majority of the article's
      coders marked the span. A set-valued attribute (e.g. ``blame_target``) gets one
      question per value, as set-valued variables do.

    Every article gets a row for every question, whether or not anyone answered it (span
    attributes: for every matched span); variables the registry does not list are left out.

    ``adjudicated``: an optional table of decisions, columns ``article_id, variable,
    value`` and, to address a per-value or per-span row, ``category``, ``span_label``,
    ``span_start``, ``span_end``. Each of its rows must address exactly one consensus row;
    its value (empty = no value) replaces the consensus value.

    Returns a DataFrame with the columns of :data:`CONSENSUS_COLUMNS`, one row per question,
    ordered by article, registry order of the variables, value order, span position:

    * ``article_id``, ``outlet`` (the article's outlet as the table gives it);
    * ``variable``: the registry's variable id (``span`` for the span label rows);
    * ``category``: the value (set-valued variables and attributes) or label (span rows)
      the row is about; empty for one-value questions;
    * ``span_label``, ``span_start``, ``span_end``: the matched span of a span-attribute
      row (offsets in characters, end exclusive); empty otherwise;
    * ``value``: the analysis value (``present``/``absent`` for per-value rows); empty when
      there is none;
    * ``provenance``: ``adjudicated``, ``unanimous``, ``majority``, ``unresolved`` or
      ``single``;
    * ``n_coders``: the coders of the article (the n above);
    * ``n_agreeing``: how many of them voted for ``value`` (for an unresolved row, the size
      of the largest group of equal votes; for an adjudicated row, how many voted as the
      adjudication decided);
    * ``values``: each coder's vote, ``coder=value`` joined by ``; `` in coder order, with
      ``(none)`` for no value, ``(no span)`` for a span the coder did not mark, and
      ``A|B`` for two values given to a one-value question.

    The result depends on nothing but the inputs: the same tables give the same rows.
    Raises :class:`~framestudy.analysis.data.AgreementInputError` for a missing column, a
    faulty registry record, or an ``adjudicated`` row that is malformed, repeated, or
    addresses no consensus row (or more than one).
    """
    records = registry_records(registry)
    cells, article_names, coder_names, outlet_of = _question_cells(annotations, records)
    if not len(cells):
        return pd.DataFrame(columns=CONSENSUS_COLUMNS)
    frame, cells = _decide(cells, coder_names)
    codes = frame["article_id"].to_numpy(dtype=np.int64)
    frame["article_id"] = pd.Series(article_names[codes], index=frame.index, dtype=object)
    if adjudicated is not None:
        _apply_adjudication(frame, cells, adjudicated, records)
    frame["outlet"] = pd.Series(outlet_of[codes], index=frame.index, dtype=object)
    for column in ("span_start", "span_end"):
        offsets = frame[column].to_numpy(dtype=np.int64)
        frame[column] = pd.arrays.IntegerArray(np.maximum(offsets, 0), offsets < 0)
    return frame[CONSENSUS_COLUMNS]


def _question_cells(annotations: pd.DataFrame, records: list[dict]):
    """Every coder's vote on every question of their articles (the rows :func:`_decide`
    decides), with articles and coders as integer codes numbered in sorted order; and the
    articles' names, the coders' names (by code) and each article's outlet (by code)."""
    _check_annotations(annotations, records)
    ann = _prepare(annotations)
    # Articles and coders as integer codes numbered in sorted order (the order the result
    # is sorted in): merging, grouping and sorting integers is much cheaper than strings.
    # The names come back in the result.
    article_codes, article_names = pd.factorize(ann["article_id"], sort=True)
    coder_codes, coder_names = pd.factorize(ann["coder"], sort=True)
    article_names = np.asarray(article_names, dtype=object)
    coder_names = np.asarray(coder_names, dtype=object)
    ann = ann.assign(article_id=article_codes, coder=coder_codes)
    pairs = ann[["article_id", "coder"]].drop_duplicates().sort_values(["article_id", "coder"])
    named = ann[ann["outlet"] != ""].drop_duplicates("article_id")
    outlet_of = np.full(len(article_names), "", dtype=object)
    outlet_of[named["article_id"].to_numpy()] = named["outlet"].to_numpy(dtype=object)
    parts = {v: g for v, g in ann.groupby("variable", sort=False)}
    empty = ann.iloc[:0]
    spans = matched = None
    cells = []
    for order, record in enumerate(records):
        variable = str(record["variable"])
        rows = parts.get(variable, empty)
        kind = record.get("kind", "document")
        if kind == "span_label" or record.get("metric") == "unitizing_alpha":
            spans = _spans(parts.get(variable, empty)) if spans is None else spans
            cells.append(_presence_cells(record, order, spans, pairs))
        elif kind == "span_attribute" or record.get("metric") == "alpha_nominal_matched_spans":
            if matched is None:
                span_variable = _span_variable(records)
                spans = _spans(parts.get(span_variable, empty)) if spans is None else spans
                matched = spans.assign(unit=match_spans(spans).to_numpy())
                matched = _unit_coders(matched, pairs)
            cells.append(_attribute_cells(record, order, rows, matched))
        elif record.get("multiple") or record.get("level") == "set":
            cells.append(_set_cells(record, order, rows, pairs))
        else:
            cells.append(_single_cells(record, order, rows, pairs))
    cells = [c for c in cells if len(c)]
    cells = (pd.concat(cells, ignore_index=True) if cells
             else pd.DataFrame(columns=_CELL_COLUMNS))
    return cells, article_names, coder_names, outlet_of


#: the columns of :func:`coder_votes`'s result
VOTE_COLUMNS = [*_KEY, "coder", "vote"]


def coder_votes(
    annotations: pd.DataFrame, registry: Sequence[Mapping] | pd.DataFrame
) -> pd.DataFrame:
    """Each coder's vote on each question of the articles they coded: the votes
    :func:`consensus` counts (its rule says who votes and what a question is), one row per
    question and coder, columns :data:`VOTE_COLUMNS`.

    ``article_id, variable, category, span_label, span_start, span_end`` address the
    question as the consensus table does (``span_start``/``span_end`` -1 when the question
    is not a span's); ``coder`` the coder's id; ``vote`` the coder's value (``present`` /
    ``absent`` for a per-value question), empty for no value, and ``A|B`` (never a value
    id) for two values given to a one-value question. Ordered by article, registry order of
    the variables, value order, span position and coder. Raises
    :class:`~framestudy.analysis.data.AgreementInputError` as :func:`consensus` does.
    """
    records = registry_records(registry)
    cells, article_names, coder_names, _ = _question_cells(annotations, records)
    if not len(cells):
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("span_start", "span_end")
                                          else object) for c in VOTE_COLUMNS})
    cells = cells.sort_values(["article_id", "var_order", "span_start", "span_end",
                               "span_label", "cat_order", "coder"], kind="stable")
    vote = cells["vote"].to_numpy(dtype=object).copy()
    conflict = vote == _CONFLICT
    vote[conflict] = cells["shown"].to_numpy(dtype=object)[conflict]
    out = pd.DataFrame({
        "article_id": article_names[cells["article_id"].to_numpy(dtype=np.int64)],
        "variable": cells["variable"].astype(str).to_numpy(dtype=object),
        "category": cells["category"].astype(str).to_numpy(dtype=object),
        "span_label": cells["span_label"].astype(str).to_numpy(dtype=object),
        "span_start": cells["span_start"].to_numpy(dtype=np.int64),
        "span_end": cells["span_end"].to_numpy(dtype=np.int64),
        "coder": coder_names[cells["coder"].to_numpy(dtype=np.int64)],
        "vote": vote,
    })
    return out.reset_index(drop=True)


def write_consensus(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write :func:`consensus`'s table as CSV (``analysis/consensus.csv``), atomically
    (:func:`framestudy.io.atomic_write_text`); empty values are empty cells: the bytes
    of :func:`framestudy.io.atomic_write_csv` (pandas' ``to_csv``), made faster
    (:func:`csv_text`). Returns the path."""
    missing = [c for c in CONSENSUS_COLUMNS if c not in frame.columns]
    if missing:
        raise AgreementInputError(
            f"not a consensus table: no {missing[0]!r} column -- write what "
            "framestudy.analysis.consensus.consensus returned"
        )
    frame = frame[CONSENSUS_COLUMNS]
    text = csv_text(frame)
    if text is None:  # a column csv_text does not write: pandas does
        return atomic_write_csv(path, frame)
    return atomic_write_text(path, text)


#: what makes the csv module quote a field (QUOTE_MINIMAL, line terminator "\n")
_QUOTED = (",", '"', "\n")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in _QUOTED) else text


def csv_text(frame: pd.DataFrame) -> str | None:
    """``frame.to_csv(index=False, lineterminator="\\n")``, the same text about 1.5 times
    faster for a table of text and integer columns such as the consensus table (334,000
    rows: 1.0 -> 0.45 s): each column made text at once, an integer once per distinct
    value, a field quoted as the csv module quotes it (with a comma, a quote or a line end,
    its quotes doubled), a missing value empty. None for a table it does not write the
    same way (any other column type, a carriage return in a text, a single column)."""
    if len(frame.columns) < 2:
        return None
    cells = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_integer_dtype(column.dtype):
            known = column.notna().to_numpy(dtype=bool)
            codes, unique = pd.factorize(column[known].to_numpy(dtype=np.int64))
            text = np.full(len(column), "", dtype=object)
            text[known] = np.array([str(n) for n in unique.tolist()], dtype=object)[codes]
            cells.append(text.tolist())
            continue
        if not (pd.api.types.is_object_dtype(column.dtype)
                or pd.api.types.is_string_dtype(column.dtype)):
            return None
        values = column.to_numpy(dtype=object)
        missing = pd.isna(values)
        if missing.any():
            values = values.copy()
            values[missing] = ""
        values = values.tolist()
        try:
            joined = "".join(values)  # (and a check that every value is a str)
        except TypeError:
            return None
        if "\r" in joined:
            return None
        cells.append([_quote(v) for v in values] if any(c in joined for c in _QUOTED)
                     else values)
    header = ",".join(_quote(str(c)) for c in frame.columns) + "\n"
    if not len(frame):
        return header
    return header + "\n".join(map(",".join, zip(*cells, strict=True))) + "\n"


# --- input ---------------------------------------------------------------------------------


def _is_span_record(record: Mapping) -> bool:
    return record.get("kind", "document") != "document" or record.get("metric") in (
        "unitizing_alpha",
        "alpha_nominal_matched_spans",
    )


def _span_variable(records: list[dict]) -> str:
    """The variable of the span rows: the registry's span label record (``span``)."""
    for record in records:
        if record.get("kind") == "span_label" or record.get("metric") == "unitizing_alpha":
            return str(record["variable"])
    return "span"


def _check_annotations(annotations: pd.DataFrame, records: list[dict]) -> None:
    if not isinstance(annotations, pd.DataFrame):
        raise AgreementInputError(
            f"annotations must be the tidy annotation table (a DataFrame), not "
            f"{type(annotations).__name__} -- read it with framestudy.annotations.read_tidy"
        )
    needed = ["article_id", "outlet", "coder", "variable", "value"]
    if any(_is_span_record(r) for r in records):
        needed += ["span_id", "span_start", "span_end"]
    missing = [c for c in needed if c not in annotations.columns]
    if missing:
        raise AgreementInputError(
            f"the annotation table has no {missing[0]!r} column -- pass the tidy table of "
            "docs/CONTRACTS.md (framestudy.annotations.read_tidy)"
        )


def _text(value) -> str:
    return "" if is_missing(value) else str(value)


def _as_text(column: pd.Series) -> pd.Series:
    """A column as Python strings (object dtype), a missing value as ``""``."""
    values = column.to_numpy(dtype=object, na_value="")
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        values = np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
    return pd.Series(values, index=column.index, dtype=object)


def _prepare(annotations: pd.DataFrame) -> pd.DataFrame:
    columns = ["article_id", "outlet", "coder", "variable", "value"]
    spans = [c for c in ("span_id", "span_start", "span_end") if c in annotations.columns]
    ann = annotations[columns + spans].copy()
    for column in columns:
        ann[column] = _as_text(ann[column])
    if "span_id" in spans:
        # span ids are only matched and sorted, never shown: integer codes numbered in the
        # ids' sorted order (-1: none) are merged and grouped much faster than strings
        ids = ann["span_id"]
        if not pd.api.types.is_string_dtype(ids.dtype) or pd.api.types.is_object_dtype(
                ids.dtype):
            ids = _as_text(ids)  # (other types: sorted as text, as the ids are)
        codes, names = pd.factorize(ids, sort=True)
        empty = np.flatnonzero(np.asarray(names, dtype=object) == "")
        codes[np.isin(codes, empty)] = -1
        ann["span_id"] = codes.astype(np.int64)
    return ann[(ann["article_id"] != "") & (ann["coder"] != "")]


def _spans(rows: pd.DataFrame) -> pd.DataFrame:
    """Span rows in :mod:`framestudy.analysis.unitizing`'s shape, one per coder and span."""
    rows = rows[rows["span_start"].notna() & rows["span_end"].notna()]
    frame = pd.DataFrame(
        {
            "document": rows["article_id"].to_numpy(dtype=object),
            "coder": rows["coder"].to_numpy(dtype=object),
            "category": rows["value"].to_numpy(dtype=object),
            "start": pd.to_numeric(rows["span_start"]).to_numpy(dtype=float),
            "end": pd.to_numeric(rows["span_end"]).to_numpy(dtype=float),
            "span_id": rows["span_id"].to_numpy(),
        }
    )
    frame = frame.drop_duplicates(["document", "coder", "span_id", "category"])
    frame = frame.sort_values(["document", "coder", "start", "end", "category", "span_id"])
    return frame.reset_index(drop=True)


def _domain(record: Mapping, seen) -> list[str]:
    """The registry's values, then any other value found (sorted)."""
    values = [str(v) for v in record.get("values", [])]
    return values + sorted({str(v) for v in seen} - set(values) - {""})


# --- one vote per coder and question -------------------------------------------------------


def _cells(base: pd.DataFrame, record: Mapping, order: int, **fixed) -> pd.DataFrame:
    frame = base.assign(variable=str(record["variable"]), var_order=order)
    for column, value in {
        "category": "",
        "cat_order": -1,
        "span_label": "",
        "span_start": -1,
        "span_end": -1,
        **fixed,
    }.items():
        if column not in frame.columns:
            frame[column] = value
    return frame[_CELL_COLUMNS]


def _one_vote(values: pd.Series) -> tuple[str, str]:
    distinct = sorted({v for v in values if v != ""})
    if not distinct:
        return "", NO_ANSWER
    if len(distinct) == 1:
        return distinct[0], distinct[0]
    return _CONFLICT, "|".join(distinct)


def _votes(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` (which include the coder): ``vote`` and ``shown``, from ``value``."""
    if not len(rows):
        return pd.DataFrame(columns=[*keys, "vote", "shown"])
    grouped = rows.groupby(keys, sort=False)["value"]
    first = grouped.first()
    n_distinct = grouped.nunique()
    simple = n_distinct <= 1
    out = pd.DataFrame({"vote": first.where(simple, _CONFLICT), "shown": first})
    for key in n_distinct.index[~simple]:
        out.loc[key, "shown"] = _one_vote(grouped.get_group(key))[1]
    out.loc[out["vote"] == "", "shown"] = NO_ANSWER
    return out.reset_index()


def _single_cells(record: Mapping, order: int, rows: pd.DataFrame, pairs: pd.DataFrame):
    rows = rows[rows["value"] != ""]
    votes = _votes(rows, ["article_id", "coder"])
    base = pairs.merge(votes, on=["article_id", "coder"], how="left")
    base["vote"] = base["vote"].fillna("")
    base["shown"] = base["shown"].fillna(NO_ANSWER)
    return _cells(base, record, order)


def _per_value(base: pd.DataFrame, chosen: pd.DataFrame, key: list[str], values: list[str]):
    """``base`` (one row per question's coder) repeated per value, with ``present`` /
    ``absent`` from ``chosen`` (rows ``key`` + ``value``)."""
    domain = pd.DataFrame({"category": values, "cat_order": np.arange(len(values))})
    grid = base.merge(domain, how="cross")
    hits = chosen[[*key, "value"]].drop_duplicates().rename(columns={"value": "category"})
    grid = grid.merge(hits.assign(_hit=True), on=[*key, "category"], how="left")
    hit = grid.pop("_hit").fillna(False).astype(bool).to_numpy()
    grid["vote"] = np.where(hit, PRESENT, ABSENT)
    grid["shown"] = grid["vote"]
    return grid


def _set_cells(record, order, rows, pairs):
    rows = rows[rows["value"] != ""]
    values = _domain(record, rows["value"])
    grid = _per_value(pairs, rows, ["article_id", "coder"], values)
    return _cells(grid, record, order)


def _presence_cells(record, order, spans: pd.DataFrame, pairs: pd.DataFrame):
    labels = [str(v) for v in (record.get("labels") or record.get("values") or [])]
    labels += sorted(set(spans["category"]) - set(labels))
    if not labels or not len(pairs):
        return pd.DataFrame(columns=_CELL_COLUMNS)
    # present: the coder marked at least one span of the label in the article, of non-zero
    # length (the rule of unitizing.presence_indicators, which agreement uses)
    marked = spans.loc[spans["end"] > spans["start"], ["document", "coder", "category"]]
    marked = marked.rename(columns={"document": "article_id", "category": "value"})
    grid = _per_value(pairs, marked, ["article_id", "coder"], labels)
    return _cells(grid, record, order)


def _unit_coders(matched: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every coder of the article for every matched span in it (``unit, article_id,
    span_label, span_start, span_end, coder``), with the coder's ``span_id`` in the match
    (empty if they marked none) and ``_has_span``: made once for all span attributes (a
    unit's spans share one label, so a label's units are a subset)."""
    units = matched.groupby("unit").agg(
        article_id=("document", "first"),
        span_label=("category", "first"),
        span_start=("start", "min"),
        span_end=("end", "max"),
    )
    units[["span_start", "span_end"]] = units[["span_start", "span_end"]].astype(np.int64)
    units = units.reset_index()
    base = units.merge(pairs, on="article_id")
    marked = matched[["unit", "coder", "span_id"]].drop_duplicates(["unit", "coder"])
    base = base.merge(marked, on=["unit", "coder"], how="left")
    base["_has_span"] = base["span_id"].notna()
    base["span_id"] = base["span_id"].fillna(-2).astype(np.int64)  # -2: no span of theirs
    return base


def _attribute_cells(record, order, rows, unit_coders: pd.DataFrame):
    labels = {str(v) for v in (record.get("labels") or [])}
    base = unit_coders[unit_coders["span_label"].isin(labels)] if labels else unit_coders
    if not len(base):
        return pd.DataFrame(columns=_CELL_COLUMNS)
    attr = rows[(rows["value"] != "") & (rows["span_id"] >= 0)]
    # a region id is the coder's within an article: ids may repeat across articles
    span_key = ["article_id", "coder", "span_id"]
    attr = attr[[*span_key, "value"]]
    if record.get("multiple") or record.get("level") == "set":
        values = _domain(record, attr["value"])
        chosen = attr.merge(base[[*span_key, "unit"]].dropna(), on=span_key)
        grid = _per_value(base, chosen, ["unit", "coder"], values)
        no_span = ~grid["_has_span"].to_numpy(dtype=bool)
        grid.loc[no_span, "vote"] = ""
        grid.loc[no_span, "shown"] = NO_SPAN
    else:
        votes = _votes(attr, span_key)
        grid = base.merge(votes, on=span_key, how="left")
        grid["vote"] = grid["vote"].fillna("")
        grid["shown"] = grid["shown"].fillna(NO_ANSWER)
        grid.loc[~grid["_has_span"].to_numpy(dtype=bool), "shown"] = NO_SPAN
    return _cells(grid, record, order)


# --- the decision ---------------------------------------------------------------------------


def _decide(cells: pd.DataFrame, coder_names: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per question from its coders' votes (the rule of :func:`consensus`), in the
    result's order (``article_id`` still the article's code); and the cells' votes sorted
    the same way, each with its question (``vote``, ``_q``). ``cells``' articles and coders
    are codes numbered in sorted order; ``coder_names``: the coders' names by code."""
    labels = pd.factorize(cells["span_label"], sort=True)[0]
    coders = cells["coder"].to_numpy(dtype=np.int64)
    keys = [
        cells["article_id"].to_numpy(dtype=np.int64),
        cells["var_order"].to_numpy(dtype=np.int64),
        cells["span_start"].to_numpy(dtype=np.int64),
        cells["span_end"].to_numpy(dtype=np.int64),
        labels,
        cells["cat_order"].to_numpy(dtype=np.int64),
    ]
    order = np.lexsort([coders, *reversed(keys)])
    sorted_keys = np.stack([k[order] for k in keys])
    new = np.ones(len(order), dtype=bool)
    new[1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).any(axis=0)
    question = np.cumsum(new) - 1
    n_questions = int(question[-1]) + 1
    vote = cells["vote"].to_numpy(dtype=object)[order]
    # the most frequent vote of each question (two values of one coder count for nothing)
    codes, votes = pd.factorize(vote)
    counted = votes != _CONFLICT
    valid = counted[codes]
    pair, count = np.unique(question[valid] * len(votes) + codes[valid], return_counts=True)
    pair_q, pair_vote = pair // max(len(votes), 1), pair % max(len(votes), 1)
    k = np.zeros(n_questions, dtype=np.int64)
    np.maximum.at(k, pair_q, count)
    at_top = count == k[pair_q]
    n_top = np.bincount(pair_q[at_top], minlength=n_questions)
    leader = np.full(n_questions, "", dtype=object)
    leader[pair_q[at_top]] = np.asarray(votes, dtype=object)[pair_vote[at_top]]
    n = np.bincount(question, minlength=n_questions)
    unique = n_top == 1
    provenance = np.select(
        [n == 1, (k == n) & unique, (2 * k > n) & unique],
        [SINGLE, UNANIMOUS, MAJORITY],
        default=UNRESOLVED,
    ).astype(object)
    first = np.flatnonzero(new)
    rows = cells.iloc[order[first]][_KEY].reset_index(drop=True)
    rows["value"] = pd.Series(
        np.where((provenance == UNRESOLVED) | (n_top != 1), "", leader), dtype=object
    )
    rows["provenance"] = provenance
    rows["n_coders"] = n
    rows["n_agreeing"] = k
    # "coder=shown" per cell, made once per distinct pair; joined by "; " per question
    shown_codes, shown = pd.factorize(cells["shown"].to_numpy(dtype=object)[order])
    pair_codes = coders[order] * len(shown) + shown_codes
    texts = np.empty(len(coder_names) * len(shown), dtype=object)
    for c in np.flatnonzero(np.bincount(pair_codes, minlength=len(texts))).tolist():
        texts[c] = f"{coder_names[c // len(shown)]}={shown[c % len(shown)]}"
    pieces = texts[pair_codes]
    pieces[~new] = "; " + pieces[~new]
    values = np.add.reduceat(pieces, first) if len(first) else np.empty(0, dtype=object)
    rows["values"] = pd.Series(values, dtype=object)
    for column in ("variable", "category", "span_label"):
        rows[column] = rows[column].astype(object)
    return rows, pd.DataFrame({"vote": vote, "_q": question})


def _apply_adjudication(
    frame: pd.DataFrame, cells: pd.DataFrame, adjudicated: pd.DataFrame, records: list[dict]
) -> None:
    """Override ``frame``'s rows (in place) with the decisions of ``adjudicated``."""
    if not isinstance(adjudicated, pd.DataFrame):
        raise AgreementInputError(
            f"adjudicated must be a DataFrame with the columns article_id, variable, value, "
            f"not {type(adjudicated).__name__}"
        )
    missing = [c for c in ("article_id", "variable", "value") if c not in adjudicated.columns]
    if missing:
        raise AgreementInputError(
            f"the adjudication table has no {missing[0]!r} column -- it needs article_id, "
            "variable, value (and category, span_label, span_start, span_end to address a "
            "per-value or per-span row)"
        )
    given = [c for c in _ADJUDICATION_KEYS if c in adjudicated.columns]
    keys = ["article_id", "variable", *given]
    decisions = pd.DataFrame(index=range(len(adjudicated)))
    for column in [*keys, "value"]:
        raw = adjudicated[column].reset_index(drop=True)
        if column in ("span_start", "span_end"):
            decisions[column] = pd.to_numeric(raw, errors="coerce").fillna(-1).astype(np.int64)
        else:
            decisions[column] = [_text(v) for v in raw]
    decisions["_decision"] = np.arange(len(decisions))
    targets = frame[keys].assign(_row=np.arange(len(frame)))
    hits = decisions[[*keys, "_decision"]].merge(targets, on=keys, how="left")
    n_hits = hits.groupby("_decision")["_row"].count().reindex(decisions["_decision"])
    row_of = hits.dropna(subset=["_row"]).drop_duplicates("_decision")
    row_of = row_of.set_index("_decision")["_row"].astype(np.int64)
    domains = {str(r["variable"]): r for r in records}
    first_of: dict[int, int] = {}
    for i, decision in enumerate(decisions.itertuples(index=False)):
        where = ", ".join(f"{c} {getattr(decision, c)!r}" for c in keys)
        if n_hits.iloc[i] != 1:
            what = "no consensus row" if not n_hits.iloc[i] else f"{n_hits.iloc[i]} consensus rows"
            raise AgreementInputError(
                f"adjudication row {i + 1} ({where}) addresses {what} -- give the article, "
                "the variable and, for a per-value or per-span row, category, span_label, "
                "span_start and span_end as the consensus table has them"
            )
        row = int(row_of.loc[i])
        if row in first_of:
            raise AgreementInputError(
                f"adjudication row {i + 1} ({where}) repeats row {first_of[row]} -- keep one"
            )
        first_of[row] = i + 1
        if frame.at[row, "category"]:
            allowed = [PRESENT, ABSENT]
        else:
            record = domains[decision.variable]
            allowed = [
                str(v) for v in (*record.get("values", []), *record.get("missing_values", []))
            ]
        if decision.value and decision.value not in allowed:
            raise AgreementInputError(
                f"adjudication row {i + 1} ({where}): value {decision.value!r} is not one of "
                f"{', '.join(allowed)} -- or leave it empty for no value"
            )
    rows = row_of.to_numpy()
    decided = pd.Series(decisions["value"].to_numpy(dtype=object), index=rows)
    mine = cells["_q"].isin(rows).to_numpy()
    agree = cells["vote"].to_numpy(dtype=object)[mine] == cells["_q"][mine].map(decided).to_numpy()
    n_agreeing = pd.Series(agree.astype(np.int64)).groupby(cells["_q"][mine].to_numpy()).sum()
    frame.loc[rows, "value"] = decided.to_numpy()
    frame.loc[rows, "provenance"] = ADJUDICATED
    frame.loc[rows, "n_agreeing"] = n_agreeing.reindex(rows).to_numpy()
