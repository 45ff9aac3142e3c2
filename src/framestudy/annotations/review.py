"""The review project's two conversions (``framestudy adjudicate``; docs/adjudication.md).

Pure: exports in, tables out; :mod:`framestudy.labelstudio.adjudicate` does the talking to
Label Studio and the files.

* :func:`coder_versions` -- each coder's annotation of an article, as the coding exports
  hold it (Label Studio ``result`` items), picked by the ``annotation_id`` the tidy table
  kept: what the adjudicator is shown, one prediction per coder;
* :func:`decisions_from_export` -- the adjudicator's annotations of the review project's
  export as decisions, the rows of ``annotations/adjudicated.csv``
  (:mod:`framestudy.annotations.adjudicated`), addressed as
  :func:`framestudy.analysis.consensus.consensus` addresses its rows: a one-value document
  variable by article and variable; a set-valued one per value (``category``) with
  ``present``/``absent``; the span label variable per label, ``present`` when the
  adjudicator marked at least one (non-empty) span of it. Span attributes are not decided
  here: their consensus rows are matched spans of the coders, which an adjudicator's own
  span need not match; they keep the coders' consensus.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from framestudy.annotations.adjudicated import COLUMNS, empty, normalise
from framestudy.annotations.tidy import tidy_from_export

PRESENT, ABSENT = "present", "absent"  # consensus's values of a per-value row


def coder_versions(tasks: Sequence[Any], table: pd.DataFrame) -> dict[str, dict[str, list]]:
    """``{article_id: {coder: result}}``: the ``result`` of every annotation the tidy
    ``table`` (columns ``article_id, coder, annotation_id``) was built from, found by its
    id in the exports' ``tasks`` (Label Studio annotation ids are unique on a server).
    Annotations without a result are left out."""
    wanted: dict[int, tuple[str, str]] = {}
    rows = table[["article_id", "coder", "annotation_id"]].dropna().drop_duplicates()
    for article, coder, annotation in rows.itertuples(index=False):
        wanted[int(annotation)] = (str(article), str(coder))
    out: dict[str, dict[str, list]] = {}
    for task in tasks:
        if not isinstance(task, dict):
            continue
        for ann in task.get("annotations") or []:
            if not isinstance(ann, dict) or ann.get("id") is None:
                continue
            try:
                key = wanted.get(int(ann["id"]))
            except (TypeError, ValueError):
                continue
            if key is None or not ann.get("result") or ann.get("was_cancelled"):
                continue
            out.setdefault(key[0], {})[key[1]] = list(ann["result"])
    return out


def _email(completed_by: Any, users: Mapping[int, str]) -> str:
    if isinstance(completed_by, dict):
        value = completed_by.get("email") or users.get(completed_by.get("id"), "")
    elif isinstance(completed_by, int) and not isinstance(completed_by, bool):
        value = users.get(completed_by, "")
    else:
        value = completed_by or ""
    return str(value).strip().lower()


def review_counts(tasks: Sequence[Any], users: Mapping[int, str],
                  adjudicators: Collection[str]) -> dict[str, int]:
    """``{article_id: how many submitted (not skipped) annotations the adjudicators made of
    it}`` in the review export ``tasks``."""
    judges = {a.lower() for a in adjudicators}
    counts: dict[str, int] = {}
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not data.get("article_id"):
            continue
        for ann in task.get("annotations") or []:
            if (isinstance(ann, dict) and not ann.get("was_cancelled")
                    and _email(ann.get("completed_by"), users) in judges):
                article = str(data["article_id"])
                counts[article] = counts.get(article, 0) + 1
    return counts


def decisions_from_export(
    tasks: Sequence[Any],
    schema: Any,
    *,
    users: Mapping[int, str],
    adjudicators: Collection[str],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The adjudicators' decisions in the review project's export ``tasks`` (see the
    module docstring), and what was noticed on the way.

    Each annotation is read and checked against ``schema`` as ``pull`` reads a coder's
    (:func:`framestudy.annotations.tidy.tidy_from_export`); only annotations by one of
    ``adjudicators`` (e-mails; ``users``: Label Studio user id -> e-mail) count. An
    article annotated more than once keeps the latest (by ``updated_at``, then id);
    ``times_adjudicated`` says how many there were. Returns the table (the columns of
    :data:`framestudy.annotations.adjudicated.COLUMNS`, by article and registry order) and
    ``{"again": {article_id: times} for articles adjudicated more than once,
    "others": annotations by someone else (ignored), "report": the reading's PullReport}``.
    """
    judges = {a.lower() for a in adjudicators}
    table, report = tidy_from_export(list(tasks), schema=schema, users=users)
    counts = review_counts(tasks, users, judges)
    coders = table["coder"].astype(str).str.lower()
    others = int(table.loc[~coders.isin(judges), "annotation_id"].nunique())
    table = table[coders.isin(judges)]
    notes: dict[str, Any] = {"again": {}, "others": others, "report": report}
    if table.empty:
        return empty(), notes
    stamp = pd.to_datetime(table["updated_at"], errors="coerce", utc=True)
    table = table.assign(_stamp=stamp, coder=table["coder"].astype(str).str.lower())
    latest = (table.drop_duplicates(["article_id", "annotation_id"])
              .sort_values(["_stamp", "annotation_id"], na_position="first")
              .drop_duplicates("article_id", keep="last")
              .set_index("article_id")["annotation_id"])
    records = schema.registry()
    if isinstance(records, pd.DataFrame):
        records = records.to_dict("records")
    rows = []
    for article, annotation in latest.items():
        mine = table[(table["article_id"] == article) & (table["annotation_id"] == annotation)]
        first = mine.iloc[0]
        base = {
            "article_id": str(article), "span_label": "", "span_start": -1, "span_end": -1,
            "adjudicator": str(first["coder"]), "annotation_id": int(annotation),
            "updated_at": "" if pd.isna(first["updated_at"]) else str(first["updated_at"]),
            "schema_hash": "" if pd.isna(first["schema_hash"]) else str(first["schema_hash"]),
            "times_adjudicated": max(counts.get(str(article), 1), 1),
        }
        rows += _article_decisions(mine, records, base)
        if base["times_adjudicated"] > 1:
            notes["again"][str(article)] = base["times_adjudicated"]
    frame = normalise(pd.DataFrame(rows, columns=COLUMNS))
    return frame, notes


def _article_decisions(mine: pd.DataFrame, records: Sequence[Mapping], base: dict) -> list[dict]:
    """One annotation's tidy rows (``mine``) as decision rows, per registry record."""
    by_variable = {v: g for v, g in mine.groupby("variable", sort=False)}
    none = mine.iloc[:0]
    rows = []
    for record in records:
        variable = str(record["variable"])
        kind = record.get("kind", "document")
        given = by_variable.get(variable, none)
        if kind == "span_label":
            ends = pd.to_numeric(given["span_end"], errors="coerce").astype(float)
            starts = pd.to_numeric(given["span_start"], errors="coerce").astype(float)
            marked = set(given.loc[(ends > starts).to_numpy(), "value"].astype(str))
            for label in record.get("labels") or record.get("values") or []:
                rows.append({**base, "variable": variable, "category": str(label),
                             "value": PRESENT if str(label) in marked else ABSENT})
        elif kind != "document":
            continue  # span attributes: see the module docstring
        elif record.get("multiple") or record.get("level") == "set":
            chosen = set(given["value"].astype(str))
            for value in record.get("values") or []:
                rows.append({**base, "variable": variable, "category": str(value),
                             "value": PRESENT if str(value) in chosen else ABSENT})
        else:
            values = list(dict.fromkeys(given["value"].astype(str)))
            rows.append({**base, "variable": variable, "category": "",
                         "value": values[0] if len(values) == 1 else ""})
    return rows
