"""The whole line of an export-reading error, not a fragment of it: what the file was taken
for, which kind of error response was recognised, what an item was found to be. Found by
mutation testing (docs/mutation.md): the fragments the other tests check let a changed
file description or a missed error-response key through."""

from __future__ import annotations

import json

import pytest

from framestudy.annotations import read_export
from framestudy.errors import UserError

REEXPORT = "re-export the project from Label Studio as JSON"


def message(path) -> str:
    with pytest.raises(UserError) as info:
        read_export(path)
    return str(info.value)


def test_a_folder_is_not_an_export_file(tmp_path):
    assert message(tmp_path) == f"{tmp_path}: is a folder, not a Label Studio export file"


def test_an_export_nested_too_deeply(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert message(path) == f"{path}: JSON nested too deeply to be a Label Studio export"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('{"detail": "Invalid token."}', "'Invalid token.'"),
        ('{"error": "Not Found"}', "'Not Found'"),  # each key alone is an error response
        ('{"status_code": 500}', "'500'"),
    ],
)
def test_each_kind_of_error_response_is_recognised(tmp_path, body, shown):
    path = tmp_path / "export.json"
    path.write_text(body, encoding="utf-8")
    assert message(path) == (
        f"{path}: holds a Label Studio error response ({shown}), not an export -- check the "
        f"URL and token, then {REEXPORT}"
    )


def test_an_item_that_is_a_list(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('[{"id": 1, "annotations": []}, [1, 2]]', encoding="utf-8")
    assert message(path) == f"{path}: item 1 of the list is a list, not a task object -- {REEXPORT}"


def test_a_long_error_detail_is_cut_at_120_characters(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"detail": "' + "x" * 119 + "yz" + "w" * 50 + '"}', encoding="utf-8")
    shown = "'" + "x" * 119 + "y'"  # the first 120 characters
    assert f"error response ({shown})" in message(path)


def test_an_object_that_is_neither_a_task_nor_an_error_shows_six_keys(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"h": 1, "g": 1, "f": 1, "e": 1, "d": 1, "c": 1, "b": 1}', encoding="utf-8")
    assert message(path) == (
        f"{path}: expected a JSON list of tasks (a Label Studio JSON export), found an object "
        f"with keys ['b', 'c', 'd', 'e', 'f', 'g'] -- {REEXPORT}"
    )


def test_a_task_without_annotations_is_not_called_a_single_task(tmp_path):
    """Only an object with both ``data`` and ``annotations`` is a task exported alone."""
    path = tmp_path / "export.json"
    path.write_text('{"data": {"text": "x"}, "id": 1}', encoding="utf-8")
    assert "found an object with keys ['data', 'id']" in message(path)


@pytest.mark.parametrize(
    "task",
    [
        {"id": 1, "data": {"text": "x"}, "annotations": []},  # no drafts key
        {"id": 1, "data": {"text": "x"}, "drafts": []},  # drafts only
    ],
)
def test_annotations_or_drafts_make_an_export(tmp_path, task):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    assert read_export(path) == [task]


@pytest.mark.parametrize(
    ("task", "looks_like"),
    [
        ({"id": 1, "annotator": 2, "text": "x"}, "a JSON-MIN export"),
        ({"id": 1, "annotation_id": 3, "text": "x"}, "a JSON-MIN export"),
        ({"data": {"text": "x"}}, "a task list without annotations (an import file, not an export)"),
    ],
)
def test_a_list_of_tasks_without_annotations_is_named(tmp_path, task, looks_like):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    assert message(path) == (
        f"{path}: no task has an 'annotations' list: this looks like {looks_like} -- export "
        "the project in Label Studio's JSON format"
    )


def test_json_that_ends_early_is_called_a_truncated_download(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('[{"id": 1', encoding="utf-8")  # the parser fails at the very end
    assert message(path) == (
        f"{path}: not valid JSON at line 1 column 10: Expecting ',' delimiter (the file ends "
        f"early: truncated download?) -- {REEXPORT}"
    )
    path.write_text('[{"id": 1 x}]', encoding="utf-8")  # fails in the middle: no hint
    assert message(path) == (
        f"{path}: not valid JSON at line 1 column 11: Expecting ',' delimiter -- {REEXPORT}"
    )


def test_a_file_that_cannot_be_read_says_why(tmp_path):
    path = tmp_path / ("x" * 300 + ".json")  # longer than a file name may be
    assert message(path) == f"{path}: cannot be read (File name too long)"
