"""The raw-export store: a damaged ``manifest.json`` is one line naming the file and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from framestudy.annotations.raw import manifest_path, read_manifest, save_raw_export
from framestudy.errors import UserError

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def save(raw_dir, content: bytes = b"[]"):
    return save_raw_export(
        raw_dir, content, when=WHEN, server="http://ls", project_id=3, project_title="t",
        coder=None,
    )


def test_a_saved_export_is_listed_and_read_back(tmp_path):
    saved = save(tmp_path)
    (entry,) = read_manifest(tmp_path)
    assert entry["file"] == saved.path.name and entry["bytes"] == 2 and entry["coder"] is None
    assert not save(tmp_path).new  # the same bytes again: the earlier file is used


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.update(project_id="3"), "exports[0].project_id"),
        (lambda e: e.update(sha256="not-a-digest"), "exports[0].sha256"),
        (lambda e: e.pop("bytes"), "exports[0].bytes"),
        (lambda e: e.update(note="x"), "exports[0].note"),
    ],
)
def test_a_damaged_manifest_names_the_file_and_field(tmp_path, change, field):
    save(tmp_path)
    path = manifest_path(tmp_path)
    data = json.loads(path.read_text())
    change(data["exports"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(UserError) as exc:
        save(tmp_path, b'[{"id": 1}]')
    text = str(exc.value)
    assert "\n" not in text and text.startswith(f"{path}: {field}: ")
    assert "restore the file from git" in text and exc.value.exit_code == 2


def test_a_manifest_that_is_not_an_object_is_refused(tmp_path):
    manifest_path(tmp_path).write_text("[]")
    with pytest.raises(UserError, match=r"manifest.json: \(top level\): .*valid dictionary"):
        read_manifest(tmp_path)
