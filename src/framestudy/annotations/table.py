"""The tidy table on disk: ``annotations/annotations.csv``, and the record of what it was
made from, ``annotations/annotations.sources.json`` (:class:`TableSources`).

Written atomically with every text field quoted (a lone carriage return inside a span's text
would otherwise break the CSV), read back with the contract's dtypes. Value ids such as
``NA`` (not addressed) are kept as text: a bare ``pandas.read_csv`` would turn them into
missing values.

The sources record lists the raw exports the table was built from (file and SHA-256) and the
SHA-256 of the table itself, so a report can name exactly which exports its numbers rest on
and notice a table edited or rebuilt since (:func:`read_sources`).
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from framestudy.annotations.tidy import (
    BOOL_COLUMNS,
    COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    STR_COLUMNS,
)
from framestudy.errors import UserError, dotted_location, validated
from framestudy.io import atomic_write_json, atomic_write_text, read_json, sha256_file

# Text columns that may be empty (missing); the others always hold a value.
_OPTIONAL_TEXT = ("span_id", "span_text", "created_at", "updated_at", "schema_hash")


class TableSource(BaseModel):
    """One raw export a table was built from."""

    model_config = ConfigDict(extra="forbid")

    file: StrictStr = Field(min_length=1)  # relative to the table's folder when inside it
    sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class TableBuild(BaseModel):
    """How the exports were read into the table: the arguments of
    :func:`~framestudy.annotations.tidy.tidy_from_export` besides the exports and the
    schema, so that the table can be rebuilt offline (``framestudy reproduce``)."""

    model_config = ConfigDict(extra="forbid")

    users: dict[int, str] | None = None  # Label Studio user id -> coder e-mail
    project_coder: dict[int, str] | None = None  # blind design: project id -> its coder
    include_foreign: bool = False


class TableSources(BaseModel):
    """``<table>.sources.json``: the exports a tidy table was built from, how they were
    read, and the table's own SHA-256 when it was written."""

    model_config = ConfigDict(extra="forbid")

    table_sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    exports: list[TableSource]
    build: TableBuild = TableBuild()


def sources_path(table_path: str | os.PathLike) -> Path:
    """Where the sources record of a table lives: ``annotations.csv`` ->
    ``annotations.sources.json``, beside it."""
    path = Path(table_path)
    return path.with_name(path.stem + ".sources.json")


def table_source(export: str | os.PathLike, table_path: str | os.PathLike) -> TableSource:
    """The record of one export file read into the table at ``table_path``."""
    export = Path(export)
    folder = Path(table_path).resolve().parent
    try:
        name = export.resolve().relative_to(folder).as_posix()
    except ValueError:
        name = str(export.resolve())
    return TableSource(file=name, sha256=sha256_file(export), bytes=export.stat().st_size)


def write_tidy(
    table: pd.DataFrame,
    path: str | os.PathLike,
    sources: list[str | os.PathLike] | None = None,
    build: TableBuild | None = None,
) -> Path:
    """Write the tidy table as CSV, atomically; the same table always gives the same bytes.

    ``sources``: the export files the table was built from; their record (file, SHA-256) is
    written beside the table (:func:`sources_path`) with the table's own SHA-256 and
    ``build``, how they were read (users, project owners).
    """
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"not a tidy annotation table: missing columns {missing}")
    text = table.loc[:, list(COLUMNS)].to_csv(
        index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
    records = None if sources is None else [table_source(s, path) for s in sources]
    written = atomic_write_text(path, text)
    if records is not None:
        record = TableSources(
            table_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), exports=records,
            build=build or TableBuild(),
        )
        atomic_write_json(sources_path(path), record.model_dump())
    return written


def read_sources(table_path: str | os.PathLike) -> TableSources | None:
    """The sources record of the table at ``table_path``; None when there is none (a table
    written by an older framestudy, or by hand). Whether the table is still the one the
    record describes: compare ``table_sha256`` with :func:`framestudy.io.sha256_file`."""
    path = sources_path(table_path)
    data = read_json(path, "sources record")
    if data is None:
        return None
    return validated(
        TableSources, data, locate=lambda loc: f"{path}: {dotted_location(loc)}",
        advice=f", or rebuild it with `framestudy pull` (it describes {Path(table_path).name})",
    )


def read_tidy(path: str | os.PathLike, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a tidy table written by :func:`write_tidy` (or any CSV with its columns).

    ``columns``: read only these columns (an analysis that needs a few of the seventeen
    reads a large table about three times faster), with the same dtypes and missing values;
    the file must still have every column of the tidy table."""
    path = Path(path)
    wanted = list(COLUMNS) if columns is None else list(columns)
    unknown = [c for c in wanted if c not in COLUMNS]
    if unknown:
        raise ValueError(f"not columns of the tidy table: {unknown}")
    dtypes = {
        **{c: "str" for c in STR_COLUMNS},
        **{c: "Int64" for c in INT_COLUMNS},
        **{c: "float64" for c in FLOAT_COLUMNS},
        **{c: "boolean" for c in BOOL_COLUMNS},
    }
    blank = (*INT_COLUMNS, *FLOAT_COLUMNS, *BOOL_COLUMNS)
    try:
        header = pd.read_csv(path, nrows=0).columns
        table = pd.read_csv(
            path, usecols=lambda c: c in wanted, dtype={c: dtypes[c] for c in wanted},
            keep_default_na=False, na_values={c: [""] for c in wanted if c in blank},
        )
    except FileNotFoundError:
        raise UserError(f"{path}: no such file -- run `framestudy pull` first") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: not a readable annotation table ({exc})") from None
    # a table written before the stale_text column existed: not marked
    missing = [c for c in COLUMNS if c not in header and c not in BOOL_COLUMNS]
    if missing:
        raise UserError(
            f"{path}: not a tidy annotation table (missing columns {', '.join(missing)})"
        )
    for column in BOOL_COLUMNS:
        if column in wanted and column not in table.columns:
            table[column] = pd.array([False] * len(table), dtype="boolean")
    table = table.loc[:, wanted]
    for column in _OPTIONAL_TEXT:
        if column in wanted:
            table[column] = table[column].mask(table[column] == "")
    return table
