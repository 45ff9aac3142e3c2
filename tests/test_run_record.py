"""Run records: inputs named by content, settings kept, changes noticed, damage one line."""

from __future__ import annotations

import hashlib
import json

import pytest

from framestudy import __version__
from framestudy.errors import UserError
from framestudy.run_record import changed_inputs, read_run_record, write_run_record


def test_record_names_inputs_by_content_and_notices_changes(tmp_path):
    (tmp_path / "annotations").mkdir()
    table = tmp_path / "annotations" / "annotations.csv"
    table.write_text("a,b\n", encoding="utf-8")
    path = write_run_record(
        tmp_path / "analysis" / "x.json", command="framestudy x", root=tmp_path,
        inputs=[table, tmp_path / "tasks" / "tasks.json"], files=["x.csv"],
        settings={"seed": 3},
    )
    record = read_run_record(path, "framestudy x")
    assert record["inputs"] == {
        "annotations/annotations.csv": hashlib.sha256(b"a,b\n").hexdigest(),
        "tasks/tasks.json": None,
    }
    assert record["seed"] == 3 and record["files"] == ["x.csv"]
    assert record["framestudy_version"] == __version__
    assert changed_inputs(record, tmp_path) == []
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "tasks.json").write_text("[]", encoding="utf-8")
    assert changed_inputs(record, tmp_path) == ["annotations/annotations.csv", "tasks/tasks.json"]


def test_missing_record_is_none_and_a_damaged_one_names_the_file(tmp_path):
    assert read_run_record(tmp_path / "none.json", "framestudy x") is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"command": "x", "inputs": []}), encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.json: .*'inputs'.*run `framestudy x` again"):
        read_run_record(bad, "framestudy x")


def test_an_unchanged_rerun_leaves_the_record_alone(tmp_path, monkeypatch):
    """Same inputs, same settings: the file is not rewritten (its time stays the first run's);
    another setting or input: it is."""
    table = tmp_path / "t.csv"
    table.write_text("x\n", encoding="utf-8")
    args = dict(command="framestudy x", root=tmp_path, inputs=[table], files=["a.csv"])
    path = write_run_record(tmp_path / "r.json", settings={"seed": 1, "gate": {"t": 0.5}}, **args)
    first = path.read_bytes()
    record = json.loads(first)
    record["created"] = "2020-01-01T00:00:00+00:00"
    path.write_text(json.dumps(record), encoding="utf-8")
    kept = path.read_bytes()
    write_run_record(tmp_path / "r.json", settings={"seed": 1, "gate": {"t": 0.5}}, **args)
    assert path.read_bytes() == kept
    write_run_record(tmp_path / "r.json", settings={"seed": 2, "gate": {"t": 0.5}}, **args)
    assert json.loads(path.read_text())["seed"] == 2
    assert json.loads(path.read_text())["created"] != "2020-01-01T00:00:00+00:00"
    table.write_text("y\n", encoding="utf-8")
    before = path.read_bytes()
    write_run_record(tmp_path / "r.json", settings={"seed": 2, "gate": {"t": 0.5}}, **args)
    assert json.loads(path.read_bytes())["inputs"] != json.loads(before)["inputs"]
