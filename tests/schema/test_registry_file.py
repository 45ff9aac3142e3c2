"""schemas/registry.json, as the analysis reads it (framestudy.schema.registry_file): every
problem is one line naming the file, the record and the field."""

from __future__ import annotations

import json

import pytest

from framestudy.errors import UserError
from framestudy.schema import load_schema
from framestudy.schema.registry_file import read_registry
from tests.conftest import REPO

RECORD = {
    "variable": "relevant", "dimension": "control", "kind": "document", "level": "nominal",
    "metric": "alpha_nominal", "values": ["yes", "no"],
}
REBUILD = " -- rebuild it with `framestudy schema build`"


def _fails(tmp_path, records) -> str:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_registry(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert message.endswith(REBUILD)
    return message.removeprefix(f"{path}: ").removesuffix(REBUILD)


def test_a_faulty_record_is_named_with_its_field(tmp_path):
    assert _fails(tmp_path, RECORD) == "expected a JSON list of variable records"
    assert _fails(tmp_path, ["x"]) == "record 1 must be an object"
    no_metric = {k: v for k, v in RECORD.items() if k != "metric"}
    assert _fails(tmp_path, [RECORD, no_metric]) == "record 2 (relevant) has no 'metric'"
    assert _fails(tmp_path, [dict(RECORD, level="interval")]) == (
        "record 1 (relevant): level = 'interval' must be 'nominal', 'ordinal', 'set', "
        "'span' or 'span_attribute'"
    )
    assert _fails(tmp_path, [dict(RECORD, values="yes")]) == (
        "record 1 (relevant): values = 'yes' must be a list"
    )
    assert _fails(tmp_path, [dict(RECORD, multiple="maybe")]) == (
        "record 1 (relevant): multiple = 'maybe' must be true or false"
    )
    assert _fails(tmp_path, [RECORD, RECORD]) == (
        "variable 'relevant' occurs in records 1 and 2: each variable must appear once"
    )


def test_the_schemas_own_registry_is_read_back_unchanged(tmp_path):
    records = load_schema(REPO / "schemas" / "framing.yaml").registry_records()
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert read_registry(path) == records


def test_a_missing_registry_says_what_to_do(tmp_path):
    with pytest.raises(UserError, match="no such file -- run `framestudy schema build` first"):
        read_registry(tmp_path / "registry.json")
