"""The adjudicator's decisions on disk: ``annotations/adjudicated.csv``.

One row per decision: an article's value of one variable as the adjudicator settled it in
Label Studio's review project (``framestudy adjudicate pull`` writes the file from the raw
exports it keeps in ``annotations/raw/``; :func:`framestudy.analysis.consensus.consensus`
takes the table as its ``adjudicated`` argument and gives those rows provenance
``adjudicated``). The columns (:data:`COLUMNS`):

* ``article_id``, ``variable``: the article and the variable (a registry id);
* ``category``: for a set-valued variable, the value the row decides (``value`` is then
  ``present`` or ``absent``); empty for a single-valued one;
* ``span_label``, ``span_start``, ``span_end``: the span a per-span row decides (empty and
  ``-1`` for article-level variables);
* ``value``: the decision (a value id of the variable; empty for "no value");
* ``adjudicator``: the adjudicator's e-mail (lower case);
* ``annotation_id``, ``updated_at``: the review annotation the decision comes from;
* ``schema_hash``: the schema the review project was made under;
* ``times_adjudicated``: how many review annotations of this article there were (the latest
  is kept; a value above 1 says the article was adjudicated again).

Nothing else in the pipeline writes or parses this file: :func:`read_adjudicated` and
:func:`write_adjudicated` are its one home.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from framestudy.errors import UserError
from framestudy.io import atomic_write_text

#: the columns, in order
COLUMNS = [
    "article_id",
    "variable",
    "category",
    "span_label",
    "span_start",
    "span_end",
    "value",
    "adjudicator",
    "annotation_id",
    "updated_at",
    "schema_hash",
    "times_adjudicated",
]
_INT_COLUMNS = ("span_start", "span_end", "annotation_id", "times_adjudicated")
#: the columns a decision needs (the rest are filled with their empty value when absent)
REQUIRED = ("article_id", "variable", "value")


def empty() -> pd.DataFrame:
    """A table with the columns and no rows."""
    return normalise(pd.DataFrame(columns=COLUMNS))


def normalise(frame: pd.DataFrame, where: str = "the adjudication table") -> pd.DataFrame:
    """``frame`` with :data:`COLUMNS` in order and their types (text, or integers with
    ``-1`` for none); UserError naming ``where`` and the column or row when it cannot be."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise UserError(
            f"{where}: no {missing[0]!r} column -- an adjudication table needs "
            f"{', '.join(REQUIRED)} (and category, span_label, span_start, span_end to "
            "address a per-value or per-span decision)"
        )
    out = pd.DataFrame(index=range(len(frame)))
    for column in COLUMNS:
        raw = (frame[column].reset_index(drop=True) if column in frame.columns
               else pd.Series([None] * len(frame), dtype=object))
        if column in _INT_COLUMNS:
            numbers = pd.to_numeric(raw.replace("", None), errors="coerce")
            bad = numbers.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise UserError(
                    f"{where}, row {row + 1}: {column} {raw.iloc[row]!r} is not a whole "
                    "number -- correct it or leave it empty"
                )
            default = 1 if column == "times_adjudicated" else -1
            out[column] = numbers.fillna(default).astype("int64")
        else:
            out[column] = ["" if v is None or (isinstance(v, float) and v != v) else str(v)
                           for v in raw]
    return out


def read_adjudicated(path: str | os.PathLike) -> pd.DataFrame:
    """The table at ``path`` (:data:`COLUMNS`); an empty table when there is no file (no
    article adjudicated yet). UserError naming the file on an unreadable or malformed one."""
    path = Path(path)
    if not path.exists():
        return empty()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return empty()
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UserError(
            f"{path}: not a readable CSV ({exc}) -- rebuild it with `framestudy adjudicate pull`"
        ) from None
    return normalise(frame, str(path))


def write_adjudicated(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``frame`` (normalised to :data:`COLUMNS`) to ``path`` atomically, every text
    field quoted."""
    table = normalise(frame)
    return atomic_write_text(path, table.to_csv(index=False, lineterminator="\n",
                                                quoting=1))
