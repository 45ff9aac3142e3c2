"""The tidy table on disk: ``annotations/annotations.csv``.

Written atomically with every text field quoted (a lone carriage return inside a span's text
would otherwise break the CSV), read back with the contract's dtypes. Value ids such as
``NA`` (not addressed) are kept as text: a bare ``pandas.read_csv`` would turn them into
missing values.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from framestudy.annotations.tidy import (
    BOOL_COLUMNS,
    COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    STR_COLUMNS,
)
from framestudy.errors import UserError
from framestudy.io import atomic_write_text

# Text columns that may be empty (missing); the others always hold a value.
_OPTIONAL_TEXT = ("span_id", "span_text", "created_at", "updated_at", "schema_hash")


def write_tidy(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write the tidy table as CSV, atomically; the same table always gives the same bytes."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"not a tidy annotation table: missing columns {missing}")
    text = table.loc[:, list(COLUMNS)].to_csv(
        index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
    return atomic_write_text(path, text)


def read_tidy(path: str | os.PathLike) -> pd.DataFrame:
    """Read a tidy table written by :func:`write_tidy` (or any CSV with its columns)."""
    path = Path(path)
    try:
        table = pd.read_csv(
            path,
            dtype={
                **{c: "str" for c in STR_COLUMNS},
                **{c: "Int64" for c in INT_COLUMNS},
                **{c: "float64" for c in FLOAT_COLUMNS},
                **{c: "boolean" for c in BOOL_COLUMNS},
            },
            keep_default_na=False,
            na_values={c: [""] for c in (*INT_COLUMNS, *FLOAT_COLUMNS, *BOOL_COLUMNS)},
        )
    except FileNotFoundError:
        raise UserError(f"{path}: no such file -- run `framestudy pull` first") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: not a readable annotation table ({exc})") from None
    for column in BOOL_COLUMNS:  # a table written before the column existed: not marked
        if column not in table.columns:
            table[column] = pd.array([False] * len(table), dtype="boolean")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise UserError(
            f"{path}: not a tidy annotation table (missing columns {', '.join(missing)})"
        )
    table = table.loc[:, list(COLUMNS)]
    for column in _OPTIONAL_TEXT:
        table[column] = table[column].mask(table[column] == "")
    return table
