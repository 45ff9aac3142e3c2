"""Export files that are not exports: one UserError line naming the file and the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framestudy.annotations import read_export, read_users
from framestudy.errors import UserError
from tests.annotations.conftest import DATA


def write(tmp_path: Path, content: bytes | str, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def error(path: Path) -> str:
    with pytest.raises(UserError) as info:
        read_export(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_recorded_exports_read():
    for path in sorted(DATA.glob("*.json")):
        if path.name != "registry.json":
            assert isinstance(read_export(path), list)


def test_truncated_download(tmp_path):
    raw = (DATA / "community_easy.json").read_bytes()
    message = error(write(tmp_path, raw[: len(raw) // 2]))
    assert "not valid JSON at line" in message
    assert "truncated download?" in message
    assert "re-export" in message


def test_invalid_json_in_the_middle(tmp_path):
    message = error(write(tmp_path, '[\n {"id": 1,\n  "data": {"text": "x"} oops\n}]'))
    assert "not valid JSON at line 3 column" in message
    assert "truncated" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'["caf\xe9"]', "not UTF-8"),
        ('{"detail": "Invalid token."}', "holds a Label Studio error response ('Invalid token.')"),
        ('{"id": 1, "data": {}, "annotations": []}', "holds a single task object"),
        ('{"tasks": []}', "expected a JSON list of tasks"),
        ("42", "found a number"),
        ('[{"id": 1, "data": {}, "annotations": []}, "x"]', "item 1 of the list is a string"),
        ('[{"data": {"text": "x"}}]', "an import file, not an export"),
        ('[{"id": 1, "annotator": 2, "annotation_id": 3, "text": "x"}]', "JSON-MIN export"),
        ("id,text\n1,x\n", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_not_an_export(tmp_path, content, expected):
    assert expected in error(write(tmp_path, content))


def test_missing_file_and_folder(tmp_path):
    assert "no such file" in error(tmp_path / "nope.json")
    assert "is a folder" in error(tmp_path)


def test_bom_and_empty_list_are_fine(tmp_path):
    assert read_export(write(tmp_path, b"\xef\xbb\xbf[]")) == []


def test_read_users(tmp_path):
    api = [{"id": 2, "email": "a@x.org", "username": "a"}, {"id": 3, "email": "b@x.org"}]
    assert read_users(write(tmp_path, json.dumps(api))) == {2: "a@x.org", 3: "b@x.org"}
    assert read_users(write(tmp_path, '{"4": "c@x.org"}')) == {4: "c@x.org"}
    for bad, expected in [
        ('{"four": "c@x.org"}', "is not a Label Studio user id"),
        ('{"4": 4}', "is not a string"),
        ('[{"id": "2", "email": "a"}]', "item 0 is not a user object"),
        ('"x"', "expected a list of users"),
    ]:
        with pytest.raises(UserError, match=expected):
            read_users(write(tmp_path, bad))
