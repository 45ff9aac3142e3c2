"""``schemas/registry.json``: the model of the analysis registry this stage writes, and its
one reader.

The registry is a JSON list with one record per analysable variable, computed from the
schema by :meth:`framestudy.schema.model.Schema.registry_records` and written by
``framestudy schema build``; the analysis stage reads it to know each variable's level of
measurement, metric and values (docs/CONTRACTS.md, "Schema", lists the fields).
:class:`RegistryRecord` is that record; :class:`RegistryFile` adds the rule across records:
each ``variable`` occurs once.

:func:`read_registry` is how a later stage reads the file; every problem is one line naming
the file, the record (by number and ``variable``) and the field, and saying what to do, e.g.::

    schemas/registry.json: record 3 (legit_nato_enlargement): level = 'interval' must be one of 'nominal', ... -- rebuild it with `framestudy schema build`

Only pydantic and the standard library are imported here, so a reader of the registry loads
neither pandas nor the codebook's Markdown.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from framestudy.errors import UserError, explain_list_of_records, validated

#: what to do about a faulty ``registry.json``
REBUILD = "rebuild it with `framestudy schema build`"


class RegistryRecord(BaseModel):
    """One analysable variable (a row of ``Schema.registry()``)."""

    model_config = ConfigDict(extra="allow")

    variable: str = Field(min_length=1)
    code: str | None = None  # the codebook's short code (e.g. L1); None for span variables
    dimension: str
    kind: Literal["document", "span_label", "span_attribute"]
    level: Literal["nominal", "ordinal", "set", "span", "span_attribute"]
    metric: Literal[
        "alpha_nominal", "alpha_ordinal", "alpha_masi", "unitizing_alpha",
        "alpha_nominal_matched_spans",
    ]
    values: list[str]
    missing_values: list[str] = []
    labels: list[str] = []
    multiple: bool = False


class RegistryFile(RootModel[list[RegistryRecord]]):
    """The whole file: a list of records, each ``variable`` once."""

    @model_validator(mode="after")
    def _each_variable_once(self) -> RegistryFile:
        seen: dict[str, int] = {}
        for i, record in enumerate(self.root, start=1):
            if record.variable in seen:
                raise ValueError(
                    f"variable {record.variable!r} occurs in records {seen[record.variable]} "
                    f"and {i}: each variable must appear once"
                )
            seen[record.variable] = i
        return self


_EXPECTED = {
    "string": "must be text",
    "bool": "must be true or false",
    "model": "must be an object",
    "list": "must be a list",
}


def _explain(records: Any) -> Any:
    """The wording of a validation error of ``records`` (the parsed file): the record by its
    number (1 = first) and ``variable``, the field, what is wrong."""

    def name(loc: tuple) -> str:
        record = f"record {loc[0] + 1}"
        raw = records[loc[0]]
        if isinstance(raw, dict) and isinstance(raw.get("variable"), str) and raw["variable"]:
            record += f" ({raw['variable']})"
        return record

    return explain_list_of_records(
        name=name, whole="expected a JSON list of variable records",
        not_object="must be an object", expected=_EXPECTED, remedy=REBUILD, quote_field=True,
    )


def check_registry(records: Any, where: object) -> RegistryFile:
    """``records`` (a parsed ``registry.json``) checked against :class:`RegistryFile`; a
    :class:`~framestudy.errors.UserError` starting with ``where`` names the first problem."""
    return validated(
        RegistryFile, records, locate=lambda loc: str(where), explain=_explain(records)
    )


def read_registry(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The registry records of ``path`` (``schemas/registry.json``), as parsed (plain dicts),
    once :func:`check_registry` has accepted them."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file -- run `framestudy schema build` first")
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc}) -- {REBUILD}") from None
    check_registry(records, path)
    return records
