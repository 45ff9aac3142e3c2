"""The whole line of an export-reading error, not a fragment of it: what the file was taken
for, which kind of error response was recognised, what an item was found to be. Found by
mutation testing (docs/mutation.md): the fragments the other tests check let a changed
file description or a missed error-response key through."""

from __future__ import annotations

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
