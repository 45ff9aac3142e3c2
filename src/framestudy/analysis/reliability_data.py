"""Reading agreement inputs from files; the only module of ``framestudy.analysis`` with I/O.

Every problem with a file is a :class:`~framestudy.errors.UserError` naming the file, the
line (header = line 1) and the column, and saying what to do.

* Reliability data CSV, wide: first column the unit id, one column per coder, an empty
  cell = missing. Long: columns ``unit, coder, value`` (any order, other columns ignored).
  Only empty cells are missing: ``NA`` is a value (e.g. "not addressed").
* Spans CSV: columns ``[document,] coder, category, start, end`` and optionally ``length``
  (end exclusive, character offsets).
* The study: the tidy annotation table (read with :func:`framestudy.annotations.read_tidy`),
  the schema registry (``schemas/registry.json``, read and checked by the schema stage's
  :func:`framestudy.schema.registry_file.read_registry`) and document lengths (``len(text)``
  per ``article_id`` from ``tasks/tasks.json``, read and checked by the tasks stage's
  :func:`framestudy.tasks.tasks_file.read_tasks`).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framestudy.errors import UserError
from framestudy.tasks.tasks_file import read_tasks

LONG_COLUMNS = ("unit", "coder", "value")
SPAN_REQUIRED = ("coder", "category", "start", "end")


def _read_text_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if not path.read_bytes().strip():
        raise UserError(f"{path} is empty: expected a header row ({what}) and data rows")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh))
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text -- save the file as UTF-8 CSV") from None
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: not a readable CSV ({first})") from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise UserError(f"{path}: column {dupes[0]!r} appears twice in the header -- rename one")
    frame.columns = header
    if frame.empty:
        raise UserError(f"{path} has a header but no data rows")
    return frame.apply(lambda col: col.str.strip()).astype(object)


def _as_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _convert(
    path: Path, cells: pd.DataFrame, lines: pd.Series, level: str, categories: Sequence[str] | None
) -> pd.DataFrame:
    """Turn text cells into values: numbers, category names or NaN (empty cells)."""
    present = cells != ""
    texts = pd.unique(cells.to_numpy()[present.to_numpy()])
    numeric = {t: _as_number(t) for t in texts}
    all_numeric = bool(texts.size) and all(v is not None for v in numeric.values())

    def where(text: str) -> str:
        row, col = np.argwhere((cells == text).to_numpy())[0]
        return f"{path}, line {int(lines.iloc[row])}, column {cells.columns[col]!r}"

    if categories is not None:
        categories = [str(c) if not isinstance(c, float) else f"{c:g}" for c in categories]
        allowed = set(categories)
        cat_numeric = {c: _as_number(c) for c in categories}
        by_number = {v: c for c, v in cat_numeric.items() if v is not None}
        for text in texts:
            if text not in allowed and numeric[text] not in by_number:
                raise UserError(
                    f"{where(text)}: value {text!r} is not one of --categories "
                    f"{','.join(categories)} -- add it or correct the cell"
                )
        if all(v is not None for v in cat_numeric.values()):
            mapping = {t: numeric[t] for t in texts}
        else:
            mapping = {t: (t if t in allowed else by_number[numeric[t]]) for t in texts}
    elif level in ("interval", "ratio"):
        for text in texts:
            if numeric[text] is None:
                raise UserError(
                    f"{where(text)}: {text!r} is not a number, but --level {level} needs numbers "
                    "-- correct the cell, or use --level nominal (or ordinal with --categories)"
                )
        mapping = numeric
    elif all_numeric:
        mapping = numeric
    else:
        if level == "ordinal":
            raise UserError(
                f"{path}: ordinal values that are words need their order -- pass "
                "--categories low,mid,high (lowest first)"
            )
        mapping = {t: t for t in texts}
    # one dictionary look-up over all cells at once (DataFrame.map calls Python per cell)
    flat = pd.Series(cells.to_numpy().ravel()).map({**mapping, "": np.nan})
    values = pd.DataFrame(
        flat.to_numpy().reshape(cells.shape), index=cells.index, columns=cells.columns
    )
    if all_numeric or (categories is None and level in ("interval", "ratio")):
        return values.astype(float)
    if categories is not None and all(_as_number(c) is not None for c in categories):
        return values.astype(float)
    return values.astype(object)


def parse_categories(text: str | None) -> list | None:
    """``--categories a,b,c`` as a list, as numbers when every item is a number."""
    if not text:
        return None
    items = [c.strip() for c in text.split(",") if c.strip()]
    if len(set(items)) != len(items):
        raise UserError(f"--categories {text!r} lists a value twice")
    numbers = [_as_number(c) for c in items]
    return numbers if all(n is not None for n in numbers) else items


def read_reliability_csv(
    path: str | os.PathLike,
    level: str = "nominal",
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a wide or long reliability data CSV into a units x coders table.

    Values are numbers when every value is a number (or ``categories`` are numbers), else
    text; ``categories`` (in order) restricts and orders the values.
    """
    path = Path(path)
    frame = _read_text_csv(path, "unit,coder1,coder2,... or unit,coder,value")
    lines = pd.Series(np.arange(len(frame)) + 2)
    lower = {c.lower(): c for c in frame.columns}
    if "coder" in lower or ("unit" in lower and "value" in lower):
        missing = [c for c in LONG_COLUMNS if c not in lower]
        if missing:
            raise UserError(
                f"{path}: a long table needs the columns unit, coder, value -- "
                f"column {missing[0]!r} is missing"
            )
        unit, coder, value = (lower[c] for c in LONG_COLUMNS)
        for column in (unit, coder):
            empty = frame[column] == ""
            if empty.any():
                raise UserError(
                    f"{path}, line {int(lines[empty.to_numpy()].iloc[0])}: empty {column!r} -- "
                    "every row needs a unit and a coder"
                )
        keep = (frame[value] != "").to_numpy()
        frame, lines = frame[keep].reset_index(drop=True), lines[keep].reset_index(drop=True)
        converted = _convert(path, frame[[value]], lines, level, categories)
        long = pd.DataFrame({"unit": frame[unit], "coder": frame[coder], "value": converted[value]})
        dup = long.duplicated(["unit", "coder"], keep=False)
        if dup.any():
            clash = long[dup]
            first = clash.iloc[0]
            rows = lines[dup.to_numpy()][
                (clash["unit"] == first["unit"]).to_numpy()
                & (clash["coder"] == first["coder"]).to_numpy()
            ]
            raise UserError(
                f"{path}, lines {', '.join(str(int(r)) for r in rows)}: unit {first['unit']!r} has "
                f"more than one value from coder {first['coder']!r} -- keep one row per unit and coder"
            )
        if long.empty:
            raise UserError(f"{path}: every value is empty -- nothing to compare")
        wide = long.pivot(index="unit", columns="coder", values="value")
        wide = wide.reindex(index=pd.unique(long["unit"]), columns=pd.unique(long["coder"]))
        wide.columns.name = None
        wide.index.name = "unit"
        return wide
    if frame.shape[1] < 2:
        raise UserError(
            f"{path}: a wide table needs a unit column and at least one coder column "
            "(or use the long format: unit, coder, value)"
        )
    unit = frame.columns[0]
    empty = frame[unit] == ""
    if empty.any():
        raise UserError(
            f"{path}, line {int(lines[empty.to_numpy()].iloc[0])}: empty unit id in column {unit!r}"
        )
    dup = frame[unit].duplicated()
    if dup.any():
        raise UserError(
            f"{path}, line {int(lines[dup.to_numpy()].iloc[0])}: unit {frame[unit][dup].iloc[0]!r} appears "
            "twice -- one row per unit"
        )
    values = _convert(path, frame.drop(columns=unit), lines, level, categories)
    values.index = pd.Index(frame[unit], name="unit")
    return values


def read_spans_csv(path: str | os.PathLike, length: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a spans CSV: ``(spans, lengths)`` with spans in the columns
    ``document, coder, category, start, end`` and ``lengths`` {document: length}."""
    path = Path(path)
    frame = _read_text_csv(path, "document,coder,category,start,end[,length]")
    lines = pd.Series(np.arange(len(frame)) + 2)
    lower = {c.lower(): c for c in frame.columns}
    for column in SPAN_REQUIRED:
        if column not in lower:
            raise UserError(
                f"{path}: column {column!r} is missing -- spans need [document,] coder, "
                "category, start, end (end exclusive)"
            )
    doc = frame[lower["document"]] if "document" in lower else pd.Series("1", index=frame.index)
    numbers = {}
    for column in ("start", "end", *(["length"] if "length" in lower else [])):
        raw = frame[lower[column]]
        parsed = pd.to_numeric(raw, errors="coerce")
        bad = parsed.isna() | (parsed < 0) | (parsed != parsed.round())
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise UserError(
                f"{path}, line {int(lines[i])}, column {column!r}: {raw.iloc[i]!r} is not a "
                "non-negative whole number (character offset)"
            )
        numbers[column] = parsed.astype(np.int64)
    bad = numbers["end"] < numbers["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(f"{path}, line {int(lines[i])}: end is before start (end is exclusive)")
    spans = pd.DataFrame(
        {
            "document": doc.to_numpy(dtype=object),
            "coder": frame[lower["coder"]].to_numpy(dtype=object),
            "category": frame[lower["category"]].to_numpy(dtype=object),
            "start": numbers["start"].to_numpy(),
            "end": numbers["end"].to_numpy(),
        }
    )
    if "length" in numbers:
        per_doc = pd.DataFrame({"document": spans["document"], "length": numbers["length"]})
        counts = per_doc.groupby("document", sort=False)["length"].nunique()
        if (counts > 1).any():
            raise UserError(
                f"{path}: document {counts[counts > 1].index[0]!r} has two different lengths -- "
                "give each document one length"
            )
        lengths = (
            per_doc.drop_duplicates("document")
            .set_index("document")["length"]
            .astype(int)
            .to_dict()
        )
    elif length is not None:
        lengths = dict.fromkeys(pd.unique(spans["document"]).tolist(), int(length))
    else:
        raise UserError(
            f"{path}: the length of the continuum is unknown -- pass --length N or add a length column"
        )
    too_long = spans["end"].to_numpy() > spans["document"].map(lengths).to_numpy()
    if too_long.any():
        i = int(np.flatnonzero(too_long)[0])
        raise UserError(
            f"{path}, line {int(lines[i])}: end {int(spans['end'].iloc[i])} is beyond the document's "
            f"length {lengths[spans['document'].iloc[i]]} -- check the offsets or the length"
        )
    return spans, lengths


def read_annotations(path: str | os.PathLike, columns: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """The tidy annotation table (via the annotations stage's reader).

    ``columns``: read only these columns of it (an analysis that needs a few of the
    seventeen reads a large table about three times faster), with the reader's dtypes and
    missing values (:func:`framestudy.annotations.read_tidy`); the file must still have
    every column of the tidy table."""
    from framestudy.annotations import read_tidy

    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"{path}: no such file -- import Label Studio exports first "
            "(`framestudy annotations import`)"
        )
    return read_tidy(path, columns)


def read_document_lengths(tasks_json: str | os.PathLike) -> dict | None:
    """``{article_id: len(text)}`` from ``tasks/tasks.json``, or None if there is no such file.

    The file is read and checked by the tasks stage's reader
    (:func:`framestudy.tasks.tasks_file.read_tasks`): a faulty task is an error naming it."""
    path = Path(tasks_json)
    if not path.is_file():
        return None
    return {str(task["data"]["article_id"]): len(task["data"]["text"]) for task in read_tasks(path)}


def read_agreement(path: str | os.PathLike) -> pd.DataFrame:
    """The study-mode agreement table (``analysis/agreement.csv``, written by
    ``framestudy agreement``), with empty texts kept as "" (not NaN)."""
    from framestudy.analysis.variable_agreement import RESULT_COLUMNS

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file -- run `framestudy agreement` first")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable ({exc}) -- run `framestudy agreement` again") from None
    missing = [c for c in RESULT_COLUMNS if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path}: no column {', '.join(missing)} -- not an agreement table; run "
            "`framestudy agreement` again"
        )
    for column in ("estimate", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    return frame
