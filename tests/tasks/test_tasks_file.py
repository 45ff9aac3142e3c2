"""tasks/tasks.json, as a later stage reads it (framestudy.tasks.tasks_file): every problem
is one line naming the file, the task and the field."""

from __future__ import annotations

import json

import pytest

from framestudy.errors import UserError
from framestudy.tasks.tasks_file import read_tasks


def _fails(tmp_path, tasks) -> str:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_tasks(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert message.endswith(" -- run `framestudy tasks build`")
    return message.removeprefix(f"{path}: ").removesuffix(" -- run `framestudy tasks build`")


def test_a_faulty_task_is_named_with_its_field(tmp_path):
    ok = {"article_id": "a", "text": "x"}
    assert _fails(tmp_path, {"data": ok}) == "expected a JSON list of tasks"
    assert _fails(tmp_path, [5]) == "task 0 must be an object with a 'data' object"
    assert _fails(tmp_path, [{"data": 3}]) == "task 0: data = 3 must be an object"
    assert _fails(tmp_path, [{"data": {"text": "x"}}]) == "task 0 has no data.article_id"
    assert _fails(tmp_path, [{"data": {"article_id": "", "text": "x"}}]) == (
        "task 0 has an empty data.article_id"
    )
    assert _fails(tmp_path, [{"data": ok}, {"data": {"article_id": "b"}}]) == (
        "task 1 (b) has no data.text"
    )
    assert _fails(tmp_path, [{"data": dict(ok, text=5)}]) == "task 0 (a): data.text = 5 must be text"
    assert _fails(tmp_path, [{"data": dict(ok, word_count="many")}]) == (
        "task 0 (a): data.word_count = 'many' must be a whole number"
    )
    assert _fails(tmp_path, [{"data": ok}, {"data": dict(ok, text="y")}]) == (
        "data.article_id 'a' occurs in tasks 0 and 1: each article must appear once"
    )


def test_a_good_file_is_returned_as_it_was_written(tmp_path):
    tasks = [
        {"data": {"article_id": "a", "text": "x", "mine": [1]}, "meta": {"k": 1}},
        {"data": {"article_id": "b", "text": "y", "text_version": "0123456789ab"}},
    ]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    assert read_tasks(path) == tasks


def test_a_missing_or_unparsable_file_says_what_to_do(tmp_path):
    with pytest.raises(UserError, match="missing task file -- run `framestudy tasks build`"):
        read_tasks(tmp_path / "none.json")
    (tmp_path / "tasks.json").write_text("[{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON at line 1"):
        read_tasks(tmp_path / "tasks.json")
