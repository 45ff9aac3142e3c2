"""The schema model: validation of ``framing.yaml``, its content hash and analysis registry.

The YAML is validated with pydantic models that forbid unknown keys, then checked for the
things a type cannot say (unique ids, non-empty value lists, ordinal order, span attributes
tied to existing labels). Every problem is reported as one line naming the field, e.g.::

    schemas/framing.yaml: variables[4] (legit_nato_enlargement).values: ... -- do ...

Value lists may be written inline (``values:``), taken from a named set (``values_from:``)
and extended (``extra_values:``); the resolved list is what everything downstream sees.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from framestudy.errors import UserError, validated, yaml_error

_ID = r"^[A-Za-z0-9_+\-]+$"
_VERSION = r"^\d+\.\d+\.\d+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Value(_Strict):
    id: str = Field(pattern=_ID)
    label: str | None = None
    definition: str

    @property
    def display(self) -> str:
        return self.label or self.id


class Dimension(_Strict):
    id: str = Field(pattern=_ID)
    title: str
    description: str = ""


class _Coded(_Strict):
    """Shared by document variables and span attributes: a question with a value list."""

    id: str = Field(pattern=_ID)
    question: str
    type: Literal["single", "multiple", "ordinal"]
    values: list[Value] | None = None
    values_from: str | None = None
    extra_values: list[Value] = []
    order: list[str] | None = None
    not_addressed: Value | None = None
    rules: list[str] = []
    example: str | None = None


class Variable(_Coded):
    code: str | None = None
    dimension: str
    required: bool = False


class SpanLabel(_Strict):
    id: str = Field(pattern=_ID)
    dimension: str
    definition: str
    color: str | None = None
    rules: list[str] = []
    example: str | None = None


class SpanAttribute(_Coded):
    labels: list[str] | Literal["all"]


class Spans(_Strict):
    name: str = Field(default="span", pattern=_ID)
    labels: list[SpanLabel]
    attributes: list[SpanAttribute] = []


class _SchemaFile(_Strict):
    name: str = Field(pattern=_ID)
    version: str = Field(pattern=_VERSION)
    title: str
    description: str = ""
    dimensions: list[Dimension]
    value_sets: dict[str, list[Value]] = {}
    variables: list[Variable]
    spans: Spans | None = None


class Schema:
    """A validated framing schema.

    Attributes mirror the YAML; value lists are resolved (``values_from`` + ``values`` +
    ``extra_values``). :attr:`hash` identifies the content: it changes when anything that
    annotators or the analysis see changes, and not when comments or formatting do.
    """

    def __init__(self, data: _SchemaFile, source: str = "<schema>"):
        self._data = data
        self.source = source
        self.name = data.name
        self.version = data.version
        self.title = data.title
        self.description = data.description
        self.dimensions = data.dimensions
        self.variables = data.variables
        self.spans = data.spans
        self._values: dict[str, list[Value]] = {}
        _check(self)

    def values(self, item: _Coded) -> list[Value]:
        """Every valid answer of a variable or span attribute, ``not_addressed`` last."""
        return self._values[item.id]

    def order(self, item: _Coded) -> list[str] | None:
        """For an ordinal item, its scale's value ids from lowest to highest; else None."""
        if item.type != "ordinal":
            return None
        if item.order is not None:
            return list(item.order)
        skip = item.not_addressed.id if item.not_addressed else None
        return sorted((v.id for v in self.values(item) if v.id != skip), key=float)

    @property
    def attributes(self) -> list[SpanAttribute]:
        return list(self.spans.attributes) if self.spans else []

    def attribute_labels(self, attribute: SpanAttribute) -> list[str]:
        """The span labels an attribute applies to (``all`` expanded)."""
        if attribute.labels == "all":
            return [label.id for label in self.spans.labels]
        return list(attribute.labels)

    @cached_property
    def hash(self) -> str:
        """16 hex digits of the SHA-256 of the canonical JSON of the schema's content."""
        canonical = json.dumps(self._data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def decision_rules(self) -> dict[str, list[str]]:
        """Each analysable variable's decision rules, by the registry's variable id: a
        document variable's and a span attribute's own; for the span label variable, each
        label's rules prefixed with the label (``"BLAME: ..."``). Variables without rules
        are left out."""
        rules: dict[str, list[str]] = {}
        for item in [*self.variables, *self.attributes]:
            if item.rules:
                rules[item.id] = list(item.rules)
        if self.spans:
            labelled = [f"{label.id}: {rule}" for label in self.spans.labels
                        for rule in label.rules]
            if labelled:
                rules[self.spans.name] = labelled
        return rules

    def registry_records(self) -> list[dict[str, Any]]:
        """The analysis registry as a list of plain records (see :meth:`registry`)."""
        records: list[dict[str, Any]] = []
        for var in self.variables:
            records.append(self._record(var, var.dimension, "document", labels=[], code=var.code))
        if self.spans:
            records.append(
                {
                    "variable": self.spans.name,
                    "code": None,
                    "dimension": "spans",
                    "kind": "span_label",
                    "level": "span",
                    "metric": "unitizing_alpha",
                    "values": [label.id for label in self.spans.labels],
                    "missing_values": [],
                    "labels": [label.id for label in self.spans.labels],
                    "multiple": False,
                }
            )
            for attr in self.spans.attributes:
                records.append(
                    self._record(attr, "spans", "span_attribute", self.attribute_labels(attr), None)
                )
        return records

    def _record(self, item: _Coded, dimension: str, kind: str, labels: list[str], code):
        values = [v.id for v in self.values(item)]
        missing = [item.not_addressed.id] if item.not_addressed else []
        if kind == "span_attribute":
            level, metric = "span_attribute", "alpha_nominal_matched_spans"
        elif item.type == "multiple":
            level, metric = "set", "alpha_masi"
        elif item.type == "ordinal":
            level, metric = "ordinal", "alpha_ordinal"
            values = self.order(item)
        else:
            level, metric = "nominal", "alpha_nominal"
        return {
            "variable": item.id,
            "code": code,
            "dimension": dimension,
            "kind": kind,
            "level": level,
            "metric": metric,
            "values": values,
            "missing_values": missing,
            "labels": labels,
            "multiple": item.type == "multiple",
        }

    def registry(self) -> pd.DataFrame:
        """One row per analysable variable: its dimension, kind, level of measurement, the
        agreement metric that fits it, its values (ordinal: scale order) and the values that
        count as missing (``not_addressed``). Columns are listed in ``docs/CONTRACTS.md``."""
        return pd.DataFrame.from_records(self.registry_records())

    def __repr__(self) -> str:
        return f"Schema({self.name!r}, version={self.version!r}, hash={self.hash!r})"


def _fail(source: str, where: str, what: str, todo: str) -> UserError:
    return UserError(f"{source}: {where}: {what} -- {todo}")


def _where(loc: tuple, raw: Any) -> str:
    """Render a pydantic error location, naming list items by their id where possible."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict):
                item_id = node[key].get("id")
                if item_id is not None:
                    label += f" ({item_id})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts) or "(top level)"


def _explain(err: dict) -> tuple[str, str] | None:
    """The schema's own wording of an id or version that does not match its pattern."""
    if err["type"] != "string_pattern_mismatch":
        return None
    if err["loc"][-1] == "version":
        return f"version {err['input']!r} is not MAJOR.MINOR.PATCH", "write e.g. 1.0.0"
    return f"{err['input']!r} is not a valid id", "use letters, digits, _, + or - only"


def parse_schema(raw: Any, source: str = "<schema>") -> Schema:
    """Validate a schema already read from YAML (a dict) and return a :class:`Schema`."""
    if not isinstance(raw, dict):
        raise _fail(source, "(top level)", "the file is not a YAML mapping", "start from schemas/framing.yaml")
    data = validated(
        _SchemaFile, raw, locate=lambda loc: f"{source}: {_where(loc, raw)}",
        unknown_hint=" (the keys: docs/schema.md)", count_more=True, explain=_explain,
    )
    return Schema(data, source)


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file (``schemas/framing.yaml``)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"{path}: schema file not found -- run framestudy in a study folder or pass --study DIR"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    return parse_schema(raw, str(path))


def _check(schema: Schema) -> None:
    """The rules a pydantic type cannot express; the first problem found is raised."""
    src = schema.source
    data = schema._data
    dims = {d.id for d in data.dimensions}
    _unique(src, "dimensions", [d.id for d in data.dimensions])

    control_names = [v.id for v in data.variables]
    if data.spans:
        control_names += [data.spans.name] + [a.id for a in data.spans.attributes]
    _unique(src, "variables and span attributes", control_names + ["text"])

    def resolve(item: _Coded, where: str) -> None:
        values: list[Value] = []
        if item.values_from is not None:
            if item.values_from not in data.value_sets:
                known = ", ".join(sorted(data.value_sets)) or "none defined"
                raise _fail(
                    src,
                    f"{where}.values_from",
                    f"unknown value set {item.values_from!r}",
                    f"use one of: {known}",
                )
            values += data.value_sets[item.values_from]
        values += item.values or []
        values += item.extra_values
        if not values:
            raise _fail(
                src, f"{where}.values", "the value list is empty", "give values: or values_from:"
            )
        ids = [v.id for v in values]
        _unique(src, f"{where}.values", ids)
        if item.not_addressed is not None and item.not_addressed.id in ids:
            raise _fail(
                src,
                f"{where}.not_addressed",
                f"{item.not_addressed.id!r} is also a scale value",
                "give 'not addressed' an id of its own",
            )
        if item.type == "ordinal":
            if item.order is not None:
                if sorted(item.order) != sorted(ids):
                    raise _fail(
                        src,
                        f"{where}.order",
                        "order must list each value id exactly once",
                        f"list all of: {', '.join(ids)}",
                    )
            elif not all(_is_number(i) for i in ids):
                raise _fail(
                    src,
                    f"{where}.order",
                    "ordinal variable without an order (its value ids are not numbers)",
                    "add order: [lowest, ..., highest]",
                )
        elif item.order is not None:
            raise _fail(src, f"{where}.order", "order is only for ordinal items", "remove it or set type: ordinal")
        full = values + ([item.not_addressed] if item.not_addressed else [])
        schema._values[item.id] = full

    for i, var in enumerate(data.variables):
        where = f"variables[{i}] ({var.id})"
        if var.dimension not in dims:
            raise _fail(src, f"{where}.dimension", f"unknown dimension {var.dimension!r}", f"use one of: {', '.join(sorted(dims))}")
        resolve(var, where)

    if data.spans:
        labels = [label.id for label in data.spans.labels]
        if not labels:
            raise _fail(src, "spans.labels", "the label list is empty", "give at least one span label")
        _unique(src, "spans.labels", labels)
        for i, label in enumerate(data.spans.labels):
            if label.dimension not in dims:
                raise _fail(src, f"spans.labels[{i}] ({label.id}).dimension", f"unknown dimension {label.dimension!r}", f"use one of: {', '.join(sorted(dims))}")
        for i, attr in enumerate(data.spans.attributes):
            where = f"spans.attributes[{i}] ({attr.id})"
            if attr.labels != "all":
                if not attr.labels:
                    raise _fail(src, f"{where}.labels", "no span label given", "name the labels it describes, or write all")
                for label in attr.labels:
                    if label not in labels:
                        raise _fail(src, f"{where}.labels", f"span label {label!r} does not exist", f"use one of: {', '.join(labels)}")
            resolve(attr, where)


def _unique(source: str, where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise _fail(source, where, f"duplicate id {item!r}", "give each item its own id")
        seen.add(item)


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+(\.\d+)?", text) is not None
